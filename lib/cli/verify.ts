/**
 * `wkw verify <dataset|layer|mag>`: decodes every block of every cube file of every mag
 * it covers and names the damaged files; exit 1 when any is damaged.
 */
import path from "node:path";
import { WkwError } from "../errors.js";
import { abortError } from "../util/abort.js";
import { WkwDataset } from "../wkw/dataset.js";
import { EXIT, type Command } from "./command.js";
import { magsOf, openLayers, resolveTarget } from "./target.js";

export interface VerifyProblem {
  file: string;
  code: string;
  message: string;
  blockIndex?: number;
}

export interface VerifyResult {
  files: number;
  problems: VerifyProblem[];
}

export interface VerifyMagOptions {
  /** called after each file */
  onFile?: () => void;
  signal?: AbortSignal;
}

/** Reads each file in slabs one block thick (bounded memory), recording the first error per file. */
export async function verifyMag(ds: WkwDataset, options: VerifyMagOptions = {}): Promise<VerifyResult> {
  const { blockLen, fileLen } = ds.header;
  const edge = blockLen * fileLen;
  const files = await ds.listFiles();
  const problems: VerifyProblem[] = [];
  let out;
  for (const [x, y, z] of files) {
    if (options.signal?.aborted) throw abortError();
    try {
      for (let dz = 0; dz < edge; dz += blockLen) {
        out = await ds.read([x * edge, y * edge, z * edge + dz], [edge, edge, blockLen], out ? { out } : undefined);
      }
    } catch (err) {
      if (!(err instanceof WkwError) || err.code === "ERR_WKW_ABORTED") throw err;
      problems.push({
        file: path.relative(ds.path, err.path ?? path.join(ds.path, `z${z}/y${y}/x${x}.wkw`)),
        code: err.code,
        message: err.message,
        ...(err.blockIndex !== undefined ? { blockIndex: err.blockIndex } : {}),
      });
    }
    options.onFile?.();
  }
  return { files: files.length, problems };
}

interface MagReport extends VerifyResult {
  layer?: string;
  mag: string;
  path: string;
}

export const verifyCommand: Command = {
  name: "verify",
  summary: "decode every block of every file of a dataset, layer or mag; exit 1 on damage",
  usage: "verify <dataset|layer|mag>",
  description: "A dataset is checked mag by mag, layer by layer. Damaged files are listed with the error code and block.",
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ args, out, signal, progress }) {
    const target = resolveTarget(args[0]!);
    const mags: { layer?: string; dir: string }[] = [];
    if (target.kind === "mag") {
      mags.push({ layer: target.layer, dir: target.path });
    } else {
      const { dataset, layers } = await openLayers(target);
      for (const { layer, mag } of magsOf(layers)) mags.push({ layer: layer.name, dir: mag.path });
      dataset.close();
    }
    const handles = [];
    try {
      for (const m of mags) handles.push(await WkwDataset.open(m.dir));
      let total = 0;
      for (const h of handles) total += (await h.listFiles()).length;
      const bar = progress("verify");
      let done = 0;
      bar.update({ done, total, unit: "files" });
      const reports: MagReport[] = [];
      try {
        for (const [i, h] of handles.entries()) {
          const r = await verifyMag(h, { signal, onFile: () => bar.update({ done: ++done, total, unit: "files" }) });
          reports.push({ ...(mags[i]!.layer ? { layer: mags[i]!.layer } : {}), mag: path.basename(h.path), path: h.path, ...r });
        }
      } finally {
        bar.stop();
      }
      const files = reports.reduce((s, r) => s + r.files, 0);
      const damaged = reports.reduce((s, r) => s + r.problems.length, 0);
      out.result({ ok: damaged === 0, files, damaged, mags: reports }, () => {
        const lines: string[] = [];
        for (const r of reports) {
          const prefix = target.kind === "mag" ? "" : `${r.layer}/${r.mag}/`;
          for (const p of r.problems) lines.push(`${prefix}${p.file}: ${p.code}${p.blockIndex !== undefined ? ` (block ${p.blockIndex})` : ""}: ${p.message}`);
          if (target.kind !== "mag") lines.push(`${r.layer}/${r.mag}: ${r.files} files checked, ${r.problems.length} damaged`);
        }
        lines.push(`${files} files checked, ${damaged} damaged`);
        return lines;
      });
      return damaged === 0 ? EXIT.OK : EXIT.FAILURE;
    } finally {
      for (const h of handles) h.close();
    }
  },
};
