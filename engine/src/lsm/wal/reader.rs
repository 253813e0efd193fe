//! WAL replay: walks a segment's records in order, cutting off a torn tail on the last one.

use super::record::{self, Defect};
use super::segment_file_name;
use crate::error::{Error, Result};
use crate::io::Storage;
use std::sync::Arc;

/// What a replay found in one segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayStats {
    /// Whole, valid records passed to the callback.
    pub records: u64,
    /// Bytes of those records: the offset where the valid log ends.
    pub valid_bytes: u64,
    /// Bytes of torn tail cut off the end of the file (only ever non-zero for the last segment).
    pub truncated_bytes: u64,
}

/// Replays every whole record of a segment in order, calling `f(payload)`.
/// is_last: the newest segment, the only one that can have a torn tail.
///
/// At the first bad record at offset X, the rest of the file is a torn tail if `is_last` and
/// no valid record starts anywhere after X: the file is truncated to X and synced, and the
/// replay succeeds with `truncated_bytes` set. Otherwise the bad record is corruption and
/// the error names the file and X: `ChecksumMismatch` for a wrong checksum, `Corruption`
/// (`TruncatedHeader` or `LengthOutOfBounds`) otherwise. Errors from `f` stop the replay and
/// are returned as they are.
pub fn replay(
    storage: &Arc<dyn Storage>,
    segment_number: u64,
    is_last: bool,
    f: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<ReplayStats> {
    replay_file(
        storage,
        &segment_file_name(segment_number),
        segment_number,
        is_last,
        f,
    )
}

/// [`replay`] for a log file of any name whose records were framed with `file_number`
/// (the manifest uses the same framing and the same recovery rules).
pub fn replay_file(
    storage: &Arc<dyn Storage>,
    name: &str,
    file_number: u64,
    is_last: bool,
    f: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<ReplayStats> {
    let segment_number = file_number;
    let file = storage.open(name).map_err(|e| Error::io("open", name, e))?;
    let len_file = file.len().map_err(|e| Error::io("len", name, e))?;
    let len = usize::try_from(len_file).map_err(|_| {
        let e = std::io::Error::new(std::io::ErrorKind::OutOfMemory, "WAL segment too large");
        Error::io("read_exact_at", name, e)
    })?;
    let mut segment = vec![0u8; len];
    file.read_exact_at(&mut segment, 0)
        .map_err(|e| Error::io("read_exact_at", name, e))?;

    let mut stats = ReplayStats::default();
    let mut pos = 0usize;
    while pos < segment.len() {
        match record::decode(&segment, pos, segment_number) {
            Ok((payload, end)) => {
                f(payload)?;
                stats.records = stats.records.saturating_add(1);
                // `end` only grows and never passes the slice's length, which fits in u64.
                pos = end;
                stats.valid_bytes = end as u64;
            }
            Err(defect) => {
                let offset = pos as u64;
                if !is_last || valid_record_after(&segment, pos, segment_number) {
                    return Err(defect.into_error(name, offset));
                }
                cut_torn_tail(&*file, name, offset, len_file, defect)?;
                stats.truncated_bytes = len_file.saturating_sub(offset);
                break;
            }
        }
    }
    Ok(stats)
}

/// Most payload bytes the torn-tail scan hashes before giving up. Checking every offset
/// behind damage costs up to the tail's length per candidate, so adversarial bytes (every
/// offset claiming a long record that fits) would take quadratic time; 1 GiB of crc32 is
/// well under a second, and a real torn tail (zeros, or one partly written batch) needs far
/// less.
const TAIL_SCAN_HASHED_BYTES_MAX: u64 = 1 << 30;

/// True if a whole record with a matching checksum starts at any offset after `pos`, or if
/// the scan ran out of budget before it could rule that out.
///
/// A torn write only ever loses the end of the log, so a valid record behind the damage
/// means the damage is in the middle of acknowledged data and must not be cut off. When
/// the scan cannot decide, it answers "yes": refusing to open is recoverable by an
/// operator, silently dropping acknowledged records is not.
fn valid_record_after(segment: &[u8], pos: usize, segment_number: u64) -> bool {
    let Some(first) = pos.checked_add(1) else {
        return false;
    };
    let last = segment.len().saturating_sub(record::HEADER_SIZE_BYTES);
    let mut budget = TAIL_SCAN_HASHED_BYTES_MAX;
    for candidate in first..=last {
        let Some(len) = record::plausible_payload_len(segment, candidate) else {
            continue;
        };
        budget = match budget.checked_sub(len as u64) {
            Some(rest) => rest,
            None => {
                log::warn!("WAL torn-tail scan gave up at offset {candidate}: budget spent");
                return true;
            }
        };
        if record::decode(segment, candidate, segment_number).is_ok() {
            return true;
        }
    }
    false
}

/// Truncates the file to `offset` and syncs it, so the tail is gone before new writes follow.
fn cut_torn_tail(
    file: &dyn crate::io::StorageFile,
    name: &str,
    offset: u64,
    len_file: u64,
    defect: Defect,
) -> Result<()> {
    log::warn!(
        "WAL {name}: torn tail at offset {offset} ({defect:?}); truncating {} bytes",
        len_file.saturating_sub(offset)
    );
    file.set_len(offset)
        .map_err(|e| Error::io("set_len", name, e))?;
    file.sync_data()
        .map_err(|e| Error::io("sync_data", name, e))
}
