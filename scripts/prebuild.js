#!/usr/bin/env node
// Produces prebuilds/<platform>-<arch>/wkw.node with prebuildify. prebuildify builds in
// its working folder and moves the binary away, so it runs in a staging folder that links
// to the sources: the local build/ (used by tests running meanwhile) is left alone.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..");
const staging = fs.mkdtempSync(path.join(os.tmpdir(), "wkw-prebuild-"));
try {
  for (const name of ["CMakeLists.txt", "native", "package.json", "node_modules"]) {
    fs.symlinkSync(path.join(root, name), path.join(staging, name));
  }
  const prebuildify = require.resolve("prebuildify/bin.js");
  const r = spawnSync(
    process.execPath,
    [prebuildify, "--napi", "--strip", "--target=node@20.0.0", `--cwd=${staging}`, `--out=${root}`],
    { stdio: "inherit", env: { ...process.env, PREBUILD_NODE_GYP: path.join(__dirname, "prebuildify-cmake.js") } },
  );
  process.exitCode = r.status ?? 1;
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
