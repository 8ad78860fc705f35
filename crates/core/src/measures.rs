//! The attributes an obstacle layer is measured by (road widths, grave areas and counts),
//! summarised and checked against what the survey makes plausible.
//!
//! A width field that passed through other software in centimetres (350 for 3.5 m) turns every
//! rural road into a 350 m corridor: 772 of 1,000 patches "not rectifiable", exit 0. So every
//! attribute used as a measure is summarised (min, median, max) for the run's description, and a
//! median far outside what the survey allows is an error that shows the distribution and names
//! the fix (`width_scale = 0.01`); single outliers are a warning.
//!
//! What is plausible, and why:
//!
//! | measure | plausible | why |
//! |---|---|---|
//! | road width | median 0.5 m to 60 m | rural roads (1006) are 1 to 8 m wide in the south; highways reach about 60 m with their verges |
//! | grave area | median 0.5 m² to 1000 m² | a grave is a few m²; a point may stand for a cluster |
//! | grave count | median up to 50 | one point per grave or per cluster |

use std::fmt;

use crate::build::{ShapeParams, DEFAULT_WIDTH_FIELD};
use crate::layer::{Feature, Layer, Value};
use geo::Geometry;

/// Min, median and max of one attribute over a layer's features (scaled to the unit tuban uses).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The field.
    pub field: String,
    /// The unit after scaling (`m`, `m²`, or empty for a count).
    pub unit: &'static str,
    /// Features with a value.
    pub n: usize,
    /// Smallest value.
    pub min: f64,
    /// Median (the lower middle value).
    pub median: f64,
    /// Largest value.
    pub max: f64,
    /// The sum (what a count stands for).
    pub sum: f64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        write!(
            f,
            "{} min {}, median {}, max {}{u} ({} values)",
            self.field,
            short(self.min),
            short(self.median),
            short(self.max),
            self.n
        )
    }
}

/// `3.5`, `350`, `0.0035`: enough digits to read, none to spare.
fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

impl Summary {
    fn of(field: &str, unit: &'static str, mut values: Vec<f64>) -> Option<Summary> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        Some(Summary {
            field: field.to_string(),
            unit,
            n: values.len(),
            min: values[0],
            median: values[(values.len() - 1) / 2],
            max: values[values.len() - 1],
            sum: values.iter().sum(),
        })
    }
}

/// What a grave or road layer holds, measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measures {
    /// Point features (graves).
    pub points: usize,
    /// Line features (roads).
    pub lines: usize,
    /// Polygon features (used as they are).
    pub polygons: usize,
    /// The lines' widths in metres (after `width_scale`).
    pub width: Option<Summary>,
    /// The points' disc areas in m² (after `area_scale`), when an area field is named.
    pub area: Option<Summary>,
    /// The points' counts, when a count field is named.
    pub count: Option<Summary>,
}

fn numbers(layer: &Layer, field: Option<&str>, keep: impl Fn(&Feature) -> bool) -> Vec<f64> {
    let Some(i) = field.and_then(|f| layer.field_index(f)) else {
        return Vec::new();
    };
    layer
        .features
        .iter()
        .filter(|f| keep(f))
        .filter_map(|f| match &f.values[i] {
            Value::Null => None,
            v => v.as_f64().filter(|x| x.is_finite()),
        })
        .collect()
}

/// Measures `layer` as `params` read it.
pub fn measures(layer: &Layer, params: &ShapeParams) -> Measures {
    let is_line = |f: &Feature| {
        matches!(
            f.geometry,
            Some(Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_))
        )
    };
    let is_point = |f: &Feature| {
        matches!(
            f.geometry,
            Some(Geometry::Point(_) | Geometry::MultiPoint(_))
        )
    };
    let mut m = Measures::default();
    for f in &layer.features {
        if is_line(f) {
            m.lines += 1;
        } else if is_point(f) {
            m.points += 1;
        } else if f.geometry.is_some() {
            m.polygons += 1;
        }
    }
    let width_field = params
        .width_field
        .clone()
        .unwrap_or_else(|| DEFAULT_WIDTH_FIELD.to_string());
    if m.lines > 0 {
        let w = numbers(layer, Some(&width_field), is_line);
        let w = w.into_iter().map(|x| x * params.width_scale).collect();
        m.width = Summary::of(&width_field, "m", w);
    }
    if m.points > 0 {
        let a = numbers(layer, params.area_field.as_deref(), is_point);
        let a = a.into_iter().map(|x| x * params.area_scale).collect();
        m.area = params
            .area_field
            .as_deref()
            .and_then(|f| Summary::of(f, "m2", a));
        let c = numbers(layer, params.count_field.as_deref(), is_point);
        m.count = params
            .count_field
            .as_deref()
            .and_then(|f| Summary::of(f, "", c));
    }
    m
}

/// What a check of [`Measures`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    /// Measures no survey makes plausible: the run must stop (each says the fix).
    pub errors: Vec<String>,
    /// Single values out of range: worth a look.
    pub warnings: Vec<String>,
}

/// The scale that would bring `median` into `low..=high`, among the units a table passes
/// through: centimetres, millimetres, decimetres; or kilometres.
fn suggest(median: f64, low: f64, high: f64, key: &str) -> String {
    let fits = |s: f64| (low..=high).contains(&(median * s));
    let named = [
        (0.01, "centimetres"),
        (0.001, "millimetres"),
        (0.1, "decimetres"),
        (1000.0, "kilometres"),
    ];
    match named.iter().find(|(s, _)| fits(*s)) {
        Some((s, unit)) => format!("if the field holds {unit}, set {key} = {s}"),
        None => format!("check the field's unit and set {key} to what turns it into metres"),
    }
}

/// Checks `m` against the survey's plausible ranges (see the module documentation). `label`
/// names the layer in messages.
///
/// ```
/// use tuban_core::measures::{check, Measures, Summary};
/// let cm = Summary { field: "KD".into(), unit: "m", n: 40, min: 150.0, median: 350.0, max: 1200.0, sum: 0.0 };
/// let v = check("roads.shp", &Measures { lines: 40, width: Some(cm), ..Default::default() });
/// assert!(v.errors[0].contains("width_scale = 0.01"), "{}", v.errors[0]);
/// ```
pub fn check(label: &str, m: &Measures) -> Verdict {
    let mut v = Verdict::default();
    if let Some(w) = &m.width {
        if !(0.5..=60.0).contains(&w.median) {
            v.errors.push(format!(
                "{label}: road widths {w}: a median of {} m is no road (rural roads are 1 to 8 m wide, highways up to about 60 m); {} (under [roads] in the project file, or the run's road width scale)",
                short(w.median),
                suggest(w.median, 0.5, 60.0, "width_scale")
            ));
        } else if w.max > 100.0 {
            v.warnings.push(format!(
                "{label}: road widths {w}: some are wider than 100 m; check them in the attribute table"
            ));
        }
    }
    if let Some(a) = &m.area {
        if !(0.5..=1000.0).contains(&a.median) {
            let fix = if a.median < 0.5 {
                "if the field holds mu, set area_scale = 666.6667 (hectares: 10000)".to_string()
            } else {
                suggest(a.median, 0.5, 1000.0, "area_scale")
            };
            v.errors.push(format!(
                "{label}: grave areas {a}: a median of {} m2 is no grave (a grave is a few m2, a cluster some hundreds); {fix} (under [graves] in the project file)",
                short(a.median)
            ));
        }
    }
    if let Some(c) = &m.count {
        if c.median > 50.0 || c.max > 10_000.0 {
            v.warnings.push(format!(
                "{label}: grave counts {c}: more graves per point than a cluster holds; check the count field"
            ));
        }
    }
    v
}

/// One line for the run's description: `56 lines; width KD min 1.5, median 3.5, max 12 m (56
/// values)`, `301 points standing for 412 graves (SL ...)`.
pub fn describe(m: &Measures) -> String {
    let mut parts = Vec::new();
    if m.points > 0 {
        parts.push(match &m.count {
            Some(c) => format!(
                "{} points standing for {} graves (count {c})",
                m.points,
                c.sum + (m.points - c.n) as f64
            ),
            None => format!("{} points, one grave each", m.points),
        });
        if let Some(a) = &m.area {
            parts.push(format!("disc area {a}"));
        }
    }
    if m.lines > 0 {
        parts.push(match &m.width {
            Some(w) => format!("{} lines; width {w}", m.lines),
            None => format!("{} lines, none with a width", m.lines),
        });
    }
    if m.polygons > 0 {
        parts.push(format!("{} polygons, used as they are", m.polygons));
    }
    parts.join("; ")
}
