//! TransactWriteItems and TransactGetItems: all-or-nothing across tables, cancellation
//! reasons in request order, one action per item, the action-count limits,
//! ClientRequestToken idempotency (with an injected clock), concurrent conflicting transfers
//! that keep a total invariant, and snapshot reads.

mod common_items;

use common_items::*;
use std::collections::HashMap;
use std::sync::Arc;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item};
use tessera_engine::Database;

fn setup() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Accounts");
    create_id_table(&db, "Ledger");
    (dir, db)
}

fn id(v: &str) -> Item {
    item(&[("id", s(v))])
}

fn values(pairs: &[(&str, AttributeValue)]) -> Option<HashMap<String, AttributeValue>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn put_action(
    table: &str,
    it: Item,
    condition: Option<&str>,
    vals: Option<HashMap<String, AttributeValue>>,
) -> TransactWriteItem {
    TransactWriteItem::Put(Put {
        table_name: table.to_owned(),
        item: it,
        condition_expression: condition.map(str::to_owned),
        expression_attribute_values: vals,
        ..Default::default()
    })
}

fn transact(db: &Database, items: Vec<TransactWriteItem>) -> ApiResult<TransactWriteItemsOutput> {
    db.transact_write_items(TransactWriteItemsInput {
        return_consumed_capacity: None,
        transact_items: items,
        client_request_token: None,
    })
}

#[test]
fn transact_write_applies_every_action_across_tables() {
    let (_dir, db) = setup();
    put(&db, "Accounts", item(&[("id", s("old")), ("v", n("1"))]));
    transact(
        &db,
        vec![
            put_action(
                "Accounts",
                item(&[("id", s("a")), ("v", n("10"))]),
                None,
                None,
            ),
            put_action(
                "Ledger",
                item(&[("id", s("t1")), ("amount", n("10"))]),
                Some("attribute_not_exists(id)"),
                None,
            ),
            TransactWriteItem::Delete(Delete {
                table_name: "Accounts".into(),
                key: id("old"),
                ..Default::default()
            }),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Ledger".into(),
                key: id("t0"),
                condition_expression: "attribute_not_exists(id)".into(),
                ..Default::default()
            }),
        ],
    )
    .unwrap();
    assert_eq!(
        get(&db, "Accounts", id("a")),
        Some(item(&[("id", s("a")), ("v", n("10"))]))
    );
    assert!(get(&db, "Ledger", id("t1")).is_some());
    assert_eq!(get(&db, "Accounts", id("old")), None);
    assert_eq!(get(&db, "Ledger", id("t0")), None);
    assert_eq!(describe(&db, "Accounts").item_count, 1);
    assert_eq!(describe(&db, "Ledger").item_count, 1);
}

#[test]
fn transact_write_failed_condition_cancels_all_with_reasons_in_order() {
    let (_dir, db) = setup();
    let existing = item(&[("id", s("b")), ("v", n("5"))]);
    put(&db, "Accounts", existing.clone());
    let err = transact(
        &db,
        vec![
            put_action(
                "Accounts",
                item(&[("id", s("a")), ("v", n("1"))]),
                None,
                None,
            ),
            TransactWriteItem::Put(Put {
                table_name: "Accounts".into(),
                item: item(&[("id", s("b")), ("v", n("6"))]),
                condition_expression: Some("v = :x".into()),
                expression_attribute_values: values(&[(":x", n("4"))]),
                return_values_on_condition_check_failure: Some(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ),
                ..Default::default()
            }),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Ledger".into(),
                key: id("t0"),
                condition_expression: "attribute_exists(id)".into(),
                ..Default::default()
            }),
        ],
    )
    .unwrap_err();
    assert_eq!(err.error_type(), "TransactionCanceledException");
    assert_eq!(
        err.message(),
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]"
    );
    let ApiError::TransactionCanceled { reasons, .. } = err else {
        panic!("not a cancellation");
    };
    assert_eq!(
        reasons[0],
        CancellationReason {
            code: "None".into(),
            message: None,
            item: None
        }
    );
    assert_eq!(reasons[1].code, "ConditionalCheckFailed");
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("The conditional request failed")
    );
    assert_eq!(reasons[1].item, Some(existing.clone()));
    assert_eq!(reasons[2].item, None);
    // Nothing was written.
    assert_eq!(get(&db, "Accounts", id("a")), None);
    assert_eq!(get(&db, "Accounts", id("b")), Some(existing));
}

#[test]
fn transact_write_validation_errors_match_dynamodb() {
    let (_dir, db) = setup();
    assert_validation(
        transact(&db, vec![]),
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    let many: Vec<_> = (0..101)
        .map(|i| put_action("Accounts", id(&format!("k{i}")), None, None))
        .collect();
    assert_validation(
        transact(&db, many),
        "1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
    );
    let hundred: Vec<_> = (0..100)
        .map(|i| put_action("Accounts", id(&format!("k{i}")), None, None))
        .collect();
    transact(&db, hundred).unwrap();
    assert_eq!(describe(&db, "Accounts").item_count, 100);
    assert_validation(
        transact(
            &db,
            vec![
                put_action("Accounts", id("x"), None, None),
                TransactWriteItem::Delete(Delete {
                    table_name: "Accounts".into(),
                    key: id("x"),
                    ..Default::default()
                }),
            ],
        ),
        "Transaction request cannot include multiple operations on one item",
    );
    assert_not_found(transact(
        &db,
        vec![put_action("Missing", id("x"), None, None)],
    ));
    assert_validation(
        transact(
            &db,
            vec![put_action(
                "Accounts",
                item(&[("other", s("x"))]),
                None,
                None,
            )],
        ),
        "One or more parameter values were invalid: Missing the key id in the item",
    );
}

#[test]
fn transact_write_client_token_is_idempotent_for_ten_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(1_000.0);
    let db = open_with_clock(dir.path(), Arc::clone(&clock));
    create_id_table(&db, "Ledger");
    let input = |amount: &str| TransactWriteItemsInput {
        return_consumed_capacity: None,
        transact_items: vec![put_action(
            "Ledger",
            item(&[("id", s("t1")), ("amount", n(amount))]),
            Some("attribute_not_exists(id)"),
            None,
        )],
        client_request_token: Some("token-1".into()),
    };
    db.transact_write_items(input("10")).unwrap();
    // The same call again succeeds without applying anything a second time (the condition
    // would now fail).
    clock.set(1_300.0);
    db.transact_write_items(input("10")).unwrap();
    assert_error(
        db.transact_write_items(input("11")),
        "IdempotentParameterMismatchException",
        "The request uses the same client token as a previous, but non-identical request.",
    );
    // After ten minutes the token is forgotten: the call runs, and its condition fails.
    clock.set(1_000.0 + 601.0);
    let err = db.transact_write_items(input("10")).unwrap_err();
    assert_eq!(err.error_type(), "TransactionCanceledException");
}

#[test]
fn transact_write_concurrent_transfers_keep_the_total() {
    let (_dir, db) = setup();
    const ACCOUNTS: usize = 5;
    const START: i64 = 100;
    for a in 0..ACCOUNTS {
        put(
            &db,
            "Accounts",
            item(&[
                ("id", s(&format!("acct{a}"))),
                ("balance", n(&START.to_string())),
            ]),
        );
    }
    let balance = |it: &Item| match it.get("balance") {
        Some(AttributeValue::N(v)) => v.to_string().parse::<i64>().unwrap(),
        other => panic!("bad balance {other:?}"),
    };
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            let db = &db;
            scope.spawn(move || {
                let mut rng = t * 7919 + 1;
                let mut done = 0;
                while done < 40 {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let from = (rng >> 33) as usize % ACCOUNTS;
                    let to = (from + 1 + (rng >> 40) as usize % (ACCOUNTS - 1)) % ACCOUNTS;
                    let (fk, tk) = (format!("acct{from}"), format!("acct{to}"));
                    let fb = balance(&get(db, "Accounts", id(&fk)).unwrap());
                    let tb = balance(&get(db, "Accounts", id(&tk)).unwrap());
                    let amount = 1 + (rng >> 50) as i64 % 5;
                    if fb < amount {
                        done += 1;
                        continue;
                    }
                    let cond = |old: i64| {
                        (
                            Some("balance = :old"),
                            values(&[(":old", n(&old.to_string()))]),
                        )
                    };
                    let (c1, v1) = cond(fb);
                    let (c2, v2) = cond(tb);
                    let result = transact(
                        db,
                        vec![
                            put_action(
                                "Accounts",
                                item(&[("id", s(&fk)), ("balance", n(&(fb - amount).to_string()))]),
                                c1,
                                v1,
                            ),
                            put_action(
                                "Accounts",
                                item(&[("id", s(&tk)), ("balance", n(&(tb + amount).to_string()))]),
                                c2,
                                v2,
                            ),
                        ],
                    );
                    match result {
                        Ok(_) => done += 1,
                        Err(e) => assert_eq!(e.error_type(), "TransactionCanceledException"),
                    }
                }
            });
        }
    });
    let total: i64 = (0..ACCOUNTS)
        .map(|a| balance(&get(&db, "Accounts", id(&format!("acct{a}"))).unwrap()))
        .sum();
    assert_eq!(total, START * ACCOUNTS as i64);
}

#[test]
fn transact_get_reads_items_in_order_with_projection() {
    let (_dir, db) = setup();
    put(
        &db,
        "Accounts",
        item(&[("id", s("a")), ("v", n("1")), ("w", n("2"))]),
    );
    put(&db, "Ledger", item(&[("id", s("t")), ("amount", n("3"))]));
    let out = db
        .transact_get_items(TransactGetItemsInput {
            return_consumed_capacity: None,
            transact_items: vec![
                Get {
                    table_name: "Ledger".into(),
                    key: id("t"),
                    ..Default::default()
                },
                Get {
                    table_name: "Accounts".into(),
                    key: id("missing"),
                    ..Default::default()
                },
                Get {
                    table_name: "Accounts".into(),
                    key: id("a"),
                    projection_expression: Some("w".into()),
                    ..Default::default()
                },
            ],
        })
        .unwrap();
    let items: Vec<Option<Item>> = out.responses.into_iter().map(|r| r.item).collect();
    assert_eq!(
        items,
        vec![
            Some(item(&[("id", s("t")), ("amount", n("3"))])),
            None,
            Some(item(&[("w", n("2"))])),
        ]
    );
    assert_validation(
        db.transact_get_items(TransactGetItemsInput {
            return_consumed_capacity: None,
            transact_items: vec![
                Get {
                    table_name: "Ledger".into(),
                    key: id("t"),
                    ..Default::default()
                },
                Get {
                    table_name: "Ledger".into(),
                    key: id("t"),
                    ..Default::default()
                },
            ],
        }),
        "Transaction request cannot include multiple operations on one item",
    );
    assert_validation(
        db.transact_get_items(TransactGetItemsInput { return_consumed_capacity: None, transact_items: vec![] }),
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
}

#[test]
fn transact_table_name_errors_name_the_action_member() {
    let (_dir, db) = setup();
    assert_validation(
        db.transact_get_items(TransactGetItemsInput { return_consumed_capacity: None,
            transact_items: vec![
                Get { table_name: "Missing".into(), key: id("a"), ..Default::default() },
                Get { table_name: "bad!name".into(), key: id("a"), ..Default::default() },
            ],
        }),
        "1 validation error detected: Value 'bad!name' at 'transactItems.2.member.get.tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
    assert_validation(
        transact(&db, vec![put_action("bad!name", id("a"), None, None)]),
        "1 validation error detected: Value 'bad!name' at 'transactItems.1.member.put.tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
}
