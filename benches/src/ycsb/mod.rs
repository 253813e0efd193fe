//! YCSB for Tessera: the core workloads A to F and a pure-write load, run against the
//! embedded engine, the engine with its cache, a server's binary protocol or any DynamoDB
//! HTTP endpoint, with results saved as JSON and drawn as HTML reports.
//!
//! ```no_run
//! use std::sync::Arc;
//! use tessera_bench::ycsb::{run, target::LocalConnector, RunConfig, Workload};
//! use tessera_engine::{Config, Database};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = Arc::new(Database::open(Config::new("/tmp/ycsb"))?);
//! let connector = LocalConnector::new(db, "embedded engine");
//! let config = RunConfig { workload: Workload::B, records: 1000, operations: 10_000, ..Default::default() };
//! let result = run(&connector, &config)?;
//! println!("{:.0} ops/s", result.run.throughput);
//! # Ok(())
//! # }
//! ```

pub mod html;
pub mod keygen;
pub mod result;
mod run;
pub mod spec;
pub mod target;

pub use result::RunResult;
pub use run::{run, RunConfig};
pub use spec::{Distribution, Op, Workload};
