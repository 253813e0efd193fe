//! The legacy (pre-expression) parameters end to end: Expected on writes, AttributeUpdates,
//! AttributesToGet, KeyConditions, QueryFilter and ScanFilter with ConditionalOperator, and
//! the refusal to mix them with expressions.

mod common_items;

use common_items::*;
use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_engine::Database;

fn setup() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Tbl");
    db.create_table(composite_table(
        "Cmp",
        ("pk", ScalarType::S),
        ("sk", ScalarType::N),
    ))
    .unwrap();
    (dir, db)
}

fn id(v: &str) -> Item {
    item(&[("id", s(v))])
}

fn cond(op: ComparisonOperator, values: &[AttributeValue]) -> Condition {
    Condition {
        comparison_operator: op,
        attribute_value_list: Some(values.to_vec()),
    }
}

fn expected(pairs: Vec<(&str, ExpectedAttributeValue)>) -> Option<Expected> {
    Some(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

#[test]
fn put_item_expected_exists_false_creates_once() {
    let (_dir, db) = setup();
    let create = |v: &str| {
        db.put_item(PutItemInput {
            table_name: "Tbl".into(),
            item: item(&[("id", s("a")), ("v", s(v))]),
            expected: expected(vec![(
                "id",
                ExpectedAttributeValue {
                    exists: Some(false),
                    ..Default::default()
                },
            )]),
            ..Default::default()
        })
    };
    create("1").unwrap();
    assert_error(
        create("2"),
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    assert_eq!(get(&db, "Tbl", id("a")).unwrap().get("v"), Some(&s("1")));
    // Value with Exists absent means equality.
    db.delete_item(DeleteItemInput {
        table_name: "Tbl".into(),
        key: id("a"),
        expected: expected(vec![(
            "v",
            ExpectedAttributeValue {
                value: Some(s("1")),
                ..Default::default()
            },
        )]),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(get(&db, "Tbl", id("a")), None);
}

#[test]
fn legacy_and_expression_parameters_cannot_be_mixed() {
    let (_dir, db) = setup();
    assert_validation(
        db.put_item(PutItemInput {
            table_name: "Tbl".into(),
            item: id("a"),
            condition_expression: Some("attribute_not_exists(id)".into()),
            expected: expected(vec![(
                "id",
                ExpectedAttributeValue {
                    exists: Some(false),
                    ..Default::default()
                },
            )]),
            ..Default::default()
        }),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
    );
    assert_validation(
        db.get_item(GetItemInput {
            table_name: "Tbl".into(),
            key: id("a"),
            projection_expression: Some("id".into()),
            attributes_to_get: Some(vec!["id".into()]),
            ..Default::default()
        }),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
    );
}

#[test]
fn get_item_attributes_to_get_projects_top_level_names() {
    let (_dir, db) = setup();
    put(
        &db,
        "Tbl",
        item(&[("id", s("a")), ("x", n("1")), ("y.z", n("2"))]),
    );
    let got = db
        .get_item(GetItemInput {
            table_name: "Tbl".into(),
            key: id("a"),
            attributes_to_get: Some(vec!["y.z".into(), "missing".into()]),
            ..Default::default()
        })
        .unwrap()
        .item;
    // Names are literal: a dot is part of the name.
    assert_eq!(got, Some(item(&[("y.z", n("2"))])));
}

#[test]
fn query_key_conditions_and_query_filter_select_items() {
    let (_dir, db) = setup();
    for i in 0..10 {
        put(
            &db,
            "Cmp",
            item(&[
                ("pk", s("p")),
                ("sk", n(&i.to_string())),
                ("even", AttributeValue::Bool(i % 2 == 0)),
            ]),
        );
    }
    let out = db
        .query(QueryInput {
            table_name: "Cmp".into(),
            key_conditions: Some(HashMap::from([
                ("pk".to_owned(), cond(ComparisonOperator::Eq, &[s("p")])),
                (
                    "sk".to_owned(),
                    cond(ComparisonOperator::Between, &[n("2"), n("7")]),
                ),
            ])),
            query_filter: Some(HashMap::from([(
                "even".to_owned(),
                cond(ComparisonOperator::Eq, &[AttributeValue::Bool(true)]),
            )])),
            attributes_to_get: Some(vec!["sk".into()]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.scanned_count, 6);
    assert_eq!(
        out.items.unwrap(),
        vec![
            item(&[("sk", n("2"))]),
            item(&[("sk", n("4"))]),
            item(&[("sk", n("6"))])
        ]
    );
    assert_validation(
        db.query(QueryInput {
            table_name: "Cmp".into(),
            key_conditions: Some(HashMap::from([(
                "pk".to_owned(),
                cond(ComparisonOperator::Eq, &[s("p")]),
            )])),
            query_filter: Some(HashMap::from([(
                "sk".to_owned(),
                cond(ComparisonOperator::Gt, &[n("1")]),
            )])),
            ..Default::default()
        }),
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk",
    );
}

#[test]
fn scan_filter_with_or_matches_either_condition() {
    let (_dir, db) = setup();
    for (k, v) in [("a", "1"), ("b", "5"), ("c", "9")] {
        put(&db, "Tbl", item(&[("id", s(k)), ("v", n(v))]));
    }
    let out = db
        .scan(ScanInput {
            table_name: "Tbl".into(),
            scan_filter: Some(HashMap::from([
                ("v".to_owned(), cond(ComparisonOperator::Lt, &[n("2")])),
                ("id".to_owned(), cond(ComparisonOperator::Eq, &[s("c")])),
            ])),
            conditional_operator: Some(ConditionalOperator::Or),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.count, 2);
    assert_eq!(out.scanned_count, 3);
}

#[test]
fn update_item_attribute_updates_put_add_delete() {
    let (_dir, db) = setup();
    put(
        &db,
        "Tbl",
        item(&[
            ("id", s("a")),
            ("gone", s("x")),
            ("tags", AttributeValue::Ss(vec!["p".into(), "q".into()])),
        ]),
    );
    let updates = HashMap::from([
        (
            "name".to_owned(),
            AttributeValueUpdate {
                value: Some(s("Ada")),
                action: Some(AttributeAction::Put),
            },
        ),
        (
            "visits".to_owned(),
            AttributeValueUpdate {
                value: Some(n("2")),
                action: Some(AttributeAction::Add),
            },
        ),
        (
            "gone".to_owned(),
            AttributeValueUpdate {
                value: None,
                action: Some(AttributeAction::Delete),
            },
        ),
        (
            "tags".to_owned(),
            AttributeValueUpdate {
                value: Some(AttributeValue::Ss(vec!["p".into()])),
                action: Some(AttributeAction::Delete),
            },
        ),
    ]);
    let out = db
        .update_item(UpdateItemInput {
            table_name: "Tbl".into(),
            key: id("a"),
            attribute_updates: Some(updates),
            return_values: Some(ReturnValue::AllNew),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        out.attributes,
        Some(item(&[
            ("id", s("a")),
            ("name", s("Ada")),
            ("visits", n("2")),
            ("tags", AttributeValue::Ss(vec!["q".into()])),
        ]))
    );
    assert_validation(
        db.update_item(UpdateItemInput {
            table_name: "Tbl".into(),
            key: id("a"),
            attribute_updates: Some(HashMap::from([(
                "id".to_owned(),
                AttributeValueUpdate { value: Some(s("b")), action: None },
            )])),
            ..Default::default()
        }),
        "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key",
    );
}
