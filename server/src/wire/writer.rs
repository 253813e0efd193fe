//! A compact JSON writer: responses and error bodies go straight into bytes, without building
//! a `serde_json::Value` tree first (a 1 MB Query page would otherwise allocate a node per
//! value).
//!
//! Objects are written through closures, so braces and commas always balance:
//!
//! ```text
//! object(&mut out, |o| { o.str("TableName", "t"); o.i64("Count", 2); });   // {"TableName":"t","Count":2}
//! ```

/// Writes `{`, lets `fields` add members, writes `}`.
pub(crate) fn object(out: &mut Vec<u8>, fields: impl FnOnce(&mut Object<'_>)) {
    out.push(b'{');
    let mut o = Object { out, empty: true };
    fields(&mut o);
    o.out.push(b'}');
}

/// Writes `[`, each element through `element`, then `]`.
pub(crate) fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut element: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        element(out, item);
    }
    out.push(b']');
}

/// Writes `s` as a JSON string, escaping what JSON requires (quote, backslash, controls).
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Writes an integer.
pub(crate) fn i64(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(n.to_string().as_bytes());
}

/// Writes a JSON number (timestamps in epoch seconds). JSON has no NaN or infinity; those
/// never occur in a timestamp, and are written as 0 rather than as invalid JSON.
pub(crate) fn f64(out: &mut Vec<u8>, x: f64) {
    match serde_json::Number::from_f64(x) {
        Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
        None => out.push(b'0'),
    }
}

/// The members of an object being written; see [`object`].
pub(crate) struct Object<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl Object<'_> {
    /// Writes `"name":` (after a comma unless first) and returns the buffer for the value.
    pub(crate) fn key(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        string(self.out, name);
        self.out.push(b':');
        self.out
    }

    /// A string member.
    pub(crate) fn str(&mut self, name: &str, value: &str) {
        string(self.key(name), value);
    }

    /// A string member, omitted when absent.
    pub(crate) fn opt_str(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(name, v);
        }
    }

    /// An integer member.
    pub(crate) fn i64(&mut self, name: &str, value: i64) {
        i64(self.key(name), value);
    }

    /// A floating-point member.
    pub(crate) fn f64(&mut self, name: &str, value: f64) {
        f64(self.key(name), value);
    }

    /// A floating-point member, omitted when absent.
    pub(crate) fn opt_f64(&mut self, name: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.f64(name, v);
        }
    }

    /// A boolean member.
    pub(crate) fn bool(&mut self, name: &str, value: bool) {
        let text: &[u8] = if value { b"true" } else { b"false" };
        self.key(name).extend_from_slice(text);
    }

    /// An object member.
    pub(crate) fn object(&mut self, name: &str, fields: impl FnOnce(&mut Object<'_>)) {
        object(self.key(name), fields);
    }

    /// An array member.
    pub(crate) fn array<T>(
        &mut self,
        name: &str,
        items: impl IntoIterator<Item = T>,
        element: impl FnMut(&mut Vec<u8>, T),
    ) {
        array(self.key(name), items, element);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(write: impl FnOnce(&mut Vec<u8>), expected: &str) {
        let mut out = Vec::new();
        write(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, expected);
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }

    #[test]
    fn string_escapes_quotes_backslashes_and_controls() {
        check(|o| string(o, "a\"b\\c"), r#""a\"b\\c""#);
        check(|o| string(o, "\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        check(|o| string(o, "\u{0}\u{1f}"), r#""\u0000\u001f""#);
        check(|o| string(o, "é/€"), "\"é/€\"");
    }

    #[test]
    fn object_nested_members_are_comma_separated() {
        check(
            |out| {
                object(out, |o| {
                    o.str("a", "x");
                    o.opt_str("skipped", None);
                    o.i64("n", -3);
                    o.bool("t", true);
                    o.object("m", |_| {});
                    o.array("l", [1, 2], i64);
                    o.opt_f64("f", Some(1.5));
                })
            },
            r#"{"a":"x","n":-3,"t":true,"m":{},"l":[1,2],"f":1.5}"#,
        );
    }

    #[test]
    fn f64_non_finite_writes_zero() {
        check(|o| f64(o, f64::NAN), "0");
        check(|o| f64(o, 1_700_000_000.25), "1700000000.25");
    }
}
