//! The per-patch table as CSV: UTF-8 with a byte-order mark, so Excel shows Chinese text right.
//!
//! Numbers are written unrounded (the shortest decimal that reads back as the same `f64`, with at
//! least six decimals); text cells are quoted when needed by the `csv` crate. Failed patches have
//! empty numeric cells and their message in the `error` column.

use std::io::Write;
use std::path::Path;

use tuban_core::report::{Cell, Report, Unit};

use super::atomic::write_atomically;
use super::{full_precision, WriteError};

/// Writes the report's per-patch table to `out` (any writer), BOM included.
pub fn write_table(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = ::csv::Writer::from_writer(out);
    let columns = report.columns();
    w.write_record(columns.iter().map(|c| c.name.as_str()))?;
    let mut row: Vec<String> = Vec::with_capacity(columns.len());
    for i in 0..report.patches.len() {
        row.clear();
        for c in &columns {
            row.push(match report.cell(i, c) {
                Cell::Text(s) => s,
                Cell::Empty => String::new(),
                Cell::Number(v) if c.unit == Unit::Count => format!("{}", v as u64),
                Cell::Number(v) => full_precision(v),
            });
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the table to the file `path`, whole or not at all.
pub fn write(report: &Report, path: &Path) -> Result<(), WriteError> {
    write_atomically(path, |w| write_table(report, w))
}
