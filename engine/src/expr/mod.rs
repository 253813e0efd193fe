//! DynamoDB's expression language: one lexer and parser, a typed AST, and what the item layer
//! does with it (key conditions, evaluation, projection).
//!
//! Every expression parameter of a request (`KeyConditionExpression`, `ProjectionExpression`,
//! `FilterExpression`, `ConditionExpression`, `UpdateExpression`) goes through the same
//! [`lexer`] and [`parser`]; they differ only in which grammar rule is the start and in the
//! [`ExpressionKind`] named in error messages. `#name` and `:value` placeholders are resolved
//! while parsing through one [`ExpressionContext`] per request, which also reports the
//! placeholders no expression used.
//!
//! ```
//! use std::collections::HashMap;
//! use tessera_engine::expr::{
//!     key_condition, parse_condition, parse_projection, project, ExpressionContext,
//!     ExpressionKind, SortKeyCondition,
//! };
//! use tessera_engine::model::{AttributeValue, Item, ScalarType};
//!
//! let names = HashMap::from([("#n".to_owned(), "name".to_owned())]);
//! let values = HashMap::from([
//!     (":p".to_owned(), AttributeValue::S("user#1".to_owned())),
//!     (":s".to_owned(), AttributeValue::S("order#".to_owned())),
//! ]);
//! let mut ctx = ExpressionContext::new(Some(&names), Some(&values))?;
//! let cond = parse_condition(
//!     "pk = :p AND begins_with(sk, :s)",
//!     ExpressionKind::KeyCondition,
//!     &mut ctx,
//! )?;
//! let paths = parse_projection("#n, tags[0]", &mut ctx)?;
//! ctx.finish()?;
//!
//! let key = key_condition(cond, ("pk", ScalarType::S), Some(("sk", ScalarType::S)))?;
//! assert_eq!(key.partition, AttributeValue::S("user#1".to_owned()));
//! assert_eq!(key.sort, Some(SortKeyCondition::BeginsWith(AttributeValue::S("order#".to_owned()))));
//!
//! let mut item = Item::new();
//! item.insert("name".to_owned(), AttributeValue::S("Ada".to_owned()));
//! item.insert("age".to_owned(), AttributeValue::S("36".to_owned()));
//! let projected = project(&item, &paths);
//! assert_eq!(projected.len(), 1);
//! # Ok::<(), tessera_engine::api::ApiError>(())
//! ```
//!
//! **API boundary**: nothing here reads or writes storage; the item layer hands in items and
//! key schemas and gets back plans (a [`KeyCondition`]), verdicts ([`evaluate`]) and items
//! ([`project()`]).

pub mod ast;
pub mod context;
pub mod eval;
pub mod keycond;
pub mod legacy;
pub mod lexer;
pub mod parser;
pub mod project;
pub mod reserved;
#[cfg(test)]
mod testing;
pub mod update;

pub use ast::{Comparator, Condition, Operand, Path, PathElement};
pub use context::{check_placeholders_without_expressions, normalize_values, ExpressionContext};
pub use eval::{evaluate, resolve};
pub use keycond::{key_condition, KeyCondition, SortKeyCondition};
pub use parser::{parse_condition, parse_projection};
pub use project::project;
pub use reserved::is_reserved;
pub use update::{parse_update, SetOperand, SetValue, UpdateAction, UpdateExpression};

/// Which request parameter an expression came from; it names the expression in messages
/// ("Invalid KeyConditionExpression: ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpressionKind {
    /// `ConditionExpression` of PutItem, UpdateItem, DeleteItem and transactions.
    Condition,
    /// `FilterExpression` of Query and Scan.
    Filter,
    /// `KeyConditionExpression` of Query.
    KeyCondition,
    /// `ProjectionExpression` of the read operations.
    Projection,
    /// `UpdateExpression` of UpdateItem.
    Update,
}

impl ExpressionKind {
    /// The request parameter's name, e.g. `KeyConditionExpression`.
    pub fn name(self) -> &'static str {
        match self {
            ExpressionKind::Condition => "ConditionExpression",
            ExpressionKind::Filter => "FilterExpression",
            ExpressionKind::KeyCondition => "KeyConditionExpression",
            ExpressionKind::Projection => "ProjectionExpression",
            ExpressionKind::Update => "UpdateExpression",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: ExpressionKind, expected: &str) {
        assert_eq!(kind.name(), expected);
    }

    #[test]
    fn expression_kind_each_kind_names_its_request_parameter() {
        check(ExpressionKind::Condition, "ConditionExpression");
        check(ExpressionKind::Filter, "FilterExpression");
        check(ExpressionKind::KeyCondition, "KeyConditionExpression");
        check(ExpressionKind::Projection, "ProjectionExpression");
        check(ExpressionKind::Update, "UpdateExpression");
    }
}
