//! Request (`*Input`) and response (`*Output`) types of each operation, shaped as DynamoDB's
//! API. Every input implements `Default`, so callers name only what they set.

use super::legacy::{AttributeUpdates, ConditionalOperator, Conditions, Expected};
use super::types::*;
use crate::model::{AttributeValue, Item};
use std::collections::{BTreeMap, HashMap};

/// `ExpressionAttributeNames`.
pub type AttributeNames = HashMap<String, String>;
/// `ExpressionAttributeValues`.
pub type AttributeValues = HashMap<String, AttributeValue>;

/// What a write returns in `Attributes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnValue {
    /// Nothing (the default).
    #[default]
    None,
    /// The whole item as it was.
    AllOld,
    /// The updated attributes as they were (UpdateItem).
    UpdatedOld,
    /// The whole item as it is now (UpdateItem).
    AllNew,
    /// The updated attributes as they are now (UpdateItem).
    UpdatedNew,
}

impl ReturnValue {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnValue::None => "NONE",
            ReturnValue::AllOld => "ALL_OLD",
            ReturnValue::UpdatedOld => "UPDATED_OLD",
            ReturnValue::AllNew => "ALL_NEW",
            ReturnValue::UpdatedNew => "UPDATED_NEW",
        }
    }
}

/// What a failed condition returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnValuesOnConditionCheckFailure {
    /// Nothing (the default).
    #[default]
    None,
    /// The item as it is.
    AllOld,
}

/// What Query and Scan return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Every attribute (the default for tables).
    AllAttributes,
    /// Every attribute the index projects.
    AllProjectedAttributes,
    /// The attributes of `ProjectionExpression`.
    SpecificAttributes,
    /// Only `Count` and `ScannedCount`.
    Count,
}

impl Select {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Select::AllAttributes => "ALL_ATTRIBUTES",
            Select::AllProjectedAttributes => "ALL_PROJECTED_ATTRIBUTES",
            Select::SpecificAttributes => "SPECIFIC_ATTRIBUTES",
            Select::Count => "COUNT",
        }
    }
}

/// CreateTable's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateTableInput {
    /// Table name: 3-255 characters of `[a-zA-Z0-9_.-]`.
    pub table_name: String,
    /// Partition key, then optional sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Types of every key attribute of the table and its indexes, and nothing else.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Provisioned (default) or on-demand.
    pub billing_mode: Option<BillingMode>,
    /// Required for provisioned tables, refused for on-demand ones.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// Stream settings.
    pub stream_specification: Option<StreamSpecification>,
    /// Global secondary indexes.
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndex>>,
    /// Local secondary indexes.
    pub local_secondary_indexes: Option<Vec<LocalSecondaryIndex>>,
    /// Refuse DeleteTable while set.
    pub deletion_protection_enabled: Option<bool>,
}

/// CreateTable's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateTableOutput {
    /// The new table.
    pub table_description: TableDescription,
}

/// DescribeTable's request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DescribeTableInput {
    /// Table name.
    pub table_name: String,
}

/// DescribeTable's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeTableOutput {
    /// The table.
    pub table: TableDescription,
}

/// ListTables' request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListTablesInput {
    /// Start after this name.
    pub exclusive_start_table_name: Option<String>,
    /// At most this many names (1-100, default 100).
    pub limit: Option<i64>,
}

/// ListTables' response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListTablesOutput {
    /// Names, sorted.
    pub table_names: Vec<String>,
    /// Present when more names follow.
    pub last_evaluated_table_name: Option<String>,
}

/// UpdateTable's request (billing mode, throughput and deletion protection for now).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateTableInput {
    /// Table name.
    pub table_name: String,
    /// New billing mode.
    pub billing_mode: Option<BillingMode>,
    /// New throughput.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// New deletion protection setting.
    pub deletion_protection_enabled: Option<bool>,
}

/// UpdateTable's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateTableOutput {
    /// The table after the change.
    pub table_description: TableDescription,
}

/// DeleteTable's request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteTableInput {
    /// Table name.
    pub table_name: String,
}

/// DeleteTable's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeleteTableOutput {
    /// The table as it was, with status `DELETING`.
    pub table_description: TableDescription,
}

/// PutItem's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PutItemInput {
    /// Table name.
    pub table_name: String,
    /// The whole item, key attributes included.
    pub item: Item,
    /// `NONE` or `ALL_OLD`.
    pub return_values: Option<ReturnValue>,
    /// Condition the existing item must meet.
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `NONE` or `ALL_OLD`: whether a failed condition returns the item as it is.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy conditions (instead of `condition_expression`).
    pub expected: Option<Expected>,
    /// How the `expected` entries combine.
    pub conditional_operator: Option<ConditionalOperator>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// PutItem's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PutItemOutput {
    /// The replaced item, for `ALL_OLD`.
    pub attributes: Option<Item>,
    /// The capacity consumed, when asked for.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// GetItem's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GetItemInput {
    /// Table name.
    pub table_name: String,
    /// Exactly the key attributes.
    pub key: Item,
    /// Strongly consistent read (every read of the embedded engine is; accepted for parity).
    pub consistent_read: Option<bool>,
    /// Attributes (document paths) to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// Legacy projection (instead of `projection_expression`).
    pub attributes_to_get: Option<Vec<String>>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// GetItem's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GetItemOutput {
    /// The item, absent when there is none.
    pub item: Option<Item>,
    /// The capacity consumed, when asked for.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// DeleteItem's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeleteItemInput {
    /// Table name.
    pub table_name: String,
    /// Exactly the key attributes.
    pub key: Item,
    /// `NONE` or `ALL_OLD`.
    pub return_values: Option<ReturnValue>,
    /// Condition the existing item must meet.
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `NONE` or `ALL_OLD`: whether a failed condition returns the item as it is.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy conditions (instead of `condition_expression`).
    pub expected: Option<Expected>,
    /// How the `expected` entries combine.
    pub conditional_operator: Option<ConditionalOperator>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// DeleteItem's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeleteItemOutput {
    /// The deleted item, for `ALL_OLD`.
    pub attributes: Option<Item>,
    /// The capacity consumed, when asked for.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// Query's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryInput {
    /// Table name.
    pub table_name: String,
    /// Secondary index to read (from the secondary-index issue on).
    pub index_name: Option<String>,
    /// Partition key equality and an optional sort key condition.
    pub key_condition_expression: Option<String>,
    /// Condition applied to each item read (after the page is read).
    pub filter_expression: Option<String>,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// What to return.
    pub select: Option<Select>,
    /// Items to evaluate per page, at least 1.
    pub limit: Option<i64>,
    /// Strongly consistent read.
    pub consistent_read: Option<bool>,
    /// Ascending sort key order (default) or descending.
    pub scan_index_forward: Option<bool>,
    /// Continue after this key (a previous page's `LastEvaluatedKey`).
    pub exclusive_start_key: Option<Item>,
    /// Legacy key conditions (instead of `key_condition_expression`).
    pub key_conditions: Option<Conditions>,
    /// Legacy filter (instead of `filter_expression`).
    pub query_filter: Option<Conditions>,
    /// How the `query_filter` entries combine.
    pub conditional_operator: Option<ConditionalOperator>,
    /// Legacy projection (instead of `projection_expression`).
    pub attributes_to_get: Option<Vec<String>>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Query's and Scan's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOutput {
    /// Items (absent for `Select=COUNT`).
    pub items: Option<Vec<Item>>,
    /// Items returned (after the filter).
    pub count: i64,
    /// Items evaluated (before the filter).
    pub scanned_count: i64,
    /// Present when the read stopped early; pass it as `ExclusiveStartKey` to continue.
    pub last_evaluated_key: Option<Item>,
    /// The capacity consumed, when asked for.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// Scan's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScanInput {
    /// Table name.
    pub table_name: String,
    /// Secondary index to read (from the secondary-index issue on).
    pub index_name: Option<String>,
    /// Condition applied to each item read.
    pub filter_expression: Option<String>,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// What to return.
    pub select: Option<Select>,
    /// Items to evaluate per page, at least 1.
    pub limit: Option<i64>,
    /// Strongly consistent read.
    pub consistent_read: Option<bool>,
    /// Continue after this key.
    pub exclusive_start_key: Option<Item>,
    /// This worker's segment of a parallel scan (with `total_segments`).
    pub segment: Option<i64>,
    /// Number of segments of a parallel scan, 1..=1,000,000.
    pub total_segments: Option<i64>,
    /// Legacy filter (instead of `filter_expression`).
    pub scan_filter: Option<Conditions>,
    /// How the `scan_filter` entries combine.
    pub conditional_operator: Option<ConditionalOperator>,
    /// Legacy projection (instead of `projection_expression`).
    pub attributes_to_get: Option<Vec<String>>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Scan's response (the same shape as Query's).
pub type ScanOutput = QueryOutput;

/// Keys and read settings of one table in BatchGetItem.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeysAndAttributes {
    /// Keys to read.
    pub keys: Vec<Item>,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// Strongly consistent read.
    pub consistent_read: Option<bool>,
    /// Legacy projection (instead of `projection_expression`).
    pub attributes_to_get: Option<Vec<String>>,
}

/// BatchGetItem's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchGetItemInput {
    /// Table name to keys (at most 100 keys in all).
    pub request_items: BTreeMap<String, KeysAndAttributes>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// BatchGetItem's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchGetItemOutput {
    /// Table name to the items found (in no particular order).
    pub responses: BTreeMap<String, Vec<Item>>,
    /// Keys not read this time (response size limit); retry them.
    pub unprocessed_keys: BTreeMap<String, KeysAndAttributes>,
    /// The capacity consumed per table, when asked for.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// One write of BatchWriteItem.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteRequest {
    /// Put (replace) an item.
    PutRequest {
        /// The item.
        item: Item,
    },
    /// Delete an item.
    DeleteRequest {
        /// Its key.
        key: Item,
    },
}

/// BatchWriteItem's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchWriteItemInput {
    /// Table name to writes (at most 25 in all).
    pub request_items: BTreeMap<String, Vec<WriteRequest>>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// BatchWriteItem's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchWriteItemOutput {
    /// Writes not applied this time; retry them.
    pub unprocessed_items: BTreeMap<String, Vec<WriteRequest>>,
    /// The capacity consumed per table, when asked for.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// UpdateItem's request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateItemInput {
    /// Table name.
    pub table_name: String,
    /// Exactly the key attributes.
    pub key: Item,
    /// `SET`, `REMOVE`, `ADD` and `DELETE` actions; none creates the item with its key only.
    pub update_expression: Option<String>,
    /// Condition the existing item must meet.
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Any of the five ReturnValue options.
    pub return_values: Option<ReturnValue>,
    /// `NONE` or `ALL_OLD`: whether a failed condition returns the item as it is.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy updates (instead of `update_expression`).
    pub attribute_updates: Option<AttributeUpdates>,
    /// Legacy conditions (instead of `condition_expression`).
    pub expected: Option<Expected>,
    /// How the `expected` entries combine.
    pub conditional_operator: Option<ConditionalOperator>,
    /// Whether the response reports consumed capacity (`NONE` when absent).
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// UpdateItem's response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateItemOutput {
    /// The attributes ReturnValues asked for.
    pub attributes: Option<Item>,
    /// The capacity consumed, when asked for.
    pub consumed_capacity: Option<ConsumedCapacity>,
}
