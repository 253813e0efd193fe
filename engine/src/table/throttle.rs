//! Capacity enforcement (docs/capacity.md): whether a request may run, given what its table
//! has consumed, and the bookkeeping of what it consumed.
//!
//! - **Provisioned tables**: a token bucket per table for reads and one for writes, filling
//!   at the provisioned rate and banking up to 300 seconds of unused capacity (burst credit);
//!   a bucket starts with one second's worth. Each partition key also has its own buckets at
//!   DynamoDB's per-partition ceiling (3,000 read / 1,000 write units a second, no burst), so
//!   a hot key throttles on its own while other keys go on.
//! - **On-demand tables**: within each second, up to twice the table's previous peak second,
//!   and never less than 12,000 read / 4,000 write units (what a new on-demand table sustains).
//!
//! A request is admitted while its buckets are above zero, and charged what it consumed once
//! it ran (its size is unknown before), so a bucket may go below zero and then refuses
//! requests until it refills. A refused request has done nothing.

use crate::api::{ApiError, ApiResult, AutoScaling, BillingMode, TargetTracking};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Seconds of unused capacity a provisioned bucket banks.
pub const BURST_SECONDS: f64 = 300.0;
/// Per-partition ceiling of read units per second.
pub const PARTITION_READ_UNITS: f64 = 3000.0;
/// Per-partition ceiling of write units per second.
pub const PARTITION_WRITE_UNITS: f64 = 1000.0;
/// Read units per second a new on-demand table sustains.
pub const ON_DEMAND_READ_FLOOR: f64 = 12_000.0;
/// Write units per second a new on-demand table sustains.
pub const ON_DEMAND_WRITE_FLOOR: f64 = 4_000.0;
/// Partition buckets kept before idle ones are dropped.
const PARTITIONS_MAX: usize = 10_000;

/// DynamoDB's message for an on-demand table over what it can absorb at once.
const ON_DEMAND_MESSAGE: &str = "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot partition.";

/// Reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Read units.
    Read,
    /// Write units.
    Write,
}

/// A token bucket: `rate` units a second, at most `cap` banked.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    rate: f64,
    cap: f64,
    tokens: f64,
    at: f64,
}

impl Bucket {
    /// A bucket holding one second's worth; its clock starts at its first use (`at` NaN).
    fn new(rate: f64, cap: f64) -> Self {
        Bucket {
            rate,
            cap,
            tokens: rate.min(cap),
            at: f64::NAN,
        }
    }

    fn refill(&mut self, now: f64) {
        if self.at.is_nan() {
            self.at = now;
        } else if now > self.at {
            self.tokens = (self.tokens + (now - self.at) * self.rate).min(self.cap);
            self.at = now;
        }
    }

    fn admits(&mut self, now: f64) -> bool {
        self.refill(now);
        // Above zero by more than clock arithmetic's rounding.
        self.tokens > 1e-6
    }

    fn is_idle_full(&mut self, now: f64) -> bool {
        self.refill(now);
        self.tokens >= self.cap
    }
}

/// Per-second use of an on-demand table.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    second: i64,
    used: f64,
    peak: f64,
}

impl Window {
    fn roll(&mut self, now: f64) {
        let second = now.floor() as i64;
        if second != self.second {
            // Only a full second counts as a peak; a gap of idle seconds keeps the old one.
            self.peak = self.peak.max(self.used);
            self.used = 0.0;
            self.second = second;
        }
    }

    fn limit(&self, floor: f64) -> f64 {
        (2.0 * self.peak).max(floor)
    }
}

/// Minutes above target before auto scaling raises capacity.
pub const SCALE_OUT_MINUTES: u32 = 2;
/// Minutes well below target (20 points under) before auto scaling lowers capacity.
pub const SCALE_IN_MINUTES: u32 = 15;

/// Target tracking for one dimension: consumption per clock minute, and how many minutes in a
/// row it has been above or well below the target.
#[derive(Debug, Clone, Copy)]
struct Scaler {
    policy: TargetTracking,
    provisioned: f64,
    minute: Option<i64>,
    used: f64,
    above: u32,
    below: u32,
}

impl Scaler {
    fn new(policy: TargetTracking, provisioned: f64) -> Self {
        Scaler {
            policy,
            provisioned,
            minute: None,
            used: 0.0,
            above: 0,
            below: 0,
        }
    }

    /// Records `units` at `now`; when a minute has closed, the capacity the policy wants,
    /// if it differs from the current one.
    fn record(&mut self, units: f64, now: f64) -> Option<i64> {
        let minute = (now / 60.0).floor() as i64;
        let mut wanted = None;
        match self.minute {
            None => self.minute = Some(minute),
            Some(m) if minute > m => {
                // The minute that closed, then any idle minutes after it.
                wanted = self.close(self.used / 60.0);
                for _ in 0..(minute - m - 1).min(i64::from(SCALE_IN_MINUTES)) {
                    wanted = wanted.or(self.close(0.0));
                }
                self.minute = Some(minute);
                self.used = 0.0;
            }
            _ => {}
        }
        self.used += units;
        wanted
    }

    fn close(&mut self, rate: f64) -> Option<i64> {
        let target = self.policy.target_utilization;
        let utilization = 100.0 * rate / self.provisioned.max(1e-9);
        let desired = ((rate * 100.0 / target).ceil() as i64)
            .clamp(self.policy.min_capacity, self.policy.max_capacity);
        if utilization > target {
            self.above += 1;
            self.below = 0;
            if self.above >= SCALE_OUT_MINUTES && desired as f64 > self.provisioned {
                self.above = 0;
                return Some(desired);
            }
        } else if utilization < target - 20.0 {
            self.below += 1;
            self.above = 0;
            if self.below >= SCALE_IN_MINUTES && (desired as f64) < self.provisioned {
                self.below = 0;
                return Some(desired);
            }
        } else {
            self.above = 0;
            self.below = 0;
        }
        None
    }
}

/// A capacity change auto scaling asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleTo {
    /// Reads or writes.
    pub op: Op,
    /// The new provisioned units.
    pub capacity: i64,
}

#[derive(Debug)]
enum Mode {
    Provisioned {
        read: Bucket,
        write: Bucket,
        read_scaler: Option<Scaler>,
        write_scaler: Option<Scaler>,
    },
    OnDemand {
        read: Window,
        write: Window,
    },
}

#[derive(Debug)]
struct State {
    mode: Mode,
    /// Partition hash to (read, write) buckets.
    partitions: HashMap<u64, (Bucket, Bucket)>,
}

/// Units consumed and requests refused, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CapacityCounters {
    /// Read units consumed.
    pub read_units: f64,
    /// Write units consumed.
    pub write_units: f64,
    /// Read requests refused.
    pub throttled_reads: u64,
    /// Write requests refused.
    pub throttled_writes: u64,
}

/// One table's enforcement state.
#[derive(Debug)]
pub struct TableCapacity {
    state: Mutex<State>,
    counters: Mutex<CapacityCounters>,
}

impl TableCapacity {
    /// State for a table in `mode` with `read`/`write` provisioned units and its auto
    /// scaling policies.
    pub fn new(mode: BillingMode, read: i64, write: i64, scaling: AutoScaling) -> Self {
        let mode = match mode {
            BillingMode::Provisioned => {
                let (read, write) = (read.max(0) as f64, write.max(0) as f64);
                let bucket = |rate: f64| Bucket::new(rate, rate * BURST_SECONDS);
                Mode::Provisioned {
                    read: bucket(read),
                    write: bucket(write),
                    read_scaler: scaling.read.map(|p| Scaler::new(p, read)),
                    write_scaler: scaling.write.map(|p| Scaler::new(p, write)),
                }
            }
            BillingMode::PayPerRequest => Mode::OnDemand {
                read: Window::default(),
                write: Window::default(),
            },
        };
        TableCapacity {
            state: Mutex::new(State {
                mode,
                partitions: HashMap::new(),
            }),
            counters: Mutex::default(),
        }
    }

    /// Whether a request of `op` on `partitions` (hashes of the partition keys it touches)
    /// may run now; `Err` is DynamoDB's throttling error, and the request must do nothing.
    pub fn admit(&self, op: Op, partitions: &[u64], now: f64) -> ApiResult<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let admitted = match &mut state.mode {
            Mode::Provisioned { read, write, .. } => match op {
                Op::Read => read.admits(now),
                Op::Write => write.admits(now),
            },
            Mode::OnDemand { read, write } => {
                let (window, floor) = match op {
                    Op::Read => (read, ON_DEMAND_READ_FLOOR),
                    Op::Write => (write, ON_DEMAND_WRITE_FLOOR),
                };
                window.roll(now);
                if window.used < window.limit(floor) {
                    true
                } else {
                    drop(state);
                    self.refused(op);
                    return Err(ApiError::Throttling(ON_DEMAND_MESSAGE.to_owned()));
                }
            }
        };
        let partitions_ok = partitions.iter().all(|p| {
            state.partitions.get_mut(p).is_none_or(|(r, w)| match op {
                Op::Read => r.admits(now),
                Op::Write => w.admits(now),
            })
        });
        drop(state);
        if admitted && partitions_ok {
            Ok(())
        } else {
            self.refused(op);
            Err(ApiError::ProvisionedThroughputExceeded)
        }
    }

    fn refused(&self, op: Op) {
        let mut c = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        match op {
            Op::Read => c.throttled_reads += 1,
            Op::Write => c.throttled_writes += 1,
        }
    }

    /// Charges `units` of `op`, spread over `partitions` (each pays its share), at `now`.
    /// Returns the capacity auto scaling asks for, when a policy decided on a change.
    pub fn charge(&self, op: Op, units: f64, partitions: &[u64], now: f64) -> Option<ScaleTo> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut scale = None;
        match &mut state.mode {
            Mode::Provisioned {
                read,
                write,
                read_scaler,
                write_scaler,
            } => {
                let (bucket, scaler) = match op {
                    Op::Read => (read, read_scaler),
                    Op::Write => (write, write_scaler),
                };
                bucket.refill(now);
                bucket.tokens -= units;
                if let Some(scaler) = scaler {
                    scale = scaler
                        .record(units, now)
                        .map(|capacity| ScaleTo { op, capacity });
                }
            }
            Mode::OnDemand { read, write } => {
                let window = match op {
                    Op::Read => read,
                    Op::Write => write,
                };
                window.roll(now);
                window.used += units;
            }
        }
        if !partitions.is_empty() {
            if state.partitions.len() >= PARTITIONS_MAX {
                state
                    .partitions
                    .retain(|_, (r, w)| !(r.is_idle_full(now) && w.is_idle_full(now)));
            }
            let share = units / partitions.len() as f64;
            for p in partitions {
                let (r, w) = state.partitions.entry(*p).or_insert_with(|| {
                    (
                        Bucket::new(PARTITION_READ_UNITS, PARTITION_READ_UNITS),
                        Bucket::new(PARTITION_WRITE_UNITS, PARTITION_WRITE_UNITS),
                    )
                });
                let bucket = match op {
                    Op::Read => r,
                    Op::Write => w,
                };
                bucket.refill(now);
                bucket.tokens -= share;
            }
        }
        drop(state);
        let mut c = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        match op {
            Op::Read => c.read_units += units,
            Op::Write => c.write_units += units,
        }
        scale
    }

    /// Units consumed and requests refused so far.
    pub fn counters(&self) -> CapacityCounters {
        *self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The hash naming the partition of `key` for its partition buckets.
pub(crate) fn partition_of(key: &crate::model::StorageKey) -> u64 {
    xxhash_rust::xxh3::xxh3_64(&key.partition)
}

impl crate::Database {
    /// Refuses a request of `op` on `table` when enforcement is on and the capacity of the
    /// table (or of one of `partitions`) is spent. Call before doing any work.
    pub(crate) fn admit(
        &self,
        table: &super::catalog::Table,
        op: Op,
        partitions: &[u64],
    ) -> ApiResult<()> {
        if !self.options.capacity_limits {
            return Ok(());
        }
        table
            .capacity
            .admit(op, partitions, self.options.clock.now_epoch_seconds())
    }

    /// Records `units` of `op` consumed on `table` (and its `partitions`), and applies the
    /// capacity change auto scaling asks for, if any.
    pub(crate) fn charge(
        &self,
        table: &super::catalog::Table,
        op: Op,
        units: f64,
        partitions: &[u64],
    ) {
        let now = self.options.clock.now_epoch_seconds();
        if let Some(scale) = table.capacity.charge(op, units, partitions, now) {
            self.auto_scale(&table.def.name, scale, now);
        }
    }

    /// Changes a table's provisioned capacity as auto scaling decided, within UpdateTable's
    /// rules (a decrease beyond the day's allowance waits for the next decision).
    fn auto_scale(&self, name: &str, scale: ScaleTo, now: f64) {
        let Some(table) = self.catalog.get(name) else {
            return;
        };
        let current = &table.def.throughput;
        let mut throughput = crate::api::ProvisionedThroughput {
            read_capacity_units: current.read_capacity_units,
            write_capacity_units: current.write_capacity_units,
        };
        let before = match scale.op {
            Op::Read => std::mem::replace(&mut throughput.read_capacity_units, scale.capacity),
            Op::Write => std::mem::replace(&mut throughput.write_capacity_units, scale.capacity),
        };
        let input = crate::api::UpdateTableInput {
            table_name: name.to_owned(),
            provisioned_throughput: Some(throughput),
            ..Default::default()
        };
        let changed = super::validate::apply_update(&table.def, &input, now)
            .and_then(|def| self.catalog.update(&self.store, &table, def));
        match changed {
            Ok(_) => log::info!(
                "auto scaling: {name} {:?} capacity {before} -> {}",
                scale.op,
                scale.capacity
            ),
            Err(e) => log::debug!("auto scaling: {name} stays: {e}"),
        }
    }

    /// Sets the auto scaling policies of a provisioned table (replacing earlier ones; an
    /// empty [`AutoScaling`] removes them), and brings its capacity within their bounds.
    pub fn put_scaling_policy(
        &self,
        table_name: &str,
        scaling: AutoScaling,
    ) -> ApiResult<crate::api::TableDescription> {
        let table = self.table(table_name)?;
        if table.def.billing_mode != BillingMode::Provisioned
            && (scaling.read.is_some() || scaling.write.is_some())
        {
            return Err(ApiError::validation(
                "Auto scaling applies to tables in PROVISIONED billing mode",
            ));
        }
        for (dimension, policy) in [("read", scaling.read), ("write", scaling.write)] {
            let Some(p) = policy else { continue };
            if p.min_capacity < 1 || p.max_capacity < p.min_capacity || p.max_capacity > 40_000 {
                return Err(ApiError::Validation(format!(
                    "The {dimension} capacity bounds must satisfy 1 <= min ({}) <= max ({}) <= 40000",
                    p.min_capacity, p.max_capacity
                )));
            }
            if !(20.0..=90.0).contains(&p.target_utilization) {
                return Err(ApiError::Validation(format!(
                    "The {dimension} capacity target utilization must be between 20 and 90, not {}",
                    p.target_utilization
                )));
            }
        }
        let mut def = table.def.clone();
        def.auto_scaling = scaling;
        let t = &mut def.throughput;
        if let Some(p) = scaling.read {
            t.read_capacity_units = t.read_capacity_units.clamp(p.min_capacity, p.max_capacity);
        }
        if let Some(p) = scaling.write {
            t.write_capacity_units = t.write_capacity_units.clamp(p.min_capacity, p.max_capacity);
        }
        let table = self.catalog.update(&self.store, &table, def)?;
        self.describe(&table, false)
    }

    /// The auto scaling policies of a table.
    pub fn describe_scaling_policy(&self, table_name: &str) -> ApiResult<AutoScaling> {
        Ok(self.table(table_name)?.def.auto_scaling)
    }

    /// Capacity consumed and requests refused, per table, in name order (since each table
    /// was created, changed or the database opened).
    pub fn capacity_counters(&self) -> Vec<(String, CapacityCounters)> {
        self.catalog
            .all()
            .iter()
            .map(|t| (t.def.name.clone(), t.capacity.counters()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioned_bucket_throttles_at_rate_and_refills() {
        let t = TableCapacity::new(BillingMode::Provisioned, 10, 5, AutoScaling::default());
        // One second's worth to start: five 1-unit writes, then refused.
        for _ in 0..5 {
            t.admit(Op::Write, &[], 100.0).unwrap();
            t.charge(Op::Write, 1.0, &[], 100.0);
        }
        assert!(matches!(
            t.admit(Op::Write, &[], 100.0),
            Err(ApiError::ProvisionedThroughputExceeded)
        ));
        // A fifth of a second refills one unit.
        t.admit(Op::Write, &[], 100.2).unwrap();
        // Reads have their own bucket.
        t.admit(Op::Read, &[], 100.0).unwrap();
        assert_eq!(t.counters().throttled_writes, 1);
        assert_eq!(t.counters().write_units, 5.0);
    }

    #[test]
    fn provisioned_burst_banks_up_to_300_seconds() {
        let t = TableCapacity::new(BillingMode::Provisioned, 1, 1, AutoScaling::default());
        t.admit(Op::Write, &[], 0.0).unwrap();
        t.charge(Op::Write, 1.0, &[], 0.0);
        // After an hour idle, 300 units are banked, not 3,600.
        let mut admitted = 0;
        while t.admit(Op::Write, &[], 3600.0).is_ok() {
            t.charge(Op::Write, 1.0, &[], 3600.0);
            admitted += 1;
            assert!(admitted < 1000);
        }
        assert_eq!(admitted, 300);
    }

    #[test]
    fn hot_partition_throttles_while_others_proceed() {
        let t = TableCapacity::new(
            BillingMode::Provisioned,
            100_000,
            100_000,
            AutoScaling::default(),
        );
        let hot = [7u64];
        let mut admitted = 0.0;
        while t.admit(Op::Write, &hot, 1.0).is_ok() {
            t.charge(Op::Write, 10.0, &hot, 1.0);
            admitted += 10.0;
            assert!(admitted < 10_000.0);
        }
        assert_eq!(admitted, PARTITION_WRITE_UNITS);
        t.admit(Op::Write, &[8], 1.0).unwrap();
    }

    #[test]
    fn on_demand_serves_twice_the_previous_peak() {
        let t = TableCapacity::new(BillingMode::PayPerRequest, 0, 0, AutoScaling::default());
        let fill = |second: f64| {
            let mut used = 0.0;
            while t.admit(Op::Write, &[], second).is_ok() {
                t.charge(Op::Write, 100.0, &[], second);
                used += 100.0;
                assert!(used < 1e6);
            }
            used
        };
        // A new table sustains the floor, then each full second doubles the allowance.
        assert_eq!(fill(10.5), ON_DEMAND_WRITE_FLOOR);
        assert!(matches!(
            t.admit(Op::Write, &[], 10.9),
            Err(ApiError::Throttling(_))
        ));
        assert_eq!(fill(11.5), 2.0 * ON_DEMAND_WRITE_FLOOR);
        assert_eq!(fill(12.5), 4.0 * ON_DEMAND_WRITE_FLOOR);
    }
}
