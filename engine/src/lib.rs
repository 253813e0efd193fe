//! Tessera's storage engine.
//!
//! The lower layer, [`lsm`], is an ordered, durable key-value store: a write-ahead log with
//! group commit, concurrent memtables, block-based SSTables with bloom filters, a crash-safe
//! manifest and leveled compaction. [`shard`] splits a store into shards by a hash of the
//! partition key and makes write batches atomic across shards through one shared WAL.
//! All file I/O goes through [`io::Storage`], so tests can swap in a deterministic,
//! fault-injecting simulation.
//!
//! The upper layer is DynamoDB's item API: [`Database`] takes the request types of [`api`]
//! (tables, PutItem, GetItem, Query, Scan, batches), stores items through [`model`]'s
//! encodings and evaluates [`expr`]essions; see the [`Database`] docs for an example.
//!
//! ```
//! use tessera_engine::{Config, Store, WriteBatch};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(Config::new(dir.path()))?;
//! let mut batch = WriteBatch::new();
//! batch.put(b"user#1", b"user#1/profile", b"{\"name\":\"Ada\"}");
//! batch.delete(b"user#2", b"user#2/profile");
//! store.write(batch)?;
//! assert_eq!(store.get(b"user#1", b"user#1/profile")?, Some(b"{\"name\":\"Ada\"}".to_vec()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(unsafe_code)]
#![deny(clippy::unwrap_used)]

pub mod api;
pub mod clock;
mod db;
pub mod error;
pub mod expr;
pub mod io;
pub mod limits;
pub mod lsm;
pub mod model;
pub mod shard;
mod sync;
pub mod table;

pub use db::{Database, DatabaseOptions};
pub use error::{Error, Result};
pub use lsm::config::{Config, Durability};
pub use shard::{Snapshot, Store, WriteBatch};
