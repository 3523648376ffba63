"use strict";
// Every benchmark configuration, from the row groups listed in groups.js. Each runs alone
// in a fresh child process (see run.js) and returns per-operation figures (measure.js:
// measureBatches) plus bytesPerOp. Fields of a configuration:
//   id, section, label, run({ dir, params }) (in the child);
//   reference({ dir, params }) → a wkwref measurement spec (reference.js), run by the
//     parent in the same run; rows with equal specs share one measurement;
//   target: { refRatio } (rate ≥ × the reference) | { p50Us } | { mbps } | { baseRatio } (≥ × the baseline);
//   baseline: id of another configuration to compare with; baselineOnly: not a row.
const groups = require("./groups.js");

function configurations(params) {
  return groups.flatMap((g) => g.configurations(params));
}

module.exports = { configurations, groups };
