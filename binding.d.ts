// The typed surface of the native addon (build/Release/wkw.node or prebuilds/*).
// Internal: the public API is WkwDataset and the dataset classes in lib/.
// test/binding.test.mjs checks that the addon exports exactly the names declared here.

/** A header as the core parsed it; blockType and voxelType are the on-disk codes. */
export interface NativeHeader {
  version: number;
  blockLen: number;
  fileLen: number;
  blockType: number; // 1 raw, 2 LZ4, 3 LZ4HC
  voxelType: number; // 1..10: uint8, uint16, uint32, uint64, float32, float64, int8, int16, int32, int64
  voxelSize: number; // bytes per voxel over all channels
  numChannels: number;
  dataOffset: number;
}

export interface NativeHeaderFields {
  blockLen: number;
  fileLen: number;
  blockType: number;
  voxelType: number;
  voxelSize: number;
  dataOffset?: number;
}

export interface NativeWriteOptions {
  /** LZ4HC compression level, 1..12 (default 9). */
  level?: number;
  /** fsync temporary files before they are renamed into place. */
  durable?: boolean;
  /** Accept strides of 0 (one element repeated along an axis); rejected otherwise. */
  broadcast?: boolean;
}

export type NativeVec3 = [number, number, number];
export type NativeTypedArray =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array;

/** Set by an AbortSignal: tasks not yet started are skipped and the call rejects. */
export declare class CancelToken {
  cancel(): void;
}

/** Decoded-block cache (LRU by bytes, sharded locks), shared by the NativeMags given it. */
export declare class BlockCache {
  constructor(maxBytes: number);
  stats(): { hits: number; misses: number; bytes: number; evictions: number; blocks: number; maxBytes: number };
  clear(): void;
}

/** What a read's `out` array is (NativeMag.read). */
export type OutKind = 0 | 1 | 2;

/** One mag folder. All offsets and shapes are in voxels; arrays are (c, x, y, z). */
export declare class NativeMag {
  /** Reads go through `cache` when given. */
  constructor(root: string, header: Uint8Array, cache?: BlockCache);
  /**
   * Fills `out` (dense Fortran order) with the region. `outKind`: 0 the caller's array,
   * 1 a fresh zeroed array (missing files need no zero-filling), 2 a fresh array from
   * allocateOutput (not zeroed, not in the CPU cache: written with non-temporal stores).
   */
  read(offset: NativeVec3, shape: NativeVec3, out: NativeTypedArray, outKind: OutKind,
    concurrency?: number, cancel?: CancelToken): Promise<void>;
  readSync(offset: NativeVec3, shape: NativeVec3, out: NativeTypedArray, outKind: OutKind): void;
  /** Writes the region from `data` at element `elementOffset` with element strides (c, x, y, z). */
  write(offset: NativeVec3, shape: NativeVec3, data: NativeTypedArray, elementOffset: number,
    strides: [number, number, number, number], options?: NativeWriteOptions,
    concurrency?: number, cancel?: CancelToken): Promise<void>;
  writeSync(offset: NativeVec3, shape: NativeVec3, data: NativeTypedArray, elementOffset: number,
    strides: [number, number, number, number], options?: NativeWriteOptions): void;
  /** Re-encodes the listed cube files (flat x, y, z triples) into targetRoot with targetHeader's block type. */
  compressFiles(targetRoot: string, targetHeader: Uint8Array, fileIndices: number[],
    options?: NativeWriteOptions, concurrency?: number, cancel?: CancelToken): Promise<void>;
  close(): void;
}

export declare function parseHeader(bytes: Uint8Array, name?: string): NativeHeader;
export declare function serializeHeader(header: NativeHeaderFields): Buffer;
/** Bounds the process-wide cache of open cube files by count and by bytes (jump tables). */
export declare function setFileCacheCapacity(maxFiles: number, maxBytes: number): void;
export declare function fileCacheStats(): { files: number; bytes: number; maxFiles: number; maxBytes: number };
/** Memory for a read's result (not zeroed), returned to the pool when collected; null at the pool's limit. */
export declare function allocateOutput(bytes: number): ArrayBuffer | null;
export declare function setOutputPoolLimit(maxBytes: number): void;
export declare function outputPoolStats(): { bytes: number; outstandingBytes: number; mappedBytes: number; maxBytes: number };
/** Pool threads one call runs on at once by default: min(UV_THREADPOOL_SIZE, cores). */
export declare function defaultConcurrency(): number;
/** LZ4_versionNumber() of the vendored LZ4 (10904 = 1.9.4). */
export declare const lz4Version: number;
/**
 * The liveness policy (native/src/liveness.h): is the writer `pid` on `host` of something
 * last modified `ageMs` ago dead? Dead if older than `staleMs` (when >= 0) or written on
 * this host by a pid that no longer exists. `host` "" means this host.
 */
export declare function writerIsDead(host: string, pid: number, ageMs: number, staleMs: number): boolean;
/** This host's name as written into temporary names ([A-Za-z0-9.-], others "_"). */
export declare function hostTag(): string;
/** Copies channel-interleaved `src` (WKW order) into `dst` one channel after the other (Neuroglancer raw order). */
export declare function channelsToPlanar(src: NativeTypedArray, dst: NativeTypedArray, channels: number): void;

/** The largest element of an integer TypedArray (null when empty); a bigint for 64-bit types. */
export declare function maxValue(data: NativeTypedArray): number | bigint | null;

/** Downsampling filters (native/src/downsample*.cc); mode is median|mode|max|min|average|nearest. */
export declare function downsampleArray(data: NativeTypedArray, elementOffset: number,
  shape: readonly number[], strides: readonly number[], factors: readonly number[], mode: string,
  out: NativeTypedArray, concurrency?: number): Promise<void>;
export declare function downsampleArraySync(data: NativeTypedArray, elementOffset: number,
  shape: readonly number[], strides: readonly number[], factors: readonly number[], mode: string,
  out: NativeTypedArray): void;
/**
 * Writes cube file `file` of the target mag (a whole new file, renamed into place) from the
 * source mag: downsampled by `factors` with `mode`, or with `upsample` replicated. Target
 * voxels outside `region` ([lo x, y, z, hi x, y, z] in target voxels) are zero.
 */
export declare function resampleFile(sourceRoot: string, sourceHeader: Uint8Array,
  targetRoot: string, targetHeader: Uint8Array, file: readonly number[], factors: readonly number[],
  mode: string, upsample: boolean, region: readonly number[], options?: NativeWriteOptions,
  concurrency?: number, cancel?: CancelToken): Promise<void>;
