//! A streaming GeoTIFF writer for the DEM: Float32, one band, 256 × 256 tiles, deflate with the
//! floating-point predictor (TIFF Technical Note 3), GeoKeys for a projected EPSG code and
//! GDAL_NODATA. Tiles are written a row of tiles at a time; the directory goes at the end of the
//! file, so nothing but one row of tiles is ever in memory.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::write::ZlibEncoder;
use flate2::Compression;

use crate::SynthError;

/// Tile side in cells.
pub(crate) const TILE: usize = 256;

/// The georeferencing and layout of the raster.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RasterSpec {
    pub cols: usize,
    pub rows: usize,
    /// Upper-left corner.
    pub x0: f64,
    pub y0: f64,
    pub cell: f64,
    pub epsg: u16,
    pub nodata: f32,
}

impl RasterSpec {
    pub(crate) fn tiles_across(&self) -> usize {
        self.cols.div_ceil(TILE)
    }
    pub(crate) fn tiles_down(&self) -> usize {
        self.rows.div_ceil(TILE)
    }
}

pub(crate) struct TiffWriter {
    path: PathBuf,
    w: BufWriter<File>,
    spec: RasterSpec,
    offsets: Vec<u64>,
    counts: Vec<u64>,
    pos: u64,
}

/// Compresses one tile (`TILE × TILE` values, row-major) with the floating-point predictor.
pub(crate) fn encode_tile(values: &[f32]) -> Vec<u8> {
    debug_assert_eq!(values.len(), TILE * TILE);
    let mut enc = ZlibEncoder::new(Vec::with_capacity(TILE * TILE * 2), Compression::fast());
    let mut row = vec![0u8; TILE * 4];
    for r in values.chunks_exact(TILE) {
        // Byte planes of the big-endian values (most significant first), then differences.
        for (k, v) in r.iter().enumerate() {
            let b = v.to_be_bytes();
            row[k] = b[0];
            row[TILE + k] = b[1];
            row[2 * TILE + k] = b[2];
            row[3 * TILE + k] = b[3];
        }
        for i in (1..row.len()).rev() {
            row[i] = row[i].wrapping_sub(row[i - 1]);
        }
        enc.write_all(&row).expect("writing to memory");
    }
    enc.finish().expect("writing to memory")
}

impl TiffWriter {
    pub(crate) fn create(path: &Path, spec: RasterSpec) -> Result<Self, SynthError> {
        let f = File::create(path).map_err(|e| SynthError::io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        // Classic little-endian TIFF; the directory offset is patched in `finish`.
        w.write_all(&[b'I', b'I', 42, 0, 0, 0, 0, 0])
            .map_err(|e| SynthError::io(path, e))?;
        Ok(TiffWriter {
            path: path.to_path_buf(),
            w,
            spec,
            offsets: Vec::new(),
            counts: Vec::new(),
            pos: 8,
        })
    }

    /// Appends the next tile (in row-major tile order), already encoded.
    pub(crate) fn tile(&mut self, data: &[u8]) -> Result<(), SynthError> {
        self.w
            .write_all(data)
            .map_err(|e| SynthError::io(&self.path, e))?;
        self.offsets.push(self.pos);
        self.counts.push(data.len() as u64);
        self.pos += data.len() as u64;
        if self.pos & 1 == 1 {
            self.w
                .write_all(&[0])
                .map_err(|e| SynthError::io(&self.path, e))?;
            self.pos += 1;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<u64, SynthError> {
        let s = self.spec;
        let n = s.tiles_across() * s.tiles_down();
        assert_eq!(self.offsets.len(), n, "every tile written");
        let too_large = || {
            SynthError::TooLarge(format!(
                "{}: the DEM passes 4 GiB, the most a classic TIFF holds; generate fewer patches or none (dem = false)",
                self.path.display()
            ))
        };
        // Out-of-line values first, then the directory.
        let mut extra: Vec<u8> = Vec::new();
        let base = self.pos;
        let mut put = |bytes: &[u8]| -> u64 {
            let at = base + extra.len() as u64;
            extra.extend_from_slice(bytes);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
            at
        };
        let u32s = |v: &[u64]| -> Option<Vec<u8>> {
            let mut b = Vec::with_capacity(v.len() * 4);
            for &x in v {
                b.extend_from_slice(&u32::try_from(x).ok()?.to_le_bytes());
            }
            Some(b)
        };
        let offsets = u32s(&self.offsets).ok_or_else(too_large)?;
        let counts = u32s(&self.counts).ok_or_else(too_large)?;
        let f64s = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let u16s = |v: &[u16]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let nodata = format!("{}\0", s.nodata);
        let geokeys: Vec<u16> = vec![
            1, 1, 0, 4, // version, revision, minor, number of keys
            1024, 0, 1, 1, // GTModelType: projected
            1025, 0, 1, 1, // GTRasterType: PixelIsArea
            3072, 0, 1, s.epsg, // ProjectedCSType
            3076, 0, 1, 9001, // ProjLinearUnits: metre
        ];
        // (tag, type, count, value or offset). Types: 3 SHORT, 4 LONG, 12 DOUBLE, 2 ASCII.
        let mut entries: Vec<(u16, u16, u32, u32)> = Vec::new();
        let offsets_at = if n == 1 {
            None
        } else {
            Some((put(&offsets), put(&counts)))
        };
        let scale_at = put(&f64s(&[s.cell, s.cell, 0.0]));
        let tie_at = put(&f64s(&[0.0, 0.0, 0.0, s.x0, s.y0, 0.0]));
        let keys_at = put(&u16s(&geokeys));
        let nodata_at = put(nodata.as_bytes());
        let off32 = |v: u64| u32::try_from(v).map_err(|_| too_large());
        entries.push((256, 4, 1, s.cols as u32));
        entries.push((257, 4, 1, s.rows as u32));
        entries.push((258, 3, 1, 32));
        entries.push((259, 3, 1, 8)); // deflate
        entries.push((262, 3, 1, 1)); // BlackIsZero
        entries.push((277, 3, 1, 1));
        entries.push((284, 3, 1, 1));
        entries.push((317, 3, 1, 3)); // floating-point predictor
        entries.push((322, 4, 1, TILE as u32));
        entries.push((323, 4, 1, TILE as u32));
        match offsets_at {
            None => {
                entries.push((324, 4, 1, off32(self.offsets[0])?));
                entries.push((325, 4, 1, off32(self.counts[0])?));
            }
            Some((o, c)) => {
                entries.push((324, 4, n as u32, off32(o)?));
                entries.push((325, 4, n as u32, off32(c)?));
            }
        }
        entries.push((339, 3, 1, 3)); // IEEE float
        entries.push((33550, 12, 3, off32(scale_at)?));
        entries.push((33922, 12, 6, off32(tie_at)?));
        entries.push((34735, 3, geokeys.len() as u32, off32(keys_at)?));
        entries.push((42113, 2, nodata.len() as u32, off32(nodata_at)?));
        let ifd_at = off32(base + extra.len() as u64)?;
        let mut ifd = Vec::with_capacity(2 + 12 * entries.len() + 4);
        ifd.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, ty, count, value) in entries {
            ifd.extend_from_slice(&tag.to_le_bytes());
            ifd.extend_from_slice(&ty.to_le_bytes());
            ifd.extend_from_slice(&count.to_le_bytes());
            // A SHORT held inline sits in the first two bytes of the value field.
            ifd.extend_from_slice(&value.to_le_bytes());
        }
        ifd.extend_from_slice(&0u32.to_le_bytes());
        let path = self.path.clone();
        let io = |e| SynthError::io(&path, e);
        self.w.write_all(&extra).map_err(io)?;
        self.w.write_all(&ifd).map_err(io)?;
        let total = base + extra.len() as u64 + ifd.len() as u64;
        self.w.seek(SeekFrom::Start(4)).map_err(io)?;
        self.w.write_all(&ifd_at.to_le_bytes()).map_err(io)?;
        self.w.flush().map_err(io)?;
        Ok(total)
    }
}
