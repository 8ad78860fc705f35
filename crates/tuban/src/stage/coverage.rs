//! Between build and overlay: **how each layer meets the patches**, so that inputs that miss each
//! other are said out loud instead of looking like good news.
//!
//! A land-use layer whose `.prj` names the neighbouring zone lands 300 km away; every patch then
//! looks clean and the run says "all rectifiable". So, for every obstacle layer, the run counts the
//! features that come near a patch (their box meets a patch's box), and, for the land-use layer
//! (a wall-to-wall partition in the survey), measures the share of the patches' area it covers,
//! code by code ([`CodeTable`]). A layer none of whose features comes near a patch is an error
//! naming both extents, their distance and the likely cause when it lies apart from the patches,
//! a warning when it lies where they are, and silent only when the project accepts it
//! (`accept_no_overlap`); a land-use layer that covers clearly less than the patches is a
//! warning with the share and the patches it leaves short.
//!
//! The land-use table is measured by the overlay itself, with each code (and the rule that
//! decided it) as a class of its own: the very polygons that become obstacles, the same clipping
//! and the same area method as the rest of the run. The polygons are then handed on as the layer's
//! obstacles, classed by the rules.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rstar::primitives::Rectangle;
use rstar::AABB;
use tuban_core::build::{check_rule_fields, obstacles_by_index, ShapeParams};
use tuban_core::codes::{CodeRow, CodeTable};
use tuban_core::crs::Crs;
use tuban_core::geo::{self, BoundingRect, Rect};
use tuban_core::layer::{Feature, Layer};
use tuban_core::overlay::{partition_sums, Obstacle, ObstacleIndex, Patch};
use tuban_core::rules::{Decision, Role, Rules};
use tuban_core::shards::{Entry, Shards};
use tuban_core::survey::{recognise, Standard};

use crate::progress::{check, Progress, Stage};
use crate::stage::crs::Placed;
use crate::stage::read::{with_every_field, Inputs};
use crate::Error;

/// Patches per block of the land-use measurement (between two looks at cancellation).
const BLOCK: usize = 4096;

/// A land-use layer is "clearly short" of the patches below this share of their area.
const SHORT_SHARE: f64 = 0.99;

/// How one layer meets the patches.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCoverage {
    /// `landuse`, `graves`, `roads` or `dem`.
    pub role: String,
    /// The file (or the in-memory layer's name).
    pub label: String,
    /// Features read (near the patches, when the reader could filter by box), or DEM cells
    /// computed.
    pub features: usize,
    /// Features whose box meets a patch's box (for the DEM: patches with cells under them).
    pub near: usize,
    /// For the land-use layer: the share of the patches' area it covers (0 to 1).
    pub share: Option<f64>,
    /// The layer's extent in the working CRS, if it has any coordinates.
    pub extent: Option<Rect<f64>>,
}

impl LayerCoverage {
    /// One line for the run's description: `landuse: 5,210 of 9,993 features near the patches;
    /// they cover 100.00 % of the patches' area`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} of {} features near the patches (their box meets a patch's box)",
            thousands(self.near),
            thousands(self.features)
        );
        if let Some(share) = self.share {
            s.push_str(&format!(
                "; they cover {:.2} % of the patches' area",
                share * 100.0
            ));
        }
        s
    }
}

/// `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The patches' boxes in an R-tree, to count what comes near them.
pub struct PatchBoxes {
    tree: Shards,
    extent: Option<Rect<f64>>,
}

impl PatchBoxes {
    /// The boxes of `patches` (those with finite coordinates).
    pub fn new(patches: &[Patch]) -> Self {
        let boxes: Vec<Rect<f64>> = patches
            .par_iter()
            .filter_map(|p| p.geometry.bounding_rect())
            .filter(|r| r.min().x.is_finite() && r.max().x.is_finite())
            .filter(|r| r.min().y.is_finite() && r.max().y.is_finite())
            .collect();
        let extent = union_of(boxes.iter().copied());
        // Loaded on every core: a million patches' boxes took 0.3 s on one.
        let tree = Shards::new(
            boxes
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    Entry::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    )
                })
                .collect(),
        );
        PatchBoxes { tree, extent }
    }

    /// The extent of all the patches' boxes.
    pub fn extent(&self) -> Option<Rect<f64>> {
        self.extent
    }

    /// Whether `r` meets some patch's box.
    pub fn near(&self, r: &Rect<f64>) -> bool {
        let aabb = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        self.tree.meets_any(&aabb)
    }

    /// The coverage of a layer of `obstacles` (`features` read) playing `role`.
    pub fn coverage(
        &self,
        role: &str,
        label: &str,
        features: usize,
        obstacles: &[Obstacle],
    ) -> LayerCoverage {
        let boxes: Vec<Rect<f64>> = obstacles
            .par_iter()
            .filter_map(|o| o.geometry.bounding_rect())
            .collect();
        let near = boxes.par_iter().filter(|r| self.near(r)).count();
        LayerCoverage {
            role: role.into(),
            label: label.into(),
            features,
            near,
            share: None,
            extent: union_of(boxes.into_iter()),
        }
    }
}

fn union_of(mut rects: impl Iterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    let first = rects.next()?;
    Some(rects.fold(first, |a, b| {
        Rect::new(
            geo::Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            geo::Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )
    }))
}

/// The land-use layer measured code by code, and its obstacles.
#[derive(Debug, Clone)]
pub struct Landuse {
    /// Every code inside the patches, its class and rule, and the share of the patches covered.
    pub table: CodeTable,
    /// The layer's obstacles, classed by the rules (not yet checked for validity).
    pub obstacles: Vec<Obstacle>,
    /// How the layer meets the patches.
    pub coverage: LayerCoverage,
}

/// The field a land-use layer's codes are read from: the survey's `DLBM` if the layer has it,
/// else the first field its rules test.
pub fn code_field(layer: &Layer, rules: &Rules) -> Option<String> {
    if let Some(i) = layer.field_index("DLBM") {
        return Some(layer.fields[i].name.clone());
    }
    rules
        .rules()
        .iter()
        .filter(|r| r.layer == Role::Landuse.as_str())
        .flat_map(|r| r.when.iter())
        .find_map(|c| layer.field_index(&c.field))
        .map(|i| layer.fields[i].name.clone())
}

/// The survey standard of the land-use layer, and what to say of it.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardChoice {
    /// The standard whose built-in rules apply.
    pub standard: Standard,
    /// How it was chosen, for the run's description.
    pub note: String,
    /// Set when the project forces a standard the codes contradict.
    pub warning: Option<String>,
}

/// Recognises the survey standard of the land-use layer of `inputs` from its codes (the field
/// [`code_field`] names), or takes `forced`. A layer that mixes both standards' codes is an
/// error with examples of each. `None` without a land-use layer.
pub fn standard(
    inputs: &Inputs,
    rules: &Rules,
    forced: Option<Standard>,
) -> Result<Option<StandardChoice>, Error> {
    let Some((read, _)) = inputs
        .obstacles
        .iter()
        .find(|(r, _)| r.role == Role::Landuse)
    else {
        return Ok(None);
    };
    let layer = &read.layer;
    let field = code_field(layer, rules);
    let idx = field.as_deref().and_then(|f| layer.field_index(f));
    let codes: Vec<String> = match idx {
        Some(i) => layer
            .features
            .iter()
            .map(|f| f.values[i].to_string())
            .collect(),
        None => Vec::new(),
    };
    let r = recognise(codes.iter().map(|c| c.as_str()));
    let field = field.unwrap_or_else(|| "(no code field)".into());
    if r.mixed() && forced.is_none() {
        return Err(Error::Standard(format!(
            "{}: the land-use codes ({field}) mix the Third Survey's four-digit codes ({} features, e.g. {}) and the Second Survey's three-digit codes ({} features, e.g. {}): no one set of rules reads both right. Recode the layer to one standard, or say which its codes follow (landuse_standard = \"third\" or \"second\"; the others are then reported as codes no rule knows)",
            read.spec.source.label(),
            r.third,
            r.examples.0.join(", "),
            r.second,
            r.examples.1.join(", ")
        )));
    }
    let choice = match forced {
        Some(s) => {
            let contradicted = match s {
                Standard::Third => r.second > r.third,
                Standard::Second => r.third > r.second,
            };
            StandardChoice {
                standard: s,
                note: format!("{}: the built-in rules of {} (set by landuse_standard)", field, s.describe()),
                warning: contradicted.then(|| {
                    format!(
                        "landuse_standard = \"{s}\" is set, but most of the land-use codes ({field}) have the other survey's shape ({} four-digit, {} three-digit): they will match no built-in rule",
                        r.third, r.second
                    )
                }),
            }
        }
        None => StandardChoice {
            standard: r.standard,
            note: format!("{field} holds {}: its built-in rules apply", r.describe()),
            warning: None,
        },
    };
    Ok(Some(choice))
}

/// A row's key: the code, the decision (sortable) and the deciding rule.
type RowKey = (String, (u8, usize), Option<usize>);

fn row_key(code_idx: Option<usize>, rules: &Rules, layer: &Layer, f: &Feature) -> RowKey {
    let code = code_idx
        .and_then(|i| f.values.get(i))
        .map(|v| v.to_string().trim().to_string())
        .unwrap_or_default();
    let (decision, rule) = rules.decide(Role::Landuse.as_str(), layer, f);
    let d = match decision {
        Decision::Obstacle(c) => (0, c),
        Decision::NotObstacle => (1, 0),
        Decision::NoMatch => (2, 0),
    };
    (code, d, rule)
}

/// Measures the land-use layer of `placed` inside `patches` code by code (by `method` in
/// `working`), then hands its polygons on as obstacles classed by `rules`.
#[allow(clippy::too_many_arguments)]
pub fn landuse(
    placed: Placed,
    params: &ShapeParams,
    patches: &[Patch],
    boxes: &PatchBoxes,
    rules: &Rules,
    working: Crs,
    method: tuban_core::area::AreaMethod,
    progress: &dyn Progress,
) -> Result<Landuse, Error> {
    let read = placed.read;
    let (role, spec, label) = (read.role, read.spec, read.layer.label());
    let layer = read.layer;
    check_rule_fields(role.as_str(), &layer, rules)
        .map_err(|e| with_every_field(e, role, &spec))?;
    let field = code_field(&layer, rules);
    let code_idx = field.as_deref().and_then(|f| layer.field_index(f));
    let keys: Vec<RowKey> = layer
        .features
        .par_iter()
        .map(|f| row_key(code_idx, rules, &layer, f))
        .collect();
    let mut counts: BTreeMap<RowKey, usize> = BTreeMap::new();
    for k in &keys {
        match counts.get_mut(k) {
            Some(n) => *n += 1,
            None => {
                counts.insert(k.clone(), 1);
            }
        }
    }
    // Each feature was keyed once, above; its row is its class here (kept as u32: millions of
    // features, and the keys are dropped before the polygons become obstacles).
    let rows: BTreeMap<&RowKey, u32> = counts.keys().zip(0..).collect();
    let row_of: Vec<u32> = keys.iter().map(|k| rows[k]).collect();
    drop(rows);
    drop(keys);
    let features = layer.features.len() + read.filtered_out;
    let measured = obstacles_by_index(role.as_str(), layer, params, &|i| {
        row_of.get(i).map(|&r| r as usize)
    })
    .map_err(|e| with_every_field(e, role, &spec))?;
    drop(row_of);
    let mut table = CodeTable {
        field,
        rows: counts
            .iter()
            .map(|((code, (d, c), rule), n)| {
                let decision = match d {
                    0 => Decision::Obstacle(*c),
                    1 => Decision::NotObstacle,
                    _ => Decision::NoMatch,
                };
                CodeRow {
                    features: *n,
                    ..CodeRow::new(code.clone(), rules, decision, *rule)
                }
            })
            .collect(),
        ..Default::default()
    };
    let mut coverage = boxes.coverage(role.as_str(), &label, features, &measured);
    let index = ObstacleIndex::new(measured);
    measure_rows(patches, &index, &mut table, working, method, progress)?;
    coverage.share = Some(table.share());
    // The polygons go on as obstacles of the class the rules gave their row. Each kept polygon
    // is copied afresh: the others (cropland, most of the layer) are freed here, and the kept
    // ones, left where they were read, would hold those half-emptied pages through the index's
    // peak (1M patches: 140 MB more once obstacles stopped being copied when oriented).
    let obstacles = index
        .into_obstacles()
        .into_par_iter()
        .filter_map(|mut o| match table.rows[o.class].class.as_ref() {
            Some(class) => {
                o.class = rules.classes().iter().position(|c| c == class)?;
                o.geometry = o.geometry.clone();
                Some(o)
            }
            None => None,
        })
        .collect();
    Ok(Landuse {
        table,
        obstacles,
        coverage,
    })
}

/// The overlay with each code row as a class: row areas, the covered area (the union of the
/// rows) and the patches left short.
fn measure_rows(
    patches: &[Patch],
    index: &ObstacleIndex,
    table: &mut CodeTable,
    working: Crs,
    method: tuban_core::area::AreaMethod,
    progress: &dyn Progress,
) -> Result<(), Error> {
    let measure = crate::stage::overlay::measure(working, method)?;
    let rows = table.rows.len();
    progress.start(Stage::Build, Some(patches.len() as u64));
    for block in patches.chunks(BLOCK) {
        check(progress)?;
        for r in partition_sums(block, index, rows, measure.as_ref()) {
            progress.advance(1);
            if r.error.is_some() {
                continue;
            }
            for ((row, m2), n) in table.rows.iter_mut().zip(&r.class_m2).zip(&r.class_count) {
                row.m2 += m2;
                row.pieces += *n as usize;
            }
            let sum = r.sum_m2();
            // Rounding of the pieces' sums: far below a millionth of the patch.
            if sum > r.area_m2 * (1.0 + 1e-6) {
                table.patches_overlapped += 1;
                table.overlap_m2 += sum - r.area_m2;
            }
            table.covered_m2 += sum.min(r.area_m2);
            table.patches_m2 += r.area_m2;
            if sum < r.area_m2 * 0.999 {
                table.patches_short += 1;
            }
        }
    }
    progress.finish();
    Ok(())
}

/// A layer that comes near no patch, as an error naming both extents, their distance and the
/// likely cause, when its extent lies apart from the patches' (a layer in the wrong place: most
/// often a wrong CRS); as a warning when the extents overlap (the layer is where the patches are,
/// but none of its features is: a grave layer may truly have none there). `accepted` roles pass
/// without a word. A land-use layer clearly short of the patches' area gives a warning.
pub fn check_coverage(
    layers: &[LayerCoverage],
    patches: &PatchBoxes,
    table: Option<&CodeTable>,
    accepted: &[String],
) -> Result<Vec<String>, Error> {
    let mut warnings = Vec::new();
    for c in layers {
        let misses = c.near == 0 || c.share.is_some_and(|s| s == 0.0);
        if !misses || accepted.iter().any(|a| a == &c.role) {
            continue;
        }
        // An empty layer is in no wrong place: it is said, not refused. A layer whose every
        // feature was left out when read, for lying away from the patches, is apart.
        let apart = match (c.extent, patches.extent) {
            (Some(l), Some(p)) => gap(&l, &p) > 0.0,
            (None, _) => c.features > 0,
            (Some(_), None) => false,
        };
        if apart {
            return Err(Error::Misses(miss_message(c, patches.extent)));
        }
        warnings.push(miss_message(c, patches.extent));
    }
    if let Some(t) = table {
        if t.patches_overlapped > 0 {
            warnings.push(format!(
                "land-use polygons overlap one another inside {} patches ({:.2} m2 covered twice or more): the land-use code table counts each overlap once per code, so its rows add up to more than the patches' area; the class areas and verdicts are not affected (each class is measured on the union of its polygons). A land-use layer should be a partition: check it for duplicated or overlapping features",
                t.patches_overlapped, t.overlap_m2
            ));
        }
        if t.share() < SHORT_SHARE && t.patches_m2 > 0.0 {
            warnings.push(format!(
                "the land-use layer covers only {:.2} % of the patches' area ({} patches not wholly covered, {:.2} m2 outside every land-use polygon): that area is counted as clean, not as an obstacle; check that the layer is the whole township's and in the right CRS",
                t.share() * 100.0,
                t.patches_short,
                t.patches_m2 - t.covered_m2
            ));
        }
    }
    Ok(warnings)
}

fn miss_message(c: &LayerCoverage, patches: Option<Rect<f64>>) -> String {
    let show = |r: &Rect<f64>| {
        format!(
            "x {:.0} to {:.0}, y {:.0} to {:.0}",
            r.min().x,
            r.max().x,
            r.min().y,
            r.max().y
        )
    };
    let mut m = format!(
        "{} (the {} layer): none of its {} features comes near a patch, so nothing of it could stand in the way; the run would report every patch free of it",
        c.label, c.role, c.features
    );
    match (c.extent, patches) {
        (Some(l), Some(p)) => {
            let (dx, dy) = gaps(&l, &p);
            let d = gap(&l, &p);
            m.push_str(&format!(
                ". In the working CRS the layer spans {}, the patches {}: {:.1} km apart. ",
                show(&l),
                show(&p),
                d / 1000.0
            ));
            m.push_str(&likely_cause(d, dx, dy));
        }
        (None, _) if c.features > 0 => m.push_str(
            ". Every one of its features lies away from the patches (their boxes, read from the file, meet no patch's box): the layer is of another place, or its coordinates are in another CRS than its .prj says (a neighbouring Gauss-Kruger zone keeps eastings plausible: CM 108E data under a CM 105E .prj lands 300 km off). ",
        ),
        (None, _) => m.push_str(". The layer has no features with coordinates (an empty file). "),
        (_, None) => m.push_str(". The patches have no coordinates. "),
    }
    m.push_str(&format!(
        "If the layer truly has nothing there, accept it with accept_no_overlap = [\"{}\"]",
        c.role
    ));
    m
}

/// The east-west and north-south gaps between two boxes (0 where they overlap).
fn gaps(a: &Rect<f64>, b: &Rect<f64>) -> (f64, f64) {
    let dx = (a.min().x - b.max().x).max(b.min().x - a.max().x).max(0.0);
    let dy = (a.min().y - b.max().y).max(b.min().y - a.max().y).max(0.0);
    (dx, dy)
}

/// The distance between two boxes (0 where they meet).
fn gap(a: &Rect<f64>, b: &Rect<f64>) -> f64 {
    let (dx, dy) = gaps(a, b);
    (dx * dx + dy * dy).sqrt()
}

/// What most often puts a layer beside the patches, judged by how far and which way.
fn likely_cause(d: f64, dx: f64, dy: f64) -> String {
    if d == 0.0 {
        "Their extents overlap but no feature comes near a patch: the layer is of a neighbouring area, or full of gaps where the patches are. ".into()
    } else if (200_000.0..700_000.0).contains(&dx) && dy < 50_000.0 {
        "An east-west shift of a few hundred kilometres is what a .prj naming the neighbouring Gauss-Kruger zone does (CM 108E instead of 105E: EPSG:4545 instead of 4544): check the layer's .prj, or set its crs. ".into()
    } else if d > 1_000_000.0 {
        "So far apart, one of the two CRSs is wrong (a zone prefix, a geographic CRS for projected data, a legacy datum): check the .prj files, or set crs. ".into()
    } else {
        "Check that the layer is of the same place, and its .prj (or set its crs). ".into()
    }
}
