/**
 * createWorker: the BullMQ worker that runs BullMQExecutor's jobs (`wkw worker` uses it).
 * BullMQ runs on the calling thread; the jobs themselves run in job threads (job-threads.ts).
 *
 * Security: a job names a module; the worker imports only this package's own job modules
 * and modules under `allowModules` folders. Any other module fails the job with
 * ERR_WKW_ARGUMENT before a line of it runs.
 *
 * Failures travel as text (BullMQ keeps a reason string) that BullMQExecutor turns back
 * into the WkwError (code, message, path, blockIndex). Deterministic failures (bad
 * arguments, corrupt or missing files, refused modules) are not retried; others are, with
 * the executor's backoff. A worker that dies holding a job loses its lock after
 * `lockDuration`; the job is then retried by another worker (stalled-job check).
 */
import { availableParallelism, hostname } from "node:os";
import path from "node:path";
import type { Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { WkwError } from "../errors.js";
import { argumentError, checkInteger, checkOptionsObject } from "../util/validate.js";
import { errorToText } from "./job-error.js";
import { describeRedis, redactPassword, redisOptions, type RedisConnectionLike } from "./redis-connection.js";
import { createJobThreadPool, runInJobThread } from "./job-threads.js";
import type { EncodedJob } from "./run-job.js";
import { checkQueueName } from "./bullmq-executor.js";

export interface CreateWorkerOptions {
  connection: RedisConnectionLike;
  queueName: string;
  /** folders whose modules jobs may name, besides this package's own job modules */
  allowModules?: readonly string[];
  /** jobs at once in this process (default 1) */
  concurrency?: number;
  /** items (chunks) of a batched job in flight at once (default 3: reads overlap the JavaScript work) */
  itemConcurrency?: number;
  /** ms a job's lock lasts without renewal; a dead worker's job is retried after it (default 10 000) */
  lockDuration?: number;
  /** ms between checks for stalled jobs (default lockDuration / 2) */
  stalledInterval?: number;
}

/** Failures that a retry cannot change. */
const FINAL_CODES = new Set([
  "ERR_WKW_ARGUMENT", "ERR_WKW_HEADER", "ERR_WKW_CORRUPT", "ERR_WKW_TRUNCATED", "ERR_WKW_NOT_FOUND",
  "ERR_WKW_EXISTS", "ERR_WKW_READ_ONLY", "ERR_WKW_OUT_OF_BOUNDS", "ERR_WKW_PROPERTIES",
]);

export interface WkwWorker {
  /** the BullMQ worker (events: completed, failed, error, …) */
  readonly worker: Worker;
  /** `redis://host:port` (no password) */
  readonly server: string;
  /** Resolves once connected; rejects with ERR_WKW_IO if Redis is not reachable in time. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Finishes running jobs, then closes the connections. */
  close(): Promise<void>;
  /** Connection problems, as text without the password. */
  onError(listener: (message: string) => void): void;
  /** The connection to Redis went down (false) or is up again (true). */
  onConnection(listener: (up: boolean) => void): void;
}

/** How long close() waits for Redis after the running jobs ended. */
const CLOSE_GRACE_MS = 2000;

const delay = (ms: number) => new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms));

/**
 * Ends what BullMQ's close() cannot end while Redis is away (it waits for the running jobs'
 * reports first): the lock-renewal and stalled-check timers and the reconnecting clients.
 * (BullMQ internals, hence the casts; each step is idempotent there.)
 */
async function abandonRedis(worker: Worker): Promise<void> {
  const w = worker as unknown as { lockManager?: { close(): Promise<void> }; stalledCheckStopper?: () => void };
  await w.lockManager?.close().catch(() => undefined);
  w.stalledCheckStopper?.();
  for (const client of await redisClients(worker)) {
    client.options.retryStrategy = () => null; // no reconnect after this disconnect
    client.disconnect();
  }
}

/** The worker's ioredis clients (its command connection and its blocking one). */
async function redisClients(worker: Worker): Promise<Redis[]> {
  const blocking = (worker as unknown as { blockingConnection?: { client: Promise<unknown> } }).blockingConnection;
  const clients = await Promise.allSettled([worker.client, blocking?.client]);
  return clients.flatMap((c) => (c.status === "fulfilled" && c.value ? [c.value as Redis] : []));
}

/** `wkw-<host>-<pid>-c<concurrency>`: shown as job.processedBy, read back by workerSlots. */
function workerName(concurrency: number): string {
  return `wkw-${hostname().replace(/[^\w.-]/g, "_")}-${process.pid}-c${concurrency}`;
}

export function createWorker(options: CreateWorkerOptions): WkwWorker {
  const o = checkOptionsObject("options", options);
  const unknown = Object.keys(o).find((k) => !["connection", "queueName", "allowModules", "concurrency", "itemConcurrency", "lockDuration", "stalledInterval"].includes(k));
  if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option", unknown);
  const redis = redisOptions("options.connection", o.connection);
  const queueName = checkQueueName("options.queueName", o.queueName);
  const allow = o.allowModules === undefined ? [] : o.allowModules;
  if (!Array.isArray(allow) || allow.some((d) => typeof d !== "string" || d.length === 0)) {
    throw argumentError("options.allowModules", "an array of folder paths", o.allowModules);
  }
  const allowDirs = (allow as string[]).map((d) => path.resolve(d));
  const concurrency = o.concurrency === undefined ? 1 : checkInteger("options.concurrency", o.concurrency, 1, 1024);
  const itemConcurrency = o.itemConcurrency === undefined ? 3 : checkInteger("options.itemConcurrency", o.itemConcurrency, 1, 64);
  const lockDuration = o.lockDuration === undefined ? 10_000 : checkInteger("options.lockDuration", o.lockDuration, 100, 3_600_000);
  const stalledInterval = o.stalledInterval === undefined ? Math.max(50, Math.floor(lockDuration / 2)) : checkInteger("options.stalledInterval", o.stalledInterval, 50, 3_600_000);
  let lastError: Error | undefined;
  // Loaded on first use: `require("wkw")` does not pay for BullMQ and ioredis.
  const { UnrecoverableError, Worker } = require("bullmq") as typeof import("bullmq");

  // Jobs run in worker threads of this process (one per job slot, at most one per core):
  // their garbage collections are tuned for jobs (job-threads.ts), and a long job cannot
  // delay the lock renewals and Redis traffic of this thread (BullMQ's advice for
  // CPU-heavy processors).
  const threadCount = Math.min(concurrency, Math.max(1, availableParallelism()));
  const threads = createJobThreadPool(threadCount, 60_000, Math.ceil(concurrency / threadCount));
  const running = new Set<Promise<unknown>>(); // processor calls (their file-system work)
  const processor = async (job: Job<EncodedJob>) => {
    const run = runInJobThread(threads, { job: job.data, allowDirs, concurrency: itemConcurrency });
    running.add(run);
    void run.then(() => running.delete(run), () => running.delete(run));
    try {
      return await run;
    } catch (err) {
      const text = errorToText(err);
      const code = (err as { code?: unknown } | null)?.code;
      if (err instanceof WkwError && FINAL_CODES.has(err.code)) throw new UnrecoverableError(text);
      if (typeof code === "string" && FINAL_CODES.has(code)) throw new UnrecoverableError(text);
      throw new Error(text);
    }
  };
  const worker = new Worker(queueName, processor, {
    connection: { ...redis, maxRetriesPerRequest: null },
    concurrency,
    // The name tells executors this worker's job slots (see workerSlots in bullmq-executor.ts).
    name: workerName(concurrency),
    lockDuration,
    stalledInterval,
    maxStalledCount: 2,
  });
  worker.on("error", (err) => {
    lastError = err;
  });
  const server = describeRedis(redis);
  return {
    worker,
    server,
    async waitUntilReady(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          worker.waitUntilReady(),
          new Promise((_, reject) => {
            timer = setTimeout(() => {
              const why = lastError ? `: ${redactPassword(lastError.message, redis)}` : "";
              reject(new WkwError("ERR_WKW_IO", `cannot connect to Redis at ${server} within ${timeoutMs} ms (queue ${queueName})${why}`, { parameter: "connection" }));
            }, timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const closing = worker.close();
      // Running jobs end by themselves (they only need the file system); after them, a
      // lost Redis could hold close() forever (reporting the jobs waits for a connection):
      // give it CLOSE_GRACE_MS, then drop the connections (the jobs' locks expire and
      // another worker reruns them, which rewrites the same bytes).
      const idle = Promise.allSettled([...running]).then(() => delay(CLOSE_GRACE_MS));
      if ((await Promise.race([closing.then(() => "closed", () => "closed"), idle])) !== "closed") {
        await abandonRedis(worker);
        await Promise.race([closing.catch(() => undefined), delay(1000)]);
      }
      await Promise.allSettled([...running]);
      await threads.destroy();
    },
    onError(listener) {
      worker.on("error", (err) => listener(`Redis at ${server}: ${redactPassword(err.message, redis)}`));
    },
    onConnection(listener) {
      void redisClients(worker).then(([main]) => {
        main?.on("ready", () => listener(true));
        main?.on("close", () => listener(false));
      }, () => undefined);
    },
  };
}
