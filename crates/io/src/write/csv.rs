//! The per-patch table as CSV: UTF-8 with a byte-order mark, so Excel shows Chinese text right.
//!
//! Numbers are written unrounded (the shortest decimal that reads back as the same `f64`, with at
//! least six decimals); text cells are quoted when needed by the `csv` crate. Failed patches have
//! empty numeric cells and their message in the `error` column.

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use tuban_core::codes::CodeTable;
use tuban_core::report::{Cell, Report, Unit};

use super::atomic::write_atomically;
use super::{full_precision, WriteError};

/// Writes the report's per-patch table to `out` (any writer), BOM included.
pub fn write_table(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = ::csv::Writer::from_writer(&mut *out);
    let columns = report.columns();
    w.write_record(columns.iter().map(|c| c.name.as_str()))?;
    w.flush()?;
    drop(w);
    // Rows are formatted in parallel, a block at a time (formatting a million rows of full
    // precision numbers is most of the cost), and written in order.
    const ROWS: usize = 2048;
    const BLOCKS: usize = 64;
    let n = report.patches.len();
    let mut start = 0;
    while start < n {
        let end = (start + ROWS * BLOCKS).min(n);
        let blocks: Vec<std::io::Result<Vec<u8>>> = (start..end)
            .into_par_iter()
            .step_by(ROWS)
            .map(|from| format_rows(report, &columns, from..(from + ROWS).min(end)))
            .collect();
        for block in blocks {
            out.write_all(&block?)?;
        }
        start = end;
    }
    Ok(())
}

/// Rows `rows` of the table as CSV.
fn format_rows(
    report: &Report,
    columns: &[tuban_core::report::Column],
    rows: std::ops::Range<usize>,
) -> std::io::Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut row: Vec<String> = Vec::with_capacity(columns.len());
    for i in rows {
        row.clear();
        for c in columns {
            row.push(match report.cell(i, c) {
                Cell::Text(s) => s,
                Cell::Empty => String::new(),
                Cell::Number(v) if c.unit == Unit::Count => format!("{}", v as u64),
                Cell::Number(v) => full_precision(v),
            });
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Writes the table to the file `path`, whole or not at all.
pub fn write(report: &Report, path: &Path) -> Result<(), WriteError> {
    write_atomically(path, |w| write_table(report, w))
}

/// Writes the per-village table: one row per village and a `total` row. The `_mu` columns are
/// rounded to two decimals by the largest-remainder method so the village rows add up exactly to
/// the total row (as the survey adjusts areas to a control total); the `_m2` columns are unrounded.
pub fn write_village_table(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    use tuban_core::account::{hundredths, Totals};
    use tuban_core::verdict::Verdict;

    out.write_all("\u{feff}".as_bytes())?;
    let mut w = ::csv::Writer::from_writer(out);
    let table = &report.villages;
    // (name, how to read the m² value from a Totals)
    type Pick = Box<dyn Fn(&Totals) -> f64>;
    let mut areas: Vec<(String, Pick)> = vec![("area".into(), Box::new(|t: &Totals| t.area_m2))];
    for (c, name) in report.classes.iter().enumerate() {
        areas.push((name.clone(), Box::new(move |t: &Totals| t.class_m2[c])));
    }
    areas.push(("obstacle".into(), Box::new(|t: &Totals| t.union_m2)));
    areas.push(("clean".into(), Box::new(|t: &Totals| t.clean_m2)));
    areas.push((
        "rectifiable".into(),
        Box::new(|t: &Totals| t.rectifiable_m2),
    ));

    let mut header: Vec<String> = vec!["village".into(), "patches".into(), "failed".into()];
    header.extend(Verdict::ALL.iter().map(|v| v.as_str().to_string()));
    for (name, _) in &areas {
        header.push(format!("{name}_m2"));
        header.push(format!("{name}_mu"));
    }
    // Added after the contract's first columns: `failed` counts only patches that could not be
    // measured; patches left out on purpose, and patches measured after a repair, have their own.
    header.push("skipped".into());
    header.push("repaired".into());
    w.write_record(&header)?;
    let columns: Vec<(Vec<i64>, i64)> = areas
        .iter()
        .map(|(_, pick)| table.mu_column(pick))
        .collect();
    let row = |name: &str, t: &Totals, mu: &dyn Fn(usize) -> i64| -> Vec<String> {
        let mut r = vec![
            name.to_string(),
            t.patches.to_string(),
            t.failed.to_string(),
        ];
        r.extend(t.verdicts.iter().map(|n| n.to_string()));
        for (k, (_, pick)) in areas.iter().enumerate() {
            r.push(full_precision(pick(t)));
            r.push(hundredths(mu(k)));
        }
        r.push(t.skipped.to_string());
        r.push(t.repaired.to_string());
        r
    };
    for (i, (name, t)) in table.villages.iter().enumerate() {
        w.write_record(row(name, t, &|k| columns[k].0[i]))?;
    }
    w.write_record(row("total", &table.total, &|k| columns[k].1))?;
    w.flush()?;
    Ok(())
}

/// Writes the per-village table to the file `path`, whole or not at all.
pub fn write_villages(report: &Report, path: &Path) -> Result<(), WriteError> {
    write_atomically(path, |w| write_village_table(report, w))
}

/// Writes the land-use layer's code table (every code inside the patches, its area, the class the
/// rules gave it and the rule that did) to `out` as CSV, BOM included.
///
/// Columns: `code`, `class` (empty when not an obstacle), `decision` (`obstacle`,
/// `not an obstacle`, `no rule`), `rule`, `unknown` (`true` for a code no rule knows, or only a
/// catch-all), `features` (near the patches), `pieces` (pairs of a feature and a patch that share area), `area_m2`, `area_mu`
/// (both unrounded, by the run's area method).
pub fn write_code_table(table: &CodeTable, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record([
        "code", "class", "decision", "rule", "unknown", "features", "pieces", "area_m2", "area_mu",
    ])?;
    for r in &table.rows {
        w.write_record([
            r.code.clone(),
            r.class.clone().unwrap_or_default(),
            r.decision.to_string(),
            r.rule.clone().unwrap_or_default(),
            r.unknown().to_string(),
            r.features.to_string(),
            r.pieces.to_string(),
            full_precision(r.m2),
            full_precision(tuban_core::units::mu(r.m2)),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the land-use code table to the file `path`, whole or not at all.
pub fn write_codes(table: &CodeTable, path: &Path) -> Result<(), WriteError> {
    write_atomically(path, |w| write_code_table(table, w))
}
