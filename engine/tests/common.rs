//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::BTreeMap;
use std::sync::Arc;
use tessera_engine::io::{SimStorage, Storage};
use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Config, Durability, Store};

/// A config that flushes and compacts after a few KiB, so small tests exercise every level.
pub fn tiny_config(storage: Arc<dyn Storage>) -> Config {
    let mut c = Config::new("unused")
        .storage(storage)
        .shard_count(3)
        .memtable_size_bytes(4096)
        .levels(8192, 2)
        .table_file_size_bytes(4096)
        .block_cache_bytes(64 << 10)
        .background_threads(1);
    c.l0_compaction_trigger = 2;
    c.l0_stop_writes_trigger = 8;
    c.block_size_bytes = 256;
    c.wal_segment_size_bytes = 8192;
    c
}

/// Opens a tiny store on a seeded simulated disk.
pub fn sim_store(seed: u64, durability: Durability) -> (SimStorage, Store) {
    let sim = SimStorage::new(seed);
    let store = Store::open(tiny_config(Arc::new(sim.clone())).durability(durability)).unwrap();
    (sim, store)
}

/// Every test key lives in one of a few partitions; the partition is the key's first byte.
pub fn partition(key: &[u8]) -> &[u8] {
    &key[..1]
}

/// All (key, value) pairs of every shard, in key order.
pub fn dump(store: &Store) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    for shard in 0..store.shard_count() {
        for kv in store
            .shard_range(shard, KeyRange::all(), Direction::Forward, None)
            .unwrap()
        {
            let (k, v) = kv.unwrap();
            assert!(out.insert(k, v).is_none(), "a key appeared in two shards");
        }
    }
    out
}

/// The model's answer to a range read within one partition.
pub fn model_range(
    model: &BTreeMap<Vec<u8>, Vec<u8>>,
    part: &[u8],
    range: &KeyRange,
    direction: Direction,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut v: Vec<_> = model
        .iter()
        .filter(|(k, _)| partition(k) == part && range.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if direction == Direction::Reverse {
        v.reverse();
    }
    v
}

/// A small seeded generator (splitmix64): a failing run replays from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
