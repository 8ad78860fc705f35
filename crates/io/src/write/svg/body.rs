//! The map body: the title line, the patches by verdict, the obstacle pieces by class, and the
//! outlines of the patches that are not rectifiable.

use std::fmt::Write as _;

use geo::Centroid;
use tuban_core::verdict::Verdict;

use super::layout::{path_data, Map};
use super::style::{
    class_paint, class_style, verdict_fill, verdict_label, NOT_RECTIFIABLE_OUTLINE,
};
use super::text::escape;
use super::{mm, text, TOOLTIP_LIMIT};
use crate::write::Lang;

/// The title and the one-line summary above the map.
pub(super) fn header(out: &mut String, map: &Map, title: &str) {
    let x = map.frame.0;
    text(
        out,
        x,
        mm(11.0),
        mm(6.0),
        r##" font-weight="bold" fill="#111111""##,
        title,
    );
    let t = &map.report.villages.total;
    let n = map.report.patches.len();
    let rectifiable: f64 = t.rectifiable_m2;
    let line = match map.lang {
        Lang::Zh => format!(
            "共 {n} 个图斑，{}；障碍（去重）{}，净面积 {}，其中可恢复 {}",
            map.mu_text(t.area_m2),
            map.mu_text(t.union_m2),
            map.mu_text(t.clean_m2),
            map.mu_text(rectifiable)
        ),
        Lang::En => format!(
            "{n} patches, {}; blocked (union) {}, clean {}, of which restorable {}",
            map.mu_text(t.area_m2),
            map.mu_text(t.union_m2),
            map.mu_text(t.clean_m2),
            map.mu_text(rectifiable)
        ),
    };
    text(out, x, mm(16.5), mm(3.4), r##" fill="#333333""##, &line);
}

/// Every patch, grouped by verdict (with an empty path when there is nothing to draw).
pub(super) fn patches(out: &mut String, map: &Map) {
    let report = map.report;
    let tooltips = report.patches.len() <= TOOLTIP_LIMIT;
    // (verdict, skipped on purpose): the three verdicts, the failed patches, and those left out
    // by `--invalid skip` (which have no geometry left to draw).
    let groups: [(Option<Verdict>, bool); 5] = [
        (Some(Verdict::Rectifiable), false),
        (Some(Verdict::Partly), false),
        (Some(Verdict::NotRectifiable), false),
        (None, false),
        (None, true),
    ];
    for (g, skipped) in groups {
        let rows: Vec<usize> = (0..report.patches.len())
            .filter(|&i| map.verdict(i) == g && map.skipped(i) == skipped)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let class = match (g, skipped) {
            (_, true) => "skipped",
            (None, false) => "failed",
            (Some(v), false) => v.as_str(),
        };
        let dash = if g.is_none() {
            format!(r#" stroke-dasharray="{0:.1} {0:.1}""#, mm(0.8))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            r##"<g class="verdict verdict-{class}" fill="{}" fill-rule="evenodd" stroke="#2B2B2B" stroke-width="{:.2}" stroke-linejoin="round"{dash}>"##,
            if skipped { "none" } else { verdict_fill(g) },
            mm(0.15)
        );
        for i in rows {
            let p = &report.patches[i];
            let r = &report.results[i];
            let _ = write!(
                out,
                r#"<path class="patch" data-patch-id="{}" data-village="{}" d="{}">"#,
                escape(&p.id),
                escape(&p.village),
                map.view
                    .as_ref()
                    .map(|v| path_data(&p.geometry, v))
                    .unwrap_or_default()
            );
            if tooltips {
                let label = if skipped {
                    map.t("未测算（跳过）", "not measured (skipped)")
                } else {
                    verdict_label(g, map.lang)
                };
                let tip = match (map.lang, r.error.is_some()) {
                    (Lang::Zh, false) => format!(
                        "{} {}：{label}，{}，障碍 {}",
                        p.id,
                        p.village,
                        map.mu_text(r.area_m2),
                        map.mu_text(r.union_m2)
                    ),
                    (Lang::En, false) => format!(
                        "{} ({}): {label}, {}, blocked {}",
                        p.id,
                        p.village,
                        map.mu_text(r.area_m2),
                        map.mu_text(r.union_m2)
                    ),
                    (_, true) => format!(
                        "{} {}: {label}: {}",
                        p.id,
                        p.village,
                        r.error.as_deref().unwrap_or_default()
                    ),
                };
                let _ = write!(out, "<title>{}</title>", escape(&tip));
            }
            out.push_str("</path>\n");
        }
        out.push_str("</g>\n");
    }
}

/// Outlines the patches that are not rectifiable over everything else (`path.outline`, not
/// `path.patch`: each patch still has exactly one `path.patch`).
pub(super) fn outlines(out: &mut String, map: &Map) {
    let view = map.view.as_ref().expect("a view");
    let rows: Vec<usize> = (0..map.report.patches.len())
        .filter(|&i| map.verdict(i) == Some(Verdict::NotRectifiable))
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        r#"<g class="outlines" fill="none" stroke="{NOT_RECTIFIABLE_OUTLINE}" stroke-width="{:.2}" stroke-linejoin="round">"#,
        mm(0.45)
    );
    for i in rows {
        let p = &map.report.patches[i];
        let _ = writeln!(
            out,
            r#"<path class="outline" data-patch-id="{}" d="{}"/>"#,
            escape(&p.id),
            path_data(&p.geometry, view)
        );
    }
    out.push_str("</g>\n");
}

/// The obstacle pieces, class by class (areas first, then roads, then graves on top).
pub(super) fn obstacles(out: &mut String, map: &Map) {
    let view = map.view.as_ref().expect("a view");
    let report = map.report;
    let mut order: Vec<usize> = (0..report.classes.len()).collect();
    order.sort_by_key(|&c| (class_style(&report.classes[c], c).order, c));
    out.push_str("<g class=\"obstacles\" fill-rule=\"evenodd\">\n");
    for c in order {
        let name = &report.classes[c];
        let mut body = String::new();
        for (i, r) in report.results.iter().enumerate() {
            for (k, g) in &r.pieces {
                if *k != c {
                    continue;
                }
                let d = path_data(g, view);
                if d.is_empty() {
                    // Smaller than a tenth of a pixel: still show where it is.
                    if let Some(pt) = g.centroid() {
                        let (x, y) = view.point(pt.x(), pt.y());
                        let _ = writeln!(
                            body,
                            r#"<circle class="piece" data-patch-id="{}" cx="{x:.1}" cy="{y:.1}" r="{:.2}"/>"#,
                            escape(&report.patches[i].id),
                            mm(0.2)
                        );
                    }
                    continue;
                }
                let _ = writeln!(
                    body,
                    r#"<path class="piece" data-patch-id="{}" d="{d}"/>"#,
                    escape(&report.patches[i].id)
                );
            }
        }
        if body.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            r#"<g class="obstacle obstacle-{c}" data-class="{}" {}>"#,
            escape(name),
            class_paint(c, name)
        );
        out.push_str(&body);
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}
