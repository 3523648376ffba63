// 2. Opening it in webKnossos: what datasource-properties.json holds.
import { readFileSync } from "node:fs";
import path from "node:path";

const work = process.argv[2] ?? "cookbook-data";
const props = JSON.parse(readFileSync(path.join(work, "em", "datasource-properties.json"), "utf8"));

// webKnossos reads these keys (camelCase, as written by this package):
const layer = props.dataLayers[0];
console.log(props.id.name, props.scale);                 // em [ 11.24, 11.24, 25 ]
console.log(layer.name, layer.category, layer.dataFormat, layer.elementClass); // color color wkw uint8
console.log(layer.boundingBox);                           // { topLeft: [ 0, 0, 0 ], width: 300, height: 200, depth: 64 }
console.log(layer.wkwResolutions.map((r) => `${r.resolution.join("-")}: cubeLength ${r.cubeLength}`).join(", ")); // 1-1-1: cubeLength 1024, 2-2-1: cubeLength 1024, 4-4-2: cubeLength 1024

// A self-hosted webKnossos finds datasets in its binaryData folder, one folder per
// organization: copy (or move) the dataset folder to
//   <webknossos>/binaryData/<organization>/em/
// so that binaryData/<organization>/em/datasource-properties.json and
// binaryData/<organization>/em/color/1/header.wkw exist, then refresh the dataset list
// (Admin → Datasets → "Refresh") and open it.
for (const key of ["id", "scale", "dataLayers"]) if (!(key in props)) throw new Error(`missing ${key}`);
for (const key of ["name", "category", "boundingBox", "elementClass", "dataFormat", "wkwResolutions"]) {
  if (!(key in layer)) throw new Error(`missing dataLayers[0].${key}`);
}
