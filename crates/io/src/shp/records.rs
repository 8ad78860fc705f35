//! Reading the records: each `.shp` record with its `.dbf` row, one after the other or, with a
//! sound `.shx`, a chunk at a time decoded in parallel (see [Subsets and
//! speed](super#subsets-and-speed)). Both ways give the same layer and the same first error.

use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use geo::Geometry;
use shapefile::{ReadableShape, Shape};
use tuban_core::layer::Feature;

use super::dbf::{parse_value, Dbf, FieldSpec};
use super::encoding::TextEncoding;
use super::geometry::{check_sizes, convert, plain_shape};
use super::header::{family, family_name, multipatch_error, stored_box, Family, Shp, STRAY};
use crate::error::ReadError;
use crate::read::BoxFilter;

/// Why reading the records stopped.
pub(super) enum Failure {
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
    pub(super) fn with_note(self, note: Option<&str>) -> ReadError {
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
pub(super) struct Records {
    pub(super) features: Vec<Feature>,
    pub(super) filtered_out: usize,
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
pub(super) fn read_records<S: Read + Seek, D: Read + Seek>(
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
pub(super) fn read_records_parallel<S: Read + Seek + Send, D: Read + Seek + Send>(
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
pub(super) struct Decoder<'a> {
    pub(super) shp_path: &'a Path,
    pub(super) dbf_path: &'a Path,
    /// The shape family of the file's header.
    pub(super) family: Family,
    pub(super) specs: &'a [FieldSpec],
    pub(super) text: &'a TextEncoding,
    pub(super) keep: Option<&'a BoxFilter>,
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
