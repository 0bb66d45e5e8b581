#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The search view's word tools in the TUI, without a terminal: speaker filter and ranking,
//! "this match not coded", autocode from the hits (one undoable action), keyword in context.

mod common;

use codewerk::core::index::Index;
use codewerk::core::index::uncoded::{CodedBy, keep_uncoded_matches};
use codewerk::core::index::{Query, search_all};
use codewerk::tui::app::{App, Job, Msg, View};
use common::demo;
use common::tui::{app_in, draw, key, keys};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

fn ctrl(app: &mut App, c: char) {
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// The app on `dir` with the search view open and the index delivered.
fn searching(dir: &Path, coder: &str, query: &str) -> App {
    let mut app = app_in(dir, coder);
    keys(&mut app, "/");
    let (index, report) = Index::open(&app.project, &mut |_| {}).unwrap();
    app.handle(Msg::Job(Job::IndexReady(Ok((
        Box::new(index),
        report.message(),
    )))));
    keys(&mut app, query);
    app
}

fn view(app: &App) -> &codewerk::tui::views::search::SearchView {
    match &app.view {
        Some(View::Search(v)) => v,
        _ => panic!("the search view is open"),
    }
}

fn speakers(app: &App) -> Vec<String> {
    view(app)
        .hits
        .iter()
        .map(|h| h.speaker.clone().unwrap_or_default())
        .collect()
}

#[test]
fn respondents_first_by_score_on_ctrl_o_and_a_speaker_filter() {
    let dir = demo();
    let mut app = searching(dir.path(), "student", "mishandeling");
    let s = speakers(&app);
    let first_i = s.iter().position(|s| s == "I").unwrap();
    assert!(
        first_i > 5 && s[first_i..].iter().all(|s| s == "I"),
        "{s:?}"
    );
    ctrl(&mut app, 'o');
    assert!(view(&app).by_score);
    assert!(speakers(&app)[..5].iter().any(|s| s == "I"));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("by score"));
    ctrl(&mut app, 'o');
    // Ctrl-s cycles the speaker labels, then back to all.
    ctrl(&mut app, 's');
    let label = view(&app).speaker.clone().unwrap();
    assert!(speakers(&app).iter().all(|s| *s == label));
    let mut seen = vec![label];
    loop {
        ctrl(&mut app, 's');
        match view(&app).speaker.clone() {
            Some(l) => seen.push(l),
            None => break,
        }
    }
    assert!(seen.contains(&"I".to_string()) && seen.contains(&"R".to_string()));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(
        screen.contains("speaker") && screen.contains("code all"),
        "hints"
    );
}

#[test]
fn ctrl_n_keeps_the_matches_not_coded_yet() {
    let dir = demo();
    let mut app = searching(dir.path(), "student", "meldcode");
    ctrl(&mut app, 'n');
    let v = view(&app);
    // The same as the domain function on all hits.
    let (index, _) = Index::open(&app.project, &mut |_| {}).unwrap();
    let all = search_all(
        &*app.project,
        &index,
        &Query {
            text: "meldcode".into(),
            limit: 0,
            ..Query::default()
        },
    )
    .unwrap();
    let expected = keep_uncoded_matches(
        &app.project,
        all.hits.clone(),
        CodedBy {
            coder: Some("student"),
            code: None,
        },
    );
    assert_eq!(v.total, expected.len());
    // Hit-level: more than the turns without any coding, fewer than all hits.
    let turn_level = search_all(
        &*app.project,
        &index,
        &Query {
            text: "meldcode".into(),
            coder: Some("student".into()),
            uncoded: true,
            ..Query::default()
        },
    )
    .unwrap()
    .total;
    assert!(
        turn_level < v.total && v.total < all.total,
        "{turn_level} {} {}",
        v.total,
        all.total
    );
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("matches not coded by you"));
}

#[test]
fn ctrl_k_codes_the_marked_or_all_hits_as_one_undoable_action() {
    let dir = common::copy("valid");
    let mut app = searching(dir.path(), "bo", "");
    // Highlight "Knelpunten" in the codebook.
    app.codes.selected = 2;
    keys(&mut app, "pluis OR zorgen");
    let v = view(&app);
    assert!(v.total >= 2);
    assert!(
        v.hits.iter().any(|h| h.speaker.as_deref() == Some("I")),
        "an interviewer question is among the hits"
    );
    let before = app.state().codings.len();
    // Mark the first hit only, code the marked.
    ctrl(&mut app, 'x');
    assert_eq!(view(&app).marked.len(), 1);
    let marked = view(&app).hits[0].clone();
    ctrl(&mut app, 'k');
    let added: Vec<_> = app
        .state()
        .codings
        .values()
        .filter(|c| c.code == "knelpunten")
        .cloned()
        .collect();
    assert!(!added.is_empty());
    assert!(added.iter().all(|c| c.transcript == marked.transcript
        && c.start >= marked.start
        && c.end <= marked.end));
    // All hits: the interviewer's question "Maakt u zich wel eens zorgen?" is left out.
    ctrl(&mut app, 'k');
    let coded: Vec<String> = app
        .state()
        .codings
        .values()
        .filter(|c| c.code == "knelpunten")
        .map(|c| c.text.clone())
        .collect();
    assert!(coded.iter().all(|t| t != "zorgen"), "{coded:?}");
    assert!(coded.contains(&"pluis".to_string()));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("coded"), "a status line says so");
    // One undo per Ctrl-k: two undos take both back.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "uu");
    assert_eq!(app.state().codings.len(), before);
}

#[test]
fn ctrl_w_shows_the_hits_in_context_sorted_and_enter_selects() {
    let dir = demo();
    let mut app = searching(dir.path(), "student", "meldcode");
    ctrl(&mut app, 'w');
    let Some(View::Kwic(k)) = &app.view else {
        panic!("the KWIC view is open")
    };
    assert!(k.lines.len() > 20);
    assert!(k.lines.iter().all(|l| l.speaker.as_deref() != Some("I")));
    let first_by_place = k.lines[0].clone();
    keys(&mut app, "s");
    let Some(View::Kwic(k)) = &app.view else {
        panic!()
    };
    assert_eq!(k.sort, codewerk::core::kwic::KwicSort::Left);
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("In context · meldcode") && screen.contains("by left context"));
    let line = k.lines[0].clone();
    assert_ne!(line, first_by_place);
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    let (s, e) = app.selection().unwrap();
    assert_eq!((s, e), (line.start, line.end));
    assert_eq!(app.transcript().unwrap().id, line.transcript);
    // `/` goes back to the hits the view was opened from.
    keys(&mut app, "/");
    assert_eq!(view(&app).query, "meldcode");
}

#[test]
fn kwic_view_snapshot_with_the_keywords_in_one_highlighted_column() {
    let dir = common::copy("valid");
    let mut app = searching(dir.path(), "bo", "leerling OR pluis");
    ctrl(&mut app, 'w');
    let term = draw(&app);
    insta::assert_snapshot!("kwic_view", term.backend());
    // Every keyword starts in one column, in black on yellow.
    let buf = term.backend().buffer();
    let mut columns = Vec::new();
    for y in 1..6 {
        let cells: Vec<_> = (0..buf.area.width).map(|x| &buf[(x, y)]).collect();
        if let Some(x) = cells
            .iter()
            .position(|c| c.bg == ratatui::style::Color::Yellow)
        {
            assert_eq!(cells[x].fg, ratatui::style::Color::Black);
            columns.push(x);
        }
    }
    assert!(columns.len() >= 2, "{columns:?}");
    assert!(columns.iter().all(|&x| x == columns[0]), "{columns:?}");
}

fn words(app: &App) -> &codewerk::tui::views::words::WordsView {
    match &app.view {
        Some(View::Words(v)) => v,
        _ => panic!("the words view is open"),
    }
}

#[test]
fn w_shows_word_frequencies_compares_groups_and_opens_a_word_in_context() {
    let dir = demo();
    let mut app = app_in(dir.path(), "student");
    let (index, report) = Index::open(&app.project, &mut |_| {}).unwrap();
    app.handle(Msg::Job(Job::IndexReady(Ok((
        Box::new(index),
        report.message(),
    )))));
    keys(&mut app, "W");
    let f = words(&app).freq.clone().unwrap();
    assert_eq!(f.parts[0].label, "docenten");
    assert!(f.words[0].count >= f.words[1].count);
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("docenten (27)") && screen.contains(&f.words[0].word));
    // Stems: fewer distinct entries.
    keys(&mut app, "s");
    assert!(words(&app).freq.as_ref().unwrap().words.len() < f.words.len());
    keys(&mut app, "s");
    // Compare: the docenten's words, G² largest first.
    keys(&mut app, "c");
    let k = &words(&app).keyness;
    assert!(!k.is_empty() && k.windows(2).all(|p| p[0].g2 >= p[1].g2));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(
        screen.contains("Words docenten use more than the rest"),
        "{screen}"
    );
    let word = k[0].word.clone();
    // Enter: the word in context.
    key(&mut app, KeyCode::Enter);
    let Some(View::Kwic(kw)) = &app.view else {
        panic!("the KWIC view is open")
    };
    assert!(!kw.lines.is_empty());
    assert!(
        kw.lines
            .iter()
            .all(|l| l.keyword.to_lowercase() == word.to_lowercase())
    );
    // Esc, then W comes back to the words as they were.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "W");
    assert_eq!(words(&app).compare, Some(0));
    // By school type.
    keys(&mut app, "b");
    assert_eq!(words(&app).options.by, "school_type");
}
