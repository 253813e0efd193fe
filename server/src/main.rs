//! The `tessera` binary: parses the command line (and an optional config file) and starts the
//! server.

use clap::{Parser, Subcommand};
use std::io::Write as _;
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
        `tessera serve` opens a database directory and serves it two ways: DynamoDB's \
        JSON-over-HTTP API (POST / with X-Amz-Target, as the AWS CLI, boto3 and the AWS SDKs \
        send it; any credentials are accepted) and Tessera's binary protocol (docs/protocol.md; \
        the Rust client is tessera_server::client). GET /health answers `ok`, GET /metrics \
        gives Prometheus metrics."
)]
struct Cli {
    /// Log format on stderr: `text` or `json` (one JSON object per line). The level comes
    /// from RUST_LOG (default `info`).
    #[arg(long, global = true, default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the server.
    Serve(ServeArgs),
}

/// Every setting is optional here: a flag wins over the config file, which wins over the
/// default named in the help.
#[derive(clap::Args, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ServeArgs {
    /// TOML file with any of the settings below, named as the flags are
    /// (`data-dir = "/var/lib/tessera"`, `http = "0.0.0.0:8000"`, `shards = 4`, ...).
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// Database directory, created if absent [default: tessera-data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Address of the DynamoDB HTTP API; port 0 picks a free port [default: 127.0.0.1:8000].
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Address of the binary protocol; port 0 picks a free port [default: 127.0.0.1:8100].
    #[arg(long, value_name = "ADDR")]
    binary: Option<SocketAddr>,
    /// Shards of a new database; an existing one keeps its own [default: cores, at least 2].
    #[arg(long)]
    shards: Option<usize>,
    /// When a write is acknowledged: `sync` (fsync'd first, survives power loss),
    /// `interval:MS` (synced every MS milliseconds, survives a crash of the process), or
    /// `none` [default: sync].
    #[arg(long)]
    durability: Option<String>,
    /// Serve the HTTP API through the item and query cache (eventually consistent reads may
    /// be up to a TTL stale for writes that bypass the cache; see docs/cache.md). The binary
    /// protocol picks its layer per request.
    #[arg(long)]
    #[serde(default)]
    cache: bool,
    /// Bytes of the item cache (GetItem, BatchGetItem), e.g. `256MiB`, `1GiB` or a byte
    /// count [default: 64MiB].
    #[arg(long, value_name = "SIZE")]
    cache_size: Option<String>,
    /// Bytes of the query cache (Query, Scan) [default: 32MiB].
    #[arg(long, value_name = "SIZE")]
    query_cache_size: Option<String>,
    /// Seconds an item (or a miss) is served from the item cache [default: 300].
    #[arg(long, value_name = "SECS")]
    item_ttl: Option<u64>,
    /// Seconds a Query or Scan answer is served from the query cache [default: 300].
    #[arg(long, value_name = "SECS")]
    query_ttl: Option<u64>,
    /// Tables whose cached Queries and Scans writes through the cache invalidate: `*` or a
    /// comma-separated list [default: none, as in DAX].
    #[arg(long, value_name = "TABLES")]
    cache_invalidate_queries: Option<String>,
    /// Serve every request whatever a table's capacity: no ProvisionedThroughputExceeded or
    /// ThrottlingException (consumption is still counted). For pure speed runs.
    #[arg(long)]
    #[serde(default)]
    no_capacity_limits: bool,
    /// Bytes of the engine's block cache [default: 64MiB].
    #[arg(long, value_name = "SIZE")]
    block_cache_size: Option<String>,
    /// Region named in ARNs and the health text [default: us-east-1].
    #[arg(long)]
    region: Option<String>,
}

impl ServeArgs {
    /// Fills what the command line left unset from `file`.
    fn or(self, file: ServeArgs) -> ServeArgs {
        ServeArgs {
            config: self.config,
            data_dir: self.data_dir.or(file.data_dir),
            http: self.http.or(file.http),
            binary: self.binary.or(file.binary),
            shards: self.shards.or(file.shards),
            durability: self.durability.or(file.durability),
            cache: self.cache || file.cache,
            cache_size: self.cache_size.or(file.cache_size),
            query_cache_size: self.query_cache_size.or(file.query_cache_size),
            item_ttl: self.item_ttl.or(file.item_ttl),
            query_ttl: self.query_ttl.or(file.query_ttl),
            cache_invalidate_queries: self
                .cache_invalidate_queries
                .or(file.cache_invalidate_queries),
            block_cache_size: self.block_cache_size.or(file.block_cache_size),
            no_capacity_limits: self.no_capacity_limits || file.no_capacity_limits,
            region: self.region.or(file.region),
        }
    }
}

fn parse_durability(text: &str) -> anyhow::Result<Durability> {
    Durability::parse(text).ok_or_else(|| {
        anyhow::anyhow!("durability must be sync, none or interval:MS, not `{text}`")
    })
}

/// Parses `1048576`, `64MiB`, `64MB`, `1GiB`, `512KiB` (units are powers of 1024).
fn parse_size(text: &str) -> anyhow::Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| anyhow::anyhow!("size `{text}` does not start with a number"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => anyhow::bail!("size `{text}`: the unit must be KiB, MiB or GiB"),
    };
    n.checked_mul(scale)
        .ok_or_else(|| anyhow::anyhow!("size `{text}` is too large"))
}

fn init_logging(format: LogFormat) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if let LogFormat::Json = format {
        builder.format(|buf, record| {
            let line = serde_json::json!({
                "ts": buf.timestamp_micros().to_string(),
                "level": record.level().as_str(),
                "target": record.target(),
                "msg": record.args().to_string(),
            });
            writeln!(buf, "{line}")
        });
    }
    builder.init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
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

fn options(args: ServeArgs) -> anyhow::Result<ServeOptions> {
    let args = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
            let file: ServeArgs = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
            args.or(file)
        }
        None => args,
    };
    let default_addr = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
    Ok(ServeOptions {
        data_dir: args
            .data_dir
            .unwrap_or_else(|| PathBuf::from("tessera-data")),
        http: args.http.unwrap_or_else(|| default_addr(8000)),
        binary: args.binary.unwrap_or_else(|| default_addr(8100)),
        shards: args.shards,
        durability: parse_durability(args.durability.as_deref().unwrap_or("sync"))?,
        region: args.region.unwrap_or_else(|| "us-east-1".to_owned()),
        block_cache_bytes: args
            .block_cache_size
            .as_deref()
            .map(parse_size)
            .transpose()?,
        cache: tessera_cache::CacheConfig {
            item_cache_bytes: parse_size(args.cache_size.as_deref().unwrap_or("64MiB"))?,
            query_cache_bytes: parse_size(args.query_cache_size.as_deref().unwrap_or("32MiB"))?,
            item_ttl: std::time::Duration::from_secs(args.item_ttl.unwrap_or(300)),
            query_ttl: std::time::Duration::from_secs(args.query_ttl.unwrap_or(300)),
            invalidate_queries: match args.cache_invalidate_queries.as_deref() {
                None | Some("") => tessera_cache::TableSet::None,
                Some("*") => tessera_cache::TableSet::All,
                Some(list) => tessera_cache::TableSet::Only(
                    list.split(',').map(|t| t.trim().to_owned()).collect(),
                ),
            },
            ..Default::default()
        },
        http_through_cache: args.cache,
        capacity_limits: !args.no_capacity_limits,
    })
}

fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let options = options(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            termination_signal().await;
            log::info!("shutdown requested");
            let _ = stop_tx.send(true);
        });
        let data_dir = options.data_dir.clone();
        serve(options, stop_rx, |at| {
            // Tests read these two lines to find the ports.
            println!(
                "tessera: DynamoDB HTTP API listening on http://{} (data in {})",
                at.http,
                data_dir.display()
            );
            println!("tessera: binary protocol listening on tcp://{}", at.binary);
            log::info!(
                "listening: http={} binary={} data_dir={}",
                at.http,
                at.binary,
                data_dir.display()
            );
        })
        .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_size_units() {
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("2 GB").unwrap(), 2 << 30);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5TB").is_err());
    }

    #[test]
    fn options_flags_win_over_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.toml");
        std::fs::write(
            &path,
            "data-dir = \"/srv/t\"\nhttp = \"0.0.0.0:9000\"\nshards = 3\ncache-size = \"1GiB\"\ncache = true\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(path),
            shards: Some(5),
            ..Default::default()
        };
        let o = options(args).unwrap();
        assert_eq!(o.data_dir, PathBuf::from("/srv/t"));
        assert_eq!(o.http.to_string(), "0.0.0.0:9000");
        assert_eq!(o.binary.to_string(), "127.0.0.1:8100");
        assert_eq!(o.shards, Some(5));
        assert_eq!(o.cache.item_cache_bytes, 1 << 30);
        assert_eq!(o.block_cache_bytes, None);
        assert!(o.http_through_cache);
    }

    #[test]
    fn options_unknown_config_key_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "htp = \"x\"\n").unwrap();
        let e = options(ServeArgs {
            config: Some(path),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("htp"), "{e}");
    }
}
