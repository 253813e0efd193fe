//! Counters the engine keeps about itself: bytes written per level, stalls, amplification.

use crate::limits::LEVEL_COUNT;
// Statistics are not synchronization, so plain std atomics serve under loom too.
use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, updated with relaxed atomics (they are statistics, not synchronization).
#[derive(Debug, Default)]
pub struct Counters {
    /// Payload bytes of user writes (keys + values) accepted.
    pub user_bytes: AtomicU64,
    /// Bytes appended to the WAL, framing included.
    pub wal_bytes: AtomicU64,
    /// WAL syncs performed (each may cover many writes: group commit).
    pub wal_syncs: AtomicU64,
    /// Writes committed.
    pub writes: AtomicU64,
    /// Bytes written into SSTables, by output level (flushes count toward level 0).
    pub level_write_bytes: [AtomicU64; LEVEL_COUNT],
    /// Bytes read by compactions from each input level.
    pub level_read_bytes: [AtomicU64; LEVEL_COUNT],
    /// Memtable flushes completed.
    pub flushes: AtomicU64,
    /// Compactions completed (including trivial moves).
    pub compactions: AtomicU64,
    /// Total microseconds writers spent stalled.
    pub stall_micros: AtomicU64,
    /// Number of writes that stalled.
    pub stalls: AtomicU64,
}

impl Counters {
    /// Adds `n` to `counter`.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// A point-in-time copy of the statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Payload bytes of user writes accepted.
    pub user_bytes: u64,
    /// Bytes appended to the WAL.
    pub wal_bytes: u64,
    /// WAL syncs performed.
    pub wal_syncs: u64,
    /// Writes committed.
    pub writes: u64,
    /// Bytes written to SSTables per level.
    pub level_write_bytes: Vec<u64>,
    /// Bytes compactions read per input level.
    pub level_read_bytes: Vec<u64>,
    /// Live SSTable bytes per level, summed over shards.
    pub level_size_bytes: Vec<u64>,
    /// Live SSTable files per level, summed over shards.
    pub level_file_count: Vec<u64>,
    /// Memtable flushes completed.
    pub flushes: u64,
    /// Compactions completed.
    pub compactions: u64,
    /// Microseconds writers spent stalled.
    pub stall_micros: u64,
    /// Writes that stalled.
    pub stalls: u64,
    /// Bytes in memtables, active and immutable.
    pub memtable_bytes: u64,
    /// Bytes of all live files: SSTables plus WAL segments.
    pub disk_bytes: u64,
    /// Block cache hits and misses.
    pub block_cache_hits: u64,
    /// Block cache misses.
    pub block_cache_misses: u64,
}

impl Stats {
    /// (WAL bytes + SSTable bytes written) / user bytes written: how many times each byte the
    /// user wrote was written to disk. 0 before any write.
    pub fn write_amplification(&self) -> f64 {
        if self.user_bytes == 0 {
            return 0.0;
        }
        let sst: u64 = self.level_write_bytes.iter().sum();
        (self.wal_bytes + sst) as f64 / self.user_bytes as f64
    }

    /// Live SSTable bytes / bytes in the last non-empty level: how much space older versions,
    /// tombstones and not-yet-compacted overlap cost. 1.0 is a fully compacted tree.
    pub fn space_amplification(&self) -> f64 {
        let total: u64 = self.level_size_bytes.iter().sum();
        match self.level_size_bytes.iter().rev().find(|&&b| b > 0) {
            Some(&last) => total as f64 / last as f64,
            None => 0.0,
        }
    }
}

impl Counters {
    /// Copies the counters into `stats`.
    pub fn fill(&self, stats: &mut Stats) {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        stats.user_bytes = get(&self.user_bytes);
        stats.wal_bytes = get(&self.wal_bytes);
        stats.wal_syncs = get(&self.wal_syncs);
        stats.writes = get(&self.writes);
        stats.level_write_bytes = self.level_write_bytes.iter().map(get).collect();
        stats.level_read_bytes = self.level_read_bytes.iter().map(get).collect();
        stats.flushes = get(&self.flushes);
        stats.compactions = get(&self.compactions);
        stats.stall_micros = get(&self.stall_micros);
        stats.stalls = get(&self.stalls);
    }
}
