//! The WAL writer: appends framed records to one segment file and syncs them.

use super::record::{self, Defect};
use super::segment_file_name;
use crate::error::{Error, Result};
use crate::io::{Storage, StorageFile};
use crate::limits::WAL_RECORD_SIZE_BYTES_MAX;
use std::io;
use std::sync::Arc;

/// Largest append buffer kept between appends; a larger one (from a huge batch) is freed so
/// one big write does not pin its memory for the life of the segment.
const BUFFER_RETAINED_BYTES_MAX: usize = 1 << 20;

/// Appends records to one WAL segment.
///
/// The writer is single-threaded: group commit happens above it, and the leader hands all
/// followers' payloads to one [`WalWriter::append`] call so they share one write and one sync.
#[derive(Debug)]
pub struct WalWriter {
    file: Box<dyn StorageFile>,
    name: String,
    segment_number: u64,
    /// Offset of the next record; every byte before it holds whole records.
    offset: u64,
    /// A write failed and may have left bytes past `offset`; they are cut off before the
    /// next append or sync so records reported as failed can never be replayed.
    tail_dirty: bool,
    /// A sync failed; the file's durable state is unknown, so the writer refuses all work.
    sync_failed: bool,
    buffer: Vec<u8>,
}

impl WalWriter {
    /// Creates a new empty segment file and syncs the directory so the file survives a crash.
    ///
    /// Refuses to overwrite an existing segment (an `Io` error of kind `AlreadyExists`):
    /// segment numbers are never reused, so an existing file means a caller bug that would
    /// otherwise destroy logged writes.
    pub fn create(storage: &Arc<dyn Storage>, segment_number: u64) -> Result<Self> {
        let name = segment_file_name(segment_number);
        if storage
            .exists(&name)
            .map_err(|e| Error::io("exists", &name, e))?
        {
            let e = io::Error::new(io::ErrorKind::AlreadyExists, "WAL segment already exists");
            return Err(Error::io("create", &name, e));
        }
        let file = storage
            .create(&name)
            .map_err(|e| Error::io("create", &name, e))?;
        storage
            .sync_dir()
            .map_err(|e| Error::io("sync_dir", &name, e))?;
        Ok(WalWriter {
            file,
            name,
            segment_number,
            offset: 0,
            tail_dirty: false,
            sync_failed: false,
            buffer: Vec::new(),
        })
    }

    /// Frames every payload as one record and writes them all with ONE write_at call (group
    /// commit shares it).
    ///
    /// On failure the writer's offset does not advance (the next append rewrites the same
    /// offset) and the error is returned (`DiskFull` or `Io`). A payload larger than
    /// [`WAL_RECORD_SIZE_BYTES_MAX`] fails with `BatchTooLarge` before anything is written.
    /// Appending no payloads writes nothing.
    pub fn append(&mut self, payloads: &[&[u8]]) -> Result<()> {
        self.check_usable()?;
        if payloads.is_empty() {
            return Ok(());
        }
        self.buffer.clear();
        for payload in payloads {
            let pos = u64::try_from(self.buffer.len())
                .ok()
                .and_then(|n| self.offset.checked_add(n))
                .ok_or_else(|| self.offset_overflow())?;
            record::encode(&mut self.buffer, self.segment_number, pos, payload).map_err(
                |_: Defect| Error::BatchTooLarge {
                    size_bytes: payload.len(),
                    limit_bytes: WAL_RECORD_SIZE_BYTES_MAX,
                },
            )?;
        }
        let end = u64::try_from(self.buffer.len())
            .ok()
            .and_then(|n| self.offset.checked_add(n))
            .ok_or_else(|| self.offset_overflow())?;
        self.discard_failed_tail()?;
        let written = self.file.write_at(&self.buffer, self.offset);
        if self.buffer.capacity() > BUFFER_RETAINED_BYTES_MAX {
            self.buffer = Vec::new();
        }
        match written {
            Ok(()) => {
                self.offset = end;
                Ok(())
            }
            Err(e) => {
                // Part of the buffer may be on disk; it must not survive next to later records.
                self.tail_dirty = true;
                Err(Error::io("write_at", &self.name, e))
            }
        }
    }

    /// fdatasync. On failure return the error; the caller poisons the engine (never retry).
    ///
    /// After a failed sync this writer also refuses every later call with `Poisoned`.
    pub fn sync(&mut self) -> Result<()> {
        self.check_usable()?;
        self.discard_failed_tail()?;
        match self.file.sync_data() {
            Ok(()) => Ok(()),
            Err(e) => {
                // The kernel may have dropped the dirty pages; retrying could report success
                // for data that never reached the disk.
                self.sync_failed = true;
                Err(Error::io("sync_data", &self.name, e))
            }
        }
    }

    /// Offset of the next record: the bytes of whole records written so far.
    pub fn size_bytes(&self) -> u64 {
        self.offset
    }

    /// The number of the segment this writer appends to.
    pub fn segment_number(&self) -> u64 {
        self.segment_number
    }

    fn check_usable(&self) -> Result<()> {
        if self.sync_failed {
            return Err(Error::Poisoned { cause: "WAL sync" });
        }
        Ok(())
    }

    /// Cuts the file back to `offset` after a failed write, so partially written records are
    /// neither replayed nor mistaken for valid records behind a torn tail.
    fn discard_failed_tail(&mut self) -> Result<()> {
        if self.tail_dirty {
            self.file
                .set_len(self.offset)
                .map_err(|e| Error::io("set_len", &self.name, e))?;
            self.tail_dirty = false;
        }
        Ok(())
    }

    fn offset_overflow(&self) -> Error {
        let e = io::Error::new(
            io::ErrorKind::InvalidInput,
            "WAL segment offset overflows u64",
        );
        Error::io("write_at", &self.name, e)
    }
}
