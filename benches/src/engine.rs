//! [`BenchEngine`]: the operations engine-bench needs, so every engine runs the same code.

use crate::error::{Error, Result};
use std::ops::Bound;
use std::path::Path;
use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Config, Durability, Store};

/// One storage engine under test. Partition keys matter to Tessera (they pick the shard);
/// engines without partitions prefix the key with them.
pub trait BenchEngine: Send + Sync {
    /// Short name used in reports (`tessera`, `rocksdb`, `fjall`).
    fn name(&self) -> &'static str;

    /// Writes one key without waiting for an fsync.
    fn put(&self, partition: &[u8], key: &[u8], value: &[u8]) -> Result<()>;

    /// Writes one key and returns only once it is fsynced (concurrent callers may share one
    /// sync, as in group commit).
    fn sync_put(&self, partition: &[u8], key: &[u8], value: &[u8]) -> Result<()>;

    /// Reads one key.
    fn get(&self, partition: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Seeks to the first key >= `start` in `partition` and reads up to `n` entries forward;
    /// returns how many it read.
    fn seek_n(&self, partition: &[u8], start: &[u8], n: usize) -> Result<usize>;

    /// Flushes memtables and compacts everything into the last level, waiting until done.
    fn flush_compact(&self) -> Result<()>;

    /// The engine's own write amplification figure, if it keeps one.
    fn write_amplification(&self) -> Option<f64> {
        None
    }

    /// One line of engine-specific statistics for the report, if any.
    fn stats_line(&self) -> Option<String> {
        None
    }
}

/// How a bench opens an engine.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Block cache capacity.
    pub cache_bytes: u64,
    /// Open for `sync_put`: every write is fsynced before it is acknowledged.
    pub sync: bool,
}

/// Tessera's [`Store`] behind [`BenchEngine`].
#[derive(Debug)]
pub struct TesseraEngine {
    store: Store,
    sync: bool,
}

impl TesseraEngine {
    /// Opens a store in `dir`. Durability is per store in Tessera, so `opts.sync` picks
    /// `Durability::Sync` (group commit, fdatasync per group) or `Durability::None`.
    pub fn open(dir: &Path, opts: &OpenOptions) -> Result<Self> {
        let durability = if opts.sync {
            Durability::Sync
        } else {
            Durability::None
        };
        let config = Config::new(dir)
            .durability(durability)
            .block_cache_bytes(opts.cache_bytes);
        let store = Store::open(config).map_err(|e| Error::engine("tessera", "open", e))?;
        Ok(TesseraEngine {
            store,
            sync: opts.sync,
        })
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the store (stops background work, syncs the WAL).
    pub fn close(self) -> Result<()> {
        self.store
            .close()
            .map_err(|e| Error::engine("tessera", "close", e))
    }
}

impl BenchEngine for TesseraEngine {
    fn name(&self) -> &'static str {
        "tessera"
    }

    fn put(&self, partition: &[u8], key: &[u8], value: &[u8]) -> Result<()> {
        self.store
            .put(partition, key, value)
            .map(|_| ())
            .map_err(|e| Error::engine("tessera", "put", e))
    }

    fn sync_put(&self, partition: &[u8], key: &[u8], value: &[u8]) -> Result<()> {
        self.put(partition, key, value)?;
        if !self.sync {
            // Opened without Sync durability: sync explicitly (no group commit then).
            self.store
                .sync_wal()
                .map_err(|e| Error::engine("tessera", "sync_wal", e))?;
        }
        Ok(())
    }

    fn get(&self, partition: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.store
            .get(partition, key)
            .map_err(|e| Error::engine("tessera", "get", e))
    }

    fn seek_n(&self, partition: &[u8], start: &[u8], n: usize) -> Result<usize> {
        let range = KeyRange::new(Bound::Included(start), Bound::Unbounded);
        let mut read = 0;
        for entry in self
            .store
            .range(partition, range, Direction::Forward)
            .take(n)
        {
            entry.map_err(|e| Error::engine("tessera", "range", e))?;
            read += 1;
        }
        Ok(read)
    }

    fn flush_compact(&self) -> Result<()> {
        self.store
            .compact()
            .map_err(|e| Error::engine("tessera", "compact", e))
    }

    fn write_amplification(&self) -> Option<f64> {
        Some(self.store.stats().write_amplification())
    }

    fn stats_line(&self) -> Option<String> {
        let s = self.store.stats();
        Some(format!(
            "space_amp={:.2} flushes={} compactions={} stalls={} stall_ms={} \
             level_files={:?} cache_hits={} cache_misses={}",
            s.space_amplification(),
            s.flushes,
            s.compactions,
            s.stalls,
            s.stall_micros / 1000,
            s.level_file_count,
            s.block_cache_hits,
            s.block_cache_misses,
        ))
    }
}
