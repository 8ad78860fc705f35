//! An area kernel in double precision: the area of the intersection of two polygons, without
//! building the intersection.
//!
//! **Why a kernel of our own.** geo's boolean operations (i_overlay) snap every coordinate to an
//! integer grid scaled to the operation's extent, so each intersection carries an error of about a
//! grid step times the boundary's length: 1e-6 to 1e-4 m² against GEOS on survey data, and more on
//! long boundaries. GEOS (through shapely or PostGIS) is exact enough but is C++ and not a
//! dependency we take. No Rust crate offers an area-only intersection with robust predicates: geo
//! and i_overlay build geometry on a grid, `geo-clipper` wraps Clipper (integers again), and
//! `robust` gives only the predicates. tuban needs only areas: the land-use layer is a partition,
//! so a class's area in a patch is the sum of the areas of the patch's intersections with the
//! class's polygons, and an area is an integral over the boundary (Green's theorem), which never
//! needs the intersection polygon assembled.
//!
//! **What it computes.** [`boundary_pieces`] returns the directed boundary of A ∩ B as pieces of
//! the two polygons' edges (module `pieces`); [`planar_area`] sums ½ (x dy − y dx) over them. Other
//! measures (the survey's ellipsoidal area) sum their own edge terms over the same pieces. Every
//! decision (does this edge cross that one, which side does a piece run on) is taken with
//! Shewchuk's adaptive orientation predicate from the `robust` crate, which is exact; the only
//! rounding is in the crossing points (one rounding per coordinate, far below a micrometre) and in
//! the final sum.
//!
//! **Where it declines.** The kernel assumes valid polygons (simple rings, exteriors
//! counter-clockwise, holes clockwise, rings meeting at most at points). When it meets what it
//! cannot decide exactly (a winding number other than 0 or 1, several edges of one polygon along
//! the same piece, two contacts on an edge too close to order), it returns [`Undecided`] and the
//! caller falls back to i_overlay, counting it.

mod edges;
mod local;
mod pieces;
mod rings;
mod union;

use geo::{Coord, MultiPolygon, Rect};

pub use edges::{EdgeSet, Seg};
pub(crate) use pieces::crossing;
pub use rings::{closed, polygons, union_polygons, valid_polygons};
pub use union::union_pieces;

/// The kernel could not decide this pair exactly; the reason says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided {
    /// What was met.
    pub reason: String,
}

impl Undecided {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Undecided {
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Undecided {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the area kernel cannot decide: {}", self.reason)
    }
}

impl std::error::Error for Undecided {}

/// The exact orientation of `c` relative to the line `a`→`b`: positive to the left
/// (counter-clockwise), negative to the right, zero exactly on the line.
#[inline]
pub(crate) fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    robust::orient2d(
        robust::Coord { x: a.x, y: a.y },
        robust::Coord { x: b.x, y: b.y },
        robust::Coord { x: c.x, y: c.y },
    )
}

/// The directed boundary of `a ∩ b` as pieces of their edges, forming closed cycles
/// counter-clockwise around the intersection (clockwise around its holes). Empty exactly when
/// the interiors do not meet.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use tuban_core::kernel::{boundary_pieces, planar_area, EdgeSet};
///
/// let a = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)]]);
/// // Shares the edge x = 2 with `a`, running the other way: no common area.
/// let b = MultiPolygon(vec![polygon![(x: 2.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 2.0), (x: 2.0, y: 2.0)]]);
/// assert!(boundary_pieces(&EdgeSet::new(&a), &EdgeSet::new(&b)).unwrap().is_empty());
/// // A unit square across a's corner: a quarter of it is common.
/// let c = MultiPolygon(vec![polygon![(x: 1.5, y: 1.5), (x: 2.5, y: 1.5), (x: 2.5, y: 2.5), (x: 1.5, y: 2.5)]]);
/// let pieces = boundary_pieces(&EdgeSet::new(&a), &EdgeSet::new(&c)).unwrap();
/// assert_eq!(planar_area(&pieces), 0.25);
/// ```
pub fn boundary_pieces(a: &EdgeSet, b: &EdgeSet) -> Result<Vec<Seg>, Undecided> {
    Ok(tagged_pieces(a, b)?.into_iter().map(|p| p.seg).collect())
}

/// A piece of the boundary of an intersection, with the edge it lies on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// The piece, directed.
    pub seg: Seg,
    /// True if it lies on an edge of the first polygon, false for the second.
    pub of_a: bool,
    /// The index of that edge in its [`EdgeSet::edges`].
    pub edge: u32,
}

/// [`boundary_pieces`], each piece with the edge it lies on: pieces of one edge can be joined
/// back (see [`join_pieces`]).
pub fn tagged_pieces(a: &EdgeSet, b: &EdgeSet) -> Result<Vec<Piece>, Undecided> {
    let (Some(abox), Some(bbox)) = (a.bbox(), b.bbox()) else {
        return Ok(Vec::new());
    };
    if !edges::boxes_meet(&abox, &bbox) {
        return Ok(Vec::new());
    }
    let (mut on_a, mut on_b) = (Vec::new(), Vec::new());
    pieces::side(a, b, true, &bbox, &mut on_a)?;
    pieces::side(b, a, false, &abox, &mut on_b)?;
    let tag = |of_a: bool| move |(seg, edge): (Seg, u32)| Piece { seg, of_a, edge };
    Ok(on_a
        .into_iter()
        .map(tag(true))
        .chain(on_b.into_iter().map(tag(false)))
        .collect())
}

/// The outline of the union of pieces of disjoint polygons: pieces are first cut where another
/// piece's end lies exactly on them (neighbours of different lengths along one line), then
/// pieces running both ways over the same points cancel (the edges two neighbours share). A
/// measure that depends on where edges are split (the survey's ellipsoidal trapezoids) then sees
/// the union's outline with a vertex at every node, as an overlay's output polygon has it,
/// rather than shared edges that fail to cancel because they were split differently.
/// (`K`, the edge each piece lies on, is kept for callers that group by it.)
pub fn join_pieces<K: Ord + Copy>(pieces: Vec<(Seg, K)>) -> Vec<Seg> {
    let pieces = node_collinear(pieces);
    let key = |s: &Seg| {
        [
            s[0].x.to_bits(),
            s[0].y.to_bits(),
            s[1].x.to_bits(),
            s[1].y.to_bits(),
        ]
    };
    // The pieces' indices sorted by their exact ends: the reverse of a piece is found by binary
    // search (cheaper than hashing for the few hundred pieces of a patch).
    let mut by_key: Vec<([u64; 4], usize)> = pieces
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (key(s), i))
        .collect();
    by_key.sort_unstable();
    let mut gone = vec![false; pieces.len()];
    for (i, (s, _)) in pieces.iter().enumerate() {
        if gone[i] {
            continue;
        }
        let rev = key(&[s[1], s[0]]);
        let from = by_key.partition_point(|(k, _)| *k < rev);
        if let Some(&(_, j)) = by_key[from..]
            .iter()
            .take_while(|(k, _)| *k == rev)
            .find(|(_, j)| !gone[*j])
        {
            gone[i] = true;
            gone[j] = true;
        }
    }
    pieces
        .into_iter()
        .zip(gone)
        .filter(|(_, g)| !g)
        .map(|((s, _), _)| s)
        .collect()
}

/// Cuts every piece at the ends of other pieces lying exactly inside it (orientation zero,
/// strictly between its ends). Pairs are found by a sweep along x.
fn node_collinear<K: Copy>(pieces: Vec<(Seg, K)>) -> Vec<(Seg, K)> {
    let n = pieces.len();
    let lo = |s: &Seg| s[0].x.min(s[1].x);
    let hi = |s: &Seg| s[0].x.max(s[1].x);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| lo(&pieces[a].0).total_cmp(&lo(&pieces[b].0)));
    let mut cuts: Vec<Vec<Coord<f64>>> = vec![Vec::new(); n];
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if lo(&pieces[j].0) > hi(&pieces[i].0) {
                break;
            }
            let (si, sj) = (pieces[i].0, pieces[j].0);
            for (a, b, into) in [(si, sj, i), (sj, si, j)] {
                let bx = edges::seg_box(&a);
                for p in b {
                    if p != a[0]
                        && p != a[1]
                        && edges::in_box(p, &bx)
                        && orient(a[0], a[1], p) == 0.0
                    {
                        cuts[into].push(p);
                    }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    for (i, (s, k)) in pieces.into_iter().enumerate() {
        let c = &mut cuts[i];
        if c.is_empty() {
            out.push((s, k));
            continue;
        }
        let d = (s[1].x - s[0].x, s[1].y - s[0].y);
        let t = |p: &Coord<f64>| (p.x - s[0].x) * d.0 + (p.y - s[0].y) * d.1;
        c.sort_by(|a, b| t(a).total_cmp(&t(b)));
        c.dedup();
        let mut from = s[0];
        for &p in c.iter() {
            out.push(([from, p], k));
            from = p;
        }
        out.push(([from, s[1]], k));
    }
    out
}

/// Do the interiors of `a` and `b` meet inside the box `w` (in its interior)? Exact.
///
/// Only the edges near `w` are visited: if the boundary of `a ∩ b` crosses the interior of `w`,
/// some piece of it lies on an edge that meets `w`, and that piece is found; if it does not, the
/// interior of `w` (connected) lies wholly inside `a ∩ b` or wholly outside it, and the centre of
/// `w` tells which.
pub fn interiors_meet_within(a: &EdgeSet, b: &EdgeSet, w: &Rect<f64>) -> Result<bool, Undecided> {
    let (Some(abox), Some(bbox)) = (a.bbox(), b.bbox()) else {
        return Ok(false);
    };
    let (Some(wa), Some(wb)) = (meet(&bbox, w), meet(&abox, w)) else {
        return Ok(false);
    };
    let mut out = Vec::new();
    pieces::side(a, b, true, &wa, &mut out)?;
    if !out.is_empty() {
        return Ok(true);
    }
    pieces::side(b, a, false, &wb, &mut out)?;
    if !out.is_empty() {
        return Ok(true);
    }
    let c = w.center();
    Ok(a.contains(c)? && b.contains(c)?)
}

/// The intersection of two closed boxes, if they meet.
fn meet(a: &Rect<f64>, b: &Rect<f64>) -> Option<Rect<f64>> {
    edges::boxes_meet(a, b).then(|| {
        Rect::new(
            Coord {
                x: a.min().x.max(b.min().x),
                y: a.min().y.max(b.min().y),
            },
            Coord {
                x: a.max().x.min(b.max().x),
                y: a.max().y.min(b.max().y),
            },
        )
    })
}

/// The planar area enclosed by closed cycles of directed pieces (Green's theorem), each term
/// taken relative to the first piece's start so that the products stay small.
pub fn planar_area(pieces: &[Seg]) -> f64 {
    let Some(c) = pieces.first().map(|s| s[0]) else {
        return 0.0;
    };
    let twice: f64 = pieces
        .iter()
        .map(|[a, b]| (a.x - c.x) * (b.y - c.y) - (b.x - c.x) * (a.y - c.y))
        .sum();
    0.5 * twice
}

/// The planar area of `a ∩ b` (both oriented: counter-clockwise exteriors, clockwise holes).
pub fn intersection_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Result<f64, Undecided> {
    let pieces = boundary_pieces(&EdgeSet::new(a), &EdgeSet::new(b))?;
    Ok(planar_area(&pieces))
}

#[cfg(test)]
mod tests;
