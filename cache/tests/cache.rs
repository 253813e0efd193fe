//! The cache over a real engine: hits, misses and expiry against a controlled clock, the byte
//! bound, write-through, consistent-read bypass, query invalidation, batches, concurrency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tessera_cache::{Cache, CacheConfig, TableSet};
use tessera_engine::api::*;
use tessera_engine::clock::Clock;
use tessera_engine::model::{AttributeValue, Item, Number, ScalarType};
use tessera_engine::{Config, Database};

/// A clock tests move by hand, in milliseconds.
#[derive(Debug, Default)]
struct TestClock(AtomicU64);

impl TestClock {
    fn advance(&self, d: Duration) {
        self.0.fetch_add(d.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_epoch_seconds(&self) -> f64 {
        1.7e9 + self.0.load(Ordering::SeqCst) as f64 / 1000.0
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: Arc<Database>,
    cache: Cache<Arc<Database>>,
    clock: Arc<TestClock>,
}

fn fixture(configure: impl FnOnce(&mut CacheConfig)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Database::open(Config::new(dir.path())).unwrap());
    let clock = Arc::new(TestClock::default());
    let mut config = CacheConfig {
        clock: clock.clone(),
        ..Default::default()
    };
    configure(&mut config);
    let cache = Cache::new(Arc::clone(&db), config);
    cache
        .create_table(CreateTableInput {
            table_name: "Tbl".into(),
            key_schema: vec![
                KeySchemaElement::new("pk", KeyType::Hash),
                KeySchemaElement::new("sk", KeyType::Range),
            ],
            attribute_definitions: vec![
                AttributeDefinition::new("pk", ScalarType::S),
                AttributeDefinition::new("sk", ScalarType::N),
            ],
            billing_mode: Some(BillingMode::PayPerRequest),
            ..Default::default()
        })
        .unwrap();
    Fixture {
        _dir: dir,
        db,
        cache,
        clock,
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(Number::from(v))
}

fn key(pk: &str, sk: u64) -> Item {
    Item::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), n(sk))])
}

fn item(pk: &str, sk: u64, v: u64) -> Item {
    let mut i = key(pk, sk);
    i.insert("v".into(), n(v));
    i
}

fn put(api: &impl ItemApi, item: Item) {
    api.put_item(PutItemInput {
        table_name: "Tbl".into(),
        item,
        ..Default::default()
    })
    .unwrap();
}

fn get(api: &impl ItemApi, key: Item, consistent: bool) -> Option<Item> {
    api.get_item(GetItemInput {
        table_name: "Tbl".into(),
        key,
        consistent_read: consistent.then_some(true),
        ..Default::default()
    })
    .unwrap()
    .item
}

fn query(api: &impl ItemApi, pk: &str) -> Vec<Item> {
    api.query(QueryInput {
        table_name: "Tbl".into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: Some(HashMap::from([(":p".to_owned(), s(pk))])),
        ..Default::default()
    })
    .unwrap()
    .items
    .unwrap_or_default()
}

fn scan_count(api: &impl ItemApi) -> i64 {
    api.scan(ScanInput {
        table_name: "Tbl".into(),
        ..Default::default()
    })
    .unwrap()
    .count
}

#[test]
fn get_item_second_read_hits_and_misses_are_cached_too() {
    let f = fixture(|_| {});
    put(&*f.db, item("a", 1, 7));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 7)));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 7)));
    assert_eq!(get(&f.cache, key("a", 2), false), None);
    assert_eq!(get(&f.cache, key("a", 2), false), None);
    let stats = f.cache.stats();
    assert_eq!((stats.item.hits, stats.item.misses), (2, 2));
    let (name, table_items, _) = &stats.tables[0];
    assert_eq!(
        (name.as_str(), table_items.hits, table_items.misses),
        ("Tbl", 2, 2)
    );
    assert!(stats.item.bytes > 0);
    // A different projection is a different entry.
    let projected = f
        .cache
        .get_item(GetItemInput {
            table_name: "Tbl".into(),
            key: key("a", 1),
            projection_expression: Some("v".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(projected.item, Some(Item::from([("v".to_owned(), n(7))])));
    assert_eq!(f.cache.stats().item.misses, 3);
}

#[test]
fn get_item_entry_expires_after_ttl_on_the_clock() {
    let f = fixture(|c| c.item_ttl = Duration::from_secs(60));
    put(&*f.db, item("a", 1, 1));
    get(&f.cache, key("a", 1), false);
    // A write that bypasses the cache stays invisible until the TTL passes.
    put(&*f.db, item("a", 1, 2));
    f.clock.advance(Duration::from_secs(59));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 1)));
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 2)));
    let stats = f.cache.stats();
    assert_eq!((stats.item.hits, stats.item.misses), (1, 2));
}

#[test]
fn item_cache_stays_within_its_byte_bound() {
    let bound = 64 * 1024;
    let f = fixture(|c| c.item_cache_bytes = bound);
    let payload = "x".repeat(1000);
    for i in 0..500 {
        let mut it = key("p", i);
        it.insert("payload".into(), s(&payload));
        put(&*f.db, it);
        get(&f.cache, key("p", i), false);
    }
    let stats = f.cache.stats();
    assert!(
        stats.item.bytes <= bound,
        "{} bytes cached",
        stats.item.bytes
    );
    assert!(
        stats.item.bytes > bound / 2,
        "{} bytes cached",
        stats.item.bytes
    );
    assert!(
        stats.item.evictions > 400,
        "{} evictions",
        stats.item.evictions
    );
}

#[test]
fn write_through_is_visible_to_the_next_read() {
    let f = fixture(|_| {});
    put(&f.cache, item("a", 1, 1));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 1)));
    put(&f.cache, item("a", 1, 2));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 2)));
    f.cache
        .update_item(UpdateItemInput {
            table_name: "Tbl".into(),
            key: key("a", 1),
            update_expression: Some("SET v = :v".into()),
            expression_attribute_values: Some(HashMap::from([(":v".to_owned(), n(3))])),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 3)));
    f.cache
        .delete_item(DeleteItemInput {
            table_name: "Tbl".into(),
            key: key("a", 1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(get(&f.cache, key("a", 1), false), None);
    f.cache
        .batch_write_item(BatchWriteItemInput {
            return_consumed_capacity: None,
            request_items: [(
                "Tbl".to_owned(),
                vec![WriteRequest::PutRequest {
                    item: item("a", 1, 4),
                }],
            )]
            .into(),
        })
        .unwrap();
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 4)));
    f.cache
        .transact_write_items(TransactWriteItemsInput {
            return_consumed_capacity: None,
            transact_items: vec![TransactWriteItem::Put(Put {
                table_name: "Tbl".into(),
                item: item("a", 1, 5),
                ..Default::default()
            })],
            client_request_token: None,
        })
        .unwrap();
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 5)));
}

#[test]
fn strongly_consistent_reads_bypass_the_cache() {
    let f = fixture(|_| {});
    put(&*f.db, item("a", 1, 1));
    get(&f.cache, key("a", 1), false);
    put(&*f.db, item("a", 1, 2));
    assert_eq!(get(&f.cache, key("a", 1), true), Some(item("a", 1, 2)));
    assert_eq!(get(&f.cache, key("a", 1), false), Some(item("a", 1, 1)));
    let stats = f.cache.stats();
    assert_eq!((stats.item.hits, stats.item.misses), (1, 1));
}

#[test]
fn query_cache_default_mode_is_ttl_bounded_even_for_writes_through_it() {
    let f = fixture(|c| c.query_ttl = Duration::from_secs(10));
    put(&f.cache, item("a", 1, 1));
    assert_eq!(query(&f.cache, "a").len(), 1);
    put(&f.cache, item("a", 2, 1));
    assert_eq!(
        query(&f.cache, "a").len(),
        1,
        "DAX semantics: stale until TTL"
    );
    assert_eq!(scan_count(&f.cache), 2);
    put(&f.cache, item("b", 1, 1));
    assert_eq!(scan_count(&f.cache), 2);
    f.clock.advance(Duration::from_secs(10));
    assert_eq!(query(&f.cache, "a").len(), 2);
    assert_eq!(scan_count(&f.cache), 3);
}

#[test]
fn query_invalidation_never_serves_a_stale_query_after_a_write_through_the_cache() {
    let f = fixture(|c| c.invalidate_queries = TableSet::Only(["Tbl".to_owned()].into()));
    put(&f.cache, item("a", 1, 1));
    put(&f.cache, item("b", 1, 1));
    assert_eq!(query(&f.cache, "a").len(), 1);
    assert_eq!(query(&f.cache, "b").len(), 1);
    assert_eq!(scan_count(&f.cache), 2);
    put(&f.cache, item("a", 2, 1));
    assert_eq!(query(&f.cache, "a").len(), 2);
    assert_eq!(scan_count(&f.cache), 3);
    // Partition b was not written: its cached answer is still served.
    let hits = f.cache.stats().query.hits;
    assert_eq!(query(&f.cache, "b").len(), 1);
    assert_eq!(f.cache.stats().query.hits, hits + 1);
    // Legacy KeyConditions name the same partition.
    let legacy = QueryInput {
        table_name: "Tbl".into(),
        key_conditions: Some(HashMap::from([(
            "pk".to_owned(),
            Condition {
                comparison_operator: ComparisonOperator::Eq,
                attribute_value_list: Some(vec![s("a")]),
            },
        )])),
        ..Default::default()
    };
    assert_eq!(f.cache.query(legacy.clone()).unwrap().count, 2);
    f.cache
        .delete_item(DeleteItemInput {
            table_name: "Tbl".into(),
            key: key("a", 1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(f.cache.query(legacy).unwrap().count, 1);
}

#[test]
fn batch_get_item_mixes_hits_misses_and_negative_entries() {
    let f = fixture(|_| {});
    put(&*f.db, item("a", 1, 1));
    put(&*f.db, item("a", 2, 2));
    get(&f.cache, key("a", 1), false);
    get(&f.cache, key("a", 9), false);
    let out = f
        .cache
        .batch_get_item(BatchGetItemInput {
            return_consumed_capacity: None,
            request_items: [(
                "Tbl".to_owned(),
                KeysAndAttributes {
                    keys: vec![key("a", 1), key("a", 2), key("a", 9)],
                    ..Default::default()
                },
            )]
            .into(),
        })
        .unwrap();
    let mut got = out.responses["Tbl"].clone();
    got.sort_by_key(|i| format!("{:?}", i["sk"]));
    assert_eq!(got, vec![item("a", 1, 1), item("a", 2, 2)]);
    let stats = f.cache.stats();
    assert_eq!((stats.item.hits, stats.item.misses), (2, 3));
    // The batch cached the key it fetched.
    assert_eq!(get(&f.cache, key("a", 2), false), Some(item("a", 2, 2)));
    assert_eq!(f.cache.stats().item.hits, 3);
}

#[test]
fn delete_table_through_the_cache_forgets_its_entries() {
    let f = fixture(|_| {});
    put(&f.cache, item("a", 1, 1));
    get(&f.cache, key("a", 1), false);
    f.cache
        .delete_table(DeleteTableInput {
            table_name: "Tbl".into(),
        })
        .unwrap();
    let e = f
        .cache
        .get_item(GetItemInput {
            table_name: "Tbl".into(),
            key: key("a", 1),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.error_type(), "ResourceNotFoundException");
}

#[test]
fn concurrent_readers_never_see_a_value_older_than_a_finished_write() {
    let f = Arc::new(fixture(|c| c.invalidate_queries = TableSet::All));
    put(&f.cache, item("hot", 1, 0));
    let done = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (f, done) = (Arc::clone(&f), Arc::clone(&done));
            std::thread::spawn(move || {
                let version = |i: Option<Item>| match i.map(|i| i["v"].clone()) {
                    Some(AttributeValue::N(n)) => n.to_string().parse::<u64>().unwrap(),
                    other => panic!("unexpected {other:?}"),
                };
                while done.load(Ordering::SeqCst) < 300 {
                    let floor = done.load(Ordering::SeqCst);
                    let seen = version(get(&f.cache, key("hot", 1), false));
                    assert!(seen >= floor, "read {seen} after write {floor} returned");
                    let items = query(&f.cache, "hot");
                    let seen = version(items.into_iter().next());
                    assert!(
                        seen >= floor,
                        "query read {seen} after write {floor} returned"
                    );
                }
            })
        })
        .collect();
    for v in 1..=300 {
        put(&f.cache, item("hot", 1, v));
        done.store(v, Ordering::SeqCst);
    }
    for r in readers {
        r.join().unwrap();
    }
}
