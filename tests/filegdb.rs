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
    assert!(
        out.contains("File Geodatabase, 10 feature classes"),
        "{out}"
    );
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
