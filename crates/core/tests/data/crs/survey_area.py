#!/usr/bin/env python3
"""Independent reference for tuban's ellipsoidal area (图斑椭球面积).

Makes random irregular patches of 50-6000 m2 near Erping (106.05E 29.85N) in EPSG:4544
(CGCS2000 / 3-degree Gauss-Kruger CM 105E, no zone prefix), some with a hole, some clockwise
(the shapefile convention for exterior rings), some counter-clockwise, and writes survey_area.csv:

    id,rings,survey_m2,geodesic_m2,planar_m2

* rings: "x y;x y;...|x y;..." -- the exterior ring then the holes, first vertex not repeated,
  coordinates in metres rounded to the millimetre (all areas below are of the rounded vertices).
* survey_m2: the survey's formula (国土调查办发〔2008〕32号, TD/T 1055-2019), written here from the
  formula text in pure Python: pyproj inverse-projects each vertex to (B, L) on CGCS2000, then each
  edge adds the ellipsoidal trapezoid against a reference meridian (here the floor of the ring's
  westernmost longitude, in whole degrees), with every sin/cos evaluated directly.
* geodesic_m2: GeographicLib's geodesic polygon area on the CGCS2000 ellipsoid
  (Geodesic(6378137, 1/298.257222101).Polygon()), vertices inverse-projected by pyproj.
* planar_m2: the shoelace area in the projection plane (for the scale-error sanity check).

Run:
    python3 -m venv /tmp/crsvenv && /tmp/crsvenv/bin/pip install pyproj==3.7.2 geographiclib==2.1
    /tmp/crsvenv/bin/python survey_area.py > survey_area.csv
"""
import math
import random
import sys

import pyproj
from geographiclib.geodesic import Geodesic
from pyproj import Transformer

A_AXIS = 6378137.0
FLAT = 1 / 298.257222101
E2 = FLAT * (2 - FLAT)
B_AXIS = A_AXIS * (1 - FLAT)

# Coefficients as printed in the survey's formula.
CA = 1 + (3 / 6) * E2 + (30 / 80) * E2**2 + (35 / 112) * E2**3 + (630 / 2304) * E2**4
CB = (1 / 6) * E2 + (15 / 80) * E2**2 + (21 / 112) * E2**3 + (420 / 2304) * E2**4
CC = (3 / 80) * E2**2 + (7 / 112) * E2**3 + (180 / 2304) * E2**4
CD = (1 / 112) * E2**3 + (45 / 2304) * E2**4
CE = (5 / 2304) * E2**4

TO_GEOG = Transformer.from_crs("EPSG:4544", "EPSG:4490", always_xy=True)
TO_GK = Transformer.from_crs("EPSG:4490", "EPSG:4544", always_xy=True)
GEOD = Geodesic(A_AXIS, FLAT)


def survey_ring_signed(lonlat):
    """Signed survey area of a ring of (lon, lat) degrees; positive counter-clockwise."""
    ref = math.floor(min(lon for lon, _ in lonlat))  # reference meridian, degrees
    total = 0.0
    n = len(lonlat)
    for i in range(n):
        l1, b1 = lonlat[i]
        l2, b2 = lonlat[(i + 1) % n]
        dl = math.radians((l1 + l2) / 2 - ref)
        b1r, b2r = math.radians(b1), math.radians(b2)
        db = b2r - b1r
        bm = (b1r + b2r) / 2
        total += 2 * B_AXIS**2 * dl * (
            CA * math.sin(db / 2) * math.cos(bm)
            - CB * math.sin(3 * db / 2) * math.cos(3 * bm)
            + CC * math.sin(5 * db / 2) * math.cos(5 * bm)
            - CD * math.sin(7 * db / 2) * math.cos(7 * bm)
            + CE * math.sin(9 * db / 2) * math.cos(9 * bm)
        )
    return total


def geodesic_ring_abs(lonlat):
    poly = GEOD.Polygon()
    for lon, lat in lonlat:
        poly.AddPoint(lat, lon)
    _, _, area = poly.Compute(False, True)
    return abs(area)


def planar_ring_abs(xy):
    x0, y0 = xy[0]
    s = 0.0
    for i in range(len(xy)):
        xa, ya = xy[i]
        xb, yb = xy[(i + 1) % len(xy)]
        s += (xa - x0) * (yb - y0) - (xb - x0) * (ya - y0)
    return abs(s) / 2


def star(rng, cx, cy, target, spacing, clockwise):
    """A random star-shaped ring around (cx, cy) of about `target` m2, with a vertex about every
    `spacing` metres along its boundary, as a patch digitised from imagery has.

    Vertex spacing matters for the comparison with GeographicLib: the survey's formula takes each
    edge as straight in (B, L), GeographicLib as a geodesic, and the two differ by roughly
    s^3 tan(B) / (12 R) per edge of length s (the geodesic's poleward bulge): 0.002 m2 for a 60 m
    edge, 0.025 m2 for a 150 m one.
    """
    radius = math.sqrt(target / math.pi)
    nverts = max(4, round(2 * math.pi * radius / spacing))
    step = 2 * math.pi / nverts
    angles = [(i + rng.uniform(-0.35, 0.35)) * step for i in range(nverts)]
    radii = [rng.uniform(0.6, 1.0) for _ in range(nverts)]
    pts = [(r * math.cos(t), r * math.sin(t)) for r, t in zip(radii, angles)]
    scale = math.sqrt(target / planar_ring_abs(pts))
    ring = [(round(cx + scale * px, 3), round(cy + scale * py, 3)) for px, py in pts]
    return ring[::-1] if clockwise else ring


def main():
    rng = random.Random(29_85_106_05)
    cx0, cy0 = TO_GK.transform(106.05, 29.85)
    out = sys.stdout
    out.write(f"# pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), geographiclib; "
              "see survey_area.py\n")
    out.write("id,rings,survey_m2,geodesic_m2,planar_m2\n")
    for pid in range(1, 61):
        target = math.exp(rng.uniform(math.log(50), math.log(6000)))
        cx = cx0 + rng.uniform(-4000, 4000)
        cy = cy0 + rng.uniform(-4000, 4000)
        spacing = rng.uniform(4.0, 30.0)
        rings = [star(rng, cx, cy, target, spacing, rng.random() < 0.5)]
        if pid % 7 == 0:  # a hole of 2-6 % of the patch, same centre
            hole = star(rng, cx, cy, target * rng.uniform(0.02, 0.06), spacing / 2,
                        rng.random() < 0.5)
            rings.append(hole)
        survey = geodesic = planar = 0.0
        for k, ring in enumerate(rings):
            lonlat = [TO_GEOG.transform(x, y) for x, y in ring]
            sign = 1.0 if k == 0 else -1.0
            survey += sign * abs(survey_ring_signed(lonlat))
            geodesic += sign * geodesic_ring_abs(lonlat)
            planar += sign * planar_ring_abs(ring)
        text = "|".join(";".join(f"{x:.3f} {y:.3f}" for x, y in ring) for ring in rings)
        out.write(f"{pid},{text},{survey!r},{geodesic!r},{planar!r}\n")


if __name__ == "__main__":
    main()
