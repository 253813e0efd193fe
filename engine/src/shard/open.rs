//! Opening a store: lock, manifest recovery, table files, WAL replay, cleanup, threads.
//!
//! Recovery order matters: the manifest says which table files are live and, per shard, up
//! to which sequence number the shard's writes are already in them; WAL records above that
//! are replayed into fresh memtables. Only then are unreferenced files deleted and a new
//! manifest and WAL segment started, so a crash during recovery loses nothing.

use super::batch;
use super::commit::GroupCommit;
use super::store::{Inner, ManifestSlot, Store, WalState};
use crate::error::Corruption;
use crate::io::Storage;
use crate::lsm::config::{Config, Durability};
use crate::lsm::manifest::{self, ManifestState, ManifestWriter};
use crate::lsm::sstable::{self, BlockCache, Table, TableOptions};
use crate::lsm::stats::Counters;
use crate::lsm::tree::Tree;
use crate::lsm::version::{TableFile, Version};
use crate::lsm::wal::{self, WalWriter};
use crate::sync::{Condvar, Mutex};
use crate::{Error, Result};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

/// A manifest is rewritten from a snapshot once its log grows past this.
pub(crate) const MANIFEST_ROLL_BYTES: u64 = 16 << 20;

/// Name of the lock file that keeps two processes off one directory.
const LOCK_FILE: &str = "LOCK";

pub(crate) fn open(config: Config) -> Result<Store> {
    config.validate()?;
    let (storage, lock) = match &config.storage {
        Some(s) => (Arc::clone(s), None),
        None => {
            let path = config.path.display().to_string();
            let storage =
                crate::io::open_best(&config.path).map_err(|e| Error::io("open", &path, e))?;
            (storage, Some(lock_dir(&config.path)?))
        }
    };
    let recovered = manifest::recover(&storage)?;
    let fresh = recovered.is_none();
    let (old_manifest, mut state) = match recovered {
        Some((n, s)) => (Some(n), s),
        None => (None, ManifestState::new(config.shard_count as u32)),
    };
    let cache = Arc::new(BlockCache::new(config.block_cache_bytes));
    let trees = open_trees(&storage, &state, &cache)?;
    let mut segments = list_segments(&storage)?;
    if fresh && !segments.is_empty() {
        // WAL segments without a manifest: a store whose CURRENT was lost. Refuse rather
        // than silently start over next to its data.
        return Err(Error::corruption(
            manifest::CURRENT,
            0,
            Corruption::BadCurrent,
        ));
    }
    let (replayed_seq, closed) = replay_wal(&storage, &segments, &trees, &config)?;
    // The WAL may be empty (every shard flushed): the manifest remembers the last sequence
    // number then, and new writes must continue above it.
    let last_seq = state.last_seq.max(replayed_seq);
    state.last_seq = last_seq;
    let manifest_number = state
        .next_file_number
        .max(old_manifest.map_or(1, |n| n + 1));
    state.next_file_number = manifest_number + 1;
    remove_unreferenced(&*storage, &state, old_manifest)?;
    let writer = ManifestWriter::create(&storage, manifest_number, &state)?;
    if let Some(old) = old_manifest {
        remove_quietly(&*storage, &manifest::file_name(old));
    }
    let next_segment = segments.pop().map_or(1, |n| n + 1);
    let wal_writer = WalWriter::create(&storage, next_segment)?;
    let shard_count = trees.len();
    let inner = Arc::new(Inner {
        table_options: TableOptions {
            block_size_bytes: config.block_size_bytes,
            bloom_bits_per_key: config.bloom_bits_per_key,
            ..TableOptions::default()
        },
        storage,
        trees,
        commit: GroupCommit::new(super::store::GROUP_BYTES_MAX),
        wal: Mutex::new(WalState {
            writer: wal_writer,
            closed,
            seq_max: last_seq,
            dirty: false,
        }),
        next_file_number: AtomicU64::new(state.next_file_number),
        manifest: Mutex::new(ManifestSlot { writer, state }),
        last_seq: AtomicU64::new(last_seq),
        visible_seq: AtomicU64::new(last_seq),
        cache,
        snapshots: Mutex::new(BTreeMap::new()),
        poison: Mutex::new(None),
        bg_lock: Mutex::new(()),
        bg_cv: Condvar::new(),
        shutdown: AtomicBool::new(false),
        bg_disk_full: AtomicBool::new(false),
        bg_disk_full_count: AtomicU64::new(0),
        counters: Counters::default(),
        cursors: Mutex::new(vec![
            vec![Vec::new(); crate::limits::LEVEL_COUNT];
            shard_count
        ]),
        config,
    });
    let threads = super::background::spawn(&inner)?;
    super::background::remove_obsolete_wal(&inner);
    Ok(Store {
        inner,
        threads: Mutex::new(threads),
        _lock: lock,
    })
}

/// Takes an exclusive lock on `<dir>/LOCK` (held as long as the returned file is open).
fn lock_dir(dir: &std::path::Path) -> Result<std::fs::File> {
    let path = dir.join(LOCK_FILE);
    let shown = path.display().to_string();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("open", &shown, e))?;
    // A process that forks (to spawn a child) while this process holds the lock shares the
    // lock until the child execs and closes its inherited copy, so a close-then-reopen in the
    // same process can find it briefly held: retry for a moment before reporting `Locked`.
    for attempt in 0..=LOCK_RETRIES {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if attempt < LOCK_RETRIES => {
                std::thread::sleep(std::time::Duration::from_millis(LOCK_RETRY_MS));
            }
            Err(std::fs::TryLockError::WouldBlock) => break,
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", &shown, e)),
        }
    }
    Err(Error::Locked { path: shown })
}

/// Extra attempts to take a busy store lock, and the pause between them.
const LOCK_RETRIES: u32 = 10;
const LOCK_RETRY_MS: u64 = 20;

fn open_trees(
    storage: &Arc<dyn Storage>,
    state: &ManifestState,
    cache: &Arc<BlockCache>,
) -> Result<Vec<Tree>> {
    let mut trees = Vec::with_capacity(state.shards.len());
    for (id, shard) in state.shards.iter().enumerate() {
        let mut added = Vec::new();
        for (level, files) in shard.levels.iter().enumerate() {
            for meta in files.values() {
                let name = sstable::file_name(meta.file_number);
                let file = storage.open(&name).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => {
                        Error::corruption(&name, 0, Corruption::MissingFile)
                    }
                    _ => Error::io("open", &name, e),
                })?;
                let len = file.len().map_err(|e| Error::io("len", &name, e))?;
                if len != meta.size_bytes {
                    return Err(Error::corruption(&name, len, Corruption::MissingFile));
                }
                let table = Table::open(file, name, meta.file_number, Arc::clone(cache))?;
                added.push((
                    level,
                    Arc::new(TableFile::new(meta.clone(), table, Arc::clone(storage))),
                ));
            }
        }
        let version = Version::default().apply(&[], added);
        trees.push(Tree::new(id, version, shard.flushed_seq));
    }
    Ok(trees)
}

fn list_segments(storage: &Arc<dyn Storage>) -> Result<Vec<u64>> {
    let names = storage
        .list()
        .map_err(|e| Error::io("list", "store directory", e))?;
    let mut segments: Vec<u64> = names
        .iter()
        .filter_map(|n| wal::parse_segment_file_name(n))
        .collect();
    segments.sort_unstable();
    Ok(segments)
}

/// Replays every segment into the trees' memtables; returns the largest sequence number
/// seen and the replayed segments with their largest sequence numbers.
fn replay_wal(
    storage: &Arc<dyn Storage>,
    segments: &[u64],
    trees: &[Tree],
    config: &Config,
) -> Result<(u64, VecDeque<(u64, u64)>)> {
    let mut last_seq = 0u64;
    let mut closed = VecDeque::new();
    for (i, &number) in segments.iter().enumerate() {
        let name = wal::segment_file_name(number);
        let mut seg_max = 0u64;
        let is_last = i + 1 == segments.len();
        wal::replay(storage, number, is_last, &mut |payload| {
            let ops = batch::decode(payload, trees.len(), &name)?;
            for op in &ops {
                if op.seq <= last_seq {
                    return Err(Error::corruption(&name, 0, Corruption::BadSequence));
                }
                let tree = &trees[op.shard];
                if op.seq > tree.flushed_seq() {
                    tree.active().insert(op.key, op.seq, op.kind, op.value);
                }
                seg_max = seg_max.max(op.seq);
            }
            if let Some(op) = ops.last() {
                last_seq = op.seq;
            }
            for tree in trees {
                if tree.active().size_bytes() >= config.memtable_size_bytes {
                    tree.rotate(last_seq);
                }
            }
            Ok(())
        })?;
        closed.push_back((number, seg_max));
    }
    Ok((last_seq, closed))
}

/// Deletes table files the manifest does not list, stale manifests and a leftover
/// `CURRENT.tmp`: debris of work a crash interrupted before it was recorded.
fn remove_unreferenced(
    storage: &dyn Storage,
    state: &ManifestState,
    live_manifest: Option<u64>,
) -> Result<()> {
    let live: HashSet<u64> = state
        .shards
        .iter()
        .flat_map(|s| s.levels.iter().flat_map(|l| l.keys().copied()))
        .collect();
    let names = storage
        .list()
        .map_err(|e| Error::io("list", "store directory", e))?;
    for name in names {
        let stale = match (
            sstable::parse_file_name(&name),
            manifest::parse_file_name(&name),
        ) {
            (Some(n), _) => !live.contains(&n),
            (_, Some(n)) => Some(n) != live_manifest,
            _ => name == "CURRENT.tmp",
        };
        if stale {
            remove_quietly(storage, &name);
        }
    }
    Ok(())
}

/// Removes a file, logging instead of failing: leftovers are retried at the next open.
pub(crate) fn remove_quietly(storage: &dyn Storage, name: &str) {
    if let Err(e) = storage.remove(name) {
        if e.kind() != std::io::ErrorKind::NotFound {
            log::warn!("could not remove {name}: {e}");
        }
    }
}

/// The durability mode's background syncer period, if it has one.
pub(crate) fn sync_interval(config: &Config) -> Option<u64> {
    match config.durability {
        Durability::Interval(ms) => Some(ms),
        _ => None,
    }
}
