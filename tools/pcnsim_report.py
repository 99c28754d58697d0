#!/usr/bin/python3
"""A briefing report from pcnsim output files: charts (SVG, 200-dpi PNG and the CSV
of the data each draws), report.html and, where Chromium is installed, report.pdf.

    pcnsim_report.py RUN.h5 [OTHER.h5 ...] --out DIR [--overwrite] [--targets FILE]
                     [--pcnsim PATH] [--no-pdf]

The first file is the baseline. The report holds a methods box (scenarios, files,
the parameters that differ from the baseline, seeds, replicates, software version,
population, mechanisms off, data sources), the key outcomes (/outcomes: mean and
10th-90th percentile across replicates, and each scenario's difference from the
baseline with its 95% interval), the detailed charts of the baseline, the key
national series of every file on one chart each, with a dated marker where a
scenario's parameters first differ from the baseline's, and, with more than one
file, one dot-and-whisker chart per outcome group of the differences from the
baseline with 95% intervals.

The differences, intervals and policy dates are those of `pcnsim compare BASE
OTHER... --csv FILE` (one number everywhere): the tool runs the binary given by
--pcnsim (default: build/release/pcnsim of this repository, then pcnsim on PATH).
Its CSV is copied into the folder as compare.csv.

Everything is written into a temporary folder next to DIR that is renamed into
place when complete; --overwrite replaces an earlier report folder (one holding
report.html) or an empty one. report.pdf is printed by headless Chromium (chromium,
chromium-browser or google-chrome on PATH); without it the tool says so on stderr
and writes the rest. There is no single-file option: the HTML links the chart
files beside it, so copy or zip the folder.

Exit codes: 0 report written; 2 bad input (missing or unreadable file, not a pcnsim
output, no pcnsim binary for a comparison, compare failing, output folder not
empty without --overwrite), nothing written.
"""
import argparse
import csv
import datetime
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.transforms as mtransforms  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
TEMPLATES = os.path.join(HERE, "report_templates")
DEFAULT_TARGETS = os.path.join(REPOSITORY, "data", "targets.yaml")
DATA_README = os.path.join(REPOSITORY, "data", "README.md")
DPI = 200

# Published share of networks in each list-size band, January 2020 [S3 ch.6]; the
# targets file, where found, supplies the same figures.
PUBLISHED_BANDS = {"share_under_30k": 0.07, "share_in_30k_50k": 0.58, "share_over_50k": 0.35}
BAND_LABELS = {"share_under_30k": "under 30,000", "share_in_30k_50k": "30,000-50,000", "share_over_50k": "over 50,000"}

# National series drawn for every file, one chart each.
KEY_SERIES = ["arrs_wte", "hours_per_gp_fte", "gp_unmet_hours", "arrs_claimed_gbp", "cd_funded_hours",
              "cd_support_hours", "cd_unmanageable_share", "cd_mean_strain", "networks_with_manager"]

REQUIRED_ATTRS = ["scenario_name", "seed", "software_version", "created"]
BASELINE_COLOUR = "#222222"
BAND_ALPHA = 0.28

matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "pcnsim", "font.size": 10,
                            "axes.titlesize": 12, "axes.labelsize": 10, "legend.fontsize": 9})


class InputError(Exception):
    """A problem with an input file, the pcnsim binary or the output folder: exit code 2."""


# --- units -------------------------------------------------------------------------

MONEY = {"GBP": "£m", "GBP/week": "£m/week", "GBP/year": "£m/year"}


class Unit:
    """How the report shows a quantity stored in `units`: the label, the factor from
    stored to shown values, and how one number is written. Money in £m, shares in %."""

    def __init__(self, units, what=""):
        self.units = units
        if units in MONEY:
            self.label, self.scale, self.prefix, self.suffix = MONEY[units], 1e-6, "£", "m" + units[3:]
        elif units == "1" and "share" in what.lower():
            self.label, self.scale, self.prefix, self.suffix = "%", 100.0, "", "%"
        elif units in ("1", ""):
            self.label, self.scale, self.prefix, self.suffix = "ratio", 1.0, "", ""
        else:
            self.label, self.scale, self.prefix, self.suffix = units, 1.0, "", ""

    def shown(self, values):
        return np.asarray(values, dtype=float) * self.scale

    @staticmethod
    def decimals(values):
        """Decimals that give the largest of `values` (shown-scaled) three significant
        figures, none from 100 up, at most four."""
        finite = [abs(v) for v in values if np.isfinite(v)]
        largest = max(finite, default=0.0)
        return 0 if largest == 0 else int(min(4, max(0, 2 - np.floor(np.log10(largest)))))

    def number(self, value, decimals, sign=False):
        """One shown-scaled value as text, thousands separated, with its £, %, or pp
        (a difference of shares is in percentage points)."""
        if not np.isfinite(value):
            return "n/a"
        text = f"{value:{'+' if sign else ''},.{decimals}f}"
        if float(text.replace(",", "")) == 0:
            text = "±0" if sign else "0"
        suffix = " pp" if sign and self.label == "%" else self.suffix
        return text[0] + self.prefix + text[1:] + suffix if text[0] in "+-±" else self.prefix + text + suffix

    def texts(self, values, sign=False):
        """Stored values as text with common decimals (a value and its interval alike)."""
        shown = [float(v) * self.scale for v in values]
        decimals = self.decimals(shown)
        return [self.number(v, decimals, sign) for v in shown]

    def format(self, value, sign=False):
        return self.texts([value], sign)[0]

    def difference_label(self):
        return "percentage points" if self.label == "%" else self.label

    def axis(self, quantity):
        return f"{quantity} ({self.label})"


ACRONYMS = {"gp": "GP", "gps": "GPs", "iif": "IIF", "arrs": "ARRS", "cd": "CD", "cds": "CDs", "pcn": "PCN",
            "wte": "WTE", "fte": "FTE", "des": "DES", "ccg": "CCG", "covid": "COVID"}


def strings(dataset):
    """A text dataset's strings, decoded as UTF-8 (a description may hold "£",
    which numpy's astype(str) refuses)."""
    return np.asarray(dataset.asstr(encoding="utf-8")[:], dtype=str)


def readable(text):
    """A description as a title: identifiers' underscores spelt as spaces, acronyms in
    capitals, first letter upper case."""
    text = re.sub(r"(?<=[a-z0-9])_(?=[a-z0-9])", " ", str(text)).strip()
    text = re.sub(r"\b[a-z]+\b", lambda m: ACRONYMS.get(m.group(0), m.group(0)), text)
    return text[:1].upper() + text[1:]


def short_quantity(description):
    """An axis label from a description: the text before any ' (' qualifier."""
    return readable(description.split(" (")[0])


def baseline_name(run):
    """'the baseline', naming the scenario only where it is not itself called baseline."""
    return "the baseline" if run.label == "baseline" else f"the baseline ({run.label})"


def year_label(year):
    return f"{year}/{(year + 1) % 100:02d}"


def summarise(values):
    """(central, low, high) along the replicate axis: a 1-D array is one run
    (no band); a 2-D array is [replicates, ...] (median, 10th, 90th percentile)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return values, None, None
    if values.ndim != 2:
        raise InputError(f"expected 1-D or 2-D values, found shape {values.shape}")
    return np.median(values, axis=0), np.percentile(values, 10, axis=0), np.percentile(values, 90, axis=0)


def text_of(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        return ", ".join(text_of(v) for v in value.tolist())
    return str(value)


def attr(item, key, default=""):
    return text_of(item.attrs.get(key, default))


class Output:
    """One pcnsim output file, opened read-only, with its label and metadata."""

    def __init__(self, path):
        self.path = path
        if not os.path.isfile(path):
            raise InputError(f"{path}: no such file")
        try:
            self.file = h5py.File(path, "r")
        except OSError as error:
            raise InputError(f"{path}: not a readable HDF5 file ({error})") from None
        missing = [a for a in REQUIRED_ATTRS if a not in self.file.attrs] + \
                  [g for g in ["series", "networks"] if g not in self.file]
        if missing:
            raise InputError(f"{path}: not a pcnsim output (missing {', '.join(missing)})")
        self.attrs = {k: text_of(self.file.attrs[k]) for k in self.file.attrs if k != "scenario_yaml"}
        self.name = self.attrs["scenario_name"]
        self.label = self.name
        self.colour = BASELINE_COLOUR

    def parameters(self):
        """{name: (value, units)} of /parameters."""
        if "parameters/name" not in self.file:
            return {}
        group = self.file["parameters"]
        units = strings(group["units"]) if "units" in group else [""] * len(group["name"])
        return {n: (v, u) for n, v, u in zip(strings(group["name"]), strings(group["value"]), units)}

    def description(self):
        return self.parameters().get("description", ("", ""))[0]

    def replicates(self):
        """The root attribute `replicates`, or the replicate axis of the series (older layouts)."""
        value = self.file["series/networks/value"] if "series/networks" in self.file else None
        stacked = value.shape[0] if value is not None and value.ndim == 2 else 1
        return max(int(self.file.attrs.get("replicates", 1)), stacked)

    def is_england(self):
        return self.attrs.get("population_source", "england") == "england"

    def outcomes(self):
        """{name: (units, description, values [replicates])} of /outcomes, in file order."""
        if "outcomes/value" not in self.file:
            return {}
        group = self.file["outcomes"]
        values = np.atleast_2d(group["value"][:].astype(float))
        names = strings(group["name"])
        units = strings(group["units"]) if "units" in group else [""] * len(names)
        about = strings(group["description"]) if "description" in group else names
        return {n: (u, d, values[:, k]) for k, (n, u, d) in enumerate(zip(names, units, about))}

    def has_series(self, metric):
        return f"series/{metric}/value" in self.file

    def series(self, metric):
        """(dates, central, low, high, units, description) of a national series;
        low and high are None for a single run. Precomputed ensemble summaries
        (/summary/<metric>/{median,p10,p90}) are used when present."""
        group = self.file["series"][metric]
        dates = strings(group["time"])
        if dates.ndim == 2:
            dates = dates[0]
        dates = dates.astype("datetime64[D]")
        value = group["value"]
        summary = self.file.get(f"summary/{metric}")
        if summary is not None and all(k in summary for k in ("median", "p10", "p90")):
            central, low, high = (summary[k][:].astype(float) for k in ("median", "p10", "p90"))
        else:
            central, low, high = summarise(value[:])
        return dates, central, low, high, attr(value, "units"), attr(value, "description", metric)

    def band_text(self):
        n = self.replicates()
        return f"median and 10-90% range of {n} replicates" if n > 1 else "single run"


# --- pcnsim compare ------------------------------------------------------------------

NEW_HEADER = ["scenario", "file", "baseline", "outcome", "units", "replicates", "mean", "p10", "p90", "difference",
              "ci95_low", "ci95_high", "paired", "significant", "takes_effect", "description"]
OLD_HEADER = ["base", "other", "outcome", "units", "base_replicates", "other_replicates", "base_mean", "other_mean",
              "difference", "ci95_low", "ci95_high", "paired"]


def number(text):
    return float(text) if text not in ("", None) else float("nan")


class Comparison:
    """What `pcnsim compare --csv` said: per scenario (block of rows in file order,
    keyed by position among the other files) each outcome's difference from the
    baseline and its 95% interval, and the date its parameters first differ
    (`takes_effect`; None where the CSV has no such column or leaves it empty)."""

    def __init__(self):
        self.scenarios = []  # [{"scenario", "file", "takes_effect", "rows": {outcome: row}}]

    def block(self, scenario, path, takes_effect=None):
        self.scenarios.append({"scenario": scenario, "file": path, "takes_effect": takes_effect, "rows": {}})
        return self.scenarios[-1]

    def takes_effect(self):
        """[date or None] per compared scenario, in order."""
        return [s["takes_effect"] for s in self.scenarios]


def parse_date(text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"compare CSV: takes_effect {text!r} is not an ISO date") from None


def difference_row(record, units, description):
    low, high = number(record["ci95_low"]), number(record["ci95_high"])
    significant = record.get("significant")
    return {"units": units, "description": description, "difference": number(record["difference"]),
            "low": low, "high": high,
            "significant": (significant.strip() in ("1", "true", "*")) if significant is not None else
            bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0)),
            "paired": record.get("paired", "") in ("1", "true")}


COMPARE_COLUMNS = ("scenario", "file", "baseline", "outcome", "units", "difference", "ci95_low", "ci95_high",
                   "significant", "takes_effect", "description")


def read_compare_csv(text):
    """A Comparison from `pcnsim compare --csv`: one row per scenario and outcome,
    the baseline's rows marked baseline=1 (skipped), `takes_effect` per scenario."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [k for k in COMPARE_COLUMNS if k not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"compare CSV: missing columns {', '.join(missing)} (from an older pcnsim?)")
    comparison = Comparison()
    current = None
    for record in reader:
        if record["baseline"].strip() == "1":
            continue
        if current is None or current["file"] != record["file"]:
            current = comparison.block(record["scenario"], record["file"], parse_date(record["takes_effect"]))
        current["rows"][record["outcome"]] = difference_row(record, record["units"], record["description"])
    return comparison


def find_pcnsim(given):
    """The pcnsim binary: --pcnsim, else build/release/pcnsim of this repository, else pcnsim on PATH."""
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            raise InputError(f"--pcnsim {given}: not an executable file")
        return given
    built = os.path.join(REPOSITORY, "build", "release", "pcnsim")
    if os.path.isfile(built) and os.access(built, os.X_OK):
        return built
    on_path = shutil.which("pcnsim")
    if on_path:
        return on_path
    raise InputError(f"no pcnsim binary to compare the files with: {built} does not exist and pcnsim is not on "
                     f"PATH; build it (scripts/build.sh) or give --pcnsim PATH")


def run_compare(binary, runs, csv_path):
    """Runs `pcnsim compare BASE OTHER... --csv csv_path` and reads what it wrote."""
    command = [binary, "compare", *[r.path for r in runs], "--csv", csv_path]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except OSError as error:
        raise InputError(f"{binary}: cannot run ({error})") from None
    if proc.returncode != 0 or not os.path.isfile(csv_path):
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        raise InputError(f"pcnsim compare failed (exit {proc.returncode}): {' / '.join(said)}")
    with open(csv_path, encoding="utf-8") as f:
        comparison = read_compare_csv(f.read())
    if len(comparison.scenarios) != len(runs) - 1:
        raise InputError(f"pcnsim compare: {len(comparison.scenarios)} scenarios in its CSV for {len(runs) - 1} files")
    return comparison


# --- charts ---------------------------------------------------------------------------

class Chart:
    """One chart: the figure, its title and caption, and the table of exactly the
    data drawn (columns named with their units)."""

    def __init__(self, stem, title, fig, caption, columns, rows):
        self.stem, self.title, self.fig, self.caption = stem, title, fig, caption
        self.columns, self.rows = columns, rows

    def save(self, folder):
        for ext in ("svg", "png"):
            self.fig.savefig(os.path.join(folder, f"{self.stem}.{ext}"), dpi=DPI, bbox_inches="tight",
                             metadata={"Date": None} if ext == "svg" else None)
        plt.close(self.fig)
        with open(os.path.join(folder, f"{self.stem}.png"), "rb") as f:
            header = f.read(24)  # IHDR: width and height, big-endian, at bytes 16-23
        self.pixels = (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big"))
        with open(os.path.join(folder, f"{self.stem}.csv"), "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(self.columns)
            writer.writerows([[cell_text(v) for v in row] for row in self.rows])


def cell_text(value):
    """A CSV cell: numbers in full precision (round-trip), NaN empty."""
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if np.isfinite(value) else ""
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)


def series_columns(label, unit, banded):
    cols = [f"{label} median ({unit.label})", f"{label} p10 ({unit.label})", f"{label} p90 ({unit.label})"]
    return cols if banded else [f"{label} ({unit.label})"]


def series_cells(central, low, high, unit, k):
    cells = [unit.shown(central[k])]
    return cells + [unit.shown(low[k]), unit.shown(high[k])] if low is not None else cells


def plot_band(ax, dates, central, low, high, label, colour, linewidth=1.8):
    """A line and, for an ensemble, its 10-90% band with visible edges."""
    ax.plot(dates, central, label=label, color=colour, linewidth=linewidth, zorder=3)
    if low is not None:
        ax.fill_between(dates, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0, zorder=2)
        for edge in (low, high):
            ax.plot(dates, edge, color=colour, linewidth=0.7, alpha=0.8, zorder=2)


def legend_outside(ax, **kwargs):
    """The legend to the right of the axes, never over the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False, **kwargs)


def legend_below(ax, **kwargs):
    """The legend under the axes and their x label (a fixed distance in points, whatever
    the figure's height), never over the data."""
    below = mtransforms.offset_copy(ax.transAxes, fig=ax.figure, x=0, y=-40, units="points")
    ax.legend(loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=below, borderaxespad=0.0, frameon=False,
              **kwargs)


def thousands(*axes):
    """Tick labels with thousands separated (12,000 rather than 12000)."""
    for axis in axes:
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda x, _: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"))


def dated_axes(ax, title, ylabel):
    ax.set_title(title, loc="left", pad=18)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("week starting")
    ax.grid(True, alpha=0.3)
    ax.xaxis.set_major_locator(mdates.YearLocator(month=4))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    thousands(ax.yaxis)


def mark_policies(ax, runs, dates_by_run):
    """A dashed vertical line at each date where a scenario first differs from the
    baseline (one line per date), named in the legend, which sits outside the axes:
    labels on the chart collided when policies start close together."""
    by_date = {}
    for run, when in zip(runs, dates_by_run):
        if when is not None:
            by_date.setdefault(when, []).append(run)
    for when, changed in sorted(by_date.items()):
        x = np.datetime64(when.isoformat())
        colour = changed[0].colour if len(changed) == 1 else "#555555"
        names = ", ".join(r.label for r in changed)
        ax.axvline(x, color=colour, linestyle="--", linewidth=1.3, zorder=4, label=f"{names}: policy from {when:%-d %b %Y}")
    return by_date


def chart_series(runs, metric, takes_effect):
    fig, ax = plt.subplots(figsize=(10, 4.6))
    columns, tables, unit, description, dates = ["week starting"], [], None, metric, None
    for run in runs:
        dates, central, low, high, units, description = run.series(metric)
        unit = Unit(units, description + metric)
        shown = [None if v is None else unit.shown(v) for v in (central, low, high)]
        plot_band(ax, dates, *shown, label=f"{run.label}: {run.band_text()}", colour=run.colour,
                  linewidth=2.6 if run is runs[0] else 1.7)
        columns += series_columns(run.label, unit, low is not None)
        tables.append((central, low, high))
    marked = mark_policies(ax, runs[1:], takes_effect)
    dated_axes(ax, readable(description), unit.axis(short_quantity(description)))
    legend_below(ax, ncol=1 if len(runs) < 4 else 2)
    rows = [[str(d)] + [c for central, low, high in tables for c in series_cells(central, low, high, unit, k)]
            for k, d in enumerate(dates)]
    who = (f"{baseline_name(runs[0])} and " + ", ".join(r.label for r in runs[1:])) if len(runs) > 1 else \
        runs[0].label
    caption = f"{readable(description)}, national, each week: {who}."
    counts = sorted({r.replicates() for r in runs if r.replicates() > 1})
    if counts:
        caption += (f" Lines and shaded bands with edges: median and 10-90% range of "
                    f"{' or '.join(str(n) for n in counts)} replicates.")
    if marked:
        caption += " Dashed lines: the date each scenario's parameters first differ from the baseline's " \
                   "(pcnsim compare)."
    return Chart(f"series_{metric}", readable(description), fig, caption, columns, rows)


# --- network sizes --------------------------------------------------------------------

def formed_at_deadline(f):
    """List sizes of the networks formed at the registration deadline: /networks
    also holds the networks split off at later re-evaluations, with their list
    when they formed."""
    sizes = f["networks/list_size"][:].astype(float)
    formed = strings(f["networks/formed_time"])
    first = strings(f["practices/network_time"])
    first = first[..., :1] if first.ndim == 2 else first[:1]
    keep = (formed == first) & np.isfinite(sizes)
    return sizes[keep].ravel()


def read_bands(path):
    """The published size-band shares from a targets file (plain-text read); the
    built-in figures where the file or a row is missing."""
    bands = dict(PUBLISHED_BANDS)
    source = "S3 ch.6"
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for key in bands:
            match = re.search(rf"^\s*{key}:\s*{{\s*observed:\s*([0-9.eE+-]+)", text, re.M)
            if match:
                bands[key] = float(match.group(1))
        source = f"{os.path.basename(path)}, S3 ch.6"
    return bands, source


def replicate0_note(run, what):
    n = run.replicates()
    return f" Replicate 0 only (of {n}; seed {run.attrs['seed']}): {what}." if n > 1 else ""


def networks_note(run):
    pooled = run.file["networks/list_size"].ndim == 2
    return " Networks of all replicates pooled." if pooled else replicate0_note(
        run, "an ensemble keeps the networks of replicate 0 alone; the networks formed and the band shares "
             "across replicates are in the key outcomes")


def chart_formation_sizes(run):
    sizes = formed_at_deadline(run.file)
    fig, ax = plt.subplots(figsize=(9, 4.4))
    top = max(100000.0, np.ceil(sizes.max() / 5000) * 5000 if len(sizes) else 0)
    edges = np.arange(0, top + 5000, 5000)
    counts, _, _ = ax.hist(sizes, bins=edges, color="#4c72b0", edgecolor="white", label="networks formed in 2019")
    for edge, text, side in ((30000, "30,000 minimum ", "right"), (50000, " 50,000", "left")):
        ax.axvline(edge, color="#c44e52", linestyle="--", linewidth=1.2, label=None)
        ax.annotate(text, (edge, 1), xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points",
                    va="bottom", ha=side, fontsize=8, color="#c44e52")
    ax.set_title("Network list size at formation (2019)", loc="left", pad=16)
    ax.set_xlabel("registered patients per network")
    ax.set_ylabel("networks")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x / 1000:.0f}k"))
    ax.grid(True, alpha=0.3)
    caption = (f"{len(sizes):,} networks formed in 2019, by registered list size in bins of 5,000 patients; dashed "
               f"lines mark the 30,000 minimum and 50,000.{networks_note(run)}")
    rows = [[edges[k], edges[k + 1], int(c)] for k, c in enumerate(counts)]
    return Chart("formation_sizes", "Network list sizes at formation", fig, caption,
                 ["list size from (patients)", "list size to (patients)", "networks"], rows)


def chart_formation_bands(run, bands, bands_source):
    sizes = formed_at_deadline(run.file)
    simulated = {"share_under_30k": np.mean(sizes < 30000),
                 "share_in_30k_50k": np.mean((sizes >= 30000) & (sizes <= 50000)),
                 "share_over_50k": np.mean(sizes > 50000)}
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    x = np.arange(len(bands))
    ax.bar(x - 0.2, [100 * simulated[k] for k in bands], 0.4, label=f"simulated ({run.label})", color="#4c72b0")
    ax.bar(x + 0.2, [100 * bands[k] for k in bands], 0.4, label="published, January 2020", color="#dd8452")
    ax.set_xticks(x, [BAND_LABELS[k] for k in bands])
    ax.set_title("Share of networks by list-size band", loc="left")
    ax.set_xlabel("registered patients per network")
    ax.set_ylabel("networks (%)")
    ax.grid(True, axis="y", alpha=0.3)
    legend_outside(ax)
    shares = ", ".join(f"{BAND_LABELS[k]} {100 * simulated[k]:.1f}% (published {100 * bands[k]:.0f}%)" for k in bands)
    caption = f"Networks formed in 2019 by list-size band, simulated against published ({bands_source}): {shares}." \
              + networks_note(run)
    rows = [[BAND_LABELS[k], 100 * simulated[k], 100 * bands[k]] for k in bands]
    return Chart("formation_bands", "Network size bands against England", fig, caption,
                 ["band (patients)", "simulated (%)", "published (%)"], rows)


def chart_network_sizes(run):
    """A small or synthetic population: each network's own practices and list size at
    formation (England's published bands describe England, not these networks)."""
    f = run.file
    ids = f["networks/id"][:].ravel()
    practices = f["networks/practices"][:].astype(int).ravel()
    sizes = f["networks/list_size"][:].astype(float).ravel()
    formed = strings(f["networks/formed_time"]).ravel()
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.42 * len(ids)) if len(ids) <= 30 else (8, 5))
    if len(ids) <= 30:
        labels = [f"network {i} (formed {t})" for i, t in zip(ids, formed)]
        y = np.arange(len(ids))[::-1]
        ax.barh(y, sizes, color="#4c72b0", height=0.6)
        for yy, s, p in zip(y, sizes, practices):
            ax.annotate(f"{p} practice{'s' if p != 1 else ''}", (s, yy), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8)
        ax.set_yticks(y, labels)
        ax.set_xlabel("registered patients at formation")
        ax.set_xlim(0, sizes.max() * 1.25 if len(sizes) else 1)
        thousands(ax.xaxis)
    else:
        ax.scatter(practices, sizes, s=14, color="#4c72b0", alpha=0.7)
        ax.set_xlabel("member practices at formation")
        ax.set_ylabel("registered patients at formation")
        thousands(ax.yaxis)
    ax.set_title(f"The networks of {run.label}: practices and list size", loc="left")
    ax.grid(True, alpha=0.3)
    caption = (f"{len(ids)} networks of this {run.attrs.get('population_source', 'synthetic')} population "
               f"({int(np.sum(practices))} practice memberships at formation), each with its registered list and "
               f"member practices when it formed. England's published size bands are not drawn: they describe "
               f"England's 1,250 networks, not a population of this size.{networks_note(run)}")
    rows = [[int(i), t, int(p), s] for i, t, p, s in zip(ids, formed, practices, sizes)]
    return Chart("network_sizes", "Network sizes", fig, caption,
                 ["network", "formed", "practices at formation", "list size at formation (patients)"], rows)


# --- ARRS and CD detail -------------------------------------------------------------------

def chart_arrs_roles(run):
    roles = [r for r in strings(run.file["arrs/roles"]) if run.has_series(f"arrs_wte_{r}")]
    fig, ax = plt.subplots(figsize=(10, 5))
    stacks = []
    for role in roles:
        dates, central, _, _, _, _ = run.series(f"arrs_wte_{role}")
        stacks.append(central)
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(roles), 1)))
    ax.stackplot(dates, *stacks, labels=[readable(r) for r in roles], colors=colours)
    d, central, low, high, units, _ = run.series("arrs_wte")
    if low is not None:
        ax.fill_between(d, low, high, facecolor="none", edgecolor="black", hatch="////", linewidth=0.8,
                        label="all roles: 10-90% range")
    dated_axes(ax, f"ARRS staff in post by role ({run.label})", Unit(units).axis("staff in post"))
    legend_outside(ax, fontsize=8)
    columns = ["week starting"] + [f"{readable(r)} ({units})" for r in roles] + \
        series_columns("all roles", Unit(units), low is not None)
    rows = [[str(x)] + [s[k] for s in stacks] + series_cells(central, low, high, Unit(units), k)
            for k, x in enumerate(dates)]
    caption = (f"ARRS whole-time equivalents in post each week, stacked by role ({len(roles)} roles); "
               f"{central[-1]:,.0f} WTE in the last week.")
    if low is not None:
        caption += (f" Each role is its own median across {run.replicates()} replicates, so the top of the stack "
                    f"need not equal the median of the total; hatched: the total's 10-90% range.")
    return Chart("arrs_wte_by_role", "ARRS workforce by role", fig, caption, columns, rows)


def unclaimed_by_year(run):
    """(years, unclaimed [replicates, years] or [years], share likewise, units, source) of
    unclaimed ARRS money: from the per-replicate key outcomes arrs_unclaimed_{gbp,share}_YYYY_YY
    of an ensemble, else from /finance/national (a single run, or replicate 0)."""
    outcomes = run.outcomes()
    found = sorted((int(m.group(1)), name) for name in outcomes
                   for m in [re.fullmatch(r"arrs_unclaimed_gbp_(\d{4})_\d{2}", name)] if m)
    if run.replicates() > 1 and found and all(n.replace("_gbp_", "_share_") in outcomes for _, n in found):
        years = np.array([y for y, _ in found])
        gbp = np.stack([outcomes[n][2] for _, n in found], axis=1)
        share = np.stack([outcomes[n.replace("_gbp_", "_share_")][2] for _, n in found], axis=1)
        return years, gbp, share, outcomes[found[0][1]][0] or "GBP", "outcomes"
    unclaimed = run.file["finance/national/arrs_unclaimed_gbp"]
    return (run.file["finance/year"][:], unclaimed[:], run.file["finance/national/arrs_unclaimed_share"][:],
            attr(unclaimed, "units") or "GBP", "finance")


def chart_arrs_unclaimed(run):
    years, unclaimed, share, units, source = unclaimed_by_year(run)
    unit = Unit(units)
    raw = summarise(unclaimed)
    central, low, high = (None if v is None else unit.shown(v) for v in raw)
    share, _, _ = summarise(share)
    fig, ax = plt.subplots(figsize=(8, 4.6))
    labels = [year_label(int(y)) for y in years]
    error = None if low is None else np.vstack([central - low, high - central])
    bars = ax.bar(labels, central, color="#c44e52", yerr=error, capsize=4)
    tops = central if high is None else np.maximum(central, high)
    for bar, s, top in zip(bars, share, tops):
        ax.annotate(f"{100 * s:.1f}% of ceiling", (bar.get_x() + bar.get_width() / 2, top),
                    ha="center", va="bottom", fontsize=8, xytext=(0, 3), textcoords="offset points")
    ax.set_ylim(0, max(tops.max() * 1.18, 1e-9) if len(tops) else 1)
    ax.set_title(f"ARRS money unclaimed by financial year ({run.label})", loc="left")
    ax.set_xlabel("financial year")
    ax.set_ylabel(unit.axis("unclaimed"))
    ax.grid(True, axis="y", alpha=0.3)
    where = ("from each replicate's key outcomes" if source == "outcomes" else "from /finance/national")
    caption = ("National ARRS money left unclaimed at each financial year's end (lost under use-it-or-lose-it), "
               f"{where}; labels give the unclaimed share of the year's ceiling.")
    caption += (f" Bars: median of {unclaimed.shape[0]} replicates; error bars: 10th-90th percentile across "
                f"replicates (labels: median share)." if low is not None else
                replicate0_note(run, "the file has no per-replicate unclaimed outcomes"))
    rows = [[lab] + series_cells(*raw, unit, k) + [100 * share[k]] for k, lab in enumerate(labels)]
    columns = ["financial year"] + series_columns("unclaimed", unit, low is not None) + ["unclaimed share (%)"]
    return Chart("arrs_unclaimed", "Unclaimed ARRS money", fig, caption, columns, rows)


def chart_cd_hours(run):
    sources = [s for s in strings(run.file["clinical_directors/sources"]) if run.has_series(f"cd_hours_{s}")]
    fig, ax = plt.subplots(figsize=(10, 5))
    stacks = []
    for source in sources:
        dates, central, _, _, units, _ = run.series(f"cd_hours_{source}")
        stacks.append(central)
    ax.stackplot(dates, *stacks, labels=[readable(s) for s in sources],
                 colors=plt.get_cmap("tab10")(np.arange(len(sources)) % 10), alpha=0.85)
    columns = ["week starting"] + [f"{readable(s)} ({units})" for s in sources]
    lines = []
    for metric, colour, label in [("cd_funded_hours", "black", "funded CD hours"),
                                  ("cd_support_hours", "#7f7f7f", "taken by support")]:
        if run.has_series(metric):
            d, c, lo, hi, _, _ = run.series(metric)
            plot_band(ax, d, c, lo, hi, label=label, colour=colour)
            columns += series_columns(label, Unit(units), lo is not None)
            lines.append((c, lo, hi))
    dated_axes(ax, f"Clinical-director demand by source ({run.label})", Unit(units).axis("CD time, all networks"))
    legend_outside(ax, fontsize=8)
    rows = [[str(x)] + [s[k] for s in stacks] + [v for c, lo, hi in lines for v in series_cells(c, lo, hi, Unit(units), k)]
            for k, x in enumerate(dates)]
    caption = ("Clinical-director demand of all networks each week, stacked by source; the black line is the "
               "funded CD time and the grey line the demand taken by managers, commissioners and federations. "
               "Demand above the funded line is the excess that builds strain.")
    if run.replicates() > 1:
        caption += (f" Each source is its own median across {run.replicates()} replicates; lines: median with "
                    f"the 10-90% range.")
    return Chart("cd_hours_by_source", "Clinical-director hours by source", fig, caption, columns, rows)


# --- differences from the baseline ---------------------------------------------------------

def outcome_groups(names):
    """[(group key, [(outcome, row label)])]: first the per-year outcomes, grouped by
    their stem (rows: the financial years), then the others grouped by units, each in
    order of appearance."""
    groups = {}
    for name, units in names:
        m = re.fullmatch(r"(.+)_(\d{4})_\d{2}", name)
        key, label = (m.group(1), year_label(int(m.group(2)))) if m else (f"units:{units}", None)
        groups.setdefault(key, []).append((name, label))
    return sorted(groups.items(), key=lambda group: group[0].startswith("units:"))


def group_title(key, members, descriptions):
    if key.startswith("units:"):
        units = key[len("units:"):]
        return {"networks": "Networks", "practices": "Practices", "1": "Shares", "": "Other outcomes"}.get(
            units, f"Other outcomes ({units})")
    text = descriptions[members[0][0]]
    text = re.sub(r"\s*\((per year|mean week)\)", "", text)
    text = re.sub(r",? (in|at the end of) (the year|\d{4}/\d{2})", "", text)
    return readable(text)


def chart_differences(runs, comparison, key, members, descriptions, units):
    title = group_title(key, members, descriptions)
    unit = Unit(units, title + key)
    others = runs[1:]
    per_row = len(others)
    yearly = all(label for _, label in members)  # long row labels take width: a narrower plot
    fig, ax = plt.subplots(figsize=(6.2 if yearly else 5.0, 1.0 + 0.3 * len(members) * per_row + 0.25 * len(members)))
    ticks, labels, rows = [], [], []
    span = 0.7
    for m, (outcome, label) in enumerate(members):
        label = label or textwrap.fill(readable(short_quantity(descriptions[outcome])), 26)
        centre = len(members) - 1 - m
        ticks.append(centre)
        labels.append(label)
        for s, (run, block) in enumerate(zip(others, comparison.scenarios)):
            row = block["rows"].get(outcome)
            if row is None:
                continue
            y = centre + (span / 2 - span * (s + 0.5) / per_row if per_row > 1 else 0)
            d, lo, hi = (unit.shown(row[k]) for k in ("difference", "low", "high"))
            err = None if not (np.isfinite(lo) and np.isfinite(hi)) else [[d - lo], [hi - d]]
            ax.errorbar([d], [y], xerr=err, fmt="o", color=run.colour, markersize=6, capsize=3, linewidth=1.5,
                        markerfacecolor=run.colour if row["significant"] else "white",
                        label=run.label if m == 0 else None)
            rows.append([run.label, outcome, label, d, lo, hi, int(row["significant"])])
    ax.axvline(0, color="black", linewidth=0.9)
    thousands(ax.xaxis)
    ax.set_yticks(ticks, labels)
    ax.set_ylim(-0.6, len(members) - 0.4)
    ax.set_xlabel(f"difference from the baseline ({unit.difference_label()})")
    ax.set_title(title, loc="left")
    ax.grid(True, axis="x", alpha=0.3)
    if per_row:
        legend_below(ax, ncol=min(per_row, 3), title="scenario, difference and 95% interval", alignment="left")
    stem = "difference_" + re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    caption = (f"{title}: mean difference from {baseline_name(runs[0])} and its 95% interval (pcnsim compare). "
               f"Filled dots: the interval excludes zero.")
    if not any(np.isfinite(r[4]) for r in rows):
        caption = (f"{title}: difference from {baseline_name(runs[0])} (pcnsim compare); single runs, so no "
                   f"interval and no dot is filled.")
    shown = unit.difference_label()
    columns = ["scenario", "outcome", "row", f"difference ({shown})", f"ci95 low ({shown})", f"ci95 high ({shown})",
               "interval excludes zero"]
    return Chart(stem, title, fig, caption, columns, rows)


def difference_charts(runs, comparison):
    outcomes = runs[0].outcomes()
    names = [(n, u) for n, (u, _, _) in outcomes.items()]
    descriptions = {n: d for n, (_, d, _) in outcomes.items()}
    for key, members in outcome_groups(names):
        units = outcomes[members[0][0]][0]
        yield chart_differences(runs, comparison, key, members, descriptions, units)


def charts(runs, bands, bands_source, comparison):
    """Every chart of the report, in order."""
    base = runs[0]
    if base.is_england():
        yield chart_formation_sizes(base)
        yield chart_formation_bands(base, bands, bands_source)
    else:
        yield chart_network_sizes(base)
    yield chart_arrs_roles(base)
    yield chart_arrs_unclaimed(base)
    yield chart_cd_hours(base)
    takes_effect = comparison.takes_effect() if comparison else [None] * (len(runs) - 1)
    for metric in KEY_SERIES:
        if all(r.has_series(metric) for r in runs):
            yield chart_series(runs, metric, takes_effect)
    if comparison:
        yield from difference_charts(runs, comparison)


# --- tables and the methods box ----------------------------------------------------------

def outcomes_table(runs, comparison):
    """Rows of the key outcomes, grouped as the difference charts are (each per-year
    outcome's years together): label, units, one cell per file (mean [p10, p90]), one
    per other file (difference [95% interval] from compare)."""
    tables = [r.outcomes() for r in runs]
    first = {}
    for table in tables:
        for name, (units, description, _) in table.items():
            first.setdefault(name, (units, description))
    names = [n for _, members in outcome_groups([(n, u) for n, (u, _) in first.items()]) for n, _ in members]
    rows = []
    for name in names:
        units, description = first[name]
        unit = Unit(units, description + name)
        cells = []
        for table in tables:
            values = table[name][2] if name in table else np.array([])
            if values.size <= 1:
                cells.append(unit.format(values[0]) if values.size else "")
                continue
            mean, p10, p90 = unit.texts([values.mean(), *np.percentile(values, [10, 90])])
            cells.append(f"{mean} [{p10}, {p90}]")
        differences = []
        for block in (comparison.scenarios if comparison else []):
            row = block["rows"].get(name)
            if row is None:
                differences.append(("", False))
                continue
            d, low, high = unit.texts([row["difference"], row["low"], row["high"]], sign=True)
            differences.append((d + (f" [{low}, {high}]" if np.isfinite(row["low"]) else ""), row["significant"]))
        rows.append({"name": name, "label": readable(description), "units": unit.label, "cells": cells,
                     "differences": differences})
    return rows


def shorten(text, most=90):
    """At most `most` characters, cut at a word where there is one, with an ellipsis."""
    text = str(text)
    if len(text) <= most:
        return text
    cut = text[:most - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[most // 2:] else cut).rstrip(",;: ") + "…"


def dated_entries(text):
    """{date: value} of a dated-series parameter ('2019-04-01: 1.1e+08; ...'), or None."""
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    found = [re.fullmatch(r"(\d{4}-\d{2}-\d{2}):\s*(.+)", p) for p in parts]
    return {m.group(1): m.group(2) for m in found} if parts and all(found) else None


def parameter_value(value, units):
    try:
        return Unit(units).format(float(value)) if units in MONEY else value
    except ValueError:
        return value


def value_on(series, date):
    """The value of a dated series in force on `date` (ISO), '0' before its first entry."""
    earlier = [d for d in series if d <= date]
    return series[max(earlier)] if earlier else "0"


def parameter_change(base_value, other_value, units):
    """'base -> other', for a dated series the values in force from each date
    where they differ, shortened."""
    base, other = dated_entries(base_value), dated_entries(other_value)
    if base is not None and other is not None:
        changed, last = [], None
        for d in sorted(set(base) | set(other)):
            pair = (value_on(base, d), value_on(other, d))
            if pair[0] != pair[1] and pair != last:
                changed.append(f"from {d}: {parameter_value(pair[0], units)} → {parameter_value(pair[1], units)}")
            last = pair
        return shorten("; ".join(changed), 240)
    return f"{shorten(parameter_value(base_value, units))} → {shorten(parameter_value(other_value, units))}"


def differing_parameters(base, other):
    ours, theirs = base.parameters(), other.parameters()
    rows = []
    for name in sorted(set(ours) | set(theirs)):
        if name in ("name", "description"):
            continue
        a, units = ours.get(name, ("(absent)", ""))
        b, units_b = theirs.get(name, ("(absent)", ""))
        if a != b:
            rows.append({"name": name, "units": units or units_b, "change": parameter_change(a, b, units or units_b)})
    return rows


def data_sources(path=DATA_README):
    """[(file, brief source)] of the table in data/README.md; empty where it is absent."""
    if not os.path.isfile(path):
        return []
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and cells[0].startswith("`"):
                source = re.split(r";|\. ", cells[2].replace("`", ""))[0]
                rows.append((cells[0].strip("`"), shorten(source, 110)))
    return rows


def methods(runs, comparison, created):
    takes_effect = comparison.takes_effect() if comparison else []
    scenarios = []
    for k, run in enumerate(runs):
        when = takes_effect[k - 1] if k and k - 1 < len(takes_effect) else None
        scenarios.append({"label": run.label, "file": os.path.basename(run.path), "path": run.path,
                          "baseline": k == 0, "description": run.description(), "seed": run.attrs.get("seed", ""),
                          "replicates": run.replicates(), "software": run.attrs.get("software_version", ""),
                          "population": run.attrs.get("population_source", ""),
                          "mechanisms_off": run.attrs.get("mechanisms_off", ""),
                          "created": run.attrs.get("created", ""), "takes_effect": when.isoformat() if when else "",
                          "parameters": differing_parameters(runs[0], run) if k else []})
    return {"scenarios": scenarios, "data_sources": data_sources(),
            "england": any(r.is_england() for r in runs), "created": created}


# --- writing -------------------------------------------------------------------------------

def check_out(path, overwrite):
    """The output folder may be created, or replaced (--overwrite: an earlier report or an empty folder)."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(f"{path}: exists and is not a folder")
    if os.path.isdir(path) and os.listdir(path):
        if not overwrite:
            raise InputError(f"{path}: folder is not empty; use --overwrite to replace the report in it")
        if not os.path.isfile(os.path.join(path, "report.html")):
            raise InputError(f"{path}: not a report folder (no report.html); --overwrite replaces only a report")


def replace_folder(staging, target):
    """Moves the finished staging folder to target, replacing any earlier one."""
    if os.path.isdir(target):
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.old-", dir=os.path.dirname(target))
        os.rename(target, os.path.join(old, "report"))
        os.rename(staging, target)
        shutil.rmtree(old)
    else:
        os.rename(staging, target)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path, pdf_path):
    """report.pdf by headless Chromium; a message (the reason) where it cannot be printed, else None."""
    browser = find_chromium()
    if browser is None:
        return "chromium not found on PATH (install chromium): report.pdf not written"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf_path}", "file://" + os.path.abspath(html_path)]
    try:
        subprocess.run(command, capture_output=True, timeout=180)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{browser} failed ({error}): report.pdf not written"
    if not os.path.isfile(pdf_path) or os.path.getsize(pdf_path) == 0:
        return f"{browser} printed no PDF: report.pdf not written"
    return None


def render_html(runs, figures, table, methods_box, comparison):
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    base = runs[0]
    detail = [c for c in figures if not c.stem.startswith(("series_", "difference_"))]
    return env.get_template("report.html.j2").render(
        base=base, others=runs[1:], runs=runs, outcomes=table, methods=methods_box,
        detail=detail, series=[c for c in figures if c.stem.startswith("series_")],
        differences=[c for c in figures if c.stem.startswith("difference_")],
        ensemble=any(r.replicates() > 1 for r in runs), compared=comparison is not None,
        paired=comparison is not None and all(row["paired"] for block in comparison.scenarios
                                              for row in block["rows"].values()))


def write_report(args, runs, staging):
    comparison = None
    if len(runs) > 1:
        comparison = run_compare(find_pcnsim(args.pcnsim), runs, os.path.join(staging, "compare.csv"))
    palette = plt.get_cmap("tab10")
    for k, run in enumerate(runs[1:]):
        run.colour = matplotlib.colors.to_hex(palette(k % 10))
    bands, bands_source = read_bands(args.targets)
    figures = []
    for chart in charts(runs, bands, bands_source, comparison):
        chart.save(staging)
        figures.append(chart)
    created = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    page = render_html(runs, figures, outcomes_table(runs, comparison), methods(runs, comparison, created),
                       comparison)
    with open(os.path.join(staging, "report.html"), "w", encoding="utf-8") as f:
        f.write(page)
    problem = None if args.no_pdf else print_pdf(os.path.join(staging, "report.html"),
                                                 os.path.join(staging, "report.pdf"))
    return figures, problem


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="pcnsim outputs; the first is the baseline")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the charts, report.html and report.pdf")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier report in DIR")
    parser.add_argument("--targets", default=DEFAULT_TARGETS,
                        help="targets file with the published size bands (default: data/targets.yaml)")
    parser.add_argument("--pcnsim", metavar="PATH",
                        help="pcnsim binary for the comparison (default: build/release/pcnsim, then PATH)")
    parser.add_argument("--no-pdf", action="store_true", help="do not print report.pdf")
    args = parser.parse_args(argv)
    target = os.path.abspath(args.out)
    staging = None
    try:
        runs = [Output(path) for path in args.files]
        labels = [r.name for r in runs]
        for r in runs:  # tell apart files of one scenario
            if labels.count(r.name) > 1:
                r.label = f"{r.name} ({os.path.basename(r.path)})"
        check_out(target, args.overwrite)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.tmp-", dir=os.path.dirname(target))
        figures, problem = write_report(args, runs, staging)
        replace_folder(staging, target)
    except InputError as error:
        if staging and os.path.isdir(staging):
            shutil.rmtree(staging)
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BaseException:
        if staging and os.path.isdir(staging):
            shutil.rmtree(staging)
        raise
    if problem:
        print(f"report: {problem}", file=sys.stderr)
    written = ["report.html"] + ([] if problem or args.no_pdf else ["report.pdf"])
    print(f"report: {len(figures)} charts (SVG, {DPI}-dpi PNG and CSV each)"
          + (", compare.csv" if len(runs) > 1 else "") + f" and {', '.join(written)} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
