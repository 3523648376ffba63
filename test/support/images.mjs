// Generators of image stacks for the import tests, written with the same libraries the
// import reads with (geotiff for TIFF, sharp for PNG/JPEG/compressed TIFF), so every
// expected voxel is known exactly.
import { writeFileSync } from "node:fs";
import * as geotiff from "geotiff";
import sharp from "sharp";

const SAMPLE = { Uint8Array: [8, 1], Uint16Array: [16, 1], Uint32Array: [32, 1], Float32Array: [32, 3] };

/** An uncompressed TIFF of one page: `data` interleaved (channel fastest, then x, then y). */
export async function writeTiff(file, data, width, height, channels = 1) {
  const [bits, format] = SAMPLE[data.constructor.name];
  const meta = {
    width, height,
    SamplesPerPixel: channels,
    BitsPerSample: Array(channels).fill(bits),
    SampleFormat: Array(channels).fill(format),
    PhotometricInterpretation: channels >= 3 ? 2 : 1,
    ...(channels === 4 ? { ExtraSamples: [2] } : {}),
  };
  writeFileSync(file, Buffer.from(await geotiff.writeArrayBuffer(data, meta)));
}

function space(data, channels) {
  const sixteen = data instanceof Uint16Array;
  return channels <= 2 ? (sixteen ? "grey16" : "b-w") : sixteen ? "rgb16" : "srgb";
}

/** A PNG, an LZW/Deflate TIFF or a JPEG of 8- or 16-bit data, through sharp. */
export async function writeWithSharp(file, data, width, height, channels, kind, tmpTiff) {
  // 16-bit data goes in through an uncompressed TIFF (sharp's raw input is 8-bit here).
  let input;
  if (data instanceof Uint16Array) {
    await writeTiff(tmpTiff, data, width, height, channels);
    input = sharp(tmpTiff);
  } else {
    input = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } });
  }
  input = input.toColourspace(space(data, channels));
  if (kind === "png") await input.png().toFile(file);
  else if (kind === "jpeg") await input.jpeg({ quality: 90 }).toFile(file);
  else await input.tiff({ compression: kind }).toFile(file); // "lzw" | "deflate"
}

/** A multi-page 8-bit gray TIFF, one page per array. */
export async function writeMultiPageTiff(file, pages, width, height) {
  const tall = Buffer.concat(pages.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  await sharp(tall, { raw: { width, height: height * pages.length, channels: 1, pageHeight: height } })
    .toColourspace("b-w").tiff({ compression: "none" }).toFile(file);
}

/** What sharp decodes from a (lossy) file: the reference for JPEG slices. */
export async function decodeWithSharp(file, channels) {
  const { data } = await sharp(file).toColourspace(channels <= 2 ? "b-w" : "srgb").raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** Deterministic slice content: a hash of (x, y, z, c) so any misplacement shows. */
export function sliceData(Ctor, width, height, channels, z) {
  const a = new Ctor(width * height * channels);
  const max = Ctor === Uint8Array ? 256 : Ctor === Uint16Array ? 65536 : 2 ** 32;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        const h = (Math.imul(x + 1, 73856093) ^ Math.imul(y + 1, 19349663) ^ Math.imul(z + 1, 83492791) ^ Math.imul(c + 1, 2654435761)) >>> 0;
        a[i] = Ctor === Float32Array ? (h % 100000) / 7 - 5000 : h % max;
      }
  return a;
}
