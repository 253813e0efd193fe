//! Tests of the WAL as a whole: writer and replay together, damage, faults and proptests.

#![allow(clippy::unwrap_used, reason = "tests may unwrap (STYLE.md, Errors)")]

use super::*;
use crate::error::{Corruption, Error, Result};
use crate::io::{FsStorage, Storage, StorageFile};
use proptest::prelude::*;
use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How the next `write_at` of a [`MemStorage`] file fails, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteFault {
    None,
    /// Writes the first `n` bytes of the buffer, then reports `kind`.
    Partial {
        n: usize,
        kind: io::ErrorKind,
    },
}

#[derive(Debug, Default)]
struct MemState {
    files: HashMap<String, Arc<Mutex<Vec<u8>>>>,
}

/// An in-memory storage that counts calls and can fail writes and syncs once.
#[derive(Debug)]
struct MemStorage {
    state: Mutex<MemState>,
    fault: Arc<Mutex<WriteFault>>,
    fail_sync: Arc<Mutex<bool>>,
    writes: Arc<AtomicUsize>,
    dir_syncs: AtomicUsize,
}

impl MemStorage {
    fn new() -> Arc<Self> {
        Arc::new(MemStorage {
            state: Mutex::new(MemState::default()),
            fault: Arc::new(Mutex::new(WriteFault::None)),
            fail_sync: Arc::new(Mutex::new(false)),
            writes: Arc::new(AtomicUsize::new(0)),
            dir_syncs: AtomicUsize::new(0),
        })
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        self.state.lock().unwrap().files[name]
            .lock()
            .unwrap()
            .clone()
    }

    fn put(&self, name: &str, bytes: &[u8]) {
        let file = Arc::new(Mutex::new(bytes.to_vec()));
        self.state
            .lock()
            .unwrap()
            .files
            .insert(name.to_owned(), file);
    }
}

#[derive(Debug)]
struct MemFile {
    data: Arc<Mutex<Vec<u8>>>,
    fault: Arc<Mutex<WriteFault>>,
    fail_sync: Arc<Mutex<bool>>,
    writes: Arc<AtomicUsize>,
}

fn write_into(data: &mut Vec<u8>, buf: &[u8], offset: usize) {
    if data.len() < offset + buf.len() {
        data.resize(offset + buf.len(), 0);
    }
    data[offset..offset + buf.len()].copy_from_slice(buf);
}

impl StorageFile for MemFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let data = self.data.lock().unwrap();
        let start = (offset as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let fault = std::mem::replace(&mut *self.fault.lock().unwrap(), WriteFault::None);
        let mut data = self.data.lock().unwrap();
        match fault {
            WriteFault::None => {
                write_into(&mut data, buf, offset as usize);
                Ok(())
            }
            WriteFault::Partial { n, kind } => {
                write_into(&mut data, &buf[..n.min(buf.len())], offset as usize);
                Err(io::Error::new(kind, "injected write failure"))
            }
        }
    }

    fn sync_data(&self) -> io::Result<()> {
        if std::mem::take(&mut *self.fail_sync.lock().unwrap()) {
            return Err(io::Error::other("injected sync failure"));
        }
        Ok(())
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.data.lock().unwrap().len() as u64)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.data.lock().unwrap().resize(len as usize, 0);
        Ok(())
    }
}

impl Storage for MemStorage {
    fn create(&self, name: &str) -> io::Result<Box<dyn StorageFile>> {
        self.put(name, &[]);
        self.open(name)
    }

    fn open(&self, name: &str) -> io::Result<Box<dyn StorageFile>> {
        let state = self.state.lock().unwrap();
        let data = state
            .files
            .get(name)
            .ok_or(io::ErrorKind::NotFound)?
            .clone();
        Ok(Box::new(MemFile {
            data,
            fault: self.fault.clone(),
            fail_sync: self.fail_sync.clone(),
            writes: self.writes.clone(),
        }))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        let removed = self.state.lock().unwrap().files.remove(name);
        removed
            .map(|_| ())
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let mut state = self.state.lock().unwrap();
        let file = state.files.remove(from).ok_or(io::ErrorKind::NotFound)?;
        state.files.insert(to.to_owned(), file);
        Ok(())
    }

    fn list(&self) -> io::Result<Vec<String>> {
        Ok(self.state.lock().unwrap().files.keys().cloned().collect())
    }

    fn sync_dir(&self) -> io::Result<()> {
        self.dir_syncs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn exists(&self, name: &str) -> io::Result<bool> {
        Ok(self.state.lock().unwrap().files.contains_key(name))
    }
}

fn dyn_storage(mem: &Arc<MemStorage>) -> Arc<dyn Storage> {
    mem.clone()
}

/// Replays a segment and collects its payloads.
fn collect(
    storage: &Arc<dyn Storage>,
    segment_number: u64,
    is_last: bool,
) -> Result<(Vec<Vec<u8>>, ReplayStats)> {
    let mut seen = Vec::new();
    let stats = replay(storage, segment_number, is_last, &mut |p| {
        seen.push(p.to_vec());
        Ok(())
    })?;
    Ok((seen, stats))
}

/// Writes `payloads` to a new segment, one append each, and returns each record's offset.
fn write_segment(
    storage: &Arc<dyn Storage>,
    segment_number: u64,
    payloads: &[Vec<u8>],
) -> Vec<u64> {
    let mut wal = WalWriter::create(storage, segment_number).unwrap();
    let mut offsets = Vec::new();
    for p in payloads {
        offsets.push(wal.size_bytes());
        wal.append(&[p]).unwrap();
    }
    wal.sync().unwrap();
    offsets
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce without a seed file.
fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn sample_payloads() -> Vec<Vec<u8>> {
    vec![
        b"alpha".to_vec(),
        Vec::new(),
        pseudo_random_bytes(3, 300),
        b"omega-record".to_vec(),
    ]
}

fn fs_storage() -> (tempfile::TempDir, Arc<dyn Storage>) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(FsStorage::new(dir.path()).unwrap());
    (dir, storage)
}

/// Replaces segment `segment_number`'s contents with `bytes` through the storage.
fn overwrite(storage: &Arc<dyn Storage>, segment_number: u64, bytes: &[u8]) {
    let f = storage.create(&segment_file_name(segment_number)).unwrap();
    f.write_at(bytes, 0).unwrap();
}

fn read_all(storage: &Arc<dyn Storage>, segment_number: u64) -> Vec<u8> {
    let f = storage.open(&segment_file_name(segment_number)).unwrap();
    let mut buf = vec![0; f.len().unwrap() as usize];
    f.read_exact_at(&mut buf, 0).unwrap();
    buf
}

fn error_offset(err: &Error) -> Option<u64> {
    match err {
        Error::ChecksumMismatch { offset, .. } | Error::Corruption { offset, .. } => Some(*offset),
        _ => None,
    }
}

#[test]
fn segment_file_name_roundtrip_parses_only_canonical_names() {
    for n in [0, 1, 42, 999_999, 1_000_000, u64::MAX] {
        assert_eq!(parse_segment_file_name(&segment_file_name(n)), Some(n));
    }
    assert_eq!(segment_file_name(42), "000042.wal");
    for bad in [
        "42.wal",
        "0000042.wal",
        "000042.sst",
        ".wal",
        "+00042.wal",
        "00004a.wal",
        "",
    ] {
        assert_eq!(parse_segment_file_name(bad), None, "{bad}");
    }
}

#[test]
fn wal_many_random_records_roundtrip_in_order() {
    let (_dir, storage) = fs_storage();
    let mut wal = WalWriter::create(&storage, 7).unwrap();
    assert_eq!(wal.segment_number(), 7);
    let mut written = Vec::new();
    let mut seed = 11u64;
    for batch in 0..40 {
        let mut payloads = Vec::new();
        for _ in 0..(batch % 5) + 1 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let size = match seed >> 60 {
                0 => 0,
                1 => 100 * 1024,
                _ => ((seed >> 20) % (100 * 1024)) as usize,
            };
            payloads.push(pseudo_random_bytes(seed, size));
        }
        let refs: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
        wal.append(&refs).unwrap();
        written.extend(payloads);
        if batch % 7 == 0 {
            wal.sync().unwrap();
        }
    }
    wal.sync().unwrap();
    let size = wal.size_bytes();
    drop(wal);

    let (seen, stats) = collect(&storage, 7, true).unwrap();
    assert_eq!(seen, written);
    let expected_bytes: u64 = written.iter().map(|p| p.len() as u64 + 8).sum();
    assert_eq!(size, expected_bytes);
    let expected = ReplayStats {
        records: written.len() as u64,
        valid_bytes: size,
        truncated_bytes: 0,
    };
    assert_eq!(stats, expected);
}

#[test]
fn wal_empty_segment_replays_zero_records() {
    let (_dir, storage) = fs_storage();
    WalWriter::create(&storage, 1).unwrap();
    assert_eq!(
        collect(&storage, 1, false).unwrap(),
        (Vec::new(), ReplayStats::default())
    );
}

#[test]
fn wal_create_syncs_directory_and_refuses_existing_segment() {
    let mem = MemStorage::new();
    let storage = dyn_storage(&mem);
    let mut wal = WalWriter::create(&storage, 3).unwrap();
    assert_eq!(mem.dir_syncs.load(Ordering::SeqCst), 1);
    wal.append(&[b"keep"]).unwrap();
    let err = WalWriter::create(&storage, 3).unwrap_err();
    assert!(
        matches!(err, Error::Io { ref source, .. } if source.kind() == io::ErrorKind::AlreadyExists)
    );
    assert_eq!(
        collect(&storage, 3, true).unwrap().0,
        vec![b"keep".to_vec()]
    );
}

#[test]
fn wal_append_uses_one_write_per_call() {
    let mem = MemStorage::new();
    let storage = dyn_storage(&mem);
    let mut wal = WalWriter::create(&storage, 1).unwrap();
    wal.append(&[b"a", b"bb", b"", b"dddd"]).unwrap();
    wal.append(&[b"e"]).unwrap();
    wal.append(&[]).unwrap();
    assert_eq!(mem.writes.load(Ordering::SeqCst), 2);
    assert_eq!(wal.size_bytes(), 8 * 5 + 8);
    assert_eq!(collect(&storage, 1, true).unwrap().1.records, 5);
}

#[test]
fn wal_torn_tail_at_every_offset_is_truncated() {
    let (_dir, storage) = fs_storage();
    let payloads = sample_payloads();
    let offsets = write_segment(&storage, 1, &payloads);
    let full = read_all(&storage, 1);
    let last_start = *offsets.last().unwrap();
    let earlier = &payloads[..payloads.len() - 1];
    for cut in last_start..full.len() as u64 {
        overwrite(&storage, 1, &full[..cut as usize]);
        let (seen, stats) = collect(&storage, 1, true).unwrap();
        assert_eq!(seen, earlier, "cut at {cut}");
        assert_eq!(stats.valid_bytes, last_start);
        assert_eq!(stats.truncated_bytes, cut - last_start);
        assert_eq!(read_all(&storage, 1).len() as u64, last_start);

        let (again, stats) = collect(&storage, 1, true).unwrap();
        assert_eq!(again, earlier);
        assert_eq!(stats.truncated_bytes, 0);
    }
}

#[test]
fn wal_torn_tail_in_older_segment_is_an_error() {
    let (_dir, storage) = fs_storage();
    let offsets = write_segment(&storage, 1, &sample_payloads());
    let full = read_all(&storage, 1);
    let last_start = *offsets.last().unwrap();
    for (cut, reason) in [
        (last_start + 3, Corruption::TruncatedHeader),
        (last_start + 9, Corruption::LengthOutOfBounds),
    ] {
        overwrite(&storage, 1, &full[..cut as usize]);
        let err = collect(&storage, 1, false).unwrap_err();
        assert!(
            matches!(err, Error::Corruption { offset, reason: r, ref path } if offset == last_start && r == reason && path == "000001.wal"),
            "{err:?}"
        );
        assert_eq!(
            read_all(&storage, 1).len() as u64,
            cut,
            "an older segment is never truncated"
        );
    }
}

#[test]
fn wal_flipped_byte_in_last_record_is_truncated_as_tail() {
    let (_dir, storage) = fs_storage();
    let payloads = sample_payloads();
    let offsets = write_segment(&storage, 1, &payloads);
    let full = read_all(&storage, 1);
    let last_start = *offsets.last().unwrap() as usize;
    for at in last_start..full.len() {
        let mut damaged = full.clone();
        damaged[at] ^= 0x40;
        overwrite(&storage, 1, &damaged);
        let (seen, stats) = collect(&storage, 1, true).unwrap();
        assert_eq!(seen, &payloads[..payloads.len() - 1], "flip at {at}");
        assert_eq!(stats.truncated_bytes, (full.len() - last_start) as u64);

        overwrite(&storage, 1, &damaged);
        let err = collect(&storage, 1, false).unwrap_err();
        assert!(err.is_corruption(), "{err:?}");
        assert_eq!(error_offset(&err), Some(last_start as u64), "flip at {at}");
    }
}

#[test]
fn wal_flipped_byte_in_middle_record_is_an_error_at_its_offset() {
    let (_dir, storage) = fs_storage();
    let payloads = sample_payloads();
    let offsets = write_segment(&storage, 1, &payloads);
    let full = read_all(&storage, 1);
    let (start, end) = (offsets[2] as usize, offsets[3] as usize);
    for at in start..end {
        let mut damaged = full.clone();
        damaged[at] ^= 0x01;
        for is_last in [true, false] {
            overwrite(&storage, 1, &damaged);
            let mut seen = 0;
            let err = replay(&storage, 1, is_last, &mut |_| {
                seen += 1;
                Ok(())
            })
            .unwrap_err();
            assert!(err.is_corruption(), "{err:?}");
            assert_eq!(error_offset(&err), Some(start as u64), "flip at {at}");
            assert_eq!(seen, 2, "records before the damage are replayed");
            assert_eq!(read_all(&storage, 1), damaged, "nothing is truncated");
        }
    }
    let mut damaged = full.clone();
    damaged[start + 8] ^= 0x01;
    overwrite(&storage, 1, &damaged);
    let err = collect(&storage, 1, true).unwrap_err();
    assert!(matches!(err, Error::ChecksumMismatch { .. }), "{err:?}");
}

#[test]
fn wal_record_copied_to_other_offset_is_rejected() {
    let (_dir, storage) = fs_storage();
    let payloads = vec![
        b"first-8b".to_vec(),
        b"second8b".to_vec(),
        b"third".to_vec(),
    ];
    let offsets = write_segment(&storage, 1, &payloads);
    let mut bytes = read_all(&storage, 1);
    let (a, b) = (offsets[0] as usize, offsets[1] as usize);
    let first = bytes[a..b].to_vec();
    bytes[b..b + first.len()].copy_from_slice(&first);
    overwrite(&storage, 1, &bytes);
    let err = collect(&storage, 1, true).unwrap_err();
    assert!(
        matches!(err, Error::ChecksumMismatch { offset, .. } if offset == b as u64),
        "{err:?}"
    );
}

#[test]
fn wal_record_copied_to_other_segment_is_rejected() {
    let (_dir, storage) = fs_storage();
    write_segment(&storage, 1, &[b"same-len".to_vec(), b"x".to_vec()]);
    write_segment(&storage, 2, &[b"SAME-LEN".to_vec(), b"y".to_vec()]);
    let one = read_all(&storage, 1);
    let mut two = read_all(&storage, 2);
    two[..16].copy_from_slice(&one[..16]);
    overwrite(&storage, 2, &two);
    let err = collect(&storage, 2, true).unwrap_err();
    assert!(
        matches!(err, Error::ChecksumMismatch { offset: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn wal_garbage_after_records_is_truncated_as_tail() {
    let (_dir, storage) = fs_storage();
    let payloads = sample_payloads();
    write_segment(&storage, 1, &payloads);
    let full = read_all(&storage, 1);
    let mut huge_len = u32::MAX.to_le_bytes().to_vec();
    huge_len.extend([0; 20]);
    for garbage in [
        vec![0u8; 4096],
        pseudo_random_bytes(9, 777),
        huge_len,
        vec![0xff; 3],
    ] {
        let mut bytes = full.clone();
        bytes.extend(&garbage);
        overwrite(&storage, 1, &bytes);
        let (seen, stats) = collect(&storage, 1, true).unwrap();
        assert_eq!(seen, payloads);
        assert_eq!(stats.truncated_bytes, garbage.len() as u64);
        assert_eq!(read_all(&storage, 1), full);
    }
}

#[test]
fn wal_callback_error_stops_replay() {
    let (_dir, storage) = fs_storage();
    write_segment(&storage, 1, &sample_payloads());
    let mut calls = 0;
    let err = replay(&storage, 1, true, &mut |_| {
        calls += 1;
        if calls == 2 {
            return Err(Error::Closed);
        }
        Ok(())
    })
    .unwrap_err();
    assert!(matches!(err, Error::Closed));
    assert_eq!(calls, 2);
}

#[test]
fn wal_failed_append_is_rewritten_by_next_append() {
    for n in [0, 5, 8 + 6 + 3, usize::MAX] {
        let mem = MemStorage::new();
        let storage = dyn_storage(&mem);
        let mut wal = WalWriter::create(&storage, 1).unwrap();
        wal.append(&[b"ok-1"]).unwrap();
        let before = wal.size_bytes();
        *mem.fault.lock().unwrap() = WriteFault::Partial {
            n,
            kind: io::ErrorKind::Other,
        };
        // Whole records of the failed batch may reach the file; they must never replay.
        let err = wal.append(&[b"failed", b"lost-two"]).unwrap_err();
        assert!(matches!(err, Error::Io { op: "write_at", .. }), "{err:?}");
        assert_eq!(wal.size_bytes(), before);
        wal.append(&[b"ok-2!!"]).unwrap();
        wal.sync().unwrap();
        let (seen, stats) = collect(&storage, 1, true).unwrap();
        assert_eq!(
            seen,
            vec![b"ok-1".to_vec(), b"ok-2!!".to_vec()],
            "partial write of {n} bytes"
        );
        assert_eq!(stats.truncated_bytes, 0);
        assert_eq!(mem.bytes("000001.wal").len() as u64, wal.size_bytes());
    }
}

#[test]
fn wal_failed_append_then_sync_discards_partial_bytes() {
    let mem = MemStorage::new();
    let storage = dyn_storage(&mem);
    let mut wal = WalWriter::create(&storage, 1).unwrap();
    wal.append(&[b"ok"]).unwrap();
    *mem.fault.lock().unwrap() = WriteFault::Partial {
        n: usize::MAX,
        kind: io::ErrorKind::Other,
    };
    assert!(wal.append(&[b"failed"]).is_err());
    wal.sync().unwrap();
    assert_eq!(collect(&storage, 1, true).unwrap().0, vec![b"ok".to_vec()]);
}

#[test]
fn wal_append_without_space_is_disk_full() {
    let mem = MemStorage::new();
    let storage = dyn_storage(&mem);
    let mut wal = WalWriter::create(&storage, 1).unwrap();
    *mem.fault.lock().unwrap() = WriteFault::Partial {
        n: 3,
        kind: io::ErrorKind::StorageFull,
    };
    let err = wal.append(&[b"payload"]).unwrap_err();
    assert!(
        matches!(err, Error::DiskFull { ref path } if path == "000001.wal"),
        "{err:?}"
    );
    assert_eq!(wal.size_bytes(), 0);
}

#[test]
fn wal_oversized_payload_is_batch_too_large() {
    let mem = MemStorage::new();
    let storage = dyn_storage(&mem);
    let mut wal = WalWriter::create(&storage, 1).unwrap();
    let big = vec![0u8; crate::limits::WAL_RECORD_SIZE_BYTES_MAX + 1];
    let err = wal.append(&[b"small", &big]).unwrap_err();
    assert!(matches!(err, Error::BatchTooLarge { .. }), "{err:?}");
    assert_eq!(mem.writes.load(Ordering::SeqCst), 0);
    assert_eq!(wal.size_bytes(), 0);
}

#[test]
fn wal_failed_sync_poisons_writer() {
    let mem = MemStorage::new();
    let storage = dyn_storage(&mem);
    let mut wal = WalWriter::create(&storage, 1).unwrap();
    wal.append(&[b"x"]).unwrap();
    *mem.fail_sync.lock().unwrap() = true;
    assert!(matches!(
        wal.sync().unwrap_err(),
        Error::Io {
            op: "sync_data",
            ..
        }
    ));
    assert!(matches!(wal.sync().unwrap_err(), Error::Poisoned { .. }));
    assert!(matches!(
        wal.append(&[b"y"]).unwrap_err(),
        Error::Poisoned { .. }
    ));
}

#[test]
fn wal_missing_segment_is_io_not_found() {
    let mem = MemStorage::new();
    let err = collect(&dyn_storage(&mem), 5, true).unwrap_err();
    assert!(
        matches!(err, Error::Io { ref source, .. } if source.kind() == io::ErrorKind::NotFound)
    );
}

/// Damage applied to a valid segment in the proptest.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(prop::sample::Index),
    Flip(prop::sample::Index, u8),
    Zero(prop::sample::Index, usize),
    AppendGarbage(Vec<u8>),
}

fn damage_strategy() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Damage::Truncate),
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, m)| Damage::Flip(i, m)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Damage::Zero(i, n)),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(Damage::AppendGarbage),
    ]
}

fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    if bytes.is_empty() {
        if let Damage::AppendGarbage(g) = damage {
            bytes.extend(g);
        }
        return;
    }
    match damage {
        Damage::Truncate(i) => bytes.truncate(i.index(bytes.len())),
        Damage::Flip(i, m) => {
            let at = i.index(bytes.len());
            bytes[at] ^= m;
        }
        Damage::Zero(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes[at..end].fill(0);
        }
        Damage::AppendGarbage(g) => bytes.extend(g),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn wal_replay_of_arbitrary_bytes_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        is_last in any::<bool>(),
    ) {
        let mem = MemStorage::new();
        mem.put("000001.wal", &bytes);
        let storage = dyn_storage(&mem);
        if let Ok((seen, stats)) = collect(&storage, 1, is_last) {
            prop_assert_eq!(stats.records, seen.len() as u64);
            prop_assert_eq!(stats.valid_bytes + stats.truncated_bytes, bytes.len() as u64);
            let (again, stats) = collect(&storage, 1, is_last).unwrap();
            prop_assert_eq!(again, seen);
            prop_assert_eq!(stats.truncated_bytes, 0);
        }
    }

    #[test]
    fn wal_replay_of_damaged_log_returns_prefix(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..12),
        damage in prop::collection::vec(damage_strategy(), 1..4),
    ) {
        let mem = MemStorage::new();
        let storage = dyn_storage(&mem);
        let mut wal = WalWriter::create(&storage, 4).unwrap();
        for chunk in payloads.chunks(3) {
            let refs: Vec<&[u8]> = chunk.iter().map(Vec::as_slice).collect();
            wal.append(&refs).unwrap();
        }
        let mut bytes = mem.bytes("000004.wal");
        for d in &damage {
            apply(&mut bytes, d);
        }
        mem.put("000004.wal", &bytes);
        let only_truncated = damage.iter().all(|d| matches!(d, Damage::Truncate(_)));
        match collect(&storage, 4, true) {
            Ok((seen, _)) => prop_assert_eq!(&seen[..], &payloads[..seen.len()]),
            Err(err) => {
                prop_assert!(!only_truncated, "a truncated log must replay: {:?}", err);
                prop_assert!(err.is_corruption(), "{:?}", err);
            }
        }
    }
}
