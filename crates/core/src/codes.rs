//! What the land-use layer holds inside the patches, code by code: the area of every land-use
//! code (DLBM) inside the patches, the class the rules gave it and the rule that did, and the codes
//! no rule knows.
//!
//! A code that no rule matches becomes neither an obstacle nor cropland: its area counts as clean.
//! That is right for a code the rules leave out on purpose, and a silent wrong answer for a code
//! they were meant to catch (a Second Survey code, a local suffix, a typo). The table puts every
//! code in front of the user, with its area, so that neither goes unseen.
//!
//! The table is measured by the overlay itself (each row a class; see the `tuban` crate's land-use
//! stage): the same polygons, clipping and area method as the obstacles.

use serde::Serialize;

use crate::rules::{Decision, Rules};

/// What the rules made of one land-use code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeRow {
    /// The code (the value of the code field, e.g. `0301`), empty when the feature has none.
    pub code: String,
    /// The obstacle class (`forest`, ...), or `None` for a code that is not an obstacle.
    pub class: Option<String>,
    /// `obstacle`, `not an obstacle` (a `none` rule: cropland, ridges, K land) or `no rule`.
    pub decision: &'static str,
    /// The rule that decided (its text, e.g. `forest <- landuse where DLBM prefix 03`), if any.
    pub rule: Option<String>,
    /// Whether the deciding rule has no condition (it catches every feature of the layer): a
    /// code only such a rule matches is reported with the unknown ones.
    pub catch_all: bool,
    /// Features of this code in the layer (near the patches).
    pub features: usize,
    /// Pieces of this code inside the patches: pairs of a feature and a patch that share area (a
    /// feature across two patches is two pieces).
    pub pieces: usize,
    /// Area inside the patches, m², by the run's area method, unrounded.
    pub m2: f64,
}

impl CodeRow {
    /// A row for features that `rules` decided as `decision` by rule `rule` (an index in
    /// [`Rules::rules`]).
    pub fn new(code: String, rules: &Rules, decision: Decision, rule: Option<usize>) -> Self {
        let rule_ref = rule.map(|i| &rules.rules()[i]);
        let (class, decision) = match decision {
            Decision::Obstacle(c) => (Some(rules.classes()[c].clone()), "obstacle"),
            Decision::NotObstacle => (None, "not an obstacle"),
            Decision::NoMatch => (None, "no rule"),
        };
        CodeRow {
            code,
            class,
            decision,
            rule: rule_ref.map(describe_rule),
            catch_all: rule_ref.is_some_and(|r| r.when.is_empty()),
            features: 0,
            pieces: 0,
            m2: 0.0,
        }
    }

    /// Whether no rule knows this code (it matched none, or only a catch-all).
    pub fn unknown(&self) -> bool {
        self.decision == "no rule" || self.catch_all
    }
}

/// `forest <- landuse where DLBM prefix "03"  (forest land 0301-0307)`.
pub fn describe_rule(r: &crate::rules::Rule) -> String {
    let when: Vec<String> = r
        .when
        .iter()
        .map(|c| {
            let op = serde_json::to_value(c)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .map(|m| {
                    m.into_iter()
                        .filter(|(k, _)| k != "field")
                        .map(|(k, v)| format!("{} {v}", k.replace('_', " ")))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            format!("{} {op}", c.field)
        })
        .collect();
    format!(
        "{} <- {}{}{}",
        r.class,
        r.layer,
        if when.is_empty() {
            String::new()
        } else {
            format!(" where {}", when.join(" and "))
        },
        r.note
            .as_ref()
            .map(|n| format!("  ({n})"))
            .unwrap_or_default()
    )
}

/// Every land-use code inside the patches, and how much of the patches the layer covers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CodeTable {
    /// The field the codes were read from (`DLBM`, or the first field the rules test).
    pub field: Option<String>,
    /// One row per code and decision, sorted by code.
    pub rows: Vec<CodeRow>,
    /// Area of the patches the layer covers, m²: per patch, the sum of its polygons' pieces
    /// inside it (the layer is a partition), at most the patch's area.
    pub covered_m2: f64,
    /// Area of the patches, m² (the measured ones).
    pub patches_m2: f64,
    /// Patches not wholly covered (more than 0.1 % of their area outside every land-use
    /// polygon).
    pub patches_short: usize,
    /// Patches where the layer's polygons overlap one another (their pieces add up to more than
    /// the patch's area, beyond rounding): there the rows count each overlap once per code.
    pub patches_overlapped: usize,
    /// By how much, in all: Σ over those patches of (pieces − patch area), m².
    pub overlap_m2: f64,
}

impl CodeTable {
    /// The share of the patches' area the layer covers, 0 to 1 (1 for no patch area).
    pub fn share(&self) -> f64 {
        if self.patches_m2 > 0.0 {
            (self.covered_m2 / self.patches_m2).min(1.0)
        } else {
            1.0
        }
    }

    /// The rows no rule knows that lie inside the patches.
    pub fn unknown(&self) -> impl Iterator<Item = &CodeRow> {
        self.rows.iter().filter(|r| r.unknown() && r.m2 > 0.0)
    }
}
