//! Where a coder left off, so that the next start opens there: the transcript and position,
//! the second layer, the list filters, the highlighted code and the folded panels.
//!
//! It is derived convenience, not research data: kept per coder in the project's cache folder
//! (`.codewerk/session-<coder>.json`, ignored by git), written atomically while the TUI runs
//! (see `Autosave`) and at exit, and ignored when it is missing, unreadable or names things the
//! project no longer has.

use super::app::{App, View};
use super::keymap::Focus;
use crate::core::fsutil;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    pub transcript: Option<String>,
    pub cursor: usize,
    pub scroll: usize,
    pub layer: Option<String>,
    pub code: Option<String>,
    pub group: Option<String>,
    pub school_type: Option<String>,
    pub attribute: Option<String>,
    pub panels_hidden: bool,
    /// A full-screen view that was open: "matrix" or "clusters".
    pub view: Option<String>,
}

fn path(app: &App) -> PathBuf {
    app.project
        .cache_dir()
        .join(format!("session-{}.json", app.coder))
}

impl Session {
    /// What the app shows now.
    pub fn of(app: &App) -> Session {
        Session {
            transcript: app.transcript().map(|t| t.id.clone()),
            cursor: app.text.cursor,
            scroll: app.text.scroll,
            layer: app.layer.clone(),
            code: app.selected_code().map(|c| c.id.clone()),
            group: app.list.group.clone(),
            school_type: app.list.school_type.clone(),
            attribute: app.list.attribute.clone(),
            panels_hidden: app.panels_hidden,
            view: match app.view {
                Some(View::Matrix(_)) => Some("matrix".into()),
                Some(View::Clusters(_)) => Some("clusters".into()),
                _ => None,
            },
        }
    }

    pub fn load(app: &App) -> Option<Session> {
        let bytes = std::fs::read(path(app)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Write atomically (a crash leaves the old file or the new one).
    pub fn save(&self, app: &App) -> std::io::Result<()> {
        let dir = app.project.cache_dir();
        std::fs::create_dir_all(&dir)?;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        fsutil::write_atomic(&path(app), &json)
    }
}

impl App {
    /// Reopen where this coder left off, as far as the project still has it.
    pub fn restore_session(&mut self) {
        let Some(s) = Session::load(self) else {
            return;
        };
        let groups = self.project.groups();
        self.list.group = s.group.filter(|g| groups.contains(g));
        let types = self.project.school_types();
        self.list.school_type = s.school_type.filter(|t| types.contains(t));
        self.list.attribute = s.attribute;
        self.layer = s
            .layer
            .filter(|l| *l != self.coder && self.project.coders.contains_key(l));
        self.panels_hidden = s.panels_hidden;
        if let Some(code) = s.code {
            self.highlight_code(&code);
        }
        if let Some(i) = s.transcript.and_then(|id| self.project.index_of(&id)) {
            self.focus = Focus::Text;
            self.open(i);
            self.restore_position(s.cursor, s.scroll);
        } else {
            self.refresh();
        }
        match s.view.as_deref() {
            Some("matrix") => self.update(super::action::Action::OpenMatrix),
            Some("clusters") => self.update(super::action::Action::OpenClusters),
            _ => {}
        }
    }

    pub fn save_session(&self) -> std::io::Result<()> {
        // A read-only second instance (the coder is open elsewhere) must not overwrite the place
        // that the instance doing the coding will save.
        if self.is_readonly() {
            return Ok(());
        }
        Session::of(self).save(self)
    }
}

/// Saves the place while the TUI runs, not only at a normal exit: after `kill -9`, a crash or
/// a lost SSH connection the next start opens where the coder was. Another transcript is
/// saved at once; moves within one when they have settled, at most every `Autosave::EVERY`
/// (a cursor held down must not write the file at key-repeat speed).
#[derive(Debug)]
pub struct Autosave {
    saved: Session,
    /// When the place first differed from `saved`.
    pending_since: Option<Instant>,
}

impl Autosave {
    pub const EVERY: Duration = Duration::from_secs(2);

    /// Starting from what the app shows now (just restored: nothing to write).
    pub fn new(app: &App) -> Autosave {
        Autosave {
            saved: Session::of(app),
            pending_since: None,
        }
    }

    /// After the app handled its messages: save if the place changed and it is time.
    pub fn after(&mut self, app: &App) {
        self.after_at(app, Instant::now());
    }

    /// `after` at a given moment (tests).
    pub fn after_at(&mut self, app: &App, now: Instant) {
        let here = Session::of(app);
        if here == self.saved {
            self.pending_since = None;
            return;
        }
        let since = *self.pending_since.get_or_insert(now);
        if here.transcript != self.saved.transcript || now.duration_since(since) >= Self::EVERY {
            // Only a convenience: a failure is not retried until the place changes again (a
            // retry per wake-up would spin on a read-only disk).
            let _ = app.save_session();
            self.saved = here;
            self.pending_since = None;
        }
    }

    /// How long the loop may sleep waiting for a message before `after` must run again to save
    /// a settled move; None: nothing waits to be saved.
    pub fn wait(&self) -> Option<Duration> {
        self.pending_since
            .map(|t| Self::EVERY.saturating_sub(t.elapsed()))
    }
}
