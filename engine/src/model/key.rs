//! Primary keys: extraction and validation against a table's key schema, and the
//! order-preserving storage key that places items in the LSM.
//!
//! Storage key layout (see docs/format.md):
//! `table_id u32 BE | routing hash u64 BE | partition value length u16 BE | partition value |
//! sort value`. A value is encoded by [`encode_key_value`]: S as its UTF-8 bytes, B as its
//! bytes, N as [`Number::encode_key`]. Because the sort value comes last and needs no
//! delimiter, byte order of storage keys within one partition equals DynamoDB's sort order
//! (strings and binaries by unsigned bytes, numbers numerically). Partitions are ordered by
//! their routing hash, which is DynamoDB's Scan order and lets a Scan segment be one range.
//! The routing partition (what [`crate::shard`] hashes) is `table_id | partition value`.

use super::attribute::{invalid, AttributeValue, Item, ScalarType};
use super::number::Number;
use crate::api::{ApiError, ApiResult};
use crate::shard::router::partition_hash;

/// Largest partition key value, in bytes.
pub const PARTITION_KEY_BYTES_MAX: usize = 2048;
/// Largest sort key value, in bytes.
pub const SORT_KEY_BYTES_MAX: usize = 1024;
/// Bytes of a storage key before the partition value: table id, hash, length.
pub const STORAGE_KEY_HEADER_BYTES: usize = 4 + 8 + 2;

/// One key attribute: its name and scalar type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttribute {
    /// Attribute name.
    pub name: String,
    /// S, N or B.
    pub scalar: ScalarType,
}

/// A table's (or index's) primary key: a partition key and an optional sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKeySchema {
    /// The partition (HASH) key.
    pub partition: KeyAttribute,
    /// The sort (RANGE) key, for composite keys.
    pub sort: Option<KeyAttribute>,
}

/// The storage location of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageKey {
    /// What the shard router hashes: `table_id | partition value`.
    pub partition: Vec<u8>,
    /// The full LSM key.
    pub key: Vec<u8>,
}

/// Appends the order-preserving encoding of a key value.
pub fn encode_key_value(value: &AttributeValue, out: &mut Vec<u8>) {
    match value {
        AttributeValue::S(s) => out.extend_from_slice(s.as_bytes()),
        AttributeValue::B(b) => out.extend_from_slice(b),
        AttributeValue::N(n) => n.encode_key(out),
        // Key values are validated to be S, N or B before they are encoded.
        _ => debug_assert!(false, "non-scalar key value"),
    }
}

/// Decodes a whole buffer as a key value of type `scalar`.
pub fn decode_key_value(scalar: ScalarType, buf: &[u8]) -> Option<AttributeValue> {
    match scalar {
        ScalarType::S => String::from_utf8(buf.to_vec()).ok().map(AttributeValue::S),
        ScalarType::B => Some(AttributeValue::B(buf.to_vec())),
        ScalarType::N => match Number::decode_key(buf)? {
            (n, used) if used == buf.len() => Some(AttributeValue::N(n)),
            _ => None,
        },
    }
}

/// The first storage key of table `table_id`, and the first after it.
pub fn table_bounds(table_id: u32) -> (Vec<u8>, Vec<u8>) {
    let start = table_id.to_be_bytes().to_vec();
    let end = match table_id.checked_add(1) {
        Some(next) => next.to_be_bytes().to_vec(),
        None => vec![0xFF; 5],
    };
    (start, end)
}

/// The storage key of `table_id` at routing `hash` with nothing after it: hash ranges of a
/// table are key ranges.
pub fn hash_bound(table_id: u32, hash: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(12);
    k.extend_from_slice(&table_id.to_be_bytes());
    k.extend_from_slice(&hash.to_be_bytes());
    k
}

impl PrimaryKeySchema {
    /// Names of the key attributes, partition key first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.partition.name.as_str())
            .chain(self.sort.iter().map(|s| s.name.as_str()))
    }

    /// True if `name` is a key attribute.
    pub fn is_key(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }

    /// Validates a `Key` parameter (GetItem, DeleteItem, ...): exactly the key attributes,
    /// with the right types, sizes and no empty values.
    pub fn check_key_map(&self, key: &Item) -> ApiResult<()> {
        let expected = 1 + usize::from(self.sort.is_some());
        if key.len() != expected {
            return Err(key_mismatch());
        }
        for attr in self.attributes() {
            let v = key.get(&attr.name).ok_or_else(key_mismatch)?;
            if v.scalar_type() != Some(attr.scalar) {
                return Err(key_mismatch());
            }
            self.check_value(attr, v)?;
        }
        Ok(())
    }

    /// Validates the key attributes of a whole item (PutItem).
    pub fn check_item(&self, item: &Item) -> ApiResult<()> {
        for attr in self.attributes() {
            let v = item
                .get(&attr.name)
                .ok_or_else(|| invalid(&format!("Missing the key {} in the item", attr.name)))?;
            if v.scalar_type() != Some(attr.scalar) {
                return Err(invalid(&format!(
                    "Type mismatch for key {} expected: {} actual: {}",
                    attr.name,
                    attr.scalar.as_str(),
                    v.type_name()
                )));
            }
            self.check_value(attr, v)?;
        }
        Ok(())
    }

    /// Validates a partition key value given on its own (Query's key condition).
    pub fn check_partition_value(&self, v: &AttributeValue) -> ApiResult<()> {
        self.check_value(&self.partition, v)
    }

    fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.partition).chain(self.sort.iter())
    }

    fn check_value(&self, attr: &KeyAttribute, v: &AttributeValue) -> ApiResult<()> {
        let (len, kind) = match v {
            AttributeValue::S(s) => (s.len(), "string"),
            AttributeValue::B(b) => (b.len(), "binary"),
            _ => (v.size_bytes(), "number"),
        };
        if len == 0 {
            return Err(ApiError::Validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {}",
                attr.name
            )));
        }
        if std::ptr::eq(attr, &self.partition) {
            if len > PARTITION_KEY_BYTES_MAX {
                return Err(invalid(
                    "Size of hashkey has exceeded the maximum size limit of2048 bytes",
                ));
            }
        } else if len > SORT_KEY_BYTES_MAX {
            return Err(invalid(
                "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
            ));
        }
        Ok(())
    }

    /// The storage key of the item whose key attributes `item` holds (already validated).
    pub fn storage_key(&self, table_id: u32, item: &Item) -> StorageKey {
        let mut partition = Vec::with_capacity(4 + 16);
        partition.extend_from_slice(&table_id.to_be_bytes());
        if let Some(v) = item.get(&self.partition.name) {
            encode_key_value(v, &mut partition);
        }
        let pk_len = partition.len() - 4;
        let hash = partition_hash(&partition);
        let mut key = Vec::with_capacity(STORAGE_KEY_HEADER_BYTES + pk_len + 16);
        key.extend_from_slice(&table_id.to_be_bytes());
        key.extend_from_slice(&hash.to_be_bytes());
        // Partition values are at most 2048 bytes (N encodings far less), so they fit.
        key.extend_from_slice(&(pk_len as u16).to_be_bytes());
        key.extend_from_slice(&partition[4..]);
        if let Some(sort) = &self.sort {
            if let Some(v) = item.get(&sort.name) {
                encode_key_value(v, &mut key);
            }
        }
        StorageKey { partition, key }
    }

    /// The storage-key prefix of one partition (everything but the sort value).
    pub fn partition_prefix(&self, table_id: u32, partition_value: &AttributeValue) -> StorageKey {
        let mut item = Item::new();
        item.insert(self.partition.name.clone(), partition_value.clone());
        let sk = PrimaryKeySchema {
            partition: self.partition.clone(),
            sort: None,
        };
        sk.storage_key(table_id, &item)
    }

    /// Rebuilds the key attributes from a storage key (for LastEvaluatedKey).
    pub fn key_from_storage(&self, storage_key: &[u8]) -> Option<Item> {
        let len_bytes = storage_key.get(12..14)?;
        let pk_len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        let pk_end = STORAGE_KEY_HEADER_BYTES.checked_add(pk_len)?;
        let pk = storage_key.get(STORAGE_KEY_HEADER_BYTES..pk_end)?;
        let mut key = Item::new();
        key.insert(
            self.partition.name.clone(),
            decode_key_value(self.partition.scalar, pk)?,
        );
        if let Some(sort) = &self.sort {
            let sk = storage_key.get(pk_end..)?;
            key.insert(sort.name.clone(), decode_key_value(sort.scalar, sk)?);
        }
        Some(key)
    }

    /// Just the key attributes of `item`.
    pub fn key_of(&self, item: &Item) -> Item {
        self.names()
            .filter_map(|n| item.get(n).map(|v| (n.to_owned(), v.clone())))
            .collect()
    }
}

/// DynamoDB's error for a `Key` that does not match the key schema.
pub fn key_mismatch() -> ApiError {
    ApiError::validation("The provided key element does not match the schema")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn schema(pk: ScalarType, sk: ScalarType) -> PrimaryKeySchema {
        PrimaryKeySchema {
            partition: KeyAttribute {
                name: "pk".into(),
                scalar: pk,
            },
            sort: Some(KeyAttribute {
                name: "sk".into(),
                scalar: sk,
            }),
        }
    }

    fn item(pk: AttributeValue, sk: AttributeValue) -> Item {
        [("pk".to_owned(), pk), ("sk".to_owned(), sk)]
            .into_iter()
            .collect()
    }

    fn dynamo_cmp(a: &AttributeValue, b: &AttributeValue) -> std::cmp::Ordering {
        match (a, b) {
            (AttributeValue::S(x), AttributeValue::S(y)) => x.as_bytes().cmp(y.as_bytes()),
            (AttributeValue::B(x), AttributeValue::B(y)) => x.cmp(y),
            (AttributeValue::N(x), AttributeValue::N(y)) => x.cmp(y),
            _ => unreachable!(),
        }
    }

    fn arb_number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::from),
            ("-?[1-9][0-9]{0,37}", -130i32..=88).prop_filter_map("in range", |(m, e)| format!(
                "{m}e{e}"
            )
            .parse()
            .ok()),
            Just("1e-130".parse().unwrap_or_else(|_| Number::zero())),
            Just(
                "9.9999999999999999999999999999999999999e125"
                    .parse()
                    .unwrap_or_else(|_| Number::zero())
            ),
        ]
    }

    fn arb_sort(t: ScalarType) -> BoxedStrategy<AttributeValue> {
        match t {
            ScalarType::S => "\\PC{1,8}".prop_map(AttributeValue::S).boxed(),
            ScalarType::B => proptest::collection::vec(any::<u8>(), 1..8)
                .prop_map(AttributeValue::B)
                .boxed(),
            ScalarType::N => arb_number().prop_map(AttributeValue::N).boxed(),
        }
    }

    fn check_order(
        t: ScalarType,
        a: AttributeValue,
        b: AttributeValue,
    ) -> Result<(), TestCaseError> {
        let s = schema(ScalarType::S, t);
        let pk = AttributeValue::S("p".into());
        let ka = s.storage_key(7, &item(pk.clone(), a.clone()));
        let kb = s.storage_key(7, &item(pk, b.clone()));
        prop_assert_eq!(ka.partition, kb.partition.clone());
        prop_assert_eq!(ka.key.cmp(&kb.key), dynamo_cmp(&a, &b));
        let back = s.key_from_storage(&ka.key).unwrap();
        prop_assert_eq!(back.get("sk"), Some(&a));
        Ok(())
    }

    proptest! {
        #[test]
        fn storage_key_string_sort_order_equals_dynamodb_order(a in arb_sort(ScalarType::S), b in arb_sort(ScalarType::S)) {
            check_order(ScalarType::S, a, b)?;
        }

        #[test]
        fn storage_key_number_sort_order_equals_dynamodb_order(a in arb_sort(ScalarType::N), b in arb_sort(ScalarType::N)) {
            check_order(ScalarType::N, a, b)?;
        }

        #[test]
        fn storage_key_binary_sort_order_equals_dynamodb_order(a in arb_sort(ScalarType::B), b in arb_sort(ScalarType::B)) {
            check_order(ScalarType::B, a, b)?;
        }
    }

    #[test]
    fn check_key_map_wrong_shape_or_type_is_rejected() {
        let s = schema(ScalarType::S, ScalarType::N);
        let ok = item(
            AttributeValue::S("a".into()),
            AttributeValue::N(Number::from(1)),
        );
        assert!(s.check_key_map(&ok).is_ok());
        let wrong_type = item(AttributeValue::S("a".into()), AttributeValue::S("1".into()));
        assert_eq!(
            s.check_key_map(&wrong_type).unwrap_err().message(),
            "The provided key element does not match the schema"
        );
        let mut extra = ok.clone();
        extra.insert("x".into(), AttributeValue::Null);
        assert!(s.check_key_map(&extra).is_err());
        let empty = item(
            AttributeValue::S(String::new()),
            AttributeValue::N(Number::from(1)),
        );
        assert_eq!(
            s.check_key_map(&empty).unwrap_err().message(),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
        );
    }

    #[test]
    fn check_item_size_limits_match_dynamodb() {
        let s = schema(ScalarType::S, ScalarType::B);
        let at_limit = item(
            AttributeValue::S("x".repeat(2048)),
            AttributeValue::B(vec![1; 1024]),
        );
        assert!(s.check_item(&at_limit).is_ok());
        let big_pk = item(
            AttributeValue::S("x".repeat(2049)),
            AttributeValue::B(vec![1]),
        );
        assert_eq!(
            s.check_item(&big_pk).unwrap_err().message(),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
        );
        let big_sk = item(
            AttributeValue::S("x".into()),
            AttributeValue::B(vec![1; 1025]),
        );
        assert_eq!(
            s.check_item(&big_sk).unwrap_err().message(),
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
        );
        let mut missing = at_limit.clone();
        missing.remove("sk");
        assert_eq!(
            s.check_item(&missing).unwrap_err().message(),
            "One or more parameter values were invalid: Missing the key sk in the item"
        );
        let wrong = item(
            AttributeValue::N(Number::from(1)),
            AttributeValue::B(vec![1]),
        );
        assert_eq!(
            s.check_item(&wrong).unwrap_err().message(),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
        );
    }
}
