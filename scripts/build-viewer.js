#!/usr/bin/env node
"use strict";
// Bundles the viewer page (viewer/index.js + Neuroglancer from node_modules) into dist/viewer/
// with esbuild, for `wkw serve` to serve offline. Skipped when the bundle is newer than its
// inputs; without neuroglancer/esbuild installed (an install from the registry) it keeps the
// shipped bundle. Neuroglancer does not officially support esbuild (evanw/esbuild#795: it
// starts its workers with `new Worker(new URL("…bundle.js", import.meta.url))`), so the two
// worker bundles are built as entry points of their own and the URLs pointed at them here.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const outdir = path.join(root, "dist", "viewer");
const viewerSrc = path.join(root, "viewer");
const force = process.argv.includes("--force");

/** The package.json of an installed package (read directly: Neuroglancer's exports hide it). */
function packageJsonOrNull(name) {
  const file = path.join(root, "node_modules", name, "package.json");
  return fs.existsSync(file) ? file : null;
}

function newestMtime(files) {
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

async function main() {
  const ngPackage = packageJsonOrNull("neuroglancer");
  const esbuildPath = packageJsonOrNull("esbuild") && path.join(root, "node_modules", "esbuild");
  const stamp = path.join(outdir, "index.html");
  if (!ngPackage || !esbuildPath) {
    if (fs.existsSync(stamp)) return; // registry install: the bundle ships in dist/viewer
    throw new Error("build-viewer: neuroglancer and esbuild (devDependencies) are needed to build the viewer");
  }
  const inputs = [ngPackage, __filename, ...fs.readdirSync(viewerSrc).map((f) => path.join(viewerSrc, f))];
  if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > newestMtime(inputs)) return;

  const esbuild = require(esbuildPath);
  const ngLib = path.join(path.dirname(ngPackage), "lib");
  const ikonateIcons = path.join(path.join(root, "node_modules", "ikonate"), "icons");
  const t0 = Date.now();
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: {
      main: path.join(viewerSrc, "index.js"),
      "chunk_worker.bundle": path.join(ngLib, "chunk_worker.bundle.js"),
      "async_computation.bundle": path.join(ngLib, "async_computation.bundle.js"),
    },
    outdir,
    bundle: true,
    format: "esm",
    // WKW_VIEWER_DEBUG=1: a readable bundle, for stepping through Neuroglancer in the browser.
    minify: process.env.WKW_VIEWER_DEBUG !== "1",
    sourcemap: false,
    target: ["chrome120", "firefox120", "safari17"],
    legalComments: "linked",
    logLevel: "warning",
    // Only what a precomputed source over HTTP needs (Neuroglancer's documented build conditions).
    conditions: [
      "neuroglancer/datasource:none_by_default",
      "neuroglancer/datasource/precomputed:enabled",
      "neuroglancer/layer:none_by_default",
      "neuroglancer/layer/image:enabled",
      "neuroglancer/layer/segmentation:enabled",
      "neuroglancer/kvstore:none_by_default",
      "neuroglancer/kvstore/http:enabled",
    ],
    loader: { ".wasm": "file", ".html": "file" },
    plugins: [neuroglancerPlugin(ngLib, ikonateIcons)],
  });
  fs.copyFileSync(path.join(viewerSrc, "index.html"), stamp);
  const size = fs.readdirSync(outdir).reduce((s, f) => s + fs.statSync(path.join(outdir, f)).size, 0);
  process.stderr.write(`build-viewer: dist/viewer ${(size / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

// The npm release of ikonate lacks four icons the GitHub revision Neuroglancer pins has;
// these stand in for them (the npm registry is the only source this project installs from).
const ICON_STAND_INS = { "code-alt": "component", "controls-alt": "controls", layers: "stack", text: "align-left" };

function neuroglancerPlugin(ngLib, ikonateIcons) {
  return {
    name: "neuroglancer-for-esbuild",
    setup(build) {
      // `import svg from "ikonate/icons/x.svg?raw"`: the file's text.
      build.onResolve({ filter: /\?raw$/ }, (args) => {
        const spec = args.path.slice(0, -"?raw".length);
        const icon = /^ikonate\/icons\/(.+)\.svg$/.exec(spec);
        if (icon) {
          let file = path.join(ikonateIcons, `${icon[1]}.svg`);
          if (!fs.existsSync(file) && ICON_STAND_INS[icon[1]]) file = path.join(ikonateIcons, `${ICON_STAND_INS[icon[1]]}.svg`);
          return { path: file, namespace: "raw-text" };
        }
        return { path: path.resolve(args.resolveDir, spec), namespace: "raw-text" };
      });
      build.onLoad({ filter: /.*/, namespace: "raw-text" }, (args) => ({
        contents: fs.readFileSync(args.path, "utf8"), loader: "text",
      }));
      // Worker URLs: all bundles sit side by side in dist/viewer.
      build.onLoad({ filter: /[\\/](viewer|async_computation[\\/]request)\.js$/ }, (args) => {
        if (!args.path.startsWith(ngLib)) return undefined;
        const source = fs.readFileSync(args.path, "utf8")
          .replace('new URL("./chunk_worker.bundle.js", import.meta.url)', 'new URL("./chunk_worker.bundle.js", import.meta.url)')
          .replace('new URL("../async_computation.bundle.js", import.meta.url)', 'new URL("./async_computation.bundle.js", import.meta.url)');
        return { contents: source, loader: "js", resolveDir: path.dirname(args.path) };
      });
    },
  };
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
