//! Turning point and line obstacles into areas: grave discs and road corridors.
//!
//! Both follow GEOS (and so PostGIS and shapely) so that results compare with those tools:
//! circles are regular polygons with `quad_segs` segments per quarter circle (default 8, GEOS's
//! and PostGIS's default), with a vertex at angle 0; road corridors have flat ends and round joins.

use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
use geo::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};

/// GEOS's default number of segments per quarter circle.
pub const DEFAULT_QUAD_SEGS: u32 = crate::defaults::QUAD_SEGS;

/// A disc of radius `radius` around `center`: the regular polygon with `4 × quad_segs` vertices
/// at angles `k·π/(2·quad_segs)` from the east, as GEOS builds a point's buffer. Its area is
/// `(n/2)·r²·sin(2π/n)` with `n = 4·quad_segs`, slightly less than `πr²`.
///
/// ```
/// use geo::{Area, Coord};
/// use tuban_core::shapes::disc;
/// let d = disc(Coord { x: 0.0, y: 0.0 }, 2.0, 8);
/// // n = 32: 16 · 4 · sin(π/16) = 12.485780609...
/// assert!((d.unsigned_area() - 16.0 * 4.0 * (std::f64::consts::PI / 16.0).sin()).abs() < 1e-12);
/// ```
pub fn disc(center: Coord<f64>, radius: f64, quad_segs: u32) -> Polygon<f64> {
    let n = 4 * quad_segs.max(1) as usize;
    let ring_of = |unit: &[(f64, f64)]| -> Vec<Coord<f64>> {
        let mut ring: Vec<Coord<f64>> = Vec::with_capacity(n + 1);
        ring.extend(unit.iter().map(|&(c, s)| Coord {
            x: center.x + radius * c,
            y: center.y + radius * s,
        }));
        ring.push(ring[0]);
        ring
    };
    // The cosines and sines of GEOS's default are computed once (a million graves would
    // otherwise take 64 million trigonometric calls); the values are the same bits.
    let ring = if quad_segs == DEFAULT_QUAD_SEGS {
        static UNIT: std::sync::OnceLock<Vec<(f64, f64)>> = std::sync::OnceLock::new();
        ring_of(UNIT.get_or_init(|| unit_circle(n)))
    } else {
        ring_of(&unit_circle(n))
    };
    Polygon::new(LineString(ring), vec![])
}

/// `(cos, sin)` of the angles `k·2π/n`, `k = 0..n`.
fn unit_circle(n: usize) -> Vec<(f64, f64)> {
    let step = std::f64::consts::TAU / n as f64;
    (0..n)
        .map(|k| {
            let a = step * k as f64;
            (a.cos(), a.sin())
        })
        .collect()
}

/// The radius that gives a disc of [`disc`]'s shape the area `area` exactly (used when graves
/// carry an area attribute rather than a radius).
pub fn disc_radius_for_area(area: f64, quad_segs: u32) -> f64 {
    let n = (4 * quad_segs.max(1)) as f64;
    (2.0 * area / (n * (std::f64::consts::TAU / n).sin())).sqrt()
}

/// The corridor of a road centre line: every point within `width / 2` of it, with flat ends
/// (the road stops where its line stops) and round joins at bends, `quad_segs` segments per
/// quarter circle. Overlapping parts (a line crossing itself) count once.
///
/// ```
/// use geo::{Area, LineString, MultiLineString};
/// use tuban_core::shapes::road_corridor;
/// // A straight 10 m road, 6 m wide: 60 m².
/// let road = MultiLineString(vec![LineString::from(vec![(0.0, 0.0), (10.0, 0.0)])]);
/// assert!((road_corridor(&road, 6.0, 8).unsigned_area() - 60.0).abs() < 1e-6);
/// ```
pub fn road_corridor(
    lines: &MultiLineString<f64>,
    width: f64,
    quad_segs: u32,
) -> MultiPolygon<f64> {
    if width <= 0.0 || lines.0.is_empty() {
        return MultiPolygon(vec![]);
    }
    let angle = std::f64::consts::FRAC_PI_2 / quad_segs.max(1) as f64;
    let style = BufferStyle::new(width / 2.0)
        .line_cap(LineCap::Butt)
        .line_join(LineJoin::Round(angle));
    lines.buffer_with_style(style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn disc_matches_geos_vertex_for_vertex() {
        // shapely 2.0.6 / GEOS 3.11.4:
        //   list(Point(0,0).buffer(2, quad_segs=8).exterior.coords)[:3]
        //   → (2.0, 0.0), (1.9615705608064609, -0.3901806440322565), (1.8477590650225735, -0.7653668647301796)
        // GEOS walks clockwise; the vertex set is the same as ours (counter-clockwise).
        let d = disc(Coord { x: 0.0, y: 0.0 }, 2.0, 8);
        let has = |x: f64, y: f64| {
            d.exterior()
                .0
                .iter()
                .any(|c| (c.x - x).abs() < 1e-12 && (c.y - y).abs() < 1e-12)
        };
        assert!(has(2.0, 0.0));
        assert!(has(1.9615705608064609, 0.3901806440322565));
        assert!(has(1.8477590650225735, -0.7653668647301796));
        assert_eq!(d.exterior().0.len(), 33);
        // shapely: Point(0,0).buffer(2, quad_segs=8).area → 12.485780609032208
        assert!((d.unsigned_area() - 12.485780609032202).abs() < 1e-12);
    }

    #[test]
    fn radius_for_area_inverts_the_disc_area() {
        let r = disc_radius_for_area(10.0, 8);
        assert!((disc(Coord { x: 5.0, y: 5.0 }, r, 8).unsigned_area() - 10.0).abs() < 1e-12);
    }

    #[test]
    fn bent_road_has_flat_ends_and_a_round_outer_join() {
        // By hand: two 10 × 6 rectangles, overlapping in the 3 × 3 square at the inner corner:
        // 60 + 60 - 9 = 111; plus, at the outer corner, a quarter of the 32-gon of radius 3:
        // 8 triangles of area ½·3²·sin(π/16): 36·sin(π/16) = 7.02325...; total 118.02325...
        // shapely 2.0.6 / GEOS 3.11.4 agrees:
        //   LineString([(0,0),(10,0),(10,10)]).buffer(3, quad_segs=8, cap_style='flat',
        //   join_style='round').area → 118.0232515925806
        let road = MultiLineString(vec![LineString::from(vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
        ])]);
        let a = road_corridor(&road, 6.0, 8).unsigned_area();
        let quarter = 8.0 * 0.5 * 9.0 * (std::f64::consts::PI / 16.0).sin();
        assert!(
            (a - (111.0 + quarter)).abs() < 1e-6,
            "{a} vs {}",
            111.0 + quarter
        );
    }
}
