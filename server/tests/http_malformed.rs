//! Malformed requests against the real `tessera` binary over raw HTTP: each gets DynamoDB's
//! exact status, `__type` and message (or none where DynamoDB sends none), with a valid
//! `x-amz-crc32`, and the server still answers a well-formed request afterwards.
//!
//! Most of the corpus is data, in `http_malformed.txt`; requests that vary the HTTP envelope
//! or are too large to read are built here. Each test function starts one server and sends
//! its cases one connection at a time; a failure lists every case that got another answer.

mod common;

use common::Server;
use std::io::{Read, Write};
use std::net::TcpStream;

const JSON_1_0: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "DynamoDB_20120810.";
/// Largest request body DynamoDB accepts.
const REQUEST_BODY_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Largest item DynamoDB stores: 400 KB.
const ITEM_SIZE_BYTES_MAX: usize = 409_600;

const VALIDATION: &str = "com.amazon.coral.validate#ValidationException";
const SERIALIZATION: &str = "com.amazon.coral.service#SerializationException";
const UNKNOWN_OPERATION: &str = "com.amazon.coral.service#UnknownOperationException";

/// One raw HTTP request.
struct Request {
    method: &'static str,
    /// The whole `X-Amz-Target` value; `None` sends no header.
    target: Option<String>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// What the error message must be.
enum Message {
    /// No `message`/`Message` member at all.
    Absent,
    Exact(String),
    /// The text around a structure DynamoDB renders with Java's `toString`, which is not
    /// pinned.
    Affixes(String, String),
    /// DynamoDB's text is not known; only the status and `__type` are pinned.
    Unchecked,
}

/// What the response must be.
enum Expect {
    /// A JSON error body: the full `__type` and the message.
    Error(String, Message),
    /// Exactly these bytes.
    Raw(&'static [u8]),
    /// Text starting with this.
    TextPrefix(&'static str),
    /// A JSON object that is no error: a boundary that must be accepted.
    Success,
}

struct Case {
    name: String,
    request: Request,
    status: u16,
    expect: Expect,
}

/// POST of `body` as operation `op`.
fn post(op: &str, body: impl Into<Vec<u8>>) -> Request {
    Request {
        method: "POST",
        target: Some(format!("{TARGET_PREFIX}{op}")),
        content_type: Some(JSON_1_0),
        body: body.into(),
    }
}

fn case(name: &str, request: Request, status: u16, expect: Expect) -> Case {
    Case {
        name: name.to_owned(),
        request,
        status,
        expect,
    }
}

/// An error of type `ty` (the full `__type`).
fn error(ty: &str, message: Message) -> Expect {
    Expect::Error(ty.to_owned(), message)
}

/// A ValidationException with `message`.
fn validation(name: &str, op: &str, body: impl Into<Vec<u8>>, message: &str) -> Case {
    let message = Message::Exact(message.to_owned());
    case(name, post(op, body), 400, error(VALIDATION, message))
}

/// A SerializationException without a `Message`.
fn serialization(name: &str, op: &str, body: impl Into<Vec<u8>>) -> Case {
    case(
        name,
        post(op, body),
        400,
        error(SERIALIZATION, Message::Absent),
    )
}

/// A boundary request that must succeed.
fn accepted(name: &str, op: &str, body: impl Into<Vec<u8>>) -> Case {
    case(name, post(op, body), 200, Expect::Success)
}

/// The full `__type` of DynamoDB's error `name`.
fn error_type(name: &str) -> String {
    let namespace = match name {
        "ValidationException" => "com.amazon.coral.validate",
        "SerializationException" | "UnknownOperationException" => "com.amazon.coral.service",
        _ => "com.amazonaws.dynamodb.v20120810",
    };
    format!("{namespace}#{name}")
}

/// The cases of `http_malformed.txt` (its header describes the format).
fn corpus_cases() -> Vec<Case> {
    let text = include_str!("http_malformed.txt");
    let mut lines = text.lines().enumerate();
    let mut cases = Vec::new();
    while let Some((n, line)) = lines.next() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| -> ! { panic!("http_malformed.txt:{}: {what}", n + 1) };
        let header = line
            .strip_prefix("> ")
            .unwrap_or_else(|| bad("expected `> `"));
        let (op, name) = header.split_once(": ").unwrap_or_else(|| bad("no `: `"));
        let body = lines.next().unwrap_or_else(|| bad("no body")).1;
        let answer = lines.next().unwrap_or_else(|| bad("no answer")).1;
        let answer = answer
            .strip_prefix("< ")
            .unwrap_or_else(|| bad("expected `< `"));
        let (head, message) = match answer.split_once(" | ") {
            Some((head, m)) => (head, Message::Exact(m.to_owned())),
            None => (answer, Message::Absent),
        };
        let (status, ty) = head.split_once(' ').unwrap_or_else(|| bad("no error type"));
        let status = status.parse().unwrap_or_else(|_| bad("bad status"));
        let expect = error(&error_type(ty), message);
        cases.push(case(
            &format!("{op}: {name}"),
            post(op, body),
            status,
            expect,
        ));
    }
    cases
}

/// A status, the lower-cased head and the body.
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

/// Sends `request` on a fresh connection and checks `x-amz-crc32`. Write errors are ignored:
/// the server may answer (413) and close before an oversized body is all sent.
fn send(addr: &str, request: &Request) -> Result<Response, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "{} / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        request.method,
        request.body.len()
    );
    if let Some(t) = &request.content_type {
        head.push_str(&format!("Content-Type: {t}\r\n"));
    }
    if let Some(t) = &request.target {
        head.push_str(&format!("X-Amz-Target: {t}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let _ = stream.write_all(&request.body);
    let mut raw = Vec::new();
    // On a reset, the bytes read before it are kept in `raw`.
    let read = stream.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no response head ({read:?}, {} bytes)", raw.len()))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    let body = raw[split + 4..].to_vec();
    let crc = head
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-crc32:"))
        .ok_or("no x-amz-crc32 header")?;
    if crc.trim() != crc32fast::hash(&body).to_string() {
        return Err(format!("x-amz-crc32 {crc} does not match the body"));
    }
    Ok(Response { status, head, body })
}

type Object = serde_json::Map<String, serde_json::Value>;

/// Why `response` is not what `case` expects.
fn mismatch(case: &Case, response: &Response) -> Option<String> {
    let text = String::from_utf8_lossy(&response.body);
    let shown: String = text.chars().take(600).collect();
    if response.status != case.status {
        let (got, want) = (response.status, case.status);
        return Some(format!("status {got} (want {want}): {shown}"));
    }
    let problem = match &case.expect {
        Expect::Raw(want) => (response.body != *want).then(|| "body differs".to_owned()),
        Expect::TextPrefix(p) => (!text.starts_with(p)).then(|| format!("not {p:?}...")),
        Expect::Success => match json_object(response) {
            Ok(o) => o.contains_key("__type").then(|| "an error".to_owned()),
            Err(e) => Some(e),
        },
        Expect::Error(ty, message) => {
            let content_type = case.request.content_type.unwrap_or_default();
            match json_object(response) {
                Err(e) => Some(e),
                Ok(_)
                    if !response
                        .head
                        .contains(&format!("content-type: {content_type}")) =>
                {
                    Some(format!("content type is not {content_type}"))
                }
                Ok(o) => error_mismatch(&o, ty, message),
            }
        }
    };
    problem.map(|p| format!("{p}: {shown}"))
}

/// The JSON object of a response body, or what is wrong with it.
fn json_object(response: &Response) -> Result<Object, String> {
    match serde_json::from_slice(&response.body) {
        Ok(serde_json::Value::Object(o)) => Ok(o),
        _ => Err("not a JSON object".to_owned()),
    }
}

/// Why error body `o` is not `__type` `ty` with `message` and nothing else.
fn error_mismatch(o: &Object, ty: &str, message: &Message) -> Option<String> {
    if o.get("__type").and_then(|t| t.as_str()) != Some(ty) {
        return Some(format!("__type is not {ty}"));
    }
    if let Some(k) = o
        .keys()
        .find(|k| !["__type", "message", "Message"].contains(&k.as_str()))
    {
        return Some(format!("unexpected member {k}"));
    }
    // SerializationException spells its message member `Message`.
    let (key, other) = match ty == SERIALIZATION {
        true => ("Message", "message"),
        false => ("message", "Message"),
    };
    if o.contains_key(other) && !matches!(message, Message::Unchecked) {
        return Some(format!("message spelled {other}, want {key}"));
    }
    let got = o.get(key).and_then(|m| m.as_str());
    let fine = match message {
        Message::Unchecked => true,
        Message::Absent => !o.contains_key(key),
        Message::Exact(m) => got == Some(m.as_str()),
        Message::Affixes(p, s) => got.is_some_and(|g| g.starts_with(p) && g.ends_with(s)),
    };
    (!fine).then(|| "message differs".to_owned())
}

/// Sends every case and fails with the list of those that got another answer.
fn run(server: &Server, cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let problem = match send(&server.addr, &c.request) {
                Ok(response) => mismatch(c, &response),
                Err(e) => Some(e),
            };
            problem.map(|p| format!("{}: {p}", c.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A server that is killed if the test panics before it is stopped.
struct Running(Option<Server>);

impl Running {
    fn server(&self) -> &Server {
        self.0.as_ref().expect("the server runs until stopped")
    }

    /// Checks the server still answers, then stops it.
    fn assert_healthy_then_stop(mut self) {
        assert_healthy_then_stop(self.0.take().expect("the server runs until stopped"));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(server) = self.0.take() {
            server.kill();
        }
    }
}

/// Starts a server with tables `Music` (partition key `Artist`) and `Songs` (`Artist`, sort
/// key `SongTitle`), and the item `Artist: Ada, Plays: 1` in `Music`.
fn start(dir: &std::path::Path) -> Running {
    let server = Running(Some(Server::start(dir)));
    for (table, sort_key) in [("Music", None), ("Songs", Some("SongTitle"))] {
        let (schema, definitions) = sort_key.map_or_else(Default::default, |k| {
            (
                format!(r#",{{"AttributeName":"{k}","KeyType":"RANGE"}}"#),
                format!(r#",{{"AttributeName":"{k}","AttributeType":"S"}}"#),
            )
        });
        let body = format!(
            r#"{{"TableName":"{table}","BillingMode":"PAY_PER_REQUEST",
                "KeySchema":[{{"AttributeName":"Artist","KeyType":"HASH"}}{schema}],
                "AttributeDefinitions":[
                    {{"AttributeName":"Artist","AttributeType":"S"}}{definitions}]}}"#
        );
        let (status, created) = server.server().call("CreateTable", &body);
        assert_eq!(status, 200, "{created}");
    }
    let (status, put) = server.server().call(
        "PutItem",
        r#"{"TableName":"Music","Item":{"Artist":{"S":"Ada"},"Plays":{"N":"1"}}}"#,
    );
    assert_eq!(status, 200, "{put}");
    server
}

/// The server still answers: the health text, a write and a read of it; then a clean exit.
fn assert_healthy_then_stop(server: Server) {
    let (status, _, body) = server.request("GET", None, "text/plain", b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).starts_with("healthy: dynamodb."));
    let (status, put) = server.call(
        "PutItem",
        r#"{"TableName":"Music","Item":{"Artist":{"S":"Grace"},"Plays":{"N":"7"}}}"#,
    );
    assert_eq!(status, 200, "{put}");
    let (status, got) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Grace"}},"ConsistentRead":true}"#,
    );
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["Item"]["Plays"]["N"], "7");
    assert_eq!(server.stop(), 0);
}

/// A PutItem into `Music` of the item `Artist: Ada` plus attribute `x` of `value`.
fn put_x(value: &str) -> String {
    format!(r#"{{"TableName":"Music","Item":{{"Artist":{{"S":"Ada"}},"x":{value}}}}}"#)
}

/// A string AttributeValue of `n` `a`s.
fn s_of(n: usize) -> String {
    format!(r#"{{"S":"{}"}}"#, "a".repeat(n))
}

/// A PutItem body of exactly `len` bytes (one long attribute).
fn put_of_length(len: usize) -> Vec<u8> {
    let frame = put_x(&s_of(0)).len();
    put_x(&s_of(len - frame)).into_bytes()
}

/// `value` nested `levels` times in `open` and `close` (`{"M":{"a":` and `}}`, say).
fn nested(open: &str, close: &str, levels: usize, value: &str) -> String {
    format!("{}{value}{}", open.repeat(levels), close.repeat(levels))
}

/// Bodies that are no JSON object, too large or too deep.
fn envelope_body_cases() -> Vec<Case> {
    let deep_arrays = nested("[", "]", 10_000, "");
    let deep_objects = nested(r#"{"a":"#, "}", 10_000, "1");
    // DynamoDB's Message for these is not known; the status and type are.
    let any_serialization = || error(SERIALIZATION, Message::Unchecked);
    let truncated = r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}"#;
    vec![
        serialization("not JSON", "GetItem", "hello"),
        serialization("truncated JSON", "GetItem", truncated),
        serialization("trailing comma", "ListTables", r#"{"Limit":5,}"#),
        serialization("single quotes", "ListTables", "{'Limit':5}"),
        serialization("empty body", "GetItem", ""),
        serialization("JSON number body", "GetItem", "42"),
        serialization("JSON string body", "GetItem", r#""GetItem""#),
        serialization("JSON null body", "GetItem", "null"),
        case(
            "JSON array body",
            post("GetItem", "[]"),
            400,
            any_serialization(),
        ),
        // The body is parsed before the operation is looked at.
        serialization("bad JSON for an unknown operation", "NoSuchOperation", "{"),
        case(
            "body over 16 MB",
            post("PutItem", put_of_length(REQUEST_BODY_BYTES_MAX + 1)),
            413,
            Expect::Raw(b""),
        ),
        validation(
            "body of exactly 16 MB",
            "PutItem",
            put_of_length(REQUEST_BODY_BYTES_MAX),
            "Item size has exceeded the maximum allowed size",
        ),
        case(
            "10,000 nested arrays in a member",
            post(
                "ListTables",
                format!(r#"{{"ExclusiveStartTableName":{deep_arrays}}}"#),
            ),
            400,
            any_serialization(),
        ),
        case(
            "10,000 nested objects in an item",
            post("PutItem", put_x(&deep_objects)),
            400,
            any_serialization(),
        ),
    ]
}

/// Wrong methods, content types and targets.
fn envelope_header_cases() -> Vec<Case> {
    let raw = |method, target: Option<&str>, content_type, body: &[u8]| Request {
        method,
        target: target.map(str::to_owned),
        content_type,
        body: body.to_vec(),
    };
    let unknown = |name: &str, target: Option<&str>, body: &[u8]| {
        let request = raw("POST", target, Some(JSON_1_0), body);
        case(
            name,
            request,
            400,
            error(UNKNOWN_OPERATION, Message::Absent),
        )
    };
    let list_tables = Some("DynamoDB_20120810.ListTables");
    let not_found = |name: &str, method, content_type| {
        let request = raw(method, list_tables, content_type, b"{}");
        case(
            name,
            request,
            404,
            Expect::Raw(b"<UnknownOperationException/>\n"),
        )
    };
    let required = "The parameter 'TableName' is required but was not present in the request";
    vec![
        unknown(
            "unknown operation",
            Some("DynamoDB_20120810.NoSuchOperation"),
            b"{}",
        ),
        unknown(
            "unknown operation, empty body",
            Some("DynamoDB_20120810.Nope"),
            b"",
        ),
        unknown(
            "operation in lower case",
            Some("DynamoDB_20120810.getitem"),
            b"{}",
        ),
        unknown("missing target header", None, b"{}"),
        unknown(
            "wrong target prefix",
            Some("DynamoDB_20990101.GetItem"),
            b"{}",
        ),
        unknown("target without prefix", Some("GetItem"), b"{}"),
        unknown(
            "target with empty operation",
            Some("DynamoDB_20120810."),
            b"{}",
        ),
        not_found("content type text/plain", "POST", Some("text/plain")),
        not_found(
            "content type json 1.1",
            "POST",
            Some("application/x-amz-json-1.1"),
        ),
        not_found("no content type", "POST", None),
        not_found("PUT method", "PUT", Some(JSON_1_0)),
        not_found("DELETE method", "DELETE", Some(JSON_1_0)),
        not_found("PATCH method", "PATCH", Some(JSON_1_0)),
        case(
            "GET method with a target",
            raw("GET", list_tables, Some(JSON_1_0), b"{}"),
            200,
            Expect::TextPrefix("healthy: dynamodb."),
        ),
        case(
            "content type application/json is echoed",
            Request {
                content_type: Some("application/json"),
                ..post("DescribeTable", "{}")
            },
            400,
            error(VALIDATION, Message::Exact(required.to_owned())),
        ),
    ]
}

/// Sizes, depths and counts at and just past DynamoDB's limits.
fn limit_cases() -> Vec<Case> {
    let invalid = |detail: &str| format!("One or more parameter values were invalid: {detail}");
    let nesting = "Nesting Levels have exceeded supported limits";
    let item = |artist: &str| format!(r#"{{"TableName":"Music","Item":{{"Artist":{artist}}}}}"#);
    let song = |title: &str| {
        format!(r#"{{"TableName":"Songs","Item":{{"Artist":{{"S":"Ada"}},"SongTitle":{title}}}}}"#)
    };
    // The item `Artist: Ada, x: <n a's>` weighs 6 + 3 + 1 + n bytes.
    let item_of_size = |size: usize| put_x(&s_of(size - 10));
    let length = "TableName must be at least 3 characters long and at most 255 characters long";
    let hash_key = "Size of hashkey has exceeded the maximum size limit of2048 bytes";
    let range_key = "Aggregated size of all range keys has exceeded the size limit of 1024 bytes";
    // A scalar inside 31 maps sits at level 32, the deepest DynamoDB stores.
    let deep_m = |maps| put_x(&nested(r#"{"M":{"a":"#, "}}", maps, r#"{"S":"x"}"#));
    let deep_l = |lists| put_x(&nested(r#"{"L":["#, "]}", lists, r#"{"N":"1"}"#));
    let long_name = format!(r#"{{"TableName":"{}"}}"#, "t".repeat(256));
    vec![
        validation(
            "table name of 256 characters",
            "DescribeTable",
            long_name,
            length,
        ),
        accepted("2048-byte partition key", "PutItem", item(&s_of(2048))),
        validation(
            "2049-byte partition key",
            "PutItem",
            item(&s_of(2049)),
            &invalid(hash_key),
        ),
        accepted("1024-byte sort key", "PutItem", song(&s_of(1024))),
        validation(
            "1025-byte sort key",
            "PutItem",
            song(&s_of(1025)),
            &invalid(range_key),
        ),
        accepted(
            "item of exactly 400 KB",
            "PutItem",
            item_of_size(ITEM_SIZE_BYTES_MAX),
        ),
        validation(
            "item just over 400 KB",
            "PutItem",
            item_of_size(ITEM_SIZE_BYTES_MAX + 1),
            "Item size has exceeded the maximum allowed size",
        ),
        accepted("M nested 32 deep", "PutItem", deep_m(31)),
        validation("M nested 33 deep", "PutItem", deep_m(32), nesting),
        accepted("L nested 32 deep", "PutItem", deep_l(31)),
        validation("L nested 33 deep", "PutItem", deep_l(32), nesting),
    ]
}

/// `n` put requests for distinct Music items, or Songs items when `songs`.
fn writes(n: usize, songs: bool) -> String {
    let one = |i: usize| match songs {
        false => format!(r#"{{"PutRequest":{{"Item":{{"Artist":{{"S":"k{i}"}}}}}}}}"#),
        true => format!(
            r#"{{"PutRequest":{{"Item":{{"Artist":{{"S":"k{i}"}},"SongTitle":{{"S":"t"}}}}}}}}"#
        ),
    };
    (0..n).map(one).collect::<Vec<_>>().join(",")
}

/// `n` distinct Music keys, or Songs keys when `songs`.
fn keys(n: usize, songs: bool) -> String {
    let one = |i: usize| match songs {
        false => format!(r#"{{"Artist":{{"S":"k{i}"}}}}"#),
        true => format!(r#"{{"Artist":{{"S":"k{i}"}},"SongTitle":{{"S":"t"}}}}"#),
    };
    (0..n).map(one).collect::<Vec<_>>().join(",")
}

/// Batches of 25/26 writes and 100/101 keys, in one table and over two.
fn batch_limit_cases() -> Vec<Case> {
    let write = |music: usize, songs: usize| {
        let songs = match songs {
            0 => String::new(),
            n => format!(r#","Songs":[{}]"#, writes(n, true)),
        };
        format!(
            r#"{{"RequestItems":{{"Music":[{}]{songs}}}}}"#,
            writes(music, false)
        )
    };
    let get = |music: usize, songs: usize| {
        let songs = match songs {
            0 => String::new(),
            n => format!(r#","Songs":{{"Keys":[{}]}}"#, keys(n, true)),
        };
        format!(
            r#"{{"RequestItems":{{"Music":{{"Keys":[{}]}}{songs}}}}}"#,
            keys(music, false)
        )
    };
    // DynamoDB renders the whole map or list in these messages.
    let constraint = |name: &str, op: &str, body: String, tail: &str| {
        let prefix = "1 validation error detected: Value '".to_owned();
        let message = Message::Affixes(prefix, format!("' at {tail}"));
        case(name, post(op, body), 400, error(VALIDATION, message))
    };
    let per_table = concat!(
        "Map value must satisfy constraint: [Member must have length less than or equal to 25, ",
        "Member must have length greater than or equal to 1]"
    );
    let keys_max = "Member must have length less than or equal to 100";
    vec![
        accepted(
            "BatchWriteItem of 25 requests",
            "BatchWriteItem",
            write(25, 0),
        ),
        constraint(
            "BatchWriteItem of 26 requests",
            "BatchWriteItem",
            write(26, 0),
            &format!("'requestItems' failed to satisfy constraint: {per_table}"),
        ),
        validation(
            "BatchWriteItem of 26 requests over two tables",
            "BatchWriteItem",
            write(13, 13),
            "Too many items requested for the BatchWriteItem call",
        ),
        accepted("BatchGetItem of 100 keys", "BatchGetItem", get(100, 0)),
        constraint(
            "BatchGetItem of 101 keys",
            "BatchGetItem",
            get(101, 0),
            &format!("'requestItems.Music.member.keys' failed to satisfy constraint: {keys_max}"),
        ),
        validation(
            "BatchGetItem of 101 keys over two tables",
            "BatchGetItem",
            get(51, 50),
            "Too many items requested for the BatchGetItem call",
        ),
    ]
}

#[test]
fn http_malformed_envelope_gets_dynamodb_errors_and_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let mut cases = envelope_body_cases();
    cases.extend(envelope_header_cases());
    run(server.server(), &cases);
    server.assert_healthy_then_stop();
}

#[test]
fn http_malformed_corpus_gets_dynamodb_errors_and_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    run(server.server(), &corpus_cases());
    server.assert_healthy_then_stop();
}

#[test]
fn http_malformed_past_limits_gets_dynamodb_errors_and_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let mut cases = limit_cases();
    cases.extend(batch_limit_cases());
    run(server.server(), &cases);
    server.assert_healthy_then_stop();
}
