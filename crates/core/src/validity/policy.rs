//! The policy for invalid geometries and the outcome of settling one by it.

use std::fmt;
use std::str::FromStr;

use geo::{Area, MultiPolygon};
use serde::{Deserialize, Serialize};

use super::diagnose::diagnose;
use super::repair::repair;

/// What to do with a geometry that breaks the rules (the CLI's `--invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvalidPolicy {
    /// Repair what can be repaired, and say what was done (the default).
    #[default]
    Repair,
    /// Leave the geometry out of the run, and say why.
    Skip,
    /// Refuse it: the caller reports an error naming the file and the record.
    Error,
}

impl InvalidPolicy {
    /// `"repair"`, `"skip"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidPolicy::Repair => "repair",
            InvalidPolicy::Skip => "skip",
            InvalidPolicy::Error => "error",
        }
    }
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InvalidPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "repair" => Ok(InvalidPolicy::Repair),
            "skip" => Ok(InvalidPolicy::Skip),
            "error" => Ok(InvalidPolicy::Error),
            other => Err(format!(
                "unknown policy for invalid geometries '{other}': use 'repair', 'skip' or 'error'"
            )),
        }
    }
}

/// How a geometry was settled (see the [module documentation](super) for the table).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing wrong: the geometry as given.
    Valid(MultiPolygon<f64>),
    /// Repaired: the valid geometry, and what was wrong and what was done (for the outputs).
    Repaired {
        /// The repaired, valid geometry (counter-clockwise outer rings).
        geometry: MultiPolygon<f64>,
        /// What was wrong and what was done, with the areas before and after.
        what: String,
    },
    /// Left out of the run under [`InvalidPolicy::Skip`] (or a patch without area): why.
    Skipped(String),
    /// Cannot be used: what is wrong and what to do. The caller reports it with the file and the
    /// record (under [`InvalidPolicy::Repair`] these are the unrepairable ones).
    Invalid(String),
}

impl Outcome {
    /// The geometry to measure, for [`Outcome::Valid`] and [`Outcome::Repaired`].
    pub fn geometry(&self) -> Option<&MultiPolygon<f64>> {
        match self {
            Outcome::Valid(g) | Outcome::Repaired { geometry: g, .. } => Some(g),
            Outcome::Skipped(_) | Outcome::Invalid(_) => None,
        }
    }

    /// The geometry to measure, taken out of the outcome.
    pub fn into_geometry(self) -> Option<MultiPolygon<f64>> {
        match self {
            Outcome::Valid(g) | Outcome::Repaired { geometry: g, .. } => Some(g),
            Outcome::Skipped(_) | Outcome::Invalid(_) => None,
        }
    }

    /// The text for a `repair` column: empty for [`Outcome::Valid`], else what was done or why.
    pub fn note(&self) -> &str {
        match self {
            Outcome::Valid(_) => "",
            Outcome::Repaired { what, .. } => what,
            Outcome::Skipped(why) | Outcome::Invalid(why) => why,
        }
    }
}

/// Checks a patch and settles it by `policy` (see the [module documentation](super)).
///
/// A patch without area (a null shape, an outline whose vertices all lie on one line, or one
/// with nothing left after repair) cannot be measured: its shares and verdict would divide by
/// zero. It is [`Outcome::Skipped`] under [`InvalidPolicy::Skip`] and [`Outcome::Invalid`]
/// otherwise, with a text that says so.
pub fn check_patch(mp: &MultiPolygon<f64>, policy: InvalidPolicy) -> Outcome {
    settle(mp, policy, true, true)
}

/// Checks an obstacle and settles it by `policy`, like [`check_patch`], except that an obstacle
/// without area is not a problem: it covers nothing, and is returned as it is (or, after a
/// repair, empty).
pub fn check_obstacle(mp: &MultiPolygon<f64>, policy: InvalidPolicy) -> Outcome {
    settle(mp, policy, false, true)
}

/// What [`settle_obstacle`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Nothing wrong; the geometry is untouched.
    Valid,
    /// Repaired in place: what was wrong and what was done.
    Repaired(String),
    /// To be left out (see [`Outcome::Skipped`]).
    Skipped(String),
    /// Cannot be used (see [`Outcome::Invalid`]).
    Invalid(String),
}

/// [`check_obstacle`] without the copy of a valid geometry: a repaired geometry replaces `mp`,
/// and a valid one stays where it is (millions of land-use polygons are mostly valid, and a copy
/// each would double the memory they take).
pub fn settle_obstacle(mp: &mut MultiPolygon<f64>, policy: InvalidPolicy) -> Settled {
    match settle(mp, policy, false, false) {
        Outcome::Valid(_) => Settled::Valid,
        Outcome::Repaired { geometry, what } => {
            *mp = geometry;
            Settled::Repaired(what)
        }
        Outcome::Skipped(why) => Settled::Skipped(why),
        Outcome::Invalid(why) => Settled::Invalid(why),
    }
}

const NO_AREA: &str = "has no area (a null shape, or an outline whose points all lie on one \
                       line): it cannot be measured; draw its outline in a GIS, or delete the \
                       record";

/// `copy_valid`: whether [`Outcome::Valid`] carries a copy of `mp` (else an empty geometry).
fn settle(mp: &MultiPolygon<f64>, policy: InvalidPolicy, patch: bool, copy_valid: bool) -> Outcome {
    let problems = diagnose(mp);
    let as_drawn = if problems.iter().any(|p| !p.repairable()) {
        f64::NAN
    } else {
        mp.unsigned_area()
    };
    if problems.is_empty() {
        if patch && !has_area(as_drawn) {
            return refuse(policy, NO_AREA.to_string());
        }
        return Outcome::Valid(if copy_valid {
            mp.clone()
        } else {
            MultiPolygon(Vec::new())
        });
    }
    let listed = problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    if problems.iter().any(|p| !p.repairable()) {
        return refuse(
            policy,
            format!("{listed}: cannot be repaired; fix the coordinates in a GIS"),
        );
    }
    match policy {
        InvalidPolicy::Skip => {
            return Outcome::Skipped(format!("{listed}; skipped (--invalid skip)"));
        }
        InvalidPolicy::Error => {
            return Outcome::Invalid(format!(
                "{listed}; fix the outline in a GIS, or let tuban repair it"
            ));
        }
        InvalidPolicy::Repair => {}
    }
    let geometry = match repair(mp) {
        Ok(g) => g,
        Err(e) => return Outcome::Invalid(format!("{listed}: {e}; fix the outline in a GIS")),
    };
    let after = geometry.unsigned_area();
    if patch && !has_area(after) {
        return Outcome::Invalid(format!(
            "{listed}: nothing is left after repair (as drawn: {as_drawn:.2} m2), so it cannot \
             be measured; fix the outline in a GIS"
        ));
    }
    let n = geometry.0.len();
    Outcome::Repaired {
        what: format!(
            "{listed}: repaired into {n} polygon{} of {after:.2} m2 (as drawn: {as_drawn:.2} \
             m2)",
            if n == 1 { "" } else { "s" }
        ),
        geometry,
    }
}

/// A positive area (false for 0 and NaN).
fn has_area(a: f64) -> bool {
    a > 0.0
}

fn refuse(policy: InvalidPolicy, why: String) -> Outcome {
    match policy {
        InvalidPolicy::Skip => Outcome::Skipped(format!("{why}; skipped")),
        InvalidPolicy::Repair | InvalidPolicy::Error => Outcome::Invalid(why),
    }
}
