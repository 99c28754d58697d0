#!/usr/bin/env bash
# `pcnsim export`: tables, series and 2-D datasets as CSV; bad tables exit 2.
set -u
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
"$bin" run "$src/scenarios/synthetic-small.yaml" --out run.h5 >/dev/null || fail "run"
/usr/bin/python3 - <<'PY' || fail "python reference"
import h5py
f = h5py.File("run.h5", "r")
open("expect_networks", "w").write(str(len(f["networks/id"])))
open("expect_steps", "w").write(str(len(f["series/networks/step"])))
open("expect_last_wte", "w").write(repr(float(f["series/arrs_wte/value"][-1])))
PY
"$bin" export run.h5 networks --csv networks.csv || fail "export networks"
[ "$(($(wc -l < networks.csv) - 1))" = "$(cat expect_networks)" ] || fail "one CSV row per network"
head -1 networks.csv | grep -q "list_size" || fail "networks header has list_size"
"$bin" export run.h5 series/arrs_wte > series.csv || fail "export series"
[ "$(head -1 series.csv)" = "step,time,value" ] || fail "series header: $(head -1 series.csv)"
[ "$(($(wc -l < series.csv) - 1))" = "$(cat expect_steps)" ] || fail "one row per step"
/usr/bin/python3 -c "import sys; v=float(open('series.csv').read().splitlines()[-1].split(',')[2]); sys.exit(0 if abs(v - float(open('expect_last_wte').read())) < 1e-9 else 1)" \
  || fail "last value matches the HDF5 file"
"$bin" export run.h5 finance/network/arrs_claimed_pence > money.csv || fail "export 2-D"
[ "$(wc -l < money.csv)" = "6" ] || fail "five financial years plus a header"
"$bin" export run.h5 networks --csv networks.csv 2>err.txt; [ $? -eq 2 ] && grep -q -- "--overwrite" err.txt || fail "existing CSV kept"
"$bin" export run.h5 no/such/table 2>err.txt; [ $? -eq 2 ] && grep -q "no such table" err.txt || fail "missing table exit 2"
"$bin" export run.h5 netwroks 2>err.txt; [ $? -eq 2 ] && grep -q "did you mean networks?" err.txt || fail "a misspelt table gets the closest declared one"
"$bin" export missing.h5 networks 2>err.txt; [ $? -eq 2 ] || fail "missing file exit 2"
echo "export writes networks, series and 2-D tables as CSV; bad input exits 2"
