//! The TUI's state and the one entry point, `App::handle`. Every coding action goes to the
//! coder's journal first (fsynced) and only then changes what the screen shows.
//!
//! Split along its seams: `input` turns keys, pastes and the mouse into actions, `update`
//! applies an action, `cursor` moves the cursor, selection and scroll, `coding` writes
//! through the journal, `views` opens the full-screen views and applies their outcomes,
//! `jobs` takes the results of background work.

mod attribute_filter;
mod codebook;
mod coding;
mod cursor;
mod input;
mod jobs;
mod memo;
mod update;
mod views;

pub use attribute_filter::AttributeFilter;
pub use codebook::CodebookOp;
pub use jobs::{IndexHandle, IndexRequest, IndexState, Job, Jobs};
pub use memo::{MemoEditor, MemoTarget};
pub use views::View;

use super::action::Action;
use super::draw::{self, Areas};
use super::keymap::{self, Focus, Layer};
use super::motion;
use super::theme::Theme;
use super::views::agreement::{AgreementView, CONSENSUS};
use super::views::clusters::ClustersView;
use super::views::computing::ComputingView;
use super::views::cooccurrence::CooccurrenceView;
use super::views::kwic::KwicView;
use super::views::matrix::MatrixView;
use super::views::memos::MemosView;
use super::views::review::ReviewView;
use super::views::search::SearchView;
use super::views::words::WordsView;
use super::views::{Outcome, cycle};
use super::wrap::{TextLayout, char_width};
use crate::core::agreement::Disagreement;
use crate::core::codebook::{Code, Rgb};
use crate::core::coding::{CoderState, Coding, CodingId, Journal, JournalError, Op, Span};
use crate::core::index::search::Query;
use crate::core::index::{AutocodeOptions, Index, plan_autocode_with};
use crate::core::project::Project;
use crate::core::reconcile::{self, Decision};
use crate::core::text::fold_accents;
use crate::core::transcript::Transcript;
use crossterm::event::{KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Passages longer than this (characters, about a page) are coded only when asked twice.
pub const LARGE_PASSAGE: usize = 2_000;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    Input(Input),
    /// Which of the overlapping passages under the cursor a key is for (`x`, `m`, `e`): their
    /// ids, innermost first; a digit picks one, Esc cancels.
    PickPassage(PickFor, Vec<CodingId>),
    /// The multi-line memo editor.
    Memo(Box<MemoEditor>),
}

/// What the coder picks one of several overlapping passages for: acting on the innermost by
/// guess would put a memo on, or move, a passage the coder did not mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Remove,
    Memo,
    Edit,
}

impl PickFor {
    /// The picker's question and what a digit does.
    pub fn question(self) -> (&'static str, &'static str) {
        match self {
            PickFor::Remove => ("Remove which code here?", "remove"),
            PickFor::Memo => ("Memo on which passage?", "write its memo"),
            PickFor::Edit => ("Edit which passage's boundaries?", "edit it"),
        }
    }
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
    /// A filter of the matrix view.
    Matrix(crate::tui::views::matrix::Ask),
    /// A dialogue changing the codebook about code `code`; `values` are the fields given so
    /// far.
    Codebook {
        op: CodebookOp,
        code: String,
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
    /// Position in the codes as listed (tree order, or the filter's order while filtering).
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
    /// The code highlighted when `f` was pressed: what Esc, or an Enter that found nothing,
    /// goes back to (the highlight is what Enter applies, so it must never change unseen).
    pub before_filter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    /// Said for want of a selection ("select a passage first"): no longer true, and so
    /// dropped, once there is one.
    pub until_selection: bool,
}

/// What the codebook rows were built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowsKey {
    codes_gen: u64,
    here_gen: u64,
    selected: usize,
    focused: bool,
    filtering: bool,
    width: u16,
}

/// Derived from the state by [`App::derive`], read by drawing.
#[derive(Default)]
struct Derived {
    list_key: Option<(Option<String>, Option<String>, Option<String>)>,
    transcripts: Vec<usize>,
    codes_key: Option<(String, usize)>,
    codes: Vec<usize>,
    codes_gen: u64,
    rows_key: Option<RowsKey>,
    codebook_rows: Vec<draw::CodebookRow>,
    cursor_key: Option<(usize, u64)>,
    /// Indices into `here`.
    at_cursor: Vec<usize>,
}

pub struct App {
    pub project: Arc<Project>,
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
    /// How many texts read late (a lazy load) were found broken and have been said: each new
    /// one is said once, whatever read it (a view, a search, autocode).
    late_said: usize,
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
    jobs: Jobs,
    /// The project's copy of this coder's codings equals the journal's.
    coder_synced: bool,
    /// Transcripts whose codings changed since the index last saw them.
    index_dirty: BTreeSet<String>,
    // Derived from the above, refreshed by `refresh` after each change.
    pub layout: TextLayout,
    pub here: Vec<Coding>,
    pub layer_here: Vec<Coding>,
    pub count_here: Vec<usize>,
    pub count_all: Vec<usize>,
    /// Per code: distinct respondents with a passage of it or of any of its sub-codes (the
    /// roll-up shown next to a parent).
    pub rolled_respondents: Vec<usize>,
    /// This coder's passages per transcript (index as `project.transcripts`).
    pub coded_per_transcript: Vec<usize>,
    dragging: bool,
    derived: Derived,
    /// Bumped whenever `here` and the counts are computed again.
    here_gen: u64,
    /// What `count_all`, `rolled_respondents` and `coded_per_transcript` were counted from:
    /// they are counted again only when it changes (None: count again), so that opening a
    /// transcript costs what is on it, not every coding of the project.
    counts_key: Option<CountsKey>,
}

/// What the counts over all of the coder's codings depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CountsKey {
    journal: bool,
    revision: u64,
    codings: usize,
    /// A hash of every code's id and parent (the roll-ups follow the parents).
    codebook: u64,
    transcripts: usize,
}

/// The coder's state as read without a journal of theirs (read-only, or the consensus coder,
/// whose views show the project's copy): a copy of the project's. With the coder's own journal
/// open it is never read, and copying 185,000 codings was a good part of the start-up.
pub(super) fn readonly_state(project: &Project, coder: &str, journal_open: bool) -> CoderState {
    if journal_open && coder != CONSENSUS {
        return CoderState::new(coder);
    }
    project
        .coders
        .get(coder)
        .cloned()
        .unwrap_or_else(|| CoderState::new(coder))
}

impl App {
    /// Open the project as `coder`. If another codewerk holds the coder's journal, open
    /// read-only and say so.
    pub fn new(project: impl Into<Arc<Project>>, coder: &str, theme: Theme, size: Rect) -> App {
        let project: Arc<Project> = project.into();
        let (journal, readonly_reason) = match project.open_journal(coder) {
            Ok(j) => (Some(j), None),
            Err(e @ JournalError::Locked { .. }) => (None, Some(format!("read-only: {e}"))),
            Err(e) => (None, Some(format!("read-only: {e}"))),
        };
        let readonly = readonly_state(&project, coder, journal.is_some());
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
            message: readonly_reason.map(|text| Message {
                text,
                error: true,
                until_selection: false,
            }),
            late_said: 0,
            should_quit: false,
            consensus: None,
            panels_hidden: false,
            confirm_coding: None,
            help_scroll: 0,
            confirm_undo: false,
            view: None,
            parked: None,
            index: IndexState::Building { done: 0, total: 0 },
            jobs: Jobs::default(),
            coder_synced: false,
            index_dirty: BTreeSet::new(),
            layout: TextLayout::default(),
            here: Vec::new(),
            layer_here: Vec::new(),
            count_here: vec![0; n],
            count_all: vec![0; n],
            rolled_respondents: vec![0; n],
            coded_per_transcript: Vec::new(),
            dragging: false,
            derived: Derived::default(),
            here_gen: 0,
            counts_key: None,
        };
        app.derive();
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
                     not counted): {} reviews them",
                    keymap::key(Layer::Text, Action::OpenReview)
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
                    "coding as \"{}\" (no codings yet; --coder NAME to be someone else) · {} shows {}'s codings",
                    app.coder,
                    keymap::key(Layer::Text, Action::ToggleLayer),
                    others[0]
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

    /// The project to change. It is shared with background work (the indexer, a search, an
    /// export): while one of them still reads it, the change goes to a copy (copy on write), so
    /// that no thread ever sees it half-changed.
    pub(super) fn project_mut(&mut self) -> &mut Project {
        Arc::make_mut(&mut self.project)
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

    /// Transcript indices shown in the list, after the filters (kept by `derive`).
    pub fn visible_transcripts(&self) -> &[usize] {
        &self.derived.transcripts
    }

    fn compute_visible_transcripts(&self) -> Vec<usize> {
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

    /// Code indices shown in the codebook panel, after the filter, best match first (kept by
    /// `derive`).
    pub fn visible_codes(&self) -> &[usize] {
        &self.derived.codes
    }

    /// The codebook panel's rows as drawn (kept by `derive`).
    pub fn codebook_rows(&self) -> &[draw::CodebookRow] {
        &self.derived.codebook_rows
    }

    fn compute_visible_codes(&self) -> Vec<usize> {
        if self.codes.filter.is_empty() {
            return self.tree_codes();
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
        // A name that starts with what was typed comes first ("Niet handelen" before
        // "Handelen dat niet …", which the fuzzy score may rank higher).
        let typed = crate::core::text::fold_key(&self.codes.filter);
        let mut scored: Vec<(bool, std::cmp::Reverse<u32>, usize)> = self
            .project
            .codebook
            .codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let hay = fold_accents(&format!("{} {}", c.name, c.id));
                let score =
                    pattern.score(nucleo_matcher::Utf32Str::new(&hay, &mut buf), &mut matcher)?;
                let starts = fold_accents(&c.name.to_lowercase()).starts_with(&typed);
                Some((!starts, std::cmp::Reverse(score), i))
            })
            .collect();
        // Best first; equal scores in codebook order.
        scored.sort();
        scored.into_iter().map(|(_, _, i)| i).collect()
    }

    /// Code indices in tree order (deelvraag, each code followed by its sub-codes), with
    /// their depth: the panel's order unfiltered, and what hotkeys 1…9, 0 count.
    pub fn code_tree(&self) -> Vec<(usize, usize)> {
        let cb = &self.project.codebook;
        let mut out: Vec<(usize, usize)> = cb
            .tree()
            .into_iter()
            .filter_map(|(c, d)| cb.index_of(&c.id).map(|i| (i, d)))
            .collect();
        // Codes under an undeclared deelvraag (a broken codebook the TUI still shows); marked
        // rather than searched for in `out`, which was quadratic in a codebook of 10,000 codes.
        let mut placed = vec![false; cb.codes.len()];
        for &(i, _) in &out {
            placed[i] = true;
        }
        for (i, _) in placed.iter().enumerate().filter(|(_, p)| !**p) {
            out.push((i, 0));
        }
        out
    }

    pub fn tree_codes(&self) -> Vec<usize> {
        self.code_tree().into_iter().map(|(i, _)| i).collect()
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

    /// This coder's codings under the cursor, innermost (shortest) first (kept by `derive`).
    pub fn codings_at_cursor(&self) -> impl Iterator<Item = &Coding> + '_ {
        self.derived
            .at_cursor
            .iter()
            .filter_map(|&i| self.here.get(i))
    }

    fn compute_codings_at_cursor(&self) -> Vec<usize> {
        let at = self.text.cursor;
        let mut v: Vec<usize> = (0..self.here.len())
            .filter(|&i| self.here[i].start <= at && at < self.here[i].end)
            .collect();
        // Ids are random (unique across machines): order by the codebook, not by id.
        let cb = &self.project.codebook;
        v.sort_by_key(|&i| {
            let c = &self.here[i];
            (c.len(), cb.index_of(&c.code), c.start, c.id)
        });
        v
    }

    /// Bring what the screen shows from the state up to date: the list's transcripts, the
    /// codebook's codes and rows, the codings under the cursor. Each is computed again only
    /// when what it derives from changed (compared by value, so that no change can be
    /// forgotten), never per frame: drawing only reads them.
    pub fn derive(&mut self) {
        let d = &self.derived;
        if d.list_key.as_ref()
            != Some(&(
                self.list.group.clone(),
                self.list.school_type.clone(),
                self.list.attribute.clone(),
            ))
        {
            self.derived.transcripts = self.compute_visible_transcripts();
            self.derived.list_key = Some((
                self.list.group.clone(),
                self.list.school_type.clone(),
                self.list.attribute.clone(),
            ));
        }
        let d = &self.derived;
        if d.codes_key.as_ref().map(|(f, n)| (f.as_str(), *n))
            != Some((
                self.codes.filter.as_str(),
                self.project.codebook.codes.len(),
            ))
        {
            self.derived.codes = self.compute_visible_codes();
            self.derived.codes_key =
                Some((self.codes.filter.clone(), self.project.codebook.codes.len()));
            self.derived.codes_gen += 1;
        }
        let rows_key = RowsKey {
            codes_gen: self.derived.codes_gen,
            here_gen: self.here_gen,
            selected: self.codes.selected,
            focused: self.focus == Focus::Codebook,
            filtering: self.codes.filtering,
            width: self.size.width,
        };
        if self.derived.rows_key != Some(rows_key) {
            self.derived.codebook_rows = draw::build_codebook_rows(self);
            self.derived.rows_key = Some(rows_key);
        }
        let cursor_key = (self.text.cursor, self.here_gen);
        if self.derived.cursor_key != Some(cursor_key) {
            self.derived.at_cursor = self.compute_codings_at_cursor();
            self.derived.cursor_key = Some(cursor_key);
        }
    }

    pub fn areas(&self) -> Areas {
        draw::areas(self.size, self.focus, self.panels_hidden)
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
            until_selection: false,
        });
    }

    /// Texts read for the first time (a lazy load) that were not the texts the project was
    /// loaded with are empty: say so once each, naming the file, whatever read them (opening a
    /// transcript, a view, a search, autocode), instead of letting counts look complete; and
    /// drop the transcript cache, so that the next start checks every text. Checks 10,000
    /// transcripts in microseconds (one atomic load each).
    pub(super) fn say_late_problems(&mut self) {
        let late: Vec<&crate::core::problem::Problem> = self
            .project
            .transcripts
            .iter()
            .filter_map(Transcript::late_problem)
            .collect();
        if late.len() <= self.late_said {
            return;
        }
        // All of them, not only the new one: each is missing from what is shown.
        let text = match late.len() {
            1 => format!("{}; its passages are missing from this view", late[0]),
            n => format!(
                "{}, and {} more; their passages are missing from this view",
                late[0],
                crate::core::text::count(n - 1, "transcript", "transcripts")
            ),
        };
        self.late_said = late.len();
        crate::core::transcript_cache::Cache::forget(&self.project.cache_dir());
        self.say(text, true);
    }

    /// The project's errors, with the texts found changed on disk since the load that
    /// `say_late_problems` has said: counted by the update loop, not by every frame drawn.
    pub fn errors(&self) -> usize {
        self.project
            .problems
            .iter()
            .filter(|p| p.is_error())
            .count()
            + self.late_said
    }

    /// A message that only holds while nothing is selected is gone once something is (by
    /// key or by mouse), instead of telling a coder who did select to select.
    fn drop_stale_message(&mut self) {
        if self.message.as_ref().is_some_and(|m| m.until_selection) && self.selection().is_some() {
            self.message = None;
        }
    }

    /// The one entry point for everything that happens: keys go through the keymap layers
    /// (help, popup, view, code filter, panel), the rest to their handlers.
    pub fn handle(&mut self, msg: Msg) {
        self.derive();
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Resize(w, h) => self.resize(w, h),
            Msg::Job(job) => self.on_job(job),
        }
        self.drop_stale_message();
        self.say_late_problems();
        self.derive();
    }

    fn code_name(&self, id: &str) -> String {
        self.project
            .codebook
            .code(id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    /// The counts over all of the coder's codings (per code, its roll-up of respondents, per
    /// transcript), counted again only when the codings or the codebook changed since.
    fn count_codings(&mut self) {
        let state = self.state();
        let cb = &self.project.codebook;
        let key = CountsKey {
            journal: self.journal.is_some(),
            revision: state.revision(),
            codings: state.codings.len(),
            codebook: {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                for c in &cb.codes {
                    (&c.id, &c.parent).hash(&mut h);
                }
                h.finish()
            },
            transcripts: self.project.transcripts.len(),
        };
        if self.counts_key.as_ref() == Some(&key) {
            return;
        }
        // One pass over the coder's codings, with the codes looked up by id in a map: a scan
        // of the codebook per coding (and of the whole tree per code for the roll-ups) grew
        // with codings × codes.
        let code_at: std::collections::HashMap<&str, usize> = cb
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let n = cb.codes.len();
        let mut all = vec![0; n];
        let mut per = vec![0; self.project.transcripts.len()];
        // Respondents per code, each also counted for every code above it (the roll-up).
        let mut rolled: Vec<std::collections::HashSet<&str>> = vec![Default::default(); n];
        // Codings awaiting review (their words changed) are in no count, as in the exports.
        for c in state.codings.values().filter(|c| !c.anchor.is_flagged()) {
            if let Some(i) = self.project.index_of(&c.transcript) {
                per[i] += 1;
            }
            let Some(&k) = code_at.get(c.code.as_str()) else {
                continue;
            };
            all[k] += 1;
            // Up the parents; at most n steps, so a cycle in a hand-edited codebook ends.
            let mut at = Some(k);
            for _ in 0..=n {
                let Some(j) = at else { break };
                rolled[j].insert(c.transcript.as_str());
                at = cb.codes[j]
                    .parent
                    .as_deref()
                    .and_then(|p| code_at.get(p).copied());
            }
        }
        self.rolled_respondents = rolled.iter().map(std::collections::HashSet::len).collect();
        self.count_all = all;
        self.coded_per_transcript = per;
        self.counts_key = Some(key);
    }

    /// Recompute what derives from state: wrap layout, codings on screen, counts.
    pub fn refresh(&mut self) {
        let width = draw::text_width(self.areas().text);
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
        self.count_codings();
        // This transcript's counts from its own codings (`here`: those not awaiting review).
        // One pass over the codebook, not one per coding.
        let mut per_code: std::collections::HashMap<&str, usize> = Default::default();
        for c in &self.here {
            *per_code.entry(c.code.as_str()).or_default() += 1;
        }
        self.count_here = self
            .project
            .codebook
            .codes
            .iter()
            .map(|x| per_code.get(x.id.as_str()).copied().unwrap_or(0))
            .collect();
        self.layer_here = match &self.layer {
            Some(l) => self
                .project
                .coders
                .get(l)
                .map(|s| s.of_transcript(&id).into_iter().cloned().collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        self.here_gen += 1;
        self.scroll_to_cursor();
        self.derive();
    }
}
