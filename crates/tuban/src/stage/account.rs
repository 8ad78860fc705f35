//! Stage 7, **account**: each patch's status, verdict and reasons, and the per-village totals
//! ([`tuban_core::report::Report`]).

use tuban_core::crs::Crs;
use tuban_core::report::{Measured, Report};
use tuban_core::rules::Rules;

use crate::stage::build::Patches;
use crate::stage::overlay::Overlaid;

/// The report of a run: `patches` as built, what the overlay measured, judged by `rules`'
/// verdict thresholds, in `working`.
pub fn account(patches: Patches, overlaid: Overlaid, rules: &Rules, working: Crs) -> Report {
    Report::new(Measured {
        classes: rules.classes().to_vec(),
        method: overlaid.method,
        method_note: overlaid.method_note,
        patches: patches.patches,
        results: overlaid.results,
        status: patches.status,
        verdict_rules: rules.verdict.clone(),
        both_areas: Some(overlaid.both_areas),
        crs: Some(working),
    })
}
