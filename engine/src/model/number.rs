//! DynamoDB's exact decimal number (`N`): parsing, canonical text, order, sums and encodings.
//!
//! A [`Number`] is `(-1)^negative × mantissa × 10^exponent` with at most 38 significant digits
//! and a nonzero magnitude in `1E-130 ..= 9.9999999999999999999999999999999999999E+125`, the
//! range DynamoDB stores. The representation is canonical (no trailing zeros in the mantissa,
//! one zero), so derived equality and hashing are numeric. Nothing here uses floating point.
//!
//! ```
//! use tessera_engine::model::number::Number;
//!
//! let price: Number = "0012.50".parse()?;
//! assert_eq!(price.to_string(), "12.5");
//! assert!(price < Number::from(13u64));
//! let mut key = Vec::new();
//! price.encode_key(&mut key);
//! assert_eq!(Number::decode_key(&key), Some((price, key.len())));
//! # Ok::<(), tessera_engine::model::number::NumberError>(())
//! ```
//!
//! # Key encoding
//!
//! [`Number::encode_key`] writes bytes whose unsigned lexicographic order is numeric order.
//! Write a nonzero magnitude as `0.d1 d2 … dk × 100^E` with base-100 digits `d1 ≠ 0` and
//! `dk ≠ 0`; a leading decimal digit at `10^e` gives `E = floor(e / 2) + 1`. The range makes
//! `E` lie in `-64..=63`, and 38 decimal digits make `k ≤ 20`.
//!
//! ```text
//! zero       80
//! positive   FF  E+128   2·d1+1  2·d2+1 … 2·dk
//! negative   01  !(E+128)  !(2·d1+1) … !(2·dk)        (!b = 255 - b)
//! ```
//!
//! - Byte 0, the tag, orders negatives before zero before positives.
//! - Byte 1 is `E + 128`, in `64..=191`; since `d1 ≠ 0`, a larger `E` is a larger magnitude.
//! - Then one byte per base-100 digit: odd (`2d + 1`) while more digits follow, even (`2d`,
//!   at least 2) for the last. The first even byte ends the number, so the encoding is
//!   self-delimiting, and no encoding is a proper prefix of another. Where one digit string
//!   ends and a longer one with the same digits continues, `2d < 2d + 1` sorts the shorter
//!   (smaller) magnitude first.
//! - Negatives complement every byte after the tag, so larger magnitudes sort first.
//!
//! Examples: `1` = `FF 81 02`, `-1` = `01 7E FD`, `0.5` = `FF 80 64`,
//! `123.45` = `FF 82 03 2F 5A`. Zero takes 1 byte, other numbers 3 to 22. [`Number::decode_key`] accepts
//! only canonical encodings, so a decoded number re-encodes to the same bytes.
//! [`Number::encode`] (item storage) uses the same layout.
use std::cmp::Ordering;
use std::fmt;
use std::ops::Neg;
use std::str::FromStr;

/// Significant digits a number may have at most.
const DIGITS_MAX: u32 = 38;
/// Decimal exponent of the leading digit of the largest magnitude, 9.99…E+125.
const LEAD_MAX: i32 = 125;
/// Decimal exponent of the leading digit of the smallest magnitude, 1E-130.
const LEAD_MIN: i32 = -130;
/// Exponent literals are clamped here while parsing: far outside the range, and no overflow.
const EXPONENT_LITERAL_MAX: i128 = 1_000_000_000_000_000_000;

const TAG_NEGATIVE: u8 = 0x01;
const TAG_ZERO: u8 = 0x80;
const TAG_POSITIVE: u8 = 0xFF;
const EXPONENT_BIAS: i32 = 128;
/// Base-100 digits in the longest key: 38 decimal digits plus one of alignment.
const CENTIMAL_DIGITS_MAX: usize = 20;
/// Largest digit byte, `2 · 99 + 1`.
const DIGIT_BYTE_MAX: u8 = 199;

/// `POW10[i] = 10^i` for every power below `u128::MAX`.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// Why a text or a sum is not a storable number; the Display texts are DynamoDB's.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// The text is not a decimal number; carries the text as given.
    #[error("The parameter cannot be converted to a numeric value{}", colon_prefixed(.0))]
    Invalid(String),
    /// The value needs more than 38 significant digits (DynamoDB never rounds).
    #[error("Attempting to store more than 38 significant digits in a Number")]
    TooManyDigits,
    /// The magnitude exceeds 9.9999999999999999999999999999999999999E+125.
    #[error(
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )]
    Overflow,
    /// The nonzero magnitude is below 1E-130.
    #[error(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    )]
    Underflow,
}

/// DynamoDB appends ": <text>" to the conversion error, except for an empty text.
fn colon_prefixed(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// An exact decimal number as DynamoDB stores it; see the module docs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Number {
    negative: bool,
    /// Below 10^38 and not divisible by 10, or 0 for zero.
    mantissa: u128,
    /// Decimal exponent of the mantissa's last digit; 0 for zero.
    exponent: i16,
}

/// The pieces of a syntactically valid number literal.
struct Literal<'a> {
    negative: bool,
    integer: &'a [u8],
    fraction: &'a [u8],
    exponent: i128,
}

impl Number {
    /// The number zero.
    pub const fn zero() -> Number {
        Number::raw(false, 0, 0)
    }

    /// Assembles a number whose parts the caller has already normalized and range-checked;
    /// the exponent is then in -167..=125.
    const fn raw(negative: bool, mantissa: u128, exponent: i32) -> Number {
        Number {
            negative,
            mantissa,
            exponent: exponent as i16,
        }
    }

    /// Parses DynamoDB's number syntax: an optional sign, digits with an optional `.` (at least
    /// one digit in all), then an optional `e`/`E` exponent with an optional sign.
    /// Range errors take precedence over [`NumberError::TooManyDigits`], as in dynalite.
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        let literal = scan(text).ok_or_else(|| NumberError::Invalid(text.to_owned()))?;
        let digits = || literal.integer.iter().chain(literal.fraction).copied();
        let Some(leading_zeros) = digits().position(|d| d != b'0') else {
            return Ok(Number::zero());
        };
        let trailing_zeros = digits().rev().position(|d| d != b'0').unwrap_or(0);
        let total = literal.integer.len() + literal.fraction.len();
        let count = total - leading_zeros - trailing_zeros;
        // Lengths are far below 2^64 and the exponent is clamped, so i128 cannot overflow.
        let last = literal.exponent - literal.fraction.len() as i128 + trailing_zeros as i128;
        check_storable(last + count as i128 - 1, count)?;
        let mantissa = digits()
            .skip(leading_zeros)
            .take(count)
            .fold(0u128, |acc, d| acc * 10 + u128::from(d - b'0'));
        // lead is in range and count ≤ 38, so last fits i32 (and i16).
        Ok(Number::raw(literal.negative, mantissa, last as i32))
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Whether this is below zero (zero is never negative).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Significant decimal digits, 1..=38; zero has none.
    pub fn significant_digits(&self) -> u32 {
        self.mantissa.checked_ilog10().map_or(0, |log| log + 1)
    }

    /// Exact `self + other`, or why the exact sum is not storable.
    pub fn checked_add(&self, other: &Number) -> Result<Number, NumberError> {
        if self.is_zero() {
            return Ok(*other);
        }
        if other.is_zero() {
            return Ok(*self);
        }
        // Work in units of the smaller exponent: the sum is hi.mantissa·10^shift ± lo.mantissa.
        let (hi, lo) = if self.exponent >= other.exponent {
            (self, other)
        } else {
            (other, self)
        };
        let shift = usize::from(hi.exponent.abs_diff(lo.exponent));
        let unit = i32::from(lo.exponent);
        let same_sign = hi.negative == lo.negative;
        let scaled = POW10
            .get(shift)
            .and_then(|power| hi.mantissa.checked_mul(*power));
        // If a term does not fit u128 then shift > 0, so the exact result ends in lo's nonzero
        // last digit and exceeds 10^38 units: it needs more than 38 digits. A difference then
        // stays in range (below the larger operand, above 10^38 units of at least 10^-167); a
        // sum may overflow the range first, which wide_sum_error decides.
        match scaled {
            Some(scaled) if !same_sign => {
                let negative = if scaled >= lo.mantissa {
                    hi.negative
                } else {
                    lo.negative
                };
                Number::from_parts(negative, scaled.abs_diff(lo.mantissa), unit)
            }
            Some(scaled) => match scaled.checked_add(lo.mantissa) {
                Some(sum) => Number::from_parts(hi.negative, sum, unit),
                None => Err(wide_sum_error(hi, lo, shift)),
            },
            None if same_sign => Err(wide_sum_error(hi, lo, shift)),
            None => Err(NumberError::TooManyDigits),
        }
    }

    /// Exact `self - other`, or why the exact difference is not storable.
    pub fn checked_sub(&self, other: &Number) -> Result<Number, NumberError> {
        self.checked_add(&-*other)
    }

    /// This number's contribution to DynamoDB's item size: 1 for zero, else
    /// `1 + ceil(digits / 2)`, plus 1 when both the digit count and the leading digit's
    /// exponent are even, plus 1 when negative.
    /// Ported from dynalite's `valSize` (case 'N') in `db/index.js`.
    pub fn size_bytes(&self) -> usize {
        if self.is_zero() {
            return 1;
        }
        let digits = self.significant_digits() as usize;
        let both_even = digits.is_multiple_of(2) && self.lead() % 2 == 0;
        1 + digits.div_ceil(2) + usize::from(both_even) + usize::from(self.negative)
    }

    /// Appends the order-preserving, self-delimiting key encoding (see the module docs).
    pub fn encode_key(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(TAG_ZERO);
            return;
        }
        // Base-100 digits, filled from the back.
        let mut centimal = [0u8; CENTIMAL_DIGITS_MAX];
        let mut count = 0;
        let mut rest = self.mantissa;
        let exponent = i32::from(self.exponent);
        if exponent % 2 != 0 {
            // An odd exponent puts the last decimal digit in the tens place of a base-100 digit.
            centimal[CENTIMAL_DIGITS_MAX - 1] = (rest % 10) as u8 * 10;
            rest /= 10;
            count = 1;
        }
        while rest > 0 {
            count += 1;
            centimal[CENTIMAL_DIGITS_MAX - count] = (rest % 100) as u8;
            rest /= 100;
        }
        debug_assert!(count <= CENTIMAL_DIGITS_MAX);
        // The last base-100 digit has weight 100^floor(exponent / 2), so 0.d1…dk × 100^E has:
        let centimal_exponent = exponent.div_euclid(2) + count as i32;
        debug_assert!((-64..=63).contains(&centimal_exponent));
        let flip = u8::MAX * u8::from(self.negative);
        out.push([TAG_POSITIVE, TAG_NEGATIVE][usize::from(self.negative)]);
        out.push((centimal_exponent + EXPONENT_BIAS) as u8 ^ flip);
        let digits = &centimal[CENTIMAL_DIGITS_MAX - count..];
        for (index, &digit) in digits.iter().enumerate() {
            let more = u8::from(index + 1 < digits.len());
            out.push((digit * 2 + more) ^ flip);
        }
    }

    /// Decodes one key from the front of `buf`: the number and the bytes it took.
    /// `None` for anything that is not a canonical encoding; never panics.
    pub fn decode_key(buf: &[u8]) -> Option<(Number, usize)> {
        let (&tag, rest) = buf.split_first()?;
        let negative = match tag {
            TAG_ZERO => return Some((Number::zero(), 1)),
            TAG_POSITIVE => false,
            TAG_NEGATIVE => true,
            _ => return None,
        };
        let flip = u8::MAX * u8::from(negative);
        let (&lead, digits) = rest.split_first()?;
        // The value is mantissa × 10^exponent once all digits are in.
        let mut exponent = 2 * (i32::from(lead ^ flip) - EXPONENT_BIAS);
        let mut mantissa: u128 = 0;
        for (index, &byte) in digits.iter().take(CENTIMAL_DIGITS_MAX).enumerate() {
            let byte = byte ^ flip;
            let digit = u128::from(byte / 2);
            if byte > DIGIT_BYTE_MAX || (index == 0 && digit == 0) {
                return None;
            }
            exponent -= 2;
            if byte % 2 == 1 {
                mantissa = mantissa.checked_mul(100)?.checked_add(digit)?;
                continue;
            }
            if digit == 0 {
                return None;
            }
            // Drop a trailing decimal zero here: it keeps valid 38-digit values within u128.
            let (mantissa, exponent) = if digit % 10 == 0 {
                (
                    mantissa.checked_mul(10)?.checked_add(digit / 10)?,
                    exponent + 1,
                )
            } else {
                (mantissa.checked_mul(100)?.checked_add(digit)?, exponent)
            };
            let number = Number::from_parts(negative, mantissa, exponent).ok()?;
            return Some((number, index + 3));
        }
        None
    }

    /// Appends the storage encoding, which is the key encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.encode_key(out);
    }

    /// Decodes the storage encoding written by [`Number::encode`].
    pub fn decode(buf: &[u8]) -> Option<(Number, usize)> {
        Number::decode_key(buf)
    }

    /// Normalizes `magnitude × 10^exponent` and checks range (first) and digits.
    fn from_parts(negative: bool, magnitude: u128, exponent: i32) -> Result<Number, NumberError> {
        if magnitude == 0 {
            return Ok(Number::zero());
        }
        let (mantissa, exponent) = strip_zeros(magnitude, exponent);
        let digits = mantissa.checked_ilog10().map_or(0, |log| log + 1);
        check_storable(
            i128::from(exponent) + i128::from(digits) - 1,
            digits as usize,
        )?;
        Ok(Number::raw(negative, mantissa, exponent))
    }

    /// Decimal exponent of the leading digit (0 for zero).
    fn lead(&self) -> i32 {
        let log = self.mantissa.checked_ilog10();
        log.map_or(0, |log| i32::from(self.exponent) + log as i32)
    }

    /// The mantissa scaled to exactly 38 digits, comparable between equal leads.
    fn aligned_mantissa(&self) -> u128 {
        let missing = DIGITS_MAX - self.significant_digits().min(DIGITS_MAX);
        POW10
            .get(missing as usize)
            .map_or(0, |power| self.mantissa * power)
    }

    /// Orders negatives, zero, positives: zero is never negative.
    fn sign_class(&self) -> (bool, bool) {
        (!self.negative, !self.is_zero())
    }
}

/// The error for a same-signed sum that overflows u128, so it has more than 38 digits.
/// With `lo.mantissa = q·10^shift + r`, the sum is `(hi.mantissa + q)·10^hi.exponent` plus
/// `r·10^lo.exponent < 10^hi.exponent`, which cannot carry: the first term fixes the leading
/// digit, hence whether the sum overflows the range before its digits matter.
fn wide_sum_error(hi: &Number, lo: &Number, shift: usize) -> NumberError {
    let carried = POW10.get(shift).map_or(0, |power| lo.mantissa / power);
    let top = hi.mantissa + carried;
    let lead = i32::from(hi.exponent) + top.checked_ilog10().map_or(0, |log| log as i32);
    if lead > LEAD_MAX {
        NumberError::Overflow
    } else {
        NumberError::TooManyDigits
    }
}

/// Checks a nonzero value by its leading digit's exponent and its significant digits: range
/// first, then digits, in the order of dynalite's `checkNum`.
fn check_storable(lead: i128, digits: usize) -> Result<(), NumberError> {
    if lead > i128::from(LEAD_MAX) {
        Err(NumberError::Overflow)
    } else if lead < i128::from(LEAD_MIN) {
        Err(NumberError::Underflow)
    } else if digits > DIGITS_MAX as usize {
        Err(NumberError::TooManyDigits)
    } else {
        Ok(())
    }
}

/// Removes trailing decimal zeros from a nonzero magnitude, raising the exponent to match.
fn strip_zeros(mut magnitude: u128, mut exponent: i32) -> (u128, i32) {
    while magnitude != 0 && magnitude.is_multiple_of(10) {
        magnitude /= 10;
        exponent += 1;
    }
    (magnitude, exponent)
}

/// Checks the syntax and splits a literal into sign, digit runs and exponent.
fn scan(text: &str) -> Option<Literal<'_>> {
    let (negative, rest) = split_sign(text.as_bytes());
    let (integer, rest) = split_digits(rest);
    let (fraction, rest) = match rest.split_first() {
        Some((b'.', rest)) => split_digits(rest),
        _ => rest.split_at(0),
    };
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let exponent = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', rest)) => {
            let (exponent_negative, rest) = split_sign(rest);
            let (digits, rest) = split_digits(rest);
            if digits.is_empty() || !rest.is_empty() {
                return None;
            }
            let magnitude = digits.iter().fold(0i128, |acc, d| {
                (acc * 10 + i128::from(d - b'0')).min(EXPONENT_LITERAL_MAX)
            });
            let sign = if exponent_negative { -1 } else { 1 };
            sign * magnitude
        }
        Some(_) => return None,
    };
    Some(Literal {
        negative,
        integer,
        fraction,
        exponent,
    })
}

fn split_sign(bytes: &[u8]) -> (bool, &[u8]) {
    match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    }
}

fn split_digits(bytes: &[u8]) -> (&[u8], &[u8]) {
    let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    bytes.split_at(len)
}

impl fmt::Display for Number {
    /// Plain decimal text without an exponent, as DynamoDB returns numbers: `100`, `-0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        let mantissa = self.mantissa;
        let scale = usize::from(self.exponent.unsigned_abs());
        if self.exponent >= 0 {
            return write!(f, "{mantissa}{:0<scale$}", "");
        }
        let (integer, fraction) = match POW10.get(scale) {
            Some(power) => (mantissa / power, mantissa % power),
            None => (0, mantissa),
        };
        write!(f, "{integer}.{fraction:0scale$}")
    }
}

impl FromStr for Number {
    type Err = NumberError;

    fn from_str(text: &str) -> Result<Number, NumberError> {
        Number::parse(text)
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Number {
        // At most 20 digits with a leading exponent of at most 19: always storable.
        let (mantissa, exponent) = strip_zeros(u128::from(value), 0);
        Number::raw(false, mantissa, exponent)
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Number {
        Number {
            negative: value < 0,
            ..Number::from(value.unsigned_abs())
        }
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Number {
        Number::from(i64::from(value))
    }
}

impl Neg for Number {
    type Output = Number;

    /// Flips the sign; zero stays zero.
    fn neg(self) -> Number {
        let negative = !self.negative && !self.is_zero();
        Number { negative, ..self }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        self.sign_class().cmp(&other.sign_class()).then_with(|| {
            let magnitude = self
                .lead()
                .cmp(&other.lead())
                .then_with(|| self.aligned_mantissa().cmp(&other.aligned_mantissa()));
            if self.negative {
                magnitude.reverse()
            } else {
                magnitude
            }
        })
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigdecimal::{BigDecimal, Zero};
    use proptest::prelude::*;
    use std::collections::HashSet;
    use std::ops::RangeInclusive as Span;

    const MAX: &str = "9.9999999999999999999999999999999999999e125";
    const DIGITS_38: &str = "12345678901234567890123456789012345678";

    fn num(text: &str) -> Number {
        Number::parse(text).unwrap()
    }

    fn key(number: &Number) -> Vec<u8> {
        let mut out = Vec::new();
        number.encode_key(&mut out);
        out
    }

    fn oracle(number: &Number) -> BigDecimal {
        number.to_string().parse().unwrap()
    }

    /// The oracle's significant digits and leading exponent of a nonzero value.
    fn digits_and_lead(exact: &BigDecimal) -> (i64, i64) {
        let (int, scale) = exact.normalized().as_bigint_and_exponent();
        let digits = int.to_string().trim_start_matches('-').len() as i64;
        (digits, digits - 1 - scale)
    }

    /// What a sum must be: the oracle's exact value, or the error for it (range first).
    fn expected(exact: &BigDecimal) -> Result<Number, NumberError> {
        if exact.is_zero() {
            return Ok(Number::zero());
        }
        match digits_and_lead(exact) {
            (_, lead) if lead > 125 => Err(NumberError::Overflow),
            (_, lead) if lead < -130 => Err(NumberError::Underflow),
            (digits, _) if digits > 38 => Err(NumberError::TooManyDigits),
            _ => Ok(num(&exact.normalized().to_scientific_notation())),
        }
    }

    /// Checks whitespace-separated `input=want` cases.
    fn check(cases: &str, want: impl Fn(&str, &str)) {
        for case in cases.split_whitespace() {
            let (input, output) = case.split_once('=').unwrap();
            want(input, output);
        }
    }

    fn check_error(texts: &str, error: NumberError) {
        for text in texts.split_whitespace() {
            assert_eq!(Number::parse(text), Err(error.clone()), "{text}");
        }
    }

    fn check_canonical(text: &str, canonical: &str) {
        assert_eq!(num(text).to_string(), canonical, "{text}");
        assert_eq!(num(canonical), num(text), "{text}");
    }

    #[test]
    fn parse_valid_texts_give_canonical_text() {
        let cases = "0=0 -0=0 -0.0=0 +0e5=0 0e999999999999=0 00012=12 1.0=1 10e-1=1 .5=0.5 5.=5 \
            -.5=-0.5 +7=7 1E2=100 1e+2=100 -1.5e-3=-0.0015 0.000123=0.000123 123.4500=123.45 \
            -99.1=-99.1 0.1234567890123456789012345678901234567800=0.12345678901234567890123456789012345678";
        check(cases, check_canonical);
        check_canonical("1e-130", &format!("0.{}1", "0".repeat(129)));
        check_canonical(MAX, &format!("{}{}", "9".repeat(38), "0".repeat(88)));
        check_canonical(DIGITS_38, DIGITS_38);
    }

    #[test]
    fn parse_malformed_texts_are_invalid() {
        let cases =
            "| 1|1 |NaN|nan|Infinity|-Infinity|inf|0x10|1.2.3|.|-|+|+-1|--1|1e|1e+|1e-|e5|.e5\
            |1_000|1,5|١|1e5.5|1ee5|5-|1e5e5|-.|abc|1 2";
        for text in cases.split('|') {
            let invalid = NumberError::Invalid(text.to_owned());
            assert_eq!(Number::parse(text), Err(invalid), "{text:?}");
        }
    }

    #[test]
    fn parse_out_of_range_texts_report_dynamodb_errors() {
        // Range errors win over digit errors, as in dynalite's checkNum: the last overflow case.
        let overflow = "1e126 -1e126 10e125 1e999999999999 1e99999999999999999999999999999 \
            123456789012345678901234567890123456789e100";
        check_error(overflow, NumberError::Overflow);
        check_error(
            "1e-131 -1e-131 0.1e-130 1e-999999999999",
            NumberError::Underflow,
        );
        let digits = "123456789012345678901234567890123456789 \
            -1.23456789012345678901234567890123456789 1.00000000000000000000000000000000000000001";
        check_error(digits, NumberError::TooManyDigits);
    }

    #[test]
    fn parse_insignificant_zeros_are_not_digits() {
        assert_eq!(num(&format!("0.{}1", "0".repeat(44))), num("1e-45"));
        assert_eq!(num(&format!("1{}", "0".repeat(50))), num("1e50"));
        assert_eq!(
            num(&format!("000{DIGITS_38}{}.000", "0".repeat(88))).significant_digits(),
            38
        );
        let too_big = Number::parse(&format!("1{}", "0".repeat(126)));
        assert_eq!(too_big, Err(NumberError::Overflow));
    }

    #[test]
    fn number_error_display_matches_dynamodb() {
        let prefix = "The parameter cannot be converted to a numeric value";
        assert_eq!(
            NumberError::Invalid("abc".into()).to_string(),
            format!("{prefix}: abc")
        );
        assert_eq!(NumberError::Invalid(String::new()).to_string(), prefix);
        let digits = "Attempting to store more than 38 significant digits in a Number";
        assert_eq!(NumberError::TooManyDigits.to_string(), digits);
        let range = "Attempting to store a number with magnitude";
        let overflow = format!("Number overflow. {range} larger than supported range");
        assert_eq!(NumberError::Overflow.to_string(), overflow);
        let underflow = format!("Number underflow. {range} smaller than supported range");
        assert_eq!(NumberError::Underflow.to_string(), underflow);
    }

    #[test]
    fn parse_equivalent_texts_are_equal_and_hash_alike() {
        let texts = ["01", "1", "1.0", "10e-1", ".1e1", "+1.000", "0.0001E4"];
        let numbers: HashSet<Number> = texts.iter().map(|text| num(text)).collect();
        assert_eq!(numbers.len(), 1);
        assert_eq!(num("-0"), Number::zero());
        assert_eq!(key(&num("-0")), key(&num("0")));
    }

    #[test]
    fn from_integers_match_parse() {
        assert_eq!(Number::from(0u64), Number::zero());
        assert_eq!(Number::from(-1200i64), num("-1200"));
        assert_eq!(Number::from(i64::MIN), num(&i64::MIN.to_string()));
        assert_eq!(Number::from(u64::MAX), num(&u64::MAX.to_string()));
        assert!(Number::from(-5i64).is_negative());
        assert!(!(-Number::zero()).is_negative());
    }

    #[test]
    fn cmp_examples_follow_numeric_order() {
        let ascending = format!(
            "-{MAX} -1e10 -1.5 -1.0000000000000000000000000000000000001 -1 -0.5 -1e-130 0 1e-130 \
            1.0000000000000000000000000000000000001e-130 0.5 1 1.0000000000000000000000000000000000001 \
            1.5 10 {DIGITS_38} 12345678901234567890123456789012345679 {MAX}"
        );
        let numbers: Vec<Number> = ascending.split_whitespace().map(num).collect();
        for (i, a) in numbers.iter().enumerate() {
            for (j, b) in numbers.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
                assert_eq!(key(a).cmp(&key(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn encode_key_examples_match_layout() {
        assert_eq!(key(&num("0")), [0x80]);
        assert_eq!(key(&num("1")), [0xFF, 0x81, 0x02]);
        assert_eq!(key(&num("-1")), [0x01, 0x7E, 0xFD]);
        assert_eq!(key(&num("0.5")), [0xFF, 0x80, 0x64]);
        assert_eq!(key(&num("123.45")), [0xFF, 0x82, 0x03, 0x2F, 0x5A]);
        assert_eq!(key(&num("1e-130")), [0xFF, 0x40, 0x02]);
        let max = [[0xFF, 0xBF].as_slice(), &[0xC7; 18], &[0xC6]].concat();
        assert_eq!(key(&num(MAX)), max);
        // 38 digits with an even leading exponent take the most room.
        assert_eq!(
            key(&num("1234567890123456789012345678901234567.8")).len(),
            22
        );
    }

    #[test]
    fn decode_key_malformed_bytes_return_none() {
        let twenty_one_odd = [[0xFF, 0x81].as_slice(), &[0x03; 21]].concat();
        let cases: [&[u8]; 10] = [
            &[],
            &[0x42],
            &[0xFF],
            &[0xFF, 0x81],
            &[0xFF, 0x81, 0x03],       // no last digit
            &[0xFF, 0x81, 0x00],       // last digit zero
            &[0xFF, 0x81, 0x01, 0x02], // first digit zero
            &[0xFF, 0x81, 0xC8],       // digit byte above 199
            &[0xFF, 0xC0, 0x02],       // 1E+126
            &twenty_one_odd,
        ];
        for bytes in cases {
            assert_eq!(Number::decode_key(bytes), None, "{bytes:02X?}");
        }
    }

    #[test]
    fn size_bytes_examples_follow_dynalite() {
        let cases = "0=1 1=2 -1=3 10=2 12=2 1.2=3 0.12=2 123=3 1234=3 -12.34=4 1e-130=2 \
            12345678901234567890123456789012345678=20 1234567890123456789012345678901234567.8=21";
        check(cases, |text, size| {
            assert_eq!(num(text).size_bytes().to_string(), size, "{text}")
        });
        assert_eq!(num(MAX).size_bytes(), 20);
    }

    #[test]
    fn checked_add_examples_are_exact_or_fail() {
        let nines = "9".repeat(38);
        let add = |a: &str, b: &str| num(a).checked_add(&num(b));
        let sub = |a: &str, b: &str| num(a).checked_sub(&num(b));
        assert_eq!(add("1", "2"), Ok(num("3")));
        assert_eq!(add("0.1", "0.2"), Ok(num("0.3")));
        assert_eq!(add(&nines, "1"), Ok(num("1e38")));
        assert_eq!(add(&nines, "2"), Err(NumberError::TooManyDigits));
        assert_eq!(add("1e125", "1e-130"), Err(NumberError::TooManyDigits));
        assert_eq!(sub("1e125", "1e-130"), Err(NumberError::TooManyDigits));
        assert_eq!(add(MAX, MAX), Err(NumberError::Overflow));
        assert_eq!(add(MAX, "1e88"), Err(NumberError::Overflow));
        assert_eq!(add(MAX, "1.1e88"), Err(NumberError::Overflow));
        assert_eq!(add(MAX, "1e87"), Err(NumberError::TooManyDigits));
        assert_eq!(add(MAX, "1e-130"), Err(NumberError::TooManyDigits));
        let tiny = "1.0000000000000000000000000000000000001e-130";
        assert_eq!(sub(tiny, "1e-130"), Err(NumberError::Underflow));
        assert_eq!(sub("-5", "-5"), Ok(Number::zero()));
        assert_eq!(sub("3", "5"), Ok(num("-2")));
        assert_eq!(add("0", "-2.5"), Ok(num("-2.5")));
    }

    fn number_with(digits: Span<usize>, lead: Span<i32>) -> impl Strategy<Value = Number> {
        (any::<bool>(), digits, lead).prop_flat_map(|(negative, digits, lead)| {
            (POW10[digits - 1]..POW10[digits]).prop_map(move |mantissa| {
                let exponent = lead - digits as i32 + 1;
                Number::from_parts(negative, mantissa, exponent).unwrap()
            })
        })
    }

    /// Any number, weighted towards small ones and the edges of the range.
    fn number() -> impl Strategy<Value = Number> {
        prop_oneof![
            1 => Just(Number::zero()),
            4 => number_with(1..=38, -130..=125),
            4 => number_with(1..=12, -6..=6),
            2 => number_with(30..=38, 80..=125),
            2 => number_with(1..=38, -130..=-90),
            1 => number_with(1..=38, 124..=125),
        ]
    }

    /// Independent pairs, and pairs that agree but for their last digits, so that sums cancel
    /// (down to underflow for tiny numbers).
    fn pair() -> impl Strategy<Value = (Number, Number)> {
        let close = (number(), 0u128..1000).prop_map(|(a, delta)| {
            let b = Number::from_parts(a.negative, a.mantissa + delta, i32::from(a.exponent));
            (a, b.unwrap_or(a))
        });
        prop_oneof![(number(), number()), close]
    }

    /// Bytes after each tag, and keys with one byte replaced.
    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let tag = prop::sample::select(vec![TAG_NEGATIVE, TAG_ZERO, TAG_POSITIVE, 0x42]);
        let tagged = (tag, prop::collection::vec(any::<u8>(), 0..24))
            .prop_map(|(tag, rest)| [vec![tag], rest].concat());
        let mutated = (number(), any::<usize>(), any::<u8>()).prop_map(|(a, at, byte)| {
            let mut bytes = key(&a);
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes
        });
        prop_oneof![tagged, mutated]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn encode_key_order_matches_cmp_and_oracle(a in number(), b in number()) {
            prop_assert_eq!(key(&a).cmp(&key(&b)), a.cmp(&b));
            prop_assert_eq!(a.cmp(&b), oracle(&a).cmp(&oracle(&b)));
            prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
        }

        #[test]
        fn decode_encoded_numbers_round_trip(a in number(), b in number(), tail in bytes()) {
            let mut stored = Vec::new();
            a.encode(&mut stored);
            let len = stored.len();
            prop_assert!(len <= 22);
            b.encode(&mut stored);
            stored.extend_from_slice(&tail);
            prop_assert_eq!(Number::decode_key(&stored), Some((a, len)));
            prop_assert_eq!(Number::decode(&stored[len..]), Some((b, key(&b).len())));
        }

        #[test]
        fn parse_display_round_trips_with_oracle_size(a in number()) {
            prop_assert_eq!(num(&a.to_string()), a);
            if !a.is_zero() {
                let (digits, lead) = digits_and_lead(&oracle(&a));
                let both_even = digits % 2 == 0 && lead % 2 == 0;
                let size = 1 + (digits + 1) / 2 + i64::from(both_even) + i64::from(a.is_negative());
                prop_assert_eq!(a.size_bytes() as i64, size);
                prop_assert_eq!(i64::from(a.significant_digits()), digits);
            }
        }

        #[test]
        fn checked_add_and_sub_match_oracle((a, b) in pair()) {
            prop_assert_eq!(a.checked_add(&b), expected(&(oracle(&a) + oracle(&b))));
            prop_assert_eq!(a.checked_sub(&b), expected(&(oracle(&a) - oracle(&b))));
        }

        #[test]
        fn decode_key_arbitrary_bytes_are_canonical_or_none(bytes in bytes()) {
            if let Some((number, used)) = Number::decode_key(&bytes) {
                prop_assert_eq!(key(&number), &bytes[..used]);
            }
        }
    }
}
