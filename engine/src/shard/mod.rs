//! The sharded store: N LSM trees behind one WAL, one manifest and one commit pipeline.
//!
//! A key is routed to a shard by a hash of its partition key ([`router`]). Each shard has
//! its own memtables, levels and compactions. A [`WriteBatch`] touching several shards is
//! one WAL record, so after a crash it is replayed whole or not at all; its operations get
//! consecutive sequence numbers from one global counter and become visible together when
//! the counter is published.

mod background;
mod batch;
mod commit;
mod open;
pub mod router;
mod store;

pub use batch::WriteBatch;
pub use store::{Snapshot, Store};
