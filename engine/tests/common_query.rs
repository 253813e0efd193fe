//! Helpers shared by the Query, Scan and restart tests: opening a database, building tables,
//! items and values, paging a Query or Scan to the end, and asserting on `ApiError`s.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::HashMap;
use std::path::Path;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, Number, ScalarType};
use tessera_engine::{Config, Database, Durability};

/// The store settings of these tests: four shards, small memtables so that flushes happen,
/// and no fsync per write (reads are what these tests check; the restart tests sync).
pub fn config(dir: &Path) -> Config {
    Config::new(dir)
        .shard_count(4)
        .memtable_size_bytes(256 << 10)
        .durability(Durability::None)
}

/// Opens (or reopens) a database in `dir`.
pub fn open(dir: &Path) -> Database {
    Database::open(config(dir)).unwrap()
}

/// Creates an on-demand table keyed by `pk` and, if given, `sk`.
pub fn create_table(
    db: &Database,
    name: &str,
    pk: (&str, ScalarType),
    sk: Option<(&str, ScalarType)>,
) {
    let mut key_schema = vec![KeySchemaElement::new(pk.0, KeyType::Hash)];
    let mut attribute_definitions = vec![AttributeDefinition::new(pk.0, pk.1)];
    if let Some((name, scalar)) = sk {
        key_schema.push(KeySchemaElement::new(name, KeyType::Range));
        attribute_definitions.push(AttributeDefinition::new(name, scalar));
    }
    db.create_table(CreateTableInput {
        table_name: name.to_owned(),
        key_schema,
        attribute_definitions,
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .unwrap();
}

/// An S value.
pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

/// An N value from DynamoDB number text.
pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(num(v))
}

/// A Number from DynamoDB number text.
pub fn num(v: &str) -> Number {
    v.parse()
        .unwrap_or_else(|e| panic!("bad test number {v}: {e:?}"))
}

/// A B value.
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

/// ExpressionAttributeValues from placeholder/value pairs.
pub fn values(pairs: &[(&str, AttributeValue)]) -> Option<AttributeValues> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<HashMap<_, _>>(),
    )
}

/// ExpressionAttributeNames from placeholder/name pairs.
pub fn names(pairs: &[(&str, &str)]) -> Option<AttributeNames> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
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

/// Puts `items` with BatchWriteItem, 25 at a time.
pub fn put_all(db: &Database, table: &str, items: &[Item]) {
    for chunk in items.chunks(25) {
        let writes = chunk
            .iter()
            .map(|i| WriteRequest::PutRequest { item: i.clone() })
            .collect();
        let out = db
            .batch_write_item(BatchWriteItemInput {
                return_consumed_capacity: None,
                request_items: [(table.to_owned(), writes)].into(),
            })
            .unwrap();
        assert!(out.unprocessed_items.is_empty());
    }
}

/// A Query or Scan read to the end: every page's response, in order.
pub struct Paged {
    /// Each page as returned.
    pub pages: Vec<QueryOutput>,
}

impl Paged {
    /// The items of all pages, concatenated.
    pub fn items(&self) -> Vec<Item> {
        self.pages
            .iter()
            .flat_map(|p| p.items.clone().unwrap_or_default())
            .collect()
    }

    /// The sum of every page's Count.
    pub fn count(&self) -> i64 {
        self.pages.iter().map(|p| p.count).sum()
    }

    /// The sum of every page's ScannedCount.
    pub fn scanned_count(&self) -> i64 {
        self.pages.iter().map(|p| p.scanned_count).sum()
    }
}

/// Most pages a paged read may take before the test calls it a loop.
const PAGES_MAX: usize = 100_000;

/// Runs `input` and then follows LastEvaluatedKey until it is absent.
pub fn query_all(db: &Database, input: QueryInput) -> Paged {
    let mut pages = Vec::new();
    let mut start = input.exclusive_start_key.clone();
    loop {
        let page = db
            .query(QueryInput {
                exclusive_start_key: start,
                ..input.clone()
            })
            .unwrap();
        start = page.last_evaluated_key.clone();
        pages.push(page);
        assert!(pages.len() < PAGES_MAX, "Query pages never end");
        if start.is_none() {
            return Paged { pages };
        }
    }
}

/// Runs `input` and then follows LastEvaluatedKey until it is absent.
pub fn scan_all(db: &Database, input: ScanInput) -> Paged {
    let mut pages = Vec::new();
    let mut start = input.exclusive_start_key.clone();
    loop {
        let page = db
            .scan(ScanInput {
                exclusive_start_key: start,
                ..input.clone()
            })
            .unwrap();
        start = page.last_evaluated_key.clone();
        pages.push(page);
        assert!(pages.len() < PAGES_MAX, "Scan pages never end");
        if start.is_none() {
            return Paged { pages };
        }
    }
}

/// Asserts that `result` failed with a ValidationException saying exactly `message`.
#[track_caller]
pub fn assert_validation<T: std::fmt::Debug>(result: ApiResult<T>, message: &str) {
    let err = result.expect_err("expected a ValidationException");
    assert_eq!(err.error_type(), "ValidationException", "{err:?}");
    assert_eq!(err.message(), message);
}

/// Asserts that `result` failed with a ValidationException whose message starts with `prefix`.
#[track_caller]
pub fn assert_validation_starts<T: std::fmt::Debug>(result: ApiResult<T>, prefix: &str) {
    let err = result.expect_err("expected a ValidationException");
    assert_eq!(err.error_type(), "ValidationException", "{err:?}");
    assert!(
        err.message().starts_with(prefix),
        "message {:?} does not start with {prefix:?}",
        err.message()
    );
}

/// A small seeded generator (splitmix64): a failing run replays from its seed.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A seed from `var` if set, else from the clock.
pub fn seed_from_env(var: &str) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}
