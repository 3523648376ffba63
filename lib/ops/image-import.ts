/**
 * Image import jobs: image slices → one mag, streamed in slabs along z.
 *
 * A slab is `depth` consecutive slices over the whole image (x, y from 0). Its slices are
 * decoded in parallel into one (c, x, y, z) buffer, which is written with one call; when
 * the slab is one file edge deep (or holds the rest of the stack) it covers whole cube
 * files, so compressed files are written once, by the native whole-file path. Memory is
 * bounded by one slab per job in flight (`maxSlabBytes`), never by the stack. A stack too
 * wide for a file-deep slab is written in thinner slabs (multiples of blockLen); a
 * compressed target then takes them through a raw staging mag, compressed file by file at
 * the end, so its files are still written once.
 *
 * `importSlab` has the job-reference shape `fn(view, index, args)` with JSON args.
 */
import { promises as fsp } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { binding } from "../binding.js";
import { TYPED_ARRAY, TYPE_SIZE, type VoxelData, type VoxelType } from "../dtypes.js";
import { WkwError, toWkwError } from "../errors.js";
import { View, type ViewJSON } from "../dataset/view.js";
import { abortError } from "../util/abort.js";
import { WkwDataset } from "../wkw/dataset.js";
import type { WkwHeader } from "../wkw/header.js";
import { readerFor, type ImageSlice } from "../import/sources.js";
import type { ImageFormat } from "../import/reader.js";
import { InProcessExecutor, type Executor } from "./executor.js";
import { ownJob } from "./job-ref.js";

export type { ImageSlice } from "../import/sources.js";
export type { ImageFormat } from "../import/reader.js";

export interface ImportSlabArgs {
  /** every slice of the stack, in z order; a job imports those its view covers in z */
  slices: ImageSlice[];
  /** what every slice must hold (the first slice's format) */
  format: ImageFormat;
  /** voxel type of the target (a lossless widening of format.dtype, or the same) */
  dtype: VoxelType;
  /** slices decoded at once */
  decodeConcurrency?: number;
  /** also return the slab's largest value (an integer `dtype`: segmentation layers) */
  findMax?: boolean;
}

export interface ImportSlabContext {
  signal?: AbortSignal;
  /** called after each slice is decoded */
  onSlice?: () => void;
}

export interface ImportProgress {
  done: number;
  total: number;
  unit: "slices";
}

export interface ImportSlicesOptions {
  format: ImageFormat;
  dtype: VoxelType;
  executor?: Executor;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** upper bound of one slab's buffer (default 256 MiB) */
  maxSlabBytes?: number;
  /** find the stack's largest value (an integer `dtype`), for a segmentation layer */
  findMax?: boolean;
}

export const DEFAULT_MAX_SLAB_BYTES = 256 * 2 ** 20;

/** Types each source type converts to without loss (TypedArray#set converts natively). */
const WIDENINGS: Record<string, readonly VoxelType[]> = {
  uint8: ["uint8", "uint16", "uint32", "int16", "int32", "float32", "float64"],
  uint16: ["uint16", "uint32", "int32", "float32", "float64"],
  uint32: ["uint32", "float64"],
  int8: ["int8", "int16", "int32", "float32", "float64"],
  int16: ["int16", "int32", "float32", "float64"],
  int32: ["int32", "float64"],
  float32: ["float32", "float64"],
  float64: ["float64"],
};

export function canConvert(from: VoxelType, to: VoxelType): boolean {
  return WIDENINGS[from]?.includes(to) ?? false;
}

function sameFormat(a: ImageFormat, b: ImageFormat): boolean {
  return a.width === b.width && a.height === b.height && a.channels === b.channels && a.dtype === b.dtype;
}

function describeFormat(f: ImageFormat): string {
  return `${f.width}×${f.height}, ${f.channels} channel(s) of ${f.dtype}`;
}

function defaultDecodeConcurrency(): number {
  return Math.min(8, Math.max(2, availableParallelism()));
}

/**
 * Job (job-reference shape): `view` is one slab of the target, (0, 0, z) + (width, height,
 * depth); decodes slices z … z + depth - 1 of `args.slices` in parallel into one buffer and
 * writes it with one call. A slice of another size, channel count or type is an error
 * naming its file. `context` is the executor's JobContext (its signal stops the slab);
 * in-process callers add per-slice progress.
 */
export async function importSlab(view: View, _index: number, args: ImportSlabArgs, context: ImportSlabContext = {}): Promise<ImportedSlab> {
  const { format, dtype } = args;
  const { signal, onSlice } = context;
  const z = view.globalOffset[2];
  const slices = args.slices.slice(z, z + view.size[2]);
  if (slices.length !== view.size[2] || view.size[0] !== format.width || view.size[1] !== format.height) {
    throw new WkwError("ERR_WKW_ARGUMENT", `view ${view} is not a slab of the ${format.width}×${format.height}×${args.slices.length} stack`, { parameter: "view" });
  }
  const sliceLen = format.width * format.height * format.channels;
  const slab: VoxelData = new TYPED_ARRAY[dtype](sliceLen * slices.length);
  let next = 0;
  const worker = async () => {
    while (next < slices.length) {
      const i = next++;
      if (signal?.aborted) throw abortError();
      const { file, page } = slices[i]!;
      const decoded = await readerFor(file).decode(file, page);
      if (!sameFormat(decoded.format, format)) {
        throw new WkwError("ERR_WKW_ARGUMENT", `slice ${z + i} (${file}${page > 0 ? ` page ${page}` : ""}) is ${describeFormat(decoded.format)}, the stack is ${describeFormat(format)}`, {
          parameter: "input",
          path: file,
          expected: describeFormat(format),
          received: describeFormat(decoded.format),
        });
      }
      // (c, x, y) of one slice is contiguous in the (c, x, y, z) slab; set() converts natively
      (slab as unknown as { set(a: ArrayLike<number>, o: number): void }).set(decoded.data as unknown as ArrayLike<number>, i * sliceLen);
      onSlice?.();
    }
  };
  const n = Math.min(slices.length, args.decodeConcurrency ?? defaultDecodeConcurrency());
  await Promise.all(Array.from({ length: n }, worker));
  if (signal?.aborted) throw abortError();
  await view.write({ data: slab, shape: [format.channels, format.width, format.height, slices.length] }, [0, 0, 0], { signal });
  // A decimal string: JSON carries it from any executor, and uint64 ids do not fit a number.
  const max = args.findMax ? binding.maxValue(slab) : null;
  return { slices: slices.length, ...(max !== null ? { max: String(max) } : {}) };
}

/** What importSlab returns: the slices written, and the largest value when asked (findMax). */
export interface ImportedSlab {
  slices: number;
  max?: string;
}

/** Slab depth: one file edge if it fits the budget, else whole blocks that fit (at least one). */
export function slabDepth(format: ImageFormat, dtype: VoxelType, header: Pick<WkwHeader, "blockLen" | "fileLen">, count: number, maxSlabBytes: number): number {
  const edge = header.blockLen * header.fileLen;
  const sliceBytes = format.width * format.height * format.channels * TYPE_SIZE[dtype];
  const fit = Math.floor(maxSlabBytes / sliceBytes);
  if (fit >= Math.min(edge, count)) return Math.min(edge, count);
  return Math.max(header.blockLen, Math.floor(fit / header.blockLen) * header.blockLen);
}

function viewJSON(dir: string, header: WkwHeader, size: [number, number, number]): ViewJSON {
  return {
    type: "wkw.View",
    version: 1,
    path: dir,
    mag: [1, 1, 1],
    header: { blockLen: header.blockLen, fileLen: header.fileLen, blockType: header.blockType, voxelType: header.voxelType, numChannels: header.numChannels },
    globalOffset: [0, 0, 0],
    size,
    readOnly: false,
    magBoundingBox: { topLeft: [0, 0, 0], size },
  };
}

/**
 * Writes `slices` into the mag folder `magDir` (a WkwDataset with the stack's voxel type
 * and channels) from (0, 0, 0). Runs one job per slab through the executor (default: one
 * slab at a time, so memory stays one slab). Fails with the first error; the caller owns
 * the folder and removes it on failure.
 */
export async function importSlices(magDir: string, slices: readonly ImageSlice[], options: ImportSlicesOptions): Promise<{ max?: bigint }> {
  const { format, dtype, signal, onProgress } = options;
  const target = await WkwDataset.open(magDir);
  const header = target.header;
  target.close();
  const size: [number, number, number] = [format.width, format.height, slices.length];
  const depth = slabDepth(format, dtype, header, slices.length, options.maxSlabBytes ?? DEFAULT_MAX_SLAB_BYTES);
  const edge = header.blockLen * header.fileLen;
  const staged = header.blockType !== "raw" && depth < Math.min(edge, slices.length);
  const stagingDir = stagingFolder(magDir);
  let writeDir = magDir;
  if (staged) {
    await (await WkwDataset.create(stagingDir, { ...header, blockType: "raw" })).close();
    writeDir = stagingDir;
  }
  const view = View.fromJSON(viewJSON(writeDir, { ...header, blockType: staged ? "raw" : header.blockType }, size));
  const total = slices.length;
  let done = 0;
  const report = () => onProgress?.({ done, total, unit: "slices" });
  try {
    report();
    const args: ImportSlabArgs = { slices: [...slices], format, dtype, ...(options.findMax ? { findMax: true } : {}) };
    let results: ImportedSlab[];
    const slabs = function* () {
      for (let z = 0; z < slices.length; z += depth) yield view.getView({ offset: [0, 0, z], size: [format.width, format.height, Math.min(depth, slices.length - z)] });
    };
    const executor = options.executor ?? new InProcessExecutor({ concurrency: 1 });
    if (executor instanceof InProcessExecutor) {
      // In this process: progress per slice, and the signal reaches the running slab.
      results = await executor.map(
        (slab: View, index: number) =>
          importSlab(slab, index, args, {
            signal,
            onSlice: () => {
              done++;
              if (done < total) report(); // the last event comes once everything is written
            },
          }),
        slabs(),
        { signal },
      );
    } else {
      // Elsewhere (threads, BullMQ workers): a job reference; progress per finished slab.
      const count = Math.ceil(slices.length / depth);
      results = await executor.map<View, ImportedSlab>(ownJob("image-import", "importSlab", args), slabs(), {
        signal,
        total: count,
        onProgress: ({ done: finished }) => {
          done = Math.min(total, finished * depth);
          if (done < total) report();
        },
      });
    }
    if (staged) {
      const source = await WkwDataset.open(stagingDir);
      const dest = await WkwDataset.open(magDir);
      try {
        await source.compressFilesInto(dest, await source.listFiles(), { signal });
      } finally {
        source.close();
        dest.close();
      }
    }
    report();
    const maxima = results.filter((r) => r.max !== undefined).map((r) => BigInt(r.max!));
    return maxima.length > 0 ? { max: maxima.reduce((m, v) => (v > m ? v : m)) } : {};
  } catch (err) {
    throw toWkwError(err, magDir);
  } finally {
    view.close();
    if (staged) await fsp.rm(stagingDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The temporary staging folder a mag import may create next to `magDir`. */
export function stagingFolder(magDir: string): string {
  return path.resolve(`${magDir}.staging-raw`);
}
