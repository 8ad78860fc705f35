//! The terrain: hills on a jittered lattice over a gently tilted plane with undulations, and the
//! smooth noise that land use follows (see the `world` module's documentation). Heights and
//! slopes are pure functions of the seed and the position, so any DEM tile or mesh cell can be
//! generated on its own.

use crate::rng::{hash, mix, unit, Rng};
use crate::world::tag;

/// Terrain lattice spacing.
const LATTICE: f64 = 700.0;

/// A sum of plane waves, roughly in [-1, 1].
#[derive(Debug, Clone)]
pub(crate) struct Noise {
    waves: Vec<(f64, f64, f64, f64)>,
    norm: f64,
}

impl Noise {
    pub(crate) fn new(seed: u64, which: u64, wl_min: f64, wl_max: f64) -> Self {
        let mut rng = Rng::new(hash(seed, tag::NOISE, which, 0));
        let mut waves = Vec::new();
        let mut tot = 0.0;
        for _ in 0..5 {
            let wl = rng.range(wl_min, wl_max);
            let th = rng.range(0.0, std::f64::consts::PI);
            let amp = rng.range(0.5, 1.0);
            tot += amp;
            let k = std::f64::consts::TAU / wl;
            waves.push((
                amp,
                k * th.cos(),
                k * th.sin(),
                rng.range(0.0, std::f64::consts::TAU),
            ));
        }
        Noise {
            waves,
            norm: 1.0 / (0.6 * tot),
        }
    }

    pub(crate) fn at(&self, x: f64, y: f64) -> f64 {
        let s: f64 = self
            .waves
            .iter()
            .map(|&(a, kx, ky, ph)| a * (kx * x + ky * y + ph).sin())
            .sum();
        (s * self.norm).clamp(-1.0, 1.0)
    }
}

/// Hills on a jittered lattice: `h = base + Σ A_ij · X_i(x) · Y_j(y) + undulations`, where
/// `X_i(x) = (1 − ((x − cx_i)/R_i)²)³` inside its radius and 0 outside (smooth, and only the
/// three nearest lattice columns and rows can reach a point).
#[derive(Debug, Clone)]
pub(crate) struct Terrain {
    seed: u64,
    /// Local frame origin (the world's lower-left corner).
    ox: f64,
    oy: f64,
    und: Vec<(f64, f64, f64, f64)>,
}

impl Terrain {
    pub(crate) fn new(seed: u64, ox: f64, oy: f64) -> Self {
        let mut rng = Rng::new(hash(seed, tag::NOISE, 99, 0));
        let und = (0..3)
            .map(|_| {
                let wl = rng.range(160.0, 320.0);
                let th = rng.range(0.0, std::f64::consts::PI);
                let k = std::f64::consts::TAU / wl;
                (
                    rng.range(1.5, 3.0),
                    k * th.cos(),
                    k * th.sin(),
                    rng.range(0.0, 6.3),
                )
            })
            .collect();
        Terrain { seed, ox, oy, und }
    }

    /// The plane the hills stand on, at local coordinates.
    fn base(&self, lx: f64, ly: f64) -> f64 {
        255.0 + 0.002 * lx + 0.0015 * ly
    }

    /// Lattice column `i`: centre (local) and radius.
    fn col(&self, i: i64) -> (f64, f64) {
        let h = hash(self.seed, tag::HILL_X, i as u64, 0);
        let c = (i as f64 + 0.5) * LATTICE + (unit(h) - 0.5) * 300.0;
        let r = 260.0 + 140.0 * unit(mix(h));
        (c, r)
    }

    fn row(&self, j: i64) -> (f64, f64) {
        let h = hash(self.seed, tag::HILL_Y, j as u64, 0);
        let c = (j as f64 + 0.5) * LATTICE + (unit(h) - 0.5) * 300.0;
        let r = 260.0 + 140.0 * unit(mix(h));
        (c, r)
    }

    /// Amplitude of hill (i, j): 30 % steep (85–130 m), 40 % rounded (35–70), 30 % low (12–35).
    fn amp(&self, i: i64, j: i64) -> f64 {
        let h = hash(self.seed, tag::HILL, i as u64, j as u64);
        let u = unit(h);
        let v = unit(mix(h));
        if u < 0.3 {
            85.0 + 45.0 * v
        } else if u < 0.7 {
            35.0 + 35.0 * v
        } else {
            12.0 + 23.0 * v
        }
    }

    fn near(l: f64) -> i64 {
        (l / LATTICE - 0.5).round() as i64
    }

    /// Bump value and derivative at local coordinate `l` for a centre and radius.
    #[inline]
    fn bump(l: f64, c: f64, r: f64) -> (f64, f64) {
        let u = (l - c) / r;
        if u.abs() >= 1.0 {
            return (0.0, 0.0);
        }
        let t = 1.0 - u * u;
        (t * t * t, -6.0 * u * t * t / r)
    }

    /// Elevation and gradient at (x, y) in the CRS.
    pub(crate) fn eval(&self, x: f64, y: f64) -> (f64, f64, f64) {
        let (lx, ly) = (x - self.ox, y - self.oy);
        let (i0, j0) = (Self::near(lx), Self::near(ly));
        let mut h = self.base(lx, ly);
        let (mut gx, mut gy) = (0.002, 0.0015);
        let ys: Vec<(i64, f64, f64)> = (j0 - 1..=j0 + 1)
            .map(|j| {
                let (c, r) = self.row(j);
                let (v, d) = Self::bump(ly, c, r);
                (j, v, d)
            })
            .collect();
        for i in i0 - 1..=i0 + 1 {
            let (c, r) = self.col(i);
            let (xv, xd) = Self::bump(lx, c, r);
            if xv == 0.0 {
                continue;
            }
            for &(j, yv, yd) in &ys {
                if yv == 0.0 {
                    continue;
                }
                let a = self.amp(i, j);
                h += a * xv * yv;
                gx += a * xd * yv;
                gy += a * xv * yd;
            }
        }
        for &(a, kx, ky, ph) in &self.und {
            let t = kx * lx + ky * ly + ph;
            h += a * t.sin();
            gx += a * kx * t.cos();
            gy += a * ky * t.cos();
        }
        (h, gx, gy)
    }

    /// Fills `out` (row-major, `cols × rows`) with the elevations of the cell centres of a grid
    /// whose upper-left corner is (x0, y0) and whose cells are `cell` m, rounded to the
    /// centimetre. Separable, so each cell costs a few multiply-adds.
    pub(crate) fn fill(
        &self,
        x0: f64,
        y0: f64,
        cell: f64,
        cols: usize,
        rows: usize,
        out: &mut [f32],
    ) {
        let lxs: Vec<f64> = (0..cols)
            .map(|c| x0 + (c as f64 + 0.5) * cell - self.ox)
            .collect();
        let lys: Vec<f64> = (0..rows)
            .map(|r| y0 - (r as f64 + 0.5) * cell - self.oy)
            .collect();
        let imin = Self::near(lxs[0]) - 1;
        let imax = Self::near(lxs[cols - 1]) + 1;
        let jmin = Self::near(lys[rows - 1]) - 1;
        let jmax = Self::near(lys[0]) + 1;
        let ni = (imax - imin + 1) as usize;
        let nj = (jmax - jmin + 1) as usize;
        let cols_c: Vec<(f64, f64)> = (imin..=imax).map(|i| self.col(i)).collect();
        let rows_c: Vec<(f64, f64)> = (jmin..=jmax).map(|j| self.row(j)).collect();
        let amps: Vec<f64> = (0..nj)
            .flat_map(|b| (0..ni).map(move |a| (a, b)))
            .map(|(a, b)| self.amp(imin + a as i64, jmin + b as i64))
            .collect();
        // Per column: the three lattice columns that may reach it, with their bump values.
        let xcontrib: Vec<[(usize, f64); 3]> = lxs
            .iter()
            .map(|&lx| {
                let i0 = Self::near(lx);
                let mut v = [(0usize, 0.0); 3];
                for (k, i) in (i0 - 1..=i0 + 1).enumerate() {
                    let a = (i - imin) as usize;
                    let (c, r) = cols_c[a];
                    v[k] = (a, Self::bump(lx, c, r).0);
                }
                v
            })
            .collect();
        // Undulations: sin(kx·x + ky·y + φ) = sin(kx·x)cos(ky·y + φ) + cos(kx·x)sin(ky·y + φ).
        let usx: Vec<Vec<(f64, f64)>> = self
            .und
            .iter()
            .map(|&(_, kx, _, _)| {
                lxs.iter()
                    .map(|&lx| ((kx * lx).sin(), (kx * lx).cos()))
                    .collect()
            })
            .collect();
        for (r, &ly) in lys.iter().enumerate() {
            let j0 = Self::near(ly);
            let mut yc = [(0usize, 0.0); 3];
            for (k, j) in (j0 - 1..=j0 + 1).enumerate() {
                let b = (j - jmin) as usize;
                let (c, rad) = rows_c[b];
                yc[k] = (b, Self::bump(ly, c, rad).0);
            }
            let uy: Vec<(f64, f64, f64)> = self
                .und
                .iter()
                .map(|&(a, _, ky, ph)| (a, (ky * ly + ph).cos(), (ky * ly + ph).sin()))
                .collect();
            let row = &mut out[r * cols..(r + 1) * cols];
            for (c, cell_out) in row.iter_mut().enumerate() {
                let lx = lxs[c];
                let mut h = self.base(lx, ly);
                for &(b, yv) in &yc {
                    if yv == 0.0 {
                        continue;
                    }
                    let arow = &amps[b * ni..(b + 1) * ni];
                    for &(a, xv) in &xcontrib[c] {
                        h += arow[a] * xv * yv;
                    }
                }
                for (w, &(a, cy, sy)) in uy.iter().enumerate() {
                    let (sx, cx) = usx[w][c];
                    h += a * (sx * cy + cx * sy);
                }
                *cell_out = ((h * 100.0).round() / 100.0) as f32;
            }
        }
    }

    /// Height above the plain at (x, y), and slope in degrees.
    pub(crate) fn relief(&self, x: f64, y: f64) -> (f64, f64) {
        let (h, gx, gy) = self.eval(x, y);
        let rel = h - self.base(x - self.ox, y - self.oy);
        (rel, gx.hypot(gy).atan().to_degrees())
    }
}
