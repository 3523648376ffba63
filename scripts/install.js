#!/usr/bin/env node
// `npm install` hook: use a prebuilt binary (prebuilds/) or an existing build when one
// loads on this machine; otherwise build the addon from source with cmake-js, offline
// (Node-API headers come from the node-api-headers package).
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.join(__dirname, "..");
const force = process.env.npm_config_build_from_source === "true" || process.env.WKW_BUILD_FROM_SOURCE === "1";

function loads() {
  try {
    require("node-gyp-build")(root);
    return true;
  } catch {
    return false;
  }
}

if (!force && loads()) process.exit(0);

const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
const r = spawnSync(process.execPath, [cmakeJs, "compile", "--CDCMAKE_BUILD_TYPE=Release"], { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
  console.error("wkw: building the native addon failed; it needs cmake (>= 3.15) and a C++17 compiler.");
  process.exit(r.status ?? 1);
}
