//! Writes a table: data blocks as entries arrive, then filter, index, meta and footer.

use super::block::BlockBuilder;
use super::bloom::BloomBuilder;
use super::format::{self, BlockHandle, BlockType, Footer, FOOTER_LEN};
use super::{TableMeta, TableOptions};
use crate::error::{Corruption, Error, Result};
use crate::io::StorageFile;
use crate::limits;
use crate::lsm::ikey::{self, ValueKind};
use std::cmp::Ordering;

/// Builds one table file from entries added in internal-key order.
///
/// The file must be new and empty; nothing is durable until [`TableBuilder::finish`] has
/// returned. After any error the builder refuses further work: the caller removes the file.
#[derive(Debug)]
pub struct TableBuilder {
    file: Box<dyn StorageFile>,
    path: String,
    file_number: u64,
    opts: TableOptions,
    /// Bytes written so far (the offset of the next block).
    offset: u64,
    data: BlockBuilder,
    index: BlockBuilder,
    bloom: BloomBuilder,
    /// Last internal key added; empty before the first.
    last_key: Vec<u8>,
    smallest: Vec<u8>,
    entry_count: u64,
    tombstone_count: u64,
    seq_min: u64,
    seq_max: u64,
    failed: bool,
}

impl TableBuilder {
    /// Starts a table in `file` (named `path` in errors) with number `file_number`.
    pub fn new(
        file: Box<dyn StorageFile>,
        path: String,
        file_number: u64,
        opts: &TableOptions,
    ) -> Self {
        TableBuilder {
            file,
            path,
            file_number,
            opts: opts.clone(),
            offset: 0,
            data: BlockBuilder::new(opts.restart_interval),
            // Index entries are found by a full decode at open, so restarts only cost space.
            index: BlockBuilder::new(opts.restart_interval),
            bloom: BloomBuilder::new(opts.bloom_bits_per_key),
            last_key: Vec::new(),
            smallest: Vec::new(),
            entry_count: 0,
            tombstone_count: 0,
            seq_min: u64::MAX,
            seq_max: 0,
            failed: false,
        }
    }

    /// Appends an entry. `ikey` must sort strictly after the previous key by
    /// [`ikey::compare`]; a key out of order is a caller bug (asserted in debug builds,
    /// `Corruption::KeysOutOfOrder` in release builds).
    pub fn add(&mut self, ikey: &[u8], value: &[u8]) -> Result<()> {
        self.check_usable()?;
        let Some((user_key, seq, kind)) = ikey::decode(ikey) else {
            return Err(Error::corruption(
                &self.path,
                self.offset,
                Corruption::UnknownTag,
            ));
        };
        let ordered =
            self.entry_count == 0 || ikey::compare(&self.last_key, ikey) == Ordering::Less;
        debug_assert!(ordered, "table keys out of order");
        if !ordered {
            return Err(Error::corruption(
                &self.path,
                self.offset,
                Corruption::KeysOutOfOrder,
            ));
        }
        // Keep a block that already holds entries under the reader's limit.
        let entry_bytes = ikey.len().saturating_add(value.len()).saturating_add(30);
        if !self.data.is_empty()
            && self.data.size_estimate().saturating_add(entry_bytes) > limits::BLOCK_SIZE_BYTES_MAX
        {
            self.flush_data_block()?;
        }
        if self.entry_count == 0 {
            self.smallest = ikey.to_vec();
        }
        if self.entry_count == 0 || ikey::user_key(&self.last_key) != user_key {
            self.bloom.add(user_key);
        }
        self.data.add(ikey, value);
        self.last_key.clear();
        self.last_key.extend_from_slice(ikey);
        self.entry_count += 1;
        if kind == ValueKind::Delete {
            self.tombstone_count += 1;
        }
        self.seq_min = self.seq_min.min(seq);
        self.seq_max = self.seq_max.max(seq);
        if self.data.size_estimate() >= self.opts.block_size_bytes {
            self.flush_data_block()?;
        }
        Ok(())
    }

    /// Bytes the file would have if finished now, roughly.
    pub fn estimated_size_bytes(&self) -> u64 {
        let pending =
            self.data.size_estimate() + self.index.size_estimate() + self.bloom.size_estimate();
        self.offset
            .saturating_add(pending as u64)
            .saturating_add(FOOTER_LEN)
    }

    /// Entries added so far.
    pub fn entry_count(&self) -> u64 {
        self.entry_count
    }

    /// Writes the last data block, the filter, index and meta blocks and the footer, then
    /// syncs the file. A table with no entries is valid: it reads as empty, and its meta has
    /// `entry_count == 0`, empty key bounds and sequence numbers 0.
    pub fn finish(mut self) -> Result<TableMeta> {
        self.check_usable()?;
        if !self.data.is_empty() {
            self.flush_data_block()?;
        }
        let filter = self.write_block(&self.bloom.finish(), BlockType::Filter)?;
        let index_bytes = self.index.finish();
        let index = self.write_block(&index_bytes, BlockType::Index)?;
        let empty = self.entry_count == 0;
        let mut meta = TableMeta {
            file_number: self.file_number,
            size_bytes: 0,
            entry_count: self.entry_count,
            tombstone_count: self.tombstone_count,
            smallest: std::mem::take(&mut self.smallest),
            largest: std::mem::take(&mut self.last_key),
            seq_min: if empty { 0 } else { self.seq_min },
            seq_max: self.seq_max,
        };
        let meta_handle = self.write_block(&format::encode_meta(&meta), BlockType::Meta)?;
        let footer = Footer {
            index,
            filter,
            meta: meta_handle,
            file_number: self.file_number,
        };
        self.write_raw(&footer.encode())?;
        self.file
            .sync_data()
            .map_err(|e| Error::io("sync_data", &self.path, e))?;
        meta.size_bytes = self.offset;
        Ok(meta)
    }

    fn check_usable(&self) -> Result<()> {
        if self.failed {
            return Err(Error::Poisoned {
                cause: "table write",
            });
        }
        Ok(())
    }

    /// Writes the current data block and records it in the index.
    fn flush_data_block(&mut self) -> Result<()> {
        debug_assert!(!self.data.is_empty());
        let last_key = self.data.last_key().to_vec();
        let bytes = self.data.finish();
        let handle = self.write_block(&bytes, BlockType::Data)?;
        let mut value = Vec::with_capacity(20);
        format::put_handle(&mut value, handle);
        self.index.add(&last_key, &value);
        Ok(())
    }

    /// Writes `data` and its trailer at the current offset and returns its handle.
    fn write_block(&mut self, data: &[u8], block_type: BlockType) -> Result<BlockHandle> {
        if data.len() > limits::BLOCK_SIZE_BYTES_MAX {
            // Only an entry beyond the batch limit, or an index for a table far beyond any
            // compaction output, gets here; the reader would refuse the block.
            self.failed = true;
            return Err(Error::BatchTooLarge {
                size_bytes: data.len(),
                limit_bytes: limits::BLOCK_SIZE_BYTES_MAX,
            });
        }
        let handle = BlockHandle {
            offset: self.offset,
            size_bytes: data.len() as u64,
        };
        let trailer = format::block_trailer(self.file_number, self.offset, data, block_type);
        let mut buf = Vec::with_capacity(data.len() + trailer.len());
        buf.extend_from_slice(data);
        buf.extend_from_slice(&trailer);
        self.write_raw(&buf)?;
        Ok(handle)
    }

    fn write_raw(&mut self, buf: &[u8]) -> Result<()> {
        if let Err(e) = self.file.write_at(buf, self.offset) {
            self.failed = true;
            return Err(Error::io("write_at", &self.path, e));
        }
        self.offset += buf.len() as u64;
        Ok(())
    }
}
