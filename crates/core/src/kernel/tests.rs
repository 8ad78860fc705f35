//! Hand-computed cases of the area kernel: each expected value is worked out in the comment.

use geo::orient::{Direction, Orient};
use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::*;

fn poly(ext: &[(f64, f64)], holes: &[&[(f64, f64)]]) -> MultiPolygon<f64> {
    let ring = |r: &[(f64, f64)]| LineString(r.iter().map(|&(x, y)| Coord { x, y }).collect());
    MultiPolygon(vec![Polygon::new(
        ring(ext),
        holes.iter().map(|h| ring(h)).collect(),
    )])
    .orient(Direction::Default)
}

fn sq(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    poly(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], &[])
}

fn area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    let ab = intersection_area(a, b).expect("decided");
    let ba = intersection_area(b, a).expect("decided");
    assert_eq!(ab, ba, "the kernel is symmetric");
    ab
}

#[test]
fn overlapping_squares() {
    // [0,2]² ∩ [1,3]² = [1,2]²: 1.
    assert_eq!(area(&sq(0.0, 0.0, 2.0, 2.0), &sq(1.0, 1.0, 3.0, 3.0)), 1.0);
}

#[test]
fn identical_polygons_count_their_shared_boundary_once() {
    assert_eq!(area(&sq(0.0, 0.0, 2.0, 3.0), &sq(0.0, 0.0, 2.0, 3.0)), 6.0);
}

#[test]
fn shared_edges_same_way_and_opposite_ways() {
    // Left half of the square: shares three edges' worth of boundary, same way: 1 × 2.
    assert_eq!(area(&sq(0.0, 0.0, 2.0, 2.0), &sq(0.0, 0.0, 1.0, 2.0)), 2.0);
    // Neighbours across x = 2: opposite ways, nothing common, and no pieces at all.
    let (a, b) = (sq(0.0, 0.0, 2.0, 2.0), sq(2.0, 0.0, 3.0, 2.0));
    assert!(boundary_pieces(&EdgeSet::new(&a), &EdgeSet::new(&b))
        .unwrap()
        .is_empty());
    // Part of the bottom edge shared, same way: [1,2] × [0,1] = 1.
    assert_eq!(area(&sq(0.0, 0.0, 2.0, 2.0), &sq(1.0, 0.0, 3.0, 1.0)), 1.0);
    // Part of the bottom edge shared, opposite ways (b below): 0.
    assert_eq!(area(&sq(0.0, 0.0, 2.0, 2.0), &sq(1.0, -1.0, 3.0, 0.0)), 0.0);
}

#[test]
fn corner_contact_and_containment() {
    assert_eq!(area(&sq(0.0, 0.0, 1.0, 1.0), &sq(1.0, 1.0, 2.0, 2.0)), 0.0);
    // Inside without contact, and inside touching the edge x = 0 with a vertex.
    assert_eq!(area(&sq(0.0, 0.0, 4.0, 4.0), &sq(1.0, 1.0, 2.0, 3.0)), 2.0);
    let tri = poly(&[(0.0, 2.0), (2.0, 1.0), (2.0, 3.0)], &[]);
    assert_eq!(area(&sq(0.0, 0.0, 4.0, 4.0), &tri), 2.0); // ½ · 2 · 2
                                                          // Disjoint.
    assert_eq!(area(&sq(0.0, 0.0, 1.0, 1.0), &sq(5.0, 5.0, 6.0, 6.0)), 0.0);
}

#[test]
fn holes() {
    let holed = poly(
        &[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)],
        &[&[(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)]],
    );
    // [3,7]² is 16, less the hole's 4.
    assert_eq!(area(&holed, &sq(3.0, 3.0, 7.0, 7.0)), 12.0);
    // The hole itself: its boundary is shared, opposite ways: nothing.
    assert_eq!(area(&holed, &sq(4.0, 4.0, 6.0, 6.0)), 0.0);
    // A square half over the hole: [5,8] × [4,6] = 6, less [5,6] × [4,6] = 2.
    assert_eq!(area(&holed, &sq(5.0, 4.0, 8.0, 6.0)), 4.0);
}

#[test]
fn hole_touching_the_shell() {
    // The hole is the triangle (0,5), (3,4), (3,6): its vertex (0,5) lies on the shell's edge.
    let holed = poly(
        &[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)],
        &[&[(0.0, 5.0), (3.0, 4.0), (3.0, 6.0)]],
    );
    // [-1,2] × [4,6] meets the shell in [0,2] × [4,6] = 4; the hole's part with x ≤ 2 is
    // ∫₀² (2x/3) dx = 4/3: 8/3 remains.
    let got = area(&holed, &sq(-1.0, 4.0, 2.0, 6.0));
    assert!((got - 8.0 / 3.0).abs() < 1e-14, "{got}");
    // A triangle whose edge y = x + 5 runs exactly through the touching point (0,5): common
    // part is x ≥ 0, x + 5 ≤ y ≤ 6, the triangle (0,5), (1,6), (0,6) of area ½, which misses
    // the hole (inside it, y < 5 + x/3 ≤ x + 5 for x ≥ 0).
    let tri = poly(&[(-1.0, 4.0), (1.0, 6.0), (-1.0, 6.0)], &[]);
    assert_eq!(area(&holed, &tri), 0.5);
}

#[test]
fn gauss_kruger_magnitudes_with_zone_prefix() {
    // The same overlapping squares at x ≈ 36,500,000 (zone 36 prefix), y ≈ 3,300,000: every
    // coordinate is exact in binary, and so is the area.
    let (x0, y0) = (36_500_000.0, 3_300_000.0);
    let a = sq(x0, y0, x0 + 2.0, y0 + 2.0);
    let b = sq(x0 + 1.0, y0 + 1.0, x0 + 3.0, y0 + 3.0);
    assert_eq!(area(&a, &b), 1.0);
    // A thin sliver: 0.1 m × 0.5 m at the corner of a 200 km square: 0.05 m² (i_overlay alone
    // gives 0.050049 at this extent, ../shared/CRATES.md).
    let big = sq(x0, y0, x0 + 200_000.0, y0 + 200_000.0);
    let sliver = sq(x0 + 199_999.9, y0 + 10.0, x0 + 200_000.4, y0 + 10.5);
    let got = area(&big, &sliver);
    assert!((got - 0.05).abs() < 1e-9, "{got}");
}

#[test]
fn the_kernel_declines_what_it_cannot_decide() {
    // Two rings of one polygon overlapping (winding number 2): invalid, undecided.
    let a = MultiPolygon(vec![
        sq(0.0, 0.0, 2.0, 2.0).0[0].clone(),
        sq(1.0, 1.0, 3.0, 3.0).0[0].clone(),
    ]);
    let b = sq(1.5, 1.5, 1.8, 1.8);
    assert!(intersection_area(&b, &a).is_err());
}

#[test]
fn joined_pieces_are_the_union_outline() {
    // Patch [0,4] × [0,2] covered by [0,4] × [0,1] below [0,2] × [1,2] and [2,4] × [1,2]. The
    // long edge y = 1 (one piece) meets two shorter edges running the other way: it is cut at
    // x = 2, then all three cancel. Left: the patch's outline with a vertex at every node:
    // bottom 1, right 2 (cut at y = 1), top 2 (cut at x = 2), left 2: 7 segments.
    let patch = EdgeSet::new(&sq(0.0, 0.0, 4.0, 2.0));
    let mut all = Vec::new();
    let cells = [
        sq(0.0, 0.0, 4.0, 1.0),
        sq(0.0, 1.0, 2.0, 2.0),
        sq(2.0, 1.0, 4.0, 2.0),
    ];
    for (k, cell) in cells.iter().enumerate() {
        for p in tagged_pieces(&patch, &EdgeSet::new(cell)).unwrap() {
            let owner = if p.of_a { u32::MAX } else { k as u32 };
            all.push((p.seg, (owner, p.edge)));
        }
    }
    let joined = join_pieces(all);
    assert_eq!(joined.len(), 7, "{joined:?}");
    assert_eq!(planar_area(&joined), 8.0);
}

#[test]
fn a_hole_touching_the_shell_on_a_shared_edge_is_not_counted_twice() {
    // The patch [2,8]² has a triangular hole (2,3.5) (3,4) (3,3) whose first vertex lies on the
    // shell's left edge; the cell [2,3]×[3,4] runs along that edge. Their intersection is the
    // cell less the hole: 1 − ½ · 1 · 1 = 0.5. The cell's left edge meets the patch's boundary at
    // (2,3.5) only through the hole's vertex, so below it the piece must still be seen running
    // along the shell (taken once), not through the patch's interior (taken twice, which left
    // the pieces' cycles open).
    let hole: &[(f64, f64)] = &[(2.0, 3.5), (3.0, 4.0), (3.0, 3.0)];
    let patch = poly(&[(2.0, 0.0), (8.0, 0.0), (8.0, 8.0), (2.0, 8.0)], &[hole]);
    // Pieces that close into cycles give the same area about any point; the sum is taken about
    // (0,0) here, where the extra piece does not vanish.
    let about_origin = |a: &MultiPolygon<f64>, b: &MultiPolygon<f64>| {
        let pieces = boundary_pieces(&EdgeSet::new(a), &EdgeSet::new(b)).unwrap();
        0.5 * pieces
            .iter()
            .map(|[p, q]| p.x * q.y - q.x * p.y)
            .sum::<f64>()
    };
    for (cell, want) in [
        (sq(2.0, 3.0, 3.0, 4.0), 0.5),
        (sq(2.0, 3.0, 4.0, 3.5), 0.75), // 1 less the hole's lower half
    ] {
        assert_eq!(area(&patch, &cell), want);
        assert_eq!(about_origin(&patch, &cell), want);
        assert_eq!(about_origin(&cell, &patch), want);
    }
}

#[test]
fn united_polygons_are_valid_in_the_ogc_form() {
    use geo::{Area, Validation};
    // Two squares meeting at a corner: two polygons, not one ring through the corner.
    let u = union_polygons(&[sq(0.0, 0.0, 1.0, 1.0), sq(1.0, 1.0, 2.0, 2.0)]).unwrap();
    assert_eq!(u.0.len(), 2);
    assert!(u.is_valid());
    assert_eq!(u.unsigned_area(), 2.0);
    // Four bars around the unit square [1,2]²: one polygon with one hole, 9 − 1.
    let frame = [
        sq(0.0, 0.0, 3.0, 1.0),
        sq(2.0, 0.0, 3.0, 3.0),
        sq(0.0, 2.0, 3.0, 3.0),
        sq(0.0, 0.0, 1.0, 3.0),
    ];
    let u = union_polygons(&frame).unwrap();
    assert_eq!((u.0.len(), u.0[0].interiors().len()), (1, 1));
    assert!(u.is_valid());
    assert_eq!(u.unsigned_area(), 8.0);
    // The left bar replaced by two triangles meeting at (0, 1.5): the hole, [1,2]² and the
    // triangle (0,1.5) (1,1) (1,2) of area ½, touches the shell at that point. Traced as one
    // ring through (0, 1.5) twice, it is split there: a shell and a hole, 9 − 1.5.
    let tri = |v: &[(f64, f64)]| poly(v, &[]);
    let parts = [
        frame[0].clone(),
        frame[1].clone(),
        frame[2].clone(),
        tri(&[(0.0, 1.0), (1.0, 1.0), (0.0, 1.5)]),
        tri(&[(0.0, 1.5), (1.0, 2.0), (0.0, 2.0)]),
        sq(0.0, 0.0, 1.0, 1.0),
        sq(0.0, 2.0, 1.0, 3.0),
    ];
    let u = union_polygons(&parts).unwrap();
    assert_eq!((u.0.len(), u.0[0].interiors().len()), (1, 1), "{u:?}");
    assert!(u.is_valid(), "{:?}", u.validation_errors());
    assert_eq!(u.unsigned_area(), 7.5);
}

#[test]
fn a_ring_on_one_line_covers_nothing() {
    // Three corners on x = -16.0625 (found by the kernel fuzz target): the ring bounds no area,
    // and its edges run over one another both ways. The patch's edges cross that line where two
    // of them lie, at one rounded point, and ordering those two crossings wrongly once left the
    // whole patch "inside" (1 191 984.5 m²). Such a ring is now no edge at all.
    let patch = poly(
        &[(0.0, 0.0), (-1552.0625, 0.0625), (-16.0625, -1536.0)],
        &[],
    );
    let flat = MultiPolygon(vec![Polygon::new(
        LineString::from(vec![
            (-16.0625, 1034.0),
            (-16.0625, -1536.0),
            (-16.0625, -1535.25),
        ]),
        vec![],
    )]);
    assert_eq!(area(&patch, &flat), 0.0);
    let (p, f) = (EdgeSet::new(&patch), EdgeSet::new(&flat));
    assert!(f.edges().is_empty());
    let square = EdgeSet::new(&sq(-100.0, -100.0, -50.0, -50.0));
    // The square lies inside the triangle: 50², with or without the flat ring beside it.
    assert_eq!(
        planar_area(&union_pieces(&p, &[&f, &square]).unwrap()),
        2500.0
    );
}

/// Two parts with their left edges on one line (x = c), both crossing the patch's lower edge:
/// the union's boundary turns there, and the crossing is computed once with each part's edge,
/// 1 ulp apart, so the patch's piece ended where the part's piece did not start, and the written
/// geometry fell back to i_overlay (found on the 100k comparison's road corridors; in a random
/// scan of such configurations, 1 164 of 20 000 had an end without a partner). The rings close,
/// and the polygon has the pieces' area and GEOS's:
///   shapely 2.2.0: p.intersection(a.union(b)).area → 5.675129328158945, one ring (GEOS keeps
///   b's corner on the line x = c as a vertex; the kernel joins the pieces of one edge: 6)
#[test]
fn rings_close_where_one_crossing_was_computed_twice() {
    let c = 4.533240789640841;
    let patch = poly(
        &[
            (0.0, 1.7015856433407253),
            (10.0, 1.163966697134915),
            (10.0, 10.0),
            (0.0, 10.0),
        ],
        &[],
    );
    let a = poly(
        &[
            (c, -0.6457141426056319),
            (5.533240789640841, 0.0),
            (5.533240789640841, 5.0),
            (c, 5.725008275404058),
        ],
        &[],
    );
    let b = poly(
        &[
            (c, -1.9087282376856791),
            (6.533240789640841, -2.0),
            (6.533240789640841, 3.0),
            (c, 3.4833658426096976),
        ],
        &[],
    );
    let (p, sa, sb) = (EdgeSet::new(&patch), EdgeSet::new(&a), EdgeSet::new(&b));
    let pieces = union_pieces(&p, &[&sa, &sb]).expect("decided");
    let g = polygons(&pieces).expect("the rings close");
    assert_eq!(g.0.len(), 1);
    assert!(g.0[0].interiors().is_empty());
    assert_eq!(g.0[0].exterior().0.len(), 7, "{g:?}");
    let want = 5.675129328158945;
    assert!((planar_area(&pieces) - want).abs() < 1e-12);
    assert!((geo::Area::unsigned_area(&g) - want).abs() < 1e-12);
}

/// A notch whose tip touches the patch's edge inside one joined boundary piece: the patch's
/// left edge is split at (0, 2) by the tip and its two pieces, both inside the obstacle, are
/// joined again, so the outline's walk passes (0, 2) without a node there and the ring touched
/// itself (invalid: found by the kernel harness's ring check on fuzz/corpus/overlay/093c10db…).
/// The region is the 4 × 4 patch minus the triangle (4, 1), (0, 2), (4, 3) (area 2 × 4 / 2 = 4),
/// pinched at (0, 2): two polygons of 6 touching at a point, valid in the OGC form.
#[test]
fn a_notch_touching_the_patch_inside_a_joined_piece_gives_valid_polygons() {
    use geo::Validation;
    let patch = sq(0.0, 0.0, 4.0, 4.0);
    let a = poly(
        &[
            (-1.0, -1.0),
            (5.0, -1.0),
            (5.0, 1.0),
            (4.0, 1.0),
            (0.0, 2.0),
            (4.0, 3.0),
            (5.0, 3.0),
            (5.0, 5.0),
            (-1.0, 5.0),
        ],
        &[],
    );
    let pieces = union_pieces(&EdgeSet::new(&patch), &[&EdgeSet::new(&a)]).expect("decided");
    assert_eq!(planar_area(&pieces), 12.0);
    let g = polygons(&pieces).expect("the rings close");
    assert!(g.is_valid(), "{:?}: {g:?}", g.validation_errors());
    assert_eq!(g.0.len(), 2, "{g:?}");
    for p in &g.0 {
        assert_eq!(geo::Area::unsigned_area(p), 6.0);
    }
}

/// Found by the kernel fuzz target (fuzz/artifacts/kernel/crash-1b17bc4b…): the edge of B from
/// (1280, 1280) to (328.59788133522306, 328.5978813352231) runs 1e-13 m inside the patch's edge
/// y = x and crosses its top edge so close to the corner (385.5, 385.5), also a vertex of A,
/// that the crossing point rounds onto that corner. With the parts in the order A, B the views
/// of that point disagreed and a piece went missing: 64 902.23 m², where GEOS gives
///   shapely 2.2.0: P.intersection(A.union(B)).area → 72927.87936469103
/// The boundary then does not close, which the kernel now checks: it declines (the overlay
/// falls back to i_overlay, counted) rather than answer wrong. The other order decides right.
#[test]
fn a_crossing_rounded_onto_a_third_polygons_vertex_is_declined_not_wrong() {
    let p = poly(
        &[(0.0, 0.0), (385.5, 385.5), (-0.0625, 385.5), (0.0, -16.0)],
        &[],
    );
    let a = poly(
        &[
            (385.5, 1327.1875),
            (-929.4280338287354, 2.314901351928711),
            (385.5, 385.5),
        ],
        &[],
    );
    let b = poly(
        &[
            (-13.6875, -0.0625),
            (640.0, -0.0625),
            (1280.0, 1280.0),
            (328.59788133522306, 328.5978813352231),
            (15.9375, 1285.0),
            (-1280.0, 15.9375),
        ],
        &[],
    );
    let want = 72927.87936469103;
    let (sp, sa, sb) = (EdgeSet::new(&p), EdgeSet::new(&a), EdgeSet::new(&b));
    for parts in [[&sa, &sb], [&sb, &sa]] {
        if let Ok(pieces) = union_pieces(&sp, &parts) {
            let got = planar_area(&pieces);
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
    }
    let pieces = union_pieces(&sp, &[&sb, &sa]).expect("this order decides");
    assert!((planar_area(&pieces) - want).abs() < 1e-6);
}
