#!/usr/bin/env python3
"""Small GeoTIFFs for crates/io/tests/geotiff_*.rs, and what GDAL (through rasterio) reads in them.

Run from the repository root, with GDAL's command-line tools (Debian package gdal-bin) on the PATH
and a venv holding numpy and rasterio:

    python3 -m venv /tmp/slopevenv && /tmp/slopevenv/bin/pip install numpy rasterio
    /tmp/slopevenv/bin/python crates/io/tests/data/geotiff/make_fixtures.py

Every file is cut from fixtures/erping/dem.tif (a 5 m Float32 DEM in EPSG:4544) with
gdal_translate; the command of each is in expected.json under "command". For each file the
values GDAL reads are stored as raw little-endian arrays (NAME.values, dtype in expected.json),
and its size, georeferencing, nodata and EPSG as rasterio reports them.
"""

import json
import os
import shutil
import subprocess

import numpy as np
import rasterio
from affine import Affine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
DEM = "fixtures/erping/dem.tif"

FILES = {
    # The brief's case: Int16, tiled, deflate (with horizontal differencing), partial edge tiles.
    "int16_tiled_deflate.tif": ["-ot", "Int16", "-srcwin", "100", "100", "200", "150",
                                "-co", "TILED=YES", "-co", "BLOCKXSIZE=64", "-co", "BLOCKYSIZE=64",
                                "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2"],
    # Float64 in strips of 5 rows, LZW with the floating-point predictor; includes nodata cells.
    "float64_strips_lzw.tif": ["-ot", "Float64", "-srcwin", "480", "320", "45", "33",
                               "-co", "COMPRESS=LZW", "-co", "PREDICTOR=3", "-co", "BLOCKYSIZE=5"],
    # UInt16, uncompressed strips, georeferenced as PixelIsPoint.
    "uint16_point.tif": ["-ot", "UInt16", "-srcwin", "300", "20", "37", "23",
                         "-mo", "AREA_OR_POINT=Point"],
    # Int32, uncompressed 16 x 16 tiles.
    "int32_tiled.tif": ["-ot", "Int32", "-srcwin", "700", "760", "40", "30", "-co", "TILED=YES",
                        "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16"],
    # Float32 tiled, deflate with the floating-point predictor (as big DEMs often come).
    "float32_tiled_pred3.tif": ["-srcwin", "0", "0", "130", "90", "-co", "TILED=YES",
                                "-co", "BLOCKXSIZE=32", "-co", "BLOCKYSIZE=32",
                                "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3"],
}


def translate(name, args):
    out = os.path.join(HERE, name)
    cmd = ["gdal_translate", "-q", *args, DEM, os.path.relpath(out, ROOT)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return "gdal_translate -q " + " ".join(args) + f" {DEM} {os.path.relpath(out, ROOT)}"


def describe(name, command):
    path = os.path.join(HERE, name)
    with rasterio.open(path) as d:
        a = d.read(1)
        t = d.transform
        values = name.rsplit(".", 1)[0] + ".values"
        a.astype(a.dtype.newbyteorder("<")).tofile(os.path.join(HERE, values))
        return {
            "command": command,
            "width": d.width,
            "height": d.height,
            "dtype": str(a.dtype),
            "x0": t.c, "y0": t.f, "cell_width": t.a, "cell_height": -t.e,
            "nodata": d.nodata,
            "epsg": d.crs.to_epsg() if d.crs else None,
            "tiled": d.profile.get("tiled", False),
            "block": [d.block_shapes[0][1], d.block_shapes[0][0]],
            "area_or_point": d.tags().get("AREA_OR_POINT"),
            "values": values,
        }


def main():
    expected = {}
    for name, args in FILES.items():
        expected[name] = describe(name, translate(name, args))

    # Files that must be refused.
    rot = os.path.join(HERE, "rotated.tif")
    with rasterio.open(rot, "w", driver="GTiff", width=8, height=6, count=1, dtype="float32",
                       crs="EPSG:4544",
                       transform=Affine(5.0, 1.0, 600000.0, 1.0, -5.0, 3304000.0)) as dst:
        dst.write(np.arange(48, dtype=np.float32).reshape(6, 8), 1)
    expected["rotated.tif"] = {"command": "rasterio: Affine(5, 1, 600000, 1, -5, 3304000)",
                               "refused": "rotated"}
    expected["no_georef.tif"] = {
        "command": translate("no_georef.tif", ["-srcwin", "0", "0", "8", "6",
                                               "-co", "PROFILE=BASELINE"]),
        "refused": "no GeoTIFF keys"}
    # Remove the .aux.xml sidecar PROFILE=BASELINE writes: the reader must see the bare TIFF.
    aux = os.path.join(HERE, "no_georef.tif.aux.xml")
    if os.path.exists(aux):
        os.remove(aux)
    rgb = os.path.join(HERE, "rgb.tif")
    with rasterio.open(rgb, "w", driver="GTiff", width=4, height=3, count=3, dtype="uint8",
                       crs="EPSG:4544", transform=Affine(5.0, 0, 600000.0, 0, -5.0, 3304000.0),
                       photometric="RGB") as dst:
        dst.write(np.zeros((3, 3, 4), dtype=np.uint8))
    expected["rgb.tif"] = {"command": "rasterio: 3-band uint8 RGB", "refused": "3 bands"}
    expected["complex.tif"] = {
        "command": translate("complex.tif", ["-ot", "CFloat32", "-srcwin", "0", "0", "4", "3"]),
        "refused": "complex samples"}

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(json.dumps(expected, indent=2))
    assert shutil.which("gdal_translate")


if __name__ == "__main__":
    main()
