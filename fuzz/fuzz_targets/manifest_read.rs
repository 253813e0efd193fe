//! Manifest recovery from arbitrary or damaged files must return `Ok` or `Err`, never panic
//! or hang. An undamaged manifest written by `ManifestWriter` recovers the state it logged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tessera_engine::io::{SimStorage, Storage};
use tessera_engine::lsm::manifest::{
    self, AddedFile, ManifestState, ManifestWriter, VersionEdit, CURRENT,
};
use tessera_engine::lsm::sstable::TableMeta;
use tessera_fuzz::{damage, Input};

/// One input-chosen edit: adds, removes (perhaps of unknown files) and counters.
fn edit(input: &mut Input<'_>, shards: u32) -> VersionEdit {
    let mut e = VersionEdit::default();
    let flags = input.byte();
    if flags & 1 != 0 {
        e.last_seq = Some(u64::from(input.byte()) << 8 | u64::from(input.byte()));
    }
    if flags & 2 != 0 {
        e.next_file_number = Some(u64::from(input.byte()));
    }
    if flags & 4 != 0 {
        e.flushed
            .push((u32::from(input.byte()) % shards, u64::from(input.byte())));
    }
    for _ in 0..input.byte() % 4 {
        let number = u64::from(input.byte()) + 1;
        let key_len = usize::from(input.byte() % 12);
        let smallest = input.take(key_len).to_vec();
        e.added.push(AddedFile {
            shard: u32::from(input.byte()) % shards,
            level: input.byte() % 7,
            meta: TableMeta {
                file_number: number,
                size_bytes: u64::from(input.byte()) * 100,
                entry_count: u64::from(input.byte()),
                tombstone_count: 0,
                largest: smallest.clone(),
                smallest,
                seq_min: 1,
                seq_max: u64::from(input.byte()) + 1,
            },
        });
    }
    if flags & 8 != 0 {
        let shard = u32::from(input.byte()) % shards;
        e.removed
            .push((shard, input.byte() % 7, u64::from(input.byte()) + 1));
    }
    e
}

/// Logs input-chosen edits with the real writer; returns the manifest's bytes and the state
/// recovery must find (`None` if some edit does not apply).
fn build(input: &mut Input<'_>) -> (Vec<u8>, Option<ManifestState>) {
    let shards = u32::from(input.byte() % 4) + 1;
    let sim = Arc::new(SimStorage::new(0));
    let storage: Arc<dyn Storage> = sim.clone();
    let mut state = Some(ManifestState::new(shards));
    let mut w = ManifestWriter::create(&storage, 1, &ManifestState::new(shards))
        .expect("creating in memory");
    for _ in 0..input.byte() % 6 {
        let e = edit(input, shards);
        w.append(&e).expect("appending to memory");
        state = state.and_then(|mut s| s.apply(&e).map(|()| s));
    }
    drop(w);
    let bytes = sim
        .read_file(&manifest::file_name(1))
        .expect("the manifest just written");
    (bytes, state)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let (bytes, expected) = if mode & 1 == 0 {
        (input.rest().to_vec(), None)
    } else {
        let (mut bytes, state) = build(&mut input);
        let damaged = damage(&mut bytes, &mut input);
        (bytes, if damaged { None } else { Some(state) })
    };
    let sim = SimStorage::new(0);
    sim.write_file(&manifest::file_name(1), &bytes)
        .expect("writing to memory");
    let current = format!("{}\n", manifest::file_name(1));
    sim.write_file(CURRENT, current.as_bytes())
        .expect("writing to memory");
    let storage: Arc<dyn Storage> = Arc::new(sim);
    let result = manifest::recover(&storage);
    match expected {
        Some(Some(state)) => {
            let (number, got) = result
                .expect("an undamaged manifest recovers")
                .expect("CURRENT exists");
            assert_eq!(number, 1);
            assert_eq!(got, state, "recovery finds the state that was logged");
        }
        Some(None) => assert!(result.is_err(), "an edit that does not apply is refused"),
        None => {}
    }
});
