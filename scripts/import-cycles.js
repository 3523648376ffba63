"use strict";
// Finds import cycles between the package's own modules.
//   lib/  (TypeScript): value imports and re-exports; `import type` and imports whose every
//         binding is a type are erased by the compiler and do not count.
//   dist/ (the CommonJS build): require("./...") calls, i.e. what really loads at run time.
// `node scripts/import-cycles.js [lib|dist ...]` prints the cycles and exits 1 if any.
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

function listFiles(dir, ext) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p, ext));
    else if (entry.name.endsWith(ext) && !entry.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Value imports of one TypeScript file (relative specifiers only). */
function tsImports(file) {
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const specs = [];
  for (const st of src.statements) {
    if (ts.isImportDeclaration(st)) {
      const c = st.importClause;
      if (c) {
        if (c.isTypeOnly) continue;
        const named = c.namedBindings;
        const onlyTypes = !c.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
        if (onlyTypes) continue;
      }
      specs.push(st.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (st.isTypeOnly) continue;
      const named = st.exportClause;
      if (named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)) continue;
      specs.push(st.moduleSpecifier.text);
    }
  }
  return specs;
}

/** require() calls of one CommonJS file (relative specifiers only). */
function jsImports(file) {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => m[1]);
}

function resolve(from, spec, ext) {
  if (!spec.startsWith(".")) return undefined;
  let p = path.resolve(path.dirname(from), spec);
  if (ext === ".ts") p = p.replace(/\.js$/, ".ts");
  for (const c of [p, `${p}${ext}`, path.join(p, `index${ext}`)]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return undefined;
}

/** Every elementary cycle found by a depth-first search, as lists of paths relative to `root`. */
function findCycles(root, kind) {
  const ext = kind === "lib" ? ".ts" : ".js";
  const graph = new Map();
  for (const f of listFiles(root, ext)) {
    const deps = (ext === ".ts" ? tsImports(f) : jsImports(f)).map((s) => resolve(f, s, ext)).filter(Boolean);
    graph.set(f, [...new Set(deps)]);
  }
  const cycles = [];
  const state = new Map(); // 1 on the stack, 2 done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => path.relative(root, p)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

module.exports = { findCycles };

if (require.main === module) {
  const kinds = process.argv.slice(2).length ? process.argv.slice(2) : ["lib", "dist"];
  let bad = 0;
  for (const kind of kinds) {
    for (const c of findCycles(path.join(__dirname, "..", kind), kind)) {
      bad++;
      console.log(`${kind}: ${c.join(" -> ")}`);
    }
  }
  process.exit(bad ? 1 : 0);
}
