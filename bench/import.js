"use strict";
// Image import rows: `edge` slices of edge² uint8 TIFF (512 × 512² in the full run) into a
// raw and an LZ4HC layer with Dataset.fromImages, against the decoder alone (the same
// reader, the same parallelism) on the same slices. Target: the raw import within 1.5× the
// decode-only time, i.e. ≥ 0.67× its MB/s: the import is bound by decoding, not by writes.
const fs = require("node:fs");
const path = require("node:path");
const { Dataset } = require("..");
const { readerFor } = require("../dist/import/sources.js");
const { measureBatches } = require("./measure.js");
const { rng } = require("./data.js");

/** The stack, written once per bench run (by the first configuration; they run one by one). */
async function stack(dir, n) {
  const folder = path.join(dir, "import-stack");
  const done = path.join(folder, ".complete");
  if (fs.existsSync(done)) return folder;
  fs.mkdirSync(folder, { recursive: true });
  const sharp = require("sharp");
  const random = rng(42);
  const slice = Buffer.alloc(n * n);
  for (let z = 0; z < n; z++) {
    // EM-like: smooth intensity plus noise
    for (let i = 0; i < slice.length; i++) slice[i] = (96 + 40 * Math.sin((i % n) / 17 + z / 9) + random() * 48) | 0;
    await sharp(slice, { raw: { width: n, height: n, channels: 1 } }).toColourspace("b-w").tiff({ compression: "none" }).toFile(path.join(folder, `slice_${z}.tif`));
  }
  fs.writeFileSync(done, "");
  return folder;
}

function decodeOnly() {
  return async ({ dir, params }) => {
    const n = params.edge;
    const folder = await stack(dir, n);
    const files = fs.readdirSync(folder).filter((f) => f.endsWith(".tif")).map((f) => path.join(folder, f));
    const parallel = Math.min(8, Math.max(2, require("node:os").availableParallelism()));
    const result = await measureBatches(async () => {
      let next = 0;
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < files.length) {
          const f = files[next++];
          await readerFor(f).decode(f, 0);
        }
      }));
    }, { min: 2, max: 5, budgetMs: 2000 });
    return { ...result, bytesPerOp: n ** 3 };
  };
}

function importLayer(compress) {
  return async ({ dir, params }) => {
    const n = params.edge;
    const folder = await stack(dir, n);
    const outputs = [];
    const result = await measureBatches(async () => {
      const out = path.join(dir, `import-${compress ? "lz4hc" : "raw"}-${process.pid}-${outputs.length}`);
      outputs.push(out);
      (await Dataset.fromImages(folder, out, { voxelSize: [1, 1, 1], compress })).close();
    }, { min: compress ? 1 : 2, max: 5, budgetMs: 2000 });
    for (const out of outputs) fs.rmSync(out, { recursive: true, force: true });
    return { ...result, bytesPerOp: n ** 3 };
  };
}

function configurations(params) {
  const n = params.edge;
  const what = `${n} slices of ${n}² uint8 TIFF`;
  return [
    { id: "import.decode", section: "image import", label: `${what}, decode only`, run: decodeOnly(), baselineOnly: true },
    { id: "import.raw", section: "image import", label: `${what} → raw layer`, run: importLayer(false), baseline: "import.decode", target: { baseRatio: 1 / 1.5 } },
    { id: "import.lz4hc", section: "image import", label: `${what} → LZ4HC layer`, run: importLayer(true), baseline: "import.decode" },
  ];
}

module.exports = { configurations };
