"""Output files given to `compare` and `export` are untrusted input: a crafted
or damaged file (columns of the wrong length, seeds that disagree with the
replicate rows, external links or external storage pointing out of the file)
is an exit 2 naming the dataset, never a crash, an internal error or a read
of another file. Usage: test_untrusted_outputs.py PCNSIM_BINARY SOURCE_DIR"""
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

binary, source = sys.argv[1], sys.argv[2]


def pcnsim(*args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=20)


def expect_bad(what, args, text):
    proc = pcnsim(*args)
    assert proc.returncode == 2, (what, proc.returncode, proc.stderr)
    assert text in proc.stderr, (what, proc.stderr)
    assert "internal error" not in proc.stderr, (what, proc.stderr)


def crafted(tmp, name, change):
    path = os.path.join(tmp, name + ".h5")
    shutil.copy(good, path)
    with h5py.File(path, "r+") as f:
        change(f)
    return path


def replace(f, path, data):
    del f[path]
    f[path] = data


with tempfile.TemporaryDirectory() as tmp:
    good = os.path.join(tmp, "good.h5")
    subprocess.run([binary, "run", os.path.join(source, "scenarios", "synthetic-small.yaml"), "--replicates", "2",
                    "--quiet", "--out", good], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(good, "r") as f:
        units = f["outcomes/units"][:]
        values = f["outcomes/value"][:]
        names = f["parameters/name"][:]

    cases = {
        "short-units": (lambda f: replace(f, "outcomes/units", units[:3]), "/outcomes/units"),
        "short-parameter-values": (lambda f: replace(f, "parameters/value", names[:5]), "/parameters/value"),
        "seeds-disagree": (lambda f: replace(f, "replicates/seed", np.arange(5)), "/replicates/seed"),
        "value-wrong-shape": (lambda f: replace(f, "outcomes/value", values.ravel()), "/outcomes/value"),
    }
    for name, (change, text) in cases.items():
        path = crafted(tmp, name, change)
        expect_bad(name, ["compare", good, path], text)
        expect_bad(name + " (as base)", ["compare", path, good], text)

    # An external link to a FIFO: following it would block forever (the timeout catches that).
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)

    def external(f):
        del f["networks"]
        f["networks"] = h5py.ExternalLink(fifo, "/")
        del f["outcomes/value"]
        f["outcomes/value"] = h5py.ExternalLink(fifo, "/x")
    linked = crafted(tmp, "external-link", external)
    expect_bad("export through an external link", ["export", linked, "networks"], "external link")
    expect_bad("compare through an external link", ["compare", good, linked], "external link")

    # A dataset whose values are stored in another file (external storage).
    raw = os.path.join(tmp, "raw.bin")
    with open(raw, "wb") as out:
        out.write(b"\0" * 8 * 100)

    def external_storage(f):
        del f["networks/list_size"]
        f.create_dataset("networks/list_size", shape=(100,), dtype="f8", external=[(raw, 0, 800)])
    stored = crafted(tmp, "external-storage", external_storage)
    expect_bad("export of externally stored data", ["export", stored, "networks"], "external")
print("crafted output files: every case exits 2 naming the dataset")
