//! The terminal UI: state + actions + update + view (the Elm architecture), over the core.

pub mod action;
pub mod app;
pub mod keymap;
pub mod motion;
pub mod theme;
pub mod view;
pub mod wrap;

use crate::core::project::Project;
use app::App;
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use std::time::Duration;

/// Run the TUI until the user quits. The terminal is restored on exit, on error and on panic
/// (ratatui::init installs a panic hook that restores it).
pub fn run(project: Project, coder: &str) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let result = (|| -> anyhow::Result<()> {
        let size = terminal.size()?;
        let mut app = App::new(
            project,
            coder,
            theme::Theme::detect(),
            ratatui::layout::Rect::new(0, 0, size.width, size.height),
        );
        while !app.should_quit {
            terminal.draw(|f| view::draw(f, &app))?;
            if !event::poll(Duration::from_millis(500))? {
                continue;
            }
            match event::read()? {
                Event::Key(k) => app.on_key(k),
                Event::Mouse(m) => app.on_mouse(m),
                Event::Resize(w, h) => app.resize(w, h),
                _ => {}
            }
        }
        Ok(())
    })();
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}
