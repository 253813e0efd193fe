//! The db_bench-style workloads, run identically on any [`BenchEngine`].
//!
//! Every workload splits its operations across the plan's threads, times each operation and
//! merges the per-thread histograms. Reads check what they find, so a fast wrong answer
//! fails the run instead of winning it.

use crate::engine::BenchEngine;
use crate::error::{Error, Result};
use crate::keys::{key, missing_key, KeyLayout};
use crate::report;
use crate::rng::Rng;
use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

/// One workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Writes keys `0..num` in ascending order (each thread an ascending run of its own).
    FillSeq,
    /// Writes keys `0..num` in a random order.
    FillRandom,
    /// Reads random existing keys; each must be found.
    ReadRandom,
    /// Reads random absent keys that sort between existing ones; none may be found.
    ReadMissing,
    /// Seeks to a random existing key and reads 1 to 10 entries forward.
    SeekRandom,
    /// Overwrites random keys, each write fsynced before it is acknowledged.
    FillSync,
}

impl Workload {
    /// Every workload, in the order engine-bench accepts names.
    pub const ALL: [Workload; 6] = [
        Workload::FillSeq,
        Workload::FillRandom,
        Workload::ReadRandom,
        Workload::ReadMissing,
        Workload::SeekRandom,
        Workload::FillSync,
    ];

    /// The workload's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::FillSeq => "fillseq",
            Workload::FillRandom => "fillrandom",
            Workload::ReadRandom => "readrandom",
            Workload::ReadMissing => "readmissing",
            Workload::SeekRandom => "seekrandom",
            Workload::FillSync => "fillsync",
        }
    }

    /// The workload called `name`, if any.
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// True if the engine must be opened for fsynced writes first.
    pub fn needs_sync(self) -> bool {
        self == Workload::FillSync
    }
}

/// What every workload of a run shares.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Keys written by the fill workloads (and the key space reads draw from).
    pub num: u64,
    /// Operations of each read workload.
    pub reads: u64,
    /// Operations of `fillsync`.
    pub sync_num: u64,
    /// Bytes per value.
    pub value_size: usize,
    /// Worker threads; operations are split evenly across them.
    pub threads: usize,
    /// Key to partition mapping.
    pub layout: KeyLayout,
    /// Seed of every random choice.
    pub seed: u64,
}

/// The measurements of one workload run.
#[derive(Debug)]
pub struct Outcome {
    /// Operations completed.
    pub ops: u64,
    /// Wall-clock time of the whole workload.
    pub elapsed: Duration,
    /// Per-operation latencies in nanoseconds, all threads merged.
    pub latency_ns: Histogram<u64>,
}

impl Outcome {
    /// Completed operations per second of wall-clock time.
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// A buffer of random bytes values are cut from, so writes allocate nothing per value.
#[derive(Debug)]
struct Values {
    bytes: Vec<u8>,
    len: usize,
}

impl Values {
    const SPAN: usize = 1 << 20;

    fn new(len: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut bytes = Vec::with_capacity(Self::SPAN + len + 8);
        while bytes.len() < Self::SPAN + len {
            bytes.extend_from_slice(&rng.next_u64().to_le_bytes());
        }
        Values { bytes, len }
    }

    fn get(&self, i: u64) -> &[u8] {
        let start = (i.wrapping_mul(0x9e37_79b9) % Self::SPAN as u64) as usize;
        &self.bytes[start..start + self.len]
    }
}

/// Runs `w` on `engine` and returns its measurements.
pub fn run(engine: &dyn BenchEngine, w: Workload, plan: &Plan) -> Result<Outcome> {
    let values = Values::new(plan.value_size, plan.seed);
    match w {
        Workload::FillSeq => {
            let ops = plan.num;
            parallel(plan, ops, |_, range, hist| {
                for i in range {
                    let k = key(i);
                    let p = plan.layout.partition_ref(i);
                    timed(hist, || engine.put(p, &k, values.get(i)))?;
                }
                Ok(())
            })
        }
        Workload::FillRandom => {
            let order = Rng::new(plan.seed ^ 0xf111).permutation(plan.num);
            parallel(plan, plan.num, |_, range, hist| {
                for slot in range {
                    let i = order[slot as usize];
                    let k = key(i);
                    let p = plan.layout.partition_ref(i);
                    timed(hist, || engine.put(p, &k, values.get(i)))?;
                }
                Ok(())
            })
        }
        Workload::ReadRandom => parallel(plan, plan.reads, |t, range, hist| {
            let mut rng = Rng::new(plan.seed ^ 0x4ead ^ (t as u64) << 32);
            for _ in range {
                let i = rng.below(plan.num.max(1));
                let k = key(i);
                let p = plan.layout.partition_ref(i);
                let found = timed(hist, || engine.get(p, &k))?;
                if found.is_none() {
                    let engine = engine.name();
                    return Err(Error::KeyNotFound { engine, index: i });
                }
            }
            Ok(())
        }),
        Workload::ReadMissing => parallel(plan, plan.reads, |t, range, hist| {
            let mut rng = Rng::new(plan.seed ^ 0x3155 ^ (t as u64) << 32);
            for _ in range {
                let i = rng.below(plan.num.max(1));
                let k = missing_key(i);
                let p = plan.layout.partition_ref(i);
                if timed(hist, || engine.get(p, &k))?.is_some() {
                    let engine = engine.name();
                    return Err(Error::UnexpectedKey { engine, index: i });
                }
            }
            Ok(())
        }),
        Workload::SeekRandom => parallel(plan, plan.reads, |t, range, hist| {
            let mut rng = Rng::new(plan.seed ^ 0x5eec ^ (t as u64) << 32);
            for _ in range {
                let i = rng.below(plan.num.max(1));
                let n = 1 + rng.below(10) as usize;
                let k = key(i);
                let p = plan.layout.partition_ref(i);
                if timed(hist, || engine.seek_n(p, &k, n))? == 0 {
                    let engine = engine.name();
                    return Err(Error::KeyNotFound { engine, index: i });
                }
            }
            Ok(())
        }),
        Workload::FillSync => parallel(plan, plan.sync_num, |t, range, hist| {
            let mut rng = Rng::new(plan.seed ^ 0x5c ^ (t as u64) << 32);
            for _ in range {
                let i = rng.below(plan.num.max(1));
                let k = key(i);
                let p = plan.layout.partition_ref(i);
                timed(hist, || engine.sync_put(p, &k, values.get(i)))?;
            }
            Ok(())
        }),
    }
}

/// Times one operation into `hist`.
fn timed<T>(hist: &mut Histogram<u64>, op: impl FnOnce() -> Result<T>) -> Result<T> {
    let start = Instant::now();
    let out = op()?;
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    hist.saturating_record(ns.max(1));
    Ok(out)
}

/// Runs `work(thread, op_range, histogram)` on `plan.threads` threads, giving each a
/// contiguous share of `0..ops`, and merges their histograms.
fn parallel<F>(plan: &Plan, ops: u64, work: F) -> Result<Outcome>
where
    F: Fn(usize, std::ops::Range<u64>, &mut Histogram<u64>) -> Result<()> + Sync,
{
    let threads = plan.threads.max(1);
    let mut hists = Vec::with_capacity(threads);
    for _ in 0..threads {
        hists.push(report::latency_histogram()?);
    }
    let start = Instant::now();
    let results: Vec<Result<Histogram<u64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = hists
            .into_iter()
            .enumerate()
            .map(|(t, mut hist)| {
                let lo = ops * t as u64 / threads as u64;
                let hi = ops * (t as u64 + 1) / threads as u64;
                let work = &work;
                s.spawn(move || work(t, lo..hi, &mut hist).map(|()| hist))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(Error::WorkerPanicked)))
            .collect()
    });
    let elapsed = start.elapsed();
    let mut latency_ns = report::latency_histogram()?;
    for r in results {
        report::merge(&mut latency_ns, &r?)?;
    }
    Ok(Outcome {
        ops,
        elapsed,
        latency_ns,
    })
}
