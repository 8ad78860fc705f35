//! The library gives the command line's numbers: `examples/project_csv.rs` (the entry point alone,
//! no CLI code) writes the same bytes as `tuban run PROJECT.toml -o OUT.csv`, on the fixture and
//! on a synthetic set with every layer and a DEM; and the stages called one by one give the
//! entry point's report.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_tuban")
}

/// The example binary `cargo test` builds beside this test's (target/<profile>/examples).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} was not built (cargo test builds the examples)",
        path.display()
    );
    path
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn same_csv_both_ways(project: &Path, dir: &Path) {
    let (by_cli, by_library) = (dir.join("cli.csv"), dir.join("library.csv"));
    run(Command::new(bin())
        .args(["run", "--quiet", "-o"])
        .arg(&by_cli)
        .arg(project));
    run(Command::new(example("project_csv"))
        .arg(project)
        .arg(&by_library));
    let (a, b) = (
        std::fs::read(&by_cli).unwrap(),
        std::fs::read(&by_library).unwrap(),
    );
    assert!(a.len() > 1000, "{} bytes", a.len());
    assert!(
        a == b,
        "{} and {} differ",
        by_cli.display(),
        by_library.display()
    );
}

#[test]
fn the_example_writes_the_cli_csv_byte_for_byte_on_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/erping/tuban.toml");
    same_csv_both_ways(&project, dir.path());
}

#[test]
fn the_example_writes_the_cli_csv_byte_for_byte_on_a_synthetic_set_with_every_layer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("s");
    run(Command::new(bin())
        .args(["synth", "--patches", "400", "--seed", "7", "--out"])
        .arg(&data));
    let project = data.join("tuban.toml");
    let text = std::fs::read_to_string(&project).unwrap();
    for table in ["[landuse]", "[graves]", "[roads]", "[dem]"] {
        assert!(text.contains(table), "the synthetic project has {table}");
    }
    same_csv_both_ways(&project, dir.path());
}

/// The stages called one by one, as an embedder may, give the entry point's report.
#[test]
fn the_stages_one_by_one_give_the_entry_points_report() {
    use tuban::stage;
    let mut project = tuban::Project::from_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/erping/tuban.toml"),
    )
    .unwrap();
    project.outputs.clear();
    project.villages = None;
    let whole = tuban::run(&project).unwrap().report;

    let rules = tuban::rules(&project).unwrap();
    let inputs = stage::read::read(&project, &rules, &tuban::NoProgress).unwrap();
    let settled = stage::crs::settle(inputs, project.assume_crs.as_deref()).unwrap();
    let working = settled.working.crs;
    let patches =
        stage::build::patches(&settled.patches, &project.patches, project.invalid).unwrap();
    let mut obstacles = stage::build::obstacles(settled.obstacles, &rules, project.invalid)
        .unwrap()
        .obstacles;
    let dem = project.dem.as_ref().unwrap();
    let steep = stage::slope::steep_cells(dem, None, working, &patches.patches, &rules).unwrap();
    obstacles.extend(steep.obstacles);
    let index = stage::overlay::index(obstacles);
    let classes = rules.classes().len();
    let overlaid = stage::overlay::overlay(
        &patches.patches,
        &index,
        classes,
        working,
        project.area_method,
        false,
        &tuban::NoProgress,
    )
    .unwrap();
    let report = stage::account::account(patches, overlaid, &rules, working);

    assert_eq!(report.patches.len(), 203);
    assert_eq!(report.results, whole.results);
    assert_eq!(report.villages, whole.villages);
    assert_eq!(report.both_areas, whole.both_areas);
}

/// A progress that cancels stops the run before anything is written.
#[test]
fn a_cancelled_run_writes_nothing() {
    struct CancelAt(tuban::Stage, std::sync::atomic::AtomicBool);
    impl tuban::Progress for CancelAt {
        fn start(&self, stage: tuban::Stage, _: Option<u64>) {
            if stage == self.0 {
                self.1.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        fn cancelled(&self) -> bool {
            self.1.load(std::sync::atomic::Ordering::SeqCst)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut project = tuban::Project::from_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/erping/tuban.toml"),
    )
    .unwrap();
    let out = dir.path().join("x.csv");
    project.outputs = vec![out.clone()];
    project.villages = None;
    for stage in [
        tuban::Stage::Crs,
        tuban::Stage::Overlay,
        tuban::Stage::Account,
    ] {
        let progress = CancelAt(stage, false.into());
        let e = tuban::run_with(&project, &progress).unwrap_err();
        assert!(matches!(e, tuban::Error::Cancelled), "{stage:?}: {e}");
        assert!(!out.exists(), "{stage:?}");
    }
}
