//! Stages 5 and 6, **index** and **overlay**: the obstacles in an R-tree, and every patch clipped
//! against the obstacles its box meets, in parallel ([`tuban_core::overlay`]).
//!
//! The overlay runs in blocks of patches so that a cancelled run stops within one block; the
//! results do not depend on the block size or the thread count.

use rayon::prelude::*;
use tuban_core::area::{AreaMeasure, AreaMethod, Ellipsoidal, Planar};
use tuban_core::crs::Crs;
use tuban_core::geo;
use tuban_core::overlay::{
    overlay_with_progress, KernelUse, Obstacle, ObstacleIndex, OverlayOptions,
};
use tuban_core::overlay::{Patch, PatchResult};

use crate::progress::{check, Progress, Stage};
use crate::Error;

/// Patches per block between two looks at [`Progress::cancelled`].
const BLOCK: usize = 4096;

/// Stage 5: the R-tree over every obstacle.
pub fn index(obstacles: Vec<Obstacle>) -> ObstacleIndex {
    ObstacleIndex::new(obstacles)
}

fn ellipsoidal(working: Crs) -> Result<Ellipsoidal, Error> {
    Ellipsoidal::new(&working).map_err(|source| Error::BadCrs {
        given: format!("the working CRS {working}"),
        source,
    })
}

/// How areas are measured by `method` in `working`.
pub fn measure(working: Crs, method: AreaMethod) -> Result<Box<dyn AreaMeasure>, Error> {
    Ok(match method {
        AreaMethod::Planar => Box::new(Planar),
        AreaMethod::Ellipsoidal => Box::new(ellipsoidal(working)?),
    })
}

/// What the overlay measured.
#[derive(Debug, Clone)]
pub struct Overlaid {
    /// One result per patch, in patch order.
    pub results: Vec<PatchResult>,
    /// How the areas were measured.
    pub method: AreaMethod,
    /// A sentence stating the method (and ellipsoid) for the outputs.
    pub method_note: String,
    /// Each patch's `(planar, ellipsoidal)` area, whatever the method of the other numbers.
    pub both_areas: Vec<(f64, f64)>,
    /// How the area kernel served the patches, summed over them.
    pub kernel: KernelUse,
}

/// Stage 6: measures every patch against `index` (obstacle classes `0..classes`) in `working`,
/// by `method`; keeps each class's pieces when `keep_pieces` (for the outputs that draw them).
pub fn overlay(
    patches: &[Patch],
    index: &ObstacleIndex,
    classes: usize,
    working: Crs,
    method: AreaMethod,
    keep_pieces: bool,
    progress: &dyn Progress,
) -> Result<Overlaid, Error> {
    let ellipsoidal = ellipsoidal(working)?;
    let measure = measure(working, method)?;
    let method_note = measure.describe();
    let options = OverlayOptions {
        measure,
        keep_pieces,
    };
    progress.start(Stage::Overlay, Some(patches.len() as u64));
    let mut results = Vec::with_capacity(patches.len());
    for block in patches.chunks(BLOCK) {
        check(progress)?;
        results.extend(overlay_with_progress(
            block,
            index,
            classes,
            &options,
            &|n| progress.advance(n),
        ));
    }
    progress.finish();
    let mut kernel = KernelUse::default();
    for r in &results {
        kernel.add(&r.kernel);
    }
    // Both areas of every patch go in the outputs, whichever method the other columns use. The
    // overlay has measured each patch by the run's method already, on these very coordinates
    // (the same origin, the same rings): that number is taken as it is, so the two never differ,
    // and only the other method is measured here. The survey's formula costs an inverse
    // projection per vertex: measuring it again was 5% of an ellipsoidal run at 100k patches.
    let both_areas = patches
        .par_iter()
        .zip(&results)
        .map(|(p, result)| {
            let origin = geo::BoundingRect::bounding_rect(&p.geometry)
                .map(|r| r.min())
                .unwrap_or_default();
            let local = geo::MapCoords::map_coords(&p.geometry, |c| c - origin);
            match (result.error.is_none(), method) {
                (true, AreaMethod::Planar) => (result.area_m2, ellipsoidal.area(&local, origin)),
                (true, AreaMethod::Ellipsoidal) => (Planar.area(&local, origin), result.area_m2),
                (false, _) => (
                    Planar.area(&local, origin),
                    ellipsoidal.area(&local, origin),
                ),
            }
        })
        .collect();
    Ok(Overlaid {
        results,
        method,
        method_note,
        both_areas,
        kernel,
    })
}

/// A sentence for the run's notes on how the area kernel served the overlay.
pub fn kernel_note(k: &KernelUse) -> String {
    format!(
        "area kernel: {} obstacles crossing a patch's boundary measured in double precision; {} questions the kernel could not decide, answered by i_overlay; {} class measurements where a class's obstacles overlap inside a patch (grave discs, road corridors), by the n-way kernel",
        k.pairs, k.undecided, k.overlapping_classes
    )
}
