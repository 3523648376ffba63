// `npm run bench -- --quick --no-reference` runs end to end: every configuration in its own
// child process, a JSON record with finite figures. Nothing here checks a timing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./support/fixtures.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { configurations } = require("../bench/cases.js");
const { QUICK } = require("../bench/config.js");

test("bench --quick exits 0 and records every case with finite numbers", (t) => {
  const out = path.join(tempDir(t), "result.json");
  // --no-reference: a test never runs anything outside the checkout.
  const r = spawnSync(process.execPath, [path.join(root, "bench/run.js"), "--quick", "--no-reference", "--out", out], {
    cwd: root, encoding: "utf8", timeout: 240_000,
  });
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}\n${r.stdout}`);
  const record = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(record.quick, true);
  assert.equal(record.referenceTool, null);
  const configs = configurations(QUICK);
  assert.deepEqual(Object.keys(record.results).sort(), configs.map((c) => c.id).sort());
  for (const [id, result] of Object.entries(record.results)) {
    for (const key of ["msPerOp", "minMsPerOp", "bytesPerOp", "peakRssMb", "iterations"]) {
      assert.ok(Number.isFinite(result[key]) && result[key] > 0, `${id}.${key} = ${result[key]}`);
    }
    for (const key of ["spreadPct", "sysMsPerOp", "userMsPerOp"]) {
      assert.ok(Number.isFinite(result[key]) && result[key] >= 0, `${id}.${key} = ${result[key]}`);
    }
    assert.ok(result.minMsPerOp <= result.msPerOp, `${id}: min ≤ median`);
  }
  // The table rows: every case but the pure baselines; no reference column without the tool.
  assert.deepEqual(record.cases.map((c) => c.id), configs.filter((c) => !c.baselineOnly).map((c) => c.id));
  for (const c of record.cases) {
    assert.ok(Number.isFinite(c.mbps) && c.mbps > 0, `${c.id} MB/s`);
    assert.equal(c.ratioReference, undefined, `${c.id} has no reference ratio`);
    if (c.baselineId !== undefined) assert.ok(Number.isFinite(c.ratioBaseline) && c.ratioBaseline > 0, `${c.id} ratio`);
  }
  // Every size of the sweep has sync and async rows, fresh and into a reused out.
  for (const n of QUICK.readSizes) {
    for (const mode of ["sync.fresh", "sync.out", "async.fresh", "async.out"]) {
      assert.ok(record.results[`read.fl${QUICK.fileLen.wk}.${n}.em.lz4.${mode}`], `${n}³ ${mode}`);
    }
  }
  // The cached random rows really read through the cache: the timed passes hit it.
  const cached = record.results["random.em.cached.sync"].cache;
  assert.ok(cached.hits > 0 && cached.bytes > 0, JSON.stringify(cached));
  for (const v of ["em", "seg"]) assert.ok(record.data.wk[v].ratio.lz4 > 1, `${v} compresses`);
  assert.match(r.stdout, /\[whole read, file length/);
});
