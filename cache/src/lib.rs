//! Tessera's accelerator: a DAX-like item cache and query cache in front of the engine.
//!
//! The cache arrives with its own issue; this crate holds its place in the workspace so the
//! dependency direction server -> cache -> engine is fixed from the start.
#![forbid(unsafe_code)]

pub use tessera_engine as engine;
