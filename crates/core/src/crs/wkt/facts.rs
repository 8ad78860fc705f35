//! The facts that define a CRS, pulled out of the WKT tree: ellipsoid, datum, prime meridian,
//! units, projection method and parameters (in degrees and metres), authority code.

use std::f64::consts::PI;

use super::parse::{squash, Item, Node};
use crate::crs::{CrsError, Ellipsoid};

/// The facts of a CRS pulled out of the WKT tree.
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub(super) projected: bool,
    pub(super) name: String,
    pub(super) geog_name: String,
    pub(super) datum_name: String,
    pub(super) ellipsoid_name: String,
    pub(super) ellipsoid: Option<Ellipsoid>,
    /// Prime meridian longitude in its unit (only zero matters).
    pub(super) prime_meridian: f64,
    /// Radians per angular unit.
    pub(super) angular_unit: f64,
    /// Projection method name as written.
    pub(super) method: String,
    /// Projection parameters: squashed name, value in degrees / metres / unity.
    params: Vec<(String, f64)>,
    /// Linear unit name and metres per unit.
    pub(super) linear_unit: Option<(String, f64)>,
    /// Root `AUTHORITY`/`ID`: (authority, code).
    pub(super) authority: Option<(String, String)>,
    /// The PROJ.4 string of an `EXTENSION["PROJ4", ...]` node.
    pub(super) proj4: String,
}

const PROJECTED: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];
const GEOGRAPHIC: &[&str] = &[
    "GEOGCS",
    "GEOGCRS",
    "GEOGRAPHICCRS",
    "GEODCRS",
    "GEODETICCRS",
    "BASEGEOGCRS",
    "BASEGEODCRS",
];
const DEGREE: f64 = PI / 180.0;

/// Degrees per angular unit of `radians_per_unit` radians. WKT prints the degree as
/// 0.0174532925199433, 1.7e-17 short of π/180; taken literally it turns a central meridian of
/// 105 into 105.00000000000001, so anything within 1e-12 of the degree is the degree.
pub(super) fn degrees_per_unit(radians_per_unit: f64) -> f64 {
    let r = radians_per_unit / DEGREE;
    if (r - 1.0).abs() < 1e-12 {
        1.0
    } else {
        r
    }
}

impl Facts {
    pub(super) fn param(&self, names: &[&str]) -> Option<f64> {
        self.params
            .iter()
            .find(|(n, _)| names.contains(&n.as_str()))
            .map(|(_, v)| *v)
    }
}

/// Unwrap `BOUNDCRS` (take its source CRS) and compound CRSs (take the horizontal part).
pub(super) fn horizontal(root: &Node) -> Result<&Node, CrsError> {
    match root.keyword.as_str() {
        "BOUNDCRS" => {
            let source = root
                .child(&["SOURCECRS"])
                .and_then(|s| {
                    s.items.iter().find_map(|i| match i {
                        Item::Node(n) => Some(n),
                        _ => None,
                    })
                })
                .ok_or_else(|| CrsError::unrecognised("the BOUNDCRS has no SOURCECRS"))?;
            horizontal(source)
        }
        "COMPD_CS" | "COMPOUNDCRS" => {
            let part = root
                .items
                .iter()
                .find_map(|i| match i {
                    Item::Node(n)
                        if PROJECTED.contains(&n.keyword.as_str())
                            || GEOGRAPHIC.contains(&n.keyword.as_str())
                            || n.keyword == "BOUNDCRS" =>
                    {
                        Some(n)
                    }
                    _ => None,
                })
                .ok_or_else(|| CrsError::unrecognised("the compound CRS has no horizontal part"))?;
            horizontal(part)
        }
        _ => Ok(root),
    }
}

/// Pull the facts out of a (horizontal) CRS node.
pub(super) fn facts(root: &Node) -> Result<Facts, CrsError> {
    let kw = root.keyword.as_str();
    let projected = PROJECTED.contains(&kw);
    if !projected && !GEOGRAPHIC.contains(&kw) {
        return Err(CrsError::unrecognised(match kw {
            "GEOCCS" => "the WKT describes a geocentric (x, y, z) system, not a map CRS".to_string(),
            "LOCAL_CS" | "ENGCRS" | "ENGINEERINGCRS" => {
                "the WKT describes a local (engineering) coordinate system with no link to the earth"
                    .to_string()
            }
            _ => format!("the WKT's {kw}[...] is not a coordinate reference system tuban reads"),
        }));
    }
    let geog = if projected {
        root.child(GEOGRAPHIC).ok_or_else(|| {
            CrsError::unrecognised(format!(
                "the projected CRS '{}' has no geographic base CRS",
                root.name()
            ))
        })?
    } else {
        root
    };
    if !projected {
        if let Some(cs) = geog.child(&["CS"]) {
            if cs.has_word("Cartesian") {
                return Err(CrsError::unrecognised(
                    "the WKT describes a geocentric (x, y, z) system, not a map CRS",
                ));
            }
        }
    }
    let mut f = Facts {
        projected,
        name: root.name().to_string(),
        geog_name: geog.name().to_string(),
        angular_unit: DEGREE,
        ..Facts::default()
    };
    if let Some(datum) = geog.child(&["DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE"]) {
        f.datum_name = datum.name().to_string();
        if let Some(e) = datum.child(&["SPHEROID", "ELLIPSOID"]) {
            f.ellipsoid_name = e.name().to_string();
            let unit = e
                .child(&["LENGTHUNIT", "UNIT"])
                .and_then(|u| u.number(0))
                .unwrap_or(1.0);
            if let (Some(a), Some(rf)) = (e.number(0), e.number(1)) {
                f.ellipsoid = Some(Ellipsoid::from_inverse_flattening(a * unit, rf));
            }
        }
    }
    if let Some(pm) = geog.child(&["PRIMEM", "PRIMEMERIDIAN"]) {
        f.prime_meridian = pm.number(0).unwrap_or(0.0);
    }
    // WKT1: GEOGCS[..., UNIT["degree", 0.0174532925199433]]; WKT2: ANGLEUNIT directly or on
    // the axes.
    let angle_unit = geog.child(&["UNIT", "ANGLEUNIT"]).or_else(|| {
        geog.children(&["AXIS"])
            .find_map(|a| a.child(&["ANGLEUNIT", "UNIT"]))
    });
    if let Some(u) = angle_unit.and_then(|u| u.number(0)) {
        f.angular_unit = u;
    }
    if let Some((auth, code)) = root.child(&["AUTHORITY", "ID"]).map(|a| {
        let code = a
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(s) => Some(s.trim().to_string()),
                Item::Number(x) => Some(format!("{x}")),
                _ => None,
            })
            .nth(1)
            .unwrap_or_default();
        (a.name().to_string(), code)
    }) {
        f.authority = Some((auth, code));
    }
    if !projected {
        return Ok(f);
    }
    // Linear unit: WKT1 UNIT at the root; WKT2 LENGTHUNIT at the root or on the axes.
    let lin = root.child(&["UNIT", "LENGTHUNIT"]).or_else(|| {
        root.children(&["AXIS"])
            .find_map(|a| a.child(&["LENGTHUNIT", "UNIT"]))
    });
    f.linear_unit = lin.and_then(|u| u.number(0).map(|x| (u.name().to_string(), x)));
    let metres = f.linear_unit.as_ref().map_or(1.0, |u| u.1);
    if let Some(ext) = root.child(&["EXTENSION"]) {
        if ext.name().eq_ignore_ascii_case("PROJ4") {
            if let Some(Item::Text(s)) = ext.items.get(1) {
                f.proj4 = s.clone();
            }
        }
    }
    // WKT2: CONVERSION[name, METHOD[...], PARAMETER[name, value, UNIT]...];
    // WKT1: PROJECTION[...] and PARAMETER[...] at the root.
    let (method_parent, wkt2) = match root.child(&["CONVERSION"]) {
        Some(c) => (c, true),
        None => (root, false),
    };
    f.method = method_parent
        .child(&["METHOD", "PROJECTION"])
        .map(|m| m.name().to_string())
        .unwrap_or_default();
    for p in method_parent.children(&["PARAMETER"]) {
        let Some(value) = p.number(0) else { continue };
        let key = squash(p.name());
        let angular = is_angular(&key);
        let value = if wkt2 {
            match p.child(&["ANGLEUNIT", "LENGTHUNIT", "SCALEUNIT", "UNIT"]) {
                Some(u) if u.keyword == "ANGLEUNIT" || (u.keyword == "UNIT" && angular) => {
                    value * degrees_per_unit(u.number(0).unwrap_or(DEGREE))
                }
                Some(u) if u.keyword == "LENGTHUNIT" || u.keyword == "UNIT" => {
                    value * u.number(0).unwrap_or(1.0)
                }
                Some(u) => value * u.number(0).unwrap_or(1.0),
                None => value,
            }
        } else if angular {
            // WKT1 angles are in the GEOGCS angular unit.
            value * degrees_per_unit(f.angular_unit)
        } else if is_linear(&key) {
            // WKT1 lengths are in the PROJCS linear unit.
            value * metres
        } else {
            value
        };
        f.params.push((key, value));
    }
    Ok(f)
}

pub(super) const CM: &[&str] = &[
    "centralmeridian",
    "longitudeofnaturalorigin",
    "longitudeoforigin",
    "longitudeofcenter",
    "longitudeofcentre",
];
pub(super) const LAT0: &[&str] = &[
    "latitudeoforigin",
    "latitudeofnaturalorigin",
    "latitudeofcenter",
    "latitudeofcentre",
];
pub(super) const K0: &[&str] = &["scalefactor", "scalefactoratnaturalorigin"];
pub(super) const FE: &[&str] = &["falseeasting", "eastingatfalseorigin"];
pub(super) const FN: &[&str] = &["falsenorthing", "northingatfalseorigin"];

fn is_angular(key: &str) -> bool {
    key.starts_with("longitude")
        || key.starts_with("latitude")
        || key.starts_with("standardparallel")
        || key == "centralmeridian"
        || key == "azimuth"
}

fn is_linear(key: &str) -> bool {
    key.starts_with("false") || key.starts_with("eastingat") || key.starts_with("northingat")
}
