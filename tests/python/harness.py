"""What the Python tests share: the command line they are given, running
pcnsim, and reading and comparing output files.

Every test is run as `/usr/bin/python3 tests/python/test_X.py PCNSIM_BINARY SOURCE_DIR`
(tests/CMakeLists.txt); Python puts the script's folder on the path, so
`from harness import ...` works from any of them.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

binary, source = sys.argv[1], os.path.abspath(sys.argv[2])


def in_source(*parts):
    """A path inside the source tree."""
    return os.path.join(source, *parts)


def pcnsim(*args, expect=0):
    """Runs pcnsim; its exit code must be `expect` (the failure shows the ends of both streams)."""
    proc = subprocess.run([binary, *args], capture_output=True, text=True)
    assert proc.returncode == expect, (args, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def contents(path):
    """Every dataset of an HDF5 file by name, and the root attributes but the creation time."""
    with h5py.File(path, "r") as f:
        data = {}
        f.visititems(lambda name, item: data.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
        return data, {k: v for k, v in f.attrs.items() if k != "created"}


def same_datasets(a, b):
    """Two files hold the same datasets (NaN equal to NaN) and root attributes."""
    (data_a, attrs_a), (data_b, attrs_b) = contents(a), contents(b)
    assert data_a.keys() == data_b.keys(), (a, b, sorted(set(data_a) ^ set(data_b)))
    assert attrs_a == attrs_b, (a, b)
    for name, x in data_a.items():
        equal_nan = getattr(x, "dtype", None) is not None and x.dtype.kind == "f"
        assert np.array_equal(x, data_b[name], equal_nan=equal_nan), (a, b, name)
