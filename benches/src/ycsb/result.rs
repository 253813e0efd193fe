//! A run's results: what is written to the JSON result file, and the tables printed from it.

use super::spec::Op;
use crate::error::Result;
use crate::report::merge;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// Everything one `tessera-bench run` measured, and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResult {
    /// The run's name in reports and comparisons.
    pub label: String,
    /// `tessera-bench` and its version.
    pub tool: String,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// CPU model, cores and memory of the machine that ran the load generator.
    pub machine: String,
    /// The system under test.
    pub target: String,
    /// `a` to `f`, or `load`.
    pub workload: String,
    /// `uniform`, `zipfian` or `latest`.
    pub distribution: String,
    /// The run's settings.
    pub settings: Settings,
    /// The load phase, when it ran before a workload (for workload `load` it is `run`).
    pub load: Option<Phase>,
    /// The measured phase.
    pub run: Phase,
}

/// The settings a run was made with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Records loaded before the run.
    pub records: u64,
    /// Operations measured (after the warm-up).
    pub operations: u64,
    /// Worker threads, each with its own connection.
    pub threads: usize,
    /// Target rate in operations per second (open loop); `None` for as fast as possible.
    pub rate: Option<f64>,
    /// Fields per record.
    pub fields: usize,
    /// Bytes per field.
    pub field_length: usize,
    /// Seconds of unmeasured warm-up.
    pub warmup_secs: f64,
    /// Longest scan, in records.
    pub scan_length: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

/// One measured phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Phase {
    /// Wall-clock seconds from the first measured operation's start to the last's end.
    pub elapsed_secs: f64,
    /// Operations completed, failed ones included.
    pub ops: u64,
    /// Operations that failed.
    pub errors: u64,
    /// Completed operations per second.
    pub throughput: f64,
    /// True when operations were issued on a schedule (`--rate`), latency then counting
    /// from each operation's scheduled start rather than its actual one.
    pub open_loop: bool,
    /// Per operation kind, in YCSB's order; kinds the workload does not issue are absent.
    pub operations: Vec<OpStats>,
    /// Throughput over time, one sample per interval.
    pub timeline: Vec<Sample>,
}

/// The measurements of one operation kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpStats {
    /// `READ`, `UPDATE`, `INSERT`, `SCAN` or `READ-MODIFY-WRITE`.
    pub op: String,
    /// Operations completed, failed ones included.
    pub count: u64,
    /// Operations that failed.
    pub errors: u64,
    /// Failures by error type.
    pub error_kinds: BTreeMap<String, u64>,
    /// The first failure's message.
    pub first_error: Option<String>,
    /// Operations of this kind per second of the phase.
    pub throughput: f64,
    /// Latency summary in microseconds.
    pub latency_us: Latency,
    /// The latency percentile curve: `[percentile, microseconds]` pairs, for plots.
    pub percentiles: Vec<[f64; 2]>,
}

/// A latency summary in microseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Latency {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

/// Throughput during one interval of the phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds from the phase's start to the interval's end.
    pub t: f64,
    /// Operations completed per second during the interval.
    pub ops_per_sec: f64,
}

/// What one worker measured of one operation kind.
#[derive(Debug)]
pub struct OpTally {
    /// Latencies in nanoseconds (failures included).
    pub latency_ns: Histogram<u64>,
    /// Failures by error type.
    pub error_kinds: BTreeMap<String, u64>,
    /// The first failure's message.
    pub first_error: Option<String>,
}

impl OpTally {
    /// An empty tally.
    pub fn new() -> Result<Self> {
        Ok(OpTally {
            latency_ns: crate::report::latency_histogram()?,
            error_kinds: BTreeMap::new(),
            first_error: None,
        })
    }

    /// Adds `other` into this tally.
    pub fn absorb(&mut self, other: &OpTally) -> Result<()> {
        merge(&mut self.latency_ns, &other.latency_ns)?;
        for (kind, n) in &other.error_kinds {
            *self.error_kinds.entry(kind.clone()).or_default() += n;
        }
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
        Ok(())
    }
}

impl Phase {
    /// Summarises merged tallies (indexed like [`Op::ALL`]) of a phase that took
    /// `elapsed_secs`.
    pub fn from_tallies(
        tallies: &[OpTally],
        elapsed_secs: f64,
        open_loop: bool,
        timeline: Vec<Sample>,
    ) -> Phase {
        let secs = elapsed_secs.max(1e-9);
        let operations: Vec<OpStats> = Op::ALL
            .iter()
            .zip(tallies)
            .filter(|(_, t)| !t.latency_ns.is_empty())
            .map(|(op, t)| op_stats(*op, t, secs))
            .collect();
        let ops = operations.iter().map(|o| o.count).sum();
        let errors = operations.iter().map(|o| o.errors).sum();
        Phase {
            elapsed_secs,
            ops,
            errors,
            throughput: ops as f64 / secs,
            open_loop,
            operations,
            timeline,
        }
    }

    /// The stats of operation `op`, if the phase issued any.
    pub fn op(&self, op: &str) -> Option<&OpStats> {
        self.operations.iter().find(|o| o.op == op)
    }
}

fn op_stats(op: Op, t: &OpTally, secs: f64) -> OpStats {
    let h = &t.latency_ns;
    let us = |v: u64| v as f64 / 1000.0;
    let mut percentiles = Vec::new();
    for v in h.iter_quantiles(4) {
        let point = [v.quantile_iterated_to() * 100.0, us(v.value_iterated_to())];
        if percentiles.last() != Some(&point) {
            percentiles.push(point);
        }
    }
    OpStats {
        op: op.name().to_owned(),
        count: h.len(),
        errors: t.error_kinds.values().sum(),
        error_kinds: t.error_kinds.clone(),
        first_error: t.first_error.clone(),
        throughput: h.len() as f64 / secs,
        latency_us: Latency {
            mean: h.mean() / 1000.0,
            p50: us(h.value_at_quantile(0.5)),
            p90: us(h.value_at_quantile(0.9)),
            p99: us(h.value_at_quantile(0.99)),
            p999: us(h.value_at_quantile(0.999)),
            max: us(h.max()),
        },
        percentiles,
    }
}

impl RunResult {
    /// Writes the result as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, serde_json::to_vec_pretty(self)?)?;
        Ok(())
    }

    /// Reads a result file.
    pub fn load(path: &Path) -> Result<RunResult> {
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }

    /// A one-line description of the run.
    pub fn headline(&self) -> String {
        let s = &self.settings;
        let rate = s.rate.map_or("closed loop".to_owned(), |r| {
            format!("open loop at {r:.0} ops/s")
        });
        format!(
            "workload {} ({}) on {}: {} records of {}x{} B, {} operations, {} threads, {rate}",
            self.workload,
            self.distribution,
            self.target,
            s.records,
            s.fields,
            s.field_length,
            s.operations,
            s.threads
        )
    }
}

/// Formats microseconds compactly: `412 µs`, `3.1 µs`, `2.41 ms`.
pub fn fmt_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else if us >= 100.0 {
        format!("{us:.0} µs")
    } else {
        format!("{us:.1} µs")
    }
}

/// The per-operation table of one phase, in markdown.
pub fn phase_table(phase: &Phase) -> String {
    let mut out = String::new();
    out.push_str("| op | count | errors | ops/s | p50 | p90 | p99 | p99.9 | max |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for o in &phase.operations {
        let l = &o.latency_us;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | {} |",
            o.op,
            o.count,
            o.errors,
            o.throughput,
            fmt_us(l.p50),
            fmt_us(l.p90),
            fmt_us(l.p99),
            fmt_us(l.p999),
            fmt_us(l.max)
        );
    }
    let _ = writeln!(
        out,
        "| all | {} | {} | {:.0} | | | | | |",
        phase.ops, phase.errors, phase.throughput
    );
    out
}

/// Several runs side by side, in markdown: total throughput, then each operation's latency,
/// with ratios against the first run.
pub fn compare_table(results: &[RunResult]) -> String {
    let mut out = String::new();
    let Some(base) = results.first() else {
        return out;
    };
    out.push_str("| run | workload | target | ops/s | vs first | errors |\n");
    out.push_str("|---|---|---|---:|---:|---:|\n");
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.2}× | {} |",
            r.label,
            r.workload,
            r.target,
            r.run.throughput,
            r.run.throughput / base.run.throughput.max(1e-9),
            r.run.errors
        );
    }
    out.push('\n');
    out.push_str("| run | op | ops/s | p50 | p99 | p99.9 | max | p99 vs first |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for r in results {
        for o in &r.run.operations {
            let l = &o.latency_us;
            let ratio = base.run.op(&o.op).map_or("–".to_owned(), |b| {
                format!("{:.2}×", l.p99 / b.latency_us.p99.max(1e-9))
            });
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {} | {} | {} | {} | {ratio} |",
                r.label,
                o.op,
                o.throughput,
                fmt_us(l.p50),
                fmt_us(l.p99),
                fmt_us(l.p999),
                fmt_us(l.max)
            );
        }
    }
    out
}

/// The machine the load generator runs on: CPU model, logical CPUs, memory.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_owned();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0.0, |kb| kb as f64 / (1024.0 * 1024.0));
    format!("{model}, {cpus} CPUs, {mem_gib:.0} GiB")
}
