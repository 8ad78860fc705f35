//! Class and union areas of one patch from the area kernel, and where they must fall back.
//!
//! The kernel ([`crate::kernel`]) measures the patch's intersection with one obstacle at a time.
//! A class's area is the sum of those only where the class's obstacles do not overlap one
//! another inside the patch: land-use polygons (a partition), DEM cells, and any other layer
//! whose features happen not to overlap. That is *proved* per patch, not assumed: every pair of
//! the class's obstacles whose envelopes overlap must have an empty kernel boundary (interiors
//! disjoint, decided exactly). A class that fails (grave discs and road corridors, which overlap
//! by design, or an undecided pair) is measured by the n-way kernel
//! ([`crate::kernel::union_pieces`]: the boundary of patch ∩ ∪obstacles from every edge's state
//! against every other polygon), which costs more than a sum.
//!
//! The union of all classes follows the same rule: when the classes are summed and disjoint
//! from one another, it is the sum of their areas; otherwise the n-way kernel measures it over
//! all of the patch's obstacles at once. Only where the kernel cannot decide does a class or the
//! union fall back to i_overlay (counted).

use geo::{Coord, MultiPolygon, Rect};

use crate::area::AreaMeasure;
use crate::kernel::{
    interiors_meet_within, join_pieces, planar_area, union_pieces, EdgeSet, Piece, Seg,
};

/// How one obstacle meets the patch.
pub(super) enum Rel {
    /// Wholly inside the patch.
    Whole,
    /// Holds the whole patch.
    PatchInside,
    /// Crosses the patch's boundary; the i_overlay piece if it was computed.
    Cross(Option<MultiPolygon<f64>>),
}

/// An obstacle that shares area with the patch, in the patch's local frame.
pub(super) struct Cand {
    /// The obstacle's index in the [`super::ObstacleIndex`].
    pub source: usize,
    pub class: usize,
    pub local: MultiPolygon<f64>,
    pub env: Rect<f64>,
    /// Small enough to be kept whole (not cut to the patch's neighbourhood).
    pub small: bool,
    /// Stands for counted points (grave discs): overlaps by design.
    pub tally: bool,
    pub rel: Rel,
    /// Area of the patch ∩ this obstacle, for planar runs (summed there). Ellipsoidal runs
    /// measure a class on its pieces' outline instead and leave this NaN, except for a pair the
    /// kernel could not decide.
    pub area: f64,
    /// Its edges, for the kernel.
    pub set: EdgeSet,
    /// The kernel's boundary pieces of patch ∩ obstacle, kept for measures that are not
    /// additive over split edges (empty for planar runs).
    pub pieces: Vec<Piece>,
}

/// Owner key of the patch's edges in [`join_pieces`]; obstacles use their candidate index.
const PATCH: u32 = u32::MAX;

/// The area of the union of the candidates `ids` inside the patch (they are proved disjoint),
/// measured on the outline their pieces make ([`join_pieces`]): what a vertex-dependent measure
/// (the survey's ellipsoidal formula) gives for the union's polygon.
pub(super) fn joined_area(
    cands: &[Cand],
    ids: &[usize],
    patch: &EdgeSet,
    measure: &dyn AreaMeasure,
    origin: Coord<f64>,
) -> f64 {
    let mut all: Vec<(Seg, (u32, u32))> = Vec::new();
    for &k in ids {
        let c = &cands[k];
        match c.rel {
            Rel::Whole => all.extend(
                c.set
                    .edges()
                    .iter()
                    .enumerate()
                    .map(|(e, &s)| (s, (k as u32, e as u32))),
            ),
            Rel::PatchInside => all.extend(
                patch
                    .edges()
                    .iter()
                    .enumerate()
                    .map(|(e, &s)| (s, (PATCH, e as u32))),
            ),
            Rel::Cross(_) => all.extend(c.pieces.iter().map(|p| {
                let owner = if p.of_a { PATCH } else { k as u32 };
                (p.seg, (owner, p.edge))
            })),
        }
    }
    measure.pieces_area(&join_pieces(all), origin)
}

/// Is `area` a possible area of a part of something of area `whole`? (Within 1e-9 relative
/// plus 1e-9 m², which covers rounding and nothing else.)
pub(super) fn plausible(area: f64, whole: f64) -> bool {
    let tol = 1e-9 * (1.0 + whole.abs());
    area.is_finite() && area >= -tol && area <= whole + tol
}

/// Do the interiors of two boxes overlap (more than touching)?
fn boxes_overlap(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x < b.max().x && b.min().x < a.max().x && a.min().y < b.max().y && b.min().y < a.max().y
}

/// Pairs `(i, j)`, `i < j`, of `ids` (indices into `cands`) whose envelopes overlap, by a sweep
/// along x.
fn overlapping_pairs(cands: &[Cand], ids: &[usize]) -> Vec<(usize, usize)> {
    let mut by_x: Vec<usize> = ids.to_vec();
    by_x.sort_by(|&a, &b| cands[a].env.min().x.total_cmp(&cands[b].env.min().x));
    let mut out = Vec::new();
    for (k, &i) in by_x.iter().enumerate() {
        for &j in &by_x[k + 1..] {
            if cands[j].env.min().x >= cands[i].env.max().x {
                break;
            }
            if boxes_overlap(&cands[i].env, &cands[j].env) {
                out.push((i.min(j), i.max(j)));
            }
        }
    }
    out
}

/// The edges of a candidate's obstacle uncut (in the patch's local frame), for the pairs the
/// kernel cannot decide on the cut outlines.
pub(super) type Uncut<'a> = &'a dyn Fn(&Cand) -> EdgeSet;

/// Do obstacles `i` and `j` overlap inside the patch's envelope `w`? `None` if the kernel
/// cannot decide.
///
/// A large obstacle is cut to a box around the patch before it gets here, and the cut
/// (Sutherland-Hodgman) can leave zero-width spikes along the box's sides; where two cut
/// neighbours' spikes meet, the kernel cannot order their edges. The box lies strictly outside
/// `w`, so such a pair is asked again on the obstacles uncut, which are valid.
fn overlap(cands: &[Cand], i: usize, j: usize, w: &Rect<f64>, uncut: Uncut) -> Option<bool> {
    let (a, b) = (&cands[i], &cands[j]);
    match (&a.rel, &b.rel) {
        // Both hold the whole patch: they overlap there.
        (Rel::PatchInside, Rel::PatchInside) => Some(true),
        _ => match interiors_meet_within(&a.set, &b.set, w) {
            Ok(meet) => Some(meet),
            Err(_) if !(a.small && b.small) => {
                let set = |c: &Cand| if c.small { None } else { Some(uncut(c)) };
                let (sa, sb) = (set(a), set(b));
                interiors_meet_within(
                    sa.as_ref().unwrap_or(&a.set),
                    sb.as_ref().unwrap_or(&b.set),
                    w,
                )
                .ok()
            }
            Err(_) => None,
        },
    }
}

/// Is every pair of `ids` interior-disjoint inside the patch's envelope `w`, decided exactly?
/// (Overlaps elsewhere do not matter.) Counts undecided pairs.
pub(super) fn all_disjoint(
    cands: &[Cand],
    ids: &[usize],
    w: &Rect<f64>,
    uncut: Uncut,
    undecided: &mut u32,
) -> bool {
    disjoint_pairs(cands, ids, |_, _| true, w, uncut, undecided)
}

/// [`all_disjoint`] for the pairs between `group` and `ids` only (each set already checked).
pub(super) fn disjoint_between(
    cands: &[Cand],
    group: &[usize],
    ids: &[usize],
    w: &Rect<f64>,
    uncut: Uncut,
    undecided: &mut u32,
) -> bool {
    let mut all = group.to_vec();
    all.extend(ids);
    disjoint_pairs(
        cands,
        &all,
        |i, j| group.contains(&i) != group.contains(&j),
        w,
        uncut,
        undecided,
    )
}

fn disjoint_pairs(
    cands: &[Cand],
    ids: &[usize],
    keep: impl Fn(usize, usize) -> bool,
    w: &Rect<f64>,
    uncut: Uncut,
    undecided: &mut u32,
) -> bool {
    for (i, j) in overlapping_pairs(cands, ids) {
        if !keep(i, j) {
            continue;
        }
        match overlap(cands, i, j, w, uncut) {
            Some(false) => {}
            Some(true) => return false,
            None => {
                *undecided += 1;
                return false;
            }
        }
    }
    true
}

/// The boundary of `patch ∩ (∪ candidates ids)` by the n-way kernel ([`union_pieces`]): for
/// classes whose obstacles overlap one another (grave discs, road corridors), for the union of
/// all classes, and for the outline of a class written out. Cut candidates whose spikes the
/// kernel cannot order are tried again uncut. `None` if the kernel cannot decide, or its answer
/// is not a possible area of a part of the patch.
pub(super) fn united_pieces(
    cands: &[Cand],
    ids: &[usize],
    patch: &EdgeSet,
    patch_planar_m2: f64,
    uncut: Uncut,
) -> Option<Vec<Seg>> {
    let sets: Vec<&EdgeSet> = ids.iter().map(|&k| &cands[k].set).collect();
    let pieces = match union_pieces(patch, &sets) {
        Ok(p) => p,
        Err(_) if ids.iter().any(|&k| !cands[k].small) => {
            let whole: Vec<Option<EdgeSet>> = ids
                .iter()
                .map(|&k| (!cands[k].small).then(|| uncut(&cands[k])))
                .collect();
            let sets: Vec<&EdgeSet> = ids
                .iter()
                .zip(&whole)
                .map(|(&k, w)| w.as_ref().unwrap_or(&cands[k].set))
                .collect();
            union_pieces(patch, &sets).ok()?
        }
        Err(_) => return None,
    };
    // A sanity bound, not a proof (see `plausible`).
    plausible(planar_area(&pieces), patch_planar_m2).then_some(pieces)
}
