// The plan of the cross-process write test: a raw mag with 8³ blocks and 16³ files (2×2×2
// blocks); file f is split into 4 block-aligned quarters (x and y halves, full z), each
// written by another process. Quarter q of file f holds the byte (f * 4 + q) % 251 + 1.
export const LAYOUT = { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "raw" };
export const EDGE = 16;
export const GRID = [20, 20, 10]; // files per axis

export function fileOrigin(f) {
  const x = f % GRID[0], y = Math.floor(f / GRID[0]) % GRID[1], z = Math.floor(f / (GRID[0] * GRID[1]));
  return [x * EDGE, y * EDGE, z * EDGE];
}

export function quarterOffset(f, q) {
  const [x, y, z] = fileOrigin(f);
  return [x + (q & 1) * 8, y + ((q >> 1) & 1) * 8, z];
}

export const quarterValue = (f, q) => ((f * 4 + q) % 251) + 1;

export function quarterData(f, q) {
  return { data: new Uint8Array(8 * 8 * 16).fill(quarterValue(f, q)), shape: [1, 8, 8, 16] };
}
