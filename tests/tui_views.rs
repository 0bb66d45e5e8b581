#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The clusters view (C) and the code matrix view (M) of the TUI, driven by keys on a copy of the
//! export fixture (six respondents in three groups and two school types, coders ann and bob),
//! with the counts checked against counts made here from the fixture's own files.

mod common;

use codewerk::core::coding::Op;
use codewerk::core::export::matrix::Columns;
use codewerk::core::project::Project;
use codewerk::tui::app::{App, View};
use codewerk::tui::views::clusters::ClustersView;
use codewerk::tui::views::matrix::MatrixView;
use crossterm::event::KeyCode;
use ratatui::style::Color;
use std::collections::{BTreeMap, BTreeSet};

use common::tui::{H, W, app_in, draw, key, keys};

/// The export fixture with the codings of ann and bob imported into their journals.
fn project() -> tempfile::TempDir {
    let dir = common::copy("export");
    let p = Project::load(dir.path()).unwrap();
    for coder in ["ann", "bob"] {
        let path = dir.path().join(format!("quotes/{coder}.jsonl"));
        let bytes = std::fs::read(&path).unwrap();
        let codings = codewerk::core::import::read_quotes(&p, &path, &bytes).unwrap();
        let mut j = p.open_journal(coder).unwrap();
        j.record(codings.into_iter().map(Op::Add).collect())
            .unwrap();
    }
    dir
}

fn screen(app: &App) -> String {
    let t = draw(app);
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn clusters(app: &App) -> &ClustersView {
    match &app.view {
        Some(View::Clusters(v)) => v,
        Some(View::Matrix(m)) => m.clusters.as_deref().expect("the matrix's clusters"),
        _ => panic!("the clusters view is not open"),
    }
}

fn matrix(app: &App) -> &MatrixView {
    match &app.view {
        Some(View::Matrix(v)) => v,
        _ => panic!("the matrix view is not open"),
    }
}

/// Counted from the fixture's files, not through codewerk: per (code, group), the distinct
/// respondents with a quote and the passages; and the respondents per group and school type.
struct Expected {
    /// respondent -> (group, school type)
    respondents: BTreeMap<String, (String, String)>,
    /// (code, respondent) -> passages
    passages: BTreeMap<(String, String), usize>,
}

impl Expected {
    fn of(coder: &str) -> Expected {
        let root = common::fixture("export");
        let mut r = csv::Reader::from_path(root.join("transcripts/respondents.csv")).unwrap();
        let respondents = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[0].to_string(), (rec[2].to_string(), rec[4].to_string()))
            })
            .collect();
        let mut passages = BTreeMap::new();
        let quotes = std::fs::read_to_string(root.join(format!("quotes/{coder}.jsonl"))).unwrap();
        for line in quotes.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let key = (
                v["code"].as_str().unwrap().to_string(),
                v["transcript"].as_str().unwrap().to_string(),
            );
            *passages.entry(key).or_insert(0) += 1;
        }
        Expected {
            respondents,
            passages,
        }
    }

    /// (respondents with the code, respondents in the cell, passages) for the respondents
    /// that `keep` selects.
    fn count(&self, code: &str, keep: impl Fn(&str, &str) -> bool) -> (usize, usize, usize) {
        let mut n = (0, 0, 0);
        for (id, (g, t)) in &self.respondents {
            if keep(g, t) {
                n.1 += 1;
                let p = self
                    .passages
                    .get(&(code.to_string(), id.clone()))
                    .copied()
                    .unwrap_or(0);
                n.0 += usize::from(p > 0);
                n.2 += p;
            }
        }
        n
    }
}

#[test]
fn clusters_view_counts_per_group_and_jumps_to_the_quote() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    assert_eq!(app.selected_code().unwrap().id, "niet-pluis");
    keys(&mut app, "C");
    let v = clusters(&app);
    assert_eq!(v.code, "niet-pluis");
    let exp = Expected::of("ann");
    let groups = [
        ("docent", "docenten"),
        ("zorgcoördinator", "zorgcoördinatoren"),
        ("leidinggevende", "leidinggevenden"),
    ];
    let shown = screen(&app);
    for (i, (g, plural)) in groups.iter().enumerate() {
        let (n, m, passages) = exp.count("niet-pluis", |group, _| group == *g);
        let c = &v.clusters[i];
        assert_eq!(
            (c.count.respondents, c.count.of, c.count.passages),
            (n, m, passages)
        );
        assert_eq!(c.quotes.len(), passages);
        let heading = format!("{n} of {m} {plural}");
        assert!(shown.contains(&heading), "{heading} in\n{shown}");
    }
    let (n, m, _) = exp.count("niet-pluis", |_, _| true);
    assert!(shown.contains(&format!("Niet pluis gevoel · {n} of {m} respondents")));

    // The second quote: Enter shows it in its transcript, flashed; C comes back to it.
    keys(&mut app, "j");
    let q = clusters(&app).quote(1).unwrap().clone();
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    let t = app.transcript().unwrap();
    assert_eq!(t.id, q.respondent);
    assert_eq!(app.text.flash, Some((q.start, q.end)));
    assert_eq!(t.slice(q.start, q.end), q.text);
    assert_eq!(app.text.cursor, q.start);
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("C: back to the clusters")
    );
    keys(&mut app, "C");
    assert_eq!(clusters(&app).selected, 1, "back where we were");
    key(&mut app, KeyCode::Esc);
    assert!(app.view.is_none());
}

#[test]
fn clusters_view_picks_codes_filters_and_splits_by_school_type() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    let exp = Expected::of("ann");
    keys(&mut app, "C");
    // → next code, d the first code of the next deelvraag.
    keys(&mut app, "l");
    assert_eq!(clusters(&app).code, "signalen");
    key(&mut app, KeyCode::Left);
    assert_eq!(clusters(&app).code, "niet-pluis");
    keys(&mut app, "d");
    assert_eq!(clusters(&app).code, "twijfel");
    // g: only the docenten; the header counts among them.
    keys(&mut app, "g");
    let v = clusters(&app);
    assert_eq!(v.group.as_deref(), Some("docent"));
    assert_eq!(v.clusters.len(), 1);
    let (n, m, _) = exp.count("twijfel", |g, _| g == "docent");
    assert!(screen(&app).contains(&format!("{n} of {m} docenten")));
    // t: one cluster per school type within the group, each counted on its own.
    keys(&mut app, "t");
    let v = clusters(&app);
    let got: Vec<(String, usize, usize)> = v
        .clusters
        .iter()
        .map(|c| {
            (
                c.school_type.clone().unwrap(),
                c.count.respondents,
                c.count.of,
            )
        })
        .collect();
    let want: Vec<(String, usize, usize)> = ["vmbo", "havo-vwo"]
        .iter()
        .map(|t| {
            let (n, m, _) = exp.count("twijfel", |g, st| g == "docent" && st == *t);
            (t.to_string(), n, m)
        })
        .collect();
    assert_eq!(got, want);
    // s: one school type as well; g cycles back to all groups.
    keys(&mut app, "s");
    assert_eq!(clusters(&app).school_type.as_deref(), Some("vmbo"));
    keys(&mut app, "ggg");
    let v = clusters(&app);
    assert_eq!(v.group, None);
    let (n, m, _) = exp.count("twijfel", |_, st| st == "vmbo");
    assert_eq!((v.total().respondents, v.total().of), (n, m));
}

#[test]
fn clusters_view_exports_the_quotes_shown() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    keys(&mut app, "Cg");
    keys(&mut app, "x");
    let name = "quotes-ann-dv1-docent-niet-pluis.csv";
    let path = dir.path().join("exports").join(name);
    assert!(path.exists());
    let msg = &app.message.as_ref().unwrap().text;
    assert!(msg.contains(&format!("exports/{name}")), "{msg}");
    let mut r = csv::Reader::from_path(&path).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let (_, _, passages) = Expected::of("ann").count("niet-pluis", |g, _| g == "docent");
    assert_eq!(rows.len(), passages);
    let headers = r.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    assert!(
        rows.iter()
            .all(|row| &row[col("code_id")] == "niet-pluis" && &row[col("group")] == "docent")
    );
    // Never over an existing export: the next one gets a new name, the first is kept as it was.
    let first = std::fs::read(&path).unwrap();
    keys(&mut app, "x");
    assert!(
        dir.path()
            .join("exports/quotes-ann-dv1-docent-niet-pluis-2.csv")
            .exists()
    );
    assert_eq!(std::fs::read(&path).unwrap(), first);
    // X: the same for Excel in a Dutch locale (BOM, semicolons).
    keys(&mut app, "X");
    let excel = std::fs::read(
        dir.path()
            .join("exports/quotes-ann-dv1-docent-niet-pluis-excel.csv"),
    )
    .unwrap();
    assert!(excel.starts_with("\u{feff}".as_bytes()));
    assert!(
        String::from_utf8(excel)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .contains(';')
    );
}

#[test]
fn clusters_count_the_codings_made_in_this_session() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    keys(&mut app, "C");
    let before = clusters(&app).total();
    key(&mut app, KeyCode::Esc);
    // Code a passage of A-D2 (no niet-pluis yet) with niet-pluis (hotkey 1).
    let i = app.project.index_of("A-D2").unwrap();
    app.open(i);
    let at = app.transcript().unwrap().find_all("Ik twijfel")[0];
    keys(&mut app, "g");
    for _ in 0..at {
        key(&mut app, KeyCode::Right);
    }
    keys(&mut app, "s1");
    keys(&mut app, "C");
    let after = clusters(&app).total();
    assert_eq!(after.respondents, before.respondents + 1);
    assert_eq!(after.passages, before.passages + 1);
}

#[test]
fn matrix_view_counts_toggles_columns_and_opens_a_cell() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    let exp = Expected::of("ann");
    keys(&mut app, "M");
    let m = matrix(&app);
    let groups = ["docent", "zorgcoördinator", "leidinggevende"];
    let labels: Vec<&str> = m.matrix.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["docenten", "zorgcoördinatoren", "leidinggevenden"]);
    for row in &m.matrix.rows {
        for (c, g) in groups.iter().enumerate() {
            let (n, of, p) = exp.count(&row.code, |group, _| group == *g);
            let cell = row.cells[c];
            assert_eq!(
                (cell.respondents, cell.of, cell.passages),
                (n, of, p),
                "{} × {g}",
                row.code
            );
        }
        let (n, of, _) = exp.count(&row.code, |_, _| true);
        assert_eq!((row.total.respondents, row.total.of), (n, of));
    }
    let shown = screen(&app);
    assert!(shown.contains("Code matrix · ann"));
    assert!(shown.contains("n=3") && shown.contains("n=6"));
    // t: groups × school type, then school types, then back to groups.
    keys(&mut app, "t");
    let m = matrix(&app);
    assert_eq!(m.columns, Columns::GroupsBySchoolType);
    let cols: Vec<(Option<&str>, Option<&str>, usize)> = m
        .matrix
        .columns
        .iter()
        .map(|c| (c.group.as_deref(), c.school_type.as_deref(), c.size))
        .collect();
    assert_eq!(
        cols,
        [
            (Some("docent"), Some("vmbo"), 2),
            (Some("docent"), Some("havo-vwo"), 1),
            (Some("zorgcoördinator"), Some("vmbo"), 1),
            (Some("zorgcoördinator"), Some("havo-vwo"), 1),
            (Some("leidinggevende"), Some("havo-vwo"), 1),
        ]
    );
    keys(&mut app, "t");
    assert_eq!(matrix(&app).columns, Columns::SchoolTypes);
    keys(&mut app, "t");
    assert_eq!(matrix(&app).columns, Columns::Groups);

    // Down to twijfel (row 3), right to the zorgcoördinatoren; Enter lists their quotes.
    keys(&mut app, "jjjl");
    let m = matrix(&app);
    assert_eq!(m.matrix.rows[m.row].code, "twijfel");
    let detail = screen(&app);
    let (n, of, _) = exp.count("twijfel", |g, _| g == "zorgcoördinator");
    assert!(
        detail.contains(&format!(
            "Twijfel en onbekendheid × zorgcoördinatoren: {n} of {of} zorgcoördinatoren"
        )),
        "{detail}"
    );
    key(&mut app, KeyCode::Enter);
    let v = clusters(&app);
    assert_eq!(
        (v.code.as_str(), v.group.as_deref()),
        ("twijfel", Some("zorgcoördinator"))
    );
    assert_eq!(
        v.len(),
        exp.count("twijfel", |g, _| g == "zorgcoördinator").2
    );
    // A quote: Enter shows it; M comes back to the matrix with the quotes still open.
    let q = v.quote(0).unwrap().clone();
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    assert_eq!(app.transcript().unwrap().id, q.respondent);
    assert_eq!(app.text.flash, Some((q.start, q.end)));
    keys(&mut app, "M");
    assert_eq!(clusters(&app).code, "twijfel");
    // Esc: from the quotes back to the matrix, then closed.
    key(&mut app, KeyCode::Esc);
    assert!(matrix(&app).clusters.is_none());
    key(&mut app, KeyCode::Esc);
    assert!(app.view.is_none());
}

#[test]
fn matrix_view_exports_the_summary_with_its_filter() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    keys(&mut app, "M");
    keys(&mut app, "x");
    let all = dir.path().join("exports/summary-ann.csv");
    assert!(all.exists());
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("exports/summary-ann.csv")
    );
    // d: only deelvraag 1's codes, and so is the export.
    keys(&mut app, "d");
    let m = matrix(&app);
    assert_eq!(m.deelvraag, Some(1));
    assert!(m.matrix.rows.iter().all(|r| r.deelvraag == 1));
    keys(&mut app, "x");
    let path = dir.path().join("exports/summary-ann-dv1.csv");
    let mut r = csv::Reader::from_path(&path).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "deelvraag").unwrap();
    let dvs: BTreeSet<String> = r
        .records()
        .map(|rec| rec.unwrap()[col].to_string())
        .collect();
    assert_eq!(dvs, BTreeSet::from(["1".to_string()]));
}

#[test]
fn clusters_view_snapshot() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    keys(&mut app, "Cj");
    insta::assert_snapshot!("clusters_view", draw(&app).backend());
}

#[test]
fn matrix_view_snapshot_and_colours() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    keys(&mut app, "M");
    let term = draw(&app);
    insta::assert_snapshot!("matrix_view", term.backend());
    // Each code's swatch and bar are drawn in its colour.
    let buf = term.backend().buffer();
    let row = (0..H)
        .find(|&y| {
            (0..W)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("Niet pluis gevoel")
        })
        .unwrap();
    let geel = Color::Rgb(0xFF, 0xE1, 0x35);
    let swatch = (0..W).find(|&x| buf[(x, row)].symbol() == "█").unwrap();
    assert_eq!(buf[(swatch, row)].fg, geel);
    let bar_cells = (swatch + 2..W)
        .filter(|&x| buf[(x, row)].symbol() == "█")
        .count();
    assert!(bar_cells > 0);
    assert!(
        (swatch + 2..W)
            .filter(|&x| buf[(x, row)].symbol() == "█")
            .all(|x| buf[(x, row)].fg == geel)
    );
}

#[test]
fn a_code_under_an_undeclared_deelvraag_is_reported_not_a_panic() {
    // Loading refuses such a codebook; an API caller could still build one.
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    let mut los = app.project.codebook.codes[0].clone();
    los.id = "los".into();
    los.deelvraag = 9;
    app.project.codebook.codes.push(los);
    app.codes.selected = app.project.codebook.codes.len() - 1;
    keys(&mut app, "C");
    assert!(app.view.is_none());
    let msg = app.message.as_ref().unwrap();
    assert!(msg.error && msg.text.contains("deelvraag"), "{}", msg.text);
    keys(&mut app, "M");
    assert!(matrix(&app).matrix.rows.iter().all(|r| r.code != "los"));
}
