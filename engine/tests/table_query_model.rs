//! Model test of Query paging: random puts, deletes and flushes over a few partitions with
//! random N or S sort keys (duplicates overwrite), then a random sort key condition (flipped
//! operand order included) in a random direction, read with every Limit from 1 to one past
//! the answer. Following LastEvaluatedKey must return exactly the model's items in order,
//! no page may exceed Limit, and a final empty page is allowed. The model is a `BTreeMap`
//! per partition ordered as DynamoDB orders sort keys: numbers by tessera's `Number` order,
//! strings by UTF-8 bytes.

mod common_query;

use common_query::*;
use proptest::prelude::*;
use proptest::sample::Index;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, Number, ScalarType};
use tessera_engine::Database;

const TABLE: &str = "Songs";

/// Interesting numbers: both ends of DynamoDB's range and the smallest magnitudes.
const EXTREMES: &[&str] = &[
    "-9.9999999999999999999999999999999999999E+125",
    "-1E-130",
    "1E-130",
    "9.9999999999999999999999999999999999999E+125",
];

/// A sort key in the model: numbers by value (tessera's `Number` order), strings by bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ModelKey {
    N(Number),
    S(Vec<u8>),
}

impl ModelKey {
    fn of(v: &AttributeValue) -> ModelKey {
        match v {
            AttributeValue::N(x) => ModelKey::N(*x),
            AttributeValue::S(x) => ModelKey::S(x.as_bytes().to_vec()),
            other => panic!("not a model sort key: {other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Put(u8, AttributeValue, u32),
    Delete(u8, AttributeValue),
    Flush,
}

#[derive(Debug, Clone)]
enum Cond {
    None,
    Cmp(&'static str, AttributeValue, bool),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

fn number_key() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        4 => (-20i64..20).prop_map(|i| AttributeValue::N(i.into())),
        3 => (-999i64..999, -130i32..=123).prop_map(|(m, e)| n(&format!("{m}E{e}"))),
        1 => (-99i64..99, 0u32..100).prop_map(|(m, d)| n(&format!("{m}.{d}5"))),
        1 => prop::sample::select(EXTREMES).prop_map(n),
    ]
}

fn string_key() -> impl Strategy<Value = AttributeValue> {
    let chars = vec!['a', 'b', 'A', 'z', '~', '¿', 'é', '｡', '😀'];
    prop::collection::vec(prop::sample::select(chars), 1..4)
        .prop_map(|cs| AttributeValue::S(cs.into_iter().collect()))
}

fn cond(key: BoxedStrategy<AttributeValue>, strings: bool) -> impl Strategy<Value = Cond> {
    let ops = prop::sample::select(vec!["=", "<", "<=", ">", ">="]);
    let prefix = if strings {
        key.clone().prop_map(Cond::BeginsWith).boxed()
    } else {
        Just(Cond::None).boxed()
    };
    prop_oneof![
        1 => Just(Cond::None),
        4 => (ops, key.clone(), any::<bool>()).prop_map(|(o, v, f)| Cond::Cmp(o, v, f)),
        2 => (key.clone(), key).prop_map(|(a, b)| {
            if ModelKey::of(&a) <= ModelKey::of(&b) { Cond::Between(a, b) } else { Cond::Between(b, a) }
        }),
        1 => prefix,
    ]
}

#[derive(Debug, Clone)]
struct Case {
    numbers: bool,
    ops: Vec<Op>,
    partition: u8,
    cond: Cond,
    forward: bool,
}

fn case() -> impl Strategy<Value = Case> {
    any::<bool>().prop_flat_map(|numbers| {
        let key = if numbers {
            number_key().boxed()
        } else {
            string_key().boxed()
        };
        let op = prop_oneof![
            8 => (0u8..3, key.clone(), any::<u32>()).prop_map(|(p, k, v)| Op::Put(p, k, v)),
            2 => (0u8..3, key.clone()).prop_map(|(p, k)| Op::Delete(p, k)),
            1 => Just(Op::Flush),
        ];
        (
            prop::collection::vec(op, 0..40),
            0u8..3,
            cond(key, !numbers),
            any::<bool>(),
            (any::<bool>(), any::<Index>(), any::<Index>()),
        )
            .prop_map(move |(ops, partition, cond, forward, (reuse, a, b))| {
                let stored: Vec<AttributeValue> = ops
                    .iter()
                    .filter_map(|op| match op {
                        Op::Put(p, k, _) if *p == partition => Some(k.clone()),
                        _ => None,
                    })
                    .collect();
                let cond = if reuse && !stored.is_empty() {
                    reuse_stored(cond, &stored, a, b)
                } else {
                    cond
                };
                Case {
                    numbers,
                    ops,
                    partition,
                    cond,
                    forward,
                }
            })
    })
}

/// `cond` with its values replaced by stored sort keys (and a begins_with prefix by a
/// stored key's first characters), so that boundaries often fall on existing items.
fn reuse_stored(cond: Cond, stored: &[AttributeValue], a: Index, b: Index) -> Cond {
    let pick = |i: &Index| stored[i.index(stored.len())].clone();
    match cond {
        Cond::None => Cond::None,
        Cond::Cmp(op, _, flipped) => Cond::Cmp(op, pick(&a), flipped),
        Cond::Between(..) => {
            let (x, y) = (pick(&a), pick(&b));
            if ModelKey::of(&x) <= ModelKey::of(&y) {
                Cond::Between(x, y)
            } else {
                Cond::Between(y, x)
            }
        }
        Cond::BeginsWith(_) => match pick(&a) {
            AttributeValue::S(k) => {
                let chars = 1 + b.index(k.chars().count());
                Cond::BeginsWith(s(&k.chars().take(chars).collect::<String>()))
            }
            other => Cond::BeginsWith(other),
        },
    }
}

fn model_matches(cond: &Cond, k: &ModelKey) -> bool {
    match cond {
        Cond::None => true,
        Cond::Cmp(op, v, _) => {
            let o = k.cmp(&ModelKey::of(v));
            match *op {
                "=" => o == Ordering::Equal,
                "<" => o == Ordering::Less,
                "<=" => o != Ordering::Greater,
                ">" => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }
        }
        Cond::Between(a, b) => ModelKey::of(a) <= *k && *k <= ModelKey::of(b),
        Cond::BeginsWith(p) => match (k, ModelKey::of(p)) {
            (ModelKey::S(k), ModelKey::S(p)) => k.starts_with(&p),
            _ => false,
        },
    }
}

fn cond_input(cond: &Cond) -> (String, Vec<(&'static str, AttributeValue)>) {
    let flipped = |op: &str| {
        match op {
            "<" => ">",
            "<=" => ">=",
            ">" => "<",
            ">=" => "<=",
            other => other,
        }
        .to_owned()
    };
    match cond {
        Cond::None => ("pk = :p".into(), vec![]),
        Cond::Cmp(op, v, false) => (format!("pk = :p AND sk {op} :v"), vec![(":v", v.clone())]),
        Cond::Cmp(op, v, true) => (
            format!("pk = :p AND :v {} sk", flipped(op)),
            vec![(":v", v.clone())],
        ),
        Cond::Between(a, b) => (
            "pk = :p AND sk BETWEEN :a AND :b".into(),
            vec![(":a", a.clone()), (":b", b.clone())],
        ),
        Cond::BeginsWith(v) => (
            "pk = :p AND begins_with(sk, :v)".into(),
            vec![(":v", v.clone())],
        ),
    }
}

/// Applies `case.ops` to a fresh table and to the model; returns the database and the
/// model's answer to the case's query, in the case's direction.
fn apply_ops(case: &Case) -> (tempfile::TempDir, Database, Vec<Item>) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let scalar = if case.numbers {
        ScalarType::N
    } else {
        ScalarType::S
    };
    create_table(&db, TABLE, ("pk", ScalarType::S), Some(("sk", scalar)));
    let mut model: BTreeMap<u8, BTreeMap<ModelKey, Item>> = BTreeMap::new();
    for op in &case.ops {
        match op {
            Op::Put(p, k, v) => {
                let it = item(&[
                    ("pk", s(&format!("p{p}"))),
                    ("sk", k.clone()),
                    ("v", AttributeValue::N(i64::from(*v).into())),
                ]);
                put(&db, TABLE, it.clone());
                model.entry(*p).or_default().insert(ModelKey::of(k), it);
            }
            Op::Delete(p, k) => {
                db.delete_item(DeleteItemInput {
                    table_name: TABLE.into(),
                    key: item(&[("pk", s(&format!("p{p}"))), ("sk", k.clone())]),
                    ..Default::default()
                })
                .unwrap();
                model.entry(*p).or_default().remove(&ModelKey::of(k));
            }
            Op::Flush => db.store().flush().unwrap(),
        }
    }
    let mut want: Vec<Item> = model
        .get(&case.partition)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| model_matches(&case.cond, k))
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_default();
    if !case.forward {
        want.reverse();
    }
    (dir, db, want)
}

fn run_case(case: &Case) -> Result<(), TestCaseError> {
    let (_dir, db, want) = apply_ops(case);
    let (expr, mut vals) = cond_input(&case.cond);
    vals.push((":p", s(&format!("p{}", case.partition))));
    let input = QueryInput {
        table_name: TABLE.into(),
        key_condition_expression: Some(expr),
        expression_attribute_values: values(&vals),
        scan_index_forward: Some(case.forward),
        ..Default::default()
    };
    // Every Limit from 1 to one past the answer, and none.
    let limits = (1..=want.len() as i64 + 1).map(Some).chain([None]);
    for limit in limits {
        let paged = query_all(
            &db,
            QueryInput {
                limit,
                ..input.clone()
            },
        );
        for p in &paged.pages {
            let len = p.items.as_ref().unwrap().len();
            if let Some(l) = limit {
                prop_assert!(len as i64 <= l, "page of {len} items over Limit {l}");
                // Without a filter only Limit ends a page; the last page may be empty.
                if p.last_evaluated_key.is_some() {
                    prop_assert_eq!(len as i64, l, "a page ended early without a filter");
                }
            }
        }
        prop_assert_eq!(paged.items(), want.clone(), "limit {:?}", limit);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn query_paging_any_limit_matches_model(case in case()) {
        run_case(&case)?;
    }
}
