//! The compact encoding of the shared request and response types (docs/protocol.md,
//! "Encoding"): LEB128 varints, zigzag for signed integers, length-prefixed strings, a
//! presence byte for optional members, and structures as their members in declaration order.
//!
//! One [`Wire`] implementation per type serves both ends: the server decodes requests and
//! encodes responses with it, the client does the reverse.
//!
//! ```
//! use tessera_server::binary::codec::{decode_all, Wire};
//! use tessera_engine::api::GetItemInput;
//! use tessera_engine::model::AttributeValue;
//!
//! let mut input = GetItemInput { table_name: "t".into(), ..Default::default() };
//! input.key.insert("pk".into(), AttributeValue::S("a".into()));
//! let mut bytes = Vec::new();
//! input.put(&mut bytes);
//! assert_eq!(decode_all::<GetItemInput>(&bytes)?, input);
//! # Ok::<(), tessera_server::wire::WireError>(())
//! ```

use crate::wire::WireError;
use std::collections::{BTreeMap, HashMap};
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Number, ScalarType};

/// Deepest nesting of `M`/`L` values the decoder follows (the engine refuses items deeper
/// than 32 levels with DynamoDB's message; this bound only protects the decoder's stack).
pub const DECODE_DEPTH_MAX: u32 = 64;

/// Result of decoding: a malformed payload is a SerializationException, an invalid number a
/// ValidationException, with the messages the HTTP API would give.
pub type Decoded<T> = Result<T, WireError>;

fn malformed<T>(message: impl Into<String>) -> Decoded<T> {
    Err(WireError::Serialization(Some(message.into())))
}

/// A cursor over a payload.
pub struct Reader<'a> {
    buf: &'a [u8],
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, depth: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Decoded<&'a [u8]> {
        if n > self.buf.len() {
            return malformed("Unexpected end of payload");
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// One byte.
    pub fn byte(&mut self) -> Decoded<u8> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned LEB128 varint (at most 10 bytes).
    pub fn varint(&mut self) -> Decoded<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return malformed("Varint overflows 64 bits");
            }
            value |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        malformed("Varint longer than 10 bytes")
    }

    /// A count or byte length: a varint no larger than the bytes left (every element takes
    /// at least one byte), so a hostile length cannot make the decoder allocate.
    pub fn length(&mut self) -> Decoded<usize> {
        let n = self.varint()?;
        match usize::try_from(n) {
            Ok(n) if n <= self.buf.len() => Ok(n),
            _ => malformed(format!(
                "Length {n} exceeds the {} bytes left in the payload",
                self.buf.len()
            )),
        }
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Decoded<T>) -> Decoded<T> {
        if self.depth >= DECODE_DEPTH_MAX {
            return malformed(format!(
                "AttributeValue nesting exceeds {DECODE_DEPTH_MAX} levels"
            ));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }
}

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    put_varint(out, n as u64);
}

/// A type with a place in the binary protocol.
pub trait Wire: Sized {
    /// Appends the encoding of `self`.
    fn put(&self, out: &mut Vec<u8>);
    /// Reads one value.
    fn get(r: &mut Reader<'_>) -> Decoded<Self>;
}

/// Decodes a whole payload as one `T`; trailing bytes are an error.
pub fn decode_all<T: Wire>(payload: &[u8]) -> Decoded<T> {
    let mut r = Reader::new(payload);
    let value = T::get(&mut r)?;
    if r.remaining() != 0 {
        return malformed(format!(
            "{} unexpected bytes after the payload",
            r.remaining()
        ));
    }
    Ok(value)
}

/// Encodes `value` into a new buffer.
pub fn encode<T: Wire>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.put(&mut out);
    out
}

impl Wire for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        match r.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            b => malformed(format!("Invalid boolean byte {b}")),
        }
    }
}

impl Wire for i64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, ((self << 1) ^ (self >> 63)) as u64);
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        let z = r.varint()?;
        Ok((z >> 1) as i64 ^ -((z & 1) as i64))
    }
}

impl Wire for f64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(r.take(8)?);
        Ok(f64::from_be_bytes(bytes))
    }
}

impl Wire for String {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, self.len());
        out.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        let n = r.length()?;
        match std::str::from_utf8(r.take(n)?) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => malformed("Invalid UTF-8 in a string"),
        }
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        match r.byte()? {
            0 => Ok(None),
            1 => Ok(Some(T::get(r)?)),
            b => malformed(format!("Invalid presence byte {b}")),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, self.len());
        for v in self {
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        let n = r.length()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Ok(v)
    }
}

/// Maps: a count, then each key and value; a repeated key is refused.
macro_rules! wire_map {
    ($($map:ident),*) => {$(
        impl<T: Wire> Wire for $map<String, T> {
            fn put(&self, out: &mut Vec<u8>) {
                put_len(out, self.len());
                for (k, v) in self {
                    k.put(out);
                    v.put(out);
                }
            }
            fn get(r: &mut Reader<'_>) -> Decoded<Self> {
                let n = r.length()?;
                let mut map = $map::new();
                for _ in 0..n {
                    let k = String::get(r)?;
                    let v = T::get(r)?;
                    if map.insert(k, v).is_some() {
                        return malformed("Duplicate key in a map");
                    }
                }
                Ok(map)
            }
        }
    )*};
}

wire_map!(BTreeMap, HashMap);

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_len(out, b.len());
    out.extend_from_slice(b);
}

fn get_bytes(r: &mut Reader<'_>) -> Decoded<Vec<u8>> {
    let n = r.length()?;
    Ok(r.take(n)?.to_vec())
}

impl Wire for Number {
    fn put(&self, out: &mut Vec<u8>) {
        self.to_string().put(out);
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        Number::parse(&String::get(r)?).map_err(|e| WireError::Validation(e.to_string()))
    }
}

/// AttributeValue type tags.
mod tag {
    pub const S: u8 = 0;
    pub const N: u8 = 1;
    pub const B: u8 = 2;
    pub const BOOL: u8 = 3;
    pub const NULL: u8 = 4;
    pub const M: u8 = 5;
    pub const L: u8 = 6;
    pub const SS: u8 = 7;
    pub const NS: u8 = 8;
    pub const BS: u8 = 9;
}

impl Wire for AttributeValue {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            AttributeValue::S(s) => {
                out.push(tag::S);
                s.put(out);
            }
            AttributeValue::N(n) => {
                out.push(tag::N);
                n.put(out);
            }
            AttributeValue::B(b) => {
                out.push(tag::B);
                put_bytes(out, b);
            }
            AttributeValue::Bool(b) => {
                out.push(tag::BOOL);
                b.put(out);
            }
            AttributeValue::Null => out.push(tag::NULL),
            AttributeValue::M(m) => {
                out.push(tag::M);
                m.put(out);
            }
            AttributeValue::L(l) => {
                out.push(tag::L);
                l.put(out);
            }
            AttributeValue::Ss(s) => {
                out.push(tag::SS);
                s.put(out);
            }
            AttributeValue::Ns(s) => {
                out.push(tag::NS);
                s.put(out);
            }
            AttributeValue::Bs(s) => {
                out.push(tag::BS);
                put_len(out, s.len());
                for b in s {
                    put_bytes(out, b);
                }
            }
        }
    }

    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        Ok(match r.byte()? {
            tag::S => AttributeValue::S(String::get(r)?),
            tag::N => AttributeValue::N(Number::get(r)?),
            tag::B => AttributeValue::B(get_bytes(r)?),
            tag::BOOL => AttributeValue::Bool(bool::get(r)?),
            tag::NULL => AttributeValue::Null,
            tag::M => AttributeValue::M(r.nested(|r| Wire::get(r))?),
            tag::L => AttributeValue::L(r.nested(|r| Wire::get(r))?),
            tag::SS => AttributeValue::Ss(Wire::get(r)?),
            tag::NS => AttributeValue::Ns(Wire::get(r)?),
            tag::BS => {
                let n = r.length()?;
                let mut set = Vec::with_capacity(n);
                for _ in 0..n {
                    set.push(get_bytes(r)?);
                }
                AttributeValue::Bs(set)
            }
            t => return malformed(format!("Unknown AttributeValue type tag {t}")),
        })
    }
}

/// Encodes a structure as its members in the order listed (docs/protocol.md lists the same
/// order); decoding builds it back member by member.
macro_rules! wire_struct {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl Wire for $ty {
            fn put(&self, out: &mut Vec<u8>) {
                let _ = &out;
                $( self.$field.put(out); )*
            }
            fn get(r: &mut Reader<'_>) -> Decoded<Self> {
                let _ = &r;
                Ok($ty { $( $field: Wire::get(r)?, )* })
            }
        }
    )*};
}

/// Encodes a fieldless enum as one byte: the variant's index in the list.
macro_rules! wire_enum {
    ($($ty:ident { $($variant:ident = $code:literal),* $(,)? })*) => {$(
        impl Wire for $ty {
            fn put(&self, out: &mut Vec<u8>) {
                out.push(match self { $( $ty::$variant => $code, )* });
            }
            fn get(r: &mut Reader<'_>) -> Decoded<Self> {
                match r.byte()? {
                    $( $code => Ok($ty::$variant), )*
                    b => malformed(format!(concat!("Unknown ", stringify!($ty), " value {}"), b)),
                }
            }
        }
    )*};
}

wire_enum! {
    ScalarType { S = 0, N = 1, B = 2 }
    KeyType { Hash = 0, Range = 1 }
    BillingMode { Provisioned = 0, PayPerRequest = 1 }
    StreamViewType { KeysOnly = 0, NewImage = 1, OldImage = 2, NewAndOldImages = 3 }
    ProjectionType { All = 0, KeysOnly = 1, Include = 2 }
    TableStatus { Creating = 0, Updating = 1, Deleting = 2, Active = 3 }
    ReturnValue { None = 0, AllOld = 1, UpdatedOld = 2, AllNew = 3, UpdatedNew = 4 }
    ReturnValuesOnConditionCheckFailure { None = 0, AllOld = 1 }
    Select { AllAttributes = 0, AllProjectedAttributes = 1, SpecificAttributes = 2, Count = 3 }
    ComparisonOperator {
        Eq = 0, Ne = 1, In = 2, Le = 3, Lt = 4, Ge = 5, Gt = 6, Between = 7, NotNull = 8,
        Null = 9, Contains = 10, NotContains = 11, BeginsWith = 12,
    }
    ConditionalOperator { And = 0, Or = 1 }
    AttributeAction { Put = 0, Delete = 1, Add = 2 }
    ReturnConsumedCapacity { None = 0, Total = 1, Indexes = 2 }
}

wire_struct! {
    KeySchemaElement { attribute_name, key_type }
    AttributeDefinition { attribute_name, attribute_type }
    ProvisionedThroughput { read_capacity_units, write_capacity_units }
    ProvisionedThroughputDescription {
        read_capacity_units, write_capacity_units, number_of_decreases_today,
        last_increase_date_time, last_decrease_date_time,
    }
    BillingModeSummary { billing_mode, last_update_to_pay_per_request_date_time }
    StreamSpecification { stream_enabled, stream_view_type }
    Projection { projection_type, non_key_attributes }
    GlobalSecondaryIndex { index_name, key_schema, projection, provisioned_throughput }
    LocalSecondaryIndex { index_name, key_schema, projection }
    SecondaryIndexDescription {
        index_name, key_schema, projection, index_arn, index_status, provisioned_throughput,
        item_count, index_size_bytes,
    }
    TableDescription {
        table_name, table_id, table_arn, table_status, creation_date_time, key_schema,
        attribute_definitions, provisioned_throughput, billing_mode_summary, item_count,
        table_size_bytes, stream_specification, latest_stream_label, latest_stream_arn,
        global_secondary_indexes, local_secondary_indexes, deletion_protection_enabled,
    }
    ExpectedAttributeValue { value, exists, comparison_operator, attribute_value_list }
    Condition { comparison_operator, attribute_value_list }
    AttributeValueUpdate { value, action }
    Capacity { read_capacity_units, write_capacity_units, capacity_units }
    ConsumedCapacity {
        table_name, capacity_units, read_capacity_units, write_capacity_units, table,
        local_secondary_indexes, global_secondary_indexes,
    }

    CreateTableInput {
        table_name, key_schema, attribute_definitions, billing_mode, provisioned_throughput,
        stream_specification, global_secondary_indexes, local_secondary_indexes,
        deletion_protection_enabled,
    }
    CreateTableOutput { table_description }
    DescribeTableInput { table_name }
    DescribeTableOutput { table }
    ListTablesInput { exclusive_start_table_name, limit }
    ListTablesOutput { table_names, last_evaluated_table_name }
    UpdateTableInput { table_name, billing_mode, provisioned_throughput, deletion_protection_enabled }
    UpdateTableOutput { table_description }
    DeleteTableInput { table_name }
    DeleteTableOutput { table_description }
    PutItemInput {
        table_name, item, return_values, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values_on_condition_check_failure, expected,
        conditional_operator, return_consumed_capacity,
    }
    PutItemOutput { attributes, consumed_capacity }
    GetItemInput {
        table_name, key, consistent_read, projection_expression, expression_attribute_names,
        attributes_to_get, return_consumed_capacity,
    }
    GetItemOutput { item, consumed_capacity }
    UpdateItemInput {
        table_name, key, update_expression, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values, return_values_on_condition_check_failure,
        attribute_updates, expected, conditional_operator, return_consumed_capacity,
    }
    UpdateItemOutput { attributes, consumed_capacity }
    DeleteItemInput {
        table_name, key, return_values, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values_on_condition_check_failure, expected,
        conditional_operator, return_consumed_capacity,
    }
    DeleteItemOutput { attributes, consumed_capacity }
    QueryInput {
        table_name, index_name, key_condition_expression, filter_expression,
        projection_expression, expression_attribute_names, expression_attribute_values, select,
        limit, consistent_read, scan_index_forward, exclusive_start_key, key_conditions,
        query_filter, conditional_operator, attributes_to_get, return_consumed_capacity,
    }
    QueryOutput { items, count, scanned_count, last_evaluated_key, consumed_capacity }
    ScanInput {
        table_name, index_name, filter_expression, projection_expression,
        expression_attribute_names, expression_attribute_values, select, limit, consistent_read,
        exclusive_start_key, segment, total_segments, scan_filter, conditional_operator,
        attributes_to_get, return_consumed_capacity,
    }
    KeysAndAttributes {
        keys, projection_expression, expression_attribute_names, consistent_read,
        attributes_to_get,
    }
    BatchGetItemInput { request_items, return_consumed_capacity }
    BatchGetItemOutput { responses, unprocessed_keys, consumed_capacity }
    BatchWriteItemInput { request_items, return_consumed_capacity }
    BatchWriteItemOutput { unprocessed_items, consumed_capacity }
    ConditionCheck {
        table_name, key, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values_on_condition_check_failure,
    }
    Put {
        table_name, item, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values_on_condition_check_failure,
    }
    Delete {
        table_name, key, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values_on_condition_check_failure,
    }
    Update {
        table_name, key, update_expression, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values_on_condition_check_failure,
    }
    TransactWriteItemsInput { transact_items, client_request_token, return_consumed_capacity }
    TransactWriteItemsOutput { consumed_capacity }
    Get { table_name, key, projection_expression, expression_attribute_names }
    TransactGetItemsInput { transact_items, return_consumed_capacity }
    ItemResponse { item }
    TransactGetItemsOutput { responses, consumed_capacity }
    CancellationReason { code, message, item }
}

impl Wire for WriteRequest {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            WriteRequest::PutRequest { item } => {
                out.push(0);
                item.put(out);
            }
            WriteRequest::DeleteRequest { key } => {
                out.push(1);
                key.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        match r.byte()? {
            0 => Ok(WriteRequest::PutRequest {
                item: Wire::get(r)?,
            }),
            1 => Ok(WriteRequest::DeleteRequest { key: Wire::get(r)? }),
            b => malformed(format!("Unknown WriteRequest kind {b}")),
        }
    }
}

impl Wire for TransactWriteItem {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            TransactWriteItem::ConditionCheck(c) => {
                out.push(0);
                c.put(out);
            }
            TransactWriteItem::Put(p) => {
                out.push(1);
                p.put(out);
            }
            TransactWriteItem::Delete(d) => {
                out.push(2);
                d.put(out);
            }
            TransactWriteItem::Update(u) => {
                out.push(3);
                u.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Decoded<Self> {
        Ok(match r.byte()? {
            0 => TransactWriteItem::ConditionCheck(Wire::get(r)?),
            1 => TransactWriteItem::Put(Wire::get(r)?),
            2 => TransactWriteItem::Delete(Wire::get(r)?),
            3 => TransactWriteItem::Update(Wire::get(r)?),
            b => return malformed(format!("Unknown TransactWriteItem kind {b}")),
        })
    }
}

/// An error answer: DynamoDB's exception name and message, plus the item a failed condition
/// returned (`ReturnValuesOnConditionCheckFailure`) and a cancelled transaction's reasons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorBody {
    /// Exception name without namespace, e.g. `ValidationException`.
    pub error_type: String,
    /// DynamoDB's message.
    pub message: String,
    /// `ConditionalCheckFailedException`'s item, when asked for.
    pub item: Option<tessera_engine::model::Item>,
    /// `TransactionCanceledException`'s reasons, one per action; empty otherwise.
    pub cancellation_reasons: Vec<CancellationReason>,
}

wire_struct! {
    ErrorBody { error_type, message, item, cancellation_reasons }
}

impl ErrorBody {
    /// The answer to an engine error; an internal error's details stay in the server log.
    pub fn from_api(e: &ApiError) -> Self {
        let mut body = ErrorBody {
            error_type: e.error_type().to_owned(),
            message: e.message(),
            ..Default::default()
        };
        match e {
            ApiError::Internal(_) => body.message = "Internal server error".to_owned(),
            ApiError::ConditionalCheckFailed { item } => body.item = item.clone(),
            ApiError::TransactionCanceled { reasons, .. } => {
                body.cancellation_reasons = reasons.clone()
            }
            _ => {}
        }
        body
    }

    /// The answer to a request that could not be decoded.
    pub fn from_wire(e: &WireError) -> Self {
        let (error_type, message) = match e {
            WireError::UnknownOperation => ("UnknownOperationException", String::new()),
            WireError::Serialization(m) => {
                ("SerializationException", m.clone().unwrap_or_default())
            }
            WireError::Validation(m) => ("ValidationException", m.clone()),
        };
        ErrorBody {
            error_type: error_type.to_owned(),
            message,
            ..Default::default()
        }
    }
}
