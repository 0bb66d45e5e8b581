//! The TUI without a terminal: `update` driven by keys on a real project copy, and screens drawn
//! on ratatui's TestBackend (text snapshots with insta, colours checked cell by cell).

mod common;

use codewerk::core::codebook::Rgb;
use codewerk::core::project::Project;
use codewerk::tui::app::{App, Mode};
use codewerk::tui::keymap::Focus;
use codewerk::tui::view;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::Color;

use common::tui::{H, W, app_in, draw, key, keys};

/// Move the cursor onto `needle` in the open transcript.
fn goto(app: &mut App, needle: &str) {
    let at = app.transcript().unwrap().find_all(needle)[0];
    keys(app, "g");
    for _ in 0..at {
        key(app, KeyCode::Right);
    }
}

#[test]
fn opens_on_the_first_transcript_with_its_codings() {
    let dir = common::copy("valid");
    let app = app_in(dir.path(), "ana");
    assert_eq!(app.transcript().unwrap().id, "T1");
    assert_eq!(app.focus, Focus::Text);
    assert_eq!(app.here.len(), 1);
    assert!(!app.is_readonly());
}

#[test]
fn select_sentence_apply_code_undo_redo_and_survive_restart() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1");
    assert_eq!(app.here.len(), 1);
    let c = &app.here[0];
    assert_eq!(
        (c.code.as_str(), c.text.as_str()),
        ("niet-pluis", "Dat voelde niet pluis.")
    );
    keys(&mut app, "u");
    assert!(app.here.is_empty());
    keys(&mut app, "U");
    assert_eq!(app.here.len(), 1);
    drop(app);
    let mut again = app_in(dir.path(), "bo");
    assert_eq!(again.here.len(), 1, "the coding is in the journal");
    keys(&mut again, "u");
    assert!(again.here.is_empty(), "undo works across a restart");
}

#[test]
fn visual_selection_turn_selection_and_code_filter() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Een leerling");
    keys(&mut app, "vwww");
    let (s, e) = app.selection().unwrap();
    assert_eq!(app.transcript().unwrap().slice(s, e), "Een leerling kwam m");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "t");
    let (s, e) = app.selection().unwrap();
    assert!(
        app.transcript()
            .unwrap()
            .slice(s, e)
            .starts_with("Ja, eh, soms.")
    );
    // Fuzzy filter on the codebook, Enter applies the best match to the selection.
    keys(&mut app, "fknel");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.here.iter().filter(|c| c.code == "knelpunten").count(),
        1
    );
}

#[test]
fn remove_edit_memo_and_done() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    goto(&mut app, "blauwe");
    // Edit: the passage starts at "Een"; move its end back by one word.
    keys(&mut app, "e");
    assert!(app.text.editing.is_some());
    keys(&mut app, "b");
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.here[0].text, "Een leerling kwam met blauwe plekken");
    // Memo.
    keys(&mut app, "m");
    assert!(matches!(app.mode, Mode::Input(_)));
    keys(&mut app, "zie ook T3");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.here[0].memo.as_deref(), Some("zie ook T3"));
    keys(&mut app, "d");
    assert!(app.state().done.contains("T1"));
    keys(&mut app, "x");
    assert!(app.here.is_empty());
    let journal = std::fs::read_to_string(dir.path().join("codings/ana.jsonl")).unwrap();
    for op in [
        "\"op\":\"edit\"",
        "\"op\":\"memo\"",
        "\"op\":\"done\"",
        "\"op\":\"remove\"",
    ] {
        assert!(journal.contains(op), "{op} journaled");
    }
}

#[test]
fn new_inductive_code_is_written_to_the_codebook() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    keys(&mut app, "n");
    for field in ["Veilig Thuis", "2", "blauw", "#1E6FE0"] {
        keys(&mut app, field);
        key(&mut app, KeyCode::Enter);
    }
    let reloaded = Project::load(dir.path()).unwrap();
    let code = reloaded.codebook.code("veilig-thuis").expect("saved");
    assert!(code.inductive);
    assert_eq!(code.colour, Rgb(0x1E, 0x6F, 0xE0));
}

#[test]
fn second_instance_opens_read_only() {
    let dir = common::copy("valid");
    let _first = app_in(dir.path(), "ana");
    let mut second = app_in(dir.path(), "ana");
    assert!(second.is_readonly());
    assert!(
        second
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("already open")
    );
    goto(&mut second, "Dat voelde");
    keys(&mut second, "s1");
    assert_eq!(second.here.len(), 1, "nothing written, nothing shown");
}

#[test]
fn jumps_between_coded_passages_and_uncoded_turns() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    keys(&mut app, "]");
    let t = app.transcript().unwrap();
    assert_eq!(app.text.cursor, t.find_all("Een leerling")[0]);
    // The first respondent turn is coded, so the next uncoded one is the second.
    keys(&mut app, "g.");
    assert_eq!(
        app.text.cursor,
        app.transcript().unwrap().find_all("Dan ga ik")[0]
    );
    keys(&mut app, ".");
    assert!(app.message.as_ref().unwrap().text.contains("no uncoded"));
    // Next passage of the highlighted code, across transcripts.
    key(&mut app, KeyCode::Tab);
    for _ in 0..2 {
        key(&mut app, KeyCode::Down);
    }
    assert_eq!(app.selected_code().unwrap().id, "knelpunten");
    keys(&mut app, ">");
    assert_eq!(app.transcript().unwrap().id, "T3");
}

#[test]
fn main_screen_snapshot_and_colours() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    goto(&mut app, "blauwe");
    let term = draw(&app);
    insta::assert_snapshot!("main_screen", term.backend());
    // The coded passage is drawn on its code's colour, with readable text on it.
    let buf = term.backend().buffer();
    let area = view::text_inner(view::areas(Rect::new(0, 0, W, H), Focus::Text).text);
    let row = (area.y..area.y + area.height)
        .find(|&y| {
            (area.x..area.x + area.width)
                .any(|x| buf[(x, y)].symbol() == "E" && buf[(x + 1, y)].symbol() == "e")
        })
        .unwrap();
    let x = (area.x..area.x + area.width)
        .find(|&x| buf[(x, row)].symbol() == "E")
        .unwrap();
    assert_eq!(buf[(x, row)].bg, Color::Rgb(0xD9, 0xA4, 0x00));
    assert_eq!(buf[(x, row)].fg, Color::Rgb(0, 0, 0));
    // The gutter has the code's mark.
    assert_eq!(buf[(area.x, row)].symbol(), "▌");
    assert_eq!(buf[(area.x, row)].fg, Color::Rgb(0xD9, 0xA4, 0x00));
}

#[test]
fn help_overlay_snapshot() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    keys(&mut app, "?");
    insta::assert_snapshot!("help_overlay", draw(&app).backend());
    keys(&mut app, "x");
    assert_eq!(app.mode, Mode::Normal, "any key closes help");
}

#[test]
fn list_filter_snapshot_and_narrow_terminal() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Focus::List);
    keys(&mut app, "rr");
    assert_eq!(app.list.group.as_deref(), Some("zorgcoördinator"));
    insta::assert_snapshot!("list_filtered", draw(&app).backend());
    // A narrow terminal hides the list but still shows the text and the codebook.
    app.resize(70, 20);
    let mut t = Terminal::new(TestBackend::new(70, 20)).unwrap();
    t.draw(|f| view::draw(f, &app)).unwrap();
    insta::assert_snapshot!("narrow", t.backend());
}

#[test]
fn mouse_drag_selects_and_click_on_code_applies() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    let inner = view::text_inner(app.areas().text);
    let x0 = inner.x + view::GUTTER;
    let mouse = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Row 2 of the text is the respondent's turn: "R: Ja, eh, soms. ..."; drag over "Ja, eh".
    app.on_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        x0 + 3,
        inner.y + 2,
    ));
    app.on_mouse(mouse(
        MouseEventKind::Drag(MouseButton::Left),
        x0 + 8,
        inner.y + 2,
    ));
    app.on_mouse(mouse(
        MouseEventKind::Up(MouseButton::Left),
        x0 + 8,
        inner.y + 2,
    ));
    let (s, e) = app.selection().unwrap();
    assert_eq!(app.transcript().unwrap().slice(s, e), "Ja, eh");
    // Click the third code row (row 0 is the deelvraag header, row 1 the category).
    let cb = app.areas().codebook;
    app.on_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        cb.x + 5,
        cb.y + 3,
    ));
    assert_eq!(app.here.len(), 1);
    assert_eq!(app.here[0].code, "niet-pluis");
}

#[test]
fn agreement_view_lists_disagreements_jumps_and_reconciles() {
    let dir = common::copy("agreement");
    let mut app = app_in(dir.path(), "student");
    keys(&mut app, "A");
    let Some(codewerk::tui::app::View::Agreement(view)) = &app.view else {
        panic!("view not open")
    };
    assert_eq!((view.a.as_str(), view.b.as_str()), ("student", "derde"));
    // Compare with onderzoeker instead: the second layer picks the other coder.
    key(&mut app, KeyCode::Esc);
    assert!(app.view.is_none());
    keys(&mut app, "o");
    if app.layer.as_deref() != Some("onderzoeker") {
        keys(&mut app, "o");
    }
    keys(&mut app, "A");
    let Some(codewerk::tui::app::View::Agreement(view)) = &app.view else {
        panic!()
    };
    assert_eq!(view.b, "onderzoeker");
    // Worst first: the kappas are in ascending order.
    let kappas: Vec<f64> = view
        .order
        .iter()
        .filter_map(|&i| view.report.rows[i].kappa)
        .collect();
    assert!(kappas.windows(2).all(|w| w[0] <= w[1]), "{kappas:?}");
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("Agreement: student (A) vs onderzoeker (B)"));
    assert!(screen.contains("all codes, pooled"));
    key(&mut app, KeyCode::Enter);
    let Some(codewerk::tui::app::View::Agreement(view)) = &app.view else {
        panic!()
    };
    let list = view.list.as_ref().expect("disagreements listed");
    let first = list.items[0].clone();
    // Settle it: accept B into the consensus coder's journal.
    keys(&mut app, "b");
    let consensus = std::fs::read_to_string(dir.path().join("codings/consensus.jsonl")).unwrap();
    assert!(consensus.contains(&format!("\"code\":\"{}\"", first.code)) || first.b.is_empty());
    // Enter jumps to the next item in the text, with the other coder as second layer.
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    assert_eq!(app.layer.as_deref(), Some("onderzoeker"));
    assert!(app.text.flash.is_some());
    keys(&mut app, "A");
    assert!(app.view.is_some(), "A goes back to the list");
}

#[test]
fn search_view_updates_as_you_type_and_codes_the_hit() {
    use codewerk::core::index::Index;
    use codewerk::tui::app::{Job, View};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    keys(&mut app, "/");
    assert!(matches!(app.view, Some(View::Search(_))));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(
        screen.contains("indexing"),
        "the view says the index is not ready yet"
    );
    // The index arrives from the background, as the event loop delivers it.
    let (index, report) = Index::open(&app.project, &mut |_| {}).unwrap();
    app.on_job(Job::IndexReady(Ok((Box::new(index), report.message()))));
    keys(&mut app, "coordinator");
    let Some(View::Search(view)) = &app.view else {
        panic!()
    };
    assert_eq!(
        view.total, 1,
        "accents folded: coordinator finds coördinator"
    );
    assert_eq!(view.hits[0].transcript, "T1");
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("Search · 1 hit(s)"));
    // A filter by group: T1 is a docent, so the zorgcoördinator filter leaves nothing.
    app.on_key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL));
    app.on_key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL));
    let Some(View::Search(view)) = &app.view else {
        panic!()
    };
    assert_eq!(
        (view.group.as_deref(), view.total),
        (Some("zorgcoördinator"), 0)
    );
    app.on_key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL));
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    let (s, e) = app.selection().unwrap();
    assert_eq!(app.transcript().unwrap().slice(s, e), "coördinator");
    keys(&mut app, "2");
    assert_eq!(app.here.iter().filter(|c| c.code == "signalen").count(), 1);
    // Back to the hits; a malformed query keeps the hits and says why.
    keys(&mut app, "/");
    keys(&mut app, " \"open");
    let Some(View::Search(view)) = &app.view else {
        panic!()
    };
    assert!(view.error.as_ref().unwrap().contains("malformed"));
    assert_eq!(view.hits.len(), 1);
}

#[test]
fn review_fixes_clicks_under_views_list_done_edit_swap_and_big_undo() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    // A click under the help popup does not reach the codebook.
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s?");
    let cb = app.areas().codebook;
    app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: cb.x + 5,
        row: cb.y + 3,
        modifiers: KeyModifiers::NONE,
    });
    assert!(app.here.is_empty(), "no coding from a click under a popup");
    key(&mut app, KeyCode::Esc);
    // `d` in the list marks the highlighted transcript, not the open one.
    key(&mut app, KeyCode::BackTab);
    keys(&mut app, "jd");
    assert!(app.state().done.contains("T2"));
    assert!(!app.state().done.contains("T1"));
    key(&mut app, KeyCode::Tab);
    // Editing boundaries: v swaps the moving end, so the start can move too.
    keys(&mut app, "1");
    keys(&mut app, "e");
    let (s0, e0) = app.selection().unwrap();
    keys(&mut app, "v");
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        (app.here[0].start, app.here[0].end),
        (s0 + 1, e0),
        "start moved, end kept"
    );
    // Undoing an action of many codings asks for a second u.
    let quotes = dir.path().join("q.jsonl");
    std::fs::write(
        &quotes,
        "{\"transcript\":\"T2\",\"code\":\"signalen\",\"quote\":\"Eén meisje\"}\n\
         {\"transcript\":\"T2\",\"code\":\"knelpunten\",\"quote\":\"hoge eisen\"}\n",
    )
    .unwrap();
    drop(app);
    let project = Project::load(dir.path()).unwrap();
    let codings =
        codewerk::core::import::read_quotes(&project, &quotes, &std::fs::read(&quotes).unwrap())
            .unwrap();
    let mut j = project.open_journal("bo").unwrap();
    j.record(
        codings
            .into_iter()
            .map(codewerk::core::coding::Op::Add)
            .collect(),
    )
    .unwrap();
    drop(j);
    let mut app = app_in(dir.path(), "bo");
    let before = app.state().codings.len();
    keys(&mut app, "u");
    assert_eq!(app.state().codings.len(), before, "first u only asks");
    assert!(app.message.as_ref().unwrap().text.contains("press u again"));
    keys(&mut app, "u");
    assert_eq!(app.state().codings.len(), before - 2);
}

#[test]
fn the_consensus_coder_reconciles_the_others_in_its_own_journal() {
    use codewerk::tui::app::View;
    let dir = common::copy("agreement");
    let mut app = app_in(dir.path(), "consensus");
    keys(&mut app, "A");
    let Some(View::Agreement(view)) = &app.view else {
        panic!("view not open: {:?}", app.message)
    };
    assert_ne!(view.a, "consensus");
    assert_ne!(view.b, "consensus");
    key(&mut app, KeyCode::Enter);
    let Some(View::Agreement(view)) = &app.view else {
        panic!()
    };
    let d = view.list.as_ref().unwrap().items[0].clone();
    keys(&mut app, "2");
    // Written through the app's own journal (no second lock), and shown at once.
    assert!(!app.is_readonly());
    let mine: Vec<_> = app
        .state()
        .codings
        .values()
        .filter(|c| c.code == d.code && c.transcript == d.transcript)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].start, mine[0].end), (d.start, d.end));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("decided: both"), "{screen}");
    assert!(
        !screen.contains("not in consensus"),
        "undecided items carry no mark"
    );
}

#[test]
fn the_agreement_view_is_computed_again_after_editing_in_the_text() {
    use codewerk::tui::app::View;
    let dir = common::copy("agreement");
    let mut app = app_in(dir.path(), "student");
    keys(&mut app, "o");
    if app.layer.as_deref() != Some("onderzoeker") {
        keys(&mut app, "o");
    }
    keys(&mut app, "A");
    key(&mut app, KeyCode::Enter);
    let Some(View::Agreement(view)) = &app.view else {
        panic!()
    };
    let list = view.list.as_ref().unwrap();
    let n = list.items.len();
    let first = list
        .items
        .iter()
        .find(|d| !d.a.is_empty())
        .cloned()
        .expect("an item with A's passage");
    let pos = list.items.iter().position(|d| *d == first).unwrap();
    for _ in 0..pos {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    // In the text: remove A's passage there (A is the coder at work), then come back.
    let at = first.a[0].start;
    app.update(codewerk::tui::action::Action::Top);
    for _ in 0..at {
        key(&mut app, KeyCode::Right);
    }
    while app.codings_at_cursor().iter().any(|c| c.code == first.code) {
        keys(&mut app, "x");
        if app
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("no coded"))
        {
            break;
        }
    }
    keys(&mut app, "A");
    let Some(View::Agreement(view)) = &app.view else {
        panic!()
    };
    let items = view.list.as_ref().map_or(0, |l| l.items.len());
    let still = view.list.as_ref().is_some_and(|l| l.items.contains(&first));
    assert!(
        !still,
        "the disagreement as it was is gone after the edit ({n} -> {items})"
    );
}

#[test]
fn a_coder_without_codings_sees_the_matrix_of_one_who_has() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "nieuw");
    keys(&mut app, "M");
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("Code matrix · ana"), "{screen}");
}

#[test]
fn a_new_project_shows_the_commands_that_bring_interviews_in() {
    use codewerk::core::scaffold::{NewProject, create};
    let dir = tempfile::tempdir().unwrap();
    let mut p = NewProject::defaults("Studie");
    p.groups = vec![codewerk::core::settings::Group {
        id: "docent".into(),
        plural: "docenten".into(),
    }];
    create(dir.path(), &p, false).unwrap();
    let mut app = app_in(dir.path(), "ana");
    assert!(app.transcript().is_none());
    // The temporary folder's name would change the snapshot on every run.
    app.project.root = "studie".into();
    let term = draw(&app);
    insta::assert_snapshot!("new_project", term.backend());
    let screen = format!("{:?}", term.backend());
    assert!(screen.contains("codewerk -p studie import transcripts INTERVIEWS/ --group docent"));
    assert!(screen.contains("No codes yet."));
    // Keys on the empty project do nothing harmful; a code can be added at once.
    keys(&mut app, "jk}{stgG");
    keys(&mut app, "n");
    for field in ["Signalen", "1", "geel", "#FFE135"] {
        keys(&mut app, field);
        key(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.project.codebook.codes.len(), 1);
}
