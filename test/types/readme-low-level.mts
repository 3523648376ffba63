// The README's low-level example, compiled (not run) against the published types: strict,
// module nodenext, `import from "wkw"` as a user writes it. test/types.test.mjs runs tsc.
import { WkwDataset, WkwError } from "wkw"; // or: const { WkwDataset } = require("wkw")
import type { VoxelArray } from "wkw";

const ds = await WkwDataset.create("/data/em/color/1", {
  voxelType: "uint8", numChannels: 1, blockLen: 32, fileLen: 32, blockType: "lz4",
});
const size = [64, 64, 64];
const data = new Uint8Array(64 ** 3).map((_, i) => i % 251);
await ds.write([1000, 2000, 300], { data, shape: size });      // [x, y, z] or [c, x, y, z]
const arr = await ds.read([1000, 2000, 300], size);             // { data, shape: [1, 64, 64, 64], stride, dtype }
await ds.read([1000, 2000, 300], size, { out: arr });           // refill the same buffer
const small = ds.readSync([1000, 2000, 300], [32, 32, 32]);      // no thread-pool hop
await ds.compress("/data/em-hc/color/1", { blockType: "lz4hc" });
console.log(await ds.listFiles());        // [[0, 1, 0], [1, 1, 0], [0, 2, 0], [1, 2, 0]] (the write crosses file edges)
ds.close();

try {
  await WkwDataset.open("/data/nothing");
} catch (err) {
  if (err instanceof WkwError) console.log(err.code, err.path); // ERR_WKW_NOT_FOUND …
}

// A uint8 dataset reads Uint8Arrays: element arithmetic type-checks.
const typed: VoxelArray<Uint8Array> = arr;
const first: number = arr.data[0] + 1;
const bytes: Uint8Array = small.data;
console.log(typed.shape, first, bytes.length);

// An opened dataset of a known voxel type (checked at run time) reads typed arrays too.
const seg = await WkwDataset.open("/data/seg/1", { voxelType: "uint32" });
const ids: Uint32Array = (await seg.read([0, 0, 0], [8, 8, 8])).data;
console.log(ids.length);
// Without it, reads are a union of typed arrays.
const any = await WkwDataset.open("/data/any/1");
const anyData = (await any.read([0, 0, 0], [1, 1, 1])).data;
// @ts-expect-error the voxel type is unknown: the element may be a bigint
const anySum: number = anyData[0] + 1;
console.log(anySum);

// @ts-expect-error a uint8 dataset takes Uint8Array data only
await ds.write([0, 0, 0], { data: new Uint16Array(8), shape: [2, 2, 2] });
// @ts-expect-error unknown option (a typo)
await WkwDataset.create("/data/x", { voxelType: "uint8", blocktype: "lz4" });
// @ts-expect-error unknown option (a typo)
await ds.read([0, 0, 0], [1, 1, 1], { sigal: new AbortController().signal });
// @ts-expect-error no public constructor
new WkwDataset();
// A stride-0 broadcast is an explicit option.
await ds.write([0, 0, 0], { data: new Uint8Array(1), shape: [64, 64, 64], stride: [0, 0, 0] }, { broadcast: true });
// Plain number arrays are accepted wherever a Vec3 is (Vec3Like).
const files: number[][] = [[0, 1, 0]];
const target = await WkwDataset.create("/data/em-lz4/color/1", { voxelType: "uint8", blockType: "lz4" });
await ds.compressFilesInto(target, files);
const offset: number[] = [1, 2, 3];
ds.writeSync(offset, { data: new Uint8Array(1), shape: [1, 1, 1] });
