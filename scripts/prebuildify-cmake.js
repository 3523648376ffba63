#!/usr/bin/env node
// prebuildify drives node-gyp (`rebuild --target=… --arch=… --release`); this shim, given to
// it as PREBUILD_NODE_GYP, builds with cmake-js instead. The addon uses Node-API only, so one
// binary serves every Node version and the target version is not needed.
"use strict";
const { spawnSync } = require("node:child_process");

const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith("--arch=")) || "").slice("--arch=".length);
const debug = args.includes("--debug");
const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
const cmd = [cmakeJs, "rebuild", `--CDCMAKE_BUILD_TYPE=${debug ? "Debug" : "Release"}`];
if (debug) cmd.push("--debug");
if (arch) cmd.push(`--arch=${arch}`);
// prebuildify runs this in its working folder (a staging copy, see prebuild.js).
const r = spawnSync(process.execPath, cmd, { cwd: process.cwd(), stdio: "inherit" });
process.exit(r.status ?? 1);
