//! A coding project on disk, loaded and validated.
//!
//! ```text
//! project.json                 optional: name, respondent groups, school types
//! codebook/codebook.json       deelvragen and codes
//! transcripts/respondents.csv  one row per interview
//! transcripts/*.txt            the interviews
//! codings/<coder>.jsonl        one journal per coder
//! exports/                     output
//! ```
//! Loading collects every problem it finds rather than stopping at the first, so that `check`
//! can list them all.

use super::anchor::{self, Carrier};
use super::codebook::Codebook;
use super::coding::{Anchor, CoderState, Coding, Journal, JournalError, valid_coder};
use super::problem::{Problem, Severity};
use super::respondents::{self, Respondent};
use super::settings::Settings;
use super::transcript::{self, Transcript, not_text};
use super::versions::{self, Snapshots};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub settings: Settings,
    pub codebook: Codebook,
    /// Respondents whose transcript loaded, in respondents.csv order.
    pub respondents: Vec<Respondent>,
    /// `transcripts[i]` is the interview of `respondents[i]`.
    pub transcripts: Vec<Transcript>,
    /// Every coder with a journal, read-only.
    pub coders: BTreeMap<String, CoderState>,
    /// Everything found wrong, errors and warnings.
    pub problems: Vec<Problem>,
    /// Transcript id -> index. Looked up for every coding, several times: FxHash, not SipHash.
    by_id: rustc_hash::FxHashMap<String, usize>,
    /// Transcript ids of respondents.csv rows with an error (left out), with the row's line:
    /// their codings are then said to be unchecked once, not to be on an unknown transcript
    /// line by line.
    left_out: HashMap<String, usize>,
    /// Diffs from snapshot versions to the current texts, by (old version, current version):
    /// built once, however many coders and re-checks (undo in the TUI) use them.
    carriers: Mutex<HashMap<(String, String), Arc<Carrier>>>,
    /// The coders whose journals are read (`Project::load_lazy_for`); None: every coder's.
    only: Option<BTreeSet<String>>,
}

/// A copy for a front end that shares the project with a background thread and changes it
/// while the thread still reads it (`Arc::make_mut`). The diff cache starts empty in the copy:
/// it is derived, and rebuilt on demand.
impl Clone for Project {
    fn clone(&self) -> Project {
        Project {
            root: self.root.clone(),
            settings: self.settings.clone(),
            codebook: self.codebook.clone(),
            respondents: self.respondents.clone(),
            transcripts: self.transcripts.clone(),
            coders: self.coders.clone(),
            problems: self.problems.clone(),
            by_id: self.by_id.clone(),
            left_out: self.left_out.clone(),
            carriers: Mutex::default(),
            only: self.only.clone(),
        }
    }
}

/// The codebook or the respondents table could not be read at all.
#[derive(Debug)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl Project {
    pub fn codebook_path(root: &Path) -> PathBuf {
        root.join("codebook").join("codebook.json")
    }
    pub fn respondents_path(root: &Path) -> PathBuf {
        root.join("transcripts").join("respondents.csv")
    }
    pub fn codings_dir(&self) -> PathBuf {
        self.root.join("codings")
    }
    pub fn exports_dir(&self) -> PathBuf {
        self.root.join("exports")
    }
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".codewerk")
    }

    /// Load everything. Fails only when the codebook or the respondents table cannot be used;
    /// all other problems are in `problems`.
    pub fn load(root: &Path) -> Result<Project, LoadError> {
        Self::load_with(root, false, None)
    }

    /// Load, reading the text of a transcript only when it is needed: a transcript whose file
    /// has the stamp the transcript cache (`transcript_cache`) knows it by is not read, and a
    /// coding made on its cached version is on its words (it was checked when it was made).
    /// Everything else (a new or changed file, a coding made on another version or on none) is
    /// read and checked as `load` does, on all cores. Texts used later are read then; read the
    /// ones a command needs first with [`Project::read_texts`], which reports a file that
    /// changed since.
    ///
    /// Why a cache and not the index: the index is updated after a load and only by commands
    /// that search; the cache is written by the load itself, so any lazy command after the
    /// first one starts from it.
    pub fn load_lazy(root: &Path) -> Result<Project, LoadError> {
        Self::load_with(root, true, None)
    }

    /// As [`Project::load_lazy`], reading the journals of `coders` only: a command on one
    /// coder's codings (an export, `stats --coder`) or a few (agreement) need not read the
    /// others', which at 200,000 codings a coder is most of its time. The other journals are
    /// neither read nor checked (their files' names are: a sync conflict copy is still an
    /// error); `check` reads them all.
    pub fn load_lazy_for(root: &Path, coders: &[String]) -> Result<Project, LoadError> {
        Self::load_with(root, true, Some(coders.iter().cloned().collect()))
    }

    /// The coders with a journal in `root`'s `codings/`, by file name, without reading them.
    pub fn journal_names(root: &Path) -> Vec<String> {
        journals(&root.join("codings"))
            .into_iter()
            .filter_map(Result::ok)
            .map(|(_, coder)| coder)
            .collect()
    }

    fn load_with(
        root: &Path,
        lazy: bool,
        only: Option<BTreeSet<String>>,
    ) -> Result<Project, LoadError> {
        // Paths in messages read better as `transcripts/x.txt` than `./transcripts/x.txt`.
        let root = if root == Path::new(".") {
            PathBuf::new()
        } else {
            root.to_path_buf()
        };
        let mut problems = Vec::new();
        let settings_path = root.join("project.json");
        let settings = Settings::load(&settings_path).unwrap_or_else(|p| {
            problems.push(p);
            Settings::default()
        });
        problems.extend(settings.lint(&settings_path));
        // Half old, half new files after an interrupted pseudonymisation: nothing may use them.
        problems.extend(super::pseudonym::project::pending_problem(&root));
        let codebook_path = Self::codebook_path(&root);
        let codebook = match Codebook::load(&codebook_path) {
            Ok(cb) => Some(cb),
            Err(ps) => {
                problems.extend(ps);
                None
            }
        };
        let csv_path = Self::respondents_path(&root);
        let rows = match std::fs::read(&csv_path) {
            Ok(bytes) => {
                let (rows, ps, rejected) = respondents::parse_with_rejected(&csv_path, &bytes);
                problems.extend(ps);
                Some((rows, rejected))
            }
            Err(e) => {
                problems.push(Problem::error(&csv_path, format!("cannot read: {e}")));
                None
            }
        };
        // Even with a broken codebook, read the transcripts: `check` lists every problem at once.
        let Some((rows, rejected)) = rows else {
            return Err(LoadError { problems });
        };
        let (respondents, transcripts, mut left_out) =
            load_transcripts(&root, &settings, rows, &rejected, &mut problems, lazy);
        let Some(codebook) = codebook else {
            return Err(LoadError { problems });
        };
        let by_id = respondents
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect::<rustc_hash::FxHashMap<_, _>>();
        left_out.retain(|id, _| !by_id.contains_key(id));
        let mut project = Project {
            root,
            settings,
            codebook,
            respondents,
            transcripts,
            coders: BTreeMap::new(),
            problems,
            by_id,
            left_out,
            carriers: Mutex::default(),
            only,
        };
        project.load_coders();
        project.take_late_problems();
        Ok(project)
    }

    /// Read now, on all cores, the texts of the transcripts that the codings `wanted` picks
    /// (`wanted(coder, coding)`) are on: what a command will quote, count or compare. A text
    /// that is not the one the project was loaded with any more is an error in `problems` (see
    /// `Transcript::read`), so that a command that checks for errors after this computes
    /// nothing on it. Returns the problems found.
    pub fn read_texts(&mut self, wanted: impl Fn(&str, &Coding) -> bool) -> Vec<Problem> {
        let mut on: Vec<usize> = self
            .coders
            .iter()
            .flat_map(|(coder, s)| s.codings.values().map(move |c| (coder, c)))
            .filter(|(coder, c)| wanted(coder, c))
            .map(|(_, c)| c)
            .filter_map(|c| self.index_of(&c.transcript))
            .collect();
        on.sort_unstable();
        on.dedup();
        self.read_transcripts(&on);
        let mut problems = self.take_late_problems();
        problems.extend(self.verify_vouched(&wanted));
        problems
    }

    /// Codings taken as exact without their text at load (`vouched`) checked against the text
    /// now read: a journal line edited by hand can keep its version but not its words. Such a
    /// coding is re-anchored by its text as `check` would, so it is on its words or flagged,
    /// never counted on other words.
    fn verify_vouched(&mut self, wanted: &impl Fn(&str, &Coding) -> bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        let codings = self.root.join("codings");
        for (coder, state) in &mut self.coders {
            for c in state.codings.values_mut() {
                if !wanted(coder, c) {
                    continue;
                }
                let Some(t) = self
                    .by_id
                    .get(&c.transcript)
                    .and_then(|&i| self.transcripts.get(i))
                else {
                    continue;
                };
                if t.late_problem().is_some() || !anchor::verify_read(t, c) {
                    continue;
                }
                problems.push(
                    Problem::warning(
                        super::coding::journal_path(&codings, coder),
                        format!(
                            "coding {} (code {}) of transcript {} was not on its words although the journal says \
                             it was made on this version: {}; `codewerk check` lists it",
                            c.id,
                            c.code,
                            c.transcript,
                            match &c.anchor {
                                Anchor::Exact | Anchor::Moved { .. } => "found again by its text",
                                _ => "it is not counted until reviewed",
                            }
                        ),
                    )
                    .at(c.line, None),
                );
            }
        }
        self.problems.extend(problems.iter().cloned());
        problems
    }

    /// Read the texts of `transcripts[i]` for every `i` in `which` that is not read yet.
    fn read_transcripts(&self, which: &[usize]) {
        which
            .par_iter()
            .filter_map(|&i| self.transcripts.get(i))
            .filter(|t| !t.is_read())
            .for_each(|t| {
                let _ = t.read();
            });
    }

    /// Problems of texts read late that are not in `problems` yet: moved there, and returned.
    pub fn take_late_problems(&mut self) -> Vec<Problem> {
        let new: Vec<Problem> = self
            .transcripts
            .iter()
            .filter_map(Transcript::late_problem)
            .filter(|p| !self.problems.contains(p))
            .cloned()
            .collect();
        self.problems.extend(new.iter().cloned());
        if !new.is_empty() {
            super::transcript_cache::Cache::forget(&self.cache_dir());
        }
        new
    }

    fn load_coders(&mut self) {
        let mut found = journals(&self.codings_dir());
        if let Some(only) = &self.only {
            found.retain(|f| f.as_ref().map_or(true, |(_, coder)| only.contains(coder)));
        }
        // Journals are replayed, then checked, one coder per core: with two coders of 200,000
        // codings each, reading the journals one after the other was most of a command's time.
        let mut states: Vec<Option<Result<CoderState, Problem>>> = found
            .par_iter()
            .map(|f| {
                f.as_ref()
                    .ok()
                    .map(|(path, coder)| CoderState::load(path, coder))
            })
            .collect();
        // Texts that checking needs (codings not vouched for), read on all cores.
        for state in states.iter().flatten().flatten() {
            self.read_transcripts(&self.unvouched(state));
        }
        let this = &*self;
        let checked: Vec<Vec<Problem>> = states
            .par_iter_mut()
            .zip(&found)
            .map(|(state, f)| match (state, f) {
                (Some(Ok(state)), Ok((path, _))) => this.check_codings(path, state),
                _ => Vec::new(),
            })
            .collect();
        for ((f, state), ps) in found.into_iter().zip(states).zip(checked) {
            match (f, state) {
                (Err(p), _) | (Ok(_), Some(Err(p))) => self.problems.push(p),
                (Ok((_, coder)), Some(Ok(mut state))) => {
                    self.problems.extend(std::mem::take(&mut state.warnings));
                    self.problems.extend(ps);
                    self.coders.insert(coder, state);
                }
                (Ok(_), None) => {}
            }
        }
    }

    /// The transcripts, not read yet, that checking `state`'s codings needs the text of: those
    /// with a coding not vouched for by its version.
    fn unvouched(&self, state: &CoderState) -> Vec<usize> {
        let mut out: Vec<usize> = state
            .codings
            .values()
            .filter_map(|c| {
                let i = self.index_of(&c.transcript)?;
                let t = &self.transcripts[i];
                (!t.is_read() && !vouched(t, c, state)).then_some(i)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Validate codings against the codebook and transcripts, carrying codings made on an
    /// earlier version of their transcript to the current text (see `anchor`). Codings that
    /// cannot be carried with certainty are flagged (`Anchor::is_flagged`), never guessed.
    pub fn check_codings(&self, path: &Path, state: &mut CoderState) -> Vec<Problem> {
        let mut problems = Vec::new();
        // Where each text occurs, per transcript: thousands of "ja" codings share one search.
        let mut hits: HashMap<(String, String), anchor::Hits> = HashMap::new();
        let mut carried: BTreeMap<String, usize> = BTreeMap::new();
        let mut snapshot_problems: BTreeSet<String> = BTreeSet::new();
        let mut deleted: BTreeMap<String, usize> = BTreeMap::new();
        let mut unchecked: BTreeMap<String, usize> = BTreeMap::new();
        let mut first_unknown: HashMap<String, usize> = HashMap::new();
        let unsealed = &state.unsealed;
        for c in state.codings.values_mut() {
            let line = c.line;
            let here = |sev: Severity, msg: String| {
                let p = Problem::error(path, msg).at(line, None);
                Problem { severity: sev, ..p }
            };
            // A merged code's codings count as the code it was merged into (the journal keeps
            // the old id: no coder's journal is rewritten by a merge).
            match self.codebook.canonical(&c.code) {
                Some(live) if live.id != c.code => c.code = live.id.clone(),
                Some(_) => {}
                None if self.codebook.retired(&c.code).is_some() => {
                    *deleted.entry(c.code.clone()).or_default() += 1;
                }
                // The codes it may have meant (or all codes) once per code, not on every line.
                None => {
                    let msg = match first_unknown.get(&c.code) {
                        Some(first) => format!("unknown code \"{}\" (as on line {first})", c.code),
                        None => {
                            first_unknown.insert(c.code.clone(), line);
                            self.codebook.unknown_code(&c.code)
                        }
                    };
                    problems.push(here(Severity::Error, msg));
                }
            }
            let Some(t) = self.transcript(&c.transcript) else {
                if self.left_out.contains_key(&c.transcript) {
                    *unchecked.entry(c.transcript.clone()).or_default() += 1;
                    continue;
                }
                problems.push(here(
                    Severity::Error,
                    format!("unknown transcript \"{}\"", c.transcript),
                ));
                continue;
            };
            // Quotes are compared with the NFC text (a journal written from an NFD file).
            if may_change_by_normalising(&c.text) {
                let text = super::transcript::normalise(&c.text);
                if text != c.text {
                    c.text = text;
                }
            }
            let made_on = c.version.clone();
            match made_on.as_deref() {
                // Made on this very text and checked then: no need to read it (`load_lazy`).
                _ if !t.is_read() && vouched_by(t, c, unsealed) => {
                    if !matches!(c.anchor, Anchor::Moved { .. }) {
                        c.anchor = Anchor::Exact;
                    }
                }
                Some(v) if v != t.version() => match self.carrier(v, t) {
                    Ok(carrier) => {
                        let hits = hits
                            .entry((c.transcript.clone(), v.to_string()))
                            .or_default();
                        carrier.place(t, c, hits);
                    }
                    Err(e) => {
                        snapshot_problems.insert(format!(
                            "{e}; codings of transcript {} made on it can only be found again \
                             by their text",
                            c.transcript
                        ));
                        anchor::reanchor_strict(t, c);
                    }
                },
                _ => anchor::reanchor_strict(t, c),
            }
            // What can be said of why the coding is not on its words: with the version it was
            // made on, whether the transcript changed since or its journal line was edited.
            let why = || match made_on.as_deref() {
                Some(v) if v == t.version() => format!(
                    "coding {}'s journal line does not fit transcript {}, which has not changed \
                     since the coding was made (the line edited by hand?)",
                    c.id, c.transcript
                ),
                Some(_) => format!(
                    "transcript {} changed since coding {} was made",
                    c.transcript, c.id
                ),
                None => format!(
                    "coding {} is not where its journal line says in transcript {} (the \
                     transcript changed, or the line was edited)",
                    c.id, c.transcript
                ),
            };
            // A line edited by hand: said once, against that line, with what the text showed
            // (the messages below would blame a transcript change that did not happen).
            if let Some(&Some(edited)) = unsealed.get(&c.id) {
                let outcome = match &c.anchor {
                    Anchor::Exact => format!("is on the words it quotes ({}..{})", c.start, c.end),
                    Anchor::Moved { from } => format!(
                        "was not at {from}, but its quote is once in the text: counted at {}..{} \
                         (`codewerk check --fix` records that)",
                        c.start, c.end
                    ),
                    Anchor::Ambiguous { candidates } => format!(
                        "is not on its words and its quote fits {} places; it is not counted \
                         until reviewed",
                        candidates.len()
                    ),
                    Anchor::Orphaned => "quotes text that is not in it; it is not counted until \
                                         fixed or removed"
                        .to_string(),
                };
                problems.push(
                    Problem::warning(
                        path,
                        format!(
                            "edited by hand: this line's checksum does not match the place it \
                             gives coding {} (code {}) of transcript {}; checked against the \
                             text, the coding {outcome}",
                            c.id, c.code, c.transcript
                        ),
                    )
                    .at(edited, None),
                );
                continue;
            }
            match &c.anchor {
                Anchor::Exact => {}
                // Carried from an earlier version: said once per transcript, below.
                Anchor::Moved { .. } if made_on.as_deref().is_some_and(|v| v != t.version()) => {
                    *carried.entry(c.transcript.clone()).or_default() += 1;
                }
                Anchor::Moved { from } => problems.push(here(
                    Severity::Warning,
                    format!(
                        "{}: re-anchored by its text from {from} to {} (its only occurrence)",
                        why(),
                        c.start
                    ),
                )),
                Anchor::Ambiguous { candidates } => problems.push(here(
                    Severity::Warning,
                    format!(
                        "{}: its text (code {}, \"{}\") {}; it is not counted until reviewed",
                        why(),
                        c.code,
                        preview(&c.text),
                        if candidates.len() == 1 {
                            "is still in it once, but what surrounds it changed".to_string()
                        } else {
                            format!("fits {} places equally well", candidates.len())
                        }
                    ),
                )),
                Anchor::Orphaned => problems.push(here(
                    Severity::Warning,
                    format!(
                        "{}: its text (code {}) is no longer in it; fix or remove the coding",
                        why(),
                        c.code
                    ),
                )),
            }
        }
        // Memos on a merged code are the memos of the code it went into.
        let merged: Vec<String> = state
            .code_memos
            .keys()
            .filter(|k| self.codebook.code(k).is_none() && self.codebook.canonical(k).is_some())
            .cloned()
            .collect();
        for old in merged {
            let (Some(memo), Some(live)) =
                (state.code_memos.remove(&old), self.codebook.canonical(&old))
            else {
                continue;
            };
            let joined = match state.code_memos.remove(&live.id) {
                Some(mine) => format!("{mine}\n\n{memo}"),
                None => memo,
            };
            state.code_memos.insert(live.id.clone(), joined);
        }
        // One line per transcript: the row's error already says what is wrong, and a line per
        // coding of "unknown transcript" would bury it (and contradict it: the row is there).
        for (transcript, n) in unchecked {
            let line = self.left_out.get(&transcript).copied().unwrap_or_default();
            problems.push(Problem::warning(
                path,
                format!(
                    "{n} coding(s) of transcript \"{transcript}\" are not checked or counted: \
                     its row in respondents.csv (line {line}) has an error"
                ),
            ));
        }
        for (code, n) in deleted {
            problems.push(Problem::warning(
                path,
                format!(
                    "{n} coding(s) of the deleted code \"{code}\" are counted nowhere: recode \
                     them, or bring the code back with `codewerk code undo`"
                ),
            ));
        }
        for (transcript, n) in carried {
            problems.push(Problem::warning(
                path,
                format!(
                    "transcript {transcript} changed since {n} coding(s) were made on it; they \
                     were carried to the new text with certainty (`codewerk check --fix` records \
                     that in the journal)"
                ),
            ));
        }
        problems.extend(
            snapshot_problems
                .into_iter()
                .map(|m| Problem::warning(path, m)),
        );
        problems
    }

    /// The diff from version `old` of `t` to its current text.
    fn carrier(&self, old: &str, t: &Transcript) -> Result<Arc<Carrier>, versions::SnapshotError> {
        let key = (old.to_string(), t.version().to_string());
        if let Some(c) = self.carriers.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        let text = versions::load(&self.codings_dir(), old)?;
        let carrier = Arc::new(Carrier::new(&text, t.text()));
        if let Ok(mut m) = self.carriers.lock() {
            m.insert(key, carrier.clone());
        }
        Ok(carrier)
    }

    /// Read every coder's journal again: after a codebook change (a merge, a delete or their
    /// undo), which live code a journal's code id counts as has changed.
    pub fn reload_coders(&mut self) {
        let codings = self.codings_dir();
        self.problems.retain(|p| !p.file.starts_with(&codings));
        self.coders.clear();
        self.load_coders();
    }

    /// The journal's codings read again from its file and checked against the codebook as it
    /// is now (see [`Project::reload_coders`]).
    pub fn reread_journal(&self, journal: &mut Journal) -> std::io::Result<()> {
        let bytes = match std::fs::read(&journal.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let coder = journal.state.coder.clone();
        let mut state = CoderState::replay(&journal.path, &coder, &bytes);
        let path = journal.path.clone();
        let _ = self.check_codings(&path, &mut state);
        journal.state = state;
        Ok(())
    }

    /// Open a coder's journal for writing (taking the coder's lock), its codings carried to the
    /// current texts. Lines it writes get the snapshots of the versions they refer to.
    pub fn open_journal(&self, coder: &str) -> Result<Journal, JournalError> {
        let mut journal = Journal::open_known(&self.codings_dir(), coder, self.coders.get(coder))?;
        // A state taken from the load was checked by it (`load_coders`).
        if !journal.reused() {
            let path = journal.path.clone();
            let _ = self.check_codings(&path, &mut journal.state);
        }
        let sources = self
            .transcripts
            .iter()
            .map(|t| (t.id.clone(), t.path.clone()))
            .collect();
        journal.keep_snapshots(Snapshots::new(&self.codings_dir(), sources));
        Ok(journal)
    }

    /// Whether a coding lies wholly in interviewer turns (a question, not an answer): such
    /// passages are not counted as what the respondent said unless asked for.
    pub fn in_interviewer_turn(&self, c: &Coding) -> bool {
        self.transcript(&c.transcript)
            .is_some_and(|t| in_interviewer_turn_of(t, c))
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    pub fn index_of(&self, transcript_id: &str) -> Option<usize> {
        self.by_id.get(transcript_id).copied()
    }

    pub fn transcript(&self, id: &str) -> Option<&Transcript> {
        self.index_of(id).map(|i| &self.transcripts[i])
    }

    pub fn respondent(&self, id: &str) -> Option<&Respondent> {
        self.index_of(id).map(|i| &self.respondents[i])
    }

    /// Respondent groups in report order: as declared in project.json, then any others as met.
    pub fn groups(&self) -> Vec<String> {
        ordered(
            self.settings.groups.iter().map(|g| g.id.clone()),
            self.respondents.iter().map(|r| r.group.clone()),
        )
    }

    /// School types in report order, like `groups`.
    pub fn school_types(&self) -> Vec<String> {
        ordered(
            self.settings.school_types.iter().cloned(),
            self.respondents
                .iter()
                .map(|r| r.school_type.clone())
                .filter(|s| !s.is_empty()),
        )
    }

    /// Plural of a group for counts ("docenten"), from project.json, else the group id.
    pub fn group_plural<'a>(&'a self, group: &'a str) -> &'a str {
        self.settings.group(group).map_or(group, |g| g.plural())
    }

    /// Whether a speaker label is the interviewer's, by the labels in project.json.
    pub fn is_interviewer(&self, label: Option<&str>) -> bool {
        self.settings.is_interviewer(label)
    }

    pub fn group_size(&self, group: &str) -> usize {
        self.respondents.iter().filter(|r| r.group == group).count()
    }
}

/// The journals in `dir`, in file order, each a coder's (path and name) or why it is not read.
fn journals(dir: &Path) -> Vec<Result<(PathBuf, String), Problem>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    // What each file is, in file order: problems are reported in that order.
    let mut found: Vec<Result<(PathBuf, String), Problem>> = Vec::new();
    for path in paths {
        let coder = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if coder.starts_with('.') {
            continue; // a temporary file of an editor or a sync tool
        }
        if let Some(of) = conflict_copy_of(&coder) {
            found.push(Err(Problem::error(
                &path,
                format!(
                    "a sync conflict copy of {of}'s journal: its codings are not counted. \
                     Merge it into {of}.jsonl (e.g. `cat` it onto the end: lines that are in \
                     both are read once), then delete it"
                ),
            )));
            continue;
        }
        if !valid_coder(&coder) {
            found.push(Err(Problem::warning(
                &path,
                format!(
                    "not read: \"{coder}\" is not a coder name (letters, digits, '-', '_' \
                     or '.'); rename the file if it is a coder's journal"
                ),
            )));
            continue;
        }
        found.push(Ok((path, coder)));
    }
    found
}

/// Whether coding `c` of `state` is on its words in `t` without reading `t`'s text (see
/// [`vouched_by`]).
fn vouched(t: &Transcript, c: &Coding, state: &CoderState) -> bool {
    vouched_by(t, c, &state.unsealed)
}

/// Whether coding `c` is on its words in `t` without reading `t`'s text: every journal line
/// that placed it vouches for itself by its checksum (`unsealed` holds the codings of lines
/// that do not: edited by hand, or without a sum), it was made on the version `t` has (a
/// journal line's version is that of the text its offsets and quote were taken from), and its
/// offsets fit its quote and the text.
fn vouched_by(
    t: &Transcript,
    c: &Coding,
    unsealed: &rustc_hash::FxHashMap<super::coding::CodingId, Option<usize>>,
) -> bool {
    !unsealed.contains_key(&c.id)
        && c.version.as_deref() == Some(t.version())
        && c.start < c.end
        && c.end <= t.len_chars()
        && c.text.chars().count() == c.end - c.start
}

/// [`Project::in_interviewer_turn`] with the coding's transcript at hand.
pub fn in_interviewer_turn_of(t: &Transcript, c: &Coding) -> bool {
    if c.end <= c.start {
        return false;
    }
    // One turn holds both ends, and it is the interviewer's. By the turns without the text
    // (`Transcript::turn_spans`): counting by speaker reads no text.
    let Some((first, turn)) = t.turn_span_at(c.start) else {
        return false;
    };
    t.turn_span_at(c.end - 1)
        .is_some_and(|(last, _)| last == first)
        && transcript::is_interviewer(turn.speaker.as_deref())
}

/// Whether `transcript::normalise` may give other text than `s`: nearly every quote is NFC
/// already, and telling so is a scan, where normalising copies every quote of every journal.
fn may_change_by_normalising(s: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if s.is_ascii() {
        return s.contains('\r');
    }
    s.starts_with('\u{feff}') || s.contains('\r') || is_nfc_quick(s.chars()) != IsNormalized::Yes
}

fn preview(s: &str) -> String {
    super::text::fit(s, 41)
}

pub(crate) fn ordered(
    declared: impl Iterator<Item = String>,
    seen: impl Iterator<Item = String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in declared.chain(seen) {
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

fn load_transcripts(
    root: &Path,
    settings: &Settings,
    rows: Vec<Respondent>,
    rejected: &[respondents::Rejected],
    problems: &mut Vec<Problem>,
    lazy: bool,
) -> (Vec<Respondent>, Vec<Transcript>, HashMap<String, usize>) {
    use super::transcript_cache::{Cache, FileStamp, Folder};
    let dir = root.join("transcripts");
    let csv_path = Project::respondents_path(root);
    let listed: HashSet<PathBuf> = rows.iter().map(|r| dir.join(&r.file)).collect();
    // What the rows left out name: any word of the row may be its id or its file. Ids that did
    // load are dropped by the caller.
    let mut left_out: HashMap<String, usize> = HashMap::new();
    let mut named_by_rejected: HashMap<PathBuf, usize> = HashMap::new();
    for r in rejected {
        for w in &r.words {
            left_out.entry(w.clone()).or_insert(r.line);
            named_by_rejected.entry(dir.join(w)).or_insert(r.line);
        }
    }
    // Rows that must not be read at all, before anything is read.
    let mut files: HashMap<String, (String, usize)> = HashMap::new();
    let rows: Vec<Respondent> = rows
        .into_iter()
        .filter(|r| {
            let refuse = |msg: String| {
                Problem::error(&csv_path, format!("row {} {msg}", r.id)).at(r.line, None)
            };
            if let Some(why) = unsafe_transcript_path(&dir, &r.file) {
                problems.push(refuse(why));
                left_out.insert(r.id.clone(), r.line);
                return false;
            }
            // Case-insensitive: on Windows and macOS `T1.txt` and `t1.TXT` are one file.
            let key = Path::new(&r.file)
                .components()
                .filter(|c| *c != std::path::Component::CurDir)
                .map(|c| c.as_os_str().to_string_lossy().to_lowercase())
                .collect::<Vec<_>>()
                .join("/");
            if let Some((id, line)) = files.get(&key) {
                problems.push(refuse(format!(
                    "names file \"{}\", as row {id} on line {line} does: one interview would \
                     count as two respondents",
                    r.file
                )));
                left_out.insert(r.id.clone(), r.line);
                return false;
            }
            files.insert(key, (r.id.clone(), r.line));
            true
        })
        .collect();
    // Read files on all cores: at 10,000 transcripts start-up time is mostly this.
    // Err: the file cannot be read (reported against the CSV row, with why) or has bad content.
    // Lazily, a file the cache knows by its stamp is not read at all; one that is read gets
    // the stamp it had before it was read, for the cache.
    let cache_dir = root.join(".codewerk");
    let started = std::time::SystemTime::now();
    let (cache, folder) = if lazy {
        (Cache::read(&cache_dir), Folder::open(&dir).ok())
    } else {
        (Cache::default(), None)
    };
    type Loaded = Result<(Transcript, Option<FileStamp>, bool), Problem>;
    let loaded: Vec<Loaded> = rows
        .par_iter()
        .map(|r| {
            let path = dir.join(&r.file);
            let stamp = folder.as_ref().and_then(|f| f.stamp(&r.file));
            if let Some(meta) = stamp.as_ref().and_then(|s| cache.get(&r.file, s)) {
                return Ok((Transcript::unread(&r.id, &path, meta), stamp, true));
            }
            let unreadable = |e: std::io::Error| {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => "there is no such file".to_string(),
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                    _ => e.to_string(),
                };
                Problem::error(
                    &csv_path,
                    format!(
                        "row {} names file \"{}\", which cannot be read: {why}",
                        r.id, r.file
                    ),
                )
                .at(r.line, None)
            };
            // Offsets are kept in 32 bits: refuse before reading gigabytes.
            let len = std::fs::metadata(&path).map_err(unreadable)?.len();
            if len > MAX_TRANSCRIPT_BYTES {
                return Err(Problem::error(
                    &path,
                    format!("{len} bytes: a transcript may be at most 4 GiB; split it"),
                ));
            }
            let bytes = std::fs::read(&path).map_err(unreadable)?;
            if let Some(why) = not_text(&bytes) {
                return Err(Problem::error(&path, why));
            }
            let t = Transcript::from_bytes(&r.id, &path, &bytes)?;
            if stamp.is_some_and(|s| s.trusted(started)) {
                // Hashed here, on all cores, rather than one by one when first asked.
                let _ = t.meta();
            }
            Ok((t, stamp, false))
        })
        .collect();
    if lazy {
        let mut fresh = Cache::default();
        let mut changed = false;
        for (r, result) in rows.iter().zip(&loaded) {
            let Ok((t, Some(stamp), cached)) = result else {
                continue;
            };
            if *cached || stamp.trusted(started) {
                fresh.insert(&r.file, *stamp, t.meta());
                changed |= !cached;
            }
        }
        // Only a shortcut: a cache that cannot be written means reading again next time.
        if changed || fresh.len() != cache.len() {
            let _ = fresh.write(&cache_dir);
        }
    }
    let loaded = loaded.into_iter().map(|r| r.map(|(t, _, _)| t));

    let mut respondents = Vec::new();
    let mut transcripts = Vec::new();
    for (r, result) in rows.into_iter().zip(loaded) {
        if !settings.groups.is_empty() && settings.group(&r.group).is_none() {
            let known: Vec<&str> = settings.groups.iter().map(|g| g.id.as_str()).collect();
            problems.push(
                Problem::error(
                    &csv_path,
                    format!(
                        "unknown group \"{}\" (known: {})",
                        r.group,
                        known.join(", ")
                    ),
                )
                .at(r.line, None),
            );
        }
        if !settings.school_types.is_empty()
            && !r.school_type.is_empty()
            && !settings.school_types.contains(&r.school_type)
        {
            problems.push(
                Problem::error(
                    &csv_path,
                    format!(
                        "unknown school type \"{}\" (known: {})",
                        r.school_type,
                        settings.school_types.join(", ")
                    ),
                )
                .at(r.line, None),
            );
        }
        match result {
            Ok(t) => {
                respondents.push(r);
                transcripts.push(t);
            }
            Err(p) => {
                left_out.insert(r.id.clone(), r.line);
                problems.push(p);
            }
        }
    }

    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut unlisted: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt"))
                    && !listed.contains(p)
                    && !named_by_rejected.contains_key(p)
            })
            .collect();
        unlisted.sort();
        // A warning, not an error: `import transcripts` writes the transcript files before the
        // respondents.csv that lists them, so an import interrupted in between leaves files
        // like this, and the project must still open. Running the import again adopts them.
        for p in unlisted {
            problems.push(Problem::warning(
                &p,
                format!(
                    "transcript file is not listed in {} and is left out (an interrupted \
                     import? run it again, or add a row for the file)",
                    csv_path.display()
                ),
            ));
        }
    }
    // A file only a row with an error names: left out because of that row, which is said.
    let mut named: Vec<(&PathBuf, &usize)> = named_by_rejected
        .iter()
        .filter(|(p, _)| {
            p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt"))
                && !listed.contains(*p)
                && p.is_file()
        })
        .collect();
    named.sort();
    for (p, line) in named {
        problems.push(Problem::warning(
            p,
            format!(
                "transcript file is left out: the row that names it ({}, line {line}) has an \
                 error",
                csv_path.display()
            ),
        ));
    }
    (respondents, transcripts, left_out)
}

/// `Transcript` keeps byte offsets in `u32`.
const MAX_TRANSCRIPT_BYTES: u64 = u32::MAX as u64;

/// The coder whose journal this file name is a sync tool's conflict copy of: Dropbox writes
/// `ann (conflicted copy 2026-11-02).jsonl`, Nextcloud `ann (conflicted copy ...)`, Syncthing
/// `ann.sync-conflict-20261102-101010-ABCDEFG.jsonl`, Google Drive `ann (1).jsonl`.
fn conflict_copy_of(stem: &str) -> Option<String> {
    // ASCII lower case keeps byte offsets, so `cut` is a boundary in `stem` too.
    let lower = stem.to_ascii_lowercase();
    let cut = if let Some(i) = lower.find(".sync-conflict") {
        i
    } else if lower.contains("conflict") || lower.ends_with(')') {
        lower.find([' ', '(']).unwrap_or(lower.len())
    } else {
        return None;
    };
    if cut == lower.len() {
        return None;
    }
    let of = stem[..cut].trim_end_matches([' ', '-', '_', '.']);
    valid_coder(of).then(|| of.to_string())
}

/// Why a respondents.csv `file` may not be read: it must name a file inside `transcripts/`
/// itself, not through a symbolic link (which may point anywhere, and which `import` would
/// write through).
fn unsafe_transcript_path(dir: &Path, file: &str) -> Option<String> {
    use std::path::Component;
    let rel = Path::new(file);
    if !rel
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Some(format!(
            "names file \"{file}\", which is not inside transcripts/: give its name in \
             transcripts/ (not an absolute path, no \"..\")"
        ));
    }
    let mut at = dir.to_path_buf();
    for c in rel.components() {
        at.push(c);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(format!(
                "names file \"{file}\", but {} is a symbolic link: codewerk reads only files \
                 that are in transcripts/ themselves; copy the file there",
                at.display()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_conflict_copies_are_recognised() {
        for (stem, of) in [
            ("ann (conflicted copy 2026-11-02)", Some("ann")),
            ("ann.sync-conflict-20261102-101010-ABCDEFG", Some("ann")),
            ("ann (1)", Some("ann")),
            ("İlknur (Conflicted copy)", Some("İlknur")),
            ("ann", None),
            ("conflictonderzoeker", None),
            ("ann oud", None),
        ] {
            assert_eq!(conflict_copy_of(stem).as_deref(), of, "{stem}");
        }
    }

    #[test]
    fn text_is_text_and_the_rest_is_named() {
        assert_eq!(not_text("R: één\n".as_bytes()), None);
        assert!(not_text(&[0; 10]).unwrap().contains("all zero"));
        assert!(
            not_text(b"R\0:\0 \0j\0a\0")
                .unwrap()
                .contains("UTF-16 without")
        );
        assert!(
            not_text(b"\xFF\xFER\0")
                .unwrap()
                .contains("byte order mark")
        );
        assert!(
            not_text(b"some text with one \0 in it")
                .unwrap()
                .contains("NUL")
        );
    }
}
