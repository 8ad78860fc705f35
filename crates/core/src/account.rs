//! Accounting: per-village totals, and rounding that adds up.
//!
//! Sums are always taken in square metres at full precision. Display rounding to two-decimal mu
//! uses the **largest-remainder method**, the way the survey adjusts areas to a control total:
//! each value is rounded down to 0.01 mu, then the hundredths still missing from the rounded total
//! go, one each, to the values with the largest remainders. So displayed rows add up exactly to
//! the displayed total, and each displayed value is within 0.01 mu of its true value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::overlay::{Patch, PatchResult};
use crate::report::PatchStatus;
use crate::verdict::{Judgement, Verdict};

/// Rounds `values` to `decimals` places so that they add up to `total` rounded to `decimals`
/// places (largest-remainder / Hamilton method). Returns the rounded values as integers in units
/// of 10^-decimals, so the caller formats them without a second rounding.
///
/// Ties in the remainder go to the earlier value, so the result is deterministic.
///
/// ```
/// use tuban_core::account::largest_remainder;
/// // 1/3 + 1/3 + 1/3 = 1.00: naive rounding shows 0.33 × 3 = 0.99.
/// let third = 1.0 / 3.0;
/// assert_eq!(largest_remainder(&[third, third, third], 2), vec![34, 33, 33]);
/// ```
pub fn largest_remainder(values: &[f64], decimals: u32) -> Vec<i64> {
    let scale = 10f64.powi(decimals as i32);
    let total: f64 = values.iter().sum();
    let target = (total * scale).round() as i64;
    let mut floors: Vec<i64> = values.iter().map(|v| (v * scale).floor() as i64).collect();
    let missing = target - floors.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..values.len()).collect();
    // Largest remainder first; when the floors overshoot (negative values), take from the smallest.
    let rem = |i: usize| values[i] * scale - floors[i] as f64;
    if missing >= 0 {
        order.sort_by(|&a, &b| rem(b).total_cmp(&rem(a)).then(a.cmp(&b)));
        for &i in order.iter().cycle().take(missing as usize) {
            floors[i] += 1;
        }
    } else {
        order.sort_by(|&a, &b| rem(a).total_cmp(&rem(b)).then(a.cmp(&b)));
        for &i in order.iter().cycle().take((-missing) as usize) {
            floors[i] -= 1;
        }
    }
    floors
}

/// Totals over a group of patches (a village, or all). Areas in square metres, unrounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Totals {
    /// Number of patches.
    pub patches: usize,
    /// Number of patches that could not be measured (their areas are not in the sums).
    pub failed: usize,
    /// Number of patches left out on purpose by the invalid-geometry policy `skip` (their areas
    /// are not in the sums either; they are not failures).
    #[serde(default)]
    pub skipped: usize,
    /// Number of patches whose geometry was repaired before they were measured (they are in the
    /// sums).
    #[serde(default)]
    pub repaired: usize,
    /// Sum of patch areas.
    pub area_m2: f64,
    /// Sum of each class's area.
    pub class_m2: Vec<f64>,
    /// Sum of obstacle unions (blocked area, never double-counted within a patch).
    pub union_m2: f64,
    /// Sum of clean areas.
    pub clean_m2: f64,
    /// Number of patches by verdict, in the order of [`Verdict::ALL`].
    pub verdicts: [usize; 3],
    /// Clean area of the patches judged rectifiable or partly rectifiable: what can be restored.
    pub rectifiable_m2: f64,
}

impl Totals {
    fn new(classes: usize) -> Self {
        Totals {
            class_m2: vec![0.0; classes],
            ..Default::default()
        }
    }

    fn add(&mut self, r: &PatchResult, j: Option<&Judgement>, status: &PatchStatus) {
        self.patches += 1;
        match status {
            PatchStatus::Skipped(_) => {
                self.skipped += 1;
                return;
            }
            PatchStatus::Repaired(_) => self.repaired += 1,
            PatchStatus::Measured | PatchStatus::Failed(_) => {}
        }
        let Some(j) = j.filter(|_| r.error.is_none()) else {
            self.failed += 1;
            return;
        };
        let k = Verdict::ALL
            .iter()
            .position(|v| *v == j.verdict)
            .expect("known verdict");
        self.verdicts[k] += 1;
        if j.verdict != Verdict::NotRectifiable {
            self.rectifiable_m2 += r.clean_m2();
        }
        self.area_m2 += r.area_m2;
        for (t, v) in self.class_m2.iter_mut().zip(&r.class_m2) {
            *t += v;
        }
        self.union_m2 += r.union_m2;
        self.clean_m2 += r.clean_m2();
    }
}

/// Per-village totals and the grand total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageTable {
    /// `(village, totals)`, sorted by village name.
    pub villages: Vec<(String, Totals)>,
    /// Over all patches.
    pub total: Totals,
}

impl VillageTable {
    /// Totals of `results`, their `judgements` and `status` (all parallel to `patches`) per
    /// village. An empty `status` means every patch was measured as given.
    pub fn new(
        patches: &[Patch],
        results: &[PatchResult],
        judgements: &[Option<Judgement>],
        status: &[PatchStatus],
        classes: usize,
    ) -> Self {
        let mut by: BTreeMap<&str, Totals> = BTreeMap::new();
        let mut total = Totals::new(classes);
        let measured = PatchStatus::Measured;
        for (i, ((p, r), j)) in patches.iter().zip(results).zip(judgements).enumerate() {
            let s = status.get(i).unwrap_or(&measured);
            by.entry(p.village.as_str())
                .or_insert_with(|| Totals::new(classes))
                .add(r, j.as_ref(), s);
            total.add(r, j.as_ref(), s);
        }
        VillageTable {
            villages: by.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            total,
        }
    }

    /// One column of the table in mu, rounded to two decimals with [`largest_remainder`] so the
    /// village rows add up to the total row exactly: `(rows in hundredths of a mu, total)`.
    pub fn mu_column(&self, pick: impl Fn(&Totals) -> f64) -> (Vec<i64>, i64) {
        let vals: Vec<f64> = self
            .villages
            .iter()
            .map(|(_, t)| crate::units::mu(pick(t)))
            .collect();
        let rows = largest_remainder(&vals, 2);
        let total = rows.iter().sum();
        (rows, total)
    }
}

/// Formats hundredths as a two-decimal number (`12345` → `"123.45"`).
pub fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_add_up_to_the_rounded_total_and_stay_within_a_hundredth() {
        // In hundredths: 33.49, 33.49, 33.52, 1200.41, 799.6; total 2100.51 → 2101.
        // Naive rounding gives 33 + 33 + 34 + 1200 + 800 = 2100, one short.
        let vals = [0.3349, 0.3349, 0.3352, 12.0041, 7.996];
        let r = largest_remainder(&vals, 2);
        let total: f64 = vals.iter().sum();
        assert_eq!(r.iter().sum::<i64>(), (total * 100.0).round() as i64);
        for (v, q) in vals.iter().zip(&r) {
            assert!((v * 100.0 - *q as f64).abs() < 1.0, "{v} -> {q}");
        }
        // By hand: floors 33, 33, 33, 1200, 799 = 2098; the 3 missing go to the largest
        // remainders .6 (799.6), .52 (33.52) and .49 (the first 33.49; ties go to the earlier).
        assert_eq!(r, vec![34, 33, 34, 1200, 800]);
    }

    #[test]
    fn formatting_hundredths() {
        assert_eq!(hundredths(12345), "123.45");
        assert_eq!(hundredths(5), "0.05");
        assert_eq!(hundredths(-105), "-1.05");
        assert_eq!(hundredths(0), "0.00");
    }
}
