//! The boundary of A ∩ B as pieces of the two polygons' edges (the "edge-piece" algorithm).
//!
//! Each edge of A is split where it meets B's boundary; each piece runs wholly inside B, outside
//! it, or along one of B's edges. The boundary of A ∩ B is made of the pieces of A inside B, the
//! pieces of B inside A, and the shared pieces once: those of A along an edge of B running the
//! same way (both interiors on the same side). Shared pieces running opposite ways bound no
//! common area and are dropped. Then, by Green's theorem, the area of A ∩ B is a sum over the
//! pieces, and the intersection polygon is never assembled.
//!
//! The state of each piece is found without probing a rounded midpoint:
//! * after a proper crossing (both segments strictly straddle each other), from the signs of the
//!   orientation predicates: the piece enters B when it ends on the left of B's edge;
//! * after a point where the edge meets B's boundary exactly (an input vertex, always an exact
//!   coordinate), from the edges of B at that point (module `local`);
//! * at the edge's start when it is not on B's boundary, by the exact winding number.
//!
//! A crossing point is computed once per pair of segments by the same expression whichever side
//! asks, so the pieces of A and of B meet there bit for bit and form closed cycles.

use geo::{Coord, Rect};
use smallvec::SmallVec;

use super::edges::{boxes_meet, in_box, seg_box, EdgeSet, Seg};
use super::local::{classify, State};
use super::{orient, Undecided};

/// An event on an edge: where it meets the other polygon's boundary.
pub(super) enum Event {
    /// A proper crossing at a computed point; `true` if the edge enters the other polygon there.
    Cross(Coord<f64>, bool, Seg),
    /// Contact at an exact input point with one of the other polygon's edges.
    Touch(Coord<f64>, Seg),
}

/// Pushes onto `out` the pieces of `this`'s edges that bound `this ∩ other`: those inside
/// `other`, and (when `this_is_a`) those along an edge of `other` running the same way.
/// `this_is_a` also fixes the argument order of crossing computations (see the module docs).
/// Only edges of `this` whose envelope meets `window` are visited: the caller passes the
/// envelope of `other` (nothing of `this` outside it can be inside `other`).
pub fn side(
    this: &EdgeSet,
    other: &EdgeSet,
    this_is_a: bool,
    window: &Rect<f64>,
    out: &mut Vec<(Seg, u32)>,
) -> Result<(), Undecided> {
    let mut result = Ok(());
    let mut events: Vec<(f64, Event)> = Vec::new();
    // The state at the end of the edge visited last: the next edge's start state when it starts
    // there off the other's boundary (edges come in ring order unless `this` is indexed), which
    // spares a point-in-polygon test per edge.
    let mut last: Option<(Coord<f64>, State)> = None;
    let mut pieces: Vec<Seg> = Vec::new();
    this.for_each_near_indexed(window, |k, e| {
        if result.is_err() {
            return;
        }
        events.clear();
        pieces.clear();
        let carry = last.filter(|(at, _)| *at == e[0]).map(|(_, s)| s);
        let include = |s: State| s == State::Inside || (this_is_a && s == State::AlongSame);
        let r = edge(e, other, this_is_a, carry, &mut events, |seg, s| {
            if include(s) {
                pieces.push(seg)
            }
        });
        out.extend(pieces.iter().map(|&s| (s, k)));
        match r {
            Ok(end) => last = end.map(|s| (e[1], s)),
            Err(u) => result = Err(u),
        }
    });
    result
}

/// Splits `e` where it meets `other`'s boundary and hands every piece, in order from `e[0]` to
/// `e[1]`, to `out` with its state against `other`; returns the state of the last piece when that
/// ends at the edge's end off the other's boundary. `carry`: the state at `e`'s start if known.
/// `this_is_a` fixes the argument order of crossing computations (see the module docs).
pub(super) fn edge(
    e: &Seg,
    other: &EdgeSet,
    this_is_a: bool,
    carry: Option<State>,
    events: &mut Vec<(f64, Event)>,
    mut out: impl FnMut(Seg, State),
) -> Result<Option<State>, Undecided> {
    let [p, q] = *e;
    let ebox = seg_box(e);
    other.for_each_near(&ebox, |f| contacts(e, f, this_is_a, events));
    // A crossing through an exact contact point (the other polygon touching itself there, e.g.
    // a hole's vertex on its shell's edge, with this edge passing through that very point) is a
    // contact at that point, not a crossing at a rounded one.
    // (Most edges meet nothing of the other polygon: no events, nothing to collect.)
    let points: SmallVec<[Coord<f64>; 4]> = if events.is_empty() {
        SmallVec::new()
    } else {
        events
            .iter()
            .filter_map(|(_, ev)| match ev {
                Event::Touch(v, _) => Some(*v),
                Event::Cross(..) => None,
            })
            .collect()
    };
    if !points.is_empty() {
        for (t, ev) in events.iter_mut() {
            if let Event::Cross(_, _, f) = ev {
                let f = *f;
                if let Some(&v) = points
                    .iter()
                    .find(|&&v| orient(f[0], f[1], v) == 0.0 && in_box(v, &seg_box(&f)))
                {
                    *t = param(p, q, v);
                    *ev = Event::Touch(v, f);
                }
            }
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));

    let mut pos = p;
    let mut i = 0;
    // The state of the first piece.
    let starts_on_boundary = matches!(events.first(), Some((_, Event::Touch(v, _))) if *v == p);
    let mut state = if starts_on_boundary {
        State::Outside // replaced at the first event group below
    } else if let Some(s) = carry {
        s
    } else {
        match other.bbox() {
            Some(b) if in_box(p, &b) => {
                if other.contains(p)? {
                    State::Inside
                } else {
                    State::Outside
                }
            }
            _ => State::Outside,
        }
    };
    let mut incident: SmallVec<[Seg; 4]> = SmallVec::new();
    while i < events.len() {
        match events[i].1 {
            Event::Cross(x, enters, _) => {
                if x != pos {
                    out([pos, x], state);
                }
                pos = x;
                state = if enters {
                    State::Inside
                } else {
                    State::Outside
                };
                i += 1;
            }
            Event::Touch(v, _) => {
                // Every contact at v, wherever the sort put it among equal parameters.
                incident.clear();
                let mut j = i;
                while j < events.len() && events[j].0 == events[i].0 {
                    j += 1;
                }
                let mut rest: SmallVec<[usize; 2]> = SmallVec::new();
                for (k, (_, ev)) in events.iter().enumerate().skip(i).take(j - i) {
                    match ev {
                        Event::Touch(w, f) if *w == v => incident.push(*f),
                        _ => rest.push(k),
                    }
                }
                // An edge of the other polygon running along this one through v (v is a vertex
                // of another of its rings touching there) holds v in its interior, where no
                // contact was recorded: it bounds the sectors at v too.
                for (_, ev) in events.iter() {
                    let (Event::Touch(_, f) | Event::Cross(_, _, f)) = ev;
                    if !incident.contains(f)
                        && orient(f[0], f[1], v) == 0.0
                        && in_box(v, &seg_box(f))
                    {
                        incident.push(*f);
                    }
                }
                if !rest.is_empty() {
                    // Different points at the same rounded parameter: too close to order.
                    return Err(Undecided::new(
                        "two contacts on one edge too close to order",
                    ));
                }
                if v != pos {
                    out([pos, v], state);
                }
                pos = v;
                if v != q {
                    state = classify(v, q, &incident)?;
                }
                i = j;
            }
        }
    }
    if pos == q {
        return Ok(None);
    }
    out([pos, q], state);
    Ok(Some(state))
}

/// Records where `e` (of this polygon) meets `f` (of the other).
fn contacts(e: &Seg, f: &Seg, this_is_a: bool, events: &mut Vec<(f64, Event)>) {
    let [p, q] = *e;
    let [r, s] = *f;
    let o_r = orient(p, q, r);
    let o_s = orient(p, q, s);
    if (o_r > 0.0 && o_s > 0.0) || (o_r < 0.0 && o_s < 0.0) {
        return;
    }
    let o_p = orient(r, s, p);
    let o_q = orient(r, s, q);
    if (o_p > 0.0 && o_q > 0.0) || (o_p < 0.0 && o_q < 0.0) {
        return;
    }
    if o_r != 0.0 && o_s != 0.0 && o_p != 0.0 && o_q != 0.0 {
        let x = if this_is_a {
            crossing(e, f)
        } else {
            crossing(f, e)
        };
        events.push((param(p, q, x), Event::Cross(x, o_q > 0.0, *f)));
        return;
    }
    let (ebox, fbox) = (seg_box(e), seg_box(f));
    if !boxes_meet(&ebox, &fbox) {
        return;
    }
    let mut push = |v: Coord<f64>| {
        if !events
            .iter()
            .any(|(_, ev)| matches!(ev, Event::Touch(w, g) if *w == v && g == f))
        {
            events.push((param(p, q, v), Event::Touch(v, *f)));
        }
    };
    if o_p == 0.0 && in_box(p, &fbox) {
        push(p);
    }
    if o_q == 0.0 && in_box(q, &fbox) {
        push(q);
    }
    if o_r == 0.0 && in_box(r, &ebox) {
        push(r);
    }
    if o_s == 0.0 && in_box(s, &ebox) {
        push(s);
    }
}

/// The point where `a` (an edge of A) properly crosses `b` (an edge of B); always called in this
/// argument order, so both sides get the same bits.
pub(crate) fn crossing(a: &Seg, b: &Seg) -> Coord<f64> {
    let [p, q] = *a;
    let [r, s] = *b;
    let o_p = orient(r, s, p);
    let o_q = orient(r, s, q);
    let t = o_p / (o_p - o_q);
    let x = Coord {
        x: p.x + t * (q.x - p.x),
        y: p.y + t * (q.y - p.y),
    };
    // Keep the rounded point inside both segments' envelopes.
    let lo_x = p.x.min(q.x).max(r.x.min(s.x));
    let hi_x = p.x.max(q.x).min(r.x.max(s.x));
    let lo_y = p.y.min(q.y).max(r.y.min(s.y));
    let hi_y = p.y.max(q.y).min(r.y.max(s.y));
    Coord {
        x: x.x.clamp(lo_x, hi_x.max(lo_x)),
        y: x.y.clamp(lo_y, hi_y.max(lo_y)),
    }
}

/// Where `v` lies along `p`–`q` (0 at p, 1 at q), measured on the longer axis; exact at the ends.
pub(super) fn param(p: Coord<f64>, q: Coord<f64>, v: Coord<f64>) -> f64 {
    if v == p {
        return 0.0;
    }
    if v == q {
        return 1.0;
    }
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    if dx.abs() >= dy.abs() {
        (v.x - p.x) / dx
    } else {
        (v.y - p.y) / dy
    }
}
