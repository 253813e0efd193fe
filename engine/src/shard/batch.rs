//! Write batches: puts and deletes applied atomically, across shards, as one WAL record.
//!
//! WAL payload of a batch: `base_seq u64 LE`, `count varint`, then per operation
//! `kind u8`, `shard varint`, `key` and `value` as varint-length-prefixed bytes.
//! Operation `i` gets sequence number `base_seq + i`, so a later operation on the same key
//! in one batch wins.

use super::router;
use crate::error::Corruption;
use crate::limits::{BATCH_SIZE_BYTES_MAX, KEY_SIZE_BYTES_MAX};
use crate::lsm::coding::{put_bytes, put_varint, Reader};
use crate::lsm::ikey::ValueKind;
use crate::{Error, Result};

/// Bytes counted per operation besides key and value (kind, shard, lengths).
const OP_OVERHEAD_BYTES: usize = 16;

/// One operation; its key and value lie back to back in the batch's `data` from `start`.
#[derive(Debug, Clone)]
struct Op {
    partition_hash: u64,
    kind: ValueKind,
    start: usize,
    key_len: usize,
    value_len: usize,
}

/// A group of puts and deletes that become visible together and survive a crash together.
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    ops: Vec<Op>,
    /// Every key and value, in one buffer so a put costs no allocation of its own.
    data: Vec<u8>,
    size_bytes: usize,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (in the shard of `partition`) to `value`.
    pub fn put(&mut self, partition: &[u8], key: &[u8], value: &[u8]) {
        self.push(partition, ValueKind::Put, key, value);
    }

    /// Deletes `key` (in the shard of `partition`).
    pub fn delete(&mut self, partition: &[u8], key: &[u8]) {
        self.push(partition, ValueKind::Delete, key, &[]);
    }

    fn push(&mut self, partition: &[u8], kind: ValueKind, key: &[u8], value: &[u8]) {
        self.size_bytes += key.len() + value.len() + OP_OVERHEAD_BYTES;
        let start = self.data.len();
        self.data.extend_from_slice(key);
        self.data.extend_from_slice(value);
        self.ops.push(Op {
            partition_hash: router::partition_hash(partition),
            kind,
            start,
            key_len: key.len(),
            value_len: value.len(),
        });
    }

    /// The key and value of `op`.
    fn key_value(&self, op: &Op) -> (&[u8], &[u8]) {
        let key_end = op.start + op.key_len;
        (
            &self.data[op.start..key_end],
            &self.data[key_end..key_end + op.value_len],
        )
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True if the batch has no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Approximate encoded size.
    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }

    /// Bytes of keys and values, for write-amplification statistics.
    pub(crate) fn user_bytes(&self) -> u64 {
        self.data.len() as u64
    }

    /// Checks the engine's limits.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.size_bytes > BATCH_SIZE_BYTES_MAX {
            return Err(Error::BatchTooLarge {
                size_bytes: self.size_bytes,
                limit_bytes: BATCH_SIZE_BYTES_MAX,
            });
        }
        if let Some(op) = self.ops.iter().find(|o| o.key_len > KEY_SIZE_BYTES_MAX) {
            return Err(Error::KeyTooLarge {
                size_bytes: op.key_len,
                limit_bytes: KEY_SIZE_BYTES_MAX,
            });
        }
        Ok(())
    }

    /// Encodes the batch as a WAL payload with sequence numbers from `base_seq`.
    #[cfg(test)]
    pub(crate) fn encode(&self, base_seq: u64, shard_count: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_bytes + 16);
        self.encode_into(&mut out, base_seq, shard_count);
        out
    }

    /// Appends the WAL payload of [`WriteBatch::encode`] to `out`.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>, base_seq: u64, shard_count: usize) {
        out.extend_from_slice(&base_seq.to_le_bytes());
        put_varint(out, self.ops.len() as u64);
        for op in &self.ops {
            let (key, value) = self.key_value(op);
            out.push(op.kind as u8);
            put_varint(
                out,
                router::shard_of_hash(op.partition_hash, shard_count) as u64,
            );
            put_bytes(out, key);
            put_bytes(out, value);
        }
    }

    /// Operations with their shards, in order.
    pub(crate) fn routed(
        &self,
        shard_count: usize,
    ) -> impl Iterator<Item = (usize, ValueKind, &[u8], &[u8])> {
        self.ops.iter().map(move |op| {
            let shard = router::shard_of_hash(op.partition_hash, shard_count);
            let (key, value) = self.key_value(op);
            (shard, op.kind, key, value)
        })
    }
}

/// One operation decoded from a WAL payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodedOp<'a> {
    pub seq: u64,
    pub shard: usize,
    pub kind: ValueKind,
    pub key: &'a [u8],
    pub value: &'a [u8],
}

/// Decodes a WAL payload written by [`WriteBatch::encode`]. Every operation is checked
/// before any is returned, so a batch is applied whole or not at all.
pub(crate) fn decode<'a>(
    payload: &'a [u8],
    shard_count: usize,
    path: &str,
) -> Result<Vec<DecodedOp<'a>>> {
    let bad = |reason| Error::corruption(path, 0, reason);
    let mut r = Reader::new(payload);
    let base = r.u64_le().ok_or_else(|| bad(Corruption::TruncatedHeader))?;
    let count = r.varint().ok_or_else(|| bad(Corruption::BadVarint))?;
    if count > payload.len() as u64 {
        return Err(bad(Corruption::LengthOutOfBounds));
    }
    let last = base
        .checked_add(count)
        .filter(|&l| l <= crate::lsm::ikey::SEQ_MAX + 1);
    if last.is_none() || base == 0 {
        return Err(bad(Corruption::BadSequence));
    }
    let mut ops = Vec::with_capacity(count as usize);
    for i in 0..count {
        let kind = r
            .u8()
            .and_then(ValueKind::from_u8)
            .ok_or_else(|| bad(Corruption::UnknownTag))?;
        let shard = r.varint().ok_or_else(|| bad(Corruption::BadVarint))?;
        let shard = usize::try_from(shard)
            .ok()
            .filter(|&s| s < shard_count)
            .ok_or_else(|| bad(Corruption::BadRecord))?;
        let key = r
            .len_bytes()
            .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?;
        let value = r
            .len_bytes()
            .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?;
        ops.push(DecodedOp {
            seq: base + i,
            shard,
            kind,
            key,
            value,
        });
    }
    if !r.is_empty() {
        return Err(bad(Corruption::BadRecord));
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_encode_decode_roundtrip_keeps_order_and_shards() {
        let mut b = WriteBatch::new();
        b.put(b"p1", b"k1", b"v1");
        b.delete(b"p2", b"k2");
        let payload = b.encode(10, 4);
        let ops = decode(&payload, 4, "x").unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(
            (ops[0].seq, ops[0].key, ops[0].value),
            (10, &b"k1"[..], &b"v1"[..])
        );
        assert_eq!((ops[1].seq, ops[1].kind), (11, ValueKind::Delete));
        assert_eq!(ops[0].shard, router::shard_of(b"p1", 4));
        assert!(decode(&payload, 1, "x").is_err() || router::shard_of(b"p1", 4) == 0);
        assert!(decode(&payload[..payload.len() - 1], 4, "x").is_err());
    }
}
