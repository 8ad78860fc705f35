//! Throughput of the slope kernel and of steep_obstacles on a large synthetic DEM.
//! Ignored by default; run with
//! `cargo test --release -p tuban-core --test slope_zz_bench -- --ignored --nocapture`.

use std::time::Instant;

use geo::{coord, Rect};
use tuban_core::raster::{CrsKind, GeoTransform, Grid};
use tuban_core::slope::horn;
use tuban_core::steep::{steep_obstacles, SteepOptions};

fn big(cols: usize, rows: usize) -> Grid {
    let data = (0..rows)
        .flat_map(|r| {
            (0..cols).map(move |c| {
                let (x, y) = (c as f64 * 5.0, r as f64 * 5.0);
                300.0 + 250.0 * (x / 300.0).sin() * (y / 250.0).cos() + 0.1 * x
            })
        })
        .collect();
    Grid::new(
        GeoTransform::new(500000.0, 3400000.0, 5.0, 5.0),
        cols,
        rows,
        CrsKind::Projected,
        Some(-9999.0),
        data,
    )
    .unwrap()
}

#[test]
#[ignore]
fn bench_slope_and_steep() {
    let (cols, rows) = (4000, 4000);
    let g = big(cols, rows);
    let t = Instant::now();
    let s = horn(&g);
    let dt = t.elapsed().as_secs_f64();
    println!(
        "horn: {} cells in {dt:.3} s = {:.1} Mcells/s (one thread)",
        s.data.len(),
        s.data.len() as f64 / dt / 1e6
    );
    // 100 000 patch envelopes of 20–60 m scattered over the DEM.
    let mut seed: u64 = 7;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let envs: Vec<Rect<f64>> = (0..100_000)
        .map(|_| {
            let x = 500000.0 + next() * (cols as f64 * 5.0 - 60.0);
            let y = 3400000.0 - rows as f64 * 5.0 + next() * (rows as f64 * 5.0 - 60.0);
            let (w, h) = (20.0 + 40.0 * next(), 20.0 + 40.0 * next());
            Rect::new(coord! { x: x, y: y }, coord! { x: x + w, y: y + h })
        })
        .collect();
    let t = Instant::now();
    let r = steep_obstacles(&g, &envs, 0, &SteepOptions::default()).unwrap();
    println!(
        "steep_obstacles: {:?} in {:.3} s",
        r.stats,
        t.elapsed().as_secs_f64()
    );
}
