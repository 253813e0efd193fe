//! Scan through the public `Database` API: paging returns every item exactly once in hash
//! order, Limit and the 1 MiB page, Select=COUNT, FilterExpression's Count and ScannedCount,
//! ProjectionExpression, parallel scans from 1 to 1,000,000 segments (each item in exactly
//! one segment), and DynamoDB's Segment/TotalSegments and ExclusiveStartKey errors.

mod common_query;

use common_query::*;
use std::collections::{BTreeMap, BTreeSet};
use tessera_engine::api::*;
use tessera_engine::model::{item_size_bytes, AttributeValue, Item, Number, ScalarType};
use tessera_engine::Database;

const TABLE: &str = "Events";

/// A table (pk S, sk N) with `partitions` partitions of `per` items each; attribute `n` is
/// the item's number, `odd` whether it is odd.
fn table(partitions: usize, per: usize) -> (tempfile::TempDir, Database, Vec<Item>) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(
        &db,
        TABLE,
        ("pk", ScalarType::S),
        Some(("sk", ScalarType::N)),
    );
    let mut items = Vec::new();
    for p in 0..partitions {
        for k in 0..per {
            let i = (p * per + k) as i64;
            items.push(item(&[
                ("pk", s(&format!("part-{p}"))),
                ("sk", AttributeValue::N((k as i64).into())),
                ("n", AttributeValue::N(i.into())),
                ("odd", AttributeValue::Bool(i % 2 == 1)),
                (
                    "doc",
                    AttributeValue::M(item(&[("x", s("x")), ("y", AttributeValue::Null)])),
                ),
            ]));
        }
    }
    put_all(&db, TABLE, &items);
    (dir, db, items)
}

fn scan_input() -> ScanInput {
    ScanInput {
        table_name: TABLE.into(),
        ..Default::default()
    }
}

/// An item's key as an ordered value.
type Key = (String, Number);

fn key_of(i: &Item) -> Key {
    match (&i["pk"], &i["sk"]) {
        (AttributeValue::S(p), AttributeValue::N(k)) => (p.clone(), *k),
        other => panic!("not a key of this table: {other:?}"),
    }
}

/// The number attribute `name` of `i`.
fn number(i: &Item, name: &str) -> Number {
    match &i[name] {
        AttributeValue::N(v) => *v,
        other => panic!("{name} is not a number: {other:?}"),
    }
}

fn pk(i: &Item) -> String {
    key_of(i).0
}

/// Asserts `got` holds each of `want` exactly once (in any order).
#[track_caller]
fn assert_same_set(got: &[Item], want: &[Item]) {
    let mut seen = BTreeSet::new();
    for i in got {
        assert!(
            seen.insert(key_of(i)),
            "item returned twice: {:?}",
            key_of(i)
        );
    }
    let want: BTreeSet<Key> = want.iter().map(key_of).collect();
    assert_eq!(seen.len(), got.len());
    assert_eq!(seen, want);
}

#[test]
fn scan_paged_by_any_limit_returns_every_item_once_in_hash_order() {
    let (_dir, db, items) = table(60, 5);
    let full = scan_all(&db, scan_input());
    assert_eq!(full.pages.len(), 1);
    let order = full.items();
    assert_same_set(&order, &items);
    // Items of one partition come together, in sort key order; partitions in hash order.
    let mut partitions: Vec<String> = Vec::new();
    for w in order.windows(2) {
        if w[0]["pk"] == w[1]["pk"] {
            assert!(
                number(&w[0], "n") < number(&w[1], "n"),
                "sort keys out of order"
            );
        }
    }
    for i in &order {
        if partitions.last() != Some(&pk(i)) {
            assert!(!partitions.contains(&pk(i)), "partition split: {}", pk(i));
            partitions.push(pk(i));
        }
    }
    assert_eq!(partitions.len(), 60);
    assert!(
        partitions.windows(2).any(|w| w[0] > w[1]),
        "partitions came back sorted by value, not by hash"
    );
    for limit in [1, 7, 50, 299, 300, 301] {
        let paged = scan_all(
            &db,
            ScanInput {
                limit: Some(limit),
                ..scan_input()
            },
        );
        assert_eq!(paged.items(), order, "limit {limit}");
        for p in &paged.pages {
            let len = p.items.as_ref().unwrap().len() as i64;
            assert!(len <= limit);
            assert_eq!((p.count, p.scanned_count), (len, len));
            if p.last_evaluated_key.is_some() {
                assert_eq!(len, limit, "a page ended early");
                let last = p.items.as_ref().unwrap().last().unwrap();
                let key = item(&[("pk", last["pk"].clone()), ("sk", last["sk"].clone())]);
                assert_eq!(p.last_evaluated_key.as_ref(), Some(&key));
            }
        }
    }
}

#[test]
fn scan_empty_table_returns_no_items() {
    let (_dir, db, _) = table(0, 0);
    let out = db
        .scan(ScanInput {
            limit: Some(1),
            ..scan_input()
        })
        .unwrap();
    assert_eq!(out.items, Some(vec![]));
    assert_eq!((out.count, out.scanned_count), (0, 0));
    assert_eq!(out.last_evaluated_key, None);
}

fn pk_only(i: &Item) -> String {
    match &i["pk"] {
        AttributeValue::S(p) => p.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn scan_one_mib_page_stops_after_crossing_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(&db, TABLE, ("pk", ScalarType::S), None);
    let mut items = Vec::new();
    for i in 0..30 {
        // "pk" + 4 characters + "data" = 10 bytes besides the payload.
        let it = item(&[
            ("pk", s(&format!("{i:04}"))),
            ("data", s(&"x".repeat(100_000 - 10))),
        ]);
        assert_eq!(item_size_bytes(&it), 100_000);
        put(&db, TABLE, it.clone());
        items.push(it);
    }
    let paged = scan_all(&db, scan_input());
    let sizes: Vec<usize> = paged
        .pages
        .iter()
        .map(|p| p.items.as_ref().unwrap().len())
        .collect();
    // 10 items are 1,000,000 bytes; the 11th reaches 1 MiB and ends the page.
    assert_eq!(sizes, vec![11, 11, 8]);
    let got = paged.items();
    let mut seen = BTreeSet::new();
    for i in &got {
        assert!(seen.insert(pk_only(i)), "returned twice");
    }
    assert_eq!(got.len(), 30);
    // Limit ends a page before the size does.
    let out = db
        .scan(ScanInput {
            limit: Some(5),
            ..scan_input()
        })
        .unwrap();
    assert_eq!(out.items.unwrap().len(), 5);
    assert!(out.last_evaluated_key.is_some());
}

#[test]
fn scan_select_count_returns_counts_without_items() {
    let (_dir, db, _) = table(10, 10);
    let out = db
        .scan(ScanInput {
            select: Some(Select::Count),
            ..scan_input()
        })
        .unwrap();
    assert_eq!(out.items, None);
    assert_eq!((out.count, out.scanned_count), (100, 100));
    let paged = scan_all(
        &db,
        ScanInput {
            select: Some(Select::Count),
            limit: Some(30),
            filter_expression: Some("odd = :t".into()),
            expression_attribute_values: values(&[(":t", AttributeValue::Bool(true))]),
            ..scan_input()
        },
    );
    assert!(paged.pages.iter().all(|p| p.items.is_none()));
    assert_eq!((paged.count(), paged.scanned_count()), (50, 100));
}

#[test]
fn scan_filter_counts_matches_among_items_read_under_limit() {
    let (_dir, db, _) = table(20, 5);
    let order = scan_all(&db, scan_input()).items();
    let filtered = scan_all(
        &db,
        ScanInput {
            limit: Some(7),
            filter_expression: Some("odd = :t AND n < :max".into()),
            expression_attribute_values: values(&[
                (":t", AttributeValue::Bool(true)),
                (":max", n("60")),
            ]),
            ..scan_input()
        },
    );
    let keep = |i: &Item| i["odd"] == AttributeValue::Bool(true) && number(i, "n") < num("60");
    assert_eq!(filtered.pages.len(), 15);
    for (page, read) in filtered.pages.iter().zip(order.chunks(7)) {
        let want: Vec<Item> = read.iter().filter(|i| keep(i)).cloned().collect();
        assert_eq!(page.scanned_count, read.len() as i64);
        assert_eq!(page.count, want.len() as i64);
        assert_eq!(page.items.as_ref(), Some(&want));
    }
    assert_eq!(filtered.count(), 30);
    assert_eq!(filtered.scanned_count(), 100);
}

#[test]
fn scan_filter_on_key_attribute_is_allowed() {
    let (_dir, db, _) = table(10, 3);
    let paged = scan_all(
        &db,
        ScanInput {
            filter_expression: Some("pk = :p AND sk >= :one".into()),
            expression_attribute_values: values(&[(":p", s("part-4")), (":one", n("1"))]),
            ..scan_input()
        },
    );
    let sks: Vec<AttributeValue> = paged.items().iter().map(|i| i["sk"].clone()).collect();
    assert_eq!(sks, vec![n("1"), n("2")]);
    assert_eq!(paged.scanned_count(), 30);
}

#[test]
fn scan_projection_expression_returns_only_projected_attributes() {
    let (_dir, db, items) = table(4, 2);
    for select in [None, Some(Select::SpecificAttributes)] {
        let got = scan_all(
            &db,
            ScanInput {
                select,
                projection_expression: Some("#n, doc.y, absent".into()),
                expression_attribute_names: names(&[("#n", "n")]),
                ..scan_input()
            },
        )
        .items();
        for i in &got {
            let want = item(&[
                ("n", i["n"].clone()),
                (
                    "doc",
                    AttributeValue::M(item(&[("y", AttributeValue::Null)])),
                ),
            ]);
            assert_eq!(i, &want);
        }
        let mut want_n: Vec<Number> = items.iter().map(|i| number(i, "n")).collect();
        let mut have_n: Vec<Number> = got.iter().map(|i| number(i, "n")).collect();
        want_n.sort();
        have_n.sort();
        assert_eq!(have_n, want_n);
    }
}

#[test]
fn scan_select_conflicting_with_projection_is_rejected_with_bare_message() {
    let (_dir, db, _) = table(1, 1);
    let with = |select: Select, projection: Option<&str>| {
        db.scan(ScanInput {
            select: Some(select),
            projection_expression: projection.map(str::to_owned),
            ..scan_input()
        })
    };
    assert_validation(
        with(Select::AllAttributes, Some("n")),
        "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
    );
    assert_validation(
        with(Select::Count, Some("n")),
        "Cannot specify the ProjectionExpression when choosing to get only the Count",
    );
    assert_validation(
        with(Select::SpecificAttributes, None),
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
    );
    assert_validation(
        with(Select::AllProjectedAttributes, None),
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
    );
}

#[test]
fn scan_limit_below_one_is_rejected() {
    let (_dir, db, _) = table(1, 1);
    assert_validation(
        db.scan(ScanInput {
            limit: Some(0),
            ..scan_input()
        }),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
}

#[test]
fn scan_missing_table_is_resource_not_found() {
    let (_dir, db, _) = table(1, 1);
    let err = db
        .scan(ScanInput {
            table_name: "Nothing".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_type(), "ResourceNotFoundException");
    assert_eq!(err.message(), "Requested resource not found");
}

/// Every item of one segment, paged by `limit`; each page's LastEvaluatedKey stays in it.
fn segment_items(db: &Database, segment: i64, total: i64, limit: i64) -> Vec<Item> {
    scan_all(
        db,
        ScanInput {
            segment: Some(segment),
            total_segments: Some(total),
            limit: Some(limit),
            ..scan_input()
        },
    )
    .items()
}

#[test]
fn scan_parallel_segments_cover_the_table_exactly_once() {
    let (_dir, db, items) = table(100, 3);
    let order = scan_all(&db, scan_input()).items();
    for total in [1i64, 2, 3, 4, 7, 16, 1000] {
        let mut all = Vec::new();
        let mut owner: BTreeMap<Key, i64> = BTreeMap::new();
        for segment in 0..total {
            for i in segment_items(&db, segment, total, 4) {
                if let Some(other) = owner.insert(key_of(&i), segment) {
                    panic!(
                        "total {total}: {:?} in segments {other} and {segment}",
                        key_of(&i)
                    );
                }
                all.push(i);
            }
        }
        assert_same_set(&all, &items);
        // Segments are consecutive slices of the table's hash order.
        assert_eq!(all, order, "total {total}");
    }
}

#[test]
fn scan_one_million_segments_place_each_item_in_exactly_one() {
    // Segment t of n is the hash range [t * 2^64 / n, (t + 1) * 2^64 / n), so segment t of n
    // is exactly segments 10t..10t+9 of 10n. Descending from 10 segments to 1,000,000 and
    // scanning only the children of non-empty segments finds every item's segment.
    let (_dir, db, items) = table(150, 1);
    let mut level: Vec<(i64, Vec<Item>)> = vec![(0, scan_all(&db, scan_input()).items())];
    let mut total = 1i64;
    while total < 1_000_000 {
        total *= 10;
        let mut next = Vec::new();
        for (parent, parent_items) in &level {
            let mut children = Vec::new();
            for child in parent * 10..parent * 10 + 10 {
                let got = segment_items(&db, child, total, 2);
                children.extend(got.iter().cloned());
                if !got.is_empty() {
                    next.push((child, got));
                }
            }
            assert_eq!(
                &children,
                parent_items,
                "segment {parent} of {}",
                total / 10
            );
        }
        level = next;
    }
    let mut all = Vec::new();
    for (_, got) in &level {
        all.extend(got.iter().cloned());
    }
    assert_same_set(&all, &items);
    // Neighbouring segments of a random sample are disjoint, the last one included.
    let mut rng = Rng(seed_from_env("TESSERA_SCAN_SEED"));
    let mut samples: Vec<i64> = (0..200).map(|_| rng.below(999_999) as i64).collect();
    samples.push(999_998);
    for s in samples {
        let a: BTreeSet<Key> = segment_items(&db, s, 1_000_000, 2)
            .iter()
            .map(key_of)
            .collect();
        let b: BTreeSet<Key> = segment_items(&db, s + 1, 1_000_000, 2)
            .iter()
            .map(key_of)
            .collect();
        assert!(a.is_disjoint(&b), "segments {s} and {} overlap", s + 1);
    }
}

#[test]
fn scan_segment_parameters_out_of_range_are_rejected() {
    let (_dir, db, _) = table(1, 1);
    let run = |segment: Option<i64>, total: Option<i64>| {
        db.scan(ScanInput {
            segment,
            total_segments: total,
            ..scan_input()
        })
    };
    assert_validation(
        run(Some(0), None),
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    );
    assert_validation(
        run(None, Some(2)),
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
    );
    assert_validation(
        run(Some(3), Some(3)),
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3",
    );
    assert_validation(
        run(Some(0), Some(0)),
        "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    assert_validation(
        run(Some(0), Some(1_000_001)),
        "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000",
    );
    assert_validation(
        run(Some(-1), Some(2)),
        "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    assert_validation(
        run(Some(1_000_000), Some(1_000_000)),
        "1 validation error detected: Value '1000000' at 'segment' failed to satisfy constraint: Member must have value less than or equal to 999999",
    );
    let err = run(Some(-1), Some(0)).unwrap_err().message();
    assert!(err.starts_with("2 validation errors detected: "), "{err}");
    assert_eq!(run(Some(999_999), Some(1_000_000)).unwrap().count, 0);
    assert_eq!(run(Some(0), Some(1)).unwrap().count, 1);
}

#[test]
fn scan_exclusive_start_key_from_another_segment_is_rejected() {
    let (_dir, db, _) = table(50, 2);
    let total = 4;
    let first = |segment: i64| {
        db.scan(ScanInput {
            segment: Some(segment),
            total_segments: Some(total),
            limit: Some(1),
            ..scan_input()
        })
        .unwrap()
        .last_evaluated_key
        .expect("every segment of 4 holds some of 100 items")
    };
    for (from, to) in [(0, 1), (1, 0), (3, 2), (2, 3)] {
        let esk = first(from);
        let result = db.scan(ScanInput {
            segment: Some(to),
            total_segments: Some(total),
            exclusive_start_key: Some(esk.clone()),
            ..scan_input()
        });
        assert_validation(
            result,
            &format!("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: {total} Segment: {to}"),
        );
        // The same key continues its own segment and a whole-table scan.
        let own = db.scan(ScanInput {
            segment: Some(from),
            total_segments: Some(total),
            exclusive_start_key: Some(esk.clone()),
            ..scan_input()
        });
        assert!(own.is_ok());
        let whole = db.scan(ScanInput {
            exclusive_start_key: Some(esk),
            ..scan_input()
        });
        assert!(whole.is_ok());
    }
}

#[test]
fn scan_exclusive_start_key_of_wrong_shape_is_rejected() {
    let (_dir, db, _) = table(2, 2);
    let bad_keys = [
        item(&[("pk", s("part-0"))]),
        item(&[("pk", s("part-0")), ("sk", s("0"))]),
        item(&[("pk", s("part-0")), ("sk", n("0")), ("n", n("0"))]),
        item(&[("pk", n("0")), ("sk", n("0"))]),
        item(&[("pk", s("")), ("sk", n("0"))]),
        Item::new(),
    ];
    for esk in bad_keys {
        let result = db.scan(ScanInput {
            exclusive_start_key: Some(esk),
            ..scan_input()
        });
        assert_validation_starts(result, "The provided starting key is invalid");
    }
    assert_validation(
        db.scan(ScanInput {
            exclusive_start_key: Some(item(&[("pk", s("part-0"))])),
            ..scan_input()
        }),
        "The provided starting key is invalid: The provided key element does not match the schema",
    );
}
