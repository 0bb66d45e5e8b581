#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue #16 on the real binary: any attribute and schools as the unit (`--attr`, `--by`,
//! `--bins`), code queries, co-occurrence. Counts are checked against a recount made here from
//! the fixture's quote files and respondents.csv, not from codewerk's own structures.

use predicates::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod common;
use common::{codewerk, copy, fixture};

const CODES: [&str; 5] = ["niet-pluis", "signalen", "melden", "twijfel", "wensen"];

fn project() -> tempfile::TempDir {
    let dir = copy("export");
    for coder in ["ann", "bob"] {
        let quotes = dir.path().join(format!("quotes/{coder}.jsonl"));
        codewerk(dir.path())
            .args(["--coder", coder, "import", "quotes"])
            .arg(&quotes)
            .assert()
            .success();
    }
    dir
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
    let out = codewerk(dir)
        .args(["--coder", "ann"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
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
