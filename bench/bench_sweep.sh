#!/usr/bin/env bash
# Sweep throughput and parallel efficiency on this machine: the same sweep
# (default bench/sweep-bench.yaml: 240 simulator runs on the 600-practice
# synthetic country) with 1 thread, with all threads, and with one MPI rank
# per core (1 thread each) when mpirun is installed. Efficiency = time with one
# worker / (workers x time with all of them). Also checks that the files hold
# identical datasets. The configurations take turns for REPEATS rounds
# (default 3) and each one's fastest time counts: the machine is shared, noise
# only ever adds, and taking turns spreads it over all of them.
# Usage: bench/bench_sweep.sh [BINARY] [SWEEP.yaml] [REPEATS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/release/pcnsim}
sweep=${2:-$here/bench/sweep-bench.yaml}
repeats=${3:-3}
cores=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=$("$bin" design "$sweep" | tail -n +2 | wc -l)
reps=$(grep -E '^replicates:' "$sweep" | awk '{print $2}'); reps=${reps:-1}
total=$((runs * reps))
names=("1 thread" "$cores threads")
commands=("$bin sweep $sweep --out $tmp/t1.h5 --threads 1 --quiet --overwrite"
          "$bin sweep $sweep --out $tmp/tn.h5 --threads $cores --quiet --overwrite")
workers=(1 "$cores")
if command -v mpirun >/dev/null; then
  names+=("$cores MPI ranks x 1 thread")
  commands+=("mpirun -n $cores --bind-to none --oversubscribe --allow-run-as-root $bin sweep $sweep --out $tmp/tm.h5 --threads 1 --quiet --overwrite")
  workers+=("$cores")
fi
best=()
for _ in $(seq "$repeats"); do
  for i in "${!commands[@]}"; do
    t0=$(date +%s.%N)
    ${commands[$i]} >/dev/null 2>&1
    t=$(echo "$(date +%s.%N) - $t0" | bc -l)
    if [ -z "${best[$i]:-}" ] || [ "$(echo "$t < ${best[$i]}" | bc -l)" = 1 ]; then best[$i]=$t; fi
  done
done
printf "sweep %s: %d runs; fastest of %d rounds\n" "$(basename "$sweep")" "$total" "$repeats"
for i in "${!commands[@]}"; do
  printf "%-28s %8.2f s %8.1f runs/s" "${names[$i]}" "${best[$i]}" "$(echo "$total / ${best[$i]}" | bc -l)"
  if [ "$i" -gt 0 ]; then printf "  efficiency %.0f%%" "$(echo "100 * ${best[0]} / (${workers[$i]} * ${best[$i]})" | bc -l)"; fi
  printf "\n"
done
/usr/bin/python3 - "$tmp" <<'PY'
import glob, sys, h5py, numpy as np
files = sorted(glob.glob(sys.argv[1] + "/*.h5"))
ref = h5py.File(files[0], "r")
for other in files[1:]:
    o = h5py.File(other, "r")
    names = []
    ref.visit(lambda n: names.append(n) if isinstance(ref[n], h5py.Dataset) else None)
    same = all(np.array_equal(ref[n][()], o[n][()], equal_nan=ref[n].dtype.kind == "f") for n in names)
    print(f"{other.split('/')[-1]} identical to {files[0].split('/')[-1]}: {same}")
PY
