// The README's `require` form, compiled as CommonJS against the published types.
import wkw = require("wkw");

async function main(): Promise<void> {
  const ds = await wkw.WkwDataset.create("/data/em/color/1", { voxelType: "uint16" });
  const arr = await ds.read([0, 0, 0], [4, 4, 4]);
  const u16: Uint16Array = arr.data;
  console.log(u16.length, new wkw.WkwError("ERR_WKW_IO", "x") instanceof Error);
}
void main();
