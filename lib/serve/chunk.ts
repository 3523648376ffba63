/**
 * One precomputed chunk: `magView.read` of the box (native core, block cache, pool), in
 * Neuroglancer's raw encoding: little-endian, x fastest, then y, z, channel slowest. One
 * channel is already in that order; more channels are reordered by the native core.
 */
import { binding } from "../binding.js";
import { TYPED_ARRAY } from "../dtypes.js";
import type { ChunkBox } from "./chunk-key.js";
import type { ServedScale } from "./info.js";

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Raw chunks are the typed arrays' bytes; a big-endian host would need a byte swap.
  throw new Error("wkw serve needs a little-endian host");
}

export async function readChunk(scale: ServedScale, box: ChunkBox, signal: AbortSignal): Promise<Buffer> {
  const array = await scale.magView.read(box.offset, box.size, { signal });
  let data = array.data;
  const channels = array.shape[0];
  if (channels > 1) {
    const planar = new TYPED_ARRAY[array.dtype](data.length);
    binding.channelsToPlanar(data, planar, channels);
    data = planar;
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
