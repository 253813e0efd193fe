//! Tessera's server: the DynamoDB JSON-over-HTTP API and the binary protocol.
//!
//! The network front ends arrive with the server issue. Until then the `tessera` binary
//! answers `--help` and reports plainly that `serve` is not available yet.
#![forbid(unsafe_code)]

/// The usage text of the `tessera` binary.
pub const USAGE: &str = "\
tessera: a self-hosted DynamoDB-compatible database

USAGE:
    tessera serve     start the server (not available yet: arrives with the server issue)
    tessera --help    print this text
";
