//! The ledger's outputs, by extension: `.csv` (a CSV per table beside the named one), `.xlsx` (a
//! workbook: the ledger, a sheet per indicator by village, the transition matrix, the compensation
//! plots, the audit and the run description; Chinese headers by default), `.html` (a page with
//! the tables and a map, see [`crate::html`]).
//!
//! Every file is written through [`tuban::io::write::atomic::write_atomically`], so an output is
//! whole or absent; an existing output is refused unless `overwrite` (as for `tuban run`), and the
//! check is made for every file before the ledger is measured.

use std::path::{Path, PathBuf};

use tuban::core::account::hundredths;
use tuban::core::units::mu;
use tuban::io::write::atomic::write_atomically;
use tuban::io::write::{Lang, WriteError};

use crate::indicators::describe;
use crate::show::{keys, round2, township, village_name, village_table};
use crate::{Error, Ledger};

/// The CSV tables written beside `out.csv`: `out.csv` itself holds the indicators.
pub const CSV_TABLES: [&str; 6] = [
    "",
    "_villages",
    "_audit",
    "_matrix",
    "_compensation",
    "_cases",
];

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    if suffix.is_empty() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("ledger");
    path.with_file_name(format!("{stem}{suffix}.csv"))
}

/// Every file the outputs would write.
pub fn files(outputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut v = Vec::new();
    for o in outputs {
        match o
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => v.extend(CSV_TABLES.iter().map(|s| sibling(o, s))),
            Some("xlsx") | Some("html") => v.push(o.clone()),
            other => {
                return Err(Error::Config {
                    path: o.display().to_string(),
                    message: format!(
                        "cannot write a ledger as {}: use .csv, .xlsx or .html",
                        other
                            .map(|e| format!(".{e}"))
                            .unwrap_or_else(|| "a file without an extension".into())
                    ),
                })
            }
        }
    }
    Ok(v)
}

/// Refuses outputs that exist (unless `overwrite`) or are of an unknown kind: called before the
/// ledger is measured, so a refused run wastes no time.
pub fn check_outputs(outputs: &[PathBuf], overwrite: bool) -> Result<(), Error> {
    for f in files(outputs)? {
        if !overwrite && f.exists() {
            return Err(Error::Tuban(tuban::Error::OutputExists(f)));
        }
    }
    Ok(())
}

/// Writes every output; returns the files written.
pub fn write_outputs(
    ledger: &Ledger,
    outputs: &[PathBuf],
    lang: Lang,
) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for o in outputs {
        let ext = o
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if ext.as_deref() == Some("xlsx") {
            xlsx(ledger, o, lang)?;
            written.push(o.clone());
        } else if ext.as_deref() == Some("html") {
            let page = crate::html::page(ledger);
            write_atomically(o, |w| w.write_all(page.as_bytes()))
                .map_err(|e| Error::Tuban(e.into()))?;
            written.push(o.clone());
        } else {
            for (suffix, table) in CSV_TABLES.iter().zip(tables(ledger)) {
                let path = sibling(o, suffix);
                csv(&path, &table)?;
                written.push(path);
            }
        }
    }
    Ok(written)
}

/// A table: a header and rows of text (numbers already rounded for display).
type Table = Vec<Vec<String>>;

fn num(h: Option<i64>) -> String {
    h.map(hundredths).unwrap_or_default()
}

/// The six tables, in the order of [`CSV_TABLES`].
pub fn tables(ledger: &Ledger) -> Vec<Table> {
    let mut ind = vec![vec![
        "indicator".into(),
        "name".into(),
        "value".into(),
        "formula".into(),
    ]];
    for k in keys(ledger) {
        let (zh, formula) = describe(k);
        ind.push(vec![
            k.into(),
            zh.into(),
            num(township(ledger, k)),
            formula.into(),
        ]);
    }
    let (vkeys, rows, total) = village_table(ledger);
    let mut vil = vec![std::iter::once("village".to_string())
        .chain(vkeys.iter().map(|k| k.to_string()))
        .collect::<Vec<_>>()];
    for (name, vals) in rows
        .iter()
        .map(|(n, v)| (village_name(n).to_string(), v))
        .chain(std::iter::once(("total".to_string(), &total)))
    {
        vil.push(
            std::iter::once(name)
                .chain(vals.iter().map(|v| num(*v)))
                .collect(),
        );
    }
    let mut audit = vec![[
        "figure",
        "stated",
        "from_stated",
        "from_layers",
        "ok",
        "formula",
    ]
    .map(String::from)
    .to_vec()];
    for r in &ledger.audit {
        audit.push(vec![
            r.figure.clone(),
            r.stated.to_string(),
            num(r.from_stated.map(round2)),
            num(r.from_layers.map(round2)),
            r.ok.to_string(),
            r.formula.clone(),
        ]);
    }
    let mut matrix: Table = Vec::new();
    if let Some(m) = &ledger.matrix {
        let mut cols: Vec<&String> = m.cells.values().flat_map(|r| r.keys()).collect();
        cols.sort();
        cols.dedup();
        let mut head = vec!["before\\after".to_string()];
        head.extend(cols.iter().map(|c| {
            if c.is_empty() {
                "(uncovered)".to_string()
            } else {
                (*c).clone()
            }
        }));
        head.push("before_total".into());
        matrix.push(head);
        for (b, row) in &m.cells {
            let mut r = vec![b.clone()];
            r.extend(cols.iter().map(|c| {
                row.get(*c)
                    .map(|v| hundredths(round2(mu(*v))))
                    .unwrap_or_default()
            }));
            r.push(hundredths(round2(mu(m.before[b]))));
            matrix.push(r);
        }
    }
    let mut comp: Table = Vec::new();
    if !ledger.plots.is_empty() {
        comp.push(
            [
                "plot",
                "village",
                "area_mu",
                "rectifiable_mu",
                "verdict",
                "reasons",
            ]
            .map(String::from)
            .to_vec(),
        );
        for p in &ledger.plots {
            comp.push(vec![
                p.id.clone(),
                p.village.clone(),
                hundredths(round2(mu(p.area_m2))),
                hundredths(round2(mu(p.rectifiable_m2))),
                p.verdict.clone(),
                p.reasons.clone(),
            ]);
        }
    }
    let mut cases: Table = Vec::new();
    if !ledger.cases.is_empty() {
        cases.push(
            ["case", "village", "cropland_mu", "pbf_mu"]
                .map(String::from)
                .to_vec(),
        );
        for c in &ledger.cases {
            cases.push(vec![
                format!("#{}", c.record),
                c.village.clone(),
                hundredths(round2(mu(c.cropland_m2))),
                hundredths(round2(mu(c.pbf_m2))),
            ]);
        }
    }
    vec![ind, vil, audit, matrix, comp, cases]
}

fn csv(path: &Path, table: &Table) -> Result<(), Error> {
    write_atomically(path, |w| {
        // A UTF-8 BOM, so that Excel opens the Chinese names right.
        w.write_all("\u{feff}".as_bytes())?;
        let mut c = ::csv::Writer::from_writer(w);
        for row in table {
            c.write_record(row).map_err(std::io::Error::other)?;
        }
        c.flush()
    })
    .map_err(|e| Error::Tuban(e.into()))
}

fn header<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The Chinese header of a CSV column (the CSVs keep the English names, a contract for scripts).
fn zh_header(name: &str) -> &str {
    match name {
        "figure" => "指标",
        "stated" => "文件所述",
        "from_stated" => "由所述数推算",
        "from_layers" => "由图层计算",
        "ok" => "一致",
        "formula" => "公式",
        "plot" => "图斑",
        "village" => "村",
        "area_mu" => "面积（亩）",
        "rectifiable_mu" => "可整改（亩）",
        "verdict" => "结论",
        "reasons" => "原因",
        "before\\after" => "前期地类\\现状地类",
        "before_total" => "前期合计",
        "(uncovered)" => "（未覆盖）",
        "case" => "问题",
        "cropland_mu" => "占用耕地（亩）",
        "pbf_mu" => "占用永久基本农田（亩）",
        other => other,
    }
}

fn xlsx(ledger: &Ledger, path: &Path, lang: Lang) -> Result<(), Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let bad = |e: rust_xlsxwriter::XlsxError| {
        Error::Tuban(tuban::Error::Write(WriteError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        }))
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    let t = tables(ledger);
    // The ledger.
    let s = wb.add_worksheet();
    s.set_name(header(lang, "一本账", "ledger")).map_err(bad)?;
    let heads = [
        header(lang, "指标", "indicator"),
        header(lang, "名称", "name"),
        header(lang, "数值", "value"),
        header(lang, "公式", "formula"),
    ];
    for (j, h) in heads.iter().enumerate() {
        s.write_with_format(0, j as u16, *h, &bold).map_err(bad)?;
    }
    for (i, k) in keys(ledger).iter().enumerate() {
        let r = i as u32 + 1;
        let (zh, formula) = describe(k);
        s.write(r, 0, *k).map_err(bad)?;
        s.write(r, 1, zh).map_err(bad)?;
        if let Some(h) = township(ledger, k) {
            s.write_with_format(r, 2, h as f64 / 100.0, &two)
                .map_err(bad)?;
        }
        s.write(r, 3, formula).map_err(bad)?;
    }
    s.set_column_width(0, 34).map_err(bad)?;
    s.set_column_width(1, 26).map_err(bad)?;
    // One sheet per indicator: its village rows, the total, the formula.
    let (vkeys, rows, total) = village_table(ledger);
    for (j, k) in vkeys.iter().enumerate() {
        let s = wb.add_worksheet();
        let (zh, formula) = describe(k);
        let name: String = header(lang, zh, k)
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        s.set_name(name).map_err(bad)?;
        s.write_with_format(0, 0, header(lang, "村", "village"), &bold)
            .map_err(bad)?;
        s.write_with_format(0, 1, header(lang, zh, k), &bold)
            .map_err(bad)?;
        let mut r = 1;
        for (n, vals) in rows
            .iter()
            .map(|(n, v)| (village_name(n), v))
            .chain(std::iter::once((header(lang, "合计", "total"), &total)))
        {
            s.write(r, 0, n).map_err(bad)?;
            if let Some(h) = vals[j] {
                s.write_with_format(r, 1, h as f64 / 100.0, &two)
                    .map_err(bad)?;
            }
            r += 1;
        }
        s.write(r + 1, 0, header(lang, "公式", "formula"))
            .map_err(bad)?;
        s.write(r + 1, 1, formula).map_err(bad)?;
        s.set_column_width(0, 16).map_err(bad)?;
    }
    // The transition matrix, the compensation plots, the cases, the audit: as their CSVs, numbers
    // as numbers.
    for (table, zh, en) in [
        (&t[3], "地类转换矩阵", "transition matrix"),
        (&t[4], "占补平衡图斑", "compensation plots"),
        (&t[5], "违法用地问题", "enforcement cases"),
        (&t[2], "核对", "audit"),
    ] {
        if table.is_empty() {
            continue;
        }
        let s = wb.add_worksheet();
        s.set_name(header(lang, zh, en)).map_err(bad)?;
        for (i, row) in table.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let (r, c) = (i as u32, j as u16);
                match cell.parse::<f64>() {
                    Ok(v) if i > 0 && j > 0 => s.write_with_format(r, c, v, &two).map(|_| ()),
                    _ if i == 0 => s
                        .write_with_format(r, c, header(lang, zh_header(cell), cell), &bold)
                        .map(|_| ()),
                    _ => s.write(r, c, cell.as_str()).map(|_| ()),
                }
                .map_err(bad)?;
            }
        }
    }
    // The run description.
    let s = wb.add_worksheet();
    s.set_name(header(lang, "运行说明", "run")).map_err(bad)?;
    let mut r = 0;
    s.write(r, 0, header(lang, "面积", "areas")).map_err(bad)?;
    s.write(r, 1, ledger.method_note.as_str()).map_err(bad)?;
    for (layer, how) in &ledger.notes {
        r += 1;
        s.write(r, 0, layer.as_str()).map_err(bad)?;
        s.write(r, 1, how.as_str()).map_err(bad)?;
    }
    for w in &ledger.warnings {
        r += 1;
        s.write(r, 0, header(lang, "警告", "warning"))
            .map_err(bad)?;
        s.write(r, 1, w.as_str()).map_err(bad)?;
    }
    s.set_column_width(0, 24).map_err(bad)?;
    let bytes = wb.save_to_buffer().map_err(bad)?;
    write_atomically(path, |w| w.write_all(&bytes)).map_err(|e| Error::Tuban(e.into()))
}
