//! Items for the item-layer benchmarks: a table definition and 1 KB items.

use crate::keys::{key, value};
use tessera_engine::api::{
    AttributeDefinition, BillingMode, CreateTableInput, KeySchemaElement, KeyType,
};
use tessera_engine::model::{AttributeValue, Item, Number, ScalarType};

/// Name of the benchmark table.
pub const TABLE: &str = "bench";

/// A table keyed by partition `pk` (S) and sort key `sk` (N), on demand.
pub fn table_input() -> CreateTableInput {
    CreateTableInput {
        table_name: TABLE.to_owned(),
        key_schema: vec![
            KeySchemaElement::new("pk", KeyType::Hash),
            KeySchemaElement::new("sk", KeyType::Range),
        ],
        attribute_definitions: vec![
            AttributeDefinition::new("pk", ScalarType::S),
            AttributeDefinition::new("sk", ScalarType::N),
        ],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

/// The key of item `i` in partition `partition`.
pub fn item_key(partition: u64, i: u64) -> Item {
    let mut k = Item::new();
    k.insert(
        "pk".to_owned(),
        AttributeValue::S(String::from_utf8_lossy(&key(partition)).into_owned()),
    );
    k.insert("sk".to_owned(), AttributeValue::N(Number::from(i)));
    k
}

/// Item `i` of `partition`: its key plus about 1 KB of attributes of several types (by
/// DynamoDB's size rule: 1,000 to 1,030 bytes).
pub fn item_1kb(partition: u64, i: u64) -> Item {
    let mut item = item_key(partition, i);
    let blob = value(i, 690);
    item.insert("payload".to_owned(), AttributeValue::B(blob));
    item.insert(
        "name".to_owned(),
        AttributeValue::S(format!("user-{i:012}-").repeat(12)),
    );
    item.insert("count".to_owned(), AttributeValue::N(Number::from(i * 7)));
    item.insert(
        "active".to_owned(),
        AttributeValue::Bool(i.is_multiple_of(2)),
    );
    item.insert(
        "tags".to_owned(),
        AttributeValue::Ss(vec!["alpha".into(), "beta".into(), "gamma".into()]),
    );
    let mut address = Item::new();
    address.insert("city".to_owned(), AttributeValue::S("Lisbon".into()));
    address.insert("zip".to_owned(), AttributeValue::N(Number::from(1100)));
    item.insert("address".to_owned(), AttributeValue::M(address));
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_engine::model::item_size_bytes;

    #[test]
    fn item_1kb_is_about_one_kilobyte() {
        let size = item_size_bytes(&item_1kb(3, 12345));
        assert!((1000..=1100).contains(&size), "{size}");
    }
}
