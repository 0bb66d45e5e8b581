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
//! `codings/.<coder>.lock`, which also records the holder's pid for the error message. Neither
//! the lock nor the journal may be a symbolic link: writing through one would change a file
//! elsewhere.
//!
//! Journals merge: a coder on two machines (a laptop and the secure server) brings the two
//! journals together with git's union merge or by concatenating them. New coding ids and line
//! `seq`s are random, so the machines never hand out the same one; a line read twice is applied
//! once; the lines of a batch are applied together wherever they are; an undo names its action.
//! Replaying the merged file (in file order) gives the union of both machines' work.

use super::fsutil;
use super::problem::Problem;
use super::transcript::Transcript;
use super::versions::Snapshots;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    /// Unique within the coder's journal, and across the machines it is coded on: random for
    /// new codings, the line's `seq` in journals from before that.
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
    /// The coder marks a coded passage as a key quote for the report (or unmarks it).
    KeyQuote {
        id: CodingId,
        before: bool,
        after: bool,
    },
    /// A memo on a transcript, which is also its respondent (None: removed).
    TranscriptMemo {
        transcript: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// A dated entry of the coder's project logbook; `remove` takes one out (what undo does).
    Logbook {
        id: u64,
        /// The day it is about, `YYYY-MM-DD` (by default the day it was written).
        date: String,
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        remove: bool,
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
            Op::TranscriptMemo {
                transcript,
                before,
                after,
            } => Op::TranscriptMemo {
                transcript: transcript.clone(),
                before: after.clone(),
                after: before.clone(),
            },
            Op::Logbook {
                id,
                date,
                text,
                remove,
            } => Op::Logbook {
                id: *id,
                date: date.clone(),
                text: text.clone(),
                remove: !remove,
            },
            Op::Done { transcript, done } => Op::Done {
                transcript: transcript.clone(),
                done: !done,
            },
            Op::KeyQuote { id, before, after } => Op::KeyQuote {
                id: *id,
                before: *after,
                after: *before,
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
    /// Names the line (random, unique in the journal; 1, 2, 3 in older journals). Lines are
    /// applied in file order, not by `seq`.
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

/// One entry of a coder's project logbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub date: String,
    pub text: String,
}

/// A coder's codings as the journal has them now.
#[derive(Debug, Clone, Default)]
pub struct CoderState {
    pub coder: String,
    pub codings: BTreeMap<CodingId, Coding>,
    pub code_memos: BTreeMap<String, String>,
    /// Memos on transcripts (respondents), by transcript id.
    pub transcript_memos: BTreeMap<String, String>,
    /// The coder's logbook: dated entries, by entry id.
    pub logbook: BTreeMap<u64, LogEntry>,
    pub done: BTreeSet<String>,
    /// Codings marked as key quotes (`Op::KeyQuote`): what `export report --key-quotes` shows.
    pub key_quotes: BTreeSet<CodingId>,
    /// Problems met while reading the journal (skipped lines), as warnings.
    pub warnings: Vec<Problem>,
    actions: HashMap<u64, Vec<Op>>,
    undo: Vec<u64>,
    redo: Vec<u64>,
    /// How many times each action is undone more than redone. In one journal this is 0 or 1;
    /// after a merge both machines may have undone (and redone) the same action, and counting
    /// keeps each machine's undo-then-redo a no-op whatever the other did.
    undone: HashMap<u64, u32>,
    /// Every coding id ever added: an edit or remove of an id never seen is reported, a second
    /// remove of one (both machines removed it before a merge) is not.
    ever: HashSet<CodingId>,
    /// The line of every `seq` read, to report a reused one and to keep new ones unique.
    seqs: HashMap<u64, usize>,
    /// (hash, length) of every line read: the same line twice (a union merge, two copies of a
    /// journal concatenated) counts once.
    seen: HashSet<(u64, usize)>,
    /// Lines in the journal, for the line numbers of codings added now.
    lines: usize,
    /// Byte length of the journal up to its last complete line.
    valid_len: u64,
    /// The last line is a good record but has no final newline (a hand-made journal).
    needs_newline: bool,
}

/// One journal line on its way to being applied.
struct Logged {
    rec: Record,
    line: usize,
    key: (u64, usize),
}

/// A batch whose lines are still being read.
struct Pending {
    key: u64,
    size: u64,
    /// Byte offset and line of its first line.
    from: (usize, usize),
    lines: Vec<Logged>,
}

/// Ids and seqs of new lines are drawn at random from `FRESH`, so that a coder's journals from
/// two machines never use the same one. Older journals number them 1, 2, 3 (far below it); ids
/// given to colliding lines of such journals on replay (`derived`) lie above it. All stay below
/// 2^63, and the fresh ones below 2^53 so that any JSON reader (JavaScript, jq) keeps them exact.
const FRESH: std::ops::Range<u64> = (1 << 40)..(1 << 53);
const DERIVED: std::ops::Range<u64> = (1 << 53)..(1 << 62);

fn fresh(taken: impl Fn(u64) -> bool) -> u64 {
    loop {
        let r = getrandom::u64().unwrap_or_else(|_| {
            // No OS randomness (never seen): the std hasher is seeded per process and the
            // clock moves, which is still unique enough across machines.
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            h.finish()
        });
        let id = FRESH.start + r % (FRESH.end - FRESH.start);
        if !taken(id) {
            return id;
        }
    }
}

/// Take `target` off an undo or redo stack. It is nearly always on top (one machine undoes its
/// last action): checking that first keeps replaying a long journal linear.
fn remove_from(stack: &mut Vec<u64>, target: u64) {
    if stack.last() == Some(&target) {
        stack.pop();
    } else {
        stack.retain(|a| *a != target);
    }
}

/// A stable id from a line's hash: the same on every replay, on every machine.
fn derived(key: (u64, usize), taken: impl Fn(u64) -> bool) -> u64 {
    let span = DERIVED.end - DERIVED.start;
    let mut h = key.0;
    loop {
        let id = DERIVED.start + h % span;
        if !taken(id) {
            return id;
        }
        h = fnv1a(&h.to_le_bytes());
    }
}

/// FNV-1a: stable across Rust versions, which `DefaultHasher` is not promised to be.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn line_key(line: &str) -> (u64, usize) {
    (fnv1a(line.as_bytes()), line.len())
}

impl CoderState {
    pub fn new(coder: &str) -> Self {
        CoderState {
            coder: coder.to_string(),
            ..Default::default()
        }
    }

    /// Read a journal file (missing file: no codings). A symbolic link is refused: codewerk
    /// writes journals, and must never write through a link into a file elsewhere.
    pub fn load(path: &Path, coder: &str) -> Result<CoderState, Problem> {
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Problem::error(
                path,
                "the journal is a symbolic link; codewerk refuses to read or write through it: \
                 replace it with the file itself",
            ));
        }
        match fs::read(path) {
            Ok(bytes) => Ok(Self::replay(path, coder, &bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CoderState::new(coder)),
            Err(e) => Err(Problem::error(
                path,
                format!("cannot read the journal: {e}"),
            )),
        }
    }

    /// Rebuild the state from the journal's bytes, in file order. Bad lines are skipped with a
    /// warning; a line that occurs twice is applied once.
    ///
    /// After a merge (git's union merge puts our new lines, then theirs, per hunk) or a
    /// concatenation, the lines of a batch may be apart: a batch is applied when its last line
    /// has been read, wherever that is.
    pub fn replay(path: &Path, coder: &str, bytes: &[u8]) -> CoderState {
        let mut state = CoderState::new(coder);
        // A journal edited in Notepad may start with a byte order mark.
        let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut offset = bom;
        // End of the last line read whole, and of the last one not held in an unfinished batch.
        let mut valid_end = bom;
        let mut kept_end = bom;
        let mut pending: Vec<Pending> = Vec::new();
        let mut notes = Notes::default();
        for (i, raw) in bytes[bom..].split_inclusive(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            let complete = raw.ends_with(b"\n");
            let start = offset;
            offset += raw.len();
            let text = String::from_utf8_lossy(raw);
            let trimmed = text.trim();
            // Blank lines and repeated lines are neutral: they neither keep an unfinished batch
            // before them in the file nor are worth keeping after one.
            if trimmed.is_empty() {
                if complete {
                    valid_end = offset;
                    state.lines = line_no;
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
            valid_end = offset;
            state.lines = line_no;
            let mut rec = match parsed {
                Ok(rec) => rec,
                Err(e) => {
                    state.warnings.push(
                        Problem::warning(path, format!("unreadable journal line skipped: {e}"))
                            .at(line_no, Some(e.column())),
                    );
                    kept_end = offset;
                    continue;
                }
            };
            if !complete {
                state.needs_newline = true;
            }
            let key = line_key(trimmed);
            if !state.seen.insert(key) {
                continue;
            }
            if let Op::Add(c) | Op::Remove(c) = &mut rec.op {
                c.line = line_no;
                // As older versions of `Journal::record` did: an add without an id takes its
                // line's seq.
                if c.id == 0 {
                    c.id = rec.seq;
                }
            }
            notes.note(&mut state, &rec, line_no);
            let logged = Logged {
                line: line_no,
                key,
                rec,
            };
            if let Some(size) = logged.rec.batch_size.filter(|&n| n > 1) {
                let batch = logged.rec.batch.unwrap_or(logged.rec.seq);
                if let Some(at) = pending.iter().position(|p| p.key == batch) {
                    let cut = pending.remove(at);
                    state.set_aside(path, &cut);
                }
                pending.push(Pending {
                    key: batch,
                    size,
                    from: (start, line_no),
                    lines: vec![logged],
                });
                continue;
            }
            let open = logged
                .rec
                .batch
                .and_then(|b| pending.iter().position(|p| p.key == b));
            if let Some(at) = open {
                pending[at].lines.push(logged);
                if pending[at].lines.len() as u64 == pending[at].size {
                    let done = pending.remove(at);
                    state.apply_action(path, done.lines);
                    kept_end = offset;
                }
                continue;
            }
            state.apply_action(path, vec![logged]);
            kept_end = offset;
        }
        state.valid_len = valid_end as u64;
        for cut in &pending {
            state.set_aside(path, cut);
        }
        // Unfinished batches at the very end were being written when the crash came: cut them
        // off (they are kept in `.torn`). One with complete lines after it stays in the file.
        if let Some(from) = pending.iter().map(|p| p.from).min()
            && kept_end <= from.0
        {
            state.valid_len = from.0 as u64;
            state.lines = from.1 - 1;
            state.needs_newline = false;
        }
        notes.report(&mut state, path);
        state
    }

    fn set_aside(&mut self, path: &Path, cut: &Pending) {
        self.warnings.push(
            Problem::warning(
                path,
                format!(
                    "an action of {} lines was cut short (crash while writing?); its {} line(s) \
                     were set aside",
                    cut.size,
                    cut.lines.len()
                ),
            )
            .at(cut.from.1, None),
        );
    }

    /// How many ops the next undo would take back (None: nothing to undo).
    pub fn next_undo_size(&self) -> Option<usize> {
        self.undo
            .last()
            .map(|a| self.actions.get(a).map_or(0, Vec::len))
    }

    /// Apply the lines of one action (one line, or a whole batch). What cannot be applied is
    /// reported against its line and left out; the rest of the action still applies.
    fn apply_action(&mut self, path: &Path, lines: Vec<Logged>) {
        let Some(first) = lines.first() else {
            return;
        };
        let line = first.line;
        let warn = |msg: String| Problem::warning(path, msg).at(line, None);
        match &first.rec.op {
            Op::Undo { target } => {
                if let Err(e) = self.undo_action(*target) {
                    self.warnings.push(warn(e.to_string()));
                }
                return;
            }
            Op::Redo { target } => {
                if let Err(e) = self.redo_action(*target) {
                    self.warnings.push(warn(e.to_string()));
                }
                return;
            }
            _ => {}
        }
        let mut key = first.rec.batch.unwrap_or(first.rec.seq);
        if self.actions.contains_key(&key) {
            // A seq used twice (journals of two machines from before ids were random): keep the
            // actions apart so that undo takes back only one.
            key = derived(first.key, |k| self.actions.contains_key(&k));
        }
        let mut ops = Vec::with_capacity(lines.len());
        for l in lines {
            if let Some(op) = self.admit(path, l) {
                ops.push(op);
            }
        }
        self.commit(key, ops);
    }

    /// Check one op against the state; None if it cannot be applied (reported).
    fn admit(&mut self, path: &Path, l: Logged) -> Option<Op> {
        let warn = |msg: String| Problem::warning(path, msg).at(l.line, None);
        let mut op = l.rec.op;
        match &mut op {
            Op::Add(c) => {
                if c.start >= c.end {
                    self.warnings.push(warn(format!(
                        "coding {} of \"{}\" is empty (start {}, end {}); it was skipped",
                        c.id, c.transcript, c.start, c.end
                    )));
                    return None;
                }
                if let Some(other) = self.codings.get(&c.id) {
                    let new = derived(l.key, |k| self.ever.contains(&k));
                    self.warnings.push(warn(format!(
                        "coding id {} is also the id of the coding on line {} (journals merged \
                         from two machines?); both are kept, this one as coding {new}, and later \
                         lines naming {} apply to line {}'s",
                        c.id, other.line, c.id, other.line
                    )));
                    c.id = new;
                }
                self.ever.insert(c.id);
            }
            Op::Remove(c) if !self.ever.contains(&c.id) => {
                self.warnings.push(warn(format!(
                    "remove of coding {}, which this journal never added; skipped",
                    c.id
                )));
                return None;
            }
            Op::Edit { id, .. }
            | Op::Reanchor { id, .. }
            | Op::Memo { id, .. }
            | Op::KeyQuote { id, .. }
                if !self.ever.contains(id) =>
            {
                self.warnings.push(warn(format!(
                    "change of coding {id}, which this journal never added; skipped"
                )));
                return None;
            }
            _ => {}
        }
        Some(op)
    }

    fn commit(&mut self, key: u64, ops: Vec<Op>) {
        for op in &ops {
            self.apply(op);
        }
        let undoable: Vec<Op> = ops.into_iter().filter(Op::undoable).collect();
        if !undoable.is_empty() {
            self.actions.insert(key, undoable);
            self.undo.push(key);
            self.redo.clear();
        }
    }

    fn undo_action(&mut self, target: u64) -> Result<(), UnknownAction> {
        let ops = self.actions.get(&target).cloned().ok_or(UnknownAction {
            verb: "undo",
            target,
        })?;
        let n = self.undone.entry(target).or_default();
        *n += 1;
        if *n == 1 {
            for op in ops.iter().rev() {
                self.apply(&op.inverse());
            }
            remove_from(&mut self.undo, target);
            self.redo.push(target);
        }
        Ok(())
    }

    fn redo_action(&mut self, target: u64) -> Result<(), UnknownAction> {
        let ops = self.actions.get(&target).cloned().ok_or(UnknownAction {
            verb: "redo",
            target,
        })?;
        let n = self.undone.entry(target).or_default();
        if *n == 0 {
            return Ok(());
        }
        *n -= 1;
        if *n == 0 {
            for op in &ops {
                self.apply(op);
            }
            remove_from(&mut self.redo, target);
            self.undo.push(target);
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
            Op::TranscriptMemo {
                transcript, after, ..
            } => match after {
                Some(m) => {
                    self.transcript_memos.insert(transcript.clone(), m.clone());
                }
                None => {
                    self.transcript_memos.remove(transcript);
                }
            },
            Op::Logbook {
                id,
                date,
                text,
                remove,
            } => {
                if *remove {
                    self.logbook.remove(id);
                } else {
                    self.logbook.insert(
                        *id,
                        LogEntry {
                            date: date.clone(),
                            text: text.clone(),
                        },
                    );
                }
            }
            Op::Done { transcript, done } => {
                if *done {
                    self.done.insert(transcript.clone());
                } else {
                    self.done.remove(transcript);
                }
            }
            Op::KeyQuote { id, after, .. } => {
                if *after {
                    self.key_quotes.insert(*id);
                } else {
                    self.key_quotes.remove(id);
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

/// Findings reported once per journal rather than once per line: a journal copied from another
/// coder, or merged from two machines with the old numbering, would otherwise give one per line.
#[derive(Default)]
struct Notes {
    /// (first line, the name there, how many lines).
    other_coder: Option<(usize, String, usize)>,
    /// (first line, the seq, the line that had it before, how many lines).
    reused_seq: Option<(usize, u64, usize, usize)>,
}

impl Notes {
    fn note(&mut self, state: &mut CoderState, rec: &Record, line: usize) {
        if rec.coder != state.coder {
            match &mut self.other_coder {
                Some((_, _, n)) => *n += 1,
                None => self.other_coder = Some((line, rec.coder.clone(), 1)),
            }
        }
        match state.seqs.entry(rec.seq) {
            std::collections::hash_map::Entry::Occupied(e) => match &mut self.reused_seq {
                Some((.., n)) => *n += 1,
                None => self.reused_seq = Some((line, rec.seq, *e.get(), 1)),
            },
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(line);
            }
        }
    }

    fn report(self, state: &mut CoderState, path: &Path) {
        if let Some((line, name, n)) = self.other_coder {
            let more = if n > 1 {
                format!(" ({} more line(s) like it)", n - 1)
            } else {
                String::new()
            };
            state.warnings.push(
                Problem::warning(
                    path,
                    format!(
                        "the line is by coder \"{name}\", but this is the journal of \"{}\"{more}; \
                         its codings count as {}'s",
                        state.coder, state.coder
                    ),
                )
                .at(line, None),
            );
        }
        if let Some((line, seq, before, n)) = self.reused_seq {
            let more = if n > 1 {
                format!(" ({} more line(s) reuse a seq)", n - 1)
            } else {
                String::new()
            };
            state.warnings.push(
                Problem::warning(
                    path,
                    format!(
                        "seq {seq} is also on line {before}{more}: journals from two machines \
                         merged? Each line is kept, but undo may not tell them apart"
                    ),
                )
                .at(line, None),
            );
        }
    }
}

/// An undo or redo line whose action is not in the journal (cut off by hand, or a merge that
/// kept one side only): replay warns and skips it.
#[derive(Debug, thiserror::Error)]
#[error("{verb} of an unknown action {target}; skipped")]
struct UnknownAction {
    verb: &'static str,
    target: u64,
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
    /// The OS error is part of the message and deliberately not a `source`: printed with its
    /// causes (`{:#}`), it would otherwise appear twice.
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error(
        "{0} is a symbolic link; codewerk refuses to write through it (it would change the file \
         it points to): replace it with a file of its own"
    )]
    Symlink(PathBuf),
    /// Replay would skip it with a warning, so it is refused before anything is written.
    #[error("a coding of \"{transcript}\" at {start}..{end} would be empty; nothing was recorded")]
    EmptyCoding {
        transcript: String,
        start: usize,
        end: usize,
    },
    /// Appending to our handle would write into a file that is no longer the journal (a `git
    /// checkout`, a sync tool), and the coding would be lost at exit.
    #[error(
        "{0} was changed on disk by another program since codewerk read it; nothing was \
         written: quit and reopen codewerk to continue"
    )]
    ChangedOnDisk(PathBuf),
    #[error(
        "{0} could not be repaired after a failed write; nothing was written: quit and reopen \
         codewerk"
    )]
    Broken(PathBuf),
    #[error("a journal line could not be written as JSON: {0}")]
    Serialise(#[from] serde_json::Error),
    /// The text of the transcript version a coding is made on could not be kept.
    #[error("{0}")]
    Snapshot(std::io::Error),
}

/// Callers that report journal writes as I/O (the file-format importers) keep the typed error
/// inside: `io::Error::get_ref` gives it back.
impl From<JournalError> for std::io::Error {
    fn from(e: JournalError) -> std::io::Error {
        match e {
            JournalError::Io { err, .. } => err,
            other => std::io::Error::other(other),
        }
    }
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
            move |err| JournalError::Io { path, err }
        };
        if !codings_dir.exists() {
            fs::create_dir_all(codings_dir).map_err(io(codings_dir))?;
            // The new folder itself must survive a power cut, not only the files in it.
            if let Some(parent) = codings_dir.parent() {
                fsutil::sync_dir(parent).map_err(io(parent))?;
            }
        }
        let lock_path = codings_dir.join(format!(".{coder}.lock"));
        let path = journal_path(codings_dir, coder);
        for p in [&lock_path, &path, &path.with_extension("jsonl.torn")] {
            if fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(JournalError::Symlink(p.clone()));
            }
        }
        let mut lock = fsutil::no_follow(
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true),
        )
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

    fn ensure_snapshots(&mut self, ops: &[Op]) -> Result<(), JournalError> {
        let Some(snapshots) = self.snapshots.as_mut() else {
            return Ok(());
        };
        let mut needed_all: Vec<(&str, &str)> = Vec::new();
        let mut restored_all: Vec<(&str, &str)> = Vec::new();
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
                needed_all.push((t, v));
            }
            if let Some(v) = restored {
                restored_all.push((t, v));
            }
        }
        // All at once: an autocode's batch needs a snapshot of thousands of transcripts.
        snapshots
            .ensure_all(needed_all)
            .map_err(JournalError::Snapshot)?;
        for (t, v) in restored_all {
            let _ = snapshots.ensure(t, v);
        }
        Ok(())
    }

    pub fn coder(&self) -> &str {
        &self.state.coder
    }

    /// Write one action (one or more ops) durably, then apply it. `Add` ops with id 0 get a
    /// new id, unique across machines. Returns the ops as written.
    pub fn record(&mut self, ops: Vec<Op>) -> Result<Vec<Op>, JournalError> {
        if ops.is_empty() {
            return Ok(ops);
        }
        if let Some(c) = ops.iter().find_map(|op| match op {
            Op::Add(c) if c.start >= c.end => Some(c),
            _ => None,
        }) {
            return Err(JournalError::EmptyCoding {
                transcript: c.transcript.clone(),
                start: c.start,
                end: c.end,
            });
        }
        self.check_unchanged()?;
        self.ensure_snapshots(&ops)?;
        let count = ops.len() as u64;
        let at = now();
        let mut seqs: HashSet<u64> = HashSet::with_capacity(ops.len());
        let mut ids: HashSet<CodingId> = HashSet::new();
        let mut lines = String::new();
        let mut logged = Vec::with_capacity(ops.len());
        let mut batch = None;
        for (i, mut op) in ops.into_iter().enumerate() {
            let seq = fresh(|s| self.state.seqs.contains_key(&s) || seqs.contains(&s));
            seqs.insert(seq);
            if count > 1 && i == 0 {
                batch = Some(seq);
            }
            if let Op::Add(c) = &mut op {
                if c.id == 0 {
                    c.id = fresh(|id| self.state.ever.contains(&id) || ids.contains(&id));
                }
                ids.insert(c.id);
                c.line = self.state.lines + i + 1;
            }
            let rec = Record {
                seq,
                at: at.clone(),
                coder: self.state.coder.clone(),
                batch,
                batch_size: (batch.is_some() && i == 0).then_some(count),
                op,
            };
            let line = serde_json::to_string(&rec)?;
            logged.push(Logged {
                key: line_key(&line),
                line: self.state.lines + i + 1,
                rec,
            });
            lines.push_str(&line);
            lines.push('\n');
        }
        self.write(lines.as_bytes())?;
        let written = logged.iter().map(|l| l.rec.op.clone()).collect();
        self.apply_written(logged);
        Ok(written)
    }

    /// Apply the lines of one action just written, as replay would apply them.
    fn apply_written(&mut self, lines: Vec<Logged>) {
        for l in &lines {
            self.state.seen.insert(l.key);
            self.state.seqs.insert(l.rec.seq, l.line);
        }
        self.state.lines += lines.len();
        let path = self.path.clone();
        self.state.apply_action(&path, lines);
    }

    /// Take back the last action. Returns the ops that were undone, or None if none.
    pub fn undo(&mut self) -> Result<Option<Vec<Op>>, JournalError> {
        let Some(&target) = self.state.undo.last() else {
            return Ok(None);
        };
        self.write_control(vec![Op::Undo { target }])?;
        Ok(self.state.actions.get(&target).cloned())
    }

    pub fn redo(&mut self) -> Result<Option<Vec<Op>>, JournalError> {
        let Some(&target) = self.state.redo.last() else {
            return Ok(None);
        };
        // Undone on two machines before a merge: it takes a redo for each.
        let times = self.state.undone.get(&target).copied().unwrap_or(1).max(1);
        self.write_control((0..times).map(|_| Op::Redo { target }).collect())?;
        Ok(self.state.actions.get(&target).cloned())
    }

    fn write_control(&mut self, ops: Vec<Op>) -> Result<(), JournalError> {
        let at = now();
        let mut text = String::new();
        let mut logged = Vec::with_capacity(ops.len());
        for op in ops {
            let rec = Record {
                seq: fresh(|s| {
                    self.state.seqs.contains_key(&s)
                        || logged.iter().any(|l: &Logged| l.rec.seq == s)
                }),
                at: at.clone(),
                coder: self.state.coder.clone(),
                batch: None,
                batch_size: None,
                op,
            };
            let line = serde_json::to_string(&rec)?;
            text.push_str(&line);
            text.push('\n');
            logged.push(Logged {
                key: line_key(&line),
                line: self.state.lines + logged.len() + 1,
                rec,
            });
        }
        self.write(text.as_bytes())?;
        // Each control line is an action of its own.
        for l in logged {
            self.apply_written(vec![l]);
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), JournalError> {
        self.check_unchanged()?;
        let before = self.state.valid_len;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |err| JournalError::Io { path, err }
        };
        let file = match &mut self.file {
            Some(file) => file,
            None => {
                let file = fsutil::open_append(&self.path).map_err(io(&self.path))?;
                let meta = file.metadata().map_err(io(&self.path))?;
                self.identity = Some(file_identity(&meta));
                self.file.insert(file)
            }
        };
        if let Err(e) = fsutil::append_durable(file, bytes) {
            // A partial line (disk full) must not stay in front of the next one; if it cannot be
            // cut off, stop writing rather than append after it.
            if file.set_len(before).and_then(|()| file.sync_all()).is_err() {
                self.broken = true;
            }
            return Err(JournalError::Io {
                path: self.path.clone(),
                err: e,
            });
        }
        self.state.valid_len = before + bytes.len() as u64;
        Ok(())
    }
}

impl Journal {
    /// Refuse to write when the journal file was replaced or changed behind our back (a `git
    /// checkout`, a sync tool): appending to our handle would then write into a file that is
    /// no longer there, and the coding would be lost at exit.
    fn check_unchanged(&self) -> Result<(), JournalError> {
        if self.broken {
            return Err(JournalError::Broken(self.path.clone()));
        }
        let changed = match (fs::metadata(&self.path), self.identity) {
            (Ok(m), Some(id)) => file_identity(&m) != id || m.len() != self.state.valid_len,
            // Not created yet by us, but there now: someone else wrote it.
            (Ok(_), None) => true,
            (Err(_), Some(_)) => true,
            (Err(_), None) => false,
        };
        if changed {
            return Err(JournalError::ChangedOnDisk(self.path.clone()));
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
        let first;
        {
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            j.record(vec![Op::Add(coding("T1", "a", 0, 5))]).unwrap();
            first = *j.state.codings.keys().next().unwrap();
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
        assert_eq!(ids, vec![first]);
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
        let id = *j.state.codings.keys().next().unwrap();
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
        j.record(vec![Op::Edit { id, before, after }]).unwrap();
        j.record(vec![Op::Memo {
            id,
            before: None,
            after: Some("let op".into()),
        }])
        .unwrap();
        assert_eq!(j.state.codings[&id].start, 1);
        assert_eq!(j.state.codings[&id].memo.as_deref(), Some("let op"));
        j.undo().unwrap();
        j.undo().unwrap();
        assert_eq!(
            (
                j.state.codings[&id].start,
                j.state.codings[&id].memo.clone()
            ),
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

    /// A journal copied to two folders ("machines"): (base bytes, path A, path B).
    fn two_machines(base: &[Vec<Op>]) -> (tempfile::TempDir, Vec<u8>, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("base"), "ann").unwrap();
        for ops in base {
            j.record(ops.clone()).unwrap();
        }
        let bytes = fs::read(&j.path).unwrap_or_default();
        drop(j);
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for m in [&a, &b] {
            fs::create_dir_all(m).unwrap();
            if !bytes.is_empty() {
                fs::write(journal_path(m, "ann"), &bytes).unwrap();
            }
        }
        (dir, bytes, a, b)
    }

    /// What git's union merge gives when both sides appended: the base, our lines, theirs.
    fn union(base: &[u8], a: &Path, b: &Path) -> Vec<u8> {
        let mut out = base.to_vec();
        for m in [a, b] {
            let bytes = fs::read(journal_path(m, "ann")).unwrap_or_default();
            out.extend_from_slice(bytes.get(base.len()..).unwrap_or_default());
        }
        out
    }

    fn summary(s: &CoderState) -> Vec<(u64, usize, usize, Option<String>)> {
        s.codings
            .values()
            .map(|c| (c.id, c.start, c.end, c.memo.clone()))
            .collect()
    }

    #[test]
    fn new_ids_and_seqs_are_unique_across_machines_and_json_safe() {
        let (_d, base, a, b) = two_machines(&[vec![Op::Add(coding("T1", "a", 0, 5))]]);
        let mut ids = BTreeSet::new();
        for m in [&a, &b] {
            let mut j = Journal::open(m, "ann").unwrap();
            // The same coding at the same second on both machines.
            j.record(vec![Op::Add(coding("T1", "b", 1, 4))]).unwrap();
            for c in j.state.codings.values() {
                assert!(c.id < 1 << 53);
                ids.insert(c.id);
            }
        }
        assert_eq!(ids.len(), 3);
        let merged = CoderState::replay(Path::new("m.jsonl"), "ann", &union(&base, &a, &b));
        assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
        assert_eq!(merged.codings.len(), 3);
    }

    #[test]
    fn the_same_line_twice_counts_once() {
        let (_d, base, a, _) = two_machines(&[
            vec![Op::Add(coding("T1", "a", 0, 5))],
            vec![
                Op::Add(coding("T1", "b", 0, 5)),
                Op::Add(coding("T1", "c", 0, 5)),
            ],
        ]);
        let mut j = Journal::open(&a, "ann").unwrap();
        j.undo().unwrap();
        let live = summary(&j.state);
        let text = fs::read(&j.path).unwrap();
        // Two copies concatenated (`cat a b`), and the base twice over.
        for bytes in [
            [text.clone(), text.clone()].concat(),
            [base.clone(), text].concat(),
        ] {
            let s = CoderState::replay(&j.path, "ann", &bytes);
            assert!(s.warnings.is_empty(), "{:?}", s.warnings);
            assert_eq!(summary(&s), live);
            assert!(s.can_redo());
        }
    }

    #[test]
    fn old_numbering_from_two_machines_loses_no_coding() {
        let line = |seq: u64, code: &str| {
            format!(
                "{{\"seq\":{seq},\"at\":\"2026-11-01T10:00:0{seq}Z\",\"coder\":\"ann\",\"op\":\"add\",\
                 \"id\":{seq},\"transcript\":\"T1\",\"code\":\"{code}\",\"start\":0,\"end\":2,\"text\":\"ab\"}}\n"
            )
        };
        // Base line 1; the laptop and the server each added a coding numbered 2.
        let bytes = format!("{}{}{}", line(1, "a"), line(2, "laptop"), line(2, "server"));
        let s = CoderState::replay(Path::new("ann.jsonl"), "ann", bytes.as_bytes());
        let codes: BTreeSet<&str> = s.codings.values().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, BTreeSet::from(["a", "laptop", "server"]));
        let msgs: Vec<String> = s
            .warnings
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("ann.jsonl:3: warning: coding id 2 is also")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("ann.jsonl:3: warning: seq 2 is also on line 2")),
            "{msgs:?}"
        );
        // The same again: the kept id is stable, so a later line can name it.
        let again = CoderState::replay(Path::new("ann.jsonl"), "ann", bytes.as_bytes());
        assert_eq!(summary(&again), summary(&s));
        // Undo takes back only the server's coding.
        let dir = tempfile::tempdir().unwrap();
        fs::write(journal_path(dir.path(), "ann"), &bytes).unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        j.undo().unwrap();
        let codes: BTreeSet<String> = j.state.codings.values().map(|c| c.code.clone()).collect();
        assert_eq!(codes, BTreeSet::from(["a".into(), "laptop".into()]));
    }

    #[test]
    fn a_batch_whose_lines_are_apart_still_applies_whole() {
        let (_d, base, a, b) = two_machines(&[vec![Op::Add(coding("T1", "a", 0, 5))]]);
        let mut ja = Journal::open(&a, "ann").unwrap();
        ja.record(
            (0..3)
                .map(|i| Op::Add(coding("T2", "b", i, i + 2)))
                .collect(),
        )
        .unwrap();
        let mut jb = Journal::open(&b, "ann").unwrap();
        jb.record(vec![Op::Add(coding("T3", "c", 0, 2))]).unwrap();
        let la = String::from_utf8(fs::read(&ja.path).unwrap()[base.len()..].to_vec()).unwrap();
        let lb = String::from_utf8(fs::read(&jb.path).unwrap()[base.len()..].to_vec()).unwrap();
        let la: Vec<&str> = la.lines().collect();
        let mixed = format!(
            "{}{}\n{}{}\n{}\n",
            String::from_utf8_lossy(&base),
            la[0],
            lb,
            la[1],
            la[2]
        );
        let s = CoderState::replay(&ja.path, "ann", mixed.as_bytes());
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.codings.len(), 5);
        assert_eq!(s.valid_len as usize, mixed.len());
        // Undo takes the batch back as one.
        fs::write(&ja.path, &mixed).unwrap();
        drop(ja);
        let mut j = Journal::open(&a, "ann").unwrap();
        j.undo().unwrap();
        j.undo().unwrap();
        assert_eq!(j.state.codings.len(), 1);
    }

    #[test]
    fn an_unfinished_batch_before_good_lines_does_not_cut_them_off() {
        let (_d, base, a, b) = two_machines(&[vec![Op::Add(coding("T1", "a", 0, 5))]]);
        let mut ja = Journal::open(&a, "ann").unwrap();
        ja.record(
            (0..3)
                .map(|i| Op::Add(coding("T2", "b", i, i + 2)))
                .collect(),
        )
        .unwrap();
        let mut jb = Journal::open(&b, "ann").unwrap();
        jb.record(vec![Op::Add(coding("T3", "c", 0, 2))]).unwrap();
        let la = String::from_utf8(fs::read(&ja.path).unwrap()[base.len()..].to_vec()).unwrap();
        let lb = String::from_utf8(fs::read(&jb.path).unwrap()[base.len()..].to_vec()).unwrap();
        let first_two: Vec<&str> = la.lines().take(2).collect();
        let bytes = format!(
            "{}{}\n{lb}",
            String::from_utf8_lossy(&base),
            first_two.join("\n")
        );
        fs::write(&ja.path, &bytes).unwrap();
        drop(ja);
        let j = Journal::open(&a, "ann").unwrap();
        assert_eq!(j.state.codings.len(), 2, "{:?}", j.state.warnings);
        assert!(j.state.warnings[0].message.contains("cut short"));
        assert_eq!(
            fs::read_to_string(&j.path).unwrap(),
            bytes,
            "nothing cut off"
        );
    }

    #[test]
    fn both_machines_undoing_one_action_is_one_undo() {
        let base = vec![vec![Op::Add(coding("T1", "a", 0, 5))]];
        // The laptop took the coding back; the server took it back and redid it.
        let (_d, bytes, a, b) = two_machines(&base);
        Journal::open(&a, "ann").unwrap().undo().unwrap();
        let mut jb = Journal::open(&b, "ann").unwrap();
        jb.undo().unwrap();
        jb.redo().unwrap();
        let s = CoderState::replay(Path::new("m"), "ann", &union(&bytes, &a, &b));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert!(s.codings.is_empty(), "the laptop's undo stands");
        // Both took it back: gone once, and one redo brings it back.
        let (_d, bytes, a, b) = two_machines(&base);
        Journal::open(&a, "ann").unwrap().undo().unwrap();
        Journal::open(&b, "ann").unwrap().undo().unwrap();
        let merged = union(&bytes, &a, &b);
        fs::write(journal_path(&a, "ann"), &merged).unwrap();
        let mut j = Journal::open(&a, "ann").unwrap();
        assert!(j.state.codings.is_empty());
        j.redo().unwrap();
        assert_eq!(j.state.codings.len(), 1);
    }

    #[test]
    fn an_empty_coding_is_refused_with_nothing_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "ann").unwrap();
        let err = j
            .record(vec![
                Op::Add(coding("T1", "a", 0, 3)),
                Op::Add(coding("T1", "a", 4, 4)),
            ])
            .unwrap_err();
        assert!(err.to_string().contains("would be empty"), "{err}");
        assert!(j.state.codings.is_empty());
        assert!(!j.path.exists());
    }

    #[test]
    fn odd_lines_are_reported_with_their_line() {
        let head = r#"{"seq":1,"at":"x","coder":"ann","op":"add","id":1,"transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#;
        let lines = [
            head,
            r#"{"seq":2,"at":"x","coder":"ann","op":"add","id":2,"transcript":"T1","code":"a","start":4,"end":4,"text":""}"#,
            r#"{"seq":3,"at":"x","coder":"ann","op":"remove","id":9,"transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#,
            r#"{"seq":4,"at":"x","coder":"bob","op":"add","id":4,"transcript":"T1","code":"a","start":0,"end":2,"text":"ab"}"#,
            r#"{"seq":5,"at":"x","coder":"ann","op":"undo","target":77}"#,
            r#"{"seq":6,"at":"x","coder":"ann","op":"memo","id":8,"before":null,"after":"m"}"#,
        ];
        let s = CoderState::replay(Path::new("ann.jsonl"), "ann", lines.join("\n").as_bytes());
        let msgs: Vec<String> = s
            .warnings
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        for expected in [
            "ann.jsonl:2: warning: coding 2 of \"T1\" is empty",
            "ann.jsonl:3: warning: remove of coding 9, which this journal never added",
            "ann.jsonl:4: warning: the line is by coder \"bob\"",
            "ann.jsonl:5: warning: undo of an unknown action 77",
            "ann.jsonl:6: warning: change of coding 8",
        ] {
            assert!(
                msgs.iter().any(|m| m.starts_with(expected)),
                "{expected} in {msgs:?}"
            );
        }
        assert_eq!(s.codings.len(), 2);
    }

    #[test]
    fn a_symlinked_lock_or_journal_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious.txt");
        fs::write(&target, "do not touch").unwrap();
        let codings = dir.path().join("codings");
        fs::create_dir_all(&codings).unwrap();
        for name in [".ann.lock", "ann.jsonl"] {
            let link = codings.join(name);
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let err = Journal::open(&codings, "ann").unwrap_err();
            assert!(matches!(err, JournalError::Symlink(_)), "{err}");
            assert!(err.to_string().contains(name), "{err}");
            fs::remove_file(&link).unwrap();
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "do not touch");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Two machines start from one journal and each code on (add, batch, edit, memo,
        /// remove, undo and redo of their own actions). Their journals appended one after the
        /// other, as git's union merge does, give every coding of both: none lost or doubled.
        #[test]
        fn two_machines_merged_keep_every_coding(
            base in proptest::collection::vec(0u8..2, 0..6),
            sa in proptest::collection::vec(0u8..7, 0..25),
            sb in proptest::collection::vec(0u8..7, 0..25),
            mix in proptest::collection::vec(proptest::bool::ANY, 0..80),
        ) {
            let adds = |script: &[u8], t: &str| -> Vec<Vec<Op>> {
                script.iter().enumerate().map(|(i, k)| if *k == 0 {
                    vec![Op::Add(coding(t, "a", i, i + 2))]
                } else {
                    (0..2).map(|j| Op::Add(coding(t, "b", i + j, i + j + 3))).collect()
                }).collect()
            };
            let (_d, bytes, a, b) = two_machines(&adds(&base, "T0"));
            let base_state = CoderState::replay(Path::new("b"), "ann", &bytes);
            let mut finals = Vec::new();
            for (m, script) in [(&a, &sa), (&b, &sb)] {
                let mut j = Journal::open(m, "ann").unwrap();
                let mine = |j: &Journal| -> Vec<Coding> {
                    j.state.codings.values().filter(|c| !base_state.codings.contains_key(&c.id)).cloned().collect()
                };
                let (mut depth, mut redo) = (0, 0);
                for (step, k) in script.iter().enumerate() {
                    let first = mine(&j).into_iter().next();
                    match (k, first) {
                        (0, _) => { j.record(vec![Op::Add(coding("T1", "a", step, step + 3))]).unwrap(); depth += 1; redo = 0; }
                        (1, _) => {
                            j.record((0..3).map(|i| Op::Add(coding("T2", "b", step + i, step + i + 2))).collect()).unwrap();
                            depth += 1; redo = 0;
                        }
                        (2, Some(c)) => { j.record(vec![Op::Remove(c)]).unwrap(); depth += 1; redo = 0; }
                        (3, Some(c)) => {
                            let before = Span { start: c.start, end: c.end, text: c.text.clone(), version: None };
                            let after = Span { start: c.start + 1, end: c.end + 1, text: c.text.clone(), version: None };
                            j.record(vec![Op::Edit { id: c.id, before, after }]).unwrap();
                            depth += 1; redo = 0;
                        }
                        (4, Some(c)) => {
                            j.record(vec![Op::Memo { id: c.id, before: c.memo.clone(), after: Some(format!("m{step}")) }]).unwrap();
                            depth += 1; redo = 0;
                        }
                        (5, _) if depth > 0 => { j.undo().unwrap(); depth -= 1; redo += 1; }
                        (6, _) if redo > 0 => { j.redo().unwrap(); redo -= 1; depth += 1; }
                        _ => {}
                    }
                }
                finals.push(mine(&j));
            }
            let mut expected: Vec<(u64, usize, usize, Option<String>)> = summary(&base_state);
            for c in finals.iter().flatten() {
                expected.push((c.id, c.start, c.end, c.memo.clone()));
            }
            expected.sort();
            // Each machine's new lines in their order, the two interleaved as `mix` says: what
            // any merge that keeps both sides' lines gives.
            let new_lines = |m: &Path| -> Vec<String> {
                let all = fs::read(journal_path(m, "ann")).unwrap_or_default();
                String::from_utf8(all.get(bytes.len()..).unwrap_or_default().to_vec())
                    .unwrap()
                    .lines()
                    .map(|l| format!("{l}\n"))
                    .collect()
            };
            let (la, lb) = (new_lines(&a), new_lines(&b));
            let (mut ia, mut ib) = (la.iter(), lb.iter());
            let mut mixed = String::from_utf8(bytes.clone()).unwrap();
            for take_a in mix.iter().copied().chain(std::iter::repeat(true)) {
                let next = if take_a { ia.next().or_else(|| ib.next()) } else { ib.next().or_else(|| ia.next()) };
                match next {
                    Some(l) => mixed.push_str(l),
                    None => break,
                }
            }
            for merged in [union(&bytes, &a, &b), union(&bytes, &b, &a), mixed.into_bytes()] {
                let s = CoderState::replay(Path::new("m"), "ann", &merged);
                proptest::prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
                proptest::prop_assert_eq!(summary(&s), expected.clone());
            }
        }
    }

    /// What a coder sees, kept by the test itself: undo restores the whole view as it was
    /// before the action, redo as it was after. An oracle that shares nothing with the
    /// journal's op-by-op inverses.
    #[derive(Debug, Clone, Default, PartialEq)]
    struct Model {
        codings: BTreeMap<CodingId, (usize, usize, Option<String>)>,
        code_memos: BTreeMap<String, String>,
        done: BTreeSet<String>,
        key_quotes: BTreeSet<CodingId>,
    }

    impl Model {
        fn of(s: &CoderState) -> Model {
            Model {
                codings: s
                    .codings
                    .values()
                    .map(|c| (c.id, (c.start, c.end, c.memo.clone())))
                    .collect(),
                code_memos: s.code_memos.clone(),
                done: s.done.clone(),
                key_quotes: s.key_quotes.clone(),
            }
        }

        fn apply(&mut self, op: &Op) {
            match op {
                Op::Add(c) => {
                    self.codings.insert(c.id, (c.start, c.end, c.memo.clone()));
                }
                Op::Remove(c) => {
                    self.codings.remove(&c.id);
                }
                Op::Edit { id, after, .. } => {
                    if let Some(x) = self.codings.get_mut(id) {
                        (x.0, x.1) = (after.start, after.end);
                    }
                }
                Op::Memo { id, after, .. } => {
                    if let Some(x) = self.codings.get_mut(id) {
                        x.2 = after.clone();
                    }
                }
                Op::CodeMemo {
                    code,
                    after: Some(m),
                    ..
                } => {
                    self.code_memos.insert(code.clone(), m.clone());
                }
                Op::CodeMemo {
                    code, after: None, ..
                } => {
                    self.code_memos.remove(code);
                }
                // Not modelled: the properties here are about codings and code memos.
                Op::TranscriptMemo { .. } | Op::Logbook { .. } => {}
                Op::Done {
                    transcript,
                    done: true,
                } => {
                    self.done.insert(transcript.clone());
                }
                Op::Done {
                    transcript,
                    done: false,
                } => {
                    self.done.remove(transcript);
                }
                Op::KeyQuote { id, after, .. } => {
                    if *after {
                        self.key_quotes.insert(*id);
                    } else {
                        self.key_quotes.remove(id);
                    }
                }
                Op::Reanchor { .. } | Op::Undo { .. } | Op::Redo { .. } => {}
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// The journal's state, live and replayed from disk, equals the test's own model of
        /// what the coder did, for any sequence of actions on any codings, code memos and done
        /// marks with undo and redo.
        #[test]
        fn the_journal_agrees_with_an_independent_model(
            script in proptest::collection::vec((0u8..9, proptest::num::usize::ANY), 1..40),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            let mut model = Model::default();
            // (the view before, the view after) of each action that can be undone or redone.
            let mut undo: Vec<(Model, Model)> = vec![];
            let mut redo: Vec<(Model, Model)> = vec![];
            for (step, (action, pick)) in script.into_iter().enumerate() {
                let n = j.state.codings.len();
                let any = (n > 0).then(|| j.state.codings.values().nth(pick % n).cloned()).flatten();
                let code = ["a", "b", "c"][pick % 3];
                let ops = match (action, any) {
                    (0, _) => vec![Op::Add(coding("T1", "a", step, step + 3))],
                    (1, _) => (0..3).map(|k| Op::Add(coding("T2", "b", step + k, step + k + 2))).collect(),
                    (2, Some(c)) => vec![Op::Remove(c)],
                    (3, Some(c)) => vec![Op::Edit { id: c.id, before: c.span(), after: Span { start: c.start + 1, end: c.end + 1, ..c.span() } }],
                    (4, Some(c)) => vec![Op::Memo { id: c.id, before: c.memo.clone(), after: Some(format!("m{step}")) }],
                    (5, _) => {
                        if j.undo().unwrap().is_some() {
                            let (before, after) = undo.pop().unwrap();
                            model = before.clone();
                            redo.push((before, after));
                        }
                        vec![]
                    }
                    (6, _) => {
                        if j.redo().unwrap().is_some() {
                            let (before, after) = redo.pop().unwrap();
                            model = after.clone();
                            undo.push((before, after));
                        }
                        vec![]
                    }
                    (7, _) if pick % 2 == 0 => {
                        let after = (pick % 3 != 0).then(|| format!("code memo {step}"));
                        vec![Op::CodeMemo { code: code.into(), before: j.state.code_memos.get(code).cloned(), after }]
                    }
                    (7, _) => {
                        let transcript = ["T1", "T2"][pick / 2 % 2].to_string();
                        let done = !j.state.done.contains(&transcript);
                        vec![Op::Done { transcript, done }]
                    }
                    (8, Some(c)) => {
                        let before = j.state.key_quotes.contains(&c.id);
                        vec![Op::KeyQuote { id: c.id, before, after: !before }]
                    }
                    _ => vec![],
                };
                if !ops.is_empty() {
                    let before = model.clone();
                    for op in &j.record(ops).unwrap() {
                        model.apply(op);
                    }
                    undo.push((before, model.clone()));
                    redo.clear();
                }
                proptest::prop_assert_eq!(&Model::of(&j.state), &model);
                let bytes = fs::read(&j.path).unwrap_or_default();
                let replayed = CoderState::replay(&j.path, "ann", &bytes);
                proptest::prop_assert_eq!(&Model::of(&replayed), &model);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever a coder does (add, remove, edit, memo, re-anchor, code memos, done marks,
        /// batches, undo, redo, in any order, on any of the codings), reading the journal back
        /// gives exactly what was on screen.
        #[test]
        fn replaying_the_journal_gives_the_live_state(
            script in proptest::collection::vec((0u8..10, proptest::num::usize::ANY), 1..40),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut j = Journal::open(dir.path(), "ann").unwrap();
            for (step, (action, pick)) in script.into_iter().enumerate() {
                // Any coding, not always the first: acting on one in the middle of the map is
                // where an id mix-up would show.
                let n = j.state.codings.len();
                let any = (n > 0).then(|| j.state.codings.values().nth(pick % n).cloned()).flatten();
                let code = ["a", "b", "c"][pick % 3];
                match (action, any) {
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
                    // A code memo written, changed or cleared (every third one).
                    (8, _) => {
                        let before = j.state.code_memos.get(code).cloned();
                        let after = (pick % 3 != 0).then(|| format!("code memo {step}"));
                        j.record(vec![Op::CodeMemo { code: code.into(), before, after }]).unwrap();
                    }
                    (9, _) => {
                        let transcript = ["T1", "T2"][pick % 2].to_string();
                        let done = !j.state.done.contains(&transcript);
                        j.record(vec![Op::Done { transcript, done }]).unwrap();
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
                proptest::prop_assert_eq!(&replayed.code_memos, &j.state.code_memos);
                proptest::prop_assert_eq!(&replayed.done, &j.state.done);
                proptest::prop_assert_eq!(replayed.can_undo(), j.state.can_undo());
                proptest::prop_assert_eq!(replayed.can_redo(), j.state.can_redo());
            }
        }
    }
}
