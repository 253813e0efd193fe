//! The README's embedding example, compiled and run so it cannot drift from the API:
//! `cargo run -p tessera-engine --example embedding`.

use tessera_engine::lsm::{Direction, KeyRange};
use tessera_engine::{Config, Store, WriteBatch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(Config::new(dir.path()))?;

    // A batch is atomic and durable, across shards too: after a crash all of it is there, or none.
    let mut batch = WriteBatch::new();
    batch.put(b"user#1", b"user#1/profile", b"{\"name\":\"Ada\"}");
    batch.put(b"user#1", b"user#1/settings", b"{}");
    batch.delete(b"user#2", b"user#2/profile");
    store.write(batch)?;
    assert_eq!(
        store.get(b"user#1", b"user#1/profile")?,
        Some(b"{\"name\":\"Ada\"}".to_vec())
    );

    // A snapshot keeps reading the store as it was when taken.
    let snapshot = store.snapshot();
    store.put(b"user#1", b"user#1/profile", b"{\"name\":\"Grace\"}")?;
    let then = store.get_at(&snapshot, b"user#1", b"user#1/profile")?;
    assert_eq!(then, Some(b"{\"name\":\"Ada\"}".to_vec()));

    // Range reads within one partition, in either direction.
    let keys: Vec<Vec<u8>> = store
        .range(b"user#1", KeyRange::prefix(b"user#1/"), Direction::Reverse)
        .map(|entry| entry.map(|(key, _value)| key))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        keys,
        [b"user#1/settings".to_vec(), b"user#1/profile".to_vec()]
    );
    println!("embedding example: ok");
    Ok(())
}
