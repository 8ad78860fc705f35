//! From layers to the overlay's inputs: [`Patch`]es from the patch layer, [`Obstacle`]s from the
//! obstacle layers through the [`Rules`].

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::layer::Layer;
use crate::overlay::{Obstacle, Patch};
use crate::rules::{Decision, Rules};
use crate::shapes::{disc, disc_radius_for_area, road_corridor, DEFAULT_QUAD_SEGS};

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
    /// A record's attribute cannot be used.
    #[error("{layer}: record {record}: {message}")]
    BadValue {
        /// The layer's label.
        layer: String,
        /// Record number, from 1.
        record: usize,
        /// What is wrong and what to do.
        message: String,
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

/// The index of the field `name` if one is asked for; an error naming the layer, the field, what
/// it was for and the fields there are, if the layer lacks it.
fn optional_field(
    layer: &Layer,
    name: &Option<String>,
    purpose: &str,
) -> Result<Option<usize>, BuildError> {
    match name {
        None => Ok(None),
        Some(n) => layer
            .field_index(n)
            .map(Some)
            .ok_or_else(|| BuildError::MissingField {
                layer: layer.label(),
                field: n.clone(),
                purpose: purpose.into(),
                available: available(layer),
            }),
    }
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
    /// The usual choice for a rectification-patch layer: the first field of
    /// [`PatchFields::ID_CANDIDATES`] the layer has as the id, and the first of
    /// [`PatchFields::VILLAGE_CANDIDATES`] as the village (names compared exactly, ignoring ASCII
    /// case).
    pub fn guess(layer: &Layer) -> Self {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| layer.field_index(n).map(|i| layer.fields[i].name.clone()))
        };
        PatchFields {
            id: first(Self::ID_CANDIDATES),
            village: first(Self::VILLAGE_CANDIDATES),
        }
    }

    /// Where patch layers in the field keep their identifier, in order of preference: `TBBH`
    /// (图斑编号, patch number), `BSM` (标识码, feature code), `XH` (序号, serial number).
    pub const ID_CANDIDATES: &'static [&'static str] = &["TBBH", "BSM", "XH"];

    /// Where patch layers in the field keep their village, in order of preference: `QSDWMC`
    /// (权属单位名称, the owner: the village collective), `ZLDWMC` (坐落单位名称, the seat), then
    /// the names county offices use: `XZCMC` (行政村名称), `CUNMC`, `CMC`, `CUN`, `村名`, `村`.
    /// `QSDWMC` and `ZLDWMC` may hold full unit names (`二坪镇中山村民委员会`): see
    /// [`short_village_name`].
    pub const VILLAGE_CANDIDATES: &'static [&'static str] = &[
        "QSDWMC", "ZLDWMC", "XZCMC", "CUNMC", "CMC", "CUN", "村名", "村",
    ];

    /// Every name [`PatchFields::guess`] looks for: identifiers, then villages.
    pub const CANDIDATES: [&'static [&'static str]; 2] =
        [Self::ID_CANDIDATES, Self::VILLAGE_CANDIDATES];
}

/// The village's short name in a 坐落单位/权属单位 name: the township (or county and township)
/// in front and the 村民委员会 / 居民委员会 / 村委会 suffix are dropped, so that
/// `二坪镇中山村民委员会` reads `中山村` and `二坪镇二坪社区居民委员会` reads `二坪社区`. A name
/// without those parts comes back unchanged.
///
/// The township is cut at the first 镇, 乡 or 街道 that has a name before it and leaves at least
/// two characters after it, so a village whose own name holds 镇 (`二坪镇镇江村`) keeps it.
///
/// ```
/// use tuban_core::build::short_village_name;
/// assert_eq!(short_village_name("二坪镇中山村民委员会"), "中山村");
/// assert_eq!(short_village_name("铜梁区二坪镇隘口村民委员会"), "隘口村");
/// assert_eq!(short_village_name("二坪镇二坪社区居民委员会"), "二坪社区");
/// assert_eq!(short_village_name("二坪镇镇江村村委会"), "镇江村");
/// assert_eq!(short_village_name("乡宁县关王庙乡北庄村民委员会"), "北庄村");
/// assert_eq!(short_village_name("巴川街道办事处玉屏社区居民委员会"), "玉屏社区");
/// assert_eq!(short_village_name("中山村"), "中山村");
/// ```
pub fn short_village_name(name: &str) -> String {
    let name = name.trim();
    let mut core = name.to_string();
    for (suffix, keep) in [
        ("村民委员会", "村"),
        ("村村委会", "村"),
        ("村委会", "村"),
        ("社区居民委员会", "社区"),
        ("居民委员会", "社区"),
        ("社区居委会", "社区"),
        ("居委会", "社区"),
    ] {
        if let Some(stem) = core.strip_suffix(suffix) {
            core = format!("{stem}{keep}");
            break;
        }
    }
    let chars: Vec<char> = core.chars().collect();
    for i in 1..chars.len() {
        let marker = match chars[i] {
            '镇' | '乡' => 1,
            '街' if chars.get(i + 1) == Some(&'道') => {
                let office: String = chars.iter().skip(i + 2).take(3).collect();
                if office == "办事处" {
                    5
                } else {
                    2
                }
            }
            _ => continue,
        };
        let rest = &chars[i + marker..];
        if rest.len() >= 2 {
            return rest.iter().collect();
        }
    }
    core
}

/// The patches of `layer`, one per record in record order. A record without geometry becomes a
/// patch with an empty geometry (the overlay reports it as that patch's error, and the others
/// go on); a record with a point or line is an error, since it cannot be a patch.
pub fn patches_from_layer(layer: &Layer, fields: &PatchFields) -> Result<Vec<Patch>, BuildError> {
    let lookup = |name: &Option<String>, purpose: &str| optional_field(layer, name, purpose);
    let id_idx = lookup(&fields.id, "the patch identifier")?;
    let village_idx = lookup(&fields.village, "the village")?;
    // In parallel; the error reported is that of the first bad record.
    let patches: Vec<Result<Patch, BuildError>> = layer
        .features
        .par_iter()
        .map(|f| {
            let id = match id_idx {
                Some(i) => f.values[i].to_string(),
                None => f.record.to_string(),
            };
            let village = village_idx
                .map(|i| f.values[i].to_string())
                .unwrap_or_default();
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
        .collect();
    patches.into_iter().collect()
}

/// The road width field a line layer is read with when [`ShapeParams::width_field`] names none
/// ([`crate::defaults::ROAD_WIDTH_FIELD`]).
pub const DEFAULT_WIDTH_FIELD: &str = crate::defaults::ROAD_WIDTH_FIELD;

/// How point and line features become areas. Areal features are used as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShapeParams {
    /// Points: disc radius in metres (default 2 m).
    #[serde(default = "default_radius")]
    pub radius_m: f64,
    /// Points: a field holding each disc's area in m², used instead of `radius_m` (the disc's
    /// radius is chosen so that the polygon has exactly that area).
    #[serde(default)]
    pub area_field: Option<String>,
    /// Points: a field holding how many graves the point stands for (default: 1 each).
    #[serde(default)]
    pub count_field: Option<String>,
    /// Lines: the field holding the width in metres (default `KD`, the survey's field).
    #[serde(default)]
    pub width_field: Option<String>,
    /// Lines: the width to use where the width field is empty or absent; without it an empty
    /// width is an error.
    #[serde(default)]
    pub default_width_m: Option<f64>,
    /// Lines narrower than this are not obstacles (default 1.0 m: in the south, field paths
    /// under 1 m count as cropland).
    #[serde(default = "default_min_width")]
    pub min_width_m: f64,
    /// Segments per quarter circle for discs and round joins (default 8, as GEOS and PostGIS).
    #[serde(default = "default_quad_segs")]
    pub quad_segs: u32,
    /// Lines: what the width field's values are multiplied by to give metres (default 1; 0.01
    /// for a field in centimetres). See [`crate::measures`].
    #[serde(default = "one")]
    pub width_scale: f64,
    /// Points: what the area field's values are multiplied by to give m² (default 1; 666.667
    /// for a field in mu).
    #[serde(default = "one")]
    pub area_scale: f64,
}

fn one() -> f64 {
    1.0
}

fn default_radius() -> f64 {
    crate::defaults::GRAVE_RADIUS_M
}
fn default_min_width() -> f64 {
    crate::defaults::ROAD_MIN_WIDTH_M
}
fn default_quad_segs() -> u32 {
    DEFAULT_QUAD_SEGS
}

impl Default for ShapeParams {
    fn default() -> Self {
        ShapeParams {
            radius_m: default_radius(),
            area_field: None,
            count_field: None,
            width_field: None,
            default_width_m: None,
            min_width_m: default_min_width(),
            quad_segs: default_quad_segs(),
            width_scale: 1.0,
            area_scale: 1.0,
        }
    }
}

/// The obstacles of `layer` (playing role `role`) under `rules`. Features no rule claims, and
/// those a `none` rule claims, are skipped; null geometries are skipped.
///
/// Polygons are taken as they are. Points become discs ([`disc`]) that also count the point
/// (see [`Obstacle::tally`]); lines become corridors of their width ([`road_corridor`]), and lines
/// narrower than `params.min_width_m` are skipped.
pub fn obstacles_from_layer(
    role: &str,
    layer: &Layer,
    rules: &Rules,
    params: &ShapeParams,
) -> Result<Vec<Obstacle>, BuildError> {
    check_rule_fields(role, layer, rules)?;
    let class_of = |layer: &Layer, f: &crate::layer::Feature| match rules.classify(role, layer, f) {
        Decision::Obstacle(class) => Some(class),
        _ => None,
    };
    build_obstacles(
        role,
        layer,
        Features::Borrowed(&layer.features),
        params,
        &|layer, _, f| class_of(layer, f),
    )
}

/// [`obstacles_from_layer`], consuming the layer: polygons move into their obstacles instead of
/// being copied, so a land-use layer of millions of polygons is not held twice.
pub fn obstacles_from_owned_layer(
    role: &str,
    layer: Layer,
    rules: &Rules,
    params: &ShapeParams,
) -> Result<Vec<Obstacle>, BuildError> {
    check_rule_fields(role, &layer, rules)?;
    let class_of = |layer: &Layer, f: &crate::layer::Feature| match rules.classify(role, layer, f) {
        Decision::Obstacle(class) => Some(class),
        _ => None,
    };
    obstacles_classed(role, layer, params, &class_of)
}

/// [`obstacles_from_owned_layer`] with the class of each feature chosen by `class_of` instead of
/// rules (`None`: not an obstacle): points become discs, lines corridors, polygons move as they
/// are, exactly as there. Used to measure a land-use layer code by code (every feature an
/// "obstacle" whose class is its code's row) with the very polygons that become obstacles.
pub fn obstacles_classed(
    role: &str,
    layer: Layer,
    params: &ShapeParams,
    class_of: &(dyn Fn(&Layer, &crate::layer::Feature) -> Option<usize> + Sync),
) -> Result<Vec<Obstacle>, BuildError> {
    owned_obstacles(role, layer, params, &|layer, _, f| class_of(layer, f))
}

/// [`obstacles_classed`] with the class of each feature given by its index in the layer's
/// features (`None`: not an obstacle), for a caller that has already decided every feature (the
/// land-use code table keys each feature once, then classes it by its row, kept compactly).
pub fn obstacles_by_index(
    role: &str,
    layer: Layer,
    params: &ShapeParams,
    class_at: &(dyn Fn(usize) -> Option<usize> + Sync),
) -> Result<Vec<Obstacle>, BuildError> {
    owned_obstacles(role, layer, params, &|_, i, _| class_at(i))
}

/// The class of a feature from the layer, its index in the layer's features and itself.
type ClassOf<'a> = dyn Fn(&Layer, usize, &crate::layer::Feature) -> Option<usize> + Sync + 'a;

fn owned_obstacles(
    role: &str,
    mut layer: Layer,
    params: &ShapeParams,
    class_of: &ClassOf,
) -> Result<Vec<Obstacle>, BuildError> {
    let mut features = std::mem::take(&mut layer.features);
    let has_lines = features.iter().any(is_line);
    build_obstacles(
        role,
        &layer,
        Features::Owned(&mut features, has_lines),
        params,
        class_of,
    )
}

/// Every field a rule for `role` tests must be in the layer: a missing one is a likely typo, or
/// the wrong layer, and would silently match nothing.
pub fn check_rule_fields(role: &str, layer: &Layer, rules: &Rules) -> Result<(), BuildError> {
    match rules.missing_fields(role, layer).into_iter().next() {
        None => Ok(()),
        Some(field) => Err(BuildError::MissingField {
            layer: layer.label(),
            field,
            purpose: format!("a rule for the '{role}' layer tests it"),
            available: available(layer),
        }),
    }
}

enum Features<'a> {
    Borrowed(&'a [crate::layer::Feature]),
    /// The features (taken out of the layer) and whether any is a line.
    Owned(&'a mut [crate::layer::Feature], bool),
}

fn is_line(f: &crate::layer::Feature) -> bool {
    matches!(
        f.geometry,
        Some(Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_))
    )
}

/// Records a chunk of the parallel build holds (the order and the first error stay the file's).
const CHUNK: usize = 4096;

fn build_obstacles(
    role: &str,
    layer: &Layer,
    features: Features<'_>,
    params: &ShapeParams,
    class_of: &ClassOf,
) -> Result<Vec<Obstacle>, BuildError> {
    let field = |name: &Option<String>, purpose: &str| optional_field(layer, name, purpose);
    let area_idx = field(&params.area_field, "the grave disc area (area_field)")?;
    let count_idx = field(&params.count_field, "the grave count (count_field)")?;
    // The width field is looked up only if the layer has lines (a polygon layer needs none).
    let has_lines = match &features {
        Features::Borrowed(fs) => fs.iter().any(is_line),
        Features::Owned(_, has_lines) => *has_lines,
    };
    let width_idx = if has_lines {
        match (&params.width_field, layer.field_index(DEFAULT_WIDTH_FIELD)) {
            (Some(_), _) => field(&params.width_field, "the road width (width_field)")?,
            (None, Some(i)) => Some(i),
            (None, None) if params.default_width_m.is_some() => None,
            (None, None) => {
                return Err(BuildError::MissingField {
                    layer: layer.label(),
                    field: DEFAULT_WIDTH_FIELD.into(),
                    purpose:
                        "the road width; name another with width_field, or give default_width_m"
                            .into(),
                    available: available(layer),
                })
            }
        }
    } else {
        None
    };
    let bad = |record: usize, message: String| BuildError::BadValue {
        layer: layer.label(),
        record,
        message,
    };
    let number = |f: &crate::layer::Feature, idx: usize| -> Result<Option<f64>, BuildError> {
        let v = &f.values[idx];
        if v.is_null() || matches!(v, crate::layer::Value::Text(t) if t.trim().is_empty()) {
            return Ok(None);
        }
        match v.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(bad(
                f.record,
                format!("{} is '{v}', not a number", layer.fields[idx].name),
            )),
        }
    };

    // Each feature is settled on its own (rules, discs, road corridors), in parallel; the
    // obstacles keep the layer's order, and the error reported is that of the first bad record.
    let one = |f: &crate::layer::Feature,
               class: usize,
               g: Geometry<f64>,
               out: &mut Vec<Obstacle>|
     -> Result<(), BuildError> {
        let g = match into_areal(g) {
            Ok(mp) => {
                out.push(Obstacle::new(class, mp).with_source(role, f.record));
                return Ok(());
            }
            Err(g) => g,
        };
        match &g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => {
                let radius = match area_idx {
                    None => params.radius_m,
                    Some(i) => match number(f, i)? {
                        Some(a) if a > 0.0 => {
                            disc_radius_for_area(a * params.area_scale, params.quad_segs)
                        }
                        Some(a) => {
                            return Err(bad(f.record, format!("grave area {a} is not positive")))
                        }
                        None => params.radius_m,
                    },
                };
                let count = match count_idx {
                    None => 1,
                    Some(i) => match number(f, i)? {
                        None => 1,
                        Some(c) if c >= 0.0 && c.fract() == 0.0 && c <= u32::MAX as f64 => c as u32,
                        Some(c) => {
                            return Err(bad(
                                f.record,
                                format!("grave count {c} is not a whole number"),
                            ))
                        }
                    },
                };
                let points: Vec<Coord<f64>> = match &g {
                    Geometry::Point(p) => vec![p.0],
                    Geometry::MultiPoint(mp) => mp.0.iter().map(|p| p.0).collect(),
                    _ => unreachable!(),
                };
                for at in points {
                    if !(at.x.is_finite() && at.y.is_finite()) {
                        return Err(bad(f.record, "the point has non-finite coordinates".into()));
                    }
                    let d = disc(at, radius, params.quad_segs);
                    out.push(
                        Obstacle::new(class, MultiPolygon(vec![d]))
                            .with_source(role, f.record)
                            .with_tally(at, count),
                    );
                }
            }
            Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => {
                let width = match width_idx.map(|i| number(f, i)).transpose()?.flatten() {
                    Some(w) => w * params.width_scale,
                    None => match params.default_width_m {
                        Some(w) => w,
                        None => {
                            return Err(bad(
                                f.record,
                                "the road width is empty; fill it in, or give default_width_m"
                                    .into(),
                            ))
                        }
                    },
                };
                if width < params.min_width_m {
                    return Ok(());
                }
                let lines = match &g {
                    Geometry::LineString(l) => MultiLineString(vec![l.clone()]),
                    Geometry::MultiLineString(m) => m.clone(),
                    Geometry::Line(l) => MultiLineString(vec![LineString(vec![l.start, l.end])]),
                    _ => unreachable!(),
                };
                let corridor = road_corridor(&lines, width, params.quad_segs);
                if !corridor.0.is_empty() {
                    out.push(Obstacle::new(class, corridor).with_source(role, f.record));
                }
            }
            other => {
                return Err(BuildError::WrongGeometry {
                    layer: layer.label(),
                    record: f.record,
                    found: geometry_name(other),
                    expected: "a polygon, point or line",
                })
            }
        }
        Ok(())
    };
    let class_of = |i: usize, f: &crate::layer::Feature| class_of(layer, i, f);
    let chunks: Vec<Result<Vec<Obstacle>, BuildError>> = match features {
        Features::Borrowed(fs) => fs
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = Vec::new();
                for (k, f) in chunk.iter().enumerate() {
                    if let (Some(class), Some(g)) = (class_of(c * CHUNK + k, f), &f.geometry) {
                        one(f, class, g.clone(), &mut out)?;
                    }
                }
                Ok(out)
            })
            .collect(),
        Features::Owned(fs, _) => fs
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = Vec::new();
                for (k, f) in chunk.iter_mut().enumerate() {
                    if let Some(class) = class_of(c * CHUNK + k, f) {
                        if let Some(g) = f.geometry.take() {
                            one(f, class, g, &mut out)?;
                        }
                    }
                }
                Ok(out)
            })
            .collect(),
    };
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.as_ref().map_or(0, Vec::len)).sum());
    for chunk in chunks {
        out.extend(chunk?);
    }
    Ok(out)
}

/// The geometry as a multipolygon if it is areal (moved, not copied), else itself.
fn into_areal(g: Geometry<f64>) -> Result<MultiPolygon<f64>, Geometry<f64>> {
    match g {
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Rect(r) => Ok(MultiPolygon(vec![r.to_polygon()])),
        Geometry::Triangle(t) => Ok(MultiPolygon(vec![t.to_polygon()])),
        other => Err(other),
    }
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
