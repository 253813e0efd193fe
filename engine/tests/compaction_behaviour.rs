//! Compaction behaviour visible through the public API: readers pin the files they started
//! with, obsolete files go once the last reader lets go, the compaction filter removes what
//! it rejects, and statistics account for the work.

mod common;

use common::{sim_store, tiny_config};
use std::sync::Arc;
use tessera_engine::io::SimStorage;
use tessera_engine::lsm::compaction::{CompactionFilter, FilterDecision};
use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Durability, Store};

fn sst_count(sim: &SimStorage) -> usize {
    sim.file_names()
        .iter()
        .filter(|n| n.ends_with(".sst"))
        .count()
}

#[test]
fn compaction_files_pinned_by_a_reader_survive_until_it_drops() {
    let (sim, store) = sim_store(21, Durability::None);
    for i in 0..300u32 {
        store
            .put(b"p", format!("k{i:04}").as_bytes(), &[7u8; 64])
            .unwrap();
    }
    store.flush().unwrap();
    store.wait_idle().unwrap();
    let mut reader = store.range(b"p", KeyRange::all(), Direction::Forward);
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.0, b"k0000");
    let before = sst_count(&sim);
    // Overwrite everything and compact: the reader's files are now obsolete.
    for i in 0..300u32 {
        store
            .put(b"p", format!("k{i:04}").as_bytes(), &[8u8; 64])
            .unwrap();
    }
    store.compact().unwrap();
    let pinned = sst_count(&sim);
    // The old reader still sees its own version of every key, read from the pinned files.
    let rest: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(rest.len(), 299);
    assert!(rest.iter().all(|(_, v)| v == &vec![7u8; 64]));
    drop(reader);
    let after = sst_count(&sim);
    assert!(
        pinned > after,
        "obsolete files were kept while pinned ({before} -> {pinned} -> {after})"
    );
    assert_eq!(store.get(b"p", b"k0000").unwrap(), Some(vec![8u8; 64]));
}

#[derive(Debug)]
struct DropExpired;

impl CompactionFilter for DropExpired {
    fn filter(&self, _level: usize, user_key: &[u8], _value: &[u8]) -> FilterDecision {
        if user_key.starts_with(b"expired/") {
            FilterDecision::Remove
        } else {
            FilterDecision::Keep
        }
    }
}

#[test]
fn compaction_filter_removes_rejected_entries() {
    let sim = SimStorage::new(22);
    let config = tiny_config(Arc::new(sim.clone())).compaction_filter(Arc::new(DropExpired));
    let store = Store::open(config).unwrap();
    for i in 0..50u32 {
        store
            .put(b"p", format!("expired/{i}").as_bytes(), b"old")
            .unwrap();
        store
            .put(b"p", format!("live/{i}").as_bytes(), b"new")
            .unwrap();
    }
    store.compact().unwrap();
    assert_eq!(store.get(b"p", b"expired/3").unwrap(), None);
    assert_eq!(store.get(b"p", b"live/3").unwrap(), Some(b"new".to_vec()));
    let left: Vec<_> = store
        .range(b"p", KeyRange::all(), Direction::Forward)
        .collect();
    assert_eq!(left.len(), 50);
}

#[test]
fn compaction_statistics_count_levels_and_amplification() {
    let (_sim, store) = sim_store(23, Durability::None);
    for round in 0..4u32 {
        for i in 0..200u32 {
            store
                .put(
                    b"p",
                    format!("k{i:04}").as_bytes(),
                    &round.to_be_bytes().repeat(16),
                )
                .unwrap();
        }
        store.flush().unwrap();
    }
    store.compact().unwrap();
    let s = store.stats();
    assert!(s.flushes >= 4 && s.compactions >= 1, "{s:?}");
    assert!(
        s.level_write_bytes[0] > 0 && s.level_write_bytes[6] > 0,
        "{s:?}"
    );
    assert_eq!(
        s.level_file_count[..6].iter().sum::<u64>(),
        0,
        "everything in the last level"
    );
    // Four overwrites of the same keys: at least the WAL plus one flush per round.
    assert!(s.write_amplification() > 2.0, "{}", s.write_amplification());
    assert!(
        (s.space_amplification() - 1.0).abs() < 1e-9,
        "fully compacted: {}",
        s.space_amplification()
    );
}

/// A filter that holds every compaction until the test opens the gate.
#[derive(Debug, Default)]
struct Gate {
    open: std::sync::Mutex<bool>,
    cv: std::sync::Condvar,
}

impl CompactionFilter for Gate {
    fn filter(&self, _level: usize, _user_key: &[u8], _value: &[u8]) -> FilterDecision {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cv.wait(open).unwrap();
        }
        FilterDecision::Keep
    }
}

impl Gate {
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
}

/// Opens the gate when dropped, so a failing assertion cannot leave the store's worker
/// blocked forever (closing the store joins it).
struct Release(Arc<Gate>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.release();
    }
}

#[test]
fn write_stall_is_bounded_measured_and_released_when_compaction_catches_up() {
    let gate = Arc::new(Gate::default());
    let sim = SimStorage::new(24);
    let mut config = tiny_config(Arc::new(sim)).compaction_filter(Arc::clone(&gate) as _);
    config.write_stall_max_ms = 200;
    let store = Store::open(config).unwrap();
    // Declared after the store so it drops first: the gate opens before the store closes.
    let release = Release(Arc::clone(&gate));
    let mut stalled = None;
    for i in 0..5000u32 {
        if let Err(e) = store.put(b"p", format!("k{i:05}").as_bytes(), &[1u8; 100]) {
            stalled = Some(e);
            break;
        }
    }
    let err = stalled.expect("writes never stalled although compaction was held");
    assert!(
        matches!(err, tessera_engine::Error::WriteStall { waited_ms } if waited_ms >= 200),
        "{err}"
    );
    let s = store.stats();
    assert!(s.stalls >= 1 && s.stall_micros >= 200_000, "{s:?}");
    drop(release);
    store.wait_idle().unwrap();
    store.put(b"p", b"after", b"stall").unwrap();
    assert_eq!(store.get(b"p", b"after").unwrap(), Some(b"stall".to_vec()));
}

#[test]
fn wal_retention_is_bounded_when_a_shard_rarely_writes() {
    let (sim, store) = sim_store(25, Durability::None);
    // One write to a quiet partition, then a long stream to a busy one: the quiet shard's
    // memtable never fills, yet the log must not keep growing behind it.
    store.put(b"q", b"quiet", b"1").unwrap();
    assert_ne!(store.shard_for(b"q"), store.shard_for(b"b"));
    for i in 0..20_000u32 {
        store
            .put(b"b", format!("b{i:06}").as_bytes(), &[3u8; 64])
            .unwrap();
    }
    store.wait_idle().unwrap();
    let segments = sim
        .file_names()
        .iter()
        .filter(|n| n.ends_with(".wal"))
        .count();
    // tiny_config: 8 KiB segments; 20,000 writes are ~2 MB of log, some 250 segments.
    assert!(segments <= 12, "{segments} WAL segments retained");
    assert_eq!(store.get(b"q", b"quiet").unwrap(), Some(b"1".to_vec()));
}
