//! The item API's request and response types and its error type, shared by the embedded
//! [`crate::Database`], the server's front ends and the cache.
//!
//! **API boundary**: these are plain Rust values. Wire formats (DynamoDB JSON, the binary
//! protocol) are converted to and from them in the server; the engine knows no JSON.

pub mod error;
pub mod interface;
pub mod legacy;
pub mod ops;
pub mod txn;
pub mod types;

pub use error::{ApiError, ApiResult, CancellationReason};
pub use interface::ItemApi;
pub use legacy::*;
pub use ops::*;
pub use txn::*;
pub use types::*;
