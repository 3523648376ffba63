// The README's dataset API example, compiled (not run) against the published types.
import { Dataset } from "wkw";
import { BoundingBox, Layer, MagView, SegmentationLayer, View } from "wkw";

const ds = await Dataset.create("/data/demo", { scale: [11.24, 11.24, 25] });
const color = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
const mag1 = await color.addMag(1, { compress: true });                 // LZ4HC
await mag1.write({ data: new Uint8Array(64 ** 3).fill(200), shape: [64, 64, 64] }, [128, 128, 0]);
color.boundingBox;                       // BoundingBox(topLeft=[128,128,0], size=[64,64,64]), saved
const cells = await ds.addLayer("cells", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 0 });
await cells.addMag(1);
await cells.setLargestSegmentId(4711);   // metadata changes are saved at once, atomically

const view = mag1.getView({ offset: [128, 128, 0], size: [64, 64, 64], readOnly: true });
const arr = await view.read([0, 0, 0], [16, 16, 16]);                   // offsets relative to the view
arr.data[0] + 1;                         // arr is a VoxelArray<Uint8Array>: the layer is uint8
await view.forEachChunk(async (chunk) => { await chunk.read(); }, { chunkSize: [32, 32, 32] });
await mag1.compress({ targetPath: "/data/demo-copy" });
console.log(await mag1.getBoundingBoxesOnDisk()); // [ BoundingBox(topLeft=[0,0,0], size=[1024,1024,1024]) ]

// The types follow the layer's dtype.
const u8: Uint8Array = arr.data;
const next: number = arr.data[0] + 1;
const segLayer: SegmentationLayer<"uint32"> = cells;
const segMag: MagView<"uint32"> = cells.getMag(1);
const ids: Uint32Array = (await segMag.read([0, 0, 0], [2, 2, 2])).data;
const sub: View<"uint8"> = mag1.getView({ size: [8, 8, 8] });
const floats = await ds.addLayer("f", "color", { dtypePerChannel: "float" });
const f32: Float32Array = (await (await floats.addMag(1)).read([0, 0, 0], [1, 1, 1])).data;
// Without a per-channel dtype the layer is uint8; with dtypePerLayer it is not known statically.
const plain: Layer<"uint8"> = await ds.addLayer("plain", "color");
const rgb: Layer = await ds.addLayer("rgb", "color", { dtypePerLayer: "uint24", numChannels: 3 });
const opened: Layer = ds.getLayer("color");
console.log(u8, next, segLayer, ids, sub, f32, plain, rgb, opened, new BoundingBox([0, 0, 0], [1, 1, 1]));
await mag1.write({ data: new Uint8Array(8), shape: [2, 2, 2] }, [0, 0, 0], { warnUnaligned: false });

// @ts-expect-error a color layer is not a SegmentationLayer
await color.setLargestSegmentId(1);
// @ts-expect-error a uint8 mag takes Uint8Array data only
await mag1.write({ data: new Float32Array(8), shape: [2, 2, 2] });
// @ts-expect-error internals are not in the published types
await color._growBoundingBox(new BoundingBox([0, 0, 0], [1, 1, 1]));
// @ts-expect-error internals are not in the published types
await ds._update(() => {});
// @ts-expect-error no public constructor
new Layer();
// @ts-expect-error no public constructor
new View();
// @ts-expect-error no public constructor
new MagView();
// @ts-expect-error unknown option (a typo)
await ds.addLayer("typo", "color", { dtypePerChanel: "uint8" });
// Downsampling keeps the layer's voxel type.
const pyramid: MagView<"uint8">[] = await color.downsample();
console.log(pyramid.length);
