/**
 * TIFF: 8-bit TIFFs through sharp (libvips is several times faster), everything else through
 * geotiff, which returns every sample format as stored (uint8/16/32, int, float32,
 * float64; any number of samples; uncompressed, LZW, Deflate, PackBits), one page per image
 * file directory. (sharp converts TIFFs to its colour spaces, so it cannot give float32,
 * uint32 or multi-sample 16-bit data losslessly.)
 */
import type { VoxelData, VoxelType } from "../dtypes.js";
import { WkwError } from "../errors.js";
import { sharpTiffReader } from "./sharp-reader.js";
import { decodeError, type ImageFormat, type ImageInfo, type ImageReader } from "./reader.js";

// The few geotiff calls used here. (Its bundled .d.ts files need DOM types, so the module
// is imported untyped instead of pulling them into every build.)
interface GeoTIFFImage {
  getWidth(): number;
  getHeight(): number;
  getSamplesPerPixel(): number;
  getBitsPerSample(sample?: number): number;
  getSampleFormat(sample?: number): number;
  readRasters(options: { interleave: true }): Promise<unknown>;
  fileDirectory: { getValue?(tag: string): unknown; PhotometricInterpretation?: unknown };
}
interface GeoTIFF {
  getImageCount(): Promise<number>;
  getImage(index: number): Promise<GeoTIFFImage>;
  close?(): unknown;
}
interface GeoTiffModule {
  fromFile(file: string): Promise<GeoTIFF>;
}

let geotiff: Promise<GeoTiffModule> | undefined;
function load(): Promise<GeoTiffModule> {
  const name: string = "geotiff";
  geotiff ??= import(name) as Promise<GeoTiffModule>;
  return geotiff;
}

function dtypeOf(file: string, image: GeoTIFFImage): VoxelType {
  const bits = image.getBitsPerSample();
  const format = image.getSampleFormat(); // 1 uint, 2 int, 3 float
  const samples = image.getSamplesPerPixel();
  for (let s = 1; s < samples; s++) {
    if (image.getBitsPerSample(s) !== bits || image.getSampleFormat(s) !== format) {
      throw new WkwError("ERR_WKW_ARGUMENT", `${file}: samples of different types in one pixel are not supported`, { path: file });
    }
  }
  if (!(bits > 0) || !(samples > 0) || !(image.getWidth() > 0) || !(image.getHeight() > 0)) {
    throw new Error(`no valid image in the TIFF directory (${bits} bits per sample, ${samples} samples, ${image.getWidth()}×${image.getHeight()})`);
  }
  // Gray (0, 1) and RGB (2) samples are voxel values; palette, CMYK, YCbCr or Lab samples are not.
  const fd = image.fileDirectory;
  const photometric = typeof fd.getValue === "function" ? fd.getValue("PhotometricInterpretation") : fd.PhotometricInterpretation;
  if (typeof photometric === "number" && photometric > 2) {
    throw new WkwError("ERR_WKW_ARGUMENT", `${file}: TIFF photometric interpretation ${photometric} (palette, CMYK, YCbCr, …) is not supported; gray or RGB(A) samples are`, { path: file });
  }
  const key = `${format}:${bits}`;
  const t = ({ "1:8": "uint8", "1:16": "uint16", "1:32": "uint32", "2:8": "int8", "2:16": "int16", "2:32": "int32", "3:32": "float32", "3:64": "float64" } as Record<string, VoxelType>)[key];
  if (!t) {
    throw new WkwError("ERR_WKW_ARGUMENT", `${file}: TIFF sample format ${format} with ${bits} bits per sample is not supported (8/16/32-bit integers, 32/64-bit floats)`, { path: file });
  }
  return t;
}

async function open<T>(file: string, page: number, fn: (tiff: GeoTIFF) => Promise<T>): Promise<T> {
  const g = await load();
  let tiff: GeoTIFF | undefined;
  try {
    tiff = await g.fromFile(file);
    return await fn(tiff);
  } catch (err) {
    throw decodeError(file, page, err);
  } finally {
    tiff?.close?.();
  }
}

function formatOf(file: string, image: GeoTIFFImage): ImageFormat {
  return { width: image.getWidth(), height: image.getHeight(), channels: image.getSamplesPerPixel(), dtype: dtypeOf(file, image) };
}

const geotiffReader: ImageReader = {
  probe(file: string): Promise<ImageInfo> {
    return open(file, 0, async (tiff) => {
      const pages = await tiff.getImageCount();
      return { ...formatOf(file, await tiff.getImage(0)), pages };
    });
  },
  decode(file: string, page: number): Promise<{ format: ImageFormat; data: VoxelData }> {
    return open(file, page, async (tiff) => {
      const image = await tiff.getImage(page);
      const format = formatOf(file, image);
      const data = (await image.readRasters({ interleave: true })) as unknown as VoxelData;
      const expected = format.width * format.height * format.channels;
      if (!ArrayBuffer.isView(data) || data.length !== expected) {
        throw new Error(`decoded ${ArrayBuffer.isView(data) ? data.length : "no"} samples, expected ${expected}`);
      }
      return { format, data };
    });
  },
};

export const tiffReader: ImageReader = {
  async probe(file: string): Promise<ImageInfo> {
    return ((await sharpTiffReader(file, 0)) ?? geotiffReader).probe(file);
  },
  async decode(file: string, page: number): Promise<{ format: ImageFormat; data: VoxelData }> {
    return ((await sharpTiffReader(file, page)) ?? geotiffReader).decode(file, page);
  },
};
