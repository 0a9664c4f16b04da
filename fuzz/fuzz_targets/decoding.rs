//! Percent-decoding, UTF-16 decoding and Okta org recognition on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenwarden::matcher::filters::{inside_base64, percent_decode, shannon_entropy};
use tokenwarden::pipeline::text::decode_utf16;
use tokenwarden::okta::org::{hosted, parse_explicit};

fuzz_target!(|data: &[u8]| {
    let decoded = percent_decode(data);
    assert!(decoded.len() <= data.len());
    let _ = shannon_entropy(data);
    if data.len() >= 2 {
        let _ = inside_base64(data, 1, data.len() - 1);
    }
    for big_endian in [false, true] {
        assert!(std::str::from_utf8(&decode_utf16(data, big_endian)).is_ok());
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(org) = hosted(s) {
            assert!(org.starts_with("https://"));
        }
        if let Ok(url) = parse_explicit(s) {
            assert!(url.starts_with("https://") || url.starts_with("http://"));
        }
    }
});
