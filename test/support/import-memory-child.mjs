// Child process of the import memory test: imports a stack and prints its peak RSS.
//   node import-memory-child.mjs <input> <output> <compress: 0|1>
import { Dataset } from "../../dist/index.js";

const [input, output, compress] = process.argv.slice(2);
const ds = await Dataset.fromImages(input, output, { voxelSize: [1, 1, 1], compress: compress === "1" });
const layer = ds.getLayer("color");
ds.close();
console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, size: [...layer.boundingBox.size] }));
