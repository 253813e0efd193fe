//! The write-ahead log: numbered segment files of checksummed records, and their replay.
//!
//! A segment is named `{n:06}.wal` and holds records back to back from offset 0, each
//! `[len u32 LE][crc u32 LE][payload]` (see [`record`] and `docs/format.md`).
//! [`WalWriter`] appends a group commit's payloads with one write and makes them durable
//! with one sync; [`replay`] reads them back in order after a restart and cuts a torn tail
//! off the newest segment.
//!
//! ```
//! use std::sync::Arc;
//! use tessera_engine::io::{FsStorage, Storage};
//! use tessera_engine::lsm::wal::{replay, WalWriter};
//!
//! # fn main() -> tessera_engine::Result<()> {
//! let dir = tempfile::tempdir().map_err(|e| tessera_engine::Error::io("tempdir", "", e))?;
//! let fs = FsStorage::new(dir.path()).map_err(|e| tessera_engine::Error::io("new", "", e))?;
//! let storage: Arc<dyn Storage> = Arc::new(fs);
//! let mut wal = WalWriter::create(&storage, 1)?;
//! wal.append(&[b"first", b"second"])?;
//! wal.sync()?;
//!
//! let mut seen = Vec::new();
//! let stats = replay(&storage, 1, true, &mut |payload| {
//!     seen.push(payload.to_vec());
//!     Ok(())
//! })?;
//! assert_eq!(seen, [b"first".to_vec(), b"second".to_vec()]);
//! assert_eq!(stats.records, 2);
//! # Ok(())
//! # }
//! ```

mod reader;
pub mod record;
mod writer;

#[cfg(test)]
mod tests;

pub use reader::{replay, replay_file, ReplayStats};
pub use writer::WalWriter;

/// Suffix of every WAL segment file name.
const SEGMENT_SUFFIX: &str = ".wal";

/// The file name of segment `segment_number`: the number zero-padded to six digits, then
/// `.wal` (`000042.wal`).
pub fn segment_file_name(segment_number: u64) -> String {
    format!("{segment_number:06}{SEGMENT_SUFFIX}")
}

/// The segment number in a WAL file name, or `None` if `name` is not exactly what
/// [`segment_file_name`] produces for some number.
pub fn parse_segment_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(SEGMENT_SUFFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let segment_number = digits.parse::<u64>().ok()?;
    // Only the canonical spelling counts, so two names never map to one segment.
    (segment_file_name(segment_number) == name).then_some(segment_number)
}
