"""GeoParquet in and out (issue 16): the fixture's shapefiles written as GeoParquet by GeoPandas
(an independent writer) and read by `tuban run`/`tuban overlay` and by the Python package give
the shapefile run's CSV; tuban's own `.parquet` output reads back in GeoPandas with the CSV's
values and the CRS.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ERPING, assert_same_as_csv, cli, read_csv

gpd = pytest.importorskip("geopandas", reason="geopandas writes the GeoParquet inputs")

import tuban  # noqa: E402

FILES = {"patches": "patches.shp", "landuse": "dltb.shp", "graves": "graves.shp", "roads": "roads.shp"}


def overlay_args(paths: dict) -> list:
    return [
        "overlay", "--patches", paths["patches"], "--landuse", paths["landuse"],
        "--graves", paths["graves"], "--roads", paths["roads"], "--rules", ERPING / "rules.toml",
        "--id-field", "TBBH", "--village-field", "QSDWMC", "--grave-count-field", "SL",
        "--quiet", "--overwrite",
    ]


@pytest.fixture(scope="module")
def parquet_layers(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("erping_parquet")
    paths = {}
    for role, name in FILES.items():
        gdf = gpd.read_file(ERPING / name)
        paths[role] = out / f"{role}.parquet"
        gdf.to_parquet(paths[role])
    return paths


def test_the_cli_reads_geoparquet_layers_with_the_shapefiles_numbers(tuban_bin, parquet_layers, tmp_path):
    shp = {role: ERPING / name for role, name in FILES.items()}
    cli(tuban_bin, *overlay_args(shp), "-o", tmp_path / "shp.csv")
    cli(tuban_bin, *overlay_args(parquet_layers), "-o", tmp_path / "pq.csv")
    a = (tmp_path / "shp.csv").read_bytes()
    b = (tmp_path / "pq.csv").read_bytes()
    assert len(read_csv(tmp_path / "shp.csv")) == 203
    assert a == b


def test_the_python_package_reads_geoparquet_paths_and_tables(tuban_bin, parquet_layers, tmp_path):
    import pyarrow.parquet as pq

    shp = {role: ERPING / name for role, name in FILES.items()}
    cli(tuban_bin, *overlay_args(shp), "-o", tmp_path / "shp.csv")
    want = read_csv(tmp_path / "shp.csv")
    opts = dict(id_field="TBBH", village_field="QSDWMC", grave_count_field="SL",
                rules=str(ERPING / "rules.toml"))
    by_path = tuban.overlay(str(parquet_layers["patches"]),
                            **{r: str(parquet_layers[r]) for r in ("landuse", "graves", "roads")},
                            **opts)
    assert_same_as_csv(by_path, want)
    by_table = tuban.overlay(pq.read_table(parquet_layers["patches"]),
                             **{r: pq.read_table(parquet_layers[r]) for r in ("landuse", "graves", "roads")},
                             **opts)
    assert_same_as_csv(by_table, want)


def test_tubans_geoparquet_output_reads_in_geopandas(tuban_bin, tmp_path):
    cli(tuban_bin, "run", ERPING / "tuban.toml", "--quiet", "-o", tmp_path / "x.csv",
        "-o", tmp_path / "x.parquet")
    csv = read_csv(tmp_path / "x.csv")
    gdf = gpd.read_parquet(tmp_path / "x.parquet")
    assert gdf.crs.to_epsg() == 4544
    assert_same_as_csv(pd.DataFrame(gdf.drop(columns="geometry")), csv)
    # And back in: tuban reads its own output as a layer (the patches' outlines, same areas).
    again = tuban.overlay(str(tmp_path / "x.parquet"), id_field="patch_id", village_field="village")
    # (equal to 1e-12: a ring read back in the other orientation sums its terms in another order)
    np.testing.assert_allclose(again["area_m2"], [float(v) for v in csv["area_m2"]], rtol=1e-12)
