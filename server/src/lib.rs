//! Tessera's server: the DynamoDB JSON-over-HTTP API and the binary protocol.
//!
//! [`run::serve`] opens a [`tessera_engine::Database`] and serves DynamoDB's JSON API over
//! HTTP ([`http`]) and Tessera's binary protocol ([`binary`], spec in docs/protocol.md);
//! [`wire`] converts DynamoDB's JSON to and from the engine's request types, [`binary::codec`]
//! does the same for the binary encoding, and [`service`] is the one dispatcher both front
//! ends call. [`client`] is the async Rust client of the binary protocol.
#![forbid(unsafe_code)]

pub mod autoscaling;
pub mod binary;
pub mod client;
pub mod http;
pub mod metrics;
pub mod run;
pub mod service;
pub mod state;
pub mod wire;
