//! The item layer, embedded: item encode/decode, PutItem and GetItem of 1 KB items, and a
//! Query of 100 items. Writes use `Durability::None` here, so these figures are the CPU
//! cost of the item layer; `items-bench` measures durable PutItem against the raw engine.
// criterion_group! defines an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;
use tessera_bench::items::{item_1kb, item_key, table_input, TABLE};
use tessera_bench::rng::Rng;
use tessera_engine::api::{
    GetItemInput, Put, PutItemInput, QueryInput, TransactWriteItem, TransactWriteItemsInput,
    UpdateItemInput,
};
use tessera_engine::model::codec::{decode_item, encode_item_to_vec};
use tessera_engine::model::AttributeValue;
use tessera_engine::{Config, Database, Durability};

/// Items preloaded for the GetItem bench.
const PRELOADED: u64 = 20_000;
/// Items per partition in the GetItem data set.
const PER_PARTITION: u64 = 10;

fn open(dir: &std::path::Path) -> Database {
    let db = Database::open(Config::new(dir).durability(Durability::None)).expect("open");
    db.create_table(table_input()).expect("create table");
    db
}

fn codec(c: &mut Criterion) {
    let mut g = c.benchmark_group("item_codec");
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(1));
    let item = item_1kb(1, 1);
    let bytes = encode_item_to_vec(&item);
    g.bench_function("encode_1kb", |b| {
        b.iter(|| encode_item_to_vec(black_box(&item)))
    });
    g.bench_function("decode_1kb", |b| {
        b.iter(|| decode_item(black_box(&bytes)).expect("decode"))
    });
    g.finish();
}

fn put_get(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = open(dir.path());
    for i in 0..PRELOADED {
        db.put_item(PutItemInput {
            table_name: TABLE.into(),
            item: item_1kb(i / PER_PARTITION, i % PER_PARTITION),
            ..Default::default()
        })
        .expect("put");
    }
    let mut g = c.benchmark_group("item_ops");
    g.measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(1));
    let mut rng = Rng::new(7);
    g.bench_function("get_item_1kb", |b| {
        b.iter(|| {
            let i = rng.below(PRELOADED);
            let out = db
                .get_item(GetItemInput {
                    table_name: TABLE.into(),
                    key: item_key(i / PER_PARTITION, i % PER_PARTITION),
                    ..Default::default()
                })
                .expect("get");
            black_box(out.item.is_some())
        })
    });
    let mut next = PRELOADED;
    g.bench_function("put_item_1kb", |b| {
        b.iter(|| {
            next += 1;
            db.put_item(PutItemInput {
                table_name: TABLE.into(),
                item: item_1kb(next / PER_PARTITION, next % PER_PARTITION),
                ..Default::default()
            })
            .expect("put")
        })
    });
    g.finish();
}

fn query(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = open(dir.path());
    for i in 0..100 {
        db.put_item(PutItemInput {
            table_name: TABLE.into(),
            item: item_1kb(42, i),
            ..Default::default()
        })
        .expect("put");
    }
    let pk = item_key(42, 0).remove("pk").expect("pk");
    let values: HashMap<String, AttributeValue> = [(":p".to_owned(), pk)].into();
    let mut g = c.benchmark_group("query");
    g.measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(100));
    g.bench_function("query_100_items_1kb", |b| {
        b.iter(|| {
            let out = db
                .query(QueryInput {
                    table_name: TABLE.into(),
                    key_condition_expression: Some("pk = :p".into()),
                    expression_attribute_values: Some(values.clone()),
                    ..Default::default()
                })
                .expect("query");
            assert_eq!(out.count, 100);
            black_box(out)
        })
    });
    g.finish();
}

fn update_and_transact(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = open(dir.path());
    let one: HashMap<String, AttributeValue> =
        [(":one".to_owned(), AttributeValue::N(1.into()))].into();
    let mut g = c.benchmark_group("write_ops");
    g.measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(1));
    let mut rng = Rng::new(3);
    g.bench_function("update_item_counter_increment", |b| {
        b.iter(|| {
            let key = item_key(rng.below(1000), 0);
            db.update_item(UpdateItemInput {
                table_name: TABLE.into(),
                key,
                update_expression: Some("ADD hits :one".into()),
                expression_attribute_values: Some(one.clone()),
                ..Default::default()
            })
            .expect("update")
        })
    });
    let mut next = 0u64;
    g.bench_function("transact_write_10_items_1kb", |b| {
        b.iter(|| {
            let actions = (0..10)
                .map(|j| {
                    next += 1;
                    TransactWriteItem::Put(Put {
                        table_name: TABLE.into(),
                        item: item_1kb(next, j),
                        ..Default::default()
                    })
                })
                .collect();
            db.transact_write_items(TransactWriteItemsInput {
                transact_items: actions,
                ..Default::default()
            })
            .expect("transaction")
        })
    });
    g.finish();
}

criterion_group!(benches, codec, put_get, query, update_and_transact);
criterion_main!(benches);
