//! The File Geodatabase reader against a geodatabase GDAL 3.6 wrote
//! (`tests/data/filegdb/make_gdb.py`), compared with what GDAL reads in it
//! (`test.expected.json`, written by the same script through GDAL's OpenFileGDB driver), and
//! its errors on damaged copies.

use std::path::{Path, PathBuf};

use geo::{coord, Coord, Geometry, LineString, Polygon, Rect};
use serde_json::{json, Value as Json};
use tuban_core::crs::Crs;
use tuban_core::layer::{FieldKind, Layer, Value};
use tuban_io::error::ReadError;
use tuban_io::filegdb;
use tuban_io::read::{
    read_layer, read_layer_filtered, split_layer, BoxFilter, ReadOptions, Subset,
};

fn gdb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/filegdb/test.gdb")
}

fn expected() -> Json {
    let p = gdb().with_file_name("test.expected.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn layer_opts(name: &str) -> ReadOptions {
    ReadOptions {
        layer: Some(name.into()),
        ..Default::default()
    }
}

fn read(name: &str) -> Result<Layer, ReadError> {
    read_layer(&gdb(), &layer_opts(name))
}

fn ring(r: &LineString<f64>) -> Json {
    Json::Array(r.0.iter().map(|c: &Coord<f64>| json!([c.x, c.y])).collect())
}

fn polygon(p: &Polygon<f64>) -> Json {
    let mut rings = vec![ring(p.exterior())];
    rings.extend(p.interiors().iter().map(ring));
    Json::Array(rings)
}

/// A geometry as GDAL reports it from a File Geodatabase: polygons and lines always as their
/// multi types (the layer's type), points as points.
fn as_gdal(g: &Geometry<f64>) -> Json {
    let (t, c) = match g {
        Geometry::Point(p) => ("POINT", json!([p.x(), p.y()])),
        Geometry::MultiPoint(m) => (
            "MULTIPOINT",
            Json::Array(m.0.iter().map(|p| json!([p.x(), p.y()])).collect()),
        ),
        Geometry::LineString(l) => ("MULTILINESTRING", json!([ring(l)])),
        Geometry::MultiLineString(m) => (
            "MULTILINESTRING",
            Json::Array(m.0.iter().map(ring).collect()),
        ),
        Geometry::Polygon(p) => ("MULTIPOLYGON", json!([polygon(p)])),
        Geometry::MultiPolygon(m) => (
            "MULTIPOLYGON",
            Json::Array(m.0.iter().map(polygon).collect()),
        ),
        other => panic!("unexpected {other:?}"),
    };
    json!({"type": t, "coordinates": c})
}

/// GDAL's value as tuban reads it: dates as `YYYY-MM-DD` when at midnight.
fn as_gdal_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::Text(s) => json!(s),
        Value::Bool(b) => json!(b),
    }
}

fn gdal_value(want: &Json, gdal_type: &str) -> Json {
    match (want, gdal_type) {
        (Json::String(s), "DateTime" | "Date") => {
            // "2024/03/15 00:00:00+00" → "2024-03-15"
            let (date, time) = s.split_once(' ').unwrap_or((s, ""));
            assert!(time.starts_with("00:00:00"), "a date with a time: {s}");
            json!(date.replace('/', "-"))
        }
        _ => want.clone(),
    }
}

#[test]
fn every_feature_class_reads_as_gdal_reads_it() {
    let exp = expected();
    let layers = exp["layers"].as_object().unwrap();
    let mut checked = 0;
    for (name, want) in layers {
        if name == "curved" || name == "attrs" {
            continue; // refused: see below
        }
        let layer = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(layer.name, *name);
        let fields = want["fields"].as_array().unwrap();
        assert_eq!(layer.fields.len(), fields.len(), "{name}: fields");
        for (f, w) in layer.fields.iter().zip(fields) {
            assert_eq!(f.name, w["name"].as_str().unwrap(), "{name}");
            let kind = match w["type"].as_str().unwrap() {
                "Integer" | "Integer64" => FieldKind::Integer,
                "Real" => FieldKind::Float,
                "String" => FieldKind::Text,
                "DateTime" | "Date" => FieldKind::Date,
                t => panic!("{t}"),
            };
            assert_eq!(f.kind, kind, "{name}.{}", f.name);
        }
        let features = want["features"].as_array().unwrap();
        assert_eq!(layer.features.len(), features.len(), "{name}: features");
        assert_eq!(
            want["feature_count"].as_u64().unwrap() as usize,
            features.len()
        );
        for (f, w) in layer.features.iter().zip(features) {
            assert_eq!(f.record as u64, w["objectid"].as_u64().unwrap(), "{name}");
            for (k, field) in fields.iter().enumerate() {
                let fname = field["name"].as_str().unwrap();
                assert_eq!(
                    as_gdal_value(&f.values[k]),
                    gdal_value(&w["values"][fname], field["type"].as_str().unwrap()),
                    "{name}, OBJECTID {}, {fname}",
                    f.record
                );
            }
            // Coordinates are the same doubles: serde_json reads GDAL's shortest
            // representations back exactly (feature float_roundtrip).
            let g = f.geometry.as_ref().map(as_gdal).unwrap_or(Json::Null);
            assert_eq!(g, w["geometry"], "{name}, OBJECTID {}", f.record);
        }
        checked += 1;
    }
    assert_eq!(checked, 9);
}

#[test]
fn deleted_rows_are_skipped_and_objectids_kept() {
    let records = |name: &str| -> Vec<usize> {
        read(name)
            .unwrap()
            .features
            .iter()
            .map(|f| f.record)
            .collect()
    };
    assert_eq!(records("patches"), [1, 2, 3, 5]); // 4 was deleted
    assert_eq!(records("sparse"), [1, 3, 5000]); // blocks 1-3 absent from the row index
}

#[test]
fn z_is_dropped_and_the_crs_is_the_prj_wkt() {
    let graves = read("graves").unwrap();
    assert_eq!(
        graves.features[0].geometry,
        Some(Geometry::Point(geo::Point::new(601_510.5, 3_304_020.25)))
    );
    let wkt = graves.crs_text.as_deref().unwrap();
    assert!(
        wkt.starts_with("PROJCS[\"CGCS2000_3_Degree_GK_CM_105E\""),
        "{wkt}"
    );
    assert_eq!(Crs::from_wkt(wkt).unwrap().crs.epsg(), 4544);
    assert_eq!(read("nocrs").unwrap().crs_text, None);
}

#[test]
fn millimetres_round_trip_on_a_millimetre_grid() {
    let layer = read("mm_grid").unwrap();
    let Some(Geometry::Polygon(p)) = &layer.features[0].geometry else {
        panic!("{:?}", layer.features[0].geometry)
    };
    let c: Vec<Coord<f64>> = p.exterior().0.clone();
    assert_eq!(c[0], coord! {x: 601_234.567, y: 3_304_001.001});
    assert_eq!(c[2], coord! {x: 601_334.999, y: 3_304_101.123});
}

#[test]
fn text_may_be_utf16_and_the_encoding_option_does_not_apply() {
    let opts = ReadOptions {
        layer: Some("utf16".into()),
        encoding: Some("GBK".into()),
        ..Default::default()
    };
    let layer = read_layer(&gdb(), &opts).unwrap();
    assert_eq!(
        layer.features[0].values[0],
        Value::Text("铜梁区二坪镇".into())
    );
    let label = layer.encoding.unwrap();
    assert!(
        label.starts_with("UTF-16 (File Geodatabase)") && label.contains("GBK) does not apply"),
        "{label}"
    );
    assert_eq!(
        read("patches").unwrap().encoding.as_deref(),
        Some("UTF-8 (File Geodatabase)")
    );
}

#[test]
fn curves_are_refused_naming_the_feature() {
    let e = read("curved").unwrap_err();
    assert_eq!(e.record(), Some(1));
    let m = e.to_string();
    assert!(m.contains("test.gdb:curved: record 1: has"), "{m}");
    assert!(
        m.contains("circular arc") && m.contains("CONVERT_TO_LINEAR"),
        "{m}"
    );
}

#[test]
fn a_table_without_geometry_is_not_a_layer() {
    let m = read("attrs").unwrap_err().to_string();
    assert!(
        m.contains("attrs is a table without a geometry column"),
        "{m}"
    );
}

#[test]
fn a_wrong_name_lists_the_feature_classes() {
    let classes = [
        "patches", "graves", "roads", "mpoints", "utf16", "sparse", "mm_grid", "curved", "nocrs",
        "renamed",
    ];
    match read("DLTB").unwrap_err() {
        ReadError::NoSuchLayer {
            layer, available, ..
        } => {
            assert_eq!(layer.as_deref(), Some("DLTB"));
            assert_eq!(available, classes);
        }
        e => panic!("{e}"),
    }
    // No name, several feature classes: the same list, and the question.
    let e = read_layer(&gdb(), &ReadOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("holds several layers (it holds patches, graves"),
        "{e}"
    );
    // The geodatabase's own tables are not layers.
    assert!(matches!(
        read("GDB_Items"),
        Err(ReadError::NoSuchLayer { .. })
    ));
}

#[test]
fn names_match_ignoring_case_and_paths_may_end_in_a_slash() {
    assert_eq!(read("PATCHES").unwrap().name, "patches");
    let mut slash = gdb().into_os_string();
    slash.push("/");
    let layer = read_layer(Path::new(&slash), &layer_opts("roads")).unwrap();
    assert_eq!(layer.features.len(), 2);
    let arg = format!("{}:mpoints", gdb().display());
    let (path, name) = split_layer(&arg);
    assert_eq!(
        read_layer(&path, &layer_opts(&name.unwrap())).unwrap().name,
        "mpoints"
    );
    assert_eq!(
        read("roads").unwrap().source.unwrap(),
        PathBuf::from(format!("{}:roads", gdb().display()))
    );
}

#[test]
fn the_feature_classes_are_listed_with_type_count_and_crs() {
    let list = filegdb::list_feature_classes(&gdb()).unwrap();
    let brief: Vec<(&str, &str, u64)> = list
        .iter()
        .map(|c| (c.name.as_str(), c.geometry_type.as_str(), c.count))
        .collect();
    assert_eq!(
        brief,
        [
            ("patches", "Polygon", 4),
            ("graves", "Point Z", 2),
            ("roads", "Polyline", 2),
            ("mpoints", "MultiPoint", 1),
            ("utf16", "Point", 1),
            ("sparse", "Point", 3),
            ("mm_grid", "Polygon", 1),
            ("curved", "Polygon", 1),
            ("nocrs", "Point", 1),
            ("renamed", "Point", 1),
        ]
    );
    assert!(list[0]
        .crs_text
        .as_deref()
        .unwrap()
        .contains("CGCS2000_3_Degree_GK_CM_105E"));
    assert_eq!(list[8].crs_text, None);
}

#[test]
fn a_subset_is_the_full_read_restricted() {
    let full = read("patches").unwrap();
    // Only around P1 (601500..601600, 3304000..3304100): P2 and P5 are left out, P3 (no
    // geometry) is kept.
    let area = Rect::new(
        coord! {x: 601_550.0, y: 3_304_050.0},
        coord! {x: 601_560.0, y: 3_304_060.0},
    );
    for serial in [false, true] {
        let subset = Subset {
            fields: Some(vec!["gxsj".into(), "TBBH".into(), "NOPE".into()]),
            keep: Some(BoxFilter::meeting(area)),
            serial,
        };
        let (part, left_out) =
            read_layer_filtered(&gdb(), &layer_opts("patches"), &subset).unwrap();
        assert_eq!(left_out, 2);
        let names: Vec<&str> = part.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["TBBH", "GXSJ"]); // the file's order
        let records: Vec<usize> = part.features.iter().map(|f| f.record).collect();
        assert_eq!(records, [1, 3]);
        for f in &part.features {
            let whole = full.features.iter().find(|g| g.record == f.record).unwrap();
            assert_eq!(f.geometry, whole.geometry);
            assert_eq!(f.values[0], whole.values[0]);
            assert_eq!(f.values[1], whole.values[8]);
        }
    }
}

/// The files of feature class `name` (table number `n`) copied into a new geodatabase in a
/// temporary folder with the catalog, for damaging.
fn copy_gdb() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("copy.gdb");
    std::fs::create_dir(&to).unwrap();
    for e in std::fs::read_dir(gdb()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    (dir, to)
}

/// `patches` is the first table GDAL made: a00000009.
const PATCHES: &str = "a00000009";

fn read_copy(gdb: &Path) -> String {
    read_layer(gdb, &layer_opts("patches"))
        .unwrap_err()
        .to_string()
}

#[test]
fn damaged_copies_are_errors_naming_file_and_row() {
    let (_dir, copy) = copy_gdb();
    let table = copy.join(format!("{PATCHES}.gdbtable"));
    let tablx = copy.join(format!("{PATCHES}.gdbtablx"));
    let good_table = std::fs::read(&table).unwrap();
    let good_tablx = std::fs::read(&tablx).unwrap();

    // The table cut short: the last row runs past the end.
    std::fs::write(&table, &good_table[..good_table.len() - 10]).unwrap();
    let m = read_copy(&copy);
    assert!(
        m.contains("copy.gdb:patches: record 5: the row at byte"),
        "{m}"
    );
    assert!(m.contains("the table is truncated"), "{m}");

    // Cut inside the field descriptions.
    std::fs::write(&table, &good_table[..200]).unwrap();
    let m = read_copy(&copy);
    assert!(
        m.contains("a00000009.gdbtable: its field descriptions run to byte"),
        "{m}"
    );
    std::fs::write(&table, &good_table).unwrap();

    // The row index missing, cut, or disagreeing with the table's count.
    std::fs::remove_file(&tablx).unwrap();
    let m = read_copy(&copy);
    assert!(
        m.contains(
            "a00000009.gdbtablx: no such file; it is the row index of feature class patches"
        ),
        "{m}"
    );
    std::fs::write(&tablx, &good_tablx[..30]).unwrap();
    let m = read_copy(&copy);
    assert!(m.contains("a00000009.gdbtablx: is truncated"), "{m}");
    let mut fewer = good_tablx.clone();
    fewer[16..21].fill(0); // row 1's offset: deleted in the index only
    std::fs::write(&tablx, &fewer).unwrap();
    let m = read_copy(&copy);
    assert!(
        m.contains("lists 3 rows but") && m.contains("counts 4"),
        "{m}"
    );
    std::fs::write(&tablx, &good_tablx).unwrap();

    // A version 9 table, and a table of the 64-bit format.
    let fields_at = u64::from_le_bytes(good_table[32..40].try_into().unwrap()) as usize;
    let mut v9 = good_table.clone();
    v9[fields_at + 4] = 3;
    std::fs::write(&table, &v9).unwrap();
    let m = read_copy(&copy);
    assert!(
        m.contains("version 9 File Geodatabase") && m.contains("upgrade"),
        "{m}"
    );
    let mut v4 = good_table.clone();
    v4[0] = 4;
    std::fs::write(&table, &v4).unwrap();
    assert!(read_copy(&copy).contains("64-bit File Geodatabase format"));
    std::fs::write(&table, &good_table).unwrap();

    // Stored compressed (ArcGIS writes a .gdbtable.cdf instead): named, not listed.
    std::fs::rename(&table, copy.join(format!("{PATCHES}.gdbtable.cdf"))).unwrap();
    let m = read_copy(&copy);
    assert!(
        m.contains("patches is stored compressed") && m.contains("Uncompress"),
        "{m}"
    );
    let names: Vec<String> = filegdb::list_feature_classes(&copy)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(!names.contains(&"patches".to_string()) && names.contains(&"roads".to_string()));
    std::fs::write(&table, &good_table).unwrap();

    // Not a geodatabase.
    std::fs::remove_file(copy.join("a00000001.gdbtable")).unwrap();
    assert!(read_copy(&copy).contains("holds no a00000001.gdbtable"));
    let e = read_layer(&copy.join("nothing.gdb"), &layer_opts("x")).unwrap_err();
    assert!(matches!(e, ReadError::NotFound { .. }), "{e}");
}

#[test]
fn a_table_read_from_memory_reads_as_from_the_folder() {
    let table = std::fs::read(gdb().join(format!("{PATCHES}.gdbtable"))).unwrap();
    let tablx = std::fs::read(gdb().join(format!("{PATCHES}.gdbtablx"))).unwrap();
    let (mem, _) = filegdb::read_table_bytes(
        "patches",
        &table,
        Some(&tablx),
        &ReadOptions::default(),
        &Subset::default(),
    )
    .unwrap();
    let file = read("patches").unwrap();
    assert_eq!(
        format!("{:?}", mem.features),
        format!("{:?}", file.features)
    );
    assert_eq!(mem.fields, file.fields);
    assert_eq!(mem.crs_text, file.crs_text);
}
