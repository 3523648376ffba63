#!/usr/bin/env node
/** The `wkw` command: inspect, verify and compress WKW mags from the shell. */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { WkwError } from "../errors.js";
import { loadProperties } from "../dataset/properties.js";
import { WkwDataset } from "../wkw/dataset.js";
import { BLOCK_TYPES, type BlockType } from "../wkw/header.js";
import { verifyMag } from "./verify.js";
import { serveCommand } from "./serve.js";

const USAGE = `Usage: wkw <command> [options]

Commands:
  info <path>                       header and file count of a mag folder, or the layers
                                    of a dataset (folder with datasource-properties.json)
  verify <mag>                      decode every block of every cube file; exit 1 on damage
  serve <dataset>                   Neuroglancer precomputed sources + viewer over HTTP
      --port 8000 --host 127.0.0.1 --cache 512MB --cors ORIGIN
  compress <mag> <target>           copy a mag with another block type
      --block-type lz4|lz4hc|raw    (default lz4hc)
      --level N                     LZ4HC level 1..12 (default 9)
  help                              this text
`;

async function info(target: string): Promise<void> {
  if (existsSync(path.join(target, "datasource-properties.json"))) {
    const p = await loadProperties(target);
    console.log(`dataset ${p.id.name} scale ${JSON.stringify(p.scale)}`);
    for (const l of p.dataLayers) {
      const b = l.boundingBox;
      console.log(`  layer ${l.name} (${l.category}, ${l.elementClass}) bbox ${JSON.stringify(b.topLeft)}+[${b.width},${b.height},${b.depth}]`);
      for (const r of l.wkwResolutions) console.log(`    mag ${r.resolution.join("-")} cubeLength ${r.cubeLength}`);
    }
    return;
  }
  const ds = await WkwDataset.open(target);
  const files = await ds.listFiles();
  console.log(JSON.stringify({ path: ds.path, header: ds.header, files: files.length }, null, 2));
  ds.close();
}

async function verify(target: string): Promise<number> {
  const ds = await WkwDataset.open(target);
  const result = await verifyMag(ds);
  ds.close();
  for (const p of result.problems) console.log(`${p.file}: ${p.code}${p.blockIndex !== undefined ? ` (block ${p.blockIndex})` : ""}: ${p.message}`);
  console.log(`${result.files} files checked, ${result.problems.length} damaged`);
  return result.problems.length === 0 ? 0 : 1;
}

async function compress(src: string, dst: string, blockType: string, level: string | undefined): Promise<void> {
  if (!(BLOCK_TYPES as readonly string[]).includes(blockType)) {
    throw new WkwError("ERR_WKW_ARGUMENT", `--block-type must be one of ${BLOCK_TYPES.join(", ")}, received ${blockType}`, { parameter: "--block-type" });
  }
  const ds = await WkwDataset.open(src);
  const target = await ds.compress(dst, { blockType: blockType as BlockType, ...(level !== undefined ? { level: Number(level) } : {}) });
  console.log(`${(await target.listFiles()).length} files written to ${target.path} (${blockType})`);
  target.close();
  ds.close();
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "downsample") return (await import("./downsample.js")).downsampleCommand(argv.slice(1)); // usage: DOWNSAMPLE_USAGE
  if (argv[0] === "serve") return serveCommand(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { "block-type": { type: "string", default: "lz4hc" }, level: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command, ...rest] = positionals;
  const need = (n: number) => {
    if (rest.length !== n) throw new WkwError("ERR_WKW_ARGUMENT", `${command} takes ${n} path(s)\n\n${USAGE}`, { parameter: "path" });
  };
  switch (values.help ? "help" : command) {
    case "info": need(1); await info(rest[0]!); return 0;
    case "verify": need(1); return verify(rest[0]!);
    case "compress": need(2); await compress(rest[0]!, rest[1]!, values["block-type"]!, values.level); return 0;
    case "help": case undefined: process.stdout.write(USAGE); return command === undefined && !values.help ? 2 : 0;
    default: process.stderr.write(`Unknown command ${command}\n\n${USAGE}`); return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => {
      console.error(err instanceof WkwError ? `wkw: ${err.code}: ${err.message}` : err);
      process.exitCode = 1;
    },
  );
}
