//! BatchWriteItem and BatchGetItem through the public `Database` API: writes and reads
//! across tables, the 25-request and 100-key limits, duplicate keys, unknown tables and bad
//! keys rejecting the whole batch (nothing written), projections per table, and the 16 MB
//! response limit handing back UnprocessedKeys until every item has been read once.

mod common_items;

use common_items::*;
use std::collections::{BTreeMap, BTreeSet};
use tessera_engine::api::*;
use tessera_engine::model::{item_size_bytes, AttributeValue, Item, ScalarType};
use tessera_engine::Database;

/// A database with `Accounts` (keyed by the string `id`) and `Events` (keyed by the string
/// `pk` and the number `sk`).
fn db_with_tables() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Accounts");
    db.create_table(composite_table(
        "Events",
        ("pk", ScalarType::S),
        ("sk", ScalarType::N),
    ))
    .unwrap();
    (dir, db)
}

fn id(v: &str) -> Item {
    item(&[("id", s(v))])
}

fn event(pk: &str, sk: &str) -> Item {
    item(&[("pk", s(pk)), ("sk", n(sk))])
}

fn put_req(it: Item) -> WriteRequest {
    WriteRequest::PutRequest { item: it }
}

fn delete_req(key: Item) -> WriteRequest {
    WriteRequest::DeleteRequest { key }
}

fn write(db: &Database, tables: Vec<(&str, Vec<WriteRequest>)>) -> ApiResult<BatchWriteItemOutput> {
    db.batch_write_item(BatchWriteItemInput {
        request_items: tables
            .into_iter()
            .map(|(name, writes)| (name.to_owned(), writes))
            .collect(),
        ..Default::default()
    })
}

fn keys_of(keys: Vec<Item>) -> KeysAndAttributes {
    KeysAndAttributes {
        keys,
        ..Default::default()
    }
}

fn read(db: &Database, tables: Vec<(&str, KeysAndAttributes)>) -> ApiResult<BatchGetItemOutput> {
    db.batch_get_item(BatchGetItemInput {
        request_items: tables
            .into_iter()
            .map(|(name, request)| (name.to_owned(), request))
            .collect(),
        ..Default::default()
    })
}

fn count(db: &Database, table: &str) -> i64 {
    describe(db, table).item_count
}

/// Items sorted by their `Debug` text, to compare unordered responses.
fn sorted(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_key(|it| format!("{it:?}"));
    items
}

// ---- BatchWriteItem ----

#[test]
fn batch_write_item_puts_and_deletes_across_tables_are_all_applied() {
    let (_dir, db) = db_with_tables();
    put(&db, "Accounts", id("old"));
    put(&db, "Events", event("e", "2"));
    let a = item(&[("id", s("a")), ("v", n("1"))]);
    let b = item(&[
        ("id", s("b")),
        ("tags", AttributeValue::Ss(vec!["y".into(), "x".into()])),
    ]);
    let e1 = item(&[("pk", s("e")), ("sk", n("1")), ("v", s("one"))]);
    let out = write(
        &db,
        vec![
            (
                "Accounts",
                vec![put_req(a.clone()), put_req(b), delete_req(id("old"))],
            ),
            (
                "Events",
                vec![put_req(e1.clone()), delete_req(event("e", "2.0"))],
            ),
        ],
    )
    .unwrap();
    assert!(out.unprocessed_items.is_empty());
    assert_eq!(get(&db, "Accounts", id("a")), Some(a));
    assert_eq!(
        get(&db, "Accounts", id("b")).unwrap()["tags"],
        AttributeValue::Ss(vec!["x".into(), "y".into()])
    );
    assert_eq!(get(&db, "Accounts", id("old")), None);
    assert_eq!(get(&db, "Events", event("e", "1")), Some(e1));
    assert_eq!(get(&db, "Events", event("e", "2")), None);
    assert_eq!((count(&db, "Accounts"), count(&db, "Events")), (2, 1));
}

#[test]
fn batch_write_item_25_requests_are_accepted_and_26_rejected() {
    let (_dir, db) = db_with_tables();
    let accounts = |range: std::ops::Range<usize>| {
        range
            .map(|i| put_req(id(&format!("a{i:02}"))))
            .collect::<Vec<_>>()
    };
    let events = |range: std::ops::Range<usize>| {
        range
            .map(|i| put_req(event("p", &i.to_string())))
            .collect::<Vec<_>>()
    };
    assert_validation(
        write(
            &db,
            vec![("Accounts", accounts(0..13)), ("Events", events(0..13))],
        ),
        "Too many items requested for the BatchWriteItem call",
    );
    let err = write(&db, vec![("Accounts", accounts(0..26))]).unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    // AWS echoes the request in the value, differently per region; pin the rest.
    let m = err.message();
    assert!(
        m.starts_with("1 validation error detected: Value '{Accounts="),
        "{m}"
    );
    assert!(m.ends_with("}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"), "{m}");
    assert_eq!((count(&db, "Accounts"), count(&db, "Events")), (0, 0));
    write(
        &db,
        vec![("Accounts", accounts(0..13)), ("Events", events(0..12))],
    )
    .unwrap();
    assert_eq!((count(&db, "Accounts"), count(&db, "Events")), (13, 12));
}

#[test]
fn batch_write_item_duplicate_keys_in_one_table_are_rejected() {
    let (_dir, db) = db_with_tables();
    let dup = "Provided list of item keys contains duplicates";
    let cases = vec![
        vec![put_req(event("p", "1")), put_req(event("p", "1"))],
        vec![put_req(event("p", "1")), delete_req(event("p", "1"))],
        vec![delete_req(event("p", "1")), put_req(event("p", "1"))],
        vec![delete_req(event("p", "1")), delete_req(event("p", "1"))],
        // Numbers are compared by value.
        vec![put_req(event("p", "1")), put_req(event("p", "1.00"))],
    ];
    for writes in cases {
        let mut all = vec![put_req(event("other", "9"))];
        all.extend(writes);
        assert_validation(write(&db, vec![("Events", all)]), dup);
    }
    assert_eq!(count(&db, "Events"), 0);
    // The same key in two tables is no duplicate.
    write(
        &db,
        vec![
            (
                "Accounts",
                vec![put_req(item(&[("id", s("k")), ("pk", s("p"))]))],
            ),
            (
                "Events",
                vec![put_req(item(&[
                    ("pk", s("p")),
                    ("sk", n("1")),
                    ("id", s("k")),
                ]))],
            ),
        ],
    )
    .unwrap();
}

#[test]
fn batch_write_item_unknown_table_rejects_the_batch_and_writes_nothing() {
    let (_dir, db) = db_with_tables();
    // "Accounts" sorts before "Missing": it would be written first if the batch were not
    // validated as a whole.
    let out = write(
        &db,
        vec![
            ("Accounts", vec![put_req(id("a"))]),
            ("Missing", vec![put_req(id("a"))]),
        ],
    );
    assert_not_found(out);
    assert_eq!(get(&db, "Accounts", id("a")), None);
}

#[test]
fn batch_write_item_key_not_matching_the_schema_rejects_the_batch() {
    let (_dir, db) = db_with_tables();
    let mismatch = "The provided key element does not match the schema";
    let bad = vec![
        put_req(item(&[("other", s("x"))])),
        put_req(item(&[("id", n("5"))])),
        put_req(item(&[("id", AttributeValue::L(vec![s("x")]))])),
        delete_req(item(&[("other", s("x"))])),
        delete_req(item(&[("id", s("a")), ("extra", s("x"))])),
        delete_req(item(&[("id", b(b"a"))])),
    ];
    for request in bad {
        let out = write(
            &db,
            vec![
                ("Accounts", vec![put_req(id("good")), request]),
                ("Events", vec![put_req(event("p", "1"))]),
            ],
        );
        assert_validation(out, mismatch);
    }
    let composite = write(
        &db,
        vec![("Events", vec![put_req(item(&[("pk", s("p"))]))])],
    );
    assert_validation(composite, mismatch);
    assert_eq!((count(&db, "Accounts"), count(&db, "Events")), (0, 0));
}

#[test]
fn batch_write_item_empty_key_values_are_rejected() {
    let (_dir, db) = db_with_tables();
    let empty = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id";
    assert_validation(write(&db, vec![("Accounts", vec![put_req(id(""))])]), empty);
    assert_validation(
        write(&db, vec![("Accounts", vec![delete_req(id(""))])]),
        empty,
    );
}

#[test]
fn batch_write_item_oversized_or_invalid_items_reject_the_batch() {
    let (_dir, db) = db_with_tables();
    // 2 + 1 + 1 + 409596 = 409600 bytes fits; one more byte does not.
    let sized = |name: &str, len: usize| item(&[("id", s(name)), ("p", s(&"x".repeat(len)))]);
    assert_validation(
        write(
            &db,
            vec![(
                "Accounts",
                vec![put_req(id("small")), put_req(sized("b", 409_597))],
            )],
        ),
        "Item size has exceeded the maximum allowed size",
    );
    assert_validation(
        write(
            &db,
            vec![(
                "Accounts",
                vec![put_req(item(&[
                    ("id", s("x")),
                    ("e", AttributeValue::Ns(vec![])),
                ]))],
            )],
        ),
        &format!("{INVALID}An number set  may not be empty"),
    );
    assert_eq!(count(&db, "Accounts"), 0);
    write(&db, vec![("Accounts", vec![put_req(sized("a", 409_596))])]).unwrap();
    assert_eq!(describe(&db, "Accounts").table_size_bytes, 409_600);
}

#[test]
fn batch_write_item_malformed_requests_are_rejected() {
    let (_dir, db) = db_with_tables();
    assert_validation(
        write(&db, vec![]),
        "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    assert_validation(
        write(&db, vec![("Accounts", vec![])]),
        "1 validation error detected: Value '{Accounts=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
    );
    let err = write(&db, vec![("bad!name", vec![put_req(id("a"))])]).unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    let m = err.message();
    assert!(
        m.starts_with("1 validation error detected: Value '{bad!name="),
        "{m}"
    );
    assert!(m.ends_with("' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"), "{m}");
}

// ---- BatchGetItem ----

#[test]
fn batch_get_item_reads_keys_across_tables_and_omits_missing_ones() {
    let (_dir, db) = db_with_tables();
    let a = item(&[("id", s("a")), ("v", n("1"))]);
    let b = item(&[("id", s("b")), ("v", n("2"))]);
    let e = item(&[("pk", s("p")), ("sk", n("1")), ("v", s("e"))]);
    put(&db, "Accounts", a.clone());
    put(&db, "Accounts", b.clone());
    put(&db, "Events", e.clone());
    let out = read(
        &db,
        vec![
            ("Accounts", keys_of(vec![id("b"), id("missing"), id("a")])),
            (
                "Events",
                KeysAndAttributes {
                    consistent_read: Some(true),
                    ..keys_of(vec![event("p", "1.0"), event("p", "2")])
                },
            ),
        ],
    )
    .unwrap();
    assert!(out.unprocessed_keys.is_empty());
    assert_eq!(out.responses.len(), 2);
    assert_eq!(
        sorted(out.responses["Accounts"].clone()),
        sorted(vec![a, b])
    );
    assert_eq!(out.responses["Events"], vec![e]);
}

#[test]
fn batch_get_item_applies_each_table_projection() {
    let (_dir, db) = db_with_tables();
    put(
        &db,
        "Accounts",
        item(&[("id", s("a")), ("v", n("1")), ("w", n("2"))]),
    );
    put(
        &db,
        "Events",
        item(&[
            ("pk", s("p")),
            ("sk", n("1")),
            ("name", s("n")),
            ("x", s("x")),
        ]),
    );
    let out = read(
        &db,
        vec![
            (
                "Accounts",
                KeysAndAttributes {
                    projection_expression: Some("v".into()),
                    ..keys_of(vec![id("a")])
                },
            ),
            (
                "Events",
                KeysAndAttributes {
                    projection_expression: Some("#n, sk".into()),
                    expression_attribute_names: Some([("#n".to_owned(), "name".to_owned())].into()),
                    ..keys_of(vec![event("p", "1")])
                },
            ),
        ],
    )
    .unwrap();
    assert_eq!(out.responses["Accounts"], vec![item(&[("v", n("1"))])]);
    assert_eq!(
        out.responses["Events"],
        vec![item(&[("name", s("n")), ("sk", n("1"))])]
    );
    let bad = read(
        &db,
        vec![(
            "Accounts",
            KeysAndAttributes {
                projection_expression: Some("v, v".into()),
                ..keys_of(vec![id("a")])
            },
        )],
    );
    assert_validation(bad, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [v], path two: [v]");
}

#[test]
fn batch_get_item_100_keys_are_accepted_and_101_rejected() {
    let (_dir, db) = db_with_tables();
    let accounts = |n: usize| keys_of((0..n).map(|i| id(&format!("a{i:03}"))).collect());
    let events = |n: usize| keys_of((0..n).map(|i| event("p", &i.to_string())).collect());
    put(&db, "Accounts", id("a007"));
    let out = read(
        &db,
        vec![("Accounts", accounts(50)), ("Events", events(50))],
    )
    .unwrap();
    assert_eq!(out.responses["Accounts"], vec![id("a007")]);
    assert!(out.responses["Events"].is_empty());
    assert_validation(
        read(
            &db,
            vec![("Accounts", accounts(51)), ("Events", events(50))],
        ),
        "Too many items requested for the BatchGetItem call",
    );
    let err = read(&db, vec![("Accounts", accounts(101))]).unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    let m = err.message();
    assert!(m.starts_with("1 validation error detected: Value "), "{m}");
    assert!(m.ends_with(" at 'requestItems.Accounts.member.keys' failed to satisfy constraint: Member must have length less than or equal to 100"), "{m}");
}

#[test]
fn batch_get_item_duplicate_keys_are_rejected_even_for_a_missing_table() {
    let (_dir, db) = db_with_tables();
    let dup = "Provided list of item keys contains duplicates";
    assert_validation(
        read(
            &db,
            vec![("Accounts", keys_of(vec![id("a"), id("b"), id("a")]))],
        ),
        dup,
    );
    assert_validation(
        read(
            &db,
            vec![("Events", keys_of(vec![event("p", "1"), event("p", "1.0")]))],
        ),
        dup,
    );
    // Duplicates are a malformed request: reported before the table is looked up.
    assert_validation(
        read(&db, vec![("Missing", keys_of(vec![id("a"), id("a")]))]),
        dup,
    );
    // Keys are compared within a table only.
    read(
        &db,
        vec![
            ("Accounts", keys_of(vec![id("a")])),
            ("Events", keys_of(vec![event("a", "1")])),
        ],
    )
    .unwrap();
}

#[test]
fn batch_get_item_unknown_table_or_bad_key_fails_the_request() {
    let (_dir, db) = db_with_tables();
    put(&db, "Accounts", id("a"));
    assert_not_found(read(
        &db,
        vec![
            ("Accounts", keys_of(vec![id("a")])),
            ("Missing", keys_of(vec![id("a")])),
        ],
    ));
    let mismatch = "The provided key element does not match the schema";
    assert_validation(
        read(
            &db,
            vec![("Accounts", keys_of(vec![id("a"), item(&[("id", n("1"))])]))],
        ),
        mismatch,
    );
    assert_validation(
        read(
            &db,
            vec![("Events", keys_of(vec![item(&[("pk", s("p"))])]))],
        ),
        mismatch,
    );
    assert_validation(
        read(&db, vec![("Accounts", keys_of(vec![id("")]))]),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id",
    );
}

#[test]
fn batch_get_item_malformed_requests_are_rejected() {
    let (_dir, db) = db_with_tables();
    assert_validation(
        read(&db, vec![]),
        "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    let err = read(&db, vec![("Accounts", keys_of(vec![]))]).unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    let m = err.message();
    assert!(m.ends_with(" at 'requestItems.Accounts.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1"), "{m}");
    let err = read(&db, vec![("ab", keys_of(vec![id("a")]))]).unwrap_err();
    let m = err.message();
    assert!(m.ends_with("' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"), "{m}");
}

#[test]
fn batch_get_item_response_over_16_mb_returns_unprocessed_keys_until_all_are_read() {
    let (_dir, db) = db_with_tables();
    const ITEMS: usize = 50;
    const ITEM_BYTES: usize = 390 * 1024;
    const RESPONSE_BYTES_MAX: usize = 16 * 1024 * 1024;
    for i in 0..ITEMS {
        let name = format!("big{i:02}");
        // "id" + 5 bytes of name + "p" + the payload = ITEM_BYTES.
        let payload = "z".repeat(ITEM_BYTES - 2 - 5 - 1);
        let it = item(&[("id", s(&name)), ("p", s(&payload))]);
        assert_eq!(item_size_bytes(&it), ITEM_BYTES);
        put(&db, "Accounts", it);
    }
    let all_keys: Vec<Item> = (0..ITEMS).map(|i| id(&format!("big{i:02}"))).collect();
    let mut request: BTreeMap<String, KeysAndAttributes> =
        [("Accounts".to_owned(), keys_of(all_keys))].into();
    let mut seen = Vec::new();
    let mut calls = 0;
    while !request.is_empty() {
        calls += 1;
        assert!(calls <= 3, "{calls} calls and still unprocessed keys");
        let out = db
            .batch_get_item(BatchGetItemInput {
                request_items: request,
                ..Default::default()
            })
            .unwrap();
        let items = out.responses.get("Accounts").cloned().unwrap_or_default();
        let bytes: usize = items.iter().map(item_size_bytes).sum();
        assert!(bytes <= RESPONSE_BYTES_MAX, "{bytes} bytes in one response");
        if calls == 1 {
            assert!(items.len() < ITEMS && !out.unprocessed_keys.is_empty());
            let unprocessed = out.unprocessed_keys["Accounts"].keys.len();
            assert_eq!(items.len() + unprocessed, ITEMS);
        }
        seen.extend(items.iter().map(|it| it["id"].clone()));
        request = out.unprocessed_keys;
    }
    assert_eq!(calls, 2);
    assert_eq!(seen.len(), ITEMS, "an item came back twice or not at all");
    let distinct: BTreeSet<String> = seen
        .iter()
        .map(|v| match v {
            AttributeValue::S(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(distinct.len(), ITEMS);
}
