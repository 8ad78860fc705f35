//! Finding what is wrong with a geometry: [`Problem`]s by geo's validation rules.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::algorithm::validation::RingRole;
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{
    Area, BoundingRect, Intersects, Line, LineString, MultiPolygon, Polygon, PreparedGeometry,
    Rect, Relate,
};

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
    /// A hole with 3 or more distinct corners, all on one line: it encloses nothing (and runs
    /// back over itself, which the rules for rings do not all catch).
    HoleWithoutArea {
        /// The part, from 1.
        part: usize,
        /// The hole, from 1.
        hole: usize,
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
    /// Whether [`repair`](fn@super::repair) can settle it.
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
            Problem::HoleWithoutArea { part, hole } => write!(
                f,
                "part {part}, hole {hole} encloses no area (its corners lie on one line)"
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
/// [`check_patch`](super::check_patch).
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
pub(super) fn polygon_problems(poly: &Polygon<f64>, part: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    for (ring, line) in rings(poly) {
        if line.0.is_empty() {
            continue;
        }
        if distinct_points(line) < 4 {
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
    let shell_has_area = shell.signed_area() != 0.0;
    let shell = PreparedGeometry::from(&shell);
    let holes: Vec<Polygon<f64>> = poly
        .interiors()
        .iter()
        .map(|h| Polygon::new(h.clone(), vec![]))
        .collect();
    // Holes without area (flagged above if they have too few corners; the repair drops them)
    // are not related: that says nothing and trips geo's debug assertions on degenerate rings.
    let has_area: Vec<bool> = holes.iter().map(|h| h.unsigned_area() > 0.0).collect();
    for (i, hole) in poly.interiors().iter().enumerate() {
        if !has_area[i] && distinct_points(hole) >= 4 {
            out.push(Problem::HoleWithoutArea { part, hole: i + 1 });
        }
    }
    // A shell without area holds no hole; relating it to one is not decided reliably (geo's
    // relate has called such a hole contained), so it is settled here.
    for (i, hole) in holes.iter().enumerate() {
        if !has_area[i] {
            continue;
        }
        if !shell_has_area {
            out.push(Problem::HoleOutsideShell { part, hole: i + 1 });
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

/// The points of `ring` once consecutive repeats are dropped (what geo's
/// `remove_repeated_points` would keep), counted without copying the ring: every polygon of
/// every layer is checked.
fn distinct_points(ring: &LineString<f64>) -> usize {
    let pts = &ring.0;
    if pts.is_empty() {
        return 0;
    }
    1 + pts.windows(2).filter(|w| w[0] != w[1]).count()
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

pub(super) fn diagnose_non_finite(mp: &MultiPolygon<f64>) -> Option<Problem> {
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
