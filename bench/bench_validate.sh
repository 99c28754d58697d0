#!/usr/bin/env bash
# `pcnsim validate` as users run it: whole fresh processes, wall and CPU time,
# with the membership section (the default: the real December 2019 networks of
# the calibration half, the naive geographic baseline) and without it
# (--membership none), so the cost of the membership comparison shows.
# Goal: at most 2 s with membership. Prints the fastest and median of REPEATS.
# Usage: bench/bench_validate.sh [BINARY] [REPEATS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/release/pcnsim}
repeats=${2:-7}
cd "$here"
measure() {  # label, then the command's arguments
  local label=$1; shift
  local walls=() cpus=()
  local TIMEFORMAT='%R %U %S' line
  for ((k = 0; k < repeats; k++)); do
    # bash's `time`: wall, and the child's user + system CPU seconds.
    # (exit 1 = some target outside tolerance: still a measurement)
    line=$( { time "$bin" "$@" >/dev/null 2>&1 || [ $? -eq 1 ]; } 2>&1 )
    walls+=("$(echo "$line" | awk '{print $1}')"); cpus+=("$(echo "$line" | awk '{print $2 + $3}')")
  done
  local sw sc
  sw=$(printf '%s\n' "${walls[@]}" | sort -g); sc=$(printf '%s\n' "${cpus[@]}" | sort -g)
  printf '| %s | %.3f s | %.3f s | %.3f s |\n' "$label" "$(echo "$sw" | head -1)" \
    "$(echo "$sw" | sed -n "$(( (repeats + 1) / 2 ))p")" "$(echo "$sc" | sed -n "$(( (repeats + 1) / 2 ))p")"
}
echo "| pcnsim validate (baseline, $repeats fresh processes) | fastest wall | median wall | median CPU |"
echo "|---|---|---|---|"
measure "with the membership section" validate
measure "without it (--membership none)" validate --membership none
