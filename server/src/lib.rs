//! Tessera's server: the DynamoDB JSON-over-HTTP API and the binary protocol.
//!
//! [`run::serve`] opens a [`tessera_engine::Database`] and serves DynamoDB's JSON API over
//! HTTP ([`http`]); [`wire`] converts DynamoDB's JSON to and from the engine's request types,
//! and [`service`] is the one dispatcher front ends call.
#![forbid(unsafe_code)]

pub mod http;
pub mod metrics;
pub mod run;
pub mod service;
pub mod wire;
