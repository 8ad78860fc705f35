//! What each fuzz target does with its bytes, shared by the cargo-fuzz targets
//! (`fuzz/fuzz_targets/*.rs`, nightly) and the replay test on stable
//! (`crates/io/tests/corpus_replay.rs`), which includes this file with `#[path]`.
//!
//! Each function must never panic, whatever the bytes: a reader returns an error naming the
//! file, and what it returns when it succeeds must keep the reader's promises (finite
//! coordinates, record numbers ascending from 1, one value per field). The overlay target builds
//! polygons from the bytes, settles them with `tuban_core::validity` (repair) and checks the
//! overlay's invariants on the result: every class ≤ union ≤ patch, all finite.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tuban_core::geo::{
    Area, Coord, CoordsIter, Geometry, LineString, MapCoords, MultiPolygon, Polygon, Validation,
};
use tuban_core::layer::Layer;
use tuban_core::overlay::{overlay_one, Obstacle, ObstacleIndex, OverlayOptions, Patch};
use tuban_core::validity::{check_obstacle, check_patch, InvalidPolicy, Outcome};
use tuban_io::read::ReadOptions;

/// Called by the fuzz targets (not by the replay test). Under libFuzzer, libfuzzer-sys's panic hook aborts on every panic, even one
/// that tuban catches on purpose (`tuban_core::validity` turns a panic inside geo, such as one of
/// geo's own debug assertions on a degenerate ring, into an outcome; the overlay turns one into
/// the patch's error). This hook only reports; a panic that escapes the harness still aborts,
/// since libfuzzer-sys aborts when the unwinding reaches it.
pub fn report_panics_without_aborting() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        static SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        std::panic::set_hook(Box::new(|info| {
            if SEEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 20 {
                eprintln!("panic (aborts only if not caught): {info}");
            }
        }));
    });
}

/// The encodings every reader input is tried with: none given, and GBK given by the user.
fn option_sets() -> [ReadOptions; 2] {
    [
        ReadOptions::default(),
        ReadOptions {
            encoding: Some("GBK".into()),
            ..Default::default()
        },
    ]
}

/// The promises of a layer that was read without error.
fn check_layer(layer: &Layer) {
    check_layer_from(layer, 1)
}

/// [`check_layer`] with record numbers ascending from `first` (0 for a GeoPackage, whose
/// record numbers are its feature ids).
fn check_layer_from(layer: &Layer, first: usize) {
    let mut previous: Option<usize> = None;
    for f in &layer.features {
        assert!(
            f.record >= first && previous.is_none_or(|p| f.record > p),
            "record numbers ascend from {first}"
        );
        previous = Some(f.record);
        assert_eq!(f.values.len(), layer.fields.len(), "one value per field");
        if let Some(g) = &f.geometry {
            assert!(
                g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()),
                "record {}: a non-finite coordinate got through",
                f.record
            );
            if let Geometry::Polygon(p) = g {
                for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                    assert!(r.0.is_empty() || r.0.len() >= 4, "rings have 4 points");
                }
            }
        }
    }
}

/// The `.shp`, `.shx` (if any), `.dbf` and flags of a `shp` target input.
pub type ShapefileInput = (Vec<u8>, Option<Vec<u8>>, Vec<u8>, u8);

/// Splits the bytes into the files of a shapefile: `[shp_len u32 LE][shx_len u32 LE, u32::MAX
/// for none][flags u8: bit 0 a .cpg saying GBK, bit 1 a .prj][shp][shx][dbf = the rest]`.
pub fn split_shapefile(data: &[u8]) -> Option<ShapefileInput> {
    if data.len() < 9 {
        return None;
    }
    let shp_len = u32::from_le_bytes(data[0..4].try_into().ok()?) as usize;
    let shx_len = u32::from_le_bytes(data[4..8].try_into().ok()?);
    let flags = data[8];
    let rest = &data[9..];
    let shp_len = shp_len.min(rest.len());
    let (shp, rest) = rest.split_at(shp_len);
    let (shx, dbf) = if shx_len == u32::MAX {
        (None, rest)
    } else {
        let n = (shx_len as usize).min(rest.len());
        let (shx, dbf) = rest.split_at(n);
        (Some(shx.to_vec()), dbf)
    };
    Some((shp.to_vec(), shx, dbf.to_vec(), flags))
}

/// The inverse of [`split_shapefile`], for making seeds.
pub fn join_shapefile(shp: &[u8], shx: Option<&[u8]>, dbf: &[u8], flags: u8) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend((shp.len() as u32).to_le_bytes());
    v.extend(shx.map_or(u32::MAX, |s| s.len() as u32).to_le_bytes());
    v.push(flags);
    v.extend(shp);
    if let Some(s) = shx {
        v.extend(s);
    }
    v.extend(dbf);
    v
}

/// A whole shapefile (see [`split_shapefile`]) through `tuban_io::shp::read_parts`.
pub fn shp(data: &[u8]) {
    let Some((shp, shx, dbf, flags)) = split_shapefile(data) else {
        return;
    };
    let prj: &[u8] = b"PROJCS[\"CGCS2000_3_Degree_GK_CM_105E\"]";
    let parts = tuban_io::shp::Parts {
        shp: &shp,
        shx: shx.as_deref(),
        dbf: &dbf,
        cpg: (flags & 1 != 0).then_some(b"GBK".as_slice()),
        prj: (flags & 2 != 0).then_some(prj),
    };
    for opts in option_sets() {
        let full = tuban_io::shp::read_parts("fuzz", &parts, &opts);
        if let Ok(layer) = &full {
            check_layer(layer);
        }
        same_as_serial_and_subsets(&parts, &opts, &full);
    }
}

/// The parallel decoding (the default) gives what the serial one gives, layer or error; and a
/// read keeping some fields and the records whose stored box passes a test gives, for the
/// records it keeps, the full read's geometries and those fields' values.
fn same_as_serial_and_subsets(
    parts: &tuban_io::shp::Parts<'_>,
    opts: &ReadOptions,
    full: &Result<Layer, tuban_io::error::ReadError>,
) {
    use tuban_io::read::{BoxFilter, Subset};
    let serial = Subset {
        serial: true,
        ..Default::default()
    };
    let one_by_one = tuban_io::shp::read_parts_filtered("fuzz", parts, opts, &serial);
    match (full, &one_by_one) {
        (Ok(a), Ok((b, 0))) => {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "serial read differs")
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "serial read fails otherwise"),
        (a, b) => panic!("parallel {a:?} but serial {b:?}"),
    }
    let Ok(full) = full else { return };
    let subset = Subset {
        fields: Some(vec!["DLBM".into(), "tbbh".into()]),
        keep: Some(BoxFilter::new(|r| r.min().x <= 1000.0)),
        serial: false,
    };
    let (part, _) = tuban_io::shp::read_parts_filtered("fuzz", parts, opts, &subset)
        .expect("a subset of a layer that reads whole reads too");
    check_layer(&part);
    for field in &part.fields {
        assert!(
            field.name.eq_ignore_ascii_case("DLBM") || field.name.eq_ignore_ascii_case("TBBH"),
            "field {} kept",
            field.name
        );
    }
    let mut whole = full.features.iter();
    for f in &part.features {
        let g = whole
            .by_ref()
            .find(|g| g.record == f.record)
            .expect("a kept record is one of the full read's, in order");
        assert_eq!(format!("{:?}", f.geometry), format!("{:?}", g.geometry));
        for (k, field) in part.fields.iter().enumerate() {
            let i = full
                .field_index(&field.name)
                .expect("a kept field is a field");
            assert_eq!(format!("{:?}", f.values[k]), format!("{:?}", g.values[i]));
        }
    }
}

/// The `.gdbtable` and `.gdbtablx` (if any) of a `gdbtable` target input.
pub type GdbTableInput = (Vec<u8>, Option<Vec<u8>>);

/// Splits the bytes into a File Geodatabase table: `[table_len u32 LE][tablx_len u32 LE,
/// u32::MAX for none][.gdbtable][.gdbtablx]`.
pub fn split_gdbtable(data: &[u8]) -> Option<GdbTableInput> {
    if data.len() < 8 {
        return None;
    }
    let table_len = u32::from_le_bytes(data[0..4].try_into().ok()?) as usize;
    let tablx_len = u32::from_le_bytes(data[4..8].try_into().ok()?);
    let rest = &data[8..];
    let (table, rest) = rest.split_at(table_len.min(rest.len()));
    let tablx =
        (tablx_len != u32::MAX).then(|| rest[..(tablx_len as usize).min(rest.len())].to_vec());
    Some((table.to_vec(), tablx))
}

/// The inverse of [`split_gdbtable`], for making seeds.
pub fn join_gdbtable(table: &[u8], tablx: Option<&[u8]>) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend((table.len() as u32).to_le_bytes());
    v.extend(tablx.map_or(u32::MAX, |t| t.len() as u32).to_le_bytes());
    v.extend(table);
    v.extend(tablx.unwrap_or_default());
    v
}

/// A File Geodatabase table (see [`split_gdbtable`]) through
/// `tuban_io::filegdb::read_table_bytes`: no panic; a layer read keeps the promises; the
/// serial read gives the same layer or error; and a read keeping two fields and the rows whose
/// stored envelope passes a test keeps exactly what it should: only rows of the full read, in
/// order, with their geometry and those fields' values, and every row of the full read whose
/// geometry's box passes the test (the stored envelope holds the geometry: the reader checks
/// it), or that has no geometry. (A row whose geometry comes out empty although it has points,
/// a polygon of flat rings, may go either way: the test is on its points' envelope.)
pub fn gdbtable(data: &[u8]) {
    use tuban_io::read::{BoxFilter, Subset};
    let Some((table, tablx)) = split_gdbtable(data) else {
        return;
    };
    let read = |opts: &ReadOptions, subset: &Subset| {
        tuban_io::filegdb::read_table_bytes("fuzz", &table, tablx.as_deref(), opts, subset)
    };
    let opts = ReadOptions::default();
    let full = read(&opts, &Subset::default()).map(|(l, _)| l);
    let serial = read(
        &opts,
        &Subset {
            serial: true,
            ..Default::default()
        },
    );
    match (&full, &serial) {
        (Ok(a), Ok((b, 0))) => {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "serial read differs")
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "serial read fails otherwise"),
        (a, b) => panic!("parallel {a:?} but serial {b:?}"),
    }
    let Ok(full) = full else { return };
    check_layer(&full);
    use tuban_core::geo::BoundingRect;
    // None: no geometry, always kept. Some(None): an empty geometry, either way. Some(Some(b)):
    // kept when b passes.
    let boxes: Vec<Option<Option<tuban_core::geo::Rect<f64>>>> = full
        .features
        .iter()
        .map(|f| f.geometry.as_ref().map(|g| g.bounding_rect()))
        .collect();
    let cut = boxes
        .iter()
        .flatten()
        .flatten()
        .next()
        .map_or(0.0, |r| r.min().x);
    let may_be_left_out = |b: &Option<Option<tuban_core::geo::Rect<f64>>>| match b {
        None => false,
        Some(None) => true,
        Some(Some(b)) => b.min().x > cut,
    };
    let names: Vec<String> = full
        .fields
        .iter()
        .rev()
        .take(2)
        .map(|f| f.name.to_lowercase())
        .collect();
    let subset = Subset {
        fields: Some(names.clone()),
        keep: Some(BoxFilter::new(move |r| r.min().x <= cut)),
        serial: false,
    };
    let (part, left_out) =
        read(&opts, &subset).expect("a subset of a table that reads whole reads too");
    check_layer(&part);
    assert!(part
        .fields
        .iter()
        .all(|f| names.contains(&f.name.to_lowercase())));
    let mut whole = full.features.iter().zip(&boxes);
    for f in &part.features {
        let (g, _) = whole
            .by_ref()
            .find(|(g, b)| {
                // Rows skipped on the way must be ones the test leaves out.
                let skip = g.record != f.record;
                if skip {
                    assert!(
                        may_be_left_out(b),
                        "record {} was left out although its box passes",
                        g.record
                    );
                }
                !skip
            })
            .expect("a kept record is one of the full read's, in order");
        assert_eq!(format!("{:?}", f.geometry), format!("{:?}", g.geometry));
        for (k, field) in part.fields.iter().enumerate() {
            let i = full
                .field_index(&field.name)
                .expect("a kept field is a field");
            assert_eq!(format!("{:?}", f.values[k]), format!("{:?}", g.values[i]));
        }
    }
    for (g, b) in whole {
        assert!(
            may_be_left_out(b),
            "record {} was left out although its box passes",
            g.record
        );
    }
    assert_eq!(part.features.len() + left_out, full.features.len());
}

/// A `.dbf` on its own, with a `.shp` of as many null shapes as its header declares (at most
/// 4096), through `tuban_io::shp::read_parts`.
pub fn dbf(data: &[u8]) {
    let n = if data.len() >= 8 {
        u32::from_le_bytes([data[4], data[5], data[6], data[7]]).min(4096) as usize
    } else {
        0
    };
    let shp = null_shapes(n);
    let parts = tuban_io::shp::Parts {
        shp: &shp,
        dbf: data,
        ..Default::default()
    };
    for opts in option_sets() {
        if let Ok(layer) = tuban_io::shp::read_parts("fuzz", &parts, &opts) {
            check_layer(&layer);
            assert!(layer.features.len() <= n);
        }
    }
}

/// A `.shp` of `n` null shapes.
pub fn null_shapes(n: usize) -> Vec<u8> {
    let len = 100 + 12 * n;
    let mut v = vec![0u8; 100];
    v[0..4].copy_from_slice(&9994i32.to_be_bytes());
    v[24..28].copy_from_slice(&((len / 2) as i32).to_be_bytes());
    v[28..32].copy_from_slice(&1000i32.to_le_bytes());
    for i in 0..n {
        v.extend(((i + 1) as i32).to_be_bytes());
        v.extend(2i32.to_be_bytes());
        v.extend(0i32.to_le_bytes());
    }
    v
}

/// A GeoJSON document through `tuban_io::geojson::read_bytes`.
pub fn geojson(data: &[u8]) {
    for opts in option_sets() {
        if let Ok(layer) = tuban_io::geojson::read_bytes(Path::new("fuzz.geojson"), data, &opts) {
            check_layer(&layer);
        }
    }
}

/// A file in the temporary folder, unique to this process and thread, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(ext: &str, data: &[u8]) -> Option<TempFile> {
        let name = format!(
            "tuban-fuzz-{}-{:?}.{ext}",
            std::process::id(),
            std::thread::current().id()
        )
        .replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-',
            "",
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, data).ok()?;
        Some(TempFile(path))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A GeoTIFF through `tuban_io::geotiff::Dem`: open, then read a corner window, the opposite
/// corner, and the whole raster when it is small.
pub fn geotiff(data: &[u8]) {
    let Some(file) = TempFile::new("tif", data) else {
        return;
    };
    let Ok(dem) = tuban_io::geotiff::Dem::open(&file.0) else {
        return;
    };
    let spec = dem.spec();
    let (cols, rows) = (spec.cols, spec.rows);
    let (w, h) = (cols.min(64), rows.min(64));
    if let Ok(g) = dem.read_window(0, 0, w, h) {
        assert_eq!((g.cols, g.rows), (w, h));
        assert_eq!(g.data.len(), w * h);
    }
    if cols > 0 && rows > 0 {
        let _ = dem.read_window(cols - w, rows - h, w, h);
    }
    if cols.saturating_mul(rows) <= 1 << 16 {
        let _ = dem.read_all();
    }
    // A window reaching outside is an error, not a panic.
    assert!(dem.read_window(cols, 0, 1, 1).is_err());
}

/// Reads the overlay target's bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_le_bytes([self.u8()?, self.u8()?]))
    }
}

/// Polygons from bytes: `[flags]` then rings, each `[head][x i16 LE][y i16 LE]...` with
/// `3 + head % 14` points; a `head` with its top bit set makes the ring a hole of the polygon
/// before it. Coordinates are `i16 × scale` (flags bits 1-2: 1/16, 1/1024, 1 or 16 m) plus a
/// Gauss-Kruger offset when flags bit 0 is set. At most 8 polygons.
pub fn polygons(data: &[u8]) -> Vec<Polygon<f64>> {
    let mut b = Bytes(data);
    let Some(flags) = b.u8() else {
        return Vec::new();
    };
    let (ox, oy) = if flags & 1 != 0 {
        (36_500_000.0, 3_300_000.0)
    } else {
        (0.0, 0.0)
    };
    let scale = [1.0 / 16.0, 1.0 / 1024.0, 1.0, 16.0][usize::from((flags >> 1) & 3)];
    let mut polys: Vec<Polygon<f64>> = Vec::new();
    while let Some(head) = b.u8() {
        let n = 3 + usize::from(head & 0x7F) % 14;
        let mut ring = Vec::with_capacity(n + 1);
        for _ in 0..n {
            let (Some(x), Some(y)) = (b.i16(), b.i16()) else {
                break;
            };
            ring.push(Coord {
                x: ox + f64::from(x) * scale,
                y: oy + f64::from(y) * scale,
            });
        }
        if ring.len() < 3 {
            break;
        }
        let ring = LineString(ring); // Polygon::new closes it
        if head & 0x80 != 0 && !polys.is_empty() {
            if let Some(p) = polys.last_mut() {
                p.interiors_push(ring);
            }
        } else if polys.len() < 8 {
            polys.push(Polygon::new(ring, vec![]));
        } else {
            break;
        }
    }
    polys
}

/// Polygons from bytes (see [`polygons`]): the first is the patch (a second one joins it when
/// flags bit 3 is set), the others are obstacles of classes 0, 1, 2 in turn. Each is settled by
/// `validity` (repair); the overlay's numbers must then keep their invariants.
pub fn overlay(data: &[u8]) {
    let polys = polygons(data);
    let flags = data.first().copied().unwrap_or(0);
    let mut polys = polys.into_iter();
    let Some(first) = polys.next() else { return };
    let mut patch_parts = vec![first];
    let mut rest: Vec<Polygon<f64>> = polys.collect();
    if flags & 8 != 0 && !rest.is_empty() {
        patch_parts.push(rest.remove(0));
    }
    let patch = MultiPolygon(patch_parts);
    let patch = match check_patch(&patch, InvalidPolicy::Repair) {
        Outcome::Valid(g) => g,
        Outcome::Repaired { geometry, what } => {
            assert_valid(&geometry, &what);
            geometry
        }
        Outcome::Skipped(_) | Outcome::Invalid(_) => return,
    };
    let mut obstacles = Vec::new();
    for (k, p) in rest.into_iter().enumerate() {
        let g = match check_obstacle(&MultiPolygon(vec![p]), InvalidPolicy::Repair) {
            Outcome::Valid(g) => g,
            Outcome::Repaired { geometry, what } => {
                assert_valid(&geometry, &what);
                geometry
            }
            Outcome::Skipped(_) | Outcome::Invalid(_) => continue,
        };
        obstacles.push(Obstacle::new(k % 3, g));
    }
    let expected_area = patch.unsigned_area();
    let index = ObstacleIndex::new(obstacles);
    let run = std::panic::catch_unwind(|| {
        overlay_one(
            &Patch::new("1", "", patch),
            &index,
            3,
            &OverlayOptions::default(),
        )
    });
    let r = match run {
        Ok(r) => r,
        Err(p) => std::panic::resume_unwind(p),
    };
    assert!(r.error.is_none(), "{:?}", r.error);
    let tol = 1e-6 * (1.0 + r.area_m2);
    assert!(
        (r.area_m2 - expected_area).abs() <= tol,
        "{} != {expected_area}",
        r.area_m2
    );
    assert!(r.union_m2.is_finite() && r.union_m2 >= 0.0);
    assert!(
        r.union_m2 <= r.area_m2 + tol,
        "{} > {}",
        r.union_m2,
        r.area_m2
    );
    for &c in &r.class_m2 {
        assert!(c.is_finite() && c >= 0.0 && c <= r.union_m2 + tol);
    }
}

/// A repaired geometry is valid by geo's rules, finite, and has no empty ring.
fn assert_valid(g: &MultiPolygon<f64>, what: &str) {
    assert!(
        g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()),
        "{what}"
    );
    // geo's own validation is quadratic per ring: only for small results.
    if g.coords_count() <= 2000 {
        let local = match g.coords_iter().next() {
            Some(o) => g.map_coords(|c| c - o),
            None => g.clone(),
        };
        assert!(
            local.is_valid(),
            "repaired geometry is invalid ({what}): {:?}",
            local.validation_errors()
        );
    }
}

/// A GeoPackage geometry blob (`GP` header + WKB) through `tuban_io::gpkg::blob::decode`: an
/// error or a geometry with finite coordinates, rings of at least 4 points, lines of at least
/// 2; the header alone reads whenever the whole blob does.
pub fn gpkg(data: &[u8]) {
    let Ok((header, decoded)) = tuban_io::gpkg::blob::decode(data) else {
        return;
    };
    assert_eq!(
        tuban_io::gpkg::blob::header(data).ok(),
        Some(header),
        "header read alone differs"
    );
    if let Some(g) = &decoded.geometry {
        assert!(
            g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()),
            "a non-finite coordinate got through"
        );
        let rings: Vec<&LineString<f64>> = match g {
            Geometry::Polygon(p) => std::iter::once(p.exterior()).chain(p.interiors()).collect(),
            Geometry::MultiPolygon(mp) => {
                mp.0.iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .collect()
            }
            _ => Vec::new(),
        };
        for r in rings {
            assert!(r.0.is_empty() || (r.0.len() >= 4 && r.0.first() == r.0.last()));
        }
        let lines: Vec<&LineString<f64>> = match g {
            Geometry::LineString(l) => vec![l],
            Geometry::MultiLineString(m) => m.0.iter().collect(),
            _ => Vec::new(),
        };
        for l in lines {
            assert!(l.0.is_empty() || l.0.len() >= 2, "a line of one point");
        }
    }
}

/// A whole GeoPackage file (from a temporary file) through `tuban_io::read`: every layer
/// `list_layers` names is read whole and with a field and box subset, which must agree with the
/// whole read on what it keeps; no panic, and layers keep their promises.
pub fn gpkg_file(data: &[u8]) {
    use tuban_io::read::{list_layers, read_layer_filtered, BoxFilter, Subset};
    let dir = tempfile_dir();
    let path = dir.join("fuzz.gpkg");
    std::fs::write(&path, data).expect("write the input");
    let names: Vec<Option<String>> = match list_layers(&path) {
        Ok(layers) => layers.into_iter().map(|l| Some(l.name)).take(4).collect(),
        Err(_) => vec![None],
    };
    for name in names {
        let opts = ReadOptions {
            layer: name,
            ..Default::default()
        };
        let full = read_layer_filtered(&path, &opts, &Subset::default()).map(|(l, _)| l);
        if let Ok(layer) = &full {
            check_layer_from(layer, 0);
        }
        let subset = Subset {
            fields: Some(vec!["TBBH".into()]),
            keep: Some(BoxFilter::growing(|r| r.min().x <= 600_150.0)),
            serial: false,
        };
        if let (Ok(full), Ok((part, _))) = (&full, read_layer_filtered(&path, &opts, &subset)) {
            check_layer_from(&part, 0);
            for f in &part.features {
                let w = full
                    .features
                    .iter()
                    .find(|w| w.record == f.record)
                    .expect("a kept feature is one of the full read's");
                assert_eq!(format!("{:?}", f.geometry), format!("{:?}", w.geometry));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh folder under the system's temporary folder.
fn tempfile_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tuban-fuzz-gpkg-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// Two polygons from bytes (see [`polygons`]), each settled by `validity` (repair), so valid as
/// the area kernel requires. The kernel's area of their intersection (when it decides) must be
/// the same both ways round, within [0, min of their areas], and within i_overlay's grid error
/// of i_overlay's answer: the kernel is exact up to one rounding per crossing point, i_overlay
/// snaps every vertex to a grid of about extent / 2^29, so their difference is bounded by that
/// step times the boundaries' length.
pub fn kernel(data: &[u8]) {
    use tuban_core::geo::orient::{Direction, Orient};
    use tuban_core::geo::{BooleanOps, BoundingRect};
    use tuban_core::kernel::intersection_area;
    let settled: Vec<MultiPolygon<f64>> = polygons(data)
        .into_iter()
        .take(4)
        .filter_map(
            |p| match check_obstacle(&MultiPolygon(vec![p]), InvalidPolicy::Repair) {
                Outcome::Valid(g) => Some(g),
                Outcome::Repaired { geometry, .. } => Some(geometry),
                Outcome::Skipped(_) | Outcome::Invalid(_) => None,
            },
        )
        .collect();
    let (a, b) = match settled.as_slice() {
        [a, b, ..] => (a, b),
        _ => return,
    };
    // The kernel wants counter-clockwise exteriors and clockwise holes, near the origin (as the
    // overlay hands it geometry: shifted to a local frame).
    let Some(o) = a.coords_iter().next() else {
        return;
    };
    let local = |g: &MultiPolygon<f64>| g.map_coords(|c| c - o).orient(Direction::Default);
    let (a, b) = (local(a), local(b));
    let all: Vec<MultiPolygon<f64>> = settled.iter().map(local).collect();
    union_against_i_overlay(&all);
    let (Ok(ab), Ok(ba)) = (intersection_area(&a, &b), intersection_area(&b, &a)) else {
        return; // undecided: the overlay falls back to i_overlay, which the overlay target covers
    };
    let (area_a, area_b) = (a.unsigned_area(), b.unsigned_area());
    let rel = 1e-9 * (1.0 + area_a.max(area_b));
    assert!(
        (ab - ba).abs() <= rel,
        "a∩b {ab} != b∩a {ba} (i_overlay {}); a = {a:?}; b = {b:?}",
        a.intersection(&b).unsigned_area()
    );
    assert!(
        ab >= -rel && ab <= area_a.min(area_b) + rel,
        "{ab} outside [0, min({area_a}, {area_b})]"
    );
    let reference = a.intersection(&b).unsigned_area();
    let extent = match (a.bounding_rect(), b.bounding_rect()) {
        (Some(x), Some(y)) => [
            x.width(),
            x.height(),
            y.width(),
            y.height(),
            x.min().x.abs(),
            x.min().y.abs(),
            y.max().x.abs(),
            y.max().y.abs(),
        ]
        .into_iter()
        .fold(0.0, f64::max),
        _ => 0.0,
    };
    let grid = 2.0 * extent / f64::from(1u32 << 28);
    let tol = rel + grid * (boundary_length(&a) + boundary_length(&b));
    assert!(
        (ab - reference).abs() <= tol,
        "kernel {ab} vs i_overlay {reference}: |diff| {} > {tol}",
        (ab - reference).abs()
    );
}

/// The n-way kernel on `all[0]` (the patch) against the rest (parts that may overlap): its
/// area must not depend on the parts' order, must lie between the largest part's share and the
/// patch, and must be within i_overlay's grid error of i_overlay's patch ∩ union of the parts.
fn union_against_i_overlay(all: &[MultiPolygon<f64>]) {
    use tuban_core::geo::{unary_union, BooleanOps, BoundingRect};
    use tuban_core::kernel::{planar_area, union_pieces, EdgeSet};
    let Some((patch, parts)) = all.split_first() else {
        return;
    };
    let p = EdgeSet::new(patch);
    let sets: Vec<EdgeSet> = parts.iter().map(EdgeSet::new).collect();
    let mut refs: Vec<&EdgeSet> = sets.iter().collect();
    let Ok(forward) = union_pieces(&p, &refs) else {
        return; // undecided: the overlay falls back to i_overlay
    };
    refs.reverse();
    // The kernel's closure check can catch a degenerate vertex in one order and not the other.
    let Ok(backward) = union_pieces(&p, &refs) else {
        return;
    };
    let (u, v) = (planar_area(&forward), planar_area(&backward));
    let whole = patch.unsigned_area();
    let rel = 1e-9 * (1.0 + whole);
    assert!((u - v).abs() <= rel, "{u} vs {v} with the parts reversed");
    assert!(u >= -rel && u <= whole + rel, "{u} outside [0, {whole}]");
    // The geometry written out: the pieces chained into rings have the pieces' area, and the
    // checked chaining (what the overlay writes) is valid whenever it answers.
    if let Ok(g) = tuban_core::kernel::polygons(&forward) {
        use tuban_core::geo::Area;
        let a = g.unsigned_area();
        assert!((a - u).abs() <= rel, "chained rings {a} vs pieces {u}");
    }
    if let Ok(g) = tuban_core::kernel::valid_polygons(&forward) {
        use tuban_core::geo::{Area, Validation};
        assert!(g.is_valid() && (g.unsigned_area() - u).abs() <= rel);
    }
    let reference = patch
        .intersection(&unary_union(parts.iter()))
        .unsigned_area();
    let extent = all
        .iter()
        .filter_map(|g| g.bounding_rect())
        .flat_map(|r| {
            [
                r.width(),
                r.height(),
                r.min().x.abs(),
                r.min().y.abs(),
                r.max().x.abs(),
                r.max().y.abs(),
            ]
        })
        .fold(0.0, f64::max);
    let length: f64 = all.iter().map(boundary_length).sum();
    // Two snapped operations (the union, then the intersection).
    let tol = rel + 4.0 * extent / f64::from(1u32 << 28) * length;
    assert!(
        (u - reference).abs() <= tol,
        "n-way kernel {u} vs i_overlay {reference}: |diff| {} > {tol}",
        (u - reference).abs()
    );
}

/// The length of every ring of `g` (i_overlay's grid error grows with it).
fn boundary_length(g: &MultiPolygon<f64>) -> f64 {
    use tuban_core::geo::{Euclidean, Length};
    g.0.iter()
        .map(|p| {
            Euclidean.length(p.exterior())
                + p.interiors()
                    .iter()
                    .map(|r| Euclidean.length(r))
                    .sum::<f64>()
        })
        .sum()
}
