//! # tuban-synth
//!
//! Synthetic data sets shaped like the Erping fixture (`fixtures/erping/`), from one patch to
//! millions, for benchmarks: rectification patches, a DLTB land-use layer that tiles the land
//! around them (about five polygons per patch), grave points, road centre lines, a 5 m DEM, and
//! a `tuban.toml` that runs them.
//!
//! ```no_run
//! use tuban_synth::{generate, SynthOptions};
//! let summary = generate(&SynthOptions::new(10_000, "/tmp/synth10k".into()))?;
//! println!("{summary}");
//! # Ok::<(), tuban_synth::SynthError>(())
//! ```
//!
//! ## What is written
//!
//! | file | what | fields |
//! |---|---|---|
//! | `patches.shp` | N polygons: star-shaped outlines of 10–35 vertices, log-uniform 52–5800 m² (shrunk to fit their 89 m slot), 3 % with a hole, 3 % in two parts; never touching | `XH` N10, `TBBH` C20, `QSDWMC` C60 |
//! | `dltb.shp` | about 5 N polygons tiling the world exactly (jittered 40 m quad mesh with shared vertices, strips of road and ridge), the fixture's code mix | `BSM` C18, `TBBH` C8, `DLBM` C5, `DLMC` C60, `QSDWMC` C60, `TBMJ` N15.2 (ellipsoidal m², within a cent of the survey formula) |
//! | `graves.shp` | about 1.7 N points in clusters, inside patches, across their boundaries and elsewhere | `BSM` C18, `SL` N4, `QSDWMC` C60 |
//! | `roads.shp` | centre lines: road stretches of the strips, rural roads, field paths (KD 0.8) | `KD` N6.2, `DLBM` C5, `MC` C60 |
//! | `dem.tif` | 5 m Float32 GeoTIFF covering the world and 20 m around it (so every patch), tiled 256 × 256, deflate with the floating-point predictor, GeoKeys of the CRS, GDAL_NODATA −9999 | |
//! | `tuban.toml` | the project: all four layers, the DEM, ellipsoidal areas, outputs in `out/` | |
//!
//! Every shapefile has a `.shx`, a GBK `.dbf` (language driver 0x4D) with a `.cpg` saying `GBK`,
//! and a `.prj` with the ESRI WKT of the CRS. Coordinates are rounded to the millimetre; outer
//! rings run clockwise, holes counter-clockwise.
//!
//! ## Layout, memory and speed
//!
//! Each patch has a square slot of 8000 m² (five land-use cells); the slots fill a near-square
//! world of `ceil(√N)` columns, from north to south. Everything is a pure function of the seed,
//! N and the position (see the `world` module), so the generator makes the layers in units — a
//! row of slots, a band of eight mesh rows, one DEM tile — on every core (rayon's current pool),
//! and writes them in order, one batch being made while the previous one is written. Memory stays
//! at a few batches (tens of MB) whatever N; the DEM is never whole in memory either.
//!
//! The DEM covers the whole world, so it grows with N: about 320 cells per patch (1.3 kB raw,
//! about half that compressed). A classic TIFF and a shapefile both stop at 4 GiB; past that
//! (roughly 3 million patches for `dltb.shp`) [`generate`] fails with [`SynthError::TooLarge`].
//! Set [`SynthOptions::dem`] to false to skip the DEM.
//!
//! The same seed and N give byte-identical files, whatever the number of threads.
//!
//! ## Modules and the data between them
//!
//! ```text
//! SynthOptions (N, seed, CRS) ──► world::World: where everything is, pure functions of the
//!                                 seed and the position (rng: stateless randomness;
//!                                 terrain: hills and the noise land use follows)
//!   ├─ layers: one unit (a row of slots, a band of mesh rows) ──► shp::Chunk (shapes + rows)
//!   │            ──► shp::LayerWriter (streams .shp/.shx/.dbf, headers patched at the end;
//!   │                every byte laid out by tuban_io::shp::encode)
//!   └─ world: DEM heights of a tile ──► tiff::TiffWriter (tiled, deflate) ──► dem.tif
//! generate(): runs the units on rayon's pool, writes them in order ──► SynthSummary
//! ```
#![warn(missing_docs)]

mod layers;
mod rng;
mod shp;
mod terrain;
mod tiff;
mod world;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use thiserror::Error;
use tuban_core::crs::Crs;

use crate::shp::{LayerWriter, ShapeType};
use crate::tiff::{encode_tile, RasterSpec, TiffWriter, TILE};
use crate::world::World;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Number of patches (at least 1).
    pub patches: u64,
    /// Output folder (created if missing; files of the same names in it are replaced).
    pub out: PathBuf,
    /// The seed: the same seed and patch count give the same files.
    pub seed: u64,
    /// Write `dem.tif` (and a `[dem]` section in `tuban.toml`).
    pub dem: bool,
    /// The CRS: a CGCS2000 Gauss-Kruger zone (default EPSG:4544, CM 105°E). The world lies about
    /// 100 km east of the central meridian near 29.8°N, as the fixture.
    pub crs: Crs,
}

/// The seed of the Erping fixture, used by default.
pub const DEFAULT_SEED: u64 = 20230720;

impl SynthOptions {
    /// `patches` patches into `out`, with the default seed, a DEM and EPSG:4544.
    pub fn new(patches: u64, out: PathBuf) -> Self {
        SynthOptions {
            patches,
            out,
            seed: DEFAULT_SEED,
            dem: true,
            crs: Crs::from_epsg(4544).expect("EPSG:4544 is built in"),
        }
    }
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions::new(1000, PathBuf::from("synth"))
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    /// Records written per layer.
    pub patches: u64,
    /// Land-use polygons.
    pub dltb: u64,
    /// Grave points.
    pub graves: u64,
    /// Road centre lines.
    pub roads: u64,
    /// The world rectangle `[min_x, min_y, max_x, max_y]`; the land-use layer tiles it exactly.
    pub extent: [f64; 4],
    /// The DEM's columns and rows, if one was written.
    pub dem: Option<(usize, usize)>,
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// The project file.
    pub project: PathBuf,
    /// Total bytes written.
    pub bytes: u64,
    /// How long it took.
    pub elapsed: Duration,
}

impl fmt::Display for SynthSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.extent;
        writeln!(
            f,
            "patches {}, dltb {}, graves {}, roads {}",
            self.patches, self.dltb, self.graves, self.roads
        )?;
        writeln!(
            f,
            "extent x {:.0}..{:.0}, y {:.0}..{:.0} ({:.1} × {:.1} km)",
            e[0],
            e[2],
            e[1],
            e[3],
            (e[2] - e[0]) / 1000.0,
            (e[3] - e[1]) / 1000.0
        )?;
        if let Some((c, r)) = self.dem {
            writeln!(f, "dem {c} × {r} cells of 5 m")?;
        }
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "wrote {} files, {:.1} MB, in {:.2} s ({:.0} patches/s); project {}",
            self.files.len(),
            self.bytes as f64 / 1e6,
            secs,
            self.patches as f64 / secs.max(1e-9),
            self.project.display()
        )
    }
}

/// Why [`generate`] failed.
#[derive(Debug, Error)]
pub enum SynthError {
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The options cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// A file would pass a format's size limit.
    #[error("{0}")]
    TooLarge(String),
}

impl SynthError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        SynthError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Makes units `0..units` on the current rayon pool in batches and hands them to `sink` in
/// order, writing one batch while the next is made.
fn stream<T: Send>(
    units: u64,
    make: impl Fn(u64) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), SynthError> + Send,
) -> Result<(), SynthError> {
    let batch = (2 * rayon::current_num_threads() as u64).max(2);
    let mut pending: Vec<T> = Vec::new();
    let mut next = 0;
    loop {
        let end = (next + batch).min(units);
        let range = next..end;
        let (made, wrote) = rayon::join(
            || range.into_par_iter().map(&make).collect::<Vec<T>>(),
            || -> Result<(), SynthError> {
                for t in pending.drain(..) {
                    sink(t)?;
                }
                Ok(())
            },
        );
        wrote?;
        if made.is_empty() {
            return Ok(());
        }
        pending = made;
        next = end;
    }
}

/// Generates the data set of `opts` (see the crate docs), on the current rayon pool.
pub fn generate(opts: &SynthOptions) -> Result<SynthSummary, SynthError> {
    let start = Instant::now();
    if opts.patches == 0 {
        return Err(SynthError::Invalid(
            "the number of patches must be at least 1".into(),
        ));
    }
    let fe = match opts.crs {
        Crs::GaussKruger { prefixed, zone, .. } => {
            500_000.0 + if prefixed { f64::from(zone) * 1e6 } else { 0.0 }
        }
        other => {
            return Err(SynthError::Invalid(format!(
                "{other}: synthetic data is made in a CGCS2000 Gauss-Kruger zone (EPSG:4491-4554), e.g. EPSG:4544"
            )))
        }
    };
    let side = (opts.patches as f64).sqrt().ceil() * world::SLOT;
    if side > 640_000.0 {
        return Err(SynthError::TooLarge(format!(
            "{} patches need a world {:.0} km wide, more than a Gauss-Kruger zone holds",
            opts.patches,
            side / 1000.0
        )));
    }
    let x0 = (fe + 99_000.0).min(fe + 330_000.0 - side);
    let world = World::new(opts.seed, opts.patches, x0, 3_302_000.0, opts.crs);
    std::fs::create_dir_all(&opts.out).map_err(|e| SynthError::io(&opts.out, e))?;
    let prj = opts.crs.to_esri_wkt();
    let base = |name: &str| opts.out.join(name);
    let mut files = Vec::new();
    let rows = world.sh;

    // Patches, by row of slots.
    let mut w = LayerWriter::create(
        &base("patches"),
        ShapeType::Polygon,
        &layers::PATCH_FIELDS,
        None,
        &prj,
    )?;
    stream(rows, |r| world.patch_row(r), |c| w.write(c))?;
    let patches = w.finish()?;
    // Land use, by bands of eight mesh rows from the north.
    let nrows = world.nrows();
    let bands = nrows.div_ceil(8) as u64;
    let mut w = LayerWriter::create(
        &base("dltb"),
        ShapeType::Polygon,
        &layers::DLTB_FIELDS,
        Some(layers::DLTB_SERIAL),
        &prj,
    )?;
    stream(
        bands,
        |b| {
            let j1 = nrows - 8 * b as usize;
            world.dltb_band(j1.saturating_sub(8), j1)
        },
        |c| w.write(c),
    )?;
    let dltb = w.finish()?;
    let mut w = LayerWriter::create(
        &base("graves"),
        ShapeType::Point,
        &layers::GRAVE_FIELDS,
        Some(layers::GRAVE_SERIAL),
        &prj,
    )?;
    stream(rows, |r| world.grave_row(r), |c| w.write(c))?;
    let graves = w.finish()?;
    let mut w = LayerWriter::create(
        &base("roads"),
        ShapeType::PolyLine,
        &layers::ROAD_FIELDS,
        None,
        &prj,
    )?;
    stream(rows, |r| world.road_row(r), |c| w.write(c))?;
    let roads = w.finish()?;
    for name in ["patches", "dltb", "graves", "roads"] {
        for ext in std::iter::once("shp").chain(tuban_io::shp::COMPANIONS) {
            files.push(base(&format!("{name}.{ext}")));
        }
    }

    let dem = if opts.dem {
        let spec = dem_spec(&world, opts.crs.epsg());
        write_dem(&world, spec, &base("dem.tif"))?;
        files.push(base("dem.tif"));
        Some((spec.cols, spec.rows))
    } else {
        None
    };

    let project = base("tuban.toml");
    std::fs::write(&project, project_toml(opts)).map_err(|e| SynthError::io(&project, e))?;
    files.push(project.clone());
    let bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    Ok(SynthSummary {
        patches,
        dltb,
        graves,
        roads,
        extent: [world.x0, world.y0, world.x0 + world.w, world.y0 + world.h],
        dem,
        files,
        project,
        bytes,
        elapsed: start.elapsed(),
    })
}

/// The DEM: 5 m cells on a 5 m grid, covering the world and 20 m around it.
fn dem_spec(world: &World, epsg: u32) -> RasterSpec {
    let cell = 5.0;
    let x0 = ((world.x0 - 20.0) / cell).floor() * cell;
    let x1 = ((world.x0 + world.w + 20.0) / cell).ceil() * cell;
    let y0 = ((world.y0 - 20.0) / cell).floor() * cell;
    let y1 = ((world.y0 + world.h + 20.0) / cell).ceil() * cell;
    RasterSpec {
        cols: ((x1 - x0) / cell).round() as usize,
        rows: ((y1 - y0) / cell).round() as usize,
        x0,
        y0: y1,
        cell,
        epsg: epsg as u16,
        nodata: -9999.0,
    }
}

fn write_dem(world: &World, spec: RasterSpec, path: &Path) -> Result<(), SynthError> {
    let across = spec.tiles_across();
    let tiles = (across * spec.tiles_down()) as u64;
    let mut w = TiffWriter::create(path, spec)?;
    stream(
        tiles,
        |t| {
            let (tr, tc) = (t as usize / across, t as usize % across);
            let mut v = vec![spec.nodata; TILE * TILE];
            let c0 = tc * TILE;
            let r0 = tr * TILE;
            let cols = TILE.min(spec.cols - c0);
            let rows = TILE.min(spec.rows - r0);
            let mut buf = vec![0f32; cols * rows];
            world.terrain.fill(
                spec.x0 + c0 as f64 * spec.cell,
                spec.y0 - r0 as f64 * spec.cell,
                spec.cell,
                cols,
                rows,
                &mut buf,
            );
            for r in 0..rows {
                v[r * TILE..r * TILE + cols].copy_from_slice(&buf[r * cols..(r + 1) * cols]);
            }
            encode_tile(&v)
        },
        |data| w.tile(&data),
    )?;
    w.finish()?;
    Ok(())
}

fn project_toml(opts: &SynthOptions) -> String {
    let mut s = format!(
        "# tuban project for a synthetic data set: {} patches, seed {}, made by tuban-synth\n\
         # (`tuban synth --patches {} --out DIR`). Paths are relative to this file.\n\
         area_method = \"ellipsoidal\"\n\
         outputs = [\"out/synth.csv\"]\n\
         villages = \"out/synth_villages.csv\"\n\
         overwrite = true\n\
         \n\
         [patches]\n\
         path = \"patches.shp\"\n\
         id_field = \"TBBH\"\n\
         village_field = \"QSDWMC\"\n\
         \n\
         [landuse]\n\
         path = \"dltb.shp\"\n\
         \n\
         [graves]\n\
         path = \"graves.shp\"\n\
         radius_m = 2.0\n\
         count_field = \"SL\"\n\
         \n\
         [roads]\n\
         path = \"roads.shp\"\n\
         width_field = \"KD\"\n\
         min_width_m = 1.0\n",
        opts.patches, opts.seed, opts.patches
    );
    if opts.dem {
        s.push_str("\n[dem]\npath = \"dem.tif\"\nthreshold_deg = 25.0\n");
    }
    s
}
