"""Calibration end to end on the synthetic country (calibrations/synthetic-small-demo.yaml):
threads and MPI ranks never change the file's datasets; --resume after --stop-after
or SIGTERM gives the uninterrupted file; the fragment of best values, run through
`extends:` or as --set overrides, reproduces the best evaluation's metrics; a fold
of a membership file is calibrated and the other reported; bad files exit 2 naming
the place. Usage: test_calibrate.py PCNSIM_BINARY SOURCE_DIR"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import h5py
import numpy as np

from harness import binary, in_source, same_datasets, source
from harness import pcnsim as run

demo = in_source("calibrations", "synthetic-small-demo.yaml")


def validate_any(*args):
    proc = subprocess.run([binary, "validate", *args, "--membership", "none"], capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    values = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^(formation|arrs|clinical_directors)\s+(\S+)\s+\S+\s+(\S+)\s", line)
        if m:
            values[f"{m.group(1)}.{m.group(2)}"] = float(m.group(3))
    return values


with tempfile.TemporaryDirectory() as tmp:
    path = lambda name: os.path.join(tmp, name)

    # One thread, two threads and two MPI ranks: the same datasets.
    t0 = time.monotonic()
    proc = run("calibrate", demo, "--out", path("one.h5"), "--threads", "1", "--quiet")
    one_thread_seconds = time.monotonic() - t0
    assert "best loss" in proc.stdout and "best values: " + path("one-best.yaml") in proc.stdout, proc.stdout
    t0 = time.monotonic()
    run("calibrate", demo, "--out", path("two.h5"), "--threads", "2", "--quiet")
    two_thread_seconds = time.monotonic() - t0
    same_datasets(path("one.h5"), path("two.h5"))
    mpirun = shutil.which("mpirun")
    if mpirun:
        proc = subprocess.run([mpirun, "-n", "2", "--oversubscribe", "--allow-run-as-root", binary, "calibrate", demo,
                               "--out", path("ranks.h5"), "--threads", "1", "--quiet"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        same_datasets(path("one.h5"), path("ranks.h5"))
    else:
        print("mpirun not found: MPI comparison skipped")
    # The fragments differ only in the file names of their header.
    strip = lambda p: [l for l in open(p) if not l.startswith("#   pcnsim calibrate")]
    assert strip(path("one-best.yaml")) == strip(path("two-best.yaml"))

    with h5py.File(path("one.h5"), "r") as f:
        assert f.attrs["kind"] == "calibration" and f.attrs["complete"] == 1
        assert f.attrs["calibration_yaml"] == open(demo).read()
        n = len(f["evaluations/loss"])
        phase = f["evaluations/phase"][:].astype(str)
        assert (phase == "lhs").sum() == 8 and n <= 8 + 2 * 12
        k, t, s = 2, 5, 2
        assert f["evaluations/unit"].shape == (n, k) and f["evaluations/simulated"].shape == (n, t, s)
        sim, mean = f["evaluations/simulated"][:], f["evaluations/simulated_mean"][:]
        assert np.allclose(sim.mean(axis=2), mean)
        # The loss from its definition: weight x ((mean - observed) / allowed)^2.
        observed, weight = f["evaluations/observed"][:], f["targets/weight"][:]
        tolerance, relative = f["targets/tolerance"][:], f["targets/relative"][:]
        allowed = np.where(relative == 1, tolerance * np.abs(observed), tolerance)
        assert np.allclose(((mean - observed) / allowed) ** 2 @ weight, f["evaluations/loss"][:])
        best = int(f["best/evaluation"][0])
        assert f["evaluations/loss"][best] == f["evaluations/loss"][:].min() == f["best/loss"][0]
        assert np.array_equal(f["best/value"][:], f["evaluations/value"][best])
        best_values = dict(zip(f["parameters/path"][:].astype(str), f["best/value"][:]))
        best_per_seed = dict(zip(f["targets/name"][:].astype(str), sim[best]))
        seeds = list(f["seeds"][:])
        assert list(f["local/done"][:]) == [1, 1] and list(f["local/evaluations"][:]) == [12, 12]

    # The fragment reproduces the best evaluation, run directly, extended, or as --set.
    fragment = path("one-best.yaml")
    text = open(fragment).read()
    assert "extends: " in text and "created" not in text
    sets = re.findall(r"--set (\S+)", text.split("# Run it")[1])
    assert len(sets) == 2, sets
    extending = path("extends-best.yaml")
    with open(extending, "w") as f:
        f.write(f"extends: {fragment}\nname: calibrated-demo\n")
    for seed_index, seed in enumerate(seeds):
        for values in (validate_any(fragment, "--set", f"seed={seed}"),
                       validate_any(extending, "--set", f"seed={seed}"),
                       validate_any(os.path.join(source, "scenarios", "synthetic-small.yaml"),
                                    *sum((["--set", s] for s in sets), []), "--set", f"seed={seed}")):
            for name, per_seed in best_per_seed.items():
                # validate prints 3 decimals
                assert abs(values[name] - round(per_seed[seed_index], 3)) < 1e-9, (name, values[name], per_seed)

    # Stopped after some evaluations (exit 130), then resumed: the uninterrupted file.
    stopped = path("stopped.h5")
    proc = run("calibrate", demo, "--out", stopped, "--stop-after", "13", "--quiet", "--threads", "2", expect=130)
    assert "--resume" in proc.stderr
    assert not os.path.exists(path("stopped-best.yaml"))  # no fragment before the end
    with h5py.File(stopped, "r") as f:
        assert f.attrs["complete"] == 0 and 13 <= len(f["evaluations/loss"]) < n
    run("calibrate", demo, "--resume", stopped, "--quiet", "--threads", "1")
    same_datasets(path("one.h5"), stopped)
    assert os.path.exists(path("stopped-best.yaml"))
    # Resuming into another file leaves the first alone; a complete file replays entirely.
    run("calibrate", demo, "--resume", stopped, "--out", path("replayed.h5"), "--quiet")
    same_datasets(path("one.h5"), path("replayed.h5"))
    run("calibrate", demo, "--out", stopped, "--quiet", expect=2)  # exists: no overwrite without --overwrite

    # SIGTERM: exit 143 with a checkpoint (or 0 if it finished first); resume completes it.
    interrupted = 0
    for attempt, fraction in enumerate([0.3, 0.15, 0.6]):
        term = path(f"term{attempt}.h5")
        proc = subprocess.Popen([binary, "calibrate", demo, "--out", term, "--quiet", "--threads", "1",
                                 "--checkpoint", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(fraction * one_thread_seconds)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait()
        assert rc in (143, 0), rc
        leftovers = [x for x in os.listdir(tmp) if x.startswith(f"term{attempt}.h5.tmp")]
        assert not leftovers, leftovers
        if rc == 143:
            interrupted += 1
            if os.path.exists(term):
                with h5py.File(term, "r") as f:
                    assert f.attrs["complete"] == 0
                run("calibrate", demo, "--resume", term, "--quiet")
            else:
                run("calibrate", demo, "--out", term, "--quiet")
        same_datasets(path("one.h5"), term)
        if interrupted:
            break
    assert interrupted, "SIGTERM never arrived before the calibration finished: the stop path went untested"

    # A fold of a membership file: the synthetic country's own 2019 networks
    # (seed 1), calibrated on one fold of its 10 commissioners, reported on the other.
    own = path("own.h5")
    run("run", os.path.join(source, "scenarios", "synthetic-small.yaml"), "--seed", "1", "--out", own)
    with h5py.File(own, "r") as f:
        codes = f["practices/code"][:].astype(str)
        network = f["practices/network"][0]
    with open(path("own.csv"), "w") as out:
        out.write("practice_code,pcn_code\n")
        for code, net in zip(codes, network):
            if net >= 0:
                out.write(f"{code},N{net}\n")
    fold_file = path("fold.yaml")
    with open(fold_file, "w") as out:
        out.write(f"""name: fold-demo
base: {os.path.join(source, "scenarios", "synthetic-small.yaml")}
membership: {{file: own.csv, commissioners: {{fold: 0, folds: 2, seed: 7}}}}
parameters:
  - {{path: relationships.noise_sd, min: 0.2, max: 1.5}}
targets:
  - {{target: membership.ari_per_commissioner, weight: 1}}
  - {{target: membership.together_nearest, weight: 1}}
  - {{target: formation.share_in_30k_50k, weight: 1}}
seeds: [1]
algorithm: {{starts: 4, local: sbplx, local_starts: 1, max_evaluations: 6}}
""")
    proc = run("calibrate", fold_file, "--out", path("fold.h5"), "--quiet")
    assert "held-out fold 1 (5 commissioners): loss" in proc.stdout, proc.stdout
    with h5py.File(path("fold.h5"), "r") as f:
        assert sorted(f["membership/commissioner"][:].astype(str)) == [f"C{i:03d}" for i in range(10)]
        folds = f["membership/fold"][:]
        assert (folds == 0).sum() == 5 and (folds == 1).sum() == 5
        compared = set(f["membership/compared"][:].astype(str))
        assert compared == set(f["membership/commissioner"][:].astype(str)[folds == 0])
        assert list(f["holdout/fold"][:]) == [1] and f["holdout/simulated_mean"].shape == (1, 3)
        # Formation rows do not depend on the fold; membership rows do.
        best = int(f["best/evaluation"][0])
        assert f["holdout/simulated_mean"][0, 2] == f["evaluations/simulated_mean"][best, 2]

    # Bad calibration files: exit 2, every problem with file and line, nothing written.
    bad = path("bad.yaml")
    with open(bad, "w") as out:
        out.write(f"""name: bad
base: {os.path.join(source, "scenarios", "synthetic-small.yaml")}
parameters:
  - {{path: relationships.noise_sb, min: 0.1, max: 1}}
  - {{path: relationships.a_dist, min: 2, max: 2}}
targets:
  - {{target: formation.netwroks, weight: 1}}
seeds: [1]
""")
    err = run("calibrate", bad, "--out", path("bad.h5"), expect=2).stderr
    for expected in ["bad.yaml:4:12: 'parameters[0].path': unknown parameter 'relationships.noise_sb'; did you mean "
                     "'relationships.noise_sd'?", "bad.yaml:5:47: 'parameters[1].max': must be greater than min",
                     "bad.yaml:7:14: 'targets[0].target': unknown target 'formation.netwroks'"]:
        assert expected in err, (expected, err)
    assert not os.path.exists(path("bad.h5")) and not os.path.exists(path("bad-best.yaml"))
    run("calibrate", demo, "--resume", path("nothing.h5"), expect=2)

print(f"calibrate: demo calibration {one_thread_seconds:.2f} s on 1 thread, {two_thread_seconds:.2f} s on 2; threads, "
      "ranks, interruptions and resume give the same file; the fragment reproduces the best evaluation")
