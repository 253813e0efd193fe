//! Embedding Tessera's item API: a table, a batch, a Query with pagination, an UpdateItem
//! and a transaction.
//!
//! `cargo run -p tessera-engine --example items` (uses a temporary directory).

use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_engine::{Config, Database};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> Result<AttributeValue, Box<dyn std::error::Error>> {
    Ok(AttributeValue::N(v.parse()?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = Database::open(Config::new(dir.path()))?;

    // A table keyed by (Artist, SongTitle), billed on demand.
    db.create_table(CreateTableInput {
        table_name: "Music".into(),
        key_schema: vec![
            KeySchemaElement::new("Artist", KeyType::Hash),
            KeySchemaElement::new("SongTitle", KeyType::Range),
        ],
        attribute_definitions: vec![
            AttributeDefinition::new("Artist", ScalarType::S),
            AttributeDefinition::new("SongTitle", ScalarType::S),
        ],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })?;

    // BatchWriteItem: up to 25 puts and deletes in one call.
    let songs = ["Call Me Today", "Happy Day", "PartiQL Rocks", "Sunrise"];
    let writes = songs
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let mut item = Item::new();
            item.insert("Artist".into(), s("No One You Know"));
            item.insert("SongTitle".into(), s(title));
            item.insert("Year".into(), n(&(2000 + i).to_string())?);
            Ok(WriteRequest::PutRequest { item })
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    db.batch_write_item(BatchWriteItemInput {
        request_items: [("Music".to_owned(), writes)].into(),
        ..Default::default()
    })?;

    // Query one partition, newest titles first, two at a time.
    let values = HashMap::from([
        (":a".to_owned(), s("No One You Know")),
        (":t".to_owned(), s("H")),
    ]);
    let mut start = None;
    let mut titles = Vec::new();
    loop {
        let page = db.query(QueryInput {
            table_name: "Music".into(),
            key_condition_expression: Some("Artist = :a AND SongTitle >= :t".into()),
            expression_attribute_values: Some(values.clone()),
            projection_expression: Some("SongTitle".into()),
            scan_index_forward: Some(false),
            limit: Some(2),
            exclusive_start_key: start,
            ..Default::default()
        })?;
        for item in page.items.unwrap_or_default() {
            if let Some(AttributeValue::S(t)) = item.get("SongTitle") {
                titles.push(t.clone());
            }
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    assert_eq!(titles, ["Sunrise", "PartiQL Rocks", "Happy Day"]);

    // UpdateItem: a counter, with the new value returned.
    let updated = db.update_item(UpdateItemInput {
        table_name: "Music".into(),
        key: [
            ("Artist".to_owned(), s("No One You Know")),
            ("SongTitle".to_owned(), s("Sunrise")),
        ]
        .into(),
        update_expression: Some("ADD Plays :one".into()),
        expression_attribute_values: Some(HashMap::from([(":one".to_owned(), n("1")?)])),
        return_values: Some(ReturnValue::UpdatedNew),
        ..Default::default()
    })?;
    assert_eq!(
        updated.attributes.and_then(|a| a.get("Plays").cloned()),
        Some(n("1")?)
    );

    // TransactWriteItems: all or nothing; here the condition fails, so nothing is written.
    let cancelled = db.transact_write_items(TransactWriteItemsInput {
        return_consumed_capacity: None,
        transact_items: vec![
            TransactWriteItem::Put(Put {
                table_name: "Music".into(),
                item: [
                    ("Artist".to_owned(), s("Somebody Else")),
                    ("SongTitle".to_owned(), s("New")),
                ]
                .into(),
                ..Default::default()
            }),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Music".into(),
                key: [
                    ("Artist".to_owned(), s("No One You Know")),
                    ("SongTitle".to_owned(), s("Sunrise")),
                ]
                .into(),
                condition_expression: "attribute_not_exists(Plays)".into(),
                ..Default::default()
            }),
        ],
        client_request_token: None,
    });
    assert_eq!(
        cancelled.map_err(|e| e.error_type()).unwrap_err(),
        "TransactionCanceledException"
    );

    // Errors come back in DynamoDB's words.
    let err = db
        .get_item(GetItemInput {
            table_name: "Music".into(),
            key: [("Artist".to_owned(), s("No One You Know"))].into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        "The provided key element does not match the schema"
    );

    let described = db.describe_table(DescribeTableInput {
        table_name: "Music".into(),
    })?;
    println!(
        "{} holds {} items ({} bytes): {titles:?}",
        described.table.table_name, described.table.item_count, described.table.table_size_bytes
    );
    Ok(())
}
