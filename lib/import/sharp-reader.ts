/**
 * PNG, JPEG and 8-bit TIFF through sharp (libvips, prebuilt): 8- and 16-bit, gray,
 * gray+alpha, RGB, RGBA; TIFF pages. The output colour space is pinned to the input's, so libvips neither expands gray
 * to RGB nor scales 16-bit data to 8 bits.
 */
import type { VoxelData } from "../dtypes.js";
import { decodeError, type ImageFormat, type ImageInfo, type ImageReader } from "./reader.js";

type SharpModule = typeof import("sharp");
let sharpModule: Promise<SharpModule> | undefined;
async function load(): Promise<SharpModule> {
  sharpModule ??= import("sharp").then((m) => ((m as unknown as { default?: SharpModule }).default ?? m) as SharpModule);
  return sharpModule;
}

interface Plan {
  format: ImageFormat;
  space: "b-w" | "grey16" | "srgb" | "rgb16";
  depth: "uchar" | "ushort";
}

const OPEN = { failOn: "truncated", limitInputPixels: false } as const;

async function plan(file: string, page: number): Promise<Plan & { pages: number }> {
  const sharp = await load();
  // failOn "truncated": a cut-off PNG or JPEG is an error, not a partly grey image.
  const m = await sharp(file, { ...OPEN, page }).metadata();
  if (m.width === undefined || m.height === undefined || m.channels === undefined) throw new Error("no image size in the file");
  const sixteen = m.depth === "ushort";
  if (!sixteen && m.depth !== "uchar") throw new Error(`pixel depth ${m.depth} is not supported (8 or 16 bit)`);
  const gray = m.channels <= 2;
  return {
    format: { width: m.width, height: m.height, channels: m.channels, dtype: sixteen ? "uint16" : "uint8" },
    space: gray ? (sixteen ? "grey16" : "b-w") : sixteen ? "rgb16" : "srgb",
    depth: sixteen ? "ushort" : "uchar",
    pages: m.pages ?? 1,
  };
}

async function decodeWith(file: string, page: number, p: Plan): Promise<{ format: ImageFormat; data: VoxelData }> {
  const sharp = await load();
  const { data, info } = await sharp(file, { ...OPEN, page })
    .toColourspace(p.space)
    .raw({ depth: p.depth })
    .toBuffer({ resolveWithObject: true });
  const f = p.format;
  if (info.width !== f.width || info.height !== f.height || info.channels !== f.channels) {
    throw new Error(`decoded ${info.width}×${info.height}×${info.channels}, expected ${f.width}×${f.height}×${f.channels}`);
  }
  // (a copy only if libvips handed out an odd offset, which a Uint16Array cannot view)
  const bytes = p.depth === "ushort" && data.byteOffset % 2 !== 0 ? Uint8Array.from(data) : data;
  const array = p.depth === "ushort" ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  return { format: f, data: array };
}

export const sharpReader: ImageReader = {
  async probe(file: string): Promise<ImageInfo> {
    try {
      const p = await plan(file, 0);
      return { ...p.format, pages: p.pages };
    } catch (err) {
      throw decodeError(file, 0, err);
    }
  },
  async decode(file: string, page: number): Promise<{ format: ImageFormat; data: VoxelData }> {
    try {
      return await decodeWith(file, page, await plan(file, page));
    } catch (err) {
      throw decodeError(file, page, err);
    }
  },
};

/**
 * The sharp reader for a TIFF page that sharp gives losslessly (8-bit samples; 16-bit and
 * wider go to geotiff), or undefined. One header read serves the check and the decode.
 */
export async function sharpTiffReader(file: string, page: number): Promise<ImageReader | undefined> {
  let p: Plan & { pages: number };
  try {
    p = await plan(file, page);
  } catch {
    return undefined; // geotiff reports what is wrong with the file
  }
  if (p.depth !== "uchar") return undefined;
  return {
    probe: async () => ({ ...p.format, pages: p.pages }),
    decode: async () => {
      try {
        return await decodeWith(file, page, p);
      } catch (err) {
        throw decodeError(file, page, err);
      }
    },
  };
}
