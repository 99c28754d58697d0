#!/usr/bin/env bash
# Runs each libFuzzer target of the sanitize build (build/sanitize/fuzz/) for a
# bounded time, on a copy of its seed corpus and kept regressions, and fails if
# any target finds a crash, sanitizer report, timeout or out-of-memory. Builds
# nothing: `cmake --preset sanitize && cmake --build --preset sanitize` first.
# Usage: scripts/fuzz.sh [SECONDS per target, default 20]
# A crashing input is kept in build/sanitize/fuzz-artifacts/<target>/; after
# fixing the bug, add it to tests/fuzz/regressions/<target>/ (ctest replays it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
bin=build/sanitize/fuzz
artifacts=build/sanitize/fuzz-artifacts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for target in scenario sweep practices_csv membership locations output_file; do
  exe=$bin/fuzz_$target
  if [ ! -x "$exe" ]; then
    echo "fuzz: $exe not built (cmake --preset sanitize && cmake --build --preset sanitize)" >&2
    exit 2
  fi
  mkdir -p "$work/$target" "$artifacts/$target"
  cp tests/fuzz/corpus/"$target"/* "$work/$target/"
  if [ -d tests/fuzz/regressions/"$target" ]; then
    find tests/fuzz/regressions/"$target" -type f -exec cp {} "$work/$target/" \;
  fi
  log=$work/$target.log
  if "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$target/" "$work/$target" >"$log" 2>&1; then
    echo "fuzz: $target ok: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') inputs in ${seconds} s," \
         "corpus $(ls "$work/$target" | wc -l) files"
  else
    echo "fuzz: $target FAILED; last lines of its log:" >&2
    grep -vE '^#[0-9]+' "$log" | tail -n 60 >&2 || true
    echo "fuzz: crashing input in $artifacts/$target/" >&2
    status=1
  fi
done
exit $status
