// One progress shape in the whole public API: onProgress({ done, total, unit }).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Dataset, InProcessExecutor } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";

test("Executor.map: { done, total, unit: 'jobs' }; total from options, an array, or the items taken", async () => {
  const ex = new InProcessExecutor({ concurrency: 1 });
  const seen = [];
  await ex.map((x) => x * 2, [1, 2, 3], { onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen, [1, 2, 3].map((done) => ({ done, total: 3, unit: "jobs" })));
  seen.length = 0;
  await ex.map((x) => x, (function* () { yield* [5, 6]; })(), { total: 2, onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen, [{ done: 1, total: 2, unit: "jobs" }, { done: 2, total: 2, unit: "jobs" }]);
  seen.length = 0;
  await ex.map((x) => x, (function* () { yield* [5, 6]; })(), { onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen.map((p) => [p.done, p.unit]), [[1, "jobs"], [2, "jobs"]]);
  assert.ok(seen.every((p) => p.total >= p.done));
});

test("forEachChunk counts chunks; compress counts files", async (t) => {
  const ds = await Dataset.create(path.join(tempDir(t), "ds"), { scale: [1, 1, 1] });
  const mag = await (await ds.addLayer("color", "color")).addMag(1, { blockLen: 8, fileLen: 2 });
  await mag.write({ data: new Uint8Array(32 * 16 * 16).map((_, i) => i % 251), shape: [32, 16, 16] }, [0, 0, 0]);
  const chunks = [];
  await mag.forEachChunk(() => undefined, { chunkSize: [16, 16, 16], onProgress: (p) => chunks.push(p) });
  assert.deepEqual(chunks, [1, 2].map((done) => ({ done, total: 2, unit: "chunks" })));
  const files = [];
  await mag.compress({ executor: new InProcessExecutor({ concurrency: 1 }), onProgress: (p) => files.push(p) });
  assert.deepEqual(files, [1, 2].map((done) => ({ done, total: 2, unit: "files" })));
  ds.close();
});
