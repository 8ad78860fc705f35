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

use std::fmt::Write as _;
use std::path::Path;

use geo::{Area, Centroid, LineString, MultiPolygon};
use tuban_core::area::AreaMethod;
use tuban_core::crs::Crs;
use tuban_core::report::Report;
use tuban_core::units::mu;
use tuban_core::verdict::{class_zh, Verdict};

use super::atomic::write_atomically;
use super::{Lang, WriteError};

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

/// Escapes text for XML and HTML content and attribute values, dropping the control characters
/// XML 1.0 forbids (a DBF's padding bytes, say), so user data can never break the document.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Is `c` drawn about one em wide (CJK and other wide characters)?
fn is_wide(c: char) -> bool {
    (c as u32) >= 0x2E80
}

/// The approximate width of `s` set at `size` (in the same unit): wide characters one em, others
/// 0.56 em (a sans-serif's average).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.56 })
        .sum::<f64>()
        * size
}

/// Splits `s` into lines no wider than `width` at `size`: at spaces for Latin text, anywhere
/// between wide characters.
fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // Tokens: a run of non-space narrow characters, a single wide character, or a space; a
    // closing mark stays with what precedes it and an opening one with what follows (no line
    // starts with `）` or ends with `（`).
    const CLOSING: &str = "，。；：、？！）〕」』》】,.;:)]!?%°";
    const OPENING: &str = "（〔「『《【([";
    let mut tokens: Vec<String> = Vec::new();
    for c in s.chars() {
        let last = tokens.last().and_then(|t| t.chars().last());
        let glue = match last {
            None => false,
            Some(l) if OPENING.contains(l) => true,
            Some(_) if CLOSING.contains(c) => true,
            Some(l) => !is_wide(c) && c != ' ' && !is_wide(l) && l != ' ',
        };
        if glue {
            tokens.last_mut().expect("a token").push(c);
        } else {
            tokens.push(c.to_string());
        }
    }
    for t in tokens {
        if !line.is_empty() && text_width(&line, size) + text_width(&t, size) > width {
            lines.push(line.trim_end().to_string());
            line.clear();
            if t == " " {
                continue;
            }
        }
        line.push_str(&t);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// How a class is drawn.
struct ClassStyle {
    /// The colour of its hatching or fill and outline.
    color: &'static str,
    /// Hatch angle in degrees, or `None` for a solid fill.
    hatch: Option<f64>,
    /// Drawing order: lower first.
    order: u8,
}

/// The drawing of the built-in classes, and a cycle for classes a rules file adds.
fn class_style(name: &str, index: usize) -> ClassStyle {
    match name {
        "forest" => ClassStyle {
            color: "#1B5E20",
            hatch: Some(45.0),
            order: 0,
        },
        "steep" => ClassStyle {
            color: "#5E3C99",
            hatch: Some(-45.0),
            order: 1,
        },
        "road" => ClassStyle {
            color: "#3C3C3C",
            hatch: None,
            order: 3,
        },
        "grave" => ClassStyle {
            color: "#000000",
            hatch: None,
            order: 4,
        },
        _ => {
            const EXTRA: [&str; 4] = ["#0072B2", "#CC79A7", "#56B4E9", "#8C510A"];
            ClassStyle {
                color: EXTRA[index % EXTRA.len()],
                hatch: Some(if index.is_multiple_of(2) { 0.0 } else { 90.0 }),
                order: 2,
            }
        }
    }
}

/// The fill of a verdict's patches (Okabe–Ito tints), and grey for failed patches.
pub(crate) fn verdict_fill(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Rectifiable) => "#7FCFB8",
        Some(Verdict::Partly) => "#F3CF7F",
        Some(Verdict::NotRectifiable) => "#DF8640",
        None => "#D0D0D0",
    }
}

/// A verdict's name in the legend and tooltips (`None`: a failed patch).
fn verdict_label(v: Option<Verdict>, lang: Lang) -> &'static str {
    match (v, lang) {
        (Some(v), Lang::Zh) => v.zh(),
        (Some(Verdict::Rectifiable), Lang::En) => "rectifiable",
        (Some(Verdict::Partly), Lang::En) => "partly rectifiable",
        (Some(Verdict::NotRectifiable), Lang::En) => "not rectifiable",
        (None, Lang::Zh) => "处理失败",
        (None, Lang::En) => "failed",
    }
}

/// From the report's coordinates to a plane in metres.
#[derive(Debug, Clone, Copy)]
enum Plane {
    /// Already projected metres.
    Same,
    /// Longitude/latitude to a local equirectangular plane about `(lon0, lat0)`.
    LonLat {
        lon0: f64,
        lat0: f64,
        kx: f64,
        ky: f64,
    },
}

impl Plane {
    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Plane::Same => (x, y),
            Plane::LonLat { lon0, lat0, kx, ky } => ((x - lon0) * kx, (y - lat0) * ky),
        }
    }
}

/// From the report's coordinates to SVG user units (tenths, for compact paths).
struct View {
    plane: Plane,
    /// The plane's minimum x and maximum y.
    min_x: f64,
    max_y: f64,
    /// User units per plane metre.
    scale: f64,
    /// Where the plane's (min x, max y) goes.
    ox: f64,
    oy: f64,
}

impl View {
    fn point(&self, x: f64, y: f64) -> (f64, f64) {
        let (u, v) = self.plane.apply(x, y);
        (
            self.ox + (u - self.min_x) * self.scale,
            self.oy + (self.max_y - v) * self.scale,
        )
    }

    /// The point in tenths of a user unit.
    fn tenths(&self, x: f64, y: f64) -> (i64, i64) {
        let (a, b) = self.point(x, y);
        ((a * 10.0).round() as i64, (b * 10.0).round() as i64)
    }
}

/// Writes a number of tenths compactly: `123` → `12.3`, `-5` → `-.5`, `40` → `4`.
fn put_tenths(out: &mut String, t: i64) {
    if t < 0 {
        out.push('-');
    }
    let a = t.unsigned_abs();
    let (i, f) = (a / 10, a % 10);
    let _ = match (i, f) {
        (i, 0) => write!(out, "{i}"),
        (0, f) => write!(out, ".{f}"),
        (i, f) => write!(out, "{i}.{f}"),
    };
}

/// Appends a ring as `M x y l dx dy … z` (relative moves between the rounded points, so the
/// rounding never accumulates); rings that collapse below three points are left out.
fn put_ring(out: &mut String, ring: &LineString<f64>, view: &View) {
    let mut pts: Vec<(i64, i64)> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let p = view.tenths(c.x, c.y);
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 3 {
        return;
    }
    out.push('M');
    put_tenths(out, pts[0].0);
    out.push(' ');
    put_tenths(out, pts[0].1);
    for (k, w) in pts.windows(2).enumerate() {
        out.push(if k == 0 { 'l' } else { ' ' });
        put_tenths(out, w[1].0 - w[0].0);
        out.push(' ');
        put_tenths(out, w[1].1 - w[0].1);
    }
    out.push('z');
}

/// The `d` of a multipolygon: every exterior and hole.
fn path_data(g: &MultiPolygon<f64>, view: &View) -> String {
    let mut d = String::new();
    for p in &g.0 {
        put_ring(&mut d, p.exterior(), view);
        for h in p.interiors() {
            put_ring(&mut d, h, view);
        }
    }
    d
}

/// Formats a number with `decimals` decimals, grouping thousands with thin spaces (`12 345.67`).
fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.find('.') {
        Some(d) => (&s[..d], &s[d..]),
        None => (s.as_str(), ""),
    };
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push('\u{2009}');
        }
        g.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    format!("{sign}{g}{frac}")
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

/// Everything the drawing needs, worked out once.
struct Map<'a> {
    report: &'a Report,
    lang: Lang,
    /// Page size in user units.
    width: f64,
    height: f64,
    /// The map frame: x, y, width, height.
    frame: (f64, f64, f64, f64),
    /// The legend panel's left edge and width.
    panel_x: f64,
    panel_w: f64,
    /// `None` when no patch has geometry.
    view: Option<View>,
    /// Ground metres per plane metre (Web Mercator's cosine of latitude; 1 otherwise).
    ground: f64,
    /// The angle of true north east of grid north at the centre, degrees, when known.
    convergence: Option<f64>,
    /// How the coordinates were taken, for the notes.
    crs_note: String,
}

impl<'a> Map<'a> {
    fn new(report: &'a Report, opts: &MapOptions) -> Self {
        let lang = opts.lang;
        let width_mm = if opts.width_mm.is_finite() {
            opts.width_mm.max(150.0)
        } else {
            277.0
        };
        let width = mm(width_mm);
        let height = mm(width_mm * 190.0 / 277.0);
        let pad = mm(5.0);
        let top = mm(19.0);
        let panel_w = mm(66.0);
        let frame = (
            pad,
            top,
            width - 2.0 * pad - panel_w - mm(4.0),
            height - top - pad,
        );
        let panel_x = frame.0 + frame.2 + mm(4.0);

        // The extent, in the report's coordinates.
        let mut ext = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
        for p in &report.patches {
            for poly in &p.geometry.0 {
                for c in &poly.exterior().0 {
                    if c.x.is_finite() && c.y.is_finite() {
                        ext = [
                            ext[0].min(c.x),
                            ext[1].min(c.y),
                            ext[2].max(c.x),
                            ext[3].max(c.y),
                        ];
                    }
                }
            }
        }
        let has_extent = ext[0] <= ext[2];
        let (cx, cy) = ((ext[0] + ext[2]) / 2.0, (ext[1] + ext[3]) / 2.0);
        let mut ground = 1.0;
        let mut convergence = None;
        let mut plane = Plane::Same;
        let crs_note = match report.crs {
            None => tr(
                lang,
                "坐标系未知：坐标按米计",
                "CRS unknown: coordinates taken as metres",
            )
            .to_string(),
            Some(crs @ Crs::Geographic { .. }) => {
                if has_extent {
                    // Metres per degree along the meridian and the parallel at the centre.
                    let e = crs.ellipsoid();
                    let e2 = e.f * (2.0 - e.f);
                    let (s, c) = cy.to_radians().sin_cos();
                    let w = (1.0 - e2 * s * s).sqrt();
                    let rad = std::f64::consts::PI / 180.0;
                    plane = Plane::LonLat {
                        lon0: cx,
                        lat0: cy,
                        kx: e.a / w * c * rad,
                        ky: e.a * (1.0 - e2) / (w * w * w) * rad,
                    };
                }
                convergence = Some(0.0);
                match lang {
                    Lang::Zh => format!("{crs}（经纬度，按中心等距圆柱投影近似绘制，上方为真北）"),
                    Lang::En => format!(
                        "{crs} (longitude/latitude, drawn in an equirectangular projection about the centre; true north up)"
                    ),
                }
            }
            Some(crs @ Crs::WebMercator) => {
                if has_extent {
                    let (_, lat) = crs.to_geographic(cx, cy);
                    ground = lat.to_radians().cos();
                }
                convergence = Some(0.0);
                crs.to_string()
            }
            Some(crs) => {
                if has_extent {
                    let p = crs.projector();
                    let (lon, lat) = p.to_geographic(cx, cy);
                    let (x0, y0) = p.from_geographic(lon, lat);
                    let (x1, y1) = p.from_geographic(lon, lat + 0.01);
                    let g = (x1 - x0).atan2(y1 - y0).to_degrees();
                    convergence = g.is_finite().then_some(g);
                }
                crs.to_string()
            }
        };

        let view = has_extent.then(|| {
            let (a, b) = plane.apply(ext[0], ext[1]);
            let (c, d) = plane.apply(ext[2], ext[3]);
            let inset = mm(4.0);
            let (fw, fh) = (frame.2 - 2.0 * inset, frame.3 - 2.0 * inset);
            let (ww, wh) = (c - a, d - b);
            let scale = match (ww > 0.0, wh > 0.0) {
                (true, true) => (fw / ww).min(fh / wh),
                (true, false) => fw / ww,
                (false, true) => fh / wh,
                (false, false) => 1.0,
            };
            View {
                plane,
                min_x: a,
                max_y: d,
                scale,
                ox: frame.0 + inset + (fw - ww * scale) / 2.0,
                oy: frame.1 + inset + (fh - wh * scale) / 2.0,
            }
        });
        Map {
            report,
            lang,
            width,
            height,
            frame,
            panel_x,
            panel_w,
            view,
            ground,
            convergence,
            crs_note,
        }
    }

    fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, zh, en)
    }

    /// The verdict of patch `i` (`None` when it failed).
    fn verdict(&self, i: usize) -> Option<Verdict> {
        self.report.judgements[i]
            .as_ref()
            .filter(|_| self.report.results[i].error.is_none())
            .map(|j| j.verdict)
    }

    /// Was patch `i` left out on purpose (`--invalid skip`)?
    fn skipped(&self, i: usize) -> bool {
        self.report.skipped.get(i).copied().unwrap_or(false)
    }

    fn class_label(&self, name: &str) -> String {
        match self.lang {
            Lang::Zh => class_zh(name).to_string(),
            Lang::En => name.to_string(),
        }
    }

    fn mu_text(&self, m2: f64) -> String {
        match self.lang {
            Lang::Zh => format!("{} 亩", grouped(mu(m2), 2)),
            Lang::En => format!("{} mu", grouped(mu(m2), 2)),
        }
    }
}

/// The area method in a few words: `椭球面积（CGCS2000 椭球，国土调查办发〔2008〕32号）` or
/// `ellipsoidal, on the CGCS2000 ellipsoid (the land survey's method)`.
pub(crate) fn method_text(report: &Report, lang: Lang) -> String {
    let datum = report.crs.map_or("CGCS2000", |c| c.datum().name());
    match (report.method, lang) {
        (AreaMethod::Ellipsoidal, Lang::Zh) => {
            format!("椭球面积（{datum} 椭球，国土调查办发〔2008〕32号）")
        }
        (AreaMethod::Ellipsoidal, Lang::En) => {
            format!("ellipsoidal, on the {datum} ellipsoid (the land survey's method)")
        }
        (AreaMethod::Planar, Lang::Zh) => "平面面积（投影坐标下计算）".to_string(),
        (AreaMethod::Planar, Lang::En) => "planar, in the projected plane".to_string(),
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

/// The hatch patterns of the hatched classes.
fn defs(out: &mut String, map: &Map) {
    out.push_str("<defs>\n");
    let step = mm(1.1);
    for (c, name) in map.report.classes.iter().enumerate() {
        let st = class_style(name, c);
        if let Some(angle) = st.hatch {
            let _ = writeln!(
                out,
                r#"<pattern id="hatch-{c}" patternUnits="userSpaceOnUse" width="{step:.2}" height="{step:.2}" patternTransform="rotate({angle})"><rect width="{step:.2}" height="{step:.2}" fill="{col}" fill-opacity="0.25"/><line x1="0" y1="0" x2="0" y2="{step:.2}" stroke="{col}" stroke-width="{sw:.2}"/></pattern>"#,
                col = st.color,
                sw = mm(0.25),
            );
        }
    }
    out.push_str("</defs>\n");
}

/// The fill and stroke attributes of class `c`'s pieces.
fn class_paint(c: usize, name: &str) -> String {
    let st = class_style(name, c);
    match st.hatch {
        Some(_) => format!(
            r#"fill="url(#hatch-{c})" stroke="{}" stroke-width="{:.2}""#,
            st.color,
            mm(0.18)
        ),
        None => format!(
            r#"fill="{col}" stroke="{col}" stroke-width="{:.2}" stroke-linejoin="round""#,
            mm(0.22),
            col = st.color
        ),
    }
}

/// The title and the one-line summary above the map.
fn header(out: &mut String, map: &Map, title: &str) {
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
fn patches(out: &mut String, map: &Map) {
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

/// The outline drawn over the obstacles around each patch that is not rectifiable: such a
/// patch is nearly all covered by obstacles, which would hide its fill.
const NOT_RECTIFIABLE_OUTLINE: &str = "#B33F00";

/// Outlines the patches that are not rectifiable over everything else (`path.outline`, not
/// `path.patch`: each patch still has exactly one `path.patch`).
fn outlines(out: &mut String, map: &Map) {
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
fn obstacles(out: &mut String, map: &Map) {
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

/// Village names at the area-weighted centroid of each village's patches, nudged apart when
/// they would overlap.
fn labels(out: &mut String, map: &Map) {
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

/// The legend, the north arrow, the scale bar and the notes.
fn panel(out: &mut String, map: &Map) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_are_compact() {
        let f = |t| {
            let mut s = String::new();
            put_tenths(&mut s, t);
            s
        };
        assert_eq!(
            [f(0), f(5), f(-5), f(40), f(-123), f(1234)],
            ["0", ".5", "-.5", "4", "-12.3", "123.4"]
        );
    }

    #[test]
    fn round_scale_lengths() {
        assert_eq!(round_length(743.0), 500.0);
        assert_eq!(round_length(1000.0), 1000.0);
        assert_eq!(round_length(0.3), 0.2);
        assert_eq!(round_length(2999.0), 2000.0);
        assert_eq!(length_label(2500.0, true), "2.5 km");
        assert_eq!(length_label(250.0, false), "250");
        assert_eq!(two_figures(12_345.0), 12_000.0);
        assert_eq!(grouped(12_345.678, 2), "12\u{2009}345.68");
        assert_eq!(grouped(-0.001, 2), "0.00");
    }

    #[test]
    fn escaping_drops_what_xml_forbids() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\u{0}村"),
            "a&lt;b&gt;&amp;&quot;c&#39;村"
        );
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_between_wide_characters() {
        let lines = wrap("Areas: ellipsoidal, on the CGCS2000 ellipsoid", 1.0, 12.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| text_width(l, 1.0) <= 12.0 || !l.contains(' ')));
        assert_eq!(
            lines.join(" "),
            "Areas: ellipsoidal, on the CGCS2000 ellipsoid"
        );
        let zh = wrap("面积：椭球面积（CGCS2000 椭球）", 1.0, 6.0);
        assert_eq!(
            zh.concat().replace(' ', ""),
            "面积：椭球面积（CGCS2000椭球）"
        );
    }
}
