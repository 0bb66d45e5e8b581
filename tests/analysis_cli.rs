#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue #16 on the real binary: any attribute and schools as the unit (`--attr`, `--by`,
//! `--bins`), code queries, co-occurrence. Counts are checked against a recount made here from
//! the fixture's quote files and respondents.csv, not from codewerk's own structures.

use predicates::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod common;
use common::{codewerk, copy_coded, fixture, json_of, stdout_of};

const CODES: [&str; 5] = ["niet-pluis", "signalen", "melden", "twijfel", "wensen"];

fn project() -> tempfile::TempDir {
    copy_coded("export", &["ann", "bob"])
}

/// respondents.csv as maps of column → value.
fn respondents() -> Vec<BTreeMap<String, String>> {
    let mut r =
        csv::Reader::from_path(fixture("export").join("transcripts/respondents.csv")).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// (transcript, code) of every quote ann's file imports.
fn quotes(coder: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(fixture("export").join(format!("quotes/{coder}.jsonl")))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["transcript"].as_str().unwrap().to_string(),
                v["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn run_json(dir: &Path, args: &[&str]) -> Value {
    json_of(codewerk(dir).args(["--coder", "ann"]).args(args))
}

fn summary(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["export", "summary", "--format", "json", "--out", "-"];
    args.extend_from_slice(extra);
    run_json(dir, &args)
}

fn fails(dir: &Path, args: &[&str], wanted: &[&str]) {
    let assert = codewerk(dir)
        .args(["--coder", "ann"])
        .args(args)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for w in wanted {
        assert!(err.contains(w), "{args:?}: wanted {w:?} in {err}");
    }
}

#[test]
fn schools_are_counted_once_when_any_respondent_there_has_the_code() {
    let dir = project();
    let resp = respondents();
    let school_of = |t: &str| {
        resp.iter()
            .find(|r| r["id"] == t)
            .map(|r| r["school"].clone())
            .unwrap()
    };
    let schools: BTreeSet<String> = resp.iter().map(|r| r["school"].clone()).collect();
    let q = quotes("ann");
    let v = summary(dir.path(), &["--by", "school"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), CODES.len(), "one bucket: all schools");
    for row in rows {
        let code = row["code_id"].as_str().unwrap();
        let with: BTreeSet<String> = q
            .iter()
            .filter(|(_, c)| c == code)
            .map(|(t, _)| school_of(t))
            .collect();
        assert_eq!(row["unit"], "schools");
        assert_eq!(row["respondents"], with.len(), "{code}");
        assert_eq!(row["group_size"], schools.len());
        assert_eq!(
            row["text"],
            format!("{} of {} schools", with.len(), schools.len())
        );
        let passages = q.iter().filter(|(_, c)| c == code).count();
        assert_eq!(row["passages"], passages);
    }
    // Only the docenten's schools: a school counts when a docent there said it.
    let v = summary(dir.path(), &["--by", "school", "--group", "docent"]);
    let twijfel = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code_id"] == "twijfel")
        .unwrap();
    let docent_schools: BTreeSet<String> = q
        .iter()
        .filter(|(t, c)| {
            c == "twijfel" && resp.iter().any(|r| r["id"] == *t && r["group"] == "docent")
        })
        .map(|(t, _)| school_of(t))
        .collect();
    assert_eq!(twijfel["respondents"], docent_schools.len());
    // The report and stats say which unit they count.
    let out = codewerk(dir.path())
        .args([
            "--coder", "ann", "export", "report", "--by", "school", "--out", "-",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("counts distinct schools"), "{md}");
    codewerk(dir.path())
        .args(["--coder", "ann", "stats", "--by", "school"])
        .assert()
        .success()
        .stdout(predicate::str::contains("of 2 schools"));
}

#[test]
fn numeric_attributes_are_binned_at_the_edges_given() {
    let dir = project();
    let resp = respondents();
    let q = quotes("ann");
    let v = summary(dir.path(), &["--by", "jaren_ervaring", "--bins", "0,5,10"]);
    let rows = v.as_array().unwrap();
    let bin = |years: u32| match years {
        0..5 => "[0, 5)",
        5..10 => "[5, 10)",
        _ => "≥ 10",
    };
    let buckets: BTreeSet<&str> = rows.iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(buckets, BTreeSet::from(["[0, 5)", "[5, 10)", "≥ 10"]));
    for row in rows {
        let b = row["group"].as_str().unwrap();
        let code = row["code_id"].as_str().unwrap();
        let members: BTreeSet<&str> = resp
            .iter()
            .filter(|r| bin(r["jaren_ervaring"].parse().unwrap()) == b)
            .map(|r| r["id"].as_str())
            .collect();
        let with: BTreeSet<&str> = q
            .iter()
            .filter(|(t, c)| c == code && members.contains(t.as_str()))
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(row["by"], "jaren_ervaring");
        assert_eq!(row["group_size"], members.len(), "{b}");
        assert_eq!(row["respondents"], with.len(), "{code} {b}");
    }
    // The matrix carries the bin as a variable.
    let m = run_json(
        dir.path(),
        &[
            "export",
            "matrix",
            "--by",
            "jaren_ervaring",
            "--bins",
            "0,5,10",
            "--format",
            "json",
            "--out",
            "-",
        ],
    );
    assert_eq!(
        m["respondents"][0]["attributes"]["by_jaren_ervaring"],
        "[0, 5)"
    );
}

#[test]
fn attribute_filters_narrow_every_count() {
    let dir = project();
    let resp = respondents();
    let q = quotes("ann");
    let v = summary(
        dir.path(),
        &["--attr", "Geslacht=V", "--attr", "school_type=vmbo"],
    );
    for row in v.as_array().unwrap() {
        let g = row["group"].as_str().unwrap();
        let members: BTreeSet<&str> = resp
            .iter()
            .filter(|r| r["geslacht"] == "v" && r["school_type"] == "vmbo" && r["group"] == g)
            .map(|r| r["id"].as_str())
            .collect();
        let code = row["code_id"].as_str().unwrap();
        let with: BTreeSet<&str> = q
            .iter()
            .filter(|(t, c)| c == code && members.contains(t.as_str()))
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(row["group_size"], members.len(), "{g}");
        assert_eq!(row["respondents"], with.len(), "{code} {g}");
    }
    // By any attribute, with the group as a filter.
    let v = summary(dir.path(), &["--by", "geslacht", "--group", "docenten"]);
    let sizes: BTreeMap<String, u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["group_size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(sizes, BTreeMap::from([("m".into(), 2), ("v".into(), 1)]));
}

#[test]
fn bad_attributes_and_bins_are_errors_listing_what_is_known() {
    let dir = project();
    let d = dir.path();
    fails(
        d,
        &["export", "summary", "--out", "-", "--by", "leeftijd"],
        &[
            "unknown attribute \"leeftijd\"",
            "jaren_ervaring",
            "geslacht",
        ],
    );
    fails(
        d,
        &["export", "quotes", "--out", "-", "--attr", "geslacht=x"],
        &["geslacht=m", "geslacht=v"],
    );
    fails(
        d,
        &["export", "report", "--out", "-", "--attr", "geslacht"],
        &["NAME=VALUE"],
    );
    fails(
        d,
        &[
            "export", "summary", "--out", "-", "--by", "geslacht", "--bins", "0,5",
        ],
        &["respondents.csv:2", "not a number"],
    );
    fails(
        d,
        &[
            "export",
            "summary",
            "--out",
            "-",
            "--by",
            "jaren_ervaring",
            "--bins",
            "5,1",
        ],
        &["must increase"],
    );
    fails(d, &["stats", "--by", "nope"], &["unknown attribute"]);
}

/// The coder's codings replayed from the journal file itself: id → (transcript, code, start,
/// end).
fn replay_spans(dir: &Path, coder: &str) -> BTreeMap<u64, (String, String, u64, u64)> {
    let mut live = BTreeMap::new();
    let text = std::fs::read_to_string(dir.join(format!("codings/{coder}.jsonl"))).unwrap();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_u64();
        match v["op"].as_str().unwrap() {
            "add" => {
                live.insert(
                    id.unwrap(),
                    (
                        v["transcript"].as_str().unwrap().to_string(),
                        v["code"].as_str().unwrap().to_string(),
                        v["start"].as_u64().unwrap(),
                        v["end"].as_u64().unwrap(),
                    ),
                );
            }
            "remove" => {
                live.remove(&id.unwrap());
            }
            "edit" => panic!("the fixture has no edits; replay them here if it gets some"),
            _ => {}
        }
    }
    live
}

/// id → (transcript, code, start).
fn replay(dir: &Path, coder: &str) -> BTreeMap<u64, (String, String, u64)> {
    replay_spans(dir, coder)
        .into_iter()
        .map(|(id, (t, c, s, _))| (id, (t, c, s)))
        .collect()
}

fn query(dir: &Path, args: &[&str]) -> Value {
    let mut a = vec!["query", "--json"];
    a.extend_from_slice(args);
    run_json(dir, &a)
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn queries_agree_with_a_replay_of_the_journal() {
    let dir = project();
    let d = dir.path();
    let live = replay(d, "ann");
    let has = |t: &str, c: &str| live.values().any(|(tt, cc, _)| tt == t && cc == c);
    let resp = respondents();
    for a in CODES {
        for b in CODES {
            let v = query(d, &[&format!("{a} AND NOT {b}")]);
            let want: BTreeSet<String> = resp
                .iter()
                .map(|r| r["id"].clone())
                .filter(|t| has(t, a) && !has(t, b))
                .collect();
            assert_eq!(ids(&v["total"]["respondents"]), want, "{a} AND NOT {b}");
            assert_eq!(v["total"]["of"], resp.len());
            // Per group, the ids add up to the total.
            let mut union = BTreeSet::new();
            for g in v["groups"].as_array().unwrap() {
                union.extend(ids(&g["respondents"]));
                assert_eq!(g["n"], g["respondents"].as_array().unwrap().len());
            }
            assert_eq!(union, want);
            // FOLLOWED-BY: a passage of a starts before one of b in the same transcript.
            let v = query(d, &[&format!("{a} FOLLOWED-BY {b}")]);
            let want: BTreeSet<String> = resp
                .iter()
                .map(|r| r["id"].clone())
                .filter(|t| {
                    live.values().any(|(t1, c1, s1)| {
                        t1 == t
                            && c1 == a
                            && live
                                .values()
                                .any(|(t2, c2, s2)| t2 == t && c2 == b && s1 < s2)
                    })
                })
                .collect();
            assert_eq!(ids(&v["total"]["respondents"]), want, "{a} FOLLOWED-BY {b}");
        }
    }
    // Passage scope lists passages with their coding ids.
    let v = query(d, &["twijfel", "--scope", "passage"]);
    let want: BTreeSet<u64> = live
        .iter()
        .filter(|(_, (_, c, _))| c == "twijfel")
        .map(|(id, _)| *id)
        .collect();
    let got: BTreeSet<u64> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["coding"].as_u64().unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn saved_sets_split_and_narrow_the_exports() {
    let dir = project();
    let d = dir.path();
    let live = replay(d, "ann");
    let has = |t: &str, c: &str| live.values().any(|(tt, cc, _)| tt == t && cc == c);
    let resp = respondents();
    codewerk(d)
        .args(["query", "save", "twijfelaars", "twijfel"])
        .assert()
        .success();
    assert!(d.join("queries.json").exists());
    codewerk(d)
        .args(["query", "sets"])
        .assert()
        .success()
        .stdout(predicate::str::contains("set:twijfelaars  twijfel"));
    // --among: the set's respondents are the denominators.
    let v = summary(d, &["--among", "set:twijfelaars", "--code", "melden"]);
    for row in v.as_array().unwrap() {
        let g = row["group"].as_str().unwrap();
        let among: Vec<&str> = resp
            .iter()
            .filter(|r| r["group"] == g && has(&r["id"], "twijfel"))
            .map(|r| r["id"].as_str())
            .collect();
        let with = among.iter().filter(|t| has(t, "melden")).count();
        assert_eq!(row["group_size"], among.len(), "{g}");
        assert_eq!(row["respondents"], with, "{g}");
    }
    // --by set:NAME: members and the others.
    let v = summary(d, &["--by", "set:twijfelaars", "--code", "melden"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let members = resp.iter().filter(|r| has(&r["id"], "twijfel")).count();
    assert_eq!(rows[0]["group_size"], members);
    assert_eq!(rows[1]["group_size"], resp.len() - members);
    // --where keeps only passages where the query holds; group sizes stay.
    let v = summary(
        d,
        &["--where", "signalen AND NOT melden", "--code", "signalen"],
    );
    let total: u64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group_size"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, resp.len());
    // At respondent scope: the passages of respondents for whom it holds.
    let v = summary(
        d,
        &[
            "--where",
            "niet-pluis AND NOT twijfel",
            "--where-scope",
            "respondent",
            "--code",
            "niet-pluis",
        ],
    );
    let want = live
        .values()
        .filter(|(t, c, _)| c == "niet-pluis" && !has(t, "twijfel"))
        .count();
    let got: u64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["passages"].as_u64().unwrap())
        .sum();
    let all = live.values().filter(|(_, c, _)| c == "niet-pluis").count();
    assert_eq!(got as usize, want);
    assert!(want < all, "the fixture must have niet-pluis with twijfel");
    // A query in a set that names an unknown set, or a bad query, is refused with the column.
    fails(
        d,
        &["export", "summary", "--out", "-", "--among", "set:nope"],
        &["unknown saved set \"nope\"", "twijfelaars"],
    );
    fails(
        d,
        &["export", "report", "--out", "-", "--where", "twijfel AND"],
        &["column 12"],
    );
    fails(
        d,
        &["query", "twijfle"],
        &["did you mean: \"Twijfel", "(twijfel)"],
    );
    fails(
        d,
        &["query", "twijfel OR (melden"],
        &["column 12", "not closed"],
    );
    fails(d, &["query", "twijfel", "--scope", "zin"], &["passage"]);
    fails(
        d,
        &["query", "save", "twee woorden", "twijfel"],
        &["one word"],
    );
    codewerk(d)
        .args(["query", "remove", "twijfelaars"])
        .assert()
        .success();
    fails(d, &["query", "set:twijfelaars"], &["unknown saved set"]);
}

/// Character ranges of the turns (paragraphs) of a fixture transcript.
fn turns(transcript: &str) -> Vec<(u64, u64)> {
    let text =
        std::fs::read_to_string(fixture("export").join(format!("transcripts/{transcript}.txt")))
            .unwrap();
    let mut out = Vec::new();
    let mut at = 0u64;
    for para in text.split("\n\n") {
        let len = para.chars().count() as u64;
        out.push((at, at + len));
        at += len + 2;
    }
    out
}

#[test]
fn cooccurrence_agrees_with_a_recount_at_every_unit() {
    let dir = project();
    let d = dir.path();
    let live = replay_spans(d, "ann");
    let resp = respondents();
    let group_of = |t: &str| resp.iter().find(|r| r["id"] == t).unwrap()["group"].clone();
    let overlap = |a: (u64, u64), b: (u64, u64)| a.0 < b.1 && b.0 < a.1;
    for unit in ["respondent", "turn", "overlap"] {
        let v = run_json(
            d,
            &[
                "export",
                "cooccurrence",
                "--unit",
                unit,
                "--format",
                "json",
                "--out",
                "-",
            ],
        );
        let rows = v.as_array().unwrap();
        assert_eq!(
            rows.len(),
            4 * CODES.len() * (CODES.len() - 1) / 2,
            "3 groups and all, every pair"
        );
        for row in rows {
            let g = row["group"].as_str().unwrap();
            let code = |k: &str| *CODES.iter().find(|c| row[k].as_str() == Some(**c)).unwrap();
            let (a, b) = (code("code_a"), code("code_b"));
            let mine: Vec<&(String, String, u64, u64)> = live
                .values()
                .filter(|x| g == "all" || group_of(&x.0) == g)
                .collect();
            let of = |c: &'static str| mine.iter().filter(move |x| x.1 == c);
            let (n_a, n_b, n_ab) = match unit {
                "respondent" => {
                    let who = |c: &'static str| of(c).map(|x| x.0.clone()).collect::<BTreeSet<_>>();
                    let (wa, wb) = (who(a), who(b));
                    let both: BTreeSet<String> = wa.intersection(&wb).cloned().collect();
                    assert_eq!(ids(&row["with_both"]), both);
                    (wa.len(), wb.len(), both.len())
                }
                "turn" => {
                    let turns_of = |c: &'static str| {
                        of(c)
                            .flat_map(|x| {
                                turns(&x.0)
                                    .into_iter()
                                    .enumerate()
                                    .filter(|(_, t)| overlap(*t, (x.2, x.3)))
                                    .map(|(i, _)| (x.0.clone(), i))
                                    .collect::<Vec<_>>()
                            })
                            .collect::<BTreeSet<_>>()
                    };
                    let (ta, tb) = (turns_of(a), turns_of(b));
                    (ta.len(), tb.len(), ta.intersection(&tb).count())
                }
                _ => {
                    let pairs = of(a)
                        .flat_map(|x| {
                            of(b).filter(move |y| y.0 == x.0 && overlap((x.2, x.3), (y.2, y.3)))
                        })
                        .count();
                    (of(a).count(), of(b).count(), pairs)
                }
            };
            assert_eq!(
                (
                    row["n_a"].as_u64(),
                    row["n_b"].as_u64(),
                    row["n_ab"].as_u64()
                ),
                (Some(n_a as u64), Some(n_b as u64), Some(n_ab as u64)),
                "{unit} {g} {a} {b}"
            );
            let c = row["c_coefficient"].as_f64();
            if n_a + n_b > n_ab {
                let want = n_ab as f64 / (n_a + n_b - n_ab) as f64;
                assert!((c.unwrap() - want).abs() < 0.0006, "{unit} {g} {a} {b}");
            }
        }
    }
    // The fixture must exercise the counts: some pair occurs together at each unit.
    for unit in ["respondent", "turn"] {
        let v = run_json(
            d,
            &[
                "export",
                "cooccurrence",
                "--unit",
                unit,
                "--format",
                "json",
                "--out",
                "-",
            ],
        );
        assert!(
            v.as_array()
                .unwrap()
                .iter()
                .any(|r| r["n_ab"].as_u64() > Some(0)),
            "{unit}"
        );
    }
    // csv and xlsx are written too; a bad unit is refused.
    codewerk(d)
        .args([
            "--coder",
            "ann",
            "export",
            "cooccurrence",
            "--format",
            "xlsx",
        ])
        .assert()
        .success();
    fails(
        d,
        &["export", "cooccurrence", "--unit", "zin", "--out", "-"],
        &["respondent, turn, overlap"],
    );
    fails(
        d,
        &["export", "summary", "--unit", "turn", "--out", "-"],
        &["applies to `export cooccurrence` only"],
    );
}

/// The coding ids of ann's passages of a code, from `export quotes` (the user's way to find
/// them), with their quote text.
fn coding_ids(dir: &Path, code: &str) -> Vec<(u64, String, String)> {
    let v = run_json(
        dir,
        &[
            "export", "quotes", "--code", code, "--format", "json", "--out", "-",
        ],
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["coding_id"].as_u64().unwrap(),
                q["group"].as_str().unwrap().to_string(),
                q["quote"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn report(dir: &Path, extra: &[&str]) -> String {
    String::from_utf8(stdout_of(
        codewerk(dir)
            .args(["--coder", "ann", "export", "report", "--out", "-"])
            .args(extra),
    ))
    .unwrap()
}

/// A quote as the Markdown report writes its first line (escaped the same simple way).
fn first_words(q: &str) -> String {
    q.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

#[test]
fn key_quotes_are_journaled_and_chosen_for_the_report() {
    let dir = project();
    let d = dir.path();
    // Two docenten passages of signalen; mark the second.
    let sig: Vec<_> = coding_ids(d, "signalen")
        .into_iter()
        .filter(|(_, g, _)| g == "docent")
        .collect();
    assert!(sig.len() >= 2, "{sig:?}");
    let (id, _, text) = &sig[1];
    codewerk(d)
        .args(["--coder", "ann", "keyquote", &id.to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Marked coding"));
    let journal = std::fs::read_to_string(d.join("codings/ann.jsonl")).unwrap();
    assert!(
        journal
            .lines()
            .last()
            .unwrap()
            .contains("\"op\":\"key_quote\"")
    );
    let md = report(
        d,
        &["--key-quotes", "--code", "signalen", "--group", "docent"],
    );
    assert!(md.contains("*key quotes*"), "{md}");
    let others: Vec<&String> = sig.iter().filter(|x| x.0 != *id).map(|x| &x.2).collect();
    assert!(
        md.contains(&first_words(text)) || md.contains(&text.replace('\n', "\\\n> ")),
        "{md}"
    );
    for o in &others {
        assert!(!md.contains(&first_words(o)), "only the key quote: {md}");
    }
    // Without --key-quotes every passage is there.
    let all = report(d, &["--code", "signalen", "--group", "docent"]);
    assert!(
        others.iter().all(|o| all.contains(&first_words(o))),
        "{all}"
    );
    // Unmarked: the shortest N stand in, and the report says so.
    codewerk(d)
        .args(["--coder", "ann", "keyquote", &id.to_string(), "--unset"])
        .assert()
        .success();
    let md = report(
        d,
        &[
            "--key-quotes",
            "--shortest",
            "1",
            "--code",
            "signalen",
            "--group",
            "docent",
        ],
    );
    assert!(
        md.contains(&format!(
            "no key quote marked: the 1 shortest of {} passages",
            sig.len()
        )),
        "{md}"
    );
    let shortest = sig.iter().min_by_key(|x| x.2.chars().count()).unwrap();
    assert!(md.contains(&first_words(&shortest.2)), "{md}");
    // Bad input.
    fails(d, &["keyquote", "123456789"], &["has no coding 123456789"]);
    fails(
        d,
        &["export", "summary", "--key-quotes", "--out", "-"],
        &["report` only"],
    );
}

#[test]
fn report_speaks_dutch_with_numbers_as_words() {
    let dir = project();
    let d = dir.path();
    let md = report(d, &["--lang", "nl", "--number-words", "--code", "twijfel"]);
    let resp = respondents();
    let live = replay(d, "ann");
    let docenten = resp.iter().filter(|r| r["group"] == "docent").count();
    let twijfel: BTreeSet<&str> = live
        .values()
        .filter(|(t, c, _)| {
            c == "twijfel" && resp.iter().any(|r| r["id"] == *t && r["group"] == "docent")
        })
        .map(|(t, _, _)| t.as_str())
        .collect();
    let words = ["Geen", "Eén", "Twee", "Drie"];
    let want = if twijfel.len() == 1 {
        format!("**Eén van de {docenten} docenten**")
    } else {
        format!("**{} docenten van de {docenten}**", words[twijfel.len()])
    };
    assert!(md.contains(&want), "{want} in {md}");
    assert!(
        md.contains("# Resultaten: ") && md.contains("## Overzicht"),
        "{md}"
    );
    assert!(!md.contains(" of "), "no English left: {md}");
    // One leidinggevende in the fixture: the singular.
    let md = report(
        d,
        &[
            "--lang",
            "nl",
            "--group",
            "leidinggevende",
            "--code",
            "wensen",
        ],
    );
    assert!(
        md.contains("Niet genoemd door de ene leidinggevende"),
        "{md}"
    );
    let en = report(d, &["--group", "leidinggevende", "--code", "wensen"]);
    assert!(en.contains("Not mentioned by the 1 leidinggevende"), "{en}");
    // The project's default language, and a bad one.
    let settings = std::fs::read_to_string(d.join("project.json")).unwrap();
    let with = settings.replacen('{', "{\"report_language\": \"nl\",", 1);
    std::fs::write(d.join("project.json"), with).unwrap();
    assert!(report(d, &[]).contains("## Overzicht"));
    assert!(report(d, &["--lang", "en"]).contains("## Overview"));
    fails(
        d,
        &["export", "report", "--lang", "fr", "--out", "-"],
        &["nl, en"],
    );
    fails(
        d,
        &["export", "summary", "--lang", "nl", "--out", "-"],
        &["report` only"],
    );
}

#[test]
fn counts_are_traceable_and_changes_since_an_export_are_listed() {
    let dir = project();
    let d = dir.path();
    // The ids behind every count, in JSON.
    let v = summary(d, &[]);
    let resp = respondents();
    let live = replay(d, "ann");
    for row in v.as_array().unwrap() {
        let (code, g) = (
            row["code_id"].as_str().unwrap(),
            row["group"].as_str().unwrap(),
        );
        let want: BTreeSet<String> = resp
            .iter()
            .filter(|r| r["group"] == g)
            .map(|r| r["id"].clone())
            .filter(|t| live.values().any(|(tt, c, _)| tt == t && c == code))
            .collect();
        assert_eq!(ids(&row["ids"]), want, "{code} {g}");
        assert_eq!(row["respondents"], want.len());
    }
    // In HTML, as the title of each count.
    let html = report(d, &["--format", "html", "--code", "twijfel"]);
    assert!(html.contains("<span class=\"count\" title=\""), "{html}");
    // A report as JSON, then a change: bob's quotes coded by ann too.
    let before = d.join("before.json");
    codewerk(d)
        .args([
            "--coder", "ann", "export", "report", "--format", "json", "--out",
        ])
        .arg(&before)
        .assert()
        .success();
    codewerk(d)
        .args(["--coder", "ann", "export", "report", "--check"])
        .arg(&before)
        .assert()
        .success()
        .stdout(predicate::str::contains("No number and no quote changed"));
    let extra = d.join("extra.jsonl");
    std::fs::write(
        &extra,
        "{\"transcript\": \"B-D1\", \"code\": \"melden\", \"quote\": \"Ik ben naïef misschien\"}\n",
    )
    .unwrap();
    codewerk(d)
        .args(["--coder", "ann", "import", "quotes"])
        .arg(&extra)
        .assert()
        .success();
    let out = codewerk(d)
        .args(["--coder", "ann", "export", "report", "--check"])
        .arg(&before)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(
        text.contains("Melden bij de zorgcoördinator × docent:") && text.contains("(+ B-D1)"),
        "{text}"
    );
    assert!(
        text.contains("+ quote melden B-D1: «Ik ben naïef misschien»"),
        "{text}"
    );
    assert!(text.contains("1 count and 1 quote changed"), "{text}");
    assert!(
        !d.join("exports").exists() || std::fs::read_dir(d.join("exports")).unwrap().count() == 0
    );
    // diff of two exports, as JSON too.
    let after = d.join("after.json");
    codewerk(d)
        .args([
            "--coder", "ann", "export", "report", "--format", "json", "--out",
        ])
        .arg(&after)
        .assert()
        .success();
    let out = codewerk(d)
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .arg("--json")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v[0]["added"][0], "B-D1");
    // Not an export: refused with the file's name.
    let (x, y) = (d.join("x.json"), d.join("y.json"));
    std::fs::write(&x, "{\"a\": 1}").unwrap();
    std::fs::write(&y, "[1,").unwrap();
    let after = after.to_str().unwrap();
    fails(
        d,
        &["diff", x.to_str().unwrap(), after],
        &["x.json", "neither counts nor quotes"],
    );
    fails(d, &["diff", y.to_str().unwrap(), after], &["y.json:1:"]);
}
