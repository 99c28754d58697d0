"""Ensembles (`pcnsim run --replicates N`): the layout of docs/output-schema.md,
summaries that match the replicates, results independent of the thread count,
replicate 0 equal to a single run; and `pcnsim compare` on bad input.
Usage: test_ensemble.py PCNSIM_BINARY SOURCE_DIR"""
import csv
import os
import tempfile

import h5py
import numpy as np

from harness import in_source
from harness import contents as datasets
from harness import pcnsim as run

small = in_source("scenarios", "synthetic-small.yaml")


with tempfile.TemporaryDirectory() as tmp:
    one, two, single = (os.path.join(tmp, n) for n in ("t1.h5", "t2.h5", "single.h5"))
    run("run", small, "--replicates", "6", "--threads", "1", "--out", one)
    proc = run("run", small, "--replicates", "6", "--threads", "2", "--out", two)
    assert "progress: 6/6 replicates" in proc.stderr, proc.stderr  # plain lines when not a terminal
    run("run", small, "--out", single)

    # Same seed, any number of threads: every dataset identical.
    a, attrs_a = datasets(one)
    b, attrs_b = datasets(two)
    assert a.keys() == b.keys()
    for name in a:
        # NaN marks values that do not exist (a network's trust before it formed): equal to NaN here.
        nan_ok = a[name].dtype.kind == "f"
        assert np.array_equal(a[name], b[name], equal_nan=nan_ok), name
    assert attrs_a == attrs_b

    with h5py.File(one, "r") as f, h5py.File(single, "r") as s:
        assert f.attrs["ensemble"] == 1 and f.attrs["replicates"] == 6
        seeds = f["replicates/seed"][:]
        assert len(set(seeds)) == 6 and seeds[0] == f.attrs["seed"]
        steps = len(f["series/networks/step"])
        for metric in f["series"]:
            value = f["series"][metric]["value"][:]
            assert value.shape == (6, steps), (metric, value.shape)
            # Replicate 0 is the single run with the scenario seed.
            assert np.array_equal(value[0], s["series"][metric]["value"][:]), metric
            summary = f["summary"][metric]
            assert np.allclose(summary["mean"][:], value.mean(axis=0))
            assert np.allclose(summary["median"][:], np.median(value, axis=0))
            assert np.allclose(summary["p10"][:], np.percentile(value, 10, axis=0))
            assert np.allclose(summary["p90"][:], np.percentile(value, 90, axis=0))

            assert summary["p90"].attrs["units"] == f["series"][metric]["value"].attrs["units"]
        # Replicates differ (different seeds), and the detail tables are replicate 0's.
        assert not np.array_equal(f["series/arrs_wte/value"][0], f["series/arrs_wte/value"][1])
        assert np.array_equal(f["practices/network"][:], s["practices/network"][:])
        outcomes = f["outcomes/value"][:]
        names = f["outcomes/name"][:].astype(str).tolist()
        assert outcomes.shape == (6, len(names)) and len(names) > 40
        assert np.array_equal(outcomes[0], s["outcomes/value"][0])
        k = names.index("arrs_wte_2022_23")
        time = f["series/arrs_wte/time"][:].astype(str)
        last = np.where(time < "2023-04-01")[0][-1]  # last week of 2022/23
        assert np.allclose(outcomes[:, k], f["series/arrs_wte/value"][:, last])
        assert s["outcomes/value"].shape == (1, len(names)) and s.attrs["ensemble"] == 0

    # Any replicate reruns alone: its stored seed is one `--seed` accepts, and
    # the single run with it gives that replicate's series and outcomes.
    with h5py.File(one, "r") as f:
        seeds = f["replicates/seed"][:]
        assert (seeds >= 0).all() and (seeds <= 9_000_000_000_000_000).all(), seeds
        rerun = os.path.join(tmp, "rerun.h5")
        run("run", small, "--seed", str(int(seeds[4])), "--out", rerun)
        with h5py.File(rerun, "r") as r:
            for metric in f["series"]:
                assert np.array_equal(f["series"][metric]["value"][4], r["series"][metric]["value"][:]), metric
            assert np.array_equal(f["outcomes/value"][4], r["outcomes/value"][0])

    # compare: a file against itself differs by exactly zero, with no parameter changes.
    proc = run("compare", one, one, "--csv", os.path.join(tmp, "self.csv"))
    assert "that differ from" in proc.stdout and "(0):" in proc.stdout, proc.stdout
    assert "no policy parameter differs" in proc.stdout and "*" not in proc.stdout, proc.stdout
    with open(os.path.join(tmp, "self.csv")) as fh:
        rows = list(csv.DictReader(fh))
    assert {r["baseline"] for r in rows} == {"0", "1"} and len(rows) % 2 == 0
    for row in rows:
        if row["baseline"] == "0":
            assert float(row["difference"]) == 0.0 and row["paired"] == "1" and row["significant"] == "0", row
            assert row["takes_effect"] == "", row
    # compare against a real change (no ARRS substitution), recomputed here from the two
    # files' per-replicate outcomes: paired differences (same seeds), their mean and a
    # 95% t interval (t(0.975, 5) = 2.5706).
    changed = os.path.join(tmp, "nosub.h5")
    run("run", small, "--replicates", "6", "--threads", "2", "--set", "gp_workload.substitution=false", "--out", changed)
    run("compare", one, changed, "--csv", os.path.join(tmp, "nosub.csv"))
    with open(os.path.join(tmp, "nosub.csv")) as fh:
        table = {r["outcome"]: r for r in csv.DictReader(fh) if r["baseline"] == "0"}
    with h5py.File(one, "r") as fa, h5py.File(changed, "r") as fb:
        names = fa["outcomes/name"][:].astype(str).tolist()
        assert names == fb["outcomes/name"][:].astype(str).tolist()
        a_values, b_values = fa["outcomes/value"][:], fb["outcomes/value"][:]
    differing = 0
    for name in names:
        k = names.index(name)
        d = b_values[:, k] - a_values[:, k]
        row = table[name]
        assert row["paired"] == "1", row
        assert np.isclose(float(row["difference"]), d.mean(), rtol=1e-6, atol=1e-9), (name, row["difference"], d.mean())
        half = 2.5706 * d.std(ddof=1) / np.sqrt(len(d))
        # The bounds are checked to a thousandth of the half-width: a bound
        # near zero is a small difference of large numbers.
        tol = 1e-3 * half + 1e-6
        assert np.isclose(float(row["ci95_low"]), d.mean() - half, rtol=1e-3, atol=tol), (name, row)
        assert np.isclose(float(row["ci95_high"]), d.mean() + half, rtol=1e-3, atol=tol), (name, row)
        differing += bool(d.any())
    k = names.index("hours_per_gp_fte_2023_24")
    assert (b_values[:, k] > a_values[:, k]).all()  # without substitution GPs work more in every replicate
    assert differing > 5, differing

    # Four runs in one table, the base first: a policy from 2021 (its first dated
    # difference), the no-substitution run and an unpaired run (another seed: Welch).
    late = os.path.join(tmp, "late.h5")
    run("run", small, "--replicates", "6", "--set", "name=pot-2021", "--out", late,
        "--set", "funding.arrs_national_pot_gbp={scale: 1.5, from: 2021-04-01}")
    other_seed = os.path.join(tmp, "seed.h5")
    run("run", small, "--replicates", "4", "--seed", "7", "--out", other_seed)
    four = os.path.join(tmp, "four.csv")
    proc = run("compare", one, late, changed, other_seed, "--csv", four)
    headers = [line for line in proc.stdout.splitlines() if line.startswith("outcome ")]
    assert len(headers) == 1, proc.stdout  # one side-by-side table, not pairwise tables
    # Columns in the order given; runs of one scenario are told apart by their file names.
    order = [headers[0].find(n) for n in ("synthetic-small (t1)", "pot-2021", "synthetic-small (nosub)",
                                          "synthetic-small (seed)")]
    assert headers[0].split()[:2] == ["outcome", "units"] and -1 not in order and order == sorted(order), headers
    assert headers[0].split().count("difference") == 3, headers
    assert "pot-2021 (" in proc.stdout and "differs from 2021-04-01" in proc.stdout, proc.stdout
    assert "differs from 2019-04-01" in proc.stdout  # a scalar change acts from the calendar start
    table_text = proc.stdout.split("\nparameters of ")[0]
    assert "£m" in table_text and " % " in table_text and "e+0" not in table_text, table_text
    # The footnote only with a starred row (the substitution run has some).
    assert ("* the 95% interval excludes zero" in proc.stdout) == any(
        line.rstrip().endswith("*") for line in proc.stdout.splitlines() if not line.startswith("*")), proc.stdout
    with open(four) as fh:
        long_rows = list(csv.DictReader(fh))
    scenarios = [r["scenario"] for r in long_rows]
    assert scenarios[:len(names)] == ["synthetic-small (t1)"] * len(names) and len(long_rows) == 4 * len(names), scenarios[:3]
    by = {(r["scenario"], r["outcome"]): r for r in long_rows}
    assert {r["takes_effect"] for r in long_rows if r["scenario"] == "pot-2021"} == {"2021-04-01"}
    assert by[("pot-2021", "arrs_wte_2020_21")]["difference"] in ("0", "-0"), by[("pot-2021", "arrs_wte_2020_21")]
    assert float(by[("pot-2021", "arrs_wte_2023_24")]["difference"]) > 0
    assert {r["paired"] for r in long_rows if r["file"] == other_seed} == {"0"}  # other seeds: Welch
    for r in long_rows:
        if r["baseline"] == "0" and r["ci95_low"]:
            lo, hi = float(r["ci95_low"]), float(r["ci95_high"])
            assert r["significant"] == ("1" if lo > 0 or hi < 0 else "0"), r

    # Different practices or calendars: refused (exit 2) unless --force, which warns.
    teaching = os.path.join(tmp, "teaching.h5")
    run("run", in_source("scenarios", "teaching-10.yaml"), "--out", teaching)
    shorter = os.path.join(tmp, "shorter.h5")
    run("run", small, "--set", "calendar.end=2023-03-31", "--out", shorter)
    proc = run("compare", single, teaching, shorter, "--csv", os.path.join(tmp, "never.csv"), expect=2)
    assert "teaching.h5: its practices differ" in proc.stderr and "calendar.end" in proc.stderr, proc.stderr
    assert "--force" in proc.stderr and not os.path.exists(os.path.join(tmp, "never.csv"))
    proc = run("compare", single, teaching, "--force")
    assert "warning:" in proc.stderr and "WARNING (--force)" in proc.stdout, (proc.stderr, proc.stdout)

    # Bad input: exit 2, a message naming the file, nothing written.
    missing = os.path.join(tmp, "missing.h5")
    proc = run("compare", one, missing, expect=2)
    assert missing in proc.stderr and "no such output file" in proc.stderr, proc.stderr
    junk = os.path.join(tmp, "junk.h5")
    with open(junk, "w") as fh:
        fh.write("not hdf5")
    proc = run("compare", junk, one, "--csv", os.path.join(tmp, "never.csv"), expect=2)
    assert junk in proc.stderr, proc.stderr
    assert not os.path.exists(os.path.join(tmp, "never.csv"))
    with h5py.File(os.path.join(tmp, "other.h5"), "w") as f:
        f["x"] = 1
    proc = run("compare", one, os.path.join(tmp, "other.h5"), expect=2)
    assert "not a pcnsim output" in proc.stderr, proc.stderr
    proc = run("compare", one, one, "--csv", os.path.join(tmp, "self.csv"), expect=2)  # exists, no --overwrite
    assert "self.csv" in proc.stderr
    run("compare", one, expect=2)
    run("run", small, "--replicates", "0", "--out", os.path.join(tmp, "zero.h5"), expect=2)
    assert not os.path.exists(os.path.join(tmp, "zero.h5"))
print("ensemble layout, thread independence and compare errors: ok")
