"use strict";
// The benchmark configurations. Each runs alone in a fresh child process (see run.js) and
// returns { mbps, p50Us?, p99Us?, perOpUs?, iterations }; `baseline` names the
// configuration it is compared with in the same run: the addon's own single-threaded path
// (concurrency 1 for large calls, one awaited call at a time for small reads).
const fs = require("node:fs");
const path = require("node:path");
const { WkwDataset } = require("..");
const { datasetPath, VOLUMES } = require("./setup.js");
const { nowMs, percentile, median, repeat, timed } = require("./measure.js");

// The machine is shared: other processes only ever add time, so rates are taken from the
// fastest run (the median is recorded too).
function rates(bytes, samplesMs) {
  return { mbps: bytes / (Math.min(...samplesMs) * 1e3), mbpsMedian: bytes / (median(samplesMs) * 1e3), iterations: samplesMs.length };
}
const { rng } = require("./data.js");

const TYPE_BYTES = { em: 1, seg: 4 };

function latencyStats(latenciesMs, totalsMs, count, bytesPerOp) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const best = Math.min(...totalsMs);
  return {
    mbps: (count * bytesPerOp) / (best * 1e3),
    mbpsMedian: (count * bytesPerOp) / (median(totalsMs) * 1e3),
    perOpUs: (best * 1e3) / count,
    p50Us: percentile(sorted, 50) * 1e3,
    p99Us: percentile(sorted, 99) * 1e3,
  };
}

/** Deterministic random offsets: aligned to `align`, the box of `edge` inside the volume. */
function offsets(count, volumeEdge, edge, align, seed) {
  const random = rng(seed);
  const steps = Math.floor((volumeEdge - edge) / align) + 1;
  return Array.from({ length: count }, () => [0, 1, 2].map(() => Math.floor(random() * steps) * align));
}

// --- whole-volume reads -----------------------------------------------------------------

function readWhole(volume, blockType, fresh, concurrency) {
  return async ({ dir, params }) => {
    const ds = await WkwDataset.open(datasetPath(dir, volume, blockType));
    const n = params.edge;
    const first = await ds.read([0, 0, 0], [n, n, n], { concurrency }); // warm-up
    const out = fresh ? undefined : first;
    const samples = await repeat(() => ds.read([0, 0, 0], [n, n, n], { out, concurrency }), {
      min: 3, max: 15, budgetMs: params.budgetMs,
    });
    ds.close();
    return rates(n ** 3 * TYPE_BYTES[volume], samples);
  };
}

// --- small aligned reads ----------------------------------------------------------------

/** mode: "sync", "sync-out" (reused out) or a number of async reads kept in flight. */
function readSmall(mode) {
  return async ({ dir, params }) => {
    const ds = await WkwDataset.open(datasetPath(dir, "em", "lz4"));
    const b = params.blockLen;
    const size = [b, b, b];
    const list = offsets(params.smallReads, params.edge, b, b, 7);
    const out = ds.readSync(list[0], size);
    for (const o of list) ds.readSync(o, size); // warm-up: page cache and handle cache
    const latencies = [];
    const syncPass = async () => {
      const options = mode === "sync-out" ? { out } : undefined;
      for (const o of list) {
        const s = nowMs();
        ds.readSync(o, size, options);
        latencies.push(nowMs() - s);
      }
    };
    const asyncPass = async () => {
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const o = list[next++];
          const s = nowMs();
          await ds.read(o, size);
          latencies.push(nowMs() - s);
        }
      };
      await Promise.all(Array.from({ length: mode }, worker));
    };
    const totals = [];
    for (let pass = 0; pass < params.smallPasses; pass++) {
      totals.push((await timed(typeof mode === "number" ? asyncPass : syncPass)).wall);
    }
    ds.close();
    return { ...latencyStats(latencies, totals, list.length, b ** 3), iterations: totals.length };
  };
}

// --- unaligned reads --------------------------------------------------------------------

/** mode: "sync", "out" (async into a reused array) or the concurrency of each awaited async call. */
function readUnaligned(mode) {
  return async ({ dir, params }) => {
    const ds = await WkwDataset.open(datasetPath(dir, "em", "lz4"));
    const e = params.unalignedEdge;
    const size = [e, e, e];
    const list = offsets(params.unalignedReads, params.edge, e, 1, 11);
    const out = ds.readSync(list[0], size);
    const readOne = mode === "sync" ? (o) => ds.readSync(o, size)
      : mode === "out" ? (o) => ds.read(o, size, { out }) : (o) => ds.read(o, size, { concurrency: mode });
    for (const o of list) await readOne(o); // warm-up
    const latencies = [];
    const totals = [];
    // No forced GC between passes: small arrays are recycled by malloc as in any program.
    for (let pass = 0; pass < params.unalignedPasses; pass++) {
      const { wall } = await timed(async () => {
        for (const o of list) {
          const s = nowMs();
          await readOne(o);
          latencies.push(nowMs() - s);
        }
      });
      totals.push(wall);
    }
    ds.close();
    return { ...latencyStats(latencies, totals, list.length, e ** 3), iterations: totals.length };
  };
}

// --- whole-file writes ------------------------------------------------------------------

function writeWhole(blockType, concurrency) {
  return async ({ dir, params }) => {
    const n = params.edge;
    const fileVx = params.blockLen * params.fileLen;
    const source = await WkwDataset.open(datasetPath(dir, "em", "raw"));
    const data = (await source.read([0, 0, 0], [n, n, n])).data;
    source.close();
    const target = path.join(dir, `write-${blockType}-${concurrency}-${process.pid}`);
    const ds = await WkwDataset.create(target, { voxelType: "uint8", blockLen: params.blockLen, fileLen: params.fileLen, blockType });
    // Warm-up: one whole file.
    await ds.write([0, 0, 0], { data, shape: [fileVx, fileVx, fileVx], stride: [1, n, n * n] }, { concurrency });
    const samples = await repeat(() => ds.write([0, 0, 0], { data, shape: [n, n, n] }, { concurrency, level: 9 }), {
      min: 2, max: 10, budgetMs: params.budgetMs,
    });
    ds.close();
    fs.rmSync(target, { recursive: true, force: true });
    return rates(n ** 3, samples);
  };
}

// --- compress of a layer ----------------------------------------------------------------

/** Reads every file of a folder through a small buffer: warms the page cache, not the RSS. */
function warmFolder(dir) {
  const buf = Buffer.alloc(1 << 20);
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const fd = fs.openSync(path.join(e.parentPath ?? e.path, e.name), "r");
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    fs.closeSync(fd);
  }
}

function compressLayer(volume, blockType, concurrency) {
  return async ({ dir, params }) => {
    const srcPath = datasetPath(dir, volume, "raw");
    warmFolder(srcPath);
    const src = await WkwDataset.open(srcPath);
    let k = 0;
    const samples = await repeat(async () => {
      const target = path.join(dir, `compress-${volume}-${blockType}-${concurrency}-${process.pid}-${k++}`);
      const t0 = nowMs();
      const ds = await src.compress(target, { blockType, concurrency, level: 9 });
      const ms = nowMs() - t0;
      ds.close();
      fs.rmSync(target, { recursive: true, force: true });
      return ms;
    }, { min: 2, max: 6, budgetMs: params.budgetMs });
    src.close();
    return rates(params.edge ** 3 * TYPE_BYTES[volume], samples);
  };
}

// --- the list ---------------------------------------------------------------------------

/**
 * Every configuration: id, section, label, run, baseline (id), reference (key of
 * config.REFERENCE), target ({ refRatio } | { p50Us } | { mbps }, see report.js).
 */
function configurations(params) {
  const n = params.edge;
  const b = params.blockLen;
  const e = params.unalignedEdge;
  const list = [];
  const add = (c) => list.push(c);
  for (const volume of ["em", "seg"]) {
    for (const blockType of ["lz4", "raw"]) {
      const what = `${n}³ ${volume === "em" ? "EM uint8" : "seg uint32"} ${blockType}`;
      const reference = blockType === "raw" ? "readRaw" : volume === "em" ? "readEmLz4" : "readSegLz4";
      const refRatio = blockType === "raw" ? 1.5 : volume === "em" ? 2.5 : 2;
      for (const fresh of [true, false]) {
        const id = `read.${volume}.${blockType}.${fresh ? "fresh" : "out"}`;
        add({ id: `${id}.c1`, section: "whole read", label: `${what}, ${fresh ? "fresh" : "reused out"}, concurrency 1`, run: readWhole(volume, blockType, fresh, 1), baselineOnly: true });
        add({
          id, section: "whole read", label: `${what}, ${fresh ? "fresh" : "reused out"}`,
          run: readWhole(volume, blockType, fresh, undefined), baseline: `${id}.c1`, reference,
          // The targets are about the library; a fresh output array is bounded by page faults
          // (see docs/performance.md), so they are checked on the reused-out rows.
          target: fresh ? undefined : { refRatio },
        });
      }
    }
  }
  const small = `${b}³ aligned EM lz4`;
  add({ id: "small.async.serial", section: "small reads", label: `${small}, async awaited one by one`, run: readSmall(1), baseline: "small.async.serial", reference: "small" });
  add({ id: "small.sync", section: "small reads", label: `${small}, sync`, run: readSmall("sync"), baseline: "small.async.serial", reference: "small", target: { p50Us: 20 } });
  add({ id: "small.sync.out", section: "small reads", label: `${small}, sync, reused out`, run: readSmall("sync-out"), baseline: "small.async.serial", reference: "small" });
  for (const k of [1, 4, 16, 64]) {
    add({
      id: `small.async.${k}`, section: "small reads", label: `${small}, async, ${k} in flight`, run: readSmall(k),
      baseline: "small.async.serial", reference: "small", target: k >= 16 ? { refRatio: 1.5 } : undefined,
    });
  }
  const unaligned = `${e}³ unaligned EM lz4`;
  add({ id: "unaligned.c1", section: "unaligned reads", label: `${unaligned}, async, concurrency 1`, run: readUnaligned(1), baselineOnly: true });
  add({ id: "unaligned.async", section: "unaligned reads", label: `${unaligned}, async`, run: readUnaligned(undefined), baseline: "unaligned.c1", reference: "unaligned", target: { refRatio: 2 } });
  add({ id: "unaligned.out", section: "unaligned reads", label: `${unaligned}, async, reused out`, run: readUnaligned("out"), baseline: "unaligned.c1", reference: "unaligned" });
  add({ id: "unaligned.sync", section: "unaligned reads", label: `${unaligned}, sync`, run: readUnaligned("sync"), baseline: "unaligned.c1", reference: "unaligned" });
  for (const [blockType, reference, mbps] of [["lz4hc", "writeLz4hc", 80], ["lz4", "writeLz4", 800], ["raw", undefined, undefined]]) {
    const id = `write.em.${blockType}`;
    const label = `${n}³ EM uint8 whole files, ${blockType === "lz4hc" ? "LZ4HC-9" : blockType}`;
    add({ id: `${id}.c1`, section: "write", label: `${label}, concurrency 1`, run: writeWhole(blockType, 1), baselineOnly: true });
    add({ id, section: "write", label, run: writeWhole(blockType, undefined), baseline: `${id}.c1`, reference, target: mbps ? { mbps } : undefined });
  }
  for (const [volume, blockType] of [["em", "lz4hc"], ["seg", "lz4"]]) {
    const id = `compress.${volume}.${blockType}`;
    const label = `${n}³ ${volume === "em" ? "EM uint8" : "seg uint32"} raw → ${blockType === "lz4hc" ? "LZ4HC-9" : blockType}`;
    add({ id: `${id}.c1`, section: "compress layer", label: `${label}, concurrency 1`, run: compressLayer(volume, blockType, 1), baselineOnly: true });
    add({ id, section: "compress layer", label, run: compressLayer(volume, blockType, undefined), baseline: `${id}.c1` });
  }
  list.push(...require("./import.js").configurations(params));
  return list;
}

module.exports = { configurations, VOLUMES };
