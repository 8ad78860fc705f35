//! The result of a run as a table: one row per patch, with the columns every output shares.
//!
//! Writers (CSV, GeoJSON, and any an embedder adds) take their columns from [`Report::columns`]
//! and their values from [`Report::cell`], so every output carries the same names and numbers.
//! The first columns are tuban's interface contract and never change order:
//!
//! `patch_id, village, area_m2, area_mu,` then for each class C of `grave, forest, road, steep`:
//! `C_m2, C_mu, C_pct`, then `obstacle_m2, obstacle_mu, clean_m2, clean_mu`; then `grave_count`,
//! `verdict`, `verdict_zh`, `reasons`, `reasons_zh`, and more.

use serde::Serialize;

use crate::account::VillageTable;
use crate::area::AreaMethod;
use crate::overlay::{Patch, PatchResult};
use crate::units::{hectares, mu};
use crate::verdict::{class_zh, judge, Judgement, VerdictRules};

/// What a column holds, which decides how writers format it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Text.
    Text,
    /// Square metres: written unrounded.
    M2,
    /// Mu.
    Mu,
    /// Hectares.
    Ha,
    /// Percent of the patch area.
    Pct,
    /// A count or record number.
    Count,
}

/// One output column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// The English column name (the contract).
    pub name: String,
    /// What it holds.
    pub unit: Unit,
    what: What,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
enum What {
    Id,
    Village,
    Area,
    Class(usize),
    Union,
    Clean,
    Method,
    Record,
    Error,
    Count(usize),
    Repair,
    Planar,
    EllipsoidalArea,
    Verdict,
    VerdictZh,
    Reasons,
    ReasonsZh,
}

/// A cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (NaN never appears: failed patches have empty numeric cells).
    Number(f64),
    /// Nothing (a failed patch's numbers).
    Empty,
}

/// What happened to a patch's geometry before it was measured. Each word means one thing in every
/// output: a **repaired** patch is measured (after its repair), a **skipped** patch is left out on
/// purpose by the invalid-geometry policy `skip`, a **failed** patch could not be measured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PatchStatus {
    /// Measured as given.
    #[default]
    Measured,
    /// Its geometry was invalid and was repaired; measured after the repair. What was wrong and
    /// what was done.
    Repaired(String),
    /// Left out on purpose (the invalid-geometry policy `skip`): why.
    Skipped(String),
    /// Could not be measured: why.
    Failed(String),
}

impl PatchStatus {
    /// `measured`, `repaired`, `skipped` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PatchStatus::Measured => "measured",
            PatchStatus::Repaired(_) => "repaired",
            PatchStatus::Skipped(_) => "skipped",
            PatchStatus::Failed(_) => "failed",
        }
    }

    /// What was wrong (and done), if anything.
    pub fn note(&self) -> &str {
        match self {
            PatchStatus::Measured => "",
            PatchStatus::Repaired(s) | PatchStatus::Skipped(s) | PatchStatus::Failed(s) => s,
        }
    }
}

/// Everything a run produced, ready to write. Built by [`Report::new`] from a [`Measured`];
/// the verdicts and the village table are derived there, once.
#[derive(Debug, Clone)]
pub struct Report {
    /// Class names, built-in ones first.
    pub classes: Vec<String>,
    /// How the areas were measured.
    pub method: AreaMethod,
    /// A sentence stating the method (and ellipsoid) for the outputs.
    pub method_note: String,
    /// The patches, in input order.
    pub patches: Vec<Patch>,
    /// One result per patch; a skipped or failed patch's has no numbers, and a failed patch's
    /// `error` says why.
    pub results: Vec<PatchResult>,
    /// What happened to each patch's geometry before it was measured.
    pub status: Vec<PatchStatus>,
    /// Each patch's verdict and reasons (`None` for a skipped or failed patch).
    pub judgements: Vec<Option<Judgement>>,
    /// The thresholds the verdicts used.
    pub verdict_rules: VerdictRules,
    /// Per-village totals.
    pub villages: VillageTable,
    /// Each patch's `(planar, ellipsoidal)` area, when known: written as `area_planar_m2` and
    /// `area_ellipsoidal_m2` whatever the method of the other columns.
    pub both_areas: Option<Vec<(f64, f64)>>,
    /// The CRS of the patches' coordinates, when known.
    pub crs: Option<crate::crs::Crs>,
    /// Per patch, what was wrong with its geometry and what was done (the `repair` column):
    /// [`PatchStatus::note`] of repaired and skipped patches, derived from [`Report::status`].
    pub repairs: Vec<String>,
    /// Per patch, whether it was skipped on purpose (derived from [`Report::status`]).
    pub skipped: Vec<bool>,
}

/// What the overlay measured, and what the report needs besides: the input of [`Report::new`].
#[derive(Debug, Clone)]
pub struct Measured {
    /// Class names, built-in ones first (the rules' classes).
    pub classes: Vec<String>,
    /// How the areas were measured.
    pub method: AreaMethod,
    /// A sentence stating the method (and ellipsoid) for the outputs.
    pub method_note: String,
    /// The patches, in input order.
    pub patches: Vec<Patch>,
    /// One overlay result per patch.
    pub results: Vec<PatchResult>,
    /// What happened to each patch's geometry; empty means every patch was measured as given.
    pub status: Vec<PatchStatus>,
    /// Thresholds for the verdicts.
    pub verdict_rules: VerdictRules,
    /// Each patch's `(planar, ellipsoidal)` area, when known.
    pub both_areas: Option<Vec<(f64, f64)>>,
    /// The CRS of the patches' coordinates, when known.
    pub crs: Option<crate::crs::Crs>,
}

impl Report {
    /// Assembles a report: settles each patch's status with its result (a skipped or failed
    /// patch has no numbers; a patch the overlay could not measure is failed), judges every
    /// measured patch and totals per village.
    pub fn new(m: Measured) -> Self {
        let Measured {
            classes,
            method,
            method_note,
            patches,
            mut results,
            mut status,
            verdict_rules,
            both_areas,
            crs,
        } = m;
        assert_eq!(patches.len(), results.len(), "one result per patch");
        if status.is_empty() {
            status = vec![PatchStatus::Measured; patches.len()];
        }
        assert_eq!(patches.len(), status.len(), "one status per patch");
        for (r, s) in results.iter_mut().zip(&mut status) {
            match s {
                PatchStatus::Skipped(_) => {
                    *r = PatchResult::failed(classes.len(), r.method, String::new());
                    r.error = None;
                }
                PatchStatus::Failed(why) => {
                    *r = PatchResult::failed(classes.len(), r.method, why.clone());
                }
                PatchStatus::Measured | PatchStatus::Repaired(_) => {
                    if let Some(e) = &r.error {
                        *s = PatchStatus::Failed(e.clone());
                    }
                }
            }
        }
        let judgements: Vec<Option<Judgement>> = results
            .iter()
            .zip(&status)
            .map(|(r, s)| match s {
                PatchStatus::Measured | PatchStatus::Repaired(_) => judge(r, &verdict_rules),
                PatchStatus::Skipped(_) | PatchStatus::Failed(_) => None,
            })
            .collect();
        let villages = VillageTable::new(&patches, &results, &judgements, &status, classes.len());
        let repairs = status
            .iter()
            .map(|s| match s {
                PatchStatus::Repaired(w) | PatchStatus::Skipped(w) => w.clone(),
                PatchStatus::Measured | PatchStatus::Failed(_) => String::new(),
            })
            .collect();
        let skipped = status
            .iter()
            .map(|s| matches!(s, PatchStatus::Skipped(_)))
            .collect();
        Report {
            classes,
            method,
            method_note,
            patches,
            results,
            status,
            judgements,
            verdict_rules,
            villages,
            both_areas,
            crs,
            repairs,
            skipped,
        }
    }

    /// The reasons of row `row` as text: `forest 0.52 mu; road 0.10 mu; grave 0.05 mu (3 graves)`,
    /// or in Chinese `林地 0.52亩；道路 0.10亩；墓地 0.05亩（3座）`. Areas under 0.005 mu are shown in
    /// square metres: `road 1.6 m2`, `道路 1.6平方米`. Every character is one GBK holds (so `m2`,
    /// not `m²`): the text goes into GBK shapefiles as it is.
    pub fn reasons_text(&self, row: usize, chinese: bool) -> String {
        let Some(j) = &self.judgements[row] else {
            return String::new();
        };
        let counts = &self.results[row].point_count;
        let parts: Vec<String> = j
            .reasons
            .iter()
            .map(|&(c, m2)| {
                let name = &self.classes[c];
                let m = mu(m2);
                let amount = match (m >= 0.005, chinese) {
                    (true, false) => format!("{m:.2} mu"),
                    (true, true) => format!("{m:.2}亩"),
                    (false, false) => format!("{m2:.1} m2"),
                    (false, true) => format!("{m2:.1}平方米"),
                };
                let n = counts[c];
                let is_grave = name == "grave";
                match (chinese, is_grave && n > 0) {
                    (false, false) => format!("{name} {amount}"),
                    (false, true) => format!(
                        "{name} {amount} ({n} grave{})",
                        if n == 1 { "" } else { "s" }
                    ),
                    (true, false) => format!("{} {amount}", class_zh(name)),
                    (true, true) => format!("{} {amount}（{n}座）", class_zh(name)),
                }
            })
            .collect();
        parts.join(if chinese { "；" } else { "; " })
    }

    /// The columns, in output order.
    pub fn columns(&self) -> Vec<Column> {
        let col = |name: String, unit, what| Column { name, unit, what };
        let mut v = vec![
            col("patch_id".into(), Unit::Text, What::Id),
            col("village".into(), Unit::Text, What::Village),
            col("area_m2".into(), Unit::M2, What::Area),
            col("area_mu".into(), Unit::Mu, What::Area),
        ];
        let per_class = |v: &mut Vec<Column>, c: usize, name: &str| {
            v.push(col(format!("{name}_m2"), Unit::M2, What::Class(c)));
            v.push(col(format!("{name}_mu"), Unit::Mu, What::Class(c)));
            v.push(col(format!("{name}_pct"), Unit::Pct, What::Class(c)));
        };
        // The built-in classes first (the contract), then any the rules added.
        for (c, name) in self.classes.iter().enumerate().take(4) {
            per_class(&mut v, c, name);
        }
        v.push(col("obstacle_m2".into(), Unit::M2, What::Union));
        v.push(col("obstacle_mu".into(), Unit::Mu, What::Union));
        v.push(col("clean_m2".into(), Unit::M2, What::Clean));
        v.push(col("clean_mu".into(), Unit::Mu, What::Clean));
        if let Some(g) = self.classes.iter().position(|c| c == "grave") {
            v.push(col("grave_count".into(), Unit::Count, What::Count(g)));
        }
        v.push(col("verdict".into(), Unit::Text, What::Verdict));
        v.push(col("verdict_zh".into(), Unit::Text, What::VerdictZh));
        v.push(col("reasons".into(), Unit::Text, What::Reasons));
        v.push(col("reasons_zh".into(), Unit::Text, What::ReasonsZh));
        v.push(col("obstacle_pct".into(), Unit::Pct, What::Union));
        v.push(col("area_ha".into(), Unit::Ha, What::Area));
        v.push(col("obstacle_ha".into(), Unit::Ha, What::Union));
        v.push(col("clean_ha".into(), Unit::Ha, What::Clean));
        for (c, name) in self.classes.iter().enumerate().skip(4) {
            per_class(&mut v, c, name);
        }
        if self.both_areas.is_some() {
            v.push(col("area_planar_m2".into(), Unit::M2, What::Planar));
            v.push(col(
                "area_ellipsoidal_m2".into(),
                Unit::M2,
                What::EllipsoidalArea,
            ));
        }
        v.push(col("area_method".into(), Unit::Text, What::Method));
        v.push(col("record".into(), Unit::Count, What::Record));
        v.push(col("error".into(), Unit::Text, What::Error));
        v.push(col("repair".into(), Unit::Text, What::Repair));
        v
    }

    /// The value of column `col` in row `row`.
    pub fn cell(&self, row: usize, col: &Column) -> Cell {
        let p = &self.patches[row];
        let r = &self.results[row];
        let failed = !matches!(
            self.status[row],
            PatchStatus::Measured | PatchStatus::Repaired(_)
        );
        let m2 = match col.what {
            What::Id => return Cell::Text(p.id.clone()),
            What::Village => return Cell::Text(p.village.clone()),
            What::Method => return Cell::Text(r.method.as_str().into()),
            What::Record => return Cell::Number(p.record as f64),
            What::Error => return Cell::Text(r.error.clone().unwrap_or_default()),
            What::Repair => return Cell::Text(self.repairs.get(row).cloned().unwrap_or_default()),
            What::Verdict | What::VerdictZh => {
                return match &self.judgements[row] {
                    None => Cell::Empty,
                    Some(j) if col.what == What::Verdict => Cell::Text(j.verdict.as_str().into()),
                    Some(j) => Cell::Text(j.verdict.zh().into()),
                }
            }
            What::Reasons => return Cell::Text(self.reasons_text(row, false)),
            What::ReasonsZh => return Cell::Text(self.reasons_text(row, true)),
            _ if failed => return Cell::Empty,
            What::Count(c) => return Cell::Number(r.point_count[c] as f64),
            What::Area => r.area_m2,
            What::Planar => self.both_areas.as_ref().map_or(f64::NAN, |b| b[row].0),
            What::EllipsoidalArea => self.both_areas.as_ref().map_or(f64::NAN, |b| b[row].1),
            What::Class(c) => r.class_m2[c],
            What::Union => r.union_m2,
            What::Clean => r.clean_m2(),
        };
        Cell::Number(match col.unit {
            Unit::M2 | Unit::Count | Unit::Text => m2,
            Unit::Mu => mu(m2),
            Unit::Ha => hectares(m2),
            Unit::Pct => {
                if r.area_m2 > 0.0 {
                    100.0 * m2 / r.area_m2
                } else {
                    0.0
                }
            }
        })
    }

    /// Patches that failed, with their errors: `(row, patch id, error)`. Patches skipped on
    /// purpose are not failures (see [`PatchStatus`]).
    pub fn failures(&self) -> Vec<(usize, &str, &str)> {
        self.status
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                PatchStatus::Failed(why) => Some((i, self.patches[i].id.as_str(), why.as_str())),
                _ => None,
            })
            .collect()
    }
}
