#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk check`, `stats` and `import quotes` on the real binary, with valid and broken
//! fixture projects.

use predicates::prelude::*;
use std::path::Path;

mod common;
use common::{codewerk, copy, fixture, json_of};

#[test]
fn check_valid_project_prints_summary() {
    codewerk(&fixture("valid"))
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("Transcripts: 3"))
        .stdout(predicate::str::contains("docent 2 · zorgcoördinator 1"))
        .stdout(predicate::str::contains("Schools: 2"))
        .stdout(predicate::str::contains("3 codes in 2 deelvragen"))
        .stdout(predicate::str::contains("ana"))
        .stdout(predicate::str::contains("No problems found."));
}

#[test]
fn check_json_is_machine_readable() {
    let out = codewerk(&fixture("valid"))
        .args(["check", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["summary"]["transcripts"], 3);
    assert_eq!(v["summary"]["coders"][0]["passages"], 2);
}

#[test]
fn check_lists_every_problem_with_file_and_line() {
    let assert = codewerk(&fixture("invalid")).arg("check").assert().code(2);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for expected in [
        "codebook.json:7:5: error: duplicate code id \"a\"",
        "codebook.json:8:5: error: code \"b\" is under deelvraag 4, which is not declared",
        "codebook.json:8:5: error: code \"b\": colour \"rood\" is not #RRGGBB",
        "respondents.csv:3: error: row T2 names file \"missing.txt\"",
        "respondents.csv:4: error: unknown group \"conciërge\"",
        "T4.txt:3:6: error: not valid UTF-8",
        "T5.txt: error: the transcript is empty",
        "extra.txt: warning: transcript file is not listed",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn malformed_codebook_names_line_and_column() {
    codewerk(&fixture("malformed"))
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "codebook.json:4:16: error: malformed codebook JSON",
        ));
}

#[test]
fn missing_project_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    codewerk(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "codebook.json: error: cannot read the codebook",
        ));
}

#[test]
fn journal_with_unknown_code_and_torn_line() {
    let dir = copy("valid");
    let journal = dir.path().join("codings/ana.jsonl");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(
        "{\"seq\":3,\"at\":\"2026-11-01T10:02:00Z\",\"coder\":\"ana\",\"op\":\"add\",\"id\":3,\
         \"transcript\":\"T1\",\"code\":\"bestaat-niet\",\"start\":0,\"end\":2,\"text\":\"I:\"}\n",
    );
    text.push_str("{\"seq\":4,\"at\":\"2026-11-01T10:0");
    std::fs::write(&journal, text).unwrap();
    codewerk(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "ana.jsonl:3: error: unknown code \"bestaat-niet\"",
        ))
        .stderr(predicate::str::contains(
            "ana.jsonl:4: warning: last line is incomplete",
        ));
}

#[test]
fn changed_transcript_reanchors_or_flags() {
    let dir = copy("valid");
    let t1 = dir.path().join("transcripts/T1.txt");
    let text = std::fs::read_to_string(&t1).unwrap();
    std::fs::write(&t1, format!("I: Nieuwe eerste vraag.\n\n{text}")).unwrap();
    let t3 = dir.path().join("transcripts/T3.txt");
    std::fs::write(&t3, "I: Vraag.\n\nR: Alles anders nu.\n").unwrap();
    codewerk(dir.path())
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains("re-anchored by its text"))
        .stderr(predicate::str::contains("is no longer in it"));
}

#[test]
fn stats_counts_respondents_per_group() {
    let out = codewerk(&fixture("valid")).arg("stats").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Coder: ana"), "{text}");
    // Each count on the row of its own code.
    let row = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{text}"))
            .to_string()
    };
    let signalen = row("Signalen herkennen");
    assert!(signalen.contains(" 1 passage "), "{signalen}");
    assert!(signalen.contains("1 of 2 docenten"), "{signalen}");
    assert!(signalen.contains("0 of 1 zorgcoördinatoren"), "{signalen}");
    let knelpunten = row("Knelpunten");
    assert!(knelpunten.contains("0 of 2 docenten"), "{knelpunten}");
    assert!(
        knelpunten.contains("1 of 1 zorgcoördinatoren"),
        "{knelpunten}"
    );
    let niet_pluis = row("Niet pluis gevoel");
    assert!(niet_pluis.contains("0 passages"), "{niet_pluis}");
}

#[test]
fn stats_without_codings_prints_zeros() {
    let dir = copy("valid");
    std::fs::remove_file(dir.path().join("codings/ana.jsonl")).unwrap();
    codewerk(dir.path())
        .arg("stats")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 of 2 docenten"));
}

#[test]
fn import_quotes_anchors_and_is_idempotent() {
    let dir = copy("valid");
    let quotes = dir.path().join("q.jsonl");
    std::fs::write(
        &quotes,
        "{\"transcript\":\"T2\",\"code\":\"signalen\",\"quote\":\"Eén meisje at niet meer.\"}\n\
         {\"transcript\":\"T2\",\"code\":\"Knelpunten\",\"quote\":\"de hoge eisen van ouders\",\"memo\":\"havo\"}\n",
    )
    .unwrap();
    for _ in 0..2 {
        codewerk(dir.path())
            .args(["--coder", "bo", "import", "quotes"])
            .arg(&quotes)
            .assert()
            .success();
    }
    let journal = std::fs::read_to_string(dir.path().join("codings/bo.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the second import adds nothing");
    // Offsets are characters of the text after BOM/CRLF normalisation.
    let text = "I: Hoe gaat het op school?\n\nR: Nou, de hoge eisen van ouders. Eén meisje at niet meer.\n";
    let start = text.chars().count() - "Eén meisje at niet meer.\n".chars().count();
    assert_eq!(lines[0]["start"], start);
    assert_eq!(lines[0]["text"], "Eén meisje at niet meer.");
    assert_eq!(lines[1]["code"], "knelpunten");
    assert_eq!(lines[1]["memo"], "havo");
}

#[test]
fn import_quotes_refuses_bad_lines_and_writes_nothing() {
    let dir = copy("valid");
    let quotes = dir.path().join("q.jsonl");
    std::fs::write(
        &quotes,
        "{\"transcript\":\"T1\",\"code\":\"signalen\",\"quote\":\"Dat voelde niet pluis.\"}\n\
         {\"transcript\":\"T1\",\"code\":\"signalen\",\"quote\":\"staat er niet\"}\n\
         {\"transcript\":\"T9\",\"code\":\"signalen\",\"quote\":\"x\"}\n\
         {\"transcript\":\"T1\",\"code\":\"onbekend\",\"quote\":\"Ja\"}\n\
         not json\n",
    )
    .unwrap();
    codewerk(dir.path())
        .args(["--coder", "bo", "import", "quotes"])
        .arg(&quotes)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "q.jsonl:2: error: quote not found",
        ))
        .stderr(predicate::str::contains(
            "q.jsonl:3: error: unknown transcript \"T9\"",
        ))
        .stderr(predicate::str::contains(
            "q.jsonl:4: error: unknown code \"onbekend\"",
        ))
        .stderr(predicate::str::contains(
            "q.jsonl:5:2: error: malformed JSON",
        ));
    assert!(!dir.path().join("codings/bo.jsonl").exists());
}

#[test]
fn second_writer_on_same_coder_is_refused() {
    let dir = copy("valid");
    let _lock = codewerk::core::coding::Journal::open(&dir.path().join("codings"), "bo").unwrap();
    let quotes = dir.path().join("q.jsonl");
    std::fs::write(
        &quotes,
        "{\"transcript\":\"T1\",\"code\":\"signalen\",\"quote\":\"Dat voelde niet pluis.\"}\n",
    )
    .unwrap();
    codewerk(dir.path())
        .args(["--coder", "bo", "import", "quotes"])
        .arg(&quotes)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already open in another codewerk"));
}

#[test]
fn bare_command_off_a_terminal_prints_the_summary() {
    codewerk(&fixture("valid"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Transcripts: 3"));
}

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let keys = codewerk::tui::keymap::markdown();
    assert!(
        readme.contains(&keys),
        "README.md's key table is out of date: paste `codewerk keys`"
    );
}

#[test]
fn an_invalid_coder_name_stops_instead_of_opening_read_only() {
    codewerk(&fixture("valid"))
        .args(["--coder", "ana bob"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"ana bob\" cannot be a coder name",
        ))
        .stdout(predicate::str::is_empty());
}

#[test]
fn passages_in_interviewer_turns_are_not_counted_unless_asked() {
    let dir = copy("valid");
    // ana's journal plus one coding of the interviewer's question in T1.
    let line = r#"{"seq":100,"at":"2026-01-01T00:00:00Z","coder":"ana","op":"add","id":100,"transcript":"T1","code":"niet-pluis","start":3,"end":32,"text":"Maakt u zich wel eens zorgen?"}"#;
    let path = dir.path().join("codings/ana.jsonl");
    let mut journal = std::fs::read_to_string(&path).unwrap();
    journal.push_str(line);
    journal.push('\n');
    std::fs::write(&path, journal).unwrap();
    let passages = |extra: &[&str]| -> u64 {
        let v = json_of(
            codewerk(dir.path())
                .args(["stats", "--json", "--coder", "ana"])
                .args(extra),
        );
        let code = v[0]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "niet-pluis")
            .unwrap()
            .clone();
        code["passages"].as_u64().unwrap()
    };
    let without = passages(&[]);
    let with = passages(&["--include-interviewer"]);
    assert_eq!(with, without + 1);
    codewerk(dir.path())
        .args(["export", "summary", "--coder", "ana", "-o", "-"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 passage in interviewer turns not counted",
        ));
}

/// The coder comes from --coder, else $CODEWERK_CODER (through clap), and an empty variable
/// names nobody: it must neither pick a coder called "" nor hide the only journal.
#[test]
fn the_coder_comes_from_the_flag_then_the_environment() {
    let stats = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = codewerk(&fixture("valid"));
        if let Some(v) = env {
            cmd.env("CODEWERK_CODER", v);
        }
        cmd.arg("stats");
        if let Some(f) = flag {
            cmd.args(["--coder", f]);
        }
        cmd.output().unwrap()
    };
    let coder_line = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let empty = stats(Some(""), None);
    assert!(empty.status.success());
    assert_eq!(coder_line(&empty), "Coder: ana");
    let named = stats(Some("ana"), None);
    assert_eq!(coder_line(&named), "Coder: ana");
    // A misspelt name from the environment is refused like one on the command line.
    let wrong = stats(Some("anna"), None);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("coder \"anna\" has no codings"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    // The flag wins over the environment.
    let flag = stats(Some("anna"), Some("ana"));
    assert_eq!(coder_line(&flag), "Coder: ana");
}

/// `check`'s standard error on the demo project after `damage`, which must fail with exit 2.
fn check_errors_after(damage: impl FnOnce(&Path)) -> String {
    let dir = common::demo();
    damage(dir.path());
    let out = codewerk(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

fn edit_respondents(dir: &Path, edit: impl FnOnce(String) -> String) {
    let csv = dir.join("transcripts/respondents.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, edit(text)).unwrap();
}

#[test]
fn a_missing_transcript_is_one_error_with_its_reason_not_one_per_coding() {
    let err =
        check_errors_after(|dir| std::fs::remove_file(dir.join("transcripts/B-Z.txt")).unwrap());
    assert!(
        err.contains(
            "respondents.csv:8: error: row B-Z names file \"B-Z.txt\", which cannot be read: \
             there is no such file"
        ),
        "{err}"
    );
    assert!(!err.contains("unknown transcript"), "{err}");
    assert!(err.contains("1 error(s)"), "{err}");
    assert!(
        err.contains(
            "student.jsonl: warning: 24 coding(s) of transcript \"B-Z\" are not checked or \
             counted: its row in respondents.csv (line 8) has an error"
        ),
        "{err}"
    );
}

#[test]
fn a_broken_csv_row_is_one_error_on_its_line_and_its_file_and_codings_point_to_it() {
    let err = check_errors_after(|dir| {
        edit_respondents(dir, |text| {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines[3] = lines[3].replacen(',', ";", 2);
            lines.join("\n") + "\n"
        });
    });
    assert!(
        err.contains(
            "respondents.csv:4: error: malformed CSV: the row has 6 field(s) where the header has 8"
        ),
        "{err}"
    );
    // One row counted one way: no "record 3" next to line 4.
    assert!(!err.contains("record 3"), "{err}");
    assert!(!err.contains("unknown transcript"), "{err}");
    assert!(!err.contains("is not listed"), "{err}");
    assert!(
        err.contains("A-D1.txt: warning: transcript file is left out: the row that names it"),
        "{err}"
    );
    assert!(err.contains("1 error(s)"), "{err}");
}

#[test]
fn a_file_named_by_a_duplicate_row_is_not_said_to_be_unlisted() {
    let err = check_errors_after(|dir| {
        std::fs::copy(
            dir.join("transcripts/A-L.txt"),
            dir.join("transcripts/A-L2.txt"),
        )
        .unwrap();
        edit_respondents(dir, |text| {
            text + "A-L,A-L2.txt,leidinggevende,School A,praktijk,m,x,1\n"
        });
    });
    assert!(
        err.contains("duplicate id \"A-L\" (also on line 2)"),
        "{err}"
    );
    assert!(!err.contains("is not listed"), "{err}");
    assert!(
        err.contains("A-L2.txt: warning: transcript file is left out"),
        "{err}"
    );
}

#[test]
fn a_journal_line_edited_by_hand_is_not_said_to_be_a_changed_transcript() {
    let dir = common::demo();
    let d = dir.path();
    // A coding with the version it was made on, as every coding made now has.
    codewerk(d)
        .args([
            "--coder",
            "ed",
            "autocode",
            "\"niet ontbeten\"",
            "--code",
            "signalen",
        ])
        .assert()
        .success();
    let edit = |file: &str, from: &str, to: &str| {
        let path = d.join("codings").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{text}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "ed.jsonl",
        "\"start\":941,\"end\":954",
        "\"start\":945,\"end\":958",
    );
    // A line without a version (the demo's): which of the two changed cannot be known.
    edit(
        "student.jsonl",
        "\"start\":901,\"end\":1101",
        "\"start\":905,\"end\":1105",
    );
    let out = codewerk(d).arg("check").output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("transcript A-D1 changed"), "{err}");
    // A line codewerk wrote carries a checksum of its place: the edit is named as one.
    assert!(
        err.contains("ed.jsonl:1: warning: edited by hand: this line's checksum does not match"),
        "{err}"
    );
    assert!(err.contains("counted at 941..954"), "{err}");
    // Without its checksum (a line another tool wrote), the version still tells: the
    // transcript is the one the coding was made on, so its line was edited.
    let path = d.join("codings/ed.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.find(",\"sum\":\"").unwrap();
    let unsummed = format!("{}{}", &text[..at], &text[at + 25..]);
    assert!(
        !unsummed.lines().next().unwrap().contains("sum"),
        "{unsummed}"
    );
    std::fs::write(&path, unsummed).unwrap();
    let out = codewerk(d).arg("check").output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "journal line does not fit transcript A-D1, which has not changed since the coding \
             was made (the line edited by hand?): re-anchored by its text from 945 to 941"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "student.jsonl:1: warning: coding 1 is not where its journal line says in transcript \
             A-D1 (the transcript changed, or the line was edited): re-anchored by its text from \
             905 to 901"
        ),
        "{err}"
    );
}

/// A journal held by another codewerk is the same failure (exit 1, retrying may help) for
/// every command that writes one; `memo add` said it was wrong input (exit 2).
#[test]
fn a_locked_journal_exits_1_from_every_command_that_writes_one() {
    let dir = common::demo();
    let d = dir.path();
    let _lock = codewerk::core::coding::Journal::open(&d.join("codings"), "student").unwrap();
    for args in [
        &["memo", "add", "--code", "signalen", "een memo"][..],
        &["autocode", "veilig", "--code", "signalen"],
        &["memo", "add", "--log", "een logboekregel"],
    ] {
        codewerk(d)
            .args(["--coder", "student"])
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("already open in another codewerk"));
    }
}

/// A journal's unknown code is said with the codes it may have meant once, then by reference:
/// a code gone from the codebook with hundreds of codings must not print its hint as often.
#[test]
fn an_unknown_code_in_a_journal_is_explained_once_per_code() {
    let err = check_errors_after(|dir| {
        let path = dir.join("codings/student.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("\"code\":\"signalen\"", "\"code\":\"signalenx\""),
        )
        .unwrap();
    });
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("\"signalenx\""))
        .collect();
    assert!(lines.len() > 10, "{err}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("did you mean")).count(),
        1,
        "{err}"
    );
    assert!(
        lines[0].contains("did you mean: \"Signalen herkennen\" (signalen)?"),
        "{err}"
    );
    assert!(
        lines[1].ends_with("unknown code \"signalenx\" (as on line 1)"),
        "{err}"
    );
}
