//! Restarts of a `Database`: tables, their descriptions and items of every type survive
//! close and reopen (also after flush and compaction, over several generations, and when
//! the database is only dropped); deleted tables stay deleted. A kill -9 test runs a child
//! process that writes with the default Sync durability, kills it at random points and
//! checks that every acknowledged PutItem, DeleteItem and BatchWriteItem survived, that the
//! one write in flight is all or nothing, and that ItemCount matches a full Scan.
//!
//! `TESSERA_ITEMS_CRASH_CYCLES` sets the kill cycles (default 16); `TESSERA_ITEMS_CRASH_SEED`
//! replays a run (the seed is printed on failure).

mod common_query;

use common_query::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tessera_engine::api::*;
use tessera_engine::model::{item_size_bytes, AttributeValue, Item, Number, ScalarType};
use tessera_engine::{Config, Database, Durability};

/// Serializes the tests of this file. The store's directory lock is a `flock` on an open
/// file, and a child process spawned by the kill test inherits every open file of this
/// process until it execs: a reopen racing a spawn then finds the directory still locked
/// (`Locked`), although the database was closed. Holding this while a test runs keeps the
/// spawns away from the reopens.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Opens with the default (Sync) durability.
fn open_sync(dir: &Path) -> Database {
    Database::open(config(dir).durability(Durability::Sync)).unwrap()
}

/// An item holding every attribute type, varied by `i`; sets are given in their canonical
/// (sorted) order so the item reads back equal.
fn rich_item(key: &[(&str, AttributeValue)], i: u64) -> Item {
    let mut deep = AttributeValue::S(format!("bottom {i}"));
    for level in 0..31 {
        deep = if level % 2 == 0 {
            AttributeValue::L(vec![deep])
        } else {
            AttributeValue::M(item(&[("d", deep)]))
        };
    }
    let mut it = item(key);
    it.extend(item(&[
        ("s", s(&format!("héllo ¿ 😀 {i}"))),
        ("empty_s", s("")),
        ("n", n(&format!("-{i}.5E-100"))),
        ("big", n("12345678901234567890123456789012345678")),
        ("huge", n("9.9999999999999999999999999999999999999E+125")),
        ("tiny", n("1E-130")),
        ("zero", n("0")),
        ("b", b(&[0, 255, i as u8])),
        ("empty_b", b(&[])),
        ("t", AttributeValue::Bool(true)),
        ("f", AttributeValue::Bool(false)),
        ("nul", AttributeValue::Null),
        (
            "ss",
            AttributeValue::Ss(vec!["".into(), "a".into(), format!("b{i}")]),
        ),
        (
            "ns",
            AttributeValue::Ns(vec![num("-2.5"), num("1"), num(&format!("1{i}"))]),
        ),
        ("bs", AttributeValue::Bs(vec![vec![], vec![1], vec![2, 3]])),
        (
            "l",
            AttributeValue::L(vec![
                n("1"),
                s("x"),
                AttributeValue::L(vec![]),
                AttributeValue::M(Item::new()),
            ]),
        ),
        (
            "m",
            AttributeValue::M(item(&[
                ("a", n(&i.to_string())),
                ("b", AttributeValue::Null),
            ])),
        ),
        ("deep", deep),
    ]));
    it
}

/// Three tables with different key types, each with `count` items; returns every item by
/// table.
fn populate(db: &Database, count: u64) -> BTreeMap<&'static str, Vec<Item>> {
    create_table(db, "Alpha", ("id", ScalarType::S), None);
    create_table(
        db,
        "Beta",
        ("id", ScalarType::N),
        Some(("at", ScalarType::B)),
    );
    create_table(
        db,
        "Gamma",
        ("id", ScalarType::B),
        Some(("at", ScalarType::S)),
    );
    let mut all = BTreeMap::new();
    for i in 0..count {
        let key_a = [("id", s(&format!("a{i}")))];
        let key_b = [
            ("id", n(&format!("{}", i % 7))),
            ("at", b(&i.to_be_bytes())),
        ];
        let key_c = [("id", b(&[(i % 5) as u8])), ("at", s(&format!("c{i}")))];
        for (table, key) in [
            ("Alpha", &key_a[..]),
            ("Beta", &key_b[..]),
            ("Gamma", &key_c[..]),
        ] {
            let it = rich_item(key, i);
            put(db, table, it.clone());
            all.entry(table).or_insert_with(Vec::new).push(it);
        }
    }
    all
}

fn descriptions(db: &Database) -> BTreeMap<String, TableDescription> {
    let names = db
        .list_tables(ListTablesInput::default())
        .unwrap()
        .table_names;
    names
        .into_iter()
        .map(|name| {
            let d = db
                .describe_table(DescribeTableInput {
                    table_name: name.clone(),
                })
                .unwrap()
                .table;
            (name, d)
        })
        .collect()
}

/// Checks that `db` holds exactly `want`: every item by GetItem and by Scan, with ItemCount
/// and TableSizeBytes to match.
#[track_caller]
fn assert_holds(db: &Database, want: &BTreeMap<&'static str, Vec<Item>>) {
    for (table, items) in want {
        let keys: Vec<&str> = match *table {
            "Alpha" => vec!["id"],
            _ => vec!["id", "at"],
        };
        for it in items {
            let key: Item = keys
                .iter()
                .map(|k| ((*k).to_owned(), it[*k].clone()))
                .collect();
            let got = db
                .get_item(GetItemInput {
                    table_name: (*table).to_owned(),
                    key,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(got.item.as_ref(), Some(it), "{table}");
        }
        let scanned = scan_all(
            db,
            ScanInput {
                table_name: (*table).to_owned(),
                limit: Some(7),
                ..Default::default()
            },
        )
        .items();
        let mut got = scanned.clone();
        let mut expected = items.clone();
        got.sort_by_key(|i| format!("{i:?}"));
        expected.sort_by_key(|i| format!("{i:?}"));
        assert_eq!(got, expected, "{table}");
        let d = db
            .describe_table(DescribeTableInput {
                table_name: (*table).to_owned(),
            })
            .unwrap()
            .table;
        assert_eq!(d.item_count, items.len() as i64, "{table}");
        let bytes: usize = items.iter().map(item_size_bytes).sum();
        assert_eq!(d.table_size_bytes, bytes as i64, "{table}");
    }
}

#[test]
fn restart_after_close_tables_and_items_survive() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = open_sync(dir.path());
    let want = populate(&db, 20);
    let before = descriptions(&db);
    assert_eq!(before.len(), 3);
    db.close().unwrap();
    drop(db);
    let db = open_sync(dir.path());
    assert_eq!(descriptions(&db), before);
    assert_holds(&db, &want);
}

#[test]
fn restart_after_flush_and_compact_items_survive() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = open_sync(dir.path());
    let mut want = populate(&db, 30);
    db.store().flush().unwrap();
    // Overwrites and deletes on top of flushed data, then compacted together.
    let alpha = want.get_mut("Alpha").unwrap();
    for i in 0..10u64 {
        let key = item(&[("id", s(&format!("a{i}")))]);
        if i % 2 == 0 {
            db.delete_item(DeleteItemInput {
                table_name: "Alpha".into(),
                key,
                ..Default::default()
            })
            .unwrap();
        } else {
            let it = rich_item(&[("id", s(&format!("a{i}")))], 1000 + i);
            put(&db, "Alpha", it.clone());
            alpha[i as usize] = it;
        }
    }
    alpha.retain(|it| {
        let AttributeValue::S(id) = &it["id"] else {
            unreachable!()
        };
        let i: u64 = id[1..].parse().unwrap();
        i >= 10 || i % 2 == 1
    });
    db.store().compact().unwrap();
    assert_holds(&db, &want);
    let before = descriptions(&db);
    db.close().unwrap();
    drop(db);
    let db = open_sync(dir.path());
    assert_eq!(descriptions(&db), before);
    assert_holds(&db, &want);
}

#[test]
fn restart_repeated_generations_keep_every_change() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut want = {
        let db = open_sync(dir.path());
        populate(&db, 5)
    };
    for generation in 1..=4u64 {
        let db = open_sync(dir.path());
        assert_holds(&db, &want);
        // Each generation replaces one Gamma item, deletes one and adds one.
        let gamma = want.get_mut("Gamma").unwrap();
        let removed = gamma.remove(0);
        db.delete_item(DeleteItemInput {
            table_name: "Gamma".into(),
            key: item(&[("id", removed["id"].clone()), ("at", removed["at"].clone())]),
            ..Default::default()
        })
        .unwrap();
        let first = gamma[0].clone();
        let replaced = rich_item(
            &[("id", first["id"].clone()), ("at", first["at"].clone())],
            500 + generation,
        );
        put(&db, "Gamma", replaced.clone());
        gamma[0] = replaced;
        let added = rich_item(
            &[("id", b(&[9])), ("at", s(&format!("g{generation}")))],
            generation,
        );
        put(&db, "Gamma", added.clone());
        gamma.push(added);
        if generation % 2 == 0 {
            db.store().flush().unwrap();
        }
        // Dropping closes the database as well.
        drop(db);
    }
    let db = open_sync(dir.path());
    assert_holds(&db, &want);
}

#[test]
fn restart_deleted_table_stays_deleted_and_name_is_reusable() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = open_sync(dir.path());
    let mut want = populate(&db, 10);
    db.delete_table(DeleteTableInput {
        table_name: "Beta".into(),
    })
    .unwrap();
    want.remove("Beta");
    db.close().unwrap();
    drop(db);
    let db = open_sync(dir.path());
    assert_eq!(
        descriptions(&db).into_keys().collect::<Vec<_>>(),
        vec!["Alpha", "Gamma"]
    );
    let err = db
        .describe_table(DescribeTableInput {
            table_name: "Beta".into(),
        })
        .unwrap_err();
    assert_eq!(err.error_type(), "ResourceNotFoundException");
    assert_holds(&db, &want);
    // A new table of the same name starts empty, also after another restart.
    create_table(
        &db,
        "Beta",
        ("id", ScalarType::N),
        Some(("at", ScalarType::B)),
    );
    drop(db);
    let db = open_sync(dir.path());
    let out = db
        .scan(ScanInput {
            table_name: "Beta".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.count, 0);
    assert_holds(&db, &want);
}

// ---- kill -9 ----

const CHILD_DIR_ENV: &str = "TESSERA_ITEMS_CRASH_CHILD_DIR";
const CHILD_START_ENV: &str = "TESSERA_ITEMS_CRASH_CHILD_START";
const CHILD_SEED_ENV: &str = "TESSERA_ITEMS_CRASH_CHILD_SEED";
const KILL_TABLE: &str = "Crash";
/// Keys the child writes: partition `p{j % 6}`, sort key `j`.
const KEYS: u64 = 48;

/// Small memtables and levels so that flushes and compactions run while the child is killed.
fn kill_config(dir: &Path) -> Config {
    let mut c = Config::new(dir)
        .shard_count(4)
        .memtable_size_bytes(32 << 10)
        .levels(128 << 10, 4)
        .table_file_size_bytes(32 << 10)
        .background_threads(1);
    c.l0_compaction_trigger = 2;
    c.wal_segment_size_bytes = 64 << 10;
    c
}

fn kill_key(j: u64) -> Item {
    item(&[
        ("pk", s(&format!("p{}", j % 6))),
        ("sk", AttributeValue::N(Number::from(j))),
    ])
}

/// The item operation `op` puts at key `j`.
fn kill_item(j: u64, op: u64) -> Item {
    let mut it = kill_key(j);
    it.extend(item(&[
        ("op", AttributeValue::N(Number::from(op))),
        ("s", s(&"x".repeat(((op * 7 + j) % 300) as usize))),
        ("b", b(&op.to_le_bytes())),
        ("ss", AttributeValue::Ss(vec![format!("v{op}"), "w".into()])),
        (
            "m",
            AttributeValue::M(item(&[
                (
                    "l",
                    AttributeValue::L(vec![
                        AttributeValue::N(Number::from(j)),
                        AttributeValue::Bool(op.is_multiple_of(2)),
                    ]),
                ),
                ("nul", AttributeValue::Null),
            ])),
        ),
    ]));
    it
}

/// One acknowledged operation of the child: a PutItem, a DeleteItem, a BatchWriteItem or a
/// TransactWriteItems (puts and deletes across shards, all or nothing).
#[derive(Debug)]
enum KillOp {
    Put(u64),
    Delete(u64),
    Batch(Vec<(u64, bool)>),
    Transact(Vec<(u64, bool)>),
}

/// Operation number `op` of the run with `seed`: the same on every call.
fn kill_op(seed: u64, op: u64) -> KillOp {
    let mut rng = Rng(seed ^ op.wrapping_mul(0x2545_f491_4f6c_dd1d));
    match rng.below(20) {
        0..=10 => KillOp::Put(rng.below(KEYS)),
        11..=14 => KillOp::Delete(rng.below(KEYS)),
        kind => {
            let size = 2 + rng.below(10) as usize;
            let mut keys = BTreeSet::new();
            while keys.len() < size {
                keys.insert(rng.below(KEYS));
            }
            let writes = keys.into_iter().map(|j| (j, rng.below(3) > 0)).collect();
            if kind < 18 {
                KillOp::Batch(writes)
            } else {
                KillOp::Transact(writes)
            }
        }
    }
}

/// The writes of an operation: key to the item put, or `None` for a delete.
fn kill_writes(seed: u64, op: u64) -> Vec<(u64, Option<Item>)> {
    match kill_op(seed, op) {
        KillOp::Put(j) => vec![(j, Some(kill_item(j, op)))],
        KillOp::Delete(j) => vec![(j, None)],
        KillOp::Batch(list) | KillOp::Transact(list) => list
            .into_iter()
            .map(|(j, put)| (j, put.then(|| kill_item(j, op))))
            .collect(),
    }
}

fn ensure_kill_table(db: &Database) {
    let described = db.describe_table(DescribeTableInput {
        table_name: KILL_TABLE.into(),
    });
    match described {
        Ok(_) => {}
        Err(e) if e.error_type() == "ResourceNotFoundException" => {
            create_table(
                db,
                KILL_TABLE,
                ("pk", ScalarType::S),
                Some(("sk", ScalarType::N)),
            );
        }
        Err(e) => panic!("describing the table: {e:?}"),
    }
}

/// The child's life: open (recover), create the table if absent, then write forever,
/// printing `ACK <op>` once each operation is acknowledged.
#[test]
fn restart_kill_child_process_entry() {
    let (Ok(dir), Ok(start), Ok(seed)) = (
        std::env::var(CHILD_DIR_ENV),
        std::env::var(CHILD_START_ENV),
        std::env::var(CHILD_SEED_ENV),
    ) else {
        return; // Run as a normal test: nothing to do; the parent test drives this role.
    };
    let seed: u64 = seed.parse().unwrap();
    let db = Database::open(kill_config(Path::new(&dir))).unwrap();
    ensure_kill_table(&db);
    println!("READY");
    let mut op: u64 = start.parse().unwrap();
    loop {
        match kill_op(seed, op) {
            KillOp::Put(j) => put(&db, KILL_TABLE, kill_item(j, op)),
            KillOp::Delete(j) => {
                db.delete_item(DeleteItemInput {
                    table_name: KILL_TABLE.into(),
                    key: kill_key(j),
                    ..Default::default()
                })
                .unwrap();
            }
            KillOp::Batch(_) => {
                let writes = kill_writes(seed, op)
                    .into_iter()
                    .map(|(j, new)| match new {
                        Some(item) => WriteRequest::PutRequest { item },
                        None => WriteRequest::DeleteRequest { key: kill_key(j) },
                    })
                    .collect();
                let out = db
                    .batch_write_item(BatchWriteItemInput {
                        return_consumed_capacity: None,
                        request_items: [(KILL_TABLE.to_owned(), writes)].into(),
                    })
                    .unwrap();
                assert!(out.unprocessed_items.is_empty());
            }
            KillOp::Transact(_) => {
                let actions = kill_writes(seed, op)
                    .into_iter()
                    .map(|(j, new)| match new {
                        Some(item) => TransactWriteItem::Put(Put {
                            table_name: KILL_TABLE.into(),
                            item,
                            ..Default::default()
                        }),
                        None => TransactWriteItem::Delete(Delete {
                            table_name: KILL_TABLE.into(),
                            key: kill_key(j),
                            ..Default::default()
                        }),
                    })
                    .collect();
                db.transact_write_items(TransactWriteItemsInput {
                    return_consumed_capacity: None,
                    transact_items: actions,
                    client_request_token: None,
                })
                .unwrap();
            }
        }
        println!("ACK {op}");
        op += 1;
    }
}

/// Runs one child from operation `start` until it has acknowledged `acks` operations (0:
/// kill at once), kills it with SIGKILL and returns every operation it acknowledged.
fn run_child(dir: &Path, log: &Path, start: u64, seed: u64, acks: u64) -> Vec<u64> {
    let exe = std::env::current_exe().unwrap();
    let stderr = std::fs::File::create(log).unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "restart_kill_child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_ENV, dir)
        .env(CHILD_START_ENV, start.to_string())
        .env(CHILD_SEED_ENV, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = Vec::new();
    while (acked.len() as u64) < acks {
        let Some(line) = lines.next() else {
            let mut err = String::new();
            std::fs::File::open(log)
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!(
                "seed {seed}: the child stopped after {} acks: {err}",
                acked.len()
            );
        };
        if let Some(op) = line.unwrap().strip_prefix("ACK ") {
            acked.push(op.parse().unwrap());
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Acknowledgements printed before the kill are still in the pipe.
    for line in lines {
        if let Some(op) = line.unwrap().strip_prefix("ACK ") {
            acked.push(op.parse().unwrap());
        }
    }
    acked
}

/// Reopens after a kill and checks the table against `model` (the state after every
/// acknowledged operation); the writes of the operation in flight may have landed, all or
/// none of them (a table's BatchWriteItem commits atomically in Tessera).
fn verify_after_kill(
    dir: &Path,
    model: &BTreeMap<u64, Item>,
    in_flight: &[(u64, Option<Item>)],
    acked_any: bool,
    ctx: &str,
) {
    let db = Database::open(kill_config(dir)).unwrap_or_else(|e| panic!("{ctx}: reopen: {e:?}"));
    let described = db.describe_table(DescribeTableInput {
        table_name: KILL_TABLE.into(),
    });
    let description = match described {
        Ok(d) => d.table,
        Err(e) if e.error_type() == "ResourceNotFoundException" => {
            assert!(!acked_any, "{ctx}: the table vanished");
            return;
        }
        Err(e) => panic!("{ctx}: describe: {e:?}"),
    };
    let mut actual: BTreeMap<u64, Item> = BTreeMap::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: KILL_TABLE.into(),
                limit: Some(10),
                exclusive_start_key: start,
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{ctx}: scan: {e:?}"));
        for it in page.items.unwrap() {
            let AttributeValue::N(j) = &it["sk"] else {
                panic!("{ctx}: bad sort key in {it:?}")
            };
            let j: u64 = j.to_string().parse().unwrap();
            assert!(
                actual.insert(j, it).is_none(),
                "{ctx}: key {j} scanned twice"
            );
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    let flight: BTreeMap<u64, Option<Item>> = in_flight.iter().cloned().collect();
    let (mut old_seen, mut new_seen) = (false, false);
    for j in 0..KEYS {
        let got = actual.get(&j);
        let before = model.get(&j);
        match flight.get(&j) {
            None => assert_eq!(got, before, "{ctx}: key {j}"),
            Some(after) => {
                let is_old = got == before;
                let is_new = got == after.as_ref();
                assert!(
                    is_old || is_new,
                    "{ctx}: key {j} is {got:?}, neither {before:?} nor {after:?}"
                );
                old_seen |= is_old && !is_new;
                new_seen |= is_new && !is_old;
            }
        }
        // Every item also reads back by key.
        let read = db
            .get_item(GetItemInput {
                table_name: KILL_TABLE.into(),
                key: kill_key(j),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{ctx}: get {j}: {e:?}"));
        assert_eq!(
            read.item.as_ref(),
            got,
            "{ctx}: GetItem and Scan disagree on {j}"
        );
    }
    assert!(
        !(old_seen && new_seen),
        "{ctx}: the write in flight landed in part: {in_flight:?}"
    );
    assert_eq!(
        description.item_count,
        actual.len() as i64,
        "{ctx}: ItemCount"
    );
    let bytes: usize = actual.values().map(item_size_bytes).sum();
    assert_eq!(
        description.table_size_bytes, bytes as i64,
        "{ctx}: TableSizeBytes"
    );
    db.close().unwrap_or_else(|e| panic!("{ctx}: close: {e:?}"));
}

#[test]
fn restart_kill_acknowledged_item_writes_survive_sigkill() {
    if std::env::var(CHILD_DIR_ENV).is_ok() {
        return; // The child runs only its own role.
    }
    let _serial = serial();
    let cycles: u64 = std::env::var("TESSERA_ITEMS_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(16);
    let seed = seed_from_env("TESSERA_ITEMS_CRASH_SEED");
    eprintln!("item crash test seed {seed} (TESSERA_ITEMS_CRASH_SEED replays it), {cycles} cycles");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let mut model: BTreeMap<u64, Item> = BTreeMap::new();
    let mut next = 0u64;
    for cycle in 0..cycles {
        // One cycle in six kills the child at once, often while it recovers.
        let acks = if rng.below(6) == 0 {
            0
        } else {
            1 + rng.below(80)
        };
        let log = logs.path().join(format!("child-{cycle}.log"));
        let acked = run_child(dir.path(), &log, next, seed, acks);
        let ctx = format!("seed {seed} cycle {cycle}");
        for (i, op) in acked.iter().enumerate() {
            assert_eq!(*op, next + i as u64, "{ctx}: acknowledgements out of order");
            for (j, new) in kill_writes(seed, *op) {
                match new {
                    Some(it) => model.insert(j, it),
                    None => model.remove(&j),
                };
            }
        }
        next += acked.len() as u64;
        let in_flight = kill_writes(seed, next);
        verify_after_kill(dir.path(), &model, &in_flight, next > 0, &ctx);
    }
    // `run_child` fails unless each child acknowledged what it was waited for.
    eprintln!("{next} operations acknowledged over {cycles} kill cycles");
}
