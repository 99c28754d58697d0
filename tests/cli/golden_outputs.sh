#!/usr/bin/env bash
# Outputs unchanged by refactoring: the SHA-256 of every dataset of three
# files (the England baseline run, a 4-replicate England ensemble and a
# 12-run Morris sweep of the synthetic country), values and attributes (units,
# description), must match tests/golden/digests.txt, written by the commit
# that last changed results on purpose. Root attributes (versions, creation
# times) are not compared.
# When a change of results is intended, regenerate and commit the digests:
#   tests/cli/golden_outputs.sh build/release/pcnsim . --update
set -u
bin=$1; src=$2; mode=${3:-check}
cd "$src"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { "$@" >"$tmp/log" 2>&1 || { echo "FAIL: $*"; cat "$tmp/log"; exit 1; }; }
run "$bin" run scenarios/baseline.yaml --out "$tmp/run.h5"
run "$bin" run scenarios/baseline.yaml --replicates 4 --threads 2 --out "$tmp/ensemble.h5"
run "$bin" sweep tests/data/sweep-small.yaml --threads 2 --quiet --out "$tmp/sweep.h5"
for f in run ensemble sweep; do
  /usr/bin/python3 tools/h5_digest.py "$tmp/$f.h5" | sed "s|^|$f |"
done >"$tmp/digests.txt"
if [ "$mode" = --update ]; then
  cp "$tmp/digests.txt" tests/golden/digests.txt
  echo "wrote tests/golden/digests.txt ($(wc -l <"$tmp/digests.txt") datasets)"
  exit 0
fi
if ! diff tests/golden/digests.txt "$tmp/digests.txt" >"$tmp/diff"; then
  echo "FAIL: datasets differ from tests/golden/digests.txt (< expected, > now):"
  head -40 "$tmp/diff"
  exit 1
fi
echo "$(wc -l <"$tmp/digests.txt") datasets of a run, an ensemble and a sweep identical to tests/golden/digests.txt"
