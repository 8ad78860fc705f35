//! Web Mercator (EPSG:3857, "Popular Visualisation Pseudo Mercator").

/// The web-map projection: spherical Mercator equations (radius 6378137 m) applied to WGS 84
/// longitude/latitude, as EPSG method 1024 defines it. Not conformal on the ellipsoid, which is
/// why tuban measures areas after inverse-projecting, never in this plane.
///
/// ```
/// use tuban_core::crs::WebMercator;
/// let (x, y) = WebMercator.forward(106.05, 29.85);
/// // `echo 29.85 106.05 | cs2cs -d 4 EPSG:4326 EPSG:3857` (PROJ 9.1) prints
/// // 11805431.9986 3484283.2771.
/// assert!((x - 11805431.9986).abs() < 1e-4 && (y - 3484283.2771).abs() < 1e-4);
/// let (lon, lat) = WebMercator.inverse(x, y);
/// assert!((lon - 106.05).abs() < 1e-12 && (lat - 29.85).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WebMercator;

/// The sphere's radius: WGS 84's semi-major axis.
const R: f64 = 6_378_137.0;

impl WebMercator {
    /// `(lon, lat)` degrees to `(x, y)` metres: x = R λ, y = R asinh(tan φ)
    /// (= R ln tan(π/4 + φ/2), in the form that stays accurate near the equator).
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        (R * lon.to_radians(), R * lat.to_radians().tan().asinh())
    }

    /// `(x, y)` metres to `(lon, lat)` degrees: φ = atan(sinh(y / R)).
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        ((x / R).to_degrees(), (y / R).sinh().atan().to_degrees())
    }
}
