//! File Geodatabases on the command line: `tuban inspect x.gdb` lists the feature classes,
//! `x.gdb:NAME` describes one, a wrong name lists the right ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tuban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tuban"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run tuban")
}

/// The geodatabase GDAL wrote for the reader's tests (crates/io/tests/data/filegdb).
fn test_gdb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/io/tests/data/filegdb/test.gdb")
}

#[test]
fn inspect_lists_the_feature_classes() {
    let gdb = test_gdb();
    let o = tuban(&["inspect", gdb.to_str().unwrap()]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success(), "{out}");
    assert!(out.contains("test.gdb holds 10 layers"), "{out}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("patches"),
        "patches Polygon 4 EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)"
    );
    assert!(line("graves").starts_with("graves Point Z 2 EPSG:4544"));
    assert_eq!(line("nocrs"), "nocrs Point 1 no CRS stated");
    assert!(!out.contains("attrs") && !out.contains("GDB_"), "{out}");
}

#[test]
fn inspect_describes_one_feature_class() {
    let arg = format!("{}:patches", test_gdb().display());
    let o = tuban(&["inspect", &arg]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success(), "{out}");
    assert!(out.contains("features   4"), "{out}");
    assert!(
        out.contains("ZUOLUODANWEIMINGCHENG") && out.contains("坐落单位名称"),
        "{out}"
    );
    assert!(out.contains("CRS recognised: EPSG:4544"), "{out}");
    let arg = format!("{}:DLTB", test_gdb().display());
    let o = tuban(&["inspect", &arg]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("no layer named \"DLTB\" (it holds patches, graves, roads"),
        "{err}"
    );
}

#[test]
fn overlay_takes_gdb_layer_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    let arg = format!("{}:patches", test_gdb().display());
    let o = tuban(&[
        "overlay",
        "--patches",
        &arg,
        "--area-method",
        "planar",
        "--quiet",
        "-o",
        csv.to_str().unwrap(),
    ]);
    // P3 has no geometry: it fails alone (exit 3), the others are measured.
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let area = |record: &str| -> f64 {
        let row = rows.iter().find(|x| &x[col("record")] == record).unwrap();
        row[col("area_m2")].parse().unwrap()
    };
    // By hand: a 100 m square less a 20 m hole; a 50 m square and a 49.5 m one; a 10 m one.
    assert_eq!(area("1"), 100.0 * 100.0 - 20.0 * 20.0);
    assert_eq!(area("2"), 50.0 * 50.0 + 49.5 * 49.5);
    assert_eq!(area("5"), 100.0);
    assert_eq!(rows[0][col("village")], *"中山村");
}

/// The Erping fixture read from a File Geodatabase gives the shapefile run's numbers, byte for
/// byte: per-patch CSV, per-village CSV and GeoJSON. The geodatabase (with field names a
/// shapefile cannot hold: `权属单位名称` is the village field) is written by GDAL:
///
/// ```sh
/// /usr/bin/python3 fixtures/erping/make_gdb.py /tmp/erping_gdb
/// TUBAN_ERPING_GDB=/tmp/erping_gdb cargo test --test filegdb -- --ignored
/// ```
///
/// Ignored in a plain `cargo test` (it needs GDAL); `.ci/run` runs it after installing GDAL,
/// and it fails, never passes, when the variable is unset.
#[test]
#[ignore = "needs the geodatabase fixtures/erping/make_gdb.py writes (GDAL); run by .ci/run"]
fn erping_from_a_geodatabase_gives_the_shapefile_numbers() {
    let dir = std::env::var_os("TUBAN_ERPING_GDB").expect(
        "TUBAN_ERPING_GDB must name the folder fixtures/erping/make_gdb.py wrote (see the doc)",
    );
    let project = Path::new(&dir).join("tuban.toml");
    let text = std::fs::read_to_string(&project).unwrap();
    assert!(
        text.contains("layer = \"DLTB\"") && text.contains("权属单位名称"),
        "{text}"
    );
    let out = tempfile::tempdir().unwrap();
    let run = |project: &Path, tag: &str| {
        let o = tuban(&[
            "run",
            project.to_str().unwrap(),
            "-o",
            out.path().join(format!("{tag}.csv")).to_str().unwrap(),
            "-o",
            out.path().join(format!("{tag}.geojson")).to_str().unwrap(),
            "--villages",
            out.path()
                .join(format!("{tag}_villages.csv"))
                .to_str()
                .unwrap(),
            "--quiet",
        ]);
        assert!(
            o.status.success(),
            "{tag}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let shp_project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/erping/tuban.toml");
    run(&shp_project, "shp");
    run(&project, "gdb");
    for (a, b) in [
        ("shp.csv", "gdb.csv"),
        ("shp_villages.csv", "gdb_villages.csv"),
        ("shp.geojson", "gdb.geojson"),
    ] {
        let (a, b) = (
            std::fs::read(out.path().join(a)).unwrap(),
            std::fs::read(out.path().join(b)).unwrap(),
        );
        assert!(a.len() > 1000);
        assert!(a == b, "{b:?} differs from the shapefile run's");
    }
}
