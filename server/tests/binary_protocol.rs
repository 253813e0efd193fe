//! The binary protocol end to end: the real `tessera` binary on ephemeral ports, driven by
//! the Rust client (every operation, errors, 1,000 pipelined calls on one connection) and by
//! raw frames (pipelining on the wire, handshake rules).

mod common;

use common::Server;
use std::collections::HashMap;
use std::io::{Read, Write};
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, Number, ScalarType};
use tessera_server::binary::codec::{decode_all, encode, ErrorBody};
use tessera_server::binary::frame::{self, Layer};
use tessera_server::binary::Operation;
use tessera_server::client::{Client, ClientError};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(v).unwrap())
}

fn key(pk: &str, sk: &str) -> Item {
    Item::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

fn table(name: &str) -> CreateTableInput {
    CreateTableInput {
        table_name: name.into(),
        key_schema: vec![
            KeySchemaElement::new("pk", KeyType::Hash),
            KeySchemaElement::new("sk", KeyType::Range),
        ],
        attribute_definitions: vec![
            AttributeDefinition::new("pk", ScalarType::S),
            AttributeDefinition::new("sk", ScalarType::S),
        ],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

fn put(table: &str, item: Item) -> PutItemInput {
    PutItemInput {
        table_name: table.into(),
        item,
        ..Default::default()
    }
}

fn get(table: &str, key: Item) -> GetItemInput {
    GetItemInput {
        table_name: table.into(),
        key,
        ..Default::default()
    }
}

fn service_error(e: ClientError) -> ErrorBody {
    match e {
        ClientError::Service(body) => body,
        other => panic!("expected a service error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_every_operation_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let client = Client::builder(&server.binary_addr)
        .connections(2)
        .connect()
        .await
        .unwrap();
    client.ping().await.unwrap();

    let created = client.create_table(table("Tbl")).await.unwrap();
    assert_eq!(created.table_description.table_name, "Tbl");
    let e = service_error(client.create_table(table("Tbl")).await.unwrap_err());
    assert_eq!(e.error_type, "ResourceInUseException");
    let listed = client
        .list_tables(ListTablesInput::default())
        .await
        .unwrap();
    assert_eq!(listed.table_names, vec!["Tbl".to_owned()]);

    for i in 0..5 {
        let mut item = key("p", &format!("s{i}"));
        item.insert("n".into(), n(&i.to_string()));
        item.insert("b".into(), AttributeValue::B(vec![0, 1, 2, 255]));
        client.put_item(put("Tbl", item)).await.unwrap();
    }
    let got = client.get_item(get("Tbl", key("p", "s3"))).await.unwrap();
    let item = got.item.unwrap();
    assert_eq!(item["n"], n("3"));
    assert_eq!(item["b"], AttributeValue::B(vec![0, 1, 2, 255]));
    assert_eq!(
        client
            .get_item(get("Tbl", key("p", "nope")))
            .await
            .unwrap()
            .item,
        None
    );

    let updated = client
        .update_item(UpdateItemInput {
            table_name: "Tbl".into(),
            key: key("p", "s0"),
            update_expression: Some("SET n = n + :one".into()),
            expression_attribute_values: Some(HashMap::from([(":one".to_owned(), n("1"))])),
            return_values: Some(ReturnValue::UpdatedNew),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.attributes.unwrap()["n"], n("1"));

    let queried = client
        .query(QueryInput {
            table_name: "Tbl".into(),
            key_condition_expression: Some("pk = :p AND sk > :s".into()),
            expression_attribute_values: Some(HashMap::from([
                (":p".to_owned(), s("p")),
                (":s".to_owned(), s("s1")),
            ])),
            scan_index_forward: Some(false),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let sks: Vec<_> = queried
        .items
        .unwrap()
        .iter()
        .map(|i| i["sk"].clone())
        .collect();
    assert_eq!(sks, vec![s("s4"), s("s3")]);
    assert_eq!(queried.last_evaluated_key, Some(key("p", "s3")));

    let scanned = client
        .scan(ScanInput {
            table_name: "Tbl".into(),
            select: Some(Select::Count),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(scanned.count, 5);

    let e = service_error(
        client
            .delete_item(DeleteItemInput {
                table_name: "Tbl".into(),
                key: key("p", "s1"),
                condition_expression: Some("n = :x".into()),
                expression_attribute_values: Some(HashMap::from([(":x".to_owned(), n("9"))])),
                return_values_on_condition_check_failure: Some(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ),
                ..Default::default()
            })
            .await
            .unwrap_err(),
    );
    assert_eq!(e.error_type, "ConditionalCheckFailedException");
    assert_eq!(e.message, "The conditional request failed");
    assert_eq!(e.item.unwrap()["n"], n("1"));

    let written = client
        .batch_write_item(BatchWriteItemInput {
            request_items: [(
                "Tbl".to_owned(),
                vec![
                    WriteRequest::PutRequest {
                        item: key("q", "a"),
                    },
                    WriteRequest::DeleteRequest {
                        key: key("p", "s4"),
                    },
                ],
            )]
            .into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(written.unprocessed_items.is_empty());
    let batch = client
        .batch_get_item(BatchGetItemInput {
            return_consumed_capacity: None,
            request_items: [(
                "Tbl".to_owned(),
                KeysAndAttributes {
                    keys: vec![key("q", "a"), key("p", "s4")],
                    ..Default::default()
                },
            )]
            .into(),
        })
        .await
        .unwrap();
    assert_eq!(batch.responses["Tbl"], vec![key("q", "a")]);

    let e = service_error(
        client
            .transact_write_items(TransactWriteItemsInput {
                return_consumed_capacity: None,
                transact_items: vec![
                    TransactWriteItem::Put(Put {
                        table_name: "Tbl".into(),
                        item: key("r", "1"),
                        ..Default::default()
                    }),
                    TransactWriteItem::ConditionCheck(ConditionCheck {
                        table_name: "Tbl".into(),
                        key: key("p", "s2"),
                        condition_expression: "attribute_not_exists(pk)".into(),
                        ..Default::default()
                    }),
                ],
                client_request_token: None,
            })
            .await
            .unwrap_err(),
    );
    assert_eq!(e.error_type, "TransactionCanceledException");
    let codes: Vec<_> = e
        .cancellation_reasons
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(codes, vec!["None", "ConditionalCheckFailed"]);
    let got = client
        .transact_get_items(TransactGetItemsInput {
            return_consumed_capacity: None,
            transact_items: vec![Get {
                table_name: "Tbl".into(),
                key: key("p", "s2"),
                projection_expression: Some("n".into()),
                ..Default::default()
            }],
        })
        .await
        .unwrap();
    assert_eq!(
        got.responses[0].item,
        Some(Item::from([("n".to_owned(), n("2"))]))
    );

    let described = client
        .describe_table(DescribeTableInput {
            table_name: "Tbl".into(),
        })
        .await
        .unwrap();
    assert_eq!(described.table.item_count, 5);
    let e = service_error(
        client
            .get_item(get("Missing", key("a", "b")))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (e.error_type.as_str(), e.message.as_str()),
        ("ResourceNotFoundException", "Requested resource not found")
    );
    let e = service_error(
        client
            .get_item(get("Tbl", Item::from([("pk".to_owned(), s("p"))])))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.error_type, "ValidationException");
    assert_eq!(
        e.message,
        "The provided key element does not match the schema"
    );
    // The engine layer answers the same as the (default) cache layer.
    let engine = Client::builder(&server.binary_addr)
        .layer(Layer::Engine)
        .connect()
        .await
        .unwrap();
    let got = engine.get_item(get("Tbl", key("p", "s3"))).await.unwrap();
    assert_eq!(got.item.unwrap()["n"], n("3"));
    client
        .update_table(UpdateTableInput {
            table_name: "Tbl".into(),
            deletion_protection_enabled: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .delete_table(DeleteTableInput {
            table_name: "Tbl".into(),
        })
        .await
        .unwrap();
    assert_eq!(server.stop(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_thousand_pipelined_calls_on_one_connection_match_their_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let client = Client::connect(&server.binary_addr).await.unwrap();
    client.create_table(table("Pipe")).await.unwrap();
    let mut puts = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let client = client.clone();
        puts.spawn(async move {
            let mut item = key(&format!("k{i}"), "s");
            item.insert("i".into(), n(&i.to_string()));
            client.put_item(put("Pipe", item)).await
        });
    }
    while let Some(done) = puts.join_next().await {
        done.unwrap().unwrap();
    }
    let mut gets = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let client = client.clone();
        gets.spawn(async move {
            let got = client
                .get_item(get("Pipe", key(&format!("k{i}"), "s")))
                .await;
            (i, got)
        });
    }
    let mut seen = 0;
    while let Some(done) = gets.join_next().await {
        let (i, got) = done.unwrap();
        assert_eq!(got.unwrap().item.unwrap()["i"], n(&i.to_string()));
        seen += 1;
    }
    assert_eq!(seen, 1000);
    assert_eq!(server.stop(), 0);
}

/// A blocking raw connection that has done the handshake.
fn raw_connect(addr: &str) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(&frame::hello(frame::VERSIONS)).unwrap();
    let mut welcome = [0u8; frame::WELCOME_LEN];
    stream.read_exact(&mut welcome).unwrap();
    assert_eq!(
        frame::read_welcome(&welcome),
        Some((1, frame::FRAME_LEN_MAX))
    );
    stream
}

/// Reads response frames until `count` have arrived.
fn read_responses(stream: &mut std::net::TcpStream, count: usize) -> Vec<frame::ResponseFrame> {
    let mut buf = bytes::BytesMut::new();
    let mut out = Vec::new();
    let mut chunk = [0u8; 65536];
    while out.len() < count {
        while let Some(f) = frame::next_response(&mut buf, u32::MAX).unwrap() {
            out.push(f);
        }
        if out.len() >= count {
            break;
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed after {} responses", out.len());
        buf.extend_from_slice(&chunk[..n]);
    }
    out
}

/// Creates table `name` over a raw connection.
fn raw_create_table(stream: &mut std::net::TcpStream, name: &str) {
    let mut wire = Vec::new();
    frame::put_request(
        &mut wire,
        1_000_000,
        CreateTableInput::OPCODE,
        Layer::Engine,
        &encode(&table(name)),
    );
    stream.write_all(&wire).unwrap();
    assert_eq!(read_responses(stream, 1)[0].status, frame::STATUS_OK);
}

#[test]
fn raw_thousand_requests_in_one_write_each_answered_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut stream = raw_connect(&server.binary_addr);
    raw_create_table(&mut stream, "Wire");
    // 1,000 requests written before any answer is read: 500 puts, then a get of each.
    let mut wire = Vec::new();
    for i in 0..500u64 {
        let mut item = key(&format!("k{i}"), "s");
        item.insert("i".into(), n(&i.to_string()));
        frame::put_request(
            &mut wire,
            i,
            PutItemInput::OPCODE,
            Layer::Cache,
            &encode(&put("Wire", item)),
        );
    }
    stream.write_all(&wire).unwrap();
    let mut put_ids: Vec<u64> = read_responses(&mut stream, 500)
        .iter()
        .map(|f| {
            assert_eq!(f.status, frame::STATUS_OK);
            f.id
        })
        .collect();
    put_ids.sort_unstable();
    assert_eq!(put_ids, (0..500).collect::<Vec<_>>());
    let mut wire = Vec::new();
    for i in 0..500u64 {
        let request = get("Wire", key(&format!("k{i}"), "s"));
        frame::put_request(
            &mut wire,
            10_000 + i,
            GetItemInput::OPCODE,
            Layer::Cache,
            &encode(&request),
        );
    }
    stream.write_all(&wire).unwrap();
    let answers = read_responses(&mut stream, 500);
    for f in answers {
        assert_eq!(f.status, frame::STATUS_OK);
        let out: GetItemOutput = decode_all(&f.payload).unwrap();
        assert_eq!(out.item.unwrap()["i"], n(&(f.id - 10_000).to_string()));
    }
    assert_eq!(server.stop(), 0);
}

#[test]
fn handshake_wrong_magic_or_version_closes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut stream = std::net::TcpStream::connect(&server.binary_addr).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let mut rest = Vec::new();
    // Closed without an answer (a reset, if the server left bytes unread).
    match stream.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "no answer to a non-hello"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
    }
    let mut stream = std::net::TcpStream::connect(&server.binary_addr).unwrap();
    stream.write_all(&frame::hello((7, 9))).unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert_eq!(rest.len(), frame::WELCOME_LEN);
    let welcome: [u8; frame::WELCOME_LEN] = rest.try_into().unwrap();
    assert_eq!(frame::read_welcome(&welcome).map(|w| w.0), Some(0));
    // The server is still up.
    let mut stream = raw_connect(&server.binary_addr);
    let mut wire = Vec::new();
    frame::put_request(&mut wire, 5, 0, Layer::Cache, &[]);
    stream.write_all(&wire).unwrap();
    let answer = read_responses(&mut stream, 1);
    assert_eq!((answer[0].id, answer[0].status), (5, frame::STATUS_OK));
    assert_eq!(server.stop(), 0);
}

#[test]
fn sigterm_mid_pipeline_answers_what_it_read_and_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut stream = raw_connect(&server.binary_addr);
    raw_create_table(&mut stream, "Term");
    let mut wire = Vec::new();
    for i in 0..300u64 {
        let request = put("Term", key(&format!("k{i}"), "s"));
        frame::put_request(
            &mut wire,
            i,
            PutItemInput::OPCODE,
            Layer::Cache,
            &encode(&request),
        );
    }
    stream.write_all(&wire).unwrap();
    let pid = server.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    // Read answers until the server closes the connection.
    let mut buf = bytes::BytesMut::new();
    let mut acknowledged = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        while let Some(f) = frame::next_response(&mut buf, u32::MAX).unwrap() {
            if f.status == frame::STATUS_OK {
                acknowledged.push(f.id);
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    assert_eq!(server.stop(), 0);
    let server = Server::start(dir.path());
    let mut stream = raw_connect(&server.binary_addr);
    let mut wire = Vec::new();
    for &i in &acknowledged {
        let request = get("Term", key(&format!("k{i}"), "s"));
        frame::put_request(
            &mut wire,
            i,
            GetItemInput::OPCODE,
            Layer::Cache,
            &encode(&request),
        );
    }
    stream.write_all(&wire).unwrap();
    for f in read_responses(&mut stream, acknowledged.len()) {
        let out: GetItemOutput = decode_all(&f.payload).unwrap();
        assert!(out.item.is_some(), "acknowledged put {} lost", f.id);
    }
    assert_eq!(server.stop(), 0);
}

/// The value of a metric line in `/metrics`, e.g. `tessera_cache_hits_total{cache="item"}`.
fn metric(server: &Server, series: &str) -> u64 {
    let (_, _, body) = server.request_path("GET", "/metrics", None, "text/plain", b"");
    String::from_utf8(body)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in /metrics"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layer_byte_selects_cache_or_engine() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cached = Client::builder(&server.binary_addr)
        .layer(Layer::Cache)
        .connect()
        .await
        .unwrap();
    let engine = Client::builder(&server.binary_addr)
        .layer(Layer::Engine)
        .connect()
        .await
        .unwrap();
    cached.create_table(table("Layers")).await.unwrap();
    let value = |out: GetItemOutput| out.item.map(|i| i["v"].clone());
    let with_v = |v: &str| {
        let mut i = key("a", "1");
        i.insert("v".into(), n(v));
        i
    };
    cached.put_item(put("Layers", with_v("1"))).await.unwrap();
    assert_eq!(
        value(cached.get_item(get("Layers", key("a", "1"))).await.unwrap()),
        Some(n("1"))
    );
    assert_eq!(
        metric(&server, "tessera_cache_misses_total{cache=\"item\"}"),
        1
    );
    // A write straight to the engine is not seen through the cache until the TTL passes...
    engine.put_item(put("Layers", with_v("2"))).await.unwrap();
    assert_eq!(
        value(cached.get_item(get("Layers", key("a", "1"))).await.unwrap()),
        Some(n("1"))
    );
    assert_eq!(
        value(engine.get_item(get("Layers", key("a", "1"))).await.unwrap()),
        Some(n("2"))
    );
    assert_eq!(
        metric(&server, "tessera_cache_hits_total{cache=\"item\"}"),
        1
    );
    assert_eq!(
        metric(
            &server,
            "tessera_cache_hits_total{cache=\"item\",table=\"Layers\"}"
        ),
        1
    );
    // ...a strongly consistent read bypasses it...
    let mut consistent = get("Layers", key("a", "1"));
    consistent.consistent_read = Some(true);
    assert_eq!(
        value(cached.get_item(consistent).await.unwrap()),
        Some(n("2"))
    );
    // ...and a write through the cache is seen at once.
    cached.put_item(put("Layers", with_v("3"))).await.unwrap();
    assert_eq!(
        value(cached.get_item(get("Layers", key("a", "1"))).await.unwrap()),
        Some(n("3"))
    );
    assert!(metric(&server, "tessera_cache_bytes{cache=\"item\"}") > 0);
    assert_eq!(server.stop(), 0);
}

#[test]
fn http_api_uses_the_cache_with_the_cache_flag() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--cache"]);
    let create = r#"{"TableName":"Web","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
        "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    assert_eq!(server.call("CreateTable", create).0, 200);
    let put = r#"{"TableName":"Web","Item":{"id":{"S":"x"},"v":{"N":"1"}}}"#;
    assert_eq!(server.call("PutItem", put).0, 200);
    let get = r#"{"TableName":"Web","Key":{"id":{"S":"x"}}}"#;
    for _ in 0..3 {
        let (status, body) = server.call("GetItem", get);
        assert_eq!(
            (status, &body["Item"]["v"]["N"]),
            (200, &serde_json::json!("1"))
        );
    }
    assert_eq!(
        metric(&server, "tessera_cache_hits_total{cache=\"item\"}"),
        2
    );
    assert_eq!(
        metric(&server, "tessera_cache_misses_total{cache=\"item\"}"),
        1
    );
    assert_eq!(server.stop(), 0);
}
