//! Query through the public `Database` API: every sort key operator (including the flipped
//! `:v < sk` forms) on S, N and B sort keys in both directions, DynamoDB's sort orders
//! (numbers numerically over the whole range, strings by UTF-8 bytes, binaries as unsigned
//! bytes), Select and ProjectionExpression, FilterExpression after Limit, the 1 MiB page,
//! ExclusiveStartKey checks and DynamoDB's error messages. The paging model test is in
//! `table_query_model.rs`.

mod common_query;

use common_query::*;
use tessera_engine::api::*;
use tessera_engine::model::{item_size_bytes, AttributeValue, Item, Number, ScalarType};
use tessera_engine::Database;

const TABLE: &str = "Songs";

/// A `:name` placeholder and its value.
type Placeholder<'a> = (&'a str, AttributeValue);

/// Number sort keys in ascending numeric order: the extremes of DynamoDB's range, negatives,
/// decimals and 38-digit integers.
const N_KEYS: &[&str] = &[
    "-9.9999999999999999999999999999999999999E+125",
    "-1E+10",
    "-100",
    "-10",
    "-1.5",
    "-1",
    "-0.5",
    "-1E-130",
    "0",
    "1E-130",
    "2E-130",
    "0.001",
    "0.5",
    "1",
    "1.5",
    "2",
    "10",
    "100",
    "12345678901234567890123456789012345678",
    "1E+100",
    "9.9999999999999999999999999999999999999E+125",
];

/// String sort keys in ascending UTF-8 byte order ("a" > "A", "¿" > "z"; "😀" > "｡" although
/// UTF-16 would order them the other way).
const S_KEYS: &[&str] = &[
    "A", "Z", "a", "aa", "ab", "abc", "b", "z", "~", "¿", "é", "中", "｡", "😀",
];

/// Binary sort keys in ascending unsigned byte order.
const B_KEYS: &[&[u8]] = &[
    &[0x00],
    &[0x00, 0x00],
    &[0x00, 0x01],
    &[0x01],
    &[0x7F],
    &[0x7F, 0xFF],
    &[0x80],
    &[0x80, 0x00],
    &[0x80, 0x01],
    &[0xFE],
    &[0xFF],
    &[0xFF, 0xFF],
];

fn n_keys() -> Vec<AttributeValue> {
    N_KEYS.iter().map(|v| n(v)).collect()
}

fn s_keys() -> Vec<AttributeValue> {
    S_KEYS.iter().map(|v| s(v)).collect()
}

fn b_keys() -> Vec<AttributeValue> {
    B_KEYS.iter().map(|v| b(v)).collect()
}

/// A database with table `Songs` (pk S, sk of `scalar`) holding `keys` in partition "p" (put
/// in reverse order) and the same keys in neighbouring partitions "o" and "q".
fn table_with(scalar: ScalarType, keys: &[AttributeValue]) -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(&db, TABLE, ("pk", ScalarType::S), Some(("sk", scalar)));
    let mut items = Vec::new();
    for (i, k) in keys.iter().enumerate().rev() {
        for p in ["o", "p", "q"] {
            let rank = AttributeValue::N(Number::from(i as i64));
            items.push(item(&[("pk", s(p)), ("sk", k.clone()), ("rank", rank)]));
        }
    }
    put_all(&db, TABLE, &items);
    (dir, db)
}

fn key_query(expr: &str, vals: &[(&str, AttributeValue)]) -> QueryInput {
    let mut all = vec![(":p", s("p"))];
    all.extend(vals.iter().cloned());
    QueryInput {
        table_name: TABLE.into(),
        key_condition_expression: Some(expr.into()),
        expression_attribute_values: values(&all),
        ..Default::default()
    }
}

fn sort_keys_of(items: &[Item]) -> Vec<AttributeValue> {
    items.iter().map(|i| i["sk"].clone()).collect()
}

/// Runs `input` forwards and backwards, unpaged and paged by 3, and checks each returns
/// `expected` (ascending) in the right order, from partition "p" only.
#[track_caller]
fn check_both_directions(db: &Database, input: &QueryInput, expected: &[AttributeValue]) {
    for forward in [true, false] {
        for limit in [None, Some(3)] {
            let paged = query_all(
                db,
                QueryInput {
                    scan_index_forward: Some(forward),
                    limit,
                    ..input.clone()
                },
            );
            let items = paged.items();
            assert!(items.iter().all(|i| i["pk"] == s("p")), "{input:?}");
            let mut want = expected.to_vec();
            if !forward {
                want.reverse();
            }
            let ctx = format!("{:?} forward={forward} limit={limit:?}", input);
            assert_eq!(sort_keys_of(&items), want, "{ctx}");
            assert_eq!(paged.count(), expected.len() as i64, "{ctx}");
            assert_eq!(paged.scanned_count(), expected.len() as i64, "{ctx}");
        }
    }
}

/// Every comparison operator, in both operand orders, with every stored key as the value,
/// plus BETWEEN over every pair; `keys` are distinct and ascending.
fn check_every_operator(db: &Database, keys: &[AttributeValue]) {
    let whole = QueryInput {
        table_name: TABLE.into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: values(&[(":p", s("p"))]),
        ..Default::default()
    };
    check_both_directions(db, &whole, keys);
    for (i, v) in keys.iter().enumerate() {
        let cases: [(&str, &[AttributeValue]); 10] = [
            ("pk = :p AND sk = :v", &keys[i..=i]),
            ("pk = :p AND sk < :v", &keys[..i]),
            ("pk = :p AND sk <= :v", &keys[..=i]),
            ("pk = :p AND sk > :v", &keys[i + 1..]),
            ("pk = :p AND sk >= :v", &keys[i..]),
            (":p = pk AND :v = sk", &keys[i..=i]),
            ("pk = :p AND :v > sk", &keys[..i]),
            ("pk = :p AND :v >= sk", &keys[..=i]),
            ("sk > :v AND pk = :p", &keys[i + 1..]),
            (":v <= sk AND :p = pk", &keys[i..]),
        ];
        for (expr, expected) in cases {
            check_both_directions(db, &key_query(expr, &[(":v", v.clone())]), expected);
        }
        for (j, w) in keys.iter().enumerate().skip(i) {
            let input = key_query(
                "pk = :p AND sk BETWEEN :v AND :w",
                &[(":v", v.clone()), (":w", w.clone())],
            );
            check_both_directions(db, &input, &keys[i..=j]);
        }
    }
}

#[test]
fn query_number_sort_keys_every_operator_orders_numerically() {
    let keys = n_keys();
    assert!(keys.windows(2).all(|w| match (&w[0], &w[1]) {
        (AttributeValue::N(a), AttributeValue::N(b)) => a < b,
        _ => false,
    }));
    let (_dir, db) = table_with(ScalarType::N, &keys);
    check_every_operator(&db, &keys);
    // Values between stored keys.
    let q = |expr: &str, v: &str| key_query(expr, &[(":v", n(v))]);
    check_both_directions(&db, &q("pk = :p AND sk < :v", "0"), &keys[..8]);
    check_both_directions(&db, &q("pk = :p AND sk > :v", "0.75"), &keys[13..]);
    check_both_directions(&db, &q("pk = :p AND sk = :v", "0.75"), &[]);
    check_both_directions(&db, &q("pk = :p AND sk <= :v", "-1E+125"), &keys[..1]);
    check_both_directions(&db, &q("pk = :p AND :v < sk", "1E+125"), &keys[20..]);
}

#[test]
fn query_string_sort_keys_every_operator_orders_by_utf8_bytes() {
    let keys = s_keys();
    let (_dir, db) = table_with(ScalarType::S, &keys);
    check_every_operator(&db, &keys);
    let q = |expr: &str, v: &str| key_query(expr, &[(":v", s(v))]);
    check_both_directions(&db, &q("pk = :p AND sk > :v", "a"), &keys[3..]);
    check_both_directions(&db, &q("pk = :p AND sk < :v", "a"), &[s("A"), s("Z")]);
    check_both_directions(&db, &q("pk = :p AND sk > :v", "z"), &keys[8..]);
    check_both_directions(&db, &q("pk = :p AND sk BETWEEN :v AND :v", "ac"), &[]);
    let between = key_query(
        "pk = :p AND sk BETWEEN :v AND :w",
        &[(":v", s("aa0")), (":w", s("b0"))],
    );
    check_both_directions(&db, &between, &[s("ab"), s("abc"), s("b")]);
}

#[test]
fn query_binary_sort_keys_every_operator_orders_as_unsigned_bytes() {
    let keys = b_keys();
    let (_dir, db) = table_with(ScalarType::B, &keys);
    check_every_operator(&db, &keys);
    let q = |expr: &str, v: &[u8]| key_query(expr, &[(":v", b(v))]);
    check_both_directions(&db, &q("pk = :p AND sk >= :v", &[0x80]), &keys[6..]);
    check_both_directions(
        &db,
        &q("pk = :p AND sk < :v", &[0x00, 0x00, 0x00]),
        &keys[..2],
    );
}

#[test]
fn query_begins_with_string_and_binary_prefixes_selects_prefixed_keys() {
    let (_dir, db) = table_with(ScalarType::S, &s_keys());
    let q = |v: &str| key_query("pk = :p AND begins_with(sk, :v)", &[(":v", s(v))]);
    let want = |l: &[&str]| l.iter().map(|v| s(v)).collect::<Vec<_>>();
    check_both_directions(&db, &q("a"), &want(&["a", "aa", "ab", "abc"]));
    check_both_directions(&db, &q("ab"), &want(&["ab", "abc"]));
    check_both_directions(&db, &q("A"), &want(&["A"]));
    check_both_directions(&db, &q("😀"), &want(&["😀"]));
    check_both_directions(&db, &q("x"), &[]);
    check_both_directions(&db, &q("abcd"), &[]);

    let (_dir, db) = table_with(ScalarType::B, &b_keys());
    let q = |v: &[u8]| key_query("pk = :p AND begins_with(sk, :v)", &[(":v", b(v))]);
    let want = |l: &[&[u8]]| l.iter().map(|v| b(v)).collect::<Vec<_>>();
    check_both_directions(&db, &q(&[0x80]), &want(&[&[0x80], &[0x80, 0], &[0x80, 1]]));
    check_both_directions(&db, &q(&[0x00]), &want(&[&[0], &[0, 0], &[0, 1]]));
    check_both_directions(&db, &q(&[0xFF]), &want(&[&[0xFF], &[0xFF, 0xFF]]));
    check_both_directions(&db, &q(&[0xFF, 0xFF, 0xFF]), &[]);
}

#[test]
fn query_begins_with_on_number_sort_key_is_rejected() {
    let (_dir, db) = table_with(ScalarType::N, &n_keys());
    let input = key_query("pk = :p AND begins_with(sk, :v)", &[(":v", n("1"))]);
    assert_validation(
        db.query(input),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
    );
}

#[test]
fn query_equal_numbers_in_other_forms_address_one_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(
        &db,
        TABLE,
        ("pk", ScalarType::S),
        Some(("sk", ScalarType::N)),
    );
    for (form, tag) in [("1", "a"), ("1.0", "b"), ("10E-1", "c"), ("0.1E1", "d")] {
        put(
            &db,
            TABLE,
            item(&[("pk", s("p")), ("sk", n(form)), ("tag", s(tag))]),
        );
    }
    put(
        &db,
        TABLE,
        item(&[("pk", s("p")), ("sk", n("-0")), ("tag", s("zero"))]),
    );
    let out = db
        .query(key_query("pk = :p AND sk = :v", &[(":v", n("1.000"))]))
        .unwrap();
    let want = item(&[("pk", s("p")), ("sk", n("1")), ("tag", s("d"))]);
    assert_eq!(out.items, Some(vec![want]));
    let all = query_all(&db, key_query("pk = :p", &[])).items();
    assert_eq!(sort_keys_of(&all), vec![n("0"), n("1")]);
}

#[test]
fn query_number_and_binary_partition_keys_match_any_form_of_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(&db, "ByNumber", ("id", ScalarType::N), None);
    create_table(
        &db,
        "ByBinary",
        ("id", ScalarType::B),
        Some(("at", ScalarType::N)),
    );
    put(&db, "ByNumber", item(&[("id", n("10")), ("v", s("ten"))]));
    put(&db, "ByNumber", item(&[("id", n("1")), ("v", s("one"))]));
    for at in ["3", "1", "2"] {
        put(&db, "ByBinary", item(&[("id", b(&[0, 1])), ("at", n(at))]));
    }
    put(&db, "ByBinary", item(&[("id", b(&[0])), ("at", n("9"))]));
    for form in ["10", "1E1", "10.000", "0.1e2"] {
        let out = db
            .query(QueryInput {
                table_name: "ByNumber".into(),
                key_condition_expression: Some("id = :v".into()),
                expression_attribute_values: values(&[(":v", n(form))]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            out.items,
            Some(vec![item(&[("id", n("10")), ("v", s("ten"))])])
        );
    }
    // A hash-only table's partition holds one item; reaching Limit still sets LastEvaluatedKey.
    let out = db
        .query(QueryInput {
            table_name: "ByNumber".into(),
            key_condition_expression: Some("id = :v".into()),
            expression_attribute_values: values(&[(":v", n("1"))]),
            limit: Some(1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.count, 1);
    assert_eq!(out.last_evaluated_key, Some(item(&[("id", n("1"))])));
    let out = db
        .query(QueryInput {
            table_name: "ByBinary".into(),
            key_condition_expression: Some("id = :v".into()),
            expression_attribute_values: values(&[(":v", b(&[0, 1]))]),
            scan_index_forward: Some(false),
            ..Default::default()
        })
        .unwrap();
    let ats: Vec<AttributeValue> = out.items.unwrap().iter().map(|i| i["at"].clone()).collect();
    assert_eq!(ats, vec![n("3"), n("2"), n("1")]);
}

#[test]
fn query_empty_partition_returns_no_items_and_no_last_key() {
    let (_dir, db) = table_with(ScalarType::N, &n_keys());
    let input = QueryInput {
        expression_attribute_values: values(&[(":p", s("nobody"))]),
        limit: Some(1),
        consistent_read: Some(true),
        ..key_query("pk = :p", &[])
    };
    let out = db.query(input).unwrap();
    assert_eq!(out.items, Some(vec![]));
    assert_eq!((out.count, out.scanned_count), (0, 0));
    assert_eq!(out.last_evaluated_key, None);
}

/// Ten items in partition "p" with sk 0..9; `hit` is true for multiples of three.
fn ten_items() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(
        &db,
        TABLE,
        ("pk", ScalarType::S),
        Some(("sk", ScalarType::N)),
    );
    for i in 0..10i64 {
        let it = item(&[
            ("pk", s("p")),
            ("sk", AttributeValue::N(i.into())),
            ("hit", AttributeValue::Bool(i % 3 == 0)),
            (
                "doc",
                AttributeValue::M(item(&[("a", s("x")), ("b", n("2"))])),
            ),
            ("list", AttributeValue::L(vec![s("l0"), s("l1"), s("l2")])),
        ]);
        put(&db, TABLE, it);
    }
    (dir, db)
}

#[test]
fn query_select_count_returns_counts_without_items() {
    let (_dir, db) = ten_items();
    let out = db
        .query(QueryInput {
            select: Some(Select::Count),
            ..key_query("pk = :p AND sk >= :v", &[(":v", n("4"))])
        })
        .unwrap();
    assert_eq!(out.items, None);
    assert_eq!((out.count, out.scanned_count), (6, 6));
    assert_eq!(out.last_evaluated_key, None);
    let out = db
        .query(QueryInput {
            select: Some(Select::Count),
            filter_expression: Some("hit = :t".into()),
            limit: Some(5),
            ..key_query("pk = :p", &[(":t", AttributeValue::Bool(true))])
        })
        .unwrap();
    assert_eq!(out.items, None);
    assert_eq!((out.count, out.scanned_count), (2, 5));
    assert_eq!(
        out.last_evaluated_key,
        Some(item(&[("pk", s("p")), ("sk", n("4"))]))
    );
}

#[test]
fn query_projection_expression_returns_only_projected_attributes() {
    let (_dir, db) = ten_items();
    for select in [None, Some(Select::SpecificAttributes)] {
        let out = db
            .query(QueryInput {
                select,
                projection_expression: Some("sk, doc.b, #l[1], absent".into()),
                expression_attribute_names: names(&[("#l", "list")]),
                ..key_query("pk = :p AND sk < :v", &[(":v", n("2"))])
            })
            .unwrap();
        let want = |i: &str| {
            item(&[
                ("sk", n(i)),
                ("doc", AttributeValue::M(item(&[("b", n("2"))]))),
                ("list", AttributeValue::L(vec![s("l1")])),
            ])
        };
        assert_eq!(out.items, Some(vec![want("0"), want("1")]));
        assert_eq!(out.count, 2);
    }
}

#[test]
fn query_select_conflicting_with_projection_is_rejected_with_wrapped_message() {
    let (_dir, db) = ten_items();
    let with = |select: Select, projection: Option<&str>| {
        db.query(QueryInput {
            select: Some(select),
            projection_expression: projection.map(str::to_owned),
            ..key_query("pk = :p", &[])
        })
    };
    let pre = "1 validation error detected: ";
    assert_validation(
        with(Select::AllAttributes, Some("sk")),
        &format!(
            "{pre}Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
        ),
    );
    assert_validation(
        with(Select::Count, Some("sk")),
        &format!(
            "{pre}Cannot specify the ProjectionExpression when choosing to get only the Count"
        ),
    );
    assert_validation(
        with(Select::SpecificAttributes, None),
        &format!("{pre}Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
    );
    assert_validation(
        with(Select::AllProjectedAttributes, None),
        &format!("{pre}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    );
    assert_validation(
        with(Select::AllProjectedAttributes, Some("sk")),
        &format!("{pre}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    );
    assert_eq!(with(Select::AllAttributes, None).unwrap().count, 10);
}

#[test]
fn query_limit_below_one_is_rejected() {
    let (_dir, db) = ten_items();
    for limit in [0, -1] {
        let input = QueryInput {
            limit: Some(limit),
            ..key_query("pk = :p", &[])
        };
        assert_validation(
            db.query(input),
            &format!("1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        );
    }
}

#[test]
fn query_without_key_condition_is_rejected() {
    let (_dir, db) = ten_items();
    let input = QueryInput {
        table_name: TABLE.into(),
        ..Default::default()
    };
    assert_validation(
        db.query(input),
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
    );
}

#[test]
fn query_missing_table_is_resource_not_found() {
    let (_dir, db) = ten_items();
    let err = db
        .query(QueryInput {
            table_name: "Nothing".into(),
            ..key_query("pk = :p", &[])
        })
        .unwrap_err();
    assert_eq!(err.error_type(), "ResourceNotFoundException");
    assert_eq!(err.message(), "Requested resource not found");
}

#[test]
fn query_malformed_key_conditions_are_rejected() {
    let (_dir, db) = ten_items();
    let run = |expr: &str, vals: &[(&str, AttributeValue)]| db.query(key_query(expr, vals));
    let v = [(":v", n("1"))];
    let no_partition = QueryInput {
        expression_attribute_values: values(&v),
        ..key_query("sk = :v", &[])
    };
    assert_validation(
        db.query(no_partition),
        "Query condition missed key schema element: pk",
    );
    assert_validation(
        run("pk = :p AND genre = :v", &v),
        "Query condition missed key schema element: sk",
    );
    assert_validation(
        run("pk = :p OR sk = :v", &v),
        "Invalid operator used in KeyConditionExpression: OR",
    );
    assert_validation(
        run("pk = :p AND sk <> :v", &v),
        "Invalid operator used in KeyConditionExpression: <>",
    );
    assert_validation(
        run("pk = :p AND sk = :v AND sk > :v", &v),
        "KeyConditionExpressions must only contain one condition per key",
    );
    assert_validation(
        run("pk = :p AND sk = :v", &[(":v", s("1"))]),
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    );
    assert_validation(
        db.query(QueryInput {
            expression_attribute_values: values(&[(":p", n("1"))]),
            ..key_query("pk = :p", &[])
        }),
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    );
    assert_validation(run("pk > :p", &[]), "Query key condition not supported");
    let with_partition = |v: AttributeValue| {
        db.query(QueryInput {
            expression_attribute_values: values(&[(":p", v)]),
            ..key_query("pk = :p", &[])
        })
    };
    assert_validation(
        with_partition(s("")),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
    );
    assert_validation(
        with_partition(s(&"k".repeat(2049))),
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
    );
    assert_eq!(with_partition(s(&"k".repeat(2048))).unwrap().count, 0);
    assert_validation(
        run("pk = :p AND doc.a = :v", &v),
        "KeyConditionExpressions cannot have conditions on nested attributes",
    );
}

#[test]
fn query_unused_value_is_reported_before_key_condition_errors() {
    // DynamoDB checks the placeholders of all expressions before it looks at the key schema.
    let (_dir, db) = ten_items();
    assert_validation(
        db.query(key_query("sk = :v", &[(":v", n("1"))])),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:p}",
    );
    assert_validation(
        db.query(QueryInput {
            filter_expression: Some("sk > :v".into()),
            ..key_query("pk = :p", &[(":v", n("1")), (":x", n("2"))])
        }),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
    );
}

#[test]
fn query_filter_on_key_attribute_is_rejected() {
    let (_dir, db) = ten_items();
    let cases = [
        ("sk > :v", (":v", n("1")), "sk"),
        (
            "hit = :v OR pk = :p",
            (":v", AttributeValue::Bool(true)),
            "pk",
        ),
        ("attribute_exists(#k)", (":v", n("1")), "sk"),
    ];
    for (filter, value, key) in cases {
        let uses_value = filter.contains(":v");
        let input = QueryInput {
            filter_expression: Some(filter.into()),
            expression_attribute_names: filter
                .contains("#k")
                .then(|| names(&[("#k", "sk")]).unwrap()),
            ..key_query(
                "pk = :p",
                if uses_value {
                    std::slice::from_ref(&value)
                } else {
                    &[]
                },
            )
        };
        assert_validation(
            db.query(input),
            &format!("Filter Expression can only contain non-primary key attributes: Primary key attribute: {key}"),
        );
    }
}

#[test]
fn query_filter_on_non_key_attribute_applies_after_limit() {
    let (_dir, db) = ten_items();
    let input = QueryInput {
        filter_expression: Some("hit = :t".into()),
        limit: Some(4),
        ..key_query("pk = :p", &[(":t", AttributeValue::Bool(true))])
    };
    let paged = query_all(&db, input);
    let counts: Vec<_> = paged
        .pages
        .iter()
        .map(|p| (p.count, p.scanned_count))
        .collect();
    assert_eq!(counts, vec![(2, 4), (1, 4), (1, 2)]);
    let lek: Vec<_> = paged
        .pages
        .iter()
        .map(|p| p.last_evaluated_key.clone())
        .collect();
    let key = |i: &str| Some(item(&[("pk", s("p")), ("sk", n(i))]));
    assert_eq!(lek, vec![key("3"), key("7"), None]);
    assert_eq!(
        sort_keys_of(&paged.items()),
        vec![n("0"), n("3"), n("6"), n("9")]
    );
    // A page can be empty and still carry LastEvaluatedKey.
    let out = db
        .query(QueryInput {
            filter_expression: Some("hit = :t".into()),
            limit: Some(2),
            exclusive_start_key: key("0"),
            ..key_query("pk = :p", &[(":t", AttributeValue::Bool(true))])
        })
        .unwrap();
    assert_eq!(out.items, Some(vec![]));
    assert_eq!((out.count, out.scanned_count), (0, 2));
    assert_eq!(out.last_evaluated_key, key("2"));
}

#[test]
fn query_expression_attribute_values_unused_or_undefined_are_rejected() {
    let (_dir, db) = ten_items();
    assert_validation(
        db.query(key_query("pk = :p", &[(":unused", n("1")), (":extra", n("2"))])),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra, :unused}",
    );
    assert_validation(
        db.query(key_query("pk = :p AND sk = :nope", &[])),
        "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope",
    );
    assert_validation(
        db.query(QueryInput {
            filter_expression: Some("hit = :nope".into()),
            ..key_query("pk = :p", &[])
        }),
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :nope",
    );
    assert_validation(
        db.query(QueryInput {
            expression_attribute_names: names(&[("#x", "hit")]),
            ..key_query("pk = :p", &[])
        }),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
    );
}

#[test]
fn query_exclusive_start_key_resumes_after_that_key_even_if_absent() {
    let (_dir, db) = ten_items();
    let esk = |v: &str| Some(item(&[("pk", s("p")), ("sk", n(v))]));
    let from = |v: &str, forward: bool| {
        let input = QueryInput {
            exclusive_start_key: esk(v),
            scan_index_forward: Some(forward),
            ..key_query("pk = :p", &[])
        };
        sort_keys_of(&query_all(&db, input).items())
    };
    assert_eq!(from("7", true), vec![n("8"), n("9")]);
    assert_eq!(from("7.5", true), vec![n("8"), n("9")]);
    assert_eq!(from("2", false), vec![n("1"), n("0")]);
    assert_eq!(from("-3", true).len(), 10);
    assert_eq!(from("9", true), Vec::<AttributeValue>::new());
}

#[test]
fn query_exclusive_start_key_outside_conditions_is_rejected() {
    let (_dir, db) = ten_items();
    let other_partition = QueryInput {
        exclusive_start_key: Some(item(&[("pk", s("other")), ("sk", n("1"))])),
        ..key_query("pk = :p", &[])
    };
    assert_validation(
        db.query(other_partition),
        "The provided starting key is outside query boundaries based on provided conditions",
    );
    let cases: [(&str, &str, &[Placeholder]); 4] = [
        ("pk = :p AND sk > :v", "4", &[(":v", n("4"))]),
        ("pk = :p AND sk = :v", "3", &[(":v", n("4"))]),
        ("pk = :p AND :v >= sk", "5", &[(":v", n("4"))]),
        (
            "pk = :p AND sk BETWEEN :v AND :w",
            "0",
            &[(":v", n("4")), (":w", n("6"))],
        ),
    ];
    for (cond, start, vals) in cases {
        let input = QueryInput {
            exclusive_start_key: Some(item(&[("pk", s("p")), ("sk", n(start))])),
            ..key_query(cond, vals)
        };
        assert_validation(
            db.query(input),
            "The provided starting key does not match the range key predicate",
        );
    }
}

#[test]
fn query_exclusive_start_key_of_wrong_shape_is_rejected() {
    let (_dir, db) = ten_items();
    let bad_keys = [
        item(&[("pk", s("p"))]),
        item(&[("pk", s("p")), ("sk", s("1"))]),
        item(&[("pk", s("p")), ("sk", n("1")), ("hit", n("1"))]),
        item(&[("pk", s("p")), ("other", n("1"))]),
        item(&[("pk", s("")), ("sk", n("1"))]),
        Item::new(),
    ];
    for esk in bad_keys {
        let input = QueryInput {
            exclusive_start_key: Some(esk.clone()),
            ..key_query("pk = :p", &[])
        };
        assert_validation_starts(db.query(input), "The provided starting key is invalid");
    }
}

/// Payload length that makes an item of partition "big" with a 4-character sk `size` bytes.
fn sized_item(i: usize, size: usize) -> Item {
    // "pk" + "big" + "sk" + 4 digits + "data" = 15 bytes besides the payload.
    let it = item(&[
        ("pk", s("big")),
        ("sk", s(&format!("{i:04}"))),
        ("data", s(&"x".repeat(size - 15))),
    ]);
    assert_eq!(item_size_bytes(&it), size);
    it
}

/// Pages of a query over partition "big", each page's sort keys.
fn big_pages(db: &Database, forward: bool) -> Vec<Vec<String>> {
    let input = QueryInput {
        table_name: TABLE.into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: values(&[(":p", s("big"))]),
        scan_index_forward: Some(forward),
        ..Default::default()
    };
    let paged = query_all(db, input);
    for p in &paged.pages[..paged.pages.len() - 1] {
        let last = p.items.as_ref().unwrap().last().unwrap();
        let key = item(&[("pk", s("big")), ("sk", last["sk"].clone())]);
        assert_eq!(p.last_evaluated_key, Some(key));
    }
    paged
        .pages
        .iter()
        .map(|p| {
            let items = p.items.as_ref().unwrap();
            assert_eq!(p.count as usize, items.len());
            items
                .iter()
                .map(|i| match &i["sk"] {
                    AttributeValue::S(v) => v.clone(),
                    other => panic!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn big_table(count: usize, size: usize) -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_table(
        &db,
        TABLE,
        ("pk", ScalarType::S),
        Some(("sk", ScalarType::S)),
    );
    for i in 0..count {
        put(&db, TABLE, sized_item(i, size));
    }
    (dir, db)
}

#[test]
fn query_one_mib_page_stops_after_crossing_limit_and_paging_returns_all() {
    let (_dir, db) = big_table(30, 100_000);
    for forward in [true, false] {
        let pages = big_pages(&db, forward);
        // 10 items are 1,000,000 bytes; the 11th reaches 1 MiB (1,048,576) and ends the page.
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![11, 11, 8], "forward={forward}");
        let mut all: Vec<String> = pages.concat();
        if !forward {
            all.reverse();
        }
        let want: Vec<String> = (0..30).map(|i| format!("{i:04}")).collect();
        assert_eq!(all, want, "forward={forward}");
    }
}

#[test]
fn query_items_totalling_exactly_one_mib_end_the_page() {
    // 16 items of 65,536 bytes are exactly 1 MiB: the page ends after the 16th.
    let (_dir, db) = big_table(20, 65_536);
    let sizes: Vec<usize> = big_pages(&db, true).iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![16, 4]);
    // One byte less each and the 16th leaves the page just short of 1 MiB.
    let (_dir, db) = big_table(20, 65_535);
    let sizes: Vec<usize> = big_pages(&db, true).iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![17, 3]);
}
