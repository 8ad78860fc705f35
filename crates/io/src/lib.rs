//! # tuban-io
//!
//! File formats for tuban, each in its own module so an embedder takes only what it needs.
//!
//! ## Modules and the data between them
//!
//! ```text
//! files ──► read::read_layer (by extension) ──► tuban_core::layer::Layer ──► tuban-core
//!             ├─ shp      ESRI shapefiles: reader (files, header/.shx, records, geometry,
//!             │           dbf, encoding); COMPANIONS; the byte encoder writers share (encode)
//!             ├─ geojson  GeoJSON reader
//!             └─ parquet  GeoParquet reader (WKB geometry; CRS from PROJJSON, see projjson)
//!           geotiff::Dem ──► tuban_core::raster::Grid windows (the DEM, read lazily)
//!           error::ReadError: every reader's error, naming the file, record and fix
//!
//! tuban_core::report::Report ──► write::* ──► files (each whole or absent: write::atomic)
//!             csv, geojson, xlsx (by sheet), shp (via shp::encode), gpkg, parquet (GeoParquet),
//!             svg (the map, by panel), png (the map rasterised), html (page with the map)
//!             pieces: the obstacle layer (each class inside each patch) the GIS writers add
//!             run_info::RunInfo: what the run was (inputs and their SHA-256, settings)
//! ```
#![warn(missing_docs)]

pub mod error;
pub mod filegdb;
pub mod geojson;
pub mod geotiff;
pub mod gpkg;
pub mod parquet;
pub mod projjson;
pub mod read;
pub mod shp;
pub mod write;
