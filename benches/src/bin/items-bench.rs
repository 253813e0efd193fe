//! Item-layer targets of the items issue, measured end to end:
//!
//! - durable PutItem of 1 KB items from N concurrent writers, against the raw engine's
//!   fillrandom of 1 KB values under the same settings (same durability, shards, writers);
//! - GetItem latency percentiles of 1 KB items (embedded, one reader);
//! - UpdateItem counter increments (ADD) and 10-item TransactWriteItems, N writers.
//!
//! cargo run --release -p tessera-bench --bin items-bench -- --num 40000 --threads 8
#![deny(clippy::unwrap_used)]

use anyhow::{Context, Result};
use clap::Parser;
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tessera_bench::items::{item_1kb, item_key, table_input, TABLE};
use tessera_bench::keys::key;
use tessera_bench::rng::Rng;
use tessera_engine::api::{
    GetItemInput, Put, PutItemInput, TransactWriteItem, TransactWriteItemsInput, UpdateItemInput,
};
use tessera_engine::model::codec::encode_item_to_vec;
use tessera_engine::model::AttributeValue;
use tessera_engine::{Config, Database, Durability, Store};

#[derive(Parser, Debug)]
#[command(about = "PutItem vs raw fillrandom throughput, and GetItem latency, embedded")]
struct Args {
    /// Writes per run (split over the writers).
    #[arg(long, default_value_t = 40_000)]
    num: u64,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    threads: u64,
    /// Durability: sync (default), none.
    #[arg(long, default_value = "sync")]
    durability: String,
    /// GetItem calls measured.
    #[arg(long, default_value_t = 200_000)]
    reads: u64,
    /// Directory for the stores (a temporary one by default).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

fn config(dir: &Path, durability: Durability) -> Config {
    Config::new(dir).durability(durability)
}

/// Runs `op(i)` for every i in 0..num over `threads` threads; returns ops per second.
fn run_parallel(num: u64, threads: u64, op: impl Fn(u64) -> Result<()> + Sync) -> Result<f64> {
    let next = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| -> Result<()> {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= num {
                            return Ok(());
                        }
                        op(i)?;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| anyhow::anyhow!("writer panicked"))??;
        }
        Ok(())
    })?;
    Ok(num as f64 / start.elapsed().as_secs_f64())
}

/// The i-th random key index of a run (a fixed permutation-like spread).
fn spread(i: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 1_000_000_007
}

fn main() -> Result<()> {
    let args = Args::parse();
    let durability = match args.durability.as_str() {
        "sync" => Durability::Sync,
        "none" => Durability::None,
        other => anyhow::bail!("unknown durability {other}: use sync or none"),
    };
    let tmp = tempfile::tempdir()?;
    let base = args.dir.clone().unwrap_or_else(|| tmp.path().to_owned());

    // Raw engine: the same bytes PutItem stores (the encoded 1 KB item) under 16-byte keys.
    let raw_dir = base.join("raw");
    let store = Store::open(config(&raw_dir, durability)).context("open raw store")?;
    let raw_rate = run_parallel(args.num, args.threads, |i| {
        let k = key(spread(i));
        let v = encode_item_to_vec(&item_1kb(spread(i), 0));
        store.put(&k[..8], &k, &v)?;
        Ok(())
    })?;
    store.close()?;
    drop(store);

    let db_dir = base.join("items");
    let db = Database::open(config(&db_dir, durability)).context("open database")?;
    db.create_table(table_input())?;
    let put_rate = run_parallel(args.num, args.threads, |i| {
        db.put_item(PutItemInput {
            table_name: TABLE.into(),
            item: item_1kb(spread(i), 0),
            ..Default::default()
        })?;
        Ok(())
    })?;

    // Reads are measured once flushes and compactions of the load have finished, so they
    // do not share the two cores with background work.
    db.store().wait_idle()?;
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3)?;
    let mut rng = Rng::new(11);
    for _ in 0..args.reads {
        let i = rng.below(args.num);
        let started = Instant::now();
        let out = db.get_item(GetItemInput {
            table_name: TABLE.into(),
            key: item_key(spread(i), 0),
            ..Default::default()
        })?;
        hist.record(started.elapsed().as_nanos() as u64)?;
        anyhow::ensure!(out.item.is_some(), "item {i} missing");
    }
    // UpdateItem counter increments (ADD) over 1,000 counters, and 10-item transactions.
    let one: HashMap<String, AttributeValue> =
        [(":one".to_owned(), AttributeValue::N(1.into()))].into();
    let update_rate = run_parallel(args.num, args.threads, |i| {
        db.update_item(UpdateItemInput {
            table_name: TABLE.into(),
            key: item_key(spread(i) % 1000, 1),
            update_expression: Some("ADD hits :one".into()),
            expression_attribute_values: Some(one.clone()),
            ..Default::default()
        })?;
        Ok(())
    })?;
    let transactions = (args.num / 10).max(1);
    let txn_rate = run_parallel(transactions, args.threads, |i| {
        let actions = (0..10)
            .map(|j| {
                TransactWriteItem::Put(Put {
                    table_name: TABLE.into(),
                    item: item_1kb(spread(i * 10 + j), 2),
                    ..Default::default()
                })
            })
            .collect();
        db.transact_write_items(TransactWriteItemsInput {
            transact_items: actions,
            client_request_token: None,
            ..Default::default()
        })?;
        Ok(())
    })?;

    db.close()?;

    println!(
        "durability={} threads={} num={} item=1KB",
        args.durability, args.threads, args.num
    );
    println!("fillrandom (raw Store::put)  {raw_rate:>10.0} ops/s");
    println!(
        "PutItem                      {put_rate:>10.0} ops/s  ({:.0}% of raw)",
        100.0 * put_rate / raw_rate
    );
    println!("UpdateItem ADD counter         {update_rate:>10.0} ops/s");
    println!(
        "TransactWriteItems, 10 puts   {txn_rate:>10.0} transactions/s ({:.0} items/s)",
        txn_rate * 10.0
    );
    println!(
        "GetItem 1KB latency (us)     p50 {:.1}  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1}",
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.9) as f64 / 1000.0,
        hist.value_at_quantile(0.99) as f64 / 1000.0,
        hist.value_at_quantile(0.999) as f64 / 1000.0,
        hist.max() as f64 / 1000.0
    );
    Ok(())
}
