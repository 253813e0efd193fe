//! Reads a table: open checks the footer and loads index, filter and meta; gets and
//! iterators fetch data blocks through the block cache.

use super::block::{Block, Cursor};
use super::bloom::Bloom;
use super::cache::BlockCache;
use super::format::{self, BlockHandle, BlockType, Footer, BLOCK_TRAILER_LEN, FOOTER_LEN};
use super::index::{self, IndexEntry};
use super::TableMeta;
use crate::error::{Corruption, Error, Result};
use crate::io::StorageFile;
use crate::limits;
use crate::lsm::ikey::{self, ValueKind};
use crate::lsm::{Direction, Entry, KeyRange};
use std::cmp::Ordering;
use std::sync::Arc;

/// An open, immutable table shared by readers on any thread.
#[derive(Debug)]
pub struct Table {
    file: Box<dyn StorageFile>,
    path: String,
    file_number: u64,
    footer: Footer,
    index: Vec<IndexEntry>,
    bloom: Bloom,
    meta: TableMeta,
    cache: Arc<BlockCache>,
}

impl Table {
    /// Opens table `file_number` from `file` (named `path` in errors).
    ///
    /// Checks the footer's magic, version, checksum and file number, reads and checks the
    /// filter, index and meta blocks, and checks that the blocks tile the file exactly.
    pub fn open(
        file: Box<dyn StorageFile>,
        path: String,
        file_number: u64,
        cache: Arc<BlockCache>,
    ) -> Result<Arc<Table>> {
        let size_bytes = file.len().map_err(|e| Error::io("len", &path, e))?;
        let footer_offset = size_bytes
            .checked_sub(FOOTER_LEN)
            .ok_or_else(|| Error::corruption(&path, 0, Corruption::TruncatedHeader))?;
        let mut buf = vec![0u8; FOOTER_LEN as usize];
        file.read_exact_at(&mut buf, footer_offset)
            .map_err(|e| Error::io("read_at", &path, e))?;
        let footer = Footer::decode(&buf, footer_offset, &path)?;
        if footer.file_number != file_number {
            return Err(Error::corruption(
                &path,
                footer_offset,
                Corruption::BadRecord,
            ));
        }
        // Layout: data blocks, filter, index, meta, footer, with no gaps.
        let tiled = footer.filter.end() == Some(footer.index.offset)
            && footer.index.end() == Some(footer.meta.offset)
            && footer.meta.end() == Some(footer_offset);
        if !tiled {
            return Err(Error::corruption(
                &path,
                footer_offset,
                Corruption::LengthOutOfBounds,
            ));
        }
        let read = |h: BlockHandle, t: BlockType| {
            read_block(&*file, &path, file_number, h, t, footer_offset)
        };
        let bloom = Bloom::parse(
            read(footer.filter, BlockType::Filter)?,
            footer.filter.offset,
            &path,
        )?;
        let index_block = Block::parse(
            read(footer.index, BlockType::Index)?,
            footer.index.offset,
            &path,
        )?;
        let index = index::decode(
            &index_block,
            footer.index.offset,
            &path,
            footer.filter.offset,
        )?;
        let meta_bytes = read(footer.meta, BlockType::Meta)?;
        let meta = format::decode_meta(
            &meta_bytes,
            footer.meta.offset,
            &path,
            file_number,
            size_bytes,
        )?;
        let consistent = match index.last() {
            None => meta.entry_count == 0,
            Some(last) => meta.entry_count > 0 && last.last_key == meta.largest,
        };
        if !consistent {
            return Err(Error::corruption(
                &path,
                footer.meta.offset,
                Corruption::BadRecord,
            ));
        }
        Ok(Arc::new(Table {
            file,
            path,
            file_number,
            footer,
            index,
            bloom,
            meta,
            cache,
        }))
    }

    /// The table's file number.
    pub fn file_number(&self) -> u64 {
        self.file_number
    }

    /// Size of the file in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.meta.size_bytes
    }

    /// The table's statistics and key bounds, as read from its meta block.
    pub fn meta(&self) -> &TableMeta {
        &self.meta
    }

    /// False only if no version of `user_key` is in the table (bloom filter probe).
    pub fn may_contain(&self, user_key: &[u8]) -> bool {
        self.bloom.may_contain(user_key)
    }

    /// Newest version of `user_key` with seq <= `seq`: `Some((seq, kind, value))`, or `None`
    /// if no version <= `seq` is here. Tombstones are returned with kind `Delete`.
    ///
    /// Probes the bloom filter, binary-searches the index, then binary-searches the data
    /// block's restart points and scans at most one restart interval.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Result<Option<(u64, ValueKind, Vec<u8>)>> {
        if !self.may_contain(user_key) {
            return Ok(None);
        }
        // Versions of `user_key` visible at `seq` start at `target` and are contiguous, and
        // the first data block whose last key is >= `target` holds the first entry >= it.
        let target = ikey::seek_at(user_key, seq);
        let i = self
            .index
            .partition_point(|e| ikey::compare(&e.last_key, &target) == Ordering::Less);
        if i == self.index.len() {
            return Ok(None);
        }
        let at = self.index[i].handle.offset;
        let block = self.data_block(i)?;
        let Some((key, value)) = block.seek(&target, &self.path)? else {
            // The index promised a key >= target in this block.
            return Err(Error::corruption(&self.path, at, Corruption::BadRecord));
        };
        match ikey::decode(&key) {
            // A newer version after `target` means the block is not in key order.
            Some((found, found_seq, _))
                if found == user_key && found_seq > seq.min(ikey::SEQ_MAX) =>
            {
                Err(Error::corruption(
                    &self.path,
                    at,
                    Corruption::KeysOutOfOrder,
                ))
            }
            Some((found, found_seq, kind)) if found == user_key => {
                Ok(Some((found_seq, kind, value)))
            }
            Some(_) => Ok(None),
            None => Err(Error::corruption(&self.path, at, Corruption::UnknownTag)),
        }
    }

    /// All entries (every version, tombstones too) whose user key lies in `range`, in
    /// internal-key order (`Forward`) or exactly its reverse (`Reverse`).
    pub fn iter(self: &Arc<Self>, range: KeyRange, direction: Direction) -> TableIter {
        TableIter {
            table: Arc::clone(self),
            range,
            direction,
            state: State::Start,
        }
    }

    /// Data block `i` of the index, from the cache or the file.
    fn data_block(&self, i: usize) -> Result<Arc<Block>> {
        let handle = self.index[i].handle;
        if let Some(block) = self.cache.get(self.file_number, handle.offset) {
            return Ok(block);
        }
        let data = read_block(
            &*self.file,
            &self.path,
            self.file_number,
            handle,
            BlockType::Data,
            self.footer.filter.offset,
        )?;
        let block = Arc::new(Block::parse(data, handle.offset, &self.path)?);
        self.cache
            .insert(self.file_number, handle.offset, Arc::clone(&block));
        Ok(block)
    }

    /// Decodes data block `i` whole, checking it is non-empty and ends with its index key.
    fn block_entries(&self, i: usize) -> Result<Vec<Entry>> {
        let entries = self.data_block(i)?.entries(&self.path)?;
        match entries.last() {
            Some((last, _)) if *last == self.index[i].last_key => Ok(entries),
            _ => Err(Error::corruption(
                &self.path,
                self.index[i].handle.offset,
                Corruption::BadRecord,
            )),
        }
    }
}

/// Reads the block at `handle` plus trailer, which must end by `end`, and verifies it.
fn read_block(
    file: &dyn StorageFile,
    path: &str,
    file_number: u64,
    handle: BlockHandle,
    block_type: BlockType,
    end: u64,
) -> Result<Vec<u8>> {
    let in_bounds = handle.size_bytes <= limits::BLOCK_SIZE_BYTES_MAX as u64
        && handle.end().is_some_and(|e| e <= end);
    if !in_bounds {
        return Err(Error::corruption(
            path,
            handle.offset,
            Corruption::LengthOutOfBounds,
        ));
    }
    // Bounded by the limit just checked, so the cast and the allocation are safe.
    let mut buf = vec![0u8; handle.size_bytes as usize + BLOCK_TRAILER_LEN as usize];
    file.read_exact_at(&mut buf, handle.offset)
        .map_err(|e| Error::io("read_at", path, e))?;
    format::verify_block(buf, file_number, handle, block_type, path)
}

/// Where a [`TableIter`] is.
#[derive(Debug)]
enum State {
    /// Not yet positioned.
    Start,
    /// Forward, inside data block `block`, decoding one entry at a time: a short scan
    /// decodes (and copies) only the entries it yields.
    Forward {
        block: usize,
        data: Arc<Block>,
        cursor: Cursor,
    },
    /// Reverse, inside data block `block`: `entries[..pos]` remain, yielded from the back
    /// (prefix compression only decodes forward, so a block is decoded whole).
    Active {
        block: usize,
        entries: Vec<Entry>,
        pos: usize,
    },
    /// Exhausted, or an error was yielded.
    Done,
}

/// An iterator over a range of one table; owns an `Arc` of the table.
///
/// Decodes one data block at a time. After yielding an error it yields `None`.
#[derive(Debug)]
pub struct TableIter {
    table: Arc<Table>,
    range: KeyRange,
    direction: Direction,
    state: State,
}

impl TableIter {
    /// Positions the iterator on its first entry's block.
    fn seek(&self) -> Result<State> {
        let t = &self.table;
        let n = t.index.len();
        match self.direction {
            Direction::Forward => {
                // Every version of a user key sorts together, so a test on the user key alone
                // splits internal-key order in two.
                let not_reached = |k: &[u8]| !self.range.above_start(ikey::user_key(k));
                let b = t.index.partition_point(|e| not_reached(&e.last_key));
                if b == n {
                    return Ok(State::Done);
                }
                let data = t.data_block(b)?;
                let cursor = data.cursor(not_reached, &t.path)?;
                Ok(State::Forward {
                    block: b,
                    data,
                    cursor,
                })
            }
            Direction::Reverse => {
                let within = |k: &[u8]| self.range.below_end(ikey::user_key(k));
                let b = t.index.partition_point(|e| within(&e.last_key));
                if b < n {
                    let entries = t.block_entries(b)?;
                    let pos = entries.partition_point(|(k, _)| within(k));
                    Ok(State::Active {
                        block: b,
                        entries,
                        pos,
                    })
                } else if n > 0 {
                    let entries = t.block_entries(n - 1)?;
                    let pos = entries.len();
                    Ok(State::Active {
                        block: n - 1,
                        entries,
                        pos,
                    })
                } else {
                    Ok(State::Done)
                }
            }
        }
    }

    fn step(&mut self) -> Result<Option<Entry>> {
        loop {
            let state = std::mem::replace(&mut self.state, State::Done);
            match state {
                State::Done => return Ok(None),
                State::Start => self.state = self.seek()?,
                State::Forward {
                    block,
                    data,
                    cursor,
                } => {
                    if let Some(entry) = self.step_forward(block, data, cursor)? {
                        return Ok(Some(entry));
                    }
                }
                State::Active {
                    block,
                    entries,
                    pos,
                } => {
                    if let Some(entry) = self.step_reverse(block, entries, pos)? {
                        return Ok(Some(entry));
                    }
                }
            }
            if matches!(self.state, State::Done) {
                return Ok(None);
            }
        }
    }

    /// Yields the next entry of `data`, or moves to the next block (leaving `self.state` as
    /// the new position, `Done` at the end).
    fn step_forward(
        &mut self,
        block: usize,
        data: Arc<Block>,
        mut cursor: Cursor,
    ) -> Result<Option<Entry>> {
        let t = &self.table;
        let decoded = data.next_entry(&mut cursor, &t.path)?;
        if let Some((key, value)) = decoded {
            let uk = ikey::user_key(key);
            if !self.range.below_end(uk) {
                return Ok(None);
            }
            // Entries before the range start are skipped: the cursor starts at a restart.
            let entry = self
                .range
                .above_start(uk)
                .then(|| (key.to_vec(), value.to_vec()));
            self.state = State::Forward {
                block,
                data,
                cursor,
            };
            return Ok(entry);
        }
        if data.cursor_key(&cursor) != t.index[block].last_key.as_slice() {
            return Err(Error::corruption(
                &t.path,
                t.index[block].handle.offset,
                Corruption::BadRecord,
            ));
        }
        let next = block + 1;
        if next < t.index.len() {
            let data = t.data_block(next)?;
            let cursor = data.cursor(|_| false, &t.path)?;
            self.state = State::Forward {
                block: next,
                data,
                cursor,
            };
        }
        Ok(None)
    }

    /// Yields the previous entry of `entries`, or moves to the previous block.
    fn step_reverse(
        &mut self,
        block: usize,
        mut entries: Vec<Entry>,
        pos: usize,
    ) -> Result<Option<Entry>> {
        if pos > 0 {
            let entry = std::mem::take(&mut entries[pos - 1]);
            if !self.range.above_start(ikey::user_key(&entry.0)) {
                return Ok(None);
            }
            self.state = State::Active {
                block,
                entries,
                pos: pos - 1,
            };
            return Ok(Some(entry));
        }
        if block > 0 {
            let entries = self.table.block_entries(block - 1)?;
            let pos = entries.len();
            self.state = State::Active {
                block: block - 1,
                entries,
                pos,
            };
        }
        Ok(None)
    }
}

impl Iterator for TableIter {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
impl Table {
    /// Handles of the data blocks, for tests that damage particular blocks.
    pub(crate) fn data_handles(&self) -> Vec<BlockHandle> {
        self.index.iter().map(|e| e.handle).collect()
    }

    /// The last internal key of each data block.
    pub(crate) fn index_keys(&self) -> Vec<Vec<u8>> {
        self.index.iter().map(|e| e.last_key.clone()).collect()
    }

    /// Where the filter block starts: the end of the data blocks.
    pub(crate) fn data_end(&self) -> u64 {
        self.footer.filter.offset
    }
}
