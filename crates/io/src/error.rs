//! The error every reader returns.
//!
//! A [`ReadError`] always names the file it is about, the record (or GeoJSON feature) where there is
//! one, and says what the user can do about it. Its `Display` is meant to be shown to a land
//! official as is, for example:
//!
//! ```text
//! data/patches.shp: record 17: polygon ring 2 has 2 points (a ring needs at least 4: three corners and the first one repeated); fix the shape in a GIS and export again
//! data/patches.dbf: record 5, field TBMJ: "12,5" is not a number; fix the value in the attribute table
//! data/patches.dbf: cannot tell the text encoding (no .cpg file, language driver 0x00), and record 3, field ZLDWMC holds non-ASCII text; say it with --encoding GBK or --encoding UTF-8
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a layer could not be read.
///
/// Every variant carries the path of the file concerned ([`ReadError::path`]); variants about one
/// record carry its 1-based number ([`ReadError::record`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The operating system refused to open or read a file.
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The file (or, for a shapefile, its `.shp`) does not exist.
    #[error("{}: no such file{hint}", path.display())]
    NotFound {
        /// The path as given (or as completed with `.shp`).
        path: PathBuf,
        /// Extra advice, starting with `"; "`, or empty.
        hint: String,
    },

    /// A shapefile part that must exist next to the `.shp` (the `.dbf`) is missing.
    #[error(
        "{}: not found: a shapefile needs its {what} next to {}; copy all the files of the layer \
         (.shp, .shx, .dbf, .prj, .cpg) together",
        missing.display(),
        shp.display()
    )]
    MissingCompanion {
        /// The `.shp` that was found.
        shp: PathBuf,
        /// The companion file that was looked for (any letter case was accepted).
        missing: PathBuf,
        /// What the file holds, e.g. `".dbf (the attribute table)"`.
        what: &'static str,
    },

    /// The file name's extension is not one tuban reads.
    #[error(
        "{}: tuban does not read {} files; it reads ESRI shapefiles (.shp), GeoPackages (.gpkg), File Geodatabases (a .gdb folder), \
         GeoJSON (.geojson, .json) and GeoParquet (.parquet): convert the layer to one of them (e.g. with QGIS or ogr2ogr)",
        path.display(),
        describe_extension(extension)
    )]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// Its extension (without the dot), empty if it has none.
        extension: String,
    },

    /// The text encoding could not be determined or is not one tuban knows.
    #[error("{}: {message}", path.display())]
    Encoding {
        /// The file whose encoding is in question (the `.dbf`, the `.cpg`, or the GeoJSON file).
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// The `.shp` and the `.dbf` of a shapefile disagree on the number of records.
    #[error(
        "{}: holds {shp_records} shapes but {} holds {dbf_records} records: the two files do not \
         belong together or one of them was cut short; export the layer again",
        shp.display(),
        dbf.display()
    )]
    CountMismatch {
        /// The `.shp` file.
        shp: PathBuf,
        /// How many records the `.shp` holds.
        shp_records: usize,
        /// The `.dbf` file.
        dbf: PathBuf,
        /// How many records the `.dbf` header declares.
        dbf_records: usize,
    },

    /// One record of a shapefile (shape or attributes) is unreadable.
    #[error("{}: record {record}: {message}", path.display())]
    Record {
        /// The `.shp` or `.dbf` file.
        path: PathBuf,
        /// The record number, from 1.
        record: usize,
        /// What is wrong and what to do.
        message: String,
    },

    /// One attribute value of a shapefile record is unreadable.
    #[error("{}: record {record}, field {field}: {message}", path.display())]
    Field {
        /// The `.dbf` file.
        path: PathBuf,
        /// The record number, from 1.
        record: usize,
        /// The field's name.
        field: String,
        /// What is wrong and what to do.
        message: String,
    },

    /// One feature of a GeoJSON file is unusable.
    #[error("{}: feature {feature}: {message}", path.display())]
    Feature {
        /// The GeoJSON file.
        path: PathBuf,
        /// The feature's position in the collection, from 1.
        feature: usize,
        /// What is wrong and what to do.
        message: String,
    },

    /// One feature of a layer inside a file that holds several (a GeoPackage table), or one of
    /// its values, is unusable.
    #[error(
        "{}: layer {layer}, feature {feature}{}: {message}",
        path.display(),
        field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default()
    )]
    InLayer {
        /// The file.
        path: PathBuf,
        /// The layer (table) in it.
        layer: String,
        /// The feature's id in the layer (a GeoPackage's `fid`).
        feature: i64,
        /// The field, when the problem is one value.
        field: Option<String>,
        /// What is wrong and what to do.
        message: String,
    },

    /// The file is not valid JSON, or not the GeoJSON structure tuban expects.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The line of the problem, from 1 (0 if unknown).
        line: usize,
        /// The column of the problem, from 1 (0 if unknown).
        column: usize,
        /// What the JSON parser said, and what to do.
        message: String,
    },

    /// The file holds several layers (a GeoPackage, a File Geodatabase) and none of them has the
    /// name asked for, or a layer name was given for a file that holds only one.
    #[error("{}: {}", path.display(), describe_missing_layer(layer, available))]
    NoSuchLayer {
        /// The file (or `.gdb` folder).
        path: PathBuf,
        /// The name asked for (`None`: none was given but the file holds several).
        layer: Option<String>,
        /// The layers the file holds, by name.
        available: Vec<String>,
    },

    /// The file as a whole is damaged or holds something tuban does not read (bad header,
    /// truncated file, Multipatch shapes, memo fields, ...).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::NotFound { path, .. }
            | ReadError::UnsupportedFormat { path, .. }
            | ReadError::Encoding { path, .. }
            | ReadError::Record { path, .. }
            | ReadError::Field { path, .. }
            | ReadError::Feature { path, .. }
            | ReadError::Json { path, .. }
            | ReadError::Invalid { path, .. }
            | ReadError::NoSuchLayer { path, .. }
            | ReadError::InLayer { path, .. } => path,
            ReadError::MissingCompanion { missing, .. } => missing,
            ReadError::CountMismatch { shp, .. } => shp,
        }
    }

    /// The 1-based record (shapefile) or feature (GeoJSON) number the error is about, if any; for
    /// a GeoPackage, the feature id (which tuban uses as the record number).
    pub fn record(&self) -> Option<usize> {
        match self {
            ReadError::Record { record, .. } | ReadError::Field { record, .. } => Some(*record),
            ReadError::Feature { feature, .. } => Some(*feature),
            ReadError::InLayer { feature, .. } => usize::try_from(*feature).ok(),
            _ => None,
        }
    }

    /// An I/O error on `path`, turned into [`ReadError::NotFound`] when the file does not exist.
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound {
                path: path.to_path_buf(),
                hint: String::new(),
            }
        } else {
            ReadError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    /// A whole-file problem.
    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        ReadError::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// Why a layer name did not select a layer, and which names would.
fn describe_missing_layer(layer: &Option<String>, available: &[String]) -> String {
    let list = if available.is_empty() {
        "it holds no layer tuban reads".to_string()
    } else {
        format!("it holds {}", available.join(", "))
    };
    match layer {
        Some(name) => format!(
            "no layer named \"{name}\" ({list}); name one of them (layer = \"...\" in the project file, FILE:LAYER on the command line)"
        ),
        None => format!(
            "holds several layers ({list}); say which (layer = \"...\" in the project file, FILE:LAYER on the command line)"
        ),
    }
}

/// `.gpkg` for `"gpkg"`, "extension-less" for `""`.
fn describe_extension(extension: &str) -> ExtensionLabel<'_> {
    ExtensionLabel(extension)
}

struct ExtensionLabel<'a>(&'a str);

impl fmt::Display for ExtensionLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("extension-less")
        } else {
            write!(f, ".{}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_and_record() {
        let e = ReadError::Record {
            path: "patches.shp".into(),
            record: 17,
            message: "polygon ring 2 has 2 points".into(),
        };
        assert_eq!(
            e.to_string(),
            "patches.shp: record 17: polygon ring 2 has 2 points"
        );
        assert_eq!(e.record(), Some(17));
        assert_eq!(e.path(), Path::new("patches.shp"));
        let e = ReadError::UnsupportedFormat {
            path: "a.tab".into(),
            extension: "tab".into(),
        };
        assert!(e
            .to_string()
            .starts_with("a.tab: tuban does not read .tab files"));
    }
}
