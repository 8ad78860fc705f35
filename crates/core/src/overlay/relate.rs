//! Per-obstacle relations to a patch before any exact work, and the i_overlay geometry of a
//! class (kept for the classes whose obstacles overlap and for the pieces written out).

use geo::orient::{Direction, Orient};
use geo::{unary_union, BooleanOps, Intersects, MultiPolygon, Rect};

use super::sums::{Cand, Rel};
use super::{edges, first_vertex, rects_meet, segment_meets_rect};
use crate::kernel::EdgeSet;

/// The i_overlay geometry of the candidates `ids` (one class) inside the patch (local).
pub(super) fn class_geometry(
    local_patch: &MultiPolygon<f64>,
    cands: &[Cand],
    ids: &[usize],
) -> MultiPolygon<f64> {
    // The pieces that are a whole obstacle (inside the patch) or the whole patch (inside an
    // obstacle), and the pieces of obstacles that cross the patch's boundary, each with its
    // obstacle when it is to be merged whole.
    let mut pieces: Vec<MultiPolygon<f64>> = Vec::new();
    let mut cut: Vec<CutPiece> = Vec::new();
    for &k in ids {
        let c = &cands[k];
        match &c.rel {
            Rel::Whole => pieces.push(c.local.orient(Direction::Default)),
            Rel::PatchInside => pieces.push(local_patch.clone()),
            Rel::Cross(piece) => {
                // geo's intersection may return a hole wound like its exterior (one touching the
                // exterior at a vertex), and unary_union takes its fill rule from the first
                // ring's winding: without re-orienting, such a hole would be counted as covered
                // (found by the overlay fuzz target; fuzz/artifacts/overlay/crash-0e8c76f4…).
                let piece = piece.clone().unwrap_or_else(|| {
                    local_patch
                        .intersection(&c.local)
                        .orient(Direction::Default)
                });
                if piece.0.is_empty() {
                    continue;
                }
                // Kept for the merge below: grave discs (obstacles from points), which overlap
                // one another by design. Only whole ones: a cut obstacle's clipped outline can
                // hold zero-width spikes along the clip box (Sutherland-Hodgman), which
                // unary_union misreads.
                let whole = (c.small && c.tally).then(|| c.local.orient(Direction::Default));
                cut.push((piece, whole));
            }
        }
    }
    if pieces.len() + cut.len() == 0 {
        MultiPolygon(Vec::new())
    } else if cut.iter().all(|(_, whole)| whole.is_none()) {
        pieces.extend(cut.into_iter().map(|(piece, _)| piece));
        if pieces.len() == 1 {
            pieces.pop().expect("one piece")
        } else {
            unary_union(pieces.iter())
        }
    } else if pieces.is_empty() && cut.len() == 1 {
        cut.into_iter().next().expect("one piece").0
    } else {
        // Overlapping grave discs cut by the patch's boundary: the union of their pieces
        // would hold many near-collinear copies of that boundary, each rounded by its own
        // intersection, which i_overlay's snap rounding can take seconds to settle (ten
        // discs across a patch's edge: 1.4 s, where the whole run of 100k patches takes 8).
        // The same area is the patch intersected with the union of the pieces inside the
        // patch and of those discs, uncut. Other classes (land-use polygons, raster cells)
        // tile without overlapping and keep the union of their pieces, one rounding closer
        // to exact.
        pieces.extend(cut.into_iter().map(|(piece, whole)| whole.unwrap_or(piece)));
        local_patch
            .intersection(&unary_union(pieces.iter()))
            .orient(Direction::Default)
    }
}

/// How an obstacle's envelope places it against the patch, before any exact work.
pub(super) enum Cheap {
    /// Wholly inside the patch.
    Whole,
    /// Holding the whole patch.
    PatchInside,
    /// Its boundary may cross the patch's.
    Cross,
}

/// A piece cut from an obstacle that crosses the patch's boundary, with the whole obstacle (local)
/// when it is to be merged whole (see `class_geometry`).
type CutPiece = (MultiPolygon<f64>, Option<MultiPolygon<f64>>);

/// How `obstacle` (local, envelope `obstacle_env`) meets `patch` (local, edges `patch_set`,
/// envelope `patch_env`), from envelopes and one exact point test; `None` if they share no area.
pub(super) fn relate_cheap(
    patch: &MultiPolygon<f64>,
    patch_set: &EdgeSet,
    patch_env: Rect<f64>,
    obstacle: &MultiPolygon<f64>,
    obstacle_env: Rect<f64>,
) -> Option<Cheap> {
    if !rects_meet(&patch_env, &obstacle_env) {
        return None;
    }
    // No patch edge meets the obstacle's envelope: the envelope lies wholly inside the patch or
    // wholly outside it, and so does the obstacle. One point of the obstacle decides (it is not
    // on the patch's boundary, so the exact winding number answers; geo's test otherwise).
    let mut meets = false;
    patch_set.for_each_near(&obstacle_env, |&[a, b]| {
        meets = meets || segment_meets_rect(a, b, &obstacle_env);
    });
    if !meets {
        let probe = first_vertex(obstacle)?;
        let inside = patch_set
            .contains(probe)
            .unwrap_or_else(|_| patch.intersects(&probe));
        return inside.then_some(Cheap::Whole);
    }
    // No obstacle edge meets the patch's envelope: the patch is wholly inside the obstacle or
    // wholly outside it.
    if !edges(obstacle)
        .iter()
        .any(|&(a, b)| segment_meets_rect(a, b, &patch_env))
    {
        let probe = first_vertex(patch)?;
        return obstacle.intersects(&probe).then_some(Cheap::PatchInside);
    }
    Some(Cheap::Cross)
}
