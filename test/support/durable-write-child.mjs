// One write into a fresh dataset that needs new z/y folders; run under strace by
// test/durable-dirs.test.mjs. Usage: node durable-write-child.mjs <dir> <durable: 0|1>
import { WkwDataset } from "../../dist/index.js";

const [dir, durable] = process.argv.slice(2);
const ds = await WkwDataset.create(dir, { voxelType: "uint8", blockLen: 8, fileLen: 1, blockType: process.argv[4] ?? "raw" });
await ds.write([8, 16, 24], { data: new Uint8Array(8 ** 3).fill(7), shape: [8, 8, 8] }, { durable: durable === "1" });
ds.close();
