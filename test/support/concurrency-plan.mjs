// The workload of test/concurrency.test.mjs, shared with its child processes and worker
// threads: writes into disjoint cube files of a 4 × 4 × 4-file dataset, and reads of other
// files whose content is known.
import { formulaBytes } from "./fixtures.mjs";

/** uint8, blockLen 8, fileLen 2: cube files of 16³ voxels; the volume is 4 × 4 × 4 files. */
export const EDGE = 16;
export const GRID = 4;
export const layout = (blockType) => ({ voxelType: "uint8", blockLen: 8, fileLen: 2, blockType });

const FILES = [];
for (let z = 0; z < GRID; z++) for (let y = 0; y < GRID; y++) for (let x = 0; x < GRID; x++) FILES.push([x, y, z]);

/**
 * Files 0-15 are read (written once during setup), 16-39 exist before and are rewritten
 * (merge into a compressed file / in-place raw), 40-63 are new. Every write is an unaligned
 * box inside its own file, so no two writes share a file.
 */
export const READ_FILES = FILES.slice(0, 16);
export const OLD_FILES = FILES.slice(16, 40);
export const WRITES = FILES.slice(16).map((file, i) => {
  const lo = [1 + (i % 3), 2 + (i % 5), i % 4];
  const size = [EDGE - lo[0] - (i % 2), EDGE - lo[1] - 1, EDGE - lo[2] - (i % 3)];
  return { index: i, file, offset: lo.map((v, a) => file[a] * EDGE + v), size, salt: 5000 + i };
});

export function fullFile(file, salt) {
  const offset = file.map((v) => v * EDGE);
  return { offset, data: { data: new Uint8Array(formulaBytes("uint8", 1, offset, [EDGE, EDGE, EDGE], salt)), shape: [EDGE, EDGE, EDGE] } };
}

export function writeData(w) {
  return { data: new Uint8Array(formulaBytes("uint8", 1, w.offset, w.size, w.salt)), shape: w.size };
}

export const readSalt = (i) => 1000 + i;

/** Writes the files read later and the files rewritten later (the state before the workload). */
export async function setUp(ds) {
  await Promise.all(READ_FILES.map((f, i) => {
    const { offset, data } = fullFile(f, readSalt(i));
    return ds.write(offset, data);
  }));
  await Promise.all(OLD_FILES.map((f, i) => {
    const { offset, data } = fullFile(f, 3000 + i);
    return ds.write(offset, data);
  }));
}

/** Reads every read file and checks it; returns the number of mismatches. */
export async function readAll(ds) {
  let bad = 0;
  await Promise.all(READ_FILES.map(async (f, i) => {
    const offset = f.map((v) => v * EDGE);
    const got = await ds.read(offset, [EDGE, EDGE, EDGE]);
    if (Buffer.compare(Buffer.from(got.data), formulaBytes("uint8", 1, offset, [EDGE, EDGE, EDGE], readSalt(i))) !== 0) bad++;
  }));
  return bad;
}

/** sha256 of every file under `dir`, by relative path. */
export { snapshot } from "./dataset.mjs";
