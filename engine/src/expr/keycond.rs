//! Turns a parsed KeyConditionExpression into a [`KeyCondition`]: the partition key value and
//! at most one sort key condition, checked against the key schema of the table or index.

use super::ast::{Comparator, Condition, Operand};
use super::eval::{begins_with, scalar_cmp};
use crate::api::{ApiError, ApiResult};
use crate::model::{AttributeValue, ScalarType};
use std::cmp::Ordering;

/// What a Query reads: one partition, perhaps narrowed by a sort key condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCondition {
    /// The partition key value (tested with `=`), of the key's type.
    pub partition: AttributeValue,
    /// The sort key condition, if any; its values have the sort key's type.
    pub sort: Option<SortKeyCondition>,
}

/// A condition on the sort key; comparisons follow DynamoDB's order (numbers numerically,
/// strings by UTF-8 bytes, binaries as unsigned bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKeyCondition {
    /// `sk = v`
    Eq(AttributeValue),
    /// `sk < v`
    Lt(AttributeValue),
    /// `sk <= v`
    Le(AttributeValue),
    /// `sk > v`
    Gt(AttributeValue),
    /// `sk >= v`
    Ge(AttributeValue),
    /// `sk BETWEEN low AND high`, both inclusive.
    Between(AttributeValue, AttributeValue),
    /// `begins_with(sk, prefix)`, for string and binary keys.
    BeginsWith(AttributeValue),
}

impl SortKeyCondition {
    /// Whether a sort key value satisfies the condition; a value of another type never does.
    pub fn matches(&self, value: &AttributeValue) -> bool {
        let cmp = |bound: &AttributeValue| scalar_cmp(value, bound);
        match self {
            SortKeyCondition::Eq(v) => cmp(v) == Some(Ordering::Equal),
            SortKeyCondition::Lt(v) => cmp(v).is_some_and(Ordering::is_lt),
            SortKeyCondition::Le(v) => cmp(v).is_some_and(Ordering::is_le),
            SortKeyCondition::Gt(v) => cmp(v).is_some_and(Ordering::is_gt),
            SortKeyCondition::Ge(v) => cmp(v).is_some_and(Ordering::is_ge),
            SortKeyCondition::Between(low, high) => {
                cmp(low).is_some_and(Ordering::is_ge) && cmp(high).is_some_and(Ordering::is_le)
            }
            SortKeyCondition::BeginsWith(prefix) => begins_with(value, prefix),
        }
    }
}

/// Checks a condition parsed from a KeyConditionExpression against the key schema (name and
/// type of the partition key and, if any, of the sort key) and extracts the key condition.
///
/// The condition must be one test per key combined with AND: `=` on the partition key, and
/// `= < <= > >=`, BETWEEN or begins_with on the sort key, each between the top-level key
/// attribute and values of its type. `:v < sk` is read as `sk > :v`. Messages are DynamoDB's;
/// those about the expression's shape carry the "Invalid KeyConditionExpression: " prefix,
/// those about the key schema do not.
pub fn key_condition(
    cond: Condition,
    partition_key: (&str, ScalarType),
    sort_key: Option<(&str, ScalarType)>,
) -> ApiResult<KeyCondition> {
    let parts = collect_parts(cond)?;
    let key_count = if sort_key.is_some() { 2 } else { 1 };
    if parts.len() > key_count {
        return Err(ApiError::validation(format!(
            "The number of query conditions ({}) exceeds the number of key attributes defined \
             in the schema ({key_count})",
            parts.len()
        )));
    }
    let partition = check_key(&parts, partition_key, true)?;
    let sort = match sort_key {
        Some(key) => check_key(&parts, key, false)?,
        None => None,
    };
    let Some(partition) = partition else {
        return Err(missed(partition_key.0));
    };
    let partition = match partition.into_sort_condition()? {
        SortKeyCondition::Eq(value) => value,
        _ => return Err(ApiError::validation("Query key condition not supported")),
    };
    let sort = sort.map(Part::into_sort_condition).transpose()?;
    Ok(KeyCondition { partition, sort })
}

/// The operator of one key test, with the key attribute on its left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyOp {
    Compare(Comparator),
    Between,
    BeginsWith,
}

/// One test: the key attribute it names, the operator and the values.
#[derive(Debug, Clone)]
struct Part {
    attr: String,
    op: KeyOp,
    values: Vec<AttributeValue>,
}

impl Part {
    fn into_sort_condition(self) -> ApiResult<SortKeyCondition> {
        let mut values = self.values.into_iter();
        let (first, second) = (values.next(), values.next());
        Ok(match (self.op, first, second) {
            (KeyOp::Compare(Comparator::Eq), Some(v), None) => SortKeyCondition::Eq(v),
            (KeyOp::Compare(Comparator::Lt), Some(v), None) => SortKeyCondition::Lt(v),
            (KeyOp::Compare(Comparator::Le), Some(v), None) => SortKeyCondition::Le(v),
            (KeyOp::Compare(Comparator::Gt), Some(v), None) => SortKeyCondition::Gt(v),
            (KeyOp::Compare(Comparator::Ge), Some(v), None) => SortKeyCondition::Ge(v),
            (KeyOp::Between, Some(low), Some(high)) => SortKeyCondition::Between(low, high),
            (KeyOp::BeginsWith, Some(v), None) => SortKeyCondition::BeginsWith(v),
            // `collect_parts` leaves exactly these shapes; anything else is not a key test.
            _ => return Err(ApiError::validation("Query key condition not supported")),
        })
    }
}

/// A key condition of the wrong shape. DynamoDB words these without the "Invalid
/// KeyConditionExpression: " prefix its operand-type errors carry (dynalite's AWS-derived
/// tests).
fn shape_error(detail: &str) -> ApiError {
    ApiError::validation(detail)
}

fn missed(key: &str) -> ApiError {
    ApiError::validation(format!("Query condition missed key schema element: {key}"))
}

/// Splits the ANDed tests apart, left to right, checking each test's shape and that no key
/// is tested twice. The first problem in text order is reported, as DynamoDB does.
fn collect_parts(cond: Condition) -> ApiResult<Vec<Part>> {
    let mut parts: Vec<Part> = Vec::new();
    // An explicit stack: a long AND chain must not recurse once per AND.
    let mut pending = vec![cond];
    while let Some(cond) = pending.pop() {
        let part = match cond {
            Condition::And(left, right) => {
                pending.push(*right);
                pending.push(*left);
                continue;
            }
            Condition::Or(..) => return Err(invalid_operator("OR")),
            Condition::Not(_) => return Err(invalid_operator("NOT")),
            Condition::In { .. } => return Err(invalid_operator("IN")),
            Condition::Compare {
                op: Comparator::Ne, ..
            } => return Err(invalid_operator("<>")),
            Condition::AttributeExists(_) => return Err(invalid_operator("attribute_exists")),
            Condition::AttributeNotExists(_) => {
                return Err(invalid_operator("attribute_not_exists"))
            }
            Condition::AttributeType(..) => return Err(invalid_operator("attribute_type")),
            Condition::Contains(..) => return Err(invalid_operator("contains")),
            Condition::Compare { op, left, right } => part(KeyOp::Compare(op), vec![left, right])?,
            Condition::Between { operand, low, high } => {
                require_key_first(&operand, "BETWEEN")?;
                part(KeyOp::Between, vec![operand, low, high])?
            }
            Condition::BeginsWith(operand, prefix) => {
                require_key_first(&operand, "begins_with")?;
                part(KeyOp::BeginsWith, vec![operand, prefix])?
            }
        };
        if parts.iter().any(|p| p.attr == part.attr) {
            return Err(shape_error(
                "KeyConditionExpressions must only contain one condition per key",
            ));
        }
        parts.push(part);
    }
    Ok(parts)
}

fn invalid_operator(op: &str) -> ApiError {
    shape_error(&format!(
        "Invalid operator used in KeyConditionExpression: {op}"
    ))
}

fn require_key_first(operand: &Operand, op: &str) -> ApiResult<()> {
    if matches!(operand, Operand::Path(_)) {
        return Ok(());
    }
    Err(shape_error(&format!(
        "Invalid condition in KeyConditionExpression: {op} operator must have the key \
         attribute as its first operand"
    )))
}

/// One test's operands: exactly one top-level attribute, the rest values. A comparison with
/// the attribute on the right is turned around.
fn part(op: KeyOp, operands: Vec<Operand>) -> ApiResult<Part> {
    let mut attr: Option<(String, usize)> = None;
    let mut values = Vec::new();
    for (i, operand) in operands.into_iter().enumerate() {
        match operand {
            Operand::Path(path) => {
                if attr.is_some() {
                    return Err(shape_error(
                        "Invalid condition in KeyConditionExpression: Multiple attribute names \
                         used in one condition",
                    ));
                }
                let name = match path.elements.len() {
                    1 => path.head().map(str::to_owned),
                    _ => None,
                };
                let Some(name) = name else {
                    return Err(shape_error(
                        "KeyConditionExpressions cannot have conditions on nested attributes",
                    ));
                };
                attr = Some((name, i));
            }
            Operand::Size(_) => {
                return Err(shape_error(
                    "KeyConditionExpressions cannot contain nested operations",
                ))
            }
            Operand::Value(value) => values.push(value),
        }
    }
    let Some((attr, position)) = attr else {
        return Err(shape_error(
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ));
    };
    let op = match op {
        KeyOp::Compare(c) if position != 0 => KeyOp::Compare(c.flipped()),
        other => other,
    };
    Ok(Part { attr, op, values })
}

/// The test on one key attribute, checked against the key's type; `Ok(None)` when a sort key
/// goes untested (the partition key never may, nor any key when something else is tested).
fn check_key(
    parts: &[Part],
    (name, key_type): (&str, ScalarType),
    is_partition: bool,
) -> ApiResult<Option<Part>> {
    let Some(part) = parts.iter().find(|p| p.attr == name) else {
        if is_partition || parts.len() > 1 {
            return Err(missed(name));
        }
        return Ok(None);
    };
    if part
        .values
        .iter()
        .any(|v| v.scalar_type() != Some(key_type))
    {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Condition parameter type does not match \
             schema type",
        ));
    }
    if part.op == KeyOp::BeginsWith && key_type == ScalarType::N {
        // The parser already rejects a numeric prefix; this guards hand-built conditions.
        return Err(ApiError::validation(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; \
             operator or function: begins_with, operand type: N",
        ));
    }
    if is_partition && part.op != KeyOp::Compare(Comparator::Eq) {
        return Err(ApiError::validation("Query key condition not supported"));
    }
    Ok(Some(part.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::testing::{num, parse_kind, s, show_value};
    use crate::expr::ExpressionKind;

    fn show_sort(sort: &SortKeyCondition) -> String {
        let v = show_value;
        match sort {
            SortKeyCondition::Eq(x) => format!("= {}", v(x)),
            SortKeyCondition::Lt(x) => format!("< {}", v(x)),
            SortKeyCondition::Le(x) => format!("<= {}", v(x)),
            SortKeyCondition::Gt(x) => format!("> {}", v(x)),
            SortKeyCondition::Ge(x) => format!(">= {}", v(x)),
            SortKeyCondition::Between(a, b) => format!("BETWEEN {} AND {}", v(a), v(b)),
            SortKeyCondition::BeginsWith(x) => format!("begins_with {}", v(x)),
        }
    }

    /// Parses `expr` as a KeyConditionExpression for a table keyed by `pk` (S) and, if
    /// `sort` names a type, `sk` of that type. Renders "<partition> | <sort or ->" or the error.
    fn check(expr: &str, sort: Option<ScalarType>, expected: &str) {
        let got = parse_kind(expr, ExpressionKind::KeyCondition)
            .and_then(|cond| {
                key_condition(cond, ("pk", ScalarType::S), sort.map(|t| ("sk", t)))
                    .map_err(|e| e.message())
            })
            .map(|key| {
                let sort = key.sort.as_ref().map_or("-".to_owned(), show_sort);
                format!("{} | {sort}", show_value(&key.partition))
            });
        let got = got.unwrap_or_else(|e| e.replace("Invalid KeyConditionExpression: ", "E: "));
        assert_eq!(got, expected, "{expr}");
    }

    /// Runs `check` on each line `<sort> <expression> => <expected>` of `table`, where
    /// `<sort>` is the sort key's type (`N`, `S`, `B`) or `-` for a table without one.
    fn check_table(table: &str) {
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (sort, rest) = line
                .split_once(' ')
                .expect("a line starts with the sort type");
            let (expr, expected) = rest.split_once(" => ").expect("then `expr => expected`");
            let sort = match sort {
                "-" => None,
                other => Some(ScalarType::parse(other).expect("N, S, B or -")),
            };
            check(expr.trim(), sort, expected.trim());
        }
    }

    #[test]
    fn key_condition_each_sort_operator_is_extracted() {
        check_table(
            r##"
            - pk = :s => "s" | -
            N pk = :s => "s" | -
            N pk = :s AND sk = :n1 => "s" | = 1
            N pk = :s AND sk < :n1 => "s" | < 1
            N pk = :s AND sk <= :n1 => "s" | <= 1
            N pk = :s AND sk > :n1 => "s" | > 1
            N pk = :s AND sk >= :n1 => "s" | >= 1
            N pk = :s AND sk BETWEEN :n1 AND :n5 => "s" | BETWEEN 1 AND 5
            S pk = :s AND begins_with(sk, :t) => "s" | begins_with "t"
            B pk = :s AND begins_with(sk, :bin) => "s" | begins_with b[1, 2]
            B pk = :s AND sk > :bin => "s" | > b[1, 2]
            N sk > :n1 AND pk = :s => "s" | > 1
            N #pk = :s AND #sk = :n1 => "s" | = 1
            N (pk = :s) AND (sk = :n1) => "s" | = 1
            N (pk = :s AND sk = :n1) => "s" | = 1
            - PK = :s => Query condition missed key schema element: pk
        "##,
        );
    }

    #[test]
    fn key_condition_value_first_comparisons_are_flipped() {
        check_table(
            r##"
            - :s = pk => "s" | -
            N :s = pk AND :n1 = sk => "s" | = 1
            N pk = :s AND :n1 < sk => "s" | > 1
            N pk = :s AND :n1 <= sk => "s" | >= 1
            N pk = :s AND :n1 > sk => "s" | < 1
            N pk = :s AND :n1 >= sk => "s" | <= 1
        "##,
        );
    }

    #[test]
    fn key_condition_other_operators_and_functions_are_rejected() {
        check_table(
            r##"
            N pk = :s OR sk = :n1 => Invalid operator used in KeyConditionExpression: OR
            - NOT pk = :s => Invalid operator used in KeyConditionExpression: NOT
            - pk IN (:s) => Invalid operator used in KeyConditionExpression: IN
            - pk <> :s => Invalid operator used in KeyConditionExpression: <>
            - attribute_exists(pk) => Invalid operator used in KeyConditionExpression: attribute_exists
            - attribute_not_exists(pk) => Invalid operator used in KeyConditionExpression: attribute_not_exists
            - attribute_type(pk, :typeS) => Invalid operator used in KeyConditionExpression: attribute_type
            - contains(pk, :s) => Invalid operator used in KeyConditionExpression: contains
            N pk = :s AND (sk = :n1 OR sk = :n5) => Invalid operator used in KeyConditionExpression: OR
            - size(pk) = :n1 => KeyConditionExpressions cannot contain nested operations
            N pk = size(sk) => KeyConditionExpressions cannot contain nested operations
        "##,
        );
    }

    #[test]
    fn key_condition_malformed_tests_are_rejected_in_text_order() {
        check_table(
            r##"
            N :n1 BETWEEN sk AND :n5 => Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand
            S begins_with(:t, sk) => Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand
            N pk = sk => Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            N sk BETWEEN pk AND :n5 => Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            S begins_with(pk, sk) => Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            - b > a.b => Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            - pk.x = :s => KeyConditionExpressions cannot have conditions on nested attributes
            - pk[0] = :s => KeyConditionExpressions cannot have conditions on nested attributes
            S pk = :s AND begins_with(sk.x, :t) => KeyConditionExpressions cannot have conditions on nested attributes
            - extra.x = :s => KeyConditionExpressions cannot have conditions on nested attributes
            - b.d > :s AND size(e) > :n1 => KeyConditionExpressions cannot have conditions on nested attributes
            - size(b) > a AND a.b > :s => KeyConditionExpressions cannot contain nested operations
            - :s = :t => Invalid condition in KeyConditionExpression: No key attribute specified
            N pk = :s AND :n1 < :n5 => Invalid condition in KeyConditionExpression: No key attribute specified
            - pk = :s AND pk = :t => KeyConditionExpressions must only contain one condition per key
            N pk = :s AND sk > :n1 AND sk < :n5 => KeyConditionExpressions must only contain one condition per key
        "##,
        );
    }

    #[test]
    fn key_condition_schema_mismatches_are_rejected() {
        check_table(
            r##"
            N pk = :s AND sk > :n1 AND extra = :n5 => The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)
            - pk = :s AND sk = :n1 => The number of query conditions (2) exceeds the number of key attributes defined in the schema (1)
            - extra = :s => Query condition missed key schema element: pk
            N extra = :s => Query condition missed key schema element: pk
            N sk = :n1 => Query condition missed key schema element: pk
            N sk BETWEEN :n1 AND :n5 => Query condition missed key schema element: pk
            N pk = :s AND extra = :n1 => Query condition missed key schema element: sk
            - pk > :s => Query key condition not supported
            - pk BETWEEN :s AND :t => Query key condition not supported
            - begins_with(pk, :s) => Query key condition not supported
            - pk = :n1 => One or more parameter values were invalid: Condition parameter type does not match schema type
            - :n1 > pk => One or more parameter values were invalid: Condition parameter type does not match schema type
            N pk = :s AND sk = :s => One or more parameter values were invalid: Condition parameter type does not match schema type
            S pk = :s AND sk BETWEEN :n1 AND :n5 => One or more parameter values were invalid: Condition parameter type does not match schema type
            N pk = :s AND begins_with(sk, :t) => One or more parameter values were invalid: Condition parameter type does not match schema type
            N pk = :s AND sk = :bool => One or more parameter values were invalid: Condition parameter type does not match schema type
        "##,
        );
    }

    #[test]
    fn key_condition_expression_errors_come_from_the_parser() {
        check_table(
            r##"
            N pk = :s AND begins_with(sk, :n1) => E: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N
            N pk = :s AND sk < :bool => E: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL
            N pk = :s AND sk BETWEEN :n5 AND :n1 => E: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}
            N pk = :s AND sk BETWEEN :n1 AND :s => E: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:s}
            N pk = :s AND dog(sk, :n1) => E: Invalid function name; function: dog
            N pk = :s AND sk != :n1 => E: Syntax error; token: "!", near: "sk !="
        "##,
        );
        check("", None, "E: The expression can not be empty;");
    }

    #[test]
    fn key_condition_hand_built_begins_with_on_a_number_key_is_rejected() {
        let cond = Condition::And(
            Box::new(Condition::Compare {
                op: Comparator::Eq,
                left: Operand::Path(crate::expr::Path::attribute("pk")),
                right: Operand::Value(s("p")),
            }),
            Box::new(Condition::BeginsWith(
                Operand::Path(crate::expr::Path::attribute("sk")),
                Operand::Value(num("1")),
            )),
        );
        let err = key_condition(cond, ("pk", ScalarType::S), Some(("sk", ScalarType::N)));
        assert_eq!(
            err.unwrap_err().message(),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; \
             operator or function: begins_with, operand type: N"
        );
    }

    fn check_matches(cond: SortKeyCondition, value: AttributeValue, expected: bool) {
        assert_eq!(cond.matches(&value), expected, "{cond:?} on {value:?}");
    }

    #[test]
    fn sort_key_condition_matches_in_dynamodb_order() {
        use SortKeyCondition::*;
        check_matches(Eq(num("5")), num("5"), true);
        check_matches(Eq(num("5")), s("5"), false);
        check_matches(Lt(num("10")), num("9"), true);
        check_matches(Lt(s("10")), s("9"), false);
        check_matches(Le(num("5")), num("5"), true);
        check_matches(Gt(num("5")), num("5"), false);
        check_matches(Ge(num("5")), num("5"), true);
        check_matches(Gt(s("a")), s("B"), false);
        check_matches(Gt(s("z")), s("é"), true);
        check_matches(
            Lt(AttributeValue::B(vec![0x7f])),
            AttributeValue::B(vec![0x80]),
            false,
        );
        check_matches(Between(num("1"), num("5")), num("1"), true);
        check_matches(Between(num("1"), num("5")), num("5"), true);
        check_matches(Between(num("1"), num("5")), num("6"), false);
        check_matches(Between(num("5"), num("1")), num("3"), false);
        check_matches(BeginsWith(s("ab")), s("abc"), true);
        check_matches(BeginsWith(s("ab")), s("a"), false);
        check_matches(
            BeginsWith(AttributeValue::B(vec![1])),
            AttributeValue::B(vec![1, 2]),
            true,
        );
        check_matches(BeginsWith(s("1")), num("12"), false);
    }
}
