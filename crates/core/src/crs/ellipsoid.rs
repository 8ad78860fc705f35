//! Reference ellipsoids: the two numbers (`a`, `f`) every other computation starts from.

use serde::{Deserialize, Serialize};

/// An ellipsoid of revolution, given by its semi-major axis `a` (metres) and flattening `f`.
///
/// ```
/// use tuban_core::crs::Ellipsoid;
///
/// let e = Ellipsoid::CGCS2000;
/// assert_eq!(e.a, 6378137.0);
/// assert!((e.b() - 6356752.314140356).abs() < 1e-6);
/// // GRS80 differs from CGCS2000 only in the 10th significant digit of f.
/// assert!((Ellipsoid::GRS80.f - e.f).abs() < 2e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ellipsoid {
    /// Semi-major (equatorial) axis, metres.
    pub a: f64,
    /// Flattening `(a − b) / a`.
    pub f: f64,
}

impl Ellipsoid {
    /// China Geodetic Coordinate System 2000 (EPSG:1024): a = 6378137, 1/f = 298.257222101.
    pub const CGCS2000: Ellipsoid = Ellipsoid {
        a: 6378137.0,
        f: 1.0 / 298.257222101,
    };
    /// WGS 84 (EPSG:7030): a = 6378137, 1/f = 298.257223563.
    pub const WGS84: Ellipsoid = Ellipsoid {
        a: 6378137.0,
        f: 1.0 / 298.257223563,
    };
    /// GRS 1980 (EPSG:7019). Its flattening is derived from J2; the value here,
    /// 1/298.257222100882711 (to the precision of a float64), is the one GeographicLib uses. (PROJ rounds it to
    /// 1/298.257222101, which makes it identical to [`Ellipsoid::CGCS2000`].)
    pub const GRS80: Ellipsoid = Ellipsoid {
        a: 6378137.0,
        f: 1.0 / 298.257_222_100_882_7,
    };
    /// Krasovsky 1940 (EPSG:7024), the ellipsoid of Beijing 1954 and New Beijing:
    /// a = 6378245, 1/f = 298.3.
    pub const KRASOVSKY_1940: Ellipsoid = Ellipsoid {
        a: 6378245.0,
        f: 1.0 / 298.3,
    };
    /// IAG 1975 (EPSG:7049; PROJ calls it `IAU76`), the ellipsoid of Xian 1980:
    /// a = 6378140, 1/f = 298.257.
    pub const IAG_75: Ellipsoid = Ellipsoid {
        a: 6378140.0,
        f: 1.0 / 298.257,
    };

    /// An ellipsoid from its semi-major axis and inverse flattening `1/f` (as WKT states it);
    /// an inverse flattening of 0 means a sphere, as in WKT.
    pub fn from_inverse_flattening(a: f64, inverse_flattening: f64) -> Ellipsoid {
        let f = if inverse_flattening == 0.0 {
            0.0
        } else {
            1.0 / inverse_flattening
        };
        Ellipsoid { a, f }
    }

    /// Semi-minor (polar) axis `b = a (1 − f)`, metres.
    pub fn b(&self) -> f64 {
        self.a * (1.0 - self.f)
    }

    /// First eccentricity squared `e² = f (2 − f) = (a² − b²) / a²`.
    pub fn e2(&self) -> f64 {
        self.f * (2.0 - self.f)
    }

    /// First eccentricity `e`.
    pub fn e(&self) -> f64 {
        self.e2().sqrt()
    }

    /// Third flattening `n = f / (2 − f) = (a − b) / (a + b)`, the small parameter of the Krüger
    /// series.
    pub fn n(&self) -> f64 {
        self.f / (2.0 - self.f)
    }

    /// Inverse flattening `1/f` (0 for a sphere, as WKT writes it).
    pub fn inverse_flattening(&self) -> f64 {
        if self.f == 0.0 {
            0.0
        } else {
            1.0 / self.f
        }
    }

    /// True if `self` has the same axis (to 1 mm) and inverse flattening (to 1e-6) as `other`:
    /// the tolerance WKT's printed digits allow.
    pub fn matches(&self, other: &Ellipsoid) -> bool {
        (self.a - other.a).abs() < 1e-3
            && (self.inverse_flattening() - other.inverse_flattening()).abs() < 1e-6
    }
}
