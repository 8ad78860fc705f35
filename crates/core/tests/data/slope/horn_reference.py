#!/usr/bin/env python3
"""Independent reference values for tuban's slope and steep-slope code.

Run from the repository root (a venv with numpy, rasterio, exactextract and pyshp; GDAL's
gdaldem on the PATH, Debian package gdal-bin):

    python3 -m venv /tmp/slopevenv
    /tmp/slopevenv/bin/pip install numpy rasterio exactextract pyshp shapely
    /tmp/slopevenv/bin/python crates/core/tests/data/slope/horn_reference.py

It writes, next to itself:

* geo_dem.tif: a small Float32 DEM in EPSG:4490 (degrees), deflate + floating-point predictor,
  with a few nodata cells; made here from an analytic surface.
* geo_slope.f64: the numpy Horn slope of geo_dem.tif, every cell, little-endian f64, row-major
  (NaN = nodata).
* fixture_slope_sample.csv: col,row,numpy,gdaldem for a sample of cells of fixtures/erping/dem.tif:
  all four borders, every cell within one of a nodata cell, and 2000 random interior cells.
  `gdaldem` is `gdaldem slope -compute_edges fixtures/erping/dem.tif OUT.tif` (GDAL 3.6.2).
* steep_by_patch.csv: XH,steep_m2,steep_m2_geos for the 203 patches of
  fixtures/erping/patches.shp: the area of each patch over cells whose numpy slope is > 25 degrees.
  steep_m2 is exactextract's: op "sum" of a 0/1 raster, which weights every cell by the fraction
  of it inside the patch, times the cell area (25 m^2). exactextract keeps coverage fractions in
  single precision (Raster<float>), so each partly covered cell carries up to ~1.5e-6 m^2 of
  round-off; steep_m2_geos is the same sum in double precision, each steep cell's square
  intersected with the patch by GEOS (shapely) and the areas added.
* summary.json: the numbers quoted in README.md (maxima over the whole fixture DEM, etc.).

The Horn slope here is a separate implementation of gdaldem's method (GDALGeneric3x3Processing
with -compute_edges, read from GDAL's apps/gdaldem_lib.cpp), vectorised with numpy in float64:
linear extrapolation across the DEM's border, except that in the first and last rows a missing
column is the centre column (GDAL clamps the index there); a nodata neighbour, or an
extrapolation from one, takes the centre value; a nodata centre gives nodata. For a DEM in degrees
each row's cell size is converted to metres at the latitude of the row's centre on the CGCS2000
ellipsoid: ew = N(lat) cos(lat) dlon, ns = M(lat) dlat.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import rasterio
import shapefile
import shapely
from shapely.geometry import box, shape
from exactextract import exact_extract
from rasterio.transform import from_origin

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
FIXTURE = os.path.join(ROOT, "fixtures", "erping")

A = 6378137.0
F = 1.0 / 298.257222101
E2 = F * (2.0 - F)


def metres_per_degree(lat_deg):
    """(east-west, north-south) metres per degree at latitude lat_deg, CGCS2000."""
    phi = np.radians(lat_deg)
    w2 = 1.0 - E2 * np.sin(phi) ** 2
    n = A / np.sqrt(w2)
    m = A * (1.0 - E2) / (w2 * np.sqrt(w2))
    k = np.pi / 180.0
    return n * np.cos(phi) * k, m * k


def horn(z, nodata, transform, geographic):
    """Slope in degrees (NaN = nodata), gdaldem -compute_edges rules, float64."""
    z = np.array(z, dtype=np.float64)
    if nodata is not None:
        z[z == nodata] = np.nan
    nr, nc = z.shape
    out = np.full(z.shape, np.nan)
    if nr < 2 or nc < 2:
        return out
    p = np.full((nr + 2, nc + 2), np.nan)
    p[1:-1, 1:-1] = z
    p[0, 1:-1] = 2 * z[0] - z[1]
    p[-1, 1:-1] = 2 * z[-1] - z[-2]
    p[1:-1, 0] = 2 * z[:, 0] - z[:, 1]
    p[1:-1, -1] = 2 * z[:, -1] - z[:, -2]
    # w[k] is neighbour k of every cell: 0 1 2 / 3 4 5 / 6 7 8
    w = [p[i:i + nr, j:j + nc].copy() for i in range(3) for j in range(3)]
    for r in (0, nr - 1):  # first and last rows: clamped columns
        for k in (0, 3, 6):
            w[k][r, 0] = w[k + 1][r, 0]
        for k in (2, 5, 8):
            w[k][r, -1] = w[k - 1][r, -1]
    c = w[4]
    for k in range(9):
        w[k] = np.where(np.isnan(w[k]), c, w[k])
    x0, cw, y0, ch = transform.c, transform.a, transform.f, -transform.e
    if geographic:
        lat = y0 - (np.arange(nr) + 0.5) * ch
        kx, ky = metres_per_degree(lat)
        ew = (cw * kx)[:, None]
        ns = (ch * ky)[:, None]
    else:
        ew, ns = cw, ch
    dx = ((w[0] + w[3] + w[3] + w[6]) - (w[2] + w[5] + w[5] + w[8])) / (8 * ew)
    dy = ((w[6] + w[7] + w[7] + w[8]) - (w[0] + w[1] + w[1] + w[2])) / (8 * ns)
    out = np.degrees(np.arctan(np.sqrt(dx * dx + dy * dy)))
    out[np.isnan(c)] = np.nan
    return out


def read(path):
    with rasterio.open(path) as d:
        return d.read(1), d.nodata, d.transform, d.crs


def gdaldem(path, *extra):
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "slope.tif")
        cmd = ["gdaldem", "slope", "-compute_edges", "-q", *extra, path, out]
        subprocess.run(cmd, check=True)
        s, nd, _, _ = read(out)
        s = s.astype(np.float64)
        s[s == nd] = np.nan
        return s


def make_geo_dem(path):
    """A 160 x 120 Float32 DEM of 1-arc-second cells near Erping, in EPSG:4490."""
    nc, nr = 160, 120
    d = 1.0 / 3600.0
    lon0, lat0 = 106.02, 29.87
    col, row = np.meshgrid(np.arange(nc) + 0.5, np.arange(nr) + 0.5)
    x = col * 26.8  # roughly metres east at 29.87N
    y = row * 30.8  # roughly metres south
    z = (320.0 + 60.0 * np.sin(x / 700.0) * np.cos(y / 500.0) + 0.35 * x
         + 25.0 * np.exp(-((x - 2500.0) ** 2 + (y - 1800.0) ** 2) / 2.0e5)
         + 4.0 * np.sin(x / 37.0 + y / 53.0))
    z = z.astype(np.float32)
    z[10, 20] = z[60, 0] = z[119, 80] = z[61, 100] = z[62, 100] = -9999.0
    with rasterio.open(path, "w", driver="GTiff", width=nc, height=nr, count=1,
                       dtype="float32", crs="EPSG:4490", nodata=-9999.0,
                       transform=from_origin(lon0, lat0, d, d), compress="deflate",
                       predictor=3, blockysize=7) as dst:
        dst.write(z, 1)


def main():
    summary = {}

    # --- The geographic DEM ---
    geo = os.path.join(HERE, "geo_dem.tif")
    make_geo_dem(geo)
    z, nd, t, crs = read(geo)
    s = horn(z, nd, t, geographic=True)
    s.astype("<f8").tofile(os.path.join(HERE, "geo_slope.f64"))
    g111 = gdaldem(geo, "-s", "111120")
    # gdaldem with a metric copy at the DEM's centre latitude (the best gdaldem can do).
    kx, ky = metres_per_degree(t.f - 60 * (-t.e))
    with tempfile.TemporaryDirectory() as tmp:
        metric = os.path.join(tmp, "metric.tif")
        with rasterio.open(metric, "w", driver="GTiff", width=z.shape[1], height=z.shape[0],
                           count=1, dtype="float32", nodata=nd,
                           transform=from_origin(0.0, 0.0, t.a * kx, -t.e * ky)) as dst:
            dst.write(z, 1)
        gmetric = gdaldem(metric)
    ok = ~np.isnan(s)
    summary["geo"] = {
        "cells": int(s.size),
        "nodata_slope_cells": int((~ok).sum()),
        "max_abs_diff_vs_gdaldem_s111120": float(np.nanmax(np.abs(s - g111))),
        "max_abs_diff_vs_gdaldem_metric_centre_lat": float(np.nanmax(np.abs(s - gmetric))),
        "slope_min": float(np.nanmin(s)),
        "slope_max": float(np.nanmax(s)),
    }

    # --- The fixture DEM (EPSG:4544, 5 m) ---
    dem = os.path.join(FIXTURE, "dem.tif")
    z, nd, t, crs = read(dem)
    s = horn(z, nd, t, geographic=False)
    g = gdaldem(dem)
    nr, nc = s.shape
    both = ~np.isnan(s) & ~np.isnan(g)
    assert (np.isnan(s) == np.isnan(g)).all(), "nodata cells differ from gdaldem"
    summary["fixture"] = {
        "cells": int(s.size),
        "nodata_slope_cells": int(np.isnan(s).sum()),
        "max_abs_diff_numpy_vs_gdaldem": float(np.max(np.abs(s[both] - g[both]))),
        "cells_over_25": int((s > 25).sum()),
    }
    pick = np.zeros(s.shape, dtype=bool)
    pick[0, :] = pick[-1, :] = pick[:, 0] = pick[:, -1] = True
    ndr, ndc = np.nonzero(z == nd)
    for r, c in zip(ndr, ndc):
        pick[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2] = True
    rng = np.random.default_rng(20240611)
    pick[rng.integers(1, nr - 1, 2000), rng.integers(1, nc - 1, 2000)] = True
    rows, cols = np.nonzero(pick)
    with open(os.path.join(HERE, "fixture_slope_sample.csv"), "w") as f:
        f.write("col,row,numpy,gdaldem\n")
        for r, c in zip(rows, cols):
            a = "nan" if np.isnan(s[r, c]) else repr(float(s[r, c]))
            b = "nan" if np.isnan(g[r, c]) else repr(float(g[r, c]))
            f.write(f"{c},{r},{a},{b}\n")
    summary["fixture"]["sample_cells"] = int(len(rows))

    # --- Steep area per patch by exactextract ---
    steep = np.where(np.isnan(s), 0.0, (s > 25.0).astype(np.float64))
    with tempfile.TemporaryDirectory() as tmp:
        mask = os.path.join(tmp, "steep.tif")
        with rasterio.open(mask, "w", driver="GTiff", width=nc, height=nr, count=1,
                           dtype="float64", crs=crs, transform=t) as dst:
            dst.write(steep, 1)
        sf = shapefile.Reader(os.path.join(FIXTURE, "patches.shp"))
        feats = [{"type": "Feature", "geometry": sr.shape.__geo_interface__,
                  "properties": {"XH": int(sr.record["XH"])}} for sr in sf.iterShapeRecords()]
        with rasterio.open(mask) as r:
            res = exact_extract(r, feats, ["sum"], include_cols=["XH"])
    cell_area = t.a * -t.e
    # The double-precision sum: every steep cell's square meeting the patch, intersected by GEOS.
    geos = {}
    for feat in feats:
        g = shape(feat["geometry"])
        x0, y0, x1, y1 = g.bounds
        c0, c1 = int(np.floor((x0 - t.c) / t.a)), int(np.ceil((x1 - t.c) / t.a))
        r0, r1 = int(np.floor((t.f - y1) / -t.e)), int(np.ceil((t.f - y0) / -t.e))
        total = 0.0
        for r in range(max(r0, 0), min(r1, nr)):
            for c in range(max(c0, 0), min(c1, nc)):
                if steep[r, c]:
                    cell = box(t.c + c * t.a, t.f - (r + 1) * -t.e, t.c + (c + 1) * t.a,
                               t.f - r * -t.e)
                    total += g.intersection(cell).area
        geos[feat["properties"]["XH"]] = total
    with open(os.path.join(HERE, "steep_by_patch.csv"), "w") as f:
        f.write("XH,steep_m2,steep_m2_geos\n")
        for feat in res:
            p = feat["properties"]
            f.write(f"{p['XH']},{repr(float(p['sum']) * cell_area)},{repr(geos[p['XH']])}\n")
    summary["steep_exactextract_vs_geos_max_abs_m2"] = max(
        abs(float(x["properties"]["sum"]) * cell_area - geos[x["properties"]["XH"]]) for x in res)
    # How close to the threshold do cells inside patch envelopes come? (A cell within 1e-9 degrees
    # of 25 could be classed differently by two correct programs.)
    margin = np.nanmin(np.abs(s - 25.0))
    summary["fixture"]["min_abs_slope_minus_25"] = float(margin)
    summary["steep"] = {
        "patches": len(res),
        "patches_with_steep": sum(1 for x in res if x["properties"]["sum"] > 0),
        "total_steep_m2": sum(float(x["properties"]["sum"]) for x in res) * cell_area,
    }
    summary["versions"] = {
        "numpy": np.__version__,
        "rasterio": rasterio.__version__,
        "gdal (rasterio)": rasterio.__gdal_version__,
        "gdaldem": subprocess.run(["gdalinfo", "--version"], capture_output=True,
                                  text=True).stdout.strip(),
        "exactextract": "0.3.0 (pip)",
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "python": sys.version.split()[0],
    }
    with open(os.path.join(HERE, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
