/**
 * The Neuroglancer precomputed `info` of a layer and the grid its chunks lie on. Scales are
 * in mag-local voxels: voxel_offset = floor(bbox.topLeft / mag), size = ceil(bbox end / mag)
 * − voxel_offset, resolution = dataset scale × mag (nm).
 */
import path from "node:path";
import type { Layer } from "../dataset/layer.js";
import type { MagView } from "../dataset/mag-view.js";
import type { Scale } from "../dataset/checks.js";
import type { VoxelType } from "../dtypes.js";
import { Mag } from "../geometry/mag.js";
import type { Vec3 } from "../geometry/vec3.js";

/** Voxel types Neuroglancer's precomputed format has; int64 and float64 are not among them. */
export const NEUROGLANCER_TYPES: ReadonlySet<VoxelType> = new Set<VoxelType>([
  "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "float32",
]);

export interface ServedScale {
  key: string;
  magView: MagView;
  voxelOffset: Vec3;
  size: Vec3;
  chunkSize: Vec3;
}

export interface ServedLayer {
  name: string;
  layer: Layer;
  scales: Map<string, ServedScale>;
  info: Record<string, unknown>;
}

export function servedScales(layer: Layer, chunkEdge: number): ServedScale[] {
  const bbox = layer.boundingBox;
  const mags = [...layer.mags.values()].sort((a, b) => Mag.compare(a.mag, b.mag));
  return mags.map((magView) => {
    const m = magView.mag.toArray();
    const voxelOffset = [0, 1, 2].map((i) => Math.floor(bbox.topLeft[i]! / m[i]!)) as unknown as Vec3;
    const size = [0, 1, 2].map((i) => Math.ceil(bbox.bottomRight[i]! / m[i]!) - voxelOffset[i]!) as unknown as Vec3;
    const chunkSize = [0, 1, 2].map((i) => Math.max(1, Math.min(chunkEdge, size[i]!))) as unknown as Vec3;
    return { key: path.basename(magView.path), magView, voxelOffset, size, chunkSize };
  });
}

export function layerInfo(layer: Layer, scale: Scale, scales: readonly ServedScale[]): Record<string, unknown> {
  return {
    "@type": "neuroglancer_multiscale_volume",
    type: layer.category === "segmentation" ? "segmentation" : "image",
    data_type: layer.dtypePerChannel,
    num_channels: layer.numChannels,
    scales: scales.map((s) => {
      const m = s.magView.mag.toArray();
      return {
        key: s.key,
        resolution: [0, 1, 2].map((i) => scale[i]! * m[i]!),
        voxel_offset: [...s.voxelOffset],
        size: [...s.size],
        chunk_sizes: [[...s.chunkSize]],
        encoding: "raw",
      };
    }),
  };
}

/** Why a layer cannot be served, or undefined when it can. */
export function unservableReason(layer: Layer): string | undefined {
  if (!NEUROGLANCER_TYPES.has(layer.dtypePerChannel)) {
    return `${layer.dtypePerChannel} voxels (Neuroglancer's precomputed format has no ${layer.dtypePerChannel})`;
  }
  if (layer.boundingBox.isEmpty()) return "an empty bounding box";
  if (layer.mags.size === 0) return "no mags";
  return undefined;
}
