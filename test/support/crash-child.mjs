// Child process of test/crash.test.mjs: loops over one kind of operation and acknowledges
// each one on stdout (synchronously, after its promise resolved) until it is SIGKILLed.
//
//   node crash-child.mjs <mode> '<json args>'
//
// stdout protocol: "ready" once set up, then "ack <n>" after operation n completed.
import { writeSync } from "node:fs";
import path from "node:path";
// The modules themselves rather than dist/index.js: a trial's cost is mostly start-up.
import wkwPkg from "../../dist/wkw/dataset.js";
import propertiesPkg from "../../dist/dataset/properties.js";
import { volumeRegion, newFileRegion } from "./crash-plan.mjs";

const { WkwDataset } = wkwPkg;
const { updateProperties } = propertiesPkg;
const [mode, json] = process.argv.slice(2);
const args = JSON.parse(json);
const say = (line) => writeSync(1, `${line}\n`);
const LIMIT = 100_000; // never reached: the parent kills within milliseconds

function filled(region, g) {
  const [x, y, z] = region.size;
  return { data: new Uint16Array(x * y * z).fill(g), shape: region.size };
}

async function main() {
  switch (mode) {
    case "write-lz4":
    case "write-raw-inplace": {
      // Unaligned boxes across the 64³ volume: compressed files are rewritten whole
      // (temporary file + rename); raw files are patched in place block by block.
      const ds = await WkwDataset.open(args.dir);
      say("ready");
      for (let g = args.gen0 + 1; g < args.gen0 + LIMIT; g++) {
        const r = volumeRegion(args.seed, g);
        await ds.write(r.offset, filled(r, g));
        say(`ack ${g}`);
      }
      break;
    }
    case "write-raw-new": {
      // Each generation creates a new raw cube file (temporary file + rename).
      const ds = await WkwDataset.open(args.dir);
      say("ready");
      for (let g = args.gen0 + 1; g < args.gen0 + LIMIT; g++) {
        const r = newFileRegion(args.seed, g);
        await ds.write(r.offset, filled(r, g));
        say(`ack ${g}`);
      }
      break;
    }
    case "compress": {
      // WkwDataset.compress of the source into a new target folder per iteration.
      const src = await WkwDataset.open(args.src);
      say("ready");
      for (let i = 1; i < LIMIT; i++) {
        const target = await src.compress(path.join(args.out, `c${i}`), { blockType: "lz4hc" });
        target.close();
        say(`ack ${i}`);
      }
      break;
    }
    case "compress-inplace": {
      // MagView.compress() in place through the dataset API (compressed copy in a temporary
      // folder of the layer, then swapped in); the parent restores the raw mag per trial.
      const { Dataset } = (await import("../../dist/index.js")).default;
      const ds = await Dataset.open(args.dir);
      const mag = ds.getLayer("color").getMag(1);
      say("ready");
      await mag.compress();
      say("ack 1");
      setInterval(() => {}, 1000); // wait for the kill
      break;
    }
    case "metadata": {
      // updateProperties growing the first layer's bounding box to width g.
      say("ready");
      for (let g = args.gen0 + 1; g < args.gen0 + LIMIT; g++) {
        await updateProperties(args.dir, (fresh) => {
          const box = fresh.dataLayers[0].boundingBox;
          box.width = Math.max(box.width, g);
        });
        say(`ack ${g}`);
      }
      break;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
