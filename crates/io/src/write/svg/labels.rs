//! Village names on the map.

use std::fmt::Write as _;

use geo::{Area, Centroid};

use super::layout::Map;
use super::mm;
use super::text::{escape, text_width};

/// Village names at the area-weighted centroid of each village's patches, nudged apart when
/// they would overlap.
pub(super) fn labels(out: &mut String, map: &Map) {
    let view = map.view.as_ref().expect("a view");
    let report = map.report;
    // village → (Σ area·x, Σ area·y, Σ area)
    let mut acc: std::collections::BTreeMap<&str, (f64, f64, f64)> = Default::default();
    for p in &report.patches {
        if p.village.trim().is_empty() {
            continue;
        }
        let (Some(c), a) = (p.geometry.centroid(), p.geometry.unsigned_area()) else {
            continue;
        };
        // A degenerate patch still counts, lightly, so a village of slivers gets a label.
        let a = a.max(1e-9);
        let (x, y) = view.point(c.x(), c.y());
        let e = acc.entry(p.village.as_str()).or_default();
        e.0 += a * x;
        e.1 += a * y;
        e.2 += a;
    }
    let mut items: Vec<(&str, f64, f64, f64)> = acc
        .into_iter()
        .map(|(v, (sx, sy, sa))| (v, sx / sa, sy / sa, sa))
        .collect();
    // Larger villages are placed first and keep their spot.
    items.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(b.0)));
    let size = mm(3.6);
    let (fx, fy, fw, fh) = map.frame;
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let overlaps = |b: &(f64, f64, f64, f64), placed: &[(f64, f64, f64, f64)]| {
        placed
            .iter()
            .any(|p| b.0 < p.2 && p.0 < b.2 && b.1 < p.3 && p.1 < b.3)
    };
    let _ = writeln!(
        out,
        r##"<g class="labels" font-size="{size:.1}" font-weight="bold" text-anchor="middle" fill="#111111" stroke="#FFFFFF" stroke-width="{:.2}" stroke-linejoin="round" paint-order="stroke">"##,
        mm(0.9)
    );
    for (name, x, y, _) in items {
        let tw = text_width(name, size);
        let half = tw / 2.0 + mm(0.5);
        let x = x.clamp(fx + half, (fx + fw - half).max(fx + half));
        let mut best = None;
        for k in [0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0] {
            let yy = (y + size * 0.35 + k * size * 1.25).clamp(fy + size * 1.2, fy + fh - mm(1.0));
            let b = (x - half, yy - size, x + half, yy + size * 0.3);
            if !overlaps(&b, &placed) {
                best = Some((yy, b));
                break;
            }
        }
        let (yy, b) = best.unwrap_or_else(|| {
            let yy = y + size * 0.35;
            (yy, (x - half, yy - size, x + half, yy + size * 0.3))
        });
        placed.push(b);
        let _ = writeln!(
            out,
            r#"<text class="village" x="{x:.1}" y="{yy:.1}">{}</text>"#,
            escape(name)
        );
    }
    out.push_str("</g>\n");
}
