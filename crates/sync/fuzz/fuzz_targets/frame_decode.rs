//! Arbitrary bytes into the frame decoder: it must never panic, and whatever it accepts must
//! re-encode to exactly the same bytes (one encoding per message: shortest LEB128, no trailing
//! bytes), which decode to the same message again.

#![no_main]

use dreieck_sync::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = wire::decode(data) {
        let encoded = message.encode();
        assert_eq!(encoded, data, "accepted a non-canonical encoding");
        assert_eq!(wire::decode(&encoded), Ok(message));
    }
});
