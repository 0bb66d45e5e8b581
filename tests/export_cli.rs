#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk export` on the real binary, with the fixture project tests/fixtures/export (six
//! short transcripts with Dutch diacritics, quotes containing `"`, `;`, `,`, line breaks and
//! formula characters) whose codings are written by `codewerk import quotes`.

use calamine::{Data, Reader, Xlsx};
use predicates::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;
use common::{codewerk, copy, copy_coded, fixture, json_of, stdout_of};

/// The fixture copied to a temp dir, with the codings of coders ann and bob imported.
fn project() -> tempfile::TempDir {
    copy_coded("export", &["ann", "bob"])
}

fn export(dir: &Path, args: &[&str]) -> Vec<u8> {
    stdout_of(
        codewerk(dir)
            .args(["--coder", "ann", "export"])
            .args(args)
            .args(["--out", "-"]),
    )
}

fn read_csv(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes);
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Read a CSV file with Python's csv module; None if there is no python3 on this machine.
fn python_csv(path: &Path, delimiter: &str, encoding: &str) -> Option<Vec<Vec<String>>> {
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], newline='', encoding=sys.argv[3]) as f:\n\
                  \x20   rows = list(csv.reader(f, delimiter=sys.argv[2]))\n\
                  sys.stdout.write(json.dumps(rows, ensure_ascii=True))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .args([delimiter, encoding])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[derive(Debug, Clone)]
struct Quote {
    transcript: String,
    code: String,
    quote: String,
    memo: Option<String>,
}

fn fixture_quotes(coder: &str) -> Vec<Quote> {
    let text =
        std::fs::read_to_string(fixture("export").join(format!("quotes/{coder}.jsonl"))).unwrap();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Quote {
                transcript: v["transcript"].as_str().unwrap().into(),
                code: v["code"].as_str().unwrap().into(),
                quote: v["quote"].as_str().unwrap().into(),
                memo: v["memo"].as_str().map(str::to_string),
            }
        })
        .collect()
}

/// respondents.csv read by the test itself: id -> (group, school type), in file order.
fn respondents() -> Vec<(String, String, String)> {
    let bytes = std::fs::read(fixture("export").join("transcripts/respondents.csv")).unwrap();
    let rows = read_csv(&bytes, b',');
    rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[2].clone(), r[4].clone()))
        .collect()
}

const GROUPS: [&str; 3] = ["docent", "zorgcoördinator", "leidinggevende"];
const CODES: [&str; 5] = ["niet-pluis", "signalen", "melden", "twijfel", "wensen"];

fn formula_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[test]
fn quotes_csv_reads_back_with_csv_crate_and_python() {
    let dir = project();
    codewerk(dir.path())
        .args(["--coder", "ann", "export", "quotes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "14 passage(s) from 6 respondent(s), coder ann",
        ));
    let path = dir.path().join("exports/quotes-ann.csv");
    let bytes = std::fs::read(&path).unwrap();
    let rows = read_csv(&bytes, b',');
    assert_eq!(rows[0][14], "quote");
    let body = &rows[1..];

    // Expected order, computed here: code (codebook order, which is by deelvraag), group,
    // respondent (respondents.csv order), position in the transcript.
    let resp = respondents();
    let mut expected = fixture_quotes("ann");
    let start = |q: &Quote| {
        let t = std::fs::read_to_string(
            fixture("export").join(format!("transcripts/{}.txt", q.transcript)),
        )
        .unwrap();
        t[..t.find(&q.quote).unwrap()].chars().count()
    };
    let key = |q: &Quote| {
        let r = resp.iter().position(|r| r.0 == q.transcript).unwrap();
        let g = GROUPS.iter().position(|g| *g == resp[r].1).unwrap();
        (
            CODES.iter().position(|c| *c == q.code).unwrap(),
            g,
            r,
            start(q),
        )
    };
    expected.sort_by_key(key);
    assert_eq!(body.len(), expected.len());
    for (row, q) in body.iter().zip(&expected) {
        assert_eq!(row[3], q.code);
        assert_eq!(row[10], q.transcript);
        assert_eq!(
            row[14],
            formula_safe(&q.quote),
            "exact text, line breaks kept"
        );
        assert_eq!(row[15], q.memo.clone().unwrap_or_default());
        assert_eq!(row[12].parse::<usize>().unwrap(), start(q));
        assert_eq!(
            row[13].parse::<usize>().unwrap(),
            start(q) + q.quote.chars().count()
        );
    }
    assert!(
        body.iter()
            .any(|r| r[14].contains('\n') && r[14].contains('"') && r[14].contains(';'))
    );
    assert!(
        body.iter()
            .any(|r| r[9] == "Café-school Noël" && r[7] == "zorgcoördinator")
    );

    match python_csv(&path, ",", "utf-8") {
        Some(py) => assert_eq!(py, rows, "Python's csv module reads the same cells"),
        None => eprintln!("python3 not found: skipped the Python read-back"),
    }
}

#[test]
fn excel_variant_has_bom_semicolons_and_reads_back_the_same() {
    let dir = project();
    codewerk(dir.path())
        .args(["--coder", "ann", "export", "quotes", "--excel"])
        .assert()
        .success();
    let path = dir.path().join("exports/quotes-ann-excel.csv");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFdeelvraag;deelvraag_title;"));
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "CRLF between records"
    );
    let excel = read_csv(&bytes[3..], b';');
    let plain = read_csv(&export(dir.path(), &["quotes"]), b',');
    assert_eq!(excel, plain);
    match python_csv(&path, ";", "utf-8-sig") {
        Some(py) => assert_eq!(py, plain),
        None => eprintln!("python3 not found: skipped the Python read-back"),
    }
    // Shares get a decimal comma for a Dutch Excel.
    let summary = export(dir.path(), &["summary", "--excel"]);
    let rows = read_csv(&summary[3..], b';');
    let share = rows[0].iter().position(|h| h == "share").unwrap();
    assert_eq!(rows[1][share], "0,333", "niet-pluis: 1 of 3 docenten");
}

#[test]
fn summary_counts_match_counts_computed_here() {
    let dir = project();
    let rows = read_csv(&export(dir.path(), &["summary"]), b',');
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        rows.len() - 1,
        CODES.len() * GROUPS.len(),
        "every code × group, zeros included"
    );

    let resp = respondents();
    let quotes = fixture_quotes("ann");
    let plural = |g: &str| match g {
        "docent" => "docenten",
        "zorgcoördinator" => "zorgcoördinatoren",
        _ => "leidinggevenden",
    };
    let mut i = 1;
    for code in CODES {
        for group in GROUPS {
            let row = &rows[i];
            i += 1;
            assert_eq!(
                (row[col("code_id")].as_str(), row[col("group")].as_str()),
                (code, group)
            );
            let in_group = |t: &str, st: Option<&str>| {
                resp.iter()
                    .any(|r| r.0 == t && r.1 == group && st.is_none_or(|s| r.2 == s))
            };
            for st in [None, Some("vmbo"), Some("havo-vwo")] {
                let said: Vec<&Quote> = quotes
                    .iter()
                    .filter(|q| q.code == code && in_group(&q.transcript, st))
                    .collect();
                let who: BTreeSet<&str> = said.iter().map(|q| q.transcript.as_str()).collect();
                let size = resp
                    .iter()
                    .filter(|r| r.1 == group && st.is_none_or(|s| r.2 == s))
                    .count();
                let suffix = st.map_or(String::new(), |s| format!("_{s}"));
                let num = |name: &str| {
                    row[col(&format!("{name}{suffix}"))]
                        .parse::<usize>()
                        .unwrap()
                };
                assert_eq!(num("respondents"), who.len(), "{code} {group} {st:?}");
                assert_eq!(num("group_size"), size, "{code} {group} {st:?}");
                assert_eq!(num("passages"), said.len(), "{code} {group} {st:?}");
                let share = &row[col(&format!("share{suffix}"))];
                if size == 0 {
                    assert_eq!(share, "");
                } else {
                    assert_eq!(share, &format!("{:.3}", who.len() as f64 / size as f64));
                }
                if st.is_none() {
                    assert_eq!(
                        row[col("text")],
                        format!("{} of {size} {}", who.len(), plural(group))
                    );
                }
            }
        }
    }
}

/// Every export kind and format, written twice by separate runs: byte-identical.
#[test]
fn exports_are_deterministic() {
    let dir = project();
    let cases: [&[&str]; 12] = [
        &["quotes"],
        &["quotes", "--excel"],
        &["quotes", "--format", "xlsx"],
        &["quotes", "--format", "json"],
        &["summary"],
        &["summary", "--format", "xlsx"],
        &["summary", "--format", "json"],
        &["report"],
        &["report", "--format", "html"],
        &["matrix"],
        &["matrix", "--binary", "--format", "xlsx"],
        &["matrix", "--format", "json"],
    ];
    for args in cases {
        let a = export(dir.path(), args);
        let b = export(dir.path(), args);
        assert!(!a.is_empty());
        assert!(a == b, "export {args:?} differs between runs");
    }
}

fn xlsx(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(bytes)).unwrap()
}

fn cell_str(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn xlsx_opens_with_one_sheet_per_deelvraag_and_exact_text() {
    let dir = project();
    codewerk(dir.path())
        .args(["--coder", "ann", "export", "quotes", "--format", "xlsx"])
        .assert()
        .success();
    let bytes = std::fs::read(dir.path().join("exports/quotes-ann.xlsx")).unwrap();
    let mut wb = xlsx(bytes);
    assert_eq!(
        wb.sheet_names(),
        ["1. Signaleren en handelen", "2. Knelpunten en dilemma’s"]
    );
    let csv_rows = read_csv(&export(dir.path(), &["quotes"]), b',');
    let mut from_sheets: Vec<Vec<String>> = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_str).collect())
            .collect();
        assert_eq!(rows[0], csv_rows[0], "same header on every sheet");
        from_sheets.extend(rows.into_iter().skip(1));
    }
    assert_eq!(from_sheets.len(), csv_rows.len() - 1);
    for (x, c) in from_sheets.iter().zip(&csv_rows[1..]) {
        // xlsx string cells are never formulas: the text is exact, without the CSV's apostrophe.
        assert_eq!(formula_safe(&x[14]), c[14]);
        assert_eq!(x[10], c[10]);
        assert_eq!(x[12], c[12]);
    }
    let texts: Vec<&str> = from_sheets.iter().map(|r| r[14].as_str()).collect();
    assert!(texts.contains(&"=ALS(A1;\"ja\";\"nee\") zei mijn collega altijd"));
    assert!(
        texts.contains(
            &"- blauwe plekken, vaak op de armen\n- te laat komen, moe zijn, geen ontbijt"
        )
    );

    // Summary: numbers are numbers, shares fractions.
    let mut wb = xlsx(export(dir.path(), &["summary", "--format", "xlsx"]));
    let range = wb.worksheet_range("1. Signaleren en handelen").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(cell_str).collect();
    let share = header.iter().position(|h| h == "share").unwrap();
    let first = range.rows().nth(1).unwrap();
    assert_eq!(cell_str(&first[4]), "Niet pluis gevoel");
    assert!(matches!(first[share], Data::Float(f) if (f - 1.0 / 3.0).abs() < 1e-9));

    // Matrix: one sheet, every respondent.
    let mut wb = xlsx(export(
        dir.path(),
        &["matrix", "--binary", "--format", "xlsx"],
    ));
    let range = wb.worksheet_range("matrix (0-1)").unwrap();
    assert_eq!(range.rows().count(), 1 + 6);
}

#[test]
fn formula_characters_are_escaped_in_csv_only() {
    let dir = project();
    let csv = String::from_utf8(export(dir.path(), &["quotes"])).unwrap();
    for start in ["'=ALS(", "'- blauwe", "'+1 voor", "'@iedereen"] {
        assert!(csv.contains(start), "{start}");
    }
    assert!(!csv.contains(",=ALS") && !csv.contains("\"=ALS"));
    let json: serde_json::Value =
        serde_json::from_slice(&export(dir.path(), &["quotes", "--format", "json"])).unwrap();
    let quotes: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["quote"].as_str().unwrap())
        .collect();
    assert!(quotes.contains(&"+1 voor meer scholing, zeg maar."));
    assert!(
        quotes.contains(
            &"@iedereen zou de meldcode moeten kennen, ook de gymdocent en de conciërge."
        )
    );
}

#[test]
fn exports_never_overwrite_silently() {
    let dir = project();
    let run = |extra: &[&str]| {
        codewerk(dir.path())
            .args(["--coder", "ann", "export", "matrix"])
            .args(extra)
            .assert()
    };
    run(&[]).success();
    let first = dir.path().join("exports/matrix-ann.csv");
    std::fs::write(&first, "mine").unwrap();
    run(&[])
        .success()
        .stdout(predicate::str::contains("matrix-ann-2.csv"))
        .stderr(predicate::str::contains("exists already and was kept"));
    assert_eq!(std::fs::read_to_string(&first).unwrap(), "mine");

    let out = dir.path().join("eigen.csv");
    std::fs::write(&out, "keep").unwrap();
    run(&["--out", out.to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains("exists already; use --force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    run(&["--out", out.to_str().unwrap(), "--force"]).success();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("respondent,group")
    );
    run(&["--force"]).success();
    assert!(
        std::fs::read_to_string(&first)
            .unwrap()
            .starts_with("respondent,group")
    );
    let names: Vec<String> = std::fs::read_dir(dir.path().join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temp files left: {names:?}");
}

#[test]
fn misspelt_coder_is_refused_while_others_exist() {
    let dir = project();
    codewerk(dir.path())
        .args(["--coder", "niemand", "export", "summary", "--out", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "coder \"niemand\" has no codings in this project (coders: ann, bob)",
        ));
}

#[test]
fn coder_without_journal_gives_empty_valid_exports() {
    // A project where nobody has coded yet.
    let dir = copy("export");
    let run = |args: &[&str]| {
        let out = codewerk(dir.path())
            .args(["--coder", "niemand", "export"])
            .args(args)
            .args(["--out", "-"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("coder niemand has no journal"));
        out.stdout
    };
    let quotes = read_csv(&run(&["quotes"]), b',');
    assert_eq!(quotes.len(), 1, "headers only");
    assert_eq!(quotes[0].len(), 20);
    let summary = read_csv(&run(&["summary"]), b',');
    assert_eq!(summary.len(), 1 + 15);
    assert!(summary[1..].iter().all(|r| r[6] == "0" && r[9] == "0"));
    let matrix = read_csv(&run(&["matrix"]), b',');
    assert_eq!(matrix.len(), 1 + 6);
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["quotes", "--format", "json"])).unwrap();
    assert_eq!(json, serde_json::json!([]));
    let mut wb = xlsx(run(&["quotes", "--format", "xlsx"]));
    assert_eq!(wb.sheet_names().len(), 2);
    assert_eq!(
        wb.worksheet_range("1. Signaleren en handelen")
            .unwrap()
            .rows()
            .count(),
        1
    );
    let md = String::from_utf8(run(&["report"])).unwrap();
    assert!(md.contains("has no codings yet"));
}

#[test]
fn coder_is_asked_for_when_there_are_several() {
    let dir = project();
    codewerk(dir.path())
        .args(["export", "summary"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give --coder (coders: ann, bob)"));
    let out = codewerk(dir.path())
        .env("CODEWERK_CODER", "bob")
        .args(["export", "quotes", "--out", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows = read_csv(&out.stdout, b',');
    assert_eq!(rows.len(), 1 + 2);
    assert!(rows[1..].iter().all(|r| r[16] == "bob"));
}

#[test]
fn filters_select_and_name_the_export() {
    let dir = project();
    codewerk(dir.path())
        .args([
            "--coder",
            "ann",
            "export",
            "quotes",
            "--deelvraag",
            "2",
            "--group",
            "docenten",
            "--school-type",
            "havo-vwo",
        ])
        .assert()
        .success();
    let bytes = std::fs::read(
        dir.path()
            .join("exports/quotes-ann-dv2-docent-havo-vwo.csv"),
    )
    .unwrap();
    let rows = read_csv(&bytes, b',');
    let got: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[3].as_str(), r[10].as_str()))
        .collect();
    assert_eq!(got, [("twijfel", "B-D1"), ("wensen", "B-D1")]);

    let rows = read_csv(
        &export(
            dir.path(),
            &[
                "summary",
                "--code",
                "Twijfel en onbekendheid",
                "-g",
                "zorgcoordinator",
            ],
        ),
        b',',
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][10], "1 of 2 zorgcoördinatoren");

    let rows = read_csv(
        &export(
            dir.path(),
            &["matrix", "--deelvraag", "1", "--school-type", "vmbo"],
        ),
        b',',
    );
    assert_eq!(
        rows[0],
        [
            "respondent",
            "group",
            "school",
            "school_type",
            "geslacht",
            "jaren_ervaring",
            "niet-pluis",
            "signalen",
            "melden"
        ]
    );
    assert_eq!(
        rows[1],
        [
            "A-D1",
            "docent",
            "School Één",
            "vmbo",
            "v",
            "3",
            "2",
            "1",
            "1"
        ]
    );
    assert_eq!(rows.len(), 1 + 3);

    for (args, message) in [
        (
            &["quotes", "--group", "leerling"][..],
            "unknown group \"leerling\"",
        ),
        (&["quotes", "--deelvraag", "9"], "unknown deelvraag \"9\""),
        (&["quotes", "--code", "x"], "unknown code \"x\""),
        (&["report", "--format", "csv"], "use one of: md, html"),
        (
            &["quotes", "--format", "xlsx", "--excel"],
            "--excel is a CSV variant",
        ),
        (
            &["summary", "--binary"],
            "--binary applies to `export matrix` only",
        ),
        (
            &["quotes", "--format", "pdf"],
            "invalid value 'pdf' for '--format <FORMAT>'\n  [possible values: csv, xlsx, json, md, html]",
        ),
    ] {
        codewerk(dir.path())
            .args(["--coder", "ann", "export"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    assert_eq!(
        std::fs::read_dir(dir.path().join("exports"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn matrix_counts_and_binary() {
    let dir = project();
    let rows = read_csv(&export(dir.path(), &["matrix"]), b',');
    assert_eq!(&rows[0][6..], CODES);
    let quotes = fixture_quotes("ann");
    for (i, (id, _, _)) in respondents().iter().enumerate() {
        for (c, code) in CODES.iter().enumerate() {
            let n = quotes
                .iter()
                .filter(|q| &q.transcript == id && q.code == *code)
                .count();
            assert_eq!(rows[i + 1][6 + c], n.to_string(), "{id} {code}");
        }
    }
    let binary = read_csv(&export(dir.path(), &["matrix", "--binary"]), b',');
    assert_eq!(
        binary[1][6], "1",
        "A-D1 has 2 niet-pluis passages: 1 in binary"
    );
    assert!(
        binary[1..]
            .iter()
            .all(|r| r[6..].iter().all(|c| c == "0" || c == "1"))
    );
    let json: serde_json::Value =
        serde_json::from_slice(&export(dir.path(), &["matrix", "--format", "json"])).unwrap();
    assert_eq!(json["respondents"][0]["codes"]["niet-pluis"], 2);
    assert_eq!(json["respondents"][3]["attributes"]["jaren_ervaring"], "1");
}

#[test]
fn reports_in_markdown_and_html() {
    let dir = project();
    codewerk(dir.path())
        .args(["--coder", "ann", "export", "report"])
        .assert()
        .success();
    codewerk(dir.path())
        .args(["--coder", "ann", "export", "report", "--format", "html"])
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("exports/report-ann.md")).unwrap();
    let docenten = md.find("## Docenten (3)").unwrap();
    let zorg = md.find("## Zorgcoördinatoren (2)").unwrap();
    let leiding = md.find("## Leidinggevenden (1)").unwrap();
    assert!(docenten < zorg && zorg < leiding);
    let part = &md[docenten..zorg];
    assert!(part.contains("#### Twijfel en onbekendheid\n\n**2 of 3 docenten** · 2 passages · vmbo 1 of 2 · havo-vwo 1 of 1"), "{part}");
    assert!(part.contains("> Soms heb je zo'n \"niet pluis\"-gevoel; je weet het niet, maar het klopt niet.\\\n> Dan denk ik: één keer te veel.\n>\n> — A-D1, vmbo"), "{part}");
    assert!(
        part.contains("> \\- blauwe plekken, vaak op de armen\\\n> \\- te laat komen"),
        "{part}"
    );
    assert!(
        !part.contains("Not mentioned"),
        "docenten mention every code: {part}"
    );
    assert!(md[zorg..leiding].contains(
        "Not mentioned by any of the 2 zorgcoördinatoren: Melden bij de zorgcoördinator."
    ));

    let html = std::fs::read_to_string(dir.path().join("exports/report-ann.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"));
    for external in ["<script", "<link", "src=", "http://", "https://"] {
        assert!(!html.contains(external), "self-contained: {external}");
    }
    assert!(
        html.contains("style=\"background:#C0392B;color:#FFFFFF\">Twijfel en onbekendheid</span>")
    );
    assert!(html.contains("<blockquote style=\"border-left-color:#FFE135\"><p class=\"q\">Soms heb je zo'n &quot;niet pluis&quot;-gevoel; je weet het niet, maar het klopt niet.\nDan denk ik: één keer te veel.</p><footer>— A-D1, vmbo</footer>"));
    assert!(html.contains("2 of 3 docenten"));
}

#[test]
fn stdout_and_relative_out_paths() {
    let dir = project();
    let out = export(dir.path(), &["summary", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 15);
    let target: PathBuf = dir.path().join("sub/dir/s.json");
    codewerk(dir.path())
        .args([
            "--coder", "ann", "export", "summary", "--format", "json", "--out",
        ])
        .arg(&target)
        .assert()
        .success()
        .stdout(predicate::str::contains("s.json"));
    assert_eq!(std::fs::read(&target).unwrap(), out);
    let by_group: BTreeMap<String, u64> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code_id"] == "twijfel")
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["respondents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_group["docent"], 2);
    assert_eq!(by_group["zorgcoördinator"], 1);
    assert_eq!(by_group["leidinggevende"], 1);
}

/// The demo project's summary, for both coders, against a recount that shares nothing with the
/// export code: codings from the journal replay, groups and school types read from
/// respondents.csv with the csv crate, interviewer turns found by the test from the `I:` labels.
#[test]
fn summary_counts_equal_an_independent_recount_of_the_demo() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rows = csv::Reader::from_path(root.join("transcripts/respondents.csv")).unwrap();
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, file, group, school_type) = (col("id"), col("file"), col("group"), col("school_type"));
    let mut respondents = BTreeMap::new();
    for r in rows.records() {
        let r = r.unwrap();
        respondents.insert(
            r[id].to_string(),
            (
                r[file].to_string(),
                r[group].to_string(),
                r[school_type].to_string(),
            ),
        );
    }
    // Turn label at each character offset: a line "LABEL: ..." starts a turn.
    let label_at = |text: &str, at: usize| -> String {
        let mut label = String::new();
        let mut pos = 0;
        for line in text.split('\n') {
            if pos > at {
                break;
            }
            if let Some((l, _)) = line.split_once(": ")
                && !l.is_empty()
                && l.len() < 20
                && !l.contains(' ')
            {
                label = l.to_string();
            }
            pos += line.chars().count() + 1;
        }
        label
    };
    for coder in ["student", "onderzoeker"] {
        let state = codewerk::core::coding::CoderState::load(
            &root.join(format!("codings/{coder}.jsonl")),
            coder,
        )
        .unwrap();
        // (code, group) -> (respondents, passages); (code, group, school type) likewise.
        let mut by_group: BTreeMap<(String, String), (BTreeSet<String>, usize)> = BTreeMap::new();
        let mut by_type: BTreeMap<(String, String, String), (BTreeSet<String>, usize)> =
            BTreeMap::new();
        let mut texts = BTreeMap::new();
        for c in state.codings.values() {
            let (file, group, school_type) = &respondents[&c.transcript];
            let text = texts.entry(file.clone()).or_insert_with(|| {
                std::fs::read_to_string(root.join("transcripts").join(file)).unwrap()
            });
            let (first, last) = (label_at(text, c.start), label_at(text, c.end - 1));
            if first == "I" && last == "I" {
                continue;
            }
            let g = by_group.entry((c.code.clone(), group.clone())).or_default();
            g.0.insert(c.transcript.clone());
            g.1 += 1;
            let t = by_type
                .entry((c.code.clone(), group.clone(), school_type.clone()))
                .or_default();
            t.0.insert(c.transcript.clone());
            t.1 += 1;
        }
        let summary = json_of(codewerk(root).args([
            "--coder", coder, "export", "summary", "--format", "json", "--out", "-",
        ]));
        let mut checked = 0;
        for row in summary.as_array().unwrap() {
            let key = (
                row["code_id"].as_str().unwrap().to_string(),
                row["group"].as_str().unwrap().to_string(),
            );
            let (who, passages) = by_group.remove(&key).unwrap_or_default();
            assert_eq!(
                row["respondents"].as_u64().unwrap() as usize,
                who.len(),
                "{coder} {key:?}"
            );
            assert_eq!(
                row["passages"].as_u64().unwrap() as usize,
                passages,
                "{coder} {key:?}"
            );
            let size = respondents.values().filter(|r| r.1 == key.1).count();
            assert_eq!(
                row["group_size"].as_u64().unwrap() as usize,
                size,
                "{key:?}"
            );
            for t in row["by_school_type"].as_array().unwrap() {
                let tk = (
                    key.0.clone(),
                    key.1.clone(),
                    t["school_type"].as_str().unwrap().to_string(),
                );
                let (who, passages) = by_type.remove(&tk).unwrap_or_default();
                assert_eq!(
                    t["respondents"].as_u64().unwrap() as usize,
                    who.len(),
                    "{coder} {tk:?}"
                );
                assert_eq!(
                    t["passages"].as_u64().unwrap() as usize,
                    passages,
                    "{coder} {tk:?}"
                );
                checked += 1;
            }
        }
        // Nothing counted by the recount is missing from the summary.
        assert!(
            by_group.is_empty(),
            "{coder}: not in the summary: {by_group:?}"
        );
        assert!(
            by_type.is_empty(),
            "{coder}: not in the summary: {by_type:?}"
        );
        assert!(checked > 100, "{coder}: only {checked} cells checked");
    }
}
