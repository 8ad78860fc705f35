//! The `proj` feature: layers in CRSs outside tuban's built-in set, converted by PROJ, must give
//! the per-patch areas of the same layers in EPSG:4544.
//!
//! The layers were converted by GDAL's ogr2ogr (tests/data/proj/make.sh; and
//! tests/data/crs_variants/make.sh at the workspace root), so the data do not come from the code
//! under test. The references are tuban's run on the EPSG:4544 originals (whose areas
//! tests/areas.rs checks against the fixture's independent survey formula) and, for the patch
//! areas, that formula itself (fixtures/erping/expected/patch_areas.csv).
#![cfg(feature = "proj")]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tuban::{run, Outcome, Project};
use tuban_core::geo::CoordsIter;
use tuban_core::report::{Cell, Unit};

/// The local grid of tests/data/proj/make.sh: transverse Mercator, CM 105.5E, GRS 1980.
const TM1055: &str =
    "+proj=tmerc +lat_0=0 +lon_0=105.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs";

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data(name: &str) -> PathBuf {
    here().join("tests/data/proj").join(name)
}

fn variants(name: &str) -> PathBuf {
    here().join("../../tests/data/crs_variants").join(name)
}

/// `[patches]` and `[landuse]` tables (paths as TOML literal strings), patch ids from XH.
fn layers(patches: &Path, patches_extra: &str, landuse: &Path, landuse_extra: &str) -> String {
    format!(
        "[patches]\npath = '{}'\nid_field = \"XH\"\n{patches_extra}\n[landuse]\npath = '{}'\n{landuse_extra}\n",
        patches.display(),
        landuse.display()
    )
}

fn try_run(toml: &str) -> Result<Outcome, String> {
    let project = Project::from_toml_str(toml, Path::new("/")).unwrap();
    run(&project).map_err(|e| e.to_string())
}

/// Every m² column of the report, by patch id: (column names, id → values).
fn m2_table(o: &Outcome) -> (Vec<String>, HashMap<String, Vec<f64>>) {
    let r = &o.report;
    let cols: Vec<_> = r
        .columns()
        .into_iter()
        .filter(|c| c.unit == Unit::M2)
        .collect();
    let id = &r.columns()[0];
    let mut rows = HashMap::new();
    for i in 0..r.patches.len() {
        let Cell::Text(id) = r.cell(i, id) else {
            panic!("patch id")
        };
        let values = cols
            .iter()
            .map(|c| match r.cell(i, c) {
                Cell::Number(x) => x,
                other => panic!("patch {id}, {}: {other:?}", c.name),
            })
            .collect();
        assert!(rows.insert(id, values).is_none());
    }
    (cols.into_iter().map(|c| c.name).collect(), rows)
}

fn reference() -> Outcome {
    try_run(&layers(
        &variants("patches_4544.shp"),
        "",
        &variants("dltb_4544.shp"),
        "",
    ))
    .unwrap()
}

/// The largest |difference| over every m² column of every patch; also checks the patch areas
/// against the independent survey formula (1e-3 m², as tests/areas.rs does).
fn compare(base: &Outcome, other: &Outcome, what: &str) -> f64 {
    assert_eq!(other.working_crs.epsg(), 4544, "{what}");
    assert_eq!(other.report.failures().len(), 0, "{what}");
    let (names, a) = m2_table(base);
    let (names_b, b) = m2_table(other);
    assert_eq!(names, names_b);
    assert_eq!(a.len(), 35);
    assert_eq!(b.len(), 35, "{what}");
    let mut worst = 0f64;
    let mut worst_at = String::new();
    for (id, x) in &a {
        let y = &b[id];
        for ((n, x), y) in names.iter().zip(x).zip(y) {
            let d = (x - y).abs();
            if d > worst {
                worst = d;
                worst_at = format!("XH {id} {n}");
            }
        }
    }
    // Where the patches are: every vertex, in the working CRS (EPSG:4544 metres), against the
    // same vertex of the reference (ogr2ogr keeps the vertex order). Areas alone would not see a
    // small shift of the whole layer.
    let mut worst_shift = 0f64;
    for (p, q) in base.report.patches.iter().zip(&other.report.patches) {
        assert_eq!(p.id, q.id, "{what}");
        let (a, b): (Vec<_>, Vec<_>) = (
            p.geometry.coords_iter().collect(),
            q.geometry.coords_iter().collect(),
        );
        assert_eq!(a.len(), b.len(), "{what}: XH {}", p.id);
        for (u, v) in a.iter().zip(&b) {
            worst_shift = worst_shift.max((u.x - v.x).hypot(u.y - v.y));
        }
    }
    // The independent survey formula.
    let text =
        std::fs::read_to_string(here().join("../../fixtures/erping/expected/patch_areas.csv"))
            .unwrap();
    let formula: HashMap<&str, f64> = text
        .lines()
        .skip(1)
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (v[0], v[2].parse().unwrap())
        })
        .collect();
    let area = names.iter().position(|n| n == "area_m2").unwrap();
    let mut worst_formula = 0f64;
    for (id, y) in &b {
        worst_formula = worst_formula.max((y[area] - formula[id.as_str()]).abs());
    }
    eprintln!(
        "{what}: largest difference from the EPSG:4544 run {worst:e} m² ({worst_at}); \
         area_m2 vs the survey formula {worst_formula:e} m²; vertices {worst_shift:e} m apart"
    );
    assert!(worst < 1e-4, "{what}: {worst} m² at {worst_at}");
    assert!(worst_formula < 1e-3, "{what}: {worst_formula} m²");
    assert!(worst_shift < 1e-6, "{what}: a vertex {worst_shift} m off");
    worst
}

fn note<'a>(o: &'a Outcome, role: &str) -> &'a str {
    &o.crs_notes.iter().find(|(r, _)| r == role).unwrap().1
}

#[test]
fn a_local_grid_read_from_its_prj_gives_the_areas_of_the_4544_originals() {
    let o = try_run(&layers(
        &data("patches_tm1055.shp"),
        "",
        &data("dltb_tm1055.shp"),
        "",
    ))
    .unwrap();
    for role in ["patches", "landuse"] {
        let how = note(&o, role);
        assert!(
            how.starts_with("EPSG:4490")
                && how.contains("converted by PROJ 9.")
                && how.contains(".prj"),
            "{how}"
        );
    }
    compare(&reference(), &o, "TM 105.5E (.prj)");
}

#[test]
fn an_authority_code_and_an_assumed_proj_string_in_one_run() {
    // The land-use layer without its .prj, so that the PROJ string assumed for the run applies.
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(
            data(&format!("dltb_tm1055.{ext}")),
            dir.path().join(format!("dltb.{ext}")),
        )
        .unwrap();
    }
    let toml = format!(
        "assume_crs = \"{TM1055}\"\n{}",
        layers(
            &data("patches_albers.shp"),
            "crs = \"ESRI:102025\"",
            &dir.path().join("dltb.shp"),
            "",
        )
    );
    let o = try_run(&toml).unwrap();
    assert!(
        note(&o, "patches").contains("ESRI:102025"),
        "{:?}",
        o.crs_notes
    );
    assert!(
        note(&o, "landuse").contains("assume_crs"),
        "{:?}",
        o.crs_notes
    );
    compare(
        &reference(),
        &o,
        "ESRI:102025 patches + assumed TM 105.5E landuse",
    );
}

#[test]
fn an_epsg_code_outside_the_set_whose_axes_are_latitude_first() {
    // EPSG:4480 is CGCS2000 geographic 3D, latitude first by its definition; the files hold
    // longitude first, as every shapefile does. The crs keys override the files' .prj.
    let o = try_run(&layers(
        &variants("patches_4490.shp"),
        "crs = \"EPSG:4480\"",
        &variants("dltb_4490.shp"),
        "crs = \"EPSG:4480\"",
    ))
    .unwrap();
    assert!(
        note(&o, "patches").contains("EPSG:4480"),
        "{:?}",
        o.crs_notes
    );
    compare(&reference(), &o, "EPSG:4480");
}

/// Copies patches_tm1055 into a new folder with `prj` as its .prj.
fn with_prj(prj: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(
            data(&format!("patches_tm1055.{ext}")),
            dir.path().join(format!("p.{ext}")),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("p.prj"), prj).unwrap();
    let shp = dir.path().join("p.shp");
    (dir, shp)
}

fn patches_only(patches: &Path, extra: &str) -> String {
    format!(
        "{extra}\n[patches]\npath = '{}'\nid_field = \"XH\"\n",
        patches.display()
    )
}

#[test]
fn legacy_datums_are_still_refused() {
    // A .prj the built-in set recognises as Xian 1980.
    let xian = r#"PROJCS["Xian_1980_3_Degree_GK_CM_105E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    let (_d, p) = with_prj(xian);
    let e = try_run(&patches_only(&p, "")).unwrap_err();
    assert!(e.contains("Xian 1980") && e.contains("not public"), "{e}");
    // The same with the user's assumption: a recognised legacy datum never gives way.
    let e = try_run(&patches_only(&p, &format!("assume_crs = \"{TM1055}\""))).unwrap_err();
    assert!(e.contains("Xian 1980"), "{e}");

    // A city grid on Beijing 1954: its ESRI .prj names the datum (the built-in set refuses it),
    let beijing_grid = r#"PROJCS["City_Grid",GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.5],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    let (_d, p) = with_prj(beijing_grid);
    let e = try_run(&patches_only(&p, "")).unwrap_err();
    assert!(
        e.contains("Beijing 1954") && e.contains("not public"),
        "{e}"
    );
    // a PROJ string names no datum (only PROJ reads it; its Krassowsky ellipsoid tells): in
    // the .prj, or as what the user assumes,
    let krass = "+proj=tmerc +lon_0=105.5 +x_0=500000 +ellps=krass +units=m";
    let (_d, p) = with_prj(krass);
    let e = try_run(&patches_only(&p, "")).unwrap_err();
    assert!(
        e.contains(&p.display().to_string())
            && e.contains("Beijing 1954")
            && e.contains("not public"),
        "{e}"
    );
    let e = try_run(&patches_only(
        &data("patches_tm1055.shp"),
        &format!("assume_crs = \"{krass}\""),
    ))
    .unwrap_err();
    assert!(
        e.contains("Beijing 1954") && e.contains("assume_crs"),
        "{e}"
    );
    // and by EPSG code (Xian 1980 / 3-degree Gauss-Kruger CM 105E).
    let e = try_run(&patches_only(
        &data("patches_tm1055.shp"),
        "assume_crs = \"EPSG:2380\"",
    ))
    .unwrap_err();
    assert!(e.contains("Xian 1980"), "{e}");
    eprintln!("{e}");
}

#[test]
fn what_proj_cannot_read_is_an_error_naming_the_file_and_the_text() {
    let garbage = "+proj=tmerc +lon_0=abc +ellps=GRS80";
    let patches = data("patches_tm1055.shp");
    // The layer's crs key.
    let e = try_run(&layers(
        &patches,
        &format!("crs = \"{garbage}\""),
        &data("dltb_tm1055.shp"),
        "",
    ))
    .unwrap_err();
    assert!(
        e.contains(&patches.display().to_string()) && e.contains(garbage) && e.contains("PROJ"),
        "{e}"
    );
    eprintln!("{e}");
    // assume_crs: the run's setting, refused before any layer is read.
    let e = try_run(&patches_only(
        &patches,
        &format!("assume_crs = \"{garbage}\""),
    ))
    .unwrap_err();
    assert!(e.contains("assume_crs") && e.contains(garbage), "{e}");
    // A .prj neither tuban nor PROJ reads.
    let (_d, p) = with_prj("PROJCS[\"half a WKT\",GEOGCS[");
    let e = try_run(&patches_only(&p, "")).unwrap_err();
    // Named by the file that holds the text: the .prj beside the patches.
    assert!(
        e.contains(&p.with_extension("prj").display().to_string()) && e.contains("PROJ"),
        "{e}"
    );
    // ... which, like any .prj tuban cannot read, gives way to the user's assumption.
    let o = try_run(&patches_only(&p, &format!("assume_crs = \"{TM1055}\""))).unwrap();
    assert!(
        note(&o, "patches").contains("converted by PROJ"),
        "{:?}",
        o.crs_notes
    );
}

#[test]
fn a_wrong_code_and_a_foreign_datum_are_caught() {
    let patches = data("patches_tm1055.shp");
    // Lambert-93 (France): the converted points fall far outside its area of use.
    let e = try_run(&layers(
        &patches,
        "crs = \"EPSG:2154\"",
        &data("dltb_tm1055.shp"),
        "",
    ))
    .unwrap_err();
    assert!(
        e.contains(&patches.display().to_string()) && e.contains("outside where"),
        "{e}"
    );
    eprintln!("{e}");
    // A datum PROJ would only shift to CGCS2000 by a ballpark guess.
    let e = try_run(&layers(
        &patches,
        "crs = \"+proj=tmerc +lon_0=105.5 +x_0=500000 +ellps=intl\"",
        &data("dltb_tm1055.shp"),
        "",
    ))
    .unwrap_err();
    assert!(
        e.contains("International 1924") || e.contains("intl"),
        "{e}"
    );
    eprintln!("{e}");
}
