/**
 * createWorker: the BullMQ worker that runs BullMQExecutor's jobs (`wkw worker` uses it).
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
import path from "node:path";
import type { Job, Worker } from "bullmq";
import { WkwError } from "../errors.js";
import { argumentError, checkInteger, checkOptionsObject } from "../util/validate.js";
import { errorToText } from "./job-error.js";
import { describeRedis, redactPassword, redisOptions, type RedisConnectionLike } from "./redis-connection.js";
import { runEncodedJob, type EncodedJob } from "./run-job.js";
import { checkQueueName } from "./bullmq-executor.js";

export interface CreateWorkerOptions {
  connection: RedisConnectionLike;
  queueName: string;
  /** folders whose modules jobs may name, besides this package's own job modules */
  allowModules?: readonly string[];
  /** jobs at once in this process (default 1) */
  concurrency?: number;
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
}

export function createWorker(options: CreateWorkerOptions): WkwWorker {
  const o = checkOptionsObject("options", options);
  const unknown = Object.keys(o).find((k) => !["connection", "queueName", "allowModules", "concurrency", "lockDuration", "stalledInterval"].includes(k));
  if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option", unknown);
  const redis = redisOptions("options.connection", o.connection);
  const queueName = checkQueueName("options.queueName", o.queueName);
  const allow = o.allowModules === undefined ? [] : o.allowModules;
  if (!Array.isArray(allow) || allow.some((d) => typeof d !== "string" || d.length === 0)) {
    throw argumentError("options.allowModules", "an array of folder paths", o.allowModules);
  }
  const allowDirs = (allow as string[]).map((d) => path.resolve(d));
  const concurrency = o.concurrency === undefined ? 1 : checkInteger("options.concurrency", o.concurrency, 1, 1024);
  const lockDuration = o.lockDuration === undefined ? 10_000 : checkInteger("options.lockDuration", o.lockDuration, 100, 3_600_000);
  const stalledInterval = o.stalledInterval === undefined ? Math.max(50, Math.floor(lockDuration / 2)) : checkInteger("options.stalledInterval", o.stalledInterval, 50, 3_600_000);
  let lastError: Error | undefined;
  // Loaded on first use: `require("wkw")` does not pay for BullMQ and ioredis.
  const { UnrecoverableError, Worker } = require("bullmq") as typeof import("bullmq");

  const processor = async (job: Job<EncodedJob>) => {
    try {
      return await runEncodedJob(job.data, allowDirs);
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
    close: () => worker.close(),
    onError(listener) {
      worker.on("error", (err) => listener(`Redis at ${server}: ${redactPassword(err.message, redis)}`));
    },
  };
}
