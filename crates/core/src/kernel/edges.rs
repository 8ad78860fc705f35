//! The edges of a polygon, with an optional R-tree over them, and the exact point-in-polygon test.
//!
//! A patch of 180,000 vertices met by a 20-vertex land-use polygon must cost about what the small
//! polygon costs: every query here ("which edges meet this box", "is this point inside") visits
//! only the edges near the question once the polygon is large enough to be indexed.

use geo::{Coord, LineString, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use super::{orient, Undecided};

/// A directed edge: from `[0]` to `[1]`, the polygon's interior on its left.
pub type Seg = [Coord<f64>; 2];

/// Polygons with more edges than this get an R-tree over their edges.
const INDEX_FROM: usize = 64;

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// The directed edges of a polygon (exteriors counter-clockwise, holes clockwise), with their
/// envelope and, for large polygons, an R-tree.
pub struct EdgeSet {
    edges: Vec<Seg>,
    /// Each edge's envelope as `[min x, min y, max x, max y]`, computed once: the scan of a small
    /// set tests every edge's box for every query, and most queries miss most edges.
    boxes: Vec<[f64; 4]>,
    bbox: Option<Rect<f64>>,
    tree: Option<RTree<Entry>>,
}

impl EdgeSet {
    /// The edges of `mp`, which must be oriented (counter-clockwise exteriors, clockwise holes).
    /// Zero-length edges are dropped; closing edges are implied.
    pub fn new(mp: &MultiPolygon<f64>) -> Self {
        let points = mp
            .0
            .iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
            .sum();
        let mut edges = Vec::with_capacity(points);
        for p in &mp.0 {
            // A shell without area holds nothing, whatever its holes say (validity reports
            // such holes; this keeps the kernel from reading a lone hole as a region).
            if !push_ring(p.exterior(), &mut edges) {
                continue;
            }
            for h in p.interiors() {
                push_ring(h, &mut edges);
            }
        }
        Self::from_edges(edges)
    }

    /// An edge set from directed edges that form closed rings.
    pub fn from_edges(edges: Vec<Seg>) -> Self {
        let boxes: Vec<[f64; 4]> = edges
            .iter()
            .map(|[a, b]| [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)])
            .collect();
        let bbox = boxes
            .iter()
            .copied()
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
            .map(|b| Rect::new(Coord { x: b[0], y: b[1] }, Coord { x: b[2], y: b[3] }));
        let tree = (edges.len() > INDEX_FROM).then(|| {
            RTree::bulk_load(
                boxes
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        Entry::new(
                            Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                            i as u32,
                        )
                    })
                    .collect(),
            )
        });
        EdgeSet {
            edges,
            boxes,
            bbox,
            tree,
        }
    }

    /// Every edge.
    pub fn edges(&self) -> &[Seg] {
        &self.edges
    }

    /// The envelope of all edges (`None` if there are none).
    pub fn bbox(&self) -> Option<Rect<f64>> {
        self.bbox
    }

    /// Calls `f` with every edge whose envelope meets `r` (boundary contact included).
    pub fn for_each_near(&self, r: &Rect<f64>, mut f: impl FnMut(&Seg)) {
        self.for_each_near_indexed(r, |_, s| f(s));
    }

    /// [`EdgeSet::for_each_near`], with each edge's index in [`EdgeSet::edges`].
    pub fn for_each_near_indexed(&self, r: &Rect<f64>, mut f: impl FnMut(u32, &Seg)) {
        match &self.tree {
            Some(tree) => {
                let aabb = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                for e in tree.locate_in_envelope_intersecting(&aabb) {
                    f(e.data, &self.edges[e.data as usize]);
                }
            }
            None => {
                let (lo, hi) = (r.min(), r.max());
                for (i, b) in self.boxes.iter().enumerate() {
                    if b[0] <= hi.x && lo.x <= b[2] && b[1] <= hi.y && lo.y <= b[3] {
                        f(i as u32, &self.edges[i]);
                    }
                }
            }
        }
    }

    /// Is `p` inside the polygon? Exact (robust orientation predicates): the winding number of
    /// the edges around `p`, which for a valid oriented polygon is 1 inside and 0 outside. A point
    /// on an edge, or a winding number other than 0 or 1 (rings wound the wrong way, overlapping
    /// rings), is undecided.
    pub fn contains(&self, p: Coord<f64>) -> Result<bool, Undecided> {
        let Some(bbox) = self.bbox else {
            return Ok(false);
        };
        if !in_box(p, &bbox) {
            return Ok(false);
        }
        // Only edges reaching the horizontal ray from p to the right can change the count.
        let ray = Rect::new(
            p,
            Coord {
                x: bbox.max().x,
                y: p.y,
            },
        );
        let mut wn = 0i64;
        let mut on_edge = false;
        self.for_each_near(&ray, |&[r, s]| {
            if r.y <= p.y {
                if s.y > p.y {
                    let o = orient(r, s, p);
                    if o > 0.0 {
                        wn += 1;
                    } else if o == 0.0 {
                        on_edge = true;
                    }
                } else if s.y == p.y && r.y == p.y && in_box(p, &seg_box(&[r, s])) {
                    on_edge = true;
                }
            } else if s.y <= p.y {
                let o = orient(r, s, p);
                if o < 0.0 {
                    wn -= 1;
                } else if o == 0.0 {
                    on_edge = true;
                }
            }
        });
        match (on_edge, wn) {
            (true, _) => Err(Undecided::new(
                "a probe point lies on the other polygon's edge",
            )),
            (false, 0) => Ok(false),
            (false, 1) => Ok(true),
            (false, w) => Err(Undecided::new(format!(
                "winding number {w}: rings overlap or are wound the wrong way"
            ))),
        }
    }
}

/// Pushes the edges of `ring`; false when it bounds no area (fewer than 3 corners, or all on
/// one line) and nothing was pushed.
fn push_ring(ring: &LineString<f64>, out: &mut Vec<Seg>) -> bool {
    let pts = &ring.0;
    let n = if pts.len() > 1 && pts.first() == pts.last() {
        pts.len() - 1
    } else {
        pts.len()
    };
    if n < 3 {
        return false;
    }
    // A ring whose corners all lie on one line bounds no area, and its edges run over one
    // another both ways, which no side test can order: it is left out (exact test). Validity
    // keeps an obstacle with no area as it is, so such rings do reach the kernel.
    let first = pts[0];
    let Some(second) = pts[1..n].iter().find(|&&p| p != first) else {
        return false;
    };
    if pts[..n].iter().all(|&p| orient(first, *second, p) == 0.0) {
        return false;
    }
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + 1) % n]);
        if a != b {
            out.push([a, b]);
        }
    }
    true
}

/// The envelope of a segment.
pub fn seg_box(s: &Seg) -> Rect<f64> {
    Rect::new(s[0], s[1])
}

pub(super) fn union_box(a: &Rect<f64>, b: &Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// Do two closed boxes meet?
pub fn boxes_meet(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// Is `p` in the closed box `r`?
pub fn in_box(p: Coord<f64>, r: &Rect<f64>) -> bool {
    r.min().x <= p.x && p.x <= r.max().x && r.min().y <= p.y && p.y <= r.max().y
}
