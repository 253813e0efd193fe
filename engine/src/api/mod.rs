//! The item API's request and response types and its error type, shared by the embedded
//! [`crate::Database`], the server's front ends and the cache.

pub mod error;

pub use error::{ApiError, ApiResult, CancellationReason};
