//! EPSG codes and names: which code is which CRS, and the reverse.
//!
//! The CGCS2000 Gauss-Kruger codes, as `projinfo EPSG:NNNN -o PROJ` (PROJ 9.1.1)
//! defines them — every one is `+proj=tmerc +lat_0=0 +k=1 +y_0=0 +ellps=GRS80`:
//!
//! | codes      | zones | prefix | central meridian          | false easting           |
//! |------------|-------|--------|---------------------------|-------------------------|
//! | 4491–4501  | 6°    | yes    | 75..135 step 6 (zone 13–23) | zone × 10⁶ + 500 000  |
//! | 4502–4512  | 6°    | no     | 75..135 step 6            | 500 000                 |
//! | 4513–4533  | 3°    | yes    | 75..135 step 3 (zone 25–45) | zone × 10⁶ + 500 000  |
//! | 4534–4554  | 3°    | no     | 75..135 step 3            | 500 000                 |
//!
//! A 6° zone number is (CM + 3) / 6, a 3° one CM / 3. Note that a 6° no-prefix CRS and the 3°
//! no-prefix CRS with the same central meridian (e.g. 4507 and 4544, both CM 105E) are the same
//! projection: only their names and areas of use differ.

use super::{Crs, CrsError, Datum};

/// The legacy datums tuban refuses, by EPSG code ranges (from `projinfo --list-crs
/// allow_deprecated`, names starting `Xian 1980`, `Beijing 1954`, `New Beijing`).
const LEGACY: &[(u32, u32, &str)] = &[
    (2327, 2390, "Xian 1980"),
    (4610, 4610, "Xian 1980"),
    (2401, 2442, "Beijing 1954"),
    (4214, 4214, "Beijing 1954"),
    (21413, 21423, "Beijing 1954"),
    (21453, 21463, "Beijing 1954"),
    (21473, 21483, "Beijing 1954"),
    (4555, 4555, "New Beijing"),
    (4568, 4589, "New Beijing"),
    (4652, 4656, "New Beijing"),
    (4766, 4800, "New Beijing"),
    (4812, 4812, "New Beijing"),
    (4822, 4822, "New Beijing"),
];

/// The legacy datum of an EPSG code, if it is one.
pub(crate) fn legacy_datum(code: u32) -> Option<&'static str> {
    LEGACY
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
        .map(|(_, _, d)| *d)
}

const KNOWN: &str = "tuban knows CGCS2000 (EPSG:4490), CGCS2000 / Gauss-Kruger (EPSG:4491-4554), \
                     WGS 84 (EPSG:4326), WGS 84 / UTM (EPSG:32601-32660, 32701-32760) and \
                     Web Mercator (EPSG:3857)";

pub(crate) fn from_epsg(code: u32) -> Result<Crs, CrsError> {
    let gk = |zone_width: u8, central_meridian: u32, prefixed: bool| {
        let zone = if zone_width == 3 {
            central_meridian / 3
        } else {
            (central_meridian + 3) / 6
        };
        Ok(Crs::GaussKruger {
            zone_width,
            central_meridian,
            zone,
            prefixed,
            epsg: code,
        })
    };
    match code {
        4490 => Ok(Crs::Geographic {
            datum: Datum::Cgcs2000,
        }),
        4326 => Ok(Crs::Geographic {
            datum: Datum::Wgs84,
        }),
        4491..=4501 => gk(6, 75 + 6 * (code - 4491), true),
        4502..=4512 => gk(6, 75 + 6 * (code - 4502), false),
        4513..=4533 => gk(3, 75 + 3 * (code - 4513), true),
        4534..=4554 => gk(3, 75 + 3 * (code - 4534), false),
        32601..=32660 => Ok(Crs::Utm {
            zone: (code - 32600) as u8,
            north: true,
        }),
        32701..=32760 => Ok(Crs::Utm {
            zone: (code - 32700) as u8,
            north: false,
        }),
        3857 => Ok(Crs::WebMercator),
        _ => match legacy_datum(code) {
            Some(datum) => Err(CrsError::LegacyDatum {
                datum: datum.to_string(),
                found: format!("EPSG:{code}"),
            }),
            None => Err(CrsError::unrecognised(format!(
                "EPSG:{code} is not a coordinate system tuban supports ({KNOWN})"
            ))),
        },
    }
}

pub(crate) fn gauss_kruger(
    zone_width: u8,
    central_meridian: u32,
    prefixed: bool,
) -> Result<Crs, CrsError> {
    let in_range = (75..=135).contains(&central_meridian);
    let code = match zone_width {
        3 if in_range && central_meridian.is_multiple_of(3) => {
            let i = (central_meridian - 75) / 3;
            if prefixed {
                4513 + i
            } else {
                4534 + i
            }
        }
        6 if in_range && (central_meridian - 75).is_multiple_of(6) => {
            let i = (central_meridian - 75) / 6;
            if prefixed {
                4491 + i
            } else {
                4502 + i
            }
        }
        _ => {
            return Err(CrsError::unrecognised(format!(
                "there is no CGCS2000 {zone_width}-degree Gauss-Kruger zone with central meridian \
                 {central_meridian}E (3-degree zones have central meridians 75E, 78E, ..., 135E; \
                 6-degree zones 75E, 81E, ..., 135E)"
            )))
        }
    };
    from_epsg(code)
}

pub(crate) fn name(crs: &Crs) -> String {
    match *crs {
        Crs::Geographic {
            datum: Datum::Cgcs2000,
        } => "China Geodetic Coordinate System 2000".to_string(),
        Crs::Geographic {
            datum: Datum::Wgs84,
        } => "WGS 84".to_string(),
        Crs::GaussKruger {
            zone_width,
            central_meridian,
            zone,
            prefixed,
            ..
        } => {
            let width = if zone_width == 3 { "3-degree " } else { "" };
            if prefixed {
                format!("CGCS2000 / {width}Gauss-Kruger zone {zone}")
            } else {
                format!("CGCS2000 / {width}Gauss-Kruger CM {central_meridian}E")
            }
        }
        Crs::Utm { zone, north } => {
            format!("WGS 84 / UTM zone {zone}{}", if north { 'N' } else { 'S' })
        }
        Crs::WebMercator => "WGS 84 / Pseudo-Mercator".to_string(),
    }
}

/// `EPSG:4544`, `4544`, `urn:ogc:def:crs:EPSG::4544`, `urn:ogc:def:crs:EPSG:6.3:4544`,
/// `http://www.opengis.net/def/crs/EPSG/0/4544`, CRS84 names.
pub(crate) fn from_name(text: &str) -> Result<Crs, CrsError> {
    let t = text.trim().to_ascii_lowercase();
    let crs84 = [
        "crs84",
        "ogc:crs84",
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
        "http://www.opengis.net/def/crs/ogc/1.3/crs84",
        "https://www.opengis.net/def/crs/ogc/1.3/crs84",
    ];
    if crs84.contains(&t.as_str()) {
        return Ok(Crs::Geographic {
            datum: Datum::Wgs84,
        });
    }
    let code = if let Some(rest) = t.strip_prefix("urn:ogc:def:crs:epsg:") {
        // urn:ogc:def:crs:EPSG:{version}:{code}; the version may be empty.
        rest.rsplit_once(':').map(|(_, c)| c)
    } else if let Some(rest) = t
        .strip_prefix("http://www.opengis.net/def/crs/epsg/")
        .or_else(|| t.strip_prefix("https://www.opengis.net/def/crs/epsg/"))
    {
        rest.rsplit_once('/').map(|(_, c)| c)
    } else if let Some(rest) = t.strip_prefix("epsg:") {
        Some(rest)
    } else {
        Some(t.as_str())
    };
    match code.map(str::trim).and_then(|c| c.parse::<u32>().ok()) {
        Some(code) => from_epsg(code),
        None => Err(CrsError::unrecognised(format!(
            "'{}' is not a coordinate system name tuban understands (write EPSG:4544, 4544, \
             urn:ogc:def:crs:EPSG::4544 or a WKT text)",
            text.trim()
        ))),
    }
}

/// ESRI-flavoured WKT1, byte for byte what GDAL 3.6 (`gdalsrsinfo -o wkt_esri`) writes.
pub(crate) fn esri_wkt(crs: &Crs) -> String {
    const CGCS2000_GEOGCS: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const WGS84_GEOGCS: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    let tm = |name: String, geogcs: &str, fe: f64, fn_: f64, cm: f64, k: f64, method: &str| {
        format!(
            r#"PROJCS["{name}",{geogcs},PROJECTION["{method}"],PARAMETER["False_Easting",{fe:?}],PARAMETER["False_Northing",{fn_:?}],PARAMETER["Central_Meridian",{cm:?}],PARAMETER["Scale_Factor",{k:?}],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#
        )
    };
    match *crs {
        Crs::Geographic {
            datum: Datum::Cgcs2000,
        } => CGCS2000_GEOGCS.to_string(),
        Crs::Geographic {
            datum: Datum::Wgs84,
        } => WGS84_GEOGCS.to_string(),
        Crs::GaussKruger {
            zone_width,
            central_meridian,
            zone,
            prefixed,
            ..
        } => {
            let width = if zone_width == 3 { "3_Degree_" } else { "" };
            let name = if prefixed {
                format!("CGCS2000_{width}GK_Zone_{zone}")
            } else {
                format!("CGCS2000_{width}GK_CM_{central_meridian}E")
            };
            let fe = crs.false_easting();
            tm(
                name,
                CGCS2000_GEOGCS,
                fe,
                0.0,
                f64::from(central_meridian),
                1.0,
                "Gauss_Kruger",
            )
        }
        Crs::Utm { zone, north } => tm(
            format!("WGS_1984_UTM_Zone_{zone}{}", if north { 'N' } else { 'S' }),
            WGS84_GEOGCS,
            500_000.0,
            if north { 0.0 } else { 10_000_000.0 },
            6.0 * f64::from(zone) - 183.0,
            0.9996,
            "Transverse_Mercator",
        ),
        Crs::WebMercator => format!(
            r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",{WGS84_GEOGCS},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gauss_kruger_code_round_trips() {
        for code in 4491..=4554 {
            let crs = from_epsg(code).unwrap();
            let Crs::GaussKruger {
                zone_width,
                central_meridian,
                prefixed,
                ..
            } = crs
            else {
                panic!("{code}")
            };
            assert_eq!(
                gauss_kruger(zone_width, central_meridian, prefixed).unwrap(),
                crs
            );
        }
    }
}
