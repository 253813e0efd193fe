//! Multi-item requests: BatchGetItem, BatchWriteItem, TransactWriteItems, TransactGetItems.

use super::Decoder;
use crate::wire::reader::{self, Object, Read};
use crate::wire::value;
use crate::wire::Request;
use serde_json::Value;
use std::collections::BTreeMap;
use tessera_engine::api::*;

/// DynamoDB's (odd) text for a WriteRequest with no request or both.
const WRITE_REQUEST_NOT_ONE: &str = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
const TRANSACT_ITEM_EMPTY: &str =
    "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request";
const TRANSACT_ITEM_SEVERAL: &str =
    "TransactItems can only contain one of Check, Put, Update or Delete";

/// A required list member, as its elements; missing, it is recorded and comes back empty.
fn required_list<'a>(
    d: &mut Decoder,
    obj: &'a Object,
    key: &str,
    path: &str,
) -> Read<Vec<&'a Value>> {
    match reader::get(obj, key) {
        Some(json) => Ok(reader::list(json)?.collect()),
        None => {
            d.missing(path);
            Ok(Vec::new())
        }
    }
}

pub(super) fn batch_get_item(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, false)?;
    let mut request_items = BTreeMap::new();
    let Some(json) = reader::get(obj, "RequestItems") else {
        d.missing("requestItems");
        return Ok(Request::BatchGetItem(BatchGetItemInput::default()));
    };
    for (table, v) in reader::map(json, "KeysAndAttributes")? {
        if v.is_null() {
            continue;
        }
        let k = reader::value_struct(v, "KeysAndAttributes")?;
        let keys_path = format!("requestItems.{table}.member.keys");
        let mut keys = Vec::new();
        let mut first = None;
        for key in required_list(d, k, "Keys", &keys_path)? {
            let key = reader::parameterized_map(key)?;
            keys.push(value::decode_map_object(key, &mut first)?);
        }
        d.invalid_value(first);
        let entry = KeysAndAttributes {
            keys,
            attributes_to_get: d.attributes_to_get(k)?,
            consistent_read: d.optional_bool(k, "ConsistentRead")?,
            projection_expression: d.optional_string(k, "ProjectionExpression")?,
            expression_attribute_names: d.expression_attribute_names(k)?,
        };
        request_items.insert(table.clone(), entry);
    }
    Ok(Request::BatchGetItem(BatchGetItemInput {
        request_items,
        return_consumed_capacity,
    }))
}

pub(super) fn batch_write_item(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, true)?;
    let mut request_items = BTreeMap::new();
    let Some(json) = reader::get(obj, "RequestItems") else {
        d.missing("requestItems");
        return Ok(Request::BatchWriteItem(BatchWriteItemInput::default()));
    };
    let class = "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>";
    for (table, v) in reader::map(json, class)? {
        if v.is_null() {
            continue;
        }
        let mut writes = Vec::new();
        for (i, element) in reader::parameterized_list(v)?.enumerate() {
            let member = format!("requestItems.{table}.member.{}.member", i + 1);
            if let Some(write) = write_request(d, element, &member)? {
                writes.push(write);
            }
        }
        request_items.insert(table.clone(), writes);
    }
    Ok(Request::BatchWriteItem(BatchWriteItemInput {
        request_items,
        return_consumed_capacity,
    }))
}

/// One WriteRequest at model path `member`: exactly one of PutRequest and DeleteRequest.
fn write_request(d: &mut Decoder, json: &Value, member: &str) -> Read<Option<WriteRequest>> {
    let obj = reader::value_struct(json, "WriteRequest")?;
    let put = reader::get(obj, "PutRequest");
    let delete = reader::get(obj, "DeleteRequest");
    if put.is_some() == delete.is_some() {
        d.semantic(WRITE_REQUEST_NOT_ONE);
    }
    let mut write = None;
    if let Some(json) = put {
        let put = reader::field_struct(json, "PutRequest")?;
        let item = d.required_attribute_map(put, "Item", &format!("{member}.putRequest.item"))?;
        write = Some(WriteRequest::PutRequest { item });
    }
    if let Some(json) = delete {
        let delete = reader::field_struct(json, "DeleteRequest")?;
        let key =
            d.required_attribute_map(delete, "Key", &format!("{member}.deleteRequest.key"))?;
        write = Some(WriteRequest::DeleteRequest { key });
    }
    Ok(write)
}

pub(super) fn transact_write_items(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, true)?;
    let mut transact_items = Vec::new();
    for (i, element) in required_list(d, obj, "TransactItems", "transactItems")?
        .into_iter()
        .enumerate()
    {
        let member = format!("transactItems.{}.member", i + 1);
        if let Some(action) = transact_write_item(d, element, &member)? {
            transact_items.push(action);
        }
    }
    Ok(Request::TransactWriteItems(TransactWriteItemsInput {
        transact_items,
        return_consumed_capacity,
        client_request_token: d.optional_string(obj, "ClientRequestToken")?,
    }))
}

/// The members every transaction action has besides its key or item.
struct ActionParts {
    table_name: String,
    condition_expression: Option<String>,
    expression_attribute_names: Option<AttributeNames>,
    expression_attribute_values: Option<AttributeValues>,
    return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

fn action_parts(d: &mut Decoder, obj: &Object, member: &str) -> Read<ActionParts> {
    Ok(ActionParts {
        table_name: d.required_string(obj, "TableName", &format!("{member}.tableName"))?,
        condition_expression: d.optional_string(obj, "ConditionExpression")?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
        expression_attribute_values: d.expression_attribute_values(obj)?,
        return_values_on_condition_check_failure: d.return_values_on_failure(
            obj,
            &format!("{member}.returnValuesOnConditionCheckFailure"),
        )?,
    })
}

/// One TransactWriteItem at model path `member`: exactly one action.
fn transact_write_item(
    d: &mut Decoder,
    json: &Value,
    member: &str,
) -> Read<Option<TransactWriteItem>> {
    let obj = reader::value_struct(json, "TransactWriteItem")?;
    let kinds = ["ConditionCheck", "Put", "Delete", "Update"];
    match kinds
        .iter()
        .filter(|k| reader::get(obj, k).is_some())
        .count()
    {
        0 => d.semantic(TRANSACT_ITEM_EMPTY),
        1 => {}
        _ => d.semantic(TRANSACT_ITEM_SEVERAL),
    }
    let mut action = None;
    for kind in kinds {
        // Every action present is decoded, for its SerializationExceptions.
        if let Some(a) = transact_action(d, obj, kind, member)? {
            action = Some(a);
        }
    }
    Ok(action)
}

/// The action `kind` (`Put`, ...) of a TransactWriteItem, if present.
fn transact_action(
    d: &mut Decoder,
    obj: &Object,
    kind: &str,
    member: &str,
) -> Read<Option<TransactWriteItem>> {
    let Some(json) = reader::get(obj, kind) else {
        return Ok(None);
    };
    let obj = reader::field_struct(json, kind)?;
    let member = match kind {
        "ConditionCheck" => format!("{member}.conditionCheck"),
        _ => format!("{member}.{}", kind.to_ascii_lowercase()),
    };
    let (target, target_path) = match kind {
        "Put" => ("Item", format!("{member}.item")),
        _ => ("Key", format!("{member}.key")),
    };
    let target = d.required_attribute_map(obj, target, &target_path)?;
    let update_expression = match kind {
        "Update" => Some(d.required_string(
            obj,
            "UpdateExpression",
            &format!("{member}.updateExpression"),
        )?),
        _ => None,
    };
    let p = action_parts(d, obj, &member)?;
    if kind == "ConditionCheck" && p.condition_expression.is_none() {
        d.missing(&format!("{member}.conditionExpression"));
    }
    Ok(Some(match kind {
        "ConditionCheck" => TransactWriteItem::ConditionCheck(ConditionCheck {
            table_name: p.table_name,
            key: target,
            condition_expression: p.condition_expression.unwrap_or_default(),
            expression_attribute_names: p.expression_attribute_names,
            expression_attribute_values: p.expression_attribute_values,
            return_values_on_condition_check_failure: p.return_values_on_condition_check_failure,
        }),
        "Put" => TransactWriteItem::Put(Put {
            table_name: p.table_name,
            item: target,
            condition_expression: p.condition_expression,
            expression_attribute_names: p.expression_attribute_names,
            expression_attribute_values: p.expression_attribute_values,
            return_values_on_condition_check_failure: p.return_values_on_condition_check_failure,
        }),
        "Delete" => TransactWriteItem::Delete(Delete {
            table_name: p.table_name,
            key: target,
            condition_expression: p.condition_expression,
            expression_attribute_names: p.expression_attribute_names,
            expression_attribute_values: p.expression_attribute_values,
            return_values_on_condition_check_failure: p.return_values_on_condition_check_failure,
        }),
        _ => TransactWriteItem::Update(Update {
            table_name: p.table_name,
            key: target,
            update_expression: update_expression.unwrap_or_default(),
            condition_expression: p.condition_expression,
            expression_attribute_names: p.expression_attribute_names,
            expression_attribute_values: p.expression_attribute_values,
            return_values_on_condition_check_failure: p.return_values_on_condition_check_failure,
        }),
    }))
}

pub(super) fn transact_get_items(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, false)?;
    let mut transact_items = Vec::new();
    for (i, element) in required_list(d, obj, "TransactItems", "transactItems")?
        .into_iter()
        .enumerate()
    {
        let member = format!("transactItems.{}.member.get", i + 1);
        let item = reader::value_struct(element, "TransactGetItem")?;
        let Some(json) = reader::get(item, "Get") else {
            d.missing(&member);
            continue;
        };
        let get = reader::field_struct(json, "Get")?;
        transact_items.push(Get {
            table_name: d.required_string(get, "TableName", &format!("{member}.tableName"))?,
            key: d.required_attribute_map(get, "Key", &format!("{member}.key"))?,
            projection_expression: d.optional_string(get, "ProjectionExpression")?,
            expression_attribute_names: d.expression_attribute_names(get)?,
        });
    }
    Ok(Request::TransactGetItems(TransactGetItemsInput {
        transact_items,
        return_consumed_capacity,
    }))
}
