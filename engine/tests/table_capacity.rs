//! Consumed capacity, counted as DynamoDB counts it, for items around each rounding boundary,
//! and `ReturnConsumedCapacity` shaping the report.

mod common_items;

use common_items::*;
use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::{item_size_bytes, Item, ScalarType};
use tessera_engine::Database;

const TOTAL: Option<ReturnConsumedCapacity> = Some(ReturnConsumedCapacity::Total);

/// An item of exactly `size` bytes in the `sk` table: pk = `pk`, sk = `sk`, padding `p`.
fn sized(pk: &str, sk: &str, size: usize) -> Item {
    // pk: 2 + len; sk: 2 + len; p: 1 + padding.
    let fixed = 2 + pk.len() + 2 + sk.len() + 1;
    let it = item(&[
        ("pk", s(pk)),
        ("sk", s(sk)),
        ("p", s(&"x".repeat(size - fixed))),
    ]);
    assert_eq!(item_size_bytes(&it), size);
    it
}

fn key(pk: &str, sk: &str) -> Item {
    item(&[("pk", s(pk)), ("sk", s(sk))])
}

fn setup() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_table(composite_table(
        "Cap",
        ("pk", ScalarType::S),
        ("sk", ScalarType::S),
    ))
    .unwrap();
    (dir, db)
}

fn units(c: Option<ConsumedCapacity>) -> f64 {
    let c = c.expect("ConsumedCapacity reported");
    assert_eq!(c.table_name, "Cap");
    c.capacity_units
}

fn put_units(db: &Database, item: Item) -> f64 {
    units(
        db.put_item(PutItemInput {
            table_name: "Cap".into(),
            item,
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap()
        .consumed_capacity,
    )
}

fn get_units(db: &Database, key: Item, consistent: bool) -> f64 {
    units(
        db.get_item(GetItemInput {
            table_name: "Cap".into(),
            key,
            consistent_read: Some(consistent),
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap()
        .consumed_capacity,
    )
}

#[test]
fn put_item_rounds_the_larger_image_up_to_1_kb() {
    let (_dir, db) = setup();
    assert_eq!(put_units(&db, sized("a", "1", 1024)), 1.0);
    assert_eq!(put_units(&db, sized("a", "2", 1025)), 2.0);
    assert_eq!(put_units(&db, sized("a", "3", 3000)), 3.0);
    // Overwriting a 3000-byte item with a small one costs the old size.
    assert_eq!(put_units(&db, sized("a", "3", 20)), 3.0);
    assert_eq!(put_units(&db, sized("a", "3", 20)), 1.0);
}

#[test]
fn get_item_rounds_up_to_4_kb_and_halves_eventual_reads() {
    let (_dir, db) = setup();
    put(&db, "Cap", sized("a", "1", 4096));
    put(&db, "Cap", sized("a", "2", 4097));
    assert_eq!(get_units(&db, key("a", "1"), true), 1.0);
    assert_eq!(get_units(&db, key("a", "1"), false), 0.5);
    assert_eq!(get_units(&db, key("a", "2"), true), 2.0);
    assert_eq!(get_units(&db, key("a", "2"), false), 1.0);
    // A missing item still costs the minimum.
    assert_eq!(get_units(&db, key("a", "none"), true), 1.0);
    assert_eq!(get_units(&db, key("a", "none"), false), 0.5);
    // A projection does not reduce the cost.
    let projected = db
        .get_item(GetItemInput {
            table_name: "Cap".into(),
            key: key("a", "2"),
            projection_expression: Some("pk".into()),
            consistent_read: Some(true),
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(units(projected.consumed_capacity), 2.0);
}

#[test]
fn update_and_delete_cost_the_larger_and_the_deleted_image() {
    let (_dir, db) = setup();
    put(&db, "Cap", sized("a", "1", 1000));
    let updated = db
        .update_item(UpdateItemInput {
            table_name: "Cap".into(),
            key: key("a", "1"),
            update_expression: Some("SET q = :q".into()),
            expression_attribute_values: Some(HashMap::from([(
                ":q".to_owned(),
                s(&"y".repeat(100)),
            )])),
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(units(updated.consumed_capacity), 2.0);
    let delete = |k: Item| {
        db.delete_item(DeleteItemInput {
            table_name: "Cap".into(),
            key: k,
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap()
        .consumed_capacity
    };
    assert_eq!(units(delete(key("a", "1"))), 2.0);
    assert_eq!(units(delete(key("a", "1"))), 1.0);
}

#[test]
fn query_and_scan_round_the_evaluated_bytes_once_filters_included() {
    let (_dir, db) = setup();
    for i in 0..3 {
        put(&db, "Cap", sized("q", &i.to_string(), 1500));
    }
    let query = |consistent: bool, filter: Option<&str>| {
        db.query(QueryInput {
            table_name: "Cap".into(),
            key_condition_expression: Some("pk = :p".into()),
            filter_expression: filter.map(str::to_owned),
            expression_attribute_values: Some(HashMap::from([(":p".to_owned(), s("q"))])),
            consistent_read: Some(consistent),
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap()
    };
    // 4,500 bytes: two 4 KB units.
    assert_eq!(units(query(true, None).consumed_capacity), 2.0);
    assert_eq!(units(query(false, None).consumed_capacity), 1.0);
    let filtered = query(true, Some("attribute_not_exists(p)"));
    assert_eq!(filtered.count, 0);
    assert_eq!(units(filtered.consumed_capacity), 2.0);
    let scanned = db
        .scan(ScanInput {
            table_name: "Cap".into(),
            consistent_read: Some(true),
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(units(scanned.consumed_capacity), 2.0);
}

#[test]
fn batches_round_each_item() {
    let (_dir, db) = setup();
    put(&db, "Cap", sized("b", "1", 1536));
    put(&db, "Cap", sized("b", "2", 6656));
    let got = db
        .batch_get_item(BatchGetItemInput {
            request_items: [(
                "Cap".to_owned(),
                KeysAndAttributes {
                    keys: vec![key("b", "1"), key("b", "2")],
                    consistent_read: Some(true),
                    ..Default::default()
                },
            )]
            .into(),
            return_consumed_capacity: TOTAL,
        })
        .unwrap();
    // 1.5 KB and 6.5 KB round to 4 and 8 KB: 3 units, not the 2 of 8 KB summed.
    let report = got.consumed_capacity.unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].capacity_units, 3.0);
    let written = db
        .batch_write_item(BatchWriteItemInput {
            request_items: [(
                "Cap".to_owned(),
                vec![
                    WriteRequest::PutRequest {
                        item: sized("c", "1", 1025),
                    },
                    WriteRequest::PutRequest {
                        item: sized("c", "2", 10),
                    },
                    WriteRequest::DeleteRequest { key: key("b", "1") },
                ],
            )]
            .into(),
            return_consumed_capacity: TOTAL,
        })
        .unwrap();
    assert_eq!(
        written.consumed_capacity.unwrap()[0].capacity_units,
        2.0 + 1.0 + 2.0
    );
}

#[test]
fn transactions_cost_double() {
    let (_dir, db) = setup();
    put(&db, "Cap", sized("t", "check", 20));
    put(&db, "Cap", sized("t", "big", 4097));
    let written = db
        .transact_write_items(TransactWriteItemsInput {
            transact_items: vec![
                TransactWriteItem::Put(Put {
                    table_name: "Cap".into(),
                    item: sized("t", "new", 1025),
                    ..Default::default()
                }),
                TransactWriteItem::ConditionCheck(ConditionCheck {
                    table_name: "Cap".into(),
                    key: key("t", "check"),
                    condition_expression: "attribute_exists(pk)".into(),
                    ..Default::default()
                }),
            ],
            return_consumed_capacity: TOTAL,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        written.consumed_capacity.unwrap()[0].capacity_units,
        2.0 * 2.0 + 2.0
    );
    let got = db
        .transact_get_items(TransactGetItemsInput {
            transact_items: vec![
                Get {
                    table_name: "Cap".into(),
                    key: key("t", "big"),
                    ..Default::default()
                },
                Get {
                    table_name: "Cap".into(),
                    key: key("t", "check"),
                    ..Default::default()
                },
            ],
            return_consumed_capacity: TOTAL,
        })
        .unwrap();
    assert_eq!(
        got.consumed_capacity.unwrap()[0].capacity_units,
        2.0 * (2.0 + 1.0)
    );
}

#[test]
fn return_consumed_capacity_none_omits_and_indexes_adds_the_table_share() {
    let (_dir, db) = setup();
    let put_with = |mode| {
        db.put_item(PutItemInput {
            table_name: "Cap".into(),
            item: sized("r", "1", 100),
            return_consumed_capacity: mode,
            ..Default::default()
        })
        .unwrap()
        .consumed_capacity
    };
    assert_eq!(put_with(None), None);
    assert_eq!(put_with(Some(ReturnConsumedCapacity::None)), None);
    let total = put_with(TOTAL).unwrap();
    assert_eq!((total.capacity_units, total.table), (1.0, None));
    let indexes = put_with(Some(ReturnConsumedCapacity::Indexes)).unwrap();
    assert_eq!(indexes.table.map(|t| t.capacity_units), Some(1.0));
}
