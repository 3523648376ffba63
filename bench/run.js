#!/usr/bin/env node
"use strict";
// `npm run bench [-- --quick] [--only <text>] [--out <file.json>] [--no-reference]`
//
// Generates the datasets into a temporary folder, runs every configuration of cases.js in
// a fresh child process (this file with --child <id>), each after its reference
// measurement (the reference library as ../shared/tools/wkwref or $WKWREF, on the same
// files, in the same run; skipped when absent or with --no-reference), prints the table
// and writes the JSON record to bench/results/<timestamp>.json (or --out).
const { fork } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { FULL, QUICK } = require("./config.js");
const { configurations, groups } = require("./cases.js");
const { referenceTool, measureReference } = require("./reference.js");
const { buildDatasets } = require("./setup.js");
const { peakRssMb, nowMs, cpuSummary } = require("./measure.js");
const { rows, table, writeJson } = require("./report.js");

function parseArgs(argv) {
  const args = { quick: false, reference: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") args.quick = true;
    else if (a === "--no-reference") args.reference = false;
    else if (a === "--child" || a === "--dir" || a === "--only" || a === "--out") args[a.slice(2)] = argv[++i];
    else throw new Error(`Unknown argument ${a} (expected --quick, --only <text>, --out <file>, --no-reference)`);
  }
  return args;
}

const log = (line) => process.stderr.write(line + "\n");

async function child(args) {
  const params = args.quick ? QUICK : FULL;
  const config = configurations(params).find((c) => c.id === args.child);
  if (!config) throw new Error(`No configuration ${args.child}`);
  const result = await config.run({ dir: args.dir, params, quick: !!args.quick });
  Object.assign(result, cpuSummary());
  result.peakRssMb = peakRssMb();
  process.send({ result }, () => process.disconnect());
}

function runChild(id, args) {
  return new Promise((resolve, reject) => {
    const argv = ["--child", id, "--dir", args.dir, ...(args.quick ? ["--quick"] : [])];
    const proc = fork(__filename, argv, { execArgv: ["--expose-gc"], stdio: "inherit" });
    let result;
    proc.on("message", (m) => { result = m.result; });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`Configuration ${id} failed (exit ${signal ?? code})`));
    });
  });
}

/** The configurations to run: all, or those matching --only plus their baselines. */
function selection(all, only) {
  if (!only) return all;
  const picked = all.filter((c) => c.id.includes(only));
  const ids = new Set(picked.flatMap((c) => [c.id, c.baseline].filter(Boolean)));
  return all.filter((c) => ids.has(c.id));
}

async function main(args) {
  const started = nowMs();
  const params = args.quick ? QUICK : FULL;
  const configs = selection(configurations(params), args.only);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wkw-bench-"));
  args.dir = dir;
  const { binding } = require("../dist/binding.js");
  const tool = args.reference ? referenceTool() : undefined;
  const results = {};
  const references = {};
  let data;
  try {
    log(`wkw bench${args.quick ? " --quick" : ""}: ${params.edge}³ volumes, block ${params.blockLen}, file lengths ${Object.values(params.fileLen).join(" and ")}, in ${dir}`);
    log(tool ? `  reference: ${tool}` : "  reference: not measured (no wkwref)");
    const t0 = nowMs();
    data = await buildDatasets(dir, params, log);
    for (const g of groups) g.prepare?.({ dir, params, tool });
    log(`  datasets ready in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
    for (const [i, c] of configs.entries()) {
      // The reference runs right before each row (not once per spec): the machine is
      // shared, and a measurement minutes away may have seen another load.
      if (c.reference && tool) {
        const spec = c.reference({ dir, params });
        c.referenceKey = c.id;
        references[c.referenceKey] = { id: c.id, spec, ...measureReference(tool, spec) };
      }
      const r = (results[c.id] = await runChild(c.id, args));
      const ref = c.referenceKey && references[c.referenceKey];
      log(`  [${i + 1}/${configs.length}] ${c.id}: ${(r.bytesPerOp / (r.msPerOp * 1e3)).toFixed(0)} MB/s` +
        (ref ? `, ×ref ${(ref.msPerOp / r.msPerOp).toFixed(2)} (best ${(ref.minMsPerOp / r.minMsPerOp).toFixed(2)})` : ""));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const list = rows(configs, results, references);
  console.log();
  console.log(table(list));
  console.log();
  for (const [geometry, volumes] of Object.entries(data)) {
    for (const [name, d] of Object.entries(volumes)) {
      const ratios = Object.entries(d.ratio).map(([t, r]) => `${t.toUpperCase()} ratio ${r.toFixed(2)}`).join(", ");
      console.log(`${name}, file length ${params.fileLen[geometry]}: ${ratios}`);
    }
  }
  if (args.quick) console.log("--quick: small volumes and few repetitions, so the ratios and targets mean little here");
  if (!args.only || "downsample".includes(args.only)) await require("./downsample.js").run({ quick: args.quick });
  console.log(`load average (1, 5, 15 min) at the end: ${os.loadavg().map((v) => v.toFixed(2)).join(", ")}`);
  const seconds = (nowMs() - started) / 1000;
  console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "(default 4)"}, default concurrency ${binding.defaultConcurrency()}, ${os.cpus().length} cores; ${seconds.toFixed(0)} s in all`);
  const file = args.out ?? path.join(__dirname, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeJson(file, {
    date: new Date().toISOString(),
    quick: args.quick,
    params,
    machine: {
      cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version,
      uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? null, defaultConcurrency: binding.defaultConcurrency(),
    },
    data,
    seconds,
    loadavg: os.loadavg(),
    referenceTool: tool ?? null,
    references: Object.values(references),
    parentPeakRssMb: peakRssMb(),
    results,
    cases: list,
  });
  console.log(`results: ${path.relative(process.cwd(), file)}`);
}

const args = parseArgs(process.argv.slice(2));
(args.child ? child(args) : main(args)).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
