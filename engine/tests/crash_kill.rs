//! Crash test: a child process writes cross-shard batches with `Sync` durability and reports
//! each acknowledged batch; the parent kills it with SIGKILL at random moments (sometimes
//! during recovery), reopens the store and checks that every acknowledged batch is present,
//! that every batch is all-or-nothing, that the batches present form a prefix, and that
//! nothing is corrupt.
//!
//! `TESSERA_CRASH_CYCLES` sets the number of kill cycles (default 50);
//! `TESSERA_CRASH_SEED` replays a run (the seed is printed on failure).

mod common;

use common::Rng;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Config, Durability, Store, WriteBatch};

const CHILD_DIR_ENV: &str = "TESSERA_CRASH_CHILD_DIR";
const CHILD_START_ENV: &str = "TESSERA_CRASH_CHILD_START";
const KEYS_PER_BATCH: u64 = 3;

fn config(dir: &Path) -> Config {
    let mut c = Config::new(dir)
        .shard_count(4)
        .durability(Durability::Sync)
        .memtable_size_bytes(32 << 10)
        .levels(128 << 10, 4)
        .table_file_size_bytes(32 << 10)
        .background_threads(1);
    c.l0_compaction_trigger = 2;
    c.wal_segment_size_bytes = 64 << 10;
    c
}

fn key(batch: u64, j: u64) -> (String, String, Vec<u8>) {
    let partition = format!("part{}", (batch * KEYS_PER_BATCH + j) % 11);
    let key = format!("{partition}/b{batch:08}/{j}");
    let value = format!("v{batch}-{j}-").repeat(8).into_bytes();
    (partition, key, value)
}

/// The child's life: open (recover), then write batches forever, acknowledging each.
#[test]
fn crash_kill_child_process_entry() {
    let (Ok(dir), Ok(start)) = (std::env::var(CHILD_DIR_ENV), std::env::var(CHILD_START_ENV))
    else {
        return; // Run as a normal test: nothing to do; the parent test drives this role.
    };
    let store = Store::open(config(Path::new(&dir))).unwrap();
    println!("READY");
    let mut batch: u64 = start.parse().unwrap();
    loop {
        let mut b = WriteBatch::new();
        for j in 0..KEYS_PER_BATCH {
            let (p, k, v) = key(batch, j);
            b.put(p.as_bytes(), k.as_bytes(), &v);
        }
        store.write(b).unwrap();
        println!("ACK {batch}");
        batch += 1;
    }
}

/// Runs one child until it has acknowledged `acks` batches (0: kill at once), kills it and
/// returns the largest acknowledged batch, if any.
fn run_child(dir: &Path, start: u64, acks: u64) -> Option<u64> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "crash_kill_child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_ENV, dir)
        .env(CHILD_START_ENV, start.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut last_ack = None;
    if acks > 0 {
        let stdout = child.stdout.take().unwrap();
        let mut seen = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("ACK ") {
                last_ack = Some(n.parse().unwrap());
                seen += 1;
                if seen >= acks {
                    break;
                }
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    last_ack
}

/// Checks the store after a kill; returns the next batch number to write.
fn verify(dir: &Path, start: u64, last_ack: Option<u64>, seed: u64, cycle: u64) -> u64 {
    let ctx = format!("seed {seed} cycle {cycle}");
    let store = Store::open(config(dir)).unwrap_or_else(|e| panic!("{ctx}: reopen failed: {e}"));
    // Every shard scans cleanly (no corruption anywhere).
    let mut total = 0u64;
    for shard in 0..store.shard_count() {
        for kv in store
            .shard_range(shard, KeyRange::all(), Direction::Forward, None)
            .unwrap()
        {
            kv.unwrap_or_else(|e| panic!("{ctx}: scan failed: {e}"));
            total += 1;
        }
    }
    let present = |b: u64| -> bool {
        let found: Vec<bool> = (0..KEYS_PER_BATCH)
            .map(|j| {
                let (p, k, v) = key(b, j);
                match store.get(p.as_bytes(), k.as_bytes()).unwrap() {
                    Some(got) => {
                        assert_eq!(got, v, "{ctx}: batch {b} key {j} has the wrong value");
                        true
                    }
                    None => false,
                }
            })
            .collect();
        assert!(
            found.iter().all(|&f| f == found[0]),
            "{ctx}: batch {b} is torn: {found:?}"
        );
        found[0]
    };
    // Everything before this cycle and everything acknowledged in it is present.
    let acked_end = last_ack.map_or(start, |a| a + 1);
    for b in 0..acked_end {
        assert!(present(b), "{ctx}: acknowledged batch {b} is missing");
    }
    // Unacknowledged batches: a prefix of them may have landed, nothing after a gap.
    let mut next = acked_end;
    while present(next) {
        next += 1;
    }
    for b in next + 1..next + 20 {
        assert!(
            !present(b),
            "{ctx}: batch {b} present after missing batch {next}"
        );
    }
    assert_eq!(
        total,
        next * KEYS_PER_BATCH,
        "{ctx}: unexpected keys in the store"
    );
    store.close().unwrap();
    next
}

#[test]
fn crash_kill_acknowledged_batches_survive_sigkill() {
    if std::env::var(CHILD_DIR_ENV).is_ok() {
        return; // The child runs only its own role.
    }
    let cycles: u64 = std::env::var("TESSERA_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("TESSERA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash test seed {seed} (TESSERA_CRASH_SEED replays it), {cycles} cycles");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut next = 0u64;
    for cycle in 0..cycles {
        // One cycle in eight kills the child at once, often during its recovery.
        let acks = if rng.next_u64().is_multiple_of(8) {
            0
        } else {
            1 + rng.next_u64() % 60
        };
        let last_ack = run_child(dir.path(), next, acks);
        next = verify(dir.path(), next, last_ack, seed, cycle);
    }
    assert!(
        next > cycles,
        "the children made too little progress: {next} batches"
    );
}
