//! The overlay: for each patch, the exact area of each obstacle class inside it and of their union.
//!
//! Steps for one patch (see [`overlay`]):
//! 1. query the R-tree for obstacles whose envelope meets the patch's envelope;
//! 2. settle the cheap cases without a boolean operation: if no edge of the patch meets the
//!    obstacle's envelope, the obstacle lies wholly inside the patch or wholly outside it (one
//!    point-in-polygon test says which); symmetrically, if no edge of the obstacle meets the patch's
//!    envelope, the patch lies wholly inside the obstacle or outside it;
//! 3. otherwise cut the obstacle down to the patch's neighbourhood ([`crate::clip`]) and measure
//!    its intersection with the patch by the area kernel ([`crate::kernel`]), exactly;
//! 4. per class, sum those areas where the class's obstacles are proved not to overlap inside the
//!    patch, else measure patch ∩ (union of the class's obstacles) by the n-way kernel (two
//!    overlapping grave discs count once); then the union of all classes the same way: the
//!    obstacle area, never double-counted. Where the kernel cannot decide, i_overlay (geo's
//!    `BooleanOps`) answers, counted in [`KernelUse::undecided`];
//! 5. when asked ([`OverlayOptions::keep_pieces`]), each class's geometry inside the patch: the
//!    n-way kernel's boundary chained into valid rings ([`crate::kernel::valid_polygons`]), so
//!    its area is the class's number.
//!
//! All of this happens in a local frame, every coordinate shifted by the lower-left corner of the
//! patch's envelope, which keeps the numbers small whatever the false easting.
//!
//! Patches run in parallel on a rayon pool; each patch's work is independent of the others and of
//! the thread count, and results come back in input order, so the output is identical to the byte
//! whatever `threads` is. A panic inside one patch's work (a geometry the boolean engine chokes on)
//! is caught and becomes that patch's error; the other patches are unaffected.

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::orient::{Direction, Orient};
use geo::{
    unary_union, BoundingRect, Coord, Intersects, LineString, MapCoords, MultiPolygon, Rect,
};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::AABB;
use serde::{Deserialize, Serialize};

use crate::area::{AreaMeasure, AreaMethod, Planar};
use crate::clip::clip_to_rect;
use crate::kernel::{valid_polygons, EdgeSet, Seg};

mod pair;
mod partition;
mod relate;
mod sums;
use pair::{relate, uncut_edges, Frame, Related};
pub use partition::{partition_sums, PairSums};
use relate::class_geometry;
use sums::{all_disjoint, disjoint_between, joined_area, united_pieces, Cand, Rel};

/// A rectification patch (整改图斑): the polygon to restore, with its identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// Patch identifier as shown in outputs (e.g. the TBBH patch number).
    pub id: String,
    /// Owning village (QSDWMC), for per-village totals.
    pub village: String,
    /// The outline, oriented with counter-clockwise exteriors and clockwise holes.
    pub geometry: MultiPolygon<f64>,
    /// Record number in the source layer, from 1 (0 if built by hand).
    pub record: usize,
}

impl Patch {
    /// A patch; the geometry's rings are re-oriented to the standard (OGC) winding.
    pub fn new(
        id: impl Into<String>,
        village: impl Into<String>,
        geometry: MultiPolygon<f64>,
    ) -> Self {
        Patch {
            id: id.into(),
            village: village.into(),
            geometry: orient_owned(geometry),
            record: 0,
        }
    }

    /// The same patch, remembering its record number in the source layer.
    pub fn with_record(mut self, record: usize) -> Self {
        self.record = record;
        self
    }
}

/// Where an obstacle came from: the layer's name and the record number (from 1) in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Layer name (its role in the project, e.g. `landuse`).
    pub layer: String,
    /// Record number in the layer, from 1.
    pub record: usize,
}

/// Something that stands in the way of restoring farmland: an area of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct Obstacle {
    /// Index of the obstacle class in the class list the overlay reports.
    pub class: usize,
    /// The obstacle's area, oriented with counter-clockwise exteriors.
    pub geometry: MultiPolygon<f64>,
    /// Where it came from, if known.
    pub source: Option<SourceRef>,
    /// For an obstacle that stands for counted things at a point (a grave and its disc): the
    /// point and how many it stands for. The patch's count for the class then adds `count` when
    /// the point lies in the patch (boundary included), whatever the disc covers.
    pub tally: Option<Tally>,
}

/// A counted point behind an obstacle (see [`Obstacle::tally`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Where the counted things are.
    pub at: Coord<f64>,
    /// How many (e.g. graves at this point).
    pub count: u32,
}

impl Obstacle {
    /// An obstacle of class `class`; the geometry is re-oriented to the standard winding.
    pub fn new(class: usize, geometry: MultiPolygon<f64>) -> Self {
        Obstacle {
            class,
            geometry: orient_owned(geometry),
            source: None,
            tally: None,
        }
    }

    /// The same obstacle, counting `count` things at `at` (see [`Obstacle::tally`]).
    pub fn with_tally(mut self, at: Coord<f64>, count: u32) -> Self {
        self.tally = Some(Tally { at, count });
        self
    }

    /// The same obstacle, remembering its source.
    pub fn with_source(mut self, layer: impl Into<String>, record: usize) -> Self {
        self.source = Some(SourceRef {
            layer: layer.into(),
            record,
        });
        self
    }
}

/// Obstacles bulk-loaded into an R-tree by envelope.
pub struct ObstacleIndex {
    obstacles: Vec<Obstacle>,
    envelopes: Vec<Rect<f64>>,
    tree: crate::shards::Shards,
}

impl ObstacleIndex {
    /// Indexes `obstacles`. Obstacles with empty geometry are kept (so indices stay stable) but
    /// never match.
    pub fn new(obstacles: Vec<Obstacle>) -> Self {
        let envelopes: Vec<Rect<f64>> = obstacles
            .par_iter()
            .map(|o| {
                o.geometry.bounding_rect().unwrap_or(Rect::new(
                    Coord {
                        x: f64::NAN,
                        y: f64::NAN,
                    },
                    Coord {
                        x: f64::NAN,
                        y: f64::NAN,
                    },
                ))
            })
            .collect();
        let entries: Vec<crate::shards::Entry> = envelopes
            .par_iter()
            .enumerate()
            .filter(|(_, r)| r.min().x.is_finite() && r.max().y.is_finite())
            .map(|(i, r)| {
                GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                )
            })
            .collect();
        ObstacleIndex {
            obstacles,
            envelopes,
            tree: crate::shards::Shards::new(entries),
        }
    }

    /// The indexed obstacles, in the order given to [`ObstacleIndex::new`].
    pub fn obstacles(&self) -> &[Obstacle] {
        &self.obstacles
    }

    /// The obstacles back, in the order given to [`ObstacleIndex::new`] (the tree is dropped).
    pub fn into_obstacles(self) -> Vec<Obstacle> {
        self.obstacles
    }

    /// Number of obstacles.
    pub fn len(&self) -> usize {
        self.obstacles.len()
    }

    /// True if there are no obstacles.
    pub fn is_empty(&self) -> bool {
        self.obstacles.is_empty()
    }

    /// Indices of the obstacles whose envelope meets `rect` (boundary contact included), ascending.
    pub fn candidates(&self, rect: Rect<f64>) -> Vec<usize> {
        let aabb = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let mut v: Vec<usize> = Vec::new();
        self.tree.locate(&aabb, |i| v.push(i));
        // Sorting makes the work for a patch independent of the tree's internal layout.
        v.sort_unstable();
        v
    }
}

/// Settings of an overlay run.
pub struct OverlayOptions {
    /// How areas are measured. Default: [`Planar`].
    pub measure: Box<dyn AreaMeasure>,
    /// Keep each class's geometry inside each patch in [`PatchResult::pieces`] (for map layers).
    pub keep_pieces: bool,
}

impl Default for OverlayOptions {
    fn default() -> Self {
        OverlayOptions {
            measure: Box::new(Planar),
            keep_pieces: false,
        }
    }
}

impl std::fmt::Debug for OverlayOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverlayOptions")
            .field("measure", &self.measure.describe())
            .field("keep_pieces", &self.keep_pieces)
            .finish()
    }
}

/// What the overlay found in one patch. Areas in square metres, unrounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchResult {
    /// The patch's own area.
    pub area_m2: f64,
    /// Area of each class inside the patch (overlaps within a class counted once), indexed like the
    /// class list.
    pub class_m2: Vec<f64>,
    /// Area of the union of all classes inside the patch: the blocked area, never double-counted.
    pub union_m2: f64,
    /// How many obstacle features of each class share area with the patch.
    pub class_count: Vec<u64>,
    /// For obstacles with a [`Tally`] (grave points): the sum of the counts of those whose point
    /// lies in the patch (boundary included), per class. This is the number of graves.
    pub point_count: Vec<u64>,
    /// The method the areas were measured with.
    pub method: AreaMethod,
    /// Each class's geometry inside the patch, in the input coordinates (only with
    /// [`OverlayOptions::keep_pieces`]): `(class index, geometry)`.
    #[serde(skip)]
    pub pieces: Vec<(usize, MultiPolygon<f64>)>,
    /// How the area kernel served this patch, and where i_overlay stood in.
    #[serde(default)]
    pub kernel: KernelUse,
    /// Set when this patch could not be processed; the areas are then zero and must not be used.
    pub error: Option<String>,
}

/// How the area kernel ([`crate::kernel`]) served a patch: class and union areas come from the
/// kernel except where these counts say otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KernelUse {
    /// Obstacles crossing the patch's boundary, whose shared area the kernel was asked for.
    pub pairs: u32,
    /// Questions the kernel could not decide exactly (a pair's area, whether two obstacles
    /// overlap, a union term, a class's outline for the pieces written out), answered by
    /// i_overlay instead.
    pub undecided: u32,
    /// Classes whose obstacles overlap inside the patch (grave discs, road corridors) or could
    /// not be proved not to: measured by the n-way kernel rather than summed (or by i_overlay
    /// where that cannot decide, counted in `undecided`).
    pub overlapping_classes: u32,
}

impl KernelUse {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &KernelUse) {
        self.pairs += other.pairs;
        self.undecided += other.undecided;
        self.overlapping_classes += other.overlapping_classes;
    }
}

impl PatchResult {
    /// The clean (unobstructed) area: patch area minus the union of obstacles.
    pub fn clean_m2(&self) -> f64 {
        (self.area_m2 - self.union_m2).max(0.0)
    }

    /// A result for a patch that could not be measured: zero areas and `error` saying why.
    pub fn failed(classes: usize, method: AreaMethod, error: String) -> Self {
        PatchResult {
            area_m2: 0.0,
            class_m2: vec![0.0; classes],
            union_m2: 0.0,
            class_count: vec![0; classes],
            point_count: vec![0; classes],
            method,
            pieces: Vec::new(),
            kernel: KernelUse::default(),
            error: Some(error),
        }
    }
}

/// Overlays every patch against the indexed obstacles, in parallel on the current rayon pool,
/// reporting `classes` classes (obstacle class indices must be below it). Results are in patch
/// order.
///
/// To choose the thread count, run it inside a pool:
/// `rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(|| overlay(...))`.
pub fn overlay(
    patches: &[Patch],
    index: &ObstacleIndex,
    classes: usize,
    options: &OverlayOptions,
) -> Vec<PatchResult> {
    overlay_with_progress(patches, index, classes, options, &|_| {})
}

/// [`overlay`], calling `done(1)` as each patch finishes (from any worker thread), so a caller
/// can show progress. The results do not depend on it.
pub fn overlay_with_progress(
    patches: &[Patch],
    index: &ObstacleIndex,
    classes: usize,
    options: &OverlayOptions,
    done: &(dyn Fn(u64) + Sync),
) -> Vec<PatchResult> {
    patches
        .par_iter()
        .map(|p| {
            let r = catch_unwind(AssertUnwindSafe(|| overlay_one(p, index, classes, options)))
                .unwrap_or_else(|payload| {
                    PatchResult::failed(classes, options.measure.method(), panicked(payload))
                });
            done(1);
            r
        })
        .collect()
}

/// A patch's error for a panic caught while measuring it.
fn panicked(payload: Box<dyn std::any::Any + Send>) -> String {
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    format!("internal error while overlaying this patch: {msg}")
}

/// Overlays one patch. Public so an embedder can process patches one at a time (streaming).
pub fn overlay_one(
    patch: &Patch,
    index: &ObstacleIndex,
    classes: usize,
    options: &OverlayOptions,
) -> PatchResult {
    let method = options.measure.method();
    let measure = options.measure.as_ref();
    let frame = match Frame::new(patch, measure) {
        Ok(f) => f,
        Err(why) => return PatchResult::failed(classes, method, why),
    };
    let Frame {
        env,
        origin,
        ref local_patch,
        local_env,
        set: ref patch_set,
        area_m2,
        ..
    } = frame;
    // The survey's ellipsoidal formula depends on where edges are split (shared edges of DEM
    // runs of different lengths, each measured whole, failed to cancel by up to 3e-3 m²), so for
    // it a class is measured on the outline its pieces make (`sums::joined_area`), not as a sum
    // over pieces; planar areas are additive and simply summed.
    let planar = method == AreaMethod::Planar;
    // Every obstacle that shares area with the patch, with that area measured by the kernel
    // (or by i_overlay where the kernel cannot decide the pair, counted); the pair's own area is
    // needed only where classes are sums (planar).
    let relate = |i: usize| relate(&frame, index, i, classes, measure, planar);
    let uncut = &|c: &Cand| uncut_edges(&frame, index, c.source);
    let found = index.candidates(env);
    // A large patch spreads its obstacles over the pool (each is independent); a small one
    // stays on its thread, where the patches themselves run in parallel.
    let related: Vec<_> = if patch_set.edges().len() > PARALLEL_FROM {
        found.par_iter().map(|&i| relate(i)).collect()
    } else {
        found.iter().map(|&i| relate(i)).collect()
    };
    let mut class_count = vec![0u64; classes];
    let mut point_count = vec![0u64; classes];
    let mut kernel = KernelUse::default();
    let mut cands: Vec<Cand> = Vec::new();
    for Related {
        cand,
        points,
        undecided,
    } in related
    {
        if let Some((c, n)) = points {
            point_count[c] += n;
        }
        kernel.undecided += undecided;
        if let Some(cand) = cand {
            if matches!(cand.rel, Rel::Cross(_)) {
                kernel.pairs += 1;
            }
            class_count[cand.class] += 1;
            cands.push(cand);
        }
    }
    let mut of_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (k, c) in cands.iter().enumerate() {
        of_class[c.class].push(k);
    }

    // Per class: the kernel's sum where its obstacles are proved disjoint, else i_overlay.
    let mut class_m2 = vec![0.0; classes];
    let mut summed = vec![false; classes];
    for (c, ids) in of_class.iter().enumerate() {
        if ids.is_empty() {
            continue;
        }
        let tally = ids.iter().any(|&k| cands[k].tally);
        // An ellipsoidal class is measured on the outline of its kernel pieces; a pair the
        // kernel could not decide has none (its piece is i_overlay's), so such a class is
        // measured on i_overlay's geometry whole. (Planar sums take the fallback's area.)
        let fallback = !planar
            && ids
                .iter()
                .any(|&k| matches!(cands[k].rel, Rel::Cross(Some(_))));
        if !tally
            && !fallback
            && all_disjoint(&cands, ids, &local_env, uncut, &mut kernel.undecided)
        {
            class_m2[c] = if planar {
                ids.iter().map(|&k| cands[k].area).sum()
            } else {
                joined_area(&cands, ids, patch_set, measure, origin)
            };
            summed[c] = true;
        } else {
            kernel.overlapping_classes += 1;
        }
    }
    // A class whose obstacles overlap: the n-way kernel, else i_overlay (counted).
    let united = |ids: &[usize]| united_pieces(&cands, ids, patch_set, frame.planar_m2, uncut);
    let mut measured = summed.clone();
    let mut outline: Vec<Option<Vec<Seg>>> = vec![None; classes];
    for c in 0..classes {
        if !measured[c] && !of_class[c].is_empty() {
            match united(&of_class[c]) {
                Some(pieces) => {
                    class_m2[c] = measure.pieces_area(&pieces, origin);
                    measured[c] = true;
                    // Kept for the union below (and for the geometry written out).
                    outline[c] = Some(pieces);
                }
                None => kernel.undecided += 1,
            }
        }
    }
    // The i_overlay geometry of a class (where the kernel cannot decide).
    let geometry_of = |c: usize| class_geometry(local_patch, &cands, &of_class[c]);
    let mut class_geoms: Vec<(usize, MultiPolygon<f64>)> = Vec::new();
    for c in 0..classes {
        if of_class[c].is_empty() || (measured[c] && !options.keep_pieces) {
            continue;
        }
        if !measured[c] {
            let g = geometry_of(c);
            class_m2[c] = options.measure.area(&g, origin);
            class_geoms.push((c, g));
            continue;
        }
        // Written out: the kernel's outline of the class, chained into rings, so that the
        // geometry has the table's area (i_overlay's would differ by its grid error, up to
        // ~1e-5 m² on survey data); i_overlay's where the kernel cannot chain it into valid
        // rings (counted).
        let rings = match &outline[c] {
            Some(pieces) => Some(valid_polygons(pieces)),
            None => united(&of_class[c]).map(|pieces| valid_polygons(&pieces)),
        };
        let g = match rings {
            Some(Ok(g)) => g,
            _ => {
                kernel.undecided += 1;
                geometry_of(c)
            }
        };
        class_geoms.push((c, g));
    }

    // The union: the sum of the classes where they are summed and disjoint from one another
    // (proved pair by pair, in class order); otherwise the n-way kernel over every obstacle of
    // the patch, and i_overlay's union of the classes where it cannot decide.
    let mut group: Vec<usize> = Vec::new();
    let mut group_sum = 0.0;
    let mut all_in_group = true;
    for c in (0..classes).filter(|&c| !of_class[c].is_empty()) {
        if summed[c]
            && all_in_group
            && disjoint_between(
                &cands,
                &group,
                &of_class[c],
                &local_env,
                uncut,
                &mut kernel.undecided,
            )
        {
            group.extend(&of_class[c]);
            group_sum += class_m2[c];
        } else {
            all_in_group = false;
        }
    }
    let union = if all_in_group {
        Some(if planar || group.is_empty() {
            group_sum
        } else {
            joined_area(&cands, &group, patch_set, measure, origin)
        })
    } else {
        // Planar: a class the n-way kernel has united enters the union as its outline, one
        // region, rather than as its obstacles again, so overlapping grave discs and corridor
        // parts are not untangled twice (7% fewer instructions on the 10k comparison set). The
        // outline's vertices include rounded crossing points, which the union rounds once more:
        // a planar area is additive and moves by at most 1.5e-9 m² (the 100k set), but the
        // survey's ellipsoidal formula depends on where edges are split (1.6e-4 m² seen), so
        // ellipsoidal runs unite every obstacle from its own edges. Where the regions cannot be
        // decided, the union of every obstacle.
        let regions = || -> Option<Vec<Seg>> {
            if !planar {
                return None;
            }
            let mut own: Vec<EdgeSet> = Vec::new();
            let mut ids: Vec<usize> = Vec::new();
            for c in (0..classes).filter(|&c| !of_class[c].is_empty()) {
                match &outline[c] {
                    Some(pieces) if !summed[c] => {
                        own.push(EdgeSet::from_edges(crate::kernel::closed(pieces)?))
                    }
                    _ => ids.extend(&of_class[c]),
                }
            }
            if own.is_empty() {
                return None;
            }
            let mut sets: Vec<&EdgeSet> = ids.iter().map(|&k| &cands[k].set).collect();
            sets.extend(own.iter());
            let pieces = crate::kernel::union_pieces(patch_set, &sets).ok()?;
            sums::plausible(crate::kernel::planar_area(&pieces), frame.planar_m2).then_some(pieces)
        };
        regions()
            .or_else(|| {
                let everything: Vec<usize> = (0..cands.len()).collect();
                united(&everything)
            })
            .map(|pieces| measure.pieces_area(&pieces, origin))
    };
    let union_m2 = match union {
        Some(u) => u,
        None => {
            kernel.undecided += 1;
            let geom = |c: usize| {
                class_geoms
                    .iter()
                    .find(|(k, _)| *k == c)
                    .map(|(_, g)| g.clone())
                    .unwrap_or_else(|| geometry_of(c))
            };
            let all: Vec<MultiPolygon<f64>> = (0..classes)
                .filter(|&c| !of_class[c].is_empty())
                .map(|c| geom(c).orient(Direction::Default))
                .collect();
            options.measure.area(&unary_union(all.iter()), origin)
        }
    };
    // Geometrically, every class lies inside the union and the union inside the patch. The
    // numbers come from different computations, and each boolean operation snaps to its own grid
    // (i_overlay: about half the extent / 2^29), so the relations can break by about a grid step
    // times the boundary's length (measured 1.4e-3 m² on a 1536 m × 6 cm sliver, found by the
    // overlay fuzz target); restore them so that clean = area - union is never negative and no
    // class exceeds the union. Anything beyond that bound would be a bug, caught in debug builds.
    let max_class = class_m2.iter().cloned().fold(0.0, f64::max);
    if cfg!(debug_assertions) {
        let bound = snap_error_bound(local_patch, local_env);
        debug_assert!(
            max_class <= union_m2 + bound,
            "{max_class} > {union_m2} (bound {bound})"
        );
        debug_assert!(
            union_m2 <= area_m2 + bound,
            "{union_m2} > {area_m2} (bound {bound})"
        );
    }
    let union_m2 = union_m2.max(max_class).min(area_m2).max(0.0);
    for v in &mut class_m2 {
        // Also never below zero: a sum of pieces can round to -1e-15 m².
        *v = v.min(union_m2).max(0.0);
    }

    let pieces = if options.keep_pieces {
        class_geoms
            .into_iter()
            .map(|(c, g)| (c, g.map_coords(|p| p + origin)))
            .collect()
    } else {
        Vec::new()
    };
    PatchResult {
        area_m2,
        class_m2,
        union_m2,
        class_count,
        point_count,
        method,
        pieces,
        kernel,
        error: None,
    }
}

/// Patches with more edges than this spread their obstacles over the thread pool.
const PARALLEL_FROM: usize = 4096;

/// Is `at` (real coordinates) in the patch, boundary included? Exact through the kernel's
/// winding number; on the boundary (undecided there) geo's test, which counts the boundary in.
fn patch_contains(
    set: &EdgeSet,
    patch: &MultiPolygon<f64>,
    origin: Coord<f64>,
    at: Coord<f64>,
) -> bool {
    match set.contains(at - origin) {
        Ok(inside) => inside,
        Err(_) => patch.intersects(&at),
    }
}

/// `mp` with counter-clockwise exteriors and clockwise holes, as the area kernel needs: the
/// constructors orient, but the fields are public, and a ring wound the other way would flip
/// the kernel's sides. Checking costs one pass; re-orienting happens only when needed.
/// `mp.orient(Direction::Default)`, without copying it: geo's `orient` clones every ring and
/// reverses those whose winding order is the wrong one; this reverses the same rings in place (by
/// the same test, `make_ccw_winding` and `make_cw_winding`), so the result is the same, and
/// millions of land-use polygons and grave discs are not copied into fresh memory once more.
fn orient_owned(mut mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::Winding;
    for p in &mut mp.0 {
        p.exterior_mut(|e| e.make_ccw_winding());
        p.interiors_mut(|holes| holes.iter_mut().for_each(|h| h.make_cw_winding()));
    }
    mp
}

fn oriented(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    let twice = |r: &LineString<f64>| -> f64 {
        let Some(&c) = r.0.first() else { return 0.0 };
        r.0.windows(2)
            .map(|w| (w[0].x - c.x) * (w[1].y - c.y) - (w[1].x - c.x) * (w[0].y - c.y))
            .sum()
    };
    let ok =
        mp.0.iter()
            .all(|p| twice(p.exterior()) >= 0.0 && p.interiors().iter().all(|h| twice(h) <= 0.0));
    if ok {
        mp
    } else {
        mp.orient(Direction::Default)
    }
}

fn to_local(mp: &MultiPolygon<f64>, origin: Coord<f64>) -> MultiPolygon<f64> {
    mp.map_coords(|c| c - origin)
}

fn first_vertex(mp: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    mp.0.first().and_then(|p| p.exterior().0.first().copied())
}

fn edges(mp: &MultiPolygon<f64>) -> Vec<(Coord<f64>, Coord<f64>)> {
    let mut v = Vec::new();
    for p in &mp.0 {
        ring_edges(p.exterior(), &mut v);
        for h in p.interiors() {
            ring_edges(h, &mut v);
        }
    }
    v
}

fn ring_edges(ring: &LineString<f64>, out: &mut Vec<(Coord<f64>, Coord<f64>)>) {
    out.extend(ring.0.windows(2).map(|w| (w[0], w[1])));
    if let (Some(first), Some(last)) = (ring.0.first(), ring.0.last()) {
        if first != last {
            out.push((*last, *first));
        }
    }
}

fn rects_meet(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

fn contains_rect(outer: &Rect<f64>, inner: &Rect<f64>) -> bool {
    outer.min().x <= inner.min().x
        && outer.min().y <= inner.min().y
        && inner.max().x <= outer.max().x
        && inner.max().y <= outer.max().y
}

/// Does the closed segment `a`–`b` meet the closed rectangle `r`? (Liang–Barsky.) Conservative:
/// a `true` only sends the pair to the exact intersection, so it may err on that side.
fn segment_meets_rect(a: Coord<f64>, b: Coord<f64>, r: &Rect<f64>) -> bool {
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let d = b - a;
    let checks = [
        (-d.x, a.x - r.min().x),
        (d.x, r.max().x - a.x),
        (-d.y, a.y - r.min().y),
        (d.y, r.max().y - a.y),
    ];
    for (p, q) in checks {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                if t > t1 {
                    return false;
                }
                t0 = t0.max(t);
            } else {
                if t < t0 {
                    return false;
                }
                t1 = t1.min(t);
            }
        }
    }
    true
}

/// How far the boolean operations' grid snapping can move an area measured inside `patch`:
/// 1e-6 m² relative, plus two grid steps (i_overlay's grid is half the extent / 2^29, taken as
/// 2^28 for margin) times the boundary's length. Used only by debug assertions.
fn snap_error_bound(patch: &MultiPolygon<f64>, env: Rect<f64>) -> f64 {
    use geo::{Euclidean, Length};
    let half_extent = 0.5 * env.width().max(env.height());
    let perimeter: f64 = patch
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|l| Euclidean.length(l))
        .sum();
    let area = geo::Area::unsigned_area(patch);
    1e-6 * (1.0 + area) + 2.0 * half_extent / f64::from(1u32 << 28) * perimeter
}
