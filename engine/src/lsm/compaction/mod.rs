//! Leveled compaction: choosing what to merge ([`picker`]) and merging it ([`leveled`]).
//!
//! Level 0 holds flushed memtables, which may overlap. When it reaches
//! `l0_compaction_trigger` files they are merged with the overlapping files of level 1.
//! Every deeper level is `level_size_ratio` times larger than the one above; a level over
//! its target pushes one file (round robin by key) into the next. Versions no reader or
//! snapshot can see are dropped, tombstones disappear at the bottom of the tree, and a
//! [`CompactionFilter`] may remove entries (TTL uses it).

pub mod leveled;
pub mod picker;

use crate::lsm::version::TableFile;
use std::fmt::Debug;
use std::sync::Arc;

/// What a [`CompactionFilter`] decides about one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterDecision {
    /// Keep the entry.
    Keep,
    /// Remove it: the key reads as deleted from then on.
    Remove,
}

/// A hook consulted for the newest version of every key a compaction rewrites.
pub trait CompactionFilter: Send + Sync + Debug {
    /// Decides about `value` stored under `user_key`, being written to `output_level`.
    fn filter(&self, output_level: usize, user_key: &[u8], value: &[u8]) -> FilterDecision;
}

/// A compaction chosen by the picker.
#[derive(Debug, Clone)]
pub struct CompactionTask {
    /// Shard being compacted.
    pub shard: usize,
    /// Level the task was picked for (statistics only).
    pub level: usize,
    /// Level the outputs go to.
    pub output_level: usize,
    /// Every file merged, with the level it is in (overlapping output-level files included).
    pub inputs: Vec<(usize, Arc<TableFile>)>,
    /// No deeper level holds any of the task's keys: tombstones can be dropped.
    pub bottommost: bool,
}

impl CompactionTask {
    /// True if the inputs can move down a level without being rewritten: they come from
    /// one sorted level and nothing at the output level overlaps them.
    pub fn is_trivial_move(&self) -> bool {
        self.level > 0 && self.inputs.iter().all(|(l, _)| *l == self.level)
    }

    /// Bytes of input read.
    pub fn input_bytes(&self) -> u64 {
        self.inputs.iter().map(|(_, f)| f.meta.size_bytes).sum()
    }
}
