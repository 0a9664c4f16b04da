//! `.tokenwarden.toml` parsing: any text gives settings or a one-line error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenwarden::config::Config;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = Config::parse(text, "fuzz.toml", None) {
            assert!(!e.to_string().contains('\n'));
        }
    }
});
