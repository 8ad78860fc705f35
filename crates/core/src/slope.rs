//! Slope in degrees from a DEM by Horn's method, as `gdaldem slope -compute_edges` computes it.
//!
//! For a cell with the 3 × 3 neighbourhood
//!
//! ```text
//!   z0 z1 z2
//!   z3 z4 z5        dz/dx = ((z0 + 2 z3 + z6) − (z2 + 2 z5 + z8)) / (8 · ew)
//!   z6 z7 z8        dz/dy = ((z6 + 2 z7 + z8) − (z0 + 2 z1 + z2)) / (8 · ns)
//! ```
//!
//! the slope is `atan(√(dz/dx² + dz/dy²))` in degrees, `ew` and `ns` being the cell's width and
//! height in metres (elevations are taken to be metres). Everything is computed in `f64`; gdaldem
//! reads the DEM as `f32` and sums the neighbourhood in `f32`, so it differs from this by up to
//! about 1e-3° on real terrain.
//!
//! **Edges and nodata**, exactly as GDAL's `GDALGeneric3x3Processing` with `-compute_edges`
//! (read from `apps/gdaldem_lib.cpp`):
//! * a missing row above the first row (below the last) is extrapolated linearly: `2·z(row 0) −
//!   z(row 1)`, column by column;
//! * in the first and last rows, a missing column left of the first (right of the last) is the
//!   centre column itself (GDAL clamps the column index there), so at the four corners the
//!   across-the-edge x-gradient is half the one-sided difference;
//! * in every other row a missing column is extrapolated linearly: `2·z(col 0) − z(col 1)`;
//! * an extrapolation from a nodata value is nodata; then every nodata neighbour (read or
//!   extrapolated) is replaced by the centre value;
//! * a nodata centre gives a nodata slope ([`SLOPE_NODATA`]);
//! * a grid with fewer than 2 rows or 2 columns gives nodata everywhere (as gdaldem does).
//!
//! Two small differences from GDAL, both deliberate: NaN is always treated as nodata (GDAL does so
//! only when the nodata value itself is NaN), and an extrapolated value that happens to equal the
//! nodata value is nudged by 3 `f32` epsilons as GDAL does, but in `f64`.
//!
//! **Geographic DEMs.** When the grid's coordinates are degrees ([`CrsKind::Geographic`]) each
//! row's cell size is converted to metres at the latitude of the row's centre on the CGCS2000
//! ellipsoid (WGS 84 differs by less than 1e-9 relative): `ns = M(φ)·Δφ`, `ew = N(φ)·cos φ·Δλ` with
//! the meridian radius `M = a(1−e²)/(1−e² sin²φ)^{3/2}` and the prime-vertical radius
//! `N = a/(1−e² sin²φ)^{1/2}` (see [`metres_per_degree`]). gdaldem instead takes one global factor
//! `-s` (111120 is the usual choice) for both directions; that ignores `cos φ`, so east-west
//! gradients come out `1/cos φ` too steep (15 % at 30°N), and it uses no ellipsoid. There is no
//! gdaldem option that reproduces this conversion; for a small DEM the closest is a metric copy of
//! the DEM at its centre latitude.
//!
//! ```
//! use tuban_core::raster::{CrsKind, GeoTransform, Grid};
//! use tuban_core::slope::horn;
//!
//! // A plane rising 1 m per metre eastwards, on 5 m cells: 45° everywhere except the corners.
//! let (cols, rows) = (4, 3);
//! let data = (0..rows).flat_map(|_| (0..cols).map(|c| 5.0 * c as f64)).collect();
//! let dem = Grid::new(GeoTransform::new(0.0, 15.0, 5.0, 5.0), cols, rows,
//!                     CrsKind::Projected, None, data).unwrap();
//! let s = horn(&dem);
//! assert!((s.value(1, 1).unwrap() - 45.0).abs() < 1e-12);
//! assert!((s.value(0, 1).unwrap() - 45.0).abs() < 1e-12); // left edge: extrapolated
//! // A corner: GDAL's clamped column halves the gradient, atan(0.5).
//! assert!((s.value(0, 0).unwrap() - 0.5f64.atan().to_degrees()).abs() < 1e-12);
//! ```

use crate::raster::{CrsKind, Grid, Window};

/// The value of a slope cell that could not be computed (nodata centre, or a grid too small).
pub const SLOPE_NODATA: f64 = -9999.0;

/// CGCS2000 semi-major axis, metres.
const A: f64 = 6_378_137.0;
/// CGCS2000 flattening.
const F: f64 = 1.0 / 298.257_222_101;

/// Metres per degree at geodetic latitude `lat_deg` on the CGCS2000 ellipsoid:
/// `(east-west along the parallel, north-south along the meridian)`.
///
/// ```
/// use tuban_core::slope::metres_per_degree;
/// let (ew, ns) = metres_per_degree(30.0);
/// assert!((ew - 96_486.28).abs() < 0.01, "{ew}");
/// assert!((ns - 110_852.44).abs() < 0.01, "{ns}");
/// ```
pub fn metres_per_degree(lat_deg: f64) -> (f64, f64) {
    let e2 = F * (2.0 - F);
    let phi = lat_deg.to_radians();
    let (s, c) = phi.sin_cos();
    let w2 = 1.0 - e2 * s * s;
    let n = A / w2.sqrt();
    let m = A * (1.0 - e2) / (w2 * w2.sqrt());
    let k = std::f64::consts::PI / 180.0;
    (n * c * k, m * k)
}

/// Slope in degrees of every cell of `dem` (see the module docs for the method, the edges and
/// nodata). The result has the same shape and georeferencing, nodata [`SLOPE_NODATA`].
pub fn horn(dem: &Grid) -> Grid {
    horn_window(dem, dem.spec().full_window())
}

/// Slope of the cells of `inner` (a window of `padded`, in `padded`'s cell indices), computed from
/// `padded`'s values.
///
/// This is the windowed form: read from the DEM the window you need grown by one cell on every side
/// (cut at the DEM's borders, e.g. with [`Window::grown`]), pass it as `padded` and the wanted
/// window relative to it as `inner`, and the result equals the slope of the whole DEM at those
/// cells: neighbours come from the margin, and only where `padded` ends at a border of the DEM are
/// they extrapolated, exactly as for the whole DEM.
///
/// ```
/// use tuban_core::raster::{CrsKind, GeoTransform, Grid, Window};
/// use tuban_core::slope::{horn, horn_window};
///
/// let data = (0..30).map(|i| ((i * 37) % 11) as f64).collect();
/// let dem = Grid::new(GeoTransform::new(0.0, 50.0, 10.0, 10.0), 6, 5,
///                     CrsKind::Projected, None, data).unwrap();
/// let want = Window::new(2, 0, 3, 2);
/// let padded = want.grown(1, dem.cols, dem.rows);
/// let s = horn_window(&dem.sub_grid(&padded), want.relative_to(&padded));
/// assert_eq!(s, horn(&dem).sub_grid(&want));
/// ```
///
/// # Panics
/// If `inner` reaches outside `padded`.
pub fn horn_window(padded: &Grid, inner: Window) -> Grid {
    horn_masked(padded, inner, None)
}

/// As [`horn_window`], computing only the cells of `inner` whose entry in `mask` (row-major over
/// `inner`) is true; the others are [`SLOPE_NODATA`].
///
/// # Panics
/// If `inner` reaches outside `padded`, or `mask` is not `inner.cols × inner.rows` long.
pub fn horn_masked(padded: &Grid, inner: Window, mask: Option<&[bool]>) -> Grid {
    assert!(
        padded.spec().full_window().contains(&inner),
        "window {inner:?} outside a {} × {} grid",
        padded.cols,
        padded.rows
    );
    if let Some(m) = mask {
        assert_eq!(m.len(), inner.len(), "mask length");
    }
    let mut out = vec![SLOPE_NODATA; inner.len()];
    let (nc, nr) = (padded.cols, padded.rows);
    if nc >= 2 && nr >= 2 && !inner.is_empty() {
        fill(padded, inner, mask, &mut out);
    }
    Grid {
        transform: padded.transform.shifted(inner.col0, inner.row0),
        cols: inner.cols,
        rows: inner.rows,
        nodata: Some(SLOPE_NODATA),
        crs_kind: padded.crs_kind,
        data: out,
    }
}

/// GDAL's `INTERPOL`: linear extrapolation `2a − b`, nodata if either is.
#[inline]
fn extrapolate(a: f64, b: f64, nd: f64) -> f64 {
    if a.is_nan() || b.is_nan() || a == nd || b == nd {
        return f64::NAN;
    }
    let v = 2.0 * a - b;
    if v == nd {
        v * (1.0 + 3.0 * f32::EPSILON as f64)
    } else {
        v
    }
}

fn fill(src: &Grid, inner: Window, mask: Option<&[bool]>, out: &mut [f64]) {
    let (nc, nr) = (src.cols, src.rows);
    // NaN never equals anything, so with no nodata value only NaN counts as missing.
    let nd = src.nodata.unwrap_or(f64::NAN);
    let t = &src.transform;
    let (proj_ew, proj_ns) = (t.cell_width, t.cell_height);
    // Scratch for a virtual row above the first or below the last (allocated once per call).
    let mut virt = vec![0.0; nc];
    for r in inner.row0..inner.row_end() {
        let mid = src.row(r);
        let (up, dn, edge_row): (&[f64], &[f64], bool) = if r == 0 {
            let below = src.row(1);
            for (v, (&a, &b)) in virt.iter_mut().zip(mid.iter().zip(below)) {
                *v = extrapolate(a, b, nd);
            }
            (&virt, below, true)
        } else if r == nr - 1 {
            let above = src.row(r - 1);
            for (v, (&a, &b)) in virt.iter_mut().zip(mid.iter().zip(above)) {
                *v = extrapolate(a, b, nd);
            }
            (above, &virt, true)
        } else {
            (src.row(r - 1), src.row(r + 1), false)
        };
        let (ew, ns) = match src.crs_kind {
            CrsKind::Projected => (proj_ew, proj_ns),
            CrsKind::Geographic => {
                let lat = t.y0 - (r as f64 + 0.5) * t.cell_height;
                let (kx, ky) = metres_per_degree(lat);
                (t.cell_width * kx, t.cell_height * ky)
            }
        };
        let kx = 1.0 / (8.0 * ew);
        let ky = 1.0 / (8.0 * ns);
        let orow = (r - inner.row0) * inner.cols;
        let out_row = &mut out[orow..orow + inner.cols];
        let mask_row = mask.map(|m| &m[orow..orow + inner.cols]);
        for c in inner.col0..inner.col_end() {
            let oc = c - inner.col0;
            if let Some(m) = mask_row {
                if !m[oc] {
                    continue;
                }
            }
            let z4 = mid[c];
            if z4.is_nan() || z4 == nd {
                continue;
            }
            let (z0, z1, z2, z3, z5, z6, z7, z8);
            z1 = up[c];
            z7 = dn[c];
            if c > 0 && c + 1 < nc {
                z0 = up[c - 1];
                z2 = up[c + 1];
                z3 = mid[c - 1];
                z5 = mid[c + 1];
                z6 = dn[c - 1];
                z8 = dn[c + 1];
            } else if c == 0 {
                z2 = up[1];
                z5 = mid[1];
                z8 = dn[1];
                if edge_row {
                    (z0, z3, z6) = (z1, z4, z7);
                } else {
                    z0 = extrapolate(up[0], up[1], nd);
                    z3 = extrapolate(mid[0], mid[1], nd);
                    z6 = extrapolate(dn[0], dn[1], nd);
                }
            } else {
                z0 = up[c - 1];
                z3 = mid[c - 1];
                z6 = dn[c - 1];
                if edge_row {
                    (z2, z5, z8) = (z1, z4, z7);
                } else {
                    z2 = extrapolate(up[c], up[c - 1], nd);
                    z5 = extrapolate(mid[c], mid[c - 1], nd);
                    z8 = extrapolate(dn[c], dn[c - 1], nd);
                }
            }
            let fix = |z: f64| if z.is_nan() || z == nd { z4 } else { z };
            let (z0, z1, z2, z3, z5, z6, z7, z8) = (
                fix(z0),
                fix(z1),
                fix(z2),
                fix(z3),
                fix(z5),
                fix(z6),
                fix(z7),
                fix(z8),
            );
            let dx = ((z0 + z3 + z3 + z6) - (z2 + z5 + z5 + z8)) * kx;
            let dy = ((z6 + z7 + z7 + z8) - (z0 + z1 + z1 + z2)) * ky;
            out_row[oc] = (dx * dx + dy * dy).sqrt().atan().to_degrees();
        }
    }
}
