"use strict";
// Benchmark parameters (full and --quick) and the targets of issue #12.

const FULL = {
  edge: 512, // voxels per volume edge
  blockLen: 32,
  // webKnossos' default geometry (file length 32: one file is 1024³ voxels) and the one
  // this bench used before (file length 8: 256³ voxels per file).
  fileLen: { wk: 32, small: 8 },
  readSizes: [32, 64, 128, 256, 512],
  smallReads: 1000, // random aligned blockLen³ reads
  smallPasses: 5,
  randomReads: 50, // random unaligned reads of randomEdge³
  randomEdge: 100,
  randomPasses: 5,
  batchBytes: 16 << 20, // reads of one repetition of a whole-read row (at least one)
  budgetMs: 500, // per configuration, after its minimum repetitions
  warmUpMs: 300, // untimed reads first: page cache, handles, array pool in steady state
  cacheBytes: 512 << 20, // BlockCache of the cached random rows: the working set fits
};

const QUICK = {
  edge: 128,
  blockLen: 32,
  fileLen: { wk: 4, small: 2 },
  readSizes: [32, 64, 128],
  smallReads: 100,
  smallPasses: 1,
  randomReads: 10,
  randomEdge: 50,
  randomPasses: 2,
  batchBytes: 1 << 20,
  budgetMs: 0,
  warmUpMs: 0,
  cacheBytes: 64 << 20,
};

module.exports = { FULL, QUICK };
