#!/usr/bin/env python3
"""Writes the starting corpora of the fuzz targets into SEEDS (default /tmp/tuban-fuzz-seeds):
real files from the repository's tests, in each target's input format (see harness.rs).

    python3 fuzz/make_seeds.py [SEEDS]

The committed corpus/ is what libFuzzer kept from such seeds (minimised with -merge=1)."""
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tuban-fuzz-seeds")
DATA = ROOT / "crates/io/tests/data"
BAD = ROOT / "fixtures/bad"


def put(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def join(shp, shx, dbf, flags):
    return (struct.pack("<I", len(shp)) + struct.pack("<I", 0xFFFFFFFF if shx is None else len(shx))
            + bytes([flags]) + shp + (shx or b"") + dbf)


def sets():
    for folder in (DATA, BAD):
        if not folder.is_dir():
            continue
        for shp in sorted(folder.glob("*.shp")):
            dbf = shp.with_suffix(".dbf")
            if not dbf.exists():
                continue
            shx = shp.with_suffix(".shx")
            yield shp.stem, shp.read_bytes(), shx.read_bytes() if shx.exists() else None, dbf.read_bytes()


for stem, shp, shx, dbf in sets():
    if len(shp) + len(dbf) > 20000:
        continue
    put("shp", f"{stem}", join(shp, shx, dbf, 1))
    put("shp", f"{stem}_noshx", join(shp, None, dbf, 0))
    put("dbf", f"{stem}", dbf)

for folder in (DATA, BAD):
    for gj in sorted(folder.glob("*.geojson")) if folder.is_dir() else []:
        put("geojson", gj.stem, gj.read_bytes())

for tif in sorted((DATA / "geotiff").glob("*.tif")):
    if tif.stat().st_size <= 30000:
        put("geotiff", tif.stem, tif.read_bytes())


# GeoPackages: whole files (gpkg_file) and every geometry blob in them (gpkg).
import sqlite3  # noqa: E402

for folder in (DATA / "gpkg", BAD):
    for gp in sorted(folder.glob("*.gpkg")) if folder.is_dir() else []:
        if gp.stat().st_size <= 64 * 1024:
            put("gpkg_file", gp.stem, gp.read_bytes())
        try:
            con = sqlite3.connect(f"file:{gp}?mode=ro", uri=True)
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM gpkg_geometry_columns ORDER BY table_name")]
            for t in tables:
                for fid, blob in con.execute(f'SELECT rowid, geom FROM "{t}"'):
                    if isinstance(blob, bytes):
                        put("gpkg", f"{gp.stem}_{t}_{fid}", blob)
            con.close()
        except sqlite3.DatabaseError:
            pass


def join_gdbtable(table, tablx):
    return (struct.pack("<I", len(table)) + struct.pack("<I", 0xFFFFFFFF if tablx is None else len(tablx))
            + table + (tablx or b""))


# File Geodatabase tables: every table of the test geodatabase and of the damaged fixtures.
for gdb in sorted([DATA / "filegdb/test.gdb"] + list(BAD.glob("*.gdb"))):
    for table in sorted(gdb.glob("*.gdbtable")):
        tablx = table.with_suffix(".gdbtablx")
        data = table.read_bytes()
        if len(data) > 40000:
            continue
        put("gdbtable", f"{gdb.stem}_{table.stem}",
            join_gdbtable(data, tablx.read_bytes() if tablx.exists() else None))


def ring(points, hole=False):
    n = len(points)
    head = (n - 3) | (0x80 if hole else 0)
    return bytes([head]) + b"".join(struct.pack("<hh", x, y) for x, y in points)


sq = lambda x, y, s: [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
# flags: bit 0 Gauss-Kruger offset, bits 1-2 scale (0: 1/16 m), bit 3 two-part patch
put("overlay", "square_half_forest", bytes([0]) + ring(sq(0, 0, 160)) + ring(sq(-80, -80, 160)))
put("overlay", "gk_bowtie", bytes([1]) + ring([(0, 0), (0, 160), (160, 0), (160, 160)]) + ring(sq(40, 40, 40)))
put("overlay", "hole_outside", bytes([0]) + ring(sq(0, 0, 160)) + ring(sq(200, 0, 20), hole=True)
    + ring(sq(100, 100, 100)))
put("overlay", "two_parts_overlap", bytes([8]) + ring(sq(0, 0, 160)) + ring(sq(80, 80, 160))
    + ring(sq(0, 0, 40)) + ring(sq(20, 20, 40)) + ring(sq(30, 30, 200)))
put("overlay", "spike", bytes([2]) + ring([(0, 0), (100, 0), (150, 50), (100, 0), (100, 100), (0, 100)])
    + ring(sq(50, 50, 100)))
print(f"seeds written to {OUT}")
