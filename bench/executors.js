"use strict";
// Executor rows of `npm run bench`: compress of an edge³ EM layer (one job per cube file)
// and a user chunk job (64³ chunks), on the in-process, worker-thread (2 threads) and
// BullMQ (2 local `wkw worker` processes, see WORKER_CONCURRENCY, on a redis-server started
// here) executors, with their default batching (itemsPerJob "auto"); the "1 chunk per job"
// rows show the fixed cost of a job. Every row is compared with the in-process executor;
// the non-in-process rows also measure it right before and right after themselves (each in
// a fresh process), and log the per-job overhead against it. Without redis-server the BullMQ rows
// are skipped.
const { fork, spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { BoundingBox, Dataset, InProcessExecutor, WorkerThreadExecutor, BullMQExecutor, WkwDataset } = require("..");
const { datasetPath } = require("./setup.js");
const { nowMs, measureBatches, median } = require("./measure.js");

const CLI = path.join(__dirname, "..", "dist", "cli", "main.js");
const JOB = { module: path.join(__dirname, "jobs.js"), name: "checksumChunk" };
const CHUNK = 64;
// Jobs per worker process: the default (1) for the default rows (batches run 3 items at a
// time inside the worker); unbatched small chunk jobs spend most of their time waiting
// for Redis, so their row runs 8 at a time.
const WORKER_CONCURRENCY = { compress: 1, job: 1, job1: 8 };
const log = (line) => process.stderr.write(line + "\n");

const redisAvailable = () => spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

/** The EM volume as a Dataset layer (raw), made once and shared by the rows. */
async function layerDataset(dir, params) {
  const dsDir = path.join(dir, "executors-ds");
  if (fs.existsSync(path.join(dsDir, "datasource-properties.json"))) return Dataset.open(dsDir);
  const n = params.edge;
  const ds = await Dataset.create(dsDir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [n, n, n]));
  const mag = await layer.addMag(1, { blockLen: params.blockLen, fileLen: params.fileLen.small });
  const src = await WkwDataset.open(datasetPath(dir, "em", "raw", "small"));
  const slab = params.blockLen * params.fileLen.small;
  for (let z = 0; z < n; z += slab) await mag.write(await src.read([0, 0, z], [n, n, slab]), [0, 0, z]);
  src.close();
  return ds;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** redis-server on a free port in a temporary folder, and 2 `wkw worker` processes. */
async function startCluster(queue, concurrency) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wkw-bench-redis-"));
  const port = await freePort();
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", tmp, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await new Promise((r) => { const s = net.connect(port, "127.0.0.1", () => (s.destroy(), r(true))); s.on("error", () => r(false)); }))) {
    if (Date.now() > deadline) throw new Error("redis-server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  const workers = [0, 1].map(() => spawn(process.execPath, [CLI, "worker", "--redis", url, "--queue", queue, "--concurrency", String(concurrency), "--allow-module", __dirname], { stdio: ["ignore", "ignore", "pipe"] }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    let out = "";
    w.stderr.on("data", (d) => { out += d; if (out.includes("wkw worker: queue")) resolve(); });
    w.on("exit", (code) => reject(new Error(`worker exited ${code}: ${out}`)));
  })));
  return {
    url,
    async stop() {
      for (const w of workers) w.kill("SIGTERM");
      await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.once("exit", r)))));
      redis.kill("SIGTERM");
      await new Promise((r) => (redis.exitCode !== null ? r() : redis.once("exit", r)));
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function makeExecutor(kind, what) {
  if (kind === "inproc") return { executor: new InProcessExecutor(), stop: async () => {} };
  const itemsPerJob = kind.endsWith("1") ? 1 : "auto";
  if (kind.startsWith("threads")) {
    const executor = new WorkerThreadExecutor({ threads: 2, itemsPerJob });
    return { executor, stop: () => executor.close() };
  }
  const queue = `bench${process.pid}`;
  const cluster = await startCluster(queue, WORKER_CONCURRENCY[itemsPerJob === 1 && what === "job" ? "job1" : what]);
  const executor = new BullMQExecutor({ connection: cluster.url, queueName: queue, itemsPerJob });
  return { executor, stop: async () => { await executor.close(); await cluster.stop(); } };
}

/** One timed pass of `what` ("compress" or "job") with `executor`; returns { ms, jobs }. */
async function pass(what, mag, dir, executor) {
  const t0 = nowMs();
  if (what === "compress") {
    const target = fs.mkdtempSync(path.join(dir, "exec-compress-"));
    fs.rmdirSync(target);
    await mag.compress({ targetPath: target, executor });
    const ms = nowMs() - t0;
    fs.rmSync(target, { recursive: true, force: true });
    return { ms, jobs: (await mag.getBoundingBoxesOnDisk()).length };
  }
  let jobs = 0;
  await mag.forEachChunk(JOB, { chunkSize: [CHUNK, CHUNK, CHUNK], executor, onProgress: (p) => (jobs = p.done) });
  return { ms: nowMs() - t0, jobs };
}

/** measure.js figures per pass (one pass = the whole layer), with the jobs of a pass. */
async function measure(what, mag, dir, executor, budgetMs) {
  let jobs = 0;
  // A chunk pass takes ~50 ms and varies up to 2× from pass to pass (page cache, garbage
  // collections): many passes after a warm-up (JIT in every worker thread or process,
  // learnt batch sizes), as a long pipeline runs. Compress passes take seconds: few.
  const options = what === "job" ? { min: 10, max: 30, budgetMs: budgetMs * 2, warmUpMs: 1000 } : { min: 2, max: 6, budgetMs };
  const r = await measureBatches(async () => {
    jobs = (await pass(what, mag, dir, executor)).jobs;
  }, options);
  return { ...r, jobs };
}

/**
 * The in-process row of `what`, run as `npm run bench` runs every row: in a fresh child
 * process. A process that has run another executor is no fair baseline: after a BullMQ
 * pass its V8 new space has grown, and reads there trigger a full garbage collection
 * every 64 MB of result arrays (docs/executors.md).
 */
function inProcessBaseline(what, dir, quick) {
  return new Promise((resolve, reject) => {
    const argv = ["--child", `executor.${what}.inproc`, "--dir", dir, ...(quick ? ["--quick"] : [])];
    const proc = fork(path.join(__dirname, "run.js"), argv, { execArgv: ["--expose-gc"], stdio: "inherit" });
    let result;
    proc.on("message", (m) => { result = m.result; });
    proc.on("error", reject);
    proc.on("exit", (code) => (code === 0 && result ? resolve(result) : reject(new Error(`in-process baseline exited ${code}`))));
  });
}

function row(what, kind) {
  return async ({ dir, params, quick }) => {
    const ds = await layerDataset(dir, params);
    const mag = ds.getLayer("color").getMag(1);
    const bytesPerOp = params.edge ** 3;
    const budgetMs = params.budgetMs * 3;
    if (kind === "inproc") {
      try {
        const r = await measure(what, mag, dir, new InProcessExecutor(), budgetMs);
        return { ...r, bytesPerOp, perJobUs: (r.msPerOp * 1e3) / r.jobs };
      } finally {
        ds.close();
      }
    }
    // The baseline brackets the row, before and after: this shared machine drifts by up to
    // 1.3× within a minute, which one baseline on one side would read as overhead or gain.
    try {
      const before = await inProcessBaseline(what, dir, quick);
      const { executor, stop } = await makeExecutor(kind, what);
      let r;
      try {
        r = await measure(what, mag, dir, executor, budgetMs);
      } finally {
        await stop();
      }
      const after = await inProcessBaseline(what, dir, quick);
      const baseMs = median([...before.samplesMs, ...after.samplesMs]);
      const out = { ...r, bytesPerOp, perJobUs: (r.msPerOp * 1e3) / r.jobs };
      out.inProcessPerJobUs = (baseMs * 1e3) / r.jobs;
      out.inProcessBeforeAfterMs = [before.msPerOp, after.msPerOp];
      out.overheadPerJobUs = out.perJobUs - out.inProcessPerJobUs;
      out.ratioInProcessSameRun = baseMs / r.msPerOp;
      log(`    ${what} ${kind}: ${r.jobs} jobs, ${(out.perJobUs / 1e3).toFixed(2)} ms/job vs in-process ${(out.inProcessPerJobUs / 1e3).toFixed(2)} ms/job in the same run (passes ${before.msPerOp.toFixed(1)} ms before, ${after.msPerOp.toFixed(1)} ms after): overhead ${(out.overheadPerJobUs / 1e3).toFixed(2)} ms/job, throughput ${out.ratioInProcessSameRun.toFixed(2)}× in-process`);
      return out;
    } finally {
      ds.close();
    }
  };
}

/** The executor rows, in the shape of cases.js (id, section, label, run, baseline). */
function configurations(params) {
  const n = params.edge;
  const kinds = [["inproc", "in-process"], ["threads", "worker threads (2)"]];
  if (redisAvailable()) kinds.push(["bullmq", "BullMQ, 2 local wkw workers"]);
  const list = [];
  for (const [what, label] of [["compress", `${n}³ EM uint8 layer raw → LZ4HC, one job per file`], ["job", `${n}³ EM uint8, user job per ${CHUNK}³ chunk`]]) {
    const one = [["threads1", "worker threads (2), 1 chunk per job"]];
    if (redisAvailable()) one.push(["bullmq1", `BullMQ, 2 local wkw workers (--concurrency ${WORKER_CONCURRENCY.job1}), 1 chunk per job`]);
    const rows = what === "job" ? [...kinds, ...one] : kinds;
    for (const [kind, name] of rows) {
      list.push({ id: `executor.${what}.${kind}`, section: "executors", label: `${label}, ${name}`, run: row(what, kind), baseline: `executor.${what}.inproc` });
    }
  }
  return list;
}

module.exports = { configurations };
