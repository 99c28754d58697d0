#!/usr/bin/env bash
# `pcnsim export`: groups, series, 2-D and 3-D datasets as labelled CSV, wide
# and --long; --all --dir writes every dataset atomically; bad input exits 2.
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
open("expect_roles", "w").write(",".join(r.decode() for r in f["arrs/roles"][:]))
open("expect_wte_cells", "w").write(str(f["networks/weekly/arrs_wte"].size))
PY
"$bin" export run.h5 networks --csv networks.csv 2>notes.txt || fail "export networks"
[ "$(($(wc -l < networks.csv) - 1))" = "$(cat expect_networks)" ] || fail "one CSV row per network"
head -1 networks.csv | grep -q "^network,.*list_size" || fail "networks header: the network id, then list_size: $(head -1 networks.csv)"
grep -q "left out weekly (a group)" notes.txt || fail "a group's subgroup is named on stderr, not dropped silently"
"$bin" export run.h5 series/arrs_wte > series.csv || fail "export series"
[ "$(head -1 series.csv)" = "step,date,value" ] || fail "series header: $(head -1 series.csv)"
[ "$(($(wc -l < series.csv) - 1))" = "$(cat expect_steps)" ] || fail "one row per step"
"$bin" export run.h5 /series//arrs_wte/ | cmp -s - series.csv || fail "a path with a leading, doubled or trailing slash names the same group"
/usr/bin/python3 -c "import sys; v=float(open('series.csv').read().splitlines()[-1].split(',')[2]); sys.exit(0 if v == float(open('expect_last_wte').read()) else 1)" \
  || fail "last value equals the HDF5 file's exactly"
"$bin" export run.h5 finance/network/arrs_claimed_pence > money.csv || fail "export 2-D"
[ "$(wc -l < money.csv)" = "6" ] || fail "five financial years plus a header"
sed -n 2p money.csv | grep -q "^2019/20," || fail "rows are financial years: $(sed -n 2p money.csv)"
# A group of 2-D datasets: the first axis as rows (on a tie, the first dataset's first axis).
"$bin" export run.h5 finance/network | head -1 | grep -q "^financial_year,arrs_ceiling_pence\[0\],arrs_ceiling_pence\[1\]," \
  || fail "finance/network: a row per year, a column per dataset and network"
[ "$("$bin" export run.h5 finance/network --long | head -1 | cut -d, -f1-3)" = "financial_year,network,arrs_ceiling_pence" ] \
  || fail "finance/network --long: a row per year and network, a column per dataset"
# 3-D: wide has a row per (step, network) and a column per role; --long a row per value.
"$bin" export run.h5 networks/weekly/arrs_wte > wte.csv || fail "export 3-D"
[ "$(head -1 wte.csv)" = "step,date,network,$(cat expect_roles)" ] || fail "3-D header: $(head -1 wte.csv)"
"$bin" export run.h5 networks/weekly/arrs_wte --long > wte_long.csv || fail "export 3-D --long"
[ "$(head -1 wte_long.csv)" = "step,date,network,role,value" ] || fail "--long header: $(head -1 wte_long.csv)"
[ "$(($(wc -l < wte_long.csv) - 1))" = "$(cat expect_wte_cells)" ] || fail "--long: one row per value"
"$bin" export run.h5 outcomes > outcomes.csv || fail "export outcomes"
[ "$(head -1 outcomes.csv)" = "outcome,description,units,value[replicate_0]" ] || fail "outcomes header: $(head -1 outcomes.csv)"
# --all --dir: every dataset, a data dictionary and the root attributes.
"$bin" export run.h5 --all --dir all || fail "export --all"
[ -f all/networks.weekly.arrs_wte.csv ] && [ -f all/data_dictionary.csv ] && [ -f all/attributes.csv ] || fail "--all files"
grep -q "^scenario_name,synthetic-small" all/attributes.csv || fail "root attributes listed"
"$bin" export run.h5 --all --dir all 2>err.txt; [ $? -eq 2 ] && grep -q "all: .*not empty.*--overwrite" err.txt || fail "a full directory kept"
"$bin" export run.h5 --all --dir all --long --overwrite || fail "--overwrite replaces the directory"
[ "$(head -1 all/networks.weekly.arrs_wte.csv)" = "step,date,network,role,value" ] || fail "--all --long"
[ -z "$(ls -d all.tmp-* 2>/dev/null)" ] || fail "no temporary directory left"
# Bad input: exit 2 with one clear message.
"$bin" export run.h5 networks --csv networks.csv 2>err.txt; [ $? -eq 2 ] && grep -q -- "--overwrite" err.txt || fail "existing CSV kept"
"$bin" export run.h5 no/such/table 2>err.txt; [ $? -eq 2 ] && grep -q "no such dataset or group" err.txt || fail "missing table exit 2"
"$bin" export run.h5 netwroks 2>err.txt; [ $? -eq 2 ] && grep -q "did you mean networks?" err.txt || fail "a misspelt table gets the closest one in the file"
"$bin" export run.h5 series/arrs_wt 2>err.txt; [ $? -eq 2 ] && grep -q "did you mean series/arrs_wte?" err.txt || fail "a misspelt series"
"$bin" export missing.h5 networks 2>err.txt; [ $? -eq 2 ] || fail "missing file exit 2"
"$bin" export run.h5 networks --all --dir d 2>err.txt; [ $? -eq 2 ] && grep -q "not both" err.txt || fail "DATASET with --all"
"$bin" export run.h5 networks --dir d 2>err.txt; [ $? -eq 2 ] && grep -q -- "--dir goes with --all" err.txt || fail "--dir without --all"
"$bin" export run.h5 --all 2>err.txt; [ $? -eq 2 ] && grep -q -- "--dir DIRECTORY" err.txt || fail "--all without --dir"
"$bin" export run.h5 2>err.txt; [ $? -eq 2 ] && grep -q "give a DATASET" err.txt || fail "neither DATASET nor --all"
[ ! -e d ] || fail "nothing written on bad input"
echo "export writes groups, series, 2-D and 3-D datasets (wide and --long) and --all with a data dictionary; bad input exits 2"
