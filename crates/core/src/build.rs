//! From layers to the overlay's inputs: [`Patch`]es from the patch layer, [`Obstacle`]s from the
//! obstacle layers through the [`Rules`].

use geo::{Geometry, MultiPolygon};
use thiserror::Error;

use crate::layer::Layer;
use crate::overlay::{Obstacle, Patch};
use crate::rules::{Decision, Rules};

/// A layer cannot be turned into patches or obstacles.
#[derive(Debug, Error, PartialEq)]
pub enum BuildError {
    /// A field the run needs is not in the layer.
    #[error("{layer}: has no field '{field}' ({purpose}); its fields are: {available}")]
    MissingField {
        /// The layer's label (path or name).
        layer: String,
        /// The missing field.
        field: String,
        /// What the field was needed for.
        purpose: String,
        /// The fields it does have.
        available: String,
    },
    /// A record's geometry is of a type this use cannot take.
    #[error("{layer}: record {record}: {found} geometry where {expected} was expected")]
    WrongGeometry {
        /// The layer's label.
        layer: String,
        /// Record number, from 1.
        record: usize,
        /// The geometry type found.
        found: &'static str,
        /// What was expected.
        expected: &'static str,
    },
}

fn available(layer: &Layer) -> String {
    layer
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How patches get their identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchFields {
    /// Field holding the patch identifier; `None` uses the record number.
    pub id: Option<String>,
    /// Field holding the village name; `None` leaves the village empty.
    pub village: Option<String>,
}

impl PatchFields {
    /// The usual choice for a rectification-patch layer: the first of `TBBH`, `BSM`, `XH` present
    /// as the id, and `QSDWMC` (else `ZLDWMC`) as the village.
    pub fn guess(layer: &Layer) -> Self {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| layer.field_index(n).map(|i| layer.fields[i].name.clone()))
        };
        PatchFields {
            id: first(&["TBBH", "BSM", "XH"]),
            village: first(&["QSDWMC", "ZLDWMC"]),
        }
    }
}

/// The patches of `layer`, one per record in record order. A record without geometry becomes a
/// patch with an empty geometry (the overlay reports it as that patch's error, and the others
/// go on); a record with a point or line is an error, since it cannot be a patch.
pub fn patches_from_layer(layer: &Layer, fields: &PatchFields) -> Result<Vec<Patch>, BuildError> {
    let lookup = |name: &Option<String>, purpose: &str| -> Result<Option<usize>, BuildError> {
        match name {
            None => Ok(None),
            Some(n) => layer.field_index(n).map(Some).ok_or_else(|| BuildError::MissingField {
                layer: layer.label(),
                field: n.clone(),
                purpose: purpose.into(),
                available: available(layer),
            }),
        }
    };
    let id_idx = lookup(&fields.id, "the patch identifier")?;
    let village_idx = lookup(&fields.village, "the village")?;
    layer
        .features
        .iter()
        .map(|f| {
            let id = match id_idx {
                Some(i) => f.values[i].to_string(),
                None => f.record.to_string(),
            };
            let village = village_idx.map(|i| f.values[i].to_string()).unwrap_or_default();
            let geometry = match &f.geometry {
                None => MultiPolygon(vec![]),
                Some(g) => as_areal(g).ok_or_else(|| BuildError::WrongGeometry {
                    layer: layer.label(),
                    record: f.record,
                    found: geometry_name(g),
                    expected: "a polygon (patches are areas)",
                })?,
            };
            Ok(Patch::new(id, village, geometry).with_record(f.record))
        })
        .collect()
}

/// The obstacles of `layer` (playing role `role`) under `rules`. Features no rule claims, and
/// those a `none` rule claims, are skipped; null geometries are skipped.
///
/// Only areal features are taken here; point and line obstacles need a size (grave discs, road
/// widths) and are turned into areas before they reach this function.
pub fn obstacles_from_layer(
    role: &str,
    layer: &Layer,
    rules: &Rules,
) -> Result<Vec<Obstacle>, BuildError> {
    if let Some(field) = rules.missing_fields(role, layer).into_iter().next() {
        return Err(BuildError::MissingField {
            layer: layer.label(),
            field,
            purpose: format!("a rule for the '{role}' layer tests it"),
            available: available(layer),
        });
    }
    let mut out = Vec::new();
    for f in &layer.features {
        let Decision::Obstacle(class) = rules.classify(role, layer, f) else {
            continue;
        };
        let Some(g) = &f.geometry else { continue };
        let mp = as_areal(g).ok_or_else(|| BuildError::WrongGeometry {
            layer: layer.label(),
            record: f.record,
            found: geometry_name(g),
            expected: "a polygon",
        })?;
        out.push(Obstacle::new(class, mp).with_source(role, f.record));
    }
    Ok(out)
}

/// The geometry as a multipolygon, if it is areal.
pub fn as_areal(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(mp) => Some(mp.clone()),
        Geometry::Rect(r) => Some(MultiPolygon(vec![r.to_polygon()])),
        Geometry::Triangle(t) => Some(MultiPolygon(vec![t.to_polygon()])),
        _ => None,
    }
}

/// The OGC name of a geometry's type.
pub fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}
