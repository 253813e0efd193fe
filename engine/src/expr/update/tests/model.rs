//! A model interpreter for UpdateExpressions and a proptest comparing it with
//! [`UpdateExpression::apply`] on random items and random valid expressions.
//!
//! The model works differently from `apply`: instead of grouping the edits by path and
//! rebuilding each list once, it applies the actions one by one, in text order, to a copy of
//! the item, translating every list index of the old item into a position of the list as
//! the earlier actions left it.

use super::*;
use crate::expr::ast::PathElement;
use crate::expr::eval::resolve;
use crate::model::normalize_item;
use std::collections::BTreeMap;

const INVALID_PATH: &str =
    "The document path provided in the update expression is invalid for update";
const MISSING: &str =
    "The provided expression refers to an attribute that does not exist in the item";
const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";
const TOO_DEEP: &str = "Nesting Levels have exceeded supported limits";

/// What one action does to the value at its path, decided on the old item.
enum Change {
    Put(AttributeValue),
    Remove,
    Nothing,
}

/// The item after `update`, or the message of the first error.
pub(super) fn apply(update: &UpdateExpression, old: &Item) -> Result<Item, String> {
    let mut set_values = Vec::new();
    for action in &update.actions {
        if let UpdateAction::Set(_, value) = action {
            set_values.push(set_value(value, old)?);
        }
    }
    let mut set_values = set_values.into_iter();
    let mut changes = Vec::new();
    for action in &update.actions {
        let path = &action.path().elements;
        let current = old_value(old, path)?;
        let change = match action {
            UpdateAction::Set(..) => Change::Put(set_values.next().expect("one value per SET")),
            UpdateAction::Remove(_) if current.is_some() => Change::Remove,
            UpdateAction::Remove(_) => Change::Nothing,
            UpdateAction::Add(_, value) => Change::Put(add(current, value)?),
            UpdateAction::Delete(_, value) => delete(current, value)?,
        };
        if let Change::Put(value) = &change {
            if path.len() - 1 + depth(value) > 32 {
                return Err(TOO_DEEP.to_owned());
            }
        }
        changes.push((path, change));
    }
    let mut item = old.clone();
    let mut lists: BTreeMap<Vec<PathElement>, ListState> = BTreeMap::new();
    for (path, change) in changes {
        write(&mut item, old, &mut lists, path, change);
    }
    Ok(item)
}

fn set_value(value: &SetValue, item: &Item) -> Result<AttributeValue, String> {
    let numbers = |a: &SetOperand, b: &SetOperand| -> Result<(Number, Number), String> {
        let a = operand(a, item)?;
        let AttributeValue::N(a) = a else {
            return Err(WRONG_TYPE.to_owned());
        };
        let b = operand(b, item)?;
        let AttributeValue::N(b) = b else {
            return Err(WRONG_TYPE.to_owned());
        };
        Ok((a, b))
    };
    match value {
        SetValue::Operand(o) => operand(o, item),
        SetValue::Plus(a, b) => {
            let (a, b) = numbers(a, b)?;
            a.checked_add(&b)
                .map(AttributeValue::N)
                .map_err(|e| e.to_string())
        }
        SetValue::Minus(a, b) => {
            let (a, b) = numbers(a, b)?;
            a.checked_sub(&b)
                .map(AttributeValue::N)
                .map_err(|e| e.to_string())
        }
    }
}

fn operand(op: &SetOperand, item: &Item) -> Result<AttributeValue, String> {
    match op {
        SetOperand::Path(p) => resolve(item, p).cloned().ok_or(MISSING.to_owned()),
        SetOperand::Value(v) => Ok(v.clone()),
        SetOperand::IfNotExists(p, other) => match resolve(item, p) {
            Some(v) => Ok(v.clone()),
            None => operand(other, item),
        },
        SetOperand::ListAppend(a, b) => {
            let AttributeValue::L(mut a) = operand(a, item)? else {
                return Err(WRONG_TYPE.to_owned());
            };
            let AttributeValue::L(b) = operand(b, item)? else {
                return Err(WRONG_TYPE.to_owned());
            };
            a.extend(b);
            Ok(AttributeValue::L(a))
        }
    }
}

/// The value at `path` in the old item, or an error if its parent is missing or of the wrong
/// kind for the path's last step.
fn old_value<'a>(
    item: &'a Item,
    path: &[PathElement],
) -> Result<Option<&'a AttributeValue>, String> {
    let (last, parent_path) = path.split_last().expect("parsed paths are not empty");
    if parent_path.is_empty() {
        let PathElement::Attribute(name) = last else {
            return Err(INVALID_PATH.to_owned());
        };
        return Ok(item.get(name));
    }
    let parent = Path {
        elements: parent_path.to_vec(),
    };
    match (resolve(item, &parent), last) {
        (Some(AttributeValue::M(m)), PathElement::Attribute(name)) => Ok(m.get(name)),
        (Some(AttributeValue::L(l)), PathElement::Index(i)) => Ok(l.get(*i as usize)),
        _ => Err(INVALID_PATH.to_owned()),
    }
}

fn add(current: Option<&AttributeValue>, value: &AttributeValue) -> Result<AttributeValue, String> {
    use AttributeValue::*;
    let united = |a: Vec<String>, b: &Vec<String>| {
        let all: BTreeSet<String> = a.into_iter().chain(b.iter().cloned()).collect();
        all.into_iter().collect::<Vec<_>>()
    };
    match (current.cloned(), value) {
        (None, v) => Ok(v.clone()),
        (Some(N(a)), N(b)) => a.checked_add(b).map(N).map_err(|e| e.to_string()),
        (Some(Ss(a)), Ss(b)) => Ok(Ss(united(a, b))),
        (Some(Ns(a)), Ns(b)) => {
            let all: BTreeSet<Number> = a.into_iter().chain(b.iter().copied()).collect();
            Ok(Ns(all.into_iter().collect()))
        }
        (Some(Bs(a)), Bs(b)) => {
            let all: BTreeSet<Vec<u8>> = a.into_iter().chain(b.iter().cloned()).collect();
            Ok(Bs(all.into_iter().collect()))
        }
        _ => Err(WRONG_TYPE.to_owned()),
    }
}

fn delete(current: Option<&AttributeValue>, value: &AttributeValue) -> Result<Change, String> {
    use AttributeValue::*;
    let rest = match (current, value) {
        (None, _) => return Ok(Change::Nothing),
        (Some(Ss(a)), Ss(b)) => Ss(a.iter().filter(|x| !b.contains(x)).cloned().collect()),
        (Some(Ns(a)), Ns(b)) => Ns(a.iter().filter(|x| !b.contains(x)).cloned().collect()),
        (Some(Bs(a)), Bs(b)) => Bs(a.iter().filter(|x| !b.contains(x)).cloned().collect()),
        _ => return Err(WRONG_TYPE.to_owned()),
    };
    let empty = matches!(&rest, Ss(s) if s.is_empty())
        || matches!(&rest, Ns(s) if s.is_empty())
        || matches!(&rest, Bs(s) if s.is_empty());
    Ok(if empty {
        Change::Remove
    } else {
        Change::Put(rest)
    })
}

/// Levels of nesting, a scalar counting 1.
fn depth(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::M(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        AttributeValue::L(l) => 1 + l.iter().map(depth).max().unwrap_or(0),
        _ => 1,
    }
}

/// Which elements of one old list earlier actions removed, and which indexes past its end
/// they appended (both as indexes into the old list).
#[derive(Default)]
struct ListState {
    removed: BTreeSet<u32>,
    appended: BTreeSet<u32>,
}

/// Applies one change to `item`, translating the path's old-list indexes into positions.
fn write(
    item: &mut Item,
    old: &Item,
    lists: &mut BTreeMap<Vec<PathElement>, ListState>,
    path: &[PathElement],
    change: Change,
) {
    let mut position = Vec::new();
    for (k, element) in path.iter().enumerate() {
        match element {
            PathElement::Attribute(_) => position.push(element.clone()),
            &PathElement::Index(i) => {
                let list = Path {
                    elements: path[..k].to_vec(),
                };
                let Some(AttributeValue::L(old_list)) = resolve(old, &list) else {
                    panic!("validated: a list at {list:?}");
                };
                let old_len = old_list.len() as u32;
                let state = lists.entry(path[..k].to_vec()).or_default();
                let at = if i < old_len {
                    i - state.removed.range(..i).count() as u32
                } else {
                    old_len - state.removed.len() as u32 + state.appended.range(..i).count() as u32
                };
                position.push(PathElement::Index(at));
            }
        }
    }
    let (last, parent) = position.split_last().expect("not empty");
    let list_state = lists.entry(path[..path.len() - 1].to_vec()).or_default();
    let target = match path.last() {
        Some(PathElement::Index(i)) => Some(*i),
        _ => None,
    };
    let container = if parent.is_empty() {
        None
    } else {
        Some(value_mut(item, parent))
    };
    match (container, last, change) {
        (None, PathElement::Attribute(name), Change::Put(v)) => {
            item.insert(name.clone(), v);
        }
        (None, PathElement::Attribute(name), Change::Remove) => {
            item.remove(name);
        }
        (Some(AttributeValue::M(m)), PathElement::Attribute(name), Change::Put(v)) => {
            m.insert(name.clone(), v);
        }
        (Some(AttributeValue::M(m)), PathElement::Attribute(name), Change::Remove) => {
            m.remove(name);
        }
        (Some(AttributeValue::L(l)), PathElement::Index(at), change) => {
            let old_index = target.expect("an index path");
            let at = *at as usize;
            let old_len = match resolve(
                old,
                &Path {
                    elements: path[..path.len() - 1].to_vec(),
                },
            ) {
                Some(AttributeValue::L(old_list)) => old_list.len() as u32,
                _ => panic!("validated: a list"),
            };
            match change {
                Change::Put(v) if old_index < old_len => l[at] = v,
                Change::Put(v) => {
                    l.insert(at, v);
                    list_state.appended.insert(old_index);
                }
                Change::Remove if old_index < old_len => {
                    l.remove(at);
                    list_state.removed.insert(old_index);
                }
                _ => {}
            }
        }
        (_, _, Change::Nothing) => {}
        _ => panic!("validated: the parent of {path:?} has the right kind"),
    }
}

fn value_mut<'a>(item: &'a mut Item, path: &[PathElement]) -> &'a mut AttributeValue {
    let (first, rest) = path.split_first().expect("not empty");
    let PathElement::Attribute(name) = first else {
        panic!("paths start with a name")
    };
    let mut value = item.get_mut(name).expect("validated: exists");
    for element in rest {
        value = match (element, value) {
            (PathElement::Attribute(name), AttributeValue::M(m)) => m.get_mut(name),
            (PathElement::Index(i), AttributeValue::L(l)) => l.get_mut(*i as usize),
            _ => None,
        }
        .expect("validated: exists");
    }
    value
}

// ---- The proptest ----

const NAMES: [&str; 3] = ["a", "b", "c"];
const KEYS: [&str; 2] = ["x", "y"];
const NUMBERS: [&str; 4] = [":n1", ":n2", ":neg", ":big"];
const SETS: [&str; 7] = [":sa", ":sbc", ":ss", ":ns", ":ns2", ":bs", ":bs2"];
const VALUES: [&str; 9] = [
    ":n1", ":neg", ":big", ":s", ":l", ":l2", ":m", ":ss", ":deep",
];

fn arb_value() -> BoxedStrategy<AttributeValue> {
    let leaf = prop_oneof![
        (-3i32..10).prop_map(|n| AttributeValue::N(Number::from(n))),
        Just(s("s")),
        Just(AttributeValue::Null),
        proptest::sample::subsequence(vec!["a", "b", "c"], 1..=3).prop_map(|e| set(&e)),
        proptest::sample::subsequence(vec!["1", "2", "3"], 1..=3).prop_map(|e| number_set(&e)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            proptest::collection::btree_map(proptest::sample::select(KEYS.to_vec()), inner, 0..3)
                .prop_map(|m| AttributeValue::M(
                    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
        ]
    })
    .boxed()
}

fn arb_leaf() -> BoxedStrategy<AttributeValue> {
    prop_oneof![
        (-3i32..10).prop_map(|n| AttributeValue::N(Number::from(n))),
        Just(s("s")),
        proptest::sample::subsequence(vec!["a", "b", "c"], 1..=3).prop_map(|e| set(&e)),
        proptest::sample::subsequence(vec!["1", "2", "3"], 1..=3).prop_map(|e| number_set(&e)),
    ]
    .boxed()
}

/// A map with keys among `x` and `y`.
fn arb_map(value: BoxedStrategy<AttributeValue>) -> BoxedStrategy<AttributeValue> {
    proptest::collection::btree_map(proptest::sample::select(KEYS.to_vec()), value, 0..=2)
        .prop_map(|m| AttributeValue::M(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
        .boxed()
}

/// Items whose attribute `a` is usually a map of maps, `b` usually a list of maps, `c`
/// anything, so that most generated paths lead somewhere.
fn arb_item() -> BoxedStrategy<Item> {
    let inner = prop_oneof![arb_map(arb_leaf()), arb_leaf()].boxed();
    let a = prop_oneof![4 => arb_map(inner), 1 => arb_value()];
    let element = prop_oneof![2 => arb_map(arb_leaf()), 1 => arb_value()];
    let list = proptest::collection::vec(element, 0..5).prop_map(AttributeValue::L);
    let b = prop_oneof![4 => list, 1 => arb_value()];
    (
        proptest::option::weighted(0.9, a),
        proptest::option::weighted(0.9, b),
        proptest::option::weighted(0.7, arb_value()),
    )
        .prop_map(|(a, b, c)| {
            [("a", a), ("b", b), ("c", c)]
                .into_iter()
                .filter_map(|(name, v)| Some((name.to_owned(), v?)))
                .collect()
        })
        .boxed()
}

fn arb_index() -> BoxedStrategy<PathElement> {
    proptest::sample::select(vec![0u32, 1, 2, 4])
        .prop_map(PathElement::Index)
        .boxed()
}

fn arb_step() -> BoxedStrategy<PathElement> {
    let key =
        proptest::sample::select(KEYS.to_vec()).prop_map(|k| PathElement::Attribute(k.into()));
    prop_oneof![key, arb_index()].boxed()
}

/// Paths shaped like the items: names below `a`, an index below `b`, anything below `c`.
fn arb_path() -> BoxedStrategy<Vec<PathElement>> {
    let name = |head: &str| PathElement::Attribute(head.to_owned());
    let key =
        proptest::sample::select(KEYS.to_vec()).prop_map(|k| PathElement::Attribute(k.into()));
    prop_oneof![
        3 => proptest::collection::vec(key.clone(), 0..3).prop_map(move |rest| {
            [vec![name("a")], rest].concat()
        }),
        3 => (arb_index(), proptest::option::of(prop_oneof![3 => key.clone(), 1 => arb_index()]))
            .prop_map(move |(index, rest)| {
                [vec![name("b"), index], rest.into_iter().collect()].concat()
            }),
        1 => (proptest::sample::select(NAMES.to_vec()), proptest::collection::vec(arb_step(), 0..3))
            .prop_map(move |(head, rest)| [vec![name(head)], rest].concat()),
    ]
    .boxed()
}

fn render(path: &[PathElement]) -> String {
    show_path(&Path {
        elements: path.to_vec(),
    })
}

fn arb_operand() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        1 => arb_path().prop_map(|p| render(&p)),
        3 => proptest::sample::select(VALUES.to_vec()).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (arb_path(), inner.clone())
                .prop_map(|(p, o)| format!("if_not_exists({}, {o})", render(&p))),
            (inner.clone(), inner).prop_map(|(a, b)| format!("list_append({a}, {b})")),
        ]
    })
    .boxed()
}

/// An operand that is often a number: a number value, a path, or `if_not_exists` of them.
fn arb_number_operand() -> BoxedStrategy<String> {
    prop_oneof![
        2 => proptest::sample::select(NUMBERS.to_vec()).prop_map(str::to_owned),
        1 => arb_path().prop_map(|p| render(&p)),
        1 => (arb_path(), proptest::sample::select(NUMBERS.to_vec()))
            .prop_map(|(p, n)| format!("if_not_exists({}, {n})", render(&p))),
    ]
    .boxed()
}

fn arb_set_value() -> BoxedStrategy<String> {
    prop_oneof![
        3 => arb_operand(),
        1 => (arb_number_operand(), arb_number_operand()).prop_map(|(a, b)| format!("{a} + {b}")),
        1 => (arb_number_operand(), arb_number_operand()).prop_map(|(a, b)| format!("{a} - {b}")),
    ]
    .boxed()
}

/// An action: its section (0 SET, 1 REMOVE, 2 ADD, 3 DELETE), its path and what follows.
fn arb_action() -> BoxedStrategy<(usize, Vec<PathElement>, String)> {
    prop_oneof![
        (arb_path(), arb_set_value()).prop_map(|(p, v)| (0, p, format!("= {v}"))),
        arb_path().prop_map(|p| (1, p, String::new())),
        (
            arb_path(),
            proptest::sample::select([NUMBERS.to_vec(), SETS.to_vec()].concat())
        )
            .prop_map(|(p, v)| (2, p, v.to_owned())),
        (arb_path(), proptest::sample::select(SETS.to_vec())).prop_map(|(p, v)| (
            3,
            p,
            v.to_owned()
        )),
    ]
    .boxed()
}

/// Whether two paths overlap (one is a prefix of the other) or conflict.
fn clash(a: &[PathElement], b: &[PathElement]) -> bool {
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (PathElement::Attribute(_), PathElement::Index(_))
            | (PathElement::Index(_), PathElement::Attribute(_)) => return true,
            _ if x != y => return false,
            _ => {}
        }
    }
    true
}

/// Renders the actions that clash with no earlier one, grouped into sections in `order`.
fn render_update(actions: &[(usize, Vec<PathElement>, String)], order: &[usize]) -> String {
    let mut kept: Vec<&(usize, Vec<PathElement>, String)> = Vec::new();
    for action in actions {
        if kept.iter().all(|k| !clash(&k.1, &action.1)) {
            kept.push(action);
        }
    }
    let mut text = Vec::new();
    for &section in order {
        let parts: Vec<String> = kept
            .iter()
            .filter(|a| a.0 == section)
            .map(|(_, path, rest)| format!("{} {rest}", render(path)).trim_end().to_owned())
            .collect();
        if !parts.is_empty() {
            let word = ["SET", "REMOVE", "ADD", "DELETE"][section];
            text.push(format!("{word} {}", parts.join(", ")));
        }
    }
    text.join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn apply_agrees_with_the_model_interpreter(
        item in arb_item(),
        actions in proptest::collection::vec(arb_action(), 1..5),
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
    ) {
        let text = render_update(&actions, &order);
        let update = match parse(&text) {
            Ok(update) => update,
            // Only the static operand checks of `+`, `-` and list_append may refuse these.
            Err(message) => {
                prop_assert!(message.contains("Incorrect operand type"), "{text}: {message}");
                return Ok(());
            }
        };
        let expected = apply(&update, &item);
        let mut got = item.clone();
        match (update.apply(&mut got), expected) {
            (Ok(()), Ok(expected)) => {
                prop_assert_eq!(&got, &expected, "{}", text);
                let mut normalized = got.clone();
                prop_assert!(normalize_item(&mut normalized).is_ok(), "{text}");
                prop_assert_eq!(&normalized, &got, "{}: sets stay sorted", text);
            }
            (Err(e), Err(expected)) => {
                prop_assert_eq!(e.message(), expected, "{}", text);
                prop_assert_eq!(&got, &item, "{}: a failed update changed the item", text);
            }
            (got, expected) => {
                prop_assert!(false, "{text}: apply gave {got:?}, the model {expected:?}");
            }
        }
    }

    /// Several actions on elements of one list of numbers: indexes into the old list, past
    /// its end, removed, replaced, incremented and read.
    #[test]
    fn apply_list_actions_agree_with_the_model_interpreter(
        list in proptest::collection::vec(-3i32..10, 0..6),
        actions in proptest::collection::vec((0usize..4, 0u32..8, 0u32..8), 1..7),
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
    ) {
        let item: Item = [(
            "b".to_owned(),
            AttributeValue::L(list.into_iter().map(|n| AttributeValue::N(Number::from(n))).collect()),
        )]
        .into_iter()
        .collect();
        let actions: Vec<(usize, Vec<PathElement>, String)> = actions
            .into_iter()
            .map(|(kind, index, other)| {
                let path = vec![PathElement::Attribute("b".to_owned()), PathElement::Index(index)];
                let rest = match kind {
                    0 => format!("= if_not_exists(b[{other}], :n2)"),
                    2 => ":n1".to_owned(),
                    3 => ":ns".to_owned(),
                    _ => String::new(),
                };
                // DELETE is its own section but would fail on numbers: use SET b[i] = b[j] + :n1.
                match kind {
                    3 => (0, path, format!("= if_not_exists(b[{other}], :n0) + :n1")),
                    _ => (kind, path, rest),
                }
            })
            .collect();
        let text = render_update(&actions, &order);
        let update = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let expected = apply(&update, &item);
        let mut got = item.clone();
        let result = update.apply(&mut got).map_err(|e| e.message());
        prop_assert!(result.is_ok(), "{text}: {result:?}");
        prop_assert_eq!(Ok(got), expected, "{}", text);
    }
}
