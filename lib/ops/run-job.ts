/**
 * The far side of a job reference: the item as it travels (View.toJSON() of each view),
 * and running it in a thread or worker process: views rebuilt with View.fromJSON, the
 * function called as fn(...views, index, args), the views' handles closed afterwards.
 */
import { View, type ViewJSON } from "../dataset/view.js";
import { argumentError } from "../util/validate.js";
import { itemViews } from "./executor.js";
import type { JobRef } from "./job-ref.js";
import { loadJobFunction } from "./load-job.js";

export interface EncodedJob {
  ref: JobRef;
  views: ViewJSON[];
  index: number;
}

/** The views of a job-reference item as JSON; anything but a View (or array of Views) is refused. */
export function encodeItem(item: unknown, index: number): ViewJSON[] {
  return itemViews(item).map((v, k) => {
    if (!(v instanceof View)) throw argumentError(`items[${index}]${Array.isArray(item) ? `[${k}]` : ""}`, "a View (or an array of Views) for a job reference", v);
    return v.toJSON();
  });
}

export function encodeJob(ref: JobRef, item: unknown, index: number): EncodedJob {
  return { ref, views: encodeItem(item, index), index };
}

/** Runs one encoded job; `allowDirs` restricts the modules it may load (see load-job.ts). */
export async function runEncodedJob(job: EncodedJob, allowDirs?: readonly string[]): Promise<unknown> {
  const fn = await loadJobFunction(job.ref, allowDirs);
  const views = job.views.map((v) => View.fromJSON(v));
  try {
    const value = await fn(...views, job.index, job.ref.args);
    return value === undefined ? null : value;
  } finally {
    for (const v of views) v.close();
  }
}
