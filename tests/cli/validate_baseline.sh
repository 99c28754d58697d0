#!/usr/bin/env bash
# Acceptance: the calibrated baseline reproduces every national target of
# data/targets.yaml within tolerance (exit 0), a failing target gives exit 1,
# and the membership section (the simulated 2019 networks against the real
# ones of the calibration half) is computed and printed with the naive
# geographic baseline beside it; the dynamics and workforce sections (issue
# 15: the real history and workforce files) are computed, and the rows the
# baseline fails today are listed explicitly, so that a new failure or a
# mechanism that starts passing one of them both show.
set -u
bin=$1; src=$2
cd "$src"
"$bin" validate --membership none --history none || { echo "FAIL: validate reported failing national targets"; exit 1; }
"$bin" validate --membership none --history none --set formation.size_threshold_patients=80000 >/dev/null; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: a mis-calibrated run should exit 1, got $rc"; exit 1; }
out=$("$bin" validate)
for row in ari_per_commissioner ari_overall nmi spearman_networks_per_commissioner together_nearest \
           together_district together_site km_to_centroid_median km_to_centroid_p90 networks_per_commissioner; do
  echo "$out" | grep -qE "^membership +$row +[0-9.]+ +[0-9.]+ .*(pass|FAIL) +[0-9.]+$" \
    || { echo "FAIL: membership row $row missing or without its naive-geography value"; echo "$out"; exit 1; }
done
echo "$out" | grep -q "3314 practices in 635 real networks over 68 commissioners; 8 listed codes" \
  || { echo "FAIL: membership file summary"; echo "$out"; exit 1; }
for line in "dynamics: data/epcn-history-calibration.csv: 3773 rows, 3349 practice codes (3340 practices of the population)" \
            "workforce: data/pcn-workforce-calibration.csv: 23796 rows over 11 census months" \
            "compare shapes and shares, not levels" "2022-09  real             650"; do
  echo "$out" | grep -qF "$line" || { echo "FAIL: missing in the output: $line"; echo "$out"; exit 1; }
done
for y in 2020 2021 2022 2023; do
  for row in moving_share practices_leaving practices_ceasing networks_formed networks_ended networks; do
    echo "$out" | grep -qE "^dynamics +${row}_$y +[0-9.]+ +[0-9.]+ .*(pass|FAIL)$" \
      || { echo "FAIL: dynamics row ${row}_$y missing"; echo "$out"; exit 1; }
  done
done
# Every row passes for the baseline seed except these. The two adjusted Rand
# index rows: their thresholds (0.50 per commissioner, 0.60 overall) are above
# what any partition built from the project's data reaches
# (docs/validation.md); they must stay at least at the calibrated level, so a
# regression shows. Dynamics and workforce rows outside issue 15's acceptance
# (docs/validation.md): practices leaving the DES (the national record has
# about 74 practices declining the 2020/21 DES, the history only 3 in the
# calibration half), networks formed in 2020 and ended in 2021 and 2023 (the
# fit trades them against the moving shares and the 2023 count), and the
# 2020-21 growth of reported ARRS staff (ready networks fill their plans by
# the summer of 2020).
expected="dynamics.networks_ended_2021 dynamics.networks_ended_2023 dynamics.networks_formed_2020 \
dynamics.practices_leaving_2020 dynamics.practices_leaving_2022 membership.ari_overall \
membership.ari_per_commissioner workforce.growth_2020_09 workforce.growth_2021_03"
expected=$(echo $expected)
failing=$(echo "$out" | awk 'NF > 2 && ($NF=="FAIL" || $(NF-1)=="FAIL") {print $1 "." $2}' | sort | tr '\n' ' ')
[ "$failing" = "$expected " ] \
  || { echo "FAIL: the failing rows changed"; echo "  expected: $expected"; echo "  failing:  $failing"; echo "$out"; exit 1; }
ari_pc=$(echo "$out" | awk '$2=="ari_per_commissioner" {print $4}')
ari_all=$(echo "$out" | awk '$2=="ari_overall" {print $4}')
awk -v a="$ari_pc" -v b="$ari_all" 'BEGIN { exit !(a >= 0.36 && b >= 0.42) }' \
  || { echo "FAIL: ARI per commissioner $ari_pc (< 0.36) or overall $ari_all (< 0.42) fell below the calibrated level"; exit 1; }
echo "validate passes the national targets on the baseline, fails (exit 1) on a mis-calibrated run, and every membership row but the two ARI rows passes (ARI $ari_pc per commissioner, $ari_all overall); the $(echo "$expected" | wc -w) known failing rows (ARI, dynamics, workforce) are exactly those expected"
