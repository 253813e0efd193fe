//! UpdateItem, and the update plan a transaction's Update action shares with it.
//!
//! An update is evaluated against the item as it is under the key lock: the condition
//! first, then the actions (all operands read the old item), then the size limit; the new
//! item replaces the old in one write batch. ReturnValues come from the old and new items.

use super::catalog::Table;
use super::expressions::{normalized, WriteCondition};
use super::write::Change;
use crate::api::*;
use crate::db::Database;
use crate::expr::{
    check_placeholders_without_expressions, legacy, parse_condition, parse_update, project,
    ExpressionContext, ExpressionKind, UpdateExpression,
};
use crate::model::{item_size_bytes, Item};

/// The parsed actions of an update (its condition is a separate [`WriteCondition`]).
#[derive(Debug)]
pub(crate) struct UpdatePlan {
    update: Option<UpdateExpression>,
}

/// The expression (or legacy) parameters of an update.
#[derive(Default)]
pub(crate) struct UpdateRequest<'a> {
    pub(crate) update: Option<&'a str>,
    pub(crate) condition: Option<&'a str>,
    pub(crate) names: Option<&'a AttributeNames>,
    pub(crate) values: Option<AttributeValues>,
    pub(crate) on_failure: Option<ReturnValuesOnConditionCheckFailure>,
    pub(crate) attribute_updates: Option<&'a AttributeUpdates>,
    pub(crate) expected: Option<&'a Expected>,
    pub(crate) conditional_operator: Option<ConditionalOperator>,
}

impl UpdatePlan {
    /// Parses the update and condition expressions with one placeholder context.
    pub(crate) fn parse(req: UpdateRequest<'_>) -> ApiResult<(Self, WriteCondition)> {
        legacy::check_mixing(
            &[
                ("UpdateExpression", req.update.is_some()),
                ("ConditionExpression", req.condition.is_some()),
            ],
            &[
                ("AttributeUpdates", req.attribute_updates.is_some()),
                ("Expected", req.expected.is_some()),
            ],
        )?;
        check_placeholders_without_expressions(
            req.names.is_some(),
            req.values.is_some(),
            &[
                (ExpressionKind::Update, req.update.is_some()),
                (ExpressionKind::Condition, req.condition.is_some()),
            ],
        )?;
        legacy::check_conditional_operator(
            req.conditional_operator,
            req.expected.map(|e| e.len()),
        )?;
        let values = normalized(req.values)?;
        let mut ctx = ExpressionContext::new(req.names, values.as_ref())?;
        let update = match (req.update, req.attribute_updates) {
            (Some(text), _) => Some(parse_update(text, &mut ctx)?),
            (None, Some(updates)) => Some(super::legacy::attribute_updates(updates)?),
            (None, None) => None,
        };
        let condition = match (req.condition, req.expected) {
            (Some(text), _) => Some(parse_condition(text, ExpressionKind::Condition, &mut ctx)?),
            (None, Some(expected)) => {
                legacy::expected_condition(expected, req.conditional_operator)?
            }
            (None, None) => None,
        };
        ctx.finish()?;
        Ok((
            UpdatePlan { update },
            WriteCondition::from_parts(condition, req.on_failure),
        ))
    }

    /// Refuses updates of the table's key attributes.
    pub(crate) fn check_keys(&self, table: &Table) -> ApiResult<()> {
        match &self.update {
            Some(u) => u.check_keys(|name| table.key.is_key(name)),
            None => Ok(()),
        }
    }

    /// The item after the update: `old`, or a new item holding just `key`, with the actions
    /// applied.
    pub(crate) fn apply(&self, key: &Item, old: Option<&Item>) -> ApiResult<Item> {
        let mut item = old.cloned().unwrap_or_else(|| key.clone());
        if let Some(u) = &self.update {
            u.apply(&mut item)?;
        }
        crate::model::normalize_item(&mut item)?;
        if item_size_bytes(&item) > super::write::ITEM_SIZE_BYTES_MAX {
            return Err(ApiError::validation(
                "Item size to update has exceeded the maximum allowed size",
            ));
        }
        Ok(item)
    }

    /// The attributes ReturnValues asks for, from the old and new items.
    pub(crate) fn returned(&self, rv: ReturnValue, old: Option<Item>, new: &Item) -> Option<Item> {
        let updated = || {
            self.update
                .as_ref()
                .map(UpdateExpression::updated_paths)
                .unwrap_or_default()
        };
        let attrs = match rv {
            ReturnValue::None => return None,
            ReturnValue::AllOld => return old,
            ReturnValue::AllNew => return Some(new.clone()),
            ReturnValue::UpdatedOld => project(&old?, &updated()),
            ReturnValue::UpdatedNew => project(new, &updated()),
        };
        (!attrs.is_empty()).then_some(attrs)
    }
}

impl Database {
    /// UpdateItem: applies SET, REMOVE, ADD and DELETE actions to an item, creating it if
    /// it does not exist, under an optional condition.
    pub fn update_item(&self, input: UpdateItemInput) -> ApiResult<UpdateItemOutput> {
        super::validate::table_name(&input.table_name)?;
        let (plan, condition) = UpdatePlan::parse(UpdateRequest {
            update: input.update_expression.as_deref(),
            condition: input.condition_expression.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values,
            on_failure: input.return_values_on_condition_check_failure,
            attribute_updates: input.attribute_updates.as_ref(),
            expected: input.expected.as_ref(),
            conditional_operator: input.conditional_operator,
        })?;
        let table = self.table(&input.table_name)?;
        table.key.check_key_map(&input.key)?;
        plan.check_keys(&table)?;
        let key = table.key.storage_key(table.def.id, &input.key);
        let partition = [super::throttle::partition_of(&key)];
        self.admit(&table, super::throttle::Op::Write, &partition)?;
        let _guard = self.locks.lock(&key.key);
        let old = self.read_item(&table, &key)?;
        self.charged_write(&table, &partition, condition.check(old.as_ref()))?;
        let new = plan.apply(&input.key, old.as_ref())?;
        let change = Change {
            key,
            old,
            new: Some(new),
        };
        self.commit_changes(&table, std::slice::from_ref(&change))?;
        let units = change.write_units();
        self.charge(&table, super::throttle::Op::Write, units, &partition);
        let Change { old, new, .. } = change;
        let new = new.unwrap_or_default();
        Ok(UpdateItemOutput {
            attributes: plan.returned(input.return_values.unwrap_or_default(), old, &new),
            consumed_capacity: super::capacity::single(
                input.return_consumed_capacity,
                &table.def.name,
                super::capacity::Kind::Write,
                units,
            ),
        })
    }
}
