"use strict";
// One HTTP server of the serve benchmark, in a process of its own (bench/serve.js starts it):
//   node serve-server.js static <folder>   @fastify/static over pre-exported chunk files
//   node serve-server.js wkw <dataset>     wkw serve
// Prints {"port": N} on stdout when listening; answers each line "cpu" on stdin with
// {"user": µs, "system": µs} (process.cpuUsage); stops on SIGTERM.
const [mode, folder] = process.argv.slice(2);

async function main() {
  let close;
  let port;
  if (mode === "static") {
    const fastify = require("fastify")({ logger: false });
    fastify.register(require("@fastify/static"), { root: folder });
    await fastify.listen({ port: 0, host: "127.0.0.1" });
    port = fastify.server.address().port;
    close = () => fastify.close();
  } else if (mode === "wkw") {
    const { serve } = require("..");
    const handle = await serve(folder, { port: 0 });
    port = handle.port;
    close = () => handle.close();
  } else {
    throw new Error(`mode must be static or wkw, received ${mode}`);
  }
  process.on("SIGTERM", () => close().then(() => process.exit(0)));
  let input = "";
  process.stdin.on("data", (d) => {
    input += d;
    for (let i; (i = input.indexOf("\n")) >= 0; input = input.slice(i + 1)) {
      if (input.slice(0, i) === "cpu") process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
    }
  });
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
