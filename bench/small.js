"use strict";
// Aligned blockLen³ reads (one block each) at random places of the LZ4 volumes, on
// webKnossos' default geometry: the per-call overhead of the sync and async paths.
const { WkwDataset } = require("..");
const { datasetPath } = require("./setup.js");
const { measureBatches, nowMs } = require("./measure.js");
const { VOLUME_LABEL, TYPE_BYTES, offsets, latencies } = require("./common.js");

/** mode: "sync", "sync-out" (reused out) or a number of async reads kept in flight. */
function readSmall(volume, mode) {
  return async ({ dir, params }) => {
    const ds = await WkwDataset.open(datasetPath(dir, volume, "lz4", "wk"));
    const b = params.blockLen, size = [b, b, b];
    const list = offsets(params.smallReads, params.edge, b, b, 7);
    const out = ds.readSync(list[0], size);
    const lat = [];
    const syncPass = async () => {
      const options = mode === "sync-out" ? { out } : undefined;
      for (const o of list) {
        const s = nowMs();
        ds.readSync(o, size, options);
        lat.push(nowMs() - s);
      }
    };
    const asyncPass = async () => {
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const o = list[next++];
          const s = nowMs();
          await ds.read(o, size);
          lat.push(nowMs() - s);
        }
      };
      await Promise.all(Array.from({ length: mode }, worker));
    };
    const r = await measureBatches(typeof mode === "number" ? asyncPass : syncPass, {
      ops: list.length, min: params.smallPasses, max: params.smallPasses, budgetMs: 0,
    });
    ds.close();
    return { ...r, ...latencies(lat.slice(-r.iterations * list.length)), bytesPerOp: b ** 3 * TYPE_BYTES[volume] };
  };
}

function configurations(params) {
  const b = params.blockLen;
  const list = [];
  const section = `aligned ${b}³ LZ4 reads at random places, file length ${params.fileLen.wk}`;
  for (const volume of ["em", "seg"]) {
    const reference = ({ dir }) => ({ cmd: "read", dir: datasetPath(dir, volume, "lz4", "wk"), offset: [b, b, b], size: [b, b, b], repeat: 500 });
    const modes = volume === "em" ? ["sync", "sync-out", 1, 16, 64] : ["sync", 16];
    for (const mode of modes) {
      const what = mode === "sync" ? "sync" : mode === "sync-out" ? "sync, reused out" : `async, ${mode} in flight`;
      list.push({
        id: `small.${volume}.${typeof mode === "number" ? `async${mode}` : mode}`,
        section, label: `${b}³ ${VOLUME_LABEL[volume]}, ${what}`,
        run: readSmall(volume, mode), reference,
        target: mode === "sync" ? { p50Us: volume === "em" ? 16 : 20 } : undefined,
      });
    }
  }
  return list;
}

module.exports = { configurations };
