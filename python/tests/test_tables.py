"""Tables in every form the package takes: GeoArrow native (interleaved and separated, list and
large_list), GeoParquet metadata, dictionary (categorical) columns, record numbers from a column,
null geometries. Expected values come from the same data read from the shapefiles, or from hand
calculation."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
import tuban

from conftest import ERPING

PATCHES = str(ERPING / "patches.shp")
LANDUSE = str(ERPING / "dltb.shp")


@pytest.fixture(scope="module")
def reference():
    return tuban.overlay(PATCHES, landuse=LANDUSE)


@pytest.fixture(scope="module")
def frame():
    return gpd.read_file(PATCHES, engine="pyogrio")


def geoarrow_multipolygons(geoms, interleaved: bool, large: bool) -> pa.Array:
    """GeoArrow `geoarrow.multipolygon` built from shapely's ragged arrays (not by tuban or
    GeoPandas' writer)."""
    kind, coords, (rings, polygons, parts) = shapely.to_ragged_array(geoms)
    assert kind == shapely.GeometryType.MULTIPOLYGON
    if interleaved:
        values = pa.FixedSizeListArray.from_arrays(pa.array(coords.ravel()), 2)
    else:
        values = pa.StructArray.from_arrays(
            [pa.array(coords[:, 0]), pa.array(coords[:, 1])], names=["x", "y"]
        )
    lister = pa.LargeListArray if large else pa.ListArray
    arr = lister.from_arrays(pa.array(rings), values)
    arr = lister.from_arrays(pa.array(polygons), arr)
    return lister.from_arrays(pa.array(parts), arr)


@pytest.mark.parametrize("interleaved", [True, False])
@pytest.mark.parametrize("large", [True, False])
def test_geoarrow_native_columns(frame, reference, interleaved, large):
    geoms = np.array([
        g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in frame.geometry
    ])
    geometry = geoarrow_multipolygons(geoms, interleaved, large)
    meta = {b"ARROW:extension:name": b"geoarrow.multipolygon",
            b"ARROW:extension:metadata": json.dumps({"crs": "EPSG:4544"}).encode()}
    field = pa.field("geom", geometry.type, metadata=meta)
    table = pa.Table.from_pandas(pd.DataFrame(frame.drop(columns="geometry")),
                                 preserve_index=False).append_column(field, geometry)
    df = tuban.overlay(table, landuse=LANDUSE)
    pd.testing.assert_frame_equal(df, reference)
    assert "stated by the table's GeoArrow metadata" in df.attrs["tuban"]["crs_notes"]["patches"]


def test_geoparquet_metadata(frame, reference, tmp_path):
    """A table read from GeoParquet carries its CRS (PROJJSON) in the schema's `geo` metadata;
    a sliced table (offsets into shared buffers) reads the same."""
    frame.to_parquet(tmp_path / "p.parquet")
    table = pq.read_table(tmp_path / "p.parquet")
    assert b"geo" in table.schema.metadata
    df = tuban.overlay(table, landuse=LANDUSE)
    pd.testing.assert_frame_equal(df, reference)
    part = tuban.overlay(table.slice(50, 20), landuse=LANDUSE)
    expected = reference.iloc[50:70].reset_index(drop=True).drop(columns="record")
    pd.testing.assert_frame_equal(part.drop(columns="record"), expected)
    assert part["record"].tolist() == list(range(1, 21))


def test_record_numbers_from_a_column(frame, reference):
    """A tile of patches cut from a larger table keeps its rows' record numbers."""
    tile = frame.iloc[100:140].copy()
    tile["REC"] = np.arange(101, 141, dtype="int64")
    df = tuban.overlay(tile, landuse=LANDUSE, record_field="REC")
    expected = reference.iloc[100:140].reset_index(drop=True)
    pd.testing.assert_frame_equal(df, expected)


def test_categorical_and_utf8_columns(frame, reference):
    f = frame.copy()
    f["QSDWMC"] = f["QSDWMC"].astype("category")
    f["TBBH"] = f["TBBH"].astype(object)
    df = tuban.overlay(f, landuse=LANDUSE)
    pd.testing.assert_frame_equal(df, reference)


def test_a_null_geometry_is_a_failed_patch_not_a_crash():
    t = pa.table({
        "TBBH": ["a", "b"],
        "geometry": pa.array([shapely.to_wkb(shapely.box(601000, 3304000, 601020, 3304010)), None],
                             pa.binary()),
    })
    with pytest.warns(tuban.TubanWarning, match="1 patch"):
        df = tuban.overlay(t, crs="EPSG:4544", area_method="planar")
    assert df["area_m2"][0] == 200.0
    assert np.isnan(df["area_m2"][1]) and df["error"][1] != ""
    assert df["verdict"][1] is None or pd.isna(df["verdict"][1])


def test_points_and_lines_as_graves_and_roads():
    """A 20 m x 10 m patch with one grave point (a 2 m disc of 32 segments, wholly inside) and
    a 4 m road along its middle, both tables; the expected areas by hand: the disc polygon of
    radius r with 32 vertices has area 16 r² sin(2π/32); the road corridor inside the patch is
    4 m x 20 m; the grave is clear of the road, so the union is their sum."""
    patch = shapely.box(601000, 3304000, 601020, 3304010)
    patches = pa.table({"geometry": pa.array([shapely.to_wkb(patch)], pa.binary())})
    graves = pa.table({"geometry": pa.array([shapely.to_wkb(shapely.Point(601005, 3304002.5))],
                                            pa.binary())})
    road = shapely.LineString([(600990, 3304007), (601030, 3304007)])
    roads = pa.table({"KD": [4.0], "DLBM": ["1006"],
                      "geometry": pa.array([shapely.to_wkb(road)], pa.binary())})
    df = tuban.overlay(patches, graves=graves, roads=roads, crs="EPSG:4544",
                       area_method="planar")
    disc = 16 * 2.0**2 * np.sin(2 * np.pi / 32)
    assert df["grave_m2"][0] == pytest.approx(disc, abs=1e-9)
    assert df["grave_count"][0] == 1
    # The corridor 5..9 m above the patch's bottom edge, clipped to 5..10: 4 m x 20 m.
    assert df["road_m2"][0] == pytest.approx(80.0, abs=1e-9)
    # The union goes through i_overlay's integer grid (README: "How it works"): within 1e-6 m².
    assert df["obstacle_m2"][0] == pytest.approx(80.0 + disc, abs=1e-6)


def test_pyogrio_arrow_tables(reference):
    """pyogrio reads straight to Arrow (no shapely objects): a `wkb_geometry` column with
    GeoArrow metadata naming the CRS."""
    pyogrio = pytest.importorskip("pyogrio")
    _, patches = pyogrio.read_arrow(PATCHES)
    _, landuse = pyogrio.read_arrow(LANDUSE)
    df = tuban.overlay(patches, landuse=landuse)
    pd.testing.assert_frame_equal(df, reference)
