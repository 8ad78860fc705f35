//! # tuban-io
//!
//! File formats for tuban, each in its own module so an embedder takes only what it needs.
#![warn(missing_docs)]

pub mod error;
pub mod filegdb;
pub mod geojson;
pub mod geotiff;
pub mod read;
pub mod shp;
pub mod write;
