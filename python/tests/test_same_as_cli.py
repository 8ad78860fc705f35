"""The package gives the command line's numbers: the fixture and a synthetic set, with every
layer given as paths, as GeoDataFrames (read by GeoPandas with pyogrio, i.e. GDAL) and as pyarrow
tables (WKB and GeoArrow native), against `tuban run`'s CSVs, column by column."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pytest
import tuban

from conftest import ERPING, assert_same_as_csv

FILES = {"patches": "patches", "landuse": "dltb", "graves": "graves", "roads": "roads"}
KINDS = ["path", "geodataframe", "arrow-wkb", "arrow-geoarrow"]


def layers(folder, kind):
    paths = {role: folder / f"{stem}.shp" for role, stem in FILES.items()}
    if kind == "path":
        return {role: str(p) for role, p in paths.items()}
    frames = {role: gpd.read_file(p, engine="pyogrio") for role, p in paths.items()}
    if kind == "geodataframe":
        return frames
    encoding = "WKB" if kind == "arrow-wkb" else "geoarrow"
    return {
        role: pa.table(f.to_arrow(index=False, geometry_encoding=encoding))
        for role, f in frames.items()
    }


def overlay_project(folder, kind, **extra):
    """What the fixture's and the synthetic set's project files ask for, as overlay() keywords."""
    l = layers(folder, kind)
    return tuban.overlay(
        l["patches"], landuse=l["landuse"], graves=l["graves"], roads=l["roads"],
        dem=folder / "dem.tif", id_field="TBBH", village_field="QSDWMC",
        grave_radius=2.0, grave_count_field="SL", road_width_field="KD",
        road_min_width=1.0, steep_threshold=25.0, **extra,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_fixture_overlay_gives_the_cli_numbers(kind, erping_cli):
    df = overlay_project(ERPING, kind, rules=ERPING / "rules.toml")
    assert len(df) == 203
    assert_same_as_csv(df, erping_cli["patches"])


@pytest.mark.parametrize("kind", KINDS)
def test_synthetic_overlay_gives_the_cli_numbers(kind, synth):
    df = overlay_project(synth["dir"], kind)
    assert_same_as_csv(df, synth["patches"])
    # The set has every kind of obstacle, so every class column was compared on non-zero values.
    for c in ["grave_m2", "forest_m2", "road_m2", "steep_m2"]:
        assert (df[c] > 0).sum() > 10, c


def assert_villages(report, csv):
    rows, total = csv.iloc[:-1], csv.iloc[-1]
    assert total["village"] == "total"
    villages = report.villages.copy()
    assert_same_as_csv(villages, rows.reset_index(drop=True))
    assert list(report.totals) == [c for c in csv.columns if c != "village"]
    for name, value in report.totals.items():
        assert float(value) == float(total[name]), name


def test_run_gives_the_cli_tables(erping_cli):
    report = tuban.run(ERPING / "tuban.toml", outputs=[])
    assert_same_as_csv(report.patches, erping_cli["patches"])
    assert_villages(report, erping_cli["villages"])
    assert report.failures == [] and report.run_info["written"] == []
    # Largest-remainder rounding: the village mu add up to the total's, to the hundredth.
    assert math.isclose(report.villages["area_mu"].sum(), report.totals["area_mu"], abs_tol=1e-9)
    assert report.totals["patches"] == 203


def test_run_of_the_synthetic_set(synth):
    report = tuban.run(synth["dir"] / "tuban.toml", outputs=[], output="arrow")
    assert isinstance(report.patches, pa.Table)
    assert_same_as_csv(report.patches.to_pandas(), synth["patches"])
    report = tuban.run(synth["dir"] / "tuban.toml", outputs=[])
    assert_villages(report, synth["villages"])


def test_arrow_output_types(erping_cli):
    t = tuban.overlay(str(ERPING / "patches.shp"), landuse=str(ERPING / "dltb.shp"),
                      output="arrow")
    assert isinstance(t, pa.Table)
    assert t.column_names == tuban.overlay(str(ERPING / "patches.shp")).columns.tolist()
    assert t.schema.field("patch_id").type == pa.string()
    assert t.schema.field("record").type == pa.int64()
    assert t.schema.field("area_m2").type == pa.float64()
    assert t.column("record").to_pylist() == list(range(1, 204))
    # A patch with no land-use obstacle inside has all its area clean: an invariant.
    df = t.to_pandas()
    np.testing.assert_allclose(df["clean_m2"] + df["obstacle_m2"], df["area_m2"], rtol=1e-12)
