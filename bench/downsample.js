#!/usr/bin/env node
"use strict";
// Downsampling benchmark (issue 13), self-contained: `node bench/downsample.js [--quick]`,
// also run by bench/run.js. Rows:
//   1. downsampleArray, factor 2, on an EM-like uint8 and a segmentation-like uint32 volume:
//      median and mode against webknossos-libs' numpy kernels on the same arrays
//      (bench/downsample_numpy.py; its results are also checked to be byte-identical);
//   2. downsampleMag(1, 2, { compress: false }) end to end (read, filter, write) on the same
//      volumes, against the Python kernel alone;
//   3. the whole pyramid (layer.downsample(), LZ4HC targets) of 512³ EM and segmentation
//      volumes, each in a fresh process: seconds, MB/s of source voxels, peak RSS.
// The machine is shared: rates are taken from the fastest repetition.
const { execFileSync, fork } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const FULL = { edge: 256, pyramidEdge: 512, repeats: 7, pyRepeats: 3 };
const QUICK = { edge: 64, pyramidEdge: 128, repeats: 3, pyRepeats: 1 };
// Issue 13's figures on the development machine (factor 2, 256³): numpy median of EM 255 ms,
// numba mode of segmentation 130 ms; targets are ratios to these kernels.
const TARGETS = { arrayMedian: 50, arrayMode: 10, magMedian: 15, magMode: 4 };
const NUMBA_MODE_MS = 130;

const log = (line) => process.stderr.write(line + "\n");
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Deterministic volumes: EM-like uint8 (smooth structure + noise), segmentation-like uint32 cells. */
function emVolume(n) {
  const a = new Uint8Array(n ** 3);
  let s = 0x9e3779b9 | 0;
  const sx = new Float32Array(n), sy = new Float32Array(n), sz = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    sx[i] = 50 * Math.sin(i / 9.3); sy[i] = 50 * Math.sin(i / 13.7 + 1); sz[i] = 40 * Math.sin(i / 7.1 + 2);
  }
  let i = 0;
  for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const v = 128 + sx[x] + sy[y] + sz[z] + ((s & 31) - 16);
    a[i++] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return a;
}

function segVolume(n) {
  const a = new Uint32Array(n ** 3);
  const cell = 24;
  let i = 0;
  for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) {
    const wy = Math.floor((y + 6 * Math.sin(z / 11)) / cell), wz = Math.floor(z / cell);
    for (let x = 0; x < n; x++) {
      const wx = Math.floor((x + 5 * Math.sin(y / 9)) / cell);
      const h = Math.imul(wx * 73856093 ^ wy * 19349663 ^ wz * 83492791, 2654435761) >>> 0;
      a[i++] = h % 7 === 0 ? 0 : (h >>> 4) + 1;
    }
  }
  return a;
}

async function best(fn, count) {
  const ms = [];
  for (let k = 0; k < count; k++) {
    const t0 = now();
    await fn();
    ms.push(now() - t0);
  }
  return Math.min(...ms);
}

function numpy(file, dtype, n, mode, repeats, dir) {
  const out = path.join(dir, `np-${mode}-${dtype}.raw`);
  const args = [path.join(__dirname, "downsample_numpy.py"), file, dtype, n, n, n, 2, 2, 2, mode, repeats, out].map(String);
  try {
    const res = JSON.parse(execFileSync("python3", args, { encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "pipe"] }));
    return { ms: Math.min(...res.ms), out: fs.readFileSync(out) };
  } catch (err) {
    log(`  numpy anchor unavailable (${String(err.message).split("\n")[0]}): rows without ratios`);
    return { ms: NaN, out: undefined };
  }
}

async function arrayAndMagRows(params, dir) {
  const { downsampleArray, Dataset } = require("..");
  const n = params.edge;
  const rows = [];
  const volumes = [
    { name: "EM uint8", dtype: "uint8", mode: "median", data: emVolume(n), arrayTarget: TARGETS.arrayMedian, magTarget: TARGETS.magMedian, category: "color" },
    { name: "seg uint32", dtype: "uint32", mode: "mode", data: segVolume(n), arrayTarget: TARGETS.arrayMode, magTarget: TARGETS.magMode, category: "segmentation" },
  ];
  for (const v of volumes) {
    const file = path.join(dir, `${v.dtype}.raw`);
    fs.writeFileSync(file, v.data);
    const py = numpy(file, v.dtype, n, v.mode, params.pyRepeats, dir);
    const input = { data: v.data, shape: [n, n, n] };
    const ours = await downsampleArray(input, 2, v.mode);
    const identical = py.out && Buffer.compare(Buffer.from(ours.data.buffer), py.out) === 0;
    const ms = await best(() => downsampleArray(input, 2, v.mode), params.repeats);
    const mb = v.data.byteLength / 1e6;
    rows.push({ row: `downsampleArray ${v.mode} ${v.name} ${n}³ f2`, ms, mbps: mb / (ms / 1e3), anchorMs: py.ms, ratio: py.ms / ms, target: v.arrayTarget, identical });
    if (v.mode === "mode" && n === 256) rows.push({ row: `  (vs issue's numba mode figure, ${NUMBA_MODE_MS} ms)`, ms, ratio: NUMBA_MODE_MS / ms, target: v.arrayTarget });

    // downsampleMag(1, 2, { compress: false }) end to end: read, filter, write
    const ds = await Dataset.create(path.join(dir, `mag-${v.dtype}`), { scale: [1, 1, 1] });
    const layer = await ds.addLayer("l", v.category, { dtypePerChannel: v.dtype, ...(v.category === "segmentation" ? { largestSegmentId: 0 } : {}) });
    const mag1 = await layer.addMag(1, { blockLen: 32, fileLen: Math.min(8, n / 32) });
    await mag1.write(input, [0, 0, 0]);
    let magMs = Infinity;
    for (let k = 0; k < Math.max(2, params.repeats - 4); k++) {
      if (layer.mags.has("2")) await layer.deleteMag(2);
      const t0 = now();
      await layer.downsampleMag(1, 2, { compress: false });
      magMs = Math.min(magMs, now() - t0);
    }
    const check = await layer.getMag(2).read([0, 0, 0], [n / 2, n / 2, n / 2]);
    ds.close();
    rows.push({
      row: `downsampleMag(1, 2) raw ${v.mode} ${v.name} ${n}³`, ms: magMs, mbps: mb / (magMs / 1e3), anchorMs: py.ms, ratio: py.ms / magMs, target: v.magTarget,
      identical: py.out && Buffer.compare(Buffer.from(check.data.buffer), py.out) === 0,
    });
  }
  return rows;
}

async function writeVolume(Dataset, dir, name, category, dtype, data, n) {
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer(name, category, { dtypePerChannel: dtype, ...(category === "segmentation" ? { largestSegmentId: 0 } : {}) });
  const mag1 = await layer.addMag(1, { blockLen: 32, fileLen: Math.min(8, n / 32) });
  await mag1.write({ data, shape: [n, n, n] }, [0, 0, 0]);
  ds.close();
}

function pyramidChild(dir, name) {
  return new Promise((resolve, reject) => {
    const p = fork(__filename, ["--pyramid", dir, name], { stdio: "inherit" });
    p.on("message", resolve);
    p.on("error", reject);
    p.on("exit", (code) => code !== 0 && reject(new Error(`pyramid child exited with ${code}`)));
  });
}

async function pyramidRows(params, dir) {
  const { Dataset } = require("..");
  const n = params.pyramidEdge;
  const rows = [];
  for (const [name, category, dtype, make] of [["em", "color", "uint8", emVolume], ["seg", "segmentation", "uint32", segVolume]]) {
    const d = path.join(dir, `pyramid-${name}`);
    let data = make(n);
    const bytes = data.byteLength;
    await writeVolume(Dataset, d, name, category, dtype, data, n);
    data = undefined;
    const r = await pyramidChild(d, name);
    rows.push({ row: `pyramid ${name} ${dtype} ${n}³ → ${r.mags.join(", ")} (LZ4HC)`, ms: r.ms, mbps: bytes / 1e6 / (r.ms / 1e3), peakRssMb: r.peakRssMb, sourceMb: bytes / 1e6 });
  }
  return rows;
}

function format(rows) {
  const lines = ["| row | time | MB/s | anchor (numpy) | × anchor | target | identical | peak RSS |", "|---|---:|---:|---:|---:|---:|---|---:|"];
  for (const r of rows) {
    lines.push(`| ${r.row} | ${r.ms >= 1000 ? (r.ms / 1000).toFixed(2) + " s" : r.ms.toFixed(1) + " ms"} | ${r.mbps ? r.mbps.toFixed(0) : ""} | ${r.anchorMs > 0 ? r.anchorMs.toFixed(0) + " ms" : ""} | ${r.ratio > 0 ? r.ratio.toFixed(1) + "×" : ""} | ${r.target ? "≥ " + r.target + "×" : ""} | ${r.identical === undefined ? "" : r.identical ? "yes" : "NO"} | ${r.peakRssMb ? r.peakRssMb.toFixed(0) + " MB" : ""} |`);
  }
  return lines.join("\n");
}

async function run({ quick = false } = {}) {
  const params = quick ? QUICK : FULL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wkw-bench-ds-"));
  const t0 = now();
  let rows;
  try {
    log(`downsampling bench${quick ? " --quick" : ""}: ${params.edge}³ arrays, ${params.pyramidEdge}³ pyramids, in ${dir}`);
    rows = [...(await arrayAndMagRows(params, dir)), ...(await pyramidRows(params, dir))];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log();
  console.log(format(rows));
  let numpyVersion = "unavailable";
  try {
    numpyVersion = execFileSync("python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // no python3/numpy: the anchor columns stay empty
  }
  console.log(`numpy ${numpyVersion}; numba is not installed: the mode anchor is webknossos-libs' earlier numpy sort-based mode (slower than numba; the numba row uses the issue's figure). Load: ${os.loadavg().map((v) => v.toFixed(1)).join(" ")}; ${((now() - t0) / 1000).toFixed(0)} s`);
  const file = path.join(__dirname, "results", `downsample-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, params, loadavg: os.loadavg(), rows }, null, 2));
  return rows;
}

/** Peak RSS of this process in MB: VmHWM (ru_maxrss would include the parent's peak before the fork). */
function peakRssMb() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function pyramidMain(dir, name) {
  const { Dataset } = require("..");
  const ds = await Dataset.open(dir);
  const t0 = now();
  const built = await ds.getLayer(name).downsample();
  const ms = now() - t0;
  ds.close();
  process.send({ ms, mags: built.map((m) => m.name), peakRssMb: peakRssMb() }, () => process.exit(0));
}

module.exports = { run };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const main = argv[0] === "--pyramid" ? pyramidMain(argv[1], argv[2]) : run({ quick: argv.includes("--quick") });
  main.catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
