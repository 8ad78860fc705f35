//! Property tests of the area kernel ([`tuban_core::kernel`]) against two independent oracles:
//!
//! * **cell counting** on orthogonal polygons with integer vertices (unions of unit cells): the
//!   area of A ∩ B is exactly the number of unit cells whose centre lies in both, found with geo's
//!   point-in-polygon. These polygons are all shared edges, collinear overlaps, vertices on
//!   edges and rings touching at corners: the kernel's degenerate cases, with an exact answer;
//! * **i_overlay** (geo's `BooleanOps`) on general polygons: star-shaped polygons, triangles on a
//!   half-metre lattice (collinear overlaps at odd angles), slivers, holes touching shells; to
//!   i_overlay's own precision (its integer grid), which is far tighter than any mistake in
//!   deciding a piece's side would be;
//!
//! The n-way kernel ([`union_pieces`]: a patch against parts that overlap one another) is held to
//! the same two oracles: cells of the patch covered by any part, and i_overlay's intersection of
//! the patch with the union of the parts.
//!
//! And the precision trap: the same pair shifted to Gauss-Kruger magnitudes with a zone prefix
//! (x ≈ 36,500,000) gives the same area to 1e-6 m².
//!
//! `PROPTEST_CASES=20000 cargo test --release -p tuban-core --test prop_kernel` for a long run.

use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area, BooleanOps, Contains, Coord, LineString, MapCoords, MultiPolygon, Point,
    Polygon, Rect,
};
use proptest::prelude::*;
use tuban_core::kernel::{intersection_area, planar_area, union_pieces, EdgeSet, Undecided};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// A union of unit cells of a `n` × `n` grid, as geo's union makes it (cells meeting at corners
/// give rings touching at a vertex, or separate polygons).
fn cells(bits: &[bool], n: usize) -> MultiPolygon<f64> {
    let sq: Vec<Polygon<f64>> = bits
        .iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .map(|(i, _)| {
            let (x, y) = ((i % n) as f64, (i / n) as f64);
            Rect::new(
                Coord { x, y },
                Coord {
                    x: x + 1.0,
                    y: y + 1.0,
                },
            )
            .to_polygon()
        })
        .collect();
    unary_union(sq.iter()).orient(Direction::Default)
}

fn arb_cells(n: usize) -> impl Strategy<Value = MultiPolygon<f64>> {
    prop::collection::vec(prop::bool::weighted(0.45), n * n).prop_map(move |b| cells(&b, n))
}

fn cell_count(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>, n: usize) -> f64 {
    let mut k = 0;
    for i in 0..n {
        for j in 0..n {
            let c = Point::new(i as f64 + 0.5, j as f64 + 0.5);
            if a.contains(&c) && b.contains(&c) {
                k += 1;
            }
        }
    }
    k as f64
}

fn star(c: (f64, f64), v: &[(f64, f64)]) -> Polygon<f64> {
    let n = v.len();
    let ring = (0..n)
        .map(|i| {
            let a = (i as f64 + 0.4 * v[i].1) * std::f64::consts::TAU / n as f64;
            Coord {
                x: c.0 + v[i].0 * a.cos(),
                y: c.1 + v[i].0 * a.sin(),
            }
        })
        .collect();
    Polygon::new(LineString(ring), vec![])
}

fn arb_star() -> impl Strategy<Value = MultiPolygon<f64>> {
    (
        (-20.0..20.0f64, -20.0..20.0f64),
        prop::collection::vec((1.0..30.0f64, 0.0..1.0f64), 3..12),
    )
        .prop_map(|(c, v)| MultiPolygon(vec![star(c, &v)]).orient(Direction::Default))
}

/// A non-degenerate triangle with vertices on a half-metre lattice.
fn arb_lattice_triangle() -> impl Strategy<Value = MultiPolygon<f64>> {
    prop::collection::vec((0..12i32, 0..12i32), 3)
        .prop_filter("not degenerate", |v| {
            let [(ax, ay), (bx, by), (cx, cy)] = [v[0], v[1], v[2]];
            (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) != 0
        })
        .prop_map(|v| {
            let ring = v
                .iter()
                .map(|&(x, y)| Coord {
                    x: 0.5 * x as f64,
                    y: 0.5 * y as f64,
                })
                .collect();
            MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]).orient(Direction::Default)
        })
}

/// A 6 m square with a triangular hole whose first vertex lies on the shell's left edge (a hole
/// touching its shell, valid in OGC), or on its corner-free bottom edge.
fn arb_touching_hole() -> impl Strategy<Value = MultiPolygon<f64>> {
    (1..11i32, prop::bool::ANY, 1..5i32).prop_map(|(k, left, depth)| {
        let t = 0.5 * k as f64;
        let d = depth as f64;
        let (v, a, b) = if left {
            ((0.0, t), (d, t - 0.5), (d, t + 0.5))
        } else {
            ((t, 0.0), (t + 0.5, d), (t - 0.5, d))
        };
        let shell = LineString::from(vec![(0.0, 0.0), (6.0, 0.0), (6.0, 6.0), (0.0, 6.0)]);
        let hole = LineString::from(vec![v, a, b]);
        MultiPolygon(vec![Polygon::new(shell, vec![hole])]).orient(Direction::Default)
    })
}

/// A sliver: a rectangle `w` wide (1 mm to 1 cm) and 10 to 30 m long at a random angle.
fn arb_sliver() -> impl Strategy<Value = MultiPolygon<f64>> {
    (
        (-10.0..10.0f64, -10.0..10.0f64),
        0.0..std::f64::consts::PI,
        10.0..30.0f64,
        0.001..0.01f64,
    )
        .prop_map(|((cx, cy), a, len, w)| {
            let (c, s) = (a.cos(), a.sin());
            let pts = [(-len, -w), (len, -w), (len, w), (-len, w)]
                .iter()
                .map(|&(u, v)| Coord {
                    x: cx + 0.5 * (u * c - v * s),
                    y: cy + 0.5 * (u * s + v * c),
                })
                .collect();
            MultiPolygon(vec![Polygon::new(LineString(pts), vec![])]).orient(Direction::Default)
        })
}

fn i_overlay_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    a.intersection(b).unsigned_area()
}

/// i_overlay snaps every coordinate to an integer grid of step about extent / 2^29 (about 1e-7 m
/// here), which moves an area by up to a few steps times the boundary's length: 2.9e-7 m² was
/// seen on two 25 m triangles, where exact rational arithmetic (Python's `fractions`) agreed with
/// the kernel to the last bit (8.494590190753856). 1e-5 m² is still far below what a misjudged
/// piece (a whole edge's worth of area) would cost.
fn close(k: f64, g: f64) -> bool {
    (k - g).abs() <= 1e-5 + 1e-9 * g.abs()
}

fn kernel(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Result<f64, Undecided> {
    let ab = intersection_area(a, b)?;
    let ba = intersection_area(b, a)?;
    assert!((ab - ba).abs() <= 1e-9 * (1.0 + ab.abs()), "{ab} vs {ba}");
    Ok(ab)
}

/// Cells of an `n` × `n` grid inside `patch` and inside at least one of `parts`.
fn cells_covered(patch: &MultiPolygon<f64>, parts: &[MultiPolygon<f64>], n: usize) -> f64 {
    let mut k = 0;
    for i in 0..n {
        for j in 0..n {
            let c = Point::new(i as f64 + 0.5, j as f64 + 0.5);
            if patch.contains(&c) && parts.iter().any(|p| p.contains(&c)) {
                k += 1;
            }
        }
    }
    k as f64
}

/// The n-way kernel's area of `patch ∩ ∪parts`, also with the parts in reverse order (which
/// changes which polygon takes each shared piece, not the area).
fn union_kernel(patch: &MultiPolygon<f64>, parts: &[MultiPolygon<f64>]) -> Result<f64, Undecided> {
    let p = EdgeSet::new(patch);
    let sets: Vec<EdgeSet> = parts.iter().map(EdgeSet::new).collect();
    let mut refs: Vec<&EdgeSet> = sets.iter().collect();
    let a = planar_area(&union_pieces(&p, &refs)?);
    refs.reverse();
    let b = planar_area(&union_pieces(&p, &refs)?);
    assert!(
        (a - b).abs() <= 1e-9 * (1.0 + a.abs()),
        "{a} vs {b} reversed"
    );
    Ok(a)
}

fn i_overlay_union_area(patch: &MultiPolygon<f64>, parts: &[MultiPolygon<f64>]) -> f64 {
    patch
        .intersection(&unary_union(parts.iter()))
        .unsigned_area()
}

fn shift(mp: &MultiPolygon<f64>, dx: f64, dy: f64) -> MultiPolygon<f64> {
    mp.map_coords(|c| Coord {
        x: c.x + dx,
        y: c.y + dy,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn orthogonal_polygons_match_cell_counting(a in arb_cells(5), b in arb_cells(5)) {
        let want = cell_count(&a, &b, 5);
        let got = kernel(&a, &b).expect("valid cell unions are decided");
        prop_assert_eq!(got, want);
        // At Gauss-Kruger magnitudes with the zone prefix: integers stay exact.
        let (dx, dy) = (36_512_345.0, 3_301_234.0);
        let far = kernel(&shift(&a, dx, dy), &shift(&b, dx, dy)).expect("decided");
        prop_assert_eq!(far, want);
    }

    #[test]
    fn stars_match_i_overlay(a in arb_star(), b in arb_star()) {
        let got = kernel(&a, &b).expect("simple polygons are decided");
        let want = i_overlay_area(&a, &b);
        prop_assert!(close(got, want), "kernel {got} vs i_overlay {want}");
    }

    #[test]
    fn lattice_triangles_match_i_overlay(a in arb_lattice_triangle(), b in arb_lattice_triangle(),
                                         c in arb_cells(4)) {
        for (x, y) in [(&a, &b), (&a, &c), (&c, &b)] {
            let got = kernel(x, y).expect("decided");
            let want = i_overlay_area(x, y);
            prop_assert!(close(got, want), "kernel {got} vs i_overlay {want}");
        }
    }

    #[test]
    fn holes_touching_shells_match_i_overlay(h in arb_touching_hole(),
                                             t in arb_lattice_triangle(), s in arb_star()) {
        for other in [&t, &s] {
            let got = kernel(&h, other).expect("decided");
            let want = i_overlay_area(&h, other);
            prop_assert!(close(got, want), "kernel {got} vs i_overlay {want}");
        }
    }

    #[test]
    fn slivers_match_i_overlay(a in arb_star(), s in arb_sliver()) {
        let got = kernel(&a, &s).expect("decided");
        let want = i_overlay_area(&a, &s);
        prop_assert!(close(got, want), "kernel {got} vs i_overlay {want}");
    }

    #[test]
    fn the_precision_trap(a in arb_star(), b in arb_star()) {
        // Raw zone-prefixed coordinates, no local frame: the kernel's only roundings are the
        // crossing points and the sum, both relative to nearby points.
        let near = kernel(&a, &b).expect("decided");
        let far = kernel(&shift(&a, 36_512_345.25, 3_301_234.5), &shift(&b, 36_512_345.25, 3_301_234.5))
            .expect("decided");
        prop_assert!((near - far).abs() <= 1e-6, "{near} vs {far}");
    }

    #[test]
    fn overlapping_orthogonal_parts_match_cell_counting(p in arb_cells(5),
            parts in prop::collection::vec(arb_cells(5), 1..5)) {
        let want = cells_covered(&p, &parts, 5);
        let got = union_kernel(&p, &parts).expect("valid cell unions are decided");
        prop_assert_eq!(got, want);
        let (dx, dy) = (36_512_345.0, 3_301_234.0);
        let far: Vec<_> = parts.iter().map(|q| shift(q, dx, dy)).collect();
        prop_assert_eq!(union_kernel(&shift(&p, dx, dy), &far).expect("decided"), want);
    }

    #[test]
    fn overlapping_stars_match_i_overlay(p in arb_star(),
            parts in prop::collection::vec(arb_star(), 1..6)) {
        let got = union_kernel(&p, &parts).expect("simple polygons are decided");
        let want = i_overlay_union_area(&p, &parts);
        prop_assert!(close(got, want), "kernel {got} vs i_overlay {want}");
    }

    #[test]
    fn lattice_triangles_cells_and_holes_united_match_i_overlay(
            p in arb_touching_hole(),
            t in prop::collection::vec(arb_lattice_triangle(), 1..4),
            c in arb_cells(4), s in arb_sliver()) {
        let mut parts = t.clone();
        parts.push(c);
        parts.push(s);
        let got = union_kernel(&p, &parts).expect("decided");
        let want = i_overlay_union_area(&p, &parts);
        prop_assert!(close(got, want), "kernel {got} vs i_overlay {want}");
        // The patch as one of the parts too: the patch itself.
        parts.push(p.clone());
        let got = union_kernel(&p, &parts).expect("decided");
        prop_assert!(close(got, p.unsigned_area()), "{got} vs {}", p.unsigned_area());
    }

    #[test]
    fn a_union_is_no_smaller_than_its_largest_part_nor_larger_than_the_sum(p in arb_star(),
            parts in prop::collection::vec(arb_star(), 1..6)) {
        let got = union_kernel(&p, &parts).expect("decided");
        let each: Vec<f64> = parts.iter().map(|q| kernel(&p, q).expect("decided")).collect();
        let max = each.iter().cloned().fold(0.0, f64::max);
        let sum: f64 = each.iter().sum();
        prop_assert!(got >= max - 1e-9 && got <= sum + 1e-9, "{got} not in [{max}, {sum}]");
    }
}
