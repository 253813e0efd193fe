//! The AWS SDK for Rust (`aws-sdk-dynamodb`), a client nobody here wrote, against the real
//! `tessera` binary: tables, items, conditions, updates, Query pagination, batches,
//! transactions and DynamoDB's error codes as the SDK parses them.

mod common;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use common::Server;

fn client(addr: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(format!("http://{addr}"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "tessera-test",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_sdk_rust_drives_tables_items_queries_and_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let db = client(&server.addr);
    db.create_table()
        .table_name("Orders")
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("sk")
                .key_type(KeyType::Range)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("sk")
                .attribute_type(ScalarAttributeType::N)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let tables = db.list_tables().send().await.unwrap();
    assert_eq!(tables.table_names(), ["Orders"]);
    for i in 0..10 {
        db.put_item()
            .table_name("Orders")
            .item("pk", s("c1"))
            .item("sk", n(&i.to_string()))
            .item("total", n(&format!("{i}.5")))
            .send()
            .await
            .unwrap();
    }
    let got = db
        .get_item()
        .table_name("Orders")
        .key("pk", s("c1"))
        .key("sk", n("3"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.item().unwrap().get("total"), Some(&n("3.5")));

    let err = db
        .put_item()
        .table_name("Orders")
        .item("pk", s("c1"))
        .item("sk", n("3"))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_conditional_check_failed_exception(), "{err:?}");

    let updated = db
        .update_item()
        .table_name("Orders")
        .key("pk", s("c1"))
        .key("sk", n("3"))
        .update_expression("SET #t = #t + :d")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":d", n("1"))
        .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.attributes().unwrap().get("total"), Some(&n("4.5")));

    // Query pages of 3, newest first, until LastEvaluatedKey is absent.
    let mut start = None;
    let mut seen = Vec::new();
    loop {
        let page = db
            .query()
            .table_name("Orders")
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s("c1"))
            .scan_index_forward(false)
            .limit(3)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            if let Some(AttributeValue::N(sk)) = item.get("sk") {
                seen.push(sk.clone());
            }
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            break;
        }
    }
    let want: Vec<String> = (0..10).rev().map(|i| i.to_string()).collect();
    assert_eq!(seen, want);

    let cancelled = db
        .transact_write_items()
        .transact_items(
            aws_sdk_dynamodb::types::TransactWriteItem::builder()
                .condition_check(
                    aws_sdk_dynamodb::types::ConditionCheck::builder()
                        .table_name("Orders")
                        .key("pk", s("c1"))
                        .key("sk", n("1"))
                        .condition_expression("attribute_not_exists(pk)")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    match cancelled {
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e) => {
            let codes: Vec<&str> = e.cancellation_reasons().iter().filter_map(|r| r.code()).collect();
            assert_eq!(codes, ["ConditionalCheckFailed"]);
        }
        other => panic!("expected a cancellation, got {other:?}"),
    }

    let missing = db
        .describe_table()
        .table_name("Missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
    assert_eq!(server.stop(), 0);
}
