#!/usr/bin/env bash
# Fuzzes the native parse/decode path with libFuzzer for a fixed time budget.
#
#   scripts/fuzz.sh [seconds]          (npm run fuzz -- [seconds]; default 300)
#
# Builds the fuzz targets of native/fuzz with clang (-fsanitize=fuzzer,address,undefined,
# see the WKW_FUZZ option in CMakeLists.txt) into build-fuzz/, seeds fuzz/corpus/ from the
# fixture cube files, the hand-made edge cases of native/fuzz/make_seeds.cc and the
# committed regression inputs, then runs
#   fuzz_header     (parseHeader)                      10% of the budget, 5 to 60 s
#   fuzz_cube_file  (CubeFile validation, readBlock, region copy)  the rest
# each with -fork=<cores>. The corpus grows across runs (fuzz/corpus/ is not committed).
# Findings (crash-*, timeout-*, oom-*, leak-*) are written to fuzz/out/run-<time>/<target>/;
# the script prints the executions and findings of each target, appends them to
# fuzz/out/stats.tsv (with the running total) and exits 1 if anything was found.
#
# Environment: CLANG / CLANGXX (default clang-14 / clang++-14), WKW_FUZZ_JOBS (default: the
# number of cores), WKW_SHARED (default test/, whose fixtures/ seed the corpus), WKW_FUZZ_MAX_LEN
# (default 65536 bytes).
# Reproduce a finding:  build-fuzz/fuzz_cube_file <file>   (or fuzz_header <file>)
set -euo pipefail

BUDGET="${1:-300}"
if ! [[ "$BUDGET" =~ ^[0-9]+$ ]] || [ "$BUDGET" -lt 10 ]; then
  echo "usage: scripts/fuzz.sh [seconds >= 10]" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${CLANG:-clang-14}"
CLANGXX="${CLANGXX:-clang++-14}"
JOBS="${WKW_FUZZ_JOBS:-$(nproc)}"
MAX_LEN="${WKW_FUZZ_MAX_LEN:-65536}"
SHARED="${WKW_SHARED:-$ROOT/test}"
BUILD="$ROOT/build-fuzz"
CORPUS="$ROOT/fuzz/corpus"
RUN="$ROOT/fuzz/out/run-$(date +%Y%m%d-%H%M%S)"
STATS="$ROOT/fuzz/out/stats.tsv"

for tool in "$CLANG" "$CLANGXX" cmake; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
done

echo "== building fuzz targets ($CLANGXX) in $BUILD"
GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)
cmake -S "$ROOT" -B "$BUILD" "${GENERATOR[@]}" -DWKW_FUZZ=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_CXX_COMPILER="$CLANGXX" >/dev/null
cmake --build "$BUILD" --parallel "$JOBS" >/dev/null

echo "== seeding $CORPUS"
mkdir -p "$CORPUS/cube_file" "$CORPUS/header" "$RUN/cube_file" "$RUN/header"
SEEDS="$(mktemp -d)"
trap 'rm -rf "$SEEDS"' EXIT
mkdir -p "$SEEDS/cube_file" "$SEEDS/header"
"$BUILD/make_seeds" "$SEEDS/cube_file" "$SEEDS/header" >/dev/null
if [ -d "$SHARED/fixtures" ]; then
  # Cube files up to MAX_LEN bytes (larger ones would be cut by -max_len), named after
  # their fixture path; every header.wkw and the first 16 bytes of every cube file.
  while IFS= read -r -d '' f; do
    rel="${f#"$SHARED"/fixtures/}"
    name="fixture_${rel//\//_}"
    if [ "$(basename "$f")" = header.wkw ]; then
      cp "$f" "$SEEDS/header/$name"
    else
      head -c 16 "$f" >"$SEEDS/header/$name.hdr"
      if [ "$(stat -c %s "$f")" -le "$MAX_LEN" ]; then cp "$f" "$SEEDS/cube_file/$name"; fi
    fi
  done < <(find "$SHARED/fixtures" -name '*.wkw' -print0)
else
  echo "   (no fixtures at $SHARED/fixtures; using hand-made seeds only)"
fi
for f in "$ROOT"/test/fixtures/fuzz-regressions/*.wkw; do
  if [ -e "$f" ]; then cp "$f" "$SEEDS/cube_file/regression_$(basename "$f")"; fi
done
for t in cube_file header; do  # add seeds, keep what earlier runs found
  for f in "$SEEDS/$t"/*; do
    if [ ! -e "$CORPUS/$t/$(basename "$f")" ]; then cp "$f" "$CORPUS/$t/"; fi
  done
done
echo "   cube_file: $(ls "$CORPUS/cube_file" | wc -l) inputs, header: $(ls "$CORPUS/header" | wc -l) inputs"

[ -f "$STATS" ] || printf 'date\ttarget\tseconds\tjobs\texecutions\tfindings\n' >"$STATS"

FOUND=0
# Ctrl-C / SIGTERM stop libFuzzer (it wraps up); the script still reports and records.
INTERRUPTED=0
trap 'INTERRUPTED=1' INT TERM
run_target() {  # target seconds
  local target="$1" secs="$2" log="$RUN/$1.log"
  echo "== fuzz_$target: $secs s, -fork=$JOBS, corpus $CORPUS/$target"
  local rc=0
  "$BUILD/fuzz_$target" -fork="$JOBS" -max_total_time="$secs" -max_len="$MAX_LEN" -timeout=10 \
    -rss_limit_mb=2048 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$RUN/$target/" -print_final_stats=1 "$CORPUS/$target" >"$log" 2>&1 || rc=$?
  local execs findings
  execs="$(grep -aoE '^#[0-9]+:' "$log" | tail -1 | tr -d '#:' || true)"
  execs="${execs:-0}"
  findings="$(find "$RUN/$target" -type f | wc -l)"
  grep -aE '^#[0-9]+:' "$log" | tail -1 | sed 's/^/   /' || true
  echo "   fuzz_$target: $execs executions, $findings findings (libFuzzer exit $rc, log $log)"
  if [ "$findings" -gt 0 ]; then
    find "$RUN/$target" -type f | sed 's/^/   FINDING: /'
    grep -aE 'ERROR: |runtime error|FUZZ_CHECK|SUMMARY' "$log" | sort | uniq -c | head -20 | sed 's/^/   /' || true
    FOUND=1
  elif [ "$rc" -ne 0 ] && [ "$INTERRUPTED" -eq 0 ]; then
    echo "   libFuzzer failed without an artifact; see $log"
    FOUND=1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -Iseconds)" "$target" "$secs" "$JOBS" "$execs" "$findings" >>"$STATS"
}

# parseHeader is tiny: its coverage saturates within seconds.
HEADER_SECS=$(( BUDGET / 10 < 5 ? 5 : BUDGET / 10 > 60 ? 60 : BUDGET / 10 ))
run_target header "$HEADER_SECS"
[ "$INTERRUPTED" -eq 0 ] && run_target cube_file "$(( BUDGET - HEADER_SECS ))"

echo "== totals over all runs recorded in $STATS"
awk -F'\t' 'NR > 1 { e[$2] += $5; f[$2] += $6; s[$2] += $3 * $4 }
  END { for (t in e) printf "   %s: %d executions, %d findings, %d CPU-seconds\n", t, e[t], f[t], s[t] }' "$STATS"
[ "$INTERRUPTED" -eq 0 ] || echo "(interrupted)"
if [ "$FOUND" -ne 0 ]; then
  echo "FINDINGS in $RUN: minimise with  build-fuzz/<target> -minimize_crash=1 -runs=100000 <file>,"
  echo "fix, and add the input to test/fixtures/fuzz-regressions/ (see docs/reliability.md)."
  exit 1
fi
echo "OK: no findings"
