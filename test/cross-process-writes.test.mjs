// Several processes writing block-aligned parts of the same NEW raw cube files at the same
// time lose nothing: a new file is created exclusively (link), a writer that finds it
// created meanwhile writes its blocks into it in place (issue 8; before, 158 of 300 files
// lost a half). Also: no temporary file is left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WkwDataset } from "../dist/index.js";
import { GRID, LAYOUT, quarterOffset, quarterValue } from "./support/quarter-plan.mjs";

const CHILD = fileURLToPath(new URL("./support/quarter-writer-child.mjs", import.meta.url));

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [path.relative(base, p)];
  });
}

test("4 processes write the 4 quarters of 4000 new raw files at once: 0 lost quarters, no temporary files", async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), "wkw-xproc-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, "mag");
  (await WkwDataset.create(dir, LAYOUT)).close();
  const files = GRID[0] * GRID[1] * GRID[2];
  const start = String(Date.now() + 700); // all children start writing at this moment
  await Promise.all([0, 1, 2, 3].map((q) => run([dir, String(q), String(files), start])));

  const ds = await WkwDataset.open(dir);
  t.after(() => ds.close());
  const written = walk(dir).filter((f) => f.endsWith(".wkw") && f !== "header.wkw");
  assert.equal(written.length, files);
  assert.deepEqual(walk(dir).filter((f) => f.includes("tmp")), []);
  let lost = 0;
  const examples = [];
  for (let f = 0; f < files; f++) {
    for (let q = 0; q < 4; q++) {
      const a = await ds.read(quarterOffset(f, q), [8, 8, 16]);
      const want = quarterValue(f, q);
      if (!a.data.every((v) => v === want)) {
        lost++;
        if (examples.length < 3) examples.push(`file ${f} quarter ${q}: first byte ${a.data[0]}, expected ${want}`);
      }
    }
  }
  assert.equal(lost, 0, `lost quarters: ${lost} of ${files * 4} (${examples.join("; ")})`);
});
