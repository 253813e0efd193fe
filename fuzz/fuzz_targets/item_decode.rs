//! Item codec decoding of arbitrary bytes must return `Ok` or `Err`, never panic; whatever
//! decodes re-encodes to bytes that decode to the same item.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_engine::model::codec::{decode_item, encode_item_to_vec};

fuzz_target!(|data: &[u8]| {
    if let Ok(item) = decode_item(data) {
        let again = encode_item_to_vec(&item);
        assert_eq!(decode_item(&again).ok(), Some(item));
    }
});
