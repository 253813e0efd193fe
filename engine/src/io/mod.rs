//! The storage trait: every byte the engine reads or writes goes through it.
//!
//! A store lives in one directory with a flat namespace of file names (`000012.sst`,
//! `000003.wal`, `MANIFEST-000005`, `CURRENT`). [`FsStorage`] maps names onto a real
//! directory; [`SimStorage`] keeps files in memory and injects faults deterministically from
//! a seed (power loss, torn writes, EIO on the Nth call, disk full). With the `io-uring`
//! feature, `UringStorage` submits appends and reads through an io_uring ring.

mod fs;
pub mod sim;
#[cfg(feature = "io-uring")]
mod uring;

pub use fs::FsStorage;
pub use sim::{SimConfig, SimStorage};
#[cfg(feature = "io-uring")]
pub use uring::UringStorage;

use std::fmt::Debug;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// Opens the fastest storage this build and kernel support over the directory `root`.
///
/// With the `io-uring` feature this is a `UringStorage` when the kernel grants a ring, and
/// otherwise an [`FsStorage`], after logging one warning per process (not one per store).
/// Without the feature it is always an [`FsStorage`]. Fails only if `root` cannot be created.
pub fn open_best(root: impl AsRef<Path>) -> io::Result<Arc<dyn Storage>> {
    let fs = FsStorage::new(root)?;
    #[cfg(feature = "io-uring")]
    let fs = match UringStorage::with_fs(fs.clone()) {
        Ok(uring) => return Ok(Arc::new(uring)),
        Err(e) => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                log::warn!("io_uring unavailable ({e}); falling back to ordinary file I/O");
            });
            fs
        }
    };
    Ok(Arc::new(fs))
}

/// A directory of files.
///
/// Namespace changes (`create`, `rename`, `remove`) are durable only after [`Storage::sync_dir`];
/// file contents only after [`StorageFile::sync_data`]. The engine relies on exactly these
/// guarantees and no more, which is what the simulated storage checks.
pub trait Storage: Send + Sync + Debug {
    /// Creates `name` empty, truncating it if it exists. Opened for reading and writing.
    fn create(&self, name: &str) -> io::Result<Box<dyn StorageFile>>;
    /// Opens an existing file for reading and writing.
    fn open(&self, name: &str) -> io::Result<Box<dyn StorageFile>>;
    /// Removes `name`. Removing a missing file is an error of kind `NotFound`.
    fn remove(&self, name: &str) -> io::Result<()>;
    /// Atomically renames `from` to `to`, replacing `to` if it exists.
    fn rename(&self, from: &str, to: &str) -> io::Result<()>;
    /// Lists the names of all files in the directory, in no particular order.
    fn list(&self) -> io::Result<Vec<String>>;
    /// Makes earlier `create`, `rename` and `remove` calls durable.
    fn sync_dir(&self) -> io::Result<()>;
    /// True if `name` exists.
    fn exists(&self, name: &str) -> io::Result<bool>;
}

/// An open file supporting positional reads and writes.
pub trait StorageFile: Send + Sync + Debug {
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (0 at EOF).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// Writes all of `buf` at `offset`, extending the file if needed.
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// Makes the file's contents durable (fdatasync).
    fn sync_data(&self) -> io::Result<()>;
    /// Current length in bytes.
    fn len(&self) -> io::Result<u64>;
    /// Truncates or extends the file to `len` bytes.
    fn set_len(&self, len: u64) -> io::Result<()>;

    /// True if the file is empty.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Reads exactly `buf.len()` bytes at `offset`, failing with `UnexpectedEof` if the file
    /// is shorter.
    fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
        while !buf.is_empty() {
            let n = self.read_at(buf, offset)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short read"));
            }
            buf = &mut buf[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_best_on_fresh_dir_gives_working_storage() {
        let dir = tempfile::tempdir().unwrap();
        let storage = open_best(dir.path().join("store")).unwrap();
        let file = storage.create("a").unwrap();
        file.write_at(b"abc", 0).unwrap();
        file.sync_data().unwrap();
        storage.sync_dir().unwrap();
        let mut buf = [0u8; 3];
        storage
            .open("a")
            .unwrap()
            .read_exact_at(&mut buf, 0)
            .unwrap();
        assert_eq!(&buf, b"abc");
    }
}
