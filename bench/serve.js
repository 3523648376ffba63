"use strict";
// Serve benchmark: 64³ chunks over loopback HTTP to 64 concurrent clients (autocannon, no
// gzip), `wkw serve` against a static file server (@fastify/static in its own process)
// serving the same chunks pre-exported as files. Both servers run in child processes; the
// target is ≥ 0.5× the static server's chunks/s. Rows: chunks/s (as per-op time), voxel
// MB/s and p50/p99 latency.
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { Dataset, WkwDataset } = require("..");
const { datasetPath } = require("./setup.js");

const CHUNK = 64;
const CLIENTS = 64;
const VOLUMES = { em: { category: "color", dtype: "uint8", bytes: 1 }, seg: { category: "segmentation", dtype: "uint32", bytes: 4 } };

/** A Dataset (properties JSON) whose mag 1 is the benchmark's LZ4 volume in webKnossos' file geometry, linked in place. */
async function linkDataset(dir, volume, params) {
  const root = path.join(dir, `serve-${volume}-${process.pid}`);
  const v = VOLUMES[volume];
  const ds = await Dataset.create(root, { scale: [11.24, 11.24, 25] });
  const layer = await ds.addLayer(volume, v.category, { dtypePerChannel: v.dtype, ...(v.category === "segmentation" ? { largestSegmentId: 0 } : {}) });
  const mag = await layer.addMag(1, { blockLen: params.blockLen, fileLen: params.fileLen.wk });
  const magDir = mag.path;
  ds.close();
  fs.rmSync(magDir, { recursive: true });
  fs.symlinkSync(datasetPath(dir, volume, "lz4", "wk"), magDir);
  const reopened = await Dataset.open(root);
  await reopened.getLayer(volume).setBoundingBox(new (require("..").BoundingBox)([0, 0, 0], [params.edge, params.edge, params.edge]));
  reopened.close();
  return root;
}

/** The chunk names of the first (up to) 256³ voxels; each one also written as a file for the static server. */
async function exportChunks(dir, volume, params) {
  const folder = path.join(dir, `static-${volume}-${process.pid}`);
  const edge = Math.min(params.edge, 256);
  const ds = await WkwDataset.open(datasetPath(dir, volume, "lz4", "wk"));
  const names = [];
  for (let z = 0; z < edge; z += CHUNK)
    for (let y = 0; y < edge; y += CHUNK)
      for (let x = 0; x < edge; x += CHUNK) {
        const name = `${x}-${x + CHUNK}_${y}-${y + CHUNK}_${z}-${z + CHUNK}`;
        const a = await ds.read([x, y, z], [CHUNK, CHUNK, CHUNK]);
        fs.mkdirSync(path.join(folder, volume, "1"), { recursive: true });
        fs.writeFileSync(path.join(folder, volume, "1", name), Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
        names.push(`/${volume}/1/${name}`);
      }
  ds.close();
  // a fixed shuffle, so the clients do not walk the files in disk order
  let s = 12345;
  for (let i = names.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [names[i], names[j]] = [names[j], names[i]];
  }
  return { folder, names };
}

/** Starts a server process; `cpu()` asks it for its CPU time so far (µs), `stop()` ends it. */
function startServer(mode, folder) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "serve-server.js"), mode, folder], { stdio: ["pipe", "pipe", "inherit"] });
    let buffered = "";
    const waiting = [];
    let started = false;
    child.stdout.on("data", (d) => {
      buffered += d;
      for (let i; (i = buffered.indexOf("\n")) >= 0; buffered = buffered.slice(i + 1)) {
        const message = JSON.parse(buffered.slice(0, i));
        if (!started) {
          started = true;
          resolve({
            port: message.port,
            cpu: () => new Promise((r) => { waiting.push(r); child.stdin.write("cpu\n"); }),
            stop: () => new Promise((r) => { child.on("exit", r); child.kill("SIGTERM"); }),
          });
        } else {
          waiting.shift()?.(message);
        }
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => { if (!started) reject(new Error(`${mode} server exited with ${code}`)); });
  });
}

/** autocannon for `seconds` after a 1 s warm-up; also the server's CPU time of the timed part (µs). */
async function load(server, names, seconds) {
  const autocannon = require("autocannon");
  const run = (duration) => autocannon({
    url: `http://127.0.0.1:${server.port}`, connections: CLIENTS, pipelining: 1, duration,
    requests: names.map((p) => ({ method: "GET", path: p })),
  });
  await run(1); // warm-up: page cache, handle and block caches, JIT
  const before = await server.cpu();
  const result = await run(seconds);
  const after = await server.cpu();
  return { result, userUs: after.user - before.user, systemUs: after.system - before.system };
}

function serveCase(mode, volume) {
  return async ({ dir, params }) => {
    const { folder, names } = await exportChunks(dir, volume, params);
    const root = mode === "wkw" ? await linkDataset(dir, volume, params) : folder;
    const server = await startServer(mode, root);
    try {
      const seconds = Math.max(2, Math.round(params.budgetMs / 1000));
      const { result: r, userUs, systemUs } = await load(server, names, seconds);
      if (r.errors || r.non2xx || r.timeouts) throw new Error(`${mode}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`);
      const chunksPerSec = r.requests.total / r.duration;
      const voxelBytes = CHUNK ** 3 * VOLUMES[volume].bytes;
      process.stderr.write(`    ${mode} ${volume}: ${chunksPerSec.toFixed(0)} chunks/s, ${(chunksPerSec * voxelBytes / 1e6).toFixed(0)} MB/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.requests.total} requests\n`);
      // Per-chunk figures (measure.js form): the server's throughput over all clients, not
      // one request's time; CPU per chunk is the server process's.
      const msPerOp = 1e3 / chunksPerSec;
      return {
        chunksPerSec, msPerOp, minMsPerOp: msPerOp, bytesPerOp: voxelBytes, spreadPct: 0,
        userMsPerOp: userUs / 1e3 / r.requests.total, sysMsPerOp: systemUs / 1e3 / r.requests.total,
        p50Us: r.latency.p50 * 1e3, p99Us: r.latency.p99 * 1e3, iterations: r.requests.total,
      };
    } finally {
      await server.stop();
      fs.rmSync(folder, { recursive: true, force: true });
      if (mode === "wkw") fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

/** The serve rows: per volume a static anchor (baseline) and wkw serve with its target. */
function serveConfigurations() {
  const list = [];
  for (const volume of ["em", "seg"]) {
    const what = `${CHUNK}³ chunks ${volume === "em" ? "EM uint8" : "seg uint32"}, ${CLIENTS} clients`;
    list.push({ id: `serve.${volume}.static`, section: "serve (HTTP)", label: `${what}, static files (@fastify/static)`, run: serveCase("static", volume), baselineOnly: true });
    list.push({ id: `serve.${volume}.wkw`, section: "serve (HTTP)", label: `${what}, wkw serve`, run: serveCase("wkw", volume), baseline: `serve.${volume}.static`, target: { baseRatio: 0.5 } });
  }
  return list;
}

module.exports = { serveConfigurations, configurations: serveConfigurations };
