/**
 * Which chunks of a region hold data on disk: a chunk none of whose source cube files
 * exists reads as zeros, so ops that only read (copy, segment-id scans) skip it.
 */
import { BoundingBox } from "../geometry/bounding-box.js";
import { sub, type Vec3 } from "../geometry/vec3.js";
import { fileEdge, type View } from "../dataset/view.js";

/** The chunks of `region` (absolute, on a grid of `chunk`) that overlap a cube file of `source`. */
export async function chunksWithFiles(source: View, region: BoundingBox, chunk: Vec3): Promise<BoundingBox[]> {
  const edge = fileEdge(source.header);
  const present = new Set((await (await source._handle()).listFiles()).map((f) => f.join(",")));
  const hasData = (box: BoundingBox): boolean => {
    const lo = box.topLeft.map((v) => Math.floor(v / edge));
    const hi = box.bottomRight.map((v) => Math.ceil(v / edge));
    for (let x = lo[0]!; x < hi[0]!; x++)
      for (let y = lo[1]!; y < hi[1]!; y++)
        for (let z = lo[2]!; z < hi[2]!; z++) if (present.has(`${x},${y},${z}`)) return true;
    return false;
  };
  return [...region.chunk(chunk, chunk)].filter(hasData);
}

/** The sub-view of `view` covering `box` (absolute coordinates, inside the view). */
export function viewOfBox(view: View, box: BoundingBox, readOnly?: boolean): View {
  return view.getView({ offset: sub(box.topLeft, view.globalOffset), size: box.size, ...(readOnly ? { readOnly } : {}) });
}
