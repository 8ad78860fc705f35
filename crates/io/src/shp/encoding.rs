//! The text encoding of the `.dbf`: chosen from the user's word, the `.cpg` or the language
//! driver byte, in that order, and applied strictly (see [Text encoding](super#text-encoding)).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use encoding_rs::Encoding;

use crate::error::ReadError;
use crate::read::{encoding_by_name, ReadOptions};

/// How the `.dbf` text is decoded.
pub(super) enum Codec {
    /// A known encoding (ASCII-compatible).
    Enc(&'static Encoding),
    /// Nothing says what the encoding is: only ASCII text can be read. `why` says what was
    /// looked at, e.g. `no .cpg file, language driver 0x00`.
    AsciiOnly { why: String },
}

/// The chosen decoding and how it was chosen.
pub(super) struct TextEncoding {
    pub(super) codec: Codec,
    /// e.g. `GBK (from .cpg)`; for [`Codec::AsciiOnly`] unused.
    pub(super) label: String,
}

pub(super) fn choose_encoding(
    opts: &ReadOptions,
    cpg: Option<(&Path, &[u8])>,
    dbf: &Path,
    ldid: u8,
) -> Result<TextEncoding, ReadError> {
    if let Some(name) = &opts.encoding {
        let (enc, label) = encoding_by_name(name).ok_or_else(|| ReadError::Encoding {
            path: dbf.to_path_buf(),
            message: format!(
                "unknown text encoding {name:?} (given with --encoding); use GBK, GB18030 or \
                 UTF-8 (other code pages such as Big5 or windows-1252 are known too)"
            ),
        })?;
        return Ok(TextEncoding {
            codec: Codec::Enc(enc),
            label: format!("{label} (given by the user)"),
        });
    }
    let mut cpg_note = "no .cpg file";
    if let Some((cpg, bytes)) = cpg {
        match cpg_name(cpg, bytes)? {
            Some(name) => {
                let (enc, label) = encoding_by_name(&name).ok_or_else(|| ReadError::Encoding {
                    path: cpg.to_path_buf(),
                    message: format!(
                        "the .cpg file names the text encoding {name:?}, which tuban does not \
                         know; fix the .cpg (it usually says GBK or UTF-8) or say the encoding \
                         with --encoding GBK or --encoding UTF-8"
                    ),
                })?;
                return Ok(TextEncoding {
                    codec: Codec::Enc(enc),
                    label: format!("{label} (from .cpg)"),
                });
            }
            None => cpg_note = "empty .cpg file",
        }
    }
    match ldid_encoding(ldid) {
        Ok((enc, label)) => Ok(TextEncoding {
            codec: Codec::Enc(enc),
            label: format!("{label} (from language driver 0x{ldid:02X})"),
        }),
        Err(why) => Ok(TextEncoding {
            codec: Codec::AsciiOnly {
                why: format!("{cpg_note}, {why}"),
            },
            label: String::new(),
        }),
    }
}

/// A `.cpg` longer than this is junk.
pub(super) const CPG_MAX: usize = 1024;

/// The first `CPG_MAX + 1` bytes of a `.cpg` file.
pub(super) fn read_cpg_bytes(cpg: &Path) -> Result<Vec<u8>, ReadError> {
    let file = File::open(cpg).map_err(|e| ReadError::io(cpg, e))?;
    let mut bytes = Vec::new();
    file.take(CPG_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(cpg, e))?;
    Ok(bytes)
}

/// The encoding name in a `.cpg`'s bytes; `None` if it is blank.
fn cpg_name(cpg: &Path, bytes: &[u8]) -> Result<Option<String>, ReadError> {
    let junk = || ReadError::Encoding {
        path: cpg.to_path_buf(),
        message: "does not hold an encoding name (it should hold a word like GBK or UTF-8); fix \
                  or delete it, or say the encoding with --encoding GBK or --encoding UTF-8"
            .into(),
    };
    if bytes.len() > CPG_MAX {
        return Err(junk());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| junk())?;
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if text.is_empty() {
        return Ok(None);
    }
    if text.contains(['\n', '\r']) || text.chars().any(char::is_control) {
        return Err(junk());
    }
    Ok(Some(text.to_string()))
}

/// The encoding a `.dbf` language driver ID names, or why it names none tuban can use.
fn ldid_encoding(ldid: u8) -> Result<(&'static Encoding, &'static str), String> {
    use encoding_rs::*;
    let enc: &'static Encoding = match ldid {
        0x4D | 0x7A => return Ok((GBK, "GBK")),
        0x4F | 0x78 => BIG5,
        0x4E | 0x79 => EUC_KR,
        0x13 | 0x7B => SHIFT_JIS,
        0x03 | 0x58 | 0x59 => WINDOWS_1252,
        0x50 | 0x7C => WINDOWS_874,
        0x7D => WINDOWS_1255,
        0x7E => WINDOWS_1256,
        0xC8 => WINDOWS_1250,
        0xC9 => WINDOWS_1251,
        0xCA => WINDOWS_1254,
        0xCB => WINDOWS_1253,
        0xCC => WINDOWS_1257,
        0x26 | 0x65 => IBM866,
        0x00 => return Err("language driver 0x00".into()),
        0x57 => {
            return Err(
                "language driver 0x57, which only says \"the writing computer's ANSI \
                        code page\" without saying which"
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "language driver 0x{other:02X}, whose code page tuban cannot decode"
            ))
        }
    };
    Ok((enc, enc.name()))
}

/// Why a value could not be read.
pub(super) enum Problem {
    /// Non-ASCII text while the encoding is unknown.
    NonAscii,
    /// Bytes invalid in the chosen encoding.
    BadText,
    /// Anything else; the message says what to do.
    Msg(String),
}

impl Problem {
    pub(super) fn into_error(
        self,
        dbf: &Path,
        record: usize,
        field: &str,
        text: &TextEncoding,
    ) -> ReadError {
        match (self, &text.codec) {
            (Problem::NonAscii, Codec::AsciiOnly { why }) => ReadError::Encoding {
                path: dbf.to_path_buf(),
                message: format!(
                    "cannot tell the text encoding ({why}), and record {record}, field {field} \
                     holds non-ASCII text; say it with --encoding GBK or --encoding UTF-8"
                ),
            },
            (Problem::Msg(message), _) => ReadError::Field {
                path: dbf.to_path_buf(),
                record,
                field: field.to_string(),
                message,
            },
            (_, _) => ReadError::Field {
                path: dbf.to_path_buf(),
                record,
                field: field.to_string(),
                message: format!(
                    "the text is not valid {}; if the file uses another encoding, say it with \
                     --encoding (e.g. --encoding GBK or --encoding UTF-8)",
                    text.label
                ),
            },
        }
    }
}

/// Decodes `bytes` (already trimmed) strictly; see the module documentation.
pub(super) fn decode_text(bytes: &[u8], codec: &Codec) -> Result<String, Problem> {
    if bytes.is_ascii() {
        return Ok(String::from_utf8_lossy(bytes).into_owned());
    }
    let enc = match codec {
        Codec::AsciiOnly { .. } => return Err(Problem::NonAscii),
        Codec::Enc(enc) => enc,
    };
    if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(s.into_owned());
    }
    // A multi-byte character cut in half at the end by the writer: drop the stump.
    for cut in 1..=3.min(bytes.len()) {
        let (head, tail) = bytes.split_at(bytes.len() - cut);
        if tail.iter().any(|b| b.is_ascii()) {
            break;
        }
        if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(head) {
            return Ok(s.into_owned());
        }
    }
    Err(Problem::BadText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_multibyte_character_at_the_end_is_dropped() {
        let codec = Codec::Enc(encoding_rs::GBK);
        let (bytes, _, _) = encoding_rs::GBK.encode("隘口村");
        assert_eq!(
            decode_text(&bytes[..5], &codec).ok().as_deref(),
            Some("隘口")
        );
        assert!(decode_text(&bytes, &Codec::AsciiOnly { why: String::new() }).is_err());
        let utf8 = Codec::Enc(encoding_rs::UTF_8);
        assert!(matches!(decode_text(&bytes, &utf8), Err(Problem::BadText)));
    }
}
