//! respondents.csv: any bytes give rows and problems, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let _ = codewerk::core::respondents::parse(Path::new("respondents.csv"), data);
});
