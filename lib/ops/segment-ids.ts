/**
 * The largest segment id of a segmentation mag: one job per chunk (default: one cube
 * file) returns the chunk's largest voxel value, computed natively over z-slabs so memory
 * stays bounded; chunks with no file on disk read as zeros and are skipped.
 * SegmentationLayer.refreshLargestSegmentId is the thin wrapper that saves the result.
 */
import { binding } from "../binding.js";
import { isIntegerType } from "../dtypes.js";
import { WkwError } from "../errors.js";
import type { Vec3 } from "../geometry/vec3.js";
import { fileEdge, type View } from "../dataset/view.js";
import type { Progress } from "../util/progress.js";
import { getDefaultExecutor, type Executor, type MapOptions } from "./executor.js";
import { chunksWithFiles, viewOfBox } from "./file-presence.js";
import { ownJob } from "./job-ref.js";

/** Voxels a job reads at once. */
const SLAB_VOXELS = 2 ** 24;

/**
 * Job: the largest voxel value of `view` as a decimal string (JSON carries it from any
 * executor; uint64 ids do not fit a number). Negative values count as 0.
 */
export async function maxInChunk(view: View, _index?: number): Promise<string> {
  const [sx, sy, sz] = view.size;
  const bl = view.header.blockLen;
  const depth = Math.min(sz, Math.max(bl, Math.floor(SLAB_VOXELS / (sx * sy * view.header.numChannels) / bl) * bl));
  let max = 0n;
  for (let z = 0; z < sz; z += depth) {
    const slab = await view.read([0, 0, z], [sx, sy, Math.min(depth, sz - z)]);
    const m = binding.maxValue(slab.data);
    if (m !== null && BigInt(m) > max) max = BigInt(m);
  }
  return max.toString();
}

export interface LargestValueOptions extends Pick<MapOptions, "signal" | "operationId"> {
  /** the grid the scan splits the region on (default: the cube-file edge); one job per chunk */
  chunkShape?: Vec3;
  executor?: Executor;
  /** after each chunk: `{ done, total, unit: "chunks" }` */
  onProgress?: (progress: Progress<"chunks">) => void;
}

/**
 * The largest voxel value in the region of `view` (a MagView: its bounding-box part), or
 * undefined when that region is empty. An integer voxel type only.
 */
export async function largestValueOf(view: View, options: LargestValueOptions = {}): Promise<bigint | undefined> {
  const type = view.header.voxelType;
  if (!isIntegerType(type)) {
    throw new WkwError("ERR_WKW_ARGUMENT", `segment ids need an integer voxel type; this layer is ${type}`, { parameter: "layer", expected: "an integer voxel type", received: type });
  }
  const region = view._chunkRegion();
  if (region.isEmpty()) return undefined;
  const edge = fileEdge(view.header);
  const chunk = options.chunkShape ?? [edge, edge, edge];
  const boxes = await chunksWithFiles(view, region, chunk);
  function* chunks(): Generator<View> {
    for (const box of boxes) {
      yield viewOfBox(view, box, true);
    }
  }
  const { executor, onProgress, chunkShape: _chunkShape, ...rest } = options;
  const run = { ...rest, ...(onProgress ? { onProgress: ({ done }: Progress) => onProgress({ done, total: boxes.length, unit: "chunks" }) } : {}) };
  const maxima = (await (executor ?? getDefaultExecutor()).map(ownJob("segment-ids", "maxInChunk"), chunks(), { ...run, total: boxes.length })) as string[];
  return maxima.reduce((m, s) => (BigInt(s) > m ? BigInt(s) : m), 0n);
}
