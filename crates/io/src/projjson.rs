//! PROJJSON (the JSON encoding of ISO 19111 that PROJ 6 and later read and write), for the CRS
//! of GeoParquet files: [`to_projjson`] builds the definition of each CRS tuban knows, and
//! [`from_projjson`] recognises one in a file tuban reads.
//!
//! The definitions follow what `projinfo -o PROJJSON EPSG:NNNN` prints (PROJ 9): the EPSG
//! names, the base geographic CRS with its datum and ellipsoid, the conversion's method and
//! parameters with their EPSG codes, the axes in the EPSG order (northing first for CGCS2000
//! Gauss-Kruger, as EPSG defines 4491–4554), and the CRS's own `id`. `tests/write_check/
//! projjson_check.py` checks every code against pyproj's `CRS.from_epsg` (see its docstring).

use serde_json::{json, Value};
use tuban_core::crs::{Crs, Datum};

/// The PROJJSON schema the definitions follow.
pub const SCHEMA: &str = "https://proj.org/schemas/v0.7/projjson.schema.json";

fn id(code: u32) -> Value {
    json!({"authority": "EPSG", "code": code})
}

fn geographic(datum: Datum, with_schema: bool) -> Value {
    let (name, datum_name, ellipsoid, inv_f, code) = match datum {
        Datum::Cgcs2000 => (
            "China Geodetic Coordinate System 2000",
            "China 2000",
            "CGCS2000",
            298.257222101,
            4490,
        ),
        Datum::Wgs84 => (
            "WGS 84",
            "World Geodetic System 1984",
            "WGS 84",
            298.257223563,
            4326,
        ),
    };
    let v = json!({
        "type": "GeographicCRS",
        "name": name,
        "datum": {
            "type": "GeodeticReferenceFrame",
            "name": datum_name,
            "ellipsoid": {
                "name": ellipsoid,
                "semi_major_axis": 6378137,
                "inverse_flattening": inv_f
            }
        },
        "coordinate_system": {
            "subtype": "ellipsoidal",
            "axis": [
                {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"},
                {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"}
            ]
        },
        "id": id(code)
    });
    if !with_schema {
        return v;
    }
    // "$schema" first, as PROJ writes it.
    let mut o = serde_json::Map::new();
    o.insert("$schema".into(), json!(SCHEMA));
    o.extend(v.as_object().expect("an object").clone());
    Value::Object(o)
}

fn parameter(name: &str, value: f64, unit: &str, code: u32) -> Value {
    json!({"name": name, "value": value, "unit": unit, "id": id(code)})
}

/// The PROJJSON definition of `crs` (a JSON object).
///
/// ```
/// use tuban_core::crs::Crs;
/// let v = tuban_io::projjson::to_projjson(&Crs::from_epsg(4544).unwrap());
/// assert_eq!(v["type"], "ProjectedCRS");
/// assert_eq!(v["id"]["code"], 4544);
/// assert_eq!(v["conversion"]["parameters"][1]["value"], 105.0);
/// assert_eq!(tuban_io::projjson::from_projjson(&v).unwrap(), Crs::from_epsg(4544).unwrap());
/// ```
pub fn to_projjson(crs: &Crs) -> Value {
    let tm = |datum: Datum, name: String, cm: f64, k: f64, fe: f64, fn_: f64, north_first: bool| {
        let northing = json!({"name": "Northing", "abbreviation": if north_first { "X" } else { "N" }, "direction": "north", "unit": "metre"});
        let easting = json!({"name": "Easting", "abbreviation": if north_first { "Y" } else { "E" }, "direction": "east", "unit": "metre"});
        let axes = if north_first {
            vec![northing, easting]
        } else {
            vec![easting, northing]
        };
        json!({
            "$schema": SCHEMA,
            "type": "ProjectedCRS",
            "name": crs.name(),
            "base_crs": geographic(datum, false),
            "conversion": {
                "name": name,
                "method": {"name": "Transverse Mercator", "id": id(9807)},
                "parameters": [
                    parameter("Latitude of natural origin", 0.0, "degree", 8801),
                    parameter("Longitude of natural origin", cm, "degree", 8802),
                    parameter("Scale factor at natural origin", k, "unity", 8805),
                    parameter("False easting", fe, "metre", 8806),
                    parameter("False northing", fn_, "metre", 8807)
                ]
            },
            "coordinate_system": {"subtype": "Cartesian", "axis": axes},
            "id": id(crs.epsg())
        })
    };
    match *crs {
        Crs::Geographic { datum } => geographic(datum, true),
        Crs::GaussKruger {
            zone_width,
            central_meridian,
            zone,
            prefixed,
            ..
        } => {
            let fe = crs.false_easting();
            let name = match (zone_width, prefixed) {
                (3, true) => format!("3-degree Gauss-Kruger zone {zone}"),
                (3, false) => format!("3-degree Gauss-Kruger CM {central_meridian}E"),
                (_, true) => format!("6-degree Gauss-Kruger zone {zone}"),
                (_, false) => format!("6-degree Gauss-Kruger CM {central_meridian}E"),
            };
            tm(
                Datum::Cgcs2000,
                name,
                f64::from(central_meridian),
                1.0,
                fe,
                0.0,
                true,
            )
        }
        Crs::Utm { zone, north } => tm(
            Datum::Wgs84,
            format!("UTM zone {zone}{}", if north { "N" } else { "S" }),
            6.0 * f64::from(zone) - 183.0,
            0.9996,
            500_000.0,
            if north { 0.0 } else { 10_000_000.0 },
            false,
        ),
        Crs::WebMercator => json!({
            "$schema": SCHEMA,
            "type": "ProjectedCRS",
            "name": "WGS 84 / Pseudo-Mercator",
            "base_crs": geographic(Datum::Wgs84, false),
            "conversion": {
                "name": "Popular Visualisation Pseudo-Mercator",
                "method": {"name": "Popular Visualisation Pseudo Mercator", "id": id(1024)},
                "parameters": [
                    parameter("Latitude of natural origin", 0.0, "degree", 8801),
                    parameter("Longitude of natural origin", 0.0, "degree", 8802),
                    parameter("False easting", 0.0, "metre", 8806),
                    parameter("False northing", 0.0, "metre", 8807)
                ]
            },
            "coordinate_system": {
                "subtype": "Cartesian",
                "axis": [
                    {"name": "Easting", "abbreviation": "X", "direction": "east", "unit": "metre"},
                    {"name": "Northing", "abbreviation": "Y", "direction": "north", "unit": "metre"}
                ]
            },
            "id": id(3857)
        }),
    }
}

/// The CRS a PROJJSON definition names by its EPSG `id` (`{"authority": "EPSG", "code": N}`),
/// checked to be one tuban knows. A definition without an EPSG id is not guessed at: the error
/// says to name the CRS.
pub fn from_projjson(v: &Value) -> Result<Crs, String> {
    let name = v.get("name").and_then(Value::as_str).unwrap_or("(unnamed)");
    let ids: Vec<&Value> = match (v.get("id"), v.get("ids").and_then(Value::as_array)) {
        (Some(i), _) => vec![i],
        (None, Some(list)) => list.iter().collect(),
        (None, None) => Vec::new(),
    };
    for i in ids {
        if i.get("authority").and_then(Value::as_str) != Some("EPSG") {
            continue;
        }
        let code = match i.get("code") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        if let Some(code) = code.and_then(|c| u32::try_from(c).ok()) {
            return Crs::from_epsg(code).map_err(|e| format!("the CRS {name} (EPSG:{code}): {e}"));
        }
    }
    Err(format!(
        "the CRS {name} carries no EPSG code, and tuban recognises a PROJJSON definition only by \
         its EPSG id; name the layer's CRS with assume_crs (e.g. EPSG:4544)"
    ))
}
