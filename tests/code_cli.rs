#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk code …` on the real binary: shaping the codebook, its errors, undo, the lock, and
//! what merges and sub-codes do to stats, exports and agreement.

mod common;

use common::{codewerk, copy, json_of};
use predicates::prelude::*;
use std::path::Path;

fn codebook(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("codebook/codebook.json")).unwrap()
}

fn list(dir: &Path) -> serde_json::Value {
    json_of(codewerk(dir).args(["code", "list", "--json"]))
}

fn code<'a>(listing: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    listing["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no code {id} in {listing}"))
}

#[test]
fn sub_codes_are_added_listed_and_journaled_with_who() {
    let dir = copy("valid");
    codewerk(dir.path())
        .args([
            "--coder",
            "ana",
            "code",
            "add",
            "Blauwe plekken",
            "--parent",
            "Signalen herkennen",
        ])
        .args([
            "--inclusion",
            "zichtbaar letsel",
            "--example",
            "\"blauwe plekken\"",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sub-code of \"Signalen herkennen\"",
        ));
    codewerk(dir.path())
        .args([
            "--coder",
            "ana",
            "code",
            "add",
            "Coördinatie",
            "-d",
            "2",
            "--colour",
            "#123456",
        ])
        .assert()
        .success();
    let l = list(dir.path());
    let sub = code(&l, "blauwe-plekken");
    assert_eq!(sub["parent"], "signalen");
    assert_eq!(sub["depth"], 1);
    assert_eq!(sub["deelvraag"], 1);
    assert_eq!(sub["path"], "Signalen herkennen › Blauwe plekken");
    assert_eq!(sub["inclusion"], "zichtbaar letsel");
    assert_eq!(sub["inductive"], true);
    // The proposed colour is none of those in use.
    let used: Vec<&str> = ["#FFE135", "#D9A400", "#E53935"].to_vec();
    assert!(!used.contains(&sub["colour"].as_str().unwrap()), "{sub}");
    // Tree order: the sub-code right under its parent, before the next deelvraag's codes.
    let order: Vec<&str> = l["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "niet-pluis",
            "signalen",
            "blauwe-plekken",
            "knelpunten",
            "coordinatie"
        ]
    );
    let h = codewerk(dir.path())
        .args(["code", "history", "--json"])
        .output()
        .unwrap();
    let h: serde_json::Value = serde_json::from_slice(&h.stdout).unwrap();
    assert_eq!(h[0]["who"], "ana");
    assert_eq!(h[0]["action"], "add code \"Blauwe plekken\"");
    assert!(h[0]["at"].as_str().unwrap().ends_with('Z'));
    // Stable JSON: keys in a fixed order, the new code in its deelvraag's place in the file.
    let text = codebook(dir.path());
    assert!(text.find("\"blauwe-plekken\"").unwrap() < text.find("\"knelpunten\"").unwrap());
}

#[test]
fn bad_changes_are_refused_with_a_clear_message_and_nothing_written() {
    let dir = copy("valid");
    let before = codebook(dir.path());
    codewerk(dir.path())
        .args(["code", "add", "Kind", "--parent", "signalen"])
        .assert()
        .success();
    let before_errors = codebook(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (
            &["rename", "niet-pluis", "signalen HERKENNEN"],
            "has the name \"Signalen herkennen\" already",
        ),
        (&["merge", "signalen", "signalen"], "into itself"),
        (&["merge", "signalen", "kind"], "is one of its sub-codes"),
        (&["recolour", "signalen", "geel"], "is not #RRGGBB"),
        (
            &["rename", "singalen", "X"],
            "unknown code \"singalen\" (did you mean: \"Signalen herkennen\" (signalen)",
        ),
        (&["move", "signalen", "--parent", "kind"], "cycle"),
        (&["move", "kind", "-d", "2"], "parent is under deelvraag 1"),
        (
            &["add", "Nieuw", "-d", "7"],
            "deelvraag 7 does not exist (known: 1, 2)",
        ),
        (&["add", "Zonder deelvraag"], "needs --deelvraag"),
        (&["delete", "signalen"], "has 1 coding(s); use --merge-into"),
    ];
    for (args, msg) in cases {
        codewerk(dir.path())
            .arg("code")
            .args(*args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*msg));
        assert_eq!(
            codebook(dir.path()),
            before_errors,
            "{args:?} changed the codebook"
        );
    }
    codewerk(dir.path())
        .args(["code", "undo"])
        .assert()
        .success();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&codebook(dir.path())).unwrap(),
        serde_json::from_str::<serde_json::Value>(&before).unwrap()
    );
    codewerk(dir.path())
        .args(["code", "undo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to undo"));
}

#[test]
fn merge_counts_a_as_b_everywhere_without_touching_the_journals_and_undo_restores() {
    let dir = copy("valid");
    let journal = std::fs::read(dir.path().join("codings/ana.jsonl")).unwrap();
    let stats = |dir: &Path| -> serde_json::Value {
        json_of(codewerk(dir).args(["stats", "--coder", "ana", "--json"]))
    };
    let passages = |s: &serde_json::Value, id: &str| {
        s[0]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == id)
            .map(|c| c["passages"].as_u64().unwrap())
    };
    let s = stats(dir.path());
    let (a, b) = (
        passages(&s, "signalen").unwrap(),
        passages(&s, "niet-pluis").unwrap(),
    );
    codewerk(dir.path())
        .args(["code", "merge", "Signalen herkennen", "niet-pluis"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{a} coding(s) now count as \"Niet pluis gevoel\""
        )));
    assert_eq!(
        std::fs::read(dir.path().join("codings/ana.jsonl")).unwrap(),
        journal
    );
    let s = stats(dir.path());
    assert_eq!(passages(&s, "niet-pluis"), Some(a + b));
    assert_eq!(passages(&s, "signalen"), None);
    codewerk(dir.path()).arg("check").assert().success();
    let out = codewerk(dir.path())
        .args([
            "--coder", "ana", "export", "summary", "--format", "json", "--out", "-",
        ])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["code_id"] != "signalen")
    );
    // The merged name is not a code any more, and says where it went.
    codewerk(dir.path())
        .args(["code", "rename", "signalen", "X"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "merged into \"Niet pluis gevoel\"",
        ));
    codewerk(dir.path())
        .args(["code", "undo"])
        .assert()
        .success();
    let s = stats(dir.path());
    assert_eq!(
        (passages(&s, "signalen"), passages(&s, "niet-pluis")),
        (Some(a), Some(b))
    );
}

#[test]
fn delete_with_force_flags_the_codings_and_undo_brings_them_back() {
    let dir = copy("valid");
    codewerk(dir.path())
        .args(["code", "delete", "signalen", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 coding(s) are flagged"));
    let out = codewerk(dir.path()).arg("check").output().unwrap();
    assert!(out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("1 coding(s) of the deleted code \"signalen\" are counted nowhere"),
        "{all}"
    );
    let l = list(dir.path());
    assert_eq!(l["retired"][0]["id"], "signalen");
    assert_eq!(l["retired"][0]["deleted"], true);
    codewerk(dir.path())
        .args(["code", "undo"])
        .assert()
        .success();
    assert_eq!(code(&list(dir.path()), "signalen")["codings"], 1);
    // --merge-into is a merge.
    codewerk(dir.path())
        .args(["code", "delete", "signalen", "--merge-into", "niet-pluis"])
        .assert()
        .success()
        .stdout(predicate::str::contains("merged"));
}

#[test]
fn a_hand_edited_codebook_with_a_bad_tree_names_file_and_line() {
    let dir = copy("valid");
    let path = dir.path().join("codebook/codebook.json");
    let text = codebook(dir.path()).replace(
        r#""id": "niet-pluis", "name": "Niet pluis gevoel", "deelvraag": 1,"#,
        r#""id": "niet-pluis", "name": "Niet pluis gevoel", "deelvraag": 1, "parent": "signalen","#,
    ).replace(
        r#""id": "signalen", "name": "Signalen herkennen", "deelvraag": 1,"#,
        r#""id": "signalen", "name": "Signalen herkennen", "deelvraag": 1, "parent": "niet-pluis","#,
    );
    std::fs::write(&path, &text).unwrap();
    codewerk(dir.path()).arg("check").assert().code(2).stderr(
        predicate::str::contains("codebook.json:7:").and(predicate::str::contains("own ancestor")),
    );
    codewerk(dir.path())
        .args(["code", "add", "X", "-d", "1"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("not valid").and(predicate::str::contains("codebook.json:7:")),
        );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_second_writer_is_refused_while_another_holds_the_codebook_lock() {
    let dir = copy("valid");
    let path = dir.path().join("codebook/codebook.json");
    let held = codewerk::core::codebook_history::lock(&path, std::time::Duration::ZERO).unwrap();
    codewerk(dir.path())
        .args(["code", "rename", "signalen", "Signalen"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "being changed by another codewerk",
        ));
    drop(held);
    codewerk(dir.path())
        .args(["code", "rename", "signalen", "Signalen"])
        .assert()
        .success();
}

#[test]
fn agreement_can_fold_sub_codes_into_their_parent() {
    let dir = copy("valid");
    codewerk(dir.path())
        .args(["code", "add", "Blauw", "--parent", "signalen"])
        .assert()
        .success();
    let ana = std::fs::read_to_string(dir.path().join("codings/ana.jsonl")).unwrap();
    let bob = ana
        .replace("\"coder\": \"ana\"", "\"coder\": \"bob\"")
        .replace("\"code\": \"signalen\"", "\"code\": \"blauw\"");
    std::fs::write(dir.path().join("codings/bob.jsonl"), bob).unwrap();
    let rows = |fold: bool| -> Vec<(String, f64)> {
        let mut cmd = codewerk(dir.path());
        cmd.args(["agreement", "ana", "bob", "--json"]);
        if fold {
            cmd.arg("--fold-subcodes");
        }
        let v = json_of(&mut cmd);
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_string(),
                    r["percent"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let per_code = rows(false);
    assert!(
        per_code.iter().any(|(k, p)| k == "signalen" && *p < 100.0),
        "{per_code:?}"
    );
    assert!(per_code.iter().any(|(k, _)| k == "blauw"));
    let folded = rows(true);
    assert!(
        folded
            .iter()
            .any(|(k, p)| k == "signalen" && (*p - 100.0).abs() < 1e-9),
        "{folded:?}"
    );
    assert!(
        folded.iter().all(|(k, _)| k != "blauw"),
        "sub-codes are folded away: {folded:?}"
    );
}

#[test]
fn exports_show_own_and_rolled_up_counts_in_tree_order() {
    let dir = copy("valid");
    codewerk(dir.path())
        .args(["code", "add", "Blauw", "--parent", "signalen"])
        .assert()
        .success();
    // ana's signalen passage on T1 becomes a passage of the sub-code (a second line).
    let j = dir.path().join("codings/ana.jsonl");
    let mut text = std::fs::read_to_string(&j).unwrap();
    text += "{\"seq\": 90, \"at\": \"2026-11-02T10:00:00Z\", \"coder\": \"ana\", \"op\": \"add\", \"id\": 90, \"transcript\": \"T2\", \"code\": \"blauw\", \"start\": 0, \"end\": 2, \"text\": \"I:\"}\n";
    std::fs::write(&j, text).unwrap();
    let rows = json_of(codewerk(dir.path()).args([
        "--coder",
        "ana",
        "export",
        "summary",
        "--format",
        "json",
        "--include-interviewer",
        "--out",
        "-",
    ]));
    let row = |id: &str, g: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["code_id"] == id && r["group"] == g)
            .unwrap()
            .clone()
    };
    let s = row("signalen", "docent");
    assert_eq!(
        (
            s["respondents"].as_u64(),
            s["respondents_with_subcodes"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(s["text_with_subcodes"], "2 of 2 docenten");
    let b = row("blauw", "docent");
    assert_eq!(
        (b["depth"].as_u64(), b["parent_id"].as_str()),
        (Some(1), Some("signalen"))
    );
    assert_eq!(b["path"], "Signalen herkennen › Blauw");
    let order: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code_id"].as_str().unwrap())
        .collect();
    let first = |id: &str| order.iter().position(|x| *x == id).unwrap();
    assert!(first("signalen") < first("blauw") && first("blauw") < first("knelpunten"));
    let out = codewerk(dir.path())
        .args([
            "--coder",
            "ana",
            "export",
            "report",
            "--include-interviewer",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("**2 of 2 docenten** with sub-codes"), "{md}");
    assert!(md.contains("#### Signalen herkennen › Blauw"), "{md}");
    assert!(md.contains("(2 with sub-codes)"), "{md}");
    let out = codewerk(dir.path())
        .args(["--coder", "ana", "stats", "--include-interviewer"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("= incl. sub-codes"), "{text}");
    // Undoing the add of a code with codings would leave them pointing at nothing: refused.
    codewerk(dir.path())
        .args(["code", "undo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "would leave 1 coding(s) of code \"blauw\"",
        ));
    assert!(codebook(dir.path()).contains("\"blauw\""));
}

/// Every command that takes a code says an unknown one the same way: what it may have meant,
/// or (nothing near) the codes there are; always exit 2.
#[test]
fn every_command_says_an_unknown_code_the_same_way() {
    let dir = common::demo();
    let d = dir.path();
    let commands: &[&[&str]] = &[
        &["autocode", "veilig", "--code", "CODE", "--dry-run"],
        &["search", "veilig", "--code", "CODE"],
        &["memo", "add", "--code", "CODE", "een memo"],
        &["agreement", "onderzoeker", "student", "--code", "CODE"],
        &[
            "--coder", "student", "export", "quotes", "--code", "CODE", "--out", "-",
        ],
        &["--coder", "student", "query", "CODE"],
        &["code", "rename", "CODE", "Nieuwe naam"],
    ];
    for (typed, said) in [
        (
            "veilig-thus",
            "unknown code \"veilig-thus\" (did you mean: \"Veilig Thuis\" (veilig-thuis)?)",
        ),
        (
            "zzzqqq",
            "unknown code \"zzzqqq\" (known: niet-pluis, signalen, signaleren-overig,",
        ),
    ] {
        for args in commands {
            let args: Vec<&str> = args
                .iter()
                .map(|a| if *a == "CODE" { typed } else { a })
                .collect();
            let out = codewerk(d).args(&args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(said), "{args:?}: {err}");
        }
    }
}

/// A name too long for the column is cut with …, by display width, the columns kept aligned.
#[test]
fn code_list_cuts_a_long_name_with_an_ellipsis() {
    let dir = common::demo();
    let out = String::from_utf8(common::stdout_of(
        codewerk(dir.path()).args(["code", "list"]),
    ))
    .unwrap();
    let line = out.lines().find(|l| l.contains("knelpunten")).unwrap();
    assert!(
        line.starts_with("Knelpunten, moeilijkheden, dilemma's, belemmering…  #E53935"),
        "{line}"
    );
    let header = out.lines().next().unwrap();
    let col = |l: &str, s: &str| l[..l.find(s).unwrap()].chars().count();
    assert_eq!(col(header, "colour"), col(line, "#E53935"));
}
