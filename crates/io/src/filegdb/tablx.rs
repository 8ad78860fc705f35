//! A table's `.gdbtablx`: where each row is in the `.gdbtable`.
//!
//! A 16-byte header (version 3, the number of 1024-row blocks present, the number of rows, the
//! size of an offset: 4, 5 or 6 bytes), then one offset per row of each block present, then a
//! 16-byte trailer and, when some blocks are absent (a thousand rows or more deleted in a row),
//! a bitmap saying which blocks are present. A row whose offset is 0, or whose block is absent,
//! is deleted.

use super::bytes::Bytes;

/// The rows a table's index lists.
#[derive(Debug)]
pub(crate) struct RowIndex {
    /// Each row that is not deleted: its OBJECTID and its offset in the `.gdbtable`, in
    /// OBJECTID order. (Only these are kept: a damaged header may declare two billion rows, and
    /// memory must stay bounded by the file's size.)
    pub rows: Vec<(usize, u64)>,
}

impl RowIndex {
    /// Reads a whole `.gdbtablx`. Errors are phrases for the user.
    pub(crate) fn parse(bytes: &[u8]) -> Result<RowIndex, String> {
        let mut b = Bytes::new(bytes);
        let what = "its 16-byte header";
        let version = b.u32(what)?;
        if version != 3 {
            return Err(format!(
                "starts with {version} where a version 10.x row index starts with 3: it is \
                 damaged, or does not belong to its .gdbtable"
            ));
        }
        let blocks = b.u32(what)? as usize;
        let rows = b.i32(what)?;
        let rows = usize::try_from(rows)
            .map_err(|_| format!("its header gives {rows} rows, a negative number"))?;
        let size = b.u32(what)? as usize;
        if !(4..=6).contains(&size) {
            return Err(format!(
                "gives offsets of {size} bytes (4 to 6 expected): it is damaged"
            ));
        }
        if blocks == 0 {
            if rows != 0 {
                return Err(format!("declares {rows} rows but no block of offsets"));
            }
            return Ok(RowIndex { rows: vec![] });
        }
        let entries = blocks
            .checked_mul(1024)
            .filter(|n| n.checked_mul(size).is_some());
        let Some(entries) = entries else {
            return Err(format!(
                "declares {blocks} blocks of offsets, impossibly many"
            ));
        };
        let array = b.take(entries * size, "its row offsets").map_err(|_| {
            format!(
                "is truncated: its header declares {blocks} blocks of 1024 offsets ({} bytes) but \
                 the file is {} bytes long",
                16 + entries * size + 16,
                bytes.len()
            )
        })?;
        let what = "its trailer";
        let bitmap_words = b.u32(what)?;
        let bits = b.u32(what)? as usize;
        let blocks_again = b.u32(what)? as usize;
        b.u32(what)?;
        if blocks_again != blocks {
            return Err(format!(
                "gives {blocks} blocks in its header but {blocks_again} in its trailer: it is \
                 damaged"
            ));
        }
        // Which block of 1024 rows each present block holds.
        let present: Vec<usize> = if bitmap_words == 0 {
            if bits != blocks {
                return Err(format!(
                    "has {blocks} blocks but a trailer for {bits}: it is damaged"
                ));
            }
            (0..blocks).collect()
        } else {
            let map = b.take(bits.div_ceil(8), "its block bitmap")?;
            let set: Vec<usize> = (0..bits)
                .filter(|&i| map[i / 8] & (1 << (i % 8)) != 0)
                .collect();
            if set.len() != blocks {
                return Err(format!(
                    "has {blocks} blocks but its bitmap marks {}: it is damaged",
                    set.len()
                ));
            }
            set
        };
        let last = present.last().map_or(0, |&k| (k + 1) * 1024);
        if rows > last {
            return Err(format!(
                "declares {rows} rows but holds offsets for {last}: it is damaged"
            ));
        }
        let mut listed = Vec::new();
        for (slot, &block) in present.iter().enumerate() {
            for k in 0..1024 {
                let row = block * 1024 + k;
                if row >= rows {
                    break;
                }
                let at = (slot * 1024 + k) * size;
                let mut le = [0u8; 8];
                le[..size].copy_from_slice(&array[at..at + size]);
                let offset = u64::from_le_bytes(le);
                if offset != 0 {
                    listed.push((row + 1, offset));
                }
            }
        }
        Ok(RowIndex { rows: listed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row index with `size`-byte offsets, the blocks listed present (by block number).
    fn tablx(rows: i32, size: u32, present: &[usize], offsets: &[(usize, u64)]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(3u32.to_le_bytes());
        v.extend((present.len() as u32).to_le_bytes());
        v.extend(rows.to_le_bytes());
        v.extend(size.to_le_bytes());
        for (slot, block) in present.iter().enumerate() {
            for k in 0..1024 {
                let row = block * 1024 + k;
                let off = offsets.iter().find(|(r, _)| *r == row).map_or(0, |p| p.1);
                let _ = slot;
                v.extend(&off.to_le_bytes()[..size as usize]);
            }
        }
        let contiguous = present.iter().enumerate().all(|(i, b)| i == *b);
        if contiguous {
            v.extend(0u32.to_le_bytes());
            v.extend((present.len() as u32).to_le_bytes());
        } else {
            let bits = present.last().unwrap() + 1;
            v.extend(1u32.to_le_bytes());
            v.extend((bits as u32).to_le_bytes());
        }
        v.extend((present.len() as u32).to_le_bytes());
        v.extend(0u32.to_le_bytes());
        if !contiguous {
            let bits = present.last().unwrap() + 1;
            let mut map = vec![0u8; bits.div_ceil(8)];
            for b in present {
                map[b / 8] |= 1 << (b % 8);
            }
            v.extend(map);
        }
        v
    }

    #[test]
    fn contiguous_blocks() {
        let x = tablx(3, 5, &[0], &[(0, 100), (2, 1 << 33)]);
        let idx = RowIndex::parse(&x).unwrap();
        assert_eq!(idx.rows, vec![(1, 100), (3, 1 << 33)]);
    }

    #[test]
    fn sparse_blocks_through_the_bitmap() {
        // Rows 1 and 5000 (blocks 0 and 4), as GDAL writes a table whose OBJECTIDs jump.
        let x = tablx(5000, 5, &[0, 4], &[(0, 100), (4999, 300)]);
        let idx = RowIndex::parse(&x).unwrap();
        assert_eq!(idx.rows, vec![(1, 100), (5000, 300)]);
    }

    #[test]
    fn memory_follows_the_file_not_the_declared_rows() {
        // Two billion rows declared, two blocks present: only the listed rows are kept.
        let rows = 2_000_001 * 1024;
        let x = tablx(
            rows,
            5,
            &[0, 2_000_000],
            &[(0, 100), (rows as usize - 1, 300)],
        );
        let idx = RowIndex::parse(&x).unwrap();
        assert_eq!(idx.rows, vec![(1, 100), (rows as usize, 300)]);
    }

    #[test]
    fn damage_is_reported() {
        let x = tablx(3, 4, &[0], &[(0, 100)]);
        assert!(RowIndex::parse(&x[..100])
            .unwrap_err()
            .contains("truncated"));
        let mut bad = x.clone();
        bad[12] = 9; // offset size
        assert!(RowIndex::parse(&bad)
            .unwrap_err()
            .contains("offsets of 9 bytes"));
        let mut bad = x.clone();
        bad[8..12].copy_from_slice(&5000i32.to_le_bytes());
        assert!(RowIndex::parse(&bad)
            .unwrap_err()
            .contains("declares 5000 rows"));
    }
}
