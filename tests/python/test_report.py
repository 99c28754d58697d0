"""tools/pcnsim_report.py on real outputs: a two-scenario report and a real
ensemble (pcnsim run --replicates 3) give report.html with one embedded, valid,
non-blank PNG per chart and a key-outcomes table matching /outcomes; unclaimed
ARRS money of an ensemble comes from the per-replicate outcomes with percentile
error bars (and from 2-D /finance/national in the older hand-made layout); bad
input and a non-empty output folder exit with code 2 and a message naming the
culprit, writing nothing. Usage: test_report.py PCNSIM_BINARY SOURCE_DIR"""
import base64
import importlib.util
import io
import os
import re
import shutil
import time
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


def section(page, stem):
    """The HTML of one report section."""
    start = page.index(f'<section id="{stem}">')
    return page[start:page.index("</section>", start)]


def check_outcomes(page, paths):
    """The key-outcomes table: one row per outcome of the files, one column per file,
    each cell the single value or median [p10, p90] of the file's /outcomes."""
    rows = re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td>((?:<td>[^<]*</td>)+)</tr>", section(page, "key-outcomes"))
    files = [h5py.File(p, "r") for p in paths]
    names = files[0]["outcomes/name"][:].astype(str)
    assert [r[0] for r in rows] == list(names), (len(rows), len(names))
    for name, cells in rows:
        cells = re.findall(r"<td>([^<]*)</td>", cells)
        assert len(cells) == len(files), cells
        for cell, f in zip(cells, files):
            values = f["outcomes/value"][:, list(f["outcomes/name"][:].astype(str)).index(name)]
            # Read the printed numbers back (not the report's own formatter) and
            # compare them with the file's values at the printed precision.
            printed = [float(x.replace(",", "")) for x in re.findall(r"-?[0-9][0-9,]*\.?[0-9]*(?:e[+-]?[0-9]+)?|nan", cell)]
            expected = [values[0]] if len(values) == 1 else list(np.percentile(values, [50, 10, 90]))
            assert len(printed) == len(expected), (name, cell)
            for p, e in zip(printed, expected):
                # Whole numbers from 1,000 up, else 4 significant figures.
                tolerance = 0.5 if abs(e) >= 1000 else 5e-4 * abs(e) + 1e-12
                assert (np.isnan(p) and np.isnan(e)) or abs(p - e) <= tolerance, (name, cell, e)
    for f in files:
        f.close()
    return dict(rows)


def attrs(path):
    with h5py.File(path, "r") as f:
        return {k: str(f.attrs[k]) for k in ["scenario_name", "seed", "software_version", "created"]}


def stack_finance(path, out):
    """The older hand-made ensemble layout: /finance/national with a leading
    replicate dimension (three made-up replicates), /outcomes of one run."""
    shutil.copyfile(path, out)
    with h5py.File(out, "r+") as f:
        for name in [f"finance/national/{n}" for n in f["finance/national"]]:
            keep, values = dict(f[name].attrs), f[name][:]
            del f[name]
            f[name] = np.stack([values, 1.1 * values, 0.9 * values])
            f[name].attrs.update(keep)
    return out


started = time.time()
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
    assert "10th-90th percentile" not in page and "Replicate 0" not in page  # single runs: no band, no note
    check_outcomes(page, [base, other])
    assert "from /finance/national" in section(page, "arrs_unclaimed")
    # The formation chart counts the networks formed at the deadline, as the
    # run summary and the key outcomes do (/networks also holds later split-offs).
    with h5py.File(base, "r") as f:
        names = list(f["outcomes/name"][:].astype(str))
        formed = int(f["outcomes/value"][0, names.index("networks_formed")])
        assert len(f["networks/id"]) > formed, "no network split off: the check below proves nothing"
    caption = section(page, "formation_sizes")
    assert f"{formed} networks formed in 2019" in caption, (formed, caption)

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

    # A real ensemble: series drawn as the median with a 10th-90th band, unclaimed money
    # from the per-replicate outcomes with error bars, networks of replicate 0 only.
    ensemble = simulate("synthetic-small.yaml", os.path.join(tmp, "ensemble.h5"), "--replicates", "3", "--quiet")
    out = os.path.join(tmp, "ensemble-report")
    result = report(ensemble, "--out", out)
    assert result.returncode == 0, result.stderr
    page = check_report(out, SINGLE_CHARTS, "Median of 3 replicates", "Key outcomes")
    unclaimed = section(page, "arrs_unclaimed")
    assert "error bars: 10th-90th percentile across replicates" in unclaimed, unclaimed
    assert "key outcomes arrs_unclaimed_gbp_YYYY_YY" in unclaimed, unclaimed
    assert "Replicate 0 only (of 3" in section(page, "formation_sizes")
    assert "Replicate 0" not in section(page, "gp_workload")  # national series have every replicate
    cells = check_outcomes(page, [ensemble])
    with h5py.File(ensemble, "r") as f:
        names = list(f["outcomes/name"][:].astype(str))
        wte = f["outcomes/value"][:, names.index("arrs_wte_2022_23")]
        assert len(wte) == 3 and len(cells) == len(names)
        # One cell written out by hand: median [p10, p90] of three replicates.
        printed = [float(x.replace(",", "")) for x in re.findall(r"[0-9][0-9,]*", cells["arrs_wte_2022_23"])]
        assert np.allclose(printed, np.percentile(wte, [50, 10, 90]), atol=0.5), (printed, wte)
        run = report_module.Output(ensemble)
        assert run.replicates() == 3
        years, gbp, share, units, where = report_module.unclaimed_by_year(run)
        assert where == "outcomes" and units == "GBP" and gbp.shape == share.shape == (3, len(years))
        assert np.array_equal(gbp[:, list(years).index(2022)], f["outcomes/value"][:, names.index(
            "arrs_unclaimed_gbp_2022_23")])
        dates, central, low, high, units, _ = run.series("hours_per_gp_fte")
        assert units == "hours/week" and len(dates) == len(central) == len(low) == len(high)
        assert (low <= central).all() and (central <= high).all() and (high - low).max() > 0
        assert np.array_equal(run.series("arrs_wte")[1], f["summary/arrs_wte/median"][:])  # summary preferred
        assert np.allclose(central, np.median(f["series/hours_per_gp_fte/value"][:], axis=0))
    run.file.close()

    # The older hand-made layout (2-D /finance/national, one row of /outcomes): error bars from finance.
    run = report_module.Output(stack_finance(base, os.path.join(tmp, "stacked.h5")))
    fig, _, caption = report_module.chart_arrs_unclaimed(run)
    report_module.plt.close(fig)
    assert "from /finance/national" in caption and "Bars: median of 3 replicates" in caption, caption
    run.file.close()
    one, none_low, none_high = report_module.summarise(np.arange(4.0))
    assert none_low is None and none_high is None and (one == np.arange(4.0)).all()

print(f"report: two-scenario and ensemble reports valid, key outcomes match /outcomes; bad input and non-empty "
      f"folders exit 2 ({time.time() - started:.1f} s)")
