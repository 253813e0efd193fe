//! Bad binary-protocol requests against the real server: each gets an error frame with the
//! right error type and message (and a framing error also closes the connection), and the
//! server stays up.

mod common;

use common::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_server::binary::codec::{decode_all, encode, put_varint, ErrorBody, Wire};
use tessera_server::binary::frame::{self, Layer};
use tessera_server::binary::Operation;

/// One bad request: the raw frame and what must come back.
struct Case {
    name: &'static str,
    frame: Vec<u8>,
    error_type: &'static str,
    message: &'static str,
    closes: bool,
    /// The id the answer carries: the request's, or 0 when the header was cut short.
    id: u64,
}

fn request(opcode: u8, layer: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    frame::put_request(&mut out, 77, opcode, Layer::Cache, payload);
    out[13] = layer;
    out
}

fn typed<I: Operation>(input: &I) -> Vec<u8> {
    request(I::OPCODE, 0, &encode(input))
}

fn case(
    name: &'static str,
    frame: Vec<u8>,
    error_type: &'static str,
    message: &'static str,
) -> Case {
    Case {
        name,
        frame,
        error_type,
        message,
        closes: false,
        id: 77,
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

/// A GetItem payload for table `Bad` whose key has the value encoded by `value`.
fn get_with_value(value: &[u8]) -> Vec<u8> {
    let mut p = encode(&"Bad".to_owned());
    p.push(1); // one key attribute
    "pk".to_owned().put(&mut p);
    p.extend_from_slice(value);
    // consistent_read, projection, names, attributes_to_get, return_consumed_capacity
    p.extend_from_slice(&[0, 0, 0, 0, 0]);
    request(GetItemInput::OPCODE, 0, &p)
}

fn put(item: Item) -> PutItemInput {
    PutItemInput {
        table_name: "Bad".into(),
        item,
        ..Default::default()
    }
}

fn key(pk: &str) -> Item {
    Item::from([("pk".to_owned(), s(pk))])
}

fn cases() -> Vec<Case> {
    let get = |table: &str| GetItemInput {
        table_name: table.into(),
        key: key("a"),
        ..Default::default()
    };
    let mut deep = [6u8, 1].repeat(100);
    deep.push(4);
    let mut huge_count = encode(&"Bad".to_owned());
    put_varint(&mut huge_count, 1 << 40);
    let mut batch_bad_kind = vec![1];
    "Bad".to_owned().put(&mut batch_bad_kind);
    batch_bad_kind.extend_from_slice(&[1, 5]);
    let mut query_bad_select = encode(&QueryInput {
        table_name: "Bad".into(),
        ..Default::default()
    });
    // Members before Select: name, index, 3 expressions, names, values (all absent).
    let select_at = encode(&"Bad".to_owned()).len() + 6;
    query_bad_select[select_at] = 1;
    query_bad_select.insert(select_at + 1, 7);
    let mut put_bad_return = encode(&put(key("a")));
    let rv_at = encode(&"Bad".to_owned()).len() + encode(&key("a")).len();
    put_bad_return[rv_at] = 1;
    put_bad_return.insert(rv_at + 1, 9);
    let mut oversized = Vec::new();
    oversized.extend_from_slice(&(frame::FRAME_LEN_MAX + 1).to_be_bytes());
    oversized.extend_from_slice(&77u64.to_be_bytes());
    let big = "x".repeat(400 * 1024);
    let mut with_empty_set = key("a");
    with_empty_set.insert("ss".into(), AttributeValue::Ss(vec![]));
    let mut big_item = key("a");
    big_item.insert("big".into(), s(&big));
    vec![
        case("unknown opcode", request(99, 0, &[]), "UnknownOperationException", "Unknown opcode 99"),
        case("opcode in a gap", request(6, 0, &[]), "UnknownOperationException", "Unknown opcode 6"),
        case("unknown layer", request(17, 7, &encode(&get("Bad"))), "ValidationException", "Unknown layer 7"),
        case("empty payload", request(17, 0, &[]), "SerializationException", "Unexpected end of payload"),
        case("trailing bytes", { let mut f = typed(&get("Bad")); f.push(0); let n = f.len() as u32 - 4; f[..4].copy_from_slice(&n.to_be_bytes()); f }, "SerializationException", "1 unexpected bytes after the payload"),
        case("invalid UTF-8 table name", request(17, 0, &[3, 0xff, 0xfe, 0xfd]), "SerializationException", "Invalid UTF-8 in a string"),
        case("string longer than payload", request(17, 0, &[50, b'a']), "SerializationException", "Length 50 exceeds the 1 bytes left"),
        case("overlong varint", request(17, 0, &[0x80; 11]), "SerializationException", "Varint longer than 10 bytes"),
        case("varint overflow", request(17, 0, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]), "SerializationException", "Varint overflows 64 bits"),
        case("bad presence byte", { let mut p = encode(&get("Bad")); let at = p.len() - 5; p[at] = 2; request(17, 0, &p) }, "SerializationException", "Invalid presence byte 2"),
        case("bad boolean byte", { let mut p = encode(&get("Bad")); let at = p.len() - 5; p[at] = 1; p.insert(at + 1, 2); request(17, 0, &p) }, "SerializationException", "Invalid boolean byte 2"),
        case("unknown attribute tag", get_with_value(&[10]), "SerializationException", "Unknown AttributeValue type tag 10"),
        case("number syntax", get_with_value(&[1, 2, b'1', b'e']), "ValidationException", "The parameter cannot be converted to a numeric value: 1e"),
        case("number overflow", get_with_value(&[1, 5, b'1', b'e', b'1', b'2', b'6']), "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        case("number set element", get_with_value(&[8, 1, 1, b'x']), "ValidationException", "The parameter cannot be converted to a numeric value: x"),
        case("deep nesting", get_with_value(&deep), "SerializationException", "AttributeValue nesting exceeds 64 levels"),
        case("duplicate map key", { let mut v = vec![5, 2]; "a".to_owned().put(&mut v); v.push(4); "a".to_owned().put(&mut v); v.push(4); get_with_value(&v) }, "SerializationException", "Duplicate key in a map"),
        case("unknown ReturnValue", request(16, 0, &put_bad_return), "SerializationException", "Unknown ReturnValue value 9"),
        case("unknown Select", request(20, 0, &query_bad_select), "SerializationException", "Unknown Select value 7"),
        case("unknown WriteRequest kind", request(23, 0, &batch_bad_kind), "SerializationException", "Unknown WriteRequest kind 5"),
        case("unknown transaction action", request(24, 0, &[1, 9]), "SerializationException", "Unknown TransactWriteItem kind 9"),
        case("huge element count", request(17, 0, &huge_count), "SerializationException", "exceeds the"),
        case("ping with payload", request(0, 0, &[1]), "SerializationException", "Ping takes an empty payload"),
        case("short table name", typed(&get("ab")), "ValidationException", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
        case("missing table", typed(&get("Nope")), "ResourceNotFoundException", "Requested resource not found"),
        case("key not matching schema", typed(&GetItemInput { table_name: "Bad".into(), key: Item::from([("other".to_owned(), s("a"))]), ..Default::default() }), "ValidationException", "The provided key element does not match the schema"),
        case("empty string key", get_with_value(&{ let mut v = vec![0u8]; String::new().put(&mut v); v }), "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        case("missing key in item", typed(&put(Item::from([("x".to_owned(), s("a"))]))), "ValidationException", "One or more parameter values were invalid: Missing the key pk in the item"),
        case("empty string set", typed(&put(with_empty_set)), "ValidationException", "One or more parameter values were invalid: An string set  may not be empty"),
        case("item too large", typed(&put(big_item)), "ValidationException", "Item size has exceeded the maximum allowed size"),
        case("condition syntax", typed(&PutItemInput { condition_expression: Some("pk = ".into()), ..put(key("a")) }), "ValidationException", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \""),
        case("update syntax", typed(&UpdateItemInput { table_name: "Bad".into(), key: key("a"), update_expression: Some("SET".into()), ..Default::default() }), "ValidationException", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\""),
        case("query without key condition", typed(&QueryInput { table_name: "Bad".into(), ..Default::default() }), "ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."),
        case("segment without total", typed(&ScanInput { table_name: "Bad".into(), segment: Some(0), ..Default::default() }), "ValidationException", "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"),
        case("empty batch write", typed(&BatchWriteItemInput::default()), "ValidationException", "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        case("empty transaction", typed(&TransactWriteItemsInput::default()), "ValidationException", "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        case("list tables limit 0", typed(&ListTablesInput { limit: Some(0), ..Default::default() }), "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        case("create table without key schema", typed(&CreateTableInput { table_name: "New".into(), attribute_definitions: vec![AttributeDefinition::new("pk", ScalarType::S)], billing_mode: Some(BillingMode::PayPerRequest), ..Default::default() }), "ValidationException", "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        Case { name: "frame shorter than its header", frame: vec![0, 0, 0, 3, 1, 2, 3], error_type: "SerializationException", message: "Frame length 3 is shorter than its 10-byte header", closes: true, id: 0 },
        Case { name: "frame over the limit", frame: oversized, error_type: "SerializationException", message: "exceeds the maximum of", closes: true, id: 77 },
    ]
}

fn connect(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(&frame::hello(frame::VERSIONS)).unwrap();
    let mut welcome = [0u8; frame::WELCOME_LEN];
    stream.read_exact(&mut welcome).unwrap();
    stream
}

fn answer(stream: &mut TcpStream) -> frame::ResponseFrame {
    let mut buf = bytes::BytesMut::new();
    let mut chunk = [0u8; 65536];
    loop {
        if let Some(f) = frame::next_response(&mut buf, u32::MAX).unwrap() {
            return f;
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed without an answer");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn binary_malformed_requests_each_get_the_right_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut setup = connect(&server.binary_addr);
    let create = CreateTableInput {
        table_name: "Bad".into(),
        key_schema: vec![KeySchemaElement::new("pk", KeyType::Hash)],
        attribute_definitions: vec![AttributeDefinition::new("pk", ScalarType::S)],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    };
    setup.write_all(&typed(&create)).unwrap();
    assert_eq!(answer(&mut setup).status, frame::STATUS_OK);

    let cases = cases();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for case in &cases {
        let mut stream = connect(&server.binary_addr);
        stream.write_all(&case.frame).unwrap();
        let f = answer(&mut stream);
        let body: ErrorBody = decode_all(&f.payload).unwrap();
        let ok = f.status == frame::STATUS_ERROR
            && f.id == case.id
            && body.error_type == case.error_type
            && body.message.contains(case.message);
        if !ok {
            failures.push(format!(
                "{}: got status {} id {} {}: {:?}",
                case.name, f.status, f.id, body.error_type, body.message
            ));
        }
        let mut rest = Vec::new();
        if case.closes {
            let _ = stream.read_to_end(&mut rest);
            assert!(rest.is_empty(), "{}: connection stays open", case.name);
        } else {
            // The connection still serves: a Ping is answered.
            let mut ping = Vec::new();
            frame::put_request(&mut ping, 78, 0, Layer::Cache, &[]);
            stream.write_all(&ping).unwrap();
            let f = answer(&mut stream);
            assert_eq!((f.id, f.status), (78, frame::STATUS_OK), "{}", case.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(server.stop(), 0);
}
