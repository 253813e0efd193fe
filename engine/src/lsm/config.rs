//! Store configuration: where the data lives, how durable a write is, and the tree's shape.

use crate::io::Storage;
use crate::lsm::compaction::CompactionFilter;
use crate::{Error, Result};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// When a write is acknowledged relative to the WAL reaching stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fdatasync before a write is acknowledged; concurrent writers share one sync (group
    /// commit). The default: an acknowledged write survives kill -9 and power loss.
    Sync,
    /// The WAL is written before acknowledging and synced in the background every `ms`
    /// milliseconds: survives kill -9, may lose the last interval on power loss.
    Interval(u64),
    /// The WAL is written but never synced by the write path: survives kill -9 (the data is
    /// in the OS page cache), may lose unsynced writes on power loss.
    None,
}

impl Durability {
    /// Parses the command-line spelling: `sync`, `none` or `interval:MS`.
    ///
    /// ```
    /// use tessera_engine::Durability;
    /// assert_eq!(Durability::parse("interval:5"), Some(Durability::Interval(5)));
    /// assert_eq!(Durability::parse("fast"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Durability> {
        match text {
            "sync" => Some(Durability::Sync),
            "none" => Some(Durability::None),
            other => other
                .strip_prefix("interval:")
                .and_then(|ms| ms.parse().ok())
                .map(Durability::Interval),
        }
    }
}

/// Configuration of a [`crate::Store`]. Build with [`Config::new`] and the setters.
#[derive(Clone)]
pub struct Config {
    /// Directory of the store (ignored when `storage` is set).
    pub path: PathBuf,
    /// Storage to use instead of the file system at `path` (tests pass a `SimStorage`).
    pub storage: Option<Arc<dyn Storage>>,
    /// Number of shards for a new store; an existing store keeps the count it was created with.
    pub shard_count: usize,
    /// WAL durability of acknowledged writes.
    pub durability: Durability,
    /// A shard's memtable is rotated and flushed once it holds this many bytes.
    pub memtable_size_bytes: usize,
    /// Immutable memtables a shard may queue for flushing before writers stall.
    pub immutable_memtables_max: usize,
    /// Level-0 file count that triggers a compaction into level 1.
    pub l0_compaction_trigger: usize,
    /// Level-0 file count at which writers stall until compaction catches up.
    pub l0_stop_writes_trigger: usize,
    /// Target size of level 1 in bytes.
    pub level_base_bytes: u64,
    /// Each level below L1 is this many times larger than the one above.
    pub level_size_ratio: u64,
    /// Compaction output files are cut near this size.
    pub table_file_size_bytes: u64,
    /// Uncompressed size of an SSTable data block.
    pub block_size_bytes: usize,
    /// Bloom filter bits per key (0 disables filters).
    pub bloom_bits_per_key: usize,
    /// Capacity of the shared block cache.
    pub block_cache_bytes: u64,
    /// Background threads running flushes and compactions.
    pub background_threads: usize,
    /// Longest a write may stall for background work before failing with `WriteStall`.
    pub write_stall_max_ms: u64,
    /// A WAL segment is closed and a new one started beyond this size.
    pub wal_segment_size_bytes: u64,
    /// Hook that may drop entries during compaction (TTL uses it).
    pub compaction_filter: Option<Arc<dyn CompactionFilter>>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("shard_count", &self.shard_count)
            .field("durability", &self.durability)
            .field("memtable_size_bytes", &self.memtable_size_bytes)
            .field("level_base_bytes", &self.level_base_bytes)
            .field("level_size_ratio", &self.level_size_ratio)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for a store in `path`: `Sync` durability, one shard per core (at least 2),
    /// 64 MiB memtables, L1 of 256 MiB growing 10x per level, 64 MiB block cache.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Config {
            path: path.into(),
            storage: None,
            shard_count: cores.max(2),
            durability: Durability::Sync,
            memtable_size_bytes: 64 << 20,
            immutable_memtables_max: 2,
            l0_compaction_trigger: 4,
            l0_stop_writes_trigger: 20,
            level_base_bytes: 256 << 20,
            level_size_ratio: 10,
            table_file_size_bytes: 64 << 20,
            block_size_bytes: 4096,
            bloom_bits_per_key: 10,
            block_cache_bytes: 64 << 20,
            background_threads: 2,
            write_stall_max_ms: 60_000,
            wal_segment_size_bytes: 64 << 20,
            compaction_filter: None,
        }
    }

    /// Runs on `storage` instead of the file system.
    pub fn storage(mut self, storage: Arc<dyn Storage>) -> Self {
        self.storage = Some(storage);
        self
    }

    /// Sets the shard count of a new store.
    pub fn shard_count(mut self, n: usize) -> Self {
        self.shard_count = n;
        self
    }

    /// Sets the durability mode.
    pub fn durability(mut self, d: Durability) -> Self {
        self.durability = d;
        self
    }

    /// Sets the memtable size.
    pub fn memtable_size_bytes(mut self, n: usize) -> Self {
        self.memtable_size_bytes = n;
        self
    }

    /// Sets the L1 target size and the level size ratio.
    pub fn levels(mut self, level_base_bytes: u64, level_size_ratio: u64) -> Self {
        self.level_base_bytes = level_base_bytes;
        self.level_size_ratio = level_size_ratio;
        self
    }

    /// Sets the compaction output file size.
    pub fn table_file_size_bytes(mut self, n: u64) -> Self {
        self.table_file_size_bytes = n;
        self
    }

    /// Sets the block cache capacity.
    pub fn block_cache_bytes(mut self, n: u64) -> Self {
        self.block_cache_bytes = n;
        self
    }

    /// Sets the number of background threads.
    pub fn background_threads(mut self, n: usize) -> Self {
        self.background_threads = n;
        self
    }

    /// Installs a compaction filter.
    pub fn compaction_filter(mut self, f: Arc<dyn CompactionFilter>) -> Self {
        self.compaction_filter = Some(f);
        self
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<()> {
        let bad = |field, reason| Err(Error::InvalidConfig { field, reason });
        if self.shard_count == 0 || self.shard_count > crate::limits::SHARD_COUNT_MAX {
            return bad("shard_count", "must be between 1 and 1024");
        }
        if self.memtable_size_bytes < 4096 {
            return bad("memtable_size_bytes", "must be at least 4096");
        }
        if self.immutable_memtables_max == 0 {
            return bad("immutable_memtables_max", "must be at least 1");
        }
        if self.l0_compaction_trigger == 0
            || self.l0_stop_writes_trigger <= self.l0_compaction_trigger
        {
            return bad(
                "l0_stop_writes_trigger",
                "must exceed l0_compaction_trigger (>= 1)",
            );
        }
        if self.level_size_ratio < 2 {
            return bad("level_size_ratio", "must be at least 2");
        }
        if self.level_base_bytes < 4096 || self.table_file_size_bytes < 4096 {
            return bad(
                "level_base_bytes",
                "level and file sizes must be at least 4096",
            );
        }
        if self.block_size_bytes < 256 {
            return bad("block_size_bytes", "must be at least 256");
        }
        if self.background_threads == 0 {
            return bad("background_threads", "must be at least 1");
        }
        if let Durability::Interval(0) = self.durability {
            return bad("durability", "Interval needs a period of at least 1 ms");
        }
        if self.wal_segment_size_bytes < 4096 {
            return bad("wal_segment_size_bytes", "must be at least 4096");
        }
        Ok(())
    }

    /// Target size in bytes of `level` (1-based levels; level 0 is counted in files).
    pub fn level_target_bytes(&self, level: usize) -> u64 {
        let mut t = self.level_base_bytes;
        for _ in 1..level {
            t = t.saturating_mul(self.level_size_ratio);
        }
        t
    }
}
