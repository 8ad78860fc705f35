//! Plausibility of coordinates under a CRS: catching a `.prj` that contradicts the data.
//!
//! The usual mistakes, all seen in real deliveries: degrees labelled as Gauss-Kruger (or the
//! reverse); eastings carrying the zone number (35 601 465 m) under a CRS without it, or missing
//! it under one with it; the neighbouring zone's CRS (EPSG:4545 for data at 106°E, whose zone is
//! 4544); the survey's X (northing) stored as the GIS x.

use super::{epsg, Crs, CrsError, Datum};

/// |y| beyond the quarter meridian (10 001 966 m on CGCS2000 / WGS 84) plus a little is no
/// northing on the earth.
const NORTHING_LIMIT: f64 = 10_002_000.0;

/// How far from the false easting an easting may be: about twice a zone's half-width at the
/// equator (167 km for 3° zones, 334 km for 6°), generous enough for data straddling a zone
/// edge, tight enough to catch a wrong zone or CRS.
fn easting_limit(zone_width: u8) -> f64 {
    if zone_width == 3 {
        350_000.0
    } else {
        700_000.0
    }
}

fn implausible(problem: String, likely: Option<Crs>) -> CrsError {
    CrsError::Implausible { problem, likely }
}

/// `[a, b]` formatted for a message: metres to the metre, degrees to 1e-6.
fn range(lo: f64, hi: f64) -> String {
    if lo.abs().max(hi.abs()) <= 1000.0 {
        format!("{lo:.6}..{hi:.6}")
    } else {
        format!("{lo:.0}..{hi:.0}")
    }
}

/// The prefixed Gauss-Kruger CRS for eastings `lo..hi` if they all carry the same valid zone
/// prefix (13–23: 6° zones; 25–45: 3° zones).
fn prefixed_zone(lo: f64, hi: f64) -> Option<Crs> {
    if lo < 1e7 {
        return None;
    }
    let (z1, z2) = ((lo / 1e6).floor(), (hi / 1e6).floor());
    if z1 != z2 {
        return None;
    }
    let zone = z1 as u32;
    match zone {
        13..=23 => epsg::gauss_kruger(6, zone * 6 - 3, true).ok(),
        25..=45 => epsg::gauss_kruger(3, zone * 3, true).ok(),
        _ => None,
    }
}

pub(crate) fn check_coordinates(crs: &Crs, extent: [f64; 4]) -> Result<(), CrsError> {
    let [min_x, min_y, max_x, max_y] = extent;
    if extent.iter().any(|v| v.is_nan()) {
        return Err(implausible(
            "some coordinates are not numbers (NaN)".into(),
            None,
        ));
    }
    if min_x > max_x || min_y > max_y {
        return Ok(()); // nothing to check
    }
    if extent.iter().any(|v| v.is_infinite()) {
        return Err(implausible("some coordinates are infinite".into(), None));
    }
    let xs = range(min_x, max_x);
    let ys = range(min_y, max_y);
    let degrees_like = min_x >= -180.0 && max_x <= 180.0 && min_y >= -90.0 && max_y <= 90.0;
    if let Crs::Geographic { .. } = crs {
        if degrees_like {
            return Ok(());
        }
        let (what, likely) = guess_projected(min_x, min_y, max_x, max_y);
        return Err(implausible(
            format!(
                "{crs} has longitudes and latitudes in degrees, but x runs {xs} and y {ys}, \
                 beyond ±180 / ±90: {what}"
            ),
            likely,
        ));
    }
    if degrees_like {
        let datum = crs.datum();
        let mut problem = format!(
            "{crs} has coordinates in metres, but x runs {xs} and y {ys}: they look like \
             longitudes and latitudes in degrees"
        );
        if datum == Datum::Cgcs2000 && min_x >= 73.0 && max_x <= 136.5 {
            let cm = (((min_x + max_x) / 2.0 / 3.0).round() * 3.0) as u32;
            let own_zone =
                matches!(*crs, Crs::GaussKruger { central_meridian, .. } if central_meridian == cm);
            if let (false, Ok(gk)) = (own_zone, epsg::gauss_kruger(3, cm, false)) {
                problem.push_str(&format!(
                    " (projected, they would be in the 3-degree zone of central meridian {cm}E, \
                     {gk})"
                ));
            }
        }
        return Err(implausible(problem, Some(Crs::Geographic { datum })));
    }
    match *crs {
        Crs::Geographic { .. } => Ok(()),
        Crs::GaussKruger {
            zone_width,
            central_meridian,
            zone,
            prefixed,
            ..
        } => {
            let fe = crs.false_easting();
            let limit = easting_limit(zone_width);
            let x_ok = min_x >= fe - limit && max_x <= fe + limit;
            let y_ok = min_y >= -NORTHING_LIMIT && max_y <= NORTHING_LIMIT;
            if x_ok && y_ok {
                return Ok(());
            }
            // The survey writes X for the northing: x and y swapped?
            let y_as_easting = (min_y >= fe - limit && max_y <= fe + limit)
                || prefixed_zone(min_y, max_y).is_some();
            if !x_ok && y_as_easting && min_x >= -NORTHING_LIMIT && max_x <= NORTHING_LIMIT {
                return Err(implausible(
                    format!(
                        "x runs {xs} and y {ys}: x and y look swapped (the survey's X is the \
                         northing, but a GIS's x must be the easting); swap them before use"
                    ),
                    None,
                ));
            }
            if !x_ok {
                let here = prefixed_zone(min_x, max_x);
                if !prefixed && min_x >= 1e7 {
                    let mut problem =
                        format!("the eastings {xs} carry a zone-number prefix, but {crs} has none");
                    if let Some(Crs::GaussKruger {
                        central_meridian: cm,
                        zone: z,
                        ..
                    }) = here
                    {
                        if cm != central_meridian {
                            problem.push_str(&format!(
                                ", and their zone {z} has central meridian {cm}E, not \
                                 {central_meridian}E"
                            ));
                        }
                    }
                    return Err(implausible(problem, here));
                }
                if prefixed && min_x > -1e6 && max_x < 2e6 {
                    return Err(implausible(
                        format!(
                            "the eastings {xs} have no zone-number prefix, but {crs} expects \
                             them to start with {zone} ({fe:.0} on the central meridian)"
                        ),
                        epsg::gauss_kruger(zone_width, central_meridian, false).ok(),
                    ));
                }
                if prefixed && here.is_some_and(|h| h != *crs) {
                    return Err(implausible(
                        format!(
                            "the eastings {xs} carry a different zone number than {crs}'s {zone}"
                        ),
                        here,
                    ));
                }
                let off = (min_x - fe).abs().max((max_x - fe).abs()) / 1000.0;
                return Err(implausible(
                    format!(
                        "the eastings {xs} reach {off:.0} km from the central meridian \
                         {central_meridian}E (false easting {fe:.0}); a {zone_width}-degree zone \
                         spans about ±{} km, so {crs} is probably not the data's CRS (wrong zone?)",
                        if zone_width == 3 { 170 } else { 340 }
                    ),
                    None,
                ));
            }
            Err(implausible(
                format!("the northings {ys} are beyond the poles (±10 002 km) for {crs}"),
                None,
            ))
        }
        Crs::Utm { .. } => {
            if min_x >= 1e7 {
                let here = prefixed_zone(min_x, max_x);
                return Err(implausible(
                    format!(
                        "the eastings {xs} look like Chinese Gauss-Kruger eastings with a zone \
                         prefix, not {crs}"
                    ),
                    here,
                ));
            }
            let limit = easting_limit(6);
            if min_x < 500_000.0 - limit || max_x > 500_000.0 + limit {
                return Err(implausible(
                    format!("the eastings {xs} are outside any UTM zone's range for {crs}"),
                    None,
                ));
            }
            if min_y < -100_000.0 || max_y > 10_100_000.0 {
                return Err(implausible(
                    format!("the northings {ys} are outside UTM's range (0..10 000 km)"),
                    None,
                ));
            }
            Ok(())
        }
        Crs::WebMercator => {
            // x = R·λ reaches ±20 037 508 m at ±180°; y the same at ±85.05°.
            const LIMIT: f64 = 20_037_509.0;
            if min_x < -LIMIT || max_x > LIMIT || min_y < -LIMIT || max_y > LIMIT {
                let (what, likely) = guess_projected(min_x, min_y, max_x, max_y);
                return Err(implausible(
                    format!("x runs {xs} and y {ys}, beyond Web Mercator's ±20 037 509 m: {what}"),
                    likely,
                ));
            }
            Ok(())
        }
    }
}

/// What metres-like coordinates probably are, for messages.
fn guess_projected(min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> (String, Option<Crs>) {
    if let Some(crs) = prefixed_zone(min_x, max_x) {
        return (
            "the eastings carry a Gauss-Kruger zone-number prefix".to_string(),
            Some(crs),
        );
    }
    let northing_china = min_y >= 0.0 && max_y <= 6_500_000.0;
    if min_x > 0.0 && max_x < 1_200_000.0 && northing_china {
        return (
            "they look like Gauss-Kruger metres without a zone prefix (EPSG:4534-4554 for \
             3-degree zones, 4502-4512 for 6-degree zones; the central meridian cannot be told \
             from the coordinates alone)"
                .to_string(),
            None,
        );
    }
    if min_x >= 8_000_000.0 && max_x <= 15_100_000.0 && northing_china {
        return (
            "they look like Web Mercator metres".to_string(),
            Some(Crs::WebMercator),
        );
    }
    ("they look like projected metres".to_string(), None)
}
