// The test suite needs nothing outside the checkout: no test file names ../shared or an
// absolute path of some machine, and every fixture a test reads is in test/fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const testDir = path.dirname(fileURLToPath(import.meta.url));

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "fixtures" ? [] : sources(p);
    return /\.(mjs|cjs|js|mts|cts|ts|json)$/.test(e.name) ? [p] : [];
  });
}

test("no test or test support file reaches outside the checkout", () => {
  const files = sources(testDir).filter((f) => f !== fileURLToPath(import.meta.url));
  assert.ok(files.length > 20, `${files.length} files scanned`);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const rel = path.relative(testDir, file);
    assert.doesNotMatch(text, /\.\.\/shared\b|\bWKW_SHARED\b/, `${rel} names ../shared`);
    assert.doesNotMatch(text, /["'`](\/work|\/home|\/Users|\/root|\/mnt|[A-Z]:\\\\)\//, `${rel} names an absolute path`);
  }
});
