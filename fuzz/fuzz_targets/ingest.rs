//! Transcript import: any bytes, under every format's extension, give turns or an error, never
//! a panic (zip and XML readers included).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const NAMES: [&str; 8] = [
    "a.txt", "a.docx", "a.odt", "a.srt", "a.vtt", "a.json", "a.csv", "a.tsv",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let _ = codewerk::core::ingest::read(Path::new(name), rest);
});
