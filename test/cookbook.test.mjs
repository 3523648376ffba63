// docs/cookbook.md: its code blocks are the files of docs/examples/, and each example runs
// (in order, in one temporary folder) and prints the results its comments promise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./support/fixtures.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const examples = path.join(root, "docs/examples");
const files = readdirSync(examples).filter((f) => /^\d\d-.*\.mjs$/.test(f)).sort();

/** The results an example promises: `console.log(...); // result`, or a `// result` line right after a console.log. */
function promisedLines(source) {
  const lines = source.split("\n");
  const out = [];
  lines.forEach((line, i) => {
    if (/^console\.log\(.*\);\s+\/\/ /.test(line)) out.push(line.replace(/^.*?\);\s+\/\/ /, "").trim());
    else if (/^\/\/ /.test(line) && /^console\.log\(.*\);$/.test(lines[i - 1] ?? "")) out.push(line.slice(3).trim());
  });
  return out;
}

test("the cookbook shows every example file verbatim", () => {
  assert.equal(files.length, 4);
  const md = readFileSync(path.join(root, "docs/cookbook.md"), "utf8");
  for (const f of files) assert.ok(md.includes("```js\n" + readFileSync(path.join(examples, f), "utf8") + "```"), `${f} is in docs/cookbook.md as it is`);
});

test("the cookbook examples run in order and print what their comments say", (t) => {
  const work = tempDir(t);
  for (const f of files) {
    const source = readFileSync(path.join(examples, f), "utf8");
    const stdout = execFileSync(process.execPath, [path.join(examples, f), work], { encoding: "utf8", cwd: root });
    const printed = stdout.split("\n").map((l) => l.trim());
    const promised = promisedLines(source);
    assert.ok(promised.length > 0, `${f} documents its output`);
    for (const line of promised) {
      assert.ok(printed.some((p) => p.replace(/\s+/g, " ").endsWith(line.replace(/\s+/g, " "))), `${f} printed ${JSON.stringify(line)}; it printed:\n${stdout}`);
    }
  }
});
