/**
 * BullMQExecutor: runs job references on `wkw worker` processes (or createWorker) on any
 * machine that reaches the Redis server and sees the same file system.
 *
 * - Job ids are `<operationId>-<index>`: enqueuing the same operation again while its jobs
 *   are queued or running adds nothing.
 * - Jobs are added lazily, at most `maxInFlight` unfinished at a time, in batches.
 * - Results, progress and failures come from the queue's event stream, read from the
 *   position it had when the executor connected (no event is missed, no polling).
 * - The first failure (after the job's retries) or an abort removes the operation's queued
 *   jobs, waits for its running ones and rejects; no new job starts after it.
 */
import { randomBytes } from "node:crypto";
import type { Queue, QueueEvents, JobsOptions } from "bullmq";
import type { RedisOptions } from "ioredis";
import { WkwError } from "../errors.js";
import { abortError } from "../util/abort.js";
import { argumentError, checkInteger, checkOptionsObject, checkString } from "../util/validate.js";
import { checkIterable, checkMapOptions, type Executor, type Job, type MapOptions } from "./executor.js";
import { errorFromText } from "./job-error.js";
import { checkJobRef, functionNotAccepted, type JobRef } from "./job-ref.js";
import { describeRedis, redactPassword, redisOptions, type RedisConnectionLike } from "./redis-connection.js";
import { encodeJob, type EncodedJob } from "./run-job.js";

export interface BullMQExecutorOptions {
  /** `redis://[user:password@]host:port[/db]` or ioredis options */
  connection: RedisConnectionLike;
  queueName: string;
  /** BullMQ job options merged over the defaults (3 attempts, exponential backoff from 1 s). */
  jobOptions?: JobsOptions;
  /** Give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Unfinished jobs at a time (default 1000). */
  maxInFlight?: number;
  /**
   * Items (chunks) per BullMQ job, run one after the other by one worker (default 1). For
   * chunks that take about a millisecond, 8-32 spread the Redis round trips of a job over
   * that many chunks; progress then advances in steps of that size.
   */
  itemsPerJob?: number;
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
};

/** Callbacks of one map() call, by job id. */
interface Operation {
  completed(jobId: string, value: unknown): void;
  failed(jobId: string, reason: string): void;
  duplicated(jobId: string): void;
}

export class BullMQExecutor implements Executor {
  readonly queueName: string;
  readonly #redis: RedisOptions;
  readonly #jobOptions: JobsOptions;
  readonly #connectTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #itemsPerJob: number;
  #ready: Promise<{ queue: Queue; events: QueueEvents }> | undefined;
  #closed = false;
  #lastError: Error | undefined;
  readonly #operations = new Map<string, Operation>(); // by operation id

  constructor(options: BullMQExecutorOptions) {
    const o = checkOptionsObject("options", options);
    const unknown = Object.keys(o).find((k) => !["connection", "queueName", "jobOptions", "connectTimeoutMs", "maxInFlight", "itemsPerJob"].includes(k));
    if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option (connection, queueName, jobOptions, connectTimeoutMs, maxInFlight, itemsPerJob)", unknown);
    this.#redis = redisOptions("options.connection", o.connection);
    this.queueName = checkQueueName("options.queueName", o.queueName);
    if (o.jobOptions !== undefined && (o.jobOptions === null || typeof o.jobOptions !== "object")) throw argumentError("options.jobOptions", "BullMQ job options", o.jobOptions);
    this.#jobOptions = { ...DEFAULT_JOB_OPTIONS, ...((o.jobOptions as JobsOptions | undefined) ?? {}) };
    this.#connectTimeoutMs = o.connectTimeoutMs === undefined ? 5000 : checkInteger("options.connectTimeoutMs", o.connectTimeoutMs, 1, 3_600_000);
    this.#maxInFlight = o.maxInFlight === undefined ? 1000 : checkInteger("options.maxInFlight", o.maxInFlight, 1, 1_000_000);
    this.#itemsPerJob = o.itemsPerJob === undefined ? 1 : checkInteger("options.itemsPerJob", o.itemsPerJob, 1, 10_000);
  }

  /** The Redis server, for messages (without password). */
  get server(): string {
    return describeRedis(this.#redis);
  }

  #connect(): Promise<{ queue: Queue; events: QueueEvents }> {
    if (this.#closed) return Promise.reject(new WkwError("ERR_WKW_CLOSED", "this BullMQExecutor was closed"));
    this.#ready ??= this.#open().catch((err) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #open(): Promise<{ queue: Queue; events: QueueEvents }> {
    const onError = (err: Error) => {
      this.#lastError = err;
    };
    // Loaded on first use: `require("wkw")` does not pay for BullMQ and ioredis.
    const { Queue, QueueEvents } = await import("bullmq");
    const queue = new Queue(this.queueName, { connection: { ...this.#redis } });
    queue.on("error", onError);
    let events: QueueEvents | undefined;
    const timeout = this.#connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await queue.waitUntilReady();
          // Read events from a mark appended to the stream now: nothing added later is missed
          // (listeners ignore an event name they do not know).
          const client = await queue.client;
          const mark = await client.xadd(queue.keys.events!, "*", { event: "wkw-executor-connected" }, { MAXLEN: 10000, approximate: true });
          events = new QueueEvents(this.queueName, { connection: { ...this.#redis }, lastEventId: mark });
          events.on("error", onError);
          await events.waitUntilReady();
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(this.#unreachable(timeout)), timeout);
        }),
      ]);
    } catch (err) {
      // close() stops ioredis' reconnect loop (disconnect() would wait for a connection)
      await closeWithin([queue, events], 2000);
      throw err instanceof WkwError ? err : this.#ioError("cannot use", err);
    } finally {
      clearTimeout(timer);
    }
    const ev = events!;
    ev.on("completed", ({ jobId, returnvalue }) => this.#route(jobId)?.completed(jobId, returnvalue));
    ev.on("failed", ({ jobId, failedReason }) => this.#route(jobId)?.failed(jobId, failedReason));
    ev.on("duplicated", ({ jobId }) => this.#route(jobId)?.duplicated(jobId));
    return { queue, events: ev };
  }

  #route(jobId: string): Operation | undefined {
    const dash = jobId.lastIndexOf("-");
    return dash > 0 ? this.#operations.get(jobId.slice(0, dash)) : undefined;
  }

  #unreachable(ms: number): WkwError {
    const why = this.#lastError ? `: ${redactPassword(this.#lastError.message, this.#redis)}` : "";
    return new WkwError("ERR_WKW_IO", `cannot connect to Redis at ${this.server} within ${ms} ms (queue ${this.queueName})${why}`, { parameter: "options.connection" });
  }

  #ioError(what: string, err: unknown): WkwError {
    const msg = redactPassword(err instanceof Error ? err.message : String(err), this.#redis);
    return new WkwError("ERR_WKW_IO", `${what} Redis at ${this.server} (queue ${this.queueName}): ${msg}`);
  }

  async map<T, R>(job: Job<T, R> | JobRef, items: Iterable<T>, options: MapOptions = {}): Promise<R[]> {
    if (typeof job === "function") throw functionNotAccepted("BullMQExecutor");
    const ref = checkJobRef("job", job);
    checkIterable(items);
    const opts = checkMapOptions(options);
    if (opts.signal?.aborted) throw abortError();
    const { queue } = await this.#connect();
    const opId = opts.operationId ?? `wkw${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    if (this.#operations.has(opId)) throw argumentError("options.operationId", "an id not in use by a running map() of this executor", opId);
    return new Promise<R[]>((resolve, reject) => {
      const results: R[] = [];
      const pending = new Map<string, EncodedJob>(); // by job id: added and unfinished
      const iterator = items[Symbol.iterator]();
      let next = 0;
      let finished = 0;
      let done = false;
      let adding = false;
      let failed = false;
      let firstError: unknown;
      let settled = false;

      const settle = () => {
        if (settled || adding || pending.size > 0 || !(failed || done)) return;
        settled = true;
        this.#operations.delete(opId);
        opts.signal?.removeEventListener("abort", onAbort);
        if (failed) reject(firstError);
        else resolve(results);
      };
      const fail = (err: unknown) => {
        if (!failed) {
          failed = true;
          firstError = err;
          try {
            iterator.return?.();
          } catch {
            // the first error is what the caller gets
          }
        }
        void removeQueued().finally(settle);
      };
      // Queued (waiting or delayed) jobs are removed; a running one is locked and stays.
      const removeQueued = async () => {
        for (const jobId of [...pending.keys()]) {
          try {
            if ((await queue.remove(jobId)) === 1) pending.delete(jobId);
          } catch {
            // left pending: its completion or failure event settles it
          }
        }
      };
      const onAbort = () => fail(abortError());
      const pump = async () => {
        if (adding || settled) return;
        adding = true;
        try {
          while (!failed && !done && pending.size < this.#maxInFlight) {
            const batch: { name: string; data: EncodedJob; opts: JobsOptions }[] = [];
            const room = Math.min(this.#maxInFlight - pending.size, 200);
            while (batch.length < room && !done) {
              const items: EncodedJob[] = [];
              while (items.length < this.#itemsPerJob) {
                const step = iterator.next();
                if (step.done) {
                  done = true;
                  break;
                }
                items.push(encodeJob(ref, step.value, next++));
              }
              if (items.length === 0) break;
              // The job id is the operation and the (first) chunk index.
              const data: EncodedJob = this.#itemsPerJob === 1 ? items[0]! : { ref, views: [], index: items[0]!.index, batch: items.map(({ views, index }) => ({ views, index })) };
              batch.push({ name: ref.name, data, opts: { ...this.#jobOptions, jobId: `${opId}-${data.index}` } });
            }
            if (batch.length === 0) break;
            for (const b of batch) pending.set(b.opts.jobId!, b.data);
            try {
              await queue.addBulk(batch);
            } catch (err) {
              for (const b of batch) pending.delete(b.opts.jobId!);
              throw this.#ioError("cannot add jobs to", err);
            }
          }
        } catch (err) {
          fail(err); // an invalid item, or Redis refused the jobs
        } finally {
          adding = false;
        }
        if (failed) await removeQueued();
        settle();
      };
      const finish = (jobId: string, value: unknown) => {
        const data = pending.get(jobId);
        if (data === undefined) return;
        pending.delete(jobId);
        if (data.batch) {
          data.batch.forEach((item, k) => {
            results[item.index] = (value as R[])[k]!;
          });
          finished += data.batch.length;
        } else {
          results[data.index] = value as R;
          finished++;
        }
        try {
          opts.onProgress?.({ done: finished, total: opts.total ?? (Array.isArray(items) ? items.length : next), unit: "jobs" });
        } catch (err) {
          fail(err);
        }
        if (!failed && !done && !adding) void pump();
        settle();
      };
      this.#operations.set(opId, {
        completed: (jobId, value) => finish(jobId, value),
        failed: (jobId, reason) => {
          if (!pending.delete(jobId)) return;
          fail(errorFromText(reason));
          settle();
        },
        // Re-enqueued while a job of that id exists: finished ones are taken as they are.
        duplicated: (jobId) => {
          void (async () => {
            const { Job: BullJob } = await import("bullmq");
            const j = await BullJob.fromId(queue, jobId);
            const state = j ? await j.getState() : "unknown";
            if (state === "completed") finish(jobId, j!.returnvalue);
            else if (state === "failed") await j!.retry("failed");
            else if (state === "unknown" && pending.has(jobId)) await queue.add(ref.name, pending.get(jobId)!, { ...this.#jobOptions, jobId });
          })().catch((err) => fail(this.#ioError("cannot re-enqueue a job on", err)));
        },
      });
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      void pump();
    });
  }

  /** Closes the Redis connections (jobs already queued stay in Redis for the workers). */
  async close(): Promise<void> {
    this.#closed = true;
    const ready = this.#ready;
    this.#ready = undefined;
    if (!ready) return;
    const { queue, events } = await ready.catch(() => ({ queue: undefined, events: undefined }));
    await closeWithin([events, queue], 5000);
  }
}

/** Closes BullMQ objects, giving up waiting after `ms` (a lost server cannot block the caller). */
async function closeWithin(items: ({ close(): Promise<void> } | undefined)[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(items.map((i) => i?.close())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

export function checkQueueName(parameter: string, value: unknown): string {
  const name = checkString(parameter, value);
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw argumentError(parameter, "1-100 characters of [A-Za-z0-9_.-]", value);
  return name;
}
