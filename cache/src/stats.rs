//! Hits, misses, evictions and bytes, per cache and per table.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// Live counters of one cache (item or query), overall or for one table.
#[derive(Debug, Default)]
pub struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    bytes: AtomicI64,
}

impl Counters {
    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn evicted(&self) {
        self.evictions.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add_bytes(&self, n: i64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters' current values.
    pub fn snapshot(&self) -> CounterValues {
        CounterValues {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed).max(0) as u64,
        }
    }
}

/// Values of [`Counters`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CounterValues {
    /// Reads answered from the cache.
    pub hits: u64,
    /// Reads that went to the layer below (and were then cached).
    pub misses: u64,
    /// Entries dropped for space or age.
    pub evictions: u64,
    /// Bytes held (entry weights: item sizes plus key and bookkeeping).
    pub bytes: u64,
}

/// The counters of one table in both caches.
#[derive(Debug, Default)]
pub struct TableCounters {
    /// Item cache.
    pub item: Counters,
    /// Query cache.
    pub query: Counters,
}

/// Every counter of a [`crate::Cache`].
#[derive(Debug, Default)]
pub struct Stats {
    pub(crate) item: Counters,
    pub(crate) query: Counters,
    tables: RwLock<HashMap<String, Arc<TableCounters>>>,
}

impl Stats {
    /// The counters of `table`, created on first use.
    pub(crate) fn table(&self, table: &str) -> Arc<TableCounters> {
        if let Some(t) = self
            .tables
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(table)
        {
            return Arc::clone(t);
        }
        let mut tables = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(tables.entry(table.to_owned()).or_default())
    }

    /// A snapshot of everything.
    pub fn snapshot(&self) -> CacheStats {
        let mut tables: Vec<(String, CounterValues, CounterValues)> = self
            .tables
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(name, t)| (name.clone(), t.item.snapshot(), t.query.snapshot()))
            .collect();
        tables.sort_by(|a, b| a.0.cmp(&b.0));
        CacheStats {
            item: self.item.snapshot(),
            query: self.query.snapshot(),
            tables,
        }
    }
}

/// What [`crate::Cache::stats`] reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// The item cache.
    pub item: CounterValues,
    /// The query cache.
    pub query: CounterValues,
    /// Per table: (name, item cache, query cache), sorted by name.
    pub tables: Vec<(String, CounterValues, CounterValues)>,
}
