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
        assert network.shape == (5, n), network.shape  # formation, then each 1 April
        assert f["practices/network"].compression == "gzip"
        assert f["practices/network"].chunks is not None
        times = f["practices/network_time"][:].astype(str).tolist()
        assert times == ["2019-05-15", "2020-04-06", "2021-04-05", "2022-04-04", "2023-04-03"], times

        # Per-network table agrees with the per-practice membership: sizes at
        # formation from the row the network first appears in, final sizes
        # from the last row.
        lists = f["practices/evaluation_list_size"][:]  # per evaluation: practices merge and close
        assert lists.shape == network.shape
        assert abs(lists.sum(axis=1) - lists[0].sum()).max() < 1e-3  # patients are conserved
        assert (f["practices/list_size"][:] == lists[-1]).all()
        ceased = f["practices/ceased_step"][:]
        assert (ceased >= 0).sum() > 5 and (lists[-1][ceased >= 0] == 0).all()
        assert (network[-1][ceased >= 0] == -1).all()
        ids = f["networks/id"][:]
        assert (ids == np.arange(len(ids))).all()
        formed = f["networks/formed_time"][:].astype(str)
        for k, size, count in zip(ids, f["networks/list_size"][:], f["networks/practices"][:]):
            row = max(r for r, t in enumerate(times) if t <= formed[k])
            assert abs(lists[row][network[row] == k].sum() - size) < 1e-6
            assert (network[row] == k).sum() == count
        final = network[-1]
        assert (np.bincount(final[final >= 0], minlength=len(ids)) == f["networks/final_practices"][:]).all()
        signed = f["practices/signed_up"][:]
        assert ((final >= 0) == (signed == 1)).all()
        # Ended networks have no members and name a successor or none; live ones have an empty end date.
        ended = f["networks/ended_time"][:].astype(str)
        assert ((ended != "") == (f["networks/final_practices"][:] == 0)).all()
        assert f["series/networks/value"][-1] == (ended == "").sum()

        # Every network of every membership row is connected in the written relationship
        # graph (a breadth-first search here, independent of the simulator's own check)
        # and lies inside one commissioner.
        source_ids, target_ids = f["relationships/source"][:], f["relationships/target"][:]
        adjacency = [[] for _ in range(n)]
        for a, b in zip(source_ids, target_ids):
            adjacency[a].append(b)
            adjacency[b].append(a)
        commissioner = f["practices/commissioner"][:].astype(str)
        checked = 0
        for row in network:
            for k in np.unique(row[row >= 0]):
                members = set(np.flatnonzero(row == k).tolist())
                start = min(members)
                seen, queue = {start}, [start]
                while queue:
                    for nb in adjacency[queue.pop()]:
                        if nb in members and nb not in seen:
                            seen.add(nb)
                            queue.append(nb)
                assert seen == members, (k, sorted(members - seen))
                assert len({commissioner[m] for m in members}) == 1, k
                checked += 1
        assert checked > 5 * 100, checked

        # Network events: exits and switches move their practice between the rows around it.
        kinds = f["network_events/kind"][:].astype(str)
        assert set(kinds) <= {"exit", "join", "switch", "merge", "split", "dissolution", "approval", "conflict"}, set(kinds)
        assert "conflict" in kinds and "exit" in kinds and "switch" in kinds
        code_index = {c: i for i, c in enumerate(codes)}
        ev_time = f["network_events/time"][:].astype(str)
        ev_practice = f["network_events/practice"][:].astype(str)
        ev_net = f["network_events/network"][:]
        for kind, t, pr, net in zip(kinds, ev_time, ev_practice, ev_net):
            row = times.index(t)
            if kind == "exit":
                assert network[row - 1][code_index[pr]] == net and network[row][code_index[pr]] == -1
            if kind == "switch":
                before, after = network[row - 1][code_index[pr]], network[row][code_index[pr]]
                assert before >= 0 and after >= 0 and before != after, (pr, t, before, after)
            if kind == "split":
                assert (formed == t).sum() > 0
        assert set(f["networks/hosting_model"][:].astype(str)) <= {"flat", "lead_practice", "federation", "super_practice"}

        # h5md-like series with units and descriptions.
        for name in f["series"]:
            g = f["series"][name]
            assert g["step"].shape == g["time"].shape == g["value"].shape
            assert g["value"].attrs["units"] is not None and g["value"].attrs["description"]
        assert f["series/networks/value"][0] == 0
        assert f["series/networks/time"][0].decode() == "2019-04-01"

        # Money, in pence: no network claims beyond its ceiling; the national unclaimed
        # share is what the networks' claims leave of their ceilings. (Claims are
        # recomputed from staff costs to the penny in tests/test_arrs.cpp.)
        ceiling = f["finance/network/arrs_ceiling_pence"][:]
        claimed = f["finance/network/arrs_claimed_pence"][:]
        years = f["finance/year"][:]
        assert ceiling.shape == (len(years), len(ids)) and ceiling.dtype == np.int64
        assert (claimed >= 0).all() and (claimed <= ceiling).all() and claimed.sum() > 0
        share = f["finance/national/arrs_unclaimed_share"][:]
        assert np.allclose(share, 1 - claimed.sum(axis=1) / ceiling.sum(axis=1))
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
