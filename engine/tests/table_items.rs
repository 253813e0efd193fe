//! Single-item operations through the public `Database` API: PutItem, GetItem and DeleteItem
//! with every attribute type, canonical numbers, nesting and item-size limits, set rules,
//! ReturnValues, ProjectionExpression, key validation, ConditionExpression, and the table
//! name and missing-table errors, each with DynamoDB's message.

mod common_items;

use common_items::*;
use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, Number, ScalarType};
use tessera_engine::Database;

/// The table most tests use: on demand, keyed by the string `id`.
const TABLE: &str = "Items";

/// An open database with the table [`TABLE`].
fn db_with_table() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, TABLE);
    (dir, db)
}

fn id(v: &str) -> Item {
    item(&[("id", s(v))])
}

fn put_input(it: Item) -> PutItemInput {
    PutItemInput {
        table_name: TABLE.into(),
        item: it,
        ..Default::default()
    }
}

fn get_input(key: Item) -> GetItemInput {
    GetItemInput {
        table_name: TABLE.into(),
        key,
        ..Default::default()
    }
}

fn delete_input(key: Item) -> DeleteItemInput {
    DeleteItemInput {
        table_name: TABLE.into(),
        key,
        ..Default::default()
    }
}

fn map(pairs: &[(&str, AttributeValue)]) -> AttributeValue {
    AttributeValue::M(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn list(values: &[AttributeValue]) -> AttributeValue {
    AttributeValue::L(values.to_vec())
}

fn num(text: &str) -> Number {
    text.parse().unwrap()
}

fn names(pairs: &[(&str, &str)]) -> Option<AttributeNames> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

fn values(pairs: &[(&str, AttributeValue)]) -> Option<AttributeValues> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<HashMap<_, _>>(),
    )
}

/// `leaf` wrapped in `depth` single-entry maps.
fn nested_maps(depth: usize, leaf: AttributeValue) -> AttributeValue {
    (0..depth).fold(leaf, |v, _| map(&[("n", v)]))
}

// ---- Attribute types and values ----

#[test]
fn put_item_every_attribute_type_round_trips() {
    let (_dir, db) = db_with_table();
    let it = item(&[
        ("id", s("all")),
        ("s", s("héllo")),
        ("n", n("-12.5")),
        ("b", b(&[0, 255, 7])),
        ("yes", AttributeValue::Bool(true)),
        ("no", AttributeValue::Bool(false)),
        ("nil", AttributeValue::Null),
        (
            "m",
            map(&[("inner", s("x")), ("deeper", map(&[("k", n("1"))]))]),
        ),
        (
            "l",
            list(&[s("a"), n("2"), AttributeValue::Null, list(&[])]),
        ),
        ("empty_m", map(&[])),
        ("ss", AttributeValue::Ss(vec!["b".into(), "a".into()])),
        (
            "ns",
            AttributeValue::Ns(vec![num("10"), num("-1"), num("2.5")]),
        ),
        ("bs", AttributeValue::Bs(vec![vec![2], vec![1, 0]])),
    ]);
    put(&db, TABLE, it.clone());
    let got = get(&db, TABLE, id("all")).unwrap();
    // Sets come back in canonical order; everything else exactly as written.
    let mut want = it;
    want.insert(
        "ss".into(),
        AttributeValue::Ss(vec!["a".into(), "b".into()]),
    );
    want.insert(
        "ns".into(),
        AttributeValue::Ns(vec![num("-1"), num("2.5"), num("10")]),
    );
    want.insert("bs".into(), AttributeValue::Bs(vec![vec![1, 0], vec![2]]));
    assert_eq!(got, want);
}

#[test]
fn put_item_numbers_round_trip_in_canonical_form() {
    let (_dir, db) = db_with_table();
    let max = format!("{}{}", "9".repeat(38), "0".repeat(88));
    let smallest = format!("0.{}1", "0".repeat(129));
    let cases = [
        (
            "12345678901234567890123456789012345678",
            "12345678901234567890123456789012345678",
        ),
        (
            "-0.00000000000000000000000000000000000012345678901234567890123456789012345678",
            "-0.00000000000000000000000000000000000012345678901234567890123456789012345678",
        ),
        ("9.9999999999999999999999999999999999999E+125", max.as_str()),
        (
            "-9.9999999999999999999999999999999999999e125",
            &format!("-{max}"),
        ),
        ("1E-130", smallest.as_str()),
        ("01.50", "1.5"),
        ("-0", "0"),
        ("0.000", "0"),
        ("1e2", "100"),
        ("+7", "7"),
    ];
    for (i, (text, canonical)) in cases.iter().enumerate() {
        let key = format!("n{i}");
        put(&db, TABLE, item(&[("id", s(&key)), ("v", n(text))]));
        let got = get(&db, TABLE, id(&key)).unwrap();
        match &got["v"] {
            AttributeValue::N(v) => assert_eq!(v.to_string(), *canonical, "from {text}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn number_parse_out_of_range_texts_give_dynamodb_messages() {
    let cases = [
        ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
        ("12x", "The parameter cannot be converted to a numeric value: 12x"),
        ("", "The parameter cannot be converted to a numeric value"),
    ];
    for (text, message) in cases {
        let err = text.parse::<Number>().unwrap_err();
        assert_eq!(err.to_string(), message, "{text:?}");
    }
    // Trailing zeros are not significant digits.
    assert!(format!("1{}", "0".repeat(60)).parse::<Number>().is_ok());
}

#[test]
fn key_number_forms_address_the_same_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_table(composite_table(
        "Nums",
        ("p", ScalarType::N),
        ("r", ScalarType::N),
    ))
    .unwrap();
    put(
        &db,
        "Nums",
        item(&[("p", n("1.0")), ("r", n("-0.50")), ("v", s("x"))]),
    );
    let got = get(&db, "Nums", item(&[("p", n("1")), ("r", n("-5e-1"))])).unwrap();
    assert_eq!(got["v"], s("x"));
    assert_eq!(got["p"], n("1"));
}

#[test]
fn put_item_nesting_32_levels_is_accepted_and_33_rejected() {
    let (_dir, db) = db_with_table();
    // A scalar inside 31 maps sits at level 32, the deepest DynamoDB accepts.
    let deepest = item(&[("id", s("deep")), ("d", nested_maps(31, s("leaf")))]);
    put(&db, TABLE, deepest.clone());
    assert_eq!(get(&db, TABLE, id("deep")), Some(deepest));
    let too_deep = item(&[("id", s("deeper")), ("d", nested_maps(32, s("leaf")))]);
    assert_validation(
        db.put_item(put_input(too_deep)),
        "Nesting Levels have exceeded supported limits",
    );
    // Lists count the same way; an empty container adds no level below itself.
    let lists = (0..31).fold(AttributeValue::Null, |v, _| list(&[v]));
    put(
        &db,
        TABLE,
        item(&[("id", s("lists")), ("d", lists.clone())]),
    );
    assert_validation(
        db.put_item(put_input(item(&[("id", s("x")), ("d", list(&[lists]))]))),
        "Nesting Levels have exceeded supported limits",
    );
    put(
        &db,
        TABLE,
        item(&[("id", s("empty")), ("d", nested_maps(31, map(&[])))]),
    );
    assert_eq!(get(&db, TABLE, id("deeper")), None);
}

#[test]
fn put_item_item_of_exactly_409600_bytes_is_accepted_and_one_more_rejected() {
    let (_dir, db) = db_with_table();
    // Sizes by DynamoDB's rules, name included: id "k" 3; n 12345 1+4; b 1+10; t BOOL 1+1;
    // z NULL 1+1; m {x: "ab"} 1+(3+1+1+2); l ["a", 1] 1+(3+1+1+1+2); ss {"a","bc"} 2+3.
    let fixed = [
        ("id", s("k")),
        ("n", n("12345")),
        ("b", b(&[0; 10])),
        ("t", AttributeValue::Bool(true)),
        ("z", AttributeValue::Null),
        ("m", map(&[("x", s("ab"))])),
        ("l", list(&[s("a"), n("1")])),
        ("ss", AttributeValue::Ss(vec!["a".into(), "bc".into()])),
    ];
    let fixed_bytes = 3 + 5 + 11 + 2 + 2 + 8 + 9 + 5;
    let padded = |total: usize| {
        let mut it = item(&fixed);
        // "p" plus a string of two-byte characters and at most one ASCII byte.
        let len = total - fixed_bytes - 1;
        let text = format!("{}{}", "é".repeat(len / 2), "a".repeat(len % 2));
        it.insert("p".into(), s(&text));
        it
    };
    put(&db, TABLE, padded(409_600));
    let t = describe(&db, TABLE);
    assert_eq!((t.item_count, t.table_size_bytes), (1, 409_600));
    assert_validation(
        db.put_item(put_input(padded(409_601))),
        "Item size has exceeded the maximum allowed size",
    );
    assert_eq!(describe(&db, TABLE).table_size_bytes, 409_600);
}

#[test]
fn put_item_empty_and_duplicate_sets_are_rejected() {
    let (_dir, db) = db_with_table();
    let with = |v: AttributeValue| put_input(item(&[("id", s("set")), ("v", v)]));
    let cases = [
        (
            AttributeValue::Ss(vec![]),
            format!("{INVALID}An string set  may not be empty"),
        ),
        (
            AttributeValue::Ns(vec![]),
            format!("{INVALID}An number set  may not be empty"),
        ),
        (
            AttributeValue::Bs(vec![]),
            format!("{INVALID}Binary sets should not be empty"),
        ),
        (
            AttributeValue::Ss(vec!["b".into(), "a".into(), "b".into()]),
            format!("{INVALID}Input collection [b, a, b] contains duplicates."),
        ),
        (
            AttributeValue::Ns(vec![num("1"), num("1.0")]),
            "Input collection contains duplicates".to_owned(),
        ),
        (
            AttributeValue::Bs(vec![b"b".to_vec(), b"b".to_vec()]),
            format!("{INVALID}Input collection [Yg==, Yg==]of type BS contains duplicates."),
        ),
        (
            map(&[("inner", list(&[AttributeValue::Ss(vec![])]))]),
            format!("{INVALID}An string set  may not be empty"),
        ),
    ];
    for (value, message) in cases {
        assert_validation(db.put_item(with(value)), &message);
    }
    assert_eq!(get(&db, TABLE, id("set")), None);
}

#[test]
fn put_item_empty_strings_and_binaries_in_non_key_attributes_are_kept() {
    let (_dir, db) = db_with_table();
    let it = item(&[
        ("id", s("e")),
        ("s", s("")),
        ("b", b(&[])),
        ("ss", AttributeValue::Ss(vec![String::new(), "a".into()])),
        ("bs", AttributeValue::Bs(vec![vec![], vec![1]])),
        ("m", map(&[("", s(""))])),
        ("l", list(&[s(""), b(&[])])),
    ]);
    put(&db, TABLE, it.clone());
    assert_eq!(get(&db, TABLE, id("e")), Some(it));
}

// ---- Put, Get, Delete ----

#[test]
fn put_item_overwrite_replaces_the_whole_item() {
    let (_dir, db) = db_with_table();
    put(
        &db,
        TABLE,
        item(&[("id", s("a")), ("x", n("1")), ("y", s("old"))]),
    );
    put(&db, TABLE, item(&[("id", s("a")), ("z", s("new"))]));
    assert_eq!(
        get(&db, TABLE, id("a")),
        Some(item(&[("id", s("a")), ("z", s("new"))]))
    );
}

#[test]
fn get_item_missing_item_has_no_item_and_delete_item_missing_succeeds() {
    let (_dir, db) = db_with_table();
    assert_eq!(
        db.get_item(get_input(id("none"))).unwrap(),
        GetItemOutput {
            consumed_capacity: None,
            item: None
        }
    );
    let out = db
        .delete_item(DeleteItemInput {
            return_values: Some(ReturnValue::AllOld),
            ..delete_input(id("none"))
        })
        .unwrap();
    assert_eq!(out.attributes, None);
    assert_eq!(describe(&db, TABLE).item_count, 0);
}

#[test]
fn put_and_delete_item_return_values_give_the_old_item_for_all_old() {
    let (_dir, db) = db_with_table();
    let first = item(&[("id", s("a")), ("v", n("1"))]);
    let second = item(&[("id", s("a")), ("v", n("2"))]);
    let all_old = |it: Item| PutItemInput {
        return_values: Some(ReturnValue::AllOld),
        ..put_input(it)
    };
    assert_eq!(
        db.put_item(all_old(first.clone())).unwrap().attributes,
        None
    );
    assert_eq!(
        db.put_item(all_old(second.clone())).unwrap().attributes,
        Some(first)
    );
    let none = PutItemInput {
        return_values: Some(ReturnValue::None),
        ..put_input(second.clone())
    };
    assert_eq!(db.put_item(none).unwrap().attributes, None);
    let plain = db.delete_item(delete_input(id("a"))).unwrap();
    assert_eq!(plain.attributes, None);
    put(&db, TABLE, second.clone());
    let out = db
        .delete_item(DeleteItemInput {
            return_values: Some(ReturnValue::AllOld),
            ..delete_input(id("a"))
        })
        .unwrap();
    assert_eq!(out.attributes, Some(second));
    assert_eq!(get(&db, TABLE, id("a")), None);
}

#[test]
fn put_and_delete_item_other_return_values_are_rejected() {
    let (_dir, db) = db_with_table();
    put(&db, TABLE, id("a"));
    for rv in [
        ReturnValue::UpdatedOld,
        ReturnValue::AllNew,
        ReturnValue::UpdatedNew,
    ] {
        let message = "ReturnValues can only be ALL_OLD or NONE";
        assert_validation(
            db.put_item(PutItemInput {
                return_values: Some(rv),
                ..put_input(item(&[("id", s("a")), ("v", s("changed"))]))
            }),
            message,
        );
        assert_validation(
            db.delete_item(DeleteItemInput {
                return_values: Some(rv),
                ..delete_input(id("a"))
            }),
            message,
        );
    }
    assert_eq!(get(&db, TABLE, id("a")), Some(id("a")));
}

// ---- ProjectionExpression ----

fn projected(db: &Database, expression: &str, n: Option<AttributeNames>) -> ApiResult<Item> {
    db.get_item(GetItemInput {
        projection_expression: Some(expression.to_owned()),
        expression_attribute_names: n,
        ..get_input(id("p"))
    })
    .map(|out| out.item.unwrap())
}

fn projection_item() -> Item {
    item(&[
        ("id", s("p")),
        (
            "a",
            map(&[("b", map(&[("c", n("1")), ("d", n("2"))])), ("e", n("3"))]),
        ),
        (
            "l",
            list(&[n("10"), n("20"), map(&[("x", n("1")), ("y", n("2"))])]),
        ),
        ("my attr", s("v")),
        ("extra", s("o")),
    ])
}

#[test]
fn get_item_projection_selects_nested_paths_list_elements_and_named_attributes() {
    let (_dir, db) = db_with_table();
    put(&db, TABLE, projection_item());
    let got = projected(
        &db,
        "a.b.c, l[2].y, l[0], #n, ghost, a.nothing",
        names(&[("#n", "my attr")]),
    )
    .unwrap();
    let want = item(&[
        ("a", map(&[("b", map(&[("c", n("1"))]))])),
        ("l", list(&[n("10"), map(&[("y", n("2"))])])),
        ("my attr", s("v")),
    ]);
    assert_eq!(got, want);
    // Names may stand for any path element, and whole values come back whole.
    let got = projected(&db, "#a.#b, extra", names(&[("#a", "a"), ("#b", "b")])).unwrap();
    assert_eq!(
        got,
        item(&[
            ("a", map(&[("b", map(&[("c", n("1")), ("d", n("2"))]))])),
            ("extra", s("o")),
        ])
    );
}

#[test]
fn get_item_projection_placeholder_errors_match_dynamodb() {
    let (_dir, db) = db_with_table();
    put(&db, TABLE, projection_item());
    assert_validation(
        projected(&db, "#x", None),
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
    );
    assert_validation(
        projected(&db, "extra", names(&[("#x", "a")])),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
    );
    assert_validation(
        db.get_item(GetItemInput {
            expression_attribute_names: names(&[("#x", "a")]),
            ..get_input(id("p"))
        }),
        "ExpressionAttributeNames can only be specified when using expressions",
    );
    assert_validation(
        projected(&db, "a, a.b", None),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
    );
    assert_validation(
        projected(&db, "name", None),
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name",
    );
}

// ---- Key validation ----

#[test]
fn get_and_delete_item_key_not_matching_the_schema_is_rejected() {
    let (_dir, db) = db_with_table();
    put(&db, TABLE, item(&[("id", s("a")), ("v", s("x"))]));
    let mismatch = "The provided key element does not match the schema";
    let bad_keys = [
        item(&[]),
        item(&[("other", s("a"))]),
        item(&[("id", s("a")), ("v", s("x"))]),
        item(&[("id", n("1"))]),
        item(&[("id", b(b"a"))]),
        item(&[("id", AttributeValue::Ss(vec!["a".into()]))]),
    ];
    for key in bad_keys {
        assert_validation(db.get_item(get_input(key.clone())), mismatch);
        assert_validation(db.delete_item(delete_input(key)), mismatch);
    }
    assert_eq!(describe(&db, TABLE).item_count, 1);
}

#[test]
fn composite_key_missing_sort_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_table(composite_table(
        "Cmp",
        ("pk", ScalarType::S),
        ("sk", ScalarType::N),
    ))
    .unwrap();
    let mismatch = "The provided key element does not match the schema";
    let get_c = |key: Item| {
        db.get_item(GetItemInput {
            table_name: "Cmp".into(),
            key,
            ..Default::default()
        })
    };
    assert_validation(get_c(item(&[("pk", s("a"))])), mismatch);
    assert_validation(get_c(item(&[("pk", s("a")), ("sk", s("1"))])), mismatch);
    assert_validation(
        db.put_item(PutItemInput {
            table_name: "Cmp".into(),
            item: item(&[("pk", s("a"))]),
            ..Default::default()
        }),
        &format!("{INVALID}Missing the key sk in the item"),
    );
    assert_eq!(
        get_c(item(&[("pk", s("a")), ("sk", n("1"))])).unwrap().item,
        None
    );
}

#[test]
fn put_item_missing_or_mistyped_key_is_rejected() {
    let (_dir, db) = db_with_table();
    assert_validation(
        db.put_item(put_input(item(&[("v", s("x"))]))),
        &format!("{INVALID}Missing the key id in the item"),
    );
    assert_validation(
        db.put_item(put_input(item(&[("id", n("1"))]))),
        &format!("{INVALID}Type mismatch for key id expected: S actual: N"),
    );
    assert_validation(
        db.put_item(put_input(item(&[("id", AttributeValue::Bool(true))]))),
        &format!("{INVALID}Type mismatch for key id expected: S actual: BOOL"),
    );
    assert_eq!(describe(&db, TABLE).item_count, 0);
}

#[test]
fn key_empty_string_or_binary_is_rejected_on_put_get_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, TABLE);
    db.create_table(hash_table("Bin", "bk", ScalarType::B))
        .unwrap();
    let empty_s = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id";
    assert_validation(db.put_item(put_input(id(""))), empty_s);
    assert_validation(db.get_item(get_input(id(""))), empty_s);
    assert_validation(db.delete_item(delete_input(id(""))), empty_s);
    let empty_b = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: bk";
    assert_validation(
        db.put_item(PutItemInput {
            table_name: "Bin".into(),
            item: item(&[("bk", b(&[]))]),
            ..Default::default()
        }),
        empty_b,
    );
    assert_validation(
        db.get_item(GetItemInput {
            table_name: "Bin".into(),
            key: item(&[("bk", b(&[]))]),
            ..Default::default()
        }),
        empty_b,
    );
}

#[test]
fn key_partition_of_2048_bytes_is_accepted_and_2049_rejected() {
    let (_dir, db) = db_with_table();
    // Limits count UTF-8 bytes: 1024 two-byte characters are 2048 bytes.
    let at_limit = "é".repeat(1024);
    put(&db, TABLE, item(&[("id", s(&at_limit)), ("v", n("1"))]));
    assert_eq!(get(&db, TABLE, id(&at_limit)).unwrap()["v"], n("1"));
    let over = format!("{at_limit}a");
    let message =
        format!("{INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes");
    assert_validation(db.put_item(put_input(id(&over))), &message);
    assert_validation(db.get_item(get_input(id(&over))), &message);
    assert_validation(db.delete_item(delete_input(id(&over))), &message);
}

#[test]
fn key_sort_of_1024_bytes_is_accepted_and_1025_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_table(composite_table(
        "Cmp",
        ("pk", ScalarType::S),
        ("sk", ScalarType::B),
    ))
    .unwrap();
    let key = |len: usize| item(&[("pk", s("p")), ("sk", b(&vec![7; len]))]);
    let put_c = |it: Item| {
        db.put_item(PutItemInput {
            table_name: "Cmp".into(),
            item: it,
            ..Default::default()
        })
    };
    put_c(key(1024)).unwrap();
    let got = db
        .get_item(GetItemInput {
            table_name: "Cmp".into(),
            key: key(1024),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(got.item, Some(key(1024)));
    assert_validation(
        put_c(key(1025)),
        &format!(
            "{INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
        ),
    );
}

// ---- ConditionExpression ----

fn conditional_put(db: &Database, it: Item, condition: &str) -> ApiResult<PutItemOutput> {
    db.put_item(PutItemInput {
        condition_expression: Some(condition.to_owned()),
        ..put_input(it)
    })
}

#[test]
fn put_item_attribute_not_exists_creates_only_if_absent() {
    let (_dir, db) = db_with_table();
    let first = item(&[("id", s("a")), ("v", s("first"))]);
    conditional_put(&db, first.clone(), "attribute_not_exists(id)").unwrap();
    let err = conditional_put(
        &db,
        item(&[("id", s("a")), ("v", s("second"))]),
        "attribute_not_exists(id)",
    );
    assert_error(
        err,
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    assert_eq!(get(&db, TABLE, id("a")), Some(first));
}

#[test]
fn put_and_delete_item_conditions_on_values_gate_the_write() {
    let (_dir, db) = db_with_table();
    let original = item(&[("id", s("a")), ("v", n("1"))]);
    put(&db, TABLE, original.clone());
    let delete_if = |v: &str| {
        db.delete_item(DeleteItemInput {
            condition_expression: Some("#v = :v".into()),
            expression_attribute_names: names(&[("#v", "v")]),
            expression_attribute_values: values(&[(":v", n(v))]),
            ..delete_input(id("a"))
        })
    };
    assert_error(
        delete_if("2"),
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    assert_eq!(get(&db, TABLE, id("a")), Some(original));
    delete_if("1.0").unwrap();
    assert_eq!(get(&db, TABLE, id("a")), None);
    // On a missing item every attribute is absent.
    assert_error(
        delete_if("1"),
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    let replaced = db.put_item(PutItemInput {
        condition_expression: Some("attribute_exists(id)".into()),
        ..put_input(id("a"))
    });
    assert_error(
        replaced,
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    assert_eq!(describe(&db, TABLE).item_count, 0);
}

#[test]
fn put_item_expression_values_without_a_condition_are_rejected() {
    let (_dir, db) = db_with_table();
    assert_validation(
        db.put_item(PutItemInput {
            expression_attribute_values: values(&[(":v", s("x"))]),
            ..put_input(id("a"))
        }),
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null",
    );
    assert_validation(
        db.put_item(PutItemInput {
            condition_expression: Some("attribute_not_exists(id)".into()),
            expression_attribute_values: values(&[(":v", s("x"))]),
            ..put_input(id("a"))
        }),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}",
    );
    assert_eq!(get(&db, TABLE, id("a")), None);
}

// ---- Table names and missing tables ----

#[test]
fn item_operations_invalid_table_names_list_model_errors() {
    let (_dir, db) = db_with_table();
    let named = |name: &str| PutItemInput {
        table_name: name.to_owned(),
        ..put_input(id("a"))
    };
    assert_validation(
        db.put_item(named("ab")),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    );
    let long = "a".repeat(256);
    assert_validation(
        db.get_item(GetItemInput {
            table_name: long.clone(),
            ..get_input(id("a"))
        }),
        &format!("1 validation error detected: Value '{long}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"),
    );
    assert_validation(
        db.delete_item(DeleteItemInput {
            table_name: "bad table!".into(),
            ..delete_input(id("a"))
        }),
        "1 validation error detected: Value 'bad table!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
    assert_validation_set(
        db.put_item(named("a!")),
        &[
            "Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ],
    );
}

#[test]
fn item_operations_on_a_missing_table_are_resource_not_found() {
    let (_dir, db) = db_with_table();
    assert_not_found(db.put_item(PutItemInput {
        table_name: "Nope".into(),
        ..put_input(id("a"))
    }));
    assert_not_found(db.get_item(GetItemInput {
        table_name: "Nope".into(),
        ..get_input(id("a"))
    }));
    assert_not_found(db.delete_item(DeleteItemInput {
        table_name: "Nope".into(),
        ..delete_input(id("a"))
    }));
}

#[test]
fn item_operations_validate_the_request_before_looking_up_the_table() {
    let (_dir, db) = db_with_table();
    let missing = |it: Item| PutItemInput {
        table_name: "Nope".into(),
        ..put_input(it)
    };
    assert_validation(
        db.put_item(missing(item(&[
            ("id", s("a")),
            ("e", AttributeValue::Ss(vec![])),
        ]))),
        &format!("{INVALID}An string set  may not be empty"),
    );
    assert_validation(
        db.put_item(missing(item(&[
            ("id", s("a")),
            ("p", s(&"x".repeat(409_600))),
        ]))),
        "Item size has exceeded the maximum allowed size",
    );
    assert_validation(
        db.delete_item(DeleteItemInput {
            table_name: "Nope".into(),
            return_values: Some(ReturnValue::AllNew),
            ..delete_input(id("a"))
        }),
        "ReturnValues can only be ALL_OLD or NONE",
    );
    // Key checks need the table's schema, so the missing table wins over them.
    assert_not_found(db.put_item(missing(item(&[("v", s("no key"))]))));
}

#[test]
fn get_item_projection_inside_key_attribute_is_rejected() {
    let (_dir, db) = db_with_table();
    put(&db, TABLE, projection_item());
    for expression in ["id.x", "id[0]", "a, id.x"] {
        assert_validation(
            projected(&db, expression, None),
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: id",
        );
    }
    assert!(projected(&db, "id, a.e", None).is_ok());
}
