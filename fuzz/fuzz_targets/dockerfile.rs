//! Dockerfiles, and the shell analysis of their `RUN` instructions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint_engine::parse::dockerfile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match dockerfile::parse(text) {
        Ok(file) => {
            for instruction in &file.instructions {
                if let Some(script) = instruction.args.shell_text() {
                    let _ = trustlint_engine::shell::analyse(script);
                }
            }
        }
        Err(error) => assert!(error.span.start <= error.span.end && error.span.end <= text.len()),
    }
});
