#!/usr/bin/env node
/**
 * The `wkw` command: one tool for the image → dataset → pyramid → compress → verify pipeline.
 * Each command is a file in lib/cli/ registered here with one line. Exit codes: see EXIT in
 * command.ts (0 ok, 1 failure or damage found, 2 usage, 130 Ctrl-C).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { WkwError } from "../errors.js";
import { COMMON_OPTIONS, UsageError, parseCommandLine } from "./args.js";
import { EXIT, type Command, type OptionSpec } from "./command.js";
import { Output } from "./output.js";
import { createProgress, progressEnabled } from "./progress.js";
import { compressCommand } from "./compress.js";
import { convertCommand } from "./convert.js";
import { copyCommand } from "./copy.js";
import { downsampleCommand, upsampleCommand } from "./downsample.js";
import { infoCommand } from "./info.js";
import { serveCommand } from "./serve.js";
import { workerCommand } from "./worker.js";
import { verifyCommand } from "./verify.js";

const COMMANDS: Command[] = [
  convertCommand,
  downsampleCommand,
  upsampleCommand,
  compressCommand,
  copyCommand,
  verifyCommand,
  infoCommand,
  serveCommand,
  workerCommand,
];

function version(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string }).version;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`;
    return `  ${flag.padEnd(30)} ${o.description}`;
  });
}

function mainUsage(): string {
  return [
    "Usage: wkw <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    "",
    "Options of every command:",
    ...optionLines(COMMON_OPTIONS),
    "",
    "  wkw --version               the package version",
    "  wkw help <command>          a command's options (or wkw <command> --help)",
    "",
    "Exit codes: 0 ok, 1 failed (or verify found damage), 2 bad command line, 130 cancelled (Ctrl-C).",
    "",
  ].join("\n");
}

function commandUsage(c: Command): string {
  return [
    `Usage: wkw ${c.usage}`,
    "",
    c.summary,
    ...(c.description ? ["", c.description] : []),
    "",
    "Options:",
    ...optionLines({ ...c.options, ...COMMON_OPTIONS }),
    "",
  ].join("\n");
}

function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [first, ...rest] = argv;
  const json = argv.includes("--json");
  const out = new Output(json);
  if (first === undefined) {
    process.stderr.write(mainUsage());
    return EXIT.USAGE;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    out.result({ version: version() }, () => [version()]);
    return EXIT.OK;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = rest.find((a) => !a.startsWith("-"));
    const c = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && !c) {
      process.stderr.write(`wkw: unknown command ${JSON.stringify(topic)}\n\n${mainUsage()}`);
      return EXIT.USAGE;
    }
    process.stdout.write(c ? commandUsage(c) : mainUsage());
    return EXIT.OK;
  }
  const command = findCommand(first);
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(first)}`);
    const { args, values } = parseCommandLine(command, rest);
    if (values.help) {
      process.stdout.write(commandUsage(command));
      return EXIT.OK;
    }
    const bars = progressEnabled(values.quiet === true, json);
    const code = await command.run({ args, values, out, signal, progress: (label) => createProgress(label, bars) });
    return code ?? EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) {
      const c = err.command ?? command;
      out.error(err);
      if (!json) process.stderr.write(`\n${c ? `Usage: wkw ${c.usage}\nSee: wkw ${c.name} --help\n` : mainUsage()}`);
      return EXIT.USAGE;
    }
    if (err instanceof WkwError && err.code === "ERR_WKW_ABORTED" && signal.aborted) {
      out.error(new WkwError("ERR_WKW_ABORTED", "cancelled (Ctrl-C); nothing half-written was kept"));
      return EXIT.INTERRUPTED;
    }
    out.error(err);
    return EXIT.FAILURE;
  }
}

if (require.main === module) {
  // Ctrl-C aborts the running command, which cleans up and exits 130; a second Ctrl-C exits at once.
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
    controller.abort();
  });
  main(process.argv.slice(2), controller.signal).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`wkw: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = EXIT.FAILURE;
    },
  );
}
