#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A coder on two machines: journals diverge from a common base and are merged with a real
//! `git merge`, using the project's own `.gitattributes`. The merged journal must replay to the
//! union of both machines' work: no coding lost or doubled, and undo still works.

use codewerk::core::coding::{CoderState, Coding, Journal, Op};
use codewerk::core::project::Project;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{codewerk, copy};

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Code `quote` in transcript `t` as `code`, the way the TUI does.
fn add(j: &mut Journal, p: &Project, t: &str, code: &str, quote: &str) -> Coding {
    let tr = p.transcript(t).unwrap();
    let at = tr.text().find(quote).unwrap();
    let start = tr.char_at_byte(at);
    let end = start + quote.chars().count();
    let ops = j
        .record(vec![Op::Add(Coding::quoted(tr, code, start, end))])
        .unwrap();
    match &ops[0] {
        Op::Add(c) => c.clone(),
        _ => unreachable!(),
    }
}

/// (code, quoted text) of each coding.
type Texts = BTreeSet<(String, String)>;

fn texts(s: &CoderState) -> Texts {
    s.codings
        .values()
        .map(|c| (c.code.clone(), c.text.clone()))
        .collect()
}

/// The base project in a git repository with the repository's `.gitattributes` (or none).
fn repo(attributes: bool) -> tempfile::TempDir {
    let dir = copy("valid");
    if attributes {
        let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join(".gitattributes");
        fs::copy(ours, dir.path().join(".gitattributes")).unwrap();
    }
    ok(dir.path(), &["init", "-q", "-b", "laptop"]);
    ok(dir.path(), &["add", "-A"]);
    ok(dir.path(), &["commit", "-qm", "base"]);
    ok(dir.path(), &["branch", "server"]);
    dir
}

/// Work on both machines; returns what each one saw at the end.
fn diverge(root: &Path) -> (Texts, Texts) {
    let p = Project::load(root).unwrap();
    // The laptop: two new codings, a memo on a base coding, one new coding taken back.
    let mut j = p.open_journal("ana").unwrap();
    add(&mut j, &p, "T2", "knelpunten", "de hoge eisen van ouders");
    add(&mut j, &p, "T1", "niet-pluis", "Dat voelde niet pluis.");
    let base = j.state.codings.values().next().unwrap().clone();
    j.record(vec![Op::Memo {
        id: base.id,
        before: None,
        after: Some("op de laptop".into()),
    }])
    .unwrap();
    add(&mut j, &p, "T3", "knelpunten", "die bellen nooit terug");
    j.undo().unwrap();
    let laptop = texts(&j.state);
    drop(j);
    ok(root, &["commit", "-qam", "laptop"]);

    ok(root, &["checkout", "-q", "server"]);
    let p = Project::load(root).unwrap();
    // The server: a new coding (the same second as the laptop's, maybe), a base coding removed.
    let mut j = p.open_journal("ana").unwrap();
    add(&mut j, &p, "T2", "signalen", "Eén meisje at niet meer.");
    let second = j
        .state
        .codings
        .values()
        .find(|c| c.transcript == "T3")
        .unwrap()
        .clone();
    j.record(vec![Op::Remove(second)]).unwrap();
    let server = texts(&j.state);
    drop(j);
    ok(root, &["commit", "-qam", "server"]);
    (laptop, server)
}

#[test]
fn git_union_merge_of_two_machines_keeps_both_machines_work() {
    let dir = repo(true);
    let root = dir.path();
    let (laptop, server) = diverge(root);
    ok(root, &["merge", "-q", "--no-edit", "laptop"]);

    let merged = CoderState::load(&root.join("codings/ana.jsonl"), "ana").unwrap();
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    let expected: Texts = [
        ("signalen", "Een leerling kwam met blauwe plekken binnen."),
        ("knelpunten", "de hoge eisen van ouders"),
        ("niet-pluis", "Dat voelde niet pluis."),
        ("signalen", "Eén meisje at niet meer."),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(texts(&merged), expected);
    // Each side's own work is all there.
    let removed = ("knelpunten".to_string(), "Dat is een knelpunt.".to_string());
    assert!(
        laptop
            .iter()
            .filter(|c| **c != removed)
            .all(|c| expected.contains(c))
    );
    assert!(server.is_subset(&expected));
    let memo = merged.codings.values().find(|c| c.memo.is_some()).unwrap();
    assert_eq!(memo.memo.as_deref(), Some("op de laptop"));

    // The project is valid and counts four passages; coding goes on, undo takes back the last.
    let out = codewerk(root).args(["check", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["summary"]["coders"][0]["passages"], 4);
    let p = Project::load(root).unwrap();
    let mut j = p.open_journal("ana").unwrap();
    add(&mut j, &p, "T3", "knelpunten", "Ik bel Veilig Thuis");
    assert_eq!(j.state.codings.len(), 5);
    j.undo().unwrap();
    assert_eq!(texts(&j.state), expected);
    drop(j);

    // Merging again the other way (the laptop pulls) changes nothing.
    ok(root, &["commit", "-qam", "after merge"]);
    ok(root, &["checkout", "-q", "laptop"]);
    ok(root, &["merge", "-q", "--no-edit", "server"]);
    let again = CoderState::load(&root.join("codings/ana.jsonl"), "ana").unwrap();
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(texts(&again), expected);
}

#[test]
fn without_the_union_merge_git_stops_at_a_conflict() {
    let dir = repo(false);
    let root = dir.path();
    diverge(root);
    let out = git(root, &["merge", "-q", "--no-edit", "laptop"]);
    assert!(!out.status.success(), "both sides appended: a conflict");
}
