/**
 * Downsampling and upsampling of a mag into a new mag folder, one job per target cube file.
 *
 * Jobs have the job-reference shape `fn(view, index, args)`: `view` is the (read-only)
 * source region of one target file, `args` is JSON (target folder, header, factors, mode,
 * region), so an executor may run them in another thread, process or machine. Each job
 * runs natively on the libuv pool: block by block it decodes the source region through
 * the handle cache, filters it, encodes the block, and writes one temporary file that is
 * renamed into place. Memory per job: a few blocks, whatever the size of the layer.
 */
import type { Progress } from "../util/progress.js";
import { binding } from "../binding.js";
import type { VoxelType } from "../dtypes.js";
import { toWkwError } from "../errors.js";
import type { BoundingBox } from "../geometry/bounding-box.js";
import { abortError, withCancel } from "../util/abort.js";
import type { Vec3 } from "../util/validate.js";
import type { View } from "../dataset/view.js";
import { type BlockType, headerToBytes } from "../wkw/header.js";
import { listCubeFiles } from "../wkw/dataset.js";
import type { InterpolationMode } from "./downsample-array.js";
import { getDefaultExecutor, type Executor, type JobContext } from "./executor.js";

/** The JSON arguments every job of one mag shares. */
export interface ResampleJobArgs {
  /** absolute path of the target mag folder (its header.wkw exists) */
  target: string;
  targetHeader: { blockLen: number; fileLen: number; blockType: BlockType; voxelType: VoxelType; numChannels: number };
  /** target mag / source mag (downsampling) or source / target (upsampling), per axis */
  factors: [number, number, number];
  mode: InterpolationMode;
  /** target voxels written: [lo x, y, z, hi x, y, z]; outside it the files hold zeros */
  region: [number, number, number, number, number, number];
  level?: number;
  durable?: boolean;
}

export interface ResampleProgress {
  done: number;
  total: number;
  unit: "files";
}

export interface ResampleMagOptions {
  executor?: Executor;
  signal?: AbortSignal;
  /** called after every target file; `base`/`total` place this mag inside a longer run */
  onProgress?: (p: ResampleProgress) => void;
  progressBase?: number;
  progressTotal?: number;
}

function fileEdgeOf(h: { blockLen: number; fileLen: number }): number {
  return h.blockLen * h.fileLen;
}

// context.signal (the executor's, see JobContext) stops the running file within one block;
// its temporary file is removed.
async function resampleJob(view: View, args: ResampleJobArgs, upsample: boolean, context: Partial<JobContext>): Promise<void> {
  const f = args.factors;
  const edge = fileEdgeOf(args.targetHeader);
  // The view starts at the source voxel of the target file's first voxel.
  const file = view.globalOffset.map((g, i) => (upsample ? Math.ceil((g * f[i]!) / edge) : Math.floor(g / f[i]! / edge))) as unknown as Vec3;
  try {
    await withCancel(context.signal, (token) =>
      binding.resampleFile(
        view.path, headerToBytes(view.header), args.target, headerToBytes(args.targetHeader),
        file, f, args.mode, upsample, args.region, { level: args.level, durable: args.durable === true }, undefined, token,
      ),
    );
  } catch (err) {
    throw toWkwError(err, args.target);
  }
}

/** Job: writes the target file whose source region is `view`, downsampled by args.factors. */
export function downsampleFileJob(view: View, _index: number, args: ResampleJobArgs, context: Partial<JobContext> = {}): Promise<void> {
  return resampleJob(view, args, false, context);
}

/** Job: writes the target file whose source region is `view`, every voxel replicated args.factors times. */
export function upsampleFileJob(view: View, _index: number, args: ResampleJobArgs, context: Partial<JobContext> = {}): Promise<void> {
  return resampleJob(view, args, true, context);
}

/** The job reference `{ module, name, args }` of one mag's jobs, for executors that run jobs elsewhere. */
export function resampleJobReference(upsample: boolean, args: ResampleJobArgs): { module: string; name: string; args: ResampleJobArgs } {
  return { module: __filename, name: upsample ? "upsampleFileJob" : "downsampleFileJob", args };
}

/**
 * The target cube files that source files `files` (indices) feed, inside `region`
 * (target voxels), sorted by z, y, x.
 */
export function targetFilesOf(files: readonly Vec3[], sourceEdge: number, targetEdge: number, factors: readonly number[], upsample: boolean, region: BoundingBox): Vec3[] {
  const out = new Map<string, Vec3>();
  if (region.isEmpty()) return [];
  const rlo = region.topLeft, rhi = region.bottomRight;
  for (const s of files) {
    const lo: number[] = [], hi: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = s[i]! * sourceEdge, b = a + sourceEdge;
      const tlo = upsample ? a * factors[i]! : Math.floor(a / factors[i]!);
      const thi = upsample ? b * factors[i]! : Math.ceil(b / factors[i]!);
      lo.push(Math.max(tlo, rlo[i]!));
      hi.push(Math.min(thi, rhi[i]!));
    }
    if (lo.some((v, i) => v >= hi[i]!)) continue;
    for (let z = Math.floor(lo[2]! / targetEdge); z * targetEdge < hi[2]!; z++)
      for (let y = Math.floor(lo[1]! / targetEdge); y * targetEdge < hi[1]!; y++)
        for (let x = Math.floor(lo[0]! / targetEdge); x * targetEdge < hi[0]!; x++) out.set(`${x},${y},${z}`, [x, y, z]);
  }
  return [...out.values()].sort((a, b) => a[2] - b[2] || a[1] - b[1] || a[0] - b[0]);
}

/** The target files a resampling of `source` writes (from the source's files on disk). */
export async function plannedTargetFiles(source: View, args: ResampleJobArgs, upsample: boolean, region: BoundingBox): Promise<Vec3[]> {
  const files = await listCubeFiles(source.path);
  return targetFilesOf(files, fileEdgeOf(source.header), fileEdgeOf(args.targetHeader), args.factors, upsample, region);
}

/**
 * Writes every target file of a new mag through the executor (default: in-process), one
 * job per file. Files whose source files are all missing are not written (they read as
 * zeros). `source` is the source MagView (its folder and header).
 */
export async function resampleMag(source: View & { getView: View["getView"] }, files: readonly Vec3[], args: ResampleJobArgs, upsample: boolean, options: ResampleMagOptions = {}): Promise<void> {
  const executor = options.executor ?? getDefaultExecutor();
  const { signal, onProgress } = options;
  const f = args.factors;
  const edge = fileEdgeOf(args.targetHeader);
  const base = options.progressBase ?? 0;
  const total = options.progressTotal ?? files.length;
  function* views(): Generator<View> {
    for (const file of files) {
      const offset = file.map((t, i) => (upsample ? Math.floor((t * edge) / f[i]!) : t * edge * f[i]!)) as unknown as Vec3;
      const size = f.map((fi) => (upsample ? Math.max(1, Math.ceil(edge / fi)) : edge * fi)) as unknown as Vec3;
      yield source.getView({ offset, size, readOnly: true });
    }
  }
  // A job reference (not a closure), so every executor runs it: threads, BullMQ workers.
  // The signal reaches running files where the executor can reach them (JobContext).
  await executor.map(resampleJobReference(upsample, args), views(), {
    total: files.length,
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onProgress: ({ done }: Progress) => onProgress({ done: base + done, total, unit: "files" }) } : {}),
  });
  if (signal?.aborted) throw abortError();
}
