//! The GeoTIFF DEM reader against what GDAL (rasterio) reads in the same files.
//!
//! The files and their expected values are made by tests/data/geotiff/make_fixtures.py (each
//! file's gdal_translate command is in expected.json).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tuban_core::raster::{CrsKind, DemSource, Window};
use tuban_io::geotiff::{Dem, DemError, SampleType};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/geotiff")
        .join(name)
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("expected.json")).unwrap()).unwrap()
}

/// GDAL's values of a file, as f64.
fn gdal_values(e: &Value) -> Vec<f64> {
    let bytes = std::fs::read(data(e["values"].as_str().unwrap())).unwrap();
    match e["dtype"].as_str().unwrap() {
        "int16" => bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]) as f64)
            .collect(),
        "uint16" => bytes
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as f64)
            .collect(),
        "int32" => bytes
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes(b.try_into().unwrap()) as f64)
            .collect(),
        "float32" => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()) as f64)
            .collect(),
        "float64" => bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect(),
        other => panic!("dtype {other}"),
    }
}

const READABLE: [(&str, SampleType); 5] = [
    ("int16_tiled_deflate.tif", SampleType::I16),
    ("float64_strips_lzw.tif", SampleType::F64),
    ("uint16_point.tif", SampleType::U16),
    ("int32_tiled.tif", SampleType::I32),
    ("float32_tiled_pred3.tif", SampleType::F32),
];

#[test]
fn header_matches_gdal() {
    let exp = expected();
    for (name, sample) in READABLE {
        let e = &exp[name];
        let dem = Dem::open(data(name)).unwrap();
        let s = dem.spec();
        assert_eq!(s.cols as u64, e["width"].as_u64().unwrap(), "{name}");
        assert_eq!(s.rows as u64, e["height"].as_u64().unwrap(), "{name}");
        // GDAL reports the corner of the first pixel, also for PixelIsPoint files.
        assert_eq!(s.transform.x0, e["x0"].as_f64().unwrap(), "{name}");
        assert_eq!(s.transform.y0, e["y0"].as_f64().unwrap(), "{name}");
        assert_eq!(s.transform.cell_width, e["cell_width"].as_f64().unwrap());
        assert_eq!(s.transform.cell_height, e["cell_height"].as_f64().unwrap());
        assert_eq!(s.nodata, e["nodata"].as_f64(), "{name}");
        assert_eq!(dem.epsg().map(u64::from), e["epsg"].as_u64(), "{name}");
        assert_eq!(s.crs_kind, CrsKind::Projected);
        assert_eq!(dem.sample_type(), sample, "{name}");
        assert_eq!(dem.is_tiled(), e["tiled"].as_bool().unwrap(), "{name}");
        let block = &e["block"];
        assert_eq!(
            dem.chunk_shape(),
            (
                block[0].as_u64().unwrap() as usize,
                block[1].as_u64().unwrap() as usize
            ),
            "{name}"
        );
        assert_eq!(
            dem.pixel_is_point(),
            e["area_or_point"].as_str() == Some("Point"),
            "{name}"
        );
    }
}

#[test]
fn values_match_gdal_whole_and_by_window() {
    let exp = expected();
    for (name, _) in READABLE {
        let e = &exp[name];
        let want = gdal_values(e);
        let dem = Dem::open(data(name)).unwrap();
        let all = dem.read_all().unwrap();
        assert_eq!(all.data, want, "{name}");
        assert_eq!(all.transform, dem.spec().transform);
        let (cols, rows) = (dem.spec().cols, dem.spec().rows);
        // Windows across chunk borders, at the edges, single cells, empty.
        let windows = [
            Window::new(0, 0, 1, 1),
            Window::new(cols - 1, rows - 1, 1, 1),
            Window::new(3, 2, cols - 5, rows - 4),
            Window::new(cols / 2, 0, cols - cols / 2, rows),
            Window::new(0, rows / 3, cols, 2),
            Window::new(1, 1, 0, 0),
        ];
        for w in windows {
            let g = dem.read_window(w.col0, w.row0, w.cols, w.rows).unwrap();
            assert_eq!((g.cols, g.rows), (w.cols, w.rows));
            for r in 0..w.rows {
                for c in 0..w.cols {
                    assert_eq!(
                        g.data[r * w.cols + c],
                        want[(w.row0 + r) * cols + w.col0 + c],
                        "{name} {w:?} ({c},{r})"
                    );
                }
            }
            assert_eq!(g.transform, dem.spec().transform.shifted(w.col0, w.row0));
        }
        // Through the DemSource trait too.
        let g = DemSource::read_window(&dem, Window::new(1, 2, 3, 4)).unwrap();
        assert_eq!(g.data[0], want[2 * cols + 1]);
    }
}

#[test]
fn the_int16_tiled_deflate_dem_reads_as_rasterio_and_counts_its_nodata() {
    let e = &expected()["int16_tiled_deflate.tif"];
    assert!(e["command"].as_str().unwrap().contains("-ot Int16"));
    assert!(e["command"].as_str().unwrap().contains("COMPRESS=DEFLATE"));
    let dem = Dem::open(data("int16_tiled_deflate.tif")).unwrap();
    let g = dem.read_all().unwrap();
    let want = gdal_values(e);
    assert_eq!(g.data, want);
    assert_eq!(dem.chunk_shape(), (64, 64));
    // 200 × 150 in 64 × 64 tiles: the right and bottom tiles are partial.
    assert_eq!(g.data.len(), 200 * 150);
    let sum: f64 = g.data.iter().sum();
    assert_eq!(sum, want.iter().sum::<f64>());
}

#[test]
fn float_nodata_cells_are_seen() {
    let dem = Dem::open(data("float64_strips_lzw.tif")).unwrap();
    let g = dem.read_all().unwrap();
    let missing = g.data.iter().filter(|&&v| g.is_nodata(v)).count();
    assert_eq!(missing, 12);
}

#[test]
fn the_geographic_dem_is_in_degrees() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/slope/geo_dem.tif");
    let dem = Dem::open(&p).unwrap();
    assert_eq!(dem.epsg(), Some(4490));
    let s = dem.spec();
    assert_eq!(s.crs_kind, CrsKind::Geographic);
    assert_eq!((s.cols, s.rows), (160, 120));
    assert_eq!((s.transform.x0, s.transform.y0), (106.02, 29.87));
    assert_eq!(s.transform.cell_width, 1.0 / 3600.0);
    assert_eq!(s.nodata, Some(-9999.0));
    assert_eq!(dem.sample_type(), SampleType::F32);
    assert!(!dem.is_tiled());
}

#[test]
fn the_fixture_dem_header() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erping/dem.tif");
    let dem = Dem::open(&p).unwrap();
    assert_eq!(dem.epsg(), Some(4544));
    let s = dem.spec();
    assert_eq!((s.cols, s.rows), (800, 800));
    assert_eq!((s.transform.x0, s.transform.y0), (599000.0, 3306000.0));
    assert_eq!(
        (s.transform.cell_width, s.transform.cell_height),
        (5.0, 5.0)
    );
    assert_eq!(s.nodata, Some(-9999.0));
    assert_eq!(dem.chunk_shape(), (800, 16));
    let r = geo::Rect::new(
        geo::coord! { x: 601001.0, y: 3304001.0 },
        geo::coord! { x: 601009.0, y: 3304004.0 },
    );
    let g = dem.read_rect(&r).unwrap().unwrap();
    assert_eq!((g.cols, g.rows), (2, 1));
    assert_eq!((g.transform.x0, g.transform.y0), (601000.0, 3304005.0));
    let far = geo::Rect::new(
        geo::coord! { x: 0.0, y: 0.0 },
        geo::coord! { x: 1.0, y: 1.0 },
    );
    assert!(dem.read_rect(&far).unwrap().is_none());
}

fn open_err(path: &Path) -> DemError {
    match Dem::open(path) {
        Ok(d) => panic!("{} opened: {d:?}", path.display()),
        Err(e) => e,
    }
}

#[test]
fn unreadable_files_are_refused_with_advice() {
    let cases = [
        ("rotated.tif", "rotated", "gdalwarp"),
        ("no_georef.tif", "no GeoTIFF keys", "gdal_edit.py -a_srs"),
        ("rgb.tif", "image", "gdal_translate -b 1"),
        ("complex.tif", "complex", "gdal_translate -ot Float32"),
    ];
    for (name, what, advice) in cases {
        let e = open_err(&data(name));
        let msg = e.to_string();
        assert!(msg.starts_with(&data(name).display().to_string()), "{msg}");
        assert!(msg.contains(what), "{name}: {msg}");
        assert!(msg.contains(advice), "{name}: {msg}");
        assert_eq!(e.path(), data(name));
    }
    let e = open_err(&data("expected.json"));
    assert!(matches!(e, DemError::NotTiff { .. }), "{e}");
    assert!(e.to_string().contains("not a TIFF"), "{e}");
    let e = open_err(&data("no_such_file.tif"));
    assert!(matches!(e, DemError::Io { .. }), "{e}");
}

#[test]
fn truncated_and_damaged_files_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(data("int16_tiled_deflate.tif")).unwrap();
    // Cut anywhere: the header, the offsets, the data.
    for cut in [
        0,
        3,
        8,
        100,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 10,
    ] {
        let p = dir.path().join(format!("cut{cut}.tif"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        match Dem::open(&p) {
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(&p.display().to_string()), "{msg}");
            }
            Ok(d) => {
                // The header survived; reading the data must fail cleanly.
                let e = d.read_all().unwrap_err();
                assert!(e.to_string().contains("cut"), "{e}");
            }
        }
    }
    let e = {
        let p = dir.path().join("half.tif");
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        Dem::open(&p).map(|_| ()).unwrap_err()
    };
    assert!(matches!(e, DemError::Truncated { .. }), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");

    // Garbage inside the compressed tiles: a decode error when read, or wrong values, never a panic.
    let mut bad = bytes.clone();
    for b in bad.iter_mut().skip(bytes.len() / 4).take(bytes.len() / 2) {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let p = dir.path().join("garbage.tif");
    std::fs::write(&p, &bad).unwrap();
    if let Ok(d) = Dem::open(&p) {
        if let Err(e) = d.read_all() {
            assert!(e.to_string().contains("garbage.tif"), "{e}");
        }
    }
}

#[test]
fn damaged_headers_never_panic() {
    // Overwrite single bytes all over the header and directory of two files: every open and read
    // must end in Ok or in an error naming the file.
    let dir = tempfile::tempdir().unwrap();
    for name in ["int16_tiled_deflate.tif", "float64_strips_lzw.tif"] {
        let bytes = std::fs::read(data(name)).unwrap();
        let p = dir.path().join(name);
        for at in (0..bytes.len().min(600)).step_by(3) {
            for v in [0x00u8, 0xFF, 0x7F] {
                let mut b = bytes.clone();
                b[at] = v;
                std::fs::write(&p, &b).unwrap();
                let outcome = Dem::open(&p).and_then(|d| {
                    // Keep the read small whatever size a damaged header claims.
                    let s = d.spec();
                    d.read_window(0, 0, s.cols.min(70), s.rows.min(70))
                });
                if let Err(e) = outcome {
                    assert!(e.to_string().contains(name), "{e}");
                }
            }
        }
    }
}

#[test]
fn windows_outside_the_raster_are_errors() {
    let dem = Dem::open(data("int32_tiled.tif")).unwrap();
    let e = dem.read_window(30, 0, 11, 1).unwrap_err();
    assert!(matches!(e, DemError::Window { .. }), "{e}");
    assert!(e.to_string().contains("outside the 40 × 30 raster"), "{e}");
    assert!(DemSource::read_window(&dem, Window::new(0, 29, 1, 2)).is_err());
}

#[test]
fn reads_from_many_threads_agree() {
    let dem = Dem::open(data("float32_tiled_pred3.tif")).unwrap();
    let whole = dem.read_all().unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (dem, whole) = (&dem, &whole);
            s.spawn(move || {
                for k in 0..20 {
                    let w = Window::new((t * 7 + k) % 100, (t * 3 + k * 2) % 60, 30, 30);
                    let g = dem.read(w).unwrap();
                    assert_eq!(g, whole.sub_grid(&w));
                }
            });
        }
    });
}
