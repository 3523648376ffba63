// Types as a TypeScript user meets them, compiled with tsc --noEmit (strict, module
// nodenext) against the published types in dist/ through `import … from "wkw"`:
// - test/types/*.mts, *.cts: the README examples plus the typing promises (typed reads by
//   voxel type, SegmentationLayer from addLayer, no internals, unknown options rejected);
// - every ```js block of README.md as it is written, each compiled as its own module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

function compile(project) {
  const r = spawnSync(process.execPath, [tsc, "-p", project], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
}

test("test/types compiles with tsc --noEmit (strict, nodenext)", { timeout: 300_000 }, () => {
  compile(path.join(root, "test/types/tsconfig.json"));
});

test("every README example compiles as written (strict TypeScript, nodenext)", { timeout: 300_000 }, (t) => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, `${blocks.length} examples`);
  // Inside the package folder, so `import … from "wkw"` resolves to this package's types.
  const dir = mkdtempSync(path.join(root, "test/types/.readme-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  blocks.forEach((code, i) => writeFileSync(path.join(dir, `example-${i + 1}.mts`), code));
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.json", include: ["*.mts"] }));
  compile(path.join(dir, "tsconfig.json"));
});
