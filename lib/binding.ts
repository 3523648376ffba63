/**
 * Loads the native addon: a prebuilt binary from prebuilds/ or the local build/.
 *
 * `WKW_ADDON_PATH`, if set, names the exact .node file to load instead (used by
 * scripts/test-asan.sh to run the test suite against the sanitizer build in build-asan/).
 */
import path from "node:path";
import type * as Binding from "../binding";

// node-gyp-build ships no types; it returns the addon's exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require("node-gyp-build") as (dir: string) => unknown;

const override = process.env.WKW_ADDON_PATH;
export const binding = (override
  ? require(path.resolve(override))
  : load(path.join(__dirname, ".."))) as typeof Binding;
export type { Binding };
