//! HCL native syntax (`.tf`, `.tfvars`), and the Terraform JSON syntax read from the same
//! bytes: any input gives a file or a located error, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint_engine::parse::{hcl, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = hcl::parse(text) {
        assert!(error.span.start <= error.span.end && error.span.end <= text.len());
    }
    let _ = hcl::expression(text);
    if let Ok(doc) = json::parse(text) {
        let _ = hcl::from_json(&doc.root);
    }
});
