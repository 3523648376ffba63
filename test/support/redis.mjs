// Starts Debian's redis-server for a test: 127.0.0.1, a free port, a temporary folder, a
// password (so every connection proves that a password in the URL works); stop() ends it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export function redisAvailable() {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startRedis({ password = "s3cret-pw%word" } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "wkw-redis-"));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"];
  if (password) args.push("--requirepass", password);
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  // ready when it answers PING
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
    if (await ping(port, password)) break;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`redis-server did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = password ? `:${encodeURIComponent(password)}@` : "";
  return {
    port,
    password,
    url: `redis://${auth}127.0.0.1:${port}`,
    /** SIGKILL: the server dies without a word (its clients see closed sockets) */
    kill() {
      proc.kill("SIGKILL");
    },
    async stop() {
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ping(port, password) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let buf = "";
    s.setTimeout(500, () => (s.destroy(), resolve(false)));
    s.on("error", () => resolve(false));
    s.on("connect", () => s.write((password ? `AUTH ${password}\r\n` : "") + "PING\r\n"));
    s.on("data", (d) => {
      buf += d;
      if (buf.includes("+PONG")) {
        s.destroy();
        resolve(true);
      }
    });
  });
}
