// `npm run bench -- --quick` runs end to end: every configuration in its own child process,
// a JSON record with finite figures. Nothing here checks a timing.
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
  const r = spawnSync(process.execPath, [path.join(root, "bench/run.js"), "--quick", "--out", out], {
    cwd: root, encoding: "utf8", timeout: 240_000,
  });
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}\n${r.stdout}`);
  const record = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(record.quick, true);
  const configs = configurations(QUICK);
  assert.deepEqual(Object.keys(record.results).sort(), configs.map((c) => c.id).sort());
  for (const [id, result] of Object.entries(record.results)) {
    for (const key of ["mbps", "peakRssMb", "iterations"]) {
      assert.ok(Number.isFinite(result[key]) && result[key] > 0, `${id}.${key} = ${result[key]}`);
    }
    for (const [key, v] of Object.entries(result)) {
      if (typeof v === "number") assert.ok(Number.isFinite(v), `${id}.${key} = ${v}`);
    }
  }
  // The table rows: every case but the pure baselines, each with its ratio to the baseline.
  assert.deepEqual(record.cases.map((c) => c.id), configs.filter((c) => !c.baselineOnly).map((c) => c.id));
  for (const c of record.cases) {
    assert.ok(Number.isFinite(c.ratioBaseline) && c.ratioBaseline > 0, `${c.id} ratio`);
    if (c.reference !== undefined) assert.ok(Number.isFinite(c.ratioReference), `${c.id} reference ratio`);
  }
  for (const v of ["em", "seg"]) assert.ok(record.data[v].ratio.lz4 > 1, `${v} compresses`);
  assert.match(r.stdout, /\[whole read\]/);
});
