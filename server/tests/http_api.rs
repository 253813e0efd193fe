//! The `tessera` binary end to end over raw HTTP: startup on an ephemeral port with a temp
//! data dir, the health endpoint, DynamoDB JSON requests and responses with the
//! `x-amz-crc32` header, DynamoDB-shaped errors for malformed input (the server stays up),
//! acknowledged writes surviving a SIGTERM restart, and a clean exit on SIGTERM.

mod common;

use common::Server;

#[test]
fn http_api_serves_dynamodb_json_and_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, _, body) = server.request("GET", None, "text/plain", b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).starts_with("healthy: dynamodb."));

    let (status, created) = server.call(
        "CreateTable",
        r#"{"TableName":"Music","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"}],
            "BillingMode":"PAY_PER_REQUEST"}"#,
    );
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["TableDescription"]["TableStatus"], "ACTIVE");
    let (status, _) = server.call(
        "PutItem",
        r#"{"TableName":"Music","Item":{"Artist":{"S":"Ada"},"Plays":{"N":"042.50"},"Raw":{"B":"AAE="}}}"#,
    );
    assert_eq!(status, 200);
    let (_, got) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}}}"#,
    );
    assert_eq!(got["Item"]["Plays"]["N"], "42.5");
    assert_eq!(got["Item"]["Raw"]["B"], "AAE=");

    // Malformed input gets DynamoDB-shaped errors and the server stays up.
    let (status, err) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazon.coral.service#SerializationException"
    );
    let (status, err) = server.call("NoSuchOperation", "{}");
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazon.coral.service#UnknownOperationException"
    );
    let (status, err) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Nope":{"S":"x"}}}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazon.coral.validate#ValidationException"
    );
    assert_eq!(
        err["message"],
        "The provided key element does not match the schema"
    );
    let (status, err) = server.call("DescribeTable", r#"{"TableName":"Missing"}"#);
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    );
    let (status, _, _) = server.request("PUT", None, "text/plain", b"");
    assert_eq!(status, 404);

    // Prometheus metrics count requests per operation.
    let (status, _, body) = server.request_path("GET", "/metrics", None, "text/plain", b"");
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("tessera_requests_total{operation=\"PutItem\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tessera_request_errors_total{operation=\"GetItem\"} 1"),
        "{text}"
    );
    assert!(text.contains("tessera_engine_writes_total"), "{text}");

    // SIGTERM: a clean exit, and the acknowledged write is there after a restart.
    assert_eq!(server.stop(), 0);
    let server = Server::start(dir.path());
    let (_, got) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}}}"#,
    );
    assert_eq!(got["Item"]["Plays"]["N"], "42.5");
    assert_eq!(server.stop(), 0);
}

#[test]
fn http_api_reports_consumed_capacity_in_dynamodb_shape() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, _) = server.call(
        "CreateTable",
        r#"{"TableName":"Units","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
            "BillingMode":"PAY_PER_REQUEST"}"#,
    );
    assert_eq!(status, 200);
    let (status, put) = server.call(
        "PutItem",
        r#"{"TableName":"Units","Item":{"id":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(
        put,
        serde_json::json!({"ConsumedCapacity":{"TableName":"Units","CapacityUnits":1.0}})
    );
    let (_, get) = server.call(
        "GetItem",
        r#"{"TableName":"Units","Key":{"id":{"S":"a"}},"ReturnConsumedCapacity":"INDEXES"}"#,
    );
    assert_eq!(
        get["ConsumedCapacity"],
        serde_json::json!({"TableName":"Units","CapacityUnits":0.5,"Table":{"CapacityUnits":0.5}})
    );
    let (_, batch) = server.call(
        "BatchWriteItem",
        r#"{"RequestItems":{"Units":[{"PutRequest":{"Item":{"id":{"S":"b"}}}}]},
            "ReturnConsumedCapacity":"TOTAL"}"#,
    );
    assert_eq!(
        batch["ConsumedCapacity"],
        serde_json::json!([{"TableName":"Units","CapacityUnits":1.0}])
    );
    let (_, none) = server.call(
        "GetItem",
        r#"{"TableName":"Units","Key":{"id":{"S":"a"}},"ReturnConsumedCapacity":"NONE"}"#,
    );
    assert!(none.get("ConsumedCapacity").is_none(), "{none}");
    assert_eq!(server.stop(), 0);
}
