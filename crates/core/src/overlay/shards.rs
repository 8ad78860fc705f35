//! The obstacles' R-tree, bulk-loaded on every core.
//!
//! rstar's bulk load is serial: at a million patches (seven million obstacles) it was one core
//! busy for 2.3 s while the other waited, and the land-use code table builds a second tree of the
//! same size. rstar has no parallel load and cannot join two trees under one root, so the entries
//! are split into slabs by their centres (alternately across x and y, by `select_nth_unstable`,
//! linear time) and each slab is bulk-loaded into a tree of its own, in parallel. A query asks
//! every tree whose bounds meet the box: the same set of entries as one tree would give, which
//! [`super::ObstacleIndex::candidates`] returns sorted, so nothing downstream can tell the
//! difference.

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{Envelope, RTree, RTreeObject, AABB};

pub(super) type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Below this many entries a slab is not split further: one serial bulk load is cheap there.
const SLAB_MIN: usize = 1 << 16;

/// R-trees over disjoint slabs of the entries.
pub(super) struct Shards(Vec<(AABB<[f64; 2]>, RTree<Entry>)>);

impl Shards {
    /// The entries in up to `2 × threads` slabs (one, below [`SLAB_MIN`] entries), each
    /// bulk-loaded on the current rayon pool.
    pub(super) fn new(entries: Vec<Entry>) -> Self {
        let parts = 2 * rayon::current_num_threads().max(1);
        Shards(split(entries, parts, 0))
    }

    /// Calls `f` with every entry whose box meets `aabb` (boundary contact included).
    pub(super) fn locate(&self, aabb: &AABB<[f64; 2]>, mut f: impl FnMut(usize)) {
        for (bounds, tree) in &self.0 {
            if bounds.intersects(aabb) {
                for e in tree.locate_in_envelope_intersecting(aabb) {
                    f(e.data);
                }
            }
        }
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
        }
    }
}
