//! Progress and cancellation, passed through the stages without a terminal.
//!
//! The stages call a [`Progress`] as they go; the command line draws bars from these calls, the
//! Python package forwards them to a callback, and an embedder may log them or pass
//! [`NoProgress`]. [`Progress::cancelled`] is asked between stages and between blocks of patches
//! in the overlay: a run that is cancelled stops with [`crate::Error::Cancelled`] before it
//! writes anything.

use std::time::Duration;

/// The stages of a run, in the order the data flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the input layers (counted in layers).
    Read,
    /// Settling each layer's CRS and moving it into the working CRS.
    Crs,
    /// Building patches and obstacles (rules, discs, corridors, validity).
    Build,
    /// Computing slope from the DEM.
    Slope,
    /// Building the R-tree of obstacles.
    Index,
    /// The overlay (counted in patches).
    Overlay,
    /// Verdicts and totals.
    Account,
    /// Writing the outputs (counted in files).
    Write,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 8] = [
        Stage::Read,
        Stage::Crs,
        Stage::Build,
        Stage::Slope,
        Stage::Index,
        Stage::Overlay,
        Stage::Account,
        Stage::Write,
    ];

    /// A short label: `reading`, `crs`, `building`, `slope`, `indexing`, `overlay`,
    /// `accounting`, `writing`.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Read => "reading",
            Stage::Crs => "crs",
            Stage::Build => "building",
            Stage::Slope => "slope",
            Stage::Index => "indexing",
            Stage::Overlay => "overlay",
            Stage::Account => "accounting",
            Stage::Write => "writing",
        }
    }
}

/// Receives progress from the stages, and may cancel the run.
pub trait Progress: Sync {
    /// A stage begins, with its number of steps if known.
    fn start(&self, _stage: Stage, _total: Option<u64>) {}
    /// `n` more steps of the current stage are done (may be called from any thread).
    fn advance(&self, _n: u64) {}
    /// The current stage is over.
    fn finish(&self) {}
    /// Whether the caller wants the run to stop (asked between stages and between blocks of
    /// patches; may be called from any thread).
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere and never cancels.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Stops the run if the caller asked to.
pub(crate) fn check(progress: &dyn Progress) -> Result<(), crate::Error> {
    if progress.cancelled() {
        Err(crate::Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Wall time of each stage.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading the input layers.
    pub read: Duration,
    /// Settling CRSs and reprojecting.
    pub crs: Duration,
    /// Building patches and obstacles, and checking their geometry.
    pub build: Duration,
    /// Reading the DEM windows and computing slope.
    pub slope: Duration,
    /// Building the R-tree.
    pub index: Duration,
    /// The overlay itself.
    pub overlay: Duration,
    /// Verdicts, totals and both areas of every patch.
    pub account: Duration,
    /// Writing the outputs.
    pub write: Duration,
    /// Everything.
    pub total: Duration,
}
