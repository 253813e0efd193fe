//! WAL replay of arbitrary or damaged segments must return `Ok` or `Err`, never panic or hang.
//! When it succeeds it accounts for every byte, and a second replay finds no torn tail.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tessera_engine::io::{SimStorage, Storage};
use tessera_engine::lsm::wal::{replay, segment_file_name, WalWriter};
use tessera_fuzz::{damage, Input};

/// Writes `payloads` with the real writer (one append per group of up to three) and returns
/// the segment's bytes.
fn framed(payloads: &[&[u8]]) -> Vec<u8> {
    let sim = Arc::new(SimStorage::new(0));
    let storage: Arc<dyn Storage> = sim.clone();
    let mut w = WalWriter::create(&storage, 1).expect("a fresh in-memory segment");
    for group in payloads.chunks(3) {
        w.append(group).expect("appending to memory");
    }
    drop(w);
    sim.read_file(&segment_file_name(1))
        .expect("the segment just written")
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let is_last = mode & 1 == 1;
    let (bytes, expected) = if mode & 2 == 0 {
        (input.rest().to_vec(), None)
    } else {
        let count = input.byte() % 8;
        let mut payloads = Vec::new();
        for _ in 0..count {
            let len = usize::from(input.byte());
            payloads.push(input.take(len));
        }
        let mut bytes = framed(&payloads);
        let damaged = damage(&mut bytes, &mut input);
        let expected: Vec<Vec<u8>> = payloads.iter().map(|p| p.to_vec()).collect();
        (bytes, (!damaged).then_some(expected))
    };

    let sim = SimStorage::new(0);
    sim.write_file(&segment_file_name(1), &bytes)
        .expect("writing to memory");
    let storage: Arc<dyn Storage> = Arc::new(sim);
    let mut seen = Vec::new();
    let result = replay(&storage, 1, is_last, &mut |p| {
        seen.push(p.to_vec());
        Ok(())
    });
    if let Some(expected) = expected {
        assert_eq!(
            seen, expected,
            "an undamaged segment replays what was written"
        );
        assert!(result.is_ok(), "an undamaged segment replays: {result:?}");
    }
    let Ok(stats) = result else { return };
    assert_eq!(stats.records, seen.len() as u64);
    assert_eq!(
        stats.valid_bytes + stats.truncated_bytes,
        bytes.len() as u64,
        "replay accounts for every byte"
    );
    assert!(
        is_last || stats.truncated_bytes == 0,
        "only the last segment is cut"
    );
    // Recovery is idempotent: the cut file replays the same records with nothing to cut.
    let mut again = 0u64;
    let second = replay(&storage, 1, is_last, &mut |_| {
        again += 1;
        Ok(())
    })
    .expect("a replayed segment replays again");
    assert_eq!(second.records, stats.records);
    assert_eq!(second.truncated_bytes, 0);
});
