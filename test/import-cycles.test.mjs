// No import circles between the package's modules: lib/ (value imports; type-only imports
// are erased) and the CommonJS build in dist/ (what loads at run time).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { findCycles } = require("../scripts/import-cycles.js");
const root = path.join(path.dirname(new URL(import.meta.url).pathname), "..");

test("lib/ has no import cycles", () => {
  assert.deepEqual(findCycles(path.join(root, "lib"), "lib"), []);
});

test("dist/ has no require cycles", () => {
  assert.ok(fs.existsSync(path.join(root, "dist", "index.js")), "run npm run build:ts first");
  assert.deepEqual(findCycles(path.join(root, "dist"), "dist"), []);
});

test("the checker finds a cycle (value imports) and ignores type-only imports", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wkw-cycles-"));
  try {
    fs.writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./b.js";\nexport const a = () => b;\n');
    fs.writeFileSync(path.join(dir, "b.ts"), 'import { c } from "./c.js";\nexport const b = c;\n');
    fs.writeFileSync(path.join(dir, "c.ts"), 'import { a } from "./a.js";\nimport type { T } from "./d.js";\nexport const c = a;\n');
    fs.writeFileSync(path.join(dir, "d.ts"), 'import { c } from "./c.js";\nexport type T = number;\nexport const d = c;\n');
    assert.deepEqual(findCycles(dir, "lib"), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
    fs.writeFileSync(path.join(dir, "x.js"), 'const y = require("./y.js");\n');
    fs.writeFileSync(path.join(dir, "y.js"), 'const x = require("./x");\n');
    assert.deepEqual(findCycles(dir, "dist"), [["x.js", "y.js", "x.js"]]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
