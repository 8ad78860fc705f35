//! The bytes of a shapefile, for writers: the `.shp` and `.shx` headers, record headers and
//! index entries, shape contents (null, point, polyline, polygon), and the dBase III `.dbf`
//! header, field descriptors and records.
//!
//! Two writers use it: the report's layers ([`crate::write::shp`]), written whole into a
//! temporary folder, and `tuban synth`, which streams millions of records chunk by chunk and
//! patches the headers at the end. Each keeps its own files and buffers; the layout of every byte
//! is here, after the ESRI Shapefile Technical Description (1998) and the dBase III table format.
//! It is written by hand because the `shapefile` crate, which tuban reads Z and M shapes with,
//! writes neither the `.cpg` nor a language driver byte of our choosing, cannot write a record
//! whose `.dbf` text was already encoded, and cannot stream into a file whose headers are
//! patched afterwards.
//!
//! ```
//! use tuban_io::shp::encode::{self, Bbox, DbfField, DbfRecord, ShapeType};
//!
//! // One polygon record (a 10 m square, clockwise as the specification wants outer rings).
//! let ring = [(0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0), (0.0, 0.0)];
//! let mut content = Vec::new();
//! let bbox = encode::push_parts(&mut content, ShapeType::Polygon, &[&ring[..]]);
//! assert_eq!(content.len(), encode::parts_content_len(1, 5));
//! assert_eq!(bbox.or_zero(), [0.0, 0.0, 10.0, 10.0]);
//! let header = encode::file_header(ShapeType::Polygon, 100 + 8 + content.len() as u64, &bbox);
//! assert_eq!(&header.unwrap()[..4], &[0, 0, 0x27, 0x0A]); // file code 9994, big-endian
//!
//! // Its attributes: a text field and a number.
//! let fields = [DbfField::text("TBBH", 8), DbfField::number("TBMJ", 12, 2)];
//! let mut row = Vec::new();
//! DbfRecord::start(&mut row).text(b"0042", 8).number(100.0, 12, 2);
//! assert_eq!(row, b" 0042          100.00");
//! let dbf = encode::dbf_header(&fields, 1, [124, 7, 20], encode::LDID_GBK).unwrap();
//! assert_eq!(dbf.len(), 32 + 2 * 32 + 1);
//! ```

use std::fmt;

/// The `.shp` and `.shx` file code, big-endian at byte 0.
pub const FILE_CODE: i32 = 9994;
/// The format version, little-endian at byte 28.
pub const VERSION: i32 = 1000;
/// The length of the `.shp` and `.shx` headers.
pub const HEADER_LEN: usize = 100;
/// The length of a record header (record number and content length), and of a `.shx` entry.
pub const RECORD_HEADER_LEN: usize = 8;
/// The content length of a null shape (its shape type alone).
pub const NULL_CONTENT_LEN: usize = 4;
/// The content length of a point (shape type, x, y).
pub const POINT_CONTENT_LEN: usize = 20;

/// The `.dbf` language driver byte (offset 29) for Chinese GBK, code page 936.
pub const LDID_GBK: u8 = 0x4D;
/// The `.dbf` language driver byte that names no code page (the `.cpg` does).
pub const LDID_NONE: u8 = 0x00;
/// The byte that ends the `.dbf` field descriptors.
pub const DBF_HEADER_END: u8 = 0x0D;
/// The byte that ends a `.dbf` file, after the last record.
pub const DBF_END: u8 = 0x1A;

/// The shape types tuban writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeType {
    /// No geometry.
    Null = 0,
    /// One point.
    Point = 1,
    /// Lines: each part a line.
    PolyLine = 3,
    /// Polygons: each part a ring, outer rings clockwise, holes counter-clockwise.
    Polygon = 5,
}

impl ShapeType {
    /// The shape type code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A shapefile grew past what its 32-bit lengths in 16-bit words can say (2³¹ words, 4 GiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("larger than 4 GiB, the most a shapefile can hold")
    }
}

impl std::error::Error for TooLarge {}

/// A bounding box; empty (`min > max`) until a point is added.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    /// Smallest x.
    pub min_x: f64,
    /// Smallest y.
    pub min_y: f64,
    /// Largest x.
    pub max_x: f64,
    /// Largest y.
    pub max_y: f64,
}

impl Bbox {
    /// The empty box.
    pub const EMPTY: Bbox = Bbox {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    /// Grows the box to hold `(x, y)`.
    pub fn add(&mut self, x: f64, y: f64) {
        self.min_x = self.min_x.min(x);
        self.min_y = self.min_y.min(y);
        self.max_x = self.max_x.max(x);
        self.max_y = self.max_y.max(y);
    }

    /// Grows the box to hold `other`.
    pub fn union(&mut self, other: &Bbox) {
        self.min_x = self.min_x.min(other.min_x);
        self.min_y = self.min_y.min(other.min_y);
        self.max_x = self.max_x.max(other.max_x);
        self.max_y = self.max_y.max(other.max_y);
    }

    /// `[min x, min y, max x, max y]`, or zeros for the empty box (what a header of a layer
    /// without shapes holds).
    pub fn or_zero(&self) -> [f64; 4] {
        if self.min_x > self.max_x {
            [0.0; 4]
        } else {
            [self.min_x, self.min_y, self.max_x, self.max_y]
        }
    }
}

/// A vertex of a part: anything with an x and a y.
pub trait Xy {
    /// `(x, y)`.
    fn xy(&self) -> (f64, f64);
}

impl Xy for (f64, f64) {
    fn xy(&self) -> (f64, f64) {
        *self
    }
}

impl Xy for geo::Coord<f64> {
    fn xy(&self) -> (f64, f64) {
        (self.x, self.y)
    }
}

/// `bytes` in 16-bit words, as the headers and the index count them.
pub fn words(bytes: u64) -> Result<i32, TooLarge> {
    i32::try_from(bytes / 2).map_err(|_| TooLarge)
}

/// The 100-byte header of a `.shp` (or `.shx`) of `file_len` bytes whose shapes are of
/// `shape_type` and lie in `bbox` (Z and M ranges zero).
pub fn file_header(
    shape_type: ShapeType,
    file_len: u64,
    bbox: &Bbox,
) -> Result<[u8; HEADER_LEN], TooLarge> {
    let mut h = [0u8; HEADER_LEN];
    h[..4].copy_from_slice(&FILE_CODE.to_be_bytes());
    h[24..28].copy_from_slice(&words(file_len)?.to_be_bytes());
    h[28..32].copy_from_slice(&VERSION.to_le_bytes());
    h[32..36].copy_from_slice(&shape_type.code().to_le_bytes());
    for (k, v) in bbox.or_zero().iter().enumerate() {
        h[36 + 8 * k..44 + 8 * k].copy_from_slice(&v.to_le_bytes());
    }
    Ok(h)
}

/// The header of record `number` (from 1) whose content is `content_len` bytes.
pub fn record_header(
    number: usize,
    content_len: usize,
) -> Result<[u8; RECORD_HEADER_LEN], TooLarge> {
    let number = i32::try_from(number).map_err(|_| TooLarge)?;
    let mut h = [0u8; RECORD_HEADER_LEN];
    h[..4].copy_from_slice(&number.to_be_bytes());
    h[4..].copy_from_slice(&words(content_len as u64)?.to_be_bytes());
    Ok(h)
}

/// The `.shx` entry of a record whose header starts at byte `offset` of the `.shp` and whose
/// content is `content_len` bytes.
pub fn index_entry(offset: u64, content_len: usize) -> Result<[u8; RECORD_HEADER_LEN], TooLarge> {
    let mut e = [0u8; RECORD_HEADER_LEN];
    e[..4].copy_from_slice(&words(offset)?.to_be_bytes());
    e[4..].copy_from_slice(&words(content_len as u64)?.to_be_bytes());
    Ok(e)
}

/// The content length of a polyline or polygon of `parts` parts and `points` points in all.
pub fn parts_content_len(parts: usize, points: usize) -> usize {
    4 + 32 + 4 + 4 + 4 * parts + 16 * points
}

/// Appends a null shape's content.
pub fn push_null(buf: &mut Vec<u8>) {
    buf.extend_from_slice(&ShapeType::Null.code().to_le_bytes());
}

/// Appends a point's content; returns its box.
pub fn push_point(buf: &mut Vec<u8>, x: f64, y: f64) -> Bbox {
    buf.extend_from_slice(&ShapeType::Point.code().to_le_bytes());
    buf.extend_from_slice(&x.to_le_bytes());
    buf.extend_from_slice(&y.to_le_bytes());
    let mut b = Bbox::EMPTY;
    b.add(x, y);
    b
}

/// Appends a polyline's or polygon's content: its box (of every vertex), the part count, the
/// point count, where each part starts, and the points. Polygon rings must already run the way
/// the specification says (outer rings clockwise, holes counter-clockwise) and be closed.
/// Returns the box.
pub fn push_parts<P: AsRef<[C]>, C: Xy>(
    buf: &mut Vec<u8>,
    shape_type: ShapeType,
    parts: &[P],
) -> Bbox {
    let mut b = Bbox::EMPTY;
    let mut n = 0usize;
    for p in parts {
        for c in p.as_ref() {
            let (x, y) = c.xy();
            b.add(x, y);
        }
        n += p.as_ref().len();
    }
    buf.reserve(parts_content_len(parts.len(), n));
    buf.extend_from_slice(&shape_type.code().to_le_bytes());
    for v in [b.min_x, b.min_y, b.max_x, b.max_y] {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    buf.extend_from_slice(&(parts.len() as i32).to_le_bytes());
    buf.extend_from_slice(&(n as i32).to_le_bytes());
    let mut at = 0i32;
    for p in parts {
        buf.extend_from_slice(&at.to_le_bytes());
        at += p.as_ref().len() as i32;
    }
    for p in parts {
        for c in p.as_ref() {
            let (x, y) = c.xy();
            buf.extend_from_slice(&x.to_le_bytes());
            buf.extend_from_slice(&y.to_le_bytes());
        }
    }
    b
}

/// A `.dbf` field: name (at most 10 bytes, already in the table's encoding), type (`C` text,
/// `N` number), width in bytes and decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbfField<'a> {
    /// The name's bytes; cut at 10.
    pub name: &'a [u8],
    /// `b'C'` or `b'N'`.
    pub kind: u8,
    /// Width in bytes (characters for numbers).
    pub width: u8,
    /// Decimals (numbers only).
    pub decimals: u8,
}

impl<'a> DbfField<'a> {
    /// A text (`C`) field `width` bytes wide.
    pub const fn text(name: &'a str, width: u8) -> Self {
        DbfField {
            name: name.as_bytes(),
            kind: b'C',
            width,
            decimals: 0,
        }
    }

    /// A numeric (`N`) field `width` characters wide with `decimals` decimals.
    pub const fn number(name: &'a str, width: u8, decimals: u8) -> Self {
        DbfField {
            name: name.as_bytes(),
            kind: b'N',
            width,
            decimals,
        }
    }
}

/// The length of a record of `fields`: the deletion flag and every field.
pub fn dbf_record_len(fields: &[DbfField<'_>]) -> usize {
    1 + fields.iter().map(|f| f.width as usize).sum::<usize>()
}

/// The `.dbf` header of a table of `fields` holding `count` records: version 3 (dBase III),
/// the date of the last update as `[year - 1900, month, day]`, the language driver byte `ldid`
/// ([`LDID_GBK`], [`LDID_NONE`]...), the field descriptors and their terminator. An error when
/// the fields make a header or a record longer than 65535 bytes.
pub fn dbf_header(
    fields: &[DbfField<'_>],
    count: u32,
    date: [u8; 3],
    ldid: u8,
) -> Result<Vec<u8>, String> {
    let too_big = || "too many fields or too wide a record for a DBF table".to_string();
    let header_len = 32 + 32 * fields.len() + 1;
    let header_len16 = u16::try_from(header_len).map_err(|_| too_big())?;
    let record_len16 = u16::try_from(dbf_record_len(fields)).map_err(|_| too_big())?;
    let mut h = vec![0u8; header_len];
    h[0] = 0x03;
    h[1..4].copy_from_slice(&date);
    h[4..8].copy_from_slice(&count.to_le_bytes());
    h[8..10].copy_from_slice(&header_len16.to_le_bytes());
    h[10..12].copy_from_slice(&record_len16.to_le_bytes());
    h[29] = ldid;
    for (k, f) in fields.iter().enumerate() {
        let d = &mut h[32 + 32 * k..64 + 32 * k];
        let n = f.name.len().min(10);
        d[..n].copy_from_slice(&f.name[..n]);
        d[11] = f.kind;
        d[16] = f.width;
        d[17] = f.decimals;
    }
    h[header_len - 1] = DBF_HEADER_END;
    Ok(h)
}

/// `v` right-aligned in `width` characters with `decimals` decimals, or fewer decimals if it
/// does not fit; `None` if it does not fit even without decimals, or is not finite.
pub fn format_number(v: f64, width: usize, decimals: usize) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    (0..=decimals).rev().find_map(|d| {
        let s = format!("{v:>width$.d$}");
        (s.len() <= width).then_some(s)
    })
}

/// One `.dbf` record being appended to a buffer, field after field, in the table's order.
pub struct DbfRecord<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> DbfRecord<'a> {
    /// Starts a record at the end of `buf` (its deletion flag, a blank: not deleted).
    pub fn start(buf: &'a mut Vec<u8>) -> Self {
        buf.push(b' ');
        DbfRecord { buf }
    }

    /// A text field of `width` bytes: `bytes` (already encoded), cut at `width`, padded with
    /// blanks.
    pub fn text(&mut self, bytes: &[u8], width: usize) -> &mut Self {
        let b = &bytes[..bytes.len().min(width)];
        self.buf.extend_from_slice(b);
        self.buf.resize(self.buf.len() + width - b.len(), b' ');
        self
    }

    /// A numeric field: [`format_number`], or asterisks (the dBase null, as shapelib, GDAL and
    /// QGIS write it) when it gives nothing.
    pub fn number(&mut self, v: f64, width: usize, decimals: usize) -> &mut Self {
        match format_number(v, width, decimals) {
            Some(s) => {
                self.buf.extend_from_slice(s.as_bytes());
                self
            }
            None => self.null(width),
        }
    }

    /// An integer field, right-aligned in `width` characters; asterisks if it does not fit.
    pub fn integer(&mut self, v: u64, width: usize) -> &mut Self {
        let s = format!("{v:>width$}");
        if s.len() <= width {
            self.buf.extend_from_slice(s.as_bytes());
        } else {
            self.null(width);
        }
        self
    }

    /// A numeric field without a value: `width` asterisks.
    pub fn null(&mut self, width: usize) -> &mut Self {
        self.buf.resize(self.buf.len() + width, b'*');
        self
    }

    /// A field of `width` blanks (an empty text).
    pub fn blank(&mut self, width: usize) -> &mut Self {
        self.buf.resize(self.buf.len() + width, b' ');
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fit_their_width() {
        assert_eq!(format_number(1.5, 20, 6).unwrap(), "            1.500000");
        assert_eq!(format_number(-0.25, 10, 2).unwrap(), "     -0.25");
        // Too many digits for the decimals: fewer decimals.
        assert_eq!(format_number(123456789.123, 10, 6).unwrap(), " 123456789");
        assert_eq!(format_number(12345678901.0, 10, 0), None);
        assert_eq!(format_number(f64::NAN, 10, 0), None);
        let mut row = Vec::new();
        DbfRecord::start(&mut row)
            .number(f64::INFINITY, 4, 0)
            .integer(123456, 5)
            .integer(42, 4)
            .text("中山村".as_bytes(), 5)
            .blank(2);
        assert_eq!(row, b" *********  42\xE4\xB8\xAD\xE5\xB1  ");
    }

    #[test]
    fn headers_follow_the_specification() {
        // Hand-laid bytes from the ESRI Shapefile Technical Description, table 1: file code 9994
        // big-endian, length in words big-endian at 24, version 1000 and shape type
        // little-endian at 28 and 32, then the box.
        let mut b = Bbox::EMPTY;
        b.add(1.0, 2.0);
        b.add(3.0, -4.0);
        let h = file_header(ShapeType::PolyLine, 1000, &b).unwrap();
        assert_eq!(&h[..4], &[0x00, 0x00, 0x27, 0x0A]);
        assert_eq!(&h[24..28], &[0, 0, 0x01, 0xF4]); // 500 words
        assert_eq!(&h[28..32], &[0xE8, 0x03, 0, 0]);
        assert_eq!(&h[32..36], &[3, 0, 0, 0]);
        assert_eq!(&h[36..44], &1.0f64.to_le_bytes());
        assert_eq!(&h[44..52], &(-4.0f64).to_le_bytes());
        assert_eq!(&h[60..68], &2.0f64.to_le_bytes());
        assert!(h[68..].iter().all(|b| *b == 0));
        assert_eq!(file_header(ShapeType::Polygon, 1 << 32, &b), Err(TooLarge));
        assert_eq!(
            record_header(7, 20).unwrap(),
            [0, 0, 0, 7, 0, 0, 0, 10],
            "number and words, big-endian"
        );
        assert_eq!(index_entry(100, 4).unwrap(), [0, 0, 0, 50, 0, 0, 0, 2]);
        // An empty layer's header holds a zero box.
        let h = file_header(ShapeType::Point, 100, &Bbox::EMPTY).unwrap();
        assert!(h[36..].iter().all(|b| *b == 0));
    }

    #[test]
    fn a_dbf_header_as_dbase_iii_lays_it_out() {
        let fields = [
            DbfField::text("QSDWMC", 60),
            DbfField::number("TBMJ", 15, 2),
        ];
        let h = dbf_header(&fields, 258, [123, 7, 20], LDID_GBK).unwrap();
        assert_eq!(h.len(), 97);
        assert_eq!(&h[..12], &[3, 123, 7, 20, 2, 1, 0, 0, 97, 0, 76, 0]);
        assert_eq!(h[29], 0x4D);
        assert_eq!(&h[32..39], b"QSDWMC\0");
        assert_eq!((h[43], h[48], h[49]), (b'C', 60, 0));
        assert_eq!((h[64 + 11], h[64 + 16], h[64 + 17]), (b'N', 15, 2));
        assert_eq!(h[96], 0x0D);
        let wide = vec![DbfField::text("T", 255); 300];
        assert!(dbf_header(&wide, 0, [0; 3], LDID_NONE).is_err());
    }
}
