//! Fixtures shared by the expression tests: placeholder maps, an item, parsing shortcuts and
//! compact renderings of conditions and values for one-line expectations.

use super::ast::{Condition, Operand, Path, PathElement};
use super::{parse_condition, parse_projection, ExpressionContext, ExpressionKind};
use crate::model::{AttributeValue, Item, Number};
use std::collections::{BTreeMap, HashMap};

pub(crate) fn num(text: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(text).unwrap())
}

pub(crate) fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn map(entries: &[(&str, AttributeValue)]) -> AttributeValue {
    AttributeValue::M(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// `#a`→a, `#b`→b, `#pk`→pk, `#sk`→sk, `#dot`→`x.y`, `#name`→name, `#size`→size.
pub(crate) fn names() -> HashMap<String, String> {
    [
        ("#a", "a"),
        ("#b", "b"),
        ("#pk", "pk"),
        ("#sk", "sk"),
        ("#dot", "x.y"),
        ("#name", "name"),
        ("#size", "size"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Values named after what they hold: `:s` "s", `:n5` 5, `:bin` bytes 01 02, `:typeS` "S", ...
pub(crate) fn values() -> HashMap<String, AttributeValue> {
    let entries = [
        (":s", s("s")),
        (":a", s("a")),
        (":v", s("v")),
        (":t", s("t")),
        (":te", s("te")),
        (":text", s("text")),
        (":empty", s("")),
        (":n0", num("0")),
        (":n1", num("1")),
        (":n2", num("2")),
        (":n3", num("3")),
        (":n4", num("4")),
        (":n5", num("5")),
        (":n11", num("11")),
        (":bin", AttributeValue::B(vec![1, 2])),
        (":bin1", AttributeValue::B(vec![1])),
        (":bin3", AttributeValue::B(vec![3])),
        (":bool", AttributeValue::Bool(true)),
        (":null", AttributeValue::Null),
        (":ss", AttributeValue::Ss(vec!["a".into(), "b".into()])),
        (":ns", AttributeValue::Ns(vec![Number::parse("1").unwrap()])),
        (":bs", AttributeValue::Bs(vec![vec![1]])),
        (":l", AttributeValue::L(vec![s("zero")])),
        (":m", map(&[("k", s("v"))])),
        (":typeS", s("S")),
        (":typeN", s("N")),
        (":typeM", s("M")),
        (":typeX", s("X")),
    ];
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// An item with one attribute of each type and some nesting.
pub(crate) fn item() -> Item {
    let entries = [
        ("s", s("text")),
        ("n", num("5")),
        ("b", AttributeValue::B(vec![1, 2, 3])),
        ("flag", AttributeValue::Bool(true)),
        ("nothing", AttributeValue::Null),
        ("ss", AttributeValue::Ss(vec!["a".into(), "b".into()])),
        (
            "ns",
            AttributeValue::Ns(vec![
                Number::parse("1").unwrap(),
                Number::parse("2").unwrap(),
            ]),
        ),
        ("bs", AttributeValue::Bs(vec![vec![1], vec![2]])),
        (
            "m",
            map(&[
                ("k", s("v")),
                ("deep", map(&[("x", num("1")), ("y", num("2"))])),
            ]),
        ),
        (
            "l",
            AttributeValue::L(vec![
                s("zero"),
                AttributeValue::Null,
                s("two"),
                map(&[("a", num("1")), ("b", num("2"))]),
            ]),
        ),
        (
            "nested",
            AttributeValue::L(vec![AttributeValue::L(vec![num("10"), num("11")])]),
        ),
        ("blank", s("")),
        ("x.y", s("dotted")),
        ("uni", s("é")),
    ];
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect::<BTreeMap<_, _>>()
}

/// Parses a condition of `kind` with the fixture maps; the error's message on failure.
pub(crate) fn parse_kind(text: &str, kind: ExpressionKind) -> Result<Condition, String> {
    let (names, values) = (names(), values());
    let mut ctx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    parse_condition(text, kind, &mut ctx).map_err(|e| e.message())
}

/// Parses a ConditionExpression with the fixture maps.
pub(crate) fn parse(text: &str) -> Result<Condition, String> {
    parse_kind(text, ExpressionKind::Condition)
}

/// Parses a ProjectionExpression with the fixture names.
pub(crate) fn parse_paths(text: &str) -> Result<Vec<Path>, String> {
    let names = names();
    let mut ctx = ExpressionContext::new(Some(&names), None).unwrap();
    parse_projection(text, &mut ctx).map_err(|e| e.message())
}

/// `a.b[0]`; a name holding a dot is quoted: `` `x.y` ``.
pub(crate) fn show_path(path: &Path) -> String {
    let mut out = String::new();
    for (i, element) in path.elements.iter().enumerate() {
        match element {
            PathElement::Attribute(name) if name.contains('.') => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&format!("`{name}`"));
            }
            PathElement::Attribute(name) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(name);
            }
            PathElement::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// `"s"`, `5`, `b[1, 2]`, `true`, `null`, `{k: v}`, `[a, b]`, `SS["a"]`, `NS[1]`, `BS[[1]]`.
pub(crate) fn show_value(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(text) => format!("{text:?}"),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::B(bytes) => format!("b{bytes:?}"),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null => "null".to_owned(),
        AttributeValue::M(m) => {
            let entries: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", show_value(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        AttributeValue::L(l) => {
            let entries: Vec<String> = l.iter().map(show_value).collect();
            format!("[{}]", entries.join(", "))
        }
        AttributeValue::Ss(set) => format!("SS{set:?}"),
        AttributeValue::Ns(set) => {
            let entries: Vec<String> = set.iter().map(Number::to_string).collect();
            format!("NS[{}]", entries.join(", "))
        }
        AttributeValue::Bs(set) => format!("BS{set:?}"),
    }
}

pub(crate) fn show_operand(operand: &Operand) -> String {
    match operand {
        Operand::Path(path) => show_path(path),
        Operand::Value(value) => show_value(value),
        Operand::Size(path) => format!("size({})", show_path(path)),
    }
}

/// Infix, fully parenthesized: `((a = 1) OR ((b = 1) AND (NOT c)))`.
pub(crate) fn show(cond: &Condition) -> String {
    let op = show_operand;
    match cond {
        Condition::Compare { op: c, left, right } => {
            format!("({} {} {})", op(left), c.symbol(), op(right))
        }
        Condition::Between { operand, low, high } => {
            format!("({} BETWEEN {} AND {})", op(operand), op(low), op(high))
        }
        Condition::In { operand, list } => {
            let list: Vec<String> = list.iter().map(op).collect();
            format!("({} IN ({}))", op(operand), list.join(", "))
        }
        Condition::And(a, b) => format!("({} AND {})", show(a), show(b)),
        Condition::Or(a, b) => format!("({} OR {})", show(a), show(b)),
        Condition::Not(a) => format!("(NOT {})", show(a)),
        Condition::AttributeExists(p) => format!("attribute_exists({})", show_path(p)),
        Condition::AttributeNotExists(p) => format!("attribute_not_exists({})", show_path(p)),
        Condition::AttributeType(p, t) => format!("attribute_type({}, {})", show_path(p), op(t)),
        Condition::BeginsWith(a, b) => format!("begins_with({}, {})", op(a), op(b)),
        Condition::Contains(a, b) => format!("contains({}, {})", op(a), op(b)),
    }
}
