//! Horn slope: analytic surfaces, GDAL's edge and nodata rules, geographic cell sizes, and the
//! windowed form. (Comparisons with numpy and gdaldem on real DEMs are in
//! crates/io/tests/geotiff_slope.rs, which can read GeoTIFFs.)

use tuban_core::raster::{CrsKind, GeoTransform, Grid, Window};
use tuban_core::slope::{horn, horn_masked, horn_window, metres_per_degree, SLOPE_NODATA};

fn grid(cols: usize, rows: usize, w: f64, h: f64, f: impl Fn(usize, usize) -> f64) -> Grid {
    let data = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| (c, r)))
        .map(|(c, r)| f(c, r))
        .collect();
    Grid::new(
        GeoTransform::new(600000.0, 3304000.0, w, h),
        cols,
        rows,
        CrsKind::Projected,
        Some(-9999.0),
        data,
    )
    .unwrap()
}

fn deg(t: f64) -> f64 {
    t.atan().to_degrees()
}

/// A deterministic pseudo-random terrain with some nodata cells.
fn terrain(cols: usize, rows: usize, kind: CrsKind) -> Grid {
    let mut s: u64 = 0x9E3779B97F4A7C15;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut data = Vec::with_capacity(cols * rows);
    for r in 0..rows {
        for c in 0..cols {
            let z = 300.0 + 3.0 * c as f64 - 1.5 * r as f64 + 20.0 * next();
            data.push(if next() < 0.03 { -9999.0 } else { z });
        }
    }
    let (w, h, x0, y0) = match kind {
        CrsKind::Projected => (5.0, 5.0, 600000.0, 3304000.0),
        CrsKind::Geographic => (1.0 / 3600.0, 1.0 / 3600.0, 106.0, 29.9),
    };
    Grid::new(
        GeoTransform::new(x0, y0, w, h),
        cols,
        rows,
        kind,
        Some(-9999.0),
        data,
    )
    .unwrap()
}

#[test]
fn inclined_plane_is_exact_everywhere_but_the_corners() {
    // z rises 0.3 m per metre eastwards and 0.4 m per metre northwards (rows go south).
    let (a, b) = (0.3, 0.4);
    let (w, h) = (5.0, 4.0);
    let g = grid(7, 6, w, h, |c, r| a * w * c as f64 - b * h * r as f64);
    let s = horn(&g);
    let full = deg(0.5);
    for r in 0..6 {
        for c in 0..7 {
            let v = s.value(c, r).unwrap();
            let corner = (r == 0 || r == 5) && (c == 0 || c == 6);
            // At the corners GDAL clamps the column, so the x-gradient is halved.
            let want = if corner {
                deg((a / 2.0f64).hypot(b))
            } else {
                full
            };
            assert!((v - want).abs() < 1e-12, "({c},{r}): {v} vs {want}");
        }
    }
}

#[test]
fn flat_ground_has_zero_slope_and_edges_are_computed() {
    let s = horn(&grid(4, 3, 5.0, 5.0, |_, _| 212.5));
    assert!(s.data.iter().all(|&v| v == 0.0), "{:?}", s.data);
    assert_eq!(s.nodata, Some(SLOPE_NODATA));
    assert_eq!(
        s.transform,
        GeoTransform::new(600000.0, 3304000.0, 5.0, 5.0)
    );
}

#[test]
fn nodata_centre_gives_nodata_and_nodata_neighbours_take_the_centre_value() {
    // z = x on 1 m cells; the right neighbour of (1, 1) is missing.
    let mut g = grid(4, 3, 1.0, 1.0, |c, _| c as f64);
    g.data[4 + 2] = -9999.0;
    let s = horn(&g);
    assert_eq!(s.data[4 + 2], SLOPE_NODATA);
    assert_eq!(s.value(2, 1), None);
    // At (1, 1): z5 := z4 = 1, so dx = ((0 + 0 + 0) − (2 + 2·1 + 2)) / 8 = −0.75.
    assert!((s.value(1, 1).unwrap() - deg(0.75)).abs() < 1e-12);
    // At (3, 1) (right edge, a middle row): z3 is missing, := z4 = 3; the extrapolated
    // z5 = 2·z(3) − z(2) comes from a missing cell, := 3 too; z2 = z8 = 2·3 − 2 = 4, z0 = z6 = 2:
    // dx = ((2 + 2·3 + 2) − (4 + 2·3 + 4)) / 8 = −0.5, dy = 0.
    assert!((s.value(3, 1).unwrap() - deg(0.5)).abs() < 1e-12);
    // NaN is missing too, even when the grid has another nodata value.
    let mut g = grid(3, 3, 1.0, 1.0, |c, _| c as f64);
    g.data[4] = f64::NAN;
    assert_eq!(horn(&g).value(1, 1), None);
}

#[test]
fn extrapolation_from_a_nodata_cell_takes_the_centre_value() {
    // Top row: the virtual row above (0, 1) is 2·z(1,0) − z(1,1); make z(1,1) missing.
    let mut g = grid(3, 3, 1.0, 1.0, |c, r| c as f64 + 10.0 * r as f64);
    g.data[4] = -9999.0;
    let s = horn(&g);
    // Cell (1, 0): up = [2z(c,0) − z(c,1)] = [−10, nd, −8] → [−10, 1, −8];
    // mid = [0, 1, 2]; down = [10, nd, 12] → [10, 1, 12].
    let (z0, z1, z2, z3, z5, z6, z7, z8): (f64, f64, f64, f64, f64, f64, f64, f64) =
        (-10.0, 1.0, -8.0, 0.0, 2.0, 10.0, 1.0, 12.0);
    let dx = ((z0 + 2.0 * z3 + z6) - (z2 + 2.0 * z5 + z8)) / 8.0;
    let dy = ((z6 + 2.0 * z7 + z8) - (z0 + 2.0 * z1 + z2)) / 8.0;
    let want = deg((dx * dx + dy * dy).sqrt());
    assert!((s.value(1, 0).unwrap() - want).abs() < 1e-12);
}

#[test]
fn grids_thinner_than_two_cells_are_nodata() {
    for (c, r) in [(1, 5), (5, 1), (1, 1)] {
        let s = horn(&grid(c, r, 1.0, 1.0, |c, r| (c * r) as f64));
        assert!(s.data.iter().all(|&v| v == SLOPE_NODATA));
    }
    let s = horn(&grid(2, 2, 1.0, 1.0, |c, _| c as f64));
    assert!(
        s.data.iter().all(|&v| (v - deg(0.5)).abs() < 1e-12),
        "{:?}",
        s.data
    );
}

#[test]
fn metres_per_degree_matches_the_ellipsoid_radii() {
    let a = 6378137.0f64;
    let f = 1.0 / 298.257222101;
    let e2 = f * (2.0 - f);
    let k = std::f64::consts::PI / 180.0;
    let (ew, ns) = metres_per_degree(0.0);
    assert!((ew - a * k).abs() < 1e-6);
    assert!((ns - a * (1.0 - e2) * k).abs() < 1e-6);
    let (ew, ns) = metres_per_degree(90.0);
    assert!(ew.abs() < 1e-6);
    assert!((ns - a / (1.0 - e2).sqrt() * k).abs() < 1e-6);
    // Near Erping: a degree of latitude is 110.85 km, of longitude 96.63 km (worked by hand).
    let (ew, ns) = metres_per_degree(29.85);
    assert!((ew - 96_631.05).abs() < 0.01, "{ew}");
    assert!((ns - 110_849.92).abs() < 0.01, "{ns}");
}

#[test]
fn geographic_cells_are_converted_at_each_rows_latitude() {
    let d = 1.0 / 3600.0;
    let (x0, y0) = (106.0, 30.5);
    for east in [true, false] {
        // 2 m per cell eastwards, or 2 m per cell southwards.
        let data = (0..40)
            .flat_map(|r| (0..5).map(move |c| 2.0 * if east { c } else { r } as f64))
            .collect();
        let g = Grid::new(
            GeoTransform::new(x0, y0, d, d),
            5,
            40,
            CrsKind::Geographic,
            None,
            data,
        )
        .unwrap();
        let s = horn(&g);
        for r in 1..39 {
            let lat = y0 - (r as f64 + 0.5) * d;
            let (kx, ky) = metres_per_degree(lat);
            let size = if east { kx * d } else { ky * d };
            let want = deg(2.0 / size);
            let v = s.value(2, r).unwrap();
            assert!((v - want).abs() < 1e-12, "row {r}: {v} vs {want}");
        }
    }
}

#[test]
fn windowed_slope_equals_the_whole_dem() {
    for kind in [CrsKind::Projected, CrsKind::Geographic] {
        let dem = terrain(37, 23, kind);
        let whole = horn(&dem);
        let windows = [
            Window::new(0, 0, 37, 23),
            Window::new(0, 0, 1, 1),
            Window::new(36, 22, 1, 1),
            Window::new(0, 10, 5, 3),
            Window::new(30, 0, 7, 23),
            Window::new(12, 7, 9, 11),
            Window::new(20, 22, 10, 1),
            Window::new(5, 5, 1, 1),
        ];
        for w in windows {
            let padded = w.grown(1, dem.cols, dem.rows);
            let got = horn_window(&dem.sub_grid(&padded), w.relative_to(&padded));
            let want = whole.sub_grid(&w);
            assert_eq!((got.cols, got.rows), (w.cols, w.rows));
            let (gt, wt) = (got.transform, want.transform);
            assert!((gt.x0 - wt.x0).abs() <= 1e-9 * wt.x0.abs(), "{w:?}");
            assert!((gt.y0 - wt.y0).abs() <= 1e-9 * wt.y0.abs(), "{w:?}");
            assert_eq!(
                (gt.cell_width, gt.cell_height),
                (wt.cell_width, wt.cell_height)
            );
            for (i, (a, b)) in got.data.iter().zip(&want.data).enumerate() {
                match kind {
                    CrsKind::Projected => assert_eq!(a, b, "{w:?} cell {i}"),
                    // The row's latitude comes from a different corner: round-off only.
                    CrsKind::Geographic => assert!((a - b).abs() < 1e-12, "{w:?} cell {i}"),
                }
            }
        }
    }
}

#[test]
fn masked_cells_are_skipped_and_the_others_unchanged() {
    let dem = terrain(12, 9, CrsKind::Projected);
    let w = Window::new(2, 1, 6, 5);
    let mask: Vec<bool> = (0..w.len()).map(|i| i % 3 != 0).collect();
    let got = horn_masked(&dem, w, Some(&mask));
    let want = horn(&dem).sub_grid(&w);
    for (i, &m) in mask.iter().enumerate() {
        if m {
            assert_eq!(got.data[i], want.data[i]);
        } else {
            assert_eq!(got.data[i], SLOPE_NODATA);
        }
    }
}

#[test]
fn grid_helpers() {
    let g = grid(10, 8, 5.0, 5.0, |c, r| (c + r) as f64);
    let spec = g.spec();
    assert_eq!(spec.cell_containing(600000.0, 3304000.0), Some((0, 0)));
    assert_eq!(spec.cell_containing(600049.999, 3303960.001), Some((9, 7)));
    assert_eq!(spec.cell_containing(600050.0, 3303990.0), None);
    assert_eq!(spec.cell_containing(599999.9, 3303990.0), None);
    let e = spec.extent();
    assert_eq!(
        (e.min().x, e.min().y, e.max().x, e.max().y),
        (600000.0, 3303960.0, 600050.0, 3304000.0)
    );
    // A rectangle on cell edges meets only the cells inside it.
    let r = geo::Rect::new(
        geo::coord! { x: 600010.0, y: 3303980.0 },
        geo::coord! { x: 600020.0, y: 3303990.0 },
    );
    assert_eq!(spec.window_meeting(&r), Some(Window::new(2, 2, 2, 2)));
    // One reaching outside is cut to the grid; one wholly outside meets nothing.
    let r = geo::Rect::new(
        geo::coord! { x: 599000.0, y: 3303000.0 },
        geo::coord! { x: 600001.0, y: 3303961.0 },
    );
    assert_eq!(spec.window_meeting(&r), Some(Window::new(0, 7, 1, 1)));
    let r = geo::Rect::new(
        geo::coord! { x: 599000.0, y: 3303000.0 },
        geo::coord! { x: 599999.0, y: 3303961.0 },
    );
    assert_eq!(spec.window_meeting(&r), None);
    assert!(Grid::new(
        GeoTransform::new(0.0, 0.0, 1.0, -1.0),
        1,
        1,
        CrsKind::Projected,
        None,
        vec![0.0]
    )
    .is_err());
    assert!(Grid::new(
        GeoTransform::new(0.0, 0.0, 1.0, 1.0),
        2,
        2,
        CrsKind::Projected,
        None,
        vec![0.0]
    )
    .is_err());
    // Serde round trip.
    let json = serde_json::to_string(&g).unwrap();
    let back: Grid = serde_json::from_str(&json).unwrap();
    assert_eq!(back, g);
}
