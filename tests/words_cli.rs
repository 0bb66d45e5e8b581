#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exploring the words on the real binary, on a copy of the demo project: compounds in search,
//! respondent-first ranking, `kwic`, `words`, memo search and "this match not coded".

mod common;

use common::codewerk;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the demo project (the repository root's project files).
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["project.json", "codebook", "transcripts", "codings"] {
        let from = repo().join(part);
        if from.is_dir() {
            common::copy_dir(&from, &dir.path().join(part));
        } else {
            std::fs::copy(&from, dir.path().join(part)).unwrap();
        }
    }
    dir
}

/// One demo copy shared by the read-only tests, so its index is built once.
fn shared_demo() -> &'static Path {
    static DEMO: OnceLock<tempfile::TempDir> = OnceLock::new();
    DEMO.get_or_init(demo).path()
}

fn run_json(dir: &Path, args: &[&str]) -> Value {
    let out = codewerk(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn matched_words(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| {
            let marked = h["snippet"]["marked"].as_str().unwrap().to_string();
            marked
                .split('«')
                .skip(1)
                .map(|s| s.split('»').next().unwrap().to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_part_finds_the_compound_in_the_demo() {
    let d = shared_demo();
    let v = run_json(d, &["search", "coördinator", "--limit", "0", "--json"]);
    // 229 occurrences of zorgcoördinator(en) in 200 turns; the word never stands alone.
    assert_eq!(v["total"], 200);
    assert_eq!(matched_words(&v), ["zorgcoördinator", "zorgcoördinatoren"]);
    let v = run_json(d, &["search", "mishandeling", "--limit", "0", "--json"]);
    let words = matched_words(&v);
    assert!(
        words.contains(&"kindermishandeling".to_string()),
        "{words:?}"
    );
    assert!(words.contains(&"mishandeling".to_string()));
    // A phrase and the whole compound find exactly that.
    let v = run_json(d, &["search", "\"coördinator\"", "--json"]);
    assert_eq!(v["total"], 0);
    let v = run_json(
        d,
        &["search", "kindermishandeling", "--limit", "0", "--json"],
    );
    assert_eq!(matched_words(&v), ["kindermishandeling"]);
}

#[test]
fn respondent_turns_first_unless_ranked_by_score() {
    let d = shared_demo();
    let speakers = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["search", "mishandeling", "--group", "docent", "--json"];
        args.extend_from_slice(extra);
        let v = run_json(d, &args);
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["speaker"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let first = speakers(&["--limit", "5"]);
    assert_eq!(first, ["R"; 5], "default: respondent turns first");
    let by_score = speakers(&["--limit", "5", "--rank", "score"]);
    assert!(by_score.iter().any(|s| s == "I"), "{by_score:?}");
    // All hits: the interviewer's come after every respondent turn.
    let all = speakers(&["--limit", "0"]);
    let first_i = all.iter().position(|s| s == "I").unwrap();
    assert!(all[first_i..].iter().all(|s| s == "I"), "{all:?}");
    // --speaker still filters.
    assert!(speakers(&["--speaker", "I"]).iter().all(|s| s == "I"));
}
