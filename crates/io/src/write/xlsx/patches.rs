//! The patch sheet (图斑 / Patches): one row per patch, every column of the CSV.

use rust_xlsxwriter::{IgnoreError, Worksheet, XlsxError};
use tuban_core::report::{Cell, Column, Report};

use super::columns::{column_meaning, column_title, unit_name};
use super::{write_header, Formats, Lang, Widths};

pub(super) fn patches_sheet(
    ws: &mut Worksheet,
    report: &Report,
    lang: Lang,
    f: &Formats,
    sheet: &str,
    legend: &mut Vec<[String; 5]>,
) -> Result<(), XlsxError> {
    let columns: Vec<Column> = report.columns();
    let mut widths = Widths::new();
    let headers: Vec<String> = columns
        .iter()
        .map(|c| column_title(&c.name, lang))
        .collect();
    write_header(ws, &headers, f, &mut widths)?;
    for (c, h) in columns.iter().zip(&headers) {
        legend.push([
            sheet.to_string(),
            h.clone(),
            c.name.clone(),
            unit_name(c.unit).to_string(),
            column_meaning(&c.name, lang),
        ]);
    }
    for i in 0..report.patches.len() {
        let row = (i + 1) as u32;
        for (k, c) in columns.iter().enumerate() {
            match report.cell(i, c) {
                Cell::Text(s) => {
                    widths.text(k, &s);
                    if !s.is_empty() {
                        ws.write_string(row, k as u16, &s)?;
                    }
                }
                Cell::Number(v) => {
                    widths.number(k, v, c.unit);
                    ws.write_number_with_format(row, k as u16, v, f.number(c.unit))?;
                }
                Cell::Empty => {}
            }
        }
    }
    // Keep the id and the village in view when scrolling right through the many columns.
    ws.set_freeze_panes(1, 2)?;
    let last_row = report.patches.len() as u32;
    let last_col = (columns.len() - 1) as u16;
    ws.autofilter(0, 0, last_row, last_col)?;
    if last_row > 0 {
        // Ids such as "0012" are text on purpose: keep Excel from flagging them.
        ws.ignore_error_range(1, 0, last_row, 0, IgnoreError::NumberStoredAsText)?;
    }
    widths.apply(ws)
}
