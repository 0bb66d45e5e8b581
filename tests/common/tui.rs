//! Driving the TUI without a terminal: an app on a project, keys, and a drawn screen.

use codewerk::core::project::Project;
use codewerk::tui::app::{App, Msg};
use codewerk::tui::draw;
use codewerk::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::path::Path;

pub const W: u16 = 120;
pub const H: u16 = 30;

pub fn app_in(dir: &Path, coder: &str) -> App {
    let project = Project::load(dir).unwrap();
    App::new(project, coder, Theme::dark(true), Rect::new(0, 0, W, H))
}

/// Type characters, each as one key.
pub fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

pub fn key(app: &mut App, code: KeyCode) {
    app.handle(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| draw::draw(f, app)).unwrap();
    t
}
