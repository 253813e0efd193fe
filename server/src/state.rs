//! What both front ends share: the database, the cache over it, which layer the HTTP API
//! uses, and the metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tessera_cache::Cache;
use tessera_engine::api::ItemApi;
use tessera_engine::Database;

/// The cache layer over the database.
pub type CacheLayer = Cache<Arc<Database>>;

/// What every connection of either protocol shares.
pub struct ServerState {
    /// The database (the engine layer).
    pub db: Arc<Database>,
    /// The item and query cache over `db` (the cache layer).
    pub cache: Arc<CacheLayer>,
    /// Whether the HTTP API answers through the cache (`--cache`).
    pub http_through_cache: bool,
    /// Region named in the health text.
    pub region: String,
    /// Requests, errors and latency per operation.
    pub metrics: crate::metrics::Metrics,
    /// Application Auto Scaling registrations.
    pub autoscaling: crate::autoscaling::Registry,
    next_request_id: AtomicU64,
}

impl ServerState {
    /// State over `db` and `cache`.
    pub fn new(
        db: Arc<Database>,
        cache: Arc<CacheLayer>,
        http_through_cache: bool,
        region: String,
    ) -> Self {
        ServerState {
            db,
            cache,
            http_through_cache,
            region,
            metrics: crate::metrics::Metrics::default(),
            autoscaling: crate::autoscaling::Registry::default(),
            next_request_id: AtomicU64::new(1),
        }
    }

    /// The layer a request is served by: the cache or the engine.
    pub fn layer(&self, through_cache: bool) -> Arc<dyn ItemApi> {
        if through_cache {
            Arc::clone(&self.cache) as Arc<dyn ItemApi>
        } else {
            Arc::clone(&self.db) as Arc<dyn ItemApi>
        }
    }

    /// The next request id (for `x-amzn-RequestId`).
    pub fn next_request_id(&self) -> u64 {
        self.next_request_id.fetch_add(1, Ordering::Relaxed)
    }
}
