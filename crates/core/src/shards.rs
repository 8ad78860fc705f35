//! An R-tree of boxes, bulk-loaded on every core ([`Shards`]).
//!
//! rstar's bulk load is serial: at a million patches (seven million obstacles) it was one core
//! busy for 2.3 s while the other waited, and the land-use code table builds a second tree of the
//! same size; the patches' own boxes (for the coverage check and the check for overlapping
//! patches) took two more trees of a million boxes, about 0.3 s each. rstar has no parallel load
//! and cannot join two trees under one root, so the entries are split into slabs by their centres
//! (alternately across x and y, by `select_nth_unstable`, linear time) and each slab is
//! bulk-loaded into a tree of its own, in parallel. A query asks every tree whose bounds meet the
//! box and finds the same set of entries as one tree would (in another order: callers that need
//! an order sort, as [`crate::overlay::ObstacleIndex::candidates`] does).
//!
//! ```
//! use tuban_core::shards::{Entry, Shards};
//! use tuban_core::rstar::{primitives::Rectangle, AABB};
//!
//! let boxes: Vec<Entry> = (0..10)
//!     .map(|i| Entry::new(Rectangle::from_corners([i as f64, 0.0], [i as f64 + 0.5, 1.0]), i))
//!     .collect();
//! let index = Shards::new(boxes);
//! let mut found = Vec::new();
//! index.locate(&AABB::from_corners([2.5, 0.0], [4.0, 0.5]), |i| found.push(i));
//! found.sort();
//! assert_eq!(found, vec![2, 3, 4]); // [2, 2.5] touches the query's edge: contact counts
//! assert!(!index.meets_any(&AABB::from_corners([20.0, 0.0], [21.0, 1.0])));
//! ```

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{Envelope, RTree, RTreeObject, AABB};

/// A box and the number it stands for (an index into the caller's items).
pub type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Below this many entries a slab is not split further: one serial bulk load is cheap there.
const SLAB_MIN: usize = 1 << 16;

/// R-trees over disjoint slabs of the entries: one R-tree's queries, loaded on every core.
pub struct Shards(Vec<(AABB<[f64; 2]>, RTree<Entry>)>);

impl Shards {
    /// The entries in up to `2 × threads` slabs (one, below 131 072 entries), each bulk-loaded
    /// on the current rayon pool. Entries whose box is not finite are never found.
    pub fn new(entries: Vec<Entry>) -> Self {
        let parts = 2 * rayon::current_num_threads().max(1);
        Shards(split(entries, parts, 0))
    }

    /// Calls `f` with the number of every entry whose box meets `aabb` (boundary contact
    /// included), in no particular order.
    pub fn locate(&self, aabb: &AABB<[f64; 2]>, mut f: impl FnMut(usize)) {
        for (bounds, tree) in &self.0 {
            if bounds.intersects(aabb) {
                for e in tree.locate_in_envelope_intersecting(aabb) {
                    f(e.data);
                }
            }
        }
    }

    /// Whether some entry's box meets `aabb` (boundary contact included).
    pub fn meets_any(&self, aabb: &AABB<[f64; 2]>) -> bool {
        self.0.iter().any(|(bounds, tree)| {
            bounds.intersects(aabb) && tree.locate_in_envelope_intersecting(aabb).next().is_some()
        })
    }
}

fn split(mut v: Vec<Entry>, parts: usize, depth: usize) -> Vec<(AABB<[f64; 2]>, RTree<Entry>)> {
    if parts <= 1 || v.len() < 2 * SLAB_MIN {
        let bounds = v
            .iter()
            .map(|e| e.envelope())
            .reduce(|a, b| a.merged(&b))
            .unwrap_or_else(|| AABB::from_point([f64::NAN, f64::NAN]));
        return vec![(bounds, RTree::bulk_load(v))];
    }
    let axis = depth % 2;
    let centre = |e: &Entry| {
        let env = e.envelope();
        env.lower()[axis] + env.upper()[axis]
    };
    let mid = v.len() / 2;
    v.select_nth_unstable_by(mid, |a, b| centre(a).total_cmp(&centre(b)));
    let right = v.split_off(mid);
    let (mut left, right) = rayon::join(
        || split(v, parts / 2, depth + 1),
        || split(right, parts - parts / 2, depth + 1),
    );
    left.extend(right);
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Split or not, a query finds exactly the entries whose box meets it: checked against a
    /// scan of every entry, on a grid of 300 000 boxes that the split cuts many times.
    #[test]
    fn slabs_find_what_a_scan_finds() {
        let entries: Vec<Entry> = (0..300_000)
            .map(|i| {
                let (x, y) = ((i % 600) as f64 * 1.5, (i / 600) as f64 * 1.5);
                // Boxes of 2 m on a 1.5 m grid: each overlaps its neighbours, so a query box
                // near a slab's edge meets entries of two slabs.
                GeomWithData::new(Rectangle::from_corners([x, y], [x + 2.0, y + 2.0]), i)
            })
            .collect();
        let all: Vec<(AABB<[f64; 2]>, usize)> =
            entries.iter().map(|e| (e.envelope(), e.data)).collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let shards = pool.install(|| Shards::new(entries));
        assert!(shards.0.len() > 1, "the premise: the entries were split");
        for q in 0..200 {
            let (x, y) = ((q * 37 % 900) as f64, (q * 53 % 750) as f64);
            let aabb = AABB::from_corners([x, y], [x + 3.0 + (q % 7) as f64, y + 4.0]);
            let mut got = Vec::new();
            shards.locate(&aabb, |i| got.push(i));
            got.sort_unstable();
            let mut want: Vec<usize> = all
                .iter()
                .filter(|(b, _)| b.intersects(&aabb))
                .map(|&(_, i)| i)
                .collect();
            want.sort_unstable();
            assert!(!want.is_empty());
            assert_eq!(got, want, "query {q}");
            assert!(shards.meets_any(&aabb), "query {q}");
        }
        // The last column of boxes ends at x = 599 × 1.5 + 2 = 900.5: a box touching that edge
        // meets it, one a hair beyond meets nothing.
        assert!(shards.meets_any(&AABB::from_corners([900.5, 0.0], [901.0, 1.0])));
        assert!(!shards.meets_any(&AABB::from_corners([900.6, 0.0], [901.0, 1.0])));
        assert!(!shards.meets_any(&AABB::from_corners([-5.0, -5.0], [-1.0, -1.0])));
    }
}
