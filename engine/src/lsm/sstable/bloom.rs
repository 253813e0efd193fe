//! The per-table bloom filter over user keys: xxh3 hashing with double hashing.
//!
//! Block layout: the bit array, then one byte with the number of probes `k`. An empty bit
//! array means "no filter" and every probe answers "maybe".

use crate::error::{Corruption, Error, Result};
use crate::limits;
use xxhash_rust::xxh3::xxh3_64;

/// Most probes a filter may ask for; more only costs time for no gain.
const PROBES_MAX: u8 = 30;

/// Collects the hashes of distinct user keys while a table is written.
#[derive(Debug)]
pub(crate) struct BloomBuilder {
    hashes: Vec<u64>,
    bits_per_key: usize,
}

impl BloomBuilder {
    /// A builder sizing the filter at `bits_per_key` bits per key (0: no filter).
    pub(crate) fn new(bits_per_key: usize) -> Self {
        BloomBuilder {
            hashes: Vec::new(),
            bits_per_key,
        }
    }

    /// Adds a user key; the caller adds each distinct key once.
    pub(crate) fn add(&mut self, user_key: &[u8]) {
        if self.bits_per_key > 0 {
            self.hashes.push(xxh3_64(user_key));
        }
    }

    /// Bytes the finished filter will take, roughly.
    pub(crate) fn size_estimate(&self) -> usize {
        self.hashes.len().saturating_mul(self.bits_per_key) / 8 + 1
    }

    /// Encodes the filter block.
    pub(crate) fn finish(&self) -> Vec<u8> {
        if self.hashes.is_empty() {
            return vec![0];
        }
        // k = bits_per_key * ln 2 minimises the false-positive rate for a given size.
        let k = (self.bits_per_key as f64 * std::f64::consts::LN_2).round() as u64;
        let k = k.clamp(1, u64::from(PROBES_MAX)) as u8;
        // Cap the filter below the block size limit: a giant table gets a weaker filter
        // rather than an unreadable one.
        let bits_max = (limits::BLOCK_SIZE_BYTES_MAX - 1) * 8;
        let bits = self
            .hashes
            .len()
            .saturating_mul(self.bits_per_key)
            .clamp(64, bits_max);
        let bytes = bits.div_ceil(8);
        let mut out = vec![0u8; bytes + 1];
        let m = (bytes * 8) as u64;
        for &h in &self.hashes {
            for bit in probes(h, k, m) {
                out[(bit / 8) as usize] |= 1 << (bit % 8);
            }
        }
        out[bytes] = k;
        out
    }
}

/// The `k` bit positions of hash `h` in a filter of `m` bits (Kirsch-Mitzenmacher).
fn probes(h: u64, k: u8, m: u64) -> impl Iterator<Item = u64> {
    let delta = h.rotate_left(32);
    (0..u64::from(k)).map(move |i| h.wrapping_add(i.wrapping_mul(delta)) % m)
}

/// A decoded filter.
#[derive(Debug)]
pub(crate) struct Bloom {
    bits: Vec<u8>,
    k: u8,
}

impl Bloom {
    /// Checks and decodes a filter block read at `offset`.
    pub(crate) fn parse(mut data: Vec<u8>, offset: u64, path: &str) -> Result<Bloom> {
        let k = data
            .pop()
            .ok_or_else(|| Error::corruption(path, offset, Corruption::TruncatedHeader))?;
        if !data.is_empty() && (k == 0 || k > PROBES_MAX) {
            let at = offset.saturating_add(data.len() as u64);
            return Err(Error::corruption(path, at, Corruption::BadRecord));
        }
        Ok(Bloom { bits: data, k })
    }

    /// False only if `user_key` is certainly not in the table.
    pub(crate) fn may_contain(&self, user_key: &[u8]) -> bool {
        if self.bits.is_empty() {
            return true;
        }
        let m = self.bits.len() as u64 * 8;
        probes(xxh3_64(user_key), self.k, m)
            .all(|bit| self.bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests {
    use super::*;

    fn filter(keys: impl Iterator<Item = Vec<u8>>, bits_per_key: usize) -> Bloom {
        let mut b = BloomBuilder::new(bits_per_key);
        for k in keys {
            b.add(&k);
        }
        Bloom::parse(b.finish(), 0, "t").unwrap()
    }

    #[test]
    fn bloom_added_keys_have_no_false_negatives() {
        let f = filter((0..10_000u32).map(|i| i.to_be_bytes().to_vec()), 10);
        assert!((0..10_000u32).all(|i| f.may_contain(&i.to_be_bytes())));
    }

    #[test]
    fn bloom_ten_bits_per_key_false_positive_rate_under_two_percent() {
        let n = 100_000u64;
        let f = filter((0..n).map(|i| format!("user{i}").into_bytes()), 10);
        assert!((0..n).all(|i| f.may_contain(format!("user{i}").as_bytes())));
        let fp = (n..2 * n)
            .filter(|i| f.may_contain(format!("user{i}").as_bytes()))
            .count();
        let rate = fp as f64 / n as f64;
        assert!(rate < 0.02, "false positive rate {rate}");
    }

    #[test]
    fn bloom_disabled_or_empty_always_maybe() {
        let f = filter((0..10u32).map(|i| i.to_be_bytes().to_vec()), 0);
        assert!(f.may_contain(b"x"));
        let f = filter(std::iter::empty(), 10);
        assert!(f.may_contain(b"x"));
    }

    #[test]
    fn bloom_bad_probe_count_is_corruption() {
        assert!(Bloom::parse(vec![0xff, 0], 0, "t")
            .unwrap_err()
            .is_corruption());
        assert!(Bloom::parse(vec![0xff, 31], 0, "t")
            .unwrap_err()
            .is_corruption());
        assert!(Bloom::parse(Vec::new(), 0, "t")
            .unwrap_err()
            .is_corruption());
    }
}
