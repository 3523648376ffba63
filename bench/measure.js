"use strict";
// Timing, percentiles, CPU use and memory of one benchmark child process.
const fs = require("node:fs");

/** Milliseconds from a monotonic clock, with sub-microsecond resolution. */
function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function median(values) {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Frees garbage outside timed sections (children run with --expose-gc). */
function collect() {
  if (typeof global.gc === "function") global.gc();
}

/** Busy CPU time of the whole machine in ms (Linux /proc/stat; undefined elsewhere). */
function machineBusyMs() {
  try {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return ((f.reduce((a, b) => a + b, 0) - idle) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * CPU accounting of the timed sections of a configuration: the cores this process kept
 * busy, and the cores other processes used meanwhile (the machine is shared: a high
 * figure there means the timing is disturbed).
 */
const cpu = { wallMs: 0, ownMs: 0, machineMs: 0 };

async function timed(fn) {
  const m0 = machineBusyMs();
  const c0 = process.cpuUsage();
  const t0 = nowMs();
  const r = await fn();
  const wall = nowMs() - t0;
  const c = process.cpuUsage(c0);
  const m1 = machineBusyMs();
  cpu.wallMs += wall;
  cpu.ownMs += (c.user + c.system) / 1000;
  if (m0 !== undefined && m1 !== undefined) cpu.machineMs += m1 - m0;
  return { r, wall };
}

function cpuSummary() {
  if (cpu.wallMs === 0) return {};
  return {
    cores: cpu.ownMs / cpu.wallMs,
    otherCores: Math.max(0, (cpu.machineMs - cpu.ownMs) / cpu.wallMs),
  };
}

/**
 * Runs `fn` (async) at least `min` and at most `max` times, stopping early once
 * `budgetMs` has passed; returns the duration of every run in ms. A run that returns a
 * number reports its own duration (to leave its clean-up untimed).
 */
async function repeat(fn, { min = 3, max = 10, budgetMs = 2000 } = {}) {
  const samples = [];
  const start = nowMs();
  while (samples.length < max && (samples.length < min || nowMs() - start < budgetMs)) {
    collect();
    const { r, wall } = await timed(fn);
    samples.push(typeof r === "number" ? r : wall);
  }
  return samples;
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs `batch` (async, does `ops` operations) at least `min` and at most `max` times,
 * stopping once `budgetMs` has passed, after untimed warm-up batches (one, or as many as
 * fit in `warmUpMs`). Between batches
 * the event loop turns (untimed), as in an application between pieces of work.
 * Returns per-operation figures: median and min ms, the spread of the batches
 * ((p90 - p10) / median), and user and system CPU ms (process.cpuUsage).
 */
async function measureBatches(batch, { ops = 1, min = 3, max = 50, budgetMs = 700, warmUpMs = 0 } = {}) {
  const warmUpEnd = nowMs() + warmUpMs;
  do {
    await batch();
    await yieldToEventLoop();
  } while (nowMs() < warmUpEnd);
  const samples = [];
  let user = 0, system = 0;
  const start = nowMs();
  while (samples.length < max && (samples.length < min || nowMs() - start < budgetMs)) {
    const c0 = process.cpuUsage();
    const { wall } = await timed(batch);
    const c = process.cpuUsage(c0);
    user += c.user / 1000;
    system += c.system / 1000;
    samples.push(wall / ops);
    await yieldToEventLoop();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const med = percentile(sorted, 50);
  const n = samples.length * ops;
  return {
    msPerOp: med, minMsPerOp: sorted[0], spreadPct: ((percentile(sorted, 90) - percentile(sorted, 10)) / med) * 100,
    userMsPerOp: user / n, sysMsPerOp: system / n, iterations: samples.length, samplesMs: samples,
  };
}

/** Peak resident set size of this process so far, in MiB. */
function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

module.exports = { nowMs, percentile, median, collect, repeat, timed, measureBatches, yieldToEventLoop, cpuSummary, peakRssMb };
