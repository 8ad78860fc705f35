#!/usr/bin/env python3
"""Writes the GeoPackages crates/io/tests/read_gpkg.rs reads (standard library only).

    python3 crates/io/tests/data/gpkg/make_gpkg.py

Every geometry blob is built here byte by byte (the GeoPackage header, then WKB), so the tests'
expected values are the numbers written below, not what a reader made of them. The files:

kinds.gpkg, three feature tables and one attribute table:
  patches  MULTIPOLYGON, srs 4544 (organization EPSG), R-tree index rtree_patches_geom
    fid 1  Polygon, little endian, xy envelope: the square (600000, 3303000) + 100 m
    fid 2  MultiPolygon, big-endian header and WKB: the square at x + 200 with a 50 m hole, and
           the square at x + 400; field BAD holds the text '12,5' in a REAL column
    fid 3  NULL geometry
    fid 4  empty MultiPolygon (empty flag, no envelope)
    fid 7  PolygonZ (ISO code 1003, z = 250), xyz envelope: the square at y + 200
    fields TBBH TEXT(10), NAME TEXT, TBMJ REAL, N MEDIUMINT, OK BOOLEAN, D DATE, T DATETIME,
           BAD REAL, PIC BLOB
  graves   POINT, srs 4544; no envelopes (as GDAL writes points)
    fid 1  Point (600050, 3303050) little endian
    fid 2  Point (600250, 3303050) big endian
    fid 3  empty point (NaN NaN, empty flag)
    fid 4  MultiPoint of (600450, 3303050) and (600460, 3303060)
    field SL INTEGER
  roads    LINESTRING, srs 100001: organization 'tuban-test', the ESRI WKT of
           fixtures/erping/patches.prj as definition
    fid 1  LineString M (ISO 2002) from (600000, 3303150) to (600500, 3303150)
    fid 2  MultiLineString of two 2-point lines
    field KD REAL
  notes    attributes (no geometry): not a layer

one.gpkg: one feature table `dltb` (POLYGON, srs 4544), no R-tree, two features, so that no layer
name is needed.

SQLite writes its version into the file header: the bytes depend on the SQLite library (they were
written with SQLite 3.40.1, Python 3.11); the tests read values, not bytes.
"""
import math
import sqlite3
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
PRJ = (HERE.parents[4] / "fixtures" / "erping" / "patches.prj").read_text()
X0, Y0 = 600000.0, 3303000.0


def square(x, y, s=100.0, ccw=True):
    r = [(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]
    return r if ccw else list(reversed(r))


def wkb(code, body, little=True):
    """WKB: byte order, type code, then `body` (already in that byte order)."""
    e = "<" if little else ">"
    return bytes([1 if little else 0]) + struct.pack(e + "I", code) + body


def ring_body(ring, little=True, extra=()):
    e = "<" if little else ">"
    out = struct.pack(e + "I", len(ring))
    for x, y in ring:
        out += struct.pack(e + "dd", x, y) + b"".join(struct.pack(e + "d", v) for v in extra)
    return out


def polygon(rings, little=True, code=3, extra=()):
    e = "<" if little else ">"
    body = struct.pack(e + "I", len(rings)) + b"".join(ring_body(r, little, extra) for r in rings)
    return wkb(code, body, little)


def multi(code, parts, little=True):
    e = "<" if little else ">"
    return wkb(code, struct.pack(e + "I", len(parts)) + b"".join(parts), little)


def point(x, y, little=True):
    e = "<" if little else ">"
    return wkb(1, struct.pack(e + "dd", x, y), little)


def line(points, little=True, code=2, extra=()):
    return wkb(code, ring_body(points, little, extra), little)


def gp(geometry, srs_id, envelope=None, little=True, empty=False, zenv=None):
    """A GeoPackage blob; envelope = (minx, maxx, miny, maxy), zenv = (minz, maxz)."""
    e = "<" if little else ">"
    code = 0 if envelope is None else (2 if zenv else 1)
    flags = (1 if little else 0) | (code << 1) | (0x10 if empty else 0)
    out = b"GP\x00" + bytes([flags]) + struct.pack(e + "i", srs_id)
    if envelope is not None:
        out += struct.pack(e + "4d", *envelope)
        if zenv:
            out += struct.pack(e + "2d", *zenv)
    return out + geometry


def env(rings):
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    return (min(xs), max(xs), min(ys), max(ys))


def base(path):
    if path.exists():
        path.unlink()
    c = sqlite3.connect(path)
    c.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    c.execute("PRAGMA user_version = 10300")
    c.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL,
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
          m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
        """
    )
    srs = [
        ("Undefined Cartesian SRS", -1, "NONE", -1, "undefined"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined"),
        ("CGCS2000 / 3-degree Gauss-Kruger CM 105E", 4544, "EPSG", 4544,
         'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 105E",GEOGCS["China Geodetic Coordinate '
         'System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],'
         'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
         'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
         'PARAMETER["central_meridian",105],PARAMETER["scale_factor",1],'
         'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],'
         'AUTHORITY["EPSG","4544"]]'),
        ("CGCS2000_3_Degree_GK_CM_105E", 100001, "tuban-test", 1, PRJ),
    ]
    c.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, NULL)", srs)
    return c


def table(c, name, gtype, srs, columns, z=0, m=0, rtree=False):
    c.execute(f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {gtype}'
              + "".join(f", {n} {t}" for n, t in columns) + ")")
    c.execute("INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', '2024-03-15T00:00:00.000Z',"
              " NULL, NULL, NULL, NULL, ?)", (name, name, srs))
    c.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, ?, ?)",
              (name, gtype, srs, z, m))
    if rtree:
        c.execute(f'CREATE VIRTUAL TABLE "rtree_{name}_geom" USING rtree(id, minx, maxx, miny, maxy)')


def insert(c, name, rows, rtree_boxes=None):
    for row in rows:
        marks = ", ".join("?" * len(row))
        c.execute(f'INSERT INTO "{name}" VALUES ({marks})', row)
    for fid, box in (rtree_boxes or {}).items():
        c.execute(f'INSERT INTO "rtree_{name}_geom" VALUES (?, ?, ?, ?, ?)', (fid, *box))


def kinds():
    path = HERE / "kinds.gpkg"
    c = base(path)
    cols = [("TBBH", "TEXT(10)"), ("NAME", "TEXT"), ("TBMJ", "REAL"), ("N", "MEDIUMINT"),
            ("OK", "BOOLEAN"), ("D", "DATE"), ("T", "DATETIME"), ("BAD", "REAL"), ("PIC", "BLOB")]
    table(c, "patches", "MULTIPOLYGON", 4544, cols, z=2, rtree=True)
    p1 = [square(X0, Y0)]
    p2a = [square(X0 + 200, Y0), square(X0 + 225, Y0 + 25, 50.0, ccw=False)]
    p2b = [square(X0 + 400, Y0)]
    p7 = [square(X0, Y0 + 200)]
    rows = [
        (1, gp(polygon(p1), 4544, env(p1)), "P1", "狮子村", 10000.0, 1, 1, "2024-03-15",
         "2024-03-15T08:30:00.000Z", 1.5, b"\x00\x01"),
        (2, gp(multi(6, [polygon(p2a, little=False), polygon(p2b, little=False)], little=False),
               4544, env(p2a + p2b), little=False),
         "P2", "隘口村", 17500.0, 2, 0, None, None, "12,5", None),
        (3, None, "P3", None, None, None, None, None, None, None, None),
        (4, gp(multi(6, []), 4544, None, empty=True), "P4", "", 0.0, 4, None, None, None, None, None),
        (7, gp(polygon(p7, code=1003, extra=(250.0,)), 4544, env(p7), zenv=(250.0, 250.0)),
         "P7", "Gaoyan", 10000.0, -7, 1, "2020-02-29", None, None, None),
    ]
    insert(c, "patches", rows, {1: env(p1), 2: env(p2a + p2b), 7: env(p7)})

    table(c, "graves", "POINT", 4544, [("SL", "INTEGER")])
    insert(c, "graves", [
        (1, gp(point(X0 + 50, Y0 + 50), 4544), 1),
        (2, gp(point(X0 + 250, Y0 + 50, little=False), 4544, little=False), 2),
        (3, gp(point(math.nan, math.nan), 4544, empty=True), 0),
        (4, gp(multi(4, [point(X0 + 450, Y0 + 50), point(X0 + 460, Y0 + 60)]), 4544), 3),
    ])

    table(c, "roads", "LINESTRING", 100001, [("KD", "REAL")], m=1)
    road1 = [(X0, Y0 + 150), (X0 + 500, Y0 + 150)]
    insert(c, "roads", [
        (1, gp(line(road1, code=2002, extra=(0.0,)), 100001, env([road1])), 4.5),
        (2, gp(multi(5, [line([(X0, Y0), (X0, Y0 + 300)]), line([(X0 + 10, Y0), (X0 + 10, Y0 + 300)])]),
               100001, (X0, X0 + 10, Y0, Y0 + 300)), 1.0),
    ])

    c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, txt TEXT)")
    c.execute("INSERT INTO gpkg_contents VALUES ('notes', 'attributes', 'notes', '', "
              "'2024-03-15T00:00:00.000Z', NULL, NULL, NULL, NULL, NULL)")
    c.commit()
    c.execute("VACUUM")
    c.close()


def one():
    path = HERE / "one.gpkg"
    c = base(path)
    table(c, "dltb", "POLYGON", 4544, [("DLBM", "TEXT")])
    a, b = [square(X0 - 50, Y0)], [square(X0 + 450, Y0)]
    insert(c, "dltb", [(1, gp(polygon(a), 4544, env(a)), "0301"),
                       (2, gp(polygon(b), 4544, env(b)), "0301")])
    c.commit()
    c.execute("VACUUM")
    c.close()


if __name__ == "__main__":
    kinds()
    one()
    print("wrote kinds.gpkg, one.gpkg")
