//! UpdateItem end to end: each action kind through the Database, item creation, every
//! ReturnValues option, key attributes refused, the 400 KB limit after the update,
//! conditions with ReturnValuesOnConditionCheckFailure, and N threads doing optimistic
//! locking (conditional increments) without losing an update.

mod common_items;

use common_items::*;
use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item};
use tessera_engine::Database;

const TABLE: &str = "Items";

fn setup() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, TABLE);
    (dir, db)
}

fn id(v: &str) -> Item {
    item(&[("id", s(v))])
}

fn vals(pairs: &[(&str, AttributeValue)]) -> Option<HashMap<String, AttributeValue>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn update(
    db: &Database,
    key: &str,
    expression: &str,
    values: Option<HashMap<String, AttributeValue>>,
    rv: ReturnValue,
) -> ApiResult<Option<Item>> {
    db.update_item(UpdateItemInput {
        table_name: TABLE.into(),
        key: id(key),
        update_expression: Some(expression.to_owned()),
        expression_attribute_values: values,
        return_values: Some(rv),
        ..Default::default()
    })
    .map(|o| o.attributes)
}

fn ss(v: &[&str]) -> AttributeValue {
    AttributeValue::Ss(v.iter().map(|x| (*x).to_owned()).collect())
}

fn list(v: &[AttributeValue]) -> AttributeValue {
    AttributeValue::L(v.to_vec())
}

#[test]
fn update_item_missing_item_is_created_with_its_key() {
    let (_dir, db) = setup();
    let new = update(
        &db,
        "a",
        "SET x = :v",
        vals(&[(":v", n("1"))]),
        ReturnValue::AllNew,
    )
    .unwrap();
    assert_eq!(new, Some(item(&[("id", s("a")), ("x", n("1"))])));
    assert_eq!(get(&db, TABLE, id("a")), new);
    assert_eq!(describe(&db, TABLE).item_count, 1);
    // No update expression at all: the item holds just its key.
    db.update_item(UpdateItemInput {
        table_name: TABLE.into(),
        key: id("b"),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(get(&db, TABLE, id("b")), Some(id("b")));
}

#[test]
fn update_item_actions_apply_as_documented() {
    let (_dir, db) = setup();
    put(
        &db,
        TABLE,
        item(&[
            ("id", s("a")),
            ("n", n("10")),
            ("l", list(&[n("1"), n("2"), n("3")])),
            ("tags", ss(&["x", "y"])),
            ("gone", s("bye")),
        ]),
    );
    let new = update(
        &db,
        "a",
        "SET n = n + :one, m = if_not_exists(m, :zero), l = list_append(l, :more) \
         REMOVE gone ADD hits :one, tags :z",
        vals(&[
            (":one", n("1")),
            (":zero", n("0")),
            (":more", list(&[n("4")])),
            (":z", ss(&["z"])),
        ]),
        ReturnValue::AllNew,
    )
    .unwrap()
    .unwrap();
    assert_eq!(new.get("tags"), Some(&ss(&["x", "y", "z"])));
    let new = update(
        &db,
        "a",
        "DELETE tags :x",
        vals(&[(":x", ss(&["x"]))]),
        ReturnValue::AllNew,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        new,
        item(&[
            ("id", s("a")),
            ("n", n("11")),
            ("m", n("0")),
            ("l", list(&[n("1"), n("2"), n("3"), n("4")])),
            ("hits", n("1")),
            ("tags", ss(&["y", "z"])),
        ])
    );
    // Exact decimal arithmetic, never floating point.
    update(
        &db,
        "a",
        "SET n = :a - :b",
        vals(&[(":a", n("0.3")), (":b", n("0.1"))]),
        ReturnValue::None,
    )
    .unwrap();
    assert_eq!(get(&db, TABLE, id("a")).unwrap().get("n"), Some(&n("0.2")));
    // REMOVE of list elements shifts the rest down.
    update(&db, "a", "REMOVE l[0], l[2]", None, ReturnValue::None).unwrap();
    assert_eq!(
        get(&db, TABLE, id("a")).unwrap().get("l"),
        Some(&list(&[n("2"), n("4")]))
    );
}

#[test]
fn update_item_return_values_cover_all_five_options() {
    let (_dir, db) = setup();
    put(
        &db,
        TABLE,
        item(&[("id", s("a")), ("x", n("1")), ("y", n("2"))]),
    );
    let v = vals(&[(":v", n("5"))]);
    assert_eq!(
        update(&db, "a", "SET x = :v", v.clone(), ReturnValue::None).unwrap(),
        None
    );
    assert_eq!(
        update(&db, "a", "SET x = :v", v.clone(), ReturnValue::AllOld).unwrap(),
        Some(item(&[("id", s("a")), ("x", n("5")), ("y", n("2"))]))
    );
    put(
        &db,
        TABLE,
        item(&[("id", s("a")), ("x", n("1")), ("y", n("2"))]),
    );
    assert_eq!(
        update(&db, "a", "SET x = :v", v.clone(), ReturnValue::UpdatedOld).unwrap(),
        Some(item(&[("x", n("1"))]))
    );
    assert_eq!(
        update(&db, "a", "SET y = :v", v.clone(), ReturnValue::UpdatedNew).unwrap(),
        Some(item(&[("y", n("5"))]))
    );
    assert_eq!(
        update(&db, "a", "REMOVE y", None, ReturnValue::AllNew).unwrap(),
        Some(item(&[("id", s("a")), ("x", n("5"))]))
    );
    // UPDATED_OLD of an attribute that did not exist returns nothing.
    assert_eq!(
        update(&db, "a", "SET fresh = :v", v, ReturnValue::UpdatedOld).unwrap(),
        None
    );
}

#[test]
fn update_item_key_attributes_and_size_limit_are_refused() {
    let (_dir, db) = setup();
    put(&db, TABLE, item(&[("id", s("a"))]));
    assert_validation(
        update(&db, "a", "SET id = :v", vals(&[(":v", s("b"))]), ReturnValue::None),
        "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key",
    );
    // 409,600 bytes in all is the limit: "id" (2) + "a" (1) + "big" (3) + the value.
    let fits = "x".repeat(409_600 - 6);
    update(
        &db,
        "a",
        "SET big = :v",
        vals(&[(":v", s(&fits))]),
        ReturnValue::None,
    )
    .unwrap();
    assert_validation(
        update(
            &db,
            "a",
            "SET more = :v",
            vals(&[(":v", s("y"))]),
            ReturnValue::None,
        ),
        "Item size to update has exceeded the maximum allowed size",
    );
    assert_not_found(db.update_item(UpdateItemInput {
        table_name: "Missing".into(),
        key: id("a"),
        ..Default::default()
    }));
}

#[test]
fn update_item_condition_failure_changes_nothing_and_can_return_the_item() {
    let (_dir, db) = setup();
    let original = item(&[("id", s("a")), ("version", n("3"))]);
    put(&db, TABLE, original.clone());
    let err = db
        .update_item(UpdateItemInput {
            table_name: TABLE.into(),
            key: id("a"),
            update_expression: Some("SET version = :next".into()),
            condition_expression: Some("version = :expected".into()),
            expression_attribute_values: vals(&[(":next", n("5")), (":expected", n("4"))]),
            return_values_on_condition_check_failure: Some(
                ReturnValuesOnConditionCheckFailure::AllOld,
            ),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_type(), "ConditionalCheckFailedException");
    let ApiError::ConditionalCheckFailed { item: returned } = err else {
        panic!("wrong error");
    };
    assert_eq!(returned, Some(original.clone()));
    assert_eq!(get(&db, TABLE, id("a")), Some(original));
    // Placeholders are shared by the update and the condition: an unused one is an error.
    assert_validation(
        db.update_item(UpdateItemInput {
            table_name: TABLE.into(),
            key: id("a"),
            update_expression: Some("SET version = :next".into()),
            expression_attribute_values: vals(&[(":next", n("5")), (":unused", n("4"))]),
            ..Default::default()
        }),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
    );
}

#[test]
fn update_item_concurrent_optimistic_increments_lose_no_update() {
    let (_dir, db) = setup();
    put(&db, TABLE, item(&[("id", s("counter")), ("n", n("0"))]));
    const THREADS: usize = 4;
    const INCREMENTS: usize = 50;
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            let db = &db;
            scope.spawn(move || {
                let mut done = 0;
                while done < INCREMENTS {
                    let current = get(db, TABLE, id("counter")).unwrap();
                    let seen = current.get("n").cloned().unwrap();
                    let result = db.update_item(UpdateItemInput {
                        table_name: TABLE.into(),
                        key: id("counter"),
                        update_expression: Some("SET n = n + :one".into()),
                        condition_expression: Some("n = :seen".into()),
                        expression_attribute_values: vals(&[(":one", n("1")), (":seen", seen)]),
                        ..Default::default()
                    });
                    match result {
                        Ok(_) => done += 1,
                        Err(e) => assert_eq!(e.error_type(), "ConditionalCheckFailedException"),
                    }
                }
            });
        }
    });
    let total = (THREADS * INCREMENTS).to_string();
    assert_eq!(
        get(&db, TABLE, id("counter")).unwrap().get("n"),
        Some(&n(&total))
    );
}

#[test]
fn transact_write_update_action_applies_atomically_with_the_rest() {
    let (_dir, db) = setup();
    put(&db, TABLE, item(&[("id", s("a")), ("balance", n("10"))]));
    put(&db, TABLE, item(&[("id", s("b")), ("balance", n("0"))]));
    let transfer = |amount: &str| {
        db.transact_write_items(TransactWriteItemsInput {
            return_consumed_capacity: None,
            transact_items: vec![
                TransactWriteItem::Update(Update {
                    table_name: TABLE.into(),
                    key: id("a"),
                    update_expression: "SET balance = balance - :amt".into(),
                    condition_expression: Some("balance >= :amt".into()),
                    expression_attribute_values: vals(&[(":amt", n(amount))]),
                    ..Default::default()
                }),
                TransactWriteItem::Update(Update {
                    table_name: TABLE.into(),
                    key: id("b"),
                    update_expression: "ADD balance :amt".into(),
                    expression_attribute_values: vals(&[(":amt", n(amount))]),
                    ..Default::default()
                }),
            ],
            client_request_token: None,
        })
    };
    transfer("7").unwrap();
    let err = transfer("7").unwrap_err();
    assert_eq!(err.error_type(), "TransactionCanceledException");
    assert_eq!(
        get(&db, TABLE, id("a")).unwrap().get("balance"),
        Some(&n("3"))
    );
    assert_eq!(
        get(&db, TABLE, id("b")).unwrap().get("balance"),
        Some(&n("7"))
    );
}
