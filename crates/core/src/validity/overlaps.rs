//! Patches that overlap each other: not invalid, but a total over them counts the shared area
//! twice.

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::{Area, BooleanOps, BoundingRect, MapCoords, MultiPolygon};

use super::diagnose::diagnose_non_finite;

/// An overlap between two geometries of a list (see [`overlapping_pairs`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Index of the first geometry in the list.
    pub a: usize,
    /// Index of the second geometry (`b > a`).
    pub b: usize,
    /// Planar area they share.
    pub area: f64,
}

/// The pairs of `geoms` (patches, in the working CRS) whose interiors overlap by more than
/// `min_area`, in index order. Each patch is measured on its own and its numbers are right, but
/// a total over overlapping patches counts the shared area twice: the caller should warn.
/// Geometries with non-finite coordinates are left out; a pair whose intersection fails is left
/// out too.
pub fn overlapping_pairs<G>(geoms: &[G], min_area: f64) -> Vec<Overlap>
where
    G: std::borrow::Borrow<MultiPolygon<f64>> + Sync,
{
    use crate::shards::{Entry as Boxed, Shards};
    use rayon::prelude::*;
    use rstar::primitives::Rectangle;
    use rstar::AABB;
    // An R-tree of the boxes: a sweep along x alone compares every pair in the same x band,
    // which for a million patches over a square region is ~1e9 comparisons.
    let boxes: Vec<Boxed> = geoms
        .par_iter()
        .enumerate()
        .filter(|(_, g)| diagnose_non_finite(g.borrow()).is_none())
        .filter_map(|(i, g)| {
            g.borrow().bounding_rect().map(|r| {
                Boxed::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                )
            })
        })
        .collect();
    let tree = Shards::new(boxes.clone());
    let mut out: Vec<Overlap> = boxes
        .par_iter()
        .flat_map_iter(|bi| {
            let i = bi.data;
            let ri = bi.geom();
            let env = AABB::from_corners(ri.lower(), ri.upper());
            let mut found = Vec::new();
            tree.locate(&env, |j| {
                if j <= i {
                    return;
                }
                let origin = geo::Coord {
                    x: ri.lower()[0],
                    y: ri.lower()[1],
                };
                let a = geoms[i].borrow().map_coords(|c| c - origin);
                let b = geoms[j].borrow().map_coords(|c| c - origin);
                let Ok(area) =
                    catch_unwind(AssertUnwindSafe(|| a.intersection(&b).unsigned_area()))
                else {
                    return;
                };
                if area > min_area {
                    found.push(Overlap { a: i, b: j, area });
                }
            });
            found
        })
        .collect();
    out.sort_by_key(|o| (o.a, o.b));
    out
}
