"use strict";
// Deterministic synthetic volumes for the benchmark, generated chunk by chunk so that a
// 512³ uint32 volume never has to be in memory at once.
//
// - EM-like uint8: a smooth structure (sum of three 2D sinusoid tables, so every voxel
//   costs three lookups) plus per-voxel noise. Where the structure saturates (dark
//   "membranes", bright "background") the noise is clipped away and the data repeats,
//   which gives LZ4 a ratio of about 1.3-1.5, as on real EM data.
// - Segmentation-like uint32: piecewise-constant cells of a wavy grid (cell edges warped
//   by smooth 2D tables), each cell one random id, some cells background 0. LZ4 ratio > 10.

/** Small deterministic PRNG (mulberry32); returns floats in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash3(x, y, z, seed) {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d) ^ seed;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An n×n table of a few sinusoids with random wavelengths and phases. */
function smoothTable(n, random, amplitude, waves, minWave = 20, maxWave = 110) {
  const t = new Float32Array(n * n);
  const params = [];
  for (let k = 0; k < waves; k++) {
    params.push({
      fu: (2 * Math.PI) / (minWave + random() * (maxWave - minWave)),
      fv: (2 * Math.PI) / (minWave + random() * (maxWave - minWave)),
      pu: random() * 2 * Math.PI,
      pv: random() * 2 * Math.PI,
      a: amplitude / waves,
    });
  }
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      let s = 0;
      for (const p of params) s += p.a * Math.sin(u * p.fu + p.pu + Math.sin(v * p.fv + p.pv) * 1.5);
      t[u + n * v] = s;
    }
  }
  return t;
}

/** EM-like uint8 volume of edge n. */
class EmVolume {
  constructor(n, seed = 1) {
    const random = rng(seed);
    this.n = n;
    this.seed = seed;
    this.xy = smoothTable(n, random, 200, 3);
    this.yz = smoothTable(n, random, 200, 3);
    this.xz = smoothTable(n, random, 200, 3);
  }

  /** Fills `out` (Uint8Array, Fortran order) with the box at `offset` of `size`. */
  fill(offset, size, out) {
    const { n, xy, yz, xz } = this;
    const [ox, oy, oz] = offset;
    const [sx, sy, sz] = size;
    let i = 0;
    for (let z = oz; z < oz + sz; z++) {
      for (let y = oy; y < oy + sy; y++) {
        // Noise state seeded per row: the content does not depend on the chunking.
        let s = hash3(y, z, 0x1234, this.seed) | 1;
        const rowXy = n * y, rowYz = yz[y + n * z], rowXz = n * z;
        for (let x = ox; x < ox + sx; x++) {
          s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
          const v = 128 + xy[x + rowXy] + rowYz + xz[x + rowXz] + ((s & 31) - 16);
          out[i++] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
}

/** Segmentation-like uint32 volume of edge n. */
class SegVolume {
  constructor(n, seed = 2, cell = 40) {
    const random = rng(seed);
    this.n = n;
    this.seed = seed;
    this.cell = cell;
    // Integer warps in [0, cell) for each axis, from smooth tables of the other two axes.
    const warp = () => Int32Array.from(smoothTable(n, random, cell * 0.5, 2, 120, 300), (v) => Math.round(v + cell));
    this.wx = warp();
    this.wy = warp();
    this.wz = warp();
  }

  fill(offset, size, out) {
    const { n, wx, wy, wz, cell, seed } = this;
    const [ox, oy, oz] = offset;
    const [sx, sy, sz] = size;
    const inv = 1 / cell;
    let i = 0;
    for (let z = oz; z < oz + sz; z++) {
      for (let y = oy; y < oy + sy; y++) {
        const cx0 = wx[y + n * z];
        let px = -1, py = -1, pz = -1, id = 0;
        for (let x = ox; x < ox + sx; x++) {
          const cx = ((x + cx0) * inv) | 0;
          const cy = ((y + wy[x + n * z]) * inv) | 0;
          const cz = ((z + wz[x + n * y]) * inv) | 0;
          if (cx !== px || cy !== py || cz !== pz) {
            px = cx; py = cy; pz = cz;
            const h = hash3(cx, cy, cz, seed);
            id = h % 16 === 0 ? 0 : (h >>> 4) + 1;  // about 1 cell in 16 is background
          }
          out[i++] = id;
        }
      }
    }
  }
}

module.exports = { EmVolume, SegVolume, rng, hash3 };
