//! codebook.json: any text gives a codebook or problems, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = codewerk::core::codebook::Codebook::parse(Path::new("codebook.json"), text);
    }
});
