//! DynamoDB's data model: attribute values, items, keys, the item codec and item size.
//!
//! **Invariant**: the layers below ([`crate::lsm`], [`crate::shard`]) never see an item;
//! they store the bytes [`codec`] and [`key`] produce.

pub mod attribute;
pub mod codec;
pub mod key;
pub mod number;

pub use attribute::{item_size_bytes, normalize_item, AttributeValue, Item, ScalarType};
pub use key::{KeyAttribute, PrimaryKeySchema, StorageKey};
pub use number::{Number, NumberError};
