//! Cache keys: a canonical, injective byte encoding of what makes two requests the same
//! (every string and list is length-prefixed, maps are sorted by key), and the hashes that
//! pick generation stripes.
//!
//! Two requests with the same key bytes always get the same answer from the engine; two
//! requests that differ only in ways the engine ignores (a set's order, unused members) may
//! get different keys, which only costs a miss.

use std::collections::{BTreeMap, HashMap};
use tessera_engine::api::*;
use tessera_engine::model::{AttributeValue, Item};
use xxhash_rust::xxh3::xxh3_64;

/// A canonical encoder.
#[derive(Default)]
pub struct Canon(Vec<u8>);

impl Canon {
    /// An encoder starting with `kind` (so item, query and scan keys never collide).
    pub fn new(kind: u8) -> Self {
        Canon(vec![kind])
    }

    /// The bytes.
    pub fn finish(self) -> Vec<u8> {
        self.0
    }

    fn len(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    /// A byte string.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.len(b.len());
        self.0.extend_from_slice(b);
        self
    }

    /// A string.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// An optional string.
    pub fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
        self
    }

    /// A small tag or flag.
    pub fn tag(&mut self, t: u8) -> &mut Self {
        self.0.push(t);
        self
    }

    /// An optional boolean.
    pub fn opt_bool(&mut self, b: Option<bool>) -> &mut Self {
        self.tag(match b {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        })
    }

    /// An optional integer.
    pub fn opt_i64(&mut self, n: Option<i64>) -> &mut Self {
        match n {
            None => self.0.push(0),
            Some(n) => {
                self.0.push(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
        }
        self
    }

    /// An optional list of strings.
    pub fn opt_strs(&mut self, list: Option<&[String]>) -> &mut Self {
        match list {
            None => self.0.push(0),
            Some(list) => {
                self.0.push(1);
                self.len(list.len());
                for s in list {
                    self.str(s);
                }
            }
        }
        self
    }

    /// An attribute value.
    pub fn value(&mut self, v: &AttributeValue) -> &mut Self {
        match v {
            AttributeValue::S(s) => self.tag(0).str(s),
            AttributeValue::N(n) => self.tag(1).str(&n.to_string()),
            AttributeValue::B(b) => self.tag(2).bytes(b),
            AttributeValue::Bool(b) => self.tag(3).tag(u8::from(*b)),
            AttributeValue::Null => self.tag(4),
            AttributeValue::M(m) => self.tag(5).item(m),
            AttributeValue::L(l) => {
                self.tag(6).len(l.len());
                for e in l {
                    self.value(e);
                }
                self
            }
            AttributeValue::Ss(s) => {
                self.tag(7).len(s.len());
                for e in s {
                    self.str(e);
                }
                self
            }
            AttributeValue::Ns(s) => {
                self.tag(8).len(s.len());
                for e in s {
                    self.str(&e.to_string());
                }
                self
            }
            AttributeValue::Bs(s) => {
                self.tag(9).len(s.len());
                for e in s {
                    self.bytes(e);
                }
                self
            }
        }
    }

    /// An item or key (already sorted by name).
    pub fn item(&mut self, item: &Item) -> &mut Self {
        self.len(item.len());
        for (k, v) in item {
            self.str(k).value(v);
        }
        self
    }

    /// An optional item.
    pub fn opt_item(&mut self, item: Option<&Item>) -> &mut Self {
        match item {
            None => self.tag(0),
            Some(i) => self.tag(1).item(i),
        }
    }

    /// A map from names, sorted.
    fn sorted<V>(
        &mut self,
        map: Option<&HashMap<String, V>>,
        mut value: impl FnMut(&mut Self, &V),
    ) {
        match map {
            None => self.0.push(0),
            Some(map) => {
                self.0.push(1);
                let sorted: BTreeMap<&String, &V> = map.iter().collect();
                self.len(sorted.len());
                for (k, v) in sorted {
                    self.str(k);
                    value(self, v);
                }
            }
        }
    }

    /// ExpressionAttributeNames.
    pub fn names(&mut self, names: Option<&AttributeNames>) -> &mut Self {
        self.sorted(names, |c, v| {
            c.str(v);
        });
        self
    }

    /// ExpressionAttributeValues.
    pub fn values(&mut self, values: Option<&AttributeValues>) -> &mut Self {
        self.sorted(values, |c, v| {
            c.value(v);
        });
        self
    }

    /// Legacy KeyConditions, QueryFilter or ScanFilter.
    pub fn conditions(&mut self, conditions: Option<&Conditions>) -> &mut Self {
        self.sorted(conditions, |c, cond| {
            c.str(cond.comparison_operator.as_str());
            match &cond.attribute_value_list {
                None => {
                    c.tag(0);
                }
                Some(list) => {
                    c.tag(1).len(list.len());
                    for v in list {
                        c.value(v);
                    }
                }
            }
        });
        self
    }

    /// Select and ConditionalOperator.
    pub fn select(&mut self, select: Option<Select>, op: Option<ConditionalOperator>) -> &mut Self {
        self.opt_str(select.map(Select::as_str));
        self.tag(match op {
            None => 0,
            Some(ConditionalOperator::And) => 1,
            Some(ConditionalOperator::Or) => 2,
        })
    }
}

/// The item cache's key of one GetItem (or one key of a BatchGetItem): table, key and
/// projection.
pub fn item_key(
    table: &str,
    key: &Item,
    projection: Option<&str>,
    names: Option<&AttributeNames>,
    attributes_to_get: Option<&[String]>,
) -> Vec<u8> {
    let mut c = Canon::new(b'i');
    c.str(table)
        .item(key)
        .opt_str(projection)
        .names(names)
        .opt_strs(attributes_to_get);
    c.finish()
}

/// The query cache's key of a Query: the whole request.
pub fn query_key(q: &QueryInput) -> Vec<u8> {
    let mut c = Canon::new(b'q');
    c.str(&q.table_name)
        .opt_str(q.index_name.as_deref())
        .opt_str(q.key_condition_expression.as_deref())
        .opt_str(q.filter_expression.as_deref())
        .opt_str(q.projection_expression.as_deref())
        .names(q.expression_attribute_names.as_ref())
        .values(q.expression_attribute_values.as_ref())
        .select(q.select, q.conditional_operator)
        .opt_i64(q.limit)
        .opt_bool(q.scan_index_forward)
        .opt_item(q.exclusive_start_key.as_ref())
        .conditions(q.key_conditions.as_ref())
        .conditions(q.query_filter.as_ref())
        .opt_strs(q.attributes_to_get.as_deref());
    c.finish()
}

/// The query cache's key of a Scan: the whole request.
pub fn scan_key(s: &ScanInput) -> Vec<u8> {
    let mut c = Canon::new(b's');
    c.str(&s.table_name)
        .opt_str(s.index_name.as_deref())
        .opt_str(s.filter_expression.as_deref())
        .opt_str(s.projection_expression.as_deref())
        .names(s.expression_attribute_names.as_ref())
        .values(s.expression_attribute_values.as_ref())
        .select(s.select, s.conditional_operator)
        .opt_i64(s.limit)
        .opt_item(s.exclusive_start_key.as_ref())
        .opt_i64(s.segment)
        .opt_i64(s.total_segments)
        .conditions(s.scan_filter.as_ref())
        .opt_strs(s.attributes_to_get.as_deref());
    c.finish()
}

/// Hash picking the stripe of one item (table and key).
pub fn item_hash(table: &str, key: &Item) -> u64 {
    let mut c = Canon::new(b'I');
    c.str(table).item(key);
    xxh3_64(&c.finish())
}

/// Hash picking the stripe of one partition.
pub fn partition_hash(table: &str, partition: &AttributeValue) -> u64 {
    let mut c = Canon::new(b'P');
    c.str(table).value(partition);
    xxh3_64(&c.finish())
}

/// Hash picking the stripe of a whole table (Scans, index Queries).
pub fn table_hash(table: &str) -> u64 {
    let mut c = Canon::new(b'T');
    c.str(table);
    xxh3_64(&c.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    #[test]
    fn item_key_differs_in_each_part_and_not_in_map_order() {
        let key = Item::from([("pk".to_owned(), s("a"))]);
        let base = item_key("t", &key, None, None, None);
        assert_ne!(base, item_key("u", &key, None, None, None));
        assert_ne!(
            base,
            item_key(
                "t",
                &Item::from([("pk".to_owned(), s("b"))]),
                None,
                None,
                None
            )
        );
        assert_ne!(base, item_key("t", &key, Some("a"), None, None));
        assert_ne!(
            base,
            item_key("t", &key, None, None, Some(&["a".to_owned()]))
        );
        // Length prefixes keep ("ab", "c") apart from ("a", "bc").
        assert_ne!(
            item_key(
                "ab",
                &Item::from([("c".to_owned(), s(""))]),
                None,
                None,
                None
            ),
            item_key(
                "a",
                &Item::from([("bc".to_owned(), s(""))]),
                None,
                None,
                None
            )
        );
        let mut n1 = AttributeNames::new();
        n1.insert("#a".into(), "a".into());
        n1.insert("#b".into(), "b".into());
        let mut n2 = AttributeNames::new();
        n2.insert("#b".into(), "b".into());
        n2.insert("#a".into(), "a".into());
        assert_eq!(
            item_key("t", &key, Some("#a"), Some(&n1), None),
            item_key("t", &key, Some("#a"), Some(&n2), None)
        );
    }

    #[test]
    fn query_key_covers_paging_and_direction() {
        let q = QueryInput {
            table_name: "t".into(),
            key_condition_expression: Some("pk = :p".into()),
            ..Default::default()
        };
        let base = query_key(&q);
        let mut other = q.clone();
        other.scan_index_forward = Some(false);
        assert_ne!(base, query_key(&other));
        let mut other = q.clone();
        other.exclusive_start_key = Some(Item::from([("pk".to_owned(), s("a"))]));
        assert_ne!(base, query_key(&other));
        let mut other = q.clone();
        other.limit = Some(1);
        assert_ne!(base, query_key(&other));
        assert_ne!(
            base,
            scan_key(&ScanInput {
                table_name: "t".into(),
                ..Default::default()
            })
        );
    }
}
