//! How an area is measured: on the projection's plane, or on the ellipsoid as the survey does.
//!
//! The overlay works in a local frame (every coordinate shifted by an origin near the patch) to keep
//! floating-point error small; an [`AreaMeasure`] receives the local geometry and the origin, so a
//! measure that needs real coordinates (the ellipsoidal one inverse-projects each vertex) can
//! rebuild them, while the planar one ignores the shift, which changes no planar area.

use geo::{Area, Coord, MultiPolygon};
use serde::{Deserialize, Serialize};

use crate::kernel::Seg;

/// Which area a number is: the planar area in the layer's projected CRS, or the ellipsoidal area
/// (图斑椭球面积) the land survey reports.
///
/// The default is [`crate::defaults::AREA_METHOD`], the survey's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AreaMethod {
    /// Shoelace area of the projected coordinates.
    Planar,
    /// Area on the CGCS2000 ellipsoid by the survey's trapezoid formula.
    #[default]
    Ellipsoidal,
}

impl AreaMethod {
    /// `"planar"` or `"ellipsoidal"`, as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaMethod::Planar => "planar",
            AreaMethod::Ellipsoidal => "ellipsoidal",
        }
    }
}

impl std::str::FromStr for AreaMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "planar" => Ok(AreaMethod::Planar),
            "ellipsoidal" => Ok(AreaMethod::Ellipsoidal),
            other => Err(format!(
                "unknown area method '{other}': use 'planar' or 'ellipsoidal'"
            )),
        }
    }
}

/// Something that measures the area of a polygon given in a local frame.
pub trait AreaMeasure: Send + Sync {
    /// Area in square metres of `local`, whose real coordinates are `local + origin`.
    fn area(&self, local: &MultiPolygon<f64>, origin: Coord<f64>) -> f64;
    /// Area in square metres enclosed by closed cycles of directed pieces given in the local frame
    /// (the boundary of an intersection as the area kernel returns it, [`crate::kernel`]):
    /// positive counter-clockwise. The same sum as [`AreaMeasure::area`] takes over a polygon's
    /// rings, taken over the pieces.
    fn pieces_area(&self, pieces: &[Seg], origin: Coord<f64>) -> f64;
    /// Which method this is.
    fn method(&self) -> AreaMethod;
    /// A sentence for reports, e.g. "planar, in the patches' projected CRS".
    fn describe(&self) -> String;
}

/// Planar (shoelace) area. geo's `unsigned_area` shifts each ring by its first vertex before
/// summing, so it keeps full precision even on raw Gauss-Kruger coordinates.
///
/// ```
/// use geo::{polygon, Coord, MultiPolygon};
/// use tuban_core::area::{AreaMeasure, Planar};
/// let sq = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)]]);
/// assert_eq!(Planar.area(&sq, Coord { x: 601_000.0, y: 3_304_000.0 }), 4.0);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Planar;

impl AreaMeasure for Planar {
    fn area(&self, local: &MultiPolygon<f64>, _origin: Coord<f64>) -> f64 {
        local.unsigned_area()
    }
    fn pieces_area(&self, pieces: &[Seg], _origin: Coord<f64>) -> f64 {
        crate::kernel::planar_area(pieces)
    }
    fn method(&self) -> AreaMethod {
        AreaMethod::Planar
    }
    fn describe(&self) -> String {
        "planar: shoelace area in the patches' projected coordinates".into()
    }
}

/// Ellipsoidal area by the land survey's method (图斑椭球面积): every vertex is inverse-projected
/// to latitude and longitude and the ellipsoidal trapezoids are summed (see
/// [`crate::crs::EllipsoidalArea`]), on the CRS's ellipsoid (CGCS2000 for Chinese data).
#[derive(Debug, Clone)]
pub struct Ellipsoidal {
    inner: crate::crs::EllipsoidalArea,
}

impl Ellipsoidal {
    /// The survey's area for coordinates in `crs`.
    pub fn new(crs: &crate::crs::Crs) -> Result<Self, crate::crs::CrsError> {
        Ok(Ellipsoidal {
            inner: crate::crs::EllipsoidalArea::new(crs)?,
        })
    }
}

impl AreaMeasure for Ellipsoidal {
    fn area(&self, local: &MultiPolygon<f64>, origin: Coord<f64>) -> f64 {
        self.inner.area_with_offset(local, (origin.x, origin.y))
    }
    fn pieces_area(&self, pieces: &[Seg], origin: Coord<f64>) -> f64 {
        self.inner
            .signed_area_of_segments(pieces, (origin.x, origin.y))
    }
    fn method(&self) -> AreaMethod {
        AreaMethod::Ellipsoidal
    }
    fn describe(&self) -> String {
        let crs = self.inner.crs();
        let e = crs.ellipsoid();
        format!(
            "ellipsoidal: the survey's trapezoid formula (国土调查办发〔2008〕32号, TD/T 1055-2019) on the {} ellipsoid (a = {}, 1/f = {}), vertices inverse-projected from {}",
            crs.datum().name(),
            e.a,
            e.inverse_flattening(),
            crs
        )
    }
}
