#!/usr/bin/env python3
"""Independent reference for tuban's overlay on the Erping fixture, computed with shapely (GEOS).

Semantics mirror fixtures/erping/tuban.toml with its rules.toml, in planar area:
  forest = DLTB DLBM starting with 03, not ending with K
  road   = DLTB DLBM in 1003/1004/1006, plus road centre lines buffered by KD/2 (flat ends, round
           joins, 8 segments per quarter circle) where KD >= 1.0
  grave  = DLTB DLBM 09 (rules.toml) or 0905, plus grave points as discs of radius 2 m (quad_segs 8)
  steep  = cells of dem.tif whose Horn slope (numpy, float64; the patches lie far from the DEM's
           edges and nodata cells, so interior Horn suffices) is > 25 degrees, as exact squares
  union  = all of the above; grave_count = sum of SL over grave points inside the patch (boundary in)

Run (versions recorded in the output's first line):
  python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install shapely==2.0.6 pyshp==2.3.1 numpy rasterio
  /tmp/refenv/bin/python tests/data/reference_overlay.py > tests/data/erping_reference.csv
"""
import os
import sys

import numpy as np
import rasterio
import shapefile
import shapely
from shapely.geometry import box, shape
from shapely.ops import unary_union

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "erping")


def read(name):
    r = shapefile.Reader(os.path.join(FIX, name), encoding="gbk")
    return [(shape(s.__geo_interface__), rec.as_dict()) for s, rec in zip(r.shapes(), r.records())]


patches = read("patches.shp")
dltb = read("dltb.shp")
graves = read("graves.shp")
roads = read("roads.shp")

forest, road, grave = [], [], []
for g, rec in dltb:
    code = rec["DLBM"].strip()
    if code.startswith("01") or code == "1203" or code.endswith("K"):
        continue
    if code in ("09", "0905"):
        grave.append(g)
    elif code.startswith("03"):
        forest.append(g)
    elif code in ("1003", "1004", "1006"):
        road.append(g)
for g, rec in roads:
    if rec["KD"] is not None and rec["KD"] >= 1.0:
        road.append(g.buffer(rec["KD"] / 2.0, quad_segs=8, cap_style="flat", join_style="round"))
points = []
for g, rec in graves:
    grave.append(g.buffer(2.0, quad_segs=8))
    points.append((g, rec["SL"] if rec["SL"] is not None else 1))

with rasterio.open(os.path.join(FIX, "dem.tif")) as d:
    z = d.read(1).astype(np.float64)
    t = d.transform
    z[z == d.nodata] = np.nan
cw, ch = t.a, -t.e
# Horn's method on interior cells: a..i are the 3x3 neighbours, row-major from the top-left.
a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
d_, f = z[1:-1, :-2], z[1:-1, 2:]
g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
dzdx = ((c + 2 * f + i) - (a + 2 * d_ + g)) / (8 * cw)
dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * ch)
slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
steep = []
for r, col in zip(*np.nonzero(slope > 25.0)):
    r, col = r + 1, col + 1  # back to full-grid indices
    x0, y1 = t.c + col * cw, t.f - r * ch
    steep.append(box(x0, y1 - ch, x0 + cw, y1))

classes = {"grave": unary_union(grave), "forest": unary_union(forest), "road": unary_union(road),
           "steep": unary_union(steep)}
everything = unary_union(list(classes.values()))

print(f"# shapely {shapely.__version__}, GEOS {shapely.geos_version_string}, pyshp {shapefile.__version__}, "
      f"numpy {np.__version__}, rasterio {rasterio.__version__}")
print("XH,TBBH,area_m2,grave_m2,forest_m2,road_m2,steep_m2,obstacle_m2,grave_count")
for g, rec in patches:
    vals = [g.area] + [g.intersection(classes[c]).area for c in ("grave", "forest", "road", "steep")]
    vals.append(g.intersection(everything).area)
    count = sum(n for p, n in points if g.intersects(p))
    print(",".join([str(rec["XH"]), rec["TBBH"]] + [repr(v) for v in vals] + [str(count)]))
