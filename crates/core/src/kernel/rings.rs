//! Polygons from a region's boundary pieces, and the union of overlapping polygons built that way:
//! geometry in double precision where tuban builds the shapes itself (road corridors united from
//! their segments and joins), instead of i_overlay's union, which snaps every vertex to its grid.
//!
//! The pieces [`super::union_pieces`] returns meet at their ends (bit for bit, except where one
//! crossing was computed from two collinear edges; those ends are joined first), so rings are
//! found by chaining them: at each node the next piece is the first outgoing one clockwise from the
//! reversed incoming one (the face on the left is traced, as in a planar graph). That makes
//! rings that touch one another at a point separate rings, but traces a hole that touches its
//! shell as one ring passing its node twice; such rings are split at the repeated node, which
//! gives the OGC form (shell and hole apart). Counter-clockwise rings are shells, clockwise ones
//! holes, each put in the smallest shell holding it. geo has no such assembly (its boolean
//! operations build output inside i_overlay), which is why it is here.

use std::collections::HashMap;

use geo::{Area, Coord, LineString, MultiPolygon, Polygon};

use super::edges::{EdgeSet, Seg};
use super::pieces::param;
use super::{orient, Undecided};

/// Maps keyed by exact coordinates (their bits), with a fast hasher of fixed seed: looked up
/// only, never iterated, so the seed changes nothing but speed.
type CoordMap<V> = HashMap<(u64, u64), V, foldhash::fast::FixedState>;

/// The union of `parts` (each valid, any orientation), as valid polygons, computed in double
/// precision: every vertex is an input vertex or a crossing of two input edges, rounded once.
///
/// ```
/// use geo::{polygon, Area, MultiPolygon};
/// use tuban_core::kernel::union_polygons;
///
/// let a = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)]]);
/// let b = MultiPolygon(vec![polygon![(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)]]);
/// let u = union_polygons(&[a, b]).unwrap();
/// assert_eq!(u.0.len(), 1);
/// assert_eq!(u.unsigned_area(), 7.0);
/// ```
pub fn union_polygons(parts: &[MultiPolygon<f64>]) -> Result<MultiPolygon<f64>, Undecided> {
    use geo::orient::{Direction, Orient};
    let sets: Vec<EdgeSet> = parts
        .iter()
        .map(|p| EdgeSet::new(&p.orient(Direction::Default)))
        .collect();
    let refs: Vec<&EdgeSet> = sets.iter().collect();
    polygons(&super::union::union_all(&refs)?)
}

/// The polygons bounded by `pieces`: closed cycles of directed segments with the region on
/// their left, meeting exactly at their ends (as [`super::union_pieces`] gives them).
pub fn polygons(pieces: &[Seg]) -> Result<MultiPolygon<f64>, Undecided> {
    let closed = split_at_nodes(close_gaps(pieces));
    let pieces = closed.as_slice();
    let key = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut out_of: CoordMap<Vec<usize>> = CoordMap::default();
    for (i, s) in pieces.iter().enumerate() {
        out_of.entry(key(s[0])).or_default().push(i);
    }
    let mut used = vec![false; pieces.len()];
    let mut shells: Vec<(f64, LineString<f64>)> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for first in 0..pieces.len() {
        if used[first] {
            continue;
        }
        // Trace one cycle.
        let mut walk: Vec<Coord<f64>> = vec![pieces[first][0]];
        let mut cur = first;
        loop {
            used[cur] = true;
            let [from, at] = pieces[cur];
            walk.push(at);
            let outs = out_of
                .get(&key(at))
                .ok_or_else(|| Undecided::new("boundary pieces do not close"))?;
            let next = *outs
                .iter()
                .min_by(|&&a, &&b| {
                    clockwise_from(at, from, pieces[a][1]).total_cmp(&clockwise_from(
                        at,
                        from,
                        pieces[b][1],
                    ))
                })
                .expect("not empty");
            if next == first {
                break;
            }
            if used[next] {
                return Err(Undecided::new("boundary pieces do not form rings"));
            }
            cur = next;
        }
        for ring in split_at_repeats(walk) {
            let ls = LineString(ring);
            let a = ls_signed_area(&ls);
            if a > 0.0 {
                shells.push((a, ls));
            } else if a < 0.0 {
                holes.push(ls);
            }
        }
    }
    let mut polys: Vec<(f64, Polygon<f64>)> = Vec::new();
    let mut inner: Vec<Vec<LineString<f64>>> = vec![Vec::new(); shells.len()];
    // The shells' edges, for the containment tests, only when there are holes to place.
    let sets: Vec<EdgeSet> = if holes.is_empty() {
        Vec::new()
    } else {
        shells
            .iter()
            .map(|(_, ls)| EdgeSet::new(&MultiPolygon(vec![Polygon::new(ls.clone(), vec![])])))
            .collect()
    };
    for h in holes {
        // The smallest shell holding the hole: decided on a vertex of the hole strictly inside
        // (a hole may touch its shell at a vertex, never lie on it all along).
        let mut best: Option<(usize, f64)> = None;
        for (k, ((a, _), set)) in shells.iter().zip(&sets).enumerate() {
            if best.is_some_and(|(_, b)| *a >= b) {
                continue;
            }
            let inside = h.0.iter().find_map(|&v| set.contains(v).ok());
            if inside == Some(true) {
                best = Some((k, *a));
            }
        }
        let (k, _) = best.ok_or_else(|| Undecided::new("a hole lies in no shell"))?;
        inner[k].push(h);
    }
    for ((a, ls), hs) in shells.into_iter().zip(inner) {
        polys.push((a, Polygon::new(ls, hs)));
    }
    Ok(MultiPolygon(polys.into_iter().map(|(_, p)| p).collect()))
}

/// Whether `pieces` close into rings: as many pieces leave every node as arrive, once ends a few
/// ulps apart are joined (see `close_gaps`). A boundary that does not close has lost or gained
/// a piece (seen where a crossing point rounds onto a vertex of a third polygon), and its area
/// means nothing.
pub(super) fn closes(pieces: &[Seg]) -> bool {
    loose_ends(pieces).is_empty() || loose_ends(&close_gaps(pieces)).is_empty()
}

/// `pieces` (a boundary as [`super::union_pieces`] gives it) with ends a few ulps apart joined
/// (see `close_gaps`), if they then close into rings: a region's outline that can be handed to
/// the kernel again as a polygon ([`EdgeSet::from_edges`]). `None` if they do not close.
pub fn closed(pieces: &[Seg]) -> Option<Vec<Seg>> {
    if loose_ends(pieces).is_empty() {
        return Some(pieces.to_vec());
    }
    let joined = close_gaps(pieces);
    loose_ends(&joined).is_empty().then_some(joined)
}

/// The nodes where as many pieces do not leave as arrive (exact coordinates), in coordinate
/// order. By sorting, not hashing: it runs once per union, on a few dozen pieces, where SipHash
/// cost more than the sort.
fn loose_ends(pieces: &[Seg]) -> Vec<Coord<f64>> {
    let key = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut ends: Vec<((u64, u64), i64)> = Vec::with_capacity(2 * pieces.len());
    for s in pieces {
        ends.push((key(s[0]), 1));
        ends.push((key(s[1]), -1));
    }
    ends.sort_unstable_by_key(|e| e.0);
    ends.chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.iter().map(|e| e.1).sum::<i64>() != 0)
        .map(|run| Coord {
            x: f64::from_bits(run[0].0 .0),
            y: f64::from_bits(run[0].0 .1),
        })
        .collect()
}

/// Joins piece ends that should be one node but differ in their last bits, so that the pieces
/// close into rings.
///
/// A crossing point is computed once per pair of edges, so two polygons that both have an edge
/// on one line (a corridor's part and its neighbour, a cut obstacle and its clip box) cross a
/// third edge at two computations of one point, a few ulps apart; one piece then ends where the
/// next does not quite start. Ends without a partner (more pieces arriving than leaving, or the
/// reverse) are joined to such ends within 1e-11 of the pieces' extent (far below any distance
/// survey data resolves, far above the rounding of a crossing); every other end is left as it
/// is, bit for bit.
fn close_gaps(pieces: &[Seg]) -> Vec<Seg> {
    let key = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut loose = loose_ends(pieces);
    if loose.is_empty() {
        return pieces.to_vec();
    }
    let extent = pieces
        .iter()
        .flatten()
        .fold(0.0f64, |m, c| m.max(c.x.abs()).max(c.y.abs()));
    let tol = 1e-11 * (1.0 + extent);
    loose.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let mut to: CoordMap<Coord<f64>> = CoordMap::default();
    for i in 0..loose.len() {
        if to.contains_key(&key(loose[i])) {
            continue;
        }
        for j in i + 1..loose.len() {
            if loose[j].x - loose[i].x > tol {
                break;
            }
            if (loose[j].y - loose[i].y).abs() <= tol && !to.contains_key(&key(loose[j])) {
                to.insert(key(loose[j]), loose[i]);
            }
        }
    }
    let moved = |c: Coord<f64>| to.get(&key(c)).copied().unwrap_or(c);
    pieces
        .iter()
        .map(|s| [moved(s[0]), moved(s[1])])
        .filter(|s| s[0] != s[1])
        .collect()
}

/// [`polygons`], checked to be valid in the OGC sense (geo's validation): for geometry that is
/// written out. The rings are valid by construction but for one thing: crossing points are
/// rounded, and where the region has slivers narrower than that rounding (seen only on fuzzed
/// input) two pieces can cross between nodes. Such a result is [`Undecided`], and the caller
/// draws the geometry some other way.
pub fn valid_polygons(pieces: &[Seg]) -> Result<MultiPolygon<f64>, Undecided> {
    use geo::Validation;
    let g = polygons(pieces)?;
    let valid = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.is_valid()));
    match valid {
        Ok(true) => Ok(g),
        _ => Err(Undecided::new(
            "rounded crossing points make the rings cross one another",
        )),
    }
}

/// Splits pieces at the nodes of other pieces that lie on them.
///
/// [`super::union_pieces`] joins consecutive pieces of one edge (a measure that depends on
/// vertices wants the outline, not its splits), so a point where the region touches itself (a
/// hole's corner on the shell's edge) can lie inside a piece rather than at its end. Chaining
/// needs it as a node, where the walk then passes twice and the ring is split in two (shell and
/// hole, valid). Exact: a node splits a piece only if it lies on it (orientation 0) strictly
/// between its ends.
fn split_at_nodes(pieces: Vec<Seg>) -> Vec<Seg> {
    let mut nodes: Vec<Coord<f64>> = pieces.iter().flat_map(|s| [s[0], s[1]]).collect();
    nodes.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    nodes.dedup();
    let mut out = Vec::with_capacity(pieces.len());
    let mut on: Vec<(f64, Coord<f64>)> = Vec::new();
    for s in pieces {
        let [a, b] = s;
        let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
        let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
        let first = nodes.partition_point(|c| c.x < x0);
        on.clear();
        on.extend(
            nodes[first..]
                .iter()
                .take_while(|c| c.x <= x1)
                .filter(|&&c| c.y >= y0 && c.y <= y1 && c != a && c != b && orient(a, b, c) == 0.0)
                .map(|&c| (param(a, b, c), c)),
        );
        if on.is_empty() {
            out.push(s);
            continue;
        }
        on.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut from = a;
        for &(_, c) in on.iter() {
            out.push([from, c]);
            from = c;
        }
        out.push([from, b]);
    }
    out
}

/// The angle, clockwise, from the direction `at`→`from` to the direction `at`→`to`, in (0, 2π].
fn clockwise_from(at: Coord<f64>, from: Coord<f64>, to: Coord<f64>) -> f64 {
    let back = (from.y - at.y).atan2(from.x - at.x);
    let out = (to.y - at.y).atan2(to.x - at.x);
    let d = (back - out).rem_euclid(std::f64::consts::TAU);
    if d == 0.0 {
        std::f64::consts::TAU
    } else {
        d
    }
}

/// Splits a closed walk (first point repeated at the end) at points it passes more than once,
/// into closed rings that pass each point once.
fn split_at_repeats(walk: Vec<Coord<f64>>) -> Vec<Vec<Coord<f64>>> {
    let key = |c: &Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut rings = Vec::new();
    let mut stack: Vec<Coord<f64>> = Vec::with_capacity(walk.len());
    let mut at: CoordMap<usize> = CoordMap::default();
    for c in walk {
        if let Some(&k) = at.get(&key(&c)) {
            // A loop from stack[k] back to c: a ring of its own.
            let mut ring: Vec<Coord<f64>> = stack.drain(k + 1..).collect();
            for p in &ring {
                at.remove(&key(p));
            }
            ring.insert(0, stack[k]);
            ring.push(c);
            if ring.len() >= 4 {
                rings.push(ring);
            }
        } else {
            at.insert(key(&c), stack.len());
            stack.push(c);
        }
    }
    rings
}

fn ls_signed_area(ls: &LineString<f64>) -> f64 {
    Polygon::new(ls.clone(), vec![]).signed_area()
}
