//! Unit tests for the simulated storage: crash outcomes, fault injection, determinism.

use super::*;
use crate::error::is_disk_full;

fn synced_file(storage: &SimStorage, name: &str, bytes: &[u8]) -> Box<dyn StorageFile> {
    let file = storage.create(name).unwrap();
    file.write_at(bytes, 0).unwrap();
    file.sync_data().unwrap();
    storage.sync_dir().unwrap();
    file
}

#[test]
fn sim_crash_after_sync_keeps_data() {
    let storage = SimStorage::new(1);
    drop(synced_file(&storage, "a", b"durable bytes"));
    storage.crash();
    assert_eq!(storage.read_file("a").unwrap(), b"durable bytes");
    assert_eq!(storage.durable_len("a").unwrap(), 13);
    let file = storage.open("a").unwrap();
    let mut buf = [0u8; 13];
    file.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(&buf, b"durable bytes");
}

#[test]
fn sim_crash_with_unsynced_writes_keeps_an_in_order_prefix() {
    let mut outcomes = BTreeSet::new();
    for seed in 0..200 {
        let storage = SimStorage::new(seed);
        let file = synced_file(&storage, "log", b"head:");
        let writes: [&[u8]; 3] = [b"one,", b"two,", b"three"];
        let mut offset = 5;
        for w in writes {
            file.write_at(w, offset).unwrap();
            offset += w.len() as u64;
        }
        assert_eq!(storage.durable_len("log").unwrap(), 5);
        storage.crash();
        let after = storage.read_file("log").unwrap();
        let full = b"head:one,two,three";
        assert!(
            full.starts_with(&after),
            "seed {seed}: {after:?} is not a prefix"
        );
        assert!(after.len() >= 5, "seed {seed}: synced bytes lost");
        outcomes.insert(after.len());
    }
    // Across seeds both total loss and full survival of the unsynced tail occur, and tears.
    assert!(outcomes.contains(&5));
    assert!(outcomes.contains(&18));
    assert!(outcomes
        .iter()
        .any(|&n| n != 5 && n != 9 && n != 13 && n != 18));
}

#[test]
fn sim_crash_with_unsynced_overwrite_shows_old_or_new_bytes_only() {
    for seed in 0..100 {
        let storage = SimStorage::new(seed);
        let file = synced_file(&storage, "f", b"aaaaaaaa");
        file.write_at(b"bbbb", 2).unwrap();
        file.set_len(4).unwrap();
        storage.crash();
        let after = storage.read_file("f").unwrap();
        let allowed = [
            &b"aaaaaaaa"[..],
            b"aabbaaaa",
            b"aabbbaaa",
            b"aabbbbaa",
            b"aabaaaaa",
        ];
        let ok = allowed.contains(&after.as_slice()) || after == b"aabb";
        assert!(ok, "seed {seed}: unexpected contents {after:?}");
    }
}

#[test]
fn sim_crash_without_sync_dir_drops_created_file() {
    let storage = SimStorage::new(2);
    let file = storage.create("new").unwrap();
    file.write_at(b"data", 0).unwrap();
    file.sync_data().unwrap();
    storage.crash();
    assert!(!storage.exists("new").unwrap());
    assert!(storage.file_names().is_empty());
    assert_eq!(
        storage.open("new").unwrap_err().kind(),
        io::ErrorKind::NotFound
    );
}

#[test]
fn sim_crash_without_sync_dir_reverts_rename_and_remove() {
    let storage = SimStorage::new(3);
    drop(synced_file(&storage, "old", b"x"));
    drop(synced_file(&storage, "gone", b"y"));
    storage.rename("old", "new").unwrap();
    storage.remove("gone").unwrap();
    assert_eq!(storage.list().unwrap(), vec!["new".to_string()]);
    storage.crash();
    assert_eq!(
        storage.file_names(),
        vec!["gone".to_string(), "old".to_string()]
    );
    assert_eq!(storage.read_file("old").unwrap(), b"x");
    assert_eq!(storage.read_file("gone").unwrap(), b"y");
}

#[test]
fn sim_rename_after_sync_dir_survives_crash_and_replaces_target() {
    let storage = SimStorage::new(4);
    drop(synced_file(&storage, "CURRENT", b"old"));
    drop(synced_file(&storage, "CURRENT.tmp", b"new"));
    storage.rename("CURRENT.tmp", "CURRENT").unwrap();
    storage.sync_dir().unwrap();
    storage.crash();
    assert_eq!(storage.file_names(), vec!["CURRENT".to_string()]);
    assert_eq!(storage.read_file("CURRENT").unwrap(), b"new");
}

#[test]
fn sim_handle_after_crash_fails() {
    let storage = SimStorage::new(5);
    let file = synced_file(&storage, "a", b"abc");
    storage.crash();
    let mut buf = [0u8; 3];
    assert!(file.read_at(&mut buf, 0).is_err());
    assert!(file.write_at(b"z", 0).is_err());
    assert!(file.sync_data().is_err());
    assert!(file.len().is_err());
    assert!(file.set_len(0).is_err());
    assert_eq!(storage.read_file("a").unwrap(), b"abc");
    let reopened = storage.open("a").unwrap();
    assert_eq!(reopened.len().unwrap(), 3);
}

#[test]
fn sim_fail_call_after_fails_exactly_that_call_once() {
    let storage = SimStorage::new(6);
    let file = storage.create("a").unwrap();
    let before = storage.calls();
    storage.fail_call_after(2);
    file.write_at(b"1", 0).unwrap();
    file.write_at(b"2", 1).unwrap();
    let err = file.write_at(b"3", 2).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(5));
    assert_eq!(storage.calls(), before + 3);
    file.write_at(b"4", 2).unwrap();
    assert_eq!(storage.read_file("a").unwrap(), b"124");

    storage.fail_call_after(0);
    assert_eq!(storage.sync_dir().unwrap_err().raw_os_error(), Some(5));
    storage.sync_dir().unwrap();
}

#[test]
fn sim_fail_syncs_fails_syncs_until_turned_off() {
    let storage = SimStorage::new(7);
    let file = storage.create("a").unwrap();
    file.write_at(b"data", 0).unwrap();
    storage.fail_syncs(true);
    assert_eq!(file.sync_data().unwrap_err().raw_os_error(), Some(5));
    assert_eq!(storage.sync_dir().unwrap_err().raw_os_error(), Some(5));
    assert_eq!(storage.durable_len("a").unwrap(), 0);
    storage.fail_syncs(false);
    file.sync_data().unwrap();
    storage.sync_dir().unwrap();
    assert_eq!(storage.durable_len("a").unwrap(), 4);
}

#[test]
fn sim_write_past_capacity_fails_with_disk_full_until_raised() {
    let storage = SimStorage::with_config(SimConfig {
        seed: 8,
        capacity_bytes: Some(10),
    });
    let file = storage.create("a").unwrap();
    file.write_at(b"12345678", 0).unwrap();
    let err = file.write_at(b"abcd", 8).unwrap_err();
    assert!(is_disk_full(&err));
    assert_eq!(err.raw_os_error(), Some(28));
    assert_eq!(storage.read_file("a").unwrap(), b"12345678");
    // Overwriting in place needs no space; reads keep working.
    file.write_at(b"xy", 0).unwrap();
    let mut buf = [0u8; 8];
    file.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(&buf, b"xy345678");
    assert!(is_disk_full(&file.set_len(11).unwrap_err()));

    storage.set_capacity_bytes(Some(12));
    file.write_at(b"abcd", 8).unwrap();
    assert_eq!(storage.used_bytes(), 12);
    storage.set_capacity_bytes(None);
    file.write_at(&[0u8; 100], 12).unwrap();
}

#[test]
fn sim_remove_frees_capacity_once_handles_close() {
    let storage = SimStorage::with_config(SimConfig {
        seed: 9,
        capacity_bytes: Some(4),
    });
    let file = storage.create("a").unwrap();
    file.write_at(b"1234", 0).unwrap();
    storage.remove("a").unwrap();
    assert_eq!(storage.used_bytes(), 4);
    drop(file);
    assert_eq!(storage.used_bytes(), 0);
    storage.create("b").unwrap().write_at(b"5678", 0).unwrap();
}

#[test]
fn sim_create_existing_truncates_as_unsynced_change() {
    for seed in 0..50 {
        let storage = SimStorage::new(seed);
        drop(synced_file(&storage, "a", b"old"));
        let file = storage.create("a").unwrap();
        assert_eq!(file.len().unwrap(), 0);
        storage.crash();
        let after = storage.read_file("a").unwrap();
        assert!(
            after == b"old" || after.is_empty(),
            "seed {seed}: {after:?}"
        );
    }
}

#[test]
fn sim_helpers_after_crash_keep_their_edits() {
    let storage = SimStorage::new(10);
    storage.write_file("a", b"hello").unwrap();
    storage.flip_byte("a", 1).unwrap();
    storage.crash();
    assert_eq!(storage.read_file("a").unwrap(), b"h\x9allo");
    storage.truncate_file("a", 2).unwrap();
    storage.crash();
    assert_eq!(storage.read_file("a").unwrap(), b"h\x9a");
    assert!(storage.flip_byte("a", 2).is_err());
    assert_eq!(
        storage.read_file("missing").unwrap_err().kind(),
        io::ErrorKind::NotFound
    );
    assert_eq!(storage.seed(), 10);
}

#[test]
fn sim_create_with_bad_name_is_rejected() {
    let storage = SimStorage::new(11);
    for name in ["", ".", "..", "a/b"] {
        assert_eq!(
            storage.create(name).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }
}

/// A fixed workload with unsynced writes, renames and a crash; returns what survived.
fn scenario(seed: u64) -> Vec<(String, Vec<u8>)> {
    let storage = SimStorage::new(seed);
    let wal = synced_file(&storage, "wal", b"");
    let mut offset = 0;
    for i in 0..20u8 {
        let record = vec![i; usize::from(i) + 1];
        wal.write_at(&record, offset).unwrap();
        offset += record.len() as u64;
        if i % 7 == 0 {
            wal.sync_data().unwrap();
        }
    }
    let other = storage.create("tmp").unwrap();
    other.write_at(b"manifest", 0).unwrap();
    other.sync_data().unwrap();
    storage.rename("tmp", "MANIFEST").unwrap();
    storage.crash();
    let names = storage.file_names();
    names
        .into_iter()
        .map(|n| (n.clone(), storage.read_file(&n).unwrap()))
        .collect()
}

#[test]
fn sim_same_seed_gives_same_outcome() {
    for seed in 0..20 {
        assert_eq!(scenario(seed), scenario(seed), "seed {seed} did not replay");
    }
    let outcomes: BTreeSet<_> = (0..20).map(scenario).collect();
    assert!(
        outcomes.len() > 1,
        "different seeds should explore different crashes"
    );
}
