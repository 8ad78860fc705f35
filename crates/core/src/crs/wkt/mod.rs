//! Recognising a CRS from WKT: ESRI WKT1 (ArcGIS `.prj`), OGC WKT1 (GDAL) and WKT2.
//!
//! The text is parsed into a tree, the facts that define a CRS are pulled out of it (ellipsoid,
//! datum name, prime meridian, angular and linear units, projection method and parameters,
//! `AUTHORITY`/`ID`), and the CRS is decided from those facts — never from the name alone. The
//! name and the authority code are then checked against the parameters. Where they disagree the
//! parameters win, because they are what every GIS projects with, and [`Recognised::how`] says
//! so.
//!
//! `parse` turns the text into a tree of nodes, `facts` pulls the facts out of the tree, and
//! this module decides the CRS from the facts ([`recognise`]) and checks the name against them.

mod facts;
mod parse;

use super::epsg;
use super::{Crs, CrsError, Datum, Ellipsoid, Recognised};

use facts::{degrees_per_unit, facts, horizontal, Facts, CM, FE, FN, K0, LAT0};
use parse::{normalise, parse, squash};

/// Which of the refused datums the facts name, if any.
fn legacy(f: &Facts) -> Option<&'static str> {
    if let Some((auth, code)) = &f.authority {
        if auth.eq_ignore_ascii_case("EPSG") {
            if let Some(d) = code.parse().ok().and_then(epsg::legacy_datum) {
                return Some(d);
            }
        }
    }
    let names = [&f.name, &f.geog_name, &f.datum_name, &f.ellipsoid_name]
        .iter()
        .map(|n| normalise(n))
        .collect::<Vec<_>>()
        .join(" ");
    if names.contains("new_beijing") {
        return Some("New Beijing");
    }
    if names.contains("xian") || names.contains("xi_an") || names.contains("西安") {
        return Some("Xian 1980");
    }
    if names.contains("beijing") || names.contains("北京") {
        return Some("Beijing 1954");
    }
    match f.ellipsoid {
        Some(e) if e.matches(&Ellipsoid::IAG_75) => Some("Xian 1980"),
        Some(e) if e.matches(&Ellipsoid::KRASOVSKY_1940) => Some("Beijing 1954"),
        _ => None,
    }
}

/// Datums that share the GRS 1980 ellipsoid with CGCS2000 but are not it (normalised name
/// fragments).
const OTHER_GRS80_DATUMS: &[&str] = &[
    "north_american",
    "nad83",
    "nad_1983",
    "etrs",
    "european_terrestrial",
    "gda",
    "geocentric_datum_of_australia",
    "sirgas",
    "rgf",
    "reseau_geodesique",
    "nzgd",
    "new_zealand",
    "jgd",
    "japanese",
    "korea",
    "twd",
    "taiwan",
    "hartebeesthoek",
    "posgar",
];

/// The datum, with a note when it was taken from the ellipsoid alone.
fn datum(f: &Facts) -> Result<(Datum, String), String> {
    let names = format!("{} {}", normalise(&f.datum_name), normalise(&f.geog_name));
    let says_cgcs = ["china_2000", "cgcs", "china_geodetic", "中国"]
        .iter()
        .any(|s| names.contains(s));
    let says_wgs84 = ["wgs_84", "wgs_1984", "wgs84", "world_geodetic_system_1984"]
        .iter()
        .any(|s| names.contains(s));
    match f.ellipsoid {
        None if says_cgcs => Ok((Datum::Cgcs2000, "datum named, no ellipsoid given".into())),
        None if says_wgs84 => Ok((Datum::Wgs84, "datum named, no ellipsoid given".into())),
        None => Err(format!(
            "the WKT gives no ellipsoid and its datum '{}' is not one tuban knows",
            f.datum_name
        )),
        Some(e) if e.matches(&Ellipsoid::CGCS2000) => {
            if OTHER_GRS80_DATUMS.iter().any(|s| names.contains(s)) {
                Err(format!(
                    "the datum '{}' is not CGCS2000, although it shares its ellipsoid (GRS 1980); \
                     tuban works in CGCS2000 only",
                    f.datum_name
                ))
            } else if says_cgcs {
                Ok((Datum::Cgcs2000, String::new()))
            } else {
                Ok((
                    Datum::Cgcs2000,
                    format!(
                        "datum '{}' taken as CGCS2000: its ellipsoid is CGCS2000's",
                        f.datum_name
                    ),
                ))
            }
        }
        Some(e) if e.matches(&Ellipsoid::WGS84) => Ok((Datum::Wgs84, String::new())),
        Some(e) => Err(format!(
            "the ellipsoid '{}' (a = {}, 1/f = {}) is not one tuban knows (CGCS2000 or WGS 84)",
            f.ellipsoid_name,
            e.a,
            e.inverse_flattening()
        )),
    }
}

/// What a CRS name says: zone width, central meridian, zone number.
#[derive(Debug, Default, PartialEq)]
struct NameHint {
    width: Option<u8>,
    cm: Option<u32>,
    zone: Option<u32>,
}

/// The number right after `key` (optionally after a `_`) in a normalised name.
fn number_after(name: &str, key: &str) -> Option<u32> {
    name.match_indices(key).find_map(|(i, _)| {
        let rest = &name[i + key.len()..];
        let rest = rest.strip_prefix('_').unwrap_or(rest);
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().ok()
    })
}

fn name_hint(name: &str) -> NameHint {
    let n = normalise(name);
    let width = if ["3_degree", "3degree", "3_deg_", "3度"]
        .iter()
        .any(|s| n.contains(s))
    {
        Some(3)
    } else if ["6_degree", "6degree", "6度"].iter().any(|s| n.contains(s))
        || n.starts_with("cgcs2000_gk_")
        || n.starts_with("cgcs2000_gauss_kruger_")
    {
        // EPSG and ESRI name 6-degree zones without a width: "CGCS2000 / Gauss-Kruger CM 75E".
        Some(6)
    } else {
        None
    };
    // "cm_105e" in EPSG/ESRI names; guard against "cm" inside a word by requiring a separator
    // or the start before it.
    let cm = n
        .match_indices("cm")
        .filter(|(i, _)| *i == 0 || n.as_bytes()[i - 1] == b'_')
        .find_map(|(i, _)| number_after(&n[i..], "cm"));
    NameHint {
        width,
        cm,
        zone: number_after(&n, "zone"),
    }
}

/// Is `x` (nearly) the integer `k`? Parameters print as `105.0` or `105`; allow for a WKT writer
/// that printed `104.99999999999999`.
fn near(x: f64, k: f64) -> bool {
    (x - k).abs() <= 1e-9 * k.abs().max(1.0)
}

/// A CRS decided from the parameters, with a description of what was checked and any notes.
struct Decision {
    crs: Crs,
    checked: String,
    notes: Vec<String>,
}

/// Decide the CRS from the facts alone (plus the name, only to tell 3° from 6° where the
/// parameters cannot).
fn decide(f: &Facts, hint: &NameHint) -> Result<Decision, String> {
    let (datum, datum_note) = datum(f)?;
    let mut notes = Vec::new();
    if !datum_note.is_empty() {
        notes.push(datum_note);
    }
    if f.prime_meridian != 0.0 {
        return Err(format!(
            "the prime meridian is {} (not Greenwich)",
            f.prime_meridian
        ));
    }
    if !f.projected {
        if degrees_per_unit(f.angular_unit) != 1.0 {
            return Err(format!(
                "the angular unit is {} radians, not the degree",
                f.angular_unit
            ));
        }
        return Ok(Decision {
            crs: Crs::Geographic { datum },
            checked: format!("{} ellipsoid, degrees, Greenwich", datum.name()),
            notes,
        });
    }
    if let Some((name, m)) = &f.linear_unit {
        if !near(*m, 1.0) {
            return Err(format!("the linear unit is {name} ({m} m), not the metre"));
        }
    }
    let method = squash(&f.method);
    if method.is_empty() {
        return Err("the WKT names no projection method".into());
    }
    let is_tm = matches!(
        method.as_str(),
        "gausskruger" | "transversemercator" | "tmerc" | "gausskrugertransversemercator"
    );
    let is_web = matches!(
        method.as_str(),
        "mercatorauxiliarysphere" | "popularvisualisationpseudomercator" | "pseudomercator"
    ) || ((method == "mercator1sp" || method == "mercator")
        && (f.proj4.contains("+a=6378137") && f.proj4.contains("+b=6378137")
            || f.ellipsoid.is_some_and(|e| e.a == 6378137.0 && e.f == 0.0)));
    let p = |names: &[&str], default: f64| f.param(names).unwrap_or(default);
    let (cm, lat0, k0, fe, fn_) = (
        f.param(CM),
        p(LAT0, 0.0),
        p(K0, 1.0),
        p(FE, 0.0),
        p(FN, 0.0),
    );
    if is_web {
        let aux = f.param(&["auxiliaryspheretype"]).unwrap_or(0.0);
        if datum != Datum::Wgs84
            || aux != 0.0
            || !near(cm.unwrap_or(0.0), 0.0)
            || fe != 0.0
            || fn_ != 0.0
        {
            return Err(format!(
                "'{}' is a Mercator variant with parameters other than Web Mercator's",
                f.method
            ));
        }
        return Ok(Decision {
            crs: Crs::WebMercator,
            checked: format!("{}, WGS 84, central meridian 0, no false origin", f.method),
            notes,
        });
    }
    if !is_tm {
        let hint = if method.starts_with("mercator") {
            " (only Web Mercator, EPSG:3857, is supported among Mercator projections)"
        } else {
            ""
        };
        return Err(format!(
            "the projection '{}' is not one tuban knows (Gauss-Kruger / transverse Mercator, Web \
             Mercator){hint}",
            f.method
        ));
    }
    let cm = cm.ok_or("the transverse Mercator WKT gives no central meridian")?;
    if !near(lat0, 0.0) {
        return Err(format!("the latitude of origin is {lat0}, not the equator"));
    }
    let checked = format!(
        "{} on the {} ellipsoid, central meridian {cm}, scale {k0}, false easting {fe}, false \
         northing {fn_}",
        f.method,
        datum.name()
    );
    let crs = match datum {
        Datum::Cgcs2000 => gauss_kruger(cm, k0, fe, fn_, hint, &mut notes)?,
        Datum::Wgs84 => utm(cm, k0, fe, fn_)?,
    };
    Ok(Decision {
        crs,
        checked,
        notes,
    })
}

/// CGCS2000 transverse Mercator → one of EPSG:4491–4554.
fn gauss_kruger(
    cm: f64,
    k0: f64,
    fe: f64,
    fn_: f64,
    hint: &NameHint,
    notes: &mut Vec<String>,
) -> Result<Crs, String> {
    if !near(k0, 1.0) {
        return Err(format!(
            "the scale factor is {k0}; CGCS2000 Gauss-Kruger has 1 (a scale of 0.9996 would be \
             UTM, which tuban supports on WGS 84 only)"
        ));
    }
    if !near(fn_, 0.0) {
        return Err(format!(
            "the false northing is {fn_}; CGCS2000 Gauss-Kruger has 0"
        ));
    }
    let cmi = cm.round();
    if !near(cm, cmi) || !(75.0..=135.0).contains(&cmi) || !(cmi as u32).is_multiple_of(3) {
        return Err(format!(
            "the central meridian {cm} is not one of a CGCS2000 Gauss-Kruger zone (75E, 78E, \
             ..., 135E)"
        ));
    }
    let cm = cmi as u32;
    let six_ok = (cm - 75).is_multiple_of(6);
    let prefix = fe - 500_000.0;
    let zone = (prefix / 1e6).round();
    if near(fe, 500_000.0) {
        // No prefix: 3° and 6° zones with this central meridian are the same projection.
        let width = match hint.width {
            Some(6) if six_ok => 6,
            Some(6) => {
                notes.push(format!(
                    "the name says 6-degree zones but {cm}E is a 3-degree central meridian only"
                ));
                3
            }
            Some(w) => w,
            None if six_ok => {
                notes.push(format!(
                    "3-degree zone assumed; the 6-degree CRS with central meridian {cm}E \
                     (EPSG:{}) is the same projection",
                    epsg::gauss_kruger(6, cm, false).map_or(0, |c| c.epsg())
                ));
                3
            }
            None => 3,
        };
        return epsg::gauss_kruger(width, cm, false).map_err(|e| e.to_string());
    }
    if !near(prefix, zone * 1e6) || zone < 1.0 {
        return Err(format!(
            "the false easting {fe} is neither 500000 nor a zone number × 1000000 + 500000"
        ));
    }
    let zone = zone as u32;
    if (25..=45).contains(&zone) && zone * 3 == cm {
        epsg::gauss_kruger(3, cm, true).map_err(|e| e.to_string())
    } else if (13..=23).contains(&zone) && zone * 6 - 3 == cm {
        epsg::gauss_kruger(6, cm, true).map_err(|e| e.to_string())
    } else {
        Err(format!(
            "the false easting {fe} says zone {zone}, but zone {zone} does not have central \
             meridian {cm}E (3-degree zone {} and 6-degree zone {} do)",
            cm / 3,
            (cm + 3) / 6
        ))
    }
}

/// WGS 84 transverse Mercator → WGS 84 / UTM.
fn utm(cm: f64, k0: f64, fe: f64, fn_: f64) -> Result<Crs, String> {
    let zone = (cm + 183.0) / 6.0;
    let zi = zone.round();
    if !near(k0, 0.9996) || !near(fe, 500_000.0) || !near(zone, zi) || !(1.0..=60.0).contains(&zi) {
        return Err(format!(
            "transverse Mercator on WGS 84 with central meridian {cm}, scale {k0}, false easting \
             {fe} is not UTM, and tuban supports Gauss-Kruger on CGCS2000 only"
        ));
    }
    let north = if near(fn_, 0.0) {
        true
    } else if near(fn_, 10_000_000.0) {
        false
    } else {
        return Err(format!(
            "the false northing {fn_} is not UTM's (0 or 10000000)"
        ));
    };
    Ok(Crs::Utm {
        zone: zi as u8,
        north,
    })
}

/// Same coordinates? (EPSG:4507 and 4544 are the same projection under different names.)
fn same_projection(a: &Crs, b: &Crs) -> bool {
    match (a, b) {
        (
            Crs::GaussKruger {
                central_meridian: c1,
                prefixed: false,
                ..
            },
            Crs::GaussKruger {
                central_meridian: c2,
                prefixed: false,
                ..
            },
        ) => c1 == c2,
        _ => a == b,
    }
}

/// Does `name` say the same as `crs`, e.g. `CGCS2000_3_Degree_GK_CM_105E` for EPSG:4544?
fn standard_name(name: &str, crs: &Crs) -> Option<&'static str> {
    let n = normalise(name);
    if n == normalise(&crs.name()) {
        return Some("EPSG");
    }
    let esri = crs.to_esri_wkt();
    let esri_name = esri.split('"').nth(1).unwrap_or("");
    (n == normalise(esri_name)).then_some("ESRI WKT")
}

/// Recognise a WKT text.
pub(crate) fn recognise(text: &str) -> Result<Recognised, CrsError> {
    let text = text
        .trim_start_matches('\u{feff}')
        .trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if text.is_empty() {
        return Err(CrsError::unrecognised("the CRS text (.prj) is empty"));
    }
    let root = parse(text).map_err(|e| {
        CrsError::unrecognised(format!("the CRS text is not WKT that tuban can read: {e}"))
    })?;
    let root = horizontal(&root)?;
    let f = facts(root)?;
    let shown_name = if f.name.is_empty() {
        "(unnamed)"
    } else {
        f.name.as_str()
    };
    if let Some(datum) = legacy(&f) {
        return Err(CrsError::LegacyDatum {
            datum: datum.to_string(),
            found: format!("'{shown_name}'"),
        });
    }
    let authority = f.authority.as_ref().and_then(|(auth, code)| {
        if auth.eq_ignore_ascii_case("EPSG") {
            code.parse::<u32>().ok()
        } else {
            None
        }
    });
    let hint = name_hint(&f.name);
    let decided = decide(&f, &hint);
    match (decided, authority) {
        (Ok(mut d), Some(code)) => {
            let auth_crs = epsg::from_epsg(code).ok();
            match auth_crs {
                Some(a) if a == d.crs => {}
                Some(a) if same_projection(&a, &d.crs) => {
                    // The authority settles 3° versus 6°: no assumption was needed.
                    d.crs = a;
                    d.notes.retain(|n| !n.starts_with("3-degree zone assumed"));
                }
                _ => d.notes.push(format!(
                    "the WKT's AUTHORITY says EPSG:{code}, which disagrees; the parameters define \
                     the projection, so they win"
                )),
            }
            let mut how = if d.crs.epsg() == code {
                format!("AUTHORITY EPSG:{code}, parameters checked ({})", d.checked)
            } else {
                format!("parameters ({})", d.checked)
            };
            for n in &d.notes {
                how.push_str("; ");
                how.push_str(n);
            }
            Ok(Recognised { crs: d.crs, how })
        }
        (Ok(d), None) => {
            let mut how = match standard_name(&f.name, &d.crs) {
                Some(kind) => format!("{kind} name {}, parameters checked ({})", f.name, d.checked),
                None => {
                    let mut s = format!("parameters ({})", d.checked);
                    if let Some(disagree) = name_disagrees(&hint, &d.crs) {
                        s.push_str(&format!(
                            "; the name '{}' {disagree}, which disagrees; the parameters define \
                             the projection, so they win",
                            f.name
                        ));
                    } else {
                        s.push_str(&format!("; name '{shown_name}'"));
                    }
                    s
                }
            };
            for n in &d.notes {
                how.push_str("; ");
                how.push_str(n);
            }
            Ok(Recognised { crs: d.crs, how })
        }
        (Err(why), Some(code)) if (f.projected && f.method.is_empty()) || f.ellipsoid.is_none() => {
            // Too little structure to check: take the authority's word for it.
            let crs = epsg::from_epsg(code)?;
            Ok(Recognised {
                crs,
                how: format!("AUTHORITY EPSG:{code} (the WKT itself is incomplete: {why})"),
            })
        }
        (Err(why), _) => Err(CrsError::unrecognised(format!(
            "the CRS '{shown_name}' is not one tuban can use: {why}"
        ))),
    }
}

/// What the name says that the CRS contradicts, if anything.
fn name_disagrees(hint: &NameHint, crs: &Crs) -> Option<String> {
    if let Crs::GaussKruger {
        central_meridian,
        zone,
        prefixed,
        ..
    } = *crs
    {
        if let Some(cm) = hint.cm {
            if cm != central_meridian {
                return Some(format!("says central meridian {cm}E"));
            }
        }
        if let Some(z) = hint.zone {
            if !prefixed {
                return Some(format!(
                    "says zone {z} (prefixed eastings) but the false easting has no prefix"
                ));
            }
            if z != zone {
                return Some(format!("says zone {z}"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_hints() {
        assert_eq!(
            name_hint("CGCS2000_3_Degree_GK_CM_105E"),
            NameHint {
                width: Some(3),
                cm: Some(105),
                zone: None
            }
        );
        assert_eq!(
            name_hint("CGCS2000 / Gauss-Kruger zone 18"),
            NameHint {
                width: Some(6),
                cm: None,
                zone: Some(18)
            }
        );
        assert_eq!(name_hint("my projection"), NameHint::default());
    }
}
