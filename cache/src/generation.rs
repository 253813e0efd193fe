//! Generations: how a write through the cache makes every older cached answer it affects
//! stale, without finding those answers.
//!
//! Keys, partitions and tables hash to one of [`STRIPES`] counters. A cached answer carries a
//! [`Stamp`]: the counter of the stripe it depends on, read *before* the engine was asked.
//! A write through the cache bumps the counters of what it wrote *after* the engine
//! acknowledged. An answer is served only while its stamp still equals the counter, so:
//!
//! - an answer read before the write committed has an older stamp than the bump that follows
//!   the commit, and is never served after the write returns;
//! - an answer read after the commit may carry the old stamp too (it read the counter first),
//!   and is then merely thrown away: a miss, never a stale hit.
//!
//! Control-plane changes (CreateTable, UpdateTable, DeleteTable through the cache) bump the
//! epoch, which every stamp also carries. Two keys sharing a stripe only cost each other
//! hits. The reasoning needs the counter's bump to be a release and its read an acquire
//! (SeqCst here); `loom_tests` checks it.

#[cfg(loom)]
use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters per kind; a power of two.
pub const STRIPES: usize = 1 << 16;

/// What a cached answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    epoch: u64,
    /// `(stripe, counter)`, or `None` for answers only TTL and the epoch expire.
    stripe: Option<(usize, u64)>,
}

/// The counters.
pub struct Generations {
    epoch: AtomicU64,
    stripes: Box<[AtomicU64]>,
}

impl Generations {
    /// All counters at zero.
    pub fn new(stripes: usize) -> Self {
        Generations {
            epoch: AtomicU64::new(0),
            stripes: (0..stripes.max(1)).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// The stripe of a 64-bit hash.
    pub fn stripe(&self, hash: u64) -> usize {
        (hash % self.stripes.len() as u64) as usize
    }

    /// A stamp depending on `stripe` (or on the epoch alone). Take it before reading the
    /// engine.
    pub fn stamp(&self, stripe: Option<usize>) -> Stamp {
        Stamp {
            epoch: self.epoch.load(Ordering::SeqCst),
            stripe: stripe.map(|s| (s, self.stripes[s].load(Ordering::SeqCst))),
        }
    }

    /// Whether an answer stamped `stamp` is still current.
    pub fn is_current(&self, stamp: &Stamp) -> bool {
        stamp.epoch == self.epoch.load(Ordering::SeqCst)
            && stamp
                .stripe
                .is_none_or(|(s, gen)| self.stripes[s].load(Ordering::SeqCst) == gen)
    }

    /// Makes every answer depending on `stripe` stale. Call after the engine acknowledged.
    pub fn bump(&self, stripe: usize) {
        self.stripes[stripe].fetch_add(1, Ordering::SeqCst);
    }

    /// Makes every cached answer stale.
    pub fn bump_epoch(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_makes_only_that_stripe_stale() {
        let g = Generations::new(8);
        let a = g.stamp(Some(1));
        let b = g.stamp(Some(2));
        let c = g.stamp(None);
        g.bump(1);
        assert!(!g.is_current(&a));
        assert!(g.is_current(&b));
        assert!(g.is_current(&c));
        g.bump_epoch();
        assert!(!g.is_current(&b) && !g.is_current(&c));
        assert!(g.is_current(&g.stamp(Some(1))));
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::{Arc, Mutex};

    /// A reader filling the cache races a writer writing through it: once the writer has
    /// returned, the cache never serves the value it overwrote.
    #[test]
    fn loom_tests_reader_never_caches_a_value_older_than_a_finished_write() {
        loom::model(|| {
            let gens = Arc::new(Generations::new(1));
            // The engine's value, and the cache's one slot: (value, stamp).
            let engine = Arc::new(Mutex::new(1u64));
            let slot: Arc<Mutex<Option<(u64, Stamp)>>> = Arc::new(Mutex::new(None));

            let reader = {
                let (gens, engine, slot) = (gens.clone(), engine.clone(), slot.clone());
                loom::thread::spawn(move || {
                    let stamp = gens.stamp(Some(0));
                    let value = *engine.lock().unwrap();
                    *slot.lock().unwrap() = Some((value, stamp));
                })
            };
            // The writer: engine first, then the bump.
            *engine.lock().unwrap() = 2;
            gens.bump(0);
            // The write has returned: a hit now must see 2.
            let cached = *slot.lock().unwrap();
            if let Some((value, stamp)) = cached {
                if gens.is_current(&stamp) {
                    assert_eq!(value, 2);
                }
            }
            reader.join().unwrap();
            let cached = *slot.lock().unwrap();
            if let Some((value, stamp)) = cached {
                if gens.is_current(&stamp) {
                    assert_eq!(value, 2);
                }
            }
        });
    }
}
