//! Codings and the per-coder journal `codings/<coder>.jsonl`.
//!
//! The journal is append-only: every action a coder takes is one JSON line (or a batch of lines),
//! fsynced before the screen shows it. The current codings are what replaying the journal gives.
//! Each line carries the coder, a time stamp and the quoted text, so the file is a readable audit
//! trail. Undo and redo are journaled too, so they work across a restart.
//!
//! Crash safety: a line torn by a crash (no final newline) is skipped with a warning and, when
//! the journal is next opened for writing, moved aside to `<coder>.jsonl.torn` before appending.
//! Only one process may write a coder's journal: `Journal::open` takes an OS lock on
//! `codings/.<coder>.lock`, which also records the holder's pid for the error message.

use super::fsutil;
use super::problem::Problem;
use super::transcript::Transcript;
use super::versions::Snapshots;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub type CodingId = u64;

/// Where a coding stands relative to its transcript's current text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Anchor {
    /// The coding was made on the current text and its quoted text is at its offsets.
    #[default]
    Exact,
    /// The transcript changed and the coding was carried to its new place with certainty
    /// (through the diff from the version it was made on, or by a unique match of its text and
    /// surrounding context). `from` is its start in that version.
    Moved { from: usize },
    /// The transcript changed and the coding's text occurs at several places that fit equally
    /// well (starts in the current text): flagged for the coder, not placed on a guess.
    Ambiguous { candidates: Vec<usize> },
    /// The quoted text is no longer in the transcript: flagged for the coder to fix.
    Orphaned,
}

impl Anchor {
    /// Whether the coding needs review and is not on its text: counts, exports, search filters
    /// and agreement leave it out, and `codewerk check` lists it.
    pub fn is_flagged(&self) -> bool {
        matches!(self, Anchor::Ambiguous { .. } | Anchor::Orphaned)
    }
}

/// One coded passage: a code applied to a character range of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// Unique within the coder's journal: the sequence number of the line that added it.
    #[serde(default)]
    pub id: CodingId,
    pub transcript: String,
    pub code: String,
    /// Character offsets (Unicode scalar values), end exclusive.
    pub start: usize,
    pub end: usize,
    /// The quoted text, kept to re-anchor the coding if the transcript changes.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// The version (`Transcript::version`) of the text the offsets refer to; None on lines
    /// written before versions were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip)]
    pub anchor: Anchor,
    /// Line of the journal that added it, for messages.
    #[serde(skip)]
    pub line: usize,
}

impl Coding {
    /// A new coding of `start..end` in `t`, quoting the text there (the id is given when the
    /// journal writes it).
    pub fn quoted(t: &Transcript, code: &str, start: usize, end: usize) -> Coding {
        Coding {
            id: 0,
            transcript: t.id.clone(),
            code: code.to_string(),
            start,
            end,
            text: t.slice(start, end).to_string(),
            memo: None,
            version: Some(t.version().to_string()),
            anchor: Anchor::Exact,
            line: 0,
        }
    }

    /// Its place, as an edit or re-anchoring records it.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
            text: self.text.clone(),
            version: self.version.clone(),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The transcript version the offsets refer to (None: unchanged, or not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Span {
    /// `start..end` of `t` as it is now.
    pub fn of(t: &Transcript, start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            text: t.slice(start, end).to_string(),
            version: Some(t.version().to_string()),
        }
    }
}

/// What one journal line does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Add(Coding),
    /// Carries the whole coding so that undo can put it back.
    Remove(Coding),
    /// New boundaries for a coding.
    Edit {
        id: CodingId,
        before: Span,
        after: Span,
    },
    /// The transcript changed and the coding was found again elsewhere (not undoable).
    Reanchor {
        id: CodingId,
        before: Span,
        after: Span,
    },
    Memo {
        id: CodingId,
        before: Option<String>,
        after: Option<String>,
    },
    CodeMemo {
        code: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// The coder marks a transcript done (or not).
    Done {
        transcript: String,
        done: bool,
    },
    Undo {
        target: u64,
    },
    Redo {
        target: u64,
    },
}

impl Op {
    fn inverse(&self) -> Op {
        match self {
            Op::Add(c) => Op::Remove(c.clone()),
            Op::Remove(c) => Op::Add(c.clone()),
            Op::Edit { id, before, after } => Op::Edit {
                id: *id,
                before: after.clone(),
                after: before.clone(),
            },
            Op::Reanchor { id, before, after } => Op::Reanchor {
                id: *id,
                before: after.clone(),
                after: before.clone(),
            },
            Op::Memo { id, before, after } => Op::Memo {
                id: *id,
                before: after.clone(),
                after: before.clone(),
            },
            Op::CodeMemo {
                code,
                before,
                after,
            } => Op::CodeMemo {
                code: code.clone(),
                before: after.clone(),
                after: before.clone(),
            },
            Op::Done { transcript, done } => Op::Done {
                transcript: transcript.clone(),
                done: !done,
            },
            Op::Undo { .. } | Op::Redo { .. } => self.clone(),
        }
    }

    fn undoable(&self) -> bool {
        !matches!(
            self,
            Op::Undo { .. } | Op::Redo { .. } | Op::Reanchor { .. }
        )
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    pub at: String,
    pub coder: String,
    /// Lines written as one action share the `seq` of the first: undo takes them back together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
    /// On the first line of a batch: how many lines it has. A batch cut short by a crash is
    /// set aside whole on replay, so that an action is never half applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u64>,
    #[serde(flatten)]
    pub op: Op,
}

/// A coder's codings as the journal has them now.
#[derive(Debug, Clone, Default)]
pub struct CoderState {
    pub coder: String,
    pub codings: BTreeMap<CodingId, Coding>,
    pub code_memos: BTreeMap<String, String>,
    pub done: BTreeSet<String>,
    /// Problems met while reading the journal (skipped lines), as warnings.
    pub warnings: Vec<Problem>,
    actions: HashMap<u64, Vec<Op>>,
    undo: Vec<u64>,
    redo: Vec<u64>,
    next_seq: u64,
    /// Byte length of the journal up to its last complete line.
    valid_len: u64,
    /// The last line is a good record but has no final newline (a hand-made journal).
    needs_newline: bool,
}

impl CoderState {
    pub fn new(coder: &str) -> Self {
        CoderState {
            coder: coder.to_string(),
            next_seq: 1,
            ..Default::default()
        }
    }

    /// Read a journal file (missing file: no codings).
    pub fn load(path: &Path, coder: &str) -> Result<CoderState, Problem> {
        match fs::read(path) {
            Ok(bytes) => Ok(Self::replay(path, coder, &bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CoderState::new(coder)),
            Err(e) => Err(Problem::error(
                path,
                format!("cannot read the journal: {e}"),
            )),
        }
    }

    /// Rebuild the state from the journal's bytes. Bad lines are skipped with a warning.
    pub fn replay(path: &Path, coder: &str, bytes: &[u8]) -> CoderState {
        let mut state = CoderState::new(coder);
        // A journal edited in Notepad may start with a byte order mark.
        let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut offset = bom;
        state.valid_len = bom as u64;
        // Lines of a batch wait here until the whole batch has been read.
        let mut pending: Vec<Record> = Vec::new();
        let mut pending_from: (usize, usize) = (0, 0); // (byte offset, line) of its first line
        let mut pending_size = 0u64;
        for (i, raw) in bytes[bom..].split_inclusive(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            let complete = raw.ends_with(b"\n");
            let start = offset;
            offset += raw.len();
            let text = String::from_utf8_lossy(raw);
            let trimmed = text.trim();
            if trimmed.is_empty() {
                if complete {
                    state.valid_len = offset as u64;
                }
                continue;
            }
            let parsed = serde_json::from_str::<Record>(trimmed);
            if !complete && parsed.is_err() {
                state.warnings.push(
                    Problem::warning(
                        path,
                        "last line is incomplete (torn by a crash?); it was skipped",
                    )
                    .at(line_no, None),
                );
                break;
            }
            let mut rec = match parsed {
                Ok(rec) => rec,
                Err(e) => {
                    state.warnings.push(
                        Problem::warning(path, format!("unreadable journal line skipped: {e}"))
                            .at(line_no, Some(e.column())),
                    );
                    state.valid_len = offset as u64;
                    continue;
                }
            };
            if !complete {
                state.needs_newline = true;
            }
            if let Op::Add(c) | Op::Remove(c) = &mut rec.op {
                c.line = line_no;
                // As `Journal::record` does: an add without an id takes its line's number.
                if c.id == 0 {
                    c.id = rec.seq;
                }
            }
            if let Some(size) = rec.batch_size.filter(|&n| n > 1) {
                pending.clear();
                pending_from = (start, line_no);
                pending_size = size;
            }
            if pending_size > 0 && rec.batch == pending.first().map_or(Some(rec.seq), |r| r.batch) {
                pending.push(rec);
                if pending.len() as u64 == pending_size {
                    for r in std::mem::take(&mut pending) {
                        state.apply_logged(path, &r);
                    }
                    pending_size = 0;
                    state.valid_len = offset as u64;
                }
                continue;
            }
            state.apply_logged(path, &rec);
            state.valid_len = offset as u64;
        }
        if pending_size > 0 {
            state.warnings.push(
                Problem::warning(
                    path,
                    format!(
                        "an action of {pending_size} lines was cut short (crash while writing?); \
                         its {} line(s) were set aside",
                        pending.len()
                    ),
                )
                .at(pending_from.1, None),
            );
            state.valid_len = pending_from.0 as u64;
            state.needs_newline = false;
        }
        state
    }

    fn apply_logged(&mut self, path: &Path, rec: &Record) {
        let line = match &rec.op {
            Op::Add(c) | Op::Remove(c) => Some(c.line),
            _ => None,
        };
        if let Err(msg) = self.apply_record(rec) {
            let p = Problem::warning(path, msg);
            self.warnings.push(match line {
                Some(l) => p.at(l, None),
                None => p,
            });
        }
    }

    /// How many ops the next undo would take back (None: nothing to undo).
    pub fn next_undo_size(&self) -> Option<usize> {
        self.undo
            .last()
            .map(|a| self.actions.get(a).map_or(0, Vec::len))
    }

    fn apply_record(&mut self, rec: &Record) -> Result<(), String> {
        self.next_seq = self.next_seq.max(rec.seq + 1);
        match &rec.op {
            Op::Undo { target } => {
                let ops = self
                    .actions
                    .get(target)
                    .cloned()
                    .ok_or("undo of an unknown action")?;
                for op in ops.iter().rev() {
                    self.apply(&op.inverse());
                }
                self.undo.retain(|a| a != target);
                self.redo.push(*target);
            }
            Op::Redo { target } => {
                let ops = self
                    .actions
                    .get(target)
                    .cloned()
                    .ok_or("redo of an unknown action")?;
                for op in &ops {
                    self.apply(op);
                }
                self.redo.retain(|a| a != target);
                self.undo.push(*target);
            }
            op => {
                self.apply(op);
                if op.undoable() {
                    let action = rec.batch.unwrap_or(rec.seq);
                    let ops = self.actions.entry(action).or_default();
                    if ops.is_empty() {
                        self.undo.push(action);
                        self.redo.clear();
                    }
                    ops.push(op.clone());
                }
            }
        }
        Ok(())
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Add(c) => {
                self.codings.insert(c.id, c.clone());
            }
            Op::Remove(c) => {
                self.codings.remove(&c.id);
            }
            Op::Edit { id, after, .. } | Op::Reanchor { id, after, .. } => {
                if let Some(c) = self.codings.get_mut(id) {
                    c.start = after.start;
                    c.end = after.end;
                    c.text = after.text.clone();
                    if after.version.is_some() {
                        c.version = after.version.clone();
                    }
                }
            }
            Op::Memo { id, after, .. } => {
                if let Some(c) = self.codings.get_mut(id) {
                    c.memo = after.clone();
                }
            }
            Op::CodeMemo { code, after, .. } => match after {
                Some(m) => {
                    self.code_memos.insert(code.clone(), m.clone());
                }
                None => {
                    self.code_memos.remove(code);
                }
            },
            Op::Done { transcript, done } => {
                if *done {
                    self.done.insert(transcript.clone());
                } else {
                    self.done.remove(transcript);
                }
            }
            Op::Undo { .. } | Op::Redo { .. } => {}
        }
    }

    /// This coder's codings of one transcript, by start offset.
    pub fn of_transcript<'a>(&'a self, transcript: &'a str) -> Vec<&'a Coding> {
        let mut v: Vec<&Coding> = self
            .codings
            .values()
            .filter(|c| c.transcript == transcript)
            .collect();
        v.sort_by_key(|c| (c.start, c.end, c.id));
        v
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "coder \"{coder}\" is already open in another codewerk (pid {pid}); \
         close it first, or open as another coder"
    )]
    Locked { coder: String, pid: String },
    #[error("invalid coder name \"{0}\": use letters, digits, '-', '_' or '.'")]
    BadCoder(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The write side of a coder's journal. Holds the coder's lock while it lives.
#[derive(Debug)]
pub struct Journal {
    pub path: PathBuf,
    /// None until the first action creates the journal.
    file: Option<File>,
    _lock: File,
    pub state: CoderState,
    identity: Option<(u64, u64)>,
    /// A failed write left bytes that could not be cut off: no more writes.
    broken: bool,
    /// Where the texts of the versions that lines refer to are kept (set by
    /// `Project::open_journal`); None: not checked.
    snapshots: Option<Snapshots>,
}

pub fn journal_path(codings_dir: &Path, coder: &str) -> PathBuf {
    codings_dir.join(format!("{coder}.jsonl"))
}

pub fn valid_coder(coder: &str) -> bool {
    !coder.is_empty()
        && !coder.starts_with('.')
        && coder
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Journal {
    /// Lock the coder's journal for writing and read it.
    pub fn open(codings_dir: &Path, coder: &str) -> Result<Journal, JournalError> {
        if !valid_coder(coder) {
            return Err(JournalError::BadCoder(coder.to_string()));
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| JournalError::Io { path, source }
        };
        if !codings_dir.exists() {
            fs::create_dir_all(codings_dir).map_err(io(codings_dir))?;
            // The new folder itself must survive a power cut, not only the files in it.
            if let Some(parent) = codings_dir.parent() {
                fsutil::sync_dir(parent).map_err(io(parent))?;
            }
        }
        let lock_path = codings_dir.join(format!(".{coder}.lock"));
        let mut lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = lock.read_to_string(&mut pid);
                let pid = pid.trim().to_string();
                return Err(JournalError::Locked {
                    coder: coder.to_string(),
                    pid,
                });
            }
        }
        lock.set_len(0).map_err(io(&lock_path))?;
        write!(lock, "{}", std::process::id()).map_err(io(&lock_path))?;
        let _ = lock.sync_data();

        let path = journal_path(codings_dir, coder);
        // The journal is created by the first action, not by opening: a coder who only looked
        // does not show up as a coder with an empty journal.
        if !path.exists() {
            return Ok(Journal {
                path,
                file: None,
                _lock: lock,
                state: CoderState::new(coder),
                identity: None,
                broken: false,
                snapshots: None,
            });
        }
        let mut file = fsutil::open_append(&path).map_err(io(&path))?;
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(io(&path))?;
        file.read_to_end(&mut bytes).map_err(io(&path))?;
        let mut state = CoderState::replay(&path, coder, &bytes);
        if (state.valid_len as usize) < bytes.len() {
            // Keep the torn fragment for the audit trail, then cut it off so that new lines
            // start on a line of their own.
            let torn = path.with_extension("jsonl.torn");
            let mut f = fsutil::open_append(&torn).map_err(io(&torn))?;
            fsutil::append_durable(&mut f, &bytes[state.valid_len as usize..])
                .map_err(io(&torn))?;
            fsutil::append_durable(&mut f, b"\n").map_err(io(&torn))?;
            file.set_len(state.valid_len).map_err(io(&path))?;
            file.sync_all().map_err(io(&path))?;
        }
        if state.needs_newline {
            fsutil::append_durable(&mut file, b"\n").map_err(io(&path))?;
            state.valid_len += 1;
            state.needs_newline = false;
        }
        let identity = Some(file_identity(&file.metadata().map_err(io(&path))?));
        Ok(Journal {
            path,
            file: Some(file),
            _lock: lock,
            state,
            identity,
            broken: false,
            snapshots: None,
        })
    }

    /// Write the snapshot of every transcript version a line refers to before the line.
    pub fn keep_snapshots(&mut self, snapshots: Snapshots) {
        self.snapshots = Some(snapshots);
    }

    fn ensure_snapshots(&mut self, ops: &[Op]) -> std::io::Result<()> {
        let Some(snapshots) = self.snapshots.as_mut() else {
            return Ok(());
        };
        for op in ops {
            // (transcript, the version the op puts a coding on, the version an undo would
            // restore). Only the first must be kept: a coding whose own version is already
            // lost (a snapshot deleted by hand) must still be removable.
            let (transcript, needed, restored) = match op {
                Op::Add(c) => (Some(&c.transcript), c.version.as_ref(), None),
                Op::Remove(c) => (Some(&c.transcript), None, c.version.as_ref()),
                Op::Edit { id, before, after } | Op::Reanchor { id, before, after } => (
                    self.state.codings.get(id).map(|c| &c.transcript),
                    after.version.as_ref(),
                    before.version.as_ref(),
                ),
                _ => (None, None, None),
            };
            let Some(t) = transcript else { continue };
            if let Some(v) = needed {
                snapshots.ensure(t, v)?;
            }
            if let Some(v) = restored {
                let _ = snapshots.ensure(t, v);
            }
        }
        Ok(())
    }

    pub fn coder(&self) -> &str {
        &self.state.coder
    }

    /// Write one action (one or more ops) durably, then apply it. `Add` ops with id 0 get their
    /// line's sequence number as id. Returns the ops as written.
    pub fn record(&mut self, ops: Vec<Op>) -> std::io::Result<Vec<Op>> {
        if ops.is_empty() {
            return Ok(ops);
        }
        self.check_unchanged()?;
        self.ensure_snapshots(&ops)?;
        let first = self.state.next_seq;
        let batch = (ops.len() > 1).then_some(first);
        let count = ops.len() as u64;
        let at = now();
        let mut lines = String::new();
        let mut records = Vec::with_capacity(ops.len());
        for (i, mut op) in ops.into_iter().enumerate() {
            let seq = first + i as u64;
            if let Op::Add(c) = &mut op
                && c.id == 0
            {
                c.id = seq;
            }
            let rec = Record {
                seq,
                at: at.clone(),
                coder: self.state.coder.clone(),
                batch,
                batch_size: (batch.is_some() && i == 0).then_some(count),
                op,
            };
            lines.push_str(&serde_json::to_string(&rec).expect("records serialise"));
            lines.push('\n');
            records.push(rec);
        }
        self.write(lines.as_bytes())?;
        for rec in &records {
            // Cannot fail: only undo/redo records can, and they go through `undo`/`redo`.
            let _ = self.state.apply_record(rec);
        }
        Ok(records.into_iter().map(|r| r.op).collect())
    }

    /// Take back the last action. Returns the ops that were undone, or None if none.
    pub fn undo(&mut self) -> std::io::Result<Option<Vec<Op>>> {
        let Some(&target) = self.state.undo.last() else {
            return Ok(None);
        };
        self.write_control(Op::Undo { target })?;
        Ok(self.state.actions.get(&target).cloned())
    }

    pub fn redo(&mut self) -> std::io::Result<Option<Vec<Op>>> {
        let Some(&target) = self.state.redo.last() else {
            return Ok(None);
        };
        self.write_control(Op::Redo { target })?;
        Ok(self.state.actions.get(&target).cloned())
    }

    fn write_control(&mut self, op: Op) -> std::io::Result<()> {
        let rec = Record {
            seq: self.state.next_seq,
            at: now(),
            coder: self.state.coder.clone(),
            batch: None,
            batch_size: None,
            op,
        };
        let mut line = serde_json::to_string(&rec).expect("records serialise");
        line.push('\n');
        self.write(line.as_bytes())?;
        self.state.apply_record(&rec).map_err(std::io::Error::other)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.check_unchanged()?;
        let before = self.state.valid_len;
        if self.file.is_none() {
            let file = fsutil::open_append(&self.path)?;
            self.identity = Some(file_identity(&file.metadata()?));
            self.file = Some(file);
        }
        let file = self.file.as_mut().expect("opened above");
        if let Err(e) = fsutil::append_durable(file, bytes) {
            // A partial line (disk full) must not stay in front of the next one; if it cannot be
            // cut off, stop writing rather than append after it.
            if file.set_len(before).and_then(|()| file.sync_all()).is_err() {
                self.broken = true;
            }
            return Err(e);
        }
        self.state.valid_len = before + bytes.len() as u64;
        Ok(())
    }
}

impl Journal {
    /// Refuse to write when the journal file was replaced or changed behind our back (a `git
    /// checkout`, a sync tool): appending to our handle would then write into a file that is
    /// no longer there, and the coding would be lost at exit.
    fn check_unchanged(&self) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other(format!(
                "{} could not be repaired after a failed write; nothing was written: quit and \
                 reopen codewerk",
                self.path.display()
            )));
        }
        let changed = match (fs::metadata(&self.path), self.identity) {
            (Ok(m), Some(id)) => file_identity(&m) != id || m.len() != self.state.valid_len,
            // Not created yet by us, but there now: someone else wrote it.
            (Ok(_), None) => true,
            (Err(_), Some(_)) => true,
            (Err(_), None) => false,
        };
        if changed {
            return Err(std::io::Error::other(format!(
                "{} was changed on disk by another program since codewerk read it; nothing \
                 was written: quit and reopen codewerk to continue",
                self.path.display()
            )));
        }
        Ok(())
    }
}

/// Device and inode of a file, to notice that a path now names another file.
fn file_identity(m: &fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        (0, 0)
    }
}

/// The current time as RFC 3339 in UTC, e.g. `2026-11-28T18:40:12Z`.
pub fn now() -> String {
    let t = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coding(t: &str, code: &str, start: usize, end: usize) -> Coding {
        Coding {
            id: 0,
            transcript: t.into(),
            code: code.into(),
            start,
            end,
            text: "x".repeat(end - start),
            memo: None,
            version: None,
            anchor: Anchor::Exact,
            line: 0,
        }
    }

    #[test]
    fn record_replay_and_undo_redo_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
            j.record(vec![
                Op::Add(coding("T1", "b", 2, 9)),
                Op::Add(coding("T1", "c", 2, 9)),
            ])
            .unwrap();
            assert_eq!(j.state.codings.len(), 3);
            j.undo().unwrap();
            assert_eq!(j.state.codings.len(), 1, "the batch is undone as one");
        }
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        assert_eq!(j.state.codings.len(), 1);
        assert!(j.state.can_redo());
        j.redo().unwrap();
        assert_eq!(j.state.codings.len(), 3);
        j.undo().unwrap();
        j.undo().unwrap();
        assert!(j.state.codings.is_empty());
        assert!(j.undo().unwrap().is_none());
        j.redo().unwrap();
        let ids: Vec<u64> = j.state.codings.keys().copied().collect();
        assert_eq!(ids, vec![1]);
    }

    #[test]
    fn torn_last_line_is_skipped_and_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
        }
        let path = journal_path(dir.path(), "ann");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,\"at\":\"x\",\"coder\":\"ann\",\"op\":\"ad")
            .unwrap();
        drop(f);
        let read_only = CoderState::load(&path, "ann").unwrap();
        assert_eq!(read_only.codings.len(), 1);
        assert_eq!(read_only.warnings.len(), 1);
        assert_eq!(read_only.warnings[0].line, Some(2));
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "b", 1, 3))]).unwrap();
        drop(j);
        let again = CoderState::load(&path, "ann").unwrap();
        assert_eq!(again.codings.len(), 2);
        assert!(again.warnings.is_empty());
        assert!(path.with_extension("jsonl.torn").exists());
    }

    #[test]
    fn opening_without_an_action_creates_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "kijker").unwrap();
        assert!(j.undo().unwrap().is_none());
        drop(j);
        assert!(!journal_path(dir.path(), "kijker").exists());
        let mut j = Journal::open(dir.path(), "kijker").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 2))]).unwrap();
        assert!(journal_path(dir.path(), "kijker").exists());
    }

    #[test]
    fn second_writer_is_refused_with_pid() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Journal::open(dir.path(), "ann").unwrap();
        let err = Journal::open(dir.path(), "ann").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("already open"), "{msg}");
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        assert!(Journal::open(dir.path(), "bob").is_ok());
    }

    #[test]
    fn edits_and_memos_undo() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
        let before = Span {
            start: 0,
            end: 5,
            text: "xxxxx".into(),
            version: None,
        };
        let after = Span {
            start: 1,
            end: 4,
            text: "xxx".into(),
            version: None,
        };
        j.record(vec![Op::Edit {
            id: 1,
            before,
            after,
        }])
        .unwrap();
        j.record(vec![Op::Memo {
            id: 1,
            before: None,
            after: Some("let op".into()),
        }])
        .unwrap();
        assert_eq!(j.state.codings[&1].start, 1);
        assert_eq!(j.state.codings[&1].memo.as_deref(), Some("let op"));
        j.undo().unwrap();
        j.undo().unwrap();
        assert_eq!(
            (j.state.codings[&1].start, j.state.codings[&1].memo.clone()),
            (0, None)
        );
    }

    #[test]
    fn journal_lines_are_readable_audit_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        let mut c = coding("T1", "a", 0, 3);
        c.text = "één".into();
        j.record(vec![Op::Add(c)]).unwrap();
        let text = fs::read_to_string(&j.path).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["op"], "add");
        assert_eq!(v["coder"], "ann");
        assert_eq!(v["text"], "één");
        assert!(v["at"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn a_good_last_line_without_newline_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_path(dir.path(), "ann");
        let line = r#"{"seq":1,"at":"x","coder":"ann","op":"add","transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#;
        fs::write(&path, format!("\u{feff}{line}")).unwrap();
        let state = CoderState::load(&path, "ann").unwrap();
        assert_eq!(state.codings.len(), 1, "{:?}", state.warnings);
        assert_eq!(
            state.codings.keys().next(),
            Some(&1),
            "an add without id takes its seq"
        );
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "b", 1, 3))]).unwrap();
        drop(j);
        let again = CoderState::load(&path, "ann").unwrap();
        assert_eq!(again.codings.len(), 2);
        assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    }

    #[test]
    fn a_batch_cut_short_is_set_aside_whole() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
            let batch = (0..3)
                .map(|i| Op::Add(coding("T1", "b", i, i + 2)))
                .collect();
            j.record(batch).unwrap();
        }
        let path = journal_path(dir.path(), "ann");
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        // A crash after the first two lines of the batch reached the disk.
        fs::write(&path, format!("{}\n{}\n{}\n", lines[0], lines[1], lines[2])).unwrap();
        let state = CoderState::load(&path, "ann").unwrap();
        assert_eq!(state.codings.len(), 1, "none of the batch is applied");
        assert!(state.warnings[0].message.contains("cut short"));
        assert_eq!(state.warnings[0].line, Some(2));
        let j = Journal::open(dir.path(), "ann").unwrap();
        assert_eq!(j.state.codings.len(), 1);
        drop(j);
        assert!(path.with_extension("jsonl.torn").exists());
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1);
    }

    #[test]
    fn a_journal_replaced_on_disk_is_not_written_blindly() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
        // Another program (git checkout) replaces the file.
        let path = journal_path(dir.path(), "ann");
        let copy = fs::read(&path).unwrap();
        fs::remove_file(&path).unwrap();
        fs::write(&path, copy).unwrap();
        let err = j
            .record(vec![Op::Add(coding("T1", "b", 0, 5))])
            .unwrap_err();
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert_eq!(
            j.state.codings.len(),
            1,
            "nothing applied that was not written"
        );
        assert_eq!(CoderState::load(&path, "ann").unwrap().codings.len(), 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever a coder does (add, remove, edit, memo, batches, undo, redo, in any order),
        /// reading the journal back gives exactly what was on screen.
        #[test]
        fn replaying_the_journal_gives_the_live_state(script in proptest::collection::vec(0u8..8, 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            for (step, action) in script.into_iter().enumerate() {
                let first = j.state.codings.values().next().cloned();
                match (action, first) {
                    (0, _) => { j.record(vec![Op::Add(coding("T1", "a", step, step + 3))]).unwrap(); }
                    (1, _) => {
                        let batch = (0..3).map(|k| Op::Add(coding("T2", "b", step + k, step + k + 2))).collect();
                        j.record(batch).unwrap();
                    }
                    (2, Some(c)) => { j.record(vec![Op::Remove(c)]).unwrap(); }
                    (3, Some(c)) => {
                        let before = c.span();
                        let after = Span { start: c.start + 1, end: c.end + 1, ..c.span() };
                        j.record(vec![Op::Edit { id: c.id, before, after }]).unwrap();
                    }
                    (4, Some(c)) => {
                        j.record(vec![Op::Memo { id: c.id, before: c.memo.clone(), after: Some(format!("m{step}")) }]).unwrap();
                    }
                    // As `check --fix` writes it: a new place on a new version.
                    (7, Some(c)) => {
                        let after = Span { start: c.start + 2, end: c.end + 2, version: Some(format!("{step:064x}")), ..c.span() };
                        j.record(vec![Op::Reanchor { id: c.id, before: c.span(), after }]).unwrap();
                    }
                    (5, _) => { j.undo().unwrap(); }
                    (6, _) => { j.redo().unwrap(); }
                    _ => {}
                }
                let live = j.state.codings.clone();
                let bytes = fs::read(&j.path).unwrap_or_default();
                let replayed = CoderState::replay(&j.path, "ann", &bytes);
                proptest::prop_assert!(replayed.warnings.is_empty(), "{:?}", replayed.warnings);
                let strip = |m: &BTreeMap<CodingId, Coding>| {
                    m.values().map(|c| (c.id, c.start, c.end, c.memo.clone(), c.version.clone())).collect::<Vec<_>>()
                };
                proptest::prop_assert_eq!(strip(&replayed.codings), strip(&live));
                proptest::prop_assert_eq!(replayed.can_undo(), j.state.can_undo());
                proptest::prop_assert_eq!(replayed.can_redo(), j.state.can_redo());
            }
        }
    }
}
