//! cache-bench: the item cache in-process, against the engine alone.
//!
//! 1. Hot reads: one thread reads the same `--hot` keys over and over; per-call latency of
//!    GetItem through the engine and through a warm cache.
//! 2. YCSB-B: `--threads` threads, keys drawn from a scrambled Zipfian distribution
//!    (theta `--theta`) over `--items` items, 95% GetItem and 5% PutItem, through the engine
//!    and through the cache: throughput, read latency and the cache's hit ratio.
//!
//! ```text
//! cargo run --release -p tessera-bench --bin cache-bench -- --items 100000 --cache-mib 32
//! ```

use clap::Parser;
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_bench::rng::Rng;
use tessera_cache::{Cache, CacheConfig};
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_engine::{Config, Database, Durability};

#[derive(Parser, Debug)]
#[command(about = "The item cache against the engine alone, in-process")]
struct Args {
    /// Items in the table.
    #[arg(long, default_value_t = 100_000)]
    items: u64,
    /// Bytes of each item's payload.
    #[arg(long, default_value_t = 1000)]
    item_size: usize,
    /// Item cache size in MiB.
    #[arg(long, default_value_t = 32)]
    cache_mib: u64,
    /// Keys read in the hot-read phase.
    #[arg(long, default_value_t = 1000)]
    hot: u64,
    /// Reads measured in the hot-read phase, per layer.
    #[arg(long, default_value_t = 1_000_000)]
    hot_reads: u64,
    /// Threads of the YCSB-B phase.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Seconds of the YCSB-B phase, per layer.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Zipfian skew.
    #[arg(long, default_value_t = 0.99)]
    theta: f64,
    /// The engine's block cache in MiB.
    #[arg(long, default_value_t = 64)]
    block_cache_mib: u64,
    /// The engine's memtable size in MiB (small: most items are read from tables on disk).
    #[arg(long, default_value_t = 64)]
    memtable_mib: usize,
}

const TABLE: &str = "ycsb";

fn key(i: u64) -> Item {
    Item::from([("id".to_owned(), AttributeValue::S(format!("user{i:012}")))])
}

fn item(i: u64, size: usize) -> Item {
    let mut it = key(i);
    it.insert("field0".into(), AttributeValue::S("x".repeat(size)));
    it
}

fn get(i: u64) -> GetItemInput {
    GetItemInput {
        table_name: TABLE.into(),
        key: key(i),
        ..Default::default()
    }
}

/// Scrambled Zipfian keys: ranks drawn by inverse CDF, then mapped through a fixed
/// permutation so the hot keys are spread over the key space (and the shards).
struct Zipf {
    cdf: Vec<f64>,
    ranks: Vec<u64>,
}

impl Zipf {
    fn new(n: u64, theta: f64) -> Self {
        let mut cdf = Vec::with_capacity(n as usize);
        let mut sum = 0.0;
        for i in 0..n {
            sum += 1.0 / ((i + 1) as f64).powf(theta);
            cdf.push(sum);
        }
        for c in &mut cdf {
            *c /= sum;
        }
        Zipf {
            cdf,
            ranks: Rng::new(7).permutation(n),
        }
    }

    fn sample(&self, rng: &mut Rng) -> u64 {
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let rank = self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1);
        self.ranks[rank]
    }
}

fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000_000, 3)?)
}

fn us(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

fn hot_reads(name: &str, api: &dyn ItemApi, args: &Args) -> anyhow::Result<()> {
    // Warm: every hot key read once.
    for i in 0..args.hot {
        api.get_item(get(i))?;
    }
    let mut h = histogram()?;
    let started = Instant::now();
    for n in 0..args.hot_reads {
        let input = get(n % args.hot);
        let t = Instant::now();
        let out = api.get_item(input)?;
        h.saturating_record(t.elapsed().as_nanos() as u64);
        anyhow::ensure!(out.item.is_some(), "key {} missing", n % args.hot);
    }
    let elapsed = started.elapsed();
    println!(
        "| hot GetItem | {name} | {:.0} | {:.2} µs | {:.2} µs | {:.2} µs |",
        args.hot_reads as f64 / elapsed.as_secs_f64(),
        us(&h, 0.5),
        us(&h, 0.99),
        us(&h, 0.999)
    );
    Ok(())
}

fn ycsb_b(name: &str, api: Arc<dyn ItemApi>, zipf: Arc<Zipf>, args: &Args) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut workers = Vec::new();
    for t in 0..args.threads {
        let (api, zipf) = (Arc::clone(&api), Arc::clone(&zipf));
        let size = args.item_size;
        workers.push(std::thread::spawn(
            move || -> anyhow::Result<(Histogram<u64>, u64)> {
                let mut rng = Rng::new(1000 + t as u64);
                let mut reads = histogram()?;
                let mut ops = 0u64;
                while Instant::now() < deadline {
                    for _ in 0..64 {
                        let k = zipf.sample(&mut rng);
                        if rng.below(100) < 95 {
                            let t = Instant::now();
                            api.get_item(get(k))?;
                            reads.saturating_record(t.elapsed().as_nanos() as u64);
                        } else {
                            api.put_item(PutItemInput {
                                table_name: TABLE.into(),
                                item: item(k, size),
                                ..Default::default()
                            })?;
                        }
                        ops += 1;
                    }
                }
                Ok((reads, ops))
            },
        ));
    }
    let mut reads = histogram()?;
    let mut ops = 0;
    for w in workers {
        let (h, n) = w.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
        reads.add(h)?;
        ops += n;
    }
    println!(
        "| YCSB-B | {name} | {:.0} | {:.2} µs | {:.2} µs | {:.2} µs |",
        ops as f64 / args.seconds as f64,
        us(&reads, 0.5),
        us(&reads, 0.99),
        us(&reads, 0.999)
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut config = Config::new(dir.path())
        .durability(Durability::None)
        .block_cache_bytes(args.block_cache_mib << 20);
    config.memtable_size_bytes = args.memtable_mib << 20;
    let db = Arc::new(Database::open(config)?);
    db.create_table(CreateTableInput {
        table_name: TABLE.into(),
        key_schema: vec![KeySchemaElement::new("id", KeyType::Hash)],
        attribute_definitions: vec![AttributeDefinition::new("id", ScalarType::S)],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })?;
    for i in 0..args.items {
        db.put_item(PutItemInput {
            table_name: TABLE.into(),
            item: item(i, args.item_size),
            ..Default::default()
        })?;
    }
    let cache = Arc::new(Cache::new(
        Arc::clone(&db),
        CacheConfig {
            item_cache_bytes: args.cache_mib << 20,
            ..Default::default()
        },
    ));
    println!(
        "{} items of {} bytes; item cache {} MiB; engine block cache {} MiB, memtables {} MiB; YCSB-B {} threads, theta {}",
        args.items, args.item_size, args.cache_mib, args.block_cache_mib, args.memtable_mib, args.threads, args.theta
    );
    println!("| workload | layer | ops/s | p50 | p99 | p99.9 |");
    println!("|---|---|---|---|---|---|");
    hot_reads("engine", &*db, &args)?;
    hot_reads("cache", &*cache, &args)?;
    let zipf = Arc::new(Zipf::new(args.items, args.theta));
    ycsb_b(
        "engine",
        Arc::clone(&db) as Arc<dyn ItemApi>,
        Arc::clone(&zipf),
        &args,
    )?;
    let before = cache.stats().item;
    ycsb_b("cache", Arc::clone(&cache) as Arc<dyn ItemApi>, zipf, &args)?;
    let after = cache.stats().item;
    let (hits, misses) = (after.hits - before.hits, after.misses - before.misses);
    println!(
        "YCSB-B through the cache: hit ratio {:.1}% ({hits} hits, {misses} misses), {} evictions, {} MiB held",
        100.0 * hits as f64 / (hits + misses).max(1) as f64,
        after.evictions,
        after.bytes >> 20
    );
    Ok(())
}
