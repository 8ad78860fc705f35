//! The patches as a GeoJSON FeatureCollection, each with the same attributes as the CSV.
//!
//! Written by streaming one feature at a time, so memory does not grow with the output.
//! Coordinates are written in the CRS the caller gives them in; when that is not WGS84
//! longitude/latitude the caller should name it in [`GeoJsonOptions::crs_name`], which is written
//! as the legacy (2008) `crs` member that QGIS, GDAL and ArcGIS read.

use std::io::Write;
use std::path::Path;

use geo::{Coord, LineString, MultiPolygon};
use serde_json::{json, Map, Value};
use tuban_core::report::{Cell, Report, Unit};

use super::atomic::write_atomically;
use super::WriteError;

/// How to write the GeoJSON.
#[derive(Debug, Clone, Default)]
pub struct GeoJsonOptions {
    /// A CRS name for the legacy `crs` member, e.g. `urn:ogc:def:crs:EPSG::4544`.
    pub crs_name: Option<String>,
}

fn ring(ls: &LineString<f64>, t: &dyn Fn(Coord<f64>) -> Coord<f64>) -> Value {
    Value::Array(
        ls.0.iter()
            .map(|c| {
                let c = t(*c);
                json!([c.x, c.y])
            })
            .collect(),
    )
}

fn multipolygon(mp: &MultiPolygon<f64>, t: &dyn Fn(Coord<f64>) -> Coord<f64>) -> Value {
    let polys: Vec<Value> =
        mp.0.iter()
            .map(|p| {
                let mut rings = vec![ring(p.exterior(), t)];
                rings.extend(p.interiors().iter().map(|h| ring(h, t)));
                Value::Array(rings)
            })
            .collect();
    json!({ "type": "MultiPolygon", "coordinates": polys })
}

/// Writes the patches with their results to `out`.
pub fn write_features(
    report: &Report,
    opts: &GeoJsonOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let columns = report.columns();
    let t = |c: Coord<f64>| c;
    out.write_all(b"{\"type\":\"FeatureCollection\",\"name\":\"tuban_patches\",")?;
    if let Some(name) = &opts.crs_name {
        let crs = json!({ "type": "name", "properties": { "name": name } });
        write!(out, "\"crs\":{crs},")?;
    }
    write!(
        out,
        "\"tuban_area_method\":{},",
        Value::String(report.method_note.clone())
    )?;
    out.write_all(b"\"features\":[\n")?;
    for i in 0..report.patches.len() {
        let mut props = Map::new();
        for c in &columns {
            let v = match report.cell(i, c) {
                Cell::Text(s) => Value::String(s),
                Cell::Empty => Value::Null,
                Cell::Number(v) if c.unit == Unit::Count => json!(v as u64),
                Cell::Number(v) => json!(v),
            };
            props.insert(c.name.clone(), v);
        }
        let geometry = if report.patches[i].geometry.0.is_empty() {
            Value::Null
        } else {
            multipolygon(&report.patches[i].geometry, &t)
        };
        let f = json!({ "type": "Feature", "properties": props, "geometry": geometry });
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &f)?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// Writes the GeoJSON file `path`, whole or not at all.
pub fn write(report: &Report, opts: &GeoJsonOptions, path: &Path) -> Result<(), WriteError> {
    write_atomically(path, |w| write_features(report, opts, w))
}
