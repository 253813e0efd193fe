//! Item reads: GetItem and BatchGetItem.
//!
//! Every read of the embedded engine is strongly consistent (it sees every acknowledged
//! write), so `ConsistentRead` is accepted and needs no different path.

use super::capacity;
use super::expressions::Projection;
use super::throttle;
use super::write::decode;
use crate::api::*;
use crate::db::Database;
use crate::model::item_size_bytes;
use std::collections::HashSet;

/// Most keys in one BatchGetItem.
const BATCH_GET_KEYS_MAX: usize = 100;
/// Largest BatchGetItem response, by item size; keys beyond it are returned unprocessed.
const BATCH_GET_RESPONSE_BYTES_MAX: usize = 16 * 1024 * 1024;

impl Database {
    /// GetItem: one item by its key.
    pub fn get_item(&self, input: GetItemInput) -> ApiResult<GetItemOutput> {
        super::validate::table_name(&input.table_name)?;
        let projection = Projection::parse(
            input.projection_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.attributes_to_get.as_deref(),
        )?;
        let table = self.table(&input.table_name)?;
        table.key.check_key_map(&input.key)?;
        projection.check_key_paths(&table.key)?;
        let key = table.key.storage_key(table.def.id, &input.key);
        let partition = [throttle::partition_of(&key)];
        self.admit(&table, throttle::Op::Read, &partition)?;
        let (item, bytes) = match self.store.get(&key.partition, &key.key)? {
            None => (None, 0),
            Some(bytes) => {
                let item = decode(&table, &bytes)?;
                let size = item_size_bytes(&item);
                (Some(projection.apply(item)), size)
            }
        };
        let units = capacity::read_units(bytes, input.consistent_read == Some(true));
        self.charge(&table, throttle::Op::Read, units, &partition);
        Ok(GetItemOutput {
            item,
            consumed_capacity: capacity::single(
                input.return_consumed_capacity,
                &table.def.name,
                capacity::Kind::Read,
                units,
            ),
        })
    }

    /// BatchGetItem: up to 100 keys over one or more tables. Items come back in no
    /// particular order; keys past the 16 MB response limit come back in UnprocessedKeys.
    pub fn batch_get_item(&self, input: BatchGetItemInput) -> ApiResult<BatchGetItemOutput> {
        if input.request_items.is_empty() {
            return Err(ApiError::validation(
                "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        super::validate::request_items_table_names(input.request_items.keys())?;
        if let Some((name, _)) = input
            .request_items
            .iter()
            .find(|(_, k)| k.keys.len() > BATCH_GET_KEYS_MAX)
        {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '[...]' at 'requestItems.{name}.member.keys' failed to satisfy constraint: Member must have length less than or equal to 100"
            )));
        }
        let total: usize = input.request_items.values().map(|k| k.keys.len()).sum();
        if total > BATCH_GET_KEYS_MAX {
            return Err(ApiError::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        let mut plans = Vec::with_capacity(input.request_items.len());
        for (name, request) in &input.request_items {
            if request.keys.is_empty() {
                return Err(ApiError::Validation(format!(
                    "1 validation error detected: Value '[]' at 'requestItems.{name}.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1"
                )));
            }
            let projection = Projection::parse(
                request.projection_expression.as_deref(),
                request.expression_attribute_names.as_ref(),
                request.attributes_to_get.as_deref(),
            )?;
            // Duplicates are found before the table is looked up, as DynamoDB does. Key
            // values are canonical (numbers normalized), so equal keys are equal maps.
            let mut seen = HashSet::new();
            if !request.keys.iter().all(|key| seen.insert(key)) {
                return Err(ApiError::validation(
                    "Provided list of item keys contains duplicates",
                ));
            }
            let table = self.table(name)?;
            for key in &request.keys {
                table.key.check_key_map(key)?;
            }
            projection.check_key_paths(&table.key)?;
            plans.push((name, request, table, projection));
        }
        let mut out = BatchGetItemOutput::default();
        // A table over its capacity gets all its keys back unprocessed; only when every
        // table is refused does the request fail, as in DynamoDB.
        let mut refused = None;
        let plans: Vec<_> = plans
            .into_iter()
            .filter(
                |(name, request, table, _)| match self.admit(table, throttle::Op::Read, &[]) {
                    Ok(()) => true,
                    Err(e) => {
                        out.unprocessed_keys
                            .insert((*name).clone(), (*request).clone());
                        refused = Some(e);
                        false
                    }
                },
            )
            .collect();
        if let (true, Some(e)) = (plans.is_empty(), refused) {
            return Err(e);
        }
        let mut consumed = capacity::Consumed::new();
        let mut size = 0usize;
        // Once an item does not fit, every later key is left for the next call.
        let mut full = false;
        for (name, request, table, projection) in plans {
            let mut items = Vec::new();
            let mut unprocessed = Vec::new();
            for key in &request.keys {
                if full {
                    unprocessed.push(key.clone());
                    continue;
                }
                let sk = table.key.storage_key(table.def.id, key);
                let consistent = request.consistent_read == Some(true);
                match self.store.get(&sk.partition, &sk.key)? {
                    Some(bytes) => {
                        let item = decode(&table, &bytes)?;
                        let item_bytes = item_size_bytes(&item);
                        if size + item_bytes > BATCH_GET_RESPONSE_BYTES_MAX {
                            full = true;
                            unprocessed.push(key.clone());
                            continue;
                        }
                        size += item_bytes;
                        items.push(projection.apply(item));
                        let units = capacity::read_units(item_bytes, consistent);
                        consumed.add(name, capacity::Kind::Read, units);
                    }
                    None => {
                        let units = capacity::read_units(0, consistent);
                        consumed.add(name, capacity::Kind::Read, units);
                    }
                }
            }
            let (read, _) = consumed.units(name);
            self.charge(&table, throttle::Op::Read, read, &[]);
            out.responses.insert(name.clone(), items);
            if !unprocessed.is_empty() {
                out.unprocessed_keys.insert(
                    name.clone(),
                    KeysAndAttributes {
                        keys: unprocessed,
                        ..request.clone()
                    },
                );
            }
        }
        out.consumed_capacity = consumed.report(input.return_consumed_capacity);
        Ok(out)
    }
}
