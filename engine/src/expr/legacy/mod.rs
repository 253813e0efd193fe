//! DynamoDB's legacy (pre-expression) request parameters turned into what the expression
//! parameters produce: `Expected` and `QueryFilter`/`ScanFilter` into a [`Condition`],
//! `KeyConditions` into a [`KeyCondition`], `AttributesToGet` into projection paths. Each is
//! validated with DynamoDB's messages, in dynalite's order.
//!
//! ```
//! use std::collections::HashMap;
//! use tessera_engine::api::{ComparisonOperator, Condition as LegacyCondition};
//! use tessera_engine::expr::{evaluate, legacy};
//! use tessera_engine::model::{AttributeValue, Item};
//!
//! let filter = HashMap::from([(
//!     "color".to_owned(),
//!     LegacyCondition {
//!         comparison_operator: ComparisonOperator::BeginsWith,
//!         attribute_value_list: Some(vec![AttributeValue::S("bl".to_owned())]),
//!     },
//! )]);
//! let cond = legacy::filter_conditions(&filter, None)?.expect("one condition");
//! let item = Item::from([("color".to_owned(), AttributeValue::S("blue".to_owned()))]);
//! assert!(evaluate(&cond, &item));
//! # Ok::<(), tessera_engine::api::ApiError>(())
//! ```
//!
//! **Semantics.** Every legacy operator has an exact expression counterpart, so the
//! conversions return the same AST a ConditionExpression or FilterExpression parses to and the
//! item layer evaluates both with [`crate::expr::evaluate`]; there is no second evaluator.
//! For an attribute `a` and values `v...`:
//!
//! | legacy | expression |
//! |---|---|
//! | `Value: v` (`Exists` true or absent) | `a = v` |
//! | `Exists: false` | `attribute_not_exists(a)` |
//! | `EQ` `NE` `LT` `LE` `GT` `GE` | `a = v`, `a <> v`, `a < v`, ... |
//! | `BETWEEN v1 v2` | `a BETWEEN v1 AND v2` |
//! | `IN v...` | `a IN (v...)` |
//! | `BEGINS_WITH v` | `begins_with(a, v)` |
//! | `CONTAINS v` | `contains(a, v)` |
//! | `NOT_CONTAINS v` | `NOT contains(a, v)` |
//! | `NULL` | `attribute_not_exists(a)` |
//! | `NOT_NULL` | `attribute_exists(a)` |
//!
//! These agree with dynalite's `compare` (db/index.js): a missing attribute or a value of
//! another type makes every operator false, except that `NE` and `NOT_CONTAINS` are true
//! (and `NULL` is, on a missing attribute). Where dynalite departs from DynamoDB's
//! documentation, DynamoDB wins:
//! - `Exists: true` with a `Value` tests equality; dynalite only tests existence.
//! - `ConditionalOperator: OR` holds when any condition holds; dynalite's loop returns at
//!   the first condition whatever its outcome.
//! - `CONTAINS`/`NOT_CONTAINS` on a list attribute test element membership ("supported for
//!   lists" in the legacy docs); dynalite treats a list as never containing anything.
//! - Strings order by UTF-8 bytes, as everywhere in DynamoDB; dynalite uses UTF-16 units.
//!
//! **Order.** The legacy maps arrive as `HashMap`s, so the request's JSON order is gone;
//! entries are validated (and combined) in attribute-name order, which keeps the first
//! reported error deterministic.

use super::ast::{Comparator, Condition, Operand, Path};
use super::eval::scalar_cmp;
use super::keycond::{KeyCondition, SortKeyCondition};
use crate::api::{
    ApiError, ApiResult, ComparisonOperator, Condition as LegacyCondition, ConditionalOperator,
    Conditions, Expected, ExpectedAttributeValue,
};
use crate::model::attribute::invalid;
use crate::model::{AttributeValue, ScalarType};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Fails when a request carries both expression and legacy parameters, listing the ones given
/// of each kind in the order the operation declares them, e.g. "Can not use both expression
/// and non-expression parameters in the same request: Non-expression parameters: {Expected}
/// Expression parameters: {ConditionExpression}". Each slice pairs a parameter name with
/// whether the request carries it.
///
/// As in dynalite (and Amazon's DAX client), `KeyConditions` counts only when
/// `KeyConditionExpression` is given too: a Query with `KeyConditions` and a
/// `FilterExpression` is refused for its other legacy parameters only.
pub fn check_mixing(op_expressions: &[(&str, bool)], op_legacy: &[(&str, bool)]) -> ApiResult<()> {
    let expressions: Vec<&str> = given(op_expressions).collect();
    if expressions.is_empty() {
        return Ok(());
    }
    let key_condition_expression = expressions.contains(&"KeyConditionExpression");
    let legacy: Vec<&str> = given(op_legacy)
        .filter(|name| *name != "KeyConditions" || key_condition_expression)
        .collect();
    if legacy.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
        legacy.join(", "),
        expressions.join(", ")
    )))
}

fn given<'a>(params: &'a [(&'a str, bool)]) -> impl Iterator<Item = &'a str> + 'a {
    params
        .iter()
        .filter(|(_, is_given)| *is_given)
        .map(|(name, _)| *name)
}

/// Checks the `ConditionalOperator` rule DynamoDB applies and dynalite does not: it needs a
/// filter or `Expected` map (`conditions` is its entry count, `None` when absent) of two or
/// more entries. The texts come from Amazon's DAX client, which mirrors DynamoDB's request
/// validation; they are not confirmed against DynamoDB itself.
pub fn check_conditional_operator(
    op: Option<ConditionalOperator>,
    conditions: Option<usize>,
) -> ApiResult<()> {
    match (op, conditions) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(ApiError::validation(
            "ConditionalOperator cannot be used without Filter or Expected",
        )),
        (Some(_), Some(n)) if n < 2 => Err(ApiError::validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more \
             elements",
        )),
        (Some(_), Some(_)) => Ok(()),
    }
}

/// Validates an `Expected` map and converts it into one condition on the item as it is
/// (`None` for an empty map, which always holds). Entries combine with AND, or OR when
/// `op` says so.
///
/// Per entry, in dynalite's order: `Value` with `AttributeValueList`; with a
/// `ComparisonOperator`: `Exists` alongside it, no operand for an operator needing one, the
/// operand count, mixed operand types, BETWEEN bounds out of order; without one: an
/// `AttributeValueList`, a missing `Value` when `Exists` is true or absent, a `Value` when
/// `Exists` is false. Values are normalized ([`AttributeValue::normalize`]), so set rules and
/// the nesting limit apply. Unlike the filters, operand types are not restricted per
/// operator (dynalite checks none here, and DynamoDB documents `EQ`/`NE` "for all data
/// types"); a type the operator cannot order simply never matches.
pub fn expected_condition(
    expected: &Expected,
    op: Option<ConditionalOperator>,
) -> ApiResult<Option<Condition>> {
    let conds = by_name(expected)
        .into_iter()
        .map(|(name, entry)| expected_entry(name, entry))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(combine(conds, op.unwrap_or_default()))
}

fn expected_entry(name: &str, entry: &ExpectedAttributeValue) -> ApiResult<Condition> {
    let path = Path::attribute(name);
    if entry.value.is_some() && entry.attribute_value_list.is_some() {
        return Err(invalid(&format!(
            "Value and AttributeValueList cannot be used together for Attribute: {name}"
        )));
    }
    if let Some(op) = entry.comparison_operator {
        if entry.exists.is_some() {
            return Err(invalid(&format!(
                "Exists and ComparisonOperator cannot be used together for Attribute: {name}"
            )));
        }
        let operands = match (&entry.attribute_value_list, &entry.value) {
            (Some(list), _) => list.clone(),
            (None, Some(value)) => vec![value.clone()],
            (None, None) if arity_ok(op, 0) => Vec::new(),
            (None, None) => {
                return Err(invalid(&format!(
                    "Value or AttributeValueList must be used with ComparisonOperator: {} for \
                     Attribute: {name}",
                    op.as_str()
                )))
            }
        };
        let operands = normalized(operands)?;
        check_arity(op, &operands)?;
        check_same_type(&operands)?;
        check_between_bounds(op, &operands)?;
        return Ok(comparison(path, op, operands));
    }
    if entry.attribute_value_list.is_some() {
        return Err(invalid(&format!(
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
        )));
    }
    match (entry.exists, &entry.value) {
        (Some(false), None) => Ok(Condition::AttributeNotExists(path)),
        (Some(false), Some(_)) => Err(invalid(&format!(
            "Value cannot be used when Exists is false for Attribute: {name}"
        ))),
        (exists, None) => Err(invalid(&format!(
            "Value must be provided when Exists is {} for Attribute: {name}",
            if exists.is_some() { "true" } else { "null" }
        ))),
        (_, Some(value)) => {
            let mut value = value.clone();
            value.normalize(1)?;
            Ok(Condition::Compare {
                op: Comparator::Eq,
                left: Operand::Path(path),
                right: Operand::Value(value),
            })
        }
    }
}

/// Validates a `QueryFilter` or `ScanFilter` map and converts it into one condition (`None`
/// for an empty map). Entries combine with AND, or OR when `op` says so.
///
/// Per entry, in dynalite's order: each value is normalized, then the operand count (NULL
/// and NOT_NULL take none; IN one or more; BETWEEN two; the rest one), mixed operand types,
/// the operand type per operator (`ComparisonOperator OP is not valid for T AttributeValue
/// type`: EQ and NE take S, N, B and their sets; BEGINS_WITH S and B; the rest S, N and B)
/// and the BETWEEN bounds. Whether a filter names a key attribute is the caller's check: it
/// needs the schema.
pub fn filter_conditions(
    conds: &Conditions,
    op: Option<ConditionalOperator>,
) -> ApiResult<Option<Condition>> {
    let conds = validate_conditions(conds)?
        .into_iter()
        .map(|c| comparison(Path::attribute(c.name), c.op, c.operands))
        .collect();
    Ok(combine(conds, op.unwrap_or_default()))
}

/// The checks dynalite applies to `KeyConditions` before it looks the table up: each entry
/// as for [`filter_conditions`], then "Conditions can be of length 1 or 2 only". The checks
/// against the key schema come with [`key_conditions`], which repeats these first.
pub fn check_key_conditions(conds: &Conditions) -> ApiResult<()> {
    validate_key_conditions(conds).map(drop)
}

fn validate_key_conditions(conds: &Conditions) -> ApiResult<Vec<Checked<'_>>> {
    let checked = validate_conditions(conds)?;
    if !(1..=2).contains(&checked.len()) {
        return Err(ApiError::validation(
            "Conditions can be of length 1 or 2 only",
        ));
    }
    Ok(checked)
}

/// Validates Query's `KeyConditions` against the key schema (name and type of the partition
/// key and, if any, of the sort key) and extracts the key condition.
///
/// After [`check_key_conditions`], per key in schema order, as dynalite does: a partition-key
/// schema given two conditions is "Query key condition not supported"; an untested partition
/// key, or an untested sort key when two conditions are given, is "Query condition missed key
/// schema element: k"; NULL, NOT_NULL, NE, CONTAINS, NOT_CONTAINS and IN are "Attempted
/// conditional constraint is not an indexable operation"; a value of another type than the key
/// is "One or more parameter values were invalid: Condition parameter type does not match
/// schema type"; and the partition key takes only EQ ("Query key condition not supported").
pub fn key_conditions(
    conds: &Conditions,
    partition_key: (&str, ScalarType),
    sort_key: Option<(&str, ScalarType)>,
) -> ApiResult<KeyCondition> {
    let checked = validate_key_conditions(conds)?;
    let schema_len = if sort_key.is_some() { 2 } else { 1 };
    let partition = key_test(&checked, partition_key, true, schema_len)?;
    let sort = match sort_key {
        Some(key) => key_test(&checked, key, false, schema_len)?,
        None => None,
    };
    let partition = match partition.map(|c| (c.op, c.operands.as_slice())) {
        Some((ComparisonOperator::Eq, [value])) => value.clone(),
        // `key_test` lets only EQ with one value through for the partition key.
        _ => return Err(missed(partition_key.0)),
    };
    let sort = sort
        .map(|c| sort_key_condition(c.op, &c.operands))
        .transpose()?;
    Ok(KeyCondition { partition, sort })
}

/// The condition on one key attribute, checked; `Ok(None)` for an untested sort key.
fn key_test<'c, 'a>(
    checked: &'c [Checked<'a>],
    (name, key_type): (&str, ScalarType),
    is_partition: bool,
    schema_len: usize,
) -> ApiResult<Option<&'c Checked<'a>>> {
    use ComparisonOperator::*;
    if is_partition && schema_len == 1 && checked.len() > 1 {
        return Err(ApiError::validation("Query key condition not supported"));
    }
    let Some(cond) = checked.iter().find(|c| c.name == name) else {
        if is_partition || checked.len() > 1 {
            return Err(missed(name));
        }
        return Ok(None);
    };
    if matches!(cond.op, Null | NotNull | Ne | Contains | NotContains | In) {
        return Err(ApiError::validation(
            "Attempted conditional constraint is not an indexable operation",
        ));
    }
    if cond
        .operands
        .iter()
        .any(|v| v.scalar_type() != Some(key_type))
    {
        return Err(invalid(
            "Condition parameter type does not match schema type",
        ));
    }
    if is_partition && cond.op != Eq {
        return Err(ApiError::validation("Query key condition not supported"));
    }
    Ok(Some(cond))
}

fn sort_key_condition(
    op: ComparisonOperator,
    operands: &[AttributeValue],
) -> ApiResult<SortKeyCondition> {
    use ComparisonOperator as Op;
    Ok(match (op, operands) {
        (Op::Eq, [v]) => SortKeyCondition::Eq(v.clone()),
        (Op::Lt, [v]) => SortKeyCondition::Lt(v.clone()),
        (Op::Le, [v]) => SortKeyCondition::Le(v.clone()),
        (Op::Gt, [v]) => SortKeyCondition::Gt(v.clone()),
        (Op::Ge, [v]) => SortKeyCondition::Ge(v.clone()),
        (Op::BeginsWith, [v]) => SortKeyCondition::BeginsWith(v.clone()),
        (Op::Between, [low, high]) => SortKeyCondition::Between(low.clone(), high.clone()),
        // `key_test` and the arity check leave only the shapes above.
        _ => return Err(ApiError::validation("Query key condition not supported")),
    })
}

fn missed(key: &str) -> ApiError {
    ApiError::validation(format!("Query condition missed key schema element: {key}"))
}

/// `AttributesToGet` as projection paths, one top-level attribute each (a name is literal: a
/// dot in it is part of the name). A repeated name is "One or more parameter values were
/// invalid: Duplicate value in attribute name: a", naming the first name seen twice.
pub fn attributes_to_get(names: &[String]) -> ApiResult<Vec<Path>> {
    let mut seen = HashSet::with_capacity(names.len());
    if let Some(duplicate) = names.iter().find(|name| !seen.insert(name.as_str())) {
        return Err(invalid(&format!(
            "Duplicate value in attribute name: {duplicate}"
        )));
    }
    Ok(names
        .iter()
        .map(|name| Path::attribute(name.as_str()))
        .collect())
}

/// One validated filter or key condition entry.
#[derive(Debug)]
struct Checked<'a> {
    name: &'a str,
    op: ComparisonOperator,
    operands: Vec<AttributeValue>,
}

/// dynalite's `validateConditions`, entry by entry; the first failure wins.
fn validate_conditions(conds: &Conditions) -> ApiResult<Vec<Checked<'_>>> {
    by_name(conds)
        .into_iter()
        .map(|(name, cond)| validate_condition(name, cond))
        .collect()
}

fn validate_condition<'a>(name: &'a str, cond: &LegacyCondition) -> ApiResult<Checked<'a>> {
    let op = cond.comparison_operator;
    let operands = normalized(cond.attribute_value_list.clone().unwrap_or_default())?;
    check_arity(op, &operands)?;
    check_same_type(&operands)?;
    if let Some(bad) = operands
        .iter()
        .find(|v| !operand_types(op).contains(&v.type_name()))
    {
        return Err(invalid(&format!(
            "ComparisonOperator {} is not valid for {} AttributeValue type",
            op.as_str(),
            bad.type_name()
        )));
    }
    check_between_bounds(op, &operands)?;
    Ok(Checked { name, op, operands })
}

/// The operand types a filter or key condition accepts per operator. DynamoDB documents EQ
/// and NE as "supported for all data types, including lists and maps" (dynalite refuses
/// BOOL, NULL, L and M there; we follow the documentation).
fn operand_types(op: ComparisonOperator) -> &'static [&'static str] {
    use ComparisonOperator::*;
    match op {
        Eq | Ne => &["S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"],
        BeginsWith => &["S", "B"],
        Lt | Le | Gt | Ge | In | Between | Contains | NotContains => &["S", "N", "B"],
        // These take no operands; the arity check rejects any.
        Null | NotNull => &[],
    }
}

fn arity_ok(op: ComparisonOperator, count: usize) -> bool {
    use ComparisonOperator::*;
    match op {
        Null | NotNull => count == 0,
        In => count >= 1,
        Between => count == 2,
        Eq | Ne | Le | Lt | Ge | Gt | Contains | NotContains | BeginsWith => count == 1,
    }
}

fn check_arity(op: ComparisonOperator, operands: &[AttributeValue]) -> ApiResult<()> {
    if arity_ok(op, operands.len()) {
        return Ok(());
    }
    Err(invalid(&format!(
        "Invalid number of argument(s) for the {} ComparisonOperator",
        op.as_str()
    )))
}

fn check_same_type(operands: &[AttributeValue]) -> ApiResult<()> {
    let Some(first) = operands.first() else {
        return Ok(());
    };
    if operands.iter().all(|v| v.type_name() == first.type_name()) {
        return Ok(());
    }
    Err(invalid(
        "AttributeValues inside AttributeValueList must be of same type",
    ))
}

fn check_between_bounds(op: ComparisonOperator, operands: &[AttributeValue]) -> ApiResult<()> {
    if let (ComparisonOperator::Between, [low, high]) = (op, operands) {
        if scalar_cmp(low, high) == Some(Ordering::Greater) {
            return Err(ApiError::validation(
                "The BETWEEN condition was provided a range where the lower bound is greater \
                 than the upper bound",
            ));
        }
    }
    Ok(())
}

fn normalized(mut values: Vec<AttributeValue>) -> ApiResult<Vec<AttributeValue>> {
    for value in &mut values {
        value.normalize(1)?;
    }
    Ok(values)
}

/// The expression form of `path <op> operands`; the operand count has been checked.
fn comparison(path: Path, op: ComparisonOperator, operands: Vec<AttributeValue>) -> Condition {
    use ComparisonOperator as Op;
    let attr = Operand::Path(path.clone());
    let mut values = operands.into_iter().map(Operand::Value);
    let mut next = || values.next().expect("the operand count was checked");
    let compare = |op, right| Condition::Compare {
        op,
        left: attr.clone(),
        right,
    };
    match op {
        Op::Eq => compare(Comparator::Eq, next()),
        Op::Ne => compare(Comparator::Ne, next()),
        Op::Lt => compare(Comparator::Lt, next()),
        Op::Le => compare(Comparator::Le, next()),
        Op::Gt => compare(Comparator::Gt, next()),
        Op::Ge => compare(Comparator::Ge, next()),
        Op::Between => Condition::Between {
            operand: attr.clone(),
            low: next(),
            high: next(),
        },
        Op::In => Condition::In {
            operand: attr.clone(),
            list: values.collect(),
        },
        Op::BeginsWith => Condition::BeginsWith(attr.clone(), next()),
        Op::Contains => Condition::Contains(attr.clone(), next()),
        Op::NotContains => Condition::Not(Box::new(Condition::Contains(attr.clone(), next()))),
        Op::Null => Condition::AttributeNotExists(path),
        Op::NotNull => Condition::AttributeExists(path),
    }
}

/// Joins conditions with AND or OR as a balanced tree, so a map of many entries nests
/// logarithmically deep (evaluation recurses once per level).
fn combine(conds: Vec<Condition>, op: ConditionalOperator) -> Option<Condition> {
    let join = |a, b| match op {
        ConditionalOperator::And => Condition::And(Box::new(a), Box::new(b)),
        ConditionalOperator::Or => Condition::Or(Box::new(a), Box::new(b)),
    };
    let mut level = conds;
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut pending = level.into_iter();
        while let Some(a) = pending.next() {
            next.push(match pending.next() {
                Some(b) => join(a, b),
                None => a,
            });
        }
        level = next;
    }
    level.pop()
}

/// The entries of a legacy map in attribute-name order.
fn by_name<V>(map: &HashMap<String, V>) -> Vec<(&str, &V)> {
    let mut entries: Vec<(&str, &V)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
}

#[cfg(test)]
mod tests;
