#!/usr/bin/env bash
# Acceptance: the baseline's calibrated relationship and formation values come
# from a command anyone can rerun. Reruns `pcnsim calibrate
# calibrations/baseline.yaml` (same seeds, same algorithm; about two minutes on
# 2 cores) and requires every parameter it names to match the value shipped in
# scenarios/baseline.yaml to the 6 significant digits written there.
set -u
bin=$1; src=$2
cd "$src"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" calibrate calibrations/baseline.yaml --out "$tmp/cal.h5" --fragment "$tmp/best.yaml" >"$tmp/log" 2>&1 \
  || { echo "FAIL: pcnsim calibrate calibrations/baseline.yaml"; cat "$tmp/log"; exit 1; }
/usr/bin/python3 - "$tmp/best.yaml" scenarios/baseline.yaml <<'PY' || exit 1
import sys, yaml
best, shipped = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
bad, n = [], 0
for block in ("relationships", "formation"):
    for key, value in best.get(block, {}).items():
        n += 1
        have = shipped[block].get(key)
        if have is None or float("%.6g" % value) != float(have):
            bad.append(f"{block}.{key}: calibrate gives {value:.6g}, scenarios/baseline.yaml has {have}")
if bad or n == 0:
    print("FAIL: the shipped baseline is not what calibrations/baseline.yaml gives:\n  " + "\n  ".join(bad or ["no parameters"]))
    sys.exit(1)
print(f"pcnsim calibrate calibrations/baseline.yaml reproduces the {n} calibrated values of scenarios/baseline.yaml")
PY
