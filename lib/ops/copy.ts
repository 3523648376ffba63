/**
 * Copying the voxels of one mag view into another (same mag, same region), one job per
 * target cube file so jobs never share a file: copyChunk(source, target, index, args).
 * Dataset.copyDataset is the thin wrapper that creates the target layers and mags.
 */
import type { Progress } from "../util/progress.js";
import type { Vec3 } from "../geometry/vec3.js";
import { fileEdge, type View } from "../dataset/view.js";
import { getDefaultExecutor, type Executor, type MapOptions } from "./executor.js";
import { chunksWithFiles, viewOfBox } from "./file-presence.js";
import { ownJob } from "./job-ref.js";

/** Voxels a raw-target job reads at once (bounds memory; compressed targets need whole files). */
const RAW_SLAB_VOXELS = 2 ** 25;

/** Job: copies `source` into `target` (views of equal size), in z-slabs of whole blocks for raw targets. */
export async function copyChunk(source: View, target: View, _index?: number): Promise<void> {
  const [sx, sy, sz] = source.size;
  const raw = target.header.blockType === "raw";
  const bl = target.header.blockLen;
  const depth = raw ? Math.min(sz, Math.max(bl, Math.floor(RAW_SLAB_VOXELS / (sx * sy) / bl) * bl)) : sz;
  for (let z = 0; z < sz; z += depth) {
    const d = Math.min(depth, sz - z);
    const data = await source.read([0, 0, z], [sx, sy, d]);
    await target.write(data, [0, 0, z]);
  }
}

export interface CopyViewOptions extends Pick<MapOptions, "signal" | "operationId"> {
  /** after each target file: `{ done, total, unit: "files" }` */
  onProgress?: (progress: Progress<"files">) => void;
  executor?: Executor;
}

/**
 * Copies the region of `source` (a MagView: its bounding-box part) into the same region of
 * `target`, one job per target file; target files whose region holds no source file are
 * skipped (no files full of zeros).
 */
export async function copyView(source: View, target: View, options: CopyViewOptions = {}): Promise<void> {
  const edge = fileEdge(target.header);
  const chunk: Vec3 = [edge, edge, edge];
  const boxes = await chunksWithFiles(source, source._chunkRegion(), chunk);
  function* pairs(): Generator<[View, View]> {
    for (const box of boxes) {
      yield [viewOfBox(source, box, true), viewOfBox(target, box)];
    }
  }
  const { executor, onProgress, ...rest } = options;
  const run = { ...rest, ...(onProgress ? { onProgress: ({ done, total }: Progress) => onProgress({ done, total, unit: "files" }) } : {}) };
  await (executor ?? getDefaultExecutor()).map(ownJob("copy", "copyChunk"), pairs(), { ...run, total: boxes.length });
}
