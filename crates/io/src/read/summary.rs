//! What `tuban inspect FILE` shows of a layer: its geometry types, extent, fields and CRS
//! ([`LayerSummary`]), kept apart from the readers it summarises.

use std::fmt;
use std::path::PathBuf;

use geo::{BoundingRect, Geometry};
use serde::Serialize;
use tuban_core::layer::{Field, FieldKind, Layer};

/// The bounding box of a layer's geometries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Extent {
    /// Smallest x (easting or longitude).
    pub min_x: f64,
    /// Smallest y (northing or latitude).
    pub min_y: f64,
    /// Largest x.
    pub max_x: f64,
    /// Largest y.
    pub max_y: f64,
}

/// A summary of a layer, for `tuban inspect`: what is in it, where, and how it was decoded.
///
/// ```
/// use geo::{point, Geometry};
/// use tuban_core::layer::{Feature, Layer};
/// use tuban_io::read::LayerSummary;
///
/// let mut layer = Layer::new("graves");
/// layer.features.push(Feature::new(1, Some(Geometry::Point(point!(x: 1.0, y: 2.0))), vec![]));
/// layer.features.push(Feature::new(2, None, vec![]));
/// let s = LayerSummary::of(&layer);
/// assert_eq!(s.feature_count, 2);
/// assert_eq!(s.geometry_types, vec![("Point".to_string(), 1)]);
/// assert_eq!(s.null_geometries, 1);
/// assert_eq!(s.extent.unwrap().max_y, 2.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerSummary {
    /// The layer's name.
    pub name: String,
    /// The file it was read from.
    pub source: Option<PathBuf>,
    /// Number of features.
    pub feature_count: usize,
    /// Each geometry type present (`Point`, `MultiPolygon`, ...) with its count, in a fixed order
    /// (points, lines, polygons, then the rest). Features without geometry are not listed here.
    pub geometry_types: Vec<(String, usize)>,
    /// Number of features without geometry (null shapes).
    pub null_geometries: usize,
    /// The bounding box of all geometries; `None` if there are none (or all are empty).
    pub extent: Option<Extent>,
    /// The attribute columns with their kinds.
    pub fields: Vec<Field>,
    /// The text encoding used and why (see [`Layer::encoding`]).
    pub encoding: Option<String>,
    /// The CRS as the file stated it (see [`Layer::crs_text`]).
    pub crs_text: Option<String>,
}

/// Geometry type names in the order a summary lists them.
const TYPE_ORDER: [&str; 10] = [
    "Point",
    "MultiPoint",
    "Line",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "Rect",
    "Triangle",
    "GeometryCollection",
];

fn type_index(g: &Geometry<f64>) -> usize {
    match g {
        Geometry::Point(_) => 0,
        Geometry::MultiPoint(_) => 1,
        Geometry::Line(_) => 2,
        Geometry::LineString(_) => 3,
        Geometry::MultiLineString(_) => 4,
        Geometry::Polygon(_) => 5,
        Geometry::MultiPolygon(_) => 6,
        Geometry::Rect(_) => 7,
        Geometry::Triangle(_) => 8,
        Geometry::GeometryCollection(_) => 9,
    }
}

impl LayerSummary {
    /// Summarises `layer` (one pass over its features).
    pub fn of(layer: &Layer) -> Self {
        let mut counts = [0usize; TYPE_ORDER.len()];
        let mut null_geometries = 0;
        let mut extent: Option<Extent> = None;
        for feature in &layer.features {
            let Some(g) = &feature.geometry else {
                null_geometries += 1;
                continue;
            };
            counts[type_index(g)] += 1;
            if let Some(r) = g.bounding_rect() {
                let (lo, hi) = (r.min(), r.max());
                extent = Some(match extent {
                    None => Extent {
                        min_x: lo.x,
                        min_y: lo.y,
                        max_x: hi.x,
                        max_y: hi.y,
                    },
                    Some(e) => Extent {
                        min_x: e.min_x.min(lo.x),
                        min_y: e.min_y.min(lo.y),
                        max_x: e.max_x.max(hi.x),
                        max_y: e.max_y.max(hi.y),
                    },
                });
            }
        }
        let geometry_types = TYPE_ORDER
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| (name.to_string(), n))
            .collect();
        LayerSummary {
            name: layer.name.clone(),
            source: layer.source.clone(),
            feature_count: layer.features.len(),
            geometry_types,
            null_geometries,
            extent,
            fields: layer.fields.clone(),
            encoding: layer.encoding.clone(),
            crs_text: layer.crs_text.clone(),
        }
    }
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Integer => "integer",
        FieldKind::Float => "float",
        FieldKind::Bool => "bool",
        FieldKind::Date => "date",
    }
}

/// How many characters of the CRS text a summary shows (WKT can run to a kilobyte).
const CRS_SHOWN: usize = 100;

impl fmt::Display for LayerSummary {
    /// A readable block, e.g.:
    ///
    /// ```text
    /// layer      patches (data/patches.shp)
    /// features   5
    /// geometry   Polygon 3, MultiPolygon 1, none 1
    /// extent     x 601000 .. 601250, y 3304000 .. 3304100
    /// encoding   GBK (from .cpg)
    /// crs        PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",… (412 characters)
    /// fields     3
    ///   ZLDWMC   text
    ///   TBMJ     float
    ///   DLBM     text
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(p) => writeln!(f, "layer      {} ({})", self.name, p.display())?,
            None => writeln!(f, "layer      {}", self.name)?,
        }
        writeln!(f, "features   {}", self.feature_count)?;
        let mut kinds: Vec<String> = self
            .geometry_types
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        if self.null_geometries > 0 {
            kinds.push(format!("none {}", self.null_geometries));
        }
        if kinds.is_empty() {
            kinds.push("-".into());
        }
        writeln!(f, "geometry   {}", kinds.join(", "))?;
        match &self.extent {
            Some(e) => writeln!(
                f,
                "extent     x {} .. {}, y {} .. {}",
                e.min_x, e.max_x, e.min_y, e.max_y
            )?,
            None => writeln!(f, "extent     -")?,
        }
        writeln!(
            f,
            "encoding   {}",
            self.encoding.as_deref().unwrap_or("- (not applicable)")
        )?;
        match &self.crs_text {
            None => writeln!(f, "crs        - (not stated in the file)")?,
            Some(c) => {
                let chars = c.chars().count();
                let one_line: String = c.split_whitespace().collect::<Vec<_>>().join(" ");
                if chars > CRS_SHOWN {
                    let head: String = one_line.chars().take(CRS_SHOWN).collect();
                    writeln!(f, "crs        {head}… ({chars} characters)")?;
                } else {
                    writeln!(f, "crs        {one_line}")?;
                }
            }
        }
        write!(f, "fields     {}", self.fields.len())?;
        let width = self
            .fields
            .iter()
            .map(|fl| display_width(&fl.name))
            .max()
            .unwrap_or(0);
        for field in &self.fields {
            let pad = width - display_width(&field.name) + 2;
            write!(f, "\n  {}{:pad$}{}", field.name, "", kind_name(field.kind))?;
        }
        Ok(())
    }
}

/// Terminal columns `s` takes: 2 for East Asian wide characters (Chinese field names), else 1.
pub(super) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}
