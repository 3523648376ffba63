/**
 * The one progress shape of the public API: every `onProgress` option (executors, chunk
 * runs, compress, copy, downsample, image import) is called with `{ done, total, unit }`.
 */
export interface Progress<U extends string = string> {
  /** units finished so far */
  done: number;
  /** units in total (for an executor given neither `total` nor an array: the items taken so far) */
  total: number;
  /** what is counted: "jobs", "chunks", "files", "slices" */
  unit: U;
}
