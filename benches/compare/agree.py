#!/usr/bin/env python3
"""Do the per-patch areas of two or more result CSVs agree? Tolerance per value: 1e-6 m² absolute
or 1e-9 relative, whichever is larger. Prints one line per pair and column; exits 1 on any
disagreement.

usage: agree.py NAME=FILE.csv NAME=FILE.csv [...]
"""
import sys

import numpy as np
import pandas as pd

COLS = ["area_m2", "grave_m2", "forest_m2", "road_m2", "obstacle_m2"]


def load(path):
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"patch_id": str})
    return df.set_index("patch_id")[COLS].astype(float)


def main(args):
    runs = [(a.split("=", 1)[0], load(a.split("=", 1)[1])) for a in args]
    ok = True
    for i in range(len(runs)):
        for j in range(i + 1, len(runs)):
            (na, a), (nb, b) = runs[i], runs[j]
            if len(a) != len(b) or not a.index.equals(b.index.sort_values() if False else b.index):
                b = b.reindex(a.index)
            bad_total = 0
            worst = []
            for c in COLS:
                x, y = a[c].values, b[c].values
                d = np.abs(x - y)
                tol = np.maximum(1e-6, 1e-9 * np.maximum(np.abs(x), np.abs(y)))
                bad = ~(d <= tol)
                bad_total += int(bad.sum())
                k = int(np.nanargmax(d)) if len(d) else 0
                worst.append(f"{c} max |diff| {np.nanmax(d) if len(d) else 0:.3g} m² "
                             f"({int(bad.sum())} over tolerance; worst {a.index[k]}: {x[k]:.6f} vs {y[k]:.6f})")
            print(f"{na} vs {nb}: {len(a)} patches, {bad_total} values over tolerance")
            for w in worst:
                print(f"    {w}")
            ok &= bad_total == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
