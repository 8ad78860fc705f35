//! The page and the projection: the frame, the panel, the view from the report's coordinates to
//! the page (with compact path data), and the notes on the CRS and the area method.

use std::fmt::Write as _;

use geo::{LineString, MultiPolygon};
use tuban_core::area::AreaMethod;
use tuban_core::crs::Crs;
use tuban_core::report::Report;
use tuban_core::units::mu;
use tuban_core::verdict::{class_zh, Verdict};

use super::text::grouped;
use super::{mm, tr, MapOptions};
use crate::write::Lang;

/// From the report's coordinates to a plane in metres.
#[derive(Debug, Clone, Copy)]
pub(super) enum Plane {
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
pub(super) struct View {
    plane: Plane,
    /// The plane's minimum x and maximum y.
    min_x: f64,
    max_y: f64,
    /// User units per plane metre.
    pub(super) scale: f64,
    /// Where the plane's (min x, max y) goes.
    ox: f64,
    oy: f64,
}

impl View {
    pub(super) fn point(&self, x: f64, y: f64) -> (f64, f64) {
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
pub(super) fn path_data(g: &MultiPolygon<f64>, view: &View) -> String {
    let mut d = String::new();
    for p in &g.0 {
        put_ring(&mut d, p.exterior(), view);
        for h in p.interiors() {
            put_ring(&mut d, h, view);
        }
    }
    d
}

/// Everything the drawing needs, worked out once.
pub(super) struct Map<'a> {
    pub(super) report: &'a Report,
    pub(super) lang: Lang,
    /// Page size in user units.
    pub(super) width: f64,
    pub(super) height: f64,
    /// The map frame: x, y, width, height.
    pub(super) frame: (f64, f64, f64, f64),
    /// The legend panel's left edge and width.
    pub(super) panel_x: f64,
    pub(super) panel_w: f64,
    /// `None` when no patch has geometry.
    pub(super) view: Option<View>,
    /// Ground metres per plane metre (Web Mercator's cosine of latitude; 1 otherwise).
    pub(super) ground: f64,
    /// The angle of true north east of grid north at the centre, degrees, when known.
    pub(super) convergence: Option<f64>,
    /// How the coordinates were taken, for the notes.
    pub(super) crs_note: String,
}

impl<'a> Map<'a> {
    pub(super) fn new(report: &'a Report, opts: &MapOptions) -> Self {
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

    pub(super) fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, zh, en)
    }

    /// The verdict of patch `i` (`None` when it failed).
    pub(super) fn verdict(&self, i: usize) -> Option<Verdict> {
        self.report.judgements[i]
            .as_ref()
            .filter(|_| self.report.results[i].error.is_none())
            .map(|j| j.verdict)
    }

    /// Was patch `i` left out on purpose (`--invalid skip`)?
    pub(super) fn skipped(&self, i: usize) -> bool {
        self.report.skipped.get(i).copied().unwrap_or(false)
    }

    pub(super) fn class_label(&self, name: &str) -> String {
        match self.lang {
            Lang::Zh => class_zh(name).to_string(),
            Lang::En => name.to_string(),
        }
    }

    pub(super) fn mu_text(&self, m2: f64) -> String {
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
}
