#!/usr/bin/env python3
"""Reference points for tuban's Gauss-Kruger (transverse Mercator) code, computed by PROJ.

Writes gk_points.csv: for each EPSG code, points spread over the zone and up to 4 degrees either
side of its central meridian, latitudes 18-53 N (mainland China and Hainan), with the projected
(easting, northing) PROJ gives. crates/core/tests/crs_tm.rs projects forward and inverse and
compares.

Run (pyproj 3.7.2 wheels bundle PROJ 9.5.1, whose tmerc is the Poder/Engsager 6th-order Krüger
series, accurate to a few nanometres near the central meridian):

    python3 -m venv /tmp/crsvenv && /tmp/crsvenv/bin/pip install pyproj==3.7.2
    /tmp/crsvenv/bin/python make_gk_points.py > gk_points.csv

Coordinates are written with repr(), which round-trips every float64 bit for bit.
"""
import random
import sys
import warnings

import pyproj
from pyproj import Transformer

# (EPSG code, central meridian) -- codes as `projinfo EPSG:NNNN -o PROJ` defines them.
CODES = [
    (4544, 105),  # 3-degree, no prefix, CM 105E (Erping, Tongliang)
    (4523, 105),  # 3-degree zone 35, easting prefixed with 35
    (4545, 108),  # 3-degree, no prefix, CM 108E
    (4534, 75),   # 3-degree, no prefix, CM 75E (westernmost)
    (4554, 135),  # 3-degree, no prefix, CM 135E (easternmost)
    (4513, 75),   # 3-degree zone 25, prefixed
    (4533, 135),  # 3-degree zone 45, prefixed
    (4502, 75),   # 6-degree, no prefix, CM 75E
    (4507, 105),  # 6-degree, no prefix, CM 105E
    (4491, 75),   # 6-degree zone 13, prefixed
    (4496, 105),  # 6-degree zone 18, prefixed
    (4501, 135),  # 6-degree zone 23, prefixed
    (32648, 105), # WGS 84 / UTM zone 48N (k0 0.9996)
    (32750, 117), # WGS 84 / UTM zone 50S (false northing 10000000)
]
POINTS_PER_CODE = 12


def main() -> None:
    warnings.filterwarnings("ignore", message="You will likely lose")
    rng = random.Random(20261128)
    out = sys.stdout
    out.write(f"# PROJ {pyproj.proj_version_str} via pyproj {pyproj.__version__}; see make_gk_points.py\n")
    out.write("epsg,lon,lat,x,y\n")
    for code, cm in CODES:
        geog = "EPSG:4326" if code > 32000 else "EPSG:4490"
        t = Transformer.from_crs(geog, f"EPSG:{code}", always_xy=True)
        # The same projection with PROJ's exact algorithm named explicitly, to be sure the EPSG
        # path did not pick the approximate Evenden/Snyder series (+algo=auto).
        proj4 = pyproj.CRS.from_epsg(code).to_proj4().replace("+type=crs", "")
        exact = pyproj.Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step {proj4} +algo=poder_engsager")
        south = code > 32700
        pts = [(cm, 0.0 if not south else -0.5), (cm + 4.0, 53.0 if not south else -40.0)]
        while len(pts) < POINTS_PER_CODE:
            dlon = rng.uniform(-4.0, 4.0)
            lat = rng.uniform(18.0, 53.0) if not south else rng.uniform(-45.0, -1.0)
            pts.append((cm + dlon, lat))
        for lon, lat in pts:
            x, y = t.transform(lon, lat)
            xe, ye = exact.transform(lon, lat)
            assert abs(x - xe) < 1e-9 and abs(y - ye) < 1e-9, (code, lon, lat, x - xe, y - ye)
            out.write(f"{code},{lon!r},{lat!r},{x!r},{y!r}\n")


if __name__ == "__main__":
    main()
