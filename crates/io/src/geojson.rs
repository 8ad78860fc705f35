//! GeoJSON reader.
//!
//! [`read`] reads a GeoJSON file into a [`Layer`]: a `FeatureCollection`, a single `Feature`, or
//! a bare geometry (one feature without attributes). Point, MultiPoint, LineString,
//! MultiLineString, Polygon and MultiPolygon geometries are read as they are (a third coordinate
//! is dropped; rings are taken as written, first the exterior then the holes, closed if the
//! writer did not repeat the first position); a `null` geometry gives `None`. A
//! `GeometryCollection` is an error naming the feature.
//!
//! ```no_run
//! use std::path::Path;
//! use tuban_io::{geojson, read::ReadOptions};
//!
//! let layer = geojson::read(Path::new("data/roads.geojson"), &ReadOptions::default())?;
//! for field in &layer.fields {
//!     println!("{}: {:?}", field.name, field.kind);
//! }
//! # Ok::<(), tuban_io::error::ReadError>(())
//! ```
//!
//! # Attributes
//!
//! The fields are the union of all property names, in the order they are first met in the file.
//! Each field's kind is inferred from its non-null values: all booleans → `Bool`; all integers →
//! `Integer`; all numbers, some with a fraction → `Float`; all strings → `Text`; anything else
//! (mixed kinds, objects, arrays) → `Text`, with numbers and booleans written as JSON and objects
//! and arrays as their compact JSON text. A field with only `null` values is `Text`. A property a
//! feature lacks, or sets to `null`, is [`Value::Null`]. Integers beyond the 64-bit range make the
//! field `Float`.
//!
//! # CRS
//!
//! [`Layer::crs_text`] is the legacy (2008 GeoJSON) `crs` member's `properties.name`, e.g.
//! `urn:ogc:def:crs:EPSG::4544`, or `EPSG:4544` for a `{"type": "EPSG", "properties": {"code":
//! 4544}}` member; `None` when there is none. RFC 7946 GeoJSON has no `crs` member and is WGS 84
//! longitude/latitude by definition: the reader leaves `crs_text` at `None` and the module that
//! interprets CRSs decides what `None` means for a GeoJSON layer.
//!
//! # Damaged files
//!
//! Nothing in a file makes the reader panic; every problem is an error naming the file and, where
//! it can, the place:
//!
//! * text that is not JSON (cut short, a stray comma), a number beyond what a double holds
//!   (`1e999`; JSON has no NaN or infinity), or JSON of the wrong shape (coordinates that are a
//!   string, properties that are an array, a missing `type`) gives [`ReadError::Json`] with the
//!   line and column, as `FILE:LINE:COLUMN: message; what to do`;
//! * a feature whose `type` is not `Feature`, a position with fewer than two numbers, a line of
//!   one position, a ring of fewer than four positions once closed, or a `GeometryCollection`
//!   gives [`ReadError::Feature`] naming the feature (from 1);
//! * a `null` geometry is read as none (the patch then fails alone, with its reason).
//!
//! Rings are not checked for validity here (a bowtie, a hole outside its ring):
//! `tuban_core::validity` does that before the overlay.
//!
//! # Subsets
//!
//! [`read_filtered`] keeps only some properties and some features (see [`Subset`]). The file is
//! still parsed whole; the kinds of the kept fields are inferred from every feature, so the layer
//! is the full one with the rest left out. A feature without geometry (or with an empty one) is
//! always kept.
//!
//! # Encoding
//!
//! GeoJSON is UTF-8 (a UTF-8 BOM is ignored); a file that is not valid UTF-8 is an error that
//! suggests `--encoding`. When [`ReadOptions::encoding`] names another encoding (some Chinese
//! tools write GeoJSON in GBK) the whole file is decoded with it first.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use geo::{
    BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value as Json;
use tuban_core::layer::{Feature, Field, FieldKind, Layer, Value};

use crate::error::ReadError;
use crate::read::{encoding_by_name, ReadOptions, Subset};

/// Reads the GeoJSON file at `path` into a [`Layer`].
///
/// The layer's `name` is the file stem (or [`ReadOptions::name`]), `source` the path, `encoding`
/// the text encoding used, and `crs_text` the legacy `crs` name if any. Features are numbered from
/// 1 in file order. See the [module documentation](self) for the details.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_filtered(path, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read`], keeping only the fields and features `subset` says (see [`Subset`]); also returns
/// how many features the box filter left out. The whole file is still parsed (the field kinds are
/// inferred from every feature, as in a full read); the filter tests each feature's geometry's
/// bounding box once it is read, and features left out are dropped at once.
pub fn read_filtered(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::io(path, e))?;
    read_bytes_filtered(path, &bytes, opts, subset)
}

/// Reads a GeoJSON document held in memory, exactly as [`read`] reads a file; `path` is only
/// used to name the layer and in messages.
///
/// ```
/// use std::path::Path;
/// use tuban_io::{geojson, read::ReadOptions};
///
/// let text = br#"{"type": "Feature", "properties": {"XH": 1},
///     "geometry": {"type": "Point", "coordinates": [1, 2]}}"#;
/// let layer = geojson::read_bytes(Path::new("wells.geojson"), text, &ReadOptions::default())?;
/// assert_eq!((layer.name.as_str(), layer.features.len()), ("wells", 1));
/// let e = geojson::read_bytes(Path::new("bad.geojson"), b"{\"type\": ", &ReadOptions::default());
/// assert!(e.unwrap_err().to_string().starts_with("bad.geojson:1:"));
/// # Ok::<(), tuban_io::error::ReadError>(())
/// ```
pub fn read_bytes(path: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_bytes_filtered(path, bytes, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read_bytes`] with a [`Subset`], as [`read_filtered`].
pub fn read_bytes_filtered(
    path: &Path,
    bytes: &[u8],
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let (text, encoding) = decode(path, bytes, opts)?;
    let doc: RawDoc = serde_json::from_str(&text).map_err(|e| json_error(path, &e))?;

    let mut crs_text = None;
    let raw_features: Vec<RawFeature> = match doc.kind.as_str() {
        "FeatureCollection" => {
            crs_text = doc.crs.as_ref().and_then(crs_name);
            doc.features.ok_or_else(|| {
                ReadError::invalid(
                    path,
                    "is a FeatureCollection without a \"features\" array; fix the file",
                )
            })?
        }
        "Feature" => {
            crs_text = doc.crs.as_ref().and_then(crs_name);
            vec![RawFeature {
                kind: doc.kind.clone(),
                geometry: doc.geometry,
                properties: doc.properties,
            }]
        }
        "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
        | "GeometryCollection" => {
            let geometry: ::geojson::Geometry =
                serde_json::from_str(&text).map_err(|e| json_error(path, &e))?;
            vec![RawFeature {
                kind: "Feature".into(),
                geometry: Some(geometry),
                properties: None,
            }]
        }
        other => {
            return Err(ReadError::invalid(
                path,
                format!(
                    "has \"type\": {other:?} at the top, which is not GeoJSON; expected a \
                     FeatureCollection, a Feature or a geometry"
                ),
            ))
        }
    };
    drop(text);

    // Schema: names in first-seen order, kinds inferred from the values.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut seen: Vec<Seen> = Vec::new();
    for f in &raw_features {
        for (name, value) in f.properties.iter().flat_map(|p| p.0.iter()) {
            let i = *index.entry(name.clone()).or_insert_with(|| {
                names.push(name.clone());
                seen.push(Seen::default());
                names.len() - 1
            });
            seen[i].note(value);
        }
    }
    let kinds: Vec<FieldKind> = seen.iter().map(Seen::kind).collect();
    // The fields kept, in first-seen order: `slot[i]` is where field `i` goes in a feature's
    // values, `None` when it is not kept.
    let mut slot: Vec<Option<usize>> = Vec::with_capacity(names.len());
    let mut fields = Vec::new();
    for (name, kind) in names.into_iter().zip(kinds) {
        if subset.keeps_field(&name) {
            slot.push(Some(fields.len()));
            fields.push(Field::new(name, kind));
        } else {
            slot.push(None);
        }
    }

    let mut features = Vec::with_capacity(if subset.keep.is_some() {
        raw_features.len().min(1 << 16)
    } else {
        raw_features.len()
    });
    let mut filtered_out = 0;
    for (i, f) in raw_features.into_iter().enumerate() {
        let number = i + 1;
        let feature_error = |message: String| ReadError::Feature {
            path: path.to_path_buf(),
            feature: number,
            message,
        };
        if f.kind != "Feature" {
            return Err(feature_error(format!(
                "has \"type\": {:?} where a Feature should be; fix the file",
                f.kind
            )));
        }
        let geometry = f
            .geometry
            .map(|g| convert(&g.value))
            .transpose()
            .map_err(feature_error)?;
        if let (Some(keep), Some(rect)) = (
            &subset.keep,
            geometry.as_ref().and_then(|g| g.bounding_rect()),
        ) {
            if !keep.keeps(&rect) {
                filtered_out += 1;
                continue;
            }
        }
        let mut values = vec![Value::Null; fields.len()];
        for (name, value) in f.properties.into_iter().flat_map(|p| p.0) {
            if let Some(&Some(k)) = index.get(&name).map(|&i| &slot[i]) {
                values[k] = to_value(value, fields[k].kind);
            }
        }
        features.push(Feature::new(number, geometry, values));
    }

    let base = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let layer = Layer {
        name: opts.name.clone().unwrap_or(base),
        source: Some(path.to_path_buf()),
        fields,
        features,
        crs_text,
        encoding: Some(encoding),
    };
    Ok((layer, filtered_out))
}

/// The file's text and the encoding label.
fn decode<'a>(
    path: &Path,
    bytes: &'a [u8],
    opts: &ReadOptions,
) -> Result<(Cow<'a, str>, String), ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(name) = &opts.encoding {
        let (enc, label) = encoding_by_name(name).ok_or_else(|| ReadError::Encoding {
            path: path.to_path_buf(),
            message: format!(
                "unknown text encoding {name:?} (given with --encoding); GeoJSON is normally \
                 UTF-8: leave --encoding out, or use GBK or GB18030"
            ),
        })?;
        if enc != encoding_rs::UTF_8 {
            let text = enc
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or_else(|| ReadError::Encoding {
                    path: path.to_path_buf(),
                    message: format!(
                        "is not valid {label} text (the encoding given with --encoding); check \
                         the encoding"
                    ),
                })?;
            return Ok((text, format!("{label} (given by the user)")));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), "UTF-8 (GeoJSON)".to_string())),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Err(ReadError::Encoding {
                path: path.to_path_buf(),
                message: format!(
                    "is not valid UTF-8 (first bad byte on line {line}), as GeoJSON must be; if \
                     it was written in another encoding, say it with --encoding (e.g. \
                     --encoding GBK)"
                ),
            })
        }
    }
}

/// A serde_json error as [`ReadError::Json`], with its line and column.
fn json_error(path: &Path, e: &serde_json::Error) -> ReadError {
    let mut message = e.to_string();
    // serde_json appends " at line L column C"; the position is shown separately.
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    let advice = match e.classify() {
        _ if message.starts_with("number out of range") => {
            "a number is beyond what a double can hold (about 1.8e308); fix it there"
        }
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "the file is not valid JSON; fix it there (or export it again)"
        }
        _ => {
            "the file is JSON but not the GeoJSON tuban expects; fix it there (or export it again)"
        }
    };
    ReadError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: format!("{message}; {advice}"),
    }
}

/// The legacy `crs` member's name, if it has one.
fn crs_name(crs: &Json) -> Option<String> {
    let props = crs.get("properties")?;
    if let Some(name) = props.get("name").and_then(Json::as_str) {
        return Some(name.to_string());
    }
    if crs.get("type").and_then(Json::as_str) == Some("EPSG") {
        if let Some(code) = props.get("code").and_then(Json::as_u64) {
            return Some(format!("EPSG:{code}"));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// What is deserialized

/// The top-level object: a FeatureCollection, a Feature or a geometry (whose members other than
/// `type` are ignored here and read again as a geometry).
#[derive(Deserialize)]
#[serde(expecting = "a GeoJSON object (a FeatureCollection, a Feature or a geometry)")]
struct RawDoc {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    features: Option<Vec<RawFeature>>,
    #[serde(default)]
    geometry: Option<::geojson::Geometry>,
    #[serde(default)]
    properties: Option<Props>,
    #[serde(default)]
    crs: Option<Json>,
}

#[derive(Deserialize)]
#[serde(expecting = "a GeoJSON Feature object")]
struct RawFeature {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    geometry: Option<::geojson::Geometry>,
    #[serde(default)]
    properties: Option<Props>,
}

/// A feature's properties in file order (serde_json's map sorts its keys).
struct Props(Vec<(String, Json)>);

impl<'de> Deserialize<'de> for Props {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropsVisitor;
        impl<'de> Visitor<'de> for PropsVisitor {
            type Value = Props;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Props, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry::<String, Json>()? {
                    entries.push(entry);
                }
                Ok(Props(entries))
            }
        }
        deserializer.deserialize_map(PropsVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Attribute kinds

/// Which kinds of value a property has shown.
#[derive(Default)]
struct Seen {
    bool: bool,
    int: bool,
    float: bool,
    text: bool,
    other: bool,
}

impl Seen {
    fn note(&mut self, v: &Json) {
        match v {
            Json::Null => {}
            Json::Bool(_) => self.bool = true,
            Json::Number(n) if n.is_i64() => self.int = true,
            Json::Number(_) => self.float = true,
            Json::String(_) => self.text = true,
            Json::Array(_) | Json::Object(_) => self.other = true,
        }
    }

    fn kind(&self) -> FieldKind {
        match (self.bool, self.int, self.float, self.text, self.other) {
            (true, false, false, false, false) => FieldKind::Bool,
            (false, true, false, false, false) => FieldKind::Integer,
            (false, _, true, false, false) => FieldKind::Float,
            _ => FieldKind::Text,
        }
    }
}

fn to_value(v: Json, kind: FieldKind) -> Value {
    match (v, kind) {
        (Json::Null, _) => Value::Null,
        (Json::Bool(b), FieldKind::Bool) => Value::Bool(b),
        (Json::Number(n), FieldKind::Integer) => n.as_i64().map_or(Value::Null, Value::Int),
        (Json::Number(n), FieldKind::Float) => n.as_f64().map_or(Value::Null, Value::Float),
        (Json::String(s), _) => Value::Text(s),
        (other, _) => Value::Text(other.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry

fn coord(p: &::geojson::Position) -> Result<Coord<f64>, String> {
    match p.as_slice() {
        [x, y, ..] if x.is_finite() && y.is_finite() => Ok(Coord { x: *x, y: *y }),
        [_, _, ..] => Err("has a coordinate that is not a finite number; fix the file".into()),
        short => Err(format!(
            "has a position with {} number{} (a position needs x and y); fix the file",
            short.len(),
            if short.len() == 1 { "" } else { "s" }
        )),
    }
}

fn coords(ps: &[::geojson::Position]) -> Result<Vec<Coord<f64>>, String> {
    ps.iter().map(coord).collect()
}

fn line(ps: &[::geojson::Position]) -> Result<LineString<f64>, String> {
    let c = coords(ps)?;
    if c.len() == 1 {
        return Err("has a line with 1 position (a line needs at least 2); fix the file".into());
    }
    Ok(LineString(c))
}

fn polygon(rings: &[Vec<::geojson::Position>]) -> Result<Polygon<f64>, String> {
    let mut out = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        let mut c = coords(ring)?;
        let written = c.len();
        if c.first() != c.last() {
            if let Some(&first) = c.first() {
                c.push(first);
            }
        }
        if c.len() < 4 {
            return Err(format!(
                "polygon ring {} has {written} position{} (a ring needs at least 4: three corners \
                 and the first one repeated); fix the file",
                i + 1,
                if written == 1 { "" } else { "s" }
            ));
        }
        out.push(LineString(c));
    }
    let mut rings = out.into_iter();
    let exterior = rings.next().unwrap_or_else(|| LineString(vec![]));
    Ok(Polygon::new(exterior, rings.collect()))
}

fn convert(g: &::geojson::GeometryValue) -> Result<Geometry<f64>, String> {
    use ::geojson::GeometryValue as G;
    Ok(match g {
        G::Point { coordinates } => Geometry::Point(Point(coord(coordinates)?)),
        G::MultiPoint { coordinates } => Geometry::MultiPoint(MultiPoint(
            coords(coordinates)?.into_iter().map(Point).collect(),
        )),
        G::LineString { coordinates } => Geometry::LineString(line(coordinates)?),
        G::MultiLineString { coordinates } => Geometry::MultiLineString(MultiLineString(
            coordinates
                .iter()
                .map(|l| line(l))
                .collect::<Result<_, _>>()?,
        )),
        G::Polygon { coordinates } => Geometry::Polygon(polygon(coordinates)?),
        G::MultiPolygon { coordinates } => Geometry::MultiPolygon(MultiPolygon(
            coordinates
                .iter()
                .map(|p| polygon(p))
                .collect::<Result<_, _>>()?,
        )),
        G::GeometryCollection { .. } => {
            return Err(
                "is a GeometryCollection, which tuban does not read; split it into \
                        features of one geometry type each (e.g. ogr2ogr -explodecollections)"
                    .into(),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_inferred() {
        let mut s = Seen::default();
        s.note(&serde_json::json!(1));
        s.note(&serde_json::json!(null));
        assert_eq!(s.kind(), FieldKind::Integer);
        s.note(&serde_json::json!(1.5));
        assert_eq!(s.kind(), FieldKind::Float);
        s.note(&serde_json::json!("x"));
        assert_eq!(s.kind(), FieldKind::Text);
        assert_eq!(Seen::default().kind(), FieldKind::Text);
        assert_eq!(
            to_value(serde_json::json!({"a": [1, 2]}), FieldKind::Text),
            Value::Text("{\"a\":[1,2]}".into())
        );
        assert_eq!(
            to_value(serde_json::json!(3), FieldKind::Float),
            Value::Float(3.0)
        );
    }

    #[test]
    fn short_positions_are_errors_not_panics() {
        let g: ::geojson::Geometry =
            serde_json::from_str(r#"{"type":"LineString","coordinates":[[1],[2,3]]}"#).unwrap();
        let e = convert(&g.value).unwrap_err();
        assert!(e.contains("1 number"), "{e}");
    }
}
