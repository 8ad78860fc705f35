#!/usr/bin/env python3
"""Independent reference for tuban's overlay on the Erping fixture, computed with shapely (GEOS).

Semantics mirror fixtures/erping/tuban.toml with its rules.toml, in planar area:
  forest = DLTB DLBM starting with 03, not ending with K
  road   = DLTB DLBM in 1003/1004/1006, plus road centre lines buffered by KD/2 (flat ends, round
           joins, 8 segments per quarter circle) where KD >= 1.0
  grave  = DLTB DLBM 09 (rules.toml) or 0905, plus grave points as discs of radius 2 m (quad_segs 8)
  union  = all of the above; grave_count = sum of SL over grave points inside the patch (boundary in)

Run (versions recorded in the output's first line):
  python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install shapely==2.0.6 pyshp==2.3.1
  /tmp/refenv/bin/python tests/data/reference_overlay.py > tests/data/erping_reference.csv
"""
import os
import sys

import shapefile
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, shape
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

classes = {"grave": unary_union(grave), "forest": unary_union(forest), "road": unary_union(road)}
everything = unary_union(list(classes.values()))

print(f"# shapely {shapely.__version__}, GEOS {shapely.geos_version_string}, pyshp {shapefile.__version__}")
print("XH,TBBH,area_m2,grave_m2,forest_m2,road_m2,obstacle_m2,grave_count")
for g, rec in patches:
    vals = [g.area] + [g.intersection(classes[c]).area for c in ("grave", "forest", "road")]
    vals.append(g.intersection(everything).area)
    count = sum(n for p, n in points if g.intersects(p))
    print(",".join([str(rec["XH"]), rec["TBBH"]] + [repr(v) for v in vals] + [str(count)]))
