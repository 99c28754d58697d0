"""Every scenario in scenarios/ loads and runs on a small synthetic population, and
each policy scenario moves its outcome in the direction its description states,
against the baseline on the same population with the same seed (several seeds).
Usage: test_scenarios.py PCNSIM_BINARY SOURCE_DIR"""
import glob
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np

binary, source = sys.argv[1], sys.argv[2]
scenario_dir = os.path.join(source, "scenarios")
SEEDS = [20190701, 1, 2]
# The baseline's own synthetic block (600 practices, 10 commissioners) is the small
# population; scenarios that set their own synthetic sizes (teaching-10) keep them.
SMALL = ["--set", "population.source=synthetic"]


class Run:
    """The national series of one output file, read once."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.name = str(f.attrs["scenario_name"])
            self.time = f["series/networks/time"][:].astype(str)
            self.series = {m: f["series"][m]["value"][:] for m in f["series"]}
            self.networks = int(f["series/networks/value"][-1])  # live at the end, not ever formed

    def mean(self, metric, start="0000", end="9999"):
        """Mean of a weekly series over the weeks starting in [start, end)."""
        weeks = (self.time >= start) & (self.time < end)
        assert weeks.any(), (metric, start, end)
        return float(self.series[metric][weeks].mean())

    def before(self, metric, date):
        return self.series[metric][self.time < date]


def run(args):
    name, scenario, seed, out = args
    started = time.monotonic()
    proc = subprocess.run([binary, "run", scenario, "--out", out, "--seed", str(seed), *SMALL],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, f"{os.path.basename(scenario)} seed {seed}: exit {proc.returncode}\n{proc.stderr}"
    return name, seed, Run(out), time.monotonic() - started


failures = []


def check(ok, message):
    print(("ok   " if ok else "FAIL ") + message)
    if not ok:
        failures.append(message)


def same_until(base, scen, metric, date, label):
    a, b = base.before(metric, date), scen.before(metric, date)
    check(np.array_equal(a, b), f"{label}: {metric} identical to the baseline before {date}")


def arrs_pot_plus_50(base, scen, seed):
    same_until(base, scen, "arrs_wte", "2021-04-01", f"arrs-pot-plus-50 seed {seed}")
    b, s = base.mean("arrs_wte", "2022-04-01", "2023-04-01"), scen.mean("arrs_wte", "2022-04-01", "2023-04-01")
    check(s > 1.1 * b, f"arrs-pot-plus-50 seed {seed}: mean ARRS WTE 2022/23 {s:.0f} > 1.1 x baseline {b:.0f}")
    b, s = base.mean("hours_per_gp_fte", "2022-04-01"), scen.mean("hours_per_gp_fte", "2022-04-01")
    check(s < b, f"arrs-pot-plus-50 seed {seed}: GP hours/FTE from 2022/23 {s:.2f} < baseline {b:.2f}")


def cd_funding_doubled(base, scen, seed):
    b, s = base.mean("cd_funded_hours"), scen.mean("cd_funded_hours")
    check(s > 1.5 * b, f"cd-funding-doubled seed {seed}: mean CD funded hours {s:.0f} > 1.5 x baseline {b:.0f}")
    b, s = base.mean("cd_funded_hours", "2022-04-01"), scen.mean("cd_funded_hours", "2022-04-01")
    check(1.8 * b < s < 2.2 * b, f"cd-funding-doubled seed {seed}: CD funded hours from 2022/23 {s:.0f} about 2 x {b:.0f}")
    b, s = base.mean("cd_mean_strain"), scen.mean("cd_mean_strain")
    check(s < b, f"cd-funding-doubled seed {seed}: mean CD strain {s:.3f} < baseline {b:.3f}")


def cd_funding_doubled_all(pairs):
    b = sum(base.series["cd_resignations"].sum() for base, _ in pairs)
    s = sum(scen.series["cd_resignations"].sum() for _, scen in pairs)
    check(s <= b, f"cd-funding-doubled, all seeds: CD resignations {s:.0f} <= baseline {b:.0f}")


def management_funding(base, scen, seed):
    same_until(base, scen, "networks_with_manager", "2020-04-01", f"management-funding seed {seed}")
    b = base.mean("networks_with_manager", "2020-04-01", "2022-04-01")
    s = scen.mean("networks_with_manager", "2020-04-01", "2022-04-01")
    check(s > b, f"management-funding seed {seed}: networks with a manager 2020/21-2021/22 {s:.1f} > baseline {b:.1f}")
    b, s = base.mean("cd_support_hours", "2020-04-01"), scen.mean("cd_support_hours", "2020-04-01")
    check(s > b, f"management-funding seed {seed}: CD support hours from 2020/21 {s:.0f} > baseline {b:.0f}")


def no_arrs_substitution(base, scen, seed):
    check(not scen.series["gp_hours_substituted"].any(), f"no-arrs-substitution seed {seed}: no GP hours substituted")
    check(base.series["gp_hours_substituted"].max() > 0, f"no-arrs-substitution seed {seed}: the baseline substitutes")
    b, s = base.mean("hours_per_gp_fte", "2021-04-01"), scen.mean("hours_per_gp_fte", "2021-04-01")
    check(s > b + 1, f"no-arrs-substitution seed {seed}: GP hours/FTE from 2021/22 {s:.2f} > baseline {b:.2f} + 1")
    # Recruitment differs only through management capacity (GP time -> IIF
    # money reinvested in managers -> recruitment readiness): within 5%.
    b, s = base.mean("arrs_wte", "2021-04-01"), scen.mean("arrs_wte", "2021-04-01")
    check(abs(s - b) <= 0.05 * b, f"no-arrs-substitution seed {seed}: ARRS WTE from 2021/22 {s:.0f} within 5% of baseline {b:.0f}")


def no_commissioner_support(base, scen, seed):
    same_until(base, scen, "cd_support_hours", "2020-04-01", f"no-commissioner-support seed {seed}")
    b, s = base.mean("cd_support_hours", "2020-04-01"), scen.mean("cd_support_hours", "2020-04-01")
    check(s < b, f"no-commissioner-support seed {seed}: CD support hours from 2020/21 {s:.0f} < baseline {b:.0f}")
    b, s = base.mean("cd_mean_strain", "2020-04-01"), scen.mean("cd_mean_strain", "2020-04-01")
    check(s > b, f"no-commissioner-support seed {seed}: mean CD strain from 2020/21 {s:.3f} > baseline {b:.3f}")


def teaching_10(base, scen, seed):
    check(len(scen.series["networks"]) > 0 and 1 <= scen.networks <= 3,
          f"teaching-10 seed {seed}: {scen.networks} live networks at the end (1 to 3)")


# Per scenario: a check of each seed's pair (baseline, scenario), and optionally
# one over all seeds together (for counts too noisy for one seed).
EFFECTS = {
    "arrs-pot-plus-50": (arrs_pot_plus_50, None),
    "cd-funding-doubled": (cd_funding_doubled, cd_funding_doubled_all),
    "management-funding": (management_funding, None),
    "no-arrs-substitution": (no_arrs_substitution, None),
    "no-commissioner-support": (no_commissioner_support, None),
    "teaching-10": (teaching_10, None),
}

scenarios = sorted(glob.glob(os.path.join(scenario_dir, "*.yaml")))
names = [os.path.splitext(os.path.basename(p))[0] for p in scenarios]
assert "baseline" in names, names
missing = sorted(set(EFFECTS) - set(names))
check(not missing, f"every scenario with an expected effect is in scenarios/ (missing: {missing})")

started = time.monotonic()
with tempfile.TemporaryDirectory() as tmp:
    jobs = [(name, path, seed, os.path.join(tmp, f"{name}-{seed}.h5"))
            for path, name in zip(scenarios, names) for seed in SEEDS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, jobs))
runs = {(name, seed): result for name, seed, result, _ in results}
seconds = {(name, seed): s for name, seed, _, s in results}

for path, name in zip(scenarios, names):
    with open(path) as f:
        text = f.read()
    check(runs[(name, SEEDS[0])].name == name, f"{name}: scenario name matches the file name")
    if name != "baseline":
        check(text.startswith("#") and "\ndescription:" in text and "extends: baseline.yaml" in text,
              f"{name}: header comment, description and extends: baseline.yaml")
    if name not in EFFECTS:
        print(f"note {name}: ran; no expected effect to check")
        continue
    per_seed, all_seeds = EFFECTS[name]
    pairs = [(runs[("baseline", seed)], runs[(name, seed)]) for seed in SEEDS]
    for seed, (base, scen) in zip(SEEDS, pairs):
        per_seed(base, scen, seed)
    if all_seeds:
        all_seeds(pairs)

if "teaching-10" in names:
    slowest = max(seconds[("teaching-10", seed)] for seed in SEEDS)
    check(slowest < 1.0, f"teaching-10 runs in under a second (slowest {slowest:.2f} s, with process start)")
print(f"{len(jobs)} runs in {time.monotonic() - started:.1f} s (slowest {max(seconds.values()):.2f} s)")
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("every scenario ran and moved its outcomes in the documented direction")
