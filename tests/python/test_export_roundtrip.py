"""`pcnsim export` is lossless: for every dataset of a single run and a
3-replicate ensemble of teaching-10 and a run of synthetic-small, `export --all --dir`,
wide and --long, is read back, the array rebuilt from the label columns alone,
and compared with h5py's values exactly (floats bit for bit, NaN in the same
places, strings decoded), with the labels checked against their datasets
(network = /networks/id, date = the series' time, seed = /replicates/seed...).
Every dataset is in data_dictionary.csv; `export FILE DATASET` gives the same
bytes as the --all file; groups keep every value (outcomes, series).
Usage: test_export_roundtrip.py PCNSIM_BINARY SOURCE_DIR"""
import csv
import os
import shutil
import tempfile

import h5py
import numpy as np

from harness import in_source, pcnsim

# The label columns of each axis and the dataset they come from; the first one
# identifies the element. Axes not listed are labelled by their index.
LABELS = {
    "step": [("step", "series/arrs_wte/step"), ("date", "series/arrs_wte/time")],
    "practice": [("practice", "practices/code")],
    "network": [("network", "networks/id")],
    "commissioner": [("commissioner", "commissioners/code")],
    "evaluation": [("evaluation_date", "practices/network_time")],
    "year": [("financial_year", "finance/year")],
    "role": [("role", "arrs/roles")],
    "readiness_driver": [("readiness_driver", "arrs/readiness_drivers")],
    "cd_source": [("cd_source", "clinical_directors/sources")],
    "replicate": [("replicate", None), ("seed", "replicates/seed")],
    "outcome": [("outcome", "outcomes/name")],
}
# The label naming an axis's columns in the wide layout (None: axis_INDEX).
HEADER = {"step": "date", "replicate": None}


def text(values):
    """A label dataset as the strings export writes."""
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def financial_year(start):
    return f"{start}/{(int(start) + 1) % 100:02d}"


class Axes:
    """Each axis's label columns and the index of every label, from the file."""

    def __init__(self, f):
        self.f = f

    def columns(self, axis, size):
        out = []
        for column, source in LABELS.get(axis, [(axis, None)]):
            if source is None:
                out.append((column, [str(i) for i in range(size)]))
            else:
                labels = text(self.f[source][:])
                if column == "financial_year":
                    labels = [financial_year(y) for y in labels]
                assert len(labels) == size, (axis, source, size)
                out.append((column, labels))
        return out

    def header(self, axis, size):
        """The wide column header of each element of `axis`."""
        key = HEADER.get(axis, LABELS.get(axis, [(axis, None)])[0][0])
        if key is None or axis not in LABELS:
            return [f"{axis}_{i}" for i in range(size)]
        return dict(self.columns(axis, size))[key]


def parse(values, dtype):
    """CSV fields as an array of `dtype`, exactly."""
    if dtype.kind == "S":
        return np.array(values, dtype=object)
    if dtype.kind == "f":
        return np.array([float(v) for v in values], dtype=np.float64).astype(dtype)
    return np.array([int(v) for v in values], dtype=dtype)


def same(expected, got):
    """Exact equality: strings decoded, floats bit for bit, NaN where NaN."""
    if expected.dtype.kind == "S":
        return list(text(expected.ravel())) == list(got.ravel())
    if expected.dtype.kind == "f":
        return np.array_equal(np.isnan(expected), np.isnan(got)) and np.array_equal(
            expected.view(f"u{expected.itemsize}"), got.view(f"u{expected.itemsize}"))
    return np.array_equal(expected, got)


def rebuild(path, data, axes_names, axes, wide):
    """The array of a dataset's CSV, from its label columns and headers only."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    shape = data.shape
    spread = wide and len(shape) >= 2
    row_axes = len(shape) - 1 if spread else len(shape)
    lookup, position = [], 0
    for k in range(row_axes):
        columns = axes.columns(axes_names[k], shape[k])
        names = [c for c, _ in columns]
        assert header[position:position + len(names)] == names, (path, header, names)
        first = {label: i for i, label in enumerate(columns[0][1])}  # the element each label names
        assert len(first) == shape[k], (path, names[0], "labels name one element each")
        lookup.append((position, columns, first))
        position += len(names)
    if spread:
        value_columns = axes.header(axes_names[-1], shape[-1])
    else:
        value_columns = ["value" if not wide else os.path.basename(data.name)]
    assert header[position:] == list(value_columns), (path, header[position:], value_columns)
    cells, filled = [None] * data.size, [0] * data.size
    width = shape[-1] if spread else 1
    for row in body:
        flat = 0
        for k, (start, columns, first) in enumerate(lookup):
            element = first[row[start]]
            for offset, (name, labels) in enumerate(columns):
                assert row[start + offset] == labels[element], (path, name, row)  # e.g. date = time[step]
            flat = flat * shape[k] + element
        for j, field in enumerate(row[position:]):
            cells[flat * width + j] = field
            filled[flat * width + j] += 1
    assert filled == [1] * data.size, (path, "every value exactly once")
    return parse(cells, data.dtype).reshape(shape)


def dictionary(directory):
    with open(os.path.join(directory, "data_dictionary.csv"), newline="") as fh:
        return {row["dataset"]: row for row in csv.DictReader(fh)}


def check_all(h5, directory, wide):
    entries = dictionary(directory)
    with h5py.File(h5, "r") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        assert sorted("/" + n for n in names) == sorted(entries), (h5, set(names) ^ set(entries))
        axes = Axes(f)
        for name in names:
            entry, data = entries["/" + name], f[name]
            axes_names = entry["axes"].split(",") if entry["axes"] else []
            assert entry["shape"] == ",".join(str(n) for n in data.shape), (name, entry)
            assert len(axes_names) == data.ndim, (name, entry)
            units = data.attrs.get("units")
            if units is not None:
                assert entry["units"] == (units.decode() if isinstance(units, bytes) else str(units)), (name, entry)
            got = rebuild(os.path.join(directory, entry["file"]), data, axes_names, axes, wide)
            assert same(data[()], got), (h5, name, "wide" if wide else "long")
        assert len(os.listdir(directory)) == len(names) + 2  # and the dictionary, the attributes
        with open(os.path.join(directory, "attributes.csv"), newline="") as fh:
            attributes = {row["attribute"]: row["value"] for row in csv.DictReader(fh)}
        assert attributes["seed"] == str(f.attrs["seed"]) and attributes["scenario_name"] == f.attrs["scenario_name"]
    return len(names)


def check_groups(h5):
    """Groups keep every value: outcomes with names, units and descriptions, series with dates."""
    with h5py.File(h5, "r") as f:
        replicates = f["outcomes/value"].shape[0]
        out = pcnsim("export", h5, "outcomes").stdout.splitlines()
        rows = list(csv.reader(out))
        assert rows[0] == ["outcome", "description", "units"] + [f"value[replicate_{r}]" for r in range(replicates)]
        assert [r[0] for r in rows[1:]] == text(f["outcomes/name"][:])
        assert [r[2] for r in rows[1:]] == text(f["outcomes/units"][:])
        values = np.array([[float(v) for v in r[3:]] for r in rows[1:]]).T
        assert same(f["outcomes/value"][()], values)
        rows = list(csv.reader(pcnsim("export", h5, "series/arrs_wte", "--long").stdout.splitlines()))
        value = f["series/arrs_wte/value"][()].reshape(replicates, -1)
        assert len(rows) - 1 == value.size
        times, seeds = text(f["series/arrs_wte/time"][:]), text(f["replicates/seed"][:])
        if f["series/arrs_wte/value"].ndim == 1:  # a single run: no replicate axis
            assert rows[0] == ["step", "date", "value"], rows[0]
            rows = [[step, date, "0", seeds[0], v] for step, date, v in rows[1:]]
        else:
            assert rows[0] == ["step", "date", "replicate", "seed", "value"], rows[0]
            rows = rows[1:]
        for step, date, replicate, seed, v in rows:
            assert date == times[int(step)] and seed == seeds[int(replicate)]
            assert float(v) == value[int(replicate), int(step)]
        if "summary" in f:
            rows = list(csv.reader(pcnsim("export", h5, "summary/arrs_wte").stdout.splitlines()))
            assert rows[0] == ["step", "date", "mean", "median", "p10", "p90"], rows[0]
            assert [float(r[2]) for r in rows[1:]] == list(f["summary/arrs_wte/mean"][:])


def check_one_at_a_time(h5, directory, layout):
    for dataset in ("networks/weekly/arrs_wte", "finance/network/core_pence", "outcomes/value", "series/arrs_wte/value",
                    "practices/network"):
        single = pcnsim("export", h5, dataset, *layout).stdout
        with open(os.path.join(directory, dataset.replace("/", ".") + ".csv"), newline="") as fh:
            assert single == fh.read(), (h5, dataset, layout)


def check_undeclared(h5, tmp):
    """Datasets the registry does not declare export too, by index axes dim0, dim1...;
    awkward values (NaN, -0, huge, tiny, quotes, commas, line breaks) survive."""
    extra = os.path.join(tmp, "extra.h5")
    shutil.copy(h5, extra)
    with h5py.File(extra, "a") as f:
        cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / np.float32(7)
        cube[0, 0, :] = [np.nan, -0.0, np.finfo(np.float32).max, np.finfo(np.float32).tiny]
        f["extra/cube"] = cube
        f["extra/one"] = np.float64(1) / 3
        f["extra/text"] = np.array([b'say "hi", then', b"two\nlines\r", b""], dtype="S16")
        f["extra/big"] = np.array([[2**62, -2**63], [0, 1]], dtype=np.int64)
    for wide in (True, False):
        directory = os.path.join(tmp, f"extra-{wide}")
        pcnsim("export", extra, "--all", "--dir", directory, *(() if wide else ("--long",)))
        check_all(extra, directory, wide)
        assert dictionary(directory)["/extra/cube"]["axes"] == "dim0,dim1,dim2"
    rows = list(csv.reader(pcnsim("export", extra, "extra").stdout.splitlines(keepends=True)))
    # A group of unrelated datasets: those along its most common axis, the others named on stderr.
    assert rows[0] == ["dim0", "big[dim1_0]", "big[dim1_1]"], rows
    note = pcnsim("export", extra, "extra").stderr
    assert "left out cube (dim0,dim1,dim2), one (scalar), text (dim0)" in note, note


with tempfile.TemporaryDirectory() as tmp:
    # synthetic-small (135 networks) as a single run only: its ensemble adds
    # nothing teaching-10's does not, at many seconds of Python.
    for scenario, replicates in (("teaching-10", 1), ("teaching-10", 3), ("synthetic-small", 1)):
        h5 = os.path.join(tmp, f"{scenario}-{replicates}.h5")
        ensemble = ("--replicates", str(replicates)) if replicates > 1 else ()
        pcnsim("run", in_source("scenarios", f"{scenario}.yaml"), *ensemble, "--quiet", "--out", h5)
        for wide in (True, False):
            directory = os.path.join(tmp, f"{scenario}-{replicates}-{'wide' if wide else 'long'}")
            layout = () if wide else ("--long",)
            pcnsim("export", h5, "--all", "--dir", directory, *layout)
            count = check_all(h5, directory, wide)
            check_one_at_a_time(h5, directory, layout)
        check_groups(h5)
        print(f"{scenario}, {replicates} replicate(s): {count} datasets exported wide and long, read back exactly")
    check_undeclared(h5, tmp)
    print("undeclared datasets (dim0, dim1...) and awkward values read back exactly")
