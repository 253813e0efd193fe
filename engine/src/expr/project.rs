//! Applies a ProjectionExpression: keeps the selected parts of an item, in their nesting.

use super::ast::{Path, PathElement};
use crate::model::{AttributeValue, Item};
use std::collections::BTreeMap;

/// The parts of `item` the `paths` select, keeping their nesting: `a.b` yields `{a: {b: ..}}`,
/// and the selected elements of a list come back as a shorter list in index order (`l[2], l[0]`
/// of `[x, y, z]` yields `[x, z]`). Paths leading nowhere select nothing; a map or list none
/// of whose selected parts exist is left out.
///
/// [`parse_projection`](super::parse_projection) rejects overlapping and conflicting paths.
/// Given them anyway, a path selecting a whole value wins over paths into it, and of two
/// conflicting paths the first one given wins.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut top: BTreeMap<&str, Selection<'_>> = BTreeMap::new();
    for path in paths {
        let Some((PathElement::Attribute(name), rest)) = path.elements.split_first() else {
            continue;
        };
        top.entry(name.as_str())
            .or_insert_with(Selection::empty)
            .add(rest);
    }
    top.into_iter()
        .filter_map(|(name, selection)| {
            let value = selection.apply(item.get(name)?)?;
            Some((name.to_owned(), value))
        })
        .collect()
}

/// What to keep of one value.
#[derive(Debug)]
enum Selection<'p> {
    /// Nothing selected yet (only while building).
    Empty,
    /// The whole value.
    All,
    /// Some keys of a map.
    Keys(BTreeMap<&'p str, Selection<'p>>),
    /// Some elements of a list, by index.
    Elements(BTreeMap<u32, Selection<'p>>),
}

impl<'p> Selection<'p> {
    fn empty() -> Self {
        Selection::Empty
    }

    /// Adds the selection of `rest`, the remainder of a path below this value. Loops down
    /// the path, so a long path costs no recursion.
    fn add(&mut self, rest: &'p [PathElement]) {
        let mut node = self;
        for element in rest {
            if let Selection::Empty = node {
                *node = match element {
                    PathElement::Attribute(_) => Selection::Keys(BTreeMap::new()),
                    PathElement::Index(_) => Selection::Elements(BTreeMap::new()),
                };
            }
            node = match (node, element) {
                (Selection::Keys(keys), PathElement::Attribute(key)) => {
                    keys.entry(key.as_str()).or_insert_with(Selection::empty)
                }
                (Selection::Elements(elements), PathElement::Index(i)) => {
                    elements.entry(*i).or_insert_with(Selection::empty)
                }
                // All already covers the path; a conflicting path is ignored.
                _ => return,
            };
        }
        *node = Selection::All;
    }

    /// The selected part of `value`, or `None` if nothing selected exists in it.
    fn apply(&self, value: &AttributeValue) -> Option<AttributeValue> {
        match (self, value) {
            (Selection::All, v) => Some(v.clone()),
            (Selection::Keys(keys), AttributeValue::M(map)) => {
                let kept: BTreeMap<String, AttributeValue> = keys
                    .iter()
                    .filter_map(|(key, sel)| Some((key.to_string(), sel.apply(map.get(*key)?)?)))
                    .collect();
                (!kept.is_empty()).then_some(AttributeValue::M(kept))
            }
            (Selection::Elements(elements), AttributeValue::L(list)) => {
                let kept: Vec<AttributeValue> = elements
                    .iter()
                    .filter_map(|(i, sel)| sel.apply(list.get(*i as usize)?))
                    .collect();
                (!kept.is_empty()).then_some(AttributeValue::L(kept))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::testing::{item, parse_paths, show_value};

    /// Projects the fixture item with `expr` and renders the result.
    fn check(expr: &str, expected: &str) {
        let paths = parse_paths(expr).unwrap();
        let projected = project(&item(), &paths);
        assert_eq!(
            show_value(&AttributeValue::M(projected)),
            expected,
            "{expr}"
        );
    }

    #[test]
    fn project_top_level_attributes_keeps_only_them() {
        check("s", r#"{s: "text"}"#);
        check("s, n", r#"{n: 5, s: "text"}"#);
        check("absent", "{}");
        check("s, absent", r#"{s: "text"}"#);
    }

    #[test]
    fn project_nested_map_paths_keep_their_structure() {
        check("m.k", r#"{m: {k: "v"}}"#);
        check("m.deep.x, m.k", r#"{m: {deep: {x: 1}, k: "v"}}"#);
        check("m.deep", r#"{m: {deep: {x: 1, y: 2}}}"#);
        check("m.absent", "{}");
        check("m.k.x", "{}");
        check("m[0]", "{}");
    }

    #[test]
    fn project_list_indexes_compact_in_index_order() {
        check("l[0]", r#"{l: ["zero"]}"#);
        check("l[2], l[0]", r#"{l: ["zero", "two"]}"#);
        check("l[1], l[3]", r#"{l: [null, {a: 1, b: 2}]}"#);
        check("l[3].a, l[3].b", r#"{l: [{a: 1, b: 2}]}"#);
        check("l[3].b", r#"{l: [{b: 2}]}"#);
        check("l[9]", "{}");
        check("l[3].z", "{}");
        check("l.a", "{}");
        check("nested[0][1]", "{nested: [[11]]}");
    }

    #[test]
    fn project_overlapping_paths_given_directly_keep_the_wider_one() {
        let paths = |texts: &[&str]| -> Vec<Path> {
            texts.iter().flat_map(|t| parse_paths(t).unwrap()).collect()
        };
        let render = |p: &[Path]| show_value(&AttributeValue::M(project(&item(), p)));
        assert_eq!(render(&paths(&["m", "m.k"])), render(&paths(&["m"])));
        assert_eq!(render(&paths(&["m.k", "m"])), render(&paths(&["m"])));
        assert_eq!(render(&paths(&["l[0]", "l.a"])), render(&paths(&["l[0]"])));
        assert!(project(&item(), &[Path::default()]).is_empty());
    }
}
