//! tessera-load: a closed-loop load generator for a running Tessera server, through the
//! DynamoDB HTTP API or the binary protocol. Each client is one connection sending a request,
//! waiting for the answer, and sending the next (`--depth N` keeps N in flight per
//! connection instead). Latency is recorded per request in an HDR histogram.
//!
//! ```text
//! tessera serve --data-dir /tmp/tload &
//! tessera-load --setup                                     # table Bench, 1,000 items of 1 KB
//! tessera-load --protocol binary --op get --clients 16 --duration 10
//! tessera-load --matrix                                    # {http, binary} x {get, put} x {1, 16}
//! ```

use anyhow::{bail, Context};
use clap::Parser;
use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_bench::http::HttpConn;
use tessera_engine::api::{
    AttributeDefinition, BillingMode, CreateTableInput, GetItemInput, KeySchemaElement, KeyType,
    PutItemInput,
};
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_server::binary::frame::Layer;
use tessera_server::client::Client;

/// The table the wrk scripts (benches/wrk) use too.
const TABLE: &str = "Bench";

#[derive(Parser, Debug, Clone)]
#[command(about = "Closed-loop GetItem/PutItem load against a running Tessera server")]
struct Args {
    /// Address of the HTTP API.
    #[arg(long, default_value = "127.0.0.1:8000")]
    http: String,
    /// Address of the binary protocol.
    #[arg(long, default_value = "127.0.0.1:8100")]
    binary: String,
    /// `http` or `binary`.
    #[arg(long, default_value = "binary")]
    protocol: String,
    /// `get`, `put`, or `ping` (binary only: a round trip that skips the database).
    #[arg(long, default_value = "get")]
    op: String,
    /// Concurrent clients (connections).
    #[arg(long, default_value_t = 1)]
    clients: usize,
    /// Requests in flight per connection.
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Seconds measured per run.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of unmeasured warm-up before each run.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Items in the table (keys k0..k{items-1}).
    #[arg(long, default_value_t = 1000)]
    items: u64,
    /// Bytes of each item's payload attribute.
    #[arg(long, default_value_t = 1000)]
    item_size: usize,
    /// Binary-protocol layer: `cache` or `engine`.
    #[arg(long, default_value = "cache")]
    layer: String,
    /// Worker threads of the load generator.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Create table Bench (if absent) and load the items, then exit.
    #[arg(long)]
    setup: bool,
    /// Run {http, binary} x {get, put} x {1, 16 clients} and print a markdown table.
    #[arg(long)]
    matrix: bool,
}

/// What one run measured.
struct Outcome {
    histogram: Histogram<u64>,
    errors: u64,
    elapsed: Duration,
}

impl Outcome {
    fn row(&self, protocol: &str, op: &str, clients: usize) -> String {
        let h = &self.histogram;
        let us = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        format!(
            "| {protocol} | {op} | {clients} | {:.0} | {:.0} µs | {:.0} µs | {:.0} µs | {} |",
            h.len() as f64 / self.elapsed.as_secs_f64(),
            us(0.5),
            us(0.99),
            us(0.999),
            self.errors
        )
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    if args.setup {
        return setup(&args).await;
    }
    println!("| protocol | op | clients | req/s | p50 | p99 | p99.9 | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    let runs: Vec<(String, String, usize)> = if args.matrix {
        let mut runs = Vec::new();
        for protocol in ["http", "binary"] {
            for op in ["get", "put"] {
                for clients in [1, 16] {
                    runs.push((protocol.to_owned(), op.to_owned(), clients));
                }
            }
        }
        runs
    } else {
        vec![(args.protocol.clone(), args.op.clone(), args.clients)]
    };
    for (protocol, op, clients) in runs {
        let outcome = measure(&args, &protocol, &op, clients).await?;
        println!("{}", outcome.row(&protocol, &op, clients));
    }
    Ok(())
}

fn layer(args: &Args) -> anyhow::Result<Layer> {
    match args.layer.as_str() {
        "cache" => Ok(Layer::Cache),
        "engine" => Ok(Layer::Engine),
        other => bail!("--layer must be cache or engine, not {other}"),
    }
}

fn key(i: u64) -> Item {
    Item::from([("id".to_owned(), AttributeValue::S(format!("k{i}")))])
}

fn item(i: u64, size: usize) -> Item {
    let mut item = key(i);
    item.insert("payload".to_owned(), AttributeValue::S("x".repeat(size)));
    item
}

async fn setup(args: &Args) -> anyhow::Result<()> {
    let client = Client::builder(&args.binary)
        .connect()
        .await
        .with_context(|| format!("connecting to {}", args.binary))?;
    let created = client
        .create_table(CreateTableInput {
            table_name: TABLE.to_owned(),
            key_schema: vec![KeySchemaElement::new("id", KeyType::Hash)],
            attribute_definitions: vec![AttributeDefinition::new("id", ScalarType::S)],
            billing_mode: Some(BillingMode::PayPerRequest),
            ..Default::default()
        })
        .await;
    match created {
        Ok(_) => {}
        Err(e) if e.error_type() == Some("ResourceInUseException") => {}
        Err(e) => bail!("CreateTable: {e}"),
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..args.items {
        let client = client.clone();
        let item = item(i, args.item_size);
        tasks.spawn(async move {
            client
                .put_item(PutItemInput {
                    table_name: TABLE.to_owned(),
                    item,
                    ..Default::default()
                })
                .await
        });
        if tasks.len() >= 256 {
            if let Some(done) = tasks.join_next().await {
                done??;
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    println!(
        "table {TABLE}: {} items of {} bytes",
        args.items, args.item_size
    );
    Ok(())
}

/// A small xorshift generator per task: key choice must not cost a lock.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// One closed loop's connection.
enum Conn {
    /// Each task opens its own connection to this address.
    Http(String),
    Binary(Client),
}

async fn measure(args: &Args, protocol: &str, op: &str, clients: usize) -> anyhow::Result<Outcome> {
    if !matches!(op, "get" | "put" | "ping") || (op == "ping" && protocol != "binary") {
        bail!("--op must be get or put (or ping, with --protocol binary), not {op}");
    }
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let conn = match protocol {
            "http" => Arc::new(Conn::Http(args.http.clone())),
            "binary" => Arc::new(Conn::Binary(
                Client::builder(&args.binary)
                    .layer(layer(args)?)
                    .connect()
                    .await
                    .with_context(|| format!("connecting to {}", args.binary))?,
            )),
            other => bail!("--protocol must be http or binary, not {other}"),
        };
        for d in 0..args.depth.max(1) {
            let conn = Arc::clone(&conn);
            let (measuring, stop, errors) = (
                Arc::clone(&measuring),
                Arc::clone(&stop),
                Arc::clone(&errors),
            );
            let (put, ping, items, size) = (op == "put", op == "ping", args.items, args.item_size);
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (((c * 64 + d) as u64 + 1) * 0x2545_F491));
            tasks.spawn(async move {
                let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3)?;
                let mut http_conn = None;
                let payload = "x".repeat(size);
                while !stop.load(Ordering::Relaxed) {
                    let i = rng.below(items);
                    let started = Instant::now();
                    let ok = match &*conn {
                        Conn::Binary(client) if ping => client.ping().await.is_ok(),
                        Conn::Binary(client) => binary_call(client, put, i, size).await,
                        Conn::Http(addr) => {
                            let conn = http_conn.get_or_insert_with(|| HttpConn::new(addr));
                            http_call(conn, put, i, &payload).await
                        }
                    };
                    if measuring.load(Ordering::Relaxed) {
                        if ok {
                            histogram.saturating_record(started.elapsed().as_nanos() as u64);
                        } else {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                anyhow::Ok(histogram)
            });
        }
    }
    tokio::time::sleep(Duration::from_secs(args.warmup)).await;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.duration)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3)?;
    while let Some(done) = tasks.join_next().await {
        histogram.add(done??)?;
    }
    Ok(Outcome {
        histogram,
        errors: errors.load(Ordering::Relaxed),
        elapsed,
    })
}

async fn binary_call(client: &Client, put: bool, i: u64, size: usize) -> bool {
    if put {
        client
            .put_item(PutItemInput {
                table_name: TABLE.to_owned(),
                item: item(i, size),
                ..Default::default()
            })
            .await
            .is_ok()
    } else {
        matches!(
            client
                .get_item(GetItemInput {
                    table_name: TABLE.to_owned(),
                    key: key(i),
                    ..Default::default()
                })
                .await,
            Ok(out) if out.item.is_some()
        )
    }
}

/// One HTTP GetItem or PutItem of key `k{i}`; true if it succeeded (and, for GetItem, found
/// the item: the table is loaded, so an empty answer is an error).
async fn http_call(conn: &mut HttpConn, put: bool, i: u64, payload: &str) -> bool {
    let (operation, body) = if put {
        (
            "PutItem",
            format!(
                r#"{{"TableName":"{TABLE}","Item":{{"id":{{"S":"k{i}"}},"payload":{{"S":"{payload}"}}}}}}"#
            ),
        )
    } else {
        (
            "GetItem",
            format!(r#"{{"TableName":"{TABLE}","Key":{{"id":{{"S":"k{i}"}}}}}}"#),
        )
    };
    match conn.call(operation, body.as_bytes()).await {
        Ok((status, answer)) => status == 200 && (put || answer.len() > 2),
        Err(_) => false,
    }
}
