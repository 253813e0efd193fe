//! Request bodies in DynamoDB's JSON decoded into the engine's request types.
//!
//! DynamoDB checks a request in phases, and the first phase that fails decides the error:
//!
//! 1. The JSON parser: invalid JSON is a SerializationException without a message; a member
//!    of the wrong JSON type is one with the parser's text ([`super::reader`]). Unknown
//!    members and JSON nulls are ignored.
//! 2. Required control-plane `TableName`: an error of its own, before anything else.
//! 3. Model constraints, reported together as "N validation errors detected: ...":
//!    required members (`Member must not be null`), enum values, table name pattern and
//!    length. Range and length constraints the engine checks are left to it.
//! 4. Semantic checks, first failure wins: here only invalid AttributeValues; the engine
//!    does the rest.
//!
//! [`Decoder`] collects phases 2 to 4 while the body is walked once; a SerializationException
//! ends the walk at once. Missing members that DynamoDB does not require become the engine's
//! empty defaults, so the engine reports them in its own words.

mod batch;
mod item;
mod table;

use super::reader::{self, IntegerType, Object, Read};
use super::value::{self, Invalid};
use super::{Request, WireError};
use serde_json::Value;
use tessera_engine::api::{AttributeNames, AttributeValues, ReturnValue};
use tessera_engine::api::{
    ConditionalOperator, ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure,
};
use tessera_engine::model::Item;

/// Decodes the body of `operation` (the part of `X-Amz-Target` after
/// `DynamoDB_20120810.`).
pub fn decode_request(operation: &str, body: &[u8]) -> Result<Request, WireError> {
    // DynamoDB parses the body before it looks at the operation, and reports an empty body
    // only after it (dynalite's order).
    let json: Option<Value> = match body {
        [] => None,
        // serde_json refuses nesting deeper than 128, so the recursive walk below is bounded.
        _ => Some(serde_json::from_slice(body).map_err(|_| WireError::Serialization(None))?),
    };
    let decode = operation_decoder(operation).ok_or(WireError::UnknownOperation)?;
    let Some(Value::Object(obj)) = json else {
        return Err(WireError::Serialization(None));
    };
    let mut decoder = Decoder::default();
    let request = decode(&mut decoder, &obj)?;
    decoder.finish(request)
}

/// Decodes one operation's body.
type Decode = fn(&mut Decoder, &Object) -> Read<Request>;

fn operation_decoder(operation: &str) -> Option<Decode> {
    Some(match operation {
        "CreateTable" => table::create_table,
        "DescribeTable" => table::describe_table,
        "ListTables" => table::list_tables,
        "UpdateTable" => table::update_table,
        "DeleteTable" => table::delete_table,
        "PutItem" => item::put_item,
        "GetItem" => item::get_item,
        "UpdateItem" => item::update_item,
        "DeleteItem" => item::delete_item,
        "Query" => item::query,
        "Scan" => item::scan,
        "BatchGetItem" => batch::batch_get_item,
        "BatchWriteItem" => batch::batch_write_item,
        "TransactWriteItems" => batch::transact_write_items,
        "TransactGetItems" => batch::transact_get_items,
        _ => return None,
    })
}

/// Model-constraint failures listed in one message at most, as DynamoDB lists.
const LISTED_ERRORS_MAX: usize = 10;

/// The ValidationExceptions found while walking a body, by phase (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    immediate: Option<String>,
    model: Vec<String>,
    semantic: Option<String>,
}

impl Decoder {
    fn finish(self, request: Request) -> Result<Request, WireError> {
        if let Some(message) = self.immediate {
            return Err(WireError::Validation(message));
        }
        let n = self.model.len();
        if n > 0 {
            return Err(WireError::Validation(format!(
                "{n} validation error{} detected: {}",
                if n > 1 { "s" } else { "" },
                self.model.join("; ")
            )));
        }
        match self.semantic {
            Some(message) => Err(WireError::Validation(message)),
            None => Ok(request),
        }
    }

    /// Records a model-constraint failure of `value` (already quoted, or `null`) at `path`.
    fn constraint(&mut self, value: &str, path: &str, constraint: &str) {
        if self.model.len() < LISTED_ERRORS_MAX {
            self.model.push(format!(
                "Value {value} at '{path}' failed to satisfy constraint: {constraint}"
            ));
        }
    }

    /// Records that the required member at `path` is missing.
    fn missing(&mut self, path: &str) {
        self.constraint("null", path, "Member must not be null");
    }

    /// Records a semantic failure unless an earlier one was found.
    fn semantic(&mut self, message: impl Into<String>) {
        if self.semantic.is_none() {
            self.semantic = Some(message.into());
        }
    }

    /// Records the first invalid AttributeValue of a member, as DynamoDB words it.
    fn invalid_value(&mut self, invalid: Option<Invalid>) {
        if let Some(invalid) = invalid {
            self.semantic(invalid.message);
        }
    }

    /// A required string member; missing, it is recorded and comes back empty.
    fn required_string(&mut self, obj: &Object, key: &str, path: &str) -> Read<String> {
        Ok(self.optional_string(obj, key)?.unwrap_or_else(|| {
            self.missing(path);
            String::new()
        }))
    }

    /// An optional string member.
    fn optional_string(&mut self, obj: &Object, key: &str) -> Read<Option<String>> {
        reader::get(obj, key)
            .map(|v| reader::string(v).map(str::to_owned))
            .transpose()
    }

    /// An optional boolean member.
    fn optional_bool(&mut self, obj: &Object, key: &str) -> Read<Option<bool>> {
        reader::get(obj, key).map(reader::boolean).transpose()
    }

    /// An optional integer member of Java type `ty`.
    fn optional_integer(&mut self, obj: &Object, key: &str, ty: IntegerType) -> Read<Option<i64>> {
        reader::get(obj, key)
            .map(|v| reader::integer(v, ty))
            .transpose()
    }

    /// An enum member; a value outside `set` is a model-constraint failure at `path`.
    fn enumeration<T: Copy>(
        &mut self,
        obj: &Object,
        key: &str,
        path: &str,
        set: &EnumSet<T>,
    ) -> Read<Option<T>> {
        let Some(text) = self.optional_string(obj, key)? else {
            return Ok(None);
        };
        let found = set.values.iter().find(|(name, _)| *name == text);
        if found.is_none() {
            let names: Vec<&str> = set.values.iter().map(|(name, _)| *name).collect();
            self.constraint(
                &format!("'{text}'"),
                path,
                &format!("Member must satisfy enum value set: [{}]", names.join(", ")),
            );
        }
        Ok(found.map(|(_, v)| *v))
    }

    /// The `TableName` of a data-plane operation: required, with the name constraints.
    fn table_name(&mut self, obj: &Object) -> Read<String> {
        let Some(name) = self.optional_string(obj, "TableName")? else {
            self.missing("tableName");
            return Ok(String::new());
        };
        self.name_constraints(&name, "tableName");
        Ok(name)
    }

    /// The `TableName` of a control-plane operation, whose absence and bad length DynamoDB
    /// reports before any other validation error.
    fn control_table_name(&mut self, obj: &Object) -> Read<String> {
        let Some(name) = self.optional_string(obj, "TableName")? else {
            self.immediate = Some(
                "The parameter 'TableName' is required but was not present in the request".into(),
            );
            return Ok(String::new());
        };
        if !(3..=255).contains(&name.chars().count()) {
            self.immediate = Some(
                "TableName must be at least 3 characters long and at most 255 characters long"
                    .into(),
            );
        } else {
            self.name_constraints(&name, "tableName");
        }
        Ok(name)
    }

    /// Pattern and length constraints of a table or index name.
    fn name_constraints(&mut self, name: &str, path: &str) {
        let value = format!("'{name}'");
        let valid = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !valid || name.is_empty() {
            self.constraint(
                &value,
                path,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            );
        }
        let chars = name.chars().count();
        if chars < 3 {
            self.constraint(
                &value,
                path,
                "Member must have length greater than or equal to 3",
            );
        }
        if chars > 255 {
            self.constraint(
                &value,
                path,
                "Member must have length less than or equal to 255",
            );
        }
    }

    /// An attribute map member (`Item`, `Key`); `path` names it when it is required.
    fn attribute_map(
        &mut self,
        obj: &Object,
        key: &str,
        required: Option<&str>,
    ) -> Read<Option<Item>> {
        let Some(json) = reader::get(obj, key) else {
            if let Some(path) = required {
                self.missing(path);
            }
            return Ok(None);
        };
        let mut first = None;
        let item = value::decode_map(json, &mut first)?;
        self.invalid_value(first);
        Ok(Some(item))
    }

    /// A required attribute map, empty when missing (the failure is recorded).
    fn required_attribute_map(&mut self, obj: &Object, key: &str, path: &str) -> Read<Item> {
        Ok(self
            .attribute_map(obj, key, Some(path))?
            .unwrap_or_default())
    }

    /// `ExclusiveStartKey`, whose shape errors Query and Scan prefix.
    fn exclusive_start_key(&mut self, obj: &Object) -> Read<Option<Item>> {
        let Some(json) = reader::get(obj, "ExclusiveStartKey") else {
            return Ok(None);
        };
        let mut first = None;
        let key = value::decode_map(json, &mut first)?;
        if let Some(invalid) = first {
            if invalid.starting_key_prefix {
                self.semantic(format!(
                    "The provided starting key is invalid: {}",
                    invalid.message
                ));
            } else {
                self.semantic(invalid.message);
            }
        }
        Ok(Some(key))
    }

    /// `ExpressionAttributeNames`.
    fn expression_attribute_names(&mut self, obj: &Object) -> Read<Option<AttributeNames>> {
        let Some(json) = reader::get(obj, "ExpressionAttributeNames") else {
            return Ok(None);
        };
        let mut names = AttributeNames::new();
        for (k, v) in reader::map(json, "java.lang.String")? {
            if !v.is_null() {
                names.insert(k.clone(), reader::string(v)?.to_owned());
            }
        }
        Ok(Some(names))
    }

    /// `ExpressionAttributeValues`. An invalid value is reported with its placeholder, but
    /// only under a well-formed placeholder: a malformed one is the engine's earlier error.
    fn expression_attribute_values(&mut self, obj: &Object) -> Read<Option<AttributeValues>> {
        let Some(json) = reader::get(obj, "ExpressionAttributeValues") else {
            return Ok(None);
        };
        let mut values = AttributeValues::new();
        for (k, v) in reader::map(json, "AttributeValue")? {
            if v.is_null() {
                continue;
            }
            let mut first = None;
            values.insert(k.clone(), value::decode_element(v, &mut first)?);
            if let Some(invalid) = first {
                if is_value_placeholder(k) {
                    self.semantic(format!(
                        "ExpressionAttributeValues contains invalid value: {} for key {k}",
                        invalid.message
                    ));
                }
            }
        }
        Ok(Some(values))
    }

    /// `AttributesToGet`.
    fn attributes_to_get(&mut self, obj: &Object) -> Read<Option<Vec<String>>> {
        reader::get(obj, "AttributesToGet")
            .map(|json| {
                reader::list(json)?
                    .map(|v| reader::string(v).map(str::to_owned))
                    .collect::<Read<Vec<_>>>()
            })
            .transpose()
    }

    /// `ReturnConsumedCapacity`, and `ReturnItemCollectionMetrics` (validated, then ignored
    /// until the engine reports item collections).
    fn capacity_options(
        &mut self,
        obj: &Object,
        item_collection_metrics: bool,
    ) -> Read<Option<ReturnConsumedCapacity>> {
        let capacity = self.enumeration(
            obj,
            "ReturnConsumedCapacity",
            "returnConsumedCapacity",
            &RETURN_CONSUMED_CAPACITY,
        )?;
        if item_collection_metrics {
            self.enumeration(
                obj,
                "ReturnItemCollectionMetrics",
                "returnItemCollectionMetrics",
                &RETURN_ITEM_COLLECTION_METRICS,
            )?;
        }
        Ok(capacity)
    }

    /// `ReturnValues`.
    fn return_values(&mut self, obj: &Object) -> Read<Option<ReturnValue>> {
        self.enumeration(obj, "ReturnValues", "returnValues", &RETURN_VALUES)
    }

    /// `ReturnValuesOnConditionCheckFailure`; `path` is its model path.
    fn return_values_on_failure(
        &mut self,
        obj: &Object,
        path: &str,
    ) -> Read<Option<ReturnValuesOnConditionCheckFailure>> {
        self.enumeration(
            obj,
            "ReturnValuesOnConditionCheckFailure",
            path,
            &RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
        )
    }

    /// `ConditionalOperator`.
    fn conditional_operator(&mut self, obj: &Object) -> Read<Option<ConditionalOperator>> {
        self.enumeration(
            obj,
            "ConditionalOperator",
            "conditionalOperator",
            &CONDITIONAL_OPERATOR,
        )
    }
}

/// Whether `k` is a well-formed `:value` placeholder.
fn is_value_placeholder(k: &str) -> bool {
    k.len() > 1
        && k.starts_with(':')
        && k[1..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An enum's values in the order DynamoDB lists them in its constraint message.
pub(crate) struct EnumSet<T: 'static> {
    values: &'static [(&'static str, T)],
}

const RETURN_VALUES: EnumSet<ReturnValue> = EnumSet {
    values: &[
        ("ALL_NEW", ReturnValue::AllNew),
        ("UPDATED_OLD", ReturnValue::UpdatedOld),
        ("ALL_OLD", ReturnValue::AllOld),
        ("NONE", ReturnValue::None),
        ("UPDATED_NEW", ReturnValue::UpdatedNew),
    ],
};

const RETURN_VALUES_ON_CONDITION_CHECK_FAILURE: EnumSet<ReturnValuesOnConditionCheckFailure> =
    EnumSet {
        values: &[
            ("ALL_OLD", ReturnValuesOnConditionCheckFailure::AllOld),
            ("NONE", ReturnValuesOnConditionCheckFailure::None),
        ],
    };

const RETURN_CONSUMED_CAPACITY: EnumSet<ReturnConsumedCapacity> = EnumSet {
    values: &[
        ("INDEXES", ReturnConsumedCapacity::Indexes),
        ("TOTAL", ReturnConsumedCapacity::Total),
        ("NONE", ReturnConsumedCapacity::None),
    ],
};

const RETURN_ITEM_COLLECTION_METRICS: EnumSet<()> = EnumSet {
    values: &[("SIZE", ()), ("NONE", ())],
};

const CONDITIONAL_OPERATOR: EnumSet<ConditionalOperator> = EnumSet {
    values: &[
        ("OR", ConditionalOperator::Or),
        ("AND", ConditionalOperator::And),
    ],
};

#[cfg(test)]
mod tests;
