//! io_uring storage: file reads, writes and data syncs go through a ring; the namespace
//! operations reuse [`FsStorage`].
//!
//! One ring serves the whole storage behind a mutex and holds at most one operation at a
//! time: each call pushes one submission, submits it and waits for its completion before
//! returning. That wait is what makes lending the kernel a pointer into the caller's buffer
//! sound, so no path may return while an operation is still in flight.

use super::{FsStorage, Storage, StorageFile};
use crate::sync::{lock, Arc, Mutex};
use io_uring::{opcode, squeue, types, IoUring};
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Submission queue size; one entry would do since at most one operation is in flight.
const RING_ENTRIES: u32 = 8;

/// The largest read or write submitted as one operation. Linux moves at most about 2 GiB per
/// call anyway, and the length field is 32 bits; larger buffers are split.
const OP_BYTES_MAX: usize = 1 << 30;

/// Storage over a directory whose file I/O is submitted through io_uring.
///
/// Names, creation, removal, renames, listing and `sync_dir` go through [`FsStorage`];
/// `read_at`, `write_at` and `sync_data` (as `IORING_OP_FSYNC` with `DATASYNC`) go through
/// a ring shared by every file of this storage. `len` and `set_len` use ordinary calls.
#[derive(Clone)]
pub struct UringStorage {
    fs: FsStorage,
    ring: Arc<Ring>,
}

impl UringStorage {
    /// Uses `root` as the store directory (creating it if missing) and sets up a ring.
    ///
    /// Fails if the directory cannot be created or the kernel refuses io_uring (too old,
    /// disabled by sysctl, or blocked by a seccomp filter); see [`super::open_best`] for the
    /// fallback.
    pub fn new(root: impl AsRef<Path>) -> io::Result<Self> {
        Self::with_fs(FsStorage::new(root)?)
    }

    /// Adds a ring to an existing [`FsStorage`]; fails only if the kernel refuses the ring.
    pub(super) fn with_fs(fs: FsStorage) -> io::Result<Self> {
        let ring = IoUring::new(RING_ENTRIES)?;
        let state = RingState {
            ring,
            broken: false,
            next_user_data: 0,
            ops: 0,
        };
        Ok(UringStorage {
            fs,
            ring: Arc::new(Ring {
                state: Mutex::new(state),
            }),
        })
    }

    /// The directory this storage lives in.
    pub fn root(&self) -> &Path {
        self.fs.root()
    }

    fn wrap(&self, file: File) -> Box<dyn StorageFile> {
        Box::new(UringFile {
            file,
            ring: Arc::clone(&self.ring),
        })
    }
}

impl fmt::Debug for UringStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UringStorage")
            .field("root", &self.fs.root())
            .finish_non_exhaustive()
    }
}

impl Storage for UringStorage {
    fn create(&self, name: &str) -> io::Result<Box<dyn StorageFile>> {
        Ok(self.wrap(self.fs.create_file(name)?))
    }

    fn open(&self, name: &str) -> io::Result<Box<dyn StorageFile>> {
        Ok(self.wrap(self.fs.open_file(name)?))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        self.fs.remove(name)
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.fs.rename(from, to)
    }

    fn list(&self) -> io::Result<Vec<String>> {
        self.fs.list()
    }

    fn sync_dir(&self) -> io::Result<()> {
        self.fs.sync_dir()
    }

    fn exists(&self, name: &str) -> io::Result<bool> {
        self.fs.exists(name)
    }
}

/// The shared ring.
struct Ring {
    state: Mutex<RingState>,
}

struct RingState {
    ring: IoUring,
    /// Set when a submission could not be handed to the kernel. The entry may still sit in
    /// the submission queue pointing at a buffer that is gone, so the ring is never
    /// submitted again.
    broken: bool,
    next_user_data: u64,
    /// Operations completed through the ring, so tests can check the ring was used.
    ops: u64,
}

impl Ring {
    /// Runs one operation to completion and returns its result (bytes moved, or 0).
    ///
    /// # Safety
    ///
    /// Every buffer and file descriptor `entry` points to must stay valid, and not be
    /// otherwise accessed, until this call returns. This call does not return while the
    /// kernel may still touch them: it either never submits the entry or waits for its
    /// completion.
    #[expect(
        unsafe_code,
        reason = "callers lend the kernel raw pointers for the operation"
    )]
    unsafe fn run(&self, entry: squeue::Entry) -> io::Result<u32> {
        let mut state = lock(&self.state);
        if state.broken {
            return Err(io::Error::other(
                "io_uring ring is unusable after an earlier failure",
            ));
        }
        let user_data = state.next_user_data;
        state.next_user_data = state.next_user_data.wrapping_add(1);
        let entry = entry.user_data(user_data);
        #[expect(
            unsafe_code,
            reason = "handing the kernel pointers into the caller's buffer"
        )]
        // SAFETY: the caller keeps the buffers and descriptor alive until we return, and we
        // return only after the completion for `user_data` arrives or when the entry was
        // never submitted (the ring is then marked broken and never submitted again).
        let pushed = unsafe { state.ring.submission().push(&entry) };
        if pushed.is_err() {
            // Nothing was queued: earlier operations all completed, so the queue is not full
            // unless the ring is broken, which we checked.
            return Err(io::Error::other("io_uring submission queue is full"));
        }
        loop {
            match state.ring.submit() {
                Ok(n) if n > 0 => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // io_uring_enter reports an error only when it consumed no entry, so ours is
                // still queued: poison the ring so it is never submitted.
                Ok(_) => {
                    state.broken = true;
                    return Err(io::Error::other("io_uring accepted no submission"));
                }
                Err(e) => {
                    state.broken = true;
                    return Err(e);
                }
            }
        }
        state.wait(user_data)
    }
}

impl RingState {
    /// Waits for the completion of the submitted operation `user_data`.
    fn wait(&mut self, user_data: u64) -> io::Result<u32> {
        loop {
            if let Some(cqe) = self.ring.completion().next() {
                if cqe.user_data() != user_data {
                    // Cannot happen with one operation in flight; skip rather than misattribute.
                    debug_assert!(
                        false,
                        "completion for unknown operation {}",
                        cqe.user_data()
                    );
                    continue;
                }
                self.ops += 1;
                let result = cqe.result();
                return match u32::try_from(result) {
                    Ok(n) => Ok(n),
                    Err(_) => Err(io::Error::from_raw_os_error(result.saturating_neg())),
                };
            }
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if is_transient(&e) => {}
                Err(e) => {
                    // The kernel still owns a pointer into the caller's buffer. Returning would
                    // let the caller free or reuse it under a pending operation; stopping the
                    // process is the only sound exit.
                    log::error!("io_uring wait failed with an operation in flight: {e}");
                    std::process::abort();
                }
            }
        }
    }
}

/// Errors from waiting on the ring after which waiting again is correct.
fn is_transient(e: &io::Error) -> bool {
    const EAGAIN: i32 = 11;
    const EBUSY: i32 = 16;
    e.kind() == io::ErrorKind::Interrupted || matches!(e.raw_os_error(), Some(EAGAIN | EBUSY))
}

/// A file whose reads, writes and data syncs go through the storage's ring.
struct UringFile {
    file: File,
    ring: Arc<Ring>,
}

impl UringFile {
    fn fd(&self) -> types::Fd {
        types::Fd(self.file.as_raw_fd())
    }

    /// One read of at most [`OP_BYTES_MAX`] bytes; may return fewer than asked.
    fn read_once(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let len = buf.len().min(OP_BYTES_MAX);
        let len = u32::try_from(len).expect("OP_BYTES_MAX fits in u32");
        let entry = opcode::Read::new(self.fd(), buf.as_mut_ptr(), len)
            .offset(offset)
            .build();
        #[expect(
            unsafe_code,
            reason = "the kernel writes into `buf` through a raw pointer"
        )]
        // SAFETY: `buf` is exclusively borrowed and `self.file` borrowed for this whole call,
        // and `run` returns only after the read completed or was never submitted.
        let n = unsafe { self.ring.run(entry) }?;
        Ok(n as usize)
    }

    /// One write of at most [`OP_BYTES_MAX`] bytes; may write fewer than given.
    fn write_once(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        let len = buf.len().min(OP_BYTES_MAX);
        let len = u32::try_from(len).expect("OP_BYTES_MAX fits in u32");
        let entry = opcode::Write::new(self.fd(), buf.as_ptr(), len)
            .offset(offset)
            .build();
        #[expect(unsafe_code, reason = "the kernel reads `buf` through a raw pointer")]
        // SAFETY: `buf` and `self.file` are borrowed for this whole call, nothing writes to
        // `buf` meanwhile, and `run` returns only after the write completed or was never
        // submitted.
        let n = unsafe { self.ring.run(entry) }?;
        Ok(n as usize)
    }
}

impl fmt::Debug for UringFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UringFile")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl StorageFile for UringFile {
    /// Fills `buf` unless the file ends first: short only at end of file.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match self.read_once(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        let mut done = 0;
        while done < buf.len() {
            match self.write_once(&buf[done..], offset + done as u64) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        let entry = opcode::Fsync::new(self.fd())
            .flags(types::FsyncFlags::DATASYNC)
            .build();
        #[expect(unsafe_code, reason = "submitting an fsync that names our descriptor")]
        // SAFETY: the operation touches no memory; `self.file` keeps the descriptor open for
        // this whole call, and `run` waits for the completion. A failed fsync is not retried.
        let result = unsafe { self.ring.run(entry) };
        result.map(|_| ())
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ring-backed storage in a fresh directory, or `None` where the kernel refuses rings.
    fn storage() -> Option<(tempfile::TempDir, UringStorage)> {
        let dir = tempfile::tempdir().unwrap();
        match UringStorage::new(dir.path()) {
            Ok(s) => Some((dir, s)),
            Err(e) => {
                eprintln!("io_uring unavailable here ({e}); ring tests check nothing");
                None
            }
        }
    }

    fn ops(s: &UringStorage) -> u64 {
        lock(&s.ring.state).ops
    }

    #[test]
    fn uring_write_then_read_returns_same_bytes() {
        let Some((_dir, s)) = storage() else { return };
        let f = s.create("a").unwrap();
        f.write_at(b"hello", 0).unwrap();
        f.write_at(b"world", 5).unwrap();
        let mut buf = [0u8; 10];
        f.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"helloworld");
        assert_eq!(f.len().unwrap(), 10);
        assert!(ops(&s) >= 3, "operations did not go through the ring");
    }

    #[test]
    fn uring_large_write_reads_back_whole() {
        let Some((_dir, s)) = storage() else { return };
        let data: Vec<u8> = (0..8 << 20).map(|i: u32| (i % 251) as u8).collect();
        let f = s.create("big").unwrap();
        f.write_at(&data, 4096).unwrap();
        let mut back = vec![0u8; data.len()];
        assert_eq!(f.read_at(&mut back, 4096).unwrap(), data.len());
        assert!(back == data);
        let mut head = [1u8; 4096];
        f.read_exact_at(&mut head, 0).unwrap();
        assert!(head.iter().all(|&b| b == 0));
    }

    #[test]
    fn uring_read_past_eof_returns_short() {
        let Some((_dir, s)) = storage() else { return };
        let f = s.create("a").unwrap();
        f.write_at(b"0123456789", 0).unwrap();
        let mut buf = [0u8; 100];
        assert_eq!(f.read_at(&mut buf, 5).unwrap(), 5);
        assert_eq!(&buf[..5], b"56789");
        assert_eq!(f.read_at(&mut buf, 10).unwrap(), 0);
        assert_eq!(f.read_at(&mut buf, 1000).unwrap(), 0);
        let err = f.read_exact_at(&mut buf, 0).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn uring_sync_then_reopen_sees_data() {
        let Some((dir, s)) = storage() else { return };
        let f = s.create("tmp").unwrap();
        f.write_at(b"durable", 0).unwrap();
        let before = ops(&s);
        f.sync_data().unwrap();
        assert_eq!(ops(&s), before + 1, "sync_data did not go through the ring");
        s.rename("tmp", "CURRENT").unwrap();
        s.sync_dir().unwrap();
        drop(f);
        let again = UringStorage::new(dir.path()).unwrap();
        assert_eq!(again.list().unwrap(), vec!["CURRENT".to_string()]);
        let f = again.open("CURRENT").unwrap();
        let mut buf = [0u8; 7];
        f.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"durable");
        f.set_len(3).unwrap();
        assert_eq!(f.len().unwrap(), 3);
        assert!(again.create("../x").is_err());
    }

    #[test]
    fn uring_shared_ring_serves_threads_concurrently() {
        let Some((_dir, s)) = storage() else { return };
        std::thread::scope(|scope| {
            for t in 0..4u8 {
                let s = &s;
                scope.spawn(move || {
                    let f = s.create(&format!("f{t}")).unwrap();
                    for i in 0..100u64 {
                        f.write_at(&[t; 16], i * 16).unwrap();
                    }
                    let mut buf = vec![0u8; 1600];
                    f.read_exact_at(&mut buf, 0).unwrap();
                    assert!(buf.iter().all(|&b| b == t));
                });
            }
        });
    }
}
