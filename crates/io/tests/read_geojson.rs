//! The GeoJSON reader against files written by Python's json module
//! (`tests/data/make_test_data.py`).

#[path = "read_support.rs"]
mod support;

use support::{check_layer, data_dir, expected};
use tuban_core::layer::Value;
use tuban_io::error::ReadError;
use tuban_io::geojson;
use tuban_io::read::{read_layer, LayerSummary, ReadOptions};

fn read(file: &str) -> Result<tuban_core::layer::Layer, ReadError> {
    geojson::read(&data_dir().join(file), &ReadOptions::default())
}

#[test]
fn feature_collection_with_every_geometry_type_and_inferred_kinds() {
    let layer = read("villages.geojson").unwrap();
    check_layer(&layer, &expected("villages"));
    assert_eq!(layer.name, "villages");
    assert_eq!(layer.encoding.as_deref(), Some("UTF-8 (GeoJSON)"));
    assert_eq!(
        layer.value(&layer.features[6], "名称"),
        Some(&Value::Text("高岩村".into()))
    );
    let s = LayerSummary::of(&layer);
    assert_eq!(s.null_geometries, 1);
    assert_eq!(s.geometry_types.len(), 6);
}

#[test]
fn a_bare_feature_and_a_bare_geometry() {
    check_layer(
        &read("single_feature.geojson").unwrap(),
        &expected("single_feature"),
    );
    check_layer(
        &read("bare_geometry.geojson").unwrap(),
        &expected("bare_geometry"),
    );
}

#[test]
fn invalid_json_gives_line_and_column() {
    let e = read("broken.geojson").unwrap_err();
    let want = &expected("broken")["error"];
    let ReadError::Json { line, column, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*line as u64, want["line"].as_u64().unwrap(), "{e}");
    // Python points at the next member, serde_json at the same character or the one after.
    let col = want["column"].as_u64().unwrap();
    assert!((*column as u64).abs_diff(col) <= 1, "{e} vs column {col}");
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}:{line}:{column}: ",
            data_dir().join("broken.geojson").display()
        )),
        "{msg}"
    );
    assert!(msg.contains("not valid JSON"), "{msg}");
}

#[test]
fn geometry_collection_is_refused_naming_the_feature() {
    let e = read("collection.geojson").unwrap_err();
    let n = expected("collection")["error_feature"].as_u64().unwrap() as usize;
    assert_eq!(e.record(), Some(n), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&format!(
            "collection.geojson: feature {n}: is a GeometryCollection"
        )),
        "{msg}"
    );
}

#[test]
fn gbk_geojson_needs_the_encoding_option() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbk.json");
    // {"type":"Feature","geometry":null,"properties":{"v":"隘口村"}} with 隘口村 in GBK, the bytes
    // pyshp wrote for it in tests/data/patches_gbk.dbf.
    let mut bytes = br#"{"type":"Feature","geometry":null,"properties":{"v":""#.to_vec();
    bytes.extend_from_slice(&[0xB0, 0xAF, 0xBF, 0xDA, 0xB4, 0xE5]);
    bytes.extend_from_slice(br#""}}"#);
    std::fs::write(&path, &bytes).unwrap();
    let e = read_layer(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, ReadError::Encoding { .. }), "{e:?}");
    assert!(e.to_string().contains("--encoding"), "{e}");
    let opts = ReadOptions {
        encoding: Some("GBK".into()),
        ..Default::default()
    };
    let layer = read_layer(&path, &opts).unwrap();
    assert_eq!(layer.features[0].values, vec![Value::Text("隘口村".into())]);
    assert_eq!(layer.encoding.as_deref(), Some("GBK (given by the user)"));
}

#[test]
fn structural_problems_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (r#"{"type":"Topology"}"#, "not GeoJSON"),
        (
            r#"{"type":"FeatureCollection"}"#,
            "without a \"features\" array",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]},"properties":{}}]}"#,
            "feature 1: polygon ring 1 has 2 positions",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0],[1,1]]},"properties":{}}]}"#,
            "feature 1: has a position with 1 number",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[0]},"properties":{}}]}"#,
            ":1:",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":[1]}]}"#,
            ":1:",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Thing","geometry":null}]}"#,
            "feature 1: has \"type\": \"Thing\"",
        ),
        ("", "EOF"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.geojson"));
        std::fs::write(&path, text).unwrap();
        let msg = geojson::read(&path, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(msg.contains(want), "case {i}: {msg} should contain {want}");
    }
}

#[test]
fn json_extension_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.JSON");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(data_dir().join("single_feature.geojson")).unwrap());
    std::fs::write(&path, bytes).unwrap();
    let layer = read_layer(&path, &ReadOptions::default()).unwrap();
    check_layer(&layer, &expected("single_feature"));
}
