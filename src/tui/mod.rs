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
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Run the TUI until the user quits. The terminal is restored on exit, on error and on panic
/// (ratatui::init installs a panic hook that restores it).
pub fn run(project: Project, coder: &str, theme: theme::Theme) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel();
    // One project in memory, shared with the indexer (and later searches and exports).
    let project = Arc::new(project);
    spawn_indexer(Arc::clone(&project), tx.clone());
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    install_panic_hook();
    // One queue of messages into `update`: terminal input (from a thread that blocks on it) and
    // the results of background work. The loop sleeps until a message comes, so a search result
    // is drawn the moment it is ready, and an idle TUI costs nothing.
    let (msgs, inbox) = mpsc::channel::<Msg>();
    forward_input(msgs.clone());
    forward_jobs(rx, msgs);
    // A panic that reaches the UI thread from elsewhere (a worker's, re-raised by rayon) does not
    // go through the hook again: catch it, restore the terminal, then let it go on.
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> anyhow::Result<()> {
            let size = terminal.size()?;
            let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
            let mut app = App::new(project, coder, theme, area);
            app.set_job_channel(tx);
            app.restore_session();
            let mut autosave = session::Autosave::new(&app);
            let mut first_frame = first_frame_timer();
            while !app.should_quit {
                terminal.draw(|f| draw::draw(f, &app))?;
                if let Some((path, since)) = first_frame.take() {
                    // Timing only: a failure to write it must not disturb the session.
                    let _ = std::fs::write(path, format!("{}\n", since.elapsed().as_millis()));
                    app.should_quit = std::env::var_os("CODEWERK_FIRST_FRAME_QUIT").is_some();
                }
                // Woken without a message only to save a place that has settled.
                let msg = match autosave.wait() {
                    None => match inbox.recv() {
                        Ok(msg) => Some(msg),
                        Err(_) => break,
                    },
                    Some(wait) => match inbox.recv_timeout(wait) {
                        Ok(msg) => Some(msg),
                        Err(mpsc::RecvTimeoutError::Timeout) => None,
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    },
                };
                if let Some(msg) = msg {
                    app.handle(msg);
                }
                // Whatever else has arrived (a paste's worth of keys, a burst of index
                // progress) is handled before the next frame: one draw for all of it.
                while !app.should_quit
                    && let Ok(msg) = inbox.try_recv()
                {
                    app.handle(msg);
                }
                autosave.after(&app);
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

/// When the process started, the first frame is measured from (the binary's entry point).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// For benchmarks: with `CODEWERK_FIRST_FRAME=FILE`, the milliseconds from the start of the
/// process (`STARTED`) to the first frame drawn are written to FILE; with
/// `CODEWERK_FIRST_FRAME_QUIT` set too, the TUI quits right after that frame.
fn first_frame_timer() -> Option<(std::path::PathBuf, std::time::Instant)> {
    let path = std::env::var_os("CODEWERK_FIRST_FRAME")?;
    Some((path.into(), *STARTED.get_or_init(std::time::Instant::now)))
}

/// Read terminal events on a thread of their own and send them on as messages. The thread
/// ends when the app has gone (the receiver is dropped) or the terminal fails.
fn forward_input(msgs: mpsc::Sender<Msg>) {
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            if let Some(msg) = Msg::from_event(event)
                && msgs.send(msg).is_err()
            {
                break;
            }
        }
    });
}

/// Background results (index, searches, exports) into the same queue as the input.
fn forward_jobs(jobs: mpsc::Receiver<Job>, msgs: mpsc::Sender<Msg>) {
    std::thread::spawn(move || {
        for job in jobs {
            if msgs.send(Msg::Job(job)).is_err() {
                break;
            }
        }
    });
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

/// Open (build or update) the search index off the UI thread, on the app's own project (shared,
/// not loaded again), so that coding can start at once even when 10,000 transcripts need
/// indexing. The thread lets go of the project when the index is built.
fn spawn_indexer(project: Arc<Project>, tx: mpsc::Sender<Job>) {
    std::thread::spawn(move || {
        let built =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_index(&project, &tx)));
        drop(project);
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

fn build_index(project: &Project, tx: &mpsc::Sender<Job>) -> Built {
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
    Index::open(project, &mut progress)
        .map(|(index, report)| (Box::new(index), report.message()))
        .map_err(|e| e.to_string())
}
