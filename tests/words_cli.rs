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

fn char_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

fn transcript_text(d: &Path, id: &str) -> String {
    std::fs::read_to_string(d.join(format!("transcripts/{id}.txt"))).unwrap()
}

#[test]
fn kwic_lines_are_the_occurrences_with_their_context() {
    let d = shared_demo();
    let v = run_json(d, &["kwic", "mishandeling", "--width", "4", "--json"]);
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(v["total"].as_u64().unwrap() as usize, lines.len());
    assert!(lines.len() > 30, "{}", lines.len());
    let mut texts = std::collections::HashMap::new();
    for l in lines {
        let id = l["transcript"].as_str().unwrap();
        let text = texts
            .entry(id.to_string())
            .or_insert_with(|| transcript_text(d, id));
        let (s, e) = (
            l["start"].as_u64().unwrap() as usize,
            l["end"].as_u64().unwrap() as usize,
        );
        // The keyword is the transcript's text at its offsets, the context the words around it.
        assert_eq!(char_slice(text, s, e), l["keyword"].as_str().unwrap());
        assert!(
            l["keyword"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("mishandel")
        );
        let left = l["left"].as_str().unwrap();
        assert!(left.split(' ').count() <= 4);
        let before: String = char_slice(text, 0, s);
        assert!(before.trim_end().ends_with(left), "{left:?}");
        assert_eq!(l["speaker"], "R", "respondent turns only by default");
        assert!(l["group"].is_string());
    }
    // Interviewer turns when asked; they were counted as left out.
    let all = run_json(
        d,
        &["kwic", "mishandeling", "--include-interviewer", "--json"],
    );
    assert_eq!(
        all["lines"].as_array().unwrap().len(),
        lines.len() + v["interviewer_lines"].as_u64().unwrap() as usize
    );
    assert!(v["interviewer_lines"].as_u64().unwrap() > 0);
}

#[test]
fn kwic_sorts_by_left_or_right_context() {
    let d = shared_demo();
    let fold = |s: &str| -> String {
        codewerk::core::text::fold_accents(&s.to_lowercase())
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect::<String>()
    };
    let v = run_json(d, &["kwic", "meldcode", "--sort", "right", "--json"]);
    let rights: Vec<String> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| fold(l["right"].as_str().unwrap()))
        .filter(|r| !r.trim().is_empty())
        .map(|r| r.split_whitespace().next().unwrap().to_string())
        .collect();
    let mut sorted = rights.clone();
    sorted.sort();
    assert_eq!(rights, sorted);
    let v = run_json(d, &["kwic", "meldcode", "--sort", "left", "--json"]);
    let lefts: Vec<String> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| fold(l["left"].as_str().unwrap()))
        .filter(|r| !r.trim().is_empty())
        .map(|r| r.split_whitespace().last().unwrap().to_string())
        .collect();
    let mut sorted = lefts.clone();
    sorted.sort();
    assert_eq!(lefts, sorted);
}

#[test]
fn kwic_text_is_aligned_and_csv_has_a_header() {
    let d = shared_demo();
    let out = codewerk(d)
        .args(["kwic", "meldcode", "--group", "docenten", "--limit", "5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[5].contains("of") && lines[5].contains("occurrences shown"));
    // Every keyword starts in the same column.
    let cols: Vec<usize> = lines[..5]
        .iter()
        .map(|l| l.chars().position(|c| c == '[').unwrap())
        .collect();
    assert!(cols.iter().all(|&c| c == cols[0]), "{text}");
    assert!(lines[..5].iter().all(|l| l.contains(" docent ")));
    let out = codewerk(d)
        .args(["kwic", "meldcode", "--csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with(
        "transcript,respondent,group,school,school_type,speaker,start,end,left,keyword,right\n"
    ));
    // A bad sort is refused by clap, a bad query with exit 2.
    codewerk(d)
        .args(["kwic", "meldcode", "--sort", "middle"])
        .assert()
        .failure();
    codewerk(d).args(["kwic", "\"meldcode"]).assert().code(2);
}
