//! DynamoDB's legacy (pre-expression) parameters: `Expected`, `AttributeUpdates`,
//! `KeyConditions`, `QueryFilter`, `ScanFilter` and `ConditionalOperator`.

use crate::model::AttributeValue;
use std::collections::HashMap;

/// A legacy comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonOperator {
    /// `EQ`
    Eq,
    /// `NE`
    Ne,
    /// `IN`
    In,
    /// `LE`
    Le,
    /// `LT`
    Lt,
    /// `GE`
    Ge,
    /// `GT`
    Gt,
    /// `BETWEEN`
    Between,
    /// `NOT_NULL` (the attribute exists)
    NotNull,
    /// `NULL` (the attribute does not exist)
    Null,
    /// `CONTAINS`
    Contains,
    /// `NOT_CONTAINS`
    NotContains,
    /// `BEGINS_WITH`
    BeginsWith,
}

impl ComparisonOperator {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonOperator::Eq => "EQ",
            ComparisonOperator::Ne => "NE",
            ComparisonOperator::In => "IN",
            ComparisonOperator::Le => "LE",
            ComparisonOperator::Lt => "LT",
            ComparisonOperator::Ge => "GE",
            ComparisonOperator::Gt => "GT",
            ComparisonOperator::Between => "BETWEEN",
            ComparisonOperator::NotNull => "NOT_NULL",
            ComparisonOperator::Null => "NULL",
            ComparisonOperator::Contains => "CONTAINS",
            ComparisonOperator::NotContains => "NOT_CONTAINS",
            ComparisonOperator::BeginsWith => "BEGINS_WITH",
        }
    }
}

/// How several legacy conditions combine (`AND` by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConditionalOperator {
    /// Every condition must hold.
    #[default]
    And,
    /// At least one condition must hold.
    Or,
}

/// One entry of `Expected` (PutItem, UpdateItem, DeleteItem).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExpectedAttributeValue {
    /// The value the attribute must equal (with `exists` true or absent).
    pub value: Option<AttributeValue>,
    /// Whether the attribute must exist (`false`: must not).
    pub exists: Option<bool>,
    /// A comparison instead of `value`/`exists`.
    pub comparison_operator: Option<ComparisonOperator>,
    /// The comparison's operands.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// One entry of `KeyConditions`, `QueryFilter` or `ScanFilter`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The comparison.
    pub comparison_operator: ComparisonOperator,
    /// Its operands.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// What an `AttributeUpdates` entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttributeAction {
    /// Set the attribute (the default).
    #[default]
    Put,
    /// Remove the attribute, or elements of a set.
    Delete,
    /// Add to a number or a set.
    Add,
}

/// One entry of UpdateItem's `AttributeUpdates`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttributeValueUpdate {
    /// The operand.
    pub value: Option<AttributeValue>,
    /// The action.
    pub action: Option<AttributeAction>,
}

/// `Expected`: attribute name to expectation.
pub type Expected = HashMap<String, ExpectedAttributeValue>;
/// `KeyConditions`, `QueryFilter`, `ScanFilter`: attribute name to condition.
pub type Conditions = HashMap<String, Condition>;
/// `AttributeUpdates`: attribute name to update.
pub type AttributeUpdates = HashMap<String, AttributeValueUpdate>;
