// The deterministic sequence of operations shared by test/crash.test.mjs and the child it
// kills (test/support/crash-child.mjs): the parent replays the same plan to know exactly what
// every generation wrote, so each file on disk can be matched against "before write g" and
// "after write g".

/** Edge of the test volume in voxels: 2 × 2 × 2 cube files of 32³ (blockLen 8, fileLen 4). */
export const VOL = 64;
export const FILE_VX = 32;
export const LAYOUT = { voxelType: "uint16", blockLen: 8, fileLen: 4 };

import { fmix32 } from "./fixtures.mjs";

/** A pseudo-random integer in [lo, hi] for (seed, generation, k). */
export function rnd(seed, g, k, lo, hi) {
  const h = fmix32((Math.imul(seed, 0x9e3779b1) + Math.imul(g, 0x85ebca77) + Math.imul(k, 0xc2b2ae3d)) >>> 0);
  return lo + (h % (hi - lo + 1));
}

/**
 * Write g of the volume modes: an unaligned box inside the 64³ volume (usually crossing
 * file and block borders), filled with the value g.
 */
export function volumeRegion(seed, g) {
  const offset = [0, 1, 2].map((a) => rnd(seed, g, a, 0, VOL - 2));
  const size = [0, 1, 2].map((a) => rnd(seed, g, 3 + a, 1, Math.min(44, VOL - offset[a])));
  return { offset, size };
}

/**
 * Write g of the new-raw-file mode: an unaligned box inside cube file g (a file no earlier
 * generation touched), filled with g.
 */
export function newFileRegion(seed, g) {
  const file = [g % 16, Math.floor(g / 16) % 16, Math.floor(g / 256)];
  const lo = [0, 1, 2].map((a) => rnd(seed, g, a, 0, 20));
  const size = [0, 1, 2].map((a) => rnd(seed, g, 3 + a, 1, FILE_VX - lo[a]));
  const offset = lo.map((v, a) => file[a] * FILE_VX + v);
  return { file, offset, size };
}

/** Fills the box of `region` in a 64³ x-fastest model volume with g. */
export function applyToModel(model, region, g) {
  const { offset: o, size: s } = region;
  for (let z = o[2]; z < o[2] + s[2]; z++)
    for (let y = o[1]; y < o[1] + s[1]; y++) {
      const row = VOL * (y + VOL * z);
      model.fill(g, row + o[0], row + o[0] + s[0]);
    }
}

/** The content of the compression source: smooth, compressible, different in every file. */
export function sourceValue(x, y, z) {
  const f = (x >> 5) + 2 * (y >> 5) + 4 * (z >> 5);
  return ((x >> 2) + 3 * (y >> 1) + 7 * z + 31 * f) & 0xffff;
}
