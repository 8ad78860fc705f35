#!/usr/bin/env python3
"""Writes the small test layers of tuban-io's readers, and what a reader must find in them.

Generated with Python 3.11.7 and pyshp 2.3.1 (the independent shapefile writer), run from the
repository root as:

    python3 -m venv /tmp/pyshp-venv
    /tmp/pyshp-venv/bin/pip install pyshp==2.3.1
    /tmp/pyshp-venv/bin/python crates/io/tests/data/make_test_data.py

Every `*.expected.json` is written by this script from its own inputs (the coordinates and values
it hands to pyshp or to the json module, and areas computed here with a shoelace sum), never from
tuban's output. Conventions the expectations encode (see crates/io/src/shp.rs):

* a polygon record with one outer ring is a "Polygon", with several a "MultiPolygon"; a polyline
  with one part is a "LineString", with several a "MultiLineString";
* rings keep their vertices in file order; each hole belongs to the outer ring containing it;
* DBF: N with 0 decimals -> integer, N with decimals and F -> float, D -> "YYYY-MM-DD",
  L -> bool, C -> text without trailing blanks; blank values, pyshp's all-asterisk NULL numbers,
  and pyshp's "00000000" NULL dates are null.

The generated files are committed; run this again only to change them (the DBF header date is
pinned so that the output is byte-for-byte reproducible).
"""

import json
import os
import struct

import shapefile  # pyshp

HERE = os.path.dirname(os.path.abspath(__file__))

PRJ_4544 = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)

# Near Erping (Tongliang): easting about 601.5 km, northing about 3304 km in EPSG:4544.
X0, Y0 = 601500.0, 3304000.0


def path(name):
    return os.path.join(HERE, name)


# --- geometry helpers (independent of pyshp and of tuban) -------------------------------------

def signed_area(ring):
    """Shoelace area, positive for counter-clockwise rings (relative to the first vertex)."""
    ox, oy = ring[0]
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += (x1 - ox) * (y2 - oy) - (x2 - ox) * (y1 - oy)
    return s / 2.0


def closed(ring):
    return ring if ring[0] == ring[-1] else ring + [ring[0]]


def cw_rect(x, y, w, h):
    """A clockwise (ESRI outer) rectangle with lower-left corner (x, y)."""
    r = [(x, y), (x, y + h), (x + w, y + h), (x + w, y), (x, y)]
    assert signed_area(r) < 0
    return r


def ccw_rect(x, y, w, h):
    """A counter-clockwise (ESRI hole) rectangle."""
    r = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
    assert signed_area(r) > 0
    return r


def cw_triangle(a, b, c):
    r = [a, b, c, a]
    if signed_area(r) > 0:
        r = [a, c, b, a]
    return r


def polygon_expectation(polygons):
    """polygons: list of (outer ring, [holes]) as the reader must return them."""
    coords = [[[list(p) for p in closed(outer)]] + [[list(p) for p in closed(h)] for h in holes]
              for outer, holes in polygons]
    area = sum(abs(signed_area(closed(o))) - sum(abs(signed_area(closed(h))) for h in hs)
               for o, hs in polygons)
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": coords[0], "area": area}
    return {"type": "MultiPolygon", "coordinates": coords, "area": area}


def lines_expectation(parts):
    coords = [[list(p) for p in part] for part in parts]
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": coords[0]}
    return {"type": "MultiLineString", "coordinates": coords}


# --- DBF patching (for cases pyshp cannot write directly) ---------------------------------------

def dbf_layout(dbf):
    with open(dbf, "rb") as f:
        data = f.read()
    nrec, hlen, rlen = struct.unpack("<IHH", data[4:12])
    fields, off, pos = {}, 1, 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0]
        size = data[pos + 16]
        fields[name] = (off, size)
        off += size
        pos += 32
    return hlen, rlen, fields


def patch_dbf(dbf, offset, new_bytes):
    with open(dbf, "r+b") as f:
        f.seek(offset)
        f.write(new_bytes)


def patch_field(dbf, record_index, field_name_bytes, value_bytes):
    hlen, rlen, fields = dbf_layout(dbf)
    off, size = fields[field_name_bytes]
    assert len(value_bytes) == size
    patch_dbf(dbf, hlen + record_index * rlen + off, value_bytes)


def pin_header_date(dbf):
    """pyshp stamps today's date in the header; pin it to 2026-01-01 for reproducible files."""
    patch_dbf(dbf, 1, bytes([126, 1, 1]))


def write_text(name, text, bom=False):
    with open(path(name), "wb") as f:
        if bom:
            f.write(b"\xef\xbb\xbf")
        f.write(text.encode("utf-8"))


def write_expected(name, obj):
    with open(path(name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def record_values(fields, values):
    return {fname: v for (fname, _kind), v in zip(fields, values)}


# --- 1. patches_gbk: Polygon, GBK text, .cpg "GBK", .prj with a BOM ------------------------------

def patches_gbk():
    name = "patches_gbk"
    w = shapefile.Writer(path(name), shapeType=shapefile.POLYGON, encoding="gbk")
    w.field("ZLDWMC", "C", 20)
    w.field("TBBH", "N", 8, 0)
    w.field("TBMJ", "N", 16, 2)
    w.field("KCXS", "F", 10, 4)
    w.field("BGRQ", "D")
    w.field("SFGD", "L")
    w.field("备注", "C", 30)
    fields = [("ZLDWMC", "text"), ("TBBH", "integer"), ("TBMJ", "float"), ("KCXS", "float"),
              ("BGRQ", "date"), ("SFGD", "bool"), ("备注", "text")]
    records = []

    # 1: two outer rings and a hole of the FIRST one, listed last.
    a = cw_rect(X0, Y0, 40.0, 30.0)
    b = cw_rect(X0 + 100.0, Y0, 20.0, 20.0)
    hole_a = ccw_rect(X0 + 10.0, Y0 + 10.0, 5.0, 4.0)
    w.poly([a, b, hole_a])
    vals = ["隘口村", 101, 1234.56, 0.1, "20240315", True, "二级坡"]
    w.record(*vals)
    records.append({"record": 1, "values": vals[:4] + ["2024-03-15", True, "二级坡"],
                    "geometry": polygon_expectation([(a, [hole_a]), (b, [])])})

    # 2: one triangle-ish outer ring with real-looking coordinates.
    t = cw_triangle((X0 + 200.125, Y0 + 5.5), (X0 + 260.75, Y0 + 7.25), (X0 + 230.5, Y0 + 48.875))
    w.poly([t])
    vals = ["狮子村", 102, 0.05, 0.25, "20231231", False, ""]
    w.record(*vals)
    records.append({"record": 2, "values": ["狮子村", 102, 0.05, 0.25, "2023-12-31", False, None],
                    "geometry": polygon_expectation([(t, [])])})

    # 3: outer ring followed by its hole; TBMJ null (pyshp writes asterisks), KCXS null.
    c = cw_rect(X0 + 300.0, Y0 + 100.0, 50.0, 50.0)
    hole_c = ccw_rect(X0 + 320.0, Y0 + 120.0, 10.0, 10.0)
    w.poly([c, hole_c])
    vals = ["高岩村", 103, None, None, None, None, "有坟"]
    w.record(*vals)
    records.append({"record": 3, "values": ["高岩村", 103, None, None, None, None, "有坟"],
                    "geometry": polygon_expectation([(c, [hole_c])])})

    # 4: null shape, blank attributes (TBBH blanked by patching below).
    w.null()
    vals = ["", 104, None, None, None, None, None]
    w.record(*vals)
    records.append({"record": 4, "values": [None] * 7, "geometry": None})

    # 5: an outer ring written counter-clockwise (against the ESRI rule): still an outer ring.
    d = ccw_rect(X0 + 400.0, Y0, 10.0, 10.0)
    w.poly([d])
    vals = ["隘口村", -7, -12.5, 1.0, "20000229", True, "逆时针"]
    w.record(*vals)
    records.append({"record": 5, "values": ["隘口村", -7, -12.5, 1.0, "2000-02-29", True, "逆时针"],
                    "geometry": polygon_expectation([(d, [])])})
    w.close()

    hlen, rlen, flds = dbf_layout(path(name + ".dbf"))
    patch_field(path(name + ".dbf"), 3, b"TBBH", b" " * flds[b"TBBH"][1])
    pin_header_date(path(name + ".dbf"))
    write_text(name + ".cpg", "GBK")
    write_text(name + ".prj", PRJ_4544 + "\r\n", bom=True)
    write_expected(name, {
        "shape_type": "Polygon", "encoding": "GBK", "encoding_source": ".cpg",
        "crs_text": PRJ_4544,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [dict(r, values=record_values(fields, r["values"])) for r in records],
    })


# --- 2. patches_utf8: UTF-8 text, .cpg "UTF-8", a value cut inside a character by the writer -----

def patches_utf8():
    name = "patches_utf8"
    w = shapefile.Writer(path(name), shapeType=shapefile.POLYGON, encoding="utf-8")
    w.field("NAME", "C", 30)
    w.field("SHORT", "C", 8)
    fields = [("NAME", "text"), ("SHORT", "text")]
    records = []
    r1 = cw_rect(X0, Y0, 10.0, 10.0)
    w.poly([r1])
    # "狮子村村" is 12 bytes in UTF-8; pyshp cuts it to the field's 8 bytes, mid-character.
    w.record("隘口村 (UTF-8)", "狮子村村")
    cut = "狮子村村".encode("utf-8")[:8].decode("utf-8", errors="ignore")
    records.append({"record": 1, "values": ["隘口村 (UTF-8)", cut],
                    "geometry": polygon_expectation([(r1, [])])})
    r2 = cw_rect(X0 + 20.0, Y0, 5.0, 8.0)
    w.poly([r2])
    w.record("  leading blanks kept", "abc")
    records.append({"record": 2, "values": ["  leading blanks kept", "abc"],
                    "geometry": polygon_expectation([(r2, [])])})
    w.close()
    pin_header_date(path(name + ".dbf"))
    write_text(name + ".cpg", "UTF-8\n")
    write_expected(name, {
        "shape_type": "Polygon", "encoding": "UTF-8", "encoding_source": ".cpg", "crs_text": None,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [dict(r, values=record_values(fields, r["values"])) for r in records],
    })


# --- 3. landuse_z: PolygonZ, GBK, .cpg "cp936" ---------------------------------------------------

def landuse_z():
    name = "landuse_z"
    w = shapefile.Writer(path(name), shapeType=shapefile.POLYGONZ, encoding="gbk")
    w.field("DLBM", "C", 5)
    w.field("DLMC", "C", 20)
    fields = [("DLBM", "text"), ("DLMC", "text")]
    records = []
    p1 = cw_rect(X0, Y0, 25.0, 12.0)
    # z varies along the ring but returns to its first value, so that pyshp (which compares
    # x, y and z to decide whether a ring is closed) adds no closing point.
    zs = [310.0, 311.0, 312.0, 313.0, 310.0]
    w.polyz([[(x, y, z) for (x, y), z in zip(p1, zs)]])
    w.record("0301", "乔木林地")
    records.append({"record": 1, "values": ["0301", "乔木林地"],
                    "geometry": polygon_expectation([(p1, [])])})
    p2 = cw_rect(X0 + 50.0, Y0 + 50.0, 8.0, 8.0)
    h2 = ccw_rect(X0 + 52.0, Y0 + 52.0, 2.0, 2.0)
    w.polyz([[(x, y, 300.0) for x, y in p2], [(x, y, 300.0) for x, y in h2]])
    w.record("1006", "农村道路")
    records.append({"record": 2, "values": ["1006", "农村道路"],
                    "geometry": polygon_expectation([(p2, [h2])])})
    w.close()
    pin_header_date(path(name + ".dbf"))
    write_text(name + ".cpg", "cp936")
    write_text(name + ".prj", PRJ_4544)
    write_expected(name, {
        "shape_type": "PolygonZ", "encoding": "GBK", "encoding_source": ".cpg",
        "crs_text": PRJ_4544,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [dict(r, values=record_values(fields, r["values"])) for r in records],
    })


# --- 4. graves: Point, ASCII text, no .cpg, language driver 0 ------------------------------------

def graves():
    name = "graves"
    w = shapefile.Writer(path(name), shapeType=shapefile.POINT, encoding="ascii")
    w.field("COUNT", "N", 4, 0)
    w.field("NOTE", "C", 10)
    fields = [("COUNT", "integer"), ("NOTE", "text")]
    pts = [(X0 + 12.5, Y0 + 3.25, 3, "cluster"), (X0 + 14.0, Y0 + 9.0, 1, "single"),
           (X0 + 333.333, Y0 + 444.444, 12, None)]
    records = []
    for i, (x, y, n, note) in enumerate(pts):
        w.point(x, y)
        w.record(n, note)
        records.append({"record": i + 1, "values": [n, note],
                        "geometry": {"type": "Point", "coordinates": [x, y]}})
    w.null()
    w.record(None, "no point")
    records.append({"record": 4, "values": [None, "no point"], "geometry": None})
    w.close()
    pin_header_date(path(name + ".dbf"))
    write_expected(name, {
        "shape_type": "Point", "encoding": "ASCII", "encoding_source": "all text is ASCII",
        "crs_text": None,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [dict(r, values=record_values(fields, r["values"])) for r in records],
    })


# --- 5. roads: PolyLine with a multipart line, .cpg "936" ----------------------------------------

def roads():
    name = "roads"
    w = shapefile.Writer(path(name), shapeType=shapefile.POLYLINE, encoding="gbk")
    w.field("NAME", "C", 20)
    w.field("KD", "N", 6, 1)
    fields = [("NAME", "text"), ("KD", "float")]
    records = []
    l1 = [[(X0, Y0), (X0 + 50.0, Y0 + 10.0), (X0 + 90.0, Y0 + 10.5)]]
    w.line(l1)
    w.record("机耕路", 3.5)
    records.append({"record": 1, "values": ["机耕路", 3.5], "geometry": lines_expectation(l1)})
    l2 = [[(X0 + 100.0, Y0), (X0 + 120.0, Y0 + 20.0)],
          [(X0 + 130.0, Y0 + 20.0), (X0 + 140.0, Y0 + 25.0), (X0 + 150.0, Y0 + 22.0)]]
    w.line(l2)
    w.record("村道", 6.0)
    records.append({"record": 2, "values": ["村道", 6.0], "geometry": lines_expectation(l2)})
    w.close()
    pin_header_date(path(name + ".dbf"))
    write_text(name + ".cpg", "936")
    write_expected(name, {
        "shape_type": "PolyLine", "encoding": "GBK", "encoding_source": ".cpg", "crs_text": None,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [dict(r, values=record_values(fields, r["values"])) for r in records],
    })


# --- 6. wells: MultiPoint, .cpg "UTF8" -----------------------------------------------------------

def wells():
    name = "wells"
    w = shapefile.Writer(path(name), shapeType=shapefile.MULTIPOINT, encoding="utf-8")
    w.field("ID", "N", 5, 0)
    fields = [("ID", "integer")]
    pts = [(X0 + 1.0, Y0 + 2.0), (X0 + 3.0, Y0 + 4.0), (X0 + 5.5, Y0 + 6.5)]
    w.multipoint(pts)
    w.record(1)
    w.close()
    pin_header_date(path(name + ".dbf"))
    write_text(name + ".cpg", "utf8")
    write_expected(name, {
        "shape_type": "MultiPoint", "encoding": "UTF-8", "encoding_source": ".cpg",
        "crs_text": None,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [{"record": 1, "values": {"ID": 1},
                     "geometry": {"type": "MultiPoint", "coordinates": [list(p) for p in pts]}}],
    })


# --- 7. no_cpg_gbk / ldid_gbk: GBK text without .cpg; LDID 0 (must fail) or 0x4D ------------------

def no_cpg(name, ldid):
    w = shapefile.Writer(path(name), shapeType=shapefile.POLYGON, encoding="gbk")
    w.field("CODE", "C", 4)
    w.field("ZLDWMC", "C", 20)
    fields = [("CODE", "text"), ("ZLDWMC", "text")]
    r = cw_rect(X0, Y0, 3.0, 4.0)
    w.poly([r])
    w.record("0101", "ascii first")
    w.poly([r])
    w.record("0103", "狮子村")
    w.close()
    dbf = path(name + ".dbf")
    pin_header_date(dbf)
    patch_dbf(dbf, 29, bytes([ldid]))
    geometry = polygon_expectation([(r, [])])
    write_expected(name, {
        "shape_type": "Polygon", "encoding": "GBK" if ldid else None,
        "encoding_source": "language driver 0x%02X" % ldid if ldid else None,
        "error_contains": None if ldid else ["cannot tell the text encoding", "record 2",
                                             "field ZLDWMC", "--encoding GBK"],
        "crs_text": None,
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": [
            {"record": 1, "values": {"CODE": "0101", "ZLDWMC": "ascii first"}, "geometry": geometry},
            {"record": 2, "values": {"CODE": "0103", "ZLDWMC": "狮子村"}, "geometry": geometry},
        ],
    })


# --- 8. multipatch: not supported ----------------------------------------------------------------

def multipatch():
    name = "multipatch"
    w = shapefile.Writer(path(name), shapeType=shapefile.MULTIPATCH)
    w.field("ID", "N", 5, 0)
    w.multipatch([[(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0)]], partTypes=[shapefile.TRIANGLE_STRIP])
    w.record(1)
    w.close()
    pin_header_date(path(name + ".dbf"))


# --- GeoJSON (written with the json module) ------------------------------------------------------

def geojson_files():
    ring = [[X0, Y0], [X0 + 10.0, Y0], [X0 + 10.0, Y0 + 10.0], [X0, Y0 + 10.0], [X0, Y0]]
    hole = [[X0 + 2.0, Y0 + 2.0], [X0 + 2.0, Y0 + 4.0], [X0 + 4.0, Y0 + 4.0], [X0 + 4.0, Y0 + 2.0],
            [X0 + 2.0, Y0 + 2.0]]
    ring2 = [[X0 + 20.0, Y0], [X0 + 25.0, Y0], [X0 + 25.0, Y0 + 4.0], [X0 + 20.0, Y0]]
    feats = [
        ({"type": "Polygon", "coordinates": [ring, hole]},
         {"名称": "隘口村", "code": 1, "area": 12.5, "ok": True, "mixed": 1, "nested": {"a": [1, 2]}}),
        ({"type": "MultiPolygon", "coordinates": [[ring], [ring2]]},
         {"code": 2, "area": 7, "名称": "狮子村", "mixed": "x", "extra": None}),
        ({"type": "Point", "coordinates": [X0 + 1.5, Y0 + 2.5, 300.0]}, {"code": 3}),
        ({"type": "LineString", "coordinates": [[X0, Y0], [X0 + 5.0, Y0 + 5.0]]},
         {"ok": False, "area": None}),
        ({"type": "MultiLineString", "coordinates": [[[X0, Y0], [X0 + 1.0, Y0]],
                                                     [[X0, Y0 + 1.0], [X0 + 1.0, Y0 + 2.0]]]}, {}),
        ({"type": "MultiPoint", "coordinates": [[X0, Y0], [X0 + 7.0, Y0 + 8.0]]}, None),
        (None, {"名称": "高岩村", "newfield": "late"}),
    ]
    doc = {
        "type": "FeatureCollection",
        "name": "villages",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4544"}},
        "features": [{"type": "Feature", "properties": p, "geometry": g} for g, p in feats],
    }
    with open(path("villages.geojson"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")

    fields = [("名称", "text"), ("code", "integer"), ("area", "float"), ("ok", "bool"),
              ("mixed", "text"), ("nested", "text"), ("extra", "text"), ("newfield", "text")]
    as_text = {"mixed": lambda v: v if isinstance(v, str) else json.dumps(v),
               "nested": lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False)}
    records = []
    for i, (g, p) in enumerate(feats):
        values = {}
        for name, kind in fields:
            v = (p or {}).get(name)
            if v is not None and name in as_text:
                v = as_text[name](v)
            if v is not None and kind == "float":
                v = float(v)
            values[name] = v
        geom = None
        if g is not None:
            geom = {"type": g["type"], "coordinates": strip_z(g["coordinates"])}
            if g["type"] == "Polygon":
                geom["area"] = abs(signed_area(ring)) - abs(signed_area(hole))
            if g["type"] == "MultiPolygon":
                geom["area"] = abs(signed_area(ring)) + abs(signed_area(ring2))
        records.append({"record": i + 1, "values": values, "geometry": geom})
    write_expected("villages", {
        "encoding": "UTF-8", "crs_text": "urn:ogc:def:crs:EPSG::4544",
        "fields": [{"name": n, "kind": k} for n, k in fields],
        "records": records,
    })

    # A bare Feature and a bare geometry.
    with open(path("single_feature.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                   "properties": {"DLBM": "0101", "TBMJ": 100.0}}, f, ensure_ascii=False)
    write_expected("single_feature", {
        "encoding": "UTF-8", "crs_text": None,
        "fields": [{"name": "DLBM", "kind": "text"}, {"name": "TBMJ", "kind": "float"}],
        "records": [{"record": 1, "values": {"DLBM": "0101", "TBMJ": 100.0},
                     "geometry": {"type": "Polygon", "coordinates": [ring],
                                  "area": abs(signed_area(ring))}}],
    })
    with open(path("bare_geometry.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "MultiPolygon", "coordinates": [[ring, hole]]}, f)
    write_expected("bare_geometry", {
        "encoding": "UTF-8", "crs_text": None, "fields": [],
        "records": [{"record": 1, "values": {},
                     "geometry": {"type": "MultiPolygon", "coordinates": [[ring, hole]],
                                  "area": abs(signed_area(ring)) - abs(signed_area(hole))}}],
    })

    # Broken JSON: a comma removed between two members. Python's own parser says where.
    good = json.dumps(doc, ensure_ascii=False, indent=1)
    broken = good.replace('"name": "villages",', '"name": "villages"', 1)
    try:
        json.loads(broken)
        raise AssertionError("should not parse")
    except json.JSONDecodeError as e:
        where = {"line": e.lineno, "column": e.colno, "python_message": e.msg}
    with open(path("broken.geojson"), "w", encoding="utf-8") as f:
        f.write(broken)
    write_expected("broken", {"error": where})

    # A GeometryCollection in the second feature.
    gc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
        {"type": "Feature", "properties": {"id": 2}, "geometry": {
            "type": "GeometryCollection",
            "geometries": [{"type": "Point", "coordinates": [1, 2]}]}},
    ]}
    with open(path("collection.geojson"), "w", encoding="utf-8") as f:
        json.dump(gc, f, indent=1)
    write_expected("collection", {"error_feature": 2})


def strip_z(c):
    if c and isinstance(c[0], (int, float)):
        return list(c[:2])
    return [strip_z(x) for x in c]


if __name__ == "__main__":
    assert shapefile.__version__ == "2.3.1", shapefile.__version__
    patches_gbk()
    patches_utf8()
    landuse_z()
    graves()
    roads()
    wells()
    no_cpg("no_cpg_gbk", 0x00)
    no_cpg("ldid_gbk", 0x4D)
    multipatch()
    geojson_files()
    print("written to", HERE)
