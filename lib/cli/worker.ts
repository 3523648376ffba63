/**
 * `wkw worker --redis URL --queue NAME [--concurrency N] [--allow-module DIR ...]`: runs
 * BullMQExecutor jobs until SIGINT/SIGTERM (then finishes its running jobs and exits).
 */
import { parseArgs } from "node:util";
import { WkwError } from "../errors.js";
import { createWorker } from "../ops/bullmq-worker.js";
import { errorFromText } from "../ops/job-error.js";

export const WORKER_USAGE = `Usage: wkw worker --redis redis://[user:password@]host:port[/db] --queue NAME
                  [--concurrency N] [--allow-module DIR ...] [--lock-duration MS]

Runs the chunk jobs that a BullMQExecutor enqueues on NAME. Jobs may only name this
package's own job modules and modules under the --allow-module folders.
`;

function intOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new WkwError("ERR_WKW_ARGUMENT", `--${name} must be a positive integer, received ${text}`, { parameter: `--${name}` });
  return n;
}

/** Exit status 0, or 1 (failure) / 2 (bad command line) with `wkw: CODE: message` on stderr. */
export async function workerCommand(argv: string[], signal?: AbortSignal): Promise<number> {
  try {
    return await runWorker(argv, signal);
  } catch (err) {
    if (!(err instanceof WkwError) && !(err instanceof TypeError && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) throw err;
    const code = (err as { code?: string }).code;
    process.stderr.write(`wkw: ${code}: ${err.message}\n`);
    return code === "ERR_WKW_ARGUMENT" || code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
  }
}

async function runWorker(argv: string[], signal?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      redis: { type: "string" },
      queue: { type: "string" },
      concurrency: { type: "string" },
      "allow-module": { type: "string", multiple: true },
      "lock-duration": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(WORKER_USAGE);
    return 0;
  }
  if (!values.redis || !values.queue) throw new WkwError("ERR_WKW_ARGUMENT", `worker needs --redis and --queue\n\n${WORKER_USAGE}`, { parameter: values.redis ? "--queue" : "--redis" });
  const concurrency = intOption("concurrency", values.concurrency);
  const lockDuration = intOption("lock-duration", values["lock-duration"]);
  const w = createWorker({
    connection: values.redis,
    queueName: values.queue,
    allowModules: values["allow-module"] ?? [],
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
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    signal?.addEventListener("abort", stop, { once: true });
  });
  await w.close();
  return 0;
}
