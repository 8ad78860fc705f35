//! The bottom of the panel: the notes (area method, CRS, skipped patches, convergence), the scale
//! bar with its representative fraction, and the north arrow.

use std::fmt::Write as _;

use super::layout::{method_text, Map};
use super::text::{grouped, wrap};
use super::{mm, text, PX_PER_MM};
use crate::write::Lang;

/// The notes, the scale bar and the north arrow, from the bottom of the panel up.
pub(super) fn notes_scale_north(out: &mut String, map: &Map) {
    let report = map.report;
    let x = map.panel_x;
    let w = map.panel_w;
    let small = mm(2.6);
    // From the bottom up: notes, scale bar, north arrow.
    let bottom = map.frame.1 + map.frame.3;
    let mut notes: Vec<String> = Vec::new();
    notes.push(format!(
        "{}{}",
        map.t("面积：", "Areas: "),
        method_text(report, map.lang)
    ));
    notes.push(format!("{}{}", map.t("坐标系：", "CRS: "), map.crs_note));
    let skipped = report.skipped.iter().filter(|s| **s).count();
    if skipped > 0 {
        notes.push(match map.lang {
            Lang::Zh => format!("另有 {skipped} 个图斑因几何无效未测算，图上未绘出"),
            Lang::En => {
                format!("{skipped} patches with invalid geometry were skipped and are not drawn")
            }
        });
    }
    if let Some(g) = map.convergence.filter(|g| g.abs() >= 0.005) {
        notes.push(match map.lang {
            Lang::Zh => format!(
                "指北针指向坐标北；真北偏{} {:.2}°（子午线收敛角）",
                if g < 0.0 { "西" } else { "东" },
                g.abs()
            ),
            Lang::En => format!(
                "The arrow points to grid north; true north is {:.2}° {} of it (meridian convergence)",
                g.abs(),
                if g < 0.0 { "west" } else { "east" }
            ),
        });
    }
    let mut lines: Vec<String> = Vec::new();
    for n in &notes {
        lines.extend(wrap(n, small, w));
    }
    let mut ny = bottom - (lines.len() as f64 - 1.0) * small * 1.35 - mm(0.5);
    let notes_top = ny - small;
    out.push_str("<g class=\"notes\">\n");
    for l in &lines {
        text(out, x, ny, small, r##" fill="#444444""##, l);
        ny += small * 1.35;
    }
    out.push_str("</g>\n");

    // The scale bar, above the notes.
    if let Some(view) = &map.view {
        let px_per_ground_m = view.scale / map.ground;
        let max_len = w - mm(12.0);
        let len_m = round_length(max_len / px_per_ground_m);
        let len = len_m * px_per_ground_m;
        let bar_h = mm(1.6);
        let by = notes_top - mm(9.0);
        let _ = writeln!(out, r#"<g class="scale-bar" data-length-m="{len_m}">"#);
        let segs = 4;
        for s in 0..segs {
            let sx = x + len * s as f64 / segs as f64;
            let _ = writeln!(
                out,
                r##"<rect x="{sx:.2}" y="{:.2}" width="{:.2}" height="{bar_h:.2}" fill="{}" stroke="#111111" stroke-width="{:.2}"/>"##,
                by,
                len / segs as f64,
                if s % 2 == 0 { "#111111" } else { "#FFFFFF" },
                mm(0.2)
            );
        }
        for (k, v) in [(0.0, 0.0), (0.5, len_m / 2.0), (1.0, len_m)] {
            text(
                out,
                x + len * k,
                by + bar_h + small * 1.25,
                small,
                r##" text-anchor="middle" fill="#111111""##,
                &length_label(v, k == 1.0),
            );
        }
        // The representative fraction at the printed width.
        let paper_mm_per_m = px_per_ground_m / PX_PER_MM;
        let n = two_figures(1000.0 / paper_mm_per_m);
        let ratio = match map.lang {
            Lang::Zh => format!(
                "比例尺约 1:{}（按 {:.0} 毫米宽打印）",
                grouped(n, 0),
                map.width / PX_PER_MM
            ),
            Lang::En => format!(
                "Scale ≈ 1:{} printed {:.0} mm wide",
                grouped(n, 0),
                map.width / PX_PER_MM
            ),
        };
        text(out, x, by - mm(2.0), small, r##" fill="#111111""##, &ratio);
        out.push_str("</g>\n");

        // The north arrow, above the scale bar.
        let ah = mm(11.0);
        let aw = mm(5.0);
        let ax = x + mm(4.0);
        let ay = by - mm(8.0) - ah;
        let _ = writeln!(
            out,
            r##"<g class="north-arrow" stroke="#111111" stroke-width="{sw:.2}" stroke-linejoin="round"><path d="M{ax:.1} {ay:.1}L{:.1} {:.1}L{ax:.1} {:.1}z" fill="#111111"/><path d="M{ax:.1} {ay:.1}L{:.1} {:.1}L{ax:.1} {:.1}z" fill="#FFFFFF"/>"##,
            ax - aw / 2.0,
            ay + ah,
            ay + ah * 0.72,
            ax + aw / 2.0,
            ay + ah,
            ay + ah * 0.72,
            sw = mm(0.25)
        );
        text(
            out,
            ax,
            ay - mm(1.2),
            mm(3.6),
            r##" font-weight="bold" text-anchor="middle" stroke="none" fill="#111111""##,
            map.t("北", "N"),
        );
        let grid = map.convergence.is_some_and(|g| g.abs() >= 0.005) || report.crs.is_none();
        if grid {
            text(
                out,
                ax + aw / 2.0 + mm(2.5),
                ay + ah * 0.6,
                small,
                r##" stroke="none" fill="#444444""##,
                map.t("坐标北（网格北）", "grid north"),
            );
        }
        out.push_str("</g>\n");
    }
}

/// A round scale-bar length (1, 2 or 5 × 10ⁿ metres) of at most `max_m` metres.
fn round_length(max_m: f64) -> f64 {
    if !max_m.is_finite() || max_m <= 0.0 {
        return 1.0;
    }
    let mut p = 10f64.powf(max_m.log10().floor());
    // Guard the floor against rounding in log10.
    while p > max_m {
        p /= 10.0;
    }
    for k in [5.0, 2.0, 1.0] {
        if k * p <= max_m {
            return k * p;
        }
    }
    p
}

/// A length for the scale bar: `250 m`, `1.5 km`.
fn length_label(m: f64, unit: bool) -> String {
    let (v, u) = if m >= 1000.0 {
        (m / 1000.0, "km")
    } else {
        (m, "m")
    };
    let mut s = format!("{v:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if unit {
        format!("{s} {u}")
    } else {
        s
    }
}

/// Two significant figures, for a representative fraction: `12 345` → `12 000`.
fn two_figures(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return v;
    }
    let p = 10f64.powf(v.log10().floor() - 1.0);
    (v / p).round() * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_scale_lengths() {
        assert_eq!(round_length(743.0), 500.0);
        assert_eq!(round_length(1000.0), 1000.0);
        assert_eq!(round_length(0.3), 0.2);
        assert_eq!(round_length(2999.0), 2000.0);
        assert_eq!(length_label(2500.0, true), "2.5 km");
        assert_eq!(length_label(250.0, false), "250");
        assert_eq!(two_figures(12_345.0), 12_000.0);
    }
}
