//! The boundary of P ∩ (O₁ ∪ … ∪ Oₙ), where the Oᵢ may overlap one another (grave discs, road
//! corridors at a junction, a road over a forest), as pieces of the polygons' edges.
//!
//! This is the pairwise edge-piece algorithm (module `pieces`) taken to n polygons. Every edge
//! of every polygon is split where it meets the boundary of each other polygon whose envelope
//! it meets, and each piece gets its state against each of them (inside, outside, along an edge
//! the same way, along an edge the opposite way), decided exactly as in the pair case. A piece of
//! an edge of X has X's interior on its left and not on its right; each other polygon's state
//! says which sides it covers (inside: both; along the same way: the left; along the opposite
//! way: the right). So both sides' membership in R = P ∩ ∪Oᵢ is known, and the piece is on R's
//! boundary exactly when one side is in R and the other is not, directed with R on its left.
//! Where several polygons have an edge along the same piece, the piece is taken from the one
//! listed first only (the patch, then the obstacles in order), so it is counted once.
//!
//! Nothing is rounded but the crossing points, each computed by one expression with the lower
//! polygon's edge first, whichever polygon asks, so the pieces of two edges meet bit for bit
//! where those edges cross (a crossing computed again from another edge on the same line may
//! differ in its last bits; [`super::polygons`] joins such ends).
//!
//! Consecutive boundary pieces of one edge are joined, so the boundary has vertices only where
//! R's outline turns or changes edge: a measure that depends on where edges are split (the
//! survey's ellipsoidal formula) sees what an overlay's output polygon would give it.

use geo::{Coord, Rect};

use super::edges::{boxes_meet, seg_box, union_box, EdgeSet, Seg};
use super::local::State;
use super::pieces::{edge, param};
use super::{meet, Undecided};

/// One polygon's view of an edge of another: the pieces of the edge, in order, each with its
/// end's parameter along the edge and its state.
type Run = Vec<(f64, Coord<f64>, State)>;

/// The directed boundary of `patch ∩ (parts[0] ∪ parts[1] ∪ …)`, counter-clockwise around the
/// region (clockwise around its holes). The parts may overlap one another and share edges with
/// each other and with the patch; each must be a valid polygon, oriented (counter-clockwise
/// exteriors, clockwise holes).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use tuban_core::kernel::{planar_area, union_pieces, EdgeSet};
///
/// let sq = |x0: f64, y0: f64, x1: f64, y1: f64| {
///     EdgeSet::new(&MultiPolygon(vec![polygon![
///         (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)
///     ]]))
/// };
/// let patch = sq(0.0, 0.0, 10.0, 10.0);
/// // Two 4 × 4 squares overlapping in a 2 × 2 one, and a third sticking out of the patch.
/// let (a, b, c) = (sq(1.0, 1.0, 5.0, 5.0), sq(3.0, 3.0, 7.0, 7.0), sq(8.0, 8.0, 12.0, 12.0));
/// let pieces = union_pieces(&patch, &[&a, &b, &c]).unwrap();
/// // 16 + 16 - 4 inside, and the 2 × 2 corner of c.
/// assert_eq!(planar_area(&pieces), 32.0);
/// ```
pub fn union_pieces(patch: &EdgeSet, parts: &[&EdgeSet]) -> Result<Vec<Seg>, Undecided> {
    match patch.bbox() {
        Some(pbox) => boundary(Some((patch, pbox)), parts),
        None => Ok(Vec::new()),
    }
}

/// The directed boundary of `parts[0] ∪ parts[1] ∪ …`, as [`union_pieces`] gives it for a patch
/// that holds them all (the union of a road's corridor parts), without a patch's edges to split
/// and test against.
pub(super) fn union_all(parts: &[&EdgeSet]) -> Result<Vec<Seg>, Undecided> {
    boundary(None, parts)
}

/// [`union_pieces`] for a patch with its envelope, or (`None`) for the whole plane.
fn boundary(
    patch: Option<(&EdgeSet, Rect<f64>)>,
    parts: &[&EdgeSet],
) -> Result<Vec<Seg>, Undecided> {
    // Index 0 is the patch (an empty stand-in, never visited, for the whole plane), 1.. the
    // parts; parts that cannot reach the patch are left out.
    let everywhere = patch.is_none();
    let empty = EdgeSet::from_edges(Vec::new());
    let (patch, pbox) = patch.unwrap_or((&empty, Rect::new((0.0, 0.0), (0.0, 0.0))));
    let mut polys: Vec<&EdgeSet> = vec![patch];
    let mut boxes: Vec<Rect<f64>> = vec![pbox];
    for p in parts {
        if let Some(b) = p.bbox().filter(|b| everywhere || boxes_meet(b, &pbox)) {
            polys.push(p);
            boxes.push(b);
        }
    }
    let mut out = Vec::new();
    if polys.len() == 1 {
        return Ok(out);
    }
    let mut scratch = Scratch::default();
    let first = usize::from(everywhere);
    for x in first..polys.len() {
        // The polygons whose envelopes meet X's: the only ones its edges can meet.
        let near: Vec<usize> = (first..polys.len())
            .filter(|&y| y != x && boxes_meet(&boxes[x], &boxes[y]))
            .collect();
        if near.is_empty() && !everywhere {
            continue;
        }
        let mut result = Ok(());
        let window = if x == 0 {
            // The patch's edges near any part.
            near.iter()
                .map(|&y| boxes[y])
                .reduce(|a, b| union_box(&a, &b))
                .expect("near is not empty")
        } else if everywhere {
            boxes[x]
        } else {
            // Nothing of a part outside the patch's envelope bounds R.
            meet(&boxes[x], &pbox).expect("parts meet the patch's envelope")
        };
        polys[x].for_each_near(&window, |e| {
            if result.is_ok() {
                result = edge_pieces(
                    x,
                    e,
                    &polys,
                    &boxes,
                    &near,
                    everywhere,
                    &mut scratch,
                    &mut out,
                );
            }
        });
        result?;
        scratch.last.clear();
    }
    // A check, not a proof: a crossing point that rounds onto a vertex of a third polygon can
    // make the polygons' views of that point disagree, and a piece goes missing (found by the
    // kernel fuzz target: 64 902 m² where GEOS says 72 928). Such a boundary does not close.
    if !super::rings::closes(&out) {
        return Err(Undecided::new(
            "the boundary pieces do not close (a crossing point rounded onto a vertex)",
        ));
    }
    Ok(out)
}

/// Buffers reused from edge to edge.
#[derive(Default)]
struct Scratch {
    events: Vec<(f64, super::pieces::Event)>,
    /// Runs against the polygons near the current edge: the first `used` are live; the rest
    /// are spare buffers kept for their capacity.
    runs: Vec<(usize, Run)>,
    used: usize,
    /// Per live run, how far the walk along the edge has got in it.
    at: Vec<usize>,
    breaks: Vec<(f64, Coord<f64>)>,
    /// Per other polygon, the state at the end of the last edge asked about it, when that end
    /// is off its boundary (the next edge's start, in ring order).
    last: Vec<(usize, Coord<f64>, State)>,
}

/// Pushes onto `out` the pieces of edge `e` of polygon `x` that bound R (`everywhere`: the patch
/// is the whole plane).
#[allow(clippy::too_many_arguments)]
fn edge_pieces(
    x: usize,
    e: &Seg,
    polys: &[&EdgeSet],
    boxes: &[Rect<f64>],
    near: &[usize],
    everywhere: bool,
    scratch: &mut Scratch,
    out: &mut Vec<Seg>,
) -> Result<(), Undecided> {
    let [p, q] = *e;
    let ebox = seg_box(e);
    let Scratch {
        events,
        runs,
        used,
        at,
        breaks,
        last,
    } = scratch;
    *used = 0;
    for &y in near {
        if !boxes_meet(&boxes[y], &ebox) {
            continue;
        }
        let carry = last
            .iter()
            .find(|(z, at, _)| *z == y && *at == p)
            .map(|&(_, _, s)| s);
        events.clear();
        if *used == runs.len() {
            runs.push((y, Vec::new()));
        }
        let (slot, run) = &mut runs[*used];
        *slot = y;
        run.clear();
        let end = edge(e, polys[y], x < y, carry, events, |s, st| {
            run.push((param(p, q, s[1]), s[1], st))
        })?;
        *used += 1;
        last.retain(|(z, _, _)| *z != y);
        if let Some(s) = end {
            last.push((y, q, s));
        }
    }
    // Off every other polygon's envelope: X's own edge is R's boundary only if X is the patch
    // and a part covers it, or a part and the patch covers it, neither of which can be; unless
    // the patch is the whole plane, where a part's edge off every other part bounds R whole.
    if *used == 0 {
        if everywhere {
            out.push(*e);
        }
        return Ok(());
    }
    let runs = &runs[..*used];
    breaks.clear();
    for (_, run) in runs.iter() {
        breaks.extend(run.iter().map(|&(t, at, _)| (t, at)));
    }
    if runs.len() > 1 {
        breaks.sort_by(|a, b| a.0.total_cmp(&b.0));
        breaks.dedup_by(|a, b| a.1 == b.1);
    }
    at.clear();
    at.resize(runs.len(), 0);
    let mut from = p;
    // The boundary piece being extended: its start and whether it runs along e (true) or
    // against it.
    let mut open: Option<(Coord<f64>, Coord<f64>, bool)> = None;
    for &(t, to) in breaks.iter() {
        if to == from {
            continue;
        }
        // Membership of the left and right sides: X covers its left only.
        let (mut patch_l, mut patch_r) = (x == 0 || everywhere, everywhere);
        let (mut part_l, mut part_r) = (x != 0, false);
        let mut skip = false;
        for (k, (y, run)) in runs.iter().enumerate() {
            while at[k] + 1 < run.len() && run[at[k]].0 < t {
                at[k] += 1;
            }
            let (l, r) = match run[at[k]].2 {
                State::Inside => (true, true),
                State::Outside => (false, false),
                State::AlongSame => (true, false),
                State::AlongOpposite => (false, true),
            };
            if *y < x && l != r {
                // Lies along an edge of a polygon listed earlier, which takes the piece.
                skip = true;
                break;
            }
            if *y == 0 {
                (patch_l, patch_r) = (l, r);
            } else {
                part_l |= l;
                part_r |= r;
            }
        }
        let (in_l, in_r) = (patch_l && part_l, patch_r && part_r);
        let dir = if skip || in_l == in_r {
            None
        } else {
            Some(in_l)
        };
        // Extend the open piece, or close it and open another.
        match (open, dir) {
            (Some((a, b, d)), Some(nd)) if d == nd && b == from => open = Some((a, to, d)),
            (o, nd) => {
                if let Some(piece) = o {
                    out.push(directed(piece));
                }
                open = nd.map(|d| (from, to, d));
            }
        }
        from = to;
    }
    if let Some(piece) = open {
        out.push(directed(piece));
    }
    Ok(())
}

fn directed((a, b, along): (Coord<f64>, Coord<f64>, bool)) -> Seg {
    if along {
        [a, b]
    } else {
        [b, a]
    }
}
