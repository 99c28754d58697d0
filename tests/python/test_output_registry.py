"""Every dataset of a run file and of an ensemble file is declared in the
output registry (`pcnsim outputs`), with the registry's type, number of axes,
units and description; every declared dataset is in the file.
Usage: test_output_registry.py PCNSIM_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

import h5py

binary, source = sys.argv[1], sys.argv[2]
listing = subprocess.run([binary, "outputs"], check=True, capture_output=True, text=True).stdout.splitlines()
header = listing[0].split("\t")
assert header == ["path", "axes", "type", "units", "description", "source"], header
registry = {}
for line in listing[1:]:
    path, axes, dtype, units, description, origin = line.split("\t")
    assert path not in registry, f"{path} declared twice"
    assert origin, f"{path} names no source"
    registry[path] = dict(axes=axes.split(",") if axes else [], dtype=dtype, units=units, description=description)
series = {p.split("/")[2] for p in registry if p.startswith("/series/") and "<name>" not in p}
assert len(series) > 50, len(series)

KINDS = {"f": {4: "float32", 8: "float64"}, "i": {4: "int32", 8: "int64"}, "S": None}


def declaration(path):
    """The registry entry a dataset path falls under (series and summaries by pattern)."""
    parts = path.split("/")
    if parts[1] in ("series", "summary") and len(parts) == 4:
        assert parts[2] in series, f"{path}: no series {parts[2]} declared"
        return f"/{parts[1]}/<name>/{parts[3]}", registry[f"/{parts[1]}/<name>/{parts[3]}"]
    assert path in registry, f"{path} is in the file but not declared"
    return path, registry[path]


def check(file, ensemble):
    seen = set()
    with h5py.File(file, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            path = "/" + name
            key, d = declaration(path)
            seen.add(key if "<name>" in key else path)
            kind = obj.dtype.kind
            dtype = "text" if kind == "S" else KINDS[kind][obj.dtype.itemsize]
            assert dtype == d["dtype"], (path, dtype, d["dtype"])
            if "<name>" in key:
                return  # values carry the series' own units and description
            rank = len(obj.shape)
            assert rank == len(d["axes"]), (path, obj.shape, d["axes"])
            assert obj.attrs.get("units", "") == d["units"], (path, obj.attrs.get("units"), d["units"])
            assert obj.attrs.get("description", "") == d["description"], path
        f.visititems(visit)
        for s in series:
            value = f[f"series/{s}/value"]
            assert value.ndim == (2 if ensemble else 1), (s, value.shape)
            assert value.attrs["units"] == registry[f"/series/{s}"]["units"], s
    missing = {p for p in registry if "<name>" not in p and not p.startswith("/series/")} - seen
    assert not missing, f"declared but not written: {sorted(missing)}"
    return seen


with tempfile.TemporaryDirectory() as tmp:
    run, ensemble = os.path.join(tmp, "run.h5"), os.path.join(tmp, "ensemble.h5")
    scenario = os.path.join(source, "scenarios", "synthetic-small.yaml")
    subprocess.run([binary, "run", scenario, "--out", run], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([binary, "run", scenario, "--replicates", "3", "--out", ensemble], check=True,
                   stdout=subprocess.DEVNULL)
    check(run, False)
    seen = check(ensemble, True)
    assert "/summary/<name>/p90" in seen
print(f"{len(registry)} declared outputs ({len(series)} series): a run and an ensemble file match the registry")
