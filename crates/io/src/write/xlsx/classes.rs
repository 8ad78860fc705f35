//! The class sheet (地类 / Classes): one row per obstacle class, then the union, the clean area
//! and all patches.

use rust_xlsxwriter::{Worksheet, XlsxError};
use tuban_core::codes::CodeTable;
use tuban_core::report::{Report, Unit};
use tuban_core::units::mu;
use tuban_core::verdict::class_zh;

use super::columns::unit_name;
use super::{write_header, Formats, Lang, Widths};

pub(super) fn classes_sheet(
    ws: &mut Worksheet,
    report: &Report,
    landuse: Option<&CodeTable>,
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
        Some(total.patches - total.failed - total.skipped),
        None,
        true,
    )?;
    ws.autofilter(0, 0, report.classes.len() as u32, (cols.len() - 1) as u16)?;
    if let Some(table) = landuse {
        codes_table(ws, table, lang, f, row + 1, &mut widths)?;
    }
    widths.apply(ws)
}

/// Below the classes, after an empty row: every land-use code inside the patches, its class,
/// the rule that decided, features and area; the codes no rule knows marked.
fn codes_table(
    ws: &mut Worksheet,
    table: &CodeTable,
    lang: Lang,
    f: &Formats,
    first: u32,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let title = match lang {
        Lang::Zh => format!(
            "图斑内的地类编码（字段 {}；地类图斑覆盖图斑面积的 {:.2}%；标 ！ 者无规则匹配，按净面积计）",
            table.field.as_deref().unwrap_or("无"),
            table.share() * 100.0
        ),
        Lang::En => format!(
            "Land-use codes inside the patches (field {}; the layer covers {:.2} % of the patches' area; ! marks codes no rule knows: counted as clean)",
            table.field.as_deref().unwrap_or("none"),
            table.share() * 100.0
        ),
    };
    ws.write_string_with_format(first, 0, &title, &f.bold)?;
    let headers = [
        lang.pick("编码", "code"),
        lang.pick("类别", "class"),
        lang.pick("判定", "decision"),
        lang.pick("规则", "rule"),
        lang.pick("地类图斑数", "features"),
        lang.pick("面积（平方米）", "area_m2"),
        lang.pick("面积（亩）", "area_mu"),
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(first + 1, c as u16, *h, &f.bold)?;
    }
    for (row, r) in (first + 2..).zip(table.rows.iter().filter(|r| r.m2 > 0.0)) {
        let code = format!("{}{}", if r.unknown() { "！" } else { "" }, r.code);
        ws.write_string_with_format(row, 0, &code, &f.text)?;
        ws.write_string_with_format(row, 1, r.class.as_deref().unwrap_or(""), &f.text)?;
        ws.write_string_with_format(row, 2, r.decision, &f.text)?;
        ws.write_string_with_format(row, 3, r.rule.as_deref().unwrap_or(""), &f.text)?;
        ws.write_number_with_format(row, 4, r.features as f64, &f.int)?;
        ws.write_number_with_format(row, 5, r.m2, &f.two)?;
        ws.write_number_with_format(row, 6, mu(r.m2), &f.two)?;
        widths.text(0, &code);
    }
    Ok(())
}
