// With { durable: true } a write fsyncs the new file, its folder, and the parent of every
// folder it created (z<k>/, y<j>/), so a power loss cannot lose the path to a new file.
// Observed with strace (installed by .ci/run): which directories were opened and fsynced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./support/fixtures.mjs";

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/durable-write-child.mjs");
const hasStrace = spawnSync("strace", ["-V"]).status === 0;

/** Directories under `root` that were fsynced, as paths relative to it ("." for root). */
function syncedDirs(t, blockType, durable) {
  const dir = path.join(tempDir(t), "ds");
  const log = path.join(tempDir(t), "strace.log");
  const r = spawnSync("strace", ["-f", "-qq", "-e", "trace=openat,fsync,close", "-o", log, process.execPath, child, dir, durable ? "1" : "0", blockType], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const open = new Map(); // "pid:fd" → path
  const synced = new Set();
  for (const line of readFileSync(log, "utf8").split("\n")) {
    let m = /^(\d+)\s+openat\(AT_FDCWD, "([^"]+)", [^)]*O_DIRECTORY[^)]*\) = (\d+)/.exec(line);
    if (m) open.set(`${m[1]}:${m[3]}`, m[2]);
    m = /^(\d+)\s+fsync\((\d+)\)\s+=\s+0/.exec(line);
    if (m && open.has(`${m[1]}:${m[2]}`)) synced.add(path.relative(dir, open.get(`${m[1]}:${m[2]}`)) || ".");
    m = /^(\d+)\s+close\((\d+)\)/.exec(line);
    if (m) open.delete(`${m[1]}:${m[2]}`);
  }
  return [...synced].sort();
}

for (const blockType of ["raw", "lz4"]) {
  test(`durable ${blockType} write into new folders fsyncs the file's folder and the parents of created folders`, { skip: !hasStrace && "strace is not installed" }, (t) => {
    assert.deepEqual(syncedDirs(t, blockType, true), [".", "z3", "z3/y2"]);
    assert.deepEqual(syncedDirs(t, blockType, false), []);
  });
}
