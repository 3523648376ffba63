// BullMQExecutor on a real Redis (Debian's redis-server, started here on 127.0.0.1, a free
// port, a temporary folder, with a password) and real `wkw worker` processes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { BullMQExecutor, Dataset, InProcessExecutor, WkwError, createWorker } from "../dist/index.js";
import { JOBS_DIR, makeDataset, ref, runScenario } from "./support/executor-scenario.mjs";
import { rejectsWkw } from "./support/dataset.mjs";
import { freePort, redisAvailable, startRedis } from "./support/redis.mjs";
import { CLI, startWorker } from "./support/workers.mjs";
import { sliceData, writeTiff } from "./support/images.mjs";

const EVIL = fileURLToPath(new URL("./support/outside/evil-job.mjs", import.meta.url));
const skip = redisAvailable() ? false : "redis-server is not installed (.ci/run installs it)";
let redis;
let root;
let expected; // the scenario's files with the in-process executor
const workers = [];

function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [path.relative(base, p)];
  });
}

async function pool(queue, n, options = {}) {
  const ws = Array.from({ length: n }, () => startWorker(redis.url, queue, { allow: [JOBS_DIR], ...options }));
  workers.push(...ws);
  await Promise.all(ws.map((w) => w.ready));
  return ws;
}

before(async () => {
  if (skip) return;
  redis = await startRedis();
  root = mkdtempSync(path.join(tmpdir(), "wkw-bullmq-"));
  expected = await runScenario(path.join(root, "expected"), new InProcessExecutor({ concurrency: 2 }));
});

after(async () => {
  if (skip) return;
  await Promise.all(workers.map((w) => w.stop()));
  for (const w of workers) assert.ok(!w.output.includes(redis.password), "a worker printed the Redis password");
  // (their Redis stayed up: stopping a worker is no loss of Redis)
  for (const w of workers) assert.ok(!w.output.includes("lost Redis"), w.output);
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
});

test("1: fill, zipped job, downsampleMag, compress and copyDataset on 3 wkw workers equal the in-process executor byte for byte", { skip }, async (t) => {
  await pool("scenario", 3);
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "scenario" });
  t.after(() => ex.close());
  const got = await runScenario(path.join(root, "one"), ex);
  assert.equal(Object.keys(expected.ds).filter((k) => k.endsWith(".wkw")).length, 3 + 18 + 18 + 8);
  assert.deepEqual(got.ds, expected.ds);
  assert.deepEqual(got.copy, expected.copy);
  assert.deepEqual(got.progress.map(([d]) => d), Array.from({ length: 18 }, (_, i) => i + 1));
  assert.ok(got.progress.every(([, total, unit]) => total === 18 && unit === "chunks"));
  assert.ok(!ex.server.includes(redis.password) && ex.server === `redis://127.0.0.1:${redis.port}`);
  // several chunks per BullMQ job: the same files, progress in steps of 5, 5, 5 and 3 (any order)
  const batched = new BullMQExecutor({ connection: redis.url, queueName: "scenario", itemsPerJob: 5 });
  t.after(() => batched.close());
  const again = await runScenario(path.join(root, "one-batched"), batched);
  assert.deepEqual(again.ds, expected.ds);
  assert.deepEqual(again.copy, expected.copy);
  const steps = again.progress.map(([d], i, all) => d - (i ? all[i - 1][0] : 0));
  assert.deepEqual(steps.sort((a, b) => a - b), [3, 5, 5, 5]);
});

test("2: SIGKILL one of 3 workers mid-run, start another: same files, no temporary files, killed jobs retried", { skip }, async (t) => {
  const ws = await pool("kill", 3, { lockDuration: 1500 });
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "kill" });
  t.after(() => ex.close());
  let killed = false;
  const run = runScenario(path.join(root, "two"), ex, { fillJob: "slowFill", ms: 400 });
  await new Promise((r) => setTimeout(r, 700)); // each worker is inside a job
  ws[0].proc.kill("SIGKILL");
  killed = (await ws[0].exited).signal === "SIGKILL";
  await pool("kill", 1, { lockDuration: 1500 });
  const got = await run;
  assert.ok(killed);
  assert.deepEqual(got.ds, expected.ds);
  assert.deepEqual(got.copy, expected.copy);
  assert.deepEqual(walk(path.join(root, "two")).filter((f) => /tmp|\.compress-/.test(f)), []);
});

test("3: a job that throws rejects the call with its error and code; no new jobs start after it; a job that ends its thread is ERR_WKW_IO", { skip }, async (t) => {
  await pool("fail", 2);
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "fail", jobOptions: { attempts: 2, backoff: { type: "fixed", delay: 50 } } });
  t.after(() => ex.close());
  const ds = await makeDataset(path.join(root, "three"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const t0 = Date.now();
  await assert.rejects(mag.forEachChunk(ref("failAt", { at: 0 }), { chunkSize: [32, 32, 32], executor: ex }), (e) => {
    assert.ok(e instanceof WkwError, String(e));
    assert.equal(e.code, "ERR_WKW_CORRUPT");
    assert.equal(e.message, "chunk 0 is broken on purpose");
    assert.equal(e.path, mag.path);
    assert.equal(e.blockIndex, 17);
    return true;
  });
  assert.ok(Date.now() - t0 < 10_000);
  await assert.rejects(mag.forEachChunk(ref("plainError"), { chunkSize: [32, 32, 32], executor: ex }), (e) => {
    assert.equal(e.code, "E_USER_JOB");
    assert.match(e.message, /^plain failure in chunk \d+$/);
    return true;
  });
  // A job that ends its worker thread fails (after its attempts) with ERR_WKW_IO; the
  // worker processes live on and run the next call.
  const views = [0, 1, 2, 3].map((i) => mag.getView({ offset: [0, 0, i * 8], size: [8, 8, 8] }));
  await assert.rejects(ex.map(ref("exitThreadAt", { at: 2 }), views), (e) => {
    assert.equal(e.code, "ERR_WKW_IO");
    assert.match(e.message, /^the worker thread running job exitThreadAt of .*user-jobs\.mjs ended: .*exited with code: 3/);
    return true;
  });
  assert.deepEqual(await ex.map(ref("exitThreadAt", { at: -1 }), views), [0, 1, 2, 3]);
  // No job of the failed calls is left queued.
  const q = new Queue("fail", { connection: { host: "127.0.0.1", port: redis.port, password: redis.password } });
  t.after(() => q.close());
  const counts = await q.getJobCounts("waiting", "delayed", "active");
  assert.deepEqual(counts, { waiting: 0, delayed: 0, active: 0, paused: 0 });
});

test("4: Redis unreachable: a clear WkwError within seconds, not a hang; the password is not in it", { skip }, async () => {
  const port = await freePort(); // nothing listens there
  const ex = new BullMQExecutor({ connection: `redis://:${encodeURIComponent(redis.password)}@127.0.0.1:${port}`, queueName: "nowhere", connectTimeoutMs: 1500 });
  const t0 = Date.now();
  await assert.rejects(ex.map(ref("fill"), []), (e) => {
    assert.ok(e instanceof WkwError);
    assert.equal(e.code, "ERR_WKW_IO");
    assert.ok(e.message.startsWith(`cannot connect to Redis at redis://127.0.0.1:${port} within 1500 ms (queue nowhere)`), e.message);
    assert.ok(!e.message.includes(redis.password));
    return true;
  });
  assert.ok(Date.now() - t0 < 5000);
  await ex.close();
  // the worker command too: exit 1 with a message, no password
  const r = spawnSync(process.execPath, [CLI, "worker", "--redis", `redis://:${encodeURIComponent(redis.password)}@127.0.0.1:${port}`, "--queue", "nowhere"], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ERR_WKW_IO: cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+ within 5000 ms/);
  assert.ok(!r.stderr.includes(redis.password) && !r.stdout.includes(redis.password));
});

test("5: a job naming a module outside the allow-list is refused and its code never runs", { skip }, async (t) => {
  const marker = path.join(root, "evil-was-imported");
  const ws = await pool("evil", 2, { env: { WKW_EVIL_MARKER: marker } });
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "evil" });
  t.after(() => ex.close());
  const ds = await makeDataset(path.join(root, "five"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  await assert.rejects(mag.forEachChunk({ module: EVIL, name: "evil" }, { chunkSize: [32, 32, 32], executor: ex }), (e) => {
    assert.ok(e instanceof WkwError);
    assert.equal(e.code, "ERR_WKW_ARGUMENT");
    assert.equal(e.parameter, "job.module");
    assert.match(e.message, /^job module .*evil-job\.mjs is refused: it is not under /);
    return true;
  });
  assert.equal(existsSync(marker), false);
  // a path that escapes an allowed folder with .. is refused too
  const sneaky = path.join(JOBS_DIR, "..", "outside", "evil-job.mjs");
  await rejectsWkw(mag.forEachChunk({ module: sneaky, name: "evil" }, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "job.module");
  assert.equal(existsSync(marker), false);
  assert.ok(ws.every((w) => w.proc.exitCode === null));
});

test("functions are refused; abort removes queued jobs; argument errors", { skip }, async (t) => {
  await pool("abort", 1);
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "abort" });
  t.after(() => ex.close());
  const ds = await makeDataset(path.join(root, "six"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  await rejectsWkw(mag.forEachChunk(() => {}, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "job");
  const ac = new AbortController();
  const run = mag.forEachChunk(ref("slowFill", { salt: 1, ms: 300 }), {
    chunkSize: [32, 32, 32],
    executor: ex,
    signal: ac.signal,
    onProgress: ({ done }) => done === 1 && ac.abort(),
  });
  await rejectsWkw(run, "ERR_WKW_ABORTED");
  const files = (await mag.getBoundingBoxesOnDisk()).length;
  assert.ok(files >= 1 && files <= 2, `files: ${files}`);
  const q = new Queue("abort", { connection: { host: "127.0.0.1", port: redis.port, password: redis.password } });
  t.after(() => q.close());
  assert.deepEqual(await q.getJobCounts("waiting", "delayed", "active"), { waiting: 0, delayed: 0, active: 0, paused: 0 });
  assert.throws(() => new BullMQExecutor({ connection: "http://x", queueName: "q" }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.connection");
  assert.throws(() => new BullMQExecutor({ connection: redis.url, queueName: "a:b" }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.queueName");
  assert.throws(() => new BullMQExecutor({ connection: redis.url }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.queueName");
});

test("wkw workers import a 16-bit TIFF stack (geotiff in a job thread) as segmentation, with largestSegmentId from the jobs", { skip }, async (t) => {
  await pool("images", 2);
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "images" });
  t.after(() => ex.close());
  const input = path.join(root, "tiffs");
  mkdirSync(input);
  let largest = 0;
  const slices = [];
  for (let z = 0; z < 6; z++) {
    const data = sliceData(Uint16Array, 12, 10, 1, z);
    for (const v of data) largest = Math.max(largest, v);
    slices.push(data);
    await writeTiff(path.join(input, `s${z}.tif`), data, 12, 10);
  }
  const ds = await Dataset.fromImages(input, path.join(root, "from-tiffs"), {
    voxelSize: [1, 1, 1], category: "segmentation", layerName: "seg", blockLen: 2, fileLen: 2, maxSlabBytes: 12 * 10 * 2 * 2, executor: ex,
  });
  t.after(() => ds.close());
  const layer = ds.getLayer("seg");
  assert.ok(largest > 0);
  assert.equal(layer.largestSegmentId, largest);
  const arr = await layer.getMag(1).read([0, 0, 0], [12, 10, 6]);
  assert.deepEqual([...arr.data], slices.flatMap((s) => [...s]));
});

test("createWorker API: runs jobs in worker threads of this process, returns results in order; bad options", { skip }, async (t) => {
  const w = createWorker({ connection: redis.url, queueName: "api", allowModules: [JOBS_DIR], concurrency: 2 });
  await w.waitUntilReady();
  t.after(() => w.close());
  assert.equal(w.server, `redis://127.0.0.1:${redis.port}`);
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "api" });
  t.after(() => ex.close());
  const ds = await makeDataset(path.join(root, "api"));
  t.after(() => ds.close());
  const views = [...Array(5).keys()].map((i) => ds.getLayer("color").getMag(1).getView({ offset: [0, 0, i * 8], size: [8, 8, 8] }));
  const out = await ex.map(ref("fill", { salt: 2 }), views, { operationId: "api-op" });
  assert.deepEqual(out, [0, 1, 2, 3, 4].map((index) => ({ index, voxels: 512 })));
  const a = await ds.getLayer("color").getMag(1).read([1, 2, 9], [1, 1, 1]);
  assert.equal(a.data[0], (1 * 7 + 2 * 13 + 9 * 29 + 2) % 251);
  // Jobs run in worker threads of this process with a small young generation (job-threads.ts).
  const info = await ex.map(ref("runnerInfo"), views, { operationId: "api-info" });
  assert.deepEqual(info, [0, 1, 2, 3, 4].map((index) => ({ index, isMainThread: false, pid: process.pid, maxYoungGenerationSizeMb: 6 })));
  assert.throws(() => createWorker({ connection: redis.url, queueName: "api", allowModules: "x" }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.allowModules");
  assert.throws(() => createWorker({ connection: redis.url, queueName: "api", concurrency: 0 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.concurrency");
  assert.throws(() => createWorker({ connection: 5, queueName: "api" }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.connection");
  await rejectsWkw(ex.map(ref("fill"), views, { operationId: "a b" }), "ERR_WKW_ARGUMENT", "options.operationId");
});

test("close() leaves nothing that keeps the process alive", { skip }, async () => {
  const script = `
    const { BullMQExecutor } = require(${JSON.stringify(path.resolve("dist/index.js"))});
    const ex = new BullMQExecutor({ connection: ${JSON.stringify(redis.url)}, queueName: "idle" });
    ex.map(${JSON.stringify(ref("fill"))}, []).then((r) => ex.close()).then(() => console.log("closed"));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 15_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "closed");
});

test("Redis killed mid-run: the call rejects with ERR_WKW_IO within reconnectTimeoutMs + 2 s, close() returns, nothing keeps the process alive, no temporary files", { skip }, async (t) => {
  // A Redis of its own (this one is killed), 2 workers, and the driver in a child process
  // (to prove that nothing keeps it alive after close()).
  const doomed = await startRedis();
  t.after(() => doomed.stop());
  const ws = Array.from({ length: 2 }, () => startWorker(doomed.url, "doomed", { allow: [JOBS_DIR] }));
  t.after(() => Promise.all(ws.map((w) => w.stop())));
  await Promise.all(ws.map((w) => w.ready));
  const dir = path.join(root, "doomed");
  (await makeDataset(dir)).close();
  const script = `
    const { BullMQExecutor, Dataset } = require(${JSON.stringify(path.resolve("dist/index.js"))});
    (async () => {
      const ds = await Dataset.open(${JSON.stringify(dir)});
      const ex = new BullMQExecutor({ connection: ${JSON.stringify(doomed.url)}, queueName: "doomed", reconnectTimeoutMs: 1500, itemsPerJob: 1 });
      const run = ds.getLayer("color").getMag(1).forEachChunk(${JSON.stringify(ref("slowFill", { salt: 5, ms: 300 }))}, {
        chunkSize: [32, 32, 32], executor: ex, onProgress: ({ done }) => done === 2 && console.log("running"),
      });
      const err = await run.then(() => undefined, (e) => e);
      console.log(JSON.stringify({ at: Date.now(), code: err?.code, message: err?.message, wkw: err?.name }));
      const t0 = Date.now();
      await ex.close();
      ds.close();
      console.log(JSON.stringify({ closeMs: Date.now() - t0 }));
    })();`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!out.includes("running") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  assert.ok(out.includes("running"), `the run did not start: ${out} ${err}`);
  const killedAt = Date.now();
  doomed.kill();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, `the driver did not exit by itself (code ${code}): ${out} ${err}`);
  const [failure, closing] = out.trim().split("\n").slice(-2).map((l) => JSON.parse(l));
  assert.equal(failure.code, "ERR_WKW_IO");
  assert.equal(failure.wkw, "WkwError");
  assert.match(failure.message, new RegExp(`^lost the connection to Redis at redis://127\\.0\\.0\\.1:${doomed.port} \\(queue doomed\\): no answer for 1500 ms`));
  assert.ok(!out.includes(doomed.password) && !err.includes(doomed.password), "the password was printed");
  assert.ok(failure.at - killedAt < 1500 + 2000, `rejected ${failure.at - killedAt} ms after the kill`);
  assert.ok(closing.closeMs < 3000, `close() took ${closing.closeMs} ms`);
  // The workers finish their running job and stop on SIGTERM although Redis is gone; what
  // they wrote is whole: no temporary files, every written chunk complete.
  const stopped = await Promise.race([Promise.all(ws.map((w) => w.stop())), new Promise((r) => setTimeout(() => r("hang"), 15_000))]);
  assert.notEqual(stopped, "hang", `a worker did not stop after SIGTERM without Redis: ${ws.map((w) => w.output).join("\n")}`);
  assert.deepEqual(walk(dir).filter((f) => /tmp|\.compress-|\.lock/.test(f)), []);
  const ds = await (await import("../dist/index.js")).Dataset.open(dir);
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const boxes = await mag.getBoundingBoxesOnDisk();
  assert.ok(boxes.length >= 2 && boxes.length < 18, `files: ${boxes.length}`);
  for (const box of boxes) {
    const a = await mag.read(box.topLeft, [32, 32, 32]);
    const [x, y, z] = box.topLeft;
    assert.equal(a.data[a.data.length - 1], ((x + 31) * 7 + (y + 31) * 13 + (z + 31) * 29 + 5) % 251, `chunk at ${box.topLeft} is incomplete`);
  }
});

test("wkw worker without Redis: logs the loss once and exits 1 after --give-up-after, without printing the password", { skip }, async (t) => {
  const doomed = await startRedis();
  t.after(() => doomed.stop());
  const quitter = startWorker(doomed.url, "gone", { extra: ["--give-up-after", "1500"] });
  t.after(() => quitter.stop());
  await quitter.ready;
  const killedAt = Date.now();
  doomed.kill();
  const { code } = await quitter.exited;
  const after = Date.now() - killedAt;
  assert.equal(code, 1, quitter.output);
  assert.ok(after >= 1500 && after < 1500 + 8000, `exited ${after} ms after the kill`);
  assert.match(quitter.output, /wkw worker: lost Redis at redis:\/\/127\.0\.0\.1:\d+; reconnecting \(giving up after 1500 ms\)/);
  assert.match(quitter.output, /ERR_WKW_IO: Redis at redis:\/\/127\.0\.0\.1:\d+ was unreachable for 1500 ms \(--give-up-after\); stopping/);
  assert.ok(!quitter.output.includes(doomed.password));
});

test("auto batching: 300 items come back in item order, in fewer jobs than items; explicit itemsPerJob and bad values", { skip }, async (t) => {
  await pool("batch", 2);
  const ex = new BullMQExecutor({ connection: redis.url, queueName: "batch" });
  t.after(() => ex.close());
  const ds = await makeDataset(path.join(root, "batch"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const views = [...Array(300).keys()].map((i) => mag.getView({ offset: [(i % 12) * 8, (Math.floor(i / 12) % 12) * 8, Math.floor(i / 144) * 8], size: [8, 8, 8] }));
  for (let round = 0; round < 2; round++) {
    const steps = [];
    const out = await ex.map(ref("fill", { salt: 4 }), views, { onProgress: ({ done }) => steps.push(done) });
    assert.deepEqual(out, views.map((_, index) => ({ index, voxels: 512 })));
    assert.equal(steps.at(-1), 300);
    // at most 300 / (2 workers × 4) = 37 items per job; the first round starts with 1-item jobs
    assert.ok(steps.length < 300 && steps.every((d, i) => d - (i ? steps[i - 1] : 0) <= 37), String(steps));
  }
  assert.throws(() => new BullMQExecutor({ connection: redis.url, queueName: "batch", itemsPerJob: 0 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.itemsPerJob");
  assert.throws(() => new BullMQExecutor({ connection: redis.url, queueName: "batch", reconnectTimeoutMs: 5 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.reconnectTimeoutMs");
  assert.throws(() => createWorker({ connection: redis.url, queueName: "batch", itemConcurrency: 0 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.itemConcurrency");
});
