//! Striped item locks: a write reads the old item, decides and writes under the lock of its
//! key, so ReturnValues, conditions and item statistics see a consistent old value.

use std::sync::{Mutex, MutexGuard};
use xxhash_rust::xxh3::xxh3_64;

/// Number of stripes: enough that unrelated writers rarely share one.
const STRIPE_COUNT: usize = 4096;

/// A fixed set of mutexes, chosen by a hash of the storage key.
pub(crate) struct KeyLocks {
    stripes: Box<[Mutex<()>]>,
}

impl KeyLocks {
    pub(crate) fn new() -> Self {
        KeyLocks {
            stripes: (0..STRIPE_COUNT).map(|_| Mutex::new(())).collect(),
        }
    }

    fn stripe(key: &[u8]) -> usize {
        (xxh3_64(key) % STRIPE_COUNT as u64) as usize
    }

    /// Locks the stripe of one key.
    pub(crate) fn lock(&self, key: &[u8]) -> MutexGuard<'_, ()> {
        lock(&self.stripes[Self::stripe(key)])
    }

    /// Locks the stripes of several keys, in stripe order so two callers cannot deadlock.
    pub(crate) fn lock_many<'a>(
        &self,
        keys: impl Iterator<Item = &'a [u8]>,
    ) -> Vec<MutexGuard<'_, ()>> {
        let mut stripes: Vec<usize> = keys.map(Self::stripe).collect();
        stripes.sort_unstable();
        stripes.dedup();
        stripes
            .into_iter()
            .map(|s| lock(&self.stripes[s]))
            .collect()
    }
}

/// Locks `m`, ignoring poisoning: the guarded data is `()`, the lock only orders writers.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
