// Locations of the fixtures in test/fixtures/ (copied from the reference and webKnossos
// fixture sets; see test/fixtures/README.md) and the content formula of the reference datasets.
import { createHash } from "node:crypto";
import { readFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, "../fixtures");
export const REFERENCE = path.join(FIXTURES, "reference");
export const WEBKNOSSOS = path.join(FIXTURES, "webknossos");

export function referenceManifest() {
  return JSON.parse(readFileSync(path.join(REFERENCE, "manifest.json"), "utf8"));
}

export function sha256(bytes) {
  const b = ArrayBuffer.isView(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  return createHash("sha256").update(b).digest("hex");
}

/** A fresh temporary folder, removed when the test ends. */
export function tempDir(t, prefix = "wkw-test-") {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies a fixture folder into a temporary folder (tests never write into test/fixtures). */
export function copyFixture(t, src) {
  const dir = tempDir(t);
  const dst = path.join(dir, path.basename(src));
  cpSync(src, dst, { recursive: true });
  return dst;
}

export function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const SIZE = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8 };

/** The bytes of the formula buffer for a region: (c, x, y, z) Fortran order, little-endian. */
export function formulaBytes(voxelType, channels, offset, size, salt) {
  const ts = SIZE[voxelType];
  const [sx, sy, sz] = size;
  const buf = Buffer.alloc(sx * sy * sz * channels * ts);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let i = 0;
  for (let z = offset[2]; z < offset[2] + sz; z++)
    for (let y = offset[1]; y < offset[1] + sy; y++)
      for (let x = offset[0]; x < offset[0] + sx; x++)
        for (let c = 0; c < channels; c++, i += ts) {
          const h = fmix32((Math.imul(x, 0x9e3779b1) + Math.imul(y, 0x85ebca77) + Math.imul(z, 0xc2b2ae3d) + Math.imul(c, 0x27d4eb2f) + salt) >>> 0);
          switch (voxelType) {
            case "uint8": case "int8": dv.setUint8(i, h & 0xff); break;
            case "uint16": case "int16": dv.setUint16(i, h & 0xffff, true); break;
            case "uint32": case "int32": dv.setUint32(i, h, true); break;
            case "float32": dv.setFloat32(i, ((h >>> 8) - 8388608) / 256, true); break;
            case "uint64": case "int64": {
              const g = fmix32((h ^ 0x5bd1e995) >>> 0);
              dv.setUint32(i, h, true);
              dv.setUint32(i + 4, g, true);
              break;
            }
            case "float64": {
              const g = fmix32((h ^ 0x5bd1e995) >>> 0);
              dv.setFloat64(i, ((h | 0) * 2097152 + (g >>> 11)) / 1048576, true);
              break;
            }
          }
        }
  return buf;
}
