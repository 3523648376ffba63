// The packed tarball installs into an empty project without running install scripts
// (the prebuilt binary is used) and reads a fixture through both `import` and `require`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REFERENCE, referenceManifest, tempDir } from "./support/fixtures.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("npm pack → install --ignore-scripts → import and require read a fixture", { timeout: 600_000 }, async (t) => {
  const dir = tempDir(t, "wkw-pack-");
  // prebuildify (through cmake-js) into prebuilds/; leaves build/ and dist/ untouched.
  execFileSync(process.execPath, [path.join(root, "scripts/prebuild.js")], { cwd: root, stdio: "pipe" });
  // dist/ is already built by `npm test`; --ignore-scripts keeps prepack from rebuilding it
  // while other test files use it.
  const out = execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" });
  const [info] = JSON.parse(out);
  const files = info.files.map((f) => f.path).sort();
  // Exactly what a user needs: the compiled library and its types (no source maps), the
  // prebuilt binary, what a source build needs (CMakeLists.txt, native/src, vendored LZ4,
  // the install script), the docs the README links to. No tests, fuzzers, sanitizer files.
  const git = (...args) => [...new Set(execFileSync("git", args, { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean))];
  const distFiles = (dir) => readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? distFiles(path.join(dir, e.name)) : e.name.endsWith(".map") ? [] : [path.join(dir, e.name)]);
  const prebuilt = readdirSync(path.join(root, "prebuilds")).flatMap((p) => readdirSync(path.join(root, "prebuilds", p)).map((f) => `prebuilds/${p}/${f}`));
  const expected = [
    ...distFiles("dist"), ...prebuilt, ...git("ls-files", "native/src", "native/vendor", "docs"),
    "CMakeLists.txt", "README.md", "binding.d.ts", "package.json", "scripts/install.js",
  ].sort();
  assert.deepEqual(files, expected);
  for (const f of ["dist/index.js", "dist/index.mjs", "dist/index.d.ts", "dist/cli/main.js", "native/vendor/lz4/lz4.c"]) assert.ok(files.includes(f), f);
  if (process.platform === "linux" && process.arch === "x64") assert.ok(files.includes("prebuilds/linux-x64/wkw.node"));
  assert.ok(!files.some((f) => /^(test|build|bench|lib|native\/fuzz|native\/sanitize)\//.test(f) || f.endsWith(".map")), "no tests, sources of dist, fuzzers or maps");
  assert.ok(!files.some((f) => f.endsWith(".js") && readFileSync(path.join(root, f), "utf8").includes("sourceMappingURL")), "no dangling source map references");
  // Every doc the README links to ships, and every source a default source build compiles.
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const docs = [...readme.matchAll(/\bdocs\/[\w.-]+\.md\b/g)].map((m) => m[0]);
  assert.ok(docs.length >= 4, docs.join(", "));
  for (const d of docs) assert.ok(files.includes(d), `${d} (linked from the README) is in the tarball`);
  const cmake = readFileSync(path.join(root, "CMakeLists.txt"), "utf8").replace(/if\(WKW_(FUZZ|SANITIZE)\)[\s\S]*?endif\(\)/g, "");
  for (const m of cmake.matchAll(/\bnative\/[\w/.-]+\.(?:cc|c)\b/g)) assert.ok(files.includes(m[0]), `${m[0]} (built by CMakeLists.txt) is in the tarball`);

  const app = path.join(dir, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  execFileSync(npm, ["install", "--ignore-scripts", "--no-audit", "--no-fund", path.join(dir, info.filename)], { cwd: app, stdio: "pipe" });
  assert.ok(!readdirSync(path.join(app, "node_modules/wkw")).includes("build"), "nothing was built at install");

  const ds = referenceManifest().datasets.find((d) => d.name === "u16_lz4");
  const read = ds.reads.find((r) => r.name === "cross_file");
  const fixture = path.join(REFERENCE, ds.path);
  const body = (imp) => `
    ${imp}
    const { createHash } = require("node:crypto");
    (async () => {
      const d = await WkwDataset.open(${JSON.stringify(fixture)});
      const a = await d.read(${JSON.stringify(read.offset)}, ${JSON.stringify(read.size)});
      process.stdout.write(createHash("sha256").update(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)).digest("hex") + " " + (new WkwError("ERR_WKW_IO", "x") instanceof Error));
    })();`;
  const cjs = execFileSync(process.execPath, ["-e", body(`const { WkwDataset, WkwError } = require("wkw");`)], { cwd: app, encoding: "utf8" });
  assert.equal(cjs, `${read.sha256} true`);
  writeFileSync(path.join(app, "esm.mjs"), body(`import { WkwDataset, WkwError } from "wkw"; import { createRequire } from "node:module"; const require = createRequire(import.meta.url);`));
  const esm = execFileSync(process.execPath, ["esm.mjs"], { cwd: app, encoding: "utf8" });
  assert.equal(esm, `${read.sha256} true`);
  // Types ship with the package.
  assert.ok(readdirSync(path.join(app, "node_modules/wkw/dist")).includes("index.d.ts"));
});
