//! Helpers shared by `read_shp.rs` and `read_geojson.rs` (included there with `#[path]`): compare
//! a [`Layer`] with the `*.expected.json` that `tests/data/make_test_data.py` wrote from its own
//! inputs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use geo::{Area, Coord, Geometry, LineString, Polygon};
use serde_json::{json, Value as Json};
use tuban_core::layer::{FieldKind, Layer, Value};

/// `crates/io/tests/data`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// `tests/data/NAME.expected.json`.
pub fn expected(name: &str) -> Json {
    let p = data_dir().join(format!("{name}.expected.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "text",
        FieldKind::Integer => "integer",
        FieldKind::Float => "float",
        FieldKind::Bool => "bool",
        FieldKind::Date => "date",
    }
}

fn ring_json(r: &LineString<f64>) -> Json {
    Json::Array(r.0.iter().map(|c: &Coord<f64>| json!([c.x, c.y])).collect())
}

fn polygon_json(p: &Polygon<f64>) -> Json {
    let mut rings = vec![ring_json(p.exterior())];
    rings.extend(p.interiors().iter().map(ring_json));
    Json::Array(rings)
}

/// The geometry as GeoJSON-like `(type, coordinates)`.
pub fn geometry_json(g: &Geometry<f64>) -> (&'static str, Json) {
    match g {
        Geometry::Point(p) => ("Point", json!([p.x(), p.y()])),
        Geometry::MultiPoint(m) => (
            "MultiPoint",
            Json::Array(m.0.iter().map(|p| json!([p.x(), p.y()])).collect()),
        ),
        Geometry::LineString(l) => ("LineString", ring_json(l)),
        Geometry::MultiLineString(m) => (
            "MultiLineString",
            Json::Array(m.0.iter().map(ring_json).collect()),
        ),
        Geometry::Polygon(p) => ("Polygon", polygon_json(p)),
        Geometry::MultiPolygon(m) => (
            "MultiPolygon",
            Json::Array(m.0.iter().map(polygon_json).collect()),
        ),
        other => panic!("unexpected geometry {other:?}"),
    }
}

fn value_matches(v: &Value, want: &Json, kind: &str) -> bool {
    match (v, want) {
        (Value::Null, Json::Null) => true,
        (Value::Int(i), Json::Number(n)) if kind == "integer" => n.as_i64() == Some(*i),
        (Value::Float(f), Json::Number(n)) if kind == "float" => {
            let w = n.as_f64().unwrap();
            (f - w).abs() <= 1e-9 * w.abs().max(1.0)
        }
        (Value::Bool(b), Json::Bool(w)) if kind == "bool" => b == w,
        (Value::Text(s), Json::String(w)) if kind == "text" || kind == "date" => s == w,
        _ => false,
    }
}

/// Checks fields, record numbers, values and geometries of `layer` against `exp`.
pub fn check_layer(layer: &Layer, exp: &Json) {
    let fields: Vec<(String, String)> = exp["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let got: Vec<(String, String)> = layer
        .fields
        .iter()
        .map(|f| (f.name.clone(), kind_name(f.kind).to_string()))
        .collect();
    assert_eq!(got, fields, "fields of {}", layer.name);
    assert_eq!(
        layer.crs_text.as_deref(),
        exp["crs_text"].as_str(),
        "crs_text of {}",
        layer.name
    );

    let records = exp["records"].as_array().unwrap();
    assert_eq!(
        layer.features.len(),
        records.len(),
        "feature count of {}",
        layer.name
    );
    for (feature, rec) in layer.features.iter().zip(records) {
        let n = rec["record"].as_u64().unwrap() as usize;
        assert_eq!(feature.record, n, "record number in {}", layer.name);
        assert_eq!(feature.values.len(), fields.len());
        for (i, (name, kind)) in fields.iter().enumerate() {
            let want = &rec["values"][name.as_str()];
            let want = if want.is_null() { &Json::Null } else { want };
            assert!(
                value_matches(&feature.values[i], want, kind),
                "{} record {n} field {name}: got {:?}, want {want}",
                layer.name,
                feature.values[i]
            );
        }
        match (&feature.geometry, &rec["geometry"]) {
            (None, Json::Null) => {}
            (Some(g), want) if want.is_object() => {
                let (ty, coords) = geometry_json(g);
                assert_eq!(ty, want["type"], "{} record {n} geometry type", layer.name);
                assert_eq!(
                    coords, want["coordinates"],
                    "{} record {n} coordinates",
                    layer.name
                );
                if let Some(area) = want["area"].as_f64() {
                    let got = g.unsigned_area();
                    assert!(
                        (got - area).abs() < 1e-6,
                        "{} record {n}: area {got}, want {area}",
                        layer.name
                    );
                }
            }
            (g, want) => panic!("{} record {n}: geometry {g:?}, want {want}", layer.name),
        }
    }
}
