//! TEMPORARY stub of the exact decimal number type (replaced by the real implementation).
#![allow(missing_docs)]

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Number {
    value: i128,
}

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    #[error("The parameter cannot be converted to a numeric value: {0}")]
    Invalid(String),
    #[error("Attempting to store more than 38 significant digits in a Number")]
    TooManyDigits,
    #[error("Number overflow. Attempting to store a number with magnitude larger than supported range")]
    Overflow,
    #[error("Number underflow. Attempting to store a number with magnitude smaller than supported range")]
    Underflow,
}

impl Number {
    pub fn parse(s: &str) -> Result<Number, NumberError> {
        s.parse::<i128>()
            .map(|value| Number { value })
            .map_err(|_| NumberError::Invalid(s.to_owned()))
    }
    pub fn zero() -> Number {
        Number { value: 0 }
    }
    pub fn is_zero(&self) -> bool {
        self.value == 0
    }
    pub fn size_bytes(&self) -> usize {
        1 + self.value.to_string().len() / 2
    }
    pub fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&((self.value as u128) ^ (1u128 << 127)).to_be_bytes());
    }
    pub fn decode_key(buf: &[u8]) -> Option<(Number, usize)> {
        let b: [u8; 16] = buf.get(..16)?.try_into().ok()?;
        let value = (u128::from_be_bytes(b) ^ (1u128 << 127)) as i128;
        Some((Number { value }, 16))
    }
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.encode_key(out)
    }
    pub fn decode(buf: &[u8]) -> Option<(Number, usize)> {
        Self::decode_key(buf)
    }
    pub fn checked_add(&self, o: &Number) -> Result<Number, NumberError> {
        Ok(Number { value: self.value + o.value })
    }
    pub fn checked_sub(&self, o: &Number) -> Result<Number, NumberError> {
        Ok(Number { value: self.value - o.value })
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number { value: v as i128 }
    }
}

impl std::str::FromStr for Number {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Number::parse(s)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}
