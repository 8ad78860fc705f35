//! Recognising a CRS from WKT: ESRI WKT1 (ArcGIS `.prj`), OGC WKT1 (GDAL) and WKT2.
//!
//! The text is parsed into a tree, the facts that define a CRS are pulled out of it (ellipsoid,
//! datum name, prime meridian, angular and linear units, projection method and parameters,
//! `AUTHORITY`/`ID`), and the CRS is decided from those facts — never from the name alone. The
//! name and the authority code are then checked against the parameters. Where they disagree the
//! parameters win, because they are what every GIS projects with, and [`Recognised::how`] says
//! so.

use std::f64::consts::PI;

use super::epsg;
use super::{Crs, CrsError, Datum, Ellipsoid, Recognised};

/// Deepest nesting accepted: real WKT2 goes 5 levels deep; the limit keeps hostile input from
/// exhausting the stack.
const MAX_DEPTH: usize = 32;

/// One value inside a WKT node's brackets.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Node(Node),
    Text(String),
    Number(f64),
    /// A bare word, e.g. `NORTH` in `AXIS["Northing",NORTH]` or `Cartesian` in `CS[Cartesian,2]`.
    Word(String),
}

/// `KEYWORD[item, item, ...]` (or with parentheses, which WKT1 also allows).
#[derive(Debug, Clone, PartialEq)]
struct Node {
    /// Upper-cased keyword.
    keyword: String,
    items: Vec<Item>,
}

impl Node {
    /// The first quoted string: the name of a CRS, datum, parameter…
    fn name(&self) -> &str {
        self.items
            .iter()
            .find_map(|i| match i {
                Item::Text(s) => Some(s.as_str()),
                _ => None,
            })
            .unwrap_or("")
    }

    /// The `i`-th number among the items.
    fn number(&self, i: usize) -> Option<f64> {
        self.items
            .iter()
            .filter_map(|item| match item {
                Item::Number(x) => Some(*x),
                _ => None,
            })
            .nth(i)
    }

    /// Direct child nodes whose keyword is one of `keywords`.
    fn children<'a>(&'a self, keywords: &'a [&'a str]) -> impl Iterator<Item = &'a Node> + 'a {
        self.items.iter().filter_map(move |i| match i {
            Item::Node(n) if keywords.contains(&n.keyword.as_str()) => Some(n),
            _ => None,
        })
    }

    /// The first direct child node with one of `keywords`.
    fn child(&self, keywords: &[&str]) -> Option<&Node> {
        self.items.iter().find_map(|i| match i {
            Item::Node(n) if keywords.contains(&n.keyword.as_str()) => Some(n),
            _ => None,
        })
    }

    /// A bare word among the items (case-insensitive match).
    fn has_word(&self, word: &str) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, Item::Word(w) if w.eq_ignore_ascii_case(word)))
    }
}

/// A small recursive-descent WKT reader over bytes (names may hold UTF-8, e.g. Chinese).
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }

    fn node(&mut self, keyword: String, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let close = match self.peek() {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(format!("expected '[' after {keyword}")),
        };
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(close) && items.is_empty() {
                self.pos += 1;
                break;
            }
            items.push(self.item(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    return Err(format!(
                        "unexpected '{}' at byte {} inside {keyword}",
                        c as char, self.pos
                    ))
                }
                None => return Err(format!("text ends inside {keyword}[...]")),
            }
        }
        Ok(Node {
            keyword: keyword.to_ascii_uppercase(),
            items,
        })
    }

    fn item(&mut self, depth: usize) -> Result<Item, String> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                let mut bytes = Vec::new();
                loop {
                    match self.peek() {
                        None => return Err("unterminated quoted string".into()),
                        Some(b'"') if self.s.get(self.pos + 1) == Some(&b'"') => {
                            bytes.push(b'"');
                            self.pos += 2;
                        }
                        Some(b'"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            bytes.push(c);
                            self.pos += 1;
                        }
                    }
                }
                Ok(Item::Text(String::from_utf8_lossy(&bytes).into_owned()))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
                let start = self.pos;
                while self.peek().is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
                }) {
                    self.pos += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                text.parse::<f64>()
                    .map(Item::Number)
                    .map_err(|_| format!("'{text}' is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let word = self.ident();
                self.skip_ws();
                if matches!(self.peek(), Some(b'[') | Some(b'(')) {
                    Ok(Item::Node(self.node(word, depth + 1)?))
                } else {
                    Ok(Item::Word(word))
                }
            }
            Some(c) => Err(format!("unexpected '{}' at byte {}", c as char, self.pos)),
            None => Err("text ends too early".into()),
        }
    }
}

/// Parse a WKT text into its root node.
fn parse(text: &str) -> Result<Node, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    p.skip_ws();
    if !p.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err("it does not start with a WKT keyword".into());
    }
    let keyword = p.ident();
    p.skip_ws();
    // Trailing text (a newline, NUL padding) is ignored.
    p.node(keyword, 0)
}

/// Lower-case, every run of characters other than letters and digits turned into one `_`:
/// `CGCS2000 / 3-degree Gauss-Kruger CM 105E` → `cgcs2000_3_degree_gauss_kruger_cm_105e`.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Letters and digits only, lower-cased: parameter and method names compare this way
/// (`False_Easting`, `false easting`, `FalseEasting` are the same).
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The facts of a CRS pulled out of the WKT tree.
#[derive(Debug, Default)]
struct Facts {
    projected: bool,
    name: String,
    geog_name: String,
    datum_name: String,
    ellipsoid_name: String,
    ellipsoid: Option<Ellipsoid>,
    /// Prime meridian longitude in its unit (only zero matters).
    prime_meridian: f64,
    /// Radians per angular unit.
    angular_unit: f64,
    /// Projection method name as written.
    method: String,
    /// Projection parameters: squashed name, value in degrees / metres / unity.
    params: Vec<(String, f64)>,
    /// Linear unit name and metres per unit.
    linear_unit: Option<(String, f64)>,
    /// Root `AUTHORITY`/`ID`: (authority, code).
    authority: Option<(String, String)>,
    /// The PROJ.4 string of an `EXTENSION["PROJ4", ...]` node.
    proj4: String,
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
fn degrees_per_unit(radians_per_unit: f64) -> f64 {
    let r = radians_per_unit / DEGREE;
    if (r - 1.0).abs() < 1e-12 {
        1.0
    } else {
        r
    }
}

impl Facts {
    fn param(&self, names: &[&str]) -> Option<f64> {
        self.params
            .iter()
            .find(|(n, _)| names.contains(&n.as_str()))
            .map(|(_, v)| *v)
    }
}

/// Unwrap `BOUNDCRS` (take its source CRS) and compound CRSs (take the horizontal part).
fn horizontal(root: &Node) -> Result<&Node, CrsError> {
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
fn facts(root: &Node) -> Result<Facts, CrsError> {
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

const CM: &[&str] = &[
    "centralmeridian",
    "longitudeofnaturalorigin",
    "longitudeoforigin",
    "longitudeofcenter",
    "longitudeofcentre",
];
const LAT0: &[&str] = &[
    "latitudeoforigin",
    "latitudeofnaturalorigin",
    "latitudeofcenter",
    "latitudeofcentre",
];
const K0: &[&str] = &["scalefactor", "scalefactoratnaturalorigin"];
const FE: &[&str] = &["falseeasting", "eastingatfalseorigin"];
const FN: &[&str] = &["falsenorthing", "northingatfalseorigin"];

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
    fn parses_nested_nodes_and_escapes() {
        let n = parse(r#"A["x ""q""",1.5,B(2,-3e2),NORTH]"#).unwrap();
        assert_eq!(n.keyword, "A");
        assert_eq!(n.name(), "x \"q\"");
        assert_eq!(n.number(0), Some(1.5));
        assert_eq!(n.child(&["B"]).unwrap().number(1), Some(-300.0));
        assert!(n.has_word("north"));
    }

    #[test]
    fn rejects_malformed_text_without_panicking() {
        for bad in [
            "", "[", "A[", "A[\"x", "A[1,", "A[1 2]", "A[B[C[", "42", "A[--]",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "A[".repeat(100);
        assert!(parse(&deep).is_err());
    }

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
