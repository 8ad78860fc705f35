//! Transverse Mercator (Gauss-Kruger) by the Krüger series to 6th order in the third flattening.
//!
//! The method is that of C. F. F. Karney, "Transverse Mercator with an accuracy of a few
//! nanometers", J. Geodesy 85 (2011) 475–485, doi:10.1007/s00190-011-0445-3 (the algorithm of
//! GeographicLib's `TransverseMercator`; PROJ's default `tmerc` evaluates the same series):
//!
//! 1. geodetic latitude φ → conformal latitude χ, through τ = tan φ and τ′ = tan χ in closed
//!    form (no series);
//! 2. conformal (χ, λ) → spherical transverse Mercator (ξ′, η′), closed form;
//! 3. (ξ′, η′) → ellipsoidal (ξ, η) by Krüger's series ζ = ζ′ + Σ αⱼ sin 2jζ′ in the complex
//!    variable ζ = ξ + iη, with the αⱼ carried to n⁶ (n the third flattening);
//! 4. scaling by k0 and the rectifying radius A = a/(1+n) (1 + n²/4 + n⁴/64 + n⁶/256).
//!
//! The inverse runs the steps backwards with the βⱼ series, then goes from conformal latitude χ
//! to geodetic φ by the series φ = χ + Σ δⱼ sin 2jχ, also to n⁶ (the coefficients of PROJ's
//! `tmerc`, after Poder & Engsager). That series is about three times cheaper than Karney's
//! Newton iteration on τ′ — which matters, since the ellipsoidal area inverse-projects every
//! vertex of every polygon — and its truncation error, O(n⁷) ≈ 1e-19 rad, is far below rounding
//! (a unit test checks it against the Newton iteration). Truncating Krüger's series at n⁶ leaves
//! an error of about 5 nm within 3900 km of the central meridian (Karney 2011), far inside the
//! 1 mm tuban needs; measured against PROJ, the difference is below 8 nm (tests/crs_tm.rs).

use super::ellipsoid::Ellipsoid;

/// Order of the Krüger series. Karney (2011) shows that order 6 keeps the truncation error below
/// 5 nm for |x| < 3900 km on the WGS 84 / GRS80 / CGCS2000 ellipsoids.
const ORDER: usize = 6;

/// A transverse Mercator projection on an ellipsoid with all its constants precomputed.
///
/// Coordinates are `(lon, lat)` in degrees and `(x, y)` = (easting, northing) in metres: x
/// first, as in GIS software (the Chinese survey writes X for the northing; this crate does not).
///
/// ```
/// use tuban_core::crs::{Ellipsoid, TransverseMercator};
///
/// // CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544).
/// let tm = TransverseMercator::new(Ellipsoid::CGCS2000, 105.0, 1.0, 500000.0, 0.0);
/// let (x, y) = tm.forward(106.05, 29.85);
/// // `echo 29.85 106.05 | cs2cs -d 6 EPSG:4490 EPSG:4544` (PROJ 9.1) prints
/// // `3303948.507226 601465.494637`: northing first, in EPSG's axis order.
/// assert!((x - 601465.494637).abs() < 1e-6 && (y - 3303948.507226).abs() < 1e-6);
/// let (lon, lat) = tm.inverse(x, y);
/// assert!((lon - 106.05).abs() < 1e-12 && (lat - 29.85).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TransverseMercator {
    ellipsoid: Ellipsoid,
    central_meridian: f64,
    k0: f64,
    false_easting: f64,
    false_northing: f64,
    /// First eccentricity e (signed as in Karney's `eatanhe`; positive for an oblate ellipsoid).
    e: f64,
    /// k0 · A, the rectifying radius times the scale on the central meridian.
    k0_a: f64,
    /// Krüger series coefficients α₁..α₆ (index 0 unused), forward.
    alpha: [f64; ORDER + 1],
    /// Krüger series coefficients β₁..β₆ (index 0 unused), inverse.
    beta: [f64; ORDER + 1],
    /// Conformal → geodetic latitude series coefficients δ₁..δ₆ (index 0 unused).
    delta: [f64; ORDER + 1],
}

impl TransverseMercator {
    /// A transverse Mercator projection on `ellipsoid` with central meridian `central_meridian`
    /// (degrees), scale `k0` on that meridian, and false easting / northing in metres. The
    /// latitude of origin is the equator (true of every CRS tuban knows).
    pub fn new(
        ellipsoid: Ellipsoid,
        central_meridian: f64,
        k0: f64,
        false_easting: f64,
        false_northing: f64,
    ) -> TransverseMercator {
        let n = ellipsoid.n();
        let n2 = n * n;
        // Rectifying radius A, the series in n² to n⁶ evaluated by Horner.
        let a_rect =
            ellipsoid.a / (1.0 + n) * (1.0 + n2 * (1.0 / 4.0 + n2 * (1.0 / 64.0 + n2 / 256.0)));
        // αⱼ (forward) and βⱼ (inverse) of Krüger's series carried to n⁶, as tabulated by Karney
        // (2011). Each is nʲ times a polynomial in n evaluated by Horner's rule; the rationals
        // are exact.
        let poly = |coeffs: &[f64]| coeffs.iter().rev().fold(0.0, |acc, c| acc * n + c);
        let mut alpha = [0.0; ORDER + 1];
        let mut beta = [0.0; ORDER + 1];
        alpha[1] = n * poly(&[
            1.0 / 2.0,
            -2.0 / 3.0,
            5.0 / 16.0,
            41.0 / 180.0,
            -127.0 / 288.0,
            7891.0 / 37800.0,
        ]);
        alpha[2] = n2
            * poly(&[
                13.0 / 48.0,
                -3.0 / 5.0,
                557.0 / 1440.0,
                281.0 / 630.0,
                -1983433.0 / 1935360.0,
            ]);
        alpha[3] = n2
            * n
            * poly(&[
                61.0 / 240.0,
                -103.0 / 140.0,
                15061.0 / 26880.0,
                167603.0 / 181440.0,
            ]);
        alpha[4] = n2 * n2 * poly(&[49561.0 / 161280.0, -179.0 / 168.0, 6601661.0 / 7257600.0]);
        alpha[5] = n2 * n2 * n * poly(&[34729.0 / 80640.0, -3418889.0 / 1995840.0]);
        alpha[6] = n2 * n2 * n2 * (212378941.0 / 319334400.0);
        beta[1] = n * poly(&[
            1.0 / 2.0,
            -2.0 / 3.0,
            37.0 / 96.0,
            -1.0 / 360.0,
            -81.0 / 512.0,
            96199.0 / 604800.0,
        ]);
        beta[2] = n2
            * poly(&[
                1.0 / 48.0,
                1.0 / 15.0,
                -437.0 / 1440.0,
                46.0 / 105.0,
                -1118711.0 / 3870720.0,
            ]);
        beta[3] = n2
            * n
            * poly(&[
                17.0 / 480.0,
                -37.0 / 840.0,
                -209.0 / 4480.0,
                5569.0 / 90720.0,
            ]);
        beta[4] = n2 * n2 * poly(&[4397.0 / 161280.0, -11.0 / 504.0, -830251.0 / 7257600.0]);
        beta[5] = n2 * n2 * n * poly(&[4583.0 / 161280.0, -108847.0 / 3991680.0]);
        beta[6] = n2 * n2 * n2 * (20648693.0 / 638668800.0);
        // φ − χ = Σ δⱼ sin 2jχ to n⁶: PROJ's `cgb` coefficients (Gaussian → geodetic).
        let mut delta = [0.0; ORDER + 1];
        delta[1] = n * poly(&[
            2.0,
            -2.0 / 3.0,
            -2.0,
            116.0 / 45.0,
            26.0 / 45.0,
            -2854.0 / 675.0,
        ]);
        delta[2] = n2
            * poly(&[
                7.0 / 3.0,
                -8.0 / 5.0,
                -227.0 / 45.0,
                2704.0 / 315.0,
                2323.0 / 945.0,
            ]);
        delta[3] = n2
            * n
            * poly(&[
                56.0 / 15.0,
                -136.0 / 35.0,
                -1262.0 / 105.0,
                73814.0 / 2835.0,
            ]);
        delta[4] = n2 * n2 * poly(&[4279.0 / 630.0, -332.0 / 35.0, -399572.0 / 14175.0]);
        delta[5] = n2 * n2 * n * poly(&[4174.0 / 315.0, -144838.0 / 6237.0]);
        delta[6] = n2 * n2 * n2 * (601676.0 / 22275.0);
        TransverseMercator {
            ellipsoid,
            central_meridian,
            k0,
            false_easting,
            false_northing,
            e: ellipsoid.e(),
            k0_a: k0 * a_rect,
            alpha,
            beta,
            delta,
        }
    }

    /// The ellipsoid.
    pub fn ellipsoid(&self) -> Ellipsoid {
        self.ellipsoid
    }

    /// The central meridian, degrees east.
    pub fn central_meridian(&self) -> f64 {
        self.central_meridian
    }

    /// Scale factor on the central meridian.
    pub fn k0(&self) -> f64 {
        self.k0
    }

    /// False easting, metres.
    pub fn false_easting(&self) -> f64 {
        self.false_easting
    }

    /// False northing, metres.
    pub fn false_northing(&self) -> f64 {
        self.false_northing
    }

    /// Geographic `(lon, lat)` in degrees to projected `(x, y)` = (easting, northing) in metres.
    ///
    /// Valid (to nanometres) within a few degrees of the central meridian; the series converges
    /// for |lon − central meridian| < 90°, with accuracy decaying far from it.
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        let lam = (lon - self.central_meridian).to_radians();
        let phi = lat.to_radians();
        let (sin_lam, cos_lam) = lam.sin_cos();
        // Conformal latitude via τ′ = tan χ, closed form. At the poles
        // tan φ = ±∞ and τ′ follows it; atan2 then gives ξ′ = ±π/2.
        let taup = taupf(phi.tan(), self.e);
        // Spherical transverse Mercator. hypot keeps η′ finite near λ = 90°.
        let xip = taup.atan2(cos_lam);
        let etap = (sin_lam / taup.hypot(cos_lam)).asinh();
        // ζ = ζ′ + Σ αⱼ sin(2jζ′), summed by Clenshaw's recurrence in complex arithmetic (as
        // GeographicLib does): one complex cos/sin of 2ζ′ instead of 2·6 trigonometric and
        // hyperbolic evaluations.
        let (xi, eta) = clenshaw_sin(&self.alpha, xip, etap);
        (
            self.false_easting + self.k0_a * (etap + eta),
            self.false_northing + self.k0_a * (xip + xi),
        )
    }

    /// Projected `(x, y)` = (easting, northing) in metres to geographic `(lon, lat)` in degrees.
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let (lam, phi) = self.inverse_radians(x, y);
        (self.central_meridian + lam.to_degrees(), phi.to_degrees())
    }

    /// The inverse in radians: (longitude east of the central meridian, latitude). The area
    /// computation uses this directly: it needs longitude differences only, and skipping the
    /// round trip through degrees keeps every bit.
    pub(crate) fn inverse_radians(&self, x: f64, y: f64) -> (f64, f64) {
        let xi = (y - self.false_northing) / self.k0_a;
        let eta = (x - self.false_easting) / self.k0_a;
        // ζ′ = ζ − Σ βⱼ sin(2jζ), the same recurrence.
        let (dxi, deta) = clenshaw_sin(&self.beta, xi, eta);
        let xip = xi - dxi;
        let etap = eta - deta;
        // Back from the sphere: λ = atan2(sinh η′, cos ξ′) and the conformal
        // latitude χ = atan(τ′) with τ′ = sin ξ′ / hypot(sinh η′, cos ξ′); atan2 makes the poles
        // (hypot = 0) come out as ±90° without a special case.
        let (s, _) = sinh_cosh(etap);
        let (sin_xip, cos_xip) = xip.sin_cos();
        let r = s.hypot(cos_xip);
        let lam = s.atan2(cos_xip);
        let chi = sin_xip.atan2(r);
        // Conformal → geodetic latitude: φ = χ + Σ δⱼ sin(2jχ), Clenshaw-summed.
        let (s2, c2) = (2.0 * chi).sin_cos();
        let (mut b1, mut b2) = (0.0, 0.0);
        for &dj in self.delta[1..].iter().rev() {
            (b1, b2) = (dj + 2.0 * c2 * b1 - b2, b1);
        }
        (lam, chi + s2 * b1)
    }
}

/// (sinh x, cosh x) from one `exp_m1`, accurate for small x as well:
/// sinh |x| = m (m + 2) / (2 (m + 1)), cosh x = 1 + m² / (2 (m + 1)), m = e^|x| − 1.
/// (Working with |x| keeps m + 1 away from zero for large negative x.)
fn sinh_cosh(x: f64) -> (f64, f64) {
    let m = x.abs().exp_m1();
    let d = 2.0 * (m + 1.0);
    ((m * (m + 2.0) / d).copysign(x), 1.0 + m * m / d)
}

/// `Σ_{j=1..6} c[j] sin(2j ζ)` for complex ζ = ξ + iη, returned as (real, imaginary) parts, by
/// Clenshaw summation: `b_j = c_j + 2 cos(2ζ) b_{j+1} − b_{j+2}`, result `sin(2ζ) b_1`.
fn clenshaw_sin(c: &[f64; ORDER + 1], xi: f64, eta: f64) -> (f64, f64) {
    let (s0, c0) = (2.0 * xi).sin_cos();
    let (sh0, ch0) = sinh_cosh(2.0 * eta);
    // 2 cos(2ζ) = 2 (cos 2ξ cosh 2η − i sin 2ξ sinh 2η)
    let (ar, ai) = (2.0 * c0 * ch0, -2.0 * s0 * sh0);
    // (b_{j+1}, b_{j+2}) as complex numbers.
    let (mut b1r, mut b1i) = (0.0, 0.0);
    let (mut b2r, mut b2i) = (0.0, 0.0);
    for &cj in c[1..].iter().rev() {
        let br = ar * b1r - ai * b1i - b2r + cj;
        let bi = ai * b1r + ar * b1i - b2i;
        (b2r, b2i) = (b1r, b1i);
        (b1r, b1i) = (br, bi);
    }
    // sin(2ζ) = sin 2ξ cosh 2η + i cos 2ξ sinh 2η
    let (sr, si) = (s0 * ch0, c0 * sh0);
    (sr * b1r - si * b1i, si * b1r + sr * b1i)
}

/// `e · atanh(e · x)`, Karney's `eatanhe` for an oblate ellipsoid.
fn eatanhe(x: f64, e: f64) -> f64 {
    e * (e * x).atanh()
}

/// τ′ = tan χ (conformal latitude) from τ = tan φ–(9):
/// τ′ = τ √(1 + σ²) − σ √(1 + τ²), σ = sinh(e atanh(e τ/√(1+τ²))). Exact, no series.
fn taupf(tau: f64, e: f64) -> f64 {
    if !tau.is_finite() {
        return tau;
    }
    let tau1 = 1.0_f64.hypot(tau);
    let sig = eatanhe(tau / tau1, e).sinh();
    1.0_f64.hypot(sig) * tau - sig * tau1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// τ = tan φ from τ′ = tan χ by Newton's method–(21), using
    /// dτ′/dτ = (1 − e²) √(1+τ′²) √(1+τ²) / (1 + (1 − e²) τ²). Starting from τ′/(1 − e²) it converges
    /// to machine precision in two or three steps; the tolerance is GeographicLib's √ε/10.
    fn tauf(taup: f64, e: f64, e2m: f64) -> f64 {
        const NUMIT: usize = 5;
        let tol = f64::EPSILON.sqrt() / 10.0;
        let stol = tol * taup.abs().max(1.0);
        // For |τ′| > 70 the start τ′·exp(e atanh e) is closer (Karney's choice); both converge.
        let mut tau = if taup.abs() > 70.0 {
            taup * eatanhe(1.0, e).exp()
        } else {
            taup / e2m
        };
        for _ in 0..NUMIT {
            let taupa = taupf(tau, e);
            let dtau = (taup - taupa) * (1.0 + e2m * tau * tau)
                / (e2m * 1.0_f64.hypot(tau) * 1.0_f64.hypot(taupa));
            tau += dtau;
            if dtau.abs() < stol {
                break;
            }
        }
        tau
    }

    #[test]
    fn latitude_series_matches_newton() {
        // The inverse's conformal → geodetic series against Karney's Newton iteration on τ′.
        let ell = Ellipsoid::CGCS2000;
        let (e, e2m) = (ell.e(), 1.0 - ell.e2());
        let tm = TransverseMercator::new(ell, 0.0, 1.0, 0.0, 0.0);
        for i in 0..=180 {
            let lat = -90.0 + f64::from(i);
            let taup = taupf(lat.to_radians().tan(), e);
            let newton = tauf(taup, e, e2m).atan();
            // The same χ through the inverse: on the central meridian x = 0.
            let (_, y) = tm.forward(0.0, lat);
            let (_, phi) = tm.inverse_radians(0.0, y);
            assert!((phi - newton).abs() < 5e-16, "{lat}: {phi} vs {newton}");
        }
    }

    #[test]
    fn central_meridian_and_equator() {
        let tm = TransverseMercator::new(Ellipsoid::CGCS2000, 105.0, 1.0, 500000.0, 0.0);
        let (x, y) = tm.forward(105.0, 0.0);
        assert!((x - 500000.0).abs() < 1e-9 && y.abs() < 1e-9);
        // Quarter meridian of GRS80/CGCS2000: 10001965.7293 m (Moritz 1980).
        let (_, y) = tm.forward(105.0, 90.0);
        assert!((y - 10001965.7293).abs() < 1e-3, "{y}");
        let (lon, lat) = tm.inverse(500000.0, 10001965.729312723);
        assert!((lat - 90.0).abs() < 1e-9 && lon.is_finite());
    }

    #[test]
    fn symmetric() {
        let tm = TransverseMercator::new(Ellipsoid::CGCS2000, 105.0, 1.0, 0.0, 0.0);
        let (x1, y1) = tm.forward(107.0, 30.0);
        let (x2, y2) = tm.forward(103.0, -30.0);
        assert!((x1 + x2).abs() < 1e-9 && (y1 + y2).abs() < 1e-9);
    }
}
