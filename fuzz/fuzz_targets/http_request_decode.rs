//! Request decoding of arbitrary bytes, as any of DynamoDB's operations, must return `Ok` or
//! `Err`, never panic. Every error body is valid JSON, and a PutItem's item re-encodes to
//! JSON that decodes to the same item.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_engine::api::GetItemOutput;
use tessera_server::wire::{
    decode_request, encode_response, wire_error_response, Request, Response,
};

/// The operations the first input byte picks from; the last is unknown to the server.
const OPERATIONS: [&str; 16] = [
    "CreateTable",
    "DescribeTable",
    "ListTables",
    "UpdateTable",
    "DeleteTable",
    "PutItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
    "ExecuteStatement",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let operation = OPERATIONS[usize::from(selector) % OPERATIONS.len()];
    match decode_request(operation, body) {
        Ok(Request::PutItem(input)) => {
            let encoded = encode_response(&Response::GetItem(GetItemOutput {
                item: Some(input.item.clone()),
                consumed_capacity: None,
            }));
            let mut json: serde_json::Value =
                serde_json::from_slice(&encoded).expect("responses are valid JSON");
            json["TableName"] = serde_json::Value::from("abc");
            let again = serde_json::to_vec(&json).expect("a Value serializes");
            match decode_request("PutItem", &again) {
                Ok(Request::PutItem(decoded)) => assert_eq!(decoded.item, input.item),
                other => panic!("re-encoded item failed to decode: {other:?}"),
            }
        }
        Ok(_) => {}
        Err(e) => {
            let (status, body) = wire_error_response(&e);
            assert_eq!(status, 400);
            serde_json::from_slice::<serde_json::Value>(&body).expect("error bodies are JSON");
        }
    }
});
