//! # tuban-io
//!
//! File formats for tuban, each in its own module so an embedder takes only what it needs.
