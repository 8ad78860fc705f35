//! One row of a table: its null flags, its values, its shape.
//!
//! A row is stored as a 32-bit length and that many bytes: first a bitmap with one bit per
//! nullable column (set: null), then the value of every column that is not null, in column
//! order: fixed-size numbers, dates and GUIDs, and length-prefixed text, shapes and blobs. The
//! OBJECTID is not stored (it is the row's number).
//!
//! [`RowDecoder::decode`] first walks the row to find where each value is (checking only the
//! lengths), then applies the box filter to the shape's stored envelope, and only then decodes
//! the values of the columns kept and the shape: a row left out is never decoded, nor is a
//! column not kept.

use std::path::{Path, PathBuf};

use tuban_core::layer::{Feature, Field, FieldKind, Value};

use super::bytes::{self, Bytes};
use super::geometry::{self, Grid};
use super::table::{FieldType, TableHeader};
use crate::error::ReadError;
use crate::read::{BoxFilter, Subset};

/// What became of a row.
pub(crate) enum Outcome {
    Feature(Feature),
    /// Left out by the box filter.
    Filtered,
}

/// Everything decoding a row needs; shared by the threads that decode rows in parallel.
pub(crate) struct RowDecoder<'a> {
    header: &'a TableHeader,
    /// For each column, whether its value goes into the layer.
    kept: Vec<bool>,
    grid: Option<Grid>,
    keep: Option<&'a BoxFilter>,
    /// The layer as messages name it (`x.gdb:DLTB`).
    label: &'a Path,
}

/// The layer field a column becomes, `None` for the columns that are not attributes (OBJECTID,
/// the shape) or that tuban does not read (blobs, rasters).
pub(crate) fn field_kind(kind: FieldType) -> Option<FieldKind> {
    Some(match kind {
        FieldType::Int16 | FieldType::Int32 | FieldType::Int64 => FieldKind::Integer,
        FieldType::Float32 | FieldType::Float64 => FieldKind::Float,
        FieldType::DateTime | FieldType::Date => FieldKind::Date,
        FieldType::String
        | FieldType::Guid
        | FieldType::GlobalId
        | FieldType::Xml
        | FieldType::Time
        | FieldType::DateTimeOffset => FieldKind::Text,
        FieldType::ObjectId
        | FieldType::Geometry
        | FieldType::Binary
        | FieldType::Raster { .. } => return None,
    })
}

impl<'a> RowDecoder<'a> {
    /// A decoder keeping the columns `subset` names (all attribute columns without a list) and
    /// the rows its box filter passes. Returns the layer's fields too.
    pub(crate) fn new(
        header: &'a TableHeader,
        subset: &'a Subset,
        label: &'a Path,
    ) -> (RowDecoder<'a>, Vec<Field>) {
        let mut fields = Vec::new();
        let kept = header
            .fields
            .iter()
            .map(|f| match field_kind(f.kind) {
                Some(kind) if subset.keeps_field(&f.name) => {
                    fields.push(Field::new(f.name.clone(), kind));
                    true
                }
                _ => false,
            })
            .collect();
        let grid = header.geometry.as_ref().map(|(_, g)| Grid {
            x_origin: g.x_origin,
            y_origin: g.y_origin,
            scale: g.xy_scale,
        });
        let decoder = RowDecoder {
            header,
            kept,
            grid,
            keep: subset.keep.as_ref(),
            label,
        };
        (decoder, fields)
    }

    /// Whether a box filter leaves rows out.
    pub(crate) fn filters(&self) -> bool {
        self.keep.is_some()
    }

    fn record_error(&self, record: usize, message: impl Into<String>) -> ReadError {
        ReadError::Record {
            path: self.label.to_path_buf(),
            record,
            message: advise(message.into()),
        }
    }

    /// Decodes row `record` (its OBJECTID) from its bytes (after the length).
    pub(crate) fn decode(&self, record: usize, row: &[u8]) -> Result<Outcome, ReadError> {
        let header = self.header;
        let mut b = Bytes::new(row);
        let damaged =
            |m: String| self.record_error(record, format!("the row {m}: the table is damaged"));
        let nulls = b
            .take(header.null_bytes, "its null flags")
            .map_err(damaged)?;
        // Where each column's value is: None when null (or not stored: OBJECTID).
        let mut slices: Vec<Option<&[u8]>> = Vec::with_capacity(header.fields.len());
        let mut bit = 0;
        for f in &header.fields {
            if f.nullable {
                let null = nulls[bit / 8] & (1 << (bit % 8)) != 0;
                bit += 1;
                if null {
                    slices.push(None);
                    continue;
                }
            }
            let what = || format!("value of {}", f.name);
            let fixed = match f.kind {
                FieldType::ObjectId => {
                    slices.push(None);
                    continue;
                }
                FieldType::Int16 => Some(2),
                FieldType::Int32 | FieldType::Float32 => Some(4),
                FieldType::Float64
                | FieldType::DateTime
                | FieldType::Date
                | FieldType::Time
                | FieldType::Int64 => Some(8),
                FieldType::DateTimeOffset => Some(10),
                FieldType::Guid | FieldType::GlobalId => Some(16),
                FieldType::Raster { managed: true } => Some(4),
                FieldType::String
                | FieldType::Xml
                | FieldType::Geometry
                | FieldType::Binary
                | FieldType::Raster { managed: false } => None,
            };
            let n = match fixed {
                Some(n) => n,
                None => {
                    let n = b
                        .varuint(&format!("the length of the {}", what()))
                        .map_err(damaged)?;
                    usize::try_from(n).unwrap_or(usize::MAX)
                }
            };
            slices.push(Some(
                b.take(n, &format!("the {}", what())).map_err(damaged)?,
            ));
        }
        let shape = header.geometry.as_ref().and_then(|(i, _)| slices[*i]);
        if let (Some(keep), Some(blob), Some(grid)) = (self.keep, shape, &self.grid) {
            let envelope =
                geometry::envelope(blob, grid).map_err(|m| self.record_error(record, m))?;
            if envelope.is_some_and(|r| !keep.keeps(&r)) {
                return Ok(Outcome::Filtered);
            }
        }
        let mut values = Vec::with_capacity(self.kept.iter().filter(|k| **k).count());
        for ((f, slice), kept) in header.fields.iter().zip(&slices).zip(&self.kept) {
            if !kept {
                continue;
            }
            let value = match slice {
                None => Value::Null,
                Some(raw) => {
                    value(f.kind, raw, header.strings_utf8).map_err(|m| ReadError::Field {
                        path: self.label.to_path_buf(),
                        record,
                        field: f.name.clone(),
                        message: advise(m),
                    })?
                }
            };
            values.push(value);
        }
        let geometry = match (shape, &self.grid) {
            (Some(blob), Some(grid)) => {
                geometry::decode(blob, grid).map_err(|m| self.record_error(record, m))?
            }
            _ => None,
        };
        Ok(Outcome::Feature(Feature::new(record, geometry, values)))
    }
}

/// Adds what to do to a message that ends by saying the table is damaged (the decoders' phrases
/// stop there).
fn advise(message: String) -> String {
    if message.ends_with("the table is damaged") {
        message + "; copy the .gdb folder again, or export the layer again"
    } else {
        message
    }
}

/// A column's value from its bytes (whose length the row walk has checked).
fn value(kind: FieldType, raw: &[u8], utf8: bool) -> Result<Value, String> {
    let mut b = Bytes::new(raw);
    let v = match kind {
        FieldType::Int16 => Value::Int(i64::from(b.i16("")?)),
        FieldType::Int32 => Value::Int(i64::from(b.i32("")?)),
        FieldType::Int64 => Value::Int(b.i64("")?),
        FieldType::Float32 => finite(f64::from(b.f32("")?))?,
        FieldType::Float64 => finite(b.f64("")?)?,
        FieldType::String if !utf8 => Value::Text(bytes::utf16(raw).ok_or_else(|| {
            "is not valid UTF-16 text (File Geodatabase text is Unicode): the table is damaged"
                .to_string()
        })?),
        FieldType::String | FieldType::Xml => Value::Text(
            std::str::from_utf8(raw)
                .map_err(|_| {
                    "is not valid UTF-8 text (File Geodatabase text is Unicode): the table is \
                     damaged"
                        .to_string()
                })?
                .to_string(),
        ),
        FieldType::DateTime | FieldType::Date => Value::Text(date_time(b.f64("")?, None)?),
        FieldType::DateTimeOffset => {
            let days = b.f64("")?;
            let minutes = b.i16("")?;
            Value::Text(date_time(days, Some(minutes))?)
        }
        FieldType::Time => {
            let day = b.f64("")?;
            if !(0.0..1.0).contains(&day) {
                return Err(format!("{day} is not a time of day (a fraction of a day)"));
            }
            let ms = (day * 86_400_000.0).round() as i64;
            Value::Text(clock(ms))
        }
        FieldType::Guid | FieldType::GlobalId => {
            let g = raw;
            Value::Text(format!(
                "{{{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}",
                g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
                g[13], g[14], g[15]
            ))
        }
        FieldType::ObjectId
        | FieldType::Geometry
        | FieldType::Binary
        | FieldType::Raster { .. } => {
            unreachable!("not an attribute")
        }
    };
    Ok(v)
}

fn finite(x: f64) -> Result<Value, String> {
    if x.is_finite() {
        Ok(Value::Float(x))
    } else {
        Err(format!(
            "holds {x}, which is not a number; fix the value in the attribute table"
        ))
    }
}

/// `HH:MM:SS`, with `.mmm` when there are milliseconds, for `ms` since midnight.
fn clock(ms: i64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    let hms = format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if ms == 0 {
        hms
    } else {
        format!("{hms}.{ms:03}")
    }
}

/// A date from days since 1899-12-30 (the OLE automation date the format stores):
/// `YYYY-MM-DD` when the time is midnight (as a shapefile date reads), else ISO 8601 with the
/// time (to the millisecond) and, when given, the UTC offset in minutes.
fn date_time(days: f64, offset: Option<i16>) -> Result<String, String> {
    // 0001-01-01 and 9999-12-31 as days since 1899-12-30.
    if !(days.is_finite() && (-693_593.0..2_958_466.0).contains(&days)) {
        return Err(format!(
            "{days} is not a date between the years 1 and 9999 (days since 1899-12-30); fix \
             the value in the attribute table"
        ));
    }
    let ms = (days * 86_400_000.0).round() as i64;
    let (day, ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil(day - 25_569); // 1970-01-01 is day 25569
    let date = format!("{y:04}-{m:02}-{d:02}");
    Ok(match offset {
        None if ms == 0 => date,
        None => format!("{date}T{}", clock(ms)),
        Some(minutes) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let a = minutes.unsigned_abs();
            format!("{date}T{}{sign}{:02}:{:02}", clock(ms), a / 60, a % 60)
        }
    })
}

/// The proleptic Gregorian date of `z` days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `x.gdb:DLTB`, the name messages give a feature class.
pub(crate) fn label(gdb: &Path, name: &str) -> PathBuf {
    let mut s = gdb.as_os_str().to_owned();
    s.push(":");
    s.push(name);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_1899_12_30() {
        // Checked with Python: datetime(1899,12,30) + timedelta(days=45366) == 2024-03-15.
        assert_eq!(date_time(45366.0, None).unwrap(), "2024-03-15");
        assert_eq!(date_time(0.0, None).unwrap(), "1899-12-30");
        assert_eq!(date_time(-1.0, None).unwrap(), "1899-12-29");
        assert_eq!(date_time(45366.5, None).unwrap(), "2024-03-15T12:00:00");
        assert_eq!(
            date_time(45366.75, Some(480)).unwrap(),
            "2024-03-15T18:00:00+08:00"
        );
        // 10:20:30.250 is 37230.25 s = 0.43090567... of a day.
        assert_eq!(
            date_time(45366.0 + 37_230.25 / 86_400.0, None).unwrap(),
            "2024-03-15T10:20:30.250"
        );
        assert!(date_time(f64::NAN, None).is_err());
        assert!(date_time(3e6, None).is_err());
        assert_eq!(clock(3_600_000 * 23 + 59 * 60_000), "23:59:00");
    }

    #[test]
    fn guids_are_shown_as_arcgis_shows_them() {
        // The bytes GDAL's reader shows as {12345678-9ABC-DEF0-1234-567890ABCDEF}.
        let raw = [
            0x78, 0x56, 0x34, 0x12, 0xBC, 0x9A, 0xF0, 0xDE, 0x12, 0x34, 0x56, 0x78, 0x90, 0xAB,
            0xCD, 0xEF,
        ];
        assert_eq!(
            value(FieldType::Guid, &raw, true).unwrap(),
            Value::Text("{12345678-9ABC-DEF0-1234-567890ABCDEF}".into())
        );
    }

    #[test]
    fn text_is_utf8_or_utf16_as_the_table_says() {
        let utf16: Vec<u8> = "中山村"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(
            value(FieldType::String, &utf16, false).unwrap(),
            Value::Text("中山村".into())
        );
        assert_eq!(
            value(FieldType::String, "中山村".as_bytes(), true).unwrap(),
            Value::Text("中山村".into())
        );
        assert!(value(FieldType::String, &[0xD6, 0xD0], true).is_err()); // GBK bytes
        assert!(value(FieldType::Float64, &f64::NAN.to_le_bytes(), true).is_err());
    }
}
