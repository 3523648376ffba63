// docs/cookbook.md: its code blocks are the files of docs/examples/, and each example runs
// (in order, in one temporary folder) and prints the results its comments promise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./support/fixtures.mjs";
import { startRedis } from "./support/redis.mjs";
import { startWorker } from "./support/workers.mjs";

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

test("the cookbook examples run in order and print what their comments say", async (t) => {
  const work = tempDir(t);
  // example 4 runs its job on BullMQ too: a Redis of its own and two `wkw worker` processes
  const redis = await startRedis();
  const workers = [0, 1].map(() => startWorker(redis.url, "cookbook", { allow: [path.join(examples, "jobs")] }));
  t.after(async () => {
    await Promise.all(workers.map((w) => w.stop())); // workers first: they close their Redis connections
    await redis.stop();
  });
  await Promise.all(workers.map((w) => w.ready));
  for (const f of files) {
    const source = readFileSync(path.join(examples, f), "utf8");
    // async: this process keeps serving the pipes of its Redis and worker children meanwhile
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(examples, f), work, redis.url], { encoding: "utf8", cwd: root, timeout: 120_000 });
    const printed = stdout.split("\n").map((l) => l.trim());
    const promised = promisedLines(source);
    assert.ok(promised.length > 0, `${f} documents its output`);
    for (const line of promised) {
      assert.ok(printed.some((p) => p.replace(/\s+/g, " ").endsWith(line.replace(/\s+/g, " "))), `${f} printed ${JSON.stringify(line)}; it printed:\n${stdout}`);
    }
  }
});
