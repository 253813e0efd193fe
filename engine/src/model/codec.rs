//! The binary item encoding stored as the LSM value of every item.
//!
//! Layout (see docs/format.md): `version u8 = 1`, `attribute count varint`, then per
//! attribute `name` (varint length + UTF-8 bytes) and a value. A value is a tag byte and a
//! payload:
//!
//! | tag | type | payload |
//! |---|---|---|
//! | 1 | S | varint length + UTF-8 bytes |
//! | 2 | N | the number's self-delimiting encoding ([`Number::encode`]) |
//! | 3 | B | varint length + bytes |
//! | 4 / 5 | BOOL false / true | none |
//! | 6 | NULL | none |
//! | 7 | M | varint count + (name, value) pairs |
//! | 8 | L | varint count + values |
//! | 9 / 10 / 11 | SS / NS / BS | varint count + elements as for S / N / B |
//!
//! Decoding checks every length against the buffer, bounds the nesting depth and rejects
//! trailing bytes, so damaged or hostile input is an error, never a panic or wrong data.

use super::attribute::{AttributeValue, Item, NESTING_DEPTH_MAX};
use super::number::Number;
use crate::error::Corruption;
use crate::lsm::coding::{put_bytes, put_varint, Reader};
use std::collections::BTreeMap;

/// Version byte of the encoding.
const FORMAT_VERSION: u8 = 1;

const TAG_S: u8 = 1;
const TAG_N: u8 = 2;
const TAG_B: u8 = 3;
const TAG_FALSE: u8 = 4;
const TAG_TRUE: u8 = 5;
const TAG_NULL: u8 = 6;
const TAG_M: u8 = 7;
const TAG_L: u8 = 8;
const TAG_SS: u8 = 9;
const TAG_NS: u8 = 10;
const TAG_BS: u8 = 11;

/// Appends the encoding of `item` to `out`.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) {
    out.push(FORMAT_VERSION);
    encode_map(item, out);
}

/// The encoding of `item` in a new buffer.
pub fn encode_item_to_vec(item: &Item) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    encode_item(item, &mut out);
    out
}

fn encode_map(map: &BTreeMap<String, AttributeValue>, out: &mut Vec<u8>) {
    put_varint(out, map.len() as u64);
    for (name, value) in map {
        put_bytes(out, name.as_bytes());
        encode_value(value, out);
    }
}

fn encode_value(value: &AttributeValue, out: &mut Vec<u8>) {
    match value {
        AttributeValue::S(s) => {
            out.push(TAG_S);
            put_bytes(out, s.as_bytes());
        }
        AttributeValue::N(n) => {
            out.push(TAG_N);
            n.encode(out);
        }
        AttributeValue::B(b) => {
            out.push(TAG_B);
            put_bytes(out, b);
        }
        AttributeValue::Bool(b) => out.push(if *b { TAG_TRUE } else { TAG_FALSE }),
        AttributeValue::Null => out.push(TAG_NULL),
        AttributeValue::M(m) => {
            out.push(TAG_M);
            encode_map(m, out);
        }
        AttributeValue::L(l) => {
            out.push(TAG_L);
            put_varint(out, l.len() as u64);
            for v in l {
                encode_value(v, out);
            }
        }
        AttributeValue::Ss(s) => {
            out.push(TAG_SS);
            put_varint(out, s.len() as u64);
            for e in s {
                put_bytes(out, e.as_bytes());
            }
        }
        AttributeValue::Ns(s) => {
            out.push(TAG_NS);
            put_varint(out, s.len() as u64);
            for e in s {
                e.encode(out);
            }
        }
        AttributeValue::Bs(s) => {
            out.push(TAG_BS);
            put_varint(out, s.len() as u64);
            for e in s {
                put_bytes(out, e);
            }
        }
    }
}

/// Decodes an item encoded by [`encode_item`].
pub fn decode_item(buf: &[u8]) -> Result<Item, Corruption> {
    let mut r = Reader::new(buf);
    match r.u8() {
        Some(FORMAT_VERSION) => {}
        Some(_) => return Err(Corruption::UnknownTag),
        None => return Err(Corruption::TruncatedHeader),
    }
    let item = decode_map(&mut r, 0)?;
    if !r.is_empty() {
        return Err(Corruption::BadRecord);
    }
    Ok(item)
}

/// Reads a count and checks it against the bytes left (every element takes at least one).
pub(crate) fn count(r: &mut Reader<'_>) -> Result<usize, Corruption> {
    let n = r.varint().ok_or(Corruption::BadVarint)?;
    if n > r.remaining() as u64 {
        return Err(Corruption::LengthOutOfBounds);
    }
    Ok(n as usize)
}

/// Reads a len-prefixed UTF-8 string.
pub(crate) fn string(r: &mut Reader<'_>) -> Result<String, Corruption> {
    let b = r.len_bytes().ok_or(Corruption::LengthOutOfBounds)?;
    String::from_utf8(b.to_vec()).map_err(|_| Corruption::BadRecord)
}

fn number(r: &mut Reader<'_>) -> Result<Number, Corruption> {
    let rest = r.rest();
    let (n, used) = Number::decode(rest).ok_or(Corruption::BadRecord)?;
    r.bytes(used).ok_or(Corruption::LengthOutOfBounds)?;
    Ok(n)
}

fn decode_map(r: &mut Reader<'_>, depth: usize) -> Result<Item, Corruption> {
    let n = count(r)?;
    let mut map = BTreeMap::new();
    for _ in 0..n {
        let name = string(r)?;
        let value = decode_value(r, depth)?;
        if map.insert(name, value).is_some() {
            return Err(Corruption::BadRecord);
        }
    }
    Ok(map)
}

fn decode_value(r: &mut Reader<'_>, depth: usize) -> Result<AttributeValue, Corruption> {
    let tag = r.u8().ok_or(Corruption::LengthOutOfBounds)?;
    Ok(match tag {
        TAG_S => AttributeValue::S(string(r)?),
        TAG_N => AttributeValue::N(number(r)?),
        TAG_B => AttributeValue::B(r.len_bytes().ok_or(Corruption::LengthOutOfBounds)?.to_vec()),
        TAG_FALSE => AttributeValue::Bool(false),
        TAG_TRUE => AttributeValue::Bool(true),
        TAG_NULL => AttributeValue::Null,
        TAG_M | TAG_L if depth >= NESTING_DEPTH_MAX => return Err(Corruption::BadRecord),
        TAG_M => AttributeValue::M(decode_map(r, depth + 1)?),
        TAG_L => {
            let n = count(r)?;
            let mut l = Vec::with_capacity(n);
            for _ in 0..n {
                l.push(decode_value(r, depth + 1)?);
            }
            AttributeValue::L(l)
        }
        TAG_SS => {
            let n = count(r)?;
            let mut s = Vec::with_capacity(n);
            for _ in 0..n {
                s.push(string(r)?);
            }
            AttributeValue::Ss(s)
        }
        TAG_NS => {
            let n = count(r)?;
            let mut s = Vec::with_capacity(n);
            for _ in 0..n {
                s.push(number(r)?);
            }
            AttributeValue::Ns(s)
        }
        TAG_BS => {
            let n = count(r)?;
            let mut s = Vec::with_capacity(n);
            for _ in 0..n {
                s.push(r.len_bytes().ok_or(Corruption::LengthOutOfBounds)?.to_vec());
            }
            AttributeValue::Bs(s)
        }
        _ => return Err(Corruption::UnknownTag),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_number() -> impl Strategy<Value = Number> {
        (any::<i64>(), -20i32..20).prop_map(|(m, e)| {
            format!("{m}e{e}")
                .parse()
                .unwrap_or_else(|_| Number::from(m))
        })
    }

    fn arb_value() -> impl Strategy<Value = AttributeValue> {
        let leaf = prop_oneof![
            ".{0,12}".prop_map(AttributeValue::S),
            arb_number().prop_map(AttributeValue::N),
            proptest::collection::vec(any::<u8>(), 0..12).prop_map(AttributeValue::B),
            any::<bool>().prop_map(AttributeValue::Bool),
            Just(AttributeValue::Null),
            proptest::collection::btree_set(".{0,6}", 1..4)
                .prop_map(|s| AttributeValue::Ss(s.into_iter().collect())),
            proptest::collection::btree_set(any::<i64>(), 1..4)
                .prop_map(|s| AttributeValue::Ns(s.into_iter().map(Number::from).collect())),
            proptest::collection::btree_set(proptest::collection::vec(any::<u8>(), 0..6), 1..4)
                .prop_map(|s| AttributeValue::Bs(s.into_iter().collect())),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(AttributeValue::L),
                proptest::collection::btree_map(".{0,6}", inner, 0..6).prop_map(AttributeValue::M),
            ]
        })
    }

    /// Arbitrary items, for tests elsewhere in the crate.
    pub(crate) fn arb_item() -> impl Strategy<Value = Item> {
        proptest::collection::btree_map(".{1,8}", arb_value(), 0..8)
    }

    proptest! {
        #[test]
        fn codec_arbitrary_item_round_trips(item in arb_item()) {
            let bytes = encode_item_to_vec(&item);
            prop_assert_eq!(decode_item(&bytes).unwrap(), item);
        }

        #[test]
        fn codec_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_item(&bytes);
        }
    }

    #[test]
    fn codec_truncated_or_extended_input_is_rejected() {
        let mut item = Item::new();
        item.insert("a".into(), AttributeValue::S("hello".into()));
        item.insert("n".into(), AttributeValue::N(Number::from(42)));
        let bytes = encode_item_to_vec(&item);
        for cut in 0..bytes.len() {
            assert!(decode_item(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_item(&longer), Err(Corruption::BadRecord));
    }

    #[test]
    fn codec_nesting_deeper_than_limit_is_rejected() {
        let mut v = AttributeValue::Null;
        for _ in 0..40 {
            v = AttributeValue::L(vec![v]);
        }
        let mut item = Item::new();
        item.insert("deep".into(), v);
        assert_eq!(
            decode_item(&encode_item_to_vec(&item)),
            Err(Corruption::BadRecord)
        );
    }
}
