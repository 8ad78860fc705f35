//! The land survey's ellipsoidal area (图斑椭球面积).
//!
//! The method is that of 国土调查办发〔2008〕32号 "图幅理论面积与图斑椭球面积计算公式及要求", carried into
//! the Third National Land Survey (TD/T 1055-2019) with CGCS2000 parameters: inverse-project each
//! vertex to geodetic (B, L) (after stripping any zone prefix), then add, edge by edge, the signed
//! area of the ellipsoidal trapezoid between the edge and a reference meridian:
//!
//! ```text
//! S = 2 b² ΔL [A sin(ΔB/2) cos Bm − B sin(3ΔB/2) cos 3Bm + C sin(5ΔB/2) cos 5Bm
//!              − D sin(7ΔB/2) cos 7Bm + E sin(9ΔB/2) cos 9Bm]
//! ```
//!
//! with ΔL the edge's mean longitude minus the reference meridian (radians), ΔB = B₂ − B₁,
//! Bm = (B₁ + B₂)/2 and A..E the series coefficients in e² (see [`SurveyFormula`]).
//!
//! **Why it works, and the sign.** Since sin kB₂ − sin kB₁ = 2 cos(kBm) sin(kΔB/2), the bracket
//! times 2b² is exactly F(B₂) − F(B₁) with
//! F(B) = b² [A sin B − B sin 3B + C sin 5B − D sin 7B + E sin 9B] = ∫₀ᴮ M N cos B dB
//! (expanded to e⁸; M N = b² / (1 − e² sin²B)²): the area of the strip of the ellipsoid one
//! radian of longitude wide between the equator and latitude B. So the sum is the trapezoidal
//! rule (in L, exact in F) for ∮ (L − L₀) dF,
//! which by Green's theorem is the enclosed area, **positive when the ring runs counter-clockwise**
//! seen from outside the ellipsoid with east to the right and north up (the orientation `geo`
//! calls positive). For a closed ring Σ ΔF = 0, so the reference meridian L₀ cancels exactly;
//! it matters only for rounding, and a meridian through the ring keeps every term as small as
//! the ring itself. tuban uses the ring's first vertex.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::{Crs, CrsError, Ellipsoid, Projector};

/// Each [`EllipsoidalArea`] made gets its own id (clones share it), so that the memo below never
/// hands one CRS's projection of a point to another.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Slots in each thread's memo of inverse projections (a power of two).
const MEMO_SLOTS: usize = 1 << 12;

/// One remembered inverse projection: the measure's id, the input coordinates' bits, `(L, B)`.
#[derive(Clone, Copy)]
struct Memo {
    id: u64,
    x: u64,
    y: u64,
    lb: (f64, f64),
}

thread_local! {
    /// The last inverse projections made on this thread, direct-mapped by the coordinates.
    ///
    /// A patch's vertices are measured several times over in a run (its own area, the code
    /// table's piece of each land-use polygon, each class's outline, the union), and so are the
    /// land-use polygons' vertices shared by neighbouring pieces: the same exact input, the
    /// same exact output, for an inverse projection that costs a dozen transcendental
    /// functions. A hit is a hash and three compares; a miss overwrites the slot. A general
    /// cache crate would cost more per lookup than a slot does, and nothing here needs
    /// eviction beyond overwriting. Results are bit-identical with or without it.
    static MEMO: RefCell<Box<[Memo]>> = RefCell::new(
        vec![Memo { id: 0, x: 0, y: 0, lb: (0.0, 0.0) }; MEMO_SLOTS].into_boxed_slice(),
    );
}

/// The survey's trapezoid formula on one ellipsoid, coefficients precomputed.
///
/// ```
/// use tuban_core::crs::{Ellipsoid, SurveyFormula};
///
/// // A 1° × 1° cell between 29°N and 30°N: the formula's edges along meridians give the exact
/// // zone area; the edges along parallels (ΔB = 0) give nothing.
/// let s = SurveyFormula::new(&Ellipsoid::CGCS2000);
/// let cell = [(105.0, 29.0), (106.0, 29.0), (106.0, 30.0), (105.0, 30.0)];
/// let area = s.signed_ring_area_degrees(cell);
/// // The closed form b² ΔL [G(30°) − G(29°)], G(B) = sin B / (2(1 − e² sin²B)) +
/// // ln((1 + e sin B)/(1 − e sin B)) / (4e), gives 10 748 000 427.1727 m².
/// assert!((area - 10_748_000_427.1727).abs() < 0.01, "{area}"); // counter-clockwise: positive
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurveyFormula {
    /// 2 b².
    two_b2: f64,
    /// A, B, C, D, E of the formula, with the alternating signs folded in: `c[k]` multiplies
    /// sin((2k+1)ΔB/2) cos((2k+1)Bm).
    c: [f64; 5],
}

impl SurveyFormula {
    /// The coefficients for `ellipsoid`, as the survey's formula prints them:
    ///
    /// ```text
    /// A = 1 + (3/6)e² + (30/80)e⁴ + (35/112)e⁶ + (630/2304)e⁸
    /// B = (1/6)e² + (15/80)e⁴ + (21/112)e⁶ + (420/2304)e⁸
    /// C = (3/80)e⁴ + (7/112)e⁶ + (180/2304)e⁸
    /// D = (1/112)e⁶ + (45/2304)e⁸
    /// E = (5/2304)e⁸
    /// ```
    ///
    /// (They are the multiple-angle expansion of Σₖ (k+1) e²ᵏ sin²ᵏ⁺¹B / (2k+1), the integral of
    /// cos B / (1 − e² sin²B)², cut after e⁸; the next term is below 1e-11 relative.)
    pub fn new(ellipsoid: &Ellipsoid) -> SurveyFormula {
        let e2 = ellipsoid.e2();
        let (e4, e6, e8) = (e2 * e2, e2 * e2 * e2, e2 * e2 * e2 * e2);
        let a = 1.0
            + (3.0 / 6.0) * e2
            + (30.0 / 80.0) * e4
            + (35.0 / 112.0) * e6
            + (630.0 / 2304.0) * e8;
        let b = (1.0 / 6.0) * e2 + (15.0 / 80.0) * e4 + (21.0 / 112.0) * e6 + (420.0 / 2304.0) * e8;
        let c = (3.0 / 80.0) * e4 + (7.0 / 112.0) * e6 + (180.0 / 2304.0) * e8;
        let d = (1.0 / 112.0) * e6 + (45.0 / 2304.0) * e8;
        let e = (5.0 / 2304.0) * e8;
        let b_axis = ellipsoid.b();
        SurveyFormula {
            two_b2: 2.0 * b_axis * b_axis,
            c: [a, -b, c, -d, e],
        }
    }

    /// The signed area (m²) of the trapezoid between an edge from latitude `b1` to `b2` and a
    /// reference meridian, `dl` being the edge's mean longitude minus the reference; all angles
    /// in radians. Positive for a northward edge east of the reference.
    #[inline]
    pub fn trapezoid(&self, dl: f64, b1: f64, b2: f64) -> f64 {
        if b1 == b2 {
            return 0.0;
        }
        let half = 0.5 * (b2 - b1);
        let bm = 0.5 * (b1 + b2);
        // sin(kx) and cos(kBm) for k = 1, 3, 5, 7, 9 by the Chebyshev recurrences
        // f((k+2)x) = 2 cos(2x) f(kx) − f((k−2)x): four trigonometric calls instead of ten. The
        // recurrence for sin is stable for small x (each step adds to a value of the same sign);
        // the one for cos runs only four steps. Both were checked against direct evaluation.
        let s1 = half.sin();
        let (sm, cm) = bm.sin_cos();
        let two_cos_2x = 2.0 * (1.0 - 2.0 * s1 * s1);
        let two_cos_2bm = 2.0 * (cm * cm - sm * sm);
        let (mut s_prev, mut s_cur) = (-s1, s1); // sin(−x), sin(x)
        let (mut c_prev, mut c_cur) = (cm, cm); // cos(−Bm), cos(Bm)
        let mut sum = self.c[0] * s_cur * c_cur;
        for &coef in &self.c[1..] {
            let s_next = two_cos_2x * s_cur - s_prev;
            let c_next = two_cos_2bm * c_cur - c_prev;
            (s_prev, s_cur) = (s_cur, s_next);
            (c_prev, c_cur) = (c_cur, c_next);
            sum += coef * s_cur * c_cur;
        }
        self.two_b2 * dl * sum
    }

    /// The signed area (m²) of a ring of `(lon, lat)` vertices in degrees (closed or not; the
    /// closing edge is implied): positive counter-clockwise.
    pub fn signed_ring_area_degrees(&self, ring: impl IntoIterator<Item = (f64, f64)>) -> f64 {
        self.signed_ring_area_radians(
            ring.into_iter()
                .map(|(lon, lat)| (lon.to_radians(), lat.to_radians())),
        )
    }

    /// The signed area (m²) of a ring of `(L, B)` vertices in radians.
    pub fn signed_ring_area_radians(&self, ring: impl IntoIterator<Item = (f64, f64)>) -> f64 {
        let mut it = ring.into_iter();
        let Some((l_first, b_first)) = it.next() else {
            return 0.0;
        };
        // Reference meridian: the first vertex's. Longitudes are kept relative to it.
        let (mut l_prev, mut b_prev) = (0.0, b_first);
        let mut sum = 0.0;
        for (l, b) in it {
            let l = l - l_first;
            sum += self.trapezoid(0.5 * (l_prev + l), b_prev, b);
            (l_prev, b_prev) = (l, b);
        }
        // Closing edge back to the first vertex (zero if the ring was already closed).
        sum + self.trapezoid(0.5 * l_prev, b_prev, b_first)
    }
}

/// Ellipsoidal areas of polygons in one CRS, the survey's way: the CRS's projection and the
/// formula's constants are built once, so each polygon costs one inverse projection per vertex
/// and one trapezoid per edge.
///
/// Polygon areas are |exterior| − Σ |holes|, whatever the rings' orientation (shapefiles store
/// exteriors clockwise, GeoJSON counter-clockwise).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use tuban_core::crs::{Crs, EllipsoidalArea};
///
/// let crs = Crs::from_epsg(4544).unwrap(); // CGCS2000 / 3-degree Gauss-Kruger CM 105E
/// let measure = EllipsoidalArea::new(&crs).unwrap();
/// let patch = MultiPolygon(vec![polygon![
///     (x: 601400.0, y: 3303900.0), (x: 601400.0, y: 3304000.0), // clockwise
///     (x: 601500.0, y: 3304000.0), (x: 601500.0, y: 3303900.0)]]);
/// let area = measure.area(&patch);
/// assert!(area > 9997.0 && area < 9998.0); // 0.025 % below the plane area at 100 km off CM
///
/// // The same patch shifted to a local origin, as the overlay stores it, gives the same area.
/// let local = MultiPolygon(vec![polygon![
///     (x: 0.0, y: 0.0), (x: 0.0, y: 100.0), (x: 100.0, y: 100.0), (x: 100.0, y: 0.0)]]);
/// let shifted = measure.area_with_offset(&local, (601400.0, 3303900.0));
/// assert!((shifted - area).abs() < 1e-6);
/// ```
#[derive(Debug, Clone)]
pub struct EllipsoidalArea {
    crs: Crs,
    projector: Projector,
    formula: SurveyFormula,
    /// This measure's key in the memo of inverse projections (see `MEMO`).
    id: u64,
}

/// Two measures are equal when they measure in the same CRS (the projection and the formula
/// follow from it), whatever their memo keys.
impl PartialEq for EllipsoidalArea {
    fn eq(&self, other: &Self) -> bool {
        self.crs == other.crs
    }
}

impl EllipsoidalArea {
    /// Areas of polygons given in `crs`, measured on its datum's ellipsoid (CGCS2000 for the
    /// Gauss-Kruger systems). Every CRS tuban recognises is accepted; the `Result` leaves room
    /// for systems that cannot be measured.
    pub fn new(crs: &Crs) -> Result<EllipsoidalArea, CrsError> {
        Ok(EllipsoidalArea {
            crs: *crs,
            projector: crs.projector(),
            formula: SurveyFormula::new(&crs.ellipsoid()),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// `(L, B)` in radians of the point `(x, y)` in the CRS, through this thread's memo.
    fn radians(&self, x: f64, y: f64) -> (f64, f64) {
        let (xb, yb) = (x.to_bits(), y.to_bits());
        let h = (xb ^ yb.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (h >> (64 - MEMO_SLOTS.trailing_zeros())) as usize;
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            let m = &mut memo[slot];
            if m.id == self.id && m.x == xb && m.y == yb {
                return m.lb;
            }
            let lb = self.projector.to_radians_local(x, y);
            *m = Memo {
                id: self.id,
                x: xb,
                y: yb,
                lb,
            };
            lb
        })
    }

    /// The CRS coordinates are read in.
    pub fn crs(&self) -> &Crs {
        &self.crs
    }

    /// The formula on this CRS's ellipsoid.
    pub fn formula(&self) -> &SurveyFormula {
        &self.formula
    }

    /// Area in m² of a multipolygon: the sum of its polygons' areas.
    pub fn area(&self, mp: &MultiPolygon<f64>) -> f64 {
        self.area_with_offset(mp, (0.0, 0.0))
    }

    /// Area in m² of a multipolygon whose coordinates are relative to `offset`: the real
    /// coordinates are `local + offset`. The overlay keeps geometry near a local origin for
    /// precision; this adds the offset back vertex by vertex before inverse projection.
    pub fn area_with_offset(&self, mp: &MultiPolygon<f64>, offset: (f64, f64)) -> f64 {
        mp.0.iter()
            .map(|p| self.polygon_area_with_offset(p, offset))
            .sum()
    }

    /// Area in m² of one polygon: |exterior| − Σ |interiors|.
    pub fn polygon_area(&self, polygon: &Polygon<f64>) -> f64 {
        self.polygon_area_with_offset(polygon, (0.0, 0.0))
    }

    /// [`EllipsoidalArea::polygon_area`] with coordinates relative to `offset`.
    pub fn polygon_area_with_offset(&self, polygon: &Polygon<f64>, offset: (f64, f64)) -> f64 {
        let outer = self
            .signed_ring_area_with_offset(polygon.exterior(), offset)
            .abs();
        let holes: f64 = polygon
            .interiors()
            .iter()
            .map(|r| self.signed_ring_area_with_offset(r, offset).abs())
            .sum();
        outer - holes
    }

    /// Signed area in m² of a ring (closed or not): positive when it runs counter-clockwise
    /// (east to the right, north up), negative clockwise.
    pub fn signed_ring_area(&self, ring: &LineString<f64>) -> f64 {
        self.signed_ring_area_with_offset(ring, (0.0, 0.0))
    }

    /// [`EllipsoidalArea::signed_ring_area`] with coordinates relative to `offset`.
    pub fn signed_ring_area_with_offset(&self, ring: &LineString<f64>, offset: (f64, f64)) -> f64 {
        self.signed_area_of_coords(ring.0.iter().copied(), offset)
    }

    /// Signed area in m² of a ring given as any sequence of coordinates in the CRS, relative to
    /// `offset`.
    pub fn signed_area_of_coords(
        &self,
        ring: impl IntoIterator<Item = Coord<f64>>,
        offset: (f64, f64),
    ) -> f64 {
        self.formula.signed_ring_area_radians(
            ring.into_iter()
                .map(|c| self.radians(c.x + offset.0, c.y + offset.1)),
        )
    }
}

impl EllipsoidalArea {
    /// Signed area in m² enclosed by closed cycles of directed segments (in any order) whose
    /// coordinates are relative to `offset`: the same trapezoids as for a ring, edge by edge, all
    /// against one reference meridian (the first segment's start), which cancels over closed
    /// cycles. This measures the boundary pieces the area kernel returns ([`crate::kernel`]).
    pub fn signed_area_of_segments(&self, segs: &[[Coord<f64>; 2]], offset: (f64, f64)) -> f64 {
        let mut l0 = None;
        let mut sum = 0.0;
        // Pieces mostly come chained (each starting where the one before ended): the end's
        // projection is kept and reused, which halves the inverse projections.
        let mut last: Option<(Coord<f64>, (f64, f64))> = None;
        for &[a, b] in segs {
            let (la, ba) = match last {
                Some((at, lb)) if at == a => lb,
                _ => self.radians(a.x + offset.0, a.y + offset.1),
            };
            let (lb, bb) = self.radians(b.x + offset.0, b.y + offset.1);
            last = Some((b, (lb, bb)));
            let l0 = *l0.get_or_insert(la);
            sum += self
                .formula
                .trapezoid(0.5 * ((la - l0) + (lb - l0)), ba, bb);
        }
        sum
    }
}

/// The ellipsoidal area in m² of `mp`, given in `crs` (a one-off convenience; build an
/// [`EllipsoidalArea`] to measure many).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use tuban_core::crs::{ellipsoidal_area, Crs};
///
/// // Coordinates in degrees (CGCS2000 geographic): a 0.001° cell near Erping.
/// let crs = Crs::from_epsg(4490).unwrap();
/// let cell = MultiPolygon(vec![polygon![
///     (x: 106.05, y: 29.85), (x: 106.051, y: 29.85), (x: 106.051, y: 29.851), (x: 106.05, y: 29.851)]]);
/// let area = ellipsoidal_area(&crs, &cell).unwrap();
/// assert!((area - 10711.491995).abs() < 1e-5, "{area}"); // survey_area.py: 10711.491995
/// ```
pub fn ellipsoidal_area(crs: &Crs, mp: &MultiPolygon<f64>) -> Result<f64, CrsError> {
    Ok(EllipsoidalArea::new(crs)?.area(mp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurrence_matches_direct_evaluation() {
        let s = SurveyFormula::new(&Ellipsoid::CGCS2000);
        let e2 = Ellipsoid::CGCS2000.e2();
        let (e4, e6, e8) = (e2 * e2, e2 * e2 * e2, e2 * e2 * e2 * e2);
        let coef = [
            1.0 + 0.5 * e2 + 0.375 * e4 + 35.0 / 112.0 * e6 + 630.0 / 2304.0 * e8,
            -(e2 / 6.0 + 15.0 / 80.0 * e4 + 21.0 / 112.0 * e6 + 420.0 / 2304.0 * e8),
            3.0 / 80.0 * e4 + 7.0 / 112.0 * e6 + 180.0 / 2304.0 * e8,
            -(e6 / 112.0 + 45.0 / 2304.0 * e8),
            5.0 / 2304.0 * e8,
        ];
        for &(b1, b2) in &[(0.52, 0.52001), (0.1, 0.9), (-0.3, 0.2), (1.2, 1.19999)] {
            let dl = 0.001;
            let half: f64 = (b2 - b1) / 2.0;
            let bm: f64 = (b1 + b2) / 2.0;
            let direct: f64 = (0..5)
                .map(|k| {
                    let m = (2 * k + 1) as f64;
                    coef[k] * (m * half).sin() * (m * bm).cos()
                })
                .sum::<f64>()
                * 2.0
                * Ellipsoid::CGCS2000.b().powi(2)
                * dl;
            let fast = s.trapezoid(dl, b1, b2);
            assert!(
                (fast - direct).abs() <= 1e-13 * direct.abs(),
                "{b1} {b2}: {fast} vs {direct}"
            );
        }
    }

    #[test]
    fn empty_and_degenerate_rings() {
        let s = SurveyFormula::new(&Ellipsoid::CGCS2000);
        assert_eq!(s.signed_ring_area_degrees([]), 0.0);
        assert_eq!(s.signed_ring_area_degrees([(106.0, 29.0)]), 0.0);
        assert_eq!(
            s.signed_ring_area_degrees([(106.0, 29.0), (106.001, 29.001)]),
            0.0
        );
    }

    /// The area of `ring` (absolute coordinates) with every vertex projected afresh, past the
    /// memo.
    fn unmemoised(m: &EllipsoidalArea, ring: &[Coord<f64>]) -> f64 {
        m.formula
            .signed_ring_area_radians(ring.iter().map(|c| m.projector.to_radians_local(c.x, c.y)))
    }

    #[test]
    fn the_memo_never_mixes_two_crss_and_changes_no_bit() {
        // The same coordinates read as Gauss-Kruger (scale 1 on the central meridian) and as UTM
        // (0.9996) are two places on the ellipsoid with different areas; measured alternately on
        // one thread, each measure must give what projecting every vertex afresh gives, to the
        // bit. (Two Gauss-Kruger zones would not do: longitudes are taken from the central
        // meridian, so the same coordinates give the same area in every zone.)
        let gk = EllipsoidalArea::new(&Crs::from_epsg(4544).unwrap()).unwrap();
        let utm = EllipsoidalArea::new(&Crs::from_epsg(32648).unwrap()).unwrap();
        let ring: Vec<Coord<f64>> = [
            (380_000.0, 3_300_000.0),
            (380_500.0, 3_300_000.0),
            (380_500.0, 3_300_700.0),
            (380_000.0, 3_300_700.0),
        ]
        .into_iter()
        .map(|(x, y)| Coord { x, y })
        .collect();
        let (a_gk, a_utm) = (unmemoised(&gk, &ring), unmemoised(&utm, &ring));
        assert_ne!(
            a_gk, a_utm,
            "the two CRSs must measure the ring differently"
        );
        for _ in 0..3 {
            assert_eq!(
                gk.signed_area_of_coords(ring.iter().copied(), (0.0, 0.0)),
                a_gk
            );
            assert_eq!(
                utm.signed_area_of_coords(ring.iter().copied(), (0.0, 0.0)),
                a_utm
            );
            // A clone shares its original's memo entries, which are the same projection's.
            assert_eq!(
                gk.clone()
                    .signed_area_of_coords(ring.iter().copied(), (0.0, 0.0)),
                a_gk
            );
        }
        // Two measures of one CRS are equal whatever their memo keys.
        assert_eq!(
            gk,
            EllipsoidalArea::new(&Crs::from_epsg(4544).unwrap()).unwrap()
        );
        assert_ne!(gk, utm);
    }
}
