#!/usr/bin/env python3
"""Check the files `tuban run` wrote against the CSV it wrote beside them, with independent readers.

    python3 tests/check_outputs.py DIR [--stem STEM] [--expect xlsx,shp,gpkg,geojson,parquet]
                                   [--inputs-root PATH] [--allow-empty-obstacles]

For every patch table STEM.csv in DIR (a CSV whose header starts with `patch_id`), each output of
the same stem that exists is read and compared with the CSV, value by value:

* STEM.xlsx with openpyxl: the five sheets (Chinese or English names), every patch cell (numbers
  stored as numbers, equal to the CSV's bit for bit), number formats, frozen header, autofilter,
  column widths; the village sheet recomputed from the CSV (m² sums; two-decimal mu that add up to
  the total row and stay within 0.01 mu); the class sheet; the run sheet's input files re-hashed.
* STEM.shp and STEM_obstacles.shp with pyogrio (GDAL), and the DBF read again here byte by byte
  with the encoding its .cpg names: field names of at most 10 bytes mapped to the CSV's columns
  (tests/write_check/dbf_field_names.json), values within the DBF's decimals, text identical,
  planar areas of the shapes equal to `area_planar_m2`, the .prj recognised as the CRS.
* STEM.gpkg with pyogrio and with sqlite3: both layers, values identical, CRS, GeoPackage
  application_id and version, the R-tree index and gpkg_contents extents matching the geometries.
* STEM.parquet (GeoParquet 1.1) with pyarrow and with GeoPandas (not GDAL: pyogrio's wheels and
  Debian 12's GDAL have no Parquet driver): the `geo`
  metadata (version 1.1.0, primary column, WKB, MultiPolygon, bbox of the geometries, the CRS as
  PROJJSON that pyproj reads as the same EPSG CRS), the Arrow types (string, int64, double), values
  identical, counter-clockwise exteriors, planar areas.
* STEM.geojson and STEM_obstacles.geojson with jsonschema (tests/write_check/geojson.schema.json),
  longitude/latitude ranges and counter-clockwise exteriors (RFC 7946), values identical.

The obstacle layers are compared with the CSV's per-class areas: one piece per patch and class
present, of that class's area. When `ogrinfo` is on the PATH, each GIS file is also opened with it
and any warning fails the check.

--expect lists formats that must be there (a missing one fails). Paths of input files in the
workbook are taken as they are, or relative to --inputs-root (default: the current directory).
The last line printed is `N passed, N failed` (and `, N skipped`); the exit status is 1 if any
check failed or nothing was checked.

Needs: pyogrio, openpyxl, jsonschema, pyarrow, pyproj (pip install -r tests/write_check/requirements.txt).
"""

import argparse
import csv
import hashlib
import json
import math
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "write_check" / "geojson.schema.json"
FIELD_NAMES = HERE / "write_check" / "dbf_field_names.json"

TEXT_COLUMNS = {"patch_id", "village", "verdict", "verdict_zh", "reasons", "reasons_zh", "area_method", "error", "repair"}
COUNT_COLUMNS = {"grave_count", "record"}
CLASS_ZH = {"grave": "墓地", "forest": "林地", "road": "道路", "steep": "陡坡"}
VERDICTS = ["rectifiable", "partly", "not_rectifiable"]
SHEETS = {
    "zh": ["图斑", "村", "地类", "运行", "字段"],
    "en": ["Patches", "Villages", "Classes", "Run", "Columns"],
}
PIECE_FIELDS = ["patch_id", "village", "class", "class_zh", "area_m2", "area_mu"]


class Skip(Exception):
    """A check that cannot run here (an optional tool is missing)."""


# ---------------------------------------------------------------------------------------------
# The reference: the CSV


class Table:
    """The patch CSV: header, rows (dicts of str), and typed access."""

    def __init__(self, path):
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        self.path = path
        self.header = rows[0]
        self.rows = [dict(zip(self.header, r)) for r in rows[1:]]
        for r in rows[1:]:
            if len(r) != len(self.header):
                raise AssertionError(f"{path}: a row has {len(r)} cells, the header {len(self.header)}")
        # Classes: every C with C_m2, C_mu and C_pct columns (obstacle_pct has no obstacle_pct... pair).
        self.classes = [
            c[: -len("_pct")]
            for c in self.header
            if c.endswith("_pct") and c != "obstacle_pct" and c[: -len("_pct")] + "_m2" in self.header
        ]

    def kind(self, column):
        if column in TEXT_COLUMNS:
            return "text"
        if column in COUNT_COLUMNS:
            return "count"
        return "number"

    def value(self, row, column):
        """The typed value: str for text, int or float for numbers, None for an empty number."""
        s = row[column]
        k = self.kind(column)
        if k == "text":
            return s
        if s == "":
            return None
        return int(s) if k == "count" else float(s)

    def failed(self, row):
        return row.get("error", "") != ""

    def by_id(self):
        out = {}
        for r in self.rows:
            out.setdefault(r["patch_id"], r)
        return out


def is_null(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def same_text(got, want, where):
    got = "" if is_null(got) else got
    if got != want:
        raise AssertionError(f"{where}: {got!r} != {want!r}")


def same_number(got, want, where, tol=0.0):
    if want is None:
        if not is_null(got):
            raise AssertionError(f"{where}: {got!r} where the CSV is empty")
        return
    if is_null(got) or isinstance(got, str) or isinstance(got, bool):
        raise AssertionError(f"{where}: {got!r} is not a number (CSV {want!r})")
    if abs(float(got) - float(want)) > tol:
        raise AssertionError(f"{where}: {float(got)!r} != {want!r} (tolerance {tol})")


# ---------------------------------------------------------------------------------------------
# Geometry from WKB (ISO or GeoPackage), without any GIS library


def parse_wkb(b, o=0):
    """(polygons, end) for a WKB Polygon or MultiPolygon at offset o; polygons are lists of rings of (x, y)."""
    order = "<" if b[o] == 1 else ">"
    (gtype,) = struct.unpack_from(order + "I", b, o + 1)
    gtype %= 1000
    o += 5
    if gtype == 3:
        (nrings,) = struct.unpack_from(order + "I", b, o)
        o += 4
        rings = []
        for _ in range(nrings):
            (n,) = struct.unpack_from(order + "I", b, o)
            o += 4
            pts = struct.unpack_from(order + "%dd" % (2 * n), b, o)
            o += 16 * n
            rings.append(list(zip(pts[0::2], pts[1::2])))
        return [rings], o
    if gtype == 6:
        (n,) = struct.unpack_from(order + "I", b, o)
        o += 4
        polys = []
        for _ in range(n):
            p, o = parse_wkb(b, o)
            polys.extend(p)
        return polys, o
    raise AssertionError(f"geometry type {gtype} where a (multi)polygon was expected")


def gpkg_blob(b):
    """(srs_id, envelope [minx, maxx, miny, maxy] or None, polygons) of a GeoPackage geometry."""
    if b[:2] != b"GP":
        raise AssertionError("GeoPackage geometry without the GP magic")
    flags = b[3]
    order = "<" if flags & 1 else ">"
    (srs,) = struct.unpack_from(order + "i", b, 4)
    env_kind = (flags >> 1) & 7
    sizes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
    env = list(struct.unpack_from(order + "4d", b, 8)) if env_kind else None
    polys, end = parse_wkb(b, 8 + sizes[env_kind])
    if end != len(b):
        raise AssertionError("trailing bytes after the WKB")
    return srs, env, polys


def signed_area(ring):
    x0, y0 = ring[0]
    s = 0.0
    for (ax, ay), (bx, by) in zip(ring, ring[1:]):
        s += (ax - x0) * (by - y0) - (bx - x0) * (ay - y0)
    return s / 2.0


def planar_area(polys):
    return sum(abs(signed_area(p[0])) - sum(abs(signed_area(h)) for h in p[1:]) for p in polys)


def envelope(polys):
    xs = [x for p in polys for r in p for x, _ in r]
    ys = [y for p in polys for r in p for _, y in r]
    return [min(xs), max(xs), min(ys), max(ys)]


def planar_reference(table, row):
    """The patch's planar area from the CSV, or None if it does not say."""
    if "area_planar_m2" in table.header:
        return table.value(row, "area_planar_m2")
    if row.get("area_method") == "planar":
        return table.value(row, "area_m2")
    return None


def check_patch_geometry(table, rows, polys_of, where):
    """The shapes' planar areas equal the CSV's area_planar_m2."""
    checked = 0
    for i, row in enumerate(rows):
        want = planar_reference(table, row)
        polys = polys_of(i)
        if want is None or polys is None:
            continue
        got = planar_area(polys)
        if abs(got - want) > 1e-9 * max(1.0, want):
            raise AssertionError(f"{where}: patch {row['patch_id']}: planar area {got} != {want}")
        checked += 1
    if checked == 0 and any(planar_reference(table, r) for r in rows):
        raise AssertionError(f"{where}: no geometry to check")


def check_pieces(table, pieces, where, tol, allow_empty):
    """pieces: list of (attrs dict, polygons or None). One per patch and class present, of its area."""
    ids = table.by_id()
    want = {}
    for row in table.rows:
        if table.failed(row):
            continue
        for c in table.classes:
            v = table.value(row, c + "_m2")
            if v:
                want[(row["patch_id"], c)] = v
    if not pieces:
        if want and not allow_empty:
            raise AssertionError(
                f"{where}: the obstacle layer is empty but the CSV has {len(want)} obstacle areas "
                "(did the run keep the pieces?)"
            )
        return
    seen = set()
    for attrs, polys in pieces:
        key = (attrs["patch_id"], attrs["class"])
        if key in seen:
            raise AssertionError(f"{where}: two pieces for {key}")
        seen.add(key)
        if key not in want:
            raise AssertionError(f"{where}: a piece for {key}, which the CSV says has no such area")
        row = ids[key[0]]
        same_text(attrs["village"], row["village"], f"{where}: {key} village")
        same_text(attrs["class_zh"], CLASS_ZH.get(key[1], key[1]), f"{where}: {key} class_zh")
        same_number(attrs["area_m2"], want[key], f"{where}: {key} area_m2", tol["area_m2"] * (1 + want[key]))
        same_number(
            attrs["area_mu"], want[key] * 15 / 10000, f"{where}: {key} area_mu", tol["area_mu"] * (1 + want[key])
        )
        if polys is not None:
            # The shape is the piece: its planar area is the class's area scaled as the patch's.
            planar, area = planar_reference(table, row), table.value(row, "area_m2")
            if planar and area:
                expect = want[key] * planar / area
                got = planar_area(polys)
                if abs(got - expect) > 1e-5 * expect + 1e-3:
                    raise AssertionError(f"{where}: {key}: planar area of the shape {got}, expected about {expect}")
    missing = set(want) - seen
    if missing:
        raise AssertionError(f"{where}: no piece for {sorted(missing)[:5]}")


# ---------------------------------------------------------------------------------------------
# GDAL (pyogrio, ogrinfo)


def pyogrio_read(path, layer=None):
    try:
        from pyogrio import raw
    except ImportError as e:
        raise AssertionError(f"pyogrio is not installed ({e}): pip install pyogrio") from e
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta, _, geometry, fields = raw.read(str(path), layer=layer)
    bad = [str(w.message) for w in caught]
    if bad:
        raise AssertionError(f"{path}: GDAL warned: {bad}")
    names = list(meta["fields"])
    records = []
    for i in range(len(geometry) if geometry is not None else len(fields[0]) if fields else 0):
        rec = {}
        for k, name in enumerate(names):
            v = fields[k][i]
            if hasattr(v, "item"):
                v = v.item()
            rec[name] = v
        g = geometry[i] if geometry is not None else None
        records.append((rec, parse_wkb(bytes(g))[0] if g is not None else None))
    return meta, names, records


def ogrinfo_quiet(path):
    exe = shutil.which("ogrinfo")
    if not exe:
        raise Skip("ogrinfo is not on the PATH")
    p = subprocess.run([exe, "-ro", "-al", "-so", str(path)], capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip() or "Warning" in p.stdout:
        raise AssertionError(f"ogrinfo {path}: exit {p.returncode}: {p.stderr.strip() or p.stdout[-500:]}")


def crs_is(meta, epsg, where):
    crs = meta.get("crs")
    if epsg is None:
        return
    if crs != f"EPSG:{epsg}":
        raise AssertionError(f"{where}: GDAL sees the CRS as {crs!r}, not EPSG:{epsg}")


# ---------------------------------------------------------------------------------------------
# Shapefile


def read_dbf(path, encoding):
    """(fields [(name, type, width, decimals)], records [list of str]) read byte by byte."""
    b = Path(path).read_bytes()
    n, header_len, record_len = struct.unpack_from("<IHH", b, 4)
    fields = []
    o = 32
    while b[o] != 0x0D:
        raw_name = b[o : o + 11].split(b"\0")[0]
        fields.append((raw_name.decode(encoding), chr(b[o + 11]), b[o + 16], b[o + 17], raw_name))
        o += 32
    if o + 1 != header_len:
        raise AssertionError(f"{path}: header length {header_len}, fields end at {o + 1}")
    if sum(f[2] for f in fields) + 1 != record_len:
        raise AssertionError(f"{path}: record length {record_len} is not the sum of the field widths")
    records = []
    for r in range(n):
        start = header_len + r * record_len
        if b[start : start + 1] != b" ":
            raise AssertionError(f"{path}: record {r + 1} is marked deleted")
        o = start + 1
        vals = []
        for name, typ, width, dec, _ in fields:
            cell = b[o : o + width]
            o += width
            vals.append(cell.decode(encoding).rstrip(" ") if typ == "C" else cell.decode("ascii").strip())
        records.append(vals)
    if len(b) != header_len + n * record_len + 1 or b[-1] != 0x1A:
        raise AssertionError(f"{path}: the file does not end right after its records with 0x1A")
    return fields, records


def shp_parts(shp):
    cpg = shp.with_suffix(".cpg")
    if not cpg.exists():
        raise AssertionError(f"{shp}: no .cpg")
    name = cpg.read_text(encoding="ascii").strip()
    encoding = {"GBK": "gbk", "UTF-8": "utf-8", "GB18030": "gb18030"}.get(name)
    if not encoding:
        raise AssertionError(f"{cpg}: {name!r} is neither GBK, GB18030 nor UTF-8")
    # GB18030 has no language driver of its own: tuban writes GBK's, 0x4D (code page 936).
    ldid = shp.with_suffix(".dbf").read_bytes()[29]
    if (name in ("GBK", "GB18030")) != (ldid == 0x4D):
        raise AssertionError(f"{shp}: .cpg says {name} but the DBF language driver is 0x{ldid:02X}")
    for ext in (".shx", ".dbf", ".prj"):
        if not shp.with_suffix(ext).exists():
            raise AssertionError(f"{shp}: no {ext}")
    return encoding


def dbf_tolerance(field):
    """Half a unit of the field's last decimal: what writing it to the DBF may round away."""
    return 0.5 * 10.0 ** (-field[3]) + 1e-12


def check_shp(table, shp, epsg):
    encoding = shp_parts(shp)
    fields, records = read_dbf(shp.with_suffix(".dbf"), encoding)
    fixed = json.loads(FIELD_NAMES.read_text(encoding="utf-8"))["fields"]
    if len(fields) != len(table.header):
        raise AssertionError(f"{shp}: {len(fields)} fields for {len(table.header)} CSV columns")
    for (name, typ, width, dec, raw_name), column in zip(fields, table.header):
        if len(raw_name) > 10:
            raise AssertionError(f"{shp}: field {name} has {len(raw_name)} bytes")
        if column in fixed:
            if name != fixed[column]:
                raise AssertionError(f"{shp}: column {column} is field {name}, not {fixed[column]}")
        elif len(column.encode(encoding)) <= 10:
            if name != column:
                raise AssertionError(f"{shp}: column {column} renamed {name}")
        elif not any(column.endswith(s) and name.endswith(s) for s in ("_m2", "_mu", "_pct", "_ha")):
            raise AssertionError(f"{shp}: long column {column} became {name}, losing its unit")
        want_type = {"text": "C", "count": "N", "number": "N"}[table.kind(column)]
        if typ != want_type:
            raise AssertionError(f"{shp}: field {name} is {typ}, expected {want_type}")
    if len(records) != len(table.rows):
        raise AssertionError(f"{shp}: {len(records)} records for {len(table.rows)} CSV rows")
    # The bytes, decoded here.
    for rec, row in zip(records, table.rows):
        for (name, typ, width, dec, _), column, cell in zip(fields, table.header, rec):
            where = f"{shp.name} (bytes): patch {row['patch_id']}, {name}"
            want = table.value(row, column)
            if typ == "C":
                same_text(cell, want, where)
            elif want is None:
                if cell.strip("*") != "":
                    raise AssertionError(f"{where}: {cell!r} where the CSV is empty")
            else:
                same_number(float(cell), want, where, dbf_tolerance((name, typ, width, dec)))
    # The same through GDAL.
    meta, names, feats = pyogrio_read(shp)
    crs_is(meta, epsg, shp.name)
    if names != [f[0] for f in fields]:
        raise AssertionError(f"{shp}: GDAL reads the fields as {names}")
    for (attrs, _), row in zip(feats, table.rows):
        for f, column in zip(fields, table.header):
            where = f"{shp.name} (GDAL): patch {row['patch_id']}, {f[0]}"
            want = table.value(row, column)
            if f[1] == "C":
                same_text(attrs[f[0]], want, where)
            else:
                same_number(attrs[f[0]], want, where, dbf_tolerance(f))
    check_patch_geometry(table, table.rows, lambda i: feats[i][1], shp.name)
    return len(table.rows)


def check_shp_pieces(table, shp, epsg, allow_empty):
    encoding = shp_parts(shp)
    fields, records = read_dbf(shp.with_suffix(".dbf"), encoding)
    if [f[0] for f in fields] != PIECE_FIELDS:
        raise AssertionError(f"{shp}: fields {[f[0] for f in fields]}")
    meta, names, feats = pyogrio_read(shp)
    if feats:
        crs_is(meta, epsg, shp.name)
    tol = {f[0]: dbf_tolerance(f) for f in fields}
    # The bytes decoded here and GDAL's reading must agree on the text.
    for rec, (attrs, _) in zip(records, feats):
        for k in range(4):
            same_text(attrs[PIECE_FIELDS[k]], rec[k], f"{shp.name}: GDAL and the bytes")
    check_pieces(table, feats, shp.name, tol, allow_empty)
    return len(feats)


# ---------------------------------------------------------------------------------------------
# GeoPackage


def check_gpkg(table, path, epsg, allow_empty):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        app, ver = db.execute("PRAGMA application_id").fetchone()[0], db.execute("PRAGMA user_version").fetchone()[0]
        if app != 0x47504B47:
            raise AssertionError(f"{path}: application_id {app:#x}, not GPKG")
        if ver not in (10200, 10300, 10400):
            raise AssertionError(f"{path}: user_version {ver}")
        srs = {r[0]: r for r in db.execute("SELECT srs_id, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys")}
        for required in (-1, 0, 4326):
            if required not in srs:
                raise AssertionError(f"{path}: gpkg_spatial_ref_sys lacks srs_id {required}")
        if epsg is not None:
            if epsg not in srs or srs[epsg][1].upper() != "EPSG" or srs[epsg][2] != epsg:
                raise AssertionError(f"{path}: EPSG:{epsg} is not registered")
        layers = {r[0]: r for r in db.execute("SELECT table_name, data_type, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents")}
        if set(layers) != {"patches", "obstacles"}:
            raise AssertionError(f"{path}: layers {sorted(layers)}")
        for name, (_, data_type, x0, y0, x1, y1, srs_id) in layers.items():
            if data_type != "features":
                raise AssertionError(f"{path}: {name} is {data_type}")
            gc = db.execute(
                "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
            ).fetchone()
            if gc is None or gc[1] != "MULTIPOLYGON" or gc[2] != srs_id:
                raise AssertionError(f"{path}: gpkg_geometry_columns for {name}: {gc}")
            col = gc[0]
            rows = db.execute(f'SELECT fid, "{col}" FROM "{name}"').fetchall()
            envs = {}
            for fid, blob in rows:
                if blob is None:
                    continue
                s, env, polys = gpkg_blob(blob)
                if s != srs_id:
                    raise AssertionError(f"{path}: {name} fid {fid}: srs_id {s} in the blob, {srs_id} in the table")
                if env != envelope(polys):
                    raise AssertionError(f"{path}: {name} fid {fid}: header envelope {env} != {envelope(polys)}")
                envs[fid] = env
            rtree = f"rtree_{name}_{col}"
            idx = {r[0]: r[1:] for r in db.execute(f'SELECT id, minx, maxx, miny, maxy FROM "{rtree}"')}
            if set(idx) != set(envs):
                raise AssertionError(f"{path}: {rtree} holds {len(idx)} entries for {len(envs)} geometries")
            for fid, (a, b, c, d) in idx.items():
                e = envs[fid]
                # The R-tree stores 32-bit floats rounded outwards.
                if not (a <= e[0] and b >= e[1] and c <= e[2] and d >= e[3]):
                    raise AssertionError(f"{path}: {rtree} box of {fid} does not contain its geometry")
            ext = db.execute(
                "SELECT count(*) FROM gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_rtree_index'", (name,)
            ).fetchone()[0]
            if ext != 1:
                raise AssertionError(f"{path}: gpkg_rtree_index not registered for {name}")
            if envs:
                union = [min(e[0] for e in envs.values()), max(e[1] for e in envs.values()),
                         min(e[2] for e in envs.values()), max(e[3] for e in envs.values())]
                if [x0, x1, y0, y1] != union:
                    raise AssertionError(f"{path}: gpkg_contents extent of {name} {[x0, x1, y0, y1]} != {union}")
        try:
            fk = db.execute("PRAGMA foreign_key_check").fetchall()
        except sqlite3.DatabaseError:
            fk = []
        if fk:
            raise AssertionError(f"{path}: foreign key violations {fk[:3]}")
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise AssertionError(f"{path}: integrity_check failed")
    finally:
        db.close()

    meta, names, feats = pyogrio_read(path, layer="patches")
    crs_is(meta, epsg, f"{path.name}:patches")
    if names != table.header:
        raise AssertionError(f"{path}: patches fields {names} != CSV header")
    if len(feats) != len(table.rows):
        raise AssertionError(f"{path}: {len(feats)} patches for {len(table.rows)} CSV rows")
    for (attrs, _), row in zip(feats, table.rows):
        for column in table.header:
            where = f"{path.name}:patches: patch {row['patch_id']}, {column}"
            want = table.value(row, column)
            if table.kind(column) == "text":
                same_text(attrs[column], want, where)
            else:
                same_number(attrs[column], want, where)
    check_patch_geometry(table, table.rows, lambda i: feats[i][1], f"{path.name}:patches")
    meta, names, pieces = pyogrio_read(path, layer="obstacles")
    if names != PIECE_FIELDS:
        raise AssertionError(f"{path}: obstacles fields {names}")
    check_pieces(table, pieces, f"{path.name}:obstacles", {"area_m2": 0.0, "area_mu": 1e-15}, allow_empty)
    return len(feats) + len(pieces)


def check_parquet(table, path, epsg):
    """GeoParquet 1.1: the `geo` metadata (version, primary column, WKB, types, bbox, the CRS as
    PROJJSON that pyproj reads as the EPSG CRS), the Arrow types, every value read by pyarrow and
    by GeoPandas equal to the CSV's, and the shapes' planar areas (parsed here, and by shapely)."""
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise AssertionError(f"pyarrow is not installed ({e}): pip install pyarrow") from e
    pf = pq.ParquetFile(str(path))
    kv = pf.metadata.metadata or {}
    if b"geo" not in kv:
        raise AssertionError(f"{path}: no `geo` key in the file metadata")
    geo = json.loads(kv[b"geo"])
    if geo.get("version") != "1.1.0" or geo.get("primary_column") != "geometry":
        raise AssertionError(f"{path}: geo metadata {geo.get('version')!r}, {geo.get('primary_column')!r}")
    col = geo["columns"]["geometry"]
    if col.get("encoding") != "WKB" or col.get("geometry_types") != ["MultiPolygon"]:
        raise AssertionError(f"{path}: geometry column metadata {col}")
    if "crs" not in col:
        raise AssertionError(f"{path}: no crs key (GeoParquet would take the data as longitude/latitude)")
    if epsg is not None:
        try:
            from pyproj import CRS
        except ImportError as e:
            raise AssertionError(f"pyproj is not installed ({e}): pip install pyproj") from e
        ours = CRS.from_json_dict(col["crs"])
        want = CRS.from_epsg(epsg)
        if ours.to_epsg() != epsg or not ours.equals(want):
            raise AssertionError(f"{path}: pyproj reads the PROJJSON as {ours.to_epsg()} ({ours.name}), not EPSG:{epsg}")
    t = pf.read()
    names = t.column_names
    if names != table.header + ["geometry"]:
        raise AssertionError(f"{path}: columns {names} != the CSV header + geometry")
    for name in table.header:
        typ = str(t.schema.field(name).type)
        want_type = "string" if table.kind(name) == "text" else "int64" if name in COUNT_COLUMNS else "double"
        if typ != want_type:
            raise AssertionError(f"{path}: column {name} is {typ}, expected {want_type}")
    if str(t.schema.field("geometry").type) != "binary":
        raise AssertionError(f"{path}: geometry is {t.schema.field('geometry').type}")
    if t.num_rows != len(table.rows):
        raise AssertionError(f"{path}: {t.num_rows} rows for {len(table.rows)} CSV rows")
    data = t.to_pydict()
    polys = [parse_wkb(g)[0] if g is not None else None for g in data["geometry"]]
    for i, row in enumerate(table.rows):
        for column in table.header:
            where = f"{path.name} (pyarrow): patch {row['patch_id']}, {column}"
            want = table.value(row, column)
            if table.kind(column) == "text":
                same_text(data[column][i], want, where)
            else:
                same_number(data[column][i], want, where)
    boxes = [envelope(p) for p in polys if p]
    if boxes:
        union = [min(b[0] for b in boxes), min(b[2] for b in boxes), max(b[1] for b in boxes), max(b[3] for b in boxes)]
        if col.get("bbox") != union:
            raise AssertionError(f"{path}: bbox {col.get('bbox')} != the geometries' {union}")
    for p in polys:
        for poly in p or []:
            if signed_area(poly[0]) <= 0:
                raise AssertionError(f"{path}: an exterior ring is not counter-clockwise")
    check_patch_geometry(table, table.rows, lambda i: polys[i], f"{path.name} (pyarrow)")

    # GeoPandas (pyarrow + shapely + pyproj; it checks the `geo` metadata itself). GDAL is not
    # used here: neither pyogrio's wheels (GDAL 3.12 without libarrow) nor Debian 12's GDAL 3.6
    # have the Parquet driver.
    try:
        import geopandas
    except ImportError as e:
        raise AssertionError(f"geopandas is not installed ({e}): pip install geopandas") from e
    gdf = geopandas.read_parquet(path)
    if epsg is not None and (gdf.crs is None or gdf.crs.to_epsg() != epsg):
        raise AssertionError(f"{path} (GeoPandas): CRS {gdf.crs!r}, not EPSG:{epsg}")
    if list(gdf.columns) != table.header + ["geometry"] or len(gdf) != len(table.rows):
        raise AssertionError(f"{path} (GeoPandas): columns {list(gdf.columns)}, {len(gdf)} rows")
    for i, row in enumerate(table.rows):
        for column in table.header:
            where = f"{path.name} (GeoPandas): patch {row['patch_id']}, {column}"
            want = table.value(row, column)
            got = gdf[column].iloc[i]
            if hasattr(got, "item"):
                got = got.item()
            if table.kind(column) == "text":
                same_text(got, want, where)
            else:
                same_number(got, want, where)
        ref = planar_reference(table, row)
        g = gdf.geometry.iloc[i]
        if ref is not None and g is not None and abs(g.area - ref) > 1e-9 * max(1.0, ref):
            raise AssertionError(f"{path} (GeoPandas/shapely): patch {row['patch_id']}: area {g.area} != {ref}")
    return len(gdf)


def gdal_validate_gpkg(path):
    for candidate in (
        "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
        "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
    ):
        if os.path.exists(candidate) and os.path.exists("/usr/bin/python3"):
            p = subprocess.run(["/usr/bin/python3", candidate, str(path)], capture_output=True, text=True)
            if p.returncode != 0 or p.stdout.strip() or p.stderr.strip():
                raise AssertionError(f"GDAL's validate_gpkg.py: {(p.stdout + p.stderr).strip()[:2000]}")
            return
    raise Skip("GDAL's validate_gpkg.py (Debian package python3-gdal) is not installed")


# ---------------------------------------------------------------------------------------------
# GeoJSON


def validate_schema(doc, which, table, path):
    try:
        import jsonschema
    except ImportError as e:
        raise AssertionError(f"jsonschema is not installed ({e}): pip install jsonschema") from e
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    if which == "patch":
        props = dict(schema["$defs"]["patch_properties"])
        props["required"] = sorted(set(props["required"]) | set(table.header))
        props["additionalProperties"] = False
        extra = dict(props["properties"])
        for c in table.header:
            extra.setdefault(c, {"$ref": "#/$defs/number_or_null"})
        props["properties"] = extra
        schema["$defs"]["properties"] = props
    else:
        schema["$defs"]["properties"] = {"$ref": "#/$defs/obstacle_properties"}
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        raise AssertionError(f"{path}: {len(errors)} schema errors; first at {list(e.path)}: {e.message[:300]}")


def check_lon_lat_rings(doc, path):
    if "crs" in doc:
        return  # coordinates in the source CRS, on request
    for f in doc["features"]:
        g = f["geometry"]
        if g is None:
            continue
        for poly in g["coordinates"]:
            for k, ring in enumerate(poly):
                if ring[0] != ring[-1]:
                    raise AssertionError(f"{path}: an unclosed ring")
                for x, y in (p[:2] for p in ring):
                    if not (-180 <= x <= 180 and -90 <= y <= 90):
                        raise AssertionError(f"{path}: ({x}, {y}) is not longitude/latitude")
                a = signed_area([tuple(p[:2]) for p in ring])
                if (k == 0) != (a > 0):
                    raise AssertionError(
                        f"{path}: {'an exterior' if k == 0 else 'a hole'} ring runs the wrong way (RFC 7946 3.1.6)"
                    )


def check_geojson(table, path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    validate_schema(doc, "patch", table, path)
    check_lon_lat_rings(doc, path)
    feats = doc["features"]
    if len(feats) != len(table.rows):
        raise AssertionError(f"{path}: {len(feats)} features for {len(table.rows)} CSV rows")
    for f, row in zip(feats, table.rows):
        for column in table.header:
            where = f"{path.name}: patch {row['patch_id']}, {column}"
            want = table.value(row, column)
            got = f["properties"][column]
            if table.kind(column) == "text":
                same_text(got, want, where)
            else:
                same_number(got, want, where)
    return len(feats)


def check_geojson_pieces(table, path, allow_empty):
    doc = json.loads(path.read_text(encoding="utf-8"))
    validate_schema(doc, "obstacle", table, path)
    check_lon_lat_rings(doc, path)
    pieces = [(f["properties"], None) for f in doc["features"]]
    check_pieces(table, pieces, path.name, {"area_m2": 0.0, "area_mu": 1e-15}, allow_empty)
    return len(pieces)


# ---------------------------------------------------------------------------------------------
# Workbook


def load_workbook(path):
    try:
        import openpyxl
    except ImportError as e:
        raise AssertionError(f"openpyxl is not installed ({e}): pip install openpyxl") from e
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wb = openpyxl.load_workbook(path)
    if caught:
        raise AssertionError(f"{path}: openpyxl warned: {[str(w.message) for w in caught]}")
    return wb


def sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def check_layout(ws, path, filtered=True, frozen="A2"):
    if ws.freeze_panes != frozen:
        raise AssertionError(f"{path}: sheet {ws.title}: frozen at {ws.freeze_panes}, not below the header")
    if filtered and not (ws.auto_filter.ref or "").startswith("A1:"):
        raise AssertionError(f"{path}: sheet {ws.title}: no autofilter")
    from openpyxl.utils import get_column_letter

    for c in range(1, ws.max_column + 1):
        w = ws.column_dimensions[get_column_letter(c)].width
        if not w or not (6 <= w <= 62):
            raise AssertionError(f"{path}: sheet {ws.title}: column {c} width {w}")


def number_format_for(column):
    if column in COUNT_COLUMNS or column in ("patches", "failed") or column in VERDICTS:
        return "0"
    if column.endswith("_ha"):
        return "0.0000"
    return "0.00"


def check_xlsx(table, path, inputs_root):
    wb = load_workbook(path)
    lang = next((k for k, v in SHEETS.items() if wb.sheetnames == v), None)
    if lang is None:
        raise AssertionError(f"{path}: sheets {wb.sheetnames}")
    patches, villages, classes, run, legend = (wb[n] for n in SHEETS[lang])
    # The legend maps each sheet's headers to the CSV's names.
    names = {}
    for sheet, header, column, *_ in sheet_rows(legend)[1:]:
        names.setdefault(sheet, {})[header] = column
    check_layout(legend, path)

    # Patches: every cell.
    rows = sheet_rows(patches)
    header = [names[patches.title].get(h, h) for h in rows[0]]
    if header != table.header:
        raise AssertionError(f"{path}: patch sheet columns {header} != CSV header")
    if len(rows) - 1 != len(table.rows):
        raise AssertionError(f"{path}: {len(rows) - 1} patch rows for {len(table.rows)} CSV rows")
    for r, (cells, row) in enumerate(zip(rows[1:], table.rows), start=2):
        for k, column in enumerate(table.header):
            where = f"{path.name}:{patches.title}: patch {row['patch_id']}, {column}"
            want = table.value(row, column)
            got = cells[k]
            if table.kind(column) == "text":
                same_text(got, want, where)
            else:
                same_number(got, want, where)
                if want is not None:
                    fmt = patches.cell(row=r, column=k + 1).number_format
                    if fmt != number_format_for(column):
                        raise AssertionError(f"{where}: number format {fmt!r}")
    check_layout(patches, path, frozen="C2")  # the header, and the id and village columns

    # Villages, recomputed from the CSV.
    vrows = sheet_rows(villages)
    vheader = [names[villages.title].get(h, h) for h in vrows[0]]
    areas = ["area"] + table.classes + ["obstacle", "clean", "rectifiable"]
    want_cols = ["village", "patches", "failed"] + VERDICTS + [f"{a}_{u}" for a in areas for u in ("mu", "m2")]
    if vheader != want_cols:
        raise AssertionError(f"{path}: village sheet columns {vheader}")
    groups = {}
    for row in table.rows:
        groups.setdefault(row["village"], []).append(row)

    def totals(rows_):
        t = {"patches": len(rows_), "failed": sum(1 for r in rows_ if table.failed(r))}
        for v in VERDICTS:
            t[v] = sum(1 for r in rows_ if r.get("verdict") == v and not table.failed(r))
        ok = [r for r in rows_ if not table.failed(r)]
        col = {"area": "area_m2", "obstacle": "obstacle_m2", "clean": "clean_m2"}
        for a in areas:
            if a == "rectifiable":
                t["m2:" + a] = sum(float(r["clean_m2"]) for r in ok if r["verdict"] in ("rectifiable", "partly"))
            else:
                t["m2:" + a] = sum(float(r[col.get(a, a + "_m2")]) for r in ok)
        return t

    body, total_row = vrows[1:-1], vrows[-1]
    got_names = [r[0] for r in body]
    if got_names != sorted(groups, key=lambda s: s.encode("utf-8")):
        raise AssertionError(f"{path}: villages {got_names} are not the CSV's, sorted")
    hundredths = {a: [] for a in areas}
    for cells in body + [total_row]:
        is_total = cells is total_row
        t = totals(table.rows if is_total else groups[cells[0]])
        d = dict(zip(want_cols, cells))
        for c in ["patches", "failed"] + VERDICTS:
            if d[c] != t[c]:
                raise AssertionError(f"{path}: village {cells[0]}: {c} {d[c]} != {t[c]}")
        for a in areas:
            m2 = t["m2:" + a]
            same_number(d[f"{a}_m2"], m2, f"{path.name}: village {cells[0]} {a}_m2", 1e-9 * (1 + abs(m2)))
            shown = d[f"{a}_mu"]
            h = round(shown * 100)
            if abs(shown * 100 - h) > 1e-6:
                raise AssertionError(f"{path}: village {cells[0]} {a}_mu {shown} is not two-decimal")
            if is_total:
                if h != sum(hundredths[a]):
                    raise AssertionError(f"{path}: {a}_mu: the villages add up to {sum(hundredths[a])}/100, the total row says {shown}")
                if h != round(m2 * 15 / 10000 * 100):
                    raise AssertionError(f"{path}: total {a}_mu {shown} is not the rounded total {m2 * 15 / 10000}")
            else:
                hundredths[a].append(h)
                if abs(shown - m2 * 15 / 10000) >= 0.01:
                    raise AssertionError(f"{path}: village {cells[0]} {a}_mu {shown} is 0.01 or more from {m2 * 15 / 10000}")
    check_layout(villages, path)

    # Classes.
    crows = sheet_rows(classes)
    # The class table ends at the first empty row; the land-use codes follow below it.
    blank = next((i for i, r in enumerate(crows) if not any(v is not None for v in r)), len(crows))
    codes = crows[blank + 1 :]
    crows = crows[:blank]
    if codes and (len(codes) < 2 or codes[1][0] not in ("编码", "code")):
        raise AssertionError(f"{path}: the land-use codes below the classes have no header: {codes[:2]}")
    cheader = [names[classes.title].get(h, h) for h in crows[0]]
    by_class = {dict(zip(cheader, r))["class"]: dict(zip(cheader, r)) for r in crows[1:]}
    ok = [r for r in table.rows if not table.failed(r)]
    for c in table.classes:
        if c not in by_class:
            raise AssertionError(f"{path}: class sheet lacks {c}")
        d = by_class[c]
        m2 = sum(float(r[c + "_m2"]) for r in ok)
        same_number(d["area_m2"], m2, f"{path.name}: class {c} area_m2", 1e-9 * (1 + m2))
        same_number(d["area_mu"], m2 * 15 / 10000, f"{path.name}: class {c} area_mu", 1e-9 * (1 + m2))
        touched = sum(1 for r in ok if float(r[c + "_m2"]) > 0)
        if d["patches"] != touched:
            raise AssertionError(f"{path}: class {c}: {d['patches']} patches, the CSV has {touched}")
        same_text(d["class_zh"], CLASS_ZH.get(c, c), f"{path.name}: class {c} class_zh")
        if c == "grave" and "grave_count" in table.header:
            n = sum(int(r["grave_count"]) for r in ok)
            if d["count"] != n:
                raise AssertionError(f"{path}: {d['count']} graves on the class sheet, {n} in the CSV")
    check_layout(classes, path)

    # Run: the inputs, re-hashed.
    rrows = sheet_rows(run)
    start = next((i for i, r in enumerate(rrows) if r and r[-1] == "SHA-256"), None)
    if start is None:
        raise AssertionError(f"{path}: the run sheet has no table of input files")
    version = [r[1] for r in rrows[1:start] if r[0] in ("tuban 版本", "tuban version")]
    if not version or not version[0]:
        raise AssertionError(f"{path}: the run sheet does not give tuban's version")
    inputs = [r for r in rrows[start + 1 :] if r and r[0]]
    if not inputs:
        raise AssertionError(f"{path}: the run sheet lists no input file")
    for role, file, size, sha in inputs[: len(inputs)]:
        p = Path(file)
        if not p.is_absolute():
            p = Path(inputs_root) / p
        if not p.exists():
            raise AssertionError(f"{path}: input {file} ({role}) not found (from {inputs_root})")
        data = p.read_bytes()
        if size != len(data) or sha != hashlib.sha256(data).hexdigest():
            raise AssertionError(f"{path}: input {file}: size or SHA-256 differs from the file's")
    check_layout(run, path, filtered=False)
    return len(table.rows)


# ---------------------------------------------------------------------------------------------


def epsg_of(directory, stem):
    """The EPSG code tuban used, from the GeoPackage if there is one, else None (not checked)."""
    g = directory / f"{stem}.gpkg"
    if not g.exists():
        return None
    db = sqlite3.connect(f"file:{g}?mode=ro", uri=True)
    try:
        r = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'patches'").fetchone()
    finally:
        db.close()
    return r[0] if r and r[0] > 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="the folder tuban wrote into")
    ap.add_argument("--stem", action="append", help="check only STEM.csv and its outputs (repeatable)")
    ap.add_argument("--expect", default="", help="formats that must be present: any of xlsx,shp,gpkg,geojson,parquet")
    ap.add_argument("--inputs-root", default=".", help="where the workbook's relative input paths start")
    ap.add_argument("--allow-empty-obstacles", action="store_true", help="accept empty obstacle layers")
    args = ap.parse_args()
    expect = {e.strip() for e in args.expect.split(",") if e.strip()}
    unknown = expect - {"xlsx", "shp", "gpkg", "geojson", "parquet"}
    if unknown:
        ap.error(f"unknown formats in --expect: {sorted(unknown)}")

    stems = []
    for csv_path in sorted(args.dir.glob("*.csv")):
        with open(csv_path, encoding="utf-8-sig") as f:
            first = f.readline()
        if first.startswith("patch_id,") and (not args.stem or csv_path.stem in args.stem):
            stems.append(csv_path.stem)
    passed = failed = skipped = 0

    def run(name, fn):
        nonlocal passed, failed, skipped
        try:
            n = fn()
        except Skip as e:
            skipped += 1
            print(f"SKIP {name}: {e}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        except Exception:  # a crash in a reader is a failure too, with its story
            failed += 1
            print(f"FAIL {name}: {traceback.format_exc().strip()}")
        else:
            passed += 1
            print(f"ok   {name}" + (f" ({n} features/rows)" if isinstance(n, int) else ""))

    if not stems:
        failed += 1
        print(f"FAIL {args.dir}: no patch CSV (a .csv starting with patch_id) to compare with")
    for stem in stems:
        d = args.dir
        table = Table(d / f"{stem}.csv")
        epsg = epsg_of(d, stem)
        chinese = any(any(ord(ch) > 127 for ch in r["village"]) for r in table.rows)
        print(f"# {stem}.csv: {len(table.rows)} patches, classes {table.classes}"
              + (", Chinese village names" if chinese else "") + (f", EPSG:{epsg}" if epsg else ""))
        outputs = {
            "xlsx": [(f"{stem}.xlsx", lambda p: check_xlsx(table, p, args.inputs_root))],
            "shp": [
                (f"{stem}.shp", lambda p: check_shp(table, p, epsg)),
                (f"{stem}_obstacles.shp", lambda p: check_shp_pieces(table, p, epsg, args.allow_empty_obstacles)),
            ],
            "gpkg": [(f"{stem}.gpkg", lambda p: check_gpkg(table, p, epsg, args.allow_empty_obstacles))],
            "parquet": [(f"{stem}.parquet", lambda p: check_parquet(table, p, epsg))],
            "geojson": [
                (f"{stem}.geojson", lambda p: check_geojson(table, p)),
                (f"{stem}_obstacles.geojson", lambda p: check_geojson_pieces(table, p, args.allow_empty_obstacles)),
            ],
        }
        for fmt, files in outputs.items():
            for name, check in files:
                p = d / name
                if not p.exists():
                    if fmt in expect:
                        failed += 1
                        print(f"FAIL {name}: missing (expected {fmt})")
                    continue
                run(name, lambda p=p, check=check: check(p))
                if fmt in ("shp", "gpkg", "geojson"):
                    run(f"{name} opens in ogrinfo without warnings", lambda p=p: ogrinfo_quiet(p))
                if fmt == "gpkg":
                    run(f"{name} passes GDAL's validate_gpkg.py", lambda p=p: gdal_validate_gpkg(p))
    tail = f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")
    print(tail)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
