//! TransactWriteItems and TransactGetItems.
//!
//! A write transaction validates and parses every action, locks the stripes of all its items
//! (in stripe order, so transactions and single-item writes cannot deadlock), reads every
//! item, checks every condition, and only if all hold commits every change as one write
//! batch: atomic across tables and shards, durable as one WAL record, and serializable with
//! every other write of the same items, which takes the same locks. A read transaction reads
//! all its items at one snapshot.

use super::catalog::Table;
use super::expressions::{ConditionRequest, Projection, WriteCondition};
use super::update::{UpdatePlan, UpdateRequest};
use super::write::{check_item_values, decode, Change};
use crate::api::*;
use crate::db::Database;
use crate::model::{item_size_bytes, Item, StorageKey};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// Most actions in one transaction.
const TRANSACT_ITEMS_MAX: usize = 100;
/// Largest transaction, by the size of its items.
const TRANSACT_BYTES_MAX: usize = 4 * 1024 * 1024;
/// How long a ClientRequestToken makes a TransactWriteItems call idempotent.
const CLIENT_TOKEN_TTL_SECONDS: f64 = 600.0;
/// Longest ClientRequestToken.
const CLIENT_TOKEN_LEN_MAX: usize = 36;

/// What one action does once its condition holds.
enum Effect {
    Check,
    Put(Item),
    Delete,
    /// The update's actions and the item's key (an absent item is created from it).
    Update(UpdatePlan, Item),
}

/// One validated action.
struct Action {
    table: Arc<Table>,
    key: StorageKey,
    condition: WriteCondition,
    effect: Effect,
}

/// Outcomes of recent TransactWriteItems calls by ClientRequestToken.
#[derive(Debug, Default)]
pub(crate) struct ClientTokens {
    entries: Mutex<HashMap<String, TokenEntry>>,
}

#[derive(Debug, Clone, Copy)]
struct TokenEntry {
    fingerprint: u64,
    /// When the call finished; `None` while it runs.
    finished_at: Option<f64>,
}

impl ClientTokens {
    /// Registers a call; `Ok(true)` means an identical call already succeeded.
    fn begin(&self, token: &str, fingerprint: u64, now: f64) -> ApiResult<bool> {
        let mut entries = super::locks::lock(&self.entries);
        entries.retain(|_, e| {
            e.finished_at
                .is_none_or(|t| now - t < CLIENT_TOKEN_TTL_SECONDS)
        });
        match entries.get(token) {
            Some(e) if e.fingerprint != fingerprint => Err(ApiError::IdempotentParameterMismatch(
                "The request uses the same client token as a previous, but non-identical request."
                    .to_owned(),
            )),
            Some(e) if e.finished_at.is_none() => Err(ApiError::TransactionInProgress(
                "The transaction with the given request token is already in progress.".to_owned(),
            )),
            Some(_) => Ok(true),
            None => {
                entries.insert(
                    token.to_owned(),
                    TokenEntry {
                        fingerprint,
                        finished_at: None,
                    },
                );
                Ok(false)
            }
        }
    }

    /// Records the end of a call: a success is remembered, a failure forgotten.
    fn finish(&self, token: &str, succeeded: bool, now: f64) {
        let mut entries = super::locks::lock(&self.entries);
        if succeeded {
            if let Some(e) = entries.get_mut(token) {
                e.finished_at = Some(now);
            }
        } else {
            entries.remove(token);
        }
    }
}

fn count_error(n: usize) -> ApiResult<()> {
    if n == 0 {
        return Err(ApiError::validation(
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    if n > TRANSACT_ITEMS_MAX {
        return Err(ApiError::validation(
            "1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
        ));
    }
    Ok(())
}

fn duplicate_error() -> ApiError {
    ApiError::validation("Transaction request cannot include multiple operations on one item")
}

/// The parts of one action that decide what it does, for [`fingerprint`].
struct ActionParts<'a> {
    tag: char,
    table: &'a str,
    item_or_key: &'a Item,
    update: Option<&'a str>,
    condition: Option<&'a str>,
    names: Option<&'a AttributeNames>,
    values: Option<&'a AttributeValues>,
    on_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

fn action_parts(action: &TransactWriteItem) -> ActionParts<'_> {
    match action {
        TransactWriteItem::ConditionCheck(c) => ActionParts {
            tag: 'C',
            table: &c.table_name,
            item_or_key: &c.key,
            update: None,
            condition: Some(&c.condition_expression),
            names: c.expression_attribute_names.as_ref(),
            values: c.expression_attribute_values.as_ref(),
            on_failure: c.return_values_on_condition_check_failure,
        },
        TransactWriteItem::Put(p) => ActionParts {
            tag: 'P',
            table: &p.table_name,
            item_or_key: &p.item,
            update: None,
            condition: p.condition_expression.as_deref(),
            names: p.expression_attribute_names.as_ref(),
            values: p.expression_attribute_values.as_ref(),
            on_failure: p.return_values_on_condition_check_failure,
        },
        TransactWriteItem::Delete(d) => ActionParts {
            tag: 'D',
            table: &d.table_name,
            item_or_key: &d.key,
            update: None,
            condition: d.condition_expression.as_deref(),
            names: d.expression_attribute_names.as_ref(),
            values: d.expression_attribute_values.as_ref(),
            on_failure: d.return_values_on_condition_check_failure,
        },
        TransactWriteItem::Update(u) => ActionParts {
            tag: 'U',
            table: &u.table_name,
            item_or_key: &u.key,
            update: Some(&u.update_expression),
            condition: u.condition_expression.as_deref(),
            names: u.expression_attribute_names.as_ref(),
            values: u.expression_attribute_values.as_ref(),
            on_failure: u.return_values_on_condition_check_failure,
        },
    }
}

/// A stable digest of a request, for ClientRequestToken idempotency (maps are hashed in
/// key order, so equal requests always agree).
fn fingerprint(input: &TransactWriteItemsInput) -> u64 {
    fn sorted<V: std::fmt::Debug>(m: Option<&HashMap<String, V>>) -> String {
        let ordered: Option<BTreeMap<&String, &V>> = m.map(|m| m.iter().collect());
        format!("{ordered:?}")
    }
    let mut text = String::new();
    for action in &input.transact_items {
        let p = action_parts(action);
        let _ = write!(
            text,
            "{}{:?}{:?}{:?}{:?}{}{}{:?}|",
            p.tag,
            p.table,
            p.item_or_key,
            p.update,
            p.condition,
            sorted(p.names),
            sorted(p.values),
            p.on_failure
        );
    }
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl Database {
    /// Validates and parses one action of a write transaction.
    fn plan_action(&self, action: TransactWriteItem) -> ApiResult<(Action, usize)> {
        let (name, key_item, condition, effect, size) = match action {
            TransactWriteItem::ConditionCheck(c) => {
                let cond = WriteCondition::parse(ConditionRequest {
                    expression: Some(&c.condition_expression),
                    names: c.expression_attribute_names.as_ref(),
                    values: c.expression_attribute_values,
                    on_failure: c.return_values_on_condition_check_failure,
                    ..Default::default()
                })?;
                (c.table_name, Some(c.key), cond, Effect::Check, 0)
            }
            TransactWriteItem::Put(p) => {
                let cond = WriteCondition::parse(ConditionRequest {
                    expression: p.condition_expression.as_deref(),
                    names: p.expression_attribute_names.as_ref(),
                    values: p.expression_attribute_values,
                    on_failure: p.return_values_on_condition_check_failure,
                    ..Default::default()
                })?;
                let mut item = p.item;
                check_item_values(&mut item)?;
                let size = item_size_bytes(&item);
                (p.table_name, None, cond, Effect::Put(item), size)
            }
            TransactWriteItem::Delete(d) => {
                let cond = WriteCondition::parse(ConditionRequest {
                    expression: d.condition_expression.as_deref(),
                    names: d.expression_attribute_names.as_ref(),
                    values: d.expression_attribute_values,
                    on_failure: d.return_values_on_condition_check_failure,
                    ..Default::default()
                })?;
                (d.table_name, Some(d.key), cond, Effect::Delete, 0)
            }
            TransactWriteItem::Update(u) => {
                let (plan, cond) = UpdatePlan::parse(UpdateRequest {
                    update: Some(&u.update_expression),
                    condition: u.condition_expression.as_deref(),
                    names: u.expression_attribute_names.as_ref(),
                    values: u.expression_attribute_values,
                    on_failure: u.return_values_on_condition_check_failure,
                    ..Default::default()
                })?;
                let key = u.key.clone();
                (
                    u.table_name,
                    Some(u.key),
                    cond,
                    Effect::Update(plan, key),
                    0,
                )
            }
        };
        let table = self.table(&name)?;
        if let Effect::Update(plan, _) = &effect {
            plan.check_keys(&table)?;
        }
        let key = match (&key_item, &effect) {
            (Some(k), _) => {
                table.key.check_key_map(k)?;
                table.key.storage_key(table.def.id, k)
            }
            (None, Effect::Put(item)) => {
                table.key.check_item(item)?;
                table.key.storage_key(table.def.id, item)
            }
            (None, _) => return Err(crate::model::key::key_mismatch()),
        };
        Ok((
            Action {
                table,
                key,
                condition,
                effect,
            },
            size,
        ))
    }

    /// TransactWriteItems: up to 100 conditional puts, updates, deletes and condition checks
    /// over any tables, all applied or none.
    pub fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> ApiResult<TransactWriteItemsOutput> {
        count_error(input.transact_items.len())?;
        let token = input.client_request_token.clone();
        if let Some(t) = &token {
            if t.is_empty() || t.chars().count() > CLIENT_TOKEN_LEN_MAX {
                return Err(ApiError::Validation(format!(
                    "1 validation error detected: Value '{t}' at 'clientRequestToken' failed to satisfy constraint: Member must have length {}",
                    if t.is_empty() { "greater than or equal to 1" } else { "less than or equal to 36" }
                )));
            }
        }
        let clock = &self.options.clock;
        if let Some(t) = &token {
            if self
                .client_tokens
                .begin(t, fingerprint(&input), clock.now_epoch_seconds())?
            {
                return Ok(TransactWriteItemsOutput::default());
            }
        }
        let mode = input.return_consumed_capacity;
        let result = self.run_write_transaction(input.transact_items);
        if let Some(t) = &token {
            self.client_tokens
                .finish(t, result.is_ok(), clock.now_epoch_seconds());
        }
        result.map(|consumed| TransactWriteItemsOutput {
            consumed_capacity: consumed.report(mode),
        })
    }

    /// Runs the transaction; returns the units it consumed (two per write unit of each item,
    /// condition checks included).
    fn run_write_transaction(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> ApiResult<super::capacity::Consumed> {
        let mut errors = super::validate::Errors::default();
        for (i, item) in items.iter().enumerate() {
            let p = action_parts(item);
            let kind = match p.tag {
                'C' => "conditionCheck",
                'P' => "put",
                'D' => "delete",
                _ => "update",
            };
            let member = format!("transactItems.{}.member.{kind}.tableName", i + 1);
            super::validate::name_constraints(&mut errors, p.table, &member);
        }
        errors.finish()?;
        let mut actions = Vec::with_capacity(items.len());
        let mut seen = HashSet::new();
        let mut size = 0usize;
        for item in items {
            let (action, bytes) = self.plan_action(item)?;
            if !seen.insert(action.key.key.clone()) {
                return Err(duplicate_error());
            }
            size += bytes + action.key.key.len();
            actions.push(action);
        }
        if size > TRANSACT_BYTES_MAX {
            return Err(ApiError::validation(
                "Transaction request cannot be larger than 4 MB",
            ));
        }
        for a in &actions {
            self.admit(&a.table, super::throttle::Op::Write, &[])?;
        }
        let _guards = self
            .locks
            .lock_many(actions.iter().map(|a| a.key.key.as_slice()));
        let mut olds = Vec::with_capacity(actions.len());
        for a in &actions {
            olds.push(self.read_item(&a.table, &a.key)?);
        }
        let failed = actions
            .iter()
            .zip(&olds)
            .any(|(a, old)| !a.condition.holds(old.as_ref()));
        if failed {
            return Err(cancelled(&actions, &olds));
        }
        // Every table the transaction touches pays its units, condition checks included.
        let mut touched: Vec<Arc<Table>> = Vec::new();
        for a in &actions {
            if !touched.iter().any(|t| Arc::ptr_eq(t, &a.table)) {
                touched.push(Arc::clone(&a.table));
            }
        }
        // Group the changes per table (in first-appearance order) for the statistics.
        let mut groups: Vec<(Arc<Table>, Vec<Change>)> = Vec::new();
        let mut consumed = super::capacity::Consumed::new();
        for (a, old) in actions.into_iter().zip(olds) {
            let new = match a.effect {
                Effect::Check => {
                    let size = old.as_ref().map_or(0, crate::model::item_size_bytes);
                    let units = 2.0 * super::capacity::write_units(size, 0);
                    consumed.add(&a.table.def.name, super::capacity::Kind::Write, units);
                    continue;
                }
                Effect::Put(item) => Some(item),
                Effect::Delete => None,
                Effect::Update(plan, key) => Some(plan.apply(&key, old.as_ref())?),
            };
            let change = Change {
                key: a.key,
                old,
                new,
            };
            let units = 2.0 * change.write_units();
            consumed.add(&a.table.def.name, super::capacity::Kind::Write, units);
            match groups.iter_mut().find(|(t, _)| Arc::ptr_eq(t, &a.table)) {
                Some((_, changes)) => changes.push(change),
                None => groups.push((a.table, vec![change])),
            }
        }
        let refs: Vec<(&Table, &[Change])> = groups
            .iter()
            .map(|(t, c)| (t.as_ref(), c.as_slice()))
            .collect();
        self.commit_groups(&refs)?;
        for table in &touched {
            let (_, write) = consumed.units(&table.def.name);
            self.charge(table, super::throttle::Op::Write, write, &[]);
        }
        Ok(consumed)
    }

    /// TransactGetItems: up to 100 items read at one consistent snapshot.
    pub fn transact_get_items(
        &self,
        input: TransactGetItemsInput,
    ) -> ApiResult<TransactGetItemsOutput> {
        count_error(input.transact_items.len())?;
        let mut errors = super::validate::Errors::default();
        for (i, get) in input.transact_items.iter().enumerate() {
            let member = format!("transactItems.{}.member.get.tableName", i + 1);
            super::validate::name_constraints(&mut errors, &get.table_name, &member);
        }
        errors.finish()?;
        let mut plans = Vec::with_capacity(input.transact_items.len());
        let mut seen = HashSet::new();
        for get in &input.transact_items {
            let projection = Projection::parse(
                get.projection_expression.as_deref(),
                get.expression_attribute_names.as_ref(),
                None,
            )?;
            let table = self.table(&get.table_name)?;
            table.key.check_key_map(&get.key)?;
            projection.check_key_paths(&table.key)?;
            let key = table.key.storage_key(table.def.id, &get.key);
            if !seen.insert(key.key.clone()) {
                return Err(duplicate_error());
            }
            plans.push((table, key, projection));
        }
        for (table, _, _) in &plans {
            self.admit(table, super::throttle::Op::Read, &[])?;
        }
        let snapshot = self.store.snapshot();
        let mut responses = Vec::with_capacity(plans.len());
        let mut consumed = super::capacity::Consumed::new();
        for (table, key, projection) in plans {
            let (item, size) = match self.store.get_at(&snapshot, &key.partition, &key.key)? {
                Some(bytes) => {
                    let item = decode(&table, &bytes)?;
                    let size = crate::model::item_size_bytes(&item);
                    (Some(projection.apply(item)), size)
                }
                None => (None, 0),
            };
            let units = 2.0 * super::capacity::read_units(size, true);
            consumed.add(&table.def.name, super::capacity::Kind::Read, units);
            self.charge(&table, super::throttle::Op::Read, units, &[]);
            responses.push(ItemResponse { item });
        }
        Ok(TransactGetItemsOutput {
            responses,
            consumed_capacity: consumed.report(input.return_consumed_capacity),
        })
    }
}

/// The TransactionCanceledException of a transaction whose conditions did not all hold:
/// one reason per action, in request order.
fn cancelled(actions: &[Action], olds: &[Option<Item>]) -> ApiError {
    let reasons: Vec<CancellationReason> = actions
        .iter()
        .zip(olds)
        .map(|(a, old)| {
            if a.condition.holds(old.as_ref()) {
                CancellationReason {
                    code: "None".to_owned(),
                    message: None,
                    item: None,
                }
            } else {
                CancellationReason {
                    code: "ConditionalCheckFailed".to_owned(),
                    message: Some("The conditional request failed".to_owned()),
                    item: a.condition.failure_item(old.as_ref()),
                }
            }
        })
        .collect();
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    ApiError::TransactionCanceled {
        message: format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
        reasons,
    }
}
