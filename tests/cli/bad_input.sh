#!/usr/bin/env bash
# Every kind of bad input (scenario and sweep files, practice CSVs, command
# lines, output paths, a full disk): exit code 2, a clear message naming the
# place, and no output file (nor a temporary one) left behind. Prints
# "N cases, M failure(s)"; README.md "Using it" states these guarantees.
set -u
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir out
failures=0

# expect_bad NAME EXPECTED_TEXT -- ARGS...
# Exit code 2, the expected text on stderr, no internal error, and nothing
# (not even a temporary file) left in out/ or in the full file system; a case
# that runs 30 s (a hang) is killed and fails (exit 124).
expect_bad() {
  local name=$1 text=$2; shift 3
  timeout 30 "$bin" "$@" >stdout.txt 2>stderr.txt
  check "$name" "$text" $?
}
check() {
  local name=$1 text=$2 rc=$3
  local leftovers; leftovers=$(find out "$full" -type f ! -name filler | wc -l)
  if [ "$rc" -ne 2 ] || ! grep -qF -- "$text" stderr.txt || grep -q "internal error" stderr.txt \
     || [ "$leftovers" -ne 0 ]; then
    echo "FAIL $name: exit $rc, leftovers $leftovers, stderr:"; cat stderr.txt; failures=$((failures + 1))
  else
    echo "ok   $name: $(head -c 160 stderr.txt | head -1)"
  fi
  rm -rf out; mkdir out
  find "$full" -type f ! -name filler -delete
  cases=$((cases + 1))
}
cases=0

# A full disk: a tiny tmpfs filled up (when mounting works, as root), else a
# file-size limit of 0 with SIGXFSZ ignored, so that writes fail with EFBIG.
full=$work/full; mkdir "$full"
if mount -t tmpfs -o size=64k pcnsim-test "$full" 2>/dev/null; then
  trap 'umount "$full"; rm -rf "$work"' EXIT
  dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null
  disk_full() { "$bin" "$@" >stdout.txt 2>stderr.txt; }
else
  # stdout and stderr go through pipes, to which the limit does not apply.
  disk_full() { (trap '' XFSZ; ulimit -f 0; exec "$bin" "$@") 2>&1 >/dev/null | cat >stderr.txt; return "${PIPESTATUS[0]}"; }
fi

small="$src/scenarios/synthetic-small.yaml"
printf 'extends: %s\nformation:\n  g_sise: 1\n' "$small" > unknown.yaml
printf 'extends: %s\nformation:\n  inertia: lots\n' "$small" > type.yaml
printf 'extends: %s\nformation:\n  approve_rural_probability: 1.5\n' "$small" > range.yaml
printf 'extends: %s\nname: [oops\n' "$small" > syntax.yaml
printf 'extends: %s\nseed: -4\nsignup:\n  enabeld: true\n' "$small" > two.yaml
: > empty.yaml
printf 'extends: %s\npopulation:\n  source: england\n  england:\n    practices_csv: %s\n' \
  "$src/scenarios/baseline.yaml" "$src/tests/data/practices_malformed.csv" > badcsv.yaml
printf 'extends: %s\npopulation:\n  england:\n    practices_csv: nowhere.csv\n' "$src/scenarios/baseline.yaml" > nocsv.yaml

expect_bad unknown-key "did you mean 'g_size'" -- run unknown.yaml --out out/r.h5
expect_bad unknown-key-line "unknown.yaml:3:3" -- run unknown.yaml --out out/r.h5
expect_bad wrong-type "expected a number, got 'lots'" -- run type.yaml --out out/r.h5
expect_bad out-of-range "out of range" -- run range.yaml --out out/r.h5
expect_bad yaml-syntax "YAML syntax error" -- run syntax.yaml --out out/r.h5
expect_bad all-problems-at-once "signup.enabeld" -- run two.yaml --out out/r.h5
expect_bad empty-scenario "empty" -- run empty.yaml --out out/r.h5
expect_bad missing-scenario "scenario file not found" -- run nothing.yaml --out out/r.h5
expect_bad directory-scenario "is a directory" -- run out --out out/r.h5
expect_bad malformed-csv "practices_malformed.csv:3" -- run badcsv.yaml --out out/r.h5
expect_bad missing-csv "nowhere.csv" -- run nocsv.yaml --out out/r.h5
expect_bad bad-set "did you mean 'inertia'" -- run "$small" --set formation.inertai=1 --out out/r.h5
expect_bad bad-set-syntax "--set" -- run "$small" --set formation.inertia --out out/r.h5
expect_bad unknown-option "command line" -- run "$small" --colour --out out/r.h5
touch not-a-directory
expect_bad unwritable-dir "not-a-directory/r.h5" -- run "$small" --out not-a-directory/r.h5
expect_bad output-is-directory "output path is a directory" -- run "$small" --out out

# --- Scenario values: NaN, huge, negative, probabilities, types, encoding.
# scenario_case NAME EXPECTED_TEXT CONTENT: a scenario extending synthetic-small.
scenario_case() {
  printf 'extends: %s\n%s\n' "$small" "$3" > "$1.yaml"
  expect_bad "$1" "$2" -- run "$1.yaml" --out out/r.h5
}
scenario_case nan-value "nan-value.yaml:3:12" $'formation:\n  inertia: .nan'
scenario_case huge-value "huge-value.yaml:3:12" $'formation:\n  inertia: 1e400'
scenario_case negative-value "negative-value.yaml:3:12" $'formation:\n  inertia: -1'
scenario_case negative-probability "out of range" $'formation:\n  approve_rural_probability: -0.1'
scenario_case map-expected "map-expected.yaml:2" $'formation: 3'
# A mistyped option: the closest one is suggested.
expect_bad option-typo "did you mean --replicates instead of --replicate?" -- run "$small" --replicate 5 --out out/r.h5
# The explorer's server: a port out of range, an address not of this machine
# (nothing to listen on), a replicate cap of 0; none starts serving.
expect_bad serve-port-range "--port: Value 70000 not in range" -- serve --port 70000 --cache out/cache
expect_bad serve-no-address "cannot listen on 192.0.2.1:8080" -- serve --host 192.0.2.1 --cache out/cache
expect_bad serve-max-replicates "--max-replicates: Value 0 not in range" -- serve --max-replicates 0 --cache out/cache
# A dated series changed by {scale, from}: a negative factor, a typo in the change.
expect_bad set-series-scale-negative "funding.arrs_national_pot_gbp.scale" -- \
  run "$small" --set 'funding.arrs_national_pot_gbp={scale: -1}' --out out/r.h5
scenario_case series-scale-typo "series-scale-typo.yaml:3:" $'funding:\n  core_gbp_per_patient: {scael: 2}'
# Practice mergers and closures (9a): shares out of range, a typo, no receivers.
scenario_case ceasing-share-too-high "ceasing-share-too-high.yaml:4:" \
  $'practice_changes:\n  ceasing_share_per_year:\n    - {from: 2021-04-01, value: 0.9}'
scenario_case merger-share-negative "merger-share-negative.yaml:3:17" $'practice_changes:\n  merger_share: -0.2'
scenario_case practice-changes-typo "practice_changes.closure_recievers" $'practice_changes:\n  closure_recievers: 3'
scenario_case closure-receivers-zero "closure-receivers-zero.yaml:3:22" $'practice_changes:\n  closure_receivers: 0'
scenario_case fractional-seed "fractional-seed.yaml:2:7" $'seed: 1.5'
scenario_case scenario-not-utf8 "scenario-not-utf8.yaml:2:11: bytes that are not valid UTF-8" $'name: "caf\xe9"'
printf 'extends: nowhere/base.yaml\n' > badextends.yaml
expect_bad missing-extends "nowhere/base.yaml" -- run badextends.yaml --out out/r.h5
expect_bad set-nan "formation.inertia" -- run "$small" --set formation.inertia=nan --out out/r.h5
# Duplicate keys: yaml-cpp keeps both and a lookup finds one, so both lines are named.
scenario_case duplicate-key "duplicate-key.yaml:4:3: 'formation.g_pair': duplicate key (first at line 3)" \
  $'formation:\n  g_pair: 0.3\n  g_pair: 0.9'
printf 'extends: %s\nformation: {g_pair: 0.3, g_pair: 0.9}\n' "$small" > dupparent.yaml
printf 'extends: dupparent.yaml\nname: child\n' > dupchild.yaml
expect_bad duplicate-key-extends "dupparent.yaml:2:26: 'formation.g_pair': duplicate key (first at line 2)" \
  -- run dupchild.yaml --out out/r.h5

# --- Practice CSV files.
with_csv() {
  printf 'extends: %s\npopulation:\n  source: england\n  england:\n    practices_csv: %s\n' \
    "$src/scenarios/baseline.yaml" "$1" > "$2"
}
header=PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS
printf '%s\nGP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84002,NE65 7UW,ALL,ALL,0\n' "$header" > zero.csv
printf '%s\nGP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84002,NE65 7UW,ALL,ALL,-5\n' "$header" > negpatients.csv
printf '%s\nGP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84002,NE65 7UW,ALL,ALL,1e400\n' "$header" > hugepatients.csv
: > empty.csv
mkdir csvdir
with_csv "$src/tests/data/practices_missing_column.csv" missingcol.yaml
with_csv "$src/tests/data/practices_duplicate.csv" duplicate.yaml
with_csv "$src/tests/data/practices_not_utf8.csv" notutf8.yaml
with_csv "$work/zero.csv" zero.yaml
with_csv "$work/negpatients.csv" negpatients.yaml
with_csv "$work/hugepatients.csv" hugepatients.yaml
with_csv "$work/empty.csv" emptycsv.yaml
with_csv "$work/csvdir" csvdir.yaml
expect_bad csv-missing-column "NUMBER_OF_PATIENTS" -- run missingcol.yaml --out out/r.h5
expect_bad csv-duplicate-code "practices_duplicate.csv:" -- run duplicate.yaml --out out/r.h5
expect_bad csv-not-utf8 "practices_not_utf8.csv:2" -- run notutf8.yaml --out out/r.h5
expect_bad csv-zero-patients "zero.csv:2" -- run zero.yaml --out out/r.h5
expect_bad csv-negative-patients "negpatients.csv:2" -- run negpatients.yaml --out out/r.h5
expect_bad csv-huge-patients "hugepatients.csv:2" -- run hugepatients.yaml --out out/r.h5
expect_bad csv-empty "empty.csv" -- run emptycsv.yaml --out out/r.h5
expect_bad csv-is-directory "csvdir" -- run csvdir.yaml --out out/r.h5

# Full-postcode locations: a malformed row names the file and line.
printf 'extends: %s\npopulation:\n  england:\n    locations_csv: %s\n' "$src/scenarios/baseline.yaml" \
  "$src/tests/data/locations_bad.csv" > badlocations.yaml
expect_bad locations-bad-rows "locations_bad.csv:2" -- run badlocations.yaml --out out/r.h5

# --- Real membership files (validate --membership): exit 2 before any run, the place named.
expect_bad membership-missing-column "membership_missing_column.csv:1" -- validate --membership "$src/tests/data/membership_missing_column.csv"
expect_bad membership-duplicate "membership_duplicate.csv:" -- validate --membership "$src/tests/data/membership_duplicate.csv"
expect_bad membership-empty-code "membership_empty_code.csv:" -- validate --membership "$src/tests/data/membership_empty_code.csv"
expect_bad membership-not-utf8 "membership_not_utf8.csv:" -- validate --membership "$src/tests/data/membership_not_utf8.csv"
expect_bad membership-missing-file "nowhere.csv" -- validate --membership nowhere.csv

# --- Targets files (validate --targets): strict, exit 2 before any run.
printf 'formation:\n  networks: {observed: 1250, tolerance: 0.05}\n  networks: {observed: 1, tolerance: 1}\n' > targets-dup.yaml
printf 'formation:\n  networks: {observed: 1250, tolerance: 0.05, relativ: true}\n' > targets-key.yaml
printf 'formation:\n  networks: {observed: 1250, tolerance: 0.05}\nformaton:\n  list_mean: {observed: 1, tolerance: 1}\n' \
  > targets-section.yaml
expect_bad targets-duplicate-key "targets-dup.yaml:3:3: 'formation.networks': duplicate key (first at line 2)" \
  -- validate --targets targets-dup.yaml --membership none "$small"
expect_bad targets-unknown-key "targets-key.yaml:2:47: 'formation.networks.relativ': unknown key; did you mean 'relative'?" \
  -- validate --targets targets-key.yaml --membership none "$small"
expect_bad targets-unknown-section "targets-section.yaml:3:1: 'formaton': unknown key; did you mean 'formation'?" \
  -- validate --targets targets-section.yaml --membership none "$small"

# --- Sweep files.
# sweep_case NAME EXPECTED_TEXT DESIGN_AND_FACTORS: a sweep of synthetic-small.
sweep_case() {
  printf 'name: s\nbase: %s\nset: {population.source: synthetic}\n%s\n' "$small" "$3" > "$1.yaml"
  expect_bad "$1" "$2" -- sweep "$1.yaml" --out out/s.h5
}
factors=$'factors:\n  - {path: formation.inertia, min: 0, max: 0.5}'
lhs='design: {method: lhs, samples: 2}'
sweep_case sweep-syntax "sweep-syntax.yaml:6:1: YAML syntax error" $'design: {method: lhs, samples: 2}\nfactors: [oops'
sweep_case sweep-unknown-key "sweep-unknown-key.yaml:4:1" $'desing: {method: morris}\n'"$factors"
sweep_case sweep-negative "sweep-negative.yaml:4" $'design: {method: morris, samples: -1, levels: 4}\n'"$factors"
sweep_case sweep-nan "sweep-nan.yaml:4" $'design: {method: lhs, samples: .nan}\n'"$factors"
sweep_case sweep-bounds "must be greater than min" "$lhs"$'\nfactors:\n  - {path: formation.inertia, min: 0.5, max: 0}'
sweep_case sweep-probability "out of range" "$lhs"$'\nfactors:\n  - {path: formation.approve_rural_probability, min: 0, max: 2}'
sweep_case sweep-unknown-path "did you mean 'formation.inertia'" "$lhs"$'\nfactors:\n  - {path: formation.inertai, min: 0, max: 1}'
sweep_case sweep-duplicate-key "sweep-duplicate-key.yaml:5:1: 'design': duplicate key (first at line 4)" \
  "$lhs"$'\ndesign: {method: grid}\n'"$factors"
sweep_case sweep-duplicate-factor "is already a factor" "$lhs"$'\nfactors:\n  - {path: formation.inertia, min: 0, max: 1}\n  - {path: formation.inertia, min: 0, max: 2}'
# A good sweep, for the cases below.
printf 'name: s\nbase: %s\nset: {population.source: synthetic}\n%s\n%s\n' "$small" \
  'design: {method: morris, samples: 2, levels: 4, seed: 1}' "$factors" > goodsweep.yaml
: > emptysweep.yaml
expect_bad sweep-empty "emptysweep.yaml" -- sweep emptysweep.yaml --out out/s.h5
expect_bad sweep-missing "nosweep.yaml" -- sweep nosweep.yaml --out out/s.h5
expect_bad sweep-directory "csvdir" -- sweep csvdir --out out/s.h5
expect_bad sweep-resume-nothing "out/s.h5" -- sweep goodsweep.yaml --out out/s.h5 --resume
expect_bad sweep-resume-not-hdf5 "goodsweep.yaml" -- sweep goodsweep.yaml --out goodsweep.yaml --resume
expect_bad design-bad-sweep "sweep-unknown-key.yaml:4" -- design sweep-unknown-key.yaml --out out/d.csv
expect_bad design-unwritable "not-a-directory/d.csv" -- design goodsweep.yaml --out not-a-directory/d.csv

# --- Calibration files.
# calibration_case NAME EXPECTED_TEXT PARAMETERS_TARGETS_SEEDS: a calibration of synthetic-small.
calibration_case() {
  printf 'name: c\nbase: %s\n%s\n' "$small" "$3" > "$1.yaml"
  expect_bad "$1" "$2" -- calibrate "$1.yaml" --out out/c.h5
}
targets=$'targets:\n  - {target: formation.networks, weight: 1}\nseeds: [1]'
calibration_case calibrate-unknown-parameter \
  "calibrate-unknown-parameter.yaml:4:12: 'parameters[0].path': unknown parameter 'relationships.noise_sb'; did you mean 'relationships.noise_sd'?" \
  $'parameters:\n  - {path: relationships.noise_sb, min: 0.1, max: 1}\n'"$targets"
calibration_case calibrate-empty-bounds "calibrate-empty-bounds.yaml:4:47: 'parameters[0].max': must be greater than min" \
  $'parameters:\n  - {path: relationships.a_dist, min: 2, max: 2}\n'"$targets"
calibration_case calibrate-unknown-target \
  "calibrate-unknown-target.yaml:6:14: 'targets[0].target': unknown target 'formation.netwroks'" \
  $'parameters:\n  - {path: relationships.a_dist, min: 0.2, max: 5}\ntargets:\n  - {target: formation.netwroks, weight: 1}\nseeds: [1]'
calibration_case calibrate-fold "calibrate-fold.yaml:4:55: 'membership.commissioners.fold': fold 2 does not exist" \
  $'parameters: [{path: relationships.a_dist, min: 0.2, max: 5}]\nmembership: {commissioners: {folds: 2, seed: 7, fold: 2}}\n'"$targets"
calibration_case calibrate-duplicate-key "calibrate-duplicate-key.yaml:8:1: 'seeds': duplicate key (first at line 7)" \
  $'parameters:\n  - {path: relationships.a_dist, min: 0.2, max: 5}\n'"$targets"$'\nseeds: [2]'
democal="$src/calibrations/synthetic-small-demo.yaml"
expect_bad calibrate-resume-nothing "nothing.h5" -- calibrate "$democal" --resume nothing.h5 --out out/c.h5
expect_bad calibrate-resume-not-hdf5 "synthetic-small-demo.yaml: --resume: cannot read it" -- calibrate "$democal" --resume "$democal" --out out/c.h5

# --- compare / export / design rows: arguments and input files.
"$bin" run "$small" --out good.h5 >/dev/null 2>&1 || { echo "FAIL cannot make good.h5"; failures=$((failures + 1)); }
"$bin" design goodsweep.yaml --out design.csv >/dev/null 2>&1 || { echo "FAIL cannot make design.csv"; failures=$((failures + 1)); }
echo 'not hdf5' > fake.h5
expect_bad compare-missing "missing.h5" -- compare good.h5 missing.h5
expect_bad compare-not-hdf5 "fake.h5" -- compare good.h5 fake.h5
expect_bad compare-directory "csvdir: is a directory" -- compare good.h5 csvdir
expect_bad compare-one-file "command line" -- compare good.h5
expect_bad compare-csv-unwritable "not-a-directory/c.csv" -- compare good.h5 good.h5 --csv not-a-directory/c.csv
expect_bad calibrate-resume-run-file "good.h5: --resume: the file is not an output of this calibration file" -- calibrate "$democal" --resume good.h5 --out out/c.h5
expect_bad export-missing "missing.h5" -- export missing.h5 networks
expect_bad export-not-hdf5 "fake.h5" -- export fake.h5 networks
expect_bad export-wrong-table "netwroks" -- export good.h5 netwroks --csv out/e.csv
expect_bad export-csv-unwritable "not-a-directory/e.csv" -- export good.h5 networks --csv not-a-directory/e.csv
expect_bad export-dataset-and-all "give a DATASET or --all, not both" -- export good.h5 networks --all --dir out/d
expect_bad export-dir-without-all "--dir goes with --all" -- export good.h5 networks --dir out/d
expect_bad export-all-without-dir "--dir DIRECTORY" -- export good.h5 --all
mkdir -p full-dir && echo precious > full-dir/keep
expect_bad export-all-full-dir "full-dir: output directory exists and is not empty; pass --overwrite" -- export good.h5 --all --dir full-dir
expect_bad export-all-dir-is-file "not-a-directory: exists and is not a directory" -- export good.h5 --all --dir not-a-directory
expect_bad negative-row "--row: Value -2 not in range 0 to 1000000000" -- run "$small" --design design.csv --row -2 --out out/r.h5
expect_bad row-without-design "--design" -- run "$small" --row 1 --out out/r.h5
expect_bad design-without-row "--row" -- run "$small" --design design.csv --out out/r.h5
expect_bad design-missing "nodesign.csv" -- run "$small" --design nodesign.csv --row 0 --out out/r.h5
expect_bad design-row-too-big "99" -- run "$small" --design design.csv --row 99 --out out/r.h5
expect_bad design-not-csv "good.h5" -- run "$small" --design good.h5 --row 0 --out out/r.h5
printf 'row,formation.inertia\n0,0.1\n1,abc\n' > design-text.csv
printf 'row,formation.inertia,formation.inertia\n0,0.1,0.2\n' > design-twice.csv
expect_bad design-not-a-number "design-text.csv:3:3: 'formation.inertia': expected a number, got 'abc'" \
  -- run "$small" --design design-text.csv --row 0 --out out/r.h5
expect_bad design-duplicate-column "design-twice.csv:1:23: 'formation.inertia': duplicate design column (first at column 5)" \
  -- run "$small" --design design-twice.csv --row 0 --out out/r.h5
expect_bad negative-seed "--seed: Value -1 not in range 0 to 9000000000000000" -- run "$small" --seed -1 --out out/r.h5
expect_bad zero-replicates "--replicates" -- run "$small" --replicates 0 --out out/r.h5
expect_bad threads-not-number "--threads" -- run "$small" --threads many --out out/r.h5
expect_bad unknown-command "command line" -- runn "$small"

# --- An existing output without --overwrite, for every command that writes.
cp good.h5 out/exists.h5; cp design.csv out/exists.csv
for args in "run $small --out out/exists.h5" "sweep goodsweep.yaml --out out/exists.h5" \
            "design goodsweep.yaml --out out/exists.csv" "compare good.h5 good.h5 --csv out/exists.csv" \
            "calibrate $democal --out out/exists.h5" "calibrate $democal --out out/new.h5 --fragment out/exists.csv" \
            "export good.h5 networks --csv out/exists.csv"; do
  # shellcheck disable=SC2086
  "$bin" $args >stdout.txt 2>stderr.txt; rc=$?
  if [ $rc -ne 2 ] || ! grep -q -- "--overwrite" stderr.txt || ! cmp -s out/exists.h5 good.h5 || ! cmp -s out/exists.csv design.csv \
     || [ "$(find out -type f | wc -l)" -ne 2 ]; then
    echo "FAIL existing-output ${args%% *}: exit $rc"; cat stderr.txt; failures=$((failures + 1))
  else
    echo "ok   existing-output ${args%% *}: $(head -1 stderr.txt)"
  fi
  cases=$((cases + 1))
done
rm -rf out; mkdir out

# --- Hostile input (issue 14): bounded before it is trusted.
# YAML: a self-referencing alias, nesting, an alias bomb (fails in well under
# a second), control characters in the text or from an escape.
scenario_case yaml-self-alias "yaml-self-alias.yaml:4:3: 'formation.again': a self-referencing alias" \
  $'formation: &x\n  g_pair: 0.3\n  again: *x'
scenario_case yaml-self-alias-flow "'a.b': a self-referencing alias: the anchor on line 2" 'a: &x {b: *x}'
scenario_case yaml-self-alias-list "'a[1]': a self-referencing alias" 'a: &x [1, *x]'
scenario_case yaml-deep-nesting "yaml-deep-nesting.yaml:2:1: 'a" "a: $(printf '[%.0s' {1..100})$(printf ']%.0s' {1..100})"
grep -q "nesting deeper than 64 levels" stderr.txt || { echo "FAIL yaml-deep-nesting: message"; failures=$((failures + 1)); }
bomb='l0: &l0 [x, x, x, x, x, x, x, x, x, x]'
for k in 1 2 3 4 5 6 7 8 9; do
  p="*l$((k - 1))"; bomb+=$'\n'"l$k: &l$k [$p, $p, $p, $p, $p, $p, $p, $p, $p, $p]"
done
start=$(date +%s%N)
scenario_case yaml-alias-bomb "YAML values once aliases are expanded (an alias bomb?)" "$bomb"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 2000 ] || { echo "FAIL yaml-alias-bomb took $ms ms"; failures=$((failures + 1)); }
printf 'extends: %s\nname: a\000b\n' "$small" > yaml-nul-byte.yaml
expect_bad yaml-nul-byte "yaml-nul-byte.yaml:2:8: a control character (U+0000)" -- run yaml-nul-byte.yaml --out out/r.h5
scenario_case yaml-nul-escape "yaml-nul-escape.yaml:2:1: 'name': a control character (U+0000) in a value" 'name: "a\0b"'
scenario_case yaml-control-description "'description': a control character (U+001B)" 'description: "\e[31mred"'
expect_bad set-control-description "--set description=" -- run "$small" --set description=$'bell\a' --out out/r.h5
expect_bad set-deep-nesting "nesting deeper than 64 levels" \
  -- run "$small" --set "formation.inertia=$(printf '[%.0s' {1..80})$(printf ']%.0s' {1..80})" --out out/r.h5
# extends: a chain of 17 files, a file extending itself, a device.
printf 'extends: %s\n' "$small" > chain0.yaml
for k in $(seq 1 16); do printf 'extends: chain%d.yaml\n' $((k - 1)) > "chain$k.yaml"; done
expect_bad extends-too-deep "chain1.yaml:1:10: 'extends': a chain of more than 16 files through 'extends'" \
  -- run chain16.yaml --out out/r.h5
printf 'extends: self.yaml\n' > self.yaml
expect_bad extends-self "self.yaml:1:10: 'extends': 'extends' forms a cycle" -- run self.yaml --out out/r.h5
printf 'extends: /dev/urandom\n' > extends-device.yaml
expect_bad extends-device "/dev/urandom: is a character device, expected a scenario file" -- run extends-device.yaml --out out/r.h5
# Only regular files: devices, FIFOs (never opened: no hang), with size limits.
mkfifo fifo.yaml fifo.csv
expect_bad scenario-dev-zero "/dev/zero: is a character device, expected a scenario file" -- run /dev/zero --out out/r.h5
expect_bad scenario-fifo "fifo.yaml: is a FIFO (named pipe), expected a scenario file" -- run fifo.yaml --out out/r.h5
expect_bad sweep-dev-zero "/dev/zero: is a character device, expected a sweep file" -- sweep /dev/zero --out out/s.h5
expect_bad design-sweep-fifo "fifo.yaml: is a FIFO" -- design fifo.yaml --out out/d.csv
expect_bad calibrate-dev-urandom "/dev/urandom: is a character device, expected a calibration file" \
  -- calibrate /dev/urandom --out out/c.h5
expect_bad targets-dev-zero "/dev/zero: is a character device, expected a targets file" \
  -- validate --targets /dev/zero --membership none "$small"
expect_bad design-file-dev-zero "/dev/zero: is a character device, expected a CSV file" \
  -- run "$small" --design /dev/zero --row 0 --out out/r.h5
expect_bad design-file-fifo "fifo.csv: is a FIFO" -- run "$small" --design fifo.csv --row 0 --out out/r.h5
expect_bad membership-fifo "fifo.csv: is a FIFO" -- validate --membership fifo.csv
with_csv /dev/zero csv-dev-zero.yaml
expect_bad csv-dev-zero "/dev/zero: is a character device, expected a CSV file" -- run csv-dev-zero.yaml --out out/r.h5
printf 'extends: %s\npopulation:\n  england:\n    locations_csv: %s\n' "$src/scenarios/baseline.yaml" "$work/fifo.csv" > locfifo.yaml
expect_bad csv-fifo "fifo.csv: is a FIFO (named pipe), expected a CSV file" -- run locfifo.yaml --out out/r.h5
truncate -s $((16 * 1024 * 1024 + 1)) big.yaml  # sparse
expect_bad yaml-too-large "big.yaml: is larger than the 16 MiB limit for a scenario file" -- run big.yaml --out out/r.h5
truncate -s $((256 * 1024 * 1024 + 1)) big.csv
with_csv "$work/big.csv" bigcsv.yaml
expect_bad csv-too-large "big.csv: is larger than the 256 MiB limit for a CSV file" -- run bigcsv.yaml --out out/r.h5
rm -f big.yaml big.csv
# Control characters in CSV fields, list sizes and coordinates beyond the model.
printf '%s\nGP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84\000002,NE65 7UW,ALL,ALL,5903\n' "$header" > nulcode.csv
printf '%s\nGP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84002,NE65\0337UW,ALL,ALL,5903\n' "$header" > esccsv.csv
printf '%s\nGP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84002,NE65 7UW,ALL,ALL,1e18\n' "$header" > bignumber.csv
with_csv "$work/nulcode.csv" nulcode.yaml
with_csv "$work/esccsv.csv" esccsv.yaml
with_csv "$work/bignumber.csv" bignumber.yaml
expect_bad csv-nul-code "nulcode.csv:2:48: 'CODE': a control character (U+0000) in a field" -- run nulcode.yaml --out out/r.h5
expect_bad csv-escape-postcode "esccsv.csv:2:56: 'POSTCODE': a control character (U+001B)" -- run esccsv.yaml --out out/r.h5
expect_bad csv-list-1e18 "bignumber.csv:2:69: 'NUMBER_OF_PATIENTS': practice A84002 has 1e18 patients, more than the 1000000" \
  -- run bignumber.yaml --out out/r.h5
printf 'practice_code,latitude,longitude,ruc11\nA84002,55.3,1e300,E1\n' > farloc.csv
printf 'extends: %s\npopulation:\n  england:\n    locations_csv: %s\n' "$src/scenarios/baseline.yaml" "$work/farloc.csv" > farloc.yaml
expect_bad locations-longitude "farloc.csv:2:13: 'longitude': expected a longitude in England" -- run farloc.yaml --out out/r.h5
printf 'outcode,easting,northing,latitude,longitude\nNE65,412000,9e15,55.3,-1.8\n' > farcentroid.csv
printf 'extends: %s\npopulation:\n  england:\n    centroids_csv: %s\n' "$src/scenarios/baseline.yaml" "$work/farcentroid.csv" > farcentroid.yaml
expect_bad centroids-off-grid "farcentroid.csv:2:6: 'easting/northing': expected a National Grid point in or near Great Britain" \
  -- run farcentroid.yaml --out out/r.h5
printf 'row,formation.inertia\n0,0.\0001\n' > design-nul.csv
expect_bad design-nul "design-nul.csv:2:5: 'formation.inertia': a control character (U+0000)" \
  -- run "$small" --design design-nul.csv --row 0 --out out/r.h5
# Names become outputs/<name>.h5: no separators, no leading '.', at most 100 characters.
scenario_case name-escape "name-escape.yaml:2:7: 'name': must not start with '.'" 'name: ../../x'
scenario_case name-separator "name-separator.yaml:2:7: 'name': may hold only letters, digits, '.', '_' and '-'" 'name: a/../../x'
# Without --out, from esc/in: these names led to esc/in/outputs/../../x.h5 = esc/x.h5.
mkdir -p esc/in
for n in name-escape name-separator; do
  (cd esc/in && timeout 30 "$bin" run "../../$n.yaml" >../../stdout.txt 2>../../stderr.txt); rc=$?
  [ -z "$(find esc -type f)" ] || { echo "FAIL $n wrote $(find esc -type f)"; failures=$((failures + 1)); }
  check "$n-default-out" "$n.yaml:2:7: 'name'" $rc
done
scenario_case name-dot "name-dot.yaml:2:7: 'name': must not start with '.'" 'name: .hidden'
scenario_case name-long "'name': longer than 100 characters" "name: $(printf 'x%.0s' {1..101})"
expect_bad name-set-slash "--set name=a/b: 'name': may hold only" -- run "$small" --set name=a/b --out out/r.h5
printf 'name: sub/../../s\nbase: %s\nset: {population.source: synthetic}\n%s\n%s\n' "$small" "$lhs" "$factors" > sweepname.yaml
expect_bad sweep-name-escape "sweepname.yaml:1:7: 'name': may hold only" -- sweep sweepname.yaml --out out/s.h5
printf 'name: /tmp/c\nbase: %s\nparameters: [{path: relationships.a_dist, min: 0.2, max: 5}]\n%s\n' "$small" "$targets" > calname.yaml
expect_bad calibrate-name-escape "calname.yaml:1:7: 'name': may hold only" -- calibrate calname.yaml --out out/c.h5
# Dates out of order: covid.end before covid.start (also with the shock off), the timeline.
scenario_case covid-reversed "covid-reversed.yaml:4:8: 'covid.end': must not be before covid.start (2021-01-01)" \
  $'covid:\n  start: 2021-01-01\n  end: 2020-06-30'
scenario_case covid-reversed-off "'covid.end': must not be before covid.start" \
  $'covid:\n  enabled: false\n  start: 2021-01-01\n  end: 2020-06-30'
scenario_case timeline-reversed "timeline-reversed.yaml:4:24: 'timeline.signup_window_close': must not be before signup_window_open" \
  $'timeline:\n  signup_window_open: 2019-06-01\n  signup_window_close: 2019-05-01'

# --- A full disk, for every command that writes.
disk_full run "$small" --out "$full/r.h5"; check full-disk-run "$full/r.h5" $?
disk_full run "$small" --replicates 2 --quiet --out "$full/r.h5"; check full-disk-ensemble "$full/r.h5" $?
disk_full sweep goodsweep.yaml --quiet --out "$full/s.h5"; check full-disk-sweep "$full/s.h5" $?
disk_full sweep goodsweep.yaml --quiet --checkpoint 0 --out "$full/s.h5"; check full-disk-sweep-checkpoint "$full/s.h5" $?
disk_full design goodsweep.yaml --out "$full/d.csv"; check full-disk-design "$full/d.csv" $?
disk_full calibrate "$democal" --quiet --out "$full/c.h5"; check full-disk-calibrate "$full/c.h5" $?
disk_full compare good.h5 good.h5 --csv "$full/c.csv"; check full-disk-compare-csv "$full/c.csv" $?
disk_full export good.h5 networks --csv "$full/e.csv"; check full-disk-export-csv "$full/e.csv" $?
disk_full export good.h5 --all --dir "$full/d"; check full-disk-export-all "$full/d" $?

# The output exists already: refused without --overwrite, and left untouched.
mkdir -p keep && echo precious > keep/r.h5
"$bin" run "$small" --out keep/r.h5 >/dev/null 2>stderr.txt; rc=$?
if [ $rc -ne 2 ] || ! grep -q -- "--overwrite" stderr.txt || [ "$(cat keep/r.h5)" != precious ]; then
  echo "FAIL existing-output: exit $rc"; cat stderr.txt; failures=$((failures + 1))
else
  echo "ok   existing-output: $(head -1 stderr.txt)"
fi
# With --overwrite it is replaced by a complete file, and no temporary file remains.
"$bin" run "$small" --out keep/r.h5 --overwrite >/dev/null 2>&1 || { echo "FAIL overwrite"; failures=$((failures + 1)); }
[ "$(ls keep)" = "r.h5" ] && [ "$(head -c 4 keep/r.h5 | od -An -c | tr -d ' ')" = "211HDF" ] \
  || { echo "FAIL overwrite left $(ls keep)"; failures=$((failures + 1)); }

# --- Valid but extreme scenarios (issue 14): once spun forever in the ARRS plan.
# expect_extreme NAME SCENARIO ARGS...: exit 0 within 30 s, an output written,
# no NaN or infinity in the printed summary.
expect_extreme() {
  local name=$1; shift
  timeout 30 "$bin" run "$@" --out out/r.h5 >stdout.txt 2>stderr.txt; local rc=$?
  if [ "$rc" -ne 0 ] || [ ! -s out/r.h5 ] || grep -qiw "nan\|inf\|-nan" stdout.txt; then
    echo "FAIL $name: exit $rc"; cat stderr.txt; failures=$((failures + 1))
  else
    echo "ok   $name: exit 0"
  fi
  rm -rf out; mkdir out
  cases=$((cases + 1))
}
zero='[{from: 2019-04-01, value: 0, source: test}]'
printf 'extends: %s\nfunding:\n  arrs_reimbursement_rate: %s\n' "$small" "$zero" > rate0.yaml
printf 'extends: %s\narrs:\n  roles:\n    clinical_pharmacist:\n      max_reimbursable_gbp_per_wte: %s\n' \
  "$small" "$zero" > max0.yaml
expect_extreme extreme-reimbursement-rate-0 rate0.yaml
expect_extreme extreme-role-maximum-0 max0.yaml
expect_extreme extreme-national-patients-1000 "$small" --set funding.national_patients=1000
expect_extreme extreme-nobody-signs "$small" --set signup.autonomy_mean_gbp_per_patient=1000
expect_bad extreme-cost-share-0 "'arrs.cost_share_of_maximum': value 0 is out of range" \
  -- run "$small" --set arrs.cost_share_of_maximum=0 --out out/r.h5
expect_bad extreme-national-patients-1 "'funding.national_patients': a national pot of" \
  -- run "$small" --set funding.national_patients=1 --out out/r.h5

# --- Real history and workforce files (validate --history, --workforce; issue 15): exit 2 before any run.
printf 'practice_code,pcn_code,start_date,end_date\nP1,N1,20191001,\nP2,N1,2019-13-01,\n' > history-bad.csv
printf 'census_month,pcn_code,staff_role,fte\n2022-09,U1,Pharmacists,1\n2022-09,U1,Pharmacists,-1\n' > workforce-bad.csv
mkdir -p a-directory.csv
expect_bad history-missing-file "nowhere.csv" -- validate --history nowhere.csv
expect_bad history-directory "a-directory.csv" -- validate --history a-directory.csv
expect_bad history-malformed-row "history-bad.csv:3:7: 'start_date': '2019-13-01' is not a date" \
  -- validate --history history-bad.csv
expect_bad workforce-missing-file "nowhere.csv" -- validate --workforce nowhere.csv
expect_bad workforce-directory "a-directory.csv" -- validate --workforce a-directory.csv
expect_bad workforce-malformed-row "workforce-bad.csv:3:24: 'fte': '-1' is not a full-time equivalent" \
  -- validate --workforce workforce-bad.csv
expect_bad workforce-without-history "needs the history" -- validate --history none --workforce workforce-bad.csv

echo "$cases cases, $failures failure(s)"
[ "$failures" -eq 0 ]
