//! Starting and stopping the server: the listeners, the accept loop, and a graceful
//! shutdown that finishes in-flight requests and closes the database (flush and sync).

use crate::http::handle;
use crate::state::ServerState;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tessera_engine::{Config, Database, Durability};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long a shutdown waits for in-flight requests before closing anyway.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// What `tessera serve` runs with.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The database directory (created if absent).
    pub data_dir: PathBuf,
    /// Address of the DynamoDB HTTP API.
    pub http: SocketAddr,
    /// Address of the binary protocol.
    pub binary: SocketAddr,
    /// Shard count for a new database (an existing one keeps its own).
    pub shards: Option<usize>,
    /// Durability of acknowledged writes.
    pub durability: Durability,
    /// Region named in ARNs and the health text.
    pub region: String,
    /// Bytes of the engine's block cache (`None`: the engine's default).
    pub block_cache_bytes: Option<u64>,
    /// The item and query cache.
    pub cache: tessera_cache::CacheConfig,
    /// Whether the HTTP API answers through the cache.
    pub http_through_cache: bool,
    /// Whether requests beyond a table's capacity are refused, as DynamoDB does.
    pub capacity_limits: bool,
}

/// Where a started server listens.
#[derive(Debug, Clone, Copy)]
pub struct Listening {
    /// The DynamoDB HTTP API.
    pub http: SocketAddr,
    /// The binary protocol.
    pub binary: SocketAddr,
}

/// Opens the database, binds the listeners, calls `on_listening` with the bound addresses,
/// serves until `shutdown` turns true, then drains and closes.
pub async fn serve(
    options: ServeOptions,
    mut shutdown: watch::Receiver<bool>,
    on_listening: impl FnOnce(Listening),
) -> anyhow::Result<()> {
    let mut config = Config::new(&options.data_dir).durability(options.durability);
    if let Some(n) = options.shards {
        config = config.shard_count(n);
    }
    if let Some(bytes) = options.block_cache_bytes {
        config = config.block_cache_bytes(bytes);
    }
    let db_options = tessera_engine::DatabaseOptions {
        region: options.region.clone(),
        capacity_limits: options.capacity_limits,
        ..Default::default()
    };
    let db = tokio::task::spawn_blocking(move || Database::open_with(config, db_options)).await??;
    let db = Arc::new(db);
    let listener = TcpListener::bind(options.http)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (HTTP): {e}", options.http))?;
    let binary = TcpListener::bind(options.binary)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (binary): {e}", options.binary))?;
    on_listening(Listening {
        http: listener.local_addr()?,
        binary: binary.local_addr()?,
    });
    let cache = Arc::new(tessera_cache::Cache::new(
        Arc::clone(&db),
        options.cache.clone(),
    ));
    let state = Arc::new(ServerState::new(
        Arc::clone(&db),
        cache,
        options.http_through_cache,
        options.region.clone(),
    ));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = binary.accept() => {
                match accepted {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        log::debug!("binary connection from {peer}");
                        connections.spawn(crate::binary::listener::serve_connection(
                            stream,
                            Arc::clone(&state),
                            shutdown.clone(),
                        ));
                    }
                    Err(e) => log::warn!("accept failed (binary): {e}"),
                }
            }
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        log::warn!("accept failed: {e}");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let mut stop = shutdown.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&state), req));
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        result = conn.as_mut() => {
                            if let Err(e) = result {
                                log::debug!("connection ended: {e}");
                            }
                        }
                        _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = async { let _ = shutdown.wait_for(|s| *s).await; } => break,
        }
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    drop(binary);
    log::info!("shutting down: finishing in-flight requests");
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        log::warn!("in-flight requests did not finish within {DRAIN_TIMEOUT:?}; closing anyway");
    }
    tokio::task::spawn_blocking(move || db.close()).await??;
    log::info!("database closed");
    Ok(())
}

/// Resolves once SIGINT or SIGTERM arrives.
pub async fn termination_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    log::warn!("cannot listen for SIGTERM: {e}");
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
