//! REFI-QDA import: any bytes read as a .qdpx give a project or an error, never a panic (zip,
//! XML, positions in any unit, hostile paths).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let _ = codewerk::core::refi::read_qdpx(Path::new("fuzz.qdpx"), data);
});
