//! Journal replay: any bytes replay to a state (bad lines become warnings), never a panic.
#![no_main]
use codewerk::core::coding::CoderState;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let state = CoderState::replay(Path::new("codings/fuzz.jsonl"), "fuzz", data);
    for c in state.codings.values() {
        let _ = c.len();
    }
});
