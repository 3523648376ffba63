// Job sizes of itemsPerJob "auto" (lib/ops/batching.ts): exact sizes for known timings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JobSizer, SizerMemory, batches } from "../dist/ops/batching.js";

const sizes = (n, sizer) => [...batches(Array.from({ length: n }, (_, i) => i), sizer)].map((b) => b.items.length);

test("auto: one item per job while learning; then ~25 ms jobs, at most total / (slots × 4), shrinking towards the end", () => {
  assert.deepEqual(sizes(5, new JobSizer("auto", 5, 2)), [1, 1, 1, 1, 1]);
  // 0.15 ms per item: 166 by time, capped at 512 / 8 = 64; the tail shrinks to remaining / 4, not below 3 ms (20 items).
  assert.deepEqual(sizes(512, new JobSizer("auto", 512, 2, 0.15)), [64, 64, 64, 64, 64, 48, 36, 27, 21, 20, 20, 20]);
  // Whole-file jobs (280 ms each) stay one per job.
  assert.deepEqual(sizes(8, new JobSizer("auto", 8, 2, 280)), [1, 1, 1, 1, 1, 1, 1, 1]);
  // Without a known total: by time only (25 ms / 0.5 ms = 50), no tail.
  assert.deepEqual(sizes(120, new JobSizer("auto", undefined, 2, 0.5)), [50, 50, 20]);
  // Batches cover every item once, in order, with their first index.
  const all = [...batches(Array.from({ length: 300 }, (_, i) => i), new JobSizer("auto", 300, 3, 0.2))];
  assert.deepEqual(all.flatMap((b) => b.items), Array.from({ length: 300 }, (_, i) => i));
  assert.deepEqual(all.map((b) => b.index), all.map((b) => b.items[0]));
});

test("an explicit itemsPerJob is used as it is; learnt timings carry over to the next call of the same work", () => {
  assert.deepEqual(sizes(12, new JobSizer(5, 12, 2, 0.15)), [5, 5, 2]);
  const memory = new SizerMemory();
  const ref = { module: "/jobs.js", name: "f" };
  const first = memory.sizer("auto", ref, 512, 2);
  assert.equal(first.learning, true);
  first.observe(10, 1.5);
  memory.remember(ref, 512, first);
  const next = memory.sizer("auto", ref, 512, 2);
  assert.equal(next.learning, false);
  assert.equal(next.sizeAt(0), 64);
  assert.equal(memory.sizer("auto", ref, 100, 2).learning, true); // another item count: learnt anew
});
