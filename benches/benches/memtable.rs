//! Memtable inserts and point reads: 16-byte keys, 100-byte values.
// criterion_group! defines an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tessera_bench::keys::{key, value};
use tessera_bench::rng::Rng;
use tessera_engine::lsm::ikey::ValueKind;
use tessera_engine::lsm::memtable::Memtable;

/// Keys in the memtable the get bench reads from.
const PREFILLED: u64 = 100_000;

fn insert(c: &mut Criterion) {
    let mut g = c.benchmark_group("memtable");
    g.measurement_time(Duration::from_secs(3)).sample_size(20);
    g.throughput(Throughput::Elements(1));
    let v = value(0, 100);
    g.bench_function("insert_random_16b_key_100b_value", |b| {
        // A fresh memtable per sample keeps it from growing without bound.
        b.iter_custom(|iters| {
            let mut rng = Rng::new(iters);
            let keys: Vec<_> = (0..iters)
                .map(|_| key(rng.next_u64() % 10_000_000_000))
                .collect();
            let mem = Memtable::new();
            let start = Instant::now();
            for (seq, k) in keys.iter().enumerate() {
                mem.insert(k, seq as u64 + 1, ValueKind::Put, &v);
            }
            let elapsed = start.elapsed();
            drop(mem);
            elapsed
        })
    });
    g.bench_function("insert_1000_sequential_keys_batched", |b| {
        b.iter_batched(
            Memtable::new,
            |mem| {
                for i in 0..1000u64 {
                    mem.insert(&key(i), i + 1, ValueKind::Put, &v);
                }
                mem
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn get(c: &mut Criterion) {
    let mut g = c.benchmark_group("memtable");
    g.measurement_time(Duration::from_secs(3)).sample_size(20);
    g.throughput(Throughput::Elements(1));
    let mem = Memtable::new();
    for (seq, i) in Rng::new(1).permutation(PREFILLED).into_iter().enumerate() {
        mem.insert(&key(i), seq as u64 + 1, ValueKind::Put, &value(i, 100));
    }
    let mut rng = Rng::new(2);
    g.bench_function("get_hit_100k", |b| {
        b.iter(|| {
            let k = key(rng.below(PREFILLED));
            black_box(mem.get(black_box(&k), u64::MAX >> 8))
        })
    });
    g.finish();
}

criterion_group!(benches, insert, get);
criterion_main!(benches);
