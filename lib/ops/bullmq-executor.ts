/**
 * BullMQExecutor: runs job references on `wkw worker` processes (or createWorker) on any
 * machine that reaches the Redis server and sees the same file system.
 *
 * - Job ids are `<operationId>-<index>` (`…-<index>x<count>` for several items): enqueuing
 *   the same jobs of an operation again while they are queued or running adds nothing.
 * - Jobs are added lazily with addBulk, a few per worker slot unfinished at a time (at most
 *   `maxInFlight`); short items travel several per job (`itemsPerJob`, "auto" by default:
 *   see batching.ts), since a job costs a few Redis round trips whatever its size.
 * - Results, progress and failures come from the queue's event stream, read from the
 *   position it had when the executor connected (no event is missed, no polling).
 * - The first failure (after the job's retries) or an abort removes the operation's queued
 *   jobs, waits for its running ones and rejects; no new job starts after it.
 * - A lost Redis (killed, unreachable) rejects running calls with ERR_WKW_IO once it has
 *   not answered for `reconnectTimeoutMs` (a ping per second while calls run): jobs are
 *   then neither observable nor removable, and waiting for Redis could take forever.
 */
import { randomBytes } from "node:crypto";
import type { Queue, QueueEvents, JobsOptions } from "bullmq";
import type { Redis, RedisOptions } from "ioredis";
import { WkwError } from "../errors.js";
import { abortError } from "../util/abort.js";
import { argumentError, checkInteger, checkOptionsObject, checkString } from "../util/validate.js";
import { checkIterable, checkMapOptions, type Executor, type Job, type MapOptions } from "./executor.js";
import { errorFromText } from "./job-error.js";
import { checkJobRef, functionNotAccepted, type JobRef } from "./job-ref.js";
import { describeRedis, redactPassword, redisOptions, type RedisConnectionLike } from "./redis-connection.js";
import { batches, checkItemsPerJob, JOBS_PER_SLOT, knownTotal, SizerMemory, type ItemsPerJob } from "./batching.js";
import { encodeBatch, jobItemCount, jobResults, type EncodedJob, type JobOutput } from "./run-job.js";

export interface BullMQExecutorOptions {
  /** `redis://[user:password@]host:port[/db]` or ioredis options */
  connection: RedisConnectionLike;
  queueName: string;
  /** BullMQ job options merged over the defaults (3 attempts, exponential backoff from 1 s). */
  jobOptions?: JobsOptions;
  /** Give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Unfinished jobs at a time at most (default 1000; with itemsPerJob "auto", a few per worker slot). */
  maxInFlight?: number;
  /**
   * Items (chunks, files) per BullMQ job (default "auto": jobs of about 25 ms, learnt from
   * the first ones, and at least 4 jobs per job slot of the connected workers; see
   * batching.ts). A worker runs a job's items `--item-concurrency` at a time; progress
   * advances per job. 1 makes every item its own job.
   */
  itemsPerJob?: ItemsPerJob;
  /**
   * A Redis server that stops answering for this long fails the running calls with
   * ERR_WKW_IO (default 5000 ms); ioredis reconnects meanwhile.
   */
  reconnectTimeoutMs?: number;
}

/** Job slots assumed when the connected workers cannot be listed (or none is connected yet). */
const DEFAULT_SLOTS = 8;

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
  /** Redis is gone: reject now (the jobs can no longer be watched or removed). */
  lost(err: WkwError): void;
}

interface Connection {
  queue: Queue;
  events: QueueEvents;
  /** stops the connection watch (see #watch) */
  unwatch?: () => void;
}

export class BullMQExecutor implements Executor {
  readonly queueName: string;
  readonly #redis: RedisOptions;
  readonly #jobOptions: JobsOptions;
  readonly #connectTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #itemsPerJob: ItemsPerJob;
  readonly #reconnectTimeoutMs: number;
  #ready: Promise<Connection> | undefined;
  #closed = false;
  /** connections given up after a loss, still closing */
  readonly #retiring = new Set<Promise<void>>();
  #lastError: Error | undefined;
  readonly #operations = new Map<string, Operation>(); // by operation id
  readonly #learnt = new SizerMemory();

  constructor(options: BullMQExecutorOptions) {
    const o = checkOptionsObject("options", options);
    const unknown = Object.keys(o).find((k) => !["connection", "queueName", "jobOptions", "connectTimeoutMs", "maxInFlight", "itemsPerJob", "reconnectTimeoutMs"].includes(k));
    if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option (connection, queueName, jobOptions, connectTimeoutMs, maxInFlight, itemsPerJob, reconnectTimeoutMs)", unknown);
    this.#redis = redisOptions("options.connection", o.connection);
    this.queueName = checkQueueName("options.queueName", o.queueName);
    if (o.jobOptions !== undefined && (o.jobOptions === null || typeof o.jobOptions !== "object")) throw argumentError("options.jobOptions", "BullMQ job options", o.jobOptions);
    this.#jobOptions = { ...DEFAULT_JOB_OPTIONS, ...((o.jobOptions as JobsOptions | undefined) ?? {}) };
    this.#connectTimeoutMs = o.connectTimeoutMs === undefined ? 5000 : checkInteger("options.connectTimeoutMs", o.connectTimeoutMs, 1, 3_600_000);
    this.#maxInFlight = o.maxInFlight === undefined ? 1000 : checkInteger("options.maxInFlight", o.maxInFlight, 1, 1_000_000);
    this.#itemsPerJob = checkItemsPerJob("options.itemsPerJob", o.itemsPerJob);
    this.#reconnectTimeoutMs = o.reconnectTimeoutMs === undefined ? 5000 : checkInteger("options.reconnectTimeoutMs", o.reconnectTimeoutMs, 100, 3_600_000);
  }

  /** The Redis server, for messages (without password). */
  get server(): string {
    return describeRedis(this.#redis);
  }

  #connect(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new WkwError("ERR_WKW_CLOSED", "this BullMQExecutor was closed"));
    this.#ready ??= this.#open().catch((err) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #open(): Promise<Connection> {
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
    const conn: Connection = { queue, events: ev };
    conn.unwatch = await this.#watch(conn);
    return conn;
  }

  /**
   * Watches the connection while calls run: a ping per second on the queue's connection
   * (and the event reader's connection must be up). When neither has been fine for
   * reconnectTimeoutMs, the calls fail and the connection is dropped (the next map()
   * connects anew). A killed server shows as a closed socket and failing pings, an
   * unreachable one as pings without an answer: both end here.
   */
  async #watch(conn: Connection): Promise<() => void> {
    // (ioredis clients: BullMQ types them as its narrower IRedisClient)
    const client = (await conn.queue.client) as unknown as Redis;
    const eventsClient = (await conn.events.client) as unknown as Redis;
    const limit = this.#reconnectTimeoutMs;
    let lastOk = Date.now();
    let pinging = false;
    const timer = setInterval(() => {
      if (this.#operations.size === 0) {
        lastOk = Date.now(); // idle: nothing waits for Redis
        return;
      }
      if (Date.now() - lastOk > limit) {
        clearInterval(timer);
        this.#lose(conn, [client, eventsClient], limit);
        return;
      }
      if (pinging) return;
      pinging = true;
      client.ping().then(
        () => {
          if (eventsClient.status === "ready") lastOk = Date.now();
        },
        () => undefined,
      ).finally(() => {
        pinging = false;
      });
    }, Math.min(1000, Math.ceil(limit / 4)));
    timer.unref();
    return () => clearInterval(timer);
  }

  #lose(conn: Connection, clients: Redis[], ms: number): void {
    const why = this.#lastError ? `: ${redactPassword(this.#lastError.message, this.#redis)}` : "";
    const err = new WkwError(
      "ERR_WKW_IO",
      `lost the connection to Redis at ${this.server} (queue ${this.queueName}): no answer for ${ms} ms${why}. Jobs already queued there may still run if it comes back`,
      { parameter: "options.connection" },
    );
    // The next map() connects anew (#ready can only point at this connection: another is
    // opened only once #ready is cleared); these connections stop reconnecting (a
    // reconnect loop would keep the process alive).
    this.#ready = undefined;
    for (const op of [...this.#operations.values()]) op.lost(err);
    for (const c of clients) stopClient(c);
    const closing = closeWithin([conn.events, conn.queue], 2000);
    this.#retiring.add(closing);
    void closing.then(() => this.#retiring.delete(closing));
  }

  /** Job slots of the workers serving the queue now (each names its concurrency), or DEFAULT_SLOTS. */
  async #slots(queue: Queue): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const workers = await Promise.race([
        queue.getWorkers(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("timeout")), this.#reconnectTimeoutMs);
        }),
      ]);
      const slots = workers.reduce((sum, w) => sum + workerSlots(String(w.rawname ?? "")), 0);
      return slots > 0 ? slots : DEFAULT_SLOTS;
    } catch {
      return DEFAULT_SLOTS; // e.g. a server that refuses CLIENT LIST
    } finally {
      clearTimeout(timer);
    }
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
    const total = knownTotal(items, opts);
    const auto = this.#itemsPerJob === "auto";
    const slots = auto && total !== 0 ? await this.#slots(queue) : 1;
    const sizer = this.#learnt.sizer(this.#itemsPerJob, ref, total, slots);
    // Unfinished jobs at a time: with "auto", a few per slot (jobs are sized to ~25 ms, and
    // the first ones, one item each, teach the sizer); otherwise maxInFlight.
    const window = () => Math.min(this.#maxInFlight, !auto ? Infinity : sizer.learning ? Math.max(2, slots * 2) : Math.max(16, slots * JOBS_PER_SLOT));
    return new Promise<R[]>((resolve, reject) => {
      const results: R[] = [];
      const pending = new Map<string, EncodedJob>(); // by job id: added and unfinished
      const iterator = batches(items, sizer);
      let next = 0;
      let finished = 0;
      let done = false;
      let adding = false;
      let failed = false;
      let firstError: unknown;
      let settled = false;
      let abandoned = false; // Redis is lost: settle without waiting for the jobs

      const settle = () => {
        if (settled || (!abandoned && (adding || pending.size > 0)) || !(failed || done)) return;
        settled = true;
        this.#operations.delete(opId);
        this.#learnt.remember(ref, total, sizer);
        opts.signal?.removeEventListener("abort", onAbort);
        if (failed) reject(firstError);
        else resolve(results);
      };
      const fail = (err: unknown) => {
        if (!failed) {
          failed = true;
          firstError = err;
          try {
            iterator.return?.(undefined as never);
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
          while (!failed && !done && pending.size < window()) {
            const batch: { name: string; data: EncodedJob; opts: JobsOptions }[] = [];
            // The first jobs go out one per slot, so the workers start while the caller
            // still encodes the rest (a batch of 64 chunk views takes ~1 ms to encode).
            const room = Math.min(window() - pending.size, 200, next === 0 ? slots : Infinity);
            while (batch.length < room && !done) {
              const step = iterator.next();
              if (step.done) {
                done = true;
                break;
              }
              next = step.value.index + step.value.items.length;
              // The job id is the operation and the (first) item index.
              const data = encodeBatch(ref, step.value.items, step.value.index);
              batch.push({ name: ref.name, data, opts: { ...this.#jobOptions, jobId: jobIdOf(opId, data) } });
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
        const output = value as JobOutput;
        sizer.observe(jobItemCount(data), output.ms);
        for (const r of jobResults(data, output)) {
          results[r.index] = r.value as R;
          finished++;
        }
        try {
          opts.onProgress?.({ done: finished, total: total ?? next, unit: "jobs" });
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
        lost: (err) => {
          fail(err);
          abandoned = true;
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
    const conn = ready ? await ready.catch(() => undefined) : undefined;
    if (conn) {
      conn.unwatch?.();
      await closeWithin([conn.events, conn.queue], 5000);
      // A server that went away meanwhile: end the reconnect loops close() could not end.
      const clients = await Promise.all([conn.queue.client, conn.events.client]).catch(() => []);
      for (const c of clients) if (c.status !== "end") stopClient(c as unknown as Redis);
    }
    await Promise.all([...this.#retiring]);
  }
}

/** Disconnects an ioredis client for good (no reconnect attempt keeps the process alive). */
function stopClient(client: Redis): void {
  client.options.retryStrategy = () => null;
  client.disconnect();
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

/**
 * A job's id: the operation and its first item, plus the item count for several items
 * (`op-12`, `op-12x40`), so re-enqueuing the same jobs of an operation adds nothing.
 */
function jobIdOf(opId: string, job: EncodedJob): string {
  return job.batch ? `${opId}-${job.index}x${job.batch.length}` : `${opId}-${job.index}`;
}

/** Job slots of a worker from its Redis client name: `…:w:wkw-<host>-<pid>-c<concurrency>` (others: 1). */
export function workerSlots(rawName: string): number {
  const m = /:w:wkw-.*-c(\d+)$/.exec(rawName);
  return m ? Math.max(1, Number(m[1])) : 1;
}

export function checkQueueName(parameter: string, value: unknown): string {
  const name = checkString(parameter, value);
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw argumentError(parameter, "1-100 characters of [A-Za-z0-9_.-]", value);
  return name;
}
