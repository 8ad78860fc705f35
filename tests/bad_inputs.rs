//! Every file in `fixtures/bad/` and its outcome (the table in `fixtures/bad/README.md`): either
//! a documented repair, or an error naming the file, the record and what to do; never a panic,
//! never a silent wrong area.
//!
//! Most tests drive the `tuban` binary (`overlay --patches FIXTURE --landuse landuse.shp
//! --area-method planar`, so the hand-computed planar areas are exact). The geometry fixtures are
//! also settled through `tuban_core::validity` directly (the `*_cli` tests check what the
//! pipeline makes of it: the `repair` column, `--invalid skip|error`, the warnings).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tuban_core::build::as_areal;
use tuban_core::geo::{Area, MultiPolygon};
use tuban_core::validity::{check_obstacle, check_patch, InvalidPolicy, Outcome};
use tuban_io::read::{read_layer, ReadOptions};

/// Every fixture (shapefile stems, and GeoJSON file names), each with a test below named after
/// it. `every_fixture_has_a_test` checks that the folder holds exactly these.
const FIXTURES: &[&str] = &[
    "good",
    "landuse",
    "landuse_overlapping_parts",
    "landuse_zone108",
    "landuse_second",
    "landuse_mixed",
    "landuse_unknown_code",
    "truncated_shp",
    "truncated_shx",
    "truncated_dbf",
    "header_length_short",
    "header_length_long_noshx",
    "truncated_shp_records_noshx",
    "count_mismatch",
    "no_shx",
    "no_dbf",
    "garbage_between_records",
    "garbage_between_records_noshx",
    "null_shape",
    "deleted_record",
    "numeric_asterisks",
    "numeric_overflow",
    "invalid_date",
    "junk_cpg",
    "junk_prj",
    "nan_coordinate",
    "inf_coordinate",
    "short_ring",
    "unclosed_ring",
    "bowtie",
    "spike",
    "duplicate_vertices",
    "wrong_orientation",
    "hole_wrong_orientation",
    "hole_outside_shell",
    "zero_area",
    "overlapping_parts",
    "overlapping_patches",
    "good.geojson",
    "not_json.geojson",
    "wrong_types.geojson",
    "wrong_feature_type.geojson",
    "properties_array.geojson",
    "huge_number.geojson",
    "bowtie.geojson",
    "hole_outside_shell.geojson",
    "null_geometry.geojson",
    "roads_cm.geojson",
    "good.gpkg",
    "not_sqlite.gpkg",
    "no_contents.gpkg",
    "no_geometry_columns.gpkg",
    "bad_header.gpkg",
    "truncated_wkb.gpkg",
    "type_mismatch.gpkg",
    "curve.gpkg",
    "two_layers.gpkg",
    "good.gdb",
    "truncated_table.gdb",
    "truncated_tablx.gdb",
    "no_tablx.gdb",
    "index_count_mismatch.gdb",
    "deleted_row.gdb",
    "outside_envelope.gdb",
    "bad_utf8.gdb",
    "nan_value.gdb",
    "version9.gdb",
    "not_a_table.gdb",
    "no_catalog.gdb",
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad")
}

/// `fixtures/bad/NAME.shp`, or `fixtures/bad/NAME` when it has an extension.
fn bad(name: &str) -> PathBuf {
    if name.contains('.') {
        dir().join(name)
    } else {
        dir().join(format!("{name}.shp"))
    }
}

/// What a run left: exit code, stderr, and the CSV's header and rows if it was written.
struct Run {
    code: i32,
    stderr: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Run {
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// The value of column `name` in the row of record `record`.
    fn get(&self, record: usize, name: &str) -> &str {
        let (r, c) = (self.col("record"), self.col(name));
        let row = self
            .rows
            .iter()
            .find(|row| row[r] == record.to_string())
            .unwrap_or_else(|| panic!("no row for record {record}"));
        &row[c]
    }

    fn num(&self, record: usize, name: &str) -> f64 {
        self.get(record, name)
            .parse()
            .unwrap_or_else(|_| panic!("record {record}, {name}: {:?}", self.get(record, name)))
    }

    fn records(&self) -> Vec<usize> {
        let r = self.col("record");
        self.rows
            .iter()
            .map(|row| row[r].parse().unwrap())
            .collect()
    }
}

/// `tuban overlay --patches PATCHES --landuse LANDUSE --area-method planar -o out.csv --quiet`
/// plus `extra`.
fn run_with(patches: &str, landuse: &str, extra: &[&str]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let csv_path = tmp.path().join("out.csv");
    let out: Output = Command::new(env!("CARGO_BIN_EXE_tuban"))
        .arg("overlay")
        .arg("--patches")
        .arg(bad(patches))
        .arg("--landuse")
        .arg(bad(landuse))
        .args(["--area-method", "planar", "--quiet", "-o"])
        .arg(&csv_path)
        .args(extra)
        .output()
        .expect("run tuban");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "{patches}: tuban panicked: {stderr}"
    );
    let (header, rows) = match std::fs::read_to_string(&csv_path) {
        Ok(text) => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let header = r.headers().unwrap().iter().map(String::from).collect();
            let rows = r
                .records()
                .map(|rec| rec.unwrap().iter().map(String::from).collect())
                .collect();
            (header, rows)
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr,
        header,
        rows,
    }
}

fn run(patches: &str) -> Run {
    run_with(patches, "landuse", &[])
}

/// The run failed with exit code 1 (bad input), wrote nothing, and its message holds every one of
/// `needles`.
fn assert_refused(r: &Run, needles: &[&str]) {
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.rows.is_empty(), "an output was written: {:?}", r.rows);
    for n in needles {
        assert!(r.stderr.contains(n), "{n:?} not in: {}", r.stderr);
    }
}

/// The run succeeded with the same numbers as `good`.
fn assert_like_good(r: &Run) {
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.records(), [1, 2, 3]);
    for (record, forest) in [(1, 5000.0), (2, 0.0), (3, 5000.0)] {
        assert_eq!(r.num(record, "area_m2"), 10000.0);
        assert_eq!(r.num(record, "forest_m2"), forest);
        assert_eq!(r.num(record, "obstacle_m2"), forest);
        assert_eq!(r.get(record, "error"), "");
    }
}

/// Record `record`'s geometry in a fixture, as read by tuban.
fn geometry(name: &str, record: usize) -> MultiPolygon<f64> {
    let layer = read_layer(&bad(name), &ReadOptions::default()).unwrap();
    let f = layer
        .features
        .iter()
        .find(|f| f.record == record)
        .unwrap_or_else(|| panic!("{name}: no record {record}"));
    f.geometry
        .as_ref()
        .map(|g| as_areal(g).expect("a polygon"))
        .unwrap_or(MultiPolygon(vec![]))
}

/// Record 2 of a fixture, settled by `validity` (repair): the repaired geometry and the note.
fn repaired(name: &str, record: usize) -> (MultiPolygon<f64>, String) {
    match check_patch(&geometry(name, record), InvalidPolicy::Repair) {
        Outcome::Repaired { geometry, what } => (geometry, what),
        other => panic!("{name}: expected a repair, got {other:?}"),
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

// --- the corpus as a whole ----------------------------------------------------------------------

#[test]
fn every_fixture_has_a_test() {
    let mut found = BTreeSet::new();
    for e in std::fs::read_dir(dir()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name == "README.md" || name == "make_bad.py" {
            continue;
        }
        let key = match name.rsplit_once('.') {
            Some((_, "geojson" | "gpkg" | "gdb")) => name.clone(),
            Some((stem, _)) => stem.to_string(),
            None => name.clone(),
        };
        found.insert(key);
    }
    let listed: BTreeSet<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        found, listed,
        "fixtures/bad/ and FIXTURES differ: add a test for each new fixture"
    );
    let readme = std::fs::read_to_string(dir().join("README.md")).unwrap();
    for f in FIXTURES {
        assert!(
            readme.contains(&format!("`{f}`")),
            "README.md does not list {f}"
        );
    }
}

#[test]
fn good() {
    assert_like_good(&run("good"));
}

#[test]
fn landuse() {
    let layer = read_layer(&bad("landuse"), &ReadOptions::default()).unwrap();
    assert_eq!(layer.features.len(), 2);
    for f in &layer.features {
        let g = as_areal(f.geometry.as_ref().unwrap()).unwrap();
        assert_eq!(check_obstacle(&g, InvalidPolicy::Error), Outcome::Valid(g));
    }
}

/// An obstacle of two overlapping parts: merged, so patch 1 has 5000 m² of forest. A plain
/// intersection (even-odd) would give 2500 m².
#[test]
fn landuse_overlapping_parts() {
    let g = geometry("landuse_overlapping_parts", 1);
    close(g.unsigned_area(), 20000.0);
    match check_obstacle(&g, InvalidPolicy::Repair) {
        Outcome::Repaired { geometry, what } => {
            close(geometry.unsigned_area(), 15000.0);
            assert!(what.starts_with("parts 1 and 2 overlap"), "{what}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]

fn landuse_overlapping_parts_cli() {
    let r = run_with("good", "landuse_overlapping_parts", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(1, "forest_m2"), 5000.0);
    assert!(
        r.stderr.contains("landuse_overlapping_parts.shp") && r.stderr.contains("record 1"),
        "an obstacle repair is reported: {}",
        r.stderr
    );
}

// --- the files of a shapefile -------------------------------------------------------------------

#[test]
fn truncated_shp() {
    assert_refused(
        &run("truncated_shp"),
        &[
            "truncated_shp.shp: record 3:",
            "truncated",
            "export the layer again",
        ],
    );
}

#[test]
fn truncated_shx() {
    // The .shx is unusable; the offsets are rebuilt by reading the .shp.
    assert_like_good(&run("truncated_shx"));
}

#[test]
fn truncated_dbf() {
    assert_refused(
        &run("truncated_dbf"),
        &[
            "truncated_dbf.dbf: is truncated: it ends inside record 3",
            "export the layer again",
        ],
    );
}

#[test]
fn header_length_short() {
    assert_like_good(&run("header_length_short"));
}

#[test]
fn header_length_long_noshx() {
    assert_like_good(&run("header_length_long_noshx"));
}

#[test]
fn truncated_shp_records_noshx() {
    assert_refused(
        &run("truncated_shp_records_noshx"),
        &[
            "truncated_shp_records_noshx.shp: record 3: the file ends before this record",
            "the .shp is truncated",
        ],
    );
}

#[test]
fn count_mismatch() {
    assert_refused(
        &run("count_mismatch"),
        &[
            "count_mismatch.shp: holds 3 shapes but",
            "count_mismatch.dbf holds 2 records",
        ],
    );
}

#[test]
fn no_shx() {
    assert_like_good(&run("no_shx"));
}

#[test]
fn no_dbf() {
    assert_refused(
        &run("no_dbf"),
        &["no_dbf.dbf: not found", "copy all the files of the layer"],
    );
}

#[test]
fn garbage_between_records() {
    // The .shx gives each record's offset: the stray bytes are skipped.
    assert_like_good(&run("garbage_between_records"));
}

#[test]
fn garbage_between_records_noshx() {
    assert_refused(
        &run("garbage_between_records_noshx"),
        &[
            "garbage_between_records_noshx.shp: record 2:",
            "stray bytes",
            ".shx",
        ],
    );
}

// --- records and attributes ---------------------------------------------------------------------

#[test]
fn null_shape() {
    let r = run("null_shape");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.num(1, "area_m2"), 10000.0);
    assert_eq!(r.num(3, "area_m2"), 10000.0);
    assert_eq!(r.get(2, "area_m2"), "");
    assert_ne!(r.get(2, "error"), "");
    assert!(r.stderr.contains("patch P2"), "{}", r.stderr);
    match check_patch(&geometry("null_shape", 2), InvalidPolicy::Repair) {
        Outcome::Invalid(why) => assert!(why.starts_with("has no area"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]

fn null_shape_cli_says_no_area() {
    let r = run("null_shape");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.get(2, "error").contains("has no area"),
        "{}",
        r.get(2, "error")
    );
    let r = run_with("null_shape", "landuse", &["--invalid", "skip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.get(2, "repair").contains("skipped"),
        "{}",
        r.get(2, "repair")
    );
}

#[test]
fn deleted_record() {
    let r = run("deleted_record");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.records(), [1, 3]);
    assert_eq!(r.get(3, "patch_id"), "P3");
}

#[test]
fn numeric_asterisks() {
    let r = run("numeric_asterisks");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let layer = read_layer(&bad("numeric_asterisks"), &ReadOptions::default()).unwrap();
    let tbmj = layer.field_index("TBMJ").unwrap();
    assert!(layer.features[1].values[tbmj].is_null());
    assert_eq!(layer.features[0].values[tbmj].as_f64(), Some(10000.0));
}

#[test]
fn numeric_overflow() {
    // TBMJ is not a field tuban uses: it is not decoded, and the run is the good one.
    assert_like_good(&run("numeric_overflow"));
    // Used (here as the patch identifier), the damaged value stops the run with its record.
    assert_refused(
        &run_with("numeric_overflow", "landuse", &["--id-field", "TBMJ"]),
        &[
            "numeric_overflow.dbf: record 2, field TBMJ:",
            "overflow marker",
            "widen the field",
        ],
    );
}

#[test]
fn invalid_date() {
    // GXSJ is not a field tuban uses: it is not decoded, and the run is the good one.
    assert_like_good(&run("invalid_date"));
    assert_refused(
        &run_with("invalid_date", "landuse", &["--id-field", "GXSJ"]),
        &[
            "invalid_date.dbf: record 2, field GXSJ: \"20230231\" is not a date",
            "fix the value",
        ],
    );
}

#[test]
fn junk_cpg() {
    assert_refused(
        &run("junk_cpg"),
        &["junk_cpg.cpg: does not hold an encoding name", "--encoding"],
    );
    // The way out the message gives.
    assert_like_good(&run_with("junk_cpg", "landuse", &["--encoding", "UTF-8"]));
}

#[test]
fn junk_prj() {
    assert_refused(
        &run("junk_prj"),
        &[
            "junk_prj.prj: the CRS text is not WKT",
            "--assume-crs EPSG:",
        ],
    );
    assert_like_good(&run_with(
        "junk_prj",
        "landuse",
        &["--assume-crs", "EPSG:4544"],
    ));
}

// --- coordinates and rings ----------------------------------------------------------------------

#[test]
fn nan_coordinate() {
    assert_refused(
        &run("nan_coordinate"),
        &[
            "nan_coordinate.shp: record 2: has a vertex at (NaN, 3303100)",
            "not a finite coordinate",
            "fix the shape in a GIS",
        ],
    );
}

#[test]
fn inf_coordinate() {
    assert_refused(
        &run("inf_coordinate"),
        &[
            "inf_coordinate.shp: record 2: has a vertex at (600300, inf)",
            "not a finite coordinate",
        ],
    );
}

#[test]
fn short_ring() {
    assert_refused(
        &run("short_ring"),
        &[
            "short_ring.shp: record 2: polygon ring 1 has 3 points",
            "fix the shape in a GIS",
        ],
    );
}

#[test]
fn unclosed_ring() {
    assert_like_good(&run("unclosed_ring"));
    assert!(matches!(
        check_patch(&geometry("unclosed_ring", 2), InvalidPolicy::Error),
        Outcome::Valid(_)
    ));
}

#[test]
fn bowtie() {
    // Two triangles of 100 × 50 / 2 = 2500 m²; the shoelace area as drawn is 0.
    let g = geometry("bowtie", 2);
    close(g.unsigned_area(), 0.0);
    let (r, what) = repaired("bowtie", 2);
    assert_eq!(r.0.len(), 2);
    close(r.unsigned_area(), 5000.0);
    assert!(
        what.contains("outer ring crosses or touches itself"),
        "{what}"
    );
    assert!(
        what.ends_with("repaired into 2 polygons of 5000.00 m2 (as drawn: 0.00 m2)"),
        "{what}"
    );
}

#[test]

fn bowtie_cli() {
    let r = run("bowtie");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 5000.0);
    assert!(r.get(2, "repair").contains("crosses or touches itself"));
    assert_eq!(r.get(1, "repair"), "");
    let r = run_with("bowtie", "landuse", &["--invalid", "error"]);
    assert_refused(&r, &["bowtie.shp", "record 2", "crosses or touches itself"]);
    let r = run_with("bowtie", "landuse", &["--invalid", "skip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.get(2, "area_m2"), "");
    assert!(r.get(2, "repair").contains("skipped"));
}

#[test]
fn spike() {
    let (r, what) = repaired("spike", 2);
    assert_eq!(r.0.len(), 1);
    close(r.unsigned_area(), 10000.0);
    assert!(what.contains("crosses or touches itself"), "{what}");
}

#[test]

fn spike_cli() {
    let r = run("spike");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 10000.0);
    assert!(r.get(2, "repair").contains("crosses or touches itself"));
}

#[test]
fn duplicate_vertices() {
    assert_like_good(&run("duplicate_vertices"));
    assert!(matches!(
        check_patch(&geometry("duplicate_vertices", 2), InvalidPolicy::Error),
        Outcome::Valid(_)
    ));
}

#[test]
fn wrong_orientation() {
    // A lone counter-clockwise ring is an outer ring written the wrong way round (as GDAL).
    assert_like_good(&run("wrong_orientation"));
}

#[test]
fn hole_wrong_orientation() {
    // Both rings clockwise: two outer rings, one inside the other; merged, with a hint.
    let g = geometry("hole_wrong_orientation", 2);
    close(g.unsigned_area(), 12500.0); // counted twice as drawn
    let (r, what) = repaired("hole_wrong_orientation", 2);
    close(r.unsigned_area(), 10000.0);
    assert!(
        what.starts_with("part 2 lies inside part 1 (if it was meant as a hole"),
        "{what}"
    );
}

#[test]

fn hole_wrong_orientation_cli() {
    let r = run("hole_wrong_orientation");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 10000.0);
    assert!(r.get(2, "repair").contains("lies inside part 1"));
}

#[test]
fn hole_outside_shell() {
    // In a shapefile, a counter-clockwise ring that no outer ring contains is an outer ring
    // written the wrong way round (as GDAL reads it): a valid second part.
    let r = run("hole_outside_shell");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 12500.0);
    let g = geometry("hole_outside_shell", 2);
    assert_eq!(g.0.len(), 2);
    assert!(matches!(
        check_patch(&g, InvalidPolicy::Error),
        Outcome::Valid(_)
    ));
}

#[test]
fn zero_area() {
    let r = run("zero_area");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_ne!(r.get(2, "error"), "");
    assert_eq!(r.num(1, "area_m2"), 10000.0);
    match check_patch(&geometry("zero_area", 2), InvalidPolicy::Repair) {
        Outcome::Invalid(why) => assert!(why.starts_with("has no area"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]

fn zero_area_cli_says_no_area() {
    let r = run("zero_area");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.get(2, "error").contains("has no area"));
}

#[test]
fn overlapping_parts() {
    // Two 100 m squares overlapping by 50 × 50: 20000 as drawn, 17500 merged.
    let g = geometry("overlapping_parts", 2);
    close(g.unsigned_area(), 20000.0);
    let (r, what) = repaired("overlapping_parts", 2);
    close(r.unsigned_area(), 17500.0);
    assert!(what.starts_with("parts 1 and 2 overlap"), "{what}");
}

#[test]

fn overlapping_parts_cli() {
    let r = run("overlapping_parts");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 17500.0);
    assert!(r.get(2, "repair").contains("overlap"));
}

#[test]
fn overlapping_patches() {
    // Each patch is measured on its own: both are right; only a total counts the overlap twice.
    let r = run("overlapping_patches");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(1, "area_m2"), 10000.0);
    assert_eq!(r.num(2, "area_m2"), 10000.0);
    assert_eq!(r.num(2, "forest_m2"), 0.0);
    let layer = read_layer(&bad("overlapping_patches"), &ReadOptions::default()).unwrap();
    let geoms: Vec<MultiPolygon<f64>> = layer
        .features
        .iter()
        .map(|f| as_areal(f.geometry.as_ref().unwrap()).unwrap())
        .collect();
    let found = tuban_core::validity::overlapping_pairs(&geoms, 0.0);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].a, found[0].b), (0, 1));
    close(found[0].area, 2500.0);
}

#[test]

fn overlapping_patches_cli_warns() {
    let r = run("overlapping_patches");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("P1") && r.stderr.contains("P2") && r.stderr.contains("overlap"),
        "{}",
        r.stderr
    );
}

// --- GeoJSON ------------------------------------------------------------------------------------

#[test]
fn good_geojson() {
    assert_like_good(&run("good.geojson"));
}

#[test]
fn not_json_geojson() {
    assert_refused(
        &run("not_json.geojson"),
        &["not_json.geojson:4:", "the file is not valid JSON"],
    );
}

#[test]
fn wrong_types_geojson() {
    assert_refused(
        &run("wrong_types.geojson"),
        &[
            "wrong_types.geojson:5:",
            "invalid type: string",
            "not the GeoJSON tuban expects",
        ],
    );
}

#[test]
fn wrong_feature_type_geojson() {
    assert_refused(
        &run("wrong_feature_type.geojson"),
        &["wrong_feature_type.geojson: feature 2: has \"type\": \"Featur\""],
    );
}

#[test]
fn properties_array_geojson() {
    assert_refused(
        &run("properties_array.geojson"),
        &[
            "properties_array.geojson:5:",
            "expected a JSON object of properties",
        ],
    );
}

#[test]
fn huge_number_geojson() {
    assert_refused(
        &run("huge_number.geojson"),
        &["huge_number.geojson:5:", "number out of range"],
    );
}

#[test]
fn bowtie_geojson() {
    let (r, _) = repaired("bowtie.geojson", 2);
    close(r.unsigned_area(), 5000.0);
}

#[test]

fn bowtie_geojson_cli() {
    let r = run("bowtie.geojson");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 5000.0);
}

#[test]
fn hole_outside_shell_geojson() {
    // GeoJSON says which ring is a hole: one outside its outer ring removes nothing (as drawn the
    // shoelace formula would subtract it: 7500).
    let g = geometry("hole_outside_shell.geojson", 2);
    close(g.unsigned_area(), 7500.0);
    let (r, what) = repaired("hole_outside_shell.geojson", 2);
    close(r.unsigned_area(), 10000.0);
    assert!(
        what.contains("hole 1 is not inside the outer ring"),
        "{what}"
    );
}

#[test]

fn hole_outside_shell_geojson_cli() {
    let r = run("hole_outside_shell.geojson");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(2, "area_m2"), 10000.0);
    assert!(r.get(2, "repair").contains("not inside the outer ring"));
}

#[test]
fn null_geometry_geojson() {
    let r = run("null_geometry.geojson");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_ne!(r.get(2, "error"), "");
    assert_eq!(r.num(3, "forest_m2"), 5000.0);
}

// --- GeoPackage ---------------------------------------------------------------------------------

#[test]
fn good_gpkg() {
    assert_like_good(&run("good.gpkg"));
}

#[test]
fn not_sqlite_gpkg() {
    assert_refused(
        &run("not_sqlite.gpkg"),
        &[
            "not_sqlite.gpkg: is not a GeoPackage: a GeoPackage is an SQLite database",
            "export the layer again",
        ],
    );
}

#[test]
fn no_contents_gpkg() {
    assert_refused(
        &run("no_contents.gpkg"),
        &[
            "no_contents.gpkg: is an SQLite database but not a GeoPackage",
            "(gpkg_contents)",
        ],
    );
}

#[test]
fn no_geometry_columns_gpkg() {
    assert_refused(
        &run("no_geometry_columns.gpkg"),
        &[
            "no_geometry_columns.gpkg: is an SQLite database but not a GeoPackage",
            "(gpkg_geometry_columns)",
        ],
    );
}

#[test]
fn bad_header_gpkg() {
    assert_refused(
        &run("bad_header.gpkg"),
        &[
            "bad_header.gpkg: layer good, feature 2: the geometry does not start with the \
             GeoPackage geometry mark \"GP\" (it starts with bytes 47 51)",
            "export the layer again",
        ],
    );
}

#[test]
fn truncated_wkb_gpkg() {
    assert_refused(
        &run("truncated_wkb.gpkg"),
        &[
            "truncated_wkb.gpkg: layer good, feature 2: the geometry is cut short",
            "truncated",
        ],
    );
}

#[test]
fn type_mismatch_gpkg() {
    assert_refused(
        &run("type_mismatch.gpkg"),
        &[
            "type_mismatch.gpkg: layer good, feature 2: holds a POINT geometry, but the \
             layer's geometry column geom is declared POLYGON",
        ],
    );
}

#[test]
fn curve_gpkg() {
    assert_refused(
        &run("curve.gpkg"),
        &[
            "curve.gpkg: layer good, feature 2: the geometry is a CurvePolygon",
            "Segmentize",
            "CONVERT_TO_LINEAR",
        ],
    );
}

#[test]
fn two_layers_gpkg() {
    assert_refused(
        &run("two_layers.gpkg"),
        &[
            "two_layers.gpkg: holds several layers (it holds good, landuse)",
            "layer = \"...\"",
        ],
    );
    // Named, the table reads.
    let layer = read_layer(
        &bad("two_layers.gpkg"),
        &ReadOptions {
            layer: Some("good".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(layer.features.len(), 3);
}

// --- File Geodatabases (good.gdb is `good` written by GDAL; the others are damaged copies) ------

#[test]
fn good_gdb() {
    assert_like_good(&run("good.gdb"));
}

#[test]
fn truncated_table_gdb() {
    assert_refused(
        &run("truncated_table.gdb"),
        &[
            "truncated_table.gdb:good: record 3: the row at byte",
            "a00000009.gdbtable ends 70 bytes later: the table is truncated",
            "copy the .gdb folder again",
        ],
    );
}

#[test]
fn truncated_tablx_gdb() {
    assert_refused(
        &run("truncated_tablx.gdb"),
        &[
            "truncated_tablx.gdb/a00000009.gdbtablx: is truncated",
            "(the row index of feature class good)",
        ],
    );
}

#[test]
fn no_tablx_gdb() {
    assert_refused(
        &run("no_tablx.gdb"),
        &[
            "no_tablx.gdb/a00000009.gdbtablx: no such file",
            "row index of feature class good (3 rows)",
            "copy the whole .gdb folder",
        ],
    );
}

#[test]
fn index_count_mismatch_gdb() {
    assert_refused(
        &run("index_count_mismatch.gdb"),
        &["a00000009.gdbtablx: lists 2 rows but", "counts 3"],
    );
}

#[test]
fn deleted_row_gdb() {
    let r = run("deleted_row.gdb");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.records(), [1, 3]);
    assert_eq!(r.get(3, "patch_id"), "P3");
    assert_eq!(r.num(3, "forest_m2"), 5000.0);
}

#[test]
fn outside_envelope_gdb() {
    assert_refused(
        &run("outside_envelope.gdb"),
        &[
            "outside_envelope.gdb:good: record 2: has a point at (600200, 3303000) outside the \
             envelope it stores (600250 .. 600350",
            "the table is damaged; copy the .gdb folder again",
        ],
    );
}

#[test]
fn bad_utf8_gdb() {
    assert_refused(
        &run("bad_utf8.gdb"),
        &["bad_utf8.gdb:good: record 2, field QSDWMC: is not valid UTF-8 text"],
    );
}

#[test]
fn nan_value_gdb() {
    // TBMJ is not a field tuban uses: it is not decoded, and the run is the good one.
    assert_like_good(&run("nan_value.gdb"));
    assert_refused(
        &run_with("nan_value.gdb", "landuse", &["--id-field", "TBMJ"]),
        &["nan_value.gdb:good: record 2, field TBMJ: holds NaN, which is not a number"],
    );
}

#[test]
fn version9_gdb() {
    assert_refused(
        &run("version9.gdb"),
        &[
            "version9.gdb/a00000009.gdbtable: is a table of a version 9 File Geodatabase",
            "upgrade the geodatabase",
        ],
    );
}

#[test]
fn not_a_table_gdb() {
    assert_refused(
        &run("not_a_table.gdb"),
        &["a00000009.gdbtable: starts with 7 where a File Geodatabase table starts with 3"],
    );
}

#[test]
fn no_catalog_gdb() {
    assert_refused(
        &run("no_catalog.gdb"),
        &["no_catalog.gdb: holds no a00000001.gdbtable (the catalog of a File Geodatabase)"],
    );
}

// --- obstacle layers that do not fit the patches (issues 17, 18) --------------------------------

#[test]
fn landuse_zone108() {
    // 3° of longitude at 29.8°N: the layer lands about 290 km west of the patches.
    let r = run_with("good", "landuse_zone108", &[]);
    assert_refused(
        &r,
        &[
            "landuse_zone108.shp (the landuse layer): none of its 2 features comes near a patch",
            "km apart",
            "neighbouring Gauss-Kruger zone",
            "--accept-no-overlap",
        ],
    );
    // Accepted, the run goes on and says the layer covers none of the patches.
    let r = run_with(
        "good",
        "landuse_zone108",
        &["--accept-no-overlap", "landuse"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("covers only 0.00 %"), "{}", r.stderr);
    assert_eq!(r.num(1, "forest_m2"), 0.0);
}

#[test]
fn landuse_second() {
    // Read with the Second Survey's rules: 031 is forest, as 0301 is in `landuse`.
    assert_like_good(&run_with("good", "landuse_second", &[]));
}

#[test]
fn landuse_mixed() {
    assert_refused(
        &run_with("good", "landuse_mixed", &[]),
        &[
            "mix the Third Survey's four-digit codes",
            "e.g. 1006",
            "e.g. 104",
            "landuse_standard",
        ],
    );
    // Said which standard, the other code is one no rule knows: its area counts as clean, loudly.
    // 1006 (Third) and 104 (Second) are both rural roads: under the Second Survey's rules only
    // record 3's road (coded 104) is read as one.
    // Said the other way round, record 1's road counts and 104 is the unknown code.
    // (standard, record 1's road, record 3's road, the code no rule knows); 5000 m² = 7.5 mu.
    for (standard, road1, road3, unknown) in [
        ("second", 0.0, 5000.0, "1006"),
        ("third", 5000.0, 0.0, "104"),
    ] {
        let r = run_with("good", "landuse_mixed", &["--landuse-standard", standard]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.num(1, "road_m2"), road1, "{standard}");
        assert_eq!(r.num(3, "road_m2"), road3, "{standard}");
        let said = format!("no rule knows: {unknown} (7.50 mu)");
        assert!(r.stderr.contains(&said), "{standard}: {}", r.stderr);
    }
}

#[test]
fn landuse_unknown_code() {
    let r = run_with("good", "landuse_unknown_code", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.num(1, "forest_m2"), 5000.0);
    assert_eq!(r.num(3, "obstacle_m2"), 0.0);
    // 5000 m² = 7.5 mu.
    assert!(
        r.stderr.contains("no rule knows: 1006A (7.50 mu)"),
        "{}",
        r.stderr
    );
}

#[test]
fn roads_cm_geojson() {
    let roads = bad("roads_cm.geojson");
    let roads = roads.to_str().unwrap();
    let r = run_with("good", "landuse", &["--roads", roads]);
    assert_refused(
        &r,
        &[
            "road widths KD min 350, median 350, max 350 m",
            "is no road",
            "width_scale = 0.01",
        ],
    );
    // Scaled: a 3.5 m corridor across patch 1, 100 m of it inside: 350 m² (flat ends outside).
    let r = run_with(
        "good",
        "landuse",
        &["--roads", roads, "--road-width-scale", "0.01"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        (r.num(1, "road_m2") - 350.0).abs() < 1e-6,
        "{}",
        r.num(1, "road_m2")
    );
}

#[test]
fn landuse_overlapping_features_are_said_and_counted_once_in_the_classes() {
    // Two forest features of one land-use layer overlap by 20 m × 100 m = 2000 m² inside patch
    // P1 ([600000, 600100] × [3303000, 3303100]); together they cover it. The forest column is
    // the union (10000 m²); the code table, a sum over pieces, counts the overlap twice, and the
    // run says so with the area.
    let tmp = tempfile::tempdir().unwrap();
    let lu = tmp.path().join("landuse_overlap.geojson");
    let feature = |x0: f64, x1: f64| {
        format!(
            r#"{{"type": "Feature", "properties": {{"DLBM": "0301"}}, "geometry": {{"type": "Polygon", "coordinates": [[[{x0}, 3303000.0], [{x1}, 3303000.0], [{x1}, 3303100.0], [{x0}, 3303100.0], [{x0}, 3303000.0]]]}}}}"#
        )
    };
    std::fs::write(
        &lu,
        format!(
            r#"{{"type": "FeatureCollection", "crs": {{"type": "name", "properties": {{"name": "urn:ogc:def:crs:EPSG::4544"}}}}, "features": [{}, {}]}}"#,
            feature(600000.0, 600060.0),
            feature(600040.0, 600100.0)
        ),
    )
    .unwrap();
    let r = run_with("good", lu.to_str().unwrap(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    close(r.num(1, "forest_m2"), 10000.0);
    close(r.num(1, "obstacle_m2"), 10000.0);
    assert!(
        r.stderr
            .contains("land-use polygons overlap one another inside 1 patches (2000.00 m2"),
        "{}",
        r.stderr
    );
}
