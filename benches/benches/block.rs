//! Block seeks: `Table::get` on a 100k-key table whose blocks are all in the block cache.
// criterion_group! defines an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;
use tessera_bench::fixtures::build_table;
use tessera_bench::keys::key;
use tessera_bench::rng::Rng;
use tessera_engine::io::{FsStorage, Storage};
use tessera_engine::lsm::sstable::BlockCache;

const KEYS: u64 = 100_000;

fn block(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("creating a temporary directory");
    let storage: Arc<dyn Storage> =
        Arc::new(FsStorage::new(dir.path()).expect("opening the temporary directory"));
    let cache = Arc::new(BlockCache::new(64 << 20));
    let table =
        build_table(&storage, 1, KEYS, 100, Arc::clone(&cache)).expect("building the table");
    // Warm the cache: every block once.
    for i in 0..KEYS {
        table.get(&key(i), u64::MAX >> 8).expect("warming read");
    }
    let misses = cache.misses();
    let mut g = c.benchmark_group("block");
    g.measurement_time(Duration::from_secs(3)).sample_size(20);
    g.throughput(Throughput::Elements(1));
    let mut rng = Rng::new(4);
    g.bench_function("table_get_warm_cache", |b| {
        b.iter(|| {
            let k = key(rng.below(KEYS));
            black_box(
                table
                    .get(black_box(&k), u64::MAX >> 8)
                    .expect("cached read"),
            )
        })
    });
    g.finish();
    eprintln!(
        "block: cache misses during the bench: {} (0 means every read was a cache hit)",
        cache.misses() - misses
    );
}

criterion_group!(benches, block);
criterion_main!(benches);
