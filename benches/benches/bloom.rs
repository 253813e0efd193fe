//! Bloom filter probes through `Table::may_contain` on a built 100k-key table.
// criterion_group! defines an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;
use tessera_bench::fixtures::build_table;
use tessera_bench::keys::{key, missing_key};
use tessera_bench::rng::Rng;
use tessera_engine::io::{SimStorage, Storage};
use tessera_engine::lsm::sstable::BlockCache;

const KEYS: u64 = 100_000;

fn bloom(c: &mut Criterion) {
    let storage: Arc<dyn Storage> = Arc::new(SimStorage::new(1));
    let cache = Arc::new(BlockCache::new(64 << 20));
    let table = build_table(&storage, 1, KEYS, 100, cache).expect("building an in-memory table");
    let mut g = c.benchmark_group("bloom");
    g.measurement_time(Duration::from_secs(3)).sample_size(20);
    g.throughput(Throughput::Elements(1));
    let mut rng = Rng::new(3);
    g.bench_function("may_contain_present", |b| {
        b.iter(|| {
            let k = key(rng.below(KEYS));
            black_box(table.may_contain(black_box(&k)))
        })
    });
    // Absent keys that sort between present ones: the filter alone must rule them out.
    let mut false_positives = 0u64;
    let probes = 100_000u64;
    for i in 0..probes {
        false_positives += u64::from(table.may_contain(&missing_key(i * 10)));
    }
    eprintln!(
        "bloom: false positive rate {:.4} over {probes} absent keys",
        false_positives as f64 / probes as f64
    );
    g.bench_function("may_contain_absent", |b| {
        b.iter(|| {
            let k = missing_key(rng.below(KEYS));
            black_box(table.may_contain(black_box(&k)))
        })
    });
    g.finish();
}

criterion_group!(benches, bloom);
criterion_main!(benches);
