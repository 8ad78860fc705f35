"""Patches far from the CGCS2000 zones, and a layer spanning 6 degrees of longitude, with their
areas computed independently of tuban (issue 17: never measure in a zone far from the data).

Writes, next to this script:
  colorado.geojson  EPSG:4326 patches near 109°W 38°N (Colorado/Utah): two 0.01° squares and a
                    0.5° x 0.25° rectangle;
  span6.geojson     EPSG:4490 patches from 101.9°E to 108.1°E at 30°N: 0.01° squares at both ends
                    and in the middle, and a 6.2° x 0.01° strip across;
and prints, per patch, the survey formula's area (the trapezoid formula of 国土调查办发〔2008〕32号
on the vertices as given, reference implementation in fixtures/erping/ellipsoidal_area.py, here
on the WGS 84 ellipsoid for 4326 and CGCS2000 for 4490) and pyproj's geodesic area (Geod).

Run: python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install pyproj
     /tmp/refenv/bin/python tests/data/crs/far_zones.py
The printed numbers are the expected values in tests/far_zones.rs.
"""
import json
import math
import os
import sys

from pyproj import Geod

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "fixtures", "erping"))
import ellipsoidal_area as ea  # noqa: E402

WGS84_F = 1.0 / 298.257223563


def rect(x0, y0, x1, y1, n=1):
    """A rectangle ring (counter-clockwise), each edge cut into n pieces."""
    pts = []
    for k in range(n):
        pts.append((x0 + (x1 - x0) * k / n, y0))
    for k in range(n):
        pts.append((x1, y0 + (y1 - y0) * k / n))
    for k in range(n):
        pts.append((x1 - (x1 - x0) * k / n, y1))
    for k in range(n):
        pts.append((x0, y1 - (y1 - y0) * k / n))
    pts.append(pts[0])
    return pts


def survey(ring, f):
    b, ca, cb, cc, cd, ce = ea.series_coefficients(ea.A_AXIS, f)
    saved = (ea._B, ea._CA, ea._CB, ea._CC, ea._CD, ea._CE)
    ea._B, ea._CA, ea._CB, ea._CC, ea._CD, ea._CE = b, ca, cb, cc, cd, ce
    try:
        ref = math.floor(min(lon for lon, _ in ring))
        return abs(ea.ring_signed_area_lonlat(ring, ref))
    finally:
        ea._B, ea._CA, ea._CB, ea._CC, ea._CD, ea._CE = saved


def write(name, crs, patches, f, ellps):
    geod = Geod(ellps=ellps)
    feats = []
    for pid, ring in patches:
        feats.append({"type": "Feature", "properties": {"TBBH": pid, "QSDWMC": name},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        g, _ = geod.polygon_area_perimeter(lons, lats)
        print(f"{name} {pid} survey={survey(ring, f)!r} geodesic={abs(g)!r}")
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs}"}},
           "features": feats}
    with open(os.path.join(HERE, name + ".geojson"), "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


write("colorado", 4326, [
    ("C1", rect(-109.00, 38.00, -108.99, 38.01)),
    ("C2", rect(-108.50, 38.30, -108.49, 38.31)),
    ("C3", rect(-109.40, 37.50, -108.90, 37.75)),
], WGS84_F, "WGS84")
write("span6", 4490, [
    ("S1", rect(101.90, 30.00, 101.91, 30.01)),
    ("S2", rect(105.00, 30.00, 105.01, 30.01)),
    ("S3", rect(108.09, 30.00, 108.10, 30.01)),
    ("S4", rect(101.90, 30.02, 108.10, 30.03, n=62)),
], ea.FLATTENING, "GRS80")
