#!/usr/bin/env python3
"""One line per dataset of an HDF5 file: path, dtype, shape, the SHA-256 of
its raw values and that of its attributes (units, description), in path
order; volatile datasets (wall-clock times) are left out. Two files whose
digests agree hold the same results, described the same way (the root
attributes, with versions and creation times, are not compared).
Used by tests/cli/golden_outputs.sh.

Usage: tools/h5_digest.py FILE.h5 (/usr/bin/python3 with h5py and numpy)
"""
import hashlib
import sys

import h5py
import numpy as np

# Datasets that differ between two identical runs by design (timings).
VOLATILE = ("run_time", "wall_seconds", "elapsed", "seconds")


def main():
    lines = []
    with h5py.File(sys.argv[1], "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or any(v in name.rsplit("/", 1)[-1] for v in VOLATILE):
                return
            value = obj[()]
            if isinstance(value, bytes):
                raw = value
            elif obj.dtype.kind == "O" or h5py.check_string_dtype(obj.dtype):
                raw = "\x1f".join(v.decode() if isinstance(v, bytes) else str(v)
                                  for v in np.asarray(value, dtype=object).ravel()).encode()
            else:
                raw = np.ascontiguousarray(value).tobytes()
            attrs = "\x1e".join(f"{k}={obj.attrs[k]!r}" for k in sorted(obj.attrs)).encode()
            lines.append(f"/{name} {obj.dtype} {obj.shape} {hashlib.sha256(raw).hexdigest()[:16]} "
                         f"{hashlib.sha256(attrs).hexdigest()[:8]}")
        f.visititems(visit)
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
