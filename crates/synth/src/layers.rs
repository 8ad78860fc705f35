//! The records of each layer, generated unit by unit (a band of mesh rows, a row of slots) as
//! [`Chunk`]s ready for the writers.

use std::f64::consts::{PI, TAU};

use encoding_rs::GBK;

use crate::rng::{hash, Rng};
use crate::shp::{Chunk, DbfField, Serial, ShapeType};
use crate::world::{code, ring_area_centroid, tag, World, CODES, SLOT, STRETCH};

pub(crate) const PATCH_FIELDS: [DbfField; 3] = [
    DbfField::number("XH", 10, 0),
    DbfField::text("TBBH", 20),
    DbfField::text("QSDWMC", 60),
];
pub(crate) const DLTB_FIELDS: [DbfField; 6] = [
    DbfField::text("BSM", 18),
    DbfField::text("TBBH", 8),
    DbfField::text("DLBM", 5),
    DbfField::text("DLMC", 60),
    DbfField::text("QSDWMC", 60),
    DbfField::number("TBMJ", 15, 2),
];
pub(crate) const DLTB_SERIAL: Serial = Serial {
    field: 0,
    prefix: "500151",
    digits: 12,
};
pub(crate) const GRAVE_FIELDS: [DbfField; 3] = [
    DbfField::text("BSM", 18),
    DbfField::number("SL", 4, 0),
    DbfField::text("QSDWMC", 60),
];
pub(crate) const GRAVE_SERIAL: Serial = Serial {
    field: 0,
    prefix: "500151MD",
    digits: 10,
};
pub(crate) const ROAD_FIELDS: [DbfField; 3] = [
    DbfField::number("KD", 6, 2),
    DbfField::text("DLBM", 5),
    DbfField::text("MC", 60),
];

fn gbk(s: &str) -> Vec<u8> {
    GBK.encode(s).0.into_owned()
}

fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// One polygon part: its outer ring and its holes, as (x, y) vertices.
pub(crate) type Part = (Vec<(f64, f64)>, Vec<Vec<(f64, f64)>>);

/// A patch: parts, each an outer ring (clockwise, closed) and holes (counter-clockwise, closed),
/// with, per part, an interior point and its distance to the part's boundary.
#[derive(Debug, Clone)]
pub(crate) struct PatchShape {
    pub parts: Vec<Part>,
    pub inner: Vec<((f64, f64), f64)>,
}

/// A star-shaped ring around the origin (counter-clockwise, open): `nv` vertices at radii with
/// a few harmonics and jitter, stretched by `stretch` and rotated by `rot`.
fn star(rng: &mut Rng, nv: usize, stretch: f64, rot: f64) -> Vec<(f64, f64)> {
    let harm: Vec<(f64, f64)> = (2..=4)
        .map(|_| (rng.range(0.0, 0.12), rng.range(0.0, TAU)))
        .collect();
    let (c, s) = (rot.cos(), rot.sin());
    (0..nv)
        .map(|k| {
            let th = TAU * (k as f64 + rng.range(-0.3, 0.3)) / nv as f64;
            let mut r = 1.0 + rng.range(-0.06, 0.06);
            for (m, &(a, ph)) in harm.iter().enumerate() {
                r += a * ((m as f64 + 2.0) * th + ph).cos();
            }
            let (x, y) = (r * th.cos() * stretch, r * th.sin());
            (x * c - y * s, x * s + y * c)
        })
        .collect()
}

fn signed_area(ring: &[(f64, f64)]) -> f64 {
    let n = ring.len();
    let mut a = 0.0;
    for k in 0..n {
        let (x1, y1) = ring[k];
        let (x2, y2) = ring[(k + 1) % n];
        a += x1 * y2 - x2 * y1;
    }
    a / 2.0
}

fn max_radius(ring: &[(f64, f64)]) -> f64 {
    ring.iter().map(|&(x, y)| x.hypot(y)).fold(0.0, f64::max)
}

/// Distance from the origin to the closest edge of an open ring.
fn min_edge_distance(ring: &[(f64, f64)]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|k| {
            let (ax, ay) = ring[k];
            let (bx, by) = ring[(k + 1) % n];
            let (dx, dy) = (bx - ax, by - ay);
            let l2 = dx * dx + dy * dy;
            let t = if l2 == 0.0 {
                0.0
            } else {
                (-(ax * dx + ay * dy) / l2).clamp(0.0, 1.0)
            };
            (ax + t * dx).hypot(ay + t * dy)
        })
        .fold(f64::INFINITY, f64::min)
}

/// One star part of area about `area`, fitting in a disc of `limit` around the origin.
fn part(rng: &mut Rng, area: f64, limit: f64) -> Vec<(f64, f64)> {
    let nv = rng.int(10, 35) as usize;
    let stretch = rng.range(1.0, 2.4);
    let rot = rng.range(0.0, PI);
    let ring = star(rng, nv, stretch, rot);
    let mut k = (area / signed_area(&ring)).sqrt();
    let m = max_radius(&ring) * k;
    if m > limit {
        k *= limit / m;
    }
    ring.into_iter().map(|(x, y)| (x * k, y * k)).collect()
}

impl World {
    /// The shape of patch `s` (in CRS coordinates, millimetres).
    pub(crate) fn patch_shape(&self, s: u64) -> PatchShape {
        let mut rng = Rng::new(hash(self.seed, tag::PATCH, s, 0));
        let (cx, cy) = self.slot_centre(s);
        // Log-uniform planar area, 52.2 to 5800.2 m² (median about 550 m²), as in the fixture;
        // the largest and most stretched are shrunk to fit the slot.
        let area = (52.2f64.ln() + rng.f64() * (5800.2f64 / 52.2).ln()).exp();
        let limit = SLOT / 2.0 - 1.0;
        let u = rng.f64();
        let mut parts = Vec::new();
        let mut inner = Vec::new();
        let finish = |ring: Vec<(f64, f64)>, ox: f64, oy: f64| -> Vec<(f64, f64)> {
            let mut r: Vec<(f64, f64)> = ring
                .iter()
                .map(|&(x, y)| (r3(ox + x), r3(oy + y)))
                .collect();
            r.push(r[0]);
            r
        };
        if u < 0.03 {
            // Two parts, at least 3 m apart.
            let beta = rng.range(0.0, TAU);
            let half = limit / 2.0;
            let n_parts = 2;
            for k in 0..n_parts {
                let sign = if k == 0 { 1.0 } else { -1.0 };
                let (px, py) = (cx + sign * half * beta.cos(), cy + sign * half * beta.sin());
                let ring = part(&mut rng, area / 2.0, half - 1.5);
                inner.push(((px, py), min_edge_distance(&ring)));
                let mut outer = finish(ring, px, py);
                outer.reverse();
                parts.push((outer, vec![]));
            }
        } else {
            let ring = part(&mut rng, area, limit);
            let m = max_radius(&ring);
            let slack = (limit - m).max(0.0);
            let (px, py) = (cx + rng.range(-slack, slack), cy + rng.range(-slack, slack));
            let dmin = min_edge_distance(&ring);
            let mut holes = Vec::new();
            if u < 0.06 && dmin > 3.0 {
                // A hole, well inside.
                let nv = rng.int(8, 14) as usize;
                let h = star(&mut rng, nv, 1.0, 0.0);
                let k = 0.45 * dmin / max_radius(&h);
                let h: Vec<(f64, f64)> = h.into_iter().map(|(x, y)| (x * k, y * k)).collect();
                holes.push(finish(h, px, py));
                // Interior point: halfway between the hole and the outer boundary.
                let a = rng.range(0.0, TAU);
                let d = 0.72 * dmin;
                inner.push(((px + d * a.cos(), py + d * a.sin()), 0.25 * dmin));
            } else {
                inner.push(((px, py), dmin));
            }
            let mut outer = finish(ring, px, py);
            outer.reverse();
            parts.push((outer, holes));
        }
        PatchShape { parts, inner }
    }

    /// Patches of slot row `r`.
    pub(crate) fn patch_row(&self, r: u64) -> Chunk {
        let mut ch = Chunk::default();
        let first = r * self.sw;
        let last = ((r + 1) * self.sw).min(self.n);
        let mut names = NameCache::default();
        for s in first..last {
            let shape = self.patch_shape(s);
            let rings: Vec<&[(f64, f64)]> = shape
                .parts
                .iter()
                .flat_map(|(o, hs)| {
                    std::iter::once(o.as_slice()).chain(hs.iter().map(|h| h.as_slice()))
                })
                .collect();
            ch.poly(ShapeType::Polygon, &rings);
            let (cx, cy) = self.slot_centre(s);
            let v = self.village(cx, cy);
            let tbbh = format!("500151{:08}", s + 1);
            let name = names.village(self, v).to_vec();
            ch.record()
                .integer(s + 1, 10)
                .text(tbbh.as_bytes(), 20)
                .text(&name, 60);
        }
        ch
    }

    /// Land-use polygons of mesh rows `j0..j1`, north to south, west to east.
    pub(crate) fn dltb_band(&self, j0: usize, j1: usize) -> Chunk {
        let mut ch = Chunk::default();
        let ncols = self.ncols();
        let ratio = self.ratio_table(0.5 * (self.yl[j0] + self.yl[j1]));
        let mut names = NameCache::default();
        let dlbm: Vec<Vec<u8>> = CODES.iter().map(|(c, _)| c.as_bytes().to_vec()).collect();
        let dlmc: Vec<Vec<u8>> = CODES.iter().map(|(_, n)| gbk(n)).collect();
        // For vertical strips: the lowest row already covered by a run, per column.
        let mut covered: Vec<usize> = vec![usize::MAX; ncols];
        let mut ring = Vec::with_capacity(64);
        let emit = |ch: &mut Chunk,
                    names: &mut NameCache,
                    ring: &[(f64, f64)],
                    c: u8,
                    v: u64,
                    i: usize,
                    j: usize| {
            ch.poly(ShapeType::Polygon, &[ring]);
            let (a, cx, _) = ring_area_centroid(ring);
            let tbmj = a.abs() * ratio.at(cx);
            let tbbh = ((j % 64) * 64 + (i % 64) + 1).to_string();
            let name = names.village(self, v).to_vec();
            ch.record()
                .text(b"", 18)
                .text(tbbh.as_bytes(), 8)
                .text(&dlbm[c as usize], 5)
                .text(&dlmc[c as usize], 60)
                .text(&name, 60)
                .number(tbmj, 15, 2);
        };
        let village_of = |i: usize, j: usize| {
            let (x, y) = self.nominal_centre(i, j);
            self.village(x, y)
        };
        for j in (j0..j1).rev() {
            let mut i = 0;
            while i < ncols {
                let (xs, ys) = (self.xstrip[i].is_some(), self.ystrip[j].is_some());
                if xs && ys {
                    self.block_ring(i, j, i + 1, j + 1, &mut ring);
                    emit(
                        &mut ch,
                        &mut names,
                        &ring,
                        self.strip_code(i, j),
                        village_of(i, j),
                        i,
                        j,
                    );
                    i += 1;
                } else if ys {
                    let c = self.strip_code(i, j);
                    let v = village_of(i, j);
                    let mut k = i + 1;
                    while k < ncols
                        && k - i < 12
                        && self.xstrip[k].is_none()
                        && self.strip_code(k, j) == c
                        && village_of(k, j) == v
                    {
                        k += 1;
                    }
                    self.block_ring(i, j, k, j + 1, &mut ring);
                    emit(&mut ch, &mut names, &ring, c, v, i, j);
                    i = k;
                } else if xs {
                    if covered[i] > j {
                        let c = self.strip_code(i, j);
                        let v = village_of(i, j);
                        let mut jj = j;
                        while jj > j0
                            && j + 1 - (jj - 1) <= 12
                            && self.ystrip[jj - 1].is_none()
                            && self.strip_code(i, jj - 1) == c
                            && village_of(i, jj - 1) == v
                        {
                            jj -= 1;
                        }
                        self.block_ring(i, jj, i + 1, j + 1, &mut ring);
                        emit(&mut ch, &mut names, &ring, c, v, i, jj);
                        covered[i] = jj;
                    }
                    i += 1;
                } else {
                    self.block_ring(i, j, i + 1, j + 1, &mut ring);
                    emit(
                        &mut ch,
                        &mut names,
                        &ring,
                        self.cell_code(i, j),
                        village_of(i, j),
                        i,
                        j,
                    );
                    i += 1;
                }
            }
        }
        ch
    }

    /// Grave points of slot row `r`: clusters inside patches (7 % of slots), across a patch's
    /// boundary (2.5 %), and anywhere in the slot (20 %; a quarter of them single graves).
    pub(crate) fn grave_row(&self, r: u64) -> Chunk {
        let mut ch = Chunk::default();
        let first = r * self.sw;
        let last = ((r + 1) * self.sw).min(self.n);
        let mut names = NameCache::default();
        let mut pts: Vec<(f64, f64)> = Vec::new();
        for s in first..last {
            let mut rng = Rng::new(hash(self.seed, tag::GRAVES, s, 0));
            let u = rng.f64();
            let elsewhere = rng.chance(0.2);
            pts.clear();
            if u < 0.095 {
                let shape = self.patch_shape(s);
                if u < 0.07 {
                    let ((px, py), d) = shape.inner[0];
                    let spread = (0.5 * d).clamp(1.0, 3.5);
                    let n = rng.int(3, 8) as usize;
                    cluster(&mut rng, px, py, n, spread, &mut pts);
                } else {
                    let outer = &shape.parts[0].0;
                    let v = outer[rng.int(0, outer.len() as u64 - 2) as usize];
                    let n = rng.int(5, 12) as usize;
                    cluster(&mut rng, v.0, v.1, n, 4.0, &mut pts);
                }
            }
            if elsewhere {
                let (cx, cy) = self.slot_centre(s);
                let x = cx + rng.range(-0.45, 0.45) * SLOT;
                let y = cy + rng.range(-0.45, 0.45) * SLOT;
                if rng.chance(0.25) {
                    pts.push((r3(x), r3(y)));
                } else {
                    let n = rng.int(3, 10) as usize;
                    let spread = rng.range(2.0, 4.0);
                    cluster(&mut rng, x, y, n, spread, &mut pts);
                }
            }
            for &(x, y) in &pts {
                ch.point(x, y);
                let u = rng.f64();
                let sl = if u < 0.9 {
                    1
                } else if u < 0.98 {
                    2
                } else {
                    3
                };
                let name = names.village(self, self.village(x, y)).to_vec();
                ch.record().text(b"", 18).integer(sl, 4).text(&name, 60);
            }
        }
        ch
    }

    /// Road centre lines that start in slot row `r`: the road stretches of the strips (KD = the
    /// strip's width), rural roads (2 % of slots; 1006, KD 1.5–3.5, 374–880 m) and field paths
    /// (5 %; KD 0.8, 84–324 m, narrower than 1 m so not obstacles).
    pub(crate) fn road_row(&self, r: u64) -> Chunk {
        let mut ch = Chunk::default();
        let mut line = Vec::new();
        let mut names = NameCache::default();
        let write = |ch: &mut Chunk, line: &[(f64, f64)], kd: f64, c: u8, mc: &[u8]| {
            ch.poly(ShapeType::PolyLine, &[line]);
            ch.record()
                .number(kd, 6, 2)
                .text(CODES[c as usize].0.as_bytes(), 5)
                .text(mc, 60);
        };
        let road_name = |names: &mut NameCache, sid: u64, c: u8, x: f64, y: f64| -> Vec<u8> {
            let v = self.village(x, y);
            match c {
                code::HIGHWAY => gbk(&format!("X{}县道", 100 + sid % 900)),
                code::STREET => gbk(&format!("{}街", self.town_name(v).trim_end_matches('镇'))),
                _ => {
                    if sid.is_multiple_of(2) {
                        let mut n = names.village(self, v).to_vec();
                        n.extend(gbk("机耕道"));
                        n
                    } else {
                        Vec::new()
                    }
                }
            }
        };
        for (sid, st) in self.strips.iter().enumerate() {
            let half = st.width / 2.0;
            if st.vertical {
                let i = st.index;
                for k in 0..self.nrows().div_ceil(STRETCH) {
                    let (ja, jb) = (k * STRETCH, ((k + 1) * STRETCH).min(self.nrows()));
                    let mid = 0.5 * (self.yl[ja] + self.yl[jb]);
                    if self.slot_row_of(mid) != r || !self.stretch_is_road(sid as u32, k) {
                        continue;
                    }
                    line.clear();
                    self.vchain(i, ja, jb, &mut line);
                    line.push(self.node(i, jb));
                    for p in line.iter_mut() {
                        p.0 = r3(p.0 + half);
                    }
                    let (x, y) = line[0];
                    let mc = road_name(&mut names, sid as u64, st.road, x, y);
                    write(&mut ch, &line, st.width, st.road, &mc);
                }
            } else {
                let j = st.index;
                let mid = 0.5 * (self.yl[j] + self.yl[j + 1]);
                if self.slot_row_of(mid) != r {
                    continue;
                }
                for k in 0..self.ncols().div_ceil(STRETCH) {
                    if !self.stretch_is_road(sid as u32, k) {
                        continue;
                    }
                    let (ia, ib) = (k * STRETCH, ((k + 1) * STRETCH).min(self.ncols()));
                    line.clear();
                    self.hchain(j, ia, ib, &mut line);
                    line.push(self.node(ib, j));
                    for p in line.iter_mut() {
                        p.1 = r3(p.1 + half);
                    }
                    let (x, y) = line[0];
                    let mc = road_name(&mut names, sid as u64, st.road, x, y);
                    write(&mut ch, &line, st.width, st.road, &mc);
                }
            }
        }
        let first = r * self.sw;
        let last = ((r + 1) * self.sw).min(self.n);
        for s in first..last {
            let mut rng = Rng::new(hash(self.seed, tag::ROADS, s, 0));
            let rural = rng.chance(0.02);
            let path = rng.chance(0.05);
            let (cx, cy) = self.slot_centre(s);
            if rural {
                let len = rng.range(374.0, 880.0);
                self.walk(&mut rng, cx, cy, len, &mut line);
                if line.len() >= 2 {
                    let kd = (rng.range(1.5, 3.5) * 10.0).round() / 10.0;
                    let mc = road_name(&mut names, s, code::RURAL_ROAD, cx, cy);
                    write(&mut ch, &line, kd, code::RURAL_ROAD, &mc);
                }
            }
            if path {
                let len = rng.range(84.0, 324.0);
                self.walk(&mut rng, cx, cy, len, &mut line);
                if line.len() >= 2 {
                    let mc = if rng.chance(0.3) {
                        gbk("生产便道")
                    } else {
                        Vec::new()
                    };
                    write(&mut ch, &line, 0.8, code::RURAL_ROAD, &mc);
                }
            }
        }
        ch
    }

    /// A smooth random walk of about `len` metres from near (cx, cy), kept inside the world.
    fn walk(&self, rng: &mut Rng, cx: f64, cy: f64, len: f64, out: &mut Vec<(f64, f64)>) {
        out.clear();
        let (mut x, mut y) = (
            cx + rng.range(-0.4, 0.4) * SLOT,
            cy + rng.range(-0.4, 0.4) * SLOT,
        );
        let mut th = rng.range(0.0, TAU);
        let mut done = 0.0;
        out.push((r3(x), r3(y)));
        let (xa, xb) = (self.x0 + 1.0, self.x0 + self.w - 1.0);
        let (ya, yb) = (self.y0 + 1.0, self.y0 + self.h - 1.0);
        while done < len {
            let step = rng.range(15.0, 30.0);
            th += rng.range(-0.3, 0.3);
            let (nx, ny) = (x + step * th.cos(), y + step * th.sin());
            if !(xa..=xb).contains(&nx) || !(ya..=yb).contains(&ny) {
                break;
            }
            x = nx;
            y = ny;
            done += step;
            out.push((r3(x), r3(y)));
        }
    }
}

/// `n` points within `spread` of (x, y), at least 0.6 m apart (as many as fit in a few tries).
fn cluster(rng: &mut Rng, x: f64, y: f64, n: usize, spread: f64, out: &mut Vec<(f64, f64)>) {
    let start = out.len();
    for _ in 0..n {
        for _ in 0..30 {
            let r = spread * rng.f64().sqrt();
            let a = rng.range(0.0, TAU);
            let p = (r3(x + r * a.cos()), r3(y + r * a.sin()));
            if out[start..]
                .iter()
                .all(|q| (p.0 - q.0).hypot(p.1 - q.1) > 0.6)
            {
                out.push(p);
                break;
            }
        }
    }
}

/// GBK village names, encoded once per chunk.
#[derive(Default)]
struct NameCache {
    last: Option<(u64, Vec<u8>)>,
    map: std::collections::HashMap<u64, Vec<u8>>,
}

impl NameCache {
    fn village(&mut self, w: &World, v: u64) -> &[u8] {
        if self.last.as_ref().is_some_and(|(k, _)| *k == v) {
            return &self.last.as_ref().expect("just checked").1;
        }
        let name = self
            .map
            .entry(v)
            .or_insert_with(|| gbk(&w.village_name(v)))
            .clone();
        self.last = Some((v, name));
        &self.last.as_ref().expect("just set").1
    }
}
