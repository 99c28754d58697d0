"""One number everywhere: for the same run, the run summary, `validate`, the
file's key outcomes (/outcomes), `compare` and the report give the same
networks formed in 2019, the same size-band shares and the same GP hours per
FTE (the mean week of each financial year). /networks holds the networks
split off later too, so counting its rows would give a different number; the
run used here has such split-offs, so that mistake would show.
Usage: test_one_number.py PCNSIM_BINARY SOURCE_DIR"""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

import h5py

binary, source = sys.argv[1], sys.argv[2]
scenario = os.path.join(source, "scenarios", "synthetic-small.yaml")
tool = os.path.join(source, "tools", "pcnsim_report.py")


def run(*args):
    proc = subprocess.run([binary, *args], capture_output=True, text=True)
    assert proc.returncode in (0, 1), (args, proc.stderr)
    return proc.stdout


def close(a, b, digits):
    """Equal once both are rounded as the coarser text shows them."""
    return round(a, digits) == round(b, digits)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "run.h5")
    summary = run("run", scenario, "--out", out)

    # The file's key outcomes: the reference.
    with h5py.File(out, "r") as f:
        names = list(f["outcomes/name"][:].astype(str))
        values = dict(zip(names, f["outcomes/value"][0, :]))
        assert len(f["networks/id"]) > values["networks_formed"], "no split-off: the check proves nothing"
    formed = values["networks_formed"]
    years = sorted(k[len("hours_per_gp_fte_"):] for k in names if k.startswith("hours_per_gp_fte_"))
    assert len(years) == 5, years

    # The run summary.
    m = re.search(r"networks formed: (\d+);", summary)
    assert m and int(m.group(1)) == formed, (formed, summary)
    m = re.search(r"size bands: ([0-9.]+)% under 30k, ([0-9.]+)% in 30-50k", summary)
    assert m, summary
    assert close(float(m.group(1)), 100 * values["share_networks_under_30k"], 1), (m.group(1), values)
    assert close(float(m.group(2)), 100 * values["share_networks_30k_50k"], 1), (m.group(2), values)
    hours = re.findall(r"^  (\d{4})/(\d\d): .*; ([0-9.]+) GP hours/FTE/week \(mean week\)", summary, re.M)
    assert len(hours) == len(years), summary
    for first, second, h in hours:
        key = f"hours_per_gp_fte_{first}_{second}"
        assert close(float(h), values[key], 1), (key, h, values[key])

    # validate (the same scenario and seed, simulated again).
    rows = {}
    for line in run("validate", scenario, "--membership", "none", "--history", "none").splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "formation":
            rows[parts[1]] = float(parts[3])
    assert rows["networks"] == formed, rows
    assert close(rows["share_under_30k"], values["share_networks_under_30k"], 3), rows
    assert close(rows["share_in_30k_50k"], values["share_networks_30k_50k"], 3), rows

    # compare: the baseline column of the file against itself.
    table = {}
    for line in run("compare", out, out).splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] in values:
            table[parts[0]] = float(parts[2].replace(",", ""))
    assert table["networks_formed"] == formed, table
    for y in years:
        key = f"hours_per_gp_fte_{y}"
        assert close(table[key], values[key], 1), (key, table[key], values[key])

    # The report's formation chart.
    spec = importlib.util.spec_from_file_location("pcnsim_report", tool)
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    with h5py.File(out, "r") as f:
        sizes = report.formed_at_deadline(f)
    assert len(sizes) == formed, (len(sizes), formed)
    assert close(100 * ((sizes >= 30000) & (sizes <= 50000)).mean(), 100 * values["share_networks_30k_50k"], 6)
    assert close(100 * (sizes < 30000).mean(), 100 * values["share_networks_under_30k"], 6)

print(f"summary, validate, outcomes, compare and report agree: {formed:.0f} networks formed, size bands, "
      f"GP hours per FTE in {len(years)} years")
