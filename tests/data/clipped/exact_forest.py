#!/usr/bin/env python3
"""The exact planar forest area of tests/data/clipped (expected value of tests/cli.rs
`cut_neighbours_are_decided_on_their_uncut_outlines`), in rational arithmetic.

Patch 50015100008853 of `tuban synth --patches 100000` (seed 20230720) and the land-use polygons
near it, as GeoJSON with every coordinate's f64 written exactly (17 digits). Several land-use
polygons are larger than the patch's neighbourhood, so tuban cuts them to a box around it; two
cut neighbours once left the area kernel undecided, and i_overlay's answer was 2.5e-6 m² off.

Method: for every edge of the patch and of each forest polygon, the exact points where it meets
the other polygon's edges (Fractions), the pieces between them classified by the exact winding
number of their midpoints, and Green's theorem over the pieces inside the other polygon (shared
pieces once, when they run the same way). Needs only the standard library:

    python3 tests/data/clipped/exact_forest.py    # prints 3235.793481725784 (GEOS: 3235.7934817253017)
"""
import json
import os
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))


def rings(geometry):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for poly in polys:
        for k, ring in enumerate(poly):
            r = [(F(x), F(y)) for x, y in ring[:-1]]
            twice = sum(r[i][0] * r[(i + 1) % len(r)][1] - r[(i + 1) % len(r)][0] * r[i][1] for i in range(len(r)))
            if (k == 0 and twice < 0) or (k > 0 and twice > 0):
                r = r[::-1]
            out.append(r)
    return out


def edges(rs):
    return [(r[i], r[(i + 1) % len(r)]) for r in rs for i in range(len(r)) if r[i] != r[(i + 1) % len(r)]]


def orient(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def on_segment(p, a, b):
    return orient(a, b, p) == 0 and min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def winding(p, es):
    wn = 0
    for a, b in es:
        if on_segment(p, a, b):
            return None, (a, b)
        if a[1] <= p[1]:
            if b[1] > p[1] and orient(a, b, p) > 0:
                wn += 1
        elif b[1] <= p[1] and orient(a, b, p) < 0:
            wn -= 1
    return wn, None


def pieces(this, other, keep_shared):
    out = []
    for p, q in this:
        d = (q[0] - p[0], q[1] - p[1])
        ts = {F(0), F(1)}
        for r, s in other:
            den = d[0] * (s[1] - r[1]) - d[1] * (s[0] - r[0])
            if den != 0:
                t = ((r[0] - p[0]) * (s[1] - r[1]) - (r[1] - p[1]) * (s[0] - r[0])) / den
                u = ((r[0] - p[0]) * d[1] - (r[1] - p[1]) * d[0]) / den
                if 0 <= t <= 1 and 0 <= u <= 1:
                    ts.add(t)
            elif orient(p, q, r) == 0:
                dd = d[0] * d[0] + d[1] * d[1]
                for w in (r, s):
                    t = ((w[0] - p[0]) * d[0] + (w[1] - p[1]) * d[1]) / dd
                    if 0 < t < 1:
                        ts.add(t)
        ts = sorted(ts)
        for t0, t1 in zip(ts, ts[1:]):
            a = (p[0] + t0 * d[0], p[1] + t0 * d[1])
            b = (p[0] + t1 * d[0], p[1] + t1 * d[1])
            wn, along = winding(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), other)
            if along is None:
                if wn == 1:
                    out.append((a, b))
            elif keep_shared and (along[1][0] - along[0][0]) * d[0] + (along[1][1] - along[0][1]) * d[1] > 0:
                out.append((a, b))
    return out


def intersection_area(ga, gb):
    ea, eb = edges(rings(ga)), edges(rings(gb))
    ps = pieces(ea, eb, True) + pieces(eb, ea, False)
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in ps) / 2


def main():
    patch = json.load(open(os.path.join(HERE, "patch.geojson")))["features"][0]["geometry"]
    landuse = json.load(open(os.path.join(HERE, "landuse.geojson")))["features"]
    forest = [f["geometry"] for f in landuse
              if f["properties"]["DLBM"].startswith("03") and not f["properties"]["DLBM"].endswith("K")]
    print(repr(float(sum(intersection_area(patch, g) for g in forest))))


if __name__ == "__main__":
    main()
