// Crash safety of downsampling: a child process building the pyramid is SIGKILLed at
// several points; afterwards every listed mag is complete (equal to the kernel applied to
// the mag below) and a rerun finishes the pyramid and removes the leftovers. The two
// windows a kill rarely hits (a complete mag renamed into place but not yet listed; a
// temporary folder of a dead owner) are set up directly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync, existsSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Dataset, Mag, downsampleArraySync } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { bytes, makeArray, propertiesOf, readJson } from "./support/dataset.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const PYRAMID = ["2", "4", "8"];

async function makeDataset(t) {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  const mag1 = await layer.addMag(1, { blockLen: 8, fileLen: 2 });
  await mag1.write(makeArray(Uint8Array, [1, 128, 128, 64], (c, x, y, z) => (Math.imul(x * 7 + y * 131 + z * 1031, 2654435761) >>> 24)), [0, 0, 0]);
  ds.close();
  return dir;
}

/** Every listed mag above 1 equals the median of the listed mag below it. */
async function assertListedComplete(dir) {
  const ds = await Dataset.open(dir);
  const layer = ds.getLayer("color");
  const listed = [...layer.mags.keys()];
  let prev = "1";
  for (const m of PYRAMID) {
    if (!listed.includes(m)) break;
    const region = layer.boundingBox.alignWithMag(m, { ceil: true });
    const s = region.inMag(prev), t = region.inMag(m);
    const src = await layer.getMag(prev).read(s.topLeft, s.size);
    const got = await layer.getMag(m).read(t.topLeft, t.size);
    const f = new Mag(m).toArray().map((v, i) => v / new Mag(prev).toArray()[i]);
    assert.ok(Buffer.compare(bytes(got.data), bytes(downsampleArraySync(src, f, "median").data)) === 0, `listed mag ${m} is complete`);
    prev = m;
  }
  // listed mags form a prefix of the pyramid
  assert.deepEqual(listed, ["1", ...PYRAMID.slice(0, listed.length - 1)]);
  ds.close();
  return listed;
}

function runChild(dir, killAfter) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, "support/downsample-child.mjs"), dir, "color", killAfter === undefined ? "exit" : "linger"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "", killed = false;
    child.stdout.on("data", (d) => {
      out += d;
      const n = (out.match(/^progress /gm) ?? []).length;
      if (!killed && killAfter !== undefined && n >= killAfter) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, out }));
  });
}

async function rerunAndCheck(dir) {
  const ds = await Dataset.open(dir);
  await ds.getLayer("color").downsample({ coarsestMag: 8, samplingMode: "isotropic" });
  ds.close();
  assert.deepEqual(await assertListedComplete(dir), ["1", ...PYRAMID]);
  const layerDir = path.join(dir, "color");
  assert.deepEqual(readdirSync(layerDir).sort(), ["1", ...PYRAMID].sort(), "no leftovers");
  for (const m of PYRAMID) assert.ok(!existsSync(path.join(layerDir, m, ".wkw-downsample-complete")));
}

test("SIGKILL during downsampling, then reopen and rerun", async (t) => {
  const full = await runChild(await makeDataset(t));
  assert.equal(full.code, 0, full.out);
  const total = Number(/progress \d+\/(\d+)/.exec(full.out)[1]);
  assert.ok(total > 8, `enough files to kill in between (${total})`);
  const points = [1, Math.floor(total / 2), total - 1];
  for (const killAfter of points) {
    const dir = await makeDataset(t);
    const r = await runChild(dir, killAfter);
    assert.equal(r.signal, "SIGKILL", `killed after ${killAfter} files (${r.out.slice(-40)})`);
    await assertListedComplete(dir);
    await rerunAndCheck(dir);
  }
});

test("a complete mag renamed into place but not listed is listed by the rerun; dead temporary folders are removed", async (t) => {
  const dir = await makeDataset(t);
  let ds = await Dataset.open(dir);
  await ds.getLayer("color").downsample({ coarsestMag: 8, samplingMode: "isotropic" });
  ds.close();
  // state after a kill between the rename of mag 8 and its listing
  const file = path.join(dir, "datasource-properties.json");
  const props = readJson(file);
  props.dataLayers[0].wkwResolutions = props.dataLayers[0].wkwResolutions.filter((r) => r.resolution[0] !== 8);
  writeFileSync(file, JSON.stringify(props));
  writeFileSync(path.join(dir, "color", "8", ".wkw-downsample-complete"), "{}");
  // and a temporary folder of a dead process holding half a mag
  const temp = path.join(dir, "color", ".compress-deadbeef0000");
  mkdirSync(path.join(temp, "16"), { recursive: true });
  writeFileSync(path.join(temp, "owner.json"), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: (await import("node:os")).hostname() }));
  ds = await Dataset.open(dir, { readOnly: true });
  assert.deepEqual([...ds.getLayer("color").mags.keys()], ["1", "2", "4"]);
  ds.close();
  await rerunAndCheck(dir);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions.map((r) => r.resolution[0]), [1, 2, 4, 8]);
  // a folder without the marker is never adopted
  renameSync(path.join(dir, "color", "8"), path.join(dir, "color", "8-8-8"));
  const p2 = readJson(file);
  p2.dataLayers[0].wkwResolutions.pop();
  writeFileSync(file, JSON.stringify(p2));
  ds = await Dataset.open(dir);
  await assert.rejects(ds.getLayer("color").downsample({ coarsestMag: 8, samplingMode: "isotropic" }), (e) => e.code === "ERR_WKW_EXISTS");
  ds.close();
});
