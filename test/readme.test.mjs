// The two examples of the README's "## Example" section run as written (with /data/ replaced by a temporary folder and
// "wkw" by this checkout), and every `console.log(...); // <output>` comment in them is what
// the line prints (whitespace ignored; comments ending in "…" are not compared).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tempDir } from "./support/fixtures.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");
// The "## Example" section (other sections' examples need images, servers, …; they are
// type-checked by test/types.test.mjs).
const section = /\n## Example\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README's Example section has its two examples", () => {
  assert.equal(blocks.length, 2);
});

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs and prints what its comments say`, { timeout: 120_000 }, (t) => {
    const dir = tempDir(t);
    const expected = [];
    for (const line of code.split("\n")) {
      const m = /\bconsole\.log\(.*\);\s*\/\/\s*(.*)$/.exec(line);
      if (m) expected.push(m[1].replace(/\s*\(.*\)$/, "")); // a trailing "(explanation)" is prose
    }
    assert.ok(expected.length >= 1, "the example shows some output");
    const script = code
      .replaceAll('"/data/', JSON.stringify(dir + "/").slice(0, -1))
      .replaceAll('from "wkw"', `from ${JSON.stringify(pathToFileURL(path.join(root, "dist/index.mjs")).href)}`);
    const file = path.join(dir, "example.mjs");
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    const squash = (s) => s.replace(/\s+/g, "");
    const compared = expected.filter((e) => !e.endsWith("…"));
    assert.equal(lines.length, expected.length, r.stdout);
    expected.forEach((e, k) => {
      if (!e.endsWith("…")) assert.equal(squash(lines[k]), squash(e), `output line ${k + 1}`);
    });
    assert.ok(compared.length >= 1);
  });
});
