"""Sweeps: Sobol and Morris recover the known indices of test functions;
threads, MPI ranks and interruptions (--stop-after, SIGTERM, SIGKILL) never
change the file's datasets; --resume completes only the missing runs; design
export and `run --design --row` reproduce a sweep's run; bad sweep files exit 2
naming the place. Usage: test_sweep.py PCNSIM_BINARY SOURCE_DIR"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import h5py
import numpy as np

from harness import binary, in_source, same_datasets, source
from harness import pcnsim as run

sweeps = in_source("sweeps")
small = in_source("tests", "data", "sweep-small.yaml")


def valid_checkpoint(path, runs):
    """A file left by an interruption is absent or a complete HDF5 file whose done runs have outcomes."""
    if not os.path.exists(path):
        return 0
    with h5py.File(path, "r") as f:
        done = f["runs/done"][:]
        outcomes = f["runs/outcomes"][:]
        assert len(done) == runs and f.attrs["runs_done"] == done.sum()
        assert not np.isnan(outcomes[done == 1]).any() and np.isnan(outcomes[done == 0]).all()
        return int(done.sum())


with tempfile.TemporaryDirectory() as tmp:
    # Sobol on Ishigami: every analytic index inside its bootstrap interval.
    out = os.path.join(tmp, "ishigami.h5")
    run("sweep", os.path.join(sweeps, "ishigami-sobol.yaml"), "--out", out, "--quiet")
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1 and f["design/unit"].shape == (4096 * 5, 3)
        for key, truth in [("s1", [0.3139, 0.4424, 0.0]), ("st", [0.5576, 0.4424, 0.2437])]:
            est, lo, hi = f[f"sensitivity/{key}"][0], f[f"sensitivity/{key}_low"][0], f[f"sensitivity/{key}_high"][0]
            for i, t in enumerate(truth):
                assert lo[i] <= t <= hi[i], (key, i, lo[i], est[i], hi[i], t)
                assert abs(est[i] - t) < 0.05, (key, i, est[i], t)
    # Morris on a linear function: mu* = coefficient x range exactly, no interaction.
    out = os.path.join(tmp, "linear.h5")
    run("sweep", os.path.join(sweeps, "linear-morris.yaml"), "--out", out, "--quiet")
    with h5py.File(out, "r") as f:
        assert np.allclose(f["sensitivity/mu_star"][0], [1.0, 4.0, 1.5], atol=1e-9)
        assert np.allclose(f["sensitivity/mu"][0], [1.0, 4.0, 1.5], atol=1e-9)
        assert np.allclose(f["sensitivity/sigma"][0], 0.0, atol=1e-9)
        assert (f["sensitivity/mu_star_low"][0] <= f["sensitivity/mu_star"][0] + 1e-12).all()

    # The simulator: one thread, two threads and two MPI ranks give the same file.
    one, two, ranks = (os.path.join(tmp, n) for n in ("one.h5", "two.h5", "ranks.h5"))
    t0 = time.monotonic()
    run("sweep", small, "--out", one, "--threads", "1", "--quiet")
    single_thread_seconds = time.monotonic() - t0
    run("sweep", small, "--out", two, "--threads", "2", "--quiet")
    same_datasets(one, two)
    mpirun = shutil.which("mpirun")
    if mpirun:
        proc = subprocess.run([mpirun, "-n", "2", "--oversubscribe", "--allow-run-as-root", binary, "sweep", small,
                               "--out", ranks, "--threads", "1", "--quiet"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        same_datasets(one, ranks)
    else:
        print("mpirun not found: MPI comparison skipped")
    with h5py.File(one, "r") as f:
        runs = len(f["runs/done"])
        assert runs == 12 and f["runs/done"][:].all() and f["sensitivity/mu_star"].shape == (2, 3)
        # Outputs (rows): resignations 2020/21, ARRS WTE 2022/23; factors (columns): resignation
        # rate per unit strain, commissioner support, ARRS pot scale. A higher resignation rate
        # raises resignations, more commissioner support does not raise them, and a bigger pot
        # buys more staff (signed elementary effects, mu).
        mu = f["sensitivity/mu"][:]
        assert mu[0, 0] > 0 and mu[0, 1] <= 0 and mu[1, 2] > 0, mu

    # Interrupted and resumed sweeps equal the uninterrupted one.
    stopped = os.path.join(tmp, "stopped.h5")
    proc = run("sweep", small, "--out", stopped, "--stop-after", "5", "--quiet", "--threads", "2", expect=130)
    assert "--resume" in proc.stderr
    assert 5 <= valid_checkpoint(stopped, runs) < runs
    with h5py.File(stopped, "r") as f:
        assert f.attrs["complete"] == 0 and "sensitivity" not in f
    run("sweep", small, "--out", stopped, "--resume", "--quiet")
    same_datasets(one, stopped)
    run("sweep", small, "--out", stopped, "--quiet", expect=2)  # exists: no overwrite without --overwrite
    interrupted = 0
    for sig, code in [(signal.SIGTERM, 143), (signal.SIGKILL, -9)]:
        path = os.path.join(tmp, f"signal{int(sig)}.h5")
        proc = subprocess.Popen([binary, "sweep", small, "--out", path, "--quiet", "--threads", "1",
                                 "--checkpoint", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.4 * single_thread_seconds)  # well before it would finish
        proc.send_signal(sig)
        rc = proc.wait()
        assert rc in (code, 0), (sig, rc)  # 0 only if it finished first
        interrupted += rc == code
        done = valid_checkpoint(path, runs)
        leftovers = [n for n in os.listdir(tmp) if n.startswith(f"signal{int(sig)}.h5") and n != f"signal{int(sig)}.h5"]
        if sig == signal.SIGTERM:
            assert not leftovers, leftovers  # a clean stop removes its temporary file
        if done:
            run("sweep", small, "--out", path, "--resume", "--quiet")
        else:
            run("sweep", small, "--out", path, "--quiet", "--overwrite")
        same_datasets(one, path)
    assert interrupted > 0, "neither signal arrived before the sweep finished: the stop paths went untested"

    # Design export, and one row run by the simulator.
    design = os.path.join(tmp, "design.csv")
    run("design", small, "--out", design)
    rows = open(design).read().splitlines()
    assert rows[0] == ("row,cd_workload.resignation_per_strain_per_year,"
                       "management.commissioner_support_hours_week,scale(funding.arrs_national_pot_gbp)"), rows[0]
    assert len(rows) == 1 + 12
    single = os.path.join(tmp, "row7.h5")
    run("run", os.path.join(source, "scenarios", "baseline.yaml"), "--set", "population.source=synthetic",
        "--design", design, "--row", "7", "--out", single)
    with h5py.File(single, "r") as s, h5py.File(one, "r") as f:
        names = list(f["outcomes/name"][:].astype(str))
        assert names == list(s["outcomes/name"][:].astype(str))
        assert np.array_equal(s["outcomes/value"][0], f["runs/outcomes"][7], equal_nan=True), \
            "row 7 differs from the sweep's run"
    run("run", os.path.join(source, "scenarios", "baseline.yaml"), "--design", design, "--row", "99",
        "--out", os.path.join(tmp, "none.h5"), expect=2)
    assert not os.path.exists(os.path.join(tmp, "none.h5"))

    # Bad sweep files: exit 2, every problem with file and line, nothing written.
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write(f"""name: bad
base: {os.path.join(source, "scenarios", "baseline.yaml")}
desing: {{method: morris}}
design: {{method: morriss, samples: 0}}
replicates: -1
factors:
  - {{path: cd_workload.resignation_per_strain_per_yeer, min: 0, max: 1}}
  - {{path: cd_workload.vacancy_weeks, min: 5, max: 1}}
  - {{path: funding.arrs_national_pot_gbp, min: 0, max: 1}}
  - {{path: cd_workload.unmanageable_strain, min: 0, max: 1000}}
""")
    proc = run("sweep", bad, "--out", os.path.join(tmp, "bad.h5"), expect=2)
    err = proc.stderr
    for text in ["bad.yaml:3:1: 'desing': unknown key; did you mean 'design'?",
                 "'design.method': must be one of", "'design.samples': value 0 is out of range",
                 "'replicates': value -1 is out of range", "did you mean 'cd_workload.resignation_per_strain_per_year'",
                 "'factors[1].max': must be greater than min", "add scale: true",
                 "value 1000 is not valid for 'cd_workload.unmanageable_strain'"]:
        assert text in err, (text, err)
    assert not os.path.exists(os.path.join(tmp, "bad.h5"))
    run("sweep", os.path.join(tmp, "missing.yaml"), expect=2)
    run("sweep", small, "--out", os.path.join(tmp, "x.h5"), "--resume", expect=2)  # nothing to resume
print("sweeps: known indices recovered; threads, ranks and interruptions do not change results")
