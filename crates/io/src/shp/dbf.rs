//! The `.dbf` attribute table: its header and field descriptors, the records' raw bytes, and
//! each value's decoding (see [Attributes](super#attributes)).

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tuban_core::layer::{FieldKind, Value};

use super::encoding::{decode_text, Codec, Problem, TextEncoding};
use super::source_len;
use crate::error::ReadError;
use crate::read::Subset;

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
pub(super) struct FieldSpec {
    pub(super) name: String,
    pub(super) kind: FieldKind,
    decode: Decode,
    dbf_type: u8,
    /// Byte offset in the record (after the deletion flag).
    pub(super) offset: usize,
    pub(super) len: usize,
    decimals: u8,
}

/// An open `.dbf`, positioned at its first record.
pub(super) struct Dbf<R> {
    path: PathBuf,
    reader: BufReader<R>,
    pub(super) num_records: usize,
    header_len: usize,
    pub(super) record_len: usize,
    pub(super) ldid: u8,
    raw_fields: Vec<RawField>,
}

impl<R: Read + Seek> Dbf<R> {
    pub(super) fn open(path: &Path, mut source: R) -> Result<Dbf<R>, ReadError> {
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
    pub(super) fn field_specs(
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
    pub(super) fn rewind(&mut self) -> Result<(), ReadError> {
        self.reader
            .seek(SeekFrom::Start(self.header_len as u64))
            .map(|_| ())
            .map_err(|e| ReadError::io(&self.path, e))
    }

    pub(super) fn read_record(&mut self, buf: &mut [u8], record: usize) -> Result<(), ReadError> {
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

pub(super) fn parse_value(
    spec: &FieldSpec,
    bytes: &[u8],
    text: &TextEncoding,
) -> Result<Value, Problem> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert_eq!(parse_date(b"20240229").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date(b"20230229"), None);
        assert_eq!(parse_date(b"2023-1-1"), None);
    }
}
