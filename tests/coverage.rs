//! Layers that miss the patches are said out loud (issue 17): a land-use layer whose `.prj` names
//! the neighbouring Gauss-Kruger zone (CM 108E for data in CM 105E) lands about 290 km away and
//! stops the run instead of reporting every patch rectifiable; a layer where the patches are but
//! with nothing near them is a warning; a land-use layer short of the patches' area is a warning
//! with the share.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tuban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tuban"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A copy of `fixtures/erping/dltb.*` in `dir` whose `.prj` names CM 108E (EPSG:4545).
fn dltb_in_wrong_zone(dir: &Path) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(
            fixture(&format!("erping/dltb.{ext}")),
            dir.join(format!("dltb.{ext}")),
        )
        .unwrap();
    }
    let prj = std::fs::read_to_string(fixture("erping/dltb.prj")).unwrap();
    let wrong = prj
        .replace("CM_105E", "CM_108E")
        .replace("\"Central_Meridian\",105.0", "\"Central_Meridian\",108.0");
    assert_ne!(prj, wrong);
    std::fs::write(dir.join("dltb.prj"), wrong).unwrap();
    dir.join("dltb.shp")
}

#[test]
fn a_land_use_layer_in_the_neighbouring_zone_stops_the_run_with_the_distance_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let dltb = dltb_in_wrong_zone(dir.path());
    let out = dir.path().join("x.csv");
    let args = [
        "overlay",
        "--patches",
        &fixture("erping/patches.shp"),
        "--landuse",
        dltb.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let o = tuban(&args);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(!out.exists(), "nothing written");
    assert!(
        e.contains("dltb.shp (the landuse layer): none of its"),
        "{e}"
    );
    // 3° of longitude at 29.9°N is about 290 km; the layer's extent and the patches' are named.
    let km: f64 = e
        .split(" km apart")
        .next()
        .and_then(|s| s.rsplit(": ").next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no distance in: {e}"));
    assert!((250.0..330.0).contains(&km), "{km} km: {e}");
    assert!(
        e.contains("the layer spans x") && e.contains("the patches x"),
        "{e}"
    );
    assert!(e.contains("neighbouring Gauss-Kruger zone"), "{e}");
    assert!(e.contains("--accept-no-overlap"), "{e}");

    // Accepting it runs, and the run still says the layer covers nothing of the patches.
    let mut accepted = args.to_vec();
    accepted.extend(["--accept-no-overlap", "landuse", "--json"]);
    let o = tuban(&accepted);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("covers only 0.00 %"), "{warnings}");
}

#[test]
fn a_short_land_use_layer_and_a_layer_with_nothing_near_are_warnings() {
    // fixtures/bad: three 100 m patches; the land-use layer holds forest over the left half of
    // P1 and the right half of P3 only: 10000 of 30000 m², a third.
    let dir = tempfile::tempdir().unwrap();
    let graves = dir.path().join("graves.geojson");
    // Two graves between the patches (50 m from the nearest), inside their extent.
    std::fs::write(
        &graves,
        r#"{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4544"}},
 "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [600350.0, 3303050.0]}},
              {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [600150.0, 3303050.0]}}]}"#,
    )
    .unwrap();
    let o = tuban(&[
        "overlay",
        "--patches",
        &fixture("bad/good.shp"),
        "--landuse",
        &fixture("bad/landuse.shp"),
        "--graves",
        graves.to_str().unwrap(),
        "--area-method",
        "planar",
        "--json",
        "-o",
        dir.path().join("x.csv").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings: Vec<String> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let short = warnings
        .iter()
        .find(|w| w.contains("covers only"))
        .unwrap_or_else(|| panic!("{warnings:?}"));
    // By hand: 10000 / 30000 = 33.33 %; P1, P2 and P3 are all short; 20000 m² outside.
    assert!(short.contains("33.33 %"), "{short}");
    assert!(short.contains("3 patches not wholly covered"), "{short}");
    assert!(short.contains("20000.00 m²"), "{short}");
    // The graves lie between the patches: the layer is where the
    // patches are, so a warning, not an error.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("(the graves layer): none of its 2 features")),
        "{warnings:?}"
    );
    // The run description says how each layer meets the patches.
    let layers = json["layers"].to_string();
    assert!(
        layers.contains("2 of 2 features near the patches"),
        "{layers}"
    );
    assert!(
        layers.contains("they cover 33.33 % of the patches' area"),
        "{layers}"
    );
    assert!(
        layers.contains("0 of 2 features near the patches"),
        "{layers}"
    );
}
