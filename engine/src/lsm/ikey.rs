//! Internal keys: a user key plus an 8-byte trailer of sequence number and kind.
//!
//! Order: user key ascending (unsigned bytes), then sequence number descending, so the
//! newest version of a key comes first. The trailer is `(seq << 8) | kind`, big-endian.

use std::cmp::Ordering;

/// Bytes the trailer adds to a user key.
pub const TRAILER_LEN: usize = 8;

/// Largest sequence number (56 bits; the low byte of the trailer holds the kind).
pub const SEQ_MAX: u64 = (1 << 56) - 1;

/// What an entry records about its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ValueKind {
    /// The key was deleted (a tombstone); the value is empty.
    Delete = 0,
    /// The key was set to the value.
    Put = 1,
}

impl ValueKind {
    /// Decodes a kind byte.
    pub fn from_u8(b: u8) -> Option<Self> {
        match b {
            0 => Some(ValueKind::Delete),
            1 => Some(ValueKind::Put),
            _ => None,
        }
    }
}

/// Appends the internal key for (`user_key`, `seq`, `kind`) to `out`.
pub fn encode_into(out: &mut Vec<u8>, user_key: &[u8], seq: u64, kind: ValueKind) {
    debug_assert!(seq <= SEQ_MAX);
    out.extend_from_slice(user_key);
    out.extend_from_slice(&((seq << 8) | kind as u64).to_be_bytes());
}

/// Returns the internal key for (`user_key`, `seq`, `kind`).
pub fn encode(user_key: &[u8], seq: u64, kind: ValueKind) -> Vec<u8> {
    let mut out = Vec::with_capacity(user_key.len() + TRAILER_LEN);
    encode_into(&mut out, user_key, seq, kind);
    out
}

/// Splits an internal key into user key, sequence number and kind.
/// `None` if it is shorter than a trailer or the kind byte is unknown.
pub fn decode(ikey: &[u8]) -> Option<(&[u8], u64, ValueKind)> {
    let split = ikey.len().checked_sub(TRAILER_LEN)?;
    let (user_key, trailer) = ikey.split_at(split);
    let t = u64::from_be_bytes(trailer.try_into().ok()?);
    Some((user_key, t >> 8, ValueKind::from_u8((t & 0xff) as u8)?))
}

/// The user-key part of an internal key (the whole slice if it is too short).
pub fn user_key(ikey: &[u8]) -> &[u8] {
    &ikey[..ikey.len().saturating_sub(TRAILER_LEN)]
}

/// The trailer value `(seq << 8) | kind` (0 if too short).
fn trailer(ikey: &[u8]) -> u64 {
    match ikey.len().checked_sub(TRAILER_LEN) {
        Some(i) => {
            let mut t = [0u8; 8];
            t.copy_from_slice(&ikey[i..]);
            u64::from_be_bytes(t)
        }
        None => 0,
    }
}

/// Compares internal keys: user key ascending, then sequence number (and kind) descending.
pub fn compare(a: &[u8], b: &[u8]) -> Ordering {
    user_key(a)
        .cmp(user_key(b))
        .then_with(|| trailer(b).cmp(&trailer(a)))
}

/// The smallest internal key for `user_key`: sorts before every version of it.
pub fn seek_first(user_key: &[u8]) -> Vec<u8> {
    encode(user_key, SEQ_MAX, ValueKind::Put)
}

/// The internal key that sorts just before the versions of `user_key` visible at `seq`.
pub fn seek_at(user_key: &[u8], seq: u64) -> Vec<u8> {
    encode(user_key, seq.min(SEQ_MAX), ValueKind::Put)
}

/// The largest internal key for `user_key`: sorts after every version of it.
pub fn seek_last(user_key: &[u8]) -> Vec<u8> {
    encode(user_key, 0, ValueKind::Delete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_newer_versions_sort_first() {
        let a = encode(b"k", 5, ValueKind::Put);
        let b = encode(b"k", 3, ValueKind::Put);
        let c = encode(b"k\0", 9, ValueKind::Put);
        assert_eq!(compare(&a, &b), Ordering::Less);
        assert_eq!(compare(&b, &c), Ordering::Less);
        assert_eq!(compare(&seek_first(b"k"), &a), Ordering::Less);
        assert_eq!(compare(&seek_last(b"k"), &b), Ordering::Greater);
        assert_eq!(decode(&a), Some((&b"k"[..], 5, ValueKind::Put)));
        assert_eq!(decode(b"short"), None);
    }
}
