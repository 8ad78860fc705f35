//! Criterion benchmarks at scale, on data made by `tuban-synth` (issue 6): reading each format,
//! building the obstacle index, the overlay of one patch by its number of candidate obstacles,
//! the slope step, and the whole run (reading to written CSV), at 1k and 10k patches.
//!
//! ```text
//! cargo bench --bench scale                        # 1k and 10k patches
//! TUBAN_BENCH_SIZES=1000,10000,100000 cargo bench --bench scale   # 100k too (slow)
//! ```
//!
//! The data of each size is generated once into a temporary folder (seed 20230720, with a DEM).
//! The end-to-end run is the comparison's question (planar areas, no DEM, one CSV) and, as
//! `with dem, ellipsoidal`, the full project `tuban synth` writes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tuban_core::area::Planar;
use tuban_core::build::{obstacles_from_layer, patches_from_layer, PatchFields, ShapeParams};
use tuban_core::geo::BoundingRect;
use tuban_core::overlay::{overlay_one, ObstacleIndex, OverlayOptions, Patch};
use tuban_core::rules::Rules;
use tuban_core::steep::{steep_obstacles, SteepOptions};
use tuban_io::geotiff::Dem;
use tuban_io::read::{read_layer, ReadOptions};

fn sizes() -> Vec<u64> {
    std::env::var("TUBAN_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 10_000])
}

fn make(n: u64, root: &Path) -> PathBuf {
    let dir = root.join(n.to_string());
    let opts = tuban_synth::SynthOptions::new(n, dir.clone());
    let s = tuban_synth::generate(&opts).expect("synthetic data");
    eprintln!("{n} patches: {s}");
    dir
}

fn params(role: &str) -> ShapeParams {
    let mut p = ShapeParams::default();
    if role == "graves" {
        p.count_field = Some("SL".into());
    }
    p
}

fn index(dir: &Path, rules: &Rules) -> ObstacleIndex {
    let opts = ReadOptions::default();
    let mut o = Vec::new();
    for (role, file) in [
        ("landuse", "dltb.shp"),
        ("graves", "graves.shp"),
        ("roads", "roads.shp"),
    ] {
        let layer = read_layer(&dir.join(file), &opts).unwrap();
        o.extend(obstacles_from_layer(role, &layer, rules, &params(role)).unwrap());
    }
    ObstacleIndex::new(o)
}

fn patches(dir: &Path) -> Vec<Patch> {
    let layer = read_layer(&dir.join("patches.shp"), &ReadOptions::default()).unwrap();
    patches_from_layer(&layer, &PatchFields::guess(&layer)).unwrap()
}

fn scale(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let rules = Rules::builtin();
    for n in sizes() {
        let dir = make(n, root.path());
        let big = n >= 100_000;
        let opts = ReadOptions::default();

        let mut g = c.benchmark_group(format!("scale {n}/read"));
        g.sample_size(10);
        if big {
            g.measurement_time(Duration::from_secs(30));
        }
        for file in ["patches.shp", "dltb.shp", "graves.shp", "roads.shp"] {
            let records = (std::fs::metadata(dir.join(file).with_extension("shx"))
                .unwrap()
                .len()
                - 100)
                / 8;
            g.throughput(Throughput::Elements(records));
            g.bench_function(BenchmarkId::new(file, records), |b| {
                b.iter(|| read_layer(&dir.join(file), &opts).unwrap())
            });
        }
        let dem = Dem::open(dir.join("dem.tif")).unwrap();
        let cells = (dem.spec().cols * dem.spec().rows) as u64;
        g.throughput(Throughput::Elements(cells));
        g.bench_function(BenchmarkId::new("dem.tif (cells)", cells), |b| {
            b.iter(|| Dem::open(dir.join("dem.tif")).unwrap().read_all().unwrap())
        });
        g.finish();

        let mut g = c.benchmark_group(format!("scale {n}/index"));
        g.sample_size(10);
        let dltb = read_layer(&dir.join("dltb.shp"), &opts).unwrap();
        let graves = read_layer(&dir.join("graves.shp"), &opts).unwrap();
        let roads = read_layer(&dir.join("roads.shp"), &opts).unwrap();
        g.bench_function("classify + buffer + R-tree", |b| {
            b.iter(|| {
                let mut o =
                    obstacles_from_layer("landuse", &dltb, &rules, &params("landuse")).unwrap();
                o.extend(
                    obstacles_from_layer("graves", &graves, &rules, &params("graves")).unwrap(),
                );
                o.extend(obstacles_from_layer("roads", &roads, &rules, &params("roads")).unwrap());
                ObstacleIndex::new(o)
            })
        });
        g.finish();
        drop((dltb, graves, roads));

        // One patch's overlay, by how many obstacles its envelope meets.
        let idx = index(&dir, &rules);
        let ps = patches(&dir);
        let classes = rules.classes().len();
        let planar = OverlayOptions {
            measure: Box::new(Planar),
            keep_pieces: false,
        };
        let buckets: [(usize, usize, &str); 5] = [
            (0, 0, "0"),
            (1, 2, "1-2"),
            (3, 5, "3-5"),
            (6, 10, "6-10"),
            (11, usize::MAX, "11+"),
        ];
        let mut g = c.benchmark_group(format!("scale {n}/overlay per patch by candidates"));
        g.sample_size(20);
        for (lo, hi, label) in buckets {
            let sample: Vec<&Patch> = ps
                .iter()
                .filter(|p| {
                    let k = idx.candidates(p.geometry.bounding_rect().unwrap()).len();
                    (lo..=hi).contains(&k)
                })
                .take(500)
                .collect();
            if sample.is_empty() {
                continue;
            }
            g.throughput(Throughput::Elements(sample.len() as u64));
            g.bench_function(BenchmarkId::new(label, sample.len()), |b| {
                b.iter(|| {
                    for p in &sample {
                        std::hint::black_box(overlay_one(p, &idx, classes, &planar));
                    }
                })
            });
        }
        g.finish();

        // The slope step: Horn's slope over the DEM windows of the patches, steep cells out.
        let envelopes: Vec<_> = ps
            .iter()
            .filter_map(|p| p.geometry.bounding_rect())
            .collect();
        let class = rules.classes().iter().position(|c| c == "steep").unwrap();
        let mut g = c.benchmark_group(format!("scale {n}/slope"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(envelopes.len() as u64));
        g.bench_function("steep cells under the patches", |b| {
            b.iter(|| {
                let dem = Dem::open(dir.join("dem.tif")).unwrap();
                steep_obstacles(&dem, &envelopes, class, &SteepOptions::default()).unwrap()
            })
        });
        g.finish();
        drop((idx, ps));

        let mut g = c.benchmark_group(format!("scale {n}/end to end"));
        g.sample_size(10);
        if big {
            g.measurement_time(Duration::from_secs(60));
        }
        g.throughput(Throughput::Elements(n));
        let out = root.path().join(format!("out{n}"));
        let mut full = tuban::Project::from_file(&dir.join("tuban.toml")).unwrap();
        full.outputs = vec![out.join("full.csv")];
        full.villages = None;
        full.overwrite = true;
        let mut question = full.clone();
        question.dem = None;
        question.area_method = tuban_core::area::AreaMethod::Planar;
        question.outputs = vec![out.join("planar.csv")];
        g.bench_function("planar, no dem (the comparison's question)", |b| {
            b.iter(|| tuban::run(&question).unwrap())
        });
        g.bench_function("with dem, ellipsoidal", |b| {
            b.iter(|| tuban::run(&full).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, scale);
criterion_main!(benches);
