//! One very large patch against thousands of small land-use polygons (issue 13): a 180,000-vertex
//! wavy disc of about 5 km radius at Gauss-Kruger magnitudes (zone prefix 36) against a 71 × 71
//! partition of jittered 20-vertex quadrilaterals (5,041 polygons, 3 classes in turn). The cost
//! must follow the obstacles the patch meets, not its vertex count times the obstacle count.
//!
//! ```text
//! cargo bench --bench large_patch            # one timed run, then criterion (10 samples)
//! TUBAN_LARGE_ONCE=1 cargo bench --bench large_patch   # the timed run only
//! ```
//!
//! Before timing, it checks what can be known without the overlay: the land-use polygons cover
//! the patch, so the three classes add up to the patch's area (shoelace on the input), and the
//! union equals it.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use tuban_core::geo::{Area, Coord, LineString, MultiPolygon, Polygon};
use tuban_core::overlay::{overlay_one, Obstacle, ObstacleIndex, OverlayOptions, Patch};

const X0: f64 = 36_500_000.0;
const Y0: f64 = 3_300_000.0;
const N: usize = 71;
const SUB: usize = 5;

/// A deterministic jitter in [-1, 1) (splitmix64 of the node's number).
fn jitter(k: u64) -> f64 {
    let mut z = k.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// The patch: a disc of radius 5 km with a wavy edge, `n` vertices, counter-clockwise.
fn patch(n: usize) -> MultiPolygon<f64> {
    let ring: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let a = i as f64 * std::f64::consts::TAU / n as f64;
            let r = 5000.0 + 40.0 * (a * 37.0).sin() + 3.0 * (a * 1001.0).sin();
            Coord {
                x: X0 + 5300.0 + r * a.cos(),
                y: Y0 + 5300.0 + r * a.sin(),
            }
        })
        .collect();
    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
}

/// The land-use partition: cells of a jittered grid over [0, 10600]², each side cut in `SUB`
/// pieces; neighbours share their sides' vertices exactly.
fn landuse() -> Vec<Obstacle> {
    let step = 10_600.0 / N as f64;
    let node = |i: usize, j: usize| -> Coord<f64> {
        let edge = i == 0 || j == 0 || i == N || j == N;
        let k = (i * (N + 1) + j) as u64;
        let (dx, dy) = if edge {
            (0.0, 0.0)
        } else {
            (0.3 * step * jitter(2 * k), 0.3 * step * jitter(2 * k + 1))
        };
        Coord {
            x: X0 + i as f64 * step + dx,
            y: Y0 + j as f64 * step + dy,
        }
    };
    // The points of the side from node a to node b, computed in one canonical order.
    let side = |a: (usize, usize), b: (usize, usize)| -> Vec<Coord<f64>> {
        let (lo, hi, rev) = if a <= b { (a, b, false) } else { (b, a, true) };
        let (p, q) = (node(lo.0, lo.1), node(hi.0, hi.1));
        let mut v: Vec<Coord<f64>> = (0..SUB)
            .map(|s| {
                let t = s as f64 / SUB as f64;
                Coord {
                    x: p.x + t * (q.x - p.x),
                    y: p.y + t * (q.y - p.y),
                }
            })
            .collect();
        v.push(q);
        if rev {
            v.reverse();
        }
        v.pop(); // the next side starts there
        v
    };
    let mut out = Vec::with_capacity(N * N);
    for i in 0..N {
        for j in 0..N {
            let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let ring: Vec<Coord<f64>> = (0..4)
                .flat_map(|k| side(corners[k], corners[(k + 1) % 4]))
                .collect();
            let poly = MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]);
            out.push(Obstacle::new((i + j) % 3, poly).with_source("landuse", out.len() + 1));
        }
    }
    out
}

fn large(c: &mut Criterion) {
    let p = Patch::new("big", "zone", patch(180_000));
    let lu = landuse();
    let index = ObstacleIndex::new(lu);
    let options = OverlayOptions::default();
    let want = p.geometry.unsigned_area();

    let t = Instant::now();
    let r = overlay_one(&p, &index, 3, &options);
    let took = t.elapsed();
    let sum: f64 = r.class_m2.iter().sum();
    eprintln!(
        "one 180k-vertex patch vs {} land-use polygons: {:.3} s; classes sum {sum:.6} m², union {:.6} m², patch {want:.6} m²; kernel {:?}",
        index.len(),
        took.as_secs_f64(),
        r.union_m2,
        r.kernel
    );
    assert_eq!(r.error, None);
    // The partition covers the patch: the classes add up to its area, to the precision of a
    // sum of a few thousand terms of 1e7 m².
    assert!((sum - want).abs() < 1e-4, "{sum} vs {want}");
    assert!((r.union_m2 - want).abs() < 1e-4, "{} vs {want}", r.union_m2);
    if std::env::var_os("TUBAN_LARGE_ONCE").is_some() {
        return;
    }
    let mut g = c.benchmark_group("large patch");
    g.sample_size(10);
    g.bench_function("180k vertices vs 5041 land-use polygons", |b| {
        b.iter(|| overlay_one(&p, &index, 3, &options))
    });
    g.finish();
}

criterion_group!(benches, large);
criterion_main!(benches);
