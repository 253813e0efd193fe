//! Error bodies: the sole mapping from [`ApiError`] and [`WireError`] to DynamoDB's
//! `__type` names, namespaces and HTTP statuses.
//!
//! A body is `{"__type":"<namespace>#<Name>","message":"..."}`. The namespaces are those seen
//! on the wire: `com.amazon.coral.validate` for every ValidationException,
//! `com.amazon.coral.service` for SerializationException and UnknownOperationException,
//! `com.amazon.coral.availability` for ThrottlingException and
//! `com.amazonaws.dynamodb.v20120810` for every other service error. SerializationException
//! and TransactionCanceledException spell the key `Message`.

use super::{value, writer};
use tessera_engine::api::{ApiError, CancellationReason};

/// Why a request body could not become a [`super::Request`]: raised before the engine runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The `X-Amz-Target` operation is not one Tessera serves.
    UnknownOperation,
    /// The body is not valid JSON (`None`: DynamoDB sends no message then), or a member has
    /// the wrong JSON type (DynamoDB's parser text).
    Serialization(Option<String>),
    /// A ValidationException found while decoding: a model constraint (enum values, required
    /// members) or an invalid AttributeValue.
    Validation(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::UnknownOperation => f.write_str("UnknownOperationException"),
            WireError::Serialization(None) => f.write_str("SerializationException"),
            WireError::Serialization(Some(m)) => write!(f, "SerializationException: {m}"),
            WireError::Validation(m) => write!(f, "ValidationException: {m}"),
        }
    }
}

impl std::error::Error for WireError {}

const VALIDATE: &str = "com.amazon.coral.validate";
const SERVICE: &str = "com.amazon.coral.service";
const AVAILABILITY: &str = "com.amazon.coral.availability";
const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810";

/// What an internal error tells the client: the details (paths, I/O errors) stay in the
/// server's log.
const INTERNAL_MESSAGE: &str = "Internal server error";

/// The HTTP status and JSON body for an engine error.
pub fn error_response(e: &ApiError) -> (u16, Vec<u8>) {
    let name = e.error_type();
    let namespace = match name {
        "ValidationException" => VALIDATE,
        "ThrottlingException" => AVAILABILITY,
        _ => DYNAMODB,
    };
    let internal = matches!(e, ApiError::Internal(_));
    let status = if internal { 500 } else { 400 };
    let mut out = Vec::new();
    writer::object(&mut out, |o| {
        o.str("__type", &format!("{namespace}#{name}"));
        match e {
            ApiError::Internal(_) => o.str("message", INTERNAL_MESSAGE),
            ApiError::TransactionCanceled { message, reasons } => {
                o.str("Message", message);
                o.array("CancellationReasons", reasons, cancellation_reason);
            }
            ApiError::ConditionalCheckFailed { item } => {
                o.str("message", &e.message());
                if let Some(item) = item {
                    value::write_item(o.key("Item"), item);
                }
            }
            _ => o.str("message", &e.message()),
        }
    });
    (status, out)
}

fn cancellation_reason(out: &mut Vec<u8>, reason: &CancellationReason) {
    writer::object(out, |o| {
        o.str("Code", &reason.code);
        o.opt_str("Message", reason.message.as_deref());
        if let Some(item) = &reason.item {
            value::write_item(o.key("Item"), item);
        }
    });
}

/// The HTTP status and JSON body for a request that failed to decode (always 400).
pub fn wire_error_response(e: &WireError) -> (u16, Vec<u8>) {
    let mut out = Vec::new();
    writer::object(&mut out, |o| match e {
        WireError::UnknownOperation => {
            o.str("__type", &format!("{SERVICE}#UnknownOperationException"))
        }
        WireError::Serialization(message) => {
            o.str("__type", &format!("{SERVICE}#SerializationException"));
            o.opt_str("Message", message.as_deref());
        }
        WireError::Validation(message) => {
            o.str("__type", &format!("{VALIDATE}#ValidationException"));
            o.str("message", message);
        }
    });
    (400, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_engine::model::{AttributeValue, Item};

    fn check(e: &ApiError, status: u16, body: &str) {
        let (s, b) = error_response(e);
        assert_eq!((s, String::from_utf8(b).unwrap().as_str()), (status, body));
    }

    fn check_wire(e: WireError, body: &str) {
        let (s, b) = wire_error_response(&e);
        assert_eq!((s, String::from_utf8(b).unwrap().as_str()), (400, body));
    }

    fn item() -> Item {
        Item::from([("pk".to_owned(), AttributeValue::S("a".into()))])
    }

    #[test]
    fn error_response_each_variant_names_dynamodb_type() {
        let ns = "com.amazonaws.dynamodb.v20120810";
        check(
            &ApiError::validation("bad \"x\""),
            400,
            r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad \"x\""}"#,
        );
        check(
            &ApiError::table_not_found(),
            400,
            &format!(
                r#"{{"__type":"{ns}#ResourceNotFoundException","message":"Requested resource not found"}}"#
            ),
        );
        check(
            &ApiError::ResourceInUse("Table already exists: t".into()),
            400,
            &format!(
                r#"{{"__type":"{ns}#ResourceInUseException","message":"Table already exists: t"}}"#
            ),
        );
        check(
            &ApiError::ProvisionedThroughputExceeded,
            400,
            &format!(
                r#"{{"__type":"{ns}#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}}"#
            ),
        );
        check(
            &ApiError::Throttling("Rate exceeded".into()),
            400,
            r#"{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}"#,
        );
        for (e, name) in [
            (
                ApiError::LimitExceeded("m".into()),
                "LimitExceededException",
            ),
            (
                ApiError::TransactionConflict("m".into()),
                "TransactionConflictException",
            ),
            (
                ApiError::IdempotentParameterMismatch("m".into()),
                "IdempotentParameterMismatchException",
            ),
            (
                ApiError::TransactionInProgress("m".into()),
                "TransactionInProgressException",
            ),
        ] {
            check(
                &e,
                400,
                &format!(r#"{{"__type":"{ns}#{name}","message":"m"}}"#),
            );
        }
    }

    #[test]
    fn error_response_conditional_check_failed_carries_item() {
        let ns = "com.amazonaws.dynamodb.v20120810";
        check(
            &ApiError::ConditionalCheckFailed { item: None },
            400,
            &format!(
                r#"{{"__type":"{ns}#ConditionalCheckFailedException","message":"The conditional request failed"}}"#
            ),
        );
        check(
            &ApiError::ConditionalCheckFailed { item: Some(item()) },
            400,
            &format!(
                r#"{{"__type":"{ns}#ConditionalCheckFailedException","message":"The conditional request failed","Item":{{"pk":{{"S":"a"}}}}}}"#
            ),
        );
    }

    #[test]
    fn error_response_transaction_canceled_lists_reasons() {
        let e = ApiError::TransactionCanceled {
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]".into(),
            reasons: vec![
                CancellationReason {
                    code: "None".into(),
                    message: None,
                    item: None,
                },
                CancellationReason {
                    code: "ConditionalCheckFailed".into(),
                    message: Some("The conditional request failed".into()),
                    item: Some(item()),
                },
            ],
        };
        check(
            &e,
            400,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"pk":{"S":"a"}}}]}"#,
        );
    }

    #[test]
    fn error_response_internal_is_500_without_details() {
        let e = ApiError::Internal(tessera_engine::Error::Poisoned { cause: "fsync" });
        check(
            &e,
            500,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#,
        );
    }

    #[test]
    fn wire_error_response_each_variant_has_dynamodb_shape() {
        check_wire(
            WireError::UnknownOperation,
            r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#,
        );
        check_wire(
            WireError::Serialization(None),
            r#"{"__type":"com.amazon.coral.service#SerializationException"}"#,
        );
        check_wire(
            WireError::Serialization(Some("Unexpected field type".into())),
            r#"{"__type":"com.amazon.coral.service#SerializationException","Message":"Unexpected field type"}"#,
        );
        check_wire(
            WireError::Validation("v".into()),
            r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"v"}"#,
        );
    }
}
