//! The transcript loader: any bytes give a transcript or a problem, never a panic, and a
//! loaded transcript's offsets are consistent.
#![no_main]
use codewerk::core::transcript::Transcript;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Transcript::from_bytes("T", Path::new("t.txt"), data) {
        let n = t.len_chars();
        assert_eq!(n, t.text().chars().count());
        for turn in &t.turns {
            assert!(turn.start <= turn.body_start && turn.body_start <= turn.end && turn.end <= n);
            let _ = t.slice(turn.start, turn.end);
        }
        let _ = t.slice(0, n);
    }
});
