/**
 * `wkw worker --redis URL --queue NAME [--concurrency N] [--allow-module DIR ...]`: runs the
 * jobs a BullMQExecutor enqueues until Ctrl-C or SIGTERM (then finishes its running jobs).
 */
import { createWorker } from "../ops/bullmq-worker.js";
import { errorFromText } from "../ops/job-error.js";
import { UsageError, intOption } from "./args.js";
import type { Command } from "./command.js";

export const workerCommand: Command = {
  name: "worker",
  summary: "run BullMQExecutor jobs from a Redis queue until Ctrl-C / SIGTERM",
  usage: "worker --redis URL --queue NAME [--concurrency N] [--allow-module DIR ...] [--lock-duration MS]",
  description: "Jobs may only name this package's own job modules and modules under the --allow-module folders.",
  options: {
    redis: { type: "string", value: "URL", description: "redis://[user:password@]host:port[/db]" },
    queue: { type: "string", value: "NAME", description: "the queue to serve" },
    concurrency: { type: "string", value: "N", description: "jobs at once (default 1)" },
    "allow-module": { type: "string", multiple: true, value: "DIR", description: "a folder of job modules that may run (repeatable)" },
    "lock-duration": { type: "string", value: "MS", description: "BullMQ job lock duration" },
  },
  positionals: { min: 0, max: 0 },
  async run({ values, signal, out }) {
    if (typeof values.redis !== "string" || typeof values.queue !== "string") throw new UsageError("worker needs --redis URL and --queue NAME");
    const concurrency = intOption("concurrency", values.concurrency, 1, 1024);
    const lockDuration = intOption("lock-duration", values["lock-duration"], 1, 2 ** 31 - 1);
    const w = createWorker({
      connection: values.redis,
      queueName: values.queue,
      allowModules: (values["allow-module"] as string[] | undefined) ?? [],
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(lockDuration !== undefined ? { lockDuration } : {}),
    });
    try {
      await w.waitUntilReady();
    } catch (err) {
      void w.worker.close(true).catch(() => undefined); // force: stops reconnecting, waits for nothing
      throw err;
    }
    process.stderr.write(`wkw worker: queue ${values.queue} on ${w.server}, concurrency ${concurrency ?? 1}, pid ${process.pid}\n`);
    w.worker.on("failed", (job, err) => {
      const e = errorFromText(err.message) as Error & { code?: string };
      process.stderr.write(`wkw worker: job ${job?.id ?? "?"} failed (attempt ${job?.attemptsMade ?? "?"}): ${e.code ?? e.name}: ${e.message}\n`);
    });
    let lastProblem = "";
    w.onError((message) => {
      if (message !== lastProblem) process.stderr.write(`wkw worker: ${message}\n`); // once per distinct problem
      lastProblem = message;
    });
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
      process.once("SIGTERM", () => resolve());
    });
    await w.close();
    out.result({ stopped: true }, () => []);
  },
};
