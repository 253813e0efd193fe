//! Tests of request decoding: realistic SDK bodies decode to the engine's inputs. The error
//! cases are in [`errors`].

use super::*;
use std::collections::{BTreeMap, HashMap};
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Number, ScalarType};

mod errors;

fn ok(operation: &str, body: &str) -> Request {
    match decode_request(operation, body.as_bytes()) {
        Ok(r) => r,
        Err(e) => panic!("{operation} {body}: {e}"),
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(text).unwrap())
}

fn item(entries: &[(&str, AttributeValue)]) -> Item {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn names(entries: &[(&str, &str)]) -> Option<AttributeNames> {
    Some(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn values(entries: &[(&str, AttributeValue)]) -> Option<AttributeValues> {
    Some(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[test]
fn decode_request_create_table_from_boto3() {
    let body = r#"{
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "B"}
        ],
        "TableName": "Music",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"}
        ],
        "LocalSecondaryIndexes": [{
            "IndexName": "lsi",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "g", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}
        }],
        "GlobalSecondaryIndexes": [{
            "IndexName": "gsi",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}
        }],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 10},
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "Tags": [{"Key": "team", "Value": "x"}],
        "DeletionProtectionEnabled": false
    }"#;
    let Request::CreateTable(input) = ok("CreateTable", body) else {
        panic!("wrong request");
    };
    let expected = CreateTableInput {
        table_name: "Music".into(),
        key_schema: vec![
            KeySchemaElement::new("pk", KeyType::Hash),
            KeySchemaElement::new("sk", KeyType::Range),
        ],
        attribute_definitions: vec![
            AttributeDefinition::new("pk", ScalarType::S),
            AttributeDefinition::new("sk", ScalarType::N),
            AttributeDefinition::new("g", ScalarType::B),
        ],
        billing_mode: Some(BillingMode::Provisioned),
        provisioned_throughput: Some(ProvisionedThroughput {
            read_capacity_units: 5,
            write_capacity_units: 10,
        }),
        stream_specification: Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::NewAndOldImages),
        }),
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            index_name: "gsi".into(),
            key_schema: vec![KeySchemaElement::new("g", KeyType::Hash)],
            projection: Projection {
                projection_type: Some(ProjectionType::Include),
                non_key_attributes: Some(vec!["a".into(), "b".into()]),
            },
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 1,
                write_capacity_units: 2,
            }),
        }]),
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            index_name: "lsi".into(),
            key_schema: vec![
                KeySchemaElement::new("pk", KeyType::Hash),
                KeySchemaElement::new("g", KeyType::Range),
            ],
            projection: Projection {
                projection_type: Some(ProjectionType::KeysOnly),
                non_key_attributes: None,
            },
        }]),
        deletion_protection_enabled: Some(false),
    };
    assert_eq!(input, expected);
}

#[test]
fn decode_request_other_control_plane_operations() {
    let Request::DescribeTable(i) = ok("DescribeTable", r#"{"TableName":"abc"}"#) else {
        panic!()
    };
    assert_eq!(i.table_name, "abc");
    let Request::DeleteTable(i) = ok("DeleteTable", r#"{"TableName":"abc"}"#) else {
        panic!()
    };
    assert_eq!(i.table_name, "abc");
    let Request::ListTables(i) = ok("ListTables", "{}") else {
        panic!()
    };
    assert_eq!(i, ListTablesInput::default());
    let Request::ListTables(i) = ok(
        "ListTables",
        r#"{"ExclusiveStartTableName":"abc","Limit":2.9,"hi":"yo"}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (i.exclusive_start_table_name.as_deref(), i.limit),
        (Some("abc"), Some(2))
    );
    let body = r#"{"TableName":"abc","BillingMode":"PAY_PER_REQUEST",
        "ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4},
        "DeletionProtectionEnabled":true,"StreamSpecification":{"StreamEnabled":false}}"#;
    let Request::UpdateTable(i) = ok("UpdateTable", body) else {
        panic!()
    };
    assert_eq!(
        i,
        UpdateTableInput {
            table_name: "abc".into(),
            billing_mode: Some(BillingMode::PayPerRequest),
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 3,
                write_capacity_units: 4
            }),
            deletion_protection_enabled: Some(true),
        }
    );
}

#[test]
fn decode_request_put_item_from_boto3() {
    let body = r##"{"TableName":"Music","Item":{"pk":{"S":"a"},"n":{"N":"1.50"},"l":{"L":[{"BOOL":true}]}},
        "ConditionExpression":"attribute_not_exists(#p) OR n < :max",
        "ExpressionAttributeNames":{"#p":"pk"},"ExpressionAttributeValues":{":max":{"N":"10"}},
        "ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"TOTAL","ReturnItemCollectionMetrics":"SIZE",
        "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}"##;
    let Request::PutItem(i) = ok("PutItem", body) else {
        panic!()
    };
    let expected = PutItemInput {
        table_name: "Music".into(),
        item: item(&[
            ("pk", s("a")),
            ("n", n("1.5")),
            ("l", AttributeValue::L(vec![AttributeValue::Bool(true)])),
        ]),
        return_values: Some(ReturnValue::AllOld),
        condition_expression: Some("attribute_not_exists(#p) OR n < :max".into()),
        expression_attribute_names: names(&[("#p", "pk")]),
        expression_attribute_values: values(&[(":max", n("10"))]),
        return_values_on_condition_check_failure: Some(ReturnValuesOnConditionCheckFailure::AllOld),
        expected: None,
        conditional_operator: None,
        return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
    };
    assert_eq!(i, expected);
}

#[test]
fn decode_request_put_item_legacy_expected() {
    let body = r#"{"TableName":"abc","Item":{"pk":{"S":"a"}},"ConditionalOperator":"OR",
        "Expected":{"a":{"Value":{"S":"x"},"Exists":true},
                    "b":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"2"}]},
                    "c":{"Exists":false}}}"#;
    let Request::PutItem(i) = ok("PutItem", body) else {
        panic!()
    };
    let expected: Expected = HashMap::from([
        (
            "a".to_owned(),
            ExpectedAttributeValue {
                value: Some(s("x")),
                exists: Some(true),
                ..Default::default()
            },
        ),
        (
            "b".to_owned(),
            ExpectedAttributeValue {
                comparison_operator: Some(ComparisonOperator::Between),
                attribute_value_list: Some(vec![n("1"), n("2")]),
                ..Default::default()
            },
        ),
        (
            "c".to_owned(),
            ExpectedAttributeValue {
                exists: Some(false),
                ..Default::default()
            },
        ),
    ]);
    assert_eq!(i.expected, Some(expected));
    assert_eq!(i.conditional_operator, Some(ConditionalOperator::Or));
}

#[test]
fn decode_request_get_update_delete_item() {
    let body = r##"{"TableName":"abc","Key":{"pk":{"S":"a"}},"ConsistentRead":true,
        "ProjectionExpression":"#a, b","ExpressionAttributeNames":{"#a":"a"},"AttributesToGet":["x"]}"##;
    let Request::GetItem(i) = ok("GetItem", body) else {
        panic!()
    };
    let expected = GetItemInput {
        table_name: "abc".into(),
        key: item(&[("pk", s("a"))]),
        consistent_read: Some(true),
        projection_expression: Some("#a, b".into()),
        expression_attribute_names: names(&[("#a", "a")]),
        attributes_to_get: Some(vec!["x".into()]),
        ..Default::default()
    };
    assert_eq!(i, expected);

    let body = r#"{"TableName":"abc","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v ADD c :one",
        "ExpressionAttributeValues":{":v":{"SS":["x"]},":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"}"#;
    let Request::UpdateItem(i) = ok("UpdateItem", body) else {
        panic!()
    };
    assert_eq!(
        i.update_expression.as_deref(),
        Some("SET a = :v ADD c :one")
    );
    assert_eq!(i.return_values, Some(ReturnValue::UpdatedNew));
    assert_eq!(
        i.expression_attribute_values,
        values(&[
            (":v", AttributeValue::Ss(vec!["x".into()])),
            (":one", n("1"))
        ])
    );

    let body = r#"{"TableName":"abc","Key":{"pk":{"S":"a"}},
        "AttributeUpdates":{"a":{"Value":{"N":"2"},"Action":"ADD"},"b":{"Action":"DELETE"},"c":{"Value":{"S":"x"}}}}"#;
    let Request::UpdateItem(i) = ok("UpdateItem", body) else {
        panic!()
    };
    let updates: AttributeUpdates = HashMap::from([
        (
            "a".to_owned(),
            AttributeValueUpdate {
                value: Some(n("2")),
                action: Some(AttributeAction::Add),
            },
        ),
        (
            "b".to_owned(),
            AttributeValueUpdate {
                value: None,
                action: Some(AttributeAction::Delete),
            },
        ),
        (
            "c".to_owned(),
            AttributeValueUpdate {
                value: Some(s("x")),
                action: None,
            },
        ),
    ]);
    assert_eq!(i.attribute_updates, Some(updates));

    let body = r#"{"TableName":"abc","Key":{"pk":{"B":"AQI="}},"ReturnValues":"ALL_OLD",
        "ConditionExpression":"attribute_exists(pk)"}"#;
    let Request::DeleteItem(i) = ok("DeleteItem", body) else {
        panic!()
    };
    assert_eq!(i.key, item(&[("pk", AttributeValue::B(vec![1, 2]))]));
    assert_eq!(i.return_values, Some(ReturnValue::AllOld));
    assert_eq!(
        i.condition_expression.as_deref(),
        Some("attribute_exists(pk)")
    );
}

#[test]
fn decode_request_query_from_boto3() {
    let body = r##"{"TableName":"Music","IndexName":"gsi","KeyConditionExpression":"#pk = :pk AND sk > :sk",
        "FilterExpression":"size(a) > :n","ProjectionExpression":"a","Select":"SPECIFIC_ATTRIBUTES",
        "ExpressionAttributeNames":{"#pk":"pk"},
        "ExpressionAttributeValues":{":pk":{"S":"x"},":sk":{"N":"5"},":n":{"N":"0"}},
        "Limit":10,"ConsistentRead":false,"ScanIndexForward":false,
        "ExclusiveStartKey":{"pk":{"S":"x"},"sk":{"N":"6"}},"ReturnConsumedCapacity":"INDEXES"}"##;
    let Request::Query(i) = ok("Query", body) else {
        panic!()
    };
    let expected = QueryInput {
        table_name: "Music".into(),
        index_name: Some("gsi".into()),
        key_condition_expression: Some("#pk = :pk AND sk > :sk".into()),
        filter_expression: Some("size(a) > :n".into()),
        projection_expression: Some("a".into()),
        expression_attribute_names: names(&[("#pk", "pk")]),
        expression_attribute_values: values(&[(":pk", s("x")), (":sk", n("5")), (":n", n("0"))]),
        select: Some(Select::SpecificAttributes),
        limit: Some(10),
        consistent_read: Some(false),
        scan_index_forward: Some(false),
        exclusive_start_key: Some(item(&[("pk", s("x")), ("sk", n("6"))])),
        return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
        ..Default::default()
    };
    assert_eq!(i, expected);
}

#[test]
fn decode_request_query_and_scan_legacy_conditions() {
    let body = r#"{"TableName":"abc","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},
        "QueryFilter":{"a":{"ComparisonOperator":"NOT_NULL"}},"ConditionalOperator":"AND","AttributesToGet":["a","b"]}"#;
    let Request::Query(i) = ok("Query", body) else {
        panic!()
    };
    let eq = Condition {
        comparison_operator: ComparisonOperator::Eq,
        attribute_value_list: Some(vec![s("x")]),
    };
    let not_null = Condition {
        comparison_operator: ComparisonOperator::NotNull,
        attribute_value_list: None,
    };
    assert_eq!(
        i.key_conditions,
        Some(HashMap::from([("pk".to_owned(), eq)]))
    );
    assert_eq!(
        i.query_filter,
        Some(HashMap::from([("a".to_owned(), not_null.clone())]))
    );
    assert_eq!(i.conditional_operator, Some(ConditionalOperator::And));
    assert_eq!(i.attributes_to_get, Some(vec!["a".into(), "b".into()]));

    let body = r#"{"TableName":"abc","Segment":1,"TotalSegments":4,"Select":"COUNT","Limit":5,
        "ScanFilter":{"a":{"ComparisonOperator":"NOT_NULL"}},"ExclusiveStartKey":{"pk":{"S":"k"}},
        "ConsistentRead":"TRUE"}"#;
    let Request::Scan(i) = ok("Scan", body) else {
        panic!()
    };
    let expected = ScanInput {
        table_name: "abc".into(),
        segment: Some(1),
        total_segments: Some(4),
        select: Some(Select::Count),
        limit: Some(5),
        scan_filter: Some(HashMap::from([("a".to_owned(), not_null)])),
        exclusive_start_key: Some(item(&[("pk", s("k"))])),
        consistent_read: Some(true),
        ..Default::default()
    };
    assert_eq!(i, expected);
}

#[test]
fn decode_request_batch_operations_from_boto3() {
    let body = r##"{"RequestItems":{"t1":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"ConsistentRead":true,
        "ProjectionExpression":"#a","ExpressionAttributeNames":{"#a":"a"}},"t2":{"Keys":[{"id":{"N":"1"}}]}},
        "ReturnConsumedCapacity":"TOTAL"}"##;
    let Request::BatchGetItem(i) = ok("BatchGetItem", body) else {
        panic!()
    };
    let expected = BatchGetItemInput {
        request_items: BTreeMap::from([
            (
                "t1".to_owned(),
                KeysAndAttributes {
                    keys: vec![item(&[("pk", s("a"))]), item(&[("pk", s("b"))])],
                    consistent_read: Some(true),
                    projection_expression: Some("#a".into()),
                    expression_attribute_names: names(&[("#a", "a")]),
                    attributes_to_get: None,
                },
            ),
            (
                "t2".to_owned(),
                KeysAndAttributes {
                    keys: vec![item(&[("id", n("1"))])],
                    ..Default::default()
                },
            ),
        ]),
        return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
    };
    assert_eq!(i, expected);

    let body = r#"{"RequestItems":{"t1":[{"PutRequest":{"Item":{"pk":{"S":"a"},"v":{"NULL":true}}}},
        {"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]},"ReturnItemCollectionMetrics":"NONE"}"#;
    let Request::BatchWriteItem(i) = ok("BatchWriteItem", body) else {
        panic!()
    };
    let writes = vec![
        WriteRequest::PutRequest {
            item: item(&[("pk", s("a")), ("v", AttributeValue::Null)]),
        },
        WriteRequest::DeleteRequest {
            key: item(&[("pk", s("b"))]),
        },
    ];
    assert_eq!(i.request_items, BTreeMap::from([("t1".to_owned(), writes)]));
}

#[test]
fn decode_request_transactions_from_boto3() {
    let body = r#"{"TransactItems":[
        {"ConditionCheck":{"TableName":"t","Key":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)",
            "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
        {"Put":{"TableName":"t","Item":{"pk":{"S":"b"}},"ConditionExpression":"attribute_not_exists(pk)"}},
        {"Delete":{"TableName":"t","Key":{"pk":{"S":"c"}}}},
        {"Update":{"TableName":"t","Key":{"pk":{"S":"d"}},"UpdateExpression":"SET v = :v",
            "ExpressionAttributeValues":{":v":{"N":"1"}}}}],
        "ClientRequestToken":"token-1","ReturnConsumedCapacity":"NONE"}"#;
    let Request::TransactWriteItems(i) = ok("TransactWriteItems", body) else {
        panic!()
    };
    let expected = TransactWriteItemsInput {
        transact_items: vec![
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "t".into(),
                key: item(&[("pk", s("a"))]),
                condition_expression: "attribute_exists(pk)".into(),
                return_values_on_condition_check_failure: Some(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ),
                ..Default::default()
            }),
            TransactWriteItem::Put(Put {
                table_name: "t".into(),
                item: item(&[("pk", s("b"))]),
                condition_expression: Some("attribute_not_exists(pk)".into()),
                ..Default::default()
            }),
            TransactWriteItem::Delete(Delete {
                table_name: "t".into(),
                key: item(&[("pk", s("c"))]),
                ..Default::default()
            }),
            TransactWriteItem::Update(Update {
                table_name: "t".into(),
                key: item(&[("pk", s("d"))]),
                update_expression: "SET v = :v".into(),
                expression_attribute_values: values(&[(":v", n("1"))]),
                ..Default::default()
            }),
        ],
        client_request_token: Some("token-1".into()),
        return_consumed_capacity: Some(ReturnConsumedCapacity::None),
    };
    assert_eq!(i, expected);

    let body = r##"{"TransactItems":[{"Get":{"TableName":"t","Key":{"pk":{"S":"a"}},
        "ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"v"}}}]}"##;
    let Request::TransactGetItems(i) = ok("TransactGetItems", body) else {
        panic!()
    };
    let expected = Get {
        table_name: "t".into(),
        key: item(&[("pk", s("a"))]),
        projection_expression: Some("#v".into()),
        expression_attribute_names: names(&[("#v", "v")]),
    };
    assert_eq!(i.transact_items, vec![expected]);
}

#[test]
fn decode_request_nulls_and_unknown_members_are_ignored() {
    let body = r#"{"TableName":"abc","Item":{"pk":{"S":"a"},"gone":null},"ConditionExpression":null,
        "Expected":null,"Whatever":{"x":[1]},"ReturnValues":null}"#;
    let Request::PutItem(i) = ok("PutItem", body) else {
        panic!()
    };
    assert_eq!(i.item, item(&[("pk", s("a"))]));
    assert_eq!(
        (i.condition_expression, i.expected, i.return_values),
        (None, None, None)
    );
}
