//! Reading the format's primitives from a byte slice, every read checked: little-endian integers
//! and floats, the two variable-length integer codings, and UTF-16 names.
//!
//! Errors are short phrases ("ends inside the WKT of field SHAPE") that the callers complete
//! with the file, the row and what to do.

/// A position in a byte slice.
pub(super) struct Bytes<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Bytes { buf, pos: 0 }
    }

    /// Bytes left.
    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if n > self.remaining() {
            return Err(format!(
                "ends inside {what} ({n} bytes needed, {} left)",
                self.remaining()
            ));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let b = self.take(N, what)?;
        Ok(b.try_into().expect("N bytes"))
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(super) fn u16(&mut self, what: &str) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(super) fn i16(&mut self, what: &str) -> Result<i16, String> {
        Ok(i16::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn i32(&mut self, what: &str) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn i64(&mut self, what: &str) -> Result<i64, String> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    pub(super) fn f32(&mut self, what: &str) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn f64(&mut self, what: &str) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// An unsigned variable-length integer: 7 bits a byte, least significant first, the high
    /// bit set on every byte but the last.
    pub(super) fn varuint(&mut self, what: &str) -> Result<u64, String> {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8(what)?;
            let bits = u64::from(b & 0x7F);
            if shift >= 64 || (shift > 57 && bits >> (64 - shift) != 0) {
                return Err(format!("{what} is a number too large for 64 bits"));
            }
            value |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// A signed variable-length integer: the first byte holds the sign (0x40) and 6 bits, the
    /// others 7 bits each, least significant first; the high bit continues.
    pub(super) fn varint(&mut self, what: &str) -> Result<i64, String> {
        let first = self.u8(what)?;
        let negative = first & 0x40 != 0;
        let mut magnitude = u64::from(first & 0x3F);
        if first & 0x80 != 0 {
            let mut shift = 6u32;
            loop {
                let b = self.u8(what)?;
                let bits = u64::from(b & 0x7F);
                if shift >= 64 || (shift > 57 && bits >> (64 - shift) != 0) {
                    return Err(format!("{what} is a number too large for 64 bits"));
                }
                magnitude |= bits << shift;
                if b & 0x80 == 0 {
                    break;
                }
                shift += 7;
            }
        }
        let value = i64::try_from(magnitude)
            .map_err(|_| format!("{what} is a number too large for 64 bits"))?;
        Ok(if negative { -value } else { value })
    }

    /// `chars` UTF-16 code units (little-endian) as a string.
    pub(super) fn utf16(&mut self, chars: usize, what: &str) -> Result<String, String> {
        let raw = self.take(2 * chars, what)?;
        utf16(raw).ok_or_else(|| format!("{what} is not valid UTF-16 text"))
    }
}

/// Little-endian UTF-16 bytes as a string; `None` if the length is odd or a surrogate is
/// unpaired.
pub(super) fn utf16(raw: &[u8]) -> Option<String> {
    if !raw.len().is_multiple_of(2) {
        return None;
    }
    let units = raw
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_length_integers() {
        // 300 = 0b1_0010_1100: 0x2C | 0x80, then 0x02.
        assert_eq!(Bytes::new(&[0xAC, 0x02]).varuint("n"), Ok(300));
        assert_eq!(Bytes::new(&[0x05]).varuint("n"), Ok(5));
        // Signed: 6 bits in the first byte; -5 is 0x45; 100 = 0b1_100100: 0x80|0x24, 0x01.
        assert_eq!(Bytes::new(&[0x45]).varint("n"), Ok(-5));
        assert_eq!(Bytes::new(&[0xA4, 0x01]).varint("n"), Ok(100));
        assert_eq!(Bytes::new(&[0xE4, 0x01]).varint("n"), Ok(-100));
        // u64::MAX takes ten bytes; an eleventh, or a tenth above 1, overflows.
        let mut max = vec![0xFF; 9];
        max.push(0x01);
        assert_eq!(Bytes::new(&max).varuint("n"), Ok(u64::MAX));
        let mut over = vec![0xFF; 9];
        over.push(0x02);
        assert!(Bytes::new(&over)
            .varuint("n")
            .unwrap_err()
            .contains("too large"));
        assert!(Bytes::new(&[0xFF; 12]).varuint("n").is_err());
        assert!(Bytes::new(&[0x80])
            .varuint("n")
            .unwrap_err()
            .contains("ends inside n"));
    }

    #[test]
    fn names_are_utf16() {
        let raw: Vec<u8> = "地类"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(Bytes::new(&raw).utf16(2, "name"), Ok("地类".to_string()));
        assert!(Bytes::new(&[0x00, 0xD8]).utf16(1, "name").is_err()); // lone surrogate
    }
}
