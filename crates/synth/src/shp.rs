//! Streaming writers of the ESRI shapefile (`.shp`, `.shx`) and dBASE III (`.dbf`) formats.
//!
//! Records arrive in [`Chunk`]s built on worker threads; the writer appends them in order, adding
//! the record headers and index entries, and patches the headers (file lengths, bounding box,
//! record count) when it is finished. Memory is one chunk at a time, whatever the file's size.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::SynthError;

/// Shape types written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShapeType {
    Point = 1,
    PolyLine = 3,
    Polygon = 5,
}

/// A bounding box, empty when `min > max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bbox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Bbox {
    pub(crate) const EMPTY: Bbox = Bbox {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    pub(crate) fn add(&mut self, x: f64, y: f64) {
        self.min_x = self.min_x.min(x);
        self.min_y = self.min_y.min(y);
        self.max_x = self.max_x.max(x);
        self.max_y = self.max_y.max(y);
    }

    pub(crate) fn union(&mut self, o: &Bbox) {
        self.min_x = self.min_x.min(o.min_x);
        self.min_y = self.min_y.min(o.min_y);
        self.max_x = self.max_x.max(o.max_x);
        self.max_y = self.max_y.max(o.max_y);
    }

    fn or_zero(&self) -> [f64; 4] {
        if self.min_x > self.max_x {
            [0.0; 4]
        } else {
            [self.min_x, self.min_y, self.max_x, self.max_y]
        }
    }
}

/// A DBF field: name, type (`C` or `N`), width and decimals.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldDef {
    pub name: &'static str,
    pub kind: u8,
    pub len: usize,
    pub dec: u8,
}

impl FieldDef {
    pub(crate) const fn text(name: &'static str, len: usize) -> Self {
        FieldDef {
            name,
            kind: b'C',
            len,
            dec: 0,
        }
    }
    pub(crate) const fn number(name: &'static str, len: usize, dec: u8) -> Self {
        FieldDef {
            name,
            kind: b'N',
            len,
            dec,
        }
    }
}

/// Records of one layer built on a worker: the shape contents back to back, the length of each,
/// and the DBF records (fixed length, deletion flag included).
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub shapes: Vec<u8>,
    pub lens: Vec<u32>,
    pub dbf: Vec<u8>,
    pub bbox: Option<Bbox>,
}

impl Chunk {
    pub(crate) fn len(&self) -> usize {
        self.lens.len()
    }

    fn grow_bbox(&mut self, b: &Bbox) {
        match &mut self.bbox {
            None => self.bbox = Some(*b),
            Some(x) => x.union(b),
        }
    }

    /// Appends a polygon or polyline: `parts` are rings or lines, each a list of points.
    pub(crate) fn poly(&mut self, kind: ShapeType, parts: &[&[(f64, f64)]]) {
        let mut b = Bbox::EMPTY;
        let mut n = 0usize;
        for p in parts {
            for &(x, y) in *p {
                b.add(x, y);
            }
            n += p.len();
        }
        let start = self.shapes.len();
        let s = &mut self.shapes;
        s.extend_from_slice(&(kind as i32).to_le_bytes());
        for v in [b.min_x, b.min_y, b.max_x, b.max_y] {
            s.extend_from_slice(&v.to_le_bytes());
        }
        s.extend_from_slice(&(parts.len() as i32).to_le_bytes());
        s.extend_from_slice(&(n as i32).to_le_bytes());
        let mut at = 0i32;
        for p in parts {
            s.extend_from_slice(&at.to_le_bytes());
            at += p.len() as i32;
        }
        for p in parts {
            for &(x, y) in *p {
                s.extend_from_slice(&x.to_le_bytes());
                s.extend_from_slice(&y.to_le_bytes());
            }
        }
        self.lens.push((self.shapes.len() - start) as u32);
        self.grow_bbox(&b);
    }

    /// Appends a point.
    pub(crate) fn point(&mut self, x: f64, y: f64) {
        let s = &mut self.shapes;
        s.extend_from_slice(&(ShapeType::Point as i32).to_le_bytes());
        s.extend_from_slice(&x.to_le_bytes());
        s.extend_from_slice(&y.to_le_bytes());
        self.lens.push(20);
        let mut b = Bbox::EMPTY;
        b.add(x, y);
        self.grow_bbox(&b);
    }

    /// Starts a DBF record (the deletion flag); the caller then adds every field in order.
    pub(crate) fn record(&mut self) -> Record<'_> {
        self.dbf.push(b' ');
        Record { buf: &mut self.dbf }
    }
}

/// One DBF record being written.
pub(crate) struct Record<'a> {
    buf: &'a mut Vec<u8>,
}

impl Record<'_> {
    /// A character field of `len` bytes: the bytes, cut at `len`, padded with spaces.
    pub(crate) fn text(&mut self, bytes: &[u8], len: usize) -> &mut Self {
        let b = &bytes[..bytes.len().min(len)];
        self.buf.extend_from_slice(b);
        self.buf.resize(self.buf.len() + len - b.len(), b' ');
        self
    }

    /// A numeric field, right-aligned in `len` characters with `dec` decimals.
    pub(crate) fn number(&mut self, v: f64, len: usize, dec: usize) -> &mut Self {
        let s = format!("{v:>len$.dec$}");
        assert!(s.len() <= len, "{s} does not fit a field of {len}");
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// An integer field, right-aligned in `len` characters.
    pub(crate) fn int(&mut self, v: u64, len: usize) -> &mut Self {
        let s = format!("{v:>len$}");
        assert!(s.len() <= len, "{s} does not fit a field of {len}");
        self.buf.extend_from_slice(s.as_bytes());
        self
    }
}

/// A serial number the writer puts into a text field of every record: `prefix` followed by the
/// record number (from 1), zero-padded to `digits`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Serial {
    pub field: usize,
    pub prefix: &'static str,
    pub digits: usize,
}

/// Writes one shapefile (`.shp`, `.shx`, `.dbf`, `.cpg`, `.prj`) chunk by chunk.
pub(crate) struct LayerWriter {
    base: PathBuf,
    kind: ShapeType,
    shp: BufWriter<File>,
    shx: BufWriter<File>,
    dbf: BufWriter<File>,
    fields: Vec<FieldDef>,
    record_len: usize,
    serial: Option<(usize, Serial)>,
    words: u64,
    count: u64,
    bbox: Bbox,
}

fn create(path: &Path) -> Result<BufWriter<File>, SynthError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| SynthError::io(path, e))
}

/// The DBF header date: 2023-07-20, as the Erping fixture (output must not depend on the clock).
const DBF_DATE: [u8; 3] = [123, 7, 20];
/// Language driver 0x4D: Chinese GBK (code page 936).
const LDID_GBK: u8 = 0x4D;
/// The largest .shp or .shx a 32-bit length in 16-bit words can describe.
const MAX_WORDS: u64 = i32::MAX as u64;

impl LayerWriter {
    /// Creates `base.shp`, `.shx`, `.dbf`, `.cpg` (GBK) and `.prj` (`prj`).
    pub(crate) fn create(
        base: &Path,
        kind: ShapeType,
        fields: &[FieldDef],
        serial: Option<Serial>,
        prj: &str,
    ) -> Result<Self, SynthError> {
        let with = |ext: &str| base.with_extension(ext);
        for (ext, text) in [("cpg", "GBK"), ("prj", prj)] {
            std::fs::write(with(ext), text).map_err(|e| SynthError::io(&with(ext), e))?;
        }
        let mut shp = create(&with("shp"))?;
        let mut shx = create(&with("shx"))?;
        let mut dbf = create(&with("dbf"))?;
        let zeros = [0u8; 100];
        shp.write_all(&zeros)
            .map_err(|e| SynthError::io(&with("shp"), e))?;
        shx.write_all(&zeros)
            .map_err(|e| SynthError::io(&with("shx"), e))?;
        let record_len = 1 + fields.iter().map(|f| f.len).sum::<usize>();
        let header = dbf_header(fields, 0, record_len);
        dbf.write_all(&header)
            .map_err(|e| SynthError::io(&with("dbf"), e))?;
        let serial = serial.map(|s| {
            let offset = 1 + fields[..s.field].iter().map(|f| f.len).sum::<usize>();
            assert!(s.prefix.len() + s.digits <= fields[s.field].len);
            (offset, s)
        });
        Ok(LayerWriter {
            base: base.to_path_buf(),
            kind,
            shp,
            shx,
            dbf,
            fields: fields.to_vec(),
            record_len,
            serial,
            words: 50,
            count: 0,
            bbox: Bbox::EMPTY,
        })
    }

    /// Appends a chunk's records.
    pub(crate) fn write(&mut self, mut chunk: Chunk) -> Result<(), SynthError> {
        let n = chunk.len();
        assert_eq!(
            chunk.dbf.len(),
            n * self.record_len,
            "DBF records of a chunk"
        );
        if let Some((offset, s)) = self.serial {
            for k in 0..n {
                let text = format!(
                    "{}{:0w$}",
                    s.prefix,
                    self.count + 1 + k as u64,
                    w = s.digits
                );
                let at = k * self.record_len + offset;
                chunk.dbf[at..at + text.len()].copy_from_slice(text.as_bytes());
            }
        }
        let shp_path = || self.base.with_extension("shp");
        let mut at = 0usize;
        for (k, &len) in chunk.lens.iter().enumerate() {
            let words = u64::from(len) / 2;
            let mut head = [0u8; 8];
            head[..4].copy_from_slice(&((self.count + 1 + k as u64) as i32).to_be_bytes());
            head[4..].copy_from_slice(&(words as i32).to_be_bytes());
            let mut idx = [0u8; 8];
            idx[..4].copy_from_slice(&(self.words as i32).to_be_bytes());
            idx[4..].copy_from_slice(&(words as i32).to_be_bytes());
            self.shp
                .write_all(&head)
                .and_then(|_| self.shp.write_all(&chunk.shapes[at..at + len as usize]))
                .map_err(|e| SynthError::io(&shp_path(), e))?;
            self.shx
                .write_all(&idx)
                .map_err(|e| SynthError::io(&self.base.with_extension("shx"), e))?;
            at += len as usize;
            self.words += 4 + words;
        }
        if self.words > MAX_WORDS {
            return Err(SynthError::TooLarge(format!(
                "{}: more than 4 GiB, the most a shapefile can hold; generate fewer patches",
                shp_path().display()
            )));
        }
        self.dbf
            .write_all(&chunk.dbf)
            .map_err(|e| SynthError::io(&self.base.with_extension("dbf"), e))?;
        if let Some(b) = &chunk.bbox {
            self.bbox.union(b);
        }
        self.count += n as u64;
        Ok(())
    }

    /// Finishes the files: headers with lengths, bounding box and record count.
    pub(crate) fn finish(self) -> Result<u64, SynthError> {
        let LayerWriter {
            base,
            kind,
            shp,
            shx,
            dbf,
            fields,
            record_len,
            words,
            count,
            bbox,
            ..
        } = self;
        let shx_words = 50 + 4 * count;
        for (mut w, ext, len) in [(shp, "shp", words), (shx, "shx", shx_words)] {
            let path = base.with_extension(ext);
            let header = shp_header(kind, len, bbox.or_zero());
            w.seek(SeekFrom::Start(0))
                .and_then(|_| w.write_all(&header))
                .and_then(|_| w.flush())
                .map_err(|e| SynthError::io(&path, e))?;
        }
        let path = base.with_extension("dbf");
        let mut dbf = dbf;
        let count32 = u32::try_from(count)
            .map_err(|_| SynthError::TooLarge(format!("{}: too many records", path.display())))?;
        dbf.write_all(&[0x1A])
            .and_then(|_| dbf.seek(SeekFrom::Start(0)))
            .and_then(|_| dbf.write_all(&dbf_header(&fields, count32, record_len)))
            .and_then(|_| dbf.flush())
            .map_err(|e| SynthError::io(&path, e))?;
        Ok(count)
    }
}

fn shp_header(kind: ShapeType, words: u64, bbox: [f64; 4]) -> [u8; 100] {
    let mut h = [0u8; 100];
    h[..4].copy_from_slice(&9994i32.to_be_bytes());
    h[24..28].copy_from_slice(&(words as i32).to_be_bytes());
    h[28..32].copy_from_slice(&1000i32.to_le_bytes());
    h[32..36].copy_from_slice(&(kind as i32).to_le_bytes());
    for (k, v) in bbox.iter().enumerate() {
        h[36 + 8 * k..44 + 8 * k].copy_from_slice(&v.to_le_bytes());
    }
    h
}

fn dbf_header(fields: &[FieldDef], count: u32, record_len: usize) -> Vec<u8> {
    let header_len = 32 + 32 * fields.len() + 1;
    let mut h = vec![0u8; header_len];
    h[0] = 0x03;
    h[1..4].copy_from_slice(&DBF_DATE);
    h[4..8].copy_from_slice(&count.to_le_bytes());
    h[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
    h[10..12].copy_from_slice(&(record_len as u16).to_le_bytes());
    h[29] = LDID_GBK;
    for (k, f) in fields.iter().enumerate() {
        let d = &mut h[32 + 32 * k..64 + 32 * k];
        d[..f.name.len()].copy_from_slice(f.name.as_bytes());
        d[11] = f.kind;
        d[16] = f.len as u8;
        d[17] = f.dec;
    }
    h[header_len - 1] = 0x0D;
    h
}
