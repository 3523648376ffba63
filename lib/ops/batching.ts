/**
 * Batching items into jobs for executors whose jobs cost a fixed amount each (a message to
 * a thread and back, Redis round trips): several items (chunks, files) travel and run as
 * one job.
 *
 * `itemsPerJob: "auto"` (the default) sizes jobs from what they cost: the first jobs carry
 * one item each; from then on the runners' own timings (wall time of a job inside the
 * thread or worker) size a job to take about TARGET_JOB_MS. Long items (whole files:
 * compress, downsample) thus stay one per job (abort, retry and progress per item), short
 * ones (small chunks) are batched so the fixed cost becomes a few percent. A job also
 * never takes more than 1/JOBS_PER_SLOT of a slot's share of the items (known item count),
 * so slots that finish early find work (load balancing) and progress keeps moving; and
 * never more than MAX_AUTO_ITEMS items. Towards the end jobs shrink (guided scheduling:
 * at most the remaining items / (slots × TAIL_JOBS_PER_SLOT), but not below
 * MIN_TAIL_JOB_MS of work): slots take jobs as they finish, and with equal jobs one slot
 * could get a whole job more than the other (3 against 5 jobs of 64 chunks: 0.8× of
 * the balanced time, seen in the BullMQ bench). An executor remembers what it learnt per job
 * function and item count (SizerMemory), so its next call of the same work starts with
 * jobs of the right size. An explicit number is used as it is.
 */
import { argumentError } from "../util/validate.js";
import type { MapOptions } from "./executor.js";

export type ItemsPerJob = number | "auto";

/** Wall time "auto" aims at per job. */
export const TARGET_JOB_MS = 25;
/** Jobs per job slot at least (when the item count is known). */
export const JOBS_PER_SLOT = 4;
/** The largest job "auto" makes. */
export const MAX_AUTO_ITEMS = 256;
/** Guided tail: a job takes at most the remaining items / (slots × this). */
export const TAIL_JOBS_PER_SLOT = 2;
/** Guided tail: jobs are not made smaller than this much work (ms), where their fixed cost would show. */
export const MIN_TAIL_JOB_MS = 3;

export function checkItemsPerJob(parameter: string, value: unknown): ItemsPerJob {
  if (value === undefined || value === "auto") return "auto";
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 10_000) return value;
  throw argumentError(parameter, '"auto" or an integer from 1 to 10000', value);
}

/** The item count of a map() call, if known: options.total or the length of an array. */
export function knownTotal(items: Iterable<unknown>, options: MapOptions): number | undefined {
  if (options.total !== undefined) return options.total;
  return Array.isArray(items) ? items.length : undefined;
}

/** The size of the next job, learnt from finished ones (see above). */
export class JobSizer {
  readonly #fixed: number | undefined;
  readonly #cap: number;
  readonly #total: number | undefined;
  readonly #slots: number;
  #msPerItem: number | undefined;

  constructor(setting: ItemsPerJob, total: number | undefined, slots: number, msPerItem?: number) {
    this.#fixed = setting === "auto" ? undefined : setting;
    this.#msPerItem = msPerItem;
    this.#total = total;
    this.#slots = Math.max(1, slots);
    const share = total === undefined ? MAX_AUTO_ITEMS : Math.floor(total / (this.#slots * JOBS_PER_SLOT));
    this.#cap = Math.max(1, Math.min(MAX_AUTO_ITEMS, share));
  }

  /** True while "auto" has no timing yet (executors keep few jobs in flight meanwhile). */
  get learning(): boolean {
    return this.#fixed === undefined && this.#msPerItem === undefined;
  }

  /** Items for the job that starts at item `next`. */
  sizeAt(next: number): number {
    if (this.#fixed !== undefined) return this.#fixed;
    if (this.#msPerItem === undefined) return 1;
    const msPerItem = Math.max(this.#msPerItem, 1e-3);
    let size = Math.min(this.#cap, Math.floor(TARGET_JOB_MS / msPerItem));
    if (this.#total !== undefined) {
      const guided = Math.ceil((this.#total - next) / (this.#slots * TAIL_JOBS_PER_SLOT));
      size = Math.min(size, Math.max(guided, Math.ceil(MIN_TAIL_JOB_MS / msPerItem)));
    }
    return Math.max(1, size);
  }

  /** The learnt wall time per item (ms), if any. */
  get msPerItem(): number | undefined {
    return this.#msPerItem;
  }

  /** A job of `items` items took `ms` of wall time in its runner. */
  observe(items: number, ms: number): void {
    if (!(items > 0) || !Number.isFinite(ms) || ms < 0) return;
    const x = ms / items;
    this.#msPerItem = this.#msPerItem === undefined ? x : 0.7 * this.#msPerItem + 0.3 * x;
  }
}

/** What an executor's sizers learnt, by job function and item count (bounded, oldest out). */
export class SizerMemory {
  readonly #learnt = new Map<string, number>();

  #key(ref: { module: string; name: string }, total: number | undefined): string {
    return `${ref.module}\0${ref.name}\0${total ?? "?"}`;
  }

  /** A sizer for a call, starting from what the last call of the same work learnt. */
  sizer(setting: ItemsPerJob, ref: { module: string; name: string }, total: number | undefined, slots: number): JobSizer {
    return new JobSizer(setting, total, slots, setting === "auto" ? this.#learnt.get(this.#key(ref, total)) : undefined);
  }

  remember(ref: { module: string; name: string }, total: number | undefined, sizer: JobSizer): void {
    const ms = sizer.msPerItem;
    if (ms === undefined) return;
    const key = this.#key(ref, total);
    this.#learnt.delete(key);
    this.#learnt.set(key, ms);
    if (this.#learnt.size > 100) this.#learnt.delete(this.#learnt.keys().next().value!);
  }
}

/** A batch: consecutive items starting at item `index`. */
export interface Batch<T> {
  index: number;
  items: T[];
}

/** Groups `items` lazily into batches of `sizer.sizeAt(index)` items, asked at each batch's start. */
export function* batches<T>(items: Iterable<T>, sizer: { sizeAt(next: number): number }): Generator<Batch<T>> {
  let batch: T[] = [];
  let index = 0;
  let next = 0;
  let size = 1;
  for (const item of items) {
    if (batch.length === 0) {
      index = next;
      size = sizer.sizeAt(next);
    }
    batch.push(item);
    next++;
    if (batch.length >= size) {
      yield { index, items: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { index, items: batch };
}
