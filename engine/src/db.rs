//! [`Database`]: DynamoDB's tables and items over the sharded store, embedded in-process.

use crate::api::{ApiError, ApiResult};
use crate::clock::{Clock, SystemClock};
use crate::table::catalog::{Catalog, Table};
use crate::table::locks::KeyLocks;
use crate::{Config, Store};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

/// Settings of the item layer (the store's own settings are in [`Config`]).
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// Region named in ARNs (`arn:aws:dynamodb:<region>:...`).
    pub region: String,
    /// Account id named in ARNs.
    pub account_id: String,
    /// Wall clock for creation and update times, and for capacity enforcement.
    pub clock: Arc<dyn Clock>,
    /// Whether requests beyond a table's capacity are refused (ProvisionedThroughputExceeded
    /// or, on demand, ThrottlingException), as DynamoDB does. Consumption is counted either
    /// way. Off by default for embedded use; the server turns it on.
    pub capacity_limits: bool,
}

impl Default for DatabaseOptions {
    fn default() -> Self {
        DatabaseOptions {
            region: "us-east-1".to_owned(),
            account_id: "000000000000".to_owned(),
            clock: Arc::new(SystemClock),
            capacity_limits: false,
        }
    }
}

/// DynamoDB's data plane and control plane, embedded: tables, items, Query, Scan and
/// batches over one [`Store`]. Every method takes a request shaped as DynamoDB's and
/// returns its response or an [`ApiError`] in DynamoDB's words.
///
/// ```
/// use tessera_engine::api::*;
/// use tessera_engine::model::{AttributeValue, Item, ScalarType};
/// use tessera_engine::{Config, Database};
///
/// let dir = tempfile::tempdir()?;
/// let db = Database::open(Config::new(dir.path()))?;
/// db.create_table(CreateTableInput {
///     table_name: "Music".into(),
///     key_schema: vec![KeySchemaElement::new("Artist", KeyType::Hash)],
///     attribute_definitions: vec![AttributeDefinition::new("Artist", ScalarType::S)],
///     billing_mode: Some(BillingMode::PayPerRequest),
///     ..Default::default()
/// })?;
/// let mut item = Item::new();
/// item.insert("Artist".into(), AttributeValue::S("Ada".into()));
/// item.insert("Plays".into(), AttributeValue::N("42".parse()?));
/// db.put_item(PutItemInput { table_name: "Music".into(), item: item.clone(), ..Default::default() })?;
/// let key: Item = [("Artist".to_owned(), AttributeValue::S("Ada".into()))].into();
/// let got = db.get_item(GetItemInput { table_name: "Music".into(), key, ..Default::default() })?;
/// assert_eq!(got.item, Some(item));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Database {
    pub(crate) store: Arc<Store>,
    pub(crate) catalog: Catalog,
    pub(crate) locks: KeyLocks,
    pub(crate) options: DatabaseOptions,
    pub(crate) client_tokens: crate::table::txn::ClientTokens,
    reclaimer: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("store", &self.store)
            .field("tables", &self.catalog.len())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens (or creates) a database in the store `config` describes.
    pub fn open(config: Config) -> ApiResult<Database> {
        Self::open_with(config, DatabaseOptions::default())
    }

    /// Opens a database with item-layer `options`.
    pub fn open_with(config: Config, options: DatabaseOptions) -> ApiResult<Database> {
        let catalog = Catalog::new();
        let filter: Arc<dyn crate::lsm::compaction::CompactionFilter> = catalog.dropped.clone();
        let store = Arc::new(Store::open(config.compaction_filter(filter))?);
        catalog.load(&store)?;
        Ok(Database {
            store,
            catalog,
            locks: KeyLocks::new(),
            options,
            client_tokens: Default::default(),
            reclaimer: Mutex::new(None),
        })
    }

    /// The store underneath, for statistics, flushes and compactions.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Flushes, syncs and stops background work. Also done on drop.
    pub fn close(&self) -> ApiResult<()> {
        if let Some((tx, handle)) = crate::table::locks::lock(&self.reclaimer).take() {
            drop(tx);
            if handle.join().is_err() {
                log::error!("the space reclaimer panicked");
            }
        }
        self.store.close()?;
        Ok(())
    }

    /// The live table `name`, or DynamoDB's ResourceNotFoundException.
    pub(crate) fn table(&self, name: &str) -> ApiResult<Arc<Table>> {
        self.catalog.get(name).ok_or_else(ApiError::table_not_found)
    }

    /// Asks the background reclaimer to compact the store, dropping deleted tables' items.
    /// Requests made while a compaction runs are folded into the next one.
    pub(crate) fn request_reclaim(&self) {
        let mut slot = crate::table::locks::lock(&self.reclaimer);
        if slot.is_none() {
            let (tx, rx) = mpsc::channel::<()>();
            let store = Arc::clone(&self.store);
            let spawned = std::thread::Builder::new()
                .name("tessera-reclaim".to_owned())
                .spawn(move || {
                    while rx.recv().is_ok() {
                        while rx.try_recv().is_ok() {}
                        if let Err(e) = store.compact() {
                            log::warn!("reclaiming deleted tables' space failed: {e}");
                        }
                    }
                });
            match spawned {
                Ok(handle) => *slot = Some((tx, handle)),
                Err(e) => {
                    log::warn!("cannot start the space reclaimer: {e}");
                    return;
                }
            }
        }
        if let Some((tx, _)) = slot.as_ref() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            log::warn!("closing the database: {e}");
        }
    }
}
