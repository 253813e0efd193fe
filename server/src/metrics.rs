//! Request metrics in Prometheus' text format: requests, errors and latency per operation,
//! plus the engine's write, flush, compaction, stall and cache counters.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tessera_engine::Store;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS_SECONDS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

/// Counters of one operation.
#[derive(Default)]
struct OpMetrics {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Requests at or under each bucket's bound (not cumulative; summed when rendered).
    buckets: [AtomicU64; BUCKETS_SECONDS.len()],
    micros_total: AtomicU64,
}

/// Metrics of both front ends.
#[derive(Default)]
pub struct Metrics {
    ops: Mutex<BTreeMap<String, std::sync::Arc<OpMetrics>>>,
}

impl Metrics {
    fn op(&self, name: &str) -> std::sync::Arc<OpMetrics> {
        let mut ops = self
            .ops
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Every request passes here: allocate the name only the first time it is seen.
        if let Some(m) = ops.get(name) {
            return std::sync::Arc::clone(m);
        }
        std::sync::Arc::clone(ops.entry(name.to_owned()).or_default())
    }

    /// Records one request of `operation` that took `elapsed` and failed or not.
    pub fn record(&self, operation: &str, elapsed: Duration, failed: bool) {
        let m = self.op(operation);
        m.requests.fetch_add(1, Ordering::Relaxed);
        if failed {
            m.errors.fetch_add(1, Ordering::Relaxed);
        }
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS_SECONDS.iter().position(|b| seconds <= *b) {
            m.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        m.micros_total
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// The metrics, the store's statistics and the cache's as Prometheus text.
    pub fn render(
        &self,
        store: &Store,
        cache: &tessera_cache::CacheStats,
        capacity: &[(String, tessera_engine::table::throttle::CapacityCounters)],
    ) -> String {
        let mut out = String::new();
        let ops: Vec<(String, std::sync::Arc<OpMetrics>)> = self
            .ops
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), std::sync::Arc::clone(v)))
            .collect();
        out.push_str("# HELP tessera_requests_total Requests by DynamoDB operation.\n# TYPE tessera_requests_total counter\n");
        for (op, m) in &ops {
            let _ = writeln!(
                out,
                "tessera_requests_total{{operation=\"{op}\"}} {}",
                m.requests.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP tessera_request_errors_total Requests answered with an error.\n# TYPE tessera_request_errors_total counter\n");
        for (op, m) in &ops {
            let _ = writeln!(
                out,
                "tessera_request_errors_total{{operation=\"{op}\"}} {}",
                m.errors.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP tessera_request_duration_seconds Request latency in the server.\n# TYPE tessera_request_duration_seconds histogram\n");
        for (op, m) in &ops {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS_SECONDS.iter().enumerate() {
                cumulative += m.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(out, "tessera_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{bound}\"}} {cumulative}");
            }
            let count = m.requests.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "tessera_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "tessera_request_duration_seconds_sum{{operation=\"{op}\"}} {}",
                m.micros_total.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "tessera_request_duration_seconds_count{{operation=\"{op}\"}} {count}"
            );
        }
        let s = store.stats();
        for (name, help, value) in [
            (
                "tessera_engine_writes_total",
                "Write operations applied by the store.",
                s.writes,
            ),
            ("tessera_engine_wal_syncs_total", "WAL fsyncs.", s.wal_syncs),
            (
                "tessera_engine_flushes_total",
                "Memtable flushes.",
                s.flushes,
            ),
            (
                "tessera_engine_compactions_total",
                "Compactions.",
                s.compactions,
            ),
            (
                "tessera_engine_write_stalls_total",
                "Writes that waited for background work.",
                s.stalls,
            ),
            (
                "tessera_engine_write_stall_microseconds_total",
                "Time writers spent stalled.",
                s.stall_micros,
            ),
            (
                "tessera_engine_block_cache_hits_total",
                "Block cache hits.",
                s.block_cache_hits,
            ),
            (
                "tessera_engine_block_cache_misses_total",
                "Block cache misses.",
                s.block_cache_misses,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        for (name, help, value) in [
            (
                "tessera_engine_memtable_bytes",
                "Bytes in memtables.",
                s.memtable_bytes,
            ),
            (
                "tessera_engine_disk_bytes",
                "Bytes of tables and WAL on disk.",
                s.disk_bytes,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        render_cache(&mut out, cache);
        render_capacity(&mut out, capacity);
        out
    }
}

/// The cache's counters: per cache (`cache="item"|"query"`) and per table.
fn render_cache(out: &mut String, stats: &tessera_cache::CacheStats) {
    type Pick = fn(&tessera_cache::CounterValues) -> u64;
    let series: [(&str, &str, &str, Pick); 4] = [
        (
            "tessera_cache_hits_total",
            "counter",
            "Reads answered from the cache.",
            |c| c.hits,
        ),
        (
            "tessera_cache_misses_total",
            "counter",
            "Reads the cache passed to the engine.",
            |c| c.misses,
        ),
        (
            "tessera_cache_evictions_total",
            "counter",
            "Entries dropped for space or age.",
            |c| c.evictions,
        ),
        (
            "tessera_cache_bytes",
            "gauge",
            "Bytes held by the cache.",
            |c| c.bytes,
        ),
    ];
    for (name, kind, help, pick) in series {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (cache, values) in [("item", &stats.item), ("query", &stats.query)] {
            let _ = writeln!(out, "{name}{{cache=\"{cache}\"}} {}", pick(values));
        }
        for (table, item, query) in &stats.tables {
            for (cache, values) in [("item", item), ("query", query)] {
                let _ = writeln!(
                    out,
                    "{name}{{cache=\"{cache}\",table=\"{table}\"}} {}",
                    pick(values)
                );
            }
        }
    }
}

/// Capacity consumed and requests throttled, per table (docs/capacity.md).
fn render_capacity(
    out: &mut String,
    tables: &[(String, tessera_engine::table::throttle::CapacityCounters)],
) {
    type Pick = fn(&tessera_engine::table::throttle::CapacityCounters) -> f64;
    let series: [(&str, &str, Pick); 4] = [
        (
            "tessera_consumed_read_capacity_units_total",
            "Read capacity units consumed.",
            |c| c.read_units,
        ),
        (
            "tessera_consumed_write_capacity_units_total",
            "Write capacity units consumed.",
            |c| c.write_units,
        ),
        (
            "tessera_throttled_read_requests_total",
            "Read requests refused for capacity.",
            |c| c.throttled_reads as f64,
        ),
        (
            "tessera_throttled_write_requests_total",
            "Write requests refused for capacity.",
            |c| c.throttled_writes as f64,
        ),
    ];
    for (name, help, pick) in series {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        for (table, counters) in tables {
            let _ = writeln!(out, "{name}{{table=\"{table}\"}} {}", pick(counters));
        }
    }
}
