//! Parser tests: one line per expression, rendered as a fully parenthesized condition, a list
//! of paths, or the error message.

use crate::expr::testing::{item, names, parse, parse_kind, parse_paths, show, show_path, values};
use crate::expr::{
    evaluate, key_condition, parse_condition, parse_projection, project, ExpressionContext,
    ExpressionKind,
};
use crate::model::ScalarType;
use proptest::prelude::*;

/// Parses a ConditionExpression; compares its rendering, or its error, with `expected`.
fn check(text: &str, expected: &str) {
    let got = match parse(text) {
        Ok(cond) => show(&cond),
        Err(message) => message.replace("Invalid ConditionExpression: ", "E: "),
    };
    assert_eq!(got, expected, "{text}");
}

/// Parses a ProjectionExpression; paths joined by " | ", or the error.
fn check_projection(text: &str, expected: &str) {
    let got = match parse_paths(text) {
        Ok(paths) => paths.iter().map(show_path).collect::<Vec<_>>().join(" | "),
        Err(message) => message.replace("Invalid ProjectionExpression: ", "E: "),
    };
    assert_eq!(got, expected, "{text}");
}

/// Runs `check` on each line `expression => expected` of `table` (surrounding blanks trimmed).
fn check_table(table: &str) {
    for (text, expected) in table_lines(table) {
        check(text, expected);
    }
}

/// Runs `check_projection` on each line `expression => expected` of `table`.
fn check_projection_table(table: &str) {
    for (text, expected) in table_lines(table) {
        check_projection(text, expected);
    }
}

fn table_lines(table: &str) -> impl Iterator<Item = (&str, &str)> {
    table
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (text, expected) = line
                .split_once(" => ")
                .expect("a line is `text => expected`");
            (text.trim(), expected.trim())
        })
}

#[test]
fn parse_condition_every_operator_and_function_builds_its_node() {
    check_table(
        r##"
        a = :n1 => (a = 1)
        a <> :n1 => (a <> 1)
        a < :n1 => (a < 1)
        a <= :n1 => (a <= 1)
        a > :n1 => (a > 1)
        a >= :n1 => (a >= 1)
        :n1 = a => (1 = a)
        a = b => (a = b)
        a.b[1].c = :s => (a.b[1].c = "s")
        nested[0][1] = :n1 => (nested[0][1] = 1)
        a BETWEEN :n1 AND :n5 => (a BETWEEN 1 AND 5)
        a IN (:n1, :n3, b) => (a IN (1, 3, b))
        a IN (:n1) => (a IN (1))
        attribute_exists(a) => attribute_exists(a)
        attribute_not_exists(a.b) => attribute_not_exists(a.b)
        attribute_type(a, :typeS) => attribute_type(a, "S")
        begins_with(a, :s) => begins_with(a, "s")
        begins_with(a, :bin) => begins_with(a, b[1, 2])
        contains(a, :s) => contains(a, "s")
        contains(a, b) => contains(a, b)
        size(a) > :n1 => (size(a) > 1)
        :n1 < size(a.b) => (1 < size(a.b))
        size(a) BETWEEN :n1 AND :n5 => (size(a) BETWEEN 1 AND 5)
        contains(size(a), :n1) => contains(size(a), 1)
    "##,
    );
}

#[test]
fn parse_condition_precedence_is_or_and_not_then_comparisons() {
    check_table(
        r##"
        a = :n1 OR b = :n1 AND c = :n1 => ((a = 1) OR ((b = 1) AND (c = 1)))
        a = :n1 AND b = :n1 OR c = :n1 => (((a = 1) AND (b = 1)) OR (c = 1))
        a = :n1 AND b = :n1 AND c = :n1 => (((a = 1) AND (b = 1)) AND (c = 1))
        NOT a = :n1 AND b = :n1 => ((NOT (a = 1)) AND (b = 1))
        NOT a = :n1 OR NOT b = :n1 => ((NOT (a = 1)) OR (NOT (b = 1)))
        NOT NOT attribute_exists(a) => (NOT (NOT attribute_exists(a)))
        (a = :n1 OR b = :n1) AND c = :n1 => (((a = 1) OR (b = 1)) AND (c = 1))
        NOT (a = :n1 OR b = :n1) => (NOT ((a = 1) OR (b = 1)))
        a BETWEEN :n1 AND :n5 AND b = :n1 => ((a BETWEEN 1 AND 5) AND (b = 1))
        a IN (:n1) OR contains(a, :s) => ((a IN (1)) OR contains(a, "s"))
    "##,
    );
}

#[test]
fn parse_condition_keywords_ignore_case_and_whitespace_is_free() {
    check_table(
        r##"
        a between :n1 aNd :n5 or not b in (:n1) => ((a BETWEEN 1 AND 5) OR (NOT (b IN (1))))
    "##,
    );
    check("  a\t=\r\n:n1  ", "(a = 1)");
    check_table(
        r##"
        a=:n1 AND(b=:n1) => ((a = 1) AND (b = 1))
        a . b [ 0 ] = :n1 => (a.b[0] = 1)
        size ( a ) > :n1 => (size(a) > 1)
    "##,
    );
}

#[test]
fn parse_condition_parentheses_group_but_never_twice() {
    check_table(
        r##"
        (a = :n1) => (a = 1)
        (a) = (:n1) => (a = 1)
        ((a = :n1) AND (b = :n1)) => ((a = 1) AND (b = 1))
        ((a = :n1)) => E: The expression has redundant parentheses;
        ((a)) = :n1 => E: The expression has redundant parentheses;
        a = ((:n1)) => E: The expression has redundant parentheses;
        (((a = :n1)) AND b = :n1) => E: The expression has redundant parentheses;
        ((c = :n1) AND ((b = :n1))) => E: The expression has redundant parentheses;
    "##,
    );
}

#[test]
fn parse_condition_placeholders_resolve_to_names_and_values() {
    check_table(
        r##"
        #a = :s => (a = "s")
        #dot.#a[2] = :s => (`x.y`.a[2] = "s")
        #name = :s => (name = "s")
        #x = :s => E: An expression attribute name used in the document path is not defined; attribute name: #x
        a = :x => E: An expression attribute value used in expression is not defined; attribute value: :x
        a.# = :s => E: An expression attribute name used in the document path is not defined; attribute name: #
    "##,
    );
}

#[test]
fn parse_condition_reserved_words_need_placeholders() {
    check_table(
        r##"
        name = :s => E: Attribute name is a reserved keyword; reserved keyword: name
        a.Size = :s => E: Attribute name is a reserved keyword; reserved keyword: Size
        STATUS IN (:s) => E: Attribute name is a reserved keyword; reserved keyword: STATUS
        set = :s => E: Attribute name is a reserved keyword; reserved keyword: set
        a.and = :s => E: Syntax error; token: "and", near: ".and ="
        size(a) = :n1 => (size(a) = 1)
    "##,
    );
}

#[test]
fn parse_condition_syntax_errors_name_the_token_and_its_neighbours() {
    check_table(
        r##"
        a => E: Syntax error; token: "<EOF>", near: "a"
        a b => E: Syntax error; token: "b", near: "a b"
    "##,
    );
    check("a = ", "E: Syntax error; token: \"<EOF>\", near: \"= \"");
    check_table(
        r##"
        a != :n1 => E: Syntax error; token: "!", near: "a !="
        a = :n1 AND => E: Syntax error; token: "<EOF>", near: "AND"
        attribute_type() => E: Syntax error; token: ")", near: "()"
        a[-1] = :n1 => E: Syntax error; token: "-", near: "[-1"
        a[1.5] = :n1 => E: Syntax error; token: ".", near: "1.5"
        a[x] = :n1 => E: Syntax error; token: "x", near: "[x]"
        a[4294967296] = :n1 => E: Syntax error; token: "4294967296", near: "[4294967296]"
        a = :n1) => E: Syntax error; token: ")", near: ":n1)"
        (a = :n1 => E: Syntax error; token: "<EOF>", near: ":n1"
        a IN () => E: Syntax error; token: ")", near: "()"
        a IN :n1 => E: Syntax error; token: ":n1", near: "IN :n1"
        a BETWEEN :n1 :n5 => E: Syntax error; token: ":n5", near: ":n1 :n5"
        = :n1 => E: Syntax error; token: "=", near: "= :n1"
        a > 4 => E: Syntax error; token: "4", near: "> 4"
        a = b = c => E: Syntax error; token: "=", near: "b = c"
        (size(a))[0] > a => E: Syntax error; token: "[", near: ")[0"
        #a(b) => E: Syntax error; token: "(", near: "#a(b"
        a = :n1 ü => E: Syntax error; token: "ü", near: ":n1 ü"
        NOT => E: Syntax error; token: "<EOF>", near: "NOT"
        (a) => E: Syntax error; token: "<EOF>", near: ")"
    "##,
    );
}

#[test]
fn parse_condition_blank_or_oversized_text_is_rejected() {
    check("", "E: The expression can not be empty;");
    check(" \t\r\n", "E: The expression can not be empty;");
    let at_limit = format!("{} = :s", "a".repeat(4091));
    assert!(parse(&at_limit).is_ok());
    let over = format!("{} = :s", "a".repeat(4092));
    check(
        &over,
        "E: Expression size has exceeded the maximum allowed size; expression size: 4097",
    );
    let filter = parse_kind(&over, ExpressionKind::Filter).unwrap_err();
    assert_eq!(filter, "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
    let key = parse_kind(&over, ExpressionKind::KeyCondition).unwrap_err();
    assert_eq!(
        key,
        "Invalid KeyConditionExpression: Expression size has exceeded the maximum allowed size;"
    );
}

#[test]
fn parse_condition_functions_are_checked_by_name_and_place() {
    check_table(
        r##"
        foo(a) => E: Invalid function name; function: foo
        SIZE(a) > :n1 => E: Invalid function name; function: SIZE
        Contains(a, :s) => E: Invalid function name; function: Contains
        size(a) => E: The function is not allowed to be used this way in an expression; function: size
        NOT size(a) => E: The function is not allowed to be used this way in an expression; function: size
        a = :n1 AND size(b) => E: The function is not allowed to be used this way in an expression; function: size
        begins_with(a, :s) = :bool => E: The function is not allowed to be used this way in an expression; function: begins_with
        a = attribute_exists(b) => E: The function is not allowed to be used this way in an expression; function: attribute_exists
        contains(attribute_exists(a), :s) => E: The function is not allowed to be used this way in an expression; function: attribute_exists
        a IN (contains(a, :s)) => E: The function is not allowed to be used this way in an expression; function: contains
    "##,
    );
}

#[test]
fn parse_condition_function_operands_are_counted_and_typed() {
    check_table(
        r##"
        attribute_exists(a, b) => E: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2
        begins_with(a) => E: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1
        size(a, b) > :n1 => E: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2
        contains(a, b, c) => E: Incorrect number of operands for operator or function; operator or function: contains, number of operands: 3
        attribute_exists(:s) => E: Operator or function requires a document path; operator or function: attribute_exists
        attribute_not_exists(size(a)) => E: Operator or function requires a document path; operator or function: attribute_not_exists
        attribute_type(a, :n1) => E: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N
        attribute_type(a, b) => E: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}
        attribute_type(a, :typeX) => E: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}
        attribute_type(:s, :typeS) => E: Operator or function requires a document path; operator or function: attribute_type
        begins_with(a, :n1) => E: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N
        begins_with(:bool, a) => E: Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL
        begins_with(a, size(b)) => E: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N
        size(:n1) > :n1 => E: Incorrect operand type for operator or function; operator or function: size, operand type: N
        size(size(a)) > :n1 => E: Incorrect operand type for operator or function; operator or function: size, operand type: N
        size(:s) > :n1 => E: Operator or function requires a document path; operator or function: size
    "##,
    );
}

#[test]
fn parse_condition_operand_values_must_suit_the_operator() {
    check_table(
        r##"
        a < :bool => E: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL
        :ss >= a => E: Incorrect operand type for operator or function; operator or function: >=, operand type: SS
        size(a) > :null => E: Incorrect operand type for operator or function; operator or function: >, operand type: NULL
        a = :bool => (a = true)
        a <> :m => (a <> {k: "v"})
        a BETWEEN :bool AND :bool => E: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL
        a BETWEEN :n5 AND :n1 => E: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}
        a BETWEEN :t AND :s => E: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:t}, upper bound operand: AttributeValue: {S:s}
        a BETWEEN :bin3 AND :bin1 => E: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {B:Aw==}, upper bound operand: AttributeValue: {B:AQ==}
        a BETWEEN :n1 AND :s => E: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:s}
        a BETWEEN :n1 AND :n1 => (a BETWEEN 1 AND 1)
        a BETWEEN :n5 AND b => (a BETWEEN 5 AND b)
    "##,
    );
}

#[test]
fn parse_condition_first_operand_must_differ_from_the_rest() {
    check_table(
        r##"
        a = a => E: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]
        a.b[0] < a.b[0] => E: The first operand must be distinct from the remaining operands for this operator or function; operator: <, first operand: [a, b, [0]]
        contains(a, a) => E: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]
        #a <> a => E: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]
        a.b = a.c => (a.b = a.c)
        :n1 = :n1 => (1 = 1)
    "##,
    );
}

#[test]
fn parse_condition_several_problems_report_dynamodbs_first() {
    check_table(
        r##"
        ((a = :x)) => E: The expression has redundant parentheses;
        foo(name) AND size(a) => E: Invalid function name; function: foo
        size(a) AND name = :s => E: The function is not allowed to be used this way in an expression; function: size
        name = :x => E: Attribute name is a reserved keyword; reserved keyword: name
        a = :x AND b < :bool => E: An expression attribute value used in expression is not defined; attribute value: :x
        begins_with(a) AND a = a => E: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1
        a < :bool AND a = a => E: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]
        a < :bool AND b < :ss => E: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL
        a b AND name = :x => E: Syntax error; token: "b", near: "a b AND"
    "##,
    );
}

fn nested_parens(levels: usize) -> String {
    let mut text = "a = :n1".to_owned();
    for _ in 0..levels {
        text = format!("(b = :n1 AND {text})");
    }
    text
}

#[test]
fn parse_condition_nesting_is_bounded_without_overflowing_the_stack() {
    assert!(parse(&nested_parens(100)).is_ok());
    check(
        &nested_parens(101),
        "E: The expression has too many nesting levels; nesting levels: 101",
    );
    assert!(parse(&format!("{}a = :n1", "NOT ".repeat(100))).is_ok());
    check(
        &format!("{}a = :n1", "NOT ".repeat(101)),
        "E: The expression has too many nesting levels; nesting levels: 101",
    );
    check(
        &"(".repeat(4000),
        "E: The expression has too many nesting levels; nesting levels: 101",
    );
    check(
        &format!("size({}a{}) > :n1", "(".repeat(2000), ")".repeat(2000)),
        "E: The expression has too many nesting levels; nesting levels: 101",
    );
    let long_and = vec!["a = :n1"; 300].join(" AND ");
    assert!(parse(&long_and).is_ok());
}

#[test]
fn parse_condition_document_paths_are_limited_to_32_elements() {
    check(
        &format!("a{} = :n1", ".b".repeat(31)),
        &format!("(a{} = 1)", ".b".repeat(31)),
    );
    check(
        &format!("a{} = :n1", ".b".repeat(32)),
        "E: The document path has too many nesting levels; nesting levels: 33",
    );
    check(
        &format!("a{} = :n1", "[0]".repeat(40)),
        "E: The document path has too many nesting levels; nesting levels: 41",
    );
}

#[test]
fn parse_projection_paths_are_listed_in_order() {
    check_projection_table(
        r##"
        a => a
        a, b.c[1], #dot.x => a | b.c[1] | `x.y`.x
    "##,
    );
    check_projection(" a ,\tb ", "a | b");
    check_projection_table(
        r##"
        a.b, a.c => a.b | a.c
        a[1], a[2] => a[1] | a[2]
        a.b, a.c[1] => a.b | a.c[1]
        #a, #b => a | b
        _x, a_1 => _x | a_1
    "##,
    );
}

#[test]
fn parse_projection_bad_text_is_rejected() {
    check_projection("", "E: The expression can not be empty;");
    check_projection("  ", "E: The expression can not be empty;");
    check_projection_table(
        r##"
        name => E: Attribute name is a reserved keyword; reserved keyword: name
        a.and => E: Attribute name is a reserved keyword; reserved keyword: and
        a.#x => E: An expression attribute name used in the document path is not defined; attribute name: #x
        a, => E: Syntax error; token: "<EOF>", near: ","
        ,a => E: Syntax error; token: ",", near: ",a"
        a,,b => E: Syntax error; token: ",", near: ",,b"
        a b => E: Syntax error; token: "b", near: "a b"
        a = b => E: Syntax error; token: "=", near: "a = b"
        :v => E: Syntax error; token: ":v", near: ":v"
        l[a] => E: Syntax error; token: "a", near: "[a]"
        size(a) => E: Syntax error; token: "(", near: "size(a"
    "##,
    );
    check_projection(
        &format!("a{}", ".b".repeat(31)),
        &format!("a{}", ".b".repeat(31)),
    );
    check_projection(
        &format!("a{}", ".b".repeat(32)),
        "E: The document path has too many nesting levels; nesting levels: 33",
    );
    check_projection(
        &"a".repeat(4097),
        "E: Expression size has exceeded the maximum allowed size;",
    );
}

#[test]
fn parse_projection_overlapping_or_conflicting_paths_are_rejected() {
    check_projection_table(
        r##"
        a, a => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]
        a, a.b => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
        a.b, a => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]
        x, a.b, a => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]
        alist[0], alist => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [alist, [0]], path two: [alist]
        #a, #a.#b => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
        a.b[0], a.b[0] => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b, [0]], path two: [a, b, [0]]
        a.b, a[1] => E: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]
        a[0], a.b => E: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]
        a.b.c, a.b[1] => E: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b, c], path two: [a, b, [1]]
        a[0], a.b, a => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a]
        name, a, a => E: Attribute name is a reserved keyword; reserved keyword: name
    "##,
    );
}

/// Feeds `text` to every entry point: each must return, never panic.
fn exercise(text: &str) {
    let (names, values) = (names(), values());
    let mut ctx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    for kind in [
        ExpressionKind::Condition,
        ExpressionKind::Filter,
        ExpressionKind::KeyCondition,
    ] {
        if let Ok(cond) = parse_condition(text, kind, &mut ctx) {
            evaluate(&cond, &item());
            let _ = key_condition(
                cond.clone(),
                ("pk", ScalarType::S),
                Some(("sk", ScalarType::N)),
            );
            let _ = key_condition(cond, ("pk", ScalarType::N), None);
        }
    }
    if let Ok(paths) = parse_projection(text, &mut ctx) {
        project(&item(), &paths);
    }
    let _ = ctx.finish();
}

const SOUP: &[&str] = &[
    "a",
    "b",
    "name",
    "#a",
    "#dot",
    "#x",
    ":s",
    ":n1",
    ":n5",
    ":bool",
    ":ss",
    ":x",
    "0",
    "12",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "size",
    "contains",
    "begins_with",
    "attribute_exists",
    "attribute_type",
    "foo",
    "-",
    "+",
    "!",
    "é",
];

proptest! {
    #[test]
    fn parse_any_text_returns_without_panicking(text in "\\PC{0,120}") {
        exercise(&text);
    }

    #[test]
    fn parse_token_soup_returns_without_panicking(
        picks in proptest::collection::vec(0..SOUP.len(), 0..40)
    ) {
        let text: Vec<&str> = picks.iter().map(|&i| SOUP[i]).collect();
        exercise(&text.join(" "));
        exercise(&text.concat());
    }
}

#[test]
fn parse_condition_in_takes_at_most_100_operands() {
    let list = |n: usize| vec!["a"; n].join(", ");
    assert!(parse(&format!("x IN ({})", list(100))).is_ok());
    assert_eq!(
        parse(&format!("x IN ({})", list(101))).unwrap_err(),
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    );
}
