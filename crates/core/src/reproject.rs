//! Bringing every layer into one coordinate system before the overlay.
//!
//! Each layer's CRS is decided by [`layer_crs`] (its `.prj` or GeoJSON `crs`, else what the user
//! assumed, else an error), checked against its coordinates, and the layer is then moved into the
//! **working CRS** ([`choose_working_crs`]): the patches' own, or, for patches in longitude/latitude, the
//! 3-degree Gauss-Kruger zone of their centre, since areas and clipping need metres.
//!
//! CGCS2000 and WGS84 are treated as the same datum: their realisations agree to a few
//! centimetres in China, far below the accuracy of a land survey, and no public transformation
//! between them is more exact. Legacy datums (Xian 1980, Beijing 1954) are refused when the CRS
//! is recognised (see [`crate::crs`]).

use geo::{Coord, Geometry, MapCoordsInPlace};
use thiserror::Error;

use crate::crs::{Crs, CrsError};
use crate::layer::Layer;

/// The CRS of a layer could not be settled.
#[derive(Debug, Error)]
pub enum LayerCrsError {
    /// The source states no CRS and the user assumed none.
    #[error("{layer}: no coordinate system is given ({hint}); say which CRS it is in (the run's assumed CRS, assume_crs, or this layer's crs), e.g. EPSG:4544 for CGCS2000 3-degree Gauss-Kruger CM 105E")]
    Missing {
        /// The layer's label.
        layer: String,
        /// Where tuban looked.
        hint: String,
    },
    /// The stated CRS is refused or not understood.
    #[error("{layer}: {source}")]
    Crs {
        /// The layer's label.
        layer: String,
        /// Why.
        source: CrsError,
    },
}

/// How a layer's CRS was settled.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCrs {
    /// The CRS.
    pub crs: Crs,
    /// How it was decided, for `tuban inspect` and the run's report.
    pub how: String,
}

/// Where a layer that is not GeoJSON states its CRS, for messages: the shapefile's `.prj`, a
/// GeoPackage's `gpkg_spatial_ref_sys`, a File Geodatabase feature class's geometry field, or
/// nothing for a layer built in memory.
fn stated_in(layer: &Layer) -> &'static str {
    let ext = layer
        .source
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("gpkg") => "the GeoPackage's gpkg_spatial_ref_sys",
        Some("gdb") => "the feature class's geometry field",
        _ if layer.source.is_none() => "the layer's stated CRS",
        _ => "the .prj",
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

/// Decides the CRS of `layer`.
///
/// - `forced` (the layer's `crs` in the project file) wins over everything;
/// - else the source's own statement (`.prj` WKT, GeoJSON `crs` name, or a GeoPackage's
///   `EPSG:NNNN` or WKT); a `.prj` that is not understood at all gives way to `assumed`, but a
///   recognised legacy datum never does;
/// - else `assumed` (the run's `assume_crs`);
/// - else, for GeoJSON, longitude/latitude on WGS84 as RFC 7946 prescribes;
/// - else an error.
///
/// The result is then checked against the layer's extent ([`Crs::check_coordinates`]), so a
/// `.prj` that contradicts the coordinates (metres under a geographic CRS, a zone prefix under a
/// no-prefix CRS, points far outside their zone) is an error that says what looks wrong.
pub fn layer_crs(
    layer: &Layer,
    forced: Option<Crs>,
    assumed: Option<Crs>,
) -> Result<LayerCrs, LayerCrsError> {
    let err = |source| LayerCrsError::Crs {
        layer: layer.label(),
        source,
    };
    let decided = if let Some(crs) = forced {
        LayerCrs {
            crs,
            how: format!("{crs}, set for this layer in the project file"),
        }
    } else if let Some(text) = &layer.crs_text {
        if is_geojson(layer) {
            let crs = Crs::from_geojson_name(text).map_err(err)?;
            LayerCrs {
                crs,
                how: format!("{crs}, from the GeoJSON crs member \"{text}\""),
            }
        } else {
            let stated = stated_in(layer);
            // A GeoPackage states its CRS by EPSG code when it can (see tuban_io::gpkg):
            // `EPSG:4544`, with no brackets, where a WKT always has them.
            let by_code =
                !text.contains(['[', '(']) && text.trim().to_ascii_uppercase().starts_with("EPSG:");
            let recognised = if !by_code {
                Crs::from_wkt(text)
            } else {
                Crs::from_geojson_name(text).map(|crs| crate::crs::Recognised {
                    crs,
                    how: format!("stated as {}", text.trim()),
                })
            };
            match (recognised, assumed) {
                (Ok(r), _) => LayerCrs {
                    crs: r.crs,
                    how: format!("{}, from {stated}: {}", r.crs, r.how),
                },
                // A .prj tuban cannot read gives way to what the user assumed; a recognised
                // legacy datum or a contradiction never does.
                (Err(CrsError::Unrecognised { .. }), Some(crs)) => LayerCrs {
                    crs,
                    how: format!(
                        "{crs}, assumed for the run (assume_crs): {stated} was not understood"
                    ),
                },
                // Text that is not a CRS at all: name the .prj that holds it.
                (Err(e @ CrsError::Unrecognised { .. }), None) => {
                    let label = layer.label();
                    let prj = match label.rsplit_once('.') {
                        Some((stem, ext)) if ext.eq_ignore_ascii_case("shp") => {
                            format!("{stem}.prj")
                        }
                        _ => label,
                    };
                    return Err(LayerCrsError::Crs {
                        layer: prj,
                        source: e,
                    });
                }
                (Err(e), _) => return Err(err(e)),
            }
        }
    } else if let Some(crs) = assumed {
        LayerCrs {
            crs,
            how: format!("{crs}, assumed for the run (assume_crs): the file states none"),
        }
    } else if is_geojson(layer) {
        let crs = Crs::from_epsg(4326).map_err(err)?;
        LayerCrs {
            crs,
            how: format!("{crs}: GeoJSON without a crs member is longitude/latitude (RFC 7946)"),
        }
    } else {
        let hint = match stated_in(layer) {
            "the .prj" => "no .prj file".to_string(),
            other => format!("{other} names none"),
        };
        return Err(LayerCrsError::Missing {
            layer: layer.label(),
            hint,
        });
    };
    if let Some(extent) = extent(layer) {
        decided.crs.check_coordinates(extent).map_err(err)?;
    }
    Ok(decided)
}

/// `[min_x, min_y, max_x, max_y]` over every coordinate of the layer, if it has any.
pub fn extent(layer: &Layer) -> Option<[f64; 4]> {
    let mut e = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut any = false;
    for f in &layer.features {
        if let Some(g) = &f.geometry {
            if let Some(r) = geo::BoundingRect::bounding_rect(g) {
                e[0] = e[0].min(r.min().x);
                e[1] = e[1].min(r.min().y);
                e[2] = e[2].max(r.max().x);
                e[3] = e[3].max(r.max().y);
                any = true;
            }
        }
    }
    any.then_some(e)
}

/// The CRS the overlay works in, why it was chosen, and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Working {
    /// The CRS.
    pub crs: Crs,
    /// Why this CRS, for the run's description.
    pub why: String,
    /// Set when the patches reach far from the CRS's central meridian: planar areas are
    /// distorted there (ellipsoidal areas are not: their vertices are inverse-projected).
    pub warning: Option<String>,
}

/// The CGCS2000 3-degree Gauss-Kruger zones' central meridians run from 75°E to 135°E; a zone
/// holds 1.5° either side.
const GK_WEST: f64 = 75.0 - 1.5;
const GK_EAST: f64 = 135.0 + 1.5;

/// Beyond this many degrees of longitude from the central meridian the working CRS's planar
/// scale error passes about 0.14 % of area at the equator (k ≈ 1 + (Δλ cos φ)² / 2): worth a
/// warning to anyone who reads the planar column.
const FAR_FROM_CM_DEG: f64 = 3.0;

/// The CRS the overlay works in for patches in `patches_crs` spanning `extent` (`[min_x, min_y,
/// max_x, max_y]` in that CRS):
///
/// - projected patches: their own CRS;
/// - longitude/latitude patches inside the CGCS2000 zones (73.5°E–136.5°E): the 3-degree
///   Gauss-Kruger zone (without prefix) whose central meridian is nearest their centre;
/// - longitude/latitude patches elsewhere: the WGS 84 / UTM zone of their centre, never a
///   Chinese zone far from the data (that would measure in a projection 100° or more away);
/// - beyond ±84° of latitude: an error (no transverse Mercator zone measures there well).
///
/// A [`Working::warning`] says when the patches reach more than 3° of longitude from the
/// central meridian.
///
/// ```
/// use tuban_core::crs::Crs;
/// use tuban_core::reproject::choose_working_crs;
/// let geographic = Crs::from_epsg(4490).unwrap();
/// let w = choose_working_crs(geographic, [106.0, 29.8, 106.1, 29.9]).unwrap();
/// assert_eq!(w.crs.epsg(), 4544); // CM 105E
/// // Colorado: not a Chinese zone 176° away, but UTM zone 12N (CM 111°W).
/// let wgs84 = Crs::from_epsg(4326).unwrap();
/// let w = choose_working_crs(wgs84, [-109.2, 38.0, -108.8, 38.4]).unwrap();
/// assert_eq!(w.crs.epsg(), 32612);
/// assert!(w.warning.is_none());
/// ```
pub fn choose_working_crs(patches_crs: Crs, extent: [f64; 4]) -> Result<Working, CrsError> {
    if !patches_crs.is_geographic() {
        return Ok(Working {
            crs: patches_crs,
            why: "the patches' own CRS".into(),
            warning: None,
        });
    }
    let (lon, lat) = ((extent[0] + extent[2]) / 2.0, (extent[1] + extent[3]) / 2.0);
    if !(-84.0..=84.0).contains(&lat) {
        return Err(CrsError::Unrecognised {
            reason: format!(
                "the patches lie at latitude {lat:.1}°, beyond ±84°, where no transverse Mercator zone measures well"
            ),
        });
    }
    let (crs, cm, why) = if (GK_WEST..GK_EAST).contains(&lon) {
        let cm = ((lon / 3.0).round() * 3.0).clamp(75.0, 135.0);
        let crs = Crs::gauss_kruger(3, cm as u32, false)?;
        let why = format!(
            "the CGCS2000 3-degree Gauss-Kruger zone of the patches' centre ({}): areas and clipping need metres",
            degrees(lon, lat)
        );
        (crs, cm, why)
    } else {
        let zone = (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1;
        let north = lat >= 0.0;
        let code = if north { 32600 } else { 32700 } + zone;
        let crs = Crs::from_epsg(code)?;
        let cm = 6.0 * zone as f64 - 183.0;
        let why = format!(
            "the WGS 84 / UTM zone of the patches' centre ({}), which lies outside the CGCS2000 Gauss-Kruger zones (73.5°E to 136.5°E): areas and clipping need metres, in a projection centred on the data",
            degrees(lon, lat)
        );
        (crs, cm, why)
    };
    let far = (extent[0] - cm).abs().max((extent[2] - cm).abs());
    let warning = (far > FAR_FROM_CM_DEG).then(|| {
        let phi = extent[1].abs().min(extent[3].abs()).min(84.0).to_radians();
        let k = 1.0 + (far.to_radians() * phi.cos()).powi(2) / 2.0;
        format!(
            "the patches span longitudes {:.2}° to {:.2}°, up to {far:.1}° from the central meridian of {crs}: planar areas there are up to {:.2} % larger than on the ground; ellipsoidal areas (the survey's, the default) are not affected",
            extent[0],
            extent[2],
            (k * k - 1.0) * 100.0
        )
    });
    Ok(Working { crs, why, warning })
}

/// `106.05°E 29.85°N`.
fn degrees(lon: f64, lat: f64) -> String {
    format!(
        "{:.2}°{} {:.2}°{}",
        lon.abs(),
        if lon < 0.0 { "W" } else { "E" },
        lat.abs(),
        if lat < 0.0 { "S" } else { "N" }
    )
}

/// Moves every coordinate of `layer` from `from` to `to`, through longitude/latitude.
/// A no-op when the two are the same.
pub fn reproject(layer: &mut Layer, from: Crs, to: Crs) {
    if from == to {
        return;
    }
    let a = from.projector();
    let b = to.projector();
    let f = |c: Coord<f64>| {
        let (lon, lat) = a.to_geographic(c.x, c.y);
        let (x, y) = b.from_geographic(lon, lat);
        Coord { x, y }
    };
    for feature in &mut layer.features {
        if let Some(g) = &mut feature.geometry {
            reproject_geometry(g, &f);
        }
    }
}

/// Moves every coordinate of `g` with `f`.
pub fn reproject_geometry(g: &mut Geometry<f64>, f: &impl Fn(Coord<f64>) -> Coord<f64>) {
    g.map_coords_in_place(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Feature;
    use geo::Point;

    #[test]
    fn a_geopackage_states_its_crs_by_code() {
        let l = layer_with(
            Some("EPSG:4544"),
            &[(601_500.0, 3_304_000.0)],
            "data/county.gpkg",
        );
        let c = layer_crs(&l, None, None).unwrap();
        assert_eq!(c.crs.epsg(), 4544);
        assert!(c.how.contains("gpkg_spatial_ref_sys"), "{}", c.how);
        // A code outside the built-in set gives way to --assume-crs, as a .prj tuban cannot
        // read does.
        let l = layer_with(Some("EPSG:2154"), &[(601_500.0, 3_304_000.0)], "a.gpkg");
        assert!(layer_crs(&l, None, None).is_err());
        let assumed = Crs::from_epsg(4544).ok();
        assert_eq!(layer_crs(&l, None, assumed).unwrap().crs.epsg(), 4544);
    }

    fn layer_with(crs_text: Option<&str>, pts: &[(f64, f64)], path: &str) -> Layer {
        let mut l = Layer::new("t");
        l.source = Some(path.into());
        l.crs_text = crs_text.map(String::from);
        for (i, (x, y)) in pts.iter().enumerate() {
            l.features.push(Feature::new(
                i + 1,
                Some(Geometry::Point(Point::new(*x, *y))),
                vec![],
            ));
        }
        l
    }

    #[test]
    fn missing_prj_is_an_error_naming_the_file_unless_assumed() {
        let l = layer_with(None, &[(601_500.0, 3_304_000.0)], "data/patches.shp");
        let e = layer_crs(&l, None, None).unwrap_err().to_string();
        assert!(
            e.contains("data/patches.shp") && e.contains("assume_crs"),
            "{e}"
        );
        let ok = layer_crs(&l, None, Some(Crs::from_epsg(4544).unwrap())).unwrap();
        assert_eq!(ok.crs.epsg(), 4544);
        assert!(ok.how.contains("assumed"));
    }

    #[test]
    fn an_unreadable_prj_gives_way_to_the_assumption_but_a_legacy_datum_does_not() {
        let gk = Crs::from_epsg(4544).unwrap();
        let junk = layer_with(
            Some("<html>404</html>"),
            &[(601_500.0, 3_304_000.0)],
            "j.shp",
        );
        assert!(layer_crs(&junk, None, None).is_err());
        assert_eq!(layer_crs(&junk, None, Some(gk)).unwrap().crs, gk);
        let xian = layer_with(
            Some(
                r#"PROJCS["Xian_1980_3_Degree_GK_CM_105E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#,
            ),
            &[(601_500.0, 3_304_000.0)],
            "x.shp",
        );
        let e = layer_crs(&xian, None, Some(gk)).unwrap_err().to_string();
        assert!(e.contains("Xian"), "{e}");
    }

    #[test]
    fn a_geographic_prj_over_metres_is_refused() {
        let l = layer_with(
            Some(
                r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#,
            ),
            &[(601_500.0, 3_304_000.0)],
            "x.shp",
        );
        let e = layer_crs(&l, None, None).unwrap_err().to_string();
        assert!(e.contains("x.shp"), "{e}");
    }

    #[test]
    fn geojson_without_crs_is_lon_lat_and_metres_there_are_caught() {
        let l = layer_with(None, &[(106.05, 29.85)], "p.geojson");
        assert_eq!(layer_crs(&l, None, None).unwrap().crs.epsg(), 4326);
        let l = layer_with(None, &[(601_500.0, 3_304_000.0)], "p.geojson");
        assert!(layer_crs(&l, None, None).is_err());
    }

    #[test]
    fn reprojection_between_prefixed_and_plain_zones_moves_by_the_prefix() {
        // EPSG:4523 (zone 35, prefixed) and EPSG:4544 (CM 105E) are the same projection; the
        // eastings differ by exactly 35 000 000 m.
        let mut l = layer_with(None, &[(601_500.25, 3_304_000.5)], "x.shp");
        reproject(
            &mut l,
            Crs::from_epsg(4544).unwrap(),
            Crs::from_epsg(4523).unwrap(),
        );
        let Some(Geometry::Point(p)) = &l.features[0].geometry else {
            panic!()
        };
        assert!(
            (p.x() - 35_601_500.25).abs() < 1e-6 && (p.y() - 3_304_000.5).abs() < 1e-6,
            "{p:?}"
        );
    }
}
