/** Geometry: integer 3-vectors, magnifications and bounding boxes (pure TypeScript). */
export { BoundingBox, type WkwBoundingBox } from "./bounding-box.js";
export { Mag, type MagLike } from "./mag.js";
export { vec3, type Vec3, type Vec3Like } from "./vec3.js";
// The arithmetic helpers as a namespace (vec3Ops.add, vec3Ops.min, ...): exported flat they
// would put generic names such as `min`, `equals` and `toString` into the package root.
export * as vec3Ops from "./vec3.js";
