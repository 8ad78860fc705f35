//! A road corridor's outline walked in one pass, where that is provably the union of its parts.
//!
//! [`super::road_corridor`] defines a corridor as the union of its parts: one rectangle per
//! segment and one fan per bend, united exactly by the kernel. Uniting them costs about three
//! times what an overlay polygon costs per edge, since the parts meet along shared edges and at
//! shared vertices by construction (the kernel's slow path): 1.2 s of one core for the 8 592
//! roads of the 100k comparison set, 0.07 s with the outline (`cargo bench --bench overlay --
//! "road corridors"`: 297 ms → 22.6 ms on 2 000 survey-like roads). Most roads bend gently and never come back near themselves,
//! and for those the outline can be written down directly, as GEOS writes its raw offset curve:
//! along the right side forwards, across the far end, back along the left side, across the near
//! end; with the outer side of each bend following its fan's arc and the inner side cut at the
//! point where the two segments' offset sides cross. No crate offers this (geo's buffer works on
//! i_overlay's integer grid, which is what the exact corridors replace).
//!
//! **When the outline is the union.** Let every part be counted with its orientation. The sum of
//! the parts' boundaries is a closed curve whose winding number at a point is the number of parts
//! holding it: the edges the parts share (a rectangle's end against its neighbour's fan, a fan's
//! sides) cancel. What is left is GEOS's raw curve, which at an inner corner runs from one
//! segment's offset side through the vertex to the next segment's. Cutting that corner at the
//! sides' crossing point `X` splits the raw curve into the outline and one small loop per inner
//! corner `(X, this side's end, vertex, next side's start)`, which winds once around its inside.
//! If each such loop lies in both segments' rectangles, a point inside `k` loops lies in at least
//! `k + 1` parts, so the outline winds at least once around every point of the union; and if the
//! outline is a simple counter-clockwise ring, it winds at most once around anything, and
//! exactly around the union. So the outline is taken only when
//! - each inner corner's offset sides cross properly (exact orientation tests), and the ends of
//!   both sides lie within the other segment's length (so the loop lies in both rectangles);
//! - no bend turns straight back (a reversal's inner sides lie on one line);
//! - the ring is simple: no two edges meet except consecutive ones at their shared vertex, and no
//!   consecutive pair folds back on itself (a sweep with exact predicates);
//! - its area is positive;
//! - for a road of several lines, every line's ring qualifies and their envelopes are apart.
//!
//! Otherwise (a road crossing or nearly touching itself, a sharp bend after a short segment, lines
//! that meet) the parts are united as before. Where a straight-on vertex's two offset points
//! differ in the last bit, the outline joins them directly and leaves out the sliver between
//! them and the vertex: of the order of an ulp of the coordinates times the half-width, 1e-9 of
//! a square millimetre.

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::{Bend, Plan};
use crate::kernel::{crossing, orient};

/// The corridors of `plans` as outlines (one polygon per line), or `None` if any of them does not
/// qualify (see the module documentation).
pub(super) fn corridor_rings(plans: &[Plan]) -> Option<MultiPolygon<f64>> {
    let mut polys = Vec::with_capacity(plans.len());
    let mut boxes: Vec<[f64; 4]> = Vec::with_capacity(plans.len());
    for plan in plans {
        let ring = corridor_ring(plan)?;
        let b = envelope(&ring);
        if boxes
            .iter()
            .any(|o| o[0] <= b[2] && b[0] <= o[2] && o[1] <= b[3] && b[1] <= o[3])
        {
            return None;
        }
        boxes.push(b);
        polys.push(Polygon::new(LineString(ring), vec![]));
    }
    Some(MultiPolygon(polys))
}

/// The outline of one planned line as a closed ring (first vertex repeated at the end),
/// counter-clockwise, or `None`.
pub(super) fn corridor_ring(plan: &Plan) -> Option<Vec<Coord<f64>>> {
    let (line, sides, bends) = (&plan.line, &plan.sides, &plan.bends);
    let n = sides.len();
    let extra: usize = bends
        .iter()
        .map(|b| match b {
            Bend::Turn { fan: Some(f), .. } => f.len(),
            _ => 0,
        })
        .sum();
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(4 * n + 2 + extra);
    // The right side, forwards: each segment's right start and end (l0, l1, r0, r1 = 0..4).
    ring.push(sides[0][2]);
    for i in 0..n {
        ring.push(sides[i][3]);
        if i + 1 == n {
            break;
        }
        match &bends[i] {
            Bend::Straight => ring.push(sides[i + 1][2]),
            Bend::Turn {
                left_outer: false,
                fan,
            } => {
                if let Some(fan) = fan {
                    ring.extend_from_slice(&fan[2..fan.len() - 1]);
                }
                ring.push(sides[i + 1][2]);
            }
            Bend::Turn {
                left_outer: true, ..
            } => {
                let x = inner_corner(
                    [sides[i][2], sides[i][3]],
                    [sides[i + 1][2], sides[i + 1][3]],
                    [line[i], line[i + 1], line[i + 2]],
                )?;
                *ring.last_mut()? = x;
            }
        }
    }
    // The far end, then the left side backwards.
    ring.push(line[n]);
    ring.push(sides[n - 1][1]);
    for i in (0..n).rev() {
        ring.push(sides[i][0]);
        if i == 0 {
            break;
        }
        match &bends[i - 1] {
            Bend::Straight => ring.push(sides[i - 1][1]),
            Bend::Turn {
                left_outer: true,
                fan,
            } => {
                if let Some(fan) = fan {
                    ring.extend(fan[2..fan.len() - 1].iter().rev());
                }
                ring.push(sides[i - 1][1]);
            }
            Bend::Turn {
                left_outer: false, ..
            } => {
                // Walking backwards, the earlier segment's side is reached second.
                let x = inner_corner(
                    [sides[i - 1][0], sides[i - 1][1]],
                    [sides[i][0], sides[i][1]],
                    [line[i - 1], line[i], line[i + 1]],
                )?;
                *ring.last_mut()? = x;
            }
        }
    }
    ring.push(line[0]);
    ring.dedup();
    while ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 || signed_area(&ring) <= 0.0 || !simple(&ring) {
        return None;
    }
    ring.push(ring[0]);
    Some(ring)
}

/// Where the inner offset side `e` of segment `a`→`p` and the inner offset side `f` of segment
/// `p`→`b` cross, if they cross properly and the small loop they cut off lies in both segments'
/// rectangles: `e`'s end within the length of `p`→`b`, `f`'s start within that of `a`→`p`.
fn inner_corner(
    e: [Coord<f64>; 2],
    f: [Coord<f64>; 2],
    [a, p, b]: [Coord<f64>; 3],
) -> Option<Coord<f64>> {
    let opposite = |u: f64, v: f64| (u > 0.0 && v < 0.0) || (u < 0.0 && v > 0.0);
    if !opposite(orient(f[0], f[1], e[0]), orient(f[0], f[1], e[1]))
        || !opposite(orient(e[0], e[1], f[0]), orient(e[0], e[1], f[1]))
    {
        return None;
    }
    let along = |q: Coord<f64>, from: Coord<f64>, to: Coord<f64>| {
        (q.x - from.x) * (to.x - from.x) + (q.y - from.y) * (to.y - from.y)
    };
    // e[1] lies beyond p across segment p→b's start; it must not pass b. Likewise f[0] must not
    // pass a, going back along a→p.
    if along(e[1], b, p) < 0.0 || along(f[0], a, p) < 0.0 {
        return None;
    }
    Some(crossing(&e, &f))
}

/// Twice the signed area of an open ring (positive counter-clockwise).
fn signed_area(ring: &[Coord<f64>]) -> f64 {
    let o = ring[0];
    let mut s = 0.0;
    for w in ring.windows(2) {
        s += (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y);
    }
    s
}

fn envelope(ring: &[Coord<f64>]) -> [f64; 4] {
    ring.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
}

/// Whether the closed ring through the open vertex list `ring` (no repeated consecutive vertex)
/// is simple: edges meet only where consecutive edges share their vertex, and no two consecutive
/// edges run back along each other. A sweep along the ring's longer axis, exact predicates.
pub(super) fn simple(ring: &[Coord<f64>]) -> bool {
    let m = ring.len();
    let edge = |k: usize| (ring[k], ring[(k + 1) % m]);
    let b = envelope(ring);
    let by_x = b[2] - b[0] >= b[3] - b[1];
    // Each edge's span on the sweep axis and on the other.
    let span = |k: usize| {
        let (p, q) = edge(k);
        let (u0, u1, v0, v1) = if by_x {
            (p.x, q.x, p.y, q.y)
        } else {
            (p.y, q.y, p.x, q.x)
        };
        (u0.min(u1), u0.max(u1), v0.min(v1), v0.max(v1))
    };
    let spans: Vec<(f64, f64, f64, f64)> = (0..m).map(span).collect();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_unstable_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0));
    for (k, &i) in order.iter().enumerate() {
        let si = spans[i];
        for &j in &order[k + 1..] {
            let sj = spans[j];
            if sj.0 > si.1 {
                break;
            }
            if sj.2 > si.3 || si.2 > sj.3 {
                continue;
            }
            let (a, b) = edge(i);
            let (c, d) = edge(j);
            let (ij, ji) = ((i + 1) % m == j, (j + 1) % m == i);
            if ij || ji {
                // Consecutive edges share a vertex; they must not fold back along each other.
                let (p, q, r) = if ij { (a, b, d) } else { (c, d, b) };
                let back = (q.x - p.x) * (r.x - q.x) + (q.y - p.y) * (r.y - q.y) < 0.0;
                if back && orient(p, q, r) == 0.0 {
                    return false;
                }
                continue;
            }
            if segments_meet(a, b, c, d) {
                return false;
            }
        }
    }
    true
}

/// Whether the closed segments `a`–`b` and `c`–`d`, whose envelopes meet, share a point.
fn segments_meet(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    let same = |u: f64, v: f64| (u > 0.0 && v > 0.0) || (u < 0.0 && v < 0.0);
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    // Collinear segments whose envelopes meet overlap; otherwise the usual straddle test.
    !(same(o1, o2) || same(o3, o4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn simple_rings_and_not() {
        let square = [c(0.0, 0.0), c(1.0, 0.0), c(1.0, 1.0), c(0.0, 1.0)];
        assert!(simple(&square));
        // A bowtie crosses itself.
        assert!(!simple(&[
            c(0.0, 0.0),
            c(1.0, 1.0),
            c(1.0, 0.0),
            c(0.0, 1.0)
        ]));
        // A ring touching itself at a vertex (two triangles joined at (1, 1)).
        assert!(!simple(&[
            c(0.0, 0.0),
            c(1.0, 1.0),
            c(2.0, 0.0),
            c(2.0, 2.0),
            c(1.0, 1.0),
            c(0.0, 2.0),
        ]));
        // A spike: an edge runs back along the one before it.
        assert!(!simple(&[
            c(0.0, 0.0),
            c(2.0, 0.0),
            c(1.0, 0.0),
            c(1.0, 1.0)
        ]));
        // A vertex of one edge lying on another, non-consecutive edge.
        assert!(!simple(&[
            c(0.0, 0.0),
            c(4.0, 0.0),
            c(4.0, 2.0),
            c(2.0, 0.0),
            c(0.0, 2.0),
        ]));
        // Tall rings sweep along y and give the same answers.
        let tall: Vec<Coord<f64>> = square.iter().map(|p| c(p.x, 100.0 * p.y)).collect();
        assert!(simple(&tall));
    }
}
