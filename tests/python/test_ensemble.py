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
    assert "parameters that differ (0):" in proc.stdout, proc.stdout
    rows = open(os.path.join(tmp, "self.csv")).read().splitlines()
    header = rows[0].split(",")
    for row in rows[1:]:
        cells = row.split(",")
        assert float(cells[header.index("difference")]) == 0.0, row
        assert cells[header.index("paired")] == "1"
    # compare against a real change (no ARRS substitution), recomputed here from the two
    # files' per-replicate outcomes: paired differences (same seeds), their mean and a
    # 95% t interval (t(0.975, 5) = 2.5706).
    changed = os.path.join(tmp, "nosub.h5")
    run("run", small, "--replicates", "6", "--threads", "2", "--set", "gp_workload.substitution=false", "--out", changed)
    run("compare", one, changed, "--csv", os.path.join(tmp, "nosub.csv"))
    with open(os.path.join(tmp, "nosub.csv")) as fh:
        table = {r["outcome"]: r for r in csv.DictReader(fh)}
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
