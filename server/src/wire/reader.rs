//! Reading one JSON member as the type DynamoDB's model declares, with the texts its parser
//! gives a SerializationException when the JSON type is wrong.
//!
//! DynamoDB's parser is Java's: a member's message names the Java type it was decoding into
//! (`java.lang.String`, `java.nio.ByteBuffer`, ...) and depends on where a structure sits:
//! as a member of a structure (a *field* struct), as an element of a list or a map value
//! (a *value* struct). JSON `null` counts as absent everywhere, so these functions never see
//! one from their callers, and list readers skip null elements.

use super::WireError;
use base64::Engine as _;
use serde_json::{Map, Value};

/// The JSON object type.
pub(crate) type Object = Map<String, Value>;

/// Result of a read: a SerializationException ends decoding at once.
pub(crate) type Read<T> = Result<T, WireError>;

/// Java package of DynamoDB's model classes, as they appear in parser messages.
const MODEL_PACKAGE: &str = "com.amazonaws.dynamodb.v20120810";

const START_OF_STRUCTURE: &str = "Start of structure or map found where not expected";
const UNEXPECTED_FIELD: &str = "Unexpected field type";
const UNEXPECTED_VALUE: &str = "Unexpected value type in payload";
/// A `List<Map<...>>` or `Map<List<...>>` member given a scalar trips over Java generics.
const PARAMETERIZED_CAST: &str = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";

/// A SerializationException with `message`.
pub(crate) fn fail<T>(message: impl Into<String>) -> Read<T> {
    Err(WireError::Serialization(Some(message.into())))
}

/// The member `key` of `obj`, treating JSON `null` as absent.
pub(crate) fn get<'a>(obj: &'a Object, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// How the parser names a JSON literal it cannot convert: `TRUE_VALUE`, `NUMBER_VALUE`
/// (integer syntax), `DECIMAL_VALUE` (fraction or exponent), `STRING_VALUE`.
fn token(v: &Value) -> &'static str {
    match v {
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Number(n) if n.is_f64() => "DECIMAL_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Null => "NULL_VALUE",
        Value::Array(_) | Value::Object(_) => "",
    }
}

/// Reads a `String` member.
pub(crate) fn string(v: &Value) -> Read<&str> {
    match v {
        Value::String(s) => Ok(s),
        Value::Array(_) => fail("Unrecognized collection type class java.lang.String"),
        Value::Object(_) => fail(START_OF_STRUCTURE),
        _ => fail(format!("{} cannot be converted to String", token(v))),
    }
}

/// Reads a `Boolean` member. The strings `true`/`1`/`yes` and `false`/`0`/`no` (any case)
/// are accepted, as DynamoDB's parser does.
pub(crate) fn boolean(v: &Value) -> Read<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => fail("Unexpected token received from parser"),
        },
        Value::Number(_) => fail(format!("{} cannot be converted to Boolean", token(v))),
        Value::Array(_) => fail("Unrecognized collection type class java.lang.Boolean"),
        Value::Object(_) => fail(START_OF_STRUCTURE),
        Value::Null => fail(UNEXPECTED_VALUE),
    }
}

/// Java integer types a member can be declared as.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IntegerType {
    /// `java.lang.Integer` (Limit, Segment, TotalSegments).
    Integer,
    /// `java.lang.Long` (capacity units).
    Long,
}

impl IntegerType {
    fn name(self) -> &'static str {
        match self {
            IntegerType::Integer => "Integer",
            IntegerType::Long => "Long",
        }
    }
}

/// Reads an integer member. A fraction is floored, as DynamoDB's parser does; a magnitude
/// beyond `i64` saturates (the engine's range checks then refuse it).
pub(crate) fn integer(v: &Value, ty: IntegerType) -> Read<i64> {
    match v {
        Value::Number(n) => Ok(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            // Float-to-int `as` saturates; a u64 beyond i64 arrives here as an f64.
            (None, Some(f)) => f.floor() as i64,
            (None, None) => 0,
        }),
        Value::Array(_) => fail(format!(
            "Unrecognized collection type class java.lang.{}",
            ty.name()
        )),
        Value::Object(_) => fail(START_OF_STRUCTURE),
        _ => fail(format!("{} cannot be converted to {}", token(v), ty.name())),
    }
}

/// Reads a `Blob` member: standard base64 with padding.
pub(crate) fn blob(v: &Value) -> Read<Vec<u8>> {
    let text = match v {
        Value::String(s) => s,
        Value::Array(_) => return fail("Unrecognized collection type class java.nio.ByteBuffer"),
        Value::Object(_) => return fail(START_OF_STRUCTURE),
        _ => return fail("only base-64-encoded strings are convertible to bytes"),
    };
    let chars = text.chars().count();
    if chars % 4 != 0 {
        return fail(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {chars}"
        ));
    }
    // DynamoDB gives one text (sic) for a bad character, bad padding and stray last bits.
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| fail("Invalid last non-pad Base64 character dectected"))
}

/// Reads a `List` member; null elements are skipped.
pub(crate) fn list(v: &Value) -> Read<impl Iterator<Item = &Value>> {
    match v {
        Value::Array(a) => Ok(a.iter().filter(|v| !v.is_null())),
        Value::Object(_) => fail(START_OF_STRUCTURE),
        _ => fail(UNEXPECTED_FIELD),
    }
}

/// Reads a list member whose elements are generic (`List<Map<String, AttributeValue>>`, or a
/// `Map<String, List<WriteRequest>>` value).
pub(crate) fn parameterized_list(v: &Value) -> Read<impl Iterator<Item = &Value>> {
    match v {
        Value::Array(a) => Ok(a.iter().filter(|v| !v.is_null())),
        Value::Object(_) => fail(START_OF_STRUCTURE),
        _ => fail(PARAMETERIZED_CAST),
    }
}

/// Reads a `Map<String, X>` member; `element` names X, qualified with DynamoDB's model
/// package unless it already holds a dot (`java.lang.String`).
pub(crate) fn map<'a>(v: &'a Value, element: &str) -> Read<&'a Object> {
    match v {
        Value::Object(o) => Ok(o),
        Value::Array(_) if element.contains('.') => fail(format!(
            "Unrecognized collection type java.util.Map<java.lang.String, {element}>"
        )),
        Value::Array(_) => fail(format!(
            "Unrecognized collection type java.util.Map<java.lang.String, {MODEL_PACKAGE}.{element}>"
        )),
        _ => fail(UNEXPECTED_FIELD),
    }
}

/// Reads a `Map<String, AttributeValue>` that is an element of a list (BatchGetItem's keys).
pub(crate) fn parameterized_map(v: &Value) -> Read<&Object> {
    match v {
        Value::Object(o) => Ok(o),
        Value::Array(_) => map(v, "AttributeValue"),
        _ => fail(PARAMETERIZED_CAST),
    }
}

/// Reads a structure of model class `class` that is a member of another structure.
pub(crate) fn field_struct<'a>(v: &'a Value, class: &str) -> Read<&'a Object> {
    match v {
        Value::Object(o) => Ok(o),
        Value::Array(_) => fail(format!(
            "Unrecognized collection type class {MODEL_PACKAGE}.{class}"
        )),
        _ => fail(UNEXPECTED_FIELD),
    }
}

/// Reads a structure of model class `class` that is a list element or a map value.
pub(crate) fn value_struct<'a>(v: &'a Value, class: &str) -> Read<&'a Object> {
    match v {
        Value::Object(o) => Ok(o),
        Value::Array(_) => fail(format!(
            "Unrecognized collection type class {MODEL_PACKAGE}.{class}"
        )),
        _ => fail(UNEXPECTED_VALUE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message<T: std::fmt::Debug>(r: Read<T>) -> String {
        match r {
            Err(WireError::Serialization(Some(m))) => m,
            other => panic!("expected a SerializationException, got {other:?}"),
        }
    }

    #[test]
    fn string_wrong_json_types_give_parser_texts() {
        for (v, m) in [
            (json!(true), "TRUE_VALUE cannot be converted to String"),
            (json!(false), "FALSE_VALUE cannot be converted to String"),
            (json!(5), "NUMBER_VALUE cannot be converted to String"),
            (json!(-5), "NUMBER_VALUE cannot be converted to String"),
            (json!(3.5), "DECIMAL_VALUE cannot be converted to String"),
            (
                json!([]),
                "Unrecognized collection type class java.lang.String",
            ),
            (
                json!({}),
                "Start of structure or map found where not expected",
            ),
        ] {
            assert_eq!(message(string(&v)), m, "{v}");
        }
        assert_eq!(string(&json!("x")).unwrap(), "x");
    }

    #[test]
    fn boolean_accepts_words_and_refuses_others() {
        for (v, b) in [
            (json!(true), true),
            (json!("TRUE"), true),
            (json!("yes"), true),
            (json!("1"), true),
            (json!("No"), false),
            (json!("0"), false),
        ] {
            assert_eq!(boolean(&v).unwrap(), b, "{v}");
        }
        for (v, m) in [
            (json!("abc"), "Unexpected token received from parser"),
            (json!(0), "NUMBER_VALUE cannot be converted to Boolean"),
            (json!(0.5), "DECIMAL_VALUE cannot be converted to Boolean"),
            (
                json!([]),
                "Unrecognized collection type class java.lang.Boolean",
            ),
            (
                json!({}),
                "Start of structure or map found where not expected",
            ),
        ] {
            assert_eq!(message(boolean(&v)), m, "{v}");
        }
    }

    #[test]
    fn integer_floors_fractions_and_names_its_type() {
        assert_eq!(integer(&json!(7), IntegerType::Integer).unwrap(), 7);
        assert_eq!(integer(&json!(7.9), IntegerType::Integer).unwrap(), 7);
        assert_eq!(integer(&json!(-0.5), IntegerType::Long).unwrap(), -1);
        assert_eq!(integer(&json!(1e300), IntegerType::Long).unwrap(), i64::MAX);
        for (v, ty, m) in [
            (
                json!("23"),
                IntegerType::Integer,
                "STRING_VALUE cannot be converted to Integer",
            ),
            (
                json!(true),
                IntegerType::Long,
                "TRUE_VALUE cannot be converted to Long",
            ),
            (
                json!(false),
                IntegerType::Long,
                "FALSE_VALUE cannot be converted to Long",
            ),
            (
                json!([]),
                IntegerType::Long,
                "Unrecognized collection type class java.lang.Long",
            ),
            (
                json!({}),
                IntegerType::Integer,
                "Start of structure or map found where not expected",
            ),
        ] {
            assert_eq!(message(integer(&v, ty)), m, "{v}");
        }
    }

    #[test]
    fn blob_checks_length_then_alphabet() {
        assert_eq!(blob(&json!("YWJj")).unwrap(), b"abc");
        assert_eq!(blob(&json!("")).unwrap(), b"");
        for (v, m) in [
            (
                json!(true),
                "only base-64-encoded strings are convertible to bytes",
            ),
            (
                json!(23),
                "only base-64-encoded strings are convertible to bytes",
            ),
            (
                json!([]),
                "Unrecognized collection type class java.nio.ByteBuffer",
            ),
            (
                json!({}),
                "Start of structure or map found where not expected",
            ),
            (
                json!("23456"),
                "Base64 encoded length is expected a multiple of 4 bytes but found: 5",
            ),
            (
                json!("=+/="),
                "Invalid last non-pad Base64 character dectected",
            ),
            (
                json!("+/+="),
                "Invalid last non-pad Base64 character dectected",
            ),
            (
                json!("ab!="),
                "Invalid last non-pad Base64 character dectected",
            ),
        ] {
            assert_eq!(message(blob(&v)), m, "{v}");
        }
    }

    #[test]
    fn containers_wrong_json_types_depend_on_position() {
        let cast = PARAMETERIZED_CAST;
        assert_eq!(
            message(list(&json!("a")).map(|_| ())),
            "Unexpected field type"
        );
        assert_eq!(
            message(list(&json!({})).map(|_| ())),
            "Start of structure or map found where not expected"
        );
        assert_eq!(message(parameterized_list(&json!(1)).map(|_| ())), cast);
        assert_eq!(message(parameterized_map(&json!(1))), cast);
        assert_eq!(
            message(parameterized_map(&json!([]))),
            "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
        );
        assert_eq!(
            message(map(&json!(5), "AttributeValue")),
            "Unexpected field type"
        );
        assert_eq!(
            message(map(&json!([]), "java.lang.String")),
            "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"
        );
        assert_eq!(
            message(field_struct(&json!([]), "ProvisionedThroughput")),
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"
        );
        assert_eq!(
            message(field_struct(&json!("a"), "Projection")),
            "Unexpected field type"
        );
        assert_eq!(
            message(value_struct(&json!(1), "KeySchemaElement")),
            "Unexpected value type in payload"
        );
        let with_null = json!([1, null, 2]);
        let skipped: Vec<_> = list(&with_null).unwrap().collect();
        assert_eq!(skipped, [&json!(1), &json!(2)]);
    }
}
