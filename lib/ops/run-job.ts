/**
 * The far side of a job reference: the item as it travels (View.toJSON() of each view),
 * and running it in a thread or worker process: views rebuilt with View.fromJSON, the
 * function called as fn(...views, index, args, context), the views' handles closed afterwards.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { View, type ViewJSON } from "../dataset/view.js";
import { WkwDataset } from "../wkw/dataset.js";
import { argumentError } from "../util/validate.js";
import { NEVER_ABORTED, itemViews, runBounded, type JobContext } from "./executor.js";
import type { JobRef } from "./job-ref.js";
import { loadJobFunction } from "./load-job.js";

/** A view of a batch item as its box [x, y, z, sx, sy, sz] on the batch's shared descriptor. */
export type ViewBox = [number, number, number, number, number, number];

export interface EncodedJob {
  ref: JobRef;
  views: ViewJSON[];
  index: number;
  /** several items run as one job, `concurrency` at a time (then `views` is empty) */
  batch?: { views: (ViewJSON | ViewBox)[]; index: number }[];
  /**
   * With boxes in `batch`: the descriptor of the items' j-th view but for its offset and
   * size (chunk views of one mag: a tenth of the bytes to encode, send and parse).
   */
  shared?: ViewJSON[];
  /** items of `batch` in flight at once (default 1) */
  concurrency?: number;
}

/** What a runner sends back: the items' values in order and the job's wall time in ms. */
export interface JobOutput {
  values: unknown[];
  ms: number;
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

/** Items from `index` on as one job (a single item stays a plain job). */
export function encodeBatch(ref: JobRef, items: readonly unknown[], index: number, concurrency?: number): EncodedJob {
  if (items.length === 1) return encodeJob(ref, items[0], index);
  const boxes = encodeBoxes(items, index);
  const job: EncodedJob = boxes
    ? { ref, views: [], index, batch: boxes, shared: encodeItem(items[0], index) }
    : { ref, views: [], index, batch: items.map((item, k) => ({ views: encodeItem(item, index + k), index: index + k })) };
  if (concurrency !== undefined) job.concurrency = concurrency;
  return job;
}

/** The items as boxes on the first item's views, if every item's views share their descriptors (else undefined). */
function encodeBoxes(items: readonly unknown[], index: number): { views: ViewBox[]; index: number }[] | undefined {
  const first = itemViews(items[0]);
  if (!first.every((v) => v instanceof View)) return undefined;
  const out: { views: ViewBox[]; index: number }[] = [];
  for (const [k, item] of items.entries()) {
    const views = itemViews(item);
    if (views.length !== first.length) return undefined;
    const boxes: ViewBox[] = [];
    for (const [j, v] of views.entries()) {
      if (!(v instanceof View) || !v._sameJSONBase(first[j] as View)) return undefined;
      const o = v.globalOffset, s = v.size;
      boxes.push([o[0], o[1], o[2], s[0], s[1], s[2]]);
    }
    out.push({ views: boxes, index: index + k });
  }
  return out;
}

/** A batch item's view descriptor (a box on the job's shared descriptor, or whole). */
function viewJSONOf(job: EncodedJob, view: ViewJSON | ViewBox, j: number): unknown {
  if (!Array.isArray(view)) return view;
  return { ...job.shared?.[j], globalOffset: view.slice(0, 3), size: view.slice(3, 6) };
}

/** The results of a job per item (indexes from the job, values from its output). */
export function jobResults(job: EncodedJob, output: JobOutput): { index: number; value: unknown }[] {
  if (!job.batch) return [{ index: job.index, value: output.values[0] }];
  return job.batch.map((item, k) => ({ index: item.index, value: output.values[k] }));
}

/** The number of items of a job. */
export function jobItemCount(job: EncodedJob): number {
  return job.batch ? job.batch.length : 1;
}

/**
 * Open mag folders of this thread or worker process, reused across jobs (opening one
 * costs more than reading a 64³ chunk). An entry is reopened when header.wkw is another
 * file than when it was opened (the mag was compressed in place, renamed, recreated).
 * The check is a synchronous stat: microseconds, where an async one waits in the libuv
 * queue behind the jobs' own reads (it cost ~0.3 ms per job).
 */
const HANDLES_MAX = 64;
const handles = new Map<string, { ds: Promise<WkwDataset>; id: string }>();

function openShared(folder: string): Promise<WkwDataset> {
  let id: string;
  try {
    const st = statSync(path.join(folder, "header.wkw"));
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

/**
 * Runs one encoded job; `allowDirs` restricts the modules it may load (see load-job.ts);
 * `concurrency` (items of a batch in flight) overrides the one the job carries.
 */
export async function runEncodedJob(job: EncodedJob, allowDirs?: readonly string[], concurrency?: number, signal: AbortSignal = NEVER_ABORTED): Promise<JobOutput> {
  const fn = await loadJobFunction(job.ref, allowDirs);
  const t0 = performance.now(); // (loading the module once is not what a job costs)
  const context: JobContext = { signal };
  const one = async (item: { views: (ViewJSON | ViewBox)[]; index: number }) => {
    const views = item.views.map((v, j) => View._fromJSONWith(viewJSONOf(job, v, j), openShared));
    try {
      const value = await fn(...views, item.index, job.ref.args, context);
      return value === undefined ? null : value;
    } finally {
      for (const v of views) v.close();
    }
  };
  let values: unknown[];
  if (!job.batch) values = [await one(job)];
  else {
    // The first failure stops the batch once its running items settle (the executor contract).
    const c = concurrency ?? job.concurrency;
    values = await runBounded(one, job.batch, typeof c === "number" && Number.isInteger(c) && c >= 1 ? Math.min(c, 64) : 1, signal === NEVER_ABORTED ? {} : { signal });
  }
  return { values, ms: performance.now() - t0 };
}
