//! The run sheet (运行 / Run): what the run was, and every input file with its size and SHA-256.

use rust_xlsxwriter::{Worksheet, XlsxError};
use tuban_core::report::{Report, Unit};

use super::{write_header, Formats, Lang, Widths};
use crate::write::run_info::RunInfo;

pub(super) fn run_sheet(
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
    for (role, note) in &info.layer_notes {
        let k = match lang {
            Lang::Zh => format!("图层：{role}"),
            Lang::En => format!("layer {role}"),
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
