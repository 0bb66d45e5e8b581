#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk search` and `codewerk autocode` on the real binary, on a small fixture project.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

mod common;
use common::json_of;

const CODEBOOK: &str = r##"{
  "deelvragen": [{"number": 1, "title": "Signaleren", "question": "?"}],
  "codes": [
    {"id": "veilig-thuis", "name": "Contact Veilig Thuis", "deelvraag": 1, "colour_name": "geel", "colour": "#FFE135"},
    {"id": "signaal", "name": "Signaal", "deelvraag": 1, "colour_name": "blauw", "colour": "#3366FF"}
  ]
}"##;

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("codebook")).unwrap();
    std::fs::create_dir_all(d.join("transcripts")).unwrap();
    std::fs::write(d.join("codebook/codebook.json"), CODEBOOK).unwrap();
    std::fs::write(
        d.join("transcripts/respondents.csv"),
        "id,file,group,school,school_type\nZ1,Z1.txt,zorgcoördinator,School A,vmbo\nD1,D1.txt,docent,School B,havo\n",
    )
    .unwrap();
    std::fs::write(
        d.join("transcripts/Z1.txt"),
        "I: Wat doet de coördinator?\n\nR: Eén keer per week belt de coördinator Veilig Thuis. Over signalen.\n",
    )
    .unwrap();
    std::fs::write(
        d.join("transcripts/D1.txt"),
        "I: Merkt u signalen?\n\nR: Ja, een signaal: ze was bang. Toen heb ik Veilig Thuis gebeld.\n",
    )
    .unwrap();
    dir
}

fn cw(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("codewerk").unwrap();
    c.arg("-p")
        .arg(dir)
        .env_remove("CODEWERK_CODER")
        .env("NO_COLOR", "1");
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    json_of(cw(dir).args(args).arg("--json"))
}

fn char_slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

#[test]
fn search_prints_ranked_hits_with_marked_snippets() {
    let dir = fixture();
    cw(dir.path())
        .args(["search", "signaal"])
        .assert()
        .success()
        .stdout(predicate::str::contains("«signalen»"))
        .stdout(predicate::str::contains("«signaal»"))
        .stdout(predicate::str::contains(
            "Z1 (zorgcoördinator, School A, vmbo) R:",
        ))
        .stdout(predicate::str::contains("3 hit(s)."))
        .stderr(predicate::str::contains(
            "search index did not exist yet: built it",
        ));
    // The second time the index is up to date: nothing said.
    cw(dir.path())
        .args(["search", "coordinator", "--limit", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("«coördinator»"))
        .stdout(predicate::str::contains("1 of 2 hits shown (--limit 1)."))
        .stderr(predicate::str::is_empty());
    cw(dir.path())
        .args(["search", "politie"])
        .assert()
        .success()
        .stdout("No hits for politie.\n");
}

#[test]
fn json_hits_have_offsets_into_the_transcript() {
    let dir = fixture();
    let v = json(
        dir.path(),
        &["search", "\"veilig thuis\"", "--group", "docent"],
    );
    assert_eq!(v["total"], 1);
    let h = &v["hits"][0];
    assert_eq!(h["transcript"], "D1");
    assert_eq!(h["speaker"], "R");
    assert_eq!(h["school_type"], "havo");
    let text = std::fs::read_to_string(dir.path().join("transcripts/D1.txt")).unwrap();
    let m = &h["matches"][0];
    let (s, e) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
    assert_eq!(char_slice(&text, s, e), "Veilig Thuis");
    let unit = char_slice(
        &text,
        h["start"].as_u64().unwrap(),
        h["end"].as_u64().unwrap(),
    );
    assert_eq!(
        unit,
        "Ja, een signaal: ze was bang. Toen heb ik Veilig Thuis gebeld."
    );
    assert_eq!(
        h["snippet"]["marked"],
        "Ja, een signaal: ze was bang. Toen heb ik «Veilig Thuis» gebeld."
    );
    // With diacritics before the match, offsets are still characters.
    let v = json(dir.path(), &["search", "thuis", "--school", "School A"]);
    let h = &v["hits"][0];
    let text = std::fs::read_to_string(dir.path().join("transcripts/Z1.txt")).unwrap();
    let m = &h["matches"][0];
    assert_eq!(
        char_slice(
            &text,
            m["start"].as_u64().unwrap(),
            m["end"].as_u64().unwrap()
        ),
        "Thuis"
    );
}

#[test]
fn bad_queries_and_filters_exit_2_with_a_message() {
    let dir = fixture();
    cw(dir.path())
        .args(["search", "\"veilig thuis"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "malformed query: a \" is not closed",
        ));
    cw(dir.path())
        .args(["search", "veilig AND"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("malformed query"));
    cw(dir.path())
        .args(["search", "veilig", "--group", "ouder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown group \"ouder\" (known: zorgcoördinator, docent)",
        ));
    cw(dir.path())
        .args(["search", "veilig", "--attr", "geslacht"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NAME=VALUE"));
}

#[test]
fn autocode_writes_one_batch_and_search_filters_on_it() {
    let dir = fixture();
    // Dry run: nothing written.
    cw(dir.path())
        .args([
            "--coder",
            "ann",
            "autocode",
            "\"veilig thuis\"",
            "--code",
            "veilig-thuis",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("D1 "))
        .stdout(predicate::str::contains(
            "2 passage(s) (scope match), of which 2 would be coded",
        ));
    assert!(!dir.path().join("codings/ann.jsonl").exists());

    let v = json(
        dir.path(),
        &[
            "--coder",
            "ann",
            "autocode",
            "\"veilig thuis\"",
            "--code",
            "Contact Veilig Thuis",
            "--scope",
            "sentence",
        ],
    );
    assert_eq!(
        (v["added"].as_u64(), v["hits"].as_u64()),
        (Some(2), Some(2))
    );
    let journal = std::fs::read_to_string(dir.path().join("codings/ann.jsonl")).unwrap();
    let lines: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["batch"], lines[1]["batch"], "one action");
    assert!(lines[0]["batch"].is_u64());
    let z1 = std::fs::read_to_string(dir.path().join("transcripts/Z1.txt")).unwrap();
    let z = lines.iter().find(|l| l["transcript"] == "Z1").unwrap();
    let (s, e) = (z["start"].as_u64().unwrap(), z["end"].as_u64().unwrap());
    assert_eq!(
        char_slice(&z1, s, e),
        "Eén keer per week belt de coördinator Veilig Thuis."
    );
    assert_eq!(
        z["text"],
        "Eén keer per week belt de coördinator Veilig Thuis."
    );

    // Running it again adds nothing.
    let v = json(
        dir.path(),
        &[
            "--coder",
            "ann",
            "autocode",
            "\"veilig thuis\"",
            "--code",
            "veilig-thuis",
        ],
    );
    assert_eq!(
        (v["added"].as_u64(), v["already_coded"].as_u64()),
        (Some(0), Some(2))
    );

    // The index follows the codings: filters by code and coder.
    let total = |args: &[&str]| json(dir.path(), args)["total"].as_u64().unwrap();
    assert_eq!(total(&["search", "", "--code", "veilig-thuis"]), 2);
    assert_eq!(
        total(&["--coder", "ann", "search", "", "--code", "veilig-thuis"]),
        2
    );
    // A coder without codings is no filter: an error naming the coders there are.
    cw(dir.path())
        .args(["--coder", "bob", "search", "", "--code", "veilig-thuis"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown coder \"bob\" (known: ann)",
        ));
    assert_eq!(total(&["search", "signaal", "--uncoded"]), 1);
    assert_eq!(
        total(&["search", "signaal", "--code", "veilig-thuis", "--uncoded"]),
        1
    );
    assert_eq!(total(&["search", "", "--uncoded"]), 2);

    // Unknown code: exit 2, nothing written.
    cw(dir.path())
        .args(["--coder", "ann", "autocode", "bang", "--code", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown code \"nope\""));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("codings/ann.jsonl")).unwrap(),
        journal
    );
}

#[test]
fn deleted_or_corrupt_index_is_rebuilt_with_a_message() {
    let dir = fixture();
    cw(dir.path()).args(["search", "bang"]).assert().success();
    let idx = dir.path().join(".codewerk/index");
    std::fs::write(idx.join("meta.json"), "garbage").unwrap();
    cw(dir.path())
        .args(["search", "bang"])
        .assert()
        .success()
        .stdout(predicate::str::contains("«bang»"))
        .stderr(predicate::str::contains("search index is corrupt"));
    std::fs::remove_dir_all(&idx).unwrap();
    cw(dir.path())
        .args(["search", "bang"])
        .assert()
        .success()
        .stdout(predicate::str::contains("«bang»"))
        .stderr(predicate::str::contains("did not exist yet"));
    // A transcript edited: only it is re-indexed.
    let d1 = dir.path().join("transcripts/D1.txt");
    let text = std::fs::read_to_string(&d1)
        .unwrap()
        .replace("bang", "erg bang");
    std::fs::write(&d1, text).unwrap();
    cw(dir.path())
        .args(["search", "erg"])
        .assert()
        .success()
        .stdout(predicate::str::contains("«erg» bang"))
        .stderr(predicate::str::contains("1 transcript(s) re-indexed"));
}

#[test]
fn bench_corpus_writes_a_searchable_project() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    Command::cargo_bin("codewerk")
        .unwrap()
        .args(["bench-corpus"])
        .arg(&corpus)
        .args(["--transcripts", "4", "--words", "200"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote 4 transcripts"));
    let v = json(&corpus, &["search", "meldcode OR signalen", "--limit", "0"]);
    assert!(v["total"].as_u64().unwrap() > 0);
}

/// Add a respondent and transcript to the fixture.
fn add_transcript(dir: &Path, row: &str, id: &str, text: &str) {
    let csv = dir.join("transcripts/respondents.csv");
    let rows = std::fs::read_to_string(&csv).unwrap() + row + "\n";
    std::fs::write(&csv, rows).unwrap();
    std::fs::write(dir.join(format!("transcripts/{id}.txt")), text).unwrap();
}

#[test]
fn dutch_apostrophes_long_words_and_empty_parts() {
    let dir = fixture();
    add_transcript(
        dir.path(),
        "D2,D2.txt,docent,School B,havo",
        "D2",
        "I: En de collega's?\n\nR: Zo'n collega belt 's avonds de arbeidsongeschiktheidsverzekeringsmaatschappijen.\n",
    );
    for (query, marked) in [
        ("collega's", "«collega's»"),
        ("zo'n", "«Zo'n»"),
        ("'s avonds", "«'s avonds»"),
        (
            "arbeidsongeschiktheidsverzekeringsmaatschappijen",
            "«arbeidsongeschiktheidsverzekeringsmaatschappijen»",
        ),
    ] {
        cw(dir.path())
            .args(["search", query])
            .assert()
            .success()
            .stdout(predicate::str::contains(marked));
    }
    // No searchable word: no hits (not every turn), and a note why.
    for query in ["?", "\\\"", &"lang".repeat(30)] {
        let out = cw(dir.path())
            .args(["search", query, "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{query}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["total"], 0, "{query}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("matches nothing"),
            "{query}"
        );
    }
    // A huge --limit is no huge allocation.
    let v = json(dir.path(), &["search", "", "--limit", "1000000000"]);
    assert_eq!(v["total"], 6);
    assert_eq!(v["hits"].as_array().unwrap().len(), 6);
}

#[test]
fn implicit_and_has_the_precedence_of_and() {
    let dir = fixture();
    let total = |q: &str| json(dir.path(), &["search", q, "--limit", "0"])["total"].clone();
    // signaal: Z1 R, D1 I, D1 R; bang: D1 R; coördinator: Z1 I, Z1 R.
    assert_eq!(total("signaal bang OR coördinator"), 3);
    assert_eq!(total("coördinator OR signaal bang"), 3);
    assert_eq!(total("(signaal AND bang) OR coördinator"), 3);
    assert_eq!(total("signaal"), 3);
    assert_eq!(total("signaal bang"), 1);
}

#[test]
fn autocode_leaves_interviewer_turns_out_unless_asked() {
    let dir = fixture();
    // signaal: Z1 R, D1 R, and the interviewer's question in D1.
    cw(dir.path())
        .args([
            "--coder",
            "ann",
            "autocode",
            "signaal",
            "--code",
            "signaal",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ann: 2 respondent turn(s) match signaal: 2 passage(s) (scope match), of which 2 would \
             be coded with signaal and 0 are already coded",
        ))
        .stdout(predicate::str::contains(
            "1 interviewer turn(s) that match left out (--include-interviewer to code them too)",
        ));
    let v = json(
        dir.path(),
        &["--coder", "ann", "autocode", "signaal", "--code", "signaal"],
    );
    assert_eq!(
        (
            v["hits"].as_u64(),
            v["interviewer_hits"].as_u64(),
            v["added"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );
    let journal = std::fs::read_to_string(dir.path().join("codings/ann.jsonl")).unwrap();
    assert!(!journal.contains("Merkt u"), "{journal}");
    let v = json(
        dir.path(),
        &[
            "--coder",
            "ann",
            "autocode",
            "signaal",
            "--code",
            "signaal",
            "--include-interviewer",
        ],
    );
    assert_eq!(
        (
            v["hits"].as_u64(),
            v["interviewer_hits"].as_u64(),
            v["added"].as_u64()
        ),
        (Some(3), Some(0), Some(1))
    );
    let journal = std::fs::read_to_string(dir.path().join("codings/ann.jsonl")).unwrap();
    assert!(journal.contains("signalen"), "{journal}");
}

#[test]
fn filters_are_checked_like_export_does() {
    let dir = fixture();
    std::fs::write(
        dir.path().join("project.json"),
        r#"{"groups": [{"id": "docent", "plural": "docenten"}, {"id": "zorgcoördinator", "plural": "zorgcoördinatoren"}], "school_types": ["vmbo", "havo"]}"#,
    )
    .unwrap();
    let total = |args: &[&str]| {
        let mut all = vec!["search", "signaal", "--limit", "0"];
        all.extend_from_slice(args);
        json(dir.path(), &all)["total"].as_u64().unwrap()
    };
    assert_eq!(total(&["--group", "docent"]), 2);
    assert_eq!(total(&["--group", "docenten"]), 2);
    assert_eq!(total(&["--group", "Zorgcoordinatoren"]), 1);
    assert_eq!(total(&["--school-type", "VMBO"]), 1);
    assert_eq!(total(&["--speaker", "r"]), 2);
    for (args, says) in [
        (
            &["--coder", "nobody", "search", "", "--uncoded"][..],
            "unknown coder \"nobody\" (known: none",
        ),
        (
            &["search", "", "--speaker", "X"][..],
            "unknown speaker label \"X\" (known: I, R)",
        ),
        (
            &["search", "", "--attr", "leeftijd=40"][..],
            "unknown attribute \"leeftijd\" (known: none)",
        ),
        (
            &[
                "--coder", "ann", "autocode", "signaal", "--code", "signaal", "--group", "ouders",
            ][..],
            "unknown group \"ouders\" (known: docent, zorgcoördinator)",
        ),
    ] {
        cw(dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert!(!dir.path().join("codings/ann.jsonl").exists());
}

/// Every file of the project a minute older: stamps of files written just before a load are not
/// trusted (they may have changed while read), so a fresh fixture never takes the fast path.
fn age(path: &Path) {
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap() {
            age(&e.unwrap().path());
        }
    } else {
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(old).unwrap();
    }
}

#[test]
fn a_search_from_the_index_alone_answers_the_same_and_sees_every_change() {
    let dir = fixture();
    let d = dir.path();
    age(d);
    let all = ["search", "signaal OR coördinator", "--limit", "0"];
    let first = json(d, &all);
    assert!(
        d.join(".codewerk/index/codewerk-sources.bin").exists(),
        "stamps remembered"
    );
    // Answered without loading the project: the same hits, filters and errors.
    assert_eq!(json(d, &all), first);
    let docent = json(
        d,
        &["search", "signaal", "--group", "Docent", "--speaker", "r"],
    );
    assert_eq!(docent["total"], 1);
    cw(d)
        .args(["--coder", "nobody", "search", "signaal"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown coder \"nobody\""));
    cw(d)
        .args(["search", "signaal", "--speaker", "X"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("known: I, R"));

    // A transcript edited (a minute old again, as if long ago): its new text is found.
    let t = d.join("transcripts/D1.txt");
    let text = std::fs::read_to_string(&t).unwrap() + "\nR: Een zeldzaamheidje.\n";
    std::fs::write(&t, text).unwrap();
    age(&t);
    for _ in 0..2 {
        assert_eq!(json(d, &["search", "zeldzaamheidje"])["total"], 1);
    }
    // A new journal: its codings filter the search at once.
    let coded = ["--coder", "ann", "search", "signaal", "--code", "signaal"];
    cw(d).args(coded).assert().code(2); // no coder ann yet
    cw(d)
        .args(["--coder", "ann", "autocode", "signaal", "--code", "signaal"])
        .assert()
        .success();
    age(&d.join("codings"));
    for _ in 0..2 {
        assert_eq!(json(d, &coded)["total"], 2);
    }
}

#[test]
fn all_hits_as_json_are_streamed_in_transcript_order_and_are_the_ranked_hits() {
    let dir = fixture();
    let key = |h: &Value| {
        (
            h["transcript"].as_str().unwrap().to_string(),
            h["start"].as_u64().unwrap(),
        )
    };
    for extra in [&[][..], &["--group", "docent"][..]] {
        let args = |limit: &'static str| {
            let mut a = vec!["search", "signaal OR coördinator", "--limit", limit];
            a.extend_from_slice(extra);
            a
        };
        let all = json(dir.path(), &args("0"));
        let ranked = json(dir.path(), &args("1000"));
        assert_eq!(all["total"], ranked["total"]);
        let hits = all["hits"].as_array().unwrap();
        assert!(!hits.is_empty());
        assert_eq!(hits.len() as u64, all["total"].as_u64().unwrap());
        let keys: Vec<_> = hits.iter().map(key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "in transcript order");
        let mut by_place = ranked["hits"].as_array().unwrap().clone();
        by_place.sort_by_key(key);
        assert_eq!(hits, &by_place, "the same hits, snippets and scores");
    }
    let none = json(dir.path(), &["search", "zzzonbekend", "--limit", "0"]);
    assert_eq!(none["total"], 0);
    assert_eq!(none["hits"], serde_json::json!([]));
}

/// The dry run's summary adds up: turns that match, passages they hold (a turn can hold
/// several matches), and of those the ones to code and the ones already coded.
#[test]
fn autocode_counts_turns_and_passages_apart_so_that_they_add_up() {
    let dir = common::demo();
    let out = common::stdout_of(cw(dir.path()).args([
        "--coder",
        "student",
        "autocode",
        "\"Veilig Thuis\"",
        "--code",
        "veilig-thuis",
        "--dry-run",
    ]));
    let out = String::from_utf8(out).unwrap();
    let line = out.lines().find(|l| l.starts_with("student: ")).unwrap();
    let number_before = |s: &str| -> usize {
        let at = line.find(s).unwrap_or_else(|| panic!("{s:?} in {line}"));
        line[..at]
            .split_whitespace()
            .last()
            .unwrap()
            .parse()
            .unwrap()
    };
    let turns = number_before(" respondent turn(s) match");
    let passages = number_before(" passage(s) (scope match)");
    let to_code = number_before(" would be coded");
    let already = number_before(" are already coded");
    assert_eq!(passages, to_code + already, "{line}");
    let listed = out.lines().filter(|l| l.contains("  Veilig Thuis")).count();
    assert_eq!(listed, to_code, "{out}");
    // The demo has turns with the phrase twice: the case that did not add up.
    assert!(passages > turns, "{line}");
}

#[test]
fn coding_never_makes_the_index_stale_and_a_code_filter_sees_it_at_once() {
    let dir = fixture();
    let d = dir.path();
    age(d);
    assert_eq!(json(d, &["search", "signaal"])["total"], 3);
    let by_code = ["search", "", "--code", "signaal"];
    let coded = |d: &Path| {
        let out = cw(d).args(by_code).arg("--json").output().unwrap();
        assert!(out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        // Nothing in the index is about codings: nothing to re-index after coding.
        assert!(!stderr.contains("re-indexed"), "{stderr}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["total"].as_u64().unwrap()
    };
    assert_eq!(coded(d), 0);
    cw(d)
        .args(["--coder", "ann", "autocode", "signaal", "--code", "signaal"])
        .assert()
        .success()
        .stderr(predicate::str::contains("re-indexed").not());
    // The journal just written: the project is loaded, and its codings filter.
    assert_eq!(coded(d), 2);
    // Long ago (its stamp trusted): the codings remembered with the stamps filter the same.
    age(&d.join("codings"));
    assert_eq!(coded(d), 2);
    assert_eq!(coded(d), 2);
    assert_eq!(
        json(d, &["--coder", "ann", "search", "signaal", "--uncoded"])["total"],
        1,
        "the interviewer's question"
    );
    // Un-coded (the journal emptied, as long ago): never the remembered codings.
    std::fs::write(d.join("codings/ann.jsonl"), "").unwrap();
    age(&d.join("codings"));
    assert_eq!(coded(d), 0);
    assert_eq!(coded(d), 0);
    assert_eq!(json(d, &["search", "signaal", "--uncoded"])["total"], 3);
}
