//! The measured indicators: exact areas of land-use pieces inside other layers, by tuban's overlay.
//!
//! Why the overlay: [`tuban::core::overlay`] already measures, for each polygon ("patch"), the
//! exact area of each class of other polygons ("obstacles") inside it, with the survey's area rule,
//! cutting large polygons to the patch's neighbourhood first so the boolean engine stays precise.
//! A ledger question is the same question with other roles:
//!
//! | question | patches | obstacle classes |
//! |---|---|---|
//! | cropland inside protection, PBF, cases | current cropland polygons | protection, PBF, cases |
//! | cropland inside PBF ∩ cases | current cropland polygons | PBF, cases (`a + b − a∪b`) |
//! | transition matrix, outflow, non-grain | earlier DLTB polygons | one class per later code |
//! | inflow | current cropland polygons | earlier other agricultural land |
//!
//! Each piece's area is multiplied by `1 − KCXS` of the cropland polygon it belongs to (the
//! field-ridge deduction), and summed in m² per village; rounding happens only at display.

use std::collections::BTreeMap;

use tuban::core::area::AreaMeasure;
use tuban::core::geo::{BooleanOps, MultiPolygon};
use tuban::core::overlay::{overlay, Obstacle, ObstacleIndex, OverlayOptions, Patch, PatchResult};

use crate::indicators::{is_cropland, is_nongrain, is_other_agricultural};
use crate::layers::LandPiece;
use crate::Error;

/// Sums in m² (counts for `violation_cases`), township and per village.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums {
    /// Township totals by indicator key.
    pub township: BTreeMap<String, f64>,
    /// Per village.
    pub villages: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Sums {
    /// Adds `v` to `key`, township and `village`.
    pub fn add(&mut self, village: &str, key: &str, v: f64) {
        *self.township.entry(key.to_string()).or_default() += v;
        *self
            .villages
            .entry(village.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += v;
    }

    /// Makes `key` present (zero) in the township and every village, so that a measured zero
    /// shows as 0.00 rather than as absent.
    pub fn touch(&mut self, key: &str) {
        self.township.entry(key.to_string()).or_default();
        for v in self.villages.values_mut() {
            v.entry(key.to_string()).or_default();
        }
    }
}

/// What the page's map draws, in the working CRS: the ledger's pieces by what they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shapes {
    /// Every current cropland polygon.
    pub cropland: Vec<MultiPolygon<f64>>,
    /// The cropland outside the protection task.
    pub outside: Vec<MultiPolygon<f64>>,
    /// The cropland inside the protection task but outside the PBF polygons (where the PBF
    /// shortfall can be made up).
    pub not_pbf: Vec<MultiPolygon<f64>>,
    /// The PBF polygons.
    pub pbf: Vec<MultiPolygon<f64>>,
    /// Cropland that flowed out to other agricultural land.
    pub outflow: Vec<MultiPolygon<f64>>,
    /// Other agricultural land that flowed in to cropland.
    pub inflow: Vec<MultiPolygon<f64>>,
    /// The enforcement cases.
    pub cases: Vec<MultiPolygon<f64>>,
}

/// The land-use transition matrix (before code × after code), in m² after the deduction of the
/// earlier polygon's KCXS. The column `""` holds what the later layer does not cover.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matrix {
    /// Rows: earlier code → (later code → m²).
    pub cells: BTreeMap<String, BTreeMap<String, f64>>,
    /// Each earlier code's own area (Σ polygon × (1 − KCXS)): what its row must add up to.
    pub before: BTreeMap<String, f64>,
}

fn overlay_classes(
    patches: &[Patch],
    obstacles: Vec<Obstacle>,
    classes: usize,
    measure: Box<dyn AreaMeasure>,
    keep_pieces: bool,
) -> Result<Vec<PatchResult>, Error> {
    let index = ObstacleIndex::new(obstacles);
    let options = OverlayOptions {
        measure,
        keep_pieces,
    };
    let results = overlay(patches, &index, classes, &options);
    for (p, r) in patches.iter().zip(&results) {
        if let Some(e) = &r.error {
            return Err(Error::Layer {
                layer: p.id.clone(),
                record: Some(p.record),
                message: format!("cannot be measured: {e}"),
            });
        }
    }
    Ok(results)
}

fn patch(layer: &str, piece: &LandPiece) -> Patch {
    Patch::new(layer, piece.village.clone(), piece.geometry.clone()).with_record(piece.record)
}

fn obstacle(class: usize, g: &MultiPolygon<f64>) -> Obstacle {
    Obstacle::new(class, g.clone())
}

/// The polygons the current cropland is measured against.
#[derive(Debug, Clone, Copy)]
pub struct Zones<'a> {
    /// The protection task.
    pub protection: &'a [MultiPolygon<f64>],
    /// The PBF polygons.
    pub pbf: &'a [MultiPolygon<f64>],
    /// The enforcement cases, if given.
    pub cases: Option<&'a [MultiPolygon<f64>]>,
}

/// The current cropland: `cropland_mu`, `cropland_outside_protection_mu`, `pbf_mu`, and with
/// cases `violation_cropland_mu`, `violation_pbf_mu`. `make` builds a fresh area measure.
pub fn current(
    dltb_label: &str,
    pieces: &[LandPiece],
    layers: &Zones<'_>,
    make: &dyn Fn() -> Result<Box<dyn AreaMeasure>, Error>,
    sums: &mut Sums,
    shapes: &mut Shapes,
) -> Result<Vec<CaseArea>, Error> {
    let Zones {
        protection,
        pbf,
        cases,
    } = *layers;
    let crop: Vec<&LandPiece> = pieces.iter().filter(|p| p.is_cropland()).collect();
    let patches: Vec<Patch> = crop.iter().map(|p| patch(dltb_label, p)).collect();
    let mut obstacles: Vec<Obstacle> = protection.iter().map(|g| obstacle(0, g)).collect();
    obstacles.extend(pbf.iter().map(|g| obstacle(1, g)));
    if let Some(cases) = cases {
        obstacles.extend(cases.iter().map(|g| obstacle(2, g)));
    }
    let results = overlay_classes(&patches, obstacles, 3, make()?, true)?;
    shapes.pbf = pbf.to_vec();
    shapes.cases = cases.map(<[_]>::to_vec).unwrap_or_default();
    // Each cropland polygon's piece inside the PBF, for the cases below.
    let mut pbf_pieces: Vec<(f64, MultiPolygon<f64>)> = Vec::new();
    for (p, r) in crop.iter().zip(&results) {
        shapes.cropland.push(p.geometry.clone());
        let piece = |class: usize| {
            r.pieces
                .iter()
                .find(|(c, _)| *c == class)
                .map(|(_, g)| g.clone())
                .unwrap_or_else(|| MultiPolygon(Vec::new()))
        };
        let inside = piece(0);
        if r.area_m2 - r.class_m2[0] > 1e-3 {
            shapes.outside.push(p.geometry.difference(&inside));
        }
        if r.class_m2[0] - r.class_m2[1] > 1e-3 {
            shapes.not_pbf.push(inside.difference(&piece(1)));
        }
        if cases.is_some() && r.class_m2[1] > 0.0 {
            pbf_pieces.push((p.kcxs, piece(1)));
        }
    }
    for key in ["cropland_mu", "cropland_outside_protection_mu", "pbf_mu"] {
        sums.touch(key);
    }
    for (p, r) in crop.iter().zip(&results) {
        let net = 1.0 - p.kcxs;
        sums.add(&p.village, "cropland_mu", r.area_m2 * net);
        let outside = (r.area_m2 - r.class_m2[0]).max(0.0);
        sums.add(&p.village, "cropland_outside_protection_mu", outside * net);
        sums.add(&p.village, "pbf_mu", r.class_m2[1] * net);
        if cases.is_some() {
            sums.add(&p.village, "violation_cropland_mu", r.class_m2[2] * net);
        }
    }
    if let Some(cases) = cases {
        sums.touch("violation_cropland_mu");
        sums.touch("violation_pbf_mu");
        // Cropland inside both: |PBF ∩ case| = |PBF| + |case| − |PBF ∪ case| within each piece.
        let mut obstacles: Vec<Obstacle> = pbf.iter().map(|g| obstacle(0, g)).collect();
        obstacles.extend(cases.iter().map(|g| obstacle(1, g)));
        let results = overlay_classes(&patches, obstacles, 2, make()?, false)?;
        for (p, r) in crop.iter().zip(&results) {
            let both = (r.class_m2[0] + r.class_m2[1] - r.union_m2).max(0.0);
            sums.add(&p.village, "violation_pbf_mu", both * (1.0 - p.kcxs));
        }
        return by_case(cases, &crop, &pbf_pieces, make);
    }
    Ok(Vec::new())
}

/// The cropland (and the cropland inside the PBF) inside one enforcement case, m² after the
/// deduction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CaseArea {
    /// Cropland inside the case.
    pub cropland_m2: f64,
    /// Cropland inside both the case and the PBF polygons.
    pub pbf_m2: f64,
}

/// Each case's cropland: the cases are the patches, and the cropland polygons (then their PBF
/// pieces) the obstacles, one class per distinct KCXS, so each class's area times its `1 − KCXS`
/// is exact. Cropland polygons do not overlap, so a class's union is its sum.
fn by_case(
    cases: &[MultiPolygon<f64>],
    crop: &[&LandPiece],
    pbf_pieces: &[(f64, MultiPolygon<f64>)],
    make: &dyn Fn() -> Result<Box<dyn AreaMeasure>, Error>,
) -> Result<Vec<CaseArea>, Error> {
    let mut kx: Vec<f64> = crop.iter().map(|p| p.kcxs).collect();
    kx.sort_by(f64::total_cmp);
    kx.dedup();
    let class = |k: f64| kx.partition_point(|v| *v < k);
    let n = kx.len();
    let mut obstacles: Vec<Obstacle> = crop
        .iter()
        .map(|p| obstacle(class(p.kcxs), &p.geometry))
        .collect();
    obstacles.extend(pbf_pieces.iter().map(|(k, g)| obstacle(n + class(*k), g)));
    let patches: Vec<Patch> = cases
        .iter()
        .enumerate()
        .map(|(i, g)| Patch::new(format!("case {}", i + 1), "", g.clone()).with_record(i + 1))
        .collect();
    let results = overlay_classes(&patches, obstacles, 2 * n, make()?, false)?;
    Ok(results
        .iter()
        .map(|r| {
            let net = |off: usize| (0..n).map(|k| r.class_m2[off + k] * (1.0 - kx[k])).sum();
            CaseArea {
                cropland_m2: net(0),
                pbf_m2: net(n),
            }
        })
        .collect())
}

/// Between two vintages: the transition matrix, `outflow_mu`, `nongrain_lost_mu` (from the
/// matrix's cropland rows, deducted by the earlier KCXS) and `inflow_mu` (deducted by the later
/// KCXS, the cropland as the later survey counts it).
pub fn flows(
    before_label: &str,
    after_label: &str,
    before: &[LandPiece],
    after: &[LandPiece],
    make: &dyn Fn() -> Result<Box<dyn AreaMeasure>, Error>,
    sums: &mut Sums,
    shapes: &mut Shapes,
) -> Result<Matrix, Error> {
    let codes: Vec<String> = {
        let set: std::collections::BTreeSet<&str> = after.iter().map(|p| p.code.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    };
    let class_of: BTreeMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let obstacles: Vec<Obstacle> = after
        .iter()
        .map(|p| obstacle(class_of[p.code.as_str()], &p.geometry))
        .collect();
    let patches: Vec<Patch> = before.iter().map(|p| patch(before_label, p)).collect();
    let results = overlay_classes(&patches, obstacles, codes.len(), make()?, true)?;
    let mut m = Matrix::default();
    for key in ["outflow_mu", "nongrain_lost_mu", "inflow_mu"] {
        sums.touch(key);
    }
    for (p, r) in before.iter().zip(&results) {
        let net = 1.0 - p.kcxs;
        *m.before.entry(p.code.clone()).or_default() += r.area_m2 * net;
        let row = m.cells.entry(p.code.clone()).or_default();
        for (j, a) in r.class_m2.iter().enumerate().filter(|(_, a)| **a > 0.0) {
            *row.entry(codes[j].clone()).or_default() += a * net;
            if is_cropland(&p.code) && is_other_agricultural(&codes[j]) {
                sums.add(&p.village, "outflow_mu", a * net);
                let piece = r.pieces.iter().filter(|(c, _)| *c == j);
                shapes.outflow.extend(piece.map(|(_, g)| g.clone()));
            }
            if is_cropland(&p.code) && is_nongrain(&codes[j]) {
                sums.add(&p.village, "nongrain_lost_mu", a * net);
            }
        }
        let uncovered = r.area_m2 - r.union_m2;
        if uncovered > 1e-6 * r.area_m2.max(1.0) {
            *row.entry(String::new()).or_default() += uncovered * net;
        }
    }
    // Inflow: the later cropland over the earlier other agricultural land.
    let crop: Vec<&LandPiece> = after.iter().filter(|p| p.is_cropland()).collect();
    let patches: Vec<Patch> = crop.iter().map(|p| patch(after_label, p)).collect();
    let obstacles: Vec<Obstacle> = before
        .iter()
        .filter(|p| is_other_agricultural(&p.code))
        .map(|p| obstacle(0, &p.geometry))
        .collect();
    let results = overlay_classes(&patches, obstacles, 1, make()?, true)?;
    for (p, r) in crop.iter().zip(&results) {
        sums.add(&p.village, "inflow_mu", r.class_m2[0] * (1.0 - p.kcxs));
        shapes
            .inflow
            .extend(r.pieces.iter().map(|(_, g)| g.clone()));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuban::core::area::Planar;
    use tuban::core::geo::{polygon, MultiPolygon};
    use tuban::core::units::mu;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)
        ]])
    }

    fn tri(x0: f64, y0: f64, s: f64) -> MultiPolygon<f64> {
        // The lower-right half of the square [x0, x0 + s] × [y0, y0 + s]: area s² / 2.
        MultiPolygon(vec![
            polygon![(x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s)],
        ])
    }

    fn piece(
        record: usize,
        code: &str,
        kcxs: f64,
        village: &str,
        g: MultiPolygon<f64>,
    ) -> LandPiece {
        LandPiece {
            record,
            code: code.into(),
            kcxs,
            village: village.into(),
            geometry: g,
        }
    }

    fn planar() -> Result<Box<dyn AreaMeasure>, Error> {
        Ok(Box::new(Planar))
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }

    #[test]
    fn squares_half_squares_and_a_polygon_cut_by_pbf_and_protection() {
        // By hand (planar m²):
        // A: 0101 square 100 × 100 = 10000, KCXS 0.1 → 9000 net, village 甲.
        // B: 0103 half-square of side 100 = 5000, KCXS 0.2 → 4000 net, village 乙.
        // C: 0201 square (not cropland) 10000: counts for nothing.
        // Protection covers x ≤ 60 of A (6000 gross) and all of B; PBF covers y ≤ 30 of A (3000
        // gross), and x ≥ 250 of B's square [200, 300]² (the triangle's part right of x = 250:
        // 5000 − 50²/2 = 3750 gross).
        // A case covers [50, 70] × [0, 10] (200 gross of A, all inside PBF; 100 inside protection).
        let pieces = vec![
            piece(1, "0101", 0.1, "甲", rect(0.0, 0.0, 100.0, 100.0)),
            piece(2, "0103", 0.2, "乙", tri(200.0, 0.0, 100.0)),
            piece(3, "0201", 0.0, "甲", rect(400.0, 0.0, 500.0, 100.0)),
        ];
        let protection = vec![
            rect(-10.0, -10.0, 60.0, 110.0),
            rect(190.0, -10.0, 310.0, 110.0),
        ];
        let pbf = vec![
            rect(-10.0, -10.0, 110.0, 30.0),
            rect(250.0, -10.0, 310.0, 110.0),
        ];
        let cases = vec![rect(50.0, 0.0, 70.0, 10.0)];
        let mut s = Sums::default();
        let zones = Zones {
            protection: &protection,
            pbf: &pbf,
            cases: Some(&cases),
        };
        let mut shapes = Shapes::default();
        let by_case = current("dltb", &pieces, &zones, &planar, &mut s, &mut shapes).unwrap();
        // The one case: 200 m² of A (KCXS 0.1), all inside the PBF.
        assert_eq!(by_case.len(), 1);
        close(by_case[0].cropland_m2, 180.0);
        close(by_case[0].pbf_m2, 180.0);
        // The map's pieces, by hand: outside protection, A's x > 60 part (4000 m²); inside
        // protection but outside PBF, A's x ≤ 60, y > 30 part (60 × 70 = 4200 m²) and B's
        // x < 250 part (50²/2 = 1250 m²).
        assert_eq!(shapes.outside.len(), 1);
        close(
            tuban::core::geo::Area::unsigned_area(&shapes.outside[0]),
            4000.0,
        );
        let not_pbf: Vec<f64> = shapes
            .not_pbf
            .iter()
            .map(tuban::core::geo::Area::unsigned_area)
            .collect();
        assert_eq!(not_pbf.len(), 2);
        close(not_pbf[0], 4200.0);
        close(not_pbf[1], 1250.0);
        let t = &s.township;
        close(t["cropland_mu"], 9000.0 + 4000.0);
        // Outside protection: A's x > 60 part, 4000 gross × 0.9; none of B.
        close(t["cropland_outside_protection_mu"], 3600.0);
        close(t["pbf_mu"], 3000.0 * 0.9 + 3750.0 * 0.8);
        close(t["violation_cropland_mu"], 200.0 * 0.9);
        close(t["violation_pbf_mu"], 200.0 * 0.9);
        close(s.villages["甲"]["cropland_mu"], 9000.0);
        close(s.villages["乙"]["pbf_mu"], 3000.0);
        close(s.villages["乙"]["cropland_outside_protection_mu"], 0.0);
        assert_eq!(mu(t["cropland_mu"]), 19.5);
    }

    #[test]
    fn the_matrix_rows_add_up_to_the_before_areas_and_flows_are_by_hand() {
        // Before: A 0101 [0,100]² KCXS 0.1; B 0201 [100,200]×[0,100] KCXS 0.
        // After: the left 30 m of A became 0301 forest, the rest of A stays 0101 (KCXS 0.05);
        // B's right half became 0103 (KCXS 0.2), its left half stays 0201.
        let before = vec![
            piece(1, "0101", 0.1, "甲", rect(0.0, 0.0, 100.0, 100.0)),
            piece(2, "0201", 0.0, "甲", rect(100.0, 0.0, 200.0, 100.0)),
        ];
        let after = vec![
            piece(1, "0301", 0.0, "甲", rect(0.0, 0.0, 30.0, 100.0)),
            piece(2, "0101", 0.05, "甲", rect(30.0, 0.0, 100.0, 100.0)),
            piece(3, "0201", 0.0, "甲", rect(100.0, 0.0, 150.0, 100.0)),
            piece(4, "0103", 0.2, "甲", rect(150.0, 0.0, 200.0, 100.0)),
        ];
        let mut s = Sums::default();
        let mut shapes = Shapes::default();
        let m = flows(
            "before",
            "after",
            &before,
            &after,
            &planar,
            &mut s,
            &mut shapes,
        )
        .unwrap();
        close(
            tuban::core::geo::Area::unsigned_area(&shapes.outflow[0]),
            3000.0,
        );
        close(
            tuban::core::geo::Area::unsigned_area(&shapes.inflow[0]),
            5000.0,
        );
        // Outflow = non-grain = 3000 gross × 0.9 = 2700; inflow = 5000 × 0.8 = 4000.
        close(s.township["outflow_mu"], 2700.0);
        close(s.township["nongrain_lost_mu"], 2700.0);
        close(s.township["inflow_mu"], 4000.0);
        close(m.cells["0101"]["0301"], 2700.0);
        close(m.cells["0101"]["0101"], 6300.0);
        close(m.cells["0201"]["0103"], 5000.0);
        for (code, row) in &m.cells {
            close(row.values().sum::<f64>(), m.before[code]);
        }
        close(m.before["0101"], 9000.0);
    }
}
