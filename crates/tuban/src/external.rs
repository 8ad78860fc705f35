//! CRSs outside tuban's built-in set, read by PROJ (the optional cargo feature `proj`).
//!
//! tuban settles a layer's CRS with its own, pure-Rust set (CGCS2000 and its Gauss-Kruger zones,
//! WGS 84, UTM, Web Mercator). Built with `--features proj`, a layer the set cannot settle — its
//! `.prj` (or GeoJSON `crs`) is not understood, or the user's `crs` / `assume_crs`
//! (`--assume-crs`) names an EPSG code outside the set, a PROJ string or a WKT — is converted by
//! the system's libproj to CGCS2000 longitude/latitude (EPSG:4490, longitude first) right after
//! it is read, and from then on is an EPSG:4490 layer like any other.
//!
//! What PROJ may convert is kept narrow, so that a conversion is never a silent guess:
//!
//! - a recognised legacy datum (Xian 1980, Beijing 1954, New Beijing) is refused with or without
//!   the feature; PROJ's reading is checked too (datum name, and the Krassowsky 1940 and IAG 1975
//!   ellipsoids), so `+proj=tmerc ... +ellps=krass` is refused as well;
//! - the CRS must be on the CGCS2000/GRS 1980/WGS 84 ellipsoid: tuban treats those datums as one
//!   (see [`tuban_core::reproject`]); from any other datum PROJ's shift to CGCS2000 may be a
//!   "ballpark" of hundreds of metres;
//! - the converted coordinates must meet the CRS's area of use when PROJ knows one (a wrong EPSG
//!   code puts the data elsewhere on Earth), and must be valid longitudes/latitudes.
//!
//! Without the feature, errors about a CRS the set does not know say that a build with the
//! feature could read it.

use tuban_core::crs::{Crs, CrsError};
use tuban_core::layer::Layer;
use tuban_core::reproject::{LayerCrs, LayerCrsError};

use crate::Error;

/// A CRS as the user wrote it (`crs` of a layer, `assume_crs`, `--assume-crs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum UserCrs<'a> {
    /// One of tuban's built-in set.
    Builtin(Crs),
    /// Outside the set; PROJ reads it (constructed only with the `proj` feature).
    #[cfg_attr(not(feature = "proj"), allow(dead_code))]
    External(&'a str),
}

impl UserCrs<'_> {
    /// The CRS if it is one of the built-in set.
    pub(crate) fn builtin(self) -> Option<Crs> {
        match self {
            UserCrs::Builtin(crs) => Some(crs),
            UserCrs::External(_) => None,
        }
    }
}

/// The hint added to "not understood" errors of a build without the feature.
#[cfg(not(feature = "proj"))]
const HINT: &str = "a build with the `proj` feature can read CRSs outside tuban's built-in set";

/// Adds `extra` to the reason of an [`CrsError::Unrecognised`]; other errors pass unchanged.
#[cfg(not(feature = "proj"))]
fn add_to_reason(e: CrsError, extra: &str) -> CrsError {
    match e {
        CrsError::Unrecognised { reason } => CrsError::Unrecognised {
            reason: format!("{reason}; {extra}"),
        },
        other => other,
    }
}

/// `text` (`EPSG:4544`, `4544`, a WKT; with the feature, anything PROJ reads as a usable CRS) as
/// written where `context` says (e.g. `assume_crs`).
pub(crate) fn user_crs<'a>(text: &'a str, context: &str) -> Result<UserCrs<'a>, Error> {
    let bad = |source| Error::BadCrs {
        given: format!("{context} \"{text}\""),
        source,
    };
    match Crs::from_user(text) {
        Ok(crs) => Ok(UserCrs::Builtin(crs)),
        #[cfg(not(feature = "proj"))]
        Err(e) => Err(bad(add_to_reason(e, HINT))),
        #[cfg(feature = "proj")]
        Err(CrsError::Unrecognised { reason }) => {
            let text = text.trim_start_matches('\u{feff}').trim();
            match with_proj::probe(text) {
                Err(why) => Err(bad(CrsError::Unrecognised {
                    reason: format!("{reason}; nor can {}: {why}", with_proj::version()),
                })),
                Ok(source) => match source
                    .acceptable(text)
                    .map_err(with_proj::Refusal::into_crs_error)
                {
                    Ok(()) => Ok(UserCrs::External(text)),
                    Err(Ok(e)) => Err(bad(e)),
                    Err(Err(why)) => {
                        Err(Error::Unsupported(format!("{context} \"{text}\": {why}")))
                    }
                },
            }
        }
        #[cfg(feature = "proj")]
        Err(e) => Err(bad(e)),
    }
}

/// With the `proj` feature, converts the freshly read `layer` to EPSG:4490 if the built-in set
/// cannot settle its CRS (see the module doc) and says how; `forced` is its `crs` in the project
/// file, `assumed` the run's `assume_crs`. `None`: the built-in set settles the layer, as
/// [`tuban_core::reproject::layer_crs`]`(layer, forced, assumed)` with the built-in CRSs (always
/// so without the feature).
pub(crate) fn convert_if_outside(
    layer: &mut Layer,
    forced: Option<UserCrs<'_>>,
    assumed: Option<UserCrs<'_>>,
) -> Result<Option<LayerCrs>, Error> {
    #[cfg(not(feature = "proj"))]
    {
        let _ = (layer, forced, assumed);
        Ok(None)
    }
    #[cfg(feature = "proj")]
    {
        with_proj::convert_if_outside(layer, forced, assumed)
    }
}

/// A layer's CRS error as the run reports it. Without the `proj` feature, a CRS the built-in
/// set does not understand says that a build with the feature could read it.
pub(crate) fn with_hint(e: LayerCrsError) -> Error {
    #[cfg(not(feature = "proj"))]
    if let LayerCrsError::Crs { layer, source } = e {
        return LayerCrsError::Crs {
            layer,
            source: add_to_reason(source, HINT),
        }
        .into();
    }
    e.into()
}

#[cfg(feature = "proj")]
mod with_proj {
    //! The part that needs libproj: reading a CRS text ([`probe`]), judging it
    //! ([`SourceCrs::acceptable`]) and converting a layer ([`convert`]).

    use std::cell::RefCell;
    use std::ffi::{c_char, c_int, c_void, CStr, CString};

    use proj_sys as sys;
    use tuban_core::geo::{Coord, MapCoordsInPlace};
    use tuban_core::reproject::layer_crs;

    use super::*;

    /// `PROJ 9.1.1`: the library actually linked.
    pub(super) fn version() -> String {
        // SAFETY: proj_info returns static strings owned by the library.
        let v = unsafe { sys::proj_info().version };
        let v = if v.is_null() {
            "?".into()
        } else {
            unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned()
        };
        format!("PROJ {v}")
    }

    /// Where a CRS text came from, for messages and `LayerCrs::how`.
    #[derive(Clone, Copy)]
    enum Origin {
        Forced,
        Prj,
        GeoJson,
        Assumed,
        AssumedOverFile,
    }

    impl Origin {
        /// What the CRS text is.
        fn what(self) -> &'static str {
            match self {
                Origin::Forced => "the crs set for this layer in the project file",
                Origin::Prj => "the .prj",
                Origin::GeoJson => "the GeoJSON crs member",
                Origin::Assumed | Origin::AssumedOverFile => "assume_crs (--assume-crs)",
            }
        }

        /// Why it applies, when that is not obvious.
        fn why(self) -> &'static str {
            match self {
                Origin::Assumed => ": the file states none",
                Origin::AssumedOverFile => ": neither tuban nor PROJ understands the .prj",
                Origin::Forced | Origin::Prj | Origin::GeoJson => "",
            }
        }
    }

    pub(super) fn convert_if_outside(
        layer: &mut Layer,
        forced: Option<UserCrs<'_>>,
        assumed: Option<UserCrs<'_>>,
    ) -> Result<Option<LayerCrs>, Error> {
        match forced {
            Some(UserCrs::Builtin(_)) => return Ok(None),
            Some(UserCrs::External(text)) => return convert(layer, text, Origin::Forced).map(Some),
            None => {}
        }
        if let Some(text) = layer.crs_text.clone() {
            // The file's own statement comes first. The built-in set decides whatever it
            // recognises, legacy datums and contradictions included; only what it does not
            // understand at all goes to PROJ.
            // `label` names the file that holds the text (the .prj of a shapefile).
            let (reason, label) = match layer_crs(layer, None, None) {
                Err(LayerCrsError::Crs {
                    source: CrsError::Unrecognised { reason },
                    layer: label,
                }) => (reason, label),
                _ => return Ok(None),
            };
            let text = text.trim_start_matches('\u{feff}').trim();
            let proj_says = match probe(text) {
                Ok(_) => {
                    let origin = if is_geojson(layer) {
                        Origin::GeoJson
                    } else {
                        Origin::Prj
                    };
                    return convert(layer, text, origin).map(Some);
                }
                Err(why) => why,
            };
            // Neither reads it: as without PROJ, a .prj gives way to the user's assumption
            // (a GeoJSON crs member does not).
            if !is_geojson(layer) {
                match assumed {
                    Some(UserCrs::External(t)) => {
                        return convert(layer, t, Origin::AssumedOverFile).map(Some)
                    }
                    Some(UserCrs::Builtin(_)) => return Ok(None),
                    None => {}
                }
            }
            return Err(LayerCrsError::Crs {
                layer: label,
                source: CrsError::Unrecognised {
                    reason: format!("{reason}; nor can {}: {proj_says}", version()),
                },
            }
            .into());
        }
        match assumed {
            Some(UserCrs::External(t)) => convert(layer, t, Origin::Assumed).map(Some),
            _ => Ok(None),
        }
    }

    fn is_geojson(layer: &Layer) -> bool {
        layer
            .source
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
    }

    /// `text` on one line, cut to a readable length.
    fn abbrev(text: &str) -> String {
        let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() <= 160 {
            one_line
        } else {
            format!("{}…", one_line.chars().take(157).collect::<String>())
        }
    }

    /// Converts every coordinate of `layer` from `text` to EPSG:4490 (longitude, latitude) and
    /// settles the layer as EPSG:4490.
    fn convert(layer: &mut Layer, text: &str, origin: Origin) -> Result<LayerCrs, Error> {
        let label = layer.label();
        let version = version();
        let short = abbrev(text);
        let unsupported = |problem: String| {
            Error::Unsupported(format!(
                "{label}: {problem}; the CRS is {} \"{short}\"",
                origin.what()
            ))
        };
        let source = probe(text)
            .map_err(|why| unsupported(format!("{version} cannot read the CRS: {why}")))?;
        match source.acceptable(text).map_err(Refusal::into_crs_error) {
            Ok(()) => {}
            Err(Ok(e)) => {
                return Err(LayerCrsError::Crs {
                    layer: label,
                    source: e,
                }
                .into())
            }
            Err(Err(why)) => return Err(unsupported(why)),
        }

        // new_known_crs normalises both ends for visualisation: easting/longitude first, whatever
        // the authority's axis order (EPSG:4490 itself is latitude first).
        let proj = proj::Proj::new_known_crs(text, "EPSG:4490", None).map_err(|e| {
            unsupported(format!(
                "{version} finds no conversion from the CRS to EPSG:4490: {e}"
            ))
        })?;
        // The first failure, if any: (record, point, why). (geo's try_map_coords_in_place
        // cannot be instantiated on Geometry: its recursion through collections has no bound.)
        let failure: RefCell<Option<(usize, Coord<f64>, String)>> = RefCell::new(None);
        for feature in &mut layer.features {
            let record = feature.record;
            if let Some(g) = &mut feature.geometry {
                g.map_coords_in_place(|c: Coord<f64>| {
                    if failure.borrow().is_some() {
                        return c;
                    }
                    let why = match proj.convert((c.x, c.y)) {
                        Ok((x, y)) if x.is_finite() && y.is_finite() => return Coord { x, y },
                        Ok((x, y)) => format!("the result is ({x}, {y})"),
                        Err(e) => e.to_string(),
                    };
                    *failure.borrow_mut() = Some((record, c, why));
                    c
                });
            }
            if let Some((record, c, why)) = failure.take() {
                return Err(unsupported(format!(
                    "{version} cannot convert the point ({}, {}) of record {record} to EPSG:4490: {why}",
                    c.x, c.y
                )));
            }
        }

        let geographic = Crs::from_epsg(4490).expect("EPSG:4490 is built in");
        let extent = tuban_core::reproject::extent(layer);
        if let (Some(e), Some(area)) = (extent, &source.area_of_use) {
            area.check(e, &source.name, &version, &short)
                .map_err(|problem| LayerCrsError::Crs {
                    layer: label.clone(),
                    source: CrsError::Implausible {
                        problem,
                        likely: None,
                    },
                })?;
        }
        // Valid longitudes and latitudes (what EPSG:4490 checks).
        let mut settled = layer_crs(layer, Some(geographic), None)?;
        settled.how = format!(
            "{geographic}, converted by {version} from {} \"{short}\"{} (PROJ reads it as \"{}\", datum \"{}\")",
            origin.what(),
            origin.why(),
            source.name,
            source.datum
        );
        Ok(settled)
    }

    /// What PROJ makes of a CRS text.
    #[derive(Debug)]
    pub(super) struct SourceCrs {
        /// PROJ's name for the CRS (`unknown` for most PROJ strings).
        name: String,
        /// The geodetic datum's name.
        datum: String,
        /// The ellipsoid's name, semi-major axis (m) and inverse flattening (0 for a sphere).
        ellipsoid: (String, f64, f64),
        area_of_use: Option<AreaOfUse>,
    }

    /// Why a CRS PROJ reads is still refused.
    pub(super) enum Refusal {
        Legacy { datum: &'static str, found: String },
        Datum(String),
    }

    impl Refusal {
        /// A legacy datum as the built-in set reports it; else why the datum is refused.
        pub(super) fn into_crs_error(self) -> Result<CrsError, String> {
            match self {
                Refusal::Legacy { datum, found } => Ok(CrsError::LegacyDatum {
                    datum: datum.to_string(),
                    found,
                }),
                Refusal::Datum(why) => Err(why),
            }
        }
    }

    impl SourceCrs {
        /// Refuses legacy datums and datums PROJ could only shift to CGCS2000 by guessing.
        pub(super) fn acceptable(&self, text: &str) -> Result<(), Refusal> {
            let (ell, a, inv_f) = &self.ellipsoid;
            let datum = self.datum.to_lowercase().replace('_', " ");
            let near = |x: f64, y: f64, tol: f64| (x - y).abs() <= tol;
            let legacy = if datum.contains("new beijing") {
                Some("New Beijing")
            } else if datum.contains("beijing") {
                Some("Beijing 1954")
            } else if datum.contains("xian") || datum.contains("xi'an") {
                Some("Xian 1980")
            } else if near(*a, 6_378_245.0, 0.5) && near(*inv_f, 298.3, 1e-3) {
                // Krassowsky 1940: Beijing 1954 and New Beijing (and the city grids built on them).
                Some("Beijing 1954 / New Beijing")
            } else if near(*a, 6_378_140.0, 0.5) && near(*inv_f, 298.257, 1e-3) {
                // IAG 1975: Xian 1980.
                Some("Xian 1980")
            } else {
                None
            };
            if let Some(datum) = legacy {
                return Err(Refusal::Legacy {
                    datum,
                    found: format!(
                        "\"{}\" ({}), which PROJ reads as on the datum \"{}\" (ellipsoid {ell}),",
                        self.name,
                        abbrev(text),
                        self.datum
                    ),
                });
            }
            // GRS 1980 (and CGCS2000's, whose 1/f differs from it in the 13th digit) or WGS 84.
            let grs80 = near(*inv_f, 298.257_222_101, 1e-6);
            let wgs84 = near(*inv_f, 298.257_223_563, 1e-6);
            if !(near(*a, 6_378_137.0, 1e-3) && (grs80 || wgs84)) {
                return Err(Refusal::Datum(format!(
                    "PROJ reads it as \"{}\" on the datum \"{}\" (ellipsoid {ell}: a = {a} m, \
                     1/f = {inv_f}). tuban converts only CRSs on CGCS2000 or a datum that agrees \
                     with it to centimetres (WGS 84, or a local grid on the CGCS2000/GRS 1980 \
                     ellipsoid): from other datums PROJ's shift to CGCS2000 can be off by metres to \
                     hundreds of metres. Ask for the data in CGCS2000 (e.g. EPSG:4544, \
                     3-degree Gauss-Kruger CM 105E)",
                    self.name, self.datum
                )));
            }
            Ok(())
        }
    }

    /// A CRS's area of use, degrees.
    #[derive(Debug)]
    pub(super) struct AreaOfUse {
        name: String,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
    }

    impl AreaOfUse {
        /// Data spanning `e` = `[lon_min, lat_min, lon_max, lat_max]` must meet the area grown by
        /// one degree: a wrong code puts data far away, not just across a border.
        fn check(&self, e: [f64; 4], crs: &str, version: &str, text: &str) -> Result<(), String> {
            const MARGIN: f64 = 1.0;
            if self.west > self.east {
                return Ok(()); // crosses the antimeridian: not China, not worth the care
            }
            let meets = e[0] <= self.east + MARGIN
                && e[2] >= self.west - MARGIN
                && e[1] <= self.north + MARGIN
                && e[3] >= self.south - MARGIN;
            if meets {
                return Ok(());
            }
            Err(format!(
                "converted by {version} from {text}, the coordinates fall at longitude {:.4}..{:.4}, \
                 latitude {:.4}..{:.4}, outside where \"{crs}\" is used ({}: longitude {}..{}, \
                 latitude {}..{}): is this the layer's coordinate system?",
                e[0], e[2], e[1], e[3], self.name, self.west, self.east, self.south, self.north
            ))
        }
    }

    /// A PROJ context of our own, whose error messages are collected instead of printed.
    struct Context {
        ptr: *mut sys::PJ_CONTEXT,
        // Boxed: PROJ holds its address.
        log: Box<RefCell<Vec<String>>>,
    }

    unsafe extern "C" fn collect(app: *mut c_void, _level: c_int, msg: *const c_char) {
        if app.is_null() || msg.is_null() {
            return;
        }
        // SAFETY: `app` is the Box<RefCell<..>> of the live Context that installed this logger.
        let log = unsafe { &*(app as *const RefCell<Vec<String>>) };
        let msg = unsafe { CStr::from_ptr(msg) }
            .to_string_lossy()
            .into_owned();
        if let Ok(mut v) = log.try_borrow_mut() {
            v.push(msg);
        }
    }

    impl Context {
        fn new() -> Result<Context, String> {
            // SAFETY: plain constructor; checked for null.
            let ptr = unsafe { sys::proj_context_create() };
            if ptr.is_null() {
                return Err("cannot create a PROJ context".into());
            }
            let log = Box::new(RefCell::new(Vec::new()));
            // SAFETY: the logger's data outlives the context (dropped after it, see Drop).
            unsafe {
                sys::proj_log_level(ptr, sys::PJ_LOG_LEVEL_PJ_LOG_ERROR);
                sys::proj_log_func(
                    ptr,
                    &*log as *const RefCell<Vec<String>> as *mut c_void,
                    Some(collect),
                );
            }
            Ok(Context { ptr, log })
        }

        /// PROJ's last complaints, or its error string.
        fn error(&self) -> String {
            let logged: Vec<String> = self
                .log
                .borrow()
                .iter()
                .map(|m| m.trim_start_matches("proj_create: ").to_string())
                .collect();
            if !logged.is_empty() {
                return logged.join("; ");
            }
            // SAFETY: valid context; the string is owned by PROJ and copied at once.
            unsafe {
                let s = sys::proj_context_errno_string(self.ptr, sys::proj_context_errno(self.ptr));
                if s.is_null() {
                    "unknown error".into()
                } else {
                    CStr::from_ptr(s).to_string_lossy().into_owned()
                }
            }
        }

        fn wrap(&self, ptr: *mut sys::PJ) -> Option<Object<'_>> {
            (!ptr.is_null()).then_some(Object { ptr, _ctx: self })
        }
    }

    impl Drop for Context {
        fn drop(&mut self) {
            // SAFETY: every Object borrows the context, so all are destroyed by now.
            unsafe { sys::proj_context_destroy(self.ptr) };
        }
    }

    /// A PROJ object, destroyed with it.
    struct Object<'c> {
        ptr: *mut sys::PJ,
        _ctx: &'c Context,
    }

    impl Object<'_> {
        fn name(&self) -> String {
            // SAFETY: valid object; the string is owned by it and copied at once.
            let s = unsafe { sys::proj_get_name(self.ptr) };
            if s.is_null() {
                "unnamed".into()
            } else {
                unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
            }
        }
    }

    impl Drop for Object<'_> {
        fn drop(&mut self) {
            // SAFETY: created by PROJ, destroyed once.
            unsafe {
                sys::proj_destroy(self.ptr);
            }
        }
    }

    /// Reads `text` as PROJ would in `proj_create_crs_to_crs` (a PROJ string without
    /// `+type=crs` is taken as a CRS there too), and reports its name, datum, ellipsoid and area
    /// of use; or why PROJ cannot read it as a CRS on the Earth.
    pub(super) fn probe(text: &str) -> Result<SourceCrs, String> {
        let ctx = Context::new()?;
        let mut definition = text.to_string();
        let lower = text.to_ascii_lowercase();
        let proj_string = lower.starts_with("+proj=") || lower.starts_with("proj=");
        if proj_string && !lower.contains("type=crs") {
            definition.push_str(" +type=crs");
        }
        let c = CString::new(definition).map_err(|_| "the text holds a NUL byte".to_string())?;
        // SAFETY: valid context and C string.
        let crs = ctx
            .wrap(unsafe { sys::proj_create(ctx.ptr, c.as_ptr()) })
            .ok_or_else(|| ctx.error())?;
        // SAFETY: valid object.
        let kind = unsafe { sys::proj_get_type(crs.ptr) };
        if !(sys::PJ_TYPE_PJ_TYPE_CRS..=sys::PJ_TYPE_PJ_TYPE_OTHER_CRS).contains(&kind) {
            return Err(format!(
                "\"{}\" is not a coordinate reference system (a PROJ string needs +proj=... with \
                 its parameters, e.g. +proj=tmerc +lon_0=105.5 +x_0=500000 +ellps=GRS80)",
                crs.name()
            ));
        }
        let name = crs.name();
        // SAFETY: valid context and objects; results checked for null.
        let geodetic = ctx
            .wrap(unsafe { sys::proj_crs_get_geodetic_crs(ctx.ptr, crs.ptr) })
            .ok_or_else(|| {
                format!("\"{name}\" has no geodetic datum: PROJ cannot place it on the Earth")
            })?;
        let datum = ctx
            .wrap(unsafe { sys::proj_crs_get_datum_forced(ctx.ptr, geodetic.ptr) })
            .map_or_else(|| "unknown".to_string(), |d| d.name());
        let ellipsoid = ctx
            .wrap(unsafe { sys::proj_get_ellipsoid(ctx.ptr, geodetic.ptr) })
            .ok_or_else(|| format!("\"{name}\" has no ellipsoid"))?;
        let (mut a, mut b, mut computed, mut inv_f) = (0.0, 0.0, 0, 0.0);
        let ok = unsafe {
            sys::proj_ellipsoid_get_parameters(
                ctx.ptr,
                ellipsoid.ptr,
                &mut a,
                &mut b,
                &mut computed,
                &mut inv_f,
            )
        };
        if ok == 0 {
            return Err(format!(
                "PROJ gives no parameters for the ellipsoid of \"{name}\""
            ));
        }
        let (mut w, mut s, mut e, mut n) = (-1000.0, -1000.0, -1000.0, -1000.0);
        let mut area_name: *const c_char = std::ptr::null();
        let has_area = unsafe {
            sys::proj_get_area_of_use(
                ctx.ptr,
                crs.ptr,
                &mut w,
                &mut s,
                &mut e,
                &mut n,
                &mut area_name,
            )
        } != 0
            && [w, s, e, n].iter().all(|v| *v != -1000.0);
        let area_of_use = has_area.then(|| AreaOfUse {
            name: if area_name.is_null() {
                "unnamed area".into()
            } else {
                unsafe { CStr::from_ptr(area_name) }
                    .to_string_lossy()
                    .into_owned()
            },
            west: w,
            south: s,
            east: e,
            north: n,
        });
        Ok(SourceCrs {
            name,
            datum,
            ellipsoid: (ellipsoid.name(), a, inv_f),
            area_of_use,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use tuban_core::geo::{Geometry, Point};
        use tuban_core::layer::Feature;

        fn points(pts: &[(f64, f64)]) -> Layer {
            let mut l = Layer::new("t");
            l.source = Some("t.shp".into());
            for (i, (x, y)) in pts.iter().enumerate() {
                l.features.push(Feature::new(
                    i + 1,
                    Some(Geometry::Point(Point::new(*x, *y))),
                    vec![],
                ));
            }
            l
        }

        /// EPSG:4544 is northing-first by its EPSG definition and EPSG:4490 latitude-first: PROJ,
        /// normalised, must agree with tuban's own projection, easting and longitude first.
        #[test]
        fn proj_agrees_with_the_built_in_projection_longitude_first() {
            let gk = Crs::from_epsg(4544).unwrap();
            let pts = [
                (601_500.25, 3_304_000.5),
                (400_000.0, 2_500_000.0),
                (750_000.0, 4_500_000.0),
            ];
            let mut l = points(&pts);
            let r = convert(&mut l, "EPSG:4544", Origin::Forced).unwrap();
            assert_eq!(r.crs.epsg(), 4490);
            assert!(r.how.contains("converted by PROJ"), "{}", r.how);
            let mut worst = 0f64;
            for (f, (x, y)) in l.features.iter().zip(pts) {
                let Some(Geometry::Point(p)) = &f.geometry else {
                    panic!()
                };
                let (lon, lat) = gk.to_geographic(x, y);
                worst = worst.max((p.x() - lon).abs()).max((p.y() - lat).abs());
            }
            assert!(worst < 1e-9, "{worst} degrees");
        }

        #[test]
        fn legacy_and_foreign_datums_are_refused() {
            for text in [
                "EPSG:2383",
                "+proj=tmerc +lon_0=105.5 +x_0=500000 +ellps=krass",
                "+proj=tmerc +lon_0=105.5 +x_0=500000 +a=6378140 +rf=298.257",
            ] {
                assert!(
                    matches!(
                        probe(text).unwrap().acceptable(text),
                        Err(Refusal::Legacy { .. })
                    ),
                    "{text}"
                );
            }
            let hk = "EPSG:2326"; // Hong Kong 1980 Grid: International 1924
            assert!(matches!(
                probe(hk).unwrap().acceptable(hk),
                Err(Refusal::Datum(_))
            ));
            for text in [
                "+proj=tmerc +lon_0=105.5 +x_0=500000 +ellps=GRS80 +units=m +no_defs",
                "ESRI:102025",
                "EPSG:4480",
            ] {
                assert!(probe(text).unwrap().acceptable(text).is_ok(), "{text}");
            }
        }

        #[test]
        fn what_proj_cannot_read_says_why() {
            assert!(probe("+proj=tmerc +lon_0=abc").is_err());
            assert!(probe("EPSG:999999").is_err());
            let e =
                probe("+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad").unwrap_err();
            assert!(!e.is_empty());
        }

        #[test]
        fn a_wrong_code_puts_the_data_outside_its_area_of_use() {
            // Erping's Gauss-Kruger coordinates read as Lambert-93 (France).
            let mut l = points(&[(601_500.0, 3_304_000.0)]);
            let e = convert(&mut l, "EPSG:2154", Origin::Forced)
                .unwrap_err()
                .to_string();
            assert!(e.contains("t.shp") && e.contains("outside where"), "{e}");
        }
    }
}

#[cfg(all(test, not(feature = "proj")))]
mod tests {
    use super::*;

    #[test]
    fn without_the_feature_an_unknown_crs_hints_at_it_and_a_legacy_one_does_not() {
        let e = user_crs("+proj=tmerc +lon_0=105.5 +ellps=GRS80", "assume_crs")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("assume_crs") && e.contains("`proj` feature"),
            "{e}"
        );
        let e = user_crs("EPSG:2380", "assume_crs").unwrap_err().to_string();
        assert!(
            e.contains("Xian 1980") && !e.contains("`proj` feature"),
            "{e}"
        );
        assert_eq!(
            user_crs("EPSG:4544", "assume_crs").unwrap(),
            UserCrs::Builtin(Crs::from_epsg(4544).unwrap())
        );
    }
}
