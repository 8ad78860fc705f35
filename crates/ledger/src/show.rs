//! What the ledger shows: the values rounded for display (village rows by largest remainder, so
//! they add up to the township's figure exactly), the terminal table, and the JSON.
//!
//! Rounding happens here and only here: the [`Ledger`] keeps full precision.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};
use tuban::core::account::{hundredths, largest_remainder};

use crate::indicators::{adds_up, describe, is_pct, KEYS};
use crate::Ledger;

/// The indicators the ledger has, in the order of [`KEYS`].
pub fn keys(ledger: &Ledger) -> Vec<&'static str> {
    KEYS.iter()
        .copied()
        .filter(|k| ledger.indicators.contains_key(*k))
        .collect()
}

/// A value in hundredths, rounded half away from zero (what a document prints).
pub fn round2(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

/// The village table in hundredths: the indicator keys, `(village, value per key)` rows, and
/// the total row.
pub type VillageTable = (
    Vec<&'static str>,
    Vec<(String, Vec<Option<i64>>)>,
    Vec<Option<i64>>,
);

/// The village table in hundredths: `(keys, rows, total)`. A column whose rows add up (areas) is
/// rounded by largest remainder, so the rows add up to the total row; a percentage or a target is
/// rounded on its own and its total is the township's.
pub fn village_table(ledger: &Ledger) -> VillageTable {
    let keys: Vec<&'static str> = keys(ledger)
        .into_iter()
        .filter(|k| ledger.villages.values().any(|m| m.contains_key(*k)))
        .collect();
    let names: Vec<&String> = ledger.villages.keys().collect();
    let mut cols: Vec<Vec<Option<i64>>> = Vec::new();
    let mut total = Vec::new();
    for key in &keys {
        let vals: Vec<Option<f64>> = names
            .iter()
            .map(|n| ledger.villages[*n].get(*key).copied())
            .collect();
        if adds_up(key) || *key == "violation_cases" {
            let filled: Vec<f64> = vals.iter().map(|v| v.unwrap_or(0.0)).collect();
            let r = largest_remainder(&filled, 2);
            total.push(Some(r.iter().sum()));
            cols.push(vals.iter().zip(r).map(|(v, r)| v.map(|_| r)).collect());
        } else {
            total.push(ledger.indicators.get(*key).map(|v| round2(*v)));
            cols.push(vals.iter().map(|v| v.map(round2)).collect());
        }
    }
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, n)| ((*n).clone(), cols.iter().map(|c| c[i]).collect()))
        .collect();
    (keys, rows, total)
}

/// The township's value of `key` as displayed: for a column whose villages add up, the sum of
/// the villages' rounded values (which is the rounded sum); else rounded on its own.
pub fn township(ledger: &Ledger, key: &str) -> Option<i64> {
    ledger.indicators.get(key).map(|v| round2(*v))
}

fn number(h: i64) -> Value {
    json!((h as f64) / 100.0)
}

/// A village's name as shown (an empty name: the layer had no village field).
pub fn village_name(name: &str) -> &str {
    if name.is_empty() {
        "(none)"
    } else {
        name
    }
}

/// `{"indicators": {...}, "villages": [...], "audit": [...]}`, plus the formulas, the
/// compensation plots, the enforcement cases, the transition matrix and the warnings. Numbers are rounded to two
/// decimals, as displayed.
pub fn json(ledger: &Ledger) -> Value {
    let mut indicators = Map::new();
    let mut formulas = Map::new();
    for key in keys(ledger) {
        indicators.insert(key.into(), number(township(ledger, key).unwrap_or(0)));
        formulas.insert(key.into(), json!(describe(key).1));
    }
    let (vkeys, rows, _) = village_table(ledger);
    let villages: Vec<Value> = rows
        .iter()
        .map(|(name, vals)| {
            let mut m = Map::new();
            m.insert("village".into(), json!(name));
            for (k, v) in vkeys.iter().zip(vals) {
                if let Some(v) = v {
                    m.insert((*k).into(), number(*v));
                }
            }
            Value::Object(m)
        })
        .collect();
    let audit: Vec<Value> = ledger
        .audit
        .iter()
        .map(|r| {
            json!({
                "figure": r.figure,
                "stated": r.stated,
                "from_stated": r.from_stated.map(|v| number(round2(v))),
                "from_layers": r.from_layers.map(|v| number(round2(v))),
                "ok": r.ok,
                "formula": r.formula,
            })
        })
        .collect();
    let plots: Vec<Value> = ledger
        .plots
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "village": p.village,
                "area_mu": number(round2(tuban::core::units::mu(p.area_m2))),
                "rectifiable_mu": number(round2(tuban::core::units::mu(p.rectifiable_m2))),
                "verdict": p.verdict, "reasons": p.reasons,
            })
        })
        .collect();
    let cases: Vec<Value> = ledger
        .cases
        .iter()
        .map(|c| {
            json!({
                "record": c.record, "village": c.village,
                "cropland_mu": number(round2(tuban::core::units::mu(c.cropland_m2))),
                "pbf_mu": number(round2(tuban::core::units::mu(c.pbf_m2))),
            })
        })
        .collect();
    let mut out = json!({
        "indicators": indicators,
        "villages": villages,
        "audit": audit,
        "formulas": formulas,
        "compensation_plots": plots,
        "enforcement_cases": cases,
        "warnings": ledger.warnings,
        "area_method": ledger.method_note,
    });
    if let Some(m) = &ledger.matrix {
        let rows: Map<String, Value> = m
            .cells
            .iter()
            .map(|(b, row)| {
                let r: Map<String, Value> = row
                    .iter()
                    .map(|(a, v)| (a.clone(), number(round2(tuban::core::units::mu(*v)))))
                    .collect();
                (b.clone(), Value::Object(r))
            })
            .collect();
        out["transition_matrix_mu"] = Value::Object(rows);
    }
    out
}

fn fmt(h: Option<i64>) -> String {
    h.map(hundredths).unwrap_or_else(|| "-".into())
}

/// The ledger table, the village table and the flagged figures, for the terminal.
pub fn table(ledger: &Ledger) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:<34} {:>12}  formula", "indicator", "value");
    for key in keys(ledger) {
        let value = match township(ledger, key) {
            Some(h) if key == "violation_cases" => (h / 100).to_string(),
            Some(h) if is_pct(key) => format!("{}%", hundredths(h)),
            h => fmt(h),
        };
        let _ = writeln!(
            s,
            "{:<34} {:>12}  {} {}",
            key,
            value,
            describe(key).0,
            describe(key).1
        );
    }
    let (vkeys, rows, total) = village_table(ledger);
    // The village table shows the areas that add up (the wide table is in the outputs).
    let shown: Vec<usize> = vkeys
        .iter()
        .enumerate()
        .filter(|(_, k)| adds_up(k))
        .map(|(i, _)| i)
        .collect();
    if !rows.is_empty() && !shown.is_empty() {
        let _ = writeln!(s);
        let _ = write!(s, "{:<12}", "village");
        for &i in &shown {
            let _ = write!(s, " {:>14}", vkeys[i].trim_end_matches("_mu"));
        }
        let _ = writeln!(s);
        for (name, vals) in rows
            .iter()
            .map(|(n, v)| (village_name(n), v))
            .chain(std::iter::once(("total", &total)))
        {
            let _ = write!(s, "{:<12}", name);
            for &i in &shown {
                let _ = write!(s, " {:>14}", fmt(vals[i]));
            }
            let _ = writeln!(s);
        }
    }
    let flagged: Vec<_> = ledger.audit.iter().filter(|r| !r.ok).collect();
    let _ = writeln!(s);
    if ledger.audit.is_empty() {
        let _ = writeln!(s, "audit: no stated figures");
    } else if flagged.is_empty() {
        let _ = writeln!(s, "audit: all {} stated figures agree", ledger.audit.len());
    } else {
        let _ = writeln!(
            s,
            "audit: {} of {} stated figures flagged:",
            flagged.len(),
            ledger.audit.len()
        );
        for r in flagged {
            let _ = writeln!(
                s,
                "  {}: stated {}, from the stated figures {}, from the layers {}: {}",
                r.figure,
                r.stated,
                fmt(r.from_stated.map(round2)),
                fmt(r.from_layers.map(round2)),
                r.formula
            );
        }
    }
    s
}
