"use strict";
// The reference library (webknossos-wrap, Rust, one thread) as a command, measured in the
// same run on the same files: ../shared/tools/wkwref (or $WKWREF). Absent on a user's
// machine: then the reference columns stay empty.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

function referenceTool() {
  const candidates = [process.env.WKWREF, path.resolve(__dirname, "../../shared/tools/wkwref")].filter(Boolean);
  return candidates.find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** CPU time (user + system, ms) of this process's waited-for children (Linux; else NaN). */
function childrenCpuMs() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100; // cutime + cstime, USER_HZ 100
  } catch {
    return NaN;
  }
}

/** Runs the tool; returns its JSON line and its CPU time in ms (10 ms resolution). */
function run(tool, args) {
  const c0 = childrenCpuMs();
  const out = execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 20 });
  return { ...JSON.parse(out.trim().split("\n").pop()), cpuMs: childrenCpuMs() - c0 };
}

/**
 * Runs one reference measurement; returns { msPerOp (median), minMsPerOp, samplesMs } or
 * undefined without the tool. spec: { cmd: "read", dir, offset, size, repeat } or
 * { cmd: "random", dir, count, size, extent, seed, repeat, regionsFile }.
 */
function measureReference(tool, spec) {
  if (!tool) return undefined;
  if (spec.cmd === "read") {
    const r = run(tool, ["bench-read", spec.dir, ...spec.offset.map(String), ...spec.size.map(String),
      "--repeat", String(spec.repeat), "--warmup", "1"]);
    // CPU per read, counting the warm-up read and the process start-up (so a little high).
    return { msPerOp: r.median_s * 1e3, minMsPerOp: r.min_s * 1e3, samplesMs: r.times_s.map((s) => s * 1e3), cpuMsPerOp: r.cpuMs / (spec.repeat + 1) };
  }
  const r = run(tool, ["bench-read-random", spec.dir, "--count", String(spec.count), "--size", String(spec.size),
    "--extent", ...spec.extent.map(String), "--seed", String(spec.seed), "--repeat", String(spec.repeat), "--warmup", "1",
    ...(spec.regionsFile ? ["--dump-regions", spec.regionsFile] : [])]);
  const rounds = r.rounds_s.map((s) => (s * 1e3) / spec.count);
  return {
    msPerOp: r.median_read_s * 1e3, minMsPerOp: Math.min(...rounds), samplesMs: rounds, p50Us: r.p50_s * 1e6, p99Us: r.p99_s * 1e6,
    cpuMsPerOp: r.cpuMs / ((spec.repeat + 1) * spec.count),
  };
}

/** The regions a bench-read-random run read, as [[x, y, z], …] (the size is the run's). */
function readRegions(file) {
  return fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/).slice(0, 3).map(Number));
}

module.exports = { referenceTool, measureReference, readRegions };
