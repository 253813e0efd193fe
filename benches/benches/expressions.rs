//! The expression language: parsing a typical ConditionExpression with placeholders, and
//! evaluating a parsed condition against a 1 KB item.
// criterion_group! defines an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;
use tessera_bench::items::item_1kb;
use tessera_engine::expr::{evaluate, parse_condition, ExpressionContext, ExpressionKind};
use tessera_engine::model::{AttributeValue, Number};

const CONDITION: &str = "attribute_exists(#n) AND #c BETWEEN :lo AND :hi \
                         AND (begins_with(#n, :p) OR contains(tags, :t)) AND address.city = :city";

fn placeholders() -> (HashMap<String, String>, HashMap<String, AttributeValue>) {
    let names = HashMap::from([
        ("#n".to_owned(), "name".to_owned()),
        ("#c".to_owned(), "count".to_owned()),
    ]);
    let values = HashMap::from([
        (":lo".to_owned(), AttributeValue::N(Number::from(0))),
        (":hi".to_owned(), AttributeValue::N(Number::from(1_000_000))),
        (":p".to_owned(), AttributeValue::S("user-".to_owned())),
        (":t".to_owned(), AttributeValue::S("beta".to_owned())),
        (":city".to_owned(), AttributeValue::S("Lisbon".to_owned())),
    ]);
    (names, values)
}

fn parse_and_evaluate(c: &mut Criterion) {
    let (names, values) = placeholders();
    let mut g = c.benchmark_group("expression");
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_condition_5_clauses", |b| {
        b.iter(|| {
            let mut ctx = ExpressionContext::new(Some(&names), Some(&values)).expect("context");
            let cond = parse_condition(black_box(CONDITION), ExpressionKind::Condition, &mut ctx)
                .expect("parse");
            ctx.finish().expect("all used");
            cond
        })
    });
    let mut ctx = ExpressionContext::new(Some(&names), Some(&values)).expect("context");
    let cond = parse_condition(CONDITION, ExpressionKind::Condition, &mut ctx).expect("parse");
    let item = item_1kb(1, 12);
    assert!(evaluate(&cond, &item));
    g.bench_function("evaluate_condition_1kb_item", |b| {
        b.iter(|| evaluate(black_box(&cond), black_box(&item)))
    });
    g.finish();
}

criterion_group!(benches, parse_and_evaluate);
criterion_main!(benches);
