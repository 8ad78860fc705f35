//! `Crs::check_coordinates`: catching a CRS (a `.prj`) that contradicts the coordinates.
//!
//! Coordinates near Erping (106.05E 29.85N): EPSG:4544 easting ≈ 601 465 m, northing ≈
//! 3 303 949 m (`echo 29.85 106.05 | cs2cs EPSG:4490 EPSG:4544`).

use tuban_core::crs::{Crs, CrsError, Datum};

const GK: [f64; 4] = [600_000.0, 3_300_000.0, 603_000.0, 3_306_000.0];
const GK35: [f64; 4] = [35_600_000.0, 3_300_000.0, 35_603_000.0, 3_306_000.0];
const DEG: [f64; 4] = [106.0, 29.8, 106.1, 29.9];

fn crs(code: u32) -> Crs {
    Crs::from_epsg(code).unwrap()
}

/// The error's message and suggested CRS code.
fn implausible(crs: Crs, extent: [f64; 4]) -> (String, Option<u32>) {
    match crs.check_coordinates(extent) {
        Err(e @ CrsError::Implausible { .. }) => {
            let CrsError::Implausible { likely, .. } = &e else {
                unreachable!()
            };
            (e.to_string(), likely.map(|c| c.epsg()))
        }
        other => panic!("{crs} {extent:?}: expected Implausible, got {other:?}"),
    }
}

#[test]
fn consistent_data_passes() {
    crs(4544).check_coordinates(GK).unwrap();
    crs(4523).check_coordinates(GK35).unwrap();
    crs(4490).check_coordinates(DEG).unwrap();
    crs(4326).check_coordinates(DEG).unwrap();
    crs(4507).check_coordinates(GK).unwrap(); // 6-degree zone, same CM
    crs(4496)
        .check_coordinates([18_600_000.0, 3_300_000.0, 18_603_000.0, 3_306_000.0])
        .unwrap();
    crs(32648)
        .check_coordinates([600_000.0, 3_300_000.0, 603_000.0, 3_306_000.0])
        .unwrap();
    crs(3857)
        .check_coordinates([11_805_000.0, 3_484_000.0, 11_806_000.0, 3_485_000.0])
        .unwrap();
    // A patch straddling the zone edge at 106.5E (about 145 km east of the CM at 30N).
    crs(4544)
        .check_coordinates([640_000.0, 3_300_000.0, 660_000.0, 3_310_000.0])
        .unwrap();
    // An empty layer has nothing to contradict.
    crs(4490)
        .check_coordinates([
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ])
        .unwrap();
}

#[test]
fn geographic_crs_with_metres() {
    let (msg, likely) = implausible(crs(4490), GK);
    assert!(
        msg.contains("±180") && msg.contains("without a zone prefix"),
        "{msg}"
    );
    assert_eq!(likely, None);
    let (msg, likely) = implausible(crs(4490), GK35);
    assert!(msg.contains("zone-number prefix"), "{msg}");
    assert_eq!(likely, Some(4523));
    let (_, likely) = implausible(
        crs(4326),
        [11_805_000.0, 3_484_000.0, 11_806_000.0, 3_485_000.0],
    );
    assert_eq!(likely, Some(3857));
}

#[test]
fn projected_crs_with_degrees() {
    let (msg, likely) = implausible(crs(4544), DEG);
    assert!(msg.contains("degrees"), "{msg}");
    assert_eq!(likely, Some(4490));
    // Under the wrong zone's CRS the message also names the zone the degrees fall in.
    let (msg, likely) = implausible(crs(4545), DEG);
    assert!(msg.contains("EPSG:4544"), "{msg}");
    assert_eq!(likely, Some(4490));
    let (_, likely) = implausible(crs(32648), DEG);
    assert_eq!(
        likely,
        Some(
            Crs::Geographic {
                datum: Datum::Wgs84
            }
            .epsg()
        )
    );
}

#[test]
fn zone_prefix_present_but_not_expected() {
    let (msg, likely) = implausible(crs(4544), GK35);
    assert!(msg.contains("prefix") && msg.contains("has none"), "{msg}");
    assert_eq!(likely, Some(4523));
    // Prefix of another zone: the message says so.
    let (msg, likely) = implausible(
        crs(4544),
        [36_600_000.0, 3_300_000.0, 36_603_000.0, 3_306_000.0],
    );
    assert!(msg.contains("zone 36") && msg.contains("108E"), "{msg}");
    assert_eq!(likely, Some(4524));
    // A 6-degree zone prefix.
    let (_, likely) = implausible(
        crs(4507),
        [18_600_000.0, 3_300_000.0, 18_603_000.0, 3_306_000.0],
    );
    assert_eq!(likely, Some(4496));
}

#[test]
fn zone_prefix_expected_but_missing_or_different() {
    let (msg, likely) = implausible(crs(4523), GK);
    assert!(
        msg.contains("no zone-number prefix") && msg.contains("35"),
        "{msg}"
    );
    assert_eq!(likely, Some(4544));
    let (msg, likely) = implausible(crs(4524), GK35);
    assert!(msg.contains("different zone"), "{msg}");
    assert_eq!(likely, Some(4523));
    let (_, likely) = implausible(crs(4496), GK);
    assert_eq!(likely, Some(4507));
}

#[test]
fn far_outside_the_zone() {
    // 400 km east of the central meridian under a 3-degree CRS.
    let (msg, likely) = implausible(crs(4544), [900_000.0, 3_300_000.0, 901_000.0, 3_301_000.0]);
    assert!(
        msg.contains("401 km") && msg.contains("wrong zone"),
        "{msg}"
    );
    assert_eq!(likely, None);
    // The same eastings fit a 6-degree zone's generous ±700 km.
    crs(4507)
        .check_coordinates([900_000.0, 3_300_000.0, 901_000.0, 3_301_000.0])
        .unwrap();
    // Prefixed CRS, easting far outside its zone but with its prefix.
    let (msg, _) = implausible(
        crs(4523),
        [35_900_000.0, 3_300_000.0, 35_901_000.0, 3_301_000.0],
    );
    assert!(msg.contains("km"), "{msg}");
}

#[test]
fn swapped_axes() {
    // The survey's X is the northing; stored as GIS x it lands 2.8 Mm off the zone.
    let swapped = [3_300_000.0, 600_000.0, 3_306_000.0, 603_000.0];
    let (msg, _) = implausible(crs(4544), swapped);
    assert!(msg.contains("swapped"), "{msg}");
    let swapped35 = [3_300_000.0, 35_600_000.0, 3_306_000.0, 35_603_000.0];
    let (msg, _) = implausible(crs(4523), swapped35);
    assert!(msg.contains("swapped"), "{msg}");
}

#[test]
fn nonsense_values() {
    let (msg, _) = implausible(crs(4544), [f64::NAN, 0.0, 1.0, 1.0]);
    assert!(msg.contains("NaN"), "{msg}");
    let (msg, _) = implausible(crs(4544), [600_000.0, 3_300_000.0, 600_001.0, 13_000_000.0]);
    assert!(msg.contains("northings"), "{msg}");
    implausible(crs(3857), [0.0, 0.0, 3e7, 1.0]);
    implausible(
        crs(32648),
        [35_600_000.0, 3_300_000.0, 35_603_000.0, 3_306_000.0],
    );
}
