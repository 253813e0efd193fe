//! Partition key -> shard: xxhash64 of the partition key, scaled onto the shard count.
//!
//! Shard `i` of `n` owns the contiguous hash range `[i * 2^64 / n, (i + 1) * 2^64 / n)`, so a
//! range of hashes (a parallel Scan segment) lies in one shard or a few neighbours.
//!
//! **Invariant**: every key of one partition lives in one shard, so a Query (one partition)
//! reads one shard's tree and a parallel Scan maps segments onto shards.

use xxhash_rust::xxh64::xxh64;

/// Seed of the routing hash. Changing it moves every key: it is part of the on-disk format.
const ROUTING_SEED: u64 = 0x7465_7373_6572_6121;

/// The routing hash of a partition key.
pub fn partition_hash(partition: &[u8]) -> u64 {
    xxh64(partition, ROUTING_SEED)
}

/// The shard a routing hash belongs to.
pub fn shard_of_hash(hash: u64, shard_count: usize) -> usize {
    ((u128::from(hash) * shard_count.max(1) as u128) >> 64) as usize
}

/// The shard that holds `partition`.
pub fn shard_of(partition: &[u8], shard_count: usize) -> usize {
    shard_of_hash(partition_hash(partition), shard_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_of_spreads_partitions_over_all_shards() {
        let mut counts = [0usize; 8];
        for i in 0..8000u32 {
            counts[shard_of(&i.to_be_bytes(), 8)] += 1;
        }
        assert!(counts.iter().all(|&c| c > 800), "{counts:?}");
        assert_eq!(shard_of(b"same", 8), shard_of(b"same", 8));
    }
}
