//! The report as one HTML page, to open in any browser and print: the run's summary, the map,
//! the village table, the class table, the failed patches, and what the run was (inputs with
//! their SHA-256, rules, thresholds).
//!
//! The page is a single self-contained file that works offline: the CSS is inline, the map is an
//! inline SVG ([`super::svg`]), and there is no script, font, image or link to load from anywhere.
//! Everything from the data (village names, patch ids, error messages, paths) is escaped.
//!
//! Labels are Chinese by default ([`Lang::Zh`]) and English with [`Lang::En`]. Like the
//! workbook's village sheet, the village table's mu are rounded to two decimals by the
//! largest-remainder method ([`tuban_core::account::VillageTable::mu_column`]) so the village
//! rows add up exactly to the total row, and the summary's totals are that total row's.

use std::fmt::Write as _;
use std::path::Path;

use tuban_core::account::{hundredths, Totals};
use tuban_core::codes::{CodeRow, CodeTable};
use tuban_core::report::{PatchStatus, Report};
use tuban_core::units::mu;
use tuban_core::verdict::{class_zh, Verdict};

use super::atomic::write_atomically;
use super::run_info::RunInfo;
use super::svg::{escape, method_text, render_inline, verdict_fill, MapOptions};
use super::{Lang, WriteError};

/// Writes the page to `path`, whole or not at all.
pub fn write(report: &Report, info: &RunInfo, lang: Lang, path: &Path) -> Result<(), WriteError> {
    let page = render(report, info, lang);
    write_atomically(path, |w| w.write_all(page.as_bytes()))
}

/// The page as a string (see the module documentation).
pub fn render(report: &Report, info: &RunInfo, lang: Lang) -> String {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let title = t(
        "图斑整改障碍测算报告",
        "Obstacles in the rectification patches",
    );
    let mut h = String::with_capacity(256 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"tuban {}\">\n<title>{}</title>\n<style>{CSS}",
        t("zh-CN", "en"),
        escape(&info.tuban_version),
        escape(title)
    );
    // The verdict cards' colours are the map's.
    for v in Verdict::ALL {
        let _ = writeln!(
            h,
            ".v-{} {{ border-left: 6px solid {}; }}",
            v.as_str(),
            verdict_fill(Some(v))
        );
    }
    h.push_str("</style>\n</head>\n<body>\n<main>\n");
    let _ = writeln!(h, "<h1>{}</h1>", escape(title));
    let mut meta = Vec::new();
    if !info.started.is_empty() {
        meta.push(format!("{}{}", t("运行时间：", "Run: "), info.started));
    }
    if info.seconds > 0.0 {
        meta.push(match lang {
            Lang::Zh => format!("用时 {:.1} 秒", info.seconds),
            Lang::En => format!("took {:.1} s", info.seconds),
        });
    }
    if !info.tuban_version.is_empty() {
        meta.push(format!("tuban {}", info.tuban_version));
    }
    if !meta.is_empty() {
        let _ = writeln!(h, "<p class=\"meta\">{}</p>", escape(&meta.join(" · ")));
    }

    summary(&mut h, report, info, lang);

    let _ = writeln!(
        h,
        "<section id=\"map\">\n<h2>{}</h2>\n<figure>",
        t("分布图", "Map")
    );
    h.push_str(&render_inline(
        report,
        &MapOptions {
            lang,
            ..Default::default()
        },
    ));
    let _ = writeln!(
        h,
        "<figcaption>{}</figcaption>\n</figure>\n</section>",
        t(
            "图斑按结论着色，障碍按地类绘出；鼠标停在图斑上可见其编号、村与面积。",
            "Patches coloured by verdict, obstacles drawn by class; hover over a patch for its id, village and area."
        )
    );

    villages(&mut h, report, lang);
    classes(&mut h, report, lang);
    if let Some(table) = &info.landuse {
        landuse_codes(&mut h, table, lang);
    }
    failures(&mut h, report, lang);
    run(&mut h, report, info, lang);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

const CSS: &str = "
:root { color-scheme: light; }
body { margin: 0; background: #f4f4f2; color: #1a1a1a;
  font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'SimHei',
    'WenQuanYi Micro Hei', system-ui, sans-serif; font-size: 15px; line-height: 1.5; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #e2e2de; }
.meta { color: #666; margin: 0 0 18px; font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.card { border: 1px solid #e2e2de; border-radius: 6px; padding: 10px 12px; }
.card .k { color: #666; font-size: 13px; }
.card .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .s { color: #555; font-size: 12.5px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 14px 0 0; font-size: 14px; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: 0; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #e2e2de; }
figcaption { color: #666; font-size: 13px; margin-top: 6px; }
svg .patch:hover { stroke: #000; stroke-width: 2.5; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e6e6e2; padding: 4px 9px; }
th { background: #eef3f8; text-align: center; font-weight: 600; vertical-align: bottom; }
td.n { text-align: right; white-space: nowrap; }
td.t { text-align: left; }
tr.total td { font-weight: 700; border-top: 2px solid #999; border-bottom: none; }
tbody tr:nth-child(even) td { background: #fafaf8; }
.note { color: #666; font-size: 13px; }
code { font-size: 12px; overflow-wrap: anywhere; }
details { margin-top: 8px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
  figure svg { border: none; }
  @page { size: A4 landscape; margin: 10mm; }
}
";

/// A number of hundredths of a mu, as the largest-remainder columns give them.
fn mu_cell(v: i64) -> String {
    format!("<td class=\"n\">{}</td>", hundredths(v))
}

fn count_cell(v: usize) -> String {
    format!("<td class=\"n\">{v}</td>")
}

/// `(name, how to read the m² of a Totals)` of the mu columns of the village table.
type Pick = Box<dyn Fn(&Totals) -> f64>;

fn mu_columns(report: &Report, lang: Lang) -> Vec<(String, Pick)> {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let mut v: Vec<(String, Pick)> = vec![(
        t("图斑面积", "area").to_string(),
        Box::new(|x: &Totals| x.area_m2),
    )];
    for (c, name) in report.classes.iter().enumerate() {
        let label = match lang {
            Lang::Zh => class_zh(name).to_string(),
            Lang::En => name.clone(),
        };
        v.push((label, Box::new(move |x: &Totals| x.class_m2[c])));
    }
    v.push((
        t("障碍合计（去重）", "blocked (union)").to_string(),
        Box::new(|x: &Totals| x.union_m2),
    ));
    v.push((
        t("净面积", "clean").to_string(),
        Box::new(|x: &Totals| x.clean_m2),
    ));
    v.push((
        t("可恢复", "restorable").to_string(),
        Box::new(|x: &Totals| x.rectifiable_m2),
    ));
    v
}

fn verdict_name(v: Verdict, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => v.zh(),
        Lang::En => match v {
            Verdict::Rectifiable => "rectifiable",
            Verdict::Partly => "partly",
            Verdict::NotRectifiable => "not rectifiable",
        },
    }
}

fn summary(h: &mut String, report: &Report, info: &RunInfo, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let total = &report.villages.total;
    let table = &report.villages;
    // The totals of the village table's columns, so the two agree to the hundredth.
    let sum = |pick: &dyn Fn(&Totals) -> f64| table.mu_column(pick).1;
    let area = sum(&|x| x.area_m2);
    let blocked = sum(&|x| x.union_m2);
    let clean = sum(&|x| x.clean_m2);
    let restorable = sum(&|x| x.rectifiable_m2);
    let pct = |m2: f64| {
        if total.area_m2 > 0.0 {
            100.0 * m2 / total.area_m2
        } else {
            0.0
        }
    };
    let mu_unit = t(" 亩", " mu");
    let _ = writeln!(
        h,
        "<section id=\"summary\">\n<h2>{}</h2>\n<div class=\"cards\">",
        t("概况", "Summary")
    );
    let card = |h: &mut String, class: &str, k: &str, v: String, s: String| {
        let _ = writeln!(
            h,
            "<div class=\"card {class}\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"s\">{}</div></div>",
            escape(k),
            escape(&v),
            escape(&s)
        );
    };
    let (failed, skipped, repaired) = (total.failed, total.skipped, total.repaired);
    let failed_note = match lang {
        Lang::Zh => [
            (failed, "处理失败"),
            (skipped, "跳过"),
            (repaired, "几何已修复"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} 个{w}"))
        .collect::<Vec<_>>()
        .join("，"),
        Lang::En => [
            (failed, "failed"),
            (skipped, "skipped"),
            (repaired, "repaired"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", "),
    };
    card(
        h,
        "",
        t("图斑", "Patches"),
        report.patches.len().to_string(),
        failed_note,
    );
    card(
        h,
        "",
        t("图斑面积", "Patch area"),
        format!("{}{mu_unit}", hundredths(area)),
        format!("{:.2} {}", total.area_m2, t("平方米", "m2")),
    );
    card(
        h,
        "",
        t("障碍（去重）", "Blocked (union)"),
        format!("{}{mu_unit}", hundredths(blocked)),
        format!("{:.1}%", pct(total.union_m2)),
    );
    card(
        h,
        "",
        t("净面积", "Clean"),
        format!("{}{mu_unit}", hundredths(clean)),
        format!("{:.1}%", pct(total.clean_m2)),
    );
    card(
        h,
        "",
        t("可恢复", "Restorable"),
        format!("{}{mu_unit}", hundredths(restorable)),
        t(
            "可整改与部分可整改图斑的净面积",
            "clean area of the rectifiable and partly rectifiable patches",
        )
        .to_string(),
    );
    for (v, n) in Verdict::ALL.iter().zip(total.verdicts) {
        card(
            h,
            &format!("v-{}", v.as_str()),
            verdict_name(*v, lang),
            n.to_string(),
            t("个图斑", "patches").to_string(),
        );
    }
    h.push_str("</div>\n<dl class=\"facts\">\n");
    let fact = |h: &mut String, k: &str, v: &str| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    };
    fact(h, t("面积算法", "Area method"), &method_text(report, lang));
    let crs = if !info.crs.is_empty() {
        info.crs.clone()
    } else {
        report
            .crs
            .map_or_else(|| t("未知", "unknown").to_string(), |c| c.to_string())
    };
    fact(h, t("坐标系", "CRS"), &crs);
    if let Some(c) = report.crs {
        let e = c.ellipsoid();
        fact(
            h,
            t("椭球", "Ellipsoid"),
            &format!(
                "{} (a = {} m, 1/f = {})",
                c.datum().name(),
                e.a,
                e.inverse_flattening()
            ),
        );
    }
    let r = &report.verdict_rules;
    fact(
        h,
        t("结论阈值", "Verdict thresholds"),
        &match lang {
            Lang::Zh => format!(
                "障碍不超过 {} 平方米为可整改；障碍占比达 {}% 或净面积不足 {} 亩为不可整改；其余为部分可整改",
                r.negligible_m2, r.max_blocked_pct, r.min_clean_mu
            ),
            Lang::En => format!(
                "rectifiable when at most {} m2 is blocked; not rectifiable when {}% or more is blocked or under {} mu stays clean; otherwise partly",
                r.negligible_m2, r.max_blocked_pct, r.min_clean_mu
            ),
        },
    );
    h.push_str("</dl>\n</section>\n");
}

fn villages(h: &mut String, report: &Report, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let table = &report.villages;
    let cols = mu_columns(report, lang);
    let values: Vec<(Vec<i64>, i64)> = cols.iter().map(|(_, p)| table.mu_column(p)).collect();
    let _ = writeln!(
        h,
        "<section id=\"villages\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<div class=\"scroll\"><table class=\"villages\">\n<thead><tr>",
        t("分村统计", "Villages"),
        t(
            "面积单位：亩。各村数值按最大余数法取两位小数，逐列相加恰等于合计行。",
            "Areas in mu, rounded to two decimals by the largest-remainder method: each column's village rows add up exactly to the total row."
        )
    );
    let mut head: Vec<String> = vec![t("村", "village").into(), t("图斑", "patches").into()];
    head.extend(
        Verdict::ALL
            .iter()
            .map(|v| verdict_name(*v, lang).to_string()),
    );
    head.push(t("处理失败", "failed").into());
    head.push(t("跳过", "skipped").into());
    head.push(t("几何已修复", "repaired").into());
    head.extend(cols.iter().map(|(n, _)| n.clone()));
    for c in &head {
        let _ = write!(h, "<th>{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let row = |h: &mut String, class: &str, name: &str, x: &Totals, mu: &dyn Fn(usize) -> i64| {
        let _ = write!(
            h,
            "<tr{class}><td class=\"t\">{}</td>{}",
            escape(name),
            count_cell(x.patches)
        );
        for n in x.verdicts {
            h.push_str(&count_cell(n));
        }
        h.push_str(&count_cell(x.failed));
        h.push_str(&count_cell(x.skipped));
        h.push_str(&count_cell(x.repaired));
        for k in 0..cols.len() {
            h.push_str(&mu_cell(mu(k)));
        }
        h.push_str("</tr>\n");
    };
    for (i, (name, x)) in table.villages.iter().enumerate() {
        let shown = if name.is_empty() {
            t("（无村名）", "(no village)")
        } else {
            name.as_str()
        };
        row(h, "", shown, x, &|k| values[k].0[i]);
    }
    h.push_str("</tbody>\n<tfoot>\n");
    row(
        h,
        " class=\"total\"",
        t("合计", "total"),
        &table.total,
        &|k| values[k].1,
    );
    h.push_str("</tfoot>\n</table></div>\n</section>\n");
}

fn classes(h: &mut String, report: &Report, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let total = &report.villages.total;
    let ok = |i: usize| report.results[i].error.is_none();
    let share = |m2: f64| {
        if total.area_m2 > 0.0 {
            100.0 * m2 / total.area_m2
        } else {
            0.0
        }
    };
    let _ = writeln!(
        h,
        "<section id=\"classes\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<div class=\"scroll\"><table class=\"classes\">\n<thead><tr>",
        t("分地类统计", "Obstacle classes"),
        t(
            "同一处可能属于多个地类（如陡坡上的林地），故各地类之和可大于障碍合计；障碍合计每处只计一次。",
            "A place can be in several classes (forest on a steep slope), so the classes may add up to more than the union, which counts each place once."
        )
    );
    for c in [
        t("地类", "class"),
        t("面积（亩）", "area (mu)"),
        t("面积（平方米）", "area (m2)"),
        t("涉及图斑", "patches"),
        t("占图斑总面积", "share of patch area"),
        t("数量（座）", "count"),
    ] {
        let _ = write!(h, "<th>{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let row = |h: &mut String,
               class: &str,
               name: &str,
               m2: f64,
               touched: Option<usize>,
               count: Option<u64>| {
        let _ = writeln!(
            h,
            "<tr{class}><td class=\"t\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}%</td><td class=\"n\">{}</td></tr>",
            escape(name),
            mu(m2),
            m2,
            touched.map(|n| n.to_string()).unwrap_or_default(),
            share(m2),
            count.map(|n| n.to_string()).unwrap_or_default(),
        );
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
        let label = match lang {
            Lang::Zh => format!("{}（{name}）", class_zh(name)),
            Lang::En => name.clone(),
        };
        let label = if class_zh(name) == name {
            name.clone()
        } else {
            label
        };
        row(h, "", &label, total.class_m2[c], Some(touched), count);
    }
    h.push_str("</tbody>\n<tfoot>\n");
    let blocked = (0..report.results.len())
        .filter(|&i| ok(i) && report.results[i].union_m2 > 0.0)
        .count();
    row(
        h,
        " class=\"total\"",
        t("障碍合计（去重）", "blocked (union)"),
        total.union_m2,
        Some(blocked),
        None,
    );
    row(
        h,
        " class=\"total\"",
        t("净面积", "clean"),
        total.clean_m2,
        None,
        None,
    );
    row(
        h,
        " class=\"total\"",
        t("全部图斑", "all patches"),
        total.area_m2,
        Some(total.patches - total.failed - total.skipped),
        None,
    );
    h.push_str("</tfoot>\n</table></div>\n</section>\n");
}

/// Every land-use code inside the patches, its class and the rule that gave it; the codes no
/// rule knows first, marked.
fn landuse_codes(h: &mut String, table: &CodeTable, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let rows: Vec<&CodeRow> = table.rows.iter().filter(|r| r.m2 > 0.0).collect();
    let unknown = rows.iter().filter(|r| r.unknown()).count();
    let _ = writeln!(
        h,
        "<section id=\"landuse\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<div class=\"scroll\"><table class=\"landuse\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>m2</th><th>{}</th></tr></thead>\n<tbody>",
        t("图斑内的地类编码", "Land-use codes inside the patches"),
        escape(&match lang {
            Lang::Zh => format!(
                "地类编码字段 {}；地类图斑覆盖图斑面积的 {:.2}%。{}",
                table.field.as_deref().unwrap_or("（无）"),
                table.share() * 100.0,
                if unknown > 0 {
                    format!("{unknown} 个编码无规则匹配（标 ！），其面积按净面积计。")
                } else {
                    "每个编码都有规则匹配。".to_string()
                }
            ),
            Lang::En => format!(
                "Code field {}; the land-use layer covers {:.2} % of the patches' area. {}",
                table.field.as_deref().unwrap_or("(none)"),
                table.share() * 100.0,
                if unknown > 0 {
                    format!("{unknown} codes match no rule (marked !): their area counts as clean.")
                } else {
                    "Every code is known to a rule.".to_string()
                }
            ),
        }),
        t("编码", "code"),
        t("类别", "class"),
        t("判定", "decision"),
        t("规则", "rule"),
        t("地类图斑数", "features"),
        t("亩", "mu"),
    );
    for r in rows {
        let _ = writeln!(
            h,
            "<tr><td class=\"t\">{}{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"t\"><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td></tr>",
            if r.unknown() { "！" } else { "" },
            escape(if r.code.is_empty() { "—" } else { &r.code }),
            escape(r.class.as_deref().unwrap_or("")),
            escape(r.decision),
            escape(r.rule.as_deref().unwrap_or("")),
            r.features,
            r.m2,
            tuban_core::units::mu(r.m2),
        );
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn failures(h: &mut String, report: &Report, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let failed: Vec<(usize, &str)> = report
        .failures()
        .into_iter()
        .map(|(row, _, err)| (row, err))
        .collect();
    patch_list(
        h,
        report,
        lang,
        "failures",
        t("处理失败的图斑", "Failed patches"),
        t(
            "这些图斑的面积不计入上面各表；其余图斑的结果不受影响。",
            "Their areas are in none of the tables above; the other patches' results are unaffected.",
        ),
        &failed,
    );
    let with = |keep: fn(&PatchStatus) -> bool| -> Vec<(usize, &str)> {
        report
            .status
            .iter()
            .enumerate()
            .filter(|(_, s)| keep(s))
            .map(|(i, s)| (i, s.note()))
            .collect()
    };
    let rows = with(|s| matches!(s, PatchStatus::Skipped(_)));
    patch_list(
        h,
        report,
        lang,
        "skipped",
        t("跳过的图斑", "Skipped patches"),
        t(
            "几何无效、按无效几何的处理方式 skip（跳过）未测算的图斑，不计入上面各表。",
            "Patches with invalid geometry left out by the invalid-geometry policy `skip`; they are in none of the tables above.",
        ),
        &rows,
    );
    let rows = with(|s| matches!(s, PatchStatus::Repaired(_)));
    patch_list(
        h,
        report,
        lang,
        "repaired",
        t("几何已修复的图斑", "Repaired patches"),
        t(
            "这些图斑的几何有误，已修复后测算（见各表的 repair 列）。",
            "Their geometry was invalid and was repaired before they were measured (the tables' repair column).",
        ),
        &rows,
    );
}

/// A section listing patches with a reason each: `(row, reason)`. Nothing when `rows` is empty.
#[allow(clippy::too_many_arguments)]
fn patch_list(
    h: &mut String,
    report: &Report,
    lang: Lang,
    id: &str,
    title: &str,
    note: &str,
    rows: &[(usize, &str)],
) {
    if rows.is_empty() {
        return;
    }
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let _ = writeln!(
        h,
        "<section id=\"{id}\">\n<h2>{} ({})</h2>\n<p class=\"note\">{}</p>\n<div class=\"scroll\"><table class=\"{id}\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        escape(title),
        rows.len(),
        escape(note),
        t("图斑编号", "patch"),
        t("村", "village"),
        t("记录号", "record"),
        t("原因", "reason"),
    );
    for &(row, why) in rows {
        let p = &report.patches[row];
        let _ = writeln!(
            h,
            "<tr><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"n\">{}</td><td class=\"t\">{}</td></tr>",
            escape(&p.id),
            escape(&p.village),
            p.record,
            escape(why)
        );
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn run(h: &mut String, report: &Report, info: &RunInfo, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let _ = writeln!(
        h,
        "<section id=\"run\">\n<h2>{}</h2>",
        t("运行说明", "About this run")
    );
    if !info.warnings.is_empty() {
        let _ = writeln!(h, "<h3>{}</h3>\n<ul>", t("提示", "Warnings"));
        for w in &info.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(w));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<dl class=\"facts\">\n");
    let fact = |h: &mut String, k: &str, v: &str| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    };
    fact(h, t("面积算法", "Area method"), &report.method_note);
    if !info.area_method.is_empty() && info.area_method != report.method_note {
        fact(
            h,
            t("面积算法（运行）", "Area method (run)"),
            &info.area_method,
        );
    }
    let repaired = report.villages.total.repaired;
    if repaired > 0 {
        fact(
            h,
            t("几何修复", "Repaired geometry"),
            &match lang {
                Lang::Zh => format!("{repaired} 个图斑"),
                Lang::En => format!("{repaired} patches"),
            },
        );
    }
    for (role, how) in &info.crs_notes {
        fact(h, &format!("{} {role}", t("坐标系", "CRS of")), how);
    }
    for (role, note) in &info.layer_notes {
        fact(h, &format!("{} {role}", t("图层", "Layer")), note);
    }
    for (k, v) in &info.thresholds {
        fact(h, k, v);
    }
    h.push_str("</dl>\n");
    if !info.rules.is_empty() {
        let _ = writeln!(
            h,
            "<details><summary>{} ({})</summary>\n<ol>",
            t("分类规则", "Classification rules"),
            info.rules.len()
        );
        for r in &info.rules {
            let _ = writeln!(h, "<li><code>{}</code></li>", escape(r));
        }
        h.push_str("</ol></details>\n");
    }
    if !info.inputs.is_empty() {
        let _ = writeln!(
            h,
            "<details><summary>{} ({})</summary>\n<div class=\"scroll\"><table class=\"inputs\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>SHA-256</th></tr></thead>\n<tbody>",
            t("输入文件", "Input files"),
            info.inputs.len(),
            t("用途", "role"),
            t("文件", "file"),
            t("字节", "bytes"),
        );
        for f in &info.inputs {
            let _ = writeln!(
                h,
                "<tr><td class=\"t\">{}</td><td class=\"t\"><code>{}</code></td><td class=\"n\">{}</td><td class=\"t\"><code>{}</code></td></tr>",
                escape(&f.role),
                escape(&f.path.display().to_string()),
                f.bytes,
                escape(&f.sha256)
            );
        }
        h.push_str("</tbody></table></div></details>\n");
    }
    h.push_str("</section>\n");
}
