//! The area kernel against GEOS: `tests/data/kernel/corpus.tsv` holds pairs of polygons and the
//! area of their intersection as shapely (GEOS 3.14.1) computes it, written by `make_corpus.py`
//! beside it (the command is in its docstring). Every kernel area must be within
//! **1e-6 m², or 1e-12 of the area when that is larger**: the relative part only matters for the
//! 200 km square's cases (areas up to 4e10 m²), where one unit in the last place of the area
//! itself is already 8e-6 m², so no double computation can promise 1e-6 m² absolute there.

use geo::orient::{Direction, Orient};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use tuban_core::kernel::intersection_area;

/// Reads `POLYGON ((x y, ...), (x y, ...))`.
fn polygon(wkt: &str) -> MultiPolygon<f64> {
    let body = wkt
        .trim()
        .strip_prefix("POLYGON (")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a POLYGON: {wkt}"));
    let rings: Vec<LineString<f64>> = body
        .split("), (")
        .map(|r| {
            let r = r.trim_start_matches('(').trim_end_matches(')');
            LineString(
                r.split(", ")
                    .map(|xy| {
                        let mut it = xy.split(' ').map(|v| v.parse::<f64>().expect("number"));
                        Coord {
                            x: it.next().expect("x"),
                            y: it.next().expect("y"),
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    let (ext, holes) = rings.split_first().expect("a ring");
    MultiPolygon(vec![Polygon::new(ext.clone(), holes.to_vec())]).orient(Direction::Default)
}

#[test]
fn kernel_matches_geos_on_the_corpus() {
    let text = include_str!("data/kernel/corpus.tsv");
    let (mut n, mut worst, mut worst_name) = (0, 0.0f64, String::new());
    let mut worst_io = 0.0f64;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, a, b) = (f[0], polygon(f[1]), polygon(f[2]));
        let want: f64 = f[3].parse().expect("area");
        let got = intersection_area(&a, &b).unwrap_or_else(|u| panic!("{name}: {u}"));
        let back = intersection_area(&b, &a).unwrap_or_else(|u| panic!("{name}: {u}"));
        let tol = 1e-6f64.max(1e-12 * want);
        for v in [got, back] {
            assert!(
                (v - want).abs() <= tol,
                "{name}: kernel {v} vs GEOS {want} (diff {:e})",
                v - want
            );
        }
        // For the record (not asserted): i_overlay in a local frame, as the overlay used it.
        let o = geo::BoundingRect::bounding_rect(&a).expect("box").min();
        let local = |m: &MultiPolygon<f64>| geo::MapCoords::map_coords(m, |c| c - o);
        let io = geo::Area::unsigned_area(&geo::BooleanOps::intersection(&local(&a), &local(&b)));
        worst_io = worst_io.max((io - want).abs());
        if (got - want).abs() > worst {
            worst = (got - want).abs();
            worst_name = name.to_string();
        }
        n += 1;
    }
    assert!(n >= 200, "only {n} pairs read");
    eprintln!(
        "{n} pairs; largest difference from GEOS: kernel {worst:e} m² ({worst_name}), \
         i_overlay {worst_io:e} m²"
    );
}
