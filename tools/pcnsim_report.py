#!/usr/bin/python3
"""Charts and a self-contained HTML report from pcnsim output files.

    pcnsim_report.py RUN.h5 [OTHER.h5 ...] --out DIR [--overwrite] [--targets FILE]

Writes one PNG per chart and report.html (every chart embedded as a base64 data
URI, so the one file opens anywhere) into DIR. The detailed charts describe the
first file; with more files, each key national series is drawn for the first
file (the baseline) and every other file on one chart. A "Key outcomes" table
gives each file's `/outcomes`.

An ensemble (`pcnsim run --replicates N`: each national series' `value` with a
leading replicate dimension and `/summary/<metric>/{mean,median,p10,p90}`) is
drawn as the median with a 10th-90th percentile band, a single run as a line.
Unclaimed ARRS money by year and the key outcomes come from `/outcomes` (one row
per replicate); everything else an ensemble keeps only for replicate 0 (networks,
finance, weekly arrays), and the captions say where a chart shows replicate 0.

Exit codes: 0 report written; 2 bad input (missing or unreadable file, not a
pcnsim output, output folder not empty without --overwrite), nothing written.
Needs only the standard library, h5py, numpy and matplotlib.
"""
import argparse
import base64
import html
import os
import re
import sys

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# Published share of networks in each list-size band, January 2020 [S3 ch.6]; the
# targets file, where found, supplies the same figures.
PUBLISHED_BANDS = {"share_under_30k": 0.07, "share_in_30k_50k": 0.58, "share_over_50k": 0.35}
BAND_LABELS = {"share_under_30k": "under 30k", "share_in_30k_50k": "30k-50k", "share_over_50k": "over 50k"}
DEFAULT_TARGETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "data", "targets.yaml")

# National series compared across files, one chart each.
KEY_SERIES = ["arrs_wte", "hours_per_gp_fte", "gp_unmet_hours", "arrs_claimed_gbp", "cd_funded_hours",
              "cd_support_hours", "cd_unmanageable_share", "cd_mean_strain", "networks_with_manager"]

REQUIRED_ATTRS = ["scenario_name", "seed", "software_version", "created"]


class InputError(Exception):
    """A problem with an input file or the output folder: exit code 2."""


def summarise(values):
    """(central, low, high) along the replicate axis: a 1-D array is one run
    (no band); a 2-D array is [replicates, ...] (median, 10th, 90th percentile)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return values, None, None
    if values.ndim != 2:
        raise InputError(f"expected 1-D or 2-D values, found shape {values.shape}")
    return (np.median(values, axis=0), np.percentile(values, 10, axis=0), np.percentile(values, 90, axis=0))


def units_of(dataset):
    units = dataset.attrs.get("units", "")
    return units.decode() if isinstance(units, bytes) else str(units)


def axis_label(quantity, units):
    """'quantity (units)', with the unit 1 of shares and ratios spelt out."""
    return f"{quantity} ({'dimensionless' if units in ('1', '') else units})"


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
        self.attrs = {k: self.text(self.file.attrs[k]) for k in self.file.attrs if k != "scenario_yaml"}
        self.name = self.attrs["scenario_name"]
        self.label = self.name

    @staticmethod
    def text(value):
        if isinstance(value, bytes):
            return value.decode()
        if isinstance(value, np.ndarray):
            return ", ".join(Output.text(v) for v in value.tolist())
        return str(value)

    def description(self):
        if "parameters/name" not in self.file:
            return ""
        names = self.file["parameters/name"][:].astype(str)
        hits = np.flatnonzero(names == "description")
        return self.text(self.file["parameters/value"][hits[0]]) if len(hits) else ""

    def replicates(self):
        """The root attribute `replicates`, or the replicate axis of the series (older layouts)."""
        value = self.file["series/networks/value"] if "series/networks" in self.file else None
        stacked = value.shape[0] if value is not None and value.ndim == 2 else 1
        return max(int(self.file.attrs.get("replicates", 1)), stacked)

    def outcomes(self):
        """{name: (units, values [replicates])} of /outcomes, in file order; empty without it."""
        if "outcomes/value" not in self.file:
            return {}
        group = self.file["outcomes"]
        values = np.atleast_2d(group["value"][:].astype(float))
        units = group["units"][:].astype(str) if "units" in group else [""] * values.shape[1]
        return {name: (unit, values[:, k]) for k, (name, unit) in enumerate(zip(group["name"][:].astype(str), units))}

    def has_series(self, metric):
        return f"series/{metric}/value" in self.file

    def series(self, metric):
        """(dates, central, low, high, units, description) of a national series;
        low and high are None for a single run. Precomputed ensemble summaries
        (/summary/<metric>/{median,p10,p90}) are used when present."""
        group = self.file["series"][metric]
        dates = group["time"][:].astype(str)
        if dates.ndim == 2:
            dates = dates[0]
        dates = dates.astype("datetime64[D]")
        value = group["value"]
        summary = self.file.get(f"summary/{metric}")
        if summary is not None and all(k in summary for k in ("median", "p10", "p90")):
            central, low, high = (summary[k][:].astype(float) for k in ("median", "p10", "p90"))
        else:
            central, low, high = summarise(value[:])
        return dates, central, low, high, units_of(value), self.text(value.attrs.get("description", metric))


def plot_band(ax, dates, central, low, high, label=None, color=None, linewidth=1.6):
    line, = ax.plot(dates, central, label=label, color=color, linewidth=linewidth)
    if low is not None:
        ax.fill_between(dates, low, high, color=line.get_color(), alpha=0.25, linewidth=0,
                        label=f"{label + ': ' if label else ''}10th-90th percentile")
    return line


def finish(fig, ax, title, ylabel, xlabel="week starting"):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    fig.autofmt_xdate() if xlabel == "week starting" else None


def band_note(run):
    n = run.replicates()
    return (f" Median of {n} replicates with the 10th-90th percentile band." if n > 1 else "")


def stack_note(run, what):
    """Caption text for a stack of per-part series: in an ensemble each part is its own median."""
    n = run.replicates()
    return (f" Each {what} is its own median across {n} replicates, so the top of the stack need not equal "
            f"the median of the total." if n > 1 else "")


def replicate0_note(run, what):
    n = run.replicates()
    return f" Replicate 0 only (of {n}; seed {run.attrs['seed']}): {what}." if n > 1 else ""


def format_value(x):
    """A key outcome as printed in the report: whole numbers from 1,000 up with
    separators, otherwise four significant figures."""
    x = float(x)
    return f"{x:,.0f}" if np.isfinite(x) and abs(x) >= 1000 else f"{x:.4g}"


def format_outcome(values):
    """One value, or 'median [10th, 90th percentile]' across replicates."""
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return format_value(values[0])
    low, median, high = np.percentile(values, [10, 50, 90])
    return f"{format_value(median)} [{format_value(low)}, {format_value(high)}]"


def read_bands(path):
    """The published size-band shares from a targets file (plain-text read, no
    YAML library needed); the built-in figures where the file or a row is missing."""
    bands = dict(PUBLISHED_BANDS)
    source = "S3 ch.6"
    if path and os.path.isfile(path):
        with open(path) as f:
            text = f.read()
        for key in bands:
            match = re.search(rf"^\s*{key}:\s*{{\s*observed:\s*([0-9.eE+-]+)", text, re.M)
            if match:
                bands[key] = float(match.group(1))
        source = f"{os.path.basename(path)}, S3 ch.6"
    return bands, source


# Each chart function draws on a new figure and returns (figure, title, caption).

def formed_at_deadline(f):
    """List sizes of the networks formed at the registration deadline: /networks
    also holds the networks split off at later re-evaluations, with their list
    when they formed."""
    sizes = f["networks/list_size"][:].astype(float)
    formed = f["networks/formed_time"][:].astype(str)
    first = f["practices/network_time"][:].astype(str)
    first = first[..., :1] if first.ndim == 2 else first[:1]
    keep = (formed == first) & np.isfinite(sizes)
    return sizes[keep].ravel()


def chart_formation(run, bands, bands_source):
    sizes = formed_at_deadline(run.file)
    units = units_of(run.file["networks/list_size"])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [2, 1]})
    top = max(100000.0, np.ceil(sizes.max() / 5000) * 5000 if len(sizes) else 0)
    ax.hist(sizes, bins=np.arange(0, top + 5000, 5000), color="#4c72b0", edgecolor="white")
    for edge in (30000, 50000):
        ax.axvline(edge, color="#c44e52", linestyle="--", linewidth=1.2)
    ax.set_title("Network list size at formation")
    ax.set_xlabel(f"list size ({units})")
    ax.set_ylabel("networks")
    ax.grid(True, alpha=0.3)
    simulated = {"share_under_30k": np.mean(sizes < 30000),
                 "share_in_30k_50k": np.mean((sizes >= 30000) & (sizes <= 50000)),
                 "share_over_50k": np.mean(sizes > 50000)}
    x = np.arange(len(bands))
    bx.bar(x - 0.2, [100 * simulated[k] for k in bands], 0.4, label="simulated", color="#4c72b0")
    bx.bar(x + 0.2, [100 * bands[k] for k in bands], 0.4, label="published (Jan 2020)", color="#dd8452")
    bx.set_xticks(x, [BAND_LABELS[k] for k in bands])
    bx.set_title("Share of networks by size band")
    bx.set_xlabel(f"list size band ({units})")
    bx.set_ylabel("networks (%)")
    bx.legend(loc="upper left", fontsize=8)
    bx.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    shares = ", ".join(f"{BAND_LABELS[k]} {100 * simulated[k]:.1f}% (published {100 * bands[k]:.0f}%)" for k in bands)
    pooled = run.file["networks/list_size"].ndim == 2
    note = (" Networks of all replicates pooled." if pooled else
            replicate0_note(run, "an ensemble keeps the networks of replicate 0 alone; networks_formed and the "
                                 "band shares across replicates are in the key outcomes"))
    caption = (f"{len(sizes)} networks formed in 2019, by registered list size in bins of 5,000; dashed lines mark "
               f"the 30,000 threshold and 50,000. Right: simulated shares against the published ones "
               f"({bands_source}): {shares}.{note}")
    return fig, "Network list sizes at formation", caption


def chart_arrs_roles(run):
    roles = [r for r in run.file["arrs/roles"][:].astype(str) if run.has_series(f"arrs_wte_{r}")]
    fig, ax = plt.subplots(figsize=(11, 5))
    dates = None
    stacks = []
    for role in roles:
        dates, central, _, _, units, _ = run.series(f"arrs_wte_{role}")
        stacks.append(central)
    colors = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(roles), 1)))
    ax.stackplot(dates, *stacks, labels=[r.replace("_", " ") for r in roles], colors=colors)
    d, central, low, high, units, _ = run.series("arrs_wte")
    if low is not None:
        ax.fill_between(d, low, high, color="black", alpha=0.15, label="all roles: 10th-90th percentile")
    ax.legend(loc="upper left", fontsize=7, ncol=2)
    finish(fig, ax, f"ARRS staff in post by role ({run.label})", axis_label("staff in post", units))
    fig.tight_layout()
    end = float(central[-1])
    caption = (f"ARRS whole-time equivalents in post each week, stacked by role ({len(roles)} roles), from the "
               f"national series; {end:,.0f} WTE in the last week"
               + (f" (median of the total; grey band: its 10th-90th percentile).{stack_note(run, 'role')}"
                  if low is not None else "."))
    return fig, "ARRS workforce by role", caption


def unclaimed_by_year(run):
    """(years, unclaimed [replicates, years] or [years], share likewise, units, source) of
    unclaimed ARRS money: from the per-replicate key outcomes arrs_unclaimed_{gbp,share}_YYYY_YY
    of an ensemble, else from /finance/national (a single run, or replicate 0)."""
    outcomes = run.outcomes()
    found = sorted((int(m.group(1)), name) for name in outcomes
                   for m in [re.fullmatch(r"arrs_unclaimed_gbp_(\d{4})_\d{2}", name)] if m)
    if run.replicates() > 1 and found and all(n.replace("_gbp_", "_share_") in outcomes for _, n in found):
        years = np.array([y for y, _ in found])
        gbp = np.stack([outcomes[n][1] for _, n in found], axis=1)
        share = np.stack([outcomes[n.replace("_gbp_", "_share_")][1] for _, n in found], axis=1)
        return years, gbp, share, outcomes[found[0][1]][0] or "GBP", "outcomes"
    unclaimed = run.file["finance/national/arrs_unclaimed_gbp"]
    return (run.file["finance/year"][:], unclaimed[:], run.file["finance/national/arrs_unclaimed_share"][:],
            units_of(unclaimed) or "GBP", "finance")


def chart_arrs_unclaimed(run):
    years, unclaimed, share, units, source = unclaimed_by_year(run)
    central, low, high = summarise(unclaimed)
    share, _, _ = summarise(share)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in years]
    error = None if low is None else np.vstack([central - low, high - central]) / 1e6
    bars = ax.bar(labels, central / 1e6, color="#c44e52", yerr=error, capsize=4)
    tops = central if high is None else np.maximum(central, high)  # labels above the error bars
    for bar, s, top in zip(bars, share, tops / 1e6):
        ax.annotate(f"{100 * s:.1f}% of ceiling", (bar.get_x() + bar.get_width() / 2, top),
                    ha="center", va="bottom", fontsize=8, xytext=(0, 3), textcoords="offset points")
    finish(fig, ax, f"ARRS money unclaimed by financial year ({run.label})", f"unclaimed (millions of {units})",
           xlabel="financial year")
    fig.tight_layout()
    where = ("from the key outcomes arrs_unclaimed_gbp_YYYY_YY and arrs_unclaimed_share_YYYY_YY of each replicate"
             if source == "outcomes" else "from /finance/national")
    caption = (f"National ARRS ceiling left unclaimed at each financial year's end (lost under use-it-or-lose-it), "
               f"{where}; labels give the unclaimed share of the year's ceiling."
               + (f" Bars: median of {unclaimed.shape[0]} replicates; error bars: 10th-90th percentile across "
                  f"replicates (labels: median share)." if low is not None else
                  replicate0_note(run, "the file has no per-replicate unclaimed outcomes")))
    return fig, "Unclaimed ARRS money", caption


def chart_cd_hours(run):
    sources = [s for s in run.file["clinical_directors/sources"][:].astype(str) if run.has_series(f"cd_hours_{s}")]
    fig, ax = plt.subplots(figsize=(11, 5))
    stacks = []
    for source in sources:
        dates, central, _, _, units, _ = run.series(f"cd_hours_{source}")
        stacks.append(central)
    ax.stackplot(dates, *stacks, labels=[s.replace("_", " ") for s in sources],
                 colors=plt.get_cmap("tab10")(np.arange(len(sources)) % 10), alpha=0.85)
    for metric, color, label in [("cd_funded_hours", "black", "funded hours"),
                                 ("cd_support_hours", "#7f7f7f", "taken by support")]:
        if run.has_series(metric):
            d, c, lo, hi, _, _ = run.series(metric)
            plot_band(ax, d, c, lo, hi, label=label, color=color)
    ax.legend(loc="upper left", fontsize=7, ncol=2)
    finish(fig, ax, f"Clinical-director demand by source ({run.label})", axis_label("CD time, all networks", units))
    fig.tight_layout()
    caption = ("Clinical-director demand of all networks each week, stacked by source; the black line is the "
               "funded CD time and the grey line the demand taken by managers, commissioners and federations. "
               "Demand above the funded line is the excess that builds strain." + band_note(run)
               + stack_note(run, "source"))
    return fig, "Clinical-director hours by source", caption


def chart_gp_workload(run):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    for ax, metric, title in [(axes[0], "hours_per_gp_fte", "GP hours worked per GP FTE"),
                              (axes[1], "gp_unmet_hours", "GP demand left unmet")]:
        dates, central, low, high, units, _ = run.series(metric)
        plot_band(ax, dates, central, low, high, label=run.label)
        finish(fig, ax, title, axis_label(metric.replace("_", " "), units))
    fig.suptitle(f"GP workload ({run.label})")
    fig.tight_layout()
    _, hours, _, _, _, _ = run.series("hours_per_gp_fte")
    caption = ("Left: GP hours worked per GP full-time equivalent each week (after ARRS substitution and supervision; "
               f"{hours[0]:.1f} in the first week, {hours[-1]:.1f} in the last). Right: national GP demand beyond "
               "GPs' maximum hours." + band_note(run))
    return fig, "GP workload", caption


def chart_compare(runs, metric):
    fig, ax = plt.subplots(figsize=(10, 4.6))
    units = description = ""
    for k, run in enumerate(runs):
        dates, central, low, high, units, description = run.series(metric)
        # The baseline wide and black underneath, so a scenario equal to it stays visible.
        plot_band(ax, dates, central, low, high, label=run.label, color="black" if k == 0 else f"C{k - 1}",
                  linewidth=3.2 if k == 0 else 1.4)
    ax.legend(fontsize=8)
    finish(fig, ax, f"{description[:1].upper()}{description[1:]}: baseline vs scenarios",
           axis_label(metric.replace("_", " "), units))
    fig.tight_layout()
    others = ", ".join(r.label for r in runs[1:])
    caption = (f"National series {metric} ({description}, {units}) of the baseline {runs[0].label} (wide black line) and of "
               f"{others}." + (" Bands: 10th-90th percentile across replicates." if
                               any(r.replicates() > 1 for r in runs) else ""))
    return fig, f"Comparison: {metric}", caption


def charts(runs, bands, bands_source):
    """(file stem, chart function and its arguments) of every chart of the report."""
    base = runs[0]
    yield "formation_sizes", chart_formation, (base, bands, bands_source)
    yield "arrs_wte_by_role", chart_arrs_roles, (base,)
    yield "arrs_unclaimed", chart_arrs_unclaimed, (base,)
    yield "cd_hours_by_source", chart_cd_hours, (base,)
    yield "gp_workload", chart_gp_workload, (base,)
    if len(runs) > 1:
        for metric in KEY_SERIES:
            if all(r.has_series(metric) for r in runs):
                yield f"compare_{metric}", chart_compare, (runs, metric)


def prepare_out(path, overwrite):
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(f"{path}: exists and is not a folder")
    if os.path.isdir(path) and os.listdir(path) and not overwrite:
        raise InputError(f"{path}: folder is not empty; use --overwrite to write into it anyway")
    os.makedirs(path, exist_ok=True)


def outcomes_table(runs):
    """The "Key outcomes" section: one row per outcome named in any file (in order of
    first appearance), one column per file; empty when no file has /outcomes."""
    esc = html.escape
    tables = [r.outcomes() for r in runs]
    names = list(dict.fromkeys(name for table in tables for name in table))
    if not names:
        return ""
    head = "".join(f"<th>{esc(r.label)}" + (f" ({r.replicates()} replicates)" if r.replicates() > 1 else "")
                   + "</th>" for r in runs)
    rows = []
    for name in names:
        units = next(table[name][0] for table in tables if name in table)
        units = "dimensionless" if units == "1" else units
        cells = "".join(f"<td>{format_outcome(table[name][1]) if name in table else ''}</td>" for table in tables)
        rows.append(f"<tr><td>{esc(name)}</td><td>{esc(units)}</td>{cells}</tr>\n")
    ensemble = any(r.replicates() > 1 for r in runs)
    return ('<section id="key-outcomes">\n<h2>Key outcomes</h2>\n<p>From /outcomes'
            + (": for an ensemble, median [10th, 90th percentile] across replicates (linear interpolation); "
               "for a single run, its value" if ensemble else "") + ".</p>\n"
            f"<table>\n<tr><th>outcome</th><th>units</th>{head}</tr>\n{''.join(rows)}</table>\n</section>\n")


def render_html(runs, figures):
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(os.path.basename(r.path))}</td><td>{esc(r.name)}</td><td>{esc(r.description())}</td>"
        f"<td>{esc(r.attrs.get('seed', ''))}</td><td>{r.replicates()}</td>"
        f"<td>{esc(r.attrs.get('population_source', ''))}</td><td>{esc(r.attrs.get('software_version', ''))}</td>"
        f"<td>{esc(r.attrs.get('created', ''))}</td></tr>\n" for r in runs)
    body = []
    for stem, title, caption, png in figures:
        data = base64.b64encode(png).decode("ascii")
        body.append(f'<section id="{esc(stem)}">\n<h2>{esc(title)}</h2>\n<figure>\n'
                    f'<img src="data:image/png;base64,{data}" alt="{esc(title)}">\n'
                    f"<figcaption>{esc(caption)}</figcaption>\n</figure>\n</section>\n")
    base = runs[0]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pcnsim report: {esc(base.name)}</title>
<style>
body {{ font-family: sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
img {{ max-width: 100%; }}
figcaption {{ font-size: 0.9em; color: #444; margin-top: 0.4em; }}
</style>
</head>
<body>
<h1>pcnsim report: {esc(base.name)}</h1>
<p>Scenario <b>{esc(base.name)}</b>, seed {esc(base.attrs['seed'])}, software {esc(base.attrs['software_version'])},
created {esc(base.attrs['created'])}. The first file is the baseline of every comparison.</p>
<table>
<tr><th>file</th><th>scenario</th><th>description</th><th>seed</th><th>replicates</th><th>population</th>
<th>software version</th><th>created</th></tr>
{rows}</table>
{outcomes_table(runs)}{''.join(body)}</body>
</html>
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="pcnsim outputs; the first is the baseline")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG charts and report.html")
    parser.add_argument("--overwrite", action="store_true", help="write into a folder that is not empty")
    parser.add_argument("--targets", default=DEFAULT_TARGETS,
                        help="targets file with the published size bands (default: data/targets.yaml)")
    args = parser.parse_args(argv)
    try:
        runs = [Output(path) for path in args.files]
        labels = [r.name for r in runs]
        for r in runs:  # tell apart files of one scenario
            if labels.count(r.name) > 1:
                r.label = f"{r.name} ({os.path.basename(r.path)})"
        prepare_out(args.out, args.overwrite)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    bands, bands_source = read_bands(args.targets)
    figures = []
    for stem, function, function_args in charts(runs, bands, bands_source):
        fig, title, caption = function(*function_args)
        path = os.path.join(args.out, f"{stem}.png")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        with open(path, "rb") as f:
            figures.append((stem, title, caption, f.read()))
    report = os.path.join(args.out, "report.html")
    with open(report, "w", encoding="utf-8") as f:
        f.write(render_html(runs, figures))
    print(f"report: {len(figures)} charts and {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
