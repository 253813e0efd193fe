//! Sorted string tables: immutable, checksummed files of internal keys and values.
//!
//! A table is written once by a [`TableBuilder`] (memtable flush or compaction) and read by
//! many threads through a shared [`Table`]. The file is a run of prefix-compressed data
//! blocks, then a bloom filter over the user keys, an index with one entry per data block, a
//! meta block with the table's statistics, and a fixed-size footer. Every block carries a
//! CRC-32 that also covers the file number and the block's offset, so a block copied to the
//! wrong place or into the wrong file is caught. Data blocks are read through a shared
//! [`BlockCache`]. `docs/format.md` draws the layout byte by byte.

mod block;
mod bloom;
mod builder;
mod cache;
mod format;
mod index;
mod reader;
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests;

pub use builder::TableBuilder;
pub use cache::BlockCache;
pub use reader::{Table, TableIter};

/// How a [`TableBuilder`] lays out a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOptions {
    /// A data block is closed once its encoded size reaches this many bytes.
    pub block_size_bytes: usize,
    /// Every this many entries a data block stores a full key (a restart point) instead of a
    /// prefix-compressed one; point reads binary-search the restart points. Zero means 1.
    pub restart_interval: usize,
    /// Bloom filter bits per distinct user key; about 1% false positives at 10. Zero turns
    /// the filter off (every probe says "maybe").
    pub bloom_bits_per_key: usize,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            block_size_bytes: 4096,
            restart_interval: 16,
            bloom_bits_per_key: 10,
        }
    }
}

/// What a finished table holds, as recorded in its meta block and in the manifest.
///
/// For an empty table (`entry_count == 0`) `smallest` and `largest` are empty and both
/// sequence numbers are 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMeta {
    /// The table's file number (its name is [`file_name`] of it).
    pub file_number: u64,
    /// Size of the whole file.
    pub size_bytes: u64,
    /// Number of entries, tombstones included.
    pub entry_count: u64,
    /// Number of entries of kind `Delete`.
    pub tombstone_count: u64,
    /// Smallest internal key in the table.
    pub smallest: Vec<u8>,
    /// Largest internal key in the table.
    pub largest: Vec<u8>,
    /// Smallest sequence number of any entry.
    pub seq_min: u64,
    /// Largest sequence number of any entry.
    pub seq_max: u64,
}

/// The file name of table `file_number`: six or more decimal digits and `.sst`.
pub fn file_name(file_number: u64) -> String {
    format!("{file_number:06}.sst")
}

/// The file number named by `name`, if `name` is exactly what [`file_name`] produces.
pub fn parse_file_name(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".sst")?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = stem.parse().ok()?;
    (file_name(n) == name).then_some(n)
}
