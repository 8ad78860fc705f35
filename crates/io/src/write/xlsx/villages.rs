//! The village sheet (村 / Villages): one row per village and a total row, the mu rounded so that
//! the rows add up to the total.

use rust_xlsxwriter::{Worksheet, XlsxError};
use tuban_core::account::Totals;
use tuban_core::report::{Report, Unit};
use tuban_core::verdict::{class_zh, Verdict};

use super::columns::unit_name;
use super::{write_header, Formats, Lang, Widths};

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

pub(super) fn villages_sheet(
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
