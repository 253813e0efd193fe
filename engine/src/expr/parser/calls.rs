//! The checks on operands and function calls: which functions exist and take how many
//! operands, which operand types they accept, and where a function may appear.

use super::{Parser, Problem, Term};
use crate::expr::ast::{Condition, Operand, Path};
use crate::model::AttributeValue;

const FUNCTIONS: [(&str, usize); 6] = [
    ("attribute_exists", 1),
    ("attribute_not_exists", 1),
    ("attribute_type", 2),
    ("begins_with", 2),
    ("contains", 2),
    ("size", 1),
];

const TYPE_NAMES: [&str; 10] = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];

impl Parser<'_, '_, '_> {
    /// Turns a term into an operand: a function other than `size` is misused here.
    pub(super) fn operand(&mut self, term: Term) -> Operand {
        match term {
            Term::Path(path) => Operand::Path(path),
            Term::Value(value) => Operand::Value(value),
            Term::Call { name, args } => {
                let operand = self.call_operand(&name, args);
                if name != "size" {
                    self.note_misused(&name);
                }
                operand
            }
        }
    }

    pub(super) fn note_misused(&mut self, function: &str) {
        self.note(
            Problem::MisusedFunction,
            format!(
                "The function is not allowed to be used this way in an expression; function: \
                 {function}"
            ),
        );
    }

    pub(super) fn note_distinct(&mut self, operator: &str, first: &Path) {
        self.note(
            Problem::Distinct,
            format!(
                "The first operand must be distinct from the remaining operands for this \
                 operator or function; operator: {operator}, first operand: {first}"
            ),
        );
    }

    fn note_operand_type(&mut self, function: &str, operand_type: &str) {
        self.note(
            Problem::OperandType,
            format!(
                "Incorrect operand type for operator or function; operator or function: \
                 {function}, operand type: {operand_type}"
            ),
        );
    }

    fn note_needs_path(&mut self, function: &str) {
        self.note(
            Problem::OperandType,
            format!(
                "Operator or function requires a document path; operator or function: \
                 {function}"
            ),
        );
    }

    /// Ordering operators and BETWEEN accept only number, string and binary values.
    pub(super) fn check_ordered<const N: usize>(
        &mut self,
        operator: &str,
        operands: [&Operand; N],
    ) {
        for operand in operands {
            if let Operand::Value(v) = operand {
                if v.scalar_type().is_none() {
                    self.note_operand_type(operator, v.type_name());
                }
            }
        }
    }

    /// Checks a call's name, operand count and distinct operands; returns the arguments as
    /// operands when the call is well formed enough to build a node from.
    fn call_args(&mut self, name: &str, args: Vec<Term>) -> Option<Vec<Operand>> {
        let paths_equal = matches!(
            args.as_slice(),
            [Term::Path(a), Term::Path(b)] if a == b
        );
        let operands: Vec<Operand> = args.into_iter().map(|t| self.operand(t)).collect();
        let Some(&(_, arity)) = FUNCTIONS.iter().find(|(known, _)| *known == name) else {
            self.note(
                Problem::UnknownFunction,
                format!("Invalid function name; function: {name}"),
            );
            return None;
        };
        if operands.len() != arity {
            self.note(
                Problem::OperandCount,
                format!(
                    "Incorrect number of operands for operator or function; operator or \
                     function: {name}, number of operands: {}",
                    operands.len()
                ),
            );
            return None;
        }
        if paths_equal {
            if let Some(Operand::Path(first)) = operands.first() {
                self.note_distinct(name, first);
            }
        }
        Some(operands)
    }

    /// A function call used as a condition.
    pub(super) fn call_condition(&mut self, name: &str, args: Vec<Term>) -> Condition {
        let placeholder = Condition::AttributeExists(Path::default());
        let Some(operands) = self.call_args(name, args) else {
            return placeholder;
        };
        let mut operands = operands.into_iter();
        let (Some(first), second) = (operands.next(), operands.next()) else {
            return placeholder;
        };
        match (name, second) {
            ("attribute_exists" | "attribute_not_exists", _) => {
                let Operand::Path(path) = first else {
                    self.note_needs_path(name);
                    return placeholder;
                };
                if name == "attribute_exists" {
                    Condition::AttributeExists(path)
                } else {
                    Condition::AttributeNotExists(path)
                }
            }
            ("attribute_type", Some(second)) => self.attribute_type(first, second),
            ("begins_with", Some(second)) => {
                for operand in [&first, &second] {
                    match operand_type(operand) {
                        Some(t) if t != "S" && t != "B" => self.note_operand_type(name, t),
                        _ => {}
                    }
                }
                Condition::BeginsWith(first, second)
            }
            ("contains", Some(second)) => Condition::Contains(first, second),
            _ => placeholder,
        }
    }

    fn attribute_type(&mut self, path: Operand, type_name: Operand) -> Condition {
        match &type_name {
            Operand::Value(AttributeValue::S(t)) => {
                if !TYPE_NAMES.contains(&t.as_str()) {
                    let message = format!(
                        "Invalid attribute type name found; type: {t}, valid types: \
                         {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
                    );
                    self.note(Problem::OperandType, message);
                }
            }
            other => {
                let t = operand_type(other).unwrap_or("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
                self.note_operand_type("attribute_type", t);
            }
        }
        match path {
            Operand::Path(path) => Condition::AttributeType(path, type_name),
            _ => {
                self.note_needs_path("attribute_type");
                Condition::AttributeExists(Path::default())
            }
        }
    }

    /// A function call used as an operand: `size(path)` becomes [`Operand::Size`].
    pub(super) fn call_operand(&mut self, name: &str, args: Vec<Term>) -> Operand {
        let placeholder = Operand::Value(AttributeValue::Null);
        let Some(mut operands) = self.call_args(name, args) else {
            return placeholder;
        };
        if name != "size" {
            return placeholder;
        }
        match operands.pop() {
            Some(Operand::Path(path)) => Operand::Size(path),
            Some(other) => {
                match operand_type(&other) {
                    Some(t @ ("N" | "BOOL" | "NULL")) => self.note_operand_type(name, t),
                    _ => self.note_needs_path(name),
                }
                placeholder
            }
            None => placeholder,
        }
    }
}

/// The type an operand is known to have before evaluation: a value's, or N for `size`.
fn operand_type(operand: &Operand) -> Option<&'static str> {
    match operand {
        Operand::Path(_) => None,
        Operand::Value(v) => Some(v.type_name()),
        Operand::Size(_) => Some("N"),
    }
}
