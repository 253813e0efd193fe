//! Attribute values and items: DynamoDB's ten types, set rules, nesting depth and item size.

use super::number::Number;
use crate::api::{ApiError, ApiResult};
use std::collections::BTreeMap;

/// An item: attribute names to values. Ordered, so encoding and comparison are deterministic.
pub type Item = BTreeMap<String, AttributeValue>;

/// Deepest level a value may sit at, counting a top-level attribute as level 1 (so at most
/// 31 maps or lists nest around a scalar), as DynamoDB counts.
pub const NESTING_DEPTH_MAX: usize = 32;

/// One DynamoDB attribute value.
///
/// Sets are kept sorted (strings and binaries by bytes, numbers numerically) once they have
/// been through [`AttributeValue::normalize`], which every write does; so two equal sets
/// compare equal whatever order a client sent them in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttributeValue {
    /// A UTF-8 string.
    S(String),
    /// An exact decimal number.
    N(Number),
    /// Binary data.
    B(Vec<u8>),
    /// A boolean.
    Bool(bool),
    /// The null value (DynamoDB's `{"NULL": true}`).
    Null,
    /// A map of names to values.
    M(BTreeMap<String, AttributeValue>),
    /// A list of values of any types.
    L(Vec<AttributeValue>),
    /// A set of strings.
    Ss(Vec<String>),
    /// A set of numbers.
    Ns(Vec<Number>),
    /// A set of binaries.
    Bs(Vec<Vec<u8>>),
}

/// The type of an attribute value, with DynamoDB's names (`S`, `N`, ..., `BOOL`, `NULL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarType {
    /// DynamoDB's name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }

    /// Parses `S`, `N` or `B`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "S" => Some(ScalarType::S),
            "N" => Some(ScalarType::N),
            "B" => Some(ScalarType::B),
            _ => None,
        }
    }
}

impl AttributeValue {
    /// DynamoDB's name of this value's type: `S`, `N`, `B`, `BOOL`, `NULL`, `M`, `L`, `SS`,
    /// `NS` or `BS`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
        }
    }

    /// The scalar type, for values that can be key attributes.
    pub fn scalar_type(&self) -> Option<ScalarType> {
        match self {
            AttributeValue::S(_) => Some(ScalarType::S),
            AttributeValue::N(_) => Some(ScalarType::N),
            AttributeValue::B(_) => Some(ScalarType::B),
            _ => None,
        }
    }

    /// The value's contribution to item size, by DynamoDB's rules (attribute name excluded).
    pub fn size_bytes(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.size_bytes(),
            AttributeValue::B(b) => b.len(),
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::M(m) => {
                3 + m
                    .iter()
                    .map(|(k, v)| 1 + k.len() + v.size_bytes())
                    .sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + v.size_bytes()).sum::<usize>(),
            AttributeValue::Ss(s) => s.iter().map(String::len).sum(),
            AttributeValue::Ns(s) => s.iter().map(Number::size_bytes).sum(),
            AttributeValue::Bs(s) => s.iter().map(Vec::len).sum(),
        }
    }

    /// Checks DynamoDB's rules on this value and puts sets into canonical (sorted) order:
    /// sets must be non-empty and duplicate-free, and no value, scalars included, sits deeper
    /// than [`NESTING_DEPTH_MAX`] levels. `depth` is the nesting level of this value (1 for a
    /// top-level attribute).
    pub fn normalize(&mut self, depth: usize) -> ApiResult<()> {
        // DynamoDB counts every value as a level, scalars included: a scalar inside 31 nested
        // maps sits at level 32 and is accepted, one inside 32 maps is rejected.
        check_depth(depth)?;
        match self {
            AttributeValue::M(m) => {
                for v in m.values_mut() {
                    v.normalize(depth + 1)?;
                }
            }
            AttributeValue::L(l) => {
                for v in l.iter_mut() {
                    v.normalize(depth + 1)?;
                }
            }
            AttributeValue::Ss(s) => {
                if s.is_empty() {
                    return Err(invalid("An string set  may not be empty"));
                }
                if has_duplicates(s) {
                    let listed = s.join(", ");
                    return Err(invalid(&format!(
                        "Input collection [{listed}] contains duplicates."
                    )));
                }
                s.sort_unstable();
            }
            AttributeValue::Ns(s) => {
                if s.is_empty() {
                    return Err(invalid("An number set  may not be empty"));
                }
                s.sort_unstable();
                if has_adjacent_duplicates(s) {
                    return Err(ApiError::validation("Input collection contains duplicates"));
                }
            }
            AttributeValue::Bs(s) => {
                if s.is_empty() {
                    return Err(invalid("Binary sets should not be empty"));
                }
                if has_duplicates(s) {
                    let listed: Vec<String> = s.iter().map(|b| base64(b)).collect();
                    return Err(invalid(&format!(
                        "Input collection [{}]of type BS contains duplicates.",
                        listed.join(", ")
                    )));
                }
                s.sort_unstable();
            }
            AttributeValue::S(_)
            | AttributeValue::N(_)
            | AttributeValue::B(_)
            | AttributeValue::Bool(_)
            | AttributeValue::Null => {}
        }
        Ok(())
    }
}

fn check_depth(depth: usize) -> ApiResult<()> {
    if depth > NESTING_DEPTH_MAX {
        return Err(ApiError::validation(
            "Nesting Levels have exceeded supported limits",
        ));
    }
    Ok(())
}

fn has_adjacent_duplicates<T: PartialEq>(sorted: &[T]) -> bool {
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// Whether `set` holds an element twice, leaving `set` in the order the client sent it
/// (DynamoDB's duplicate messages list the collection as given).
fn has_duplicates<T: Ord>(set: &[T]) -> bool {
    let mut sorted: Vec<&T> = set.iter().collect();
    sorted.sort_unstable();
    has_adjacent_duplicates(&sorted)
}

/// Standard base64 with padding (RFC 4648), as DynamoDB prints binaries in messages.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A ValidationException with DynamoDB's "One or more parameter values were invalid" prefix.
pub(crate) fn invalid(detail: &str) -> ApiError {
    ApiError::Validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// Item size by DynamoDB's rules: the sum over attributes of name length plus value size.
pub fn item_size_bytes(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size_bytes()).sum()
}

/// Normalizes every attribute of `item` (see [`AttributeValue::normalize`]).
pub fn normalize_item(item: &mut Item) -> ApiResult<()> {
    for v in item.values_mut() {
        v.normalize(1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    #[test]
    fn item_size_documented_example_is_23_bytes() {
        let mut m = BTreeMap::new();
        m.insert("shirt-color".to_owned(), s("R"));
        m.insert("shirt-size".to_owned(), s("M"));
        // 11 + 1 + 10 + 1 = 23, the Developer Guide's example.
        assert_eq!(item_size_bytes(&m), 23);
        let nested = AttributeValue::M(m);
        assert_eq!(nested.size_bytes(), 3 + 2 + 23);
    }

    #[test]
    fn normalize_sets_sorts_and_rejects_duplicates_and_empties() {
        let mut v = AttributeValue::Ss(vec!["b".into(), "a".into()]);
        v.normalize(1).unwrap();
        assert_eq!(v, AttributeValue::Ss(vec!["a".into(), "b".into()]));
        let mut v = AttributeValue::Ss(vec!["a".into(), "b".into(), "a".into()]);
        assert_eq!(
            v.normalize(1).unwrap_err().message(),
            "One or more parameter values were invalid: Input collection [a, b, a] contains duplicates."
        );
        let mut v = AttributeValue::Ns(vec![]);
        assert_eq!(
            v.normalize(1).unwrap_err().message(),
            "One or more parameter values were invalid: An number set  may not be empty"
        );
        let one: Number = "1".parse().unwrap();
        let one_again: Number = "1.00".parse().unwrap();
        let mut v = AttributeValue::Ns(vec![one, one_again]);
        assert!(v.normalize(1).is_err());
        let mut v = AttributeValue::Bs(vec![]);
        assert!(v.normalize(1).is_err());
    }

    #[test]
    fn normalize_nesting_beyond_32_levels_is_rejected() {
        // 31 lists around a scalar: the scalar is at level 32, the deepest allowed.
        let mut v = AttributeValue::Null;
        for _ in 0..31 {
            v = AttributeValue::L(vec![v]);
        }
        assert!(v.clone().normalize(1).is_ok());
        let mut deeper = AttributeValue::L(vec![v]);
        assert_eq!(
            deeper.normalize(1).unwrap_err().message(),
            "Nesting Levels have exceeded supported limits"
        );
    }
}
