//! Item writes: PutItem, DeleteItem and BatchWriteItem, through one pipeline.
//!
//! A write locks its key's stripe, reads the item as it is, lets the operation decide the
//! new item (or none) from it, and commits the change as one atomic write batch; the old
//! item feeds ReturnValues, conditions and the table statistics. Transactions and the
//! index and stream records of later issues join the same batch.

use super::capacity;
use super::catalog::Table;
use super::expressions::{ConditionRequest, WriteCondition};
use super::throttle;
use crate::api::*;
use crate::db::Database;
use crate::model::{codec, item_size_bytes, normalize_item, Item, StorageKey};
use crate::WriteBatch;
use std::collections::HashSet;

/// Largest item, by DynamoDB's size rules.
pub const ITEM_SIZE_BYTES_MAX: usize = 400 * 1024;
/// Most requests in one BatchWriteItem.
const BATCH_WRITE_REQUESTS_MAX: usize = 25;
/// Largest BatchWriteItem request, by item size.
const BATCH_WRITE_BYTES_MAX: usize = 16 * 1024 * 1024;

/// One decided change of one item.
pub(crate) struct Change {
    pub(crate) key: StorageKey,
    /// The item before, as read under the key lock.
    pub(crate) old: Option<Item>,
    /// The item after; `None` deletes it.
    pub(crate) new: Option<Item>,
}

impl Change {
    /// The write units the change costs (the larger image, rounded up to 1 KB).
    pub(crate) fn write_units(&self) -> f64 {
        let size = |i: &Option<Item>| i.as_ref().map_or(0, item_size_bytes);
        capacity::write_units(size(&self.old), size(&self.new))
    }
}

impl Database {
    /// Reads the current item at `key` (caller holds the key's lock).
    pub(crate) fn read_item(&self, table: &Table, key: &StorageKey) -> ApiResult<Option<Item>> {
        match self.store.get(&key.partition, &key.key)? {
            None => Ok(None),
            Some(bytes) => decode(table, &bytes).map(Some),
        }
    }

    /// Commits `changes` as one atomic batch and updates the table statistics.
    pub(crate) fn commit_changes(&self, table: &Table, changes: &[Change]) -> ApiResult<()> {
        self.commit_groups(&[(table, changes)])
    }

    /// Commits the changes of several tables as one atomic batch (transactions) and updates
    /// each table's statistics.
    pub(crate) fn commit_groups(&self, groups: &[(&Table, &[Change])]) -> ApiResult<()> {
        let mut batch = WriteBatch::new();
        let mut deltas = Vec::with_capacity(groups.len());
        let mut buf = Vec::new();
        for (table, changes) in groups {
            let (mut items, mut bytes) = (0i64, 0i64);
            for c in *changes {
                match &c.new {
                    Some(item) => {
                        buf.clear();
                        codec::encode_item(item, &mut buf);
                        batch.put(&c.key.partition, &c.key.key, &buf);
                        items += 1;
                        bytes += item_size_bytes(item) as i64;
                    }
                    None if c.old.is_none() => continue,
                    None => batch.delete(&c.key.partition, &c.key.key),
                }
                if let Some(old) = &c.old {
                    items -= 1;
                    bytes -= item_size_bytes(old) as i64;
                }
            }
            deltas.push((*table, items, bytes));
        }
        if batch.is_empty() {
            return Ok(());
        }
        let seq = self.store.write(batch)?;
        for (table, items, bytes) in deltas {
            table.stats.record(seq, items, bytes);
        }
        Ok(())
    }

    /// Passes `result` through; a write refused by its condition still costs a unit, as in
    /// DynamoDB.
    pub(crate) fn charged_write<T>(
        &self,
        table: &Table,
        partition: &[u64],
        result: ApiResult<T>,
    ) -> ApiResult<T> {
        if let Err(ApiError::ConditionalCheckFailed { .. }) = &result {
            self.charge(table, throttle::Op::Write, 1.0, partition);
        }
        result
    }

    /// The single-item write pipeline: admit, lock, read, decide, commit, charge. Returns
    /// the old item and the write units consumed.
    pub(crate) fn write_one(
        &self,
        table: &Table,
        key: StorageKey,
        decide: impl FnOnce(Option<&Item>) -> ApiResult<Option<Item>>,
    ) -> ApiResult<(Option<Item>, f64)> {
        let partition = [throttle::partition_of(&key)];
        self.admit(table, throttle::Op::Write, &partition)?;
        let guard = self.locks.lock(&key.key);
        let old = self.read_item(table, &key)?;
        let new = self.charged_write(table, &partition, decide(old.as_ref()))?;
        let change = Change { key, old, new };
        self.commit_changes(table, std::slice::from_ref(&change))?;
        drop(guard);
        let units = change.write_units();
        self.charge(table, throttle::Op::Write, units, &partition);
        Ok((change.old, units))
    }

    /// PutItem: creates or replaces an item.
    pub fn put_item(&self, input: PutItemInput) -> ApiResult<PutItemOutput> {
        let (return_old, condition) = single_write_request(
            &input.table_name,
            input.return_values,
            ConditionRequest {
                expression: input.condition_expression.as_deref(),
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values,
                on_failure: input.return_values_on_condition_check_failure,
                expected: input.expected.as_ref(),
                conditional_operator: input.conditional_operator,
            },
        )?;
        let mut item = input.item;
        check_item_values(&mut item)?;
        let table = self.table(&input.table_name)?;
        table.key.check_item(&item)?;
        let key = table.key.storage_key(table.def.id, &item);
        let (old, units) = self.write_one(&table, key, |old| {
            condition.check(old)?;
            Ok(Some(item))
        })?;
        Ok(PutItemOutput {
            attributes: if return_old { old } else { None },
            consumed_capacity: capacity::single(
                input.return_consumed_capacity,
                &table.def.name,
                capacity::Kind::Write,
                units,
            ),
        })
    }

    /// DeleteItem: deletes an item; deleting a missing item succeeds.
    pub fn delete_item(&self, input: DeleteItemInput) -> ApiResult<DeleteItemOutput> {
        let (return_old, condition) = single_write_request(
            &input.table_name,
            input.return_values,
            ConditionRequest {
                expression: input.condition_expression.as_deref(),
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values,
                on_failure: input.return_values_on_condition_check_failure,
                expected: input.expected.as_ref(),
                conditional_operator: input.conditional_operator,
            },
        )?;
        let table = self.table(&input.table_name)?;
        table.key.check_key_map(&input.key)?;
        let key = table.key.storage_key(table.def.id, &input.key);
        let (old, units) = self.write_one(&table, key, |old| {
            condition.check(old)?;
            Ok(None)
        })?;
        Ok(DeleteItemOutput {
            attributes: if return_old { old } else { None },
            consumed_capacity: capacity::single(
                input.return_consumed_capacity,
                &table.def.name,
                capacity::Kind::Write,
                units,
            ),
        })
    }

    /// BatchWriteItem: up to 25 puts and deletes over one or more tables. The whole request
    /// is validated first; each table's writes then commit as one atomic batch.
    pub fn batch_write_item(
        &self,
        mut input: BatchWriteItemInput,
    ) -> ApiResult<BatchWriteItemOutput> {
        // As DynamoDB: the request's shape, names and item values first, then each table
        // and its keys.
        super::validate::request_items_table_names(input.request_items.keys())?;
        let requests: usize = input.request_items.values().map(Vec::len).sum();
        check_batch_write_shape(&input, requests)?;
        for w in input.request_items.values_mut().flatten() {
            if let WriteRequest::PutRequest { item } = w {
                check_item_values(item)?;
            }
        }
        let mut plans = Vec::with_capacity(input.request_items.len());
        let mut total_bytes = 0usize;
        for (name, writes) in input.request_items {
            let table = self.table(&name)?;
            let mut seen = HashSet::new();
            let mut planned = Vec::with_capacity(writes.len());
            for w in writes {
                let (key, new) = match w {
                    WriteRequest::PutRequest { item } => {
                        table.key.check_item(&item).map_err(batch_put_error)?;
                        total_bytes += item_size_bytes(&item);
                        (table.key.storage_key(table.def.id, &item), Some(item))
                    }
                    WriteRequest::DeleteRequest { key } => {
                        table.key.check_key_map(&key)?;
                        (table.key.storage_key(table.def.id, &key), None)
                    }
                };
                if !seen.insert(key.key.clone()) {
                    return Err(ApiError::validation(
                        "Provided list of item keys contains duplicates",
                    ));
                }
                planned.push((key, new));
            }
            plans.push((table, planned));
        }
        if total_bytes > BATCH_WRITE_BYTES_MAX {
            return Err(ApiError::validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        // A table over its capacity gets all its writes back unprocessed; only when every
        // table is refused does the request fail, as in DynamoDB.
        let mut unprocessed_items = std::collections::BTreeMap::new();
        let mut refused = None;
        let mut admitted = Vec::with_capacity(plans.len());
        for (table, planned) in plans {
            match self.admit(&table, throttle::Op::Write, &[]) {
                Ok(()) => admitted.push((table, planned)),
                Err(e) => {
                    let writes = planned
                        .into_iter()
                        .map(|(key, new)| match new {
                            Some(item) => WriteRequest::PutRequest { item },
                            None => WriteRequest::DeleteRequest {
                                key: table.key.key_from_storage(&key.key).unwrap_or_default(),
                            },
                        })
                        .collect::<Vec<_>>();
                    unprocessed_items.insert(table.def.name.clone(), writes);
                    refused = Some(e);
                }
            }
        }
        if let (true, Some(e)) = (admitted.is_empty(), refused) {
            return Err(e);
        }
        let mut consumed = capacity::Consumed::new();
        for (table, planned) in admitted {
            let _guards = self
                .locks
                .lock_many(planned.iter().map(|(k, _)| k.key.as_slice()));
            let mut changes = Vec::with_capacity(planned.len());
            for (key, new) in planned {
                let old = self.read_item(&table, &key)?;
                changes.push(Change { key, old, new });
            }
            self.commit_changes(&table, &changes)?;
            let units: f64 = changes.iter().map(Change::write_units).sum();
            consumed.add(&table.def.name, capacity::Kind::Write, units);
            self.charge(&table, throttle::Op::Write, units, &[]);
        }
        Ok(BatchWriteItemOutput {
            unprocessed_items,
            consumed_capacity: consumed.report(input.return_consumed_capacity),
        })
    }
}

fn check_batch_write_shape(input: &BatchWriteItemInput, requests: usize) -> ApiResult<()> {
    if input.request_items.is_empty() {
        return Err(ApiError::validation(
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    if let Some((name, _)) = input.request_items.iter().find(|(_, w)| w.is_empty()) {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{{{name}=[]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
        )));
    }
    if let Some((name, _)) = input
        .request_items
        .iter()
        .find(|(_, w)| w.len() > BATCH_WRITE_REQUESTS_MAX)
    {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{{{name}=[...]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
        )));
    }
    if requests > BATCH_WRITE_REQUESTS_MAX {
        return Err(ApiError::validation(
            "Too many items requested for the BatchWriteItem call",
        ));
    }
    Ok(())
}

/// BatchWriteItem reports a put's missing or mistyped key attribute as a schema mismatch.
fn batch_put_error(e: ApiError) -> ApiError {
    let m = e.message();
    if m.contains("Missing the key ") || m.contains("Type mismatch for key ") {
        crate::model::key::key_mismatch()
    } else {
        e
    }
}

/// The request-level checks PutItem and DeleteItem share, in DynamoDB's order: the table
/// name, ReturnValues (true for `ALL_OLD`) and the condition.
fn single_write_request(
    table_name: &str,
    return_values: Option<ReturnValue>,
    condition: ConditionRequest<'_>,
) -> ApiResult<(bool, WriteCondition)> {
    super::validate::table_name(table_name)?;
    let return_old = put_delete_return_values(return_values)?;
    let condition = WriteCondition::parse(condition)?;
    Ok((return_old, condition))
}

/// Validates ReturnValues of PutItem/DeleteItem; true for `ALL_OLD`.
fn put_delete_return_values(rv: Option<ReturnValue>) -> ApiResult<bool> {
    match rv.unwrap_or_default() {
        ReturnValue::None => Ok(false),
        ReturnValue::AllOld => Ok(true),
        _ => Err(ApiError::validation(
            "ReturnValues can only be ALL_OLD or NONE",
        )),
    }
}

/// The checks DynamoDB makes on an item before it looks up the table: value rules and the
/// size limit.
pub(crate) fn check_item_values(item: &mut Item) -> ApiResult<()> {
    normalize_item(item)?;
    if item_size_bytes(item) > ITEM_SIZE_BYTES_MAX {
        return Err(ApiError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(())
}

/// Decodes a stored item; damage is an internal error naming the table.
pub(crate) fn decode(table: &Table, bytes: &[u8]) -> ApiResult<Item> {
    codec::decode_item(bytes).map_err(|reason| {
        ApiError::Internal(crate::Error::corruption(
            &format!("table {}", table.def.name),
            0,
            reason,
        ))
    })
}
