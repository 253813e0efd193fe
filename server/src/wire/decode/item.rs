//! Single-item and read requests: PutItem, GetItem, UpdateItem, DeleteItem, Query, Scan, with
//! their legacy members (`Expected`, `AttributeUpdates`, `KeyConditions`, `QueryFilter`,
//! `ScanFilter`).

use super::{Decoder, EnumSet};
use crate::wire::reader::{self, IntegerType, Object, Read};
use crate::wire::value;
use crate::wire::Request;
use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::AttributeValue;

pub(super) fn put_item(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, true)?;
    let table_name = d.table_name(obj)?;
    let item = d.required_attribute_map(obj, "Item", "item")?;
    Ok(Request::PutItem(PutItemInput {
        return_consumed_capacity,
        table_name,
        item,
        conditional_operator: d.conditional_operator(obj)?,
        expected: expected(d, obj)?,
        return_values: d.return_values(obj)?,
        condition_expression: d.optional_string(obj, "ConditionExpression")?,
        expression_attribute_values: d.expression_attribute_values(obj)?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
        return_values_on_condition_check_failure: d
            .return_values_on_failure(obj, "returnValuesOnConditionCheckFailure")?,
    }))
}

pub(super) fn get_item(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, false)?;
    Ok(Request::GetItem(GetItemInput {
        return_consumed_capacity,
        attributes_to_get: d.attributes_to_get(obj)?,
        table_name: d.table_name(obj)?,
        key: d.required_attribute_map(obj, "Key", "key")?,
        consistent_read: d.optional_bool(obj, "ConsistentRead")?,
        projection_expression: d.optional_string(obj, "ProjectionExpression")?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
    }))
}

pub(super) fn update_item(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, true)?;
    let table_name = d.table_name(obj)?;
    let key = d.required_attribute_map(obj, "Key", "key")?;
    Ok(Request::UpdateItem(UpdateItemInput {
        return_consumed_capacity,
        table_name,
        key,
        attribute_updates: attribute_updates(d, obj)?,
        expected: expected(d, obj)?,
        conditional_operator: d.conditional_operator(obj)?,
        return_values: d.return_values(obj)?,
        update_expression: d.optional_string(obj, "UpdateExpression")?,
        condition_expression: d.optional_string(obj, "ConditionExpression")?,
        expression_attribute_values: d.expression_attribute_values(obj)?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
        return_values_on_condition_check_failure: d
            .return_values_on_failure(obj, "returnValuesOnConditionCheckFailure")?,
    }))
}

pub(super) fn delete_item(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let return_consumed_capacity = d.capacity_options(obj, true)?;
    let table_name = d.table_name(obj)?;
    let return_values = d.return_values(obj)?;
    let key = d.required_attribute_map(obj, "Key", "key")?;
    Ok(Request::DeleteItem(DeleteItemInput {
        return_consumed_capacity,
        table_name,
        key,
        return_values,
        conditional_operator: d.conditional_operator(obj)?,
        expected: expected(d, obj)?,
        condition_expression: d.optional_string(obj, "ConditionExpression")?,
        expression_attribute_values: d.expression_attribute_values(obj)?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
        return_values_on_condition_check_failure: d
            .return_values_on_failure(obj, "returnValuesOnConditionCheckFailure")?,
    }))
}

pub(super) fn query(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let limit = d.optional_integer(obj, "Limit", IntegerType::Integer)?;
    let exclusive_start_key = d.exclusive_start_key(obj)?;
    let return_consumed_capacity = d.capacity_options(obj, false)?;
    let attributes_to_get = d.attributes_to_get(obj)?;
    let query_filter = conditions(d, obj, "QueryFilter", "queryFilter")?;
    let select = d.enumeration(obj, "Select", "select", &SELECT)?;
    let conditional_operator = d.conditional_operator(obj)?;
    let key_conditions = conditions(d, obj, "KeyConditions", "keyConditions")?;
    Ok(Request::Query(QueryInput {
        return_consumed_capacity,
        limit,
        exclusive_start_key,
        attributes_to_get,
        query_filter,
        select,
        conditional_operator,
        key_conditions,
        table_name: d.table_name(obj)?,
        consistent_read: d.optional_bool(obj, "ConsistentRead")?,
        index_name: d.optional_string(obj, "IndexName")?,
        scan_index_forward: d.optional_bool(obj, "ScanIndexForward")?,
        key_condition_expression: d.optional_string(obj, "KeyConditionExpression")?,
        filter_expression: d.optional_string(obj, "FilterExpression")?,
        projection_expression: d.optional_string(obj, "ProjectionExpression")?,
        expression_attribute_values: d.expression_attribute_values(obj)?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
    }))
}

pub(super) fn scan(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let limit = d.optional_integer(obj, "Limit", IntegerType::Integer)?;
    let return_consumed_capacity = d.capacity_options(obj, false)?;
    let attributes_to_get = d.attributes_to_get(obj)?;
    let segment = d.optional_integer(obj, "Segment", IntegerType::Integer)?;
    let select = d.enumeration(obj, "Select", "select", &SELECT)?;
    let scan_filter = conditions(d, obj, "ScanFilter", "scanFilter")?;
    let conditional_operator = d.conditional_operator(obj)?;
    Ok(Request::Scan(ScanInput {
        return_consumed_capacity,
        limit,
        attributes_to_get,
        segment,
        select,
        scan_filter,
        conditional_operator,
        total_segments: d.optional_integer(obj, "TotalSegments", IntegerType::Integer)?,
        table_name: d.table_name(obj)?,
        exclusive_start_key: d.exclusive_start_key(obj)?,
        index_name: d.optional_string(obj, "IndexName")?,
        consistent_read: d.optional_bool(obj, "ConsistentRead")?,
        filter_expression: d.optional_string(obj, "FilterExpression")?,
        projection_expression: d.optional_string(obj, "ProjectionExpression")?,
        expression_attribute_values: d.expression_attribute_values(obj)?,
        expression_attribute_names: d.expression_attribute_names(obj)?,
    }))
}

/// An `AttributeValueList`: AttributeValues as list elements.
fn value_list(d: &mut Decoder, obj: &Object) -> Read<Option<Vec<AttributeValue>>> {
    let Some(json) = reader::get(obj, "AttributeValueList") else {
        return Ok(None);
    };
    let mut first = None;
    let mut list = Vec::new();
    for element in reader::list(json)? {
        list.push(value::decode_element(element, &mut first)?);
    }
    d.invalid_value(first);
    Ok(Some(list))
}

/// A legacy operand that is a structure member (`Expected.Value`, `AttributeUpdates.Value`).
fn field_value(d: &mut Decoder, obj: &Object) -> Read<Option<AttributeValue>> {
    let Some(json) = reader::get(obj, "Value") else {
        return Ok(None);
    };
    let mut first = None;
    let value = value::decode_field(json, &mut first)?;
    d.invalid_value(first);
    Ok(Some(value))
}

/// The map member `key` of legacy structures of model class `class`, each decoded by `entry`
/// with its attribute name.
fn legacy_map<T>(
    d: &mut Decoder,
    obj: &Object,
    key: &str,
    class: &str,
    mut entry: impl FnMut(&mut Decoder, &str, &Object) -> Read<Option<T>>,
) -> Read<Option<HashMap<String, T>>> {
    let Some(json) = reader::get(obj, key) else {
        return Ok(None);
    };
    let mut map = HashMap::new();
    for (name, v) in reader::map(json, class)? {
        if v.is_null() {
            continue;
        }
        if let Some(t) = entry(d, name, reader::value_struct(v, class)?)? {
            map.insert(name.clone(), t);
        }
    }
    Ok(Some(map))
}

/// `Expected` (PutItem, UpdateItem, DeleteItem).
fn expected(d: &mut Decoder, obj: &Object) -> Read<Option<Expected>> {
    legacy_map(
        d,
        obj,
        "Expected",
        "ExpectedAttributeValue",
        |d, name, e| {
            Ok(Some(ExpectedAttributeValue {
                value: field_value(d, e)?,
                exists: d.optional_bool(e, "Exists")?,
                comparison_operator: d.enumeration(
                    e,
                    "ComparisonOperator",
                    &format!("expected.{name}.member.comparisonOperator"),
                    &COMPARISON_OPERATOR,
                )?,
                attribute_value_list: value_list(d, e)?,
            }))
        },
    )
}

/// `KeyConditions`, `QueryFilter` or `ScanFilter` (member `key`, model path `path`), whose
/// entries require a ComparisonOperator.
fn conditions(d: &mut Decoder, obj: &Object, key: &str, path: &str) -> Read<Option<Conditions>> {
    legacy_map(d, obj, key, "Condition", |d, name, c| {
        let operator_path = format!("{path}.{name}.member.comparisonOperator");
        let comparison_operator = d.enumeration(
            c,
            "ComparisonOperator",
            &operator_path,
            &COMPARISON_OPERATOR,
        )?;
        if reader::get(c, "ComparisonOperator").is_none() {
            d.missing(&operator_path);
        }
        let attribute_value_list = value_list(d, c)?;
        Ok(comparison_operator.map(|comparison_operator| Condition {
            comparison_operator,
            attribute_value_list,
        }))
    })
}

/// `AttributeUpdates` (UpdateItem).
fn attribute_updates(d: &mut Decoder, obj: &Object) -> Read<Option<AttributeUpdates>> {
    legacy_map(
        d,
        obj,
        "AttributeUpdates",
        "AttributeValueUpdate",
        |d, name, u| {
            Ok(Some(AttributeValueUpdate {
                value: field_value(d, u)?,
                action: d.enumeration(
                    u,
                    "Action",
                    &format!("attributeUpdates.{name}.member.action"),
                    &ATTRIBUTE_ACTION,
                )?,
            }))
        },
    )
}

const SELECT: EnumSet<Select> = EnumSet {
    values: &[
        ("SPECIFIC_ATTRIBUTES", Select::SpecificAttributes),
        ("COUNT", Select::Count),
        ("ALL_ATTRIBUTES", Select::AllAttributes),
        ("ALL_PROJECTED_ATTRIBUTES", Select::AllProjectedAttributes),
    ],
};

const COMPARISON_OPERATOR: EnumSet<ComparisonOperator> = EnumSet {
    values: &[
        ("IN", ComparisonOperator::In),
        ("NULL", ComparisonOperator::Null),
        ("BETWEEN", ComparisonOperator::Between),
        ("LT", ComparisonOperator::Lt),
        ("NOT_CONTAINS", ComparisonOperator::NotContains),
        ("EQ", ComparisonOperator::Eq),
        ("GT", ComparisonOperator::Gt),
        ("NOT_NULL", ComparisonOperator::NotNull),
        ("NE", ComparisonOperator::Ne),
        ("LE", ComparisonOperator::Le),
        ("BEGINS_WITH", ComparisonOperator::BeginsWith),
        ("GE", ComparisonOperator::Ge),
        ("CONTAINS", ComparisonOperator::Contains),
    ],
};

const ATTRIBUTE_ACTION: EnumSet<AttributeAction> = EnumSet {
    values: &[
        ("ADD", AttributeAction::Add),
        ("PUT", AttributeAction::Put),
        ("DELETE", AttributeAction::Delete),
    ],
};
