// Starts `wkw worker` processes (the real CLI) for the BullMQ tests and collects their
// output (to prove that the Redis password is never printed).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export function startWorker(url, queue, { allow = [], concurrency = 1, lockDuration = 2000, env = {}, extra = [] } = {}) {
  const args = [CLI, "worker", "--redis", url, "--queue", queue, "--concurrency", String(concurrency), "--lock-duration", String(lockDuration), ...extra];
  for (const d of allow) args.push("--allow-module", d);
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  const w = { proc, output: "", exited: new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal }))) };
  proc.stdout.on("data", (d) => (w.output += d));
  proc.stderr.on("data", (d) => (w.output += d));
  w.ready = new Promise((resolve, reject) => {
    const check = () => {
      if (w.output.includes("wkw worker: queue")) resolve();
    };
    proc.stderr.on("data", check);
    w.exited.then(({ code, signal }) => reject(new Error(`worker exited (${code ?? signal}) before it was ready: ${w.output}`)));
  });
  w.stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    return w.exited;
  };
  return w;
}
