//! The map: an SVG overview of the patches for one A4 page.
//!
//! Each patch is filled by its verdict in tints of colour-blind-safe Okabe–Ito colours: bluish
//! green 可整改 rectifiable, orange 部分可整改 partly, vermillion 不可整改 not rectifiable (also
//! outlined thickly over everything, since obstacles cover such a patch almost whole), grey for a
//! patch that failed. The obstacle pieces inside each patch are drawn over it by class: forest
//! (green) and steep slope (purple) hatched over a light tint, so the verdict shows through;
//! roads (dark grey) and graves (black) solid; a class a rules file adds hatched in blue, pink,
//! sky blue or brown. Each village's name stands, haloed, at the area-weighted centroid of its
//! patches (nudged apart where two would overlap). A panel on the right holds the legend (each
//! verdict's patch count, each class's mu and the number of graves), a north arrow, a scale bar
//! with a round length, the representative fraction at the printed width, and notes on the area
//! method and the CRS. The page is `width_mm` wide (277 mm, A4 landscape inside 10 mm margins, by
//! default) in the A4 landscape proportions; text is 2.6 to 6 mm tall on it.
//!
//! **Patches.** Each patch is one `<path class="patch">` carrying `data-patch-id` and
//! `data-village`, with a `<title>` (its id, village, verdict and mu: a tooltip in a browser);
//! rings with holes and multi-part patches are one path with `fill-rule="evenodd"`. A patch
//! without geometry (or left out by `--invalid skip`) is an empty path, so there is always one
//! per patch. Coordinates are rounded to 0.1 px (0.03 mm on paper) and repeated points dropped,
//! so the file stays small (about 500 bytes a patch with its tooltip); the map is made for a
//! township (a few thousand patches). Above [`TOOLTIP_LIMIT`] patches the tooltips are left out;
//! the map still draws every patch, but a county's worth is better looked at in a GIS.
//!
//! **Coordinates.** The report's coordinates are projected metres in [`Report::crs`]. The north
//! arrow points to grid north (up), and for Gauss–Kruger and UTM the notes give the meridian
//! convergence at the map's centre, the angle between grid and true north. Web Mercator metres
//! are scaled by the cosine of the centre's latitude for the scale bar. Longitude/latitude (which
//! the pipeline never hands over, but a hand-built report may) is drawn in a local
//! equirectangular projection about the centre on the CRS's ellipsoid (true to 0.01% over a
//! township), with true north up. A report without a CRS is taken to be in metres, and the notes
//! say so.
//!
//! **Text.** All text uses the font stack [`FONT_FAMILY`] (CJK fonts of Linux, Windows and
//! macOS, then `sans-serif`): a viewer with none of them shows the Chinese with whatever CJK font
//! it has. Text stays text (searchable, selectable and small), not glyph outlines.

//!
//! **Code layout.** [`render`] works out a `Map` once (`layout`: the page, the frame, the
//! projection to the page and the notes on the CRS), then draws in this order: the hatch
//! patterns (`style`), the title (`body`), the map body (`body`: patches by verdict, obstacle
//! pieces by class, outlines of the patches that are not rectifiable), the village names
//! (`labels`), the legend (`legend`), and the notes, scale bar and north arrow (`scale`). `text`
//! holds the text helpers every part uses (escaping, widths, wrapping, number grouping).

mod body;
mod labels;
mod layout;
mod legend;
mod scale;
mod style;
mod text;

use std::fmt::Write as _;
use std::path::Path;

use tuban_core::report::Report;

use super::atomic::write_atomically;
use super::{Lang, WriteError};

use body::{header, obstacles, outlines, patches};
use labels::labels;
pub(crate) use layout::method_text;
use layout::Map;
use style::defs;
pub(crate) use style::verdict_fill;
pub(crate) use text::escape;

/// The font stack of all text: CJK fonts found on Linux (Noto, Source Han, WenQuanYi), Windows
/// (Microsoft YaHei, SimHei) and macOS (PingFang), then the generic `sans-serif`.
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Source Han Sans CN', \
     'Microsoft YaHei', 'PingFang SC', 'SimHei', 'WenQuanYi Micro Hei', 'WenQuanYi Zen Hei', \
     sans-serif";

/// Above this many patches the per-patch tooltips are left out of the map.
pub const TOOLTIP_LIMIT: usize = 50_000;

/// How to draw the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapOptions {
    /// The language of the title, legend and notes (village names and ids are as in the data).
    pub lang: Lang,
    /// The page width in millimetres (at least 150); the height is in A4 landscape proportion
    /// (190/277). 277 mm (A4 landscape inside 10 mm margins) by default. Text sizes are in
    /// millimetres on this page, so the map is readable when printed at this width.
    pub width_mm: f64,
    /// The title; `None` for the default (`图斑整改障碍分布图` / `Obstacles in the rectification
    /// patches`).
    pub title: Option<String>,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            lang: Lang::Zh,
            width_mm: 277.0,
            title: None,
        }
    }
}

/// Writes the map to `path` as SVG, whole or not at all.
pub fn write(report: &Report, opts: &MapOptions, path: &Path) -> Result<(), WriteError> {
    let doc = render(report, opts);
    write_atomically(path, |w| w.write_all(doc.as_bytes()))
}

/// The map as a standalone SVG document (see the module documentation).
pub fn render(report: &Report, opts: &MapOptions) -> String {
    document(report, opts, true)
}

/// The map as an `<svg>` element to put inside an HTML page: no XML declaration and no
/// namespace declaration (HTML gives `<svg>` its namespace).
pub(crate) fn render_inline(report: &Report, opts: &MapOptions) -> String {
    document(report, opts, false)
}

/// Millimetres to SVG user units (CSS pixels, 96 per inch).
const PX_PER_MM: f64 = 96.0 / 25.4;

fn mm(v: f64) -> f64 {
    v * PX_PER_MM
}

fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Text at (x, y) with attributes, escaped.
fn text(out: &mut String, x: f64, y: f64, size: f64, attrs: &str, s: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size:.1}"{attrs}>{}</text>"#,
        escape(s)
    );
}

fn document(report: &Report, opts: &MapOptions, standalone: bool) -> String {
    let map = Map::new(report, opts);
    let mut out = String::with_capacity(64 * 1024 + report.patches.len() * 400);
    let (w, h) = (map.width, map.height);
    let width_mm = w / PX_PER_MM;
    let height_mm = h / PX_PER_MM;
    if standalone {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    let _ = writeln!(
        out,
        r#"<svg{} class="tuban-map" width="{width_mm:.1}mm" height="{height_mm:.1}mm" viewBox="0 0 {w:.1} {h:.1}" font-family="{FONT_FAMILY}">"#,
        if standalone {
            r#" xmlns="http://www.w3.org/2000/svg""#
        } else {
            ""
        }
    );
    let title = opts.title.clone().unwrap_or_else(|| {
        map.t(
            "图斑整改障碍分布图",
            "Obstacles in the rectification patches",
        )
        .to_string()
    });
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    defs(&mut out, &map);
    let _ = writeln!(
        out,
        r##"<rect class="background" width="{w:.1}" height="{h:.1}" fill="#FFFFFF"/>"##
    );
    header(&mut out, &map, &title);
    let (fx, fy, fw, fh) = map.frame;
    let _ = writeln!(
        out,
        r##"<clipPath id="frame-clip"><rect x="{fx:.1}" y="{fy:.1}" width="{fw:.1}" height="{fh:.1}"/></clipPath>"##
    );
    let _ = writeln!(out, r#"<g class="map" clip-path="url(#frame-clip)">"#);
    patches(&mut out, &map);
    if map.view.is_some() {
        obstacles(&mut out, &map);
        outlines(&mut out, &map);
        labels(&mut out, &map);
    } else {
        text(
            &mut out,
            fx + fw / 2.0,
            fy + fh / 2.0,
            mm(4.0),
            r##" text-anchor="middle" fill="#666666""##,
            map.t("没有可绘制的图斑图形", "No patch has a geometry to draw"),
        );
    }
    out.push_str("</g>\n");
    let _ = writeln!(
        out,
        r##"<rect class="frame" x="{fx:.1}" y="{fy:.1}" width="{fw:.1}" height="{fh:.1}" fill="none" stroke="#333333" stroke-width="{:.2}"/>"##,
        mm(0.3)
    );
    panel(&mut out, &map);
    out.push_str("</svg>\n");
    out
}

/// The panel on the right: the legend, then (from the bottom up) the notes, the scale bar and
/// the north arrow.
fn panel(out: &mut String, map: &Map) {
    legend::legend(out, map);
    scale::notes_scale_north(out, map);
}
