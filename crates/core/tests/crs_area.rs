//! The survey's ellipsoidal area against independent references.
//!
//! tests/data/crs/survey_area.csv holds 60 random patches of 50-6000 m² near Erping
//! (106.05E 29.85N) in EPSG:4544, 8 of them with a hole, exterior rings of both orientations,
//! made by tests/data/crs/survey_area.py (pyproj 3.7.2 / PROJ 9.5.1, geographiclib 2.1) with:
//!
//! * `survey_m2`: the survey's formula re-implemented in pure Python from its printed text
//!   (direct sin/cos for every term, reference meridian the floor of the ring's westernmost
//!   longitude, pyproj for the inverse projection);
//! * `geodesic_m2`: GeographicLib's geodesic polygon area on the CGCS2000 ellipsoid;
//! * `planar_m2`: the shoelace area in the Gauss-Kruger plane.

use std::path::PathBuf;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use tuban_core::crs::{ellipsoidal_area, Crs, Ellipsoid, EllipsoidalArea, SurveyFormula};

struct Patch {
    id: u32,
    polygon: Polygon<f64>,
    survey: f64,
    geodesic: f64,
    planar: f64,
}

fn ring(text: &str) -> LineString<f64> {
    LineString(
        text.split(';')
            .map(|p| {
                let (x, y) = p.split_once(' ').unwrap();
                Coord {
                    x: x.parse().unwrap(),
                    y: y.parse().unwrap(),
                }
            })
            .collect(),
    )
}

fn patches() -> Vec<Patch> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/crs/survey_area.csv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let mut rings = f[1].split('|').map(ring);
            let exterior = rings.next().unwrap();
            Patch {
                id: f[0].parse().unwrap(),
                polygon: Polygon::new(exterior, rings.collect()),
                survey: f[2].parse().unwrap(),
                geodesic: f[3].parse().unwrap(),
                planar: f[4].parse().unwrap(),
            }
        })
        .collect()
}

fn epsg4544() -> EllipsoidalArea {
    EllipsoidalArea::new(&Crs::from_epsg(4544).unwrap()).unwrap()
}

#[test]
fn matches_the_independent_python_formula_and_geographiclib() {
    let measure = epsg4544();
    let patches = patches();
    assert_eq!(patches.len(), 60);
    assert!(
        patches
            .iter()
            .filter(|p| !p.polygon.interiors().is_empty())
            .count()
            >= 5
    );
    let (mut max_survey, mut max_geodesic, mut max_geodesic_rel) = (0.0_f64, 0.0_f64, 0.0_f64);
    for p in &patches {
        let area = measure.polygon_area(&p.polygon);
        assert!((50.0..=6000.0).contains(&p.survey), "patch {}", p.id);
        let d_survey = (area - p.survey).abs();
        let d_geodesic = (area - p.geodesic).abs();
        assert!(
            d_survey < 1e-3,
            "patch {}: {area} vs Python {} m²",
            p.id,
            p.survey
        );
        assert!(
            d_geodesic < 1e-2,
            "patch {}: {area} vs GeographicLib {} m²",
            p.id,
            p.geodesic
        );
        max_survey = max_survey.max(d_survey);
        max_geodesic = max_geodesic.max(d_geodesic);
        max_geodesic_rel = max_geodesic_rel.max(d_geodesic / p.geodesic);
    }
    eprintln!(
        "ellipsoidal area over {} patches: max |Rust - Python survey formula| = {max_survey:.3e} \
         m², max |Rust - GeographicLib geodesic| = {max_geodesic:.3e} m² ({max_geodesic_rel:.2e} \
         relative)",
        patches.len()
    );
    // Both sides evaluate the same formula on the same vertices: only rounding separates them.
    assert!(max_survey < 1e-6, "{max_survey}");
}

#[test]
fn plane_area_is_about_a_quarter_per_mille_larger_100_km_off_the_central_meridian() {
    // Erping is ~101 km east of 105E; the Gauss-Kruger scale there is 1 + x²/2R² ≈ 1.000127,
    // so plane areas are larger by ≈ 2.5e-4.
    let measure = epsg4544();
    for p in patches() {
        let ratio = p.planar / measure.polygon_area(&p.polygon) - 1.0;
        assert!((2.2e-4..2.8e-4).contains(&ratio), "patch {}: {ratio}", p.id);
    }
}

#[test]
fn orientation_does_not_matter_and_holes_subtract() {
    let measure = epsg4544();
    for p in patches() {
        let area = measure.polygon_area(&p.polygon);
        let reversed = Polygon::new(
            LineString(p.polygon.exterior().0.iter().rev().copied().collect()),
            p.polygon
                .interiors()
                .iter()
                .map(|r| LineString(r.0.iter().rev().copied().collect()))
                .collect(),
        );
        assert!((measure.polygon_area(&reversed) - area).abs() < 1e-9);
        // Signed ring areas flip with orientation.
        let s = measure.signed_ring_area(p.polygon.exterior());
        let r = measure.signed_ring_area(reversed.exterior());
        assert!((s + r).abs() < 1e-9 && s.abs() > 0.0);
        let holes: f64 = p
            .polygon
            .interiors()
            .iter()
            .map(|h| measure.signed_ring_area(h).abs())
            .sum();
        let outer = measure.signed_ring_area(p.polygon.exterior()).abs();
        assert!((outer - holes - area).abs() < 1e-9);
    }
}

#[test]
fn signed_area_is_positive_counter_clockwise() {
    let measure = epsg4544();
    let ccw = LineString::from(vec![
        (601400.0, 3303900.0),
        (601500.0, 3303900.0),
        (601500.0, 3304000.0),
        (601400.0, 3304000.0),
    ]);
    assert!(measure.signed_ring_area(&ccw) > 9997.0);
    // geo agrees on the orientation convention.
    use geo::Area;
    assert!(Polygon::new(ccw, vec![]).signed_area() > 0.0);
}

#[test]
fn multipolygon_area_is_the_sum_and_offsets_keep_precision() {
    let measure = epsg4544();
    let patches = patches();
    let mp = MultiPolygon(patches.iter().take(10).map(|p| p.polygon.clone()).collect());
    let sum: f64 = patches
        .iter()
        .take(10)
        .map(|p| measure.polygon_area(&p.polygon))
        .sum();
    assert!((measure.area(&mp) - sum).abs() < 1e-8);
    assert!((ellipsoidal_area(measure.crs(), &mp).unwrap() - sum).abs() < 1e-8);

    // The same geometry shifted to a local origin, as the overlay keeps it.
    let offset = (601_000.0, 3_304_000.0);
    for p in &patches {
        let shift = |r: &LineString<f64>| {
            LineString(
                r.0.iter()
                    .map(|c| Coord {
                        x: c.x - offset.0,
                        y: c.y - offset.1,
                    })
                    .collect(),
            )
        };
        let local = Polygon::new(
            shift(p.polygon.exterior()),
            p.polygon.interiors().iter().map(shift).collect(),
        );
        let a = measure.polygon_area(&p.polygon);
        let b = measure.polygon_area_with_offset(&local, offset);
        let c = measure.area_with_offset(&MultiPolygon(vec![local]), offset);
        assert!(
            (a - b).abs() < 1e-7 && b == c,
            "patch {}: {a} {b} {c}",
            p.id
        );
    }
}

#[test]
fn zone_prefix_gives_the_same_area() {
    let plain = epsg4544();
    let prefixed = EllipsoidalArea::new(&Crs::from_epsg(4523).unwrap()).unwrap();
    for p in patches().iter().take(10) {
        let a = plain.polygon_area(&p.polygon);
        let b = prefixed.polygon_area_with_offset(&p.polygon, (35_000_000.0, 0.0));
        assert!((a - b).abs() < 1e-6, "patch {}: {a} vs {b}", p.id);
    }
}

/// The area between latitudes B1 and B2 over ΔL radians of longitude, in closed form:
/// S = b² ΔL [G(B2) − G(B1)], G(B) = sin B / (2 (1 − e² sin²B)) + ln((1 + e sin B)/(1 − e sin B)) / (4e),
/// the integral of M N cos B = b² cos B / (1 − e² sin²B)².
fn zone_area(e: &Ellipsoid, b1_deg: f64, b2_deg: f64, dl_deg: f64) -> f64 {
    let (e2, ecc, b) = (e.e2(), e.e(), e.b());
    let g = |lat: f64| {
        let s = lat.to_radians().sin();
        s / (2.0 * (1.0 - e2 * s * s)) + ((1.0 + ecc * s) / (1.0 - ecc * s)).ln() / (4.0 * ecc)
    };
    b * b * dl_deg.to_radians() * (g(b2_deg) - g(b1_deg))
}

#[test]
fn one_degree_cells_match_the_closed_form() {
    let e = Ellipsoid::CGCS2000;
    let formula = SurveyFormula::new(&e);
    let degrees = EllipsoidalArea::new(&Crs::from_epsg(4490).unwrap()).unwrap();
    let gk = Crs::from_epsg(4544).unwrap();
    let projected = EllipsoidalArea::new(&gk).unwrap();
    for lat in [0.0, 18.0, 29.0, 45.0, 53.0] {
        let cell = [
            (105.0, lat),
            (106.0, lat),
            (106.0, lat + 1.0),
            (105.0, lat + 1.0),
        ];
        let exact = zone_area(&e, lat, lat + 1.0, 1.0);
        let series = formula.signed_ring_area_degrees(cell);
        // The e⁸ series leaves ~1e-11 relative.
        assert!(
            ((series - exact) / exact).abs() < 1e-11,
            "lat {lat}: {series} vs {exact}"
        );
        // The same cell as a geo polygon in degrees, and projected to Gauss-Kruger corners
        // (the formula only sees the vertices, so the result must not change).
        let ring = LineString::from(cell.to_vec());
        let a = degrees.signed_ring_area(&ring);
        let gk_ring = LineString::from(
            cell.iter()
                .map(|&(lon, lat)| gk.from_geographic(lon, lat))
                .collect::<Vec<_>>(),
        );
        let b = projected.signed_ring_area(&gk_ring);
        assert!((a - series).abs() < 1e-3, "lat {lat}: {a} vs {series}");
        assert!(
            ((b - series) / series).abs() < 1e-12,
            "lat {lat}: {b} vs {series}"
        );
    }
    // GRS80 and CGCS2000 give the same area to 1e-12 relative.
    let grs = zone_area(&Ellipsoid::GRS80, 29.0, 30.0, 1.0);
    let cgcs = zone_area(&e, 29.0, 30.0, 1.0);
    assert!(((grs - cgcs) / cgcs).abs() < 1e-12);
}

#[test]
fn whole_earth_matches_the_authalic_surface() {
    // A pole-to-pole lune of 1° times 360 is the whole ellipsoid: 4π R_q², with GRS80's
    // authalic radius 6 371 007.1810 m (Moritz 1980, "Geodetic Reference System 1980").
    let formula = SurveyFormula::new(&Ellipsoid::GRS80);
    let lune =
        formula.signed_ring_area_degrees([(0.0, -90.0), (1.0, -90.0), (1.0, 90.0), (0.0, 90.0)]);
    let rq: f64 = 6_371_007.181;
    let whole = 4.0 * std::f64::consts::PI * rq * rq;
    assert!(
        ((lune * 360.0 - whole) / whole).abs() < 1e-9,
        "{}",
        lune * 360.0
    );
}
