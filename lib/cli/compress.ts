/**
 * `wkw compress <source> <target>`: a copy of a dataset, a layer or a mag with another
 * block type. The target appears only when complete (see atomic-target.ts). Raw targets are
 * sparse: all-zero blocks are not written.
 */
import { copyFile } from "node:fs/promises";
import path from "node:path";
import { WkwDataset } from "../wkw/dataset.js";
import { BLOCK_TYPES, type BlockType } from "../wkw/header.js";
import { UsageError, choiceOption, intOption } from "./args.js";
import { withAtomicTarget } from "./atomic-target.js";
import type { Command } from "./command.js";
import type { ProgressReporter } from "./progress.js";
import { magsOf, openLayers, resolveTarget } from "./target.js";

/** Files per native call: enough to keep the pool busy, few enough for a smooth bar. */
const FILES_PER_CALL = 8;

interface Job {
  source: string;
  /** relative to the target root ("" for a mag target) */
  dest: string;
  files: [number, number, number][];
}

async function compressMag(job: Job, root: string, blockType: BlockType, level: number | undefined, signal: AbortSignal, step: (n: number) => void) {
  const src = await WkwDataset.open(job.source);
  try {
    const dst = await WkwDataset.create(path.join(root, job.dest), { ...src.header, blockType });
    try {
      for (let i = 0; i < job.files.length; i += FILES_PER_CALL) {
        const chunk = job.files.slice(i, i + FILES_PER_CALL);
        await src.compressFilesInto(dst, chunk, { signal, ...(level !== undefined ? { level } : {}) });
        step(chunk.length);
      }
    } finally {
      dst.close();
    }
  } finally {
    src.close();
  }
}

export const compressCommand: Command = {
  name: "compress",
  summary: "copy a dataset, layer or mag with another block type (atomic; sparse raw)",
  usage: "compress <dataset|layer|mag> <target> [--block-type lz4hc|lz4|raw] [--level N]",
  description:
    "The target must not exist (or be an empty folder); it appears only when complete, so a failure or Ctrl-C leaves nothing. " +
    "A dataset target gets the source's datasource-properties.json. Raw output skips all-zero blocks (sparse files).",
  options: {
    "block-type": { type: "string", value: "T", description: "lz4hc (default), lz4 or raw" },
    level: { type: "string", value: "N", description: "LZ4HC level 1..12 (default 9); only with lz4hc" },
  },
  positionals: { min: 2, max: 2 },
  async run({ args, values, out, signal, progress }) {
    const blockType = choiceOption("block-type", values["block-type"], BLOCK_TYPES) ?? "lz4hc";
    const level = intOption("level", values.level, 1, 12);
    if (level !== undefined && blockType !== "lz4hc") {
      throw new UsageError(`--level applies to --block-type lz4hc only (${blockType === "lz4" ? "LZ4 has no levels" : "raw blocks are not compressed"})`);
    }
    const [sourceArg, targetArg] = args as [string, string];
    const target = resolveTarget(sourceArg);
    const jobs: Job[] = [];
    let propertiesFile: string | undefined;
    if (target.kind === "mag") {
      jobs.push({ source: target.path, dest: "", files: [] });
    } else {
      const { dataset, layers } = await openLayers(target);
      for (const { layer, mag } of magsOf(layers)) {
        const folder = path.basename(mag.path);
        jobs.push({ source: mag.path, dest: target.kind === "dataset" ? path.join(layer.name, folder) : folder, files: [] });
      }
      dataset.close();
      if (target.kind === "dataset") propertiesFile = path.join(target.path, "datasource-properties.json");
    }
    for (const job of jobs) {
      const ds = await WkwDataset.open(job.source);
      job.files = (await ds.listFiles()) as [number, number, number][];
      ds.close();
    }
    const total = jobs.reduce((s, j) => s + j.files.length, 0);
    const bar: ProgressReporter = progress("compress");
    let done = 0;
    const final = path.resolve(targetArg);
    try {
      await withAtomicTarget(final, async (root) => {
        bar.update({ done, total, unit: "files" });
        for (const job of jobs) {
          await compressMag(job, root, blockType, level, signal, (n) => bar.update({ done: (done += n), total, unit: "files" }));
        }
        if (propertiesFile) await copyFile(propertiesFile, path.join(root, "datasource-properties.json"));
      });
    } finally {
      bar.stop();
    }
    out.result(
      { source: path.resolve(sourceArg), target: final, kind: target.kind, blockType, ...(level !== undefined ? { level } : {}), files: total, mags: jobs.map((j) => j.dest || path.basename(final)) },
      () => [`${total} files written to ${final} (${blockType}${level !== undefined ? ` level ${level}` : ""})`],
    );
  },
};
