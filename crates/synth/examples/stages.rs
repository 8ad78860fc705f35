//! Where a run's time and memory go, stage by stage:
//!
//! `cargo run --release -p tuban-synth --example stages -- PROJECT.toml [--planar] [--no-dem] [--threads N]`
//!
//! Runs the project through `tuban::run_with` and prints, at every stage boundary, the
//! wall time, CPU time, resident memory and the peak so far (from /proc/self), then the
//! pipeline's own timings. The stage names are the pipeline's; the part between two stages
//! (e.g. building obstacles after reading) is shown as "after STAGE".

use std::sync::Mutex;
use std::time::Instant;

use tuban::{Progress, Project, Stage};

struct Probe {
    start: Instant,
    last: Mutex<(Instant, f64, String)>,
}

fn status(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(key)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn cpu() -> f64 {
    // utime + stime of the process, in clock ticks (100 per second on Linux).
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

impl Probe {
    fn mark(&self, what: String) {
        let mut l = self.last.lock().unwrap();
        let now = Instant::now();
        let c = cpu();
        eprintln!(
            "{:<16} wall {:>7.2} s  cpu {:>7.2} s   (at {:>7.2} s)   RSS {:>7.0} MB   peak {:>7.0} MB",
            l.2,
            (now - l.0).as_secs_f64(),
            c - l.1,
            (now - self.start).as_secs_f64(),
            status("VmRSS:"),
            status("VmHWM:")
        );
        *l = (now, c, what);
    }
}

impl Progress for Probe {
    fn start(&self, stage: Stage, _total: Option<u64>) {
        self.mark(stage.label().to_string());
    }
    fn finish(&self) {
        let label = self.last.lock().unwrap().2.clone();
        self.mark(format!("after {label}"));
    }
}

// The allocator the tuban binary uses, so that times and memory match a real run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: stages PROJECT.toml [--planar] [--no-dem] [--threads N]");
    let mut project = Project::from_file(std::path::Path::new(&path)).expect("project");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--planar" => project.area_method = tuban_core::area::AreaMethod::Planar,
            "--no-dem" => project.dem = None,
            "--threads" => {
                project.threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--threads N")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    project.overwrite = true;
    let probe = Probe {
        start: Instant::now(),
        last: Mutex::new((Instant::now(), cpu(), "start".into())),
    };
    let out = tuban::run_with(&project, &probe).expect("run");
    probe.mark("end".into());
    eprintln!("{:?}", out.timings);
    eprintln!(
        "{} patches, {} obstacles",
        out.report.patches.len(),
        out.obstacles
    );
}
