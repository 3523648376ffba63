// The README examples and the typing promises (typed reads by voxel type, SegmentationLayer
// from addLayer, no internals, unknown options rejected) compile with tsc --noEmit (strict,
// module nodenext) against the published types in dist/ (test/types/*.mts, *.cts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

test("test/types compiles with tsc --noEmit (strict, nodenext)", { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "test/types/tsconfig.json")], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
