//! Background work: the search index (built at start-up, then owned by one worker thread that
//! refreshes it and answers searches), exports, and the views that count over the whole
//! project (agreement, matrix, clusters). Requests are numbered; a result that is not
//! the answer to the latest request of its kind is stale and dropped. Results come back on the
//! event loop's one channel as `Msg::Job`.
//!
//! With no channel (tests, benchmarks of `update`), the same work runs at once on the calling
//! thread and its result goes through the same `on_job`.

use super::*;
use crate::core::export::Request;
use crate::core::index::search::{Hits, Query, search_all};
use crate::core::problem::Problem;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, RwLock};

/// The search index, built in the background at start-up.
pub enum IndexState {
    Building { done: usize, total: usize },
    Ready(IndexHandle),
    Failed(String),
}

/// Where the built index lives.
pub enum IndexHandle {
    /// On the calling thread (no event loop): searches run at once.
    Inline(Box<Index>),
    /// Kept by the index worker thread, which does the searches typed and the refreshes;
    /// a key that needs the index at once (keyword in context, autocoding the hits) borrows
    /// it for a moment through the lock.
    Worker {
        requests: Sender<IndexRequest>,
        shared: Arc<RwLock<Box<Index>>>,
    },
}

/// Results of background work, delivered as [`Msg::Job`].
pub enum Job {
    IndexProgress {
        done: usize,
        total: usize,
    },
    IndexReady(Result<(Box<Index>, Option<String>), String>),
    /// The answer to search request `id`.
    SearchDone {
        id: u64,
        result: Result<Hits, String>,
    },
    /// The index saw the codings changed since it was built (or failed to).
    IndexRefreshed(Result<(), String>),
    /// The view that request `id` computed (agreement, matrix, clusters), or why not, and the
    /// codings it found off their words when it read their texts (see `counted_off_words`).
    ViewReady {
        id: u64,
        view: Result<Box<View>, String>,
        off: Vec<OffWords>,
    },
    /// Export request `id` is written (or not): the status line.
    ExportDone {
        id: u64,
        message: String,
        error: bool,
    },
}

/// What the index worker is asked to do, in order.
pub enum IndexRequest {
    /// Re-index these transcripts, whose codings changed.
    Refresh {
        project: Arc<Project>,
        transcripts: Vec<String>,
    },
    Search {
        id: u64,
        project: Arc<Project>,
        query: Query,
    },
}

/// The channel to the event loop and the request counters.
#[derive(Default)]
pub struct Jobs {
    tx: Option<Sender<Job>>,
    next: u64,
    /// The latest search asked for: only its answer is shown.
    pub search: Option<u64>,
}

impl Jobs {
    fn number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

/// Give the index to a thread of its own. It takes the requests that piled up while it was
/// busy in one go: every refresh (in order), then only the last search, so that typing fast
/// at 10,000 transcripts runs one search, not one per key.
fn spawn_index_worker(index: Box<Index>, tx: Sender<Job>) -> IndexHandle {
    let (req_tx, req_rx): (Sender<IndexRequest>, Receiver<IndexRequest>) = channel();
    let shared = Arc::new(RwLock::new(index));
    let index = Arc::clone(&shared);
    std::thread::spawn(move || {
        while let Ok(first) = req_rx.recv() {
            let mut batch = vec![first];
            batch.extend(req_rx.try_iter());
            let mut last_search = None;
            for req in batch {
                match req {
                    IndexRequest::Refresh {
                        project,
                        transcripts,
                    } => {
                        let result = match index.write() {
                            Ok(mut index) => refresh(&mut index, &project, &transcripts),
                            Err(_) => Err("the index is unusable after a failure".to_string()),
                        };
                        let _ = tx.send(Job::IndexRefreshed(result));
                    }
                    search @ IndexRequest::Search { .. } => last_search = Some(search),
                }
            }
            if let Some(IndexRequest::Search { id, project, query }) = last_search {
                let result = match index.read() {
                    Ok(index) => search_all(&*project, &index, &query).map_err(|e| e.to_string()),
                    Err(_) => Err("the index is unusable after a failure".to_string()),
                };
                // Let go of the project before the answer arrives: the app may change it next.
                drop(project);
                if tx.send(Job::SearchDone { id, result }).is_err() {
                    return;
                }
            }
        }
    });
    IndexHandle::Worker {
        requests: req_tx,
        shared,
    }
}

fn refresh(index: &mut Index, project: &Project, transcripts: &[String]) -> Result<(), String> {
    let ids: Vec<&str> = transcripts.iter().map(String::as_str).collect();
    index
        .refresh_only(project, &ids, &mut |_| {})
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl App {
    /// Run background work on threads, its results coming back on `tx` (the event loop's
    /// channel). Without it, work runs at once on the calling thread.
    pub fn set_job_channel(&mut self, tx: Sender<Job>) {
        self.jobs.tx = Some(tx);
    }

    /// Deliver the result of background work.
    pub(super) fn on_job(&mut self, job: Job) {
        match job {
            Job::IndexProgress { done, total } => self.index = IndexState::Building { done, total },
            Job::IndexReady(Ok((index, message))) => {
                self.index = IndexState::Ready(match &self.jobs.tx {
                    Some(tx) => spawn_index_worker(index, tx.clone()),
                    None => IndexHandle::Inline(index),
                });
                // A notice about the index must not hide what the coder just did.
                if let Some(m) = message.filter(|_| self.message.is_none()) {
                    self.say(m, false);
                }
                if matches!(self.view, Some(View::Search(_))) {
                    self.run_search();
                }
            }
            Job::IndexReady(Err(e)) => {
                self.say(format!("search index: {e}"), true);
                self.index = IndexState::Failed(e);
            }
            Job::SearchDone { id, result } => {
                // Only the answer to the latest request: an older one would overwrite newer
                // hits with those of a query the coder has typed past.
                if self.jobs.search != Some(id) {
                    return;
                }
                self.jobs.search = None;
                let state = self.journal.as_ref().map_or(&self.readonly, |j| &j.state);
                if let Some(View::Search(v)) = &mut self.view {
                    v.show(result, &self.project, state);
                }
            }
            Job::IndexRefreshed(Ok(())) => {}
            Job::IndexRefreshed(Err(e)) => self.say(format!("search index: {e}"), true),
            Job::ExportDone { message, error, .. } => self.say(message, error),
            Job::ViewReady { id, view, off } => {
                // Codings off their words are put right (and said) even when the view is no
                // longer wanted: their texts are read now, and the screen must not count them
                // on other words.
                if !off.is_empty() {
                    self.put_right(&off);
                }
                // Only into the stand-in that asked for it: once the coder closed it (or
                // opened another view), the answer is stale.
                if !matches!(&self.view, Some(View::Computing(c)) if c.id == id) {
                    return;
                }
                match view {
                    Ok(v) => self.view = Some(*v),
                    Err(e) => {
                        self.view = None;
                        self.say(e, true);
                    }
                }
            }
        }
    }

    /// Open a view whose counts take long at scale: a stand-in shows "computing …" while
    /// `work` runs on a thread of its own, and the view replaces it when done. Without a
    /// channel (tests) `work` runs at once.
    ///
    /// Such a view counts codings on transcripts never opened, taken as exact at start-up
    /// without their text (`Project::load_lazy`). Before counting, the same thread reads those
    /// texts and checks the codings on them (`counted_off_words`): a coding off its words is
    /// counted where re-anchoring puts it (or not at all, flagged), never on other words, and
    /// the app is told which (`Job::ViewReady`'s `off`) to put them right and say so.
    pub(super) fn open_in_background(
        &mut self,
        what: String,
        layer: Layer,
        work: impl FnOnce(&Project) -> Result<View, String> + Send + 'static,
    ) {
        let id = self.jobs.number();
        self.view = Some(View::Computing(ComputingView { id, what, layer }));
        let project = Arc::clone(&self.project);
        let job = move || {
            let off = counted_off_words(&project);
            let view = if off.is_empty() {
                work(&project)
            } else {
                // Rare (a journal edited by hand): the view counts on a copy put right.
                let mut fixed = (*project).clone();
                drop(project);
                for o in &off {
                    put_right(&mut fixed, o);
                }
                work(&fixed)
            };
            Job::ViewReady {
                id,
                view: view.map(Box::new),
                off,
            }
        };
        match &self.jobs.tx {
            Some(tx) => {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let _ = tx.send(job());
                });
            }
            None => {
                let done = job();
                self.on_job(done);
            }
        }
    }

    /// Put right, in the project and in the journal's state, the codings a view found off
    /// their words, and say so: the journal file and line of the first, as `check` would.
    fn put_right(&mut self, off: &[OffWords]) {
        let mut said: Vec<Problem> = Vec::new();
        {
            let project = self.project_mut();
            for o in off {
                if let Some(p) = put_right(project, o) {
                    said.push(p);
                }
            }
            project.problems.extend(said.iter().cloned());
        }
        if let Some(j) = self.journal.as_mut() {
            let me = j.coder().to_string();
            let project = Arc::clone(&self.project);
            for o in off.iter().filter(|o| o.coder == me) {
                if let Some(c) = j.state.codings.get_mut(&o.id)
                    && let Some(t) = project.transcript(&c.transcript)
                {
                    crate::core::anchor::verify_read(t, c);
                }
            }
        }
        self.counts_key = None;
        self.refresh();
        let Some(first) = said.first() else { return };
        let more = match said.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        // The journal as the project names it (codings/ann.jsonl), not its whole path: the
        // status line is one line.
        let file = first
            .file
            .strip_prefix(&self.project.root)
            .unwrap_or(&first.file)
            .display();
        let line = first.line.map(|l| format!(":{l}")).unwrap_or_default();
        self.say(format!("{file}{line}: {}{more}", first.message), true);
    }

    /// Ask for the search view's query; the view shows "searching…" and its last hits until
    /// the answer comes.
    pub(super) fn run_search(&mut self) {
        let Some(View::Search(v)) = &mut self.view else {
            return;
        };
        let Some(query) = v.query_to_run() else {
            self.jobs.search = None;
            return;
        };
        let IndexState::Ready(handle) = &mut self.index else {
            v.error = Some("the search index is still being built…".into());
            return;
        };
        let id = self.jobs.number();
        self.jobs.search = Some(id);
        match handle {
            IndexHandle::Worker { requests, .. } => {
                v.searching = true;
                let sent = requests.send(IndexRequest::Search {
                    id,
                    project: Arc::clone(&self.project),
                    query,
                });
                if sent.is_err() {
                    v.searching = false;
                    v.error = Some("the search stopped working: restart codewerk".into());
                }
            }
            IndexHandle::Inline(index) => {
                let result = search_all(&*self.project, index, &query).map_err(|e| e.to_string());
                self.on_job(Job::SearchDone { id, result });
            }
        }
    }

    /// Run `f` on the built index wherever it is kept (None while it is being built). On the
    /// worker it waits for a refresh or search in progress to finish: for keys that need the
    /// index at once, not for typing.
    pub(super) fn with_index<R>(&self, f: impl FnOnce(&Index) -> R) -> Option<R> {
        match &self.index {
            IndexState::Ready(IndexHandle::Inline(index)) => Some(f(index)),
            IndexState::Ready(IndexHandle::Worker { shared, .. }) => {
                shared.read().ok().map(|index| f(&index))
            }
            _ => None,
        }
    }

    /// Let the index see the codings made since it last did (the "not coded" filter).
    pub(super) fn refresh_index(&mut self) {
        if self.index_dirty.is_empty() {
            return;
        }
        let IndexState::Ready(handle) = &mut self.index else {
            return;
        };
        let transcripts: Vec<String> = std::mem::take(&mut self.index_dirty).into_iter().collect();
        match handle {
            IndexHandle::Worker { requests, .. } => {
                let _ = requests.send(IndexRequest::Refresh {
                    project: Arc::clone(&self.project),
                    transcripts,
                });
            }
            IndexHandle::Inline(index) => {
                let result = refresh(index, &self.project, &transcripts);
                self.on_job(Job::IndexRefreshed(result));
            }
        }
    }

    /// Write an export off the UI thread; the status line says where it went.
    pub(super) fn start_export(&mut self, req: Request) {
        self.sync_coder();
        let id = self.jobs.number();
        let project = Arc::clone(&self.project);
        let run = move || {
            let (message, error) = match crate::tui::views::write_export(&project, &req) {
                Outcome::Say(m, e) => (m, e),
                _ => (String::new(), false),
            };
            Job::ExportDone { id, message, error }
        };
        match &self.jobs.tx {
            Some(tx) => {
                let tx = tx.clone();
                self.say("exporting…", false);
                std::thread::spawn(move || {
                    let _ = tx.send(run());
                });
            }
            None => {
                let job = run();
                self.on_job(job);
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
}

/// A coding (of `coder`, by id) found not on its words when a view read its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffWords {
    pub coder: String,
    pub id: CodingId,
}

/// Read the texts of the transcripts the project's codings are on (of every coder: the views
/// switch coders and compare any two) and return the codings taken as exact that are not on
/// their words. A coding whose journal line's checksum is right (`CoderState::unsealed`)
/// vouches for itself, as it does for the commands, so only the others are looked at (at
/// 10,000 transcripts reading every coded text made the first view take 1.2 GB); the load
/// has read the texts of most of those. A text that cannot be read is left to
/// `say_late_problems`; its codings are not judged here.
fn counted_off_words(project: &Project) -> Vec<OffWords> {
    use rayon::prelude::*;
    let unvouched = |s: &'_ crate::core::coding::CoderState, c: &crate::core::coding::Coding| {
        matches!(c.anchor, crate::core::anchor::Anchor::Exact) && s.unsealed.contains_key(&c.id)
    };
    let mut on: Vec<usize> = project
        .coders
        .values()
        .flat_map(|s| s.codings.values().filter(|c| unvouched(s, c)))
        .filter_map(|c| project.index_of(&c.transcript))
        .collect();
    on.sort_unstable();
    on.dedup();
    on.par_iter()
        .filter_map(|&i| project.transcripts.get(i))
        .filter(|t| !t.is_read())
        .for_each(|t| {
            let _ = t.read();
        });
    let mut off = Vec::new();
    for (coder, s) in &project.coders {
        for c in s.codings.values() {
            let Some(t) = project.transcript(&c.transcript) else {
                continue;
            };
            // Vouched for, on its words, or not taken as exact: nothing `verify_read` would
            // change. Seen without a copy, for the hundreds of thousands of codings a view
            // counts.
            if !unvouched(s, c)
                || (c.start < c.end && c.end <= t.len_chars() && t.slice(c.start, c.end) == c.text)
            {
                continue;
            }
            // Looked at on a copy: the project is shared with the app.
            if t.late_problem().is_none() && crate::core::anchor::verify_read(t, &mut c.clone()) {
                off.push(OffWords {
                    coder: coder.clone(),
                    id: c.id,
                });
            }
        }
    }
    off
}

/// Re-anchor one coding found off its words (`anchor::verify_read`) in `project`, and the
/// problem to say about it (as `Project::read_texts` says it).
fn put_right(project: &mut Project, o: &OffWords) -> Option<Problem> {
    let path = crate::core::coding::journal_path(&project.codings_dir(), &o.coder);
    let on = &project.coders.get(&o.coder)?.codings.get(&o.id)?.transcript;
    let i = project.index_of(on)?;
    let Project {
        transcripts,
        coders,
        ..
    } = project;
    let t = transcripts.get(i)?;
    let c = coders.get_mut(&o.coder)?.codings.get_mut(&o.id)?;
    if !crate::core::anchor::verify_read(t, c) {
        return None;
    }
    let now = match &c.anchor {
        crate::core::anchor::Anchor::Exact | crate::core::anchor::Anchor::Moved { .. } => {
            "found again by its text"
        }
        _ => "it is not counted until reviewed",
    };
    Some(
        Problem::warning(
            path,
            format!(
                "coding {} (code {}) of transcript {} was not on its words although the journal \
                 says it was made on this version: {now}; `codewerk check` lists it",
                c.id, c.code, c.transcript
            ),
        )
        .at(c.line, None),
    )
}
