//! Each error DynamoDB gives while reading a body: SerializationExceptions, model
//! constraints (enums, required members) and invalid AttributeValues.

use super::*;

fn check_error(operation: &str, body: &str, expected: WireError) {
    match decode_request(operation, body.as_bytes()) {
        Err(e) => assert_eq!(e, expected, "{operation} {body}"),
        Ok(r) => panic!("{operation} {body} decoded to {r:?}"),
    }
}

fn validation(message: &str) -> WireError {
    WireError::Validation(message.to_owned())
}

fn serialization(message: &str) -> WireError {
    WireError::Serialization(Some(message.to_owned()))
}

/// The message of one model-constraint failure.
fn one(value: &str, path: &str, constraint: &str) -> WireError {
    validation(&format!(
        "1 validation error detected: Value {value} at '{path}' failed to satisfy constraint: {constraint}"
    ))
}

fn enum_error(value: &str, path: &str, set: &str) -> WireError {
    one(
        &format!("'{value}'"),
        path,
        &format!("Member must satisfy enum value set: [{set}]"),
    )
}

fn null_error(path: &str) -> WireError {
    one("null", path, "Member must not be null")
}

const EMPTY_VALUE: &str =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
const RETURN_VALUES: &str = "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW";

#[test]
fn decode_request_unknown_operation_and_bad_json() {
    check_error("ExecuteStatement", "{}", WireError::UnknownOperation);
    check_error("getItem", "{}", WireError::UnknownOperation);
    check_error("Nope", "", WireError::UnknownOperation);
    check_error("Nope", "[]", WireError::UnknownOperation);
    // Invalid JSON is found before the operation is looked up.
    check_error("Nope", "{", WireError::Serialization(None));
    for body in ["", "{", "{\"a\":1,}", "[]", "\"x\"", "5", "null", "{} {}"] {
        check_error("GetItem", body, WireError::Serialization(None));
    }
}

#[test]
fn decode_request_wrong_json_types_give_serialization_texts() {
    let cases = [
        ("PutItem", r#"{"TableName":5}"#, "NUMBER_VALUE cannot be converted to String"),
        ("PutItem", r#"{"TableName":"abc","Item":{"a":5}}"#, "Unexpected value type in payload"),
        ("PutItem", r#"{"TableName":"abc","Item":[]}"#, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"),
        ("PutItem", r#"{"Expected":{"a":{"Value":5}}}"#, "Unexpected field type"),
        ("PutItem", r#"{"Expected":{"a":5}}"#, "Unexpected value type in payload"),
        ("PutItem", r#"{"Expected":[]}"#, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue>"),
        ("Query", r#"{"Limit":"5"}"#, "STRING_VALUE cannot be converted to Integer"),
        ("Query", r#"{"ScanIndexForward":"maybe"}"#, "Unexpected token received from parser"),
        ("Scan", r#"{"ExpressionAttributeNames":5}"#, "Unexpected field type"),
        ("Scan", r##"{"ExpressionAttributeNames":{"#a":1}}"##, "NUMBER_VALUE cannot be converted to String"),
        ("Scan", r#"{"ExpressionAttributeNames":[]}"#, "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"),
        ("Scan", r#"{"AttributesToGet":{}}"#, "Start of structure or map found where not expected"),
        ("Scan", r#"{"Segment":true}"#, "TRUE_VALUE cannot be converted to Integer"),
        ("CreateTable", r#"{"ProvisionedThroughput":{"ReadCapacityUnits":"1"}}"#, "STRING_VALUE cannot be converted to Long"),
        ("CreateTable", r#"{"ProvisionedThroughput":[]}"#, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"),
        ("CreateTable", r#"{"KeySchema":[1]}"#, "Unexpected value type in payload"),
        ("CreateTable", r#"{"KeySchema":[[]]}"#, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement"),
        ("CreateTable", r#"{"GlobalSecondaryIndexes":[{"Projection":"ALL"}]}"#, "Unexpected field type"),
        ("UpdateTable", r#"{"TableName":"abc","BillingMode":1.5}"#, "DECIMAL_VALUE cannot be converted to String"),
        ("BatchGetItem", r#"{"RequestItems":{"t":{"Keys":[5]}}}"#, "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"),
        ("BatchGetItem", r#"{"RequestItems":{"t":5}}"#, "Unexpected value type in payload"),
        ("BatchWriteItem", r#"{"RequestItems":{"t":5}}"#, "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"),
        ("BatchWriteItem", r#"{"RequestItems":[]}"#, "Unrecognized collection type java.util.Map<java.lang.String, java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"),
        ("BatchWriteItem", r#"{"RequestItems":{"t":[{"PutRequest":[]}]}}"#, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.PutRequest"),
        ("TransactWriteItems", r#"{"TransactItems":[{"Put":{"Item":{"a":{"B":"x"}}}}]}"#, "Base64 encoded length is expected a multiple of 4 bytes but found: 1"),
        ("TransactGetItems", r#"{"TransactItems":{}}"#, "Start of structure or map found where not expected"),
    ];
    for (operation, body, message) in cases {
        check_error(operation, body, serialization(message));
    }
}

#[test]
fn decode_request_serialization_beats_validation() {
    // The bad value and the enum are found first, but the parser's error wins.
    let body = r#"{"TableName":"abc","Item":{"a":{}},"ReturnValues":"X","ConditionExpression":5}"#;
    check_error(
        "PutItem",
        body,
        serialization("NUMBER_VALUE cannot be converted to String"),
    );
}

#[test]
fn decode_request_invalid_enums_are_model_errors() {
    let cases = [
        ("PutItem", r#"{"TableName":"abc","Item":{},"ReturnValues":"all_old"}"#, "all_old", "returnValues", RETURN_VALUES),
        ("UpdateItem", r#"{"TableName":"abc","Key":{},"ReturnValues":""}"#, "", "returnValues", RETURN_VALUES),
        ("DeleteItem", r#"{"TableName":"abc","Key":{},"ReturnConsumedCapacity":"ALL"}"#, "ALL", "returnConsumedCapacity", "INDEXES, TOTAL, NONE"),
        ("PutItem", r#"{"TableName":"abc","Item":{},"ReturnItemCollectionMetrics":"X"}"#, "X", "returnItemCollectionMetrics", "SIZE, NONE"),
        ("PutItem", r#"{"TableName":"abc","Item":{},"ReturnValuesOnConditionCheckFailure":"ALL_NEW"}"#, "ALL_NEW", "returnValuesOnConditionCheckFailure", "ALL_OLD, NONE"),
        ("DeleteItem", r#"{"TableName":"abc","Key":{},"ConditionalOperator":"XOR"}"#, "XOR", "conditionalOperator", "OR, AND"),
        ("PutItem", r#"{"TableName":"abc","Item":{},"Expected":{"a":{"ComparisonOperator":"eq"}}}"#, "eq", "expected.a.member.comparisonOperator", "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS"),
        ("Query", r#"{"TableName":"abc","Select":"hi"}"#, "hi", "select", "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES"),
        ("Query", r#"{"TableName":"abc","QueryFilter":{"x":{"ComparisonOperator":"LIKE"}}}"#, "LIKE", "queryFilter.x.member.comparisonOperator", "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS"),
        ("Scan", r#"{"TableName":"abc","ScanFilter":{"x":{"ComparisonOperator":"LIKE"}}}"#, "LIKE", "scanFilter.x.member.comparisonOperator", "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS"),
        ("UpdateItem", r#"{"TableName":"abc","Key":{},"AttributeUpdates":{"a":{"Action":"SET"}}}"#, "SET", "attributeUpdates.a.member.action", "ADD, PUT, DELETE"),
        ("UpdateTable", r#"{"TableName":"abc","BillingMode":"ON_DEMAND"}"#, "ON_DEMAND", "billingMode", "PROVISIONED, PAY_PER_REQUEST"),
        ("CreateTable", r#"{"TableName":"abc","KeySchema":[],"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"SS"}]}"#, "SS", "attributeDefinitions.1.member.attributeType", "B, N, S"),
        ("CreateTable", r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"AttributeName":"a","KeyType":"hash"}]}"#, "hash", "keySchema.1.member.keyType", "HASH, RANGE"),
        ("CreateTable", r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"LocalSecondaryIndexes":[{"IndexName":"i","KeySchema":[],"Projection":{"ProjectionType":"abc"}}]}"#, "abc", "localSecondaryIndexes.1.member.projection.projectionType", "ALL, INCLUDE, KEYS_ONLY"),
        ("CreateTable", r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"new_image"}}"#, "new_image", "streamSpecification.streamViewType", "OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE"),
        ("TransactWriteItems", r#"{"TransactItems":[{"Put":{"TableName":"t","Item":{},"ReturnValuesOnConditionCheckFailure":"BOGUS"}}]}"#, "BOGUS", "transactItems.1.member.put.returnValuesOnConditionCheckFailure", "ALL_OLD, NONE"),
    ];
    for (operation, body, value, path, set) in cases {
        check_error(operation, body, enum_error(value, path, set));
    }
}

#[test]
fn decode_request_missing_required_members_are_model_errors() {
    let cases = [
        ("GetItem", r#"{"TableName":"abc"}"#, "key"),
        ("DeleteItem", r#"{"TableName":"abc"}"#, "key"),
        ("UpdateItem", r#"{"TableName":"abc"}"#, "key"),
        ("PutItem", r#"{"TableName":"abc"}"#, "item"),
        ("Query", r#"{"Limit":1}"#, "tableName"),
        ("Scan", "{}", "tableName"),
        (
            "Query",
            r#"{"TableName":"abc","KeyConditions":{"pk":{"AttributeValueList":[]}}}"#,
            "keyConditions.pk.member.comparisonOperator",
        ),
        ("BatchGetItem", "{}", "requestItems"),
        (
            "BatchGetItem",
            r#"{"RequestItems":{"t1":{"ConsistentRead":true}}}"#,
            "requestItems.t1.member.keys",
        ),
        ("BatchWriteItem", "{}", "requestItems"),
        (
            "BatchWriteItem",
            r#"{"RequestItems":{"aa;":[{"PutRequest":{}}]}}"#,
            "requestItems.aa;.member.1.member.putRequest.item",
        ),
        (
            "BatchWriteItem",
            r#"{"RequestItems":{"t":[{"PutRequest":{"Item":{}}},{"DeleteRequest":{}}]}}"#,
            "requestItems.t.member.2.member.deleteRequest.key",
        ),
        ("TransactWriteItems", "{}", "transactItems"),
        (
            "TransactWriteItems",
            r#"{"TransactItems":[{"ConditionCheck":{"TableName":"t","Key":{}}}]}"#,
            "transactItems.1.member.conditionCheck.conditionExpression",
        ),
        (
            "TransactWriteItems",
            r#"{"TransactItems":[{"Update":{"TableName":"t","Key":{}}}]}"#,
            "transactItems.1.member.update.updateExpression",
        ),
        (
            "TransactWriteItems",
            r#"{"TransactItems":[{"Delete":{"Key":{}}}]}"#,
            "transactItems.1.member.delete.tableName",
        ),
        (
            "TransactWriteItems",
            r#"{"TransactItems":[{"Put":{"TableName":"t"}}]}"#,
            "transactItems.1.member.put.item",
        ),
        (
            "TransactGetItems",
            r#"{"TransactItems":[{}]}"#,
            "transactItems.1.member.get",
        ),
        (
            "TransactGetItems",
            r#"{"TransactItems":[{"Get":{"TableName":"t"}}]}"#,
            "transactItems.1.member.get.key",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","KeySchema":[]}"#,
            "attributeDefinitions",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[]}"#,
            "keySchema",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a"}],"KeySchema":[]}"#,
            "attributeDefinitions.1.member.attributeType",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH"}]}"#,
            "keySchema.1.member.attributeName",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"ProvisionedThroughput":{"ReadCapacityUnits":1}}"#,
            "provisionedThroughput.writeCapacityUnits",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"LocalSecondaryIndexes":[{"IndexName":"i","KeySchema":[]}]}"#,
            "localSecondaryIndexes.1.member.projection",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"GlobalSecondaryIndexes":[{"KeySchema":[],"Projection":{}}]}"#,
            "globalSecondaryIndexes.1.member.indexName",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"GlobalSecondaryIndexes":[{"IndexName":"i","KeySchema":[],"Projection":{},"ProvisionedThroughput":{"WriteCapacityUnits":1}}]}"#,
            "globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"StreamSpecification":{}}"#,
            "streamSpecification.streamEnabled",
        ),
        (
            "UpdateTable",
            r#"{"TableName":"abc","ProvisionedThroughput":{"WriteCapacityUnits":1}}"#,
            "provisionedThroughput.readCapacityUnits",
        ),
    ];
    for (operation, body, path) in cases {
        check_error(operation, body, null_error(path));
    }
}

#[test]
fn decode_request_model_errors_are_listed_together() {
    check_error(
        "PutItem",
        "{}",
        validation("2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'item' failed to satisfy constraint: Member must not be null"),
    );
    check_error(
        "GetItem",
        r#"{"TableName":""}"#,
        validation("3 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value null at 'key' failed to satisfy constraint: Member must not be null"),
    );
    check_error(
        "CreateTable",
        r#"{"TableName":"abc;"}"#,
        validation("3 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value null at 'keySchema' failed to satisfy constraint: Member must not be null"),
    );
    let definitions: Vec<String> = (0..12)
        .map(|i| format!(r#"{{"AttributeName":"a{i}","AttributeType":"X"}}"#))
        .collect();
    let body = format!(
        r#"{{"TableName":"abc","KeySchema":[],"AttributeDefinitions":[{}]}}"#,
        definitions.join(",")
    );
    let Err(WireError::Validation(m)) = decode_request("CreateTable", body.as_bytes()) else {
        panic!("expected a ValidationException");
    };
    assert!(m.starts_with("10 validation errors detected: "), "{m}");
    assert_eq!(m.matches("; ").count(), 9);
}

#[test]
fn decode_request_control_table_name_checked_first() {
    let required = "The parameter 'TableName' is required but was not present in the request";
    let length = "TableName must be at least 3 characters long and at most 255 characters long";
    check_error(
        "CreateTable",
        r#"{"BillingMode":"X"}"#,
        validation(required),
    );
    check_error("DescribeTable", "{}", validation(required));
    check_error("DeleteTable", r#"{"TableName":null}"#, validation(required));
    check_error("UpdateTable", r#"{"TableName":"a;"}"#, validation(length));
    check_error(
        "DescribeTable",
        &format!(r#"{{"TableName":"{}"}}"#, "a".repeat(256)),
        validation(length),
    );
    check_error(
        "DescribeTable",
        r#"{"TableName":"abc;"}"#,
        one(
            "'abc;'",
            "tableName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
    );
}

#[test]
fn decode_request_invalid_attribute_values_are_semantic_errors() {
    let number = "The parameter cannot be converted to a numeric value: x";
    let cases = [
        ("PutItem", r#"{"TableName":"abc","Item":{"a":{}}}"#, EMPTY_VALUE.to_owned()),
        ("PutItem", r#"{"TableName":"abc","Item":{"a":{"NULL":false}}}"#, "One or more parameter values were invalid: Null attribute value types must have the value of true".to_owned()),
        ("GetItem", r#"{"TableName":"abc","Key":{"a":{"N":""}}}"#, "The parameter cannot be converted to a numeric value".to_owned()),
        ("PutItem", r#"{"TableName":"abc","Item":{},"ExpressionAttributeValues":{":v":{}}}"#, format!("ExpressionAttributeValues contains invalid value: {EMPTY_VALUE} for key :v")),
        ("Query", r#"{"TableName":"abc","ExclusiveStartKey":{"a":{"S":"x","N":"1"}}}"#, "The provided starting key is invalid: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".to_owned()),
        ("Scan", r#"{"TableName":"abc","ExclusiveStartKey":{"a":{"N":"x"}}}"#, number.to_owned()),
        ("PutItem", r#"{"TableName":"abc","Item":{},"Expected":{"a":{"Value":{"N":"x"}}}}"#, number.to_owned()),
        ("Query", r#"{"TableName":"abc","QueryFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{}]}}}"#, EMPTY_VALUE.to_owned()),
        ("UpdateItem", r#"{"TableName":"abc","Key":{},"AttributeUpdates":{"a":{"Value":{"M":{"b":{}}}}}}"#, EMPTY_VALUE.to_owned()),
        ("BatchGetItem", r#"{"RequestItems":{"abc":{"Keys":[{"a":{}}]}}}"#, EMPTY_VALUE.to_owned()),
        ("BatchWriteItem", r#"{"RequestItems":{"abc":[{}]}}"#, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".to_owned()),
        ("BatchWriteItem", r#"{"RequestItems":{"abc":[{"PutRequest":{"Item":{}},"DeleteRequest":{"Key":{}}}]}}"#, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".to_owned()),
        ("TransactWriteItems", r#"{"TransactItems":[{}]}"#, "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request".to_owned()),
        ("TransactWriteItems", r#"{"TransactItems":[{"Put":{"TableName":"t","Item":{}},"Delete":{"TableName":"t","Key":{}}}]}"#, "TransactItems can only contain one of Check, Put, Update or Delete".to_owned()),
    ];
    for (operation, body, message) in cases {
        check_error(operation, body, validation(&message));
    }
    // The first invalid value in the body wins.
    check_error(
        "PutItem",
        r#"{"TableName":"abc","Item":{"a":{"N":"x"},"b":{}}}"#,
        validation(number),
    );
}

#[test]
fn decode_request_model_errors_beat_invalid_values() {
    check_error(
        "PutItem",
        r#"{"TableName":"abc","Item":{"a":{}},"ReturnValues":"X"}"#,
        enum_error("X", "returnValues", RETURN_VALUES),
    );
}

#[test]
fn decode_request_malformed_value_placeholder_left_to_engine() {
    // DynamoDB reports the bad placeholder before the bad value; the engine checks names.
    let body = r#"{"TableName":"abc","Item":{},"ExpressionAttributeValues":{"v":{}}}"#;
    let Request::PutItem(i) = ok("PutItem", body) else {
        panic!()
    };
    assert!(i.expression_attribute_values.unwrap().contains_key("v"));
}
