//! WAL record framing: `[len u32 LE][crc u32 LE][payload]`, checksummed with its position.
//!
//! The checksum covers the segment number and the record's byte offset as well as the
//! length and payload, so a record that is intact but sits in the wrong segment or at the
//! wrong offset (a stale block, a misdirected write) fails its check like any other damage.

use crate::error::{Corruption, Error};
use crate::limits::WAL_RECORD_SIZE_BYTES_MAX;

/// Size of the record header: the payload length and the checksum.
pub const HEADER_SIZE_BYTES: usize = 8;

/// Why the bytes at some offset are not a whole, valid record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// Fewer than [`HEADER_SIZE_BYTES`] bytes remain.
    TruncatedHeader,
    /// The length field exceeds [`WAL_RECORD_SIZE_BYTES_MAX`] or runs past the end of the bytes.
    LengthOutOfBounds,
    /// The stored checksum differs from the one computed over the record and its position.
    ChecksumMismatch {
        /// Checksum stored in the header.
        expected: u32,
        /// Checksum computed from the bytes and position.
        actual: u32,
    },
}

impl Defect {
    /// Turns the defect into the engine error naming `path` and the record's `offset`.
    pub fn into_error(self, path: &str, offset: u64) -> Error {
        match self {
            Defect::TruncatedHeader => Error::corruption(path, offset, Corruption::TruncatedHeader),
            Defect::LengthOutOfBounds => {
                Error::corruption(path, offset, Corruption::LengthOutOfBounds)
            }
            Defect::ChecksumMismatch { expected, actual } => Error::ChecksumMismatch {
                path: path.to_owned(),
                offset,
                expected,
                actual,
            },
        }
    }
}

/// Checksum of a record with `payload` at byte `offset` of segment `segment_number`.
///
/// Returns `None` if the payload is too long for the `u32` length field.
pub fn checksum(segment_number: u64, offset: u64, payload: &[u8]) -> Option<u32> {
    let len = u32::try_from(payload.len()).ok()?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&segment_number.to_le_bytes());
    hasher.update(&offset.to_le_bytes());
    hasher.update(&len.to_le_bytes());
    hasher.update(payload);
    Some(hasher.finalize())
}

/// Bytes one record with a payload of `payload_len` bytes takes on disk.
pub fn encoded_len(payload_len: usize) -> Option<usize> {
    HEADER_SIZE_BYTES.checked_add(payload_len)
}

/// Appends one record carrying `payload`, to be written at `offset` of segment
/// `segment_number`, to `out`.
///
/// Fails with [`Defect::LengthOutOfBounds`] (leaving `out` untouched) if the payload exceeds
/// [`WAL_RECORD_SIZE_BYTES_MAX`]: the reader would reject such a record as damage.
pub fn encode(
    out: &mut Vec<u8>,
    segment_number: u64,
    offset: u64,
    payload: &[u8],
) -> Result<(), Defect> {
    if payload.len() > WAL_RECORD_SIZE_BYTES_MAX {
        return Err(Defect::LengthOutOfBounds);
    }
    let len = u32::try_from(payload.len()).map_err(|_| Defect::LengthOutOfBounds)?;
    let crc = checksum(segment_number, offset, payload).ok_or(Defect::LengthOutOfBounds)?;
    out.reserve(HEADER_SIZE_BYTES.saturating_add(payload.len()));
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Decodes the record starting at byte `pos` of `segment`, the whole contents of segment
/// `segment_number`.
///
/// Returns the payload and the offset just past the record. Never panics: every bound is
/// checked, and a length field is trusted only up to [`WAL_RECORD_SIZE_BYTES_MAX`].
pub fn decode(segment: &[u8], pos: usize, segment_number: u64) -> Result<(&[u8], usize), Defect> {
    let header_end = pos
        .checked_add(HEADER_SIZE_BYTES)
        .ok_or(Defect::TruncatedHeader)?;
    let header = segment
        .get(pos..header_end)
        .ok_or(Defect::TruncatedHeader)?;
    let (len_bytes, crc_bytes) = header.split_at(4);
    let len = u32::from_le_bytes(len_bytes.try_into().map_err(|_| Defect::TruncatedHeader)?);
    let expected = u32::from_le_bytes(crc_bytes.try_into().map_err(|_| Defect::TruncatedHeader)?);
    let len = usize::try_from(len).map_err(|_| Defect::LengthOutOfBounds)?;
    if len > WAL_RECORD_SIZE_BYTES_MAX {
        return Err(Defect::LengthOutOfBounds);
    }
    let end = header_end
        .checked_add(len)
        .ok_or(Defect::LengthOutOfBounds)?;
    let payload = segment
        .get(header_end..end)
        .ok_or(Defect::LengthOutOfBounds)?;
    // usize is at most 64 bits on every supported target, so the offset converts losslessly.
    let offset = pos as u64;
    let actual = checksum(segment_number, offset, payload).ok_or(Defect::LengthOutOfBounds)?;
    if actual != expected {
        return Err(Defect::ChecksumMismatch { expected, actual });
    }
    Ok((payload, end))
}

/// Payload length claimed by the header at `pos` if the header is whole and the payload
/// lies within `segment` and the size limit; the checksum is not checked.
pub fn plausible_payload_len(segment: &[u8], pos: usize) -> Option<usize> {
    let header_end = pos.checked_add(HEADER_SIZE_BYTES)?;
    let len_bytes = segment.get(pos..header_end)?.get(..4)?;
    let len = usize::try_from(u32::from_le_bytes(len_bytes.try_into().ok()?)).ok()?;
    let end = header_end.checked_add(len)?;
    (len <= WAL_RECORD_SIZE_BYTES_MAX && end <= segment.len()).then_some(len)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests {
    use super::*;

    fn encoded(segment_number: u64, offset: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, segment_number, offset, payload).unwrap();
        out
    }

    #[test]
    fn record_roundtrip_returns_payload_and_end() {
        for payload in [&b""[..], b"x", b"hello wal"] {
            let mut seg = vec![0xAA; 3];
            seg.extend(encoded(7, 3, payload));
            assert_eq!(decode(&seg, 3, 7), Ok((payload, seg.len())));
            assert_eq!(encoded_len(payload.len()), Some(seg.len() - 3));
        }
    }

    #[test]
    fn record_at_other_offset_fails_checksum() {
        let mut seg = vec![0u8; 5];
        seg.extend(encoded(1, 0, b"payload"));
        assert!(matches!(
            decode(&seg, 5, 1),
            Err(Defect::ChecksumMismatch { .. })
        ));
    }

    #[test]
    fn record_in_other_segment_fails_checksum() {
        let seg = encoded(1, 0, b"payload");
        assert!(matches!(
            decode(&seg, 0, 2),
            Err(Defect::ChecksumMismatch { .. })
        ));
    }

    #[test]
    fn record_short_header_is_truncated_header() {
        let seg = encoded(1, 0, b"payload");
        for cut in 0..HEADER_SIZE_BYTES {
            assert_eq!(decode(&seg[..cut], 0, 1), Err(Defect::TruncatedHeader));
        }
        assert_eq!(decode(&seg, usize::MAX, 1), Err(Defect::TruncatedHeader));
    }

    #[test]
    fn record_short_payload_is_length_out_of_bounds() {
        let seg = encoded(1, 0, b"payload");
        for cut in HEADER_SIZE_BYTES..seg.len() {
            assert_eq!(decode(&seg[..cut], 0, 1), Err(Defect::LengthOutOfBounds));
        }
    }

    #[test]
    fn record_huge_length_is_length_out_of_bounds() {
        let mut seg = encoded(1, 0, b"payload");
        seg[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&seg, 0, 1), Err(Defect::LengthOutOfBounds));
    }

    #[test]
    fn record_oversized_payload_is_not_encoded() {
        let payload = vec![0u8; WAL_RECORD_SIZE_BYTES_MAX + 1];
        let mut out = Vec::new();
        assert_eq!(
            encode(&mut out, 1, 0, &payload),
            Err(Defect::LengthOutOfBounds)
        );
        assert!(out.is_empty());
    }

    #[test]
    fn record_defect_maps_to_error_with_offset() {
        let err = Defect::ChecksumMismatch {
            expected: 1,
            actual: 2,
        }
        .into_error("000001.wal", 9);
        assert!(matches!(
            err,
            Error::ChecksumMismatch { offset: 9, expected: 1, actual: 2, ref path } if path == "000001.wal"
        ));
        let err = Defect::TruncatedHeader.into_error("000001.wal", 4);
        assert!(matches!(
            err,
            Error::Corruption {
                offset: 4,
                reason: Corruption::TruncatedHeader,
                ..
            }
        ));
    }
}
