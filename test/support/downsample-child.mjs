// Child process of test/downsample-crash.test.mjs: builds the pyramid of one layer and
// reports every finished target file on stdout ("progress <done>/<total>") until the
// parent SIGKILLs it.  node downsample-child.mjs <dataset> <layer>
import { writeSync } from "node:fs";
import { Dataset, InProcessExecutor } from "../../dist/index.js";

const [dir, name] = process.argv.slice(2);
const ds = await Dataset.open(dir);
writeSync(1, "ready\n");
await ds.getLayer(name).downsample({
  coarsestMag: 8,
  samplingMode: "isotropic",
  executor: new InProcessExecutor({ concurrency: 1 }),
  onProgress: ({ done, total }) => writeSync(1, `progress ${done}/${total}\n`),
});
writeSync(1, "done\n");
// Linger when asked, so that a kill the parent sends after the last file always lands.
if (process.argv[4] === "linger") setTimeout(() => {}, 60_000);
