//! The ledger as one HTML page: the ledger and audit tables, the village table, and an SVG map of
//! the township with what the indicators are about: the cropland outside the protection task, the
//! cropland outside the PBF polygons (where the PBF shortfall can be made up), the flows between the
//! two surveys, the compensation plots by verdict and the enforcement cases.
//!
//! The page needs nothing but a browser (no script, no network): the map is inline SVG, one path
//! per layer (one per plot, with a tooltip), coordinates rounded to 0.1 px. Colours are the
//! Okabe–Ito colour-blind-safe set the run's map uses.

use std::fmt::Write as _;

use tuban::core::account::hundredths;
use tuban::core::geo::{BoundingRect, MultiPolygon, Rect};
use tuban::core::units::mu;

use crate::indicators::describe;
use crate::show::{keys, round2, township, village_name, village_table};
use crate::Ledger;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Map width in px; the height follows the township's shape.
const WIDTH: f64 = 960.0;

struct View {
    x0: f64,
    y1: f64,
    scale: f64,
}

impl View {
    fn path(&self, mp: &MultiPolygon<f64>, d: &mut String) {
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for (k, c) in ring.0.iter().enumerate() {
                    let x = ((c.x - self.x0) * self.scale * 10.0).round() / 10.0;
                    let y = ((self.y1 - c.y) * self.scale * 10.0).round() / 10.0;
                    let _ = write!(d, "{}{x} {y}", if k == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
    }
}

fn extent(ledger: &Ledger) -> Option<Rect<f64>> {
    let s = &ledger.shapes;
    let plots = ledger.plots.iter().map(|p| &p.geometry);
    s.cropland
        .iter()
        .chain(&s.pbf)
        .chain(&s.cases)
        .chain(plots)
        .filter_map(|g| g.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })
}

/// The map: `(svg, legend rows)`; empty when there is nothing to draw.
fn map(ledger: &Ledger) -> String {
    let Some(e) = extent(ledger) else {
        return String::new();
    };
    let scale = WIDTH / e.width().max(1.0);
    let height = (e.height() * scale).ceil();
    let view = View {
        x0: e.min().x,
        y1: e.max().y,
        scale,
    };
    let s = &ledger.shapes;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\">\n"
    );
    let layers: [(&str, &[MultiPolygon<f64>], &str); 7] = [
        ("cropland", &s.cropland, "fill=\"#f3e3b5\""),
        ("pbf", &s.pbf, "fill=\"#009e73\" fill-opacity=\"0.25\""),
        ("not-pbf", &s.not_pbf, "fill=\"#e69f00\""),
        ("outside", &s.outside, "fill=\"#d55e00\""),
        ("outflow", &s.outflow, "fill=\"#cc79a7\""),
        ("inflow", &s.inflow, "fill=\"#0072b2\""),
        (
            "cases",
            &s.cases,
            "fill=\"none\" stroke=\"#000\" stroke-width=\"2\"",
        ),
    ];
    for (class, shapes, style) in layers {
        if shapes.is_empty() {
            continue;
        }
        let mut d = String::new();
        for g in shapes {
            view.path(g, &mut d);
        }
        let _ = writeln!(
            svg,
            "<path class=\"{class}\" {style} fill-rule=\"evenodd\" d=\"{d}\"/>"
        );
    }
    for p in &ledger.plots {
        let fill = match p.verdict.as_str() {
            "rectifiable" => "#009e73",
            "partly" => "#f0e442",
            "not_rectifiable" => "#d55e00",
            _ => "#999999",
        };
        let mut d = String::new();
        view.path(&p.geometry, &mut d);
        let _ = writeln!(
            svg,
            "<path class=\"plot\" data-plot-id=\"{}\" fill=\"{fill}\" fill-opacity=\"0.8\" stroke=\"#000\" stroke-width=\"1\" d=\"{d}\"><title>{} {} {} mu, rectifiable {} mu: {} {}</title></path>",
            esc(&p.id),
            esc(&p.id),
            esc(&p.village),
            hundredths(round2(mu(p.area_m2))),
            hundredths(round2(mu(p.rectifiable_m2))),
            esc(&p.verdict),
            esc(&p.reasons)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn legend(ledger: &Ledger) -> String {
    let v = |k: &str| {
        township(ledger, k)
            .map(hundredths)
            .unwrap_or_else(|| "-".into())
    };
    let rows = [
        ("#f3e3b5", "现状耕地 cropland", v("cropland_mu")),
        (
            "#d55e00",
            "未纳入保护任务的耕地 cropland outside protection",
            v("cropland_outside_protection_mu"),
        ),
        ("#009e73", "永久基本农田 PBF polygons (tint)", v("pbf_mu")),
        (
            "#e69f00",
            "保护任务内、永久基本农田外的耕地 cropland outside PBF (PBF shortfall)",
            v("pbf_gap_mu"),
        ),
        ("#cc79a7", "耕地流出 outflow", v("outflow_mu")),
        ("#0072b2", "耕地流入 inflow", v("inflow_mu")),
        (
            "#000000",
            "卫片执法图斑 enforcement cases (outline)",
            v("violation_cropland_mu"),
        ),
        (
            "#009e73",
            "占补平衡 可整改 compensation rectifiable",
            v("compensation_rectifiable_mu"),
        ),
        (
            "#d55e00",
            "占补平衡 不可整改 not rectifiable (outlined)",
            v("compensation_not_rectifiable_mu"),
        ),
    ];
    let mut s = String::from("<table class=\"legend\">\n");
    for (colour, what, value) in rows {
        let _ = writeln!(
            s,
            "<tr><td><span style=\"background:{colour}\"></span></td><td>{}</td><td class=\"n\">{value} 亩</td></tr>",
            esc(what)
        );
    }
    s.push_str("</table>\n");
    s
}

/// The page.
pub fn page(ledger: &Ledger) -> String {
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>耕地一本账 farmland ledger</title>\n<style>\nbody{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif;margin:1.5em}\ntable{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px}\ntd.n{text-align:right;font-variant-numeric:tabular-nums}tr.flag{background:#fde0d0}\n.legend td{border:none}.legend span{display:inline-block;width:1.2em;height:0.9em;border:1px solid #555}\n</style>\n</head>\n<body>\n<h1>耕地一本账 farmland ledger</h1>\n",
    );
    let _ = writeln!(h, "<p>{}</p>", esc(&ledger.method_note));
    h.push_str("<h2>指标 indicators</h2>\n<table>\n<tr><th>key</th><th>指标</th><th>数值</th><th>公式 formula</th></tr>\n");
    for k in keys(ledger) {
        let (zh, formula) = describe(k);
        let _ = writeln!(
            h,
            "<tr><td>{k}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(zh),
            township(ledger, k).map(hundredths).unwrap_or_default(),
            esc(formula)
        );
    }
    h.push_str("</table>\n<h2>核对 audit</h2>\n<table>\n<tr><th>figure</th><th>文件所述 stated</th><th>由所述数推算 from stated</th><th>由图层计算 from layers</th><th>一致 ok</th><th>公式 formula</th></tr>\n");
    let opt = |v: Option<f64>| v.map(|v| hundredths(round2(v))).unwrap_or_default();
    for r in &ledger.audit {
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            if r.ok { "" } else { " class=\"flag\"" },
            esc(&r.figure),
            r.stated,
            opt(r.from_stated),
            opt(r.from_layers),
            if r.ok { "✓" } else { "✗" },
            esc(&r.formula)
        );
    }
    h.push_str("</table>\n<h2>地图 map</h2>\n");
    h.push_str(&legend(ledger));
    h.push_str(&map(ledger));
    let (vkeys, rows, total) = village_table(ledger);
    h.push_str("<h2>分村 villages</h2>\n<table>\n<tr><th>村</th>");
    for k in &vkeys {
        let _ = write!(h, "<th>{}</th>", esc(describe(k).0));
    }
    h.push_str("</tr>\n");
    let total_row = ("合计 total".to_string(), total);
    for (name, vals) in rows.iter().chain(std::iter::once(&total_row)) {
        let _ = write!(h, "<tr><td>{}</td>", esc(village_name(name)));
        for v in vals {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                v.map(hundredths).unwrap_or_default()
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    for w in &ledger.warnings {
        let _ = writeln!(h, "<p class=\"warning\">⚠ {}</p>", esc(w));
    }
    h.push_str("</body>\n</html>\n");
    h
}
