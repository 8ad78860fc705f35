//! The class sheet (地类 / Classes): one row per obstacle class, then the union, the clean area
//! and all patches.

use rust_xlsxwriter::{Worksheet, XlsxError};
use tuban_core::report::{Report, Unit};
use tuban_core::units::mu;
use tuban_core::verdict::class_zh;

use super::columns::unit_name;
use super::{write_header, Formats, Lang, Widths};

pub(super) fn classes_sheet(
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
