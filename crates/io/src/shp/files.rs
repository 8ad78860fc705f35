//! Finding a shapefile's files beside its `.shp`, whatever the letter case of their names: the
//! one list of a shapefile's companion files, and the one way to find them, for the reader, the
//! writer, the run description and the CLI's checks.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::error::ReadError;

/// The extensions of the files that make a shapefile with its `.shp`, in the order tuban lists
/// them: the index, the attribute table, the CRS and the text encoding. A writer writes them all
/// (the `.prj` when the CRS is known); a reader needs the `.dbf` and uses the others when present.
pub const COMPANIONS: [&str; 4] = ["shx", "dbf", "prj", "cpg"];

/// Spatial indexes other programs keep beside a shapefile (`.qix` of QGIS, GDAL and MapServer;
/// `.sbn`/`.sbx` of ArcGIS). tuban neither reads nor writes them; they describe the shapes they
/// were built from, so a writer that replaces a shapefile removes them, lest the software that
/// made them trust them.
pub const DERIVED_INDEXES: [&str; 3] = ["qix", "sbn", "sbx"];

/// The file beside `shp` (a path whose stem names the shapefile, e.g. `data/DLTB.shp`) with
/// extension `ext` (lower case, without the dot): `data/DLTB.ext` if it exists, else a file of
/// the same name in another letter case (`data/DLTB.DBF`, `data/dltb.Dbf`; the first in sorted
/// order when there are several), as the reader finds it. `None` when there is none.
///
/// ```
/// use tuban_io::shp::{find_companion, COMPANIONS};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("DLTB.shp"), b"").unwrap();
/// std::fs::write(dir.path().join("DLTB.DBF"), b"").unwrap();
/// let shp = dir.path().join("DLTB.shp");
/// assert_eq!(find_companion(&shp, "dbf"), Some(dir.path().join("DLTB.DBF")));
/// assert_eq!(find_companion(&shp, "prj"), None);
/// assert_eq!(COMPANIONS, ["shx", "dbf", "prj", "cpg"]);
/// ```
pub fn find_companion(shp: &Path, ext: &str) -> Option<PathBuf> {
    let dir = shp.parent().unwrap_or(Path::new(""));
    find_file(dir, shp.file_stem()?, ext)
}

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
        let with_ext = |ext: &str| {
            let mut name = base.clone();
            name.push(".");
            name.push(ext);
            dir.join(name)
        };
        let find = |ext: &str| find_file(dir, &base, ext);

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

/// Whether `ext` (without the dot) is the extension of a shapefile's `.shp` or one of its
/// [`COMPANIONS`], in any letter case: `DLTB.dbf` names the same layer as `DLTB.shp`.
///
/// ```
/// assert!(tuban_io::shp::is_shapefile_extension("DBF"));
/// assert!(!tuban_io::shp::is_shapefile_extension("qix"));
/// ```
pub fn is_shapefile_extension(ext: &str) -> bool {
    is_companion_extension(OsStr::new(ext))
}

fn is_companion_extension(ext: &OsStr) -> bool {
    std::iter::once(&"shp")
        .chain(COMPANIONS.iter())
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// The file `base.ext` in `dir`: that exact name if it is a file, else the first (in sorted
/// order) whose name is the same ignoring ASCII letter case (`DLTB.DBF`, `dltb.Dbf`), as
/// Windows, where most shapefiles are made, would find it.
fn find_file(dir: &Path, base: &OsStr, ext: &str) -> Option<PathBuf> {
    let mut wanted = base.to_owned();
    wanted.push(".");
    wanted.push(ext);
    let exact = dir.join(&wanted);
    if exact.is_file() {
        return Some(exact);
    }
    let wanted = wanted.to_string_lossy().into_owned();
    let listed = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut found: Vec<OsString> = std::fs::read_dir(listed)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .filter(|n| n.to_string_lossy().eq_ignore_ascii_case(&wanted))
        .collect();
    found.sort();
    found.into_iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companions_are_found_in_any_letter_case_and_in_a_fixed_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in ["x.shp", "x.SHX", "X.Dbf", "x.PRJ", "x.prj.bak", "y.cpg"] {
            std::fs::write(d.join(name), b"").unwrap();
        }
        // A folder is not a companion file.
        std::fs::create_dir(d.join("x.cpg")).unwrap();
        let shp = d.join("x.shp");
        let found: Vec<Option<PathBuf>> =
            COMPANIONS.iter().map(|e| find_companion(&shp, e)).collect();
        assert_eq!(
            found,
            [
                Some(d.join("x.SHX")),
                Some(d.join("X.Dbf")),
                Some(d.join("x.PRJ")),
                None
            ]
        );
        // Two spellings: the exact one, else the first in sorted order.
        std::fs::write(d.join("x.Shx"), b"").unwrap();
        assert_eq!(find_companion(&shp, "shx"), Some(d.join("x.SHX")));
        std::fs::write(d.join("x.shx"), b"").unwrap();
        assert_eq!(find_companion(&shp, "shx"), Some(d.join("x.shx")));
        assert!(is_shapefile_extension("Shp") && is_shapefile_extension("cpg"));
        assert!(!is_shapefile_extension("sbn") && !is_shapefile_extension(""));
    }
}
