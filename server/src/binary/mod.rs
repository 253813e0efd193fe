//! Tessera's binary protocol: length-prefixed frames over TCP, a version handshake, request
//! ids so many requests can be in flight on one connection, one opcode per operation, and a
//! compact encoding of the same request and response types the HTTP API uses. The
//! specification is docs/protocol.md; [`crate::client`] is the Rust client.
//!
//! - [`frame`]: handshake and frames.
//! - [`codec`]: the encoding of the shared types.
//! - [`listener`]: the server side of a connection.

pub mod codec;
pub mod frame;
pub mod listener;

use crate::wire::{Request, Response, WireError};
use codec::{decode_all, Wire};
use tessera_engine::api::*;

/// Opcode of Ping: an empty request answered with an empty response, without touching the
/// database (for liveness checks and for measuring the network path alone).
pub const OPCODE_PING: u8 = 0;

/// An operation's input type: its opcode, name and output type.
pub trait Operation: Wire + Send + 'static {
    /// The opcode in request frames.
    const OPCODE: u8;
    /// DynamoDB's name of the operation.
    const NAME: &'static str;
    /// What a successful call returns.
    type Output: Wire + Send + 'static;
}

macro_rules! operations {
    ($($code:literal $op:ident $input:ty => $output:ty;)*) => {
        $(
            impl Operation for $input {
                const OPCODE: u8 = $code;
                const NAME: &'static str = stringify!($op);
                type Output = $output;
            }
        )*

        /// Decodes the payload of a request frame with `opcode`.
        pub fn decode_request(opcode: u8, payload: &[u8]) -> Result<Request, WireError> {
            match opcode {
                $( $code => Ok(Request::$op(decode_all::<$input>(payload)?)), )*
                _ => Err(WireError::UnknownOperation),
            }
        }

        /// Appends the payload of `request` and returns its opcode.
        pub fn encode_request(request: &Request, out: &mut Vec<u8>) -> u8 {
            match request {
                $( Request::$op(r) => { r.put(out); $code } )*
            }
        }

        /// Appends the payload of a successful response.
        pub fn encode_response(response: &Response, out: &mut Vec<u8>) {
            match response {
                $( Response::$op(r) => r.put(out), )*
            }
        }

        /// DynamoDB's name of the operation with `opcode`.
        pub fn operation_name(opcode: u8) -> Option<&'static str> {
            match opcode {
                OPCODE_PING => Some("Ping"),
                $( $code => Some(stringify!($op)), )*
                _ => None,
            }
        }
    };
}

operations! {
    1 CreateTable CreateTableInput => CreateTableOutput;
    2 DescribeTable DescribeTableInput => DescribeTableOutput;
    3 ListTables ListTablesInput => ListTablesOutput;
    4 UpdateTable UpdateTableInput => UpdateTableOutput;
    5 DeleteTable DeleteTableInput => DeleteTableOutput;
    16 PutItem PutItemInput => PutItemOutput;
    17 GetItem GetItemInput => GetItemOutput;
    18 UpdateItem UpdateItemInput => UpdateItemOutput;
    19 DeleteItem DeleteItemInput => DeleteItemOutput;
    20 Query QueryInput => QueryOutput;
    21 Scan ScanInput => ScanOutput;
    22 BatchGetItem BatchGetItemInput => BatchGetItemOutput;
    23 BatchWriteItem BatchWriteItemInput => BatchWriteItemOutput;
    24 TransactWriteItems TransactWriteItemsInput => TransactWriteItemsOutput;
    25 TransactGetItems TransactGetItemsInput => TransactGetItemsOutput;
}

#[cfg(test)]
mod tests {
    use super::codec::{decode_all, encode, ErrorBody};
    use super::*;
    use tessera_engine::model::{AttributeValue, Item, Number};

    fn item() -> Item {
        let mut inner = Item::new();
        inner.insert(
            "n".into(),
            AttributeValue::N(Number::parse("-12.5e3").unwrap()),
        );
        Item::from([
            ("pk".to_owned(), AttributeValue::S("a".into())),
            ("b".to_owned(), AttributeValue::B(vec![0, 255])),
            ("t".to_owned(), AttributeValue::Bool(true)),
            ("z".to_owned(), AttributeValue::Null),
            ("m".to_owned(), AttributeValue::M(inner)),
            (
                "l".to_owned(),
                AttributeValue::L(vec![AttributeValue::Ss(vec!["x".into(), "y".into()])]),
            ),
            (
                "ns".to_owned(),
                AttributeValue::Ns(vec![Number::parse("1").unwrap()]),
            ),
            (
                "bs".to_owned(),
                AttributeValue::Bs(vec![vec![1], vec![2, 3]]),
            ),
        ])
    }

    fn round_trip<T: Wire + PartialEq + std::fmt::Debug>(value: T) {
        let bytes = encode(&value);
        assert_eq!(decode_all::<T>(&bytes).unwrap(), value);
        // Every strict prefix is refused, never a panic or a different value.
        for cut in 0..bytes.len() {
            assert!(decode_all::<T>(&bytes[..cut]).is_err(), "prefix {cut}");
        }
    }

    #[test]
    fn operations_round_trip_every_member() {
        round_trip(PutItemInput {
            table_name: "t".into(),
            item: item(),
            return_values: Some(ReturnValue::AllOld),
            condition_expression: Some("attribute_not_exists(pk)".into()),
            expression_attribute_names: Some([("#a".to_owned(), "a".to_owned())].into()),
            expression_attribute_values: Some(
                [(
                    ":v".to_owned(),
                    AttributeValue::N(Number::parse("7").unwrap()),
                )]
                .into(),
            ),
            return_values_on_condition_check_failure: Some(
                ReturnValuesOnConditionCheckFailure::AllOld,
            ),
            expected: None,
            conditional_operator: Some(ConditionalOperator::Or),
            ..Default::default()
        });
        round_trip(QueryOutput {
            items: Some(vec![item(), item()]),
            count: 2,
            scanned_count: -3,
            last_evaluated_key: Some(item()),
            ..Default::default()
        });
        round_trip(TransactWriteItemsInput {
            transact_items: vec![
                TransactWriteItem::Put(Put {
                    table_name: "t".into(),
                    item: item(),
                    ..Default::default()
                }),
                TransactWriteItem::Update(Update {
                    table_name: "t".into(),
                    update_expression: "SET a = :v".into(),
                    ..Default::default()
                }),
            ],
            client_request_token: Some("tok".into()),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
        });
        round_trip(PutItemOutput {
            attributes: None,
            consumed_capacity: Some(ConsumedCapacity {
                table_name: "t".into(),
                capacity_units: 2.5,
                write_capacity_units: Some(2.0),
                table: Some(Capacity {
                    capacity_units: 2.0,
                    ..Default::default()
                }),
                global_secondary_indexes: Some(
                    [(
                        "g".to_owned(),
                        Capacity {
                            capacity_units: 0.5,
                            ..Default::default()
                        },
                    )]
                    .into(),
                ),
                ..Default::default()
            }),
        });
        round_trip(DescribeTableOutput {
            table: TableDescription {
                table_name: "t".into(),
                creation_date_time: 1.5e9,
                key_schema: vec![KeySchemaElement::new("pk", KeyType::Hash)],
                billing_mode_summary: Some(BillingModeSummary {
                    billing_mode: BillingMode::PayPerRequest,
                    last_update_to_pay_per_request_date_time: Some(2.0),
                }),
                ..Default::default()
            },
        });
        round_trip(ErrorBody {
            error_type: "TransactionCanceledException".into(),
            message: "m".into(),
            item: None,
            cancellation_reasons: vec![CancellationReason {
                code: "ConditionalCheckFailed".into(),
                message: Some("The conditional request failed".into()),
                item: Some(item()),
            }],
        });
        for n in [0i64, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            round_trip(n);
        }
    }

    #[test]
    fn decode_request_bad_payloads_are_errors() {
        assert_eq!(
            decode_request(99, &[]).unwrap_err(),
            WireError::UnknownOperation
        );
        let mut bytes = encode(&GetItemInput {
            table_name: "t".into(),
            ..Default::default()
        });
        bytes.push(0);
        assert!(matches!(
            decode_request(17, &bytes),
            Err(WireError::Serialization(Some(m))) if m.contains("unexpected bytes")
        ));
        // An invalid number is DynamoDB's ValidationException, as over HTTP.
        let mut bytes = Vec::new();
        "t".to_owned().put(&mut bytes);
        bytes.extend_from_slice(&[1, 2, b'p', b'k', 1, 3, b'1', b'e', b'x']);
        assert!(matches!(
            decode_request(17, &bytes),
            Err(WireError::Validation(_))
        ));
    }

    #[test]
    fn decode_deep_nesting_is_refused_without_overflow() {
        let mut bytes = Vec::new();
        for _ in 0..100_000 {
            bytes.extend_from_slice(&[6, 1]); // L with one element
        }
        bytes.push(4);
        assert!(decode_all::<AttributeValue>(&bytes).is_err());
    }
}
