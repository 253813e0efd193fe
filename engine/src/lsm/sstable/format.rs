//! Framing shared by every SSTable block: block trailers, handles, the meta block and the footer.

use super::TableMeta;
use crate::error::{Corruption, Error, Result};
use crate::lsm::coding::{put_bytes, put_varint, Reader};
use crate::lsm::ikey;

/// Bytes after every block: type byte and CRC-32.
pub(crate) const BLOCK_TRAILER_LEN: u64 = 5;

/// Bytes in the footer at the end of every table file.
pub(crate) const FOOTER_LEN: u64 = 72;

/// Last eight bytes of every table file.
pub(crate) const MAGIC: [u8; 8] = *b"TSRASST1";

/// The table format this build writes and reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// What a block holds; stored in its trailer and covered by its checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum BlockType {
    /// Entries of internal key and value.
    Data = 1,
    /// One entry per data block: its last key and handle.
    Index = 2,
    /// The bloom filter.
    Filter = 3,
    /// Table statistics.
    Meta = 4,
}

/// Where a block lies in the file; `size_bytes` excludes the trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct BlockHandle {
    /// File offset of the block's first byte.
    pub(crate) offset: u64,
    /// Length of the block, trailer excluded.
    pub(crate) size_bytes: u64,
}

impl BlockHandle {
    /// Offset of the first byte after the block's trailer; `None` on overflow.
    pub(crate) fn end(&self) -> Option<u64> {
        self.offset
            .checked_add(self.size_bytes)?
            .checked_add(BLOCK_TRAILER_LEN)
    }
}

/// The block checksum: CRC-32 over file number, block offset, block bytes and type byte.
pub(crate) fn block_crc(file_number: u64, offset: u64, data: &[u8], block_type: u8) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&file_number.to_le_bytes());
    h.update(&offset.to_le_bytes());
    h.update(data);
    h.update(&[block_type]);
    h.finalize()
}

/// Builds the trailer that follows a block written at `offset`.
pub(crate) fn block_trailer(
    file_number: u64,
    offset: u64,
    data: &[u8],
    block_type: BlockType,
) -> [u8; BLOCK_TRAILER_LEN as usize] {
    let crc = block_crc(file_number, offset, data, block_type as u8);
    let c = crc.to_le_bytes();
    [block_type as u8, c[0], c[1], c[2], c[3]]
}

/// Checks a block read together with its trailer and returns the block without it.
pub(crate) fn verify_block(
    mut buf: Vec<u8>,
    file_number: u64,
    handle: BlockHandle,
    expected_type: BlockType,
    path: &str,
) -> Result<Vec<u8>> {
    let size = buf
        .len()
        .checked_sub(BLOCK_TRAILER_LEN as usize)
        .ok_or_else(|| Error::corruption(path, handle.offset, Corruption::TruncatedHeader))?;
    let (data, trailer) = buf.split_at(size);
    let block_type = trailer[0];
    let expected = u32::from_le_bytes([trailer[1], trailer[2], trailer[3], trailer[4]]);
    let actual = block_crc(file_number, handle.offset, data, block_type);
    if actual != expected {
        return Err(Error::ChecksumMismatch {
            path: path.to_owned(),
            offset: handle.offset,
            expected,
            actual,
        });
    }
    if block_type != expected_type as u8 {
        let at = handle.offset.saturating_add(handle.size_bytes);
        return Err(Error::corruption(path, at, Corruption::UnknownTag));
    }
    buf.truncate(size);
    Ok(buf)
}

/// The fixed-size record at the end of a table file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Footer {
    /// The index block.
    pub(crate) index: BlockHandle,
    /// The filter block.
    pub(crate) filter: BlockHandle,
    /// The meta block.
    pub(crate) meta: BlockHandle,
    /// The file number the table was written as.
    pub(crate) file_number: u64,
}

impl Footer {
    /// Encodes the footer into its `FOOTER_LEN` bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FOOTER_LEN as usize);
        for h in [self.index, self.filter, self.meta] {
            out.extend_from_slice(&h.offset.to_le_bytes());
            out.extend_from_slice(&h.size_bytes.to_le_bytes());
        }
        out.extend_from_slice(&self.file_number.to_le_bytes());
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&MAGIC);
        debug_assert_eq!(out.len() as u64, FOOTER_LEN);
        out
    }

    /// Decodes and checks the footer found at `offset`: magic, then version, then checksum.
    pub(crate) fn decode(buf: &[u8], offset: u64, path: &str) -> Result<Footer> {
        let at = |pos: usize| offset.saturating_add(pos as u64);
        if buf.len() as u64 != FOOTER_LEN {
            return Err(Error::corruption(path, offset, Corruption::TruncatedHeader));
        }
        if buf[64..72] != MAGIC {
            return Err(Error::corruption(path, at(64), Corruption::BadMagic));
        }
        let mut r = Reader::new(buf);
        let mut handle = || -> Option<BlockHandle> {
            Some(BlockHandle {
                offset: r.u64_le()?,
                size_bytes: r.u64_le()?,
            })
        };
        let truncated = || Error::corruption(path, offset, Corruption::TruncatedHeader);
        let index = handle().ok_or_else(truncated)?;
        let filter = handle().ok_or_else(truncated)?;
        let meta = handle().ok_or_else(truncated)?;
        let file_number = r.u64_le().ok_or_else(truncated)?;
        let version = r.u32_le().ok_or_else(truncated)?;
        let expected = r.u32_le().ok_or_else(truncated)?;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedFormatVersion {
                path: path.to_owned(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let actual = crc32fast::hash(&buf[..60]);
        if actual != expected {
            return Err(Error::ChecksumMismatch {
                path: path.to_owned(),
                offset,
                expected,
                actual,
            });
        }
        Ok(Footer {
            index,
            filter,
            meta,
            file_number,
        })
    }
}

/// Encodes the meta block: counts, sequence bounds and the key bounds.
pub(crate) fn encode_meta(meta: &TableMeta) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + meta.smallest.len() + meta.largest.len() + 4);
    for v in [
        meta.entry_count,
        meta.tombstone_count,
        meta.seq_min,
        meta.seq_max,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    put_bytes(&mut out, &meta.smallest);
    put_bytes(&mut out, &meta.largest);
    out
}

/// Decodes and sanity-checks a meta block read at `offset`; fills in the file number and
/// size the caller knows from elsewhere.
pub(crate) fn decode_meta(
    buf: &[u8],
    offset: u64,
    path: &str,
    file_number: u64,
    size_bytes: u64,
) -> Result<TableMeta> {
    let bad = |reason| Error::corruption(path, offset, reason);
    let mut r = Reader::new(buf);
    let mut fixed = [0u64; 4];
    for v in &mut fixed {
        *v = r.u64_le().ok_or_else(|| bad(Corruption::TruncatedHeader))?;
    }
    let [entry_count, tombstone_count, seq_min, seq_max] = fixed;
    let smallest = r
        .len_bytes()
        .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?
        .to_vec();
    let largest = r
        .len_bytes()
        .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?
        .to_vec();
    if !r.is_empty() || tombstone_count > entry_count || seq_min > seq_max {
        return Err(bad(Corruption::BadRecord));
    }
    if entry_count == 0 {
        if !smallest.is_empty() || !largest.is_empty() || seq_max != 0 {
            return Err(bad(Corruption::BadRecord));
        }
    } else {
        if ikey::decode(&smallest).is_none() || ikey::decode(&largest).is_none() {
            return Err(bad(Corruption::UnknownTag));
        }
        if ikey::compare(&smallest, &largest).is_gt() {
            return Err(bad(Corruption::KeysOutOfOrder));
        }
    }
    Ok(TableMeta {
        file_number,
        size_bytes,
        entry_count,
        tombstone_count,
        smallest,
        largest,
        seq_min,
        seq_max,
    })
}

/// Appends a block handle as two varints (index block values).
pub(crate) fn put_handle(out: &mut Vec<u8>, h: BlockHandle) {
    put_varint(out, h.offset);
    put_varint(out, h.size_bytes);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests {
    use super::*;

    #[test]
    fn footer_round_trip_decodes_equal() {
        let f = Footer {
            index: BlockHandle {
                offset: 10,
                size_bytes: 20,
            },
            filter: BlockHandle {
                offset: 1,
                size_bytes: 2,
            },
            meta: BlockHandle {
                offset: 40,
                size_bytes: 50,
            },
            file_number: 7,
        };
        let b = f.encode();
        assert_eq!(Footer::decode(&b, 0, "t").unwrap(), f);
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0x10;
            assert!(
                Footer::decode(&c, 0, "t").unwrap_err().is_corruption(),
                "byte {i}"
            );
        }
    }

    #[test]
    fn block_trailer_wrong_offset_is_checksum_mismatch() {
        let data = b"hello".to_vec();
        let t = block_trailer(3, 100, &data, BlockType::Data);
        let mut buf = data.clone();
        buf.extend_from_slice(&t);
        let h = BlockHandle {
            offset: 100,
            size_bytes: 5,
        };
        assert_eq!(
            verify_block(buf.clone(), 3, h, BlockType::Data, "t").unwrap(),
            data
        );
        let moved = BlockHandle {
            offset: 200,
            size_bytes: 5,
        };
        let err = verify_block(buf.clone(), 3, moved, BlockType::Data, "t").unwrap_err();
        assert!(matches!(err, Error::ChecksumMismatch { offset: 200, .. }));
        let err = verify_block(buf.clone(), 4, h, BlockType::Data, "t").unwrap_err();
        assert!(matches!(err, Error::ChecksumMismatch { .. }));
        let err = verify_block(buf, 3, h, BlockType::Index, "t").unwrap_err();
        assert!(matches!(
            err,
            Error::Corruption {
                reason: Corruption::UnknownTag,
                ..
            }
        ));
    }
}
