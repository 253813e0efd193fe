//! Responses encoded as DynamoDB's compact JSON. Absent options are omitted, so an empty
//! result is `{}`.

use super::value::write_item;
use super::writer::{self, Object};
use super::Response;
use tessera_engine::api::*;
use tessera_engine::model::Item;

/// Encodes `response` as the body DynamoDB would send.
pub fn encode_response(response: &Response) -> Vec<u8> {
    let mut out = Vec::new();
    writer::object(&mut out, |o| match response {
        Response::CreateTable(r) => table_description(o, "TableDescription", &r.table_description),
        Response::DescribeTable(r) => table_description(o, "Table", &r.table),
        Response::UpdateTable(r) => table_description(o, "TableDescription", &r.table_description),
        Response::DeleteTable(r) => table_description(o, "TableDescription", &r.table_description),
        Response::ListTables(r) => {
            o.array("TableNames", &r.table_names, |out, n| {
                writer::string(out, n)
            });
            o.opt_str(
                "LastEvaluatedTableName",
                r.last_evaluated_table_name.as_deref(),
            );
        }
        Response::PutItem(r) => {
            opt_item(o, "Attributes", r.attributes.as_ref());
            consumed(o, r.consumed_capacity.as_ref());
        }
        Response::GetItem(r) => {
            opt_item(o, "Item", r.item.as_ref());
            consumed(o, r.consumed_capacity.as_ref());
        }
        Response::UpdateItem(r) => {
            opt_item(o, "Attributes", r.attributes.as_ref());
            consumed(o, r.consumed_capacity.as_ref());
        }
        Response::DeleteItem(r) => {
            opt_item(o, "Attributes", r.attributes.as_ref());
            consumed(o, r.consumed_capacity.as_ref());
        }
        Response::Query(r) | Response::Scan(r) => query_output(o, r),
        Response::BatchGetItem(r) => {
            o.object("Responses", |o| {
                for (table, items) in &r.responses {
                    o.array(table, items, write_item);
                }
            });
            o.object("UnprocessedKeys", |o| {
                for (table, keys) in &r.unprocessed_keys {
                    o.object(table, |o| keys_and_attributes(o, keys));
                }
            });
            consumed_list(o, r.consumed_capacity.as_deref());
        }
        Response::BatchWriteItem(r) => {
            o.object("UnprocessedItems", |o| {
                for (table, writes) in &r.unprocessed_items {
                    o.array(table, writes, write_request);
                }
            });
            consumed_list(o, r.consumed_capacity.as_deref());
        }
        Response::TransactWriteItems(r) => consumed_list(o, r.consumed_capacity.as_deref()),
        Response::TransactGetItems(r) => {
            o.array("Responses", &r.responses, |out, r| {
                writer::object(out, |o| opt_item(o, "Item", r.item.as_ref()))
            });
            consumed_list(o, r.consumed_capacity.as_deref());
        }
    });
    out
}

fn opt_item(o: &mut Object<'_>, name: &str, item: Option<&Item>) {
    if let Some(item) = item {
        write_item(o.key(name), item);
    }
}

fn query_output(o: &mut Object<'_>, r: &QueryOutput) {
    if let Some(items) = &r.items {
        o.array("Items", items, write_item);
    }
    o.i64("Count", r.count);
    o.i64("ScannedCount", r.scanned_count);
    opt_item(o, "LastEvaluatedKey", r.last_evaluated_key.as_ref());
    consumed(o, r.consumed_capacity.as_ref());
}

/// `ConsumedCapacity` of a single-table operation, when reported.
fn consumed(o: &mut Object<'_>, c: Option<&ConsumedCapacity>) {
    if let Some(c) = c {
        o.object("ConsumedCapacity", |o| consumed_capacity(o, c));
    }
}

/// `ConsumedCapacity` of a batch or transaction: one entry per table.
fn consumed_list(o: &mut Object<'_>, list: Option<&[ConsumedCapacity]>) {
    if let Some(list) = list {
        o.array("ConsumedCapacity", list, |out, c| {
            writer::object(out, |o| consumed_capacity(o, c))
        });
    }
}

fn consumed_capacity(o: &mut Object<'_>, c: &ConsumedCapacity) {
    o.str("TableName", &c.table_name);
    o.f64("CapacityUnits", c.capacity_units);
    o.opt_f64("ReadCapacityUnits", c.read_capacity_units);
    o.opt_f64("WriteCapacityUnits", c.write_capacity_units);
    if let Some(t) = &c.table {
        o.object("Table", |o| capacity(o, t));
    }
    for (name, indexes) in [
        ("LocalSecondaryIndexes", &c.local_secondary_indexes),
        ("GlobalSecondaryIndexes", &c.global_secondary_indexes),
    ] {
        if let Some(indexes) = indexes {
            o.object(name, |o| {
                for (index, units) in indexes {
                    o.object(index, |o| capacity(o, units));
                }
            });
        }
    }
}

fn capacity(o: &mut Object<'_>, c: &Capacity) {
    o.opt_f64("ReadCapacityUnits", c.read_capacity_units);
    o.opt_f64("WriteCapacityUnits", c.write_capacity_units);
    o.f64("CapacityUnits", c.capacity_units);
}

fn keys_and_attributes(o: &mut Object<'_>, k: &KeysAndAttributes) {
    o.array("Keys", &k.keys, write_item);
    o.opt_str("ProjectionExpression", k.projection_expression.as_deref());
    if let Some(names) = &k.expression_attribute_names {
        o.object("ExpressionAttributeNames", |o| {
            // Sorted, so equal requests encode to equal bytes.
            let mut sorted: Vec<_> = names.iter().collect();
            sorted.sort();
            for (placeholder, name) in sorted {
                o.str(placeholder, name);
            }
        });
    }
    if let Some(consistent) = k.consistent_read {
        o.bool("ConsistentRead", consistent);
    }
    if let Some(names) = &k.attributes_to_get {
        o.array("AttributesToGet", names, |out, n| writer::string(out, n));
    }
}

fn write_request(out: &mut Vec<u8>, w: &WriteRequest) {
    writer::object(out, |o| match w {
        WriteRequest::PutRequest { item } => {
            o.object("PutRequest", |o| write_item(o.key("Item"), item))
        }
        WriteRequest::DeleteRequest { key } => {
            o.object("DeleteRequest", |o| write_item(o.key("Key"), key))
        }
    });
}

fn table_description(o: &mut Object<'_>, name: &str, d: &TableDescription) {
    o.object(name, |o| {
        o.str("TableName", &d.table_name);
        o.str("TableId", &d.table_id);
        o.str("TableArn", &d.table_arn);
        o.str("TableStatus", d.table_status.as_str());
        o.f64("CreationDateTime", d.creation_date_time);
        o.array("KeySchema", &d.key_schema, key_schema_element);
        o.array(
            "AttributeDefinitions",
            &d.attribute_definitions,
            |out, a| {
                writer::object(out, |o| {
                    o.str("AttributeName", &a.attribute_name);
                    o.str("AttributeType", a.attribute_type.as_str());
                })
            },
        );
        o.object("ProvisionedThroughput", |o| {
            throughput(o, &d.provisioned_throughput)
        });
        if let Some(b) = &d.billing_mode_summary {
            o.object("BillingModeSummary", |o| {
                o.str("BillingMode", b.billing_mode.as_str());
                o.opt_f64(
                    "LastUpdateToPayPerRequestDateTime",
                    b.last_update_to_pay_per_request_date_time,
                );
            });
        }
        o.i64("ItemCount", d.item_count);
        o.i64("TableSizeBytes", d.table_size_bytes);
        if let Some(s) = &d.stream_specification {
            o.object("StreamSpecification", |o| {
                o.bool("StreamEnabled", s.stream_enabled);
                o.opt_str(
                    "StreamViewType",
                    s.stream_view_type.map(StreamViewType::as_str),
                );
            });
        }
        o.opt_str("LatestStreamLabel", d.latest_stream_label.as_deref());
        o.opt_str("LatestStreamArn", d.latest_stream_arn.as_deref());
        if let Some(indexes) = &d.global_secondary_indexes {
            o.array("GlobalSecondaryIndexes", indexes, index_description);
        }
        if let Some(indexes) = &d.local_secondary_indexes {
            o.array("LocalSecondaryIndexes", indexes, index_description);
        }
        o.bool("DeletionProtectionEnabled", d.deletion_protection_enabled);
    });
}

fn key_schema_element(out: &mut Vec<u8>, k: &KeySchemaElement) {
    writer::object(out, |o| {
        o.str("AttributeName", &k.attribute_name);
        o.str("KeyType", k.key_type.as_str());
    });
}

fn throughput(o: &mut Object<'_>, t: &ProvisionedThroughputDescription) {
    o.opt_f64("LastIncreaseDateTime", t.last_increase_date_time);
    o.opt_f64("LastDecreaseDateTime", t.last_decrease_date_time);
    o.i64("NumberOfDecreasesToday", t.number_of_decreases_today);
    o.i64("ReadCapacityUnits", t.read_capacity_units);
    o.i64("WriteCapacityUnits", t.write_capacity_units);
}

fn index_description(out: &mut Vec<u8>, i: &SecondaryIndexDescription) {
    writer::object(out, |o| {
        o.str("IndexName", &i.index_name);
        o.array("KeySchema", &i.key_schema, key_schema_element);
        o.object("Projection", |o| {
            o.opt_str(
                "ProjectionType",
                i.projection.projection_type.map(ProjectionType::as_str),
            );
            if let Some(names) = &i.projection.non_key_attributes {
                o.array("NonKeyAttributes", names, |out, n| writer::string(out, n));
            }
        });
        o.opt_str("IndexStatus", i.index_status.map(TableStatus::as_str));
        if let Some(t) = &i.provisioned_throughput {
            o.object("ProvisionedThroughput", |o| throughput(o, t));
        }
        o.i64("IndexSizeBytes", i.index_size_bytes);
        o.i64("ItemCount", i.item_count);
        o.str("IndexArn", &i.index_arn);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tessera_engine::model::{AttributeValue, Number, ScalarType};

    fn check(response: Response, expected: &str) {
        let body = String::from_utf8(encode_response(&response)).unwrap();
        assert_eq!(body, expected);
        serde_json::from_str::<serde_json::Value>(&body).unwrap();
    }

    fn key(pk: &str) -> Item {
        Item::from([("pk".to_owned(), AttributeValue::S(pk.to_owned()))])
    }

    #[test]
    fn encode_response_single_item_operations() {
        check(
            Response::GetItem(GetItemOutput {
                item: None,
                ..Default::default()
            }),
            "{}",
        );
        check(
            Response::GetItem(GetItemOutput {
                item: Some(key("a")),
                ..Default::default()
            }),
            r#"{"Item":{"pk":{"S":"a"}}}"#,
        );
        check(Response::PutItem(PutItemOutput::default()), "{}");
        check(
            Response::PutItem(PutItemOutput {
                attributes: Some(key("a")),
                ..Default::default()
            }),
            r#"{"Attributes":{"pk":{"S":"a"}}}"#,
        );
        check(
            Response::UpdateItem(UpdateItemOutput {
                attributes: Some(key("b")),
                ..Default::default()
            }),
            r#"{"Attributes":{"pk":{"S":"b"}}}"#,
        );
        check(Response::DeleteItem(DeleteItemOutput::default()), "{}");
        check(
            Response::TransactWriteItems(TransactWriteItemsOutput::default()),
            "{}",
        );
    }

    #[test]
    fn encode_response_query_and_scan() {
        let page = QueryOutput {
            items: Some(vec![key("a"), key("b")]),
            count: 2,
            scanned_count: 3,
            last_evaluated_key: Some(key("b")),
            ..Default::default()
        };
        check(
            Response::Query(page),
            r#"{"Items":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"Count":2,"ScannedCount":3,"LastEvaluatedKey":{"pk":{"S":"b"}}}"#,
        );
        let count_only = QueryOutput {
            items: None,
            count: 5,
            scanned_count: 7,
            last_evaluated_key: None,
            ..Default::default()
        };
        check(
            Response::Scan(count_only),
            r#"{"Count":5,"ScannedCount":7}"#,
        );
        check(
            Response::Scan(QueryOutput {
                items: Some(vec![]),
                ..Default::default()
            }),
            r#"{"Items":[],"Count":0,"ScannedCount":0}"#,
        );
    }

    #[test]
    fn encode_response_list_tables() {
        check(
            Response::ListTables(ListTablesOutput::default()),
            r#"{"TableNames":[]}"#,
        );
        check(
            Response::ListTables(ListTablesOutput {
                table_names: vec!["a\"b".into(), "c".into()],
                last_evaluated_table_name: Some("c".into()),
            }),
            r#"{"TableNames":["a\"b","c"],"LastEvaluatedTableName":"c"}"#,
        );
    }

    #[test]
    fn encode_response_batch_operations() {
        check(
            Response::BatchGetItem(BatchGetItemOutput::default()),
            r#"{"Responses":{},"UnprocessedKeys":{}}"#,
        );
        let unprocessed = KeysAndAttributes {
            keys: vec![key("c")],
            projection_expression: Some("#a".into()),
            expression_attribute_names: Some([("#a".to_owned(), "a".to_owned())].into()),
            consistent_read: Some(true),
            attributes_to_get: None,
        };
        check(
            Response::BatchGetItem(BatchGetItemOutput {
                responses: BTreeMap::from([("t".to_owned(), vec![key("a")])]),
                unprocessed_keys: BTreeMap::from([("u".to_owned(), unprocessed)]),
                ..Default::default()
            }),
            r##"{"Responses":{"t":[{"pk":{"S":"a"}}]},"UnprocessedKeys":{"u":{"Keys":[{"pk":{"S":"c"}}],"ProjectionExpression":"#a","ExpressionAttributeNames":{"#a":"a"},"ConsistentRead":true}}}"##,
        );
        check(
            Response::BatchWriteItem(BatchWriteItemOutput::default()),
            r#"{"UnprocessedItems":{}}"#,
        );
        let writes = vec![
            WriteRequest::PutRequest { item: key("a") },
            WriteRequest::DeleteRequest { key: key("b") },
        ];
        check(
            Response::BatchWriteItem(BatchWriteItemOutput {
                unprocessed_items: BTreeMap::from([("t".to_owned(), writes)]),
                ..Default::default()
            }),
            r#"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}}"#,
        );
    }

    #[test]
    fn encode_response_transact_get_items_one_entry_per_read() {
        check(
            Response::TransactGetItems(TransactGetItemsOutput {
                responses: vec![
                    ItemResponse {
                        item: Some(key("a")),
                    },
                    ItemResponse { item: None },
                ],
                ..Default::default()
            }),
            r#"{"Responses":[{"Item":{"pk":{"S":"a"}}},{}]}"#,
        );
    }

    fn full_description() -> TableDescription {
        let throughput = ProvisionedThroughputDescription {
            read_capacity_units: 5,
            write_capacity_units: 10,
            number_of_decreases_today: 1,
            last_increase_date_time: Some(1_700_000_100.5),
            last_decrease_date_time: Some(1_700_000_200.0),
        };
        TableDescription {
            table_name: "Music".into(),
            table_id: "0a1b2c3d-0000-4000-8000-000000000000".into(),
            table_arn: "arn:aws:dynamodb:us-east-1:000000000000:table/Music".into(),
            table_status: TableStatus::Active,
            creation_date_time: 1_700_000_000.25,
            key_schema: vec![
                KeySchemaElement::new("pk", KeyType::Hash),
                KeySchemaElement::new("sk", KeyType::Range),
            ],
            attribute_definitions: vec![
                AttributeDefinition::new("pk", ScalarType::S),
                AttributeDefinition::new("sk", ScalarType::N),
            ],
            provisioned_throughput: throughput.clone(),
            billing_mode_summary: Some(BillingModeSummary {
                billing_mode: BillingMode::Provisioned,
                last_update_to_pay_per_request_date_time: Some(1_600_000_000.0),
            }),
            item_count: 3,
            table_size_bytes: 120,
            stream_specification: Some(StreamSpecification {
                stream_enabled: true,
                stream_view_type: Some(StreamViewType::NewImage),
            }),
            latest_stream_label: Some("2023-11-14T22:13:20.250".into()),
            latest_stream_arn: Some(
                "arn:aws:dynamodb:us-east-1:000000000000:table/Music/stream/2023-11-14T22:13:20.250"
                    .into(),
            ),
            global_secondary_indexes: Some(vec![SecondaryIndexDescription {
                index_name: "gsi".into(),
                key_schema: vec![KeySchemaElement::new("sk", KeyType::Hash)],
                projection: Projection {
                    projection_type: Some(ProjectionType::Include),
                    non_key_attributes: Some(vec!["a".into()]),
                },
                index_arn: "arn:aws:dynamodb:us-east-1:000000000000:table/Music/index/gsi".into(),
                index_status: Some(TableStatus::Creating),
                provisioned_throughput: Some(ProvisionedThroughputDescription {
                    read_capacity_units: 1,
                    write_capacity_units: 1,
                    ..Default::default()
                }),
                item_count: 2,
                index_size_bytes: 40,
            }]),
            local_secondary_indexes: Some(vec![SecondaryIndexDescription {
                index_name: "lsi".into(),
                key_schema: vec![
                    KeySchemaElement::new("pk", KeyType::Hash),
                    KeySchemaElement::new("sk", KeyType::Range),
                ],
                projection: Projection {
                    projection_type: Some(ProjectionType::KeysOnly),
                    non_key_attributes: None,
                },
                index_arn: "arn:aws:dynamodb:us-east-1:000000000000:table/Music/index/lsi".into(),
                ..Default::default()
            }]),
            deletion_protection_enabled: true,
        }
    }

    #[test]
    fn encode_response_table_description_every_field() {
        let expected = concat!(
            r#"{"Table":{"TableName":"Music","TableId":"0a1b2c3d-0000-4000-8000-000000000000","#,
            r#""TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Music","TableStatus":"ACTIVE","#,
            r#""CreationDateTime":1700000000.25,"#,
            r#""KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"#,
            r#""AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"#,
            r#""ProvisionedThroughput":{"LastIncreaseDateTime":1700000100.5,"LastDecreaseDateTime":1700000200.0,"NumberOfDecreasesToday":1,"ReadCapacityUnits":5,"WriteCapacityUnits":10},"#,
            r#""BillingModeSummary":{"BillingMode":"PROVISIONED","LastUpdateToPayPerRequestDateTime":1600000000.0},"#,
            r#""ItemCount":3,"TableSizeBytes":120,"#,
            r#""StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"},"#,
            r#""LatestStreamLabel":"2023-11-14T22:13:20.250","#,
            r#""LatestStreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Music/stream/2023-11-14T22:13:20.250","#,
            r#""GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"sk","KeyType":"HASH"}],"#,
            r#""Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["a"]},"IndexStatus":"CREATING","#,
            r#""ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":1,"WriteCapacityUnits":1},"#,
            r#""IndexSizeBytes":40,"ItemCount":2,"IndexArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Music/index/gsi"}],"#,
            r#""LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"#,
            r#""Projection":{"ProjectionType":"KEYS_ONLY"},"IndexSizeBytes":0,"ItemCount":0,"#,
            r#""IndexArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Music/index/lsi"}],"#,
            r#""DeletionProtectionEnabled":true}}"#,
        );
        check(
            Response::DescribeTable(DescribeTableOutput {
                table: full_description(),
            }),
            expected,
        );
    }

    #[test]
    fn encode_response_table_description_omits_absent_options() {
        let description = TableDescription {
            table_name: "t".into(),
            table_id: "id".into(),
            table_arn: "arn".into(),
            table_status: TableStatus::Deleting,
            creation_date_time: 1.0,
            ..Default::default()
        };
        let expected = concat!(
            r#"{"TableDescription":{"TableName":"t","TableId":"id","TableArn":"arn","TableStatus":"DELETING","#,
            r#""CreationDateTime":1.0,"KeySchema":[],"AttributeDefinitions":[],"#,
            r#""ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0},"#,
            r#""ItemCount":0,"TableSizeBytes":0,"DeletionProtectionEnabled":false}}"#,
        );
        for response in [
            Response::DeleteTable(DeleteTableOutput {
                table_description: description.clone(),
            }),
            Response::CreateTable(CreateTableOutput {
                table_description: description.clone(),
            }),
            Response::UpdateTable(UpdateTableOutput {
                table_description: description.clone(),
            }),
        ] {
            check(response, expected);
        }
    }

    #[test]
    fn encode_response_numbers_use_canonical_text() {
        let item = Item::from([(
            "n".to_owned(),
            AttributeValue::N(Number::parse("00100.500").unwrap()),
        )]);
        check(
            Response::GetItem(GetItemOutput {
                item: Some(item),
                ..Default::default()
            }),
            r#"{"Item":{"n":{"N":"100.5"}}}"#,
        );
    }
}
