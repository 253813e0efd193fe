//! One shard's tree: its active memtable, immutable memtables waiting for flush, and the
//! current version of its table files.
//!
//! **Invariant**: sources are ordered newest to oldest (active, immutables newest first, L0
//! newest first, L1, L2, ...) and a newer source only holds newer versions of a key than an
//! older one, so a point read may stop at the first source that has any visible version.

use crate::lsm::ikey::ValueKind;
use crate::lsm::memtable::Memtable;
use crate::lsm::merge::{MergeIter, Source, VisibleIter};
use crate::lsm::version::Version;
use crate::lsm::{Direction, KeyRange};
use crate::sync::{self, AtomicBool, AtomicU64, Ordering, RwLock};
use crate::Result;
use std::sync::Arc;

/// The parts of a tree that change together, swapped under one lock.
#[derive(Debug, Clone)]
pub struct TreeState {
    /// Memtable taking writes.
    pub active: Arc<Memtable>,
    /// Sealed memtables, oldest first, waiting to be flushed.
    pub immutables: Vec<Arc<Memtable>>,
    /// Current table files.
    pub version: Arc<Version>,
}

/// One shard's LSM tree.
#[derive(Debug)]
pub struct Tree {
    /// Shard number.
    pub id: usize,
    state: RwLock<TreeState>,
    /// Sequence number up to which this shard's writes are all in table files (persisted in
    /// the manifest); WAL records at or below it need not be replayed into this shard.
    pub flushed_seq: AtomicU64,
    /// Set while a flush of this shard runs (flushes of one shard run one at a time, oldest
    /// memtable first, so `flushed_seq` only moves forward).
    pub flushing: AtomicBool,
    /// Set while a compaction of this shard runs.
    pub compacting: AtomicBool,
}

impl Tree {
    /// A tree with `version` and an empty memtable.
    pub fn new(id: usize, version: Version, flushed_seq: u64) -> Self {
        Tree {
            id,
            state: RwLock::new(TreeState {
                active: Arc::new(Memtable::new()),
                immutables: Vec::new(),
                version: Arc::new(version),
            }),
            flushed_seq: AtomicU64::new(flushed_seq),
            flushing: AtomicBool::new(false),
            compacting: AtomicBool::new(false),
        }
    }

    /// A consistent copy of the state (cheap: `Arc` clones).
    pub fn state(&self) -> TreeState {
        sync::read(&self.state).clone()
    }

    /// The memtable taking writes.
    pub fn active(&self) -> Arc<Memtable> {
        Arc::clone(&sync::read(&self.state).active)
    }

    /// Seals the active memtable at `seq` and starts a new one; returns the number of
    /// immutable memtables now waiting.
    pub fn rotate(&self, seq: u64) -> usize {
        let mut st = sync::write(&self.state);
        if st.active.is_empty() {
            return st.immutables.len();
        }
        st.active.seal(seq);
        let sealed = std::mem::replace(&mut st.active, Arc::new(Memtable::new()));
        st.immutables.push(sealed);
        st.immutables.len()
    }

    /// Replaces the version, and drops the oldest immutable memtable if `flushed` is set
    /// (the flush that produced the new version wrote it out).
    pub fn install(&self, version: Version, flushed: bool) {
        let mut st = sync::write(&self.state);
        st.version = Arc::new(version);
        if flushed && !st.immutables.is_empty() {
            st.immutables.remove(0);
        }
    }

    /// Applies `f` to the current version and installs the result atomically.
    pub fn update_version(&self, f: impl FnOnce(&Version) -> Version, flushed: bool) {
        let mut st = sync::write(&self.state);
        st.version = Arc::new(f(&st.version));
        if flushed && !st.immutables.is_empty() {
            st.immutables.remove(0);
        }
    }

    /// True if the tree holds no unflushed writes.
    pub fn is_fully_flushed(&self) -> bool {
        let st = sync::read(&self.state);
        st.active.is_empty() && st.immutables.is_empty()
    }

    /// Newest value of `user_key` visible at `seq`; `None` if absent or deleted.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Result<Option<Vec<u8>>> {
        // Memtable reads are short and never block, so they run under the read lock; only the
        // version (whose reads may do I/O) is cloned out, and no Vec of memtables is built.
        let version = {
            let st = sync::read(&self.state);
            let mems = std::iter::once(&st.active).chain(st.immutables.iter().rev());
            for mem in mems.filter(|m| !m.is_empty()) {
                if let Some((_, kind, value)) = mem.get(user_key, seq) {
                    return Ok((kind == ValueKind::Put).then_some(value));
                }
            }
            Arc::clone(&st.version)
        };
        Ok(match version.get(user_key, seq)? {
            Some((_, ValueKind::Put, value)) => Some(value),
            _ => None,
        })
    }

    /// The (user key, value) pairs visible at `seq` in `range`, in `direction` order.
    pub fn range(&self, range: KeyRange, direction: Direction, seq: u64) -> RangeIter {
        // Creating the sources does no I/O (tables are read on the first `next`), so it
        // runs under the read lock rather than on a cloned state.
        let st = sync::read(&self.state);
        let mut sources: Vec<Source> = Vec::new();
        for mem in std::iter::once(&st.active).chain(st.immutables.iter().rev()) {
            if !mem.is_empty() {
                sources.push(Box::new(mem.iter(range.clone(), direction).map(Ok)));
            }
        }
        sources.extend(st.version.sources(&range, direction));
        drop(st);
        RangeIter {
            inner: VisibleIter::new(MergeIter::new(sources, direction), seq, direction),
        }
    }

    /// Whether writers must wait: too many immutable memtables or level-0 files.
    pub fn must_stall(&self, immutables_max: usize, l0_stop: usize) -> bool {
        let st = sync::read(&self.state);
        st.immutables.len() >= immutables_max || st.version.levels[0].len() >= l0_stop
    }

    /// Sequence number up to which this shard is persisted in table files.
    pub fn flushed_seq(&self) -> u64 {
        self.flushed_seq.load(Ordering::Acquire)
    }
}

/// Iterator over what a reader sees in one shard's key range.
pub struct RangeIter {
    inner: VisibleIter<MergeIter>,
}

impl Iterator for RangeIter {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::lsm::ikey::ValueKind;
    use loom::sync::atomic::{AtomicBool, Ordering};
    use loom::sync::Arc;

    /// A write inserted before a memtable switch stays readable through and after it: a
    /// reader sees the key in the active memtable or in the sealed one, never in neither.
    #[test]
    fn memtable_switch_loom_inserted_key_never_disappears() {
        loom::model(|| {
            let tree = Arc::new(Tree::new(0, Version::default(), 0));
            let inserted = Arc::new(AtomicBool::new(false));
            let writer = {
                let (tree, inserted) = (Arc::clone(&tree), Arc::clone(&inserted));
                loom::thread::spawn(move || {
                    tree.active().insert(b"k", 1, ValueKind::Put, b"v");
                    inserted.store(true, Ordering::Release);
                    tree.rotate(1);
                    tree.active().insert(b"k", 2, ValueKind::Put, b"w");
                })
            };
            if inserted.load(Ordering::Acquire) {
                let v = tree.get(b"k", 1).unwrap();
                assert_eq!(v, Some(b"v".to_vec()));
            }
            writer.join().unwrap();
            assert_eq!(tree.get(b"k", 1).unwrap(), Some(b"v".to_vec()));
            assert_eq!(tree.get(b"k", 2).unwrap(), Some(b"w".to_vec()));
            assert_eq!(tree.state().immutables.len(), 1);
        });
    }
}
