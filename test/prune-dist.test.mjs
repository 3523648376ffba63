// scripts/prune-dist.js (run by `npm run build:ts` before tsc): compiler output whose
// lib/ source is gone is removed; output with a source, and the other build steps'
// files, stay. Runs on a small tree in a temporary folder, not on this checkout's dist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./support/fixtures.mjs";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "scripts", "prune-dist.js");

test("prune-dist removes output of deleted sources only", (t) => {
  const root = tempDir(t);
  const files = {
    "lib/index.ts": "", "lib/ops/copy.ts": "",
    "dist/index.js": "", "dist/index.d.ts": "", "dist/index.mjs": "", "dist/viewer/app.js": "",
    "dist/ops/copy.js": "", "dist/ops/copy.d.ts": "",
    "dist/dataset/copy.js": "", "dist/dataset/copy.d.ts": "", "dist/dataset/copy.js.map": "",
    "dist/gone/deeper/a.js": "", "dist/notes.txt": "",
  };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  const r = spawnSync(process.execPath, [script, root], { encoding: "utf8" });
  assert.equal(r.status, 0);
  assert.deepEqual(r.stderr.trim().split("\n").sort(), [
    "prune-dist: removed dist/dataset/copy.d.ts (no lib/dataset/copy.ts)",
    "prune-dist: removed dist/dataset/copy.js (no lib/dataset/copy.ts)",
    "prune-dist: removed dist/dataset/copy.js.map (no lib/dataset/copy.ts)",
    "prune-dist: removed dist/gone/deeper/a.js (no lib/gone/deeper/a.ts)",
  ]);
  const left = (f) => existsSync(path.join(root, f));
  for (const f of ["dist/dataset/copy.js", "dist/dataset/copy.d.ts", "dist/dataset/copy.js.map", "dist/dataset", "dist/gone"]) {
    assert.equal(left(f), false, `${f} is removed`);
  }
  for (const f of ["dist/index.js", "dist/index.d.ts", "dist/index.mjs", "dist/viewer/app.js", "dist/ops/copy.js", "dist/ops/copy.d.ts", "dist/notes.txt"]) {
    assert.equal(left(f), true, `${f} is kept`);
  }
});
