// Child of test/cross-process-writes.test.mjs: writes quarter `q` (a block-aligned 8×8×16
// part) of every cube file of the mag, starting at the same moment as its siblings.
//   node quarter-writer-child.mjs <magDir> <q> <files> <startAtMs>
import { WkwDataset } from "../../dist/index.js";
import { GRID, quarterOffset, quarterData } from "./quarter-plan.mjs";

const [dir, qText, filesText, startText] = process.argv.slice(2);
const q = Number(qText);
const files = Number(filesText);
const ds = await WkwDataset.open(dir);
await new Promise((r) => setTimeout(r, Math.max(0, Number(startText) - Date.now())));
// The same file order in every process, a few files in flight: maximal contention.
const inFlight = 4;
let next = 0;
await Promise.all(Array.from({ length: inFlight }, async () => {
  while (next < files) {
    const f = next++;
    await ds.write(quarterOffset(f, q), quarterData(f, q));
  }
}));
ds.close();
process.stdout.write(JSON.stringify({ q, files, grid: GRID }) + "\n");
