//! Benchmark keys, values and the key-to-partition mapping.
//!
//! Key `i` is its decimal index zero-padded to 16 bytes, so sequential indexes are sequential
//! keys. Absent keys (for `readmissing`) end in `m` instead of a digit: they sort between
//! present keys, so only the bloom filter, not the key range, can rule them out.

/// Bytes in every benchmark key.
pub const KEY_LEN: usize = 16;

/// Key `i`: `i` in decimal, zero-padded to [`KEY_LEN`] bytes.
pub fn key(i: u64) -> [u8; KEY_LEN] {
    let mut out = [b'0'; KEY_LEN];
    let mut n = i;
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out
}

/// A key never written by any workload: key `i` with its last digit replaced by `m`, which
/// sorts after every digit, so it lies between key `i - i % 10 + 9` and the next ten, inside
/// the range the store holds.
pub fn missing_key(i: u64) -> [u8; KEY_LEN] {
    let mut k = key(i);
    k[KEY_LEN - 1] = b'm';
    k
}

/// A value of `len` bytes that differs per key and is not trivially compressible.
pub fn value(i: u64, len: usize) -> Vec<u8> {
    let mut rng = crate::rng::Rng::new(i);
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        v.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    v.truncate(len);
    v
}

/// Maps key indexes to partition keys: key `i` lives in partition `i % partitions`.
///
/// One partition (the default) puts every key in one shard, so range seeks see the whole
/// ordered key space; more partitions spread writes over the shards.
#[derive(Debug, Clone)]
pub struct KeyLayout {
    partitions: Vec<Vec<u8>>,
}

impl KeyLayout {
    /// A layout with `partitions` partitions (at least 1).
    pub fn new(partitions: u64) -> Self {
        let n = partitions.max(1);
        KeyLayout {
            partitions: (0..n).map(|p| format!("p{p:04}").into_bytes()).collect(),
        }
    }

    /// The partition key of key index `i`.
    pub fn partition(&self, i: u64) -> Vec<u8> {
        self.partition_ref(i).to_vec()
    }

    /// The partition key of key index `i`, borrowed.
    pub fn partition_ref(&self, i: u64) -> &[u8] {
        // The vector has at least one element, so the modulus is never zero.
        let n = self.partitions.len() as u64;
        &self.partitions[(i % n) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_zero_padded_decimal_and_sorted() {
        assert_eq!(&key(0), b"0000000000000000");
        assert_eq!(&key(1_000_000), b"0000000001000000");
        assert!(key(9) < key(10));
    }

    #[test]
    fn missing_key_sorts_between_neighbours() {
        assert!(key(49) < missing_key(40) && missing_key(40) < key(50));
        assert_eq!(missing_key(40), missing_key(49));
    }

    #[test]
    fn value_has_requested_len() {
        assert_eq!(value(3, 100).len(), 100);
        assert_ne!(value(3, 100), value(4, 100));
    }
}
