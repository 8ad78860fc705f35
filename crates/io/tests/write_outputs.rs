//! The writers of the workbook, the shapefiles, the GeoPackage and the obstacle GeoJSON, checked
//! by reading their files back with readers other than the writers: tuban's own shapefile reader
//! (which shares no code with the writer), SQLite queries for the GeoPackage, serde_json for the
//! GeoJSON, the workbook's XML parts for the workbook. GDAL and openpyxl check the same files in
//! `tests/check_outputs.py`; set `TUBAN_CHECK_PYTHON` to a Python that has pyogrio, openpyxl and
//! jsonschema to run it from here as well.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use geo::{polygon, Area, Coord, LineString, MultiPolygon, Polygon};
use rusqlite::Connection;
use tuban_core::area::AreaMethod;
use tuban_core::crs::Crs;
use tuban_core::layer::Value;
use tuban_core::overlay::{Patch, PatchResult};
use tuban_core::report::{Cell, Measured, Report, Unit};
use tuban_core::verdict::VerdictRules;
use tuban_io::read::ReadOptions;
use tuban_io::write::geojson::GeoJsonOptions;
use tuban_io::write::pieces::{pieces, pieces_path};
use tuban_io::write::run_info::{InputFile, RunInfo};
use tuban_io::write::shp::{ShpEncoding, ShpOptions};
use tuban_io::write::{self, Lang};

const X0: f64 = 601_000.0;
const Y0: f64 = 3_304_000.0;

fn rect(x: f64, y: f64, w: f64, h: f64) -> Polygon<f64> {
    polygon![
        (x: X0 + x, y: Y0 + y),
        (x: X0 + x + w, y: Y0 + y),
        (x: X0 + x + w, y: Y0 + y + h),
        (x: X0 + x, y: Y0 + y + h),
    ]
}

fn mp(polys: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
    MultiPolygon(polys)
}

fn result(
    area: f64,
    classes: Vec<f64>,
    union: f64,
    pieces: Vec<(usize, MultiPolygon<f64>)>,
) -> PatchResult {
    let n = classes.len();
    PatchResult {
        area_m2: area,
        class_m2: classes,
        union_m2: union,
        class_count: vec![1; n],
        point_count: vec![0; n],
        method: AreaMethod::Ellipsoidal,
        pieces,
        kernel: Default::default(),
        error: None,
    }
}

/// A report of five patches in EPSG:4544 with Chinese villages, obstacles of four classes and a
/// rules file's class with a long name, a patch with a hole, a two-part patch, a failed patch and
/// a patch without geometry. Areas are the planar areas of the shapes (so a reader can check the
/// geometry against them), the "ellipsoidal" ones 1.0001 times those.
fn sample() -> Report {
    let classes: Vec<String> = ["grave", "forest", "road", "steep", "wetland_area"]
        .map(String::from)
        .to_vec();
    let k = classes.len();
    // 1: a 100 × 80 m field, forest in its west 30 m, a grave disc-ish square overlapping it.
    let p1 = mp(vec![rect(0.0, 0.0, 100.0, 80.0)]);
    let forest1 = mp(vec![rect(0.0, 0.0, 30.0, 80.0)]);
    let grave1 = mp(vec![rect(28.0, 40.0, 4.0, 4.0)]);
    // 2: two parts; a road crossing the first, wetland in the second.
    let p2 = mp(vec![
        rect(200.0, 0.0, 50.0, 50.0),
        rect(300.0, 0.0, 20.0, 30.0),
    ]);
    let road2 = mp(vec![rect(200.0, 20.0, 50.0, 6.0)]);
    let wet2 = mp(vec![rect(300.0, 0.0, 20.0, 10.0)]);
    // 3: failed.
    let p3 = mp(vec![rect(400.0, 0.0, 10.0, 10.0)]);
    // 4: a field with a pond (hole), nothing in the way.
    let p4 = MultiPolygon(vec![Polygon::new(
        rect(0.0, 200.0, 60.0, 60.0).exterior().clone(),
        vec![LineString::from(vec![
            (X0 + 20.0, Y0 + 220.0),
            (X0 + 20.0, Y0 + 230.0),
            (X0 + 30.0, Y0 + 230.0),
            (X0 + 30.0, Y0 + 220.0),
            (X0 + 20.0, Y0 + 220.0),
        ])],
    )]);
    // 5: no geometry at all (a null shape in the input).
    let p5 = MultiPolygon::<f64>(vec![]);

    let a = |g: &MultiPolygon<f64>| g.unsigned_area();
    let mut c1 = vec![0.0; k];
    c1[0] = a(&grave1);
    c1[1] = a(&forest1);
    let union1 = a(&forest1) + a(&grave1) - 2.0 * 4.0; // the grave overlaps the forest by 2 × 4 m
    let mut c2 = vec![0.0; k];
    c2[2] = a(&road2);
    c2[4] = a(&wet2);
    let mut r1 = result(
        a(&p1),
        c1,
        union1,
        vec![(1, forest1.clone()), (0, grave1.clone())],
    );
    r1.point_count[0] = 3;
    let r2 = result(
        a(&p2),
        c2,
        a(&road2) + a(&wet2),
        vec![(2, road2), (4, wet2)],
    );
    let mut r3 = result(0.0, vec![0.0; k], 0.0, vec![]);
    r3.error = Some("the boolean engine failed on this patch: 自相交 (self-intersection)".into());
    let r4 = result(a(&p4), vec![0.0; k], 0.0, vec![]);
    let mut r5 = result(0.0, vec![0.0; k], 0.0, vec![]);
    r5.error = Some("no geometry (a null shape)".into());
    let patches = vec![
        Patch::new("0012", "中山村", p1.clone()).with_record(1),
        Patch::new("0013", "二坪村", p2.clone()).with_record(2),
        Patch::new("0014", "中山村", p3.clone()).with_record(3),
        Patch::new("0015", "高家村", p4.clone()).with_record(4),
        Patch::new("0016", "高家村", p5).with_record(5),
    ];
    // Ellipsoidal is the method: the report's areas are the "ellipsoidal" ones.
    let scale = 1.0001;
    let mut results = vec![r1, r2, r3, r4, r5];
    for r in &mut results {
        r.area_m2 *= scale;
        r.union_m2 *= scale;
        for c in &mut r.class_m2 {
            *c *= scale;
        }
    }
    let both: Vec<(f64, f64)> = patches
        .iter()
        .map(|p| (a(&p.geometry), a(&p.geometry) * scale))
        .collect();
    Report::new(Measured {
        classes,
        method: AreaMethod::Ellipsoidal,
        method_note: "ellipsoidal: a test note 椭球面积".into(),
        patches,
        results,
        status: vec![],
        verdict_rules: VerdictRules::default(),
        both_areas: Some(both),
        crs: Some(Crs::from_epsg(4544).unwrap()),
    })
}

fn info(dir: &Path) -> RunInfo {
    let rules = dir.join("rules.toml");
    fs::write(&rules, "[verdict]\nnegligible_m2 = 1.0\n").unwrap();
    RunInfo {
        inputs: InputFile::describe("rules", &rules).unwrap(),
        crs: Crs::from_epsg(4544).unwrap().to_string(),
        crs_notes: vec![("patches".into(), "from the .prj".into())],
        area_method: "ellipsoidal on CGCS2000".into(),
        rules: vec!["grave: landuse DLBM = 09".into()],
        thresholds: vec![("steep threshold_deg".into(), "25".into())],
        tuban_version: "0.1.0-test".into(),
        started: "2026-11-28T06:03:05Z".into(),
        seconds: 0.25,
        warnings: vec!["患者 beyond the DEM".into()],
        ..Default::default()
    }
}

/// Writes every output for `report` into `dir` as `x.*`, as `tuban run -o` would.
fn write_all(report: &Report, dir: &Path, enc: ShpEncoding) -> Vec<(String, String)> {
    let p = |name: &str| dir.join(name);
    write::csv::write(report, &p("x.csv")).unwrap();
    write::xlsx::write(report, &info(dir), Lang::Zh, &p("x.xlsx")).unwrap();
    let opts = ShpOptions { encoding: enc };
    let written = write::shp::write(report, &opts, &p("x.shp")).unwrap();
    let w2 = write::shp::write_pieces(report, &opts, &pieces_path(&p("x.shp"))).unwrap();
    assert!(w2.field_map.is_empty() && w2.warnings.is_empty());
    write::gpkg::write(report, &p("x.gpkg")).unwrap();
    write::parquet::write(report, &p("x.parquet")).unwrap();
    let gj = GeoJsonOptions {
        source_crs: report.crs,
        keep_crs: false,
    };
    write::geojson::write(report, &gj, &p("x.geojson")).unwrap();
    write::geojson::write_pieces(report, &gj, &pieces_path(&p("x.geojson"))).unwrap();
    written.field_map
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn the_shapefile_reads_back_with_the_same_values() {
    let report = sample();
    let dir = tempfile::tempdir().unwrap();
    let map = write_all(&report, dir.path(), ShpEncoding::Gbk);
    assert_eq!(
        map,
        [
            ("obstacle_m2", "obst_m2"),
            ("obstacle_mu", "obst_mu"),
            ("clean_m2", "clean_m2"),
            ("grave_count", "grave_n"),
            ("obstacle_pct", "obst_pct"),
            ("obstacle_ha", "obst_ha"),
            ("wetland_area_m2", "wetland_m2"),
            ("wetland_area_mu", "wetland_mu"),
            ("wetland_area_pct", "wetlan_pct"),
            ("area_planar_m2", "planar_m2"),
            ("area_ellipsoidal_m2", "ellips_m2"),
            ("area_method", "method"),
        ]
        .iter()
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect::<Vec<_>>()
    );
    let shp = dir.path().join("x.shp");
    for ext in ["shx", "dbf", "prj", "cpg"] {
        assert!(shp.with_extension(ext).is_file(), "{ext}");
    }
    assert_eq!(
        fs::read_to_string(shp.with_extension("cpg")).unwrap(),
        "GBK"
    );
    // The language driver says GBK too.
    assert_eq!(fs::read(shp.with_extension("dbf")).unwrap()[29], 0x4D);
    // No temporary folder is left behind.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tuban-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let layer = tuban_io::shp::read(&shp, &ReadOptions::default()).unwrap();
    assert_eq!(layer.encoding.as_deref(), Some("GBK (from .cpg)"));
    assert_eq!(
        layer.crs_text.as_deref(),
        Some(Crs::from_epsg(4544).unwrap().to_esri_wkt().as_str())
    );
    let columns = report.columns();
    let short: std::collections::HashMap<String, String> = map.into_iter().collect();
    assert_eq!(layer.fields.len(), columns.len());
    assert_eq!(layer.features.len(), report.patches.len());
    for (i, f) in layer.features.iter().enumerate() {
        for c in &columns {
            let name = short.get(&c.name).unwrap_or(&c.name);
            let got = layer
                .value(f, name)
                .unwrap_or_else(|| panic!("no field {name}"));
            match (report.cell(i, c), got) {
                (Cell::Text(s), Value::Null) => assert!(s.is_empty(), "{name}: {s:?}"),
                (Cell::Text(s), v) => assert_eq!(v.as_text().unwrap(), s, "{name}"),
                (Cell::Empty, v) => assert!(v.is_null(), "{name}: {v:?}"),
                (Cell::Number(x), v) => {
                    let y = v.as_f64().unwrap_or_else(|| panic!("{name}: {v:?}"));
                    let tol = match c.unit {
                        Unit::Count => 0.0,
                        Unit::M2 => 5e-7,
                        _ => 5e-10,
                    };
                    assert!((x - y).abs() <= tol, "{name}: {x} vs {y}");
                }
            }
        }
        // The shapes: the same area, holes and parts kept.
        match (&f.geometry, report.patches[i].geometry.0.is_empty()) {
            (None, true) => {}
            (Some(g), false) => {
                let got = match g {
                    geo::Geometry::Polygon(p) => p.unsigned_area(),
                    geo::Geometry::MultiPolygon(m) => m.unsigned_area(),
                    other => panic!("{other:?}"),
                };
                let want = report.both_areas.as_ref().unwrap()[i].0;
                assert!(close(got, want, 1e-12), "patch {i}: {got} vs {want}");
            }
            other => panic!("patch {i}: {other:?}"),
        }
    }
    // The patch with a pond keeps its hole; the two-part patch its two parts.
    match &layer.features[3].geometry {
        Some(geo::Geometry::Polygon(p)) => assert_eq!(p.interiors().len(), 1),
        other => panic!("{other:?}"),
    }
    match &layer.features[1].geometry {
        Some(geo::Geometry::MultiPolygon(m)) => assert_eq!(m.0.len(), 2),
        other => panic!("{other:?}"),
    }

    // The obstacle layer: one record per class per patch, areas as the patch's class columns.
    let obst =
        tuban_io::shp::read(&dir.path().join("x_obstacles.shp"), &ReadOptions::default()).unwrap();
    let names: Vec<&str> = obst.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["patch_id", "village", "class", "class_zh", "area_m2", "area_mu"]
    );
    let want = pieces(&report);
    assert_eq!(obst.features.len(), 4);
    for (f, p) in obst.features.iter().zip(&want) {
        assert_eq!(
            obst.value(f, "patch_id").unwrap().as_text().unwrap(),
            p.patch_id
        );
        assert_eq!(
            obst.value(f, "village").unwrap().as_text().unwrap(),
            p.village
        );
        assert_eq!(
            obst.value(f, "class_zh").unwrap().as_text().unwrap(),
            p.class_zh
        );
        let a = obst.value(f, "area_m2").unwrap().as_f64().unwrap();
        assert!((a - report.results[p.row].class_m2[p.class]).abs() < 5e-7);
    }
    let zh: Vec<String> = obst
        .features
        .iter()
        .map(|f| obst.value(f, "class_zh").unwrap().as_text().unwrap())
        .collect();
    assert_eq!(zh, ["墓地", "林地", "道路", "wetland_area"]);
}

#[test]
fn utf8_shapefiles_and_text_gbk_cannot_hold() {
    let mut report = sample();
    // 𠀀 (U+20000) is outside GBK.
    report.patches[0].village = "𠀀家村".into();
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("y.shp");
    // An older layer of the same name, with a spatial index that would now lie.
    fs::write(&shp, b"old").unwrap();
    fs::write(shp.with_extension("qix"), b"old index").unwrap();
    let err = write::shp::write(&report, &ShpOptions::default(), &shp).unwrap_err();
    let msg = err.to_string();
    // The file, the record, the field, the characters and the fix.
    assert!(
        msg.starts_with(&format!("{}: record 1, field village: ", shp.display()))
            && msg.contains("(𠀀)")
            && msg.contains("as GB18030")
            && msg.contains("or UTF-8 instead"),
        "{msg}"
    );
    // Nothing changed, nothing left over.
    assert_eq!(fs::read(&shp).unwrap(), b"old");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);

    let opts = ShpOptions {
        encoding: ShpEncoding::Utf8,
    };
    write::shp::write(&report, &opts, &shp).unwrap();
    assert!(
        !shp.with_extension("qix").exists(),
        "the stale index is gone"
    );
    assert_eq!(
        fs::read_to_string(shp.with_extension("cpg")).unwrap(),
        "UTF-8"
    );
    let layer = tuban_io::shp::read(&shp, &ReadOptions::default()).unwrap();
    assert_eq!(layer.encoding.as_deref(), Some("UTF-8 (from .cpg)"));
    let v: Vec<String> = layer
        .features
        .iter()
        .map(|f| layer.value(f, "village").unwrap().as_text().unwrap())
        .collect();
    assert_eq!(v, ["𠀀家村", "二坪村", "中山村", "高家村", "高家村"]);
    // GB18030 holds it too, in four bytes, with GBK's bytes for the rest.
    let gb = ShpOptions {
        encoding: ShpEncoding::Gb18030,
    };
    write::shp::write(&report, &gb, &shp).unwrap();
    assert_eq!(
        fs::read_to_string(shp.with_extension("cpg")).unwrap(),
        "GB18030"
    );
    let dbf = fs::read(shp.with_extension("dbf")).unwrap();
    assert_eq!(dbf[29], 0x4D, "GBK's language driver: GB18030 has none");
    let (gbk, _, _) = encoding_rs::GBK.encode("二坪村");
    assert!(dbf.windows(gbk.len()).any(|w| w == &gbk[..]));
    assert!(dbf
        .windows(6)
        .any(|w| w == [0x95, 0x32, 0x82, 0x36, 0xBC, 0xD2])); // 𠀀家
    let layer = tuban_io::shp::read(&shp, &ReadOptions::default()).unwrap();
    assert_eq!(layer.encoding.as_deref(), Some("GB18030 (from .cpg)"));
    let village = |layer: &tuban_core::layer::Layer| -> Vec<String> {
        layer
            .features
            .iter()
            .map(|f| layer.value(f, "village").unwrap().as_text().unwrap())
            .collect()
    };
    assert_eq!(village(&layer)[0], "𠀀家村");
    // Without its .cpg the language driver says GBK, whose decoder (WHATWG's, as encoding_rs
    // implements it) is GB18030's: tuban still reads the four-byte character.
    fs::remove_file(shp.with_extension("cpg")).unwrap();
    let layer = tuban_io::shp::read(&shp, &ReadOptions::default()).unwrap();
    assert_eq!(
        layer.encoding.as_deref(),
        Some("GBK (from language driver 0x4D)")
    );
    assert_eq!(village(&layer), v);

    // A report without a CRS leaves no .prj, and removes an old one.
    report.crs = None;
    write::shp::write(&report, &opts, &shp).unwrap();
    assert!(!shp.with_extension("prj").exists());
}

/// Reads a little-endian WKB MultiPolygon after the GeoPackage header.
fn parse_gpkg(blob: &[u8]) -> (i32, [f64; 4], MultiPolygon<f64>) {
    assert_eq!(&blob[..3], b"GP\x00");
    assert_eq!(blob[3], 0x03);
    let i32_at = |o: usize| i32::from_le_bytes(blob[o..o + 4].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(blob[o..o + 4].try_into().unwrap());
    let f64_at = |o: usize| f64::from_le_bytes(blob[o..o + 8].try_into().unwrap());
    let srs = i32_at(4);
    let env = [f64_at(8), f64_at(16), f64_at(24), f64_at(32)];
    let mut o = 40;
    assert_eq!((blob[o], u32_at(o + 1)), (1, 6));
    let n = u32_at(o + 5);
    o += 9;
    let mut polys = Vec::new();
    for _ in 0..n {
        assert_eq!((blob[o], u32_at(o + 1)), (1, 3));
        let rings = u32_at(o + 5);
        o += 9;
        let mut rs = Vec::new();
        for _ in 0..rings {
            let pts = u32_at(o);
            o += 4;
            let mut cs = Vec::new();
            for _ in 0..pts {
                cs.push(Coord {
                    x: f64_at(o),
                    y: f64_at(o + 8),
                });
                o += 16;
            }
            rs.push(LineString(cs));
        }
        let ext = rs.remove(0);
        polys.push(Polygon::new(ext, rs));
    }
    assert_eq!(o, blob.len());
    (srs, env, MultiPolygon(polys))
}

/// The GeoParquet file read back by tuban's own Parquet reader (arrow-rs's decoder, but
/// tuban's reader shares no code with the writer: it decodes WKB with the GeoPackage reader's
/// decoder and the CRS from the PROJJSON's id): every cell equal to the CSV writer's cell, the
/// outlines equal to the patches', the CRS back as the report's.
#[test]
fn the_geoparquet_file_reads_back_with_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    let report = sample();
    let path = dir.path().join("x.parquet");
    write::parquet::write(&report, &path).unwrap();
    let layer = tuban_io::read::read_layer(&path, &ReadOptions::default()).unwrap();
    assert_eq!(layer.crs_text.as_deref(), Some("EPSG:4544"));
    let columns = report.columns();
    let names: Vec<&str> = layer.fields.iter().map(|f| f.name.as_str()).collect();
    let want: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, want);
    assert_eq!(layer.features.len(), report.patches.len());
    for (i, f) in layer.features.iter().enumerate() {
        assert_eq!(f.record, i + 1);
        for (k, c) in columns.iter().enumerate() {
            let got = &f.values[k];
            match (report.cell(i, c), got) {
                (Cell::Text(s), Value::Text(t)) => assert_eq!(&s, t, "{}", c.name),
                (Cell::Number(v), Value::Float(g)) => {
                    assert_eq!(v.to_bits(), g.to_bits(), "{}", c.name)
                }
                (Cell::Number(v), Value::Int(g)) => {
                    assert_eq!(c.unit, Unit::Count);
                    assert_eq!(v, *g as f64, "{}", c.name)
                }
                (Cell::Empty, Value::Null) => {}
                (want, got) => panic!("row {i}, {}: {want:?} written, {got:?} read", c.name),
            }
        }
        let g = match f.geometry.clone() {
            Some(geo::Geometry::MultiPolygon(m)) => m,
            None if report.patches[i].geometry.0.is_empty() => continue,
            other => panic!("row {i}: {other:?}"),
        };
        assert!((g.unsigned_area() - report.patches[i].geometry.unsigned_area()).abs() < 1e-9);
    }
    // An unknown CRS is written as null (GeoParquet's "unknown"), not left out (which would
    // mean longitude/latitude).
    let mut no_crs = sample();
    no_crs.crs = None;
    let meta: serde_json::Value =
        serde_json::from_str(&write::parquet::geo_metadata(&no_crs)).unwrap();
    assert!(meta["columns"]["geometry"]["crs"].is_null());
    let meta: serde_json::Value =
        serde_json::from_str(&write::parquet::geo_metadata(&report)).unwrap();
    assert_eq!(meta["version"], "1.1.0");
    assert_eq!(meta["columns"]["geometry"]["crs"]["id"]["code"], 4544);
}

#[test]
fn the_geopackage_holds_both_layers_its_crs_and_an_index() {
    let report = sample();
    let dir = tempfile::tempdir().unwrap();
    write_all(&report, dir.path(), ShpEncoding::Gbk);
    let conn = Connection::open(dir.path().join("x.gpkg")).unwrap();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("PRAGMA application_id"), 0x4750_4B47);
    assert_eq!(one("PRAGMA user_version"), 10300);
    assert_eq!(one("SELECT count(*) FROM gpkg_spatial_ref_sys"), 4);
    let (org, code, def): (String, i64, String) = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = 4544",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((org.as_str(), code), ("EPSG", 4544));
    assert!(def.ends_with(r#"AUTHORITY["EPSG","4544"]]"#));
    assert_eq!(
        one("SELECT count(*) FROM gpkg_geometry_columns WHERE geometry_type_name = 'MULTIPOLYGON' AND srs_id = 4544"),
        2
    );
    assert_eq!(one("SELECT count(*) FROM patches"), 5);
    assert_eq!(one("SELECT count(*) FROM obstacles"), 4);
    // The index holds every non-empty geometry; the triggers exist.
    assert_eq!(one("SELECT count(*) FROM rtree_patches_geom"), 4);
    assert_eq!(one("SELECT count(*) FROM rtree_obstacles_geom"), 4);
    assert_eq!(
        one("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_patches_geom_%'"),
        6
    );
    assert_eq!(
        one("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'"),
        2
    );
    // The extent is the patches' one.
    let (x0, y1): (f64, f64) = conn
        .query_row(
            "SELECT min_x, max_y FROM gpkg_contents WHERE table_name = 'patches'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((x0, y1), (X0, Y0 + 260.0));

    // Every value as written, bit for bit; geometries as given.
    let columns = report.columns();
    let mut stmt = conn.prepare("SELECT * FROM patches ORDER BY fid").unwrap();
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    assert_eq!(names[0], "fid");
    assert_eq!(names[1], "geom");
    assert_eq!(
        &names[2..],
        columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
    );
    let mut rows = stmt.query([]).unwrap();
    let mut i = 0;
    while let Some(row) = rows.next().unwrap() {
        let geom: Option<Vec<u8>> = row.get(1).unwrap();
        match geom {
            None => assert!(report.patches[i].geometry.0.is_empty()),
            Some(b) => {
                let (srs, env, g) = parse_gpkg(&b);
                assert_eq!(srs, 4544);
                assert_eq!(g, report.patches[i].geometry);
                let r = geo::BoundingRect::bounding_rect(&g).unwrap();
                assert_eq!(env, [r.min().x, r.max().x, r.min().y, r.max().y]);
            }
        }
        for (k, c) in columns.iter().enumerate() {
            let v: rusqlite::types::Value = row.get(k + 2).unwrap();
            use rusqlite::types::Value as V;
            match (report.cell(i, c), v) {
                (Cell::Text(s), V::Text(t)) => assert_eq!(s, t),
                (Cell::Number(x), V::Real(y)) => assert_eq!(x.to_bits(), y.to_bits(), "{}", c.name),
                (Cell::Number(x), V::Integer(y)) => assert_eq!(x, y as f64),
                (Cell::Empty, V::Null) => {}
                (a, b) => panic!("{}: {a:?} vs {b:?}", c.name),
            }
        }
        i += 1;
    }
    assert_eq!(i, 5);
    let villages: Vec<String> = conn
        .prepare("SELECT village FROM obstacles ORDER BY fid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(villages, ["中山村", "中山村", "二坪村", "二坪村"]);
}

#[test]
fn an_empty_obstacle_layer_is_still_a_layer() {
    let mut report = sample();
    for r in &mut report.results {
        r.pieces.clear();
    }
    let dir = tempfile::tempdir().unwrap();
    write_all(&report, dir.path(), ShpEncoding::Gbk);
    let obst =
        tuban_io::shp::read(&dir.path().join("x_obstacles.shp"), &ReadOptions::default()).unwrap();
    assert_eq!(obst.features.len(), 0);
    assert_eq!(obst.fields.len(), 6);
    let gj: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("x_obstacles.geojson")).unwrap()).unwrap();
    assert_eq!(gj["features"].as_array().unwrap().len(), 0);
    let conn = Connection::open(dir.path().join("x.gpkg")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM obstacles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let ext: Option<f64> = conn
        .query_row(
            "SELECT min_x FROM gpkg_contents WHERE table_name = 'obstacles'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ext, None);
}

#[test]
fn the_obstacle_geojson_is_longitude_latitude_with_counter_clockwise_exteriors() {
    let report = sample();
    let dir = tempfile::tempdir().unwrap();
    write_all(&report, dir.path(), ShpEncoding::Gbk);
    let gj: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("x_obstacles.geojson")).unwrap()).unwrap();
    assert_eq!(gj["name"], "tuban_obstacles");
    let features = gj["features"].as_array().unwrap();
    assert_eq!(features.len(), 4);
    assert_eq!(features[1]["properties"]["class_zh"], "林地");
    assert_eq!(features[1]["properties"]["village"], "中山村");
    let forest = report.results[0].class_m2[1];
    assert_eq!(
        features[1]["properties"]["area_m2"].as_f64().unwrap(),
        forest
    );
    for f in features {
        for poly in f["geometry"]["coordinates"].as_array().unwrap() {
            let ring: Vec<(f64, f64)> = poly[0]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect();
            assert!(ring
                .iter()
                .all(|(x, y)| (105.0..107.0).contains(x) && (29.0..31.0).contains(y)));
            let twice: f64 = ring
                .windows(2)
                .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
                .sum();
            assert!(twice > 0.0, "exterior rings run counter-clockwise");
        }
    }
}

/// The names of a workbook's sheets and its shared strings, from its XML parts.
fn workbook_text(path: &Path) -> (String, String) {
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    (part("xl/workbook.xml"), part("xl/sharedStrings.xml"))
}

#[test]
fn the_workbook_has_its_sheets_in_either_language() {
    let report = sample();
    let dir = tempfile::tempdir().unwrap();
    write_all(&report, dir.path(), ShpEncoding::Gbk);
    let (wb, strings) = workbook_text(&dir.path().join("x.xlsx"));
    for name in ["图斑", "村", "地类", "运行", "字段"] {
        assert!(wb.contains(&format!("name=\"{name}\"")), "{name}: {wb}");
    }
    for s in [
        "中山村",
        "图斑面积（亩）",
        "林地面积（亩）",
        "可整改",
        "患者 beyond the DEM",
    ] {
        assert!(strings.contains(s), "{s}");
    }
    // The autofilter of the patch sheet is a defined name Excel needs.
    assert!(wb.contains("_xlnm._FilterDatabase"));

    let en = dir.path().join("en.xlsx");
    write::xlsx::write(&report, &info(dir.path()), Lang::En, &en).unwrap();
    let (wb, strings) = workbook_text(&en);
    for name in ["Patches", "Villages", "Classes", "Run", "Columns"] {
        assert!(wb.contains(&format!("name=\"{name}\"")), "{name}");
    }
    assert!(strings.contains("area_mu") && strings.contains("中山村"));
}

/// The files `tests/check_outputs.py` is run on: `x.*` (everything, Chinese workbook, GBK
/// shapefiles), `en.*` (the English workbook), `u.*` (UTF-8 shapefiles with a village name
/// outside GBK) and `g.*` (the same in GB18030).
fn write_python_sample(dir: &Path) {
    let report = sample();
    write_all(&report, dir, ShpEncoding::Gbk);
    write::csv::write(&report, &dir.join("en.csv")).unwrap();
    write::xlsx::write(&report, &info(dir), Lang::En, &dir.join("en.xlsx")).unwrap();
    let mut u = sample();
    u.patches[1].village = "𠀀家村".into();
    let u = Report::new(Measured {
        classes: u.classes,
        method: u.method,
        method_note: u.method_note,
        patches: u.patches,
        results: u.results,
        status: u.status,
        verdict_rules: u.verdict_rules,
        both_areas: report.both_areas.clone(),
        crs: report.crs,
    });
    let opts = ShpOptions {
        encoding: ShpEncoding::Utf8,
    };
    write::csv::write(&u, &dir.join("u.csv")).unwrap();
    write::shp::write(&u, &opts, &dir.join("u.shp")).unwrap();
    write::shp::write_pieces(&u, &opts, &dir.join("u_obstacles.shp")).unwrap();
    // The same in GB18030.
    let opts = ShpOptions {
        encoding: ShpEncoding::Gb18030,
    };
    write::csv::write(&u, &dir.join("g.csv")).unwrap();
    write::shp::write(&u, &opts, &dir.join("g.shp")).unwrap();
    write::shp::write_pieces(&u, &opts, &dir.join("g_obstacles.shp")).unwrap();
}

#[test]
fn the_python_check_passes_when_available() {
    let Some(python) = std::env::var_os("TUBAN_CHECK_PYTHON") else {
        eprintln!("TUBAN_CHECK_PYTHON not set: tests/check_outputs.py not run from here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_python_sample(dir.path());
    let script: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "tests",
        "check_outputs.py",
    ]
    .iter()
    .collect();
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(dir.path())
        .args(["--stem", "x", "--expect", "xlsx,shp,gpkg,geojson,parquet"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    // The English workbook and the UTF-8 shapefiles.
    let out = std::process::Command::new(std::env::var_os("TUBAN_CHECK_PYTHON").unwrap())
        .arg(&script)
        .arg(dir.path())
        .args(["--stem", "en", "--stem", "u", "--stem", "g"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok   en.xlsx")
            && stdout.contains("ok   u.shp")
            && stdout.contains("ok   g.shp"),
        "{stdout}"
    );
}

/// With `TUBAN_WRITE_SAMPLE_DIR` set, leaves the sample's outputs there for a look in QGIS,
/// `ogrinfo` or `tests/check_outputs.py`.
#[test]
fn sample_outputs_on_request() {
    let Some(dir) = std::env::var_os("TUBAN_WRITE_SAMPLE_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    fs::create_dir_all(&dir).unwrap();
    write_python_sample(&dir);
}

#[test]
fn the_field_map_reads_as_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let w =
        write::shp::write(&sample(), &ShpOptions::default(), &dir.path().join("z.shp")).unwrap();
    let note = w.field_map_note().unwrap();
    assert!(
        note.starts_with("DBF field names are at most 10 bytes: obstacle_m2 → obst_m2, obstacle_mu → obst_mu, grave_count → grave_n"),
        "{note}"
    );
    let none = write::shp::ShpWritten::default();
    assert_eq!(none.field_map_note(), None);
}

/// Every CRS tuban knows, its PROJJSON read by PROJ (pyproj) as the EPSG CRS of the same code:
/// `tests/write_check/projjson_check.py`, run when `TUBAN_CHECK_PYTHON` names a Python with
/// pyproj (CI sets it).
#[test]
fn every_projjson_is_the_epsg_crs_for_pyproj() {
    let codes: Vec<u32> = [4490, 4326, 3857]
        .into_iter()
        .chain(4491..=4554)
        .chain(32601..=32660)
        .chain(32701..=32760)
        .collect();
    let mut all = serde_json::Map::new();
    for code in codes {
        let crs = Crs::from_epsg(code).unwrap();
        let v = tuban_io::projjson::to_projjson(&crs);
        assert_eq!(tuban_io::projjson::from_projjson(&v).unwrap(), crs);
        all.insert(code.to_string(), v);
    }
    let Some(python) = std::env::var_os("TUBAN_CHECK_PYTHON") else {
        eprintln!("TUBAN_CHECK_PYTHON not set: tests/write_check/projjson_check.py not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("projjson.json");
    fs::write(&file, serde_json::to_string(&all).unwrap()).unwrap();
    let script: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "tests",
        "write_check",
        "projjson_check.py",
    ]
    .iter()
    .collect();
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}
