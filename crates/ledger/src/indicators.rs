//! The indicators: their keys (a contract: the JSON, the CSVs and `[stated]` use them), their
//! names, their formulas, and the land-use classes the formulas test.
//!
//! Measured indicators are sums over pieces of the layers (see [`crate::measure`]); derived ones
//! are arithmetic on other indicators ([`DERIVED`]). The same arithmetic checks a document's
//! stated figures against one another (the audit's `from_stated`), so a formula is written once.

use std::collections::BTreeMap;

/// Every indicator, in the order the ledger shows them.
pub const KEYS: &[&str] = &[
    "cropland_mu",
    "cropland_outside_protection_mu",
    "cropland_counted_mu",
    "cropland_target_mu",
    "cropland_surplus_mu",
    "cropland_gap_mu",
    "pbf_mu",
    "pbf_target_mu",
    "pbf_gap_mu",
    "outflow_mu",
    "inflow_mu",
    "nongrain_lost_mu",
    "restoration_task_mu",
    "restoration_accepted_mu",
    "restoration_remaining_mu",
    "restoration_pct",
    "compensation_task_mu",
    "compensation_rectifiable_mu",
    "compensation_not_rectifiable_mu",
    "violation_cases",
    "violation_cropland_mu",
    "violation_pbf_mu",
];

/// What an indicator is, in Chinese and English, and how it is computed.
pub fn describe(key: &str) -> (&'static str, &'static str) {
    match key {
        "cropland_mu" => ("现状耕地", "Σ cropland pieces (DLBM 0101/0102/0103) × (1 − KCXS)"),
        "cropland_outside_protection_mu" => (
            "未纳入保护任务的现状耕地",
            "Σ cropland pieces outside the protection layer × (1 − KCXS)",
        ),
        "cropland_counted_mu" => ("实际耕地保有量", "cropland_mu − cropland_outside_protection_mu"),
        "cropland_target_mu" => ("耕地保有量任务", "[targets] cropland_mu"),
        "cropland_surplus_mu" => ("现状耕地超出任务", "cropland_mu − cropland_target_mu"),
        "cropland_gap_mu" => ("耕地保有量缺口", "cropland_target_mu − cropland_counted_mu (positive: short)"),
        "pbf_mu" => ("现状永久基本农田", "Σ cropland pieces inside the PBF polygons × (1 − KCXS)"),
        "pbf_target_mu" => ("永久基本农田保护任务", "[targets] pbf_mu"),
        "pbf_gap_mu" => ("永久基本农田缺口", "pbf_target_mu − pbf_mu (positive: short)"),
        "outflow_mu" => (
            "耕地流出",
            "Σ pieces cropland before and other agricultural land after (02, 03, 04, 1006, 1104, 1107, 1202) × (1 − KCXS before)",
        ),
        "inflow_mu" => (
            "耕地流入",
            "Σ pieces other agricultural land before and cropland after × (1 − KCXS after)",
        ),
        "nongrain_lost_mu" => (
            "非粮化流出耕地",
            "Σ pieces cropland before and orchard (02), forest (03) or pond (1104) after × (1 − KCXS before)",
        ),
        "restoration_task_mu" => ("恢复补足任务", "Σ restoration tasks' task area (mu)"),
        "restoration_accepted_mu" => ("已通过市级验收", "Σ task area of the tasks whose status is accepted"),
        "restoration_remaining_mu" => ("恢复补足未完成", "restoration_task_mu − restoration_accepted_mu"),
        "restoration_pct" => ("恢复补足完成比例 %", "restoration_accepted_mu / restoration_task_mu × 100"),
        "compensation_task_mu" => ("占补平衡整改任务", "Σ compensation plots' area"),
        "compensation_rectifiable_mu" => (
            "可整改面积",
            "Σ clean area (plot − union of obstacles) of the plots judged rectifiable or partly rectifiable, as `tuban run` measures patches",
        ),
        "compensation_not_rectifiable_mu" => (
            "不可整改面积",
            "compensation_task_mu − compensation_rectifiable_mu",
        ),
        "violation_cases" => ("违法用地问题（个）", "number of enforcement cases"),
        "violation_cropland_mu" => ("违法占用耕地", "Σ cropland pieces inside the cases × (1 − KCXS)"),
        "violation_pbf_mu" => (
            "违法占用永久基本农田",
            "Σ cropland pieces inside both the cases and the PBF polygons × (1 − KCXS)",
        ),
        _ => ("", ""),
    }
}

/// Whether an indicator is a percentage (else an area in mu, or a count for `violation_cases`).
pub fn is_pct(key: &str) -> bool {
    key.ends_with("_pct")
}

/// Whether an indicator's village rows add up to the township's (areas summed over pieces).
pub fn adds_up(key: &str) -> bool {
    key.ends_with("_mu") && !key.ends_with("_target_mu")
}

/// An operation of a derived indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `a − b`.
    Sub,
    /// `a / b × 100`.
    Pct,
}

/// Derived indicators: `(key, a, op, b)`, evaluated in this order.
pub const DERIVED: &[(&str, &str, Op, &str)] = &[
    (
        "cropland_counted_mu",
        "cropland_mu",
        Op::Sub,
        "cropland_outside_protection_mu",
    ),
    (
        "cropland_surplus_mu",
        "cropland_mu",
        Op::Sub,
        "cropland_target_mu",
    ),
    (
        "cropland_gap_mu",
        "cropland_target_mu",
        Op::Sub,
        "cropland_counted_mu",
    ),
    ("pbf_gap_mu", "pbf_target_mu", Op::Sub, "pbf_mu"),
    (
        "restoration_remaining_mu",
        "restoration_task_mu",
        Op::Sub,
        "restoration_accepted_mu",
    ),
    (
        "restoration_pct",
        "restoration_accepted_mu",
        Op::Pct,
        "restoration_task_mu",
    ),
    (
        "compensation_not_rectifiable_mu",
        "compensation_task_mu",
        Op::Sub,
        "compensation_rectifiable_mu",
    ),
];

/// The derived rule of `key`, if it has one.
pub fn rule(key: &str) -> Option<(&'static str, Op, &'static str)> {
    DERIVED
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|&(_, a, op, b)| (a, op, b))
}

/// `a op b`, or `None` when `b` is zero for a percentage.
pub fn apply(a: f64, op: Op, b: f64) -> Option<f64> {
    match op {
        Op::Sub => Some(a - b),
        Op::Pct => (b != 0.0).then(|| a / b * 100.0),
    }
}

/// Adds every derived indicator whose inputs are in `values` (and which is not there already).
pub fn derive(values: &mut BTreeMap<String, f64>) {
    for &(key, a, op, b) in DERIVED {
        if values.contains_key(key) {
            continue;
        }
        if let (Some(&x), Some(&y)) = (values.get(a), values.get(b)) {
            if let Some(v) = apply(x, op, y) {
                values.insert(key.to_string(), v);
            }
        }
    }
}

/// Cropland (耕地): 0101 水田, 0102 水浇地, 0103 旱地.
pub fn is_cropland(code: &str) -> bool {
    matches!(code, "0101" | "0102" | "0103")
}

/// Other agricultural land (其他农用地) for the in/out balance: orchards 02, forest 03, grass 04,
/// 1006 rural roads, 1104 ponds, 1107 ditches, 1202 facility farmland (a K suffix included).
pub fn is_other_agricultural(code: &str) -> bool {
    let c = code.strip_suffix('K').unwrap_or(code);
    c.starts_with("02")
        || c.starts_with("03")
        || c.starts_with("04")
        || matches!(c, "1006" | "1104" | "1107" | "1202")
}

/// Non-grain use (非粮化): orchards 02, forest 03, ponds 1104 (a K suffix included).
pub fn is_nongrain(code: &str) -> bool {
    let c = code.strip_suffix('K').unwrap_or(code);
    c.starts_with("02") || c.starts_with("03") || c == "1104"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_described_and_every_rule_uses_keys() {
        for k in KEYS {
            assert!(!describe(k).0.is_empty(), "{k}");
        }
        for (k, a, _, b) in DERIVED {
            assert!(KEYS.contains(k) && KEYS.contains(a) && KEYS.contains(b));
        }
    }

    #[test]
    fn the_seeds_arithmetic() {
        // The seed's figures (DOMAIN.md): 16117.10 − 121.95 = 15995.15; 16057.05 − 15995.15 =
        // 61.90 (the document says 62.35); 32 / 101 = 31.68% (the document says 31.76%).
        let mut v: BTreeMap<String, f64> = [
            ("cropland_mu", 16117.10),
            ("cropland_outside_protection_mu", 121.95),
            ("cropland_target_mu", 16057.05),
            ("restoration_task_mu", 101.0),
            ("restoration_accepted_mu", 32.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        derive(&mut v);
        assert!((v["cropland_counted_mu"] - 15995.15).abs() < 1e-9);
        assert!((v["cropland_gap_mu"] - 61.90).abs() < 1e-9);
        assert!((v["cropland_surplus_mu"] - 60.05).abs() < 1e-9);
        assert!((v["restoration_remaining_mu"] - 69.0).abs() < 1e-9);
        assert!((v["restoration_pct"] - 3200.0 / 101.0).abs() < 1e-12);
    }

    #[test]
    fn classes() {
        assert!(is_cropland("0103") && !is_cropland("0201K"));
        assert!(is_other_agricultural("0201K") && is_other_agricultural("1202"));
        assert!(!is_other_agricultural("0702") && !is_other_agricultural("1003"));
        assert!(is_nongrain("0301") && is_nongrain("1104K") && !is_nongrain("0401"));
    }
}
