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
use super::coding::{Anchor, CoderState, Journal, JournalError, valid_coder};
use super::problem::{Problem, Severity};
use super::respondents::{self, Respondent};
use super::settings::Settings;
use super::transcript::Transcript;
use super::versions::{self, Snapshots};
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
    by_id: HashMap<String, usize>,
    /// Diffs from snapshot versions to the current texts, by (old version, current version):
    /// built once, however many coders and re-checks (undo in the TUI) use them.
    carriers: Mutex<HashMap<(String, String), Arc<Carrier>>>,
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
        // Paths in messages read better as `transcripts/x.txt` than `./transcripts/x.txt`.
        let root = if root == Path::new(".") {
            PathBuf::new()
        } else {
            root.to_path_buf()
        };
        let mut problems = Vec::new();
        let settings = Settings::load(&root.join("project.json")).unwrap_or_else(|p| {
            problems.push(p);
            Settings::default()
        });
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
                let (rows, ps) = respondents::parse(&csv_path, &bytes);
                problems.extend(ps);
                Some(rows)
            }
            Err(e) => {
                problems.push(Problem::error(&csv_path, format!("cannot read: {e}")));
                None
            }
        };
        // Even with a broken codebook, read the transcripts: `check` lists every problem at once.
        let Some(rows) = rows else {
            return Err(LoadError { problems });
        };
        let (respondents, transcripts) = load_transcripts(&root, &settings, rows, &mut problems);
        let Some(codebook) = codebook else {
            return Err(LoadError { problems });
        };
        let by_id = respondents
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let mut project = Project {
            root,
            settings,
            codebook,
            respondents,
            transcripts,
            coders: BTreeMap::new(),
            problems,
            by_id,
            carriers: Mutex::default(),
        };
        project.load_coders();
        Ok(project)
    }

    fn load_coders(&mut self) {
        let dir = self.codings_dir();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        paths.sort();
        for path in paths {
            let coder = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !valid_coder(&coder) {
                continue;
            }
            match CoderState::load(&path, &coder) {
                Ok(mut state) => {
                    let ps = self.check_codings(&path, &mut state);
                    self.problems.extend(std::mem::take(&mut state.warnings));
                    self.problems.extend(ps);
                    self.coders.insert(coder, state);
                }
                Err(p) => self.problems.push(p),
            }
        }
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
        for c in state.codings.values_mut() {
            let line = c.line;
            let here = |sev: Severity, msg: String| {
                let p = Problem::error(path, msg).at(line, None);
                Problem { severity: sev, ..p }
            };
            if self.codebook.code(&c.code).is_none() {
                problems.push(here(
                    Severity::Error,
                    format!("unknown code \"{}\"", c.code),
                ));
            }
            let Some(t) = self.transcript(&c.transcript) else {
                problems.push(here(
                    Severity::Error,
                    format!("unknown transcript \"{}\"", c.transcript),
                ));
                continue;
            };
            // Quotes are compared with the NFC text (a journal written from an NFD file).
            let text = super::transcript::normalise(&c.text);
            if text != c.text {
                c.text = text;
            }
            let made_on = c.version.clone();
            match made_on.as_deref() {
                Some(v) if v != t.version() => match self.carrier(v, t) {
                    Ok(carrier) => {
                        let hits = hits
                            .entry((c.transcript.clone(), v.to_string()))
                            .or_default();
                        carrier.place(t, c, hits)
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
            match &c.anchor {
                Anchor::Exact => {}
                Anchor::Moved { .. } if made_on.is_some() => {
                    *carried.entry(c.transcript.clone()).or_default() += 1;
                }
                Anchor::Moved { from } => problems.push(here(
                    Severity::Warning,
                    format!(
                        "transcript {} changed: coding {} re-anchored by its text from {from} to {} \
                         (its only occurrence)",
                        c.transcript, c.id, c.start
                    ),
                )),
                Anchor::Ambiguous { candidates } => problems.push(here(
                    Severity::Warning,
                    format!(
                        "transcript {} changed: coding {} (code {}, \"{}\") fits {} places equally \
                         well; it is not counted until reviewed",
                        c.transcript,
                        c.id,
                        c.code,
                        preview(&c.text),
                        candidates.len()
                    ),
                )),
                Anchor::Orphaned => problems.push(here(
                    Severity::Warning,
                    format!(
                        "transcript {} changed: the text of coding {} (code {}) is no longer \
                         in it; fix or remove the coding",
                        c.transcript, c.id, c.code
                    ),
                )),
            }
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

    /// Open a coder's journal for writing (taking the coder's lock), its codings carried to the
    /// current texts. Lines it writes get the snapshots of the versions they refer to.
    pub fn open_journal(&self, coder: &str) -> Result<Journal, JournalError> {
        let mut journal = Journal::open(&self.codings_dir(), coder)?;
        let path = journal.path.clone();
        let _ = self.check_codings(&path, &mut journal.state);
        let sources = self
            .transcripts
            .iter()
            .map(|t| (t.id.clone(), t.path.clone()))
            .collect();
        journal.keep_snapshots(Snapshots::new(&self.codings_dir(), sources));
        Ok(journal)
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

    pub fn group_size(&self, group: &str) -> usize {
        self.respondents.iter().filter(|r| r.group == group).count()
    }
}

fn preview(s: &str) -> String {
    let p: String = s.chars().take(40).collect();
    if p.len() < s.len() {
        format!("{p}…")
    } else {
        p
    }
}

fn ordered(
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
    problems: &mut Vec<Problem>,
) -> (Vec<Respondent>, Vec<Transcript>) {
    let dir = root.join("transcripts");
    let csv_path = Project::respondents_path(root);
    let listed: HashSet<PathBuf> = rows.iter().map(|r| dir.join(&r.file)).collect();
    // Read files on all cores: at 10,000 transcripts start-up time is mostly this.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = rows.len().div_ceil(threads).max(1);
    // Err(None): the file cannot be read (reported against the CSV row); Err(Some): bad content.
    let loaded: Vec<Result<Transcript, Option<Problem>>> = std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                let dir = &dir;
                s.spawn(move || {
                    part.iter()
                        .map(|r| {
                            let path = dir.join(&r.file);
                            let bytes = std::fs::read(&path).map_err(|_| None)?;
                            Transcript::from_bytes(&r.id, &path, &bytes).map_err(Some)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("loader thread"))
            .collect()
    });

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
            Err(None) => problems.push(
                Problem::error(
                    &csv_path,
                    format!(
                        "row {} names file \"{}\", which cannot be read",
                        r.id, r.file
                    ),
                )
                .at(r.line, None),
            ),
            Err(Some(p)) => problems.push(p),
        }
    }

    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut unlisted: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt") && !listed.contains(p))
            .collect();
        unlisted.sort();
        for p in unlisted {
            problems.push(Problem::error(
                &p,
                format!("transcript file is not listed in {}", csv_path.display()),
            ));
        }
    }
    (respondents, transcripts)
}
