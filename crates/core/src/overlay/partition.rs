//! Sums over a **partition** layer (the land-use layer read code by code): per patch, each
//! class's Σ area(patch ∩ polygon), without the overlay's disjointness proofs and unions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::pair::{relate, Frame, Related};
use super::{panicked, ObstacleIndex, Patch, PARALLEL_FROM};
use crate::area::AreaMeasure;

/// What a layer that tiles the ground (a partition: the land-use layer, read code by code) holds
/// inside one patch: per class, the sum of the areas the patch shares with each of the class's
/// polygons. Areas in m², unrounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairSums {
    /// The patch's own area.
    pub area_m2: f64,
    /// Per class, Σ area(patch ∩ polygon) over the class's polygons.
    pub class_m2: Vec<f64>,
    /// Per class, the polygons that share area with the patch.
    pub class_count: Vec<u64>,
    /// Pairs the kernel could not decide (answered by i_overlay).
    pub undecided: u32,
    /// Why the patch could not be measured (its areas are then zero).
    pub error: Option<String>,
}

impl PairSums {
    /// Σ over classes: the area of the patch the layer covers when its polygons do not overlap
    /// one another there; more than the patch's area (beyond rounding) when they do.
    pub fn sum_m2(&self) -> f64 {
        self.class_m2.iter().sum()
    }
}

/// Per patch, the areas a **partition** layer's classes share with it, as sums over its polygons
/// (see [`PairSums`]); in parallel, in patch order. Cheaper than [`super::overlay`] by what a partition
/// makes unnecessary: no proof that a class's polygons are disjoint, no union. Where the layer's
/// polygons do overlap inside a patch, each overlap is counted once per polygon, and
/// [`PairSums::sum_m2`] exceeds the patch's area: callers check that.
///
/// Each pair is measured on the kernel's boundary of patch ∩ polygon (i_overlay's piece where
/// the kernel cannot decide). For the survey's ellipsoidal formula that is the area of each piece
/// as a polygon, as the survey measures pieces; [`super::overlay`] instead measures a class on the
/// outline of its pieces, and the two can differ where neighbouring pieces split a shared edge
/// at different points (by ~1e-9 of the area on survey data).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use tuban_core::area::Planar;
/// use tuban_core::overlay::{partition_sums, Obstacle, ObstacleIndex, Patch};
///
/// let sq = |x0: f64, x1: f64| MultiPolygon(vec![polygon![
///     (x: x0, y: 0.0), (x: x1, y: 0.0), (x: x1, y: 10.0), (x: x0, y: 10.0)]]);
/// // Two land-use codes (classes 0 and 1) tiling x = -5..4 and 4..20; the patch is x = 0..10.
/// let index = ObstacleIndex::new(vec![Obstacle::new(0, sq(-5.0, 4.0)), Obstacle::new(1, sq(4.0, 20.0))]);
/// let r = partition_sums(&[Patch::new("p", "v", sq(0.0, 10.0))], &index, 2, &Planar).remove(0);
/// assert_eq!(r.class_m2, vec![40.0, 60.0]);
/// assert_eq!(r.sum_m2(), r.area_m2);
/// ```
pub fn partition_sums(
    patches: &[Patch],
    index: &ObstacleIndex,
    classes: usize,
    measure: &dyn AreaMeasure,
) -> Vec<PairSums> {
    let failed = |error: String| PairSums {
        area_m2: 0.0,
        class_m2: vec![0.0; classes],
        class_count: vec![0; classes],
        undecided: 0,
        error: Some(error),
    };
    patches
        .par_iter()
        .map(|patch| {
            catch_unwind(AssertUnwindSafe(|| {
                let frame = match Frame::new(patch, measure) {
                    Ok(f) => f,
                    Err(why) => return failed(why),
                };
                let found = index.candidates(frame.env);
                let relate = |i: usize| relate(&frame, index, i, classes, measure, true);
                let related: Vec<Related> = if frame.set.edges().len() > PARALLEL_FROM {
                    found.par_iter().map(|&i| relate(i)).collect()
                } else {
                    found.iter().map(|&i| relate(i)).collect()
                };
                let mut r = PairSums {
                    area_m2: frame.area_m2,
                    class_m2: vec![0.0; classes],
                    class_count: vec![0; classes],
                    undecided: 0,
                    error: None,
                };
                for x in related {
                    r.undecided += x.undecided;
                    if let Some(c) = x.cand {
                        r.class_m2[c.class] += c.area;
                        r.class_count[c.class] += 1;
                    }
                }
                r
            }))
            .unwrap_or_else(|payload| failed(panicked(payload)))
        })
        .collect()
}
