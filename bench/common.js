"use strict";
// Helpers shared by the row-group modules.
const { rng } = require("./data.js");

const TYPE_BYTES = { em: 1, seg: 4 };
const VOLUME_LABEL = { em: "EM uint8", seg: "seg uint32" };

/** Deterministic random offsets: aligned to `align`, the box of `edge` inside the volume. */
function offsets(count, volumeEdge, edge, align, seed) {
  const random = rng(seed);
  const steps = Math.floor((volumeEdge - edge) / align) + 1;
  return Array.from({ length: count }, () => [0, 1, 2].map(() => Math.floor(random() * steps) * align));
}

/** Latency figures of reads timed one by one: p50 and p99 in µs. */
function latencies(latenciesMs) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50Us: at(50) * 1e3, p99Us: at(99) * 1e3 };
}

module.exports = { TYPE_BYTES, VOLUME_LABEL, offsets, latencies };
