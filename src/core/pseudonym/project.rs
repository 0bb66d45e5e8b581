//! Pseudonymising a whole project in one recoverable step.
//!
//! What changes: every transcript (names replaced, codings carried through the exact offset
//! map), every journal, the snapshots in `codings/versions/` and any other text file under
//! `transcripts/` and `codings/`.
//!
//! Journals are rewritten, not appended to. Every line of a journal quotes the text it codes
//! (adds, removes, edits, re-anchorings) and memos may name people, so appending re-anchoring
//! lines would leave every real name in the history. Instead each line is rewritten in place:
//! spans are carried through the offset map of the text they were made on (exact when the span
//! quotes that text, which every current coding must), quotes and memos get the pseudonyms, and
//! version hashes are renamed with their snapshots. Lines keep their order, seqs and ids, so
//! undo, redo and merges work as before; a line that does not change keeps its bytes. Before
//! anything is written, each rewritten journal is replayed and must give exactly the codings of
//! the old one carried to the new text: otherwise nothing is written.
//!
//! The key (the names file, every replacement made) and byte-identical copies of every file
//! replaced are kept in a folder outside `transcripts/` and `codings/` (by default
//! `private/pseudonymisation-<time>/`, ignored by git), so that `--reverse` restores the
//! originals byte for byte.
//!
//! Crash safety: every coder's journal lock is taken and everything is computed and checked
//! before the first write. The key folder (with the manifest, the originals and the new files)
//! is written and fsynced, then the marker `.pseudonymisation-pending` in the project names it,
//! then each file is replaced atomically. The marker goes only when every file is replaced: while
//! it is there, `codewerk check` and every command that loads the project report the project as
//! unusable, and `--resume` or `--rollback` finish or undo the step file by file (each file is
//! recognised by its hash as old or new). A project never silently mixes old offsets with new
//! text.

use super::super::coding::{Anchor, CoderState, Journal, JournalError};
use super::super::fsutil;
use super::super::problem::Problem;
use super::super::project::Project;
use super::super::respondents;
use super::super::transcript::{Transcript, normalise};
use super::{Names, OffsetMap, Replacement};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

/// The marker of an unfinished pseudonymisation (or reversal), in the project folder. It holds
/// the path of the key folder.
pub const MARKER: &str = ".pseudonymisation-pending";
const MANIFEST: &str = "manifest.json";
/// Set only by tests: stop (as a crash would) after this many files are replaced.
pub const STOP_ENV: &str = "CODEWERK_TEST_PSEUDONYMIZE_STOP_AFTER";

#[derive(Debug, thiserror::Error)]
pub enum PseudoError {
    #[error("{} problem(s)", .0.len())]
    Problems(Vec<Problem>),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error(
        "a pseudonymisation is unfinished (key folder {0}); run `codewerk pseudonymize --resume` \
         or `--rollback` first"
    )]
    Pending(PathBuf),
    #[error("nothing to resume or roll back: no {MARKER} in the project")]
    NotPending,
    #[error("{path}: {msg}")]
    Manifest { path: PathBuf, msg: String },
    #[error("internal check failed, nothing was written: {0}")]
    Verify(String),
    #[error("stopped after {0} file(s), as {STOP_ENV} asked")]
    Interrupted(usize),
}

impl PseudoError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            PseudoError::Problems(p) => p,
            _ => &[],
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PseudoError + '_ {
    move |err| PseudoError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// A file of the project that the step replaces, creates (old None) or removes (new None).
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Relative to the project folder.
    pub path: PathBuf,
    pub old: Option<Vec<u8>>,
    pub new: Option<Vec<u8>>,
}

/// Names replaced in one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    /// Real name -> times replaced.
    pub names: BTreeMap<String, usize>,
    /// Journal lines rewritten (journals only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<usize>,
}

/// Everything the step will do, computed and checked, nothing written yet.
#[derive(Debug)]
pub struct Plan {
    pub root: PathBuf,
    pub names: Names,
    names_bytes: Vec<u8>,
    pub changes: Vec<FileChange>,
    pub reports: Vec<FileReport>,
    /// Per transcript id: the replacements made in it.
    replacements: BTreeMap<String, Vec<Replacement>>,
    /// Things the user should know that do not stop the step.
    pub notes: Vec<Problem>,
    /// The journal locks, held until the step is done.
    locks: Vec<Journal>,
    /// Journals that do not change, with their hash: a reverse must find them as they were.
    kept: Vec<(PathBuf, String)>,
}

impl Plan {
    /// Total replacements per real name, over the transcripts.
    pub fn totals(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for r in self.reports.iter().filter(|r| r.lines.is_none()) {
            for (n, k) in &r.names {
                *out.entry(n.clone()).or_default() += k;
            }
        }
        out
    }
}

/// One text that codings may refer to: a current transcript or a snapshot of a version.
struct TextPlan {
    old: Transcript,
    new: Transcript,
    map: OffsetMap,
}

#[derive(Default)]
struct Texts {
    plans: Vec<TextPlan>,
    by_transcript: HashMap<String, usize>,
    by_version: HashMap<String, usize>,
    /// Old version hash -> new one.
    versions: HashMap<String, String>,
}

impl Texts {
    fn add(&mut self, plan: TextPlan) -> usize {
        let old_v = version_of(plan.old.text());
        if let Some(&i) = self.by_version.get(&old_v) {
            return i;
        }
        let new_v = version_of(plan.new.text());
        if old_v != new_v {
            self.versions.insert(old_v.clone(), new_v);
        }
        self.plans.push(plan);
        let i = self.plans.len() - 1;
        self.by_version.insert(old_v, i);
        i
    }
}

/// The SHA-256 of a text in hex: how transcript versions and their snapshots are named.
pub fn version_of(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The problem to report while a step is unfinished, if one is.
pub fn pending_problem(root: &Path) -> Option<Problem> {
    let marker = root.join(MARKER);
    let key = fs::read_to_string(&marker).ok()?;
    Some(Problem::error(
        &marker,
        format!(
            "a pseudonymisation was interrupted (key folder {}): transcripts and codings may be \
             half old, half new. Run `codewerk pseudonymize --resume` to finish it or \
             `codewerk pseudonymize --rollback` to undo it",
            key.trim()
        ),
    ))
}

/// Read and check the names file.
pub fn read_names(path: &Path) -> Result<(Names, Vec<u8>), PseudoError> {
    let bytes = fs::read(path).map_err(io(path))?;
    let names =
        Names::parse(path, &bytes).map_err(|e| PseudoError::Problems(e.problems().to_vec()))?;
    Ok((names, bytes))
}

/// Compute the whole step; with `lock`, every coder's journal lock is taken first (and held by
/// the plan), as `apply` needs. Writes nothing (with `lock`, the lock files aside).
pub fn plan(root: &Path, names_path: &Path, lock: bool) -> Result<Plan, PseudoError> {
    // As `Project::load` does, so that paths compare equal.
    let root = if root == Path::new(".") {
        Path::new("")
    } else {
        root
    };
    let (names, names_bytes) = read_names(names_path)?;
    if let Ok(key) = fs::read_to_string(root.join(MARKER)) {
        return Err(PseudoError::Pending(PathBuf::from(key.trim())));
    }
    let project = Project::load(root).map_err(|e| PseudoError::Problems(e.problems))?;
    let errors: Vec<Problem> = project
        .problems
        .iter()
        .filter(|p| p.is_error())
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(PseudoError::Problems(errors));
    }
    for dir in ["transcripts", "codings"] {
        let inside = |p: &Path| fs::canonicalize(p).ok();
        if let (Some(n), Some(d)) = (inside(names_path), inside(&root.join(dir)))
            && n.starts_with(&d)
        {
            return Err(PseudoError::Problems(vec![Problem::error(
                names_path,
                format!("the names file is the key: keep it outside {dir}/"),
            )]));
        }
    }
    // Locks first, then read the journals: nobody can append between reading and replacing.
    let mut locks = Vec::new();
    let mut coders: Vec<(String, PathBuf, CoderState)> = Vec::new();
    if lock {
        for coder in project.coders.keys() {
            let j = project.open_journal(coder)?;
            coders.push((coder.clone(), j.path.clone(), j.state.clone()));
            locks.push(j);
        }
        // A coder with the TUI open but no journal yet holds only the lock; their first coding
        // would be on the old text.
        for coder in lock_file_coders(&project.codings_dir()) {
            if !project.coders.contains_key(&coder) {
                locks.push(Journal::open(&project.codings_dir(), &coder)?);
            }
        }
    } else {
        for (coder, state) in &project.coders {
            let path = super::super::coding::journal_path(&project.codings_dir(), coder);
            coders.push((coder.clone(), path, state.clone()));
        }
    }
    let mut plan = Plan {
        root: root.to_path_buf(),
        names,
        names_bytes,
        changes: Vec::new(),
        reports: Vec::new(),
        replacements: BTreeMap::new(),
        notes: Vec::new(),
        locks: Vec::new(),
        kept: Vec::new(),
    };
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut texts = Texts::default();
    let mut listed = Vec::new();
    for t in &project.transcripts {
        let (new_text, map) = plan.names.rewrite(t.text());
        let new = Transcript::from_text(&t.id, &t.path, new_text);
        listed.push(t.path.clone());
        let raw = fs::read(&t.path).map_err(io(&t.path))?;
        if !map.is_identity() {
            let new_raw = like_raw(&raw, t.text(), new.text());
            plan.reports.push(FileReport {
                path: rel(&t.path),
                names: count(&plan.names, &map),
                lines: None,
            });
            plan.replacements.insert(t.id.clone(), map.reps.clone());
            plan.changes.push(FileChange {
                path: rel(&t.path),
                old: Some(raw),
                new: Some(new_raw),
            });
        }
        let i = texts.add(TextPlan {
            old: t.clone(),
            new,
            map,
        });
        texts.by_transcript.insert(t.id.clone(), i);
    }
    // Every current coding must quote its text at its offsets: only then is it carried exactly.
    let mut inexact = Vec::new();
    // The journals as read under the lock, checked against the text as every load does: a
    // coding found again elsewhere (re-anchored) still has its old offsets in the journal.
    for (_, path, state) in &coders {
        for c in state.codings.values() {
            if let Some(&i) = texts.by_transcript.get(&c.transcript)
                && (c.anchor != Anchor::Exact || texts.plans[i].old.slice(c.start, c.end) != c.text)
            {
                inexact.push(
                    Problem::error(
                        path,
                        format!(
                            "coding {} of {} (code {}) no longer quotes its text at {}..{}; run \
                         `codewerk check` and fix or re-anchor it first, so that it can be \
                         carried exactly",
                            c.id, c.transcript, c.code, c.start, c.end
                        ),
                    )
                    .at(c.line, None),
                );
            }
        }
    }
    if !inexact.is_empty() {
        return Err(PseudoError::Problems(inexact));
    }
    let codings_dir = project.codings_dir();
    snapshots(&mut plan, &mut texts, &codings_dir, root)?;
    for (coder, path, _) in &coders {
        journal(&mut plan, &texts, &project, coder, path)?;
    }
    let mut exports = Vec::new();
    walk_files(&project.exports_dir(), &mut exports);
    if !exports.is_empty() {
        plan.notes.push(Problem::warning(
            project.exports_dir(),
            format!(
                "{} export file(s) made before are not changed and may name people: delete them \
                 and export again",
                exports.len()
            ),
        ));
    }
    let journals: Vec<PathBuf> = coders.iter().map(|(_, p, _)| p.clone()).collect();
    other_files(&mut plan, root, &listed, &journals, &codings_dir)?;
    // Nothing may be left: a pseudonym next to a word can form another listed name.
    let mut new_by_version: HashMap<String, &Transcript> = HashMap::new();
    for p in &texts.plans {
        new_by_version.insert(version_of(p.new.text()), &p.new);
    }
    let quotes = |t: Option<&str>, v: Option<&str>, s: usize, e: usize, q: &str| {
        let text = v.and_then(|v| new_by_version.get(v).copied()).or_else(|| {
            let i = texts.by_transcript.get(t?)?;
            Some(&texts.plans[*i].new)
        });
        text.is_some_and(|t| s < e && t.slice(s, e) == q)
    };
    for ch in &plan.changes {
        let Some(new) = &ch.new else { continue };
        let text = String::from_utf8_lossy(new);
        let left = if journals.contains(&root.join(&ch.path)) {
            journal_names(&plan.names, &text, &quotes)
                .into_iter()
                .map(|(_, _, pair)| pair)
                .next()
        } else {
            plan.names.find(&text).first().map(|h| h.pair)
        };
        if let Some(pair) = left {
            return Err(PseudoError::Problems(vec![Problem::error(
                &ch.path,
                format!(
                    "after replacing, the text would still contain the listed name \"{}\" \
                     (a pseudonym next to a word forms it); choose other pseudonyms",
                    plan.names.pairs[pair].real
                ),
            )]));
        }
    }
    plan.locks = locks;
    Ok(plan)
}

/// The new text in the form of the old file: its BOM and CRLF line ends kept when the old file
/// used them throughout (offsets are counted on the normalised text either way).
fn like_raw(raw: &[u8], old_norm: &str, new_norm: &str) -> Vec<u8> {
    let Ok(raw) = std::str::from_utf8(raw) else {
        return new_norm.as_bytes().to_vec();
    };
    if raw == old_norm {
        return new_norm.as_bytes().to_vec();
    }
    let bom = raw.starts_with('\u{feff}');
    let crlf = raw.contains("\r\n");
    let shape = |s: &str| {
        let mut out = String::new();
        if bom {
            out.push('\u{feff}');
        }
        if crlf {
            out.push_str(&s.replace('\n', "\r\n"));
        } else {
            out.push_str(s);
        }
        out
    };
    if shape(old_norm) == raw {
        shape(new_norm).into_bytes()
    } else {
        new_norm.as_bytes().to_vec()
    }
}

fn count(names: &Names, map: &OffsetMap) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in &map.reps {
        *out.entry(names.pairs[r.pair].real.clone()).or_default() += 1;
    }
    out
}

/// Snapshots `codings/versions/<version>.txt`: each rewritten under the version of its new text.
fn snapshots(
    plan: &mut Plan,
    texts: &mut Texts,
    codings_dir: &Path,
    root: &Path,
) -> Result<(), PseudoError> {
    let dir = codings_dir.join("versions");
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut created: Vec<PathBuf> = Vec::new();
    for path in paths {
        let is_snapshot = path.extension().is_some_and(|x| x == "txt") && path.is_file();
        if !is_snapshot {
            continue;
        }
        let raw = fs::read(&path).map_err(io(&path))?;
        let Ok(text) = String::from_utf8(raw.clone()) else {
            plan.notes.push(Problem::warning(
                &path,
                "not UTF-8 text; not checked for names",
            ));
            continue;
        };
        let (new_text, map) = plan.names.rewrite(&text);
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = if stem == version_of(&text) {
            // Named after its text, as it should be: the new text gets its own name.
            format!("{}.txt", version_of(&new_text))
        } else {
            format!("{stem}.txt")
        };
        let old = Transcript::from_text(&stem, &path, text);
        let new = Transcript::from_text(&stem, &path, new_text);
        let identity = map.is_identity();
        let reps = count(&plan.names, &map);
        let i = texts.add(TextPlan { old, new, map });
        texts.by_version.insert(stem.clone(), i);
        if identity {
            continue;
        }
        let rel_old = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let new_path = dir.join(&name);
        let rel_new = new_path
            .strip_prefix(root)
            .unwrap_or(&new_path)
            .to_path_buf();
        plan.reports.push(FileReport {
            path: rel_old.clone(),
            names: reps,
            lines: Some(0),
        });
        let bytes = texts.plans[i].new.text().as_bytes().to_vec();
        plan.changes.push(FileChange {
            path: rel_old,
            old: Some(raw),
            new: None,
        });
        if !created.contains(&rel_new) {
            let existing = fs::read(&new_path).ok();
            if existing.as_deref() != Some(&bytes[..]) {
                // An unchanged file of that name is left alone; the removal above is undone.
                if let Some(ch) = plan.changes.iter_mut().find(|c| c.path == rel_new) {
                    ch.new = Some(bytes);
                } else {
                    plan.changes.push(FileChange {
                        path: rel_new.clone(),
                        old: existing,
                        new: Some(bytes),
                    });
                }
            }
            created.push(rel_new);
        }
    }
    Ok(())
}

/// Keys whose values name things (ids, codes, coders, times), never text to pseudonymise.
const IDENT_KEYS: &[&str] = &[
    "op",
    "seq",
    "at",
    "coder",
    "batch",
    "batch_size",
    "id",
    "transcript",
    "code",
    "start",
    "end",
    "target",
    "done",
];

struct Walk<'a> {
    names: &'a Names,
    texts: &'a Texts,
    /// Coding id -> transcript, from the adds read so far.
    ids: HashMap<u64, String>,
    replaced: BTreeMap<String, usize>,
}

impl Walk<'_> {
    fn text_plan(&self, transcript: Option<&str>, version: Option<&str>) -> Option<&TextPlan> {
        let by_v = version.and_then(|v| self.texts.by_version.get(v));
        let i = by_v.or_else(|| transcript.and_then(|t| self.texts.by_transcript.get(t)))?;
        self.texts.plans.get(*i)
    }

    fn value(&mut self, v: &mut Value, transcript: Option<&str>, version: Option<&str>) {
        match v {
            Value::Object(obj) => {
                let version = obj
                    .get("version")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| version.map(str::to_string));
                let mut text_done = false;
                let span = (
                    obj.get("start").and_then(Value::as_u64),
                    obj.get("end").and_then(Value::as_u64),
                    obj.get("text").and_then(Value::as_str),
                );
                if let (Some(s), Some(e), Some(text)) = span
                    && let Some(p) = self.text_plan(transcript, version.as_deref())
                {
                    let (s, e) = (s as usize, e as usize);
                    let (ns, ne) = (p.map.map_start(s), p.map.map_end(e));
                    let new_text = if s < e && p.old.slice(s, e) == text {
                        p.new.slice(ns, ne).to_string()
                    } else {
                        // Made on another text (an old line): its offsets are kept as
                        // near as the map gives, its quote gets the pseudonyms.
                        self.names.replace(text)
                    };
                    obj.insert("start".into(), Value::from(ns));
                    obj.insert("end".into(), Value::from(ne));
                    obj.insert("text".into(), Value::from(new_text));
                    text_done = true;
                }
                for (k, val) in obj.iter_mut() {
                    if IDENT_KEYS.contains(&k.as_str()) || (text_done && k == "text") {
                        continue;
                    }
                    self.value(val, transcript, version.as_deref());
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.value(item, transcript, version);
                }
            }
            Value::String(s) => {
                if let Some(new) = self.texts.versions.get(s.as_str()) {
                    *s = new.clone();
                    return;
                }
                let (new, map) = self.names.rewrite(s);
                if !map.is_identity() {
                    for r in &map.reps {
                        *self
                            .replaced
                            .entry(self.names.pairs[r.pair].real.clone())
                            .or_default() += 1;
                    }
                    *s = new;
                }
            }
            _ => {}
        }
    }

    /// One journal line; None if it does not change.
    fn line(&mut self, raw: &str) -> Option<String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        let Ok(mut v) = serde_json::from_str::<Value>(trimmed) else {
            // Not a record (replay skips it): only the names in it are replaced.
            let new = self.names.replace(raw);
            return (new != raw).then_some(new);
        };
        let id = v
            .get("id")
            .and_then(Value::as_u64)
            .filter(|&i| i != 0)
            .or_else(|| v.get("seq").and_then(Value::as_u64));
        let transcript = v
            .get("transcript")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let (Some(id), Some(t), Some("add")) =
            (id, &transcript, v.get("op").and_then(Value::as_str))
        {
            self.ids.entry(id).or_insert_with(|| t.clone());
        }
        let transcript = transcript.or_else(|| id.and_then(|i| self.ids.get(&i).cloned()));
        let before = v.clone();
        self.value(&mut v, transcript.as_deref(), None);
        if v == before {
            return None;
        }
        // Its checksum covers the offsets and quote just rewritten.
        super::super::coding::reseal(raw, &mut v);
        let mut out = serde_json::to_string(&v).ok()?;
        out.push_str(&raw[raw.trim_end().len()..]);
        Some(out)
    }
}

/// Rewrite a coder's journal and check that its replay gives the old codings carried over.
fn journal(
    plan: &mut Plan,
    texts: &Texts,
    project: &Project,
    coder: &str,
    path: &Path,
) -> Result<(), PseudoError> {
    let old = fs::read(path).map_err(io(path))?;
    let mut walk = Walk {
        names: &plan.names,
        texts,
        ids: HashMap::new(),
        replaced: BTreeMap::new(),
    };
    let mut new = Vec::with_capacity(old.len());
    let mut changed = 0;
    for raw in old.split_inclusive(|&b| b == b'\n') {
        let rewritten = std::str::from_utf8(raw).ok().and_then(|s| walk.line(s));
        match rewritten {
            Some(line) => {
                changed += 1;
                new.extend_from_slice(line.as_bytes());
            }
            None => new.extend_from_slice(raw),
        }
    }
    let replaced = walk.replaced;
    if changed == 0 {
        let rel = path.strip_prefix(&plan.root).unwrap_or(path).to_path_buf();
        plan.kept.push((rel, hash(&old)));
        return Ok(());
    }
    verify_journal(texts, &plan.names, project, coder, path, &old, &new)?;
    let rel = path.strip_prefix(&plan.root).unwrap_or(path).to_path_buf();
    plan.reports.push(FileReport {
        path: rel.clone(),
        names: replaced,
        lines: Some(changed),
    });
    plan.changes.push(FileChange {
        path: rel,
        old: Some(old),
        new: Some(new),
    });
    Ok(())
}

type Seen = (usize, String, String, usize, usize, String, Option<String>);

fn verify_journal(
    texts: &Texts,
    names: &Names,
    project: &Project,
    coder: &str,
    path: &Path,
    old: &[u8],
    new: &[u8],
) -> Result<(), PseudoError> {
    let before = CoderState::replay(path, coder, old);
    let after = CoderState::replay(path, coder, new);
    let fail = |what: &str| {
        Err(PseudoError::Verify(format!(
            "{}: the rewritten journal would give other {what} than the old one",
            path.display()
        )))
    };
    let mut expected: Vec<Seen> = before
        .codings
        .values()
        .map(|c| {
            let (s, e, text) = match texts.by_transcript.get(&c.transcript) {
                Some(&i) => {
                    let p = &texts.plans[i];
                    let (s, e) = (p.map.map_start(c.start), p.map.map_end(c.end));
                    (s, e, p.new.slice(s, e).to_string())
                }
                None => (c.start, c.end, names.replace(&c.text)),
            };
            let memo = c.memo.as_deref().map(|m| names.replace(m));
            (
                c.line,
                c.transcript.clone(),
                c.code.clone(),
                s,
                e,
                text,
                memo,
            )
        })
        .collect();
    let mut got: Vec<Seen> = after
        .codings
        .values()
        .map(|c| {
            (
                c.line,
                c.transcript.clone(),
                c.code.clone(),
                c.start,
                c.end,
                c.text.clone(),
                c.memo.clone(),
            )
        })
        .collect();
    expected.sort();
    got.sort();
    if expected != got {
        return fail("codings");
    }
    // And every coding quotes the new text exactly.
    for c in after.codings.values() {
        if let Some(t) = project.transcript(&c.transcript)
            && let Some(&i) = texts.by_transcript.get(&t.id)
            && texts.plans[i].new.slice(c.start, c.end) != c.text
        {
            return fail("quotes");
        }
    }
    let memos: BTreeMap<String, String> = before
        .code_memos
        .iter()
        .map(|(k, v)| (k.clone(), names.replace(v)))
        .collect();
    if memos != after.code_memos {
        return fail("code memos");
    }
    if before.done != after.done || before.warnings.len() != after.warnings.len() {
        return fail("state");
    }
    Ok(())
}

/// Other text files under transcripts/ and codings/ (respondents.csv, torn fragments, notes).
fn other_files(
    plan: &mut Plan,
    root: &Path,
    listed: &[PathBuf],
    journals: &[PathBuf],
    codings_dir: &Path,
) -> Result<(), PseudoError> {
    let handled: Vec<PathBuf> = plan.changes.iter().map(|c| root.join(&c.path)).collect();
    let mut files = Vec::new();
    walk_files(&root.join("transcripts"), &mut files);
    walk_files(codings_dir, &mut files);
    let versions = codings_dir.join("versions");
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Journals of coders were rewritten above; any other .jsonl (not read as a journal) is
        // text like the rest.
        let journal = journals.contains(&path);
        let lock = name.starts_with('.') && name.ends_with(".lock");
        if listed.contains(&path)
            || handled.contains(&path)
            || journal
            || lock
            || path.starts_with(&versions)
        {
            continue;
        }
        let raw = fs::read(&path).map_err(io(&path))?;
        let Ok(text) = std::str::from_utf8(&raw) else {
            plan.notes.push(Problem::warning(
                &path,
                "not UTF-8 text; not checked for names (remove or check it by hand)",
            ));
            continue;
        };
        let (new, map) = plan.names.rewrite(text);
        if map.is_identity() {
            continue;
        }
        if path == Project::respondents_path(root) {
            let (a, _) = respondents::parse(&path, &raw);
            let (b, _) = respondents::parse(&path, new.as_bytes());
            let key = |rs: &[respondents::Respondent]| {
                rs.iter()
                    .map(|r| (r.id.clone(), r.file.clone()))
                    .collect::<Vec<_>>()
            };
            if key(&a) != key(&b) {
                return Err(PseudoError::Problems(vec![Problem::error(
                    &path,
                    "a respondent id or file name contains a listed name; rename it (and the \
                     file) by hand first, as codings refer to it",
                )]));
            }
        }
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        plan.reports.push(FileReport {
            path: rel.clone(),
            names: count(&plan.names, &map),
            lines: Some(0),
        });
        plan.changes.push(FileChange {
            path: rel,
            old: Some(raw),
            new: Some(new.into_bytes()),
        });
    }
    Ok(())
}

fn walk_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => walk_files(&p, out),
            Ok(m) if m.is_file() => out.push(p),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Key folder written; the files are being replaced by the new ones.
    Applying,
    Done,
    /// The originals are being put back (`--rollback` of an unfinished step, or `--reverse`).
    Restoring,
    Restored,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManifestFile {
    path: PathBuf,
    /// SHA-256 of the old and the new content; None: the file does not exist then.
    old: Option<String>,
    new: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    state: State,
    created: String,
    project: PathBuf,
    files: Vec<ManifestFile>,
    /// Journals left as they were (old and new the same).
    #[serde(default)]
    kept: Vec<ManifestFile>,
}

/// What the key folder holds for one transcript: the replacements made.
#[derive(Serialize)]
struct KeyReplacement<'a> {
    real: &'a str,
    pseudonym: &'a str,
    old_start: usize,
    old_end: usize,
    new_start: usize,
    new_end: usize,
}

/// Where the key goes by default: `private/pseudonymisation-<time>` in the project.
pub fn default_key_dir(root: &Path) -> PathBuf {
    let stamp = super::super::coding::now().replace(':', "");
    root.join("private")
        .join(format!("pseudonymisation-{stamp}"))
}

/// Write the key folder, then replace every file. `keep` must not exist yet.
pub fn apply(plan: Plan, keep: &Path) -> Result<PathBuf, PseudoError> {
    let root = plan.root.clone();
    check_outside(&root, keep)?;
    if keep.exists() {
        return Err(PseudoError::Manifest {
            path: keep.to_path_buf(),
            msg: "the key folder exists already; give a new one".into(),
        });
    }
    if let Some(parent) = keep.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    fs::create_dir(keep).map_err(io(keep))?;
    if keep.parent().and_then(Path::file_name) == Some("private".as_ref()) {
        ignore_private(&root)?;
    }
    let put = |rel: &Path, bytes: &[u8]| -> Result<(), PseudoError> {
        let path = keep.join(rel);
        fsutil::write_new(&path, bytes).map_err(io(&path))?;
        if let Some(dir) = path.parent() {
            fsutil::sync_dir(dir).map_err(io(dir))?;
        }
        Ok(())
    };
    put(Path::new("names.csv"), &plan.names_bytes)?;
    let key: BTreeMap<&String, Vec<KeyReplacement>> = plan
        .replacements
        .iter()
        .map(|(t, reps)| {
            let list = reps
                .iter()
                .map(|r| KeyReplacement {
                    real: &plan.names.pairs[r.pair].real,
                    pseudonym: &plan.names.pairs[r.pair].pseudonym,
                    old_start: r.old_start,
                    old_end: r.old_end,
                    new_start: r.new_start,
                    new_end: r.new_end,
                })
                .collect();
            (t, list)
        })
        .collect();
    let json = serde_json::to_vec_pretty(&key).map_err(|e| PseudoError::Verify(e.to_string()))?;
    put(Path::new("replacements.json"), &json)?;
    for ch in &plan.changes {
        if let Some(old) = &ch.old {
            put(&Path::new("originals").join(&ch.path), old)?;
        }
        if let Some(new) = &ch.new {
            put(&Path::new("new").join(&ch.path), new)?;
        }
    }
    let keep_abs = fs::canonicalize(keep).map_err(io(keep))?;
    let manifest = Manifest {
        format: 1,
        state: State::Applying,
        created: super::super::coding::now(),
        project: fs::canonicalize(if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &root
        })
        .unwrap_or_else(|_| root.clone()),
        files: plan
            .changes
            .iter()
            .map(|c| ManifestFile {
                path: c.path.clone(),
                old: c.old.as_deref().map(hash),
                new: c.new.as_deref().map(hash),
            })
            .collect(),
        kept: plan
            .kept
            .iter()
            .map(|(path, h)| ManifestFile {
                path: path.clone(),
                old: Some(h.clone()),
                new: Some(h.clone()),
            })
            .collect(),
    };
    write_manifest(&keep_abs, &manifest)?;
    let marker = root.join(MARKER);
    fsutil::write_new(&marker, format!("{}\n", keep_abs.display()).as_bytes())
        .map_err(io(&marker))?;
    run(&root, &keep_abs, manifest, true)?;
    drop(plan.locks);
    Ok(keep_abs)
}

/// The key must not land in what it is kept apart from.
fn check_outside(root: &Path, keep: &Path) -> Result<(), PseudoError> {
    let abs = |p: &Path| {
        let mut p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        // The folder itself does not exist yet: resolve its nearest existing ancestor.
        let mut tail = Vec::new();
        while !p.exists() {
            match (p.file_name().map(ToOwned::to_owned), p.parent()) {
                (Some(n), Some(parent)) => {
                    tail.push(n);
                    p = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut p = fs::canonicalize(&p).unwrap_or(p);
        for n in tail.into_iter().rev() {
            p.push(n);
        }
        p
    };
    let keep = abs(keep);
    let root = abs(root);
    for dir in ["transcripts", "codings"] {
        if keep.starts_with(root.join(dir)) {
            return Err(PseudoError::Manifest {
                path: keep,
                msg: format!("the key folder must not be inside {dir}/"),
            });
        }
    }
    Ok(())
}

/// List `private/` in the project's .gitignore, so that the key is never committed.
fn ignore_private(root: &Path) -> Result<(), PseudoError> {
    let path = root.join(".gitignore");
    let old = match fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(&path)(e)),
    };
    if old
        .lines()
        .any(|l| matches!(l.trim(), "/private/" | "private/" | "/private" | "private"))
    {
        return Ok(());
    }
    let mut new = old;
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(
        "# The key of a pseudonymisation and the original transcripts: never commit.\n/private/\n",
    );
    fsutil::write_atomic(&path, new.as_bytes()).map_err(io(&path))
}

fn write_manifest(keep: &Path, m: &Manifest) -> Result<(), PseudoError> {
    let path = keep.join(MANIFEST);
    let json = serde_json::to_vec_pretty(m).map_err(|e| PseudoError::Verify(e.to_string()))?;
    fsutil::write_atomic(&path, &json).map_err(io(&path))
}

fn read_manifest(keep: &Path) -> Result<Manifest, PseudoError> {
    let path = keep.join(MANIFEST);
    let bytes = fs::read(&path).map_err(io(&path))?;
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| PseudoError::Manifest {
        path: path.clone(),
        msg: format!("unreadable manifest: {e}"),
    })?;
    // The manifest says which files to overwrite: only ever files in transcripts/ and codings/.
    for f in &m.files {
        let inside = f
            .path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
            && (f.path.starts_with("transcripts") || f.path.starts_with("codings"));
        if !inside {
            return Err(PseudoError::Manifest {
                path,
                msg: format!(
                    "names {}, which is not in transcripts/ or codings/; refused",
                    f.path.display()
                ),
            });
        }
    }
    Ok(m)
}

/// Bring every file of the manifest to its new (`forward`) or old content, then finish.
fn run(root: &Path, keep: &Path, mut m: Manifest, forward: bool) -> Result<(), PseudoError> {
    // Only debug builds (the test binary) listen: a release must never stop half-way on a
    // stray environment variable.
    let stop_after: Option<usize> = if cfg!(debug_assertions) {
        std::env::var(STOP_ENV).ok().and_then(|v| v.parse().ok())
    } else {
        None
    };
    let mut done = 0;
    let mut changed = Vec::new();
    // First look at every file: one changed by someone else stops the run before any write.
    for f in &m.files {
        let path = root.join(&f.path);
        let now = current_hash(&path)?;
        let (want, other) = if forward {
            (&f.new, &f.old)
        } else {
            (&f.old, &f.new)
        };
        if now != *want && now != *other {
            changed.push(Problem::error(
                &path,
                "changed since the pseudonymisation was prepared (by another program?); \
                 nothing was written. Compare it with the key folder's originals/ and new/",
            ));
        }
    }
    if !changed.is_empty() {
        return Err(PseudoError::Problems(changed));
    }
    for f in &m.files {
        let path = root.join(&f.path);
        let (want, from) = if forward {
            (&f.new, "new")
        } else {
            (&f.old, "originals")
        };
        if current_hash(&path)? == *want {
            continue;
        }
        if stop_after.is_some_and(|n| done >= n) {
            return Err(PseudoError::Interrupted(done));
        }
        match want {
            Some(h) => {
                let src = keep.join(from).join(&f.path);
                let bytes = fs::read(&src).map_err(io(&src))?;
                if hash(&bytes) != *h {
                    return Err(PseudoError::Manifest {
                        path: src,
                        msg: "does not match the manifest; the key folder was changed".into(),
                    });
                }
                fsutil::write_atomic(&path, &bytes).map_err(io(&path))?;
            }
            None => {
                fs::remove_file(&path).map_err(io(&path))?;
                if let Some(dir) = path.parent() {
                    fsutil::sync_dir(dir).map_err(io(dir))?;
                }
            }
        }
        done += 1;
    }
    m.state = match (forward, m.state) {
        (true, _) => State::Done,
        (false, _) => State::Restored,
    };
    write_manifest(keep, &m)?;
    let marker = root.join(MARKER);
    match fs::remove_file(&marker) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&marker)(e)),
    }
    let dir = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    fsutil::sync_dir(dir).map_err(io(dir))?;
    // The search index stores the texts it was built from; it is a cache, rebuilt on the next
    // search, so it goes rather than keep the names of the other version.
    let _ = fs::remove_dir_all(dir.join(".codewerk").join("index"));
    Ok(())
}

fn current_hash(path: &Path) -> Result<Option<String>, PseudoError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(hash(&b))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Take the lock of every coder with a journal (or named in the manifest).
fn lock_coders(root: &Path, m: &Manifest) -> Result<Vec<Journal>, PseudoError> {
    let codings = root.join("codings");
    let mut coders: Vec<String> = m
        .files
        .iter()
        .filter(|f| f.path.parent() == Some(Path::new("codings")))
        .filter_map(|f| {
            let name = f.path.file_name()?.to_str()?;
            name.strip_suffix(".jsonl").map(str::to_string)
        })
        .collect();
    if let Ok(entries) = fs::read_dir(&codings) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(c) = name.strip_suffix(".jsonl")
                && super::super::coding::valid_coder(c)
                && !coders.iter().any(|x| x == c)
            {
                coders.push(c.to_string());
            }
        }
    }
    coders
        .iter()
        .map(|c| Journal::open(&codings, c).map_err(PseudoError::from))
        .collect()
}

/// Coders named by lock files `codings/.<coder>.lock`.
fn lock_file_coders(codings: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(codings) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let coder = name.strip_prefix('.')?.strip_suffix(".lock")?.to_string();
            super::super::coding::valid_coder(&coder).then_some(coder)
        })
        .collect();
    out.sort();
    out
}

fn pending_key(root: &Path) -> Result<PathBuf, PseudoError> {
    match fs::read_to_string(root.join(MARKER)) {
        Ok(s) => Ok(PathBuf::from(s.trim())),
        Err(_) => Err(PseudoError::NotPending),
    }
}

/// Finish an interrupted step in the direction it was going.
pub fn resume(root: &Path) -> Result<PathBuf, PseudoError> {
    let keep = pending_key(root)?;
    let m = read_manifest(&keep)?;
    let _locks = lock_coders(root, &m)?;
    let forward = matches!(m.state, State::Applying | State::Done);
    run(root, &keep, m, forward)?;
    Ok(keep)
}

/// Undo an interrupted step: an unfinished pseudonymisation puts the originals back, an
/// unfinished reversal the pseudonymised files.
pub fn rollback(root: &Path) -> Result<PathBuf, PseudoError> {
    let keep = pending_key(root)?;
    let mut m = read_manifest(&keep)?;
    let _locks = lock_coders(root, &m)?;
    let forward = matches!(m.state, State::Restoring | State::Restored);
    if !forward {
        m.state = State::Restoring;
        write_manifest(&keep, &m)?;
    } else {
        m.state = State::Applying;
        write_manifest(&keep, &m)?;
    }
    run(root, &keep, m, forward)?;
    Ok(keep)
}

/// Put back the originals of a finished pseudonymisation, byte for byte. Refused when a file
/// was changed since (a coder coded on): the originals would lose that work.
pub fn reverse(root: &Path, keep: &Path) -> Result<(), PseudoError> {
    if let Ok(k) = pending_key(root) {
        return Err(PseudoError::Pending(k));
    }
    let keep = fs::canonicalize(keep).map_err(io(keep))?;
    let mut m = read_manifest(&keep)?;
    if m.state != State::Done {
        return Err(PseudoError::Manifest {
            path: keep.join(MANIFEST),
            msg: format!(
                "the pseudonymisation is {:?}, not done; nothing to reverse",
                m.state
            ),
        });
    }
    let _locks = lock_coders(root, &m)?;
    let mut changed = Vec::new();
    for f in m.files.iter().chain(&m.kept) {
        let path = root.join(&f.path);
        if current_hash(&path)? != f.new {
            changed.push(Problem::error(
                &path,
                "changed since the pseudonymisation (coded on?); --reverse restores the \
                 originals byte for byte and would lose that work, so nothing was written",
            ));
        }
    }
    // A journal begun since has its codings on the pseudonymised text.
    let known: Vec<PathBuf> = m
        .files
        .iter()
        .chain(&m.kept)
        .map(|f| root.join(&f.path))
        .collect();
    let codings = root.join("codings");
    if let Ok(entries) = fs::read_dir(&codings) {
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|x| x == "jsonl") && !known.contains(&p) {
                changed.push(Problem::error(
                    &p,
                    "a journal begun after the pseudonymisation: its codings are on the \
                     pseudonymised text and would land on other words; nothing was written",
                ));
            }
        }
    }
    if !changed.is_empty() {
        return Err(PseudoError::Problems(changed));
    }
    m.state = State::Restoring;
    write_manifest(&keep, &m)?;
    let marker = root.join(MARKER);
    fsutil::write_new(&marker, format!("{}\n", keep.display()).as_bytes()).map_err(io(&marker))?;
    run(root, &keep, m, false)
}

/// Does the text a span refers to (by transcript and version) have `quote` at `start..end`?
type Quotes<'a> = dyn Fn(Option<&str>, Option<&str>, usize, usize, &str) -> bool + 'a;

/// The strings of one journal line that could name someone. A span that quotes its text
/// exactly is left out: that text is checked itself, and a quote cut from a word ("jan" from
/// "Marjan") is no name.
fn line_strings(
    v: &Value,
    transcript: Option<&str>,
    version: Option<&str>,
    quotes: &Quotes,
    out: &mut Vec<String>,
) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => {
            for x in a {
                line_strings(x, transcript, version, quotes, out);
            }
        }
        Value::Object(o) => {
            let version = o.get("version").and_then(Value::as_str).or(version);
            let exact = match (
                o.get("start").and_then(Value::as_u64),
                o.get("end").and_then(Value::as_u64),
                o.get("text").and_then(Value::as_str),
            ) {
                (Some(s), Some(e), Some(t)) => {
                    quotes(transcript, version, s as usize, e as usize, t)
                }
                _ => false,
            };
            for (k, x) in o {
                if !(exact && k == "text") {
                    line_strings(x, transcript, version, quotes, out);
                }
            }
        }
        _ => {}
    }
}

/// Listed names in a journal: (line, what was found, which name).
fn journal_names(names: &Names, text: &str, quotes: &Quotes) -> Vec<(usize, String, usize)> {
    let mut ids: HashMap<u64, String> = HashMap::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut strings = Vec::new();
        match serde_json::from_str::<Value>(line) {
            Ok(v) => {
                let id = v
                    .get("id")
                    .and_then(Value::as_u64)
                    .filter(|&i| i != 0)
                    .or_else(|| v.get("seq").and_then(Value::as_u64));
                let mut transcript = v
                    .get("transcript")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let (Some(id), Some(t)) = (id, &transcript) {
                    ids.entry(id).or_insert_with(|| t.clone());
                }
                if transcript.is_none() {
                    transcript = id.and_then(|i| ids.get(&i).cloned());
                }
                line_strings(&v, transcript.as_deref(), None, quotes, &mut strings);
            }
            Err(_) => strings.push(line.to_string()),
        }
        for s in &strings {
            for h in names.find(s) {
                let found: String = s.chars().skip(h.start).take(h.end - h.start).collect();
                out.push((i + 1, found, h.pair));
            }
        }
    }
    out
}

/// Every place in transcripts/ and codings/ where a listed real name still appears.
pub fn scan(root: &Path, names: &Names) -> Vec<Problem> {
    let root = if root == Path::new(".") {
        Path::new("")
    } else {
        root
    };
    let project = Project::load(root).ok();
    let codings = root.join("codings");
    let snapshots: std::cell::RefCell<HashMap<String, Option<Transcript>>> = Default::default();
    let quotes = |t: Option<&str>, v: Option<&str>, s: usize, e: usize, q: &str| {
        if let Some(v) = v {
            let mut cache = snapshots.borrow_mut();
            let snap = cache.entry(v.to_string()).or_insert_with(|| {
                let ok = v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit());
                let path = codings.join("versions").join(format!("{v}.txt"));
                let text = ok.then(|| fs::read_to_string(&path).ok()).flatten()?;
                Some(Transcript::from_text(v, &path, text))
            });
            if let Some(snap) = snap {
                return s < e && snap.slice(s, e) == q;
            }
        }
        let t = t.and_then(|t| project.as_ref()?.transcript(t));
        t.is_some_and(|t| s < e && t.slice(s, e) == q)
    };
    let mut files = Vec::new();
    walk_files(&root.join("transcripts"), &mut files);
    walk_files(&codings, &mut files);
    let mut out = Vec::new();
    let found = |path: &Path, line: usize, col: Option<usize>, found: &str, pair: usize| {
        Problem::error(
            path,
            format!(
                "the real name \"{}\" appears (as \"{found}\")",
                names.pairs[pair].real
            ),
        )
        .at(line, col)
    };
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') && name.ends_with(".lock") {
            continue;
        }
        let Ok(bytes) = fs::read(&path) else {
            continue;
        };
        let text = normalise(&String::from_utf8_lossy(&bytes));
        if path.parent() == Some(&codings) && name.ends_with(".jsonl") {
            for (line, f, pair) in journal_names(names, &text, &quotes) {
                out.push(found(&path, line, None, &f, pair));
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            for h in names.find(line) {
                let f: String = line.chars().skip(h.start).take(h.end - h.start).collect();
                out.push(found(&path, i + 1, Some(h.start + 1), &f, h.pair));
            }
        }
    }
    out
}
