//! The result of a run as a table: one row per patch, with the columns every output shares.
//!
//! Writers (CSV, GeoJSON, and any an embedder adds) take their columns from [`Report::columns`]
//! and their values from [`Report::cell`], so every output carries the same names and numbers.
//! The first columns are tuban's interface contract and never change order:
//!
//! `patch_id, village, area_m2, area_mu,` then for each class C of `grave, forest, road, steep`:
//! `C_m2, C_mu, C_pct`, then `obstacle_m2, obstacle_mu, clean_m2, clean_mu`; more follow.

use serde::Serialize;

use crate::account::VillageTable;
use crate::area::AreaMethod;
use crate::overlay::{Patch, PatchResult};
use crate::units::{hectares, mu};

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

/// Everything a run produced, ready to write.
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
    /// One result per patch.
    pub results: Vec<PatchResult>,
    /// Per-village totals.
    pub villages: VillageTable,
}

impl Report {
    /// Assembles a report and its village totals.
    pub fn new(
        classes: Vec<String>,
        method_note: String,
        patches: Vec<Patch>,
        results: Vec<PatchResult>,
        method: AreaMethod,
    ) -> Self {
        assert_eq!(patches.len(), results.len(), "one result per patch");
        let villages = VillageTable::new(&patches, &results, classes.len());
        Report {
            classes,
            method,
            method_note,
            patches,
            results,
            villages,
        }
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
        v.push(col("obstacle_pct".into(), Unit::Pct, What::Union));
        v.push(col("area_ha".into(), Unit::Ha, What::Area));
        v.push(col("obstacle_ha".into(), Unit::Ha, What::Union));
        v.push(col("clean_ha".into(), Unit::Ha, What::Clean));
        for (c, name) in self.classes.iter().enumerate().skip(4) {
            per_class(&mut v, c, name);
        }
        v.push(col("area_method".into(), Unit::Text, What::Method));
        v.push(col("record".into(), Unit::Count, What::Record));
        v.push(col("error".into(), Unit::Text, What::Error));
        v
    }

    /// The value of column `col` in row `row`.
    pub fn cell(&self, row: usize, col: &Column) -> Cell {
        let p = &self.patches[row];
        let r = &self.results[row];
        let failed = r.error.is_some();
        let m2 = match col.what {
            What::Id => return Cell::Text(p.id.clone()),
            What::Village => return Cell::Text(p.village.clone()),
            What::Method => return Cell::Text(r.method.as_str().into()),
            What::Record => return Cell::Number(p.record as f64),
            What::Error => return Cell::Text(r.error.clone().unwrap_or_default()),
            _ if failed => return Cell::Empty,
            What::Area => r.area_m2,
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

    /// Patches that failed, with their errors: `(row, patch id, error)`.
    pub fn failures(&self) -> Vec<(usize, &str, &str)> {
        self.results
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.error.as_deref().map(|e| (i, self.patches[i].id.as_str(), e)))
            .collect()
    }
}
