//! engine-bench: db_bench-style workloads on Tessera (and, with the `compare` feature, on
//! RocksDB and fjall), one `RESULT` line per workload.
//!
//! ```text
//! cargo run --release -p tessera-bench --bin engine-bench -- --engines tessera \
//!     --workloads fillseq,fillrandom,readrandom,readmissing,seekrandom,fillsync \
//!     --num 1000000 --value-size 100 --threads 4
//! ```

use anyhow::{bail, Context};
use clap::Parser;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tessera_bench::engine::OpenOptions;
use tessera_bench::keys::{KeyLayout, KEY_LEN};
use tessera_bench::report;
use tessera_bench::workload::{self, Plan, Workload};
use tessera_bench::{BenchEngine, TesseraEngine};

/// Command line of engine-bench.
#[derive(Debug, Parser)]
#[command(about = "db_bench-style workloads on Tessera and, with --features compare, others")]
struct Args {
    /// Engines to run, in order: tessera, rocksdb, fjall (the last two need `compare`).
    #[arg(long, value_delimiter = ',', default_value = "tessera")]
    engines: Vec<String>,
    /// Workloads, in order: fillseq, fillrandom, readrandom, readmissing, seekrandom, fillsync.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "fillseq,fillrandom,readrandom,readmissing,seekrandom,fillsync"
    )]
    workloads: Vec<String>,
    /// Keys written by each fill workload.
    #[arg(long, default_value_t = 1_000_000)]
    num: u64,
    /// Operations of each read workload (default: --num).
    #[arg(long)]
    reads: Option<u64>,
    /// Most operations of fillsync (it runs min(num, sync-num)).
    #[arg(long, default_value_t = 20_000)]
    sync_num: u64,
    /// Bytes per value.
    #[arg(long, default_value_t = 100)]
    value_size: usize,
    /// Worker threads; every workload's operations are split across them.
    #[arg(long, default_value_t = 4)]
    threads: usize,
    /// Key i goes to partition i % N. 1 puts every key in one shard, so seeks see them all.
    #[arg(long, default_value_t = 1)]
    partitions: u64,
    /// Block cache size in MiB, for every engine.
    #[arg(long, default_value_t = 64)]
    cache_mb: u64,
    /// Directory for the stores (one subdirectory per engine); default a temporary one.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// One workload's reported figures, kept for the ratio lines.
#[derive(Debug, Clone, Copy)]
struct Figures {
    ops_per_sec: f64,
    p99_us: f64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let workloads = args
        .workloads
        .iter()
        .map(|w| Workload::parse(w).with_context(|| format!("unknown workload {w:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let plan = Plan {
        num: args.num,
        reads: args.reads.unwrap_or(args.num),
        sync_num: args.sync_num.min(args.num),
        value_size: args.value_size,
        threads: args.threads.max(1),
        layout: KeyLayout::new(args.partitions),
        seed: args.seed,
    };
    let temp;
    let base = match &args.dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::Builder::new().prefix("engine-bench").tempdir()?;
            temp.path().to_path_buf()
        }
    };
    println!(
        "# engine-bench num={} reads={} sync_num={} value_size={} threads={} partitions={} \
         cache_mb={} cores={} io={} dir={}",
        plan.num,
        plan.reads,
        plan.sync_num,
        plan.value_size,
        plan.threads,
        args.partitions,
        args.cache_mb,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        // The store falls back to ordinary I/O (with a warning) if the kernel refuses a ring.
        if cfg!(feature = "io-uring") {
            "io_uring"
        } else {
            "std"
        },
        base.display()
    );
    let mut all: BTreeMap<(String, &'static str), Figures> = BTreeMap::new();
    for name in &args.engines {
        let dir = base.join(name);
        if dir.exists() {
            bail!(
                "{} exists; engine-bench starts from an empty store",
                dir.display()
            );
        }
        std::fs::create_dir_all(&dir)?;
        let figures = run_engine(name, &dir, &workloads, &plan, args.cache_mb << 20)?;
        for (w, f) in figures {
            all.insert((name.clone(), w), f);
        }
    }
    print_ratios(&args.engines, &workloads, &all);
    Ok(())
}

/// Runs every workload on one engine in order and prints its RESULT and SUMMARY lines.
fn run_engine(
    name: &str,
    dir: &Path,
    workloads: &[Workload],
    plan: &Plan,
    cache_bytes: u64,
) -> anyhow::Result<Vec<(&'static str, Figures)>> {
    report::reset_peak_rss();
    let io_before = report::io_write_bytes();
    let mut opts = OpenOptions {
        cache_bytes,
        sync: false,
    };
    let mut engine = open(name, dir, &opts)?;
    let mut compacted = false;
    let mut user_bytes = 0u64;
    let mut bulk_write_amp = None;
    let mut out = Vec::new();
    for &w in workloads {
        if w.needs_sync() && !opts.sync {
            // Tessera's durability is per store: reopen the same directory in Sync mode.
            // Engine counters restart with the reopen, so report this session's first.
            session_report(&*engine, "bulk");
            bulk_write_amp = engine.write_amplification();
            drop(engine);
            opts.sync = true;
            engine = open(name, dir, &opts)?;
        }
        if matches!(
            w,
            Workload::ReadRandom | Workload::ReadMissing | Workload::SeekRandom
        ) && !compacted
        {
            let start = Instant::now();
            engine.flush_compact()?;
            println!(
                "COMPACT engine={name} flush_compact_secs={:.2}",
                start.elapsed().as_secs_f64()
            );
            compacted = true;
        }
        let o = workload::run(&*engine, w, plan)?;
        if matches!(
            w,
            Workload::FillSeq | Workload::FillRandom | Workload::FillSync
        ) {
            user_bytes += o.ops * (KEY_LEN + plan.value_size) as u64;
        }
        let f = Figures {
            ops_per_sec: o.ops_per_sec(),
            p99_us: report::quantile_us(&o.latency_ns, 0.99),
        };
        println!(
            "RESULT engine={name} workload={} ops_per_sec={:.0} p50_us={:.2} p99_us={:.2} \
             p999_us={:.2}",
            w.name(),
            f.ops_per_sec,
            report::quantile_us(&o.latency_ns, 0.5),
            f.p99_us,
            report::quantile_us(&o.latency_ns, 0.999),
        );
        out.push((w.name(), f));
    }
    session_report(&*engine, if opts.sync { "sync" } else { "bulk" });
    let write_amp = bulk_write_amp.or(engine.write_amplification());
    drop(engine);
    let disk = report::dir_size_bytes(dir)?;
    let os_written = match (io_before, report::io_write_bytes()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    let fmt_opt = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.2}"));
    println!(
        "SUMMARY engine={name} peak_rss_mb={} disk_mb={:.1} user_mb={:.1} write_amp={} \
         os_write_amp={} (write_amp: engine counters of the fill and compaction session; \
         os_write_amp: bytes the process wrote to storage, all workloads, / user bytes)",
        report::peak_rss_bytes().map_or("n/a".to_string(), |b| format!("{:.1}", mb(b))),
        mb(disk),
        mb(user_bytes),
        fmt_opt(write_amp),
        fmt_opt(os_written.map(|w| w as f64 / user_bytes.max(1) as f64)),
    );
    Ok(out)
}

/// Prints the engine's own statistics for the session (open to close) now ending.
fn session_report(engine: &dyn BenchEngine, session: &str) {
    if let Some(s) = engine.stats_line() {
        let wa = engine
            .write_amplification()
            .map_or("n/a".to_string(), |v| format!("{v:.2}"));
        println!(
            "STATS engine={} session={session} write_amp={wa} {s}",
            engine.name()
        );
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// Opens engine `name` in `dir`.
fn open(name: &str, dir: &Path, opts: &OpenOptions) -> anyhow::Result<Box<dyn BenchEngine>> {
    match name {
        "tessera" => Ok(Box::new(TesseraEngine::open(dir, opts)?)),
        #[cfg(feature = "compare")]
        other => Ok(tessera_bench::compare::open(other, dir, opts)?),
        #[cfg(not(feature = "compare"))]
        other => bail!("engine {other:?} needs `--features compare` (known: tessera)"),
    }
}

/// Prints tessera/other ratios of throughput and p99 latency per workload.
fn print_ratios(
    engines: &[String],
    workloads: &[Workload],
    all: &BTreeMap<(String, &'static str), Figures>,
) {
    for other in engines.iter().filter(|e| *e != "tessera") {
        for w in workloads {
            let t = all.get(&("tessera".to_string(), w.name()));
            let o = all.get(&(other.clone(), w.name()));
            if let (Some(t), Some(o)) = (t, o) {
                println!(
                    "RATIO workload={} tessera/{other} ops_per_sec={:.2} p99={:.2}",
                    w.name(),
                    t.ops_per_sec / o.ops_per_sec.max(1e-9),
                    t.p99_us / o.p99_us.max(1e-9),
                );
            }
        }
    }
}
