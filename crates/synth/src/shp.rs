//! Streaming shapefile writer: `.shp`, `.shx`, `.dbf`, `.cpg` and `.prj`, chunk by chunk.
//!
//! Records arrive in [`Chunk`]s built on worker threads; the writer appends them in order, adding
//! the record headers and index entries, and patches the headers (file lengths, bounding box,
//! record count) when it is finished. Memory is one chunk at a time, whatever the file's size.
//! Every byte is laid out by `tuban_io::shp::encode`, the encoder tuban's own shapefile output
//! uses: this module only streams.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tuban_io::shp::encode::{self, Bbox, DbfRecord};
pub(crate) use tuban_io::shp::encode::{DbfField, ShapeType};

use crate::SynthError;

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
        let start = self.shapes.len();
        let b = encode::push_parts(&mut self.shapes, kind, parts);
        self.lens.push((self.shapes.len() - start) as u32);
        self.grow_bbox(&b);
    }

    /// Appends a point.
    pub(crate) fn point(&mut self, x: f64, y: f64) {
        let b = encode::push_point(&mut self.shapes, x, y);
        self.lens.push(encode::POINT_CONTENT_LEN as u32);
        self.grow_bbox(&b);
    }

    /// Starts a DBF record (the deletion flag); the caller then adds every field in order.
    pub(crate) fn record(&mut self) -> DbfRecord<'_> {
        DbfRecord::start(&mut self.dbf)
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
    fields: Vec<DbfField<'static>>,
    record_len: usize,
    serial: Option<(usize, Serial)>,
    /// The length of the `.shp` so far: where the next record goes.
    shp_len: u64,
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

impl LayerWriter {
    /// Creates `base.shp`, `.shx`, `.dbf`, `.cpg` (GBK) and `.prj` (`prj`).
    pub(crate) fn create(
        base: &Path,
        kind: ShapeType,
        fields: &[DbfField<'static>],
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
        // Room for the headers, written when the lengths and the box are known.
        let zeros = [0u8; encode::HEADER_LEN];
        shp.write_all(&zeros)
            .map_err(|e| SynthError::io(&with("shp"), e))?;
        shx.write_all(&zeros)
            .map_err(|e| SynthError::io(&with("shx"), e))?;
        let record_len = encode::dbf_record_len(fields);
        let header = dbf_header(&with("dbf"), fields, 0)?;
        dbf.write_all(&header)
            .map_err(|e| SynthError::io(&with("dbf"), e))?;
        let width = |f: &DbfField| f.width as usize;
        let serial = serial.map(|s| {
            let offset = 1 + fields[..s.field].iter().map(width).sum::<usize>();
            assert!(s.prefix.len() + s.digits <= width(&fields[s.field]));
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
            shp_len: encode::HEADER_LEN as u64,
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
        let shp_path = self.base.with_extension("shp");
        let too_large = || {
            SynthError::TooLarge(format!(
                "{}: more than 4 GiB, the most a shapefile can hold; generate fewer patches",
                shp_path.display()
            ))
        };
        let mut at = 0usize;
        for (k, &len) in chunk.lens.iter().enumerate() {
            let len = len as usize;
            let number = (self.count + 1) as usize + k;
            let head = encode::record_header(number, len).map_err(|_| too_large())?;
            let idx = encode::index_entry(self.shp_len, len).map_err(|_| too_large())?;
            self.shp
                .write_all(&head)
                .and_then(|_| self.shp.write_all(&chunk.shapes[at..at + len]))
                .map_err(|e| SynthError::io(&shp_path, e))?;
            self.shx
                .write_all(&idx)
                .map_err(|e| SynthError::io(&self.base.with_extension("shx"), e))?;
            at += len;
            self.shp_len += (encode::RECORD_HEADER_LEN + len) as u64;
        }
        if encode::words(self.shp_len).is_err() {
            return Err(too_large());
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
            shp_len,
            count,
            bbox,
            ..
        } = self;
        let shx_len = (encode::HEADER_LEN + encode::RECORD_HEADER_LEN * count as usize) as u64;
        for (mut w, ext, len) in [(shp, "shp", shp_len), (shx, "shx", shx_len)] {
            let path = base.with_extension(ext);
            let header = encode::file_header(kind, len, &bbox).map_err(|e| {
                SynthError::TooLarge(format!("{}: {e}; generate fewer patches", path.display()))
            })?;
            w.seek(SeekFrom::Start(0))
                .and_then(|_| w.write_all(&header))
                .and_then(|_| w.flush())
                .map_err(|e| SynthError::io(&path, e))?;
        }
        let path = base.with_extension("dbf");
        let mut dbf = dbf;
        let count32 = u32::try_from(count)
            .map_err(|_| SynthError::TooLarge(format!("{}: too many records", path.display())))?;
        let header = dbf_header(&path, &fields, count32)?;
        dbf.write_all(&[encode::DBF_END])
            .and_then(|_| dbf.seek(SeekFrom::Start(0)))
            .and_then(|_| dbf.write_all(&header))
            .and_then(|_| dbf.flush())
            .map_err(|e| SynthError::io(&path, e))?;
        Ok(count)
    }
}

/// The `.dbf` header: GBK (language driver 0x4D), dated [`DBF_DATE`].
fn dbf_header(path: &Path, fields: &[DbfField], count: u32) -> Result<Vec<u8>, SynthError> {
    encode::dbf_header(fields, count, DBF_DATE, encode::LDID_GBK)
        .map_err(|e| SynthError::Invalid(format!("{}: {e}", path.display())))
}
