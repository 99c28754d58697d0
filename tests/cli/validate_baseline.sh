#!/usr/bin/env bash
# Acceptance: the calibrated baseline reproduces every national target of
# data/targets.yaml within tolerance (exit 0), a failing target gives exit 1,
# and the membership section (the simulated 2019 networks against the real
# ones of the calibration half) is computed and printed with the naive
# geographic baseline beside it.
set -u
bin=$1; src=$2
cd "$src"
"$bin" validate --membership none || { echo "FAIL: validate reported failing national targets"; exit 1; }
"$bin" validate --membership none --set formation.size_threshold_patients=80000 >/dev/null; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: a mis-calibrated run should exit 1, got $rc"; exit 1; }
out=$("$bin" validate)
for row in ari_per_commissioner ari_overall nmi spearman_networks_per_commissioner together_nearest \
           together_district together_site km_to_centroid_median km_to_centroid_p90 networks_per_commissioner; do
  echo "$out" | grep -qE "^membership +$row +[0-9.]+ +[0-9.]+ .*(pass|FAIL) +[0-9.]+$" \
    || { echo "FAIL: membership row $row missing or without its naive-geography value"; echo "$out"; exit 1; }
done
echo "$out" | grep -q "3314 practices in 635 real networks over 68 commissioners; 8 listed codes" \
  || { echo "FAIL: membership file summary"; echo "$out"; exit 1; }
# The membership rows do not all pass yet: the formation mechanism does not
# reproduce the real map (docs/validation.md). When it does, require exit 0 here.
echo "validate passes the national targets on the baseline, fails (exit 1) on a mis-calibrated run, and prints the membership section"
