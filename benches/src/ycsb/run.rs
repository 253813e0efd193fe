//! The driver: loads the records, warms up, then runs the workload's operation mix on
//! worker threads, closed loop or on a schedule, and gathers the measurements.
//!
//! Open loop (`rate`): each worker owns an even share of the rate and a fixed schedule of
//! start times. An operation that starts late because the one before it was slow is still
//! timed from its scheduled start, so a stall shows up in the latency of every operation
//! it delayed (no coordinated omission).

use super::keygen::{record_key, KeyChooser, Keyspace};
use super::result::{machine, OpTally, Phase, RunResult, Sample, Settings};
use super::spec::{Distribution, Op, Workload};
use super::target::{Connector, OpResult, Target};
use crate::error::{Error, Result};
use crate::rng::Rng;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// How to run a workload.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The run's name in reports.
    pub label: String,
    /// The workload.
    pub workload: Workload,
    /// How existing keys are chosen.
    pub distribution: Distribution,
    /// The table the records live in.
    pub table: String,
    /// Records loaded before the workload (and inserted by workload `load`).
    pub records: u64,
    /// Operations measured.
    pub operations: u64,
    /// Fields per record.
    pub fields: usize,
    /// Bytes per field.
    pub field_length: usize,
    /// Worker threads, each with its own connection.
    pub threads: usize,
    /// Target operations per second over all threads (open loop); `None`: closed loop.
    pub rate: Option<f64>,
    /// Unmeasured running time before the measured operations.
    pub warmup: Duration,
    /// Stops the measured phase after this long even if operations remain.
    pub max_duration: Option<Duration>,
    /// Longest scan, in records (each scan reads 1 to this many).
    pub scan_length: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Load the records first (off when they are already there from an earlier run).
    pub load: bool,
    /// Length of one throughput-over-time sample.
    pub interval: Duration,
    /// Draw a progress bar on stderr (it hides itself when stderr is not a terminal).
    pub progress: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            label: String::new(),
            workload: Workload::A,
            distribution: Distribution::Zipfian,
            table: "usertable".to_owned(),
            records: 100_000,
            operations: 100_000,
            fields: 10,
            field_length: 100,
            threads: 1,
            rate: None,
            warmup: Duration::ZERO,
            max_duration: None,
            scan_length: 100,
            seed: 1,
            load: true,
            interval: Duration::from_secs(1),
            progress: true,
        }
    }
}

/// Random field values, cut from one buffer of letters and digits.
struct Values {
    text: String,
    len: usize,
}

impl Values {
    const SPAN: usize = 1 << 16;

    fn new(len: usize, seed: u64) -> Self {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut rng = Rng::new(seed);
        let text = (0..Self::SPAN + len)
            .map(|_| char::from(ALPHABET[rng.below(ALPHABET.len() as u64) as usize]))
            .collect();
        Values { text, len }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        let start = rng.below(Self::SPAN as u64) as usize;
        self.text.get(start..start + self.len).unwrap_or_default()
    }
}

/// What each worker counts for the progress bar and the timeline, padded to its own cache
/// line.
#[repr(align(128))]
#[derive(Default)]
struct Counter(AtomicU64);

/// Where a worker's operations come from.
enum Source {
    /// The load phase: inserts of records `next..end`.
    Load { next: u64, end: u64 },
    /// The workload's mix.
    Mix,
}

/// One worker thread's state.
struct Worker<'a> {
    target: Box<dyn Target + 'a>,
    config: &'a RunConfig,
    keyspace: &'a Keyspace,
    values: &'a Values,
    rng: Rng,
    chooser: KeyChooser,
    tallies: Vec<OpTally>,
    done: &'a Counter,
    /// Time between this worker's scheduled starts (open loop), or `None` (closed loop).
    interval: Option<Duration>,
}

impl Worker<'_> {
    /// The next operation, or `None` when a load share is done.
    fn next_op(&mut self, source: &mut Source) -> Option<Op> {
        match source {
            Source::Load { next, end } if *next < *end => Some(Op::Insert),
            Source::Load { .. } => None,
            Source::Mix => Some(self.config.workload.pick(self.rng.below(100) as u32)),
        }
    }

    fn existing(&mut self) -> u64 {
        self.chooser.next(&mut self.rng, self.keyspace.limit())
    }

    fn execute(&mut self, op: Op, source: &mut Source) -> OpResult {
        match op {
            Op::Read => {
                let key = record_key(self.existing());
                self.target.read(&key)
            }
            Op::Update => {
                let key = record_key(self.existing());
                let field = self.rng.below(self.config.fields as u64) as usize;
                let value = self.values.pick(&mut self.rng);
                self.target.update(&key, field, value)
            }
            Op::Insert => {
                let i = match source {
                    Source::Load { next, .. } => {
                        *next += 1;
                        *next - 1
                    }
                    Source::Mix => self.keyspace.allocate(),
                };
                let fields: Vec<&str> = (0..self.config.fields)
                    .map(|_| self.values.pick(&mut self.rng))
                    .collect();
                let outcome = self.target.insert(&record_key(i), &fields);
                if outcome.is_ok() && matches!(source, Source::Mix) {
                    self.keyspace.acknowledge(i);
                }
                outcome
            }
            Op::Scan => {
                let key = record_key(self.existing());
                let count = 1 + self.rng.below(self.config.scan_length.max(1) as u64) as usize;
                self.target.scan(&key, count)
            }
            Op::ReadModifyWrite => {
                let key = record_key(self.existing());
                self.target.read(&key)?;
                let field = self.rng.below(self.config.fields as u64) as usize;
                let value = self.values.pick(&mut self.rng);
                self.target.update(&key, field, value)
            }
        }
    }

    /// Runs unmeasured operations until `until`.
    fn warm_up(&mut self, until: Instant, stop: &AtomicBool) {
        let mut source = Source::Mix;
        let interval = self.interval;
        let mut due = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            if let Some(step) = interval {
                sleep_until(due);
                due += step;
            }
            if Instant::now() >= until {
                return;
            }
            if let Some(op) = self.next_op(&mut source) {
                let _ = self.execute(op, &mut source);
            }
        }
    }

    /// Runs up to `quota` measured operations from `source`, the first due at `start`.
    fn measure(
        &mut self,
        mut source: Source,
        quota: u64,
        start: Instant,
        deadline: Option<Instant>,
        stop: &AtomicBool,
    ) {
        let interval = self.interval;
        let mut due = start;
        for _ in 0..quota {
            if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                return;
            }
            let Some(op) = self.next_op(&mut source) else {
                return;
            };
            let began = match interval {
                Some(step) => {
                    sleep_until(due);
                    let scheduled = due;
                    due += step;
                    scheduled
                }
                None => Instant::now(),
            };
            let outcome = self.execute(op, &mut source);
            let ns = u64::try_from(began.elapsed().as_nanos()).unwrap_or(u64::MAX);
            let tally = &mut self.tallies[op.index()];
            tally.latency_ns.saturating_record(ns.max(1));
            if let Err(e) = outcome {
                *tally.error_kinds.entry(e.kind.clone()).or_default() += 1;
                if tally.first_error.is_none() {
                    tally.first_error = Some(e.to_string());
                }
            }
            self.done.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Sleeps until `when`: the OS sleep for all but the last 100 µs, then yields until due,
/// so scheduled starts are met to within a few microseconds.
fn sleep_until(when: Instant) {
    loop {
        let now = Instant::now();
        if now >= when {
            return;
        }
        let left = when - now;
        if left > Duration::from_micros(200) {
            std::thread::sleep(left - Duration::from_micros(100));
        } else {
            std::thread::yield_now();
        }
    }
}

/// One phase's plan.
struct PhasePlan {
    name: &'static str,
    load: bool,
    /// Issue operations at `config.rate` (the load phase only does when it is measured).
    paced: bool,
    operations: u64,
    warmup: Duration,
}

/// Runs `config` against `connector`: the load phase (unless `config.load` is off), then the
/// workload (for workload `load`, the load phase is the measured one).
pub fn run(connector: &dyn Connector, config: &RunConfig) -> Result<RunResult> {
    let started_unix = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    connector
        .prepare(&config.table)
        .map_err(|source| Error::Setup {
            step: "preparing the table",
            source,
        })?;
    let keyspace = Keyspace::new(config.records);
    let values = Values::new(config.field_length, config.seed ^ 0x7a1e);
    let measured_load = config.workload == Workload::Load;
    let load_plan = PhasePlan {
        name: "load",
        load: true,
        paced: measured_load,
        operations: config.records,
        warmup: Duration::ZERO,
    };
    let (load, run) = if measured_load {
        // Workload `load`: the load phase is the measured one.
        (
            None,
            phase(connector, config, &keyspace, &values, &load_plan)?,
        )
    } else {
        let load = if config.load {
            Some(phase(connector, config, &keyspace, &values, &load_plan)?)
        } else {
            None
        };
        let plan = PhasePlan {
            name: "run",
            load: false,
            paced: true,
            operations: config.operations,
            warmup: config.warmup,
        };
        (load, phase(connector, config, &keyspace, &values, &plan)?)
    };
    Ok(RunResult {
        label: if config.label.is_empty() {
            format!("{}-{}", config.workload.name(), connector.describe())
        } else {
            config.label.clone()
        },
        tool: format!("tessera-bench {}", env!("CARGO_PKG_VERSION")),
        started_unix,
        machine: machine(),
        target: connector.describe(),
        workload: config.workload.name().to_owned(),
        distribution: config.distribution.name().to_owned(),
        settings: Settings {
            records: config.records,
            operations: if measured_load {
                config.records
            } else {
                config.operations
            },
            threads: config.threads.max(1),
            rate: config.rate,
            fields: config.fields,
            field_length: config.field_length,
            warmup_secs: config.warmup.as_secs_f64(),
            scan_length: config.scan_length,
            seed: config.seed,
        },
        load,
        run,
    })
}

fn progress_bar(config: &RunConfig, plan: &PhasePlan) -> ProgressBar {
    if !config.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(plan.operations), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:>5} [{elapsed_precise}] [{bar:30}] {pos}/{len} {msg} (eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(plan.name);
    bar
}

/// Runs one phase on `config.threads` workers and returns its measurements.
fn phase(
    connector: &dyn Connector,
    config: &RunConfig,
    keyspace: &Keyspace,
    values: &Values,
    plan: &PhasePlan,
) -> Result<Phase> {
    let threads = config.threads.max(1);
    let counters: Vec<Counter> = (0..threads).map(|_| Counter::default()).collect();
    let stop = AtomicBool::new(false);
    let finished = AtomicUsize::new(0);
    let bar = progress_bar(config, plan);
    if !plan.warmup.is_zero() {
        bar.set_message("warming up");
    }
    // Everyone connects first, so connection set-up is not measured.
    let mut targets = Vec::with_capacity(threads);
    for _ in 0..threads {
        targets.push(
            connector
                .connect(&config.table, config.fields)
                .map_err(|source| Error::Setup {
                    step: "connecting",
                    source,
                })?,
        );
    }
    let measure_start = Instant::now() + plan.warmup;
    let deadline = config.max_duration.map(|d| measure_start + d);
    // Each thread's share of the rate, as the time between its operations.
    let step = config
        .rate
        .filter(|r| *r > 0.0 && plan.paced)
        .map(|r| threads as f64 / r);
    let (tallies, timeline, elapsed) = std::thread::scope(|s| -> Result<_> {
        let mut handles = Vec::with_capacity(threads);
        for (t, target) in targets.into_iter().enumerate() {
            let tallies = Op::ALL
                .iter()
                .map(|_| OpTally::new())
                .collect::<Result<Vec<_>>>()?;
            let mut worker = Worker {
                target,
                config,
                keyspace,
                values,
                rng: Rng::new(config.seed ^ ((t as u64 + 1) << 40) ^ u64::from(plan.load)),
                chooser: KeyChooser::new(config.distribution, config.records),
                tallies,
                done: &counters[t],
                interval: step.map(Duration::from_secs_f64),
            };
            let (lo, hi) = (
                share_start(plan.operations, t, threads),
                share_start(plan.operations, t + 1, threads),
            );
            let (stop, finished) = (&stop, &finished);
            handles.push(s.spawn(move || {
                if !plan.warmup.is_zero() {
                    worker.warm_up(measure_start, stop);
                }
                // Stagger the threads' schedules evenly over one interval.
                let offset = step.map_or(Duration::ZERO, |s| {
                    Duration::from_secs_f64(s * t as f64 / threads as f64)
                });
                let source = if plan.load {
                    Source::Load { next: lo, end: hi }
                } else {
                    Source::Mix
                };
                worker.measure(source, hi - lo, measure_start + offset, deadline, stop);
                let ended = Instant::now();
                finished.fetch_add(1, Ordering::Release);
                (worker.tallies, ended)
            }));
        }
        let timeline = watch(config, plan, &counters, &finished, &bar, measure_start);
        let mut last_end = measure_start;
        let mut merged = Op::ALL
            .iter()
            .map(|_| OpTally::new())
            .collect::<Result<Vec<_>>>()?;
        for h in handles {
            let (tallies, ended) = h.join().map_err(|_| Error::WorkerPanicked)?;
            for (into, from) in merged.iter_mut().zip(&tallies) {
                into.absorb(from)?;
            }
            last_end = last_end.max(ended);
        }
        // From the common start to the last worker's last answer.
        let elapsed = (last_end - measure_start).as_secs_f64();
        Ok((merged, timeline, elapsed))
    })?;
    bar.finish_and_clear();
    Ok(Phase::from_tallies(
        &tallies,
        elapsed,
        step.is_some(),
        timeline,
    ))
}

/// Where thread `t`'s share of `n` operations split over `threads` starts: thread `t` gets
/// `share_start(n, t, ..)..share_start(n, t + 1, ..)`.
fn share_start(n: u64, t: usize, threads: usize) -> u64 {
    n * t as u64 / threads as u64
}

/// Follows the workers until all are done: updates the progress bar, and samples the
/// throughput once per `config.interval` of the measured phase.
fn watch(
    config: &RunConfig,
    plan: &PhasePlan,
    counters: &[Counter],
    finished: &AtomicUsize,
    bar: &ProgressBar,
    measure_start: Instant,
) -> Vec<Sample> {
    let total = || -> u64 { counters.iter().map(|c| c.0.load(Ordering::Relaxed)).sum() };
    let interval = config.interval.max(Duration::from_millis(10));
    let tick = interval.min(Duration::from_millis(20));
    let mut timeline = Vec::new();
    let mut last_sample = (measure_start, 0u64);
    let mut measuring = plan.warmup.is_zero();
    while finished.load(Ordering::Acquire) < counters.len() {
        std::thread::sleep(tick);
        let now = Instant::now();
        if now < measure_start {
            continue;
        }
        if !measuring {
            measuring = true;
            bar.set_message("");
            bar.reset_elapsed();
        }
        let done = total();
        bar.set_position(done);
        if now - last_sample.0 >= interval {
            let secs = (now - last_sample.0).as_secs_f64();
            let rate = (done - last_sample.1) as f64 / secs;
            timeline.push(Sample {
                t: (now - measure_start).as_secs_f64(),
                ops_per_sec: rate,
            });
            bar.set_message(format!("{rate:.0} ops/s"));
            last_sample = (now, done);
        }
    }
    // The last, partial interval, if it is long enough to mean something.
    let now = Instant::now();
    let done = total();
    let secs = (now - last_sample.0).as_secs_f64();
    if done > last_sample.1 && secs >= interval.as_secs_f64() / 4.0 {
        timeline.push(Sample {
            t: (now - measure_start).as_secs_f64(),
            ops_per_sec: (done - last_sample.1) as f64 / secs,
        });
    }
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ycsb::target::OpError;
    use std::sync::atomic::AtomicU32;

    /// A target whose first read stalls for `stall`; every other operation is instant.
    struct Stalling<'a> {
        calls: &'a AtomicU32,
        stall: Duration,
    }

    impl Target for Stalling<'_> {
        fn read(&mut self, _key: &str) -> OpResult {
            if self.calls.fetch_add(1, Ordering::Relaxed) == 0 {
                std::thread::sleep(self.stall);
            }
            Ok(())
        }
        fn update(&mut self, _: &str, _: usize, _: &str) -> OpResult {
            Ok(())
        }
        fn insert(&mut self, _: &str, _: &[&str]) -> OpResult {
            Ok(())
        }
        fn scan(&mut self, _: &str, _: usize) -> OpResult {
            Ok(())
        }
    }

    struct StallingConnector {
        calls: AtomicU32,
        stall: Duration,
    }

    impl Connector for StallingConnector {
        fn describe(&self) -> String {
            "stalling".to_owned()
        }
        fn prepare(&self, _: &str) -> OpResult {
            Ok(())
        }
        fn connect(&self, _: &str, _: usize) -> std::result::Result<Box<dyn Target + '_>, OpError> {
            Ok(Box::new(Stalling {
                calls: &self.calls,
                stall: self.stall,
            }))
        }
    }

    fn read_only(rate: Option<f64>) -> RunConfig {
        RunConfig {
            workload: Workload::C,
            records: 10,
            operations: 100,
            rate,
            load: false,
            progress: false,
            ..Default::default()
        }
    }

    /// Open loop: a 100 ms stall at 1,000 ops/s delays the ~100 operations scheduled behind
    /// it, and each is timed from its scheduled start, so the median is tens of
    /// milliseconds. Closed loop records the stall once and the rest as instant. Only lower
    /// bounds on latency are asserted: a loaded machine can make them larger, never smaller.
    #[test]
    fn open_loop_counts_the_operations_a_stall_delayed() {
        let stall = Duration::from_millis(100);
        let open = StallingConnector {
            calls: AtomicU32::new(0),
            stall,
        };
        let result = run(&open, &read_only(Some(1000.0))).expect("run");
        let read = result.run.op("READ").expect("reads");
        assert_eq!(read.count, 100);
        assert!(result.run.open_loop);
        assert!(read.latency_us.p50 >= 20_000.0, "{:?}", read.latency_us);
        assert!(read.latency_us.max >= 100_000.0, "{:?}", read.latency_us);

        let closed = StallingConnector {
            calls: AtomicU32::new(0),
            stall,
        };
        let result = run(&closed, &read_only(None)).expect("run");
        let read = result.run.op("READ").expect("reads");
        assert!(!result.run.open_loop);
        assert!(read.latency_us.max >= 100_000.0, "{:?}", read.latency_us);
        // 99 of the 100 reads are instant: only the stalled one is slow.
        assert!(read.latency_us.p90 < 20_000.0, "{:?}", read.latency_us);
    }
}
