//! The memtable: a concurrent ordered map of internal keys, bounded by size.
//!
//! One committing thread inserts while any number of readers iterate; crossbeam's skiplist
//! gives readers a lock-free view. Iterators do not borrow the map: they remember the last
//! key they returned and seek past it, so they can be owned (`'static`) and hold an `Arc`.

use crate::lsm::ikey::{self, ValueKind};
use crate::lsm::{Direction, Entry, KeyRange};
use crossbeam_skiplist::SkipMap;
use std::cmp::Ordering as CmpOrdering;
use std::collections::VecDeque;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Per-entry bookkeeping bytes counted toward the memtable size (skiplist node, value box).
const ENTRY_OVERHEAD_BYTES: usize = 64;

/// Internal keys up to this long live inside the skiplist node. A search compares against
/// every node it passes; with the key inline each step costs one cache miss instead of two
/// (node, then key allocation), and lookups build their seek key without allocating.
const INLINE_KEY_BYTES: usize = 38;

/// An internal key ordered by [`ikey::compare`], stored inline when short.
#[derive(Debug, Clone)]
enum MemKey {
    Inline {
        len: u8,
        bytes: [u8; INLINE_KEY_BYTES],
    },
    Heap(Box<[u8]>),
}

impl MemKey {
    /// The internal key for (`user_key`, `seq`, `kind`).
    fn new(user_key: &[u8], seq: u64, kind: ValueKind) -> Self {
        let len = user_key.len() + ikey::TRAILER_LEN;
        match u8::try_from(len) {
            Ok(short) if len <= INLINE_KEY_BYTES => {
                let mut bytes = [0u8; INLINE_KEY_BYTES];
                bytes[..user_key.len()].copy_from_slice(user_key);
                let trailer = ((seq << 8) | kind as u64).to_be_bytes();
                bytes[user_key.len()..len].copy_from_slice(&trailer);
                MemKey::Inline { len: short, bytes }
            }
            _ => MemKey::Heap(ikey::encode(user_key, seq, kind).into_boxed_slice()),
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            MemKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            MemKey::Heap(b) => b,
        }
    }
}

impl PartialEq for MemKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for MemKey {}

impl Ord for MemKey {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        ikey::compare(self.as_slice(), other.as_slice())
    }
}

impl PartialOrd for MemKey {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

/// A shard's in-memory write buffer.
#[derive(Debug)]
pub struct Memtable {
    map: SkipMap<MemKey, Box<[u8]>>,
    size_bytes: AtomicUsize,
    seq_max: AtomicU64,
    /// Global sequence number when this memtable was sealed: every entry of its shard with a
    /// sequence number at or below it lives here or in an older memtable or SSTable.
    sealed_at_seq: AtomicU64,
}

impl Default for Memtable {
    fn default() -> Self {
        Self::new()
    }
}

impl Memtable {
    /// An empty memtable.
    pub fn new() -> Self {
        Memtable {
            map: SkipMap::new(),
            size_bytes: AtomicUsize::new(0),
            seq_max: AtomicU64::new(0),
            sealed_at_seq: AtomicU64::new(0),
        }
    }

    /// Inserts one version. Sequence numbers are unique, so an insert never replaces.
    pub fn insert(&self, user_key: &[u8], seq: u64, kind: ValueKind, value: &[u8]) {
        let added = user_key.len() + ikey::TRAILER_LEN + value.len() + ENTRY_OVERHEAD_BYTES;
        self.map
            .insert(MemKey::new(user_key, seq, kind), Box::from(value));
        self.size_bytes.fetch_add(added, Ordering::Relaxed);
        self.seq_max.fetch_max(seq, Ordering::Relaxed);
    }

    /// Approximate bytes held.
    pub fn size_bytes(&self) -> usize {
        self.size_bytes.load(Ordering::Relaxed)
    }

    /// True if nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of versions held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Largest sequence number inserted (0 if empty).
    pub fn seq_max(&self) -> u64 {
        self.seq_max.load(Ordering::Relaxed)
    }

    /// Records the global sequence number at which the memtable stopped taking writes.
    pub fn seal(&self, seq: u64) {
        self.sealed_at_seq.store(seq, Ordering::Release);
    }

    /// The sequence number recorded by [`Memtable::seal`].
    pub fn sealed_at_seq(&self) -> u64 {
        self.sealed_at_seq.load(Ordering::Acquire)
    }

    /// Newest version of `user_key` with sequence number at or below `seq`.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Option<(u64, ValueKind, Vec<u8>)> {
        // The same key as ikey::seek_at, built without allocating for short keys.
        let seek = MemKey::new(user_key, seq.min(ikey::SEQ_MAX), ValueKind::Put);
        let entry = self.map.lower_bound(Bound::Included(&seek))?;
        let (uk, s, kind) = ikey::decode(entry.key().as_slice())?;
        (uk == user_key).then(|| (s, kind, entry.value().to_vec()))
    }

    /// Every version in `range`, in internal-key order or its reverse.
    pub fn iter(self: &Arc<Self>, range: KeyRange, direction: Direction) -> MemtableIter {
        MemtableIter {
            mem: Arc::clone(self),
            range,
            direction,
            last: None,
            buffer: VecDeque::new(),
            read_ahead: 1,
            done: false,
        }
    }
}

/// Sorts before every version of `user_key` (as [`ikey::seek_first`]).
fn seek_first(user_key: &[u8]) -> MemKey {
    MemKey::new(user_key, ikey::SEQ_MAX, ValueKind::Put)
}

/// Sorts after every version of `user_key` (as [`ikey::seek_last`]).
fn seek_last(user_key: &[u8]) -> MemKey {
    MemKey::new(user_key, 0, ValueKind::Delete)
}

/// Most entries a [`MemtableIter`] copies out per skiplist search. Each search costs a
/// descent through the skiplist (a cache miss per level); walking on from the entry found
/// costs one step per entry. Read-ahead starts at one entry and doubles, so a short scan
/// copies little more than it yields.
const READ_AHEAD_MAX: usize = 128;

/// An owned iterator over a memtable; see [`Memtable::iter`].
///
/// It reads ahead into `buffer`: entries inserted later between buffered ones are missed,
/// which is harmless, because a reader's snapshot was taken before the iterator was made
/// and every entry at or below it was inserted before the snapshot became visible.
#[derive(Debug)]
pub struct MemtableIter {
    mem: Arc<Memtable>,
    range: KeyRange,
    direction: Direction,
    last: Option<MemKey>,
    buffer: VecDeque<Entry>,
    read_ahead: usize,
    done: bool,
}

impl MemtableIter {
    /// Copies the next entries (up to `read_ahead`) into the buffer; sets `done` at the end
    /// of the range or the map.
    fn refill(&mut self) {
        let mem = Arc::clone(&self.mem);
        let Some(mut entry) = first_candidate(&mem.map, self.direction, &self.last, &self.range)
        else {
            self.done = true;
            return;
        };
        loop {
            let uk = ikey::user_key(entry.key().as_slice());
            let inside = match self.direction {
                Direction::Forward => self.range.below_end(uk),
                Direction::Reverse => self.range.above_start(uk),
            };
            if !inside {
                self.done = true;
                break;
            }
            let key = entry.key().as_slice().to_vec();
            self.buffer.push_back((key, entry.value().to_vec()));
            if self.buffer.len() >= self.read_ahead {
                self.last = Some(entry.key().clone());
                self.read_ahead = (self.read_ahead * 2).min(READ_AHEAD_MAX);
                break;
            }
            let step = match self.direction {
                Direction::Forward => entry.next(),
                Direction::Reverse => entry.prev(),
            };
            match step {
                Some(next) => entry = next,
                None => {
                    self.done = true;
                    break;
                }
            }
        }
    }
}

/// The first entry at or after (`Forward`) or at or before (`Reverse`) the iterator's
/// position: past `last` if set, else at the start of `range`.
fn first_candidate<'a>(
    map: &'a SkipMap<MemKey, Box<[u8]>>,
    direction: Direction,
    last: &Option<MemKey>,
    range: &KeyRange,
) -> Option<crossbeam_skiplist::map::Entry<'a, MemKey, Box<[u8]>>> {
    match (direction, last) {
        (Direction::Forward, Some(last)) => map.lower_bound(Bound::Excluded(last)),
        (Direction::Reverse, Some(last)) => map.upper_bound(Bound::Excluded(last)),
        (Direction::Forward, None) => match &range.start {
            Bound::Included(s) => map.lower_bound(Bound::Included(&seek_first(s))),
            Bound::Excluded(s) => map.lower_bound(Bound::Excluded(&seek_last(s))),
            Bound::Unbounded => map.front(),
        },
        (Direction::Reverse, None) => match &range.end {
            Bound::Included(e) => map.upper_bound(Bound::Included(&seek_last(e))),
            Bound::Excluded(e) => map.upper_bound(Bound::Excluded(&seek_first(e))),
            Bound::Unbounded => map.back(),
        },
    }
}

impl Iterator for MemtableIter {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        if self.buffer.is_empty() && !self.done {
            self.refill();
        }
        self.buffer.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> Arc<Memtable> {
        let m = Arc::new(Memtable::new());
        m.insert(b"a", 1, ValueKind::Put, b"a1");
        m.insert(b"b", 2, ValueKind::Put, b"b2");
        m.insert(b"b", 5, ValueKind::Delete, b"");
        m.insert(b"c", 3, ValueKind::Put, b"c3");
        m
    }

    #[test]
    fn memtable_get_sees_newest_version_at_or_below_seq() {
        let m = filled();
        assert_eq!(m.get(b"b", 10), Some((5, ValueKind::Delete, vec![])));
        assert_eq!(m.get(b"b", 4), Some((2, ValueKind::Put, b"b2".to_vec())));
        assert_eq!(m.get(b"b", 1), None);
        assert_eq!(m.get(b"d", 10), None);
        assert_eq!(m.seq_max(), 5);
    }

    #[test]
    fn memtable_long_and_short_keys_order_together() {
        let m = Arc::new(Memtable::new());
        let long = [b'b'; 64];
        m.insert(&long, 1, ValueKind::Put, b"long");
        m.insert(b"b", 2, ValueKind::Put, b"short");
        m.insert(b"c", 3, ValueKind::Put, b"c");
        assert_eq!(m.get(&long, 9), Some((1, ValueKind::Put, b"long".to_vec())));
        assert_eq!(m.get(&long[..63], 9), None);
        let keys: Vec<Vec<u8>> = m
            .iter(KeyRange::all(), Direction::Forward)
            .map(|(k, _)| ikey::user_key(&k).to_vec())
            .collect();
        assert_eq!(keys, vec![b"b".to_vec(), long.to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn memtable_iter_both_directions_respect_bounds() {
        let m = filled();
        let keys = |r: KeyRange, d| -> Vec<(Vec<u8>, u64)> {
            m.iter(r, d)
                .map(|(k, _)| {
                    let (uk, s, _) = ikey::decode(&k).unwrap();
                    (uk.to_vec(), s)
                })
                .collect()
        };
        let all = keys(KeyRange::all(), Direction::Forward);
        assert_eq!(
            all,
            vec![
                (b"a".to_vec(), 1),
                (b"b".to_vec(), 5),
                (b"b".to_vec(), 2),
                (b"c".to_vec(), 3)
            ]
        );
        let mut rev = keys(KeyRange::all(), Direction::Reverse);
        rev.reverse();
        assert_eq!(rev, all);
        let r = KeyRange::new(Bound::Excluded(b"a"), Bound::Excluded(b"c"));
        assert_eq!(keys(r.clone(), Direction::Forward).len(), 2);
        assert_eq!(
            keys(r, Direction::Reverse),
            vec![(b"b".to_vec(), 2), (b"b".to_vec(), 5)]
        );
        let r = KeyRange::new(Bound::Included(b"b"), Bound::Included(b"b"));
        assert_eq!(keys(r, Direction::Reverse).len(), 2);
    }
}
