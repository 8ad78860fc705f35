//! The one error type of a run.

use thiserror::Error;

/// An option of the run that would fix an error: the command line names its flag, the Python
/// package its keyword, the project file its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Replace outputs that exist (`overwrite`).
    Overwrite,
    /// Say the CRS of layers that state none (`assume_crs`).
    AssumeCrs,
    /// Choose another policy for invalid geometry (`invalid`).
    InvalidPolicy,
    /// Name the patch layer's village field (`village_field`).
    VillageField,
    /// Accept a layer that comes near no patch (`accept_no_overlap`).
    AcceptNoOverlap,
    /// Scale a measure field into metres or m² (`width_scale`, `area_scale`).
    MeasureScale,
}

impl Error {
    /// The run option that would fix this error, if one would.
    pub fn fixed_by(&self) -> Option<Fix> {
        use tuban_core::reproject::LayerCrsError;
        match self {
            Error::OutputExists(_) => Some(Fix::Overwrite),
            Error::Crs(LayerCrsError::Missing { .. })
            | Error::Crs(LayerCrsError::Crs {
                source: tuban_core::crs::CrsError::Unrecognised { .. },
                ..
            }) => Some(Fix::AssumeCrs),
            Error::Invalid { .. } => Some(Fix::InvalidPolicy),
            Error::Misses(_) => Some(Fix::AcceptNoOverlap),
            Error::Implausible(_) => Some(Fix::MeasureScale),
            _ => None,
        }
    }
}

/// A run could not be carried out. Every variant is about the user's input or environment (the
/// command line maps them all to exit code 1); each message names the file, the record where
/// there is one, and what to do.
#[derive(Debug, Error)]
pub enum Error {
    /// The project file is unreadable or malformed.
    #[error("{path}: {message}")]
    Config {
        /// The project file.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A layer could not be read.
    #[error(transparent)]
    Read(#[from] tuban_io::error::ReadError),
    /// The DEM could not be read or used.
    #[error(transparent)]
    Dem(#[from] tuban_io::geotiff::DemError),
    /// Slope could not be computed.
    #[error("{path}: {source}")]
    Steep {
        /// The DEM.
        path: String,
        /// Why.
        source: tuban_core::steep::SteepError,
    },
    /// A layer could not be turned into patches or obstacles.
    #[error(transparent)]
    Build(#[from] tuban_core::build::BuildError),
    /// The rules file is malformed.
    #[error("{path}: {source}")]
    Rules {
        /// The rules file.
        path: String,
        /// What is wrong.
        source: tuban_core::rules::RulesError,
    },
    /// An output could not be written.
    #[error(transparent)]
    Write(#[from] tuban_io::write::WriteError),
    /// An output already exists and the run may not replace it.
    #[error("{}: already exists; let the run replace it (overwrite = true in the project file)", .0.display())]
    OutputExists(std::path::PathBuf),
    /// A layer's coordinate system is missing, refused or contradicts its coordinates.
    #[error(transparent)]
    Crs(#[from] tuban_core::reproject::LayerCrsError),
    /// A CRS named in the project or on the command line is not understood.
    #[error("{given}: {source}")]
    BadCrs {
        /// What the user wrote, and where.
        given: String,
        /// Why it is refused.
        source: tuban_core::crs::CrsError,
    },
    /// A geometry is invalid and the policy says to stop (or it cannot be repaired).
    #[error("{layer}: record {record}: {message}")]
    Invalid {
        /// The layer's file.
        layer: String,
        /// Record number, from 1.
        record: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// An obstacle layer comes near no patch: the two do not fit together (most often a wrong
    /// CRS), and the run would report every patch free of that layer.
    #[error("{0}")]
    Misses(String),
    /// The land-use layer's codes follow no one survey standard (or the layer contradicts the
    /// standard it is said to follow).
    #[error("{0}")]
    Standard(String),
    /// An attribute used as a measure (a road width, a grave area) is far from what the survey
    /// makes plausible: most often a unit that changed on the way (centimetres for metres).
    #[error("{0}")]
    Implausible(String),
    /// The caller cancelled the run (see [`crate::Progress::cancelled`]); nothing was written.
    #[error("the run was cancelled")]
    Cancelled,
    /// The run asks for something this build cannot do.
    #[error("{0}")]
    Unsupported(String),
}
