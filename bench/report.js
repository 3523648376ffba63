"use strict";
// The result table (stdout) and the JSON record (bench/results/<timestamp>.json).
const fs = require("node:fs");
const path = require("node:path");
const { REFERENCE, referenceBest, referenceText } = require("./config.js");

/** Joins each configuration's result with its baseline, reference and target. */
function rows(configs, results) {
  return configs.filter((c) => !c.baselineOnly).map((c) => {
    const r = results[c.id];
    const base = results[c.baseline];
    const row = { id: c.id, section: c.section, label: c.label, ...r };
    row.baselineId = c.baseline;
    row.baselineMbps = base.mbps;
    row.ratioBaseline = r.mbps / base.mbps;
    if (c.reference) {
      const ref = REFERENCE[c.reference];
      row.reference = referenceText(ref);
      row.ratioReference = ref.mbps ? r.mbps / referenceBest(ref) : referenceBest(ref) / r.perOpUs;
    }
    if (c.target) {
      const t = c.target;
      if (t.refRatio !== undefined) {
        row.target = `≥${t.refRatio}× ref`;
        row.met = row.ratioReference >= t.refRatio;
      } else if (t.baseRatio !== undefined) {
        row.target = `≥${t.baseRatio.toFixed(2)}× base`;
        row.met = row.ratioBaseline >= t.baseRatio;
      } else if (t.p50Us !== undefined) {
        row.target = `p50 ≤${t.p50Us} µs`;
        row.met = r.p50Us <= t.p50Us;
      } else {
        row.target = `≥${t.mbps} MB/s`;
        row.met = r.mbps >= t.mbps;
      }
    }
    return row;
  });
}

function num(v, digits = 0) {
  return v === undefined ? "" : v.toFixed(digits);
}

function us(v) {
  if (v === undefined) return "";
  return v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(v >= 100 ? 0 : 1)} µs`;
}

function table(list) {
  const head = ["case", "MB/s", "per op", "p50", "p99", "baseline MB/s", "×base", "reference", "×ref", "target", "cores", "other", "peak RSS MB"];
  const lines = [head];
  let section;
  for (const r of list) {
    if (r.section !== section) {
      section = r.section;
      lines.push([`[${section}]`]);
    }
    lines.push([
      r.label, num(r.mbps), us(r.perOpUs), us(r.p50Us), us(r.p99Us), num(r.baselineMbps), num(r.ratioBaseline, 2),
      r.reference ?? "", r.ratioReference === undefined ? "" : num(r.ratioReference, 2),
      r.target ? `${r.target} ${r.met ? "met" : "MISSED"}` : "", num(r.cores, 2), num(r.otherCores, 2), num(r.peakRssMb),
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
