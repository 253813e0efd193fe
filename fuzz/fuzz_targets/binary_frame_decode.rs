//! The binary protocol's decoders on arbitrary bytes: the input is a stream of request frames
//! cut in two at a point the first byte picks. Framing and payload decoding must return a
//! frame, "need more bytes" or an error, never panic; a payload that decodes re-encodes to
//! bytes that decode to the same request; error answers encode and decode back.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tessera_server::binary::codec::{decode_all, encode, ErrorBody};
use tessera_server::binary::frame::{next_request, FRAME_LEN_MAX};
use tessera_server::binary::{decode_request, encode_request};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut).min(stream.len());
    let mut buf = BytesMut::from(&stream[..cut]);
    let mut fed = false;
    loop {
        match next_request(&mut buf, FRAME_LEN_MAX) {
            Ok(Some(frame)) => match decode_request(frame.opcode, &frame.payload) {
                Ok(request) => {
                    let mut again = Vec::new();
                    let opcode = encode_request(&request, &mut again);
                    assert_eq!(opcode, frame.opcode);
                    let decoded = decode_request(opcode, &again).expect("re-encoded request decodes");
                    assert_eq!(decoded, request);
                }
                Err(e) => {
                    let body = ErrorBody::from_wire(&e);
                    assert_eq!(decode_all::<ErrorBody>(&encode(&body)).ok(), Some(body));
                }
            },
            Ok(None) if !fed => {
                buf.extend_from_slice(&stream[cut..]);
                fed = true;
            }
            Ok(None) | Err(_) => break,
        }
    }
});
