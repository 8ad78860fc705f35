"""tuban.spark.overlay under Spark local[2] gives the CLI's rows, value for value (issue 16).

The layers go into Spark as GeoParquet written by GeoPandas (what a user moving a township into a
cluster does); the CLI reads the original shapefiles. Expected values come from `tuban overlay`
(the release binary of this checkout, see conftest.py), never from the Python package.

Skipped, with the reason, when PySpark 4 or a Java runtime is missing; python/ci.sh installs both
(apt openjdk-17-jre-headless, pip pyspark), so CI runs them.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ERPING, assert_same_as_csv, cli, read_csv



def _missing() -> str | None:
    try:
        import pyspark
    except ImportError:
        return "PySpark is not installed: pip install 'pyspark>=4'"
    if int(pyspark.__version__.split(".")[0]) < 4:
        return f"PySpark {pyspark.__version__} has no cogroup().applyInArrow: pip install 'pyspark>=4'"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


_why = _missing()
if _why and os.environ.get("TUBAN_REQUIRE_SPARK"):
    # CI installs PySpark and Java: there a missing one is a failure, not a skip.
    raise RuntimeError(f"TUBAN_REQUIRE_SPARK is set but {_why}")
if _why:
    pytest.skip(_why, allow_module_level=True)
gpd = pytest.importorskip("geopandas", reason="geopandas writes the GeoParquet inputs")
shapely = pytest.importorskip("shapely")

import tuban  # noqa: E402
import tuban.spark  # noqa: E402

SYNTH_SPARK_PATCHES = 10_000
LAYERS = ("patches", "landuse", "graves", "roads")
FILES = {"patches": "patches.shp", "landuse": "dltb.shp", "graves": "graves.shp", "roads": "roads.shp"}
OPTIONS = dict(id_field="TBBH", village_field="QSDWMC", grave_count_field="SL",
               grave_radius=2.0, road_width_field="KD", road_min_width=1.0)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The workers must import this interpreter's tuban and pyarrow.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tuban-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def to_geoparquet(folder: Path, out: Path) -> dict:
    """Each layer's shapefile written as GeoParquet by GeoPandas (WKB, record order kept)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for role, name in FILES.items():
        gdf = gpd.read_file(folder / name)
        path = out / f"{role}.parquet"
        gdf.to_parquet(path)
        paths[role] = path
    return paths


def cli_rows(tuban_bin, folder: Path, out: Path, rules: Path | None = None) -> dict:
    """`tuban overlay` on the shapefiles with every vector layer (no DEM): the CSVs."""
    args = [
        "overlay", "--patches", folder / "patches.shp", "--landuse", folder / "dltb.shp",
        "--graves", folder / "graves.shp", "--roads", folder / "roads.shp",
        "--id-field", "TBBH", "--village-field", "QSDWMC", "--grave-count-field", "SL",
        "--grave-radius", "2", "--road-width-field", "KD", "--road-min-width", "1",
        "-o", out / "patches.csv", "--villages", out / "villages.csv", "--quiet", "--overwrite",
    ]
    if rules is not None:
        args += ["--rules", rules]
    cli(tuban_bin, *args)
    return {"patches": read_csv(out / "patches.csv"), "villages": read_csv(out / "villages.csv")}


def tiles_of(patches_path: Path, tile_m: float) -> int:
    """How many tiles the patches fall in, counted here from shapely's envelopes."""
    b = shapely.bounds(gpd.read_parquet(patches_path).geometry.values)
    return len({(math.floor(x / tile_m), math.floor(y / tile_m)) for x, y in b[:, :2]})


def tile_for(patches_path: Path, at_least: int) -> float:
    """A tile size giving at least `at_least` tiles."""
    b = gpd.read_parquet(patches_path).total_bounds
    tile = max(b[2] - b[0], b[3] - b[1]) / 4
    while tiles_of(patches_path, tile) < at_least:
        tile /= 1.5
    return tile


def spark_rows(spark, paths: dict, tile_m: float, **extra) -> pd.DataFrame:
    frames = {role: spark.read.parquet(str(p)) for role, p in paths.items()}
    rows = tuban.spark.overlay(
        frames["patches"], landuse=frames["landuse"], graves=frames["graves"],
        roads=frames["roads"], crs="EPSG:4544", tile_m=tile_m, **OPTIONS, **extra,
    )
    df = rows.toPandas().sort_values("record").reset_index(drop=True)
    return df, rows


def assert_villages_equal(ours: pd.DataFrame, csv: pd.DataFrame) -> None:
    """Village rows equal to the CLI's, every value; the total row's counts and mu equal, its m²
    within 1e-9 relative (a sum of the village sums, not the CLI's one pass)."""
    assert list(ours.columns) == list(csv.columns)
    assert len(ours) == len(csv)
    for i in range(len(csv)):
        total = csv["village"][i] == "total"
        for name in csv.columns:
            want, got = csv[name][i], ours[name][i]
            if name == "village":
                assert got == want
            elif total and name.endswith("_m2"):
                assert math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9), (name, got, want)
            else:
                assert float(got) == float(want), (csv["village"][i], name, got, want)


@pytest.fixture(scope="module")
def erping(tuban_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("erping_spark")
    return {
        "cli": cli_rows(tuban_bin, ERPING, out / "cli", rules=ERPING / "rules.toml"),
        "parquet": to_geoparquet(ERPING, out / "parquet"),
    }


def test_erping_rows_equal_the_cli_on_16_tiles_and_more(spark, erping):
    paths = erping["parquet"]
    tile = tile_for(paths["patches"], 16)
    n_tiles = tiles_of(paths["patches"], tile)
    assert n_tiles >= 16
    df, rows = spark_rows(spark, paths, tile, rules=str(ERPING / "rules.toml"))
    # Exactly the CSV's columns, one row per patch, every value equal.
    assert_same_as_csv(df, erping["cli"]["patches"])
    # The village table from the per-patch rows, rounded by the CLI's own function.
    assert_villages_equal(tuban.spark.villages(rows), erping["cli"]["villages"])
    # A different tile size (about 4 x the tiles) gives the same rows.
    small = tile / 2
    assert tiles_of(paths["patches"], small) > n_tiles
    df2, _ = spark_rows(spark, paths, small, rules=str(ERPING / "rules.toml"))
    assert_same_as_csv(df2, erping["cli"]["patches"])


def test_the_obstacles_a_tile_needs_are_all_sent_to_it(spark, erping):
    """The plan itself: every (patch, obstacle) pair whose grown envelopes meet is in one tile,
    checked against a brute-force pairing with shapely (independent of the plan's join)."""
    paths = erping["parquet"]
    tile = tile_for(paths["patches"], 16)
    frames = {role: spark.read.parquet(str(p)) for role, p in paths.items()}
    obstacles = {r: frames[r] for r in ("landuse", "graves", "roads")}
    tiled, copies, counts = tuban.spark.plan(frames["patches"], obstacles, tile, dict(OPTIONS))
    copies = copies.cache()
    patch_tile = dict(tiled.select(tuban.spark.RECORD, tuban.spark.TILE).collect())
    assert len(patch_tile) == 203  # each patch in exactly one tile
    sent = {
        (r[0], r[1], r[2])
        for r in copies.select(tuban.spark.LAYER, tuban.spark.RECORD, tuban.spark.TILE).collect()
    }
    pb = shapely.bounds(gpd.read_parquet(paths["patches"]).geometry.values)
    margins = {"landuse": 0.0, "graves": 2.0, "roads": None}
    for role in ("landuse", "graves", "roads"):
        g = gpd.read_parquet(paths[role])
        ob = shapely.bounds(g.geometry.values)
        m = margins[role] if margins[role] is not None else float(np.nanmax(g["KD"].astype(float))) / 2
        meet = (
            (ob[:, None, 0] - m <= pb[None, :, 2]) & (ob[:, None, 2] + m >= pb[None, :, 0])
            & (ob[:, None, 1] - m <= pb[None, :, 3]) & (ob[:, None, 3] + m >= pb[None, :, 1])
        )
        pairs = np.argwhere(meet)
        assert len(pairs) > 0, role
        for j, i in pairs:
            assert (role, int(j) + 1, patch_tile[int(i) + 1]) in sent, (role, j + 1, i + 1)


def test_a_layer_nowhere_near_the_patches_is_an_error(spark, erping):
    paths = erping["parquet"]
    frames = {role: spark.read.parquet(str(p)) for role, p in paths.items()}
    # Graves moved 100 km north: none comes near a patch.
    far = gpd.read_parquet(paths["graves"])
    far["geometry"] = far.geometry.translate(0, 100_000)
    far_df = spark.createDataFrame(
        pd.DataFrame({"SL": far["SL"], "geometry": shapely.to_wkb(far.geometry.values).tolist()})
    )
    with pytest.raises(tuban.InputError, match="graves.*accept_no_overlap"):
        tuban.spark.overlay(frames["patches"], graves=far_df, crs="EPSG:4544", tile_m=1000, **OPTIONS)


def test_usage_errors_are_clear(spark, erping):
    frames = spark.read.parquet(str(erping["parquet"]["patches"]))
    with pytest.raises(tuban.UsageError, match="crs="):
        tuban.spark.overlay(frames, crs="")
    with pytest.raises(tuban.UsageError, match="no column `geometry`"):
        tuban.spark.overlay(frames.withColumnRenamed("geometry", "g"), crs="EPSG:4544")
    with pytest.raises(tuban.UsageError, match="unknown option"):
        tuban.spark.overlay(frames, crs="EPSG:4544", radius=3)


@pytest.fixture(scope="module")
def synth_10k(tuban_bin, tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth_spark")
    cli(tuban_bin, "synth", "--patches", SYNTH_SPARK_PATCHES, "--no-dem", "--out", folder, "--overwrite")
    return {
        "cli": cli_rows(tuban_bin, folder, folder / "cli"),
        "parquet": to_geoparquet(folder, folder / "parquet"),
    }


def test_10k_synthetic_rows_equal_the_cli(spark, synth_10k):
    paths = synth_10k["parquet"]
    tile = tile_for(paths["patches"], 16)
    assert tiles_of(paths["patches"], tile) >= 16
    df, rows = spark_rows(spark, paths, tile)
    assert len(df) == SYNTH_SPARK_PATCHES
    assert_same_as_csv(df, synth_10k["cli"]["patches"])
    assert_villages_equal(tuban.spark.villages(rows), synth_10k["cli"]["villages"])
    # (Another tile size on the same data: the Erping test; one pass here keeps CI short.)
