//! Plain `f64` rasters: a north-up grid of cells, its georeferencing, and windows of it.
//!
//! A [`Grid`] is what a DEM reader hands over (a window of the file, decoded to `f64`) and what
//! [`crate::slope`] returns. It is deliberately simple: a north-up [`GeoTransform`] (top-left corner,
//! positive cell width and height; rotated or sheared rasters are refused by the readers), the
//! number of columns and rows, an optional nodata value, the values row-major from the top row,
//! and whether coordinates are metres ([`CrsKind::Projected`]) or degrees
//! ([`CrsKind::Geographic`]).
//!
//! Cell `(col, row)` covers `x0 + col·w ≤ x ≤ x0 + (col+1)·w` and `y0 − (row+1)·h ≤ y ≤ y0 − row·h`.
//!
//! ```
//! use geo::{coord, Rect};
//! use tuban_core::raster::{CrsKind, GeoTransform, Grid, Window};
//!
//! // 3 × 2 cells of 5 m, top-left corner at (600000, 3304010).
//! let g = Grid::new(
//!     GeoTransform::new(600000.0, 3304010.0, 5.0, 5.0),
//!     3, 2, CrsKind::Projected, Some(-9999.0),
//!     vec![1.0, 2.0, 3.0,
//!          4.0, -9999.0, 6.0],
//! ).unwrap();
//! assert_eq!(g.value(2, 1), Some(6.0));
//! assert_eq!(g.value(1, 1), None); // nodata
//! assert_eq!(g.spec().cell_containing(600007.0, 3304001.0), Some((1, 1)));
//! let cell = g.spec().cell_bounds(1, 1);
//! assert_eq!((cell.min().x, cell.max().y), (600005.0, 3304005.0));
//! // The cells a rectangle meets:
//! let r = Rect::new(coord! { x: 600004.0, y: 3304006.0 }, coord! { x: 600006.0, y: 3304009.0 });
//! assert_eq!(g.spec().window_meeting(&r), Some(Window::new(0, 0, 2, 1)));
//! ```

use geo::{Coord, Rect};
use serde::{Deserialize, Serialize};

/// Whether a grid's coordinates are metres (a projected CRS) or degrees (a geographic CRS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrsKind {
    /// Projected: x, y and cell sizes in metres (e.g. CGCS2000 Gauss-Kruger, EPSG:4544).
    Projected,
    /// Geographic: x = longitude, y = latitude, cell sizes in degrees (e.g. EPSG:4490).
    Geographic,
}

/// A north-up affine georeference: the top-left corner of cell (0, 0) and the cell size.
///
/// Both sizes are positive; `y` decreases downwards (row `r` lies below row `r − 1`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoTransform {
    /// x of the left edge of column 0.
    pub x0: f64,
    /// y of the top edge of row 0.
    pub y0: f64,
    /// Cell width (x extent of a column), > 0.
    pub cell_width: f64,
    /// Cell height (y extent of a row), > 0.
    pub cell_height: f64,
}

impl GeoTransform {
    /// A transform from the top-left corner and the (positive) cell width and height.
    pub fn new(x0: f64, y0: f64, cell_width: f64, cell_height: f64) -> Self {
        GeoTransform {
            x0,
            y0,
            cell_width,
            cell_height,
        }
    }

    /// The closed square of cell `(col, row)` (the indices need not lie inside any grid).
    pub fn cell_bounds(&self, col: usize, row: usize) -> Rect<f64> {
        Rect::new(
            Coord {
                x: self.x0 + col as f64 * self.cell_width,
                y: self.y0 - (row + 1) as f64 * self.cell_height,
            },
            Coord {
                x: self.x0 + (col + 1) as f64 * self.cell_width,
                y: self.y0 - row as f64 * self.cell_height,
            },
        )
    }

    /// The centre of cell `(col, row)`.
    pub fn cell_centre(&self, col: usize, row: usize) -> Coord<f64> {
        Coord {
            x: self.x0 + (col as f64 + 0.5) * self.cell_width,
            y: self.y0 - (row as f64 + 0.5) * self.cell_height,
        }
    }

    /// The (possibly negative, unbounded) column and row of the cell containing `(x, y)`: a point
    /// on a shared edge belongs to the cell to its right / below.
    pub fn cell_of(&self, x: f64, y: f64) -> (i64, i64) {
        (
            ((x - self.x0) / self.cell_width).floor() as i64,
            ((self.y0 - y) / self.cell_height).floor() as i64,
        )
    }

    /// The transform of a window whose top-left cell is `(col0, row0)` of this one.
    pub fn shifted(&self, col0: usize, row0: usize) -> GeoTransform {
        GeoTransform {
            x0: self.x0 + col0 as f64 * self.cell_width,
            y0: self.y0 - row0 as f64 * self.cell_height,
            ..*self
        }
    }
}

/// A rectangle of cells: columns `col0 .. col0 + cols`, rows `row0 .. row0 + rows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// First column.
    pub col0: usize,
    /// First row.
    pub row0: usize,
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
}

impl Window {
    /// A window of `cols × rows` cells whose top-left cell is `(col0, row0)`.
    pub fn new(col0: usize, row0: usize, cols: usize, rows: usize) -> Self {
        Window {
            col0,
            row0,
            cols,
            rows,
        }
    }

    /// One past the last column.
    pub fn col_end(&self) -> usize {
        self.col0 + self.cols
    }

    /// One past the last row.
    pub fn row_end(&self) -> usize {
        self.row0 + self.rows
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cols * self.rows
    }

    /// True if the window has no cells.
    pub fn is_empty(&self) -> bool {
        self.cols == 0 || self.rows == 0
    }

    /// True if every cell of `other` is in this window.
    pub fn contains(&self, other: &Window) -> bool {
        other.col0 >= self.col0
            && other.row0 >= self.row0
            && other.col_end() <= self.col_end()
            && other.row_end() <= self.row_end()
    }

    /// The smallest window holding both (an empty window counts for nothing).
    pub fn union(&self, other: &Window) -> Window {
        if self.is_empty() {
            return *other;
        }
        if other.is_empty() {
            return *self;
        }
        let col0 = self.col0.min(other.col0);
        let row0 = self.row0.min(other.row0);
        Window {
            col0,
            row0,
            cols: self.col_end().max(other.col_end()) - col0,
            rows: self.row_end().max(other.row_end()) - row0,
        }
    }

    /// The cells in both, or `None` if they share none.
    pub fn intersection(&self, other: &Window) -> Option<Window> {
        let col0 = self.col0.max(other.col0);
        let row0 = self.row0.max(other.row0);
        let col_end = self.col_end().min(other.col_end());
        let row_end = self.row_end().min(other.row_end());
        (col0 < col_end && row0 < row_end).then(|| Window {
            col0,
            row0,
            cols: col_end - col0,
            rows: row_end - row0,
        })
    }

    /// The window grown by `margin` cells on every side, cut to a grid of `cols × rows` cells.
    pub fn grown(&self, margin: usize, cols: usize, rows: usize) -> Window {
        let col0 = self.col0.saturating_sub(margin);
        let row0 = self.row0.saturating_sub(margin);
        let col_end = (self.col_end() + margin).min(cols);
        let row_end = (self.row_end() + margin).min(rows);
        Window {
            col0,
            row0,
            cols: col_end.saturating_sub(col0),
            rows: row_end.saturating_sub(row0),
        }
    }

    /// This window's position relative to `outer`'s top-left cell (`outer` must contain it).
    pub fn relative_to(&self, outer: &Window) -> Window {
        debug_assert!(outer.contains(self), "{self:?} not inside {outer:?}");
        Window {
            col0: self.col0 - outer.col0,
            row0: self.row0 - outer.row0,
            ..*self
        }
    }
}

/// A grid's shape and georeferencing without its values: what a reader knows after the header.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// Where cell (0, 0) is and how big cells are.
    pub transform: GeoTransform,
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
    /// The value that marks a missing cell, if any (NaN is always treated as missing too).
    pub nodata: Option<f64>,
    /// Metres or degrees.
    pub crs_kind: CrsKind,
}

impl GridSpec {
    /// The whole grid as a window.
    pub fn full_window(&self) -> Window {
        Window::new(0, 0, self.cols, self.rows)
    }

    /// The grid's extent.
    pub fn extent(&self) -> Rect<f64> {
        let t = &self.transform;
        Rect::new(
            Coord {
                x: t.x0,
                y: t.y0 - self.rows as f64 * t.cell_height,
            },
            Coord {
                x: t.x0 + self.cols as f64 * t.cell_width,
                y: t.y0,
            },
        )
    }

    /// The closed square of cell `(col, row)`.
    pub fn cell_bounds(&self, col: usize, row: usize) -> Rect<f64> {
        self.transform.cell_bounds(col, row)
    }

    /// The cell containing `(x, y)`, or `None` outside the grid. A point on an edge shared by two
    /// cells belongs to the right / lower one; on the grid's right or bottom border it is outside.
    pub fn cell_containing(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (c, r) = self.transform.cell_of(x, y);
        (c >= 0 && r >= 0 && (c as usize) < self.cols && (r as usize) < self.rows)
            .then_some((c as usize, r as usize))
    }

    /// The cells whose interior meets the rectangle `r` (cut to the grid), or `None` if there are
    /// none. Round-off can only add a cell that merely touches `r`, never drop one it overlaps.
    pub fn window_meeting(&self, r: &Rect<f64>) -> Option<Window> {
        let t = &self.transform;
        let fc0 = ((r.min().x - t.x0) / t.cell_width).floor();
        let fc1 = ((r.max().x - t.x0) / t.cell_width).ceil();
        let fr0 = ((t.y0 - r.max().y) / t.cell_height).floor();
        let fr1 = ((t.y0 - r.min().y) / t.cell_height).ceil();
        if !(fc0.is_finite() && fc1.is_finite() && fr0.is_finite() && fr1.is_finite()) {
            return None;
        }
        let clamp = |v: f64, n: usize| v.max(0.0).min(n as f64) as usize;
        let (c0, c1) = (clamp(fc0, self.cols), clamp(fc1, self.cols));
        let (r0, r1) = (clamp(fr0, self.rows), clamp(fr1, self.rows));
        (c0 < c1 && r0 < r1).then(|| Window::new(c0, r0, c1 - c0, r1 - r0))
    }
}

/// A raster of `f64` values: [`GridSpec`] plus the data, row-major from the top row.
///
/// Build one by hand with [`Grid::new`] (which checks the shape) or fill the public fields directly;
/// readers return them for windows of a file. Serializable with serde (NaN values do not survive
/// JSON; use a nodata value instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Where cell (0, 0) of this grid is and how big cells are.
    pub transform: GeoTransform,
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
    /// The value that marks a missing cell, if any (NaN is always treated as missing too).
    pub nodata: Option<f64>,
    /// Metres or degrees.
    pub crs_kind: CrsKind,
    /// `cols × rows` values, row-major from the top row: cell `(c, r)` is `data[r * cols + c]`.
    pub data: Vec<f64>,
}

/// Why a [`Grid`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// `data.len()` is not `cols × rows`.
    #[error("the grid has {cols} × {rows} cells but {len} values")]
    Shape {
        /// Columns.
        cols: usize,
        /// Rows.
        rows: usize,
        /// Number of values given.
        len: usize,
    },
    /// A cell size is not a positive finite number, or the corner is not finite.
    #[error(
        "bad georeferencing: corner ({x0}, {y0}), cell {cell_width} × {cell_height} (sizes must be \
         positive, the raster north-up)"
    )]
    Transform {
        /// Corner x.
        x0: f64,
        /// Corner y.
        y0: f64,
        /// Cell width.
        cell_width: f64,
        /// Cell height.
        cell_height: f64,
    },
}

impl Grid {
    /// A grid, checking that `data` has `cols × rows` values and the transform is north-up with
    /// positive finite cell sizes.
    pub fn new(
        transform: GeoTransform,
        cols: usize,
        rows: usize,
        crs_kind: CrsKind,
        nodata: Option<f64>,
        data: Vec<f64>,
    ) -> Result<Grid, GridError> {
        let t = &transform;
        if !(t.x0.is_finite()
            && t.y0.is_finite()
            && t.cell_width.is_finite()
            && t.cell_height.is_finite()
            && t.cell_width > 0.0
            && t.cell_height > 0.0)
        {
            return Err(GridError::Transform {
                x0: t.x0,
                y0: t.y0,
                cell_width: t.cell_width,
                cell_height: t.cell_height,
            });
        }
        if cols.checked_mul(rows) != Some(data.len()) {
            return Err(GridError::Shape {
                cols,
                rows,
                len: data.len(),
            });
        }
        Ok(Grid {
            transform,
            cols,
            rows,
            nodata,
            crs_kind,
            data,
        })
    }

    /// The shape and georeferencing, without the values.
    pub fn spec(&self) -> GridSpec {
        GridSpec {
            transform: self.transform,
            cols: self.cols,
            rows: self.rows,
            nodata: self.nodata,
            crs_kind: self.crs_kind,
        }
    }

    /// True if `v` marks a missing value here: NaN, or equal to the nodata value.
    #[inline]
    pub fn is_nodata(&self, v: f64) -> bool {
        v.is_nan() || Some(v) == self.nodata
    }

    /// The value of cell `(col, row)`, or `None` if it is missing or outside the grid.
    pub fn value(&self, col: usize, row: usize) -> Option<f64> {
        if col >= self.cols || row >= self.rows {
            return None;
        }
        let v = self.data[row * self.cols + col];
        (!self.is_nodata(v)).then_some(v)
    }

    /// One row of values.
    ///
    /// # Panics
    /// If `row >= rows`.
    pub fn row(&self, row: usize) -> &[f64] {
        &self.data[row * self.cols..(row + 1) * self.cols]
    }

    /// A copy of the cells of `window` (which must lie inside the grid) as a grid of its own.
    ///
    /// # Panics
    /// If the window reaches outside the grid.
    pub fn sub_grid(&self, window: &Window) -> Grid {
        assert!(
            self.spec().full_window().contains(window),
            "window {window:?} outside a {} × {} grid",
            self.cols,
            self.rows
        );
        let mut data = Vec::with_capacity(window.len());
        for r in window.row0..window.row_end() {
            data.extend_from_slice(&self.row(r)[window.col0..window.col_end()]);
        }
        Grid {
            transform: self.transform.shifted(window.col0, window.row0),
            cols: window.cols,
            rows: window.rows,
            nodata: self.nodata,
            crs_kind: self.crs_kind,
            data,
        }
    }
}

/// Something that can hand out windows of a DEM: a GeoTIFF reader (`tuban_io::geotiff::Dem`), or a
/// [`Grid`] already in memory.
///
/// `Sync` so that [`crate::steep::steep_obstacles`] can read blocks from several threads.
pub trait DemSource: Sync {
    /// The whole DEM's shape and georeferencing.
    fn grid_spec(&self) -> GridSpec;

    /// The cells of `window` (inside the DEM), decoded to `f64`, as a grid georeferenced to the
    /// window's top-left cell. The error is a message for the user (it names the file).
    fn read_window(&self, window: Window) -> Result<Grid, String>;

    /// The shape `(cols, rows)` of the file's storage chunks (strips or tiles), so that callers can
    /// read in blocks aligned to them. Default: 256 × 256.
    fn chunk_shape(&self) -> (usize, usize) {
        (256, 256)
    }
}

impl DemSource for Grid {
    fn grid_spec(&self) -> GridSpec {
        self.spec()
    }

    fn read_window(&self, window: Window) -> Result<Grid, String> {
        if !self.spec().full_window().contains(&window) {
            return Err(format!(
                "window {window:?} reaches outside the {} × {} grid",
                self.cols, self.rows
            ));
        }
        Ok(self.sub_grid(&window))
    }
}
