/** Decodes every block of every cube file of a mag and reports the files that fail. */
import path from "node:path";
import { WkwError } from "../errors.js";
import type { WkwDataset } from "../wkw/dataset.js";

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

/** Reads each file in slabs one block thick (bounded memory), recording the first error per file. */
export async function verifyMag(ds: WkwDataset, onFile?: (done: number, total: number) => void): Promise<VerifyResult> {
  const { blockLen, fileLen } = ds.header;
  const edge = blockLen * fileLen;
  const files = await ds.listFiles();
  const problems: VerifyProblem[] = [];
  let out;
  for (const [i, [x, y, z]] of files.entries()) {
    try {
      for (let dz = 0; dz < edge; dz += blockLen) {
        out = await ds.read([x * edge, y * edge, z * edge + dz], [edge, edge, blockLen], out ? { out } : undefined);
      }
    } catch (err) {
      if (!(err instanceof WkwError)) throw err;
      problems.push({
        file: path.relative(ds.path, err.path ?? path.join(ds.path, `z${z}/y${y}/x${x}.wkw`)),
        code: err.code,
        message: err.message,
        ...(err.blockIndex !== undefined ? { blockIndex: err.blockIndex } : {}),
      });
    }
    onFile?.(i + 1, files.length);
  }
  return { files: files.length, problems };
}
