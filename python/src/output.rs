//! The report as Arrow tables: the per-patch table with exactly the CSV's columns, and the
//! village table with exactly the village CSV's.
//!
//! The per-patch columns and values come from [`Report::columns`] and [`Report::cell`], the
//! source the CSV writer formats, so a column added to the report appears here too. Types follow
//! each column's unit: text as `string` (a cell the CSV leaves empty because the patch was not
//! measured is null), counts and record numbers as `int64`, areas and percentages as `float64`
//! (the CSV's shortest round-trip decimal of the same `f64`). Columns are built in parallel.
//!
//! The village table is the CLI's own: the CSV writer (`tuban::io::write::csv`) formats it into
//! memory and it is read back here, so the per-village mu rounded by largest remainder, and any
//! column the writer gains, are the file's to the digit. The text written is each `f64`'s
//! shortest round-trip form, so reading it back gives the same `f64`.

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use rayon::prelude::*;
use tuban::core::report::{Cell, Column, Report, Unit};

/// The per-patch table.
pub fn patches(report: &Report) -> RecordBatch {
    let columns = report.columns();
    let arrays: Vec<ArrayRef> = columns.par_iter().map(|c| column(report, c)).collect();
    let fields: Vec<Field> = columns
        .iter()
        .zip(&arrays)
        .map(|(c, a)| Field::new(c.name.clone(), a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .expect("one array per column, each one row per patch")
}

fn column(report: &Report, c: &Column) -> ArrayRef {
    let n = report.patches.len();
    match c.unit {
        Unit::Text => {
            let mut b = StringBuilder::with_capacity(n, n * 8);
            for row in 0..n {
                match report.cell(row, c) {
                    Cell::Text(s) => b.append_value(s),
                    Cell::Number(v) => b.append_value(v.to_string()),
                    Cell::Empty => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        Unit::Count => {
            let mut b = Int64Builder::with_capacity(n);
            for row in 0..n {
                match report.cell(row, c) {
                    // As the CSV writes a count: `v as u64`.
                    Cell::Number(v) => b.append_value(v as u64 as i64),
                    Cell::Text(_) | Cell::Empty => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        Unit::M2 | Unit::Mu | Unit::Ha | Unit::Pct => {
            let mut b = Float64Builder::with_capacity(n);
            for row in 0..n {
                match report.cell(row, c) {
                    Cell::Number(v) => b.append_value(v),
                    Cell::Text(_) | Cell::Empty => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
    }
}

/// A value of the village table's total row.
pub enum Total {
    /// The `village` cell (`total`).
    Text(String),
    /// A count.
    Int(i64),
    /// An area in m², or mu rounded to hundredths.
    Float(f64),
}

/// The village table (one row per village, without the total row) and the total row as
/// `(column, value)` pairs.
pub fn villages(report: &Report) -> (RecordBatch, Vec<(String, Total)>) {
    let mut text = Vec::new();
    tuban::io::write::csv::write_village_table(report, &mut text)
        .expect("writing to memory cannot fail");
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&text);
    let mut reader = csv::Reader::from_reader(text);
    let header: Vec<String> = reader
        .headers()
        .expect("the writer's header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("the writer's rows");
    let (total, villages) = rows
        .split_last()
        .expect("the writer always writes a total row");
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    let mut totals = Vec::new();
    for (k, name) in header.iter().enumerate() {
        let cells = || villages.iter().map(move |r| &r[k]);
        // The first column names the village; a column whose every cell (total row included) is
        // a whole number is a count; the others are areas.
        let (array, value): (ArrayRef, Total) = if k == 0 {
            let a = arrow_array::StringArray::from_iter_values(cells());
            (Arc::new(a), Total::Text(total[k].to_string()))
        } else if std::iter::once(&total[k])
            .chain(cells())
            .all(|s| s.parse::<i64>().is_ok())
        {
            let a = arrow_array::Int64Array::from_iter_values(
                cells().map(|s| s.parse::<i64>().expect("checked")),
            );
            (Arc::new(a), Total::Int(total[k].parse().expect("checked")))
        } else {
            let a = arrow_array::Float64Array::from_iter(cells().map(parse_float));
            (
                Arc::new(a),
                Total::Float(parse_float(&total[k]).unwrap_or(f64::NAN)),
            )
        };
        fields.push(Field::new(name.clone(), array.data_type().clone(), true));
        arrays.push(array);
        totals.push((name.clone(), value));
    }
    let batch =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("one array per column");
    (batch, totals)
}

fn parse_float(s: &str) -> Option<f64> {
    s.parse().ok()
}
