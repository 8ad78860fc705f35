//! The library gives the command line's numbers: read a project file and write its per-patch CSV
//! through the entry point alone.
//!
//! ```text
//! cargo run --release --example project_csv -- fixtures/erping/tuban.toml /tmp/erping.csv
//! ```
//!
//! The CSV is byte-identical to `tuban run PROJECT.toml -o OUT.csv` (tests/library.rs checks it on
//! the fixture and on a synthetic set with every layer and a DEM): `tuban run` is a thin caller of
//! the same [`tuban::run`].

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [project, out] = args.as_slice() else {
        return Err("usage: project_csv PROJECT.toml OUT.csv".into());
    };
    let mut project = tuban::Project::from_file(project)?;
    project.outputs = vec![out.clone()];
    project.villages = None;
    project.overwrite = true;
    let outcome = tuban::run(&project)?;
    let total = &outcome.report.villages.total;
    eprintln!(
        "{} patches, {:.2} mu blocked of {:.2} mu; wrote {}",
        total.patches,
        tuban::core::units::mu(total.union_m2),
        tuban::core::units::mu(total.area_m2),
        out.display()
    );
    Ok(())
}
