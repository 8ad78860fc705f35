//! Opening a GeoTIFF DEM: the first image directory's tags (size, sample type, layout,
//! georeferencing, nodata) and GeoKeys, each checked, into a [`Dem`] ready to read windows.

use std::collections::HashMap;
use std::path::Path;

use std::sync::Mutex;

use tiff::decoder::ChunkType;
use tiff::tags::Tag;
use tiff::ColorType;
use tuban_core::raster::{CrsKind, GeoTransform, GridSpec};

use super::{new_decoder, tiff_error, ChunkCache, Dem, DemError, SampleType, TiffDecoder};

/// Key ids of the GeoKeyDirectory that matter here.
const GT_MODEL_TYPE: u16 = 1024;
const GT_RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const GEOG_ANGULAR_UNITS: u16 = 2054;
const PROJECTED_CS_TYPE: u16 = 3072;
const PROJ_LINEAR_UNITS: u16 = 3076;

/// The short (inline) values of a GeoKeyDirectory, by key id.
fn geo_keys(dir: &[u16]) -> HashMap<u16, u16> {
    let mut keys = HashMap::new();
    if dir.len() < 4 {
        return keys;
    }
    let n = dir[3] as usize;
    for k in 0..n {
        let Some(e) = dir.get(4 + 4 * k..8 + 4 * k) else {
            break;
        };
        // Location 0: the value is the fourth short itself.
        if e[1] == 0 {
            keys.insert(e[0], e[3]);
        }
    }
    keys
}

impl Dem {
    /// Opens a GeoTIFF DEM and reads its header (no raster data yet). Errors name the file and
    /// say what to do:
    ///
    /// ```
    /// use tuban_io::geotiff::{Dem, DemError};
    ///
    /// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/geotiff/");
    /// let e = Dem::open(format!("{dir}rotated.tif")).unwrap_err();
    /// assert!(matches!(e, DemError::Georeferencing { .. }));
    /// assert!(e.to_string().contains("rotated or sheared"));
    /// assert!(e.to_string().contains("gdalwarp"));
    ///
    /// let dem = Dem::open(format!("{dir}int16_tiled_deflate.tif"))?;
    /// assert!(dem.is_tiled());
    /// assert_eq!(dem.chunk_shape(), (64, 64));
    /// # Ok::<(), DemError>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Dem, DemError> {
        let path = path.as_ref().to_path_buf();
        let mut d = new_decoder(&path)?;
        let unsupported = |what: String| DemError::Unsupported {
            path: path.clone(),
            what,
        };
        let georef = |what: String| DemError::Georeferencing {
            path: path.clone(),
            what,
        };
        let (width, height) = d
            .dimensions()
            .map_err(|e| tiff_error(&path, e, "reading the size"))?;
        let color = d.colortype().map_err(|e| {
            unsupported(format!(
                "unsupported raster layout ({e}); a DEM must be a single band of numbers: \
                 `gdal_translate -b 1 -ot Float32 IN OUT.tif`"
            ))
        })?;
        let bits = match color {
            ColorType::Gray(b) => b,
            ColorType::Multiband { num_samples, .. } => {
                return Err(unsupported(format!(
                    "the raster has {num_samples} bands; a DEM has one: extract the elevation band \
                     with `gdal_translate -b 1 IN OUT.tif`"
                )))
            }
            other => {
                return Err(unsupported(format!(
                    "the raster is an image ({other:?}), not a single band of elevations; export \
                     the DEM as a one-band GeoTIFF (`gdal_translate -b 1 -ot Float32 IN OUT.tif`)"
                )))
            }
        };
        let format = d
            .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
            .map_err(|e| tiff_error(&path, e, "reading SampleFormat"))?
            .and_then(|v| v.first().copied())
            .unwrap_or(1);
        let sample_type = match (format, bits) {
            (1, 8) => SampleType::U8,
            (1, 16) => SampleType::U16,
            (1, 32) => SampleType::U32,
            (2, 8) => SampleType::I8,
            (2, 16) => SampleType::I16,
            (2, 32) => SampleType::I32,
            (3, 32) => SampleType::F32,
            (3, 64) => SampleType::F64,
            _ => {
                let kind = match format {
                    1 => "unsigned integer",
                    2 => "signed integer",
                    3 => "floating-point",
                    5 | 6 => "complex",
                    _ => "undefined",
                };
                return Err(unsupported(format!(
                    "{bits}-bit {kind} samples are not supported (tuban reads 8-, 16- and 32-bit \
                     integers and 32- and 64-bit floats); convert with \
                     `gdal_translate -ot Float32 IN OUT.tif`"
                )));
            }
        };

        // Georeferencing.
        let keys =
            match d
                .find_tag_unsigned_vec::<u16>(Tag::GeoKeyDirectoryTag)
                .map_err(|e| tiff_error(&path, e, "reading the GeoKeyDirectory"))?
            {
                Some(dir) => geo_keys(&dir),
                None => return Err(georef(
                    "the file has no GeoTIFF keys, so its coordinate system is unknown; assign it \
                     with `gdal_edit.py -a_srs EPSG:4544 FILE` (or the right code)"
                        .into(),
                )),
            };
        let model = keys.get(&GT_MODEL_TYPE).copied();
        let crs_kind =
            match model {
                Some(1) => CrsKind::Projected,
                Some(2) => CrsKind::Geographic,
                Some(3) => {
                    return Err(georef(
                        "the raster is in geocentric coordinates; warp it to a projected CRS \
                     (e.g. `gdalwarp -t_srs EPSG:4544`)"
                            .into(),
                    ))
                }
                _ if keys.contains_key(&PROJECTED_CS_TYPE) => CrsKind::Projected,
                _ if keys.contains_key(&GEOGRAPHIC_TYPE) => CrsKind::Geographic,
                _ => return Err(georef(
                    "the GeoTIFF keys do not say whether the raster is projected or geographic; \
                     assign the CRS with `gdal_edit.py -a_srs EPSG:4544 FILE` (or the right code)"
                        .into(),
                )),
            };
        let code = |k: u16| keys.get(&k).copied().filter(|&v| v > 0 && v < 32767);
        let epsg = match crs_kind {
            CrsKind::Projected => code(PROJECTED_CS_TYPE),
            CrsKind::Geographic => code(GEOGRAPHIC_TYPE),
        }
        .map(u32::from);
        match crs_kind {
            CrsKind::Projected => {
                if let Some(u) = keys.get(&PROJ_LINEAR_UNITS).filter(|&&u| u != 9001) {
                    return Err(georef(format!(
                        "the coordinates are in linear unit {u} (EPSG), not metres; warp the DEM \
                         to metres, e.g. `gdalwarp -t_srs EPSG:4544 IN OUT.tif`"
                    )));
                }
            }
            CrsKind::Geographic => {
                if let Some(u) = keys.get(&GEOG_ANGULAR_UNITS).filter(|&&u| u != 9102) {
                    return Err(georef(format!(
                        "the coordinates are in angular unit {u} (EPSG), not degrees; warp the DEM \
                         with `gdalwarp -t_srs EPSG:4490 IN OUT.tif`"
                    )));
                }
            }
        }
        let pixel_is_point = keys.get(&GT_RASTER_TYPE) == Some(&2);

        let f64_tag = |d: &mut TiffDecoder, tag: Tag, name: &str| {
            d.find_tag(tag)
                .map_err(|e| tiff_error(&path, e, &format!("reading {name}")))?
                .map(|v| v.into_f64_vec())
                .transpose()
                .map_err(|e| tiff_error(&path, e, &format!("reading {name}")))
        };
        let transform = f64_tag(&mut d, Tag::ModelTransformationTag, "ModelTransformation")?;
        let scale = f64_tag(&mut d, Tag::ModelPixelScaleTag, "ModelPixelScale")?;
        let tiepoints = f64_tag(&mut d, Tag::ModelTiepointTag, "ModelTiepoint")?;
        let (mut x0, mut y0, w, h) = if let Some(m) = transform {
            if m.len() < 16 {
                return Err(georef(format!(
                    "ModelTransformation has {} values instead of 16; re-export the DEM",
                    m.len()
                )));
            }
            if m[1] != 0.0 || m[4] != 0.0 {
                return Err(georef(
                    "the raster is rotated or sheared; tuban reads north-up rasters only: warp it \
                     with `gdalwarp -t_srs EPSG:4544 IN OUT.tif` (or the right code)"
                        .into(),
                ));
            }
            (m[3], m[7], m[0], -m[5])
        } else {
            match (scale, tiepoints) {
                (Some(s), Some(t)) if s.len() >= 2 && t.len() >= 6 => {
                    (t[3] - t[0] * s[0], t[4] + t[1] * s[1], s[0], s[1])
                }
                (None, Some(t)) if t.len() >= 12 => return Err(georef(
                    "the raster is georeferenced by ground control points, not a grid; warp it \
                         first with `gdalwarp -t_srs EPSG:4544 IN OUT.tif` (or the right code)"
                        .into(),
                )),
                _ => {
                    return Err(georef(
                        "the file has no georeferencing (ModelPixelScale and ModelTiepoint, or \
                         ModelTransformation); georeference the DEM in a GIS, or with \
                         `gdal_translate -a_ullr ULX ULY LRX LRY -a_srs EPSG:4544 IN OUT.tif`"
                            .into(),
                    ))
                }
            }
        };
        let finite = w.is_finite() && h.is_finite() && x0.is_finite() && y0.is_finite();
        if !(finite && w > 0.0 && h > 0.0) {
            return Err(georef(format!(
                "the cell size ({w}, {h}) or corner ({x0}, {y0}) is not a north-up grid; warp it \
                 with `gdalwarp` to a north-up raster"
            )));
        }
        if pixel_is_point {
            x0 -= 0.5 * w;
            y0 += 0.5 * h;
        }

        let nodata = match d.find_tag(Tag::GdalNodata) {
            Ok(Some(v)) => {
                let s = v
                    .into_string()
                    .map_err(|e| tiff_error(&path, e, "reading GDAL_NODATA"))?;
                let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
                let parsed: f64 = match s.to_ascii_lowercase().as_str() {
                    "nan" | "-nan" => f64::NAN,
                    "inf" | "+inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    t => t.parse().map_err(|_| {
                        georef(format!(
                            "the nodata value {s:?} (GDAL_NODATA) is not a number; fix it with \
                             `gdal_edit.py -a_nodata -9999 FILE`"
                        ))
                    })?,
                };
                if parsed.is_nan() {
                    None // NaN cells are missing anyway
                } else if sample_type == SampleType::F32 {
                    Some(parsed as f32 as f64)
                } else {
                    Some(parsed)
                }
            }
            Ok(None) => None,
            Err(e) => return Err(tiff_error(&path, e, "reading GDAL_NODATA")),
        };

        // Storage layout, and a check that every chunk lies inside the file.
        let chunk_type = d.get_chunk_type();
        let (cw, ch) = d.chunk_dimensions();
        if cw == 0 || ch == 0 {
            return Err(DemError::Decode {
                path: path.clone(),
                detail: format!("the header gives strips or tiles of {cw} × {ch} pixels"),
            });
        }
        let (cw, ch) = (cw as usize, ch as usize);
        let (width, height) = (width as usize, height as usize);
        let (chunks_across, needed, offsets_tag, counts_tag) = match chunk_type {
            ChunkType::Strip => (
                1,
                height.div_ceil(ch),
                Tag::StripOffsets,
                Tag::StripByteCounts,
            ),
            ChunkType::Tile => (
                width.div_ceil(cw),
                width.div_ceil(cw) * height.div_ceil(ch),
                Tag::TileOffsets,
                Tag::TileByteCounts,
            ),
        };
        let offsets = d
            .find_tag_unsigned_vec::<u64>(offsets_tag)
            .map_err(|e| tiff_error(&path, e, "reading the chunk offsets"))?
            .unwrap_or_default();
        let counts = d
            .find_tag_unsigned_vec::<u64>(counts_tag)
            .map_err(|e| tiff_error(&path, e, "reading the chunk sizes"))?
            .unwrap_or_default();
        if offsets.len() < needed || counts.len() < needed {
            return Err(DemError::Truncated {
                path: path.clone(),
                detail: format!(
                    "the header lists {} data chunks where a {width} × {height} raster needs {needed}",
                    offsets.len().min(counts.len())
                ),
            });
        }
        let file_len = std::fs::metadata(&path)
            .map_err(|source| DemError::Io {
                path: path.clone(),
                source,
            })?
            .len();
        for (i, (&o, &c)) in offsets.iter().zip(&counts).take(needed).enumerate() {
            if o.checked_add(c).is_none_or(|end| end > file_len) {
                return Err(DemError::Truncated {
                    path: path.clone(),
                    detail: format!(
                        "data chunk {i} ends at byte {} but the file has {file_len} bytes",
                        o.saturating_add(c)
                    ),
                });
            }
        }

        Ok(Dem {
            spec: GridSpec {
                transform: GeoTransform::new(x0, y0, w, h),
                cols: width,
                rows: height,
                nodata,
                crs_kind,
            },
            epsg,
            sample_type,
            pixel_is_point,
            chunk_type,
            chunk_cols: cw,
            chunk_rows: ch,
            chunks_across,
            decoders: Mutex::new(vec![d]),
            cache: Mutex::new(ChunkCache::default()),
            path,
        })
    }
}
