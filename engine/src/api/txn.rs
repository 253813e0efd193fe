//! TransactWriteItems and TransactGetItems requests and responses.

use super::ops::{AttributeNames, AttributeValues, ReturnValuesOnConditionCheckFailure};
use super::types::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::model::Item;

/// A condition on an item that a transaction checks without writing it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConditionCheck {
    /// Table name.
    pub table_name: String,
    /// The item's key.
    pub key: Item,
    /// The condition (required).
    pub condition_expression: String,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Whether a failed check returns the item in its cancellation reason.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// A put inside a transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Put {
    /// Table name.
    pub table_name: String,
    /// The whole item.
    pub item: Item,
    /// Condition the existing item must meet.
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Whether a failed condition returns the item in its cancellation reason.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// A delete inside a transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delete {
    /// Table name.
    pub table_name: String,
    /// The item's key.
    pub key: Item,
    /// Condition the existing item must meet.
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Whether a failed condition returns the item in its cancellation reason.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// An update inside a transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Update {
    /// Table name.
    pub table_name: String,
    /// The item's key.
    pub key: Item,
    /// The update (required).
    pub update_expression: String,
    /// Condition the existing item must meet.
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Whether a failed condition returns the item in its cancellation reason.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// One action of TransactWriteItems.
#[derive(Debug, Clone, PartialEq)]
pub enum TransactWriteItem {
    /// Check a condition.
    ConditionCheck(ConditionCheck),
    /// Put an item.
    Put(Put),
    /// Delete an item.
    Delete(Delete),
    /// Update an item.
    Update(Update),
}

/// TransactWriteItems' request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransactWriteItemsInput {
    /// 1 to 100 actions, at most one per item.
    pub transact_items: Vec<TransactWriteItem>,
    /// Makes the call idempotent for 10 minutes.
    pub client_request_token: Option<String>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// TransactWriteItems' response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransactWriteItemsOutput {
    /// The capacity consumed per table, when asked for.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// A read inside TransactGetItems.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Get {
    /// Table name.
    pub table_name: String,
    /// The item's key.
    pub key: Item,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
}

/// TransactGetItems' request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransactGetItemsInput {
    /// 1 to 100 reads.
    pub transact_items: Vec<Get>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// One read's result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemResponse {
    /// The item, absent if there is none.
    pub item: Option<Item>,
}

/// TransactGetItems' response: one result per read, in request order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransactGetItemsOutput {
    /// The results.
    pub responses: Vec<ItemResponse>,
    /// The capacity consumed per table, when asked for.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}
