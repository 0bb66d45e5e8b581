#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk pseudonymize` on the real binary: a full run with its key, a broken names file, a
//! journal held by another codewerk, a dry run, the reverse round trip, an interrupted run with
//! check, resume and rollback, and `check`/`export --names`.

use codewerk::core::project::Project;
use codewerk::core::pseudonym::project::{STOP_ENV, version_of};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{codewerk, copy};

const T1: &str = "I: Hoe gaat het met Jan de Vries?\n\nR: Jan de Vries is mijn collega. Jan's \
                  klas is druk; ik bel José.\n\nI: En Emma?\n\nR: EMMA en jan zijn samen naar \
                  Veilig Thuis gegaan.\n";
const T2: &str = "I: Wat doet u?\n\nR: Ik werk met Jose\u{301} en met Marjan, coördinator.\n";
const NAMES: &str = "\u{feff}real;pseudonym\r\nJan;Piet\r\nJan de Vries;Kees Bakker\r\nJosé;\
                     Joost\r\nEmma;Sara\r\n";
const REAL: &[&str] = &["Jan", "José", "Jose\u{301}", "Emma", "EMMA", "jan"];

fn span(text: &str, quote: &str, nth: usize) -> (usize, usize) {
    let byte = text.match_indices(quote).nth(nth).unwrap().0;
    let start = text[..byte].chars().count();
    (start, start + quote.chars().count())
}

fn add(seq: u64, coder: &str, t: &str, text: &str, quote: &str, extra: &str) -> String {
    // Offsets and quotes as codewerk loads the text (BOM off, LF, NFC), as the TUI makes them.
    let text = &codewerk::core::transcript::normalise(text);
    let quote = &codewerk::core::transcript::normalise(quote);
    let (s, e) = span(text, quote, 0);
    format!(
        "{{\"seq\":{seq},\"at\":\"2026-11-01T10:00:00Z\",\"coder\":\"{coder}\",\"op\":\"add\",\
         \"id\":{seq},\"transcript\":\"{t}\",\"code\":\"signalen\",\"start\":{s},\"end\":{e},\
         \"text\":{}{extra}}}\n",
        serde_json::to_string(quote).unwrap()
    )
}

/// The valid fixture with names in two transcripts (one with a BOM and CRLF), two coders
/// (adds, an edit, a memo, a remove and its undo, a code memo) and a version snapshot.
fn project() -> tempfile::TempDir {
    let dir = copy("valid");
    let root = dir.path();
    let tr = root.join("transcripts");
    fs::write(
        tr.join("T1.txt"),
        format!("\u{feff}{}", T1.replace('\n', "\r\n")),
    )
    .unwrap();
    fs::write(tr.join("T2.txt"), T2).unwrap();
    let v1 = version_of(T1);
    let versions = root.join("codings/versions");
    fs::create_dir_all(&versions).unwrap();
    fs::write(versions.join(format!("{v1}.txt")), T1).unwrap();
    let t3 = fs::read_to_string(tr.join("T3.txt")).unwrap();
    let (es, ee) = span(T1, "Jan de Vries is mijn collega. Jan's klas", 0);
    let (bs, be) = span(T1, "Jan de Vries is mijn collega.", 0);
    let mut ana = String::new();
    ana += &add(1, "ana", "T1", T1, "Jan de Vries is mijn collega.", "");
    ana += &add(2, "ana", "T1", T1, "an de Vri", "");
    ana += &add(
        3,
        "ana",
        "T1",
        T1,
        "ik bel José.",
        ",\"memo\":\"gesprek met Emma\"",
    );
    ana += &add(4, "ana", "T2", T2, "met Jose\u{301} en met Marjan", "");
    ana += &format!(
        "{{\"seq\":5,\"at\":\"2026-11-01T10:05:00Z\",\"coder\":\"ana\",\"op\":\"edit\",\"id\":1,\
         \"before\":{{\"start\":{bs},\"end\":{be},\"text\":\"Jan de Vries is mijn collega.\"}},\
         \"after\":{{\"start\":{es},\"end\":{ee},\"text\":\"Jan de Vries is mijn collega. Jan's \
         klas\"}}}}\n"
    );
    ana += &add(6, "ana", "T3", &t3, "Dat is een knelpunt.", "");
    let (ks, ke) = span(&t3, "Dat is een knelpunt.", 0);
    ana += &format!(
        "{{\"seq\":7,\"at\":\"2026-11-01T10:07:00Z\",\"coder\":\"ana\",\"op\":\"remove\",\"id\":6,\
         \"transcript\":\"T3\",\"code\":\"signalen\",\"start\":{ks},\"end\":{ke},\"text\":\"Dat is \
         een knelpunt.\"}}\n"
    );
    ana += "{\"seq\":8,\"at\":\"2026-11-01T10:08:00Z\",\"coder\":\"ana\",\"op\":\"undo\",\"target\":7}\n";
    ana += "{\"seq\":9,\"at\":\"2026-11-01T10:09:00Z\",\"coder\":\"ana\",\"op\":\"code_memo\",\
            \"code\":\"knelpunten\",\"before\":null,\"after\":\"Emma zegt dit vaak\"}\n";
    ana += &add(
        10,
        "ana",
        "T1",
        T1,
        "EMMA en jan",
        &format!(",\"version\":\"{v1}\""),
    );
    fs::write(root.join("codings/ana.jsonl"), ana).unwrap();
    let bo = add(1, "bo", "T1", T1, "En Emma?", "");
    fs::write(root.join("codings/bo.jsonl"), bo).unwrap();
    fs::write(root.join("names.csv"), NAMES).unwrap();
    dir
}

/// Every file under transcripts/ and codings/ (lock files left out).
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if !p.to_string_lossy().ends_with(".lock") {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&root.join("transcripts"), root, &mut out);
    walk(&root.join("codings"), root, &mut out);
    out
}

fn key_dir(root: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("private"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1);
    dirs.pop().unwrap()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

/// The project after pseudonymisation: no real name anywhere, every coding exact.
fn assert_pseudonymised(root: &Path) {
    for (path, bytes) in tree(root) {
        let text = String::from_utf8_lossy(&bytes);
        for word in text.split(|c: char| !c.is_alphanumeric() && c != '\u{301}') {
            assert!(
                !REAL.contains(&word),
                "{word:?} left in {}:\n{text}",
                path.display()
            );
        }
    }
    let p = Project::load(root).unwrap();
    assert!(!p.has_errors(), "{:?}", p.problems);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let ana = &p.coders["ana"];
    assert_eq!(ana.codings.len(), 6);
    for state in p.coders.values() {
        for c in state.codings.values() {
            let t = p.transcript(&c.transcript).unwrap();
            assert_eq!(t.slice(c.start, c.end), c.text, "coding {}", c.id);
        }
    }
    let quote = |id: u64| ana.codings[&id].text.as_str();
    assert_eq!(quote(1), "Kees Bakker is mijn collega. Piet's klas");
    // Cut inside the name: widened to the whole pseudonym.
    assert_eq!(quote(2), "Kees Bakker");
    assert_eq!(quote(3), "ik bel Joost.");
    assert_eq!(ana.codings[&3].memo.as_deref(), Some("gesprek met Sara"));
    assert_eq!(quote(4), "met Joost en met Marjan");
    assert_eq!(quote(6), "Dat is een knelpunt.");
    assert_eq!(quote(10), "Sara en Piet");
    assert_eq!(ana.code_memos["knelpunten"], "Sara zegt dit vaak");
    assert_eq!(p.coders["bo"].codings[&1].text, "En Sara?");
}

#[test]
fn pseudonymize_carries_codings_and_reverse_restores_byte_for_byte() {
    let dir = project();
    let root = dir.path();
    let before = tree(root);
    let a = codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .success();
    let out = stdout(&a);
    assert!(out.contains("Jan: 2"), "{out}");
    assert!(out.contains("Jan de Vries: 2"), "{out}");
    assert_pseudonymised(root);
    // The BOM and CRLF of T1 are kept.
    let t1 = fs::read_to_string(root.join("transcripts/T1.txt")).unwrap();
    assert!(
        t1.starts_with("\u{feff}I: Hoe gaat het met Kees Bakker?\r\n\r\n"),
        "{t1:?}"
    );
    // The snapshot is renamed with its new text, and the line naming it follows.
    let new_t1 = t1.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let v_new = version_of(&new_t1);
    let snap = root.join(format!("codings/versions/{v_new}.txt"));
    assert_eq!(fs::read_to_string(&snap).unwrap(), new_t1);
    assert!(
        !root
            .join(format!("codings/versions/{}.txt", version_of(T1)))
            .exists()
    );
    assert!(
        fs::read_to_string(root.join("codings/ana.jsonl"))
            .unwrap()
            .contains(&v_new)
    );
    // The key is apart and ignored by git.
    let key = key_dir(root);
    assert!(key.join("names.csv").exists() && key.join("replacements.json").exists());
    assert_eq!(
        fs::read(key.join("originals/transcripts/T1.txt")).unwrap(),
        before[Path::new("transcripts/T1.txt")]
    );
    assert!(
        fs::read_to_string(root.join(".gitignore"))
            .unwrap()
            .contains("/private/")
    );
    codewerk(root)
        .args(["check", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .success();
    assert!(!root.join(".pseudonymisation-pending").exists());

    codewerk(root)
        .args(["pseudonymize", "--reverse", "--key"])
        .arg(&key)
        .assert()
        .success();
    assert_eq!(
        tree(root),
        before,
        "reverse must give back the originals byte for byte"
    );
}

#[test]
fn broken_names_file_is_refused_naming_the_line() {
    let dir = project();
    let root = dir.path();
    fs::write(root.join("names.csv"), "real,pseudonym\nJan,Piet\nEmma\n").unwrap();
    let before = tree(root);
    let a = codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    let err = stderr(&a);
    assert!(
        err.contains("names.csv:3: error: a row needs a real name"),
        "{err}"
    );
    assert_eq!(tree(root), before);
    assert!(!root.join("private").exists());
}

#[test]
fn a_journal_held_by_another_codewerk_refuses_with_nothing_written() {
    let dir = project();
    let root = dir.path();
    let before = tree(root);
    let held = codewerk::core::coding::Journal::open(&root.join("codings"), "bo").unwrap();
    let a = codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    assert!(stderr(&a).contains("already open"), "{}", stderr(&a));
    drop(held);
    assert_eq!(tree(root), before);
    assert!(!root.join("private").exists());
}

#[test]
fn dry_run_counts_and_writes_nothing() {
    let dir = project();
    let root = dir.path();
    let before = tree(root);
    let a = codewerk(root)
        .args(["pseudonymize", "--dry-run", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .success();
    let out = stdout(&a);
    assert!(
        out.contains("transcripts/T1.txt: Emma 2, Jan 2, Jan de Vries 2, José 1"),
        "{out}"
    );
    assert!(out.contains("transcripts/T2.txt: José 1"), "{out}");
    assert!(out.contains("codings/ana.jsonl"), "{out}");
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(tree(root), before);
    // Not even a lock file.
    assert!(!root.join("codings/.ana.lock").exists());
    assert!(!root.join("private").exists() && !root.join(".gitignore").exists());
}

#[test]
fn check_and_export_refuse_while_a_real_name_appears() {
    let dir = project();
    let root = dir.path();
    let a = codewerk(root)
        .args(["check", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    let err = stderr(&a);
    assert!(
        err.contains("T1.txt:1:21: error: the real name \"Jan de Vries\""),
        "{err}"
    );
    assert!(
        err.contains("ana.jsonl:3: error: the real name \"Emma\""),
        "{err}"
    );
    let a = codewerk(root)
        .args(["export", "quotes", "--coder", "ana", "-o", "-", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    assert!(stdout(&a).is_empty());
    assert!(stderr(&a).contains("T2.txt"), "{}", stderr(&a));
}

#[test]
fn an_interrupted_run_is_reported_and_can_be_resumed_or_rolled_back() {
    // T1, T2, two journals, the snapshot's removal and its new name: stop after each.
    let cases = (0..6).flat_map(|n| [("--resume", n), ("--rollback", n)]);
    for (finish, n) in cases {
        let dir = project();
        let root = dir.path();
        let before = tree(root);
        codewerk(root)
            .env(STOP_ENV, n.to_string())
            .args(["pseudonymize", "--names"])
            .arg(root.join("names.csv"))
            .assert()
            .code(2);
        // Half old, half new: every command that uses the project refuses.
        let a = codewerk(root).arg("check").assert().code(2);
        assert!(stderr(&a).contains("--resume"), "{}", stderr(&a));
        codewerk(root)
            .args(["export", "quotes", "--coder", "ana", "-o", "-"])
            .assert()
            .code(2);
        for read_only in [
            &["search", "Kees"][..],
            &["respondents"][..],
            &["stats"][..],
        ] {
            let a = codewerk(root).args(read_only).assert().code(2);
            assert!(stderr(&a).contains("interrupted"), "{}", stderr(&a));
        }
        // A second pseudonymisation does not start on top of it.
        codewerk(root)
            .args(["pseudonymize", "--names"])
            .arg(root.join("names.csv"))
            .assert()
            .code(2);
        codewerk(root)
            .args(["pseudonymize", finish])
            .assert()
            .success();
        codewerk(root).arg("check").assert().success();
        if finish == "--resume" {
            assert_pseudonymised(root);
        } else {
            assert_eq!(tree(root), before);
        }
    }
}

#[test]
fn a_coder_in_the_tui_without_a_journal_yet_also_blocks_it() {
    let dir = project();
    let root = dir.path();
    let before = tree(root);
    let held = codewerk::core::coding::Journal::open(&root.join("codings"), "nieuw").unwrap();
    codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    drop(held);
    assert_eq!(tree(root), before);
}

#[test]
fn the_key_may_be_kept_outside_the_project_but_not_in_codings() {
    let dir = project();
    let root = dir.path();
    let before = tree(root);
    codewerk(root)
        .args(["pseudonymize", "--keep"])
        .arg(root.join("codings/key"))
        .arg("--names")
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    assert_eq!(tree(root), before);
    let elsewhere = tempfile::tempdir().unwrap();
    let key = elsewhere.path().join("sleutel");
    codewerk(root)
        .args(["pseudonymize", "--keep"])
        .arg(&key)
        .arg("--names")
        .arg(root.join("names.csv"))
        .assert()
        .success();
    assert!(key.join("originals/codings/ana.jsonl").exists());
    assert!(!root.join("private").exists());
    codewerk(root)
        .args(["pseudonymize", "--reverse", "--key"])
        .arg(&key)
        .assert()
        .success();
    assert_eq!(tree(root), before);
}

#[test]
fn a_coding_that_no_longer_quotes_its_text_is_fixed_first() {
    let dir = project();
    let root = dir.path();
    // An edit before the coding of "En Emma?": its offsets no longer hold its text.
    let t1 = fs::read_to_string(root.join("transcripts/T1.txt")).unwrap();
    fs::write(
        root.join("transcripts/T1.txt"),
        t1.replace("I: En Emma?", "I: En eh, Emma?"),
    )
    .unwrap();
    let before = tree(root);
    let a = codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    let err = stderr(&a);
    assert!(err.contains("bo.jsonl:1: error: coding 1 of T1"), "{err}");
    assert!(err.contains("no longer quotes its text"), "{err}");
    assert_eq!(tree(root), before);
}

#[test]
fn a_rewrite_that_would_change_what_replay_gives_is_refused() {
    let dir = project();
    let root = dir.path();
    // Two lines that differ only in a name become one line after the rewrite, and a line read
    // twice counts once: the journal would lose a coding. The replay check catches it.
    let line = add(1, "bo", "T1", T1, "En Emma?", ",\"memo\":\"Emma\"");
    let twin = line.replace("\"memo\":\"Emma\"", "\"memo\":\"Sara\"");
    fs::write(root.join("codings/bo.jsonl"), format!("{line}{twin}")).unwrap();
    let before = tree(root);
    let a = codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .code(2);
    assert!(
        stderr(&a).contains("bo.jsonl: the rewritten journal would give other codings"),
        "{}",
        stderr(&a)
    );
    assert_eq!(tree(root), before);
    assert!(!root.join("private").exists());
}

#[test]
fn reverse_is_refused_after_coding_on() {
    let dir = project();
    let root = dir.path();
    codewerk(root)
        .args(["pseudonymize", "--names"])
        .arg(root.join("names.csv"))
        .assert()
        .success();
    let key = key_dir(root);
    let journal = root.join("codings/bo.jsonl");
    let mut lines = fs::read_to_string(&journal).unwrap();
    lines += "{\"seq\":2,\"at\":\"2026-11-02T10:00:00Z\",\"coder\":\"bo\",\"op\":\"done\",\"transcript\":\"T1\",\"done\":true}\n";
    fs::write(&journal, &lines).unwrap();
    let after = tree(root);
    let a = codewerk(root)
        .args(["pseudonymize", "--reverse", "--key"])
        .arg(&key)
        .assert()
        .code(2);
    assert!(stderr(&a).contains("bo.jsonl"), "{}", stderr(&a));
    assert_eq!(tree(root), after);
    // A coder who started after it, too (bo's journal back as the pseudonymisation left it).
    fs::write(&journal, lines.lines().next().unwrap().to_string() + "\n").unwrap();
    let cy = add(
        1,
        "cy",
        "T3",
        &fs::read_to_string(root.join("transcripts/T3.txt")).unwrap(),
        "Dat is een knelpunt.",
        "",
    );
    fs::write(root.join("codings/cy.jsonl"), &cy).unwrap();
    let a = codewerk(root)
        .args(["pseudonymize", "--reverse", "--key"])
        .arg(&key)
        .assert()
        .code(2);
    assert!(
        stderr(&a).contains("cy.jsonl: error: a journal begun after"),
        "{}",
        stderr(&a)
    );
    assert!(!stderr(&a).contains("bo.jsonl"), "{}", stderr(&a));
}
