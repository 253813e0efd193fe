//! Expression parsing of arbitrary text must return `Ok` or `Err`, never panic, overflow the
//! stack or hang. What parses must evaluate, yield a key condition or an error, and project.
//! The expression kind only names the expression in messages, so every condition kind must
//! agree on the outcome. An UpdateExpression that parses must apply to the item or fail
//! leaving it unchanged, and what it writes must be a valid item.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, HashMap};
use tessera_engine::api::ApiResult;
use tessera_engine::expr::{
    evaluate, key_condition, parse_condition, parse_projection, parse_update, project, Condition,
    ExpressionContext, ExpressionKind,
};
use tessera_engine::limits::EXPRESSION_SIZE_BYTES_MAX;
use tessera_engine::model::{normalize_item, AttributeValue, Item, Number, ScalarType};

fn number(text: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(text).expect("a literal number"))
}

fn number_value(text: &str) -> Number {
    Number::parse(text).expect("a literal number")
}

fn names() -> HashMap<String, String> {
    [("#a", "a"), ("#b", "b.c"), ("#k", "pk"), ("#s", "sk")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn values() -> HashMap<String, AttributeValue> {
    let entries = [
        (":s", AttributeValue::S("s".into())),
        (":t", AttributeValue::S("S".into())),
        (":n", number("5")),
        (":m", number("-3")),
        (":b", AttributeValue::B(vec![1, 2])),
        (":bool", AttributeValue::Bool(true)),
        (":null", AttributeValue::Null),
        (":ss", AttributeValue::Ss(vec!["a".into(), "s".into()])),
        (":l", AttributeValue::L(vec![number("1")])),
        (
            ":ns",
            AttributeValue::Ns(vec![number_value("1"), number_value("5")]),
        ),
    ];
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn item() -> Item {
    let mut map = BTreeMap::new();
    map.insert("c".to_owned(), AttributeValue::S("sub".into()));
    map.insert(
        "l".to_owned(),
        AttributeValue::L(vec![number("1"), AttributeValue::Null]),
    );
    let entries = [
        ("pk", AttributeValue::S("s".into())),
        ("sk", number("5")),
        ("a", AttributeValue::M(map)),
        ("b.c", AttributeValue::B(vec![1, 2, 3])),
        ("ss", AttributeValue::Ss(vec!["a".into(), "s".into()])),
    ];
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn parse(text: &str, kind: ExpressionKind) -> ApiResult<Condition> {
    let (names, values) = (names(), values());
    let mut ctx = ExpressionContext::new(Some(&names), Some(&values))?;
    let cond = parse_condition(text, kind, &mut ctx)?;
    let _ = ctx.finish();
    Ok(cond)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let item = item();
    let condition = parse(&text, ExpressionKind::Condition);
    for kind in [ExpressionKind::Filter, ExpressionKind::KeyCondition] {
        let other = parse(&text, kind);
        match (&condition, &other) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "kinds disagree on {text:?}"),
            // Only the size error words itself differently per kind.
            (Err(a), Err(b)) if text.len() <= EXPRESSION_SIZE_BYTES_MAX => assert_eq!(
                a.message().replacen("ConditionExpression", "", 1),
                b.message().replacen(kind.name(), "", 1),
                "kinds disagree on {text:?}"
            ),
            (Err(_), Err(_)) => {}
            _ => panic!("kinds disagree on {text:?}: {condition:?} vs {other:?}"),
        }
    }
    if let Ok(cond) = condition {
        evaluate(&cond, &item);
        let schemas = [
            (("pk", ScalarType::S), Some(("sk", ScalarType::N))),
            (("pk", ScalarType::S), None),
            (("a", ScalarType::B), Some(("pk", ScalarType::S))),
        ];
        for (partition, sort) in schemas {
            if let Ok(key) = key_condition(cond.clone(), partition, sort) {
                assert_eq!(key.partition.scalar_type(), Some(partition.1));
                if let Some(sort_condition) = key.sort {
                    for value in [number("5"), AttributeValue::S("s".into())] {
                        sort_condition.matches(&value);
                    }
                }
            }
        }
    }
    let names = names();
    if let Ok(mut ctx) = ExpressionContext::new(Some(&names), None) {
        if let Ok(paths) = parse_projection(&text, &mut ctx) {
            let projected = project(&item, &paths);
            assert!(projected.keys().all(|k| item.contains_key(k)));
        }
    }
    check_update(&text, &item);
});

/// Parses `text` as an UpdateExpression and applies it to `item`.
fn check_update(text: &str, item: &Item) {
    let (names, values) = (names(), values());
    let Ok(mut ctx) = ExpressionContext::new(Some(&names), Some(&values)) else {
        return;
    };
    let Ok(update) = parse_update(text, &mut ctx) else {
        return;
    };
    let _ = ctx.finish();
    let _ = update.check_keys(|name| name == "pk" || name == "sk");
    let mut updated = item.clone();
    match update.apply(&mut updated) {
        Ok(()) => {
            let mut normalized = updated.clone();
            assert!(
                normalize_item(&mut normalized).is_ok(),
                "{text:?} wrote an invalid item: {updated:?}"
            );
            assert_eq!(normalized, updated, "{text:?} left a set unsorted");
            let paths = update.updated_paths();
            project(item, &paths);
            project(&updated, &paths);
        }
        Err(_) => assert_eq!(&updated, item, "{text:?} failed but changed the item"),
    }
}
