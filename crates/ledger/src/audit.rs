//! The audit of stated figures: each `[stated]` figure is recomputed two ways where possible.
//!
//! - `from_stated`: through the indicator's formula ([`crate::indicators::DERIVED`]) from the
//!   *other stated* figures (a target not stated comes from `[targets]`). This catches a document
//!   contradicting itself, whatever the layers say: 16057.05 − 15995.15 is 61.90, not 62.35.
//! - `from_layers`: the ledger's own value, measured from the layers.
//!
//! A figure passes when each recomputed value rounds, to two decimals, to the stated figure
//! (compared in hundredths, so a figure stated as 312.9 passes against 312.90): a document rounds
//! to two decimals, so anything beyond that rounding is a slip. Targets have no `from_layers`.

use serde::Serialize;

use crate::indicators::{apply, rule};
use crate::{Ledger, Stated, Targets};

/// One stated figure, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    /// The indicator key, prefixed by the village for a village's figure (`狮子村/compensation_rectifiable_mu`).
    pub figure: String,
    /// As the document states it.
    pub stated: f64,
    /// Through the formula from the other stated figures, if the formula's inputs are stated.
    pub from_stated: Option<f64>,
    /// From the layers, if the ledger measures it.
    pub from_layers: Option<f64>,
    /// Whether every recomputed value agrees to two decimals.
    pub ok: bool,
    /// The formula (and, for `from_stated`, its stated inputs).
    pub formula: String,
}

/// `v` in hundredths, rounded half away from zero.
fn hundredths(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

/// Whether `v` agrees with `stated` to two decimals.
pub fn agrees(v: f64, stated: f64) -> bool {
    hundredths(v) == hundredths(stated)
}

/// Checks every stated figure against the other stated figures and the ledger.
pub fn audit(ledger: &Ledger, stated: &Stated, targets: &Targets) -> Vec<AuditRow> {
    let given = |key: &str| -> Option<f64> {
        stated.township.get(key).copied().or(match key {
            "cropland_target_mu" => targets.cropland_mu,
            "pbf_target_mu" => targets.pbf_mu,
            _ => None,
        })
    };
    let mut rows = Vec::new();
    for key in crate::indicators::KEYS {
        let Some(&value) = stated.township.get(*key) else {
            continue;
        };
        let (mut formula, mut from_stated) = (crate::indicators::describe(key).1.to_string(), None);
        if let Some((a, op, b)) = rule(key) {
            if let (Some(x), Some(y)) = (given(a), given(b)) {
                from_stated = apply(x, op, y);
                let sign = match op {
                    crate::indicators::Op::Sub => "−",
                    crate::indicators::Op::Pct => "/",
                };
                let pct = if op == crate::indicators::Op::Pct {
                    " × 100"
                } else {
                    ""
                };
                formula = format!("{key} = {a} {sign} {b}{pct} = {x} {sign} {y}{pct}");
            }
        }
        let from_layers = if key.ends_with("_target_mu") {
            None
        } else {
            ledger.indicators.get(*key).copied()
        };
        rows.push(row(
            key.to_string(),
            value,
            from_stated,
            from_layers,
            formula,
        ));
    }
    for (village, figures) in &stated.villages {
        for (key, &value) in figures {
            let from_layers = ledger
                .villages
                .get(village)
                .and_then(|m| m.get(key))
                .copied();
            let formula = format!("{} ({village})", crate::indicators::describe(key).1);
            rows.push(row(
                format!("{village}/{key}"),
                value,
                None,
                from_layers,
                formula,
            ));
        }
    }
    rows
}

fn row(
    figure: String,
    stated: f64,
    from_stated: Option<f64>,
    from_layers: Option<f64>,
    formula: String,
) -> AuditRow {
    let ok = [from_stated, from_layers]
        .into_iter()
        .flatten()
        .all(|v| agrees(v, stated));
    AuditRow {
        figure,
        stated,
        from_stated,
        from_layers,
        ok,
        formula,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_to_two_decimals_is_not_a_slip_but_more_is() {
        assert!(agrees(312.9, 312.90));
        assert!(agrees(61.904, 61.90));
        assert!(!agrees(61.90, 62.35));
        assert!(!agrees(3200.0 / 101.0, 31.76));
        assert!(agrees(3200.0 / 101.0, 31.68));
    }
}
