//! Horn slope of real DEMs read from GeoTIFF, against an independent float64 numpy computation
//! and against `gdaldem slope -compute_edges`.
//!
//! Reference data: crates/core/tests/data/slope/, made by horn_reference.py there (see its
//! docstring for the commands; summary.json holds the whole-raster maxima it measured).

use std::path::{Path, PathBuf};

use tuban_core::raster::{CrsKind, Window};
use tuban_core::slope::{horn, horn_window, SLOPE_NODATA};
use tuban_io::geotiff::Dem;

fn slope_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/data/slope")
        .join(name)
}

fn fixture_dem() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erping/dem.tif")
}

fn parse(s: &str) -> Option<f64> {
    (s != "nan").then(|| s.parse().unwrap())
}

/// (col, row, numpy, gdaldem) for the sampled cells of the fixture DEM.
fn fixture_sample() -> Vec<(usize, usize, Option<f64>, Option<f64>)> {
    let text = std::fs::read_to_string(slope_data("fixture_slope_sample.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                parse(f[2]),
                parse(f[3]),
            )
        })
        .collect()
}

#[test]
fn fixture_slope_matches_numpy_to_1e9_and_gdaldem_to_1e3() {
    let dem = Dem::open(fixture_dem()).unwrap();
    let s = horn(&dem.read_all().unwrap());
    let sample = fixture_sample();
    assert!(sample.len() > 5000, "{}", sample.len());
    let (mut max_np, mut max_gd, mut edges, mut nodata) = (0.0f64, 0.0f64, 0, 0);
    for (c, r, np, gd) in sample {
        let v = s.value(c, r);
        assert_eq!(v.is_none(), np.is_none(), "nodata at ({c},{r})");
        assert_eq!(v.is_none(), gd.is_none(), "gdaldem nodata at ({c},{r})");
        if let (Some(v), Some(np), Some(gd)) = (v, np, gd) {
            max_np = max_np.max((v - np).abs());
            max_gd = max_gd.max((v - gd).abs());
        } else {
            assert_eq!(s.data[r * s.cols + c], SLOPE_NODATA);
            nodata += 1;
        }
        if c == 0 || r == 0 || c == 799 || r == 799 {
            edges += 1;
        }
    }
    println!("max |tuban − numpy| = {max_np:e}°, max |tuban − gdaldem| = {max_gd:e}°");
    assert_eq!(edges, 4 * 800 - 4);
    assert_eq!(nodata, 15);
    assert!(max_np < 1e-9, "{max_np}");
    assert!(max_gd < 1e-3, "{max_gd}");
}

#[test]
fn geographic_slope_matches_numpy_to_1e9() {
    let dem = Dem::open(slope_data("geo_dem.tif")).unwrap();
    assert_eq!(dem.spec().crs_kind, CrsKind::Geographic);
    let s = horn(&dem.read_all().unwrap());
    let bytes = std::fs::read(slope_data("geo_slope.f64")).unwrap();
    let want: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(want.len(), s.data.len());
    let mut max = 0.0f64;
    let mut nodata = 0;
    for (v, w) in s.data.iter().zip(&want) {
        if w.is_nan() {
            assert_eq!(*v, SLOPE_NODATA);
            nodata += 1;
        } else {
            max = max.max((v - w).abs());
        }
    }
    println!("geographic: max |tuban − numpy| = {max:e}°");
    assert_eq!(nodata, 5);
    assert!(max < 1e-9, "{max}");
}

#[test]
fn windows_read_with_a_margin_equal_the_whole_dem() {
    let dem = Dem::open(fixture_dem()).unwrap();
    let whole = horn(&dem.read_all().unwrap());
    let spec = dem.spec();
    // Windows at the corners and edges, across strip borders, around the nodata cells
    // (rows 337-339, columns 501-504), and single cells.
    let windows = [
        Window::new(0, 0, 40, 30),
        Window::new(760, 770, 40, 30),
        Window::new(0, 400, 1, 17),
        Window::new(799, 15, 1, 2),
        Window::new(495, 330, 15, 15),
        Window::new(300, 799, 100, 1),
        Window::new(123, 456, 1, 1),
    ];
    for w in windows {
        let padded = w.grown(1, spec.cols, spec.rows);
        let grid = dem
            .read_window(padded.col0, padded.row0, padded.cols, padded.rows)
            .unwrap();
        let got = horn_window(&grid, w.relative_to(&padded));
        assert_eq!(got, whole.sub_grid(&w), "{w:?}");
    }
}
