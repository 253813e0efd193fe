//! The block cache shared by all tables: checked data blocks keyed by (file number, offset).
//!
//! Entries are weighted by their encoded size, so `capacity_bytes` bounds the memory the
//! cached blocks hold. File numbers are never reused within a store, so a key can never
//! name a block of a different file.

use super::block::Block;
use crate::sync::{AtomicU64, Ordering};
use std::sync::Arc;

/// Weighs a cached block by its size in bytes.
#[derive(Debug, Clone, Copy)]
struct BlockWeighter;

impl quick_cache::Weighter<(u64, u64), Arc<Block>> for BlockWeighter {
    fn weight(&self, _key: &(u64, u64), block: &Arc<Block>) -> u64 {
        // Zero-weight entries would never be evicted.
        (block.len_bytes() as u64).max(1)
    }
}

/// A bounded cache of decoded data blocks, shared by every open [`super::Table`].
pub struct BlockCache {
    cache: quick_cache::sync::Cache<(u64, u64), Arc<Block>, BlockWeighter>,
    capacity_bytes: u64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for BlockCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockCache")
            .field("capacity_bytes", &self.capacity_bytes)
            .field("weight_bytes", &self.cache.weight())
            .field("hits", &self.hits())
            .field("misses", &self.misses())
            .finish()
    }
}

impl BlockCache {
    /// A cache holding at most about `capacity_bytes` of blocks; 0 caches nothing.
    pub fn new(capacity_bytes: u64) -> Self {
        // quick_cache sizes its tables from an item estimate; assume 4 KiB blocks.
        let items = usize::try_from(capacity_bytes / 4096)
            .unwrap_or(usize::MAX)
            .clamp(16, 1 << 24);
        BlockCache {
            cache: quick_cache::sync::Cache::with_weighter(items, capacity_bytes, BlockWeighter),
            capacity_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The configured capacity.
    pub fn capacity_bytes(&self) -> u64 {
        self.capacity_bytes
    }

    /// Lookups that found their block.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups that had to read their block from the file.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// The cached block at `offset` of table `file_number`, counting a hit or miss.
    pub(crate) fn get(&self, file_number: u64, offset: u64) -> Option<Arc<Block>> {
        let found = self.cache.get(&(file_number, offset));
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Caches a checked block.
    pub(crate) fn insert(&self, file_number: u64, offset: u64, block: Arc<Block>) {
        if self.capacity_bytes > 0 {
            self.cache.insert((file_number, offset), block);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests {
    use super::*;
    use crate::lsm::sstable::block::BlockBuilder;

    #[test]
    fn block_cache_counts_hits_and_misses() {
        let cache = BlockCache::new(1 << 20);
        let block = Arc::new(Block::parse(BlockBuilder::new(16).finish(), 0, "t").unwrap());
        assert!(cache.get(1, 0).is_none());
        cache.insert(1, 0, block);
        assert!(cache.get(1, 0).is_some());
        assert!(cache.get(2, 0).is_none());
        assert_eq!((cache.hits(), cache.misses()), (1, 2));
        assert_eq!(cache.capacity_bytes(), 1 << 20);
    }

    #[test]
    fn block_cache_zero_capacity_caches_nothing() {
        let cache = BlockCache::new(0);
        let block = Arc::new(Block::parse(BlockBuilder::new(16).finish(), 0, "t").unwrap());
        cache.insert(1, 0, block);
        assert!(cache.get(1, 0).is_none());
    }

    #[test]
    fn block_cache_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<BlockCache>();
    }
}
