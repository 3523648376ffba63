// 4. A chunk job on worker threads, and on BullMQ workers (other processes or machines).
import path from "node:path";
import { BullMQExecutor, Dataset, WorkerThreadExecutor } from "wkw";

const work = process.argv[2] ?? "cookbook-data";
const redis = process.argv[3]; // e.g. redis://127.0.0.1:6379, with workers started as below
const ds = await Dataset.open(path.join(work, "em"));
const color = ds.getLayer("color").getMag(1);

// The job is named, not sent: a module and an exported function, with JSON args.
const job = { module: new URL("./jobs/threshold.mjs", import.meta.url).href, name: "threshold", args: { level: 200 } };

// One job per target file (file edge 128 here): each job reads its chunk of the color
// layer and writes the same chunk of a new segmentation layer.
async function run(layerName, executor) {
  const mask = await ds.addLayer(layerName, "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 1 });
  const target = await mask.addMag(1, { fileLen: 4, compress: true });
  await mask.setBoundingBox(ds.getLayer("color").boundingBox);
  const chunk = [128, 128, 128];
  try {
    await color.getView({ readOnly: true }).forZippedChunks(job, target.getView(), { sourceChunkSize: chunk, targetChunkSize: chunk, executor });
  } finally {
    await executor.close();
  }
  return target.read();
}

const threads = await run("mask", new WorkerThreadExecutor({ threads: 2 }));
console.log(`worker threads: ${threads.data.filter((v) => v === 1).length} voxels above 200`);
// worker threads: 704000 voxels above 200

// BullMQ: start workers anywhere that sees the same file system, allowing the job folder:
//   npx wkw worker --redis redis://127.0.0.1:6379 --queue cookbook --allow-module docs/examples/jobs
if (redis) {
  const viaQueue = await run("mask-bullmq", new BullMQExecutor({ connection: redis, queueName: "cookbook" }));
  console.log(`BullMQ workers: the same voxels: ${Buffer.compare(Buffer.from(viaQueue.data.buffer), Buffer.from(threads.data.buffer)) === 0}`);
  // BullMQ workers: the same voxels: true
}
ds.close();
