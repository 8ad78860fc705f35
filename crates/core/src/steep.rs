//! Steep-slope obstacles: the DEM cells steeper than a threshold, as exact cell squares.
//!
//! [`steep_obstacles`] computes Horn slope ([`crate::slope`]) only where the patches need it, and
//! returns the cells whose slope is strictly greater than the threshold (25° by default, grade 5 of
//! the slope grading) as [`Obstacle`]s whose geometries are the cells' exact squares; horizontally
//! adjacent steep cells of a row are merged into one rectangle (the area is unchanged, the count
//! drops). [`crate::overlay::overlay`] then clips them against each patch exactly, which weights
//! each cell by the exact fraction of it that lies inside the patch (the method of exactextract),
//! and a steep cell under forest counts once in the union of the classes.
//!
//! **Which cells.** Only cells that meet some patch envelope are computed: each envelope's window of
//! cells ([`GridSpec::window_meeting`]) is marked in a mask. The DEM is cut into blocks aligned to
//! its storage chunks (strips or tiles, [`DemSource::chunk_shape`]) of about
//! [`SteepOptions::block_cells`] cells; for every block that holds marked cells, the bounding window
//! of its marked cells plus a one-cell margin is read once and slope is computed for the marked
//! cells only. A million patches therefore mean a few thousand reads, not a million; and the margin
//! makes every value equal to the whole-DEM computation (including GDAL's edge rule at the DEM's
//! borders). Blocks run in parallel on the current rayon pool; the output order is fixed (blocks
//! top to bottom, left to right; cells row by row), whatever the thread count.
//!
//! **Nodata** slope cells (a nodata elevation; see [`crate::slope`]) are never steep: the part of a
//! patch over missing elevation counts as not steep, and [`SteepStats::nodata_cells`] says how many
//! such cells the patches touched, so that a caller can warn. Likewise the part of a patch outside
//! the DEM is not steep ([`SteepStats::envelopes_outside`], [`SteepStats::envelopes_partly_outside`]).
//!
//! **Coordinates.** The envelopes must be in the DEM's CRS, and the squares come back in it. For a
//! projected DEM (metres, e.g. EPSG:4544) in the patches' CRS that is all. For a geographic DEM the
//! squares are in degrees: the caller must reproject them (densified: a cell's edges are not straight
//! in Gauss-Kruger) to the patches' CRS before the overlay, or refuse such a DEM; their planar
//! area in degrees is meaningless.
//!
//! ```
//! use geo::{coord, Rect};
//! use tuban_core::raster::{CrsKind, GeoTransform, Grid};
//! use tuban_core::steep::{steep_obstacles, SteepOptions};
//!
//! // 10 m cells; the ground rises 1 m per metre (45°) east of x = 30 and is flat west of it.
//! let (cols, rows) = (8, 6);
//! let data = (0..rows)
//!     .flat_map(|_| (0..cols).map(|c| if c >= 3 { 10.0 * (c - 3) as f64 } else { 0.0 }))
//!     .collect();
//! let dem = Grid::new(GeoTransform::new(0.0, 60.0, 10.0, 10.0), cols, rows,
//!                     CrsKind::Projected, None, data).unwrap();
//! // One patch envelope over cells 4..6 of rows 2..4.
//! let env = Rect::new(coord! { x: 41.0, y: 21.0 }, coord! { x: 59.0, y: 39.0 });
//! let steep = steep_obstacles(&dem, &[env], 3, &SteepOptions::default()).unwrap();
//! assert_eq!(steep.stats.cells_computed, 4);
//! assert_eq!(steep.stats.steep_cells, 4);
//! // Two rows of two merged cells each, class 3.
//! assert_eq!(steep.obstacles.len(), 2);
//! assert!(steep.obstacles.iter().all(|o| o.class == 3));
//! ```

use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::overlay::{Obstacle, SourceRef};
use crate::raster::{DemSource, GridSpec, Window};
use crate::slope::{horn_masked, SLOPE_NODATA};

/// Settings of [`steep_obstacles`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SteepOptions {
    /// A cell is steep if its slope is strictly greater than this, in degrees. Default 25.
    pub threshold_deg: f64,
    /// About how many cells a block holds (blocks are whole storage chunks). Default 2²¹.
    pub block_cells: usize,
    /// The layer name put in each obstacle's [`SourceRef`]. Default `"dem"`.
    pub source_layer: String,
}

impl Default for SteepOptions {
    fn default() -> Self {
        SteepOptions {
            threshold_deg: crate::defaults::STEEP_THRESHOLD_DEG,
            block_cells: 1 << 21,
            source_layer: "dem".into(),
        }
    }
}

/// What [`steep_obstacles`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SteepStats {
    /// Envelopes given.
    pub envelopes: usize,
    /// Envelopes that meet the interior of no DEM cell (outside the DEM, of zero width or height,
    /// or not finite): no steep area is found for them.
    pub envelopes_outside: usize,
    /// Envelopes that reach beyond the DEM's extent: their part outside is not steep.
    pub envelopes_partly_outside: usize,
    /// Blocks read.
    pub blocks: usize,
    /// Cells decoded from the DEM (the blocks' windows with their margins).
    pub cells_read: usize,
    /// Cells whose slope was computed: those meeting some envelope.
    pub cells_computed: usize,
    /// Computed cells whose slope is nodata (nodata elevation): never steep.
    pub nodata_cells: usize,
    /// Computed cells steeper than the threshold.
    pub steep_cells: usize,
    /// Obstacles returned (runs of steep cells in a row).
    pub obstacles: usize,
}

/// The steep cells as obstacles, and how they were found.
#[derive(Debug, Clone)]
pub struct SteepResult {
    /// One rectangle per run of horizontally adjacent steep cells, in the DEM's CRS. Each one's
    /// [`SourceRef::record`] is the 1-based row-major number of its first cell in the DEM
    /// (`row × cols + col + 1`).
    pub obstacles: Vec<Obstacle>,
    /// Counts.
    pub stats: SteepStats,
}

/// Why [`steep_obstacles`] failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SteepError {
    /// The threshold is not a finite number ≥ 0 and < 90.
    #[error("the steep-slope threshold must be between 0 and 90 degrees, not {0}")]
    Threshold(f64),
    /// The DEM could not be read.
    #[error("{0}")]
    Read(String),
}

/// The cells of `dem` steeper than `options.threshold_deg` among those meeting some envelope of
/// `envelopes`, as obstacles of class `class` (see the module docs).
pub fn steep_obstacles<D: DemSource + ?Sized>(
    dem: &D,
    envelopes: &[Rect<f64>],
    class: usize,
    options: &SteepOptions,
) -> Result<SteepResult, SteepError> {
    let t = options.threshold_deg;
    if !(t.is_finite() && (0.0..90.0).contains(&t)) {
        return Err(SteepError::Threshold(t));
    }
    let spec = dem.grid_spec();
    let mut stats = SteepStats {
        envelopes: envelopes.len(),
        ..SteepStats::default()
    };
    if spec.cols == 0 || spec.rows == 0 {
        stats.envelopes_outside = envelopes.len();
        return Ok(SteepResult {
            obstacles: Vec::new(),
            stats,
        });
    }
    let (bc, br) = block_shape(&spec, dem.chunk_shape(), options.block_cells);
    let nbx = spec.cols.div_ceil(bc);
    let extent = spec.extent();

    // (block number, window cut to the block) for every envelope.
    let mut pieces: Vec<(usize, Window)> = Vec::new();
    for env in envelopes {
        let Some(w) = spec.window_meeting(env) else {
            stats.envelopes_outside += 1;
            continue;
        };
        if env.min().x < extent.min().x
            || env.min().y < extent.min().y
            || env.max().x > extent.max().x
            || env.max().y > extent.max().y
        {
            stats.envelopes_partly_outside += 1;
        }
        for by in w.row0 / br..=(w.row_end() - 1) / br {
            for bx in w.col0 / bc..=(w.col_end() - 1) / bc {
                let block = Window::new(bx * bc, by * br, bc, br);
                if let Some(piece) = w.intersection(&block) {
                    pieces.push((by * nbx + bx, piece));
                }
            }
        }
    }
    pieces.sort_unstable_by_key(|&(b, w)| (b, w.row0, w.col0));
    let mut groups: Vec<&[(usize, Window)]> = Vec::new();
    let mut rest = &pieces[..];
    while let Some(&(b, _)) = rest.first() {
        let n = rest.iter().take_while(|p| p.0 == b).count();
        groups.push(&rest[..n]);
        rest = &rest[n..];
    }

    let threshold = options.threshold_deg;
    let layer = options.source_layer.as_str();
    let per_block: Vec<Result<(Vec<Obstacle>, SteepStats), SteepError>> = groups
        .par_iter()
        .map(|group| steep_block(dem, &spec, group, class, threshold, layer))
        .collect();
    let mut obstacles = Vec::new();
    for r in per_block {
        let (obs, s) = r?;
        obstacles.extend(obs);
        stats.blocks += s.blocks;
        stats.cells_read += s.cells_read;
        stats.cells_computed += s.cells_computed;
        stats.nodata_cells += s.nodata_cells;
        stats.steep_cells += s.steep_cells;
    }
    stats.obstacles = obstacles.len();
    Ok(SteepResult { obstacles, stats })
}

/// Block size in cells: whole storage chunks, about `target` cells, at least 256 a side where
/// the chunks allow.
fn block_shape(spec: &GridSpec, chunk: (usize, usize), target: usize) -> (usize, usize) {
    let cw = chunk.0.clamp(1, spec.cols);
    let ch = chunk.1.clamp(1, spec.rows);
    let target = target.max(1);
    let side = (target as f64).sqrt();
    let bc = if cw >= spec.cols {
        spec.cols
    } else {
        (cw * ((side / cw as f64).round() as usize).max(1)).min(spec.cols)
    };
    let br = (ch * (target / bc / ch).max(1)).min(spec.rows);
    (bc.max(1), br.max(1))
}

fn steep_block<D: DemSource + ?Sized>(
    dem: &D,
    spec: &GridSpec,
    pieces: &[(usize, Window)],
    class: usize,
    threshold: f64,
    layer: &str,
) -> Result<(Vec<Obstacle>, SteepStats), SteepError> {
    let bbox = pieces
        .iter()
        .fold(Window::new(0, 0, 0, 0), |acc, (_, w)| acc.union(w));
    let mut mask = vec![false; bbox.len()];
    for (_, w) in pieces {
        let rel = w.relative_to(&bbox);
        for r in rel.row0..rel.row_end() {
            mask[r * bbox.cols + rel.col0..r * bbox.cols + rel.col_end()].fill(true);
        }
    }
    let padded = bbox.grown(1, spec.cols, spec.rows);
    let grid = dem.read_window(padded).map_err(SteepError::Read)?;
    if grid.cols != padded.cols || grid.rows != padded.rows {
        return Err(SteepError::Read(format!(
            "the DEM reader returned {} × {} cells for a window of {} × {}",
            grid.cols, grid.rows, padded.cols, padded.rows
        )));
    }
    let slope = horn_masked(&grid, bbox.relative_to(&padded), Some(&mask));
    let mut stats = SteepStats {
        blocks: 1,
        cells_read: padded.len(),
        ..SteepStats::default()
    };
    let mut obstacles = Vec::new();
    for r in 0..bbox.rows {
        let srow = &slope.data[r * bbox.cols..(r + 1) * bbox.cols];
        let mrow = &mask[r * bbox.cols..(r + 1) * bbox.cols];
        let mut run_start: Option<usize> = None;
        for c in 0..=bbox.cols {
            let steep = c < bbox.cols && mrow[c] && {
                let s = srow[c];
                stats.cells_computed += 1;
                if s == SLOPE_NODATA {
                    stats.nodata_cells += 1;
                }
                s != SLOPE_NODATA && s > threshold
            };
            match (steep, run_start) {
                (true, None) => run_start = Some(c),
                (false, Some(c0)) => {
                    stats.steep_cells += c - c0;
                    let row = bbox.row0 + r;
                    let (col0, col1) = (bbox.col0 + c0, bbox.col0 + c - 1);
                    obstacles.push(run_obstacle(spec, row, col0, col1, class, layer));
                    run_start = None;
                }
                _ => {}
            }
        }
    }
    Ok((obstacles, stats))
}

/// The rectangle of cells `col0..=col1` of `row`, counter-clockwise.
fn run_obstacle(
    spec: &GridSpec,
    row: usize,
    col0: usize,
    col1: usize,
    class: usize,
    layer: &str,
) -> Obstacle {
    let a = spec.cell_bounds(col0, row);
    let b = spec.cell_bounds(col1, row);
    let (x0, x1, y0, y1) = (a.min().x, b.max().x, a.min().y, a.max().y);
    let ring = LineString(vec![
        Coord { x: x0, y: y0 },
        Coord { x: x1, y: y0 },
        Coord { x: x1, y: y1 },
        Coord { x: x0, y: y1 },
        Coord { x: x0, y: y0 },
    ]);
    // Built empty and filled in: the ring is already counter-clockwise, so the re-orientation
    // `Obstacle::new` does would be wasted work on millions of squares.
    let mut o = Obstacle::new(class, MultiPolygon(vec![]));
    o.geometry = MultiPolygon(vec![Polygon::new(ring, vec![])]);
    o.source = Some(SourceRef {
        layer: layer.to_string(),
        record: row * spec.cols + col0 + 1,
    });
    o
}
