//! The report as an Excel workbook (.xlsx), where land officers end their day.
//!
//! Five sheets, named in the chosen [`Lang`]uage (Chinese by default):
//!
//! | sheet | rows |
//! |---|---|
//! | 图斑 / Patches | one per patch, in input order: every column of the CSV ([`Report::columns`]) |
//! | 村 / Villages | one per village and a total row: patch and verdict counts, then mu and m² of the patch area, each class, the obstacle union, the clean area and the restorable area |
//! | 地类 / Classes | one per class (m², mu, patches touched, share of the patch area, count), then the obstacle union, the clean area and all patches |
//! | 运行 / Run | what the run was ([`RunInfo`]): version, start, duration, CRS, area method, rules, thresholds, warnings, and every input file with its size and SHA-256 |
//! | 字段 / Columns | what each column of the first three sheets holds: header, the CSV name, unit, meaning |
//!
//! Every number is stored as a number, never as text, and **unrounded** (the same `f64` as in
//! the CSV); formats only change what Excel shows: m², mu and percent with two decimals (`0.00`),
//! hectares with four, counts as integers. So a SUM over a column is exact, while a column of
//! two-decimal values may appear to add up to a hundredth off. The **village sheet is the
//! exception**: its mu are the two-decimal values rounded by the largest-remainder method
//! ([`tuban_core::account::VillageTable::mu_column`]), stored as such, so the displayed village
//! rows add up exactly to the total row, as the survey adjusts areas to a control total; its m²
//! are unrounded.
//!
//! Each sheet's header row is frozen (on the patch sheet, the id and village columns too); the data
//! sheets have an autofilter over the header and the
//! data rows (the village total row stays outside it, so sorting never moves it); widths follow the
//! contents (a CJK character counts as two), between 6 and 60 characters.
//!
//! Each sheet is written by its own module (`patches`, `villages`, `classes`, `run`), and the
//! last, the columns sheet, by `columns`, which also holds the headers and meanings of the
//! per-patch columns. The sheets of data add the columns they write to the legend that the
//! columns sheet lists. This module holds what they share: the language, the cell formats, the
//! column widths and the header row.

mod classes;
mod columns;
mod patches;
mod run;
mod villages;

use std::path::Path;
use std::str::FromStr;

use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use tuban_core::report::{Report, Unit};

use super::atomic::write_atomically;
use super::run_info::RunInfo;
use super::WriteError;

use classes::classes_sheet;
use columns::legend_sheet;
use patches::patches_sheet;
use run::run_sheet;
use villages::villages_sheet;

/// The language of the workbook's sheet names, headers and labels. The data (ids, village
/// names, verdicts, reasons in both languages) is the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese (the default: the reports go to township officials).
    #[default]
    Zh,
    /// English: sheet names in English, headers are the CSV's column names.
    En,
}

impl FromStr for Lang {
    type Err = String;

    /// `zh` (also `cn`, `chinese`, `中文`) or `en` (`english`), any case.
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "cn" | "zh-cn" | "chinese" | "中文" => Ok(Lang::Zh),
            "en" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}': use 'zh' or 'en'")),
        }
    }
}

impl Lang {
    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The sheet names, in order: patches, villages, classes, run, columns.
pub fn sheet_names(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Zh => ["图斑", "村", "地类", "运行", "字段"],
        Lang::En => ["Patches", "Villages", "Classes", "Run", "Columns"],
    }
}

/// Writes the workbook to `path`, whole or not at all.
pub fn write(report: &Report, info: &RunInfo, lang: Lang, path: &Path) -> Result<(), WriteError> {
    let xlsx = |e: XlsxError| WriteError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    };
    let bytes = workbook(report, info, lang)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(xlsx)?;
    write_atomically(path, |w| w.write_all(&bytes))
}

/// Builds the workbook in memory (see the module documentation).
fn workbook(report: &Report, info: &RunInfo, lang: Lang) -> Result<Workbook, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(lang.pick("图斑障碍测算", "tuban: obstacles in rectification patches"))
            .set_author(format!("tuban {}", info.tuban_version))
            .set_comment(report.method_note.clone()),
    );
    let names = sheet_names(lang);
    let mut legend: Vec<[String; 5]> = Vec::new();

    let ws = wb.add_worksheet();
    ws.set_name(names[0])?;
    patches_sheet(ws, report, lang, &f, names[0], &mut legend)?;

    let ws = wb.add_worksheet();
    ws.set_name(names[1])?;
    villages_sheet(ws, report, lang, &f, names[1], &mut legend)?;

    let ws = wb.add_worksheet();
    ws.set_name(names[2])?;
    classes_sheet(
        ws,
        report,
        info.landuse.as_ref(),
        lang,
        &f,
        names[2],
        &mut legend,
    )?;

    let ws = wb.add_worksheet();
    ws.set_name(names[3])?;
    run_sheet(ws, report, info, lang, &f)?;

    let ws = wb.add_worksheet();
    ws.set_name(names[4])?;
    legend_sheet(ws, lang, &f, &legend)?;
    Ok(wb)
}

struct Formats {
    header: Format,
    bold: Format,
    two: Format,
    three: Format,
    four: Format,
    int: Format,
    text: Format,
    bold_two: Format,
    bold_int: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            bold: Format::new().set_bold(),
            two: Format::new().set_num_format("0.00"),
            three: Format::new().set_num_format("0.000"),
            four: Format::new().set_num_format("0.0000"),
            int: Format::new().set_num_format("0"),
            text: Format::new(),
            bold_two: Format::new().set_bold().set_num_format("0.00"),
            bold_int: Format::new().set_bold().set_num_format("0"),
        }
    }

    fn number(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Count => &self.int,
            Unit::Ha => &self.four,
            Unit::M2 | Unit::Mu | Unit::Pct => &self.two,
            Unit::Text => &self.text,
        }
    }
}

/// Display width of text in Excel's character units: a CJK (or other wide) character counts two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

/// Tracks the widest content of each column, and the header's widths, to size the columns and
/// the header row.
struct Widths(Vec<usize>, Vec<usize>);

impl Widths {
    fn new() -> Self {
        Widths(Vec::new(), Vec::new())
    }

    fn see(&mut self, col: usize, w: usize) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(w);
    }

    fn text(&mut self, col: usize, s: &str) {
        self.see(col, display_width(s));
    }

    fn number(&mut self, col: usize, v: f64, unit: Unit) {
        let shown = match unit {
            Unit::Count => format!("{v:.0}"),
            Unit::Ha => format!("{v:.4}"),
            _ => format!("{v:.2}"),
        };
        self.see(col, shown.len());
    }

    /// Headers wrap, so a long one may take two lines rather than widen the column to its length.
    fn header(&mut self, col: usize, s: &str) {
        let w = display_width(s);
        self.see(col, if w > 16 { w.div_ceil(2).max(12) } else { w });
        if self.1.len() <= col {
            self.1.resize(col + 1, 0);
        }
        self.1[col] = w;
    }

    /// Sets the column widths (2 characters of margin, between 6 and 60), and the header row's
    /// height to the lines its longest wrapped header needs (Excel does not grow it by itself).
    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let mut lines = 1;
        for (c, w) in self.0.iter().enumerate() {
            let width = (w + 2).clamp(6, 60);
            ws.set_column_width(c as u16, width as f64)?;
            if let Some(&h) = self.1.get(c) {
                lines = lines.max(h.div_ceil(width - 1));
            }
        }
        if lines > 1 {
            ws.set_row_height(0, 15.0 * lines as f64 + 3.0)?;
        }
        Ok(())
    }
}

fn write_header(
    ws: &mut Worksheet,
    headers: &[String],
    f: &Formats,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &f.header)?;
        widths.header(c, h);
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!(" EN ".parse::<Lang>(), Ok(Lang::En));
        assert_eq!(Lang::default(), Lang::Zh);
        assert!("fr".parse::<Lang>().unwrap_err().contains("'fr'"));
    }
}
