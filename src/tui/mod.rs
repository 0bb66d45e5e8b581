//! The terminal UI: state + actions + update + view (the Elm architecture), over the core.

pub mod action;
pub mod app;
pub mod draw;
pub mod keymap;
pub mod motion;
pub mod session;
pub mod theme;
pub mod views;
pub mod wrap;

use crate::core::index::Index;
use crate::core::project::Project;
use app::{App, Job, Msg};
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use std::sync::mpsc;
use std::time::Duration;

/// Run the TUI until the user quits. The terminal is restored on exit, on error and on panic
/// (ratatui::init installs a panic hook that restores it).
pub fn run(project: Project, coder: &str, theme: theme::Theme) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel();
    spawn_indexer(project.root.clone(), tx);
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    install_panic_hook();
    // A panic that reaches the UI thread from elsewhere (a worker's, re-raised by rayon) does not
    // go through the hook again: catch it, restore the terminal, then let it go on.
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> anyhow::Result<()> {
            let size = terminal.size()?;
            let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
            let mut app = App::new(project, coder, theme, area);
            app.restore_session();
            while !app.should_quit {
                terminal.draw(|f| draw::draw(f, &app))?;
                // Wake up for input, or every 100 ms to pick up background results.
                if event::poll(Duration::from_millis(100))?
                    && let Some(msg) = Msg::from_event(event::read()?)
                {
                    app.handle(msg);
                }
                while let Ok(job) = rx.try_recv() {
                    app.handle(Msg::Job(job));
                }
            }
            // Only a convenience: a failure to remember the place must not fail the exit.
            let _ = app.save_session();
            Ok(())
        }));
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    match result {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// ratatui's panic hook restores the terminal but knows nothing of the mouse capture and
/// bracketed paste turned on after it; and a panic in a background thread must not restore
/// the terminal under the UI that is still drawing (that thread's result says it failed).
fn install_panic_hook() {
    let ui_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            let _ = execute!(
                std::io::stdout(),
                DisableMouseCapture,
                DisableBracketedPaste
            );
            previous(info);
        }
    }));
}

/// Open (build or update) the search index off the UI thread, on a project of its own, so that
/// coding can start at once even when 10,000 transcripts need indexing.
fn spawn_indexer(root: std::path::PathBuf, tx: mpsc::Sender<Job>) {
    std::thread::spawn(move || {
        let built =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_index(&root, &tx)));
        let result = built.unwrap_or_else(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!(
                "the indexer failed ({why}); search is off, coding is not affected"
            ))
        });
        let _ = tx.send(Job::IndexReady(result));
    });
}

type Built = Result<(Box<Index>, Option<String>), String>;

fn build_index(root: &std::path::Path, tx: &mpsc::Sender<Job>) -> Built {
    match Project::load(root) {
        Ok(project) => {
            let mut last = std::time::Instant::now();
            let mut progress = |p: crate::core::index::Progress| {
                if last.elapsed() > Duration::from_millis(100) {
                    last = std::time::Instant::now();
                    let _ = tx.send(Job::IndexProgress {
                        done: p.done,
                        total: p.total,
                    });
                }
            };
            Index::open(&project, &mut progress)
                .map(|(index, report)| (Box::new(index), report.message()))
                .map_err(|e| e.to_string())
        }
        // The real reason, as `codewerk check` would print it.
        Err(e) => Err(match e.problems.first() {
            Some(p) => format!("the project could not be loaded: {p}"),
            None => "the project could not be loaded".to_string(),
        }),
    }
}
