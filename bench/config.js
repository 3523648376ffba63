"use strict";
// Benchmark parameters (full and --quick) and the reference figures of issue #4, measured
// with the reference WKW library (Rust, one thread) on the development machine.

const FULL = {
  edge: 512, // voxels per volume edge
  blockLen: 32,
  fileLen: 8, // 256³ voxels per file
  smallReads: 1000, // random aligned blockLen³ reads
  smallPasses: 5,
  unalignedReads: 50,
  unalignedEdge: 100,
  unalignedPasses: 5,
  budgetMs: 2500, // per configuration, after its minimum iterations
};

const QUICK = {
  edge: 128,
  blockLen: 32,
  fileLen: 2, // 64³ voxels per file: still 8 files per volume
  smallReads: 100,
  smallPasses: 1,
  unalignedReads: 10,
  unalignedEdge: 50,
  unalignedPasses: 1,
  budgetMs: 0,
};

/**
 * Reference figures: `mbps` (voxel MB/s, higher is better) or `us` (µs per read, lower is
 * better), each a [low, high] range as in the issue. Ratios are taken against the
 * reference's best figure, so they are conservative.
 */
const REFERENCE = {
  readEmLz4: { mbps: [1200, 1200] },
  readSegLz4: { mbps: [1900, 1900] },
  readRaw: { mbps: [1900, 2300] },
  small: { us: [19, 24] },
  unaligned: { us: [900, 1200] },
  writeLz4hc: { mbps: [59, 59] },
  writeLz4: { mbps: [390, 390] },
};

/** Best figure of a reference: the highest rate or the lowest latency. */
function referenceBest(ref) {
  return ref.mbps ? ref.mbps[1] : ref.us[0];
}

function referenceText(ref) {
  const [lo, hi] = ref.mbps ?? ref.us;
  const range = lo === hi ? `${fmt(lo)}` : `${fmt(lo)}-${fmt(hi)}`;
  return ref.mbps ? `${range} MB/s` : `${range} µs`;
}

function fmt(v) {
  return v >= 100 ? String(Math.round(v)) : String(+v.toPrecision(2));
}

module.exports = { FULL, QUICK, REFERENCE, referenceBest, referenceText };
