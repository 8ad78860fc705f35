//! ESRI File Geodatabase (`.gdb` folder) reader: feature classes as layers.
//!
//! County land-survey databases are handed over as File Geodatabases; a shapefile export loses
//! field names over 10 bytes and sometimes the text encoding. This module reads a feature class
//! of a version 10.x File Geodatabase directly, with the same [`Subset`] as the other readers.
//!
//! ```no_run
//! use std::path::Path;
//! use tuban_io::{filegdb, read::ReadOptions};
//!
//! for fc in filegdb::list_feature_classes(Path::new("县级数据库.gdb"))? {
//!     println!("{} {} {}", fc.name, fc.geometry_type, fc.count);
//! }
//! let opts = ReadOptions { layer: Some("DLTB".into()), ..Default::default() };
//! let dltb = filegdb::read(Path::new("县级数据库.gdb"), &opts)?;
//! # Ok::<(), tuban_io::error::ReadError>(())
//! ```
//!
//! # Why it is written here
//!
//! No Rust crate reads File Geodatabases: the `gdal` crate binds the system's libgdal, and
//! ESRI's FileGDB API is a closed C++ library; tuban's default build needs cargo alone. The
//! format is not published by ESRI; this reader follows the open description reverse-engineered
//! by Even Rouault ("FGDB-Spec", in the wiki of github.com/rouault/dump_gdbtable) as GDAL's
//! OpenFileGDB driver implements it (`ogr/ogrsf_frmts/openfilegdb/filegdbtable.cpp`), and is
//! tested against files GDAL 3.6 writes (`ogr2ogr -f OpenFileGDB`) and what `ogrinfo` reads
//! from them. Coordinates are computed with GDAL's formula, so both read the same doubles.
//!
//! # What is read
//!
//! * **The catalog** (`a00000001.gdbtable`): the name of every table and its file,
//!   `a` + the table's number in 8 hex digits. Tables whose name starts with `GDB_` or `VAT_`
//!   (the geodatabase's own) are not offered; neither are tables without a geometry column.
//!   Feature classes inside feature datasets are read like the others, by their own name. A
//!   name is matched exactly, else ignoring ASCII case.
//! * **Tables** (`.gdbtable` with its row index `.gdbtablx`) of version 10.x (table version 3,
//!   field descriptions version 4), with 4-, 5- or 6-byte row offsets and the block bitmap of
//!   tables with long runs of deleted rows. **Deleted rows** (offset 0 in the index) are
//!   skipped; the others keep their OBJECTID as their record number. Only the index locates
//!   rows: the free space of the `.gdbtable` (old versions of edited rows) is never scanned.
//! * **Columns**: OBJECTID (the record number, not a field), short, long and (ArcGIS Pro 3.2)
//!   big integers (`Integer`), float and double (`Float`; NaN or infinity is an error naming
//!   the record and field), text (`Text`, UTF-8 or UTF-16 as the table's flag says), date
//!   (`Date`: `YYYY-MM-DD` at midnight, as a shapefile date reads, else
//!   `YYYY-MM-DDTHH:MM:SS[.mmm]`), the Pro 3.2 date-only, time-only and timestamp-offset types
//!   (as text), GUID and global id (`Text`, `{XXXXXXXX-XXXX-…}` as ArcGIS shows them), XML
//!   (`Text`). **Blob and raster columns are skipped** (they are not attributes tuban can use);
//!   they are not in the layer's fields. **Nulls** (the row's null-flags bitmap) are
//!   [`Value::Null`](tuban_core::layer::Value). Field names keep their full length and Unicode
//!   (`坐落单位名称` is a valid name).
//! * **Geometry**: points, multipoints, polylines and polygons, in the
//!   classic and the "general" shape codes, from the varint coding on the column's integer grid
//!   (`x = stored / xy_scale + x_origin`). **Z and M are dropped**: tuban measures in the plane
//!   ([`list_feature_classes`] shows `Polygon Z` and the like, so `tuban inspect` says so).
//!   Polygon rings become polygons exactly as the shapefile reader makes them (clockwise rings
//!   are shells, each counter-clockwise ring goes to the smallest shell holding it; see
//!   [`crate::shp`]), with the same checks (finite coordinates, rings of 4 points or more). A
//!   point outside the envelope its shape stores (by more than one grid step) is reported as
//!   damage: the box filter trusts that envelope.
//! * **The CRS** is the geometry column's WKT (ESRI WKT, as in a `.prj`), kept in
//!   [`Layer::crs_text`] for the same recognition and checks as a `.prj`. An empty WKT, or
//!   the `{…}` GUID ArcGIS writes for an unknown coordinate system, counts as none stated.
//! * **Text encoding**: the format's text is Unicode, and the table says whether it is UTF-8
//!   or UTF-16; [`ReadOptions::encoding`] does not apply (an option given for a whole run of
//!   GBK shapefiles must not garble the geodatabase's text) and [`Layer::encoding`] says so.
//!
//! # What is refused, and why
//!
//! Each is an error naming the file (or `x.gdb:LAYER` and the record) and what to do.
//!
//! * **Version 9 geodatabases** (ArcGIS 9.x: field descriptions of version 3, or a catalog with
//!   `GDB_FeatureClasses` and no `GDB_Items`) and the **64-bit format of ArcGIS Pro 3.2**
//!   (table version 4): their layouts differ in ways no writer available here can produce, so
//!   reading them could not be tested; upgrading or copying the feature class in ArcGIS fixes
//!   it.
//! * <a id="curves"></a>**Curved segments** (circular arcs, Bézier curves, elliptic arcs: shapes
//!   whose curve count is not zero) are **refused** with a message naming the feature, not
//!   densified. Any densification changes the area by an amount that depends on a tolerance the
//!   user must choose and be able to defend in an audit; tuban's areas are exact for the
//!   straight-edged shapes survey data are made of. The user densifies with a tool whose
//!   tolerance they set (ArcGIS Densify, `ogr2ogr -nlt CONVERT_TO_LINEAR`) and reads the result.
//! * **MultiPatch** shapes (3D surfaces), as for shapefiles.
//! * **Compressed feature classes** (ArcGIS's "Compress File Geodatabase Data" writes
//!   `.gdbtable.cdf` files): the compressed format is not publicly described (GDAL does not read
//!   it either); named, such a feature class is refused with the ArcGIS tool that uncompresses
//!   it; [`list_feature_classes`] leaves it out.
//! * **A missing or inconsistent row index**: a `.gdbtablx` that is missing, truncated, or
//!   lists another number of rows than the `.gdbtable` header counts, is an error (GDAL would
//!   guess row positions by scanning, which can bring deleted rows back: a silent wrong answer).
//! * **Damage**: a row whose offset, length or values run past the end of the file or of the
//!   row, a shape whose counts do not fit its bytes, text that is not valid Unicode.
//!
//! # Subsets
//!
//! [`read_filtered`] honours [`Subset`] as the shapefile reader does: the columns not kept are
//! only stepped over (their lengths read), never decoded, so a damaged value there does not
//! fail the layer; the box filter tests the envelope stored at the start of each shape (a
//! point's coordinates), widened by one grid step, before the shape and the row's values are
//! decoded. Null and empty shapes are always kept. The row's structure (its length, each
//! value's length) is still checked. Rows are decoded in parallel a chunk at a time (the
//! current rayon pool), with the result and the first error (of the lowest OBJECTID) of a
//! serial read.

mod bytes;
mod catalog;
mod geometry;
mod row;
mod table;
mod tablx;

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tuban_core::layer::{Feature, Field, Layer};

use crate::error::ReadError;
use crate::read::{ReadOptions, Subset};
use row::{Outcome, RowDecoder};
use table::{HeaderError, TableHeader};
use tablx::RowIndex;

pub use catalog::{list_feature_classes, FeatureClass};

/// Reads a feature class of the File Geodatabase `gdb` (the `.gdb` folder): the one
/// [`ReadOptions::layer`] names, or the only one there is. See the [module
/// documentation](self).
pub fn read(gdb: &Path, opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_filtered(gdb, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read`], keeping only the fields and rows `subset` says (see [Subsets](self#subsets));
/// also returns how many rows the box filter left out.
pub fn read_filtered(
    gdb: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let (name, number) = catalog::choose(gdb, opts.layer.as_deref())?;
    let (table_path, tablx_path) = table_paths(gdb, number);
    let file = File::open(&table_path).map_err(|e| ReadError::io(&table_path, e))?;
    let len = file
        .metadata()
        .map_err(|e| ReadError::io(&table_path, e))?
        .len();
    let tablx = match std::fs::read(&tablx_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ReadError::io(&tablx_path, e)),
    };
    let files = Files {
        table: &table_path,
        tablx: &tablx_path,
        label: &row::label(gdb, &name),
        class: &name,
        what: format!("feature class {name}"),
    };
    let src = BufReader::with_capacity(1 << 20, file);
    let (layer, filtered) = read_table(&files, src, len, tablx.as_deref(), opts, subset)?;
    Ok((
        Layer {
            name: opts.name.clone().unwrap_or(name),
            ..layer
        },
        filtered,
    ))
}

/// Reads one table from memory: the bytes of its `.gdbtable` and `.gdbtablx` (e.g. taken out
/// of a zip archive; the fuzz target uses it). `name` is the layer's name and stands for the
/// files in messages (`NAME.gdbtable`, `NAME.gdbtablx`). The table must have a geometry column.
///
/// ```
/// use tuban_io::{filegdb, read::{ReadOptions, Subset}};
///
/// let e = filegdb::read_table_bytes("DLTB", &[3, 0, 0, 0], None, &ReadOptions::default(),
///     &Subset::default()).unwrap_err();
/// assert!(e.to_string().starts_with("DLTB.gdbtable: is 4 bytes long"), "{e}");
/// ```
pub fn read_table_bytes(
    name: &str,
    table: &[u8],
    tablx: Option<&[u8]>,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let table_path = PathBuf::from(format!("{name}.gdbtable"));
    let tablx_path = PathBuf::from(format!("{name}.gdbtablx"));
    let files = Files {
        table: &table_path,
        tablx: &tablx_path,
        label: Path::new(name),
        class: name,
        what: format!("feature class {name}"),
    };
    let (layer, filtered) = read_table(
        &files,
        Cursor::new(table),
        table.len() as u64,
        tablx,
        opts,
        subset,
    )?;
    Ok((
        Layer {
            name: opts.name.clone().unwrap_or_else(|| name.to_string()),
            ..layer
        },
        filtered,
    ))
}

/// `gdb/a0000000N.gdbtable` and its `.gdbtablx`.
fn table_paths(gdb: &Path, number: u32) -> (PathBuf, PathBuf) {
    (
        gdb.join(format!("a{number:08x}.gdbtable")),
        gdb.join(format!("a{number:08x}.gdbtablx")),
    )
}

/// The files of one table and how messages name them.
struct Files<'a> {
    table: &'a Path,
    tablx: &'a Path,
    /// The layer as messages name it: `x.gdb:DLTB`.
    label: &'a Path,
    /// The feature class's name.
    class: &'a str,
    /// What the table is, for messages: `feature class DLTB`, `the catalog`.
    what: String,
}

impl Files<'_> {
    /// An error about the `.gdbtable` as a whole.
    fn table_error(&self, e: HeaderError) -> ReadError {
        let m = match e {
            HeaderError::Refused(m) => m,
            HeaderError::Damaged(m) => {
                format!("{m}; copy the .gdb folder again, or export the layer again")
            }
        };
        ReadError::invalid(self.table, format!("{m} ({})", self.what))
    }

    fn damaged(&self, m: impl Into<String>) -> ReadError {
        self.table_error(HeaderError::Damaged(m.into()))
    }
}

/// A table opened: its header and where its rows start.
struct Opened<R> {
    header: TableHeader,
    src: R,
    len: u64,
    /// Rows are found after the 40-byte file header. (Not necessarily after the field
    /// descriptions: a writer that changes them, GDAL renaming a field for one, writes them
    /// anew at the end of the file, after the rows.)
    rows_start: u64,
    /// Where `src` is: rows are reached with relative seeks, which keep a `BufReader`'s buffer
    /// (an absolute seek empties it, and each row would then cost a whole buffer's read).
    pos: u64,
}

/// Reads a table's header and field descriptions from `src` (`len` bytes).
fn open<R: Read + Seek>(files: &Files<'_>, mut src: R, len: u64) -> Result<Opened<R>, ReadError> {
    let io = |e| ReadError::io(files.table, e);
    let mut head = vec![0u8; 40.min(len as usize)];
    src.read_exact(&mut head).map_err(io)?;
    let (valid_rows, fields_at) = table::file_header(&head).map_err(|e| files.table_error(e))?;
    if fields_at.checked_add(4).is_none_or(|end| end > len) {
        return Err(files.damaged(format!(
            "its header puts the field descriptions at byte {fields_at}, beyond the end of the \
             file ({len} bytes): it is truncated"
        )));
    }
    src.seek(SeekFrom::Start(fields_at)).map_err(io)?;
    let mut size = [0u8; 4];
    src.read_exact(&mut size).map_err(io)?;
    let size = table::field_section_size(&size).map_err(|e| files.table_error(e))?;
    let end = fields_at + 4 + u64::from(size);
    if end > len {
        return Err(files.damaged(format!(
            "its field descriptions run to byte {end}, beyond the end of the file ({len} bytes): \
             it is truncated"
        )));
    }
    let mut section = vec![0u8; size as usize];
    src.read_exact(&mut section).map_err(io)?;
    let header = table::field_section(&section, valid_rows).map_err(|e| files.table_error(e))?;
    Ok(Opened {
        header,
        src,
        len,
        rows_start: 40,
        pos: end,
    })
}

/// Reads a table as a layer (its `name` and `source` as `files` say).
fn read_table<R: Read + Seek + Send>(
    files: &Files<'_>,
    src: R,
    len: u64,
    tablx: Option<&[u8]>,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let mut opened = open(files, src, len)?;
    let Some((_, geom)) = &opened.header.geometry else {
        return Err(ReadError::invalid(
            files.table,
            format!(
                "{} is a table without a geometry column, not a feature class: tuban reads \
                 feature classes only",
                files.class
            ),
        ));
    };
    let crs_text = {
        let wkt = geom.wkt.trim();
        (!wkt.is_empty() && !wkt.starts_with('{')).then(|| wkt.to_string())
    };
    let encoding = {
        let text = if opened.header.strings_utf8 {
            "UTF-8"
        } else {
            "UTF-16"
        };
        let option = match &opts.encoding {
            Some(e) if !e.trim().eq_ignore_ascii_case(text) => format!(
                "; the encoding option ({e}) does not apply: File Geodatabase text is Unicode"
            ),
            _ => String::new(),
        };
        format!("{text} (File Geodatabase){option}")
    };
    let (fields, features, filtered) = decode_all(files, &mut opened, tablx, subset)?;
    let layer = Layer {
        name: files.class.to_string(),
        source: Some(files.label.to_path_buf()),
        fields,
        features,
        crs_text,
        encoding: Some(encoding),
    };
    Ok((layer, filtered))
}

/// The fields kept and the rows of an opened table, as `subset` says; and how many rows the box
/// filter left out.
fn decode_all<R: Read + Seek + Send>(
    files: &Files<'_>,
    opened: &mut Opened<R>,
    tablx: Option<&[u8]>,
    subset: &Subset,
) -> Result<(Vec<Field>, Vec<Feature>, usize), ReadError> {
    let index = row_index(files, tablx, opened.header.valid_rows)?;
    let header = opened.header.clone();
    let (decoder, fields) = RowDecoder::new(&header, subset, files.label);
    let (features, filtered) = read_rows(files, opened, &index, &decoder, subset.serial)?;
    Ok((fields, features, filtered))
}

/// The row index, checked against the table header's count of rows.
fn row_index(files: &Files<'_>, tablx: Option<&[u8]>, valid: u64) -> Result<RowIndex, ReadError> {
    let Some(bytes) = tablx else {
        if valid == 0 {
            return Ok(RowIndex { rows: vec![] });
        }
        return Err(ReadError::NotFound {
            path: files.tablx.to_path_buf(),
            hint: format!(
                "; it is the row index of {} ({valid} rows), without which the rows cannot be \
                 found safely: copy the whole .gdb folder again",
                files.what
            ),
        });
    };
    let index = RowIndex::parse(bytes).map_err(|m| {
        ReadError::invalid(
            files.tablx,
            format!(
                "{m} (the row index of {}); copy the .gdb folder again, or export the layer again",
                files.what
            ),
        )
    })?;
    let listed = index.rows.len() as u64;
    if listed != valid {
        return Err(ReadError::invalid(
            files.tablx,
            format!(
                "lists {listed} rows but {} counts {valid} (the row index of {}): the two files \
                 do not belong together or one of them was cut short; copy the .gdb folder \
                 again, or export the layer again",
                files.table.display(),
                files.what
            ),
        ));
    }
    Ok(index)
}

/// At most this many rows are read into memory before they are decoded in parallel.
const CHUNK_ROWS: usize = 4096;
/// A chunk stops growing once it holds this many bytes.
const CHUNK_BYTES: usize = 16 << 20;

/// The raw bytes of a run of rows.
#[derive(Default)]
struct Chunk {
    /// Each row's record number (OBJECTID) and where its bytes end in `data`.
    rows: Vec<(usize, usize)>,
    data: Vec<u8>,
    /// What stopped the reading before the chunk was full (the row after the last one held).
    stop: Option<ReadError>,
}

impl Chunk {
    /// Reads the listed rows from position `from` in `rows` (OBJECTID and offset) until the
    /// chunk is full, the rows end or one cannot be read. Returns the position after the last
    /// row read.
    fn fill<R: Read + Seek>(
        &mut self,
        files: &Files<'_>,
        opened: &mut Opened<R>,
        rows: &[(usize, u64)],
        from: usize,
    ) -> usize {
        self.rows.clear();
        self.data.clear();
        self.stop = None;
        let mut i = from;
        while i < rows.len() && self.rows.len() < CHUNK_ROWS && self.data.len() < CHUNK_BYTES {
            let (record, offset) = rows[i];
            i += 1;
            if let Err(e) = self.read_row(files, opened, record, offset) {
                self.stop = Some(e);
                break;
            }
        }
        i
    }

    fn read_row<R: Read + Seek>(
        &mut self,
        files: &Files<'_>,
        opened: &mut Opened<R>,
        record: usize,
        offset: u64,
    ) -> Result<(), ReadError> {
        let row_error = |m: String| ReadError::Record {
            path: files.label.to_path_buf(),
            record,
            message: m,
        };
        let len = opened.len;
        if offset < opened.rows_start || offset.checked_add(4).is_none_or(|e| e > len) {
            return Err(row_error(format!(
                "the row index puts this row at byte {offset}, outside the rows of {} ({} to \
                 {len}): the table is truncated or the index damaged; copy the .gdb folder again",
                files.table.display(),
                opened.rows_start
            )));
        }
        let io = |e| ReadError::io(files.table, e);
        let delta = i64::try_from(i128::from(offset) - i128::from(opened.pos))
            .expect("offsets within the file");
        opened.src.seek_relative(delta).map_err(io)?;
        opened.pos = offset;
        let mut size = [0u8; 4];
        opened.src.read_exact(&mut size).map_err(io)?;
        opened.pos += 4;
        let size = i32::from_le_bytes(size);
        let Ok(size) = u64::try_from(size) else {
            return Err(row_error(format!(
                "the row at byte {offset} is marked deleted ({size} bytes) although the row \
                 index lists it: the table is damaged; copy the .gdb folder again"
            )));
        };
        if offset + 4 + size > len {
            return Err(row_error(format!(
                "the row at byte {offset} should be {size} bytes long but {} ends {} bytes \
                 later: the table is truncated; copy the .gdb folder again",
                files.table.display(),
                len - offset - 4
            )));
        }
        let start = self.data.len();
        self.data.resize(start + size as usize, 0);
        opened.src.read_exact(&mut self.data[start..]).map_err(io)?;
        opened.pos += size;
        self.rows.push((record, self.data.len()));
        Ok(())
    }

    /// Decodes the chunk's rows (in parallel unless `serial`) into `out`, in order; the first
    /// error is that of the lowest record.
    fn decode(
        &mut self,
        decoder: &RowDecoder<'_>,
        serial: bool,
        out: &mut (Vec<Feature>, usize),
    ) -> Result<(), ReadError> {
        use rayon::prelude::*;
        let chunk = &*self;
        let one = |k: usize| {
            let (record, end) = chunk.rows[k];
            let start = if k == 0 { 0 } else { chunk.rows[k - 1].1 };
            decoder.decode(record, &chunk.data[start..end])
        };
        let outcomes: Vec<Result<Outcome, ReadError>> = if serial {
            (0..chunk.rows.len()).map(one).collect()
        } else {
            (0..chunk.rows.len())
                .into_par_iter()
                .with_min_len(64)
                .map(one)
                .collect()
        };
        for outcome in outcomes {
            match outcome? {
                Outcome::Feature(f) => out.0.push(f),
                Outcome::Filtered => out.1 += 1,
            }
        }
        match self.stop.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Reads and decodes every row the index lists, a chunk at a time; unless `serial`, each
/// chunk is decoded by rayon's threads while the next one is read.
fn read_rows<R: Read + Seek + Send>(
    files: &Files<'_>,
    opened: &mut Opened<R>,
    index: &RowIndex,
    decoder: &RowDecoder<'_>,
    serial: bool,
) -> Result<(Vec<Feature>, usize), ReadError> {
    let offsets = &index.rows;
    let count = opened.header.valid_rows as usize;
    let filtering = decoder.filters();
    let mut out = (
        Vec::with_capacity(count.min(if filtering { 1 << 16 } else { 1 << 20 })),
        0,
    );
    let (mut current, mut next) = (Chunk::default(), Chunk::default());
    let mut i = current.fill(files, opened, offsets, 0);
    loop {
        if current.stop.is_some() || i >= offsets.len() {
            current.decode(decoder, serial, &mut out)?;
            return Ok(out);
        }
        if serial {
            current.decode(decoder, serial, &mut out)?;
            i = next.fill(files, opened, offsets, i);
        } else {
            let (decoded, read_to) = rayon::join(
                || current.decode(decoder, serial, &mut out),
                || next.fill(files, opened, offsets, i),
            );
            decoded?;
            i = read_to;
        }
        std::mem::swap(&mut current, &mut next);
    }
}
