/** Loads the native addon: a prebuilt binary from prebuilds/ or the local build/. */
import path from "node:path";
import type * as Binding from "../binding";

// node-gyp-build ships no types; it returns the addon's exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require("node-gyp-build") as (dir: string) => unknown;

export const binding = load(path.join(__dirname, "..")) as typeof Binding;
export type { Binding };
