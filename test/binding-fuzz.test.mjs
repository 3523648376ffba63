// Fuzzes every function and method of the addon with random argument types, shapes and
// receivers (test/support/binding-fuzz-child.mjs) in a child process: 100k calls, no crash,
// and every failure is an error with an ERR_WKW_ code (the binding's form of a WkwError).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/binding-fuzz-child.mjs");
const binding = createRequire(import.meta.url)("node-gyp-build")(path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."));
const CALLS = 100_000;

test(`binding fuzz: ${CALLS} random calls, no crash, every failure an ERR_WKW_ error`, { timeout: 300_000 }, () => {
  const seed = (Date.now() % 0xffffffff) >>> 0 || 1;
  const r = spawnSync(process.execPath, [child, String(CALLS), String(seed)], { encoding: "utf8", timeout: 280_000 });
  const context = `seed ${seed} (rerun: node test/support/binding-fuzz-child.mjs ${CALLS} ${seed})\n${r.stderr}`;
  assert.equal(r.signal, null, `the child died with ${r.signal}; ${context}`);
  assert.equal(r.status, 0, `exit status ${r.status}; ${context}`);
  const s = JSON.parse(r.stdout);
  assert.equal(s.calls, CALLS);
  assert.deepEqual(s.foreign, [], `failures that are not WKW errors; ${context}`);
  // Every binding function was called, and the fuzzer got through to the core: valid calls
  // of each I/O method succeeded, and corrupt or foreign files were reported as such.
  const exported = Object.keys(binding).filter((k) => typeof binding[k] === "function");
  for (const name of [...exported, "read", "readSync", "write", "writeSync", "compressFiles", "close", "cancel"]) {
    assert.ok(s.perFunction[name] > 1000, `${name} was called ${s.perFunction[name] ?? 0} times`);
  }
  for (const name of ["read", "readSync", "write", "writeSync", "compressFiles", "parseHeader", "serializeHeader"]) {
    assert.ok((s.okPerFunction[name] ?? 0) >= 20, `${name} succeeded ${s.okPerFunction[name] ?? 0} times; ${context}`);
  }
  assert.ok(s.errors.ERR_WKW_ARGUMENT > CALLS / 10, JSON.stringify(s.errors));
});
