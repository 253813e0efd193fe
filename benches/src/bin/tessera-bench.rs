//! tessera-bench: YCSB workloads against Tessera (embedded, with its cache, through the
//! binary protocol or the HTTP API) or any DynamoDB endpoint, with JSON results, HTML
//! reports and side-by-side comparisons.
//!
//! ```text
//! tessera-bench run --workload a --against embedded --records 100000 --operations 1000000
//! tessera-bench run --workload b --against http --endpoint http://127.0.0.1:8000 --out b-http.json
//! tessera-bench compare b-embedded.json b-http.json --html report.html
//! ```

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tessera_bench::ycsb::html::report;
use tessera_bench::ycsb::result::{compare_table, phase_table};
use tessera_bench::ycsb::target::{
    BinaryConnector, Connector, HttpConnector, KvConnector, LocalConnector,
};
use tessera_bench::ycsb::{run, Distribution, RunConfig, RunResult, Workload};
use tessera_cache::{Cache, CacheConfig};
use tessera_engine::{Config, Database, Durability};
use tessera_server::binary::frame::Layer;

#[derive(Parser, Debug)]
#[command(
    name = "tessera-bench",
    version,
    about = "YCSB workloads against Tessera or any DynamoDB endpoint: JSON results, HTML reports, comparisons",
    long_about = "YCSB workloads against Tessera or any DynamoDB endpoint.\n\n\
        `run` loads the records, warms up, runs a workload and prints throughput and latency \
        percentiles per operation; `--out` saves the result as JSON and `--html` draws a report. \
        `compare` puts result files side by side (markdown table, and an HTML report with \
        `--html`).\n\nWorkloads: a (50% read, 50% update), b (95/5), c (read only), d (95% read \
        of the latest records, 5% insert), e (95% short scans, 5% insert), f (50% read, 50% \
        read-modify-write), load (the inserts alone)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run one workload against one system.
    Run(Box<RunArgs>),
    /// Put result files side by side (one file gives its own report).
    #[command(alias = "report")]
    Compare(CompareArgs),
}

#[derive(Args, Debug)]
struct RunArgs {
    /// a, b, c, d, e, f or load.
    #[arg(short, long, default_value = "a")]
    workload: String,
    /// The system under test: embedded, cache (the engine with its cache, in-process),
    /// binary (a server's binary protocol), http (any DynamoDB endpoint), or a key-value
    /// engine: tessera-kv, and rocksdb or fjall when built with `--features compare`.
    #[arg(long, default_value = "embedded")]
    against: String,
    /// Server address: `host:port` for binary (default 127.0.0.1:8100), a URL for http
    /// (default http://127.0.0.1:8000).
    #[arg(long)]
    endpoint: Option<String>,
    /// Binary protocol layer: cache or engine.
    #[arg(long, default_value = "engine")]
    layer: String,
    /// Records loaded before the workload.
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Operations measured after the warm-up.
    #[arg(long, default_value_t = 100_000)]
    operations: u64,
    /// Bytes of each record's fields together (split evenly over `--fields`).
    #[arg(long, default_value_t = 1000)]
    item_size: usize,
    /// Fields per record.
    #[arg(long, default_value_t = 10)]
    fields: usize,
    /// uniform, zipfian or latest (default: the workload's own, latest for d, else zipfian).
    #[arg(long)]
    distribution: Option<String>,
    /// Worker threads, each with its own connection.
    #[arg(long, default_value_t = 4)]
    threads: usize,
    /// Target operations per second over all threads: issue on a schedule (open loop) and
    /// time each operation from its scheduled start. Without it, each thread runs closed loop.
    #[arg(long)]
    rate: Option<f64>,
    /// Seconds of unmeasured running before the measured operations.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Stop the measured phase after this many seconds even if operations remain.
    #[arg(long)]
    max_duration: Option<f64>,
    /// Longest scan of workload e, in records.
    #[arg(long, default_value_t = 100)]
    scan_length: usize,
    /// The table (created on demand if absent).
    #[arg(long, default_value = "usertable")]
    table: String,
    /// Skip the load phase: the records are there from an earlier run.
    #[arg(long)]
    skip_load: bool,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Milliseconds per throughput-over-time sample.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// In-process targets: the data directory (default: a temporary one, removed after).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// In-process targets: sync, interval:MS or none (the server's default is sync).
    #[arg(long, default_value = "sync")]
    durability: String,
    /// In-process targets: shards of a new database (default: the engine's).
    #[arg(long)]
    shards: Option<usize>,
    /// `--against cache`: item cache size in MiB.
    #[arg(long, default_value_t = 256)]
    cache_mib: u64,
    /// `--against cache`: query cache size in MiB.
    #[arg(long, default_value_t = 64)]
    query_cache_mib: u64,
    /// The run's name in reports (default: workload and target).
    #[arg(long)]
    label: Option<String>,
    /// Write the result as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write an HTML report (tables, percentile plot, throughput over time) here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Args, Debug)]
struct CompareArgs {
    /// Result files written by `run --out`; the first is the baseline for ratios.
    #[arg(required = true)]
    results: Vec<PathBuf>,
    /// Write an HTML report with every result here.
    #[arg(long)]
    html: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Run(args) => run_command(*args),
        Command::Compare(args) => compare_command(args),
    }
}

/// The data directory of an in-process target, and the temporary directory behind it.
fn data_dir(args: &RunArgs) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    match &args.data_dir {
        Some(dir) => Ok((dir.clone(), None)),
        None => {
            let tmp = tempfile::tempdir()?;
            Ok((tmp.path().to_owned(), Some(tmp)))
        }
    }
}

fn engine_config(args: &RunArgs, dir: &std::path::Path) -> anyhow::Result<Config> {
    let durability = Durability::parse(&args.durability).with_context(|| {
        format!(
            "--durability must be sync, none or interval:MS, not {}",
            args.durability
        )
    })?;
    let mut config = Config::new(dir).durability(durability);
    if let Some(n) = args.shards {
        config = config.shard_count(n);
    }
    Ok(config)
}

/// The system `args` point at, and the temporary directory it lives in (if any).
fn connector(args: &RunArgs) -> anyhow::Result<(Box<dyn Connector>, Option<tempfile::TempDir>)> {
    let field_length = args.item_size / args.fields.max(1);
    match args.against.as_str() {
        "embedded" | "cache" => {
            let (dir, tmp) = data_dir(args)?;
            let db = Arc::new(Database::open(engine_config(args, &dir)?)?);
            let durability = &args.durability;
            if args.against == "embedded" {
                let name = format!("embedded engine (durability {durability})");
                Ok((Box::new(LocalConnector::new(db, name)), tmp))
            } else {
                let cache = Cache::new(
                    db,
                    CacheConfig {
                        item_cache_bytes: args.cache_mib << 20,
                        query_cache_bytes: args.query_cache_mib << 20,
                        ..Default::default()
                    },
                );
                let name = format!(
                    "embedded engine + cache ({} MiB, durability {durability})",
                    args.cache_mib
                );
                Ok((Box::new(LocalConnector::new(Arc::new(cache), name)), tmp))
            }
        }
        "binary" => {
            let layer = match args.layer.as_str() {
                "cache" => Layer::Cache,
                "engine" => Layer::Engine,
                other => bail!("--layer must be cache or engine, not {other}"),
            };
            let addr = args.endpoint.as_deref().unwrap_or("127.0.0.1:8100");
            let connector = BinaryConnector {
                addr: addr.to_owned(),
                layer,
            };
            Ok((Box::new(connector), None))
        }
        "http" => {
            let endpoint = args.endpoint.as_deref().unwrap_or("http://127.0.0.1:8000");
            let connector = HttpConnector {
                endpoint: endpoint.to_owned(),
            };
            Ok((Box::new(connector), None))
        }
        "tessera-kv" | "rocksdb" | "fjall" => {
            let (dir, tmp) = data_dir(args)?;
            let opts = tessera_bench::engine::OpenOptions {
                cache_bytes: 256 << 20,
                sync: args.durability == "sync",
            };
            let engine = kv_engine(&args.against, &dir, &opts)?;
            Ok((Box::new(KvConnector::new(engine, field_length, tmp)), None))
        }
        other => bail!(
            "--against must be embedded, cache, binary, http, tessera-kv, rocksdb or fjall, not {other}"
        ),
    }
}

fn kv_engine(
    name: &str,
    dir: &std::path::Path,
    opts: &tessera_bench::engine::OpenOptions,
) -> anyhow::Result<Box<dyn tessera_bench::BenchEngine>> {
    if name == "tessera-kv" {
        return Ok(Box::new(tessera_bench::TesseraEngine::open(dir, opts)?));
    }
    compared_engine(name, dir, opts)
}

#[cfg(feature = "compare")]
fn compared_engine(
    name: &str,
    dir: &std::path::Path,
    opts: &tessera_bench::engine::OpenOptions,
) -> anyhow::Result<Box<dyn tessera_bench::BenchEngine>> {
    Ok(tessera_bench::compare::open(name, dir, opts)?)
}

#[cfg(not(feature = "compare"))]
fn compared_engine(
    name: &str,
    _dir: &std::path::Path,
    _opts: &tessera_bench::engine::OpenOptions,
) -> anyhow::Result<Box<dyn tessera_bench::BenchEngine>> {
    bail!("--against {name} needs a build with `--features compare` (see docs/benchmarks.md)")
}

fn run_command(args: RunArgs) -> anyhow::Result<()> {
    let workload = Workload::parse(&args.workload)
        .with_context(|| format!("--workload must be a to f or load, not {}", args.workload))?;
    let distribution = match &args.distribution {
        Some(d) => Distribution::parse(d).with_context(|| {
            format!("--distribution must be uniform, zipfian or latest, not {d}")
        })?,
        None => workload.default_distribution(),
    };
    if args.records == 0 && workload != Workload::Load {
        bail!(
            "--records must be at least 1: workload {} reads existing records",
            workload.name()
        );
    }
    if args.fields == 0 || args.item_size < args.fields {
        bail!("--item-size must give every one of the --fields at least one byte");
    }
    if args.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        bail!("--rate must be a positive number of operations per second");
    }
    let (connector, _tmp) = connector(&args)?;
    let config = RunConfig {
        label: args.label.clone().unwrap_or_default(),
        workload,
        distribution,
        table: args.table.clone(),
        records: args.records,
        operations: args.operations,
        fields: args.fields,
        field_length: args.item_size / args.fields,
        threads: args.threads.max(1),
        rate: args.rate,
        warmup: Duration::from_secs_f64(args.warmup.max(0.0)),
        max_duration: args
            .max_duration
            .map(|s| Duration::from_secs_f64(s.max(0.0))),
        scan_length: args.scan_length,
        seed: args.seed,
        load: !args.skip_load,
        interval: Duration::from_millis(args.interval_ms.max(10)),
        progress: !args.no_progress,
    };
    let result = run(&*connector, &config)?;
    println!("{}", result.headline());
    if let Some(load) = &result.load {
        println!(
            "load: {} inserts in {:.2} s, {:.0} ops/s, {} errors",
            load.ops, load.elapsed_secs, load.throughput, load.errors
        );
    }
    println!(
        "{}: {} operations in {:.2} s, {:.0} ops/s, {} errors",
        if workload == Workload::Load {
            "load (measured)"
        } else {
            "run"
        },
        result.run.ops,
        result.run.elapsed_secs,
        result.run.throughput,
        result.run.errors
    );
    print!("{}", phase_table(&result.run));
    for o in &result.run.operations {
        if let Some(first) = &o.first_error {
            println!("{} errors: {:?}; first: {first}", o.op, o.error_kinds);
        }
    }
    if let Some(path) = &args.out {
        result
            .save(path)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("result: {}", path.display());
    }
    if let Some(path) = &args.html {
        std::fs::write(path, report(std::slice::from_ref(&result)))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("report: {}", path.display());
    }
    Ok(())
}

fn compare_command(args: CompareArgs) -> anyhow::Result<()> {
    let results = args
        .results
        .iter()
        .map(|p| RunResult::load(p).with_context(|| format!("reading {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for r in &results {
        println!("- {}: {}", r.label, r.headline());
    }
    println!();
    print!("{}", compare_table(&results));
    if let Some(path) = &args.html {
        std::fs::write(path, report(&results))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("report: {}", path.display());
    }
    Ok(())
}
