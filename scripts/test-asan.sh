#!/usr/bin/env bash
# Runs the whole test suite against an AddressSanitizer + UndefinedBehaviorSanitizer build of
# the addon, with leak checking. Fails on any sanitizer report.
#
#   scripts/test-asan.sh [test files...]      (npm run test:asan; default: test/*.test.mjs)
#   WKW_ASAN_TIMEOUT=<seconds> bounds the test run (default 3600; a hang fails the run).
#
# How it works (details in docs/reliability.md):
# - The addon is built with -DWKW_SANITIZE=ON (gcc, -fsanitize=address,undefined,
#   -fno-sanitize-recover=undefined) into build-asan/Release/wkw.node; build/Release/wkw.node
#   used by the normal tests is not touched. dist/ is rebuilt as for `npm test`.
# - The tests load that binary through WKW_ADDON_PATH (honoured by lib/binding.ts).
# - node itself is not instrumented, so gcc's ASan and UBSan runtimes are preloaded
#   (LD_PRELOAD) into node and every process it starts.
# - LeakSanitizer runs at the exit of every process that loaded the addon (the sanitizer
#   build links native/sanitize/leak_check.cc; leak_check_at_exit=0 keeps it out of
#   compilers and shells started by tests). Leaks of node/V8 internals, which node never
#   frees at exit, are suppressed by the allocation sites listed in scripts/lsan-node.supp.
# - Reports go to build-asan/sanitizer-logs/; the run fails if any file appears there, or
#   if a test fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="build-asan"
LOGS="$ROOT/$BUILD/sanitizer-logs"

echo "== building the sanitizer addon in $BUILD/"
mkdir -p "$ROOT/$BUILD"
npx cmake-js compile -O "$BUILD" --CDCMAKE_BUILD_TYPE=Release --CDWKW_SANITIZE=ON >"$ROOT/$BUILD/build.log" 2>&1 || {
  tail -30 "$ROOT/$BUILD/build.log"
  exit 1
}
ADDON="$ROOT/$BUILD/Release/wkw.node"
[ -f "$ADDON" ] || { echo "test-asan.sh: $ADDON was not built" >&2; exit 1; }
echo "== building dist/"
npx tsc -p tsconfig.json
node scripts/write-esm-entry.js

ASAN_LIB="$(gcc -print-file-name=libasan.so)"
UBSAN_LIB="$(gcc -print-file-name=libubsan.so)"
for lib in "$ASAN_LIB" "$UBSAN_LIB"; do
  [ -f "$lib" ] || { echo "test-asan.sh: sanitizer runtime $lib not found (gcc's libasan/libubsan)" >&2; exit 1; }
done

rm -rf "$LOGS"
mkdir -p "$LOGS"
export LD_PRELOAD="$ASAN_LIB $UBSAN_LIB"
export ASAN_OPTIONS="detect_leaks=1:leak_check_at_exit=0:log_path=$LOGS/asan:halt_on_error=1:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan-node.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan"
export WKW_ADDON_PATH="$ADDON"

# Canary: node runs with the ASan runtime and the package loads the sanitizer build.
node -e '
  require("./dist/index.js");
  const maps = require("node:fs").readFileSync("/proc/self/maps", "utf8");
  if (!maps.includes("libasan")) { console.error("ASan runtime is not loaded"); process.exit(1); }
  if (!maps.includes(process.env.WKW_ADDON_PATH)) { console.error("the sanitizer addon is not loaded"); process.exit(1); }
' || { echo "test-asan.sh: sanitizer setup check failed" >&2; exit 1; }

if [ "$#" -gt 0 ]; then TESTS=("$@"); else TESTS=(test/*.test.mjs); fi
echo "== running ${#TESTS[@]} test files under ASan + UBSan + LSan (reports: $LOGS)"
rc=0
# A hang (deadlock, livelock) fails the run instead of blocking it forever.
timeout --kill-after=30 "${WKW_ASAN_TIMEOUT:-3600}" \
  node --test --test-concurrency=2 "${TESTS[@]}" >"$ROOT/$BUILD/test.log" 2>&1 || rc=$?
[ "$rc" -eq 124 ] && echo "test run timed out after ${WKW_ASAN_TIMEOUT:-3600} s (WKW_ASAN_TIMEOUT)"
grep -E '^# (tests|pass|fail|cancelled|skipped|todo|duration_ms) ' "$ROOT/$BUILD/test.log" || true

reports=$(find "$LOGS" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
  echo "SANITIZER REPORTS ($reports files):"
  for f in "$LOGS"/*; do
    echo "---- $f"
    head -60 "$f"
  done
fi
if [ "$rc" -ne 0 ]; then
  echo "test run failed (exit $rc); failing tests:"
  grep -E '^not ok|^# Subtest' "$ROOT/$BUILD/test.log" | grep -B1 '^not ok' | grep -v '^--' | head -40 || true
  echo "full log: $ROOT/$BUILD/test.log"
fi
if [ "$reports" -gt 0 ] || [ "$rc" -ne 0 ]; then exit 1; fi
echo "OK: test suite passed under ASan + UBSan with leak checking, no sanitizer reports"
