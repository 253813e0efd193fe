//! Tessera's storage engine.
//!
//! The lower layer, [`lsm`], is an ordered, durable key-value store: a write-ahead log with
//! group commit, concurrent memtables, block-based SSTables with bloom filters, a crash-safe
//! manifest and leveled compaction. [`shard`] splits a store into shards by a hash of the
//! partition key and makes write batches atomic across shards through one shared WAL.
//! All file I/O goes through [`io::Storage`], so tests can swap in a deterministic,
//! fault-injecting simulation.
//!
#![deny(unsafe_code)]
#![deny(clippy::unwrap_used)]

pub mod error;
pub mod io;
pub mod limits;
pub mod lsm;
mod sync;

pub use error::{Error, Result};
