//! The `tessera` binary: parses the command line and starts the server.

use std::process::ExitCode;
use tessera_server::USAGE;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A message, not a backtrace: these are the user's errors, not the program's.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        None | Some("--help") | Some("-h") | Some("help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some("serve") => anyhow::bail!(
            "`tessera serve` is not available yet: the HTTP and binary front ends arrive with \
             the server issue; the storage engine can be embedded today (see README.md)"
        ),
        Some(other) => anyhow::bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
