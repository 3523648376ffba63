/**
 * The far side of a job reference: the item as it travels (View.toJSON() of each view),
 * and running it in a thread or worker process: views rebuilt with View.fromJSON, the
 * function called as fn(...views, index, args), the views' handles closed afterwards.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { View, type ViewJSON } from "../dataset/view.js";
import { WkwDataset } from "../wkw/dataset.js";
import { argumentError } from "../util/validate.js";
import { itemViews } from "./executor.js";
import type { JobRef } from "./job-ref.js";
import { loadJobFunction } from "./load-job.js";

export interface EncodedJob {
  ref: JobRef;
  views: ViewJSON[];
  index: number;
  /** several items run one after the other as one job (then the result is their array) */
  batch?: { views: ViewJSON[]; index: number }[];
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

/**
 * Open mag folders of this thread or worker process, reused across jobs (opening one
 * costs more than reading a 64³ chunk). An entry is reopened when header.wkw is another
 * file than when it was opened (the mag was compressed in place, renamed, recreated).
 */
const HANDLES_MAX = 64;
const handles = new Map<string, { ds: Promise<WkwDataset>; id: string }>();

async function openShared(folder: string): Promise<WkwDataset> {
  let id: string;
  try {
    const st = await stat(path.join(folder, "header.wkw"));
    id = `${st.dev}:${st.ino}:${st.mtimeMs}`;
  } catch {
    return WkwDataset.open(folder); // fails with the proper WkwError
  }
  const hit = handles.get(folder);
  if (hit && hit.id === id) {
    handles.delete(folder); // most recently used last
    handles.set(folder, hit);
    return hit.ds;
  }
  if (hit) void hit.ds.then((d) => d.close(), () => undefined);
  const ds = WkwDataset.open(folder);
  handles.set(folder, { ds, id });
  ds.catch(() => handles.delete(folder));
  while (handles.size > HANDLES_MAX) {
    const [oldest, entry] = handles.entries().next().value as [string, { ds: Promise<WkwDataset> }];
    handles.delete(oldest);
    void entry.ds.then((d) => d.close(), () => undefined);
  }
  return ds;
}

/** Runs one encoded job; `allowDirs` restricts the modules it may load (see load-job.ts). */
export async function runEncodedJob(job: EncodedJob, allowDirs?: readonly string[]): Promise<unknown> {
  const fn = await loadJobFunction(job.ref, allowDirs);
  const one = async (item: { views: ViewJSON[]; index: number }) => {
    const views = item.views.map((v) => View._fromJSONWith(v, openShared));
    try {
      const value = await fn(...views, item.index, job.ref.args);
      return value === undefined ? null : value;
    } finally {
      for (const v of views) v.close();
    }
  };
  if (!job.batch) return one(job);
  const out: unknown[] = [];
  for (const item of job.batch) out.push(await one(item));
  return out;
}
