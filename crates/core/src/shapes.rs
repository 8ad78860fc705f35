//! Turning point and line obstacles into areas: grave discs and road corridors.
//!
//! Both follow GEOS (and so PostGIS and shapely) so that results compare with those tools:
//! circles are regular polygons with `quad_segs` segments per quarter circle (default 8, GEOS's
//! and PostGIS's default), with a vertex at angle 0; road corridors have flat ends and round joins.

use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
use geo::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};

mod outline;

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
/// It is built from GEOS's pieces, in double precision: each segment's rectangle (offset points
/// `p ± (−uy, ux)`, `u` the segment's direction scaled to the half-width, with the centre line's
/// ends as vertices) and, at each bend, a fan on the outer side whose arc from one offset point
/// to the next is cut into `round(angle / (π / 2 / quad_segs))` equal steps; the corridor is the
/// union of these parts, not snapped to a grid. A bend so slight that its two outer offset points
/// are closer than 1e-3 of the half-width gets no arc: the offset sides are joined at one of the
/// two points, as GEOS joins them.
///
/// Most roads bend gently and never come back near themselves; their union is written down in
/// one pass as an outline, where that is provably the union (module `outline`: 16 times faster
/// on the comparison set's roads, and the same areas to 5e-13 m² per patch). The others (a road
/// crossing or nearly touching itself, a sharp bend after a short segment, lines that meet) are
/// united exactly by the kernel ([`crate::kernel::union_polygons`]). Should that not decide (it
/// has not been seen), geo's buffer builds the corridor instead.
///
/// On survey roads this is shapely's corridor area to within 1e-6 m² (`tests/corridor_geos.rs`,
/// 300 survey-like roads; geo's buffer, which snaps to i_overlay's grid, is off by a median of
/// 4e-5 m²). On wild roads GEOS leaves out parts of the segments' rectangles: at a sharp bend
/// right after a segment shorter than the half-width, it cuts the bend's inner side where the
/// two offset sides cross, though the short segment's neighbour reaches beyond. There this
/// corridor is larger than GEOS's, never smaller: 98 of the test's 1 000 wild roads, by up to
/// 11 m²; in 96 of them it is exactly GEOS's united with the rectangles (shapely, to 1e-6 m²),
/// and the other two go beyond that by 1.0 and 4.5 m² (not traced further). Every point of it is
/// within the half-width of the line, as the definition asks.
///
/// ```
/// use geo::{Area, LineString, MultiLineString};
/// use tuban_core::shapes::road_corridor;
/// // A straight 10 m road, 6 m wide: 60 m².
/// let road = MultiLineString(vec![LineString::from(vec![(0.0, 0.0), (10.0, 0.0)])]);
/// assert!((road_corridor(&road, 6.0, 8).unsigned_area() - 60.0).abs() < 1e-9);
/// ```
pub fn road_corridor(
    lines: &MultiLineString<f64>,
    width: f64,
    quad_segs: u32,
) -> MultiPolygon<f64> {
    if width <= 0.0 || lines.0.is_empty() {
        return MultiPolygon(vec![]);
    }
    let plans = plans(lines, width, quad_segs);
    if plans.is_empty() {
        return MultiPolygon(vec![]);
    }
    if let Some(outlined) = outline::corridor_rings(&plans) {
        return outlined;
    }
    united(&plans).unwrap_or_else(|| buffered(lines, width, quad_segs))
}

/// The plans of the lines of a road `width` wide (lines of fewer than two distinct finite points
/// left out).
fn plans(lines: &MultiLineString<f64>, width: f64, quad_segs: u32) -> Vec<Plan> {
    lines
        .0
        .iter()
        .filter_map(|l| plan(&l.0, width / 2.0, quad_segs.max(1)))
        .collect()
}

/// The exact union of the planned lines' parts (`None` where the kernel cannot decide).
fn united(plans: &[Plan]) -> Option<MultiPolygon<f64>> {
    let mut parts = Vec::new();
    for p in plans {
        corridor_parts(p, &mut parts);
    }
    crate::kernel::union_polygons(&parts).ok()
}

/// geo's buffer (i_overlay): the fallback of [`road_corridor`].
fn buffered(lines: &MultiLineString<f64>, width: f64, quad_segs: u32) -> MultiPolygon<f64> {
    let angle = std::f64::consts::FRAC_PI_2 / quad_segs.max(1) as f64;
    let style = BufferStyle::new(width / 2.0)
        .line_cap(LineCap::Butt)
        .line_join(LineJoin::Round(angle));
    lines.buffer_with_style(style)
}

/// The side offset of segment `a`→`b` at distance `d` (left for `side` 1, right for −1), as
/// GEOS computes it: `(a, b)` moved by `(−uy, ux)`, `u = side · d · (b − a) / |b − a|`.
fn offset(a: Coord<f64>, b: Coord<f64>, d: f64, side: f64) -> (Coord<f64>, Coord<f64>) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    let ux = side * d * dx / len;
    let uy = side * d * dy / len;
    (
        Coord {
            x: a.x - uy,
            y: a.y + ux,
        },
        Coord {
            x: b.x - uy,
            y: b.y + ux,
        },
    )
}

/// GEOS leaves out the arc of an outer bend whose two offset points are closer than this
/// fraction of the half-width, and joins the offset sides at the earlier point instead.
const BEND_COLLAPSE_FACTOR: f64 = 1e-3;

/// A centre line made ready for its corridor: its vertices (repeats and non-finite points
/// dropped), each segment's offset sides and each bend's fan. Both ways of building the corridor
/// ([`corridor_parts`] and [`outline::corridor_ring`]) read the same plan, so they use the same
/// points to the bit.
struct Plan {
    line: Vec<Coord<f64>>,
    /// Each segment's offset points: (left start, left end, right start, right end), after the
    /// joins of slight bends (see [`plan`]).
    sides: Vec<[Coord<f64>; 4]>,
    /// One per interior vertex: how the line turns there.
    bends: Vec<Bend>,
}

/// How a centre line turns at one of its interior vertices.
enum Bend {
    /// Straight on: no fan on either side.
    Straight,
    /// A turn whose outer side is the left (`left_outer`) or the right; `fan` is the outer
    /// side's fan `[vertex, first offset point, arc points…, second offset point]`, `None` where
    /// the bend is so slight that the offset sides are joined at one point instead.
    Turn {
        left_outer: bool,
        fan: Option<Vec<Coord<f64>>>,
    },
}

/// The plan of the corridor of `pts` at half-width `d`: `None` for a line of fewer than two
/// distinct finite points.
fn plan(pts: &[Coord<f64>], d: f64, quad_segs: u32) -> Option<Plan> {
    let mut line: Vec<Coord<f64>> = Vec::with_capacity(pts.len());
    for &p in pts {
        if line.last() != Some(&p) && p.x.is_finite() && p.y.is_finite() {
            line.push(p);
        }
    }
    if line.len() < 2 {
        return None;
    }
    let mut sides: Vec<[Coord<f64>; 4]> = line
        .windows(2)
        .map(|w| {
            let (l0, l1) = offset(w[0], w[1], d, 1.0);
            let (r0, r1) = offset(w[0], w[1], d, -1.0);
            [l0, l1, r0, r1]
        })
        .collect();
    let quantum = std::f64::consts::FRAC_PI_2 / quad_segs as f64;
    let mut bends = Vec::with_capacity(line.len() - 2);
    for (i, w) in line.windows(3).enumerate() {
        let (a, p, b) = (w[0], w[1], w[2]);
        let cross = (p.x - a.x) * (b.y - p.y) - (p.y - a.y) * (b.x - p.x);
        let dot = (p.x - a.x) * (b.x - p.x) + (p.y - a.y) * (b.y - p.y);
        if cross == 0.0 && dot > 0.0 {
            bends.push(Bend::Straight);
            continue;
        }
        // The outer side: right of a left turn, left of a right turn (or of a reversal, whose
        // fan is the half disc beyond p).
        let side = if cross > 0.0 { -1.0 } else { 1.0 };
        let left_outer = side > 0.0;
        let o0 = offset(a, p, d, side).1;
        let o1 = offset(p, b, d, side).0;
        if cross != 0.0 && (o0.x - o1.x).hypot(o0.y - o1.y) < d * BEND_COLLAPSE_FACTOR {
            // A bend so slight that GEOS joins the two offset sides directly, at the point it
            // reaches first along its walk: it walks the left side forwards (so the next
            // segment's left side starts where this one's ended) and builds the right side on
            // the reversed line (so this segment's right side ends where the next one's
            // starts). Without this, such corridors differ from GEOS's by up to 2e-5 m².
            if left_outer {
                sides[i + 1][0] = o0;
            } else {
                sides[i][3] = o1;
            }
            bends.push(Bend::Turn {
                left_outer,
                fan: None,
            });
            continue;
        }
        let mut start = (o0.y - p.y).atan2(o0.x - p.x);
        let end = (o1.y - p.y).atan2(o1.x - p.x);
        let clockwise = left_outer;
        if clockwise && start <= end {
            start += std::f64::consts::TAU;
        } else if !clockwise && start >= end {
            start -= std::f64::consts::TAU;
        }
        let total = (start - end).abs();
        let n = (total / quantum + 0.5) as u32;
        let mut fan = vec![p, o0];
        if n >= 1 {
            let step = total / n as f64;
            let f = if clockwise { -1.0 } else { 1.0 };
            fan.extend((1..n).map(|k| {
                let angle = start + f * k as f64 * step;
                Coord {
                    x: p.x + d * angle.cos(),
                    y: p.y + d * angle.sin(),
                }
            }));
        }
        fan.push(o1);
        bends.push(Bend::Turn {
            left_outer,
            fan: Some(fan),
        });
    }
    Some(Plan { line, sides, bends })
}

/// Pushes the rectangles of a planned line's segments and the fans of its bends (see
/// [`road_corridor`]).
fn corridor_parts(plan: &Plan, out: &mut Vec<MultiPolygon<f64>>) {
    let ring = |pts: Vec<Coord<f64>>| MultiPolygon(vec![Polygon::new(LineString(pts), vec![])]);
    for bend in &plan.bends {
        if let Bend::Turn { fan: Some(fan), .. } = bend {
            out.push(ring(fan.clone()));
        }
    }
    // The centre line's ends are vertices of the flat ends too: a fan's sides run from them to
    // the same offset points, so the two share those edges exactly (a rounded offset point is
    // not exactly in line with the end's other corner, and the union would keep the slivers
    // between).
    for (w, &[l0, l1, r0, r1]) in plan.line.windows(2).zip(&plan.sides) {
        out.push(ring(vec![r0, r1, w[1], l1, l0, w[0]]));
    }
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

    #[test]
    fn corridors_match_shapely_to_the_last_digits() {
        use geo::Validation;
        // Expected areas from shapely 2.2.0 / GEOS 3.14.1:
        //   shapely.buffer(line, width / 2, quad_segs=8, cap_style="flat",
        //                  join_style="round").area
        // for the lines below (the gentle arc: radius 50 m, a vertex every 3° from 0° to 60°).
        let arc: Vec<(f64, f64)> = (0..=20)
            .map(|k| {
                let a = (3.0 * k as f64).to_radians();
                (50.0 * a.cos(), 50.0 * a.sin())
            })
            .collect();
        let l = |v: &[(f64, f64)]| LineString::from(v.to_vec());
        let cases: Vec<(&str, MultiLineString<f64>, f64, f64, usize)> = vec![
            (
                "zigzag",
                MultiLineString(vec![l(&[(0.0, 0.0), (10.0, 0.0), (0.0, 3.0), (10.0, 6.0)])]),
                2.0,
                54.302061145819934,
                0,
            ),
            (
                // Crosses itself at (10, 0): the corridor has a hole.
                "loop_with_hole",
                MultiLineString(vec![l(&[
                    (0.0, 0.0),
                    (30.0, 0.0),
                    (30.0, 30.0),
                    (10.0, 30.0),
                    (10.0, -10.0),
                ])]),
                4.0,
                461.36433545677403,
                1,
            ),
            (
                // Turns back on itself: a half disc beyond (10, 0), 20 + 8·sin(π/16).
                "reversal",
                MultiLineString(vec![l(&[(0.0, 0.0), (10.0, 0.0), (5.0, 0.0)])]),
                2.0,
                21.560722576129017,
                0,
            ),
            (
                "gentle_arc",
                MultiLineString(vec![l(&arc)]),
                2.0,
                104.70745230598601,
                0,
            ),
            (
                // Bends of 0.0286°, whose outer offset points are 1.6e-3 m apart, under 1e-3 of
                // the 3.275 m half-width: GEOS joins the sides without an arc.
                //   shapely.buffer(LineString([(0,0),(20,0),(40,0.01)]), 3.275, quad_segs=8,
                //                  cap_style="flat", join_style="round").area
                "slight_left",
                MultiLineString(vec![l(&[(0.0, 0.0), (20.0, 0.0), (40.0, 0.01)])]),
                6.55,
                262.00001228108215,
                0,
            ),
            (
                "slight_right",
                MultiLineString(vec![l(&[(0.0, 0.0), (20.0, 0.0), (40.0, -0.01)])]),
                6.55,
                262.00001228108164,
                0,
            ),
            (
                "slight_wiggle",
                MultiLineString(vec![l(&[
                    (0.0, 0.0),
                    (20.0, 0.0),
                    (40.0, 0.01),
                    (60.0, 0.0),
                    (80.0, 0.012),
                ])]),
                6.55,
                524.0000358594306,
                0,
            ),
            (
                "crossing_parts",
                MultiLineString(vec![
                    l(&[(0.0, 0.0), (20.0, 20.0)]),
                    l(&[(0.0, 20.0), (20.0, 0.0)]),
                ]),
                3.0,
                160.7056274847715,
                0,
            ),
        ];
        for (name, line, width, want, holes) in cases {
            let c = road_corridor(&line, width, 8);
            assert!(c.is_valid(), "{name}: {:?}", c.validation_errors());
            assert_eq!(
                c.0.len(),
                1,
                "{name}: {:?}",
                c.0.iter()
                    .map(|p| (p.unsigned_area(), p.exterior().0.len()))
                    .collect::<Vec<_>>()
            );
            assert_eq!(c.0[0].interiors().len(), holes, "{name}");
            let got = c.unsigned_area();
            // Where offset sides meet at 0.03°, their crossing point is ill-conditioned (an
            // ulp of 40 m over sin 5e-4): GEOS's and the kernel's computations of it differ
            // by ~1e-11 m, which moves the area by ~1e-9 m².
            let tol = if name.starts_with("slight") {
                1e-8
            } else {
                1e-9
            };
            assert!((got - want).abs() < tol, "{name}: {got} vs {want}");
            // Far from the origin, as survey coordinates are (zone prefix), to 1e-6 m².
            let far = MultiLineString(
                line.0
                    .iter()
                    .map(|ls| {
                        LineString(
                            ls.0.iter()
                                .map(|p| Coord {
                                    x: p.x + 36_512_345.25,
                                    y: p.y + 3_301_234.5,
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            );
            let got = road_corridor(&far, width, 8).unsigned_area();
            assert!((got - want).abs() < 1e-6, "{name} far: {got} vs {want}");
        }
    }

    /// Whether `road_corridor` takes the outline for `line` (rather than uniting the parts).
    fn outlined(line: &MultiLineString<f64>, width: f64) -> bool {
        outline::corridor_rings(&plans(line, width, 8)).is_some()
    }

    #[test]
    fn the_outline_is_taken_where_it_is_the_union_and_only_there() {
        let l = |v: &[(f64, f64)]| MultiLineString(vec![LineString::from(v.to_vec())]);
        // Gentle or open bends, short or long: written down directly.
        assert!(outlined(&l(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]), 6.0));
        assert!(outlined(
            &l(&[(0.0, 0.0), (10.0, 0.0), (0.0, 3.0), (10.0, 6.0)]),
            2.0
        ));
        assert!(outlined(&l(&[(0.0, 0.0), (20.0, 0.0), (40.0, 0.01)]), 6.55));
        assert!(outlined(&l(&[(0.0, 0.0), (20.0, 0.0), (40.0, 0.0)]), 6.55));
        // Crossing itself, turning straight back, or two lines that cross: united.
        assert!(!outlined(
            &l(&[
                (0.0, 0.0),
                (30.0, 0.0),
                (30.0, 30.0),
                (10.0, 30.0),
                (10.0, -10.0)
            ]),
            4.0
        ));
        assert!(!outlined(&l(&[(0.0, 0.0), (10.0, 0.0), (5.0, 0.0)]), 2.0));
        assert!(!outlined(
            &MultiLineString(vec![
                LineString::from(vec![(0.0, 0.0), (20.0, 20.0)]),
                LineString::from(vec![(0.0, 20.0), (20.0, 0.0)]),
            ]),
            3.0
        ));
        // A U-turn whose middle segment is shorter than the road is wide: the inner offset
        // sides of the two bends do not cross within the segments.
        assert!(!outlined(
            &l(&[(0.0, 0.0), (10.0, 0.0), (10.0, 1.0), (0.0, 1.0)]),
            4.0
        ));
        // Two lines apart: one ring each.
        let two = MultiLineString(vec![
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0)]),
            LineString::from(vec![(0.0, 20.0), (10.0, 20.0)]),
        ]);
        assert!(outlined(&two, 2.0));
        assert_eq!(road_corridor(&two, 2.0, 8).0.len(), 2);
        assert!((road_corridor(&two, 2.0, 8).unsigned_area() - 40.0).abs() < 1e-12);
    }

    /// Random roads, gentle and wild: wherever the outline is taken it is a valid polygon with the
    /// union's area (the union of the parts is the corridor's definition).
    mod outline_against_union {
        use super::*;
        use geo::Validation;
        use proptest::prelude::*;

        fn walk(steps: &[(f64, f64)], grid: bool, far: bool) -> Vec<Coord<f64>> {
            let (mut x, mut y, mut h) = (0.0f64, 0.0f64, 0.0f64);
            let (ox, oy) = if far {
                (36_512_345.25, 3_301_234.5)
            } else {
                (0.0, 0.0)
            };
            let mut out = vec![Coord { x: ox, y: oy }];
            for &(len, turn) in steps {
                h += turn;
                x += len * h.cos();
                y += len * h.sin();
                let (px, py) = if grid { (x.round(), y.round()) } else { (x, y) };
                out.push(Coord {
                    x: px + ox,
                    y: py + oy,
                });
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn same_area_as_the_union(
                steps in prop::collection::vec((0.05f64..25.0, -3.1f64..3.1), 1..14),
                width in 0.5f64..12.0,
                grid in any::<bool>(),
                far in any::<bool>(),
            ) {
                let pts = walk(&steps, grid, far);
                let Some(p) = plan(&pts, width / 2.0, 8) else { return Ok(()) };
                let plans = vec![p];
                if let Some(o) = outline::corridor_rings(&plans) {
                    let u = united(&plans).expect("the kernel decides the union");
                    prop_assert!(o.is_valid(), "{:?}", o.validation_errors());
                    let (a, b) = (o.unsigned_area(), u.unsigned_area());
                    prop_assert!((a - b).abs() < 1e-7, "outline {} union {}", a, b);
                    prop_assert_eq!(u.0.len(), 1);
                    prop_assert_eq!(u.0[0].interiors().len(), 0);
                }
            }
        }

        #[test]
        fn gentle_roads_are_outlined() {
            // Survey-like roads: segments of 5 to 40 m, bends of up to 60°, 2 to 8 m wide.
            let mut state = 0x9e37_79b9_7f4a_7c15u64;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64
            };
            let (mut taken, total) = (0, 500);
            for _ in 0..total {
                let n = 2 + (next() * 20.0) as usize;
                let steps: Vec<(f64, f64)> = (0..n)
                    .map(|_| {
                        (
                            5.0 + 35.0 * next(),
                            (next() - 0.5) * 2.0 * 60f64.to_radians(),
                        )
                    })
                    .collect();
                let width = 2.0 + 6.0 * next();
                let line = MultiLineString(vec![LineString(walk(&steps, false, true))]);
                if outlined(&line, width) {
                    taken += 1;
                }
            }
            assert!(taken * 10 >= total * 9, "{taken} of {total}");
        }
    }
}
