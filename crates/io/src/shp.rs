//! ESRI shapefile reader.
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

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use geo::algorithm::coordinate_position::{coord_pos_relative_to_ring, CoordPos};
use geo::{
    Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Rect,
};
use shapefile::{ReadableShape, Shape};
use tuban_core::layer::{Feature, Field, FieldKind, Layer, Value};

use crate::error::ReadError;
use crate::read::{encoding_by_name, BoxFilter, ReadOptions, Subset};

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

/// Why reading the records stopped.
enum Failure {
    /// The `.shx` does not fit the `.shp`: read again without it.
    Index(String),
    /// A real error.
    Read(ReadError),
}

impl From<ReadError> for Failure {
    fn from(e: ReadError) -> Self {
        Failure::Read(e)
    }
}

impl Failure {
    /// The error, telling (when `note` is given) why the `.shx` could not be used either.
    fn with_note(self, note: Option<&str>) -> ReadError {
        let e = match self {
            Failure::Read(e) => e,
            Failure::Index(why) => ReadError::Invalid {
                path: PathBuf::new(),
                message: why,
            },
        };
        let Some(note) = note else { return e };
        let suffix = format!(" (the .shx could not be used either: {note})");
        match e {
            ReadError::Record {
                path,
                record,
                message,
            } => ReadError::Record {
                path,
                record,
                message: message + &suffix,
            },
            ReadError::Invalid { path, message } => ReadError::Invalid {
                path,
                message: message + &suffix,
            },
            other => other,
        }
    }
}

/// The records read: the features kept, and how many records the box filter left out.
struct Records {
    features: Vec<Feature>,
    filtered_out: usize,
}

impl Records {
    fn with_capacity(count: usize, filtering: bool) -> Records {
        // A filtered read usually keeps a small part of a large file.
        let cap = count.min(if filtering { 1 << 16 } else { 1 << 20 });
        Records {
            features: Vec::with_capacity(cap),
            filtered_out: 0,
        }
    }

    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Feature(f) => self.features.push(f),
            Outcome::Deleted => {}
            Outcome::Filtered => self.filtered_out += 1,
        }
    }
}

/// Reads the `count` records of the `.dbf` with their shapes, one after the other: at the
/// `.shx`'s offsets when `offsets` is given, else from the start of the `.shp`, record after
/// record.
fn read_records<S: Read + Seek, D: Read + Seek>(
    decoder: &Decoder<'_>,
    shp: &mut Shp<S>,
    dbf: &mut Dbf<D>,
    offsets: Option<&[(u64, u64)]>,
) -> Result<Records, Failure> {
    let count = dbf.num_records;
    let mut records = Records::with_capacity(count, decoder.keep.is_some());
    let mut record_buf = vec![0u8; dbf.record_len];
    for index in 0..count {
        let record = index + 1;
        let at = offsets.map(|o| o[index]);
        if shp.next_raw(record, at)?.is_none() {
            return Err(shp.ended_early(decoder.dbf_path, index, count).into());
        }
        let shape = decoder.shape(record, &shp.buf, at.is_some())?;
        dbf.read_record(&mut record_buf, record)?;
        records.add(decoder.row(record, &record_buf, shape)?);
    }
    if offsets.is_none() {
        let extra = shp.count_remaining(count + 1)?;
        if extra > 0 {
            return Err(ReadError::CountMismatch {
                shp: decoder.shp_path.to_path_buf(),
                shp_records: count + extra,
                dbf: decoder.dbf_path.to_path_buf(),
                dbf_records: count,
            }
            .into());
        }
    }
    Ok(records)
}

/// At most this many records are read into memory before they are decoded in parallel.
const CHUNK_RECORDS: usize = 4096;
/// A chunk of records stops growing once it holds this many bytes of `.shp` and `.dbf`.
const CHUNK_BYTES: usize = 16 << 20;

/// The raw bytes of a run of consecutive records, read one after the other for decoding in
/// parallel.
#[derive(Default)]
struct Chunk {
    /// The number of the first record.
    first: usize,
    /// The `.shp` records' contents, one after the other.
    shp: Vec<u8>,
    /// Where each record's content ends in `shp`.
    ends: Vec<usize>,
    /// The `.dbf` rows, `record_len` bytes each; one fewer than `ends` when the row of the last
    /// record could not be read (see [`Chunk::stop`]).
    rows: Vec<u8>,
    /// What stopped the reading early, and whether it happened before the shape of its record
    /// was read (a `.shp` failure: that record is not decoded at all) or after (a `.dbf`
    /// failure: its shape is decoded first, as [`read_records`] does).
    stop: Option<(Failure, bool)>,
}

impl Chunk {
    /// Reads the records from index `from` (0-based), at their `.shx` offsets, until the chunk
    /// is full, the records end, or something fails (kept in `stop`). Returns the index after
    /// the last record read.
    fn fill<S: Read + Seek, D: Read + Seek>(
        &mut self,
        shp: &mut Shp<S>,
        dbf: &mut Dbf<D>,
        offsets: &[(u64, u64)],
        from: usize,
    ) -> usize {
        self.first = from + 1;
        self.shp.clear();
        self.ends.clear();
        self.rows.clear();
        self.stop = None;
        let row_len = dbf.record_len;
        let end = offsets.len().min(from + CHUNK_RECORDS);
        let mut index = from;
        while index < end && self.shp.len() + self.rows.len() < CHUNK_BYTES {
            let record = index + 1;
            // With an offset, `next_raw` never reports the end of the file.
            if let Err(f) = shp.next_raw(record, Some(offsets[index])) {
                self.stop = Some((f, true));
                break;
            }
            self.shp.extend_from_slice(&shp.buf);
            self.ends.push(self.shp.len());
            index += 1;
            let at = self.rows.len();
            self.rows.resize(at + row_len, 0);
            if let Err(e) = dbf.read_record(&mut self.rows[at..], record) {
                self.rows.truncate(at);
                self.stop = Some((e.into(), false));
                break;
            }
        }
        index
    }

    /// The `.shp` content of the `k`th record of the chunk.
    fn shape_bytes(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.shp[start..self.ends[k]]
    }

    /// Decodes the chunk's records in parallel, in record order; the first failure in record
    /// order is the one [`read_records`] would meet first.
    fn decode(
        &mut self,
        decoder: &Decoder<'_>,
        row_len: usize,
        out: &mut Records,
    ) -> Result<(), Failure> {
        use rayon::prelude::*;
        let complete = self.rows.len() / row_len.max(1);
        let chunk = &*self;
        let outcomes: Vec<Result<Outcome, ReadError>> = (0..complete)
            .into_par_iter()
            .with_min_len(64)
            .map(|k| {
                let record = chunk.first + k;
                let shape = decoder.shape(record, chunk.shape_bytes(k), true)?;
                decoder.row(record, &chunk.rows[k * row_len..(k + 1) * row_len], shape)
            })
            .collect();
        for outcome in outcomes {
            out.add(outcome?);
        }
        match self.stop.take() {
            None => Ok(()),
            Some((failure, true)) => Err(failure),
            Some((failure, false)) => {
                // The record whose .dbf row failed: its shape's own error comes first.
                decoder.shape(self.first + complete, self.shape_bytes(complete), true)?;
                Err(failure)
            }
        }
    }
}

/// [`read_records`] at the `.shx`'s offsets, decoding in parallel: the records are read one
/// chunk after the other (so at most a chunk of raw bytes is held at a time), and each chunk's
/// records are decoded by rayon's threads while the next chunk is read. The result, and the
/// first error, are those of [`read_records`].
fn read_records_parallel<S: Read + Seek + Send, D: Read + Seek + Send>(
    decoder: &Decoder<'_>,
    shp: &mut Shp<S>,
    dbf: &mut Dbf<D>,
    offsets: &[(u64, u64)],
) -> Result<Records, Failure> {
    let count = offsets.len();
    let row_len = dbf.record_len;
    let mut records = Records::with_capacity(count, decoder.keep.is_some());
    let (mut current, mut next) = (Chunk::default(), Chunk::default());
    let mut index = current.fill(shp, dbf, offsets, 0);
    loop {
        let more = current.stop.is_none() && index < count;
        if !more {
            current.decode(decoder, row_len, &mut records)?;
            return Ok(records);
        }
        let (decoded, read_to) = rayon::join(
            || current.decode(decoder, row_len, &mut records),
            || next.fill(shp, dbf, offsets, index),
        );
        decoded?;
        index = read_to;
        std::mem::swap(&mut current, &mut next);
    }
}

/// What became of one record.
enum Outcome {
    Feature(Feature),
    /// Marked deleted in the `.dbf`: skipped with its shape.
    Deleted,
    /// Left out by the box filter.
    Filtered,
}

/// A record's shape, decoded or left out.
enum ShapeStep {
    Geometry(Option<Geometry<f64>>),
    /// Its box failed the filter: not decoded.
    Filtered,
}

/// What decoding a record needs; shared by the threads that decode records in parallel.
struct Decoder<'a> {
    shp_path: &'a Path,
    dbf_path: &'a Path,
    /// The shape family of the file's header.
    family: Family,
    specs: &'a [FieldSpec],
    text: &'a TextEncoding,
    keep: Option<&'a BoxFilter>,
}

impl Decoder<'_> {
    fn record_error(&self, record: usize, message: impl Into<String>) -> ReadError {
        ReadError::Record {
            path: self.shp_path.to_path_buf(),
            record,
            message: message.into(),
        }
    }

    /// The geometry of a `.shp` record's content `buf` (shape type onwards), `None` for a null
    /// shape, unless the box filter leaves the record out. `indexed` says whether the record was
    /// found through the `.shx` (which changes what a bad shape type is taken for).
    fn shape(&self, record: usize, buf: &[u8], indexed: bool) -> Result<ShapeStep, ReadError> {
        let shape_type = i32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
        let fam = match family(shape_type) {
            Some(Family::Null) => return Ok(ShapeStep::Geometry(None)),
            Some(Family::MultiPatch) => return Err(multipatch_error(self.shp_path)),
            Some(f) => f,
            None => {
                let why = if indexed {
                    "the .shp is damaged; export the layer again"
                } else {
                    STRAY
                };
                return Err(self.record_error(
                    record,
                    format!("shape type {shape_type} is not an ESRI shape type: {why}"),
                ));
            }
        };
        if self.family != Family::Null && fam != self.family {
            return Err(self.record_error(
                record,
                format!(
                    "holds a {} shape in a file of {} shapes: the .shp is damaged; export the \
                     layer again",
                    family_name(fam),
                    family_name(self.family)
                ),
            ));
        }
        if let Some(keep) = self.keep {
            if stored_box(buf, fam).is_some_and(|b| !keep.keeps(&b)) {
                return Ok(ShapeStep::Filtered);
            }
        }
        check_sizes(buf, fam).map_err(|m| self.record_error(record, m))?;
        let size = i32::try_from(buf.len())
            .map_err(|_| self.record_error(record, "the record is larger than 2 GiB"))?;
        if let Some(geometry) = plain_shape(buf, shape_type) {
            return geometry
                .map(|g| ShapeStep::Geometry(Some(g)))
                .map_err(|m| self.record_error(record, m));
        }
        let shape = Shape::read_from(&mut Cursor::new(buf), size).map_err(|e| {
            self.record_error(
                record,
                format!("cannot read the shape ({e}): the .shp is damaged; export the layer again"),
            )
        })?;
        convert(shape)
            .map(ShapeStep::Geometry)
            .map_err(|m| self.record_error(record, m))
    }

    /// The record with its `.dbf` row `row` (deletion flag first) and its shape.
    fn row(&self, record: usize, row: &[u8], shape: ShapeStep) -> Result<Outcome, ReadError> {
        match row[0] {
            b' ' => {}
            b'*' => return Ok(Outcome::Deleted), // skipped with its shape
            other => {
                return Err(ReadError::Record {
                    path: self.dbf_path.to_path_buf(),
                    record,
                    message: format!(
                        "starts with byte 0x{other:02X} where the deletion flag (' ' or '*') \
                         should be: the .dbf looks damaged (its header may give a wrong record \
                         length); export the layer again"
                    ),
                })
            }
        }
        let geometry = match shape {
            ShapeStep::Filtered => return Ok(Outcome::Filtered),
            ShapeStep::Geometry(g) => g,
        };
        let mut values = Vec::with_capacity(self.specs.len());
        for spec in self.specs {
            let bytes = &row[spec.offset..spec.offset + spec.len];
            let value = parse_value(spec, bytes, self.text)
                .map_err(|p| p.into_error(self.dbf_path, record, &spec.name, self.text))?;
            values.push(value);
        }
        Ok(Outcome::Feature(Feature::new(record, geometry, values)))
    }
}

/// The bounding box a `.shp` record stores (for a point, the point), when it can be used to
/// filter: `None` for a record too short to hold it, one with no points, or a box that is not
/// finite numbers (such records are decoded, and their problems reported, as usual).
fn stored_box(buf: &[u8], fam: Family) -> Option<Rect<f64>> {
    let f64_at = |at: usize| -> Option<f64> {
        let b: [u8; 8] = buf.get(at..at + 8)?.try_into().ok()?;
        Some(f64::from_le_bytes(b)).filter(|v| v.is_finite())
    };
    let points_at = match fam {
        Family::Point => {
            let c = Coord {
                x: f64_at(4)?,
                y: f64_at(12)?,
            };
            return Some(Rect::new(c, c));
        }
        Family::MultiPoint => 36,
        Family::Line | Family::Polygon => 40,
        Family::Null | Family::MultiPatch => return None,
    };
    if buf.len() < points_at + 4 || le_i32(buf, points_at) == 0 {
        return None;
    }
    Some(Rect::new(
        Coord {
            x: f64_at(4)?,
            y: f64_at(12)?,
        },
        Coord {
            x: f64_at(20)?,
            y: f64_at(28)?,
        },
    ))
}

/// The `(offset, content length)` of each record from a `.shx`, if it is sound: file code 9994,
/// 100 + 8 bytes a record, as many records as the `.dbf`, each inside the `.shp`.
fn shx_offsets(bytes: &[u8], count: usize, shp_len: u64) -> Result<Vec<(u64, u64)>, String> {
    if bytes.len() < 100 || i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) != 9994 {
        return Err("is not a shapefile index (.shx); it was not used".into());
    }
    let body = &bytes[100..];
    if !body.len().is_multiple_of(8) {
        return Err(format!(
            "is truncated ({} bytes of record entries, not a multiple of 8); it was not used",
            body.len()
        ));
    }
    let n = body.len() / 8;
    if n != count {
        return Err(format!(
            "indexes {n} records but the .dbf holds {count}; it was not used"
        ));
    }
    body.chunks_exact(8)
        .enumerate()
        .map(|(i, e)| {
            let offset = u64::from(u32::from_be_bytes([e[0], e[1], e[2], e[3]])) * 2;
            let len = u64::from(u32::from_be_bytes([e[4], e[5], e[6], e[7]])) * 2;
            if offset < SHP_HEADER_LEN || offset + 8 + len > shp_len || len < 4 {
                Err(format!(
                    "gives record {} at byte {offset} ({len} bytes), which is not inside the \
                     .shp ({shp_len} bytes); it was not used",
                    i + 1
                ))
            } else {
                Ok((offset, len))
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Locating the files

/// The files of one shapefile.
struct Files {
    shp: PathBuf,
    shx: Option<PathBuf>,
    dbf: PathBuf,
    cpg: Option<PathBuf>,
    prj: Option<PathBuf>,
    /// The file name without `.shp`.
    base_name: String,
}

impl Files {
    fn locate(path: &Path) -> Result<Files, ReadError> {
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

// ---------------------------------------------------------------------------------------------
// Text encoding

/// How the `.dbf` text is decoded.
enum Codec {
    /// A known encoding (ASCII-compatible).
    Enc(&'static Encoding),
    /// Nothing says what the encoding is: only ASCII text can be read. `why` says what was
    /// looked at, e.g. `no .cpg file, language driver 0x00`.
    AsciiOnly { why: String },
}

/// The chosen decoding and how it was chosen.
struct TextEncoding {
    codec: Codec,
    /// e.g. `GBK (from .cpg)`; for [`Codec::AsciiOnly`] unused.
    label: String,
}

fn choose_encoding(
    opts: &ReadOptions,
    cpg: Option<(&Path, &[u8])>,
    dbf: &Path,
    ldid: u8,
) -> Result<TextEncoding, ReadError> {
    if let Some(name) = &opts.encoding {
        let (enc, label) = encoding_by_name(name).ok_or_else(|| ReadError::Encoding {
            path: dbf.to_path_buf(),
            message: format!(
                "unknown text encoding {name:?} (given with --encoding); use GBK, GB18030 or \
                 UTF-8 (other code pages such as Big5 or windows-1252 are known too)"
            ),
        })?;
        return Ok(TextEncoding {
            codec: Codec::Enc(enc),
            label: format!("{label} (given by the user)"),
        });
    }
    let mut cpg_note = "no .cpg file";
    if let Some((cpg, bytes)) = cpg {
        match cpg_name(cpg, bytes)? {
            Some(name) => {
                let (enc, label) = encoding_by_name(&name).ok_or_else(|| ReadError::Encoding {
                    path: cpg.to_path_buf(),
                    message: format!(
                        "the .cpg file names the text encoding {name:?}, which tuban does not \
                         know; fix the .cpg (it usually says GBK or UTF-8) or say the encoding \
                         with --encoding GBK or --encoding UTF-8"
                    ),
                })?;
                return Ok(TextEncoding {
                    codec: Codec::Enc(enc),
                    label: format!("{label} (from .cpg)"),
                });
            }
            None => cpg_note = "empty .cpg file",
        }
    }
    match ldid_encoding(ldid) {
        Ok((enc, label)) => Ok(TextEncoding {
            codec: Codec::Enc(enc),
            label: format!("{label} (from language driver 0x{ldid:02X})"),
        }),
        Err(why) => Ok(TextEncoding {
            codec: Codec::AsciiOnly {
                why: format!("{cpg_note}, {why}"),
            },
            label: String::new(),
        }),
    }
}

/// A `.cpg` longer than this is junk.
const CPG_MAX: usize = 1024;

/// The first `CPG_MAX + 1` bytes of a `.cpg` file.
fn read_cpg_bytes(cpg: &Path) -> Result<Vec<u8>, ReadError> {
    let file = File::open(cpg).map_err(|e| ReadError::io(cpg, e))?;
    let mut bytes = Vec::new();
    file.take(CPG_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(cpg, e))?;
    Ok(bytes)
}

/// The encoding name in a `.cpg`'s bytes; `None` if it is blank.
fn cpg_name(cpg: &Path, bytes: &[u8]) -> Result<Option<String>, ReadError> {
    let junk = || ReadError::Encoding {
        path: cpg.to_path_buf(),
        message: "does not hold an encoding name (it should hold a word like GBK or UTF-8); fix \
                  or delete it, or say the encoding with --encoding GBK or --encoding UTF-8"
            .into(),
    };
    if bytes.len() > CPG_MAX {
        return Err(junk());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| junk())?;
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if text.is_empty() {
        return Ok(None);
    }
    if text.contains(['\n', '\r']) || text.chars().any(char::is_control) {
        return Err(junk());
    }
    Ok(Some(text.to_string()))
}

/// The encoding a `.dbf` language driver ID names, or why it names none tuban can use.
fn ldid_encoding(ldid: u8) -> Result<(&'static Encoding, &'static str), String> {
    use encoding_rs::*;
    let enc: &'static Encoding = match ldid {
        0x4D | 0x7A => return Ok((GBK, "GBK")),
        0x4F | 0x78 => BIG5,
        0x4E | 0x79 => EUC_KR,
        0x13 | 0x7B => SHIFT_JIS,
        0x03 | 0x58 | 0x59 => WINDOWS_1252,
        0x50 | 0x7C => WINDOWS_874,
        0x7D => WINDOWS_1255,
        0x7E => WINDOWS_1256,
        0xC8 => WINDOWS_1250,
        0xC9 => WINDOWS_1251,
        0xCA => WINDOWS_1254,
        0xCB => WINDOWS_1253,
        0xCC => WINDOWS_1257,
        0x26 | 0x65 => IBM866,
        0x00 => return Err("language driver 0x00".into()),
        0x57 => {
            return Err(
                "language driver 0x57, which only says \"the writing computer's ANSI \
                        code page\" without saying which"
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "language driver 0x{other:02X}, whose code page tuban cannot decode"
            ))
        }
    };
    Ok((enc, enc.name()))
}

/// Why a value could not be read.
enum Problem {
    /// Non-ASCII text while the encoding is unknown.
    NonAscii,
    /// Bytes invalid in the chosen encoding.
    BadText,
    /// Anything else; the message says what to do.
    Msg(String),
}

impl Problem {
    fn into_error(self, dbf: &Path, record: usize, field: &str, text: &TextEncoding) -> ReadError {
        match (self, &text.codec) {
            (Problem::NonAscii, Codec::AsciiOnly { why }) => ReadError::Encoding {
                path: dbf.to_path_buf(),
                message: format!(
                    "cannot tell the text encoding ({why}), and record {record}, field {field} \
                     holds non-ASCII text; say it with --encoding GBK or --encoding UTF-8"
                ),
            },
            (Problem::Msg(message), _) => ReadError::Field {
                path: dbf.to_path_buf(),
                record,
                field: field.to_string(),
                message,
            },
            (_, _) => ReadError::Field {
                path: dbf.to_path_buf(),
                record,
                field: field.to_string(),
                message: format!(
                    "the text is not valid {}; if the file uses another encoding, say it with \
                     --encoding (e.g. --encoding GBK or --encoding UTF-8)",
                    text.label
                ),
            },
        }
    }
}

/// Decodes `bytes` (already trimmed) strictly; see the module documentation.
fn decode_text(bytes: &[u8], codec: &Codec) -> Result<String, Problem> {
    if bytes.is_ascii() {
        return Ok(String::from_utf8_lossy(bytes).into_owned());
    }
    let enc = match codec {
        Codec::AsciiOnly { .. } => return Err(Problem::NonAscii),
        Codec::Enc(enc) => enc,
    };
    if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(s.into_owned());
    }
    // A multi-byte character cut in half at the end by the writer: drop the stump.
    for cut in 1..=3.min(bytes.len()) {
        let (head, tail) = bytes.split_at(bytes.len() - cut);
        if tail.iter().any(|b| b.is_ascii()) {
            break;
        }
        if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(head) {
            return Ok(s.into_owned());
        }
    }
    Err(Problem::BadText)
}

// ---------------------------------------------------------------------------------------------
// The .dbf

/// A field descriptor as stored.
struct RawField {
    name: Vec<u8>,
    kind: u8,
    len: usize,
    decimals: u8,
}

/// How a field's bytes become a [`Value`].
#[derive(Clone, Copy)]
enum Decode {
    Text,
    Int,
    Float,
    Date,
    Bool,
    BinInt,
    BinDouble,
}

/// A field ready for reading records.
struct FieldSpec {
    name: String,
    kind: FieldKind,
    decode: Decode,
    dbf_type: u8,
    /// Byte offset in the record (after the deletion flag).
    offset: usize,
    len: usize,
    decimals: u8,
}

/// An open `.dbf`, positioned at its first record.
struct Dbf<R> {
    path: PathBuf,
    reader: BufReader<R>,
    num_records: usize,
    header_len: usize,
    record_len: usize,
    ldid: u8,
    raw_fields: Vec<RawField>,
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

impl<R: Read + Seek> Dbf<R> {
    fn open(path: &Path, mut source: R) -> Result<Dbf<R>, ReadError> {
        let file_len = source_len(path, &mut source)?;
        let mut reader = BufReader::with_capacity(1 << 16, source);
        let mut head = [0u8; 32];
        if file_len < 32 {
            return Err(ReadError::invalid(
                path,
                format!(
                    "is {file_len} bytes long, too short to be a .dbf file; export the layer again"
                ),
            ));
        }
        reader
            .read_exact(&mut head)
            .map_err(|e| ReadError::io(path, e))?;
        let num_records = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let header_len = u16::from_le_bytes([head[8], head[9]]) as usize;
        let record_len = u16::from_le_bytes([head[10], head[11]]) as usize;
        let ldid = head[29];
        if header_len < 33 {
            return Err(ReadError::invalid(
                path,
                format!("the header says it is {header_len} bytes long, which is too short: the file is damaged or not a .dbf"),
            ));
        }
        if (header_len as u64) > file_len {
            return Err(ReadError::invalid(
                path,
                format!("is truncated: its header alone should be {header_len} bytes but the file has {file_len}; export the layer again"),
            ));
        }
        let mut descriptors = vec![0u8; header_len - 32];
        reader
            .read_exact(&mut descriptors)
            .map_err(|e| ReadError::io(path, e))?;
        let mut raw_fields = Vec::new();
        for d in descriptors.chunks_exact(32) {
            if d[0] == 0x0D {
                break;
            }
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let mut name = d[..name_end].to_vec();
            while name.last() == Some(&b' ') {
                name.pop();
            }
            let kind = d[11];
            // FoxPro and Clipper store the length of long character fields in two bytes.
            let (len, decimals) = if kind == b'C' {
                (d[16] as usize | (d[17] as usize) << 8, 0)
            } else {
                (d[16] as usize, d[17])
            };
            raw_fields.push(RawField {
                name,
                kind,
                len,
                decimals,
            });
        }
        let needed = 1 + raw_fields.iter().map(|f| f.len).sum::<usize>();
        if record_len < needed {
            return Err(ReadError::invalid(
                path,
                format!("the header gives records of {record_len} bytes but its fields need {needed}: the header is damaged; export the layer again"),
            ));
        }
        let data_len = (num_records as u64).saturating_mul(record_len as u64);
        let available = file_len - header_len as u64;
        if data_len > available {
            // record_len >= 1 here: a .dbf has the deletion flag at least.
            let first_cut = available / record_len.max(1) as u64 + 1;
            return Err(ReadError::invalid(
                path,
                format!(
                    "is truncated: it ends inside record {first_cut} (its header declares \
                     {num_records} records of {record_len} bytes, {data_len} bytes, but only \
                     {available} bytes follow the header); export the layer again"
                ),
            ));
        }
        reader
            .seek(SeekFrom::Start(header_len as u64))
            .map_err(|e| ReadError::io(path, e))?;
        Ok(Dbf {
            path: path.to_path_buf(),
            reader,
            num_records,
            header_len,
            record_len,
            ldid,
            raw_fields,
        })
    }

    /// Decodes the field names and maps the types of the fields `subset` keeps (every name is
    /// decoded, to be compared; the other fields' types are not looked at).
    fn field_specs(
        &self,
        text: &TextEncoding,
        subset: &Subset,
    ) -> Result<Vec<FieldSpec>, ReadError> {
        let mut specs = Vec::with_capacity(self.raw_fields.len());
        let mut offset = 1;
        for (i, raw) in self.raw_fields.iter().enumerate() {
            let name = match decode_text(&raw.name, &text.codec) {
                Ok(n) => n,
                Err(Problem::NonAscii) => {
                    let why = match &text.codec {
                        Codec::AsciiOnly { why } => why.as_str(),
                        Codec::Enc(_) => "",
                    };
                    return Err(ReadError::Encoding {
                        path: self.path.clone(),
                        message: format!(
                            "cannot tell the text encoding ({why}), and the name of field {} \
                             holds non-ASCII text; say it with --encoding GBK or --encoding UTF-8",
                            i + 1
                        ),
                    });
                }
                Err(_) => {
                    return Err(ReadError::Encoding {
                        path: self.path.clone(),
                        message: format!(
                            "the name of field {} is not valid {}; say the right encoding with \
                             --encoding (e.g. --encoding GBK or --encoding UTF-8)",
                            i + 1,
                            text.label
                        ),
                    })
                }
            };
            if !subset.keeps_field(&name) {
                offset += raw.len;
                continue;
            }
            let unsupported = |what: String| ReadError::invalid(&self.path, what);
            let (kind, decode) = match (raw.kind, raw.len) {
                (b'C', _) => (FieldKind::Text, Decode::Text),
                (b'N', _) if raw.decimals == 0 => (FieldKind::Integer, Decode::Int),
                (b'N' | b'F', _) => (FieldKind::Float, Decode::Float),
                (b'D', 8) => (FieldKind::Date, Decode::Date),
                (b'L', 1..) => (FieldKind::Bool, Decode::Bool),
                (b'I' | b'+', 4) => (FieldKind::Integer, Decode::BinInt),
                (b'O' | b'B', 8) => (FieldKind::Float, Decode::BinDouble),
                (b'M' | b'G' | b'P' | b'B', _) => {
                    return Err(unsupported(format!(
                        "field {name} is a memo field (type {}): its content is kept in a \
                         separate .dbt/.fpt file, which is not part of a shapefile and which \
                         tuban does not read; delete the field, or turn it into a text (C) field, \
                         and export the layer again",
                        raw.kind as char
                    )))
                }
                (b'D', len) => {
                    return Err(unsupported(format!(
                        "date field {name} is {len} bytes wide instead of 8: the header is \
                         damaged; export the layer again"
                    )))
                }
                (kind, len) => {
                    let shown = if kind.is_ascii_graphic() {
                        format!("'{}'", kind as char)
                    } else {
                        format!("0x{kind:02X}")
                    };
                    return Err(unsupported(format!(
                        "field {name} has type {shown} ({len} bytes), which tuban does not read \
                         (it reads C, N, F, D, L, I and O); delete the field or convert it, and \
                         export the layer again"
                    )));
                }
            };
            specs.push(FieldSpec {
                name,
                kind,
                decode,
                dbf_type: raw.kind,
                offset,
                len: raw.len,
                decimals: raw.decimals,
            });
            offset += raw.len;
        }
        Ok(specs)
    }

    /// Back to the first record.
    fn rewind(&mut self) -> Result<(), ReadError> {
        self.reader
            .seek(SeekFrom::Start(self.header_len as u64))
            .map(|_| ())
            .map_err(|e| ReadError::io(&self.path, e))
    }

    fn read_record(&mut self, buf: &mut [u8], record: usize) -> Result<(), ReadError> {
        self.reader.read_exact(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                ReadError::Record {
                    path: self.path.clone(),
                    record,
                    message: "the file ends inside this record: it is truncated; export the \
                              layer again"
                        .into(),
                }
            } else {
                ReadError::io(&self.path, e)
            }
        })
    }
}

/// `bytes` without leading and trailing blanks and NULs.
fn trim_blank(bytes: &[u8]) -> &[u8] {
    let blank = |b: &u8| *b == b' ' || *b == 0;
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

fn parse_value(spec: &FieldSpec, bytes: &[u8], text: &TextEncoding) -> Result<Value, Problem> {
    match spec.decode {
        Decode::Text => {
            let end = bytes
                .iter()
                .rposition(|b| *b != b' ' && *b != 0)
                .map_or(0, |e| e + 1);
            if end == 0 {
                Ok(Value::Null)
            } else {
                decode_text(&bytes[..end], &text.codec).map(Value::Text)
            }
        }
        Decode::Int | Decode::Float => {
            let t = trim_blank(bytes);
            if t.is_empty() || t.iter().all(|b| *b == b'*') {
                return Ok(Value::Null);
            }
            let s = std::str::from_utf8(t).unwrap_or("");
            if matches!(spec.decode, Decode::Int) {
                if let Ok(i) = s.parse::<i64>() {
                    return Ok(Value::Int(i));
                }
                // "12.0", "1e3": whole numbers written in another way.
                if let Ok(f) = s.parse::<f64>() {
                    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 {
                        return Ok(Value::Int(f as i64));
                    }
                }
            } else if let Ok(f) = s.parse::<f64>() {
                if f.is_finite() {
                    return Ok(Value::Float(f));
                }
            }
            Err(Problem::Msg(number_problem(spec, t)))
        }
        Decode::Date => {
            let t = trim_blank(bytes);
            if t.is_empty() || t == b"00000000" {
                return Ok(Value::Null);
            }
            parse_date(t).map(Value::Text).ok_or_else(|| {
                Problem::Msg(format!(
                    "{} is not a date (the D type holds YYYYMMDD); fix the value in the attribute \
                     table",
                    show_bytes(t)
                ))
            })
        }
        Decode::Bool => match bytes[0] {
            b'T' | b't' | b'Y' | b'y' => Ok(Value::Bool(true)),
            b'F' | b'f' | b'N' | b'n' => Ok(Value::Bool(false)),
            b' ' | b'?' | 0 => Ok(Value::Null),
            other => Err(Problem::Msg(format!(
                "{} is not a logical value (T, F, Y, N, or blank for none); fix the value in the \
                 attribute table",
                show_bytes(&[other])
            ))),
        },
        Decode::BinInt => {
            let b: [u8; 4] = bytes[..4].try_into().map_err(|_| Problem::BadText)?;
            Ok(Value::Int(i32::from_le_bytes(b) as i64))
        }
        Decode::BinDouble => {
            let b: [u8; 8] = bytes[..8].try_into().map_err(|_| Problem::BadText)?;
            let f = f64::from_le_bytes(b);
            if f.is_finite() {
                Ok(Value::Float(f))
            } else {
                Err(Problem::Msg(format!(
                    "holds {f}, which is not a finite number; fix the value in the attribute table"
                )))
            }
        }
    }
}

/// What is wrong with an unparsable number, and what to do.
fn number_problem(spec: &FieldSpec, t: &[u8]) -> String {
    let what = match (spec.dbf_type, spec.decimals) {
        (b'N', 0) => "a whole number (the field is N with 0 decimals)".to_string(),
        (ty, d) => format!("a number (the field is {} with {d} decimals)", ty as char),
    };
    if t.contains(&b'*') {
        format!(
            "{} is an overflow marker: the number did not fit the field's {} characters when the \
             file was written; widen the field and export the layer again",
            show_bytes(t),
            spec.len
        )
    } else {
        format!(
            "{} is not {what}; fix the value in the attribute table",
            show_bytes(t)
        )
    }
}

/// Shows raw field bytes in a message: as text when ASCII, else as hex.
fn show_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if b.is_ascii() => format!("{s:?}"),
        _ => {
            let hex: Vec<String> = b.iter().map(|x| format!("{x:02X}")).collect();
            format!("bytes {}", hex.join(" "))
        }
    }
}

/// `YYYYMMDD` → `YYYY-MM-DD`, checking the calendar.
fn parse_date(t: &[u8]) -> Option<String> {
    if t.len() != 8 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        t[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (y, m, d) = (num(0..4), num(4..6), num(6..8));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

// ---------------------------------------------------------------------------------------------
// The .shp

const SHP_HEADER_LEN: u64 = 100;

/// What a record that does not parse means when the records are read one after the other.
const STRAY: &str = "the .shp is damaged, or holds stray bytes before this record (with the \
                     layer's .shx next to it, tuban reads each record where the .shx says and \
                     skips such bytes); export the layer again";

/// The geometric family of a shape type code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Null,
    Point,
    Line,
    Polygon,
    MultiPoint,
    MultiPatch,
}

fn family(shape_type: i32) -> Option<Family> {
    Some(match shape_type {
        0 => Family::Null,
        1 | 11 | 21 => Family::Point,
        3 | 13 | 23 => Family::Line,
        5 | 15 | 25 => Family::Polygon,
        8 | 18 | 28 => Family::MultiPoint,
        31 => Family::MultiPatch,
        _ => return None,
    })
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Null => "null",
        Family::Point => "point",
        Family::Line => "polyline",
        Family::Polygon => "polygon",
        Family::MultiPoint => "multipoint",
        Family::MultiPatch => "multipatch",
    }
}

/// An open `.shp`, read record after record.
struct Shp<R> {
    path: PathBuf,
    reader: BufReader<R>,
    /// Where the reader is.
    pos: u64,
    /// Where the header says the file ends.
    declared_end: u64,
    /// How long the file really is.
    file_len: u64,
    family: Family,
    buf: Vec<u8>,
}

impl<R: Read + Seek> Shp<R> {
    fn open(path: &Path, mut source: R) -> Result<Shp<R>, ReadError> {
        let file_len = source_len(path, &mut source)?;
        if file_len < SHP_HEADER_LEN {
            return Err(ReadError::invalid(
                path,
                format!("is {file_len} bytes long, too short to be a .shp file (its header alone is 100 bytes); export the layer again"),
            ));
        }
        let mut reader = BufReader::with_capacity(1 << 16, source);
        let mut head = [0u8; 100];
        reader
            .read_exact(&mut head)
            .map_err(|e| ReadError::io(path, e))?;
        let code = i32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        if code != 9994 {
            return Err(ReadError::invalid(
                path,
                format!("is not an ESRI shapefile (it starts with file code {code}, not 9994)"),
            ));
        }
        // The header's file length is only used to tell a file cut short (see the module docs).
        let words = i32::from_be_bytes([head[24], head[25], head[26], head[27]]);
        let declared_end = u64::try_from(words).unwrap_or(0) * 2;
        let shape_type = i32::from_le_bytes([head[32], head[33], head[34], head[35]]);
        let family = match family(shape_type) {
            Some(Family::MultiPatch) => return Err(multipatch_error(path)),
            Some(f) => f,
            None => {
                return Err(ReadError::invalid(
                    path,
                    format!("the header gives shape type {shape_type}, which is not an ESRI shape type: the file is damaged or not a shapefile"),
                ))
            }
        };
        Ok(Shp {
            path: path.to_path_buf(),
            reader,
            pos: SHP_HEADER_LEN,
            declared_end,
            file_len,
            family,
            buf: Vec::new(),
        })
    }

    fn record_error(&self, record: usize, message: impl Into<String>) -> ReadError {
        ReadError::Record {
            path: self.path.clone(),
            record,
            message: message.into(),
        }
    }

    /// Back to the first record.
    fn rewind(&mut self) -> Result<(), ReadError> {
        self.seek_to(SHP_HEADER_LEN)
    }

    fn seek_to(&mut self, at: u64) -> Result<(), ReadError> {
        if at != self.pos {
            let delta = at as i64 - self.pos as i64;
            self.reader
                .seek_relative(delta)
                .map_err(|e| ReadError::io(&self.path, e))?;
            self.pos = at;
        }
        Ok(())
    }

    fn read_exact_at_pos(&mut self, buf_len: usize) -> Result<(), ReadError> {
        self.buf.resize(buf_len, 0);
        self.reader
            .read_exact(&mut self.buf)
            .map_err(|e| ReadError::io(&self.path, e))?;
        self.pos += buf_len as u64;
        Ok(())
    }

    /// Whether every byte from the reader's position to the end of the file is zero (padding
    /// some writers leave after the last record). Moves the reader to the end.
    fn rest_is_zero(&mut self) -> Result<bool, ReadError> {
        let mut chunk = [0u8; 4096];
        while self.pos < self.file_len {
            let n = (self.file_len - self.pos).min(chunk.len() as u64) as usize;
            self.reader
                .read_exact(&mut chunk[..n])
                .map_err(|e| ReadError::io(&self.path, e))?;
            self.pos += n as u64;
            if chunk[..n].iter().any(|b| *b != 0) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Reads a record's header and content into `self.buf`: the record at `at` (`(offset, content
    /// length)` from the `.shx`), or else the one that follows the last one read. `None` at the
    /// end of the file.
    fn next_raw(&mut self, record: usize, at: Option<(u64, u64)>) -> Result<Option<()>, Failure> {
        if let Some((offset, shx_len)) = at {
            // shx_offsets checked that the record lies inside the file.
            self.seek_to(offset)?;
            self.read_exact_at_pos(8)?;
            let words = i32::from_be_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]);
            let len = u64::try_from(words).unwrap_or(u64::MAX).saturating_mul(2);
            if len != shx_len {
                return Err(Failure::Index(format!(
                    "gives record {record} at byte {offset} with {shx_len} bytes, but the .shp \
                     record there says {}; it was not used",
                    words.saturating_mul(2)
                )));
            }
            self.read_exact_at_pos(len as usize)?;
            return Ok(Some(()));
        }
        if self.pos >= self.file_len {
            return Ok(None);
        }
        let start = self.pos;
        if self.file_len - self.pos < 8 {
            if self.rest_is_zero()? {
                return Ok(None);
            }
            return Err(self
                .record_error(
                    record,
                    format!(
                        "the file ends inside this record's header (at byte {}): the .shp is \
                         truncated; export the layer again",
                        self.file_len
                    ),
                )
                .into());
        }
        self.read_exact_at_pos(8)?;
        let rh: [u8; 8] = self.buf[..8].try_into().expect("8 bytes");
        if rh == [0u8; 8] && self.rest_is_zero()? {
            return Ok(None);
        }
        let words = i32::from_be_bytes([rh[4], rh[5], rh[6], rh[7]]);
        let Ok(words) = u64::try_from(words) else {
            return Err(self
                .record_error(
                    record,
                    format!("the record header at byte {start} gives a negative length ({words}): {STRAY}"),
                )
                .into());
        };
        let len = words * 2;
        let available = self.file_len - self.pos;
        if len > available {
            return Err(self
                .record_error(
                    record,
                    format!(
                        "the record should be {len} bytes long but the file ends {available} bytes \
                         later: the .shp is truncated, or {STRAY}"
                    ),
                )
                .into());
        }
        if len < 4 {
            return Err(self
                .record_error(
                    record,
                    format!("the record at byte {start} is {len} bytes long, too short to hold even its shape type: {STRAY}"),
                )
                .into());
        }
        // len <= file length, which fits in memory as a file the OS gave us; still, no usize
        // overflow on 32-bit targets.
        let len_usize = usize::try_from(len)
            .map_err(|_| self.record_error(record, "the record is too large for this computer"))?;
        self.read_exact_at_pos(len_usize)?;
        Ok(Some(()))
    }

    /// The error for a `.shp` that ended after `read` records where the `.dbf` has `count`:
    /// truncation when the header says the file is longer, else a count mismatch.
    fn ended_early(&self, dbf: &Path, read: usize, count: usize) -> ReadError {
        if self.declared_end > self.file_len {
            return self.record_error(
                read + 1,
                format!(
                    "the file ends before this record (at byte {}, though its header says it is \
                     {} bytes long, and {} holds {count} records): the .shp is truncated; export \
                     the layer again",
                    self.file_len,
                    self.declared_end,
                    dbf.display()
                ),
            );
        }
        ReadError::CountMismatch {
            shp: self.path.clone(),
            shp_records: read,
            dbf: dbf.to_path_buf(),
            dbf_records: count,
        }
    }

    /// Counts the records left after the last one read (whose number was `next - 1`), reading
    /// one after the other.
    fn count_remaining(&mut self, next: usize) -> Result<usize, Failure> {
        let mut n = 0;
        while self.next_raw(next + n, None)?.is_some() {
            n += 1;
        }
        Ok(n)
    }
}

fn multipatch_error(path: &Path) -> ReadError {
    ReadError::invalid(
        path,
        "holds MultiPatch shapes (3D surfaces), which tuban does not read; export the layer as \
         polygons (e.g. in ArcGIS \"Multipatch Footprint\") and try again",
    )
}

fn le_i32(buf: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

/// Checks the counts and the part table of a record against its length before the `shapefile`
/// crate allocates anything from them.
fn check_sizes(buf: &[u8], fam: Family) -> Result<(), String> {
    let len = buf.len() as u64;
    let short = |need: u64| {
        format!(
            "the record is {len} bytes long but its content needs {need}: the .shp is damaged; \
             export the layer again"
        )
    };
    match fam {
        Family::Point => {
            if len < 20 {
                return Err(short(20));
            }
        }
        Family::MultiPoint => {
            if len < 40 {
                return Err(short(40));
            }
            let points = le_i32(buf, 36);
            let need = u64::try_from(points)
                .map_err(|_| format!("the record gives a negative number of points ({points})"))?
                * 16
                + 40;
            if need > len {
                return Err(short(need));
            }
        }
        Family::Line | Family::Polygon => {
            if len < 44 {
                return Err(short(44));
            }
            let (parts, points) = (le_i32(buf, 36), le_i32(buf, 40));
            let (Ok(nparts), Ok(npoints)) = (u64::try_from(parts), u64::try_from(points)) else {
                return Err(format!(
                    "the record gives a negative count ({parts} parts, {points} points): the .shp \
                     is damaged; export the layer again"
                ));
            };
            let need = 44 + 4 * nparts + 16 * npoints;
            if need > len {
                return Err(short(need));
            }
            if npoints > 0 && nparts == 0 {
                return Err(format!(
                    "the record has {npoints} points but no parts: the .shp is damaged; export \
                     the layer again"
                ));
            }
            let mut previous = 0i64;
            for k in 0..nparts as usize {
                let start = i64::from(le_i32(buf, 44 + 4 * k));
                let bad = if k == 0 {
                    start != 0
                } else {
                    start < previous || start > points as i64
                };
                if bad {
                    return Err(format!(
                        "the part table is damaged (part {} starts at point {start} of {points}); \
                         export the layer again",
                        k + 1
                    ));
                }
                previous = start;
            }
        }
        Family::Null | Family::MultiPatch => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Shapes to geometries

/// x and y of any shapefile point type.
trait Xy {
    fn xy(&self) -> Coord<f64>;
}

impl Xy for shapefile::Point {
    fn xy(&self) -> Coord<f64> {
        Coord {
            x: self.x,
            y: self.y,
        }
    }
}

impl Xy for shapefile::PointM {
    fn xy(&self) -> Coord<f64> {
        Coord {
            x: self.x,
            y: self.y,
        }
    }
}

impl Xy for shapefile::PointZ {
    fn xy(&self) -> Coord<f64> {
        Coord {
            x: self.x,
            y: self.y,
        }
    }
}

fn coords<P: Xy>(points: Vec<P>) -> Result<Vec<Coord<f64>>, String> {
    let coords = xy(points);
    check_finite(&coords)?;
    Ok(coords)
}

/// An error for the first vertex of `coords` that is not a finite coordinate.
pub(crate) fn check_finite(coords: &[Coord<f64>]) -> Result<(), String> {
    if let Some(c) = coords
        .iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(format!(
            "has a vertex at ({}, {}), which is not a finite coordinate; fix the shape in a GIS \
             and export again",
            c.x, c.y
        ));
    }
    Ok(())
}

fn le_f64(buf: &[u8], at: usize) -> f64 {
    f64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"))
}

/// The x, y of `n` points stored one after the other from byte `at` (16 bytes each).
fn xy_run(buf: &[u8], at: usize, n: usize) -> Vec<Coord<f64>> {
    // One spare place: an unclosed ring gets its first point repeated without a new allocation.
    let mut out = Vec::with_capacity(n + 1);
    out.extend(buf[at..at + 16 * n].chunks_exact(16).map(|p| Coord {
        x: le_f64(p, 0),
        y: le_f64(p, 8),
    }));
    out
}

/// The geometry of a record of the plain (2D) shape types, read straight from its bytes, which
/// [`check_sizes`] has checked: the same geometry, and the same errors, as reading it with the
/// `shapefile` crate and [`convert`], without its intermediate copies. `None` for the other shape
/// types (Z and M, read with the crate).
fn plain_shape(buf: &[u8], shape_type: i32) -> Option<Result<Geometry<f64>, String>> {
    let parts = |buf: &[u8]| -> Vec<Vec<Coord<f64>>> {
        let (nparts, npoints) = (le_i32(buf, 36) as usize, le_i32(buf, 40) as usize);
        let points_at = 44 + 4 * nparts;
        (0..nparts)
            .map(|k| {
                let start = le_i32(buf, 44 + 4 * k) as usize;
                let end = if k + 1 < nparts {
                    le_i32(buf, 44 + 4 * (k + 1)) as usize
                } else {
                    npoints
                };
                xy_run(buf, points_at + 16 * start, end - start)
            })
            .collect()
    };
    Some(match shape_type {
        1 => {
            let c = Coord {
                x: le_f64(buf, 4),
                y: le_f64(buf, 12),
            };
            check_finite(&[c]).map(|()| Geometry::Point(Point(c)))
        }
        8 => {
            let c = xy_run(buf, 40, le_i32(buf, 36) as usize);
            check_finite(&c)
                .map(|()| Geometry::MultiPoint(MultiPoint(c.into_iter().map(Point).collect())))
        }
        3 => plain_lines(parts(buf)),
        5 => plain_polygons(parts(buf)),
        _ => return None,
    })
}

/// Lines from their parts' vertices, each part checked in turn (finite coordinates, then at
/// least 2 points).
pub(crate) fn plain_lines(parts: Vec<Vec<Coord<f64>>>) -> Result<Geometry<f64>, String> {
    let mut lines = Vec::with_capacity(parts.len());
    for (i, c) in parts.into_iter().enumerate() {
        check_finite(&c)?;
        if c.len() < 2 {
            return Err(format!(
                "line part {} has {} point{} (a line needs at least 2); fix the shape in a GIS \
                 and export again",
                i + 1,
                c.len(),
                if c.len() == 1 { "" } else { "s" }
            ));
        }
        lines.push(LineString(c));
    }
    Ok(if lines.len() == 1 {
        Geometry::LineString(lines.remove(0))
    } else {
        Geometry::MultiLineString(MultiLineString(lines))
    })
}

/// Polygons from their rings' vertices: every ring checked for finite coordinates, then the
/// rings sorted into polygons by [`assemble_polygons`].
pub(crate) fn plain_polygons(rings: Vec<Vec<Coord<f64>>>) -> Result<Geometry<f64>, String> {
    for r in &rings {
        check_finite(r)?;
    }
    assemble_polygons(rings)
}

fn point<P: Xy>(p: P) -> Result<Geometry<f64>, String> {
    let mut c = coords(vec![p])?;
    Ok(Geometry::Point(Point(c.remove(0))))
}

fn multipoint<P: Xy>(points: Vec<P>) -> Result<Geometry<f64>, String> {
    Ok(Geometry::MultiPoint(MultiPoint(
        coords(points)?.into_iter().map(Point).collect(),
    )))
}

fn xy<P: Xy>(points: Vec<P>) -> Vec<Coord<f64>> {
    // `into_iter` lets the standard library reuse the points' allocation.
    points.into_iter().map(|p| p.xy()).collect()
}

fn lines<P: Xy>(parts: Vec<Vec<P>>) -> Result<Geometry<f64>, String> {
    plain_lines(parts.into_iter().map(xy).collect())
}

fn polygons<P: Xy>(rings: Vec<shapefile::PolygonRing<P>>) -> Result<Geometry<f64>, String> {
    plain_polygons(rings.into_iter().map(|r| xy(r.into_inner())).collect())
}

fn convert(shape: Shape) -> Result<Option<Geometry<f64>>, String> {
    Ok(Some(match shape {
        Shape::NullShape => return Ok(None),
        Shape::Point(p) => point(p)?,
        Shape::PointM(p) => point(p)?,
        Shape::PointZ(p) => point(p)?,
        Shape::Multipoint(m) => multipoint(m.into_inner())?,
        Shape::MultipointM(m) => multipoint(m.into_inner())?,
        Shape::MultipointZ(m) => multipoint(m.into_inner())?,
        Shape::Polyline(l) => lines(l.into_inner())?,
        Shape::PolylineM(l) => lines(l.into_inner())?,
        Shape::PolylineZ(l) => lines(l.into_inner())?,
        Shape::Polygon(p) => polygons(p.into_inner())?,
        Shape::PolygonM(p) => polygons(p.into_inner())?,
        Shape::PolygonZ(p) => polygons(p.into_inner())?,
        Shape::Multipatch(_) => {
            return Err("is a MultiPatch shape (a 3D surface), which tuban does not read".into())
        }
    }))
}

/// Twice the signed area of a closed ring, positive when counter-clockwise. Coordinates are taken
/// relative to the first vertex so that Gauss-Kruger magnitudes (10⁶ m) lose no precision.
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    let Some(o) = ring.first() else { return 0.0 };
    ring.windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum()
}

/// Whether every vertex of `ring` lies on one straight line (exactly): such a ring covers
/// nothing.
fn collinear(ring: &[Coord<f64>]) -> bool {
    let Some(&o) = ring.first() else { return true };
    let Some(&d) = ring.iter().find(|c| **c != o) else {
        return true;
    };
    let d = d - o;
    ring.iter().all(|c| {
        let v = *c - o;
        d.x * v.y - d.y * v.x == 0.0
    })
}

/// Axis-aligned bounds of a ring: (min x, min y, max x, max y).
fn bounds(ring: &[Coord<f64>]) -> [f64; 4] {
    ring.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
}

fn bounds_contain(outer: &[f64; 4], inner: &[f64; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

/// Whether ring `inner` lies inside ring `outer` (the first vertex not on `outer`'s boundary
/// decides; a ring entirely on the boundary counts as inside).
fn ring_inside(inner: &LineString<f64>, outer: &LineString<f64>) -> bool {
    for c in &inner.0 {
        match coord_pos_relative_to_ring(*c, outer) {
            CoordPos::Inside => return true,
            CoordPos::Outside => return false,
            CoordPos::OnBoundary => {}
        }
    }
    true
}

struct Shell {
    ring: LineString<f64>,
    area2: f64,
    bounds: [f64; 4],
    holes: Vec<LineString<f64>>,
}

/// Sorts shapefile polygon rings into polygons; see the module documentation.
fn assemble_polygons(rings: Vec<Vec<Coord<f64>>>) -> Result<Geometry<f64>, String> {
    let mut shells: Vec<Shell> = Vec::with_capacity(1);
    let mut holes: Vec<(LineString<f64>, [f64; 4])> = Vec::new();
    for (i, mut ring) in rings.into_iter().enumerate() {
        let written = ring.len();
        if ring.first() != ring.last() {
            if let Some(&first) = ring.first() {
                ring.push(first);
            }
        }
        if ring.len() < 4 {
            return Err(format!(
                "polygon ring {} has {written} point{} (a ring needs at least 4: three corners \
                 and the first one repeated); fix the shape in a GIS and export again",
                i + 1,
                if written == 1 { "" } else { "s" }
            ));
        }
        let a2 = signed_area2(&ring);
        if a2 == 0.0 && collinear(&ring) {
            continue; // covers nothing
        }
        let b = bounds(&ring);
        // A ring whose signed area is 0 without being flat crosses itself (a bowtie with equal
        // lobes): it covers area, so it is kept, as an outer ring, for the validity check.
        if a2 <= 0.0 {
            shells.push(Shell {
                ring: LineString(ring),
                area2: -a2,
                bounds: b,
                holes: Vec::new(),
            });
        } else {
            holes.push((LineString(ring), b));
        }
    }
    let mut orphans = Vec::new();
    for (hole, hb) in holes {
        let mut best: Option<usize> = None;
        for (k, shell) in shells.iter().enumerate() {
            if bounds_contain(&shell.bounds, &hb)
                && best.is_none_or(|b| shell.area2 < shells[b].area2)
                && ring_inside(&hole, &shell.ring)
            {
                best = Some(k);
            }
        }
        match best {
            Some(k) => shells[k].holes.push(hole),
            None => orphans.push(hole),
        }
    }
    let mut polys: Vec<Polygon<f64>> = shells
        .into_iter()
        .map(|s| Polygon::new(s.ring, s.holes))
        .collect();
    polys.extend(orphans.into_iter().map(|r| Polygon::new(r, vec![])));
    Ok(if polys.len() == 1 {
        Geometry::Polygon(polys.remove(0))
    } else {
        Geometry::MultiPolygon(MultiPolygon(polys))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    fn square(x0: f64, y0: f64, s: f64, clockwise: bool) -> Vec<Coord<f64>> {
        let mut r = vec![
            coord! {x: x0, y: y0},
            coord! {x: x0 + s, y: y0},
            coord! {x: x0 + s, y: y0 + s},
            coord! {x: x0, y: y0 + s},
            coord! {x: x0, y: y0},
        ];
        if clockwise {
            r.reverse();
        }
        r
    }

    #[test]
    fn holes_go_to_the_smallest_containing_shell_wherever_they_are() {
        // shell A, shell B, hole in A (listed last), island in A's hole with its own hole.
        let rings = vec![
            square(0.0, 0.0, 10.0, true),
            square(20.0, 0.0, 5.0, true),
            square(2.0, 2.0, 6.0, false),
            square(3.0, 3.0, 4.0, true),
            square(4.0, 4.0, 1.0, false),
        ];
        let Geometry::MultiPolygon(mp) = assemble_polygons(rings).unwrap() else {
            panic!("expected a MultiPolygon")
        };
        assert_eq!(mp.0.len(), 3);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].interiors()[0].0[0], coord! {x: 2.0, y: 2.0});
        assert_eq!(mp.0[1].interiors().len(), 0);
        assert_eq!(mp.0[2].interiors().len(), 1);
    }

    #[test]
    fn a_lone_counter_clockwise_ring_is_an_outer_ring() {
        let g = assemble_polygons(vec![square(0.0, 0.0, 1.0, false)]).unwrap();
        assert!(matches!(g, Geometry::Polygon(p) if p.interiors().is_empty()));
    }

    #[test]
    fn short_rings_are_errors_and_flat_rings_are_dropped() {
        let e = assemble_polygons(vec![vec![coord! {x: 0.0, y: 0.0}, coord! {x: 1.0, y: 1.0}]])
            .unwrap_err();
        assert!(e.starts_with("polygon ring 1 has 2 points"), "{e}");
        let flat = vec![
            coord! {x: 0.0, y: 0.0},
            coord! {x: 1.0, y: 0.0},
            coord! {x: 2.0, y: 0.0},
            coord! {x: 0.0, y: 0.0},
        ];
        let g = assemble_polygons(vec![square(0.0, 0.0, 1.0, true), flat]).unwrap();
        assert!(matches!(g, Geometry::Polygon(_)));
    }

    /// A record's content (shape type onwards) with the given parts, as a writer lays it out.
    fn record(shape_type: i32, parts: &[&[(f64, f64)]]) -> Vec<u8> {
        let mut b = shape_type.to_le_bytes().to_vec();
        b.extend([0u8; 32]); // the box: not read when decoding
        let n: usize = parts.iter().map(|p| p.len()).sum();
        b.extend((parts.len() as i32).to_le_bytes());
        b.extend((n as i32).to_le_bytes());
        let mut start = 0;
        for p in parts {
            b.extend((start as i32).to_le_bytes());
            start += p.len();
        }
        for (x, y) in parts.iter().flat_map(|p| p.iter()) {
            b.extend(x.to_le_bytes());
            b.extend(y.to_le_bytes());
        }
        b
    }

    /// The geometry through the `shapefile` crate, as for Z and M shapes.
    fn via_crate(buf: &[u8]) -> Result<Option<Geometry<f64>>, String> {
        let shape =
            Shape::read_from(&mut Cursor::new(buf), buf.len() as i32).map_err(|e| e.to_string())?;
        convert(shape)
    }

    #[test]
    fn plain_shapes_read_as_the_shapefile_crate_reads_them() {
        let sq = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)];
        let hole = [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8), (0.2, 0.2)];
        let open = [(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (6.0, 5.0)];
        let nan = [(0.0, 0.0), (f64::NAN, 1.0), (1.0, 1.0), (0.0, 0.0)];
        let short = [(0.0, 0.0), (1.0, 1.0)];
        let one = [(3.0, 4.0)];
        let cases: Vec<Vec<u8>> = vec![
            record(5, &[&sq]),
            record(5, &[&hole, &sq]),
            record(5, &[&sq, &hole, &open]),
            record(5, &[&sq, &nan]),
            record(5, &[&short]),
            record(5, &[&sq, &[]]),
            record(5, &[]),
            record(3, &[&sq]),
            record(3, &[&sq, &short, &open]),
            record(3, &[&one]),
            record(3, &[&sq, &nan]),
            record(3, &[]),
        ];
        let mut checked = 0;
        for buf in &cases {
            let fam = family(le_i32(buf, 0)).unwrap();
            check_sizes(buf, fam).unwrap();
            let plain = plain_shape(buf, le_i32(buf, 0)).unwrap().map(Some);
            assert_eq!(plain, via_crate(buf));
            checked += 1;
        }
        // Points and multipoints.
        for (t, pts) in [(8i32, &sq[..]), (8, &nan[..]), (8, &[][..])] {
            let mut b = t.to_le_bytes().to_vec();
            b.extend([0u8; 32]);
            b.extend((pts.len() as i32).to_le_bytes());
            for (x, y) in pts {
                b.extend(x.to_le_bytes());
                b.extend(y.to_le_bytes());
            }
            check_sizes(&b, Family::MultiPoint).unwrap();
            assert_eq!(plain_shape(&b, t).unwrap().map(Some), via_crate(&b));
            checked += 1;
        }
        for (x, y) in [(1.5f64, -2.0f64), (f64::INFINITY, 0.0)] {
            let mut b = 1i32.to_le_bytes().to_vec();
            b.extend(x.to_le_bytes());
            b.extend(y.to_le_bytes());
            assert_eq!(plain_shape(&b, 1).unwrap().map(Some), via_crate(&b));
            checked += 1;
        }
        assert_eq!(checked, 17);
        assert!(plain_shape(&record(15, &[&sq]), 15).is_none());
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(parse_date(b"20240229").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date(b"20230229"), None);
        assert_eq!(parse_date(b"2023-1-1"), None);
    }

    #[test]
    fn a_cut_multibyte_character_at_the_end_is_dropped() {
        let codec = Codec::Enc(encoding_rs::GBK);
        let (bytes, _, _) = encoding_rs::GBK.encode("隘口村");
        assert_eq!(
            decode_text(&bytes[..5], &codec).ok().as_deref(),
            Some("隘口")
        );
        assert!(decode_text(&bytes, &Codec::AsciiOnly { why: String::new() }).is_err());
        let utf8 = Codec::Enc(encoding_rs::UTF_8);
        assert!(matches!(decode_text(&bytes, &utf8), Err(Problem::BadText)));
    }
}
