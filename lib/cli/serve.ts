/**
 * `wkw serve <dataset> [--port 8000] [--host 127.0.0.1] [--cache 512MB] [--cors ORIGIN]`:
 * serves the dataset as Neuroglancer precomputed sources plus the viewer page, prints the
 * URL, and stops cleanly on Ctrl-C or SIGTERM (running requests finish, exit code 0).
 */
import { serve } from "../serve/index.js";
import { parseByteSize } from "../serve/options.js";
import { intOption } from "./args.js";
import type { Command } from "./command.js";

export const serveCommand: Command = {
  name: "serve",
  summary: "serve a dataset over HTTP: Neuroglancer precomputed sources and a viewer page",
  usage: "serve <dataset> [--port 8000] [--host 127.0.0.1] [--cache 512MB] [--cors ORIGIN]",
  description: "Serves every layer as a Neuroglancer \"precomputed\" source and a viewer page at the printed URL. Read-only; binds 127.0.0.1 unless --host says otherwise.",
  options: {
    port: { type: "string", value: "N", description: "TCP port (default 8000; 0 picks a free one)" },
    host: { type: "string", value: "HOST", description: "address to bind (default 127.0.0.1)" },
    cache: { type: "string", value: "SIZE", description: "block cache size (default 512MB)" },
    cors: { type: "string", value: "ORIGIN", description: "Access-Control-Allow-Origin (default *)" },
  },
  positionals: { min: 1, max: 1 },
  async run({ args, values, out, signal }) {
    const port = intOption("port", values.port ?? "8000", 0, 65535)!;
    const cache = parseByteSize("--cache", typeof values.cache === "string" ? values.cache : "512MB");
    const host = typeof values.host === "string" ? values.host : "127.0.0.1";
    const cors = typeof values.cors === "string" ? values.cors : "*";
    const handle = await serve(args[0]!, { port, host, cache, cors });
    // Skipped layers (int64, float64, empty) were reported by serve() as process warnings.
    out.result({ dataset: args[0], url: handle.url }, () => [
      `wkw serve: ${args[0]} at ${handle.url}`,
      `  open ${handle.url} in a browser (Neuroglancer viewer); each layer is the precomputed source precomputed://${handle.url}<layer>`,
      "  Ctrl-C stops the server",
    ]);
    const stopped = await new Promise<string>((resolve) => {
      if (signal.aborted) return resolve("SIGINT");
      signal.addEventListener("abort", () => resolve("SIGINT"), { once: true });
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    process.stderr.write(`wkw serve: ${stopped}, stopping\n`);
    await handle.close();
  },
};
