/**
 * Compression (LZ4HC) of a mag, one job per cube file. The job works on two views of one
 * file's extent, so every executor runs it: compressFile(source, target, index).
 * MagView.compress is the thin wrapper that picks the target folder and swaps it in.
 */
import type { Progress } from "../util/progress.js";
import { WkwError } from "../errors.js";
import { BoundingBox } from "../geometry/bounding-box.js";
import type { Vec3 } from "../geometry/vec3.js";
import { View, fileEdge, type ViewJSON } from "../dataset/view.js";
import type { WkwDataset } from "../wkw/dataset.js";
import { getDefaultExecutor, type Executor, type JobContext, type MapOptions } from "./executor.js";
import { ownJob } from "./job-ref.js";

/** The cube file a file-sized, file-aligned view covers. */
function fileOf(view: View, parameter: string): Vec3 {
  const edge = fileEdge(view.header);
  const o = view.globalOffset;
  if (!o.every((v) => v % edge === 0) || !view.size.every((s) => s === edge)) {
    throw new WkwError("ERR_WKW_ARGUMENT", `${parameter}: a view of exactly one cube file (offset a multiple of ${edge}, size ${edge}³), received ${view}`, { parameter });
  }
  return [o[0] / edge, o[1] / edge, o[2] / edge];
}

/**
 * Job: re-encodes the cube file under `source` into the target folder with the target's
 * block type; context.signal (JobContext) stops it within a block.
 */
export async function compressFile(source: View, target: View, _index?: number, _args?: unknown, context: Partial<JobContext> = {}): Promise<void> {
  const file = fileOf(source, "source");
  const to = fileOf(target, "target");
  if (file.some((v, a) => v !== to[a])) throw new WkwError("ERR_WKW_ARGUMENT", `source ${source} and target ${target} cover different files`, { parameter: "target" });
  const src = await source._handle();
  const dst = await target._handle();
  await src.compressFilesInto(dst, [file], context.signal ? { signal: context.signal } : {});
}

export interface CompressFilesOptions extends Pick<MapOptions, "signal"> {
  /** after each compressed file: `{ done, total, unit: "files" }` */
  onProgress?: (progress: Progress<"files">) => void;
  /** Without one, the native pool compresses all files in one call (fastest on one machine). */
  executor?: Executor;
  operationId?: string;
}

/** A writable view of `region` in the folder `target` (opened on demand, in any process). */
function folderView(target: WkwDataset, mag: readonly number[], region: BoundingBox): View {
  const h = target.header;
  const json: ViewJSON = {
    type: "wkw.View",
    version: 1,
    path: target.path,
    mag: [mag[0]!, mag[1]!, mag[2]!],
    header: { blockLen: h.blockLen, fileLen: h.fileLen, blockType: h.blockType, voxelType: h.voxelType, numChannels: h.numChannels },
    globalOffset: [...region.topLeft] as [number, number, number],
    size: [...region.size] as [number, number, number],
    readOnly: false,
    magBoundingBox: { topLeft: [...region.topLeft] as [number, number, number], size: [...region.size] as [number, number, number] },
  };
  return View.fromJSON(json);
}

/**
 * Compresses every cube file of the mag under `source` (any view of it: its folder is
 * what counts) into `target`, an open, empty dataset with the same geometry.
 */
export async function compressFiles(source: View, target: WkwDataset, options: CompressFilesOptions = {}): Promise<void> {
  const handle = await source._handle();
  const files = await handle.listFiles();
  const { executor, signal, onProgress } = options;
  if (executor === undefined && onProgress === undefined) {
    await handle.compressFilesInto(target, files, signal ? { signal } : undefined);
    return;
  }
  if (files.length === 0) return;
  const edge = fileEdge(handle.header);
  const boxes = files.map((f) => new BoundingBox([f[0] * edge, f[1] * edge, f[2] * edge], [edge, edge, edge]));
  const all = boxes.reduce((a, b) => a.extendedBy(b));
  const whole = folderView(target, source.mag.toArray(), all);
  const sourceAll = View.fromJSON({ ...source.toJSON(), globalOffset: [0, 0, 0], size: all.bottomRight, readOnly: true });
  function* pairs(): Generator<[View, View]> {
    for (const box of boxes) {
      const rel = box.topLeft.map((v, a) => v - all.topLeft[a]!) as unknown as Vec3;
      yield [sourceAll.getView({ offset: box.topLeft, size: box.size, readOnly: true }), whole.getView({ offset: rel, size: box.size })];
    }
  }
  try {
    await (executor ?? getDefaultExecutor()).map(ownJob("compress", "compressFile"), pairs(), {
      total: files.length,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: ({ done, total }: Progress) => onProgress({ done, total, unit: "files" }) } : {}),
      ...(options.operationId ? { operationId: options.operationId } : {}),
    });
  } finally {
    whole.close();
    sourceAll.close();
  }
}
