#!/usr/bin/env python3
"""How much of the real 2019 map can geography explain? Diagnostics for the
formation mechanism, on the calibration half (never an input of the model).

Reads a pcnsim output (practice locations, list sizes, commissioners) and a
real membership file, and prints the practice-weighted mean adjusted Rand index
per commissioner of purely geographic partitions of the listed practices:

  kmeans-48k     k-means in each commissioner, one cluster per 48,000 patients
                 (the naive geography of `pcnsim validate`, best of 5 starts here)
  kmeans-real-k  the same with the real number of networks of each commissioner:
                 a diagnostic ceiling of "equal-area" geography, which uses a
                 fact from the membership file and so is not a model
  towns-R        towns first: practices of a commissioner within R km of each
                 other (single linkage) form a town; towns under 30,000 patients
                 join the nearest town (by centroid) until none is left; then
                 k-means inside each town, one cluster per S patients
  kmeans-48k-within-ccg-2019
                 k-means inside each 2019 CCG (the membership file's
                 `pcn_ccg_2019`, finer than the 2021 commissioners): a
                 diagnostic of what knowing the 2019 commissioners would add
  kmeans-48k+imd-A
                 k-means on (easting, northing, A x IMD 2019 score) in km and
                 score points: does deprivation group practices beyond distance?

Usage: tools/membership_diagnostics.py OUTPUT.h5 [MEMBERSHIP.csv] [--radius 1 2 3] [--patients 48000]
                                       [--imd data/practice-imd2019-score.csv] [--imd-weight 0.1 0.2]
(/usr/bin/python3 with h5py and numpy.)
"""
import argparse
import collections
import csv
from math import comb

import h5py
import numpy as np


def ari(a, b):
    n = len(a)
    pairs = sum(comb(v, 2) for v in collections.Counter(zip(a, b)).values())
    sa = sum(comb(v, 2) for v in collections.Counter(a).values())
    sb = sum(comb(v, 2) for v in collections.Counter(b).values())
    expected, top = sa * sb / comb(n, 2) if n > 1 else 0.0, (sa + sb) / 2
    return 1.0 if top == expected else (pairs - expected) / (top - expected)


def kmeans(points, k, rng, starts=5):
    """Lloyd's k-means from k-means++ seeds; the lowest within-cluster sum of squares of `starts` runs."""
    best = None
    n = len(points)
    k = min(k, n)
    for _ in range(starts):
        centres = [points[rng.integers(n)]]
        for _ in range(1, k):
            d = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), 1)
            centres.append(points[rng.integers(n)] if d.sum() == 0 else points[rng.choice(n, p=d / d.sum())])
        centres = np.array(centres, dtype=float)
        for _ in range(100):
            label = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
            moved = centres.copy()
            for j in range(k):
                if (label == j).any():
                    moved[j] = points[label == j].mean(0)
            if np.allclose(moved, centres):
                break
            centres = moved
        inertia = ((points - centres[label]) ** 2).sum()
        if best is None or inertia < best[0]:
            best = (inertia, label)
    return best[1]


def towns(members, x, y, lists, radius_km):
    """Single-linkage towns within radius_km; towns under 30,000 patients join the nearest one."""
    parent = list(range(len(members)))

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    px, py = x[members], y[members]
    for a in range(len(members)):
        near = np.nonzero(np.hypot(px[a + 1:] - px[a], py[a + 1:] - py[a]) <= radius_km)[0]
        for b in near:
            parent[root(a)] = root(a + 1 + b)
    groups = collections.defaultdict(list)
    for a, m in enumerate(members):
        groups[root(a)].append(m)
    out = sorted(groups.values(), key=lambda g: (lists[g].sum(), min(g)))
    while len(out) > 1 and lists[out[0]].sum() < 30000:
        small = out.pop(0)
        cx, cy = x[small].mean(), y[small].mean()
        j = int(np.argmin([np.hypot(x[g].mean() - cx, y[g].mean() - cy) for g in out]))
        out[j] = out[j] + small
        out.sort(key=lambda g: (lists[g].sum(), min(g)))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output")
    parser.add_argument("membership", nargs="?", default="data/epcn-2019-12-calibration.csv")
    parser.add_argument("--radius", type=float, nargs="+", default=[1.0, 2.0, 3.0])
    parser.add_argument("--patients", type=float, default=48000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--imd", default="data/practice-imd2019-score.csv")
    parser.add_argument("--imd-weight", type=float, nargs="*", default=[0.1, 0.2])
    args = parser.parse_args()
    with h5py.File(args.output, "r") as f:
        codes = f["practices/code"][:].astype(str)
        x, y = f["practices/x_km"][:], f["practices/y_km"][:]
        lists = f["practices/list_size"][:]
        commissioner = f["practices/commissioner"][:].astype(str)
    index = {c: i for i, c in enumerate(codes)}
    real, ccg_2019 = {}, {}
    with open(args.membership, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["practice_code"] in index:
                real[index[row["practice_code"]]] = row["pcn_code"]
                ccg_2019[index[row["practice_code"]]] = row.get("pcn_ccg_2019", "")
    imd = {}
    with open(args.imd, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["practice_code"] in index:
                imd[index[row["practice_code"]]] = float(row["imd2019_score"])
    imd_median = float(np.median(list(imd.values())))
    by_commissioner = collections.defaultdict(list)
    for i in sorted(real):
        by_commissioner[commissioner[i]].append(i)

    def score(partition):
        total = weight = 0
        for c in sorted(by_commissioner):
            members = np.array(by_commissioner[c])
            label = partition(members)
            total += ari(list(label), [real[i] for i in members]) * len(members)
            weight += len(members)
        return total / weight

    rng = np.random.default_rng(args.seed)
    rows = [("kmeans-%dk" % round(args.patients / 1000),
             score(lambda m: kmeans(np.c_[x[m], y[m]], max(1, round(lists[m].sum() / args.patients)), rng)))]
    rows.append(("kmeans-real-k (diagnostic ceiling)",
                 score(lambda m: kmeans(np.c_[x[m], y[m]], len({real[i] for i in m}), rng))))
    for r in args.radius:
        def by_towns(m, r=r):
            label = {}
            for t, g in enumerate(towns(list(m), x, y, lists, r)):
                g = np.array(g)
                for i, v in zip(g, kmeans(np.c_[x[g], y[g]], max(1, round(lists[g].sum() / args.patients)), rng)):
                    label[i] = (t, int(v))
            return [label[i] for i in m]
        rows.append((f"towns-{r:g}km", score(by_towns)))

    def within_ccg_2019(m):
        label = {}
        for g in sorted({ccg_2019[i] for i in m}):
            part = np.array([i for i in m if ccg_2019[i] == g])
            k = max(1, round(lists[part].sum() / args.patients))
            for i, v in zip(part, kmeans(np.c_[x[part], y[part]], k, rng)):
                label[i] = (g, int(v))
        return [label[i] for i in m]
    rows.append(("kmeans-%dk-within-ccg-2019" % round(args.patients / 1000), score(within_ccg_2019)))
    for w in args.imd_weight:
        rows.append((f"kmeans-{round(args.patients / 1000)}k+imd-{w:g}",
                     score(lambda m, w=w: kmeans(np.c_[x[m], y[m], w * np.array([imd.get(i, imd_median) for i in m])],
                                                 max(1, round(lists[m].sum() / args.patients)), rng))))
    print(f"{len(real)} practices of {len(by_commissioner)} commissioners in {args.membership}")
    print("partition                              ARI per commissioner (practice-weighted)")
    for name, value in rows:
        print(f"{name:<38} {value:.3f}")


if __name__ == "__main__":
    main()
