//! A coder's state, rebuilt by replaying the journal: codings, memos, marks and the undo and
//! redo stacks.

use super::op::{LogEntry, Op, Record};
use super::passage::{Coding, CodingId};
use crate::core::problem::Problem;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

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
    /// Codings placed (added, removed, edited, re-anchored) by a line that does not vouch for
    /// itself (`Record::sealed`): they are checked against their text, never taken as on their
    /// words unread. By id: the line of the first wrong sum (edited by hand), or None when the
    /// lines only had none (journals from before sums, other tools).
    pub unsealed: FxHashMap<CodingId, Option<usize>>,
    /// Problems met while reading the journal (skipped lines), as warnings.
    pub warnings: Vec<Problem>,
    pub(super) actions: FxHashMap<u64, Vec<Op>>,
    pub(super) undo: Vec<u64>,
    pub(super) redo: Vec<u64>,
    /// How many times each action is undone more than redone. In one journal this is 0 or 1;
    /// after a merge both machines may have undone (and redone) the same action, and counting
    /// keeps each machine's undo-then-redo a no-op whatever the other did.
    pub(super) undone: FxHashMap<u64, u32>,
    /// Every coding id ever added: an edit or remove of an id never seen is reported, a second
    /// remove of one (both machines removed it before a merge) is not.
    pub(super) ever: FxHashSet<CodingId>,
    /// The line of every `seq` read, to report a reused one and to keep new ones unique.
    pub(super) seqs: FxHashMap<u64, usize>,
    /// (hash, length) of every line read: the same line twice (a union merge, two copies of a
    /// journal concatenated) counts once.
    pub(super) seen: FxHashSet<(u64, usize)>,
    /// Lines in the journal, for the line numbers of codings added now.
    pub(super) lines: usize,
    /// Byte length of the journal up to its last complete line.
    pub(super) valid_len: u64,
    /// The last line is a good record but has no final newline (a hand-made journal).
    pub(super) needs_newline: bool,
    /// The journal file's stamp when `load` read it whole (`FileStamp`: inode, size, times):
    /// `Journal::open_known` takes this state instead of reading a file that is still so.
    pub(super) read_as: Option<crate::core::transcript_cache::FileStamp>,
    /// The ids of the codings on each transcript, kept by `apply` (every change the journal
    /// makes, replayed or recorded, goes through it): opening or drawing a transcript then
    /// costs what is on it, not a scan of every coding in the project.
    by_transcript: FxHashMap<String, BTreeSet<CodingId>>,
    /// How many ids `by_transcript` holds. `codings` is a public field, and a state built by
    /// hand (tests, derived states) fills it without `apply`: a count that differs from
    /// `codings.len()` tells the index is not the one of these codings.
    indexed: usize,
    /// Bumped by every change `apply` makes: what a screen derived from the codings (counts
    /// per code) is kept against, instead of counting them all again after every key.
    revision: u64,
}

/// One journal line on its way to being applied.
pub(super) struct Logged {
    pub(super) rec: Record,
    pub(super) line: usize,
    pub(super) key: (u64, usize),
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

pub(super) fn fresh(taken: impl Fn(u64) -> bool) -> u64 {
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

pub(super) fn line_key(line: &str) -> (u64, usize) {
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
        let read = || -> std::io::Result<(Vec<u8>, fs::Metadata)> {
            let mut file = fs::File::open(path)?;
            // Taken before the read: a line appended meanwhile makes the file differ from it.
            let before = file.metadata()?;
            let mut bytes = Vec::with_capacity(usize::try_from(before.len()).unwrap_or(0));
            std::io::Read::read_to_end(&mut file, &mut bytes)?;
            Ok((bytes, before))
        };
        match read() {
            Ok((bytes, before)) => {
                let mut state = Self::replay(path, coder, &bytes);
                // None where the platform's stamps do not tell every write apart.
                if bytes.len() as u64 == before.len() {
                    state.read_as = crate::core::transcript_cache::FileStamp::of(&before);
                }
                Ok(state)
            }
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
            // Checked whole first: `from_utf8_lossy` takes a line apart in chunks even when it
            // is valid, as nearly every line is.
            let text = std::str::from_utf8(raw)
                .map_or_else(|_| String::from_utf8_lossy(raw), std::borrow::Cow::Borrowed);
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
            let parsed = Record::parse(trimmed);
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
                    // Whatever the line held (a coding, its removal, an undo) is missing from
                    // every count: an error that stops them, not a note they pass over.
                    state.warnings.push(
                        Problem::error(path, format!("unreadable journal line skipped: {e}"))
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
    pub(super) fn apply_action(&mut self, path: &Path, lines: Vec<Logged>) {
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
        let sealed = l.rec.sealed();
        let wrong = l.rec.sum.is_some().then_some(l.line);
        let mut op = l.rec.op;
        match &mut op {
            Op::Add(c) => {
                if c.start >= c.end {
                    // Written only by hand (the journal refuses such a coding): an error, as an
                    // unreadable line is, since the counts would leave it out.
                    let what = if c.start == c.end {
                        "is empty"
                    } else {
                        "ends before it starts"
                    };
                    self.warnings.push(
                        Problem::error(
                            path,
                            format!(
                                "coding {} of \"{}\" {what} (start {}, end {}); it was skipped",
                                c.id, c.transcript, c.start, c.end
                            ),
                        )
                        .at(l.line, None),
                    );
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
        match (sealed, &op) {
            (Some(false), _) => self.unseal(&op, wrong),
            // Placed anew by a line that vouches for itself: codewerk wrote it with the text at
            // hand (an edit in the TUI, `check --fix` recording where the text showed it), so
            // the coding is on those words and a hand-edited line before it no longer counts.
            (Some(true), Op::Edit { id, .. } | Op::Reanchor { id, .. }) => {
                self.unsealed.remove(id);
            }
            _ => {}
        }
        Some(op)
    }

    /// The coding `op` places is not vouched for by its line (`wrong`: the line of a wrong sum).
    fn unseal(&mut self, op: &Op, wrong: Option<usize>) {
        let id = match op {
            Op::Add(c) | Op::Remove(c) => c.id,
            Op::Edit { id, .. } | Op::Reanchor { id, .. } => *id,
            _ => return,
        };
        let first = self.unsealed.entry(id).or_default();
        if first.is_none() {
            *first = wrong;
        }
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
                // An undone edit puts back the place it had before, which may be one a line
                // edited by hand gave (the sealed edit had taken it off `unsealed`): from here
                // on it vouches for nothing, and is checked against its text.
                if let Op::Edit { id, .. } | Op::Reanchor { id, .. } = op {
                    self.unsealed.entry(*id).or_insert(None);
                }
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
        self.revision += 1;
        match op {
            Op::Add(c) => {
                if let Some(old) = self.codings.insert(c.id, c.clone()) {
                    self.unindex(&old);
                }
                self.index(c);
            }
            Op::Remove(c) => {
                if let Some(old) = self.codings.remove(&c.id) {
                    self.unindex(&old);
                }
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

    fn index(&mut self, c: &Coding) {
        // Looked up before `entry`, which would copy the transcript's id for every coding.
        let added = match self.by_transcript.get_mut(&c.transcript) {
            Some(ids) => ids.insert(c.id),
            None => {
                self.by_transcript
                    .insert(c.transcript.clone(), BTreeSet::from([c.id]));
                true
            }
        };
        if added {
            self.indexed += 1;
        }
    }

    fn unindex(&mut self, c: &Coding) {
        if let Some(ids) = self.by_transcript.get_mut(&c.transcript)
            && ids.remove(&c.id)
        {
            self.indexed -= 1;
            if ids.is_empty() {
                self.by_transcript.remove(&c.transcript);
            }
        }
    }

    /// Changes with every op applied (replayed, recorded, undone or redone). Not with changes
    /// made through the public fields, such as an anchor set after checking a text.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Build the per-transcript index again from `codings`: for a state whose codings were
    /// set by hand rather than by `apply`.
    pub fn reindex(&mut self) {
        self.by_transcript.clear();
        self.indexed = 0;
        let codings = std::mem::take(&mut self.codings);
        for c in codings.values() {
            self.index(c);
        }
        self.codings = codings;
    }

    /// The index answers (rather than a scan): its count is that of the codings.
    #[cfg(test)]
    pub(super) fn index_in_use(&self) -> bool {
        self.indexed == self.codings.len()
    }

    /// The ids of this coder's codings of one transcript, in id order. Proportional to the
    /// transcript's codings, unless the codings were set by hand (see `indexed`): then a scan.
    pub fn ids_of_transcript(&self, transcript: &str) -> Vec<CodingId> {
        if self.indexed != self.codings.len() {
            return self
                .codings
                .values()
                .filter(|c| c.transcript == transcript)
                .map(|c| c.id)
                .collect();
        }
        self.by_transcript
            .get(transcript)
            .into_iter()
            .flatten()
            .copied()
            // A coding replaced by hand under the same id may be on another transcript now.
            .filter(|id| {
                self.codings
                    .get(id)
                    .is_some_and(|c| c.transcript == transcript)
            })
            .collect()
    }

    /// This coder's codings of one transcript, by start offset.
    pub fn of_transcript<'a>(&'a self, transcript: &str) -> Vec<&'a Coding> {
        let mut v: Vec<&Coding> = self
            .ids_of_transcript(transcript)
            .into_iter()
            .filter_map(|id| self.codings.get(&id))
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
