//! Evaluates a [`Condition`] against an item, with DynamoDB's semantics: comparing values of
//! different types is false (never an error), a missing attribute makes every comparison
//! false except `<>`, and only numbers, strings and binaries are ordered.

use super::ast::{Comparator, Condition, Operand, Path, PathElement};
use crate::model::{AttributeValue, Item, Number};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Whether `item` satisfies `cond`. An absent item is an empty one.
pub fn evaluate(cond: &Condition, item: &Item) -> bool {
    match cond {
        Condition::Compare { op, left, right } => compare(
            *op,
            value(left, item).as_deref(),
            value(right, item).as_deref(),
        ),
        Condition::Between { operand, low, high } => {
            let (Some(v), Some(low), Some(high)) =
                (value(operand, item), value(low, item), value(high, item))
            else {
                return false;
            };
            scalar_cmp(&v, &low).is_some_and(Ordering::is_ge)
                && scalar_cmp(&v, &high).is_some_and(Ordering::is_le)
        }
        Condition::In { operand, list } => match value(operand, item) {
            Some(v) => list
                .iter()
                .any(|candidate| value(candidate, item).as_deref() == Some(&*v)),
            None => false,
        },
        Condition::And(a, b) => evaluate(a, item) && evaluate(b, item),
        Condition::Or(a, b) => evaluate(a, item) || evaluate(b, item),
        Condition::Not(a) => !evaluate(a, item),
        Condition::AttributeExists(path) => resolve(item, path).is_some(),
        Condition::AttributeNotExists(path) => resolve(item, path).is_none(),
        Condition::AttributeType(path, type_name) => {
            match (resolve(item, path), value(type_name, item).as_deref()) {
                (Some(v), Some(AttributeValue::S(name))) => v.type_name() == name,
                _ => false,
            }
        }
        Condition::BeginsWith(a, b) => match (value(a, item), value(b, item)) {
            (Some(a), Some(b)) => begins_with(&a, &b),
            _ => false,
        },
        Condition::Contains(a, b) => match (value(a, item), value(b, item)) {
            (Some(a), Some(b)) => contains(&a, &b),
            _ => false,
        },
    }
}

/// The value at `path` in `item`, if the path leads to one: each attribute step must meet a
/// map (the item itself at the top) holding the key, each index step a list long enough.
pub fn resolve<'a>(item: &'a Item, path: &Path) -> Option<&'a AttributeValue> {
    let mut elements = path.elements.iter();
    let mut current = match elements.next()? {
        PathElement::Attribute(name) => item.get(name)?,
        PathElement::Index(_) => return None,
    };
    for element in elements {
        current = match (element, current) {
            (PathElement::Attribute(name), AttributeValue::M(map)) => map.get(name)?,
            (PathElement::Index(i), AttributeValue::L(list)) => list.get(*i as usize)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The value of an operand: borrowed from the item or the expression, or computed by `size`.
fn value<'a>(operand: &'a Operand, item: &'a Item) -> Option<Cow<'a, AttributeValue>> {
    match operand {
        Operand::Path(path) => resolve(item, path).map(Cow::Borrowed),
        Operand::Value(v) => Some(Cow::Borrowed(v)),
        Operand::Size(path) => size(resolve(item, path)?).map(Cow::Owned),
    }
}

/// `size()`: string length, binary length, set cardinality, list or map child count; nothing
/// for numbers, booleans and nulls, which makes comparisons with it false (`<>` true).
///
/// A string's length is its UTF-8 byte count. DynamoDB documents "length of the string" without
/// saying chars or bytes (unconfirmed); bytes agree with how it measures strings everywhere
/// else (item size, key length limits).
fn size(v: &AttributeValue) -> Option<AttributeValue> {
    let count = match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Ss(s) => s.len(),
        AttributeValue::Ns(s) => s.len(),
        AttributeValue::Bs(s) => s.len(),
        AttributeValue::L(l) => l.len(),
        AttributeValue::M(m) => m.len(),
        AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null => return None,
    };
    Number::parse(&count.to_string())
        .ok()
        .map(AttributeValue::N)
}

fn compare(op: Comparator, left: Option<&AttributeValue>, right: Option<&AttributeValue>) -> bool {
    let (Some(left), Some(right)) = (left, right) else {
        return op == Comparator::Ne;
    };
    match op {
        Comparator::Eq => left == right,
        Comparator::Ne => left != right,
        Comparator::Lt => scalar_cmp(left, right).is_some_and(Ordering::is_lt),
        Comparator::Le => scalar_cmp(left, right).is_some_and(Ordering::is_le),
        Comparator::Gt => scalar_cmp(left, right).is_some_and(Ordering::is_gt),
        Comparator::Ge => scalar_cmp(left, right).is_some_and(Ordering::is_ge),
    }
}

/// DynamoDB's order between two values of the same ordered type: numbers numerically, strings
/// by UTF-8 bytes, binaries as unsigned bytes. `None` for other types or mixed types.
pub(crate) fn scalar_cmp(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::N(a), AttributeValue::N(b)) => Some(a.cmp(b)),
        // str's order is the byte order of its UTF-8 encoding.
        (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_str().cmp(b.as_str())),
        (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.as_slice().cmp(b.as_slice())),
        _ => None,
    }
}

/// `begins_with`: a string or binary prefix of the same type.
pub(crate) fn begins_with(a: &AttributeValue, prefix: &AttributeValue) -> bool {
    match (a, prefix) {
        (AttributeValue::S(a), AttributeValue::S(p)) => a.starts_with(p.as_str()),
        (AttributeValue::B(a), AttributeValue::B(p)) => a.starts_with(p),
        _ => false,
    }
}

/// `contains`: substring of a string, byte substring of a binary, member of a set of the
/// operand's type, or element (by equality) of a list.
fn contains(haystack: &AttributeValue, needle: &AttributeValue) -> bool {
    match (haystack, needle) {
        (AttributeValue::S(h), AttributeValue::S(n)) => h.contains(n.as_str()),
        (AttributeValue::B(h), AttributeValue::B(n)) => {
            n.is_empty() || h.windows(n.len()).any(|w| w == n.as_slice())
        }
        (AttributeValue::Ss(set), AttributeValue::S(n)) => set.contains(n),
        (AttributeValue::Ns(set), AttributeValue::N(n)) => set.contains(n),
        (AttributeValue::Bs(set), AttributeValue::B(n)) => set.contains(n),
        (AttributeValue::L(list), n) => list.contains(n),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::testing::{item, parse, parse_paths, show_value};

    /// Parses `expr` and evaluates it against the fixture item.
    fn check(expr: &str, expected: bool) {
        let cond = parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(evaluate(&cond, &item()), expected, "{expr}");
    }

    #[test]
    fn evaluate_comparisons_of_same_types_follow_dynamodb_order() {
        check("n = :n5", true);
        check("n = :n1", false);
        check("n <> :n1", true);
        check("n <> :n5", false);
        check("n < :n11", true);
        check("n <= :n5", true);
        check("n > :n5", false);
        check("n >= :n5", true);
        check("s > :t", true);
        check("s < :t", false);
        check("s >= :text", true);
        check("s <= :text", true);
        check("uni > :t", true);
        check("b > :bin", true);
        check("b < :bin3", true);
        check(":n1 = :n1", true);
        check("ss = :ss", true);
        check("ss <> :ss", false);
        check("nothing = :null", true);
        check("l[1] = :null", true);
        check("m.k = :v", true);
        check("m <> :m", true);
    }

    #[test]
    fn evaluate_type_mismatches_and_missing_attributes_are_false_except_ne() {
        check("n = :s", false);
        check("n <> :s", true);
        check("n < :s", false);
        check("s > :n1", false);
        check("flag > n", false);
        check("ss > :a", false);
        check("absent = :n1", false);
        check("absent <> :n1", true);
        check("absent < :n1", false);
        check("absent >= :n1", false);
        check("absent = zzz", false);
        check("absent <> zzz", true);
        check("m.deep.z <> :n1", true);
        check("s.x = :s", false);
    }

    #[test]
    fn evaluate_between_and_in_are_inclusive_and_typed() {
        check("n BETWEEN :n1 AND :n5", true);
        check("n BETWEEN :n5 AND :n11", true);
        check("n BETWEEN :n1 AND :n4", false);
        check("s BETWEEN :t AND :text", true);
        check("n BETWEEN :s AND :t", false);
        check("absent BETWEEN :n1 AND :n5", false);
        check("n BETWEEN :n1 AND absent", false);
        check("n IN (:n1, :n5)", true);
        check("n IN (:n1, :s)", false);
        check("ss IN (:ss)", true);
        check("absent IN (:n1)", false);
    }

    #[test]
    fn evaluate_functions_follow_their_types() {
        check("attribute_exists(s)", true);
        check("attribute_exists(absent)", false);
        check("attribute_exists(m.deep.x)", true);
        check("attribute_exists(l[3].a)", true);
        check("attribute_exists(l[9])", false);
        check("attribute_exists(#dot)", true);
        check("attribute_exists(nothing)", true);
        check("attribute_not_exists(absent)", true);
        check("attribute_not_exists(s)", false);
        check("attribute_type(s, :typeS)", true);
        check("attribute_type(n, :typeN)", true);
        check("attribute_type(m, :typeM)", true);
        check("attribute_type(n, :typeS)", false);
        check("attribute_type(absent, :typeS)", false);
        check("begins_with(s, :te)", true);
        check("begins_with(s, :empty)", true);
        check("begins_with(s, :s)", false);
        check("begins_with(b, :bin)", true);
        check("begins_with(b, :bin3)", false);
        check("begins_with(n, :s)", false);
        check("begins_with(absent, :s)", false);
    }

    #[test]
    fn evaluate_contains_covers_strings_binaries_sets_and_lists() {
        check("contains(s, :te)", true);
        check("contains(s, :s)", false);
        check("contains(b, :bin)", true);
        check("contains(b, :bin3)", true);
        check("contains(ss, :a)", true);
        check("contains(ss, :s)", false);
        check("contains(ss, :ss)", false);
        check("contains(ns, :n1)", true);
        check("contains(ns, :n5)", false);
        check("contains(bs, :bin1)", true);
        check("contains(l, :null)", true);
        check("contains(l, :t)", false);
        check("contains(n, :n5)", false);
        check("contains(absent, :s)", false);
    }

    #[test]
    fn evaluate_size_counts_bytes_elements_and_nothing_for_scalars() {
        check("size(s) = :n4", true);
        check("size(uni) = :n2", true);
        check("size(b) = :n3", true);
        check("size(ss) = :n2", true);
        check("size(l) = :n4", true);
        check("size(m) = :n2", true);
        check("size(blank) = :n0", true);
        check("size(n) > :n0", false);
        check("size(n) <> :n0", true);
        check("size(flag) = :n1", false);
        check("size(absent) = :n0", false);
        check("size(absent) <> :n0", true);
    }

    #[test]
    fn evaluate_logic_combines_and_negates() {
        check("attribute_exists(s) AND attribute_exists(absent)", false);
        check("attribute_exists(s) OR attribute_exists(absent)", true);
        check("NOT attribute_exists(absent)", true);
        check("NOT (n = :n5 AND s = :text)", false);
        check("n = :n1 OR n = :n5 AND s = :text", true);
    }

    fn check_resolve(path: &str, expected: Option<&str>) {
        let paths = parse_paths(path).unwrap();
        let item = item();
        let got = resolve(&item, &paths[0]).map(show_value);
        assert_eq!(got.as_deref(), expected, "{path}");
    }

    #[test]
    fn resolve_walks_maps_and_lists_and_stops_at_mismatches() {
        check_resolve("n", Some("5"));
        check_resolve("m.deep.x", Some("1"));
        check_resolve("l[0]", Some("\"zero\""));
        check_resolve("nested[0][1]", Some("11"));
        check_resolve("#dot", Some("\"dotted\""));
        check_resolve("absent", None);
        check_resolve("m[0]", None);
        check_resolve("l.a", None);
        check_resolve("l[4]", None);
        check_resolve("n.x", None);
        let starts_with_index = Path {
            elements: vec![PathElement::Index(0)],
        };
        assert_eq!(resolve(&item(), &starts_with_index), None);
    }
}
