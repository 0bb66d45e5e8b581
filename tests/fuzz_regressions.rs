#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Inputs the fuzzers (`fuzz/`) found, kept as regression tests, plus a seed per target: each
//! goes through the same function as its fuzz target and must come back without a panic.
//! Files live in `tests/fixtures/fuzz/<target>/`.

use codewerk::core::coding::CoderState;
use codewerk::core::index::Index;
use codewerk::core::index::search::{Query, search_all};
use codewerk::core::project::Project;
use codewerk::core::transcript::Transcript;
use std::path::{Path, PathBuf};

mod common;

/// Seeds are valid inputs: they must not only come back, but be read.
fn is_seed(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("seed"))
}

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    files
}

#[test]
fn transcript_inputs() {
    for (p, bytes) in inputs("transcript") {
        let read = Transcript::from_bytes("T", &p, &bytes);
        assert!(!is_seed(&p) || read.is_ok(), "{}", p.display());
        if let Ok(t) = read {
            assert_eq!(t.len_chars(), t.text().chars().count(), "{}", p.display());
        }
    }
}

#[test]
fn respondents_inputs() {
    for (p, bytes) in inputs("respondents") {
        let (rows, problems) = codewerk::core::respondents::parse(&p, &bytes);
        assert!(
            !is_seed(&p) || (!rows.is_empty() && problems.is_empty()),
            "{problems:?}"
        );
    }
}

#[test]
fn codebook_inputs() {
    for (p, bytes) in inputs("codebook") {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let read = codewerk::core::codebook::Codebook::parse(&p, text);
            assert!(!is_seed(&p) || read.is_ok(), "{}", p.display());
        }
    }
}

#[test]
fn journal_inputs() {
    for (p, bytes) in inputs("journal") {
        let state = CoderState::replay(&p, "ana", &bytes);
        assert!(!is_seed(&p) || !state.codings.is_empty(), "{}", p.display());
    }
}

#[test]
fn query_inputs() {
    let dir = common::copy("valid");
    let project = Project::load(dir.path()).unwrap();
    let (index, _) = Index::open(&project, &mut |_| {}).unwrap();
    for (p, bytes) in inputs("query") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let q = Query {
            text: text.to_string(),
            limit: 20,
            ..Query::default()
        };
        let found = search_all(&project, &index, &q);
        assert!(!is_seed(&p) || found.is_ok(), "{}", p.display());
    }
}

#[test]
fn ingest_inputs() {
    const NAMES: [&str; 8] = [
        "a.txt", "a.docx", "a.odt", "a.srt", "a.vtt", "a.json", "a.csv", "a.tsv",
    ];
    for (p, bytes) in inputs("ingest") {
        let Some((&pick, rest)) = bytes.split_first() else {
            continue;
        };
        let read = codewerk::core::ingest::read(Path::new(NAMES[usize::from(pick) % 8]), rest);
        assert!(!is_seed(&p) || read.is_ok(), "{}: {read:?}", p.display());
    }
}

#[test]
fn refi_inputs() {
    // A real package, exported from the valid fixture, must read back.
    let dir = common::copy("valid");
    let mut project = Project::load(dir.path()).unwrap();
    let out = dir.path().join("seed.qdpx");
    codewerk::core::refi::export_qdpx(&mut project, &[], &out, false).unwrap();
    let seed = std::fs::read(&out).unwrap();
    assert!(codewerk::core::refi::read_qdpx(&out, &seed).is_ok());
    // Kept inputs (hostile or found by the fuzzer) must come back without a panic.
    for (p, bytes) in inputs("refi") {
        let read = codewerk::core::refi::read_qdpx(&p, &bytes);
        assert!(!is_seed(&p) || read.is_ok(), "{}", p.display());
    }
}
