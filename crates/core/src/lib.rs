//! # tuban-core
//!
//! The heart of tuban (图斑, "map patch"): given farmland **rectification patches** and layers of
//! things that stand in the way of restoring them (graves, forest, roads, steep slopes), measure
//! exactly how much of each patch each obstacle class covers, how much their union covers (never
//! counting an overlap twice), and what is left clean.
//!
//! The crate knows nothing of files or terminals. Readers (in `tuban-io`) produce [`layer::Layer`]s;
//! [`rules`] turn features into classed [`overlay::Obstacle`]s; [`overlay`] indexes them in an
//! R-tree and clips them against each patch in parallel; [`units`] converts square metres to mu.
//!
//! ## Modules, in the order the data flows
//!
//! ```text
//! layer::Layer (from tuban-io's readers: features with a typed attribute table)
//!   │ crs: recognise the CRS (.prj WKT, EPSG codes), Gauss-Kruger, the ellipsoid
//!   │ reproject: layer_crs, working_crs, reproject → every layer in one projected CRS
//!   ▼
//! build: patches_from_layer            → Vec<overlay::Patch>     (id, village, outline)
//!        obstacles_from_layer + rules  → Vec<overlay::Obstacle>  (class, outline)
//!          shapes: grave points → discs, road lines → corridors
//!          validity: invalid outlines diagnosed, repaired, skipped or refused (Outcome)
//! steep: raster::Grid (a DEM window) → slope (Horn) → cells over the threshold → Obstacles
//!   ▼
//! overlay: ObstacleIndex (R-tree) + overlay() → Vec<overlay::PatchResult> (m² per class, union)
//!          clip: exact rectangle clipping; area: AreaMethod (planar, or the survey's ellipsoid)
//!   ▼
//! verdict: judge → Judgement (rectifiable / partly / not, and why)
//! account: VillageTable of Totals (sums in m², rounding that adds up); units: m² → mu, ha
//!   ▼
//! report::Report: one row per patch, the columns and cells every writer (tuban-io) shares
//! ```
//!
//! The journey of a patch:
//!
//! ```text
//! Layer --rules--> Vec<Obstacle> --ObstacleIndex::new--> R-tree
//! Layer --Patch::from_layer--> Vec<Patch> --overlay()--> Vec<PatchResult> (per class m², union m²)
//! ```
//!
//! ```
//! use geo::{polygon, MultiPolygon};
//! use tuban_core::overlay::{overlay, Obstacle, ObstacleIndex, OverlayOptions, Patch};
//!
//! // A 10 m × 10 m patch, its left half under forest (class 0).
//! let patch = Patch::new("1", "狮子村", MultiPolygon(vec![polygon![
//!     (x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]));
//! let forest = Obstacle::new(0, MultiPolygon(vec![polygon![
//!     (x: -5.0, y: -5.0), (x: 5.0, y: -5.0), (x: 5.0, y: 15.0), (x: -5.0, y: 15.0)]]));
//! let index = ObstacleIndex::new(vec![forest]);
//! let results = overlay(&[patch], &index, 1, &OverlayOptions::default());
//! assert_eq!(results[0].class_m2[0], 50.0);
//! assert_eq!(results[0].union_m2, 50.0);
//! assert_eq!(results[0].clean_m2(), 50.0);
//! ```
#![warn(missing_docs)]

/// The geometry crate tuban-core is built on, re-exported so embedders use the same version.
pub use geo;
/// The R-tree crate of [`shards`], re-exported for its entries and query boxes.
pub use rstar;

pub mod account;
pub mod area;
pub mod build;
pub mod clip;
pub mod codes;
pub mod crs;
pub mod defaults;
pub mod kernel;
pub mod layer;
pub mod measures;
pub mod overlay;
pub mod raster;
pub mod report;
pub mod reproject;
pub mod rules;
pub mod shapes;
pub mod shards;
pub mod slope;
pub mod steep;
pub mod survey;
pub mod units;
pub mod validity;
pub mod verdict;
