// WorkerThreadExecutor (piscina): the scenario gives byte-identical files to the in-process
// executor; failures keep their WkwError fields; functions are refused; abort and progress.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WkwError, WorkerThreadExecutor, InProcessExecutor } from "../dist/index.js";
import { encodeBatch } from "../dist/ops/run-job.js";
import { makeDataset, ref, runScenario } from "./support/executor-scenario.mjs";
import { rejectsWkw } from "./support/dataset.mjs";

function tempRoot(t) {
  const root = mkdtempSync(path.join(tmpdir(), "wkw-threads-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test("6: fill, zipped job, downsampleMag, compress and copyDataset on 2 threads equal the in-process executor byte for byte", async (t) => {
  const root = tempRoot(t);
  const expected = await runScenario(path.join(root, "inproc"), new InProcessExecutor({ concurrency: 2 }));
  const ex = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => ex.close());
  const got = await runScenario(path.join(root, "threads"), ex);
  assert.equal(Object.keys(expected.ds).filter((k) => k.endsWith(".wkw")).length, 3 + 18 + 18 + 8); // headers, 18 files per layer, 8 in mag 2-2-1
  assert.deepEqual(got.ds, expected.ds);
  assert.deepEqual(got.copy, expected.copy);
  // default batching ("auto"): the first jobs carry 1 chunk, later ones at most 18 / (2 threads × 4) = 2
  const done = got.progress.map(([d]) => d);
  assert.equal(done.at(-1), 18);
  assert.ok(done.every((d, i) => d - (i ? done[i - 1] : 0) >= 1 && d - (i ? done[i - 1] : 0) <= 2), String(done));
  assert.ok(got.progress.every(([, total, unit]) => total === 18 && unit === "chunks"));
});

test("itemsPerJob: 1 chunk per job gives progress 1..18; 5 per job steps of 5, 5, 5, 3; results in item order; bad options", async (t) => {
  const root = tempRoot(t);
  const ds = await makeDataset(path.join(root, "ds"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  for (const [itemsPerJob, steps] of [[1, Array(18).fill(1)], [5, [3, 5, 5, 5]]]) {
    const ex = new WorkerThreadExecutor({ threads: 2, itemsPerJob, itemConcurrency: 3 });
    t.after(() => ex.close());
    const done = [];
    await mag.forEachChunk(ref("fill", { salt: itemsPerJob }), { chunkSize: [32, 32, 32], executor: ex, onProgress: (p) => done.push(p.done) });
    assert.deepEqual(done.map((d, i) => d - (i ? done[i - 1] : 0)).sort((a, b) => a - b), steps);
    assert.equal((await mag.read([95, 95, 63], [1, 1, 1])).data[0], (95 * 7 + 95 * 13 + 63 * 29 + itemsPerJob) % 251);
  }
  // 100 items through "auto" batches come back in item order
  const ex = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => ex.close());
  const views = [...Array(100).keys()].map((i) => mag.getView({ offset: [i % 12 * 8, Math.floor(i / 12) * 8, 0], size: [8, 8, 8] }));
  const out = await ex.map(ref("fill", { salt: 3 }), views);
  assert.deepEqual(out, views.map((_, index) => ({ index, voxels: 512 })));
  // The jobs ran in threads with the job threads' small young generation (job-threads.ts).
  const info = await ex.map(ref("runnerInfo"), views.slice(0, 4));
  assert.deepEqual(info, [0, 1, 2, 3].map((index) => ({ index, isMainThread: false, pid: process.pid, maxYoungGenerationSizeMb: 6 })));
  assert.throws(() => new WorkerThreadExecutor({ itemsPerJob: 0 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.itemsPerJob");
  assert.throws(() => new WorkerThreadExecutor({ itemsPerJob: "many" }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.itemsPerJob");
  assert.throws(() => new WorkerThreadExecutor({ itemConcurrency: 1.5 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.itemConcurrency");
});

test("batched chunk views travel as one descriptor and boxes; items of other sources whole; jobs see the same views either way", async (t) => {
  const root = tempRoot(t);
  const ds = await makeDataset(path.join(root, "ds"));
  t.after(() => ds.close());
  const color = ds.getLayer("color").getMag(1);
  const inv = ds.getLayer("inverted").getMag(1);
  const chunks = [...Array(12).keys()].map((i) => color.getView({ offset: [i * 8, 8, 0], size: [8, 16, 4] }));
  const pairs = chunks.map((c, i) => [c.getView({ offset: [0, 0, 0], size: [4, 4, 4], readOnly: true }), inv.getView({ offset: [i * 8, 0, 0], size: [8, 8, 8] })]);
  const compact = encodeBatch(ref("describe"), chunks, 5, 2);
  assert.deepEqual(compact.shared, [chunks[0].toJSON()]);
  assert.deepEqual(compact.batch.map((b) => b.index), [...Array(12).keys()].map((k) => 5 + k));
  assert.deepEqual(compact.batch[3].views, [[24, 8, 0, 8, 16, 4]]);
  assert.deepEqual(encodeBatch(ref("describe"), pairs, 0).shared, pairs[0].map((v) => v.toJSON()));
  // A view of another layer (or a read-only one) among them: whole descriptors for all.
  const mixed = encodeBatch(ref("describe"), [chunks[0], inv.getView({ offset: [0, 0, 0], size: [8, 8, 8] }), chunks[1]], 0);
  assert.equal(mixed.shared, undefined);
  assert.ok(mixed.batch.every((b) => !Array.isArray(b.views[0]) && b.views[0].type === "wkw.View"));
  const ex = new WorkerThreadExecutor({ threads: 2, itemsPerJob: 5 });
  t.after(() => ex.close());
  for (const items of [chunks, pairs, [chunks[0], pairs[1][1], chunks[2], chunks[3].getView({ offset: [0, 0, 0], size: [2, 2, 2], readOnly: true })]]) {
    assert.deepEqual(await ex.map(ref("describe"), items), items.map((item) => (Array.isArray(item) ? item : [item]).map((v) => v.toJSON())));
  }
});

test("a failing job rejects with its WkwError (code, message, path, blockIndex); a plain error keeps its code; a job that ends its thread is ERR_WKW_IO", async (t) => {
  const root = tempRoot(t);
  const ds = await makeDataset(path.join(root, "ds"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const ex = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => ex.close());
  await assert.rejects(mag.forEachChunk(ref("failAt", { at: 3 }), { chunkSize: [32, 32, 32], executor: ex }), (e) => {
    assert.ok(e instanceof WkwError);
    assert.equal(e.code, "ERR_WKW_CORRUPT");
    assert.equal(e.message, "chunk 3 is broken on purpose");
    assert.equal(e.path, mag.path);
    assert.equal(e.blockIndex, 17);
    return true;
  });
  await assert.rejects(mag.forEachChunk(ref("plainError"), { chunkSize: [32, 32, 32], executor: ex }), (e) => {
    assert.equal(e.code, "E_USER_JOB");
    assert.match(e.message, /^plain failure in chunk \d+$/);
    return true;
  });
  // A job that ends its thread: ERR_WKW_IO naming the job; the pool goes on with new threads.
  const views = [0, 1, 2, 3].map((i) => mag.getView({ offset: [0, 0, i * 8], size: [8, 8, 8] }));
  const exit = new WorkerThreadExecutor({ threads: 2, itemsPerJob: 1 });
  t.after(() => exit.close());
  await assert.rejects(exit.map(ref("exitThreadAt", { at: 1 }), views), (e) => {
    assert.ok(e instanceof WkwError);
    assert.equal(e.code, "ERR_WKW_IO");
    assert.match(e.message, /^the worker thread running job exitThreadAt of .*user-jobs\.mjs ended: .*exited with code: 3/);
    return true;
  });
  assert.deepEqual(await exit.map(ref("exitThreadAt", { at: -1 }), views), [0, 1, 2, 3]);
});

test("functions, bad references and missing exports are refused with ERR_WKW_ARGUMENT", async (t) => {
  const root = tempRoot(t);
  const ds = await makeDataset(path.join(root, "ds"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const ex = new WorkerThreadExecutor({ threads: 1 });
  t.after(() => ex.close());
  await rejectsWkw(mag.forEachChunk(() => {}, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "job");
  await rejectsWkw(ex.map(() => 1, [1]), "ERR_WKW_ARGUMENT", "job");
  await rejectsWkw(mag.forEachChunk({ module: "relative/path.mjs", name: "fill" }, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "work.module");
  await rejectsWkw(mag.forEachChunk({ ...ref("fill"), name: "no such" }, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "work.name");
  await rejectsWkw(mag.forEachChunk({ ...ref("fill"), args: { n: 1n } }, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "work.args");
  await rejectsWkw(mag.forEachChunk({ ...ref("fill"), extra: 1 }, { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "work.extra");
  await rejectsWkw(mag.forEachChunk(ref("notExported"), { chunkSize: [32, 32, 32], executor: ex }), "ERR_WKW_ARGUMENT", "job.name");
  await rejectsWkw(ex.map(ref("fill"), [1]), "ERR_WKW_ARGUMENT", "items[0]");
  await rejectsWkw(mag.forEachChunk(ref("fill"), { chunkSize: [32, 32, 32], executor: ex, signal: "x" }), "ERR_WKW_ARGUMENT", "options.signal");
  assert.throws(() => new WorkerThreadExecutor({ threads: 0 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.threads");
  assert.throws(() => new WorkerThreadExecutor({ thread: 2 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.thread");
  // nothing was written by the refused calls
  assert.deepEqual(await mag.getBoundingBoxesOnDisk(), []);
});

test("an AbortSignal stops starting chunks: ERR_WKW_ABORTED, fewer chunks written than planned", async (t) => {
  const root = tempRoot(t);
  const ds = await makeDataset(path.join(root, "ds"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const ex = new WorkerThreadExecutor({ threads: 1, itemsPerJob: 1 });
  t.after(() => ex.close());
  const ac = new AbortController();
  let done = 0;
  const run = mag.forEachChunk(ref("slowFill", { salt: 1, ms: 100 }), {
    chunkSize: [32, 32, 32],
    executor: ex,
    signal: ac.signal,
    onProgress: (p) => {
      done = p.done;
      if (p.done === 2) ac.abort();
    },
  });
  await rejectsWkw(run, "ERR_WKW_ABORTED");
  const files = (await mag.getBoundingBoxesOnDisk()).length;
  assert.ok(files >= 2 && files <= 4, `files written: ${files}`); // 2 done + at most 2 in flight
  assert.ok(done >= 2);
});

test("a running job's context.signal aborts with the call (in-process and worker threads); it stays quiet otherwise", async (t) => {
  const root = tempRoot(t);
  const ds = await makeDataset(path.join(root, "ds"));
  t.after(() => ds.close());
  const mag = ds.getLayer("color").getMag(1);
  const threads = new WorkerThreadExecutor({ threads: 2, itemsPerJob: 1 });
  t.after(() => threads.close());
  for (const [name, executor] of [["in-process", new InProcessExecutor({ concurrency: 2 })], ["threads", threads]]) {
    const dir = path.join(root, name);
    mkdirSync(dir);
    // quiet: every job times out on its own
    const quiet = await executor.map(ref("waitForAbort", { ms: 5, dir }), [0, 1, 2].map((i) => mag.getView({ offset: [0, 0, i * 8], size: [8, 8, 8] })));
    assert.deepEqual(quiet, ["timeout", "timeout", "timeout"]);
    // aborted: the two running jobs see it at once (they would wait 20 s), no other starts
    const ac = new AbortController();
    const views = [0, 1, 2, 3, 4].map((i) => mag.getView({ offset: [0, 0, i * 8], size: [8, 8, 8] }));
    setTimeout(() => ac.abort(), 300);
    const t0 = performance.now();
    await rejectsWkw(executor.map(ref("waitForAbort", { ms: 20_000, dir }), views, { signal: ac.signal }), "ERR_WKW_ABORTED");
    assert.ok(performance.now() - t0 < 10_000, `${name}: settled ${(performance.now() - t0).toFixed(0)} ms after the start`);
    const markers = readdirSync(dir).filter((f) => f.endsWith("-aborted")).sort();
    assert.deepEqual(markers, ["job-0-aborted", "job-1-aborted"], name);
  }
});
