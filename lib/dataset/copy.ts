/**
 * Dataset.copyDataset: a new dataset with the same layers and mags, copied chunk-wise with
 * one chunk per target file (so jobs never share a file), through an executor.
 */
import { BoundingBox } from "../geometry/bounding-box.js";
import type { Vec3 } from "../geometry/vec3.js";
import { checkExecutor, type Executor } from "../ops/executor.js";
import { argumentError, checkInteger, checkOptionsObject, checkString } from "../util/validate.js";
import { checkKeys, checkOptionalBoolean, checkScale } from "./checks.js";
// A cycle (dataset.ts imports this module); Dataset is only used inside the function.
import { Dataset, type AddLayerOptions } from "./dataset.js";
import type { MagView } from "./mag-view.js";
import { SegmentationLayer } from "./layer.js";
import { fileEdge, type View } from "./view.js";

export interface CopyDatasetOptions {
  /** default: the source's scale */
  scale?: readonly number[];
  /** default: each source mag's blockLen */
  blockLen?: number;
  /** default: each source mag's fileLen */
  fileLen?: number;
  /** default: compressed where the source mag is */
  compress?: boolean;
  executor?: Executor;
}

/** Voxels a raw-target job reads at once (bounds memory; compressed targets need whole files). */
const RAW_SLAB_VOXELS = 2 ** 25;

function checkLen(parameter: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = checkInteger(parameter, value, 1, 128);
  if ((n & (n - 1)) !== 0) throw argumentError(parameter, "a power of two in [1, 128]", value);
  return n;
}

export async function copyDataset(source: Dataset, newPath: string, options: CopyDatasetOptions = {}): Promise<Dataset> {
  checkString("newPath", newPath);
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, ["scale", "blockLen", "fileLen", "compress", "executor"]);
  const scale = o.scale === undefined ? source.scale : checkScale("options.scale", o.scale);
  const blockLen = checkLen("options.blockLen", o.blockLen);
  const fileLen = checkLen("options.fileLen", o.fileLen);
  const compress = checkOptionalBoolean("options.compress", o.compress);
  const executor = checkExecutor("options.executor", o.executor);
  const target = await Dataset.create(newPath, { scale: [...scale] });
  if (source.defaultViewConfiguration) await target.setDefaultViewConfiguration(source.defaultViewConfiguration);
  for (const layer of source.layers.values()) {
    const spec: AddLayerOptions = { dtypePerChannel: layer.dtypePerChannel, numChannels: layer.numChannels };
    if (layer instanceof SegmentationLayer) {
      if (layer.largestSegmentId !== undefined) spec.largestSegmentId = layer.largestSegmentId;
      if (layer.mappings.length > 0) spec.mappings = [...layer.mappings];
    }
    const copy = await target.addLayer(layer.name, layer.category, spec);
    await copy.setBoundingBox(layer.boundingBox);
    if (layer.defaultViewConfiguration) await copy.setDefaultViewConfiguration(layer.defaultViewConfiguration);
    for (const mv of layer.mags.values()) {
      const h = mv.header;
      const dst = await copy.addMag(mv.mag, {
        blockLen: blockLen ?? h.blockLen,
        fileLen: fileLen ?? h.fileLen,
        compress: compress ?? h.blockType !== "raw",
      });
      await copyMag(mv, dst, executor);
    }
  }
  return target;
}

/** Copies the bounding-box part of `src` into `dst` (same mag, same bbox), one job per target file. */
async function copyMag(src: MagView, dst: MagView, executor: Executor): Promise<void> {
  const edge = fileEdge(dst.header);
  const srcEdge = fileEdge(src.header);
  const present = new Set((await src.getBoundingBoxesOnDisk()).map((b) => b.topLeft.map((v) => v / srcEdge).join(",")));
  // Chunks without any source file hold only zeros: skip them (no files full of zeros).
  const hasData = (box: BoundingBox): boolean => {
    const lo = box.topLeft.map((v) => Math.floor(v / srcEdge));
    const hi = box.bottomRight.map((v) => Math.ceil(v / srcEdge));
    for (let x = lo[0]!; x < hi[0]!; x++)
      for (let y = lo[1]!; y < hi[1]!; y++)
        for (let z = lo[2]!; z < hi[2]!; z++) if (present.has(`${x},${y},${z}`)) return true;
    return false;
  };
  const raw = dst.header.blockType === "raw";
  const chunk: Vec3 = [edge, edge, edge];
  await src.forZippedChunks(
    async (s: View, t: View) => {
      if (!hasData(new BoundingBox(s.globalOffset, s.size))) return;
      const [sx, sy, sz] = s.size;
      // Raw targets take partial writes cheaply: copy in z-slabs of whole blocks.
      const bl = dst.header.blockLen;
      const depth = raw ? Math.min(sz, Math.max(bl, Math.floor(RAW_SLAB_VOXELS / (sx * sy) / bl) * bl)) : sz;
      for (let z = 0; z < sz; z += depth) {
        const d = Math.min(depth, sz - z);
        const data = await s.read([0, 0, z], [sx, sy, d]);
        await t.write(data, [0, 0, z]);
      }
    },
    dst,
    { sourceChunkSize: chunk, targetChunkSize: chunk, executor },
  );
}
