#!/usr/bin/env bash
# Every kind of bad input: exit code 2, a clear message naming the place, and
# no output file (nor a temporary one) left behind.
set -u
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir out
failures=0

# expect_bad NAME EXPECTED_TEXT -- ARGS...
expect_bad() {
  local name=$1 text=$2; shift 3
  "$bin" "$@" >stdout.txt 2>stderr.txt
  local rc=$?
  local leftovers; leftovers=$(find out -type f | wc -l)
  if [ "$rc" -ne 2 ] || ! grep -qF -- "$text" stderr.txt || [ "$leftovers" -ne 0 ]; then
    echo "FAIL $name: exit $rc, leftovers $leftovers, stderr:"; cat stderr.txt; failures=$((failures + 1))
  else
    echo "ok   $name: $(head -c 160 stderr.txt | head -1)"
  fi
  rm -rf out; mkdir out
}

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
expect_bad output-is-directory "out" -- run "$small" --out out
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

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
