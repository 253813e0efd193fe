//! Background work: flushing immutable memtables, compacting levels, syncing the WAL on an
//! interval, and deleting WAL segments every shard has flushed past.
//!
//! Workers pick the most urgent job across all shards: flushes first (they unblock
//! writers), then the compaction with the highest score. A shard runs at most one flush and
//! one compaction at a time. A full disk makes a job back off and retry; any other failure
//! poisons the engine.

use super::store::Inner;
use crate::lsm::compaction::leveled::{self, JobContext};
use crate::lsm::compaction::{picker, CompactionTask};
use crate::lsm::manifest::{AddedFile, VersionEdit};
use crate::lsm::merge::Source;
use crate::lsm::stats::Counters;
use crate::lsm::version::TableFile;
use crate::lsm::{Direction, KeyRange};
use crate::sync;
use crate::{Error, Result};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long an idle worker sleeps before looking for work again on its own.
const IDLE_WAIT: Duration = Duration::from_millis(200);

/// How long a job that hit a full disk waits before retrying.
const DISK_FULL_BACKOFF: Duration = Duration::from_millis(100);

enum Job {
    Flush(usize),
    Compact(CompactionTask),
}

/// Starts the workers (and the WAL syncer for `Durability::Interval`).
pub(crate) fn spawn(inner: &Arc<Inner>) -> Result<Vec<JoinHandle<()>>> {
    let mut handles = Vec::new();
    for i in 0..inner.config.background_threads {
        let inner = Arc::clone(inner);
        let h = std::thread::Builder::new()
            .name(format!("tessera-bg-{i}"))
            .spawn(move || worker(&inner))
            .map_err(|e| Error::io("spawn", "background thread", e))?;
        handles.push(h);
    }
    if let Some(ms) = super::open::sync_interval(&inner.config) {
        let inner = Arc::clone(inner);
        let h = std::thread::Builder::new()
            .name("tessera-wal-sync".into())
            .spawn(move || syncer(&inner, Duration::from_millis(ms)))
            .map_err(|e| Error::io("spawn", "WAL sync thread", e))?;
        handles.push(h);
    }
    Ok(handles)
}

fn wait(inner: &Inner, timeout: Duration) {
    let g = sync::lock(&inner.bg_lock);
    if inner.shutdown.load(Ordering::Acquire) {
        return;
    }
    let _unused = inner.bg_cv.wait_timeout(g, timeout);
}

fn worker(inner: &Arc<Inner>) {
    while !inner.shutdown.load(Ordering::Acquire) {
        if inner.check_poison().is_err() {
            wait(inner, IDLE_WAIT);
            continue;
        }
        match next_job(inner) {
            Some(job) => {
                // A panicking job must not leave writers waiting for a worker that is gone.
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(inner, job)))
                        .unwrap_or_else(|_| {
                            inner.set_poison("background worker panic");
                            Err(Error::Poisoned {
                                cause: "background worker panic",
                            })
                        });
                let full = matches!(result, Err(Error::DiskFull { .. }));
                if full {
                    inner.bg_disk_full_count.fetch_add(1, Ordering::AcqRel);
                }
                inner.bg_disk_full.store(full, Ordering::Release);
                inner.wake_all();
                match result {
                    Ok(()) => {}
                    Err(e @ Error::DiskFull { .. }) => {
                        log::warn!("background job postponed: {e}");
                        wait(inner, DISK_FULL_BACKOFF);
                    }
                    Err(e) => {
                        log::error!("background job failed: {e}");
                        inner.set_poison("background flush or compaction");
                    }
                }
            }
            None => wait(inner, IDLE_WAIT),
        }
    }
}

fn syncer(inner: &Arc<Inner>, period: Duration) {
    while !inner.shutdown.load(Ordering::Acquire) {
        wait(inner, period);
        if inner.check_poison().is_err() {
            continue;
        }
        if let Err(e) = sync_wal_if_dirty(inner) {
            log::error!("interval WAL sync failed: {e}");
        }
    }
}

/// Claims the most urgent job, setting the shard's flushing or compacting flag.
fn next_job(inner: &Inner) -> Option<Job> {
    for tree in &inner.trees {
        if !tree.state().immutables.is_empty()
            && tree
                .flushing
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            return Some(Job::Flush(tree.id));
        }
    }
    let mut best: Option<(f64, usize)> = None;
    for tree in &inner.trees {
        if tree.compacting.load(Ordering::Acquire) {
            continue;
        }
        let version = tree.state().version;
        let score = picker::scores(&version, &inner.config)
            .into_iter()
            .fold(0.0, f64::max);
        if score >= 1.0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, tree.id));
        }
    }
    let (_, shard) = best?;
    let tree = &inner.trees[shard];
    if tree
        .compacting
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return None;
    }
    let version = tree.state().version;
    let mut cursors = sync::lock(&inner.cursors);
    match picker::pick(shard, &version, &inner.config, &mut cursors[shard]) {
        Some(task) => Some(Job::Compact(task)),
        None => {
            tree.compacting.store(false, Ordering::Release);
            None
        }
    }
}

fn run(inner: &Arc<Inner>, job: Job) -> Result<()> {
    match job {
        Job::Flush(shard) => {
            let r = flush(inner, shard);
            inner.trees[shard].flushing.store(false, Ordering::Release);
            if r.is_ok() {
                remove_obsolete_wal(inner);
            }
            r
        }
        Job::Compact(task) => {
            let shard = task.shard;
            let r = compact(inner, &task);
            inner.trees[shard]
                .compacting
                .store(false, Ordering::Release);
            r
        }
    }
}

fn context<'a>(
    inner: &'a Inner,
    output_level: usize,
    bottommost: bool,
    file_size: u64,
) -> JobContext<'a> {
    JobContext {
        storage: &inner.storage,
        cache: &inner.cache,
        table_options: &inner.table_options,
        next_file_number: &inner.next_file_number,
        snapshots: inner.live_snapshots(),
        file_size_bytes: file_size,
        output_level,
        bottommost,
        filter: inner.config.compaction_filter.as_deref(),
    }
}

/// Writes the shard's oldest immutable memtable to one level-0 table.
fn flush(inner: &Inner, shard: usize) -> Result<()> {
    let tree = &inner.trees[shard];
    let Some(mem) = tree.state().immutables.first().cloned() else {
        return Ok(());
    };
    let sealed = mem.sealed_at_seq();
    // Under Interval or None durability the WAL may hold writes not yet on disk. A table
    // file must never make durable a write the WAL could still lose: another shard's part
    // of the same batch, or an earlier batch, would vanish at a power loss while this one
    // survived, tearing the batch. Closed segments were synced when they were closed.
    sync_wal_if_dirty(inner)?;
    let source: Source = Box::new(mem.iter(KeyRange::all(), Direction::Forward).map(Ok));
    let ctx = context(inner, 0, false, u64::MAX);
    let outputs = leveled::write_tables(vec![source], &ctx)?;
    let mut edit = VersionEdit {
        next_file_number: Some(inner.next_file_number.load(Ordering::SeqCst)),
        last_seq: Some(inner.last_seq.load(Ordering::Acquire).max(sealed)),
        flushed: vec![(shard as u32, sealed)],
        ..Default::default()
    };
    let mut added = Vec::new();
    for (meta, table) in outputs {
        Counters::add(&inner.counters.level_write_bytes[0], meta.size_bytes);
        edit.added.push(AddedFile {
            shard: shard as u32,
            level: 0,
            meta: meta.clone(),
        });
        added.push((
            0,
            Arc::new(TableFile::new(meta, table, Arc::clone(&inner.storage))),
        ));
    }
    inner.log_edit(&edit)?;
    tree.flushed_seq.fetch_max(sealed, Ordering::AcqRel);
    tree.update_version(|v| v.apply(&[], added), true);
    Counters::add(&inner.counters.flushes, 1);
    Ok(())
}

/// Syncs the current WAL segment if it has unsynced writes. A failure poisons the engine.
fn sync_wal_if_dirty(inner: &Inner) -> Result<()> {
    let mut wal = sync::lock(&inner.wal);
    if !wal.dirty {
        return Ok(());
    }
    if let Err(e) = wal.writer.sync() {
        drop(wal);
        inner.set_poison("WAL sync");
        return Err(e);
    }
    wal.dirty = false;
    Counters::add(&inner.counters.wal_syncs, 1);
    Ok(())
}

/// Runs one compaction task and installs its result.
fn compact(inner: &Inner, task: &CompactionTask) -> Result<()> {
    let tree = &inner.trees[task.shard];
    let shard = task.shard as u32;
    let mut edit = VersionEdit {
        next_file_number: Some(inner.next_file_number.load(Ordering::SeqCst)),
        ..Default::default()
    };
    let inputs = &task.inputs;
    let removed: Vec<(usize, u64)> = inputs
        .iter()
        .map(|(l, f)| (*l, f.meta.file_number))
        .collect();
    if task.is_trivial_move() {
        for (level, f) in inputs {
            edit.removed.push((shard, *level as u8, f.meta.file_number));
            edit.added.push(AddedFile {
                shard,
                level: task.output_level as u8,
                meta: f.meta.clone(),
            });
        }
        inner.log_edit(&edit)?;
        let moved = inputs
            .iter()
            .map(|(_, f)| (task.output_level, Arc::clone(f)))
            .collect();
        tree.update_version(|v| v.apply(&removed, moved), false);
        Counters::add(&inner.counters.compactions, 1);
        return Ok(());
    }
    let sources: Vec<Source> = inputs
        .iter()
        .map(|(_, f)| Box::new(f.table.iter(KeyRange::all(), Direction::Forward)) as Source)
        .collect();
    let ctx = context(
        inner,
        task.output_level,
        task.bottommost,
        inner.config.table_file_size_bytes,
    );
    let outputs = leveled::write_tables(sources, &ctx)?;
    edit.next_file_number = Some(inner.next_file_number.load(Ordering::SeqCst));
    for (level, f) in inputs {
        edit.removed.push((shard, *level as u8, f.meta.file_number));
        Counters::add(&inner.counters.level_read_bytes[*level], f.meta.size_bytes);
    }
    let mut added = Vec::new();
    for (meta, table) in outputs {
        Counters::add(
            &inner.counters.level_write_bytes[task.output_level],
            meta.size_bytes,
        );
        edit.added.push(AddedFile {
            shard,
            level: task.output_level as u8,
            meta: meta.clone(),
        });
        added.push((
            task.output_level,
            Arc::new(TableFile::new(meta, table, Arc::clone(&inner.storage))),
        ));
    }
    inner.log_edit(&edit)?;
    tree.update_version(|v| v.apply(&removed, added), false);
    // Deleted once the last reader holding an older version lets go.
    for (_, f) in inputs {
        f.mark_obsolete();
    }
    Counters::add(&inner.counters.compactions, 1);
    Ok(())
}

/// Waits until every shard's immutable memtables are flushed.
pub(crate) fn wait_flushed(inner: &Inner) -> Result<()> {
    wait_until(inner, |t| t.state().immutables.is_empty())
}

/// Waits until no shard has a flush or compaction pending or running.
pub(crate) fn wait_idle(inner: &Inner) -> Result<()> {
    wait_until(inner, |t| {
        let st = t.state();
        st.immutables.is_empty()
            && !t.flushing.load(Ordering::Acquire)
            && !t.compacting.load(Ordering::Acquire)
            && picker::scores(&st.version, &inner.config)
                .into_iter()
                .all(|s| s < 1.0)
    })
}

fn wait_until(inner: &Inner, done: impl Fn(&crate::lsm::tree::Tree) -> bool) -> Result<()> {
    let failures_before = inner.bg_disk_full_count.load(Ordering::Acquire);
    let mut g = sync::lock(&inner.bg_lock);
    loop {
        inner.check_poison()?;
        if inner.shutdown.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        if inner.trees.iter().all(&done) {
            return Ok(());
        }
        if inner.disk_full_since(failures_before) {
            return Err(Error::DiskFull {
                path: "background flush or compaction output".into(),
            });
        }
        inner.bg_cv.notify_all();
        g = match inner.bg_cv.wait_timeout(g, Duration::from_millis(20)) {
            Ok((g, _)) => g,
            Err(p) => p.into_inner().0,
        };
    }
}

/// Merges every file of a shard into its last level (manual compaction).
pub(crate) fn compact_shard_fully(inner: &Inner, shard: usize) -> Result<()> {
    let tree = &inner.trees[shard];
    // Wait for a running background compaction of this shard to finish, then hold the flag.
    let mut g = sync::lock(&inner.bg_lock);
    while tree
        .compacting
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        inner.check_poison()?;
        g = match inner.bg_cv.wait_timeout(g, Duration::from_millis(20)) {
            Ok((g, _)) => g,
            Err(p) => p.into_inner().0,
        };
    }
    drop(g);
    let version = tree.state().version;
    let rewrite_last_level = inner.config.compaction_filter.is_some();
    let r = match picker::pick_all(shard, &version, rewrite_last_level) {
        Some(task) => compact(inner, &task),
        None => Ok(()),
    };
    tree.compacting.store(false, Ordering::Release);
    inner.wake_all();
    r
}

/// Deletes closed WAL segments whose every record is in table files for every shard.
pub(crate) fn remove_obsolete_wal(inner: &Inner) {
    let mut wal = sync::lock(&inner.wal);
    // Holding the WAL lock excludes the committing leader, so "fully flushed" cannot change
    // underneath this check.
    while let Some(&(number, seq_max)) = wal.closed.front() {
        let done = inner
            .trees
            .iter()
            .all(|t| t.is_fully_flushed() || t.flushed_seq() >= seq_max);
        if !done {
            break;
        }
        super::open::remove_quietly(&*inner.storage, &crate::lsm::wal::segment_file_name(number));
        wal.closed.pop_front();
    }
}
