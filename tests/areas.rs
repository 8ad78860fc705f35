//! Areas the land survey accepts: tuban's ellipsoidal areas against values computed independently
//! (the fixture generator's own survey-formula script, fixtures/erping/ellipsoidal_area.py, which
//! also filled the DLTB's TBMJ field), and the same layers in three coordinate systems.

use std::path::{Path, PathBuf};
use std::process::Command;

use tuban_core::area::{AreaMeasure, Ellipsoidal, Planar};
use tuban_core::build::as_areal;
use tuban_core::crs::Crs;
use tuban_core::geo::{BoundingRect, Coord, MapCoords};
use tuban_io::read::{read_layer, ReadOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a CSV of the fixture's `expected/` folder into (header, rows).
fn expected(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(root().join("fixtures/erping/expected").join(name)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    (
        header,
        lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect(),
    )
}

/// (planar, ellipsoidal) area of a polygon in EPSG:4544, measured the way the overlay does
/// (in a local frame shifted to the polygon's corner).
fn both(g: &tuban_core::geo::Geometry<f64>, ell: &Ellipsoidal) -> (f64, f64) {
    let mp = as_areal(g).expect("a polygon");
    let origin: Coord<f64> = mp.bounding_rect().unwrap().min();
    let local = mp.map_coords(|c| c - origin);
    (Planar.area(&local, origin), ell.area(&local, origin))
}

#[test]
fn dltb_areas_match_the_independent_survey_formula_and_tbmj() {
    let dltb = read_layer(
        &root().join("fixtures/erping/dltb.shp"),
        &ReadOptions::default(),
    )
    .unwrap();
    let ell = Ellipsoidal::new(&Crs::from_epsg(4544).unwrap()).unwrap();
    let (h, rows) = expected("dltb_areas.csv");
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    assert_eq!(rows.len(), dltb.features.len());
    let (mut worst_formula, mut worst_planar, mut sum, mut sum_tbmj) = (0f64, 0f64, 0f64, 0f64);
    let (mut sum_cents, mut ties) = (0i64, 0usize);
    for row in &rows {
        let i: usize = row[col("record")].parse().unwrap(); // 0-based in this file
        let f = &dltb.features[i];
        let (planar, ellipsoidal) = both(f.geometry.as_ref().unwrap(), &ell);
        let want_e: f64 = row[col("ellipsoidal_m2")].parse().unwrap();
        let want_p: f64 = row[col("planar_m2")].parse().unwrap();
        worst_formula = worst_formula.max((ellipsoidal - want_e).abs());
        worst_planar = worst_planar.max((planar - want_p).abs());
        // TBMJ is the independent ellipsoidal area rounded to 0.01 m² when the DBF was written:
        // tuban's area rounded the same way must give the same cents, except where the true
        // value sits within a micro-m² of a half cent (none here, but it would be a fair tie).
        let tbmj = dltb.value(f, "TBMJ").unwrap().as_f64().unwrap();
        let cents = (ellipsoidal * 100.0).round() as i64;
        let near_tie = ((ellipsoidal * 100.0).fract().abs() - 0.5).abs() < 1e-4;
        assert!(
            cents == (tbmj * 100.0).round() as i64 || near_tie,
            "record {}: {ellipsoidal} rounds to {cents} cents, TBMJ is {tbmj}",
            f.record
        );
        ties += usize::from(near_tie);
        sum += ellipsoidal;
        sum_cents += cents;
        sum_tbmj += tbmj;
    }
    // Issue 3 asks for 0.001 m² against the independent formula.
    assert!(
        worst_formula < 1e-3,
        "ellipsoidal vs formula: {worst_formula}"
    );
    assert!(worst_planar < 1e-6, "planar vs shoelace: {worst_planar}");
    // The totals match TBMJ: the sum of tuban's areas, each rounded as TBMJ was, is TBMJ's sum
    // to the cent (give or take one cent per fair tie).
    let tbmj_cents = (sum_tbmj * 100.0).round() as i64;
    assert!(
        (sum_cents - tbmj_cents).unsigned_abs() as usize <= ties,
        "Σ {sum_cents} vs Σ TBMJ {tbmj_cents} cents"
    );
    // The scale error of Gauss-Kruger at ~101 km from the central meridian: planar is 0.025% larger.
    let planar_sum: f64 = dltb
        .features
        .iter()
        .map(|f| both(f.geometry.as_ref().unwrap(), &ell).0)
        .sum();
    let ratio = planar_sum / sum - 1.0;
    assert!(
        (2.3e-4..2.7e-4).contains(&ratio),
        "planar/ellipsoidal - 1 = {ratio}"
    );
    eprintln!("max |tuban - formula| {worst_formula:e} m², Σ ellipsoidal {sum:.4} vs Σ TBMJ {sum_tbmj:.2}");
}

fn run_overlay(
    patches: &Path,
    landuse: &Path,
    out: &Path,
    extra: &[&str],
) -> Vec<csv::StringRecord> {
    let o = Command::new(env!("CARGO_BIN_EXE_tuban"))
        .args(["overlay", "--patches"])
        .arg(patches)
        .arg("--landuse")
        .arg(landuse)
        .arg("-o")
        .arg(out)
        .args(extra)
        .arg("-q")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = vec![r.headers().unwrap().clone()];
    rows.extend(r.records().map(|x| x.unwrap()));
    rows
}

/// Both area columns against the independent formula, by either method; the run's method's own
/// column is the `area_m2` the verdicts were measured against, to the last bit.
#[test]
fn patch_areas_in_the_outputs_match_the_independent_formula() {
    for (method, extra) in [
        ("ellipsoidal", &[][..]),
        ("planar", &["--area-method", "planar"][..]),
    ] {
        patch_areas_match(method, extra);
    }
}

fn patch_areas_match(method: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let fx = root().join("fixtures/erping");
    let rows = run_overlay(
        &fx.join("patches.shp"),
        &fx.join("dltb.shp"),
        &dir.path().join("a.csv"),
        extra,
    );
    let h = &rows[0];
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (eh, expect) = expected("patch_areas.csv");
    let ecol = |n: &str| eh.iter().position(|x| x == n).unwrap();
    assert_eq!(rows.len() - 1, expect.len());
    for (r, e) in rows[1..].iter().zip(&expect) {
        let want_e: f64 = e[ecol("ellipsoidal_m2")].parse().unwrap();
        let want_p: f64 = e[ecol("planar_m2")].parse().unwrap();
        let got_e: f64 = r[col("area_ellipsoidal_m2")].parse().unwrap();
        let got_p: f64 = r[col("area_planar_m2")].parse().unwrap();
        let area: f64 = r[col("area_m2")].parse().unwrap();
        assert_eq!(area, if method == "planar" { got_p } else { got_e });
        assert_eq!(&r[col("area_method")], method);
        assert!(
            (got_e - want_e).abs() < 1e-3,
            "XH {}: {got_e} vs {want_e}",
            e[0]
        );
        assert!(
            (got_p - want_p).abs() < 1e-6,
            "XH {}: {got_p} vs {want_p}",
            e[0]
        );
    }
}

#[test]
fn the_same_layers_in_4544_4523_and_4490_give_the_same_areas() {
    // tests/data/crs_variants/make.sh converted the layers with ogr2ogr (GDAL 3.6.2).
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("tests/data/crs_variants");
    let run = |code: &str| {
        run_overlay(
            &data.join(format!("patches_{code}.shp")),
            &data.join(format!("dltb_{code}.shp")),
            &dir.path().join(format!("{code}.csv")),
            &[],
        )
    };
    let base = run("4544");
    assert_eq!(base.len() - 1, 35);
    let h = &base[0];
    let cols: Vec<usize> = [
        "area_m2",
        "forest_m2",
        "road_m2",
        "grave_m2",
        "obstacle_m2",
        "area_planar_m2",
    ]
    .iter()
    .map(|n| h.iter().position(|x| x == *n).unwrap())
    .collect();
    for code in ["4523", "4490"] {
        let other = run(code);
        assert_eq!(other.len(), base.len());
        let mut worst = 0f64;
        for (a, b) in base[1..].iter().zip(&other[1..]) {
            assert_eq!(a[0], b[0]);
            for &c in &cols {
                let (x, y): (f64, f64) = (a[c].parse().unwrap(), b[c].parse().unwrap());
                worst = worst.max((x - y).abs());
            }
        }
        // Issue 3's bar is 1e-4 m²; measured 1.1e-6 (4523) and 7.6e-7 (4490).
        assert!(worst < 1e-4, "EPSG:{code}: largest difference {worst} m²");
        eprintln!("EPSG:{code}: largest per-patch difference from EPSG:4544 {worst:e} m²");
    }
}
