#!/usr/bin/env python3
"""The obstacle question as an analyst would answer it in GeoPandas (shapely 2, pyogrio).

Per patch: the planar area inside it of forest (DLBM 03*, not *K), roads (DLTB 1003/1004/1006
polygons and road centre lines buffered by KD/2 with flat ends and round joins, KD >= 1) and graves
(discs of 2 m), each class unioned (overlaps counted once), and the area of the union of all
classes. Buffers use 8 segments per quarter circle, as tuban and PostGIS.

usage: geopandas_pipeline.py DATA_DIR OUT.csv
"""
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def main(data, out):
    t0 = time.perf_counter()
    read = lambda name, cols: gpd.read_file(f"{data}/{name}.shp", columns=cols, engine="pyogrio")
    patches = read("patches", ["TBBH"])
    dltb = read("dltb", ["DLBM"])
    graves = read("graves", [])
    roads = read("roads", ["KD"])
    t1 = time.perf_counter()

    code = dltb["DLBM"].str.strip()
    forest = dltb.geometry.values[(code.str.startswith("03") & ~code.str.endswith("K")).values]
    road_polys = dltb.geometry.values[code.isin(["1003", "1004", "1006"]).values]
    wide = roads[roads["KD"] >= 1.0]
    road_lines = shapely.buffer(wide.geometry.values, wide["KD"].values / 2.0, quad_segs=8,
                                cap_style="flat", join_style="round")
    discs = shapely.buffer(graves.geometry.values, 2.0, quad_segs=8)
    obstacles = gpd.GeoDataFrame(
        {"cls": ["forest"] * len(forest) + ["road"] * (len(road_polys) + len(road_lines))
         + ["grave"] * len(discs)},
        geometry=np.concatenate([np.asarray(forest), np.asarray(road_polys), np.asarray(road_lines),
                                 np.asarray(discs)]),
        crs=patches.crs)

    # Candidate pairs from the R-tree, then the exact intersection of each pair.
    pi, oi = obstacles.sindex.query(patches.geometry, predicate="intersects")
    pieces = gpd.GeoDataFrame(
        {"p": pi, "cls": obstacles["cls"].values[oi]},
        geometry=shapely.intersection(patches.geometry.values[pi], obstacles.geometry.values[oi]),
        crs=patches.crs)
    t2 = time.perf_counter()

    # Each class unioned per patch, then all classes.
    by_class = pieces.dissolve(by=["p", "cls"]).area.unstack(fill_value=0.0)
    union = pieces.dissolve(by="p").area
    t3 = time.perf_counter()

    n = len(patches)
    res = pd.DataFrame({"patch_id": patches["TBBH"].str.strip(), "area_m2": patches.area})
    for c in ["grave", "forest", "road"]:
        col = by_class[c] if c in by_class.columns else pd.Series(dtype=float)
        res[f"{c}_m2"] = col.reindex(range(n), fill_value=0.0).values
    res["obstacle_m2"] = union.reindex(range(n), fill_value=0.0).values
    res.to_csv(out, index=False, float_format="%.17g")
    t4 = time.perf_counter()
    print(f"geopandas: read {t1 - t0:.2f} s, buffer+query+intersect {t2 - t1:.2f} s, "
          f"dissolve {t3 - t2:.2f} s, write {t4 - t3:.2f} s; {len(pieces)} pieces", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
