/**
 * `wkw copy <dataset> <target>`: every layer and mag into a new dataset, chunk by chunk,
 * optionally with another file geometry or compression. The target appears only when complete.
 */
import path from "node:path";
import { Dataset } from "../dataset/dataset.js";
import { UsageError, intOption } from "./args.js";
import { withAtomicTarget } from "./atomic-target.js";
import type { Command } from "./command.js";
import { EXECUTOR_OPTIONS, cancellable, executorFrom } from "./executor.js";
import { resolveTarget } from "./target.js";

/** Chunks (one per target file) that copyDataset runs for the dataset: the bar's total. */
function chunkCount(dataset: Dataset, blockLen: number | undefined, fileLen: number | undefined): number {
  let n = 0;
  for (const layer of dataset.layers.values()) {
    for (const mv of layer.mags.values()) {
      const edge = (blockLen ?? mv.header.blockLen) * (fileLen ?? mv.header.fileLen);
      const box = layer.boundingBox;
      if (box.isEmpty()) continue;
      const mag = mv.mag.toArray();
      let c = 1;
      for (let a = 0; a < 3; a++) {
        const lo = Math.floor(box.topLeft[a]! / mag[a]!), hi = Math.ceil(box.bottomRight[a]! / mag[a]!);
        c *= Math.ceil(hi / edge) - Math.floor(lo / edge);
      }
      n += c;
    }
  }
  return n;
}

export const copyCommand: Command = {
  name: "copy",
  summary: "copy a dataset (all layers and mags), optionally recompressed or re-chunked",
  usage: "copy <dataset> <target> [--compress | --no-compress] [--block-len N] [--file-len N] [--jobs N]",
  description: "The target must not exist (or be an empty folder); it appears only when complete.",
  options: {
    compress: { type: "boolean", description: "LZ4HC in every mag (default: as each source mag)" },
    "no-compress": { type: "boolean", description: "raw in every mag" },
    "block-len": { type: "string", value: "N", description: "voxels per block edge (default: as the source)" },
    "file-len": { type: "string", value: "N", description: "blocks per file edge (default: as the source)" },
    ...EXECUTOR_OPTIONS,
  },
  positionals: { min: 2, max: 2 },
  async run({ args, values, out, signal, progress }) {
    if (values.compress && values["no-compress"]) throw new UsageError("--compress and --no-compress exclude each other");
    const blockLen = intOption("block-len", values["block-len"], 1, 128);
    const fileLen = intOption("file-len", values["file-len"], 1, 128);
    const source = resolveTarget(args[0]!);
    if (source.kind !== "dataset") throw new UsageError(`copy takes a dataset (a folder with datasource-properties.json); ${args[0]} is a ${source.kind}`);
    const dataset = await Dataset.open(source.path, { readOnly: true });
    const run = executorFrom(values);
    const bar = progress("copy");
    const total = chunkCount(dataset, blockLen, fileLen);
    let done = 0;
    const final = path.resolve(args[1]!);
    try {
      bar.update({ done, total, unit: "chunks" });
      const executor = cancellable(run.executor, signal, () => bar.update({ done: ++done, total, unit: "chunks" }));
      await withAtomicTarget(final, async (temp) => {
        const copy = await dataset.copyDataset(temp, {
          executor,
          ...(blockLen !== undefined ? { blockLen } : {}),
          ...(fileLen !== undefined ? { fileLen } : {}),
          ...(values.compress ? { compress: true } : values["no-compress"] ? { compress: false } : {}),
        });
        await copy.setName(path.basename(final)); // not the temporary folder's name
        copy.close();
      });
    } finally {
      bar.stop();
      dataset.close();
      await run.close();
    }
    out.result({ source: source.path, target: final, layers: [...dataset.layers.keys()], chunks: total }, () => [
      `${dataset.layers.size} layer(s) copied to ${final}`,
    ]);
  },
};
