//! Never measure in a zone far from the data (issue 17): longitude/latitude patches outside the
//! CGCS2000 zones are measured in the UTM zone of their centre, and a layer spanning 6° of
//! longitude is measured right, with a warning about its planar areas.
//!
//! Expected areas from `tests/data/crs/far_zones.py` (pyproj's `Geod`, and the survey formula of
//! `fixtures/erping/ellipsoidal_area.py` on the vertices as given); the printed values are pasted
//! below. The survey formula treats each edge as straight in (B, L), a geodesic polygon does not:
//! they differ by 7.3e-7 relative on the 0.5° × 0.25° rectangle and less on the others.

use std::path::Path;
use std::process::Command;

fn overlay(patches: &str, dir: &Path) -> (serde_json::Value, Vec<(String, f64, f64)>) {
    let csv = dir.join("out.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_tuban"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["overlay", "--patches", patches, "--json", "-o"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, ell, planar) = (
        col("patch_id"),
        col("area_ellipsoidal_m2"),
        col("area_planar_m2"),
    );
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[id].to_string(),
                rec[ell].parse().unwrap(),
                rec[planar].parse().unwrap(),
            )
        })
        .collect();
    (json, rows)
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    ((got - want) / want).abs() <= rel
}

#[test]
fn patches_in_colorado_are_measured_in_their_utm_zone_not_a_chinese_one() {
    let dir = tempfile::tempdir().unwrap();
    let (json, rows) = overlay("tests/data/crs/colorado.geojson", dir.path());
    assert!(
        json["crs"].as_str().unwrap().starts_with("EPSG:32612"),
        "{}",
        json["crs"]
    );
    // (id, survey formula, geodesic), m².
    let want = [
        ("C1", 974844.0045994002, 974844.0042676926),
        ("C2", 970908.3458755044, 970908.3455057144),
        ("C3", 1224736857.0569715, 1224735959.743042),
    ];
    assert_eq!(rows.len(), want.len());
    for ((id, got, _), (wid, survey, geodesic)) in rows.iter().zip(want) {
        assert_eq!(id, wid);
        assert!(close(*got, survey, 1e-9), "{id}: {got} vs survey {survey}");
        assert!(
            close(*got, geodesic, 1e-6),
            "{id}: {got} vs Geod {geodesic}"
        );
    }
    // The whole run: its area in mu is the sum (the bug measured in a zone 176° away gave
    // about 30 times too much).
    let total_m2: f64 = want.iter().map(|w| w.1).sum();
    assert!(close(
        json["total"]["area_m2"].as_f64().unwrap(),
        total_m2,
        1e-9
    ));
    assert!(json["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn a_layer_spanning_six_degrees_is_measured_right_and_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let (json, rows) = overlay("tests/data/crs/span6.geojson", dir.path());
    assert!(json["crs"].as_str().unwrap().starts_with("EPSG:4544"));
    let want = [
        ("S1", 1069521.1732498931, 1069521.1739387512),
        ("S2", 1069521.173251253, 1069521.1739406586),
        ("S3", 1069521.1732498931, 1069521.1739387512),
        ("S4", 662972111.3851844, 662972153.9049072),
    ];
    for ((id, got, _), (wid, survey, geodesic)) in rows.iter().zip(want) {
        assert_eq!(id, wid);
        assert!(close(*got, survey, 1e-9), "{id}: {got} vs survey {survey}");
        assert!(
            close(*got, geodesic, 1e-6),
            "{id}: {got} vs Geod {geodesic}"
        );
    }
    // The planar areas 3.1° from the central meridian are larger by the projection's scale
    // (k ≈ 1 + (Δλ cos φ)²/2, so k² − 1 ≈ 0.22 % at 3.1° and 30°N); the warning says so.
    let planar_s1 = rows[0].2;
    let excess = planar_s1 / want[0].1 - 1.0;
    assert!((0.0019..0.0025).contains(&excess), "{excess}");
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("planar areas there are up to")),
        "{warnings:?}"
    );
}
