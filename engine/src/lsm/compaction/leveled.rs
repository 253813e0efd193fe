//! Runs a compaction or a flush: merges sorted inputs, drops versions nobody can see, and
//! writes the survivors into new table files cut near the target size.

use super::{CompactionFilter, FilterDecision};
use crate::io::Storage;
use crate::lsm::ikey::{self, ValueKind};
use crate::lsm::merge::{MergeIter, Source};
use crate::lsm::sstable::{self, BlockCache, Table, TableBuilder, TableMeta, TableOptions};
use crate::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a table-writing job needs from the store.
#[derive(Debug)]
pub struct JobContext<'a> {
    /// Where table files go.
    pub storage: &'a Arc<dyn Storage>,
    /// Cache the new tables' readers share.
    pub cache: &'a Arc<BlockCache>,
    /// Block size and bloom settings.
    pub table_options: &'a TableOptions,
    /// Allocator of file numbers.
    pub next_file_number: &'a AtomicU64,
    /// Sequence numbers some reader may still read at, ascending (registered snapshots and
    /// the store's visible sequence number).
    pub snapshots: Vec<u64>,
    /// Output files are cut once they reach this size, at a user-key boundary.
    pub file_size_bytes: u64,
    /// Level the outputs go to.
    pub output_level: usize,
    /// Drop tombstones that no longer shadow anything.
    pub bottommost: bool,
    /// Optional removal hook.
    pub filter: Option<&'a dyn CompactionFilter>,
}

/// One version of a key: sequence number, kind and value.
pub type Version = (u64, ValueKind, Vec<u8>);

/// Reduces `versions` (one user key, newest first) to those a reader can still see: the
/// newest, and for each snapshot the newest version at or below it. At the bottom of the
/// tree, tombstones that shadow nothing older are dropped too.
pub fn retain_visible(versions: &mut Vec<Version>, snapshots: &[u64], bottommost: bool) {
    debug_assert!(
        versions.windows(2).all(|w| w[0].0 > w[1].0),
        "newest first, unique seqs"
    );
    let mut keep = vec![false; versions.len()];
    if let Some(k) = keep.first_mut() {
        *k = true;
    }
    for &s in snapshots {
        if let Some(i) = versions.iter().position(|v| v.0 <= s) {
            keep[i] = true;
        }
    }
    let mut i = 0;
    versions.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    if bottommost {
        while versions.last().is_some_and(|v| v.1 == ValueKind::Delete) {
            versions.pop();
        }
    }
}

/// Writes the merge of `sources` (every version, internal-key order) into new tables.
/// Returns the new files' metadata and open readers, synced and their directory synced.
pub fn write_tables(
    sources: Vec<Source>,
    ctx: &JobContext<'_>,
) -> Result<Vec<(TableMeta, Arc<Table>)>> {
    let mut created = Vec::new();
    let result = write_tables_into(sources, ctx, &mut created);
    if result.is_err() {
        // Nothing references these files yet: remove them now rather than at the next open,
        // so a job retrying on a full disk does not pile up partial tables.
        for number in created {
            let name = sstable::file_name(number);
            if let Err(e) = ctx.storage.remove(&name) {
                log::warn!("could not remove partial table {name}: {e}");
            }
        }
    }
    result
}

fn write_tables_into(
    sources: Vec<Source>,
    ctx: &JobContext<'_>,
    created: &mut Vec<u64>,
) -> Result<Vec<(TableMeta, Arc<Table>)>> {
    let mut out = Writer {
        ctx,
        created,
        builder: None,
        done: Vec::new(),
    };
    let mut key: Option<Vec<u8>> = None;
    let mut versions: Vec<Version> = Vec::new();
    for entry in MergeIter::new(sources, crate::lsm::Direction::Forward) {
        let (ik, value) = entry?;
        let (uk, seq, kind) = ikey::decode(&ik).ok_or_else(|| {
            Error::corruption("compaction input", 0, crate::error::Corruption::BadRecord)
        })?;
        if key.as_deref() != Some(uk) {
            if let Some(k) = key.take() {
                out.emit(&k, &mut versions)?;
            }
            key = Some(uk.to_vec());
        }
        versions.push((seq, kind, value));
    }
    if let Some(k) = key.take() {
        out.emit(&k, &mut versions)?;
    }
    let done = out.finish()?;
    if !done.is_empty() {
        ctx.storage
            .sync_dir()
            .map_err(|e| Error::io("sync_dir", "tables", e))?;
    }
    Ok(done)
}

struct Writer<'c, 'a> {
    ctx: &'c JobContext<'a>,
    /// Numbers of every file this job created, for cleanup if it fails.
    created: &'c mut Vec<u64>,
    builder: Option<(TableBuilder, u64)>,
    done: Vec<(TableMeta, Arc<Table>)>,
}

impl Writer<'_, '_> {
    fn emit(&mut self, user_key: &[u8], versions: &mut Vec<Version>) -> Result<()> {
        if let (Some(filter), Some(newest)) = (self.ctx.filter, versions.first_mut()) {
            if newest.1 == ValueKind::Put
                && filter.filter(self.ctx.output_level, user_key, &newest.2)
                    == FilterDecision::Remove
            {
                *newest = (newest.0, ValueKind::Delete, Vec::new());
            }
        }
        retain_visible(versions, &self.ctx.snapshots, self.ctx.bottommost);
        if versions.is_empty() {
            return Ok(());
        }
        // Cut only between user keys: a key's versions never straddle two files of a level.
        if let Some((b, _)) = &self.builder {
            if b.estimated_size_bytes() >= self.ctx.file_size_bytes {
                self.finish_one()?;
            }
        }
        let (builder, _) = match &mut self.builder {
            Some(b) => b,
            None => {
                let started = self.start()?;
                self.builder.insert(started)
            }
        };
        let mut ik = Vec::with_capacity(user_key.len() + ikey::TRAILER_LEN);
        for (seq, kind, value) in versions.drain(..) {
            ik.clear();
            ikey::encode_into(&mut ik, user_key, seq, kind);
            builder.add(&ik, &value)?;
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(TableBuilder, u64)> {
        let number = self.ctx.next_file_number.fetch_add(1, Ordering::SeqCst);
        self.created.push(number);
        let name = sstable::file_name(number);
        let file = self
            .ctx
            .storage
            .create(&name)
            .map_err(|e| Error::io("create", &name, e))?;
        Ok((
            TableBuilder::new(file, name, number, self.ctx.table_options),
            number,
        ))
    }

    fn finish_one(&mut self) -> Result<()> {
        let Some((builder, number)) = self.builder.take() else {
            return Ok(());
        };
        let meta = builder.finish()?;
        let name = sstable::file_name(number);
        let file = self
            .ctx
            .storage
            .open(&name)
            .map_err(|e| Error::io("open", &name, e))?;
        let table = Table::open(file, name, number, Arc::clone(self.ctx.cache))?;
        self.done.push((meta, table));
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<(TableMeta, Arc<Table>)>> {
        self.finish_one()?;
        Ok(self.done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValueKind::{Delete, Put};

    fn v(seq: u64, kind: ValueKind) -> Version {
        (seq, kind, vec![seq as u8])
    }

    #[test]
    fn retain_visible_keeps_newest_and_snapshot_versions() {
        let mut vs = vec![v(9, Put), v(7, Put), v(5, Delete), v(3, Put), v(1, Put)];
        retain_visible(&mut vs, &[4, 6], false);
        assert_eq!(vs.iter().map(|v| v.0).collect::<Vec<_>>(), vec![9, 5, 3]);
    }

    #[test]
    fn retain_visible_bottommost_drops_trailing_tombstones() {
        let mut vs = vec![v(9, Delete), v(3, Put)];
        retain_visible(&mut vs, &[], true);
        assert!(vs.is_empty());
        let mut vs = vec![v(9, Put), v(5, Delete), v(3, Put)];
        retain_visible(&mut vs, &[6], true);
        assert_eq!(vs.iter().map(|v| v.0).collect::<Vec<_>>(), vec![9]);
        let mut vs = vec![v(9, Delete), v(5, Put)];
        retain_visible(&mut vs, &[6], true);
        assert_eq!(vs.iter().map(|v| v.0).collect::<Vec<_>>(), vec![9, 5]);
    }
}
