"""Reads a pcnsim output with plain h5py, as a user would, and checks the layout
and the consistency of its tables. Usage: test_h5py.py PCNSIM_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

binary, source = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "small.h5")
    subprocess.run([binary, "run", os.path.join(source, "scenarios", "synthetic-small.yaml"), "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        for key in ["format_version", "software_version", "created", "seed", "scenario_name", "scenario_yaml"]:
            assert key in f.attrs, key
        assert f.attrs["scenario_name"] == "synthetic-small"
        assert "formation:" in f.attrs["scenario_yaml"]

        codes = f["practices/code"][:].astype(str)
        n = len(codes)
        assert n == 600 and len(set(codes)) == n
        network = f["practices/network"][:]
        assert network.shape == (1, n), network.shape
        assert f["practices/network"].compression == "gzip"
        assert f["practices/network"].chunks is not None
        assert f["practices/network_time"][:].astype(str).tolist() == ["2019-05-15"]

        # Per-network table agrees with the per-practice membership.
        lists = f["practices/list_size"][:]
        ids = f["networks/id"][:]
        assert (ids == np.arange(len(ids))).all()
        members = network[0]
        for k, size in zip(ids, f["networks/list_size"][:]):
            assert abs(lists[members == k].sum() - size) < 1e-6
        assert (np.bincount(members[members >= 0], minlength=len(ids)) == f["networks/practices"][:]).all()
        signed = f["practices/signed_up"][:]
        assert ((members >= 0) == (signed == 1)).all()
        assert set(f["networks/hosting_model"][:].astype(str)) <= {"flat", "lead_practice", "federation", "super_practice"}

        # h5md-like series with units and descriptions.
        for name in f["series"]:
            g = f["series"][name]
            assert g["step"].shape == g["time"].shape == g["value"].shape
            assert g["value"].attrs["units"] is not None and g["value"].attrs["description"]
        assert f["series/networks/value"][-1] == len(ids)
        assert f["series/networks/value"][0] == 0
        assert f["series/networks/time"][0].decode() == "2019-04-01"

        # Money: claimed + unclaimed = ceiling for every network and year, in pence.
        ceiling = f["finance/network/arrs_ceiling_pence"][:]
        claimed = f["finance/network/arrs_claimed_pence"][:]
        unclaimed = f["finance/network/arrs_unclaimed_pence"][:]
        years = f["finance/year"][:]
        assert ceiling.shape == (len(years), len(ids)) and ceiling.dtype == np.int64
        assert (claimed + unclaimed == ceiling).all() and (claimed >= 0).all() and (unclaimed >= 0).all()
        share = f["finance/national/arrs_unclaimed_share"][:]
        assert np.allclose(share, unclaimed.sum(axis=1) / ceiling.sum(axis=1))
        # Weekly arrays: [steps, networks, roles] and [steps, practices]; the weekly
        # claims add up to the yearly totals (to float32 precision).
        steps = len(f["series/networks/step"])
        roles = f["arrs/roles"][:].astype(str)
        wte = f["networks/weekly/arrs_wte"]
        assert wte.shape == (steps, len(ids), len(roles)) and wte.dtype == np.float32
        assert np.allclose(wte[:].sum(axis=(1, 2)), f["series/arrs_wte/value"][:], rtol=1e-5)
        assert f["practices/weekly/gp_supplied_hours"].shape == (steps, n)
        weekly_claims = f["networks/weekly/arrs_claimed_gbp"][:].astype(np.float64)
        time = f["series/networks/time"][:].astype(str)
        fy = np.array([int(t[:4]) - (1 if int(t[5:7]) < 4 else 0) for t in time])
        for k, year in enumerate(years):
            assert abs(weekly_claims[fy == year].sum() - claimed[k].sum() / 100) < 1e-4 * max(1, claimed[k].sum() / 100)

        params = dict(zip(f["parameters/name"][:].astype(str), f["parameters/value"][:].astype(str)))
        assert params["formation.size_threshold_patients"] == "30000"
        assert params["population.source"] == "synthetic"
print("h5py read the output: layout and tables consistent")
