//! Table tests: model round trips, bloom use, corruption detection and robustness fuzzing.

use super::*;
use crate::error::{Error, Result};
use crate::io::StorageFile;
use crate::lsm::ikey::{self, ValueKind};
use crate::lsm::{Direction, Entry, KeyRange};
use proptest::prelude::*;
use std::io;
use std::ops::Bound;
use std::sync::{Arc, Mutex, OnceLock};

/// An in-memory file whose bytes the test can reach and damage.
#[derive(Debug, Clone, Default)]
struct MemFile(Arc<Mutex<Vec<u8>>>);

impl MemFile {
    fn with(bytes: Vec<u8>) -> Self {
        MemFile(Arc::new(Mutex::new(bytes)))
    }

    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

impl StorageFile for MemFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let data = self.0.lock().unwrap();
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        let mut data = self.0.lock().unwrap();
        let end = offset as usize + buf.len();
        if data.len() < end {
            data.resize(end, 0);
        }
        data[offset as usize..end].copy_from_slice(buf);
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.0.lock().unwrap().len() as u64)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.0.lock().unwrap().resize(len as usize, 0);
        Ok(())
    }
}

/// A seeded xorshift generator: failures name their seed and replay from it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, len_max: u64) -> Vec<u8> {
        let len = self.below(len_max + 1);
        // A small alphabet makes shared prefixes and colliding keys common.
        (0..len)
            .map(|_| b"abcd\x00\xff"[self.below(6) as usize])
            .collect()
    }
}

/// Random entries in internal-key order: several versions per key, some tombstones.
fn random_entries(seed: u64, n: usize) -> Vec<Entry> {
    let mut rng = Rng(seed);
    let mut entries = Vec::with_capacity(n);
    let mut seen = std::collections::BTreeSet::new();
    while entries.len() < n {
        let user_key = rng.bytes(12);
        if !seen.insert(user_key.clone()) {
            continue;
        }
        let mut seq = 1 + rng.below(1000);
        for _ in 0..1 + rng.below(4) {
            seq += 1 + rng.below(50);
            let (kind, value) = if rng.below(5) == 0 {
                (ValueKind::Delete, Vec::new())
            } else {
                (ValueKind::Put, rng.bytes(60))
            };
            entries.push((ikey::encode(&user_key, seq, kind), value));
        }
    }
    entries.sort_by(|a, b| ikey::compare(&a.0, &b.0));
    entries
}

fn small_blocks() -> TableOptions {
    TableOptions {
        block_size_bytes: 256,
        restart_interval: 4,
        bloom_bits_per_key: 10,
    }
}

fn build(entries: &[Entry], file_number: u64, opts: &TableOptions) -> (MemFile, TableMeta) {
    let file = MemFile::default();
    let mut b = TableBuilder::new(
        Box::new(file.clone()),
        file_name(file_number),
        file_number,
        opts,
    );
    for (k, v) in entries {
        b.add(k, v).unwrap();
    }
    assert_eq!(b.entry_count(), entries.len() as u64);
    let meta = b.finish().unwrap();
    (file, meta)
}

fn open(bytes: Vec<u8>, file_number: u64) -> Result<Arc<Table>> {
    let cache = Arc::new(BlockCache::new(1 << 20));
    Table::open(
        Box::new(MemFile::with(bytes)),
        file_name(file_number),
        file_number,
        cache,
    )
}

/// The model's answer to `get`: newest version of `user_key` with seq <= `seq`.
fn model_get(entries: &[Entry], user_key: &[u8], seq: u64) -> Option<(u64, ValueKind, Vec<u8>)> {
    entries.iter().find_map(|(k, v)| {
        let (uk, s, kind) = ikey::decode(k)?;
        (uk == user_key && s <= seq).then(|| (s, kind, v.clone()))
    })
}

fn model_iter(entries: &[Entry], range: &KeyRange, direction: Direction) -> Vec<Entry> {
    let mut out: Vec<Entry> = entries
        .iter()
        .filter(|(k, _)| range.contains(ikey::user_key(k)))
        .cloned()
        .collect();
    if direction == Direction::Reverse {
        out.reverse();
    }
    out
}

fn collect(table: &Arc<Table>, range: KeyRange, direction: Direction) -> Result<Vec<Entry>> {
    table.iter(range, direction).collect()
}

fn random_bound(rng: &mut Rng) -> Bound<Vec<u8>> {
    match rng.below(3) {
        0 => Bound::Included(rng.bytes(6)),
        1 => Bound::Excluded(rng.bytes(6)),
        _ => Bound::Unbounded,
    }
}

#[test]
fn table_round_trip_matches_model() {
    for (seed, opts) in [(7, small_blocks()), (99, TableOptions::default())] {
        let entries = random_entries(seed, 10_000);
        let (file, meta) = build(&entries, 5, &opts);
        assert_eq!(meta.entry_count, entries.len() as u64);
        assert_eq!(meta.smallest, entries[0].0);
        assert_eq!(meta.largest, entries[entries.len() - 1].0);
        let tombstones = entries.iter().filter(|(k, _)| k[k.len() - 1] == 0).count();
        assert_eq!(meta.tombstone_count, tombstones as u64);
        let table = open(file.bytes(), 5).unwrap();
        assert_eq!(table.meta(), &meta);
        assert_eq!(table.size_bytes(), file.bytes().len() as u64);
        let mut rng = Rng(seed);
        let mut found = 0;
        for (k, _) in entries.iter().step_by(7) {
            let (uk, s, _) = ikey::decode(k).unwrap();
            for seq in [0, s - 1, s, s + 1, s + 100, u64::MAX] {
                let want = model_get(&entries, uk, seq);
                found += usize::from(want.is_some());
                assert_eq!(
                    table.get(uk, seq).unwrap(),
                    want,
                    "seed {seed} key {uk:?} seq {seq}"
                );
            }
            let absent = rng.bytes(13);
            assert_eq!(
                table.get(&absent, u64::MAX).unwrap(),
                model_get(&entries, &absent, u64::MAX)
            );
        }
        assert!(found > 1000, "only {found} gets found a version");
        let mut yielded = 0;
        for _ in 0..200 {
            let range = KeyRange {
                start: random_bound(&mut rng),
                end: random_bound(&mut rng),
            };
            for direction in [Direction::Forward, Direction::Reverse] {
                let got = collect(&table, range.clone(), direction).unwrap();
                assert_eq!(
                    got,
                    model_iter(&entries, &range, direction),
                    "seed {seed} {range:?}"
                );
                yielded += got.len();
            }
        }
        assert!(
            yielded > 10_000,
            "random ranges yielded only {yielded} entries"
        );
        for direction in [Direction::Forward, Direction::Reverse] {
            let got = collect(&table, KeyRange::all(), direction).unwrap();
            assert_eq!(got, model_iter(&entries, &KeyRange::all(), direction));
        }
    }
}

#[test]
fn table_empty_reads_as_empty() {
    let (file, meta) = build(&[], 3, &TableOptions::default());
    assert_eq!((meta.entry_count, meta.seq_min, meta.seq_max), (0, 0, 0));
    assert!(meta.smallest.is_empty() && meta.largest.is_empty());
    let table = open(file.bytes(), 3).unwrap();
    assert_eq!(table.get(b"k", u64::MAX).unwrap(), None);
    assert!(collect(&table, KeyRange::all(), Direction::Forward)
        .unwrap()
        .is_empty());
    assert!(collect(&table, KeyRange::all(), Direction::Reverse)
        .unwrap()
        .is_empty());
}

#[test]
fn table_bloom_rejects_absent_keys_without_reading() {
    let entries = random_entries(3, 2000);
    let (file, _) = build(&entries, 1, &TableOptions::default());
    let cache = Arc::new(BlockCache::new(1 << 20));
    let table = Table::open(
        Box::new(MemFile::with(file.bytes())),
        "t".into(),
        1,
        cache.clone(),
    )
    .unwrap();
    let probes = (0..1000u32).map(|i| format!("absent-{i}").into_bytes());
    let passed = probes.filter(|k| table.may_contain(k)).count();
    assert!(
        passed < 50,
        "{passed} of 1000 absent keys passed the filter"
    );
    for (k, _) in &entries {
        assert!(table.may_contain(ikey::user_key(k)));
    }
    assert_eq!(cache.hits() + cache.misses(), 0);
    let (uk, _, _) = ikey::decode(&entries[0].0).unwrap();
    table.get(uk, u64::MAX).unwrap();
    table.get(uk, u64::MAX).unwrap();
    assert_eq!((cache.hits(), cache.misses()), (1, 1));
}

#[test]
fn table_wrong_file_number_fails_open() {
    let (file, _) = build(&random_entries(1, 50), 8, &TableOptions::default());
    assert!(open(file.bytes(), 9).unwrap_err().is_corruption());
}

#[test]
fn table_fs_storage_round_trip_reads_back() {
    use crate::io::{FsStorage, Storage};
    let dir = tempfile::tempdir().unwrap();
    let storage = FsStorage::new(dir.path()).unwrap();
    let entries = random_entries(11, 500);
    let name = file_name(12);
    let mut b = TableBuilder::new(
        storage.create(&name).unwrap(),
        name.clone(),
        12,
        &small_blocks(),
    );
    for (k, v) in &entries {
        b.add(k, v).unwrap();
    }
    let meta = b.finish().unwrap();
    let cache = Arc::new(BlockCache::new(1 << 20));
    let table = Table::open(storage.open(&name).unwrap(), name, 12, cache).unwrap();
    assert_eq!(table.size_bytes(), meta.size_bytes);
    assert_eq!(table.file_number(), 12);
    assert_eq!(
        collect(&table, KeyRange::all(), Direction::Forward).unwrap(),
        entries
    );
}

#[test]
fn file_name_round_trips_and_rejects_others() {
    assert_eq!(file_name(12), "000012.sst");
    assert_eq!(parse_file_name("000012.sst"), Some(12));
    assert_eq!(parse_file_name(&file_name(12_345_678)), Some(12_345_678));
    for bad in [
        "12.sst",
        "000012.wal",
        "00001a.sst",
        ".sst",
        "+00012.sst",
        "000012.sst.tmp",
    ] {
        assert_eq!(parse_file_name(bad), None, "{bad}");
    }
}

#[test]
fn table_and_iter_are_send_sync_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Table>();
    check::<TableIter>();
}

#[cfg(not(debug_assertions))]
#[test]
fn table_builder_out_of_order_key_is_err() {
    let mut b = TableBuilder::new(
        Box::new(MemFile::default()),
        "t".into(),
        1,
        &TableOptions::default(),
    );
    b.add(&ikey::encode(b"b", 1, ValueKind::Put), b"").unwrap();
    assert!(b.add(&ikey::encode(b"a", 1, ValueKind::Put), b"").is_err());
}

/// Asserts that reading the block at `handle` fails with a checksum mismatch, both through
/// `get` and through iteration, and that nothing wrong is returned first.
fn assert_block_rejected(bytes: Vec<u8>, entries: &[Entry], block_last_key: &[u8], what: &str) {
    let table = open(bytes, 5).unwrap();
    let (uk, seq, _) = ikey::decode(block_last_key).unwrap();
    let err = table.get(uk, seq).unwrap_err();
    assert!(
        matches!(err, Error::ChecksumMismatch { .. }),
        "{what}: get gave {err:?}"
    );
    for direction in [Direction::Forward, Direction::Reverse] {
        let items: Vec<Result<Entry>> = table.iter(KeyRange::all(), direction).collect();
        let oks: Vec<Entry> = items
            .iter()
            .filter_map(|r| r.as_ref().ok().cloned())
            .collect();
        let model = model_iter(entries, &KeyRange::all(), direction);
        assert_eq!(
            oks[..],
            model[..oks.len()],
            "{what}: wrong data before the error"
        );
        let last = items.last().unwrap();
        assert!(
            matches!(last, Err(Error::ChecksumMismatch { .. })),
            "{what}: iter ended {last:?}"
        );
    }
}

#[test]
fn table_flipped_data_byte_is_checksum_mismatch() {
    let entries = random_entries(21, 400);
    let (file, _) = build(&entries, 5, &small_blocks());
    let bytes = file.bytes();
    let table = open(bytes.clone(), 5).unwrap();
    let handles = table.data_handles();
    let keys = table.index_keys();
    assert!(handles.len() > 3);
    let h = handles[2];
    for pos in h.offset..h.offset + h.size_bytes + 5 {
        let mut damaged = bytes.clone();
        damaged[pos as usize] ^= 0x01 << (pos % 8);
        assert_block_rejected(damaged, &entries, &keys[2], &format!("byte {pos}"));
    }
}

#[test]
fn table_block_copied_over_another_is_detected() {
    // Fixed-size entries give equal-size blocks, so a block fits exactly over another.
    let entries: Vec<Entry> = (0..300u32)
        .map(|i| {
            (
                ikey::encode(&i.to_be_bytes(), 1, ValueKind::Put),
                vec![i as u8; 20],
            )
        })
        .collect();
    let opts = TableOptions {
        restart_interval: 1,
        ..small_blocks()
    };
    let (file, _) = build(&entries, 5, &opts);
    let (other, _) = build(&entries, 6, &opts);
    let bytes = file.bytes();
    let table = open(bytes.clone(), 5).unwrap();
    let (handles, keys) = (table.data_handles(), table.index_keys());
    let (src, dst) = (handles[0], handles[3]);
    assert_eq!(src.size_bytes, dst.size_bytes);
    let len = (src.size_bytes + 5) as usize;
    let (s, d) = (src.offset as usize, dst.offset as usize);
    let mut moved = bytes.clone();
    moved.copy_within(s..s + len, d);
    assert_block_rejected(moved, &entries, &keys[3], "block moved within the file");
    let mut foreign = bytes.clone();
    foreign[d..d + len].copy_from_slice(&other.bytes()[d..d + len]);
    assert_ne!(foreign, bytes);
    assert_block_rejected(foreign, &entries, &keys[3], "block from another file");
}

#[test]
fn table_flipped_footer_index_filter_or_meta_byte_fails_open() {
    let entries = random_entries(4, 300);
    let (file, _) = build(&entries, 5, &small_blocks());
    let bytes = file.bytes();
    let data_end = open(bytes.clone(), 5).unwrap().data_end() as usize;
    for pos in data_end..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[pos] ^= 0x80 >> (pos % 8);
        let err = open(damaged, 5).unwrap_err();
        assert!(err.is_corruption(), "byte {pos}: {err:?}");
    }
}

#[test]
fn table_truncated_file_fails_open() {
    let entries = random_entries(5, 300);
    let (file, _) = build(&entries, 5, &small_blocks());
    let bytes = file.bytes();
    for len in [
        0,
        1,
        8,
        71,
        72,
        100,
        bytes.len() / 2,
        bytes.len() - 72,
        bytes.len() - 1,
    ] {
        assert!(open(bytes[..len].to_vec(), 5).is_err(), "length {len}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(open(longer, 5).is_err());
}

/// What an iteration yielded, errors included.
type Items = Vec<Result<Entry>>;

/// A valid table and its entries, built once for the fuzz tests.
fn fuzz_table() -> &'static (Vec<u8>, Vec<Entry>) {
    static TABLE: OnceLock<(Vec<u8>, Vec<Entry>)> = OnceLock::new();
    TABLE.get_or_init(|| {
        let entries = random_entries(31, 300);
        let (file, _) = build(&entries, 5, &small_blocks());
        (file.bytes(), entries)
    })
}

/// Opens `bytes` and reads everything; returns what was read without error. Never panics
/// and always terminates, whatever the bytes.
fn read_all(bytes: Vec<u8>, probes: &[Entry]) -> Option<(Items, Items)> {
    let table = open(bytes, 5).ok()?;
    let bound = probes.len() * 2 + 10;
    let forward: Vec<_> = table
        .iter(KeyRange::all(), Direction::Forward)
        .take(bound)
        .collect();
    let reverse: Vec<_> = table
        .iter(KeyRange::all(), Direction::Reverse)
        .take(bound)
        .collect();
    assert!(
        forward.len() < bound && reverse.len() < bound,
        "iteration did not terminate"
    );
    for (k, _) in probes.iter().step_by(37) {
        let (uk, seq, _) = ikey::decode(k).unwrap();
        if let Ok(got) = table.get(uk, seq) {
            assert_eq!(
                got,
                model_get(probes, uk, seq),
                "wrong data from damaged table"
            );
        }
    }
    Some((forward, reverse))
}

proptest! {
    #[test]
    fn table_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = read_all(bytes, &fuzz_table().1);
    }

    #[test]
    fn table_valid_with_flipped_bytes_never_panics_or_lies(
        flips in proptest::collection::vec((any::<usize>(), 1u8..=255), 1..4)
    ) {
        let (bytes, entries) = fuzz_table();
        let mut damaged = bytes.clone();
        for (i, x) in flips {
            let n = damaged.len();
            damaged[i % n] ^= x;
        }
        if let Some((forward, reverse)) = read_all(damaged, entries) {
            for (items, direction) in [(forward, Direction::Forward), (reverse, Direction::Reverse)] {
                let oks: Vec<Entry> = items.into_iter().map_while(|r| r.ok()).collect();
                let model = model_iter(entries, &KeyRange::all(), direction);
                prop_assert_eq!(&oks[..], &model[..oks.len()]);
            }
        }
    }
}

proptest! {
    #[test]
    fn table_rechecksummed_garbage_block_never_panics(
        block in 0usize..8,
        garbage in proptest::collection::vec(any::<u8>(), 300),
    ) {
        let (bytes, entries) = fuzz_table();
        let table = open(bytes.clone(), 5).unwrap();
        let handles = table.data_handles();
        let h = handles[block % handles.len()];
        let (start, size) = (h.offset as usize, h.size_bytes as usize);
        let mut damaged = bytes.clone();
        for (i, b) in damaged[start..start + size].iter_mut().enumerate() {
            *b = garbage[i % garbage.len()];
        }
        let trailer = super::format::block_trailer(
            5, h.offset, &damaged[start..start + size], super::format::BlockType::Data);
        damaged[start + size..start + size + 5].copy_from_slice(&trailer);
        let table = open(damaged, 5).unwrap();
        let bound = entries.len() * 2 + 10;
        for direction in [Direction::Forward, Direction::Reverse] {
            prop_assert!(table.iter(KeyRange::all(), direction).take(bound).count() < bound);
        }
        for (k, _) in entries.iter().step_by(11) {
            let (uk, seq, _) = ikey::decode(k).unwrap();
            let _ = table.get(uk, seq);
        }
    }
}
