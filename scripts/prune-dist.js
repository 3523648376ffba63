// Removes compiler output in dist/ whose source in lib/ is gone (a moved or deleted .ts
// file): tsc never deletes, and a stale module would still load and be packed. Runs
// before tsc in `npm run build:ts`. dist/viewer and dist/index.mjs come from other build
// steps and are left alone. `node scripts/prune-dist.js [root]` (default: this checkout).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(process.argv[2] ?? path.join(__dirname, ".."));
const dist = path.join(root, "dist");
const lib = path.join(root, "lib");
const KEEP = new Set([path.join(dist, "viewer"), path.join(dist, "index.mjs")]);
const OUTPUT = /\.(d\.ts|js)(\.map)?$/;

function prune(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // no dist yet
  }
  for (const e of entries) {
    const file = path.join(dir, e.name);
    if (KEEP.has(file)) continue;
    if (e.isDirectory()) {
      prune(file);
      if (fs.readdirSync(file).length === 0) fs.rmdirSync(file);
      continue;
    }
    if (!OUTPUT.test(e.name)) continue;
    const source = path.join(lib, path.relative(dist, file)).replace(OUTPUT, ".ts");
    if (!fs.existsSync(source)) {
      fs.unlinkSync(file);
      process.stderr.write(`prune-dist: removed ${path.relative(root, file)} (no ${path.relative(root, source)})\n`);
    }
  }
}

prune(dist);
