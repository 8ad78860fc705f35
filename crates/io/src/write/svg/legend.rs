//! The legend: each verdict's patch count, each class's area (and graves), the village label.

use std::fmt::Write as _;

use tuban_core::verdict::Verdict;

use super::layout::Map;
use super::style::{class_paint, verdict_fill, verdict_label, NOT_RECTIFIABLE_OUTLINE};
use super::text::{escape, wrap};
use super::{mm, text};
use crate::write::Lang;

/// The legend at the top of the panel.
pub(super) fn legend(out: &mut String, map: &Map) {
    let report = map.report;
    let x = map.panel_x;
    let w = map.panel_w;
    let mut y = map.frame.1 + mm(4.0);
    let body = mm(3.2);
    let small = mm(2.6);
    let line = mm(5.0);
    let sw = (mm(7.0), mm(4.0));
    out.push_str("<g class=\"legend\">\n");
    text(
        out,
        x,
        y,
        mm(3.8),
        r##" font-weight="bold" fill="#111111""##,
        map.t("图例", "Legend"),
    );
    y += line * 0.9;
    text(
        out,
        x,
        y,
        body,
        r##" font-weight="bold" fill="#333333""##,
        map.t("图斑结论（块数）", "Verdict (patches)"),
    );
    y += line * 0.5;
    let t = &report.villages.total;
    let mut entries: Vec<(Option<Verdict>, usize)> = Verdict::ALL
        .iter()
        .zip(t.verdicts)
        .map(|(v, n)| (Some(*v), n))
        .collect();
    let failed = report.failures().len();
    if failed > 0 {
        entries.push((None, failed));
    }
    for (v, n) in entries {
        let dash = if v.is_none() {
            format!(r#" stroke-dasharray="{0:.1} {0:.1}""#, mm(0.8))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            r##"<rect class="legend-verdict" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="{}" stroke-width="{:.2}"{dash}/>"##,
            sw.0,
            sw.1,
            verdict_fill(v),
            if v == Some(Verdict::NotRectifiable) {
                NOT_RECTIFIABLE_OUTLINE
            } else {
                "#2B2B2B"
            },
            if v == Some(Verdict::NotRectifiable) {
                mm(0.45)
            } else {
                mm(0.15)
            }
        );
        let label = format!("{}  {n}", verdict_label(v, map.lang));
        text(
            out,
            x + sw.0 + mm(2.5),
            y + sw.1 * 0.8,
            body,
            r##" fill="#111111""##,
            &label,
        );
        y += line;
    }
    y += line * 0.8;
    text(
        out,
        x,
        y,
        body,
        r##" font-weight="bold" fill="#333333""##,
        map.t("障碍地类（面积）", "Obstacles (area)"),
    );
    y += line * 0.5;
    let kept = report.results.iter().any(|r| !r.pieces.is_empty());
    for (c, name) in report.classes.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<rect class="legend-class" data-class="{}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" {}/>"#,
            escape(name),
            sw.0,
            sw.1,
            class_paint(c, name)
        );
        let mut label = format!("{}  {}", map.class_label(name), map.mu_text(t.class_m2[c]));
        let graves: u64 = report
            .results
            .iter()
            .filter(|r| r.error.is_none())
            .map(|r| r.point_count[c])
            .sum();
        if graves > 0 {
            label.push_str(&match map.lang {
                Lang::Zh => format!("（{graves} 座）"),
                Lang::En if name == "grave" => format!(" ({graves} graves)"),
                Lang::En => format!(" ({graves})"),
            });
        }
        text(
            out,
            x + sw.0 + mm(2.5),
            y + sw.1 * 0.8,
            body,
            r##" fill="#111111""##,
            &label,
        );
        y += line;
    }
    if !kept && t.union_m2 > 0.0 {
        for l in wrap(
            map.t(
                "（本次运行未保留障碍图形，图上只有结论颜色）",
                "(the run kept no obstacle shapes: only the verdicts are drawn)",
            ),
            small,
            w,
        ) {
            text(out, x, y + small, small, r##" fill="#555555""##, &l);
            y += small * 1.3;
        }
    }
    // Village labels.
    y += line * 0.2;
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-size="{:.1}" font-weight="bold" text-anchor="middle" fill="#111111" stroke="#FFFFFF" stroke-width="{:.2}" paint-order="stroke">{}</text>"##,
        x + sw.0 / 2.0,
        y + sw.1 * 0.85,
        mm(3.0),
        mm(0.9),
        map.t("某村", "Name")
    );
    text(
        out,
        x + sw.0 + mm(2.5),
        y + sw.1 * 0.8,
        body,
        r##" fill="#111111""##,
        map.t(
            "村名（在该村图斑的面积重心）",
            "village, at its patches' centroid",
        ),
    );
    out.push_str("</g>\n");
}
