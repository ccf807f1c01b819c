//! dotenv files: any input gives entries or a located error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint_engine::parse::dotenv;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = dotenv::parse(text) {
        assert!(error.span.start <= error.span.end && error.span.end <= text.len());
    }
});
