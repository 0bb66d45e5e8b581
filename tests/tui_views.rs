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
fn a_project_with_errors_is_marked_on_the_status_line_and_its_exports_refused() {
    let dir = project();
    // A journal line mangled by hand: its coding is missing from every count.
    let journal = dir.path().join("codings/ann.jsonl");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    let first_end = text.find('\n').unwrap();
    text.replace_range(first_end - 1..first_end, "");
    std::fs::write(&journal, text).unwrap();
    let mut app = app_in(dir.path(), "ann");
    assert!(app.project.has_errors());
    keys(&mut app, "M");
    keys(&mut app, "x");
    let message = app.message.as_ref().unwrap();
    assert!(message.error, "{}", message.text);
    assert!(
        message
            .text
            .starts_with("NOT exported: the project has 1 error (run `codewerk check`)"),
        "{}",
        message.text
    );
    assert!(!dir.path().join("exports/summary-ann.csv").exists());
    // The badge stays after the message is gone, in the error style.
    app.message = None;
    let t = draw(&app);
    let buf = t.backend().buffer();
    let row: String = (0..W)
        .map(|x| buf[(x, H - 2)].symbol().to_string())
        .collect();
    let at = row
        .find(" 1 ERROR ")
        .unwrap_or_else(|| panic!("no badge in {row:?}"));
    let x = u16::try_from(row[..at].chars().count() + 1).unwrap();
    assert_eq!(buf[(x, H - 2)].bg, Color::Red, "{row:?}");
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
    std::sync::Arc::make_mut(&mut app.project)
        .codebook
        .codes
        .push(los);
    app.codes.selected = app.project.codebook.codes.len() - 1;
    keys(&mut app, "C");
    assert!(app.view.is_none());
    let msg = app.message.as_ref().unwrap();
    assert!(msg.error && msg.text.contains("deelvraag"), "{}", msg.text);
    keys(&mut app, "M");
    assert!(matrix(&app).matrix.rows.iter().all(|r| r.code != "los"));
}

fn cooccurrence(app: &App) -> &codewerk::tui::views::cooccurrence::CooccurrenceView {
    match &app.view {
        Some(View::Cooccurrence(v)) => v,
        _ => panic!("the co-occurrence view is not open"),
    }
}

#[test]
fn cooccurrence_view_counts_pairs_switches_unit_and_opens_passages() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    let exp = Expected::of("ann");
    keys(&mut app, "O");
    let v = cooccurrence(&app);
    assert!(screen(&app).contains("Co-occurrence · ann · respondents with both codes"));
    // Every pair against a recount from the fixture's quote file.
    let has = |code: &str, r: &str| {
        exp.passages
            .contains_key(&(code.to_string(), r.to_string()))
    };
    let mut some = None;
    for a in 0..v.codes.len() {
        for b in a + 1..v.codes.len() {
            let (ca, cb) = (&v.codes[a].id, &v.codes[b].id);
            let both = exp
                .respondents
                .keys()
                .filter(|r| has(ca, r) && has(cb, r))
                .count();
            assert_eq!(v.cell(a, b).unwrap().n_ab, both, "{ca} × {cb}");
            assert_eq!(v.cell(b, a).unwrap().n_ab, both, "symmetric");
            if both > 0 && some.is_none() {
                some = Some((a, b, both));
            }
        }
    }
    let (a, b, both) = some.expect("the fixture has a pair said by one respondent");
    // Move to the cell and open it: the passages of both codes of those respondents.
    for _ in 0..a {
        keys(&mut app, "j");
    }
    for _ in 0..b.saturating_sub(1) {
        keys(&mut app, "l");
    }
    let v = cooccurrence(&app);
    assert_eq!((v.row, v.col), (a, b));
    key(&mut app, KeyCode::Enter);
    let v = cooccurrence(&app);
    let (list, _) = v.passages.as_ref().expect("the passages are listed");
    let (ca, cb) = (v.codes[a].id.clone(), v.codes[b].id.clone());
    let want: usize = exp
        .respondents
        .keys()
        .filter(|r| has(&ca, r) && has(&cb, r))
        .map(|r| {
            [&ca, &cb]
                .iter()
                .map(|c| {
                    exp.passages
                        .get(&((*c).clone(), r.clone()))
                        .copied()
                        .unwrap_or(0)
                })
                .sum::<usize>()
        })
        .sum();
    assert_eq!(list.len(), want, "{both} respondent(s) with both");
    let first = list[0].clone();
    assert!(screen(&app).contains("where the two codes occur together"));
    // Enter shows it in the text; O comes back to the list as it was.
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    assert_eq!(app.transcript().unwrap().id, first.transcript);
    keys(&mut app, "O");
    assert!(cooccurrence(&app).passages.is_some());
    key(&mut app, KeyCode::Esc);
    assert!(cooccurrence(&app).passages.is_none());
    // u: the unit cycles to turns, then overlapping passages, and back.
    keys(&mut app, "u");
    assert_eq!(
        cooccurrence(&app).unit,
        codewerk::core::export::cooccurrence::CoUnit::Turn
    );
    assert!(screen(&app).contains("turns with both codes"));
    keys(&mut app, "uu");
    assert_eq!(
        cooccurrence(&app).unit,
        codewerk::core::export::cooccurrence::CoUnit::Respondent
    );
    // g: one group; the counts follow.
    keys(&mut app, "g");
    let v = cooccurrence(&app);
    assert_eq!(v.group.as_deref(), Some("docent"));
    let docent = |r: &str| exp.respondents[r].0 == "docent";
    let both = exp
        .respondents
        .keys()
        .filter(|r| docent(r) && has(&ca, r) && has(&cb, r))
        .count();
    assert_eq!(v.cell(a, b).unwrap().n_ab, both);
    key(&mut app, KeyCode::Esc);
    assert!(app.view.is_none());
}

#[test]
fn cooccurrence_view_snapshot_and_colours() {
    let dir = project();
    let mut app = app_in(dir.path(), "ann");
    keys(&mut app, "O");
    let term = draw(&app);
    insta::assert_snapshot!("cooccurrence_view", term.backend());
    // A pair that occurs together has a heat background; one that never does has none.
    let v = cooccurrence(&app);
    let buf = term.backend().buffer();
    let with_bg = (0..H)
        .flat_map(|y| (0..W).map(move |x| (x, y)))
        .filter(|&(x, y)| matches!(buf[(x, y)].bg, Color::Rgb(..)))
        .count();
    let together = v.cells.values().filter(|r| r.n_ab > 0).count();
    assert!(together > 0);
    assert!(
        with_bg >= together * 4,
        "each cell with a count is coloured"
    );
    // The brightest cell is the pair with the highest c-coefficient.
    let best = v
        .cells
        .values()
        .filter(|r| r.n_ab > 0)
        .map(|r| r.c_coefficient.unwrap_or(0.0))
        .fold(0.0, f64::max);
    let (bg, _) = codewerk::tui::views::cooccurrence::heat(best);
    let want = Color::Rgb(bg.0, bg.1, bg.2);
    assert!(
        (0..H).any(|y| (0..W).any(|x| buf[(x, y)].bg == want)),
        "the best pair's colour is on screen"
    );
}

/// Focus and selection are styles, not text: the snapshot holds the text, the cells are
/// checked one by one (focused border, selected characters, cursor, highlighted code row).
#[test]
fn focus_and_selection_styles_snapshot() {
    use codewerk::tui::draw;
    use codewerk::tui::keymap::Focus;
    use ratatui::layout::Rect;
    use ratatui::style::Modifier;
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    let at = app.transcript().unwrap().find_all("Dan ga ik")[0];
    keys(&mut app, "g");
    for _ in 0..at {
        key(&mut app, KeyCode::Right);
    }
    // v then w: "Dan" selected (a selection ends on a word's end, never past it), the cursor
    // on its last character.
    keys(&mut app, "vw");
    let term = draw(&app);
    insta::assert_snapshot!("focus_and_selection", term.backend());
    let buf = term.backend().buffer();
    let a = draw::areas(Rect::new(0, 0, W, H), Focus::Text, false);
    // The transcript has the focus: its border is the focused colour, the codebook's is not.
    assert_eq!(buf[(a.text.x, a.text.y)].fg, Color::Cyan);
    assert_eq!(buf[(a.codebook.x, a.codebook.y)].fg, Color::DarkGray);
    let inner = draw::text_inner(a.text);
    let (row, x) = (inner.y..inner.y + inner.height)
        .find_map(|y| {
            (inner.x..inner.x + inner.width.saturating_sub(3))
                .find(|&x| {
                    buf[(x, y)].symbol() == "D"
                        && buf[(x + 1, y)].symbol() == "a"
                        && buf[(x + 2, y)].symbol() == "n"
                })
                .map(|x| (y, x))
        })
        .unwrap();
    let selection = app.theme.selection().bg.unwrap();
    for dx in 0..2 {
        assert_eq!(buf[(x + dx, row)].bg, selection, "selected: column {dx}");
        assert!(!buf[(x + dx, row)].modifier.contains(Modifier::REVERSED));
    }
    // The cursor sits on the selection's last character, the "n".
    assert!(buf[(x + 2, row)].modifier.contains(Modifier::REVERSED));
    // Past the selection (the space): neither selected nor cursor.
    assert_ne!(buf[(x + 3, row)].bg, selection);
    assert!(!buf[(x + 3, row)].modifier.contains(Modifier::REVERSED));
    // Tab to the codebook: its border takes the focus colour and the highlighted code row
    // is drawn reversed.
    key(&mut app, KeyCode::Tab);
    let term = draw(&app);
    let buf = term.backend().buffer();
    let a = app.areas();
    assert_eq!(buf[(a.codebook.x, a.codebook.y)].fg, Color::Cyan);
    let code_row = (a.codebook.y + 1..a.codebook.y + a.codebook.height)
        .find(|&y| buf[(a.codebook.x + 4, y)].symbol() == "█")
        .unwrap();
    assert!(
        buf[(a.codebook.x + 7, code_row)]
            .modifier
            .contains(Modifier::REVERSED),
        "the highlighted code is reversed while the codebook has the focus"
    );
}

/// The demo's screen at `w`×`h` with the code matrix open, as text, line by line.
fn demo_matrix_at(w: u16, h: u16, keys_after: &str) -> Vec<String> {
    use codewerk::tui::theme::Theme;
    use ratatui::{Terminal, backend::TestBackend, layout::Rect};
    let dir = common::demo();
    let project = Project::load(dir.path()).unwrap();
    let mut app = App::new(project, "student", Theme::dark(true), Rect::new(0, 0, w, h));
    keys(&mut app, "M");
    keys(&mut app, keys_after);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| codewerk::tui::draw::draw(f, &app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn matrix_rows_below_the_screen_are_announced_not_hidden_behind_a_blank_line() {
    let lines = demo_matrix_at(100, 30, "");
    let marker = lines
        .iter()
        .position(|l| l.contains("▼ 3 more below (↑↓ scroll)"))
        .unwrap_or_else(|| panic!("no marker:\n{}", lines.join("\n")));
    // Right under the last row shown, above the readout.
    assert!(
        lines[marker - 1].contains("Opvallende zaken"),
        "{}",
        lines.join("\n")
    );
    // Scrolled to the last code: the rows above are announced, none below.
    let lines = demo_matrix_at(100, 30, &"j".repeat(25));
    let shown = lines.join("\n");
    assert!(shown.contains("Andere organisaties"), "{shown}");
    assert!(
        shown.contains("more above") && !shown.contains("more below"),
        "{shown}"
    );
    // All rows fit: no marker.
    let shown = demo_matrix_at(100, 40, "").join("\n");
    assert!(!shown.contains("more below"), "{shown}");
}

#[test]
fn the_matrix_readout_is_cut_with_an_ellipsis() {
    let lines = demo_matrix_at(80, 24, "");
    let readout = lines
        .iter()
        .find(|l| l.contains("× docenten: 20 of 27 docenten"))
        .unwrap();
    assert!(readout.ends_with("…│"), "{readout}");
}
