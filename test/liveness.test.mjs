// The one liveness policy (native/src/liveness.h via lib/util/liveness.ts) and the cleanups
// that use it: native temporary cube files, TypeScript temporary files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import liveness from "../dist/util/liveness.js";
import { WkwDataset } from "../dist/index.js";

const { HOST, writerIsDead, parseTempTag, tempTag, removeDeadTemps } = liveness;

function deadPid() {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

function tempDir(t) {
  const dir = mkdtempSync(path.join(tmpdir(), "wkw-liveness-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("policy: dead pid on this host, or too old anywhere; alive otherwise", () => {
  const now = Date.now();
  const dead = deadPid();
  assert.equal(writerIsDead({ host: HOST, pid: dead }, now, -1), true);
  assert.equal(writerIsDead({ host: "", pid: dead }, now, -1), true); // names without host: this host
  assert.equal(writerIsDead({ host: HOST, pid: process.pid }, now, -1), false);
  assert.equal(writerIsDead({ host: HOST, pid: process.ppid }, now, 60_000), false);
  assert.equal(writerIsDead({ host: "another-host", pid: dead }, now - 1000, 60_000), false); // cannot tell
  assert.equal(writerIsDead({ host: "another-host", pid: 1 }, now - 61_000, 60_000), true); // too old
  assert.equal(writerIsDead({ host: HOST, pid: process.pid }, now - 61_000, 60_000), true);
  assert.equal(writerIsDead({ host: HOST, pid: 0 }, now, -1), true);
  assert.equal(writerIsDead({ host: HOST, pid: 1.5 }, now, -1), true);
  assert.match(HOST, /^[A-Za-z0-9.-]+$/);
});

test("temporary names carry pid and host and parse back", () => {
  const tag = tempTag();
  assert.deepEqual(parseTempTag(tag), { pid: process.pid, host: HOST });
  assert.deepEqual(parseTempTag("123-abc9"), { pid: 123, host: "" });
  assert.deepEqual(parseTempTag("123-abc9-my-host.example"), { pid: 123, host: "my-host.example" });
  assert.equal(parseTempTag("x-1"), undefined);
  assert.equal(parseTempTag(""), undefined);
});

test("removeDeadTemps removes dead writers' files only (dead pid here; old file of another host)", async (t) => {
  const dir = tempDir(t);
  const dead = deadPid();
  const names = {
    deadHere: `f.tmp-${dead}-aa-${HOST}`,
    liveHere: `f.tmp-${process.pid}-bb-${HOST}`,
    otherFresh: `f.tmp-${dead}-cc-other-host`,
    otherOld: `f.tmp-${dead}-dd-other-host`,
    legacyDead: `f.tmp-${dead}-ee`,
    unrelated: "f.json",
  };
  for (const n of Object.values(names)) writeFileSync(path.join(dir, n), "x");
  const old = new Date(Date.now() - 2 * 3600_000);
  utimesSync(path.join(dir, names.otherOld), old, old);
  await removeDeadTemps(dir, "f.tmp-");
  assert.deepEqual(readdirSync(dir).sort(), [names.liveHere, names.otherFresh, names.unrelated].sort());
});

test("native writers apply the same policy to temporary cube files", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(path.join(dir, "mag"), { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "lz4" });
  t.after(() => ds.close());
  const folder = path.join(dir, "mag", "z0", "y0");
  await ds.write([0, 0, 0], { data: new Uint8Array(16 ** 3).fill(1), shape: [1, 16, 16, 16] });
  const dead = deadPid();
  const keep = [`x0.wkw_tmp.${process.pid}.7.${HOST}`, `x0.wkw_tmp.${dead}.1.other-host`];
  const gone = [`x0.wkw_tmp.${dead}.3.${HOST}`, `x0.wkw_tmp.${dead}.4`, "x0.wkw_tmp"];
  const oldOther = `x0.wkw_tmp.${dead}.5.other-host`;
  for (const n of [...keep, ...gone, oldOther]) writeFileSync(path.join(folder, n), "x");
  const old = new Date(Date.now() - 2 * 3600_000);
  utimesSync(path.join(folder, oldOther), old, old);
  await ds.write([0, 0, 0], { data: new Uint8Array(8).fill(2), shape: [1, 2, 2, 2] }); // rewrites x0.wkw
  assert.deepEqual(readdirSync(folder).sort(), ["x0.wkw", ...keep].sort());
  const a = await ds.read([0, 0, 0], [3, 1, 1]);
  assert.deepEqual([...a.data], [2, 2, 1]);
});
