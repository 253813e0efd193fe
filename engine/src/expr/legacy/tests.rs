//! Legacy parameter tests: one line per case, with values written compactly (see [`v`]) and
//! conditions rendered by the shared `show` helper.

use super::*;
use crate::api::{ComparisonOperator as Op, ConditionalOperator as CondOp};
use crate::expr::evaluate;
use crate::expr::testing::{show, show_path, show_value};
use crate::model::{Item, Number};

const P: &str = "One or more parameter values were invalid: ";

/// A compact value: `S:text`, `N:5`, `B:1|2` (bytes), `BOOL:true`, `NULL`, `SS:a,b`,
/// `NS:1,2`, `BS:1,2|3` (elements split by `,`, bytes by `|`), `L:a,b` (a list of strings),
/// `M:k` (the map `{k: "v"}`). An empty element list (`SS:`) is an empty set.
fn v(text: &str) -> AttributeValue {
    let (kind, body) = text.split_once(':').unwrap_or((text, ""));
    let items = || body.split(',').filter(|e| !e.is_empty());
    let bytes = |e: &str| -> Vec<u8> { e.split('|').map(|b| b.parse().unwrap()).collect() };
    let number = |e: &str| Number::parse(e).unwrap();
    match kind {
        "S" => AttributeValue::S(body.to_owned()),
        "N" => AttributeValue::N(number(body)),
        "B" if body.is_empty() => AttributeValue::B(Vec::new()),
        "B" => AttributeValue::B(bytes(body)),
        "BOOL" => AttributeValue::Bool(body == "true"),
        "NULL" => AttributeValue::Null,
        "SS" => AttributeValue::Ss(items().map(str::to_owned).collect()),
        "NS" => AttributeValue::Ns(items().map(number).collect()),
        "BS" => AttributeValue::Bs(items().map(bytes).collect()),
        "L" => AttributeValue::L(items().map(|e| AttributeValue::S(e.to_owned())).collect()),
        "M" => AttributeValue::M([(body.to_owned(), AttributeValue::S("v".into()))].into()),
        other => panic!("unknown value kind {other}"),
    }
}

/// Space-separated compact values.
fn vs(text: &str) -> Vec<AttributeValue> {
    text.split_whitespace().map(v).collect()
}

fn op(name: &str) -> Op {
    use Op::*;
    match name {
        "EQ" => Eq,
        "NE" => Ne,
        "IN" => In,
        "LE" => Le,
        "LT" => Lt,
        "GE" => Ge,
        "GT" => Gt,
        "BETWEEN" => Between,
        "NOT_NULL" => NotNull,
        "NULL" => Null,
        "CONTAINS" => Contains,
        "NOT_CONTAINS" => NotContains,
        "BEGINS_WITH" => BeginsWith,
        other => panic!("unknown operator {other}"),
    }
}

/// A filter or key condition: `OP value...`.
fn cond(text: &str) -> LegacyCondition {
    let (name, values) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    LegacyCondition {
        comparison_operator: op(name),
        attribute_value_list: Some(vs(values)),
    }
}

/// A map of conditions: `attr OP value... ; attr OP value...`.
fn conds(text: &str) -> Conditions {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (attr, rest) = part.split_once(' ').unwrap_or((part, ""));
            (attr.to_owned(), cond(rest))
        })
        .collect()
}

/// The error message, `P ` standing for "One or more parameter values were invalid: ".
fn message<T>(result: ApiResult<T>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.message().replace(P, "P "),
    }
}

fn show_or_none(cond: Option<Condition>) -> String {
    cond.as_ref().map_or("none".to_owned(), show)
}

fn lines(table: &str) -> impl Iterator<Item = (&str, &str)> {
    table
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (input, expected) = line
                .split_once("=>")
                .expect("a line is `input => expected`");
            (input.trim(), expected.trim())
        })
}

// --- check_mixing, check_conditional_operator, attributes_to_get ---

#[test]
fn check_mixing_lists_given_parameters_in_declared_order() {
    // Each line: `<expression params> | <legacy params> => <expected>`, each parameter in the
    // operation's declared order, `!` marking one the request lacks.
    let table = r#"
        ConditionExpression | Expected => {Expected} / {ConditionExpression}
        !ConditionExpression | Expected => ok
        ConditionExpression | !Expected => ok
        ProjectionExpression FilterExpression KeyConditionExpression | AttributesToGet QueryFilter ConditionalOperator KeyConditions => {AttributesToGet, QueryFilter, ConditionalOperator, KeyConditions} / {ProjectionExpression, FilterExpression, KeyConditionExpression}
        ProjectionExpression FilterExpression !KeyConditionExpression | AttributesToGet QueryFilter ConditionalOperator KeyConditions => {AttributesToGet, QueryFilter, ConditionalOperator} / {ProjectionExpression, FilterExpression}
        !ProjectionExpression FilterExpression !KeyConditionExpression | !AttributesToGet !QueryFilter !ConditionalOperator KeyConditions => ok
        !ProjectionExpression !FilterExpression KeyConditionExpression | !AttributesToGet !QueryFilter !ConditionalOperator KeyConditions => {KeyConditions} / {KeyConditionExpression}
        !ProjectionExpression !FilterExpression !KeyConditionExpression | AttributesToGet QueryFilter ConditionalOperator KeyConditions => ok
        ProjectionExpression !FilterExpression | !AttributesToGet ScanFilter !ConditionalOperator => {ScanFilter} / {ProjectionExpression}
    "#;
    let params = |text: &'static str| -> Vec<(&'static str, bool)> {
        let given = |name: &'static str| match name.strip_prefix('!') {
            Some(name) => (name, false),
            None => (name, true),
        };
        text.split_whitespace().map(given).collect()
    };
    for (input, want) in lines(table) {
        let (exprs, legacy) = input.split_once('|').expect("`expressions | legacy`");
        let got = message(check_mixing(&params(exprs), &params(legacy)));
        let want = match want.split_once(" / ") {
            Some((legacy, exprs)) => format!(
                "Can not use both expression and non-expression parameters in the same \
                 request: Non-expression parameters: {legacy} Expression parameters: {exprs}"
            ),
            None => want.to_owned(),
        };
        assert_eq!(got, want, "{input}");
    }
}

#[test]
fn check_conditional_operator_needs_two_or_more_conditions() {
    // Each line: `<operator or -> <entry count or -> => <expected>`.
    let table = "
        - - => ok
        - 1 => ok
        AND - => ConditionalOperator cannot be used without Filter or Expected
        OR 0 => ConditionalOperator can only be used when Filter or Expected has two or more elements
        OR 1 => ConditionalOperator can only be used when Filter or Expected has two or more elements
        AND 2 => ok
        OR 3 => ok
    ";
    for (input, want) in lines(table) {
        let (op, count) = input.split_once(' ').expect("`operator count`");
        let op = match op {
            "AND" => Some(CondOp::And),
            "OR" => Some(CondOp::Or),
            _ => None,
        };
        let got = message(check_conditional_operator(op, count.parse().ok()));
        assert_eq!(got, want, "{input}");
    }
}

#[test]
fn attributes_to_get_names_become_literal_paths_and_duplicates_fail() {
    let check = |names: &[&str], expected: &str| {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let got = match attributes_to_get(&names) {
            Ok(paths) => paths.iter().map(show_path).collect::<Vec<_>>().join(" | "),
            Err(e) => message::<()>(Err(e)),
        };
        assert_eq!(got, expected, "{names:?}");
    };
    check(&["a", "b"], "a | b");
    check(&["a.b", "c[0]"], "`a.b` | c[0]");
    check(&[], "");
    check(&["a", "b", "a"], "P Duplicate value in attribute name: a");
    check(
        &["a", "b", "b", "a"],
        "P Duplicate value in attribute name: b",
    );
    let paths = attributes_to_get(&["c[0]".to_owned()]).unwrap();
    assert_eq!(paths, vec![Path::attribute("c[0]")]);
}

// --- Expected ---

/// An `Expected` entry: `value / exists / op / list`, each `-` when absent; `value` and the
/// space-separated `list` in the compact form of [`v`], `()` for an empty list.
fn entry(text: &str) -> ExpectedAttributeValue {
    let fields: Vec<&str> = text.split(" / ").map(str::trim).collect();
    let [value, exists, op_name, list] = fields[..] else {
        panic!("an entry is `value / exists / op / list`: {text}");
    };
    let given = |field: &str| (field != "-").then_some(field.to_owned());
    ExpectedAttributeValue {
        value: given(value).map(|x| v(&x)),
        exists: given(exists).map(|x| x == "true"),
        comparison_operator: given(op_name).map(|x| op(&x)),
        attribute_value_list: given(list).map(|x| vs(x.trim_matches(['(', ')']))),
    }
}

/// Entries `attr: entry` joined by ` ; `, combined with `op`; the condition or the error.
fn expected(text: &str, op: Option<CondOp>) -> String {
    let map: Expected = text
        .split(" ; ")
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (attr, e) = part.split_once(':').expect("`attr: entry`");
            (attr.trim().to_owned(), entry(e))
        })
        .collect();
    match expected_condition(&map, op) {
        Ok(cond) => show_or_none(cond),
        Err(e) => message::<()>(Err(e)),
    }
}

/// Each line: `<entries> => <condition or error>`, combined with AND.
fn check_expected_table(table: &str) {
    for (input, want) in lines(table) {
        assert_eq!(expected(input, None), want, "{input}");
    }
}

#[test]
fn expected_condition_each_invalid_entry_gets_dynalite_message() {
    check_expected_table(
        r#"
        a: - / - / - / - => P Value must be provided when Exists is null for Attribute: a
        a: - / true / - / - => P Value must be provided when Exists is true for Attribute: a
        a: S:a / false / - / - => P Value cannot be used when Exists is false for Attribute: a
        a: - / - / LT / - => P Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a
        a: - / - / IN / - => P Value or AttributeValueList must be used with ComparisonOperator: IN for Attribute: a
        a: - / true / LT / - => P Exists and ComparisonOperator cannot be used together for Attribute: a
        a: - / false / EQ / - => P Exists and ComparisonOperator cannot be used together for Attribute: a
        a: S:a / - / LT / S:a => P Value and AttributeValueList cannot be used together for Attribute: a
        a: S:a / true / LT / S:a => P Value and AttributeValueList cannot be used together for Attribute: a
        a: S:a / false / - / S:a => P Value and AttributeValueList cannot be used together for Attribute: a
        a: - / - / - / S:a => P AttributeValueList can only be used with a ComparisonOperator for Attribute: a
        a: - / true / - / S:a => P AttributeValueList can only be used with a ComparisonOperator for Attribute: a
        a: - / - / EQ / () => P Invalid number of argument(s) for the EQ ComparisonOperator
        a: - / - / NULL / S:a => P Invalid number of argument(s) for the NULL ComparisonOperator
        a: - / - / IN / () => P Invalid number of argument(s) for the IN ComparisonOperator
        a: - / - / BETWEEN / N:1 N:10 N:12 => P Invalid number of argument(s) for the BETWEEN ComparisonOperator
        a: S:a / - / NULL / - => P Invalid number of argument(s) for the NULL ComparisonOperator
        a: S:a / - / BETWEEN / - => P Invalid number of argument(s) for the BETWEEN ComparisonOperator
        a: - / - / IN / S:a N:1 => P AttributeValues inside AttributeValueList must be of same type
        a: - / - / BETWEEN / S:b S:a => The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
        a: - / - / BETWEEN / N:10 N:9 => The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
        a: SS:a,a / - / - / - => P Input collection [a, a] contains duplicates.
        a: - / - / EQ / SS: => P An string set  may not be empty
        a: - / - / EQ / NS:1,1 => Input collection contains duplicates
        b: - / true / - / - ; a: - / - / LT / - ; c: S:x / - / - / - => P Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a
        "#,
    );
}

#[test]
fn expected_condition_converts_each_form() {
    // No per-operator operand types here, unlike the filters: `GT SS`, `EQ BOOL` pass.
    check_expected_table(
        r#"
        a: S:x / - / - / - => (a = "x")
        a: S:x / true / - / - => (a = "x")
        a: - / false / - / - => attribute_not_exists(a)
        a: SS:b,a / - / - / - => (a = SS["a", "b"])
        a: S:x / - / EQ / - => (a = "x")
        a: S:x / - / IN / - => (a IN ("x"))
        a: - / - / EQ / N:1 => (a = 1)
        a: - / - / NE / N:1 => (a <> 1)
        a: - / - / LT / N:1 => (a < 1)
        a: - / - / LE / N:1 => (a <= 1)
        a: - / - / GT / N:1 => (a > 1)
        a: - / - / GE / N:1 => (a >= 1)
        a: - / - / BETWEEN / N:1 N:5 => (a BETWEEN 1 AND 5)
        a: - / - / BETWEEN / N:5 N:5 => (a BETWEEN 5 AND 5)
        a: - / - / IN / N:1 N:2 N:3 => (a IN (1, 2, 3))
        a: - / - / BEGINS_WITH / S:x => begins_with(a, "x")
        a: - / - / CONTAINS / S:x => contains(a, "x")
        a: - / - / NOT_CONTAINS / S:x => (NOT contains(a, "x"))
        a: - / - / NULL / - => attribute_not_exists(a)
        a: - / - / NULL / () => attribute_not_exists(a)
        a: - / - / NOT_NULL / - => attribute_exists(a)
        a: - / - / GT / SS:a => (a > SS["a"])
        a: - / - / EQ / BOOL:true => (a = true)
        a.b: - / false / - / - => attribute_not_exists(`a.b`)
        => none
        "#,
    );
}

#[test]
fn expected_condition_combines_by_name_with_and_or_or() {
    let three = "c: S:z / - / - / - ; a: S:x / - / - / - ; b: S:y / - / - / -";
    let and = r#"(((a = "x") AND (b = "y")) AND (c = "z"))"#;
    assert_eq!(expected(three, None), and);
    assert_eq!(expected(three, Some(CondOp::And)), and);
    let or = r#"(((a = "x") OR (b = "y")) OR (c = "z"))"#;
    assert_eq!(expected(three, Some(CondOp::Or)), or);
    assert_eq!(
        expected("c: S:z / - / - / -", Some(CondOp::Or)),
        r#"(c = "z")"#
    );
    assert_eq!(expected("", Some(CondOp::Or)), "none");
}

// --- Evaluation semantics ---

/// Evaluates `OP value...` on attribute `a` of an item holding `attr` (`-`: no attribute),
/// through `Expected` and, when the filter rules accept the operands, through a filter too.
fn check_eval(text: &str, attr: &str, expected: bool) {
    let c = cond(text);
    let mut item = Item::new();
    if attr != "-" {
        let mut value = v(attr);
        value.normalize(1).unwrap();
        item.insert("a".to_owned(), value);
    }
    let map = Expected::from([(
        "a".to_owned(),
        ExpectedAttributeValue {
            comparison_operator: Some(c.comparison_operator),
            attribute_value_list: c.attribute_value_list.clone(),
            ..Default::default()
        },
    )]);
    let from_expected = expected_condition(&map, None).unwrap().unwrap();
    assert_eq!(
        evaluate(&from_expected, &item),
        expected,
        "Expected {text} on {attr}"
    );
    if let Ok(filter) = filter_conditions(&Conditions::from([("a".to_owned(), c)]), None) {
        let filter = filter.unwrap();
        assert_eq!(
            evaluate(&filter, &item),
            expected,
            "filter {text} on {attr}"
        );
    }
}

fn check_eval_table(table: &str) {
    for (input, expected) in lines(table) {
        let (text, attr) = input.split_once(';').expect("`OP values ; attribute`");
        let expected = match expected {
            "true" => true,
            "false" => false,
            other => panic!("expected true or false, got {other}"),
        };
        check_eval(text.trim(), attr.trim(), expected);
    }
}

#[test]
fn evaluate_eq_and_ne_match_type_and_value_and_ignore_set_order() {
    check_eval_table(
        r#"
        EQ S:a ; S:a => true
        EQ S:a ; S:b => false
        EQ S:1 ; N:1 => false
        EQ N:1 ; N:1.0 => true
        EQ N:1 ; NS:1 => false
        EQ B:1|2 ; B:1|2 => true
        EQ B:1 ; B:1|2 => false
        EQ SS:a,b ; SS:b,a => true
        EQ SS:a ; SS:a,b => false
        EQ NS:2,1 ; NS:1,2 => true
        EQ BS:2,1 ; BS:1,2 => true
        EQ BOOL:true ; BOOL:true => true
        EQ NULL ; NULL => true
        EQ L:a,b ; L:a,b => true
        EQ L:a,b ; L:b,a => false
        EQ M:k ; M:k => true
        EQ S:a ; - => false
        NE S:a ; S:a => false
        NE S:a ; S:b => true
        NE S:1 ; N:1 => true
        NE SS:a,b ; SS:b,a => false
        NE NS:1 ; NS:2 => true
        NE S:a ; - => true
        "#,
    );
}

#[test]
fn evaluate_ordering_operators_compare_numbers_strings_and_binaries() {
    check_eval_table(
        r#"
        LT N:10 ; N:9 => true
        LT N:5 ; N:5 => false
        LT N:-1 ; N:-2 => true
        LT S:b ; S:a => true
        LT S:a ; S:B => true
        LT S:10 ; S:9 => false
        LT B:2 ; B:1|9 => true
        LT B:127 ; B:128 => false
        LT N:5 ; S:4 => false
        LT S:b ; SS:a => false
        LT N:5 ; - => false
        LE N:5 ; N:5 => true
        LE N:5 ; N:6 => false
        LE S:a ; S:a => true
        LE B:1 ; B:1 => true
        LE N:5 ; - => false
        GT N:5 ; N:6 => true
        GT N:5 ; N:5 => false
        GT S:z ; S:é => true
        GT B:1 ; B:1|0 => true
        GT N:5 ; S:6 => false
        GT N:5 ; - => false
        GE N:5 ; N:5 => true
        GE S:b ; S:a => false
        GE B:1 ; B:2 => true
        GE S:a ; - => false
        "#,
    );
}

#[test]
fn evaluate_between_and_in_are_inclusive_and_typed() {
    check_eval_table(
        r#"
        BETWEEN N:1 N:5 ; N:1 => true
        BETWEEN N:1 N:5 ; N:5 => true
        BETWEEN N:1 N:5 ; N:3.5 => true
        BETWEEN N:1 N:5 ; N:6 => false
        BETWEEN N:1 N:5 ; N:0 => false
        BETWEEN S:a S:c ; S:b => true
        BETWEEN S:a S:c ; S:d => false
        BETWEEN B:1 B:3 ; B:2 => true
        BETWEEN B:1 B:3 ; B:3|1 => false
        BETWEEN N:1 N:5 ; S:3 => false
        BETWEEN N:1 N:5 ; NS:3 => false
        BETWEEN N:1 N:5 ; - => false
        IN S:a S:b ; S:b => true
        IN S:a S:b ; S:c => false
        IN N:1 ; N:1 => true
        IN N:1 N:2 ; N:2.0 => true
        IN N:1 ; S:1 => false
        IN N:1 ; NS:1 => false
        IN B:1 ; B:1 => true
        IN N:1 ; - => false
        "#,
    );
}

#[test]
fn evaluate_begins_with_takes_strings_and_binaries_of_the_same_type() {
    check_eval_table(
        r#"
        BEGINS_WITH S:ab ; S:abc => true
        BEGINS_WITH S:ab ; S:ab => true
        BEGINS_WITH S:ab ; S:a => false
        BEGINS_WITH S:b ; S:abc => false
        BEGINS_WITH S: ; S:abc => true
        BEGINS_WITH S:ab ; SS:abc => false
        BEGINS_WITH S:ab ; L:abc => false
        BEGINS_WITH B:1 ; B:1|2 => true
        BEGINS_WITH B:2 ; B:1|2 => false
        BEGINS_WITH B:1 ; S:1 => false
        BEGINS_WITH S:1 ; N:12 => false
        BEGINS_WITH S:a ; - => false
        "#,
    );
}

#[test]
fn evaluate_contains_and_not_contains_are_exact_complements() {
    // NOT_CONTAINS is true exactly where CONTAINS is false, missing attributes and other
    // types included (dynalite's `compare`); lists are searched by element (DynamoDB docs).
    let table = r#"
        S:ell ; S:hello => true
        S:x ; S:hello => false
        S: ; S:hello => true
        S:a ; SS:a,b => true
        S:c ; SS:a,b => false
        N:1 ; NS:1,2 => true
        N:3 ; NS:1,2 => false
        N:1 ; N:1 => false
        N:1 ; N:12 => false
        S:1 ; N:1 => false
        S:1 ; NS:1 => false
        B:2 ; B:1|2|3 => true
        B:2|3 ; B:1|2|3 => true
        B:3|2 ; B:1|2|3 => false
        B:1 ; BS:1,2 => true
        B:3 ; BS:1,2 => false
        S:a ; L:a,b => true
        S:c ; L:a,b => false
        S:a ; M:a => false
        S:a ; BOOL:true => false
        S:a ; - => false
        "#;
    for (input, expected) in lines(table) {
        let (operand, attr) = input.split_once(';').unwrap();
        let contains: bool = expected.parse().unwrap();
        let (operand, attr) = (operand.trim(), attr.trim());
        check_eval(&format!("CONTAINS {operand}"), attr, contains);
        check_eval(&format!("NOT_CONTAINS {operand}"), attr, !contains);
    }
}

#[test]
fn evaluate_null_and_not_null_test_presence_only() {
    check_eval_table(
        r#"
        NULL ; - => true
        NULL ; S:a => false
        NULL ; NULL => false
        NULL ; S: => false
        NOT_NULL ; S:a => true
        NOT_NULL ; NULL => true
        NOT_NULL ; BOOL:false => true
        NOT_NULL ; - => false
        "#,
    );
}

#[test]
fn evaluate_exists_and_value_forms_of_expected() {
    let check = |e: &str, attr: Option<&str>, want: bool| {
        let item: Item = attr.map(|a| ("a".to_owned(), v(a))).into_iter().collect();
        let map = Expected::from([("a".to_owned(), entry(e))]);
        let cond = expected_condition(&map, None).unwrap().unwrap();
        assert_eq!(evaluate(&cond, &item), want, "{e} on {attr:?}");
    };
    check("S:x / - / - / -", Some("S:x"), true);
    check("S:x / - / - / -", Some("S:y"), false);
    check("S:x / - / - / -", None, false);
    // Exists: true with a Value tests equality, not mere presence (dynalite tests presence).
    check("S:x / true / - / -", Some("S:x"), true);
    check("S:x / true / - / -", Some("S:y"), false);
    check("- / false / - / -", None, true);
    check("- / false / - / -", Some("S:x"), false);
}

#[test]
fn evaluate_conditional_operator_and_needs_all_or_needs_any() {
    let check = |op: Option<CondOp>, item: &[(&str, &str)], expected: bool| {
        let filter = conds("a EQ S:x ; b EQ S:y ; c NULL");
        let cond = filter_conditions(&filter, op).unwrap().unwrap();
        let item: Item = item.iter().map(|(k, x)| (k.to_string(), v(x))).collect();
        assert_eq!(evaluate(&cond, &item), expected, "{op:?} {item:?}");
    };
    check(None, &[("a", "S:x"), ("b", "S:y")], true);
    check(None, &[("a", "S:x"), ("b", "S:n")], false);
    check(None, &[("a", "S:x"), ("b", "S:y"), ("c", "S:z")], false);
    check(Some(CondOp::And), &[("a", "S:x"), ("b", "S:y")], true);
    check(
        Some(CondOp::Or),
        &[("a", "S:n"), ("b", "S:n"), ("c", "S:z")],
        false,
    );
    // The first condition fails and a later one holds: OR is a true disjunction.
    check(
        Some(CondOp::Or),
        &[("a", "S:n"), ("b", "S:y"), ("c", "S:z")],
        true,
    );
    check(Some(CondOp::Or), &[("a", "S:n"), ("c", "S:z")], false);
    check(Some(CondOp::Or), &[("a", "S:n")], true);
}

// --- QueryFilter / ScanFilter ---

fn check_filter_table(table: &str) {
    for (input, expected) in lines(table) {
        let got = match filter_conditions(&conds(input), None) {
            Ok(cond) => show_or_none(cond),
            Err(e) => message::<()>(Err(e)),
        };
        assert_eq!(got, expected, "{input}");
    }
}

#[test]
fn filter_conditions_checks_operand_counts_per_operator() {
    let mut table = String::new();
    for name in "EQ NE LE LT GE GT CONTAINS NOT_CONTAINS BEGINS_WITH".split(' ') {
        table += &format!("a {name} => {name}\na {name} S:a S:a => {name}\n");
    }
    table += "
        a IN => IN
        a BETWEEN => BETWEEN
        a BETWEEN S:a => BETWEEN
        a BETWEEN S:a S:a S:a => BETWEEN
        a NULL S:a => NULL
        a NOT_NULL S:a => NOT_NULL
        a NULL S:a S:a => NULL
    ";
    for (input, name) in lines(&table) {
        let got = message(filter_conditions(&conds(input), None));
        let want = format!("P Invalid number of argument(s) for the {name} ComparisonOperator");
        assert_eq!(got, want, "{input}");
    }
    let absent = LegacyCondition {
        comparison_operator: Op::Eq,
        attribute_value_list: None,
    };
    assert_eq!(
        message(filter_conditions(
            &Conditions::from([("a".to_owned(), absent)]),
            None
        )),
        "P Invalid number of argument(s) for the EQ ComparisonOperator"
    );
}

#[test]
fn filter_conditions_checks_operand_types_per_operator() {
    // Each line: `<operators> => <operands each accepts> / <operands each refuses>`.
    let table = "
        LT LE GT GE IN CONTAINS NOT_CONTAINS => S:a N:1 B:1 / BOOL:true NULL SS:a NS:1 BS:1 M:k L:a
        BETWEEN => S:a N:1 B:1 / BOOL:true NULL SS:a NS:1 BS:1 M:k L:a
        EQ NE => S:a N:1 B:1 SS:a NS:1 BS:1 BOOL:true NULL M:k L:a /
        BEGINS_WITH => S:a B:1 / N:1 BOOL:true NULL SS:a NS:1 BS:1 M:k L:a
    ";
    for (names, operands) in lines(table) {
        let (accepted, refused) = operands.split_once('/').expect("`accepted / refused`");
        for name in names.split_whitespace() {
            let check = |value: &str, want: String| {
                let value = if name == "BETWEEN" {
                    format!("{value} {value}")
                } else {
                    value.to_owned()
                };
                let got = message(filter_conditions(
                    &conds(&format!("a {name} {value}")),
                    None,
                ));
                assert_eq!(got, want, "{name} {value}");
            };
            for value in accepted.split_whitespace() {
                check(value, "ok".to_owned());
            }
            for value in refused.split_whitespace() {
                let t = v(value).type_name();
                check(
                    value,
                    format!("P ComparisonOperator {name} is not valid for {t} AttributeValue type"),
                );
            }
        }
    }
}

#[test]
fn filter_conditions_checks_in_dynalite_order() {
    check_filter_table(
        r#"
        a IN S:b N:1 => P AttributeValues inside AttributeValueList must be of same type
        a IN SS:a S:b => P AttributeValues inside AttributeValueList must be of same type
        a IN SS:a SS:b => P ComparisonOperator IN is not valid for SS AttributeValue type
        a BETWEEN S:b S:a => The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
        a BETWEEN N:10 N:9 => The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
        a BETWEEN B:2 B:1|9 => The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
        a BETWEEN N:9 N:10 => (a BETWEEN 9 AND 10)
        a BETWEEN S:a S:a => (a BETWEEN "a" AND "a")
        a EQ SS:a,a => P Input collection [a, a] contains duplicates.
        a NULL SS:a,a => P Input collection [a, a] contains duplicates.
        a EQ NS: => P An number set  may not be empty
        a EQ BS:1,1 => P Input collection [AQ==, AQ==]of type BS contains duplicates.
        a BETWEEN SS:a S:a => P AttributeValues inside AttributeValueList must be of same type
        a BEGINS_WITH N:1 N:2 => P Invalid number of argument(s) for the BEGINS_WITH ComparisonOperator
        b EQ => P Invalid number of argument(s) for the EQ ComparisonOperator
        b EQ ; a NE => P Invalid number of argument(s) for the NE ComparisonOperator
        b EQ ; c NULL ; a LT S:a => P Invalid number of argument(s) for the EQ ComparisonOperator
        => none
        "#,
    );
}

#[test]
fn filter_conditions_converts_each_operator() {
    check_filter_table(
        r#"
        a EQ S:x => (a = "x")
        a EQ NS:2,1 => (a = NS[1, 2])
        a NE B:1 => (a <> b[1])
        a LT N:1 => (a < 1)
        a LE N:1 => (a <= 1)
        a GT N:1 => (a > 1)
        a GE N:1 => (a >= 1)
        a BETWEEN S:a S:b => (a BETWEEN "a" AND "b")
        a IN S:a => (a IN ("a"))
        a IN N:3 N:1 N:2 => (a IN (3, 1, 2))
        a BEGINS_WITH B:1|2 => begins_with(a, b[1, 2])
        a CONTAINS N:1 => contains(a, 1)
        a NOT_CONTAINS S:x => (NOT contains(a, "x"))
        a NULL => attribute_not_exists(a)
        a NOT_NULL => attribute_exists(a)
        x.y NULL => attribute_not_exists(`x.y`)
        b NULL ; a NOT_NULL => (attribute_exists(a) AND attribute_not_exists(b))
        e NULL ; d NULL ; c NULL ; b NULL ; a NULL => (((attribute_not_exists(a) AND attribute_not_exists(b)) AND (attribute_not_exists(c) AND attribute_not_exists(d))) AND attribute_not_exists(e))
        "#,
    );
    let or = filter_conditions(&conds("b NULL ; a NOT_NULL"), Some(CondOp::Or)).unwrap();
    assert_eq!(
        show_or_none(or),
        "(attribute_exists(a) OR attribute_not_exists(b))"
    );
}

// --- KeyConditions ---

/// Runs [`key_conditions`] for a table keyed by `pk` (S) and, unless `sort` is `-`, `sk` of
/// that type; renders `<partition> | <sort or ->` or the error.
fn check_key(input: &str, sort: &str, expected: &str) {
    let sort_key = match sort {
        "-" => None,
        t => Some(("sk", ScalarType::parse(t).expect("S, N, B or -"))),
    };
    let got = match key_conditions(&conds(input), ("pk", ScalarType::S), sort_key) {
        Ok(key) => {
            let sort = key.sort.as_ref().map_or("-".to_owned(), show_sort);
            format!("{} | {sort}", show_value(&key.partition))
        }
        Err(e) => message::<()>(Err(e)),
    };
    assert_eq!(got, expected, "{input} (sort {sort})");
}

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

/// Each line: `<sort type or -> | <conditions> => <expected>`.
fn check_key_table(table: &str) {
    for (input, expected) in lines(table) {
        let (sort, input) = input.split_once('|').expect("`sort | conditions`");
        check_key(input.trim(), sort.trim(), expected);
    }
}

#[test]
fn key_conditions_each_sort_operator_is_extracted() {
    check_key_table(
        r#"
        - | pk EQ S:p => "p" | -
        N | pk EQ S:p => "p" | -
        N | pk EQ S:p ; sk EQ N:1 => "p" | = 1
        N | pk EQ S:p ; sk LT N:1 => "p" | < 1
        N | pk EQ S:p ; sk LE N:1 => "p" | <= 1
        N | pk EQ S:p ; sk GT N:1 => "p" | > 1
        N | pk EQ S:p ; sk GE N:1 => "p" | >= 1
        N | pk EQ S:p ; sk BETWEEN N:1 N:5 => "p" | BETWEEN 1 AND 5
        S | pk EQ S:p ; sk BEGINS_WITH S:t => "p" | begins_with "t"
        B | pk EQ S:p ; sk BEGINS_WITH B:1|2 => "p" | begins_with b[1, 2]
        B | sk GT B:1 ; pk EQ S:p => "p" | > b[1]
        "#,
    );
}

#[test]
fn key_conditions_schema_checks_follow_dynalite_order() {
    check_key_table(
        r#"
        - | => Conditions can be of length 1 or 2 only
        N | pk NULL ; sk NULL ; x NULL => Conditions can be of length 1 or 2 only
        N | pk EQ => P Invalid number of argument(s) for the EQ ComparisonOperator
        N | pk EQ S:p ; sk BEGINS_WITH N:1 => P ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type
        N | pk EQ S:p ; sk BETWEEN N:5 N:1 => The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
        - | pk EQ S:p ; x EQ S:x => Query key condition not supported
        - | pk EQ S:p ; sk EQ S:x => Query key condition not supported
        - | x EQ S:x => Query condition missed key schema element: pk
        - | PK EQ S:p => Query condition missed key schema element: pk
        N | sk EQ N:1 => Query condition missed key schema element: pk
        N | x EQ S:x ; sk EQ N:1 => Query condition missed key schema element: pk
        N | pk EQ S:p ; x EQ S:x => Query condition missed key schema element: sk
        - | pk NULL => Attempted conditional constraint is not an indexable operation
        - | pk NOT_NULL => Attempted conditional constraint is not an indexable operation
        - | pk NE S:p => Attempted conditional constraint is not an indexable operation
        - | pk CONTAINS S:p => Attempted conditional constraint is not an indexable operation
        - | pk NOT_CONTAINS S:p => Attempted conditional constraint is not an indexable operation
        - | pk IN S:p => Attempted conditional constraint is not an indexable operation
        - | pk IN N:1 => Attempted conditional constraint is not an indexable operation
        - | pk EQ N:1 => P Condition parameter type does not match schema type
        - | pk EQ SS:p => P Condition parameter type does not match schema type
        - | pk GT N:1 => P Condition parameter type does not match schema type
        - | pk GT S:p => Query key condition not supported
        - | pk BEGINS_WITH S:p => Query key condition not supported
        - | pk BETWEEN S:a S:b => Query key condition not supported
        N | pk GT S:p ; sk EQ N:1 => Query key condition not supported
        N | pk EQ S:p ; sk NE N:1 => Attempted conditional constraint is not an indexable operation
        N | pk EQ S:p ; sk IN N:1 N:2 => Attempted conditional constraint is not an indexable operation
        N | pk EQ S:p ; sk GT S:1 => P Condition parameter type does not match schema type
        N | pk EQ N:1 ; sk NULL => P Condition parameter type does not match schema type
        "#,
    );
}

#[test]
fn check_key_conditions_runs_only_the_schema_free_checks() {
    let table = "
        pk EQ S:p => ok
        x NULL => ok
        pk EQ N:1 ; x NE S:x => ok
        => Conditions can be of length 1 or 2 only
        a NULL ; b NULL ; c NULL => Conditions can be of length 1 or 2 only
        a LT BOOL:true => P ComparisonOperator LT is not valid for BOOL AttributeValue type
    ";
    for (input, want) in lines(table) {
        assert_eq!(
            message(check_key_conditions(&conds(input))),
            want,
            "{input}"
        );
    }
}
