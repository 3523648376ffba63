// The Executor contract: order, bounded concurrency, lazy items, first failure after the
// running jobs settle, argument checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { InProcessExecutor, getDefaultExecutor } from "../dist/index.js";
import { rejectsWkw, throwsWkw } from "./support/dataset.mjs";

test("results come back in item order; jobs get (item, index)", async () => {
  const ex = new InProcessExecutor({ concurrency: 3 });
  const delays = [30, 5, 20, 1, 10];
  const out = await ex.map(async (d, i) => {
    await sleep(d);
    return `${i}:${d}`;
  }, delays);
  assert.deepEqual(out, ["0:30", "1:5", "2:20", "3:1", "4:10"]);
  assert.deepEqual(await ex.map((x) => x * 2, []), []);
  assert.deepEqual(await ex.map((x) => x * 2, new Set([1, 2])), [2, 4]);
});

test("at most `concurrency` jobs run at once and items are pulled lazily", async () => {
  const ex = new InProcessExecutor({ concurrency: 2 });
  let running = 0, maxRunning = 0, pulled = 0, finished = 0, maxAhead = 0;
  function* items() {
    for (let i = 0; i < 10; i++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - finished);
      yield i;
    }
  }
  await ex.map(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(2);
    running--;
    finished++;
  }, items());
  assert.equal(maxRunning, 2);
  assert.equal(maxAhead, 2);
  assert.equal(finished, 10);
});

test("the first failure rejects after the running jobs settle; no job starts after it", async () => {
  const ex = new InProcessExecutor({ concurrency: 3 });
  const started = [];
  const finished = [];
  const boom = new Error("boom");
  await assert.rejects(
    ex.map(async (i) => {
      started.push(i);
      if (i === 1) {
        await sleep(5);
        throw boom;
      }
      if (i === 2) {
        await sleep(5);
        throw new Error("second failure");
      }
      await sleep(40);
      finished.push(i);
    }, [0, 1, 2, 3, 4, 5]),
    (err) => err === boom,
  );
  // 0 was running when 1 failed: it finished before the call rejected; 3.. never started.
  assert.deepEqual(started, [0, 1, 2]);
  assert.deepEqual(finished, [0]);
});

test("a job that throws synchronously and an iterator that throws reject the call", async () => {
  const ex = new InProcessExecutor({ concurrency: 2 });
  await assert.rejects(ex.map(() => {
    throw new RangeError("sync");
  }, [1]), RangeError);
  function* bad() {
    yield 1;
    throw new TypeError("iterator");
  }
  const seen = [];
  await assert.rejects(ex.map(async (x) => {
    await sleep(5);
    seen.push(x);
  }, bad()), TypeError);
  assert.deepEqual(seen, [1]);
});

test("argument checks: job, items, concurrency", async () => {
  const ex = new InProcessExecutor();
  assert.ok(ex.concurrency >= 1);
  await rejectsWkw(ex.map("nope", [1]), "ERR_WKW_ARGUMENT", "job");
  await rejectsWkw(ex.map(() => 1, 5), "ERR_WKW_ARGUMENT", "items");
  await rejectsWkw(ex.map(() => 1, null), "ERR_WKW_ARGUMENT", "items");
  for (const c of [0, -1, 1.5, NaN, "2", 5000]) {
    throwsWkw(() => new InProcessExecutor({ concurrency: c }), "ERR_WKW_ARGUMENT", "options.concurrency");
  }
  throwsWkw(() => new InProcessExecutor(7), "ERR_WKW_ARGUMENT", "options");
  assert.equal(getDefaultExecutor(), getDefaultExecutor());
});
