//! Replays the fuzz corpora and every saved crash through the same harness the fuzz targets use
//! (`fuzz/harness.rs`), on stable, without libFuzzer: CI runs this; fuzzing itself needs nightly
//! (see `fuzz/README.md`).
//!
//! For each target `T` in `shp`, `dbf`, `geojson`, `geotiff`, `overlay`, `kernel`, `gpkg`,
//! `gpkg_file` and `gdbtable`, every file in
//! `fuzz/corpus/T/` (inputs libFuzzer found interesting, minimised) and `fuzz/artifacts/T/`
//! (inputs that once crashed, kept as regression tests) goes through `harness::T`, which panics
//! if a reader panics or breaks its promises, or if the overlay's invariants fail.

#[path = "../../../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Keeps the log readable: the panics that tuban catches on purpose inside geo (its `relate`
/// debug assertion on degenerate rings, see `fuzz/README.md`) are not printed; every other panic
/// is, as usual.
fn quiet_expected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let caught_in_geo = info
                .location()
                .is_some_and(|l| l.file().ends_with("relate/relate_operation.rs"));
            if !caught_in_geo {
                default(info);
            }
        }));
    });
}

/// Runs `f` on every input of `target`, naming the input that fails.
fn replay(target: &str, f: fn(&[u8])) -> usize {
    quiet_expected_panics();
    let files = inputs(target);
    for p in &files {
        let data = std::fs::read(p).unwrap();
        if std::panic::catch_unwind(|| f(&data)).is_err() {
            panic!("{}: the {target} harness failed on this input", p.display());
        }
    }
    files.len()
}

#[test]
fn shp_corpus() {
    replay("shp", harness::shp);
}

#[test]
fn dbf_corpus() {
    replay("dbf", harness::dbf);
}

#[test]
fn geojson_corpus() {
    replay("geojson", harness::geojson);
}

#[test]
fn geotiff_corpus() {
    replay("geotiff", harness::geotiff);
}

#[test]
fn overlay_corpus() {
    replay("overlay", harness::overlay);
}

/// The kernel target reads the overlay target's byte format, so the overlay corpus (1,600
/// inputs grown by libFuzzer on the overlay) seeds it, with whatever `corpus/kernel/` and
/// `artifacts/kernel/` hold of its own.
#[test]
fn kernel_corpus() {
    let n = replay("overlay", harness::kernel) + replay("kernel", harness::kernel);
    assert!(n > 0, "no input for the kernel harness");
}

#[test]
fn gpkg_corpus() {
    assert!(
        replay("gpkg", harness::gpkg) > 0,
        "fuzz/corpus/gpkg is empty"
    );
}

#[test]
fn gpkg_file_corpus() {
    assert!(
        replay("gpkg_file", harness::gpkg_file) > 0,
        "fuzz/corpus/gpkg_file is empty"
    );
}

#[test]
fn gdbtable_corpus() {
    replay("gdbtable", harness::gdbtable);
}

/// The harness itself works on well-formed inputs (so an empty corpus folder cannot hide a broken
/// harness): the Erping fixture's patches as a shapefile input, and a forest over half a patch.
#[test]
fn harness_smoke() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let shp = std::fs::read(dir.join("patches_gbk.shp")).unwrap();
    let shx = std::fs::read(dir.join("patches_gbk.shx")).unwrap();
    let dbf = std::fs::read(dir.join("patches_gbk.dbf")).unwrap();
    let joined = harness::join_shapefile(&shp, Some(&shx), &dbf, 1);
    let (s, x, d, flags) = harness::split_shapefile(&joined).unwrap();
    assert_eq!(
        (s, x.as_deref(), d, flags),
        (shp.clone(), Some(&shx[..]), dbf.clone(), 1)
    );
    harness::shp(&joined);
    harness::dbf(&dbf);
    let mut square = vec![0u8, 1];
    for (x, y) in [(0i16, 0i16), (160, 0), (160, 160), (0, 160)] {
        square.extend(x.to_le_bytes());
        square.extend(y.to_le_bytes());
    }
    let mut input = square.clone();
    input.extend(&square[1..]);
    assert_eq!(harness::polygons(&input).len(), 2);
    harness::overlay(&input);
    // A File Geodatabase table GDAL wrote, whole and without its row index.
    let gdb = dir.join("filegdb/test.gdb");
    let table = std::fs::read(gdb.join("a00000009.gdbtable")).unwrap();
    let tablx = std::fs::read(gdb.join("a00000009.gdbtablx")).unwrap();
    let joined = harness::join_gdbtable(&table, Some(&tablx));
    assert_eq!(
        harness::split_gdbtable(&joined),
        Some((table.clone(), Some(tablx.clone())))
    );
    harness::gdbtable(&joined);
    let (layer, _) = tuban_io::filegdb::read_table_bytes(
        "t",
        &table,
        Some(&tablx),
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(layer.features.len(), 4);
    harness::gdbtable(&harness::join_gdbtable(&table, None));
}

/// A repair is the same in every run. geo's `make_valid` traced the rings of its result from a
/// `HashSet` of boundary edges, whose order changes with every set's random seed: at a vertex
/// where several boundary edges meet, the traced rings differed, and for the self-crossing patch
/// of `crash-baf1…` (an 8-minute fuzz run) 3 to 6 of 50 repairs in one process came out invalid
/// (a hole touching itself). The repair now fills each ring by the even-odd rule with i_overlay,
/// which has no hidden order; this replays the repair 50 times and asks for one answer.
#[test]
fn the_repair_of_a_self_crossing_patch_is_the_same_every_time() {
    use tuban_core::geo::MultiPolygon;
    use tuban_core::validity::{check_patch, InvalidPolicy, Outcome};
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/artifacts/overlay/crash-baf1cb8d4c7611eb57927cbf017d985187f8b86b");
    let data = std::fs::read(path).unwrap();
    let polys = harness::polygons(&data);
    let patch = MultiPolygon(vec![polys[0].clone()]);
    let first = match check_patch(&patch, InvalidPolicy::Repair) {
        Outcome::Repaired { geometry, .. } => geometry,
        other => panic!("the patch crosses itself, so it must be repaired: {other:?}"),
    };
    for run in 1..50 {
        let again = match check_patch(&patch, InvalidPolicy::Repair) {
            Outcome::Repaired { geometry, .. } => geometry,
            other => panic!("run {run}: {other:?}"),
        };
        assert_eq!(again, first, "run {run} repaired the patch differently");
    }
}
