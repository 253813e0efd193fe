//! In-memory, seeded, fault-injecting storage: power loss, torn writes, EIO and disk full.
//!
//! [`SimStorage`] keeps every file in memory and tracks, per file, its current bytes, its
//! durable bytes (as of the last `sync_data`) and the writes made since. The namespace has a
//! current and a durable version (as of the last `sync_dir`). [`SimStorage::crash`] throws
//! away what a power loss may throw away, choosing from a seeded RNG, so a failing run
//! replays exactly from its seed.

use super::{Storage, StorageFile};
use crate::sync::{lock, Arc, Mutex};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;

/// `EIO`: what an injected fault returns.
const EIO: i32 = 5;
/// `EBADF`: what a handle opened before a crash returns.
const EBADF: i32 = 9;
/// `ENOSPC`: what a write past the capacity returns.
const ENOSPC: i32 = 28;

/// Settings for a [`SimStorage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SimConfig {
    /// Seeds every random choice the simulation makes; the same seed replays the same run.
    pub seed: u64,
    /// Total bytes all live files may hold; `None` means unlimited.
    pub capacity_bytes: Option<u64>,
}

/// Deterministic in-memory [`Storage`] with fault injection, for tests.
///
/// Clones share the same files. Every call on the storage or on one of its files counts as
/// one call (see [`SimStorage::calls`]); the test helpers (`read_file`, `write_file`, ...)
/// do not count and ignore injected faults.
///
/// ```
/// use tessera_engine::io::{SimStorage, Storage};
///
/// let storage = SimStorage::new(7);
/// let file = storage.create("000001.wal")?;
/// file.write_at(b"synced", 0)?;
/// file.sync_data()?;
/// storage.sync_dir()?;
/// file.write_at(b" and not", 6)?;
/// storage.crash();
/// let bytes = storage.read_file("000001.wal")?;
/// assert!(bytes.starts_with(b"synced"));
/// assert!(b"synced and not".starts_with(&bytes));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct SimStorage {
    inner: Arc<Mutex<State>>,
}

/// A change to a file's contents not yet made durable by `sync_data`.
#[derive(Debug, Clone)]
enum Pending {
    /// `write_at(bytes, offset)`.
    Write { offset: u64, bytes: Vec<u8> },
    /// `set_len(len)`, including the truncation done by `create` on an existing name.
    SetLen(u64),
}

/// One file (an inode): it may have several names across the two namespaces, or none while
/// a handle keeps it open.
#[derive(Debug, Default)]
struct SimFile {
    data: Vec<u8>,
    durable: Vec<u8>,
    pending: Vec<Pending>,
    /// Open handles of the current generation.
    handles: usize,
}

#[derive(Debug)]
struct State {
    seed: u64,
    rng: Rng,
    files: BTreeMap<u64, SimFile>,
    names: BTreeMap<String, u64>,
    durable_names: BTreeMap<String, u64>,
    next_id: u64,
    /// Bumped by every crash; handles from an older generation are dead.
    generation: u64,
    calls: u64,
    /// The call number that fails with EIO, once.
    fail_at_call: Option<u64>,
    fail_syncs: bool,
    capacity_bytes: Option<u64>,
}

impl SimStorage {
    /// An empty storage with unlimited capacity whose random choices follow `seed`.
    pub fn new(seed: u64) -> Self {
        Self::with_config(SimConfig {
            seed,
            ..SimConfig::default()
        })
    }

    /// An empty storage with the given settings.
    pub fn with_config(config: SimConfig) -> Self {
        let state = State {
            seed: config.seed,
            rng: Rng::new(config.seed),
            files: BTreeMap::new(),
            names: BTreeMap::new(),
            durable_names: BTreeMap::new(),
            next_id: 0,
            generation: 0,
            calls: 0,
            fail_at_call: None,
            fail_syncs: false,
            capacity_bytes: config.capacity_bytes,
        };
        SimStorage {
            inner: Arc::new(Mutex::new(state)),
        }
    }

    /// The seed this storage was made with; print it when a test fails so the run replays.
    pub fn seed(&self) -> u64 {
        lock(&self.inner).seed
    }

    /// How many calls on the storage and its files have been made so far.
    pub fn calls(&self) -> u64 {
        lock(&self.inner).calls
    }

    /// Simulates power loss followed by a reboot.
    ///
    /// The namespace reverts to its state at the last `sync_dir`. Each surviving file keeps
    /// its bytes as of its last `sync_data`, then a seeded-random prefix of the writes and
    /// `set_len` calls made since is replayed in order; the last replayed write may be torn,
    /// leaving only a prefix of its bytes. Unsynced changes are never reordered and nothing
    /// appears that was not written (gaps a write skipped over read as zeros, like a hole).
    /// Every handle opened before the crash is dead: all its calls fail with `EBADF`.
    /// Fault settings (`fail_call_after`, `fail_syncs`, capacity) are kept.
    pub fn crash(&self) {
        let mut guard = lock(&self.inner);
        let state = &mut *guard;
        state.generation += 1;
        state.names = state.durable_names.clone();
        let live: BTreeSet<u64> = state.names.values().copied().collect();
        state.files.retain(|id, _| live.contains(id));
        for file in state.files.values_mut() {
            let pending = std::mem::take(&mut file.pending);
            let mut data = std::mem::take(&mut file.durable);
            let applied = state.rng.below(pending.len() as u64 + 1) as usize;
            for (i, change) in pending.iter().take(applied).enumerate() {
                match change {
                    Pending::Write { offset, bytes } => {
                        let last = i + 1 == applied;
                        let keep = if last && state.rng.below(2) == 0 {
                            state.rng.below(bytes.len() as u64 + 1) as usize
                        } else {
                            bytes.len()
                        };
                        apply_write(&mut data, *offset, &bytes[..keep]);
                    }
                    Pending::SetLen(len) => data.resize(to_usize(*len), 0),
                }
            }
            file.durable = data.clone();
            file.data = data;
            file.handles = 0;
        }
    }

    /// Makes the `(n + 1)`-th call from now fail with `EIO`, once; `0` fails the next call.
    ///
    /// The failing call changes nothing. A later call to this method replaces the earlier one.
    pub fn fail_call_after(&self, n: u64) {
        let mut state = lock(&self.inner);
        state.fail_at_call = Some(state.calls + n + 1);
    }

    /// Cancels every pending fault: a scheduled EIO, failing syncs and the capacity limit
    /// (a restarted process meeting a repaired disk).
    pub fn clear_faults(&self) {
        let mut state = lock(&self.inner);
        state.fail_at_call = None;
        state.fail_syncs = false;
        state.capacity_bytes = None;
    }

    /// While `on`, `sync_data` and `sync_dir` fail with `EIO` and make nothing durable.
    pub fn fail_syncs(&self, on: bool) {
        lock(&self.inner).fail_syncs = on;
    }

    /// Sets the total bytes all live files may hold; `None` removes the limit.
    ///
    /// A write or `set_len` that would grow the total past the capacity fails with `ENOSPC`
    /// and changes nothing (no prefix is written). Reads, shrinking and removal keep
    /// working. Lowering the capacity below the current total deletes nothing.
    pub fn set_capacity_bytes(&self, capacity_bytes: Option<u64>) {
        lock(&self.inner).capacity_bytes = capacity_bytes;
    }

    /// Bytes held by live files: those with a current name or an open handle.
    pub fn used_bytes(&self) -> u64 {
        lock(&self.inner).used_bytes()
    }

    /// The current contents of `name`, including unsynced writes.
    pub fn read_file(&self, name: &str) -> io::Result<Vec<u8>> {
        let state = lock(&self.inner);
        let id = state.lookup(name)?;
        Ok(state.file(id)?.data.clone())
    }

    /// Creates or replaces `name` with `bytes`, durably: both the name and the contents
    /// survive a crash. Ignores capacity and injected faults.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        check_name(name)?;
        let mut state = lock(&self.inner);
        let id = match state.names.get(name) {
            Some(&id) => id,
            None => state.new_file(name),
        };
        state.durable_names.insert(name.to_owned(), id);
        let file = state.file_mut(id)?;
        file.data = bytes.to_vec();
        file.durable = bytes.to_vec();
        file.pending.clear();
        Ok(())
    }

    /// Flips every bit of the byte at `offset` in `name` (xor 0xff), simulating media damage.
    ///
    /// Afterwards the file's whole current contents are durable, unsynced writes included.
    pub fn flip_byte(&self, name: &str, offset: u64) -> io::Result<()> {
        self.edit_durably(name, |data| {
            let byte = data.get_mut(to_usize(offset)).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "offset past end of file")
            })?;
            *byte ^= 0xff;
            Ok(())
        })
    }

    /// Truncates or zero-extends `name` to `len` bytes, simulating a lost or damaged tail.
    ///
    /// Afterwards the file's whole current contents are durable, unsynced writes included.
    pub fn truncate_file(&self, name: &str, len: u64) -> io::Result<()> {
        self.edit_durably(name, |data| {
            data.resize(to_usize(len), 0);
            Ok(())
        })
    }

    /// The names in the current namespace, sorted.
    pub fn file_names(&self) -> Vec<String> {
        lock(&self.inner).names.keys().cloned().collect()
    }

    /// The length `name` would have after a crash that kept no unsynced writes.
    pub fn durable_len(&self, name: &str) -> io::Result<u64> {
        let state = lock(&self.inner);
        let id = state.lookup(name)?;
        Ok(state.file(id)?.durable.len() as u64)
    }

    fn edit_durably(
        &self,
        name: &str,
        edit: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut state = lock(&self.inner);
        let id = state.lookup(name)?;
        let file = state.file_mut(id)?;
        edit(&mut file.data)?;
        file.durable = file.data.clone();
        file.pending.clear();
        Ok(())
    }

    /// Counts a call and returns the injected fault if this call is the chosen one.
    fn begin(&self) -> io::Result<crate::sync::MutexGuard<'_, State>> {
        let mut state = lock(&self.inner);
        state.calls += 1;
        if state.fail_at_call == Some(state.calls) {
            state.fail_at_call = None;
            return Err(io::Error::from_raw_os_error(EIO));
        }
        Ok(state)
    }

    fn handle(&self, state: &mut State, id: u64, name: &str) -> Box<dyn StorageFile> {
        if let Some(file) = state.files.get_mut(&id) {
            file.handles += 1;
        }
        Box::new(SimHandle {
            storage: self.clone(),
            id,
            generation: state.generation,
            name: name.to_owned(),
        })
    }
}

impl fmt::Debug for SimStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.inner);
        f.debug_struct("SimStorage")
            .field("seed", &state.seed)
            .field("files", &state.names.len())
            .field("calls", &state.calls)
            .finish_non_exhaustive()
    }
}

impl State {
    fn lookup(&self, name: &str) -> io::Result<u64> {
        self.names.get(name).copied().ok_or_else(|| not_found(name))
    }

    fn file(&self, id: u64) -> io::Result<&SimFile> {
        self.files
            .get(&id)
            .ok_or_else(|| io::Error::from_raw_os_error(EBADF))
    }

    fn file_mut(&mut self, id: u64) -> io::Result<&mut SimFile> {
        self.files
            .get_mut(&id)
            .ok_or_else(|| io::Error::from_raw_os_error(EBADF))
    }

    fn new_file(&mut self, name: &str) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.files.insert(id, SimFile::default());
        self.names.insert(name.to_owned(), id);
        id
    }

    fn used_bytes(&self) -> u64 {
        let named: BTreeSet<u64> = self.names.values().copied().collect();
        self.files
            .iter()
            .filter(|(id, file)| file.handles > 0 || named.contains(id))
            .map(|(_, file)| file.data.len() as u64)
            .sum()
    }

    /// Fails with `ENOSPC` if growing file `id` to `new_len` bytes would exceed the capacity.
    fn reserve(&self, id: u64, new_len: u64) -> io::Result<()> {
        let Some(capacity) = self.capacity_bytes else {
            return Ok(());
        };
        let old_len = self.file(id)?.data.len() as u64;
        if new_len > old_len && self.used_bytes() + (new_len - old_len) > capacity {
            return Err(io::Error::from_raw_os_error(ENOSPC));
        }
        Ok(())
    }

    /// Drops files no name, durable name or handle refers to.
    fn collect_garbage(&mut self) {
        let names = &self.names;
        let durable_names = &self.durable_names;
        let referenced: BTreeSet<u64> = names
            .values()
            .chain(durable_names.values())
            .copied()
            .collect();
        self.files
            .retain(|id, file| file.handles > 0 || referenced.contains(id));
    }

    fn check_sync(&self) -> io::Result<()> {
        if self.fail_syncs {
            return Err(io::Error::from_raw_os_error(EIO));
        }
        Ok(())
    }
}

impl Storage for SimStorage {
    fn create(&self, name: &str) -> io::Result<Box<dyn StorageFile>> {
        let mut state = self.begin()?;
        check_name(name)?;
        let id = match state.names.get(name) {
            // Like O_TRUNC: the same file, emptied; the truncation is an unsynced change.
            Some(&id) => {
                let file = state.file_mut(id)?;
                file.data.clear();
                file.pending.push(Pending::SetLen(0));
                id
            }
            None => state.new_file(name),
        };
        Ok(self.handle(&mut state, id, name))
    }

    fn open(&self, name: &str) -> io::Result<Box<dyn StorageFile>> {
        let mut state = self.begin()?;
        check_name(name)?;
        let id = state.lookup(name)?;
        Ok(self.handle(&mut state, id, name))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        let mut state = self.begin()?;
        check_name(name)?;
        state.names.remove(name).ok_or_else(|| not_found(name))?;
        state.collect_garbage();
        Ok(())
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let mut state = self.begin()?;
        check_name(from)?;
        check_name(to)?;
        let id = state.names.remove(from).ok_or_else(|| not_found(from))?;
        state.names.insert(to.to_owned(), id);
        state.collect_garbage();
        Ok(())
    }

    fn list(&self) -> io::Result<Vec<String>> {
        let state = self.begin()?;
        Ok(state.names.keys().cloned().collect())
    }

    fn sync_dir(&self) -> io::Result<()> {
        let mut state = self.begin()?;
        state.check_sync()?;
        state.durable_names = state.names.clone();
        state.collect_garbage();
        Ok(())
    }

    fn exists(&self, name: &str) -> io::Result<bool> {
        let state = self.begin()?;
        check_name(name)?;
        Ok(state.names.contains_key(name))
    }
}

/// An open file of a [`SimStorage`]; dead once the storage crashes.
struct SimHandle {
    storage: SimStorage,
    id: u64,
    generation: u64,
    name: String,
}

impl SimHandle {
    /// Counts the call, injects a fault if due, and checks the handle survived every crash.
    fn begin(&self) -> io::Result<crate::sync::MutexGuard<'_, State>> {
        let state = self.storage.begin()?;
        if state.generation != self.generation {
            return Err(io::Error::from_raw_os_error(EBADF));
        }
        Ok(state)
    }
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle")
            .field("name", &self.name)
            .field("id", &self.id)
            .field("generation", &self.generation)
            .finish()
    }
}

impl StorageFile for SimHandle {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let state = self.begin()?;
        let data = &state.file(self.id)?.data;
        let start = to_usize(offset).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        let mut state = self.begin()?;
        let old_len = state.file(self.id)?.data.len() as u64;
        let end = offset.checked_add(buf.len() as u64).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "write past the largest offset")
        })?;
        state.reserve(self.id, old_len.max(end))?;
        let file = state.file_mut(self.id)?;
        apply_write(&mut file.data, offset, buf);
        file.pending.push(Pending::Write {
            offset,
            bytes: buf.to_vec(),
        });
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        let mut state = self.begin()?;
        state.check_sync()?;
        let file = state.file_mut(self.id)?;
        file.durable = file.data.clone();
        file.pending.clear();
        Ok(())
    }

    fn len(&self) -> io::Result<u64> {
        let state = self.begin()?;
        Ok(state.file(self.id)?.data.len() as u64)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut state = self.begin()?;
        state.reserve(self.id, len)?;
        let file = state.file_mut(self.id)?;
        file.data.resize(to_usize(len), 0);
        file.pending.push(Pending::SetLen(len));
        Ok(())
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let mut state = lock(&self.storage.inner);
        if state.generation != self.generation {
            return;
        }
        if let Some(file) = state.files.get_mut(&self.id) {
            file.handles = file.handles.saturating_sub(1);
        }
        state.collect_garbage();
    }
}

/// Writes `bytes` at `offset`, zero-filling any gap past the end of `data`.
fn apply_write(data: &mut Vec<u8>, offset: u64, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let start = to_usize(offset);
    let end = start + bytes.len();
    if data.len() < end {
        data.resize(end, 0);
    }
    data[start..end].copy_from_slice(bytes);
}

/// Converts a file offset to a memory index; simulated files live in memory, so an offset
/// past `usize::MAX` could never have been written.
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Rejects the same names [`super::FsStorage`] rejects, so tests catch them here too.
fn check_name(name: &str) -> io::Result<()> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad file name"));
    }
    Ok(())
}

fn not_found(name: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("no file named {name:?}"))
}

/// splitmix64: tiny, fast, and good enough to pick crash outcomes from a seed.
#[derive(Debug, Clone)]
struct Rng {
    state: u64,
}

impl Rng {
    fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `0` when `n` is `0`. The modulo bias is negligible for our `n`.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.next_u64() % n
    }
}

#[cfg(test)]
mod tests;
