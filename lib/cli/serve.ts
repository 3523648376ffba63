/**
 * `wkw serve <dataset> [--port 8000] [--host 127.0.0.1] [--cache 512MB] [--cors ORIGIN]`:
 * serves the dataset as Neuroglancer precomputed sources plus the viewer page, prints the
 * URL, and stops cleanly on SIGINT or SIGTERM (running requests finish, exit code 0).
 */
import { parseArgs } from "node:util";
import { WkwError } from "../errors.js";
import { serve } from "../serve/index.js";
import { parseByteSize } from "../serve/options.js";

export const SERVE_USAGE = `Usage: wkw serve <dataset> [--port 8000] [--host 127.0.0.1] [--cache 512MB] [--cors ORIGIN]

Serves every layer of the dataset as a Neuroglancer "precomputed" source and a viewer
page at the printed URL. Read-only; binds 127.0.0.1 unless --host says otherwise.
`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string", default: "8000" },
      host: { type: "string", default: "127.0.0.1" },
      cache: { type: "string", default: "512MB" },
      cors: { type: "string", default: "*" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new WkwError("ERR_WKW_ARGUMENT", `serve takes 1 dataset path\n\n${SERVE_USAGE}`, { parameter: "dataset" });
  }
  const port = /^\d+$/.test(values.port!) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new WkwError("ERR_WKW_ARGUMENT", `--port must be an integer in [0, 65535], received ${values.port}`, { parameter: "--port" });
  }
  const cache = parseByteSize("--cache", values.cache);
  const handle = await serve(positionals[0]!, { port, host: values.host!, cache, cors: values.cors! });
  // Skipped layers (int64, float64, empty) were reported by serve() as process warnings.
  process.stdout.write(
    `wkw serve: ${positionals[0]} at ${handle.url}\n` +
      `  open ${handle.url} in a browser (Neuroglancer viewer); each layer is the precomputed source precomputed://${handle.url}<layer>\n` +
      "  Ctrl-C stops the server\n",
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stderr.write(`wkw serve: ${signal}, stopping\n`);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await handle.close();
  return 0;
}
