//! Key choice for the YCSB workloads: record names, the uniform, scrambled Zipfian and
//! latest distributions, and the insert sequence shared by the worker threads.

use super::spec::Distribution;
use crate::rng::Rng;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// YCSB's Zipfian constant.
pub const ZIPFIAN_THETA: f64 = 0.99;

/// FNV-1a over the 8 bytes of `v`, as YCSB scatters record numbers and Zipfian ranks.
pub fn fnv64(v: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in v.to_le_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The primary key of record `i`: `user` and a hash of `i`, so consecutive records land far
/// apart (YCSB's default, unordered inserts).
pub fn record_key(i: u64) -> String {
    format!("user{}", fnv64(i))
}

/// A uniform double in `[0, 1)`.
pub fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Zipfian ranks `0..n` by Gray et al.'s method ("Quickly generating billion-record
/// synthetic databases"), as YCSB draws them. `n` may grow (for the latest distribution);
/// the zeta sum is then extended rather than recomputed.
#[derive(Debug, Clone)]
pub struct Zipfian {
    n: u64,
    theta: f64,
    alpha: f64,
    zeta_n: f64,
    zeta_2: f64,
    eta: f64,
}

impl Zipfian {
    /// Ranks over `n` items (at least 1).
    pub fn new(n: u64, theta: f64) -> Self {
        let n = n.max(1);
        let zeta_2 = zeta(0, 2, theta, 0.0);
        let mut z = Zipfian {
            n,
            theta,
            alpha: 1.0 / (1.0 - theta),
            zeta_n: zeta(0, n, theta, 0.0),
            zeta_2,
            eta: 0.0,
        };
        z.eta = z.eta_for();
        z
    }

    /// Ranks over `n` items with `zeta_n` given (YCSB precomputes it for 10^10 items).
    fn with_zeta(n: u64, theta: f64, zeta_n: f64) -> Self {
        let mut z = Zipfian {
            n,
            theta,
            alpha: 1.0 / (1.0 - theta),
            zeta_n,
            zeta_2: zeta(0, 2, theta, 0.0),
            eta: 0.0,
        };
        z.eta = z.eta_for();
        z
    }

    fn eta_for(&self) -> f64 {
        (1.0 - (2.0 / self.n as f64).powf(1.0 - self.theta)) / (1.0 - self.zeta_2 / self.zeta_n)
    }

    /// Grows the item count to `n` (never shrinks it).
    pub fn grow(&mut self, n: u64) {
        if n > self.n {
            self.zeta_n = zeta(self.n, n, self.theta, self.zeta_n);
            self.n = n;
            self.eta = self.eta_for();
        }
    }

    /// A rank in `0..n`; rank 0 is the most popular.
    pub fn next(&self, rng: &mut Rng) -> u64 {
        let u = unit(rng);
        let uz = u * self.zeta_n;
        if uz < 1.0 {
            return 0;
        }
        if uz < 1.0 + 0.5f64.powf(self.theta) {
            return 1.min(self.n - 1);
        }
        let rank = (self.n as f64 * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64;
        rank.min(self.n - 1)
    }
}

/// `sum + Σ 1/i^theta` for `i` in `from+1..=to`.
fn zeta(from: u64, to: u64, theta: f64, sum: f64) -> f64 {
    (from + 1..=to).fold(sum, |acc, i| acc + 1.0 / (i as f64).powf(theta))
}

/// YCSB's scrambled Zipfian draws ranks over 10^10 items, whose zeta it precomputes.
const SCRAMBLED_ITEMS: u64 = 10_000_000_000;
const SCRAMBLED_ZETA: f64 = 26.469_028_201_783_02;

/// Picks the record an operation touches, among records `0..limit`.
#[derive(Debug, Clone)]
pub enum KeyChooser {
    /// Every record equally likely.
    Uniform,
    /// A Zipfian rank over 10^10, hashed onto the records (YCSB's scrambled Zipfian).
    Zipfian(Zipfian),
    /// `limit - 1 - rank`: the newest records are the most popular.
    Latest(Zipfian),
}

impl KeyChooser {
    /// A chooser for `distribution` over an initial `records` records.
    pub fn new(distribution: Distribution, records: u64) -> Self {
        match distribution {
            Distribution::Uniform => KeyChooser::Uniform,
            Distribution::Zipfian => KeyChooser::Zipfian(Zipfian::with_zeta(
                SCRAMBLED_ITEMS,
                ZIPFIAN_THETA,
                SCRAMBLED_ZETA,
            )),
            Distribution::Latest => KeyChooser::Latest(Zipfian::new(records, ZIPFIAN_THETA)),
        }
    }

    /// A record in `0..limit` (`limit` at least 1).
    pub fn next(&mut self, rng: &mut Rng, limit: u64) -> u64 {
        let limit = limit.max(1);
        match self {
            KeyChooser::Uniform => rng.below(limit),
            KeyChooser::Zipfian(z) => fnv64(z.next(rng)) % limit,
            KeyChooser::Latest(z) => {
                z.grow(limit);
                limit - 1 - z.next(rng).min(limit - 1)
            }
        }
    }
}

/// The record numbers inserts take, shared by every worker: numbers are handed out in
/// order, and `limit` only moves past a number once its insert has succeeded, so reads
/// never ask for a record that is not there yet.
#[derive(Debug)]
pub struct Keyspace {
    next: AtomicU64,
    limit: AtomicU64,
    done: Mutex<BTreeSet<u64>>,
}

impl Keyspace {
    /// A key space whose records `0..records` exist.
    pub fn new(records: u64) -> Self {
        Keyspace {
            next: AtomicU64::new(records),
            limit: AtomicU64::new(records),
            done: Mutex::new(BTreeSet::new()),
        }
    }

    /// The next record number to insert.
    pub fn allocate(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Records `0..limit()` all exist.
    pub fn limit(&self) -> u64 {
        self.limit.load(Ordering::Acquire)
    }

    /// Record `i`'s insert succeeded.
    pub fn acknowledge(&self, i: u64) {
        // A poisoned lock only means another worker panicked; the set is still consistent.
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        done.insert(i);
        let mut limit = self.limit.load(Ordering::Acquire);
        while done.remove(&limit) {
            limit += 1;
        }
        self.limit.store(limit, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipfian_favours_low_ranks() {
        let z = Zipfian::new(1000, ZIPFIAN_THETA);
        let mut rng = Rng::new(3);
        let mut counts = vec![0u32; 1000];
        for _ in 0..100_000 {
            counts[z.next(&mut rng) as usize] += 1;
        }
        // P(rank 0) = 1 / zeta(1000) ≈ 13.4%.
        assert!((12_000..15_000).contains(&counts[0]), "{}", counts[0]);
        assert!(counts[0] > counts[1] && counts[1] > counts[10] && counts[10] > counts[500]);
    }

    #[test]
    fn zipfian_grow_matches_fresh() {
        let mut grown = Zipfian::new(100, ZIPFIAN_THETA);
        grown.grow(5000);
        let fresh = Zipfian::new(5000, ZIPFIAN_THETA);
        assert!((grown.zeta_n - fresh.zeta_n).abs() < 1e-9);
        assert!((grown.eta - fresh.eta).abs() < 1e-12);
    }

    #[test]
    fn scrambled_zeta_constant_is_ycsbs() {
        // The tail of the 10^10 sum is too slow for a test; check the constant's first
        // million terms are below it and close to its known partial sum.
        let partial = zeta(0, 1_000_000, ZIPFIAN_THETA, 0.0);
        assert!(partial < SCRAMBLED_ZETA && partial > 14.0);
    }

    #[test]
    fn choosers_stay_below_the_limit() {
        let mut rng = Rng::new(9);
        for d in [
            Distribution::Uniform,
            Distribution::Zipfian,
            Distribution::Latest,
        ] {
            let mut c = KeyChooser::new(d, 50);
            for limit in [1, 2, 50, 51, 500] {
                assert!((0..2000).all(|_| c.next(&mut rng, limit) < limit), "{d:?}");
            }
        }
    }

    #[test]
    fn latest_prefers_new_records() {
        let mut rng = Rng::new(5);
        let mut c = KeyChooser::new(Distribution::Latest, 10_000);
        let newest = (0..10_000)
            .filter(|_| c.next(&mut rng, 10_000) >= 9_990)
            .count();
        assert!(newest > 3_000, "{newest}");
    }

    #[test]
    fn keyspace_limit_waits_for_gaps() {
        let ks = Keyspace::new(10);
        let (a, b, c) = (ks.allocate(), ks.allocate(), ks.allocate());
        assert_eq!((a, b, c), (10, 11, 12));
        ks.acknowledge(b);
        assert_eq!(ks.limit(), 10);
        ks.acknowledge(a);
        assert_eq!(ks.limit(), 12);
        ks.acknowledge(c);
        assert_eq!(ks.limit(), 13);
    }

    #[test]
    fn record_keys_are_scattered_and_distinct() {
        assert_ne!(record_key(1), record_key(2));
        assert!(record_key(0).starts_with("user"));
    }
}
