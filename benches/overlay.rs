//! Criterion benchmarks of the stages of a run, on the committed Erping fixture:
//! reading each layer, classifying and indexing obstacles, the overlay of all 203 patches (planar
//! and ellipsoidal), and the whole pipeline to written CSV; and road corridors on 2 000
//! survey-like roads (random walks: 24 vertices, segments of 5 to 40 m, bends up to 30°).
//!
//! ```text
//! cargo bench --bench overlay
//! ```
//!
//! Large synthetic patch sets (1k to 1M patches) are the subject of issue 6's generator.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use tuban_core::area::{Ellipsoidal, Planar};
use tuban_core::build::{obstacles_from_layer, patches_from_layer, PatchFields, ShapeParams};
use tuban_core::crs::Crs;
use tuban_core::overlay::{overlay, ObstacleIndex, OverlayOptions};
use tuban_core::rules::Rules;
use tuban_io::read::{read_layer, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/erping")
        .join(name)
}

fn stages(c: &mut Criterion) {
    let opts = ReadOptions::default();
    let mut g = c.benchmark_group("read");
    g.sample_size(20);
    g.bench_function("dltb.shp (9993 polygons)", |b| {
        b.iter(|| read_layer(&fixture("dltb.shp"), &opts).unwrap())
    });
    g.bench_function("patches.shp (203 polygons)", |b| {
        b.iter(|| read_layer(&fixture("patches.shp"), &opts).unwrap())
    });
    g.finish();

    let patches_layer = read_layer(&fixture("patches.shp"), &opts).unwrap();
    let dltb = read_layer(&fixture("dltb.shp"), &opts).unwrap();
    let roads = read_layer(&fixture("roads.shp"), &opts).unwrap();
    let graves = read_layer(&fixture("graves.shp"), &opts).unwrap();
    let rules = Rules::builtin();
    let patches = patches_from_layer(&patches_layer, &PatchFields::guess(&patches_layer)).unwrap();
    let build = || {
        let mut o =
            obstacles_from_layer("landuse", &dltb, &rules, &ShapeParams::default()).unwrap();
        o.extend(obstacles_from_layer("roads", &roads, &rules, &ShapeParams::default()).unwrap());
        o.extend(obstacles_from_layer("graves", &graves, &rules, &ShapeParams::default()).unwrap());
        ObstacleIndex::new(o)
    };
    let mut g = c.benchmark_group("index");
    g.sample_size(20);
    g.bench_function("classify + buffer + R-tree", |b| b.iter(build));
    g.finish();

    let index = build();
    let classes = rules.classes().len();
    let mut g = c.benchmark_group("overlay 203 patches");
    g.sample_size(20);
    g.bench_function("planar", |b| {
        let o = OverlayOptions {
            measure: Box::new(Planar),
            keep_pieces: false,
        };
        b.iter(|| overlay(&patches, &index, classes, &o))
    });
    g.bench_function("ellipsoidal", |b| {
        let m = Ellipsoidal::new(&Crs::from_epsg(4544).unwrap()).unwrap();
        let o = OverlayOptions {
            measure: Box::new(m),
            keep_pieces: false,
        };
        b.iter(|| overlay(&patches, &index, classes, &o))
    });
    g.finish();

    let mut g = c.benchmark_group("end to end");
    g.sample_size(10);
    let dir = tempfile::tempdir().unwrap();
    g.bench_function(
        "tuban run fixtures/erping/tuban.toml (CSV, GeoJSON, villages)",
        |b| {
            let mut p = tuban::Project::from_file(&fixture("tuban.toml")).unwrap();
            p.outputs = vec![dir.path().join("b.csv"), dir.path().join("b.geojson")];
            p.villages = Some(dir.path().join("v.csv"));
            p.overwrite = true;
            b.iter(|| tuban::run(&p).unwrap())
        },
    );
    g.finish();
}

/// 2 000 survey-like roads: random walks of 23 segments of 5 to 40 m with bends of up to 30°,
/// 2 to 8 m wide, at Gauss-Kruger coordinates (a fixed xorshift seed).
fn survey_roads() -> Vec<(tuban_core::geo::MultiLineString<f64>, f64)> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..2000)
        .map(|_| {
            let (mut x, mut y, mut h) = (36_512_000.0 + 5000.0 * next(), 3_301_000.0, 0.0f64);
            let mut pts = vec![tuban_core::geo::Coord { x, y }];
            for _ in 0..23 {
                h += (next() - 0.5) * 60f64.to_radians();
                let len = 5.0 + 35.0 * next();
                x += len * h.cos();
                y += len * h.sin();
                pts.push(tuban_core::geo::Coord { x, y });
            }
            let line = tuban_core::geo::MultiLineString(vec![tuban_core::geo::LineString(pts)]);
            (line, 2.0 + 6.0 * next())
        })
        .collect()
}

fn corridors(c: &mut Criterion) {
    let roads = survey_roads();
    let mut g = c.benchmark_group("road corridors");
    g.sample_size(20);
    g.bench_function("2000 survey-like roads, 24 vertices", |b| {
        b.iter(|| {
            roads
                .iter()
                .map(|(l, w)| tuban_core::shapes::road_corridor(l, *w, 8).0.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, stages, corridors);
criterion_main!(benches);
