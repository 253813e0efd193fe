//! WAL appends of 100-byte payloads on a real file system, without and with a sync each.
// criterion_group! defines an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_engine::io::{FsStorage, Storage};
use tessera_engine::lsm::wal::{segment_file_name, WalWriter};

fn wal(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("creating a temporary directory");
    let storage: Arc<dyn Storage> =
        Arc::new(FsStorage::new(dir.path()).expect("opening the temporary directory"));
    let payload = [0x5au8; 100];
    let mut segment = 0u64;
    let mut g = c.benchmark_group("wal");
    g.measurement_time(Duration::from_secs(3)).sample_size(20);
    g.throughput(Throughput::Elements(1));
    for sync in [false, true] {
        let name = if sync {
            "append_100b_sync"
        } else {
            "append_100b_nosync"
        };
        g.bench_function(name, |b| {
            // A new segment per sample keeps the file from growing without bound.
            b.iter_custom(|iters| {
                segment += 1;
                let mut w = WalWriter::create(&storage, segment).expect("creating a segment");
                let start = Instant::now();
                for _ in 0..iters {
                    w.append(&[&payload]).expect("append");
                    if sync {
                        w.sync().expect("sync");
                    }
                }
                let elapsed = start.elapsed();
                drop(w);
                storage
                    .remove(&segment_file_name(segment))
                    .expect("removing the segment");
                elapsed
            })
        });
    }
    g.finish();
}

criterion_group!(benches, wal);
criterion_main!(benches);
