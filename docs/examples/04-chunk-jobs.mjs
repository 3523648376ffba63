// 4. A chunk job over a layer: one job per cube file, run through an executor.
import path from "node:path";
import { Dataset, InProcessExecutor } from "wkw";

const work = process.argv[2] ?? "cookbook-data";
const ds = await Dataset.open(path.join(work, "em"));
const mag1 = ds.getLayer("color").getMag(1);

// The view over the layer's bounding box, cut into chunks on a 128³ grid; each job gets a
// sub-view (serialisable with toJSON, so it can travel to another thread or machine).
const sums = new Map();
await mag1.getView({ readOnly: true }).forEachChunk(
  async (chunk, index) => {
    const a = await chunk.read();
    let sum = 0;
    for (const v of a.data) sum += v;
    sums.set(index, sum);
  },
  { chunkSize: [128, 128, 64], executor: new InProcessExecutor({ concurrency: 2 }) },
);
console.log(`${sums.size} chunks, mean intensity ${([...sums.values()].reduce((a, b) => a + b, 0) / (300 * 200 * 64)).toFixed(2)}`);
// 6 chunks, mean intensity 116.57
ds.close();
