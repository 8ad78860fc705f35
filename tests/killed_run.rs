//! A run killed while it writes its outputs (SIGKILL: no destructor, no clean-up) leaves no
//! half-written output: each target either does not exist or is complete, and the only other
//! thing a kill can leave is an obviously named `.tuban-*.part` temporary file beside it.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tuban() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tuban"))
}

/// A synthetic data set big enough that writing its outputs takes a noticeable time.
fn synth(dir: &Path, patches: usize) {
    let st = tuban()
        .args([
            "synth",
            "--patches",
            &patches.to_string(),
            "--no-dem",
            "--out",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
}

fn parts(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(".tuban-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Complete means: the CSV has its header and one line per patch, and ends with a newline; the
/// GeoJSON parses and holds one feature per patch.
fn assert_complete_if_present(out: &Path, patches: usize) {
    let csv = out.join("r.csv");
    if csv.exists() {
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.ends_with('\n'), "{} ends mid-line", csv.display());
        assert_eq!(text.lines().count(), patches + 1, "{}", csv.display());
    }
    let gj = out.join("r.geojson");
    if gj.exists() {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&gj).unwrap()).expect("complete GeoJSON");
        assert_eq!(v["features"].as_array().unwrap().len(), patches);
    }
}

#[test]
fn a_run_killed_while_writing_leaves_no_half_written_output() {
    const PATCHES: usize = 3000;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    synth(&data, PATCHES);
    let mut caught_mid_write = 0;
    for attempt in 0..6 {
        let out = tmp.path().join(format!("out{attempt}"));
        let toml = data.join(format!("kill{attempt}.toml"));
        let generated = std::fs::read_to_string(data.join("tuban.toml")).unwrap();
        let mut project = String::new();
        for line in generated.lines() {
            if line.starts_with("outputs") {
                project.push_str(&format!(
                    "outputs = [\"{0}/r.csv\", \"{0}/r.geojson\", \"{0}/r.gpkg\"]\n",
                    out.display()
                ));
            } else if line.starts_with("villages") {
                continue;
            } else {
                project.push_str(line);
                project.push('\n');
            }
        }
        std::fs::write(&toml, project).unwrap();
        let mut child = tuban()
            .args(["run", "--quiet"])
            .arg(&toml)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill the moment a temporary output appears (the run is then inside write_atomically),
        // a little later on each attempt so that the kill lands at different points of the write.
        let start = Instant::now();
        let mut killed = false;
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if !parts(&out).is_empty() {
                std::thread::sleep(Duration::from_millis(attempt * 7));
                child.kill().unwrap();
                killed = true;
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(600), "run hangs");
            std::thread::sleep(Duration::from_micros(200));
        }
        let status = child.wait().unwrap();
        assert_complete_if_present(&out, PATCHES);
        if killed && !status.success() {
            caught_mid_write += 1;
            // The leftover is only ever the temporary file, named so nobody takes it for a result.
            for p in parts(&out) {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                assert!(name.ends_with(".part"), "{name}");
            }
        }
    }
    assert!(
        caught_mid_write > 0,
        "no attempt was killed while writing; the test did not test anything"
    );
}
