//! Finding a shapefile's files beside its `.shp`, whatever the letter case of their extensions.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::ReadError;

/// The files of one shapefile.
pub(super) struct Files {
    pub(super) shp: PathBuf,
    pub(super) shx: Option<PathBuf>,
    pub(super) dbf: PathBuf,
    pub(super) cpg: Option<PathBuf>,
    pub(super) prj: Option<PathBuf>,
    /// The file name without `.shp`.
    pub(super) base_name: String,
}

impl Files {
    pub(super) fn locate(path: &Path) -> Result<Files, ReadError> {
        let has_shp_ext = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
        // `DLTB.dbf` (or .shx, .prj, .cpg) names the same shapefile as `DLTB.shp`.
        let names_part = has_shp_ext || path.extension().is_some_and(is_companion_extension);
        let base: OsString = match if names_part {
            path.file_stem()
        } else {
            path.file_name()
        } {
            Some(b) => b.to_owned(),
            None => {
                return Err(ReadError::NotFound {
                    path: path.to_path_buf(),
                    hint: "; give the path of a .shp file".into(),
                })
            }
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        let listing: Vec<OsString> = std::fs::read_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect()
        })
        .unwrap_or_default();
        let with_ext = |ext: &str| {
            let mut name = base.clone();
            name.push(".");
            name.push(ext);
            dir.join(name)
        };
        // The exact name first, then any letter case of the whole name's extension.
        let find = |ext: &str| -> Option<PathBuf> {
            let exact = with_ext(ext);
            if exact.is_file() {
                return Some(exact);
            }
            let mut wanted = base.clone();
            wanted.push(".");
            wanted.push(ext);
            let wanted = wanted.to_string_lossy().into_owned();
            listing
                .iter()
                .find(|n| n.to_string_lossy().eq_ignore_ascii_case(&wanted))
                .map(|n| dir.join(n))
                .filter(|p| p.is_file())
        };

        let shp = if has_shp_ext && path.is_file() {
            path.to_path_buf()
        } else {
            find("shp").ok_or_else(|| ReadError::NotFound {
                path: with_ext("shp"),
                hint: String::new(),
            })?
        };
        let dbf = find("dbf").ok_or_else(|| ReadError::MissingCompanion {
            shp: shp.clone(),
            missing: with_ext("dbf"),
            what: ".dbf (the attribute table)",
        })?;
        Ok(Files {
            shp,
            shx: find("shx"),
            dbf,
            cpg: find("cpg"),
            prj: find("prj"),
            base_name: base.to_string_lossy().into_owned(),
        })
    }
}

/// Whether `ext` is the extension of one of a shapefile's files (any case).
fn is_companion_extension(ext: &std::ffi::OsStr) -> bool {
    ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}
