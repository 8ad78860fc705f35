//! GeoTIFF DEMs: the header at open, then any window of cells decoded on demand.
//!
//! [`Dem::open`] reads only the file's first image directory: size, sample type, storage layout
//! (strips or tiles), georeferencing and nodata. [`Dem::read_window`] then decodes only the strips
//! or tiles that a window of cells touches, converts them to `f64` and returns a
//! [`tuban_core::raster::Grid`]. Decoded chunks are kept in a small cache (64 MiB of `f64`), so
//! neighbouring windows that share a chunk decode it once; reads from several threads proceed in
//! parallel, each with its own decoder.
//!
//! What is read:
//! * single-band rasters of Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32 or Float64, stored in
//!   strips or tiles, uncompressed or compressed with anything the `tiff` crate decodes (deflate,
//!   LZW, PackBits, ZSTD, …), with or without a horizontal or floating-point predictor;
//! * the georeferencing from ModelPixelScale + ModelTiepoint, or ModelTransformation; north-up
//!   only: a rotated or sheared raster, or one georeferenced by ground control points, is refused
//!   (warp it first with `gdalwarp`);
//! * PixelIsArea or PixelIsPoint (GTRasterTypeGeoKey): for PixelIsPoint the tiepoint is the centre
//!   of the first pixel, so the grid's corner is moved half a cell up and left, as GDAL does;
//! * the nodata value from the GDAL_NODATA tag (42113); for Float32 rasters it is rounded to `f32`
//!   so that it matches the stored values; NaN cells are always missing;
//! * the CRS from the GeoKeyDirectory: ProjectedCSTypeGeoKey (3072) or GeographicTypeGeoKey (2048)
//!   as [`Dem::epsg`] (`None` for a user-defined CRS), and whether coordinates are metres or degrees
//!   (GTModelTypeGeoKey). Linear units other than metres, angular units other than degrees, and a
//!   file without GeoKeys are refused: tuban cannot tell the cell size in metres then.
//!
//! Elevations are taken to be metres; a scale or offset in GDAL metadata is not applied. Every
//! error names the file and says what to do; a damaged or truncated file gives an error, never a
//! panic.
//!
//! ```
//! use tuban_core::raster::CrsKind;
//! use tuban_io::geotiff::Dem;
//!
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/erping/dem.tif");
//! let dem = Dem::open(path)?; // e.g. "fixtures/erping/dem.tif"
//! assert_eq!(dem.epsg(), Some(4544));
//! let spec = dem.spec();
//! assert_eq!((spec.cols, spec.rows, spec.crs_kind), (800, 800, CrsKind::Projected));
//! assert_eq!(spec.transform.cell_width, 5.0);
//! let window = dem.read_window(100, 200, 50, 40)?; // decodes only the strips it needs
//! assert_eq!((window.cols, window.rows), (50, 40));
//! let slope = tuban_core::slope::horn(&window);
//! assert!(slope.data.iter().all(|&s| (0.0..90.0).contains(&s)));
//! # Ok::<(), tuban_io::geotiff::DemError>(())
//! ```

use std::collections::HashMap;
use std::fs::File;

mod open;
use std::io::{BufReader, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use geo::Rect;
use tiff::decoder::{ChunkType, Decoder, DecodingResult};
use tiff::{TiffError, TiffFormatError};
use tuban_core::raster::{DemSource, Grid, GridSpec, Window};

/// Why a DEM could not be opened or read. The `Display` names the file and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemError {
    /// The operating system refused to open or read the file.
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a TIFF.
    #[error(
        "{}: not a TIFF file ({detail}); the DEM must be a GeoTIFF: convert it with \
         `gdal_translate -of GTiff IN OUT.tif`",
        path.display()
    )]
    NotTiff {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        detail: String,
    },
    /// The raster is a kind tuban does not read (several bands, an odd sample type, …).
    #[error("{}: {what}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is not supported and how to convert the file.
        what: String,
    },
    /// The georeferencing is missing, or is not a north-up grid in metres or degrees.
    #[error("{}: {what}", path.display())]
    Georeferencing {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        what: String,
    },
    /// The file ends before the data its header points to.
    #[error(
        "{}: the file is truncated or damaged ({detail}); copy or export it again",
        path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Which part is missing.
        detail: String,
    },
    /// A strip or tile could not be decoded.
    #[error(
        "{}: cannot decode the raster ({detail}); the file may be damaged: check it with \
         `gdalinfo -checksum`, or rewrite it with `gdal_translate -co COMPRESS=DEFLATE`",
        path.display()
    )]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        detail: String,
    },
    /// A window reaching outside the raster was asked for.
    #[error(
        "{}: the window of {} × {} cells at column {}, row {} reaches outside the {cols} × {rows} raster",
        path.display(), window.cols, window.rows, window.col0, window.row0
    )]
    Window {
        /// The file.
        path: PathBuf,
        /// The window asked for.
        window: Window,
        /// Raster columns.
        cols: usize,
        /// Raster rows.
        rows: usize,
    },
}

impl DemError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            DemError::Io { path, .. }
            | DemError::NotTiff { path, .. }
            | DemError::Unsupported { path, .. }
            | DemError::Georeferencing { path, .. }
            | DemError::Truncated { path, .. }
            | DemError::Decode { path, .. }
            | DemError::Window { path, .. } => path,
        }
    }
}

/// The type of the stored samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleType {
    /// Unsigned 8-bit integer.
    U8,
    /// Signed 8-bit integer.
    I8,
    /// Unsigned 16-bit integer.
    U16,
    /// Signed 16-bit integer.
    I16,
    /// Unsigned 32-bit integer.
    U32,
    /// Signed 32-bit integer.
    I32,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
}

type TiffDecoder = Decoder<BufReader<File>>;

/// Decoded chunks kept for reuse, up to a number of cells.
#[derive(Default)]
struct ChunkCache {
    chunks: HashMap<u32, (Arc<Vec<f64>>, u64)>,
    cells: usize,
    clock: u64,
}

const CACHE_CELLS: usize = 8 << 20; // 64 MiB of f64

impl ChunkCache {
    fn get(&mut self, index: u32) -> Option<Arc<Vec<f64>>> {
        self.clock += 1;
        let clock = self.clock;
        self.chunks.get_mut(&index).map(|(data, used)| {
            *used = clock;
            Arc::clone(data)
        })
    }

    fn put(&mut self, index: u32, data: Arc<Vec<f64>>) {
        if data.len() > CACHE_CELLS / 4 {
            return;
        }
        self.clock += 1;
        while self.cells + data.len() > CACHE_CELLS {
            // Evict the least recently used chunk (the cache holds at most a few hundred).
            let Some((&old, _)) = self.chunks.iter().min_by_key(|(_, (_, used))| *used) else {
                break;
            };
            if let Some((d, _)) = self.chunks.remove(&old) {
                self.cells -= d.len();
            }
        }
        self.cells += data.len();
        if let Some((d, _)) = self.chunks.insert(index, (data, self.clock)) {
            self.cells -= d.len();
        }
    }
}

/// A GeoTIFF DEM opened for reading windows (see the module docs).
pub struct Dem {
    path: PathBuf,
    spec: GridSpec,
    epsg: Option<u32>,
    sample_type: SampleType,
    pixel_is_point: bool,
    chunk_type: ChunkType,
    chunk_cols: usize,
    chunk_rows: usize,
    chunks_across: usize,
    decoders: Mutex<Vec<TiffDecoder>>,
    cache: Mutex<ChunkCache>,
}

impl std::fmt::Debug for Dem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dem")
            .field("path", &self.path)
            .field("spec", &self.spec)
            .field("epsg", &self.epsg)
            .field("sample_type", &self.sample_type)
            .field("pixel_is_point", &self.pixel_is_point)
            .field("chunk_type", &self.chunk_type)
            .field("chunk", &(self.chunk_cols, self.chunk_rows))
            .finish()
    }
}

fn new_decoder(path: &Path) -> Result<TiffDecoder, DemError> {
    let file = File::open(path).map_err(|source| DemError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    // The tiff crate should return errors on bad input; a panic on some malformed file is caught
    // and reported like one.
    catch_unwind(AssertUnwindSafe(|| Decoder::new(BufReader::new(file))))
        .map_err(|p| DemError::Decode {
            path: path.to_path_buf(),
            detail: format!("the decoder failed on the header: {}", panic_text(&p)),
        })?
        .map_err(|e| match e {
            TiffError::FormatError(
                TiffFormatError::TiffSignatureNotFound | TiffFormatError::TiffSignatureInvalid,
            ) => DemError::NotTiff {
                path: path.to_path_buf(),
                detail: e.to_string(),
            },
            other => tiff_error(path, other, "reading the header"),
        })
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown error".into())
}

fn tiff_error(path: &Path, e: TiffError, doing: &str) -> DemError {
    match e {
        TiffError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => DemError::Truncated {
            path: path.to_path_buf(),
            detail: format!("end of file while {doing}"),
        },
        TiffError::IoError(source) => DemError::Io {
            path: path.to_path_buf(),
            source,
        },
        TiffError::UnsupportedError(u) => DemError::Unsupported {
            path: path.to_path_buf(),
            what: format!(
                "{u} (while {doing}); rewrite the DEM with `gdal_translate -co COMPRESS=DEFLATE IN OUT.tif`"
            ),
        },
        other => DemError::Decode {
            path: path.to_path_buf(),
            detail: format!("{other} while {doing}"),
        },
    }
}

impl Dem {
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Size, georeferencing, nodata and units of the whole raster.
    pub fn spec(&self) -> GridSpec {
        self.spec
    }

    /// The EPSG code of the CRS (ProjectedCSTypeGeoKey or GeographicTypeGeoKey), or `None` if the
    /// file describes a user-defined CRS.
    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// The type of the stored samples.
    pub fn sample_type(&self) -> SampleType {
        self.sample_type
    }

    /// True if the file says PixelIsPoint (its corner was then shifted half a cell on reading).
    pub fn pixel_is_point(&self) -> bool {
        self.pixel_is_point
    }

    /// Whether the data is stored in strips or tiles.
    pub fn is_tiled(&self) -> bool {
        self.chunk_type == ChunkType::Tile
    }

    /// The size `(cols, rows)` of a storage chunk: a strip (the full width) or a tile.
    pub fn chunk_shape(&self) -> (usize, usize) {
        (self.chunk_cols, self.chunk_rows)
    }

    /// The whole raster. Prefer [`Dem::read_window`] on large files.
    pub fn read_all(&self) -> Result<Grid, DemError> {
        self.read(self.spec.full_window())
    }

    /// The cells of columns `col0 .. col0 + cols` and rows `row0 .. row0 + rows`, decoding only the
    /// strips or tiles they touch. The grid is georeferenced to its own top-left cell.
    pub fn read_window(
        &self,
        col0: usize,
        row0: usize,
        cols: usize,
        rows: usize,
    ) -> Result<Grid, DemError> {
        self.read(Window::new(col0, row0, cols, rows))
    }

    /// The cells whose interior meets the rectangle `r` (in the DEM's CRS), or `None` if it misses
    /// the raster.
    pub fn read_rect(&self, r: &Rect<f64>) -> Result<Option<Grid>, DemError> {
        match self.spec.window_meeting(r) {
            Some(w) => self.read(w).map(Some),
            None => Ok(None),
        }
    }

    /// The cells of `window`.
    pub fn read(&self, window: Window) -> Result<Grid, DemError> {
        if !self.spec.full_window().contains(&window) {
            return Err(DemError::Window {
                path: self.path.clone(),
                window,
                cols: self.spec.cols,
                rows: self.spec.rows,
            });
        }
        let mut data: Vec<f64> = Vec::new();
        if data.try_reserve_exact(window.len()).is_err() {
            return Err(DemError::Unsupported {
                path: self.path.clone(),
                what: format!(
                    "a window of {} × {} cells does not fit in memory; read smaller windows",
                    window.cols, window.rows
                ),
            });
        }
        data.resize(window.len(), 0.0);
        if !window.is_empty() {
            let (cw, ch) = (self.chunk_cols, self.chunk_rows);
            let (cx0, cx1) = match self.chunk_type {
                ChunkType::Strip => (0, 0),
                ChunkType::Tile => (window.col0 / cw, (window.col_end() - 1) / cw),
            };
            for cy in window.row0 / ch..=(window.row_end() - 1) / ch {
                for cx in cx0..=cx1 {
                    let index = (cy * self.chunks_across + cx) as u32;
                    let chunk = self.chunk(index)?;
                    // The chunk's data (without padding) covers these cells:
                    let chunk_cols = match self.chunk_type {
                        ChunkType::Strip => self.spec.cols,
                        ChunkType::Tile => cw.min(self.spec.cols - cx * cw),
                    };
                    let chunk_win = Window::new(
                        cx * cw,
                        cy * ch,
                        chunk_cols,
                        ch.min(self.spec.rows - cy * ch),
                    );
                    let Some(part) = chunk_win.intersection(&window) else {
                        continue;
                    };
                    if chunk.len() < chunk_win.len() {
                        return Err(DemError::Truncated {
                            path: self.path.clone(),
                            detail: format!(
                                "data chunk {index} holds {} values instead of {}",
                                chunk.len(),
                                chunk_win.len()
                            ),
                        });
                    }
                    for r in part.row0..part.row_end() {
                        let src =
                            (r - chunk_win.row0) * chunk_win.cols + (part.col0 - chunk_win.col0);
                        let dst = (r - window.row0) * window.cols + (part.col0 - window.col0);
                        data[dst..dst + part.cols].copy_from_slice(&chunk[src..src + part.cols]);
                    }
                }
            }
        }
        Ok(Grid {
            transform: self.spec.transform.shifted(window.col0, window.row0),
            cols: window.cols,
            rows: window.rows,
            nodata: self.spec.nodata,
            crs_kind: self.spec.crs_kind,
            data,
        })
    }

    /// One decoded chunk, from the cache or the file.
    fn chunk(&self, index: u32) -> Result<Arc<Vec<f64>>, DemError> {
        if let Some(c) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(index)
        {
            return Ok(c);
        }
        let pooled = self
            .decoders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let mut d = match pooled {
            Some(d) => d,
            None => new_decoder(&self.path)?,
        };
        let result = match catch_unwind(AssertUnwindSafe(|| d.read_chunk(index))) {
            Ok(r) => {
                r.map_err(|e| tiff_error(&self.path, e, &format!("decoding data chunk {index}")))
            }
            Err(p) => Err(DemError::Decode {
                path: self.path.clone(),
                detail: format!(
                    "the decoder failed on data chunk {index}: {}",
                    panic_text(&p)
                ),
            }),
        };
        // A decoder that failed may be left in any state: drop it; keep one that succeeded.
        let decoded = result?;
        self.decoders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(d);
        let values = Arc::new(to_f64(decoded));
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(index, Arc::clone(&values));
        Ok(values)
    }
}

fn to_f64(r: DecodingResult) -> Vec<f64> {
    fn conv<T: Copy + Into<f64>>(v: Vec<T>) -> Vec<f64> {
        v.into_iter().map(Into::into).collect()
    }
    match r {
        DecodingResult::U8(v) => conv(v),
        DecodingResult::I8(v) => conv(v),
        DecodingResult::U16(v) => conv(v),
        DecodingResult::I16(v) => conv(v),
        DecodingResult::U32(v) => conv(v),
        DecodingResult::I32(v) => conv(v),
        DecodingResult::F32(v) => conv(v),
        DecodingResult::F64(v) => v,
        DecodingResult::F16(v) => v.into_iter().map(f64::from).collect(),
        // Refused at open; kept exact where f64 can be.
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f64).collect(),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f64).collect(),
    }
}

impl DemSource for Dem {
    fn grid_spec(&self) -> GridSpec {
        self.spec
    }

    fn read_window(&self, window: Window) -> Result<Grid, String> {
        self.read(window).map_err(|e| e.to_string())
    }

    fn chunk_shape(&self) -> (usize, usize) {
        (self.chunk_cols, self.chunk_rows)
    }
}
