use super::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

fn coding(t: &str, code: &str, start: usize, end: usize) -> Coding {
    Coding {
        id: 0,
        transcript: t.into(),
        code: code.into(),
        start,
        end,
        text: "x".repeat(end - start),
        memo: None,
        version: None,
        anchor: Anchor::Exact,
        line: 0,
    }
}

#[test]
fn record_replay_and_undo_redo_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let first;
    {
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
        first = *j.state.codings.keys().next().unwrap();
        j.record(vec![
            Op::Add(coding("T1", "b", 2, 9)),
            Op::Add(coding("T1", "c", 2, 9)),
        ])
        .unwrap();
        assert_eq!(j.state.codings.len(), 3);
        j.undo().unwrap();
        assert_eq!(j.state.codings.len(), 1, "the batch is undone as one");
    }
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    assert_eq!(j.state.codings.len(), 1);
    assert!(j.state.can_redo());
    j.redo().unwrap();
    assert_eq!(j.state.codings.len(), 3);
    j.undo().unwrap();
    j.undo().unwrap();
    assert!(j.state.codings.is_empty());
    assert!(j.undo().unwrap().is_none());
    j.redo().unwrap();
    let ids: Vec<u64> = j.state.codings.keys().copied().collect();
    assert_eq!(ids, vec![first]);
}

#[test]
fn torn_last_line_is_skipped_and_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
    }
    let path = journal_path(dir.path(), "ann");
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"{\"seq\":2,\"at\":\"x\",\"coder\":\"ann\",\"op\":\"ad")
        .unwrap();
    drop(f);
    let read_only = CoderState::load(&path, "ann").unwrap();
    assert_eq!(read_only.codings.len(), 1);
    assert_eq!(read_only.warnings.len(), 1);
    assert_eq!(read_only.warnings[0].line, Some(2));
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "b", 1, 3))]).unwrap();
    drop(j);
    let again = CoderState::load(&path, "ann").unwrap();
    assert_eq!(again.codings.len(), 2);
    assert!(again.warnings.is_empty());
    assert!(path.with_extension("jsonl.torn").exists());
}

#[test]
fn opening_without_an_action_creates_no_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "kijker").unwrap();
    assert!(j.undo().unwrap().is_none());
    drop(j);
    assert!(!journal_path(dir.path(), "kijker").exists());
    let mut j = Journal::open(dir.path(), "kijker").unwrap();
    j.record(vec![Op::Add(coding("T1", "a", 0, 2))]).unwrap();
    assert!(journal_path(dir.path(), "kijker").exists());
}

#[test]
fn second_writer_is_refused_with_pid() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Journal::open(dir.path(), "ann").unwrap();
    let err = Journal::open(dir.path(), "ann").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("already open"), "{msg}");
    assert!(msg.contains(&std::process::id().to_string()), "{msg}");
    assert!(Journal::open(dir.path(), "bob").is_ok());
}

#[test]
fn edits_and_memos_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
    let id = *j.state.codings.keys().next().unwrap();
    let before = Span {
        start: 0,
        end: 5,
        text: "xxxxx".into(),
        version: None,
    };
    let after = Span {
        start: 1,
        end: 4,
        text: "xxx".into(),
        version: None,
    };
    j.record(vec![Op::Edit { id, before, after }]).unwrap();
    j.record(vec![Op::Memo {
        id,
        before: None,
        after: Some("let op".into()),
    }])
    .unwrap();
    assert_eq!(j.state.codings[&id].start, 1);
    assert_eq!(j.state.codings[&id].memo.as_deref(), Some("let op"));
    j.undo().unwrap();
    j.undo().unwrap();
    assert_eq!(
        (
            j.state.codings[&id].start,
            j.state.codings[&id].memo.clone()
        ),
        (0, None)
    );
}

#[test]
fn journal_lines_are_readable_audit_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    let mut c = coding("T1", "a", 0, 3);
    c.text = "één".into();
    j.record(vec![Op::Add(c)]).unwrap();
    let text = fs::read_to_string(&j.path).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["op"], "add");
    assert_eq!(v["coder"], "ann");
    assert_eq!(v["text"], "één");
    assert!(v["at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn a_good_last_line_without_newline_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path(), "ann");
    let line = r#"{"seq":1,"at":"x","coder":"ann","op":"add","transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#;
    fs::write(&path, format!("\u{feff}{line}")).unwrap();
    let state = CoderState::load(&path, "ann").unwrap();
    assert_eq!(state.codings.len(), 1, "{:?}", state.warnings);
    assert_eq!(
        state.codings.keys().next(),
        Some(&1),
        "an add without id takes its seq"
    );
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "b", 1, 3))]).unwrap();
    drop(j);
    let again = CoderState::load(&path, "ann").unwrap();
    assert_eq!(again.codings.len(), 2);
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
}

#[test]
fn a_batch_cut_short_is_set_aside_whole() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
        let batch = (0..3)
            .map(|i| Op::Add(coding("T1", "b", i, i + 2)))
            .collect();
        j.record(batch).unwrap();
    }
    let path = journal_path(dir.path(), "ann");
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    // A crash after the first two lines of the batch reached the disk.
    fs::write(&path, format!("{}\n{}\n{}\n", lines[0], lines[1], lines[2])).unwrap();
    let state = CoderState::load(&path, "ann").unwrap();
    assert_eq!(state.codings.len(), 1, "none of the batch is applied");
    assert!(state.warnings[0].message.contains("cut short"));
    assert_eq!(state.warnings[0].line, Some(2));
    let j = Journal::open(dir.path(), "ann").unwrap();
    assert_eq!(j.state.codings.len(), 1);
    drop(j);
    assert!(path.with_extension("jsonl.torn").exists());
    assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1);
}

#[test]
fn a_journal_replaced_on_disk_is_not_written_blindly() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
    // Another program (git checkout) replaces the file.
    let path = journal_path(dir.path(), "ann");
    let copy = fs::read(&path).unwrap();
    fs::remove_file(&path).unwrap();
    fs::write(&path, copy).unwrap();
    let err = j
        .record(vec![Op::Add(coding("T1", "b", 0, 5))])
        .unwrap_err();
    assert!(err.to_string().contains("changed on disk"), "{err}");
    assert_eq!(
        j.state.codings.len(),
        1,
        "nothing applied that was not written"
    );
    assert_eq!(CoderState::load(&path, "ann").unwrap().codings.len(), 1);
}

/// A journal copied to two folders ("machines"): (base bytes, path A, path B).
fn two_machines(base: &[Vec<Op>]) -> (tempfile::TempDir, Vec<u8>, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("base"), "ann").unwrap();
    for ops in base {
        j.record(ops.clone()).unwrap();
    }
    let bytes = fs::read(&j.path).unwrap_or_default();
    drop(j);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for m in [&a, &b] {
        fs::create_dir_all(m).unwrap();
        if !bytes.is_empty() {
            fs::write(journal_path(m, "ann"), &bytes).unwrap();
        }
    }
    (dir, bytes, a, b)
}

/// What git's union merge gives when both sides appended: the base, our lines, theirs.
fn union(base: &[u8], a: &Path, b: &Path) -> Vec<u8> {
    let mut out = base.to_vec();
    for m in [a, b] {
        let bytes = fs::read(journal_path(m, "ann")).unwrap_or_default();
        out.extend_from_slice(bytes.get(base.len()..).unwrap_or_default());
    }
    out
}

fn summary(s: &CoderState) -> Vec<(u64, usize, usize, Option<String>)> {
    s.codings
        .values()
        .map(|c| (c.id, c.start, c.end, c.memo.clone()))
        .collect()
}

#[test]
fn new_ids_and_seqs_are_unique_across_machines_and_json_safe() {
    let (_d, base, a, b) = two_machines(&[vec![Op::Add(coding("T1", "a", 0, 5))]]);
    let mut ids = BTreeSet::new();
    for m in [&a, &b] {
        let mut j = Journal::open(m, "ann").unwrap();
        // The same coding at the same second on both machines.
        j.record(vec![Op::Add(coding("T1", "b", 1, 4))]).unwrap();
        for c in j.state.codings.values() {
            assert!(c.id < 1 << 53);
            ids.insert(c.id);
        }
    }
    assert_eq!(ids.len(), 3);
    let merged = CoderState::replay(Path::new("m.jsonl"), "ann", &union(&base, &a, &b));
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    assert_eq!(merged.codings.len(), 3);
}

#[test]
fn the_same_line_twice_counts_once() {
    let (_d, base, a, _) = two_machines(&[
        vec![Op::Add(coding("T1", "a", 0, 5))],
        vec![
            Op::Add(coding("T1", "b", 0, 5)),
            Op::Add(coding("T1", "c", 0, 5)),
        ],
    ]);
    let mut j = Journal::open(&a, "ann").unwrap();
    j.undo().unwrap();
    let live = summary(&j.state);
    let text = fs::read(&j.path).unwrap();
    // Two copies concatenated (`cat a b`), and the base twice over.
    for bytes in [
        [text.clone(), text.clone()].concat(),
        [base.clone(), text].concat(),
    ] {
        let s = CoderState::replay(&j.path, "ann", &bytes);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(summary(&s), live);
        assert!(s.can_redo());
    }
}

#[test]
fn old_numbering_from_two_machines_loses_no_coding() {
    let line = |seq: u64, code: &str| {
        format!(
            "{{\"seq\":{seq},\"at\":\"2026-11-01T10:00:0{seq}Z\",\"coder\":\"ann\",\"op\":\"add\",\
             \"id\":{seq},\"transcript\":\"T1\",\"code\":\"{code}\",\"start\":0,\"end\":2,\"text\":\"ab\"}}\n"
        )
    };
    // Base line 1; the laptop and the server each added a coding numbered 2.
    let bytes = format!("{}{}{}", line(1, "a"), line(2, "laptop"), line(2, "server"));
    let s = CoderState::replay(Path::new("ann.jsonl"), "ann", bytes.as_bytes());
    let codes: BTreeSet<&str> = s.codings.values().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, BTreeSet::from(["a", "laptop", "server"]));
    let msgs: Vec<String> = s
        .warnings
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("ann.jsonl:3: warning: coding id 2 is also")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("ann.jsonl:3: warning: seq 2 is also on line 2")),
        "{msgs:?}"
    );
    // The same again: the kept id is stable, so a later line can name it.
    let again = CoderState::replay(Path::new("ann.jsonl"), "ann", bytes.as_bytes());
    assert_eq!(summary(&again), summary(&s));
    // Undo takes back only the server's coding.
    let dir = tempfile::tempdir().unwrap();
    fs::write(journal_path(dir.path(), "ann"), &bytes).unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.undo().unwrap();
    let codes: BTreeSet<String> = j.state.codings.values().map(|c| c.code.clone()).collect();
    assert_eq!(codes, BTreeSet::from(["a".into(), "laptop".into()]));
}

#[test]
fn a_batch_whose_lines_are_apart_still_applies_whole() {
    let (_d, base, a, b) = two_machines(&[vec![Op::Add(coding("T1", "a", 0, 5))]]);
    let mut ja = Journal::open(&a, "ann").unwrap();
    ja.record(
        (0..3)
            .map(|i| Op::Add(coding("T2", "b", i, i + 2)))
            .collect(),
    )
    .unwrap();
    let mut jb = Journal::open(&b, "ann").unwrap();
    jb.record(vec![Op::Add(coding("T3", "c", 0, 2))]).unwrap();
    let la = String::from_utf8(fs::read(&ja.path).unwrap()[base.len()..].to_vec()).unwrap();
    let lb = String::from_utf8(fs::read(&jb.path).unwrap()[base.len()..].to_vec()).unwrap();
    let la: Vec<&str> = la.lines().collect();
    let mixed = format!(
        "{}{}\n{}{}\n{}\n",
        String::from_utf8_lossy(&base),
        la[0],
        lb,
        la[1],
        la[2]
    );
    let s = CoderState::replay(&ja.path, "ann", mixed.as_bytes());
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.codings.len(), 5);
    assert_eq!(s.valid_len as usize, mixed.len());
    // Undo takes the batch back as one.
    fs::write(&ja.path, &mixed).unwrap();
    drop(ja);
    let mut j = Journal::open(&a, "ann").unwrap();
    j.undo().unwrap();
    j.undo().unwrap();
    assert_eq!(j.state.codings.len(), 1);
}

#[test]
fn an_unfinished_batch_before_good_lines_does_not_cut_them_off() {
    let (_d, base, a, b) = two_machines(&[vec![Op::Add(coding("T1", "a", 0, 5))]]);
    let mut ja = Journal::open(&a, "ann").unwrap();
    ja.record(
        (0..3)
            .map(|i| Op::Add(coding("T2", "b", i, i + 2)))
            .collect(),
    )
    .unwrap();
    let mut jb = Journal::open(&b, "ann").unwrap();
    jb.record(vec![Op::Add(coding("T3", "c", 0, 2))]).unwrap();
    let la = String::from_utf8(fs::read(&ja.path).unwrap()[base.len()..].to_vec()).unwrap();
    let lb = String::from_utf8(fs::read(&jb.path).unwrap()[base.len()..].to_vec()).unwrap();
    let first_two: Vec<&str> = la.lines().take(2).collect();
    let bytes = format!(
        "{}{}\n{lb}",
        String::from_utf8_lossy(&base),
        first_two.join("\n")
    );
    fs::write(&ja.path, &bytes).unwrap();
    drop(ja);
    let j = Journal::open(&a, "ann").unwrap();
    assert_eq!(j.state.codings.len(), 2, "{:?}", j.state.warnings);
    assert!(j.state.warnings[0].message.contains("cut short"));
    assert_eq!(
        fs::read_to_string(&j.path).unwrap(),
        bytes,
        "nothing cut off"
    );
}

#[test]
fn both_machines_undoing_one_action_is_one_undo() {
    let base = vec![vec![Op::Add(coding("T1", "a", 0, 5))]];
    // The laptop took the coding back; the server took it back and redid it.
    let (_d, bytes, a, b) = two_machines(&base);
    Journal::open(&a, "ann").unwrap().undo().unwrap();
    let mut jb = Journal::open(&b, "ann").unwrap();
    jb.undo().unwrap();
    jb.redo().unwrap();
    let s = CoderState::replay(Path::new("m"), "ann", &union(&bytes, &a, &b));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert!(s.codings.is_empty(), "the laptop's undo stands");
    // Both took it back: gone once, and one redo brings it back.
    let (_d, bytes, a, b) = two_machines(&base);
    Journal::open(&a, "ann").unwrap().undo().unwrap();
    Journal::open(&b, "ann").unwrap().undo().unwrap();
    let merged = union(&bytes, &a, &b);
    fs::write(journal_path(&a, "ann"), &merged).unwrap();
    let mut j = Journal::open(&a, "ann").unwrap();
    assert!(j.state.codings.is_empty());
    j.redo().unwrap();
    assert_eq!(j.state.codings.len(), 1);
}

#[test]
fn an_empty_coding_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    let err = j
        .record(vec![
            Op::Add(coding("T1", "a", 0, 3)),
            Op::Add(coding("T1", "a", 4, 4)),
        ])
        .unwrap_err();
    assert!(err.to_string().contains("would be empty"), "{err}");
    assert!(j.state.codings.is_empty());
    assert!(!j.path.exists());
}

/// An autocode on a text that could not be read quoted "" for a range of 12 characters: the
/// coder was told it was coded, and the next load orphaned it. Refused before anything is
/// written.
#[test]
fn a_quote_of_another_length_than_its_offsets_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    let mut wrong = coding("T1", "a", 10, 22);
    wrong.text = String::new();
    let err = j
        .record(vec![Op::Add(coding("T1", "a", 0, 3)), Op::Add(wrong)])
        .unwrap_err();
    assert!(
        err.to_string().contains("quotes 0 characters, not 12"),
        "{err}"
    );
    assert!(j.state.codings.is_empty());
    assert!(!j.path.exists());
    // Characters, not bytes: "één" is three.
    let mut dutch = coding("T1", "a", 0, 3);
    dutch.text = "één".into();
    j.record(vec![Op::Add(dutch)]).unwrap();
    assert_eq!(j.state.codings.len(), 1);
}

#[test]
fn odd_lines_are_reported_with_their_line() {
    let head = r#"{"seq":1,"at":"x","coder":"ann","op":"add","id":1,"transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#;
    let lines = [
        head,
        r#"{"seq":2,"at":"x","coder":"ann","op":"add","id":2,"transcript":"T1","code":"a","start":4,"end":4,"text":""}"#,
        r#"{"seq":3,"at":"x","coder":"ann","op":"remove","id":9,"transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#,
        r#"{"seq":4,"at":"x","coder":"bob","op":"add","id":4,"transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#,
        r#"{"seq":5,"at":"x","coder":"ann","op":"undo","target":77}"#,
        r#"{"seq":6,"at":"x","coder":"ann","op":"memo","id":8,"before":null,"after":"m"}"#,
    ];
    let s = CoderState::replay(Path::new("ann.jsonl"), "ann", lines.join("\n").as_bytes());
    let msgs: Vec<String> = s
        .warnings
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    for expected in [
        "ann.jsonl:2: error: coding 2 of \"T1\" is empty",
        "ann.jsonl:3: warning: remove of coding 9, which this journal never added",
        "ann.jsonl:4: warning: the line is by coder \"bob\"",
        "ann.jsonl:5: warning: undo of an unknown action 77",
        "ann.jsonl:6: warning: change of coding 8",
    ] {
        assert!(
            msgs.iter().any(|m| m.starts_with(expected)),
            "{expected} in {msgs:?}"
        );
    }
    assert_eq!(s.codings.len(), 2);
}

#[test]
fn a_symlinked_lock_or_journal_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious.txt");
    fs::write(&target, "do not touch").unwrap();
    let codings = dir.path().join("codings");
    fs::create_dir_all(&codings).unwrap();
    for name in [".ann.lock", "ann.jsonl"] {
        let link = codings.join(name);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = Journal::open(&codings, "ann").unwrap_err();
        assert!(matches!(err, JournalError::Symlink(_)), "{err}");
        assert!(err.to_string().contains(name), "{err}");
        fs::remove_file(&link).unwrap();
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "do not touch");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    /// Two machines start from one journal and each code on (add, batch, edit, memo,
    /// remove, undo and redo of their own actions). Their journals appended one after the
    /// other, as git's union merge does, give every coding of both: none lost or doubled.
    #[test]
    fn two_machines_merged_keep_every_coding(
        base in proptest::collection::vec(0u8..2, 0..6),
        sa in proptest::collection::vec(0u8..7, 0..25),
        sb in proptest::collection::vec(0u8..7, 0..25),
        mix in proptest::collection::vec(proptest::bool::ANY, 0..80),
    ) {
        let adds = |script: &[u8], t: &str| -> Vec<Vec<Op>> {
            script.iter().enumerate().map(|(i, k)| if *k == 0 {
                vec![Op::Add(coding(t, "a", i, i + 2))]
            } else {
                (0..2).map(|j| Op::Add(coding(t, "b", i + j, i + j + 3))).collect()
            }).collect()
        };
        let (_d, bytes, a, b) = two_machines(&adds(&base, "T0"));
        let base_state = CoderState::replay(Path::new("b"), "ann", &bytes);
        let mut finals = Vec::new();
        for (m, script) in [(&a, &sa), (&b, &sb)] {
            let mut j = Journal::open(m, "ann").unwrap();
            let mine = |j: &Journal| -> Vec<Coding> {
                j.state.codings.values().filter(|c| !base_state.codings.contains_key(&c.id)).cloned().collect()
            };
            let (mut depth, mut redo) = (0, 0);
            for (step, k) in script.iter().enumerate() {
                let first = mine(&j).into_iter().next();
                match (k, first) {
                    (0, _) => { j.record(vec![Op::Add(coding("T1", "a", step, step + 3))]).unwrap(); depth += 1; redo = 0; }
                    (1, _) => {
                        j.record((0..3).map(|i| Op::Add(coding("T2", "b", step + i, step + i + 2))).collect()).unwrap();
                        depth += 1; redo = 0;
                    }
                    (2, Some(c)) => { j.record(vec![Op::Remove(c)]).unwrap(); depth += 1; redo = 0; }
                    (3, Some(c)) => {
                        let before = Span { start: c.start, end: c.end, text: c.text.clone(), version: None };
                        let after = Span { start: c.start + 1, end: c.end + 1, text: c.text.clone(), version: None };
                        j.record(vec![Op::Edit { id: c.id, before, after }]).unwrap();
                        depth += 1; redo = 0;
                    }
                    (4, Some(c)) => {
                        j.record(vec![Op::Memo { id: c.id, before: c.memo.clone(), after: Some(format!("m{step}")) }]).unwrap();
                        depth += 1; redo = 0;
                    }
                    (5, _) if depth > 0 => { j.undo().unwrap(); depth -= 1; redo += 1; }
                    (6, _) if redo > 0 => { j.redo().unwrap(); redo -= 1; depth += 1; }
                    _ => {}
                }
            }
            finals.push(mine(&j));
        }
        let mut expected: Vec<(u64, usize, usize, Option<String>)> = summary(&base_state);
        for c in finals.iter().flatten() {
            expected.push((c.id, c.start, c.end, c.memo.clone()));
        }
        expected.sort();
        // Each machine's new lines in their order, the two interleaved as `mix` says: what
        // any merge that keeps both sides' lines gives.
        let new_lines = |m: &Path| -> Vec<String> {
            let all = fs::read(journal_path(m, "ann")).unwrap_or_default();
            String::from_utf8(all.get(bytes.len()..).unwrap_or_default().to_vec())
                .unwrap()
                .lines()
                .map(|l| format!("{l}\n"))
                .collect()
        };
        let (la, lb) = (new_lines(&a), new_lines(&b));
        let (mut ia, mut ib) = (la.iter(), lb.iter());
        let mut mixed = String::from_utf8(bytes.clone()).unwrap();
        for take_a in mix.iter().copied().chain(std::iter::repeat(true)) {
            let next = if take_a { ia.next().or_else(|| ib.next()) } else { ib.next().or_else(|| ia.next()) };
            match next {
                Some(l) => mixed.push_str(l),
                None => break,
            }
        }
        for merged in [union(&bytes, &a, &b), union(&bytes, &b, &a), mixed.into_bytes()] {
            let s = CoderState::replay(Path::new("m"), "ann", &merged);
            proptest::prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
            proptest::prop_assert_eq!(summary(&s), expected.clone());
        }
    }
}

/// What a coder sees, kept by the test itself: undo restores the whole view as it was
/// before the action, redo as it was after. An oracle that shares nothing with the
/// journal's op-by-op inverses.
#[derive(Debug, Clone, Default, PartialEq)]
struct Model {
    codings: BTreeMap<CodingId, (usize, usize, Option<String>)>,
    code_memos: BTreeMap<String, String>,
    done: BTreeSet<String>,
    key_quotes: BTreeSet<CodingId>,
}

impl Model {
    fn of(s: &CoderState) -> Model {
        Model {
            codings: s
                .codings
                .values()
                .map(|c| (c.id, (c.start, c.end, c.memo.clone())))
                .collect(),
            code_memos: s.code_memos.clone(),
            done: s.done.clone(),
            key_quotes: s.key_quotes.clone(),
        }
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Add(c) => {
                self.codings.insert(c.id, (c.start, c.end, c.memo.clone()));
            }
            Op::Remove(c) => {
                self.codings.remove(&c.id);
            }
            Op::Edit { id, after, .. } => {
                if let Some(x) = self.codings.get_mut(id) {
                    (x.0, x.1) = (after.start, after.end);
                }
            }
            Op::Memo { id, after, .. } => {
                if let Some(x) = self.codings.get_mut(id) {
                    x.2 = after.clone();
                }
            }
            Op::CodeMemo {
                code,
                after: Some(m),
                ..
            } => {
                self.code_memos.insert(code.clone(), m.clone());
            }
            Op::CodeMemo {
                code, after: None, ..
            } => {
                self.code_memos.remove(code);
            }
            // Not modelled: the properties here are about codings and code memos.
            Op::TranscriptMemo { .. } | Op::Logbook { .. } => {}
            Op::Done {
                transcript,
                done: true,
            } => {
                self.done.insert(transcript.clone());
            }
            Op::Done {
                transcript,
                done: false,
            } => {
                self.done.remove(transcript);
            }
            Op::KeyQuote { id, after, .. } => {
                if *after {
                    self.key_quotes.insert(*id);
                } else {
                    self.key_quotes.remove(id);
                }
            }
            Op::Reanchor { .. } | Op::Undo { .. } | Op::Redo { .. } => {}
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// The journal's state, live and replayed from disk, equals the test's own model of
    /// what the coder did, for any sequence of actions on any codings, code memos and done
    /// marks with undo and redo.
    #[test]
    fn the_journal_agrees_with_an_independent_model(
        script in proptest::collection::vec((0u8..9, proptest::num::usize::ANY), 1..40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        let mut model = Model::default();
        // (the view before, the view after) of each action that can be undone or redone.
        let mut undo: Vec<(Model, Model)> = vec![];
        let mut redo: Vec<(Model, Model)> = vec![];
        for (step, (action, pick)) in script.into_iter().enumerate() {
            let n = j.state.codings.len();
            let any = (n > 0).then(|| j.state.codings.values().nth(pick % n).cloned()).flatten();
            let code = ["a", "b", "c"][pick % 3];
            let ops = match (action, any) {
                (0, _) => vec![Op::Add(coding("T1", "a", step, step + 3))],
                (1, _) => (0..3).map(|k| Op::Add(coding("T2", "b", step + k, step + k + 2))).collect(),
                (2, Some(c)) => vec![Op::Remove(c)],
                (3, Some(c)) => vec![Op::Edit { id: c.id, before: c.span(), after: Span { start: c.start + 1, end: c.end + 1, ..c.span() } }],
                (4, Some(c)) => vec![Op::Memo { id: c.id, before: c.memo.clone(), after: Some(format!("m{step}")) }],
                (5, _) => {
                    if j.undo().unwrap().is_some() {
                        let (before, after) = undo.pop().unwrap();
                        model = before.clone();
                        redo.push((before, after));
                    }
                    vec![]
                }
                (6, _) => {
                    if j.redo().unwrap().is_some() {
                        let (before, after) = redo.pop().unwrap();
                        model = after.clone();
                        undo.push((before, after));
                    }
                    vec![]
                }
                (7, _) if pick % 2 == 0 => {
                    let after = (pick % 3 != 0).then(|| format!("code memo {step}"));
                    vec![Op::CodeMemo { code: code.into(), before: j.state.code_memos.get(code).cloned(), after }]
                }
                (7, _) => {
                    let transcript = ["T1", "T2"][pick / 2 % 2].to_string();
                    let done = !j.state.done.contains(&transcript);
                    vec![Op::Done { transcript, done }]
                }
                (8, Some(c)) => {
                    let before = j.state.key_quotes.contains(&c.id);
                    vec![Op::KeyQuote { id: c.id, before, after: !before }]
                }
                _ => vec![],
            };
            if !ops.is_empty() {
                let before = model.clone();
                for op in &j.record(ops).unwrap() {
                    model.apply(op);
                }
                undo.push((before, model.clone()));
                redo.clear();
            }
            proptest::prop_assert_eq!(&Model::of(&j.state), &model);
            let bytes = fs::read(&j.path).unwrap_or_default();
            let replayed = CoderState::replay(&j.path, "ann", &bytes);
            proptest::prop_assert_eq!(&Model::of(&replayed), &model);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Whatever a coder does (add, remove, edit, memo, re-anchor, code memos, done marks,
    /// batches, undo, redo, in any order, on any of the codings), reading the journal back
    /// gives exactly what was on screen.
    #[test]
    fn replaying_the_journal_gives_the_live_state(
        script in proptest::collection::vec((0u8..10, proptest::num::usize::ANY), 1..40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        for (step, (action, pick)) in script.into_iter().enumerate() {
            // Any coding, not always the first: acting on one in the middle of the map is
            // where an id mix-up would show.
            let n = j.state.codings.len();
            let any = (n > 0).then(|| j.state.codings.values().nth(pick % n).cloned()).flatten();
            let code = ["a", "b", "c"][pick % 3];
            match (action, any) {
                (0, _) => { j.record(vec![Op::Add(coding("T1", "a", step, step + 3))]).unwrap(); }
                (1, _) => {
                    let batch = (0..3).map(|k| Op::Add(coding("T2", "b", step + k, step + k + 2))).collect();
                    j.record(batch).unwrap();
                }
                (2, Some(c)) => { j.record(vec![Op::Remove(c)]).unwrap(); }
                (3, Some(c)) => {
                    let before = c.span();
                    let after = Span { start: c.start + 1, end: c.end + 1, ..c.span() };
                    j.record(vec![Op::Edit { id: c.id, before, after }]).unwrap();
                }
                (4, Some(c)) => {
                    j.record(vec![Op::Memo { id: c.id, before: c.memo.clone(), after: Some(format!("m{step}")) }]).unwrap();
                }
                // As `check --fix` writes it: a new place on a new version.
                (7, Some(c)) => {
                    let after = Span { start: c.start + 2, end: c.end + 2, version: Some(format!("{step:064x}")), ..c.span() };
                    j.record(vec![Op::Reanchor { id: c.id, before: c.span(), after }]).unwrap();
                }
                // A code memo written, changed or cleared (every third one).
                (8, _) => {
                    let before = j.state.code_memos.get(code).cloned();
                    let after = (pick % 3 != 0).then(|| format!("code memo {step}"));
                    j.record(vec![Op::CodeMemo { code: code.into(), before, after }]).unwrap();
                }
                (9, _) => {
                    let transcript = ["T1", "T2"][pick % 2].to_string();
                    let done = !j.state.done.contains(&transcript);
                    j.record(vec![Op::Done { transcript, done }]).unwrap();
                }
                (5, _) => { j.undo().unwrap(); }
                (6, _) => { j.redo().unwrap(); }
                _ => {}
            }
            let live = j.state.codings.clone();
            let bytes = fs::read(&j.path).unwrap_or_default();
            let replayed = CoderState::replay(&j.path, "ann", &bytes);
            proptest::prop_assert!(replayed.warnings.is_empty(), "{:?}", replayed.warnings);
            let strip = |m: &BTreeMap<CodingId, Coding>| {
                m.values().map(|c| (c.id, c.start, c.end, c.memo.clone(), c.version.clone())).collect::<Vec<_>>()
            };
            proptest::prop_assert_eq!(strip(&replayed.codings), strip(&live));
            proptest::prop_assert_eq!(&replayed.code_memos, &j.state.code_memos);
            proptest::prop_assert_eq!(&replayed.done, &j.state.done);
            proptest::prop_assert_eq!(replayed.can_undo(), j.state.can_undo());
            proptest::prop_assert_eq!(replayed.can_redo(), j.state.can_redo());
        }
    }
}

/// `Record::parse` reads add and remove lines directly: it must give what the derive gives,
/// for every line, and the derive's error for a line it cannot read.
#[test]
fn record_parse_is_the_derive() {
    let lines = [
        r#"{"seq":7,"at":"2026-11-02T10:00:00Z","coder":"ann","op":"add","id":12,"transcript":"T1","code":"meldcode","start":3,"end":9,"text":"één \"x\"\n","version":"ab"}"#,
        r#"{"op":"remove","seq":8,"at":"t","coder":"ann","batch":7,"batch_size":2,"id":12,"transcript":"T1","code":"a","start":0,"end":1,"text":"x","memo":"waarom"}"#,
        // No id (older journals), a field no version wrote, nulls where None is allowed.
        r#"{"seq":9,"at":"t","coder":"b\u00e9","op":"add","transcript":"T1","code":"a","start":0,"end":1,"text":"x","memo":null,"extra":[1,{"a":2}]}"#,
        r#"{"seq":10,"at":"t","coder":"ann","op":"edit","id":12,"before":{"start":0,"end":1,"text":"x"},"after":{"start":1,"end":2,"text":"y"}}"#,
        r#"{"seq":11,"at":"t","coder":"ann","op":"undo","target":10}"#,
        r#"{"seq":12,"at":"t","coder":"ann","op":"memo","id":12,"before":null,"after":"m"}"#,
        // Sums: right or wrong hex, not hex, a number, null, on an add, a remove, an edit.
        r#"{"seq":18,"at":"t","coder":"ann","op":"add","id":3,"transcript":"T1","code":"a","start":0,"end":1,"text":"x","sum":"00ff00ff00ff00ff"}"#,
        r#"{"seq":19,"at":"t","coder":"ann","op":"remove","id":3,"transcript":"T1","code":"a","start":0,"end":1,"text":"x","sum":"00FF00FF00FF00FF"}"#,
        r#"{"seq":20,"at":"t","coder":"ann","op":"add","id":3,"transcript":"T1","code":"a","start":0,"end":1,"text":"x","sum":"zz"}"#,
        r#"{"seq":21,"at":"t","coder":"ann","op":"add","id":3,"transcript":"T1","code":"a","start":0,"end":1,"text":"x","sum":7}"#,
        r#"{"sum":null,"seq":22,"at":"t","coder":"ann","op":"add","id":3,"transcript":"T1","code":"a","start":0,"end":1,"text":"x"}"#,
        r#"{"seq":23,"at":"t","coder":"ann","op":"edit","id":12,"before":{"start":0,"end":1,"text":"x"},"after":{"start":1,"end":2,"text":"y"},"sum":"0123456789abcdef"}"#,
        // Broken: a field missing, a wrong type, an unknown op, not JSON, a negative offset.
        r#"{"seq":13,"at":"t","coder":"ann","op":"add","code":"a","start":0,"end":1,"text":"x"}"#,
        r#"{"seq":14,"at":"t","coder":"ann","op":"add","transcript":"T1","code":"a","start":"0","end":1,"text":"x"}"#,
        r#"{"seq":15,"at":"t","coder":"ann","op":"added","transcript":"T1","code":"a","start":0,"end":1,"text":"x"}"#,
        r#"{"seq":16,"at":"t","coder":"ann","op":"add","transcript":"T1""#,
        r#"{"seq":17,"at":"t","coder":"ann","op":"add","transcript":"T1","code":"a","start":-1,"end":1,"text":"x"}"#,
    ];
    for line in lines {
        let derive = serde_json::from_str::<Record>(line);
        match (Record::parse(line), derive) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{line}");
                if line.contains("\"sum\":\"") {
                    assert!(a.sum.is_some(), "{line}");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{line}"),
            (a, b) => panic!("{line}: parse {a:?}, derive {b:?}"),
        }
    }
}

/// Every transcript's codings as a plain scan of all codings finds them, in id order.
fn scanned(s: &CoderState, t: &str) -> Vec<CodingId> {
    s.codings
        .values()
        .filter(|c| c.transcript == t)
        .map(|c| c.id)
        .collect()
}

fn index_agrees(s: &CoderState) -> Result<(), proptest::test_runner::TestCaseError> {
    // The index itself, not the scan it falls back to on codings set by hand.
    proptest::prop_assert!(s.index_in_use());
    for t in ["T1", "T2", "T3", "T4"] {
        proptest::prop_assert_eq!(s.ids_of_transcript(t), scanned(s, t), "transcript {}", t);
        let by_start: Vec<CodingId> = s.of_transcript(t).iter().map(|c| c.id).collect();
        let mut expected = s
            .codings
            .values()
            .filter(|c| c.transcript == t)
            .collect::<Vec<_>>();
        expected.sort_by_key(|c| (c.start, c.end, c.id));
        let expected: Vec<CodingId> = expected.iter().map(|c| c.id).collect();
        proptest::prop_assert_eq!(by_start, expected);
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// The index of codings per transcript equals a plain scan of the codings after any
    /// sequence of adds, removes, edits, undos and redos: live, replayed from the journal, and
    /// replayed from two copies of it concatenated (a merge: every id collides).
    #[test]
    fn the_index_per_transcript_equals_a_scan(
        script in proptest::collection::vec((0u8..6, proptest::num::usize::ANY), 1..40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        for (step, (action, pick)) in script.into_iter().enumerate() {
            let n = j.state.codings.len();
            let any = (n > 0).then(|| j.state.codings.values().nth(pick % n).cloned()).flatten();
            let t = ["T1", "T2", "T3"][pick % 3];
            let ops = match (action, any) {
                (0, _) => vec![Op::Add(coding(t, "a", step, step + 3))],
                (1, _) => (0..3).map(|k| Op::Add(coding(["T1", "T2", "T3"][k], "b", step + k, step + k + 2))).collect(),
                (2, Some(c)) => vec![Op::Remove(c)],
                (3, Some(c)) => vec![Op::Edit { id: c.id, before: c.span(), after: Span { start: c.start + 1, end: c.end + 1, ..c.span() } }],
                (4, _) => {
                    j.undo().unwrap();
                    vec![]
                }
                (5, _) => {
                    j.redo().unwrap();
                    vec![]
                }
                _ => vec![],
            };
            if !ops.is_empty() {
                j.record(ops).unwrap();
            }
            index_agrees(&j.state)?;
        }
        let bytes = fs::read(&j.path).unwrap_or_default();
        index_agrees(&CoderState::replay(Path::new("j"), "ann", &bytes))?;
        let twice = [bytes.clone(), bytes].concat();
        index_agrees(&CoderState::replay(Path::new("j"), "ann", &twice))?;
    }
}

/// A state whose codings are set by hand (not through the journal's ops) still answers right:
/// the index sees it is not theirs and scans; `reindex` makes it theirs.
#[test]
fn codings_set_by_hand_are_found_on_their_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "a", 0, 3))]).unwrap();
    let mut s = j.state.clone();
    let mut c = coding("T2", "a", 5, 8);
    c.id = 77;
    s.codings.insert(77, c);
    assert_eq!(s.ids_of_transcript("T2"), vec![77]);
    assert_eq!(s.of_transcript("T2").len(), 1);
    // Moved by hand to another transcript: no longer found on the old one; `reindex` finds it
    // on the new one.
    let mut s = j.state.clone();
    let first = *s.codings.keys().next().unwrap();
    s.codings.get_mut(&first).unwrap().transcript = "T3".into();
    assert!(s.ids_of_transcript("T1").is_empty());
    s.reindex();
    assert_eq!(s.ids_of_transcript("T3"), vec![first]);
}

#[test]
fn a_journal_still_as_loaded_is_not_read_again_and_any_write_since_means_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let codings = dir.path().join("codings");
    {
        let mut j = Journal::open(&codings, "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 2))]).unwrap();
        j.record(vec![Op::Add(coding("T1", "b", 2, 4))]).unwrap();
    }
    let path = journal_path(&codings, "ann");
    let loaded = CoderState::load(&path, "ann").unwrap();
    assert_eq!(loaded.codings.len(), 2);
    // Still as loaded: the loaded state is taken, and new lines continue it.
    {
        let mut j = Journal::open_known(&codings, "ann", Some(&loaded)).unwrap();
        assert!(j.reused());
        assert_eq!(j.state.codings, loaded.codings);
        j.record(vec![Op::Add(coding("T1", "c", 4, 6))]).unwrap();
    }
    // Appended since the load: read again, and the new line is there.
    let j = Journal::open_known(&codings, "ann", Some(&loaded)).unwrap();
    assert!(!j.reused());
    assert_eq!(j.state.codings.len(), 3);
    drop(j);
    // Edited in place to the same length, the old modification time put back: read again.
    let loaded = CoderState::load(&path, "ann").unwrap();
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("\"code\":\"c\"", "\"code\":\"d\"")).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(before)
        .unwrap();
    let j = Journal::open_known(&codings, "ann", Some(&loaded)).unwrap();
    assert!(!j.reused());
    assert!(j.state.codings.values().any(|c| c.code == "d"));
    drop(j);
    // Another coder's state is never taken.
    let bob = CoderState::load(&path, "bob").unwrap();
    assert!(
        !Journal::open_known(&codings, "ann", Some(&bob))
            .unwrap()
            .reused()
    );
}

/// Every line `record` writes that places a coding (add, edit, reanchor, remove) carries a sum
/// that verifies, and replaying such lines leaves nothing unsealed; lines that place nothing
/// carry none.
#[test]
fn new_lines_carry_a_sum_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
    let c = j.state.codings.values().next().unwrap().clone();
    let after = Span {
        start: 1,
        end: 4,
        text: "xxx".into(),
        version: Some("v2".into()),
    };
    j.record(vec![Op::Edit {
        id: c.id,
        before: c.span(),
        after: after.clone(),
    }])
    .unwrap();
    j.record(vec![Op::Reanchor {
        id: c.id,
        before: after.clone(),
        after: Span {
            start: 2,
            end: 5,
            ..after
        },
    }])
    .unwrap();
    j.record(vec![Op::Memo {
        id: c.id,
        before: None,
        after: Some("m".into()),
    }])
    .unwrap();
    let now = j.state.codings[&c.id].clone();
    j.record(vec![Op::Remove(now)]).unwrap();
    j.undo().unwrap();
    assert!(j.state.unsealed.is_empty(), "{:?}", j.state.unsealed);
    let text = fs::read_to_string(journal_path(dir.path(), "ann")).unwrap();
    let mut placing = 0;
    for line in text.lines() {
        let rec = Record::parse(line).unwrap();
        match rec.sealed() {
            Some(ok) => {
                placing += 1;
                assert!(ok, "{line}");
                let sum = serde_json::from_str::<serde_json::Value>(line).unwrap()["sum"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert!(sum.len() == 16 && sum.bytes().all(|b| b.is_ascii_hexdigit()));
            }
            None => assert!(!line.contains("\"sum\""), "{line}"),
        }
    }
    assert_eq!(placing, 4, "add, edit, reanchor, remove");
    drop(j);
    let again = CoderState::load(&journal_path(dir.path(), "ann"), "ann").unwrap();
    assert!(again.unsealed.is_empty());
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
}

/// A line whose placing fields were changed by hand no longer matches its sum, a line without
/// a sum (older journals, other tools) vouches for nothing, and a sum that is not 16 hex digits
/// is a wrong sum, not an unreadable line (which would drop the coding from every count).
#[test]
fn a_line_edited_by_hand_or_without_a_sum_is_unsealed() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(Coding {
        text: "abcde".into(),
        version: Some("v1".into()),
        ..coding("T1", "a", 0, 5)
    })])
    .unwrap();
    let id = *j.state.codings.keys().next().unwrap();
    drop(j);
    let line = fs::read_to_string(journal_path(dir.path(), "ann")).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let with = |key: &str, val: serde_json::Value| {
        let mut v = v.clone();
        v[key] = val;
        v.to_string()
    };
    let no_sum = {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("sum");
        v.to_string()
    };
    let cases = [
        // Same length, same offsets, same version: only the words differ.
        (with("text", "abcdX".into()), Some(Some(1))),
        (with("start", 1.into()), Some(Some(1))),
        (with("version", "v2".into()), Some(Some(1))),
        (with("transcript", "T2".into()), Some(Some(1))),
        (with("sum", "not a checksum".into()), Some(Some(1))),
        (with("sum", 12.into()), Some(Some(1))),
        (no_sum.clone(), Some(None)),
        (with("sum", serde_json::Value::Null), Some(None)),
        // What does not place it is not covered: a memo or another code.
        (with("code", "b".into()), None),
        (with("memo", "waarom".into()), None),
        (line.trim().to_string(), None),
    ];
    for (l, expected) in cases {
        let s = CoderState::replay(Path::new("ann.jsonl"), "ann", l.as_bytes());
        assert_eq!(s.codings.len(), 1, "{l}: {:?}", s.warnings);
        assert!(s.warnings.is_empty(), "{l}: {:?}", s.warnings);
        assert_eq!(s.unsealed.get(&id).copied(), expected, "{l}");
    }
    // A good line after one without a sum does not vouch for the coding: the first never did.
    let later = format!("{no_sum}\n{}\n", with("code", "b".into()));
    let s = CoderState::replay(Path::new("ann.jsonl"), "ann", later.as_bytes());
    assert_eq!(s.unsealed.get(&id).copied(), Some(None));
}

/// Older codewerk builds read journals with sums: their `Record` had no `sum`, and nothing in
/// it denies unknown fields, so the field is left over for the flattened op, which ignores it.
#[test]
fn older_builds_read_lines_with_sums() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct OldRecord {
        seq: u64,
        at: String,
        coder: String,
        #[serde(default)]
        batch: Option<u64>,
        #[serde(default)]
        batch_size: Option<u64>,
        #[serde(flatten)]
        op: Op,
    }
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
    let c = j.state.codings.values().next().unwrap().clone();
    j.record(vec![Op::Edit {
        id: c.id,
        before: c.span(),
        after: Span {
            start: 1,
            ..c.span()
        },
    }])
    .unwrap();
    let text = fs::read_to_string(journal_path(dir.path(), "ann")).unwrap();
    for line in text.lines() {
        assert!(line.contains("\"sum\":\""), "{line}");
        let old: OldRecord = serde_json::from_str(line).unwrap();
        assert_eq!(old.op, Record::parse(line).unwrap().op, "{line}");
    }
}

/// A coding whose line was edited by hand is vouched for again once codewerk places it anew
/// with a line of its own (`check --fix`'s re-anchoring, an edit in the TUI), and stays so after
/// a restart; a line with a wrong sum after that one takes it away again.
#[test]
fn a_sealed_reanchoring_vouches_for_a_hand_edited_coding_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path(), "ann");
    {
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
    }
    let line = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        line.replace("\"start\":0,\"end\":5", "\"start\":1,\"end\":6"),
    )
    .unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    let c = j.state.codings.values().next().unwrap().clone();
    assert_eq!(j.state.unsealed.get(&c.id), Some(&Some(1)));
    let after = Span {
        start: 0,
        end: 5,
        ..c.span()
    };
    j.record(vec![Op::Reanchor {
        id: c.id,
        before: c.span(),
        after,
    }])
    .unwrap();
    assert!(j.state.unsealed.is_empty());
    drop(j);
    let s = CoderState::load(&path, "ann").unwrap();
    assert!(s.unsealed.is_empty(), "{:?}", s.unsealed);
    let text = fs::read_to_string(&path).unwrap();
    let last = text
        .lines()
        .last()
        .unwrap()
        .replace("\"start\":0", "\"start\":2");
    fs::write(&path, format!("{text}{last}\n")).unwrap();
    let s = CoderState::load(&path, "ann").unwrap();
    assert_eq!(s.unsealed.get(&c.id), Some(&Some(3)));
}

/// The sum is a file format: the README's example line carries the sum this build computes
/// (a change of the hash would make every journal's lines look edited by hand).
#[test]
fn the_readme_example_line_has_a_right_sum() {
    let readme = include_str!("../../../README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("{\"seq\":12,") && l.contains("\"sum\":"))
        .unwrap();
    assert_eq!(Record::parse(line).unwrap().sealed(), Some(true), "{line}");
}

/// A sealed edit vouches for the place it gives; undoing it puts back the place before, which a
/// line edited by hand may have given: that one is checked against its text again.
#[test]
fn undoing_a_sealed_edit_of_a_hand_edited_coding_vouches_for_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path(), "ann");
    let id = {
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        let ops = j.record(vec![Op::Add(coding("T1", "a", 0, 2))]).unwrap();
        let Op::Add(c) = &ops[0] else { panic!() };
        c.id
    };
    // Moved by hand, its sum kept: no longer vouched for.
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("\"start\":0,\"end\":2", "\"start\":3,\"end\":5"),
    )
    .unwrap();
    let mut j = Journal::open(dir.path(), "ann").unwrap();
    assert_eq!(j.state.unsealed.get(&id), Some(&Some(1)));
    // Put right in the review (a sealed edit), then that undone.
    let span = |start, end| Span {
        start,
        end,
        text: "xx".into(),
        version: None,
    };
    j.record(vec![Op::Edit {
        id,
        before: span(3, 5),
        after: span(0, 2),
    }])
    .unwrap();
    assert!(!j.state.unsealed.contains_key(&id), "the edit vouches");
    j.undo().unwrap();
    assert_eq!(j.state.codings[&id].start, 3);
    assert!(j.state.unsealed.contains_key(&id), "live");
    drop(j);
    let again = CoderState::load(&path, "ann").unwrap();
    assert_eq!(again.codings[&id].start, 3);
    assert!(again.unsealed.contains_key(&id), "replayed");
}
