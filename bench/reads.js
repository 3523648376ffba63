"use strict";
// Whole-region reads at the sizes pipelines use (32³ … 512³), EM-like uint8 and
// segmentation-like uint32, raw and LZ4, sync and async, into fresh arrays and into a
// reused `out`, on webKnossos' default geometry (file length 32) and, at 128³ and 512³,
// on file length 8. Each row's reference is the reference library reading the same
// region of the same files in the same run (a fresh zeroed buffer per read).
const { WkwDataset } = require("..");
const { datasetPath } = require("./setup.js");
const { measureBatches } = require("./measure.js");
const { TYPE_BYTES, VOLUME_LABEL } = require("./common.js");

function wholeRead({ volume, blockType, geometry, n, sync, fresh }) {
  return async ({ dir, params }) => {
    const ds = await WkwDataset.open(datasetPath(dir, volume, blockType, geometry));
    const offset = [0, 0, 0], size = [n, n, n];
    const options = fresh ? undefined : { out: ds.readSync(offset, size) };
    const bytesPerOp = n ** 3 * TYPE_BYTES[volume];
    const ops = Math.max(1, Math.floor(params.batchBytes / bytesPerOp));
    const batch = sync
      ? async () => { for (let i = 0; i < ops; i++) ds.readSync(offset, size, options); }
      : async () => { for (let i = 0; i < ops; i++) await ds.read(offset, size, options); };
    // Warm-up long enough for the array pool to reach its steady state (docs/performance.md).
    const r = await measureBatches(batch, { ops, budgetMs: params.budgetMs, min: 3, max: 40, warmUpMs: params.warmUpMs });
    ds.close();
    return { ...r, bytesPerOp };
  };
}

/** Targets of issue #12 for a whole-read row (ratios to the reference in the same run). */
function target(n, blockType, volume, sync, fresh) {
  if (n < 128) return undefined;
  if (!fresh) {
    if (n !== 512 || blockType !== "lz4" || sync) return undefined;
    return { refRatio: volume === "em" ? 3 : 4 };
  }
  if (sync) return { refRatio: 1 };
  return { refRatio: n === 512 && blockType === "lz4" ? 1.8 : 1.5 };
}

function configurations(params) {
  const list = [];
  const rows = (geometry, sizes, blockTypes, outs) => {
    for (const n of sizes) {
      for (const volume of ["em", "seg"]) {
        for (const blockType of blockTypes) {
          const reference = ({ dir }) => ({
            cmd: "read", dir: datasetPath(dir, volume, blockType, geometry), offset: [0, 0, 0], size: [n, n, n],
            // About 256 MiB read (at least 5 reads): enough CPU time to measure it in 10 ms ticks.
            repeat: Math.max(5, Math.min(400, Math.ceil((256 << 20) / (n ** 3 * TYPE_BYTES[volume])))),
          });
          for (const sync of [false, true]) {
            for (const fresh of outs) {
              const mode = `${sync ? "sync" : "async"}, ${fresh ? "fresh" : "reused out"}`;
              list.push({
                id: `read.fl${params.fileLen[geometry]}.${n}.${volume}.${blockType}.${sync ? "sync" : "async"}.${fresh ? "fresh" : "out"}`,
                section: `whole read, file length ${params.fileLen[geometry]}`,
                label: `${n}³ ${VOLUME_LABEL[volume]} ${blockType}, ${mode}`,
                run: wholeRead({ volume, blockType, geometry, n, sync, fresh }),
                reference,
                target: geometry === "wk" ? target(n, blockType, volume, sync, fresh) : undefined,
              });
            }
          }
        }
      }
    }
  };
  rows("wk", params.readSizes, ["lz4", "raw"], [true, false]);
  const big = params.readSizes.filter((n) => n >= 128);
  rows("small", [big[0], big[big.length - 1]].filter((n, i, a) => a.indexOf(n) === i), ["lz4"], [true]);
  return list;
}

module.exports = { configurations };
