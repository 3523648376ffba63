"use strict";
// The row groups of `npm run bench`, in table order. A group is a module exporting
// configurations(params) → [{ id, section, label, run, reference?, target?, baseline? }]
// and optionally prepare({ dir, params, tool }) (runs once in the parent, after the
// datasets are built). Add a feature's rows as bench/<feature>.js plus one line here.
module.exports = [
  require("./reads.js"),
  require("./random.js"),
  require("./small.js"),
  require("./writes.js"),
  require("./import.js"),
  require("./serve.js"),
];
