#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk check` and `check --fix` after a transcript edit, on the real binary: versions and
//! snapshots written with the codings, the review list, the re-anchorings written under the
//! coder's lock, and the journal replaying to the same places.

use codewerk::core::coding::{Anchor, Coding, Journal, Op};
use codewerk::core::project::Project;
use codewerk::core::versions;
use predicates::prelude::*;
use std::path::Path;

mod common;
use common::{codewerk, copy, json_of};

/// Codings of coder "bo" on T1 as it is in the fixture, made through the library as the TUI
/// makes them. Returns their ids by text.
fn code_t1(root: &Path, texts: &[&str]) {
    let p = Project::load(root).unwrap();
    let t = p.transcript("T1").unwrap();
    let mut j = p.open_journal("bo").unwrap();
    for text in texts {
        let at = t.find_all(text)[0];
        let c = Coding::quoted(t, "signalen", at, at + text.chars().count());
        j.record(vec![Op::Add(c)]).unwrap();
    }
}

fn json(root: &Path, args: &[&str]) -> serde_json::Value {
    json_of(codewerk(root).args(args))
}

#[test]
fn codings_record_their_version_and_its_snapshot() {
    let dir = copy("valid");
    code_t1(dir.path(), &["blauwe plekken"]);
    let p = Project::load(dir.path()).unwrap();
    let v = p.transcript("T1").unwrap().version().to_string();
    let journal = std::fs::read_to_string(dir.path().join("codings/bo.jsonl")).unwrap();
    assert!(
        journal.contains(&format!("\"version\":\"{v}\"")),
        "{journal}"
    );
    let snap = versions::load(&dir.path().join("codings"), &v).unwrap();
    assert_eq!(snap, p.transcript("T1").unwrap().text());
}

#[test]
fn check_lists_moved_and_flagged_and_fix_records_the_certain_ones() {
    let dir = copy("valid");
    code_t1(dir.path(), &["blauwe plekken", "niet pluis", "Ja"]);
    let t1 = dir.path().join("transcripts/T1.txt");
    let text = std::fs::read_to_string(&t1).unwrap();
    // A question put in front, the sentence with "niet pluis" gone, and another "Ja" typed in.
    let edited =
        format!("I: Eerst iets anders. Ja?\n\n{text}").replace(" Dat voelde niet pluis.", "");
    std::fs::write(&t1, &edited).unwrap();

    codewerk(dir.path())
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("Moved with certainty"))
        .stdout(predicate::str::contains("Orphaned (text gone)"))
        .stdout(predicate::str::contains("\"niet pluis\""))
        .stdout(predicate::str::contains("flagged for review"))
        .stderr(predicate::str::contains("were carried to the new text"));

    let before = json(dir.path(), &["check", "--json"]);
    let review = before["review"].as_array().unwrap();
    let of = |coder: &str, text: &str| {
        review
            .iter()
            .find(|i| i["coder"] == coder && i["text"] == text)
            .unwrap_or_else(|| panic!("{coder} {text} not in {review:?}"))
            .clone()
    };
    let plekken = of("bo", "blauwe plekken");
    assert_eq!(plekken["status"], "moved");
    let new_start = plekken["new"]["start"].as_u64().unwrap() as usize;
    assert_eq!(
        edited.chars().skip(new_start).take(14).collect::<String>(),
        "blauwe plekken"
    );
    assert_eq!(of("bo", "niet pluis")["status"], "orphaned");
    // "Ja" now occurs twice; the edit before it leaves its own context whole, so it is
    // carried, never put on the new "Ja".
    let ja = of("bo", "Ja");
    if ja["status"] == "moved" {
        assert_eq!(
            ja["new"]["start"].as_u64().unwrap() as usize,
            edited.find("R: Ja").unwrap() + 3
        );
    }
    // ana's journal is from before versions: her quote is found by its only occurrence.
    assert_eq!(
        of("ana", "Een leerling kwam met blauwe plekken binnen.")["status"],
        "moved"
    );

    let journal = dir.path().join("codings/bo.jsonl");
    let lines_before = std::fs::read_to_string(&journal).unwrap().lines().count();
    codewerk(dir.path())
        .args(["check", "--fix"])
        .assert()
        .success()
        .stdout(predicate::str::contains("bo.jsonl: wrote"))
        .stdout(predicate::str::contains("1 coding(s) left for review"));
    let written = std::fs::read_to_string(&journal).unwrap();
    assert!(written.lines().count() > lines_before);
    assert!(written.contains("\"op\":\"reanchor\""));

    // The journal now replays to the places check showed, on the current version: exact.
    let p = Project::load(dir.path()).unwrap();
    let t = p.transcript("T1").unwrap();
    let bo = &p.coders["bo"];
    let c = bo
        .codings
        .values()
        .find(|c| c.text == "blauwe plekken")
        .unwrap();
    assert_eq!((c.anchor.clone(), c.start), (Anchor::Exact, new_start));
    assert_eq!(c.version.as_deref(), Some(t.version()));
    assert!(versions::load(&p.codings_dir(), t.version()).is_ok());
    let flagged: Vec<&Coding> = bo
        .codings
        .values()
        .filter(|c| c.anchor.is_flagged())
        .collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].text, "niet pluis");

    // Nothing certain is left to fix; the orphan stays listed.
    let after = json(dir.path(), &["check", "--json"]);
    let statuses: Vec<&str> = after["review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["orphaned"]);
    // Flagged codings are not counted.
    let stats = json(dir.path(), &["stats", "--json"]);
    let bo_stats = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["coder"] == "bo")
        .unwrap();
    assert_eq!(bo_stats["flagged"], 1);
    let passages: u64 = bo_stats["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["passages"].as_u64().unwrap())
        .sum();
    assert_eq!(passages, 2);
}

#[test]
fn fix_takes_the_coders_lock() {
    let dir = copy("valid");
    code_t1(dir.path(), &["blauwe plekken"]);
    let t1 = dir.path().join("transcripts/T1.txt");
    let text = std::fs::read_to_string(&t1).unwrap();
    std::fs::write(&t1, format!("I: Nieuw begin.\n\n{text}")).unwrap();
    let journal = dir.path().join("codings/bo.jsonl");
    let before = std::fs::read(&journal).unwrap();
    // Other tests of this binary spawn codewerk processes; a child forked while code_t1 still
    // held bo's lock keeps a copy of that descriptor (and so the flock) until it execs, which
    // on a loaded machine can take a moment: retry briefly rather than fail.
    let codings = dir.path().join("codings");
    let _open = (0..100)
        .find_map(|_| {
            Journal::open(&codings, "bo")
                .map_err(|_| std::thread::sleep(std::time::Duration::from_millis(20)))
                .ok()
        })
        .expect("bo's journal could not be locked within 2 s");
    codewerk(dir.path())
        .args(["check", "--fix"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already open"));
    assert_eq!(std::fs::read(&journal).unwrap(), before);
}

#[test]
fn a_transcript_saved_as_nfd_keeps_its_codings() {
    use unicode_normalization::UnicodeNormalization;
    let dir = copy("valid");
    let p = Project::load(dir.path()).unwrap();
    let t = p.transcript("T1").unwrap();
    let at = t.find_all("coördinator")[0];
    let mut j = p.open_journal("bo").unwrap();
    j.record(vec![Op::Add(Coding::quoted(t, "signalen", at, at + 11))])
        .unwrap();
    drop(j);
    let t1 = dir.path().join("transcripts/T1.txt");
    let nfd: String = std::fs::read_to_string(&t1).unwrap().nfd().collect();
    std::fs::write(&t1, nfd).unwrap();
    let v = json(dir.path(), &["check", "--json"]);
    let bo: Vec<_> = v["review"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["coder"] == "bo")
        .collect();
    assert!(bo.is_empty(), "{bo:?}");
}

#[test]
fn a_coding_is_not_journaled_when_its_snapshot_cannot_be_taken() {
    let dir = copy("valid");
    let p = Project::load(dir.path()).unwrap();
    let t = p.transcript("T1").unwrap();
    let mut j = p.open_journal("bo").unwrap();
    // The transcript changes on disk after codewerk read it: the coding would point at a
    // version nobody can reproduce.
    std::fs::write(dir.path().join("transcripts/T1.txt"), "I: Iets anders.\n").unwrap();
    let err = j
        .record(vec![Op::Add(Coding::quoted(t, "signalen", 0, 2))])
        .unwrap_err();
    assert!(err.to_string().contains("changed on disk"), "{err}");
    assert!(!dir.path().join("codings/bo.jsonl").exists());
    assert!(j.state.codings.is_empty());
}
