//! The report as ESRI shapefiles, for ArcGIS and QGIS: the patches with every result column, and
//! the obstacle pieces (each class's geometry inside each patch, see [`super::pieces`]).
//!
//! A shapefile is five files: `.shp` (Polygon shapes), `.shx` (their index), `.dbf` (the
//! attributes), `.prj` (the CRS as ESRI WKT, from [`Report::crs`]; none when the CRS is unknown)
//! and `.cpg` (the text encoding: `GBK`, `GB18030` or `UTF-8`, [`ShpOptions::encoding`]). This module
//! decides what goes into them; the bytes are laid out by [`crate::shp::encode`] (after the ESRI
//! specification and the dBase III table format), which `tuban synth` writes with too. Every
//! detail below is deliberate:
//!
//! * **Geometry.** Each patch is one Polygon record with all its parts; outer rings clockwise,
//!   holes counter-clockwise, as the specification requires. A patch without geometry is a Null
//!   shape. Coordinates are those of the report (its CRS, named by the `.prj`).
//! * **Fields.** Every column of [`Report::columns`], in order. Text is `C`, as wide as its longest
//!   value **in bytes of the chosen encoding** (2 per Chinese character in GBK, 3 in UTF-8), at
//!   most 254; a longer value is cut at a character boundary and reported in
//!   [`ShpWritten::warnings`]. Numbers are `N` of width 20 with enough decimals to keep a
//!   millionth of a square metre: m² 6, mu 9, percent 9, hectares 10 (a value is rounded to those
//!   decimals; the CSV and GeoPackage keep every bit). Counts are `N(9,0)`, which GDAL reads as
//!   32-bit integers. An empty cell (a failed patch's numbers) is written as asterisks, the dBase null
//!   that shapelib, GDAL and QGIS write and read.
//! * **Field names** are at most 10 bytes. The CSV's names that are longer get these short names
//!   ([`short_names`]), reported in [`ShpWritten::field_map`] so the caller can print them:
//!
//!   | column | field |
//!   |---|---|
//!   | `obstacle_m2`, `obstacle_mu`, `obstacle_pct`, `obstacle_ha` | `obst_m2`, `obst_mu`, `obst_pct`, `obst_ha` |
//!   | `grave_count` | `grave_n` |
//!   | `area_planar_m2` | `planar_m2` |
//!   | `area_ellipsoidal_m2` | `ellips_m2` |
//!   | `area_method` | `method` |
//!
//!   Other long names (a rules file's classes) keep their unit suffix and lose the end of the
//!   class name (`wetland_area_mu` → `wetland_mu`... see [`short_names`]); a clash gets a digit.
//! * **Encoding.** The `.cpg` names it, and the DBF's language-driver byte agrees (0x4D, code
//!   page 936, for GBK and for GB18030, which has no byte of its own and holds GBK unchanged; 0
//!   for UTF-8, which has none). Every text tuban writes itself (column names, verdicts, reasons,
//!   repair notes, class names, units) is GBK. User text that GBK cannot encode (a rare character
//!   in a village name) is refused, naming the file, record, field and characters, with the fix:
//!   write GB18030 or UTF-8 instead; it is never written as `?`.
//!
//! **Whole or nothing.** The five files are written into a temporary folder beside the target,
//! flushed to disk, and only then renamed into place, the `.shp` last. Stale companions of an
//! older layer of the same name that would contradict the new one are removed: a `.prj` when the
//! new layer has no CRS, and spatial indexes (`.qix`, `.sbn`, `.sbx`), which GIS software would
//! otherwise trust.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use geo::orient::{Direction, Orient};
use geo::MultiPolygon;
use tuban_core::report::{Cell, Report, Unit};

use crate::shp::encode::{self, Bbox, DbfField, DbfRecord, ShapeType};
use crate::shp::{COMPANIONS, DERIVED_INDEXES};

use super::pieces::{pieces, PIECE_FIELDS};
use super::WriteError;

/// The text encoding of the `.dbf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShpEncoding {
    /// GBK (code page 936), what Chinese ArcGIS and most Chinese land-survey data use.
    #[default]
    Gbk,
    /// UTF-8, for any character; QGIS and ArcGIS 10.2+ read it through the `.cpg`.
    Utf8,
    /// GB18030, the Chinese national standard that extends GBK to every Unicode character (rare
    /// characters in names take four bytes; everything GBK holds is written exactly as GBK
    /// writes it). The `.cpg` says `GB18030`, which GDAL (so QGIS) reads; it does not read
    /// `54936`, the code page's number. There is no language driver byte for GB18030: the DBF
    /// gets GBK's (0x4D), so a reader that has lost the `.cpg` still reads every character
    /// outside the four-byte range right.
    Gb18030,
}

impl ShpEncoding {
    /// The `.cpg` text: `GBK`, `UTF-8` or `GB18030`.
    pub fn cpg(self) -> &'static str {
        match self {
            ShpEncoding::Gbk => "GBK",
            ShpEncoding::Utf8 => "UTF-8",
            ShpEncoding::Gb18030 => "GB18030",
        }
    }

    /// The DBF header's language-driver byte.
    fn ldid(self) -> u8 {
        match self {
            ShpEncoding::Gbk | ShpEncoding::Gb18030 => encode::LDID_GBK,
            ShpEncoding::Utf8 => encode::LDID_NONE,
        }
    }

    /// `s` in this encoding; `None` if a character cannot be encoded.
    fn encode(self, s: &str) -> Option<Vec<u8>> {
        let with = |enc: &'static encoding_rs::Encoding| {
            let (bytes, _, unmappable) = enc.encode(s);
            (!unmappable).then(|| bytes.into_owned())
        };
        match self {
            ShpEncoding::Utf8 => Some(s.as_bytes().to_vec()),
            ShpEncoding::Gbk => with(encoding_rs::GBK),
            ShpEncoding::Gb18030 => with(encoding_rs::GB18030),
        }
    }
}

impl FromStr for ShpEncoding {
    type Err = String;

    /// `GBK` (also `936`, `CP936`, `GB2312`), `UTF-8` (`UTF8`, `65001`) or `GB18030`
    /// (`GB-18030`, `54936`), any case.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_uppercase().as_str() {
            "GBK" | "936" | "CP936" | "GB2312" => Ok(ShpEncoding::Gbk),
            "UTF-8" | "UTF8" | "65001" => Ok(ShpEncoding::Utf8),
            "GB18030" | "GB-18030" | "54936" => Ok(ShpEncoding::Gb18030),
            other => Err(format!(
                "unknown shapefile encoding '{other}': use 'GBK', 'GB18030' or 'UTF-8'"
            )),
        }
    }
}

impl std::fmt::Display for ShpEncoding {
    /// The name the `.cpg` holds: `GBK`, `UTF-8` or `GB18030` (which [`FromStr`] reads back).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.cpg())
    }
}

/// How to write the shapefiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShpOptions {
    /// The `.dbf` text encoding (default GBK).
    pub encoding: ShpEncoding,
}

/// What writing a shapefile did that the user should hear about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShpWritten {
    /// `(column, field)` for every column whose name had to be shortened (or changed to stay
    /// unique) to fit the DBF's 10 bytes, in column order.
    pub field_map: Vec<(String, String)>,
    /// Values cut to the DBF's 254 bytes, one line each.
    pub warnings: Vec<String>,
}

impl ShpWritten {
    /// The field-name mapping as one line to show the user, or `None` if no name changed:
    /// `DBF field names are at most 10 bytes: obstacle_m2 → obst_m2, grave_count → grave_n`.
    pub fn field_map_note(&self) -> Option<String> {
        if self.field_map.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .field_map
            .iter()
            .map(|(long, short)| format!("{long} → {short}"))
            .collect();
        Some(format!(
            "DBF field names are at most 10 bytes: {}",
            pairs.join(", ")
        ))
    }
}

/// DBF field names of at most 10 bytes (in `encoding`) for `names`, unique ignoring ASCII
/// case, deterministic: the same names always give the same fields.
///
/// A name that fits is kept. The report's long names have fixed short forms (see the
/// [module documentation](self)). Any other long name keeps its unit suffix (`_m2`, `_mu`,
/// `_pct`, `_ha`, `_zh`, `_count`) and as much of the rest as fits. A field that would repeat an
/// earlier one gets a number at the end of its stem (`wetland1_m2`... cut to fit).
///
/// ```
/// use tuban_io::write::shp::{short_names, ShpEncoding};
/// let names = ["patch_id", "obstacle_mu", "wetland_area_m2", "wetland_area_mu", "wetland_areb_m2"];
/// let short = short_names(&names.map(String::from), ShpEncoding::Gbk);
/// assert_eq!(short, ["patch_id", "obst_mu", "wetland_m2", "wetland_mu", "wetlan1_m2"]);
/// ```
pub fn short_names(names: &[String], encoding: ShpEncoding) -> Vec<String> {
    let bytes = |s: &str| encoding.encode(s).map_or(s.len(), |b| b.len());
    // The longest prefix of `s` (whole characters) of at most `max` bytes.
    let cut = |s: &str, max: usize| -> String {
        let mut out = String::new();
        for ch in s.chars() {
            let mut next = out.clone();
            next.push(ch);
            if bytes(&next) > max {
                break;
            }
            out = next;
        }
        out
    };
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let fixed = match name.as_str() {
            "obstacle_m2" => Some("obst_m2"),
            "obstacle_mu" => Some("obst_mu"),
            "obstacle_pct" => Some("obst_pct"),
            "obstacle_ha" => Some("obst_ha"),
            "grave_count" => Some("grave_n"),
            "area_planar_m2" => Some("planar_m2"),
            "area_ellipsoidal_m2" => Some("ellips_m2"),
            "area_method" => Some("method"),
            _ => None,
        };
        let (stem, suffix) = ["_m2", "_mu", "_pct", "_ha", "_zh", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|stem| !stem.is_empty())
                    .map(|stem| (stem.to_string(), s.to_string()))
            })
            .unwrap_or_else(|| (name.clone(), String::new()));
        let room = 10usize.saturating_sub(suffix.len()).max(1);
        let mut candidate = match fixed {
            Some(f) => f.to_string(),
            None if bytes(name) <= 10 => name.clone(),
            None => format!("{}{suffix}", cut(&stem, room)),
        };
        let clash = |c: &str, taken: &[String]| taken.iter().any(|t| t.eq_ignore_ascii_case(c));
        let mut k = 1u32;
        while clash(&candidate, &taken) {
            let digits = k.to_string();
            let stem_room = room.saturating_sub(digits.len());
            candidate = format!("{}{digits}{suffix}", cut(&stem, stem_room));
            k += 1;
        }
        taken.push(candidate.clone());
        out.push(candidate);
    }
    out
}

/// One attribute value before encoding.
enum Val {
    Text(String),
    Num(f64),
    Null,
}

/// The decimals kept for a number of `unit` (see the module documentation).
fn decimals(unit: Unit) -> u8 {
    match unit {
        Unit::M2 => 6,
        Unit::Mu | Unit::Pct => 9,
        Unit::Ha => 10,
        Unit::Count | Unit::Text => 0,
    }
}

/// A layer to write: field names and kinds, and per record a geometry and values.
struct Table<'a> {
    names: Vec<String>,
    units: Vec<Unit>,
    records: Vec<(Option<&'a MultiPolygon<f64>>, Vec<Val>)>,
}

/// Writes the patches layer to `path` (`.shp` and its companions), whole or not at all.
pub fn write(report: &Report, opts: &ShpOptions, path: &Path) -> Result<ShpWritten, WriteError> {
    let columns = report.columns();
    let records = (0..report.patches.len())
        .map(|i| {
            let vals = columns
                .iter()
                .map(|c| match report.cell(i, c) {
                    Cell::Text(s) => Val::Text(s),
                    Cell::Number(v) => Val::Num(v),
                    Cell::Empty => Val::Null,
                })
                .collect();
            let g = &report.patches[i].geometry;
            (Some(g).filter(|g| !g.0.is_empty()), vals)
        })
        .collect();
    let table = Table {
        names: columns.iter().map(|c| c.name.clone()).collect(),
        units: columns.iter().map(|c| c.unit).collect(),
        records,
    };
    write_table(report, &table, opts, path)
}

/// Writes the obstacle layer (see [`super::pieces`]) to `path`, whole or not at all: fields
/// `patch_id`, `village`, `class`, `class_zh`, `area_m2`, `area_mu`, one Polygon record per
/// piece. With no pieces (the run did not keep them, or nothing is in the way) the layer is
/// written empty, with its fields.
pub fn write_pieces(
    report: &Report,
    opts: &ShpOptions,
    path: &Path,
) -> Result<ShpWritten, WriteError> {
    let all = pieces(report);
    let records = all
        .iter()
        .map(|p| {
            let vals = (0..PIECE_FIELDS.len())
                .map(|k| match p.field(k) {
                    Ok(s) => Val::Text(s.to_string()),
                    Err(v) => Val::Num(v),
                })
                .collect();
            (Some(&p.geometry), vals)
        })
        .collect();
    let table = Table {
        names: PIECE_FIELDS.iter().map(|(n, _)| n.to_string()).collect(),
        units: PIECE_FIELDS.iter().map(|(_, u)| *u).collect(),
        records,
    };
    write_table(report, &table, opts, path)
}

fn write_table(
    report: &Report,
    table: &Table<'_>,
    opts: &ShpOptions,
    path: &Path,
) -> Result<ShpWritten, WriteError> {
    let enc = opts.encoding;
    let mut written = ShpWritten::default();
    let short = short_names(&table.names, enc);
    for (long, s) in table.names.iter().zip(&short) {
        if long != s {
            written.field_map.push((long.clone(), s.clone()));
        }
    }

    // Encode every text value first: the C fields are as wide as their longest value.
    let mut encoded: Vec<Vec<Option<Vec<u8>>>> = Vec::with_capacity(table.records.len());
    let mut widths: Vec<usize> = vec![1; table.names.len()];
    for (r, (_, vals)) in table.records.iter().enumerate() {
        let mut row = Vec::with_capacity(vals.len());
        for (k, v) in vals.iter().enumerate() {
            let Val::Text(s) = v else {
                row.push(None);
                continue;
            };
            let Some(mut b) = enc.encode(s) else {
                let bad: String = s
                    .chars()
                    .filter(|c| enc.encode(&c.to_string()).is_none())
                    .collect();
                return Err(WriteError::Refused(format!(
                    "{}: record {}, field {}: \"{s}\" has characters {} cannot encode ({bad}); \
                     write the shapefile's text as GB18030 (GBK extended to every character; \
                     GDAL and QGIS read it) or UTF-8 instead",
                    path.display(),
                    r + 1,
                    table.names[k],
                    enc.cpg()
                )));
            };
            if b.len() > 254 {
                let mut t = String::new();
                for ch in s.chars() {
                    let mut next = t.clone();
                    next.push(ch);
                    if enc.encode(&next).map_or(usize::MAX, |x| x.len()) > 254 {
                        break;
                    }
                    t = next;
                }
                b = enc.encode(&t).unwrap_or_default();
                written.warnings.push(format!(
                    "{}: record {}, field {}: text cut to the DBF's 254 bytes",
                    path.display(),
                    r + 1,
                    short[k]
                ));
            }
            widths[k] = widths[k].max(b.len());
            row.push(Some(b));
        }
        encoded.push(row);
    }
    let names: Vec<Vec<u8>> = short
        .iter()
        .map(|name| enc.encode(name).unwrap_or_else(|| name.as_bytes().to_vec()))
        .collect();
    let fields: Vec<DbfField> = names
        .iter()
        .enumerate()
        .map(|(k, name)| match table.units[k] {
            Unit::Text => DbfField {
                name,
                kind: b'C',
                width: widths[k] as u8,
                decimals: 0,
            },
            Unit::Count => DbfField {
                name,
                kind: b'N',
                width: 9,
                decimals: 0,
            },
            u => DbfField {
                name,
                kind: b'N',
                width: 20,
                decimals: decimals(u),
            },
        })
        .collect();

    let geoms: Vec<Option<MultiPolygon<f64>>> = table
        .records
        .iter()
        .map(|(g, _)| {
            g.filter(|g| !g.0.is_empty())
                .map(|g| g.orient(Direction::Reversed))
        })
        .collect();
    let prj = report.crs.map(|c| c.to_esri_wkt());

    let io = |source: io::Error| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let set = FileSet::new(path);
    let dir = set.dir();
    fs::create_dir_all(&dir).map_err(io)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tuban-")
        .tempdir_in(&dir)
        .map_err(io)?;
    let in_tmp = |ext: &str| tmp.path().join(set.file_name(ext));
    write_file(&in_tmp("shp"), |w| write_shp(w, &geoms, false)).map_err(io)?;
    write_file(&in_tmp("shx"), |w| write_shp(w, &geoms, true)).map_err(io)?;
    write_file(&in_tmp("dbf"), |w| {
        write_dbf(w, enc, &fields, &table.records, &encoded)
    })
    .map_err(io)?;
    write_file(&in_tmp("cpg"), |w| w.write_all(enc.cpg().as_bytes())).map_err(io)?;
    if let Some(prj) = &prj {
        write_file(&in_tmp("prj"), |w| w.write_all(prj.as_bytes())).map_err(io)?;
    }
    // Everything is on disk: now swap the set in, the .shp last, after removing what would
    // contradict it.
    let mut stale = DERIVED_INDEXES.to_vec();
    if prj.is_none() {
        stale.push("prj");
    }
    for ext in stale {
        let p = set.target(ext);
        if p.exists() {
            fs::remove_file(&p).map_err(io)?;
        }
    }
    // The companions (the .prj only with a CRS), then the .shp.
    let mut parts: Vec<&str> = COMPANIONS
        .into_iter()
        .filter(|ext| *ext != "prj" || prj.is_some())
        .collect();
    parts.push("shp");
    for ext in parts {
        let target = set.target(ext);
        fs::rename(in_tmp(ext), &target).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&target, fs::Permissions::from_mode(0o644));
        }
    }
    Ok(written)
}

/// The files [`write()`] (or [`write_pieces`]) makes for `path`: the `.shp` and its
/// [`COMPANIONS`], with the extensions' letter case following the target's (`X.SHP` → `X.DBF`).
/// The `.prj` is in the list even for a report without a CRS, since an old one is then removed.
/// For checking, before a run, that no output overwrites an input or an existing file.
///
/// ```
/// use std::path::PathBuf;
/// let files = tuban_io::write::shp::files(std::path::Path::new("out/X.SHP"));
/// assert_eq!(files[0], PathBuf::from("out/X.SHP"));
/// assert_eq!(files[2], PathBuf::from("out/X.DBF"));
/// assert_eq!(files.len(), 5);
/// ```
pub fn files(path: &Path) -> Vec<PathBuf> {
    let set = FileSet::new(path);
    std::iter::once("shp")
        .chain(COMPANIONS)
        .map(|ext| set.target(ext))
        .collect()
}

/// The files of one shapefile: `dir/stem.ext`, with the extensions' letter case following the
/// target's (`X.SHP` → `X.DBF`).
struct FileSet {
    path: PathBuf,
    stem: String,
    upper: bool,
}

impl FileSet {
    fn new(path: &Path) -> Self {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_shp = ext.eq_ignore_ascii_case("shp");
        let stem = if is_shp || ext.is_empty() {
            path.file_stem()
        } else {
            path.file_name()
        }
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
        FileSet {
            path: path.to_path_buf(),
            stem,
            upper: ext == "SHP",
        }
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn file_name(&self, ext: &str) -> String {
        let ext = if self.upper {
            ext.to_ascii_uppercase()
        } else {
            ext.to_string()
        };
        format!("{}.{ext}", self.stem)
    }

    fn target(&self, ext: &str) -> PathBuf {
        self.path.with_file_name(self.file_name(ext))
    }
}

fn write_file(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let file = File::create(path)?;
    let mut w = BufWriter::new(&file);
    fill(&mut w)?;
    w.flush()?;
    drop(w);
    file.sync_all()
}

/// Content length in bytes of a shape record (without its 8-byte record header).
fn content_bytes(g: &Option<MultiPolygon<f64>>) -> usize {
    match g {
        None => encode::NULL_CONTENT_LEN,
        Some(mp) => {
            let parts: usize = mp.0.iter().map(|p| 1 + p.interiors().len()).sum();
            let points: usize = mp
                .0
                .iter()
                .map(|p| {
                    p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
                })
                .sum();
            encode::parts_content_len(parts, points)
        }
    }
}

/// The rings of `mp` in the order a Polygon record lists them: each outer ring, then its holes.
fn rings(mp: &MultiPolygon<f64>) -> Vec<&[geo::Coord<f64>]> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0.as_slice())
        .collect()
}

/// Writes the `.shp` (or, with `index`, the `.shx`) of `geoms`.
fn write_shp(
    w: &mut dyn Write,
    geoms: &[Option<MultiPolygon<f64>>],
    index: bool,
) -> io::Result<()> {
    let too_large = |_| {
        io::Error::other("the layer is too large for a shapefile (over 4 GB): write a GeoPackage")
    };
    let sizes: Vec<usize> = geoms.iter().map(content_bytes).collect();
    let file_bytes = if index {
        encode::HEADER_LEN + encode::RECORD_HEADER_LEN * geoms.len()
    } else {
        encode::HEADER_LEN
            + sizes
                .iter()
                .map(|s| s + encode::RECORD_HEADER_LEN)
                .sum::<usize>()
    };
    let mut bbox = Bbox::EMPTY;
    for g in geoms.iter().flatten() {
        for ring in rings(g) {
            for c in ring {
                bbox.add(c.x, c.y);
            }
        }
    }
    w.write_all(
        &encode::file_header(ShapeType::Polygon, file_bytes as u64, &bbox).map_err(too_large)?,
    )?;
    let mut offset = encode::HEADER_LEN as u64;
    let mut rec = Vec::new();
    for (i, (g, size)) in geoms.iter().zip(&sizes).enumerate() {
        if index {
            w.write_all(&encode::index_entry(offset, *size).map_err(too_large)?)?;
            offset += (encode::RECORD_HEADER_LEN + size) as u64;
            continue;
        }
        w.write_all(&encode::record_header(i + 1, *size).map_err(too_large)?)?;
        rec.clear();
        match g {
            None => encode::push_null(&mut rec),
            Some(mp) => {
                encode::push_parts(&mut rec, ShapeType::Polygon, &rings(mp));
            }
        }
        debug_assert_eq!(rec.len(), *size);
        w.write_all(&rec)?;
    }
    Ok(())
}

fn write_dbf(
    w: &mut dyn Write,
    enc: ShpEncoding,
    fields: &[DbfField<'_>],
    records: &[(Option<&MultiPolygon<f64>>, Vec<Val>)],
    encoded: &[Vec<Option<Vec<u8>>>],
) -> io::Result<()> {
    let count = u32::try_from(records.len())
        .map_err(|_| io::Error::other("too many records for a DBF table"))?;
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0);
    let (y, m, d) = super::run_info::civil_from_days(days);
    let date = [(y - 1900).clamp(0, 255) as u8, m as u8, d as u8];
    w.write_all(&encode::dbf_header(fields, count, date, enc.ldid()).map_err(io::Error::other)?)?;
    let record_len = encode::dbf_record_len(fields);
    let mut rec = Vec::with_capacity(record_len);
    for ((_, vals), enc_row) in records.iter().zip(encoded) {
        rec.clear();
        let mut r = DbfRecord::start(&mut rec);
        for ((f, v), e) in fields.iter().zip(vals).zip(enc_row) {
            let width = f.width as usize;
            match (v, e) {
                (Val::Text(_), Some(b)) => r.text(b, width),
                (Val::Num(x), _) if f.kind == b'N' => r.number(*x, width, f.decimals as usize),
                (Val::Null, _) if f.kind == b'N' => r.null(width),
                _ => r.blank(width),
            };
        }
        debug_assert_eq!(rec.len(), record_len);
        w.write_all(&rec)?;
    }
    w.write_all(&[encode::DBF_END])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_fit_and_stay_unique() {
        let names: Vec<String> = [
            "patch_id",
            "obstacle_m2",
            "obstacle_mu",
            "obstacle_pct",
            "obstacle_ha",
            "grave_count",
            "area_planar_m2",
            "area_ellipsoidal_m2",
            "area_method",
            "obst_m2",
            "中文地类名称_m2",
        ]
        .map(String::from)
        .to_vec();
        let short = short_names(&names, ShpEncoding::Gbk);
        assert_eq!(
            short,
            [
                "patch_id",
                "obst_m2",
                "obst_mu",
                "obst_pct",
                "obst_ha",
                "grave_n",
                "planar_m2",
                "ellips_m2",
                "method",
                "obst1_m2",
                "中文地_m2"
            ]
        );
        let utf8 = short_names(&names, ShpEncoding::Utf8);
        assert_eq!(utf8[10], "中文_m2");
        for s in short.iter() {
            assert!(ShpEncoding::Gbk.encode(s).unwrap().len() <= 10, "{s}");
        }
    }

    #[test]
    fn encodings_parse() {
        assert_eq!("cp936".parse::<ShpEncoding>(), Ok(ShpEncoding::Gbk));
        assert_eq!("utf8".parse::<ShpEncoding>(), Ok(ShpEncoding::Utf8));
        assert_eq!("gb18030".parse::<ShpEncoding>(), Ok(ShpEncoding::Gb18030));
        assert_eq!("54936".parse::<ShpEncoding>(), Ok(ShpEncoding::Gb18030));
        assert!("latin1".parse::<ShpEncoding>().is_err());
        for e in [ShpEncoding::Gbk, ShpEncoding::Utf8, ShpEncoding::Gb18030] {
            assert_eq!(e.to_string().parse::<ShpEncoding>(), Ok(e));
        }
        assert_eq!(ShpEncoding::Gbk.encode("中山村").unwrap().len(), 6);
        assert_eq!(ShpEncoding::Gbk.encode("😀"), None);
        // GB18030: GBK's bytes for what GBK holds; four bytes for the rest. 𠀀 (U+20000) is
        // 0x95 0x32 0x82 0x36 in GB 18030-2005 (Python's gb18030 codec agrees).
        assert_eq!(
            ShpEncoding::Gb18030.encode("中山村"),
            ShpEncoding::Gbk.encode("中山村")
        );
        assert_eq!(
            ShpEncoding::Gb18030.encode("𠀀家").unwrap(),
            [0x95, 0x32, 0x82, 0x36, 0xBC, 0xD2]
        );
    }
}
