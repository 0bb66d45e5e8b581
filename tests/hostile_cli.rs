#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Hostile and broken project files on the real binary: each gets a message naming the file
//! (and line), a non-zero exit where the project is unusable, and nothing written.

use predicates::prelude::*;
use std::fs;
use std::path::Path;

mod common;
use common::{codewerk, copy};

/// stderr of `codewerk check`, which must exit with `code`.
fn check(dir: &Path, code: i32) -> String {
    let out = codewerk(dir).arg("check").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn has(err: &str, expected: &str) {
    assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
}

fn quotes(dir: &Path) -> std::path::PathBuf {
    let q = dir.join("q.jsonl");
    fs::write(
        &q,
        "{\"transcript\":\"T1\",\"code\":\"signalen\",\"quote\":\"Dat voelde niet pluis.\"}\n",
    )
    .unwrap();
    q
}

fn set_csv(dir: &Path, text: &str) {
    fs::write(dir.join("transcripts/respondents.csv"), text).unwrap();
}

const HEADER: &str = "id,file,group,school,school_type,geslacht\n";
const T1: &str = "T1,T1.txt,docent,School A,vmbo,v\n";
const T3: &str = "T3,T3.txt,zorgcoördinator,School A,vmbo,v\n";

#[test]
fn a_symlinked_lock_file_is_refused_and_its_target_left_alone() {
    let dir = copy("valid");
    let target = dir.path().join("precious.txt");
    fs::write(&target, "research data").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("codings/.bo.lock")).unwrap();
    let q = quotes(dir.path());
    codewerk(dir.path())
        .args(["--coder", "bo", "import", "quotes"])
        .arg(&q)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(".bo.lock is a symbolic link"));
    assert_eq!(fs::read_to_string(&target).unwrap(), "research data");
    assert!(!dir.path().join("codings/bo.jsonl").exists());
}

#[test]
fn a_symlinked_journal_is_refused_and_its_target_left_alone() {
    let dir = copy("valid");
    let journal = dir.path().join("codings/ana.jsonl");
    let target = dir.path().join("elsewhere.jsonl");
    fs::rename(&journal, &target).unwrap();
    std::os::unix::fs::symlink(&target, &journal).unwrap();
    let before = fs::read(&target).unwrap();
    let err = check(dir.path(), 2);
    has(&err, "ana.jsonl: error: the journal is a symbolic link");
    let q = quotes(dir.path());
    codewerk(dir.path())
        .args(["--coder", "ana", "import", "quotes"])
        .arg(&q)
        .assert()
        .code(2);
    assert_eq!(fs::read(&target).unwrap(), before);
}

#[test]
fn a_symlinked_transcript_is_refused() {
    let dir = copy("valid");
    let t1 = dir.path().join("transcripts/T1.txt");
    let outside = dir.path().join("T1-elders.txt");
    fs::rename(&t1, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &t1).unwrap();
    let err = check(dir.path(), 2);
    has(
        &err,
        "respondents.csv:2: error: row T1 names file \"T1.txt\", but",
    );
    has(&err, "T1.txt is a symbolic link");
}

#[test]
fn a_file_outside_transcripts_is_refused_before_it_is_read() {
    let dir = copy("valid");
    set_csv(
        dir.path(),
        &format!(
            "{HEADER}T1,../../etc/passwd,docent,School A,vmbo,v\nT2,/etc/passwd,docent,School B,havo-vwo,m\n{T3}"
        ),
    );
    let err = check(dir.path(), 2);
    has(
        &err,
        "respondents.csv:2: error: row T1 names file \"../../etc/passwd\", which is not inside transcripts/",
    );
    has(
        &err,
        "respondents.csv:3: error: row T2 names file \"/etc/passwd\", which is not inside transcripts/",
    );
    assert!(!err.contains("root:"), "{err}");
}

#[test]
fn two_rows_naming_one_file_are_refused() {
    let dir = copy("valid");
    set_csv(
        dir.path(),
        &format!("{HEADER}{T1}T2,./t1.TXT,docent,School B,havo-vwo,m\n{T3}"),
    );
    let err = check(dir.path(), 2);
    has(
        &err,
        "respondents.csv:3: error: row T2 names file \"./t1.TXT\", as row T1 on line 2 does",
    );
}

#[test]
fn duplicate_respondent_ids_name_both_lines() {
    let dir = copy("valid");
    set_csv(
        dir.path(),
        &format!("{HEADER}{T1}T1,T2.txt,docent,School B,havo-vwo,m\n{T3}"),
    );
    let err = check(dir.path(), 2);
    has(
        &err,
        "respondents.csv:3: error: duplicate id \"T1\" (also on line 2)",
    );
}

#[test]
fn a_duplicate_column_is_refused() {
    let dir = copy("valid");
    set_csv(
        dir.path(),
        "id,file,group,school,group\nT1,T1.txt,docent,A,zorgcoördinator\n",
    );
    let err = check(dir.path(), 2);
    has(
        &err,
        "respondents.csv:1: error: column \"group\" appears twice in the header (columns 3 and 5)",
    );
}

#[test]
fn groups_declared_twice_or_without_plural() {
    let dir = copy("valid");
    let settings = dir.path().join("project.json");
    fs::write(
        &settings,
        r#"{
  "name": "Fixture",
  "groups": [
    {"id": "docent"},
    {"id": "zorgcoördinator", "plural": "zorgcoördinatoren"}
  ]
}"#,
    )
    .unwrap();
    let err = check(dir.path(), 0);
    has(
        &err,
        "project.json:4: warning: group \"docent\" has no \"plural\": counts will read \"3 of 12 docent\"",
    );
    fs::write(
        &settings,
        r#"{
  "groups": [
    {"id": "docent", "plural": "docenten"},
    {"id": "zorgcoördinator", "plural": "zorgcoördinatoren"},
    {"id": "docent", "plural": "leraren"}
  ]
}"#,
    )
    .unwrap();
    let err = check(dir.path(), 2);
    has(
        &err,
        "project.json:5: error: group \"docent\" is declared twice (also on line 3)",
    );
}

#[test]
fn two_codes_with_one_name_are_refused() {
    let dir = copy("valid");
    let cb = dir.path().join("codebook/codebook.json");
    let text = fs::read_to_string(&cb).unwrap();
    fs::write(
        &cb,
        text.replace(
            "\"name\": \"Knelpunten\"",
            "\"name\": \"signalen herkennen\"",
        ),
    )
    .unwrap();
    let err = check(dir.path(), 2);
    has(
        &err,
        "codebook.json:11:5: error: code \"knelpunten\" has the name \"signalen herkennen\", as code \"signalen\" does",
    );
}

#[test]
fn an_unlisted_upper_case_transcript_is_reported() {
    let dir = copy("valid");
    fs::write(
        dir.path().join("transcripts/T4.TXT"),
        "I: Vraag?\n\nR: Antwoord.\n",
    )
    .unwrap();
    // A warning, not an error: an import cut off between writing a transcript and its row
    // leaves exactly this, and the project must stay usable.
    let err = check(dir.path(), 0);
    has(&err, "T4.TXT: warning: transcript file is not listed");
}

#[test]
fn transcripts_that_are_not_text_are_rejected_by_name() {
    let dir = copy("valid");
    let t = |n: &str| dir.path().join("transcripts").join(n);
    let utf16: Vec<u8> = "I: Hoe gaat het?\n\nR: Goed.\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(t("T1.txt"), utf16).unwrap();
    fs::write(t("T2.txt"), [0u8; 4096]).unwrap();
    fs::write(t("T3.txt"), b"I: Vraag?\n\nR: Ant\0woord.\n").unwrap();
    let with_bom: Vec<u8> = "\u{feff}I: Vraag?\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(t("T4.txt"), with_bom).unwrap();
    let csv = dir.path().join("transcripts/respondents.csv");
    let rows = fs::read_to_string(&csv).unwrap() + "T4,T4.txt,docent,School A,vmbo,m\n";
    fs::write(&csv, rows).unwrap();
    let err = check(dir.path(), 2);
    has(
        &err,
        "T4.txt: error: is UTF-16 (it starts with a UTF-16 byte order mark)",
    );
    has(
        &err,
        "T1.txt: error: looks like UTF-16 without a byte order mark",
    );
    has(&err, "T2.txt: error: the file is all zero bytes");
    has(&err, "T3.txt: error: contains NUL bytes: not a text file");
}

/// A journal line as codewerk 0.1 wrote them (seq = id = line number).
fn old_line(
    seq: u64,
    coder: &str,
    op: &str,
    code: &str,
    start: usize,
    end: usize,
    text: &str,
) -> String {
    format!(
        "{{\"seq\":{seq},\"at\":\"2026-11-01T10:0{seq}:00Z\",\"coder\":\"{coder}\",\"op\":\"{op}\",\
         \"id\":{seq},\"transcript\":\"T1\",\"code\":\"{code}\",\"start\":{start},\"end\":{end},\
         \"text\":\"{text}\"}}\n"
    )
}

#[test]
fn journal_lines_that_do_not_add_up_are_reported_with_their_line() {
    let dir = copy("valid");
    let journal = dir.path().join("codings/ana.jsonl");
    let mut text = fs::read_to_string(&journal).unwrap();
    // Line 3: a second coding numbered 2 (merged from another machine): must not replace line 2's.
    text += &old_line(
        2,
        "ana",
        "add",
        "niet-pluis",
        96,
        118,
        "Dat voelde niet pluis.",
    );
    text += "\n";
    text += &old_line(9, "ana", "remove", "signalen", 0, 2, "I:");
    text += &old_line(6, "bo", "add", "signalen", 0, 2, "I:");
    text += "{\"seq\":7,\"at\":\"2026-11-01T10:07:00Z\",\"coder\":\"ana\",\"op\":\"undo\",\"target\":42}\n";
    fs::write(&journal, text).unwrap();
    let err = check(dir.path(), 0);
    for expected in [
        "ana.jsonl:3: warning: coding id 2 is also the id of the coding on line 2",
        "ana.jsonl:3: warning: seq 2 is also on line 2",
        "ana.jsonl:5: warning: remove of coding 9, which this journal never added",
        "ana.jsonl:6: warning: the line is by coder \"bo\", but this is the journal of \"ana\"",
        "ana.jsonl:7: warning: undo of an unknown action 42",
    ] {
        has(&err, expected);
    }
    // Nothing lost: the two codings numbered 2 and the one by "bo" all count.
    let out = codewerk(dir.path())
        .args(["check", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["coders"][0]["passages"], 4, "{v}");
}

#[test]
fn journal_lines_that_cannot_be_applied_are_errors_that_stop_the_counts() {
    // Each of these lines held something (a coding, an undo) the counts would silently leave
    // out: the project is in error until the line is mended.
    for (bad, expected) in [
        (
            old_line(4, "ana", "add", "signalen", 10, 10, ""),
            "ana.jsonl:3: error: coding 4 of \"T1\" is empty (start 10, end 10)",
        ),
        (
            old_line(4, "ana", "add", "signalen", 50, 10, ""),
            "ana.jsonl:3: error: coding 4 of \"T1\" ends before it starts (start 50, end 10)",
        ),
        (
            "{\"seq\":4,\"at\":\"2026-11-01T10:07:00Z\",\"coder\":\"ana\",\"op\":\"undo\",\"target\":1\n"
                .to_string(),
            "ana.jsonl:3:",
        ),
        (
            old_line(4, "ana", "add", "signalen", 0, 2, "I:").replace("\"start\":0", "\"start\":-5"),
            "ana.jsonl:3:",
        ),
    ] {
        let dir = copy("valid");
        let journal = dir.path().join("codings/ana.jsonl");
        let mut text = fs::read_to_string(&journal).unwrap();
        text += &bad;
        // A good line after it: the bad one is not a torn last line.
        text += &old_line(5, "ana", "add", "signalen", 0, 2, "I:");
        fs::write(&journal, text).unwrap();
        let err = check(dir.path(), 2);
        has(&err, expected);
        has(&err, "error");
        codewerk(dir.path())
            .args(["stats", "-c", "ana"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("error"));
    }
}

#[test]
fn the_same_journal_twice_over_counts_once() {
    let dir = copy("valid");
    let journal = dir.path().join("codings/ana.jsonl");
    let text = fs::read_to_string(&journal).unwrap();
    fs::write(&journal, format!("{text}{text}")).unwrap();
    let out = codewerk(dir.path())
        .args(["check", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["coders"][0]["passages"], 2);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
}

#[test]
fn a_sync_conflict_copy_is_reported_not_skipped() {
    let dir = copy("valid");
    let journal = dir.path().join("codings/ana.jsonl");
    for name in [
        "ana (conflicted copy 2026-11-02).jsonl",
        "ana.sync-conflict-20261102-101010-ABCDEFG.jsonl",
    ] {
        let copy = dir.path().join("codings").join(name);
        fs::copy(&journal, &copy).unwrap();
        let err = check(dir.path(), 2);
        has(
            &err,
            &format!(
                "{name}: error: a sync conflict copy of ana's journal: its codings are not counted"
            ),
        );
        fs::remove_file(&copy).unwrap();
    }
    // Another odd name is not silently dropped either.
    fs::copy(&journal, dir.path().join("codings/ana oud.jsonl")).unwrap();
    let err = check(dir.path(), 0);
    has(
        &err,
        "ana oud.jsonl: warning: not read: \"ana oud\" is not a coder name",
    );
}

#[test]
fn an_os_error_is_printed_once() {
    let dir = copy("valid");
    fs::remove_dir_all(dir.path().join("codings")).unwrap();
    // `codings` is a file: the lock file cannot be made in it.
    fs::write(dir.path().join("codings"), "").unwrap();
    let q = quotes(dir.path());
    let out = codewerk(dir.path())
        .args(["--coder", "bo", "import", "quotes"])
        .arg(&q)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("Not a directory").count(), 1, "{err}");
    has(&err, ".bo.lock");
}

/// A full disk while the search index is written: search works from an index in memory, as on
/// a read-only folder. The disk is a 64 KiB tmpfs mounted over `.codewerk` in a user namespace
/// (skipped where `unshare` is not allowed).
#[test]
fn a_full_disk_during_indexing_falls_back_to_memory() {
    let dir = copy("valid");
    let cache = dir.path().join(".codewerk");
    fs::create_dir_all(&cache).unwrap();
    if !std::process::Command::new("unshare")
        .args(["-rm", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("skipped: unshare -rm is not allowed here");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("codewerk");
    let script = format!(
        "mount -t tmpfs -o size=64k none '{cache}' && \
         dd if=/dev/zero of='{cache}/filler' bs=1k count=40 2>/dev/null; \
         exec '{bin}' --project '{root}' search 'pluis'",
        cache = cache.display(),
        bin = bin.display(),
        root = dir.path().display()
    );
    let out = std::process::Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .env_remove("CODEWERK_CODER")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stderr:\n{err}\nstdout:\n{stdout}");
    has(&err, "using an index in memory");
    has(&stdout, "pluis");
    assert_eq!(err.matches("No space left on device").count(), 1, "{err}");
}

#[test]
fn an_export_os_error_is_printed_once() {
    let dir = copy("valid");
    fs::write(dir.path().join("not-a-folder"), "").unwrap();
    let out = codewerk(dir.path())
        .args(["export", "quotes", "--out"])
        .arg(dir.path().join("not-a-folder/q.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("is a file, not a folder").count(), 1, "{err}");
    assert!(!err.contains("exists already"), "{err}");
}
