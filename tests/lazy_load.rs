#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `Project::load_lazy` against `Project::load`: whatever happened to the files, a lazy load
//! gives the same codings, anchors and problems as the full load, and reads a transcript only
//! when its file is not the one the transcript cache knows or a coding needs its text.

use codewerk::core::coding::{Anchor, Coding, Op};
use codewerk::core::problem::Problem;
use codewerk::core::project::Project;
use codewerk::core::transcript_cache;
use proptest::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A synthetic project of `n` transcripts, each with codings of `ann` made on its text, every
/// file dated a minute back (a file written in the two seconds before a load is never cached).
fn project(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    codewerk::core::index::synth::write_corpus(dir.path(), n, 300, 11).unwrap();
    let p = Project::load(dir.path()).unwrap();
    let mut journal = p.open_journal("ann").unwrap();
    for t in &p.transcripts {
        let turn = &t.turns()[1];
        let (s, e) = (turn.body_start, turn.body_start + 25);
        journal
            .record(vec![
                Op::Add(Coding::quoted(t, "meldcode", s, e)),
                Op::Add(Coding::quoted(t, "twijfel", turn.end - 30, turn.end)),
            ])
            .unwrap();
    }
    drop(journal);
    age(dir.path(), SystemTime::now() - Duration::from_secs(60));
    dir
}

fn age(dir: &Path, when: SystemTime) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            age(&path, when);
        } else {
            File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
    }
}

/// Every coding with where it is and how it stands, and every problem.
type Seen = (
    Vec<(String, u64, String, usize, usize, Anchor)>,
    Vec<Problem>,
);

fn seen(p: &Project) -> Seen {
    let mut codings: Vec<_> = p
        .coders
        .iter()
        .flat_map(|(coder, s)| {
            s.codings.values().map(move |c| {
                (
                    coder.clone(),
                    c.id,
                    c.code.clone(),
                    c.start,
                    c.end,
                    c.anchor.clone(),
                )
            })
        })
        .collect();
    codings.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    (codings, p.problems.clone())
}

fn unread(p: &Project) -> usize {
    p.transcripts.iter().filter(|t| !t.is_read()).count()
}

fn file_of(dir: &Path, p: &Project, i: usize) -> PathBuf {
    dir.join(&p.transcripts[i].path)
        .canonicalize()
        .unwrap_or_else(|_| p.transcripts[i].path.clone())
}

#[test]
fn a_second_lazy_load_reads_no_text_and_agrees_with_the_full_load() {
    let dir = project(5);
    let full = Project::load(dir.path()).unwrap();
    let first = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&first), 0, "nothing cached yet: every text is read");
    assert!(
        dir.path()
            .join(".codewerk")
            .join(transcript_cache::FILE)
            .exists()
    );
    let mut second = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(
        unread(&second),
        5,
        "codings made on the cached versions need no text"
    );
    assert_eq!(seen(&second), seen(&full));
    assert_eq!(seen(&first), seen(&full));
    for (a, b) in second.transcripts.iter().zip(&full.transcripts) {
        assert_eq!(a.len_chars(), b.len_chars());
        assert_eq!(a.word_count(), b.word_count());
        assert_eq!(a.version(), b.version());
        assert_eq!(a.content_hash(), b.content_hash());
    }
    // Reading the texts a command needs: the same texts as the full load's.
    assert!(second.read_texts(|who, _| who == "ann").is_empty());
    assert_eq!(unread(&second), 0);
    for (a, b) in second.transcripts.iter().zip(&full.transcripts) {
        assert_eq!(a.text(), b.text());
        assert_eq!(a.turns(), b.turns());
    }
}

#[test]
fn a_garbage_cache_means_reading_every_text() {
    let dir = project(3);
    let full = Project::load(dir.path()).unwrap();
    Project::load_lazy(dir.path()).unwrap();
    let cache = dir.path().join(".codewerk").join(transcript_cache::FILE);
    let mut bytes = std::fs::read(&cache).unwrap();
    for garbage in [
        b"rubbish".to_vec(),
        Vec::new(),
        bytes[..bytes.len() / 2].to_vec(),
        {
            bytes.push(7);
            bytes.clone()
        },
    ] {
        std::fs::write(&cache, &garbage).unwrap();
        let p = Project::load_lazy(dir.path()).unwrap();
        assert_eq!(unread(&p), 0);
        assert_eq!(seen(&p), seen(&full));
        // ... and the cache is written anew.
        assert_eq!(unread(&Project::load_lazy(dir.path()).unwrap()), 3);
    }
}

/// How a transcript file is changed behind the cache's back.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Other characters of the same byte length, another modification time.
    SameSize,
    /// Words inserted, the old modification time put back.
    OtherSize,
    /// A new file of the same size renamed over it, the old time put back (a new inode).
    Replaced,
}

fn change(path: &Path, kind: Change, at: usize) {
    let old = std::fs::read_to_string(path).unwrap();
    let mtime = std::fs::metadata(path).unwrap().modified().unwrap();
    // An ASCII letter of the text (none is in a label's colon or a line break).
    let letters: Vec<usize> = old
        .char_indices()
        .filter(|(_, c)| c.is_ascii_lowercase())
        .map(|(b, _)| b)
        .collect();
    let b = letters[at % letters.len()];
    let swapped = |s: &str| {
        let c = if &s[b..=b] == "x" { "q" } else { "x" };
        format!("{}{}{}", &s[..b], c, &s[b + 1..])
    };
    match kind {
        Change::SameSize => {
            std::fs::write(path, swapped(&old)).unwrap();
            let f = File::options().write(true).open(path).unwrap();
            f.set_modified(mtime - Duration::from_secs(17)).unwrap();
        }
        Change::OtherSize => {
            let new = format!("{} ingevoegd woord {}", &old[..b], &old[b..]);
            std::fs::write(path, new).unwrap();
            let f = File::options().write(true).open(path).unwrap();
            f.set_modified(mtime).unwrap();
        }
        Change::Replaced => {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, swapped(&old)).unwrap();
            let f = File::options().write(true).open(&tmp).unwrap();
            f.set_modified(mtime).unwrap();
            drop(f);
            std::fs::rename(&tmp, path).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// A changed file is always read again and its codings re-anchored as the full load does.
    #[test]
    fn a_changed_transcript_is_read_and_its_codings_checked_again(
        which in 0usize..3,
        at in 0usize..10_000,
        kind in prop_oneof![
            Just(Change::SameSize),
            Just(Change::OtherSize),
            Just(Change::Replaced),
        ],
    ) {
        let dir = project(3);
        let before = Project::load_lazy(dir.path()).unwrap();
        let path = file_of(dir.path(), &before, which);
        change(&path, kind, at);
        let full = Project::load(dir.path()).unwrap();
        let lazy = Project::load_lazy(dir.path()).unwrap();
        prop_assert!(lazy.transcripts[which].is_read(), "{kind:?}: the changed file was not read");
        prop_assert_eq!(lazy.transcripts[which].version(), full.transcripts[which].version());
        prop_assert_ne!(lazy.transcripts[which].version(), before.transcripts[which].version());
        prop_assert_eq!(seen(&lazy), seen(&full));
        prop_assert_eq!(unread(&lazy), 2);
    }
}

/// Rewrite a file in place (same inode), same size, its modification time put back: no stamp
/// can tell.
fn rewrite_within_stamp(path: &Path) {
    let meta = std::fs::metadata(path).unwrap();
    let old = std::fs::read_to_string(path).unwrap();
    let b = old.find("R: ").unwrap() + 3;
    let new = format!("{}X{}", &old[..b], &old[b + 1..]);
    std::fs::write(path, new).unwrap();
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(meta.modified().unwrap())
        .unwrap();
}

#[test]
fn the_tui_shows_no_text_of_a_file_changed_within_its_stamp_and_says_why() {
    use codewerk::tui::app::App;
    let dir = project(2);
    Project::load_lazy(dir.path()).unwrap();
    let p = Project::load_lazy(dir.path()).unwrap();
    rewrite_within_stamp(&file_of(dir.path(), &p, 1));
    let theme = codewerk::tui::theme::Theme::dark(true);
    let mut app = App::new(p, "ann", theme, ratatui::layout::Rect::new(0, 0, 120, 40));
    app.open(1);
    let said = app.message.as_ref().expect("a message");
    assert!(
        said.error && said.text.contains("changed since"),
        "{}",
        said.text
    );
    assert_eq!(app.project.transcripts[1].text(), "");
    let cache = dir.path().join(".codewerk").join(transcript_cache::FILE);
    assert!(!cache.exists(), "the cache must be dropped");
    // Opening the other one works as ever.
    app.open(0);
    assert!(!app.project.transcripts[0].text().is_empty());
}

#[test]
fn a_text_changed_within_its_stamp_is_an_error_when_read_not_a_panic() {
    let dir = project(2);
    Project::load_lazy(dir.path()).unwrap();
    let mut p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 2);
    rewrite_within_stamp(&file_of(dir.path(), &p, 0));
    let problems = p.read_texts(|_, _| true);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].is_error());
    assert!(
        problems[0].message.contains("changed since"),
        "{}",
        problems[0]
    );
    assert!(p.has_errors());
    assert_eq!(p.transcripts[0].text(), "");
    assert_eq!(p.transcripts[0].slice(0, 50), "");
    assert_eq!(p.transcripts[0].find_all("de"), Vec::<usize>::new());
    assert!(p.transcripts[1].read().is_ok());
    // The cache is dropped: the next load reads and checks the file anew.
    let again = Project::load_lazy(dir.path()).unwrap();
    assert!(again.transcripts[0].is_read());
    assert_eq!(seen(&again), seen(&Project::load(dir.path()).unwrap()));
}

#[test]
fn a_cached_file_that_became_unreadable_is_a_problem_of_that_file() {
    let dir = project(2);
    Project::load_lazy(dir.path()).unwrap();
    let mut p = Project::load_lazy(dir.path()).unwrap();
    let path = file_of(dir.path(), &p, 1);
    std::fs::remove_file(&path).unwrap();
    let problems = p.read_texts(|_, _| true);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, p.transcripts[1].path);
    assert!(
        problems[0].message.contains("cannot be read"),
        "{}",
        problems[0]
    );
}

mod common;

/// The command's standard output, which must succeed.
fn run(dir: &Path, args: &[&str]) -> String {
    let out = common::codewerk(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn exports_and_stats_are_the_same_from_the_cache_as_from_every_text() {
    let dir = project(4);
    let cache = dir.path().join(".codewerk").join(transcript_cache::FILE);
    let commands: [&[&str]; 4] = [
        &[
            "--coder", "ann", "export", "quotes", "-o", "-", "--format", "json",
        ],
        &[
            "--coder", "ann", "export", "quotes", "--code", "twijfel", "-o", "-",
        ],
        &["--coder", "ann", "stats", "--json"],
        &["--coder", "ann", "export", "matrix", "-o", "-"],
    ];
    for args in commands {
        let _ = std::fs::remove_file(&cache);
        let read_all = run(dir.path(), args);
        assert!(cache.exists(), "{args:?} wrote no cache");
        assert_eq!(run(dir.path(), args), read_all, "{args:?} from the cache");
    }
    // A transcript changed since the cache: its codings are re-anchored, exactly as when
    // every text is read.
    let p = Project::load(dir.path()).unwrap();
    change(&file_of(dir.path(), &p, 2), Change::OtherSize, 3);
    for args in commands {
        let from_cache = run(dir.path(), args);
        std::fs::remove_file(&cache).unwrap();
        assert_eq!(from_cache, run(dir.path(), args), "{args:?} after a change");
    }
}

#[test]
fn a_file_changed_within_its_stamp_fails_the_export_naming_it() {
    let dir = project(2);
    let args = ["--coder", "ann", "export", "quotes", "-o", "-"];
    run(dir.path(), &args);
    let p = Project::load(dir.path()).unwrap();
    let path = file_of(dir.path(), &p, 0);
    let meta = std::fs::metadata(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut broken = bytes.clone();
    let at = bytes.len() / 2;
    broken[at] = 0xff; // not UTF-8 any more, same size, same inode
    std::fs::write(&path, &broken).unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(meta.modified().unwrap())
        .unwrap();
    let out = common::codewerk(dir.path()).args(args).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("UTF-8")
            && err.contains(&*p.transcripts[0].path.file_name().unwrap().to_string_lossy()),
        "{err}"
    );
    // The next run reads it anew (the cache was dropped): the same error, from the load.
    let again = common::codewerk(dir.path()).args(args).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("UTF-8"));
}

/// A journal line edited by hand keeps its version but not its words: the lazy load takes it
/// as exact without the text, and once a command reads the text it must be checked again, as
/// the full load checks it, never counted on the words its new offsets point at.
#[test]
fn a_hand_edited_coding_is_checked_when_its_text_is_read() {
    let dir = project(3);
    let _ = Project::load_lazy(dir.path()).unwrap(); // writes the cache
    shift_first_coding(dir.path());
    let full = Project::load(dir.path()).unwrap();
    let mut lazy = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(
        unread(&lazy),
        3,
        "the lazy load vouched for the codings without a text"
    );
    let problems = lazy.read_texts(|who, _| who == "ann");
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("was not on its words")),
        "{problems:?}"
    );
    // After the read, every coding stands as the full load has it.
    assert_eq!(seen(&lazy).0, seen(&full).0);
    let t = &lazy.transcripts;
    for c in lazy.coders["ann"].codings.values() {
        if matches!(c.anchor, Anchor::Exact | Anchor::Moved { .. }) {
            let t = t.iter().find(|t| t.id == c.transcript).unwrap();
            assert_eq!(
                t.slice(c.start, c.end),
                c.text,
                "coding {} on other words",
                c.id
            );
        }
    }
}

/// Shift the first coding of ann's journal by one character, keeping its quote and version, and
/// give the line the right sum for it, as a tool that writes codewerk's format (or a careful
/// hand) would: the lazy load vouches for it, so the check when its text is read must catch it.
/// Only the journal changes: the transcripts keep the stamps the cache knows.
fn shift_first_coding(dir: &Path) {
    shift_first_coding_of(dir, "ann");
}

fn shift_first_coding_of(dir: &Path, coder: &str) {
    edit_first_coding(dir, coder, true, |c| {
        c.start += 1;
        c.end += 1;
    });
}

/// Change the first coding line of `coder`'s journal with `edit`, resealing it (`Record::seal`)
/// or keeping the sum it had (a hand edit).
fn edit_first_coding(dir: &Path, coder: &str, reseal: bool, edit: impl Fn(&mut Coding)) {
    use codewerk::core::coding::Record;
    let journal = dir.join(format!("codings/{coder}.jsonl"));
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut rec = Record::parse(&lines[0]).unwrap();
    let Op::Add(c) = &mut rec.op else {
        panic!("{}", lines[0])
    };
    edit(c);
    if reseal {
        rec.seal();
    }
    let edited = serde_json::to_string(&rec).unwrap();
    assert_ne!(edited, lines[0], "the journal line was edited");
    lines[0] = edited;
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
}

/// The TUI reads a transcript when it is opened: the coder's codings on it that were taken as
/// exact without the text are checked then, and one not on its words is never drawn there.
#[test]
fn the_tui_checks_a_hand_edited_coding_when_it_opens_the_transcript() {
    use codewerk::tui::app::App;
    let dir = project(2);
    let _ = Project::load_lazy(dir.path()).unwrap();
    shift_first_coding(dir.path());
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 2);
    let theme = codewerk::tui::theme::Theme::dark(true);
    let mut app = App::new(p, "ann", theme, ratatui::layout::Rect::new(0, 0, 120, 40));
    app.open(1);
    app.open(0);
    let said = app.message.as_ref().expect("a message");
    assert!(said.text.contains("not on their words"), "{}", said.text);
    let t = &app.project.transcripts[0];
    for c in app
        .state()
        .codings
        .values()
        .filter(|c| c.transcript == t.id)
    {
        if matches!(c.anchor, Anchor::Exact | Anchor::Moved { .. }) {
            assert_eq!(
                t.slice(c.start, c.end),
                c.text,
                "coding {} on other words",
                c.id
            );
        }
    }
}

/// `--among` (like `--where` and `--by set:NAME`) reads the coder's codings of every code, not
/// only those exported: a lazily trusted coding of another code must be checked against its text
/// too, or an export of one code would count respondents on words a coding was not made on.
#[test]
fn an_export_filtered_by_a_query_checks_the_codings_the_query_reads() {
    let dir = project(3);
    let cache = dir.path().join(".codewerk").join(transcript_cache::FILE);
    let _ = Project::load_lazy(dir.path()).unwrap();
    assert!(cache.exists());
    // The first meldcode coding's quote replaced, by hand, by one of the same length that is
    // nowhere in the text: the full load orphans it; its version still says "made here".
    let journal = dir.path().join("codings/ann.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"code\":\"meldcode\""))
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&lines[at]).unwrap();
    let n = v["text"].as_str().unwrap().chars().count();
    v["text"] = serde_json::Value::String("#".repeat(n));
    lines[at] = v.to_string();
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let args = [
        "--coder", "ann", "export", "quotes", "--code", "twijfel", "--among", "meldcode", "-o",
        "-", "--format", "json",
    ];
    let from_cache = run(dir.path(), &args);
    std::fs::remove_file(&cache).unwrap();
    let read_all = run(dir.path(), &args);
    assert_eq!(from_cache, read_all);
}

/// A view that reads a text for the first time (the matrix counts every transcript's turns)
/// and finds it is not the text the project was loaded with says so, naming the file, instead
/// of showing counts that look complete.
#[test]
fn a_view_that_reads_a_broken_text_says_so() {
    use codewerk::tui::app::{App, Msg};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = project(3);
    Project::load_lazy(dir.path()).unwrap();
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 3);
    let broken = file_of(dir.path(), &p, 2);
    rewrite_within_stamp(&broken);
    let theme = codewerk::tui::theme::Theme::dark(true);
    let mut app = App::new(p, "ann", theme, ratatui::layout::Rect::new(0, 0, 120, 40));
    app.message = None;
    // The word counts read every text (the matrix counts by the cached turns and reads none).
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char('W'),
        KeyModifiers::NONE,
    )));
    let said = app.message.as_ref().expect("a message");
    assert!(
        said.error && said.text.contains("missing from this view"),
        "{}",
        said.text
    );
    let name = broken.file_name().unwrap().to_string_lossy().to_string();
    assert!(said.text.contains(&name), "{}", said.text);
    // An export counts on it no more than the command would (which refuses).
    for c in ['q', 'M', 'x'] {
        app.handle(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let said = app.message.as_ref().expect("a message");
    assert!(
        said.error
            && said
                .text
                .starts_with("NOT exported: the project has 1 error"),
        "{}",
        said.text
    );
    assert!(!dir.path().join("exports").exists());
}

/// Autocode on a text read only now that is not the one the project was loaded with: its hits
/// (from the index, of the old text) are left out and said, never coded as quotes of a text
/// that is not there.
#[test]
fn autocode_leaves_out_the_hits_of_a_broken_text() {
    use codewerk::core::coding::CoderState;
    use codewerk::core::index::{Index, Query, Scope, plan_autocode};
    let dir = project(3);
    Project::load_lazy(dir.path()).unwrap();
    // The index from a full load (building it reads every text), the project lazily.
    let (ix, _) = Index::open(&Project::load(dir.path()).unwrap(), &mut |_| {}).unwrap();
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 3);
    let broken_id = p.transcripts[2].id.clone();
    // Changed on disk while the project is open (the TUI), before its text was first read.
    rewrite_within_stamp(&file_of(dir.path(), &p, 2));
    let every_turn = Query {
        text: "*".into(),
        ..Default::default()
    };
    let plan = plan_autocode(
        &p,
        &ix,
        &every_turn,
        "meldcode",
        Scope::Turn,
        &CoderState::new("zed"),
    )
    .unwrap();
    assert!(
        plan.codings.iter().all(|c| c.transcript != broken_id),
        "coded on the broken text"
    );
    assert!(plan.codings.iter().any(|c| c.transcript != broken_id));
    assert!(
        plan.notes.iter().any(|n| n.contains("left out")),
        "{:?}",
        plan.notes
    );
    for c in &plan.codings {
        assert_eq!(c.text.chars().count(), c.end - c.start);
    }
}

/// Another coder's codings (the second layer, the agreement view) are checked too when the TUI
/// opens their transcript.
#[test]
fn the_tui_checks_another_coders_hand_edited_coding_too() {
    use codewerk::tui::app::App;
    let dir = project(2);
    let ann = std::fs::read_to_string(dir.path().join("codings/ann.jsonl")).unwrap();
    std::fs::write(
        dir.path().join("codings/bob.jsonl"),
        ann.replace("\"coder\":\"ann\"", "\"coder\":\"bob\""),
    )
    .unwrap();
    let _ = Project::load_lazy(dir.path()).unwrap();
    shift_first_coding_of(dir.path(), "bob");
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 2);
    let theme = codewerk::tui::theme::Theme::dark(true);
    let mut app = App::new(p, "ann", theme, ratatui::layout::Rect::new(0, 0, 120, 40));
    app.open(1);
    app.open(0);
    let said = app.message.as_ref().expect("a message");
    assert!(said.text.contains("not on their words"), "{}", said.text);
    let t = &app.project.transcripts[0];
    for c in app.project.coders["bob"].codings.values() {
        if c.transcript == t.id && matches!(c.anchor, Anchor::Exact | Anchor::Moved { .. }) {
            assert_eq!(
                t.slice(c.start, c.end),
                c.text,
                "coding {} on other words",
                c.id
            );
        }
    }
}

/// A rewrite in place that keeps the size and puts the old modification time back (`cp -p`
/// onto the file, `touch -r`) changes the status change time, which no program can set: the
/// next load reads the file instead of trusting the cache, and its codings are checked as the
/// full load checks them.
#[test]
fn a_rewrite_that_puts_the_old_time_back_is_read_at_load() {
    let dir = project(2);
    Project::load_lazy(dir.path()).unwrap();
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 2);
    rewrite_within_stamp(&file_of(dir.path(), &p, 0));
    let again = Project::load_lazy(dir.path()).unwrap();
    assert!(
        again.transcripts[0].is_read(),
        "the changed file is read at load"
    );
    assert!(again.transcripts[0].late_problem().is_none());
    assert!(!again.transcripts[1].is_read());
    assert_eq!(seen(&again), seen(&Project::load(dir.path()).unwrap()));
}

/// `stats`, the exports and agreement count by who speaks where (a passage wholly in an
/// interviewer's turn is not what the respondent said; a quote names its speaker). From the
/// transcript cache, which keeps the turns, they read no text and give what the full load
/// gives.
#[test]
fn counting_by_speaker_reads_no_text_and_agrees_with_the_full_load() {
    use codewerk::core::export::{Format, Kind, Request, cooccurrence::CoUnit, render_with_info};
    use codewerk::core::summary::code_stats;
    let dir = project(4);
    {
        let p = Project::load(dir.path()).unwrap();
        let mut journal = p.open_journal("bob").unwrap();
        for t in &p.transcripts {
            let (q, a) = (&t.turns()[0], &t.turns()[1]);
            assert_eq!(q.speaker.as_deref(), Some("I"));
            journal
                .record(vec![
                    // A question, an answer, and a passage from the one into the other.
                    Op::Add(Coding::quoted(t, "meldcode", q.body_start, q.end)),
                    Op::Add(Coding::quoted(
                        t,
                        "meldcode",
                        a.body_start,
                        a.body_start + 12,
                    )),
                    Op::Add(Coding::quoted(
                        t,
                        "twijfel",
                        q.body_start + 2,
                        a.body_start + 5,
                    )),
                ])
                .unwrap();
        }
    }
    age(dir.path(), SystemTime::now() - Duration::from_secs(60));
    let full = Project::load(dir.path()).unwrap();
    let _ = Project::load_lazy(dir.path()).unwrap(); // writes the cache
    let lazy = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&lazy), 4);
    assert_eq!(code_stats(&full, "bob", false).interviewer_left_out, 4);
    for coder in ["ann", "bob"] {
        for include in [false, true] {
            let json = |p: &Project| serde_json::to_string(&code_stats(p, coder, include)).unwrap();
            assert_eq!(json(&lazy), json(&full), "{coder}, interviewer {include}");
        }
        for (kind, format, unit) in [
            (Kind::Quotes, Format::Json, CoUnit::default()),
            (Kind::Quotes, Format::Csv, CoUnit::default()),
            (Kind::Cooccurrence, Format::Csv, CoUnit::Turn),
            (Kind::Summary, Format::Csv, CoUnit::default()),
        ] {
            let mut req = Request::new(kind, coder);
            req.format = format;
            req.co_unit = unit;
            let from = |p: &Project| render_with_info(p, &req).unwrap().0;
            assert_eq!(from(&lazy), from(&full), "{coder}: {kind:?} {format:?}");
        }
    }
    assert_eq!(unread(&lazy), 4, "counting by speaker read a text");
    // The commands, whole: the same output from the cache as from every text.
    let cache = dir.path().join(".codewerk").join(transcript_cache::FILE);
    let commands: [&[&str]; 4] = [
        &["stats"],
        &["stats", "--json", "--include-interviewer"],
        &["agreement", "ann", "bob", "--json"],
        &[
            "--coder", "bob", "export", "quotes", "-o", "-", "--format", "json",
        ],
    ];
    for args in commands {
        let _ = std::fs::remove_file(&cache);
        let read_all = run(dir.path(), args);
        assert!(cache.exists(), "{args:?} wrote no cache");
        assert_eq!(run(dir.path(), args), read_all, "{args:?} from the cache");
    }
}

/// A command on one coder's codings reads that coder's journal only: another coder's journal,
/// however large or broken, changes nothing in it (`check` and the commands on all coders
/// still read and refuse it).
#[test]
fn a_command_on_one_coder_reads_only_that_coders_journal() {
    let dir = project(3);
    let args: [&[&str]; 3] = [
        &["--coder", "ann", "export", "quotes", "-o", "-"],
        &["--coder", "ann", "stats", "--json"],
        &["agreement", "ann", "cor", "--json"],
    ];
    let journal = std::fs::read_to_string(dir.path().join("codings/ann.jsonl")).unwrap();
    let cor = journal.replace("\"coder\":\"ann\"", "\"coder\":\"cor\"");
    std::fs::write(dir.path().join("codings/cor.jsonl"), cor).unwrap();
    let alone: Vec<String> = args.iter().map(|a| run(dir.path(), a)).collect();
    // bob's journal codes a code the codebook does not have: an error, for whoever reads it.
    let bob = journal
        .replace("\"coder\":\"ann\"", "\"coder\":\"bob\"")
        .replace("\"code\":\"meldcode\"", "\"code\":\"geen-code\"");
    std::fs::write(dir.path().join("codings/bob.jsonl"), bob).unwrap();
    for (a, before) in args.iter().zip(&alone) {
        assert_eq!(&run(dir.path(), a), before, "{a:?} read bob's journal");
    }
    for a in [&["check"][..], &["stats"], &["--coder", "bob", "stats"]] {
        let out = common::codewerk(dir.path()).args(a).output().unwrap();
        assert!(!out.status.success(), "{a:?} did not read bob's journal");
        let err = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("bob.jsonl") && err.contains("geen-code"),
            "{a:?}: {err}"
        );
    }
    // A coder without a journal: every journal is read, as before (here refused for bob's; without
    // it, the refusal lists every coder).
    let out = common::codewerk(dir.path())
        .args(["--coder", "cas", "export", "quotes", "-o", "-"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bob.jsonl"));
    std::fs::remove_file(dir.path().join("codings/bob.jsonl")).unwrap();
    let out = common::codewerk(dir.path())
        .args(["--coder", "cas", "export", "quotes", "-o", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("coders: ann, cor"), "{err}");
}

/// A journal line edited by hand that keeps its version, its quote's length and its offsets
/// (only the words differ) no longer matches its checksum: even with every transcript in the
/// cache, `stats` and `export quotes` read that text and check the coding, so it is not counted
/// or quoted on words it was not made on, and `check` names the line.
#[test]
fn a_hand_edited_quote_is_not_counted_from_a_warm_cache() {
    let dir = project(3);
    let cache = dir.path().join(".codewerk").join(transcript_cache::FILE);
    let stats = ["--coder", "ann", "stats", "--json"];
    let quotes = [
        "--coder", "ann", "export", "quotes", "-o", "-", "--format", "json",
    ];
    let before = run(dir.path(), &stats);
    assert!(cache.exists());
    edit_first_coding(dir.path(), "ann", false, |c| {
        c.text = "#".repeat(c.text.chars().count());
    });
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(
        unread(&p),
        2,
        "the edited line's transcript is read at load"
    );
    let orphaned = p.coders["ann"]
        .codings
        .values()
        .filter(|c| c.anchor.is_flagged())
        .count();
    assert_eq!(orphaned, 1, "the edited coding is flagged, not exact");
    let from_cache = (run(dir.path(), &stats), run(dir.path(), &quotes));
    assert_ne!(from_cache.0, before, "one coding fewer is counted");
    assert!(!from_cache.1.contains("###"), "{}", from_cache.1);
    // Exactly what reading every text gives.
    std::fs::remove_file(&cache).unwrap();
    let read_all = (run(dir.path(), &stats), run(dir.path(), &quotes));
    assert_eq!(from_cache, read_all);
    let out = common::codewerk(dir.path()).arg("check").output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("ann.jsonl:1: warning: edited by hand") && said.contains("not counted"),
        "{said}"
    );
}

/// A line without a checksum (a journal from before sums, a line another tool wrote) vouches
/// for nothing: its transcript is read at load and the coding checked against it, as before
/// transcripts were cached. It is not called edited by hand.
#[test]
fn a_line_without_a_sum_is_checked_against_its_text() {
    let dir = project(3);
    let _ = Project::load_lazy(dir.path()).unwrap(); // writes the cache
    let strip = |c: &mut Coding| c.memo = Some("zonder som".into());
    // Resealed, then the sum taken off: only the sum is missing.
    edit_first_coding(dir.path(), "ann", true, strip);
    let journal = dir.path().join("codings/ann.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert!(v.as_object_mut().unwrap().remove("sum").is_some());
    lines[0] = v.to_string();
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(
        unread(&p),
        2,
        "the transcript of the line without a sum is read"
    );
    assert!(
        !p.problems
            .iter()
            .any(|p| p.message.contains("edited by hand")),
        "{:?}",
        p.problems
    );
    assert_eq!(seen(&p).0, seen(&Project::load(dir.path()).unwrap()).0);
    // Without a sum and shifted by hand: checked at load, never counted on other words.
    let mut v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    v["start"] = (v["start"].as_u64().unwrap() + 1).into();
    v["end"] = (v["end"].as_u64().unwrap() + 1).into();
    lines[0] = v.to_string();
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let p = Project::load_lazy(dir.path()).unwrap();
    assert_eq!(unread(&p), 2);
    for c in p.coders["ann"].codings.values() {
        let t = p.transcript(&c.transcript).unwrap();
        if matches!(c.anchor, Anchor::Exact | Anchor::Moved { .. }) && t.is_read() {
            assert_eq!(
                t.slice(c.start, c.end),
                c.text,
                "coding {} on other words",
                c.id
            );
        }
    }
    assert_eq!(seen(&p).0, seen(&Project::load(dir.path()).unwrap()).0);
}
