//! The engine's error type: caller mistakes, system faults and corruption kept apart.

use std::io;

/// Result alias used throughout the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the engine.
///
/// Caller mistakes (`BatchTooLarge`, `KeyTooLarge`, ...) leave the engine healthy.
/// System faults (`Io`, `DiskFull`) fail the one operation. `Corruption` and
/// `ChecksumMismatch` name the file and byte offset so an operator can find the damage.
/// `Poisoned` means an earlier fsync failed: the engine no longer trusts its files and
/// refuses writes until it is reopened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O call failed.
    #[error("I/O error during {op} on {path}: {source}")]
    Io {
        /// The storage call that failed (`read_at`, `sync_data`, ...).
        op: &'static str,
        /// File the call was made on.
        path: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The disk has no space left: writes fail until space returns, reads keep serving.
    #[error("disk full while writing {path}")]
    DiskFull {
        /// File that could not be written.
        path: String,
    },
    /// A checksum did not match: the bytes at `offset` in `path` are damaged or misplaced.
    #[error("checksum mismatch in {path} at offset {offset}: expected {expected:#010x}, found {actual:#010x}")]
    ChecksumMismatch {
        /// The damaged file.
        path: String,
        /// Byte offset of the damaged record or block.
        offset: u64,
        /// Checksum stored on disk.
        expected: u32,
        /// Checksum computed from the bytes read.
        actual: u32,
    },
    /// A structure on disk is malformed.
    #[error("corruption in {path} at offset {offset}: {reason}")]
    Corruption {
        /// The damaged file.
        path: String,
        /// Byte offset where the damage was found.
        offset: u64,
        /// What was wrong.
        reason: Corruption,
    },
    /// A file was written by an unknown format version.
    #[error("{path} has format version {found}, this build reads version {supported}")]
    UnsupportedFormatVersion {
        /// The file.
        path: String,
        /// Version found in the file.
        found: u32,
        /// Version this build understands.
        supported: u32,
    },
    /// An earlier fsync or background job failed; the engine refuses writes until reopened.
    #[error("engine is poisoned by an earlier failed {cause}; reopen it to recover")]
    Poisoned {
        /// What failed first.
        cause: &'static str,
    },
    /// Writers waited longer than the configured bound for flushes or compactions.
    #[error("write stalled for {waited_ms} ms waiting for background flushes and compactions")]
    WriteStall {
        /// How long the write waited before giving up.
        waited_ms: u64,
    },
    /// The store is closed.
    #[error("store is closed")]
    Closed,
    /// Another process holds the store's lock file.
    #[error("store at {path} is locked by another process")]
    Locked {
        /// The lock file.
        path: String,
    },
    /// A write batch exceeds the engine's limit.
    #[error("write batch of {size_bytes} bytes exceeds the limit of {limit_bytes} bytes")]
    BatchTooLarge {
        /// Encoded size of the batch.
        size_bytes: usize,
        /// The limit (`limits::BATCH_SIZE_BYTES_MAX`).
        limit_bytes: usize,
    },
    /// A key exceeds the engine's limit.
    #[error("key of {size_bytes} bytes exceeds the limit of {limit_bytes} bytes")]
    KeyTooLarge {
        /// Length of the key.
        size_bytes: usize,
        /// The limit (`limits::KEY_SIZE_BYTES_MAX`).
        limit_bytes: usize,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {field} {reason}")]
    InvalidConfig {
        /// The offending field.
        field: &'static str,
        /// Why it is invalid.
        reason: &'static str,
    },
}

/// The ways an on-disk structure can be malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// A length field points past the end of its container.
    #[error("length field exceeds the available bytes")]
    LengthOutOfBounds,
    /// A record or block is shorter than its fixed header.
    #[error("truncated header")]
    TruncatedHeader,
    /// The magic number is wrong: not our file, or the footer is damaged.
    #[error("bad magic number")]
    BadMagic,
    /// A varint ran past its container or exceeded 64 bits.
    #[error("malformed varint")]
    BadVarint,
    /// Keys are not in the order the format requires.
    #[error("keys out of order")]
    KeysOutOfOrder,
    /// A tag or kind byte has an unknown value.
    #[error("unknown tag byte")]
    UnknownTag,
    /// A restart-point array is inconsistent with its block.
    #[error("bad restart points")]
    BadRestarts,
    /// A sequence number is outside the valid range or goes backwards.
    #[error("bad sequence number")]
    BadSequence,
    /// The manifest references a file that does not exist or has the wrong size.
    #[error("missing or truncated table file")]
    MissingFile,
    /// The CURRENT file does not name a manifest.
    #[error("CURRENT does not name a manifest")]
    BadCurrent,
    /// A record decoded but its contents are inconsistent.
    #[error("inconsistent record contents")]
    BadRecord,
}

impl Error {
    /// Wraps an `io::Error`, turning "no space" into [`Error::DiskFull`].
    pub fn io(op: &'static str, path: &str, source: io::Error) -> Self {
        if is_disk_full(&source) {
            Error::DiskFull {
                path: path.to_owned(),
            }
        } else {
            Error::Io {
                op,
                path: path.to_owned(),
                source,
            }
        }
    }

    /// Builds a [`Error::Corruption`].
    pub fn corruption(path: &str, offset: u64, reason: Corruption) -> Self {
        Error::Corruption {
            path: path.to_owned(),
            offset,
            reason,
        }
    }

    /// True for damage found on disk (checksum, malformed structure, unknown version).
    pub fn is_corruption(&self) -> bool {
        matches!(
            self,
            Error::ChecksumMismatch { .. }
                | Error::Corruption { .. }
                | Error::UnsupportedFormatVersion { .. }
        )
    }
}

/// True when an I/O error means the device is out of space.
pub fn is_disk_full(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::StorageFull || err.raw_os_error() == Some(28)
}
