//! The binary-protocol client against a running server:
//!
//! ```text
//! cargo run --release -- serve &                       # binary protocol on 127.0.0.1:8100
//! cargo run --release -p tessera-server --example binary_client [ADDR]
//! ```
//!
//! Creates table `Music` (if absent), writes a few songs, reads one back, queries an artist's
//! songs, then fires 100 GetItems at once over a single connection (pipelined: all are in
//! flight together and each answer finds its caller by request id).

use std::collections::HashMap;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_server::client::{Client, ClientError};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn song_key(artist: &str, title: &str) -> Item {
    Item::from([
        ("Artist".to_owned(), s(artist)),
        ("SongTitle".to_owned(), s(title)),
    ])
}

#[tokio::main]
async fn main() -> Result<(), ClientError> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8100".to_owned());
    let client = Client::builder(&addr).connections(2).connect().await?;

    let created = client
        .create_table(CreateTableInput {
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
        })
        .await;
    match created {
        Ok(_) => println!("created table Music"),
        Err(e) if e.error_type() == Some("ResourceInUseException") => {
            println!("table Music exists already")
        }
        Err(e) => return Err(e),
    }

    for (i, title) in ["Call Me Today", "Happy Day", "PartiQL Rocks"]
        .iter()
        .enumerate()
    {
        let mut item = song_key("Acme Band", title);
        item.insert("Year".into(), AttributeValue::N((2020 + i as u64).into()));
        client
            .put_item(PutItemInput {
                table_name: "Music".into(),
                item,
                ..Default::default()
            })
            .await?;
    }

    let got = client
        .get_item(GetItemInput {
            table_name: "Music".into(),
            key: song_key("Acme Band", "Happy Day"),
            ..Default::default()
        })
        .await?;
    println!("GetItem: {:?}", got.item);

    let songs = client
        .query(QueryInput {
            table_name: "Music".into(),
            key_condition_expression: Some("Artist = :a AND begins_with(SongTitle, :p)".into()),
            expression_attribute_values: Some(HashMap::from([
                (":a".to_owned(), s("Acme Band")),
                (":p".to_owned(), s("Ha")),
            ])),
            ..Default::default()
        })
        .await?;
    println!("Query: {} song(s) starting with \"Ha\"", songs.count);

    // A failed condition comes back as DynamoDB's error type and message.
    let refused = client
        .put_item(PutItemInput {
            table_name: "Music".into(),
            item: song_key("Acme Band", "Happy Day"),
            condition_expression: Some("attribute_not_exists(Artist)".into()),
            ..Default::default()
        })
        .await;
    if let Err(e) = refused {
        println!("conditional put refused: {e}");
    }

    // 100 calls in flight at once; the client matches each answer to its call.
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let client = client.clone();
        calls.spawn(async move {
            client
                .get_item(GetItemInput {
                    table_name: "Music".into(),
                    key: song_key("Acme Band", "PartiQL Rocks"),
                    ..Default::default()
                })
                .await
        });
    }
    let mut found = 0;
    while let Some(done) = calls.join_next().await {
        if let Ok(Ok(out)) = done {
            found += usize::from(out.item.is_some());
        }
    }
    println!("pipelined: {found} of 100 GetItems found the song");
    Ok(())
}
