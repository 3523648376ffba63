"use strict";
// The result table (stdout) and the JSON record (bench/results/<timestamp>.json).
const fs = require("node:fs");
const path = require("node:path");

/** Joins each configuration's result with its reference, baseline and target. */
function rows(configs, results, references) {
  return configs.filter((c) => !c.baselineOnly).map((c) => {
    const r = results[c.id];
    const row = {
      id: c.id, section: c.section, label: c.label,
      mbps: r.bytesPerOp / (r.msPerOp * 1e3), mbpsBest: r.bytesPerOp / (r.minMsPerOp * 1e3),
      spreadPct: r.spreadPct, perOpUs: r.msPerOp * 1e3, p50Us: r.p50Us, p99Us: r.p99Us,
      sysMsPerOp: r.sysMsPerOp, userMsPerOp: r.userMsPerOp, iterations: r.iterations,
      cores: r.cores, otherCores: r.otherCores, peakRssMb: r.peakRssMb,
    };
    const ref = c.referenceKey && references[c.referenceKey];
    if (ref) {
      row.referenceMbps = r.bytesPerOp / (ref.msPerOp * 1e3);
      row.referenceUs = ref.msPerOp * 1e3;
      row.ratioReference = ref.msPerOp / r.msPerOp;
      row.ratioReferenceBest = ref.minMsPerOp / r.minMsPerOp;
      // CPU time per read, ours and the reference's: what one thread costs, little
      // disturbed by other processes (the wall-clock ratios are, on a shared machine).
      row.referenceCpuMsPerOp = ref.cpuMsPerOp;
      row.ratioReferenceCpu = ref.cpuMsPerOp / (r.userMsPerOp + r.sysMsPerOp);
    }
    if (c.baseline && results[c.baseline]) {
      row.baselineId = c.baseline;
      row.ratioBaseline = results[c.baseline].msPerOp / r.msPerOp;
    }
    const t = c.target;
    if (t?.refRatio !== undefined) {
      row.target = `≥${t.refRatio}× ref`;
      if (row.ratioReference !== undefined) row.met = row.ratioReference >= t.refRatio;
    } else if (t?.baseRatio !== undefined) {
      row.target = `≥${t.baseRatio.toFixed(2)}× base`;
      if (row.ratioBaseline !== undefined) row.met = row.ratioBaseline >= t.baseRatio;
    } else if (t?.p50Us !== undefined) {
      row.target = `p50 ≤${t.p50Us} µs`;
      row.met = r.p50Us <= t.p50Us;
    } else if (t?.mbps !== undefined) {
      row.target = `≥${t.mbps} MB/s`;
      row.met = row.mbps >= t.mbps;
    } else if (t?.baseRatio !== undefined) {
      row.target = `≥${t.baseRatio}× base`;
      if (row.ratioBaseline !== undefined) row.met = row.ratioBaseline >= t.baseRatio;
    }
    return row;
  });
}

function num(v, digits = 0) {
  return v === undefined || !Number.isFinite(v) ? "" : v.toFixed(digits);
}

function us(v) {
  if (v === undefined || !Number.isFinite(v)) return "";
  return v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(v >= 100 ? 0 : 1)} µs`;
}

function table(list) {
  const head = ["case", "MB/s", "spread", "per op", "p50", "p99", "sys ms/op", "ref MB/s", "×ref", "best", "cpu ms/op", "ref cpu", "target", "×base", "cores", "other", "RSS MB"];
  const lines = [head];
  let section;
  for (const r of list) {
    if (r.section !== section) {
      section = r.section;
      lines.push([`[${section}]`]);
    }
    lines.push([
      r.label, num(r.mbps), `±${num(r.spreadPct / 2)}%`, us(r.perOpUs), us(r.p50Us), us(r.p99Us), num(r.sysMsPerOp, 3),
      num(r.referenceMbps), num(r.ratioReference, 2), num(r.ratioReferenceBest, 2),
      num(r.userMsPerOp + r.sysMsPerOp, 3), num(r.referenceCpuMsPerOp, 3),
      r.target ? `${r.target} ${r.met === undefined ? "(no ref)" : r.met ? "met" : "MISSED"}` : "",
      num(r.ratioBaseline, 2), num(r.cores, 2), num(r.otherCores, 2), num(r.peakRssMb),
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.filter((l) => l.length > 1).map((l) => String(l[i]).length)));
  return lines.map((l) => l.length === 1 ? l[0] : l.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ")).join("\n");
}

function writeJson(file, record) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
}

module.exports = { rows, table, writeJson };
