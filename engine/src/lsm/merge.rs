//! K-way merge of sorted sources and MVCC visibility.
//!
//! [`MergeIter`] merges sources that each yield entries in internal-key order (or all in its
//! reverse) into one stream with every version. [`VisibleIter`] turns that stream into what a
//! reader at one sequence number sees: per user key, the newest version at or below the
//! snapshot, with deletions hidden.

use crate::lsm::ikey::{self, ValueKind};
use crate::lsm::{Direction, Entry};
use crate::Result;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A sorted stream of entries from one memtable, table or level.
pub type Source = Box<dyn Iterator<Item = Result<Entry>> + Send>;

struct Head {
    entry: Entry,
    source: usize,
    direction: Direction,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    /// BinaryHeap is a max-heap: the entry to emit next must compare greatest.
    fn cmp(&self, other: &Self) -> Ordering {
        let by_key = ikey::compare(&self.entry.0, &other.entry.0);
        let by_key = match self.direction {
            Direction::Forward => by_key.reverse(),
            Direction::Reverse => by_key,
        };
        // Equal keys cannot come from one source; prefer the lower (newer) source index.
        by_key.then_with(|| other.source.cmp(&self.source))
    }
}

/// Merges sources into one stream of every version, in `direction` order.
pub struct MergeIter {
    sources: Vec<Source>,
    heap: BinaryHeap<Head>,
    direction: Direction,
    started: bool,
    failed: bool,
}

impl MergeIter {
    /// Merges `sources`; earlier sources win ties (they must be newer).
    pub fn new(sources: Vec<Source>, direction: Direction) -> Self {
        let heap = BinaryHeap::with_capacity(sources.len());
        MergeIter {
            sources,
            heap,
            direction,
            started: false,
            failed: false,
        }
    }

    fn pull(&mut self, source: usize) -> Result<()> {
        if let Some(next) = self.sources[source].next() {
            self.heap.push(Head {
                entry: next?,
                source,
                direction: self.direction,
            });
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Option<Entry>> {
        if !self.started {
            self.started = true;
            for i in 0..self.sources.len() {
                self.pull(i)?;
            }
        }
        let Some(head) = self.heap.pop() else {
            return Ok(None);
        };
        self.pull(head.source)?;
        Ok(Some(head.entry))
    }
}

impl Iterator for MergeIter {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        if self.failed {
            return None;
        }
        match self.step() {
            Ok(e) => e.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Reverse iteration's key being gathered, with its best visible version so far.
type Pending = (Vec<u8>, Option<(ValueKind, Vec<u8>)>);

/// What a reader at sequence number `seq` sees of a merged stream: (user key, value) pairs.
pub struct VisibleIter<I> {
    inner: I,
    seq: u64,
    direction: Direction,
    /// Forward: the user key whose visible version was already decided.
    last_user_key: Option<Vec<u8>>,
    /// Reverse: the user key being gathered and its best version so far.
    pending: Option<Pending>,
    done: bool,
}

impl<I: Iterator<Item = Result<Entry>>> VisibleIter<I> {
    /// Filters `inner` (which runs in `direction`) for a reader at `seq`.
    pub fn new(inner: I, seq: u64, direction: Direction) -> Self {
        VisibleIter {
            inner,
            seq,
            direction,
            last_user_key: None,
            pending: None,
            done: false,
        }
    }

    fn next_forward(&mut self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        for entry in self.inner.by_ref() {
            let (mut ikey, value) = entry?;
            let Some((uk, seq, kind)) = ikey::decode(&ikey) else {
                continue;
            };
            if seq > self.seq || self.last_user_key.as_deref() == Some(uk) {
                continue;
            }
            // Reuse the buffer: a scan decides one user key per step.
            let last = self.last_user_key.get_or_insert_with(Vec::new);
            last.clear();
            last.extend_from_slice(uk);
            if kind == ValueKind::Put {
                // The user key is the internal key without its trailer: no new allocation.
                ikey.truncate(ikey.len() - ikey::TRAILER_LEN);
                return Ok(Some((ikey, value)));
            }
        }
        Ok(None)
    }

    /// In reverse, versions of one user key arrive oldest first: gather them, keep the newest
    /// at or below the snapshot, and emit once the user key changes.
    fn next_reverse(&mut self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        loop {
            let Some(entry) = self.inner.next() else {
                return Ok(self.pending.take().and_then(Self::visible));
            };
            let (ikey, value) = entry?;
            let Some((uk, seq, kind)) = ikey::decode(&ikey) else {
                continue;
            };
            let same = matches!(&self.pending, Some((p, _)) if p.as_slice() == uk);
            let mut emitted = None;
            if !same {
                emitted = self.pending.take().and_then(Self::visible);
                self.pending = Some((uk.to_vec(), None));
            }
            if seq <= self.seq {
                if let Some((_, best)) = &mut self.pending {
                    *best = Some((kind, value));
                }
            }
            if emitted.is_some() {
                return Ok(emitted);
            }
        }
    }

    fn visible(pending: Pending) -> Option<(Vec<u8>, Vec<u8>)> {
        match pending {
            (uk, Some((ValueKind::Put, v))) => Some((uk, v)),
            _ => None,
        }
    }
}

impl<I: Iterator<Item = Result<Entry>>> Iterator for VisibleIter<I> {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = match self.direction {
            Direction::Forward => self.next_forward(),
            Direction::Reverse => self.next_reverse(),
        };
        match r {
            Ok(Some(kv)) => Some(Ok(kv)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(entries: &[(&[u8], u64, ValueKind, &[u8])], dir: Direction) -> Source {
        let mut v: Vec<Entry> = entries
            .iter()
            .map(|(k, s, kind, val)| (ikey::encode(k, *s, *kind), val.to_vec()))
            .collect();
        v.sort_by(|a, b| ikey::compare(&a.0, &b.0));
        if dir == Direction::Reverse {
            v.reverse();
        }
        Box::new(v.into_iter().map(Ok))
    }

    fn visible(seq: u64, dir: Direction) -> Vec<(Vec<u8>, Vec<u8>)> {
        use ValueKind::*;
        let a = src(
            &[
                (b"a", 1, Put, b"a1"),
                (b"b", 4, Delete, b""),
                (b"c", 6, Put, b"c6"),
            ],
            dir,
        );
        let b = src(
            &[
                (b"a", 3, Put, b"a3"),
                (b"b", 2, Put, b"b2"),
                (b"d", 5, Put, b"d5"),
            ],
            dir,
        );
        VisibleIter::new(MergeIter::new(vec![a, b], dir), seq, dir)
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn visible_iter_both_directions_agree_at_every_seq() {
        for seq in 0..8 {
            let fwd = visible(seq, Direction::Forward);
            let mut rev = visible(seq, Direction::Reverse);
            rev.reverse();
            assert_eq!(fwd, rev, "seq {seq}");
        }
        let at3 = visible(3, Direction::Forward);
        assert_eq!(
            at3,
            vec![
                (b"a".to_vec(), b"a3".to_vec()),
                (b"b".to_vec(), b"b2".to_vec())
            ]
        );
        let at9 = visible(9, Direction::Forward);
        assert_eq!(at9.len(), 3);
        assert_eq!(at9[0].1, b"a3");
    }
}
