//! Model test: random puts, deletes, batches, range reads in both directions, snapshots,
//! flushes, compactions and reopens; the store must always agree with a `BTreeMap`.

mod common;

use common::{dump, model_range, partition, sim_store, tiny_config};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;
use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Durability, Store, WriteBatch};

#[derive(Debug, Clone)]
enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
    Batch(Vec<(Vec<u8>, Option<Vec<u8>>)>),
    Get(Vec<u8>),
    Range(u8, Bound<Vec<u8>>, Bound<Vec<u8>>, bool),
    Snapshot,
    CheckSnapshots,
    Flush,
    Compact,
    Reopen,
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    // Few partitions and short keys: collisions, overwrites and shared prefixes are common.
    (0u8..4, prop::collection::vec(0u8..6, 0..4)).prop_map(|(p, mut rest)| {
        rest.insert(0, b'a' + p);
        rest
    })
}

fn bound() -> impl Strategy<Value = Bound<Vec<u8>>> {
    prop_oneof![
        key().prop_map(Bound::Included),
        key().prop_map(Bound::Excluded),
        Just(Bound::Unbounded),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => (key(), value()).prop_map(|(k, v)| Op::Put(k, v)),
        10 => key().prop_map(Op::Delete),
        5 => prop::collection::vec((key(), prop::option::of(value())), 1..6).prop_map(Op::Batch),
        10 => key().prop_map(Op::Get),
        10 => (0u8..4, bound(), bound(), any::<bool>()).prop_map(|(p, a, b, r)| Op::Range(p, a, b, r)),
        2 => Just(Op::Snapshot),
        2 => Just(Op::CheckSnapshots),
        2 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::Reopen),
    ]
}

fn run(ops: Vec<Op>, seed: u64) {
    let (sim, store) = sim_store(seed, Durability::Sync);
    let mut store = Some(store);
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut snapshots = Vec::new();
    for (i, op) in ops.into_iter().enumerate() {
        let s = store.as_ref().unwrap();
        let desc: String = format!("{op:?}").chars().take(120).collect();
        match op {
            Op::Put(k, v) => {
                s.put(partition(&k), &k, &v).unwrap();
                model.insert(k, v);
            }
            Op::Delete(k) => {
                s.delete(partition(&k), &k).unwrap();
                model.remove(&k);
            }
            Op::Batch(items) => {
                let mut b = WriteBatch::new();
                for (k, v) in items {
                    match v {
                        Some(v) => {
                            b.put(partition(&k), &k, &v);
                            model.insert(k, v);
                        }
                        None => {
                            b.delete(partition(&k), &k);
                            model.remove(&k);
                        }
                    }
                }
                s.write(b).unwrap();
            }
            Op::Get(k) => assert_eq!(s.get(partition(&k), &k).unwrap(), model.get(&k).cloned()),
            Op::Range(p, start, end, reverse) => {
                let part = [b'a' + p];
                let range = KeyRange { start, end };
                let dir = if reverse {
                    Direction::Reverse
                } else {
                    Direction::Forward
                };
                let got: Vec<_> = s
                    .range(&part, range.clone(), dir)
                    .map(Result::unwrap)
                    .filter(|(k, _)| k[0] == part[0])
                    .collect();
                assert_eq!(got, model_range(&model, &part, &range, dir));
            }
            Op::Snapshot => snapshots.push((s.snapshot(), model.clone())),
            Op::CheckSnapshots => {
                for (snap, old) in &snapshots {
                    for (k, v) in old.iter().take(20) {
                        assert_eq!(s.get_at(snap, partition(k), k).unwrap().as_ref(), Some(v));
                    }
                }
            }
            Op::Flush => s.flush().unwrap(),
            Op::Compact => s.compact().unwrap(),
            Op::Reopen => {
                snapshots.clear();
                store.take().unwrap().close().unwrap();
                store = Some(Store::open(tiny_config(Arc::new(sim.clone()))).unwrap());
            }
        }
        // The data set is small: compare everything after every step, so a failure names the
        // first operation that broke the store rather than a later read.
        assert_eq!(dump(store.as_ref().unwrap()), model, "after op {i}: {desc}");
    }
    let s = store.as_ref().unwrap();
    assert_eq!(dump(s), model);
    drop(snapshots);
    s.compact().unwrap();
    assert_eq!(dump(s), model);
}

proptest! {
    // PROPTEST_CASES raises the count for a longer hunt.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn tree_random_ops_match_btreemap_model(ops in prop::collection::vec(op(), 1..400), seed in any::<u64>()) {
        run(ops, seed);
    }
}

#[test]
fn tree_many_overwrites_with_snapshot_survive_compaction() {
    let (_sim, store) = sim_store(7, Durability::None);
    store.put(b"a", b"a1", b"old").unwrap();
    let snap = store.snapshot();
    for i in 0..2000u32 {
        store.put(b"a", b"a1", &i.to_be_bytes()).unwrap();
        store
            .put(b"b", format!("b{i}").as_bytes(), &[7u8; 50])
            .unwrap();
    }
    store.compact().unwrap();
    assert_eq!(
        store.get_at(&snap, b"a", b"a1").unwrap(),
        Some(b"old".to_vec())
    );
    assert_eq!(
        store.get(b"a", b"a1").unwrap(),
        Some(1999u32.to_be_bytes().to_vec())
    );
    drop(snap);
    store.compact().unwrap();
    assert_eq!(
        store.get(b"a", b"a1").unwrap(),
        Some(1999u32.to_be_bytes().to_vec())
    );
    let stats = store.stats();
    assert!(stats.compactions > 0 && stats.flushes > 0, "{stats:?}");
    assert!(stats.write_amplification() > 1.0);
}
