//! Writers. Every output is written to a temporary file beside its target and renamed into place
//! only once complete ([`atomic`]), so a failed or killed run never leaves half a file.

pub mod atomic;
pub mod csv;
pub mod geojson;
pub mod gpkg;
pub mod html;
pub mod parquet;
pub mod pieces;
#[cfg(feature = "png")]
pub mod png;
pub mod run_info;
pub mod shp;
pub mod svg;
pub mod wkb;
pub mod xlsx;

pub use xlsx::Lang;

use thiserror::Error;

/// An output could not be written.
#[derive(Debug, Error)]
pub enum WriteError {
    /// An I/O failure while writing `path`.
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The output's path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The output would overwrite something it must not.
    #[error("{0}")]
    Refused(String),
}

/// Formats an unrounded number with at least six decimals: the shortest decimal that reads back
/// as the same `f64`, padded with zeros. `0.5` → `0.500000`; `1234.567890123456` stays as is.
///
/// ```
/// use tuban_io::write::full_precision;
/// assert_eq!(full_precision(0.5), "0.500000");
/// assert_eq!(full_precision(1234.567890123456), "1234.567890123456");
/// assert_eq!(full_precision(3.0), "3.000000");
/// ```
pub fn full_precision(v: f64) -> String {
    let mut s = format!("{v}");
    if !v.is_finite() {
        return s;
    }
    match s.find('.') {
        None => s.push_str(".000000"),
        Some(dot) => {
            let decimals = s.len() - dot - 1;
            for _ in decimals..6 {
                s.push('0');
            }
        }
    }
    s
}
