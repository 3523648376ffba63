// Calls that once crashed the process through the binding or the public API (wrapped size
// products, a plan of billions of tasks, foreign wrapped objects). Each runs in a child
// process: a crash fails the test with the signal instead of killing the test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/native-regressions-child.mjs");

function run(name) {
  const r = spawnSync(process.execPath, [child, name], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.signal, null, `${name}: the child died with ${r.signal}\n${r.stderr}`);
  assert.equal(r.status, 0, `${name}: exit status ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const EXPECTED = {
  "stride-2^50": "the strided extent of data is too large (integer overflow)",
  "stride-2^50-async": "the strided extent of data is too large (integer overflow)",
  "negative-stride-2^50": "the strided extent of data is too large (integer overflow)",
  "read-count-wraps": "the region's item count is too large (integer overflow)",
  "broadcast-2^31-native": "the region touches more than 131072 cube files; split it into several calls",
  "stride-0-native": "strides[1] (x) is 0 for an axis of length 4: a stride-0 broadcast must be requested with the broadcast option",
  "broadcast-2^31-public": "the region touches more than 131072 cube files; split it into several calls",
  "stride-0-public": "data.stride is 0 on axis x (length 2147483648), which repeats one item along it: pass { broadcast: true } to mean that",
  "mag-as-cancel-token": "cancel must be a CancelToken",
  "token-as-this": "this must be a NativeMag",
  "plain-object-as-this": "this must be a NativeMag",
  "huge-file-list": "fileIndices lists more than 131072 files; split it into several calls",
};

for (const [name, message] of Object.entries(EXPECTED)) {
  test(`no crash: ${name} is ERR_WKW_ARGUMENT`, () => {
    const r = run(name);
    assert.deepEqual(r, { ok: false, name: name.endsWith("-public") ? "WkwError" : "Error", code: "ERR_WKW_ARGUMENT", message, isError: true });
  });
}
