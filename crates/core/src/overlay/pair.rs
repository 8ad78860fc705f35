//! One patch against one obstacle: the patch's local frame, and how (and how much) an obstacle
//! meets it.
//!
//! Shared by the overlay ([`super::overlay_one`], which then unites each class's pieces) and by
//! [`super::partition_sums`] (which sums the pairs of a layer that is a partition, such as the
//! land-use layer read code by code).

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, BoundingRect, Coord, MultiPolygon, Rect};

use super::relate::{relate_cheap, Cheap};
use super::sums::{plausible, Cand, Rel};
use super::{
    clip_to_rect, contains_rect, oriented, patch_contains, to_local, ObstacleIndex, Patch,
};
use crate::area::AreaMeasure;
use crate::kernel::{tagged_pieces, EdgeSet};

/// A patch moved to its local frame (every coordinate shifted by the lower-left corner of its
/// envelope), with what every pair needs.
pub(super) struct Frame<'a> {
    pub patch: &'a Patch,
    /// The patch's envelope, real coordinates.
    pub env: Rect<f64>,
    /// The frame's origin (real coordinates of local (0, 0)).
    pub origin: Coord<f64>,
    /// The patch, local and oriented (counter-clockwise exteriors).
    pub local_patch: MultiPolygon<f64>,
    /// Its envelope, local.
    pub local_env: Rect<f64>,
    /// Obstacles are cut to this box (real coordinates) before any boolean operation: the
    /// patch's envelope grown by 1% of its size plus 1 m, so the patch lies strictly inside it.
    pub clip_box: Rect<f64>,
    /// The patch's edges, for the kernel.
    pub set: EdgeSet,
    /// Its area by the run's measure.
    pub area_m2: f64,
    /// Its planar area (the kernel's sanity bound).
    pub planar_m2: f64,
}

impl<'a> Frame<'a> {
    /// The frame of `patch`, or why it cannot be measured.
    pub fn new(patch: &'a Patch, measure: &dyn AreaMeasure) -> Result<Frame<'a>, String> {
        let Some(env) = patch.geometry.bounding_rect() else {
            return Err("the patch has no geometry".into());
        };
        if !(env.min().x.is_finite()
            && env.min().y.is_finite()
            && env.max().x.is_finite()
            && env.max().y.is_finite())
        {
            return Err("the patch has non-finite coordinates".into());
        }
        let origin = env.min();
        let local_patch = oriented(to_local(&patch.geometry, origin));
        let local_env = Rect::new(Coord { x: 0.0, y: 0.0 }, env.max() - origin);
        let margin = 1.0 + 0.01 * env.width().max(env.height());
        let clip_box = Rect::new(
            Coord {
                x: env.min().x - margin,
                y: env.min().y - margin,
            },
            Coord {
                x: env.max().x + margin,
                y: env.max().y + margin,
            },
        );
        let set = EdgeSet::new(&local_patch);
        let area_m2 = measure.area(&local_patch, origin);
        let planar_m2 = geo::Area::unsigned_area(&local_patch);
        Ok(Frame {
            patch,
            env,
            origin,
            local_patch,
            local_env,
            clip_box,
            set,
            area_m2,
            planar_m2,
        })
    }
}

/// The edges of obstacle `i`, uncut, in the frame's local coordinates (oriented).
pub(super) fn uncut_edges(frame: &Frame, index: &ObstacleIndex, i: usize) -> EdgeSet {
    EdgeSet::new(&oriented(to_local(
        &index.obstacles[i].geometry,
        frame.origin,
    )))
}

/// What one obstacle brings to a patch.
pub(super) struct Related {
    /// The obstacle, if it shares area with the patch.
    pub cand: Option<Cand>,
    /// Its counted points inside the patch (a grave's tally), with its class.
    pub points: Option<(usize, u64)>,
    /// 1 if the kernel could not decide the pair (i_overlay answered).
    pub undecided: u32,
}

/// How obstacle `i` of `index` meets the patch: with the pair's area by `measure` when
/// `want_area` (else NaN, except for a pair i_overlay answered), and the kernel's boundary pieces
/// kept when it is not wanted (a class is then measured on its pieces' outline).
pub(super) fn relate(
    frame: &Frame,
    index: &ObstacleIndex,
    i: usize,
    classes: usize,
    measure: &dyn AreaMeasure,
    want_area: bool,
) -> Related {
    let origin = frame.origin;
    let obstacle = &index.obstacles[i];
    assert!(
        obstacle.class < classes,
        "obstacle class {} out of range ({} classes)",
        obstacle.class,
        classes
    );
    let points = obstacle.tally.and_then(|t| {
        patch_contains(&frame.set, &frame.patch.geometry, origin, t.at)
            .then_some((obstacle.class, u64::from(t.count)))
    });
    let none = |undecided| Related {
        cand: None,
        points,
        undecided,
    };
    let oenv = index.envelopes[i];
    let small = contains_rect(&frame.clip_box, &oenv);
    let (local_ob, local_oenv) = if small {
        let local_ob = to_local(&obstacle.geometry, origin);
        let local_oenv = Rect::new(oenv.min() - origin, oenv.max() - origin);
        (local_ob, Some(local_oenv))
    } else {
        // A large obstacle: cut to the neighbourhood first (see the module docs).
        let local_ob = clip_to_rect(&obstacle.geometry, frame.clip_box, origin);
        let local_oenv = local_ob.bounding_rect();
        (local_ob, local_oenv)
    };
    let Some(env) = local_oenv else {
        return none(0);
    };
    let local_ob = oriented(local_ob);
    let Some(cheap) = relate_cheap(
        &frame.local_patch,
        &frame.set,
        frame.local_env,
        &local_ob,
        env,
    ) else {
        return none(0);
    };
    let set = EdgeSet::new(&local_ob);
    let mut undecided = 0;
    let mut kept = Vec::new();
    let (rel, area) = match cheap {
        Cheap::Whole if want_area => (Rel::Whole, measure.area(&local_ob, origin)),
        Cheap::Whole => (Rel::Whole, f64::NAN),
        Cheap::PatchInside => (Rel::PatchInside, frame.area_m2),
        Cheap::Cross => {
            let decided = tagged_pieces(&frame.set, &set).map_err(|_| undecided = 1);
            // A sanity bound on the kernel's answer (see `sums::plausible`): beyond it, the
            // pair is treated as undecided.
            let decided = decided.and_then(|pieces| {
                let segs: Vec<_> = pieces.iter().map(|p| p.seg).collect();
                let a = crate::kernel::planar_area(&segs);
                let ob = geo::Area::unsigned_area(&local_ob);
                if plausible(a, frame.planar_m2.min(ob)) {
                    // Pieces that enclose no area (an obstacle touching the patch at a vertex
                    // came out as -1.1e-15 m², found by fuzzing) share no area with it.
                    Ok(if a > 0.0 { pieces } else { Vec::new() })
                } else {
                    undecided = 1;
                    Err(())
                }
            });
            match decided {
                Ok(pieces) if pieces.is_empty() => return none(0),
                Ok(pieces) if want_area => {
                    let segs: Vec<_> = pieces.iter().map(|p| p.seg).collect();
                    (Rel::Cross(None), measure.pieces_area(&segs, origin))
                }
                Ok(pieces) => {
                    kept = pieces;
                    (Rel::Cross(None), f64::NAN)
                }
                Err(()) => {
                    let piece = frame
                        .local_patch
                        .intersection(&local_ob)
                        .orient(Direction::Default);
                    if piece.0.is_empty() {
                        return none(undecided);
                    }
                    let area = measure.area(&piece, origin);
                    (Rel::Cross(Some(piece)), area)
                }
            }
        }
    };
    Related {
        cand: Some(Cand {
            source: i,
            class: obstacle.class,
            local: local_ob,
            env,
            small,
            tally: obstacle.tally.is_some(),
            rel,
            area,
            set,
            pieces: kept,
        }),
        points,
        undecided,
    }
}
