//! Tessera's accelerator: a DAX-like item cache and query cache in front of any layer that
//! implements [`ItemApi`] (the engine's `Database`, or another stack).
//!
//! [`Cache`] is itself an [`ItemApi`], so the server can expose either layer and an embedder
//! can stack it in-process:
//!
//! ```
//! use tessera_cache::{Cache, CacheConfig};
//! use tessera_engine::api::{GetItemInput, ItemApi};
//! # let dir = tempfile::tempdir()?;
//! let db = std::sync::Arc::new(tessera_engine::Database::open(tessera_engine::Config::new(dir.path()))?);
//! let cache = Cache::new(db, CacheConfig::default());
//! // cache.get_item(...), cache.put_item(...), ... as on the Database itself.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - **Item cache**: GetItem and BatchGetItem answers, keyed by table, key and projection,
//!   misses included (negative caching).
//! - **Query cache**: Query and Scan answers, keyed by the whole request.
//! - Both are moka caches bounded by bytes (an entry weighs its items' DynamoDB size plus its
//!   key), with a TTL each (DAX's default, 5 minutes) checked against an injectable clock.
//! - **Write-through**: writes go to the layer below first; once it acknowledged, they make
//!   stale every cached item they wrote (see [`generation`]), and, for tables in
//!   [`CacheConfig::invalidate_queries`], every cached Query of the partitions they wrote and
//!   every cached Scan of the table.
//! - Strongly consistent reads (`ConsistentRead: true`) and TransactGetItems bypass both
//!   caches, as in DAX.
//!
//! Consistency (docs/cache.md has the whole story): a read through the cache never returns an
//! item older than a write that went through the same cache and returned before the read
//! began. Writes that bypass it (the engine layer, another process) show up within the item
//! TTL. Cached Query and Scan answers are TTL-bounded for every write by default, as in DAX;
//! with query invalidation on for the table, writes through the cache invalidate them too.

#![forbid(unsafe_code)]

pub mod generation;
pub mod keys;
pub mod stats;
pub mod store;

pub use stats::{CacheStats, CounterValues};
pub use tessera_engine as engine;

use generation::{Generations, Stamp, STRIPES};
use stats::{Stats, TableCounters};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tessera_engine::api::*;
use tessera_engine::clock::{Clock, SystemClock};
use tessera_engine::model::key::{KeyAttribute, PrimaryKeySchema};
use tessera_engine::model::{item_size_bytes, Item};

/// Which tables' cached queries writes through the cache invalidate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TableSet {
    /// None: cached Query and Scan answers live until their TTL, as in DAX.
    #[default]
    None,
    /// Every table.
    All,
    /// These tables.
    Only(BTreeSet<String>),
}

impl TableSet {
    fn contains(&self, table: &str) -> bool {
        match self {
            TableSet::None => false,
            TableSet::All => true,
            TableSet::Only(tables) => tables.contains(table),
        }
    }
}

/// How a [`Cache`] is sized and when its answers expire.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// Bytes the item cache may hold.
    pub item_cache_bytes: u64,
    /// Bytes the query cache may hold.
    pub query_cache_bytes: u64,
    /// How long an item (or a miss) is served from the cache.
    pub item_ttl: Duration,
    /// How long a Query or Scan answer is served from the cache.
    pub query_ttl: Duration,
    /// Tables whose cached Queries and Scans writes through the cache invalidate.
    pub invalidate_queries: TableSet,
    /// The clock TTLs are measured with.
    pub clock: Arc<dyn Clock>,
}

impl Default for CacheConfig {
    /// 32 MiB per cache, DAX's 5-minute TTLs, no query invalidation, the system clock.
    fn default() -> Self {
        CacheConfig {
            item_cache_bytes: 32 << 20,
            query_cache_bytes: 32 << 20,
            item_ttl: Duration::from_secs(300),
            query_ttl: Duration::from_secs(300),
            invalidate_queries: TableSet::None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// One cached answer.
struct Entry<V> {
    value: V,
    stamp: Stamp,
    /// Clock time of the read that produced it, in seconds.
    read_at: f64,
    weight: u32,
    table: Arc<TableCounters>,
}

type Store<V> = store::Store<Entry<V>>;

/// Which of the two caches.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Item,
    Query,
}

impl Kind {
    fn overall(self, stats: &Stats) -> &stats::Counters {
        match self {
            Kind::Item => &stats.item,
            Kind::Query => &stats.query,
        }
    }

    fn table(self, table: &TableCounters) -> &stats::Counters {
        match self {
            Kind::Item => &table.item,
            Kind::Query => &table.query,
        }
    }
}

/// Bytes an entry costs beyond its items: the key, the entry and moka's bookkeeping.
const ENTRY_OVERHEAD: usize = 96;

/// A cache bounded by entry weights (moka's policy, see [`store`]). Expiry is not moka's: an
/// entry is checked against the configured clock when read and replaced then if too old
/// (moka's timers could not follow a test's clock); old entries nobody reads go the way of
/// any cold entry, by size.
fn build_store<V: Send + Sync + 'static>(bytes: u64, stats: Arc<Stats>, kind: Kind) -> Store<V> {
    store::Store::new(
        bytes,
        |entry: &Entry<V>| entry.weight,
        move |entry: &Entry<V>, evicted| {
            for c in [kind.overall(&stats), kind.table(&entry.table)] {
                c.add_bytes(-i64::from(entry.weight));
                if evicted {
                    c.evicted();
                }
            }
        },
    )
}

fn weight(key: &[u8], items: usize) -> u32 {
    u32::try_from(key.len() + items + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
}

/// The item and query caches over `E`.
pub struct Cache<E> {
    inner: E,
    config: CacheConfig,
    items: Store<Option<Item>>,
    queries: Store<QueryOutput>,
    gens: Generations,
    schemas: RwLock<HashMap<String, Arc<PrimaryKeySchema>>>,
    stats: Arc<Stats>,
}

impl<E: ItemApi> Cache<E> {
    /// Caches over `inner`.
    pub fn new(inner: E, config: CacheConfig) -> Self {
        let stats = Arc::new(Stats::default());
        Cache {
            items: build_store(config.item_cache_bytes, Arc::clone(&stats), Kind::Item),
            queries: build_store(config.query_cache_bytes, Arc::clone(&stats), Kind::Query),
            inner,
            config,
            gens: Generations::new(STRIPES),
            schemas: RwLock::default(),
            stats,
        }
    }

    /// The layer below.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The configuration.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// Hits, misses, evictions and bytes, per cache and per table.
    pub fn stats(&self) -> CacheStats {
        self.items.run_pending_tasks();
        self.queries.run_pending_tasks();
        self.stats.snapshot()
    }

    fn now(&self) -> f64 {
        self.config.clock.now_epoch_seconds()
    }

    /// A cached answer, if present, current and younger than its TTL, counted as a hit. A
    /// stale one is left in place: the miss that follows replaces it (removing it first would
    /// cost moka a second write).
    fn lookup<V>(&self, store: &Store<V>, kind: Kind, key: &[u8]) -> Option<Arc<Entry<V>>>
    where
        V: Send + Sync + 'static,
    {
        let ttl = match kind {
            Kind::Item => self.config.item_ttl,
            Kind::Query => self.config.query_ttl,
        };
        let entry = store.get(key)?;
        let fresh =
            self.gens.is_current(&entry.stamp) && self.now() - entry.read_at < ttl.as_secs_f64();
        if !fresh {
            return None;
        }
        kind.overall(&self.stats).hit();
        kind.table(&entry.table).hit();
        Some(entry)
    }

    /// Counts a miss of `kind` on `table`; returns the table's counters for the new entry.
    fn miss(&self, kind: Kind, table: &str) -> Arc<TableCounters> {
        let counters = self.stats.table(table);
        kind.overall(&self.stats).miss();
        kind.table(&counters).miss();
        counters
    }

    fn insert<V: Send + Sync + 'static>(
        &self,
        store: &Store<V>,
        kind: Kind,
        key: Vec<u8>,
        entry: Entry<V>,
    ) {
        kind.overall(&self.stats).add_bytes(i64::from(entry.weight));
        kind.table(&entry.table).add_bytes(i64::from(entry.weight));
        store.insert(key, Arc::new(entry));
    }

    /// The key schema of `table`, from the layer below on first use.
    fn schema(&self, table: &str) -> Option<Arc<PrimaryKeySchema>> {
        if let Some(s) = self
            .schemas
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(table)
        {
            return Some(Arc::clone(s));
        }
        let described = self
            .inner
            .describe_table(DescribeTableInput {
                table_name: table.to_owned(),
            })
            .ok()?
            .table;
        let attribute = |name: &str| {
            let scalar = described
                .attribute_definitions
                .iter()
                .find(|d| d.attribute_name == name)?
                .attribute_type;
            Some(KeyAttribute {
                name: name.to_owned(),
                scalar,
            })
        };
        let hash = described
            .key_schema
            .iter()
            .find(|k| k.key_type == KeyType::Hash)?;
        let range = described
            .key_schema
            .iter()
            .find(|k| k.key_type == KeyType::Range);
        let schema = Arc::new(PrimaryKeySchema {
            partition: attribute(&hash.attribute_name)?,
            sort: match range {
                Some(r) => Some(attribute(&r.attribute_name)?),
                None => None,
            },
        });
        self.schemas
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(table.to_owned(), Arc::clone(&schema));
        Some(schema)
    }

    /// The keys a write will touch, worked out before it runs: each item reduced to its key
    /// by the table's schema. A table the layer below does not know is skipped: a write to it
    /// writes nothing.
    fn keys_of<'a>(
        &self,
        writes: impl IntoIterator<Item = (&'a str, &'a Item)>,
    ) -> Vec<(String, Item)> {
        writes
            .into_iter()
            .filter_map(|(table, item)| Some((table.to_owned(), self.schema(table)?.key_of(item))))
            .collect()
    }

    /// After a write was acknowledged (or failed: harmless): makes stale every cached answer
    /// depending on the keys it touched.
    fn written_keys(&self, keys: &[(String, Item)]) {
        for (table, key) in keys {
            self.gens
                .bump(self.gens.stripe(keys::item_hash(table, key)));
            if self.config.invalidate_queries.contains(table) {
                if let Some(p) = self
                    .schema(table)
                    .and_then(|s| key.get(&s.partition.name).cloned())
                {
                    self.gens
                        .bump(self.gens.stripe(keys::partition_hash(table, &p)));
                }
                self.gens.bump(self.gens.stripe(keys::table_hash(table)));
            }
        }
    }

    /// After a control-plane change: every cached answer and schema is forgotten.
    fn table_changed(&self) {
        self.gens.bump_epoch();
        self.schemas
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The stripe a cached Query of `input` depends on (`None`: TTL only), or `Err` when the
    /// request is not one to cache (the layer below will answer it, perhaps with an error).
    fn query_stripe(&self, input: &QueryInput) -> Result<Option<usize>, ()> {
        let table = input.table_name.as_str();
        if !self.config.invalidate_queries.contains(table) {
            return Ok(None);
        }
        if input.index_name.is_some() {
            return Ok(Some(self.gens.stripe(keys::table_hash(table))));
        }
        let schema = self.schema(table).ok_or(())?;
        let partition = tessera_engine::table::query_partition(input, &schema).map_err(|_| ())?;
        Ok(Some(
            self.gens.stripe(keys::partition_hash(table, &partition)),
        ))
    }
}

impl<E: ItemApi> ItemApi for Cache<E> {
    fn create_table(&self, input: CreateTableInput) -> ApiResult<CreateTableOutput> {
        let out = self.inner.create_table(input);
        self.table_changed();
        out
    }

    fn describe_table(&self, input: DescribeTableInput) -> ApiResult<DescribeTableOutput> {
        self.inner.describe_table(input)
    }

    fn list_tables(&self, input: ListTablesInput) -> ApiResult<ListTablesOutput> {
        self.inner.list_tables(input)
    }

    fn update_table(&self, input: UpdateTableInput) -> ApiResult<UpdateTableOutput> {
        let out = self.inner.update_table(input);
        self.table_changed();
        out
    }

    fn delete_table(&self, input: DeleteTableInput) -> ApiResult<DeleteTableOutput> {
        let out = self.inner.delete_table(input);
        self.table_changed();
        out
    }

    fn put_item(&self, input: PutItemInput) -> ApiResult<PutItemOutput> {
        let keys = self.keys_of([(input.table_name.as_str(), &input.item)]);
        let out = self.inner.put_item(input);
        self.written_keys(&keys);
        out
    }

    fn get_item(&self, input: GetItemInput) -> ApiResult<GetItemOutput> {
        if input.consistent_read == Some(true) {
            return self.inner.get_item(input);
        }
        let key = keys::item_key(
            &input.table_name,
            &input.key,
            input.projection_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.attributes_to_get.as_deref(),
        );
        if let Some(entry) = self.lookup(&self.items, Kind::Item, &key) {
            return Ok(GetItemOutput {
                item: entry.value.clone(),
                consumed_capacity: hit_capacity(input.return_consumed_capacity, &input.table_name),
            });
        }
        let table = self.miss(Kind::Item, &input.table_name);
        let stripe = self
            .gens
            .stripe(keys::item_hash(&input.table_name, &input.key));
        let stamp = self.gens.stamp(Some(stripe));
        let read_at = self.now();
        let out = self.inner.get_item(input)?;
        let size = out.item.as_ref().map_or(0, item_size_bytes);
        let entry = Entry {
            value: out.item.clone(),
            stamp,
            read_at,
            weight: weight(&key, size),
            table,
        };
        self.insert(&self.items, Kind::Item, key, entry);
        Ok(out)
    }

    fn update_item(&self, input: UpdateItemInput) -> ApiResult<UpdateItemOutput> {
        let keys = self.keys_of([(input.table_name.as_str(), &input.key)]);
        let out = self.inner.update_item(input);
        self.written_keys(&keys);
        out
    }

    fn delete_item(&self, input: DeleteItemInput) -> ApiResult<DeleteItemOutput> {
        let keys = self.keys_of([(input.table_name.as_str(), &input.key)]);
        let out = self.inner.delete_item(input);
        self.written_keys(&keys);
        out
    }

    fn query(&self, input: QueryInput) -> ApiResult<QueryOutput> {
        if input.consistent_read == Some(true) {
            return self.inner.query(input);
        }
        let key = keys::query_key(&input);
        let (table, mode) = (input.table_name.clone(), input.return_consumed_capacity);
        if let Some(out) = self.query_hit(&key, &table, mode) {
            return Ok(out);
        }
        let Ok(stripe) = self.query_stripe(&input) else {
            return self.inner.query(input);
        };
        self.query_miss(key, &table, stripe, || self.inner.query(input))
    }

    fn scan(&self, input: ScanInput) -> ApiResult<ScanOutput> {
        if input.consistent_read == Some(true) {
            return self.inner.scan(input);
        }
        let key = keys::scan_key(&input);
        let (table, mode) = (input.table_name.clone(), input.return_consumed_capacity);
        if let Some(out) = self.query_hit(&key, &table, mode) {
            return Ok(out);
        }
        let stripe = self
            .config
            .invalidate_queries
            .contains(&table)
            .then(|| self.gens.stripe(keys::table_hash(&table)));
        self.query_miss(key, &table, stripe, || self.inner.scan(input))
    }

    fn batch_get_item(&self, input: BatchGetItemInput) -> ApiResult<BatchGetItemOutput> {
        let mut found: std::collections::BTreeMap<String, Vec<Item>> = Default::default();
        let mode = input.return_consumed_capacity;
        let mut rest = BatchGetItemInput {
            return_consumed_capacity: mode,
            ..Default::default()
        };
        // Keys to cache once the layer below answers: (table, cache key, stamp, key).
        let mut pending = Vec::new();
        for (table, request) in input.request_items {
            if request.consistent_read == Some(true) {
                rest.request_items.insert(table, request);
                continue;
            }
            let mut missing = Vec::new();
            for key in request.keys {
                let cache_key = keys::item_key(
                    &table,
                    &key,
                    request.projection_expression.as_deref(),
                    request.expression_attribute_names.as_ref(),
                    request.attributes_to_get.as_deref(),
                );
                if let Some(entry) = self.lookup(&self.items, Kind::Item, &cache_key) {
                    if let Some(item) = &entry.value {
                        found.entry(table.clone()).or_default().push(item.clone());
                    }
                    continue;
                }
                // Answers can be matched to keys only when they hold the whole key.
                let projected =
                    request.projection_expression.is_some() || request.attributes_to_get.is_some();
                if !projected {
                    let stripe = self.gens.stripe(keys::item_hash(&table, &key));
                    pending.push((
                        table.clone(),
                        cache_key,
                        self.gens.stamp(Some(stripe)),
                        key.clone(),
                    ));
                }
                missing.push(key);
            }
            if !missing.is_empty() {
                rest.request_items.insert(
                    table,
                    KeysAndAttributes {
                        keys: missing,
                        ..request
                    },
                );
            }
        }
        if rest.request_items.is_empty() {
            // Every key was a hit: nothing consumed below.
            let mut consumed = tessera_engine::table::capacity::Consumed::new();
            for table in found.keys() {
                consumed.add(table, tessera_engine::table::capacity::Kind::Read, 0.0);
            }
            return Ok(BatchGetItemOutput {
                responses: found,
                unprocessed_keys: Default::default(),
                consumed_capacity: consumed.report(mode),
            });
        }
        let read_at = self.now();
        let mut out = self.inner.batch_get_item(rest)?;
        for (table, cache_key, stamp, key) in pending {
            let unprocessed = out
                .unprocessed_keys
                .get(&table)
                .is_some_and(|u| u.keys.contains(&key));
            let Some(schema) = self.schema(&table) else {
                continue;
            };
            if unprocessed {
                continue;
            }
            let counters = self.miss(Kind::Item, &table);
            let item = out
                .responses
                .get(&table)
                .and_then(|items| items.iter().find(|i| schema.key_of(i) == key))
                .cloned();
            let size = item.as_ref().map_or(0, item_size_bytes);
            let entry = Entry {
                weight: weight(&cache_key, size),
                value: item,
                stamp,
                read_at,
                table: counters,
            };
            self.insert(&self.items, Kind::Item, cache_key, entry);
        }
        for (table, items) in found {
            out.responses.entry(table).or_default().extend(items);
        }
        Ok(out)
    }

    fn batch_write_item(&self, input: BatchWriteItemInput) -> ApiResult<BatchWriteItemOutput> {
        let keys = self.keys_of(input.request_items.iter().flat_map(|(table, requests)| {
            requests.iter().map(move |r| match r {
                WriteRequest::PutRequest { item } => (table.as_str(), item),
                WriteRequest::DeleteRequest { key } => (table.as_str(), key),
            })
        }));
        let out = self.inner.batch_write_item(input);
        self.written_keys(&keys);
        out
    }

    fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> ApiResult<TransactWriteItemsOutput> {
        let keys = self.keys_of(
            input
                .transact_items
                .iter()
                .filter_map(|action| match action {
                    TransactWriteItem::Put(p) => Some((p.table_name.as_str(), &p.item)),
                    TransactWriteItem::Update(u) => Some((u.table_name.as_str(), &u.key)),
                    TransactWriteItem::Delete(d) => Some((d.table_name.as_str(), &d.key)),
                    TransactWriteItem::ConditionCheck(_) => None,
                }),
        );
        let out = self.inner.transact_write_items(input);
        self.written_keys(&keys);
        out
    }

    fn transact_get_items(
        &self,
        input: TransactGetItemsInput,
    ) -> ApiResult<TransactGetItemsOutput> {
        // Transactional reads are strongly consistent: they bypass the cache, as in DAX.
        self.inner.transact_get_items(input)
    }
}

/// What a hit reports when capacity is asked for: nothing consumed below the cache (as DAX
/// hits cost no read units).
fn hit_capacity(mode: Option<ReturnConsumedCapacity>, table: &str) -> Option<ConsumedCapacity> {
    tessera_engine::table::capacity::single(
        mode,
        table,
        tessera_engine::table::capacity::Kind::Read,
        0.0,
    )
}

impl<E: ItemApi> Cache<E> {
    /// A cached Query or Scan answer for `key`, reporting 0 units when capacity is asked for.
    fn query_hit(
        &self,
        key: &[u8],
        table: &str,
        mode: Option<ReturnConsumedCapacity>,
    ) -> Option<QueryOutput> {
        let entry = self.lookup(&self.queries, Kind::Query, key)?;
        let mut out = entry.value.clone();
        out.consumed_capacity = hit_capacity(mode, table);
        Some(out)
    }

    /// A Query or Scan the cache missed: stamped on `stripe` before `read` asks the layer
    /// below, then stored under `key`.
    fn query_miss(
        &self,
        key: Vec<u8>,
        table: &str,
        stripe: Option<usize>,
        read: impl FnOnce() -> ApiResult<QueryOutput>,
    ) -> ApiResult<QueryOutput> {
        let counters = self.miss(Kind::Query, table);
        let stamp = self.gens.stamp(stripe);
        let read_at = self.now();
        let out = read()?;
        let size: usize = out
            .items
            .iter()
            .flatten()
            .map(item_size_bytes)
            .sum::<usize>()
            + out.last_evaluated_key.as_ref().map_or(0, item_size_bytes);
        // The capacity belongs to the request that read it, not to later hits.
        let mut value = out.clone();
        value.consumed_capacity = None;
        let entry = Entry {
            weight: weight(&key, size),
            value,
            stamp,
            read_at,
            table: counters,
        };
        self.insert(&self.queries, Kind::Query, key, entry);
        Ok(out)
    }
}
