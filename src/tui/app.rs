//! The TUI's state and `update`, the only place where state changes. Every coding action goes
//! to the coder's journal first (fsynced) and only then changes what the screen shows.

use super::action::Action;
use super::keymap::{self, Focus};
use super::motion;
use super::panels::agreement::{AgreementView, CONSENSUS};
use super::panels::clusters::ClustersView;
use super::panels::matrix::MatrixView;
use super::panels::review::ReviewView;
use super::panels::search::SearchView;
use super::panels::{Outcome, cycle};
use super::theme::Theme;
use super::view::{self, Areas};
use super::wrap::{TextLayout, char_width};
use crate::core::agreement::Disagreement;
use crate::core::codebook::{Code, Rgb, slug};
use crate::core::coding::{CoderState, Coding, CodingId, Journal, JournalError, Op, Span};
use crate::core::index::Index;
use crate::core::project::Project;
use crate::core::reconcile::{self, Decision};
use crate::core::text::fold_accents;
use crate::core::transcript::Transcript;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use std::collections::BTreeSet;

/// Passages longer than this (characters, about a page) are coded only when asked twice.
pub const LARGE_PASSAGE: usize = 2_000;

/// A full-screen view open over the coding screen.
pub enum View {
    Agreement(Box<AgreementView>),
    Search(SearchView),
    Clusters(Box<ClustersView>),
    Matrix(Box<MatrixView>),
    Review(ReviewView),
}

impl View {
    /// How to come back to the view after jumping from it into the text.
    pub fn back_hint(&self) -> &'static str {
        match self {
            View::Agreement(_) => "A: back to the list",
            View::Search(_) => "/: back to the hits",
            View::Clusters(_) => "C: back to the clusters",
            View::Matrix(_) => "M: back to the matrix",
            View::Review(_) => "R: back to the review list",
        }
    }
}

/// The search index, built in the background at start-up.
pub enum IndexState {
    Building { done: usize, total: usize },
    Ready(Box<Index>),
    Failed(String),
}

/// Everything that can happen to the app, as one type: what the terminal sends and what
/// background work reports. The event loop turns each into a `Msg` and hands it to
/// [`App::handle`]; tests can do the same with no terminal.
pub enum Msg {
    Key(KeyEvent),
    /// A bracketed paste: text, never keys.
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Job(Job),
}

impl Msg {
    /// The message for a terminal event, if it is one the app cares about.
    pub fn from_event(event: crossterm::event::Event) -> Option<Msg> {
        use crossterm::event::Event;
        match event {
            Event::Key(k) => Some(Msg::Key(k)),
            Event::Paste(text) => Some(Msg::Paste(text)),
            Event::Mouse(m) => Some(Msg::Mouse(m)),
            Event::Resize(w, h) => Some(Msg::Resize(w, h)),
            Event::FocusGained | Event::FocusLost => None,
        }
    }
}

/// Results of background work, delivered as [`Msg::Job`].
pub enum Job {
    IndexProgress { done: usize, total: usize },
    IndexReady(Result<(Box<Index>, Option<String>), String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    Input(Input),
    /// Which of the overlapping passages under the cursor to remove: their ids, innermost
    /// first; a digit picks one, Esc cancels.
    PickRemoval(Vec<CodingId>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPurpose {
    /// The transcript list's attribute filter.
    ListFilter,
    PassageMemo(CodingId),
    CodeMemo(String),
    /// Asking for the fields of a new code one after another.
    NewCode {
        values: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub purpose: InputPurpose,
    pub prompt: String,
    pub value: String,
}

#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    pub group: Option<String>,
    pub school_type: Option<String>,
    /// Any respondent attribute: `name=value`, or text found in any of them (`a`).
    pub attribute: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TextState {
    pub cursor: usize,
    pub anchor: Option<usize>,
    /// Display column the cursor keeps when moving up and down.
    pub goal_col: Option<usize>,
    pub scroll: usize,
    /// The coding whose boundaries are being edited.
    pub editing: Option<CodingId>,
    /// A stretch to show as found (e.g. a search hit).
    pub flash: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Default)]
pub struct CodebookState {
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub project: Project,
    pub coder: String,
    journal: Option<Journal>,
    readonly: CoderState,
    pub readonly_reason: Option<String>,
    pub theme: Theme,
    pub focus: Focus,
    pub mode: Mode,
    pub size: Rect,
    pub list: ListState,
    pub current: Option<usize>,
    pub text: TextState,
    pub codes: CodebookState,
    pub layer: Option<String>,
    pub message: Option<Message>,
    pub should_quit: bool,
    /// The consensus coder's journal, opened by the first decision in the agreement view when
    /// the coder at work is someone else.
    consensus: Option<Journal>,
    /// The side panels folded away (`z`), so the transcript has the whole width.
    pub panels_hidden: bool,
    /// A coding the coder was asked to confirm (interviewer turn, very long): (start, end,
    /// code).
    confirm_coding: Option<(usize, usize, String)>,
    pub help_scroll: usize,
    /// `u` was pressed once on an action that changes many codings; the next `u` undoes it.
    confirm_undo: bool,
    pub view: Option<View>,
    /// A view left by jumping from it into the text, reopened by its key.
    parked: Option<View>,
    pub index: IndexState,
    /// Transcripts whose codings changed since the index last saw them.
    index_dirty: BTreeSet<String>,
    // Derived from the above, refreshed by `refresh` after each change.
    pub layout: TextLayout,
    pub here: Vec<Coding>,
    pub layer_here: Vec<Coding>,
    pub count_here: Vec<usize>,
    pub count_all: Vec<usize>,
    /// This coder's passages per transcript (index as `project.transcripts`).
    pub coded_per_transcript: Vec<usize>,
    dragging: bool,
}

impl App {
    /// Open the project as `coder`. If another codewerk holds the coder's journal, open
    /// read-only and say so.
    pub fn new(project: Project, coder: &str, theme: Theme, size: Rect) -> App {
        let (journal, readonly_reason) = match project.open_journal(coder) {
            Ok(j) => (Some(j), None),
            Err(e @ JournalError::Locked { .. }) => (None, Some(format!("read-only: {e}"))),
            Err(e) => (None, Some(format!("read-only: {e}"))),
        };
        let readonly = project
            .coders
            .get(coder)
            .cloned()
            .unwrap_or_else(|| CoderState::new(coder));
        let n = project.codebook.codes.len();
        let mut app = App {
            project,
            coder: coder.to_string(),
            journal,
            readonly,
            readonly_reason: readonly_reason.clone(),
            theme,
            focus: Focus::List,
            mode: Mode::Normal,
            size,
            list: ListState::default(),
            current: None,
            text: TextState::default(),
            codes: CodebookState::default(),
            layer: None,
            message: readonly_reason.map(|text| Message { text, error: true }),
            should_quit: false,
            consensus: None,
            panels_hidden: false,
            confirm_coding: None,
            help_scroll: 0,
            confirm_undo: false,
            view: None,
            parked: None,
            index: IndexState::Building { done: 0, total: 0 },
            index_dirty: BTreeSet::new(),
            layout: TextLayout::default(),
            here: Vec::new(),
            layer_here: Vec::new(),
            count_here: vec![0; n],
            count_all: vec![0; n],
            coded_per_transcript: Vec::new(),
            dragging: false,
        };
        // Codings an edit of their transcript left without a certain place are not drawn: say
        // so first, or the coder would think them lost.
        let flagged = app
            .state()
            .codings
            .values()
            .filter(|c| c.anchor.is_flagged())
            .count();
        if flagged > 0 && app.message.is_none() {
            app.say(
                format!(
                    "{flagged} of your codings need review after a transcript edit (not shown, \
                     not counted): R reviews them"
                ),
                true,
            );
        }
        let warnings = app.project.problems.len();
        if warnings > 0 && app.message.is_none() {
            let errors = app.project.problems.iter().filter(|p| p.is_error()).count();
            app.say(
                format!(
                    "{errors} error(s), {warnings} problem(s) in the project: run `codewerk check`"
                ),
                errors > 0,
            );
        }
        // A new coder sees plain text: say how to see the others' work.
        let others: Vec<String> = app
            .project
            .coders
            .keys()
            .filter(|c| **c != app.coder)
            .cloned()
            .collect();
        if app.message.is_none() && app.state().codings.is_empty() && !others.is_empty() {
            app.say(
                format!(
                    "coding as \"{}\" (no codings yet; --coder NAME to be someone else) · o shows {}'s codings",
                    app.coder, others[0]
                ),
                false,
            );
        }
        if !app.project.transcripts.is_empty() {
            app.focus = Focus::Text;
            app.open(0);
        } else {
            // A new project: the (hidden) list has nothing to move through; codes can be added.
            app.focus = Focus::Codebook;
        }
        app
    }

    /// The codings of the coder at work.
    pub fn state(&self) -> &CoderState {
        self.journal.as_ref().map_or(&self.readonly, |j| &j.state)
    }

    pub fn is_readonly(&self) -> bool {
        self.journal.is_none()
    }

    pub fn transcript(&self) -> Option<&Transcript> {
        self.current.map(|i| &self.project.transcripts[i])
    }

    /// Transcript indices shown in the list, after the filters.
    pub fn visible_transcripts(&self) -> Vec<usize> {
        // Folded once, not once per respondent.
        let attribute = self.list.attribute.as_deref().map(AttributeFilter::parse);
        self.project
            .respondents
            .iter()
            .enumerate()
            .filter(|(_, r)| self.list.group.as_ref().is_none_or(|g| &r.group == g))
            .filter(|(_, r)| {
                self.list
                    .school_type
                    .as_ref()
                    .is_none_or(|s| &r.school_type == s)
            })
            .filter(|(_, r)| attribute.as_ref().is_none_or(|f| f.matches(r)))
            .map(|(i, _)| i)
            .collect()
    }

    /// Code indices shown in the codebook panel, after the filter (best match first).
    pub fn visible_codes(&self) -> Vec<usize> {
        if self.codes.filter.is_empty() {
            return (0..self.project.codebook.codes.len()).collect();
        }
        // helix's fuzzy matcher; both sides accent-folded first, so that "coordinator" and
        // "coördinator" find each other whichever is typed.
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let pattern = Pattern::parse(
            &fold_accents(&self.codes.filter),
            CaseMatching::Ignore,
            Normalization::Smart,
        );
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let mut buf = Vec::new();
        let mut scored: Vec<(std::cmp::Reverse<u32>, usize)> = self
            .project
            .codebook
            .codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let hay = fold_accents(&format!("{} {}", c.name, c.id));
                let score =
                    pattern.score(nucleo_matcher::Utf32Str::new(&hay, &mut buf), &mut matcher)?;
                Some((std::cmp::Reverse(score), i))
            })
            .collect();
        // Best first; equal scores in codebook order.
        scored.sort();
        scored.into_iter().map(|(_, i)| i).collect()
    }

    pub fn selected_code(&self) -> Option<&Code> {
        let visible = self.visible_codes();
        visible
            .get(self.codes.selected)
            .map(|&i| &self.project.codebook.codes[i])
    }

    /// The selected character range, end exclusive.
    pub fn selection(&self) -> Option<(usize, usize)> {
        let t = self.transcript()?;
        let a = self.text.anchor?;
        let (s, e) = (a.min(self.text.cursor), a.max(self.text.cursor) + 1);
        Some((s, e.min(t.len_chars())))
    }

    /// This coder's codings under the cursor, innermost (shortest) first.
    pub fn codings_at_cursor(&self) -> Vec<&Coding> {
        let at = self.text.cursor;
        let mut v: Vec<&Coding> = self
            .here
            .iter()
            .filter(|c| c.start <= at && at < c.end)
            .collect();
        // Ids are random (unique across machines): order by the codebook, not by id.
        let cb = &self.project.codebook;
        v.sort_by_key(|c| (c.len(), cb.index_of(&c.code), c.start, c.id));
        v
    }

    pub fn areas(&self) -> Areas {
        view::areas(self.size, self.focus, self.panels_hidden)
    }

    /// A read-only instance says so before a popup asks for text it could never save.
    fn refuse_readonly(&mut self) -> bool {
        if self.journal.is_some() {
            return false;
        }
        let why = self
            .readonly_reason
            .clone()
            .unwrap_or_else(|| "read-only".into());
        self.say(why, true);
        true
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    // ----- keys and mouse -----

    /// The one entry point for everything that happens: keys go through the keymap layers
    /// (help, popup, view, code filter, panel), the rest to their handlers.
    pub fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Resize(w, h) => self.resize(w, h),
            Msg::Job(job) => self.on_job(job),
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        if !matches!(key.code, KeyCode::Char('u')) {
            self.confirm_undo = false;
        }
        match &self.mode {
            Mode::Help => {
                match key.code {
                    KeyCode::Char('j') | KeyCode::Down | KeyCode::PageDown => self.help_scroll += 1,
                    KeyCode::Char('k') | KeyCode::Up | KeyCode::PageUp => {
                        self.help_scroll = self.help_scroll.saturating_sub(1);
                    }
                    _ => {
                        self.mode = Mode::Normal;
                        self.help_scroll = 0;
                    }
                }
                return;
            }
            Mode::Input(_) => return self.on_input_key(key),
            Mode::PickRemoval(ids) => {
                let ids = ids.clone();
                self.mode = Mode::Normal;
                let picked = match key.code {
                    KeyCode::Char(c) => c
                        .to_digit(10)
                        .and_then(|d| ids.get((d as usize).checked_sub(1)?)),
                    _ => None,
                };
                match picked.and_then(|id| self.state().codings.get(id).cloned()) {
                    Some(c) => self.remove_coding(c),
                    None => self.say("nothing removed", false),
                }
                return;
            }
            Mode::Normal => {}
        }
        if self.view.is_some() {
            return self.on_view_key(key);
        }
        if self.codes.filtering {
            return self.on_filter_key(key);
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.should_quit = true;
            return;
        }
        if let Some(action) = keymap::lookup(self.focus, key) {
            self.update(action);
        }
    }

    /// A paste (bracketed by the terminal) goes into the text field that has the focus, as
    /// text: never as keys, which would run its letters and newlines as commands.
    fn on_paste(&mut self, pasted: &str) {
        // Fields are one line: line breaks become spaces.
        let text: String = pasted
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        if let Mode::Input(input) = &mut self.mode {
            input.value.push_str(&text);
        } else if self.mode == Mode::Normal && matches!(self.view, Some(View::Search(_))) {
            for c in text.chars() {
                self.on_view_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            }
        } else if self.mode == Mode::Normal && self.view.is_none() && self.codes.filtering {
            self.codes.filter.push_str(&text);
            self.codes.selected = 0;
        } else {
            self.say(
                "paste ignored: no text field is open (m for a memo, / to search, f for a code)",
                true,
            );
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        // Under a full-screen view or a popup the panels are hidden: clicks must not reach them.
        if self.view.is_some() || self.mode != Mode::Normal {
            return;
        }
        let areas = self.areas();
        let inside = |r: Rect| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        };
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if inside(areas.text) {
                    // The character under the pointer as drawn, before the focus can change
                    // the layout.
                    let at = self.char_at(m.column, m.row);
                    self.set_focus(Focus::Text);
                    if let Some(ch) = at {
                        self.text.anchor = None;
                        self.text.editing = None;
                        self.set_cursor(ch);
                        self.dragging = true;
                    }
                } else if inside(areas.list) {
                    self.set_focus(Focus::List);
                    // Rows start below the border and the header line; the bottom border is
                    // no row.
                    let rows = areas.list.height.saturating_sub(3);
                    if m.row < areas.list.y + 2 || m.row >= areas.list.y + 2 + rows {
                        return;
                    }
                    let row = (m.row - areas.list.y - 2) as usize;
                    let visible = self.visible_transcripts();
                    let first = view::list_offset(
                        self.list.selected,
                        areas.list.height.saturating_sub(3) as usize,
                    );
                    if let Some(&i) = visible.get(first + row) {
                        self.list.selected = first + row;
                        self.open(i);
                    }
                } else if inside(areas.codebook) {
                    let rows = view::codebook_rows(self);
                    let first = view::codebook_offset(
                        self,
                        areas.codebook.height.saturating_sub(2) as usize,
                    );
                    let height = areas.codebook.height.saturating_sub(2);
                    if m.row < areas.codebook.y + 1 || m.row >= areas.codebook.y + 1 + height {
                        return;
                    }
                    let row = (m.row - areas.codebook.y - 1) as usize;
                    if let Some(Some(pos)) = rows.get(first + row).map(|r| r.position) {
                        self.codes.selected = pos;
                        if self.selection().is_some() {
                            self.update(Action::ApplySelectedCode);
                        } else {
                            self.set_focus(Focus::Codebook);
                        }
                    }
                }
            }
            MouseEventKind::Drag(MouseButton::Left) if self.dragging => {
                if let Some(ch) = self.char_at(m.column, m.row) {
                    if self.text.anchor.is_none() {
                        self.text.anchor = Some(self.text.cursor);
                    }
                    self.set_cursor(ch);
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                // A dragged selection snaps to whole words (hold Alt for exact characters):
                // a quote that starts or ends mid-word is almost never what was meant.
                if self.dragging
                    && !m.modifiers.contains(KeyModifiers::ALT)
                    && let (Some(anchor), Some(t)) = (self.text.anchor, self.transcript())
                    && anchor != self.text.cursor
                {
                    let (s, e) = motion::snap_to_words(t, anchor, self.text.cursor);
                    let forward = self.text.cursor >= anchor;
                    self.text.anchor = Some(if forward { s } else { e });
                    self.set_cursor(if forward { e } else { s });
                }
                self.dragging = false;
            }
            MouseEventKind::ScrollDown if inside(areas.text) => self.scroll_by(3),
            MouseEventKind::ScrollUp if inside(areas.text) => self.scroll_by(-3),
            _ => {}
        }
    }

    fn on_view_key(&mut self, key: KeyEvent) {
        // Views that take typed text (search) get every key; the others share q and ?.
        let typing = matches!(self.view, Some(View::Search(_)));
        // q closes the view, as Esc does: quitting the program from a view loses its place.
        if !typing && matches!(key.code, KeyCode::Char('q')) {
            self.apply_outcome(Outcome::Close);
            return;
        }
        if !typing && matches!(key.code, KeyCode::Char('?')) {
            self.mode = Mode::Help;
            return;
        }
        let state = match &self.journal {
            Some(j) if self.coder != CONSENSUS => &j.state,
            _ => &self.readonly,
        };
        let index = match &self.index {
            IndexState::Ready(i) => Some(&**i),
            _ => None,
        };
        let outcome = match &mut self.view {
            Some(View::Agreement(v)) => v.on_key(key, &self.project, state),
            Some(View::Search(v)) => v.on_key(key, &self.project, index, &self.coder),
            Some(View::Clusters(v)) => v.on_key(key, &self.project),
            Some(View::Matrix(v)) => v.on_key(key, &self.project),
            Some(View::Review(v)) => v.on_key(key),
            None => Outcome::Stay,
        };
        self.apply_outcome(outcome);
        // A decision may have changed this coder's own codings (as the consensus coder).
        self.refresh();
    }

    fn apply_outcome(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Stay => {}
            Outcome::Close => self.view = None,
            Outcome::Say(text, error) => self.say(text, error),
            Outcome::Decide {
                disagreement,
                decision,
            } => self.decide(&disagreement, decision),
            Outcome::Accept { id, start } => self.accept_place(id, start),
            Outcome::Drop { id } => {
                if let Some(c) = self.state().codings.get(&id).cloned() {
                    let msg = format!("{} dropped (u to undo)", self.code_name(&c.code));
                    if self.record(vec![Op::Remove(c)], &msg) {
                        self.reload_review();
                    }
                }
            }
            Outcome::Select {
                transcript,
                start,
                end,
            } => {
                let Some(i) = self.project.index_of(&transcript) else {
                    return;
                };
                self.parked = self.view.take();
                self.show_range(i, start, end);
                if end > start {
                    self.text.anchor = Some(start);
                    self.set_cursor(end - 1);
                }
                self.say(
                    "match selected: a digit or f codes it · / back to the hits",
                    false,
                );
            }
            Outcome::Jump {
                transcript,
                start,
                end,
                layer,
            } => {
                let Some(i) = self.project.index_of(&transcript) else {
                    return;
                };
                if layer.is_some() {
                    self.layer = layer;
                }
                // Keep the view to come back to with A.
                self.parked = self.view.take();
                self.show_range(i, start, end);
                let back = self.parked.as_ref().map_or("", View::back_hint);
                self.say(format!("{transcript} {start}..{end} · {back}"), false);
            }
        }
    }

    /// The review view: this coder's codings that a transcript edit left without a certain
    /// place. Comes back as it was after a jump into the text.
    fn open_review(&mut self) {
        let mut view = match self.parked.take() {
            Some(View::Review(v)) => v,
            other => {
                self.parked = other;
                ReviewView::default()
            }
        };
        view.reload(self.state());
        self.view = Some(View::Review(view));
    }

    fn reload_review(&mut self) {
        let state = match &self.journal {
            Some(j) => &j.state,
            None => &self.readonly,
        };
        if let Some(View::Review(v)) = &mut self.view {
            v.reload(state);
        }
    }

    /// Move a flagged coding to the candidate place the coder accepted: an edit to the current
    /// text (with its version), journaled and undoable like any boundary edit.
    fn accept_place(&mut self, id: CodingId, start: usize) {
        let Some(c) = self.state().codings.get(&id).cloned() else {
            return;
        };
        let Some(t) = self.project.transcript(&c.transcript) else {
            return;
        };
        let end = start + c.text.chars().count();
        if end > t.len_chars() || t.slice(start, end) != c.text {
            return self.say("that place no longer holds the coding's text", true);
        }
        let before = Span {
            start: c.start,
            end: c.end,
            text: c.text.clone(),
            version: c.version.clone(),
        };
        let after = Span::of(t, start, end);
        let msg = format!(
            "{} placed at {start}..{end} (u to undo)",
            self.code_name(&c.code)
        );
        if self.record(vec![Op::Edit { id, before, after }], &msg) {
            // Anchor it again: it is now exact on the current text.
            if let Some(j) = self.journal.as_mut() {
                let path = j.path.clone();
                let _ = self.project.check_codings(&path, &mut j.state);
            }
            self.refresh();
            self.reload_review();
        }
    }

    /// Settle a disagreement in the consensus coder's journal: the app's own when the coder at
    /// work is the consensus coder, else one the app opens for it once (a second lock on the
    /// same journal would be refused). Either way the write goes through the app, which then
    /// refreshes the index and the screen.
    fn decide(&mut self, d: &Disagreement, decision: Decision) {
        let what = decision.label();
        let done = format!("consensus: {what} saved (codings/{CONSENSUS}.jsonl)");
        if self.coder != CONSENSUS && self.consensus.is_none() {
            match self.project.open_journal(CONSENSUS) {
                Ok(j) => self.consensus = Some(j),
                Err(e) => return self.say(format!("cannot open the consensus coder: {e}"), true),
            }
        }
        let planned = {
            let Some(t) = self.project.transcript(&d.transcript) else {
                return;
            };
            let journal = if self.coder == CONSENSUS {
                self.journal.as_ref()
            } else {
                self.consensus.as_ref()
            };
            let Some(j) = journal else {
                self.refuse_readonly();
                return;
            };
            reconcile::plan_decision(&j.state, t, d, decision)
        };
        let ops = match planned {
            Ok(ops) => ops,
            Err(e) => return self.say(format!("NOT saved: {e}"), true),
        };
        let saved = if ops.is_empty() {
            self.say(format!("consensus: {what} already so"), false);
            true
        } else if self.coder == CONSENSUS {
            self.record(ops, &done)
        } else {
            match self.consensus.as_mut().map(|j| j.record(ops)) {
                Some(Ok(_)) => {
                    if let Some(j) = &self.consensus {
                        self.project
                            .coders
                            .insert(CONSENSUS.to_string(), j.state.clone());
                    }
                    self.index_dirty.insert(d.transcript.clone());
                    self.say(done, false);
                    true
                }
                Some(Err(e)) => {
                    self.say(format!("NOT saved: {e}"), true);
                    false
                }
                None => false,
            }
        };
        if saved && let Some(View::Agreement(v)) = &mut self.view {
            v.decided(d, decision);
        }
    }

    /// Deliver the result of background work.
    fn on_job(&mut self, job: Job) {
        match job {
            Job::IndexProgress { done, total } => self.index = IndexState::Building { done, total },
            Job::IndexReady(Ok((index, message))) => {
                self.index = IndexState::Ready(index);
                // A notice about the index must not hide what the coder just did.
                if let Some(m) = message.filter(|_| self.message.is_none()) {
                    self.say(m, false);
                }
                if let Some(View::Search(v)) = &mut self.view {
                    let i = match &self.index {
                        IndexState::Ready(i) => Some(&**i),
                        _ => None,
                    };
                    v.run(&self.project, i, &self.coder);
                }
            }
            Job::IndexReady(Err(e)) => {
                self.say(format!("search index: {e}"), true);
                self.index = IndexState::Failed(e);
            }
        }
    }

    pub fn index_status(&self) -> String {
        match &self.index {
            IndexState::Building { done, total } if *total > 0 => {
                format!("(indexing {done}/{total}…) ")
            }
            IndexState::Building { .. } => "(indexing…) ".into(),
            IndexState::Failed(e) => format!("(no index: {e}) "),
            IndexState::Ready(_) => String::new(),
        }
    }

    fn open_search(&mut self) {
        // Let the index see codings made since it was built, for the "not coded" filter.
        if !self.index_dirty.is_empty()
            && let (IndexState::Ready(index), Some(j)) = (&mut self.index, &self.journal)
        {
            self.project
                .coders
                .insert(self.coder.clone(), j.state.clone());
            let dirty: Vec<&str> = self.index_dirty.iter().map(String::as_str).collect();
            match index.refresh_only(&self.project, &dirty, &mut |_| {}) {
                Ok(_) => self.index_dirty.clear(),
                Err(e) => {
                    self.message = Some(Message {
                        text: format!("search index: {e}"),
                        error: true,
                    });
                }
            }
        }
        let mut view = match self.parked.take() {
            Some(View::Search(v)) => v,
            other => {
                self.parked = other;
                SearchView::default()
            }
        };
        let index = match &self.index {
            IndexState::Ready(i) => Some(&**i),
            _ => None,
        };
        view.run(&self.project, index, &self.coder);
        self.view = Some(View::Search(view));
    }

    fn open_agreement(&mut self) {
        if matches!(self.parked, Some(View::Agreement(_)))
            && let Some(View::Agreement(mut v)) = self.parked.take()
        {
            let live = self.journal.as_ref().map_or(&self.readonly, |j| &j.state);
            v.refresh(&self.project, live);
            self.view = Some(View::Agreement(v));
            return;
        }
        // Compare this coder with the second layer's coder, else with the first other coder;
        // a coder with no codings yet compares the project's first two coders.
        let others: Vec<String> = self
            .project
            .coders
            .keys()
            .filter(|c| **c != self.coder && *c != CONSENSUS)
            .filter(|c| !self.project.coders[*c].codings.is_empty())
            .cloned()
            .collect();
        // The consensus coder reconciles the others: it is not one of the two compared.
        let own = !self.state().codings.is_empty() && self.coder != CONSENSUS;
        let (a_state, b) = match (&self.layer, others.first()) {
            (Some(l), _) if own => (self.state().clone(), l.clone()),
            (None, Some(o)) if own => (self.state().clone(), o.clone()),
            _ if others.len() >= 2 => (self.project.coders[&others[0]].clone(), others[1].clone()),
            _ => return self.say("agreement needs two coders with codings", true),
        };
        match AgreementView::open(&self.project, &a_state, &b) {
            Ok(v) => self.view = Some(View::Agreement(Box::new(v))),
            Err(e) => self.say(e, true),
        }
    }

    /// Give the project this coder's latest codings (the journal is fresher than the copy
    /// loaded at start-up), for the views that count from the project.
    fn sync_coder(&mut self) {
        if let Some(j) = &self.journal {
            self.project
                .coders
                .insert(self.coder.clone(), j.state.clone());
        }
    }

    /// Whose codings the clusters and the matrix count: the coder at work, or, while that coder
    /// has none yet (a first look at a project), the first coder who has.
    fn counted_coder(&self) -> String {
        if !self.state().codings.is_empty() {
            return self.coder.clone();
        }
        let other = self
            .project
            .coders
            .iter()
            .find(|(name, s)| **name != self.coder && !s.codings.is_empty());
        match other {
            Some((name, _)) => name.clone(),
            None => self.coder.clone(),
        }
    }

    /// The clusters view on the code highlighted in the codebook. The view left by a jump into
    /// the text comes back as it was while the highlight is unchanged.
    fn open_clusters(&mut self) {
        let Some(code) = self.selected_code().map(|c| c.id.clone()) else {
            return self.say("no code highlighted in the codebook", true);
        };
        self.sync_coder();
        let view = match self.parked.take() {
            Some(View::Clusters(mut v)) if v.opened_on == code => {
                v.reload(&self.project).map(|()| v)
            }
            other => {
                self.parked = other;
                let who = self.counted_coder();
                ClustersView::open(&self.project, &who, &code, None, None).map(Box::new)
            }
        };
        match view {
            Ok(v) => self.view = Some(View::Clusters(v)),
            Err(e) => self.say(e, true),
        }
    }

    /// The code matrix; the one left by a jump comes back as it was, counted again.
    fn open_matrix(&mut self) {
        self.sync_coder();
        let view = match self.parked.take() {
            Some(View::Matrix(mut v)) => v.reload(&self.project).map(|()| v),
            other => {
                self.parked = other;
                let who = self.counted_coder();
                MatrixView::open(&self.project, &who).map(Box::new)
            }
        };
        match view {
            Ok(v) => self.view = Some(View::Matrix(v)),
            Err(e) => self.say(e, true),
        }
    }

    /// The character under a screen cell of the transcript panel.
    fn char_at(&self, x: u16, y: u16) -> Option<usize> {
        let inner = view::text_inner(self.areas().text);
        let t = self.transcript()?;
        if y < inner.y || y >= inner.y + inner.height || x < inner.x {
            return None;
        }
        let line = self
            .layout
            .lines
            .get(self.text.scroll + (y - inner.y) as usize)?;
        let col = x.saturating_sub(inner.x + view::GUTTER) as usize;
        let mut w = 0;
        let mut ch = line.start;
        for c in t.slice(line.start, line.end).chars() {
            w += char_width(c);
            if w > col {
                break;
            }
            ch += 1;
        }
        Some(
            ch.min(line.end.max(line.start + 1) - 1)
                .min(motion::last(t)),
        )
    }

    fn on_filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc => {
                self.codes.filtering = false;
                self.codes.filter.clear();
                self.codes.selected = 0;
            }
            KeyCode::Enter => {
                self.codes.filtering = false;
                if self.selection().is_some() {
                    self.update(Action::ApplySelectedCode);
                    self.codes.filter.clear();
                    self.codes.selected = 0;
                } else {
                    // Keep the code highlighted: clear the filter but point at the same code.
                    let id = self.selected_code().map(|c| c.id.clone());
                    self.codes.filter.clear();
                    self.codes.selected = id
                        .and_then(|id| self.project.codebook.index_of(&id))
                        .unwrap_or(0);
                    self.set_focus(Focus::Codebook);
                }
            }
            KeyCode::Backspace => {
                self.codes.filter.pop();
                self.codes.selected = 0;
            }
            KeyCode::Up => self.codes.selected = self.codes.selected.saturating_sub(1),
            KeyCode::Down => {
                let n = self.visible_codes().len();
                self.codes.selected = (self.codes.selected + 1).min(n.saturating_sub(1));
            }
            KeyCode::Char(c) => {
                self.codes.filter.push(c);
                self.codes.selected = 0;
            }
            _ => {}
        }
    }

    fn on_input_key(&mut self, key: KeyEvent) {
        let Mode::Input(input) = &mut self.mode else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.say("cancelled", false);
            }
            KeyCode::Enter => {
                let input = input.clone();
                self.mode = Mode::Normal;
                self.submit_input(input);
            }
            KeyCode::Backspace => {
                input.value.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.value.push(c);
            }
            _ => {}
        }
    }

    fn submit_input(&mut self, input: Input) {
        let value = input.value.trim().to_string();
        match input.purpose {
            InputPurpose::ListFilter => {
                self.list.attribute = (!value.is_empty()).then_some(value);
                self.list.selected = 0;
                let n = self.visible_transcripts().len();
                self.say(
                    crate::core::text::count(n, "transcript", "transcripts") + " shown",
                    n == 0,
                );
            }
            InputPurpose::PassageMemo(id) => {
                let Some(c) = self.state().codings.get(&id) else {
                    return;
                };
                let before = c.memo.clone();
                let after = (!value.is_empty()).then_some(value);
                if before != after {
                    self.record(vec![Op::Memo { id, before, after }], "memo saved");
                }
            }
            InputPurpose::CodeMemo(code) => {
                let before = self.state().code_memos.get(&code).cloned();
                let after = (!value.is_empty()).then_some(value);
                if before != after {
                    self.record(
                        vec![Op::CodeMemo {
                            code,
                            before,
                            after,
                        }],
                        "code memo saved",
                    );
                }
            }
            InputPurpose::NewCode { mut values } => {
                values.push(value);
                self.new_code_step(values);
            }
        }
    }

    /// Ask for the next field of a new code, or create it when all are given.
    fn new_code_step(&mut self, values: Vec<String>) {
        let dvs: Vec<String> = self
            .project
            .codebook
            .deelvragen
            .iter()
            .map(|d| d.number.to_string())
            .collect();
        let prompt = match values.len() {
            0 => "New code: name".to_string(),
            1 => format!("Deelvraag ({})", dvs.join("/")),
            2 => "Colour name (e.g. oranje)".to_string(),
            3 => "Colour as #RRGGBB".to_string(),
            _ => return self.create_code(values),
        };
        if values.len() == 1 && values[0].is_empty() {
            return self.say("a code needs a name", true);
        }
        self.mode = Mode::Input(Input {
            purpose: InputPurpose::NewCode { values },
            prompt,
            value: String::new(),
        });
    }

    fn create_code(&mut self, v: Vec<String>) {
        let Ok(deelvraag) = v[1].parse::<u32>() else {
            return self.say(format!("\"{}\" is not a deelvraag number", v[1]), true);
        };
        let Some(colour) = Rgb::parse(&v[3]) else {
            return self.say(format!("\"{}\" is not a colour like #FF8800", v[3]), true);
        };
        if self.is_readonly() {
            return self.say("read-only: cannot add codes", true);
        }
        let code = Code {
            id: slug(&v[0]),
            name: v[0].clone(),
            deelvraag,
            category: None,
            colour_name: v[2].clone(),
            colour,
            description: String::new(),
            inductive: true,
            guid: None,
            parent: None,
        };
        let name = code.name.clone();
        match self.project.codebook.add_code(code) {
            Ok(()) => {
                self.codes.filter.clear();
                let id = slug(&name);
                self.codes.selected = self.project.codebook.index_of(&id).unwrap_or(0);
                self.refresh();
                self.say(format!("code \"{name}\" added to the codebook"), false);
            }
            Err(e) => self.say(e, true),
        }
    }

    // ----- update -----

    pub fn update(&mut self, action: Action) {
        use Action::*;
        if !matches!(action, Help) {
            self.text.flash = None;
        }
        match action {
            Quit => self.should_quit = true,
            Help => {
                self.mode = if self.mode == Mode::Help {
                    Mode::Normal
                } else {
                    Mode::Help
                }
            }
            TogglePanels => {
                self.panels_hidden = !self.panels_hidden;
                self.focus = Focus::Text;
                // The text's width changed: wrap it again for the new width.
                self.refresh();
            }
            FocusNext => self.cycle_focus(1),
            FocusPrev => self.cycle_focus(-1),
            Left => self.move_to(self.text.cursor.saturating_sub(1)),
            Right => self.move_to(self.text.cursor + 1),
            Up => self.move_lines(-1),
            Down => self.move_lines(1),
            PageDown => self.move_lines(self.page() as isize),
            PageUp => self.move_lines(-(self.page() as isize)),
            Top => self.move_to(0),
            Bottom => self.move_to(usize::MAX),
            WordNext | WordPrev | SentenceNext | SentencePrev | TurnNext | TurnPrev => {
                if let Some(t) = self.transcript() {
                    let forward = matches!(action, WordNext | SentenceNext | TurnNext);
                    // While selecting, a forward motion extends to the end of the next unit:
                    // measured from one past the cursor (the cursor sits on the last selected
                    // character), and snapped back off the unit it lands on.
                    let selecting = self.text.anchor.filter(|&a| a <= self.text.cursor);
                    let at = match selecting {
                        Some(_) if forward => self.text.cursor + 1,
                        _ => self.text.cursor,
                    };
                    let step = |from: usize| match action {
                        WordNext => motion::word_next(t, from),
                        WordPrev => motion::word_prev(t, from),
                        SentenceNext => motion::sentence_next(t, from),
                        SentencePrev => motion::sentence_prev(t, from),
                        TurnNext => motion::turn_next(t, from),
                        _ => motion::turn_prev(t, from),
                    };
                    let to = step(at);
                    let to = match selecting {
                        Some(anchor) if forward => {
                            // Right after a unit's end the next unit is one step further.
                            let end = motion::selection_end(t, anchor, at, to);
                            if end > self.text.cursor || to <= at {
                                end
                            } else {
                                motion::selection_end(t, anchor, to, step(to))
                            }
                        }
                        _ => to,
                    };
                    self.move_to(to);
                }
            }
            // While editing boundaries, v swaps which end moves (as vim's `o`).
            ToggleSelect if self.text.editing.is_some() => {
                if let Some(a) = self.text.anchor.replace(self.text.cursor) {
                    self.set_cursor(a);
                }
            }
            ToggleSelect => {
                self.text.anchor = match self.text.anchor {
                    Some(_) => None,
                    None => Some(self.text.cursor),
                }
            }
            SelectSentence => self.select_with(motion::sentence_at),
            SelectTurn => self.select_with(motion::turn_body_at),
            ClearSelection => {
                if self.text.editing.take().is_some() {
                    self.say("boundary edit cancelled", false);
                }
                self.text.anchor = None;
                self.codes.filter.clear();
            }
            ApplyHotkey(n) => {
                let i = if n == 10 { 9 } else { n as usize - 1 };
                if let Some(code) = self.project.codebook.codes.get(i) {
                    let id = code.id.clone();
                    self.apply_code(&id);
                }
            }
            ApplySelectedCode => {
                if self.text.editing.is_some() && self.focus == Focus::Text {
                    return self.commit_edit();
                }
                match self.selected_code().map(|c| c.id.clone()) {
                    Some(id) => self.apply_code(&id),
                    None => self.say("no code highlighted in the codebook", true),
                }
            }
            RemoveCode => self.remove_code(),
            EditBounds => self.start_edit(),
            MemoPassage => {
                if self.refuse_readonly() {
                    return;
                }
                let Some(c) = self.codings_at_cursor().first().map(|c| (*c).clone()) else {
                    return self.say("no coded passage under the cursor", true);
                };
                self.mode = Mode::Input(Input {
                    purpose: InputPurpose::PassageMemo(c.id),
                    prompt: format!("Memo on {} passage", self.code_name(&c.code)),
                    value: c.memo.unwrap_or_default(),
                });
            }
            MemoCode => {
                if self.refuse_readonly() {
                    return;
                }
                let Some(code) = self.selected_code().cloned() else {
                    return;
                };
                self.mode = Mode::Input(Input {
                    purpose: InputPurpose::CodeMemo(code.id.clone()),
                    prompt: format!("Memo on code {}", code.name),
                    value: self
                        .state()
                        .code_memos
                        .get(&code.id)
                        .cloned()
                        .unwrap_or_default(),
                });
            }
            NewCode => {
                if !self.refuse_readonly() {
                    self.new_code_step(Vec::new());
                }
            }
            Undo | Redo => self.undo_redo(action == Undo),
            ToggleDone => {
                // In the list: the highlighted transcript; elsewhere the one that is open.
                let target = match self.focus {
                    Focus::List => self.visible_transcripts().get(self.list.selected).copied(),
                    _ => self.current,
                };
                let Some(t) = target.map(|i| &self.project.transcripts[i]) else {
                    return;
                };
                let id = t.id.clone();
                let done = !self.state().done.contains(&id);
                let msg = if done {
                    format!("{id} marked done")
                } else {
                    format!("{id} marked not done")
                };
                self.record(
                    vec![Op::Done {
                        transcript: id,
                        done,
                    }],
                    &msg,
                );
            }
            NextCoded | PrevCoded => {
                let at = self.text.cursor;
                let target = if action == NextCoded {
                    self.here.iter().map(|c| c.start).filter(|&s| s > at).min()
                } else {
                    self.here.iter().map(|c| c.start).filter(|&s| s < at).max()
                };
                match target {
                    Some(s) => self.move_to(s),
                    None => self.say("no more coded passages in this transcript", false),
                }
            }
            NextOfCode | PrevOfCode => self.jump_to_code(action == NextOfCode),
            NextUncodedTurn => self.next_uncoded_turn(),
            ListUp => self.list.selected = self.list.selected.saturating_sub(1),
            ListDown => {
                let n = self.visible_transcripts().len();
                self.list.selected = (self.list.selected + 1).min(n.saturating_sub(1));
            }
            OpenSelected => {
                if let Some(&i) = self.visible_transcripts().get(self.list.selected) {
                    self.open(i);
                    self.set_focus(Focus::Text);
                }
            }
            CycleGroup => {
                self.list.group = cycle(&self.project.groups(), &self.list.group);
                self.list.selected = 0;
            }
            FilterByAttribute => {
                let names: Vec<String> = self
                    .project
                    .respondents
                    .first()
                    .map(|r| r.attributes.iter().map(|(k, _)| k.clone()).collect())
                    .unwrap_or_default();
                let known = if names.is_empty() {
                    "group, school, school_type".to_string()
                } else {
                    format!("group, school, school_type, {}", names.join(", "))
                };
                self.mode = Mode::Input(Input {
                    purpose: InputPurpose::ListFilter,
                    prompt: format!("Show transcripts with (name=value or text; {known})"),
                    value: self.list.attribute.clone().unwrap_or_default(),
                });
            }
            CycleSchoolType => {
                self.list.school_type = cycle(&self.project.school_types(), &self.list.school_type);
                self.list.selected = 0;
            }
            CodeUp => self.codes.selected = self.codes.selected.saturating_sub(1),
            CodeDown => {
                let n = self.visible_codes().len();
                self.codes.selected = (self.codes.selected + 1).min(n.saturating_sub(1));
            }
            FilterCodes => {
                self.codes.filtering = true;
                self.codes.filter.clear();
                self.codes.selected = 0;
            }
            OpenAgreement => self.open_agreement(),
            OpenSearch => self.open_search(),
            OpenClusters => self.open_clusters(),
            OpenMatrix => self.open_matrix(),
            OpenReview => self.open_review(),
            ToggleLayer => {
                let others: Vec<String> = self
                    .project
                    .coders
                    .keys()
                    .filter(|c| **c != self.coder)
                    .cloned()
                    .collect();
                self.layer = cycle(&others, &self.layer);
                match &self.layer {
                    Some(l) => self.say(
                        format!("showing {l}'s codings as a second layer (gutter: ┃)"),
                        false,
                    ),
                    None if others.is_empty() => self.say("no other coders in this project", false),
                    None => self.say("second layer off", false),
                }
                self.refresh();
            }
        }
    }

    fn cycle_focus(&mut self, step: isize) {
        let order = [Focus::List, Focus::Text, Focus::Codebook];
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        self.set_focus(order[(i + step).rem_euclid(3) as usize]);
    }

    /// On a narrow terminal the focus decides which side panel shows, and so the width the
    /// transcript is wrapped to.
    fn set_focus(&mut self, focus: Focus) {
        let before = self.areas().text;
        self.focus = focus;
        if self.areas().text != before {
            self.refresh();
        }
    }

    fn code_name(&self, id: &str) -> String {
        self.project
            .codebook
            .code(id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    /// Open transcript `i`, keeping the list highlight on it.
    pub fn open(&mut self, i: usize) {
        if self.current != Some(i) {
            self.current = Some(i);
            self.text = TextState::default();
            if let Some(pos) = self.visible_transcripts().iter().position(|&v| v == i) {
                self.list.selected = pos;
            }
        }
        self.refresh();
    }

    /// Put the cursor and the scroll back as they were (clamped to the text as it is now).
    pub fn restore_position(&mut self, cursor: usize, scroll: usize) {
        self.move_to(cursor);
        let max = self.layout.lines.len().saturating_sub(1);
        self.text.scroll = scroll.min(max);
        self.scroll_to_cursor();
    }

    /// Highlight a code in the codebook panel (clearing a filter that would hide it).
    pub fn highlight_code(&mut self, id: &str) {
        if let Some(i) = self.project.codebook.index_of(id) {
            self.codes.filter.clear();
            self.codes.selected = i;
        }
    }

    /// Open a transcript at a stretch of text and show it as found (used by jumps and search).
    pub fn show_range(&mut self, transcript: usize, start: usize, end: usize) {
        self.set_focus(Focus::Text);
        self.open(transcript);
        self.move_to(start);
        self.text.flash = Some((start, end));
    }

    /// Recompute what derives from state: wrap layout, codings on screen, counts.
    pub fn refresh(&mut self) {
        let width = view::text_width(self.areas().text);
        if let Some(i) = self.current
            && (self.layout.transcript != Some(i) || self.layout.width != width)
        {
            self.layout = TextLayout::new(i, self.project.transcripts[i].text(), width);
        }
        let id = self.transcript().map(|t| t.id.clone()).unwrap_or_default();
        // A coding whose text is gone from the transcript is not drawn over other words;
        // `codewerk check` lists it for the coder to fix.
        let here: Vec<Coding> = self
            .state()
            .of_transcript(&id)
            .into_iter()
            .filter(|c| !c.anchor.is_flagged())
            .cloned()
            .collect();
        self.here = here;
        let state = self.state();
        let mut here_counts = vec![0; self.project.codebook.codes.len()];
        let mut all = vec![0; self.project.codebook.codes.len()];
        for c in state.codings.values() {
            if let Some(k) = self.project.codebook.index_of(&c.code) {
                all[k] += 1;
                if c.transcript == id {
                    here_counts[k] += 1;
                }
            }
        }
        self.count_here = here_counts;
        self.count_all = all;
        let mut per = vec![0; self.project.transcripts.len()];
        for c in self.state().codings.values() {
            if let Some(i) = self.project.index_of(&c.transcript) {
                per[i] += 1;
            }
        }
        self.coded_per_transcript = per;
        self.layer_here = match &self.layer {
            Some(l) => self
                .project
                .coders
                .get(l)
                .map(|s| s.of_transcript(&id).into_iter().cloned().collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        self.scroll_to_cursor();
    }

    fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.refresh();
    }

    fn page(&self) -> usize {
        (view::text_inner(self.areas().text).height as usize)
            .saturating_sub(2)
            .max(1)
    }

    fn set_cursor(&mut self, ch: usize) {
        let Some(t) = self.transcript() else { return };
        self.text.cursor = ch.min(motion::last(t));
        self.scroll_to_cursor();
    }

    /// Move the cursor (not by line: forget the goal column).
    fn move_to(&mut self, ch: usize) {
        self.text.goal_col = None;
        self.set_cursor(ch);
    }

    fn move_lines(&mut self, delta: isize) {
        let Some(t) = self.transcript() else { return };
        if self.layout.lines.is_empty() {
            return;
        }
        let line_i = self.layout.line_of(self.text.cursor);
        let line = self.layout.lines[line_i];
        let col = self.text.goal_col.unwrap_or_else(|| {
            t.slice(line.start, self.text.cursor)
                .chars()
                .map(char_width)
                .sum()
        });
        let target_i =
            (line_i as isize + delta).clamp(0, self.layout.lines.len() as isize - 1) as usize;
        let target = self.layout.lines[target_i];
        let mut w = 0;
        let mut ch = target.start;
        for c in t.slice(target.start, target.end).chars() {
            if w + char_width(c) > col {
                break;
            }
            w += char_width(c);
            ch += 1;
        }
        let ch = ch.min(target.end.saturating_sub(1).max(target.start));
        self.set_cursor(ch);
        self.text.goal_col = Some(col);
    }

    fn scroll_by(&mut self, delta: isize) {
        let max = self.layout.lines.len().saturating_sub(1);
        self.text.scroll = (self.text.scroll as isize + delta).clamp(0, max as isize) as usize;
        // Keep the cursor on screen, as editors do when the wheel scrolls.
        let h = view::text_inner(self.areas().text).height as usize;
        let line = self.layout.line_of(self.text.cursor);
        if line < self.text.scroll || line >= self.text.scroll + h {
            let target = if line < self.text.scroll {
                self.text.scroll
            } else {
                self.text.scroll + h.saturating_sub(1)
            };
            if let Some(l) = self.layout.lines.get(target.min(max)) {
                self.text.cursor = l.start;
            }
        }
    }

    fn scroll_to_cursor(&mut self) {
        let h = (view::text_inner(self.areas().text).height as usize).max(1);
        let line = self.layout.line_of(self.text.cursor);
        // Keep two lines of context above and below the cursor where possible.
        let margin = if h > 6 { 2 } else { 0 };
        if line < self.text.scroll + margin {
            self.text.scroll = line.saturating_sub(margin);
        } else if line + margin >= self.text.scroll + h {
            self.text.scroll = line + margin + 1 - h;
        }
        let max = self.layout.lines.len().saturating_sub(1);
        self.text.scroll = self.text.scroll.min(max);
    }

    fn select_with(&mut self, f: fn(&Transcript, usize) -> Option<(usize, usize)>) {
        let Some(t) = self.transcript() else { return };
        if let Some((s, e)) = f(t, self.text.cursor).filter(|(s, e)| e > s) {
            self.text.anchor = Some(s);
            self.set_cursor(e - 1);
        }
    }

    /// Write ops to the journal; only when that succeeded does the screen change.
    fn record(&mut self, ops: Vec<Op>, done: &str) -> bool {
        let mut touched: Vec<String> = ops.iter().filter_map(op_transcript).collect();
        // Boundary edits and memos name no transcript: they happen in the open one.
        touched.extend(self.transcript().map(|t| t.id.clone()));
        if self.refuse_readonly() {
            return false;
        }
        let Some(journal) = self.journal.as_mut() else {
            return false;
        };
        match journal.record(ops) {
            Ok(_) => {
                self.index_dirty.extend(touched);
                self.say(done, false);
                self.refresh();
                true
            }
            Err(e) => {
                let msg = format!("NOT saved: cannot write {}: {e}", journal.path.display());
                self.say(msg, true);
                false
            }
        }
    }

    fn apply_code(&mut self, code_id: &str) {
        let Some((start, end)) = self.selection() else {
            return self.say(
                "select a passage first (v, s or t, or drag with the mouse)",
                true,
            );
        };
        let Some(t) = self.transcript() else { return };
        let name = self.code_name(code_id);
        if self
            .here
            .iter()
            .any(|c| c.code == code_id && c.start == start && c.end == end)
        {
            return self.say(format!("this passage has {name} already"), false);
        }
        let coding = Coding::quoted(t, code_id, start, end);
        // An interviewer's question, or a stretch far longer than a quote, is rarely what is
        // meant: ask once; the same code again on the same passage goes ahead.
        let ask = (start, end, code_id.to_string());
        let doubt = if self.project.in_interviewer_turn(&coding) {
            Some(format!(
                "this passage is in an interviewer turn: apply {name} again to code it anyway \
                 (exports and counts leave it out unless --include-interviewer)"
            ))
        } else if end - start > LARGE_PASSAGE {
            Some(format!(
                "this passage has {} characters: apply {name} again to code it all, or Esc",
                end - start
            ))
        } else {
            None
        };
        if let Some(question) = doubt
            && self.confirm_coding.as_ref() != Some(&ask)
        {
            self.confirm_coding = Some(ask);
            return self.say(question, true);
        }
        self.confirm_coding = None;
        let msg = format!("{name} applied to {} characters", end - start);
        // The passage stays highlighted as coded; a live selection would keep growing with
        // the next motion and be coded again by the next digit.
        if self.record(vec![Op::Add(coding)], &msg) {
            self.text.anchor = None;
            // The highlight follows the code just applied: Enter, > and C act on it next.
            self.highlight_code(code_id);
        }
    }

    /// With one passage under the cursor, remove it; with several, ask which (naming each
    /// code, innermost first), so that overlapping codes are never removed by guess.
    fn remove_code(&mut self) {
        let here: Vec<Coding> = self.codings_at_cursor().into_iter().cloned().collect();
        match here.as_slice() {
            [] => self.say("no coded passage under the cursor", true),
            [one] => self.remove_coding(one.clone()),
            many => {
                if self.refuse_readonly() {
                    return;
                }
                self.mode = Mode::PickRemoval(many.iter().take(9).map(|c| c.id).collect());
            }
        }
    }

    fn remove_coding(&mut self, c: Coding) {
        let msg = format!(
            "{} removed from this passage (u to undo)",
            self.code_name(&c.code)
        );
        self.record(vec![Op::Remove(c)], &msg);
    }

    fn start_edit(&mut self) {
        let Some(c) = self.codings_at_cursor().first().map(|c| (*c).clone()) else {
            return self.say("no coded passage under the cursor", true);
        };
        self.text.editing = Some(c.id);
        self.text.anchor = Some(c.start);
        self.set_cursor(c.end.saturating_sub(1));
        self.say(
            format!("editing the {} passage: move to set its end, v to set its start here, Enter saves, Esc cancels", self.code_name(&c.code)),
            false,
        );
    }

    fn commit_edit(&mut self) {
        let Some(id) = self.text.editing.take() else {
            return;
        };
        let (Some((start, end)), Some(t)) = (self.selection(), self.transcript()) else {
            return;
        };
        let Some(c) = self.state().codings.get(&id).cloned() else {
            return;
        };
        let before = c.span();
        // The new boundaries are on the text as it is now: the edit records its version.
        let after = Span::of(t, start, end);
        if (before.start, before.end) != (after.start, after.end) {
            self.record(
                vec![Op::Edit { id, before, after }],
                "passage boundaries saved",
            );
        }
        self.text.anchor = None;
    }

    fn undo_redo(&mut self, undo: bool) {
        self.text.editing = None;
        let Some(journal) = self.journal.as_mut() else {
            return self.say("read-only", true);
        };
        // Taking back many codings at once (an import, an autocode) asks for a second press.
        if undo
            && !self.confirm_undo
            && let Some(n) = journal.state.next_undo_size().filter(|&n| n > 1)
        {
            self.confirm_undo = true;
            return self.say(
                format!("the last action changed {n} codings at once: press u again to undo it"),
                false,
            );
        }
        self.confirm_undo = false;
        let result = if undo { journal.undo() } else { journal.redo() };
        // What comes back may have been recorded before the transcript changed: anchor it again.
        let path = journal.path.clone();
        // What it finds about the codings brought back is said below, not dropped.
        let _ = self.project.check_codings(&path, &mut journal.state);
        let word = if undo { "undid" } else { "redid" };
        match result {
            Ok(Some(ops)) => {
                self.index_dirty
                    .extend(ops.iter().filter_map(op_transcript));
                let what = describe(&ops);
                // Show where the change happened.
                let target = ops.iter().find_map(|op| match op {
                    Op::Add(c) | Op::Remove(c) => Some((c.transcript.clone(), c.start)),
                    _ => None,
                });
                if let Some((tid, at)) = target
                    && let Some(i) = self.project.index_of(&tid)
                {
                    self.open(i);
                    self.move_to(at);
                }
                // "Wrong code, undo, right code": undoing one coding selects its passage again,
                // so the next digit codes exactly what was undone.
                self.text.anchor = None;
                if let [Op::Add(c)] = ops.as_slice()
                    && undo
                    && c.end > c.start
                {
                    self.text.anchor = Some(c.start);
                    self.set_cursor(c.end - 1);
                }
                // A coding brought back whose text has changed since is not on its words.
                let off = ops
                    .iter()
                    .filter_map(|op| match op {
                        Op::Add(c) | Op::Remove(c) => self.state().codings.get(&c.id),
                        _ => None,
                    })
                    .filter(|c| c.anchor.is_flagged())
                    .count();
                if off == 0 {
                    self.say(format!("{word}: {what}"), false);
                } else {
                    self.say(
                        format!(
                            "{word}: {what} · {} no longer on {} words: see codewerk check",
                            crate::core::text::count(off, "coding", "codings"),
                            if off == 1 { "its" } else { "their" }
                        ),
                        true,
                    );
                }
                self.refresh();
            }
            Ok(None) => self.say(
                format!("nothing to {}", if undo { "undo" } else { "redo" }),
                false,
            ),
            Err(e) => self.say(format!("NOT saved: {e}"), true),
        }
    }

    fn jump_to_code(&mut self, forward: bool) {
        let Some(code) = self.selected_code().map(|c| c.id.clone()) else {
            return;
        };
        let Some(cur) = self.current else { return };
        let order = self.visible_transcripts();
        let state = self.state();
        let at = self.text.cursor;
        let n = order.len();
        let pos = order.iter().position(|&i| i == cur).unwrap_or(0);
        // This transcript after (before) the cursor, then the others in list order, wrapping.
        let mut found = None;
        for step in 0..=n {
            let idx = if forward {
                (pos + step) % n.max(1)
            } else {
                (pos + n - step % n.max(1)) % n.max(1)
            };
            let Some(&ti) = order.get(idx) else { break };
            let tid = &self.project.transcripts[ti].id;
            let mut starts: Vec<usize> = state
                .codings
                .values()
                .filter(|c| &c.transcript == tid && c.code == code)
                .map(|c| c.start)
                .collect();
            starts.sort_unstable();
            let hit = match (step, forward) {
                (0, true) => starts.into_iter().find(|&s| s > at),
                (0, false) => starts.into_iter().rev().find(|&s| s < at),
                (_, true) => starts.first().copied(),
                (_, false) => starts.last().copied(),
            };
            if let Some(s) = hit {
                found = Some((ti, s));
                break;
            }
        }
        match found {
            Some((ti, s)) => {
                self.open(ti);
                self.move_to(s);
                let name = self.code_name(&code);
                self.say(
                    format!("{name} in {}", self.project.transcripts[ti].id),
                    false,
                );
            }
            None => self.say(format!("no passages of {}", self.code_name(&code)), false),
        }
    }

    fn next_uncoded_turn(&mut self) {
        let Some(t) = self.transcript() else { return };
        let at = self.text.cursor;
        let target = t.turns.iter().find(|tr| {
            tr.start > at
                && !self.project.is_interviewer(tr.speaker.as_deref())
                && !self.here.iter().any(|c| c.overlaps(tr.start, tr.end))
        });
        match target.map(|tr| tr.body_start) {
            Some(s) => self.move_to(s),
            None => self.say("no uncoded respondent turns below the cursor", false),
        }
    }
}

/// The transcript an op changes codings in.
fn op_transcript(op: &Op) -> Option<String> {
    match op {
        Op::Add(c) | Op::Remove(c) => Some(c.transcript.clone()),
        _ => None,
    }
}

fn describe(ops: &[Op]) -> String {
    match ops {
        [Op::Add(c)] => format!("coding {} at {}", c.code, c.transcript),
        [Op::Remove(c)] => format!("removal of {} at {}", c.code, c.transcript),
        [Op::Edit { .. }] => "boundary edit".into(),
        [Op::Memo { .. }] => "memo".into(),
        [Op::CodeMemo { code, .. }] => format!("memo on code {code}"),
        [Op::Done { transcript, .. }] => format!("done mark of {transcript}"),
        many => format!("{} changes", many.len()),
    }
}

/// The list's attribute filter: `name=value` compares one column (names and values case- and
/// accent-insensitive; group, school, school_type and id count as columns too); plain text is
/// looked for in every column.
pub struct AttributeFilter {
    name: Option<String>,
    value: String,
}

fn fold_field(s: &str) -> String {
    fold_accents(&s.trim().to_lowercase())
}

impl AttributeFilter {
    pub fn parse(filter: &str) -> AttributeFilter {
        match filter.split_once('=') {
            Some((name, value)) => AttributeFilter {
                name: Some(fold_field(name)),
                value: fold_field(value),
            },
            None => AttributeFilter {
                name: None,
                value: fold_field(filter),
            },
        }
    }

    pub fn matches(&self, r: &crate::core::respondents::Respondent) -> bool {
        let mut columns = [
            ("id", r.id.as_str()),
            ("group", r.group.as_str()),
            ("school", r.school.as_str()),
            ("school_type", r.school_type.as_str()),
        ]
        .into_iter()
        .chain(r.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        match &self.name {
            Some(name) => {
                columns.any(|(k, v)| fold_field(k) == *name && fold_field(v) == self.value)
            }
            None => columns.any(|(_, v)| fold_field(v).contains(&self.value)),
        }
    }
}
