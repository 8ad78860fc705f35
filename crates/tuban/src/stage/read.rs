//! Stage 1, **read**: the layers of a project, from files or from memory, reading only what the
//! run needs.
//!
//! - The patch layer keeps only the fields of a patch's identity (the configured ones and those
//!   [`PatchFields::guess`] would pick): a damaged value in any other field (an impossible date,
//!   an overflowed number) is never decoded, so it cannot stop the run.
//! - The land-use layer keeps only what the rules test, and, when its file says before it is read
//!   that it is in the patches' CRS, only the polygons whose box meets a patch's box: it is by far
//!   the largest input.
//! - Grave and road layers are read whole (points and lines are grown into discs and corridors, so
//!   their boxes say little), with the fields the rules and the shapes need.
//!
//! Nothing is reprojected here; see [`super::crs`].

use std::path::Path;
use std::sync::Arc;

use tuban_core::build::{PatchFields, ShapeParams};
use tuban_core::crs::Crs;
use tuban_core::geo;
use tuban_core::layer::Layer;
use tuban_core::rules::{Role, Rules};
use tuban_io::read::{read_layer_filtered, BoxFilter, ReadOptions, Subset};

use crate::progress::{Progress, Stage};
use crate::project::{LayerSpec, Project, Source};
use crate::Error;

/// One layer as read, with the spec it was read by.
#[derive(Debug, Clone)]
pub struct ReadLayer {
    /// What the layer is in the run.
    pub role: Role,
    /// The layer (its CRS as stated, not yet settled).
    pub layer: Layer,
    /// The spec it came from (its `crs` overrides what the layer states).
    pub spec: LayerSpec,
    /// Records the box filter left out (they meet no patch).
    pub filtered_out: usize,
}

/// Every layer of a run, as read.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The patches.
    pub patches: ReadLayer,
    /// The obstacle layers given, in the order of [`Role::OBSTACLES`], each with its shape
    /// parameters (the defaults for the land-use layer, whose features are used as they are).
    pub obstacles: Vec<(ReadLayer, ShapeParams)>,
}

/// Reads every layer of `project` (the DEM is read by the slope stage, window by window).
/// `rules` say which fields the obstacle layers must keep.
pub fn read(project: &Project, rules: &Rules, progress: &dyn Progress) -> Result<Inputs, Error> {
    let count = 1
        + project.landuse.is_some() as u64
        + project.graves.is_some() as u64
        + project.roads.is_some() as u64;
    progress.start(Stage::Read, Some(count));
    let p = &project.patches;
    let patch_fields: Vec<String> = [&p.id_field, &p.village_field]
        .into_iter()
        .flatten()
        .cloned()
        .chain(
            PatchFields::CANDIDATES
                .iter()
                .flat_map(|names| names.iter())
                .map(|n| n.to_string()),
        )
        .collect();
    let patches = read_one(
        Role::Patches,
        &p.layer,
        &Subset {
            fields: Some(patch_fields),
            ..Default::default()
        },
    )?;
    progress.advance(1);
    let mut obstacles = Vec::new();
    if let Some(spec) = &project.landuse {
        let near = stated_crs(&patches, project.assume_crs.as_deref())
            .filter(|&crs| same_crs_before_reading(spec, crs))
            .map(|_| near_patches(&patches.layer));
        let subset = Subset {
            fields: Some(rules.fields(Role::Landuse.as_str())),
            keep: near,
            ..Default::default()
        };
        obstacles.push((
            read_one(Role::Landuse, spec, &subset)?,
            ShapeParams::default(),
        ));
        progress.advance(1);
    }
    for (role, spec) in [
        (Role::Graves, &project.graves),
        (Role::Roads, &project.roads),
    ] {
        let Some(spec) = spec else { continue };
        let params = &spec.shape;
        let mut fields = rules.fields(role.as_str());
        fields.extend(
            [&params.area_field, &params.count_field, &params.width_field]
                .into_iter()
                .flatten()
                .cloned(),
        );
        fields.push(tuban_core::defaults::ROAD_WIDTH_FIELD.into());
        let subset = Subset {
            fields: Some(fields),
            ..Default::default()
        };
        obstacles.push((read_one(role, &spec.layer, &subset)?, params.clone()));
        progress.advance(1);
    }
    progress.finish();
    Ok(Inputs { patches, obstacles })
}

/// Reads one layer: a file through the reader its extension picks, keeping what `subset` says;
/// a layer in memory as it is.
pub fn read_one(role: Role, spec: &LayerSpec, subset: &Subset) -> Result<ReadLayer, Error> {
    let (layer, filtered_out) = match &spec.source {
        Source::File { path, layer } => {
            let opts = ReadOptions {
                encoding: spec.encoding.clone(),
                name: Some(role.as_str().to_string()),
                layer: layer.clone(),
            };
            read_layer_filtered(path, &opts, subset)?
        }
        Source::Memory(layer) => (Arc::unwrap_or_clone(layer.clone()), 0),
    };
    Ok(ReadLayer {
        role,
        layer,
        spec: spec.clone(),
        filtered_out,
    })
}

/// The CRS a read layer states (or its spec forces, or the run assumes for a layer that states
/// none), if tuban's built-in set knows it.
fn stated_crs(read: &ReadLayer, assumed: Option<&str>) -> Option<Crs> {
    match (&read.spec.crs, &read.layer.crs_text) {
        (Some(text), _) => Crs::from_user(text).ok(),
        (None, Some(text)) => Crs::from_wkt(text).ok().map(|r| r.crs),
        (None, None) => assumed.and_then(|t| Crs::from_user(t).ok()),
    }
}

/// Whether the layer of `spec` is, by its `.prj` or its GeoPackage table's CRS (or the CRS the
/// project sets for it), in `crs`: checked before reading, so that the reader can filter records
/// by their boxes in the patches' coordinates. `false` when unsure (no `.prj`, a format other
/// than a shapefile or a GeoPackage, a CRS outside the built-in set): the layer is then read
/// whole.
fn same_crs_before_reading(spec: &LayerSpec, crs: Crs) -> bool {
    if let Some(text) = &spec.crs {
        return Crs::from_user(text).is_ok_and(|c| c == crs);
    }
    let Source::File { path, layer } = &spec.source else {
        return false;
    };
    let opts = ReadOptions {
        layer: layer.clone(),
        ..Default::default()
    };
    // A .prj holds WKT; a GeoPackage table EPSG:NNNN or WKT: from_user reads both.
    tuban_io::read::stated_crs_text(path, &opts)
        .ok()
        .flatten()
        .and_then(|text| Crs::from_user(&text).ok())
        .is_some_and(|c| c == crs)
}

/// A box filter keeping the records whose box meets some patch's box: a grid over the patches'
/// extent (cells about a typical patch box's size, at most about 4096 a side) marks the cells
/// any patch box meets, and a record is kept when its box meets a marked cell; a box wholly
/// outside the extent is left out. Conservative: a record left out meets no patch.
pub fn near_patches(patches: &Layer) -> BoxFilter {
    let boxes: Vec<geo::Rect<f64>> = patches
        .features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .filter_map(geo::BoundingRect::bounding_rect)
        .filter(|r| {
            r.min().x.is_finite()
                && r.min().y.is_finite()
                && r.max().x.is_finite()
                && r.max().y.is_finite()
        })
        .collect();
    let Some(extent) = boxes.iter().copied().reduce(|a, b| {
        geo::Rect::new(
            geo::Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            geo::Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )
    }) else {
        return BoxFilter::new(|_| false);
    };
    // Cells about the size of a typical patch box, but at most about 4096 a side.
    let mut sizes: Vec<f64> = boxes.iter().map(|r| r.width().max(r.height())).collect();
    let mid = sizes.len() / 2;
    let typical = *sizes.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1;
    let span = extent.width().max(extent.height()).max(f64::MIN_POSITIVE);
    let cell = typical.max(span / 4096.0).max(span * 1e-9);
    let cols = ((extent.width() / cell).floor() as usize + 1).min(1 << 13);
    let rows = ((extent.height() / cell).floor() as usize + 1).min(1 << 13);
    let origin = extent.min();
    let at = move |v: f64, o: f64, n: usize| -> usize {
        (((v - o) / cell).floor().max(0.0) as usize).min(n - 1)
    };
    let mut marked = vec![false; cols * rows];
    for r in &boxes {
        for j in at(r.min().y, origin.y, rows)..=at(r.max().y, origin.y, rows) {
            for i in at(r.min().x, origin.x, cols)..=at(r.max().x, origin.x, cols) {
                marked[j * cols + i] = true;
            }
        }
    }
    let hi = extent.max();
    // The test grows (a larger box meets the extent and a marked cell whenever a smaller one
    // inside it does) and keeps nothing outside the extent, so a GeoPackage's R-tree can be
    // asked for the features near the patches before any is read.
    BoxFilter::growing(move |r| {
        if r.max().x < origin.x || r.max().y < origin.y || r.min().x > hi.x || r.min().y > hi.y {
            return false;
        }
        let (i0, i1) = (at(r.min().x, origin.x, cols), at(r.max().x, origin.x, cols));
        let (j0, j1) = (at(r.min().y, origin.y, rows), at(r.max().y, origin.y, rows));
        (j0..=j1).any(|j| marked[j * cols + i0..=j * cols + i1].iter().any(|&m| m))
    })
    .within(extent)
}

/// A missing-field error from a layer read with only some fields lists only those as available:
/// name every field the file has instead (its schema read again, without records).
pub(crate) fn with_every_field(
    e: tuban_core::build::BuildError,
    role: Role,
    spec: &LayerSpec,
) -> tuban_core::build::BuildError {
    use tuban_core::build::BuildError;
    let BuildError::MissingField {
        layer,
        field,
        purpose,
        available,
    } = e
    else {
        return e;
    };
    let available = schema(role, spec)
        .map(|fields| {
            fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or(available);
    BuildError::MissingField {
        layer,
        field,
        purpose,
        available,
    }
}

/// Every field of the layer of `spec`, read from its file's schema (no records are decoded);
/// `None` if the file cannot be read.
pub fn schema(role: Role, spec: &LayerSpec) -> Option<Vec<tuban_core::layer::Field>> {
    let (path, layer): (&Path, &Option<String>) = match &spec.source {
        Source::File { path, layer } => (path, layer),
        Source::Memory(layer) => return Some(layer.fields.clone()),
    };
    let opts = ReadOptions {
        encoding: spec.encoding.clone(),
        name: Some(role.as_str().to_string()),
        layer: layer.clone(),
    };
    let none = Subset {
        keep: Some(BoxFilter::new(|_| false)),
        ..Default::default()
    };
    read_layer_filtered(path, &opts, &none)
        .ok()
        .map(|(l, _)| l.fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Coord, Geometry, Rect};
    use tuban_core::layer::Feature;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    /// Patches: two 10 m squares far apart, at (0,0) and (1000,1000), and a tiny one at (500,0).
    fn patches() -> Layer {
        let mut l = Layer::new("patches");
        for (k, (x, y, s)) in [(0.0, 0.0, 10.0), (1000.0, 1000.0, 10.0), (500.0, 0.0, 0.5)]
            .into_iter()
            .enumerate()
        {
            let p =
                polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)];
            l.features
                .push(Feature::new(k + 1, Some(Geometry::Polygon(p)), vec![]));
        }
        l
    }

    #[test]
    fn near_patches_keeps_every_box_that_meets_a_patch_box() {
        let f = near_patches(&patches());
        // Meeting a patch's box, overlapping, inside, holding it, or touching its edge: kept.
        for r in [
            rect(5.0, 5.0, 6.0, 6.0),
            rect(-5.0, -5.0, 2.0, 2.0),
            rect(10.0, 0.0, 20.0, 3.0),
            rect(-100.0, -100.0, 2000.0, 2000.0),
            rect(1009.0, 1009.0, 1100.0, 1100.0),
            rect(500.2, 0.2, 500.3, 0.3),
        ] {
            assert!(f.keeps(&r), "{r:?}");
        }
        // Outside the patches' extent: left out.
        for r in [
            rect(-50.0, -50.0, -1.0, -1.0),
            rect(1011.0, 0.0, 1020.0, 5.0),
            rect(0.0, 1011.0, 5.0, 1020.0),
        ] {
            assert!(!f.keeps(&r), "{r:?}");
        }
        // Far from every patch, inside the extent (the grid's cells are about a patch's size, so
        // a box 200 m from any patch is in no marked cell).
        assert!(!f.keeps(&rect(300.0, 300.0, 310.0, 310.0)));
        assert!(!f.keeps(&rect(700.0, 600.0, 720.0, 610.0)));
    }

    #[test]
    fn near_patches_of_no_patches_keeps_nothing() {
        assert!(!near_patches(&Layer::new("none")).keeps(&rect(0.0, 0.0, 1.0, 1.0)));
    }
}
