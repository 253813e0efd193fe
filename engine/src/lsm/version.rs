//! Versions: which table files a shard reads at each level, and table-file lifetimes.
//!
//! A [`Version`] is immutable; flushes and compactions install a new one. Readers clone the
//! `Arc<Version>` they start with, which pins its files: a file dropped from the current
//! version is deleted only when the last reader holding it lets go ([`TableFile`]'s `Drop`).

use crate::io::Storage;
use crate::limits::LEVEL_COUNT;
use crate::lsm::ikey::{self, ValueKind};
use crate::lsm::merge::Source;
use crate::lsm::sstable::{self, Table, TableIter, TableMeta};
use crate::lsm::{Direction, KeyRange};
use crate::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A live table file: its metadata, its open reader and its deletion flag.
#[derive(Debug)]
pub struct TableFile {
    /// What the manifest records about the file.
    pub meta: TableMeta,
    /// The open reader.
    pub table: Arc<Table>,
    obsolete: AtomicBool,
    storage: Arc<dyn Storage>,
}

impl TableFile {
    /// Wraps an open table.
    pub fn new(meta: TableMeta, table: Arc<Table>, storage: Arc<dyn Storage>) -> Self {
        TableFile {
            meta,
            table,
            obsolete: AtomicBool::new(false),
            storage,
        }
    }

    /// Marks the file for deletion once no version or reader holds it.
    pub fn mark_obsolete(&self) {
        self.obsolete.store(true, Ordering::Release);
    }

    /// Smallest user key in the file.
    pub fn smallest_user_key(&self) -> &[u8] {
        ikey::user_key(&self.meta.smallest)
    }

    /// Largest user key in the file.
    pub fn largest_user_key(&self) -> &[u8] {
        ikey::user_key(&self.meta.largest)
    }

    /// True if the file may hold keys in `range`.
    pub fn overlaps(&self, range: &KeyRange) -> bool {
        range.overlaps(self.smallest_user_key(), self.largest_user_key())
    }
}

impl Drop for TableFile {
    fn drop(&mut self) {
        if self.obsolete.load(Ordering::Acquire) {
            let name = sstable::file_name(self.meta.file_number);
            // A leftover file is harmless: open() deletes tables the manifest does not list.
            if let Err(e) = self.storage.remove(&name) {
                log::warn!("could not delete obsolete table {name}: {e}");
            }
        }
    }
}

/// The files of one shard, by level. Level 0 is newest first and may overlap; every other
/// level is sorted by key and its files do not overlap.
#[derive(Debug, Clone)]
pub struct Version {
    /// Files per level.
    pub levels: Vec<Vec<Arc<TableFile>>>,
}

impl Default for Version {
    fn default() -> Self {
        Version {
            levels: vec![Vec::new(); LEVEL_COUNT],
        }
    }
}

impl Version {
    /// Newest version of `user_key` at or below `seq` in the table files.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Result<Option<(u64, ValueKind, Vec<u8>)>> {
        for file in &self.levels[0] {
            if user_key < file.smallest_user_key() || user_key > file.largest_user_key() {
                continue;
            }
            if let Some(hit) = file.table.get(user_key, seq)? {
                return Ok(Some(hit));
            }
        }
        for level in &self.levels[1..] {
            let i = level.partition_point(|f| f.largest_user_key() < user_key);
            let Some(file) = level.get(i) else { continue };
            if user_key < file.smallest_user_key() {
                continue;
            }
            if let Some(hit) = file.table.get(user_key, seq)? {
                return Ok(Some(hit));
            }
        }
        Ok(None)
    }

    /// One sorted source per L0 file and one per deeper level, newest first. Deeper levels
    /// open their files one at a time, only those the range reaches.
    pub fn sources(self: &Arc<Self>, range: &KeyRange, direction: Direction) -> Vec<Source> {
        let mut out: Vec<Source> = Vec::new();
        for file in &self.levels[0] {
            if file.overlaps(range) {
                out.push(Box::new(file.table.iter(range.clone(), direction)));
            }
        }
        for (level, files) in self.levels.iter().enumerate().skip(1) {
            // Files are sorted and disjoint: those overlapping the range are contiguous.
            let lo = files.partition_point(|f| !range.above_start(f.largest_user_key()));
            let hi = files.partition_point(|f| range.below_end(f.smallest_user_key()));
            if lo >= hi {
                continue;
            }
            out.push(Box::new(LevelIter {
                version: Arc::clone(self),
                level,
                next: lo,
                end: hi,
                current: None,
                range: range.clone(),
                direction,
            }));
        }
        out
    }

    /// Files of `level` whose user keys intersect `[smallest, largest]`.
    pub fn overlapping(
        &self,
        level: usize,
        smallest: &[u8],
        largest: &[u8],
    ) -> Vec<Arc<TableFile>> {
        self.levels[level]
            .iter()
            .filter(|f| f.smallest_user_key() <= largest && f.largest_user_key() >= smallest)
            .cloned()
            .collect()
    }

    /// Total bytes of the files at `level`.
    pub fn level_bytes(&self, level: usize) -> u64 {
        self.levels[level].iter().map(|f| f.meta.size_bytes).sum()
    }

    /// Every file, for statistics and cleanup.
    pub fn all_files(&self) -> impl Iterator<Item = &Arc<TableFile>> {
        self.levels.iter().flatten()
    }

    /// A new version with `removed` (level, file number) taken out and `added` put in.
    pub fn apply(&self, removed: &[(usize, u64)], added: Vec<(usize, Arc<TableFile>)>) -> Version {
        let mut next = self.clone();
        for &(level, number) in removed {
            next.levels[level].retain(|f| f.meta.file_number != number);
        }
        for (level, file) in added {
            next.levels[level].push(file);
        }
        // L0: newest (highest sequence numbers) first; others by key.
        next.levels[0].sort_by_key(|f| std::cmp::Reverse(f.meta.seq_max));
        for level in &mut next.levels[1..] {
            level.sort_by(|a, b| ikey::compare(&a.meta.smallest, &b.meta.smallest));
        }
        debug_assert!(next.levels[1..].iter().all(|l| l
            .windows(2)
            .all(|w| w[0].largest_user_key() < w[1].smallest_user_key())));
        next
    }
}

/// Walks the files `next..end` of one sorted level (in reverse for `Reverse`), opening
/// each table's iterator on demand.
struct LevelIter {
    version: Arc<Version>,
    level: usize,
    next: usize,
    end: usize,
    current: Option<TableIter>,
    range: KeyRange,
    direction: Direction,
}

impl Iterator for LevelIter {
    type Item = Result<crate::lsm::Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(it) = &mut self.current {
                if let Some(e) = it.next() {
                    return Some(e);
                }
            }
            if self.next >= self.end {
                return None;
            }
            let i = match self.direction {
                Direction::Forward => {
                    self.next += 1;
                    self.next - 1
                }
                Direction::Reverse => {
                    self.end -= 1;
                    self.end
                }
            };
            let file = &self.version.levels[self.level][i];
            self.current = Some(file.table.iter(self.range.clone(), self.direction));
        }
    }
}
