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

use std::path::Path;
use std::str::FromStr;

use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, IgnoreError, Workbook, Worksheet,
    XlsxError,
};
use tuban_core::account::Totals;
use tuban_core::report::{Cell, Column, Report, Unit};
use tuban_core::units::mu;
use tuban_core::verdict::{class_zh, Verdict};

use super::atomic::write_atomically;
use super::run_info::RunInfo;
use super::WriteError;

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
    classes_sheet(ws, report, lang, &f, names[2], &mut legend)?;

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

/// The header of a per-patch column in `lang`.
fn column_title(name: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return name.to_string();
    }
    let fixed = match name {
        "patch_id" => Some("图斑编号"),
        "village" => Some("村"),
        "area_m2" => Some("图斑面积（平方米）"),
        "area_mu" => Some("图斑面积（亩）"),
        "area_ha" => Some("图斑面积（公顷）"),
        "obstacle_m2" => Some("障碍面积（平方米）"),
        "obstacle_mu" => Some("障碍面积（亩）"),
        "obstacle_ha" => Some("障碍面积（公顷）"),
        "obstacle_pct" => Some("障碍占比（%）"),
        "clean_m2" => Some("净面积（平方米）"),
        "clean_mu" => Some("净面积（亩）"),
        "clean_ha" => Some("净面积（公顷）"),
        "grave_count" => Some("坟墓数（座）"),
        "verdict" => Some("结论（英文）"),
        "verdict_zh" => Some("结论"),
        "reasons" => Some("原因（英文）"),
        "reasons_zh" => Some("原因"),
        "area_planar_m2" => Some("平面面积（平方米）"),
        "area_ellipsoidal_m2" => Some("椭球面积（平方米）"),
        "area_method" => Some("面积算法"),
        "record" => Some("记录号"),
        "error" => Some("错误"),
        _ => None,
    };
    if let Some(t) = fixed {
        return t.to_string();
    }
    // Per-class columns: C_m2, C_mu, C_pct.
    for (suffix, zh) in [
        ("_m2", "面积（平方米）"),
        ("_mu", "面积（亩）"),
        ("_pct", "占比（%）"),
    ] {
        if let Some(class) = name.strip_suffix(suffix) {
            return format!("{}{zh}", class_zh(class));
        }
    }
    name.to_string()
}

/// What a per-patch column means, for the legend.
fn column_meaning(name: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let fixed = match name {
        "patch_id" => Some(("图斑的编号", "the patch's id")),
        "village" => Some(("图斑所属的村", "the patch's village")),
        "area_m2" | "area_mu" | "area_ha" => Some(("图斑面积", "the patch's area")),
        "obstacle_m2" | "obstacle_mu" | "obstacle_ha" => Some((
            "图斑内各类障碍的并集面积（重叠只计一次）",
            "area of the union of all obstacle classes in the patch (overlaps counted once)",
        )),
        "obstacle_pct" => Some(("障碍面积占图斑面积的百分比", "blocked share of the patch")),
        "clean_m2" | "clean_mu" | "clean_ha" => Some((
            "图斑面积减去障碍面积：可恢复的面积",
            "patch area minus the blocked area: what can be restored",
        )),
        "grave_count" => Some((
            "点位落在图斑内（含边界）的坟墓数",
            "graves whose point lies in the patch (boundary included)",
        )),
        "verdict" | "verdict_zh" => Some((
            "可整改、部分可整改或不可整改（阈值见“运行”表）",
            "rectifiable, partly or not_rectifiable (thresholds on the Run sheet)",
        )),
        "reasons" | "reasons_zh" => Some((
            "图斑内的障碍地类及面积，由大到小",
            "the obstacle classes found, each with its area, largest first",
        )),
        "area_planar_m2" => Some(("高斯-克吕格平面上的面积", "area in the Gauss-Kruger plane")),
        "area_ellipsoidal_m2" => Some((
            "椭球面积（国土调查方法）",
            "ellipsoidal area (the land survey's method)",
        )),
        "area_method" => Some((
            "其他面积列所用的算法",
            "the method of every other area column",
        )),
        "record" => Some((
            "图斑在原图层中的记录号（从1起）",
            "record number in the layer, from 1",
        )),
        "error" => Some((
            "为空，或该图斑无法计算的原因",
            "empty, or why the patch could not be measured",
        )),
        _ => None,
    };
    if let Some((z, e)) = fixed {
        return (if zh { z } else { e }).to_string();
    }
    for (suffix, z, e) in [
        (
            "_m2",
            "图斑内该类障碍的面积",
            "area of the class inside the patch",
        ),
        (
            "_mu",
            "图斑内该类障碍的面积",
            "area of the class inside the patch",
        ),
        (
            "_pct",
            "该类障碍占图斑面积的百分比",
            "share of the patch covered by the class",
        ),
    ] {
        if let Some(class) = name.strip_suffix(suffix) {
            return if zh {
                format!("{z}（{}，同类重叠只计一次）", class_zh(class))
            } else {
                format!("{e} ({class}; overlaps within the class counted once)")
            };
        }
    }
    String::new()
}

fn unit_label(unit: Unit, lang: Lang) -> &'static str {
    match (unit, lang) {
        (Unit::Text, _) => "",
        (Unit::M2, Lang::Zh) => "平方米",
        (Unit::M2, Lang::En) => "m²",
        (Unit::Mu, Lang::Zh) => "亩",
        (Unit::Mu, Lang::En) => "mu",
        (Unit::Ha, Lang::Zh) => "公顷",
        (Unit::Ha, Lang::En) => "ha",
        (Unit::Pct, _) => "%",
        (Unit::Count, Lang::Zh) => "个",
        (Unit::Count, Lang::En) => "count",
    }
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Text => "text",
        Unit::M2 => "m2",
        Unit::Mu => "mu",
        Unit::Ha => "ha",
        Unit::Pct => "pct",
        Unit::Count => "count",
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

fn patches_sheet(
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

type Pick = Box<dyn Fn(&Totals) -> f64>;

/// The areas of the village table: `(English name, Chinese name, how to read it)`.
fn village_areas(report: &Report) -> Vec<(String, String, Pick)> {
    let mut areas: Vec<(String, String, Pick)> = vec![(
        "area".into(),
        "图斑面积".into(),
        Box::new(|t: &Totals| t.area_m2),
    )];
    for (c, name) in report.classes.iter().enumerate() {
        areas.push((
            name.clone(),
            format!("{}面积", class_zh(name)),
            Box::new(move |t: &Totals| t.class_m2[c]),
        ));
    }
    areas.push((
        "obstacle".into(),
        "障碍面积".into(),
        Box::new(|t: &Totals| t.union_m2),
    ));
    areas.push((
        "clean".into(),
        "净面积".into(),
        Box::new(|t: &Totals| t.clean_m2),
    ));
    areas.push((
        "rectifiable".into(),
        "可恢复面积".into(),
        Box::new(|t: &Totals| t.rectifiable_m2),
    ));
    areas
}

fn villages_sheet(
    ws: &mut Worksheet,
    report: &Report,
    lang: Lang,
    f: &Formats,
    sheet: &str,
    legend: &mut Vec<[String; 5]>,
) -> Result<(), XlsxError> {
    let table = &report.villages;
    let areas = village_areas(report);
    // (header, CSV name, unit, meaning)
    let mut cols: Vec<(String, String, Unit, String)> = vec![
        (
            lang.pick("村", "village").into(),
            "village".into(),
            Unit::Text,
            lang.pick(
                "村名；最后一行为合计",
                "the village; the last row is the total",
            )
            .into(),
        ),
        (
            lang.pick("图斑数", "patches").into(),
            "patches".into(),
            Unit::Count,
            lang.pick("图斑个数", "number of patches").into(),
        ),
        (
            lang.pick("失败", "failed").into(),
            "failed".into(),
            Unit::Count,
            lang.pick(
                "无法计算的图斑数（其面积不计入合计）",
                "patches that could not be measured (not in the sums)",
            )
            .into(),
        ),
    ];
    for v in Verdict::ALL {
        cols.push((
            lang.pick(v.zh(), v.as_str()).into(),
            v.as_str().into(),
            Unit::Count,
            match lang {
                Lang::Zh => format!("结论为“{}”的图斑数", v.zh()),
                Lang::En => format!("patches judged {}", v.as_str()),
            },
        ));
    }
    for (name, zh, _) in &areas {
        let rounded = lang.pick(
            "按最大余数法取两位小数，各村之和恰等于合计",
            "rounded to 0.01 by the largest-remainder method, so the villages add up to the total exactly",
        );
        let what = match (lang, name.as_str()) {
            (Lang::Zh, "rectifiable") => "可整改与部分可整改图斑的净面积".to_string(),
            (Lang::En, "rectifiable") => {
                "clean area of the patches judged rectifiable or partly".to_string()
            }
            (Lang::Zh, _) => zh.clone(),
            (Lang::En, n) => format!("{n} area"),
        };
        cols.push((
            match lang {
                Lang::Zh => format!("{zh}（亩）"),
                Lang::En => format!("{name}_mu"),
            },
            format!("{name}_mu"),
            Unit::Mu,
            format!("{what}; {rounded}"),
        ));
        cols.push((
            match lang {
                Lang::Zh => format!("{zh}（平方米）"),
                Lang::En => format!("{name}_m2"),
            },
            format!("{name}_m2"),
            Unit::M2,
            format!("{what}; {}", lang.pick("未取整", "unrounded")),
        ));
    }
    let mut widths = Widths::new();
    let headers: Vec<String> = cols.iter().map(|c| c.0.clone()).collect();
    write_header(ws, &headers, f, &mut widths)?;
    for (h, name, unit, meaning) in &cols {
        legend.push([
            sheet.to_string(),
            h.clone(),
            name.clone(),
            unit_name(*unit).to_string(),
            meaning.clone(),
        ]);
    }
    let mu_columns: Vec<(Vec<i64>, i64)> = areas
        .iter()
        .map(|(_, _, pick)| table.mu_column(pick))
        .collect();
    let mut write_row = |ws: &mut Worksheet,
                         row: u32,
                         name: &str,
                         t: &Totals,
                         hundredths: &dyn Fn(usize) -> i64,
                         total: bool|
     -> Result<(), XlsxError> {
        let (text_f, int_f, two_f) = if total {
            (&f.bold, &f.bold_int, &f.bold_two)
        } else {
            (&f.text, &f.int, &f.two)
        };
        ws.write_string_with_format(row, 0, name, text_f)?;
        widths.text(0, name);
        let mut counts = vec![t.patches as f64, t.failed as f64];
        counts.extend(t.verdicts.iter().map(|&n| n as f64));
        let mut col = 1u16;
        for n in counts {
            ws.write_number_with_format(row, col, n, int_f)?;
            widths.number(col as usize, n, Unit::Count);
            col += 1;
        }
        for (k, (_, _, pick)) in areas.iter().enumerate() {
            let m = hundredths(k) as f64 / 100.0;
            ws.write_number_with_format(row, col, m, two_f)?;
            widths.number(col as usize, m, Unit::Mu);
            let m2 = pick(t);
            ws.write_number_with_format(row, col + 1, m2, two_f)?;
            widths.number(col as usize + 1, m2, Unit::M2);
            col += 2;
        }
        Ok(())
    };
    for (i, (name, t)) in table.villages.iter().enumerate() {
        write_row(ws, (i + 1) as u32, name, t, &|k| mu_columns[k].0[i], false)?;
    }
    let n = table.villages.len() as u32;
    write_row(
        ws,
        n + 1,
        lang.pick("合计", "total"),
        &table.total,
        &|k| mu_columns[k].1,
        true,
    )?;
    // The filter covers the villages, not the total row.
    ws.autofilter(0, 0, n, (cols.len() - 1) as u16)?;
    widths.apply(ws)
}

fn classes_sheet(
    ws: &mut Worksheet,
    report: &Report,
    lang: Lang,
    f: &Formats,
    sheet: &str,
    legend: &mut Vec<[String; 5]>,
) -> Result<(), XlsxError> {
    let total = &report.villages.total;
    let cols: [(&str, &str, &str, Unit, &str, &str); 7] = [
        (
            "地类",
            "class_zh",
            "class_zh",
            Unit::Text,
            "障碍地类（中文）",
            "the class's Chinese name",
        ),
        (
            "类别",
            "class",
            "class",
            Unit::Text,
            "障碍地类（英文，同 CSV 列名）",
            "the class (as in the CSV's column names)",
        ),
        (
            "面积（平方米）",
            "area_m2",
            "area_m2",
            Unit::M2,
            "所有图斑内该类的面积之和（未取整）",
            "sum over the patches of the class's area (unrounded)",
        ),
        (
            "面积（亩）",
            "area_mu",
            "area_mu",
            Unit::Mu,
            "同上，以亩计（未取整）",
            "the same in mu (unrounded)",
        ),
        (
            "涉及图斑数",
            "patches",
            "patches",
            Unit::Count,
            "含该类障碍的图斑数",
            "patches where the class is present",
        ),
        (
            "占图斑总面积（%）",
            "share_pct",
            "share_pct",
            Unit::Pct,
            "占全部图斑面积的百分比",
            "share of the total patch area",
        ),
        (
            "数量（座）",
            "count",
            "count",
            Unit::Count,
            "落在图斑内的计数点之和（坟墓数）",
            "counted points in the patches (graves)",
        ),
    ];
    let mut widths = Widths::new();
    let headers: Vec<String> = cols
        .iter()
        .map(|c| lang.pick(c.0, c.1).to_string())
        .collect();
    write_header(ws, &headers, f, &mut widths)?;
    for (c, h) in cols.iter().zip(&headers) {
        legend.push([
            sheet.to_string(),
            h.clone(),
            c.2.to_string(),
            unit_name(c.3).to_string(),
            lang.pick(c.4, c.5).to_string(),
        ]);
    }
    let share = |m2: f64| {
        if total.area_m2 > 0.0 {
            100.0 * m2 / total.area_m2
        } else {
            0.0
        }
    };
    let ok = |i: usize| report.results[i].error.is_none();
    let mut row = 1u32;
    let mut put = |ws: &mut Worksheet,
                   zh: &str,
                   en: &str,
                   m2: f64,
                   touched: Option<usize>,
                   count: Option<u64>,
                   bold: bool|
     -> Result<(), XlsxError> {
        let (text_f, two_f, int_f) = if bold {
            (&f.bold, &f.bold_two, &f.bold_int)
        } else {
            (&f.text, &f.two, &f.int)
        };
        ws.write_string_with_format(row, 0, zh, text_f)?;
        ws.write_string_with_format(row, 1, en, text_f)?;
        widths.text(0, zh);
        widths.text(1, en);
        ws.write_number_with_format(row, 2, m2, two_f)?;
        ws.write_number_with_format(row, 3, mu(m2), two_f)?;
        widths.number(2, m2, Unit::M2);
        if let Some(n) = touched {
            ws.write_number_with_format(row, 4, n as f64, int_f)?;
        }
        ws.write_number_with_format(row, 5, share(m2), two_f)?;
        if let Some(n) = count {
            ws.write_number_with_format(row, 6, n as f64, int_f)?;
        }
        row += 1;
        Ok(())
    };
    for (c, name) in report.classes.iter().enumerate() {
        let touched = (0..report.results.len())
            .filter(|&i| ok(i) && report.results[i].class_m2[c] > 0.0)
            .count();
        let count: u64 = (0..report.results.len())
            .filter(|&i| ok(i))
            .map(|i| report.results[i].point_count[c])
            .sum();
        let count = (count > 0 || name == "grave").then_some(count);
        put(
            ws,
            class_zh(name),
            name,
            total.class_m2[c],
            Some(touched),
            count,
            false,
        )?;
    }
    let blocked = (0..report.results.len())
        .filter(|&i| ok(i) && report.results[i].union_m2 > 0.0)
        .count();
    put(
        ws,
        "障碍合计（去重）",
        "obstacle (union)",
        total.union_m2,
        Some(blocked),
        None,
        true,
    )?;
    put(ws, "净面积", "clean", total.clean_m2, None, None, true)?;
    put(
        ws,
        "全部图斑",
        "all patches",
        total.area_m2,
        Some(total.patches - total.failed),
        None,
        true,
    )?;
    ws.autofilter(0, 0, report.classes.len() as u32, (cols.len() - 1) as u16)?;
    widths.apply(ws)
}

fn run_sheet(
    ws: &mut Worksheet,
    report: &Report,
    info: &RunInfo,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut widths = Widths::new();
    let headers = [
        lang.pick("项目", "item").to_string(),
        lang.pick("内容", "value").to_string(),
    ];
    write_header(ws, &headers, f, &mut widths)?;
    let mut row = 1u32;
    // Writes a `key, value` row and returns its number.
    let mut kv = |ws: &mut Worksheet, k: &str, v: &str| -> Result<u32, XlsxError> {
        ws.write_string(row, 0, k)?;
        widths.text(0, k);
        if !v.is_empty() {
            ws.write_string(row, 1, v)?;
            widths.text(1, v);
        }
        row += 1;
        Ok(row - 1)
    };
    kv(
        ws,
        lang.pick("tuban 版本", "tuban version"),
        &info.tuban_version,
    )?;
    kv(ws, lang.pick("开始时间", "started"), &info.started)?;
    let r = kv(ws, lang.pick("用时（秒）", "seconds"), "")?;
    ws.write_number_with_format(r, 1, info.seconds, &f.three)?;
    kv(ws, lang.pick("坐标系", "CRS"), &info.crs)?;
    for (role, note) in &info.crs_notes {
        let k = match lang {
            Lang::Zh => format!("坐标系：{role}"),
            Lang::En => format!("CRS of {role}"),
        };
        kv(ws, &k, note)?;
    }
    kv(ws, lang.pick("面积算法", "area method"), &info.area_method)?;
    for (i, r) in info.rules.iter().enumerate() {
        let k = match lang {
            Lang::Zh => format!("规则 {}", i + 1),
            Lang::En => format!("rule {}", i + 1),
        };
        kv(ws, &k, r)?;
    }
    for (name, value) in &info.thresholds {
        let k = match lang {
            Lang::Zh => format!("阈值：{name}"),
            Lang::En => format!("threshold: {name}"),
        };
        kv(ws, &k, value)?;
    }
    // The verdict's thresholds come from the report itself: they are the ones the verdicts used.
    let v = &report.verdict_rules;
    for (zh, en, value) in [
        (
            "结论阈值：可忽略的障碍面积（平方米，negligible_m2）",
            "verdict threshold: negligible_m2",
            v.negligible_m2,
        ),
        (
            "结论阈值：最小净面积（亩，min_clean_mu）",
            "verdict threshold: min_clean_mu",
            v.min_clean_mu,
        ),
        (
            "结论阈值：不可整改的障碍占比（%，max_blocked_pct）",
            "verdict threshold: max_blocked_pct",
            v.max_blocked_pct,
        ),
    ] {
        let r = kv(ws, lang.pick(zh, en), "")?;
        ws.write_number(r, 1, value)?;
    }
    let t = &report.villages.total;
    let r = kv(ws, lang.pick("图斑数", "patches"), "")?;
    ws.write_number_with_format(r, 1, t.patches as f64, &f.int)?;
    let r = kv(ws, lang.pick("失败图斑数", "failed patches"), "")?;
    ws.write_number_with_format(r, 1, t.failed as f64, &f.int)?;
    for (i, w) in info.warnings.iter().enumerate() {
        let k = match lang {
            Lang::Zh => format!("警告 {}", i + 1),
            Lang::En => format!("warning {}", i + 1),
        };
        kv(ws, &k, w)?;
    }
    // The inputs, as a table of their own below.
    row += 1;
    let input_headers = [
        lang.pick("输入文件用途", "input role"),
        lang.pick("文件", "file"),
        lang.pick("字节数", "bytes"),
        "SHA-256",
    ];
    for (c, h) in input_headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
        widths.text(c, h);
    }
    row += 1;
    for file in &info.inputs {
        let p = file.path.display().to_string();
        ws.write_string(row, 0, &file.role)?;
        ws.write_string(row, 1, &p)?;
        ws.write_number_with_format(row, 2, file.bytes as f64, &f.int)?;
        ws.write_string(row, 3, &file.sha256)?;
        widths.text(0, &file.role);
        widths.text(1, &p);
        widths.number(2, file.bytes as f64, Unit::Count);
        widths.text(3, &file.sha256);
        row += 1;
    }
    // The value column holds long sentences: cap it, and let Excel wrap nothing.
    widths.apply(ws)
}

fn legend_sheet(
    ws: &mut Worksheet,
    lang: Lang,
    f: &Formats,
    legend: &[[String; 5]],
) -> Result<(), XlsxError> {
    let mut widths = Widths::new();
    let headers: Vec<String> = [
        lang.pick("表", "sheet"),
        lang.pick("表头", "header"),
        lang.pick("字段名", "column"),
        lang.pick("单位", "unit"),
        lang.pick("说明", "meaning"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    write_header(ws, &headers, f, &mut widths)?;
    for (i, entry) in legend.iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, s) in entry.iter().enumerate() {
            let shown = if c == 3 {
                unit_label(unit_from_name(s), lang).to_string()
            } else {
                s.clone()
            };
            if !shown.is_empty() {
                ws.write_string(row, c as u16, &shown)?;
            }
            widths.text(c, &shown);
        }
    }
    ws.autofilter(0, 0, legend.len() as u32, 4)?;
    widths.apply(ws)
}

fn unit_from_name(s: &str) -> Unit {
    match s {
        "m2" => Unit::M2,
        "mu" => Unit::Mu,
        "ha" => Unit::Ha,
        "pct" => Unit::Pct,
        "count" => Unit::Count,
        _ => Unit::Text,
    }
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

    #[test]
    fn chinese_titles_of_class_columns() {
        assert_eq!(column_title("forest_mu", Lang::Zh), "林地面积（亩）");
        assert_eq!(column_title("wetland_pct", Lang::Zh), "wetland占比（%）");
        assert_eq!(column_title("obstacle_mu", Lang::En), "obstacle_mu");
        assert_eq!(display_width("中山村a"), 7);
    }
}
