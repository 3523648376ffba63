// Job references: ownJob works from the ES entry and the CommonJS build alike; the package's
// compress and copy jobs run from a reference; errors survive encoding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esm from "../dist/index.mjs";
import jobError from "../dist/ops/job-error.js";

const cjs = createRequire(import.meta.url)("../dist/index.js");

test("ownJob gives the same loadable reference from the ES entry and from require()", async () => {
  const a = esm.ownJob("compress", "compressFile");
  const b = cjs.ownJob("compress", "compressFile");
  assert.deepEqual(a, b);
  assert.equal(a.name, "compressFile");
  assert.ok(a.module.startsWith("file://") && a.module.endsWith("/dist/ops/compress.js"), a.module);
  assert.ok(existsSync(fileURLToPath(a.module)));
  const mod = await import(a.module);
  assert.equal(typeof mod.compressFile, "function");
  assert.deepEqual(cjs.ownJob("copy", "copyChunk", { x: 1 }).args, { x: 1 });
  assert.equal(typeof (await import(cjs.ownJob("copy", "copyChunk").module)).copyChunk, "function");
});

test("errors keep their fields through text (Redis) encoding", () => {
  const e = new cjs.WkwError("ERR_WKW_TRUNCATED", "file ends early", { path: "/a/x0.wkw", blockIndex: 3, parameter: "p" });
  const back = jobError.errorFromText(jobError.errorToText(e));
  assert.ok(back instanceof cjs.WkwError);
  assert.deepEqual([back.code, back.message, back.path, back.blockIndex, back.parameter], ["ERR_WKW_TRUNCATED", "file ends early", "/a/x0.wkw", 3, "p"]);
  const plain = jobError.errorFromText(jobError.errorToText(Object.assign(new TypeError("bad"), { code: "E_X" })));
  assert.deepEqual([plain.name, plain.message, plain.code], ["TypeError", "bad", "E_X"]);
  const other = jobError.errorFromText("job stalled more than allowable limit");
  assert.equal(other.code, "ERR_WKW_IO");
  assert.equal(other.message, "job failed: job stalled more than allowable limit");
});
