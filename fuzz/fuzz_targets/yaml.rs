//! YAML streams: any input gives documents or a located error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint_engine::parse::yaml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = yaml::parse(text) {
        assert!(error.span.start <= error.span.end && error.span.end <= text.len());
    }
});
