// 3. A region into a scijs ndarray, a threshold, and the result as a new segmentation layer.
import path from "node:path";
import ndarray from "ndarray";
import { Dataset } from "wkw";

const work = process.argv[2] ?? "cookbook-data";
const ds = await Dataset.open(path.join(work, "em"));
const mag1 = ds.getLayer("color").getMag(1);

// read() gives (c, x, y, z) in Fortran order: one channel → an [x, y, z] ndarray view.
const offset = [0, 0, 0], size = [256, 200, 64];
const raw = await mag1.read(offset, size);
const [, X, Y, Z] = raw.shape;
const em = ndarray(raw.data, [X, Y, Z], [1, X, X * Y]);

// A toy segmentation: bright voxels are segment 1, the rest 0.
const labels = ndarray(new Uint32Array(X * Y * Z), [X, Y, Z], [1, X, X * Y]);
for (let z = 0; z < Z; z++)
  for (let y = 0; y < Y; y++)
    for (let x = 0; x < X; x++) labels.set(x, y, z, em.get(x, y, z) > 200 ? 1 : 0);

// Any ndarray-like ({ data, shape, stride, offset }) can be written, scijs ones included.
const seg = await ds.addLayer("segmentation", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 1 });
await (await seg.addMag(1, { compress: true })).write(labels, offset);
console.log(`${seg}`, seg.boundingBox.toString());
// SegmentationLayer(name=segmentation, category=segmentation, dtypePerChannel=uint32, numChannels=1, mags=[1]) BoundingBox(topLeft=[0,0,0], size=[256,200,64])
const back = await seg.getMag(1).read([200, 0, 10], [1, 1, 1]);
console.log(back.data[0], em.get(200, 0, 10));           // 1 210
ds.close();
