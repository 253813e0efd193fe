//! Framing of the binary protocol (docs/protocol.md, "Connection" and "Frames"): the
//! handshake, and length-prefixed request and response frames cut from a byte stream.
//!
//! ```text
//! request  = len:u32 | id:u64 | opcode:u8 | layer:u8 | payload     (len counts from id on)
//! response = len:u32 | id:u64 | status:u8 | payload
//! ```

use bytes::{Buf, Bytes, BytesMut};

/// The four bytes that open both handshake messages.
pub const MAGIC: [u8; 4] = *b"TSRA";
/// The protocol versions this build speaks (lowest, highest).
pub const VERSIONS: (u16, u16) = (1, 1);
/// Length of the client's hello: magic, lowest and highest version.
pub const HELLO_LEN: usize = 8;
/// Length of the server's answer: magic, chosen version, reserved, largest frame.
pub const WELCOME_LEN: usize = 12;
/// Largest frame (after the length field) a peer may send: a 16 MB payload, as the HTTP API
/// allows, plus the header.
pub const FRAME_LEN_MAX: u32 = 16 * 1024 * 1024 + REQUEST_HEADER_LEN as u32;
/// Bytes of a request frame after the length field and before the payload.
pub const REQUEST_HEADER_LEN: usize = 10;
/// Bytes of a response frame after the length field and before the payload.
pub const RESPONSE_HEADER_LEN: usize = 9;

/// Response status: the payload is the operation's output.
pub const STATUS_OK: u8 = 0;
/// Response status: the payload is an [`super::codec::ErrorBody`].
pub const STATUS_ERROR: u8 = 1;

/// Which layer a request is served by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layer {
    /// Through the item and query cache (the default).
    #[default]
    Cache,
    /// Straight to the storage engine.
    Engine,
}

impl Layer {
    /// The layer's byte in a request frame.
    pub fn code(self) -> u8 {
        match self {
            Layer::Cache => 0,
            Layer::Engine => 1,
        }
    }

    /// The layer a byte names.
    pub fn from_code(code: u8) -> Option<Layer> {
        match code {
            0 => Some(Layer::Cache),
            1 => Some(Layer::Engine),
            _ => None,
        }
    }
}

/// The client's hello: the range of versions it speaks.
pub fn hello(versions: (u16, u16)) -> [u8; HELLO_LEN] {
    let mut out = [0u8; HELLO_LEN];
    out[..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&versions.0.to_be_bytes());
    out[6..8].copy_from_slice(&versions.1.to_be_bytes());
    out
}

/// The first bytes of a connection were not a hello (wrong magic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotHello;

/// The version both sides speak, from a client's hello: the highest in both ranges, `None`
/// when the ranges do not meet.
pub fn negotiate(hello: &[u8; HELLO_LEN]) -> Result<Option<u16>, NotHello> {
    if hello[..4] != MAGIC {
        return Err(NotHello);
    }
    let low = u16::from_be_bytes([hello[4], hello[5]]);
    let high = u16::from_be_bytes([hello[6], hello[7]]);
    let top = high.min(VERSIONS.1);
    let bottom = low.max(VERSIONS.0);
    Ok((bottom <= top).then_some(top))
}

/// The server's answer: the chosen version (0: none in common, and the server closes).
pub fn welcome(version: u16) -> [u8; WELCOME_LEN] {
    let mut out = [0u8; WELCOME_LEN];
    out[..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&version.to_be_bytes());
    out[8..12].copy_from_slice(&FRAME_LEN_MAX.to_be_bytes());
    out
}

/// Reads a server's answer: `(version, largest frame)`, or `None` if it is not one.
pub fn read_welcome(bytes: &[u8; WELCOME_LEN]) -> Option<(u16, u32)> {
    if bytes[..4] != MAGIC {
        return None;
    }
    let version = u16::from_be_bytes([bytes[4], bytes[5]]);
    let max = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    Some((version, max))
}

/// One request frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFrame {
    /// The client's id, echoed in the response.
    pub id: u64,
    /// The operation.
    pub opcode: u8,
    /// The layer byte (checked by the server, not here).
    pub layer: u8,
    /// The encoded input.
    pub payload: Bytes,
}

/// One response frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFrame {
    /// The id of the request answered.
    pub id: u64,
    /// [`STATUS_OK`] or [`STATUS_ERROR`].
    pub status: u8,
    /// The encoded output or error.
    pub payload: Bytes,
}

/// A stream that cannot be framed: the connection must close after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// The request id, when the header got that far.
    pub id: u64,
    /// What was wrong.
    pub message: String,
}

/// Appends a request frame.
pub fn put_request(out: &mut Vec<u8>, id: u64, opcode: u8, layer: Layer, payload: &[u8]) {
    out.extend_from_slice(&((REQUEST_HEADER_LEN + payload.len()) as u32).to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.push(opcode);
    out.push(layer.code());
    out.extend_from_slice(payload);
}

/// Starts a response frame for `id` in `out`; the payload is appended after it and
/// [`finish_response`] fills in the length.
pub fn start_response(out: &mut Vec<u8>, id: u64, status: u8) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&id.to_be_bytes());
    out.push(status);
    start
}

/// Writes the length of the response frame begun at `start`.
pub fn finish_response(out: &mut [u8], start: usize) {
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
}

/// Cuts the next frame off `buf`: its header (`header` bytes after the length) and payload.
/// `Ok(None)` until a whole frame has arrived.
fn next_frame(
    buf: &mut BytesMut,
    header: usize,
    max: u32,
) -> Result<Option<(u64, BytesMut)>, FrameError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    let id = if buf.len() >= 12 {
        u64::from_be_bytes([
            buf[4], buf[5], buf[6], buf[7], buf[8], buf[9], buf[10], buf[11],
        ])
    } else {
        0
    };
    if (len as usize) < header {
        return Err(FrameError {
            id: if len >= 8 { id } else { 0 },
            message: format!("Frame length {len} is shorter than its {header}-byte header"),
        });
    }
    if len > max {
        return Err(FrameError {
            id,
            message: format!("Frame length {len} exceeds the maximum of {max} bytes"),
        });
    }
    if buf.len() < 4 + len as usize {
        buf.reserve(4 + len as usize - buf.len());
        return Ok(None);
    }
    buf.advance(4);
    let mut frame = buf.split_to(len as usize);
    frame.advance(8);
    Ok(Some((id, frame)))
}

/// Cuts the next request frame off `buf` (frames longer than `max` are refused).
pub fn next_request(buf: &mut BytesMut, max: u32) -> Result<Option<RequestFrame>, FrameError> {
    Ok(
        next_frame(buf, REQUEST_HEADER_LEN, max)?.map(|(id, mut frame)| {
            let opcode = frame[0];
            let layer = frame[1];
            frame.advance(2);
            RequestFrame {
                id,
                opcode,
                layer,
                payload: frame.freeze(),
            }
        }),
    )
}

/// Cuts the next response frame off `buf`.
pub fn next_response(buf: &mut BytesMut, max: u32) -> Result<Option<ResponseFrame>, FrameError> {
    Ok(
        next_frame(buf, RESPONSE_HEADER_LEN, max)?.map(|(id, mut frame)| {
            let status = frame[0];
            frame.advance(1);
            ResponseFrame {
                id,
                status,
                payload: frame.freeze(),
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_frames_arrive_whole_in_any_split() {
        let mut wire = Vec::new();
        put_request(&mut wire, 7, 17, Layer::Engine, b"abc");
        put_request(&mut wire, 8, 16, Layer::Cache, b"");
        for cut in 0..wire.len() {
            let mut buf = BytesMut::from(&wire[..cut]);
            let mut got = Vec::new();
            while let Some(f) = next_request(&mut buf, FRAME_LEN_MAX).unwrap() {
                got.push(f);
            }
            buf.extend_from_slice(&wire[cut..]);
            while let Some(f) = next_request(&mut buf, FRAME_LEN_MAX).unwrap() {
                got.push(f);
            }
            assert_eq!(got.len(), 2, "cut at {cut}");
            assert_eq!((got[0].id, got[0].opcode, got[0].layer), (7, 17, 1));
            assert_eq!(&got[0].payload[..], b"abc");
            assert_eq!((got[1].id, got[1].opcode, got[1].layer), (8, 16, 0));
            assert!(buf.is_empty());
        }
    }

    #[test]
    fn response_frame_round_trips() {
        let mut wire = Vec::new();
        let start = start_response(&mut wire, 42, STATUS_ERROR);
        wire.extend_from_slice(b"xyz");
        finish_response(&mut wire, start);
        let mut buf = BytesMut::from(&wire[..]);
        let f = next_response(&mut buf, FRAME_LEN_MAX).unwrap().unwrap();
        assert_eq!(
            (f.id, f.status, &f.payload[..]),
            (42, STATUS_ERROR, &b"xyz"[..])
        );
    }

    #[test]
    fn next_request_short_or_huge_length_is_error() {
        let mut buf = BytesMut::from(&[0u8, 0, 0, 3, 1, 2, 3][..]);
        assert!(next_request(&mut buf, FRAME_LEN_MAX).is_err());
        let mut wire = Vec::new();
        put_request(&mut wire, 9, 17, Layer::Cache, &[0; 100]);
        let mut buf = BytesMut::from(&wire[..]);
        let e = next_request(&mut buf, 50).unwrap_err();
        assert_eq!(e.id, 9);
        assert!(e.message.contains("exceeds"), "{}", e.message);
    }

    #[test]
    fn negotiate_picks_highest_common_version() {
        assert_eq!(negotiate(&hello((1, 5))), Ok(Some(1)));
        assert_eq!(negotiate(&hello((2, 3))), Ok(None));
        assert_eq!(negotiate(&[0; HELLO_LEN]), Err(NotHello));
        assert_eq!(read_welcome(&welcome(1)), Some((1, FRAME_LEN_MAX)));
    }
}
