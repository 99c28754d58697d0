"""tools/pcnsim_report.py on real outputs. An ensemble pair (600-practice synthetic
baseline and no-commissioner-support, 3 replicates each) gives report.html (from the
template: relative links, no embedded images) with, for every chart, a 200-dpi PNG
(pHYs chunk), an SVG and a CSV; the ARRS WTE series' CSV equals the file's
/summary/arrs_wte, the difference charts' rows equal `pcnsim compare`'s CSV (WTE
exactly, money /1e6), the key-outcomes table matches /outcomes and compare; compare's
long CSV puts each policy's date (2020-04-01, 2021-04-01) in
the methods box and on every series chart, and its reader refuses a CSV without them. A synthetic or tiny population
(teaching-10) draws its networks' own sizes and no England bands; an England one the
published bands. Bad input, a missing pcnsim, a failing compare and a non-empty
folder exit 2 writing nothing; without Chromium the HTML is written and stderr says
why there is no PDF. Usage: test_report.py PCNSIM_BINARY SOURCE_DIR"""
import csv
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

import h5py
import matplotlib
import numpy as np

from harness import binary, in_source

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402

tool = in_source("tools", "pcnsim_report.py")
PNG = b"\x89PNG\r\n\x1a\n"
DETAIL = ["network_sizes", "arrs_wte_by_role", "arrs_unclaimed", "cd_hours_by_source"]
ENGLAND_DETAIL = ["formation_sizes", "formation_bands", "arrs_wte_by_role", "arrs_unclaimed", "cd_hours_by_source"]

spec = importlib.util.spec_from_file_location("pcnsim_report", tool)
report_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report_module)
SERIES = [f"series_{m}" for m in report_module.KEY_SERIES]

def simulate(scenario, out, *extra):
    subprocess.run([binary, "run", in_source("scenarios", scenario), "--out", out, "--quiet", *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def report(*args, env=None, pcnsim=binary, pdf=False):
    extra = (["--pcnsim", pcnsim] if pcnsim else []) + ([] if pdf else ["--no-pdf"])
    return subprocess.run([sys.executable, tool, *args, *extra], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def png_info(path):
    """(width, height, dots per inch) of a PNG from its IHDR and pHYs chunks."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == PNG, f"{path}: not a PNG"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    at, dpi = 8, None
    while at < len(data):
        length, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if kind == b"pHYs":
            x, y, unit = int.from_bytes(data[at + 8:at + 12], "big"), int.from_bytes(data[at + 12:at + 16], "big"), \
                data[at + 16]
            assert unit == 1 and x == y, (path, x, y, unit)  # pixels per metre
            dpi = x * 0.0254
        at += 12 + length
    return width, height, dpi, data


def check_chart(out, stem):
    """A 200-dpi, non-blank PNG, a parseable SVG, and a CSV with a header and rows of its width."""
    width, height, dpi, data = png_info(os.path.join(out, f"{stem}.png"))
    assert dpi is not None and round(dpi) == 200, (stem, dpi)
    assert width > 800 and height > 300, (stem, width, height)
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    rgba = np.round(pixels[::2, ::2] * 255).astype(np.uint8)
    if rgba.shape[2] == 3:
        rgba = np.concatenate([rgba, np.full(rgba.shape[:2] + (1,), 255, np.uint8)], axis=2)
    colours = len(np.unique(np.ascontiguousarray(rgba).view(np.uint32)))
    assert pixels.var() > 1e-3 and colours > 20, f"{stem}: nearly one colour ({colours} colours)"
    root = ElementTree.parse(os.path.join(out, f"{stem}.svg")).getroot()
    assert root.tag.endswith("svg"), stem
    rows = read_csv(os.path.join(out, f"{stem}.csv"))
    assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows), stem
    return rows


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def check_report(out, charts, *texts, pdf=False):
    """report.html links exactly the expected charts, each with its PNG, SVG and CSV."""
    with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
        page = f.read()
    assert "data:image" not in page and page.count("<img") == len(charts), (page.count("<img"), charts)
    expected = {"report.html"} | ({"report.pdf"} if pdf else set()) | \
               ({"compare.csv"} if any(c.startswith("difference_") for c in charts) else set())
    for stem in charts:
        check_chart(out, stem)
        assert f'<section class="chart" id="{stem}">' in page, stem
        for ext in ("png", "svg", "csv"):
            assert f'href="{stem}.{ext}"' in page, (stem, ext)
            expected.add(f"{stem}.{ext}")
        assert f'<img src="{stem}.png"' in page, stem
    assert set(os.listdir(out)) == expected, sorted(set(os.listdir(out)) ^ expected)
    for heading in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, re.S):
        assert not re.search(r"[a-z]_[a-z]", heading), f"raw identifier in heading {heading!r}"
    for slip in ("the baseline baseline", "baseline (baseline)", "dimensionless"):
        assert slip not in page, slip
    for text in texts:
        assert text in page, f"report.html lacks {text!r}"
    leftovers = [n for n in os.listdir(os.path.dirname(out)) if n.startswith(f".{os.path.basename(out)}.")]
    assert not leftovers, leftovers  # the staging folder was renamed into place
    return page


def section(page, stem):
    start = page.index(f'id="{stem}"')
    return page[start:page.index("</section>", start)]


def printed_numbers(cell):
    """The numbers of a table cell (£, m, %, pp, ± and thousands separators stripped)
    and the decimals each was printed with."""
    numbers = []
    for match in re.finditer(r"([+-]?)(?:±)?£?([0-9][0-9,]*(?:\.([0-9]+))?)", cell):
        sign, digits, decimals = match.groups()
        numbers.append((float(sign + digits.replace(",", "")), len(decimals or "")))
    return numbers


def close_to_print(printed, expected):
    value, decimals = printed
    return abs(value - expected) <= 0.5 * 10 ** -decimals + 1e-9


def check_outcomes(page, paths, compare_rows):
    """Key outcomes: per file mean [p10, p90] of /outcomes in display units; per other
    file the difference [95% interval] of compare's CSV."""
    rows = re.findall(r'<tr><td title="([^"]+)">[^<]*</td><td>([^<]*)</td>((?:<td class="num">.*?</td>)+)</tr>',
                      section(page, "key-outcomes"))
    files = [h5py.File(p, "r") for p in paths]
    names = list(files[0]["outcomes/name"][:].astype(str))
    assert sorted(r[0] for r in rows) == sorted(names), (len(rows), len(names))
    for name, units, row_html in rows:
        # Each file's value; under each other file's value its difference from the first.
        cells = re.findall(r'<td class="num">([^<]*)', row_html)
        cells += re.findall(r'<span class="difference[^"]*">([^<]*)</span>', row_html)
        assert len(cells) == 2 * len(files) - 1, (name, cells)
        scale = {"£m": 1e-6, "£m/week": 1e-6, "%": 100}.get(units, 1)
        for cell, f in zip(cells, files):
            values = f["outcomes/value"][:, list(f["outcomes/name"][:].astype(str)).index(name)]
            expected = [values.mean(), *np.percentile(values, [10, 90])] if len(values) > 1 else [values[0]]
            printed = printed_numbers(cell)
            assert len(printed) == len(expected), (name, cell)
            assert all(close_to_print(p, scale * e) for p, e in zip(printed, expected)), (name, cell, expected)
            assert ("£" in cell) == (units == "£m") and ("%" in cell) == (units == "%"), (name, units, cell)
        for cell, compared in zip(cells[len(files):], compare_rows):
            row = compared[name]
            expected = [float(row[k]) for k in ("difference", "ci95_low", "ci95_high")]
            printed = printed_numbers(cell)
            assert all(close_to_print(p, scale * e) for p, e in zip(printed, expected)), (name, cell, expected)
            assert units != "%" or "pp" in cell, cell  # a difference of shares is in percentage points
    for f in files:
        f.close()


def compare_csv(tmp, base, *others):
    """compare's own long CSV: [{outcome: row}] per other file, in the order given."""
    path = os.path.join(tmp, f"compare-{time.time_ns()}.csv")
    subprocess.run([binary, "compare", base, *others, "--csv", path], check=True, stdout=subprocess.DEVNULL)
    blocks = {other: {} for other in others}
    for row in csv.DictReader(open(path, encoding="utf-8")):
        if row["baseline"] == "0":
            blocks[row["file"]][row["outcome"]] = row
    return [blocks[other] for other in others]


def check_difference_rows(out, compared, label):
    """The difference charts' CSVs hold compare's numbers: WTE as compare printed them,
    money in £m (compare's GBP / 1e6)."""
    for stem, outcome, scale in [("difference_arrs_wte", "arrs_wte_2022_23", 1.0),
                                 ("difference_arrs_unclaimed_gbp", "arrs_unclaimed_gbp_2023_24", 1e-6)]:
        rows = read_csv(os.path.join(out, f"{stem}.csv"))
        header = rows[0]
        assert header[3] == ("difference (WTE)" if scale == 1 else "difference (£m)"), header
        row = next(r for r in rows[1:] if r[0] == label and r[1] == outcome)
        expected = [float(compared[outcome][k]) * scale for k in ("difference", "ci95_low", "ci95_high")]
        got = [float(x) for x in row[3:6]]
        assert got == expected if scale == 1 else np.allclose(got, expected, rtol=1e-12, atol=0), (stem, got, expected)
        assert row[6] == str(int(expected[1] > 0 or expected[2] < 0)), row


def check_arrs_series(out, paths, labels):
    """series_arrs_wte.csv: the dates and, per file, median, p10 and p90 equal to /summary/arrs_wte."""
    rows = read_csv(os.path.join(out, "series_arrs_wte.csv"))
    header, body = rows[0], rows[1:]
    for path, label in zip(paths, labels):
        with h5py.File(path, "r") as f:
            assert [r[0] for r in body] == list(f["series/arrs_wte/time"][:].astype(str)), "dates differ"
            for part in ("median", "p10", "p90"):
                column = header.index(f"{label} {part} (WTE)")
                assert np.array_equal([float(r[column]) for r in body], f[f"summary/arrs_wte/{part}"][:]), part


def check_compare_reader():
    """The reader of compare's long CSV: rows per scenario file, the baseline's skipped, policy dates."""
    head = ("scenario,file,baseline,outcome,units,replicates,mean,p10,p90,difference,ci95_low,ci95_high,paired,"
            "significant,takes_effect,description\n")
    body = ("base,b.h5,1,arrs_wte_2022_23,WTE,5,100,90,110,,,,,,,ARRS staff\n"
            "base,b.h5,1,hours,hours/week,5,37,36,38,,,,,,,GP hours\n"
            "pot,p.h5,0,arrs_wte_2022_23,WTE,5,150,140,160,50,45.5,54.5,1,1,2021-04-01,ARRS staff\n"
            "pot,p.h5,0,hours,hours/week,5,36,35,37,-1,-1.5,0.2,1,0,2021-04-01,GP hours\n"
            "same,s.h5,0,arrs_wte_2022_23,WTE,5,100,90,110,0,0,0,1,0,,ARRS staff\n"
            "same,s.h5,0,hours,hours/week,5,37,36,38,0,0,0,1,0,,GP hours\n")
    comparison = report_module.read_compare_csv(head + body)
    assert [s["scenario"] for s in comparison.scenarios] == ["pot", "same"]
    assert comparison.takes_effect() == [report_module.datetime.date(2021, 4, 1), None]
    row = comparison.scenarios[0]["rows"]["arrs_wte_2022_23"]
    assert (row["difference"], row["low"], row["high"], row["significant"]) == (50, 45.5, 54.5, True)
    assert comparison.scenarios[0]["rows"]["hours"]["significant"] is False
    # A CSV without the policy dates (not from this pcnsim) is refused, naming what is missing.
    try:
        report_module.read_compare_csv(head.replace(",takes_effect", "") + "pot,p.h5,0,x,WTE,5,1,1,1,0,0,0,1,0,x\n")
        raise AssertionError("a CSV without takes_effect was accepted")
    except report_module.InputError as error:
        assert "missing columns takes_effect" in str(error), error
    try:
        report_module.read_compare_csv("a,b\n1,2\n")
        raise AssertionError("an unknown header was accepted")
    except report_module.InputError as error:
        assert "missing columns scenario, file" in str(error), error


def check_units():
    unit = report_module.Unit("GBP")
    assert unit.label == "£m" and unit.format(84_386_000) == "£84.4m" and unit.format(1.3e9) == "£1,300m"
    assert unit.texts([3.572e7, 3.475e7, 3.669e7], sign=True) == ["+£35.7m", "+£34.8m", "+£36.7m"]
    share = report_module.Unit("1", "share of CDs over the threshold")
    assert share.label == "%" and share.format(0.2291) == "22.9%" and share.format(0.2, sign=True) == "+20.0 pp"
    assert report_module.Unit("1", "mean strain").label == "ratio"
    assert report_module.Unit("hours/week").format(35.62) == "35.6"
    assert report_module.readable("clinical-director demand, all networks: iif_reporting") == \
        "Clinical-director demand, all networks: IIF reporting"


started = time.time()
check_compare_reader()
check_units()
with tempfile.TemporaryDirectory() as tmp:
    base = simulate("synthetic-small.yaml", os.path.join(tmp, "base.h5"), "--replicates", "3")
    other = simulate("no-commissioner-support.yaml", os.path.join(tmp, "other.h5"), "--replicates", "3",
                     "--set", "population.source=synthetic")
    pot = simulate("arrs-pot-plus-50.yaml", os.path.join(tmp, "pot.h5"), "--replicates", "3",
                   "--set", "population.source=synthetic")
    compared = compare_csv(tmp, base, other, pot)

    # Two scenarios against the baseline.
    out = os.path.join(tmp, "report")
    result = report(base, other, pot, "--out", out)
    assert result.returncode == 0, result.stderr
    differences = [c.stem for c in report_module.difference_charts(
        [report_module.Output(p) for p in (base, other, pot)],
        report_module.read_compare_csv(open(os.path.join(out, "compare.csv")).read()))]
    assert "difference_arrs_wte" in differences and "difference_hours_per_gp_fte" in differences, differences
    page = check_report(out, DETAIL + SERIES + differences, "no-commissioner-support", "arrs-pot-plus-50",
                        "median and 10-90% range of 3 replicates", "Methods", "Key outcomes", "Differences from the baseline")
    assert "published 58" not in page, "a synthetic population drawn against England's bands"
    check_arrs_series(out, [base, other, pot], ["synthetic-small", "no-commissioner-support", "arrs-pot-plus-50"])
    check_difference_rows(out, compared[1], "arrs-pot-plus-50")
    check_difference_rows(out, compare_csv(tmp, base, pot)[0], "arrs-pot-plus-50")
    check_outcomes(page, [base, other, pot], compared)
    methods = section(page, "methods")
    assert "funding.arrs_national_pot_gbp" in methods and "from 2021-04-01: £746m/year → £1,119m/year" in methods, methods
    assert result.stdout.startswith(f"report: {len(DETAIL + SERIES + differences)} charts"), result.stdout
    # compare's policy dates: in the methods box and as a marker on each series chart.
    assert read_csv(os.path.join(out, "compare.csv"))[0][14] == "takes_effect"
    assert '<b class="takes-effect">2021-04-01</b>' in page and '<b class="takes-effect">2020-04-01</b>' in page, \
        section(page, "methods")
    assert "Dashed lines: the date each scenario" in page
    for stem in SERIES:
        with open(os.path.join(out, f"{stem}.svg"), encoding="utf-8") as f:
            svg = f.read()
        assert "arrs-pot-plus-50: policy from 1 Apr 2021" in svg and "no-commissioner-support: policy from 1 Apr 2020" in svg, stem

    # A tiny teaching population: its networks' own sizes, no England bands.
    teaching = simulate("teaching-10.yaml", os.path.join(tmp, "teaching.h5"))
    out = os.path.join(tmp, "teaching-report")
    result = report(teaching, "--out", out, pcnsim=None, pdf=True)  # one file: no compare, no binary needed
    assert result.returncode == 0, result.stderr
    pdf = report_module.find_chromium() is not None  # the PDF by headless Chromium where installed
    if pdf:
        with open(os.path.join(out, "report.pdf"), "rb") as f:
            assert f.read(5) == b"%PDF-", "report.pdf is not a PDF"
    page = check_report(out, DETAIL + SERIES, "not drawn", pdf=pdf)
    assert "published 58" not in page and "30,000" not in section(page, "network_sizes")
    rows = read_csv(os.path.join(out, "network_sizes.csv"))
    assert rows[0] == ["network", "formed", "practices at formation", "list size at formation (patients)"], rows[0]
    with h5py.File(teaching, "r") as f:
        assert [int(r[0]) for r in rows[1:]] == list(f["networks/id"][:])
        assert [float(r[3]) for r in rows[1:]] == list(f["networks/list_size"][:])
        assert [int(r[2]) for r in rows[1:]] == list(f["networks/practices"][:])
        series = f["series/arrs_wte/value"][:]
    body = read_csv(os.path.join(out, "series_arrs_wte.csv"))
    assert body[0] == ["week starting", "teaching-10 (WTE)"], body[0]
    assert np.array_equal([float(r[1]) for r in body[1:]], np.ravel(series))

    # An England population (here the synthetic file relabelled): the published bands.
    england = os.path.join(tmp, "england.h5")
    shutil.copyfile(teaching, england)
    with h5py.File(england, "r+") as f:
        f.attrs["population_source"] = "england"
    run = report_module.Output(england)
    drawn = []
    for chart in report_module.charts([run], *report_module.read_bands(report_module.DEFAULT_TARGETS), None):
        report_module.plt.close(chart.fig)
        drawn.append(chart)
    assert [c.stem for c in drawn] == ENGLAND_DETAIL + SERIES, [c.stem for c in drawn]
    assert "published 58%" in drawn[1].caption and abs(drawn[1].rows[1][2] - 58) < 1e-9, (drawn[1].caption, drawn[1].rows)
    assert drawn[1].columns == ["band (patients)", "simulated (%)", "published (%)"], drawn[1].columns
    run.file.close()

    # The output folder: not empty -> exit 2 and untouched; --overwrite replaces a report,
    # never a folder that holds no report.html; a file is not a folder.
    out = os.path.join(tmp, "teaching-report")
    before = {n: os.path.getmtime(os.path.join(out, n)) for n in os.listdir(out)}
    result = report(teaching, "--out", out)
    assert result.returncode == 2 and out in result.stderr and "--overwrite" in result.stderr, result
    assert {n: os.path.getmtime(os.path.join(out, n)) for n in os.listdir(out)} == before
    with open(os.path.join(out, "stale.txt"), "w") as f:
        f.write("from an earlier report\n")
    empty_path = os.path.join(tmp, "empty-bin")  # and no Chromium on PATH: the HTML, and stderr says why
    os.makedirs(empty_path)
    result = report(teaching, "--out", out, "--overwrite", pdf=True, env={"PATH": empty_path})
    assert result.returncode == 0 and "chromium not found" in result.stderr, result
    check_report(out, DETAIL + SERIES)  # the stale file and the PDF went with the old report
    keep = os.path.join(tmp, "not-a-report")
    os.makedirs(keep)
    with open(os.path.join(keep, "notes.txt"), "w") as f:
        f.write("mine\n")
    result = report(teaching, "--out", keep, "--overwrite")
    assert result.returncode == 2 and "not a report folder" in result.stderr, result
    assert os.listdir(keep) == ["notes.txt"]
    assert report(teaching, "--out", os.path.join(out, "report.html")).returncode == 2  # a file, not a folder

    # Bad input, no pcnsim binary, a failing compare: exit 2 naming the culprit, nothing created.
    text_file = os.path.join(tmp, "notes.h5")
    with open(text_file, "w") as f:
        f.write("not HDF5\n")
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    failing = os.path.join(tmp, "pcnsim-failing")
    with open(failing, "w") as f:
        f.write("#!/bin/sh\necho 'compare: the files have different outcomes' >&2\nexit 2\n")
    os.chmod(failing, 0o755)
    cases = [([teaching, os.path.join(tmp, "missing.h5")], binary, "missing.h5"),
             ([teaching, text_file], binary, text_file), ([teaching, foreign], binary, foreign),
             ([teaching, teaching], os.path.join(tmp, "no-such-pcnsim"), "no-such-pcnsim"),
             ([teaching, teaching], failing, "different outcomes")]
    for files, pcnsim, culprit in cases:
        target = os.path.join(tmp, "never")
        result = report(*files, "--out", target, pcnsim=pcnsim)
        assert result.returncode == 2, (files, result)
        assert culprit in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert not os.path.exists(target), "a folder was created for bad input"
        assert not [n for n in os.listdir(tmp) if n.startswith(".never.")], "a staging folder was left behind"
    assert report(teaching).returncode == 2  # --out is required

    # The older hand-made ensemble layout (2-D /finance/national, one row of /outcomes).
    stacked = os.path.join(tmp, "stacked.h5")
    shutil.copyfile(teaching, stacked)
    with h5py.File(stacked, "r+") as f:
        for name in [f"finance/national/{n}" for n in f["finance/national"]]:
            keep_attrs, values = dict(f[name].attrs), f[name][:]
            del f[name]
            f[name] = np.stack([values, 1.1 * values, 0.9 * values])
            f[name].attrs.update(keep_attrs)
    run = report_module.Output(stacked)
    chart = report_module.chart_arrs_unclaimed(run)
    report_module.plt.close(chart.fig)
    assert "from /finance/national" in chart.caption and "Bars: median of 3 replicates" in chart.caption
    run.file.close()

print(f"report: charts as 200-dpi PNG, SVG and the CSV drawn (ARRS WTE = /summary, differences = compare), "
      f"policy dates from compare's long CSV, own network sizes for tiny populations, PDF or a message; bad input "
      f"exits 2 ({time.time() - started:.1f} s)")
