// The README examples and the typing promises (typed reads by voxel type, SegmentationLayer
// from addLayer, no internals, unknown options rejected) compile with tsc --noEmit (strict,
// module nodenext) against the published types in dist/ (test/types/*.mts, *.cts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

test("test/types compiles with tsc --noEmit (strict, nodenext)", { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "test/types/tsconfig.json")], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});

test("test/types holds every line of the README's examples, verbatim", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  const files = ["readme-low-level.mts", "readme-dataset.mts"].map((f) => readFileSync(path.join(root, "test/types", f), "utf8").split("\n"));
  assert.equal(blocks.length, files.length);
  blocks.forEach((block, i) => {
    for (const line of block.split("\n").filter((l) => l.trim())) assert.ok(files[i].includes(line), `README line missing from test/types: ${line}`);
  });
});
