/**
 * Parses a precomputed chunk name `<x0>-<x1>_<y0>-<y1>_<z0>-<z1>` and checks it is exactly
 * one chunk of the scale's grid (which starts at voxel_offset and is clipped at the end).
 * Anything else is refused before any read: a malformed, off-grid or oversized box is 400,
 * a box outside the volume 404.
 */
import type { Vec3 } from "../geometry/vec3.js";
import type { ServedScale } from "./info.js";

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
  }
}

// Up to 10 digits each: any larger number is out of every WKW volume (coordinates < 2^31).
const CHUNK_NAME = /^(\d{1,10})-(\d{1,10})_(\d{1,10})-(\d{1,10})_(\d{1,10})-(\d{1,10})$/;

export interface ChunkBox {
  offset: Vec3;
  size: Vec3;
}

export function parseChunkName(name: string, scale: ServedScale): ChunkBox {
  const m = CHUNK_NAME.exec(name);
  if (!m) throw new HttpError(400, "a chunk name is <x0>-<x1>_<y0>-<y1>_<z0>-<z1> (decimal voxel coordinates)");
  const offset: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = Number(m[1 + 2 * i]), b = Number(m[2 + 2 * i]);
    const axis = "xyz"[i];
    const start = scale.voxelOffset[i]!, end = start + scale.size[i]!, edge = scale.chunkSize[i]!;
    if (b <= a) throw new HttpError(400, `${axis}: the end ${b} must be greater than the start ${a}`);
    if (b - a > edge) throw new HttpError(400, `${axis}: ${b - a} voxels, more than the chunk size ${edge}`);
    if (a < start || a >= end) throw new HttpError(404, `${axis}: ${a} is outside the volume [${start}, ${end})`);
    if ((a - start) % edge !== 0) throw new HttpError(400, `${axis}: ${a} is not on the chunk grid (${start} + k·${edge})`);
    const expectedEnd = Math.min(a + edge, end);
    if (b !== expectedEnd) throw new HttpError(400, `${axis}: the chunk starting at ${a} ends at ${expectedEnd}, not ${b}`);
    offset.push(a);
    size.push(b - a);
  }
  return { offset: offset as unknown as Vec3, size: size as unknown as Vec3 };
}
