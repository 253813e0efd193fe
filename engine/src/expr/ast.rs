//! The typed syntax tree the parser builds: document paths, operands and conditions, with
//! every `#name` and `:value` placeholder already resolved.

use crate::model::AttributeValue;
use std::fmt;

/// A document path such as `a.b[2].c`: a top-level attribute, then map keys and list indexes.
///
/// Names are resolved: `#n.x` with `#n` = `a.b` is the two elements `a.b` and `x` (a dot inside
/// a substituted name is part of the name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Path {
    /// The elements, outermost first; a parsed path starts with an attribute name.
    pub elements: Vec<PathElement>,
}

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    /// A top-level attribute or a map key.
    Attribute(String),
    /// A list index.
    Index(u32),
}

impl Path {
    /// The path of one top-level attribute.
    pub fn attribute(name: impl Into<String>) -> Self {
        Path {
            elements: vec![PathElement::Attribute(name.into())],
        }
    }

    /// The name of the top-level attribute, when the path starts with one.
    pub fn head(&self) -> Option<&str> {
        match self.elements.first() {
            Some(PathElement::Attribute(name)) => Some(name),
            _ => None,
        }
    }
}

/// DynamoDB's rendering in messages: `[a, b, [0]]`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, element) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match element {
                PathElement::Attribute(name) => f.write_str(name)?,
                PathElement::Index(index) => write!(f, "[{index}]")?,
            }
        }
        f.write_str("]")
    }
}

/// Something a comparison or function compares: an attribute, a value, or a size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// The value at a document path of the item (absent when the path leads nowhere).
    Path(Path),
    /// A value from ExpressionAttributeValues.
    Value(AttributeValue),
    /// `size(path)`: a number, absent when the path leads nowhere or to a type without size.
    Size(Path),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    /// The operator as written, as DynamoDB names it in messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }

    /// The operator with its operands swapped: `:v < k` is `k > :v`.
    pub fn flipped(self) -> Self {
        match self {
            Comparator::Eq => Comparator::Eq,
            Comparator::Ne => Comparator::Ne,
            Comparator::Lt => Comparator::Gt,
            Comparator::Le => Comparator::Ge,
            Comparator::Gt => Comparator::Lt,
            Comparator::Ge => Comparator::Le,
        }
    }

    /// True for the ordering operators, which only apply to numbers, strings and binaries.
    pub fn is_ordering(self) -> bool {
        !matches!(self, Comparator::Eq | Comparator::Ne)
    }
}

/// A condition: what ConditionExpression, FilterExpression and KeyConditionExpression parse to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `left op right`
    Compare {
        /// The operator.
        op: Comparator,
        /// The left operand.
        left: Operand,
        /// The right operand.
        right: Operand,
    },
    /// `operand BETWEEN low AND high`, both bounds inclusive.
    Between {
        /// The operand tested.
        operand: Operand,
        /// The lower bound.
        low: Operand,
        /// The upper bound.
        high: Operand,
    },
    /// `operand IN (a, b, ...)`: equal to any of the list.
    In {
        /// The operand tested.
        operand: Operand,
        /// The candidates, at least one.
        list: Vec<Operand>,
    },
    /// `a AND b`
    And(Box<Condition>, Box<Condition>),
    /// `a OR b`
    Or(Box<Condition>, Box<Condition>),
    /// `NOT a`
    Not(Box<Condition>),
    /// `attribute_exists(path)`
    AttributeExists(Path),
    /// `attribute_not_exists(path)`
    AttributeNotExists(Path),
    /// `attribute_type(path, :t)`; the parser guarantees `:t` is a string naming a type.
    AttributeType(Path, Operand),
    /// `begins_with(a, b)`
    BeginsWith(Operand, Operand),
    /// `contains(a, b)`
    Contains(Operand, Operand),
}

impl Operand {
    /// Calls `f` with the document path this operand reads, if any.
    pub fn visit_paths(&self, f: &mut impl FnMut(&Path)) {
        match self {
            Operand::Path(p) | Operand::Size(p) => f(p),
            Operand::Value(_) => {}
        }
    }
}

impl Condition {
    /// Calls `f` with every document path the condition reads, left to right.
    pub fn visit_paths(&self, f: &mut impl FnMut(&Path)) {
        match self {
            Condition::Compare { left, right, .. } => {
                left.visit_paths(f);
                right.visit_paths(f);
            }
            Condition::Between { operand, low, high } => {
                for o in [operand, low, high] {
                    o.visit_paths(f);
                }
            }
            Condition::In { operand, list } => {
                operand.visit_paths(f);
                for o in list {
                    o.visit_paths(f);
                }
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.visit_paths(f);
                b.visit_paths(f);
            }
            Condition::Not(a) => a.visit_paths(f),
            Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => f(p),
            Condition::AttributeType(p, o) => {
                f(p);
                o.visit_paths(f);
            }
            Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
                a.visit_paths(f);
                b.visit_paths(f);
            }
        }
    }
}

/// DynamoDB's rendering of a value in messages, e.g. `{N:5}` or `{S:abc}`; binaries in base64.
pub(crate) fn describe_value(value: &AttributeValue) -> String {
    let body = match value {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::B(b) => crate::model::attribute::base64(b),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null => "true".to_owned(),
        _ => "...".to_owned(),
    };
    format!("{{{}:{body}}}", value.type_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &[PathElement], expected: &str) {
        let path = Path {
            elements: path.to_vec(),
        };
        assert_eq!(path.to_string(), expected);
    }

    fn attr(name: &str) -> PathElement {
        PathElement::Attribute(name.to_owned())
    }

    #[test]
    fn path_display_renders_names_and_indexes_like_dynamodb() {
        check(&[attr("a")], "[a]");
        check(&[attr("a"), attr("b")], "[a, b]");
        check(&[attr("a"), PathElement::Index(0)], "[a, [0]]");
        check(
            &[attr("a.b"), PathElement::Index(3), attr("c")],
            "[a.b, [3], c]",
        );
        check(&[], "[]");
    }

    #[test]
    fn describe_value_scalars_use_type_and_text() {
        let n: crate::model::Number = "5".parse().unwrap();
        assert_eq!(describe_value(&AttributeValue::N(n)), "{N:5}");
        assert_eq!(describe_value(&AttributeValue::S("a b".into())), "{S:a b}");
        assert_eq!(
            describe_value(&AttributeValue::B(b"a".to_vec())),
            "{B:YQ==}"
        );
        assert_eq!(
            describe_value(&AttributeValue::B(b"ab".to_vec())),
            "{B:YWI=}"
        );
        assert_eq!(
            describe_value(&AttributeValue::B(b"abc".to_vec())),
            "{B:YWJj}"
        );
        assert_eq!(
            describe_value(&AttributeValue::B(vec![0xff; 4])),
            "{B://///w==}"
        );
        assert_eq!(describe_value(&AttributeValue::Bool(true)), "{BOOL:true}");
    }

    #[test]
    fn comparator_flipped_swaps_ordering_and_keeps_equality() {
        for (op, flipped) in [
            (Comparator::Eq, Comparator::Eq),
            (Comparator::Ne, Comparator::Ne),
            (Comparator::Lt, Comparator::Gt),
            (Comparator::Le, Comparator::Ge),
            (Comparator::Gt, Comparator::Lt),
            (Comparator::Ge, Comparator::Le),
        ] {
            assert_eq!(op.flipped(), flipped);
            assert_eq!(op.flipped().flipped(), op);
        }
    }
}
