//! Stage 4, **slope**: the DEM's steep cells under the patches, as obstacles in the working CRS.
//!
//! Horn's slope (as `gdaldem slope`) is computed only over the DEM windows the patches need
//! ([`tuban_core::steep`]); the cells steeper than the threshold become exact cell squares that the
//! overlay clips like any other obstacle, so each cell is weighted by the exact fraction of it a
//! patch covers and a steep cell under forest counts once in the union.

use tuban_core::crs::Crs;
use tuban_core::geo;
use tuban_core::overlay::{Obstacle, Patch};
use tuban_core::rules::Rules;
use tuban_core::steep::{steep_obstacles, SteepOptions, SteepStats};
use tuban_io::geotiff::Dem;

use crate::project::DemSpec;
use crate::stage::crs::user_crs;
use crate::Error;

/// The steep cells under the patches.
#[derive(Debug, Clone)]
pub struct SteepCells {
    /// One obstacle (class `steep`) per run of steep cells in a row, in the working CRS.
    pub obstacles: Vec<Obstacle>,
    /// What the slope step computed and found.
    pub stats: SteepStats,
    /// How the DEM's CRS was settled and what was computed, for the run's description.
    pub note: String,
    /// Things the user should know (patches beyond the DEM, nodata under patches).
    pub warnings: Vec<String>,
}

/// Reads the DEM of `spec` where `patches` (in `working`) need it and returns its steep cells.
/// `assume_crs` is the run's CRS for a DEM that states none.
pub fn steep_cells(
    spec: &DemSpec,
    assume_crs: Option<&str>,
    working: Crs,
    patches: &[Patch],
    rules: &Rules,
) -> Result<SteepCells, Error> {
    let dem = Dem::open(&spec.path)?;
    let label = spec.path.display().to_string();
    let (dem_crs, how) = dem_crs(spec, &dem, assume_crs)?;
    let e = dem.spec().extent();
    dem_crs
        .check_coordinates([e.min().x, e.min().y, e.max().x, e.max().y])
        .map_err(|source| Error::BadCrs {
            given: label.clone(),
            source,
        })?;
    let threshold = spec.threshold_deg;
    let class = rules
        .classes()
        .iter()
        .position(|c| c == "steep")
        .expect("steep is a built-in class");
    // Patch envelopes in the DEM's CRS (through every vertex when the systems differ).
    let same = dem_crs == working;
    let (to_dem, to_working) = (working.projector(), dem_crs.projector());
    let envelopes: Vec<geo::Rect<f64>> = patches
        .iter()
        .filter_map(|p| {
            if same {
                return geo::BoundingRect::bounding_rect(&p.geometry);
            }
            let moved = geo::MapCoords::map_coords(&p.geometry, |c| {
                let (lon, lat) = to_dem.to_geographic(c.x, c.y);
                let (x, y) = to_working.from_geographic(lon, lat);
                geo::Coord { x, y }
            });
            geo::BoundingRect::bounding_rect(&moved)
        })
        .collect();
    let options = SteepOptions {
        threshold_deg: threshold,
        ..Default::default()
    };
    let result =
        steep_obstacles(&dem, &envelopes, class, &options).map_err(|source| Error::Steep {
            path: label.clone(),
            source,
        })?;
    let mut obstacles = result.obstacles;
    if !same {
        for o in &mut obstacles {
            geo::MapCoordsInPlace::map_coords_in_place(&mut o.geometry, |c: geo::Coord<f64>| {
                let (lon, lat) = to_working.to_geographic(c.x, c.y);
                let (x, y) = to_dem.from_geographic(lon, lat);
                geo::Coord { x, y }
            });
        }
    }
    let stats = result.stats;
    let note = format!(
        "{how}; slope by Horn's method over {} cells, {} steeper than {threshold}°",
        stats.cells_computed, stats.steep_cells
    );
    let mut warnings = Vec::new();
    if stats.envelopes_outside > 0 {
        warnings.push(format!(
            "{label}: {} patch(es) lie outside the DEM: no steep slope can be measured there",
            stats.envelopes_outside
        ));
    }
    if stats.envelopes_partly_outside > 0 {
        warnings.push(format!(
            "{label}: {} patch(es) reach beyond the DEM: their part outside is not counted as steep",
            stats.envelopes_partly_outside
        ));
    }
    if stats.nodata_cells > 0 {
        warnings.push(format!(
            "{label}: {} DEM cell(s) under the patches have no elevation (nodata): they are not counted as steep",
            stats.nodata_cells
        ));
    }
    Ok(SteepCells {
        obstacles,
        stats,
        note,
        warnings,
    })
}

/// The DEM's CRS, and how it was decided: the spec's `crs`, else the GeoTIFF's GeoKeys, else
/// the run's assumed CRS. It must be one of the built-in set: its cells are squares in it.
fn dem_crs(spec: &DemSpec, dem: &Dem, assume_crs: Option<&str>) -> Result<(Crs, String), Error> {
    let label = spec.path.display().to_string();
    let builtin = |text: Option<&str>, context: &str| -> Result<Option<Crs>, Error> {
        match user_crs(text, context)? {
            None => Ok(None),
            Some(u) => u.builtin().map(Some).ok_or_else(|| {
                Error::Unsupported(format!(
                    "{label}: the DEM's crs must be one tuban knows without PROJ (e.g. EPSG:4544); warp the DEM with gdalwarp -t_srs EPSG:4544"
                ))
            }),
        }
    };
    if let Some(c) = builtin(spec.crs.as_deref(), "the crs of the dem")? {
        return Ok((c, format!("{c}, set for the DEM in the project file")));
    }
    if let Some(code) = dem.epsg() {
        let c = Crs::from_epsg(code).map_err(|source| Error::BadCrs {
            given: format!("{label}: the GeoTIFF's EPSG code {code}"),
            source,
        })?;
        return Ok((c, format!("{c}, from the GeoTIFF's GeoKeys")));
    }
    // An assumed CRS outside the built-in set cannot serve a DEM: it is not assumed for it.
    let assumed = user_crs(assume_crs, "assume_crs")?.and_then(|u| u.builtin());
    match assumed {
        Some(c) => Ok((c, format!("{c}, assumed for the run: the GeoTIFF states none"))),
        None => Err(Error::Unsupported(format!(
            "{label}: the GeoTIFF names no EPSG code in its GeoKeys; say which CRS it is in (the run's assume_crs, or crs = \"EPSG:NNNN\" under [dem])"
        ))),
    }
}
