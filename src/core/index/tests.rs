//! Index and search tests on small fixture projects.

use super::*;
use crate::core::coding::{Anchor, Coding, Journal, Op};
use crate::core::index::highlight::make_snippet;
use std::ops::Range;
use std::path::Path;

const CODEBOOK: &str = r##"{
  "deelvragen": [{"number": 1, "title": "Signaleren", "question": "?"}],
  "codes": [
    {"id": "niet-pluis", "name": "Niet pluis gevoel", "deelvraag": 1, "colour_name": "geel", "colour": "#FFE135"},
    {"id": "meldcode", "name": "Meldcode", "deelvraag": 1, "colour_name": "blauw", "colour": "#3366FF"}
  ]
}"##;

const A: &str = "I: Wie is bij u de zorgcoördinator?\n\nR: Dat is de coördinator van het zorgteam. Zij bespreekt alle signalen met Veilig Thuis.\n\nI: En de meldcode?\n\nR: De meldcode gebruiken we eigenlijk nooit. Wel bij een vermoeden.\n";
const B: &str = "I: Merkt u wel eens iets?\n\nR: Ja, een signaal van een leerling: blauwe plekken. Dan bel ik Veilig Thuis.\n\nR: Thuis is het niet veilig, zei ze.\n";
const C: &str = "I: Heeft u scholing gehad?\n\nR: Nee. Geen training over kindermishandeling, niets over de meldcodes.\n";

fn fixture(dir: &Path) {
    std::fs::create_dir_all(dir.join("codebook")).unwrap();
    std::fs::create_dir_all(dir.join("transcripts")).unwrap();
    std::fs::write(dir.join("codebook/codebook.json"), CODEBOOK).unwrap();
    std::fs::write(
        dir.join("project.json"),
        r#"{"groups": [{"id": "docent"}, {"id": "zorgcoördinator"}], "school_types": ["vmbo", "havo-vwo"]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("transcripts/respondents.csv"),
        "id,file,group,school,school_type,geslacht\nA,A.txt,zorgcoördinator,School A,vmbo,v\nB,B.txt,docent,School A,vmbo,m\nC,C.txt,docent,School B,havo-vwo,v\n",
    )
    .unwrap();
    for (id, text) in [("A", A), ("B", B), ("C", C)] {
        std::fs::write(dir.join(format!("transcripts/{id}.txt")), text).unwrap();
    }
}

fn load(dir: &Path) -> Project {
    let p = Project::load(dir).unwrap();
    assert!(!p.has_errors(), "{:?}", p.problems);
    p
}

fn open(p: &Project) -> (Index, IndexReport) {
    Index::open(p, &mut |_| {}).unwrap()
}

fn q(text: &str) -> Query {
    Query {
        text: text.into(),
        limit: 50,
        ..Default::default()
    }
}

/// (transcript, matched text) of every match of every hit, sorted.
fn found(p: &Project, ix: &Index, query: &Query) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for h in search(p, ix, query).unwrap() {
        let t = p.transcript(&h.transcript).unwrap();
        for m in &h.matches {
            out.push((h.transcript.clone(), t.slice(m.start, m.end).to_string()));
        }
        if h.matches.is_empty() {
            out.push((h.transcript.clone(), String::new()));
        }
    }
    out.sort();
    out
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_part_finds_the_compound() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    assert_eq!(
        found(&p, &ix, &q("mishandeling")),
        pairs(&[("C", "kindermishandeling")])
    );
    assert!(found(&p, &ix, &q("\"mishandeling\"")).is_empty());
    // `team` and `zorg` (parts of zorgteam) with stemming of the part: `teams`.
    assert_eq!(found(&p, &ix, &q("teams")), pairs(&[("A", "zorgteam")]));
    // Only whole parts: `kind` is one, `mis` is too short to be.
    assert_eq!(
        found(&p, &ix, &q("kind")),
        pairs(&[("C", "kindermishandeling")])
    );
    assert!(found(&p, &ix, &q("mis")).is_empty());
    // In a phrase a compound stays one word.
    assert!(found(&p, &ix, &q("\"kinder mishandeling\"")).is_empty());
    // The same after an incremental update: the index's own words split the new text.
    std::fs::write(
        dir.path().join("transcripts/B.txt"),
        "R: De zorgcoördinator belde over mishandeling.\n",
    )
    .unwrap();
    let p = load(dir.path());
    let mut ix = ix;
    let report = ix.refresh(&p, &mut |_| {}).unwrap();
    assert_eq!(report.updated, 1);
    assert_eq!(
        found(&p, &ix, &q("coördinatoren")),
        pairs(&[
            ("A", "coördinator"),
            ("A", "zorgcoördinator"),
            ("B", "zorgcoördinator")
        ])
    );
}

#[test]
fn stemming_and_accent_folding_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, report) = open(&p);
    assert_eq!(report.added, 3);
    assert!(report.rebuilt.is_some());
    // coordinator finds coördinator (folding), and zorgcoördinator as its part; a phrase and
    // the whole compound find exactly the word.
    assert_eq!(
        found(&p, &ix, &q("coordinator")),
        pairs(&[("A", "coördinator"), ("A", "zorgcoördinator")])
    );
    assert_eq!(
        found(&p, &ix, &q("Coördinator")),
        pairs(&[("A", "coördinator"), ("A", "zorgcoördinator")])
    );
    assert_eq!(
        found(&p, &ix, &q("\"coordinator\"")),
        pairs(&[("A", "coördinator")])
    );
    assert_eq!(
        found(&p, &ix, &q("zorgcoördinator")),
        pairs(&[("A", "zorgcoördinator")])
    );
    // signalen finds signaal and signalen (stemming).
    assert_eq!(
        found(&p, &ix, &q("signalen")),
        pairs(&[("A", "signalen"), ("B", "signaal")])
    );
    assert_eq!(
        found(&p, &ix, &q("signaal")),
        pairs(&[("A", "signalen"), ("B", "signaal")])
    );
    assert_eq!(
        found(&p, &ix, &q("meldcode")),
        pairs(&[("A", "meldcode"), ("A", "meldcode"), ("C", "meldcodes")])
    );
}

#[test]
fn phrases_are_exact_and_words_are_stemmed() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    // A quoted word is not stemmed.
    assert_eq!(
        found(&p, &ix, &q("\"signalen\"")),
        pairs(&[("A", "signalen")])
    );
    assert_eq!(
        found(&p, &ix, &q("\"meldcode\"")),
        pairs(&[("A", "meldcode"), ("A", "meldcode")])
    );
    // A phrase needs its words in order and together; the whole phrase is one match.
    assert_eq!(
        found(&p, &ix, &q("\"veilig thuis\"")),
        pairs(&[("A", "Veilig Thuis"), ("B", "Veilig Thuis")])
    );
    assert_eq!(found(&p, &ix, &q("\"thuis veilig\"")), vec![]);
    // Unquoted words: all must be in the same turn, anywhere.
    let both = found(&p, &ix, &q("thuis veilig"));
    assert!(both.contains(&("B".into(), "veilig".into())), "{both:?}");
    // Phrase prefix and word prefix (unstemmed).
    assert_eq!(
        found(&p, &ix, &q("\"veilig th\"*")),
        pairs(&[("A", "Veilig Thuis"), ("B", "Veilig Thuis")])
    );
    assert_eq!(
        found(&p, &ix, &q("meldc*")),
        pairs(&[("A", "meldcode"), ("A", "meldcode"), ("C", "meldcodes")])
    );
    assert_eq!(
        found(&p, &ix, &q("zorgco*")),
        pairs(&[("A", "zorgcoördinator")])
    );
    // A hyphenated word is a phrase of its parts.
    let hits = search(&p, &ix, &q("zorg-team")).unwrap();
    assert!(hits.is_empty());
}

#[test]
fn boolean_operators() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let ids = |text: &str| {
        let mut v: Vec<String> = search(&p, &ix, &q(text))
            .unwrap()
            .into_iter()
            .map(|h| h.transcript)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(ids("training OR blauwe"), vec!["B", "C"]);
    assert_eq!(ids("veilig AND thuis"), vec!["A", "B"]);
    assert_eq!(ids("\"veilig thuis\" NOT zorgteam"), vec!["B"]);
    assert_eq!(ids("\"veilig thuis\" -zorgteam"), vec!["B"]);
    assert_eq!(ids("(training OR zorgteam) AND meldcode*"), vec!["C"]);
    // NOT alone: every unit without the word.
    let not = search(
        &p,
        &ix,
        &Query {
            text: "NOT meldcode".into(),
            limit: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let all = search(
        &p,
        &ix,
        &Query {
            limit: 0,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(not.len() + 3, all.len());
    assert_eq!(all.len() as u64, ix.num_units());
}

#[test]
fn malformed_queries_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    for (bad, says) in [
        ("\"veilig thuis", "not closed"),
        ("(meldcode OR zorg", "( is not closed"),
        ("meldcode AND", "AND, OR and NOT"),
        ("*code", "*"),
        ("[a TO b]", "not supported"),
        ("me*ld", "only end a word"),
    ] {
        match search(&p, &ix, &q(bad)) {
            Err(SearchError::Syntax { message, .. }) => {
                assert!(message.contains(says), "{bad}: {message}");
            }
            other => panic!("{bad}: expected a syntax error, got {other:?}"),
        }
    }
    // Punctuation only, a colon, an accent: no error.
    assert!(search(&p, &ix, &q("?!")).is_ok());
    assert!(search(&p, &ix, &q("12:30")).is_ok());
    assert!(search(&p, &ix, &q("één")).is_ok());
    // Positions are in the query as typed, even where the rewrite added text.
    match search(&p, &ix, &q("zo'n veilig (thuis")) {
        Err(SearchError::Syntax { message, .. }) => {
            assert!(message.contains("( is not closed"), "{message}");
            assert!(message.contains("of `zo'n veilig (thuis`"), "{message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

/// A small project of respondent turns and interviewer turns, for the review's regressions.
const D: &str = "I: Hoe gaat het met de collega's en de meldcode?\n\nR: Met zo'n collega kan ik 's avonds bellen over de meldcode.\n\nR: De arbeidsongeschiktheidsverzekeringsmaatschappijen bellen nooit. Er is een meldcode. Wij gaan in gesprek.\n\nInterviewer 2: En in dat gesprek?\n\nInterviewee: In een lang gesprek met de ouders, ja. Ouders willen geen melding.\n\nR: De s van avonds, zonder apostrof. Gesprek in de klas.\n";

fn fixture_d(dir: &Path) {
    fixture(dir);
    std::fs::write(
        dir.join("project.json"),
        r#"{"groups": [{"id": "docent", "plural": "docenten"}, {"id": "zorgcoördinator", "plural": "zorgcoördinatoren"}], "school_types": ["vmbo", "havo-vwo"]}"#,
    )
    .unwrap();
    let csv = dir.join("transcripts/respondents.csv");
    let mut rows = std::fs::read_to_string(&csv).unwrap();
    rows += "D,D.txt,docent,School B,havo-vwo,m\n";
    std::fs::write(&csv, rows).unwrap();
    std::fs::write(dir.join("transcripts/D.txt"), D).unwrap();
}

/// The matched texts in transcript D, in order.
fn in_d(p: &Project, ix: &Index, text: &str) -> Vec<String> {
    let d = p.transcript("D").unwrap();
    let mut hits = search(p, ix, &q(text)).unwrap();
    hits.retain(|h| h.transcript == "D");
    hits.sort_by_key(|h| h.start);
    hits.iter()
        .flat_map(|h| {
            h.matches
                .iter()
                .map(|m| d.slice(m.start, m.end).to_string())
        })
        .collect()
}

#[test]
fn words_with_an_apostrophe_are_words() {
    let dir = tempfile::tempdir().unwrap();
    fixture_d(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    assert_eq!(in_d(&p, &ix, "collega's"), vec!["collega's"]);
    assert_eq!(in_d(&p, &ix, "zo'n"), vec!["zo'n"]);
    // `'s avonds` is the phrase, apostrophe included, not `s` and `avonds` anywhere.
    assert_eq!(in_d(&p, &ix, "'s avonds"), vec!["'s avonds"]);
    assert_eq!(
        in_d(&p, &ix, "('s avonds OR zo'n) meldcode"),
        vec!["zo'n", "'s avonds", "meldcode"]
    );
    assert_eq!(
        in_d(&p, &ix, "meldcode -collega's"),
        vec!["meldcode", "meldcode"]
    );
    assert_eq!(in_d(&p, &ix, "collega's*"), vec!["collega's"]);
    // In double quotes an apostrophe was always fine.
    assert_eq!(in_d(&p, &ix, "\"zo'n collega\""), vec!["zo'n collega"]);
}

#[test]
fn a_query_part_without_words_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fixture_d(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let all = ix.num_units() as usize;
    let total = |text: &str| {
        search_all(
            &p,
            &ix,
            &Query {
                text: text.into(),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let long = "x".repeat(schema::MAX_WORD_BYTES + 1);
    for nothing in ["?", "!?", "\\\"", "\"?\"", long.as_str(), "? ?", "(?)"] {
        let hits = total(nothing);
        assert_eq!(hits.total, 0, "{nothing}");
    }
    assert!(total("?").notes[0].contains("no word"));
    assert!(total(&long).notes[0].contains("longer than"));
    assert!(total("meldcode").notes.is_empty());
    // Only an empty query or `*` is everything.
    assert_eq!(total("").total, all);
    assert_eq!(total("*").total, all);
    // Parentheses nested deeper than eight are refused at once (tantivy's grammar took seconds).
    let deep = Query {
        text: format!("{}meldcode{}", "(".repeat(9), ")".repeat(9)),
        ..Default::default()
    };
    assert!(matches!(
        search_all(&p, &ix, &deep),
        Err(crate::core::index::query::SearchError::Syntax { .. })
    ));
    assert_eq!(
        total(&format!("{}meldcode{}", "(".repeat(8), ")".repeat(8))).total,
        total("meldcode").total
    );
    // A bare `*` among other parts is a wordless part (tantivy would panic on it).
    assert_eq!(total("meldcode -*").total, total("meldcode").total);
    let dangling = Query {
        text: "meldcode - *".into(),
        ..Default::default()
    };
    assert!(matches!(
        search_all(&p, &ix, &dangling),
        Err(crate::core::index::query::SearchError::Syntax { .. })
    ));
    assert_eq!(total("meldcode AND (*)").total, 0);
    assert_eq!(total("  ").total, all);
    // In an OR the empty part adds nothing, in an AND it leaves nothing.
    assert_eq!(total("meldcode OR ?").total, total("meldcode").total);
    assert_eq!(total("meldcode AND ?").total, 0);
    assert_eq!(total("meldcode -?").total, total("meldcode").total);
    // Long Dutch compounds are words.
    assert_eq!(
        in_d(&p, &ix, "arbeidsongeschiktheidsverzekeringsmaatschappijen"),
        vec!["arbeidsongeschiktheidsverzekeringsmaatschappijen"]
    );
}

#[test]
fn implicit_and_binds_like_explicit_and() {
    let dir = tempfile::tempdir().unwrap();
    fixture_d(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let units = |text: &str| {
        let mut v: Vec<(String, usize)> = search(&p, &ix, &q(text))
            .unwrap()
            .into_iter()
            .map(|h| (h.transcript, h.start))
            .collect();
        v.sort();
        v
    };
    // meldcode: A I, A R, C R, D I, D R, D R; ouders: D Interviewee; melding: D Interviewee.
    let want = units("(meldcode AND bellen) OR melding");
    assert_eq!(want.len(), 3, "{want:?}");
    assert_eq!(units("meldcode bellen OR melding"), want);
    assert_eq!(units("meldcode AND bellen OR melding"), want);
    assert_eq!(units("melding OR meldcode bellen"), want);
    assert_eq!(units("melding OR (meldcode bellen)"), want);
    assert_ne!(units("meldcode bellen OR melding"), units("meldcode"));
    // NOT and - keep their meaning next to the default AND.
    assert_eq!(units("meldcode -bellen"), units("meldcode AND NOT bellen"));
    assert_eq!(units("meldcode NOT bellen"), units("meldcode -bellen"));
    assert_eq!(units("NOT bellen meldcode"), units("meldcode -bellen"));
}

#[test]
fn the_rewrite_writes_out_the_default_and_and_escapes_apostrophes() {
    let r = |text: &str| query::rewrite(text).0;
    assert_eq!(r("a b OR c"), "a AND b OR c");
    assert_eq!(r("a  (b c)"), "a AND (b AND c)");
    assert_eq!(r("( a b )"), "( a AND b )");
    assert_eq!(r("a AND b"), "a AND b");
    assert_eq!(r("NOT a b"), "NOT a AND b");
    assert_eq!(r("a -b +c"), "a AND -b AND +c");
    assert_eq!(r("\"veilig thuis\" melden"), "\"veilig thuis\" AND melden");
    assert_eq!(r("\"in gesprek\"~2 ja"), "\"in gesprek\"~2 AND ja");
    assert_eq!(r("collega's zo'n"), "collega\\'s AND zo\\'n");
    assert_eq!(r("\"collega's\""), "\"collega's\"");
    assert_eq!(r("('s avonds* OR x)"), "(\"'s avonds\"* OR x)");
    assert_eq!(r("'s OR x"), "\\'s OR x");
    assert_eq!(r("[a TO b]"), "[a TO b]");
    assert_eq!(r("12:30 uur"), "12:30 AND uur");
    // Every byte maps to a character of the query as typed.
    let (out, map) = query::rewrite("zo'n (x");
    assert_eq!(map.len(), out.len());
    assert_eq!(map[out.find('(').unwrap()], 5);
}

#[test]
fn a_phrase_with_slop_marks_only_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    fixture_d(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    // Not the lone `in` or `gesprek`: the runs from the first to the last phrase word.
    assert_eq!(
        in_d(&p, &ix, "\"in gesprek\"~2"),
        vec![
            "in gesprek",
            "in dat gesprek",
            "In een lang gesprek",
            "Gesprek in"
        ]
    );
    assert_eq!(
        in_d(&p, &ix, "\"in gesprek\"~1"),
        vec!["in gesprek", "in dat gesprek"]
    );
    assert_eq!(in_d(&p, &ix, "\"in gesprek\""), vec!["in gesprek"]);
    // Autocoding the matches codes those runs.
    let none = crate::core::coding::CoderState::new("ann");
    let options = AutocodeOptions {
        include_interviewer: true,
        ..Default::default()
    };
    let plan =
        plan_autocode_with(&p, &ix, &q("\"in gesprek\"~1"), "meldcode", &options, &none).unwrap();
    let texts: Vec<&str> = plan.codings.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, vec!["in gesprek", "in dat gesprek"]);
}

#[test]
fn a_huge_limit_is_capped_at_the_number_of_units() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    for limit in [1_000_000_000, usize::MAX] {
        let hits = search_all(
            &p,
            &ix,
            &Query {
                limit,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(hits.hits.len() as u64, ix.num_units());
        assert_eq!(hits.total as u64, ix.num_units());
    }
}

#[test]
fn filters_are_checked_and_forgiving() {
    let dir = tempfile::tempdir().unwrap();
    fixture_d(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let ids = |query: Query| -> Result<Vec<String>, SearchError> {
        let mut v: Vec<String> = search(&p, &ix, &Query { limit: 0, ..query })?
            .into_iter()
            .map(|h| h.transcript)
            .collect();
        v.sort();
        v.dedup();
        Ok(v)
    };
    let m = || q("meldcode");
    let docent = ids(Query {
        group: Some("docent".into()),
        ..m()
    })
    .unwrap();
    assert_eq!(docent, vec!["C", "D"]);
    for g in ["docenten", "Docent", "DOCENTEN", " docent "] {
        let got = ids(Query {
            group: Some(g.into()),
            ..m()
        });
        assert_eq!(got.unwrap(), docent, "{g}");
    }
    for g in ["zorgcoordinator", "Zorgcoördinatoren", "ZORGCOORDINATOREN"] {
        let got = ids(Query {
            group: Some(g.into()),
            ..m()
        });
        assert_eq!(got.unwrap(), vec!["A"], "{g}");
    }
    for t in ["VMBO", "Havo-VWO"] {
        assert!(
            !ids(Query {
                school_type: Some(t.into()),
                ..m()
            })
            .unwrap()
            .is_empty(),
            "{t}"
        );
    }
    assert_eq!(
        ids(Query {
            school: Some("school b".into()),
            ..m()
        })
        .unwrap(),
        vec!["C", "D"]
    );
    // Speaker labels: case ignored; unknown ones are errors listing the labels.
    let speakers = |s: &str| -> Result<Vec<Option<String>>, SearchError> {
        Ok(search(
            &p,
            &ix,
            &Query {
                speaker: Some(s.into()),
                ..m()
            },
        )?
        .into_iter()
        .map(|h| h.speaker)
        .collect())
    };
    assert!(
        speakers("r")
            .unwrap()
            .iter()
            .all(|s| s.as_deref() == Some("R"))
    );
    assert_eq!(speakers("r").unwrap().len(), speakers("R").unwrap().len());
    let err = speakers("X").unwrap_err().to_string();
    assert!(
        err.contains("unknown speaker label \"X\" (known: I, R, Interviewer 2, Interviewee)"),
        "{err}"
    );
    // Attributes: unknown names and values are errors; values ignore case.
    let attr = |k: &str, v: &str| {
        ids(Query {
            attributes: vec![(k.into(), v.into())],
            ..m()
        })
    };
    assert_eq!(attr("geslacht", "M").unwrap(), vec!["D"]);
    assert_eq!(attr("Geslacht", "v").unwrap(), vec!["A", "C"]);
    let err = attr("leeftijd", "40").unwrap_err().to_string();
    assert!(
        err.contains("unknown attribute \"leeftijd\" (known: geslacht)"),
        "{err}"
    );
    let err = attr("geslacht", "x").unwrap_err().to_string();
    assert!(err.contains("(known: v, m)"), "{err}");
    // Unknown groups and school types still name the known ones.
    let err = ids(Query {
        school_type: Some("mbo".into()),
        ..m()
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("unknown school type \"mbo\" (known: vmbo, havo-vwo)"),
        "{err}"
    );
    // Coders: only those with a journal.
    let err = filter::check_coder(&p, "nobody").unwrap_err().to_string();
    assert!(
        err.contains("unknown coder \"nobody\" (known: none"),
        "{err}"
    );
}

#[test]
fn filters_by_respondent_and_codes() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    {
        let p = load(dir.path());
        let t = p.transcript("B").unwrap();
        let at = t.text().find("blauwe plekken").unwrap();
        let s = t.char_at_byte(at);
        let mut j = p.open_journal("ann").unwrap();
        let coding = |code: &str| Coding {
            id: 0,
            transcript: "B".into(),
            code: code.into(),
            start: s,
            end: s + 14,
            text: "blauwe plekken".into(),
            memo: None,
            version: None,
            anchor: Anchor::Exact,
            line: 0,
        };
        j.record(vec![Op::Add(coding("niet-pluis"))]).unwrap();
        let mut j = p.open_journal("bob").unwrap();
        j.record(vec![Op::Add(coding("meldcode"))]).unwrap();
    }
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let ids = |query: Query| {
        let mut v: Vec<String> = search(&p, &ix, &query)
            .unwrap()
            .into_iter()
            .map(|h| h.transcript)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let vt = || q("thuis");
    assert_eq!(ids(vt()), vec!["A", "B"]);
    assert_eq!(
        ids(Query {
            group: Some("docent".into()),
            ..vt()
        }),
        vec!["B"]
    );
    assert_eq!(
        ids(Query {
            group: Some("zorgcoördinator".into()),
            ..vt()
        }),
        vec!["A"]
    );
    assert_eq!(
        ids(Query {
            school_type: Some("havo-vwo".into()),
            ..q("meldcode")
        }),
        vec!["C"]
    );
    assert_eq!(
        ids(Query {
            school: Some("School B".into()),
            ..q("meldcode")
        }),
        vec!["C"]
    );
    assert_eq!(
        ids(Query {
            attributes: vec![("geslacht".into(), "m".into())],
            ..vt()
        }),
        vec!["B"]
    );
    let speakers: Vec<_> = search(
        &p,
        &ix,
        &Query {
            speaker: Some("I".into()),
            ..q("meldcode")
        },
    )
    .unwrap()
    .into_iter()
    .map(|h| h.speaker)
    .collect();
    assert_eq!(speakers, vec![Some("I".to_string())]);
    // Codes: by anyone, by a coder, uncoded.
    let coded = |code: Option<&str>, coder: Option<&str>, uncoded: bool| {
        search(
            &p,
            &ix,
            &Query {
                code: code.map(Into::into),
                coder: coder.map(Into::into),
                uncoded,
                limit: 0,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let h = coded(Some("niet-pluis"), None, false);
    assert_eq!(h.len(), 1);
    assert!(
        p.transcript("B")
            .unwrap()
            .slice(h[0].start, h[0].end)
            .contains("blauwe plekken")
    );
    assert_eq!(
        coded(Some("Niet pluis gevoel"), None, false).len(),
        1,
        "by name too"
    );
    assert_eq!(coded(Some("niet-pluis"), Some("ann"), false).len(), 1);
    assert_eq!(coded(Some("niet-pluis"), Some("bob"), false).len(), 0);
    assert_eq!(coded(None, Some("bob"), false).len(), 1);
    let all = ix.num_units() as usize;
    assert_eq!(coded(None, None, true).len(), all - 1);
    assert_eq!(coded(Some("meldcode"), Some("ann"), true).len(), all);
    // Unknown names are errors naming what exists.
    let err = search(
        &p,
        &ix,
        &Query {
            group: Some("ouder".into()),
            ..vt()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown group \"ouder\""), "{err}");
    assert!(err.to_string().contains("docent"), "{err}");
    let err = search(
        &p,
        &ix,
        &Query {
            code: Some("nope".into()),
            ..vt()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown code"), "{err}");
}

#[test]
fn hits_carry_respondent_offsets_and_snippets() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let hits = search(&p, &ix, &q("blauwe")).unwrap();
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    let t = p.transcript("B").unwrap();
    assert_eq!(
        (
            h.group.as_str(),
            h.school_type.as_str(),
            h.speaker.as_deref()
        ),
        ("docent", "vmbo", Some("R"))
    );
    assert_eq!(
        t.slice(h.start, h.end),
        "Ja, een signaal van een leerling: blauwe plekken. Dan bel ik Veilig Thuis."
    );
    assert_eq!(h.snippet.text, t.slice(h.start, h.end));
    assert_eq!(
        h.snippet.marked,
        "Ja, een signaal van een leerling: «blauwe» plekken. Dan bel ik Veilig Thuis."
    );
    let m = &h.snippet.matches[0];
    let snippet_chars: Vec<char> = h.snippet.text.chars().collect();
    assert_eq!(
        snippet_chars[m.start..m.end].iter().collect::<String>(),
        "blauwe"
    );
    assert_eq!(match_ranges(&p, &ix, "blauwe", h).unwrap(), h.matches);
    assert!(h.score > 0.0);
}

#[test]
fn long_units_get_a_window_around_the_matches() {
    let long = format!(
        "R: {} Hier staat het woord coördinator. {}",
        "aap noot mies ".repeat(40),
        "wim zus jet ".repeat(40)
    );
    let t = crate::core::transcript::Transcript::from_text("X", Path::new("x"), long);
    let turn = &t.turns()[0];
    let at = t.char_at_byte(t.text().find("coördinator").unwrap());
    let m = vec![Range {
        start: at,
        end: at + 11,
    }];
    let s = make_snippet(&t, turn.body_start, turn.end, &m, 80);
    assert!(
        s.text.starts_with('…') && s.text.ends_with('…'),
        "{}",
        s.text
    );
    assert!(s.text.chars().count() <= 80 + 2 + 30);
    assert!(s.marked.contains("«coördinator»"), "{}", s.marked);
    let chars: Vec<char> = s.text.chars().collect();
    assert_eq!(
        chars[s.matches[0].clone()].iter().collect::<String>(),
        "coördinator"
    );
    assert!(!s.text.contains("  "));
}

#[test]
fn incremental_reindex_after_a_transcript_changes() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    assert!(search(&p, &ix, &q("wijkteam")).unwrap().is_empty());
    drop(ix);
    // Nothing changed: nothing re-indexed.
    let (_, report) = open(&p);
    assert_eq!(
        report,
        IndexReport {
            units: report.units,
            ..Default::default()
        }
    );
    assert_eq!(report.message(), None);
    // One transcript edited, one removed, one added.
    std::fs::write(
        dir.path().join("transcripts/B.txt"),
        B.replace("leerling", "leerling en het wijkteam"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("transcripts/D.txt"),
        "R: Een nieuw interview over de wijkteams.\n",
    )
    .unwrap();
    let csv = std::fs::read_to_string(dir.path().join("transcripts/respondents.csv")).unwrap();
    let csv = csv.replace(
        "C,C.txt,docent,School B,havo-vwo,v\n",
        "D,D.txt,docent,School B,havo-vwo,m\n",
    );
    std::fs::write(dir.path().join("transcripts/respondents.csv"), csv).unwrap();
    std::fs::remove_file(dir.path().join("transcripts/C.txt")).unwrap();
    let p = load(dir.path());
    let (ix, report) = open(&p);
    assert_eq!(
        (
            report.rebuilt.clone(),
            report.updated,
            report.added,
            report.removed
        ),
        (None, 1, 1, 1),
        "{report:?}"
    );
    assert!(
        report
            .message()
            .unwrap()
            .contains("1 transcript(s) re-indexed")
    );
    assert_eq!(
        found(&p, &ix, &q("wijkteam")),
        pairs(&[("B", "wijkteam"), ("D", "wijkteams")])
    );
    assert!(
        search(&p, &ix, &q("kindermishandeling"))
            .unwrap()
            .is_empty(),
        "C is gone"
    );
    // Offsets after the edit are right.
    let b = p.transcript("B").unwrap();
    let h = &search(&p, &ix, &q("\"Veilig Thuis\"")).unwrap();
    let hb = h.iter().find(|h| h.transcript == "B").unwrap();
    assert_eq!(
        b.slice(hb.matches[0].start, hb.matches[0].end),
        "Veilig Thuis"
    );
    assert_eq!(ix.num_units() as usize, 4 + 3 + 1);
}

#[test]
fn the_code_filter_sees_a_coding_and_its_undo_without_a_re_index() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (mut ix, _) = open(&p);
    let coded = |p: &Project, ix: &Index| {
        search(
            p,
            ix,
            &Query {
                code: Some("meldcode".into()),
                limit: 0,
                ..Default::default()
            },
        )
        .unwrap()
        .len()
    };
    assert_eq!(coded(&p, &ix), 0);
    let t = p.transcript("C").unwrap();
    let s = t.turns()[1].body_start;
    let mut j: Journal = p.open_journal("ann").unwrap();
    let c = Coding {
        id: 0,
        transcript: "C".into(),
        code: "meldcode".into(),
        start: s,
        end: s + 4,
        text: t.slice(s, s + 4).into(),
        memo: None,
        version: None,
        anchor: Anchor::Exact,
        line: 0,
    };
    j.record(vec![Op::Add(c)]).unwrap();
    // The same index, not refreshed: the filter counts the codings of the project it is given.
    let p = load(dir.path());
    assert_eq!(coded(&p, &ix), 1);
    // Coding changes nothing in the index: a refresh has nothing to re-index.
    let report = ix.refresh(&p, &mut |_| {}).unwrap();
    assert!(!report.changed(), "{report:?}");
    assert_eq!(coded(&p, &ix), 1);
    j.undo().unwrap();
    let p = load(dir.path());
    assert_eq!(coded(&p, &ix), 0);
    let report = ix.refresh_only(&p, &["C", "A"], &mut |_| {}).unwrap();
    assert!(!report.changed(), "{report:?}");
    // A reopened index (as the next command opens it) re-indexes nothing either.
    drop(ix);
    let (ix, report) = open(&p);
    assert!(!report.changed(), "{report:?}");
    assert_eq!(coded(&p, &ix), 0);
}

#[test]
fn deleted_or_corrupt_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let idx = index_dir(&p);
    let (ix, _) = open(&p);
    drop(ix);
    let expect = found(&p, &Index::open(&p, &mut |_| {}).unwrap().0, &q("signaal"));

    // Deleted.
    std::fs::remove_dir_all(&idx).unwrap();
    let (ix, report) = open(&p);
    assert!(
        report.rebuilt.as_deref().unwrap().contains("did not exist"),
        "{report:?}"
    );
    assert_eq!(found(&p, &ix, &q("signaal")), expect);
    drop(ix);

    // meta.json garbage.
    std::fs::write(idx.join("meta.json"), "{ not json").unwrap();
    let (ix, report) = open(&p);
    assert!(
        report.rebuilt.as_deref().unwrap().contains("corrupt"),
        "{report:?}"
    );
    assert_eq!(found(&p, &ix, &q("signaal")), expect);
    drop(ix);

    // A segment file overwritten with garbage of the same length.
    let victim = std::fs::read_dir(&idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let len = std::fs::metadata(&victim).unwrap().len() as usize;
    std::fs::write(&victim, vec![0xAB; len]).unwrap();
    let (ix, report) = open(&p);
    assert!(
        report.rebuilt.as_deref().unwrap().contains("corrupt"),
        "{report:?}"
    );
    assert_eq!(found(&p, &ix, &q("signaal")), expect);
    drop(ix);

    // A segment file truncated; the manifest garbage; another schema version.
    let victim = std::fs::read_dir(&idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "term"))
        .unwrap();
    std::fs::write(&victim, b"short").unwrap();
    let (_, report) = open(&p);
    assert!(
        report.rebuilt.as_deref().unwrap().contains("corrupt"),
        "{report:?}"
    );
    std::fs::write(idx.join(MANIFEST), "[").unwrap();
    let (_, report) = open(&p);
    assert!(
        report.rebuilt.as_deref().unwrap().contains("manifest"),
        "{report:?}"
    );
    let m = std::fs::read_to_string(idx.join(MANIFEST)).unwrap();
    std::fs::write(
        idx.join(MANIFEST),
        m.replacen(
            &format!("\"schema_version\":{SCHEMA_VERSION}"),
            "\"schema_version\":0",
            1,
        ),
    )
    .unwrap();
    let (ix, report) = open(&p);
    assert!(
        report
            .rebuilt
            .as_deref()
            .unwrap()
            .contains("another version"),
        "{report:?}"
    );
    assert!(
        report
            .message()
            .unwrap()
            .starts_with("search index was built by another version")
    );
    assert_eq!(found(&p, &ix, &q("signaal")), expect);
}

#[test]
fn an_index_that_can_no_longer_be_written_goes_on_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (mut ix, _) = open(&p);
    assert!(ix.dir.is_some());
    // The disk fills up or the folder is taken away: here, a file where the index was.
    let index = dir.path().join(".codewerk/index");
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::write(&index, "").unwrap();
    let t = dir.path().join("transcripts/A.txt");
    let text = std::fs::read_to_string(&t).unwrap();
    std::fs::write(&t, format!("{text}\nR: Een nieuw signaal.\n")).unwrap();
    let p = load(dir.path());
    let report = ix.refresh(&p, &mut |_| {}).unwrap();
    assert!(ix.dir.is_none());
    assert!(
        report.warnings[0].contains("using an index in memory"),
        "{report:?}"
    );
    assert!(found(&p, &ix, &q("nieuw")).len() == 1);
}

#[test]
fn read_only_project_gets_an_index_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // .codewerk is a file: the index folder cannot be made.
    std::fs::write(dir.path().join(".codewerk"), "").unwrap();
    let p = load(dir.path());
    let (ix, report) = open(&p);
    assert!(ix.dir.is_none());
    assert_eq!(report.warnings.len(), 1, "{report:?}");
    assert_eq!(found(&p, &ix, &q("signaal")).len(), 2);
}

#[test]
fn autocode_plans_the_right_offsets_and_undoes_as_one() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let none = crate::core::coding::CoderState::new("ann");
    let plan = |scope, state: &crate::core::coding::CoderState| {
        plan_autocode(&p, &ix, &q("\"veilig thuis\""), "Meldcode", scope, state).unwrap()
    };
    let m = plan(Scope::Match, &none);
    assert_eq!(
        (m.code.as_str(), m.hits, m.already_coded),
        ("meldcode", 2, 0)
    );
    let texts: Vec<(&str, &str)> = m
        .codings
        .iter()
        .map(|c| (c.transcript.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(texts, vec![("A", "Veilig Thuis"), ("B", "Veilig Thuis")]);
    for c in &m.codings {
        let t = p.transcript(&c.transcript).unwrap();
        assert_eq!(t.slice(c.start, c.end), c.text);
    }
    let s = plan(Scope::Sentence, &none);
    let texts: Vec<&str> = s.codings.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "Zij bespreekt alle signalen met Veilig Thuis.",
            "Dan bel ik Veilig Thuis."
        ]
    );
    let turn = plan(Scope::Turn, &none);
    let b = p.transcript("B").unwrap();
    assert_eq!(turn.codings[1].start, b.turns()[1].body_start);
    assert_eq!(turn.codings[1].end, b.turns()[1].end);

    // Written as one action; a second run adds nothing; one undo removes all.
    let mut j = p.open_journal("ann").unwrap();
    j.record(m.codings.iter().cloned().map(Op::Add).collect())
        .unwrap();
    assert_eq!(j.state.codings.len(), 2);
    let again = plan(Scope::Match, &j.state);
    assert_eq!((again.codings.len(), again.already_coded), (0, 2));
    j.undo().unwrap();
    assert!(j.state.codings.is_empty());
    // Unknown code.
    let err = plan_autocode(&p, &ix, &q("thuis"), "nope", Scope::Match, &none).unwrap_err();
    assert!(err.to_string().contains("unknown code"));
}

#[test]
fn autocode_codes_respondent_turns_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    fixture_d(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let none = crate::core::coding::CoderState::new("ann");
    let speakers = |plan: &AutocodePlan| {
        let mut v: Vec<String> = plan
            .codings
            .iter()
            .map(|c| {
                let t = p.transcript(&c.transcript).unwrap();
                t.speaker_at(c.start).unwrap_or("").to_string()
            })
            .collect();
        v.sort();
        v
    };
    // meldcode: in A an I and an R turn, in C an R turn, in D an I and two R turns.
    let plan = plan_autocode(&p, &ix, &q("meldcode"), "meldcode", Scope::Match, &none).unwrap();
    assert_eq!((plan.hits, plan.interviewer_hits), (4, 2));
    assert_eq!(speakers(&plan), vec!["R", "R", "R", "R"]);
    let all = AutocodeOptions {
        include_interviewer: true,
        ..Default::default()
    };
    let plan = plan_autocode_with(&p, &ix, &q("meldcode"), "meldcode", &all, &none).unwrap();
    assert_eq!((plan.hits, plan.interviewer_hits), (6, 0));
    assert_eq!(speakers(&plan), vec!["I", "I", "R", "R", "R", "R"]);
    // `Interviewer 2` is an interviewer, `Interviewee` is not.
    let plan = plan_autocode(&p, &ix, &q("gesprek"), "meldcode", Scope::Turn, &none).unwrap();
    assert_eq!(speakers(&plan), vec!["Interviewee", "R", "R"]);
    assert_eq!(plan.interviewer_hits, 1);
    // A query without words plans nothing, and says why.
    let plan = plan_autocode(&p, &ix, &q("?"), "meldcode", Scope::Match, &none).unwrap();
    assert_eq!((plan.hits, plan.codings.len()), (0, 0));
    assert_eq!(plan.notes.len(), 1);
}

#[test]
fn refresh_rebuilds_an_index_deleted_while_open() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (mut ix, _) = open(&p);
    std::fs::remove_dir_all(index_dir(&p)).unwrap();
    let report = ix.refresh_only(&p, &["A"], &mut |_| {}).unwrap();
    assert!(report.rebuilt.is_some());
    assert_eq!(report.added, 3);
    assert_eq!(found(&p, &ix, &q("signaal")).len(), 2);
}

#[test]
fn index_can_be_shared_with_a_search_thread() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Index>();
    send_sync::<ParsedQuery>();
    send_sync::<Hit>();
}

mod properties {
    use super::*;
    use crate::core::index::schema::{exact_analyzer, stemmed_analyzer, tokens};
    use crate::core::transcript::Transcript;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "signaal",
        "signalen",
        "Signaal",
        "coördinator",
        "coordinator",
        "één",
        "een",
        "meldcode",
        "meldcodes",
        "ideeën",
        "zorg",
        "zorgen",
        "Veilig",
        "Thuis",
        "niet",
        "pluis",
        "kind",
        "kinderen",
        "collega's",
        "zorg-coördinator",
    ];
    const SEPS: &[&str] = &[" ", " ", " ", ", ", ". ", "\n", " (", ") ", " – "];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec((0..WORDS.len(), 0..SEPS.len()), 1..60).prop_map(|v| {
            let mut s = String::from("R: ");
            for (w, sep) in v {
                s += WORDS[w];
                s += SEPS[sep];
            }
            s
        })
    }

    fn shared_index() -> &'static (tempfile::TempDir, Project, Index) {
        static CELL: std::sync::OnceLock<(tempfile::TempDir, Project, Index)> =
            std::sync::OnceLock::new();
        CELL.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            fixture(dir.path());
            let p = load(dir.path());
            let (ix, _) = open(&p);
            (dir, p, ix)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A word query marks exactly the words with the same stem, at their char offsets.
        #[test]
        fn word_matches_are_exactly_the_words_with_that_stem(body in text(), w in 0..WORDS.len()) {
            let (_, _, ix) = shared_index();
            let word = WORDS[w];
            let parsed = ParsedQuery::parse(ix, word).unwrap();
            let t = Transcript::from_text("X", Path::new("x"), body.clone());
            let ranges = parsed.match_ranges(&t, 0, t.len_chars());
            let mut stem = stemmed_analyzer();
            let want = tokens(&mut stem, word);
            // A word of several parts (`collega's`, `zorg-coördinator`) is a phrase of them,
            // unstemmed.
            let expected = if want.len() == 1 {
                tokens(&mut stem, &body).iter().filter(|s| **s == want[0]).count()
            } else {
                let mut exact = exact_analyzer();
                let parts = tokens(&mut exact, word);
                tokens(&mut exact, &body).windows(parts.len()).filter(|w| *w == parts.as_slice()).count()
            };
            prop_assert_eq!(ranges.len(), expected);
            for r in &ranges {
                prop_assert_eq!(tokens(&mut stem, t.slice(r.start, r.end)), want.clone());
            }
        }

        /// A phrase marks whole runs of its words, nothing else.
        #[test]
        fn phrase_matches_are_the_phrase(body in text()) {
            let (_, _, ix) = shared_index();
            let parsed = ParsedQuery::parse(ix, "\"veilig thuis\"").unwrap();
            let t = Transcript::from_text("X", Path::new("x"), body.clone());
            let mut exact = exact_analyzer();
            for r in parsed.match_ranges(&t, 0, t.len_chars()) {
                prop_assert_eq!(tokens(&mut exact, t.slice(r.start, r.end)), vec!["veilig", "thuis"]);
            }
        }

        /// A phrase with slop marks runs that start and end with a phrase word, with at most
        /// `slop` other words between two phrase words; two words side by side in order are one.
        #[test]
        fn sloppy_phrase_matches_are_runs_within_the_slop(body in text(), slop in 0u32..4) {
            let (_, _, ix) = shared_index();
            let parsed = ParsedQuery::parse(ix, &format!("\"veilig thuis\"~{slop}")).unwrap();
            let t = Transcript::from_text("X", Path::new("x"), body.clone());
            let mut exact = exact_analyzer();
            let ranges = parsed.match_ranges(&t, 0, t.len_chars());
            for r in &ranges {
                // (Overlapping runs are merged into one.)
                let words = tokens(&mut exact, t.slice(r.start, r.end));
                let ours = |w: &String| w == "veilig" || w == "thuis";
                prop_assert!(words.len() >= 2, "{words:?}");
                prop_assert!(ours(&words[0]) && ours(&words[words.len() - 1]), "{words:?}");
                let at: Vec<usize> = (0..words.len()).filter(|&i| ours(&words[i])).collect();
                prop_assert!(at.windows(2).all(|w| (w[1] - w[0] - 1) as u32 <= slop), "{words:?}");
            }
            let all = tokens(&mut exact, &body);
            if all.windows(2).any(|w| w == ["veilig", "thuis"]) {
                prop_assert!(!ranges.is_empty());
            }
        }

        /// Snippets: one line, the marks are the matches, offsets agree with the transcript.
        #[test]
        fn snippets_agree_with_the_transcript(body in text(), max in 20usize..120) {
            let (_, _, ix) = shared_index();
            let parsed = ParsedQuery::parse(ix, "zorg OR meldc* OR \"niet pluis\"").unwrap();
            let t = Transcript::from_text("X", Path::new("x"), body);
            let turn = &t.turns()[0];
            let matches = parsed.match_ranges(&t, turn.body_start, turn.end);
            let s = make_snippet(&t, turn.body_start, turn.end, &matches, max);
            prop_assert!(!s.text.contains('\n'));
            prop_assert!(s.text.chars().count() <= max + 2 + 30);
            prop_assert_eq!(s.marked.replace(highlight::MARK_OPEN, "").replace(highlight::MARK_CLOSE, ""), s.text.clone());
            let chars: Vec<char> = s.text.chars().collect();
            let inside: Vec<String> = matches
                .iter()
                .map(|m| t.slice(m.start, m.end).replace(char::is_whitespace, " "))
                .collect();
            // A match cut by the snippet's edge is marked as far as it shows: the shown part
            // is then a part of a match, not necessarily a whole one.
            for r in &s.matches {
                let shown: String = chars[r.clone()].iter().collect();
                prop_assert!(inside.iter().any(|m| m.contains(&shown)), "{shown} not a match");
            }
        }
    }
}

#[test]
fn respondent_turns_rank_before_interviewer_questions() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let p = load(dir.path());
    let (ix, _) = open(&p);
    let speakers = |rank: Rank, limit: usize| -> (usize, Vec<String>) {
        let hits = search_all(
            &p,
            &ix,
            &Query {
                text: "meldcode".into(),
                limit,
                rank,
                ..Default::default()
            },
        )
        .unwrap();
        let s = hits
            .hits
            .iter()
            .map(|h| h.speaker.clone().unwrap_or_default())
            .collect();
        (hits.total, s)
    };
    // By score the short question "En de meldcode?" is the best hit.
    assert_eq!(
        speakers(Rank::Score, 10),
        (3, vec!["I".into(), "R".into(), "R".into()])
    );
    assert_eq!(
        speakers(Rank::InterviewerLast, 10),
        (3, vec!["R".into(), "R".into(), "I".into()])
    );
    assert_eq!(
        speakers(Rank::InterviewerLast, 2),
        (3, vec!["R".into(), "R".into()])
    );
    assert_eq!(speakers(Rank::InterviewerLast, 0).1.len(), 3);
    assert_eq!(Rank::default(), Rank::InterviewerLast);
}

/// B with a turn that mentions the meldcode twice, the first mention coded by ann with a memo,
/// and a code memo of ann's.
fn twice_mentioned(dir: &Path) -> Project {
    fixture(dir);
    std::fs::write(
        dir.join("transcripts/B.txt"),
        "I: En de meldcode?\n\nR: De meldcode hier, en later de meldcode daar.\n",
    )
    .unwrap();
    let p = load(dir);
    let t = p.transcript("B").unwrap();
    let s = t.char_at_byte(t.text().find("De meldcode").unwrap()) + 3;
    let mut j = p.open_journal("ann").unwrap();
    j.record(vec![
        Op::Add(Coding {
            id: 0,
            transcript: "B".into(),
            code: "meldcode".into(),
            start: s,
            end: s + 8,
            text: "meldcode".into(),
            memo: Some("Eerste keer; zie het meldcodeprotocol".into()),
            version: None,
            anchor: Anchor::Exact,
            line: 0,
        }),
        Op::CodeMemo {
            code: "niet-pluis".into(),
            before: None,
            after: Some("Niet pluis: een gevoel, geen signalen".into()),
        },
    ])
    .unwrap();
    load(dir)
}

#[test]
fn a_hit_stays_while_one_of_its_matches_is_not_coded() {
    use crate::core::index::uncoded::{CodedBy, keep_uncoded_matches, uncoded_matches};
    let dir = tempfile::tempdir().unwrap();
    let p = twice_mentioned(dir.path());
    let (ix, _) = open(&p);
    let query = Query {
        text: "meldcode".into(),
        speaker: Some("R".into()),
        ..q("")
    };
    let hits = search(&p, &ix, &query).unwrap();
    let b = hits.iter().find(|h| h.transcript == "B").unwrap().clone();
    assert_eq!(b.matches.len(), 2);
    let t = p.transcript("B").unwrap();
    let ann = CodedBy {
        coder: Some("ann"),
        code: None,
    };
    let left = uncoded_matches(&p, &b, ann);
    assert_eq!(left, vec![b.matches[1].clone()], "the second mention only");
    assert_eq!(t.slice(left[0].start, left[0].end), "meldcode");
    let kept = keep_uncoded_matches(&p, hits.clone(), ann);
    let kb = kept.iter().find(|h| h.transcript == "B").unwrap();
    assert_eq!(kb.matches, left);
    assert_eq!(kb.snippet.marked.matches('«').count(), 1);
    // Another coder, or another code: both mentions are still to do.
    for by in [
        CodedBy {
            coder: Some("bob"),
            code: None,
        },
        CodedBy {
            coder: Some("ann"),
            code: Some("niet-pluis"),
        },
    ] {
        assert_eq!(uncoded_matches(&p, &b, by).len(), 2);
    }
    // Turn-level `uncoded` drops the whole turn.
    let turn_level = search(
        &p,
        &ix,
        &Query {
            coder: Some("ann".into()),
            uncoded: true,
            ..query.clone()
        },
    )
    .unwrap();
    assert!(turn_level.iter().all(|h| h.transcript != "B"));
    // With both mentions coded the hit goes.
    let mut j = p.open_journal("ann").unwrap();
    let s = b.matches[1].start;
    j.record(vec![Op::Add(Coding {
        id: 0,
        transcript: "B".into(),
        code: "meldcode".into(),
        start: s,
        end: s + 8,
        text: "meldcode".into(),
        memo: None,
        version: None,
        anchor: Anchor::Exact,
        line: 0,
    })])
    .unwrap();
    let p = load(dir.path());
    let kept = keep_uncoded_matches(&p, hits, ann);
    assert!(kept.iter().all(|h| h.transcript != "B"));
}

#[test]
fn memos_are_searched_with_the_query_language() {
    use crate::core::index::memos::{MemoKind, search_memos};
    let dir = tempfile::tempdir().unwrap();
    let p = twice_mentioned(dir.path());
    let (ix, _) = open(&p);
    // A part of a compound (split with the transcripts' word `meldcode`) finds the compound.
    let hits = search_memos(&p, Some(&ix), "protocol", None, None, 0).unwrap();
    assert_eq!(hits.total, 1);
    let h = &hits.hits[0];
    assert_eq!(h.memo.kind, MemoKind::Passage);
    assert_eq!(h.memo.transcript, "B");
    assert_eq!(h.snippet.marked, "Eerste keer; zie het «meldcodeprotocol»");
    // Code memos; stemming (signaal finds signalen); filters by coder and code.
    let hits = search_memos(&p, Some(&ix), "signaal", None, None, 0).unwrap();
    assert_eq!(hits.hits[0].memo.kind, MemoKind::Code);
    assert_eq!(hits.hits[0].memo.code, "niet-pluis");
    assert_eq!(
        search_memos(&p, Some(&ix), "signaal", Some("bob"), None, 0)
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        search_memos(&p, Some(&ix), "", None, Some("Meldcode"), 0)
            .unwrap()
            .total,
        1,
        "by code name"
    );
    assert_eq!(
        search_memos(&p, Some(&ix), "", None, None, 0)
            .unwrap()
            .total,
        2
    );
    assert!(matches!(
        search_memos(&p, Some(&ix), "\"open", None, None, 0),
        Err(SearchError::Syntax { .. })
    ));
    assert!(matches!(
        search_memos(&p, Some(&ix), "", None, Some("nope"), 0),
        Err(SearchError::Filter(_))
    ));
}
