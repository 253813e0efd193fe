//! AttributeValues in DynamoDB's JSON: `{"S":"x"}`, `{"N":"12.5"}`, `{"B":"<base64>"}`,
//! `{"BOOL":true}`, `{"NULL":true}`, `{"M":{...}}`, `{"L":[...]}`, `{"SS":[...]}`,
//! `{"NS":["1"]}`, `{"BS":["<base64>"]}`.
//!
//! Decoding checks what DynamoDB checks while reading a value: exactly one type, `NULL`
//! true, numbers within range. Set rules (non-empty, no duplicates) and nesting depth are
//! the engine's ([`AttributeValue::normalize`]), so they are not repeated here.
//!
//! ```
//! use tessera_server::wire::value::{from_json, to_json};
//!
//! let json = serde_json::json!({"M": {"price": {"N": "012.50"}}});
//! let value = from_json(&json)?;
//! assert_eq!(to_json(&value), serde_json::json!({"M": {"price": {"N": "12.5"}}}));
//! # Ok::<(), tessera_server::wire::WireError>(())
//! ```

use super::reader::{self, Object, Read};
use super::{writer, WireError};
use base64::Engine as _;
use serde_json::{json, Value};
use tessera_engine::model::{AttributeValue, Item, Number};

const EMPTY: &str =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
const MULTIPLE: &str = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
const NULL_FALSE: &str = "One or more parameter values were invalid: Null attribute value types must have the value of true";

/// An AttributeValue DynamoDB refuses with a ValidationException.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// DynamoDB's message.
    pub(crate) message: String,
    /// Whether Query and Scan prefix the message with "The provided starting key is
    /// invalid: " when the value is in `ExclusiveStartKey` (they do for shape errors, not
    /// for number errors).
    pub(crate) starting_key_prefix: bool,
}

/// Records `message` unless an earlier value already failed: the first failure wins.
fn refuse(first: &mut Option<Invalid>, message: impl Into<String>, starting_key_prefix: bool) {
    if first.is_none() {
        *first = Some(Invalid {
            message: message.into(),
            starting_key_prefix,
        });
    }
}

/// Decodes one AttributeValue that stands alone or as a list element or map value.
pub fn from_json(json: &Value) -> Result<AttributeValue, WireError> {
    let mut first = None;
    let value = decode_element(json, &mut first)?;
    match first {
        Some(invalid) => Err(WireError::Validation(invalid.message)),
        None => Ok(value),
    }
}

/// Encodes `value` as DynamoDB's JSON.
pub fn to_json(value: &AttributeValue) -> Value {
    let base64 = |b: &Vec<u8>| Value::String(base64::engine::general_purpose::STANDARD.encode(b));
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n.to_string() }),
        AttributeValue::B(b) => json!({ "B": base64(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null => json!({ "NULL": true }),
        AttributeValue::M(m) => {
            let fields = m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect();
            json!({ "M": Value::Object(fields) })
        }
        AttributeValue::L(l) => json!({ "L": l.iter().map(to_json).collect::<Vec<_>>() }),
        AttributeValue::Ss(s) => json!({ "SS": s }),
        AttributeValue::Ns(s) => {
            json!({ "NS": s.iter().map(Number::to_string).collect::<Vec<_>>() })
        }
        AttributeValue::Bs(s) => json!({ "BS": s.iter().map(base64).collect::<Vec<_>>() }),
    }
}

/// Decodes an AttributeValue in a list or map: a scalar there is "Unexpected value type".
/// A refused value is recorded in `first` and comes back as a placeholder, so decoding goes
/// on and a later SerializationException (which DynamoDB reports first) is still found.
pub(crate) fn decode_element(json: &Value, first: &mut Option<Invalid>) -> Read<AttributeValue> {
    decode_fields(reader::value_struct(json, "AttributeValue")?, first)
}

/// Decodes an AttributeValue that is a structure member (`Expected.Value`,
/// `AttributeUpdates.Value`).
pub(crate) fn decode_field(json: &Value, first: &mut Option<Invalid>) -> Read<AttributeValue> {
    decode_fields(reader::field_struct(json, "AttributeValue")?, first)
}

/// Decodes a `Map<String, AttributeValue>` member: an item, a key, `M`.
pub(crate) fn decode_map(json: &Value, first: &mut Option<Invalid>) -> Read<Item> {
    decode_map_object(reader::map(json, "AttributeValue")?, first)
}

/// Decodes the entries of an attribute map; null entries count as absent.
pub(crate) fn decode_map_object(obj: &Object, first: &mut Option<Invalid>) -> Read<Item> {
    let mut item = Item::new();
    for (name, json) in obj {
        if !json.is_null() {
            item.insert(name.clone(), decode_element(json, first)?);
        }
    }
    Ok(item)
}

/// Decodes the type members of one AttributeValue in key order; per-type failures come
/// before the count of types, as in DynamoDB. Unknown members are ignored.
fn decode_fields(obj: &Object, first: &mut Option<Invalid>) -> Read<AttributeValue> {
    let mut found = None;
    let mut types = 0;
    for (tag, json) in obj {
        if json.is_null() {
            continue;
        }
        let value = match tag.as_str() {
            "S" => AttributeValue::S(reader::string(json)?.to_owned()),
            "N" => AttributeValue::N(number(reader::string(json)?, first)),
            "B" => AttributeValue::B(reader::blob(json)?),
            "BOOL" => AttributeValue::Bool(reader::boolean(json)?),
            "NULL" => {
                if !reader::boolean(json)? {
                    refuse(first, NULL_FALSE, true);
                }
                AttributeValue::Null
            }
            "SS" => AttributeValue::Ss(
                reader::list(json)?
                    .map(|e| reader::string(e).map(str::to_owned))
                    .collect::<Read<_>>()?,
            ),
            "NS" => {
                let mut set = Vec::new();
                for e in reader::list(json)? {
                    set.push(number(reader::string(e)?, first));
                }
                AttributeValue::Ns(set)
            }
            "BS" => AttributeValue::Bs(reader::list(json)?.map(reader::blob).collect::<Read<_>>()?),
            "L" => {
                let mut list = Vec::new();
                for e in reader::list(json)? {
                    list.push(decode_element(e, first)?);
                }
                AttributeValue::L(list)
            }
            "M" => AttributeValue::M(decode_map(json, first)?),
            _ => continue,
        };
        types += 1;
        found = Some(value);
    }
    match (types, found) {
        (1, Some(value)) => Ok(value),
        (0, _) => {
            refuse(first, EMPTY, true);
            Ok(AttributeValue::Null)
        }
        _ => {
            refuse(first, MULTIPLE, true);
            Ok(AttributeValue::Null)
        }
    }
}

fn number(text: &str, first: &mut Option<Invalid>) -> Number {
    Number::parse(text).unwrap_or_else(|e| {
        refuse(first, e.to_string(), false);
        Number::zero()
    })
}

/// Writes `value` as compact JSON.
pub(crate) fn write(out: &mut Vec<u8>, value: &AttributeValue) {
    writer::object(out, |o| match value {
        AttributeValue::S(s) => o.str("S", s),
        AttributeValue::N(n) => o.str("N", &n.to_string()),
        AttributeValue::B(b) => write_base64(o.key("B"), b),
        AttributeValue::Bool(b) => o.bool("BOOL", *b),
        AttributeValue::Null => o.bool("NULL", true),
        AttributeValue::M(m) => write_item(o.key("M"), m),
        AttributeValue::L(l) => o.array("L", l, write),
        AttributeValue::Ss(s) => o.array("SS", s, |out, s| writer::string(out, s)),
        AttributeValue::Ns(s) => o.array("NS", s, |out, n| writer::string(out, &n.to_string())),
        AttributeValue::Bs(s) => o.array("BS", s, |out, b| write_base64(out, b)),
    });
}

/// Writes an item (or a key, or an `M`) as a JSON object of attribute names to values.
pub(crate) fn write_item(out: &mut Vec<u8>, item: &Item) {
    writer::object(out, |o| {
        for (name, value) in item {
            write(o.key(name), value);
        }
    });
}

/// Writes `bytes` as a base64 JSON string (the alphabet needs no escaping).
fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(
        base64::engine::general_purpose::STANDARD
            .encode(bytes)
            .as_bytes(),
    );
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn n(text: &str) -> Number {
        Number::parse(text).unwrap()
    }

    fn written(value: &AttributeValue) -> String {
        let mut out = Vec::new();
        write(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    /// Decodes `json`, checks it is `value`, and that both encoders give `canonical`.
    fn check(json: &str, value: AttributeValue, canonical: &str) {
        let parsed: Value = serde_json::from_str(json).unwrap();
        assert_eq!(from_json(&parsed).unwrap(), value, "{json}");
        assert_eq!(written(&value), canonical);
        assert_eq!(to_json(&value).to_string(), canonical);
        let again: Value = serde_json::from_str(canonical).unwrap();
        assert_eq!(from_json(&again).unwrap(), value);
    }

    fn check_invalid(json: &str, expected: WireError) {
        let parsed: Value = serde_json::from_str(json).unwrap();
        assert_eq!(from_json(&parsed), Err(expected), "{json}");
    }

    fn validation(m: &str) -> WireError {
        WireError::Validation(m.to_owned())
    }

    fn serialization(m: &str) -> WireError {
        WireError::Serialization(Some(m.to_owned()))
    }

    #[test]
    fn from_json_each_type_round_trips_exactly() {
        check(
            r#"{"S":"x\"y"}"#,
            AttributeValue::S("x\"y".into()),
            r#"{"S":"x\"y"}"#,
        );
        check(
            r#"{"S":""}"#,
            AttributeValue::S(String::new()),
            r#"{"S":""}"#,
        );
        check(
            r#"{"N":"012.50"}"#,
            AttributeValue::N(n("12.5")),
            r#"{"N":"12.5"}"#,
        );
        check(
            r#"{"N":"-1E3"}"#,
            AttributeValue::N(n("-1000")),
            r#"{"N":"-1000"}"#,
        );
        check(
            r#"{"B":"AAEC"}"#,
            AttributeValue::B(vec![0, 1, 2]),
            r#"{"B":"AAEC"}"#,
        );
        check(r#"{"B":""}"#, AttributeValue::B(vec![]), r#"{"B":""}"#);
        check(
            r#"{"BOOL":false}"#,
            AttributeValue::Bool(false),
            r#"{"BOOL":false}"#,
        );
        check(r#"{"NULL":true}"#, AttributeValue::Null, r#"{"NULL":true}"#);
        check(
            r#"{"SS":["b","a"]}"#,
            AttributeValue::Ss(vec!["b".into(), "a".into()]),
            r#"{"SS":["b","a"]}"#,
        );
        check(
            r#"{"NS":["1.0","-2"]}"#,
            AttributeValue::Ns(vec![n("1"), n("-2")]),
            r#"{"NS":["1","-2"]}"#,
        );
        check(
            r#"{"BS":["YQ==","Yg=="]}"#,
            AttributeValue::Bs(vec![b"a".to_vec(), b"b".to_vec()]),
            r#"{"BS":["YQ==","Yg=="]}"#,
        );
        let map = BTreeMap::from([
            (
                "a".to_owned(),
                AttributeValue::L(vec![AttributeValue::Null]),
            ),
            ("b".to_owned(), AttributeValue::M(BTreeMap::new())),
        ]);
        check(
            r#"{"M":{"b":{"M":{}},"a":{"L":[{"NULL":true}]}}}"#,
            AttributeValue::M(map),
            r#"{"M":{"a":{"L":[{"NULL":true}]},"b":{"M":{}}}}"#,
        );
        check(r#"{"L":[]}"#, AttributeValue::L(vec![]), r#"{"L":[]}"#);
    }

    #[test]
    fn from_json_unknown_members_and_nulls_are_ignored() {
        check(
            r#"{"S":"a","x":1,"N":null}"#,
            AttributeValue::S("a".into()),
            r#"{"S":"a"}"#,
        );
        check(
            r#"{"L":[null,{"S":"a"}]}"#,
            AttributeValue::L(vec![AttributeValue::S("a".into())]),
            r#"{"L":[{"S":"a"}]}"#,
        );
        check(
            r#"{"BOOL":"yes"}"#,
            AttributeValue::Bool(true),
            r#"{"BOOL":true}"#,
        );
    }

    #[test]
    fn from_json_shape_errors_give_dynamodb_messages() {
        check_invalid("{}", validation(EMPTY));
        check_invalid(r#"{"a":""}"#, validation(EMPTY));
        check_invalid(r#"{"S":"a","BOOL":true}"#, validation(MULTIPLE));
        check_invalid(r#"{"NULL":false}"#, validation(NULL_FALSE));
        check_invalid(r#"{"M":{"x":{}}}"#, validation(EMPTY));
        check_invalid(r#"{"L":[{"S":"a","B":""}]}"#, validation(MULTIPLE));
    }

    #[test]
    fn from_json_number_errors_come_from_number_parse() {
        check_invalid(
            r#"{"N":""}"#,
            validation("The parameter cannot be converted to a numeric value"),
        );
        check_invalid(
            r#"{"N":"abc"}"#,
            validation("The parameter cannot be converted to a numeric value: abc"),
        );
        check_invalid(
            r#"{"NS":["1","1e126"]}"#,
            validation("Number overflow. Attempting to store a number with magnitude larger than supported range"),
        );
        check_invalid(
            r#"{"N":"1e-131"}"#,
            validation("Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        );
        check_invalid(
            r#"{"N":"123456789012345678901234567890123456789"}"#,
            validation("Attempting to store more than 38 significant digits in a Number"),
        );
        // Per-type failures are found before the count of types.
        check_invalid(
            r#"{"S":"a","N":"b"}"#,
            validation("The parameter cannot be converted to a numeric value: b"),
        );
    }

    #[test]
    fn from_json_wrong_json_types_are_serialization_errors() {
        for (json, m) in [
            (r#"{"S":5}"#, "NUMBER_VALUE cannot be converted to String"),
            (r#"{"N":5}"#, "NUMBER_VALUE cannot be converted to String"),
            (r#"{"N":1.5}"#, "DECIMAL_VALUE cannot be converted to String"),
            (r#"{"S":true}"#, "TRUE_VALUE cannot be converted to String"),
            (r#"{"B":5}"#, "only base-64-encoded strings are convertible to bytes"),
            (r#"{"B":"abc"}"#, "Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
            (r#"{"B":"+/+="}"#, "Invalid last non-pad Base64 character dectected"),
            (r#"{"BS":[true]}"#, "only base-64-encoded strings are convertible to bytes"),
            (r#"{"BOOL":"x"}"#, "Unexpected token received from parser"),
            (r#"{"BOOL":1}"#, "NUMBER_VALUE cannot be converted to Boolean"),
            (r#"{"NULL":[]}"#, "Unrecognized collection type class java.lang.Boolean"),
            (r#"{"SS":"a"}"#, "Unexpected field type"),
            (r#"{"SS":{}}"#, "Start of structure or map found where not expected"),
            (r#"{"SS":[1]}"#, "NUMBER_VALUE cannot be converted to String"),
            (r#"{"L":[5]}"#, "Unexpected value type in payload"),
            (r#"{"L":[[]]}"#, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"),
            (r#"{"M":5}"#, "Unexpected field type"),
            (r#"{"M":[]}"#, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"),
            (r#"{"M":{"a":"x"}}"#, "Unexpected value type in payload"),
            ("5", "Unexpected value type in payload"),
        ] {
            check_invalid(json, serialization(m));
        }
        // A SerializationException anywhere beats a ValidationException found earlier.
        check_invalid(
            r#"{"L":[{},{"S":5}]}"#,
            serialization("NUMBER_VALUE cannot be converted to String"),
        );
    }

    #[test]
    fn decode_element_starting_key_prefix_only_for_shape_errors() {
        let mut first = None;
        decode_element(&json!({"N": "x"}), &mut first).unwrap();
        assert!(!first.unwrap().starting_key_prefix);
        let mut first = None;
        decode_element(&json!({}), &mut first).unwrap();
        assert!(first.unwrap().starting_key_prefix);
    }
}
