//! Tables over the store: the catalog, control-plane operations, item reads and writes,
//! Query, Scan and batches. Each operation is a method of [`crate::Database`], implemented
//! in the file named after its concern.

pub mod capacity;
pub(crate) mod catalog;
mod control;
mod expressions;
mod legacy;
pub(crate) mod locks;
mod query;
mod read;
mod scan;
pub mod schema;
mod stats;
pub mod throttle;
pub(crate) mod txn;
mod update;
mod validate;

pub use query::query_partition;
pub mod write;
