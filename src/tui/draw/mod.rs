//! Drawing: reads the app state and draws only what is visible. No state changes here.
//! `layout` places the panels; one file per panel and overlay.

mod codebook;
mod help;
mod layout;
mod list;
mod popup;
mod status;
mod transcript;

use codebook::draw_codebook;
pub use codebook::{CodebookRow, build_codebook_rows, codebook_list_height, codebook_offset};
use help::draw_help;
pub use help::{help_lines, help_max_scroll};
use layout::centered;
pub use layout::{Areas, GUTTER, areas, list_offset, text_inner, text_width};
use list::draw_list;
use popup::{draw_input, draw_pick_passage};
pub use status::hint_line;
use status::{draw_hints, draw_status};
use transcript::draw_text;

use crate::tui::app::{App, InputPurpose, Mode, PickFor, View};
use crate::tui::keymap::{self, Focus, Layer};
use crate::tui::views::agreement::CONSENSUS;
use crate::tui::wrap::VLine;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

pub fn draw(f: &mut Frame, app: &App) {
    let a = areas(f.area(), app.focus, app.panels_hidden);
    if let Some(v) = &app.view {
        let [main, _, _] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(f.area());
        match v {
            View::Agreement(view) => {
                // The consensus coder's codings: live when that is the coder at work, else as
                // the app last wrote them (it updates the project's copy after each decision).
                let consensus = if app.coder == CONSENSUS {
                    Some(app.state())
                } else {
                    app.project.coders.get(CONSENSUS)
                };
                view.draw(f, main, &app.project, &app.theme, consensus);
            }
            View::Search(view) => view.draw(f, main, &app.theme, &app.index_status()),
            View::Kwic(view) => view.draw(f, main, &app.theme),
            View::Words(view) => view.draw(f, main, &app.theme),
            View::Clusters(view) => view.draw(f, main, &app.project, &app.theme),
            View::Matrix(view) => view.draw(f, main, &app.project, &app.theme),
            View::Review(view) => view.draw(f, main, &app.project, &app.theme),
            View::Cooccurrence(view) => view.draw(f, main, &app.project, &app.theme),
            View::Memos(view) => view.draw(f, main, &app.project, &app.theme),
            View::Computing(view) => view.draw(f, main, &app.theme),
        }
        draw_status(f, app, a.status);
        draw_hints(f, app, a.hints);
        if app.mode == Mode::Help {
            draw_help(f, app, f.area());
        }
        return;
    }
    if app.project.transcripts.is_empty() {
        // A new project: the first steps get the room of the (empty) list too.
        let room = a.list.union(a.text);
        if room.width > 0 {
            draw_text(f, app, room);
        }
    } else {
        if a.list.width > 0 {
            draw_list(f, app, a.list);
        }
        if a.text.width > 0 {
            draw_text(f, app, a.text);
        }
    }
    if a.codebook.width > 0 {
        draw_codebook(f, app, a.codebook);
    }
    draw_status(f, app, a.status);
    draw_hints(f, app, a.hints);
    match &app.mode {
        Mode::Help => draw_help(f, app, f.area()),
        Mode::Input(input) => draw_input(f, app, &input.prompt, &input.value, &input.purpose),
        Mode::PickPassage(purpose, ids) => draw_pick_passage(f, app, *purpose, ids),
        Mode::Memo(editor) => popup::draw_memo(f, app, editor),
        Mode::Normal => {}
    }
}

/// A panel's frame, its title cut with … to the panel's `area`.
fn block<'a>(app: &App, title: &str, focus: Focus, area: Rect) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border(app.focus == focus))
        .title(crate::tui::views::block_title(title, area.width))
}
