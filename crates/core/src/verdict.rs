//! A verdict for each patch: can it be restored, and if not, what stands in the way.
//!
//! | verdict | 中文 | when |
//! |---|---|---|
//! | `rectifiable` | 可整改 | the blocked area is at most `negligible_m2` (digitising noise, a sliver along a boundary) |
//! | `not_rectifiable` | 不可整改 | the blocked share is at least `max_blocked_pct`, or the clean remainder is under `min_clean_mu` |
//! | `partly` | 部分可整改 | otherwise: the clean part can be restored, the blocked part cannot |
//!
//! The thresholds come from the rules file's `[verdict]` table; the defaults are in
//! [`VerdictRules::default`]. The reasons list the classes found, each with its mu, largest first.

use serde::{Deserialize, Serialize};

use crate::overlay::PatchResult;
use crate::units::mu;

/// Thresholds for the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictRules {
    /// A blocked area up to this many m² is treated as noise: the patch is rectifiable.
    #[serde(default = "d_negligible")]
    pub negligible_m2: f64,
    /// A patch with obstacles whose clean remainder is smaller than this (mu) is not worth
    /// restoring: not rectifiable.
    #[serde(default = "d_min_clean")]
    pub min_clean_mu: f64,
    /// A patch blocked at or above this share (%) is not rectifiable.
    #[serde(default = "d_max_blocked")]
    pub max_blocked_pct: f64,
}

fn d_negligible() -> f64 {
    1.0
}
fn d_min_clean() -> f64 {
    0.1
}
fn d_max_blocked() -> f64 {
    90.0
}

impl Default for VerdictRules {
    /// 1 m² of noise; 0.1 mu (66.7 m²) as the smallest clean remainder worth restoring; 90%
    /// blocked as not rectifiable.
    fn default() -> Self {
        VerdictRules {
            negligible_m2: d_negligible(),
            min_clean_mu: d_min_clean(),
            max_blocked_pct: d_max_blocked(),
        }
    }
}

/// Can the patch be restored?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing (beyond noise) stands in the way.
    Rectifiable,
    /// Part is blocked; the clean part can be restored.
    Partly,
    /// Blocked too much to be worth restoring.
    NotRectifiable,
}

impl Verdict {
    /// All verdicts, in report order.
    pub const ALL: [Verdict; 3] = [
        Verdict::Rectifiable,
        Verdict::Partly,
        Verdict::NotRectifiable,
    ];

    /// The English label used in outputs: `rectifiable`, `partly`, `not_rectifiable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Rectifiable => "rectifiable",
            Verdict::Partly => "partly",
            Verdict::NotRectifiable => "not_rectifiable",
        }
    }

    /// The Chinese label: 可整改, 部分可整改, 不可整改.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Rectifiable => "可整改",
            Verdict::Partly => "部分可整改",
            Verdict::NotRectifiable => "不可整改",
        }
    }
}

/// A verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// `(class index, m² in the patch)` for every class present, largest first.
    pub reasons: Vec<(usize, f64)>,
}

/// Judges one patch. `None` for a patch that failed.
///
/// ```
/// use tuban_core::overlay::PatchResult;
/// use tuban_core::verdict::{judge, Verdict, VerdictRules};
/// use tuban_core::area::AreaMethod;
/// let r = PatchResult { area_m2: 1000.0, class_m2: vec![0.0, 300.0, 50.0, 0.0], union_m2: 340.0,
///     class_count: vec![0; 4], point_count: vec![0; 4], method: AreaMethod::Planar, pieces: vec![],
///     kernel: Default::default(), error: None };
/// let j = judge(&r, &VerdictRules::default()).unwrap();
/// assert_eq!(j.verdict, Verdict::Partly);
/// assert_eq!(j.reasons, vec![(1, 300.0), (2, 50.0)]);
/// ```
pub fn judge(r: &PatchResult, rules: &VerdictRules) -> Option<Judgement> {
    if r.error.is_some() {
        return None;
    }
    let mut reasons: Vec<(usize, f64)> = r
        .class_m2
        .iter()
        .enumerate()
        .filter(|(_, a)| **a > 0.0)
        .map(|(c, a)| (c, *a))
        .collect();
    reasons.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let blocked_pct = if r.area_m2 > 0.0 {
        100.0 * r.union_m2 / r.area_m2
    } else {
        0.0
    };
    let verdict = if r.union_m2 <= rules.negligible_m2 {
        Verdict::Rectifiable
    } else if blocked_pct >= rules.max_blocked_pct || mu(r.clean_m2()) < rules.min_clean_mu {
        Verdict::NotRectifiable
    } else {
        Verdict::Partly
    };
    Some(Judgement { verdict, reasons })
}

/// The Chinese name of a built-in class (the document's terms), or the class name itself.
pub fn class_zh(name: &str) -> &str {
    match name {
        "grave" => "墓地",
        "forest" => "林地",
        "road" => "道路",
        "steep" => "陡坡",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::AreaMethod;

    fn result(area: f64, classes: [f64; 4], union: f64) -> PatchResult {
        PatchResult {
            area_m2: area,
            class_m2: classes.to_vec(),
            union_m2: union,
            class_count: vec![0; 4],
            point_count: vec![0; 4],
            method: AreaMethod::Planar,
            pieces: vec![],
            kernel: Default::default(),
            error: None,
        }
    }

    #[test]
    fn thresholds() {
        let rules = VerdictRules::default();
        let v = |r: PatchResult| judge(&r, &rules).unwrap().verdict;
        assert_eq!(v(result(500.0, [0.0; 4], 0.0)), Verdict::Rectifiable);
        // 0.8 m² of forest along an edge: noise.
        assert_eq!(
            v(result(500.0, [0.0, 0.8, 0.0, 0.0], 0.8)),
            Verdict::Rectifiable
        );
        assert_eq!(
            v(result(500.0, [0.0, 100.0, 0.0, 0.0], 100.0)),
            Verdict::Partly
        );
        // 90% blocked.
        assert_eq!(
            v(result(5000.0, [0.0, 4500.0, 0.0, 0.0], 4500.0)),
            Verdict::NotRectifiable
        );
        // Clean remainder 60 m² = 0.09 mu < 0.1 mu.
        assert_eq!(
            v(result(200.0, [0.0, 140.0, 0.0, 0.0], 140.0)),
            Verdict::NotRectifiable
        );
        // A small patch with nothing on it stays rectifiable whatever its size.
        assert_eq!(v(result(50.0, [0.0; 4], 0.0)), Verdict::Rectifiable);
    }

    #[test]
    fn failed_patches_get_no_verdict() {
        let mut r = result(1.0, [0.0; 4], 0.0);
        r.error = Some("bad".into());
        assert!(judge(&r, &VerdictRules::default()).is_none());
    }
}
