//! The synthetic world: where everything is, as pure functions of the seed and the patch count.
//!
//! * **Slots.** The patches sit one to a square *slot* of 89.44 m (8000 m², five land-use cells),
//!   slots in rows from north to south, west to east, `ceil(√N)` to a row. The world is the
//!   rectangle of the slots: `ceil(√N) × ceil(N / ceil(√N))` slots.
//! * **Land-use mesh.** A jittered quad mesh of nominally 40 m cells tiles the world exactly, as in
//!   the Erping fixture: grid lines at random spacings (0.78–1.22 × 40 m), nodes moved by up to
//!   ±6 m, edges with 0–3 shared intermediate vertices offset by up to ±8 % of their length, so
//!   neighbours share vertices and the outer boundary is the world rectangle. About every 800 m a
//!   mesh row or column is a narrow strip (2.6–6.8 m): roads (1003, 1004, 1006) along 75 % of it
//!   in 25-cell stretches, field ridges (1203) or the neighbour's land elsewhere.
//! * **Terrain.** Hills on a jittered 700 m lattice (compactly supported bumps, 30 % steep) on a
//!   gently tilted plane with 1.5–3 m undulations. Land use follows it: forest on hill tops and
//!   steep flanks (24 %), paddy in the lowest 30 %, orchards, grass, homesteads and ponds in
//!   smooth-noise patches, K-suffixed forest and orchard and 09 special land at random.
//! * **Villages and towns.** Villages are 1.6 km blocks with wandering borders, towns 3 × 3
//!   villages; every village of the data set has its own name.

use tuban_core::crs::{Crs, EllipsoidalArea};

use crate::rng::{hash, mix, unit, Rng};
use crate::terrain::{Noise, Terrain};

/// Side of a slot: the square of 8000 m² (five nominal 40 m cells) that holds one patch.
pub(crate) const SLOT: f64 = 89.442_719_099_991_59;
/// Nominal land-use cell size.
pub(crate) const CELL: f64 = 40.0;
/// Strip stretches (road or not) are this many cells long.
pub(crate) const STRETCH: usize = 25;
/// Village blocks, metres.
const VILLAGE: f64 = 1600.0;

// Hash tags: one per kind of random choice.
pub(crate) mod tag {
    pub const LINES_X: u64 = 1;
    pub const LINES_Y: u64 = 2;
    pub const NODE: u64 = 3;
    pub const EDGE_V: u64 = 4;
    pub const EDGE_H: u64 = 5;
    pub const STRETCH: u64 = 7;
    pub const CELL: u64 = 8;
    pub const HILL_X: u64 = 9;
    pub const HILL_Y: u64 = 10;
    pub const HILL: u64 = 11;
    pub const NOISE: u64 = 12;
    pub const PATCH: u64 = 13;
    pub const GRAVES: u64 = 14;
    pub const ROADS: u64 = 15;
    pub const SAMPLE: u64 = 17;
}

/// Land-use codes (DLBM) and names (DLMC), as in the fixture.
pub(crate) const CODES: [(&str, &str); 19] = [
    ("0101", "水田"),
    ("0102", "水浇地"),
    ("0103", "旱地"),
    ("0201", "果园"),
    ("0201K", "可调整果园"),
    ("0204", "其他园地"),
    ("0301", "乔木林地"),
    ("0301K", "可调整乔木林地"),
    ("0305", "灌木林地"),
    ("0307", "其他林地"),
    ("0307K", "可调整其他林地"),
    ("0404", "其他草地"),
    ("0702", "农村宅基地"),
    ("09", "特殊用地"),
    ("1003", "公路用地"),
    ("1004", "城镇村道路用地"),
    ("1006", "农村道路"),
    ("1104", "坑塘水面"),
    ("1203", "田坎"),
];
pub(crate) mod code {
    pub const PADDY: u8 = 0;
    pub const IRRIGATED: u8 = 1;
    pub const DRY: u8 = 2;
    pub const ORCHARD: u8 = 3;
    pub const ORCHARD_K: u8 = 4;
    pub const GARDEN: u8 = 5;
    pub const FOREST: u8 = 6;
    pub const FOREST_K: u8 = 7;
    pub const SHRUB: u8 = 8;
    pub const OTHER_FOREST: u8 = 9;
    pub const OTHER_FOREST_K: u8 = 10;
    pub const GRASS: u8 = 11;
    pub const HOMESTEAD: u8 = 12;
    pub const SPECIAL: u8 = 13;
    pub const HIGHWAY: u8 = 14;
    pub const STREET: u8 = 15;
    pub const RURAL_ROAD: u8 = 16;
    pub const POND: u8 = 17;
    pub const RIDGE: u8 = 18;
}

pub(crate) fn is_cropland(c: u8) -> bool {
    c <= code::DRY
}

/// A narrow mesh row or column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Strip {
    /// Vertical (a column of cells) or horizontal (a row).
    pub vertical: bool,
    /// The mesh interval (column or row index) it occupies.
    pub index: usize,
    pub width: f64,
    /// Its road code (HIGHWAY, STREET or RURAL_ROAD).
    pub road: u8,
}

/// Thresholds that turn terrain and noise into land-use codes, from quantiles of a sample.
#[derive(Debug, Clone)]
struct Thresholds {
    forest: f64,
    paddy: f64,
    orchard: f64,
    grass: f64,
    home: f64,
}

/// Syllables of village and town names.
const SYLLABLES: [&str; 50] = [
    "安", "白", "柏", "宝", "碑", "昌", "长", "大", "东", "凤", "福", "高", "观", "广", "桂", "河",
    "红", "虎", "华", "黄", "回", "金", "锦", "九", "旧", "兰", "龙", "马", "明", "南", "平", "青",
    "清", "三", "沙", "山", "石", "双", "水", "松", "太", "桃", "天", "土", "万", "西", "新", "兴",
    "玉", "云",
];

/// Everything about the world that is not generated record by record.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub seed: u64,
    pub n: u64,
    /// Slots across and down.
    pub sw: u64,
    pub sh: u64,
    /// Lower-left corner and size.
    pub x0: f64,
    pub y0: f64,
    pub w: f64,
    pub h: f64,
    pub xl: Vec<f64>,
    pub yl: Vec<f64>,
    pub xstrip: Vec<Option<u32>>,
    pub ystrip: Vec<Option<u32>>,
    xgroup: Vec<u32>,
    ygroup: Vec<u32>,
    pub strips: Vec<Strip>,
    pub terrain: Terrain,
    noise_forest: Noise,
    noise_use: Noise,
    noise_home: Noise,
    thresholds: Thresholds,
    /// Villages across and down.
    pub vx: u64,
    pub vy: u64,
    pub crs: Crs,
}

fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

impl World {
    /// The world of `n` patches, lower-left corner at (x0, y0).
    pub(crate) fn new(seed: u64, n: u64, x0: f64, y0: f64, crs: Crs) -> World {
        let sw = (n as f64).sqrt().ceil().max(1.0) as u64;
        let sh = n.div_ceil(sw).max(1);
        let w = sw as f64 * SLOT;
        let h = sh as f64 * SLOT;
        let mut strips = Vec::new();
        let (xl, xstrip) = lines(seed, tag::LINES_X, x0, w, true, &mut strips);
        let (yl, ystrip) = lines(seed, tag::LINES_Y, y0, h, false, &mut strips);
        let xgroup = groups(&xstrip);
        let ygroup = groups(&ystrip);
        let terrain = Terrain::new(seed, x0, y0);
        let mut world = World {
            seed,
            n,
            sw,
            sh,
            x0,
            y0,
            w,
            h,
            xl,
            yl,
            xstrip,
            ystrip,
            xgroup,
            ygroup,
            strips,
            terrain,
            noise_forest: Noise::new(seed, 1, 300.0, 900.0),
            noise_use: Noise::new(seed, 2, 250.0, 700.0),
            noise_home: Noise::new(seed, 3, 150.0, 400.0),
            thresholds: Thresholds {
                forest: 0.0,
                paddy: 0.0,
                orchard: 0.0,
                grass: 0.0,
                home: 0.0,
            },
            vx: (w / VILLAGE).ceil().max(1.0) as u64,
            vy: (h / VILLAGE).ceil().max(1.0) as u64,
            crs,
        };
        world.thresholds = world.sample_thresholds();
        world
    }

    pub(crate) fn ncols(&self) -> usize {
        self.xl.len() - 1
    }

    pub(crate) fn nrows(&self) -> usize {
        self.yl.len() - 1
    }

    fn forest_score(&self, x: f64, y: f64) -> (f64, f64) {
        let (rel, slope) = self.terrain.relief(x, y);
        let lx = x - self.x0;
        let ly = y - self.y0;
        (
            rel / 100.0 + 0.35 * self.noise_forest.at(lx, ly) + slope / 60.0,
            rel,
        )
    }

    fn sample_thresholds(&self) -> Thresholds {
        let mut rng = Rng::new(hash(self.seed, tag::SAMPLE, self.n, 0));
        let k = 4096;
        let (mut f, mut rel, mut u, mut hm) = (vec![], vec![], vec![], vec![]);
        for _ in 0..k {
            let x = self.x0 + rng.f64() * self.w;
            let y = self.y0 + rng.f64() * self.h;
            let (fs, r) = self.forest_score(x, y);
            f.push(fs);
            rel.push(r);
            u.push(self.noise_use.at(x - self.x0, y - self.y0));
            hm.push(self.noise_home.at(x - self.x0, y - self.y0));
        }
        let q = |v: &mut Vec<f64>, p: f64| {
            v.sort_by(f64::total_cmp);
            v[((v.len() - 1) as f64 * p) as usize]
        };
        Thresholds {
            forest: q(&mut f, 0.76),
            paddy: q(&mut rel, 0.30),
            orchard: q(&mut u, 0.89),
            grass: q(&mut u, 0.06),
            home: q(&mut hm, 0.985),
        }
    }

    /// The code of an ordinary (non-strip) cell, from the terrain under its nominal centre.
    pub(crate) fn cell_code(&self, i: usize, j: usize) -> u8 {
        let (x, y) = self.nominal_centre(i, j);
        let hv = hash(self.seed, tag::CELL, i as u64, j as u64);
        let u = unit(hv);
        let v = unit(mix(hv));
        let t = &self.thresholds;
        let (fs, rel) = self.forest_score(x, y);
        if fs >= t.forest {
            return if u < 0.015 {
                if v < 0.65 {
                    code::FOREST_K
                } else {
                    code::OTHER_FOREST_K
                }
            } else if u < 0.025 {
                code::SPECIAL
            } else if v < 0.64 {
                code::FOREST
            } else if v < 0.80 {
                code::SHRUB
            } else {
                code::OTHER_FOREST
            };
        }
        if rel <= t.paddy {
            return if u < 0.012 { code::POND } else { code::PADDY };
        }
        let (lx, ly) = (x - self.x0, y - self.y0);
        let n2 = self.noise_use.at(lx, ly);
        if n2 > t.orchard {
            return if u < 0.02 {
                code::ORCHARD_K
            } else if v < 0.6 {
                code::ORCHARD
            } else {
                code::GARDEN
            };
        }
        if n2 < t.grass {
            return code::GRASS;
        }
        if self.noise_home.at(lx, ly) > t.home {
            return code::HOMESTEAD;
        }
        if u < 0.06 {
            code::IRRIGATED
        } else {
            code::DRY
        }
    }

    /// Is stretch `k` of strip `s` a road?
    pub(crate) fn stretch_is_road(&self, s: u32, k: usize) -> bool {
        unit(hash(self.seed, tag::STRETCH, u64::from(s), k as u64)) < 0.75
    }

    /// The code of a cell that is part of a strip (or where two strips cross).
    pub(crate) fn strip_code(&self, i: usize, j: usize) -> u8 {
        match (self.xstrip[i], self.ystrip[j]) {
            (Some(sv), Some(sh)) => {
                if self.stretch_is_road(sv, j / STRETCH) {
                    self.strips[sv as usize].road
                } else if self.stretch_is_road(sh, i / STRETCH) {
                    self.strips[sh as usize].road
                } else {
                    code::RIDGE
                }
            }
            (Some(s), None) => {
                if self.stretch_is_road(s, j / STRETCH) {
                    return self.strips[s as usize].road;
                }
                let a = self.cell_code(i - 1, j);
                if is_cropland(a) && is_cropland(self.cell_code(i + 1, j)) {
                    code::RIDGE
                } else {
                    a
                }
            }
            (None, Some(s)) => {
                if self.stretch_is_road(s, i / STRETCH) {
                    return self.strips[s as usize].road;
                }
                let a = self.cell_code(i, j - 1);
                if is_cropland(a) && is_cropland(self.cell_code(i, j + 1)) {
                    code::RIDGE
                } else {
                    a
                }
            }
            (None, None) => self.cell_code(i, j),
        }
    }

    pub(crate) fn nominal_centre(&self, i: usize, j: usize) -> (f64, f64) {
        (
            0.5 * (self.xl[i] + self.xl[i + 1]),
            0.5 * (self.yl[j] + self.yl[j + 1]),
        )
    }

    /// Mesh node (i, j), rounded to the millimetre.
    pub(crate) fn node(&self, i: usize, j: usize) -> (f64, f64) {
        let hv = hash(
            self.seed,
            tag::NODE,
            u64::from(self.xgroup[i]),
            u64::from(self.ygroup[j]),
        );
        let mut dx = (unit(hv) - 0.5) * 12.0;
        let mut dy = (unit(mix(hv)) - 0.5) * 12.0;
        if i == 0 || i == self.ncols() {
            dx = 0.0;
        }
        if j == 0 || j == self.nrows() {
            dy = 0.0;
        }
        (r3(self.xl[i] + dx), r3(self.yl[j] + dy))
    }

    fn edge_points(&self, a: (f64, f64), b: (f64, f64), h: u64, out: &mut Vec<(f64, f64)>) {
        let mut rng = Rng::new(h);
        let u = rng.f64() * 11.0;
        // 0, 1, 2 or 3 points, weights 1:3:4:3.
        let k = if u < 1.0 {
            0
        } else if u < 4.0 {
            1
        } else if u < 8.0 {
            2
        } else {
            3
        };
        let mut ts = [0.0f64; 3];
        for t in ts.iter_mut().take(k) {
            *t = rng.range(0.12, 0.88);
        }
        ts[..k].sort_by(f64::total_cmp);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = dx.hypot(dy);
        let (nx, ny) = (-dy / len, dx / len);
        let mut last = -1.0;
        for &t in &ts[..k] {
            let o = rng.range(-0.08, 0.08);
            if t - last > 0.12 {
                out.push((
                    r3(a.0 + t * dx + o * len * nx),
                    r3(a.1 + t * dy + o * len * ny),
                ));
                last = t;
            }
        }
    }

    /// Intermediate vertices of the vertical edge from node (i, j) to (i, j + 1).
    fn edge_v(&self, i: usize, j: usize, out: &mut Vec<(f64, f64)>) {
        if i == 0 || i == self.ncols() || self.ystrip[j].is_some() {
            return;
        }
        let h = hash(self.seed, tag::EDGE_V, u64::from(self.xgroup[i]), j as u64);
        self.edge_points(self.node(i, j), self.node(i, j + 1), h, out);
    }

    /// Intermediate vertices of the horizontal edge from node (i, j) to (i + 1, j).
    fn edge_h(&self, i: usize, j: usize, out: &mut Vec<(f64, f64)>) {
        if j == 0 || j == self.nrows() || self.xstrip[i].is_some() {
            return;
        }
        let h = hash(self.seed, tag::EDGE_H, i as u64, u64::from(self.ygroup[j]));
        self.edge_points(self.node(i, j), self.node(i + 1, j), h, out);
    }

    /// Points from node (i, j0) along line i to node (i, j1), the last node excluded.
    pub(crate) fn vchain(&self, i: usize, j0: usize, j1: usize, out: &mut Vec<(f64, f64)>) {
        let mut tmp = Vec::new();
        if j1 >= j0 {
            for j in j0..j1 {
                out.push(self.node(i, j));
                self.edge_v(i, j, out);
            }
        } else {
            for j in (j1 + 1..=j0).rev() {
                out.push(self.node(i, j));
                tmp.clear();
                self.edge_v(i, j - 1, &mut tmp);
                out.extend(tmp.iter().rev());
            }
        }
    }

    /// Points from node (i0, j) along line j to node (i1, j), the last node excluded.
    pub(crate) fn hchain(&self, j: usize, i0: usize, i1: usize, out: &mut Vec<(f64, f64)>) {
        let mut tmp = Vec::new();
        if i1 >= i0 {
            for i in i0..i1 {
                out.push(self.node(i, j));
                self.edge_h(i, j, out);
            }
        } else {
            for i in (i1 + 1..=i0).rev() {
                out.push(self.node(i, j));
                tmp.clear();
                self.edge_h(i - 1, j, &mut tmp);
                out.extend(tmp.iter().rev());
            }
        }
    }

    /// The closed clockwise ring of the block of cells i0..i1 × j0..j1.
    pub(crate) fn block_ring(
        &self,
        i0: usize,
        j0: usize,
        i1: usize,
        j1: usize,
        out: &mut Vec<(f64, f64)>,
    ) {
        out.clear();
        self.vchain(i0, j0, j1, out);
        self.hchain(j1, i0, i1, out);
        self.vchain(i1, j1, j0, out);
        self.hchain(j0, i1, i0, out);
        out.push(out[0]);
    }

    /// The village (index) of a point.
    pub(crate) fn village(&self, x: f64, y: f64) -> u64 {
        let (lx, ly) = (x - self.x0, y - self.y0);
        let wx = 150.0 * (ly / 410.0 + (self.seed % 7) as f64).sin();
        let wy = 150.0 * (lx / 370.0 + (self.seed % 5) as f64).sin();
        let u = (((lx + wx) / VILLAGE).floor().max(0.0) as u64).min(self.vx - 1);
        let v = (((ly + wy) / VILLAGE).floor().max(0.0) as u64).min(self.vy - 1);
        v * self.vx + u
    }

    /// A village's name: three syllables, different for every village of the data set, + 村.
    pub(crate) fn village_name(&self, v: u64) -> String {
        let n = 50u64 * 50 * 50;
        let k = (v % n).wrapping_mul(7919).wrapping_add(self.seed % n) % n;
        let s = |i: u64| SYLLABLES[i as usize];
        format!("{}{}{}村", s(k / 2500), s(k / 50 % 50), s(k % 50))
    }

    /// The name of the town a village belongs to (towns are 3 × 3 villages).
    pub(crate) fn town_name(&self, v: u64) -> String {
        let (u, w) = (v % self.vx / 3, v / self.vx / 3);
        let t = w * self.vx.div_ceil(3) + u;
        let k = mix(t ^ self.seed.wrapping_mul(31)) % 2500;
        format!(
            "{}{}镇",
            SYLLABLES[(k / 50) as usize],
            SYLLABLES[(k % 50) as usize]
        )
    }

    /// Centre of slot `s` (slots run west to east, rows north to south).
    pub(crate) fn slot_centre(&self, s: u64) -> (f64, f64) {
        let (r, c) = (s / self.sw, s % self.sw);
        (
            self.x0 + (c as f64 + 0.5) * SLOT,
            self.y0 + self.h - (r as f64 + 0.5) * SLOT,
        )
    }

    /// The slot row a northing falls in.
    pub(crate) fn slot_row_of(&self, y: f64) -> u64 {
        (((self.y0 + self.h - y) / SLOT).floor().max(0.0) as u64).min(self.sh - 1)
    }

    /// An ellipsoidal-over-planar area ratio table along a northing (see [`RatioTable`]).
    pub(crate) fn ratio_table(&self, y: f64) -> RatioTable {
        RatioTable::new(&self.crs, self.x0 - 100.0, self.x0 + self.w + 100.0, y)
    }
}

/// Splits [lo, lo + len] into cells of about 40 m with narrow strips about every 800 m; returns
/// the grid lines and, per interval, the strip id (pushing strips to `strips`).
fn lines(
    seed: u64,
    which: u64,
    lo: f64,
    len: f64,
    vertical: bool,
    strips: &mut Vec<Strip>,
) -> (Vec<f64>, Vec<Option<u32>>) {
    let mut rng = Rng::new(hash(seed, which, 0, 0));
    let hi = lo + len;
    // Strip positions: one per 800 m, none within 250 m of the ends.
    let mut planned: Vec<(f64, f64, u8)> = Vec::new();
    let mut k = 0.0;
    while lo + 800.0 * (k + 1.0) < hi - 250.0 {
        let pos = lo + 800.0 * k + rng.range(300.0, 700.0);
        let u = rng.f64();
        let (w, road) = if u < 0.2 {
            (rng.range(6.5, 6.8), code::HIGHWAY)
        } else if u < 0.3 {
            (5.0, code::STREET)
        } else if u < 0.9 {
            (rng.range(3.6, 4.5), code::RURAL_ROAD)
        } else {
            (rng.range(2.6, 3.2), code::RURAL_ROAD)
        };
        planned.push((pos, (w * 100.0).round() / 100.0, road));
        k += 1.0;
    }
    let mut out = vec![lo];
    let mut kinds = Vec::new();
    let mut cur = lo;
    #[allow(clippy::type_complexity)] // (x, y, and the road it ends on: width, class)
    let mut ends: Vec<(f64, f64, Option<(f64, u8)>)> = planned
        .iter()
        .map(|&(p, w, r)| (p, w, Some((w, r))))
        .collect();
    ends.push((hi, 0.0, None));
    for (s, w, strip) in ends {
        let l = s - cur;
        let n = ((l / CELL).round() as usize).max(1);
        let ws: Vec<f64> = (0..n).map(|_| rng.range(0.78, 1.22)).collect();
        let tot: f64 = ws.iter().sum();
        let mut pos = cur;
        for wk in &ws[..n - 1] {
            pos += l * wk / tot;
            out.push((pos * 100.0).round() / 100.0);
            kinds.push(None);
        }
        match strip {
            None => {
                out.push(hi);
                kinds.push(None);
            }
            Some((width, road)) => {
                let a = (s * 100.0).round() / 100.0;
                out.push(a);
                kinds.push(None);
                out.push(a + w);
                let id = strips.len() as u32;
                strips.push(Strip {
                    vertical,
                    index: kinds.len(),
                    width,
                    road,
                });
                kinds.push(Some(id));
                cur = a + w;
            }
        }
    }
    (out, kinds)
}

/// Lines `i` and `i + 1` that bound a strip interval move together (one jitter group).
fn groups(kinds: &[Option<u32>]) -> Vec<u32> {
    let mut g: Vec<u32> = (0..=kinds.len() as u32).collect();
    for (k, kind) in kinds.iter().enumerate() {
        if kind.is_some() {
            g[k + 1] = g[k];
        }
    }
    g
}

/// The ratio of the survey's ellipsoidal area to the planar area, tabulated every 250 m along a
/// northing and interpolated linearly. The ratio varies smoothly (as the inverse square of the
/// projection's scale factor), so `planar × ratio(centroid)` matches the survey formula to about
/// 1e-3 m² on polygons of tens of metres (the formula takes edges as straight in latitude and
/// longitude, not in the plane: a few 1e-4 m² per 40 m edge), at a twentieth of the cost.
#[derive(Debug, Clone)]
pub(crate) struct RatioTable {
    x0: f64,
    vals: Vec<f64>,
}

const RATIO_STEP: f64 = 250.0;

impl RatioTable {
    pub(crate) fn new(crs: &Crs, xa: f64, xb: f64, y: f64) -> RatioTable {
        let ea = EllipsoidalArea::new(crs).expect("a projected CRS can be measured");
        let n = ((xb - xa) / RATIO_STEP).ceil() as usize + 2;
        let vals = (0..n)
            .map(|k| {
                let x = xa + k as f64 * RATIO_STEP;
                let d = 50.0;
                let sq = [
                    (x - d, y - d),
                    (x + d, y - d),
                    (x + d, y + d),
                    (x - d, y + d),
                    (x - d, y - d),
                ];
                let e = ea
                    .signed_area_of_coords(
                        sq.iter().map(|&(x, y)| tuban_core::geo::Coord { x, y }),
                        (0.0, 0.0),
                    )
                    .abs();
                e / (4.0 * d * d)
            })
            .collect();
        RatioTable { x0: xa, vals }
    }

    pub(crate) fn at(&self, x: f64) -> f64 {
        let t = ((x - self.x0) / RATIO_STEP).clamp(0.0, (self.vals.len() - 2) as f64);
        let k = t.floor() as usize;
        let f = t - k as f64;
        self.vals[k] * (1.0 - f) + self.vals[k + 1] * f
    }
}

/// Planar area and centroid of a closed ring (shoelace, shifted to the first vertex).
pub(crate) fn ring_area_centroid(ring: &[(f64, f64)]) -> (f64, f64, f64) {
    let (ox, oy) = ring[0];
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in ring.windows(2) {
        let (x1, y1) = (w[0].0 - ox, w[0].1 - oy);
        let (x2, y2) = (w[1].0 - ox, w[1].1 - oy);
        let c = x1 * y2 - x2 * y1;
        a += c;
        cx += (x1 + x2) * c;
        cy += (y1 + y2) * c;
    }
    if a == 0.0 {
        return (0.0, ox, oy);
    }
    (a / 2.0, ox + cx / (3.0 * a), oy + cy / (3.0 * a))
}
