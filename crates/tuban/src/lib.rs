//! # tuban
//!
//! tuban (图斑, "map patch") tells, patch by patch, what stands in the way of turning land back
//! into farmland (graves, forest, roads, steep slope) and how many mu that is. This crate is the
//! library: one entry point, [`run`], that gives exactly the numbers of the `tuban` command line,
//! and the stages it chains, each callable alone.
//!
//! ```
//! let mut project = tuban::Project::from_file("../../fixtures/erping/tuban.toml".as_ref())?;
//! project.outputs.clear(); // measure only; write nothing
//! project.villages = None;
//! let outcome = tuban::run(&project)?;
//! let total = &outcome.report.villages.total;
//! assert_eq!(total.patches, 203);
//! assert!(total.union_m2 > 0.0 && total.union_m2 < total.area_m2);
//! println!("{:.2} mu blocked", tuban::core::units::mu(total.union_m2));
//! # Ok::<(), tuban::Error>(())
//! ```
//!
//! A [`Project`] comes from a project file ([`Project::from_file`]) or is built in code
//! ([`Project::new`]); its layers are files or layers already in memory ([`LayerSpec`]). Every
//! option left out takes its default from [`core::defaults`], the one place the command line, the
//! project file and this library share: ellipsoidal areas (the survey's), invalid geometry
//! repaired, the built-in rules.
//!
//! ## Map of the crate
//!
//! ```text
//! project   Project, LayerSpec (file | memory), PatchSpec, ObstacleLayerSpec, DemSpec, RulesSpec
//!    │
//! run       run(&Project) -> Outcome: the stages below, in order, with the CLI's defaults
//!    │
//! stage     1 read ──► Inputs ── 2 crs ──► Settled ── 3 build ──► Patches, Obstacles
//!           4 slope ──► SteepCells ── 5 index ──► R-tree ── 6 overlay ──► Overlaid
//!           7 account ──► Report ── 8 write ──► files
//! progress  Progress (stages report to it; it may cancel), Stage, Timings
//! error     Error (every variant names the file, the record and the fix), Fix
//! external  CRSs outside the built-in set, through PROJ (feature `proj`)
//! ```
//!
//! The data types the stages pass come from the crates re-exported here: [`core`] (layers,
//! rules, the overlay, areas, the report) and [`io`] (readers and writers).
//!
//! Where to change things: a classification rule in `tuban_core::rules` (the built-in table) or a
//! rules file; an output format in `tuban_io::write` and [`stage::write::Format`]; an area method
//! in `tuban_core::area`; a default in `tuban_core::defaults`.
#![warn(missing_docs)]

mod error;
mod external;
pub mod progress;
pub mod project;
mod run;
pub mod stage;

pub use error::{Error, Fix};
pub use progress::{NoProgress, Progress, Stage, Timings};
pub use project::{DemSpec, LayerSpec, ObstacleLayerSpec, PatchSpec, Project, RulesSpec, Source};
pub use run::{rules, run, run_with, Outcome};
pub use tuban_core::steep::SteepStats;

/// The core: layers, rules, the overlay, areas, CRSs, the report (the crate `tuban-core`).
pub use tuban_core as core;
/// Readers and writers of every format (the crate `tuban-io`).
pub use tuban_io as io;

/// The README's library section, run as a doc-test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeLibraryUse;
