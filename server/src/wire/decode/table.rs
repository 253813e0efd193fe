//! Control-plane requests: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable.

use super::{Decoder, EnumSet};
use crate::wire::reader::{self, IntegerType, Object, Read};
use crate::wire::Request;
use serde_json::Value;
use tessera_engine::api::*;
use tessera_engine::model::ScalarType;

pub(super) fn create_table(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let attribute_definitions = match reader::get(obj, "AttributeDefinitions") {
        Some(json) => attribute_definitions(d, json)?,
        None => {
            d.missing("attributeDefinitions");
            Vec::new()
        }
    };
    let table_name = d.control_table_name(obj)?;
    let key_schema = match reader::get(obj, "KeySchema") {
        Some(json) => key_schema(d, json, "keySchema")?,
        None => {
            d.missing("keySchema");
            Vec::new()
        }
    };
    let billing_mode = d.enumeration(obj, "BillingMode", "billingMode", &BILLING_MODE)?;
    let provisioned_throughput = throughput_member(d, obj, "provisionedThroughput")?;
    let local_secondary_indexes = reader::get(obj, "LocalSecondaryIndexes")
        .map(|json| local_secondary_indexes(d, json))
        .transpose()?;
    let global_secondary_indexes = reader::get(obj, "GlobalSecondaryIndexes")
        .map(|json| global_secondary_indexes(d, json))
        .transpose()?;
    let stream_specification = stream_specification(d, obj)?;
    let deletion_protection_enabled = d.optional_bool(obj, "DeletionProtectionEnabled")?;
    Ok(Request::CreateTable(CreateTableInput {
        table_name,
        key_schema,
        attribute_definitions,
        billing_mode,
        provisioned_throughput,
        stream_specification,
        global_secondary_indexes,
        local_secondary_indexes,
        deletion_protection_enabled,
    }))
}

pub(super) fn describe_table(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let table_name = d.control_table_name(obj)?;
    Ok(Request::DescribeTable(DescribeTableInput { table_name }))
}

pub(super) fn delete_table(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let table_name = d.control_table_name(obj)?;
    Ok(Request::DeleteTable(DeleteTableInput { table_name }))
}

pub(super) fn list_tables(d: &mut Decoder, obj: &Object) -> Read<Request> {
    Ok(Request::ListTables(ListTablesInput {
        exclusive_start_table_name: d.optional_string(obj, "ExclusiveStartTableName")?,
        limit: d.optional_integer(obj, "Limit", IntegerType::Integer)?,
    }))
}

/// UpdateTable. Members the engine does not model yet (GlobalSecondaryIndexUpdates,
/// StreamSpecification, AttributeDefinitions, ...) are ignored like unknown ones.
pub(super) fn update_table(d: &mut Decoder, obj: &Object) -> Read<Request> {
    let table_name = d.control_table_name(obj)?;
    let provisioned_throughput = throughput_member(d, obj, "provisionedThroughput")?;
    let billing_mode = d.enumeration(obj, "BillingMode", "billingMode", &BILLING_MODE)?;
    let deletion_protection_enabled = d.optional_bool(obj, "DeletionProtectionEnabled")?;
    Ok(Request::UpdateTable(UpdateTableInput {
        table_name,
        billing_mode,
        provisioned_throughput,
        deletion_protection_enabled,
    }))
}

fn attribute_definitions(d: &mut Decoder, json: &Value) -> Read<Vec<AttributeDefinition>> {
    let mut definitions = Vec::new();
    for (i, element) in reader::list(json)?.enumerate() {
        let obj = reader::value_struct(element, "AttributeDefinition")?;
        let path = format!("attributeDefinitions.{}.member", i + 1);
        let name = d.required_string(obj, "AttributeName", &format!("{path}.attributeName"))?;
        let type_path = format!("{path}.attributeType");
        let ty = d.enumeration(obj, "AttributeType", &type_path, &ATTRIBUTE_TYPE)?;
        if reader::get(obj, "AttributeType").is_none() {
            d.missing(&type_path);
        }
        // A definition without a valid type has already failed the request.
        if let Some(ty) = ty {
            definitions.push(AttributeDefinition::new(name, ty));
        }
    }
    Ok(definitions)
}

/// A `KeySchema` list at model path `path`.
fn key_schema(d: &mut Decoder, json: &Value, path: &str) -> Read<Vec<KeySchemaElement>> {
    let mut schema = Vec::new();
    for (i, element) in reader::list(json)?.enumerate() {
        let obj = reader::value_struct(element, "KeySchemaElement")?;
        let member = format!("{path}.{}.member", i + 1);
        let name = d.required_string(obj, "AttributeName", &format!("{member}.attributeName"))?;
        let type_path = format!("{member}.keyType");
        let key_type = d.enumeration(obj, "KeyType", &type_path, &KEY_TYPE)?;
        if reader::get(obj, "KeyType").is_none() {
            d.missing(&type_path);
        }
        schema.push(KeySchemaElement::new(name, key_type.unwrap_or_default()));
    }
    Ok(schema)
}

/// The optional `ProvisionedThroughput` member of `obj`, at model path `path`.
fn throughput_member(
    d: &mut Decoder,
    obj: &Object,
    path: &str,
) -> Read<Option<ProvisionedThroughput>> {
    let Some(json) = reader::get(obj, "ProvisionedThroughput") else {
        return Ok(None);
    };
    let obj = reader::field_struct(json, "ProvisionedThroughput")?;
    let mut units = |key: &str, field: &str| -> Read<i64> {
        let value = d.optional_integer(obj, key, IntegerType::Long)?;
        if value.is_none() {
            d.missing(&format!("{path}.{field}"));
        }
        Ok(value.unwrap_or_default())
    };
    // DynamoDB's model lists the write units first.
    let write_capacity_units = units("WriteCapacityUnits", "writeCapacityUnits")?;
    let read_capacity_units = units("ReadCapacityUnits", "readCapacityUnits")?;
    Ok(Some(ProvisionedThroughput {
        read_capacity_units,
        write_capacity_units,
    }))
}

/// An index's `Projection` (required) at model path `path`.
fn projection(d: &mut Decoder, obj: &Object, path: &str) -> Read<Projection> {
    let Some(json) = reader::get(obj, "Projection") else {
        d.missing(path);
        return Ok(Projection::default());
    };
    let obj = reader::field_struct(json, "Projection")?;
    let projection_type = d.enumeration(
        obj,
        "ProjectionType",
        &format!("{path}.projectionType"),
        &PROJECTION_TYPE,
    )?;
    let non_key_attributes = reader::get(obj, "NonKeyAttributes")
        .map(|json| {
            reader::list(json)?
                .map(|v| reader::string(v).map(str::to_owned))
                .collect::<Read<Vec<_>>>()
        })
        .transpose()?;
    Ok(Projection {
        projection_type,
        non_key_attributes,
    })
}

/// The members every index has: name, key schema, projection.
fn index_parts(
    d: &mut Decoder,
    obj: &Object,
    member: &str,
) -> Read<(String, Vec<KeySchemaElement>, Projection)> {
    let name = d.required_string(obj, "IndexName", &format!("{member}.indexName"))?;
    let key_schema_path = format!("{member}.keySchema");
    let schema = match reader::get(obj, "KeySchema") {
        Some(json) => key_schema(d, json, &key_schema_path)?,
        None => {
            d.missing(&key_schema_path);
            Vec::new()
        }
    };
    let projection = projection(d, obj, &format!("{member}.projection"))?;
    Ok((name, schema, projection))
}

fn local_secondary_indexes(d: &mut Decoder, json: &Value) -> Read<Vec<LocalSecondaryIndex>> {
    let mut indexes = Vec::new();
    for (i, element) in reader::list(json)?.enumerate() {
        let obj = reader::value_struct(element, "LocalSecondaryIndex")?;
        let member = format!("localSecondaryIndexes.{}.member", i + 1);
        let (index_name, key_schema, projection) = index_parts(d, obj, &member)?;
        indexes.push(LocalSecondaryIndex {
            index_name,
            key_schema,
            projection,
        });
    }
    Ok(indexes)
}

fn global_secondary_indexes(d: &mut Decoder, json: &Value) -> Read<Vec<GlobalSecondaryIndex>> {
    let mut indexes = Vec::new();
    for (i, element) in reader::list(json)?.enumerate() {
        let obj = reader::value_struct(element, "GlobalSecondaryIndex")?;
        let member = format!("globalSecondaryIndexes.{}.member", i + 1);
        let (index_name, key_schema, projection) = index_parts(d, obj, &member)?;
        let provisioned_throughput =
            throughput_member(d, obj, &format!("{member}.provisionedThroughput"))?;
        indexes.push(GlobalSecondaryIndex {
            index_name,
            key_schema,
            projection,
            provisioned_throughput,
        });
    }
    Ok(indexes)
}

fn stream_specification(d: &mut Decoder, obj: &Object) -> Read<Option<StreamSpecification>> {
    let Some(json) = reader::get(obj, "StreamSpecification") else {
        return Ok(None);
    };
    let obj = reader::field_struct(json, "StreamSpecification")?;
    let stream_enabled = d.optional_bool(obj, "StreamEnabled")?;
    if stream_enabled.is_none() {
        d.missing("streamSpecification.streamEnabled");
    }
    let stream_view_type = d.enumeration(
        obj,
        "StreamViewType",
        "streamSpecification.streamViewType",
        &STREAM_VIEW_TYPE,
    )?;
    Ok(Some(StreamSpecification {
        stream_enabled: stream_enabled.unwrap_or_default(),
        stream_view_type,
    }))
}

const BILLING_MODE: EnumSet<BillingMode> = EnumSet {
    values: &[
        ("PROVISIONED", BillingMode::Provisioned),
        ("PAY_PER_REQUEST", BillingMode::PayPerRequest),
    ],
};

const ATTRIBUTE_TYPE: EnumSet<ScalarType> = EnumSet {
    values: &[
        ("B", ScalarType::B),
        ("N", ScalarType::N),
        ("S", ScalarType::S),
    ],
};

const KEY_TYPE: EnumSet<KeyType> = EnumSet {
    values: &[("HASH", KeyType::Hash), ("RANGE", KeyType::Range)],
};

const PROJECTION_TYPE: EnumSet<ProjectionType> = EnumSet {
    values: &[
        ("ALL", ProjectionType::All),
        ("INCLUDE", ProjectionType::Include),
        ("KEYS_ONLY", ProjectionType::KeysOnly),
    ],
};

const STREAM_VIEW_TYPE: EnumSet<StreamViewType> = EnumSet {
    values: &[
        ("OLD_IMAGE", StreamViewType::OldImage),
        ("KEYS_ONLY", StreamViewType::KeysOnly),
        ("NEW_AND_OLD_IMAGES", StreamViewType::NewAndOldImages),
        ("NEW_IMAGE", StreamViewType::NewImage),
    ],
};
