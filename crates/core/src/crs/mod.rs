//! Coordinate reference systems: recognising them, Gauss-Kruger projection, ellipsoidal area.
//!
//! tuban reads Chinese land-survey data, which comes in **CGCS2000**: geographic (EPSG:4490) or
//! projected by **Gauss-Kruger** (transverse Mercator, k0 = 1, false easting 500 km) in 3° or 6°
//! zones, with or without the zone number prefixed to the easting (EPSG:4491–4554). It also
//! accepts WGS 84 (EPSG:4326), WGS 84 / UTM and Web Mercator, and it **refuses** Xian 1980 and
//! Beijing 1954 data: their shift to CGCS2000 needs local parameters that are not public.
//!
//! * [`Crs`] is a recognised system; build one with [`Crs::from_epsg`], [`Crs::from_user`]
//!   (`"EPSG:4544"`, `"4544"`, a WKT), [`Crs::from_geojson_name`] or [`Crs::from_wkt`] (a `.prj`),
//!   and check data against it with [`Crs::check_coordinates`].
//! * [`TransverseMercator`] projects by Karney's 6th-order Krüger series (nanometre accuracy).
//! * [`EllipsoidalArea`] computes the survey's **ellipsoidal area** (图斑椭球面积) of polygons.
//!
//! Coordinates are always `(x, y)` = (easting, northing) in metres or `(lon, lat)` in degrees:
//! x first, as GIS software and shapefiles store them, even where the EPSG definition orders the
//! axes northing first (as it does for 4490 and 4491–4554).
//!
//! ```
//! use tuban_core::crs::{Crs, EllipsoidalArea};
//! use geo::{polygon, MultiPolygon};
//!
//! let prj = r#"PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
//! let recognised = Crs::from_wkt(prj).unwrap();
//! assert_eq!(recognised.crs.epsg(), 4544);
//! recognised.crs.check_coordinates([601400.0, 3303900.0, 601500.0, 3304000.0]).unwrap();
//!
//! // A 100 m × 100 m square 100 km east of the central meridian: its ellipsoidal area is about
//! // 0.025 % smaller than its plane area, the Gauss-Kruger scale error there.
//! let square = MultiPolygon(vec![polygon![
//!     (x: 601400.0, y: 3303900.0), (x: 601500.0, y: 3303900.0),
//!     (x: 601500.0, y: 3304000.0), (x: 601400.0, y: 3304000.0)]]);
//! let area = EllipsoidalArea::new(&recognised.crs).unwrap().area(&square);
//! // (tests/data/crs/survey_area.py's independent formula: 9997.461845 m²)
//! assert!((area - 9997.461845).abs() < 1e-5, "{area}");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod area;
mod check;
mod ellipsoid;
mod epsg;
mod mercator;
mod tm;
mod wkt;

pub use area::{ellipsoidal_area, EllipsoidalArea, SurveyFormula};
pub use ellipsoid::Ellipsoid;
pub use mercator::WebMercator;
pub use tm::TransverseMercator;

/// A geodetic datum tuban accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datum {
    /// China Geodetic Coordinate System 2000 (EPSG datum 1043), on the CGCS2000 ellipsoid.
    Cgcs2000,
    /// World Geodetic System 1984 (EPSG datum 6326), on the WGS 84 ellipsoid.
    Wgs84,
}

impl Datum {
    /// The datum's ellipsoid.
    pub fn ellipsoid(self) -> Ellipsoid {
        match self {
            Datum::Cgcs2000 => Ellipsoid::CGCS2000,
            Datum::Wgs84 => Ellipsoid::WGS84,
        }
    }

    /// The datum's usual short name: `CGCS2000` or `WGS 84`.
    pub fn name(self) -> &'static str {
        match self {
            Datum::Cgcs2000 => "CGCS2000",
            Datum::Wgs84 => "WGS 84",
        }
    }
}

/// A coordinate reference system tuban recognises.
///
/// Values are plain data (serde: `{"kind": "gauss_kruger", "zone_width": 3, ...}`). Build them
/// with [`Crs::from_epsg`] or [`Crs::gauss_kruger`] rather than by hand: the methods trust the
/// fields to be consistent.
///
/// ```
/// use tuban_core::crs::Crs;
///
/// let crs = Crs::from_epsg(4523).unwrap();
/// assert_eq!(
///     crs,
///     Crs::GaussKruger { zone_width: 3, central_meridian: 105, zone: 35, prefixed: true, epsg: 4523 }
/// );
/// assert_eq!(crs.name(), "CGCS2000 / 3-degree Gauss-Kruger zone 35");
/// // The zone prefix: easting = 35 × 1 000 000 + 500 000 + distance east of 105°E.
/// let (x, _) = crs.from_geographic(105.0, 30.0);
/// assert!((x - 35_500_000.0).abs() < 1e-6);
/// assert_eq!(crs.to_string(), "EPSG:4523 (CGCS2000 / 3-degree Gauss-Kruger zone 35)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Crs {
    /// Longitude and latitude in degrees: CGCS2000 (EPSG:4490) or WGS 84 (EPSG:4326).
    Geographic {
        /// The datum.
        datum: Datum,
    },
    /// CGCS2000 / Gauss-Kruger (EPSG:4491–4554): transverse Mercator, k0 = 1, false easting
    /// 500 000 m (plus `zone` × 1 000 000 m when `prefixed`), false northing 0.
    GaussKruger {
        /// Zone width in degrees: 3 or 6.
        zone_width: u8,
        /// Central meridian, whole degrees east (75..=135).
        central_meridian: u32,
        /// Zone number: central meridian / 3 for 3° zones (25..=45), (central meridian + 3) / 6
        /// for 6° zones (13..=23).
        zone: u32,
        /// Whether eastings carry the zone number in front (e.g. 35 601 465.49 for zone 35).
        prefixed: bool,
        /// The EPSG code.
        epsg: u32,
    },
    /// WGS 84 / UTM (EPSG:32601–32660 north, 32701–32760 south).
    Utm {
        /// UTM zone, 1..=60 (central meridian 6 × zone − 183).
        zone: u8,
        /// Northern hemisphere (false northing 0) or southern (false northing 10 000 000 m).
        north: bool,
    },
    /// WGS 84 / Pseudo-Mercator, the web-map projection (EPSG:3857).
    WebMercator,
}

/// A CRS recognised from a text, with how it was recognised (for logs and reports).
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    /// The coordinate reference system.
    pub crs: Crs,
    /// How it was recognised, e.g. `AUTHORITY EPSG:4544, parameters checked` or
    /// `ESRI WKT name CGCS2000_3_Degree_GK_CM_105E, parameters checked`.
    pub how: String,
}

/// Why a coordinate reference system was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    /// The text names no CRS tuban knows.
    #[error("{reason}. If you know the data's coordinate system, name it as the run's assumed CRS, assume_crs (e.g. EPSG:4544 = CGCS2000 / 3-degree Gauss-Kruger CM 105E, EPSG:4523 = the same with the zone number 35 prefixed to eastings)")]
    Unrecognised {
        /// What was not understood.
        reason: String,
    },
    /// Xian 1980 or Beijing 1954 (or New Beijing) data: tuban refuses it.
    #[error("the coordinate system {found} is on the {datum} datum. Converting {datum} to CGCS2000 needs a datum shift whose local parameters are not public, so tuban will not guess: ask for the data converted to CGCS2000 (e.g. EPSG:4544, CGCS2000 / 3-degree Gauss-Kruger CM 105E)")]
    LegacyDatum {
        /// `Xian 1980`, `Beijing 1954` or `New Beijing`.
        datum: String,
        /// What named it (a CRS name or `EPSG:2380`).
        found: String,
    },
    /// The coordinates contradict the CRS (found by [`Crs::check_coordinates`]).
    #[error("{problem}{}", likely_suffix(.likely))]
    Implausible {
        /// What looks wrong.
        problem: String,
        /// The CRS the coordinates probably are in, when it can be told.
        likely: Option<Crs>,
    },
}

fn likely_suffix(likely: &Option<Crs>) -> String {
    match likely {
        Some(crs) => format!("; they are probably in {crs}"),
        None => String::new(),
    }
}

impl CrsError {
    pub(crate) fn unrecognised(reason: impl Into<String>) -> CrsError {
        CrsError::Unrecognised {
            reason: reason.into(),
        }
    }
}

impl Crs {
    /// The CRS with this EPSG code. Xian 1980 / Beijing 1954 codes give
    /// [`CrsError::LegacyDatum`], anything else unknown [`CrsError::Unrecognised`].
    ///
    /// ```
    /// use tuban_core::crs::{Crs, CrsError};
    ///
    /// let crs = Crs::from_epsg(4544).unwrap();
    /// assert_eq!(crs.name(), "CGCS2000 / 3-degree Gauss-Kruger CM 105E");
    /// assert!(matches!(Crs::from_epsg(2380), Err(CrsError::LegacyDatum { .. })));
    /// assert!(matches!(Crs::from_epsg(2154), Err(CrsError::Unrecognised { .. })));
    /// ```
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        epsg::from_epsg(code)
    }

    /// The CGCS2000 Gauss-Kruger CRS with this zone width (3 or 6), central meridian (a multiple
    /// of 3 from 75 to 135 for 3° zones, 75 + 6k up to 135 for 6° zones) and zone-prefix
    /// convention.
    ///
    /// ```
    /// use tuban_core::crs::Crs;
    /// assert_eq!(Crs::gauss_kruger(3, 105, false).unwrap().epsg(), 4544);
    /// assert_eq!(Crs::gauss_kruger(6, 105, true).unwrap().epsg(), 4496);
    /// assert!(Crs::gauss_kruger(6, 108, false).is_err()); // 108°E is no 6° central meridian
    /// ```
    pub fn gauss_kruger(
        zone_width: u8,
        central_meridian: u32,
        prefixed: bool,
    ) -> Result<Crs, CrsError> {
        epsg::gauss_kruger(zone_width, central_meridian, prefixed)
    }

    /// Recognise a WKT text (the content of a `.prj`): ESRI WKT1, OGC WKT1 or WKT2, with or
    /// without a UTF-8 byte-order mark. Recognition is by structure — ellipsoid, projection
    /// method, central meridian, scale, false easting — cross-checked against the name and any
    /// `AUTHORITY`/`ID`; [`Recognised::how`] says what decided. Where the name or authority
    /// contradicts the parameters, the parameters win (they are what every GIS projects with)
    /// and `how` says so. `AXIS` declarations are ignored: x is always the easting or longitude.
    ///
    /// ```
    /// use tuban_core::crs::{Crs, CrsError};
    ///
    /// let r = Crs::from_wkt(r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#).unwrap();
    /// assert_eq!(r.crs.epsg(), 4490);
    ///
    /// let xian = r#"GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    /// let err = Crs::from_wkt(xian).unwrap_err();
    /// assert!(matches!(err, CrsError::LegacyDatum { .. }));
    /// assert!(err.to_string().contains("not public"));
    /// ```
    pub fn from_wkt(text: &str) -> Result<Recognised, CrsError> {
        wkt::recognise(text)
    }

    /// A CRS as a user writes it on a command line or in a project file: `EPSG:4544`,
    /// `epsg:4544`, `4544`, a GeoJSON/OGC name (see [`Crs::from_geojson_name`]) or a WKT text.
    ///
    /// ```
    /// use tuban_core::crs::Crs;
    /// for text in ["EPSG:4544", "epsg:4544", " 4544 ", "urn:ogc:def:crs:EPSG::4544"] {
    ///     assert_eq!(Crs::from_user(text).unwrap().epsg(), 4544);
    /// }
    /// let crs: Crs = "EPSG:4490".parse().unwrap();
    /// assert_eq!(crs.epsg(), 4490);
    /// ```
    pub fn from_user(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim_start_matches('\u{feff}').trim();
        // WKT starts with a keyword and a bracket: PROJCS[, GEOGCRS[, geogcs( ...
        let keyword_end = t
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(t.len());
        if keyword_end > 0 && t[keyword_end..].trim_start().starts_with(['[', '(']) {
            return Ok(wkt::recognise(t)?.crs);
        }
        // `EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)`, as Display writes it: the
        // parenthesised name is a comment.
        match t.split_once(char::is_whitespace) {
            Some((code, rest)) if rest.trim_start().starts_with('(') && rest.ends_with(')') => {
                epsg::from_name(code)
            }
            _ => epsg::from_name(t),
        }
    }

    /// A CRS from a GeoJSON `"crs": {"type": "name", "properties": {"name": ...}}` member (the
    /// 2008 GeoJSON convention, still written by GDAL): `urn:ogc:def:crs:EPSG::4544`,
    /// `urn:ogc:def:crs:EPSG:6.3:4544`, `EPSG:4544`, `http://www.opengis.net/def/crs/EPSG/0/4544`,
    /// or `urn:ogc:def:crs:OGC:1.3:CRS84` (WGS 84 longitude/latitude).
    ///
    /// tuban reads GeoJSON coordinates as (x, y) = (longitude or easting, latitude or northing)
    /// whatever the name, as GDAL writes them.
    ///
    /// ```
    /// use tuban_core::crs::{Crs, Datum};
    /// assert_eq!(
    ///     Crs::from_geojson_name("urn:ogc:def:crs:OGC:1.3:CRS84").unwrap(),
    ///     Crs::Geographic { datum: Datum::Wgs84 }
    /// );
    /// assert_eq!(Crs::from_geojson_name("urn:ogc:def:crs:EPSG::4523").unwrap().epsg(), 4523);
    /// ```
    pub fn from_geojson_name(name: &str) -> Result<Crs, CrsError> {
        epsg::from_name(name.trim())
    }

    /// The EPSG code.
    pub fn epsg(&self) -> u32 {
        match *self {
            Crs::Geographic {
                datum: Datum::Cgcs2000,
            } => 4490,
            Crs::Geographic {
                datum: Datum::Wgs84,
            } => 4326,
            Crs::GaussKruger { epsg, .. } => epsg,
            Crs::Utm { zone, north } => (if north { 32600 } else { 32700 }) + u32::from(zone),
            Crs::WebMercator => 3857,
        }
    }

    /// The EPSG name, e.g. `CGCS2000 / 3-degree Gauss-Kruger CM 105E`.
    pub fn name(&self) -> String {
        epsg::name(self)
    }

    /// The false easting, metres: 500 000 for a transverse Mercator, plus the zone number times a
    /// million for a Gauss-Kruger CRS whose eastings carry the zone prefix; 0 otherwise.
    ///
    /// ```
    /// use tuban_core::crs::Crs;
    /// assert_eq!(Crs::from_epsg(4544).unwrap().false_easting(), 500_000.0);
    /// assert_eq!(Crs::from_epsg(4523).unwrap().false_easting(), 35_500_000.0);
    /// ```
    pub fn false_easting(&self) -> f64 {
        match *self {
            Crs::GaussKruger {
                zone,
                prefixed: true,
                ..
            } => f64::from(zone) * 1e6 + 500_000.0,
            Crs::GaussKruger { .. } | Crs::Utm { .. } => 500_000.0,
            Crs::Geographic { .. } | Crs::WebMercator => 0.0,
        }
    }

    /// The datum.
    pub fn datum(&self) -> Datum {
        match *self {
            Crs::Geographic { datum } => datum,
            Crs::GaussKruger { .. } => Datum::Cgcs2000,
            Crs::Utm { .. } | Crs::WebMercator => Datum::Wgs84,
        }
    }

    /// The datum's ellipsoid: the one areas are measured on.
    pub fn ellipsoid(&self) -> Ellipsoid {
        self.datum().ellipsoid()
    }

    /// True for longitude/latitude systems (coordinates in degrees).
    pub fn is_geographic(&self) -> bool {
        matches!(self, Crs::Geographic { .. })
    }

    /// The projection with its constants precomputed: use it to convert many points.
    pub fn projector(&self) -> Projector {
        let kind = match *self {
            Crs::Geographic { .. } => ProjectorKind::Identity,
            Crs::GaussKruger {
                central_meridian,
                zone,
                prefixed,
                ..
            } => ProjectorKind::Tm {
                tm: TransverseMercator::new(
                    Ellipsoid::CGCS2000,
                    f64::from(central_meridian),
                    1.0,
                    500_000.0,
                    0.0,
                ),
                prefix: if prefixed {
                    f64::from(zone) * 1_000_000.0
                } else {
                    0.0
                },
            },
            Crs::Utm { zone, north } => ProjectorKind::Tm {
                tm: TransverseMercator::new(
                    Ellipsoid::WGS84,
                    6.0 * f64::from(zone) - 183.0,
                    0.9996,
                    500_000.0,
                    if north { 0.0 } else { 10_000_000.0 },
                ),
                prefix: 0.0,
            },
            Crs::WebMercator => ProjectorKind::WebMercator(WebMercator),
        };
        Projector { kind }
    }

    /// Projected `(x, y)` to `(lon, lat)` degrees on the CRS's own datum (the identity for a
    /// geographic CRS). A zone prefix is stripped first. For many points use [`Crs::projector`].
    pub fn to_geographic(&self, x: f64, y: f64) -> (f64, f64) {
        self.projector().to_geographic(x, y)
    }

    /// `(lon, lat)` degrees on the CRS's datum to projected `(x, y)`, with the zone prefix added
    /// when the CRS has one.
    pub fn from_geographic(&self, lon: f64, lat: f64) -> (f64, f64) {
        self.projector().from_geographic(lon, lat)
    }

    /// The CRS as ESRI-flavoured WKT1, the text ArcGIS writes to a `.prj` (and, for these CRSs,
    /// exactly what `gdalsrsinfo -o wkt_esri EPSG:NNNN` prints).
    ///
    /// ```
    /// use tuban_core::crs::Crs;
    /// let wkt = Crs::from_epsg(4544).unwrap().to_esri_wkt();
    /// assert!(wkt.starts_with(r#"PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["#));
    /// assert_eq!(Crs::from_wkt(&wkt).unwrap().crs.epsg(), 4544);
    /// ```
    pub fn to_esri_wkt(&self) -> String {
        epsg::esri_wkt(self)
    }

    /// Check that coordinates with this bounding box `[min_x, min_y, max_x, max_y]` can be in
    /// this CRS: degrees within ±180/±90 for a geographic CRS; eastings with (or without) the
    /// zone prefix the CRS expects and within the zone (±350 km of the central meridian for 3°
    /// zones, ±700 km for 6° zones and UTM); no swapped axes. The error says what looks wrong
    /// and, when it can tell, which CRS the coordinates are probably in. An empty box
    /// (min > max) passes.
    ///
    /// ```
    /// use tuban_core::crs::{Crs, CrsError};
    ///
    /// let cm105 = Crs::from_epsg(4544).unwrap();
    /// cm105.check_coordinates([600000.0, 3300000.0, 603000.0, 3306000.0]).unwrap();
    /// // Eastings with the zone prefix 35 under the no-prefix CRS:
    /// match cm105.check_coordinates([35600000.0, 3300000.0, 35603000.0, 3306000.0]) {
    ///     Err(CrsError::Implausible { likely: Some(crs), .. }) => assert_eq!(crs.epsg(), 4523),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn check_coordinates(&self, extent: [f64; 4]) -> Result<(), CrsError> {
        check::check_coordinates(self, extent)
    }
}

impl fmt::Display for Crs {
    /// `EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{} ({})", self.epsg(), self.name())
    }
}

impl FromStr for Crs {
    type Err = CrsError;

    /// Same as [`Crs::from_user`].
    fn from_str(s: &str) -> Result<Crs, CrsError> {
        Crs::from_user(s)
    }
}

/// A CRS's conversion between its coordinates and longitude/latitude, constants precomputed
/// (see [`Crs::projector`]).
///
/// ```
/// use tuban_core::crs::Crs;
/// let p = Crs::from_epsg(4523).unwrap().projector();
/// let (x, y) = p.from_geographic(106.05, 29.85);
/// let (lon, lat) = p.to_geographic(x, y);
/// assert!((lon - 106.05).abs() < 1e-12 && (lat - 29.85).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Projector {
    kind: ProjectorKind,
}

// A projector is built once per layer and used for every point; keeping the transverse Mercator
// constants inline (≈ 200 bytes) spares an indirection per point.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
enum ProjectorKind {
    Identity,
    /// Transverse Mercator after removing `prefix` (zone × 10⁶ m, or 0) from the easting. The
    /// subtraction is exact in floating point (the result needs no more bits than the input), so
    /// stripping the prefix loses nothing.
    Tm {
        tm: TransverseMercator,
        prefix: f64,
    },
    WebMercator(WebMercator),
}

impl Projector {
    /// Projected `(x, y)` to `(lon, lat)` degrees.
    pub fn to_geographic(&self, x: f64, y: f64) -> (f64, f64) {
        match &self.kind {
            ProjectorKind::Identity => (x, y),
            ProjectorKind::Tm { tm, prefix } => tm.inverse(x - prefix, y),
            ProjectorKind::WebMercator(m) => m.inverse(x, y),
        }
    }

    /// `(lon, lat)` degrees to projected `(x, y)`.
    pub fn from_geographic(&self, lon: f64, lat: f64) -> (f64, f64) {
        match &self.kind {
            ProjectorKind::Identity => (lon, lat),
            ProjectorKind::Tm { tm, prefix } => {
                let (x, y) = tm.forward(lon, lat);
                (x + prefix, y)
            }
            ProjectorKind::WebMercator(m) => m.forward(lon, lat),
        }
    }

    /// `(L, B)` in radians, L measured from the projection's central meridian (the Greenwich
    /// meridian for geographic and Web Mercator). Only differences of L are meaningful to the
    /// caller; that is all the ellipsoidal area needs, and it saves the trip through degrees.
    pub(crate) fn to_radians_local(&self, x: f64, y: f64) -> (f64, f64) {
        match &self.kind {
            ProjectorKind::Identity => (x.to_radians(), y.to_radians()),
            ProjectorKind::Tm { tm, prefix } => tm.inverse_radians(x - prefix, y),
            ProjectorKind::WebMercator(m) => {
                let (lon, lat) = m.inverse(x, y);
                (lon.to_radians(), lat.to_radians())
            }
        }
    }

    /// True if coordinates are already longitude/latitude.
    pub fn is_identity(&self) -> bool {
        matches!(self.kind, ProjectorKind::Identity)
    }
}
