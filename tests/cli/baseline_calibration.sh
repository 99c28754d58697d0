#!/usr/bin/env bash
# Acceptance: the baseline's calibrated values come from commands anyone can
# rerun. Reruns `pcnsim calibrate` on calibrations/baseline.yaml (relationship
# and formation values, about two minutes on 2 cores) and
# calibrations/dynamics.yaml (network dynamics after 2019, about three
# minutes), same seeds, same algorithm, and requires every parameter each
# names to match the value shipped in scenarios/baseline.yaml to the 6
# significant digits written there.
set -u
bin=$1; src=$2
cd "$src"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for name in baseline dynamics; do
  "$bin" calibrate "calibrations/$name.yaml" --out "$tmp/$name.h5" --fragment "$tmp/$name-best.yaml" >"$tmp/log" 2>&1 \
    || { echo "FAIL: pcnsim calibrate calibrations/$name.yaml"; cat "$tmp/log"; exit 1; }
  /usr/bin/python3 - "$tmp/$name-best.yaml" scenarios/baseline.yaml "$name" <<'PY' || exit 1
import sys, yaml
best, shipped = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
bad, n = [], 0
for block in ("relationships", "formation", "dynamics"):
    for key, value in best.get(block, {}).items():
        n += 1
        have = shipped[block].get(key)
        if have is None or float("%.6g" % value) != float(have):
            bad.append(f"{block}.{key}: calibrate gives {value:.6g}, scenarios/baseline.yaml has {have}")
if bad or n == 0:
    print(f"FAIL: the shipped baseline is not what calibrations/{sys.argv[3]}.yaml gives:\n  " + "\n  ".join(bad or ["no parameters"]))
    sys.exit(1)
print(f"pcnsim calibrate calibrations/{sys.argv[3]}.yaml reproduces the {n} calibrated values of scenarios/baseline.yaml")
PY
done
