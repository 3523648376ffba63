/**
 * `wkw worker --redis URL --queue NAME [--concurrency N] [--allow-module DIR ...]`: runs the
 * jobs a BullMQExecutor enqueues until Ctrl-C or SIGTERM (then finishes its running jobs).
 *
 * A lost Redis (restarted, unreachable) does not end the worker: it logs the loss once,
 * reconnects with backoff (1 s growing to 20 s, BullMQ's policy) and logs the return;
 * jobs it held are retried by the stalled-job check. With --give-up-after MS it exits with
 * status 1 once Redis has been away that long (for supervisors that restart it instead).
 */
import { WkwError } from "../errors.js";
import { createWorker } from "../ops/bullmq-worker.js";
import { errorFromText } from "../ops/job-error.js";
import { UsageError, intOption } from "./args.js";
import type { Command } from "./command.js";

export const workerCommand: Command = {
  name: "worker",
  summary: "run BullMQExecutor jobs from a Redis queue until Ctrl-C / SIGTERM",
  usage: "worker --redis URL --queue NAME [--concurrency N] [--item-concurrency N] [--allow-module DIR ...] [--lock-duration MS] [--give-up-after MS]",
  description: "Jobs may only name this package's own job modules and modules under the --allow-module folders.",
  options: {
    redis: { type: "string", value: "URL", description: "redis://[user:password@]host:port[/db]" },
    queue: { type: "string", value: "NAME", description: "the queue to serve" },
    concurrency: { type: "string", value: "N", description: "jobs at once (default 1)" },
    "item-concurrency": { type: "string", value: "N", description: "items (chunks) of a batched job at once (default 3)" },
    "allow-module": { type: "string", multiple: true, value: "DIR", description: "a folder of job modules that may run (repeatable)" },
    "lock-duration": { type: "string", value: "MS", description: "BullMQ job lock duration" },
    "give-up-after": { type: "string", value: "MS", description: "exit with status 1 once Redis was unreachable this long (default: reconnect forever)" },
  },
  positionals: { min: 0, max: 0 },
  async run({ values, signal, out }) {
    if (typeof values.redis !== "string" || typeof values.queue !== "string") throw new UsageError("worker needs --redis URL and --queue NAME");
    const concurrency = intOption("concurrency", values.concurrency, 1, 1024);
    const giveUpAfter = intOption("give-up-after", values["give-up-after"], 1, 2 ** 31 - 1);
    const itemConcurrency = intOption("item-concurrency", values["item-concurrency"], 1, 64);
    const lockDuration = intOption("lock-duration", values["lock-duration"], 1, 2 ** 31 - 1);
    const w = createWorker({
      connection: values.redis,
      queueName: values.queue,
      allowModules: (values["allow-module"] as string[] | undefined) ?? [],
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(itemConcurrency !== undefined ? { itemConcurrency } : {}),
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
    let lostSince: number | undefined;
    let stopping = false; // closing the connections is no loss
    w.onConnection((up) => {
      if (stopping) return;
      if (!up && lostSince === undefined) {
        lostSince = Date.now();
        process.stderr.write(`wkw worker: lost Redis at ${w.server}; reconnecting${giveUpAfter === undefined ? "" : ` (giving up after ${giveUpAfter} ms)`}\n`);
      } else if (up && lostSince !== undefined) {
        process.stderr.write(`wkw worker: Redis at ${w.server} is back after ${Date.now() - lostSince} ms\n`);
        lostSince = undefined;
        lastProblem = "";
      }
    });
    const stop = await new Promise<"signal" | "gave-up">((resolve) => {
      if (signal.aborted) return resolve("signal");
      signal.addEventListener("abort", () => resolve("signal"), { once: true });
      process.once("SIGTERM", () => resolve("signal"));
      if (giveUpAfter !== undefined) {
        const timer = setInterval(() => {
          if (lostSince !== undefined && Date.now() - lostSince >= giveUpAfter) {
            clearInterval(timer);
            resolve("gave-up");
          }
        }, Math.min(1000, giveUpAfter));
        signal.addEventListener("abort", () => clearInterval(timer), { once: true });
        process.once("SIGTERM", () => clearInterval(timer));
      }
    });
    stopping = true;
    await w.close();
    if (stop === "gave-up") {
      throw new WkwError("ERR_WKW_IO", `Redis at ${w.server} was unreachable for ${giveUpAfter} ms (--give-up-after); stopping`);
    }
    out.result({ stopped: true }, () => []);
  },
};
