//! The manifest: a crash-safe log of version edits recording which table files are live.
//!
//! The log is a file `MANIFEST-NNNNNN` of records framed exactly like WAL records (length,
//! crc32 over file number, offset and payload). `CURRENT` names the live manifest. A new
//! manifest starts with one edit holding the whole state; switching to it writes
//! `CURRENT.tmp`, syncs it and renames it over `CURRENT`, so a crash leaves either the old or
//! the new manifest current, never a mix. A torn last record (a crash mid-append) is an edit
//! that was never acknowledged and is dropped; damage anywhere else is an error.

use crate::io::{Storage, StorageFile};
use crate::limits::{LEVEL_COUNT, SHARD_COUNT_MAX};
use crate::lsm::coding::{put_bytes, put_varint, Reader};
use crate::lsm::sstable::TableMeta;
use crate::lsm::wal;
use crate::{error::Corruption, Error, Result};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Name of the file naming the live manifest.
pub const CURRENT: &str = "CURRENT";
const CURRENT_TMP: &str = "CURRENT.tmp";
const PREFIX: &str = "MANIFEST-";

/// File name of manifest `number`.
pub fn file_name(number: u64) -> String {
    format!("{PREFIX}{number:06}")
}

/// Parses a manifest file name.
pub fn parse_file_name(name: &str) -> Option<u64> {
    let number = name.strip_prefix(PREFIX)?.parse().ok()?;
    // Only the canonical spelling counts, so cleanup never mistakes a stray file for ours.
    (file_name(number) == name).then_some(number)
}

/// A table file added to a shard's level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedFile {
    /// Shard number.
    pub shard: u32,
    /// Level.
    pub level: u8,
    /// The file.
    pub meta: TableMeta,
}

/// One change to the set of live files (and the counters that go with it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionEdit {
    /// Shard count, fixed when the store is created.
    pub shard_count: Option<u32>,
    /// Next unused file number.
    pub next_file_number: Option<u64>,
    /// Largest sequence number in use.
    pub last_seq: Option<u64>,
    /// (shard, sequence number) pairs: the shard's writes up to it are in table files.
    pub flushed: Vec<(u32, u64)>,
    /// Files added.
    pub added: Vec<AddedFile>,
    /// (shard, level, file number) of files removed.
    pub removed: Vec<(u32, u8, u64)>,
}

mod tag {
    pub const SHARD_COUNT: u8 = 1;
    pub const NEXT_FILE: u8 = 2;
    pub const LAST_SEQ: u8 = 3;
    pub const FLUSHED: u8 = 4;
    pub const ADDED: u8 = 5;
    pub const REMOVED: u8 = 6;
}

impl VersionEdit {
    /// Encodes the edit as a tagged field list.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut field = |tag: u8, vals: &[u64]| {
            out.push(tag);
            vals.iter().for_each(|&v| put_varint(&mut out, v));
        };
        if let Some(n) = self.shard_count {
            field(tag::SHARD_COUNT, &[u64::from(n)]);
        }
        if let Some(n) = self.next_file_number {
            field(tag::NEXT_FILE, &[n]);
        }
        if let Some(n) = self.last_seq {
            field(tag::LAST_SEQ, &[n]);
        }
        for &(shard, seq) in &self.flushed {
            field(tag::FLUSHED, &[u64::from(shard), seq]);
        }
        for &(shard, level, number) in &self.removed {
            field(tag::REMOVED, &[u64::from(shard), u64::from(level), number]);
        }
        for a in &self.added {
            let m = &a.meta;
            out.push(tag::ADDED);
            for v in [
                u64::from(a.shard),
                u64::from(a.level),
                m.file_number,
                m.size_bytes,
            ] {
                put_varint(&mut out, v);
            }
            for v in [m.entry_count, m.tombstone_count, m.seq_min, m.seq_max] {
                put_varint(&mut out, v);
            }
            put_bytes(&mut out, &m.smallest);
            put_bytes(&mut out, &m.largest);
        }
        out
    }

    /// Decodes an edit; `None` if malformed.
    pub fn decode(buf: &[u8]) -> Option<VersionEdit> {
        let mut r = Reader::new(buf);
        let mut e = VersionEdit::default();
        let small = |v: u64| u32::try_from(v).ok();
        while !r.is_empty() {
            match r.u8()? {
                tag::SHARD_COUNT => e.shard_count = Some(small(r.varint()?)?),
                tag::NEXT_FILE => e.next_file_number = Some(r.varint()?),
                tag::LAST_SEQ => e.last_seq = Some(r.varint()?),
                tag::FLUSHED => e.flushed.push((small(r.varint()?)?, r.varint()?)),
                tag::REMOVED => {
                    let shard = small(r.varint()?)?;
                    let level = u8::try_from(r.varint()?).ok()?;
                    e.removed.push((shard, level, r.varint()?));
                }
                tag::ADDED => {
                    let shard = small(r.varint()?)?;
                    let level = u8::try_from(r.varint()?).ok()?;
                    let (file_number, size_bytes) = (r.varint()?, r.varint()?);
                    let (entry_count, tombstone_count) = (r.varint()?, r.varint()?);
                    let (seq_min, seq_max) = (r.varint()?, r.varint()?);
                    let smallest = r.len_bytes()?.to_vec();
                    let largest = r.len_bytes()?.to_vec();
                    let meta = TableMeta {
                        file_number,
                        size_bytes,
                        entry_count,
                        tombstone_count,
                        smallest,
                        largest,
                        seq_min,
                        seq_max,
                    };
                    e.added.push(AddedFile { shard, level, meta });
                }
                _ => return None,
            }
        }
        Some(e)
    }
}

/// The files of one shard as the manifest records them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardFiles {
    /// The shard's writes up to this sequence number are in table files.
    pub flushed_seq: u64,
    /// Files per level, by file number.
    pub levels: Vec<BTreeMap<u64, TableMeta>>,
}

/// The state a manifest describes once all its edits are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestState {
    /// Number of shards.
    pub shard_count: u32,
    /// Next unused file number.
    pub next_file_number: u64,
    /// Largest sequence number in use.
    pub last_seq: u64,
    /// Per-shard files.
    pub shards: Vec<ShardFiles>,
}

impl ManifestState {
    /// An empty store of `shard_count` shards.
    pub fn new(shard_count: u32) -> Self {
        let mut s = ManifestState {
            next_file_number: 1,
            ..Default::default()
        };
        s.set_shard_count(shard_count);
        s
    }

    fn set_shard_count(&mut self, n: u32) {
        self.shard_count = n;
        let empty = ShardFiles {
            flushed_seq: 0,
            levels: vec![BTreeMap::new(); LEVEL_COUNT],
        };
        self.shards.resize(n as usize, empty);
    }

    /// Applies `edit`; `None` if it references a shard, level or file that does not exist.
    pub fn apply(&mut self, edit: &VersionEdit) -> Option<()> {
        if let Some(n) = edit.shard_count {
            let fits = n >= 1 && (n as usize) <= SHARD_COUNT_MAX;
            if !fits || (self.shard_count != 0 && self.shard_count != n) {
                return None;
            }
            self.set_shard_count(n);
        }
        if let Some(n) = edit.next_file_number {
            self.next_file_number = self.next_file_number.max(n);
        }
        if let Some(n) = edit.last_seq {
            self.last_seq = self.last_seq.max(n);
        }
        for &(shard, seq) in &edit.flushed {
            let s = self.shards.get_mut(shard as usize)?;
            s.flushed_seq = s.flushed_seq.max(seq);
        }
        for &(shard, level, number) in &edit.removed {
            let levels = &mut self.shards.get_mut(shard as usize)?.levels;
            levels.get_mut(level as usize)?.remove(&number)?;
        }
        for a in &edit.added {
            let levels = &mut self.shards.get_mut(a.shard as usize)?.levels;
            levels
                .get_mut(a.level as usize)?
                .insert(a.meta.file_number, a.meta.clone());
            self.next_file_number = self.next_file_number.max(a.meta.file_number + 1);
        }
        Some(())
    }

    /// One edit that recreates this whole state.
    pub fn snapshot(&self) -> VersionEdit {
        let mut e = VersionEdit {
            shard_count: Some(self.shard_count),
            next_file_number: Some(self.next_file_number),
            last_seq: Some(self.last_seq),
            ..Default::default()
        };
        for (i, shard) in self.shards.iter().enumerate() {
            let shard_id = i as u32;
            e.flushed.push((shard_id, shard.flushed_seq));
            for (level, files) in shard.levels.iter().enumerate() {
                for meta in files.values() {
                    e.added.push(AddedFile {
                        shard: shard_id,
                        level: level as u8,
                        meta: meta.clone(),
                    });
                }
            }
        }
        e
    }
}

/// The open, live manifest: appends edits and syncs each one.
#[derive(Debug)]
pub struct ManifestWriter {
    storage: Arc<dyn Storage>,
    file: Box<dyn StorageFile>,
    number: u64,
    offset: u64,
    name: String,
}

impl ManifestWriter {
    /// Writes manifest `number` holding `state`, makes it durable and switches `CURRENT` to it.
    pub fn create(storage: &Arc<dyn Storage>, number: u64, state: &ManifestState) -> Result<Self> {
        let name = file_name(number);
        let file = storage
            .create(&name)
            .map_err(|e| Error::io("create", &name, e))?;
        let mut w = ManifestWriter {
            storage: Arc::clone(storage),
            file,
            number,
            offset: 0,
            name,
        };
        w.append(&state.snapshot())?;
        storage
            .sync_dir()
            .map_err(|e| Error::io("sync_dir", &w.name, e))?;
        let tmp = storage
            .create(CURRENT_TMP)
            .map_err(|e| Error::io("create", CURRENT_TMP, e))?;
        let text = format!("{}\n", w.name);
        tmp.write_at(text.as_bytes(), 0)
            .map_err(|e| Error::io("write_at", CURRENT_TMP, e))?;
        tmp.sync_data()
            .map_err(|e| Error::io("sync_data", CURRENT_TMP, e))?;
        drop(tmp);
        storage
            .rename(CURRENT_TMP, CURRENT)
            .map_err(|e| Error::io("rename", CURRENT, e))?;
        storage
            .sync_dir()
            .map_err(|e| Error::io("sync_dir", CURRENT, e))?;
        Ok(w)
    }

    /// Appends `edit` and syncs it. An error here must poison the engine: the edit's
    /// durability is unknown.
    pub fn append(&mut self, edit: &VersionEdit) -> Result<()> {
        let payload = edit.encode();
        if payload.len() > crate::limits::MANIFEST_RECORD_SIZE_BYTES_MAX {
            return Err(Error::BatchTooLarge {
                size_bytes: payload.len(),
                limit_bytes: crate::limits::MANIFEST_RECORD_SIZE_BYTES_MAX,
            });
        }
        let mut buf = Vec::with_capacity(payload.len() + wal::record::HEADER_SIZE_BYTES);
        wal::record::encode(&mut buf, self.number, self.offset, &payload)
            .map_err(|d| d.into_error(&self.name, self.offset))?;
        if let Err(e) = self.file.write_at(&buf, self.offset) {
            // Cut off whatever part of the record reached the file, so the next append starts
            // on a clean tail; if even that fails the caller must poison the engine.
            self.file
                .set_len(self.offset)
                .map_err(|e| Error::io("set_len", &self.name, e))?;
            return Err(Error::io("write_at", &self.name, e));
        }
        self.file
            .sync_data()
            .map_err(|e| Error::io("sync_data", &self.name, e))?;
        self.offset += buf.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn size_bytes(&self) -> u64 {
        self.offset
    }

    /// This manifest's file number.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The storage the manifest lives on.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }
}

/// Reads `CURRENT` and replays the manifest it names. `Ok(None)` if there is no `CURRENT`
/// (a new store).
pub fn recover(storage: &Arc<dyn Storage>) -> Result<Option<(u64, ManifestState)>> {
    if !storage
        .exists(CURRENT)
        .map_err(|e| Error::io("exists", CURRENT, e))?
    {
        return Ok(None);
    }
    let file = storage
        .open(CURRENT)
        .map_err(|e| Error::io("open", CURRENT, e))?;
    let len = file.len().map_err(|e| Error::io("len", CURRENT, e))?;
    let mut text = vec![0u8; len.min(256) as usize];
    file.read_exact_at(&mut text, 0)
        .map_err(|e| Error::io("read_at", CURRENT, e))?;
    let name = std::str::from_utf8(&text)
        .unwrap_or("")
        .trim_end_matches('\n');
    let number = parse_file_name(name)
        .filter(|n| file_name(*n) == name)
        .ok_or_else(|| Error::corruption(CURRENT, 0, Corruption::BadCurrent))?;
    let name = file_name(number);
    let mut state = ManifestState::default();
    let mut offset = 0u64;
    wal::replay_file(storage, &name, number, true, &mut |payload| {
        let bad = || Error::corruption(&name, offset, Corruption::BadRecord);
        let edit = VersionEdit::decode(payload).ok_or_else(bad)?;
        state.apply(&edit).ok_or_else(bad)?;
        offset += (payload.len() + wal::record::HEADER_SIZE_BYTES) as u64;
        Ok(())
    })?;
    if state.shard_count == 0 {
        return Err(Error::corruption(&name, 0, Corruption::BadRecord));
    }
    Ok(Some((number, state)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(n: u64) -> TableMeta {
        TableMeta {
            file_number: n,
            size_bytes: 100 * n,
            entry_count: 3,
            tombstone_count: 1,
            smallest: b"a\0\0\0\0\0\0\0\x01".to_vec(),
            largest: b"z\0\0\0\0\0\0\0\x01".to_vec(),
            seq_min: 1,
            seq_max: 9,
        }
    }

    #[test]
    fn version_edit_roundtrip_and_apply_rejects_unknown_file() {
        let e = VersionEdit {
            shard_count: Some(4),
            next_file_number: Some(7),
            last_seq: Some(99),
            flushed: vec![(1, 50)],
            added: vec![AddedFile {
                shard: 2,
                level: 0,
                meta: meta(5),
            }],
            removed: vec![],
        };
        assert_eq!(VersionEdit::decode(&e.encode()), Some(e.clone()));
        let mut s = ManifestState::default();
        assert!(s.apply(&e).is_some());
        assert_eq!(s.shards[2].levels[0].len(), 1);
        let mut again = ManifestState::default();
        again.apply(&s.snapshot()).unwrap();
        assert_eq!(again, s);
        let bad = VersionEdit {
            removed: vec![(0, 1, 5)],
            ..Default::default()
        };
        assert!(s.apply(&bad).is_none());
    }
}
