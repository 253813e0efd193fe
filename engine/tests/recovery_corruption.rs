//! Corruption tests on real files: flipped bytes and truncation in the WAL tail, the WAL
//! middle, an SSTable block, the manifest and CURRENT. A damaged tail is cut off and the
//! store recovers; damage anywhere else is an error naming the file and the offset.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Config, Durability, Error, Store};

fn config(dir: &Path) -> Config {
    Config::new(dir)
        .shard_count(2)
        .durability(Durability::Sync)
        .background_threads(1)
}

fn files_with(dir: &Path, suffix_or_prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n.ends_with(suffix_or_prefix) || n.starts_with(suffix_or_prefix)
        })
        .collect();
    v.sort();
    v
}

fn flip(path: &Path, offset: u64) {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut b = [0u8; 1];
    f.read_exact_at(&mut b, offset).unwrap();
    f.write_all_at(&[b[0] ^ 0x5a], offset).unwrap();
}

fn truncate_by(path: &Path, bytes: u64) {
    let f = OpenOptions::new().write(true).open(path).unwrap();
    let len = f.metadata().unwrap().len();
    f.set_len(len - bytes).unwrap();
}

/// Writes `n` single-key batches to partition `p` and closes the store (WAL only).
fn write_keys(dir: &Path, n: u32) {
    let store = Store::open(config(dir)).unwrap();
    for i in 0..n {
        store
            .put(
                b"p",
                format!("k{i:04}").as_bytes(),
                format!("value-{i}").as_bytes(),
            )
            .unwrap();
    }
    store.close().unwrap();
}

fn newest_wal(dir: &Path) -> PathBuf {
    // The newest segment holding records (reopen starts a fresh, empty one).
    files_with(dir, ".wal")
        .into_iter()
        .rfind(|p| fs::metadata(p).unwrap().len() > 0)
        .unwrap()
}

#[test]
fn corruption_wal_tail_flipped_byte_is_truncated_and_recovered() {
    let dir = tempfile::tempdir().unwrap();
    write_keys(dir.path(), 20);
    let wal = newest_wal(dir.path());
    let len = fs::metadata(&wal).unwrap().len();
    flip(&wal, len - 2); // inside the last record's payload
    let store = Store::open(config(dir.path())).unwrap();
    assert_eq!(
        store.get(b"p", b"k0018").unwrap(),
        Some(b"value-18".to_vec())
    );
    assert_eq!(
        store.get(b"p", b"k0019").unwrap(),
        None,
        "the damaged last record is cut off"
    );
    assert!(
        fs::metadata(&wal).unwrap().len() < len,
        "the torn tail is truncated on disk"
    );
    store.put(b"p", b"k0019", b"again").unwrap();
    store.close().unwrap();
    drop(store);
    let store = Store::open(config(dir.path())).unwrap();
    assert_eq!(store.get(b"p", b"k0019").unwrap(), Some(b"again".to_vec()));
}

#[test]
fn corruption_wal_tail_truncated_mid_record_is_recovered() {
    let dir = tempfile::tempdir().unwrap();
    write_keys(dir.path(), 20);
    truncate_by(&newest_wal(dir.path()), 5);
    let store = Store::open(config(dir.path())).unwrap();
    assert_eq!(
        store.get(b"p", b"k0018").unwrap(),
        Some(b"value-18".to_vec())
    );
    assert_eq!(store.get(b"p", b"k0019").unwrap(), None);
}

#[test]
fn corruption_wal_middle_flipped_byte_is_an_error_naming_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    write_keys(dir.path(), 20);
    let wal = newest_wal(dir.path());
    flip(&wal, 12); // inside the first record's payload; nineteen valid records follow
    match Store::open(config(dir.path())) {
        Err(Error::ChecksumMismatch { path, offset, .. }) => {
            assert!(
                path.ends_with(wal.file_name().unwrap().to_str().unwrap()),
                "{path}"
            );
            assert_eq!(offset, 0);
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
    // The error message names the file and the offset for an operator.
    let msg = Store::open(config(dir.path())).unwrap_err().to_string();
    assert!(msg.contains(".wal") && msg.contains("offset 0"), "{msg}");
}

#[test]
fn corruption_sstable_block_flipped_byte_is_a_read_error_not_wrong_data() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(config(dir.path())).unwrap();
        for i in 0..2000u32 {
            store
                .put(b"p", format!("k{i:04}").as_bytes(), &[b'x'; 100])
                .unwrap();
        }
        store.flush().unwrap();
        store.close().unwrap();
    }
    let sst = files_with(dir.path(), ".sst").pop().unwrap();
    flip(&sst, 100); // inside the first data block
    let store = Store::open(config(dir.path())).unwrap();
    match store.get(b"p", b"k0000") {
        Err(Error::ChecksumMismatch { path, offset, .. }) => {
            assert!(path.ends_with(".sst"), "{path}");
            assert_eq!(offset, 0, "the first data block starts at offset 0");
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
    let scan: Result<Vec<_>, _> = store
        .range(b"p", KeyRange::all(), Direction::Forward)
        .collect();
    assert!(
        matches!(scan, Err(Error::ChecksumMismatch { .. })),
        "{:?}",
        scan.map(|v| v.len())
    );
    let scan: Result<Vec<_>, _> = store
        .range(b"p", KeyRange::all(), Direction::Reverse)
        .collect();
    assert!(scan.is_err());
    // Keys in undamaged blocks still read.
    assert_eq!(store.get(b"p", b"k1999").unwrap(), Some(vec![b'x'; 100]));
}

#[test]
fn corruption_manifest_flipped_byte_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(config(dir.path())).unwrap();
        for round in 0..3u32 {
            for i in 0..100u32 {
                store
                    .put(b"p", format!("k{round}-{i:04}").as_bytes(), b"v")
                    .unwrap();
            }
            store.flush().unwrap(); // each flush appends a manifest edit
        }
        store.close().unwrap();
    }
    let manifest = files_with(dir.path(), "MANIFEST-").pop().unwrap();
    flip(&manifest, 12); // the first record (the snapshot), with edits after it
    match Store::open(config(dir.path())) {
        Err(Error::ChecksumMismatch { path, offset, .. }) => {
            assert!(path.starts_with("MANIFEST-"), "{path}");
            assert_eq!(offset, 0);
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
}

#[test]
fn corruption_current_garbage_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write_keys(dir.path(), 3);
    fs::write(dir.path().join("CURRENT"), b"not a manifest\n").unwrap();
    let err = Store::open(config(dir.path())).unwrap_err();
    assert!(err.is_corruption(), "{err}");
    assert!(err.to_string().contains("CURRENT"), "{err}");
}

#[test]
fn corruption_missing_table_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(config(dir.path())).unwrap();
        store.put(b"p", b"k", b"v").unwrap();
        store.flush().unwrap();
        store.close().unwrap();
    }
    fs::remove_file(files_with(dir.path(), ".sst").pop().unwrap()).unwrap();
    let err = Store::open(config(dir.path())).unwrap_err();
    assert!(
        err.is_corruption() && err.to_string().contains(".sst"),
        "{err}"
    );
}

#[test]
fn store_second_open_of_same_directory_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(config(dir.path())).unwrap();
    assert!(matches!(
        Store::open(config(dir.path())),
        Err(Error::Locked { .. })
    ));
}
