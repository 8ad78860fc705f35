//! Gauss-Kruger / UTM forward and inverse against PROJ.
//!
//! Reference: tests/data/crs/gk_points.csv, made by tests/data/crs/make_gk_points.py with pyproj
//! 3.7.2 (PROJ 9.5.1, whose `tmerc` is the exact Poder/Engsager algorithm; the script checks
//! that against `+algo=poder_engsager` explicitly). 14 CRSs (3° and 6° zones, with and without
//! the zone prefix, both ends of China, two UTM zones), 12 points each, up to 4° from the central
//! meridian, latitudes 18-53°N (UTM south: 1-45°S), plus each zone's origin.

use std::path::PathBuf;

use tuban_core::crs::{Crs, Ellipsoid, TransverseMercator};

struct Point {
    epsg: u32,
    lon: f64,
    lat: f64,
    x: f64,
    y: f64,
}

fn points() -> Vec<Point> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/crs/gk_points.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("epsg"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Point {
                epsg: f[0].parse().unwrap(),
                lon: f[1].parse().unwrap(),
                lat: f[2].parse().unwrap(),
                x: f[3].parse().unwrap(),
                y: f[4].parse().unwrap(),
            }
        })
        .collect()
}

/// Metres per degree of latitude / longitude at `lat`, to express angle errors as distances
/// (a sphere of radius 6 378 137 m is close enough for an error estimate).
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let m = 6_378_137.0_f64.to_radians();
    (m, m * lat.to_radians().cos())
}

#[test]
fn forward_and_inverse_match_proj_to_the_nanometre() {
    let pts = points();
    assert!(pts.len() >= 150, "only {} points", pts.len());
    let codes: std::collections::BTreeSet<u32> = pts.iter().map(|p| p.epsg).collect();
    assert!(codes.len() >= 14);
    let (mut max_fwd, mut max_inv) = (0.0_f64, 0.0_f64);
    let mut per_code = std::collections::BTreeMap::<u32, (f64, f64)>::new();
    for p in &pts {
        let crs = Crs::from_epsg(p.epsg).unwrap();
        let (x, y) = crs.from_geographic(p.lon, p.lat);
        let fwd = (x - p.x).hypot(y - p.y);
        let (lon, lat) = crs.to_geographic(p.x, p.y);
        let (mlat, mlon) = metres_per_degree(p.lat);
        let inv = ((lon - p.lon) * mlon).hypot((lat - p.lat) * mlat);
        assert!(
            fwd < 1e-3 && inv < 1e-3,
            "EPSG:{} ({}, {}): forward error {fwd} m, inverse error {inv} m",
            p.epsg,
            p.lon,
            p.lat
        );
        max_fwd = max_fwd.max(fwd);
        max_inv = max_inv.max(inv);
        let e = per_code.entry(p.epsg).or_default();
        *e = (e.0.max(fwd), e.1.max(inv));
    }
    for (code, (f, i)) in &per_code {
        eprintln!("  EPSG:{code}: forward {f:.2e} m, inverse {i:.2e} m");
    }
    eprintln!(
        "Gauss-Kruger vs PROJ over {} points: max forward error {max_fwd:.3e} m, max inverse \
         error {max_inv:.3e} m",
        pts.len()
    );
    // The requirement is 1 mm; Karney's series does about a million times better. (One unit in
    // the last place of a zone-prefixed easting near 35 500 000 m is 7.45e-9 m, so a few
    // nanometres is all a float64 can tell.)
    assert!(max_fwd < 3e-8, "max forward error {max_fwd} m");
    assert!(max_inv < 3e-8, "max inverse error {max_inv} m");
}

#[test]
fn round_trip_is_exact_to_the_nanometre_across_a_zone() {
    let tm = TransverseMercator::new(Ellipsoid::CGCS2000, 105.0, 1.0, 500_000.0, 0.0);
    let mut worst = 0.0_f64;
    for i in 0..=80 {
        for j in 0..=70 {
            let lon = 101.0 + 0.1 * f64::from(i);
            let lat = 0.5 + 0.75 * f64::from(j);
            let (x, y) = tm.forward(lon, lat);
            let (lon2, lat2) = tm.inverse(x, y);
            let (x2, y2) = tm.forward(lon2, lat2);
            worst = worst.max((x2 - x).hypot(y2 - y));
        }
    }
    assert!(worst < 1e-8, "round trip error {worst} m");
}

#[test]
fn zone_prefix_is_added_and_stripped() {
    let with = Crs::from_epsg(4523).unwrap();
    let without = Crs::from_epsg(4544).unwrap();
    let (xp, yp) = with.from_geographic(106.05, 29.85);
    let (x, y) = without.from_geographic(106.05, 29.85);
    assert!((xp - 35_000_000.0 - x).abs() < 1e-8 && yp == y);
    let (lon, lat) = with.to_geographic(xp, yp);
    assert!((lon - 106.05).abs() < 1e-11 && (lat - 29.85).abs() < 1e-11);
}

#[test]
fn geographic_is_the_identity() {
    let crs = Crs::from_epsg(4490).unwrap();
    assert_eq!(crs.to_geographic(106.05, 29.85), (106.05, 29.85));
    assert_eq!(crs.from_geographic(106.05, 29.85), (106.05, 29.85));
}
