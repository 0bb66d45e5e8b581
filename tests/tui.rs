#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The TUI without a terminal: `update` driven by keys on a real project copy, and screens drawn
//! on ratatui's TestBackend (text snapshots with insta, colours checked cell by cell).

mod common;

use codewerk::core::codebook::Rgb;
use codewerk::core::project::Project;
use codewerk::tui::app::{App, Mode, Msg};
use codewerk::tui::draw;
use codewerk::tui::keymap::Focus;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::Color;

use common::tui::{H, W, app_in, draw, key, keys};

/// Ctrl-s: save the memo being written.
fn save_memo(app: &mut App) {
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
}

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
    assert_eq!(app.transcript().unwrap().slice(s, e), "Een leerling kwam");
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
    assert!(matches!(app.mode, Mode::Memo(_)));
    keys(&mut app, "zie ook T3");
    // Enter is a new line in the memo editor; Ctrl-s saves.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "en T2");
    save_memo(&mut app);
    assert_eq!(app.here[0].memo.as_deref(), Some("zie ook T3\nen T2"));
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
    // Name; deelvraag (the highlighted code's is filled in); no parent; colour (the proposed
    // one is filled in: replaced here).
    for (clear, field) in [(0, "Veilig Thuis"), (1, "2"), (0, ""), (7, "#1E6FE0")] {
        for _ in 0..clear {
            key(&mut app, KeyCode::Backspace);
        }
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
    // Quitting it leaves the coder's place (saved by the instance that codes) alone.
    second.save_session().unwrap();
    assert!(
        !dir.path().join(".codewerk/session-ana.json").exists(),
        "a read-only instance wrote the session"
    );
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
    let area = draw::text_inner(draw::areas(Rect::new(0, 0, W, H), Focus::Text, false).text);
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
    // Below 100 columns one side panel shows: the list while it has the focus ...
    app.handle(Msg::Resize(70, 20));
    let draw_at = |app: &App, w: u16, h: u16| {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| draw::draw(f, app)).unwrap();
        t
    };
    insta::assert_snapshot!("narrow", draw_at(&app, 70, 20).backend());
    // ... else the codebook, and the transcript is wrapped again to its new width.
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Text);
    assert_eq!(app.areas().list.width, 0);
    assert_eq!(app.areas().codebook.width, 28);
    insta::assert_snapshot!("narrow_text", draw_at(&app, 70, 20).backend());
    // At 80×24 the transcript has most of the width (it had 22 columns of text before).
    app.handle(Msg::Resize(80, 24));
    assert!(draw::text_width(app.areas().text) >= 45);
    // At 40 columns the transcript takes the whole width; hints are whole or left out.
    app.handle(Msg::Resize(40, 12));
    assert_eq!(app.areas().text.width, 40);
    let t = draw_at(&app, 40, 12);
    insta::assert_snapshot!("very_narrow", t.backend());
    let hints: String = (0..40)
        .map(|x| t.backend().buffer()[(x, 11)].symbol().to_string())
        .collect();
    assert!(hints.trim_end().ends_with("s  sentence"), "{hints:?}");
    // z folds the side panels away at any width, and back.
    app.handle(Msg::Resize(W, H));
    keys(&mut app, "z");
    assert_eq!(app.areas().text.width, W);
    keys(&mut app, "z");
    assert!(app.areas().text.width < W);
}

#[test]
fn mouse_drag_selects_and_click_on_code_applies() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    let inner = draw::text_inner(app.areas().text);
    let x0 = inner.x + draw::GUTTER;
    let mouse = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Row 2 of the text is the respondent's turn: "R: Ja, eh, soms. ..."; drag over "Ja, eh".
    app.handle(Msg::Mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        x0 + 3,
        inner.y + 2,
    )));
    app.handle(Msg::Mouse(mouse(
        MouseEventKind::Drag(MouseButton::Left),
        x0 + 8,
        inner.y + 2,
    )));
    app.handle(Msg::Mouse(mouse(
        MouseEventKind::Up(MouseButton::Left),
        x0 + 8,
        inner.y + 2,
    )));
    let (s, e) = app.selection().unwrap();
    assert_eq!(app.transcript().unwrap().slice(s, e), "Ja, eh");
    // A drag that starts and ends inside words selects the whole words; Alt keeps it exact.
    for (alt, expected) in [(false, "Ja, eh, soms"), (true, "a, eh, so")] {
        let modifiers = if alt {
            KeyModifiers::ALT
        } else {
            KeyModifiers::NONE
        };
        for (kind, x) in [
            (MouseEventKind::Down(MouseButton::Left), x0 + 4),
            (MouseEventKind::Drag(MouseButton::Left), x0 + 12),
            (MouseEventKind::Up(MouseButton::Left), x0 + 12),
        ] {
            app.handle(Msg::Mouse(MouseEvent {
                kind,
                column: x,
                row: inner.y + 2,
                modifiers,
            }));
        }
        let (s, e) = app.selection().unwrap();
        assert_eq!(app.transcript().unwrap().slice(s, e), expected, "alt {alt}");
    }
    // Back to the first selection for the click below.
    for (kind, x) in [
        (MouseEventKind::Down(MouseButton::Left), x0 + 3),
        (MouseEventKind::Drag(MouseButton::Left), x0 + 8),
        (MouseEventKind::Up(MouseButton::Left), x0 + 8),
    ] {
        app.handle(Msg::Mouse(mouse(kind, x, inner.y + 2)));
    }
    // Click the third code row (row 0 is the deelvraag header, row 1 the category).
    let cb = app.areas().codebook;
    app.handle(Msg::Mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        cb.x + 5,
        cb.y + 3,
    )));
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
    // Worst first: the kappas in ascending order, undefined ones (if any) after all others.
    let kappas: Vec<Option<f64>> = view
        .order
        .iter()
        .map(|&i| view.report.rows[i].kappa)
        .collect();
    assert!(
        kappas.iter().filter(|k| k.is_some()).count() >= 2,
        "{kappas:?}"
    );
    assert!(
        kappas.windows(2).all(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => a <= b,
            (None, Some(_)) => false,
            _ => true,
        }),
        "{kappas:?}"
    );
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
    assert!(
        !first.b.is_empty(),
        "the first disagreement has B's passage"
    );
    assert!(consensus.contains(&format!("\"code\":\"{}\"", first.code)));
    // Written through the app: the status says so, the list marks it, the project knows it.
    let msg = &app.message.as_ref().unwrap().text;
    assert!(msg.contains("consensus: accept B saved"), "{msg}");
    assert!(format!("{:?}", draw(&app).backend()).contains("→ decided: B"));
    assert!(
        app.project.coders["consensus"]
            .codings
            .values()
            .any(|c| c.code == first.code)
    );
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
    app.handle(Msg::Job(Job::IndexReady(Ok((
        Box::new(index),
        report.message(),
    )))));
    // Quoted: the word itself, not also T3's zorgcoördinator (a part finds the compound).
    keys(&mut app, "\"coordinator\"");
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
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char('g'),
        KeyModifiers::CONTROL,
    )));
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char('g'),
        KeyModifiers::CONTROL,
    )));
    let Some(View::Search(view)) = &app.view else {
        panic!()
    };
    assert_eq!(
        (view.group.as_deref(), view.total),
        (Some("zorgcoördinator"), 0)
    );
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char('g'),
        KeyModifiers::CONTROL,
    )));
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
    app.handle(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: cb.x + 5,
        row: cb.y + 3,
        modifiers: KeyModifiers::NONE,
    }));
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
    while app.codings_at_cursor().any(|c| c.code == first.code) {
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
    // The list must be there (a missing list would make "gone" true for the wrong reason).
    let list = view
        .list
        .as_ref()
        .expect("the disagreements are listed again");
    assert!(
        !list.items.contains(&first),
        "the disagreement as it was is gone after the edit ({n} -> {})",
        list.items.len()
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

// ----- coding only what was selected (each of these failed before its fix) -----

fn selected_text(app: &App) -> String {
    let (s, e) = app.selection().expect("a selection");
    app.transcript().unwrap().slice(s, e).to_string()
}

#[test]
fn a_paste_goes_into_the_memo_and_never_runs_as_keys() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1m");
    assert!(matches!(app.mode, Mode::Memo(_)));
    // A pasted text with line breaks, digits and motion keys.
    app.handle(Msg::Paste("Signalen herkennen\r\n2 ]] s3\nu".into()));
    assert!(
        matches!(app.mode, Mode::Memo(_)),
        "the newline did not submit"
    );
    save_memo(&mut app);
    assert_eq!(app.here.len(), 1, "no key of the paste coded anything");
    // The memo editor keeps the paste's line breaks.
    assert_eq!(
        app.here[0].memo.as_deref(),
        Some("Signalen herkennen\n2 ]] s3\nu")
    );
    // Outside a text field a paste is refused with a message, not typed.
    app.handle(Msg::Paste("3".into()));
    assert_eq!(app.here.len(), 1);
    assert!(app.message.as_ref().unwrap().text.contains("paste ignored"));
}

#[test]
fn wrong_code_undo_right_code_codes_the_same_passage() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1u");
    assert_eq!(selected_text(&app), "Dat voelde niet pluis.");
    keys(&mut app, "2");
    assert_eq!(app.here.len(), 1);
    assert_eq!(
        (app.here[0].code.as_str(), app.here[0].text.as_str()),
        ("signalen", "Dat voelde niet pluis.")
    );
}

#[test]
fn forward_motions_end_a_selection_before_the_next_unit() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Ja, eh");
    keys(&mut app, "v)");
    assert_eq!(selected_text(&app), "Ja, eh, soms.");
    keys(&mut app, ")");
    assert_eq!(
        selected_text(&app),
        "Ja, eh, soms. Een leerling kwam met blauwe plekken binnen."
    );
    // To the next turn: this turn's text, not the interviewer's label after it.
    key(&mut app, KeyCode::Esc);
    goto(&mut app, "Ja, eh");
    keys(&mut app, "v}");
    assert_eq!(
        selected_text(&app),
        "Ja, eh, soms. Een leerling kwam met blauwe plekken binnen. Dat voelde niet pluis."
    );
}

#[test]
fn the_selection_ends_once_a_code_is_applied() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1]]");
    assert_eq!(app.selection(), None);
    keys(&mut app, "2");
    assert_eq!(app.here.len(), 1, "the next digit codes nothing");
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("select a passage")
    );
}

#[test]
fn q_closes_a_view_instead_of_quitting() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    for view in ["M", "C"] {
        keys(&mut app, view);
        assert!(app.view.is_some(), "{view} opens a view");
        keys(&mut app, "q");
        assert!(app.view.is_none(), "q closes {view}");
        assert!(!app.should_quit);
    }
}

#[test]
fn a_read_only_instance_refuses_popups_before_any_typing() {
    let dir = common::copy("valid");
    let _first = app_in(dir.path(), "ana");
    let mut second = app_in(dir.path(), "ana");
    goto(&mut second, "blauwe");
    for popup in ["m", "n"] {
        keys(&mut second, popup);
        assert_eq!(second.mode, Mode::Normal, "{popup} opens no popup");
        assert!(second.message.as_ref().unwrap().text.contains("read-only"));
    }
}

#[test]
fn coding_an_interviewer_turn_asks_first() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Maakt u zich");
    keys(&mut app, "t1");
    assert!(app.here.is_empty(), "not coded at the first press");
    let msg = &app.message.as_ref().unwrap().text;
    assert!(msg.contains("interviewer turn"), "{msg}");
    // On a small terminal the question is still readable: the position and the selection
    // give way to it on the status line.
    app.handle(Msg::Resize(80, 24));
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| draw::draw(f, &app)).unwrap();
    let status: String = (0..80)
        .map(|x| t.backend().buffer()[(x, 22)].symbol().to_string())
        .collect();
    assert!(
        status.contains("interviewer turn: apply") && status.trim_end().ends_with('…'),
        "{status:?}"
    );
    keys(&mut app, "1");
    assert_eq!(app.here.len(), 1, "coded when asked again");
    assert_eq!(app.here[0].text, "Maakt u zich wel eens zorgen?");
}

#[test]
fn a_coder_comes_back_where_they_left_off() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    key(&mut app, KeyCode::BackTab);
    keys(&mut app, "jj");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.transcript().unwrap().id, "T3");
    goto(&mut app, "maar die");
    let cursor = app.text.cursor;
    keys(&mut app, "z");
    app.save_session().unwrap();
    drop(app);
    // Another coder starts where they like; this one comes back to T3 at the same place.
    let other = app_in(dir.path(), "ana");
    assert_eq!(other.transcript().unwrap().id, "T1");
    let mut again = app_in(dir.path(), "bo");
    again.restore_session();
    assert_eq!(again.transcript().unwrap().id, "T3");
    assert_eq!(again.text.cursor, cursor);
    assert!(again.panels_hidden);
    // A session naming a transcript that is gone is ignored, not an error.
    let path = dir.path().join(".codewerk/session-bo.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"T3\"", "\"T9\"");
    std::fs::write(&path, text).unwrap();
    let mut gone = app_in(dir.path(), "bo");
    gone.restore_session();
    assert_eq!(gone.transcript().unwrap().id, "T1");
}

#[test]
fn the_highlight_follows_the_code_just_applied() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s3");
    assert_eq!(app.selected_code().unwrap().id, "knelpunten");
    // With a selection the status line names what Enter would apply.
    goto(&mut app, "Een leerling");
    keys(&mut app, "s");
    let t = draw(&app);
    let status: String = (0..W)
        .map(|x| t.backend().buffer()[(x, H - 2)].symbol().to_string())
        .collect();
    assert!(status.contains("Enter:  Knelpunten"), "{status:?}");
}

#[test]
fn a_very_large_passage_is_coded_only_when_asked_twice() {
    let dir = common::copy("valid");
    let long = "Dit is een lange zin over de school. ".repeat(80);
    std::fs::write(
        dir.path().join("transcripts/T1.txt"),
        format!("I: Vertel.\n\nR: {long}\n"),
    )
    .unwrap();
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dit is");
    keys(&mut app, "t1");
    assert!(
        app.here.iter().all(|c| c.code != "niet-pluis"),
        "asked first"
    );
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("characters: apply")
    );
    keys(&mut app, "1");
    assert!(
        app.here
            .iter()
            .any(|c| c.code == "niet-pluis" && c.len() > codewerk::tui::app::LARGE_PASSAGE)
    );
}

#[test]
fn x_on_overlapping_passages_asks_which_code_to_remove() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1s2");
    assert_eq!(app.here.len(), 2);
    keys(&mut app, "x");
    assert!(matches!(app.mode, Mode::PickPassage(_, ref ids) if ids.len() == 2));
    insta::assert_snapshot!("pick_removal", draw(&app).backend());
    keys(&mut app, "2");
    assert_eq!(app.mode, Mode::Normal);
    let left: Vec<&str> = app.here.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(left, ["niet-pluis"]);
    // Any other key cancels; one passage left is removed without asking.
    keys(&mut app, "x");
    assert!(app.here.is_empty());
}

#[test]
fn the_light_theme_keeps_interviewer_text_and_selection_readable_on_white() {
    use codewerk::tui::theme::Theme;
    let dir = common::copy("valid");
    let project = Project::load(dir.path()).unwrap();
    let theme = Theme {
        truecolor: true,
        light: true,
    };
    let mut app = App::new(project, "bo", theme, Rect::new(0, 0, W, H));
    goto(&mut app, "Ja, eh");
    keys(&mut app, "s");
    let t = draw(&app);
    let buf = t.backend().buffer();
    let find = |text: &str| {
        (0..H)
            .find_map(|y| {
                let row: String = (0..W).map(|x| buf[(x, y)].symbol().to_string()).collect();
                row.find(text).map(|i| (row[..i].chars().count() as u16, y))
            })
            .unwrap()
    };
    let (x, y) = find("Maakt u");
    assert_eq!(
        buf[(x, y)].fg,
        Color::Rgb(90, 90, 90),
        "interviewer text is dark grey"
    );
    let (x, y) = find("eh, soms");
    assert_eq!(
        buf[(x, y)].bg,
        Color::Rgb(170, 200, 255),
        "a pale blue selection"
    );
    assert_eq!(buf[(x, y)].fg, Color::Black);
}

#[test]
fn the_transcript_list_filters_by_any_attribute() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    key(&mut app, KeyCode::BackTab);
    keys(&mut app, "a");
    assert!(matches!(app.mode, Mode::Input(_)));
    keys(&mut app, "Geslacht=M");
    key(&mut app, KeyCode::Enter);
    let ids = |app: &App| -> Vec<String> {
        app.visible_transcripts()
            .iter()
            .map(|&i| app.project.transcripts[i].id.clone())
            .collect()
    };
    assert_eq!(ids(&app), ["T2"], "name and value case ignored");
    // Plain text is looked for in every column; empty clears the filter.
    keys(&mut app, "a");
    for _ in 0.."Geslacht=M".len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "school b");
    key(&mut app, KeyCode::Enter);
    assert_eq!(ids(&app), ["T2"]);
    keys(&mut app, "a");
    for _ in 0.."school b".len() {
        key(&mut app, KeyCode::Backspace);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(ids(&app).len(), 3);
    // The value must be in the named column: vmbo is a school type, not a school.
    for (filter, expected) in [("school=vmbo", 0), ("school_type=vmbo", 2)] {
        keys(&mut app, "a");
        for _ in 0..30 {
            key(&mut app, KeyCode::Backspace);
        }
        keys(&mut app, filter);
        key(&mut app, KeyCode::Enter);
        assert_eq!(ids(&app).len(), expected, "{filter}");
        // The status says how many the filter shows now, not before.
        let said = &app.message.as_ref().unwrap().text;
        let count = if expected == 1 {
            "1 transcript shown".to_string()
        } else {
            format!("{expected} transcripts shown")
        };
        assert_eq!(said, &count, "{filter}");
    }
}

#[test]
fn the_code_filter_is_fuzzy_and_ignores_case_and_accents() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    keys(&mut app, "f");
    let first = |app: &App| {
        app.visible_codes()
            .first()
            .map(|&i| app.project.codebook.codes[i].id.clone())
    };
    keys(&mut app, "SgnHRK");
    assert_eq!(
        first(&app).as_deref(),
        Some("signalen"),
        "a subsequence, any case"
    );
    for _ in 0..6 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "plüis");
    assert_eq!(
        first(&app).as_deref(),
        Some("niet-pluis"),
        "accents ignored"
    );
    keys(&mut app, "qqq");
    assert!(app.visible_codes().is_empty());
}

#[test]
fn redo_says_when_the_coding_it_brings_back_is_no_longer_on_its_words() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1u");
    // The transcript changes while the coding is undone (as if edited and reloaded).
    let t = &app.project.transcripts[0];
    let edited = t.text().replace("Dat voelde niet pluis.", "Iets anders.");
    std::sync::Arc::make_mut(&mut app.project).transcripts[0] =
        codewerk::core::transcript::Transcript::from_text(&t.id, &t.path.clone(), edited);
    keys(&mut app, "U");
    let msg = &app.message.as_ref().unwrap();
    assert!(
        msg.error && msg.text.contains("no longer on its words"),
        "{}",
        msg.text
    );
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
    std::sync::Arc::make_mut(&mut app.project).root = "studie".into();
    let term = draw(&app);
    insta::assert_snapshot!("new_project", term.backend());
    let screen = format!("{:?}", term.backend());
    assert!(screen.contains("codewerk -p studie import transcripts INTERVIEWS/ --group docent"));
    assert!(screen.contains("No codes yet."));
    // Keys on the empty project do nothing harmful; a code can be added at once.
    keys(&mut app, "jk}{stgG");
    keys(&mut app, "n");
    for (clear, field) in [(0, "Signalen"), (1, "1"), (0, ""), (7, "#FFE135")] {
        for _ in 0..clear {
            key(&mut app, KeyCode::Backspace);
        }
        keys(&mut app, field);
        key(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.project.codebook.codes.len(), 1);
}

#[test]
fn the_review_view_places_or_drops_codings_an_edit_left_unplaced() {
    use codewerk::tui::app::View;
    let dir = common::copy("valid");
    // ana's coding of "Een leerling kwam met blauwe plekken binnen." now fits two places.
    let twice = "I: Maakt u zich wel eens zorgen?\n\nR: Ja. Een leerling kwam met blauwe plekken \
                 binnen.\n\nI: Nog eens?\n\nR: Een leerling kwam met blauwe plekken binnen.\n";
    std::fs::write(dir.path().join("transcripts/T1.txt"), twice).unwrap();
    let mut app = app_in(dir.path(), "ana");
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("R reviews them")
    );
    let flagged = |app: &App| {
        app.state()
            .codings
            .values()
            .filter(|c| c.anchor.is_flagged())
            .count()
    };
    assert_eq!(flagged(&app), 1);
    // Awaiting review: in no count of the codebook panel, as in the exports and `stats`.
    let ana_code = |app: &App| {
        app.state()
            .codings
            .values()
            .find(|c| c.text.starts_with("Een leerling"))
            .unwrap()
            .code
            .clone()
    };
    let counted = |app: &App| {
        let k = app.project.codebook.index_of(&ana_code(app)).unwrap();
        (app.count_all[k], app.count_here[k])
    };
    let before_review = counted(&app);
    keys(&mut app, "R");
    let Some(View::Review(v)) = &app.view else {
        panic!("review view")
    };
    assert_eq!(v.items.len(), 1);
    assert_eq!(v.items[0].candidates.len(), 2);
    let second = v.items[0].candidates[1];
    let term = draw(&app);
    insta::assert_snapshot!("review_view", term.backend());
    // The row to decide on is the highlighted one.
    let cell = &term.backend().buffer()[(5, 1)];
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::REVERSED),
        "{cell:?}"
    );
    // The second candidate, accepted: the coding is there, exact, and counted again.
    keys(&mut app, "la");
    assert_eq!(flagged(&app), 0);
    let (all, _) = counted(&app);
    assert_eq!(all, before_review.0 + 1, "placed again, counted again");
    let c = app
        .state()
        .codings
        .values()
        .find(|c| c.text.starts_with("Een leerling"))
        .unwrap();
    assert_eq!(c.start, second);
    assert!(!c.anchor.is_flagged());
    let Some(View::Review(v)) = &app.view else {
        panic!("still in the view")
    };
    assert!(v.items.is_empty());
    // Undo puts it back up for review; x drops it; undo again brings it back.
    keys(&mut app, "qu");
    assert_eq!(flagged(&app), 1);
    keys(&mut app, "Rx");
    assert_eq!(
        app.state()
            .codings
            .values()
            .filter(|c| c.text.starts_with("Een leerling"))
            .count(),
        0
    );
    // u in the review list undoes the drop there, as its message says.
    keys(&mut app, "u");
    assert_eq!(flagged(&app), 1);
    let Some(View::Review(v)) = &app.view else {
        panic!("still in the review view after u")
    };
    assert_eq!(v.items.len(), 1, "the coding is up for review again");
    keys(&mut app, "q");
    // It survives a restart as the journal says.
    drop(app);
    let again = app_in(dir.path(), "ana");
    assert_eq!(flagged(&again), 1);
}

#[test]
fn a_key_in_the_help_layer_does_not_reach_the_transcript() {
    use codewerk::tui::keymap::Layer;
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    let at = app.text.cursor;
    keys(&mut app, "?");
    assert_eq!(app.layer(), Layer::Help);
    // j scrolls the help, it does not move the cursor; s closes the help without selecting.
    keys(&mut app, "j");
    assert_eq!(app.help_scroll, 1);
    assert_eq!(app.text.cursor, at);
    keys(&mut app, "s");
    assert_eq!(app.mode, Mode::Normal);
    assert!(
        app.selection().is_none(),
        "the closing key is not run as a command"
    );
    keys(&mut app, "1");
    assert!(
        app.here.is_empty(),
        "nothing was selected, so nothing was coded"
    );
}

#[test]
fn esc_in_a_text_field_cancels_and_typed_letters_are_text() {
    use codewerk::tui::keymap::Layer;
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1");
    let memo_before = app.here[0].memo.clone();
    keys(&mut app, "m");
    assert_eq!(app.layer(), Layer::MemoEditor);
    // Letters that are commands elsewhere (q quits, u undoes) are typed here.
    keys(&mut app, "qu");
    let Mode::Memo(editor) = &app.mode else {
        panic!("the memo editor is open")
    };
    assert!(editor.text().ends_with("qu"));
    assert!(!app.should_quit);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.here.len(), 1, "u in the field undid nothing");
    assert_eq!(app.here[0].memo, memo_before, "Esc saved nothing");
}

#[test]
fn q_is_typed_in_the_search_view_and_closes_the_matrix() {
    use codewerk::tui::app::View;
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    keys(&mut app, "/");
    keys(&mut app, "q");
    let Some(View::Search(v)) = &app.view else {
        panic!("the search view stays open")
    };
    assert_eq!(v.query, "q");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "M");
    assert!(matches!(app.view, Some(View::Matrix(_))));
    keys(&mut app, "q");
    assert!(app.view.is_none());
    assert!(!app.should_quit);
}

/// Focus the codebook panel and highlight a code by its name (through the code filter).
fn highlight(app: &mut App, name: &str) {
    while app.focus != Focus::Codebook {
        key(app, KeyCode::Tab);
    }
    keys(app, "f");
    keys(app, name);
    key(app, KeyCode::Enter);
    assert_eq!(app.selected_code().unwrap().name, name);
}

fn enter(app: &mut App, text: &str) {
    keys(app, text);
    key(app, KeyCode::Enter);
}

#[test]
fn a_wrong_field_of_a_new_code_is_asked_again_and_the_colour_is_proposed() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    let used: Vec<Rgb> = app
        .project
        .codebook
        .codes
        .iter()
        .map(|c| c.colour)
        .collect();
    keys(&mut app, "n");
    enter(&mut app, "Signalen HERKENNEN");
    // A taken name: asked again, nothing lost but the name.
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("has that name already")
    );
    assert!(matches!(&app.mode, Mode::Input(i) if i.prompt == "New code: name"));
    enter(&mut app, "Veilig Thuis");
    key(&mut app, KeyCode::Backspace);
    enter(&mut app, "9");
    assert!(app.message.as_ref().unwrap().error);
    assert!(
        matches!(&app.mode, Mode::Input(i) if i.prompt.starts_with("Deelvraag of \"Veilig Thuis\""))
    );
    key(&mut app, KeyCode::Backspace);
    enter(&mut app, "2");
    enter(&mut app, "");
    // The proposed colour is filled in: Enter takes it.
    let proposed = codewerk::core::palette::propose(&used);
    assert!(matches!(&app.mode, Mode::Input(i) if i.value == proposed.to_string()));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    let cb = &Project::load(dir.path()).unwrap().codebook;
    let code = cb.code("veilig-thuis").unwrap();
    assert_eq!(
        (code.deelvraag, code.colour, code.inductive),
        (2, proposed, true)
    );
    // In its deelvraag's place, highlighted.
    assert_eq!(cb.codes.last().unwrap().id, "veilig-thuis");
    assert_eq!(app.selected_code().unwrap().id, "veilig-thuis");
}

#[test]
fn split_a_code_into_sub_codes_recode_merge_and_undo() {
    let dir = common::copy("valid");
    let journal = dir.path().join("codings/ana.jsonl");
    let mut app = app_in(dir.path(), "ana");
    for name in ["Blauwe plekken", "Gedrag", "Verzuim"] {
        highlight(&mut app, "Signalen herkennen");
        keys(&mut app, "a");
        enter(&mut app, name);
        key(&mut app, KeyCode::Enter); // the proposed colour
        assert!(
            app.message.as_ref().unwrap().text.contains("sub-code"),
            "{:?}",
            app.message
        );
    }
    let tree: Vec<(String, usize)> = app
        .code_tree()
        .iter()
        .map(|&(i, d)| (app.project.codebook.codes[i].id.clone(), d))
        .collect();
    assert_eq!(
        tree,
        [
            ("niet-pluis", 0),
            ("signalen", 0),
            ("blauwe-plekken", 1),
            ("gedrag", 1),
            ("verzuim", 1),
            ("knelpunten", 0)
        ]
        .map(|(i, d)| (i.to_string(), d))
    );
    // Hotkeys follow the tree: 3 is the first sub-code.
    key(&mut app, KeyCode::Tab);
    while app.focus != Focus::Text {
        key(&mut app, KeyCode::Tab);
    }
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s3");
    let coded: Vec<&str> = app
        .state()
        .codings
        .values()
        .map(|c| c.code.as_str())
        .collect();
    assert!(coded.contains(&"blauwe-plekken"), "{coded:?}");
    // The parent's roll-up counts the respondent of the sub-code.
    let signalen = app.project.codebook.index_of("signalen").unwrap();
    assert_eq!(app.rolled_respondents[signalen], 1);
    // A sub-code coded where the parent itself is not (T2): the roll-up counts that respondent
    // too; undone, it is back to T1 alone.
    while app.focus != Focus::List {
        key(&mut app, KeyCode::Tab);
    }
    keys(&mut app, "j");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.transcript().unwrap().id, "T2");
    while app.focus != Focus::Text {
        key(&mut app, KeyCode::Tab);
    }
    goto(&mut app, "Eén meisje");
    keys(&mut app, "s3");
    assert_eq!(app.rolled_respondents[signalen], 2, "T1 and T2");
    keys(&mut app, "u");
    assert_eq!(app.rolled_respondents[signalen], 1);
    // Undo selects the passage again (to recode it); drop that before going on.
    key(&mut app, KeyCode::Esc);
    let before_merge = std::fs::read(&journal).unwrap();
    // Merge "Gedrag" into "Blauwe plekken", then the sub-code with the coding into "Verzuim".
    highlight(&mut app, "Blauwe plekken");
    keys(&mut app, "J");
    enter(&mut app, "Verzuim");
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("1 coding(s) count as \"Verzuim\""),
        "{:?}",
        app.message
    );
    assert!(app.state().codings.values().any(|c| c.code == "verzuim"));
    assert!(app.project.codebook.code("blauwe-plekken").is_none());
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        before_merge,
        "a merge rewrites no journal"
    );
    // A merge into itself is refused and asked again.
    highlight(&mut app, "Verzuim");
    keys(&mut app, "J");
    enter(&mut app, "Verzuim");
    assert!(app.message.as_ref().unwrap().text.contains("into itself"));
    key(&mut app, KeyCode::Esc);
    // Z undoes the merge: the coding is the sub-code's again.
    keys(&mut app, "Z");
    assert!(
        app.state()
            .codings
            .values()
            .any(|c| c.code == "blauwe-plekken")
    );
    assert!(app.project.codebook.code("blauwe-plekken").is_some());
    // And the sub-codes one by one; the one with a coding only once the coding is undone,
    // so that no coding is left pointing at nothing.
    keys(&mut app, "ZZZ");
    assert_eq!(app.project.codebook.codes.len(), 4);
    let msg = app.message.as_ref().unwrap().text.clone();
    assert!(
        msg.contains("would leave 1 coding(s) of code \"blauwe-plekken\""),
        "{msg}"
    );
    keys(&mut app, "uZ");
    assert_eq!(app.project.codebook.codes.len(), 3);
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("undone add code \"Blauwe plekken\"")
    );
}

#[test]
fn codebook_panel_shows_the_tree_roll_up_and_definition() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    highlight(&mut app, "Signalen herkennen");
    keys(&mut app, "a");
    enter(&mut app, "Blauwe plekken");
    key(&mut app, KeyCode::Enter);
    highlight(&mut app, "Signalen herkennen");
    keys(&mut app, "e");
    // Description (filled in: empty), inclusion, exclusion, example.
    enter(&mut app, "Concrete signalen");
    enter(&mut app, "gezien of gehoord");
    enter(&mut app, "");
    enter(&mut app, "");
    let term = draw(&app);
    insta::assert_snapshot!("codebook_tree", term.backend());
    let buf = term.backend().buffer();
    let area = draw::areas(Rect::new(0, 0, W, H), Focus::Codebook, false).codebook;
    let row = |needle: &str| {
        (area.y..area.y + area.height)
            .find(|&y| {
                let line: String = (area.x..area.x + area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect();
                line.contains(needle)
            })
            .unwrap_or_else(|| panic!("{needle} not drawn"))
    };
    let line = |y: u16| -> String {
        (area.x..area.x + area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect()
    };
    // The sub-code indented under its parent, the parent with its roll-up.
    let sub = row("Blauwe plekken");
    assert!(line(sub).contains("██   Blauwe plekken"), "{}", line(sub));
    assert!(
        line(row("Signalen herkennen   ")).contains("Σ1"),
        "{}",
        line(row("Signalen herkennen   "))
    );
    // The swatch in the code's colour.
    let x = (area.x..area.x + area.width)
        .find(|&x| buf[(x, sub)].symbol() == "█")
        .unwrap();
    let colour = app.project.codebook.code("blauwe-plekken").unwrap().colour;
    assert_eq!(buf[(x, sub)].fg, Color::Rgb(colour.0, colour.1, colour.2));
    // The definition of the highlighted code under the list.
    assert!(line(row("Concrete signalen")).contains("Concrete signalen"));
    assert!(line(row("gezien of gehoord")).contains("incl. gezien of gehoord"));
}

#[test]
fn transcript_memos_and_logbook_entries_are_journaled_and_undone() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    while app.focus != Focus::List {
        key(&mut app, KeyCode::Tab);
    }
    keys(&mut app, "m");
    assert!(matches!(&app.mode, Mode::Memo(e) if e.title.contains("transcript T1")));
    keys(&mut app, "Twijfelt");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "over de meldcode");
    save_memo(&mut app);
    assert_eq!(
        app.state().transcript_memos.get("T1").map(String::as_str),
        Some("Twijfelt\nover de meldcode")
    );
    keys(&mut app, "L");
    keys(&mut app, "Signalen splitsen");
    save_memo(&mut app);
    let log: Vec<&str> = app
        .state()
        .logbook
        .values()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(log, ["Signalen splitsen"]);
    // Esc cancels without saving.
    keys(&mut app, "L");
    keys(&mut app, "weg");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state().logbook.len(), 1);
    // Both survive a restart, and u takes the logbook entry back.
    drop(app);
    let mut app = app_in(dir.path(), "ana");
    assert_eq!(app.state().logbook.len(), 1);
    assert!(app.state().transcript_memos.contains_key("T1"));
    keys(&mut app, "u");
    assert!(app.state().logbook.is_empty());
    let memos = codewerk::core::memo::all(&app.project, &[app.state()]);
    assert_eq!(memos.len(), 1);
    assert_eq!(memos[0].kind, codewerk::core::memo::MemoKind::Transcript);
}

#[test]
fn the_memo_view_lists_every_memo_filters_and_jumps() {
    use codewerk::tui::app::View;
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    goto(&mut app, "blauwe");
    keys(&mut app, "m");
    keys(&mut app, "plekken gezien");
    save_memo(&mut app);
    highlight(&mut app, "Knelpunten");
    keys(&mut app, "m");
    keys(&mut app, "Te breed?");
    save_memo(&mut app);
    keys(&mut app, "L");
    keys(&mut app, "Codeboek besproken");
    save_memo(&mut app);
    keys(&mut app, "N");
    let Some(View::Memos(v)) = &app.view else {
        panic!("the memo view is open")
    };
    let kinds: Vec<&str> = v.visible().iter().map(|m| m.kind.name()).collect();
    assert_eq!(kinds, ["logbook", "code", "passage"]);
    // Typed text filters (accents and case ignored); Tab cycles the kind.
    keys(&mut app, "BREED");
    let Some(View::Memos(v)) = &app.view else {
        panic!()
    };
    assert_eq!(v.visible().len(), 1);
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace);
    }
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    let Some(View::Memos(v)) = &app.view else {
        panic!()
    };
    assert_eq!(
        v.visible()
            .iter()
            .map(|m| m.kind.name())
            .collect::<Vec<_>>(),
        ["passage"]
    );
    let term = draw(&app);
    assert!(format!("{:?}", term.backend()).contains("plekken gezien"));
    // Enter on the passage memo shows the passage in its transcript.
    key(&mut app, KeyCode::Enter);
    assert!(app.view.is_none());
    assert_eq!(app.transcript().unwrap().id, "T1");
    let at = app.text.cursor;
    assert!(
        app.here.iter().any(|c| c.start <= at && at < c.end + 1),
        "the cursor is on the passage"
    );
    // N brings the view back as it was; Enter on the code memo highlights the code.
    keys(&mut app, "N");
    // From "passage": all, logbook, transcript, code.
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus, Focus::Codebook);
    assert_eq!(app.selected_code().unwrap().id, "knelpunten");
}

#[test]
fn key_quote_key_marks_the_passage_journals_and_undoes() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    goto(&mut app, "blauwe");
    let id = app.here[0].id;
    keys(&mut app, "K");
    assert!(app.state().key_quotes.contains(&id));
    let shown = draw(&app).backend().to_string();
    assert!(shown.contains("★ key quote"), "{shown}");
    let journal = std::fs::read_to_string(dir.path().join("codings/ana.jsonl")).unwrap();
    assert!(
        journal
            .lines()
            .last()
            .unwrap()
            .contains("\"op\":\"key_quote\"")
    );
    // u takes it back; K again marks, K once more unmarks.
    keys(&mut app, "u");
    assert!(!app.state().key_quotes.contains(&id));
    keys(&mut app, "KK");
    assert!(!app.state().key_quotes.contains(&id));
    // It survives a restart, like every coding action.
    keys(&mut app, "K");
    drop(app);
    let app = app_in(dir.path(), "ana");
    assert!(app.state().key_quotes.contains(&id));
    // Nothing under the cursor: said, nothing written.
    let mut app = app;
    keys(&mut app, "g");
    let before = std::fs::read_to_string(dir.path().join("codings/ana.jsonl")).unwrap();
    if app.here.is_empty() {
        keys(&mut app, "K");
        let after = std::fs::read_to_string(dir.path().join("codings/ana.jsonl")).unwrap();
        assert_eq!(before, after);
    }
}

#[test]
fn typing_a_search_never_waits_for_the_index_and_stale_answers_are_dropped() {
    use codewerk::core::index::Index;
    use codewerk::tui::app::{Job, View};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    // As the event loop does: background results come back on a channel.
    let (tx, rx) = std::sync::mpsc::channel();
    app.set_job_channel(tx);
    let (index, report) = Index::open(&app.project, &mut |_| {}).unwrap();
    app.handle(Msg::Job(Job::IndexReady(Ok((
        Box::new(index),
        report.message(),
    )))));
    keys(&mut app, "/");
    keys(&mut app, "coordinator");
    let searching = |app: &App| match &app.view {
        Some(View::Search(v)) => v.searching,
        _ => panic!("the search view is open"),
    };
    // The keys came back before the search: the view says so.
    assert!(searching(&app));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("searching…"));
    // The answer to the first key's request ("c") arrives late: it is not shown.
    app.handle(Msg::Job(Job::SearchDone {
        id: 1,
        result: Err("stale".into()),
    }));
    assert!(searching(&app), "a stale answer does not end the search");
    let Some(View::Search(v)) = &app.view else {
        panic!()
    };
    assert_eq!(v.error, None, "a stale answer is dropped");
    while searching(&app) {
        let job = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the worker answers");
        app.handle(Msg::Job(job));
    }
    let Some(View::Search(v)) = &app.view else {
        panic!()
    };
    // T1 says "coördinator"; T3's "zorgcoördinator" is found through its part.
    assert_eq!(v.total, 2, "the answer to the last key is shown");
    assert_eq!(v.hits[0].transcript, "T1", "the whole word ranks first");
}

#[test]
fn a_paste_into_the_search_view_is_its_query() {
    use codewerk::core::index::Index;
    use codewerk::tui::app::{Job, View};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    let (index, report) = Index::open(&app.project, &mut |_| {}).unwrap();
    app.handle(Msg::Job(Job::IndexReady(Ok((
        Box::new(index),
        report.message(),
    )))));
    keys(&mut app, "/");
    app.handle(Msg::Paste("coördinator\n".into()));
    let Some(View::Search(v)) = &app.view else {
        panic!("a paste keeps the search view open")
    };
    assert_eq!(
        v.query, "coördinator ",
        "the line break is a space, not Enter"
    );
    // "coördinator" in T1 and, as a part, "zorgcoördinator" in T3.
    assert_eq!(v.total, 2);
}

/// The code Enter applies is the highlighted one: finding a code with `f` and giving up (Esc,
/// or Enter on a filter that matches nothing) leaves the highlight where it was. It used to
/// drop back to the first code, which the next Enter then applied.
#[test]
fn giving_up_on_f_keeps_the_highlighted_code() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    let highlighted = |app: &App| app.selected_code().map(|c| c.id.clone());
    // Tab to the codebook, two codes down.
    while app.focus != Focus::Codebook {
        key(&mut app, KeyCode::Tab);
    }
    keys(&mut app, "jj");
    let before = highlighted(&app);
    assert!(before.is_some());
    assert_ne!(
        before,
        app.project.codebook.codes.first().map(|c| c.id.clone())
    );
    while app.focus != Focus::Text {
        key(&mut app, KeyCode::Tab);
    }
    goto(&mut app, "Een leerling");
    keys(&mut app, "s");
    keys(&mut app, "f");
    key(&mut app, KeyCode::Esc);
    assert_eq!(highlighted(&app), before, "Esc in the code finder");
    keys(&mut app, "fxyzq");
    key(&mut app, KeyCode::Enter);
    assert_eq!(highlighted(&app), before, "Enter that found nothing");
    assert!(app.here.is_empty(), "nothing was coded");
    // The selection is still there, and Enter now applies the code the coder had chosen.
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.here
            .iter()
            .map(|c| Some(c.code.clone()))
            .collect::<Vec<_>>(),
        vec![before]
    );
}

/// Scrolling with the wheel while a passage is selected only scrolls: the selection (what the
/// next digit codes) keeps its ends.
#[test]
fn the_mouse_wheel_never_stretches_a_selection() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Een leerling");
    keys(&mut app, "s");
    let before = app.selection().unwrap();
    let text = app.areas().text;
    for _ in 0..3 {
        app.handle(Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: text.x + 2,
            row: text.y + 2,
            modifiers: KeyModifiers::NONE,
        }));
    }
    assert_eq!(app.selection(), Some(before));
}

/// `p` in the codebook panel moves a code as `codewerk code move` does: under another code, to
/// another deelvraag, or before a code; a wrong answer is asked again.
#[test]
fn p_moves_a_code_to_another_deelvraag_or_place() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    let deelvraag = |app: &App, id: &str| app.project.codebook.code(id).unwrap().deelvraag;
    let order = |app: &App| -> Vec<String> {
        app.code_tree()
            .iter()
            .map(|&(i, _)| app.project.codebook.codes[i].id.clone())
            .collect()
    };
    highlight(&mut app, "Niet pluis gevoel");
    keys(&mut app, "p");
    // The field starts with the current parent ("none"): clear it, then a bad number.
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    enter(&mut app, "deelvraag x");
    assert!(matches!(app.mode, Mode::Input(_)), "asked again");
    for _ in 0..20 {
        key(&mut app, KeyCode::Backspace);
    }
    enter(&mut app, "deelvraag 2");
    assert_eq!(deelvraag(&app, "niet-pluis"), 2);
    assert_eq!(order(&app), ["signalen", "knelpunten", "niet-pluis"]);
    highlight(&mut app, "Niet pluis gevoel");
    keys(&mut app, "p");
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    enter(&mut app, "before knelpunten");
    assert_eq!(order(&app), ["signalen", "niet-pluis", "knelpunten"]);
    // Both moves are undone by Z, one at a time.
    keys(&mut app, "ZZ");
    assert_eq!(deelvraag(&app, "niet-pluis"), 1);
    assert_eq!(order(&app), ["niet-pluis", "signalen", "knelpunten"]);
}

/// The matrix view filters by any respondent attribute (`a`), by a code query (`w`: only the
/// respondents it holds for, who are then the "of M"), and splits its columns by an attribute
/// (`b`), as the exports' --attr, --among and --by do.
#[test]
fn the_matrix_filters_by_attribute_and_query_and_splits_by_attribute() {
    use codewerk::tui::app::View;
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    keys(&mut app, "M");
    let all_of = |app: &App| match &app.view {
        Some(View::Matrix(v)) => v.cell(0, v.matrix.columns.len()).unwrap().of,
        _ => panic!("the matrix is open"),
    };
    assert_eq!(all_of(&app), 3);
    keys(&mut app, "a");
    enter(&mut app, "geslacht=v");
    assert_eq!(all_of(&app), 2, "T1 and T3");
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("only geslacht=v"), "{screen}");
    // A query: only respondents with a passage of signalen.
    keys(&mut app, "a");
    for _ in 0..20 {
        key(&mut app, KeyCode::Backspace);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(all_of(&app), 3, "empty clears the filter");
    keys(&mut app, "w");
    enter(&mut app, "signalen");
    let with_signalen = app
        .state()
        .codings
        .values()
        .filter(|c| c.code == "signalen")
        .map(|c| c.transcript.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(with_signalen > 0);
    assert_eq!(all_of(&app), with_signalen);
    // A query that does not parse is said, and the matrix stays as it was.
    keys(&mut app, "w");
    for _ in 0..20 {
        key(&mut app, KeyCode::Backspace);
    }
    enter(&mut app, "signalen AND (");
    assert!(app.message.as_ref().unwrap().error);
    assert_eq!(all_of(&app), with_signalen);
    // Columns by the geslacht attribute (the query cleared): its values are the columns.
    keys(&mut app, "w");
    for _ in 0..20 {
        key(&mut app, KeyCode::Backspace);
    }
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "b");
    let Some(View::Matrix(v)) = &app.view else {
        panic!()
    };
    let labels: Vec<&str> = v.matrix.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        ["respondents (geslacht v)", "respondents (geslacht m)"]
    );
    assert_eq!(v.by.as_deref(), Some("geslacht"));
}

/// The rows of a drawn screen, as text.
fn screen_rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_help_columns_keep_apart_after_scrolling_and_long_lines_wrap() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    app.handle(Msg::Resize(96, 24));
    keys(&mut app, "?");
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    let mut t = Terminal::new(TestBackend::new(96, 24)).unwrap();
    t.draw(|f| draw::draw(f, &app)).unwrap();
    let rows = screen_rows(&t);
    // Inside the border (x 1..95) the columns are 45 wide, with the 4 columns left between.
    let gap = 1 + 45..95 - 45;
    let mut continued = 0;
    for row in &rows[1..23] {
        let cells: Vec<char> = row.chars().collect();
        assert!(
            cells[gap.clone()].iter().all(|c| *c == ' '),
            "columns touch: {row}"
        );
        // Nothing is cut: a description too long for its column goes on under itself.
        for edge in [gap.start - 1, 94] {
            assert_ne!(cells[edge], '…', "cut instead of wrapped: {row}");
        }
        for start in [1, gap.end] {
            let key: String = cells[start..start + 14].iter().collect();
            if key.trim().is_empty() && cells[start + 14] != ' ' {
                continued += 1;
            }
        }
    }
    assert!(
        continued > 0,
        "some descriptions are longer than a column at 96 wide"
    );
    // Scrolling stops at the end: ↑ after many ↓ moves at once.
    for _ in 0..500 {
        key(&mut app, KeyCode::Down);
    }
    let end = app.help_scroll;
    assert!(end < 500);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.help_scroll, end - 1);
}

#[test]
fn m_and_e_on_overlapping_passages_ask_which_passage() {
    use codewerk::tui::app::{MemoTarget, PickFor};
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1s2");
    assert_eq!(app.here.len(), 2);
    keys(&mut app, "m");
    let Mode::PickPassage(PickFor::Memo, ids) = app.mode.clone() else {
        panic!("m asks which passage: {:?}", app.mode);
    };
    assert_eq!(ids.len(), 2);
    insta::assert_snapshot!("pick_memo", draw(&app).backend());
    // The second one listed, not the innermost.
    keys(&mut app, "2");
    let Mode::Memo(editor) = &app.mode else {
        panic!("the memo editor opens: {:?}", app.mode);
    };
    assert_eq!(editor.target, MemoTarget::Passage(ids[1]));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    keys(&mut app, "e");
    let Mode::PickPassage(PickFor::Edit, ids) = app.mode.clone() else {
        panic!("e asks which passage: {:?}", app.mode);
    };
    keys(&mut app, "2");
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.text.editing, Some(ids[1]));
    // Any other key chooses none.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "e");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.text.editing, None);
}

#[test]
fn select_a_passage_first_goes_once_a_passage_is_selected() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "bo");
    goto(&mut app, "Dat voelde");
    keys(&mut app, "1");
    let said = |app: &App| app.message.as_ref().map(|m| m.text.clone());
    assert!(said(&app).unwrap().starts_with("select a passage first"));
    // Moving does not select: the hint still holds.
    keys(&mut app, "l");
    assert!(said(&app).unwrap().starts_with("select a passage first"));
    keys(&mut app, "s");
    assert!(app.selection().is_some());
    assert_eq!(
        said(&app),
        None,
        "the hint is gone once a passage is selected"
    );
    // Other messages stay while a passage is selected.
    keys(&mut app, "1");
    assert!(said(&app).unwrap().contains("applied"));
}

#[test]
fn agreement_matrix_and_clusters_are_computed_off_the_ui_thread_and_stale_answers_dropped() {
    use codewerk::tui::app::{Job, View};
    let dir = common::copy("agreement");
    let mut app = app_in(dir.path(), "student");
    let (tx, rx) = std::sync::mpsc::channel();
    app.set_job_channel(tx);
    let answer = |rx: &std::sync::mpsc::Receiver<Job>| {
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("the view is computed")
    };
    let computing = |app: &App| matches!(app.view, Some(View::Computing(_)));
    // The key comes back before the counts: a stand-in says what it computes.
    keys(&mut app, "A");
    assert!(computing(&app));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(
        screen.contains("computing the agreement of student and derde…"),
        "{screen}"
    );
    // Closed before the answer, then asked again: the first answer is stale.
    key(&mut app, KeyCode::Esc);
    assert!(app.view.is_none());
    keys(&mut app, "A");
    let mut jobs = vec![answer(&rx), answer(&rx)];
    jobs.sort_by_key(|j| match j {
        Job::ViewReady { id, .. } => *id,
        _ => u64::MAX,
    });
    let mut jobs = jobs.into_iter();
    app.handle(Msg::Job(jobs.next().unwrap()));
    assert!(computing(&app), "the answer to a closed request is dropped");
    app.handle(Msg::Job(jobs.next().unwrap()));
    let Some(View::Agreement(view)) = &app.view else {
        panic!("the answer to the open request opens the view")
    };
    assert_eq!((view.a.as_str(), view.b.as_str()), ("student", "derde"));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(app.view.is_none());
    keys(&mut app, "M");
    assert!(computing(&app));
    app.handle(Msg::Job(answer(&rx)));
    assert!(matches!(app.view, Some(View::Matrix(_))));
    keys(&mut app, "q");
    keys(&mut app, "C");
    assert!(computing(&app));
    app.handle(Msg::Job(answer(&rx)));
    assert!(
        matches!(app.view, Some(View::Clusters(_))),
        "{:?}",
        app.message
    );
}

/// A code added from the command line while the TUI is open has a colour: `n` must not
/// propose that one again (the TUI's codebook was read before it was added).
#[test]
fn the_proposed_colour_is_not_one_taken_on_disk_since_the_tui_opened() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    let path = Project::codebook_path(dir.path());
    let cb = codewerk::core::codebook_history::change(&path, "cli", "add code", |cb| {
        cb.add(codewerk::core::codebook::NewCode {
            name: "Buiten de TUI".into(),
            deelvraag: 1,
            ..Default::default()
        })
        .map(|_| ())
    })
    .unwrap();
    let taken = cb.find("Buiten de TUI").unwrap().colour;
    keys(&mut app, "n");
    enter(&mut app, "Nieuw in de TUI");
    enter(&mut app, "");
    enter(&mut app, "");
    let Mode::Input(i) = &app.mode else {
        panic!("the colour is not asked: {:?}", app.mode)
    };
    assert!(i.prompt.starts_with("Colour"), "{}", i.prompt);
    assert_ne!(i.value, taken.to_string());
}

/// On a narrow screen the new project's intro wraps, each wrapped line keeping its paragraph's
/// indent (the paragraph wrapped them to the panel's edge).
#[test]
fn the_new_project_intro_keeps_its_indent_when_wrapped() {
    use codewerk::core::scaffold::{NewProject, create};
    let dir = tempfile::tempdir().unwrap();
    create(dir.path(), &NewProject::defaults("Studie"), false).unwrap();
    let mut app = app_in(dir.path(), "ana");
    std::sync::Arc::make_mut(&mut app.project).root = "studie".into();
    app.handle(Msg::Resize(80, 24));
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| draw::draw(f, &app)).unwrap();
    let buf = t.backend().buffer();
    // The transcript panel: from the left border to the first border after it.
    let rows: Vec<String> = (1..23)
        .map(|y| {
            (1..80)
                .map(|x| buf[(x, y)].symbol().to_string())
                .take_while(|s| s != "│")
                .collect()
        })
        .collect();
    let text: Vec<&String> = rows
        .iter()
        .take_while(|r| !r.contains('─'))
        .filter(|r| !r.trim().is_empty())
        .collect();
    assert!(
        text.iter()
            .any(|r| r.trim() == "interviews, one file each:"),
        "not wrapped: {rows:#?}"
    );
    for r in &text {
        assert!(r.starts_with("  "), "{r:?} in {rows:#?}");
    }
}

/// The place is saved while the TUI runs (another transcript at once, a move once it settles),
/// so that after `kill -9` the next start opens where the coder was, not where they last quit.
#[test]
fn the_place_is_saved_while_coding_not_only_at_quit() {
    use codewerk::tui::session::Autosave;
    use std::time::{Duration, Instant};
    let dir = common::copy("valid");
    let session = dir.path().join(".codewerk/session-bo.json");
    let saved = || -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(&session).unwrap()).unwrap()
    };
    let mut app = app_in(dir.path(), "bo");
    let mut autosave = Autosave::new(&app);
    autosave.after(&app);
    assert!(!session.exists(), "nothing changed, nothing written");
    key(&mut app, KeyCode::BackTab);
    keys(&mut app, "jj");
    key(&mut app, KeyCode::Enter);
    let t0 = Instant::now();
    autosave.after_at(&app, t0);
    assert_eq!(
        saved()["transcript"],
        "T3",
        "another transcript is saved at once"
    );
    goto(&mut app, "maar die");
    let cursor = app.text.cursor;
    autosave.after_at(&app, t0);
    assert_ne!(saved()["cursor"], cursor, "a move waits until it settles");
    assert!(autosave.wait().is_some(), "the loop is woken to save it");
    autosave.after_at(&app, t0 + Autosave::EVERY + Duration::from_millis(1));
    assert_eq!(saved()["cursor"], cursor);
    assert!(autosave.wait().is_none());
    // Killed here (no save at quit): the next start is at that place.
    drop(app);
    let mut again = app_in(dir.path(), "bo");
    again.restore_session();
    assert_eq!(again.transcript().unwrap().id, "T3");
    assert_eq!(again.text.cursor, cursor);
}

/// A wrapped description is never split over the two columns (its rest at the top of the
/// right column, its key out of sight), at any scroll, and the help's last line still shows.
#[test]
fn a_wrapped_help_entry_stays_in_one_column_and_the_end_is_reachable() {
    for (w, h) in [(100u16, 30u16), (80, 24)] {
        let dir = common::copy("valid");
        let mut app = app_in(dir.path(), "ana");
        app.handle(Msg::Resize(w, h));
        keys(&mut app, "?");
        let inner = w.min(150) - 2;
        let col_w = ((inner - 3) / 2) as usize;
        let right = 1 + inner as usize - col_w;
        let mut last = usize::MAX;
        let mut end_seen = false;
        loop {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| draw::draw(f, &app)).unwrap();
            let rows = screen_rows(&t);
            let top: Vec<char> = rows[1].chars().collect();
            let key: String = top[right..right + 14].iter().collect();
            assert!(
                !(key.trim().is_empty() && top[right + 14] != ' '),
                "{w}x{h} at {}: {}",
                app.help_scroll,
                rows[1]
            );
            end_seen |= rows.iter().any(|r| r.contains("click a code"));
            if app.help_scroll == last {
                break;
            }
            last = app.help_scroll;
            key_down(&mut app);
        }
        assert!(end_seen, "{w}x{h}: the last line never shows");
    }
}

fn key_down(app: &mut App) {
    key(app, KeyCode::Down);
}

// ----- views that count codings on transcripts never opened -----

/// A synthetic project of `n` transcripts, each with codings of `ann` and `bob` made on its
/// text, every file dated a minute back (so that the transcript cache trusts them and
/// `Project::load_lazy` reads no text).
fn lazy_project(n: usize) -> tempfile::TempDir {
    use codewerk::core::coding::{Coding, Op};
    let dir = tempfile::tempdir().unwrap();
    codewerk::core::index::synth::write_corpus(dir.path(), n, 300, 11).unwrap();
    let p = Project::load(dir.path()).unwrap();
    for coder in ["ann", "bob"] {
        let mut journal = p.open_journal(coder).unwrap();
        for t in &p.transcripts {
            let turn = &t.turns()[1];
            let (s, e) = (turn.body_start, turn.body_start + 25);
            journal
                .record(vec![
                    Op::Add(Coding::quoted(t, "meldcode", s, e)),
                    Op::Add(Coding::quoted(t, "twijfel", turn.end - 30, turn.end)),
                ])
                .unwrap();
        }
    }
    age(
        dir.path(),
        std::time::SystemTime::now() - std::time::Duration::from_secs(60),
    );
    // The first lazy load writes the transcript cache; the next ones read no text.
    let _ = Project::load_lazy(dir.path()).unwrap();
    dir
}

fn age(dir: &std::path::Path, when: std::time::SystemTime) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            age(&path, when);
        } else {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
    }
}

/// Shift by one character, by hand, the first coding of `coder` on transcript `id`, keeping
/// its quote, version and checksum: the journal says it was made on this text, but it is not
/// on its words. Returns the journal line edited.
fn shift_a_coding_by_hand(dir: &std::path::Path, coder: &str, id: &str) -> usize {
    let path = dir.join(format!("codings/{coder}.jsonl"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut at = 0;
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if at > 0 || !l.contains(&format!("\"transcript\":\"{id}\"")) {
                return l.to_string();
            }
            at = i + 1;
            // The old checksum stays, and no longer fits: a hand edit.
            let mut rec = codewerk::core::coding::Record::parse(l).unwrap();
            if let codewerk::core::coding::Op::Add(c) = &mut rec.op {
                c.start += 1;
                c.end += 1;
            }
            serde_json::to_string(&rec).unwrap()
        })
        .collect();
    assert!(at > 0, "a coding of {coder} on {id}");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    at
}

/// The matrix (like the agreement, the clusters and the co-occurrences) counts codings on
/// transcripts never opened. Codings whose journal lines vouch for themselves (a right
/// checksum, on the cached version) are counted without reading any text, as the commands
/// count them; a line edited by hand (its checksum no longer fits) has its text read and
/// checked by the load, so a view counts it where its words are, or not at all.
#[test]
fn views_count_codings_on_never_opened_transcripts_on_their_words_without_reading_texts() {
    use codewerk::core::coding::Anchor;
    use codewerk::tui::app::View;
    let dir = lazy_project(3);
    let open = |dir: &tempfile::TempDir| {
        App::new(
            Project::load_lazy(dir.path()).unwrap(),
            "ann",
            codewerk::tui::theme::Theme::dark(true),
            Rect::new(0, 0, W, H),
        )
    };
    let mut app = open(&dir);
    assert_eq!(app.current, Some(0));
    keys(&mut app, "M");
    assert!(
        matches!(app.view, Some(View::Matrix(_))),
        "the matrix is shown"
    );
    keys(&mut app, "q");
    keys(&mut app, "A");
    assert!(
        matches!(app.view, Some(View::Agreement(_))),
        "the agreement is shown"
    );
    for t in &app.project.transcripts[1..] {
        assert!(!t.is_read(), "{} read by a view", t.id);
    }
    drop(app);

    // A line edited by hand on a transcript never opened.
    let last = Project::load_lazy(dir.path()).unwrap().transcripts[2]
        .id
        .clone();
    let line = shift_a_coding_by_hand(dir.path(), "ann", &last);
    let mut app = open(&dir);
    assert!(
        app.project.transcripts[2].is_read(),
        "read by the load, to check the edited line"
    );
    keys(&mut app, "M");
    assert!(matches!(app.view, Some(View::Matrix(_))));
    let t = &app.project.transcripts[2];
    let c = app.project.coders["ann"]
        .codings
        .values()
        .find(|c| c.line == line)
        .cloned()
        .unwrap();
    assert!(!matches!(c.anchor, Anchor::Exact), "not taken as is: {c:?}");
    assert!(
        c.anchor.is_flagged() || t.slice(c.start, c.end) == c.text,
        "{c:?}"
    );
}

/// The codebook's counts over all codings are kept between changes rather than counted on
/// every open: after coding, undo, redo and opening other transcripts they still equal a count
/// made from scratch.
#[test]
fn the_counts_kept_between_changes_equal_a_fresh_count() {
    let dir = common::copy("valid");
    let mut app = app_in(dir.path(), "ana");
    let fresh = |app: &App| {
        let codes = &app.project.codebook.codes;
        let counted: Vec<_> = app
            .state()
            .codings
            .values()
            .filter(|c| !c.anchor.is_flagged())
            .collect();
        let all: Vec<usize> = codes
            .iter()
            .map(|k| counted.iter().filter(|c| c.code == k.id).count())
            .collect();
        let here_id = app.transcript().unwrap().id.clone();
        let here: Vec<usize> = codes
            .iter()
            .map(|k| {
                counted
                    .iter()
                    .filter(|c| c.code == k.id && c.transcript == here_id)
                    .count()
            })
            .collect();
        let per: Vec<usize> = app
            .project
            .transcripts
            .iter()
            .map(|t| counted.iter().filter(|c| c.transcript == t.id).count())
            .collect();
        (all, here, per)
    };
    let kept = |app: &App| {
        (
            app.count_all.clone(),
            app.count_here.clone(),
            app.coded_per_transcript.clone(),
        )
    };
    assert_eq!(kept(&app), fresh(&app));
    goto(&mut app, "Dat voelde");
    keys(&mut app, "s1");
    assert_eq!(kept(&app), fresh(&app), "after coding");
    let before = kept(&app);
    app.open(1);
    assert_eq!(kept(&app), fresh(&app), "after opening another");
    app.open(0);
    assert_eq!(kept(&app), before);
    keys(&mut app, "u");
    assert_eq!(kept(&app), fresh(&app), "after undo");
    assert_ne!(kept(&app), before);
    keys(&mut app, "U");
    assert_eq!(kept(&app), before, "after redo");
}
