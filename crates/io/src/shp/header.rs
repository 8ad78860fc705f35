//! The `.shp` file's framing: its 100-byte header, the record headers read one after the
//! other (with the rules for stray bytes, padding and files cut short, see [Damaged
//! files](super#damaged-files)), the box each record stores, and the `.shx` index.

use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use geo::{Coord, Rect};

use super::records::Failure;
use super::source_len;
use crate::error::ReadError;

const SHP_HEADER_LEN: u64 = 100;

/// What a record that does not parse means when the records are read one after the other.
pub(super) const STRAY: &str =
    "the .shp is damaged, or holds stray bytes before this record (with the \
                     layer's .shx next to it, tuban reads each record where the .shx says and \
                     skips such bytes); export the layer again";

/// The geometric family of a shape type code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Null,
    Point,
    Line,
    Polygon,
    MultiPoint,
    MultiPatch,
}

pub(super) fn family(shape_type: i32) -> Option<Family> {
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

pub(super) fn family_name(f: Family) -> &'static str {
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
pub(super) struct Shp<R> {
    path: PathBuf,
    reader: BufReader<R>,
    /// Where the reader is.
    pos: u64,
    /// Where the header says the file ends.
    declared_end: u64,
    /// How long the file really is.
    pub(super) file_len: u64,
    pub(super) family: Family,
    pub(super) buf: Vec<u8>,
}

impl<R: Read + Seek> Shp<R> {
    pub(super) fn open(path: &Path, mut source: R) -> Result<Shp<R>, ReadError> {
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
    pub(super) fn rewind(&mut self) -> Result<(), ReadError> {
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
    pub(super) fn next_raw(
        &mut self,
        record: usize,
        at: Option<(u64, u64)>,
    ) -> Result<Option<()>, Failure> {
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
    pub(super) fn ended_early(&self, dbf: &Path, read: usize, count: usize) -> ReadError {
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
    pub(super) fn count_remaining(&mut self, next: usize) -> Result<usize, Failure> {
        let mut n = 0;
        while self.next_raw(next + n, None)?.is_some() {
            n += 1;
        }
        Ok(n)
    }
}

pub(super) fn multipatch_error(path: &Path) -> ReadError {
    ReadError::invalid(
        path,
        "holds MultiPatch shapes (3D surfaces), which tuban does not read; export the layer as \
         polygons (e.g. in ArcGIS \"Multipatch Footprint\") and try again",
    )
}

pub(super) fn le_i32(buf: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

/// The bounding box a `.shp` record stores (for a point, the point), when it can be used to
/// filter: `None` for a record too short to hold it, one with no points, or a box that is not
/// finite numbers (such records are decoded, and their problems reported, as usual).
pub(super) fn stored_box(buf: &[u8], fam: Family) -> Option<Rect<f64>> {
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
pub(super) fn shx_offsets(
    bytes: &[u8],
    count: usize,
    shp_len: u64,
) -> Result<Vec<(u64, u64)>, String> {
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
