//! Overlay the Erping fixture with the library alone and print per-village totals.
//!
//! ```text
//! cargo run --release --example village_totals            # uses fixtures/erping
//! cargo run --release --example village_totals -- DIR     # patches.shp and dltb.shp in DIR
//! ```
//!
//! This is what an embedder writes: a project built in code (two layers, every option at the
//! command line's default: ellipsoidal areas, invalid geometry repaired, the built-in rules), run
//! through the library's one entry point, then the village totals with rounding that adds up.

use std::path::PathBuf;

use tuban::core::account::hundredths;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/erping"));
    let mut project = tuban::Project::new(dir.join("patches.shp"));
    project.landuse = Some(tuban::LayerSpec::file(dir.join("dltb.shp")));
    let report = tuban::run(&project)?.report;
    let table = &report.villages;
    let (area, area_total) = table.mu_column(|t| t.area_m2);
    let (blocked, blocked_total) = table.mu_column(|t| t.union_m2);
    let (clean, clean_total) = table.mu_column(|t| t.clean_m2);
    let (fixable, fixable_total) = table.mu_column(|t| t.rectifiable_m2);
    println!(
        "{:<10} {:>8} {:>10} {:>10} {:>10} {:>12}  verdicts (ok/partly/no)",
        "village", "patches", "mu", "blocked", "clean", "restorable"
    );
    for (i, (name, t)) in table.villages.iter().enumerate() {
        println!(
            "{:<10} {:>8} {:>10} {:>10} {:>10} {:>12}  {}/{}/{}",
            name,
            t.patches,
            hundredths(area[i]),
            hundredths(blocked[i]),
            hundredths(clean[i]),
            hundredths(fixable[i]),
            t.verdicts[0],
            t.verdicts[1],
            t.verdicts[2]
        );
    }
    let t = &table.total;
    println!(
        "{:<10} {:>8} {:>10} {:>10} {:>10} {:>12}  {}/{}/{}",
        "total",
        t.patches,
        hundredths(area_total),
        hundredths(blocked_total),
        hundredths(clean_total),
        hundredths(fixable_total),
        t.verdicts[0],
        t.verdicts[1],
        t.verdicts[2]
    );
    Ok(())
}
