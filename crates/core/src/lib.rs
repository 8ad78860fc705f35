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

pub mod account;
pub mod area;
pub mod build;
pub mod clip;
pub mod codes;
pub mod crs;
pub mod defaults;
pub mod layer;
pub mod overlay;
pub mod raster;
pub mod report;
pub mod reproject;
pub mod rules;
pub mod shapes;
pub mod slope;
pub mod steep;
pub mod units;
pub mod validity;
pub mod verdict;
