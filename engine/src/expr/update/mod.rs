//! UpdateExpression: the typed actions [`parse_update`] builds, the paths they write, the key
//! check, and (in `apply`) how they change an item.
//!
//! ```
//! use std::collections::HashMap;
//! use tessera_engine::expr::{parse_update, ExpressionContext};
//! use tessera_engine::model::{AttributeValue, Item, Number};
//!
//! let values = HashMap::from([(":one".to_owned(), AttributeValue::N(Number::from(1)))]);
//! let mut ctx = ExpressionContext::new(None, Some(&values))?;
//! let update = parse_update("SET visits = if_not_exists(visits, :one) REMOVE draft", &mut ctx)?;
//! ctx.finish()?;
//!
//! let mut item = Item::new();
//! item.insert("draft".to_owned(), AttributeValue::Bool(true));
//! update.apply(&mut item)?;
//! assert_eq!(item.get("visits"), Some(&AttributeValue::N(Number::from(1))));
//! assert!(!item.contains_key("draft"));
//! # Ok::<(), tessera_engine::api::ApiError>(())
//! ```

use super::ast::Path;
use crate::api::{ApiError, ApiResult};
use crate::model::AttributeValue;

pub use super::parser::parse_update;

mod apply;

/// A parsed UpdateExpression: its actions in the order written, sections interleaved.
///
/// The parser guarantees what [`UpdateExpression::apply`] relies on for its meaning: no two
/// actions write overlapping paths (one a prefix of the other) or conflicting ones (a list
/// index where the other has a map key), every path starts with an attribute name and has at
/// most 32 elements, ADD values are numbers or sets and DELETE values sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateExpression {
    /// The actions, in text order.
    pub actions: Vec<UpdateAction>,
}

/// One action of an UpdateExpression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateAction {
    /// `SET path = value`
    Set(Path, SetValue),
    /// `REMOVE path`
    Remove(Path),
    /// `ADD path :v`: adds a number, or the elements of a set.
    Add(Path, AttributeValue),
    /// `DELETE path :v`: removes the elements of a set.
    Delete(Path, AttributeValue),
}

/// The right side of a SET action: one operand, or two joined by `+` or `-` (DynamoDB allows
/// one arithmetic operator per action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetValue {
    /// `operand`
    Operand(SetOperand),
    /// `a + b`, both numbers.
    Plus(SetOperand, SetOperand),
    /// `a - b`, both numbers.
    Minus(SetOperand, SetOperand),
}

/// An operand of a SET action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetOperand {
    /// The value at a document path of the item before the update.
    Path(Path),
    /// A value from ExpressionAttributeValues.
    Value(AttributeValue),
    /// `if_not_exists(path, operand)`: the value at `path` if there is one, else the operand.
    IfNotExists(Path, Box<SetOperand>),
    /// `list_append(a, b)`: the elements of list `a`, then those of list `b`.
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

impl UpdateAction {
    /// The document path the action writes.
    pub fn path(&self) -> &Path {
        match self {
            UpdateAction::Set(path, _)
            | UpdateAction::Remove(path)
            | UpdateAction::Add(path, _)
            | UpdateAction::Delete(path, _) => path,
        }
    }
}

impl UpdateExpression {
    /// The paths the actions write, in text order: what ReturnValues `UPDATED_OLD` and
    /// `UPDATED_NEW` project out of the old and the new item.
    pub fn updated_paths(&self) -> Vec<Path> {
        self.actions
            .iter()
            .map(|action| action.path().clone())
            .collect()
    }

    /// Fails, with DynamoDB's message, if an action writes into a key attribute (the whole
    /// attribute or a path below it); the first such action in text order is named.
    pub fn check_keys(&self, is_key: impl Fn(&str) -> bool) -> ApiResult<()> {
        let key = self
            .actions
            .iter()
            .filter_map(|action| action.path().head())
            .find(|name| is_key(name));
        match key {
            Some(name) => Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Cannot update attribute {name}. This \
                 attribute is part of the key"
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
