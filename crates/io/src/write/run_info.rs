//! What a run was: its inputs (with sizes and SHA-256), CRS, area method, rules, thresholds,
//! version, date and duration. The workbook's run sheet shows it, so a table handed to an auditor
//! says exactly which files and settings produced it.
//!
//! The pipeline fills a [`RunInfo`]; [`InputFile::describe`] measures and hashes an input (for a
//! shapefile, each of its files), and [`timestamp_utc`] formats the start time.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::shp::{find_companion, COMPANIONS};

/// One input file, as it was when the run read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// The layer's role in the project (`patches`, `landuse`, `graves`, `roads`, `dem`, `rules`,
    /// `project`).
    pub role: String,
    /// The file's path as given (or as found beside a `.shp`).
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, 64 lower-case hexadecimal digits (what `sha256sum` prints).
    pub sha256: String,
}

impl InputFile {
    /// Measures and hashes `path`. For a shapefile (a path ending in `.shp`, any case) every part
    /// that exists beside it is listed too: `.shp`, `.shx`, `.dbf`, `.prj`, `.cpg`, each found
    /// whatever the letter case of its name, as the reader finds them ([`find_companion`]). A
    /// folder (a File Geodatabase, `x.gdb`) lists every file in it, by name. Any other file gives
    /// one entry. A file that cannot be read is an error.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let p = dir.path().join("rules.toml");
    /// std::fs::write(&p, "abc").unwrap();
    /// let f = &tuban_io::write::run_info::InputFile::describe("rules", &p).unwrap()[0];
    /// assert_eq!(f.bytes, 3);
    /// assert_eq!(f.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /// ```
    pub fn describe(role: &str, path: &Path) -> io::Result<Vec<InputFile>> {
        let is_shp = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
        let paths: Vec<PathBuf> = if is_shp {
            let mut v = vec![path.to_path_buf()];
            v.extend(
                COMPANIONS
                    .iter()
                    .filter_map(|ext| find_companion(path, ext)),
            );
            v
        } else if path.is_dir() {
            let mut v = Vec::new();
            for e in std::fs::read_dir(path)? {
                let p = e?.path();
                if p.is_file() {
                    v.push(p);
                }
            }
            v.sort();
            v
        } else {
            vec![path.to_path_buf()]
        };
        paths
            .into_iter()
            .map(|p| {
                let (bytes, sha256) = hash_file(&p)?;
                Ok(InputFile {
                    role: role.to_string(),
                    path: p,
                    bytes,
                    sha256,
                })
            })
            .collect()
    }
}

/// The size and SHA-256 (lower-case hex) of the file at `path`, read in 64 KiB blocks.
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let annotate = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let mut f = File::open(path).map_err(annotate)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(annotate)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok((bytes, hex))
}

/// What a run was, for the workbook's run sheet. The pipeline fills it in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunInfo {
    /// Every input file (project file, rules file, each layer's files, the DEM).
    pub inputs: Vec<InputFile>,
    /// The CRS the areas were measured in, e.g. `EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)`.
    pub crs: String,
    /// How each layer's CRS was settled: `(role, explanation)`.
    pub crs_notes: Vec<(String, String)>,
    /// The area method and ellipsoid: [`tuban_core::report::Report::method_note`].
    pub area_method: String,
    /// The classification rules, one line per rule, in the order they are tried.
    pub rules: Vec<String>,
    /// Thresholds and settings other than the verdict's (the workbook takes those from
    /// [`tuban_core::report::Report::verdict_rules`], the ones the verdicts used): `(name, value)`,
    /// e.g. `("steep threshold_deg", "25")`, `("grave radius_m", "2")`, `("road min_width_m", "1")`.
    pub thresholds: Vec<(String, String)>,
    /// tuban's version (`CARGO_PKG_VERSION`, maybe with a git revision).
    pub tuban_version: String,
    /// When the run started: ISO 8601 in UTC, as [`timestamp_utc`] writes it
    /// (`2026-11-28T06:03:05Z`). Any text is shown as given.
    pub started: String,
    /// How long the run took, seconds.
    pub seconds: f64,
    /// Warnings the run printed.
    pub warnings: Vec<String>,
    /// How each layer was understood besides its CRS, `(role, note)`: which fields gave the
    /// patches' id and village, how each obstacle layer meets the patches.
    #[serde(default)]
    pub layer_notes: Vec<(String, String)>,
    /// The land-use layer code by code inside the patches, if one was given.
    #[serde(default)]
    pub landuse: Option<tuban_core::codes::CodeTable>,
}

/// `t` as ISO 8601 in UTC to the second: `2026-11-28T06:03:05Z`. Times before 1970 are written
/// as 1970-01-01T00:00:00Z (a clock that wrong is not worth a dependency).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tuban_io::write::run_info::timestamp_utc;
/// assert_eq!(timestamp_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
/// let t = UNIX_EPOCH + Duration::from_secs(1_795_846_985);
/// assert_eq!(timestamp_utc(t), "2026-11-28T06:23:05Z");
/// ```
pub fn timestamp_utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_across_leap_years_and_month_ends() {
        let at = |s: u64| timestamp_utc(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(at(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(at(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn a_shapefile_lists_its_parts_whatever_their_case() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("p.shp");
        std::fs::write(&shp, b"s").unwrap();
        std::fs::write(dir.path().join("p.shx"), b"x").unwrap();
        std::fs::write(dir.path().join("p.DBF"), b"dd").unwrap();
        std::fs::write(dir.path().join("p.Cpg"), b"GBK").unwrap();
        std::fs::write(dir.path().join("q.prj"), b"other layer").unwrap();
        let files = InputFile::describe("patches", &shp).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["p.shp", "p.shx", "p.DBF", "p.Cpg"]);
        assert_eq!(files[2].bytes, 2);
        assert!(files
            .iter()
            .all(|f| f.role == "patches" && f.sha256.len() == 64));
        let missing = InputFile::describe("dem", &dir.path().join("none.tif")).unwrap_err();
        assert!(missing.to_string().contains("none.tif"), "{missing}");
    }
}
