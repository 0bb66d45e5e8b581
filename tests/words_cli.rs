#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exploring the words on the real binary, on a copy of the demo project: compounds in search,
//! respondent-first ranking, `kwic`, `words`, memo search and "this match not coded".

mod common;

use common::{codewerk, demo, json_of};
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// One demo copy shared by the read-only tests, so its index is built once.
fn shared_demo() -> &'static Path {
    static DEMO: OnceLock<tempfile::TempDir> = OnceLock::new();
    DEMO.get_or_init(demo).path()
}

fn run_json(dir: &Path, args: &[&str]) -> Value {
    json_of(codewerk(dir).args(args))
}

fn matched_words(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| {
            let marked = h["snippet"]["marked"].as_str().unwrap().to_string();
            marked
                .split('«')
                .skip(1)
                .map(|s| s.split('»').next().unwrap().to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_part_finds_the_compound_in_the_demo() {
    let d = shared_demo();
    let v = run_json(d, &["search", "coördinator", "--limit", "0", "--json"]);
    // 229 occurrences of zorgcoördinator(en) in 200 turns; the word never stands alone.
    assert_eq!(v["total"], 200);
    assert_eq!(matched_words(&v), ["zorgcoördinator", "zorgcoördinatoren"]);
    let v = run_json(d, &["search", "mishandeling", "--limit", "0", "--json"]);
    let words = matched_words(&v);
    assert!(
        words.contains(&"kindermishandeling".to_string()),
        "{words:?}"
    );
    assert!(words.contains(&"mishandeling".to_string()));
    // A phrase and the whole compound find exactly that.
    let v = run_json(d, &["search", "\"coördinator\"", "--json"]);
    assert_eq!(v["total"], 0);
    let v = run_json(
        d,
        &["search", "kindermishandeling", "--limit", "0", "--json"],
    );
    assert_eq!(matched_words(&v), ["kindermishandeling"]);
}

#[test]
fn respondent_turns_first_unless_ranked_by_score() {
    let d = shared_demo();
    let speakers = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["search", "mishandeling", "--group", "docent", "--json"];
        args.extend_from_slice(extra);
        let v = run_json(d, &args);
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["speaker"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let first = speakers(&["--limit", "5"]);
    assert_eq!(first, ["R"; 5], "default: respondent turns first");
    let by_score = speakers(&["--limit", "5", "--rank", "score"]);
    assert!(by_score.iter().any(|s| s == "I"), "{by_score:?}");
    // All hits ranked: the interviewer's come after every respondent turn. (`--limit 0
    // --json` streams them in transcript order instead.)
    let all = speakers(&["--limit", "100000"]);
    let first_i = all.iter().position(|s| s == "I").unwrap();
    assert!(all[first_i..].iter().all(|s| s == "I"), "{all:?}");
    // --speaker still filters.
    assert!(speakers(&["--speaker", "I"]).iter().all(|s| s == "I"));
}

fn char_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

fn transcript_text(d: &Path, id: &str) -> String {
    std::fs::read_to_string(d.join(format!("transcripts/{id}.txt"))).unwrap()
}

#[test]
fn kwic_lines_are_the_occurrences_with_their_context() {
    let d = shared_demo();
    let v = run_json(d, &["kwic", "mishandeling", "--width", "4", "--json"]);
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(v["total"].as_u64().unwrap() as usize, lines.len());
    assert!(lines.len() > 30, "{}", lines.len());
    let mut texts = std::collections::HashMap::new();
    for l in lines {
        let id = l["transcript"].as_str().unwrap();
        let text = texts
            .entry(id.to_string())
            .or_insert_with(|| transcript_text(d, id));
        let (s, e) = (
            l["start"].as_u64().unwrap() as usize,
            l["end"].as_u64().unwrap() as usize,
        );
        // The keyword is the transcript's text at its offsets, the context the words around it.
        assert_eq!(char_slice(text, s, e), l["keyword"].as_str().unwrap());
        assert!(
            l["keyword"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("mishandel")
        );
        let left = l["left"].as_str().unwrap();
        assert!(left.split(' ').count() <= 4);
        let before: String = char_slice(text, 0, s);
        assert!(before.trim_end().ends_with(left), "{left:?}");
        assert_eq!(l["speaker"], "R", "respondent turns only by default");
        assert!(l["group"].is_string());
    }
    // Interviewer turns when asked; they were counted as left out.
    let all = run_json(
        d,
        &["kwic", "mishandeling", "--include-interviewer", "--json"],
    );
    assert_eq!(
        all["lines"].as_array().unwrap().len(),
        lines.len() + v["interviewer_lines"].as_u64().unwrap() as usize
    );
    assert!(v["interviewer_lines"].as_u64().unwrap() > 0);
}

#[test]
fn kwic_sorts_by_left_or_right_context() {
    let d = shared_demo();
    let fold = |s: &str| -> String {
        codewerk::core::text::fold_accents(&s.to_lowercase())
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect::<String>()
    };
    let v = run_json(d, &["kwic", "meldcode", "--sort", "right", "--json"]);
    let rights: Vec<String> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| fold(l["right"].as_str().unwrap()))
        .filter(|r| !r.trim().is_empty())
        .map(|r| r.split_whitespace().next().unwrap().to_string())
        .collect();
    let mut sorted = rights.clone();
    sorted.sort();
    assert_eq!(rights, sorted);
    let v = run_json(d, &["kwic", "meldcode", "--sort", "left", "--json"]);
    let lefts: Vec<String> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| fold(l["left"].as_str().unwrap()))
        .filter(|r| !r.trim().is_empty())
        .map(|r| r.split_whitespace().last().unwrap().to_string())
        .collect();
    let mut sorted = lefts.clone();
    sorted.sort();
    assert_eq!(lefts, sorted);
}

#[test]
fn kwic_text_is_aligned_and_csv_has_a_header() {
    let d = shared_demo();
    let out = codewerk(d)
        .args(["kwic", "meldcode", "--group", "docenten", "--limit", "5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[5].contains("of") && lines[5].contains("occurrences shown"));
    // Every keyword starts in the same column.
    let cols: Vec<usize> = lines[..5]
        .iter()
        .map(|l| l.chars().position(|c| c == '[').unwrap())
        .collect();
    assert!(cols.iter().all(|&c| c == cols[0]), "{text}");
    assert!(lines[..5].iter().all(|l| l.contains(" docent ")));
    let out = codewerk(d)
        .args(["kwic", "meldcode", "--csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with(
        "transcript,respondent,group,school,school_type,speaker,start,end,left,keyword,right\n"
    ));
    // A bad sort is refused by clap, a bad query with exit 2.
    codewerk(d)
        .args(["kwic", "meldcode", "--sort", "middle"])
        .assert()
        .failure();
    codewerk(d).args(["kwic", "\"meldcode"]).assert().code(2);
}

#[test]
fn words_per_group_with_the_share_of_respondents() {
    let d = shared_demo();
    let v = run_json(d, &["words", "--top", "0", "--format", "json"]);
    let parts = v["parts"].as_array().unwrap();
    assert_eq!(parts[0]["label"], "docenten");
    assert_eq!(parts[0]["respondents"], 27);
    let words = v["words"].as_array().unwrap();
    let find = |w: &str| words.iter().find(|r| r["key"] == w).unwrap().clone();
    // Recount "meldcode" (as a whole word) in the respondent turns by hand.
    let mut expected = 0;
    let mut docenten = std::collections::HashSet::new();
    for e in std::fs::read_dir(d.join("transcripts")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for para in text.split('\n') {
            if para.starts_with("I:") {
                continue;
            }
            let n = para
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.to_lowercase() == "meldcode")
                .count();
            expected += n;
            let id = path.file_stem().unwrap().to_str().unwrap().to_string();
            if n > 0 && id.contains("-D") {
                docenten.insert(id);
            }
        }
    }
    let m = find("meldcode");
    assert_eq!(m["count"].as_u64().unwrap() as usize, expected);
    assert_eq!(
        m["parts"][0]["respondents"].as_u64().unwrap() as usize,
        docenten.len()
    );
    // Stop words are out, accents kept in the shown form.
    assert!(words.iter().all(|r| r["key"] != "de" && r["key"] != "ja"));
    assert_eq!(find("zorgcoordinator")["word"], "zorgcoördinator");
    // Interviewer turns only when asked: more "meldcode" then.
    let all = run_json(
        d,
        &[
            "words",
            "--top",
            "0",
            "--format",
            "json",
            "--include-interviewer",
        ],
    );
    let all_m = all["words"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "meldcode")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(all_m > m["count"].as_u64().unwrap());
    // Stems: signaal and signalen as one.
    let stems = run_json(d, &["words", "--stems", "--top", "0", "--format", "json"]);
    let signal = stems["words"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "signal")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    let count_of = |w: &str| {
        words
            .iter()
            .find(|r| r["key"] == w)
            .map_or(0, |r| r["count"].as_u64().unwrap())
    };
    assert!(signal >= count_of("signaal") + count_of("signalen"));
    // Minimum length.
    let long = run_json(d, &["words", "--min-length", "12", "--format", "json"]);
    assert!(
        long["words"].as_array().unwrap().iter().all(|r| r["key"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            >= 12)
    );
}

#[test]
fn words_text_csv_xlsx_and_errors() {
    let d = shared_demo();
    let out = codewerk(d).args(["words", "--top", "3"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("docenten (27)"), "{text}");
    assert!(text.contains("of 3088 words shown") || text.contains("words shown"));
    let out = codewerk(d)
        .args([
            "words",
            "--by",
            "school_type",
            "--format",
            "csv",
            "--top",
            "2",
        ])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("word,counted_as,count,respondents,praktijk count,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3);
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("w.xlsx");
    codewerk(d)
        .args(["words", "--format", "xlsx", "--out"])
        .arg(&xlsx)
        .assert()
        .success();
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    // Never overwritten.
    codewerk(d)
        .args(["words", "--format", "xlsx", "--out"])
        .arg(&xlsx)
        .assert()
        .failure();
    codewerk(d)
        .args(["words", "--format", "xlsx"])
        .assert()
        .code(2);
    let out = codewerk(d)
        .args(["words", "--by", "shoe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown column \"shoe\"") && err.contains("school_type"),
        "{err}"
    );
    let out = codewerk(d)
        .args(["words", "--compare", "ouders"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("docent"));
}

#[test]
fn words_compare_names_a_measure_and_finds_a_groups_words() {
    let d = shared_demo();
    let v = run_json(
        d,
        &[
            "words",
            "--compare",
            "zorgcoördinatoren",
            "--format",
            "json",
            "--top",
            "10",
        ],
    );
    assert_eq!(v["measure"], "log-likelihood G2, log ratio");
    let rows = v["words"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    for r in rows {
        assert!(r["log_ratio"].as_f64().unwrap() > 0.0);
        assert_eq!(r["of"], 9);
    }
    let g2: Vec<f64> = rows.iter().map(|r| r["g2"].as_f64().unwrap()).collect();
    assert!(g2.windows(2).all(|p| p[0] >= p[1]));
    // Text names the measure.
    let out = codewerk(d)
        .args(["words", "--compare", "docent", "--top", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("log-likelihood G²") && text.contains("of 27 docenten"),
        "{text}"
    );
}

#[test]
fn the_stop_word_list_is_the_projects_to_edit() {
    let d = demo();
    codewerk(d.path())
        .args(["words", "--init-stopwords"])
        .assert()
        .success();
    let path = d.path().join("codebook/stopwords.txt");
    let list = std::fs::read_to_string(&path).unwrap();
    assert!(list.lines().any(|l| l == "de"));
    // Written once: a second time refuses.
    codewerk(d.path())
        .args(["words", "--init-stopwords"])
        .assert()
        .failure();
    let top = |d: &Path| -> Vec<String> {
        let v = run_json(d, &["words", "--top", "5", "--format", "json"]);
        v["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap().to_string())
            .collect()
    };
    let before = top(d.path());
    std::fs::write(&path, format!("{list}\n{}\n", before[0])).unwrap();
    let after = top(d.path());
    assert!(!after.contains(&before[0]));
    assert_eq!(after[0], before[1]);
    // A broken list names the file and line.
    std::fs::write(&path, b"de\nhet\n\xff\n").unwrap();
    let out = codewerk(d.path()).args(["words"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("stopwords.txt:3")
    );
}

#[test]
fn this_match_not_coded_keeps_turns_with_an_uncoded_mention() {
    let d = shared_demo();
    let total = |extra: &[&str]| -> u64 {
        let mut args = vec!["--coder", "student", "search", "meldcode", "--json"];
        args.extend_from_slice(extra);
        run_json(d, &args)["total"].as_u64().unwrap()
    };
    let turns_uncoded = total(&["--uncoded"]);
    let matches_uncoded = total(&["--uncoded-matches"]);
    let all = run_json(d, &["search", "meldcode", "--json"])["total"]
        .as_u64()
        .unwrap();
    assert!(
        turns_uncoded < matches_uncoded,
        "{turns_uncoded} {matches_uncoded}"
    );
    assert!(matches_uncoded < all);
    // Of one code only: more is left to do.
    assert!(total(&["--uncoded-matches", "--code", "meldcode"]) >= matches_uncoded);
    codewerk(d)
        .args(["search", "meldcode", "--uncoded-matches", "--uncoded"])
        .assert()
        .failure();
}

#[test]
fn memos_are_searched_from_the_cli() {
    let d = shared_demo();
    let v = run_json(
        d,
        &[
            "search",
            "--memos",
            "terugkoppeling",
            "--limit",
            "0",
            "--json",
        ],
    );
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert_eq!(h["kind"], "passage");
        assert!(
            h["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("terugkoppeling")
        );
        assert!(h["transcript"].is_string() && h["start"].is_u64());
    }
    let student = run_json(
        d,
        &[
            "--coder",
            "student",
            "search",
            "--memos",
            "terugkoppeling",
            "--limit",
            "0",
            "--json",
        ],
    );
    assert!(student["total"].as_u64().unwrap() < v["total"].as_u64().unwrap());
    assert!(
        student["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["coder"] == "student")
    );
    let out = codewerk(d)
        .args(["search", "--memos", "x", "--group", "docent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Transcript memos and logbook entries are searched with the passage and code memos, and
/// say what they are about.
#[test]
fn transcript_memos_and_the_logbook_are_searched_too() {
    let d = demo();
    for args in [
        &[
            "memo",
            "add",
            "--transcript",
            "A-D1",
            "Respondent leek zenuwachtig over privacy",
        ][..],
        &[
            "memo",
            "add",
            "--log",
            "--date",
            "2026-11-30",
            "Besproken: privacywetgeving en AVG",
        ][..],
    ] {
        codewerk(d.path())
            .args(["--coder", "student"])
            .args(args)
            .assert()
            .success();
    }
    let v = run_json(
        d.path(),
        &["search", "--memos", "privacy*", "--limit", "0", "--json"],
    );
    let kinds: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"transcript"), "{kinds:?}");
    assert!(kinds.contains(&"logbook"), "{kinds:?}");
    let hits = v["hits"].as_array().unwrap();
    let t = hits.iter().find(|h| h["kind"] == "transcript").unwrap();
    assert_eq!(t["transcript"], "A-D1");
    let l = hits.iter().find(|h| h["kind"] == "logbook").unwrap();
    assert_eq!(l["date"], "2026-11-30");
    // With a code asked for, memos on no code are left out.
    let on_code = run_json(
        d.path(),
        &[
            "search", "--memos", "privacy*", "--code", "meldcode", "--json",
        ],
    );
    assert!(
        on_code["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["kind"] == "passage" || h["kind"] == "code")
    );
    let text = codewerk(d.path())
        .args(["search", "--memos", "privacy*"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("transcript memo on A-D1"), "{text}");
    assert!(text.contains("logbook 2026-11-30"), "{text}");
}

/// The group is named as project.json names it, however the user spelled it.
#[test]
fn words_compare_names_the_group_by_its_own_name() {
    let out = codewerk(shared_demo())
        .args(["words", "--compare", "zorgcoordinatoren", "--top", "3"])
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.starts_with("Words zorgcoördinatoren use more"), "{out}");
    assert!(out.contains(" of 9 zorgcoördinatoren\n"), "{out}");
    assert!(!out.contains("zorgcoordinatoren"), "{out}");
}
