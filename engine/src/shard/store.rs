//! [`Store`]: the public face of the engine, its write path and its reads.

use super::batch::WriteBatch;
use super::commit::GroupCommit;
use super::router;
use crate::io::Storage;
use crate::limits::LEVEL_COUNT;
use crate::lsm::config::{Config, Durability};
use crate::lsm::manifest::{ManifestState, ManifestWriter};
use crate::lsm::memtable::Memtable;
use crate::lsm::sstable::{BlockCache, TableOptions};
use crate::lsm::stats::{Counters, Stats};
use crate::lsm::tree::{RangeIter, Tree};
use crate::lsm::wal::WalWriter;
use crate::lsm::{Direction, KeyRange};
use crate::sync::{self, Condvar, Mutex};
use crate::{Error, Result};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most bytes one group commit carries: big enough to amortize a sync over many writers,
/// small enough that the first writer in a group is not kept waiting for the last.
pub(crate) const GROUP_BYTES_MAX: usize = 4 << 20;

/// Closed WAL segments kept waiting for flushes before the shards pinning the oldest one
/// are made to flush (see `Inner::release_oldest_segment`): with 64 MiB segments, about
/// half a GiB of log at most, however many shards there are.
const WAL_CLOSED_SEGMENTS_MAX: usize = 8;

/// The WAL writer and the closed segments still needed for recovery.
pub(crate) struct WalState {
    pub writer: WalWriter,
    /// Closed segments, oldest first: (segment number, largest sequence number in it).
    pub closed: VecDeque<(u64, u64)>,
    /// Largest sequence number written to the current segment.
    pub seq_max: u64,
    /// Bytes written since the last sync (the interval syncer skips clean logs).
    pub dirty: bool,
}

/// The live manifest and the state it describes.
pub(crate) struct ManifestSlot {
    pub writer: ManifestWriter,
    pub state: ManifestState,
}

/// Everything the store's threads share.
pub(crate) struct Inner {
    pub config: Config,
    pub storage: Arc<dyn Storage>,
    pub trees: Vec<Tree>,
    pub commit: GroupCommit<WriteBatch, Result<u64>>,
    pub wal: Mutex<WalState>,
    pub manifest: Mutex<ManifestSlot>,
    /// Largest sequence number assigned (written to the WAL).
    pub last_seq: AtomicU64,
    /// Largest sequence number whose batch is fully applied: reads see up to here.
    pub visible_seq: AtomicU64,
    pub next_file_number: AtomicU64,
    pub cache: Arc<BlockCache>,
    pub table_options: TableOptions,
    /// Registered snapshots: sequence number -> how many handles hold it.
    pub snapshots: Mutex<BTreeMap<u64, usize>>,
    pub poison: Mutex<Option<&'static str>>,
    /// Background work signalling: workers wait for jobs, writers wait for room.
    pub bg_lock: Mutex<()>,
    pub bg_cv: Condvar,
    pub shutdown: AtomicBool,
    /// Set while background jobs fail for lack of space, so waiters report it, not hang.
    pub bg_disk_full: AtomicBool,
    /// Background jobs that failed for lack of space so far. A waiter gives up only on a
    /// failure newer than its wait: space may have returned since the flag was set.
    pub bg_disk_full_count: AtomicU64,
    pub counters: Counters,
    /// Per shard and level: the last key compacted, for round-robin file choice.
    pub cursors: Mutex<Vec<Vec<Vec<u8>>>>,
}

impl Inner {
    /// Fails fast if an earlier fsync or background failure poisoned the engine.
    pub fn check_poison(&self) -> Result<()> {
        match *sync::lock(&self.poison) {
            Some(cause) => Err(Error::Poisoned { cause }),
            None => Ok(()),
        }
    }

    /// Poisons the engine: writes fail from now on.
    pub fn set_poison(&self, cause: &'static str) {
        let mut p = sync::lock(&self.poison);
        if p.is_none() {
            log::error!("engine poisoned by failed {cause}; writes are refused until reopened");
            *p = Some(cause);
        }
        drop(p);
        self.wake_all();
    }

    /// Wakes background workers and stalled writers.
    pub fn wake_all(&self) {
        let _g = sync::lock(&self.bg_lock);
        self.bg_cv.notify_all();
    }

    /// Sequence numbers some reader may still read at, ascending.
    pub fn live_snapshots(&self) -> Vec<u64> {
        let mut v: Vec<u64> = sync::lock(&self.snapshots).keys().copied().collect();
        v.push(self.visible_seq.load(Ordering::Acquire));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Appends a manifest edit (rolling the manifest over when it grows large). A failure
    /// poisons the engine.
    pub fn log_edit(&self, edit: &crate::lsm::manifest::VersionEdit) -> Result<()> {
        let mut slot = sync::lock(&self.manifest);
        let result = slot.writer.append(edit).and_then(|()| {
            slot.state.apply(edit).ok_or_else(|| {
                Error::corruption("manifest edit", 0, crate::error::Corruption::BadRecord)
            })?;
            if slot.writer.size_bytes() > super::open::MANIFEST_ROLL_BYTES {
                let number = self.next_file_number.fetch_add(1, Ordering::SeqCst);
                let old = slot.writer.number();
                slot.writer = ManifestWriter::create(&self.storage, number, &slot.state)?;
                super::open::remove_quietly(&*self.storage, &crate::lsm::manifest::file_name(old));
            }
            Ok(())
        });
        // A full disk fails the edit cleanly (the writer cut its partial record off): the
        // flush or compaction backs off and retries. Any other failure leaves the manifest's
        // durable state unknown.
        if let Err(e) = &result {
            if !matches!(e, Error::DiskFull { .. }) {
                self.set_poison("manifest write");
            }
        }
        result
    }

    /// True if a background job failed for lack of space after `failures_before` was read
    /// and none has succeeded since.
    pub fn disk_full_since(&self, failures_before: u64) -> bool {
        self.bg_disk_full.load(Ordering::Acquire)
            && self.bg_disk_full_count.load(Ordering::Acquire) > failures_before
    }

    /// Waits until no shard needs writers to stall, or fails after the configured bound.
    fn wait_for_room(&self) -> Result<()> {
        let c = &self.config;
        let stalled = || {
            self.trees
                .iter()
                .any(|t| t.must_stall(c.immutable_memtables_max, c.l0_stop_writes_trigger))
        };
        if !stalled() {
            return Ok(());
        }
        let start = Instant::now();
        let limit = Duration::from_millis(c.write_stall_max_ms);
        let failures_before = self.bg_disk_full_count.load(Ordering::Acquire);
        let mut guard = sync::lock(&self.bg_lock);
        let result = loop {
            self.check_poison()?;
            if !stalled() {
                break Ok(());
            }
            if self.disk_full_since(failures_before) {
                // The flush this write waits for cannot finish until space returns.
                break Err(Error::DiskFull {
                    path: "background flush output".into(),
                });
            }
            let waited = start.elapsed();
            if waited >= limit {
                break Err(Error::WriteStall {
                    waited_ms: waited.as_millis() as u64,
                });
            }
            self.bg_cv.notify_all();
            guard = match self.bg_cv.wait_timeout(guard, Duration::from_millis(50)) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        };
        drop(guard);
        Counters::add(&self.counters.stalls, 1);
        Counters::add(
            &self.counters.stall_micros,
            start.elapsed().as_micros() as u64,
        );
        result
    }

    /// The leader's work for one group: WAL append, sync, memtable inserts, publish.
    pub fn commit_group(&self, batches: Vec<WriteBatch>) -> Vec<Result<u64>> {
        let n = batches.len();
        let fail_all = |e: Error| -> Vec<Result<u64>> {
            let mut out = Vec::with_capacity(n);
            for _ in 1..n {
                out.push(Err(duplicate(&e)));
            }
            out.push(Err(e));
            out
        };
        if let Err(e) = self.check_poison().and_then(|()| self.wait_for_room()) {
            return fail_all(e);
        }
        let mut wal = sync::lock(&self.wal);
        let shard_count = self.trees.len();
        let first = self.last_seq.load(Ordering::Acquire) + 1;
        let mut seq = first;
        // Every payload of the group goes into one buffer: one allocation per group.
        let mut encoded = Vec::with_capacity(batches.iter().map(|b| b.size_bytes() + 16).sum());
        let mut spans = Vec::with_capacity(n);
        let mut ends = Vec::with_capacity(n);
        for b in &batches {
            if !b.is_empty() {
                let start = encoded.len();
                b.encode_into(&mut encoded, seq, shard_count);
                spans.push(start..encoded.len());
                seq += b.len() as u64;
            }
            ends.push(seq - 1);
        }
        let last = seq - 1;
        if !spans.is_empty() {
            let payloads: Vec<&[u8]> = spans.iter().map(|r| &encoded[r.clone()]).collect();
            if let Err(e) = self.append_and_sync(&mut wal, &payloads) {
                return fail_all(e);
            }
        }
        // Assigned before the memtables see the group: a flush of a memtable sealed inside
        // apply() must find last_seq at or above everything in it.
        self.last_seq.store(last, Ordering::Release);
        wal.seq_max = wal.seq_max.max(last);
        self.apply(&batches, first, last);
        self.visible_seq.store(last, Ordering::Release);
        if wal.writer.size_bytes() >= self.config.wal_segment_size_bytes {
            if let Err(e) = self.roll_wal(&mut wal) {
                log::error!("could not start a new WAL segment: {e}");
            }
        }
        drop(wal);
        let user: u64 = batches.iter().map(WriteBatch::user_bytes).sum();
        Counters::add(&self.counters.user_bytes, user);
        Counters::add(&self.counters.writes, n as u64);
        ends.into_iter().map(Ok).collect()
    }

    fn append_and_sync(&self, wal: &mut WalState, payloads: &[&[u8]]) -> Result<()> {
        let before = wal.writer.size_bytes();
        if let Err(e) = wal.writer.append(payloads) {
            if !matches!(e, Error::DiskFull { .. }) {
                self.set_poison("WAL write");
            }
            return Err(e);
        }
        wal.dirty = true;
        Counters::add(&self.counters.wal_bytes, wal.writer.size_bytes() - before);
        if self.config.durability == Durability::Sync {
            if let Err(e) = wal.writer.sync() {
                self.set_poison("WAL sync");
                return Err(e);
            }
            wal.dirty = false;
            Counters::add(&self.counters.wal_syncs, 1);
        }
        Ok(())
    }

    /// Inserts the group's operations and rotates memtables that filled up.
    fn apply(&self, batches: &[WriteBatch], first: u64, last: u64) {
        let actives: Vec<Arc<Memtable>> = self.trees.iter().map(Tree::active).collect();
        let mut touched = vec![false; self.trees.len()];
        let mut seq = first;
        for b in batches {
            for (shard, kind, key, value) in b.routed(self.trees.len()) {
                actives[shard].insert(key, seq, kind, value);
                touched[shard] = true;
                seq += 1;
            }
        }
        debug_assert_eq!(seq, last + 1);
        let mut rotated = false;
        for (shard, t) in touched.iter().enumerate() {
            if *t && actives[shard].size_bytes() >= self.config.memtable_size_bytes {
                self.trees[shard].rotate(last);
                rotated = true;
            }
        }
        if rotated {
            self.wake_all();
        }
    }

    /// Closes the current WAL segment (synced, so only the newest segment can be torn) and
    /// starts the next.
    pub fn roll_wal(&self, wal: &mut WalState) -> Result<()> {
        if let Err(e) = wal.writer.sync() {
            self.set_poison("WAL sync");
            return Err(e);
        }
        wal.dirty = false;
        let number = wal.writer.segment_number() + 1;
        let next = WalWriter::create(&self.storage, number)?;
        let old = std::mem::replace(&mut wal.writer, next);
        wal.closed.push_back((old.segment_number(), wal.seq_max));
        self.release_oldest_segment(wal);
        Ok(())
    }

    /// Bounds WAL retention: once more than `WAL_CLOSED_SEGMENTS_MAX` closed segments wait
    /// for flushes, seals the memtables of the shards still holding the oldest one, so a
    /// shard that rarely fills its memtable cannot keep the log growing. Runs under the WAL
    /// lock, which excludes the leader's inserts.
    fn release_oldest_segment(&self, wal: &WalState) {
        if wal.closed.len() <= WAL_CLOSED_SEGMENTS_MAX {
            return;
        }
        let Some(&(_, oldest_seq_max)) = wal.closed.front() else {
            return;
        };
        let seq = self.last_seq.load(Ordering::Acquire);
        let mut sealed = false;
        for tree in &self.trees {
            if tree.flushed_seq() < oldest_seq_max && !tree.active().is_empty() {
                tree.rotate(seq);
                sealed = true;
            }
        }
        if sealed {
            self.wake_all();
        }
    }

    /// Seals every non-empty active memtable so background workers flush it.
    pub fn rotate_all(&self) {
        // The WAL lock excludes a concurrent leader: no insert races the seal.
        let _wal = sync::lock(&self.wal);
        let seq = self.last_seq.load(Ordering::Acquire);
        for t in &self.trees {
            t.rotate(seq);
        }
        drop(_wal);
        self.wake_all();
    }
}

/// Rebuilds an error for another writer of the same failed group.
fn duplicate(e: &Error) -> Error {
    match e {
        Error::DiskFull { path } => Error::DiskFull { path: path.clone() },
        Error::Poisoned { cause } => Error::Poisoned { cause },
        Error::WriteStall { waited_ms } => Error::WriteStall {
            waited_ms: *waited_ms,
        },
        Error::Io { op, path, source } => Error::Io {
            op,
            path: path.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        other => Error::Io {
            op: "group commit",
            path: String::new(),
            source: std::io::Error::other(other.to_string()),
        },
    }
}

/// A sharded, durable, ordered key-value store. See the crate docs for an example.
///
/// Cheap operations take `&self`; the store is `Send + Sync` and meant to be shared.
pub struct Store {
    pub(crate) inner: Arc<Inner>,
    pub(crate) threads: Mutex<Vec<JoinHandle<()>>>,
    pub(crate) _lock: Option<std::fs::File>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A consistent view of the store at one sequence number. Reads through it see exactly the
/// writes acknowledged before it was taken, however much is written or compacted since.
pub struct Snapshot {
    seq: u64,
    inner: Arc<Inner>,
}

impl Snapshot {
    /// The sequence number the snapshot reads at.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let mut snaps = sync::lock(&self.inner.snapshots);
        if let Some(n) = snaps.get_mut(&self.seq) {
            *n -= 1;
            if *n == 0 {
                snaps.remove(&self.seq);
            }
        }
    }
}

impl Store {
    /// Opens (or creates) the store `config` describes, recovering from the WAL.
    pub fn open(config: Config) -> Result<Store> {
        super::open::open(config)
    }

    /// Applies `batch` atomically and durably (per the configured [`Durability`]); returns
    /// the sequence number of its last operation.
    pub fn write(&self, batch: WriteBatch) -> Result<u64> {
        batch.validate()?;
        let inner = &self.inner;
        inner.check_poison()?;
        if inner.shutdown.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        inner
            .commit
            .submit(batch, |b| b.size_bytes(), |group| inner.commit_group(group))
    }

    /// Sets one key (a batch of one).
    pub fn put(&self, partition: &[u8], key: &[u8], value: &[u8]) -> Result<u64> {
        let mut b = WriteBatch::new();
        b.put(partition, key, value);
        self.write(b)
    }

    /// Deletes one key (a batch of one).
    pub fn delete(&self, partition: &[u8], key: &[u8]) -> Result<u64> {
        let mut b = WriteBatch::new();
        b.delete(partition, key);
        self.write(b)
    }

    /// The value of `key` in the shard of `partition`, as of now.
    pub fn get(&self, partition: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>> {
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        self.inner.trees[self.shard_for(partition)].get(key, seq)
    }

    /// The value of `key` as of `snapshot`.
    pub fn get_at(
        &self,
        snapshot: &Snapshot,
        partition: &[u8],
        key: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        self.inner.trees[self.shard_for(partition)].get(key, snapshot.seq)
    }

    /// Keys of `range` in the shard of `partition`, in `direction` order, as of now.
    pub fn range(&self, partition: &[u8], range: KeyRange, direction: Direction) -> RangeIter {
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        self.inner.trees[self.shard_for(partition)].range(range, direction, seq)
    }

    /// Keys of `range` in shard `shard`, as of `snapshot` (or now). Scans walk every shard.
    pub fn shard_range(
        &self,
        shard: usize,
        range: KeyRange,
        direction: Direction,
        snapshot: Option<&Snapshot>,
    ) -> Result<RangeIter> {
        let tree = self.inner.trees.get(shard).ok_or(Error::InvalidConfig {
            field: "shard",
            reason: "is not below the shard count",
        })?;
        let seq = match snapshot {
            Some(s) => s.seq,
            None => self.inner.visible_seq.load(Ordering::Acquire),
        };
        Ok(tree.range(range, direction, seq))
    }

    /// Takes a snapshot of the store as of now.
    pub fn snapshot(&self) -> Snapshot {
        let mut snaps = sync::lock(&self.inner.snapshots);
        // Read under the registry lock so a compaction cannot miss this snapshot.
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        *snaps.entry(seq).or_insert(0) += 1;
        Snapshot {
            seq,
            inner: Arc::clone(&self.inner),
        }
    }

    /// Number of shards.
    pub fn shard_count(&self) -> usize {
        self.inner.trees.len()
    }

    /// The shard holding `partition`.
    pub fn shard_for(&self, partition: &[u8]) -> usize {
        router::shard_of(partition, self.inner.trees.len())
    }

    /// Writes every memtable to level 0 and waits until done.
    pub fn flush(&self) -> Result<()> {
        self.inner.check_poison()?;
        self.inner.rotate_all();
        super::background::wait_flushed(&self.inner)
    }

    /// Flushes, then merges every shard's files into its last level, dropping every version
    /// and tombstone no snapshot needs. Waits until done.
    pub fn compact(&self) -> Result<()> {
        self.flush()?;
        for shard in 0..self.inner.trees.len() {
            super::background::compact_shard_fully(&self.inner, shard)?;
        }
        Ok(())
    }

    /// Waits until background work is done: no memtable waits for a flush, no compaction
    /// runs and no level is over its target.
    pub fn wait_idle(&self) -> Result<()> {
        super::background::wait_idle(&self.inner)
    }

    /// Makes every acknowledged write durable now, whatever the durability mode.
    pub fn sync_wal(&self) -> Result<()> {
        let mut wal = sync::lock(&self.inner.wal);
        if let Err(e) = wal.writer.sync() {
            self.inner.set_poison("WAL sync");
            return Err(e);
        }
        wal.dirty = false;
        Ok(())
    }

    /// Current statistics.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        let inner = &self.inner;
        inner.counters.fill(&mut s);
        s.level_size_bytes = vec![0; LEVEL_COUNT];
        s.level_file_count = vec![0; LEVEL_COUNT];
        for tree in &inner.trees {
            let st = tree.state();
            s.memtable_bytes += st.active.size_bytes() as u64;
            s.memtable_bytes += st
                .immutables
                .iter()
                .map(|m| m.size_bytes() as u64)
                .sum::<u64>();
            for (level, files) in st.version.levels.iter().enumerate() {
                s.level_size_bytes[level] += files.iter().map(|f| f.meta.size_bytes).sum::<u64>();
                s.level_file_count[level] += files.len() as u64;
            }
        }
        let wal = sync::lock(&inner.wal);
        let wal_bytes = wal.writer.size_bytes();
        let closed: Vec<u64> = wal.closed.iter().map(|c| c.0).collect();
        drop(wal);
        let closed_bytes: u64 = closed
            .iter()
            .filter_map(|n| {
                inner
                    .storage
                    .open(&crate::lsm::wal::segment_file_name(*n))
                    .ok()
            })
            .filter_map(|f| f.len().ok())
            .sum();
        s.disk_bytes = s.level_size_bytes.iter().sum::<u64>() + wal_bytes + closed_bytes;
        s.block_cache_hits = inner.cache.hits();
        s.block_cache_misses = inner.cache.misses();
        s
    }

    /// Stops background work and syncs the WAL. Called by `Drop` too; acknowledged writes are
    /// durable already, this only shortens the next recovery.
    pub fn close(&self) -> Result<()> {
        let inner = &self.inner;
        if inner.shutdown.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        inner.wake_all();
        for h in sync::lock(&self.threads).drain(..) {
            if h.join().is_err() {
                log::error!("a background thread panicked");
            }
        }
        if inner.check_poison().is_err() {
            return Ok(());
        }
        self.sync_wal()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            log::error!("closing the store: {e}");
        }
    }
}
