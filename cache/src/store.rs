//! One cache's storage: moka decides what stays (admission, eviction, the byte bound), and a
//! sharded index serves hits.
//!
//! A moka read records the access in a log that the reading thread itself processes every
//! 64th read, a few microseconds each time: fine on average, but it sets the cache's p99. So
//! hits are answered from a plain sharded hash map holding the same entries, and only one hit
//! in [`SAMPLE`] is reported to moka, enough for its frequency sketch to tell hot from cold.
//!
//! The index follows moka: an entry goes into the index, then into moka; when moka lets any
//! entry go (evicted, refused at admission, replaced), its listener removes it from the index
//! if the index still holds *that* entry (pointer equality). Whatever order two racing
//! inserts of one key take in each map, the index never keeps an entry moka does not hold.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, PoisonError, RwLock};
use xxhash_rust::xxh3::Xxh3DefaultBuilder;

/// One hit in this many is reported to moka's policy.
pub const SAMPLE: u32 = 16;
/// Shards of the index (a power of two).
const SHARDS: usize = 64;

type Shard<V> = RwLock<HashMap<Vec<u8>, Arc<V>, Xxh3DefaultBuilder>>;

/// A byte-bounded cache of `Arc<V>` values under byte-string keys.
pub struct Store<V> {
    index: Arc<[Shard<V>]>,
    policy: moka::sync::Cache<Vec<u8>, Arc<V>, Xxh3DefaultBuilder>,
}

thread_local! {
    static HITS: Cell<u32> = const { Cell::new(0) };
}

fn shard_of(key: &[u8]) -> usize {
    (Xxh3DefaultBuilder::new().hash_one(key) as usize) & (SHARDS - 1)
}

impl<V: Send + Sync + 'static> Store<V> {
    /// A store of at most `bytes` (as `weigh` counts them); `on_removal(value, evicted)` is
    /// told of every value moka lets go, `evicted` when it went for space.
    pub fn new(
        bytes: u64,
        weigh: fn(&V) -> u32,
        on_removal: impl Fn(&V, bool) + Send + Sync + 'static,
    ) -> Self {
        let index: Arc<[Shard<V>]> = (0..SHARDS).map(|_| RwLock::default()).collect();
        let for_listener = Arc::clone(&index);
        let policy = moka::sync::Cache::builder()
            .max_capacity(bytes)
            .weigher(move |_key: &Vec<u8>, value: &Arc<V>| weigh(value))
            .eviction_listener(move |key: Arc<Vec<u8>>, value: Arc<V>, cause| {
                let mut shard = for_listener[shard_of(&key)]
                    .write()
                    .unwrap_or_else(PoisonError::into_inner);
                if shard
                    .get(&*key)
                    .is_some_and(|held| Arc::ptr_eq(held, &value))
                {
                    shard.remove(&*key);
                }
                drop(shard);
                on_removal(&value, cause == moka::notification::RemovalCause::Size);
            })
            .build_with_hasher(Xxh3DefaultBuilder::new());
        Store { index, policy }
    }

    /// The value under `key`, if held.
    pub fn get(&self, key: &[u8]) -> Option<Arc<V>> {
        let value = self.index[shard_of(key)]
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()?;
        let report = HITS.with(|hits| {
            let n = hits.get().wrapping_add(1);
            hits.set(n);
            n % SAMPLE == 0
        });
        if report {
            // Only the access matters here; moka's copy is the same entry.
            let _ = self.policy.get(key);
        }
        Some(value)
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn insert(&self, key: Vec<u8>, value: Arc<V>) {
        self.index[shard_of(&key)]
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone(), Arc::clone(&value));
        self.policy.insert(key, value);
    }

    /// Runs moka's pending bookkeeping (evictions, listener calls) now.
    pub fn run_pending_tasks(&self) {
        self.policy.run_pending_tasks();
    }

    /// Entries in the index (moka's count may lag behind).
    pub fn len(&self) -> usize {
        self.index
            .iter()
            .map(|s| s.read().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn store_index_never_outgrows_the_policy() {
        let evicted = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&evicted);
        let store: Store<Vec<u8>> = Store::new(
            10_000,
            |v| v.len() as u32,
            move |_, for_space| {
                if for_space {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            },
        );
        for i in 0..1000u32 {
            store.insert(i.to_be_bytes().to_vec(), Arc::new(vec![0; 100]));
            store.get(&i.to_be_bytes());
        }
        store.run_pending_tasks();
        assert!(store.len() <= 100, "{} entries indexed", store.len());
        assert!(evicted.load(Ordering::Relaxed) >= 900);
        // Replacing a key keeps one entry, the newest (in a store with room: a full one may
        // refuse a newcomer at admission).
        let store: Store<Vec<u8>> = Store::new(10_000, |v| v.len() as u32, |_, _| {});
        store.insert(b"k".to_vec(), Arc::new(vec![1; 10]));
        store.insert(b"k".to_vec(), Arc::new(vec![2; 10]));
        store.run_pending_tasks();
        assert_eq!(store.get(b"k").map(|v| v[0]), Some(2));
    }

    #[test]
    fn store_racing_inserts_leave_no_orphan() {
        let store: Arc<Store<Vec<u8>>> =
            Arc::new(Store::new(1_000_000, |v| v.len() as u32, |_, _| {}));
        let threads: Vec<_> = (0..4u8)
            .map(|t| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        store.insert(b"same".to_vec(), Arc::new(vec![t; 8]));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        store.run_pending_tasks();
        // Whatever survived, the index holds at most moka's entry for the key.
        match (store.get(b"same"), store.policy.get(&b"same".to_vec())) {
            (Some(indexed), Some(held)) => assert!(Arc::ptr_eq(&indexed, &held)),
            (Some(_), None) => panic!("the index holds an entry moka let go"),
            (None, _) => {}
        }
    }
}
