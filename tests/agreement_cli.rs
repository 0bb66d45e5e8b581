#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk agreement`, `recode` and `reconcile` on the real binary, on a small fixture project
//! (tests/fixtures/agreement: 3 transcripts, coders student, onderzoeker and derde; onderzoeker
//! and derde have not touched B-D1).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;

fn fixture() -> PathBuf {
    common::fixture("agreement")
}

/// A writable copy of the fixture.
fn project() -> tempfile::TempDir {
    common::copy("agreement")
}

fn codewerk(root: &Path) -> Command {
    let mut c = Command::cargo_bin("codewerk").unwrap();
    c.arg("--project")
        .arg(root)
        .env_remove("CODEWERK_CODER")
        .env_remove("CODEWERK_PROJECT");
    c
}

fn json(root: &Path, args: &[&str]) -> Value {
    common::json_of(codewerk(root).args(args).arg("--json"))
}

fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap()
}

#[test]
fn table_shows_every_coefficient_with_its_base() {
    codewerk(&fixture())
        .args(["agreement", "student", "onderzoeker"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Agreement of student (A) and onderzoeker (B), by code",
        ))
        .stdout(predicate::str::contains(
            "Compared: 2 of 3 transcripts (466 characters), 3 code(s).",
        ))
        .stdout(predicate::str::contains("B-D1 (student only)"))
        // Zorgen: passages 2/1, coded chars 88/66, 95.3%, kappa 0.830.
        .stdout(predicate::str::is_match(r"Zorgen\s+2/1\s+88/66\s+95\.3%\s+0\.830").unwrap())
        .stdout(predicate::str::contains("all 3 codes, pooled"));
}

#[test]
fn json_matches_hand_computed_values() {
    let r = json(&fixture(), &["agreement", "student", "onderzoeker"]);
    assert_eq!(r["transcripts"], serde_json::json!(["A-D1", "A-L"]));
    let zorg = row(&r, "zorg");
    // 466 characters; student 43..109 and 110..132, onderzoeker 43..109.
    assert_eq!(
        zorg["table"],
        serde_json::json!({"both": 66, "a_only": 22, "b_only": 0, "neither": 378})
    );
    // kappa = (466 * 444 - E) / (466² - E), E = 88 * 66 + 378 * 400 = 157008.
    let kappa = zorg["kappa"].as_f64().unwrap();
    assert!((kappa - 49896.0 / 60148.0).abs() < 1e-12, "{kappa}");
    assert!((zorg["percent"].as_f64().unwrap() - 100.0 * 444.0 / 466.0).abs() < 1e-9);
    assert_eq!(
        zorg["coders"][0],
        serde_json::json!({"coder": "student", "passages": 2, "coded_chars": 88})
    );
    // Segments: the shared passage matches for both coders; "Dan maak ik me zorgen." does not.
    assert_eq!(zorg["segments"]["matched"], 2);
    assert_eq!(zorg["segments"]["unmatched"], 1);
    assert_eq!(zorg["disagreements"], 1);
    assert_eq!(r["pooled"]["units"], 466 * 3);
}

#[test]
fn a_code_nobody_used_is_undefined() {
    let r = json(
        &fixture(),
        &[
            "agreement",
            "student",
            "onderzoeker",
            "--code",
            "beleid",
            "--code",
            "Zorgen",
        ],
    );
    let beleid = row(&r, "beleid");
    for field in ["percent", "kappa", "alpha", "alpha_nominal"] {
        assert!(beleid[field].is_null(), "{field}: {}", beleid[field]);
    }
    assert!(beleid["segments"]["percent"].is_null());
    assert!(row(&r, "zorg")["kappa"].is_number());
    codewerk(&fixture())
        .args(["agreement", "student", "onderzoeker", "--code", "beleid"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"Beleid\s+0/0\s+0/0\s+undefined\s+undefined").unwrap())
        .stdout(predicate::str::contains("NaN").not());
}

#[test]
fn csv_has_a_row_per_code_and_the_pooled_row() {
    let out = codewerk(&fixture())
        .args([
            "agreement",
            "student",
            "onderzoeker",
            "--csv",
            "--code",
            "zorg",
            "--code",
            "beleid",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0]
            .starts_with("kind,key,label,characters,units,passages_student,passages_onderzoeker")
    );
    assert!(lines[1].starts_with("code,zorg,Zorgen,466,466,2,1,88,66,66,22,0,378,"));
    // Undefined values are empty cells.
    assert!(
        lines[2].starts_with("code,beleid,Beleid,466,466,0,0,0,0,0,0,0,466,,,,,0,0,,,0"),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with("pooled,,"));
}

#[test]
fn breakdowns_by_transcript_and_group() {
    let r = json(
        &fixture(),
        &["agreement", "student", "onderzoeker", "--by", "transcript"],
    );
    let keys: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["A-D1", "A-L"]);
    // Rows of a breakdown add up to the pooled table.
    let both: u64 = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["table"]["both"].as_u64().unwrap())
        .sum();
    assert_eq!(both, r["pooled"]["table"]["both"].as_u64().unwrap());
    let g = json(
        &fixture(),
        &["agreement", "student", "onderzoeker", "--by", "group"],
    );
    let labels: Vec<&str> = g["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, vec!["docenten", "leidinggevenden"]);
    assert_eq!(g["pooled"]["kappa"], r["pooled"]["kappa"]);
}

#[test]
fn more_coders_for_alpha() {
    let two = json(&fixture(), &["agreement", "student", "onderzoeker"]);
    let three = json(
        &fixture(),
        &["agreement", "student", "onderzoeker", "derde"],
    );
    assert_eq!(three["coders"].as_array().unwrap().len(), 3);
    assert_eq!(row(&three, "zorg")["coders"][2]["coded_chars"], 89);
    // Kappa stays A and B's; alpha now takes all three.
    assert_eq!(row(&three, "zorg")["kappa"], row(&two, "zorg")["kappa"]);
    assert_ne!(row(&three, "zorg")["alpha"], row(&two, "zorg")["alpha"]);
    codewerk(&fixture())
        .args(["agreement", "student", "onderzoeker", "derde"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "student (A), onderzoeker (B) and derde",
        ))
        .stdout(predicate::str::contains("2/1/1"));
}

#[test]
fn overlap_threshold_and_scope() {
    let strict = json(
        &fixture(),
        &["agreement", "student", "onderzoeker", "--code", "melden"],
    );
    let loose = json(
        &fixture(),
        &[
            "agreement",
            "student",
            "onderzoeker",
            "--code",
            "melden",
            "--overlap",
            "40",
        ],
    );
    assert_eq!(strict["overlap"], 90.0);
    // "Ik meld het bij de zorgcoördinator." (35) inside the onderzoeker's 73 characters: 48%.
    assert_eq!(strict["rows"][0]["segments"]["matched"], 2);
    assert_eq!(loose["rows"][0]["segments"]["matched"], 4);
    let all = json(
        &fixture(),
        &["agreement", "student", "onderzoeker", "--all-transcripts"],
    );
    assert_eq!(all["transcripts"].as_array().unwrap().len(), 3);
    assert_eq!(all["scope"], "all_transcripts");
    // Now B-D1 counts: the student's 43 characters there are the student's only.
    assert_eq!(row(&all, "melden")["table"]["a_only"], 43);
    assert_eq!(row(&all, "melden")["table"]["b_only"], 73 - 35);
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["agreement", "student", "nobody"],
            "coder \"nobody\" has no journal",
        ),
        (&["agreement", "student", "student"], "named twice"),
        (
            &["agreement", "student", "onderzoeker", "--code", "geen"],
            "unknown code \"geen\"",
        ),
        (
            &["agreement", "student", "onderzoeker", "--overlap", "0"],
            "above 0 and at most 100",
        ),
        (
            &["agreement", "student", "onderzoeker", "--overlap", "150"],
            "above 0 and at most 100",
        ),
    ];
    for (args, msg) in cases {
        codewerk(&fixture())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(msg));
    }
    codewerk(&fixture())
        .args(["agreement", "student"])
        .assert()
        .code(2);
}

#[test]
fn disagreements_list() {
    codewerk(&fixture())
        .args(["agreement", "student", "onderzoeker", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("A-D1 110..132  A only"))
        .stdout(predicate::str::contains("A-D1 235..253  B only"))
        .stdout(predicate::str::contains("A-L 150..210  boundary differs"))
        .stdout(predicate::str::contains(
            "\"Ja, of het ernstig genoeg is. Dat blijft een ĳzeren dilemma.\"",
        ));
    let v = json(
        &fixture(),
        &["agreement", "student", "onderzoeker", "--list"],
    );
    let twijfel = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "twijfel")
        .unwrap();
    let kinds: Vec<&str> = twijfel["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["b_only", "boundary_differs"]);
    assert_eq!(
        twijfel["items"][1]["ranges"],
        serde_json::json!([{"start": 179, "end": 210, "coded_by": "b"}])
    );
}

#[test]
fn recode_copies_once_as_one_action() {
    let dir = project();
    let root = dir.path();
    let journal = root.join("codings/tweede.jsonl");
    codewerk(root)
        .args(["recode", "--from", "student", "--as", "tweede", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "would copy 6 coding(s) of student",
        ));
    assert!(!journal.exists());
    codewerk(root)
        .args(["recode", "--from", "student", "--as", "tweede"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "tweede: copied 6 coding(s) of student.",
        ));
    let lines: Vec<Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    // One batch, named by its first line's seq.
    let batch = lines[0]["seq"].clone();
    assert!(
        lines
            .iter()
            .all(|l| l["batch"] == batch && l["coder"] == "tweede" && l["op"] == "add")
    );
    // The copy agrees perfectly with its source.
    let r = json(root, &["agreement", "student", "tweede"]);
    assert_eq!(r["pooled"]["kappa"], 1.0);
    assert_eq!(r["pooled"]["disagreements"], 0);
    // A second copy is refused; --force adds only what is missing.
    codewerk(root)
        .args(["recode", "--from", "student", "--as", "tweede"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already has 6 coding(s)"));
    let v = json(
        root,
        &[
            "recode",
            "--from",
            "onderzoeker",
            "--as",
            "tweede",
            "--force",
        ],
    );
    assert_eq!(
        (v["copied"].as_u64(), v["already_present"].as_u64()),
        (Some(3), Some(2))
    );
    // The recoder defaults to --coder.
    codewerk(root)
        .args(["--coder", "derde", "recode", "--from", "student"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"derde\" already has 4"));
    codewerk(root)
        .args(["recode", "--from", "niemand", "--as", "x"])
        .assert()
        .code(2);
    codewerk(root)
        .args(["recode", "--from", "student", "--as", "student"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("onto itself"));
}

#[test]
fn reconcile_seeds_the_agreed_passages() {
    let dir = project();
    let root = dir.path();
    let v = json(root, &["reconcile", "student", "onderzoeker"]);
    assert_eq!(v["consensus"], "consensus");
    assert_eq!(v["agreed_copied"], 2);
    let left: u64 = v["to_decide"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["disagreements"].as_u64().unwrap())
        .sum();
    assert_eq!(left, 4);
    let again = json(root, &["reconcile", "student", "onderzoeker"]);
    assert_eq!(again["agreed_copied"], 0);
    codewerk(root)
        .args(["reconcile", "student", "onderzoeker", "--as", "student"])
        .assert()
        .code(2);
    codewerk(root)
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("consensus          2 passages"));
}
