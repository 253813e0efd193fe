//! The log-structured merge tree: bytes in, bytes out. It never decodes items.
//!
//! A write goes to the WAL ([`wal`]) and then into a shard's [`memtable`]; full memtables
//! are flushed to [`sstable`]s at level 0 and [`compaction`] merges them down the levels.
//! The [`manifest`] records which table files are live. Reads merge memtables and levels
//! ([`merge`]) and keep, per user key, the newest version visible at the read's sequence
//! number.

pub mod coding;
pub mod compaction;
pub mod config;
pub mod ikey;
pub mod manifest;
pub mod memtable;
pub mod merge;
pub mod sstable;
pub mod stats;
pub mod tree;
pub mod version;
pub mod wal;

use std::ops::Bound;

/// Iteration order of a range read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Ascending user keys.
    Forward,
    /// Descending user keys (DynamoDB's `ScanIndexForward=false`).
    Reverse,
}

/// A range of user keys with inclusive, exclusive or open ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRange {
    /// Lower end.
    pub start: Bound<Vec<u8>>,
    /// Upper end.
    pub end: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key.
    pub fn all() -> Self {
        KeyRange {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
        }
    }

    /// Builds a range from any pair of bounds.
    pub fn new(start: Bound<&[u8]>, end: Bound<&[u8]>) -> Self {
        KeyRange {
            start: start.map(<[u8]>::to_vec),
            end: end.map(<[u8]>::to_vec),
        }
    }

    /// Every key starting with `prefix`.
    pub fn prefix(prefix: &[u8]) -> Self {
        let end = match prefix_successor(prefix) {
            Some(s) => Bound::Excluded(s),
            None => Bound::Unbounded,
        };
        KeyRange {
            start: Bound::Included(prefix.to_vec()),
            end,
        }
    }

    /// True if `key` is at or above the lower end.
    pub fn above_start(&self, key: &[u8]) -> bool {
        match &self.start {
            Bound::Included(s) => key >= s.as_slice(),
            Bound::Excluded(s) => key > s.as_slice(),
            Bound::Unbounded => true,
        }
    }

    /// True if `key` is at or below the upper end.
    pub fn below_end(&self, key: &[u8]) -> bool {
        match &self.end {
            Bound::Included(e) => key <= e.as_slice(),
            Bound::Excluded(e) => key < e.as_slice(),
            Bound::Unbounded => true,
        }
    }

    /// True if `key` lies in the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.above_start(key) && self.below_end(key)
    }

    /// True if the range and `[smallest, largest]` (user keys) share a key.
    pub fn overlaps(&self, smallest: &[u8], largest: &[u8]) -> bool {
        self.below_end(smallest) && self.above_start(largest)
    }
}

/// The smallest byte string greater than every string starting with `prefix`, if any.
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut s = prefix.to_vec();
    while let Some(last) = s.pop() {
        if last < 0xff {
            s.push(last + 1);
            return Some(s);
        }
    }
    None
}

/// One entry as stored: internal key (user key + trailer) and value.
pub type Entry = (Vec<u8>, Vec<u8>);
