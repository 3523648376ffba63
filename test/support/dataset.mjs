// Helpers for the dataset API tests: typed-error assertions, directory snapshots (to prove
// that a refused call changed nothing on disk), warning capture and test data.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, lstatSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { WkwError } from "../../dist/index.js";

function check(err, code, parameter) {
  assert.ok(err instanceof WkwError, `expected a WkwError, got ${inspect(err)}`);
  assert.equal(err.code, code, `code of: ${err.message}`);
  if (parameter !== undefined) assert.equal(err.parameter, parameter, `parameter of: ${err.message}`);
  return true;
}

/** Asserts that the promise (or async function) rejects with WkwError `code` naming `parameter`. */
export async function rejectsWkw(promiseOrFn, code, parameter) {
  await assert.rejects(promiseOrFn, (err) => check(err, code, parameter));
}

/** A predicate for assert.rejects/throws: WkwError ERR_WKW_ARGUMENT whose message starts with `parameter`. */
export function isArgError(parameter) {
  return (e) => {
    assert.ok(e instanceof WkwError, `expected WkwError, got ${e?.stack ?? e}`);
    assert.equal(e.code, "ERR_WKW_ARGUMENT", e.message);
    assert.equal(e.parameter, parameter, e.message);
    assert.ok(e.message.startsWith(parameter), e.message);
    return true;
  };
}

/** Asserts that fn throws synchronously a WkwError `code` naming `parameter`. */
export function throwsWkw(fn, code, parameter) {
  assert.throws(fn, (err) => check(err, code, parameter));
}

/** Path → sha256 (files), "dir" (folders) or "-> target" (links) for everything under `root`. */
export function snapshot(root) {
  const out = {};
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(root, p);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out[rel] = "dir";
        walk(p);
      } else if (st.isSymbolicLink()) {
        out[rel] = "link";
      } else {
        out[rel] = createHash("sha256").update(readFileSync(p)).digest("hex");
      }
    }
  };
  walk(root);
  return out;
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

export function propertiesOf(datasetDir) {
  return readJson(path.join(datasetDir, "datasource-properties.json"));
}

/** Collects process warnings with `code` while fn runs (warnings are emitted on nextTick). */
export async function captureWarnings(code, fn) {
  const seen = [];
  const listener = (w) => {
    if (w.code === code) seen.push(w);
  };
  process.on("warning", listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", listener);
  }
  return seen;
}

/** A (c, x, y, z) Fortran-order array whose value at each voxel is f(c, x, y, z). */
export function makeArray(Ctor, shape, f) {
  const [c, x, y, z] = shape;
  const data = new Ctor(c * x * y * z);
  let i = 0;
  for (let k = 0; k < z; k++)
    for (let j = 0; j < y; j++)
      for (let h = 0; h < x; h++)
        for (let ch = 0; ch < c; ch++) data[i++] = f(ch, h, j, k);
  return { data, shape };
}

/** Value at (c, x, y, z) of a VoxelArray. */
export function at(arr, c, x, y, z) {
  const [, sx, sy] = arr.shape;
  const nc = arr.shape[0];
  return arr.data[c + nc * (x + sx * (y + sy * z))];
}

/** Bytes of a typed array (for comparisons). */
export function bytes(a) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
