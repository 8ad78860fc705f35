//! The patches as a GeoJSON FeatureCollection, each with the same attributes as the CSV.
//!
//! Written by streaming one feature at a time, so memory does not grow with the output.
//! Coordinates are longitude/latitude as RFC 7946 requires (CGCS2000 and WGS84 are taken as one
//! datum), converted from [`GeoJsonOptions::source_crs`]; or, on request, kept in that CRS and
//! named in the legacy `crs` member.

use std::io::Write;
use std::path::Path;

use geo::{Coord, LineString, MultiPolygon};
use serde_json::{json, Map, Value};
use tuban_core::crs::Crs;
use tuban_core::report::{Cell, Report, Unit};

use super::atomic::write_atomically;
use super::WriteError;

/// How to write the GeoJSON.
#[derive(Debug, Clone, Default)]
pub struct GeoJsonOptions {
    /// The CRS of the report's coordinates. With it, coordinates are written as longitude and
    /// latitude (RFC 7946) unless `keep_crs` is set; without it, they are written as they are.
    pub source_crs: Option<Crs>,
    /// Write the coordinates in `source_crs` itself, naming it in the legacy (2008) `crs`
    /// member that QGIS, GDAL and ArcGIS read, instead of longitude/latitude.
    pub keep_crs: bool,
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
    let projector = opts.source_crs.map(|c| c.projector());
    let to_lon_lat = projector.filter(|p| !opts.keep_crs && !p.is_identity());
    let t = |c: Coord<f64>| match &to_lon_lat {
        Some(p) => {
            let (x, y) = p.to_geographic(c.x, c.y);
            Coord { x, y }
        }
        None => c,
    };
    out.write_all(b"{\"type\":\"FeatureCollection\",\"name\":\"tuban_patches\",")?;
    if let (Some(crs), true) = (opts.source_crs, opts.keep_crs) {
        let name = format!("urn:ogc:def:crs:EPSG::{}", crs.epsg());
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

/// Writes the obstacle layer (see [`super::pieces`]) to `out`: a FeatureCollection named
/// `tuban_obstacles`, one MultiPolygon feature per piece with the properties `patch_id`,
/// `village`, `class`, `class_zh`, `area_m2`, `area_mu`; coordinates as for the patches
/// ([`GeoJsonOptions`]). With no pieces the collection is empty.
pub fn write_piece_features(
    report: &Report,
    opts: &GeoJsonOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use super::pieces::{pieces, PIECE_FIELDS};
    let projector = opts.source_crs.map(|c| c.projector());
    let to_lon_lat = projector.filter(|p| !opts.keep_crs && !p.is_identity());
    let t = |c: Coord<f64>| match &to_lon_lat {
        Some(p) => {
            let (x, y) = p.to_geographic(c.x, c.y);
            Coord { x, y }
        }
        None => c,
    };
    out.write_all(b"{\"type\":\"FeatureCollection\",\"name\":\"tuban_obstacles\",")?;
    if let (Some(crs), true) = (opts.source_crs, opts.keep_crs) {
        let name = format!("urn:ogc:def:crs:EPSG::{}", crs.epsg());
        let crs = json!({ "type": "name", "properties": { "name": name } });
        write!(out, "\"crs\":{crs},")?;
    }
    write!(
        out,
        "\"tuban_area_method\":{},",
        Value::String(report.method_note.clone())
    )?;
    out.write_all(b"\"features\":[\n")?;
    for (i, p) in pieces(report).iter().enumerate() {
        let mut props = Map::new();
        for (k, (name, _)) in PIECE_FIELDS.iter().enumerate() {
            let v = match p.field(k) {
                Ok(s) => Value::String(s.to_string()),
                Err(v) => json!(v),
            };
            props.insert(name.to_string(), v);
        }
        let f = json!({
            "type": "Feature",
            "properties": props,
            "geometry": multipolygon(&p.geometry, &t),
        });
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &f)?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// Writes the obstacle layer to the GeoJSON file `path`, whole or not at all (see
/// [`write_piece_features`]).
pub fn write_pieces(report: &Report, opts: &GeoJsonOptions, path: &Path) -> Result<(), WriteError> {
    write_atomically(path, |w| write_piece_features(report, opts, w))
}
