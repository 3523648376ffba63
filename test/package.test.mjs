// The packed tarball installs into an empty project without running install scripts
// (the prebuilt binary is used) and reads a fixture through both `import` and `require`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
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
  const files = info.files.map((f) => f.path);
  for (const f of ["dist/index.js", "dist/index.mjs", "dist/index.d.ts", "binding.d.ts", "prebuilds/linux-x64/wkw.node", "native/vendor/lz4/lz4.c", "CMakeLists.txt", "scripts/install.js"]) {
    if (f.startsWith("prebuilds/") && process.platform !== "linux") continue;
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith("test/") || f.startsWith("build/")), "no tests or local build in the tarball");

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
