"use strict";
// Random unaligned reads (50 × 100³ in the full run) of LZ4 data on webKnossos' default
// geometry: cold (no BlockCache, as by default) and cached (a BlockCache that holds the
// working set, warm), sync and async. The reference reads the same regions in the same
// run: bench-read-random dumps them and our rows read that list.
const fs = require("node:fs");
const path = require("node:path");
const { WkwDataset, BlockCache } = require("..");
const { datasetPath } = require("./setup.js");
const { measureBatches, nowMs } = require("./measure.js");
const { VOLUME_LABEL, TYPE_BYTES, offsets, latencies } = require("./common.js");
const { readRegions } = require("./reference.js");

const regionsFile = (dir, volume) => path.join(dir, `random-regions-${volume}.txt`);

function randomReads({ volume, sync, cached }) {
  return async ({ dir, params }) => {
    const cache = cached ? new BlockCache({ maxBytes: params.cacheBytes }) : undefined;
    const ds = await WkwDataset.open(datasetPath(dir, volume, "lz4", "wk"), { cache });
    const e = params.randomEdge, size = [e, e, e];
    const list = readRegions(regionsFile(dir, volume));
    const lat = [];
    const batch = async () => {
      for (const o of list) {
        const s = nowMs();
        if (sync) ds.readSync(o, size);
        else await ds.read(o, size);
        lat.push(nowMs() - s);
      }
    };
    const r = await measureBatches(batch, {
      ops: list.length, min: params.randomPasses, max: params.randomPasses, budgetMs: 0, warmUpMs: params.warmUpMs,
    });
    const stats = cache?.stats();
    ds.close();
    return { ...r, ...latencies(lat.slice(-r.iterations * list.length)), bytesPerOp: e ** 3 * TYPE_BYTES[volume], cache: stats };
  };
}

/** Writes the region lists when the reference tool is absent (else it dumps them). */
function prepare({ dir, params, tool }) {
  if (tool) return;
  for (const volume of ["em", "seg"]) {
    const e = params.randomEdge;
    const lines = offsets(params.randomReads, params.edge, e, 1, 11).map((o) => `${o.join(" ")} ${e} ${e} ${e}`);
    fs.writeFileSync(regionsFile(dir, volume), lines.join("\n") + "\n");
  }
}

function configurations(params) {
  const list = [];
  const e = params.randomEdge;
  for (const volume of ["em", "seg"]) {
    const reference = ({ dir }) => ({
      cmd: "random", dir: datasetPath(dir, volume, "lz4", "wk"), count: params.randomReads, size: e,
      extent: [params.edge, params.edge, params.edge], seed: 11, repeat: params.randomPasses, regionsFile: regionsFile(dir, volume),
    });
    for (const cached of [false, true]) {
      for (const sync of [false, true]) {
        list.push({
          id: `random.${volume}.${cached ? "cached" : "cold"}.${sync ? "sync" : "async"}`,
          section: `random unaligned ${e}³ reads, LZ4, file length ${params.fileLen.wk}`,
          label: `${params.randomReads} × ${e}³ ${VOLUME_LABEL[volume]}, ${cached ? "BlockCache, warm" : "cold"}, ${sync ? "sync" : "async"}`,
          run: randomReads({ volume, sync, cached }),
          reference,
          target: volume !== "em" ? undefined : { refRatio: cached ? 8 : sync ? 1.1 : 1.8 },
        });
      }
    }
  }
  return list;
}

module.exports = { configurations, prepare };
