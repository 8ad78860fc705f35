//! Overlay the Erping fixture with the library alone and print per-village totals.
//!
//! ```text
//! cargo run --release --example village_totals            # uses fixtures/erping
//! cargo run --release --example village_totals -- DIR     # patches.shp and dltb.shp in DIR
//! ```
//!
//! This is what an embedder writes: read two layers (tuban-io), turn them into patches and
//! classed obstacles with the built-in rules, index, overlay in parallel (tuban-core), then total
//! per village with rounding that adds up.

use std::path::PathBuf;

use tuban_core::account::hundredths;
use tuban_core::area::AreaMethod;
use tuban_core::build::{obstacles_from_layer, patches_from_layer, PatchFields};
use tuban_core::overlay::{overlay, ObstacleIndex, OverlayOptions};
use tuban_core::report::Report;
use tuban_core::rules::Rules;
use tuban_io::read::{read_layer, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/erping"));
    let opts = ReadOptions::default();
    let patch_layer = read_layer(&dir.join("patches.shp"), &opts)?;
    let landuse = read_layer(&dir.join("dltb.shp"), &opts)?;

    let rules = Rules::builtin();
    let patches = patches_from_layer(&patch_layer, &PatchFields::guess(&patch_layer))?;
    let index = ObstacleIndex::new(obstacles_from_layer(
        "landuse",
        &landuse,
        &rules,
        &Default::default(),
    )?);
    let results = overlay(
        &patches,
        &index,
        rules.classes().len(),
        &OverlayOptions::default(),
    );

    let report = Report::new(
        rules.classes().to_vec(),
        "planar".into(),
        patches,
        results,
        AreaMethod::Planar,
        rules.verdict.clone(),
    );
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
