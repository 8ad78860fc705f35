"""Errors are exceptions of the TubanError family whose message names the file or table, the
record and the fix; never a panic."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pytest
import shapely
import tuban

from conftest import ERPING

PATCHES = str(ERPING / "patches.shp")


def square(x, y, s):
    return shapely.box(x, y, x + s, y + s)


def wkb_table(geoms, crs=None, **columns):
    """A pyarrow table with a plain binary `geometry` column (as Spark or polars would hold
    it), written by shapely: no GeoArrow metadata."""
    data = dict(columns)
    data["geometry"] = pa.array(shapely.to_wkb(geoms), pa.binary())
    return pa.table(data)


def test_the_hierarchy():
    for cls in (tuban.InputError, tuban.CrsError, tuban.RulesError, tuban.OutputError,
                tuban.UsageError):
        assert issubclass(cls, tuban.TubanError)
    assert issubclass(tuban.UsageError, ValueError)


def test_a_missing_file_names_it():
    with pytest.raises(tuban.InputError, match="nowhere.shp"):
        tuban.overlay("/nowhere/nowhere.shp")


def test_a_table_without_a_crs_asks_for_crs():
    t = wkb_table([square(601000, 3304000, 10)])
    with pytest.raises(tuban.CrsError) as e:
        tuban.overlay(t)
    assert "patches (pyarrow.Table)" in str(e.value)
    assert e.value.fix == "assume_crs"
    assert 'crs="EPSG:NNNN"' in str(e.value)
    # ... and crs= fixes it; the patch is 10 m by 10 m (planar: exactly 100 m²).
    df = tuban.overlay(t, crs="EPSG:4544", area_method="planar")
    assert df["area_m2"].tolist() == [100.0]
    assert "given by crs=" in df.attrs["tuban"]["crs_notes"]["patches"]


def test_bad_wkb_names_the_record():
    good = shapely.to_wkb(square(601000, 3304000, 10))
    t = pa.table({"geometry": pa.array([good, good, b"\x01\x03\x00"], pa.binary())})
    with pytest.raises(tuban.InputError, match=r"patches \(pyarrow.Table\): record 3: bad WKB"):
        tuban.overlay(t, crs="EPSG:4544")


def test_coordinates_that_contradict_the_crs_are_a_crs_error():
    # Metres under a geographic CRS.
    t = wkb_table([square(601000, 3304000, 10)])
    with pytest.raises(tuban.CrsError, match="patches"):
        tuban.overlay(t, crs="EPSG:4490")


def test_invalid_geometry_under_invalid_error_names_the_record_and_the_fix():
    bowtie = shapely.Polygon([(601000, 3304000), (601010, 3304010), (601010, 3304000),
                              (601000, 3304010)])
    t = wkb_table([square(601100, 3304000, 10), bowtie], TBBH=["a", "b"])
    with pytest.raises(tuban.InputError) as e:
        tuban.overlay(t, crs="EPSG:4544", invalid="error")
    assert "record 2" in str(e.value) and e.value.fix == "invalid"
    # Repaired by default, and the repair is reported.
    df = tuban.overlay(t, crs="EPSG:4544")
    assert df["repair"][0] == "" and df["repair"][1] != ""
    assert df["patch_id"].tolist() == ["a", "b"]


def test_a_missing_field_lists_the_table_columns():
    t = wkb_table([square(601000, 3304000, 10)], XH=[1], NAME=["x"])
    with pytest.raises(tuban.InputError) as e:
        tuban.overlay(t, crs="EPSG:4544", id_field="TBBH")
    message = str(e.value)
    assert "TBBH" in message and "NAME" in message and "XH" in message


def test_a_malformed_rules_file_is_a_rules_error(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\nlayer = 3\n")
    with pytest.raises(tuban.RulesError, match="rules.toml"):
        tuban.overlay(PATCHES, rules=rules)
    with pytest.raises(tuban.RulesError, match="missing.toml"):
        tuban.overlay(PATCHES, rules=tmp_path / "missing.toml")


def test_an_existing_output_names_overwrite(tmp_path):
    project = tmp_path / "tuban.toml"
    for f in ERPING.iterdir():
        if f.stem in ("patches",) and f.is_file():
            shutil.copy(f, tmp_path / f.name)
    project.write_text('outputs = ["out.csv"]\n[patches]\npath = "patches.shp"\n')
    (tmp_path / "out.csv").write_text("precious")
    with pytest.raises(tuban.OutputError) as e:
        tuban.run(project)
    assert "out.csv" in str(e.value) and e.value.fix == "overwrite"
    assert "overwrite=True" in str(e.value)
    assert (tmp_path / "out.csv").read_text() == "precious"
    report = tuban.run(project, overwrite=True)
    assert report.run_info["written"] == [str(tmp_path / "out.csv")]


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"grave_raduis": 3}, "grave_raduis"),
        ({"area_method": "flat"}, "flat"),
        ({"invalid": "ignore"}, "ignore"),
        ({"threads": -1}, "threads"),
        ({"output": "polars"}, "output"),
        ({"grave_radius": "two"}, "grave_radius"),
        ({"progress": 3}, "progress"),
    ],
)
def test_usage_errors(kwargs, needle):
    with pytest.raises(tuban.UsageError, match=needle):
        tuban.overlay(PATCHES, **kwargs)


def test_a_layer_of_another_type_is_a_usage_error():
    with pytest.raises(tuban.UsageError, match="landuse"):
        tuban.overlay(PATCHES, landuse=42)


def test_a_table_without_geometry_says_what_it_needs():
    with pytest.raises(tuban.InputError, match="no geometry column"):
        tuban.overlay(pa.table({"x": [1, 2]}))
