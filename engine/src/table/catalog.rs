//! The catalog: table definitions, persisted in the store itself under table id 0.
//!
//! Catalog keys (all in one routing partition, so one shard):
//! `00 00 00 00 't' <name>` -> [`TableDef`] encoding; `00 00 00 00 'n'` -> next table id
//! (u32 BE); `00 00 00 00 'd' <id u32 BE>` -> empty, marking a deleted table whose items
//! compactions drop. Catalog changes are one atomic write batch each.

use super::schema::TableDef;
use super::stats::TableStats;
use crate::api::{ApiError, ApiResult};
use crate::lsm::compaction::{CompactionFilter, FilterDecision};
use crate::lsm::{Direction, KeyRange};
use crate::model::PrimaryKeySchema;
use crate::{Error, Store, WriteBatch};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, RwLock};

/// Routing partition of every catalog key.
const CATALOG_PARTITION: &[u8] = b"\0\0\0\0catalog";
/// Prefix of every catalog key: table id 0, which no table gets.
const CATALOG_PREFIX: [u8; 4] = [0, 0, 0, 0];

/// A table as the item operations see it.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) def: TableDef,
    pub(crate) key: PrimaryKeySchema,
    pub(crate) stats: Arc<TableStats>,
    /// Capacity enforcement and consumption (fresh whenever the definition changes).
    pub(crate) capacity: super::throttle::TableCapacity,
}

impl Table {
    pub(crate) fn new(def: TableDef, stats: Arc<TableStats>) -> Self {
        let key = def.primary_key();
        let capacity = super::throttle::TableCapacity::new(
            def.billing_mode,
            def.throughput.read_capacity_units,
            def.throughput.write_capacity_units,
            def.auto_scaling,
        );
        Table {
            def,
            key,
            stats,
            capacity,
        }
    }
}

/// Ids of deleted tables; as a compaction filter it drops their items.
#[derive(Debug, Default)]
pub(crate) struct DroppedTables {
    ids: RwLock<HashSet<u32>>,
}

impl DroppedTables {
    fn insert(&self, id: u32) {
        self.ids
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id);
    }
}

impl CompactionFilter for DroppedTables {
    fn filter(&self, _output_level: usize, user_key: &[u8], _value: &[u8]) -> FilterDecision {
        let Some(id) = user_key.get(..4) else {
            return FilterDecision::Keep;
        };
        let id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
        let ids = self
            .ids
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if id != 0 && ids.contains(&id) {
            FilterDecision::Remove
        } else {
            FilterDecision::Keep
        }
    }
}

fn catalog_key(kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = CATALOG_PREFIX.to_vec();
    k.push(kind);
    k.extend_from_slice(rest);
    k
}

/// The live tables and the id allocator.
#[derive(Debug)]
pub(crate) struct Catalog {
    tables: RwLock<BTreeMap<String, Arc<Table>>>,
    next_id: std::sync::Mutex<u32>,
    pub(crate) dropped: Arc<DroppedTables>,
}

fn corrupt(reason: crate::error::Corruption) -> ApiError {
    ApiError::Internal(Error::corruption("catalog", 0, reason))
}

impl Catalog {
    /// An empty catalog whose compaction filter must be installed before the store opens.
    pub(crate) fn new() -> Self {
        Catalog {
            tables: RwLock::new(BTreeMap::new()),
            next_id: std::sync::Mutex::new(1),
            dropped: Arc::new(DroppedTables::default()),
        }
    }

    /// Loads the tables, the id allocator and the deleted ids from the store.
    pub(crate) fn load(&self, store: &Store) -> ApiResult<()> {
        let prefix = CATALOG_PREFIX.to_vec();
        let mut tables = BTreeMap::new();
        for entry in store.range(
            CATALOG_PARTITION,
            KeyRange::prefix(&prefix),
            Direction::Forward,
        ) {
            let (k, v) = entry?;
            match k.get(4) {
                Some(b't') => {
                    let def = TableDef::decode(&v).map_err(corrupt)?;
                    let table = Table::new(def, Arc::new(TableStats::unknown()));
                    tables.insert(table.def.name.clone(), Arc::new(table));
                }
                Some(b'n') => {
                    let b: [u8; 4] = v
                        .as_slice()
                        .try_into()
                        .map_err(|_| corrupt(crate::error::Corruption::BadRecord))?;
                    *super::locks::lock(&self.next_id) = u32::from_be_bytes(b);
                }
                Some(b'd') => {
                    if let Some(id) = k.get(5..9) {
                        self.dropped
                            .insert(u32::from_be_bytes([id[0], id[1], id[2], id[3]]));
                    }
                }
                _ => return Err(corrupt(crate::error::Corruption::UnknownTag)),
            }
        }
        *self.write() = tables;
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every table, in name order.
    pub(crate) fn all(&self) -> Vec<Arc<Table>> {
        self.read().values().cloned().collect()
    }

    /// The table named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<Arc<Table>> {
        self.read().get(name).cloned()
    }

    /// Table names in order, starting after `after`, at most `limit`.
    pub(crate) fn names(&self, after: Option<&str>, limit: usize) -> (Vec<String>, bool) {
        let tables = self.read();
        let mut iter = tables
            .keys()
            .filter(|n| after.is_none_or(|a| n.as_str() > a))
            .cloned();
        let names: Vec<String> = iter.by_ref().take(limit).collect();
        let more = iter.next().is_some();
        (names, more)
    }

    /// Number of tables.
    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }

    /// Creates a table from `def` (whose id this assigns), durably. Fails with
    /// ResourceInUse if the name is taken.
    pub(crate) fn create(&self, store: &Store, mut def: TableDef) -> ApiResult<Arc<Table>> {
        let mut next_id = super::locks::lock(&self.next_id);
        if self.get(&def.name).is_some() {
            return Err(ApiError::ResourceInUse(format!(
                "Table already exists: {}",
                def.name
            )));
        }
        def.id = *next_id;
        def.uuid = super::control::table_uuid(&def.name, def.created_at, def.id);
        let following = next_id
            .checked_add(1)
            .ok_or_else(|| ApiError::LimitExceeded("Table id space exhausted".to_owned()))?;
        let mut batch = WriteBatch::new();
        batch.put(
            CATALOG_PARTITION,
            &catalog_key(b't', def.name.as_bytes()),
            &def.encode(),
        );
        batch.put(
            CATALOG_PARTITION,
            &catalog_key(b'n', &[]),
            &following.to_be_bytes(),
        );
        store.write(batch)?;
        *next_id = following;
        let table = Arc::new(Table::new(def, Arc::new(TableStats::empty())));
        self.write()
            .insert(table.def.name.clone(), Arc::clone(&table));
        Ok(table)
    }

    /// Replaces a table's definition (UpdateTable), durably; the statistics carry over.
    pub(crate) fn update(
        &self,
        store: &Store,
        old: &Arc<Table>,
        def: TableDef,
    ) -> ApiResult<Arc<Table>> {
        let _guard = super::locks::lock(&self.next_id);
        store.put(
            CATALOG_PARTITION,
            &catalog_key(b't', def.name.as_bytes()),
            &def.encode(),
        )?;
        let table = Arc::new(Table::new(def, Arc::clone(&old.stats)));
        self.write()
            .insert(table.def.name.clone(), Arc::clone(&table));
        Ok(table)
    }

    /// Removes a table, durably, and marks its id so compactions drop its items.
    pub(crate) fn delete(&self, store: &Store, table: &Table) -> ApiResult<()> {
        let _guard = super::locks::lock(&self.next_id);
        let mut batch = WriteBatch::new();
        batch.delete(
            CATALOG_PARTITION,
            &catalog_key(b't', table.def.name.as_bytes()),
        );
        batch.put(
            CATALOG_PARTITION,
            &catalog_key(b'd', &table.def.id.to_be_bytes()),
            &[],
        );
        store.write(batch)?;
        self.dropped.insert(table.def.id);
        self.write().remove(&table.def.name);
        Ok(())
    }
}
