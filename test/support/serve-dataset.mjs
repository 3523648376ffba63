// The dataset the serve tests use: an anisotropic dataset with an offset bounding box, small
// cube files (edge 32) so chunks straddle files, and layers of every voxel type Neuroglancer
// knows, a 3-channel layer, and int64/float64 layers (which serve skips). The colour and
// segmentation data have structure (not noise) so the viewer's screenshot shows something.
import path from "node:path";
import { Dataset } from "../../dist/index.js";
import { formulaBytes } from "./fixtures.mjs";

export const SCALE = [11.24, 11.24, 25];
export const BBOX = { topLeft: [10, 20, 6], size: [140, 100, 60] };
const MAG_OPTIONS = { blockLen: 8, fileLen: 4 };

function typed(voxelType, bytes) {
  const C = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array,
    float32: Float32Array, uint64: BigUint64Array, int64: BigInt64Array, float64: Float64Array }[voxelType];
  return new C(bytes.buffer, bytes.byteOffset, bytes.byteLength / C.BYTES_PER_ELEMENT);
}

/** Fills a (c, x, y, z) Fortran array of the region with f(x, y, z, c). */
function pattern(Ctor, channels, offset, size, f) {
  const data = new Ctor(channels * size[0] * size[1] * size[2]);
  let i = 0;
  for (let z = offset[2]; z < offset[2] + size[2]; z++)
    for (let y = offset[1]; y < offset[1] + size[1]; y++)
      for (let x = offset[0]; x < offset[0] + size[0]; x++)
        for (let c = 0; c < channels; c++) data[i++] = f(x, y, z, c);
  return { data, shape: [channels, ...size] };
}

/** The region of the bounding box in a mag (floor of the start, ceil of the end). */
export function magRegion(mag) {
  const start = BBOX.topLeft.map((t, i) => Math.floor(t / mag[i]));
  const end = BBOX.topLeft.map((t, i) => Math.ceil((t + BBOX.size[i]) / mag[i]));
  return { offset: start, size: end.map((e, i) => e - start[i]) };
}

// Membrane-like rings (bright cells, dark borders) in mag-1 coordinates.
const em = (x, y, z) => {
  const d = Math.hypot(((x % 40) - 20), ((y % 40) - 20), ((z % 30) - 15) * 1.3);
  return Math.max(0, Math.min(255, Math.round(200 - 4 * Math.abs(d - 14) ** 1.5 + ((x * 7 + y * 13 + z * 3) % 23))));
};
// Box-shaped segments; every third one is left unlabelled (0) so the image shows through.
const cell = (x, y, z) => {
  const id = 1 + Math.floor(x / 24) + 7 * Math.floor(y / 24) + 49 * Math.floor(z / 16);
  return id % 3 === 0 ? 0 : id;
};

/** `{ typeLayers: false }` leaves out the per-voxel-type layers (noise) and the RGB layer: the viewer test. */
export async function buildServeDataset(dir, { typeLayers = true } = {}) {
  const root = path.join(dir, "demo");
  const ds = await Dataset.create(root, { scale: SCALE });

  const color = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  for (const mag of [[1, 1, 1], [2, 2, 1]]) {
    const mv = await color.addMag(mag, { ...MAG_OPTIONS, compress: true });
    const r = magRegion(mag);
    await mv.write(pattern(Uint8Array, 1, r.offset, r.size, (x, y, z) => em(x * mag[0], y * mag[1], z * mag[2])), r.offset);
  }

  const seg = await ds.addLayer("segmentation", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 400 });
  for (const mag of [[1, 1, 1], [2, 2, 2]]) {
    const mv = await seg.addMag(mag, MAG_OPTIONS);
    const r = magRegion(mag);
    await mv.write(pattern(Uint32Array, 1, r.offset, r.size, (x, y, z) => cell(x * mag[0], y * mag[1], z * mag[2])), r.offset);
  }

  if (!typeLayers) {
    ds.close();
    return root;
  }
  const rgb = await ds.addLayer("rgb", "color", { dtypePerChannel: "uint8", numChannels: 3 });
  for (const mag of [[1, 1, 1], [2, 2, 1]]) {
    const mv = await rgb.addMag(mag, { ...MAG_OPTIONS, compress: true });
    const r = magRegion(mag);
    await mv.write(pattern(Uint8Array, 3, r.offset, r.size, (x, y, z, c) => (c === 0 ? x * 2 : c === 1 ? y * 2 : z * 4) & 0xff), r.offset);
  }

  for (const [i, voxelType] of ["uint16", "int8", "int16", "int32", "uint64", "float32", "int64", "float64"].entries()) {
    const layer = await ds.addLayer(`t_${voxelType}`, "color", { dtypePerChannel: voxelType });
    const mv = await layer.addMag(1, MAG_OPTIONS);
    const r = magRegion([1, 1, 1]);
    await mv.write({ data: typed(voxelType, formulaBytes(voxelType, 1, r.offset, r.size, 11 + i)), shape: [1, ...r.size] }, r.offset);
  }
  ds.close();
  return root;
}
