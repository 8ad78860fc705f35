#!/usr/bin/env python3
"""Writes the File Geodatabase tuban-io's FileGDB reader is tested on, and what GDAL reads in it.

Needs GDAL's Python bindings (Debian 12: apt-get install python3-gdal, GDAL 3.6.2). Run from the
repository root with the system Python:

    /usr/bin/python3 crates/io/tests/data/filegdb/make_gdb.py

It writes `test.gdb` (with GDAL's OpenFileGDB driver, the writer of `ogr2ogr -f OpenFileGDB`)
and `test.expected.json`: every feature class read back **by GDAL** (its field names and types,
each feature's OBJECTID, values and coordinates, exactly as doubles), which the reader must
match. GDAL writes random GUIDs and timestamps into the geodatabase's own tables, so running it
again gives other bytes but the same expectations. The committed files are the reference; run
it again only to change them.

Feature classes (EPSG:4544, CGCS2000 / 3-degree Gauss-Kruger CM 105E, unless said):

* `patches`: polygons on GDAL's default coordinate grid (origin -2147483647, 10000 steps a
  metre), one with a hole, one of two parts, one without geometry; a deleted feature (OBJECTID
  4); every attribute type the survey uses: short and long integers, float, double, text in
  Chinese, a date, a GUID; a field name of 21 bytes and one in Chinese; nulls.
* `graves`: points with Z (tuban keeps x and y).
* `roads`: a line and a two-part line.
* `mpoints`: multipoints.
* `utf16`: text stored as UTF-16 (CONFIGURATION_KEYWORD=TEXT_UTF16).
* `sparse`: OBJECTIDs 1, 3 and 5000 (rows 2 and 4-4999 absent: the row index's block bitmap).
* `mm_grid`: polygons on a 1 mm grid with origin 0 (coordinates at the millimetre round-trip
  exactly), 6-byte row offsets (CONFIGURATION_KEYWORD=MAX_FILE_SIZE_256TB).
* `curved`: a polygon made of circular arcs (tuban refuses it).
* `nocrs`: points without a CRS.
* `attrs`: a table without geometry (not a feature class).
* `renamed`: a field renamed after the rows were written (GDAL then writes the field
  descriptions anew at the end of the file, after the rows).
"""

import json
import os
import shutil

from osgeo import gdal, ogr, osr

ogr.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
GDB = os.path.join(HERE, "test.gdb")

X0, Y0 = 601500.0, 3304000.0


def srs4544():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4544)
    return s


def square(x, y, s, clockwise=True):
    ring = [(x, y), (x, y + s), (x + s, y + s), (x + s, y), (x, y)]
    return ring if clockwise else ring[::-1]


def wkt_ring(r):
    return "(" + ",".join(f"{x!r} {y!r}" for x, y in r) + ")"


def add(lyr, geom_wkt, **values):
    f = ogr.Feature(lyr.GetLayerDefn())
    for k, v in values.items():
        if v is None:
            f.SetFieldNull(k)
        else:
            f.SetField(k, v)
    if geom_wkt is not None:
        f.SetGeometry(ogr.CreateGeometryFromWkt(geom_wkt))
    lyr.CreateFeature(f)
    return f.GetFID()


def field(lyr, name, t, sub=None, width=0):
    fd = ogr.FieldDefn(name, t)
    if sub is not None:
        fd.SetSubType(sub)
    if width:
        fd.SetWidth(width)
    lyr.CreateField(fd)


def write():
    shutil.rmtree(GDB, ignore_errors=True)
    ds = ogr.GetDriverByName("OpenFileGDB").CreateDataSource(GDB)

    lyr = ds.CreateLayer("patches", srs4544(), ogr.wkbPolygon, ["COLUMN_TYPES=GUID=esriFieldTypeGUID"])
    field(lyr, "TBBH", ogr.OFTString, width=20)
    field(lyr, "QSDWMC", ogr.OFTString, width=60)
    field(lyr, "ZUOLUODANWEIMINGCHENG", ogr.OFTString)
    field(lyr, "坐落单位名称", ogr.OFTString)
    field(lyr, "XH", ogr.OFTInteger)
    field(lyr, "DJ", ogr.OFTInteger, ogr.OFSTInt16)
    field(lyr, "KCXS", ogr.OFTReal, ogr.OFSTFloat32)
    field(lyr, "TBMJ", ogr.OFTReal)
    field(lyr, "GXSJ", ogr.OFTDate)
    field(lyr, "GUID", ogr.OFTString)
    hole = square(X0 + 40, Y0 + 40, 20, clockwise=False)
    p1 = f"POLYGON({wkt_ring(square(X0, Y0, 100))},{wkt_ring(hole)})"
    p2 = (f"MULTIPOLYGON(({wkt_ring(square(X0 + 200, Y0, 50))}),"
          f"({wkt_ring(square(X0 + 300.125, Y0 + 0.3333, 49.5))}))")
    add(lyr, p1, TBBH="P1", QSDWMC="中山村", ZUOLUODANWEIMINGCHENG="二坪镇中山村",
        **{"坐落单位名称": "二坪镇"}, XH=1, DJ=2, KCXS=0.1, TBMJ=9600.0, GXSJ="2024/03/15",
        GUID="{12345678-9ABC-DEF0-1234-567890ABCDEF}")
    add(lyr, p2, TBBH="P2", QSDWMC="隘口村", ZUOLUODANWEIMINGCHENG=None, XH=2, DJ=-3,
        KCXS=None, TBMJ=4950.25, GXSJ=None, GUID=None)
    add(lyr, None, TBBH="P3", QSDWMC="", XH=None, TBMJ=0.0)
    gone = add(lyr, f"POLYGON({wkt_ring(square(X0, Y0 + 500, 10))})", TBBH="P4")
    add(lyr, f"POLYGON({wkt_ring(square(X0 + 1000, Y0 + 1000, 10))})", TBBH="P5",
        QSDWMC="狮子村", XH=5, TBMJ=100.0, GXSJ="1999/12/31")
    lyr.DeleteFeature(gone)

    lyr = ds.CreateLayer("graves", srs4544(), ogr.wkbPoint25D)
    field(lyr, "SL", ogr.OFTInteger)
    add(lyr, f"POINT Z ({X0 + 10.5!r} {Y0 + 20.25!r} 312.5)", SL=3)
    add(lyr, f"POINT Z ({X0 + 60.0!r} {Y0 + 20.0!r} 300)", SL=1)

    lyr = ds.CreateLayer("roads", srs4544(), ogr.wkbMultiLineString)
    field(lyr, "KD", ogr.OFTReal)
    add(lyr, f"LINESTRING({X0} {Y0},{X0 + 100} {Y0 + 5.5},{X0 + 200} {Y0})", KD=4.5)
    add(lyr, f"MULTILINESTRING(({X0} {Y0 + 50},{X0 + 10} {Y0 + 50}),({X0} {Y0 + 60},{X0 + 10} {Y0 + 61}))", KD=None)

    lyr = ds.CreateLayer("mpoints", srs4544(), ogr.wkbMultiPoint)
    field(lyr, "N", ogr.OFTInteger)
    add(lyr, f"MULTIPOINT(({X0} {Y0}),({X0 + 1.5} {Y0 - 2.25}),({X0 - 3} {Y0 + 4}))", N=3)

    lyr = ds.CreateLayer("utf16", srs4544(), ogr.wkbPoint, ["CONFIGURATION_KEYWORD=TEXT_UTF16"])
    field(lyr, "ZLDWMC", ogr.OFTString)
    add(lyr, f"POINT({X0} {Y0})", ZLDWMC="铜梁区二坪镇")

    lyr = ds.CreateLayer("sparse", srs4544(), ogr.wkbPoint)
    field(lyr, "N", ogr.OFTString)
    for fid, n in [(1, "a"), (3, "b"), (5000, "c")]:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetFID(fid)
        f.SetField("N", n)
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT({X0 + fid} {Y0})"))
        lyr.CreateFeature(f)

    lyr = ds.CreateLayer("mm_grid", srs4544(), ogr.wkbPolygon,
                         ["XORIGIN=0", "YORIGIN=0", "XYSCALE=1000",
                          "CONFIGURATION_KEYWORD=MAX_FILE_SIZE_256TB"])
    field(lyr, "TBBH", ogr.OFTString)
    add(lyr, f"POLYGON({wkt_ring([(601234.567, 3304001.001), (601234.567, 3304101.123), (601334.999, 3304101.123), (601234.567, 3304001.001)])})", TBBH="M1")

    lyr = ds.CreateLayer("curved", srs4544(), ogr.wkbCurvePolygon)
    field(lyr, "TBBH", ogr.OFTString)
    add(lyr, f"CURVEPOLYGON(CIRCULARSTRING({X0} {Y0},{X0 + 10} {Y0 + 10},{X0 + 20} {Y0},{X0 + 10} {Y0 - 10},{X0} {Y0}))", TBBH="C1")

    lyr = ds.CreateLayer("nocrs", None, ogr.wkbPoint)
    field(lyr, "N", ogr.OFTInteger)
    add(lyr, "POINT(1 2)", N=1)

    lyr = ds.CreateLayer("attrs", None, ogr.wkbNone)
    field(lyr, "N", ogr.OFTInteger)
    add(lyr, None, N=1)

    lyr = ds.CreateLayer("renamed", srs4544(), ogr.wkbPoint)
    field(lyr, "QSDWMC", ogr.OFTString)
    add(lyr, f"POINT({X0} {Y0})", QSDWMC="狮子村")
    lyr.AlterFieldDefn(0, ogr.FieldDefn("权属单位名称", ogr.OFTString), ogr.ALTER_NAME_FLAG)
    ds = None


def coords(g):
    """A geometry as GeoJSON-like coordinates, GDAL's doubles unchanged."""
    name = g.GetGeometryName()
    if name == "POINT":
        return [g.GetX(), g.GetY()]
    if name in ("LINESTRING", "LINEARRING"):
        return [[x, y] for x, y, *_ in g.GetPoints()]
    return [coords(g.GetGeometryRef(i)) for i in range(g.GetGeometryCount())]


def expected():
    ds = ogr.Open(GDB)
    out = {}
    for i in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(i)
        d = lyr.GetLayerDefn()
        fields = []
        for k in range(d.GetFieldCount()):
            fd = d.GetFieldDefn(k)
            fields.append({"name": fd.GetName(), "type": fd.GetTypeName(),
                           "subtype": ogr.GetFieldSubTypeName(fd.GetSubType())})
        features = []
        if lyr.GetName() != "curved":
            for f in lyr:
                values = {}
                for k, fd in enumerate(fields):
                    if not f.IsFieldSetAndNotNull(k):
                        values[fd["name"]] = None
                    elif fd["type"] == "Integer":
                        values[fd["name"]] = f.GetFieldAsInteger(k)
                    elif fd["type"] == "Real":
                        values[fd["name"]] = f.GetFieldAsDouble(k)
                    else:
                        values[fd["name"]] = f.GetFieldAsString(k)
                g = f.GetGeometryRef()
                features.append({
                    "objectid": f.GetFID(),
                    "values": values,
                    "geometry": None if g is None else
                    {"type": g.GetGeometryName(), "coordinates": coords(g)},
                })
        out[lyr.GetName()] = {
            "geometry_type": ogr.GeometryTypeToName(lyr.GetGeomType()),
            "feature_count": lyr.GetFeatureCount(),
            "fields": fields,
            "features": features,
        }
    with open(os.path.join(HERE, "test.expected.json"), "w", encoding="utf-8") as fh:
        json.dump({"gdal": gdal.__version__, "layers": out}, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    write()
    expected()
