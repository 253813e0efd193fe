//! The `tessera` binary: parses the command line and starts the server.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tessera_engine::Durability;
use tessera_server::run::{serve, termination_signal, ServeOptions};

#[derive(Parser, Debug)]
#[command(
    name = "tessera",
    version,
    about = "Tessera: a self-hosted DynamoDB-compatible database",
    long_about = "Tessera: a self-hosted DynamoDB-compatible database.\n\n\
        `tessera serve` starts the DynamoDB HTTP API (POST / with X-Amz-Target, as the AWS CLI, \
        boto3 and the AWS SDKs send it) on a database directory. Any credentials are accepted."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the server.
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Database directory (created if absent).
    #[arg(long, default_value = "tessera-data")]
    data_dir: PathBuf,
    /// Address of the DynamoDB HTTP API (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8000")]
    http: SocketAddr,
    /// Shards of a new database (default: the number of cores, at least 2).
    #[arg(long)]
    shards: Option<usize>,
    /// When a write is acknowledged: `sync` (fsync'd, survives power loss), `interval:MS`
    /// (synced every MS milliseconds, survives a crash of the process), or `none`.
    #[arg(long, default_value = "sync")]
    durability: String,
    /// Region named in ARNs.
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

fn parse_durability(text: &str) -> anyhow::Result<Durability> {
    match text {
        "sync" => Ok(Durability::Sync),
        "none" => Ok(Durability::None),
        other => match other.strip_prefix("interval:").map(str::parse::<u64>) {
            Some(Ok(ms)) => Ok(Durability::Interval(ms)),
            _ => anyhow::bail!("--durability must be sync, none or interval:MS, not `{other}`"),
        },
    }
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => run_serve(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A message, not a backtrace: these are the user's errors, not the program's.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let options = ServeOptions {
        data_dir: args.data_dir,
        http: args.http,
        shards: args.shards,
        durability: parse_durability(&args.durability)?,
        region: args.region,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            termination_signal().await;
            let _ = stop_tx.send(true);
        });
        let data_dir = options.data_dir.clone();
        serve(options, stop_rx, |addr| {
            // Tests read this line to find the port.
            println!(
                "tessera: DynamoDB HTTP API listening on http://{addr} (data in {})",
                data_dir.display()
            );
        })
        .await
    })
}
