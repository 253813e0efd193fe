//! The index block: one entry per data block, keyed by the block's last internal key.
//!
//! The index uses the ordinary block format; each value is the data block's handle as
//! `offset varint | size varint`. Data blocks are contiguous from offset 0, which the
//! decoder checks, so every byte before the filter block belongs to exactly one data block.

use super::block::Block;
use super::format::BlockHandle;
use crate::error::{Corruption, Error, Result};
use crate::limits;
use crate::lsm::coding::Reader;

/// One decoded index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    /// Last internal key of the data block.
    pub(crate) last_key: Vec<u8>,
    /// Where the data block lies.
    pub(crate) handle: BlockHandle,
}

/// Decodes the index block read at `offset`, checking that its handles tile `[0, data_end)`.
pub(crate) fn decode(
    block: &Block,
    offset: u64,
    path: &str,
    data_end: u64,
) -> Result<Vec<IndexEntry>> {
    let bad = |reason| Error::corruption(path, offset, reason);
    let mut out = Vec::new();
    let mut expected_offset = 0u64;
    for (last_key, value) in block.entries(path)? {
        let mut r = Reader::new(&value);
        let handle_offset = r.varint().ok_or_else(|| bad(Corruption::BadVarint))?;
        let size_bytes = r.varint().ok_or_else(|| bad(Corruption::BadVarint))?;
        if !r.is_empty() {
            return Err(bad(Corruption::BadRecord));
        }
        let handle = BlockHandle {
            offset: handle_offset,
            size_bytes,
        };
        if handle_offset != expected_offset || size_bytes > limits::BLOCK_SIZE_BYTES_MAX as u64 {
            return Err(bad(Corruption::LengthOutOfBounds));
        }
        expected_offset = handle
            .end()
            .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?;
        out.push(IndexEntry { last_key, handle });
    }
    if expected_offset != data_end {
        return Err(bad(Corruption::LengthOutOfBounds));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests {
    use super::*;
    use crate::lsm::ikey::{self, ValueKind};
    use crate::lsm::sstable::block::BlockBuilder;
    use crate::lsm::sstable::format::put_handle;

    fn index_block(handles: &[(u64, u64)]) -> Block {
        let mut b = BlockBuilder::new(16);
        for (i, &(offset, size_bytes)) in handles.iter().enumerate() {
            let mut v = Vec::new();
            put_handle(&mut v, BlockHandle { offset, size_bytes });
            b.add(&ikey::encode(&[i as u8], 1, ValueKind::Put), &v);
        }
        Block::parse(b.finish(), 0, "t").unwrap()
    }

    #[test]
    fn index_contiguous_handles_decode() {
        let block = index_block(&[(0, 10), (15, 20)]);
        let idx = decode(&block, 0, "t", 40).unwrap();
        assert_eq!(idx.len(), 2);
        assert_eq!(
            idx[1].handle,
            BlockHandle {
                offset: 15,
                size_bytes: 20
            }
        );
    }

    #[test]
    fn index_gap_or_overrun_is_corruption() {
        assert!(decode(&index_block(&[(0, 10), (16, 20)]), 0, "t", 41).is_err());
        assert!(decode(&index_block(&[(0, 10), (15, 20)]), 0, "t", 39).is_err());
        assert!(decode(&index_block(&[(0, u64::MAX)]), 0, "t", 39).is_err());
    }
}
