//! Applies an [`UpdateExpression`] to an item, with DynamoDB's semantics: every operand and
//! every list index refers to the item as it was before the update.

use super::{SetOperand, SetValue, UpdateAction, UpdateExpression};
use crate::api::{ApiError, ApiResult};
use crate::expr::ast::{Path, PathElement};
use crate::expr::eval::resolve;
use crate::model::attribute::NESTING_DEPTH_MAX;
use crate::model::{AttributeValue, Item, Number, NumberError};
use std::collections::BTreeMap;

impl UpdateExpression {
    /// Applies the actions to `item` (an absent item is an empty one, to which the caller has
    /// added the key). On error `item` is left as it was.
    ///
    /// The actions act as one step on the old item:
    /// - every SET operand reads the old item, so `SET a = b, b = a` swaps;
    /// - a list index names an element of the old list: `REMOVE l[0], l[2]` removes the first
    ///   and third elements, and `REMOVE l[0] SET l[1] = :v` replaces the old second element;
    /// - SET (or ADD) at an index past the end of a list appends, several such in index order;
    /// - the parent of every written path must exist in the old item and be a map (for a
    ///   name) or a list (for an index), else "The document path provided in the update
    ///   expression is invalid for update"; REMOVE and DELETE of an absent value do nothing.
    ///
    /// Errors are reported in DynamoDB's order: first the SET operands in text order (an
    /// operand path leading nowhere, a `+`, `-` or `list_append` operand of the wrong type, a
    /// sum out of range), then per action in text order its path, its operand types and the
    /// nesting depth of what it writes.
    pub fn apply(&self, item: &mut Item) -> ApiResult<()> {
        let mut steps = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            let step = match action {
                UpdateAction::Set(path, value) => (path, Step::Set(evaluate(value, item)?)),
                UpdateAction::Remove(path) => (path, Step::Remove),
                UpdateAction::Add(path, value) => (path, Step::Add(value)),
                UpdateAction::Delete(path, value) => (path, Step::Delete(value)),
            };
            steps.push(step);
        }
        let mut edits = Vec::with_capacity(steps.len());
        for (path, step) in steps {
            let edit = step.edit(target(item, path)?)?;
            if let Edit::Put(value) = &edit {
                check_depth(value, path.elements.len())?;
            }
            edits.push((path.elements.as_slice(), edit));
        }
        write_map(item, edits);
        Ok(())
    }
}

/// An action with its SET value computed.
enum Step<'u> {
    Set(AttributeValue),
    Remove,
    Add(&'u AttributeValue),
    Delete(&'u AttributeValue),
}

/// What an action does to the value at its path.
#[derive(Debug)]
enum Edit {
    Put(AttributeValue),
    Remove,
    Keep,
}

impl Step<'_> {
    /// The edit that turns `old`, the value at the action's path, into the new value.
    fn edit(self, old: Option<&AttributeValue>) -> ApiResult<Edit> {
        match self {
            Step::Set(value) => Ok(Edit::Put(value)),
            Step::Remove if old.is_some() => Ok(Edit::Remove),
            Step::Remove => Ok(Edit::Keep),
            Step::Add(value) => add(old, value).map(Edit::Put),
            Step::Delete(value) => delete(old, value),
        }
    }
}

fn invalid_path() -> ApiError {
    ApiError::validation(
        "The document path provided in the update expression is invalid for update",
    )
}

fn missing_operand() -> ApiError {
    ApiError::validation(
        "The provided expression refers to an attribute that does not exist in the item",
    )
}

fn incorrect_type() -> ApiError {
    ApiError::validation("An operand in the update expression has an incorrect data type")
}

fn number_error(error: NumberError) -> ApiError {
    ApiError::validation(error.to_string())
}

fn evaluate(value: &SetValue, item: &Item) -> ApiResult<AttributeValue> {
    match value {
        SetValue::Operand(operand) => evaluate_operand(operand, item),
        SetValue::Plus(a, b) => arithmetic(a, b, item, Number::checked_add),
        SetValue::Minus(a, b) => arithmetic(a, b, item, Number::checked_sub),
    }
}

/// `a + b` or `a - b`: each operand must exist and be a number, checked left to right.
fn arithmetic(
    a: &SetOperand,
    b: &SetOperand,
    item: &Item,
    op: fn(&Number, &Number) -> Result<Number, NumberError>,
) -> ApiResult<AttributeValue> {
    let number = |operand| match evaluate_operand(operand, item)? {
        AttributeValue::N(n) => Ok(n),
        _ => Err(incorrect_type()),
    };
    let (a, b) = (number(a)?, number(b)?);
    op(&a, &b).map(AttributeValue::N).map_err(number_error)
}

/// The value of a SET operand in the old item. Recursion follows the nesting of functions,
/// which the parser bounds.
fn evaluate_operand(operand: &SetOperand, item: &Item) -> ApiResult<AttributeValue> {
    match operand {
        SetOperand::Path(path) => resolve(item, path).cloned().ok_or_else(missing_operand),
        SetOperand::Value(value) => Ok(value.clone()),
        SetOperand::IfNotExists(path, fallback) => match resolve(item, path) {
            Some(value) => Ok(value.clone()),
            None => evaluate_operand(fallback, item),
        },
        SetOperand::ListAppend(a, b) => {
            let list = |operand| match evaluate_operand(operand, item)? {
                AttributeValue::L(list) => Ok(list),
                _ => Err(incorrect_type()),
            };
            let mut joined = list(a)?;
            joined.extend(list(b)?);
            Ok(AttributeValue::L(joined))
        }
    }
}

/// The old value at `path`, after checking that the path's parent exists and is a map (if
/// the last element is a name) or a list (if it is an index).
fn target<'a>(item: &'a Item, path: &Path) -> ApiResult<Option<&'a AttributeValue>> {
    let Some((last, parents)) = path.elements.split_last() else {
        return Err(invalid_path());
    };
    let Some((first, inner)) = parents.split_first() else {
        return match last {
            PathElement::Attribute(name) => Ok(item.get(name)),
            PathElement::Index(_) => Err(invalid_path()),
        };
    };
    let mut parent = match first {
        PathElement::Attribute(name) => item.get(name).ok_or_else(invalid_path)?,
        PathElement::Index(_) => return Err(invalid_path()),
    };
    for element in inner {
        parent = child(parent, element).ok_or_else(invalid_path)?;
    }
    match (last, parent) {
        (PathElement::Attribute(_), AttributeValue::M(_))
        | (PathElement::Index(_), AttributeValue::L(_)) => Ok(child(parent, last)),
        _ => Err(invalid_path()),
    }
}

fn child<'a>(value: &'a AttributeValue, element: &PathElement) -> Option<&'a AttributeValue> {
    match (element, value) {
        (PathElement::Attribute(name), AttributeValue::M(map)) => map.get(name),
        (PathElement::Index(i), AttributeValue::L(list)) => list.get(*i as usize),
        _ => None,
    }
}

/// ADD: a number to a number (an absent one counting as 0), or a set's elements to a set of
/// the same type (an absent one counting as empty).
fn add(old: Option<&AttributeValue>, value: &AttributeValue) -> ApiResult<AttributeValue> {
    use AttributeValue::{Bs, Ns, Ss, N};
    match (old, value) {
        (None, N(_) | Ss(_) | Ns(_) | Bs(_)) => Ok(value.clone()),
        (Some(N(a)), N(b)) => a.checked_add(b).map(N).map_err(number_error),
        (Some(Ss(a)), Ss(b)) => Ok(Ss(union(a, b))),
        (Some(Ns(a)), Ns(b)) => Ok(Ns(union(a, b))),
        (Some(Bs(a)), Bs(b)) => Ok(Bs(union(a, b))),
        _ => Err(incorrect_type()),
    }
}

/// DELETE: removes a set's elements from a set of the same type; a set left empty is removed,
/// and an absent value stays absent.
fn delete(old: Option<&AttributeValue>, value: &AttributeValue) -> ApiResult<Edit> {
    use AttributeValue::{Bs, Ns, Ss};
    let rest = match (old, value) {
        (None, Ss(_) | Ns(_) | Bs(_)) => return Ok(Edit::Keep),
        (Some(Ss(a)), Ss(b)) => Ss(difference(a, b)),
        (Some(Ns(a)), Ns(b)) => Ns(difference(a, b)),
        (Some(Bs(a)), Bs(b)) => Bs(difference(a, b)),
        _ => return Err(incorrect_type()),
    };
    let empty = match &rest {
        Ss(s) => s.is_empty(),
        Ns(s) => s.is_empty(),
        Bs(s) => s.is_empty(),
        _ => false,
    };
    Ok(if empty { Edit::Remove } else { Edit::Put(rest) })
}

/// The sorted, duplicate-free union (sets are kept sorted, see `AttributeValue::normalize`).
fn union<T: Ord + Clone>(a: &[T], b: &[T]) -> Vec<T> {
    let mut all: Vec<T> = a.iter().chain(b).cloned().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The elements of `a` not in `b`, in `a`'s order.
fn difference<T: Ord + Clone>(a: &[T], b: &[T]) -> Vec<T> {
    let mut gone: Vec<&T> = b.iter().collect();
    gone.sort_unstable();
    a.iter()
        .filter(|x| gone.binary_search(x).is_err())
        .cloned()
        .collect()
}

/// Fails if `value`, written at a path of `level` elements, would nest deeper than DynamoDB
/// allows (with the message of `AttributeValue::normalize`).
fn check_depth(value: &AttributeValue, level: usize) -> ApiResult<()> {
    // Values and item attributes are already within the limit at level 1.
    if level <= 1 || fits(value, level) {
        return Ok(());
    }
    Err(ApiError::validation(
        "Nesting Levels have exceeded supported limits",
    ))
}

/// Whether `value` at `level` stays within the nesting limit; recurses at most
/// `NESTING_DEPTH_MAX` levels deep.
fn fits(value: &AttributeValue, level: usize) -> bool {
    if level > NESTING_DEPTH_MAX {
        return false;
    }
    match value {
        AttributeValue::M(map) => map.values().all(|v| fits(v, level + 1)),
        AttributeValue::L(list) => list.iter().all(|v| fits(v, level + 1)),
        _ => true,
    }
}

/// Edits keyed by the rest of their path below the value being written.
type Edits<'u> = Vec<(&'u [PathElement], Edit)>;

/// Splits the edits of one value into its own edit (a path ending here) or, failing that, the
/// edits below it. Parsed expressions have no overlapping paths, so never both; given them
/// anyway, the value's own edit wins.
fn own_edit(edits: Edits<'_>) -> Result<Edit, Edits<'_>> {
    let mut own = None;
    let mut below = Vec::new();
    for (rest, edit) in edits {
        if rest.is_empty() {
            own = Some(edit);
        } else {
            below.push((rest, edit));
        }
    }
    own.ok_or(below)
}

/// Writes the edits into a map (or the item), grouped by their first path element. `target`
/// has checked every parent, so a path that leads nowhere here is ignored rather than
/// written. Recursion follows the item's nesting.
fn write_map(map: &mut BTreeMap<String, AttributeValue>, edits: Edits<'_>) {
    let mut groups: BTreeMap<&str, Edits<'_>> = BTreeMap::new();
    for (path, edit) in edits {
        if let Some((PathElement::Attribute(name), rest)) = path.split_first() {
            groups.entry(name).or_default().push((rest, edit));
        }
    }
    for (name, group) in groups {
        match own_edit(group) {
            Ok(Edit::Put(value)) => {
                map.insert(name.to_owned(), value);
            }
            Ok(Edit::Remove) => {
                map.remove(name);
            }
            Ok(Edit::Keep) => {}
            Err(below) => {
                if let Some(value) = map.get_mut(name) {
                    write_value(value, below);
                }
            }
        }
    }
}

fn write_value(value: &mut AttributeValue, edits: Edits<'_>) {
    match value {
        AttributeValue::M(map) => write_map(map, edits),
        AttributeValue::L(list) => write_list(list, edits),
        _ => {}
    }
}

/// Writes the edits into a list. Indexes name elements of the list as it was: elements are
/// replaced or edited in place, removed ones dropped together at the end, and values for
/// indexes past the end appended in index order.
fn write_list(list: &mut Vec<AttributeValue>, edits: Edits<'_>) {
    let mut groups: BTreeMap<u32, Edits<'_>> = BTreeMap::new();
    for (path, edit) in edits {
        if let Some((PathElement::Index(i), rest)) = path.split_first() {
            groups.entry(*i).or_default().push((rest, edit));
        }
    }
    let mut removed = Vec::new();
    let mut appended = Vec::new();
    for (index, group) in groups {
        let index = index as usize;
        match (own_edit(group), list.get_mut(index)) {
            (Ok(Edit::Put(value)), Some(slot)) => *slot = value,
            (Ok(Edit::Put(value)), None) => appended.push(value),
            (Ok(Edit::Remove), Some(_)) => removed.push(index),
            (Ok(_), _) => {}
            (Err(below), Some(slot)) => write_value(slot, below),
            (Err(_), None) => {}
        }
    }
    if !removed.is_empty() {
        // `removed` is ascending, as the groups were.
        let mut position = 0;
        let mut next = removed.iter().peekable();
        list.retain(|_| {
            let drop = next.next_if_eq(&&position).is_some();
            position += 1;
            !drop
        });
    }
    list.extend(appended);
}
