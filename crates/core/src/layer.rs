//! Vector layers as tuban sees them: geometries with a typed attribute table.
//!
//! A [`Layer`] is what every reader produces (ESRI shapefile, GeoJSON, …) and what the overlay
//! consumes. It is deliberately plain data, so a test or an embedder can build one by hand:
//!
//! ```
//! use tuban_core::layer::{Feature, Field, FieldKind, Layer, Value};
//! use geo::{polygon, Geometry};
//!
//! let mut layer = Layer::new("landuse");
//! layer.fields.push(Field::new("DLBM", FieldKind::Text));
//! layer.features.push(Feature::new(
//!     1,
//!     Some(Geometry::Polygon(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)])),
//!     vec![Value::Text("0301".into())],
//! ));
//! assert_eq!(layer.value(&layer.features[0], "dlbm"), Some(&Value::Text("0301".into())));
//! ```

use std::fmt;
use std::path::PathBuf;

use geo::Geometry;
use serde::{Deserialize, Serialize};

/// The kind of an attribute column. Mirrors the DBF field types tuban reads (C, N, F, D, L).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Character data (DBF `C`, GeoJSON strings).
    Text,
    /// Whole numbers (DBF `N` without decimals).
    Integer,
    /// Numbers with a fraction (DBF `N` with decimals, `F`, GeoJSON numbers).
    Float,
    /// Logical (DBF `L`, GeoJSON booleans).
    Bool,
    /// A calendar date (DBF `D`).
    Date,
}

/// An attribute column: its name as in the source file and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Column name as written in the source (DBF names are at most 10 bytes).
    pub name: String,
    /// What the column holds.
    pub kind: FieldKind,
}

impl Field {
    /// A field named `name` of kind `kind`.
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        Field {
            name: name.into(),
            kind,
        }
    }
}

/// One attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// Empty, blank or unreadable in the source.
    Null,
    /// Logical value.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Number with a fraction.
    Float(f64),
    /// Text (already decoded from the file's encoding), and dates as `YYYY-MM-DD`.
    Text(String),
}

impl Value {
    /// The value as text, the way a land-use code is compared: numbers without a trailing `.0`.
    /// `None` for [`Value::Null`].
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Text(s) => Some(s.clone()),
        }
    }

    /// The value as a number, parsing text if it holds one. `None` if it is not numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Text(s) => s.trim().parse().ok(),
            Value::Null | Value::Bool(_) => None,
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

/// One record of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The record's number in its source, counted from 1 (the shapefile record number, or the
    /// position in a GeoJSON FeatureCollection plus one). Error messages and outputs use it.
    pub record: usize,
    /// The shape; `None` for a null shape.
    pub geometry: Option<Geometry<f64>>,
    /// One value per [`Layer::fields`] entry, in the same order.
    pub values: Vec<Value>,
}

impl Feature {
    /// A feature with the given record number, geometry and attribute values.
    pub fn new(record: usize, geometry: Option<Geometry<f64>>, values: Vec<Value>) -> Self {
        Feature {
            record,
            geometry,
            values,
        }
    }
}

/// A named set of features sharing one attribute schema, as read from one file.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// A short name: the file stem, or the role given in the project file.
    pub name: String,
    /// The file the layer was read from, if any.
    pub source: Option<PathBuf>,
    /// The attribute schema.
    pub fields: Vec<Field>,
    /// The records, in file order.
    pub features: Vec<Feature>,
    /// The coordinate reference system as the source stated it (the `.prj` WKT, or a GeoJSON
    /// `crs` name), untouched. `None` when the source said nothing.
    pub crs_text: Option<String>,
    /// The text encoding the attributes were decoded with (e.g. `GBK`, `UTF-8`), and how it was
    /// chosen (e.g. `.cpg`, `language driver 0x4D`, `option`).
    pub encoding: Option<String>,
}

impl Layer {
    /// An empty layer called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Layer {
            name: name.into(),
            ..Default::default()
        }
    }

    /// The index of the field called `name`, compared ASCII-case-insensitively (DBF field names
    /// are upper case by convention, GeoJSON properties are whatever the writer chose).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The value of field `name` in `feature`, if the field exists.
    pub fn value<'a>(&self, feature: &'a Feature, name: &str) -> Option<&'a Value> {
        self.field_index(name).and_then(|i| feature.values.get(i))
    }

    /// A human label for the layer in messages: its source path if known, else its name.
    pub fn label(&self) -> String {
        match &self.source {
            Some(p) => p.display().to_string(),
            None => self.name.clone(),
        }
    }
}
