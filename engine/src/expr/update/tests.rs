//! UpdateExpression tests: one line per expression, rendered as its actions or its error, or
//! as the attributes its application changed in the fixture item.

use super::*;
use crate::expr::testing::{item, names, num, s, show_path, show_value, values};
use crate::expr::{project, ExpressionContext};
use crate::model::{Item, Number};
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};

mod model;

fn set(elements: &[&str]) -> AttributeValue {
    AttributeValue::Ss(elements.iter().map(|e| e.to_string()).collect())
}

fn number_set(elements: &[&str]) -> AttributeValue {
    AttributeValue::Ns(elements.iter().map(|e| Number::parse(e).unwrap()).collect())
}

/// A map nested `levels` deep around the number 1: `{x: {x: ... 1}}`.
fn deep(levels: usize) -> AttributeValue {
    (0..levels).fold(num("1"), |inner, _| {
        AttributeValue::M([("x".to_owned(), inner)].into_iter().collect())
    })
}

/// The fixture values, plus some for ADD, DELETE and the number limits.
fn update_values() -> HashMap<String, AttributeValue> {
    let mut values = values();
    let extra = [
        (":sa", set(&["a"])),
        (":sbc", set(&["b", "c"])),
        (":ns2", number_set(&["2", "3"])),
        (":bs2", AttributeValue::Bs(vec![vec![2], vec![3]])),
        (":neg", num("-1.5")),
        (":big", num("9.9999999999999999999999999999999999999E+125")),
        (":tiny", num("1E-130")),
        (":l2", AttributeValue::L(vec![s("x"), num("1")])),
        (":deep", deep(31)),
    ];
    values.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
    values
}

fn parse(text: &str) -> Result<UpdateExpression, String> {
    let (names, values) = (names(), update_values());
    let mut ctx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    parse_update(text, &mut ctx).map_err(|e| e.message())
}

fn show_operand(operand: &SetOperand) -> String {
    match operand {
        SetOperand::Path(path) => show_path(path),
        SetOperand::Value(value) => show_value(value),
        SetOperand::IfNotExists(path, operand) => {
            format!(
                "if_not_exists({}, {})",
                show_path(path),
                show_operand(operand)
            )
        }
        SetOperand::ListAppend(a, b) => {
            format!("list_append({}, {})", show_operand(a), show_operand(b))
        }
    }
}

/// `SET a = b + 1; REMOVE c; ADD d 1; DELETE e SS["a"]`.
fn show(update: &UpdateExpression) -> String {
    let actions: Vec<String> = update
        .actions
        .iter()
        .map(|action| match action {
            UpdateAction::Set(path, value) => {
                let value = match value {
                    SetValue::Operand(o) => show_operand(o),
                    SetValue::Plus(a, b) => format!("{} + {}", show_operand(a), show_operand(b)),
                    SetValue::Minus(a, b) => format!("{} - {}", show_operand(a), show_operand(b)),
                };
                format!("SET {} = {value}", show_path(path))
            }
            UpdateAction::Remove(path) => format!("REMOVE {}", show_path(path)),
            UpdateAction::Add(path, v) => format!("ADD {} {}", show_path(path), show_value(v)),
            UpdateAction::Delete(path, v) => {
                format!("DELETE {} {}", show_path(path), show_value(v))
            }
        })
        .collect();
    actions.join("; ")
}

/// Parses an UpdateExpression; compares its rendering, or its error, with `expected`.
fn check(text: &str, expected: &str) {
    let got = match parse(text) {
        Ok(update) => show(&update),
        Err(message) => message.replace("Invalid UpdateExpression: ", "E: "),
    };
    assert_eq!(got, expected, "{text}");
}

/// Applies `text` to `before`; renders the attributes that changed (`name: value`, or
/// `name: -` when removed), or the error, which must leave the item as it was.
fn check_apply_to(before: &Item, text: &str, expected: &str) {
    let update = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let mut after = before.clone();
    let got = match update.apply(&mut after) {
        Ok(()) => {
            let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            let changed: Vec<String> = keys
                .into_iter()
                .filter(|k| before.get(*k) != after.get(*k))
                .map(|k| match after.get(k) {
                    Some(v) => format!("{k}: {}", show_value(v)),
                    None => format!("{k}: -"),
                })
                .collect();
            if changed.is_empty() {
                "(none)".to_owned()
            } else {
                changed.join(", ")
            }
        }
        Err(e) => {
            assert_eq!(&after, before, "{text}: a failed update changed the item");
            format!("E: {}", e.message())
        }
    };
    assert_eq!(got, expected, "{text}");
}

fn check_apply(text: &str, expected: &str) {
    check_apply_to(&item(), text, expected);
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

fn check_table(table: &str) {
    for (text, expected) in table_lines(table) {
        check(text, expected);
    }
}

fn check_apply_table(table: &str) {
    for (text, expected) in table_lines(table) {
        check_apply(text, expected);
    }
}

#[test]
fn parse_update_every_action_and_operand_builds_its_node() {
    check_table(
        r##"
        SET a = :n1 => SET a = 1
        SET a = b, c = :s => SET a = b; SET c = "s"
        SET a = b + :n1 => SET a = b + 1
        SET a = :n5 - b => SET a = 5 - b
        SET a = if_not_exists(b, :n0) => SET a = if_not_exists(b, 0)
        SET a = if_not_exists(a, :n0) + :n1 => SET a = if_not_exists(a, 0) + 1
        SET a = list_append(a, :l) => SET a = list_append(a, ["zero"])
        SET a = list_append(:l, if_not_exists(a, :l)) => SET a = list_append(["zero"], if_not_exists(a, ["zero"]))
        SET a = if_not_exists(a, if_not_exists(b, c)) => SET a = if_not_exists(a, if_not_exists(b, c))
        SET a.b[2].c = :s => SET a.b[2].c = "s"
        SET #a = #b, #dot.x = :s => SET a = b; SET `x.y`.x = "s"
        REMOVE a, b.c[1] => REMOVE a; REMOVE b.c[1]
        ADD n :n1, ss :ss => ADD n 1; ADD ss SS["a", "b"]
        DELETE ss :ss, ns :ns => DELETE ss SS["a", "b"]; DELETE ns NS[1]
        "##,
    );
}

#[test]
fn parse_update_sections_come_in_any_order_and_case() {
    check_table(
        r##"
        remove a SET b = :s add c :n1 delete d :ns => REMOVE a; SET b = "s"; ADD c 1; DELETE d NS[1]
        DELETE d :ns ADD c :n1 REMOVE a set b = :s => DELETE d NS[1]; ADD c 1; REMOVE a; SET b = "s"
        sEt a=:n1,b=:n2 => SET a = 1; SET b = 2
        "##,
    );
    check(" \tSET\na = :n1\r\n REMOVE b ", "SET a = 1; REMOVE b");
}

#[test]
fn parse_update_parentheses_wrap_the_value_or_an_operand_once() {
    check_table(
        r##"
        SET a = (b + :n1) => SET a = b + 1
        SET a = (b) + (:n1) => SET a = b + 1
        SET a = ((b) - c) => SET a = b - c
        SET a = ((b)) => SET a = b
        SET a = (b) => SET a = b
        SET a = list_append((b), (:l)) => SET a = list_append(b, ["zero"])
        SET a = (((b))) => E: Syntax error; token: "(", near: "((b"
        SET a = ((b + c)) => E: Syntax error; token: "+", near: "b + c"
        SET (a = (b + c)) => E: Syntax error; token: "(", near: "SET (a"
        SET a = (b.c).d + e => E: Syntax error; token: ".", near: ").d"
        SET a = (b.c)[0] + e => E: Syntax error; token: "[", near: ")[0"
        SET a = (b + c) + d => E: Syntax error; token: "+", near: ") + d"
        "##,
    );
}

#[test]
fn parse_update_syntax_errors_name_the_token_and_its_neighbours() {
    check_table(
        r##"
        whatever => E: Syntax error; token: "whatever", near: "whatever"
        INVALID SYNTAX HERE => E: Syntax error; token: "INVALID", near: "INVALID SYNTAX"
        set a => E: Syntax error; token: "<EOF>", near: "a"
        SET => E: Syntax error; token: "<EOF>", near: "SET"
        add a => E: Syntax error; token: "<EOF>", near: "a"
        delete a => E: Syntax error; token: "<EOF>", near: "a"
        set a=set => E: Syntax error; token: "set", near: "=set"
        SET a = set.b => E: Syntax error; token: "set", near: "= set."
        SET a.remove = :s => E: Syntax error; token: "remove", near: ".remove ="
        remove a = b => E: Syntax error; token: "=", near: "a = b"
        add a = b => E: Syntax error; token: "=", near: "a = b"
        delete a b => E: Syntax error; token: "b", near: "a b"
        delete a if_not_exist(b) => E: Syntax error; token: "if_not_exist", near: "a if_not_exist("
        add abort b => E: Syntax error; token: "b", near: "abort b"
        remove a b => E: Syntax error; token: "b", near: "a b"
        set a b => E: Syntax error; token: "b", near: "a b"
        set :a = b => E: Syntax error; token: ":a", near: "set :a ="
        add :a b => E: Syntax error; token: ":a", near: "add :a b"
        remove :a => E: Syntax error; token: ":a", near: "remove :a"
        set a = b / c => E: Syntax error; token: "/", near: "b / c"
        set a = b * c => E: Syntax error; token: "*", near: "b * c"
        set a[1] = "eight" => E: Syntax error; token: """, near: "= "eight"
        set a[1] = 1 => E: Syntax error; token: "1", near: "= 1"
        SET a = if_not_exist(a, 100) => E: Syntax error; token: "100", near: ", 100)"
        SET if_not_exist(a, b) = a => E: Syntax error; token: "(", near: "if_not_exist(a"
        set a = b + c + d => E: Syntax error; token: "+", near: "c + d"
        SET a = :n1, => E: Syntax error; token: "<EOF>", near: ","
        SET a = :n1 , REMOVE b => E: Syntax error; token: "REMOVE", near: ", REMOVE b"
        SET a = f() => E: Syntax error; token: ")", near: "()"
        SET a[-1] = :n1 => E: Syntax error; token: "-", near: "[-1"
        REMOVE a SET => E: Syntax error; token: "<EOF>", near: "SET"
        SET a = :n1 OR b = :n1 => E: Syntax error; token: "OR", near: ":n1 OR b"
        "##,
    );
}

#[test]
fn parse_update_blank_or_oversized_text_is_rejected() {
    check("", "E: The expression can not be empty;");
    check(" \n\t", "E: The expression can not be empty;");
    let at_limit = format!("SET {} = :s", "a".repeat(4096 - 9));
    assert!(parse(&at_limit).is_ok());
    check(
        &format!("SET {} = :s", "a".repeat(4096 - 8)),
        "E: Expression size has exceeded the maximum allowed size;",
    );
}

#[test]
fn parse_update_each_section_is_allowed_once() {
    check_table(
        r##"
        set a = #c set c = :d => E: The "SET" section can only be used once in an update expression;
        remove #d set a = b remove e => E: The "REMOVE" section can only be used once in an update expression;
        add #d :e set a = b add e :f => E: The "ADD" section can only be used once in an update expression;
        delete #d :e set a = b delete #e :f => E: The "DELETE" section can only be used once in an update expression;
        SET a = :n1 SET b = :n1 REMOVE c REMOVE d => E: The "SET" section can only be used once in an update expression;
        "##,
    );
}

#[test]
fn parse_update_names_values_and_reserved_words_are_checked() {
    check_table(
        r##"
        SET #x = :n1 => E: An expression attribute name used in the document path is not defined; attribute name: #x
        SET a = :x => E: An expression attribute value used in expression is not defined; attribute value: :x
        ADD a :x => E: An expression attribute value used in expression is not defined; attribute value: :x
        SET #c = if_not_exists(:c) => E: An expression attribute name used in the document path is not defined; attribute name: #c
        SET #a = if_not_exists(:c) => E: An expression attribute value used in expression is not defined; attribute value: :c
        SET a = :x + :s => E: An expression attribute value used in expression is not defined; attribute value: :x
        set #c = :c set abOrt = true => E: Attribute name is a reserved keyword; reserved keyword: abOrt
        remove Absolute => E: Attribute name is a reserved keyword; reserved keyword: Absolute
        SET name = :s => E: Attribute name is a reserved keyword; reserved keyword: name
        SET a = size => E: Attribute name is a reserved keyword; reserved keyword: size
        SET and = :s => E: Attribute name is a reserved keyword; reserved keyword: and
        SET #name = :s, #size = size(:s) => E: The function is not allowed in an update expression; function: size
        "##,
    );
    let deep = format!("SET a{} = :n1", ".b".repeat(31));
    assert!(parse(&deep).is_ok());
    check(
        &format!("REMOVE a{}", "[0]".repeat(32)),
        "E: The document path has too many nesting levels; nesting levels: 33",
    );
}

#[test]
fn parse_update_functions_are_checked_by_name_and_operands() {
    check_table(
        r##"
        set #c = if_not_exist(:c) set c = d => E: Invalid function name; function: if_not_exist
        SET a = If_Not_Exists(a, :n1) => E: Invalid function name; function: If_Not_Exists
        SET a = size(b) => E: The function is not allowed in an update expression; function: size
        SET a = attribute_exists(b) => E: The function is not allowed in an update expression; function: attribute_exists
        SET a = contains(b, :s) + :n1 => E: The function is not allowed in an update expression; function: contains
        SET a = if_not_exists(c) => E: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1
        SET a = list_append(c) => E: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1
        SET a = list_append(a, b, c) => E: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 3
        SET a = if_not_exists(:s, c) => E: Operator or function requires a document path; operator or function: if_not_exists
        SET a = if_not_exists(if_not_exists(a, b), c) => E: Operator or function requires a document path; operator or function: if_not_exists
        SET a = list_append(:s, a) => E: Incorrect operand type for operator or function; operator or function: list_append, operand type: S
        SET a = list_append(a, :n1) => E: Incorrect operand type for operator or function; operator or function: list_append, operand type: N
        SET a = list_append(:m, a) => E: Incorrect operand type for operator or function; operator or function: list_append, operand type: M
        SET a = list_append(:ss, a) => E: Incorrect operand type for operator or function; operator or function: list_append, operand type: SS
        SET a = a + :s => E: Incorrect operand type for operator or function; operator or function: +, operand type: S
        SET a = :bin + a => E: Incorrect operand type for operator or function; operator or function: +, operand type: B
        SET a = a + :l => E: Incorrect operand type for operator or function; operator or function: +, operand type: L
        SET a = a - :bool => E: Incorrect operand type for operator or function; operator or function: -, operand type: BOOL
        SET a = a - :null => E: Incorrect operand type for operator or function; operator or function: -, operand type: NULL
        SET a = :ns - a => E: Incorrect operand type for operator or function; operator or function: -, operand type: NS
        SET a = :s + :bin => E: Incorrect operand type for operator or function; operator or function: +, operand type: S
        SET a = list_append(a, b) + :n1 => SET a = list_append(a, b) + 1
        "##,
    );
}

#[test]
fn parse_update_add_and_delete_take_numbers_and_sets() {
    check_table(
        r##"
        ADD a :s => E: Incorrect operand type for operator or function; operator: ADD, operand type: STRING
        DELETE a :s => E: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING
        ADD a :null => E: Incorrect operand type for operator or function; operator: ADD, operand type: NULL
        ADD a :bool => E: Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN
        DELETE a :bin => E: Incorrect operand type for operator or function; operator: DELETE, operand type: BINARY
        ADD a :m => E: Incorrect operand type for operator or function; operator: ADD, operand type: MAP
        ADD a :l => E: Incorrect operand type for operator or function; operator: ADD, operand type: LIST
        DELETE a :n1 => E: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER
        ADD a :n1, b :bs, c :ns => ADD a 1; ADD b BS[[1]]; ADD c NS[1]
        DELETE a :bs => DELETE a BS[[1]]
        "##,
    );
}

#[test]
fn parse_update_overlapping_or_conflicting_paths_are_rejected() {
    check_table(
        r##"
        SET a = :n1, a = :n2 => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]
        set a = b remove a, #a, #b => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]
        remove c, c.a, d => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c], path two: [c, a]
        set c.b.a = a, c = a, d = a => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, b, a], path two: [c]
        set d[1] = a, d.b = a, c[1].a = a, c = if_not_exists(a) => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]
        ADD a.b :n1 DELETE a :ss => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]
        remove a.c set a[1] = b => E: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]
        SET l[0] = :n1, l[1] = :n2 REMOVE l[2], m.a, m.b => SET l[0] = 1; SET l[1] = 2; REMOVE l[2]; REMOVE m.a; REMOVE m.b
        SET a = a, b = a => SET a = a; SET b = a
        "##,
    );
}

#[test]
fn parse_update_several_problems_report_dynamodbs_first() {
    check_table(
        r##"
        SET a = foo(name) => E: Attribute name is a reserved keyword; reserved keyword: name
        SET a = foo(b) SET c = :x => E: Invalid function name; function: foo
        SET #x = :x SET c = :n1 => E: The "SET" section can only be used once in an update expression;
        SET a = :n1, a = :x => E: An expression attribute value used in expression is not defined; attribute value: :x
        set b = list_append(:s, a), c = if_not_exists(a) add a.b :s => E: Incorrect operand type for operator or function; operator: ADD, operand type: STRING
        SET a = if_not_exists(b), a = :n1 ADD c :s => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]
        REMOVE a[0], a.b, a => E: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a]
        "##,
    );
}

#[test]
fn parse_update_operators_and_nesting_are_bounded() {
    let sums = |n: usize| {
        let actions: Vec<String> = (0..n).map(|i| format!("a{i}=b+c")).collect();
        format!("SET {}", actions.join(","))
    };
    assert!(parse(&sums(300)).is_ok());
    check(
        &sums(301),
        "E: The expression contains too many operators; operator count: 301",
    );
    let nested = |n: usize| {
        format!(
            "SET a = {}b{}",
            "if_not_exists(a, ".repeat(n),
            ")".repeat(n)
        )
    };
    assert!(parse(&nested(100)).is_ok());
    check(
        &nested(101),
        "E: The expression has too many nesting levels; nesting levels: 101",
    );
}

#[test]
fn apply_set_writes_values_paths_and_sums_read_the_old_item() {
    check_apply_table(
        r##"
        SET a = :s => a: "s"
        SET s = :n1 => s: 1
        SET n = n + :n1 => n: 6
        SET n = n - :neg => n: 6.5
        SET n = :n1 - n => n: -4
        SET a = n, n = s, s = blank => a: 5, n: "text", s: ""
        SET s = n, n = s => n: "text", s: 5
        SET a = if_not_exists(n, :n0), b = if_not_exists(absent, :n0) => a: 5, b: 0
        SET n = if_not_exists(absent, n) + :n1 => n: 6
        SET a = if_not_exists(absent, if_not_exists(m.k, :s)) => a: "v"
        SET l = list_append(l, :l) => l: ["zero", null, "two", {a: 1, b: 2}, "zero"]
        SET a = list_append(:l, :l2) => a: ["zero", "x", 1]
        SET nested = list_append(nested[0], nested) => nested: [10, 11, [10, 11]]
        SET m.k = :n1, m.deep.x = m.deep.y => m: {deep: {x: 2, y: 2}, k: 1}
        SET m.z = :s, #dot = :n1 => m: {deep: {x: 1, y: 2}, k: "v", z: "s"}, x.y: 1
        SET l[0] = :s, l[3].a = :n5 => l: ["s", null, "two", {a: 5, b: 2}]
        SET nested[0][1] = :n0 => nested: [[10, 0]]
        "##,
    );
}

#[test]
fn apply_set_past_the_end_of_a_list_appends_in_index_order() {
    check_apply_table(
        r##"
        SET l[9] = :s => l: ["zero", null, "two", {a: 1, b: 2}, "s"]
        SET l[9] = :s, l[5] = :n1 => l: ["zero", null, "two", {a: 1, b: 2}, 1, "s"]
        SET l[4] = :n4, l[1] = :n1 => l: ["zero", 1, "two", {a: 1, b: 2}, 4]
        ADD l[6] :n2 SET l[5] = :s => l: ["zero", null, "two", {a: 1, b: 2}, "s", 2]
        SET nested[0][2] = :n0 => nested: [[10, 11, 0]]
        "##,
    );
}

#[test]
fn apply_remove_drops_attributes_and_elements_of_the_old_list() {
    check_apply_table(
        r##"
        REMOVE s, n => n: -, s: -
        REMOVE absent => (none)
        REMOVE m.k, m.deep.x => m: {deep: {y: 2}}
        REMOVE m.absent => (none)
        REMOVE l[1] => l: ["zero", "two", {a: 1, b: 2}]
        REMOVE l[0], l[2] => l: [null, {a: 1, b: 2}]
        REMOVE l[2], l[0] => l: [null, {a: 1, b: 2}]
        REMOVE l[0], l[1], l[2], l[3] => l: []
        REMOVE l[9] => (none)
        REMOVE l[0] SET l[1] = :s => l: ["s", "two", {a: 1, b: 2}]
        REMOVE l[0] SET l[5] = :s => l: [null, "two", {a: 1, b: 2}, "s"]
        REMOVE l[0], l[3].a => l: [null, "two", {b: 2}]
        REMOVE nested[0][0] => nested: [[11]]
        "##,
    );
}

#[test]
fn apply_add_increments_numbers_and_unites_sets() {
    check_apply_table(
        r##"
        ADD n :n1 => n: 6
        ADD n :neg => n: 3.5
        ADD absent :n5 => absent: 5
        ADD m.hits :n1 => m: {deep: {x: 1, y: 2}, hits: 1, k: "v"}
        ADD ss :sbc => ss: SS["a", "b", "c"]
        ADD ss :sa => (none)
        ADD ns :ns2 => ns: NS[1, 2, 3]
        ADD bs :bs2 => bs: BS[[1], [2], [3]]
        ADD absent :sbc => absent: SS["b", "c"]
        ADD l[1] :n1 => E: An operand in the update expression has an incorrect data type
        ADD s :n1 => E: An operand in the update expression has an incorrect data type
        ADD n :ss => E: An operand in the update expression has an incorrect data type
        ADD ss :ns => E: An operand in the update expression has an incorrect data type
        ADD n :big => E: Attempting to store more than 38 significant digits in a Number
        ADD a :n1, n :big => E: Attempting to store more than 38 significant digits in a Number
        "##,
    );
}

#[test]
fn apply_add_out_of_range_fails_with_the_number_message() {
    let big: Item = [("big".to_owned(), num("9E125"))].into_iter().collect();
    check_apply_to(
        &big,
        "ADD big :big",
        "E: Number overflow. Attempting to store a number with magnitude larger than supported range",
    );
    check_apply_to(
        &big,
        "ADD big :n1",
        "E: Attempting to store more than 38 significant digits in a Number",
    );
    check_apply_to(
        &big,
        "ADD big :neg",
        "E: Attempting to store more than 38 significant digits in a Number",
    );
    let tiny: Item = [("tiny".to_owned(), num("1E-130"))].into_iter().collect();
    check_apply_to(&tiny, "SET tiny = tiny - :tiny", "tiny: 0");
}

#[test]
fn apply_delete_removes_set_elements_and_empty_sets() {
    check_apply_table(
        r##"
        DELETE ss :sa => ss: SS["b"]
        DELETE ss :sbc => ss: SS["a"]
        DELETE ss :ss => ss: -
        DELETE ns :ns2 => ns: NS[1]
        DELETE ns :ns => ns: NS[2]
        DELETE bs :bs2 => bs: BS[[1]]
        DELETE absent :ss => (none)
        DELETE l[7] :ss => (none)
        DELETE ss :ns => E: An operand in the update expression has an incorrect data type
        DELETE s :ss => E: An operand in the update expression has an incorrect data type
        DELETE m.k :ss => E: An operand in the update expression has an incorrect data type
        "##,
    );
}

#[test]
fn apply_paths_need_an_existing_parent_of_the_right_kind() {
    let invalid = "E: The document path provided in the update expression is invalid for update";
    for text in [
        "SET absent.a = :s",
        "SET absent[0] = :s",
        "SET s.a = :s",
        "SET s[0] = :s",
        "SET m[0] = :s",
        "SET l.a = :s",
        "SET l[9].a = :s",
        "SET m.absent.x = :s",
        "REMOVE absent.a",
        "REMOVE s[1]",
        "REMOVE m[0]",
        "REMOVE l[7].a",
        "ADD absent.a :n1",
        "ADD l.x :n1",
        "DELETE absent[1] :ss",
        "DELETE n.a :ss",
    ] {
        check_apply(text, invalid);
    }
}

#[test]
fn apply_operands_must_exist_and_have_the_right_type() {
    check_apply_table(
        r##"
        SET a = absent => E: The provided expression refers to an attribute that does not exist in the item
        SET a = m.absent => E: The provided expression refers to an attribute that does not exist in the item
        SET a = absent + :n1 => E: The provided expression refers to an attribute that does not exist in the item
        SET a = :n1 + absent => E: The provided expression refers to an attribute that does not exist in the item
        SET a = list_append(absent, :l) => E: The provided expression refers to an attribute that does not exist in the item
        SET a = if_not_exists(absent, gone) => E: The provided expression refers to an attribute that does not exist in the item
        SET a = s + :n1 => E: An operand in the update expression has an incorrect data type
        SET a = n - s => E: An operand in the update expression has an incorrect data type
        SET a = s + absent => E: An operand in the update expression has an incorrect data type
        SET a = list_append(l, n) => E: An operand in the update expression has an incorrect data type
        SET a = list_append(ss, l) => E: An operand in the update expression has an incorrect data type
        SET a = n + :big => E: Attempting to store more than 38 significant digits in a Number
        SET a = :big + :big => E: Number overflow. Attempting to store a number with magnitude larger than supported range
        SET a = :neg - :big => E: Attempting to store more than 38 significant digits in a Number
        SET a = :tiny - :n1 => E: Attempting to store more than 38 significant digits in a Number
        "##,
    );
}

#[test]
fn apply_errors_follow_dynamodbs_order() {
    check_apply_table(
        r##"
        SET absent.a = :s, b = absent => E: The provided expression refers to an attribute that does not exist in the item
        ADD s :n1 SET a = s + :n1 => E: An operand in the update expression has an incorrect data type
        SET absent.a = :s ADD s :n1 => E: The document path provided in the update expression is invalid for update
        ADD s :n1 SET absent.a = :s => E: An operand in the update expression has an incorrect data type
        "##,
    );
}

#[test]
fn apply_nesting_beyond_32_levels_is_rejected() {
    check_apply_table(
        r##"
        SET a = :deep => a: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: {x: 1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}
        SET m.k = :deep => E: Nesting Levels have exceeded supported limits
        SET l[9] = :deep => E: Nesting Levels have exceeded supported limits
        "##,
    );
    check_apply(
        "SET m.k = :n1, a = :deep",
        &format!(
            "a: {}, m: {{deep: {{x: 1, y: 2}}, k: 1}}",
            show_value(&deep(31))
        ),
    );
}

#[test]
fn apply_to_an_empty_item_creates_attributes() {
    let empty = Item::new();
    check_apply_to(
        &empty,
        "SET a = :n1 ADD b :n2, c :ss",
        "a: 1, b: 2, c: SS[\"a\", \"b\"]",
    );
    check_apply_to(&empty, "REMOVE a DELETE b :ss", "(none)");
    check_apply_to(
        &empty,
        "SET a = b",
        "E: The provided expression refers to an attribute that does not exist in the item",
    );
    check_apply_to(
        &empty,
        "SET a.b = :n1",
        "E: The document path provided in the update expression is invalid for update",
    );
}

/// dynalite's "should update nested attributes" case: operands read the old item, appends
/// land in index order, and UPDATED_NEW projects the written paths out of the new item.
#[test]
fn apply_nested_update_matches_dynalite_and_projects_updated_paths() {
    let map = |entries: &[(&str, AttributeValue)]| {
        AttributeValue::M(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    let mut item: Item = [
        ("a".to_owned(), s("k")),
        (
            "b".to_owned(),
            map(&[("a", num("1")), ("b", num("2")), ("c", num("3"))]),
        ),
        ("c".to_owned(), AttributeValue::L(vec![num("1"), num("3")])),
    ]
    .into_iter()
    .collect();
    let values = HashMap::from([(":a".to_owned(), num("2")), (":b".to_owned(), set(&["a"]))]);
    let mut ctx = ExpressionContext::new(None, Some(&values)).unwrap();
    let update = parse_update(
        "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
        &mut ctx,
    )
    .unwrap();
    ctx.finish().unwrap();
    update.apply(&mut item).unwrap();
    assert_eq!(
        show_value(&AttributeValue::M(item.clone())),
        r#"{a: "k", b: {a: "k", b: 2, c: 4}, c: [1, "k", 3, -1, 2, SS["a"]]}"#
    );
    let updated = project(&item, &update.updated_paths());
    assert_eq!(
        show_value(&AttributeValue::M(updated)),
        r#"{b: {a: "k", c: 4}, c: ["k", 3, 2]}"#
    );
}

#[test]
fn updated_paths_lists_the_written_paths_in_text_order() {
    let update = parse("REMOVE l[1] SET m.k = :s, #dot = a ADD n :n1 DELETE ss :ss").unwrap();
    let paths: Vec<String> = update.updated_paths().iter().map(show_path).collect();
    assert_eq!(paths, ["l[1]", "m.k", "`x.y`", "n", "ss"]);
}

#[test]
fn check_keys_rejects_actions_on_key_attributes() {
    let is_key = |name: &str| name == "pk" || name == "sk";
    let check_keys = |text: &str| match parse(text).unwrap().check_keys(is_key) {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.message(),
    };
    let key_error = |k: &str| {
        format!(
            "One or more parameter values were invalid: Cannot update attribute {k}. This \
             attribute is part of the key"
        )
    };
    assert_eq!(check_keys("SET a = pk, b = sk.x + :n1"), "ok");
    assert_eq!(check_keys("SET #pk = :s"), key_error("pk"));
    assert_eq!(check_keys("ADD pk.b :n1"), key_error("pk"));
    assert_eq!(check_keys("REMOVE d SET b = :s, sk = :s"), key_error("sk"));
    assert_eq!(check_keys("DELETE b :ss REMOVE pk"), key_error("pk"));
    assert_eq!(check_keys("SET sk[1] = :s ADD pk :n1"), key_error("sk"));
}

/// Feeds `text` to the parser and applies what parses to the fixture item and an empty one:
/// each must return, never panic.
fn exercise(text: &str) {
    if let Ok(update) = parse(text) {
        for mut target in [item(), Item::new()] {
            let before = target.clone();
            if update.apply(&mut target).is_err() {
                assert_eq!(target, before);
            }
            project(&target, &update.updated_paths());
        }
        let _ = update.check_keys(|name| name == "s");
    }
}

const SOUP: &[&str] = &[
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "a",
    "n",
    "s",
    "l",
    "m",
    "ss",
    "ns",
    "absent",
    "name",
    "#a",
    "#dot",
    "#x",
    ":s",
    ":n1",
    ":big",
    ":ss",
    ":ns",
    ":l",
    ":m",
    ":x",
    ":deep",
    "0",
    "3",
    "9",
    "=",
    "+",
    "-",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    "if_not_exists",
    "list_append",
    "size",
    "foo",
    "AND",
    "<",
    "!",
];

proptest! {
    #[test]
    fn parse_update_any_text_returns_without_panicking(text in "\\PC{0,120}") {
        exercise(&text);
    }

    #[test]
    fn parse_update_token_soup_returns_without_panicking(
        picks in proptest::collection::vec(0..SOUP.len(), 0..40)
    ) {
        let text: Vec<&str> = picks.iter().map(|&i| SOUP[i]).collect();
        exercise(&text.join(" "));
        exercise(&text.concat());
    }
}
