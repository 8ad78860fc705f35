//! Which side of the other polygon a piece of edge leaves a boundary point on.
//!
//! Where an edge of one polygon meets the other polygon's boundary exactly (a shared vertex, a
//! vertex on an edge, the start of a shared edge: everyday events when patches are cut from the
//! land-use layer), the floating-point midpoint of the next piece is no safe probe: it may round
//! onto either side. Instead the direction of the piece is compared with the other polygon's edges
//! at that point, by exact orientation predicates only: sorted by angle around the point, each
//! outgoing edge raises the winding number of the sector it bounds by one and each incoming edge
//! lowers it by one; the lowest sector is outside (a valid polygon has outside next to every
//! boundary point), which fixes the winding number of the sector the piece runs into.

use geo::Coord;
use smallvec::SmallVec;

use super::edges::Seg;
use super::{orient, Undecided};

/// Where a piece of edge runs, relative to the other polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Through the other polygon's interior.
    Inside,
    /// Through its exterior.
    Outside,
    /// Along one of its edges, in the same direction (the interiors are on the same side).
    AlongSame,
    /// Along one of its edges, in the opposite direction (the interiors are on opposite sides).
    AlongOpposite,
}

/// A ray from the point: its far end, and +1 for an edge leaving the point, −1 for one arriving.
type Ray = (Coord<f64>, i32);

/// The state of a piece that leaves `v` towards `q`, given every edge of the other polygon that
/// contains `v` (as an end or in its interior).
pub fn classify(v: Coord<f64>, q: Coord<f64>, incident: &[Seg]) -> Result<State, Undecided> {
    let mut rays: SmallVec<[Ray; 8]> = SmallVec::new();
    for &[r, s] in incident {
        if r == v {
            rays.push((s, 1));
        } else if s == v {
            rays.push((r, -1));
        } else {
            // v inside the edge: it leaves towards s and arrives from r.
            rays.push((s, 1));
            rays.push((r, -1));
        }
    }
    // Rays along the piece itself.
    let mut along = rays
        .iter()
        .filter(|(w, _)| orient(v, q, *w) == 0.0 && same_direction(v, q, *w))
        .map(|&(_, c)| c);
    match (along.next(), along.next()) {
        (None, _) => {}
        (Some(1), None) => return Ok(State::AlongSame),
        (Some(-1), None) => return Ok(State::AlongOpposite),
        _ => {
            return Err(Undecided::new(
                "several edges of the other polygon run along the piece",
            ))
        }
    }
    // Sort the rays counter-clockwise, starting from the piece's direction.
    let half = |w: Coord<f64>| -> u8 {
        let o = orient(v, q, w);
        if o > 0.0 {
            0
        } else if o < 0.0 {
            1
        } else {
            // Collinear and not along the piece: exactly opposite, the start of the second half.
            1
        }
    };
    let mut keyed: SmallVec<[(u8, Ray); 8]> = rays.iter().map(|&r| (half(r.0), r)).collect();
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            let o = orient(v, a.1 .0, b.1 .0);
            if o > 0.0 {
                std::cmp::Ordering::Less
            } else if o < 0.0 {
                std::cmp::Ordering::Greater
            } else if a.0 == 1 && b.0 == 1 {
                // Both collinear with v in the second half: the one exactly opposite the piece
                // comes first (its orientation against the piece is zero).
                let za = orient(v, q, a.1 .0) == 0.0;
                let zb = orient(v, q, b.1 .0) == 0.0;
                zb.cmp(&za)
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    // Winding numbers of the sectors, relative to the piece's sector (0).
    let (mut w, mut lo, mut hi) = (0i32, 0i32, 0i32);
    for (_, (_, c)) in &keyed {
        w += c;
        lo = lo.min(w);
        hi = hi.max(w);
    }
    if w != 0 || hi - lo > 1 {
        return Err(Undecided::new(
            "the other polygon's edges at a point do not bound valid sectors",
        ));
    }
    Ok(if -lo == 1 {
        State::Inside
    } else {
        State::Outside
    })
}

/// With `v`, `q`, `w` collinear: does `w` lie on the same side of `v` as `q`?
fn same_direction(v: Coord<f64>, q: Coord<f64>, w: Coord<f64>) -> bool {
    // Exact comparisons: the line is not vertical when q.x differs from v.x.
    if q.x != v.x {
        (q.x > v.x) == (w.x > v.x) && w.x != v.x
    } else {
        (q.y > v.y) == (w.y > v.y) && w.y != v.y
    }
}
