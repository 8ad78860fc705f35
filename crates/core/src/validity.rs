//! Checking, and where possible repairing, the geometry of patches and obstacles before the
//! overlay measures them.
//!
//! A polygon that breaks the OGC rules gives a plausible but wrong area: the shoelace area of a
//! bowtie whose two lobes are equal is 0, a hole drawn outside its outer ring is subtracted
//! anyway, and two overlapping parts of one record are counted twice. [`check_patch`] and
//! [`check_obstacle`] find these problems by geo's validation rules ([`geo::Validation`]: the same
//! checks, with a sweep instead of geo's quadratic test for self-intersecting rings, so a survey
//! polygon of 40000 vertices is checked in milliseconds) and settle each geometry by
//! an [`InvalidPolicy`] (the CLI's `--invalid repair|skip|error`, default `repair`) into an
//! [`Outcome`] whose text says what was wrong and what was done, for the patch's row in the
//! outputs.
//!
//! ```
//! use geo::{polygon, Area, MultiPolygon};
//! use tuban_core::validity::{check_patch, InvalidPolicy, Outcome};
//!
//! // A bowtie: the outline crosses itself at (5, 5); as drawn its shoelace area is 0.
//! let bowtie = MultiPolygon(vec![polygon![
//!     (x: 0.0, y: 0.0), (x: 0.0, y: 10.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0)]]);
//! match check_patch(&bowtie, InvalidPolicy::Repair) {
//!     Outcome::Repaired { geometry, what } => {
//!         assert_eq!(geometry.0.len(), 2); // two triangles of 25 m² each
//!         assert!((geometry.unsigned_area() - 50.0).abs() < 1e-9);
//!         assert!(what.contains("crosses or touches itself"), "{what}");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert!(matches!(check_patch(&bowtie, InvalidPolicy::Skip), Outcome::Skipped(_)));
//! assert!(matches!(check_patch(&bowtie, InvalidPolicy::Error), Outcome::Invalid(_)));
//! ```
//!
//! # What is checked
//!
//! | problem ([`Problem`])                                  | repair (`repair`)                                  |
//! |--------------------------------------------------------|----------------------------------------------------|
//! | a vertex that is NaN or infinite                       | none: never repairable (`skip` skips, else invalid) |
//! | a ring with fewer than 3 distinct corners              | the ring encloses nothing and is dropped            |
//! | a ring that crosses or touches itself (bowtie, spike, loop) | rebuilt by the even-odd rule (geo's [`MakeValid`], as GEOS/PostGIS `ST_MakeValid`): a bowtie becomes its two lobes, a spike is cut off |
//! | a hole not inside its outer ring                       | only the part of the hole inside the outer ring is cut out (a hole wholly outside removes nothing) |
//! | holes that cross the outer ring, each other, or run along it | all holes of the part merged and cut out once |
//! | parts of a multipolygon that overlap, lie one inside another, or share an edge | merged: the overlap counted once (a part inside another adds nothing: if it was meant as a hole, its orientation is wrong, and the text says so) |
//! | no area at all (a null shape, every vertex on one line, or nothing left after repair) | a **patch** with no area cannot be measured (its shares would divide by zero): it is skipped under `skip`, else invalid; an **obstacle** with no area covers nothing and is kept as it is |
//!
//! Duplicate consecutive vertices and ring orientation are not problems: the area does not
//! depend on them (the overlay orients rings itself).
//!
//! The repair follows the "structure" method of GEOS's `MakeValid`: each ring is first made valid
//! on its own (even-odd rule), then per part the outer ring's area minus the union of its holes'
//! areas, then the union of all parts. It runs in a frame shifted to the geometry's lower-left
//! corner, so Gauss-Kruger magnitudes lose no precision; [`MakeValid`] merges vertices closer
//! than 0.1 mm, so coordinates must be **metres** (call these functions in the projected working
//! CRS, never on longitude/latitude). geo's repair rounds the points where edges cross, and the
//! boolean operations snap to a grid, so on near-degenerate input a first result can keep an
//! invalid sliver; the result is therefore checked and repaired again (at most twice). A
//! repaired geometry is valid by [`geo::Validation`], with counter-clockwise outer rings.
//!
//! # Outcomes
//!
//! | policy   | valid geometry | repairable problem | unrepairable (non-finite, repair failed) | patch of zero area |
//! |----------|----------------|--------------------|------------------------------------------|--------------------|
//! | `repair` | `Valid`        | `Repaired`         | `Invalid`                                | `Invalid`          |
//! | `skip`   | `Valid`        | `Skipped`          | `Skipped`                                | `Skipped`          |
//! | `error`  | `Valid`        | `Invalid`          | `Invalid`                                | `Invalid`          |
//!
//! The texts name the part (from 1, in the order of the geometry's polygons) and the ring
//! ("outer ring", "hole 2") and say what to do; the caller adds the file and the record.
//! Areas in the texts are planar, in the coordinates' unit squared (m² in a projected CRS).
//!
//! Patches that overlap **each other** are not invalid (each is measured on its own and its
//! numbers are right), but a total over them counts the shared area twice: [`overlapping_pairs`]
//! finds them so the caller can warn.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use geo::algorithm::validation::RingRole;
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area, BooleanOps, BoundingRect, Intersects, Line, LineString, MakeValid,
    MapCoords, MultiPolygon, Polygon, PreparedGeometry, Rect, Relate, RemoveRepeatedPoints,
};
use serde::{Deserialize, Serialize};

/// What to do with a geometry that breaks the rules (the CLI's `--invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvalidPolicy {
    /// Repair what can be repaired, and say what was done (the default).
    #[default]
    Repair,
    /// Leave the geometry out of the run, and say why.
    Skip,
    /// Refuse it: the caller reports an error naming the file and the record.
    Error,
}

impl InvalidPolicy {
    /// `"repair"`, `"skip"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidPolicy::Repair => "repair",
            InvalidPolicy::Skip => "skip",
            InvalidPolicy::Error => "error",
        }
    }
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InvalidPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "repair" => Ok(InvalidPolicy::Repair),
            "skip" => Ok(InvalidPolicy::Skip),
            "error" => Ok(InvalidPolicy::Error),
            other => Err(format!(
                "unknown policy for invalid geometries '{other}': use 'repair', 'skip' or 'error'"
            )),
        }
    }
}

/// How a geometry was settled (see the [module documentation](self) for the table).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing wrong: the geometry as given.
    Valid(MultiPolygon<f64>),
    /// Repaired: the valid geometry, and what was wrong and what was done (for the outputs).
    Repaired {
        /// The repaired, valid geometry (counter-clockwise outer rings).
        geometry: MultiPolygon<f64>,
        /// What was wrong and what was done, with the areas before and after.
        what: String,
    },
    /// Left out of the run under [`InvalidPolicy::Skip`] (or a patch without area): why.
    Skipped(String),
    /// Cannot be used: what is wrong and what to do. The caller reports it with the file and the
    /// record (under [`InvalidPolicy::Repair`] these are the unrepairable ones).
    Invalid(String),
}

impl Outcome {
    /// The geometry to measure, for [`Outcome::Valid`] and [`Outcome::Repaired`].
    pub fn geometry(&self) -> Option<&MultiPolygon<f64>> {
        match self {
            Outcome::Valid(g) | Outcome::Repaired { geometry: g, .. } => Some(g),
            Outcome::Skipped(_) | Outcome::Invalid(_) => None,
        }
    }

    /// The geometry to measure, taken out of the outcome.
    pub fn into_geometry(self) -> Option<MultiPolygon<f64>> {
        match self {
            Outcome::Valid(g) | Outcome::Repaired { geometry: g, .. } => Some(g),
            Outcome::Skipped(_) | Outcome::Invalid(_) => None,
        }
    }

    /// The text for a `repair` column: empty for [`Outcome::Valid`], else what was done or why.
    pub fn note(&self) -> &str {
        match self {
            Outcome::Valid(_) => "",
            Outcome::Repaired { what, .. } => what,
            Outcome::Skipped(why) | Outcome::Invalid(why) => why,
        }
    }
}

/// Which ring of a polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ring {
    /// The outer ring.
    Outer,
    /// Hole `n`, from 1.
    Hole(usize),
}

impl fmt::Display for Ring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ring::Outer => f.write_str("outer ring"),
            Ring::Hole(n) => write!(f, "hole {n}"),
        }
    }
}

impl From<RingRole> for Ring {
    fn from(r: RingRole) -> Self {
        match r {
            RingRole::Exterior => Ring::Outer,
            RingRole::Interior(i) => Ring::Hole(i + 1),
        }
    }
}

/// One thing wrong with a geometry. Parts are numbered from 1 in the order of the
/// multipolygon's polygons.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A vertex is NaN or infinite (never repairable).
    NonFinite {
        /// The part.
        part: usize,
        /// The ring.
        ring: Ring,
        /// The vertex, from 1.
        vertex: usize,
    },
    /// A ring has fewer than 3 distinct corners: it encloses nothing.
    TooFewPoints {
        /// The part.
        part: usize,
        /// The ring.
        ring: Ring,
    },
    /// A ring crosses or touches itself (bowtie, spike, loop).
    SelfIntersection {
        /// The part.
        part: usize,
        /// The ring.
        ring: Ring,
    },
    /// A hole is not (wholly) inside its outer ring.
    HoleOutsideShell {
        /// The part.
        part: usize,
        /// The hole, from 1.
        hole: usize,
    },
    /// Two rings of one part cross or run along each other.
    RingsMeet {
        /// The part.
        part: usize,
        /// One ring.
        a: Ring,
        /// The other ring.
        b: Ring,
    },
    /// Two parts overlap.
    PartsOverlap {
        /// One part.
        a: usize,
        /// The other part.
        b: usize,
    },
    /// A part lies wholly inside another (often a hole written with the outer rings'
    /// orientation).
    PartInsidePart {
        /// The part that contains the other.
        outer: usize,
        /// The part inside it.
        inner: usize,
    },
    /// Two parts share an edge.
    PartsShareEdge {
        /// One part.
        a: usize,
        /// The other part.
        b: usize,
    },
}

impl Problem {
    /// Whether [`repair`] can settle it.
    pub fn repairable(&self) -> bool {
        !matches!(self, Problem::NonFinite { .. })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NonFinite { part, ring, vertex } => write!(
                f,
                "part {part}, {ring}: vertex {vertex} is not a finite number (NaN or infinity)"
            ),
            Problem::TooFewPoints { part, ring } => write!(
                f,
                "part {part}, {ring} has fewer than 3 distinct corners (it encloses nothing)"
            ),
            Problem::SelfIntersection { part, ring } => write!(
                f,
                "part {part}, {ring} crosses or touches itself (a bowtie, a spike or a loop)"
            ),
            Problem::HoleOutsideShell { part, hole } => {
                write!(f, "part {part}, hole {hole} is not inside the outer ring")
            }
            Problem::RingsMeet { part, a, b } => write!(
                f,
                "part {part}: the {a} and the {b} cross or run along each other"
            ),
            Problem::PartsOverlap { a, b } => write!(f, "parts {a} and {b} overlap"),
            Problem::PartInsidePart { outer, inner } => write!(
                f,
                "part {inner} lies inside part {outer} (if it was meant as a hole, it is written \
                 the wrong way round: in a shapefile holes run counter-clockwise)"
            ),
            Problem::PartsShareEdge { a, b } => write!(f, "parts {a} and {b} share an edge"),
        }
    }
}

/// Everything wrong with `mp` (empty when it is valid). Non-finite vertices are reported alone
/// (nothing else can be checked meaningfully with them). Zero area is not a [`Problem`]: see
/// [`check_patch`].
pub fn diagnose(mp: &MultiPolygon<f64>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (p, poly) in mp.0.iter().enumerate() {
        for (r, ring) in rings(poly) {
            if let Some(v) = ring
                .0
                .iter()
                .position(|c| !c.x.is_finite() || !c.y.is_finite())
            {
                problems.push(Problem::NonFinite {
                    part: p + 1,
                    ring: r,
                    vertex: v + 1,
                });
            }
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    // geo's checks, guarded: a panic in them is reported as a self-intersection to repair.
    for (p, poly) in mp.0.iter().enumerate() {
        let part = p + 1;
        let found =
            catch_unwind(AssertUnwindSafe(|| polygon_problems(poly, part))).unwrap_or_else(|_| {
                vec![Problem::SelfIntersection {
                    part,
                    ring: Ring::Outer,
                }]
            });
        for problem in found {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    // Parts against each other, only where their envelopes meet (geo's MultiPolygon check relates
    // every pair, which is quadratic in relate calls).
    // Parts without area (flagged above, dropped by the repair) are left out: relating them says
    // nothing and trips geo's debug assertions on degenerate rings.
    let envelopes: Vec<Option<Rect<f64>>> =
        mp.0.iter()
            .map(|p| p.bounding_rect().filter(|_| p.unsigned_area() > 0.0))
            .collect();
    for i in 0..mp.0.len() {
        for j in i + 1..mp.0.len() {
            let (Some(a), Some(b)) = (envelopes[i], envelopes[j]) else {
                continue;
            };
            if !rects_meet(&a, &b) {
                continue;
            }
            let Ok(im) = catch_unwind(AssertUnwindSafe(|| mp.0[i].relate(&mp.0[j]))) else {
                problems.push(Problem::PartsOverlap { a: i + 1, b: j + 1 });
                continue;
            };
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                problems.push(if im.is_contains() {
                    Problem::PartInsidePart {
                        outer: i + 1,
                        inner: j + 1,
                    }
                } else if im.is_within() {
                    Problem::PartInsidePart {
                        outer: j + 1,
                        inner: i + 1,
                    }
                } else {
                    Problem::PartsOverlap { a: i + 1, b: j + 1 }
                });
            } else if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary)
                == Dimensions::OneDimensional
            {
                problems.push(Problem::PartsShareEdge { a: i + 1, b: j + 1 });
            }
        }
    }
    problems
}

/// The problems of one polygon, as geo's `Validation` for `Polygon` finds them (the same rules,
/// in the same order), but with a sweep instead of geo's all-pairs test for self-intersecting
/// rings, which is quadratic (0.7 s for a ring of 4000 vertices; survey polygons have more).
fn polygon_problems(poly: &Polygon<f64>, part: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    for (ring, line) in rings(poly) {
        if line.0.is_empty() {
            continue;
        }
        if line.remove_repeated_points().0.len() < 4 {
            out.push(Problem::TooFewPoints { part, ring });
        }
        if ring_self_intersects(line) {
            out.push(Problem::SelfIntersection { part, ring });
        }
    }
    if poly.interiors().iter().all(|h| h.0.is_empty()) {
        return out;
    }
    let shell = Polygon::new(poly.exterior().clone(), vec![]);
    let shell = PreparedGeometry::from(&shell);
    let holes: Vec<Polygon<f64>> = poly
        .interiors()
        .iter()
        .map(|h| Polygon::new(h.clone(), vec![]))
        .collect();
    // Holes without area (flagged above if they have too few corners; the repair drops them)
    // are not related: that says nothing and trips geo's debug assertions on degenerate rings.
    let has_area: Vec<bool> = holes.iter().map(|h| h.unsigned_area() > 0.0).collect();
    for (i, hole) in holes.iter().enumerate() {
        if !has_area[i] {
            continue;
        }
        let im = shell.relate(hole);
        if !im.is_contains() {
            out.push(Problem::HoleOutsideShell { part, hole: i + 1 });
        }
        if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            out.push(Problem::RingsMeet {
                part,
                a: Ring::Outer,
                b: Ring::Hole(i + 1),
            });
        }
        let prepared = PreparedGeometry::from(hole);
        for (j, other) in holes.iter().enumerate().skip(i + 1) {
            if !has_area[j] {
                continue;
            }
            let im = prepared.relate(other);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
                || im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
            {
                out.push(Problem::RingsMeet {
                    part,
                    a: Ring::Hole(i + 1),
                    b: Ring::Hole(j + 1),
                });
            }
        }
    }
    out
}

/// Whether two segments of the ring meet other than where consecutive segments join: geo's
/// rule for a self-intersecting ring (segments `a` and `b` meet while neither `a` ends where `b`
/// starts nor `b` ends where `a` starts), tested only for segments whose x-ranges overlap.
fn ring_self_intersects(ring: &LineString<f64>) -> bool {
    let lines: Vec<Line<f64>> = ring.lines().collect();
    let span = |l: &Line<f64>| (l.start.x.min(l.end.x), l.start.x.max(l.end.x));
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| span(&lines[a]).0.total_cmp(&span(&lines[b]).0));
    for (k, &i) in order.iter().enumerate() {
        let (a, max_x) = (&lines[i], span(&lines[i]).1);
        for &j in &order[k + 1..] {
            let b = &lines[j];
            if span(b).0 > max_x {
                break;
            }
            if a.start != b.end && a.end != b.start && a.intersects(b) {
                return true;
            }
        }
    }
    false
}

/// Repairs `mp` whatever its problems (see the [module documentation](self)): the valid
/// geometry covering what the outline meant, with counter-clockwise outer rings; possibly empty.
/// An error (never a panic) when a vertex is not finite or geo's repair fails.
pub fn repair(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    if mp.0.is_empty() {
        return Ok(MultiPolygon(vec![]));
    }
    if let Some(p) = diagnose_non_finite(mp) {
        return Err(format!("{p}: cannot be repaired"));
    }
    let Some(env) = mp.bounding_rect() else {
        return Ok(MultiPolygon(vec![]));
    };
    let origin = env.min();
    let local = mp.map_coords(|c| c - origin);
    let repaired = catch_unwind(AssertUnwindSafe(|| {
        let mut g = repair_local(&local)?;
        // The boolean operations snap to a grid, and geo's even-odd repair rounds the points
        // where edges cross: on near-degenerate input the result can keep a sliver that is
        // itself invalid (a 0.008 m² part whose hole lies outside it, found by fuzzing). A
        // second pass over the result settles it.
        for _ in 0..2 {
            if diagnose(&g).is_empty() {
                break;
            }
            g = repair_local(&g)?;
        }
        Ok::<_, String>(g)
    }))
    .map_err(|p| format!("the repair failed ({})", panic_text(&p)))??;
    Ok(repaired.map_coords(|c| c + origin))
}

fn repair_local(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    let mut parts: Vec<Polygon<f64>> = Vec::new();
    for poly in &mp.0 {
        let shell = ring_area(poly.exterior())?;
        if shell.0.is_empty() {
            continue;
        }
        let mut holes: Vec<Polygon<f64>> = Vec::new();
        for h in poly.interiors() {
            holes.extend(ring_area(h)?.0);
        }
        let part = if holes.is_empty() {
            shell
        } else {
            let holes = unary_union(holes.iter()).orient(Direction::Default);
            shell.difference(&holes)
        };
        parts.extend(part.orient(Direction::Default).0);
    }
    let merged = match parts.len() {
        0 => MultiPolygon(vec![]),
        1 => MultiPolygon(parts),
        _ => unary_union(parts.iter()),
    };
    Ok(merged.orient(Direction::Default))
}

/// The area a ring encloses, as a valid multipolygon: the ring itself when it is simple, else
/// geo's even-odd repair of it.
fn ring_area(ring: &LineString<f64>) -> Result<MultiPolygon<f64>, String> {
    let alone = Polygon::new(ring.clone(), vec![]);
    if polygon_problems(&alone, 1).is_empty() && alone.unsigned_area() > 0.0 {
        return Ok(MultiPolygon(vec![alone]).orient(Direction::Default));
    }
    alone
        .make_valid()
        .map(|m| m.orient(Direction::Default))
        .map_err(|e| format!("the repair failed ({e})"))
}

fn diagnose_non_finite(mp: &MultiPolygon<f64>) -> Option<Problem> {
    for (p, poly) in mp.0.iter().enumerate() {
        for (r, ring) in rings(poly) {
            if let Some(v) = ring
                .0
                .iter()
                .position(|c| !c.x.is_finite() || !c.y.is_finite())
            {
                return Some(Problem::NonFinite {
                    part: p + 1,
                    ring: r,
                    vertex: v + 1,
                });
            }
        }
    }
    None
}

/// Checks a patch and settles it by `policy` (see the [module documentation](self)).
///
/// A patch without area (a null shape, an outline whose vertices all lie on one line, or one
/// with nothing left after repair) cannot be measured: its shares and verdict would divide by
/// zero. It is [`Outcome::Skipped`] under [`InvalidPolicy::Skip`] and [`Outcome::Invalid`]
/// otherwise, with a text that says so.
pub fn check_patch(mp: &MultiPolygon<f64>, policy: InvalidPolicy) -> Outcome {
    settle(mp, policy, true, true)
}

/// Checks an obstacle and settles it by `policy`, like [`check_patch`], except that an obstacle
/// without area is not a problem: it covers nothing, and is returned as it is (or, after a
/// repair, empty).
pub fn check_obstacle(mp: &MultiPolygon<f64>, policy: InvalidPolicy) -> Outcome {
    settle(mp, policy, false, true)
}

/// What [`settle_obstacle`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Nothing wrong; the geometry is untouched.
    Valid,
    /// Repaired in place: what was wrong and what was done.
    Repaired(String),
    /// To be left out (see [`Outcome::Skipped`]).
    Skipped(String),
    /// Cannot be used (see [`Outcome::Invalid`]).
    Invalid(String),
}

/// [`check_obstacle`] without the copy of a valid geometry: a repaired geometry replaces `mp`,
/// and a valid one stays where it is (millions of land-use polygons are mostly valid, and a copy
/// each would double the memory they take).
pub fn settle_obstacle(mp: &mut MultiPolygon<f64>, policy: InvalidPolicy) -> Settled {
    match settle(mp, policy, false, false) {
        Outcome::Valid(_) => Settled::Valid,
        Outcome::Repaired { geometry, what } => {
            *mp = geometry;
            Settled::Repaired(what)
        }
        Outcome::Skipped(why) => Settled::Skipped(why),
        Outcome::Invalid(why) => Settled::Invalid(why),
    }
}

const NO_AREA: &str = "has no area (a null shape, or an outline whose points all lie on one \
                       line): it cannot be measured; draw its outline in a GIS, or delete the \
                       record";

/// `copy_valid`: whether [`Outcome::Valid`] carries a copy of `mp` (else an empty geometry).
fn settle(mp: &MultiPolygon<f64>, policy: InvalidPolicy, patch: bool, copy_valid: bool) -> Outcome {
    let problems = diagnose(mp);
    let as_drawn = if problems.iter().any(|p| !p.repairable()) {
        f64::NAN
    } else {
        mp.unsigned_area()
    };
    if problems.is_empty() {
        if patch && !has_area(as_drawn) {
            return refuse(policy, NO_AREA.to_string());
        }
        return Outcome::Valid(if copy_valid {
            mp.clone()
        } else {
            MultiPolygon(Vec::new())
        });
    }
    let listed = problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    if problems.iter().any(|p| !p.repairable()) {
        return refuse(
            policy,
            format!("{listed}: cannot be repaired; fix the coordinates in a GIS"),
        );
    }
    match policy {
        InvalidPolicy::Skip => {
            return Outcome::Skipped(format!("{listed}; skipped (--invalid skip)"));
        }
        InvalidPolicy::Error => {
            return Outcome::Invalid(format!(
                "{listed}; fix the outline in a GIS, or let tuban repair it"
            ));
        }
        InvalidPolicy::Repair => {}
    }
    let geometry = match repair(mp) {
        Ok(g) => g,
        Err(e) => return Outcome::Invalid(format!("{listed}: {e}; fix the outline in a GIS")),
    };
    let after = geometry.unsigned_area();
    if patch && !has_area(after) {
        return Outcome::Invalid(format!(
            "{listed}: nothing is left after repair (as drawn: {as_drawn:.2} m²), so it cannot \
             be measured; fix the outline in a GIS"
        ));
    }
    let n = geometry.0.len();
    Outcome::Repaired {
        what: format!(
            "{listed}: repaired into {n} polygon{} of {after:.2} m² (as drawn: {as_drawn:.2} \
             m²)",
            if n == 1 { "" } else { "s" }
        ),
        geometry,
    }
}

/// A positive area (false for 0 and NaN).
fn has_area(a: f64) -> bool {
    a > 0.0
}

fn refuse(policy: InvalidPolicy, why: String) -> Outcome {
    match policy {
        InvalidPolicy::Skip => Outcome::Skipped(format!("{why}; skipped")),
        InvalidPolicy::Repair | InvalidPolicy::Error => Outcome::Invalid(why),
    }
}

/// An overlap between two geometries of a list (see [`overlapping_pairs`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Index of the first geometry in the list.
    pub a: usize,
    /// Index of the second geometry (`b > a`).
    pub b: usize,
    /// Planar area they share.
    pub area: f64,
}

/// The pairs of `geoms` (patches, in the working CRS) whose interiors overlap by more than
/// `min_area`, in index order. Each patch is measured on its own and its numbers are right, but
/// a total over overlapping patches counts the shared area twice: the caller should warn.
/// Geometries with non-finite coordinates are left out; a pair whose intersection fails is left
/// out too.
pub fn overlapping_pairs<G>(geoms: &[G], min_area: f64) -> Vec<Overlap>
where
    G: std::borrow::Borrow<MultiPolygon<f64>> + Sync,
{
    use rayon::prelude::*;
    use rstar::primitives::{GeomWithData, Rectangle};
    use rstar::{RTree, AABB};
    type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;
    // An R-tree of the boxes: a sweep along x alone compares every pair in the same x band,
    // which for a million patches over a square region is ~1e9 comparisons.
    let boxes: Vec<Boxed> = geoms
        .par_iter()
        .enumerate()
        .filter(|(_, g)| diagnose_non_finite(g.borrow()).is_none())
        .filter_map(|(i, g)| {
            g.borrow().bounding_rect().map(|r| {
                Boxed::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                )
            })
        })
        .collect();
    let tree = RTree::bulk_load(boxes.clone());
    let mut out: Vec<Overlap> = boxes
        .par_iter()
        .flat_map_iter(|bi| {
            let i = bi.data;
            let ri = bi.geom();
            let env = AABB::from_corners(ri.lower(), ri.upper());
            let mut found = Vec::new();
            for bj in tree.locate_in_envelope_intersecting(&env) {
                let j = bj.data;
                if j <= i {
                    continue;
                }
                let origin = geo::Coord {
                    x: ri.lower()[0],
                    y: ri.lower()[1],
                };
                let a = geoms[i].borrow().map_coords(|c| c - origin);
                let b = geoms[j].borrow().map_coords(|c| c - origin);
                let Ok(area) =
                    catch_unwind(AssertUnwindSafe(|| a.intersection(&b).unsigned_area()))
                else {
                    continue;
                };
                if area > min_area {
                    found.push(Overlap { a: i, b: j, area });
                }
            }
            found
        })
        .collect();
    out.sort_by_key(|o| (o.a, o.b));
    out
}

fn rings(poly: &Polygon<f64>) -> impl Iterator<Item = (Ring, &LineString<f64>)> {
    std::iter::once((Ring::Outer, poly.exterior())).chain(
        poly.interiors()
            .iter()
            .enumerate()
            .map(|(i, h)| (Ring::Hole(i + 1), h)),
    )
}

fn rects_meet(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon, Coord, Validation};

    fn mp(polys: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
        MultiPolygon(polys)
    }

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        let mut v: Vec<Coord<f64>> = points.iter().map(|&(x, y)| coord! {x: x, y: y}).collect();
        v.push(v[0]);
        LineString(v)
    }

    fn square(x: f64, y: f64, s: f64) -> LineString<f64> {
        ring(&[(x, y), (x + s, y), (x + s, y + s), (x, y + s)])
    }

    fn repaired(g: &MultiPolygon<f64>) -> (MultiPolygon<f64>, String) {
        match check_patch(g, InvalidPolicy::Repair) {
            Outcome::Repaired { geometry, what } => {
                assert!(geometry.is_valid(), "{geometry:?} is not valid");
                (geometry, what)
            }
            other => panic!("expected a repair, got {other:?}"),
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} != {b}");
    }

    #[test]
    fn valid_patches_pass_unchanged() {
        let g = mp(vec![Polygon::new(
            square(0.0, 0.0, 10.0),
            vec![square(2.0, 2.0, 2.0)],
        )]);
        assert_eq!(
            check_patch(&g, InvalidPolicy::Error),
            Outcome::Valid(g.clone())
        );
        // Clockwise and with a repeated vertex: still valid, same area.
        let cw = mp(vec![Polygon::new(
            LineString(vec![
                coord! {x: 0.0, y: 0.0},
                coord! {x: 0.0, y: 10.0},
                coord! {x: 0.0, y: 10.0},
                coord! {x: 10.0, y: 10.0},
                coord! {x: 10.0, y: 0.0},
                coord! {x: 0.0, y: 0.0},
            ]),
            vec![],
        )]);
        assert!(matches!(
            check_patch(&cw, InvalidPolicy::Error),
            Outcome::Valid(_)
        ));
        close(cw.unsigned_area(), 100.0);
    }

    #[test]
    fn a_bowtie_becomes_its_two_lobes() {
        // Lobes: triangles (0,0)-(5,5)-(0,10) and (10,0)-(5,5)-(10,10), 25 m² each.
        let g = mp(vec![Polygon::new(
            ring(&[(0.0, 0.0), (0.0, 10.0), (10.0, 0.0), (10.0, 10.0)]),
            vec![],
        )]);
        close(g.unsigned_area(), 0.0); // what an unchecked overlay would measure
        let (r, what) = repaired(&g);
        assert_eq!(r.0.len(), 2);
        close(r.unsigned_area(), 50.0);
        assert!(
            what.starts_with("part 1, outer ring crosses or touches itself"),
            "{what}"
        );
        assert!(
            what.ends_with("repaired into 2 polygons of 50.00 m² (as drawn: 0.00 m²)"),
            "{what}"
        );
    }

    #[test]
    fn an_asymmetric_bowtie_at_gauss_kruger_magnitudes() {
        // Lobes meet at (4, 4) of the local frame: triangles of 4·8/2 = 16 and 6·12/2 = 36.
        let (x0, y0) = (36_500_000.0, 3_300_000.0);
        let g = mp(vec![Polygon::new(
            ring(&[
                (x0, y0),
                (x0, y0 + 8.0),
                (x0 + 10.0, y0 - 2.0 + 0.0),
                (x0 + 10.0, y0 + 10.0),
            ]),
            vec![],
        )]);
        // (0,0)-(0,8)-(10,-2)-(10,10): edges (0,8)-(10,-2) and (10,10)-(0,0) cross at (4,4).
        let (r, _) = repaired(&g);
        assert_eq!(r.0.len(), 2);
        // Left lobe (0,0),(0,8),(4,4): 16; right lobe (4,4),(10,-2),(10,10): 36.
        close(r.unsigned_area(), 52.0);
    }

    #[test]
    fn a_spike_is_cut_off() {
        let g = mp(vec![Polygon::new(
            LineString(vec![
                coord! {x: 0.0, y: 0.0},
                coord! {x: 10.0, y: 0.0},
                coord! {x: 15.0, y: 5.0},
                coord! {x: 10.0, y: 0.0},
                coord! {x: 10.0, y: 10.0},
                coord! {x: 0.0, y: 10.0},
                coord! {x: 0.0, y: 0.0},
            ]),
            vec![],
        )]);
        let (r, what) = repaired(&g);
        assert_eq!(r.0.len(), 1);
        close(r.unsigned_area(), 100.0);
        assert!(what.contains("crosses or touches itself"), "{what}");
    }

    #[test]
    fn a_hole_outside_its_shell_removes_nothing() {
        let g = mp(vec![Polygon::new(
            square(0.0, 0.0, 10.0),
            vec![square(20.0, 0.0, 2.0)],
        )]);
        close(g.unsigned_area(), 96.0); // subtracted anyway by the shoelace formula
        let (r, what) = repaired(&g);
        close(r.unsigned_area(), 100.0);
        assert!(
            what.contains("part 1, hole 1 is not inside the outer ring"),
            "{what}"
        );
        assert!(what.contains("(as drawn: 96.00 m²)"), "{what}");
    }

    #[test]
    fn a_hole_half_outside_removes_only_its_inside_half() {
        // Hole 8..12 × 4..6 over a 10 m square: 2 × 2 = 4 m² of it is inside.
        let g = mp(vec![Polygon::new(
            square(0.0, 0.0, 10.0),
            vec![ring(&[(8.0, 4.0), (12.0, 4.0), (12.0, 6.0), (8.0, 6.0)])],
        )]);
        let (r, _) = repaired(&g);
        close(r.unsigned_area(), 96.0);
    }

    #[test]
    fn overlapping_parts_are_merged_and_counted_once() {
        // Two 10 m squares overlapping in a 5 × 5 corner: 100 + 100 - 25.
        let g = mp(vec![
            Polygon::new(square(0.0, 0.0, 10.0), vec![]),
            Polygon::new(square(5.0, 5.0, 10.0), vec![]),
        ]);
        close(g.unsigned_area(), 200.0);
        let (r, what) = repaired(&g);
        assert_eq!(r.0.len(), 1);
        close(r.unsigned_area(), 175.0);
        assert!(what.starts_with("parts 1 and 2 overlap"), "{what}");
        // A part nested in another (a hole written with the outer rings' orientation).
        let nested = mp(vec![
            Polygon::new(square(0.0, 0.0, 10.0), vec![]),
            Polygon::new(square(2.0, 2.0, 2.0), vec![]),
        ]);
        let (r, what) = repaired(&nested);
        close(r.unsigned_area(), 100.0);
        assert!(
            what.starts_with("part 2 lies inside part 1 (if it was meant as a hole"),
            "{what}"
        );
    }

    #[test]
    fn parts_sharing_an_edge_are_merged_with_the_same_area() {
        let g = mp(vec![
            Polygon::new(square(0.0, 0.0, 10.0), vec![]),
            Polygon::new(square(10.0, 0.0, 10.0), vec![]),
        ]);
        let (r, what) = repaired(&g);
        assert_eq!(r.0.len(), 1);
        close(r.unsigned_area(), 200.0);
        assert!(what.starts_with("parts 1 and 2 share an edge"), "{what}");
    }

    #[test]
    fn a_degenerate_hole_is_dropped() {
        let g = mp(vec![Polygon::new(
            square(0.0, 0.0, 10.0),
            vec![LineString(vec![
                coord! {x: 2.0, y: 2.0},
                coord! {x: 3.0, y: 2.0},
                coord! {x: 2.0, y: 2.0},
            ])],
        )]);
        let (r, what) = repaired(&g);
        close(r.unsigned_area(), 100.0);
        assert!(
            what.contains("hole 1 has fewer than 3 distinct corners"),
            "{what}"
        );
    }

    #[test]
    fn zero_area_patches_cannot_be_measured() {
        let flat = mp(vec![Polygon::new(
            ring(&[(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)]),
            vec![],
        )]);
        for g in [flat, mp(vec![])] {
            match check_patch(&g, InvalidPolicy::Repair) {
                Outcome::Invalid(why) => assert!(why.starts_with("has no area"), "{why}"),
                other => panic!("{other:?}"),
            }
            assert!(matches!(
                check_patch(&g, InvalidPolicy::Skip),
                Outcome::Skipped(_)
            ));
            // An obstacle without area covers nothing: harmless.
            assert!(matches!(
                check_obstacle(&g, InvalidPolicy::Error),
                Outcome::Valid(_)
            ));
        }
        // Three points, the first repeated: a ring of one segment, nothing left after repair.
        let line = mp(vec![Polygon::new(
            LineString(vec![
                coord! {x: 0.0, y: 0.0},
                coord! {x: 1.0, y: 0.0},
                coord! {x: 0.0, y: 0.0},
            ]),
            vec![],
        )]);
        match check_patch(&line, InvalidPolicy::Repair) {
            Outcome::Invalid(why) => assert!(why.contains("nothing is left"), "{why}"),
            other => panic!("{other:?}"),
        }
        match check_obstacle(&line, InvalidPolicy::Repair) {
            Outcome::Repaired { geometry, .. } => assert!(geometry.0.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_finite_coordinates_are_never_repaired() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let g = mp(vec![Polygon::new(
                ring(&[(0.0, 0.0), (10.0, 0.0), (bad, 10.0), (0.0, 10.0)]),
                vec![],
            )]);
            match check_patch(&g, InvalidPolicy::Repair) {
                Outcome::Invalid(why) => assert!(
                    why.starts_with("part 1, outer ring: vertex 3 is not a finite number")
                        && why.contains("cannot be repaired"),
                    "{why}"
                ),
                other => panic!("{other:?}"),
            }
            assert!(matches!(
                check_patch(&g, InvalidPolicy::Skip),
                Outcome::Skipped(_)
            ));
            assert!(matches!(
                check_obstacle(&g, InvalidPolicy::Repair),
                Outcome::Invalid(_)
            ));
            assert!(repair(&g).is_err());
        }
    }

    #[test]
    fn policies_settle_the_same_problem_differently() {
        let bowtie = mp(vec![Polygon::new(
            ring(&[(0.0, 0.0), (0.0, 10.0), (10.0, 0.0), (10.0, 10.0)]),
            vec![],
        )]);
        match check_obstacle(&bowtie, InvalidPolicy::Skip) {
            Outcome::Skipped(why) => assert!(why.ends_with("skipped (--invalid skip)"), "{why}"),
            other => panic!("{other:?}"),
        }
        match check_patch(&bowtie, InvalidPolicy::Error) {
            Outcome::Invalid(why) => assert!(why.ends_with("or let tuban repair it"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!("SKIP".parse::<InvalidPolicy>(), Ok(InvalidPolicy::Skip));
        assert_eq!(
            " repair ".parse::<InvalidPolicy>(),
            Ok(InvalidPolicy::Repair)
        );
        assert!("fix".parse::<InvalidPolicy>().is_err());
        assert_eq!(InvalidPolicy::default(), InvalidPolicy::Repair);
        assert_eq!(InvalidPolicy::Error.to_string(), "error");
        let o = check_patch(&bowtie, InvalidPolicy::Repair);
        assert!(o.note().contains("repaired"));
        assert!(o.geometry().is_some());
    }

    #[test]
    fn overlapping_patches_are_found() {
        let a = mp(vec![
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
        ]);
        let b = mp(vec![
            polygon![(x: 8.0, y: 0.0), (x: 18.0, y: 0.0), (x: 18.0, y: 10.0), (x: 8.0, y: 10.0)],
        ]);
        let c = mp(vec![
            polygon![(x: 18.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 18.0, y: 10.0)],
        ]);
        let found = overlapping_pairs(&[c, b, a], 0.0);
        assert_eq!(found.len(), 1, "{found:?}"); // b and c only touch
        assert_eq!((found[0].a, found[0].b), (1, 2));
        close(found[0].area, 20.0);
    }
}
