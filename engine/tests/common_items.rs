//! Helpers shared by the item-layer integration tests (`table_*.rs`): opening a
//! [`Database`] on a temporary directory, an injectable clock, table builders, value
//! builders and assertions on DynamoDB's errors.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::fmt::Debug;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tessera_engine::api::*;
use tessera_engine::clock::Clock;
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_engine::{Config, Database, DatabaseOptions};

/// A small store config: four shards, defaults otherwise.
pub fn config(dir: &Path) -> Config {
    Config::new(dir).shard_count(4)
}

/// Opens (or reopens) a database in `dir`.
pub fn open(dir: &Path) -> Database {
    Database::open(config(dir)).unwrap()
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FixedClock {
    bits: AtomicU64,
}

impl FixedClock {
    /// A clock showing `seconds` since the epoch.
    pub fn at(seconds: f64) -> Arc<FixedClock> {
        Arc::new(FixedClock {
            bits: AtomicU64::new(seconds.to_bits()),
        })
    }

    /// Moves the clock to `seconds`.
    pub fn set(&self, seconds: f64) {
        self.bits.store(seconds.to_bits(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_epoch_seconds(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::SeqCst))
    }
}

/// Opens a database in `dir` whose clock is `clock`.
pub fn open_with_clock(dir: &Path, clock: Arc<FixedClock>) -> Database {
    let options = DatabaseOptions {
        clock,
        ..DatabaseOptions::default()
    };
    Database::open_with(config(dir), options).unwrap()
}

/// A string value.
pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

/// A number value from its text.
pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.parse().unwrap())
}

/// A binary value.
pub fn b(v: &[u8]) -> AttributeValue {
    AttributeValue::B(v.to_vec())
}

/// An item (or key) from name/value pairs.
pub fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// A table keyed by a partition key `pk` of type `pk_type`, billed on demand.
pub fn hash_table(name: &str, pk: &str, pk_type: ScalarType) -> CreateTableInput {
    CreateTableInput {
        table_name: name.to_owned(),
        key_schema: vec![KeySchemaElement::new(pk, KeyType::Hash)],
        attribute_definitions: vec![AttributeDefinition::new(pk, pk_type)],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

/// A table keyed by `(pk, sk)`, billed on demand.
pub fn composite_table(
    name: &str,
    (pk, pk_type): (&str, ScalarType),
    (sk, sk_type): (&str, ScalarType),
) -> CreateTableInput {
    CreateTableInput {
        table_name: name.to_owned(),
        key_schema: vec![
            KeySchemaElement::new(pk, KeyType::Hash),
            KeySchemaElement::new(sk, KeyType::Range),
        ],
        attribute_definitions: vec![
            AttributeDefinition::new(pk, pk_type),
            AttributeDefinition::new(sk, sk_type),
        ],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

/// Provisioned capacity of `read` and `write` units.
pub fn throughput(read: i64, write: i64) -> ProvisionedThroughput {
    ProvisionedThroughput {
        read_capacity_units: read,
        write_capacity_units: write,
    }
}

/// Creates an on-demand table keyed by the string `id`.
pub fn create_id_table(db: &Database, name: &str) {
    db.create_table(hash_table(name, "id", ScalarType::S))
        .unwrap();
}

/// PutItem of `item` into `table`.
pub fn put(db: &Database, table: &str, item: Item) {
    db.put_item(PutItemInput {
        table_name: table.to_owned(),
        item,
        ..Default::default()
    })
    .unwrap();
}

/// GetItem of `key` from `table`.
pub fn get(db: &Database, table: &str, key: Item) -> Option<Item> {
    db.get_item(GetItemInput {
        table_name: table.to_owned(),
        key,
        ..Default::default()
    })
    .unwrap()
    .item
}

/// DeleteItem of `key` from `table`.
pub fn delete(db: &Database, table: &str, key: Item) {
    db.delete_item(DeleteItemInput {
        table_name: table.to_owned(),
        key,
        ..Default::default()
    })
    .unwrap();
}

/// DescribeTable of `table`.
pub fn describe(db: &Database, table: &str) -> TableDescription {
    db.describe_table(DescribeTableInput {
        table_name: table.to_owned(),
    })
    .unwrap()
    .table
}

/// Asserts that `result` failed with `error_type` and exactly `message`.
#[track_caller]
pub fn assert_error<T: Debug>(result: ApiResult<T>, error_type: &str, message: &str) {
    let err = result.expect_err("the request should have failed");
    assert_eq!(
        (err.error_type(), err.message().as_str()),
        (error_type, message)
    );
}

/// Asserts that `result` failed with a ValidationException saying exactly `message`.
#[track_caller]
pub fn assert_validation<T: Debug>(result: ApiResult<T>, message: &str) {
    assert_error(result, "ValidationException", message);
}

/// Asserts that `result` failed with the ResourceNotFoundException of item operations.
#[track_caller]
pub fn assert_not_found<T: Debug>(result: ApiResult<T>) {
    assert_error(
        result,
        "ResourceNotFoundException",
        "Requested resource not found",
    );
}

/// Asserts a multi-error model-constraint message: its `N validation errors detected: `
/// prefix and its failures as a set, since DynamoDB's order is not stable.
#[track_caller]
pub fn assert_validation_set<T: Debug>(result: ApiResult<T>, failures: &[&str]) {
    let err = result.expect_err("the request should have failed");
    assert_eq!(err.error_type(), "ValidationException");
    let message = err.message();
    let prefix = format!("{} validation errors detected: ", failures.len());
    let rest = message
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{message:?} does not start with {prefix:?}"));
    let mut got: Vec<&str> = rest.split("; ").collect();
    let mut want = failures.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
}

/// The prefix of DynamoDB's semantic validation messages.
pub const INVALID: &str = "One or more parameter values were invalid: ";

/// An `ALL` projection.
pub fn all() -> Projection {
    Projection {
        projection_type: Some(ProjectionType::All),
        non_key_attributes: None,
    }
}

/// An `INCLUDE` projection of `names`.
pub fn include(names: &[&str]) -> Projection {
    Projection {
        projection_type: Some(ProjectionType::Include),
        non_key_attributes: Some(names.iter().map(|n| (*n).to_owned()).collect()),
    }
}

/// A key schema from (name, role) pairs.
pub fn keys(elements: &[(&str, KeyType)]) -> Vec<KeySchemaElement> {
    elements
        .iter()
        .map(|(name, kt)| KeySchemaElement::new(*name, *kt))
        .collect()
}

/// String-typed attribute definitions of `names`.
pub fn defs(names: &[&str]) -> Vec<AttributeDefinition> {
    names
        .iter()
        .map(|n| AttributeDefinition::new(*n, ScalarType::S))
        .collect()
}

/// A global secondary index on the partition key `hash`, without throughput.
pub fn gsi(name: &str, hash: &str, projection: Projection) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex {
        index_name: name.to_owned(),
        key_schema: keys(&[(hash, KeyType::Hash)]),
        projection,
        provisioned_throughput: None,
    }
}

/// A local secondary index on (`hash`, `range`).
pub fn lsi(name: &str, hash: &str, range: &str, projection: Projection) -> LocalSecondaryIndex {
    LocalSecondaryIndex {
        index_name: name.to_owned(),
        key_schema: keys(&[(hash, KeyType::Hash), (range, KeyType::Range)]),
        projection,
    }
}

/// An on-demand table `Tbl` keyed by (pk, sk) with string definitions for `extra` too.
pub fn composite_with(extra: &[&str]) -> CreateTableInput {
    let mut input = composite_table("Tbl", ("pk", ScalarType::S), ("sk", ScalarType::S));
    input.attribute_definitions.extend(defs(extra));
    input
}
