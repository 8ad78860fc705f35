//! ESRI shapefiles: the reader, the one list of a shapefile's files ([`COMPANIONS`], found in
//! any letter case by [`find_companion`]), and the byte layout writers share ([`encode`]).
//!
//! [`read`] reads a `.shp` (geometry) and its `.dbf` (attribute table) into a [`Layer`], plus the
//! `.prj` (kept as [`Layer::crs_text`], untouched) and the `.cpg` (text encoding) when present.
//! The `.shx` index is used when it is sound, and not needed otherwise (see [Damaged
//! files](#damaged-files)). [`read_parts`] reads the same files from memory.
//! Companion files are found whatever the letter case of their extension (`.DBF`, `.Cpg`, ...),
//! and the path may be given with or without its `.shp` extension (or with that of another of its
//! files, e.g. `DLTB.dbf`).
//!
//! ```no_run
//! use std::path::Path;
//! use tuban_io::{read::ReadOptions, shp};
//!
//! let layer = shp::read(Path::new("data/DLTB"), &ReadOptions::default())?;
//! println!("{} records, text decoded as {:?}", layer.features.len(), layer.encoding);
//! # Ok::<(), tuban_io::error::ReadError>(())
//! ```
//!
//! # Geometry
//!
//! | shape type                        | geometry                                                  |
//! |-----------------------------------|-----------------------------------------------------------|
//! | Polygon, PolygonZ, PolygonM       | `Polygon` if it has one outer ring, else `MultiPolygon`   |
//! | PolyLine, PolyLineZ, PolyLineM    | `LineString` if it has one part, else `MultiLineString`   |
//! | Point, PointZ, PointM             | `Point`                                                   |
//! | MultiPoint, MultiPointZ, MultiPointM | `MultiPoint`                                           |
//! | Null shape                        | `None`                                                    |
//! | MultiPatch                        | error: tuban does not read 3D surfaces                    |
//!
//! Z and M values are dropped. Vertices are kept in file order. Polygon rings are sorted the way
//! the shapefile specification defines them: a clockwise ring is an outer ring, a
//! counter-clockwise ring a hole. Each hole goes to the smallest outer ring that contains it,
//! wherever it appears in the record (the `shapefile` crate's own conversion gives it to the
//! outer ring just before it, which is wrong for files that list holes last). A hole that no outer
//! ring contains is taken as an outer ring written the wrong way round (some writers ignore the
//! orientation rule); GDAL does the same. A ring whose vertices all lie on one line is dropped
//! (it covers nothing); a ring whose signed area is 0 without being flat (a bowtie with equal
//! lobes) is kept as an outer ring. A ring written without repeating its first point is closed; a
//! ring with fewer than 4 points, a line part with fewer than 2, or a coordinate that is not a
//! finite number (NaN, infinity) is an error naming the record. The reader does not check that
//! polygons are valid (bowties, spikes, holes outside their ring, overlapping parts):
//! `tuban_core::validity` does, before the overlay.
//!
//! # Damaged files
//!
//! Every problem is an error naming the file, the record where there is one, and what to do;
//! the reader never panics and never guesses silently. The rules:
//!
//! * **Where the records are.** With a sound `.shx` (file code 9994, 100 + 8 bytes a record, as
//!   many records as the `.dbf`, each inside the `.shp`), each record is read at the offset the
//!   `.shx` gives, so stray bytes between records (left by some editors) are skipped. A record
//!   whose header disagrees with its `.shx` entry makes the whole `.shx` unused. Without a `.shx`,
//!   or with one that is missing, truncated or does not fit the `.shp`, the offsets are rebuilt by
//!   reading the `.shp` from one record to the next, as GDAL does; stray bytes then show as a
//!   damaged record, and the error also says why the `.shx` could not be used.
//! * **The header's file length** is not trusted: the records are read up to the real end of
//!   the file (some writers do not update the header). Zero bytes after the last record are
//!   padding. A header that claims more bytes than the file has, with records missing, means the
//!   file was cut short: an error naming the first missing record.
//! * **Record counts.** The `.dbf` says how many records there are; a `.shp` with more or fewer
//!   shapes is an error giving both counts ([`ReadError::CountMismatch`]).
//! * **Truncated files.** A `.shp` that ends inside a record, or a `.dbf` whose header declares
//!   more records than the file holds, is an error naming the record that was cut.
//! * **Missing files.** A missing `.shp` or `.dbf` is an error naming it; a missing `.shx` is
//!   not (see above); a missing `.prj` or `.cpg` is handled where the CRS and the encoding are.
//!
//! # Subsets and speed
//!
//! [`read_filtered`] reads part of a layer, as a [`Subset`] says: only some fields (the others
//! are not decoded, so their bad values, or a memo field, do not matter), and only the records
//! whose bounding box, as stored in the `.shp` record, passes a test, tested before the rest of
//! the record (its points, its `.dbf` row) is decoded. Null shapes and shapes without points
//! are always kept. Record numbers stay those of the file.
//!
//! With a sound `.shx`, the records are read a chunk at a time (a few thousand records, at most
//! 16 MiB) and each chunk is decoded by rayon's threads (the current pool: `--threads` when the
//! pipeline runs in one) while the next chunk is read; only one or two chunks of raw bytes are in
//! memory at a time, never the whole file. The layer, and the first error when there is one (that
//! of the lowest record), are exactly those of decoding the records one after the other, which is
//! what the reader does without a sound `.shx`.
//!
//! # Attributes
//!
//! | DBF type                   | [`FieldKind`] | value                                              |
//! |----------------------------|---------------|----------------------------------------------------|
//! | `C` character              | `Text`        | trailing blanks removed; all blank → `Null`        |
//! | `N` numeric, 0 decimals    | `Integer`     | `Int`; blank → `Null`                              |
//! | `N` with decimals, `F`     | `Float`       | `Float`; blank → `Null`                            |
//! | `D` date                   | `Date`        | `Text("YYYY-MM-DD")`; blank or `00000000` → `Null` |
//! | `L` logical                | `Bool`        | `T`/`Y` → true, `F`/`N` → false, blank/`?` → `Null`  |
//! | `I` (Visual FoxPro)        | `Integer`     | binary 32-bit integer                              |
//! | `O` (dBase 7), `B` of 8 bytes (FoxPro) | `Float` | binary double                             |
//!
//! A number that does not parse (`12,5`, `12**`, `abc`) is an error naming the file, record and
//! field, never a silent `Null`. A numeric field made **entirely** of asterisks is read as `Null`:
//! that is how shapelib, GDAL, QGIS and pyshp write a missing number, so it is by far the most
//! common meaning in shapefiles (dBase itself also shows a number too wide for its field as
//! asterisks, and the two cannot be told apart from the bytes).
//!
//! Memo fields (`M`, `G`, `P`, and `B` of 10 bytes) keep their text in a separate `.dbt`/`.fpt`
//! file, which the shapefile format does not include: reading a layer with one is an error asking
//! the user to delete or convert the field (a memo read as `Null` would silently lose data).
//!
//! Records marked deleted in the `.dbf` are skipped with their shapes, as GDAL and ArcGIS do;
//! the other records keep their numbers.
//!
//! # Text encoding
//!
//! Text (values and field names) is decoded with the first of:
//!
//! 1. [`ReadOptions::encoding`], when the user gave one: it **overrides** the `.cpg` and the
//!    language driver, so a user can correct a wrong `.cpg`;
//! 2. the `.cpg` file: `GBK`, `936`, `CP936`, `GB2312`, `GB18030`, `UTF-8`, `UTF8`, `65001`
//!    (any case; also other code pages such as `Big5` or `1252`). A `.cpg` naming something
//!    unknown is an error; an empty one is ignored;
//! 3. the `.dbf` language driver byte (offset 29): `0x4D`/`0x7A` → GBK, `0x4F`/`0x78` → Big5,
//!    `0x03`/`0x58`/`0x59` → windows-1252, and the other Windows code pages it names.
//!    `0x57` only says "the writing computer's ANSI code page" without saying which, and DOS code
//!    pages (437, 850, ...) have no decoder, so they count as unknown;
//! 4. nothing known: the text must then be ASCII. The first non-ASCII byte is an error asking the
//!    user to say the encoding. tuban does not guess: bytes that decode without error prove
//!    nothing (cp1252 text decodes as valid GBK).
//!
//! Decoding is strict: bytes that are invalid in the chosen encoding are an error naming the
//! record and field, except an incomplete multi-byte character at the very end of a value (left
//! there by writers that cut text at the field's width in bytes), which is dropped.
//! [`Layer::encoding`] records what was used and why, e.g. `GBK (from .cpg)`.
//!
//! [`FieldKind`]: tuban_core::layer::FieldKind
//!
//! # Code layout
//!
//! A path goes to `files` (the companion files, found in any letter case), which gives the
//! `.shp`, `.dbf`, `.shx`, `.cpg` and `.prj`. `encoding` chooses how the `.dbf` text is decoded
//! (the user, the `.cpg`, the language driver byte). `header` opens the `.shp` (its header, the
//! framing of its records, the box each record stores) and checks the `.shx` offsets; `dbf` opens
//! the table (header, field descriptors) and decodes values. `records` walks the records, one
//! after the other or a chunk at a time in parallel, handing each record's bytes to `geometry`
//! (shape → [`Geometry`](geo::Geometry), rings sorted into polygons) and to `dbf` (row →
//! [`Value`](tuban_core::layer::Value)s), and collects the [`Feature`](tuban_core::layer::Feature)s
//! that this module puts into a [`Layer`].

mod dbf;
pub mod encode;
mod encoding;
mod files;
mod geometry;
mod header;
mod records;

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tuban_core::layer::{Field, Layer};

use crate::error::ReadError;
use crate::read::{ReadOptions, Subset};

use dbf::Dbf;
use encoding::{choose_encoding, read_cpg_bytes, Codec, CPG_MAX};
use files::Files;
use header::{shx_offsets, Shp};
use records::{read_records, read_records_parallel, Decoder, Failure, Records};

pub use files::{find_companion, is_shapefile_extension, COMPANIONS, DERIVED_INDEXES};
pub(crate) use geometry::{check_finite, plain_lines, plain_polygons};

/// Reads the shapefile at `path` (with or without the `.shp` extension) into a [`Layer`].
///
/// The layer's `name` is the file stem (or [`ReadOptions::name`]), `source` the `.shp` path,
/// `crs_text` the `.prj` text (UTF-8 BOM stripped, trimmed) if there is one, and `encoding` the
/// text encoding used with its origin. Feature record numbers count from 1 as in the file. See the
/// [module documentation](self) for the details and the errors.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_filtered(path, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read`], keeping only the fields and records `subset` says (see [`Subset`] and [Subsets and
/// speed](self#subsets-and-speed)); also returns how many records the box filter left out.
pub fn read_filtered(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let files = Files::locate(path)?;
    let prj = files
        .prj
        .as_deref()
        .map(|p| std::fs::read(p).map_err(|e| ReadError::io(p, e)))
        .transpose()?;
    let cpg = files.cpg.as_deref().map(read_cpg_bytes).transpose()?;
    // The .shx is small (8 bytes a record): read whole. An unreadable one is as good as none.
    let shx = files
        .shx
        .as_deref()
        .and_then(|p| std::fs::read(p).ok().map(|b| (p.to_path_buf(), b)));
    let dbf = Dbf::open(&files.dbf, open_file(&files.dbf)?)?;
    let shp = Shp::open(&files.shp, open_file(&files.shp)?)?;
    let (layer, filtered_out) = read_layer(
        &files.shp,
        &files.dbf,
        shp,
        dbf,
        shx.as_ref().map(|(p, b)| (p.as_path(), b.as_slice())),
        cpg.as_ref()
            .map(|b| (files.cpg.as_deref().unwrap_or(Path::new("")), b.as_slice())),
        prj.as_deref(),
        opts,
        subset,
    )?;
    let layer = Layer {
        name: opts.name.clone().unwrap_or_else(|| files.base_name.clone()),
        source: Some(files.shp),
        ..layer
    };
    Ok((layer, filtered_out))
}

/// The files of one shapefile held in memory (e.g. taken out of a zip archive), for
/// [`read_parts`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Parts<'a> {
    /// The `.shp` (geometry).
    pub shp: &'a [u8],
    /// The `.shx` (record offsets), if there is one.
    pub shx: Option<&'a [u8]>,
    /// The `.dbf` (attribute table).
    pub dbf: &'a [u8],
    /// The `.cpg` (text encoding), if there is one.
    pub cpg: Option<&'a [u8]>,
    /// The `.prj` (CRS), if there is one.
    pub prj: Option<&'a [u8]>,
}

/// Reads a shapefile held in memory, exactly as [`read`] reads one from files. `name` is the
/// layer's name and the base of the file names shown in messages (`NAME.shp`, `NAME.dbf`, ...).
///
/// ```
/// use tuban_io::{read::ReadOptions, shp};
///
/// let e = shp::read_parts("patches", &shp::Parts::default(), &ReadOptions::default()).unwrap_err();
/// assert!(e.to_string().starts_with("patches.dbf: is 0 bytes long"), "{e}");
/// ```
pub fn read_parts(name: &str, parts: &Parts<'_>, opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_parts_filtered(name, parts, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read_parts`], keeping only what `subset` says (see [`read_filtered`]): the layer and the
/// number of records the box filter left out.
pub fn read_parts_filtered(
    name: &str,
    parts: &Parts<'_>,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let path = |ext: &str| PathBuf::from(format!("{name}.{ext}"));
    let (shp_path, shx_path, dbf_path, cpg_path) =
        (path("shp"), path("shx"), path("dbf"), path("cpg"));
    let cpg = parts
        .cpg
        .map(|b| &b[..b.len().min(CPG_MAX + 1)])
        .map(|b| (cpg_path.as_path(), b));
    let dbf = Dbf::open(&dbf_path, Cursor::new(parts.dbf))?;
    let shp = Shp::open(&shp_path, Cursor::new(parts.shp))?;
    let (layer, filtered_out) = read_layer(
        &shp_path,
        &dbf_path,
        shp,
        dbf,
        parts.shx.map(|b| (shx_path.as_path(), b)),
        cpg,
        parts.prj,
        opts,
        subset,
    )?;
    Ok((
        Layer {
            name: opts.name.clone().unwrap_or_else(|| name.to_string()),
            source: Some(shp_path),
            ..layer
        },
        filtered_out,
    ))
}

fn open_file(path: &Path) -> Result<File, ReadError> {
    File::open(path).map_err(|e| ReadError::io(path, e))
}

/// The reading shared by [`read`] and [`read_parts`]; `name` and `source` are left for them.
#[allow(clippy::too_many_arguments)]
fn read_layer<S: Read + Seek + Send, D: Read + Seek + Send>(
    shp_path: &Path,
    dbf_path: &Path,
    mut shp: Shp<S>,
    mut dbf: Dbf<D>,
    shx: Option<(&Path, &[u8])>,
    cpg: Option<(&Path, &[u8])>,
    prj: Option<&[u8]>,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let crs_text = prj_text(prj);
    let text = choose_encoding(opts, cpg, dbf_path, dbf.ldid)?;
    let specs = dbf.field_specs(&text, subset)?;
    let count = dbf.num_records;
    let decoder = Decoder {
        shp_path,
        dbf_path,
        family: shp.family,
        specs: &specs,
        text: &text,
        keep: subset.keep.as_ref(),
    };
    let parallel = !subset.serial;

    // Where the records are: the .shx's offsets when it is sound and fits the .shp, else found by
    // reading the .shp from one record to the next (see the module documentation).
    let (index, shx_note) = match shx {
        None => (None, None),
        Some((path, bytes)) => match shx_offsets(bytes, count, shp.file_len) {
            Ok(offsets) => (Some(offsets), None),
            Err(why) => (None, Some(format!("{}: {why}", path.display()))),
        },
    };
    let read = match index {
        Some(offsets) => {
            let indexed = if parallel {
                read_records_parallel(&decoder, &mut shp, &mut dbf, &offsets)
            } else {
                read_records(&decoder, &mut shp, &mut dbf, Some(&offsets))
            };
            match indexed {
                Err(Failure::Index(why)) => {
                    shp.rewind()?;
                    dbf.rewind()?;
                    let note = shx.map(|(p, _)| format!("{}: {why}", p.display()));
                    read_records(&decoder, &mut shp, &mut dbf, None)
                        .map_err(|f| f.with_note(note.as_deref()))
                }
                other => other.map_err(|f| f.with_note(None)),
            }
        }
        None => read_records(&decoder, &mut shp, &mut dbf, None)
            .map_err(|f| f.with_note(shx_note.as_deref())),
    };
    let Records {
        features,
        filtered_out,
    } = read?;

    let encoding = match &text.codec {
        Codec::Enc(_) => text.label.clone(),
        Codec::AsciiOnly { why } => format!("ASCII ({why}; all text is ASCII)"),
    };
    let layer = Layer {
        name: String::new(),
        source: None,
        fields: specs
            .into_iter()
            .map(|s| Field::new(s.name, s.kind))
            .collect(),
        features,
        crs_text,
        encoding: Some(encoding),
    };
    Ok((layer, filtered_out))
}

/// The `.prj` text: UTF-8 BOM stripped, trimmed; `None` if there is no `.prj` or it is blank.
/// Bytes that are not UTF-8 (never seen in WKT) are replaced rather than refused: the text is
/// passed on untouched otherwise, and another module decides what it means.
fn prj_text(bytes: Option<&[u8]>) -> Option<String> {
    let bytes = bytes?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The length of `source`, which is left at its start.
fn source_len<R: Seek>(path: &Path, source: &mut R) -> Result<u64, ReadError> {
    let len = source
        .seek(SeekFrom::End(0))
        .map_err(|e| ReadError::io(path, e))?;
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| ReadError::io(path, e))?;
    Ok(len)
}
