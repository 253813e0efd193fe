//! The block format shared by data and index blocks: prefix-compressed keys and restart points.
//!
//! An entry is `shared varint | unshared varint | value_len varint | key suffix | value`,
//! where `shared` bytes of the key are taken from the previous key. Every `restart_interval`
//! entries the key is stored whole (`shared == 0`) and its offset is recorded; the block ends
//! with those offsets (u32 LE each) and their count (u32 LE). Keys are internal keys, strictly
//! increasing by [`ikey::compare`].

use crate::error::{Corruption, Error, Result};
use crate::lsm::coding::{put_varint, Reader};
use crate::lsm::{ikey, Entry};
use std::cmp::Ordering;

/// Accumulates entries into one encoded block.
#[derive(Debug)]
pub(crate) struct BlockBuilder {
    buf: Vec<u8>,
    restarts: Vec<u32>,
    restart_interval: usize,
    since_restart: usize,
    last_key: Vec<u8>,
}

impl BlockBuilder {
    /// An empty block restarting every `restart_interval` entries (0 is treated as 1).
    pub(crate) fn new(restart_interval: usize) -> Self {
        BlockBuilder {
            buf: Vec::new(),
            restarts: Vec::new(),
            restart_interval: restart_interval.max(1),
            since_restart: 0,
            last_key: Vec::new(),
        }
    }

    /// Appends an entry; `key` must sort after the previous one (the caller checks).
    pub(crate) fn add(&mut self, key: &[u8], value: &[u8]) {
        debug_assert!(self.is_empty() || ikey::compare(&self.last_key, key) == Ordering::Less);
        let shared = if self.is_empty() || self.since_restart >= self.restart_interval {
            // Offsets above u32::MAX only occur in blocks the writer rejects as oversized.
            self.restarts
                .push(u32::try_from(self.buf.len()).unwrap_or(u32::MAX));
            self.since_restart = 0;
            0
        } else {
            self.last_key
                .iter()
                .zip(key)
                .take_while(|(a, b)| a == b)
                .count()
        };
        put_varint(&mut self.buf, shared as u64);
        put_varint(&mut self.buf, (key.len() - shared) as u64);
        put_varint(&mut self.buf, value.len() as u64);
        self.buf.extend_from_slice(&key[shared..]);
        self.buf.extend_from_slice(value);
        self.last_key.clear();
        self.last_key.extend_from_slice(key);
        self.since_restart += 1;
    }

    /// True if no entry has been added since the last `finish`.
    pub(crate) fn is_empty(&self) -> bool {
        self.restarts.is_empty()
    }

    /// Size of the block if it were finished now.
    pub(crate) fn size_estimate(&self) -> usize {
        self.buf.len() + 4 * (self.restarts.len() + 1)
    }

    /// The last key added.
    pub(crate) fn last_key(&self) -> &[u8] {
        &self.last_key
    }

    /// Returns the encoded block and resets the builder for the next block.
    pub(crate) fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.buf);
        out.reserve(4 * (self.restarts.len() + 1));
        for r in &self.restarts {
            out.extend_from_slice(&r.to_le_bytes());
        }
        let count = u32::try_from(self.restarts.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&count.to_le_bytes());
        self.restarts.clear();
        self.since_restart = 0;
        out
    }
}

/// A checked block: the restart array has been validated, entries are decoded on demand.
#[derive(Debug)]
pub(crate) struct Block {
    data: Vec<u8>,
    restarts_start: usize,
    restart_count: usize,
    offset: u64,
}

/// A forward position inside one [`Block`]; see [`Block::cursor`].
#[derive(Debug)]
pub(crate) struct Cursor {
    /// Offset of the next entry to decode.
    pos: usize,
    /// Key of the entry decoded last: the base the next entry's shared prefix comes from.
    key: Vec<u8>,
    /// The key before `key`, kept to check that keys increase.
    prev: Vec<u8>,
    /// The first restart point not yet passed.
    next_restart: usize,
    /// True once an entry has been decoded.
    started: bool,
}

/// One decoded entry position: where its value lies and where the next entry starts.
struct Decoded {
    value_start: usize,
    next: usize,
}

impl Block {
    /// Validates the restart array of `data`, a block read at file offset `offset`.
    pub(crate) fn parse(data: Vec<u8>, offset: u64, path: &str) -> Result<Block> {
        let bad = |pos: usize, reason| Error::corruption(path, at(offset, pos), reason);
        let count_pos = data
            .len()
            .checked_sub(4)
            .ok_or_else(|| bad(0, Corruption::TruncatedHeader))?;
        let count = read_u32(&data, count_pos);
        let restarts_start = count
            .checked_mul(4)
            .and_then(|n| count_pos.checked_sub(n))
            .ok_or_else(|| bad(count_pos, Corruption::BadRestarts))?;
        let block = Block {
            data,
            restarts_start,
            restart_count: count,
            offset,
        };
        let mut prev: Option<usize> = None;
        for i in 0..count {
            let r = block.restart(i);
            let ok = match prev {
                None => r == 0,
                Some(p) => r > p,
            };
            if !ok || r >= restarts_start {
                return Err(bad(restarts_start + 4 * i, Corruption::BadRestarts));
            }
            prev = Some(r);
        }
        if count == 0 && restarts_start != 0 {
            return Err(bad(count_pos, Corruption::BadRestarts));
        }
        Ok(block)
    }

    /// Encoded size of the block in bytes (its cache weight).
    pub(crate) fn len_bytes(&self) -> usize {
        self.data.len()
    }

    /// The `i`th restart offset; `i < restart_count`, checked by `parse`.
    fn restart(&self, i: usize) -> usize {
        read_u32(&self.data, self.restarts_start + 4 * i)
    }

    /// Decodes the entry at `pos`, rebuilding its key in `key` from the previous key.
    fn decode_at(&self, pos: usize, key: &mut Vec<u8>, path: &str) -> Result<Decoded> {
        let region = &self.data[..self.restarts_start];
        let bad = |reason| Error::corruption(path, at(self.offset, pos), reason);
        let mut r = Reader::new(
            region
                .get(pos..)
                .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?,
        );
        let mut varint = || -> Result<usize> {
            let v = r.varint().ok_or_else(|| bad(Corruption::BadVarint))?;
            usize::try_from(v).map_err(|_| bad(Corruption::LengthOutOfBounds))
        };
        let shared = varint()?;
        let unshared = varint()?;
        let value_len = varint()?;
        if shared > key.len() {
            return Err(bad(Corruption::LengthOutOfBounds));
        }
        let suffix = r
            .bytes(unshared)
            .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?;
        let value_start = pos + r.position();
        r.bytes(value_len)
            .ok_or_else(|| bad(Corruption::LengthOutOfBounds))?;
        key.truncate(shared);
        key.extend_from_slice(suffix);
        if ikey::decode(key).is_none() {
            return Err(bad(Corruption::UnknownTag));
        }
        Ok(Decoded {
            value_start,
            next: pos + r.position(),
        })
    }

    /// Decodes the full key stored at restart point `i`.
    fn restart_key(&self, i: usize, key: &mut Vec<u8>, path: &str) -> Result<()> {
        key.clear();
        self.decode_at(self.restart(i), key, path).map(|_| ())
    }

    /// The first entry whose key is at or after `target` by [`ikey::compare`], if any.
    ///
    /// Binary-searches the restart points, then scans forward from the last restart whose
    /// key is before `target`; decodes only the entries it passes.
    pub(crate) fn seek(&self, target: &[u8], path: &str) -> Result<Option<Entry>> {
        let mut key = Vec::new();
        let (mut lo, mut hi) = (0, self.restart_count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            self.restart_key(mid, &mut key, path)?;
            if ikey::compare(&key, target) == Ordering::Less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if self.restart_count == 0 {
            return Ok(None);
        }
        let mut pos = self.restart(lo.saturating_sub(1));
        key.clear();
        while pos < self.restarts_start {
            let d = self.decode_at(pos, &mut key, path)?;
            if ikey::compare(&key, target) != Ordering::Less {
                return Ok(Some((key, self.data[d.value_start..d.next].to_vec())));
            }
            pos = d.next;
        }
        Ok(None)
    }

    /// A cursor for [`Block::next_entry`] that starts at or before the first entry whose key
    /// is not `before` (a predicate true for a prefix of the block's keys): at the restart
    /// point preceding it, so at most one restart interval is decoded to skip the rest.
    pub(crate) fn cursor(&self, before: impl Fn(&[u8]) -> bool, path: &str) -> Result<Cursor> {
        let mut key = Vec::new();
        if self.restart_count > 0 && !before(&[]) {
            // Nothing sorts before the empty key: start at the first entry, searching nothing.
            return Ok(Cursor {
                pos: 0,
                key,
                prev: Vec::new(),
                next_restart: 0,
                started: false,
            });
        }
        let (mut lo, mut hi) = (0, self.restart_count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            self.restart_key(mid, &mut key, path)?;
            if before(&key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let restart = lo.saturating_sub(1);
        key.clear();
        Ok(Cursor {
            pos: if self.restart_count == 0 {
                0
            } else {
                self.restart(restart)
            },
            key,
            prev: Vec::new(),
            next_restart: restart,
            started: false,
        })
    }

    /// Decodes the entry at the cursor and advances it; `None` at the end of the block, once
    /// every restart point has been passed. Checks restart placement and strictly increasing
    /// keys along the way, like [`Block::entries`], but copies nothing out.
    pub(crate) fn next_entry<'a>(
        &'a self,
        c: &'a mut Cursor,
        path: &str,
    ) -> Result<Option<(&'a [u8], &'a [u8])>> {
        let bad = |pos: usize, reason| Error::corruption(path, at(self.offset, pos), reason);
        if c.pos >= self.restarts_start {
            if c.next_restart != self.restart_count {
                return Err(bad(c.pos, Corruption::BadRestarts));
            }
            return Ok(None);
        }
        std::mem::swap(&mut c.key, &mut c.prev);
        c.key.clear();
        c.key.extend_from_slice(&c.prev);
        if c.next_restart < self.restart_count && c.pos >= self.restart(c.next_restart) {
            if c.pos != self.restart(c.next_restart) {
                return Err(bad(c.pos, Corruption::BadRestarts));
            }
            c.key.clear();
            c.next_restart += 1;
        }
        let d = self.decode_at(c.pos, &mut c.key, path)?;
        if c.started && ikey::compare(&c.prev, &c.key) != Ordering::Less {
            return Err(bad(c.pos, Corruption::KeysOutOfOrder));
        }
        c.started = true;
        c.pos = d.next;
        Ok(Some((&c.key, &self.data[d.value_start..d.next])))
    }

    /// The key of the entry [`Block::next_entry`] returned last (empty before the first).
    pub(crate) fn cursor_key<'a>(&self, c: &'a Cursor) -> &'a [u8] {
        if c.started {
            &c.key
        } else {
            &[]
        }
    }

    /// Decodes every entry, checking restart placement and strictly increasing keys.
    pub(crate) fn entries(&self, path: &str) -> Result<Vec<Entry>> {
        let mut out: Vec<Entry> = Vec::new();
        let mut key = Vec::new();
        let (mut pos, mut next_restart) = (0, 0);
        while pos < self.restarts_start {
            let bad = |reason| Error::corruption(path, at(self.offset, pos), reason);
            if next_restart < self.restart_count && pos >= self.restart(next_restart) {
                if pos != self.restart(next_restart) {
                    return Err(bad(Corruption::BadRestarts));
                }
                key.clear();
                next_restart += 1;
            }
            let d = self.decode_at(pos, &mut key, path)?;
            if let Some((prev, _)) = out.last() {
                if ikey::compare(prev, &key) != Ordering::Less {
                    return Err(bad(Corruption::KeysOutOfOrder));
                }
            }
            out.push((key.clone(), self.data[d.value_start..d.next].to_vec()));
            pos = d.next;
        }
        if next_restart != self.restart_count {
            return Err(Error::corruption(
                path,
                at(self.offset, pos),
                Corruption::BadRestarts,
            ));
        }
        Ok(out)
    }
}

/// Reads the u32 LE at `pos`; callers have checked `pos + 4 <= data.len()`.
fn read_u32(data: &[u8], pos: usize) -> usize {
    let b = [data[pos], data[pos + 1], data[pos + 2], data[pos + 3]];
    u32::from_le_bytes(b) as usize
}

/// File offset of byte `pos` of a block at `base`, saturating for error reports.
fn at(base: u64, pos: usize) -> u64 {
    base.saturating_add(pos as u64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]
mod tests {
    use super::*;
    use crate::lsm::ikey::ValueKind;
    use proptest::prelude::*;

    fn build(n: usize, interval: usize) -> (Vec<u8>, Vec<Entry>) {
        let mut b = BlockBuilder::new(interval);
        let mut model = Vec::new();
        for i in 0..n {
            let k = ikey::encode(
                format!("key{:05}", i / 2).as_bytes(),
                100 - (i % 2) as u64,
                ValueKind::Put,
            );
            let v = format!("v{i}").into_bytes();
            b.add(&k, &v);
            model.push((k, v));
        }
        (b.finish(), model)
    }

    #[test]
    fn block_round_trip_entries_and_seek_match() {
        for interval in [1, 2, 16] {
            let (bytes, model) = build(100, interval);
            let block = Block::parse(bytes, 0, "t").unwrap();
            assert_eq!(block.entries("t").unwrap(), model);
            for (k, v) in &model {
                assert_eq!(block.seek(k, "t").unwrap(), Some((k.clone(), v.clone())));
            }
            let before = ikey::seek_first(b"a");
            assert_eq!(block.seek(&before, "t").unwrap(), Some(model[0].clone()));
            let after = ikey::seek_first(b"z");
            assert_eq!(block.seek(&after, "t").unwrap(), None);
        }
    }

    #[test]
    fn block_empty_has_no_entries() {
        let mut b = BlockBuilder::new(16);
        let block = Block::parse(b.finish(), 0, "t").unwrap();
        assert!(block.entries("t").unwrap().is_empty());
        assert_eq!(block.seek(b"anything", "t").unwrap(), None);
    }

    #[test]
    fn block_bad_restarts_is_corruption() {
        let (mut bytes, _) = build(40, 4);
        let n = bytes.len();
        bytes[n - 4..].copy_from_slice(&1000u32.to_le_bytes());
        assert!(Block::parse(bytes.clone(), 0, "t")
            .unwrap_err()
            .is_corruption());
        bytes[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Block::parse(bytes, 0, "t").unwrap_err().is_corruption());
        assert!(Block::parse(vec![1, 2], 0, "t")
            .unwrap_err()
            .is_corruption());
    }

    proptest! {
        #[test]
        fn block_arbitrary_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300),
                                              target in proptest::collection::vec(any::<u8>(), 0..20)) {
            if let Ok(block) = Block::parse(data, 0, "t") {
                let _ = block.entries("t");
                let _ = block.seek(&target, "t");
            }
        }

        #[test]
        fn block_flipped_byte_never_panics(idx in any::<usize>(), bit in 0u8..8, target in 0usize..60) {
            let (mut bytes, model) = build(60, 4);
            let i = idx % bytes.len();
            bytes[i] ^= 1 << bit;
            if let Ok(block) = Block::parse(bytes, 0, "t") {
                let _ = block.entries("t");
                let _ = block.seek(&model[target].0, "t");
            }
        }
    }
}
