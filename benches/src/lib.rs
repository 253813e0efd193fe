//! Shared helpers for Tessera's benchmarks: key and value generation, a seeded RNG, the
//! [`BenchEngine`] adapter trait that lets engine-bench run identical workloads on every
//! engine, and the workload runner with its latency histograms.
//!
//! ```
//! use tessera_bench::keys::{key, KeyLayout};
//!
//! let layout = KeyLayout::new(4);
//! assert_eq!(key(42), *b"0000000000000042");
//! assert_eq!(layout.partition(42), b"p0002".to_vec());
//! ```
#![deny(clippy::unwrap_used)]

pub mod engine;
pub mod error;
pub mod fixtures;
pub mod http;
pub mod items;
pub mod keys;
pub mod report;
pub mod rng;
pub mod workload;
pub mod ycsb;

#[cfg(feature = "compare")]
pub mod compare;

pub use engine::{BenchEngine, TesseraEngine};
pub use error::{Error, Result};
