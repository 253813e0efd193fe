//! Opening and reading arbitrary or damaged table files must return `Ok` or `Err`, never
//! panic or hang. An undamaged table built by `TableBuilder` reads back exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::Arc;
use tessera_engine::io::{SimStorage, Storage};
use tessera_engine::lsm::ikey::{self, ValueKind};
use tessera_engine::lsm::sstable::{self, BlockCache, Table, TableBuilder, TableOptions};
use tessera_engine::lsm::{Direction, Entry, KeyRange};
use tessera_fuzz::{damage, Input};

/// Most entries an iteration reads; a table the fuzzer can build holds far fewer.
const ENTRIES_MAX: usize = 100_000;

/// Builds a table from input-chosen entries and options; returns its bytes and entries.
fn build(input: &mut Input<'_>) -> (Vec<u8>, Vec<Entry>) {
    let opts = TableOptions {
        block_size_bytes: 32 + usize::from(input.byte()) * 4,
        restart_interval: usize::from(input.byte() % 20),
        bloom_bits_per_key: usize::from(input.byte() % 16),
    };
    let mut entries: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let count = input.byte() % 64;
    for _ in 0..count {
        let key_len = usize::from(input.byte() % 24);
        let key = input.take(key_len).to_vec();
        let value_len = usize::from(input.byte() % 64);
        let value = input.take(value_len).to_vec();
        entries.insert(key, value);
    }
    let mut ordered = Vec::new();
    for (i, (key, value)) in entries.into_iter().enumerate() {
        let kind = if i % 5 == 4 {
            ValueKind::Delete
        } else {
            ValueKind::Put
        };
        let value = if kind == ValueKind::Delete {
            Vec::new()
        } else {
            value
        };
        ordered.push((ikey::encode(&key, 7, kind), value));
    }
    let sim = Arc::new(SimStorage::new(0));
    let storage: Arc<dyn Storage> = sim.clone();
    let name = sstable::file_name(1);
    let file = storage.create(&name).expect("creating in memory");
    let mut b = TableBuilder::new(file, name.clone(), 1, &opts);
    for (k, v) in &ordered {
        b.add(k, v).expect("keys are added in order");
    }
    b.finish().expect("finishing in memory");
    (
        sim.read_file(&name).expect("the table just written"),
        ordered,
    )
}

/// Iterates the whole table in `direction`, stopping at the first error.
fn scan(table: &Arc<Table>, direction: Direction) -> Result<Vec<Entry>, ()> {
    let mut out = Vec::new();
    for e in table.iter(KeyRange::all(), direction).take(ENTRIES_MAX) {
        out.push(e.map_err(|_| ())?);
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let (bytes, expected) = if mode & 1 == 0 {
        (input.rest().to_vec(), None)
    } else {
        let (mut bytes, entries) = build(&mut input);
        let damaged = damage(&mut bytes, &mut input);
        (bytes, (!damaged).then_some(entries))
    };

    let sim = SimStorage::new(0);
    let name = sstable::file_name(1);
    sim.write_file(&name, &bytes).expect("writing to memory");
    let file = sim.open(&name).expect("the file just written");
    let cache = Arc::new(BlockCache::new(1 << 20));
    let table = match Table::open(file, name, 1, cache) {
        Ok(t) => t,
        Err(e) => {
            assert!(expected.is_none(), "an undamaged table opens: {e}");
            return;
        }
    };
    let forward = scan(&table, Direction::Forward);
    let reverse = scan(&table, Direction::Reverse);
    let mut probes: Vec<Vec<u8>> = vec![Vec::new(), b"k".to_vec(), vec![0xff; 8]];
    if let Ok(entries) = &forward {
        for (k, _) in entries.iter().take(4).chain(entries.iter().rev().take(4)) {
            probes.push(ikey::user_key(k).to_vec());
        }
    }
    for p in &probes {
        let _ = table.may_contain(p);
        let _ = table.get(p, ikey::SEQ_MAX);
        let _ = table.get(p, 3);
    }
    if let Some(expected) = expected {
        assert_eq!(
            forward.as_ref().ok(),
            Some(&expected),
            "forward scan reads back"
        );
        let mut rev = reverse.expect("reverse scan of an undamaged table");
        rev.reverse();
        assert_eq!(rev, expected, "reverse scan is the forward scan reversed");
        for (k, v) in &expected {
            let (user_key, seq, kind) = ikey::decode(k).expect("keys we encoded");
            assert!(table.may_contain(user_key), "no bloom false negatives");
            let got = table
                .get(user_key, ikey::SEQ_MAX)
                .expect("get on an undamaged table");
            assert_eq!(got, Some((seq, kind, v.clone())));
            assert_eq!(table.get(user_key, seq - 1).expect("older read"), None);
        }
    }
});
