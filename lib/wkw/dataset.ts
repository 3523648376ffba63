/**
 * WkwDataset: one WKW mag folder (header.wkw + cube files z<k>/y<j>/x<i>.wkw), the low-level
 * format API. Voxel work runs in the native core on the libuv pool.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { binding } from "../binding.js";
import type { BlockCache as NativeBlockCache, NativeMag, OutKind } from "../../binding";
import { TYPE_SIZE, type VoxelData, type VoxelDataOf, type VoxelType, isVoxelType } from "../dtypes.js";
import { WkwError, toWkwError } from "../errors.js";
import { abortError, checkSignal, withCancel } from "../util/abort.js";
import { removeDeadWritersTemps } from "../util/atomic-file.js";
import { tempTag } from "../util/liveness.js";
import {
  argumentError, checkInteger, checkOneOf, checkOptions, checkString, checkVec3, type Vec3,
} from "../util/validate.js";
import type { Vec3Like } from "../geometry/vec3.js";
import { type BlockCache, nativeCacheOf } from "./block-cache.js";
import { BLOCK_TYPES, type BlockType, type WkwHeader, headerFromBytes, headerToBytes, layoutOf } from "./header.js";
import {
  type NdArrayLike, type VoxelArray, allocateVoxelArray, checkOutArray, toStridedInput,
} from "./voxel-array.js";
import { allocatePooledVoxelArray, allocateUnfilledVoxelArray } from "./pooled-array.js";

export interface CreateOptions<T extends VoxelType = VoxelType> {
  voxelType: T;
  numChannels?: number;
  blockLen?: number;
  fileLen?: number;
  blockType?: BlockType;
  /** Accepted so that a WkwHeader can be passed as it is (`{ ...ds.header, blockType }`): must be 1. */
  version?: 1;
  /** Accepted for the same reason: must equal numChannels × the type size. */
  voxelSize?: number;
  /** Decoded blocks of reads are kept in (and served from) this cache. */
  cache?: BlockCache;
}

export interface ReadOptions<T extends VoxelData = VoxelData> {
  /** Fill this array instead of allocating one (dense Fortran order, shape [c, ...size]). */
  out?: VoxelArray<T>;
  signal?: AbortSignal;
  /** Pool threads this call runs on at once (default: min(UV_THREADPOOL_SIZE, cores)). */
  concurrency?: number;
}

export interface WriteOptions {
  signal?: AbortSignal;
  concurrency?: number;
  /** LZ4HC level 1..12 (default 9). */
  level?: number;
  /** fsync each rewritten file and each newly created folder (power-loss safety). */
  durable?: boolean;
  /** Allow strides of 0 in the data: one item repeated along that axis (e.g. a fill). */
  broadcast?: boolean;
}

export interface OpenOptions<T extends VoxelType = VoxelType> {
  /** The voxel type the caller expects: checked against the header (and types the reads). */
  voxelType?: T;
  /** Decoded blocks of reads are kept in (and served from) this cache. */
  cache?: BlockCache;
}

export interface CompressOptions extends Omit<WriteOptions, "broadcast"> {
  blockType?: BlockType;
}

// The option keys each function accepts (strict: anything else is ERR_WKW_ARGUMENT).
export const OPEN_OPTION_KEYS = ["voxelType", "cache"] as const;
export const CREATE_OPTION_KEYS = ["voxelType", "numChannels", "blockLen", "fileLen", "blockType", "version", "voxelSize", "cache"] as const;
export const READ_OPTION_KEYS = ["out", "signal", "concurrency"] as const;
export const READ_SYNC_OPTION_KEYS = ["out"] as const;
export const WRITE_OPTION_KEYS = ["signal", "concurrency", "level", "durable", "broadcast"] as const;
export const WRITE_SYNC_OPTION_KEYS = ["level", "durable", "broadcast"] as const;
export const COMPRESS_OPTION_KEYS = ["blockType", "signal", "concurrency", "level", "durable"] as const;
export const COMPRESS_FILES_OPTION_KEYS = ["signal", "concurrency", "level", "durable"] as const;

const MAX_COORD = 2 ** 31;
export const HEADER_FILE = "header.wkw";

function checkPowerOfTwo(parameter: string, value: unknown): number {
  const n = checkInteger(parameter, value, 1, 128);
  if ((n & (n - 1)) !== 0) throw argumentError(parameter, "a power of two in [1, 128]", value);
  return n;
}

function checkRegion(offset: unknown, size: unknown): [Vec3, Vec3] {
  const o = checkVec3("offset", offset, 0, MAX_COORD - 1);
  const s = checkVec3("size", size, 0, MAX_COORD);
  for (let i = 0; i < 3; i++) {
    if (o[i]! + s[i]! > MAX_COORD) throw argumentError("size", `a region ending below 2^31 (offset ${o.join(",")})`, size);
  }
  return [o, s];
}

function checkBoolean(parameter: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") throw argumentError(parameter, "a boolean", value);
  return value === true;
}

function nativeWriteOptions(o: Record<string, unknown>) {
  const level = o.level === undefined ? undefined : checkInteger("options.level", o.level, 1, 12);
  return { level, durable: checkBoolean("options.durable", o.durable), broadcast: checkBoolean("options.broadcast", o.broadcast) };
}

function checkConcurrency(value: unknown): number | undefined {
  return value === undefined ? undefined : checkInteger("options.concurrency", value, 1, 1024);
}

/** `T`: the voxel type, when known from create/open (then reads are typed, e.g. Uint8Array). */
export class WkwDataset<T extends VoxelType = VoxelType> {
  readonly path: string;
  readonly header: WkwHeader;
  #native: NativeMag | undefined;

  /** The BlockCache given to open or create, if any. */
  readonly cache: BlockCache | undefined;

  private constructor(dir: string, header: WkwHeader, headerBytes: Uint8Array, cache?: BlockCache, nativeCache?: NativeBlockCache) {
    this.path = dir;
    this.header = header;
    this.cache = cache;
    try {
      this.#native = new binding.NativeMag(dir, headerBytes, nativeCache);
    } catch (err) {
      throw toWkwError(err, dir);
    }
  }

  /** Creates `dir` (recursively) and its header.wkw; fails if header.wkw exists. */
  static async create<T extends VoxelType>(dir: string, options: CreateOptions<T>): Promise<WkwDataset<T>> {
    checkString("dir", dir);
    if (options === undefined) throw argumentError("options", "an options object with at least voxelType", options);
    const o = checkOptions("options", options, CREATE_OPTION_KEYS);
    if (!isVoxelType(o.voxelType)) throw argumentError("options.voxelType", "a voxel type (uint8 … int64, float32, float64)", o.voxelType);
    const voxelType = o.voxelType;
    const numChannels = o.numChannels === undefined ? 1 : checkInteger("options.numChannels", o.numChannels, 1, Math.floor(255 / TYPE_SIZE[voxelType]));
    const blockLen = o.blockLen === undefined ? 32 : checkPowerOfTwo("options.blockLen", o.blockLen);
    const fileLen = o.fileLen === undefined ? 32 : checkPowerOfTwo("options.fileLen", o.fileLen);
    const blockType = o.blockType === undefined ? "raw" : checkOneOf("options.blockType", o.blockType, BLOCK_TYPES);
    if (o.version !== undefined && o.version !== 1) throw argumentError("options.version", "1 (the only WKW version)", o.version);
    const voxelSize = numChannels * TYPE_SIZE[voxelType];
    if (o.voxelSize !== undefined && o.voxelSize !== voxelSize) {
      throw argumentError("options.voxelSize", `${voxelSize} (${numChannels} × ${voxelType}) or absent`, o.voxelSize);
    }
    const nativeCache = nativeCacheOf("options.cache", o.cache);
    const bytes = headerToBytes({ blockLen, fileLen, blockType, voxelType, numChannels });
    const root = path.resolve(dir);
    const file = path.join(root, HEADER_FILE);
    try {
      await fsp.mkdir(root, { recursive: true });
      // Written under a temporary name and linked into place: never half-written, never
      // replacing an existing header.
      const tmp = `${file}.tmp-${tempTag()}`;
      await fsp.writeFile(tmp, bytes);
      try {
        await fsp.link(tmp, file);
      } finally {
        await fsp.unlink(tmp).catch(() => {});
        // A create killed before this point left its temporary header: the next create cleans it.
        await removeDeadWritersTemps(root, `${HEADER_FILE}.tmp-`);
      }
    } catch (err) {
      const e = toWkwError(err, file);
      if (e instanceof WkwError && e.code === "ERR_WKW_EXISTS") {
        throw new WkwError("ERR_WKW_EXISTS", `A WKW dataset already exists at ${root} (header.wkw is present)`, { path: file });
      }
      throw e;
    }
    return new WkwDataset<T>(root, headerFromBytes(bytes, file), bytes, o.cache as BlockCache | undefined, nativeCache);
  }

  /**
   * Opens the dataset whose header.wkw is in `dir`. With `{ voxelType }` the header must have
   * that voxel type (ERR_WKW_HEADER otherwise), and reads are typed by it.
   */
  static async open<T extends VoxelType = VoxelType>(dir: string, options?: OpenOptions<T>): Promise<WkwDataset<T>> {
    checkString("dir", dir);
    const opts = checkOptions("options", options, OPEN_OPTION_KEYS);
    if (opts.voxelType !== undefined && !isVoxelType(opts.voxelType)) {
      throw argumentError("options.voxelType", "a voxel type (uint8 … int64, float32, float64)", opts.voxelType);
    }
    const nativeCache = nativeCacheOf("options.cache", opts.cache);
    const root = path.resolve(dir);
    const file = path.join(root, HEADER_FILE);
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch (err) {
      const e = toWkwError(err, file);
      if (e instanceof WkwError && e.code === "ERR_WKW_NOT_FOUND") {
        throw new WkwError("ERR_WKW_NOT_FOUND", `No WKW dataset at ${root} (header.wkw is missing)`, { path: file });
      }
      throw e;
    }
    const header = headerFromBytes(bytes, file);
    if (opts.voxelType !== undefined && header.voxelType !== opts.voxelType) {
      throw new WkwError("ERR_WKW_HEADER", `${file} holds voxel type ${header.voxelType}, not ${opts.voxelType} (options.voxelType)`, { path: file });
    }
    return new WkwDataset<T>(root, header, bytes, opts.cache as BlockCache | undefined, nativeCache);
  }

  get closed(): boolean {
    return this.#native === undefined;
  }

  #mag(): NativeMag {
    if (!this.#native) throw new WkwError("ERR_WKW_CLOSED", `The dataset at ${this.path} was closed`, { path: this.path });
    return this.#native;
  }

  #prepareRead(offset: unknown, size: unknown, options: unknown, known: readonly string[]) {
    const [o, s] = checkRegion(offset, size);
    const opts = checkOptions("options", options, known);
    const h = this.header;
    const out = opts.out === undefined ? undefined : checkOutArray(opts.out, h.voxelType, h.numChannels, s);
    let array = out;
    // What the native read is told about the array (binding.d.ts OutKind).
    let kind: OutKind = 0;
    if (array === undefined) {
      try {
        // Small results come from V8's heap, not zeroed (the read writes every voxel)
        // and still in the cache; large ones from the pool of recycled arrays, not
        // zeroed and not in the cache. Past the pool's limit V8 allocates, zeroed.
        array = allocateUnfilledVoxelArray(h.voxelType, h.numChannels, s);
        if (array === undefined) {
          array = allocatePooledVoxelArray(h.voxelType, h.numChannels, s);
          kind = 2;
        }
        if (array === undefined) {
          array = allocateVoxelArray(h.voxelType, h.numChannels, s);
          kind = 1;
        }
      } catch (err) {
        // RangeError: more items than a typed array may hold, or no memory for them
        if (!(err instanceof RangeError)) throw err;
        throw argumentError("size", `a region whose ${h.numChannels} × ${s.join(" × ")} ${h.voxelType} items fit in one typed array (${err.message})`, size);
      }
    }
    return { o, s, opts, array, kind };
  }

  /** Reads the region at `offset` of `size` voxels: a (c, x, y, z) Fortran-order array; missing data reads as 0. */
  async read(offset: Vec3Like, size: Vec3Like, options?: ReadOptions<VoxelDataOf<T>>): Promise<VoxelArray<VoxelDataOf<T>>> {
    const { o, s, opts, array, kind } = this.#prepareRead(offset, size, options, READ_OPTION_KEYS);
    const signal = checkSignal(opts.signal);
    const concurrency = checkConcurrency(opts.concurrency);
    const mag = this.#mag();
    try {
      await withCancel(signal, (token) =>
        mag.read([o[0], o[1], o[2]], [s[0], s[1], s[2]], array.data, kind, concurrency, token));
    } catch (err) {
      throw toWkwError(err, this.path);
    }
    return array as VoxelArray<VoxelDataOf<T>>;
  }

  /** Synchronous read for small regions: no thread-pool hop. */
  readSync(offset: Vec3Like, size: Vec3Like, options?: Omit<ReadOptions<VoxelDataOf<T>>, "signal" | "concurrency">): VoxelArray<VoxelDataOf<T>> {
    const { o, s, array, kind } = this.#prepareRead(offset, size, options, READ_SYNC_OPTION_KEYS);
    try {
      this.#mag().readSync([o[0], o[1], o[2]], [s[0], s[1], s[2]], array.data, kind);
    } catch (err) {
      throw toWkwError(err, this.path);
    }
    return array as VoxelArray<VoxelDataOf<T>>;
  }

  #prepareWrite(offset: unknown, data: unknown, options: unknown, known: readonly string[]) {
    const h = this.header;
    const opts = checkOptions("options", options, known);
    const native = nativeWriteOptions(opts);
    const input = toStridedInput(data, h.voxelType, h.numChannels, "data", native.broadcast);
    const [o] = checkRegion(offset, input.size);
    return { o, input, opts, native };
  }

  /**
   * Writes an ndarray-like at `offset`. Into compressed files, a write that does not cover
   * whole files is merged with the data around it and the whole file rewritten atomically.
   */
  async write(offset: Vec3Like, data: NdArrayLike<VoxelDataOf<T>>, options?: WriteOptions): Promise<void> {
    const { o, input, opts, native } = this.#prepareWrite(offset, data, options, WRITE_OPTION_KEYS);
    const signal = checkSignal(opts.signal);
    const concurrency = checkConcurrency(opts.concurrency);
    const mag = this.#mag();
    try {
      await withCancel(signal, (token) =>
        mag.write([o[0], o[1], o[2]], input.size, input.data, input.elementOffset, input.strides, native, concurrency, token));
    } catch (err) {
      throw toWkwError(err, this.path);
    }
  }

  writeSync(offset: Vec3Like, data: NdArrayLike<VoxelDataOf<T>>, options?: Pick<WriteOptions, "level" | "durable" | "broadcast">): void {
    const { o, input, native } = this.#prepareWrite(offset, data, options, WRITE_SYNC_OPTION_KEYS);
    try {
      this.#mag().writeSync([o[0], o[1], o[2]], input.size, input.data, input.elementOffset, input.strides, native);
    } catch (err) {
      throw toWkwError(err, this.path);
    }
  }

  /** Indices [x, y, z] of the cube files present on disk, sorted by z, then y, then x. */
  async listFiles(): Promise<Vec3[]> {
    this.#mag();
    return listCubeFiles(this.path);
  }

  /**
   * Writes a copy of this dataset with another block type ("lz4hc" by default) into
   * `targetDir`, file by file in parallel. The target must not hold a dataset yet.
   */
  async compress(targetDir: string, options?: CompressOptions): Promise<WkwDataset<T>> {
    checkString("targetDir", targetDir);
    const opts = checkOptions("options", options, COMPRESS_OPTION_KEYS);
    const blockType = opts.blockType === undefined ? "lz4hc" : checkOneOf("options.blockType", opts.blockType, BLOCK_TYPES);
    const signal = checkSignal(opts.signal);
    const concurrency = checkConcurrency(opts.concurrency);
    const native = nativeWriteOptions(opts);
    const mag = this.#mag();
    if (path.resolve(targetDir) === this.path) throw argumentError("targetDir", "a folder other than the source", targetDir);
    const h = this.header;
    if (signal?.aborted) throw abortError(); // before the target is created: nothing written
    const target = (await WkwDataset.create(targetDir, layoutOf(h, blockType))) as WkwDataset<T>;
    const files = await this.listFiles();
    try {
      await withCancel(signal, (token) =>
        mag.compressFiles(target.path, headerToBytes(target.header), files.flat(), native, concurrency, token));
    } catch (err) {
      target.close();
      throw toWkwError(err, this.path);
    }
    return target;
  }

  /**
   * Re-encodes the listed cube files of this dataset into `target` (an open dataset with
   * the same voxel type, channels and geometry) with the target's block type. Lets callers
   * split a compression into jobs (e.g. one per file through an Executor).
   */
  async compressFilesInto(target: WkwDataset, files: readonly Vec3Like[], options?: Omit<WriteOptions, "broadcast">): Promise<void> {
    if (!(target instanceof WkwDataset)) throw argumentError("target", "a WkwDataset", target);
    const t = target.header, h = this.header;
    if (t.voxelType !== h.voxelType || t.numChannels !== h.numChannels || t.blockLen !== h.blockLen || t.fileLen !== h.fileLen) {
      throw argumentError("target", `a dataset with voxel type ${h.voxelType}, ${h.numChannels} channel(s), blockLen ${h.blockLen}, fileLen ${h.fileLen}`, target.path);
    }
    if (target.path === this.path) throw argumentError("target", "a folder other than the source", target.path);
    if (!Array.isArray(files)) throw argumentError("files", "an array of [x, y, z] file indices", files);
    const flat = files.flatMap((f, i) => [...checkVec3(`files[${i}]`, f, 0, MAX_COORD - 1)]);
    const opts = checkOptions("options", options, COMPRESS_FILES_OPTION_KEYS);
    const signal = checkSignal(opts.signal);
    const concurrency = checkConcurrency(opts.concurrency);
    const native = nativeWriteOptions(opts);
    const mag = this.#mag();
    target.#mag();
    try {
      await withCancel(signal, (token) => mag.compressFiles(target.path, headerToBytes(t), flat, native, concurrency, token));
    } catch (err) {
      throw toWkwError(err, this.path);
    }
  }

  /** Releases cached file handles; later calls fail with ERR_WKW_CLOSED. Idempotent. */
  close(): void {
    this.#native?.close();
    this.#native = undefined;
  }
}

const Z = /^z(0|[1-9]\d*)$/;
const Y = /^y(0|[1-9]\d*)$/;
const X = /^x(0|[1-9]\d*)\.wkw$/;

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return [];
    throw toWkwError(err, dir);
  }
}

/** Lists the cube files z<k>/y<j>/x<i>.wkw under a mag folder, ignoring temporary files and anything else. */
export async function listCubeFiles(root: string): Promise<Vec3[]> {
  const out: [number, number, number][] = [];
  for (const zn of await readdirOrEmpty(root)) {
    const z = Z.exec(zn);
    if (!z) continue;
    for (const yn of await readdirOrEmpty(path.join(root, zn))) {
      const y = Y.exec(yn);
      if (!y) continue;
      for (const xn of await readdirOrEmpty(path.join(root, zn, yn))) {
        const x = X.exec(xn);
        if (x) out.push([Number(x[1]), Number(y[1]), Number(z[1])]);
      }
    }
  }
  out.sort((a, b) => a[2] - b[2] || a[1] - b[1] || a[0] - b[0]);
  return out;
}

export type { VoxelArray, NdArrayLike, VoxelData };
