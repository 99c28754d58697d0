"""tools/pcnsim_report.py on real outputs: a two-scenario report and an ensemble-
layout file give report.html with one embedded, valid, non-blank PNG per chart;
bad input and a non-empty output folder exit with code 2 and a message naming
the culprit, writing nothing. Usage: test_report.py PCNSIM_BINARY SOURCE_DIR"""
import base64
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402

binary, source = sys.argv[1], sys.argv[2]
tool = os.path.join(source, "tools", "pcnsim_report.py")
scenarios = os.path.join(source, "scenarios")
PNG = b"\x89PNG\r\n\x1a\n"
SINGLE_CHARTS = ["formation_sizes", "arrs_wte_by_role", "arrs_unclaimed", "cd_hours_by_source", "gp_workload"]

spec = importlib.util.spec_from_file_location("pcnsim_report", tool)
report_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report_module)


def simulate(scenario, out, *extra):
    subprocess.run([binary, "run", os.path.join(scenarios, scenario), "--out", out, *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def report(*args):
    return subprocess.run([sys.executable, tool, *args], capture_output=True, text=True)


def check_png(data, what):
    assert data[:8] == PNG, f"{what}: not a PNG"
    assert len(data) > 5000, f"{what}: only {len(data)} bytes"
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 400, f"{what}: {pixels.shape}"
    rgba = np.round(pixels * 255).astype(np.uint8)
    if rgba.shape[2] == 3:
        rgba = np.concatenate([rgba, np.full(rgba.shape[:2] + (1,), 255, np.uint8)], axis=2)
    colours = len(np.unique(np.ascontiguousarray(rgba).view(np.uint32)))
    assert pixels.var() > 1e-3 and colours > 20, f"{what}: nearly one colour ({colours} colours)"


def check_report(out, charts, *texts):
    """report.html embeds exactly the expected charts, each equal to its PNG file."""
    with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
        page = f.read()
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert page.count("<img") == len(images) == len(charts), (len(images), charts)
    assert page.count("<figcaption>") == len(charts)
    for stem, payload in zip(charts, images):
        data = base64.b64decode(payload, validate=True)
        check_png(data, f"embedded {stem}")
        with open(os.path.join(out, f"{stem}.png"), "rb") as f:
            assert f.read() == data, f"{stem}.png differs from the embedded image"
        assert f'<section id="{stem}">' in page, stem
    assert sorted(os.listdir(out)) == sorted([f"{c}.png" for c in charts] + ["report.html"]), os.listdir(out)
    for text in texts:
        assert text in page, f"report.html lacks {text!r}"
    return page


def attrs(path):
    with h5py.File(path, "r") as f:
        return {k: str(f.attrs[k]) for k in ["scenario_name", "seed", "software_version", "created"]}


def make_ensemble(runs, path):
    """An ensemble-layout file from single runs: every national series' value and
    the national finance gain a leading replicate dimension; /summary for one metric."""
    shutil.copyfile(runs[0], path)
    sources = [h5py.File(r, "r") for r in runs]
    with h5py.File(path, "r+") as f:
        names = [f"series/{m}/value" for m in f["series"]] + [f"finance/national/{n}" for n in f["finance/national"]]
        for name in names:
            keep = dict(f[name].attrs)
            del f[name]
            f[name] = np.stack([s[name][:] for s in sources])
            f[name].attrs.update(keep)
        values = f["series/arrs_wte/value"][:]
        for key, stat in [("mean", np.mean(values, 0)), ("median", np.median(values, 0)),
                          ("p10", np.percentile(values, 10, 0)), ("p90", np.percentile(values, 90, 0))]:
            f[f"summary/arrs_wte/{key}"] = stat
    for s in sources:
        s.close()
    return path


with tempfile.TemporaryDirectory() as tmp:
    base = simulate("synthetic-small.yaml", os.path.join(tmp, "base.h5"))
    other = simulate("no-commissioner-support.yaml", os.path.join(tmp, "other.h5"), "--set", "population.source=synthetic")

    # Two files: the detailed charts of the first and one comparison per key series.
    out = os.path.join(tmp, "report")
    result = report(base, other, "--out", out)
    assert result.returncode == 0, result.stderr
    compared = [f"compare_{m}" for m in report_module.KEY_SERIES]
    meta = attrs(base)
    page = check_report(out, SINGLE_CHARTS + compared, *meta.values(), "no-commissioner-support",
                        "published 58%", "hours/week", "WTE")
    assert "10th-90th percentile" not in page  # single runs have no band

    # The output folder: not empty -> exit 2 and untouched; --overwrite writes into it.
    before = {n: os.path.getmtime(os.path.join(out, n)) for n in os.listdir(out)}
    result = report(base, "--out", out)
    assert result.returncode == 2 and out in result.stderr and "--overwrite" in result.stderr, result
    assert {n: os.path.getmtime(os.path.join(out, n)) for n in os.listdir(out)} == before
    result = report(base, "--out", out, "--overwrite")
    assert result.returncode == 0, result.stderr
    assert report(base, "--out", os.path.join(out, "report.html")).returncode == 2  # a file, not a folder

    # Bad input files: exit 2 naming the file, nothing created.
    text_file = os.path.join(tmp, "notes.h5")
    with open(text_file, "w") as f:
        f.write("not HDF5\n")
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    for bad in [os.path.join(tmp, "missing.h5"), text_file, foreign]:
        target = os.path.join(tmp, "never")
        result = report(base, bad, "--out", target)
        assert result.returncode == 2, (bad, result)
        assert bad in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert not os.path.exists(target), "a folder was created for bad input"
    assert report(base).returncode == 2  # --out is required

    # Ensemble layout: 2-D series and finance give a median with a 10th-90th band.
    seeds = [simulate("synthetic-small.yaml", os.path.join(tmp, f"seed{s}.h5"), "--seed", str(s)) for s in (1, 2, 3)]
    ensemble = make_ensemble(seeds, os.path.join(tmp, "ensemble.h5"))
    out = os.path.join(tmp, "ensemble-report")
    result = report(ensemble, "--out", out)
    assert result.returncode == 0, result.stderr
    check_report(out, SINGLE_CHARTS, "Median of 3 replicates", "10th-90th percentile")
    run = report_module.Output(ensemble)
    assert run.replicates() == 3
    dates, central, low, high, units, _ = run.series("hours_per_gp_fte")
    assert units == "hours/week" and len(dates) == len(central) == len(low) == len(high)
    assert (low <= central).all() and (central <= high).all() and (high - low).max() > 0
    with h5py.File(ensemble, "r") as f:
        assert np.array_equal(run.series("arrs_wte")[1], f["summary/arrs_wte/median"][:])  # summary preferred
        assert np.array_equal(central, np.median(f["series/hours_per_gp_fte/value"][:], axis=0))
    one, none_low, none_high = report_module.summarise(np.arange(4.0))
    assert none_low is None and none_high is None and (one == np.arange(4.0)).all()

print("report: two-scenario and ensemble reports valid; bad input and non-empty folders exit 2")
